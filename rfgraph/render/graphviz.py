"""Architecture diagrams: the graph drawn with Graphviz, annotated with what rfgraph computes.

:func:`architecture_dot` writes DOT text (no renderer needed): every edge labelled with its
layer (``conv k3 s2 p1``, per axis when the axes differ), every feature map with its receptive
field ``r``, effective stride ``S`` and padding ``P`` seen from the input (or, with
``from_output=True``, those of the output seen from the map), merge nodes (in-degree > 1)
drawn as octagons, and for a misaligned graph the merge nodes where disagreements are born in
red, two witness paths per disagreement in two colours, and a legend saying what differs and
by how many pixels. ``collapse=True`` folds runs of elementwise layers (bn, relu, add, 1x1
convolutions: window layers with k=1, s=1, p=0) into the edge before them, so that every edge
carries at most one layer that changes the geometry; the nodes that remain keep their numbers.

:func:`render` (and :meth:`Diagram.save`) turns the diagram into a file: DOT always; SVG, PNG,
PDF through the system Graphviz ``dot`` program when it is on ``PATH``; SVG without it through
the embedded WebAssembly Graphviz (a dependency; compiling its module takes a second or two on
first use, then it is reused). A
:class:`~rfgraph.errors.RenderError` says what to install when nothing can make the format.

Names are never written into the DOT text as identifiers: nodes are ``n0``, ``n1``, ... and
names only appear inside quoted labels, escaped so that quotes, backslashes (``\\N`` stays
literal), newlines and HTML (``<b>``) show as written and cannot change the diagram.

>>> import rfgraph
>>> from rfgraph.render import architecture_dot
>>> text = architecture_dot(rfgraph.load("graphs/distill_fig1_chain.dot"))
>>> print(text.splitlines()[0])
digraph rfgraph {
>>> 'label="f4\\\\nr 7 · S 4 · P 3\\\\nsize 4"' in text   # name; r, S, P from the input; size
True
>>> 'label="conv k3 s2 p1"' in text
True
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import RenderError, RFGraphError, already_exists
from ..core.jsontext import int_text
from ..io.safe_write import write_bytes
from ..results import text
from .engines import SUFFIX_FORMATS, embedded_available, format_for, render_dot, system_dot  # noqa: F401
from .text import (axes_text, dot_attrs, geometry_text, joined, label_text, left_text, quote,  # noqa: F401
                   short_path, size_text, value_text, visible)
from .witness import path_color, path_name, path_number, witness_paths
from .view import (PATH_COLORS, DiagramData, DrawnEdge, Highlights, View, build_view, collapse_edges,  # noqa: F401
                   diagram_data, elementwise, highlights)

WARN_COLOR = "#c0392b"  # border of the merge nodes where a disagreement is born
WARN_FILL = "#fadbd8"
ENDPOINT_FILL = "#e3edf7"  # input and output
WHOLE_FILL = "#eeeeee"  # maps that depend on the whole input
MODULE_FILL = "#fff7e0"  # a module drawn as one node
CLUSTER_FILLS = ("#f4f7fb", "#eaf0f7", "#e0e8f2")  # module boxes, darker when nested deeper
CLUSTER_STYLE = {"style": "rounded,filled", "color": "#b8c4d6", "fontsize": "10", "labeljust": "l",
                 "fontcolor": "#44546a", "penwidth": "1"}
# Arial, not Helvetica: Graphviz maps the PostScript name Helvetica to the generic sans font
# (DejaVu Sans on Linux), whose underscores then cross the next line of a label in PNGs; Arial
# reaches a metric-compatible font (Liberation Sans) and keeps the same size estimates in the
# embedded renderer, which has no fonts.
FONT = "Arial"
RANKDIRS = ("TB", "LR", "BT", "RL")

#: Diagrams with more edges than this are laid out in the quick mode (see ``quick``).
QUICK_EDGES = 300


def architecture_dot(G, *, input=None, output=None, input_size=None, from_output: bool = False,
                     collapse: bool = False, depth: int | None = None, clusters: bool = True,
                     rankdir: str = "TB", legend: bool = True, sizes: bool = True, witnesses: int = 2,
                     keep: Iterable = (), title: str | None = None, quick: bool | None = None) -> str:
    """DOT text of the annotated architecture of ``G`` (a Network, networkx graph or file).

    - ``input``/``output``: end-points (default: the graph's attributes, else the unique
      source/sink); the output is only needed for the misalignment diagnosis (and for
      ``from_output``), so graphs with several sinks still draw. Naming either crops the
      drawing: to the maps between them, to what a named input reaches, or to what reaches a
      named output.
    - ``input_size`` (default: the graph attribute): resolves SAME padding and shows each
      map's size (``sizes=False`` hides the sizes).
    - ``from_output``: label maps with the output seen from them (``rfgraph.table(..., from_output=True)``)
      instead of the map seen from the input (``rfgraph.table``).
    - ``collapse``: fold runs of elementwise layers (see :func:`collapse_edges`); ``keep``
      names nodes that must stay.
    - ``depth``: draw each module of the hierarchy in the node names
      (:mod:`rfgraph.passes.hierarchy`) at this depth as one node (1: stages such as ``layer3``,
      2: blocks such as ``layer3.2``) labelled with its number of layers and r, S, P at its
      input and its output.
    - ``clusters``: draw the enclosing modules as boxes around their maps.
    - ``rankdir``: ``TB`` (top to bottom) or ``LR`` (left to right; ``BT``, ``RL`` too).
    - ``witnesses``: draw the two witness paths of at most this many disagreements (all
      disagreements are listed in the legend and their merge nodes drawn in red).
    - ``quick``: a layout Graphviz finishes in seconds on dense graphs (DenseNet's
      concatenations: minutes otherwise): edge labels as ``xlabel`` (placed after the layout),
      polyline edges, fewer crossing-reduction passes, and no labels on the purely elementwise
      edges into merges (``concat``, ``add``: the octagon says it). Default: when the diagram
      has more than :data:`QUICK_EDGES` edges.

    Nodes are ``n<i>`` (map ``i`` in topological order) and ``g<i>`` (a module whose first map
    is ``i``), with the same ``id`` and a ``class`` (``map``/``module``, ``input``,
    ``output``, ``merge``, ``mismatch``...) that web pages can select; module boxes are
    clusters ``c<k>`` of class ``module``.

    >>> import rfgraph
    >>> dot = architecture_dot(rfgraph.load("graphs/distill_fig4_misaligned.dot"))
    >>> "strides 2 and 1" in dot and f'color="{WARN_COLOR}"' in dot
    True
    >>> dot = architecture_dot(rfgraph.load("graphs/resnet50.dot"), depth=1)
    >>> 'label="layer2\\\\n46 layers\\\\nin: r 35 · S 4 · P 17\\\\nout: r 91 · S 8 · P 45\\\\nsize 28×28"' in dot
    True
    """
    return _build(G, input=input, output=output, input_size=input_size, from_output=from_output,
                  collapse=collapse, depth=depth, clusters=clusters, rankdir=rankdir, legend=legend,
                  sizes=sizes, witnesses=witnesses, keep=keep, title=title, quick=quick)[0]


def _build(G, *, input, output, input_size, from_output: bool, collapse: bool, depth: int | None,
           clusters: bool, rankdir: str, legend: bool, sizes: bool, witnesses: int, keep: Iterable,
           title: str | None, quick: bool | None) -> tuple[str, View]:
    """The DOT text and the view it draws."""
    rankdir = _check_rankdir(rankdir)
    depth = _check_depth(depth)
    data = diagram_data(G, input=input, output=output, input_size=input_size, from_output=from_output)
    net, x, y = data.net, data.x, data.y
    marks = highlights(net, data.mismatches, witnesses)
    protected = {x} | ({y} if y is not None else set()) | marks.warn | marks.forks
    protected |= {net.node_index(n) for n in keep}
    view = build_view(data, depth=depth, clusters=clusters, collapse=collapse, keep=protected,
                      input_given=input is not None, output_given=output is not None)
    indegree = view.indegree()
    if quick is None:
        quick = len(view.edges) > QUICK_EDGES
    statements = {i: f"{box.id} [{dot_attrs(_box_attrs(data, view, i, indegree[i] > 1, marks, sizes))}];\n"
                  for i, box in enumerate(view.boxes) if i not in view.removed}
    out = ["digraph rfgraph {\n", *_defaults(rankdir, quick), *_clustered(view, statements)]
    for e in view.edges:
        attrs = _edge_attrs(data, view, e, indegree[e.dst] > 1, marks, quick)
        out.append(f"  {view.boxes[e.src].id} -> {view.boxes[e.dst].id} [{dot_attrs(attrs)}];\n")
    if legend:
        out.extend(_legend(data, witnesses, from_output, collapse, title, rankdir, any(d > 1 for d in indegree),
                           any(b.group for b in view.boxes)))
    out.append("}\n")
    return "".join(out), view


def _check_depth(depth: int | None) -> int | None:
    if depth is None:
        return None
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise RFGraphError(f"depth {depth!r}: give a module depth of 1 or more (1: stages, 2: blocks)")
    return depth


def _clustered(view: View, statements: dict[int, str]) -> list[str]:
    """The node statements, those of each module inside its cluster (nested as the modules)."""
    inside = {i for c in view.clusters for i in c.boxes}
    out = [f"  {statements[i]}" for i in sorted(statements) if i not in inside]
    children: dict[int | None, list[int]] = {}
    for k, c in enumerate(view.clusters):
        children.setdefault(c.parent, []).append(k)

    def emit(k: int, indent: str) -> None:
        c = view.clusters[k]
        attrs = {"id": c.id, "class": "module", "label": label_text([c.name]), **CLUSTER_STYLE,
                 "fillcolor": CLUSTER_FILLS[c.name.count(".") % len(CLUSTER_FILLS)]}
        out.append(f"{indent}subgraph cluster_{c.id} {{\n{indent}  graph [{dot_attrs(attrs)}];\n")
        out.extend(f"{indent}  {statements[i]}" for i in c.boxes if i in statements)
        for child in children.get(k, ()):
            emit(child, indent + "  ")
        out.append(f"{indent}}}\n")

    for k in children.get(None, ()):
        emit(k, "  ")
    return out


def _check_rankdir(rankdir: str) -> str:
    rankdir = str(rankdir).upper()
    if rankdir not in RANKDIRS:
        raise RFGraphError(f"rankdir {rankdir!r}: use one of {', '.join(RANKDIRS)}")
    return rankdir


def _defaults(rankdir: str, quick: bool) -> list[str]:
    """The graph, node and edge defaults; the quick layout's settings."""
    graph_attrs = {"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35",
                   "newrank": "true"}
    if quick:
        graph_attrs.update(splines="polyline", mclimit="0.1", nslimit="1", nslimit1="1",
                           remincross="false", forcelabels="false")
    node = {"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled",
            "fillcolor": "white", "margin": "0.12,0.04", "height": "0.3"}
    edge = {"fontname": FONT, "fontsize": "9", "color": "#555555", "fontcolor": "#333333", "arrowsize": "0.6"}
    return [f"  graph [{dot_attrs(graph_attrs)}];\n", f"  node [{dot_attrs(node)}];\n",
            f"  edge [{dot_attrs(edge)}];\n"]


