"""Receptive-field figures with matplotlib: regions through the layers, regions over an image,
and how r, S and P grow with depth.

Every function returns a :class:`matplotlib.figure.Figure` drawn with the Agg canvas (no
window, no pyplot state: safe in scripts, servers and notebooks, where the figure shows
itself) and, given ``path=``, also writes it there (format from the suffix: ``.png``,
``.svg``, ``.pdf``; an existing file is only replaced with ``overwrite=True``).

- :func:`plot_region`: one row of cells per feature map along one axis, the input at the
  bottom and the output at the top (as in the first figure of Araujo et al., Distill 2019),
  with the cells that one output feature depends on coloured in every map, padding cells
  hatched, and for a misaligned graph one colour per path (a cell split in stripes when
  several paths reach it).
- :func:`plot_overlay`: the exact region (solid, inside the image) and the unclipped region
  (dashed, padding included) of output features, with their centres, over an image or a plain
  grid of the input size.
- :func:`plot_growth`: r, S and P of every map (seen from the input) against depth.

matplotlib is imported only when a function is called.

>>> import rfgraph
>>> from rfgraph.render import plot_region
>>> fig = plot_region(rfgraph.load("graphs/distill_fig1_chain.dot"), at=1)
>>> fig.axes[0].get_title()
'f4[1] along axis 0: input f0[1..7], 7 pixels'
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.errors import AttributeValueError, RenderError, RFGraphError

#: Path colours (the witness colours of the diagrams first).
COLORS = ("#1f77b4", "#e8710a", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
UNION_FILL = "#fde6c4"  # reached by some path not drawn on its own
PAD_FILL = "#e4e4e4"
CELL_EDGE = "#9a9a9a"
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg"}


# ---------------------------------------------------------------------------------------------
# Figures and files


def _figure(width: float, height: float):
    """A Figure on the Agg canvas (no pyplot, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path: str | os.PathLike, *, overwrite: bool = False, format: str | None = None,
                dpi: float | None = 150) -> Path:
    """Write a matplotlib figure to ``path`` (format from the suffix unless given), atomically,
    refusing to replace a file unless ``overwrite``."""
    from ..io.safe_write import write_bytes

    fmt = format.lower().lstrip(".") if format else FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise RenderError(f"{path}: unknown figure type {Path(path).suffix or '(no suffix)'!r}: "
                          "use .png, .svg or .pdf")
    _refuse_existing(path, overwrite)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    except ValueError as exc:  # a format matplotlib does not know
        raise RenderError(f"{path}: matplotlib cannot write {fmt}: {exc}") from None
    return write_bytes(path, buffer.getvalue(), overwrite=overwrite)


def _refuse_existing(path, overwrite: bool) -> None:
    """Fail before drawing when the target exists (the write checks again, atomically)."""
    if path is not None and not overwrite and Path(path).exists() and not Path(path).is_dir():
        raise RFGraphError(f"{path}: already exists (pass overwrite=True, or --force on the command line)")


def _finish(fig, path, overwrite):
    if path is not None:
        save_figure(fig, path, overwrite=overwrite)
    return fig


def _name(node: Any) -> str:
    from .graphviz import visible

    return visible(node)


