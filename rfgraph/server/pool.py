"""Worker processes the service can kill: every question runs in one, under a time limit.

A question that runs past the limit (a huge graph, a runaway input) must neither hang the
service nor take it down, and a Python thread cannot be stopped; a process can. So each
:class:`Pool` keeps a few long-lived worker processes (started with ``spawn``: no state is
inherited from the parent's threads), hands a task to an idle one and waits for the reply at
most until the deadline; past it, or when the worker dies (out of memory, a crash), the
worker is killed, a fresh one takes its place, and the caller gets :class:`Unavailable`
(HTTP 503). Workers keep the graphs they loaded; a worker that does not hold a graph answers
``("missing",)`` and is sent its source once.

The blocking :meth:`Pool.run` is meant to be called from a thread (the web app runs it with
``anyio.to_thread``), so the event loop keeps serving other clients meanwhile.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from typing import Any

from .worker import OUT_OF_MEMORY
from .worker import main as worker_main

__all__ = ["Failed", "Pool", "Unavailable"]

#: Seconds a new worker may take to start (import rfgraph; compile the WebAssembly renderer).
BOOT_TIMEOUT = 120.0


class Unavailable(Exception):
    """The question could not be answered in time or the worker died: HTTP 503."""


class Failed(Exception):
    """The worker answered with an error: ``status`` and one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx, kind: str, graphs: int, memory: int, limits) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, kind, graphs, memory, limits), daemon=True,
                                   name=f"rfgraph-{kind}")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        """Wait for the worker to have started (imports, the renderer's compile): not part of
        any question's time limit, but bounded too."""
        if self.ready:
            return
        try:
            if not self.conn.poll(BOOT_TIMEOUT) or self.conn.recv() != ("ready",):
                raise ConnectionError("the worker did not start")
        except (EOFError, OSError) as exc:
            raise ConnectionError("the worker did not start") from exc
        self.ready = True

    def call(self, message: tuple, timeout: float) -> tuple:
        """Send a task and wait for its reply at most ``timeout`` seconds."""
        try:
            self.conn.send(message)
            ready = self.conn.poll(max(timeout, 0))
            reply = self.conn.recv() if ready else None
        except (EOFError, OSError) as exc:
            raise ConnectionError("the worker died") from exc
        if reply is None:
            raise TimeoutError
        return reply

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        finally:
            self.conn.close()


class Pool:
    """``size`` worker processes of one ``kind`` (``"analysis"`` or ``"render"``).

    Parameters
    ----------
    size : int
    kind : str
    timeout : float
        Seconds a task may take, waiting for an idle worker included.
    graphs : int
        Graphs each worker keeps loaded.
    memory : int
        Data-segment limit of each worker in bytes (0: none).
    limits : Limits, optional
        rfgraph's limits in force in each worker (default: the documented ones).
    """

    def __init__(self, size: int, kind: str, timeout: float, graphs: int = 16, memory: int = 0,
                 limits=None) -> None:
        self.kind, self.timeout, self.graphs, self.memory, self.limits = kind, timeout, graphs, memory, limits
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0  # workers killed and replaced (time limit, death): for tests and logs
        for _ in range(max(1, size)):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.kind, self.graphs, self.memory, self.limits)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1
        worker.kill()
        if not self._closed:
            self._idle.put(self._start())

    def run(self, message: tuple, source: tuple | None = None, timeout: float | None = None) -> Any:
        """Run one task and return its payload.

        ``message`` names the graph as its second item when the task needs one; ``source``
        is that graph's source, sent only to a worker that does not hold it.

        Raises
        ------
        Failed
            The task's error (status and message).
        Unavailable
            No reply in time (the worker was killed and replaced), or the worker died.
        """
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise Unavailable(f"every worker was busy for {limit:g} s (--timeout): try again later") from None
        try:
            if not worker.ready:
                worker.wait_ready()
                deadline = max(deadline, time.monotonic() + limit)  # its start does not count
            reply = worker.call(message, deadline - time.monotonic())
            if reply[0] == "missing":
                if source is None:
                    raise Failed(500, "internal error: a worker was asked for a graph without its source")
                with_source = message[:2] + (source,) + message[3:]
                reply = worker.call(with_source, deadline - time.monotonic())
        except TimeoutError:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise Unavailable(f"the question took more than {limit:g} s (the service's --timeout): it was "
                              "stopped; try a smaller input size or a part of the graph (input/output)") from None
        except ConnectionError:
            self._replace(worker)
            raise Unavailable("the worker answering this question stopped (out of memory or a crash): "
                              "it was replaced; try a smaller input") from None
        except BaseException:
            self._idle.put(worker)
            raise
        if reply[0] == "error" and reply[2] == OUT_OF_MEMORY:
            self._replace(worker)  # it exits after running out of memory
        else:
            self._idle.put(worker)
        if reply[0] == "error":
            raise Failed(reply[1], reply[2])
        return reply[1]

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