def _box_attrs(data: DiagramData, view: View, i: int, merge: bool, marks: Highlights, sizes: bool) -> dict[str, Any]:
    """A drawn node's attributes: a map, or a module drawn as one node; its stable ``id``."""
    box = view.boxes[i]
    if box.group:
        attrs = _module_attrs(data, view, box, sizes)
    else:
        attrs = _node_attrs(data, box.nodes[0], merge, marks, sizes)
        attrs["class"] = " ".join(["map"] + ([attrs["class"]] if attrs.get("class") else []))
    return {"id": box.id, **attrs}


def _node_attrs(data: DiagramData, v: int, merge: bool, marks: Highlights, sizes: bool) -> dict[str, Any]:
    """A map's label (name, r S P, size), shape and colours, and its classes (for web pages)."""
    name = data.net.nodes[v]
    row = data.table.get(name)
    lines = [name]
    attrs: dict[str, Any] = {}
    classes = []
    if row is not None:
        lines.append(axes_text(row.axes, data.ranges.get(v)))
        if all(a.whole_input is not None for a in row.axes):
            attrs["fillcolor"] = WHOLE_FILL
            classes.append("whole")
    else:
        attrs.update(fontcolor="#888888", color="#aaaaaa", style="rounded,dashed,filled")
        classes.append("unreached")
    if sizes and name in data.sizes:
        lines.append(size_text(data.sizes[name]))
    if merge:
        attrs["shape"] = "octagon"
        attrs["style"] = "filled"
        classes.append("merge")
    if v == data.x or v == data.y:
        attrs["fillcolor"] = ENDPOINT_FILL
        attrs["penwidth"] = "1.6"
        classes.append("input" if v == data.x else "output")
    if v in marks.forks:
        classes.append("fork")
    if v in marks.warn:
        attrs.update(fillcolor=WARN_FILL, color=WARN_COLOR, penwidth="2.4", fontcolor="#7b241c")
        classes.append("mismatch")
    attrs["class"] = " ".join(classes) if classes else None
    attrs["label"] = label_text(lines)
    return attrs


