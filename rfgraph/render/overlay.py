"""The overlay: the exact region (solid, inside the image) and the unclipped region (dashed,
padding included) of output features, with their centres, over an image or a plain grid of
the input size (2-D graphs). The regions come from :func:`rfgraph.exact_regions`.

>>> import rfgraph
>>> fig = plot_overlay(rfgraph.load("graphs/resnet50.dot"), (3, 3), output="layer1", input_size=32)
>>> fig.axes[0].get_title()
'receptive fields of layer1 (8×8) on image (32×32)'
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ..core.errors import AttributeValueError, RenderError, RFGraphError, worded
from ..analysis import exact_regions
from ..io.files import read_input
from ..core.network import as_network
from .figures import COLORS, finish, name, new_figure, refuse_existing


def plot_overlay(G, at: Any = None, *, image: Any = None, input_size: Any = None, input=None,
                 output=None, unclipped: bool = True, title: str | None = None,
                 path: str | os.PathLike | None = None, overwrite: bool = False):
    """The receptive fields of output features ``at`` drawn over an image (2-D graphs).

    ``at`` is one position ``(i, j)`` or a list of them (default: the centre output and the
    top-left one, which shows clipping at the border). ``image`` is a file name (PNG; JPEG
    needs Pillow) or an array; its height and width are the input size, unless
    ``input_size`` is given too: then the image is resized to it (as a network's
    preprocessing would) and the title says so. Without an image, a grid of ``input_size``
    (argument or graph attribute) is drawn.

    Each region is drawn as its exact hull inside the image (solid; ``regions(...).at(pos)``
    ``lo``/``hi``), the unclipped region with padding (dashed; ``u``/``v``) and its centre;
    the position labels are placed so that they never overlap.

    Examples
    --------
    >>> import rfgraph
    >>> fig = rfgraph.plot_overlay("graphs/resnet50.dot", at=[(0, 0), (1, 1)], input_size=64)
    >>> fig.axes[0].get_title()
    'receptive fields of layer4 (2×2) on image (64×64)'
    """
    refuse_existing(path, overwrite)
    net = as_network(G)
    _need_2d(net.ndim if not net.flexible else 2)
    pixels, size, resized = overlay_input(net, image, input_size)
    r = exact_regions(net, size, input, output)
    _need_2d(len(r.input_size))
    positions = overlay_positions(at, r.output_size)
    found = [r.at(p) for p in positions]
    bounds = _bounds(found, r.input_size, unclipped)
    fig, ax = _overlay_figure(bounds, len(found))
    draw_backdrop(ax, pixels, r.input_size)
    notes = [draw_region(ax, COLORS[k % len(COLORS)], f"{name(r.output)}[{pos[0]},{pos[1]}]", pos, item,
                         r.whole, unclipped)
             for k, (pos, item) in enumerate(zip(positions, found))]
    _frame(ax, bounds)
    H, W = r.input_size
    oh, ow = r.output_size
    if title is None:
        title = f"receptive fields of {name(r.output)} ({oh}×{ow}) on {name(r.input)} ({H}×{W})"
        if resized:
            title += f"\nimage resized from {resized[0]}×{resized[1]} to {H}×{W}"
    ax.set_title(title, fontsize=10)
    overlay_legend(fig, [(color, text) for color, text, _ in notes], unclipped)
    place_labels(ax, [label for _, _, label in notes if label is not None])
    return finish(fig, path, overwrite)


def _need_2d(ndim: int) -> None:
    if ndim != 2:
        axes = "axis" if ndim == 1 else "axes"
        raise RFGraphError(**worded(f"an overlay needs a 2-D graph: this one has {ndim} {axes} ({{fix}})",
                                    fix=("use plot_region", "use --kind region")))


# ---------------------------------------------------------------------------------------------
# Data


def read_image(path: str | os.PathLike):
    """An image file as a numpy array (PNG natively; JPEG and others through Pillow); only a
    regular file within the ``max_file_size`` limit is read (a FIFO would block)."""
    p = Path(path)
    if not p.exists():
        raise RFGraphError(f"{path}: no such image file")
    data = read_input(p)
    if p.suffix.lower() != ".png":
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise RenderError(f"{path}: reading {p.suffix or 'this'} images needs Pillow: pip install pillow "
                              "(or convert the image to PNG)") from None
    import matplotlib.image as mpimg

    try:
        return mpimg.imread(io.BytesIO(data), format=p.suffix.lower().lstrip(".") or None)
    except Exception as exc:  # corrupt or unsupported files: Pillow and libpng raise many kinds
        raise RFGraphError(f"{path}: cannot read the image: {exc}") from None


def overlay_input(net, image: Any, input_size: Any):
    """The image's pixels (None without an image), the input size and, when the image was
    resized to ``input_size``, its original height and width (else None). The input size is
    ``input_size``, else the image's, else the graph attribute."""
    import numpy as np

    pixels = None
    if image is not None:
        pixels = read_image(image) if isinstance(image, (str, os.PathLike)) else np.asarray(image)
        if pixels.ndim not in (2, 3):
            raise RFGraphError(f"the image has {pixels.ndim} dimensions: expected height x width (x channels)")
        if input_size is None:
            input_size = tuple(int(n) for n in pixels.shape[:2])
    elif input_size is None:
        input_size = net.input_size
    if input_size is None:
        raise AttributeValueError(**worded("no input size: give an image, {fix} or the graph attribute input_size",
                                           fix=("input_size=...", "--input-size N,M")))
    size = tuple(int(n) for n in input_size) if isinstance(input_size, (tuple, list)) else (int(input_size),)
    if len(size) == 1 and (net.flexible or net.ndim == 2):
        size = size * 2
    resized = None
    if pixels is not None and len(size) == 2 and tuple(pixels.shape[:2]) != size:
        resized = tuple(int(n) for n in pixels.shape[:2])
        pixels = resize_image(pixels, size)
    return pixels, size, resized


