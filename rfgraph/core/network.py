"""The validated graph every pass works on.

A :class:`Network` is an immutable, topologically ordered multigraph: nodes are feature maps,
each :class:`Edge` is a layer from its source map to its target map with a parsed
:class:`~rfgraph.core.ops.Layer`. Building one validates everything once (attribute values,
cycles, the named input/output), so the passes never re-parse strings and never see a bad
graph. Nodes are integers ``0..n-1`` in topological order inside the passes and names (any
hashable; strings for files) at the API.

It is deliberately independent of networkx: importing networkx costs about 0.3 s, which is
the whole budget of loading a file from the command line. :func:`from_networkx` and
:meth:`Network.to_networkx` convert both ways.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_edge("x", "h", op="conv", k=3, s=2, p=1)
0
>>> G.add_edge("h", "y", op="maxpool", k=2, s=2)
0
>>> net = from_networkx(G)
>>> net.nodes, net.default_input, net.default_output
(('x', 'h', 'y'), 'x', 'y')
>>> net.edges[0].layer.label()
'conv k3 s2 p1'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from . import attrs as A
from .errors import AttributeValueError, InputTypeError, NodeNotFoundError, ShapeError, TopologyError, shorten, where
from .limits import check, current_limits
from .raw import RawGraph
from .ops import OPS, Layer, axis_count, geometry_attributes, parse_layer
from .perf import paused_gc

Node = Hashable


@dataclass(frozen=True, eq=False)
class Edge:
    """One layer: ``src -> dst`` (node indices), ``key`` distinguishes parallel edges."""

    id: int
    src: int
    dst: int
    key: Any
    layer: Layer
    attrs: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, eq=False)
class Network:
    """A validated graph. Build it with :func:`build`, :func:`from_networkx` or
    :func:`rfgraph.load`; do not construct it directly."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    node_attrs: tuple[Mapping[str, Any], ...]
    graph_attrs: Mapping[str, Any]
    ndim: int
    input_size: tuple[int, ...] | None = None
    name: str | None = None
    source: str | None = None
    flexible: bool = False  # every value is a scalar: the same network in any number of axes
    # Set by shape inference (rfgraph.passes.shapes.infer_shapes), which returns the network
    # with its layers resolved at one input size: the length of every map (per node index;
    # None where the shape input does not reach), the node whose size was given, and the
    # network as declared (to resolve it again at another size).
    lengths: tuple[tuple[int, ...] | None, ...] | None = field(default=None, repr=False)
    shape_input: int | None = field(default=None, repr=False)
    declared: "Network | None" = field(default=None, repr=False)

    @property
    def sized(self) -> bool:
        """Whether every map reachable from :attr:`shape_input` has a known length."""
        return self.lengths is not None

    @cached_property
    def sizes(self) -> dict[Node, tuple[int, ...]]:
        """Length per axis of every map whose size is known (empty when not :attr:`sized`)."""
        if self.lengths is None:
            return {}
        return {name: n for name, n in zip(self.nodes, self.lengths) if n is not None}

    def size_of(self, node: Node) -> tuple[int, ...]:
        """The length per axis of ``node``; an error if it is not known."""
        idx = self.node_index(node)
        n = self.lengths[idx] if self.lengths is not None else None
        if n is None:
            origin = self.nodes[self.shape_input] if self.shape_input is not None else "the input"
            raise ShapeError(f"{where(self.source)}node {self.nodes[idx]}: its size is unknown (the input "
                             f"{origin} does not reach it): give its input size")
        return n

    def find_edge(self, u: Node, v: Node, key: Any = None) -> Edge:
        """The edge ``u -> v`` (the first one, or the one with ``key``).

        >>> from rfgraph.core.raw import RawGraph
        >>> raw = RawGraph(); raw.add_edge("x", "y", {"op": "conv", "k": 3})
        >>> build(raw).find_edge("x", "y").layer.label()
        'conv k3'
        """
        iu, iv = self.node_index(u), self.node_index(v)
        for e in self.out_edges[iu]:
            edge = self.edges[e]
            if edge.dst == iv and (key is None or edge.key == key or str(edge.key) == str(key)):
                return edge
        raise NodeNotFoundError(f"{where(self.source)}no edge {u} -> {v}" + (f" [{key}]" if key is not None else ""))

    @cached_property
    def index(self) -> dict[Node, int]:
        return {name: i for i, name in enumerate(self.nodes)}

    @cached_property
    def in_edges(self) -> tuple[tuple[int, ...], ...]:
        lists: list[list[int]] = [[] for _ in self.nodes]
        for e in self.edges:
            lists[e.dst].append(e.id)
        return tuple(map(tuple, lists))

    @cached_property
    def out_edges(self) -> tuple[tuple[int, ...], ...]:
        lists: list[list[int]] = [[] for _ in self.nodes]
        for e in self.edges:
            lists[e.src].append(e.id)
        return tuple(map(tuple, lists))

    @cached_property
    def default_input(self) -> Node | None:
        """The graph attribute ``input``, else the unique source, else None."""
        return self._default("input")

    @cached_property
    def default_output(self) -> Node | None:
        """The graph attribute ``output``, else the unique sink, else None."""
        return self._default("output")

    @cached_property
    def outputs(self) -> tuple[Node, ...]:
        """The maps a model returns (the graph attribute ``outputs``, comma-separated, which the
        importers write for a model with several outputs, such as timm's ``features_only``
        backbones); else the default output alone (or nothing).

        >>> from rfgraph.core.raw import RawGraph
        >>> raw = RawGraph(graph={"outputs": "a,b"}); raw.add_edge("x", "a"); raw.add_edge("a", "b")
        >>> build(raw).outputs
        ('a', 'b')
        """
        if "outputs" in self.graph_attrs:
            names = [n.strip() for n in A.text(self.graph_attrs["outputs"]).split(",") if n.strip()]
            return tuple(self.nodes[self.node_index(n, "graph attribute outputs")] for n in names)
        return (self.default_output,) if self.default_output is not None else ()

    def _default(self, role: str) -> Node | None:
        try:
            return self.nodes[self.endpoint(role)]
        except TopologyError:
            return None

    def with_ndim(self, ndim: int) -> "Network":
        """The same network in ``ndim`` axes (for graphs whose values are all scalars, which
        apply to every axis); an error if the graph states another number of axes."""
        if ndim == self.ndim:
            return self
        if not self.flexible:
            raise AttributeValueError(
                f"{where(self.source)}an input size of {ndim} axes for a graph of {self.ndim}"
            )
        widened: dict[int, Layer] = {}

        def widen(layer: Layer) -> Layer:
            if id(layer) not in widened:
                values = {f.name: getattr(layer, f.name) for f in fields(layer)}
                for key, value in values.items():
                    if isinstance(value, tuple):
                        values[key] = value * ndim
                widened[id(layer)] = Layer(**values)
            return widened[id(layer)]

        edges = tuple(Edge(e.id, e.src, e.dst, e.key, widen(e.layer), e.attrs) for e in self.edges)
        return replace(self, edges=edges, ndim=ndim, flexible=False, lengths=None, shape_input=None, declared=None)

    def node_index(self, name: Node, role: str = "node") -> int:
        """Index of the node called ``name`` (or with ``name`` among its ``aliases`` attribute:
        importers name a container's output after the container and record its last module's
        name there); a clear error listing similar names if there is none.

        >>> from rfgraph.core.raw import RawGraph
        >>> raw = RawGraph(); raw.add_edge("stem", "stages", {"op": "conv", "k": 3})
        >>> raw.nodes["stages"]["aliases"] = "stages.3"
        >>> build(raw).node_index("stages.3")
        1
        >>> build(raw).node_index("stages.3.conv")
        Traceback (most recent call last):
        ...
        rfgraph.core.errors.NodeNotFoundError: node 'stages.3.conv': no such node (similar: stages)
        """
        idx = self.index.get(name)
        if idx is None and not isinstance(name, str):
            idx = self.index.get(str(name))
        if idx is None and isinstance(name, str):  # a name typed on the command line
            matches = [i for i, n in enumerate(self.nodes) if str(n) == name]
            idx = matches[0] if len(matches) == 1 else None
        if idx is None:
            idx = self.aliases.get(str(name))
        if idx is None:
            close = similar_names(str(name), [str(n) for n in self.nodes])
            hint = f" (similar: {', '.join(close)})" if close else ""
            message = f"{where(self.source)}{role} {name!r}: no such node{hint}"
            cli = message
            if role == "output" and _FILE_SUFFIX.search(str(name)):
                cli += " (--output names a node: to write a file use -o FILE)"
            raise NodeNotFoundError(message, cli=cli)
        return idx

    @cached_property
    def aliases(self) -> dict[str, int]:
        """Other names of nodes (the ``aliases`` node attribute, comma-separated)."""
        found: dict[str, int] = {}
        for i, attrs in enumerate(self.node_attrs):
            value = attrs.get("aliases")
            if value:
                for alias in A.text(value).split(","):
                    if alias.strip():
                        found.setdefault(alias.strip(), i)
        return found

    def endpoints(self, input: Node | None = None, output: Node | None = None) -> tuple[int, int]:
        """Resolve the input and output nodes (indices) and check a path joins them."""
        x = self.endpoint("input", input)
        y = self.endpoint("output", output)
        if x != y and not self.descendants(x)[y]:
            raise TopologyError(
                f"{where(self.source)}no path from input {self.nodes[x]!r} to output {self.nodes[y]!r}"
            )
        return x, y

    def endpoint(self, role: str, given: Node | None = None) -> int:
        """Index of the ``"input"`` or ``"output"`` node: ``given``, else the graph attribute
        (for the output: ``output``, else the first of ``outputs``), else the unique source/sink."""
        adjacency, plural = (self.in_edges, "sources") if role == "input" else (self.out_edges, "sinks")
        if given is not None:
            return self.node_index(given, role)
        if role in self.graph_attrs:
            return self.node_index(self.graph_attrs[role], f"graph attribute {role}")
        if role == "output" and "outputs" in self.graph_attrs and self.outputs:  # the first of the maps
            return self.node_index(self.outputs[0], "graph attribute outputs")
        ends = [i for i, adj in enumerate(adjacency) if not adj]
        if len(ends) == 1:
            return ends[0]
        names = ", ".join(repr(self.nodes[i]) for i in ends[:6]) + (", ..." if len(ends) > 6 else "")
        raise TopologyError(
            f"{where(self.source)}the graph has {len(ends)} {plural} ({names}): "
            f"name the {role} (graph attribute {role}=..., or --{role})"
        )

    def descendants(self, start: int, edge_ok: list[bool] | None = None) -> list[bool]:
        """``reach[v]``: v is ``start`` or reachable from it (one sweep in topological order),
        only through edges where ``edge_ok`` is true when it is given."""
        reach = [False] * len(self.nodes)
        reach[start] = True
        src = [e.src for e in self.edges]
        for v in range(start + 1, len(self.nodes)):
            for e in self.in_edges[v]:
                if reach[src[e]] and (edge_ok is None or edge_ok[e]):
                    reach[v] = True
                    break
        return reach

    def ancestors(self, end: int, edge_ok: list[bool] | None = None) -> list[bool]:
        """``reach[v]``: v is ``end`` or reaches it (through ``edge_ok`` edges if given)."""
        reach = [False] * len(self.nodes)
        reach[end] = True
        dst = [e.dst for e in self.edges]
        for v in range(end - 1, -1, -1):
            for e in self.out_edges[v]:
                if reach[dst[e]] and (edge_ok is None or edge_ok[e]):
                    reach[v] = True
                    break
        return reach

    def between(self, x: int, y: int, edge_ok: list[bool] | None = None) -> list[bool]:
        """Nodes on some path from ``x`` to ``y`` (using only ``edge_ok`` edges if given)."""
        down, up = self.descendants(x, edge_ok), self.ancestors(y, edge_ok)
        return [a and b for a, b in zip(down, up)]

    def edge_name(self, e: int | Edge) -> str:
        """``'a' -> 'b'`` (with the key when the edge has parallel siblings)."""
        edge = self.edges[e] if isinstance(e, int) else e
        text = f"{self.nodes[edge.src]!s} -> {self.nodes[edge.dst]!s}"
        siblings = sum(1 for f in self.out_edges[edge.src] if self.edges[f].dst == edge.dst)
        return f"{text} [{edge.key}]" if siblings > 1 else text

    def to_raw(self) -> RawGraph:
        """The graph with its raw attributes, ready for a writer."""
        raw = RawGraph(graph=dict(self.graph_attrs), name=self.name, source=self.source)
        for name, node_attrs in zip(self.nodes, self.node_attrs):
            raw.add_node(name, dict(node_attrs))
        for e in self.edges:
            raw.add_edge(self.nodes[e.src], self.nodes[e.dst], dict(e.attrs), key=e.key)
        return raw

    def to_networkx(self):
        """A ``networkx.MultiDiGraph`` with the raw node, edge and graph attributes."""
        import networkx as nx

        G = nx.MultiDiGraph(**dict(self.graph_attrs))
        if self.name is not None:
            G.graph.setdefault("name", self.name)
        for name, node_attrs in zip(self.nodes, self.node_attrs):
            G.add_node(name, **node_attrs)
        for e in self.edges:
            G.add_edge(self.nodes[e.src], self.nodes[e.dst], key=e.key, **e.attrs)
        return G


