"""``rfgraph serve``: an HTTP API and an interactive receptive-field explorer.

The layers of the service, each in its own module:

- :mod:`~rfgraph.server.app`: the routes (Starlette), errors as ``{"version": 1, "error"}``;
- :mod:`~rfgraph.server.service`: the graphs served and uploaded, caches, the worker pools;
- :mod:`~rfgraph.server.pool` and :mod:`~rfgraph.server.worker`: questions run in worker
  processes that are killed at the time limit;
- :mod:`~rfgraph.server.store`: served files and the bounded upload store;
- :mod:`~rfgraph.server.drawing`: SVG by the embedded Graphviz, robustly;
- :mod:`~rfgraph.server.params`, :mod:`~rfgraph.server.openapi`, :mod:`~rfgraph.server.config`;
- ``static/``: the page (hand-written HTML, CSS and JavaScript modules; nothing from a network).

Starlette and uvicorn are imported only here, never by ``import rfgraph``.
"""

from __future__ import annotations

from typing import Any

from .config import ServerConfig

__all__ = ["ServerConfig", "serve"]


def __getattr__(name: str) -> Any:
    # the command line reads ServerConfig's defaults to build its parser: keep that import light
    if name == "serve":
        from .run import serve

        return serve
    raise AttributeError(f"module 'rfgraph.server' has no attribute {name!r}")