def _module_attrs(data: DiagramData, view: View, box, sizes: bool) -> dict[str, Any]:
    """A module drawn as one node: its name, number of layers, r, S, P of the map that feeds it
    and of the map it gives (from the per-node table), and that map's size."""
    net = data.net
    members = set(box.nodes)
    layers = sum(1 for v in box.nodes for e in net.in_edges[v] if net.edges[e].src in view.box_of)
    sources = sorted({net.edges[e].src for v in box.nodes for e in net.in_edges[v]
                      if net.edges[e].src not in members and net.edges[e].src in view.box_of})
    outputs = [v for v in box.nodes if v == data.y or not net.out_edges[v]
               or any(net.edges[e].dst not in members for e in net.out_edges[v])]
    lines = [box.name, f"{layers} layer{'s' if layers != 1 else ''}"]
    lines.append("in: " + _maps_text(data, sources))
    lines.append("out: " + _maps_text(data, outputs))
    last = net.nodes[outputs[-1]] if outputs else None
    if sizes and last in data.sizes:
        lines.append(size_text(data.sizes[last]))
    classes = ["module"] + [c for v, c in ((data.x, "input"), (data.y, "output")) if v in members]
    attrs: dict[str, Any] = {"shape": "box", "peripheries": "2", "style": "filled", "fillcolor": MODULE_FILL,
                             "class": " ".join(classes), "label": label_text(lines)}
    if any(v in (data.x, data.y) for v in members):
        attrs.update(fillcolor=ENDPOINT_FILL, penwidth="1.6")
    return attrs