_FILE_SUFFIX = re.compile(r"\.(svg|png|pdf|jpe?g|dot|gv|graphml|json|csv|md|txt)$", re.I)


def similar_names(name: str, names: list[str], limit: int = 5) -> list[str]:
    """Names someone typing ``name`` may have meant: the containers it lies in
    (``stages`` for ``stages.3``), names containing it, then close spellings.

    >>> similar_names("stages.3", ["stem", "stages", "stages.2.conv", "head"])
    ['stages', 'stages.2.conv']
    >>> similar_names("layer4", ["layer4.0", "layer4.1", "layer3"])
    ['layer4.0', 'layer4.1', 'layer3']
    """
    lowered = name.lower()
    found = [n for n in names if lowered.startswith(n.lower() + ".")]
    found.sort(key=len, reverse=True)  # the innermost container first
    found += [n for n in names if lowered in n.lower() and n not in found]
    if len(found) < limit:
        found += [n for n in difflib.get_close_matches(name, names, n=limit, cutoff=0.6) if n not in found]
    return found[:limit]


def _topological_order(names: list[Node], edges: list[tuple[int, int]], source: str | None) -> list[int]:
    """Kahn's algorithm, stable in first-appearance order; a cycle is an error naming it."""
    indeg = [0] * len(names)
    succ: list[list[int]] = [[] for _ in names]
    for u, v in edges:
        indeg[v] += 1
        succ[u].append(v)
    ready = [i for i in range(len(names) - 1, -1, -1) if indeg[i] == 0]
    order: list[int] = []
    while ready:
        u = ready.pop()
        order.append(u)
        for v in reversed(succ[u]):
            indeg[v] -= 1
            if indeg[v] == 0:
                ready.append(v)
    if len(order) < len(names):
        raise TopologyError(f"{where(source)}the graph has a cycle: {_find_cycle(names, succ, indeg)}")
    return order


