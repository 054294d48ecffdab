"""The growth plot: receptive field r, effective stride S and effective padding P of every map
seen from the input (:func:`rfgraph.table`) against depth, in three panels.

>>> import rfgraph
>>> fig = plot_growth(rfgraph.load("graphs/distill_fig1_chain.dot"))
>>> [ax.get_ylabel() for ax in fig.axes]
['receptive field r', 'effective stride S', 'effective padding P']
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis import hierarchy, with_sizes
from ..analysis import table as node_table
from ..core.errors import AttributeValueError, RenderError
from .figures import COLORS, finish, name, new_figure, refuse_existing
from .text import joined, value_text
from .view import has_phases, phase_ranges

QUANTITIES = (("rf", "receptive field r"), ("stride", "effective stride S"), ("padding", "effective padding P"))


def plot_growth(G, *, input=None, input_size: Any = None, depth: str = "topological",
                title: str | None = None, path: str | os.PathLike | None = None,
                overwrite: bool = False):
    """Receptive field r, effective stride S and effective padding P of every map seen from
    the input (:func:`rfgraph.table`) against depth: ``"topological"`` (the map's index
    in topological order) or ``"longest"`` (layers on the longest path from the input).

    One line per axis when the axes differ. Maps that depend on the whole input are marked
    ``▲`` at the top, and where some paths avoid the whole-input layers (squeeze-excitation,
    image pooling) their local r, S, P is drawn in hollow points ("+ global context"). Maps
    whose region size depends on the output position through upsampling (U-Net decoders) get
    a band from the smallest to the largest. Maps still without a value (paths with different
    strides, SAME padding without an input size) are marked ``x`` at the bottom of the panel.
    Small graphs name every map on the x axis; larger ones name their stages or blocks (the
    modules of :mod:`rfgraph.passes.hierarchy`), shaded in turn.

    >>> import rfgraph
    >>> fig = plot_growth(rfgraph.load("graphs/resnet50.dot"))
    >>> [t.get_text() for t in fig.axes[2].get_xticklabels()]
    ['image', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool']
    """
    refuse_existing(path, overwrite)
    data = growth_data(G, input=input, input_size=input_size, depth=depth)
    fig = new_figure(7.5, 6.4)
    panels = fig.subplots(3, 1, sharex=True)
    spans = module_spans(data)
    for ax, (attr, label) in zip(panels, QUANTITIES):
        shade_spans(ax, spans)
        draw_panel(ax, data, attr, label)
    name_x_axis(panels[-1], data, spans)
    if title is None:
        title = growth_title(data)
        mark_output(panels, data)
    panels[0].set_title(title, fontsize=10)
    fig.tight_layout()
    return finish(fig, path, overwrite)


# ---------------------------------------------------------------------------------------------
# Data


@dataclass
class GrowthData:
    """The table rows in drawing order ``(depth, node index, row)``, the axes drawn (only the
    first when every map has the same values on every axis: ``same_axes``), the depth of
    every map and the kind of depth."""

    net: Any
    x: int
    table: dict
    rows: list[tuple[int, int, Any]]
    axes: list[int]
    depths: dict[int, int]
    depth: str
    same_axes: bool
    ranges: dict[int, list] = field(default_factory=dict)  # node -> per axis (rf, padding) ranges


def growth_data(G, *, input, input_size: Any, depth: str) -> GrowthData:
    """The per-node table seen from the input and every map's depth."""
    net = with_sizes(G, input_size, input)
    x = net.endpoint("input", input)
    table = node_table(net, net.nodes[x])
    depths = map_depths(net, x, depth)
    rows = sorted(((depths[net.index[n]], net.index[n], row) for n, row in table.items()
                   if net.index[n] in depths))
    same = all(len({(a.rf, a.stride, a.padding) for a in row.axes}) == 1 for _, _, row in rows)
    data = GrowthData(net, x, table, rows, [0] if same else list(range(net.ndim)), depths, depth, same)
    data.ranges = {v: phase_ranges(row) for _, v, row in rows if has_phases(row)}
    return data


def map_depths(net, x: int, kind: str) -> dict[int, int]:
    """Every map's depth: its index among the maps the input reaches (``topological``), or
    the number of layers on the longest path from the input (``longest``)."""
    reach = net.descendants(x)
    if kind in ("topological", "topo", "index"):
        order = [v for v in range(len(net.nodes)) if reach[v]]
        return {v: i for i, v in enumerate(order)}
    if kind in ("longest", "depth"):
        depth = {x: 0}
        for v in range(x + 1, len(net.nodes)):
            ins = [depth[net.edges[e].src] for e in net.in_edges[v] if net.edges[e].src in depth]
            if ins:
                depth[v] = max(ins) + 1
        return depth
    raise AttributeValueError(f"depth {kind!r}: use 'topological' or 'longest'")


@dataclass
class Points:
    """One quantity along one axis: the defined values, the maps without a single value, the
    maps that depend on the whole input (by depth), the local values of whole-input maps
    (paths avoiding the whole-input layers) and the ranges ``(x, low, high)``."""

    xs: list[int]
    ys: list[float]
    missing: list[int]
    whole: list[int]
    local_xs: list[int] = field(default_factory=list)
    local_ys: list[float] = field(default_factory=list)
    ranges: list[tuple[int, float, float]] = field(default_factory=list)


def plotted(value: Any, attr: str, name: Any) -> float:
    """``value`` as a float for the plot, or a RenderError naming the map when a float cannot
    hold it (an exact rf or stride can have thousands of digits; a float stops at 1.8e308).

    >>> plotted(3, "rf", "conv1")
    3.0
    >>> plotted(2**1100, "rf", "deep")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.RenderError: map deep: rf of about 2^1100 is too large to plot (a plot's numbers stop at 1.8e308)
    """
    try:
        return float(value)
    except OverflowError:
        size = abs(value.numerator if hasattr(value, "numerator") else value)
        raise RenderError(f"map {name}: {attr} of about 2^{size.bit_length() - 1} is too large to plot (a plot's "
                          f"numbers stop at 1.8e308)") from None


def quantity_points(rows: Sequence[tuple[int, int, Any]], attr: str, axis: int,
                    ranges: dict | None = None, names: Sequence[Any] | None = None) -> Points:
    """The points of quantity ``attr`` (``rf``, ``stride`` or ``padding``) along ``axis``
    (``names``: the maps' names by index, for errors)."""
    points = Points([], [], [], [])
    ranges = ranges or {}
    for d, v, row in rows:
        name = names[v] if names is not None else v
        a = row.axes[axis]
        value = getattr(a, attr)
        span = ranges.get(v, [None] * len(row.axes))[axis]
        if a.whole_input is not None:
            points.whole.append(d)
            local = getattr(a.local, attr) if a.local is not None else None
            if local is not None:
                points.local_xs.append(d)
                points.local_ys.append(plotted(local, attr, name))
        elif value is None and span is not None and attr in ("rf", "padding"):
            low, high = span[0] if attr == "rf" else span[1]
            points.ranges.append((d, plotted(low, attr, name), plotted(high, attr, name)))
        elif value is None:
            points.missing.append(d)
        else:
            points.xs.append(d)
            points.ys.append(plotted(value, attr, name))
    return points


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_panel(ax, data: GrowthData, attr: str, label: str) -> None:
    """One quantity: a line per axis drawn, the marks of maps without a value, the scale."""
    for a in data.axes:
        points = quantity_points(data.rows, attr, a, data.ranges, data.net.nodes)
        _draw_points(ax, data, points, a, first=a == data.axes[0])
        _draw_extras(ax, points, COLORS[a % len(COLORS)], first=a == data.axes[0])
    ax.set_ylabel(label, fontsize=9)
    ax.grid(True, alpha=0.3)
    _scale(ax, data, attr)
    ax.tick_params(labelsize=8)
    if attr == "rf" and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left")


def _draw_points(ax, data: GrowthData, points: Points, a: int, first: bool) -> None:
    label = None if data.same_axes else f"axis {a}"
    color = COLORS[a % len(COLORS)]
    if data.depth.startswith("topo"):
        # the line stops where maps drawn otherwise come between (a U-Net's cropped skip
        # connections are not on the way from the encoder to the decoder)
        others = sorted(points.missing + points.whole + [x for x, _, _ in points.ranges])
        xs, ys = _broken(points.xs, points.ys, others)
        ax.plot(xs, ys, "-", linewidth=1.0, color=color)
        ax.plot(points.xs, points.ys, "o", markersize=3, label=label, color=color)
    else:  # several maps per depth: the points, and a line through the largest
        ax.plot(points.xs, points.ys, "o", markersize=3, label=label, color=color)
        top: dict = {}
        for d, val in zip(points.xs, points.ys):
            top[d] = max(top.get(d, val), val)
        ax.plot(sorted(top), [top[d] for d in sorted(top)], "-", linewidth=1.0, color=color)
    if points.missing:
        ax.plot(points.missing, [0.02] * len(points.missing), "x", color="#c0392b", markersize=5,
                transform=ax.get_xaxis_transform(), label="no single value" if first else None)
    if points.whole:
        ax.plot(points.whole, [0.96] * len(points.whole), "^", color="#555555", markersize=5,
                transform=ax.get_xaxis_transform(), label="whole input" if first else None)
        ax.margins(y=0.12)  # headroom: the marks at the top stay clear of the highest points


def _broken(xs: Sequence[int], ys: Sequence[float], others: Sequence[int]) -> tuple[list, list]:
    """``xs``, ``ys`` with a gap (NaN) wherever one of ``others`` lies between two points."""
    out_x: list = []
    out_y: list = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if i and bisect.bisect_right(others, xs[i - 1]) != bisect.bisect_left(others, x):
            out_x.append(float("nan"))
            out_y.append(float("nan"))
        out_x.append(x)
        out_y.append(y)
    return out_x, out_y


def _draw_extras(ax, points: Points, color: str, first: bool) -> None:
    """Local values of whole-input maps (hollow points, dashed) and ranges (bands; a bar for a
    single map)."""
    if points.local_xs:
        ax.plot(points.local_xs, points.local_ys, "--", marker="o", markersize=3.5, linewidth=0.8,
                markerfacecolor="white", color=color, label="local (+ global context)" if first else None)
    runs: list[list[tuple[int, float, float]]] = []
    for item in points.ranges:  # contiguous runs of maps with a range make one band each
        if runs and not any(runs[-1][-1][0] < x < item[0] for x in points.xs + points.missing):
            runs[-1].append(item)
        else:
            runs.append([item])
    for k, run in enumerate(runs):
        label = "range over output positions" if first and k == 0 else None
        xs, lows, highs = zip(*run)
        if len(run) == 1:
            ax.vlines(xs, lows, highs, color=color, linewidth=4, alpha=0.35, label=label)
        else:
            ax.fill_between(xs, lows, highs, color=color, alpha=0.25, linewidth=0, label=label)
        ax.plot(xs, [(lo + hi) / 2 for lo, hi in zip(lows, highs)], ":", marker=".", markersize=3,
                linewidth=0.8, color=color)


def _scale(ax, data: GrowthData, attr: str) -> None:
    """Integer ticks for integer values; strides on a log2 scale when they span 4x or more."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    values = [getattr(row.axes[a], attr) for _, _, row in data.rows for a in data.axes]
    values = [v for v in values if v is not None]
    if all(float(v).is_integer() for v in values):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if attr == "stride":
        floats = [float(v) for v in values]
        if floats and min(floats) > 0 and max(floats) / min(floats) >= 4:
            ax.set_yscale("log", base=2)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda val, _: f"{val:g}"))


@dataclass
class Span:
    """A module along the x axis: from ``start`` to ``end`` (depths), its name."""

    start: float
    end: float
    name: str


def module_spans(data: GrowthData) -> list[Span]:
    """The stages or blocks named on the x axis (none when every map is named, or when names
    have no hierarchy): the outermost depth of :mod:`rfgraph.passes.hierarchy` at which no
    module holds more than 60% of the maps, each module's maps from its first to its last."""
    if len(data.rows) <= 30 and data.depth.startswith("topo"):
        return []
    h = hierarchy(data.net)
    drawn = {v for _, v, _ in data.rows}
    for level in range(1, h.depth + 1):
        items = [[data.depths[data.net.index[n]] for n in item.nodes if data.net.index[n] in drawn]
                 for item in h.items(level)]
        if max(len(xs) for xs in items) <= 0.6 * len(data.rows) or level == h.depth:
            break
    else:
        return []
    return [Span(min(xs), max(xs), item.name) for item, xs in zip(h.items(level), items) if xs]


def shade_spans(ax, spans: Sequence[Span]) -> None:
    """Every other module shaded, so the stages read as bands."""
    wide = [span for span in spans if span.end > span.start]
    for span in wide[1::2]:
        ax.axvspan(span.start - 0.5, span.end + 0.5, color="#f0f0f0", zorder=0, linewidth=0)


def name_x_axis(bottom, data: GrowthData, spans: Sequence[Span] = ()) -> None:
    """Small graphs: every map named on the x axis; larger ones: the modules (as many names as
    fit, widest modules first); else what the depth counts."""
    what = "topological index" if data.depth.startswith("topo") else "longest path from the input"
    if len(data.rows) <= 30 and data.depth.startswith("topo"):
        bottom.set_xticks([d for d, _, _ in data.rows])
        bottom.set_xticklabels([name(data.net.nodes[v]) for _, v, _ in data.rows], rotation=60, ha="right", fontsize=7)
    elif spans:
        shown = _names_that_fit(bottom, spans)
        bottom.set_xticks([(s.start + s.end) / 2 for s in shown])
        bottom.set_xticklabels([name(s.name) for s in shown], rotation=60, ha="right", fontsize=7)
        bottom.set_xlabel(f"maps by {what}, grouped by module", fontsize=9)
    else:
        bottom.set_xlabel(f"depth ({what})", fontsize=9)


def _names_that_fit(ax, spans: Sequence[Span]) -> list[Span]:
    """The modules whose names can be written without touching: rotated labels need about
    0.14 inch between ticks; wider modules are named first."""
    lo = min(s.start for s in spans) - 0.5
    hi = max(s.end for s in spans) + 0.5
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    gap = 0.14 * (hi - lo) / max(width_in, 1e-6)
    shown: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start - s.end):
        centre = (span.start + span.end) / 2
        if all(abs(centre - (s.start + s.end) / 2) >= gap for s in shown):
            shown.append(span)
    return sorted(shown, key=lambda s: s.start)


