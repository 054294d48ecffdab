"""What the matplotlib figures share: a Figure with no pyplot state, colours, and safe files.

Every plot function returns a :class:`matplotlib.figure.Figure` drawn with the Agg canvas (no
window, no pyplot state: safe in scripts, servers and notebooks, where the figure shows
itself) and, given ``path=``, also writes it there. matplotlib is imported only when a figure
is made.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ..core.errors import RenderError, RFGraphError, already_exists
from ..io.safe_write import write_bytes
from .text import visible

from .witness import COLORS  # noqa: F401  (path colours: the same in diagrams and plots)
FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg"}


def new_figure(width: float, height: float):
    """A Figure of ``width`` x ``height`` inches on the Agg canvas (no pyplot, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path: str | os.PathLike, *, overwrite: bool = False, format: str | None = None,
                dpi: float | None = 150) -> Path:
    """Write a matplotlib figure to ``path`` (format from the suffix unless given), atomically,
    refusing to replace a file unless ``overwrite``.

    >>> import tempfile, os
    >>> fig = new_figure(2, 1)
    >>> save_figure(fig, os.path.join(tempfile.mkdtemp(), "a.png")).suffix
    '.png'
    """
    fmt = format.lower().lstrip(".") if format else FIGURE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise RenderError(f"{path}: unknown figure type {Path(path).suffix or '(no suffix)'!r}: "
                          "use .png, .svg or .pdf")
    refuse_existing(path, overwrite)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    except ValueError as exc:  # a format matplotlib does not know
        raise RenderError(f"{path}: matplotlib cannot write {fmt}: {exc}") from None
    return write_bytes(path, buffer.getvalue(), overwrite=overwrite)


def refuse_existing(path, overwrite: bool) -> None:
    """Fail before drawing when the target exists (the write checks again, atomically)."""
    if path is not None and not overwrite and Path(path).exists() and not Path(path).is_dir():
        raise already_exists(path)


def finish(fig, path, overwrite: bool):
    """Write ``fig`` to ``path`` when one is given; return the figure."""
    if path is not None:
        save_figure(fig, path, overwrite=overwrite)
    return fig


def name(node: Any) -> str:
    """A node's name as shown (control characters spelt out)."""
    return visible(node)