def _find_cycle(names: list[Node], succ: list[list[int]], indeg: list[int]) -> str:
    # Kahn's algorithm leaves the nodes on or after a cycle with indeg > 0, and each of them
    # keeps a predecessor that is also left; walking such predecessors must repeat a node.
    blocked = {i for i, d in enumerate(indeg) if d > 0}
    pred: dict[int, int] = {}
    for u in blocked:
        for v in succ[u]:
            if v in blocked:
                pred.setdefault(v, u)
    seen: dict[int, int] = {}
    walk: list[int] = []
    node = min(blocked)
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = pred[node]
    cycle = walk[seen[node]:][::-1]
    cycle.append(cycle[0])
    return " -> ".join(str(names[i]) for i in cycle)


def _graph_ndim(raw: RawGraph, stated: int, input_size: tuple[int, ...] | None,
                source: str | None) -> tuple[int, bool]:
    """(number of axes, whether nothing fixes it); ``stated`` is the most axes an edge states."""
    if "axes" in raw.graph:
        (ndim,) = A.positive_axes(raw.graph["axes"], f"{where(source)}graph", "axes")
        return check("max_axes", ndim, f"{where(source)}graph attribute axes={shorten(ndim)}"), False
    if stated > current_limits().max_axes:  # name the edge
        u, v, _, _ = next(e for e in raw.edges if axis_count(e[3]) == stated)
        check("max_axes", stated, f"{where(source)}edge {u!s} -> {v!s}: its attributes have {stated} axes, which")
    if input_size is not None:
        return max(len(input_size), stated), False
    return stated, stated == 1


