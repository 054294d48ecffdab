"""The growth plot: receptive field r, effective stride S and effective padding P of every map
seen from the input (:func:`rfgraph.layer_table`) against depth, in three panels.

>>> import rfgraph
>>> fig = plot_growth(rfgraph.load("graphs/distill_fig1_chain.dot"))
>>> [ax.get_ylabel() for ax in fig.axes]
['receptive field r', 'effective stride S', 'effective padding P']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import AttributeValueError
from .figures import COLORS, finish, name, new_figure, refuse_existing

QUANTITIES = (("rf", "receptive field r"), ("stride", "effective stride S"), ("padding", "effective padding P"))


def plot_growth(G, *, input=None, input_size: Any = None, depth: str = "topological",
                title: str | None = None, path: str | os.PathLike | None = None,
                overwrite: bool = False):
    """Receptive field r, effective stride S and effective padding P of every map seen from
    the input (:func:`rfgraph.layer_table`) against depth: ``"topological"`` (the map's index
    in topological order) or ``"longest"`` (layers on the longest path from the input).

    One line per axis when the axes differ. Maps without a single value (paths with different
    strides, SAME padding without an input size) are marked ``x`` at the bottom of the panel;
    maps that depend on the whole input are marked ``▲`` at the top.
    """
    refuse_existing(path, overwrite)
    data = growth_data(G, input=input, input_size=input_size, depth=depth)
    fig = new_figure(7.5, 6.4)
    panels = fig.subplots(3, 1, sharex=True)
    for ax, (attr, label) in zip(panels, QUANTITIES):
        draw_panel(ax, data, attr, label)
    name_x_axis(panels[-1], data)
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


def growth_data(G, *, input, input_size: Any, depth: str) -> GrowthData:
    """The per-node table seen from the input and every map's depth."""
    from ..analysis import layer_table
    from ..network import as_network
    from ..shapes import infer_shapes

    net = as_network(G)
    layers = None
    if input_size is not None or net.input_size is not None:
        shapes = infer_shapes(net, input_size, input)
        net, layers = shapes.net, list(shapes.layers)
    x = net.endpoint("input", input)
    table = layer_table(net, net.nodes[x], layers=layers)
    depths = map_depths(net, x, depth)
    rows = sorted(((depths[net.index[n]], net.index[n], row) for n, row in table.items()
                   if net.index[n] in depths))
    same = all(len({(a.rf, a.stride, a.padding) for a in row.axes}) == 1 for _, _, row in rows)
    return GrowthData(net, x, table, rows, [0] if same else list(range(net.ndim)), depths, depth, same)


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
    """One quantity along one axis: the defined values, the maps without a single value and
    the maps that depend on the whole input (by depth)."""

    xs: list[int]
    ys: list[float]
    missing: list[int]
    whole: list[int]


def quantity_points(rows: Sequence[tuple[int, int, Any]], attr: str, axis: int) -> Points:
    """The points of quantity ``attr`` (``rf``, ``stride`` or ``padding``) along ``axis``."""
    points = Points([], [], [], [])
    for d, _, row in rows:
        a = row.axes[axis]
        value = getattr(a, attr)
        if a.whole_input is not None:
            points.whole.append(d)
        elif value is None:
            points.missing.append(d)
        else:
            points.xs.append(d)
            points.ys.append(float(value))
    return points


# ---------------------------------------------------------------------------------------------
# Drawing


def draw_panel(ax, data: GrowthData, attr: str, label: str) -> None:
    """One quantity: a line per axis drawn, the marks of maps without a value, the scale."""
    for a in data.axes:
        points = quantity_points(data.rows, attr, a)
        _draw_points(ax, data, points, a, first=a == data.axes[0])
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
        ax.plot(points.xs, points.ys, "-", marker="o", markersize=3, linewidth=1.0, label=label, color=color)
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


def name_x_axis(bottom, data: GrowthData) -> None:
    """Small graphs: every map named on the x axis; else what the depth counts."""
    if len(data.rows) <= 30 and data.depth.startswith("topo"):
        bottom.set_xticks([d for d, _, _ in data.rows])
        bottom.set_xticklabels([name(data.net.nodes[v]) for _, v, _ in data.rows], rotation=60, ha="right", fontsize=7)
    else:
        what = "topological index" if data.depth.startswith("topo") else "longest path from the input"
        bottom.set_xlabel(f"depth ({what})", fontsize=9)


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
    from .text import value_text

    net = data.net
    head = f"{net.name or 'network'}: r, S, P seen from {name(net.nodes[data.x])}"
    y = _output(data)
    if y is None:
        return head
    row = data.table[net.nodes[y]]
    if all(a.rf is not None for a in row.axes):
        values = ", ".join(f"{q} {value_text([getattr(a, attr) for a in row.axes])}"
                           for q, attr in (("r", "rf"), ("S", "stride"), ("P", "padding")))
    else:
        values = "; ".join(sorted({a.reason or "no single value" for a in row.axes}))
    return head + f"\noutput {name(net.nodes[y])} (dotted line): {values}"