def _output(data: GrowthData) -> int | None:
    """The graph's default output, when it is drawn."""
    net = data.net
    y = net.index.get(net.default_output) if net.default_output is not None else None
    return y if y is not None and y in data.depths and net.nodes[y] in data.table else None


def mark_output(panels, data: GrowthData) -> None:
    """A dotted vertical line at the default output."""
    y = _output(data)
    if y is not None:
        for ax in panels:
            ax.axvline(data.depths[y], color="#888888", linestyle=":", linewidth=1)


def growth_title(data: GrowthData) -> str:
    """The graph's name and, with a default output, its r, S, P (marked by a dotted line)."""
    net = data.net
    head = f"{net.name or 'network'}: r, S, P seen from {name(net.nodes[data.x])}"
    y = _output(data)
    if y is None:
        return head
    row = data.table[net.nodes[y]]
    ranges = data.ranges.get(y)
    if all(a.rf is not None for a in row.axes):
        values = ", ".join(f"{q} {value_text([getattr(a, attr) for a in row.axes])}"
                           for q, attr in (("r", "rf"), ("S", "stride"), ("P", "padding")))
    elif ranges and all(r is not None for r in ranges):
        rf = joined([f"{lo}" if lo == hi else f"{lo}–{hi}" for (lo, hi), _ in ranges])
        values = f"r {rf} by output position, S {value_text([a.stride for a in row.axes])}"
    elif all(a.local is not None and a.local.rf is not None for a in row.axes):
        values = (f"whole input; local r {value_text([a.local.rf for a in row.axes])} + global context, "
                  f"S {value_text([a.local.stride for a in row.axes])}")
    else:
        values = "; ".join(sorted({a.reason or "no single value" for a in row.axes}))
    return head + f"\noutput {name(net.nodes[y])} (dotted line): {values}"