def _maps_text(data: DiagramData, maps: Sequence[int]) -> str:
    """r, S, P of some maps: the values when they agree (or there is one), else how many."""
    texts = {axes_text(data.table[data.net.nodes[v]].axes) for v in maps if data.net.nodes[v] in data.table}
    if not maps:
        return "-"
    if len(texts) == 1:
        return texts.pop()
    return f"{len(maps)} maps" if texts else "not reached"


def _edge_attrs(data: DiagramData, view: View, e: DrawnEdge, into_merge: bool, marks: Highlights,
                quick: bool) -> dict[str, Any]:
    """An edge's label (its layers; none into a module, whose node stands for them), and its
    colours where it is on a witness path."""
    layers = data.layers
    if view.boxes[e.dst].group or (quick and into_merge and all(elementwise(layers[i]) for i in e.ids)):
        attrs: dict[str, Any] = {}  # quick mode: "concat" or "add" on every edge into a merge is only clutter
    else:
        attrs = {"xlabel" if quick else "label": label_text([_layers_text(layers, e.ids, view.boxes[e.src].group)])}
    colors: list[str] = []
    for i in e.ids:
        for c in marks.edge_colors.get(i, ()):
            if c not in colors:
                colors.append(c)
    if colors:
        attrs.update(color=":".join(colors), penwidth="2.2", fontcolor=colors[0], **{"class": "witness"})
    if layers[e.ids[0]].kind == "whole":
        attrs["style"] = "dashed"
    return attrs