# Parsed attributes shared by every graph built in the process. Architecture spaces repeat a
# handful of distinct layers over thousands of graphs, and reading attributes was most of the
# time of building one, so each distinct attribute dict is read once: _EDGE_INFO maps it to an
# _EdgeInfo (its geometry attributes, the number of axes they state, and its Layer per number
# of axes of a graph). Layers are immutable, so sharing them is safe. Errors are never cached:
# they name the edge, which differs from graph to graph.
_EDGE_INFO: dict[Any, "_EdgeInfo"] = {}
_CACHE_LIMIT = 4096  # distinct attribute dicts; past this the cache starts again empty


class _EdgeInfo:
    __slots__ = ("values", "count", "layers")

    def __init__(self, values: dict[str, Any], count: int) -> None:
        self.values = values  # the geometry attributes
        self.count = count  # the number of axes they state
        self.layers: dict[int, Layer] = {}  # number of axes of the graph -> parsed layer


def _attrs_key(edge_attrs: Mapping[str, Any]) -> Any:
    """A key that only equal attribute dicts share (hashable unless a value is not).

    Types are part of the key: ``1 == True == 1.0`` in Python, but ``k=True`` is an error
    where ``k=1`` is not. Sequences are compared through their ``repr`` for the same reason.
    """
    types = tuple(map(type, edge_attrs.values()))
    if tuple in types or list in types:
        return repr(tuple(edge_attrs.items())), types
    return tuple(edge_attrs.items()), types


