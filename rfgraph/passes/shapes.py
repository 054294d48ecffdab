"""Feature-map lengths at a concrete input size, and SAME padding resolved from them.

One pass in topological order (in the manner of torch.fx's ShapeProp): every node reachable
from the input gets its length per axis from its in-edges, which must agree; TensorFlow SAME
padding on strided layers is resolved from the length of the edge's input map (odd pixel on
the right). The resolved layers then give the symbolic analysis an exact padding too.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
0
>>> G.add_edge("a", "y", op="maxpool", k=2, s=2, ceil_mode=True)
0
>>> shapes = infer_shapes(G, 224)
>>> shapes.sizes["a"], shapes.sizes["y"]
((112,), (56,))
>>> shapes.padding("x", "a")
((0, 1),)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core import attrs as A
from ..core.errors import AttributeValueError, ShapeError, where
from ..core.network import Network, Node, as_network
from ..core.ops import Layer, Window


@dataclass(frozen=True, eq=False)
class Shapes:
    """Lengths of every reachable feature map and the edges' layers with padding resolved.

    ``sizes`` maps node -> tuple of lengths (one per axis); nodes the input does not reach
    are absent. ``layers`` is indexed by edge id (the network's own layers where nothing
    needed resolving).
    """

    net: Network
    input: Node
    input_size: tuple[int, ...]
    sizes: dict[Node, tuple[int, ...]]
    layers: tuple[Layer, ...]

    def padding(self, u: Node, v: Node, key: Any = None) -> tuple[tuple[int, int], ...]:
        """``((p_l, p_r), ...)`` per axis of the edge ``u -> v`` (the first one, or ``key``)."""
        iu, iv = self.net.node_index(u), self.net.node_index(v)
        for e in self.net.out_edges[iu]:
            edge = self.net.edges[e]
            if edge.dst == iv and (key is None or edge.key == key):
                layer = self.layers[e]
                return tuple(zip(layer.p_l, layer.p_r))
        raise ShapeError(f"{where(self.net.source)}no edge {u} -> {v}")

    def size_of(self, node: Node) -> tuple[int, ...]:
        """The length per axis of ``node``; an error if the input does not reach it."""
        name = self.net.nodes[self.net.node_index(node)]
        if name not in self.sizes:
            raise ShapeError(f"{where(self.net.source)}node {name}: its size is unknown (the input "
                             f"{self.input} does not reach it): give its input size")
        return self.sizes[name]

    def to_dict(self) -> dict:
        return {
            "input_size": list(self.input_size),
            "sizes": {str(n): list(s) for n, s in self.sizes.items()},
        }


def at_size(G, input_size: Any = None) -> tuple[Network, tuple[int, ...]]:
    """The network in as many axes as ``input_size`` has (a graph of scalars works in any
    number of axes), and the size per axis (default: the graph attribute ``input_size``)."""
    net = as_network(G)
    if input_size is None:
        if net.input_size is None:
            raise AttributeValueError(f"{where(net.source)}no input size: give one (graph attribute "
                                      "input_size, input_size=..., or --input-size)")
        return net, net.input_size
    size = A.positive_axes(input_size, "input size", "input_size")
    if len(size) > 1 and net.flexible:
        net = net.with_ndim(len(size))
    return net, A.broadcast(size, net.ndim, f"{where(net.source)}input size", "input_size")


def infer_shapes(G, input_size: Any = None, input: Node | None = None) -> Shapes:
    """Lengths of every feature map reachable from ``input`` for an input of ``input_size``,
    with SAME padding resolved. Without ``input_size``, the graph attribute ``input_size`` is
    the size of the graph's own input (whatever ``input`` says).

    Raises :class:`~rfgraph.core.errors.ShapeError` naming the edge or node when a layer does not
    fit its input or the in-edges of a merge disagree.
    """
    net, size = at_size(G, input_size)
    x = net.endpoint("input", input if input_size is not None else None)
    lengths: list[tuple[int, ...] | None] = [None] * len(net.nodes)
    lengths[x] = size
    layers = [e.layer for e in net.edges]
    origin: list[int] = [-1] * len(net.nodes)  # the edge that set each node's length
    for v in range(x + 1, len(net.nodes)):
        for e in net.in_edges[v]:
            edge = net.edges[e]
            n_in = lengths[edge.src]
            if n_in is None:
                continue
            layer = _resolve(edge.layer, n_in)
            layers[e] = layer
            out = tuple(layer.spec.out_length(layer, a, n) for a, n in enumerate(n_in))
            if min(out) < 1:
                raise ShapeError(
                    f"{where(net.source)}edge {net.edge_name(e)}: {layer.label()} does not fit an input of "
                    f"length {_fmt(n_in)} (output length {_fmt(out)})"
                )
            if lengths[v] is None:
                lengths[v], origin[v] = out, e
            elif lengths[v] != out:
                raise ShapeError(
                    f"{where(net.source)}node {net.nodes[v]}: its inputs have different sizes: "
                    f"{_fmt(lengths[v])} from {net.edge_name(origin[v])}, {_fmt(out)} from {net.edge_name(e)}"
                )
    sizes = {net.nodes[v]: n for v, n in enumerate(lengths) if n is not None}
    return Shapes(net, net.nodes[x], size, sizes, tuple(layers))


def _resolve(layer: Layer, n_in: Sequence[int]) -> Layer:
    if layer.padding != "same" or None not in layer.p_l or not isinstance(layer.spec, Window):
        return layer
    pads = [layer.spec.same_padding(layer, a, n) for a, n in enumerate(n_in)]
    return layer.with_padding(tuple(p for p, _ in pads), tuple(q for _, q in pads))


def _fmt(size: Sequence[int]) -> str:
    return "x".join(map(str, size))
