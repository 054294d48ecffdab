"""Feature-map lengths at a concrete input size, and SAME padding resolved from them.

Like torch.fx's ShapeProp, the pass annotates the graph it walks: :func:`infer_shapes`
returns the same network with every reachable map's length (:attr:`Network.sizes`) and every
layer resolved at that size (TensorFlow SAME padding on strided layers, from the length of the
edge's input map, odd pixel on the right). Every later pass then reads exact layers from the
network itself.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
0
>>> G.add_edge("a", "y", op="maxpool", k=2, s=2, ceil_mode=True)
0
>>> net = infer_shapes(G, 224)
>>> net.sizes["a"], net.sizes["y"]
((112,), (56,))
>>> net.find_edge("x", "a").layer.p_l, net.find_edge("x", "a").layer.p_r
((0,), (1,))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..core import attrs as A
from ..core.errors import AttributeValueError, ShapeError, where
from ..core.limits import check, current_limits
from ..core.network import Edge, Network, Node, as_network, check_size
from ..core.ops import Layer, Window
from ..results import size_text

__all__ = ["infer_shapes", "with_sizes"]


def _at_size(net: Network, input_size: Any) -> tuple[Network, tuple[int, ...]]:
    """The network in as many axes as ``input_size`` has (a graph of scalars works in any
    number of axes), and the size per axis (default: the graph attribute ``input_size``)."""
    if input_size is None:
        if net.input_size is None:
            raise AttributeValueError(f"{where(net.source)}no input size: give one (graph attribute "
                                      "input_size, or --input-size on the command line)")
        return net, net.input_size
    size = check_size(A.positive_axes(input_size, "input size", "input_size"), f"{where(net.source)}input size")
    if len(size) > 1 and net.flexible:
        net = net.with_ndim(len(size))
    return net, A.broadcast(size, net.ndim, f"{where(net.source)}input size", "input_size")


def infer_shapes(G: Any, input_size: Any = None, input: Node | None = None) -> Network:
    """The network annotated with the length of every map reachable from ``input`` for an
    input of ``input_size``, with SAME padding resolved.

    Parameters
    ----------
    G : Network, networkx graph or graph file
    input_size : int or sequence of int, optional
        Length per axis of the input map (one value applies to every axis). Default: the graph
        attribute ``input_size``, which is the size of the graph's own input (whatever
        ``input`` says).
    input : node, optional
        The map whose size is given (default: the graph's input).

    Returns
    -------
    Network
        The same nodes and edges, each edge's layer resolved at this size, with
        :attr:`~rfgraph.core.network.Network.sizes` filled in.

    Raises
    ------
    ShapeError
        Naming the edge or node when a layer does not fit its input or the in-edges of a
        merge disagree.

    Examples
    --------
    >>> import networkx as nx
    >>> net = infer_shapes(nx.DiGraph([("x", "y", {"op": "conv", "k": 3, "s": 2})]), 9)
    >>> net.sizes
    {'x': (9,), 'y': (4,)}
    """
    net = as_network(G)
    net = net.declared or net  # resolve from the layers as written, not at an earlier size
    net, size = _at_size(net, input_size)
    x = net.endpoint("input", input if input_size is not None else None)
    lengths: list[tuple[int, ...] | None] = [None] * len(net.nodes)
    lengths[x] = size
    edges = list(net.edges)
    origin: list[int] = [-1] * len(net.nodes)  # the edge that set each node's length
    limit = current_limits().max_length
    for v in range(x + 1, len(net.nodes)):
        for e in net.in_edges[v]:
            edge = net.edges[e]
            n_in = lengths[edge.src]
            if n_in is None:
                continue
            layer = _resolve(edge.layer, n_in)
            if layer is not edge.layer:
                edges[e] = Edge(edge.id, edge.src, edge.dst, edge.key, layer, edge.attrs)
            out = tuple(layer.spec.out_length(layer, a, n) for a, n in enumerate(n_in))
            if max(out) > limit:
                axis = out.index(max(out))
                check("max_length", max(out), f"{where(net.source)}edge {net.edge_name(e)}: {layer.label()} makes "
                                               f"a map of length {max(out)} along axis {axis}, which")
            if min(out) < 1:
                raise ShapeError(
                    f"{where(net.source)}edge {net.edge_name(e)}: {layer.label()} does not fit an input of "
                    f"length {size_text(n_in)} (output length {size_text(out)})"
                )
            if lengths[v] is None:
                lengths[v], origin[v] = out, e
            elif lengths[v] != out:
                raise ShapeError(
                    f"{where(net.source)}node {net.nodes[v]}: its inputs have different sizes: "
                    f"{size_text(lengths[v])} from {net.edge_name(origin[v])}, {size_text(out)} from "
                    f"{net.edge_name(e)}"
                )
    return replace(net, edges=tuple(edges), input_size=size, lengths=tuple(lengths), shape_input=x,
                   declared=net)


def with_sizes(G: Any, input_size: Any = None, input: Node | None = None) -> Network:
    """The network with its maps' sizes when an input size is known, else as it is.

    The one place that answers "is the input size known?": ``input_size`` when given (the
    network is resolved at that size), else a network that is already sized, else the graph
    attribute ``input_size``, else nothing (the network is returned unchanged and SAME padding
    on strided layers stays unresolved).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "y", {"op": "conv", "k": 3})])
    >>> with_sizes(G).sized, with_sizes(G, 5).sizes["y"]
    (False, (3,))
    """
    net = as_network(G, input_size=input_size)
    if (isinstance(input_size, Sequence) and net.input_size is not None and len(input_size) > net.ndim
            and tuple(input_size)[-net.ndim:] == tuple(net.input_size)):
        input_size = None  # a model's whole input shape [N, C, *spatial], taken by its importer
    if input_size is None and (net.sized or net.input_size is None):
        return net
    return infer_shapes(net, input_size, input)


def _resolve(layer: Layer, n_in: Sequence[int]) -> Layer:
    if layer.padding != "same" or None not in layer.p_l or not isinstance(layer.spec, Window):
        return layer
    pads = [layer.spec.same_padding(layer, a, n) for a, n in enumerate(n_in)]
    return layer.with_padding(tuple(p for p, _ in pads), tuple(q for _, q in pads))