def _short_path(nodes: Sequence[Any], limit: int = 6) -> str:
    names = [_name(n) for n in nodes]
    if len(names) > limit:
        names = names[: limit // 2] + ["…"] + names[-(limit // 2):]
    return " → ".join(names)


# ---------------------------------------------------------------------------------------------
# Regions through the layers


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

    Examples
    --------
    >>> import rfgraph
    >>> fig = rfgraph.plot_region("graphs/distill_fig4_misaligned.dot", at=1)
    >>> len(fig.legends[0].get_texts())   # two paths, padding, the output feature
    4
    """
    from ..analysis import analyze, footprints, infer_shapes, iter_paths, path_of
    from .graphviz import collapse_edges

    _refuse_existing(path, overwrite)
    net = infer_shapes(G, input_size, input)
    layers = [e.layer for e in net.edges]
    x, y = net.endpoints(input, output)
    if not 0 <= axis < net.ndim:
        raise AttributeValueError(f"axis {axis}: the graph has {net.ndim} axis{'es' if net.ndim > 1 else ''}")
    size = {v: net.lengths[v][axis] for v in range(len(net.nodes)) if net.lengths[v] is not None}
    n_out = size[y]
    j = (n_out - 1) // 2 if at is None else int(at)
    if not 0 <= j < n_out:
        raise AttributeValueError(f"output position {at}: the output {_name(net.nodes[y])} has {n_out} positions along axis {axis}")
    ends = dict(input=net.nodes[x], output=net.nodes[y])
    union = footprints(net, j, axis, **ends)
    result = analyze(net, net.nodes[x], net.nodes[y])
    if by_path is None:
        by_path = result.aligned is False and result.paths > 1
    series: list[tuple[str, str, dict]] = []  # (label, colour, footprints)
    if by_path:
        chosen: list[tuple[int, ...]] = []
        for m in result.mismatches:
            for w in m.paths:
                if tuple(w.edges) not in chosen:
                    chosen.append(tuple(w.edges))
        for p in iter_paths(net, net.nodes[x], net.nodes[y]):
            if len(chosen) >= max_paths:
                break
            if p.edges not in chosen:
                chosen.append(p.edges)
        for i, edges in enumerate(chosen[:max_paths]):
            p = path_of(net, net.nodes[x], edges)
            g = p.geometry[axis]
            from ..results import text

            label = f"path {i + 1}: {_short_path(p.nodes)} (r {text(g.rf)}, S {text(g.stride)}, P {text(g.padding)})"
            series.append((label, COLORS[i % len(COLORS)], footprints(net, j, axis, edges=edges, **ends)))
    else:
        series.append(("region of the output feature", COLORS[0], union))

    # Rows: the maps to draw, input first.
    within = net.between(x, y)
    chains = None
    if nodes is not None:
        rows = sorted({net.node_index(n) for n in nodes} | {x, y})
    else:
        rows = [v for v in range(x, y + 1) if within[v]]
        if len(rows) > max_rows:  # as the diagrams' collapse: keep the maps before a change
            collapsed, removed = collapse_edges(net, layers, {x, y})
            rows = [v for v in rows if v not in removed]
            chains = {(e.src, e.dst, tuple(e.ids)) for e in collapsed}
    if len(rows) > max_rows:
        raise RFGraphError(f"{len(rows)} feature maps between {_name(net.nodes[x])} and {_name(net.nodes[y])}: "
                           f"too many to draw (max_rows={max_rows}); choose some with nodes=[...] (--nodes A,B,C)")

    # Cells of each row: the map, the padding of the layers that read it, what is reached.
    spans = {}
    for v in rows:
        n = size[v]
        pl = pr = 0
        for e in net.out_edges[v]:
            if within[net.edges[e].dst] and layers[e].kind == "window":  # the layers reading v
                pl = max(pl, layers[e].p_l[axis] or 0)
                pr = max(pr, layers[e].p_r[axis] or 0)
        fp = union.get(net.nodes[v])
        reached = fp.positions if fp is not None else []
        lo = min([-pl] + [int(p) for p in reached])
        hi = max([n - 1 + pr] + [int(p) for p in reached])
        cut_lo, cut_hi = lo, hi
        if hi - lo + 1 > max_cells:
            if len(reached):
                cut_lo = max(lo, int(min(reached)) - 2)
                cut_hi = min(hi, int(max(reached)) + 2)
            else:
                cut_lo, cut_hi = lo, lo + max_cells - 1
            if cut_hi - cut_lo + 1 > max_cells:
                raise RFGraphError(
                    f"the region of {_name(net.nodes[y])}[{j}] spans {int(max(reached)) - int(min(reached)) + 1} cells of "
                    f"{_name(net.nodes[v])} along axis {axis}: too many to draw (max_cells={max_cells}); "
                    "use a smaller input size (--input-size)")
        spans[v] = (n, lo, hi, cut_lo, cut_hi)

    # Geometry of the drawing (data units = cells).
    gap = 1.9
    offsets = {v: -(spans[v][0] - 1) / 2 for v in rows}
    left = min(offsets[v] + spans[v][3] for v in rows) - 0.5
    right = max(offsets[v] + spans[v][4] for v in rows) + 0.5
    names = {v: _name(net.nodes[v]) for v in rows}
    if chains is None:
        chains = {(e.src, e.dst, (e.id,)) for e in net.edges}
    incoming: dict[int, list] = {}
    for src, dst, ids in sorted(chains, key=lambda c: c[2]):
        incoming.setdefault(dst, []).append((src, ids))
    in_labels = {}
    for v in rows:
        parts = []
        for u, ids in incoming.get(v, ()):
            if within[u] or nodes is not None:
                parts.append(f"{', '.join(layers[e].label() for e in ids)} ← {_name(net.nodes[u])}")
        in_labels[v] = "; ".join(parts[:3]) + (" ..." if len(parts) > 3 else "")
    char = 0.26  # width of one character of the labels, in cells (fontsize 9, 0.3 in cells)
    name_width = max(len(s) for s in names.values()) * char + 1.0
    edge_width = max((len(s) for s in in_labels.values()), default=0) * char * 0.9 + 1.0
    x0, x1 = left - name_width, right + edge_width
    y0, y1 = -1.6, (len(rows) - 1) * gap + 0.9
    cell_in = 0.3  # inches per cell
    width_in = max((x1 - x0) * cell_in, 5.0)
    if width_in > (x1 - x0) * cell_in:  # widen the data range to keep cells square
        extra = (width_in / cell_in - (x1 - x0)) / 2
        x0, x1 = x0 - extra, x1 + extra
    plot_in = (y1 - y0) * cell_in
    legend_in = 0.2 * (len(series) + 3) + 0.1
    title_in = 0.35
    fig = _figure(width_in, plot_in + legend_in + title_in)
    total = plot_in + legend_in + title_in
    ax = fig.add_axes((0, legend_in / total, 1, plot_in / total))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")

    from matplotlib.patches import Patch, Rectangle

    size_cell = 0.86
    for r, v in enumerate(rows):
        n, lo, hi, cut_lo, cut_hi = spans[v]
        cy = r * gap
        sets = [set(int(p) for p in s[2][net.nodes[v]].positions) if net.nodes[v] in s[2] else set()
                for s in series]
        reached = set(int(p) for p in union[net.nodes[v]].positions) if net.nodes[v] in union else set()
        for p in range(cut_lo, cut_hi + 1):
            cx = offsets[v] + p
            pad = p < 0 or p >= n
            x_left, y_bottom = cx - size_cell / 2, cy - size_cell / 2
            base = PAD_FILL if pad else "white"
            if p in reached and not any(p in s for s in sets):
                base = UNION_FILL
            ax.add_patch(Rectangle((x_left, y_bottom), size_cell, size_cell, facecolor=base,
                                   edgecolor="none", zorder=1))
            hits = [k for k, s in enumerate(sets) if p in s]
            if hits:
                k_all = len(series)
                width = size_cell / k_all
                for k in hits:
                    ax.add_patch(Rectangle((x_left + k * width, y_bottom), width, size_cell,
                                           facecolor=series[k][1], edgecolor="none", alpha=0.85, zorder=2))
            if pad:
                ax.add_patch(Rectangle((x_left, y_bottom), size_cell, size_cell, facecolor="none",
                                       edgecolor="white" if hits else "#777777", hatch="///",
                                       linewidth=0, zorder=3))
            ax.add_patch(Rectangle((x_left, y_bottom), size_cell, size_cell, facecolor="none",
                                   edgecolor=CELL_EDGE, linewidth=0.6, linestyle=":" if pad else "-", zorder=4))
            if v == x and cut_hi - cut_lo < 80:
                ax.text(cx, cy - 0.75, str(p), ha="center", va="top", fontsize=6, color="#555555")
        if v == y:
            cx = offsets[v] + j
            ax.add_patch(Rectangle((cx - size_cell / 2, cy - size_cell / 2), size_cell, size_cell,
                                   facecolor="none", edgecolor="black", linewidth=2.0, zorder=5))
        if cut_lo > lo:
            ax.text(offsets[v] + cut_lo - 0.9, cy, "…", ha="center", va="center", fontsize=10)
        if cut_hi < hi:
            ax.text(offsets[v] + cut_hi + 0.9, cy, "…", ha="center", va="center", fontsize=10)
        ax.text(left - 0.6, cy, names[v], ha="right", va="center", fontsize=9,
                fontweight="bold" if v in (x, y) else "normal")
        if in_labels[v]:
            ax.text(right + 0.6, cy, in_labels[v], ha="left", va="center", fontsize=8, color="#444444")

    inside = union[net.nodes[x]].inside
    padding = union[net.nodes[x]].padding
    if title is None:
        if len(inside):
            title = (f"{_name(net.nodes[y])}[{j}] along axis {axis}: input {_name(net.nodes[x])}"
                     f"[{int(inside.min())}..{int(inside.max())}], {len(inside)} pixels")
        else:
            title = f"{_name(net.nodes[y])}[{j}] along axis {axis}: no input pixel"
        if len(padding):
            title += f" + {len(padding)} padding"
    ax.set_title(title, fontsize=10)
    handles = [Patch(facecolor=c, edgecolor=CELL_EDGE, label=label) for label, c, _ in series]
    if by_path and any(int(p) not in set().union(*(set(s[2][net.nodes[v]].positions.tolist()) for s in series if net.nodes[v] in s[2]))
                       for v in rows if net.nodes[v] in union for p in union[net.nodes[v]].positions):
        handles.append(Patch(facecolor=UNION_FILL, edgecolor=CELL_EDGE, label="reached by other paths"))
    handles.append(Patch(facecolor=PAD_FILL, edgecolor="#777777", hatch="////", label="padding"))
    handles.append(Patch(facecolor="white", edgecolor="black", linewidth=2, label=f"output feature {j}"))
    fig.legend(handles=handles, loc="lower left", fontsize=8, frameon=False, ncol=1,
               bbox_to_anchor=(0.01, 0.0))
    return _finish(fig, path, overwrite)


# ---------------------------------------------------------------------------------------------
# Regions over an image


def read_image(path: str | os.PathLike):
    """An image file as a numpy array (PNG natively; JPEG and others through Pillow)."""
    p = Path(path)
    if not p.is_file():
        raise RFGraphError(f"{path}: no such image file")
    if p.suffix.lower() != ".png":
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise RenderError(f"{path}: reading {p.suffix or 'this'} images needs Pillow: pip install pillow "
                              "(or convert the image to PNG)") from None
    import matplotlib.image as mpimg

    try:
        return mpimg.imread(str(p))
    except Exception as exc:  # corrupt or unsupported files: Pillow and libpng raise many kinds
        raise RFGraphError(f"{path}: cannot read the image: {exc}") from None


def _defined(item: dict) -> bool:
    """The unclipped region of a position is defined (None, or Nones, when it is not)."""
    return item["u"] is not None and item["u"][0] is not None


def plot_overlay(G, at: Any = None, *, image: Any = None, input_size: Any = None, input=None,
                 output=None, unclipped: bool = True, title: str | None = None,
                 path: str | os.PathLike | None = None, overwrite: bool = False):
    """The receptive fields of output features ``at`` drawn over an image (2-D graphs).

    ``at`` is one position ``(i, j)`` or a list of them (default: the centre output and the
    top-left one, which shows clipping at the border). ``image`` is a file name (PNG; JPEG
    needs Pillow) or an array; its height and width are the input size. Without an image, a
    grid of ``input_size`` (argument or graph attribute) is drawn.

    Each region is drawn as its exact hull inside the image (solid; ``regions(...).at(pos)``
    ``lo``/``hi``), the unclipped region with padding (dashed; ``u``/``v``) and its centre.

    Examples
    --------
    >>> import rfgraph
    >>> fig = rfgraph.plot_overlay("graphs/resnet50.dot", at=[(0, 0), (1, 1)], input_size=64)
    >>> fig.axes[0].get_title()
    'receptive fields of layer4 (2×2) on image (64×64)'
    """
    import numpy as np

    from ..analysis import exact_regions
    from ..core.network import as_network

    _refuse_existing(path, overwrite)
    net = as_network(G)
    if net.ndim != 2 and not net.flexible:
        raise RFGraphError(f"an overlay needs a 2-D graph: this one has {net.ndim} axis"
                           f"{'es' if net.ndim > 1 else ''} (use plot_region)")
    pixels = None
    if image is not None:
        pixels = read_image(image) if isinstance(image, (str, os.PathLike)) else np.asarray(image)
        if pixels.ndim not in (2, 3):
            raise RFGraphError(f"the image has {pixels.ndim} dimensions: expected height x width (x channels)")
        input_size = tuple(int(n) for n in pixels.shape[:2])
    elif input_size is None:
        input_size = net.input_size
    if input_size is None:
        raise AttributeValueError("no input size: give an image, input_size=... (--input-size) or the graph "
                                  "attribute input_size")
    size = tuple(input_size) if isinstance(input_size, (tuple, list)) else (int(input_size),)
    if len(size) == 1 and net.flexible:
        size = size * 2
    r = exact_regions(net, size, input, output)
    if len(r.input_size) != 2:
        raise RFGraphError(f"an overlay needs a 2-D graph: this one has {len(r.input_size)} axis"
                           f"{'es' if len(r.input_size) > 1 else ''} (use plot_region)")
    H, W = r.input_size
    oh, ow = r.output_size
    if at is None:
        positions = [((oh - 1) // 2, (ow - 1) // 2)]
        if (0, 0) not in positions:
            positions.append((0, 0))
    elif isinstance(at, (list,)) and at and isinstance(at[0], (tuple, list)):
        positions = [tuple(int(c) for c in p) for p in at]
    else:
        values = tuple(at) if isinstance(at, (tuple, list)) else (at, at)
        positions = [tuple(int(c) for c in (values * 2 if len(values) == 1 else values))]

    found = [r.at(p) for p in positions]
    bounds = [-0.5, W - 0.5, -0.5, H - 0.5]  # x0, x1, y0, y1
    for item in found:
        if unclipped and _defined(item):
            bounds = [min(bounds[0], item["u"][1] - 0.5), max(bounds[1], item["v"][1] + 0.5),
                      min(bounds[2], item["u"][0] - 0.5), max(bounds[3], item["v"][0] + 0.5)]
    span_x, span_y = bounds[1] - bounds[0], bounds[3] - bounds[2]
    scale = 6.0 / max(span_x, span_y)
    fig = _figure(max(span_x * scale, 3.0) + 0.4, span_y * scale + 1.0 + 0.2 * len(found))
    ax = fig.add_subplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    extent = (-0.5, W - 0.5, H - 0.5, -0.5)
    if pixels is not None:
        ax.imshow(pixels, extent=extent, cmap="gray" if pixels.ndim == 2 else None, interpolation="nearest")
    else:
        ax.add_patch(Rectangle((-0.5, -0.5), W, H, facecolor="#f7f7f7", edgecolor="none"))
        step = max(1, int(np.ceil(max(H, W) / 48)))
        for i in range(0, H + 1, step):
            ax.plot([-0.5, W - 0.5], [i - 0.5, i - 0.5], color="#dddddd", linewidth=0.5)
        for i in range(0, W + 1, step):
            ax.plot([i - 0.5, i - 0.5], [-0.5, H - 0.5], color="#dddddd", linewidth=0.5)
    ax.add_patch(Rectangle((-0.5, -0.5), W, H, facecolor="none", edgecolor="#333333", linewidth=0.8,
                           zorder=1.5))
    notes = []
    out_name = _name(r.output)
    for k, (pos, item) in enumerate(zip(positions, found)):
        color = COLORS[k % len(COLORS)]
        where = f"{out_name}[{pos[0]},{pos[1]}]"
        if item["lo"] is None:
            notes.append((color, f"{where}: depends on no input pixel"))
            continue
        (lo0, lo1), (hi0, hi1) = item["lo"], item["hi"]
        ax.add_patch(Rectangle((lo1 - 0.5, lo0 - 0.5), hi1 - lo1 + 1, hi0 - lo0 + 1, facecolor=color,
                               alpha=0.15, edgecolor="none", zorder=2))
        ax.add_patch(Rectangle((lo1 - 0.5, lo0 - 0.5), hi1 - lo1 + 1, hi0 - lo0 + 1, facecolor="none",
                               edgecolor=color, linewidth=2.2, zorder=3))
        text = f"{where}: rows {lo0}..{hi0}, cols {lo1}..{hi1} ({hi0 - lo0 + 1}×{hi1 - lo1 + 1})"
        if r.whole:
            text += ", through a whole-input layer"
        elif _defined(item):
            (u0, u1), (v0, v1) = item["u"], item["v"]
            if unclipped:
                ax.add_patch(Rectangle((u1 - 0.5, u0 - 0.5), v1 - u1 + 1, v0 - u0 + 1, facecolor="none",
                                       edgecolor=color, linewidth=1.4, linestyle="--", zorder=3))
            c0, c1 = item["center"]
            ax.plot([c1], [c0], marker="+", markersize=12, markeredgewidth=2, color=color, zorder=4)
            if (u0, u1, v0, v1) != (lo0, lo1, hi0, hi1):
                text += f"; with padding {v0 - u0 + 1}×{v1 - u1 + 1} from ({u0},{u1})"
            text += f"; centre ({c0}, {c1})"
        ax.annotate(f"{pos[0]},{pos[1]}", (lo1 - 0.5, lo0 - 0.5), xytext=(3, -3), textcoords="offset points",
                    color=color, fontsize=8, ha="left", va="top", fontweight="bold", zorder=5)
        notes.append((color, text))
    margin = 0.03 * max(span_x, span_y)
    ax.set_xlim(bounds[0] - margin, bounds[1] + margin)
    ax.set_ylim(bounds[3] + margin, bounds[2] - margin)
    ax.set_aspect("equal")
    ax.set_xlabel("column (axis 1)", fontsize=8)
    ax.set_ylabel("row (axis 0)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_title(title if title is not None else
                 f"receptive fields of {out_name} ({oh}×{ow}) on {_name(r.input)} ({H}×{W})", fontsize=10)
    handles = [Line2D([], [], color=c, linewidth=2, label=t) for c, t in notes]
    handles.append(Line2D([], [], color="black", linewidth=2, label="solid: exact region inside the image"))
    if unclipped:
        handles.append(Line2D([], [], color="black", linewidth=1.4, linestyle="--",
                              label="dashed: unclipped region (padding included), + centre"))
    fig.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, bbox_to_anchor=(0.01, 0.0))
    fig.subplots_adjust(bottom=(0.45 + 0.16 * len(handles)) / fig.get_figheight(), top=0.93)
    return _finish(fig, path, overwrite)


# ---------------------------------------------------------------------------------------------
# Growth with depth


def _depths(net, x: int, kind: str) -> dict[int, int]:
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


def _joined(values) -> str:
    from ..results import text

    texts = [text(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else ",".join(texts)


def plot_growth(G, *, input=None, input_size: Any = None, depth: str = "topological",
                title: str | None = None, path: str | os.PathLike | None = None,
                overwrite: bool = False):
    """Receptive field r, effective stride S and effective padding P of every map seen from
    the input (:func:`rfgraph.layer_table`) against depth: ``"topological"`` (the map's index
    in topological order) or ``"longest"`` (layers on the longest path from the input).

    One line per axis when the axes differ. Maps without a single value (paths with different
    strides, SAME padding without an input size) are marked ``x`` at the bottom of the panel;
    maps that depend on the whole input are marked ``▲`` at the top.

    Examples
    --------
    >>> import rfgraph
    >>> fig = rfgraph.plot_growth("graphs/distill_fig1_chain.dot")
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['receptive field r', 'effective stride S', 'effective padding P']
    """
    from matplotlib.ticker import MaxNLocator

    from ..analysis import table as node_table
    from ..analysis import with_sizes

    _refuse_existing(path, overwrite)
    net = with_sizes(G, input_size, input)
    x = net.endpoint("input", input)
    table = node_table(net, net.nodes[x])
    depths = _depths(net, x, depth)
    rows = sorted(((depths[net.index[name]], net.index[name], row) for name, row in table.items()
                   if net.index[name] in depths))
    ndim = net.ndim
    same = all(len({(a.rf, a.stride, a.padding) for a in row.axes}) == 1 for _, _, row in rows)
    axes_drawn = [0] if same else list(range(ndim))
    fig = _figure(7.5, 6.4)
    panels = fig.subplots(3, 1, sharex=True)
    quantities = (("rf", "receptive field r"), ("stride", "effective stride S"), ("padding", "effective padding P"))
    xs_all = [d for d, _, _ in rows]
    for ax, (attr, label) in zip(panels, quantities):
        for a in axes_drawn:
            xs, ys, missing, whole = [], [], [], []
            for d, v, row in rows:
                axis = row.axes[a]
                value = getattr(axis, attr)
                if axis.whole_input is not None:
                    whole.append(d)
                elif value is None:
                    missing.append(d)
                else:
                    xs.append(d)
                    ys.append(float(value))
            name = "" if same else f"axis {a}"
            color = COLORS[a % len(COLORS)]
            if depth.startswith("topo"):
                ax.plot(xs, ys, "-", marker="o", markersize=3, linewidth=1.0, label=name or None, color=color)
            else:  # several maps per depth: the points, and a line through the largest
                ax.plot(xs, ys, "o", markersize=3, label=name or None, color=color)
                top: dict = {}
                for d, val in zip(xs, ys):
                    top[d] = max(top.get(d, val), val)
                ax.plot(sorted(top), [top[d] for d in sorted(top)], "-", linewidth=1.0, color=color)
            if missing:
                ax.plot(missing, [0.02] * len(missing), "x", color="#c0392b", markersize=5,
                        transform=ax.get_xaxis_transform(), label="no single value" if a == axes_drawn[0] else None)
            if whole:
                ax.plot(whole, [0.96] * len(whole), "^", color="#555555", markersize=5,
                        transform=ax.get_xaxis_transform(), label="whole input" if a == axes_drawn[0] else None)
        ax.set_ylabel(label, fontsize=9)
        ax.grid(True, alpha=0.3)
        if all(float(getattr(row.axes[a], attr)).is_integer() for _, _, row in rows for a in axes_drawn
               if getattr(row.axes[a], attr) is not None):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        if attr == "stride":
            values = [float(getattr(row.axes[a], "stride")) for _, _, row in rows for a in axes_drawn
                      if row.axes[a].stride is not None]
            if values and min(values) > 0 and max(values) / min(values) >= 4:
                ax.set_yscale("log", base=2)
                from matplotlib.ticker import FuncFormatter

                ax.yaxis.set_major_formatter(FuncFormatter(lambda val, _: f"{val:g}"))
        if ax is panels[0] and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper left")
    # Small graphs: every map named on the x axis.
    bottom = panels[-1]
    if len(rows) <= 30 and depth.startswith("topo"):
        bottom.set_xticks(xs_all)
        bottom.set_xticklabels([_name(net.nodes[v]) for _, v, _ in rows], rotation=60, ha="right", fontsize=7)
    else:
        bottom.set_xlabel(f"depth ({'topological index' if depth.startswith('topo') else 'longest path from the input'})", fontsize=9)
    head = title if title is not None else f"{net.name or 'network'}: r, S, P seen from {_name(net.nodes[x])}"
    y = net.index.get(net.default_output) if net.default_output is not None else None
    if title is None and y is not None and y in depths and net.nodes[y] in table:
        row = table[net.nodes[y]]
        for ax in panels:
            ax.axvline(depths[y], color="#888888", linestyle=":", linewidth=1)
        if all(a.rf is not None for a in row.axes):
            values = ", ".join(f"{q} {_joined([getattr(a, attr) for a in row.axes])}"
                               for q, attr in (("r", "rf"), ("S", "stride"), ("P", "padding")))
        else:
            values = "; ".join(sorted({a.reason or "no single value" for a in row.axes}))
        head += f"\noutput {_name(net.nodes[y])} (dotted line): {values}"
    panels[0].set_title(head, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path, overwrite)
