"""The region plot: one row of cells per feature map along one axis, the input at the bottom and
the output at the top (as in the first figure of Araujo et al., Distill 2019), with the cells
that one output feature depends on coloured in every map, padding cells hatched, and for a
misaligned graph one colour per path (a cell split in stripes when several paths reach it).

The cells come from :func:`rfgraph.footprints`; nothing here computes a receptive
field. Steps, one function each: the data (:func:`region_data`), which maps get a row
(:func:`choose_rows`), which cells of each row (:func:`row_span`), the layout
(:class:`RegionLayout`), the drawing of a row (:func:`draw_row`), the title and the legend.

>>> import rfgraph
>>> fig = plot_region(rfgraph.load("graphs/distill_fig1_chain.dot"), at=1)
>>> fig.axes[0].get_title()
'f4[1] along axis 0: input f0[1..7], 7 pixels'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.errors import AttributeValueError, RFGraphError, worded
from ..analysis import analyze, footprints, infer_shapes, iter_paths, path_of
from ..results import text
from .figures import COLORS, finish, name, new_figure, refuse_existing
from .text import short_path
from .view import collapse_edges
from .witness import differing_part, path_color, path_name, witness_paths

UNION_FILL = "#fde6c4"  # reached by some path not drawn on its own
PAD_FILL = "#e4e4e4"
CELL_EDGE = "#9a9a9a"
CELL = 0.86  # side of a cell (a row is 1 data unit per position)
GAP = 1.9  # distance between rows


def plot_region(G, at: int | None = None, *, axis: int = 0, input_size: Any = None, input=None,
                output=None, by_path: bool | None = None, max_paths: int = 4,
                nodes: Sequence | None = None, max_rows: int = 40, max_cells: int = 64,
                title: str | None = None, path: str | os.PathLike | None = None,
                overwrite: bool = False):
    """The cells of every feature map that output feature ``at`` depends on, along ``axis``.

    One row per map between the input (bottom) and the output (top), in topological order;
    each map's cells are centred, with the padding that the layers reading it add hatched at
    its ends. Needs an input size (``input_size`` or the graph attribute). ``at`` defaults to
    the middle output feature.

    - ``by_path``: colour each input-to-output path separately (default: when the graph is
      misaligned); the witness paths of the diagnosis come first, at most ``max_paths``.
    - ``nodes``: the maps to draw (default: every map on a path from input to output). When
      there are more than ``max_rows``, maps reached through a single elementwise layer are
      left out (they look like the map before them); if that is not enough, an error asks
      for ``nodes``.
    - Rows longer than ``max_cells`` cells are cropped around the coloured cells (marked
      ``…``); if the coloured cells alone are longer, an error asks for a smaller input.

    >>> import rfgraph
    >>> fig = plot_region(rfgraph.load("graphs/distill_fig4_misaligned.dot"), at=1)
    >>> [t.get_text() for t in fig.legends[0].get_texts()][:2]
    ['path ①: x → a → y (r 5, S 2, P 2)', 'path ②: x → b → c → y (r 5, S 1, P 0)']
    """
    refuse_existing(path, overwrite)
    data = region_data(G, at, axis=axis, input_size=input_size, input=input, output=output,
                       by_path=by_path, max_paths=max_paths)
    rows, chains = choose_rows(data, nodes, max_rows)
    spans = {v: row_span(data, v, max_cells) for v in rows}
    labels = in_labels(data, rows, chains, chosen=nodes is not None)
    layout = RegionLayout.fit(data, rows, spans, labels)
    fig, ax = layout.figure(len(data.series))
    for r, v in enumerate(rows):
        draw_row(ax, data, v, r * GAP, spans[v], layout, labels[v])
    ax.set_title(title if title is not None else region_title(data), fontsize=10)
    region_legend(fig, data, rows)
    return finish(fig, path, overwrite)


# ---------------------------------------------------------------------------------------------
# Data


@dataclass
class Series:
    """Cells drawn in one colour: the footprints of one path (or of all of them)."""

    label: str
    color: str
    footprints: dict


@dataclass
class RegionData:
    """What a region plot shows: the network with its resolved layers, the end-points, the
    output position ``j`` along ``axis``, every map's length along it, the footprints of all
    paths (``union``) and the coloured series."""

    net: Any
    layers: Sequence
    x: int
    y: int
    j: int
    axis: int
    size: dict[int, int]
    union: dict
    series: list[Series]
    by_path: bool
    within: list[bool]  # maps on a path from the input to the output

    def positions(self, v: int, footprints: dict | None = None) -> set[int]:
        """The positions of map ``v`` in ``footprints`` (default: all paths)."""
        fps = self.union if footprints is None else footprints
        fp = fps.get(self.net.nodes[v])
        return {int(p) for p in fp.positions} if fp is not None else set()


def region_data(G, at: int | None, *, axis: int, input_size: Any, input, output, by_path: bool | None,
                max_paths: int) -> RegionData:
    """Sizes, end-points and footprints (one series per path when ``by_path``)."""
    net = infer_shapes(G, input_size, input)
    layers = [e.layer for e in net.edges]
    x, y = net.endpoints(input, output)
    if not 0 <= axis < net.ndim:
        raise AttributeValueError(f"axis {axis}: the graph has {net.ndim} axis{'es' if net.ndim > 1 else ''}")
    size = {v: n[axis] for v, n in enumerate(net.lengths) if n is not None}
    n_out = size[y]
    j = (n_out - 1) // 2 if at is None else int(at)
    if not 0 <= j < n_out:
        raise AttributeValueError(f"output position {at}: the output {name(net.nodes[y])} has {n_out} positions along axis {axis}")
    ends = dict(input=net.nodes[x], output=net.nodes[y])
    union = footprints(net, j, axis, **ends)
    result = analyze(net, net.nodes[x], net.nodes[y])
    if by_path is None:
        by_path = result.aligned is False and result.paths > 1
    if by_path:
        series = [Series(label, path_color(i), footprints(net, j, axis, edges=edges, **ends))
                  for i, (label, edges) in enumerate(_path_series(net, x, y, axis, result, max_paths))]
    else:
        series = [Series("region of the output feature", COLORS[0], union)]
    return RegionData(net, layers, x, y, j, axis, size, union, series, by_path, net.between(x, y))


def _path_series(net, x: int, y: int, axis: int, result, max_paths: int) -> list[tuple[str, tuple[int, ...]]]:
    """(legend label, edges) of the paths drawn on their own: the witnesses of the
    disagreements first (numbered as in the diagrams), then others in enumeration order, at
    most ``max_paths``; each label shows where the paths differ, not what they share."""
    chosen = [tuple(w.edges) for w in witness_paths(result.mismatches)]
    for p in iter_paths(net, net.nodes[x], net.nodes[y]):
        if len(chosen) >= max_paths:
            break
        if p.edges not in chosen:
            chosen.append(p.edges)
    paths = [path_of(net, net.nodes[x], edges) for edges in chosen[:max_paths]]
    parts = differing_part([p.nodes for p in paths])
    out = []
    for i, (p, nodes) in enumerate(zip(paths, parts)):
        g = p.geometry[axis]
        out.append((f"{path_name(i)}: {short_path(nodes, 12)} (r {text(g.rf)}, S {text(g.stride)}, P {text(g.padding)})",
                    tuple(p.edges)))
    return out


# ---------------------------------------------------------------------------------------------
# Rows and cells


def choose_rows(data: RegionData, nodes: Sequence | None, max_rows: int) -> tuple[list[int], set | None]:
    """The maps that get a row, input first, and (when elementwise maps were left out) the
    collapsed edges ``(src, dst, ids)`` that join the rows."""
    net, x, y = data.net, data.x, data.y
    chains = None
    if nodes is not None:
        rows = sorted({net.node_index(n) for n in nodes} | {x, y})
    else:
        rows = [v for v in range(x, y + 1) if data.within[v]]
        if len(rows) > max_rows:  # as the diagrams' collapse: keep the maps before a change
            collapsed, removed = collapse_edges(net, data.layers, {x, y})
            rows = [v for v in rows if v not in removed]
            chains = {(e.src, e.dst, tuple(e.ids)) for e in collapsed}
    if len(rows) > max_rows:
        raise RFGraphError(**worded(f"{len(rows)} feature maps between {name(net.nodes[x])} and "
                                    f"{name(net.nodes[y])}: too many to draw (at most {max_rows}); choose some "
                                    "with {nodes} or allow more with {rows}",
                                    nodes=("nodes=[...]", "--nodes A,B,C"), rows=("max_rows=...", "--max-rows N")))
    return rows, chains


@dataclass(frozen=True)
class Span:
    """The cells of one row: the map's length ``n``, the extent ``lo..hi`` (padding and
    reached positions included) and the part drawn ``cut_lo..cut_hi``."""

    n: int
    lo: int
    hi: int
    cut_lo: int
    cut_hi: int


def row_span(data: RegionData, v: int, max_cells: int) -> Span:
    """The cells of map ``v``: the map, the padding of the layers that read it, what is
    reached; cropped around the reached cells when longer than ``max_cells``."""
    net, layers, axis, within = data.net, data.layers, data.axis, data.within
    n = data.size[v]
    pl = pr = 0
    for e in net.out_edges[v]:
        if within[net.edges[e].dst] and layers[e].kind == "window":  # the layers reading v
            pl = max(pl, layers[e].p_l[axis] or 0)
            pr = max(pr, layers[e].p_r[axis] or 0)
    reached = data.positions(v)
    lo = min([-pl] + list(reached))
    hi = max([n - 1 + pr] + list(reached))
    cut_lo, cut_hi = lo, hi
    if hi - lo + 1 > max_cells:
        if reached:
            cut_lo = max(lo, min(reached) - 2)
            cut_hi = min(hi, max(reached) + 2)
        else:
            cut_lo, cut_hi = lo, lo + max_cells - 1
        if cut_hi - cut_lo + 1 > max_cells:
            raise RFGraphError(**worded(
                f"the region of {name(net.nodes[data.y])}[{data.j}] spans {max(reached) - min(reached) + 1} cells of "
                f"{name(net.nodes[v])} along axis {axis}: too many to draw (at most {max_cells}); "
                "allow more with {cells} or use a smaller input size ({size})",
                cells=("max_cells=...", "--max-cells N"), size=("input_size=...", "--input-size N")))
    return Span(n, lo, hi, cut_lo, cut_hi)


def in_labels(data: RegionData, rows: Sequence[int], chains: set | None, chosen: bool) -> dict[int, str]:
    """Per row, the layers that make the map and where they come from (``conv k3 ← a``)."""
    net, layers, within = data.net, data.layers, data.within
    if chains is None:
        chains = {(e.src, e.dst, (e.id,)) for e in net.edges}
    incoming: dict[int, list] = {}
    for src, dst, ids in sorted(chains, key=lambda c: c[2]):
        incoming.setdefault(dst, []).append((src, ids))
    labels = {}
    for v in rows:
        parts = [f"{', '.join(layers[e].label() for e in ids)} ← {name(net.nodes[u])}"
                 for u, ids in incoming.get(v, ()) if within[u] or chosen]
        labels[v] = "; ".join(parts[:3]) + (" ..." if len(parts) > 3 else "")
    return labels


# ---------------------------------------------------------------------------------------------
# Layout and drawing


@dataclass
class RegionLayout:
    """Where things go, in data units (one cell = 1): each row's offset (rows are centred),
    the left and right ends of the cells, and the data range and size of the figure."""

    offsets: dict[int, float]
    left: float
    right: float
    x0: float
    x1: float
    y0: float
    y1: float
    width_in: float
    plot_in: float

    CELL_IN = 0.3  # inches per cell

    @classmethod
    def fit(cls, data: RegionData, rows: Sequence[int], spans: dict[int, Span], labels: dict[int, str]) -> "RegionLayout":
        offsets = {v: -(spans[v].n - 1) / 2 for v in rows}
        left = min(offsets[v] + spans[v].cut_lo for v in rows) - 0.5
        right = max(offsets[v] + spans[v].cut_hi for v in rows) + 0.5
        char = 0.26  # width of one character of the labels, in cells (fontsize 9, 0.3 in cells)
        name_width = max(len(name(data.net.nodes[v])) for v in rows) * char + 1.0
        edge_width = max((len(s) for s in labels.values()), default=0) * char * 0.9 + 1.0
        x0, x1 = left - name_width, right + edge_width
        y0, y1 = -1.6, (len(rows) - 1) * GAP + 0.9
        width_in = max((x1 - x0) * cls.CELL_IN, 5.0)
        if width_in > (x1 - x0) * cls.CELL_IN:  # widen the data range to keep cells square
            extra = (width_in / cls.CELL_IN - (x1 - x0)) / 2
            x0, x1 = x0 - extra, x1 + extra
        return cls(offsets, left, right, x0, x1, y0, y1, width_in, (y1 - y0) * cls.CELL_IN)

    def figure(self, n_series: int):
        """The figure and its axes: the rows above a legend of ``n_series`` + 3 entries."""
        legend_in = 0.2 * (n_series + 3) + 0.1
        title_in = 0.35
        total = self.plot_in + legend_in + title_in
        fig = new_figure(self.width_in, total)
        ax = fig.add_axes((0, legend_in / total, 1, self.plot_in / total))
        ax.set_xlim(self.x0, self.x1)
        ax.set_ylim(self.y0, self.y1)
        ax.set_aspect("equal", adjustable="box")
        ax.axis("off")
        return fig, ax


def draw_row(ax, data: RegionData, v: int, cy: float, span: Span, layout: RegionLayout, label: str) -> None:
    """One map: its cells (padding hatched, reached cells coloured per series), crop marks,
    its name on the left and the layers that make it on the right."""
    from matplotlib.patches import Rectangle

    sets = [data.positions(v, s.footprints) for s in data.series]
    reached = data.positions(v)
    offset = layout.offsets[v]
    for p in range(span.cut_lo, span.cut_hi + 1):
        _draw_cell(ax, data, offset + p, cy, p, span.n, sets, reached)
        if v == data.x and span.cut_hi - span.cut_lo < 80:
            ax.text(offset + p, cy - 0.75, str(p), ha="center", va="top", fontsize=6, color="#555555")
    if v == data.y:
        cx = offset + data.j
        ax.add_patch(Rectangle((cx - CELL / 2, cy - CELL / 2), CELL, CELL,
                               facecolor="none", edgecolor="black", linewidth=2.0, zorder=5))
    if span.cut_lo > span.lo:
        ax.text(offset + span.cut_lo - 0.9, cy, "…", ha="center", va="center", fontsize=10)
    if span.cut_hi < span.hi:
        ax.text(offset + span.cut_hi + 0.9, cy, "…", ha="center", va="center", fontsize=10)
    ax.text(layout.left - 0.6, cy, name(data.net.nodes[v]), ha="right", va="center", fontsize=9,
            fontweight="bold" if v in (data.x, data.y) else "normal")
    if label:
        ax.text(layout.right + 0.6, cy, label, ha="left", va="center", fontsize=8, color="#444444")


def _draw_cell(ax, data: RegionData, cx: float, cy: float, p: int, n: int, sets: list[set[int]],
               reached: set[int]) -> None:
    """Cell ``p`` of a map of length ``n``: background, one stripe per series reaching it,
    hatching when it is padding, and its border."""
    from matplotlib.patches import Rectangle

    pad = p < 0 or p >= n
    x_left, y_bottom = cx - CELL / 2, cy - CELL / 2
    base = PAD_FILL if pad else "white"
    if p in reached and not any(p in s for s in sets):
        base = UNION_FILL
    ax.add_patch(Rectangle((x_left, y_bottom), CELL, CELL, facecolor=base, edgecolor="none", zorder=1))
    hits = [k for k, s in enumerate(sets) if p in s]
    width = CELL / len(data.series)
    for k in hits:
        ax.add_patch(Rectangle((x_left + k * width, y_bottom), width, CELL,
                               facecolor=data.series[k].color, edgecolor="none", alpha=0.85, zorder=2))
    if pad:
        ax.add_patch(Rectangle((x_left, y_bottom), CELL, CELL, facecolor="none",
                               edgecolor="white" if hits else "#777777", hatch="///", linewidth=0, zorder=3))
    ax.add_patch(Rectangle((x_left, y_bottom), CELL, CELL, facecolor="none",
                           edgecolor=CELL_EDGE, linewidth=0.6, linestyle=":" if pad else "-", zorder=4))


def region_title(data: RegionData) -> str:
    """``y[1] along axis 0: input x[0..5], 6 pixels`` (+ padding cells)."""
    net = data.net
    fp = data.union[net.nodes[data.x]]
    inside, padding = fp.inside, fp.padding
    head = f"{name(net.nodes[data.y])}[{data.j}] along axis {data.axis}: "
    if len(inside):
        title = head + f"input {name(net.nodes[data.x])}[{int(inside.min())}..{int(inside.max())}], {len(inside)} pixels"
    else:
        title = head + "no input pixel"
    if len(padding):
        title += f" + {len(padding)} padding"
    return title


def region_legend(fig, data: RegionData, rows: Sequence[int]) -> None:
    """The series, cells reached only by paths not drawn, padding, the output feature."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=s.color, edgecolor=CELL_EDGE, label=s.label) for s in data.series]
    if data.by_path and any(data.positions(v) - set().union(*(data.positions(v, s.footprints) for s in data.series))
                            for v in rows):
        handles.append(Patch(facecolor=UNION_FILL, edgecolor=CELL_EDGE, label="reached by other paths"))
    handles.append(Patch(facecolor=PAD_FILL, edgecolor="#777777", hatch="////", label="padding"))
    handles.append(Patch(facecolor="white", edgecolor="black", linewidth=2, label=f"output feature {data.j}"))
    fig.legend(handles=handles, loc="lower left", fontsize=8, frameon=False, ncol=1, bbox_to_anchor=(0.01, 0.0))