def _edge_info(edge_attrs: Mapping[str, Any], owner: Callable[[], str]) -> _EdgeInfo:
    """The :class:`_EdgeInfo` of an edge's attributes (cached unless a value is unhashable)."""
    key = _attrs_key(edge_attrs)
    try:
        info = _EDGE_INFO.get(key)
    except TypeError:  # an unhashable value (a graph built in code): parse, never cache
        key = info = None
    if info is None:
        values = geometry_attributes(edge_attrs, owner())
        info = _EdgeInfo(values, axis_count(values))
        if key is not None:
            if len(_EDGE_INFO) >= _CACHE_LIMIT:
                _EDGE_INFO.clear()
            _EDGE_INFO[key] = info
    return info


def _layer(info: _EdgeInfo, ndim: int, owner: Callable[[], str]) -> Layer:
    """The parsed layer of an edge in a graph of ``ndim`` axes (cached in ``info``)."""
    layer = info.layers.get(ndim)
    # register_op may have replaced (or removed) the op since the layer was parsed.
    if layer is None or OPS.get(layer.op) is not layer.spec:
        layer = info.layers[ndim] = parse_layer(info.values, ndim, owner())
    return layer


def _edge(id: int, src: int, dst: int, key: Any, layer: Layer, attrs: Mapping[str, Any]) -> Edge:
    """``Edge(...)`` at half the cost: a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``, and building is on the hot path of batch analysis (a
    few hundred edges per graph, thousands of graphs per second)."""
    edge = _new(Edge)
    edge.__dict__.update(id=id, src=src, dst=dst, key=key, layer=layer, attrs=attrs)
    return edge