def _layers_text(layers: Sequence, ids: Sequence[int], parallel: bool) -> str:
    """``conv k3, bn, relu`` for a chain of layers; ``concat ×3`` for parallel edges out of a
    module."""
    labels = [layers[i].label() for i in ids]
    if not parallel:
        return ", ".join(labels)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(label + (f" ×{n}" if n > 1 else "") for label, n in counts.items())


# ---------------------------------------------------------------------------------------------
# The legend


def _legend(data: DiagramData, witnesses: int, from_output: bool, collapse: bool, title: str | None,
            rankdir: str, has_merge: bool, has_modules: bool = False) -> list[str]:
    """The summary as the graph's label and a coloured key per witness path drawn."""
    mismatches = data.mismatches
    paths = witness_paths(mismatches[: max(witnesses, 0)])
    lines = (_summary_lines(data, from_output, title) + _key_lines(collapse, has_merge, has_modules)
             + _mismatch_lines(mismatches, paths))
    label = {"label": left_text(lines), "labelloc": "t", "labeljust": "l", "fontsize": "10"}
    items = [f"  graph [{dot_attrs(label)}];\n"]
    keys = _path_keys(mismatches, paths)
    if keys:
        items.extend(_keys_in_rows(keys) if rankdir in ("TB", "BT") else _keys_in_column(keys))
    return items


def _summary_lines(data: DiagramData, from_output: bool, title: str | None) -> list[str]:
    """The title, what the maps' numbers mean, and the input-output result."""
    net, result = data.net, data.result
    lines = []
    head = title if title is not None else (net.name or (os.path.basename(net.source) if net.source else None))
    if head:
        lines.append(str(head))
    if from_output:
        lines.append(f"maps: r, S, P of the output {visible(net.nodes[data.y])} seen from the map")
    else:
        lines.append(f"maps: r, S, P seen from the input {visible(net.nodes[data.x])}")
    if result is None:
        return lines
    axes = result.axes
    status = {True: "aligned", False: "NOT aligned", None: "alignment unknown"}[result.aligned]
    paths = f"{_count(result.paths)} path{'s' if result.paths != 1 else ''}"
    lines.append(f"{visible(result.input)} → {visible(result.output)}: {paths}, {status}")
    if all(a.whole_input is not None for a in axes):
        lines.append("every output depends on the whole input")
    elif all(a.rf is not None for a in axes):
        padding = joined([text(a.padding) if a.padding is not None else "?" for a in axes])
        lines.append(f"rf {value_text([a.rf for a in axes])}, stride {value_text([a.stride for a in axes])}, "
                     f"padding {padding}")
    lines.extend(sorted({a.reason for a in axes if a.reason})[:2])
    return lines


def _key_lines(collapse: bool, has_merge: bool, has_modules: bool = False) -> list[str]:
    """What the shapes mean."""
    keys = (["octagon: merge (in-degree > 1)"] if has_merge else []) + (
        ["collapsed: each edge lists its layers"] if collapse else [])
    lines = ["; ".join(keys)] if keys else []
    if has_modules:
        lines.append("double box: a module drawn as one node, r, S, P of the map into it (in) and out of it (out)")
    return lines


def _count(n: int) -> str:
    """A path count for a legend: its digits, or beyond 15 of them the power of ten (a DAG of
    10^5 maps has 10^300 paths and more, more digits than ``str`` writes by default).

    >>> _count(1234), _count(2 ** 1000)
    ('1234', 'about 1.07×10^301')
    """
    digits = int_text(n)
    return digits if len(digits) <= 15 else f"about {digits[0]}.{digits[1:3]}×10^{len(digits) - 1}"


