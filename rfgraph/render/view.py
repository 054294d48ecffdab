"""What an architecture diagram shows, before any DOT is written: the analysis results it
reads, the nodes and edges drawn (after collapsing), and what is highlighted.

Nothing here computes a receptive field: the numbers come from :func:`rfgraph.analyze` and
:func:`rfgraph.table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis import analyze, hierarchy, table, with_sizes
from ..core.errors import TopologyError
from ..results.report import padding_range
from .witness import COLORS, path_color, path_number, witness_paths

#: The colours of the paths drawn, two by two (the two witness paths of each disagreement
#: when no path is shared between disagreements).
PATH_COLORS = tuple(zip(COLORS[0::2], COLORS[1::2]))


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
    ranges: dict = field(default_factory=dict)  # node index -> phase_ranges, maps seen from the input

    @property
    def mismatches(self) -> list:
        return list(self.result.mismatches) if self.result is not None else []


def diagram_data(G, *, input=None, output=None, input_size=None, from_output: bool = False) -> DiagramData:
    """Load ``G``, resolve its sizes and end-points, and run the analyses a diagram shows."""
    net = with_sizes(G, input_size, input)
    sizes = net.sizes
    x = net.endpoint("input", input)
    try:
        y = net.endpoints(input, output)[1]
    except TopologyError:
        if output is not None or from_output:
            raise
        y = None  # several sinks: draw without the diagnosis
    if from_output:
        rows = table(net, output=net.nodes[y], from_output=True)
    else:
        rows = table(net, net.nodes[x])
    result = analyze(net, net.nodes[x], net.nodes[y]) if y is not None else None
    layer_list = [e.layer for e in net.edges]
    ranges = {} if from_output else {net.index[n]: phase_ranges(row) for n, row in rows.items() if has_phases(row)}
    return DiagramData(net, layer_list, sizes, x, y, rows, result, ranges)


def has_phases(row) -> bool:
    """A table row whose region repeats with a period (upsampling) and is not described by
    one size and one padding: it has ranges."""
    return any(span is not None for span in phase_ranges(row))


def phase_ranges(row) -> list[tuple[tuple, tuple] | None]:
    """Per axis ``((rf_min, rf_max), (padding_min, padding_max))`` of a table row whose
    region repeats with a period (None on an axis with a single value), read from the row
    (``rf_min``/``rf_max`` and the phases' offsets)."""
    out: list[tuple[tuple, tuple] | None] = []
    for a in row.axes:
        data = a.local if a.whole_input is not None and a.local is not None else a
        padding = padding_range(data)
        if data.rf_min is None or padding is None or (data.rf is not None and data.padding is not None):
            out.append(None)
        else:
            out.append(((data.rf_min, data.rf_max), padding))
    return out


@dataclass
class Highlights:
    """Where paths disagree: the merge nodes where a disagreement is born (``warn``), the
    nodes where the witness paths part (``forks``) and the colours of the witness edges."""

    warn: set[int] = field(default_factory=set)
    forks: set[int] = field(default_factory=set)
    edge_colors: dict[int, list[str]] = field(default_factory=dict)


def highlights(net, mismatches: Sequence, witnesses: int) -> Highlights:
    """The highlighted nodes, and the witness paths of the first ``witnesses`` disagreements,
    each in its colour (:mod:`rfgraph.render.witness`), coloured where the two paths of a
    disagreement differ (between the fork and the merge: their common prefix and suffix are
    the same edges and are described in the legend)."""
    marks = Highlights({net.index[m.node] for m in mismatches if m.node in net.index},
                       {net.index[m.fork] for m in mismatches if m.fork in net.index})
    drawn = mismatches[: max(witnesses, 0)]
    paths = witness_paths(drawn)
    for m in drawn:
        a_edges, b_edges = (set(p.edges) for p in m.paths)
        for path, other in ((m.paths[0], b_edges), (m.paths[1], a_edges)):
            color = path_color(path_number(paths, path))
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
    return fold_elementwise([DrawnEdge(e.src, e.dst, [e.id]) for e in net.edges], len(net.nodes), layers, keep)


def fold_elementwise(edges: list[DrawnEdge], n: int, layers: Sequence, keep: set[int]) -> tuple[list[DrawnEdge], set[int]]:
    """:func:`collapse_edges` on any drawing whose ``n`` nodes are numbered in topological
    order (maps, or maps and modules drawn as one node)."""
    into: list[list[int]] = [[] for _ in range(n)]  # drawn edge indices by target
    out: list[list[int]] = [[] for _ in range(n)]
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


# ---------------------------------------------------------------------------------------------
# What is drawn: the maps between the end-points, modules as one node, module boxes


@dataclass
class Box:
    """A node of the drawing: one map, or a module drawn as one node (``group``).

    ``id`` is stable and safe for DOT, SVG and web pages: ``n<i>`` for map ``i`` (its index
    in topological order), ``g<i>`` for a module whose first map is ``i``. ``scope`` lists
    the modules that enclose it (outermost first)."""

    id: str
    name: Any
    nodes: tuple[int, ...]
    group: bool
    scope: tuple[str, ...] = ()


@dataclass
class Cluster:
    """A module drawn as a box around its nodes: ``boxes`` directly inside it, ``parent`` the
    index of the enclosing cluster."""

    id: str
    name: str
    parent: int | None
    boxes: list[int] = field(default_factory=list)


@dataclass
class View:
    """The drawing: its nodes (``boxes``, in topological order), the box of every drawn map,
    the edges between boxes, the boxes folded away by collapsing, and the module clusters."""

    boxes: list[Box]
    box_of: dict[int, int]
    edges: list[DrawnEdge]
    removed: set[int]
    clusters: list[Cluster]

    def indegree(self) -> list[int]:
        counts = [0] * len(self.boxes)
        for e in self.edges:
            counts[e.dst] += 1
        return counts


def crop(net, x: int, y: int | None, input_given: bool, output_given: bool) -> list[bool]:
    """The maps drawn: between a named input and a named output, everything the named input
    reaches, everything that reaches the named output, or the whole graph."""
    if input_given and output_given and y is not None:
        return net.between(x, y)
    if input_given:
        return net.descendants(x)
    if output_given and y is not None:
        return net.ancestors(y)
    return [True] * len(net.nodes)


def make_boxes(net, drawn: Sequence[bool], hier, depth: int | None) -> tuple[list[Box], dict[int, int]]:
    """One box per drawn map, or, at ``depth``, one per module of the hierarchy at that depth
    (a module with a single drawn map is drawn as that map)."""
    if hier is None:
        boxes = [Box(f"n{v}", net.nodes[v], (v,), False) for v in range(len(net.nodes)) if drawn[v]]
    else:
        boxes = []
        for item in hier.items(depth or 0):
            members = tuple(v for v in (net.index[n] for n in item.nodes) if drawn[v])
            if not members:
                continue
            scope = hier.scope(net.nodes[members[0]])
            if item.container and len(members) > 1:
                boxes.append(Box(f"g{members[0]}", item.name, members, True, scope[: scope.index(item.name)]))
            else:
                boxes.extend(Box(f"n{v}", net.nodes[v], (v,), False, hier.scope(net.nodes[v])) for v in members)
    boxes.sort(key=lambda b: b.nodes[0])
    return boxes, {v: i for i, b in enumerate(boxes) for v in b.nodes}


def box_edges(net, box_of: dict[int, int], boxes: Sequence[Box]) -> list[DrawnEdge]:
    """The edges between boxes: each edge between two maps as it is; the edges into or out of
    a module merged, one per pair of boxes (edges inside a module are not drawn)."""
    out: dict[tuple, DrawnEdge] = {}
    for e in net.edges:
        a, b = box_of.get(e.src), box_of.get(e.dst)
        if a is None or b is None or a == b:
            continue
        key = (a, b) if boxes[a].group or boxes[b].group else (a, b, e.id)
        if key in out:
            out[key].ids.append(e.id)
        else:
            out[key] = DrawnEdge(a, b, [e.id])
    return list(out.values())


def make_clusters(hier, boxes: Sequence[Box], removed: set[int], depth: int | None) -> list[Cluster]:
    """The modules drawn as boxes around their nodes: convex modules shallower than ``depth``
    (all of them without a depth) holding at least two drawn nodes, nested as the modules
    are; a module holding exactly what one inner module holds adds nothing and is left out."""
    if hier is None:
        return []
    holds: dict[str, set[int]] = {}
    for i, box in enumerate(boxes):
        if i in removed:
            continue
        for c in box.scope:
            holds.setdefault(c, set()).add(i)
    names = [c for c in hier.containers if c in holds and hier.containers[c].convex and len(holds[c]) > 1
             and (depth is None or hier.containers[c].depth < depth)]
    names = [c for c in names if not any(holds[d] == holds[c] and d.startswith(c + ".") for d in names)]
    clusters: list[Cluster] = []
    index: dict[str, int] = {}
    for c in names:  # outer modules come first
        parent = next((index[p] for p in reversed(list(_ancestors(c))) if p in index), None)
        index[c] = len(clusters)
        clusters.append(Cluster(f"c{len(clusters)}", c, parent))
    for i, box in enumerate(boxes):
        inner = [index[c] for c in box.scope if c in index]
        if i not in removed and inner:
            clusters[inner[-1]].boxes.append(i)
    return clusters


def _ancestors(name: str):
    """``a``, ``a.b`` for ``a.b.c``."""
    parts = name.split(".")
    for k in range(1, len(parts)):
        yield ".".join(parts[:k])


def build_view(data: DiagramData, *, depth: int | None, clusters: bool, collapse: bool, keep: set[int],
               input_given: bool, output_given: bool) -> View:
    """Crop, group by module, join the boxes, collapse, and box the modules."""
    net = data.net
    drawn = crop(net, data.x, data.y, input_given, output_given)
    hier = hierarchy(net) if depth is not None or clusters else None
    boxes, box_of = make_boxes(net, drawn, hier, depth)
    edges = box_edges(net, box_of, boxes)
    removed: set[int] = set()
    if collapse:
        # modules, and maps whose out-edge goes into a module (it would take the module's layers), stay
        keep_boxes = {box_of[v] for v in keep if v in box_of} | {i for i, b in enumerate(boxes) if b.group}
        keep_boxes |= {e.src for e in edges if boxes[e.dst].group}
        edges, removed = fold_elementwise(edges, len(boxes), data.layers, keep_boxes)
    return View(boxes, box_of, edges, removed, make_clusters(hier, boxes, removed, depth) if clusters else [])