_new = object.__new__


def check_size(size: tuple[int, ...], what: str) -> tuple[int, ...]:
    """``size`` (a length per axis) if it is within the limits on axes and lengths.

    >>> check_size((224, 224), "input size")
    (224, 224)
    """
    check("max_axes", len(size), f"{what} has {len(size)} axes, which")
    for n in size:
        check("max_length", n, f"{what}: length {shorten(n)}")
    return size


def build(raw: RawGraph) -> Network:
    """Validate a :class:`RawGraph` and build its :class:`Network`.

    Parameters
    ----------
    raw : RawGraph
        Nodes, edges and attributes as a file states them.

    Returns
    -------
    Network

    Raises
    ------
    RFGraphError
        A subclass naming the file and the edge, node or attribute at fault.

    Examples
    --------
    >>> from rfgraph.core.raw import RawGraph
    >>> raw = RawGraph(graph={"input_size": "8"})
    >>> raw.add_edge("x", "y", {"op": "conv", "k": "3", "s": "2"})
    >>> net = build(raw)
    >>> net.nodes, net.input_size, net.edges[0].layer.label()
    (('x', 'y'), (8,), 'conv k3 s2')
    """
    with paused_gc():
        return _build(raw)


def _build(raw: RawGraph) -> Network:
    source = raw.source
    if not raw.directed:
        raise TopologyError(f"{where(source)}the graph is undirected: write a digraph (layers have a direction)")
    if not raw.nodes:
        raise TopologyError(f"{where(source)}the graph is empty")
    check("max_nodes", len(raw.nodes), f"{where(source)}the graph has {len(raw.nodes)} nodes, which")
    check("max_edges", len(raw.edges), f"{where(source)}the graph has {len(raw.edges)} edges, which")
    graph_attrs = {k: A.text(v) if k in ("input", "output") else v for k, v in raw.graph.items()}
    input_size = None
    if "input_size" in raw.graph:
        input_size = check_size(A.positive_axes(raw.graph["input_size"], f"{where(source)}graph", "input_size"),
                                f"{where(source)}graph attribute input_size")

    # Read every edge's attributes first: the number of axes is the most any edge states.
    infos = [_edge_info(edge_attrs, lambda: f"{where(source)}edge {un!s} -> {vn!s}")
             for un, vn, _, edge_attrs in raw.edges]
    stated = max((info.count for info in infos), default=1)
    ndim, flexible = _graph_ndim(raw, stated, input_size, source)
    if input_size is not None:
        input_size = A.broadcast(input_size, ndim, f"{where(source)}graph", "input_size")

    names = list(raw.nodes)
    first = {name: i for i, name in enumerate(names)}
    pairs = [(first[u], first[v]) for u, v, _, _ in raw.edges]
    order = _topological_order(names, pairs, source)
    position = [0] * len(names)
    for new, old in enumerate(order):
        position[old] = new

    # Edge ids follow the topological order of their targets (stable within a target): sort
    # (dst, src, original index) tuples, then make each Edge once. Parallel edges are then
    # side by side, in their original order: those without a key are numbered 0, 1, ...
    rows = []
    for i, ((u, v), info) in enumerate(zip(pairs, infos)):
        layer = info.layers.get(ndim)  # (the cache hit of _layer, inline: the hot path)
        if layer is None or OPS.get(layer.op) is not layer.spec:
            un, vn = raw.edges[i][:2]
            layer = _layer(info, ndim, lambda: f"{where(source)}edge {un!s} -> {vn!s}")
        rows.append((position[v], position[u], i, layer))
    rows.sort()
    edges = []
    last, count = None, 0
    raw_edges = raw.edges
    for e, (dst, src, i, layer) in enumerate(rows):
        _, _, key, edge_attrs = raw_edges[i]
        if key is None:
            count = count + 1 if last == (dst, src) else 0
            last = (dst, src)
            key = count
        edges.append(_edge(e, src, dst, key, layer, edge_attrs))

    net = Network(
        nodes=tuple(names[i] for i in order),
        edges=tuple(edges),
        node_attrs=tuple(raw.nodes[names[i]] for i in order),
        graph_attrs=graph_attrs,
        ndim=ndim,
        input_size=input_size,
        name=raw.name,
        source=source,
        flexible=flexible,
    )
    for role in ("input", "output"):  # a named end-point must exist
        if role in graph_attrs:
            net.node_index(graph_attrs[role], f"graph attribute {role}")
    return net