def _mismatch_lines(mismatches: Sequence, paths: Sequence) -> list[str]:
    """One line per disagreement (at most six): where, along which axes, what differs, naming
    the paths drawn as in their keys (``path ①``)."""
    if not mismatches:
        return []
    lines = [f"red: where paths that disagree meet ({len(mismatches)})"]
    for m in mismatches[:6]:
        numbers = [path_number(paths, p) if tuple(p.edges) in {tuple(q.edges) for q in paths} else None
                   for p in m.paths]
        first, second = (("one path", "the other") if None in numbers else
                         (path_name(numbers[0]), path_name(numbers[1])))
        if m.kind == "stride":
            what = (f"strides {text(m.paths[0].geometry.stride)} and {text(m.paths[1].geometry.stride)}; centre of "
                    f"{first} minus {second}: {text(m.offset)} px at output 0, {text(m.drift)} px more per output")
        else:
            what = f"centre of {first} minus {second}: {text(m.offset)} px"
        axes = ",".join(map(str, m.axes))
        lines.append(f"misaligned at {visible(m.node)} (axis {axes}, {m.kind}): {what}")
    if len(mismatches) > 6:
        lines.append(f"... and {len(mismatches) - 6} more disagreements")
    return lines


def _path_keys(mismatches: Sequence, paths: Sequence) -> list[tuple[str, str, str]]:
    """(key node, colour, description) of every witness path drawn: its name, the part drawn
    in colour (from the fork to the merge of its first disagreement) and its r, S, P."""
    keys = []
    for k, path in enumerate(paths):
        m = next(m for m in mismatches if any(tuple(p.edges) == tuple(path.edges) for p in m.paths))
        desc = (f"{path_name(k)}: {short_path(_segment(path.nodes, m.fork, m.node), 4)} "
                f"({geometry_text(path.geometry)})")
        keys.append((f"legend_{k}", path_color(k), desc))
    return keys


_KEY_TEXT = {"shape": "plaintext", "style": "", "fontsize": "10", "class": "legend-path", "margin": "0.05,0"}


def _keys_in_rows(keys: list[tuple[str, str, str]]) -> list[str]:
    """Top to bottom: a coloured line and its text, two keys side by side in each row."""
    point = {"shape": "point", "width": "0.01", "style": "invis"}
    items = []
    for i in range(0, len(keys), 2):
        items.append(f"  subgraph legend_paths_{i // 2} {{\n    rank=same;\n")
        for key, color, desc in keys[i: i + 2]:
            items.append(f"    {key}0 [{dot_attrs(point)}]; "
                         f"{key}1 [{dot_attrs({**_KEY_TEXT, 'fontcolor': color, 'label': label_text([desc])})}];\n")
            edge = {"color": color, "penwidth": "3", "arrowhead": "none", "minlen": "2", "class": "legend-path"}
            items.append(f"    {key}0 -> {key}1 [{dot_attrs(edge)}];\n")
        items.append("  }\n")
        if i:
            items.append(f"  {keys[i - 2][0]}0 -> {keys[i][0]}0 [style=invis];\n")
    return items


def _keys_in_column(keys: list[tuple[str, str, str]]) -> list[str]:
    """Left to right: one column of coloured keys before the input (a line per key would take
    a rank of its own and push the graph apart)."""
    items = ["  subgraph legend_paths {\n    rank=min;\n"]
    width = max(len(desc) for _, _, desc in keys) * 0.075 + 0.4  # equal widths: aligned left
    for key, color, desc in reversed(keys):  # dot stacks a rank's nodes bottom to top here
        label = left_text(["—— " + desc])
        items.append(f"    {key} [{dot_attrs({**_KEY_TEXT, 'fontcolor': color, 'label': label, 'width': f'{width:.2f}'})}];\n")
    items.append("  }\n")
    return items


def _segment(nodes: Sequence[Any], fork: Any, node: Any) -> Sequence[Any]:
    """The part of a witness path from the fork to the merge node (the part drawn in colour)."""
    try:
        i = list(nodes).index(fork)
        j = list(nodes).index(node, i)
    except ValueError:
        return nodes
    return nodes[i : j + 1]


# ---------------------------------------------------------------------------------------------
# Public objects