def resize_image(pixels, size: tuple[int, int]):
    """``pixels`` resampled to ``size`` (height, width): each output pixel the average of the
    input area it covers (shrinking), or linearly interpolated (enlarging).

    >>> import numpy as np
    >>> resize_image(np.arange(16.0).reshape(4, 4), (2, 2)).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    import numpy as np

    data = np.asarray(pixels, dtype=np.float64)
    rows, cols = (_resample_matrix(n_in, n_out) for n_in, n_out in zip(data.shape[:2], size))
    out = np.einsum("ij,jk...->ik...", rows, data)
    out = np.einsum("ij,kj...->ki...", cols, out)
    if np.issubdtype(np.asarray(pixels).dtype, np.integer):
        out = np.clip(np.rint(out), 0, np.iinfo(np.asarray(pixels).dtype).max).astype(np.asarray(pixels).dtype)
    return out


def _resample_matrix(n_in: int, n_out: int):
    """``W`` (n_out x n_in) with ``out = W @ in`` along one axis."""
    import numpy as np

    W = np.zeros((n_out, n_in))
    if n_out <= n_in:  # area: output i covers input [i, i + 1) * n_in / n_out
        scale = n_in / n_out
        for i in range(n_out):
            lo, hi = i * scale, (i + 1) * scale
            for j in range(int(np.floor(lo)), min(int(np.ceil(hi)), n_in)):
                W[i, j] = min(hi, j + 1) - max(lo, j)
        return W / W.sum(axis=1, keepdims=True)
    centres = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    left = np.floor(centres).astype(int)
    right = np.minimum(left + 1, n_in - 1)
    frac = centres - left
    W[np.arange(n_out), left] += 1 - frac
    W[np.arange(n_out), right] += frac
    return W


def overlay_positions(at: Any, out_size: tuple[int, int]) -> list[tuple[int, int]]:
    """The output positions drawn: ``at`` as a list of (i, j), or the centre and (0, 0).

    >>> overlay_positions(None, (7, 7)), overlay_positions(3, (7, 7)), overlay_positions([(1, 2)], (7, 7))
    ([(3, 3), (0, 0)], [(3, 3)], [(1, 2)])
    """
    oh, ow = out_size
    if at is None:
        positions = [((oh - 1) // 2, (ow - 1) // 2)]
        if (0, 0) not in positions:
            positions.append((0, 0))
        return positions
    if isinstance(at, list) and at and isinstance(at[0], (tuple, list)):
        return [tuple(int(c) for c in p) for p in at]
    values = tuple(at) if isinstance(at, (tuple, list)) else (at, at)
    return [tuple(int(c) for c in (values * 2 if len(values) == 1 else values))]


def _defined(item: dict) -> bool:
    """The unclipped region of a position is defined (None, or Nones, when it is not)."""
    return item["u"] is not None and item["u"][0] is not None


# ---------------------------------------------------------------------------------------------
# Layout and drawing


def _bounds(found: list[dict], input_size: tuple[int, int], unclipped: bool) -> list[float]:
    """The data range shown ``[x0, x1, y0, y1]``: the image, and the unclipped regions."""
    H, W = input_size
    bounds = [-0.5, W - 0.5, -0.5, H - 0.5]
    for item in found:
        if unclipped and _defined(item):
            bounds = [min(bounds[0], item["u"][1] - 0.5), max(bounds[1], item["v"][1] + 0.5),
                      min(bounds[2], item["u"][0] - 0.5), max(bounds[3], item["v"][0] + 0.5)]
    return bounds


def _overlay_figure(bounds: list[float], n_items: int):
    """A figure about 6 inches across the longer side of ``bounds``, room for the legend."""
    span_x, span_y = bounds[1] - bounds[0], bounds[3] - bounds[2]
    scale = 6.0 / max(span_x, span_y)
    fig = new_figure(max(span_x * scale, 3.0) + 0.4, span_y * scale + 1.0 + 0.2 * n_items)
    return fig, fig.add_subplot()


def draw_backdrop(ax, pixels, input_size: tuple[int, int]) -> None:
    """The image (or a light grid of the input size) and its border."""
    import numpy as np
    from matplotlib.patches import Rectangle

    H, W = input_size
    if pixels is not None:
        ax.imshow(pixels, extent=(-0.5, W - 0.5, H - 0.5, -0.5), cmap="gray" if pixels.ndim == 2 else None,
                  interpolation="nearest")
    else:
        ax.add_patch(Rectangle((-0.5, -0.5), W, H, facecolor="#f7f7f7", edgecolor="none"))
        step = max(1, int(np.ceil(max(H, W) / 48)))
        for i in range(0, H + 1, step):
            ax.plot([-0.5, W - 0.5], [i - 0.5, i - 0.5], color="#dddddd", linewidth=0.5)
        for i in range(0, W + 1, step):
            ax.plot([i - 0.5, i - 0.5], [-0.5, H - 0.5], color="#dddddd", linewidth=0.5)
    ax.add_patch(Rectangle((-0.5, -0.5), W, H, facecolor="none", edgecolor="#333333", linewidth=0.8, zorder=1.5))


def draw_region(ax, color: str, where: str, pos: tuple[int, int], item: dict, whole: bool,
                unclipped: bool) -> tuple[str, str, tuple | None]:
    """One output feature's exact region (filled, solid border), unclipped region (dashed) and
    centre (+); returns its legend entry (colour, text) and its label to place (text, colour,
    box corners in data coordinates), or None."""
    from matplotlib.patches import Rectangle

    if item["lo"] is None:
        return color, f"{where}: depends on no input pixel", None
    (lo0, lo1), (hi0, hi1) = item["lo"], item["hi"]
    box = ((lo1 - 0.5, lo0 - 0.5), hi1 - lo1 + 1, hi0 - lo0 + 1)
    ax.add_patch(Rectangle(*box, facecolor=color, alpha=0.15, edgecolor="none", zorder=2))
    ax.add_patch(Rectangle(*box, facecolor="none", edgecolor=color, linewidth=2.2, zorder=3))
    text = f"{where}: rows {lo0}..{hi0}, cols {lo1}..{hi1} ({hi0 - lo0 + 1}×{hi1 - lo1 + 1})"
    if whole:
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
    return color, text, (f"{pos[0]},{pos[1]}", color, (lo1 - 0.5, lo0 - 0.5, hi1 + 0.5, hi0 + 0.5))


def place_labels(ax, labels: list[tuple[str, str, tuple]]) -> list:
    """Write each position label at the first place around its box where it overlaps no label
    already written: inside the top-left corner (the default), the other corners, just
    outside; else further down the box's left edge until it is free. Returns the texts."""
    renderer = ax.figure.canvas.get_renderer()
    placed: list = []
    texts = []
    for text, color, (x0, y0, x1, y1) in labels:
        # (anchor, offset in points, alignment); y grows downwards on the image
        candidates = [((x0, y0), (3, -3), "left", "top"), ((x1, y0), (-3, -3), "right", "top"),
                      ((x0, y1), (3, 3), "left", "bottom"), ((x1, y1), (-3, 3), "right", "bottom"),
                      ((x0, y0), (0, 3), "left", "bottom"), ((x0, y1), (0, -3), "left", "top")]
        candidates += [((x0, y0), (3, -3 - 11 * k), "left", "top") for k in range(1, 200)]
        for k, (anchor, offset, ha, va) in enumerate(candidates):
            label = ax.annotate(text, anchor, xytext=offset, textcoords="offset points", color=color, fontsize=8,
                                ha=ha, va=va, fontweight="bold", zorder=5, gid="position-label",
                                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                      "alpha": 0.8})  # readable on any photograph
            box = label.get_window_extent(renderer)
            if k == len(candidates) - 1 or not any(box.overlaps(other) for other in placed):
                break
            label.remove()
        placed.append(box)
        texts.append(label)
    return texts


def _frame(ax, bounds: list[float]) -> None:
    """Limits (with a margin), equal aspect, axis labels."""
    margin = 0.03 * max(bounds[1] - bounds[0], bounds[3] - bounds[2])
    ax.set_xlim(bounds[0] - margin, bounds[1] + margin)
    ax.set_ylim(bounds[3] + margin, bounds[2] - margin)
    ax.set_aspect("equal")
    ax.set_xlabel("column (axis 1)", fontsize=8)
    ax.set_ylabel("row (axis 0)", fontsize=8)
    ax.tick_params(labelsize=7)


def overlay_legend(fig, notes: list[tuple[str, str]], unclipped: bool) -> None:
    """One line per output feature, then what solid and dashed mean."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, linewidth=2, label=t) for c, t in notes]
    handles.append(Line2D([], [], color="black", linewidth=2, label="solid: exact region inside the image"))
    if unclipped:
        handles.append(Line2D([], [], color="black", linewidth=1.4, linestyle="--",
                              label="dashed: unclipped region (padding included), + centre"))
    fig.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, bbox_to_anchor=(0.01, 0.0))
    fig.subplots_adjust(bottom=(0.45 + 0.16 * len(handles)) / fig.get_figheight(), top=0.93)
