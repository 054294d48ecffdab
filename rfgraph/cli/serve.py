"""``rfgraph serve``: the HTTP API and the receptive-field explorer page.

    rfgraph serve [PATH ...] [--host 127.0.0.1] [--port 8765] [--open] [--max-upload 50MB]
                  [--timeout 30] [--workers N]

Starlette and uvicorn are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import gc
import re
from dataclasses import replace

from ..core.errors import RFGraphError
from ..core.limits import current_limits

__all__ = ["register"]

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*\Z", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def byte_size(text: str) -> int:
    """``50MB``, ``50M``, ``512k``, ``1G`` or a number of bytes.

    >>> byte_size("50MB"), byte_size("512k"), byte_size("1000")
    (52428800, 524288, 1000)
    """
    found = _SIZE.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"expected a size such as 50MB, 512k or 1000000, got {text!r}")
    unit = (found.group(2) or "").lower()[:1]
    value = int(float(found.group(1)) * _UNITS[unit])
    if value < 1:
        raise argparse.ArgumentTypeError(f"the size must be at least one byte, got {text!r}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 24 * 3600:
        raise argparse.ArgumentTypeError(f"expected a number of seconds between 0 and 86400, got {text!r}")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected 1 to 64, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the ``rfgraph`` command line."""
    from ..server.config import ServerConfig

    default = ServerConfig()
    p = sub.add_parser(
        "serve", help="HTTP API and interactive receptive-field explorer in the browser",
        description="Serve graph files (and folders of them) over HTTP: a JSON API (the answers of "
                    "rfgraph analyze/table/paths/region --json) and an explorer page. With no PATH, "
                    "the bundled graphs. Listens on 127.0.0.1 unless told otherwise; Ctrl-C stops it.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="graph files (.dot, .gv, .graphml, .json, .onnx) or folders")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the page in a web browser")
    p.add_argument("--max-upload", type=byte_size, default=default.max_upload, metavar="SIZE",
                   help="largest upload (default 50MB)")
    p.add_argument("--timeout", type=seconds, default=default.timeout, metavar="SECONDS",
                   help=f"time limit of one question (default {default.timeout:g} s)")
    p.add_argument("--workers", type=count, default=default.workers, metavar="N",
                   help=f"processes answering questions (default {default.workers})")
    p.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    # the web framework loads with the server, only for this command
    from ..server import ServerConfig, serve

    # The command line pauses the cyclic collector for its one command; a server runs for
    # days and its web stack makes cycles (exceptions, tasks): collect them.
    gc.enable()

    if not 0 <= args.port <= 65535:
        raise RFGraphError(f"--port {args.port}: expected 0 to 65535")
    # --max-length and the other --max-* limits (every command has them) hold in every worker
    config = replace(ServerConfig(), max_upload=args.max_upload, timeout=args.timeout, workers=args.workers,
                     limits=current_limits())
    try:
        serve(args.paths, args.host, args.port, config, open_browser=args.open)
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down cleanly and re-raised the signal
        pass
    return 0