@dataclass(frozen=True, eq=False)
class Diagram:
    """An architecture diagram: DOT text that shows itself as SVG in Jupyter.

    >>> import rfgraph
    >>> d = diagram(rfgraph.load("graphs/distill_fig5_aligned.dot"))
    >>> d.dot.startswith("digraph rfgraph {")
    True
    >>> d
    Diagram(5 nodes, 5 edges)
    >>> d.ids["n0"], d.ids["n4"]     # the SVG's element ids, and what each stands for
    ('x', 'y')
    """

    dot: str
    nodes: int = 0
    edges: int = 0
    _svg: dict = field(default_factory=dict, repr=False)
    #: element id in the DOT and SVG -> the map's name, or the module's name (``g<i>``, ``c<k>``)
    ids: dict = field(default_factory=dict, repr=False)

    def svg(self, renderer: str = "auto") -> str:
        """The diagram as SVG text (rendered once, then cached)."""
        if renderer not in self._svg:
            self._svg[renderer] = render_dot(self.dot, "svg", renderer=renderer).decode("utf-8")
        return self._svg[renderer]

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except RenderError:
            return None  # _repr_html_ says why

    def _repr_html_(self) -> str | None:
        """In Jupyter: nothing when the SVG renders (it shows), else why it cannot, and what
        still works, instead of a bare repr."""
        try:
            self.svg()
        except RenderError as exc:
            return (f"<div style='font-family: sans-serif'><b>{html.escape(repr(self))}</b>: the diagram "
                    f"cannot be drawn here: {html.escape(str(exc))}<br>Its DOT text is "
                    "<code>.dot</code>; <code>.save('diagram.dot')</code> writes it.</div>")
        return None

    def save(self, path: str | os.PathLike, format: str | None = None, *, overwrite: bool = False,
             renderer: str = "auto", dpi: float | None = None) -> Path:
        """Write the diagram to ``path`` (format from the suffix unless given; ``dpi``: the
        resolution of PNG and JPEG images); refuses to replace an existing file unless
        ``overwrite``."""
        fmt = format_for(path, format)
        _refuse_existing(path, overwrite)
        if fmt == "svg":
            data = self.svg(renderer).encode("utf-8")
        else:
            data = render_dot(self.dot, fmt, renderer=renderer, dpi=dpi)
        return write_bytes(path, data, overwrite=overwrite)

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        return f"Diagram({self.nodes} nodes, {self.edges} edges)"


def _refuse_existing(path: str | os.PathLike, overwrite: bool) -> None:
    """Fail before any work when the target exists (write_bytes checks again, atomically)."""
    if not overwrite and Path(path).exists() and not Path(path).is_dir():
        raise already_exists(path)


def diagram(G, **options: Any) -> Diagram:
    """The :class:`Diagram` of ``G``; ``options`` as for :func:`architecture_dot`.

    >>> import rfgraph
    >>> d = diagram(rfgraph.load("graphs/resnet50.dot"), depth=1, collapse=True)
    >>> d, d.ids["g37"]
    (Diagram(10 nodes, 9 edges), 'layer2')
    """
    defaults = dict(input=None, output=None, input_size=None, from_output=False, collapse=False, depth=None,
                    clusters=True, rankdir="TB", legend=True, sizes=True, witnesses=2, keep=(), title=None,
                    quick=None)
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise TypeError(f"diagram() got unexpected options: {', '.join(unknown)}")
    dot, view = _build(G, **{**defaults, **options})
    ids = {box.id: box.name for i, box in enumerate(view.boxes) if i not in view.removed}
    ids.update({c.id: c.name for c in view.clusters})
    return Diagram(dot, len(view.boxes) - len(view.removed), len(view.edges), ids=ids)


def render(G, path: str | os.PathLike, format: str | None = None, *, overwrite: bool = False,
           renderer: str = "auto", dpi: float | None = None, **options: Any) -> Path:
    """Draw ``G`` to ``path``: ``.dot``/``.gv`` (always), ``.svg`` (system Graphviz, else the
    embedded one), ``.png``/``.pdf`` (system Graphviz; ``dpi`` sets the resolution of PNG).
    ``options`` as for :func:`architecture_dot` (``collapse=True``, ``depth=1``,
    ``rankdir="LR"``, ``from_output=True``...). Returns the path written; refuses to replace a
    file unless ``overwrite``."""
    fmt = format_for(path, format)
    _refuse_existing(path, overwrite)
    return diagram(G, **options).save(path, fmt, overwrite=overwrite, renderer=renderer, dpi=dpi)
