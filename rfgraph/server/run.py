"""Run the service: bind, start the workers, print where it listens, serve until Ctrl-C."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Sequence

from ..core.errors import RFGraphError
from .config import ServerConfig
from .service import Service, bundled_graphs

__all__ = ["listen", "serve"]


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port); an error naming the
    address when it cannot be had."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             proto=socket.IPPROTO_TCP)[0]
        # proto must say TCP: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets
        # whose proto is IPPROTO_TCP, and socket.create_server() leaves it 0. Without it, every
        # answer written in two parts waits for the client's delayed ACK: 40 ms a request.
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(512)
    except (OSError, IndexError) as exc:
        raise RFGraphError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    return sock


def url_of(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(paths: Sequence[str] = (), host: str = "127.0.0.1", port: int = 8765,
          config: ServerConfig | None = None, open_browser: bool = False,
          announce: Callable[[str], None] | None = None) -> None:
    """Serve the graphs in ``paths`` (files or folders; none: the bundled ``graphs/``) until
    interrupted. ``announce`` receives the URL once the service is ready (default: print
    ``rfgraph: serving on URL`` on stdout)."""
    import uvicorn

    from .app import create_app

    if not paths:
        bundled = bundled_graphs()
        if bundled is None:
            raise RFGraphError("no graphs given and the bundled graphs are missing from this installation: "
                               "give graph files or folders, e.g. rfgraph serve models/")
        paths = [str(bundled)]
    sock = listen(host, port)
    try:
        service = Service(paths, config).start()
    except BaseException:
        sock.close()
        raise
    url = url_of(host, sock)
    server = uvicorn.Server(uvicorn.Config(create_app(service), log_level="warning", access_log=False,
                                           lifespan="on", timeout_graceful_shutdown=5))
    (announce or (lambda u: print(f"rfgraph: serving on {u}", flush=True)))(url)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    finally:
        service.close()
        sock.close()
    sys.stdout.flush()
