"""What runs inside a worker process: load graphs (kept in a small cache), answer questions,
write diagrams. The parent (:mod:`rfgraph.server.pool`) can kill a worker at any moment (a
question over the time limit), so a worker holds nothing the service cannot rebuild.

Messages are tuples; every reply is ``("ok", payload)``, ``("error", status, message)`` or
``("missing",)`` (the worker does not hold the graph: send its source). A worker never
answers with a traceback: bad input is an :class:`~rfgraph.core.errors.RFGraphError` and
becomes 400 (404 for an unknown node); a bug is logged on the worker's stderr and answered
with 500.

>>> handle_message(("ping",), GraphCache(1))
('ok', 'pong')
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from ..core.errors import NodeNotFoundError, ParseError, RFGraphError
from ..core.jsontext import encode as any_ints
from ..core.limits import set_limits
from ..passes.hierarchy import hierarchy
from .drawing import render_svg, warm_up
from .store import graph_id
from .store import read_served as read

__all__ = ["GraphCache", "handle_message", "main"]

#: Exit code of a worker that must be replaced (it ran out of memory: its state is suspect).
RECYCLE = 75
OUT_OF_MEMORY = "the question needs more memory than a worker may use: try a smaller input size"


class GraphCache:
    """The loaded graphs of one worker, least recently used first out."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self.items: OrderedDict[str, Any] = OrderedDict()

    def get(self, gid: str, source: tuple | None):
        """The network of graph ``gid``: cached, else loaded from ``source``; None when it
        is neither (the parent then sends the source)."""
        net = self.items.get(gid)
        if net is not None:
            self.items.move_to_end(gid)
            return net
        if source is None:
            return None
        net = load_source(gid, source)
        self.items[gid] = net
        while len(self.items) > self.capacity:
            self.items.popitem(last=False)
        return net


def load_source(gid: str, source: tuple):
    """Load a graph from ``("bytes", name, data)`` or ``("file", name, path)`` (a file
    served from the command line: read again, and refused if it changed since the start)."""
    from ..api import load_bytes

    kind, name = source[0], source[1]
    if kind == "file":
        data = read_served(name, source[2])
        if graph_id(name, data) != gid:
            raise NodeNotFoundError(f"{name} changed on disk since the service started: restart rfgraph serve "
                                    "to serve the new version")
    else:
        data = source[2]
    return load_bytes(data, name)


def read_served(name: str, path: str) -> bytes:
    """The bytes of a served file, read again (a file that is no longer a regular file, or
    no longer readable, is a 404 for this graph)."""
    try:
        return read(name, path)
    except ParseError as exc:
        raise NodeNotFoundError(f"{name}: cannot be read any more ({' '.join(str(exc).split())})") from None


# ---------------------------------------------------------------------------------------------
# Tasks


def summary(gid: str, name: str, net) -> dict:
    """The record of a graph in ``GET /api/graphs``."""
    return {"id": gid, "name": name, "input": _str(net.default_input), "output": _str(net.default_output),
            "nodes": len(net.nodes), "edges": len(net.edges),
            "input_size": list(net.input_size) if net.input_size is not None else None}


def structure(net) -> dict:
    """The maps (in the order of the diagram's node ids ``n0, n1, ...``), the layers, and the
    module views: at each depth of the module hierarchy, the diagram node (``n<i>`` or
    ``g<i>``) that holds each map."""
    return {"maps": [str(n) for n in net.nodes],
            "layers": [{"source": e.src, "target": e.dst, "label": e.layer.label()} for e in net.edges],
            "depths": depth_views(net)}


