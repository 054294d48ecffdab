"""What an architecture diagram shows, before any DOT is written: the analysis results it
reads, the nodes and edges drawn (after collapsing), and what is highlighted.

Nothing here computes a receptive field: the numbers come from :func:`rfgraph.analyze`,
:func:`rfgraph.layer_table` and :func:`rfgraph.output_table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import TopologyError

#: Colours of the two witness paths of each disagreement (a, b), cycled for several.
PATH_COLORS = (("#1f77b4", "#e8710a"), ("#2ca02c", "#9467bd"), ("#17becf", "#8c564b"))


@dataclass
class DiagramData:
    """The analysis results a diagram reads.

    ``layers`` are the edges' layers (SAME padding resolved when the input size is known),
    ``sizes`` the maps' sizes (empty without an input size), ``x``/``y`` the input and output
    indices (``y`` None when the graph has several sinks and none was named), ``table`` the
    per-node rows the maps are labelled with, ``result`` the input-output analysis (None
    without an output)."""

    net: Any
    layers: list
    sizes: dict
    x: int
    y: int | None
    table: dict
    result: Any | None

    @property
    def mismatches(self) -> list:
        return list(self.result.mismatches) if self.result is not None else []


def diagram_data(G, *, input=None, output=None, input_size=None, from_output: bool = False) -> DiagramData:
    """Load ``G``, resolve its sizes and end-points, and run the analyses a diagram shows."""
    from ..analysis import analyze, layer_table, output_table
    from ..network import as_network
    from ..shapes import infer_shapes

    net = as_network(G)
    layers = None
    sizes: dict = {}
    if input_size is not None or net.input_size is not None:
        shapes = infer_shapes(net, input_size, input)
        net, layers = shapes.net, list(shapes.layers)
        sizes = shapes.sizes
    x = net.endpoint("input", input)
    try:
        y = net.endpoints(input, output)[1]
    except TopologyError:
        if output is not None or from_output:
            raise
        y = None  # several sinks: draw without the diagnosis
    if from_output:
        table = output_table(net, net.nodes[y], layers=layers)
    else:
        table = layer_table(net, net.nodes[x], layers=layers)
    result = analyze(net, net.nodes[x], net.nodes[y], layers=layers) if y is not None else None
    layer_list = layers if layers is not None else [e.layer for e in net.edges]
    return DiagramData(net, layer_list, sizes, x, y, table, result)


@dataclass
class Highlights:
    """Where paths disagree: the merge nodes where a disagreement is born (``warn``), the
    nodes where the witness paths part (``forks``) and the colours of the witness edges."""

    warn: set[int] = field(default_factory=set)
    forks: set[int] = field(default_factory=set)
    edge_colors: dict[int, list[str]] = field(default_factory=dict)


def highlights(net, mismatches: Sequence, witnesses: int) -> Highlights:
    """The highlighted nodes, and the witness paths of the first ``witnesses`` disagreements
    coloured where the two paths differ (between the fork and the merge: their common prefix
    and suffix are the same edges and are described in the legend)."""
    marks = Highlights({net.index[m.node] for m in mismatches if m.node in net.index},
                       {net.index[m.fork] for m in mismatches if m.fork in net.index})
    for i, m in enumerate(mismatches[: max(witnesses, 0)]):
        pair = PATH_COLORS[i % len(PATH_COLORS)]
        a_edges, b_edges = (set(p.edges) for p in m.paths)
        for color, path, other in ((pair[0], m.paths[0], b_edges), (pair[1], m.paths[1], a_edges)):
            for e in path.edges:
                if e not in other and color not in marks.edge_colors.setdefault(e, []):
                    marks.edge_colors[e].append(color)
    return marks


# ---------------------------------------------------------------------------------------------
# The edges drawn, before and after collapsing


@dataclass
class DrawnEdge:
    """An edge of the drawing: ``src -> dst`` (node indices) carrying the original edges
    ``ids`` in order (several after collapsing)."""

    src: int
    dst: int
    ids: list[int]


def elementwise(layer) -> bool:
    """A window layer that keeps every position in place: k=1, s=1, no padding on every axis
    (bn, relu, add, 1x1 convolutions...)."""
    return (layer.kind == "window" and all(k == 1 for k in layer.k) and all(s == 1 for s in layer.s)
            and all(p == 0 for p in layer.p_l) and all(p == 0 for p in layer.p_r))


def collapse_edges(net, layers: Sequence, keep: set[int]) -> tuple[list[DrawnEdge], set[int]]:
    """Fold every elementwise edge ``u -> v`` into the edge before it when ``u`` has one in-edge
    and one out-edge and is not in ``keep``: ``w -> u -> v`` becomes ``w -> v``. Returns the
    edges and the nodes removed. Each resulting edge is one layer followed by elementwise ones,
    so the maps that remain are exactly those where the geometry changes, forks and merges."""
    edges = [DrawnEdge(e.src, e.dst, [e.id]) for e in net.edges]
    into: list[list[int]] = [[] for _ in net.nodes]  # drawn edge indices by target
    out: list[list[int]] = [[] for _ in net.nodes]
    for i, e in enumerate(edges):
        into[e.dst].append(i)
        out[e.src].append(i)
    alive = [True] * len(edges)
    removed: set[int] = set()
    # In topological order of the sources, so a run u1 -> u2 -> ... is folded left to right.
    for i in sorted(range(len(edges)), key=lambda i: edges[i].src):
        e = edges[i]
        u = e.src
        if not alive[i] or u in keep or len(into[u]) != 1 or len(out[u]) != 1:
            continue
        if not all(elementwise(layers[k]) for k in e.ids):
            continue
        j = into[u][0]
        before = edges[j]
        before.ids = before.ids + e.ids
        before.dst = e.dst
        into[e.dst] = [j if k == i else k for k in into[e.dst]]
        into[u], out[u] = [], []
        alive[i] = False
        removed.add(u)
    return [e for i, e in enumerate(edges) if alive[i]], removed


def drawn_edges(net, layers: Sequence, keep: set[int], collapse: bool) -> tuple[list[DrawnEdge], set[int]]:
    """The edges to draw and the nodes left out: every edge as it is, or collapsed."""
    if collapse:
        return collapse_edges(net, layers, keep)
    return [DrawnEdge(e.src, e.dst, [e.id]) for e in net.edges], set()