def from_networkx(G, source: str | None = None) -> Network:
    """Build a :class:`Network` from a networkx (Multi)DiGraph whose edges carry the
    attributes of the graph format (``op``, ``k``, ``s``, ``p``, ...); graph attributes
    ``input``, ``output``, ``input_size`` as in a file.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(input_size=16)
    >>> _ = G.add_edge("x", "y", op="maxpool", k=2, s=2)
    >>> net = from_networkx(G)
    >>> net.input_size, net.edges[0].layer.label()
    ((16,), 'maxpool k2 s2')
    """
    if not G.is_directed():
        raise TopologyError(f"{where(source)}the graph is undirected: use a DiGraph or MultiDiGraph")
    raw = RawGraph(graph=dict(G.graph), source=source, name=G.graph.get("name"))
    for node, node_attrs in G.nodes(data=True):
        raw.add_node(node, dict(node_attrs))
    if G.is_multigraph():
        for u, v, key, edge_attrs in G.edges(keys=True, data=True):
            raw.add_edge(u, v, edge_attrs, key=key)
    else:
        for u, v, edge_attrs in G.edges(data=True):
            raw.add_edge(u, v, edge_attrs)
    raw.graph.pop("name", None)
    return build(raw)


#: Converters :func:`as_network` tries for anything that is neither a Network nor a networkx
#: graph (file paths, models): each is called with the value and the input size the caller
#: knows (or None) and returns a Network, or None when the value is not its kind.
#: :mod:`rfgraph.api` registers the file and model loaders: the core itself knows nothing of
#: files, so imports flow one way (api -> core).
CONVERTERS: list[Callable[[Any, Any], "Network | None"]] = []


def as_network(G: Any, source: str | None = None, *, input_size: Any = None) -> Network:
    """``G`` as a :class:`Network`: a Network as is, a networkx (Multi)DiGraph converted, and
    anything a registered converter knows (file paths and models, see :mod:`rfgraph.api`).

    Parameters
    ----------
    G : Network, networkx.DiGraph, networkx.MultiDiGraph, str or os.PathLike
    source : str, optional
        Name for error messages when ``G`` is a networkx graph.
    input_size : optional
        The input size the caller was given, for converters that need one (a PyTorch module
        is traced at an example input of that size).

    Returns
    -------
    Network

    Examples
    --------
    >>> import networkx as nx
    >>> as_network(nx.DiGraph([("x", "y")])).nodes
    ('x', 'y')
    """
    if isinstance(G, Network):
        return G
    if hasattr(G, "is_directed") and hasattr(G, "edges") and hasattr(G, "graph"):
        return from_networkx(G, source)
    for convert in CONVERTERS:
        net = convert(G, input_size)
        if net is not None:
            return net
    raise InputTypeError(f"expected an rfgraph Network, a networkx DiGraph, a graph file or a model, "
                         f"got {type(G).__name__}")