def depth_views(net) -> list[dict]:
    """For depth 1, 2, ... while a depth draws fewer nodes than there are maps: how many
    nodes the diagram at that depth draws and which node holds each map (the diagram's own
    grouping, :func:`rfgraph.render.view.make_boxes`, on the whole graph)."""
    from ..render.view import make_boxes  # the diagram's grouping loads with the views

    hier = hierarchy(net)
    drawn = [True] * len(net.nodes)
    views = []
    depth = 1
    while True:
        boxes, box_of = make_boxes(net, drawn, hier, depth)
        if len(boxes) >= len(net.nodes) or depth > 12:
            return views
        views.append({"depth": depth, "nodes": len(boxes), "node_of": [boxes[box_of[v]].id for v in range(len(net.nodes))]})
        depth += 1


def _str(node) -> str | None:
    return None if node is None else str(node)


def ask(net, question: str, params: dict) -> bytes:
    """The JSON answer to ``question`` (a function of :mod:`rfgraph.questions`)."""
    from .. import questions

    document = questions.to_json(getattr(questions, question)(net, **params))
    for one in document if isinstance(document, list) else [document]:
        one.pop("file", None)  # the CLI names the file it read; the service names graphs by id
    return encode(document)


def diagram_dot(net, params: dict) -> str:
    """DOT text of the annotated diagram."""
    from ..render.graphviz import architecture_dot

    return architecture_dot(net, **params)


def encode(document: Any) -> bytes:
    """Compact JSON (the CLI indents the same document). Path counts of huge graphs can have
    more digits than Python converts to text by default: those are written by
    :func:`rfgraph.core.jsontext.encode`, as the CLI writes them (was a 500)."""
    try:
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except ValueError:
        return any_ints(document).encode("utf-8")


def handle_message(message: tuple, cache: GraphCache) -> tuple:
    """Run one task; the reply to send back."""
    kind = message[0]
    try:
        if kind == "ping":
            return ("ok", "pong")
        if kind == "svg":
            try:
                return ("ok", render_svg(message[1]))
            except RFGraphError as exc:  # Graphviz failed on a diagram rfgraph wrote: not bad input
                return ("error", 503, _one_line(exc))
        gid, source = message[1], message[2]
        net = cache.get(gid, source)
        if net is None:
            return ("missing",)
        if kind == "summary":
            return ("ok", summary(gid, message[3], net))
        if kind == "structure":
            return ("ok", structure(net))
        if kind == "ask":
            return ("ok", ask(net, message[3], message[4]))
        if kind == "dot":
            return ("ok", diagram_dot(net, message[3]))
        return ("error", 500, f"unknown task {kind!r}")
    except NodeNotFoundError as exc:
        return ("error", 404, _one_line(exc))
    except RFGraphError as exc:
        return ("error", 400, _one_line(exc))
    except MemoryError:
        return ("error", 503, OUT_OF_MEMORY)
    except RecursionError:
        return ("error", 400, "the graph is nested too deeply to process")
    except Exception as exc:  # a bug: log it here, never send a traceback to a client
        traceback.print_exc(file=sys.stderr)
        return ("error", 500, f"internal error ({type(exc).__name__}): please report it")


def _one_line(exc: Exception) -> str:
    """The command line's one-line message (its wording: ``--max-length``, not ``max_length=``)."""
    return " ".join(str(getattr(exc, "cli", exc)).split())


def limit_memory(limit: int) -> None:
    """Cap this process's data segment (heap and anonymous writable memory) at ``limit``
    bytes, so a runaway allocation fails here with MemoryError instead of taking the machine."""
    if limit <= 0:
        return
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError):  # a hard limit below ours: keep it
        pass


def main(conn, kind: str, graphs: int, memory: int, limits=None) -> None:
    """The worker's loop: receive a task, send its reply, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    if limits is not None:
        set_limits(**asdict(limits))  # the service's limits: every question here runs within them
    limit_memory(memory)
    if kind == "render":
        warm_up()
    cache = GraphCache(graphs)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        reply = handle_message(message, cache)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply[0] == "error" and reply[2] == OUT_OF_MEMORY:
            os._exit(RECYCLE)  # after a MemoryError nothing in this process is trusted
