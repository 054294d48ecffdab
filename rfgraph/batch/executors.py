"""Where chunks run: in this process, in a pool of local processes, or on a Dask cluster.

Every executor maps the same function over the same chunks and yields the results in input
order (``ordered``) or as chunks finish. Only a bounded number of chunks is in flight, so a
batch of a million graphs never sits in memory, and results stream out as they are ready.

- :func:`run_serial`: one chunk after the other, here.
- :func:`run_processes`: ``concurrent.futures`` worker processes (forkserver where the
  platform has it: workers start from a clean interpreter, never a fork of a threaded one).
  Workers ignore Ctrl-C; the parent stops them. If a worker dies (a crash in a native
  library, the memory killer), the chunks it took down are retried one by one in a fresh
  pool, and a chunk that kills its worker again becomes error rows: the batch goes on.
- :func:`run_dask`: the same chunks as tasks of a Dask distributed cluster (Dask does the
  scheduling; this only submits chunks and gathers rows). Dask itself retries a task whose
  worker died; a task that still fails becomes error rows.

>>> list(run_serial(len, [[1, 2], [3]]))
[2, 1]
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from .. import __version__
from ..core.errors import RFGraphError

__all__ = ["check_cluster", "connect", "default_jobs", "run_dask", "run_processes", "run_serial"]

Chunk = list
#: ``on_failure(chunk, message)``: the result standing for a chunk whose worker failed
OnFailure = Callable[[Chunk, str], Any]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_serial(fn: Callable[[Chunk], Any], chunks: Iterable[Chunk]) -> Iterator[Any]:
    """``fn(chunk)`` for each chunk, in this process."""
    for chunk in chunks:
        yield fn(chunk)


def _quiet_worker() -> None:
    """Worker processes leave Ctrl-C to the parent, which shuts them down cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(jobs: int):
    # multiprocessing and concurrent.futures load here, not with the module: every rfgraph
    # command imports the batch command, and most never start a process.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    if "forkserver" in methods:
        context.set_forkserver_preload(["rfgraph.batch.worker"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_quiet_worker)


def run_processes(fn: Callable[[Chunk], Any], chunks: Iterable[Chunk], jobs: int, *, ordered: bool = True,
                  on_failure: OnFailure, window: int | None = None) -> Iterator[Any]:
    """``fn(chunk)`` for each chunk in ``jobs`` worker processes (``fn`` must be picklable:
    a module-level function, or a :func:`functools.partial` of one)."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    window = window or 4 * jobs
    source = iter(chunks)
    pools = [_pool(jobs)]  # the last one is live; a pool whose worker died is replaced
    pending: deque = deque()  # (future, chunk, pool), in submission order

    def submit(chunk: Chunk) -> None:
        try:
            future = pools[-1].submit(fn, chunk)
        except BrokenProcessPool:  # it died since the last look; its futures will say so
            pools.append(_pool(jobs))
            future = pools[-1].submit(fn, chunk)
        pending.append((future, chunk, pools[-1]))

    def broken(future) -> bool:
        return isinstance(future.exception(), BrokenProcessPool)

    try:
        for chunk in islice(source, window):
            submit(chunk)
        while pending:
            if ordered:
                entry = pending[0]
            else:
                done, _ = wait([f for f, _, _ in pending], return_when=FIRST_COMPLETED)
                entry = next(e for e in pending if e[0] in done)
            future, chunk, pool = entry
            if broken(future):
                # A worker died and its pool's chunks in flight with it: redo those one by
                # one (only a chunk that kills its worker again fails); the rest stand.
                if pools[-1] is pool:
                    pools.append(_pool(jobs))
                pool.shutdown(wait=False, cancel_futures=True)
                flight = list(pending)
                pending.clear()
                for f, c, _ in flight:
                    if broken(f):
                        yield from _retry_alone(fn, c, on_failure)
                    else:
                        yield f.result()
                for chunk in islice(source, window):
                    submit(chunk)
                continue
            pending.remove(entry)
            for chunk in islice(source, 1):
                submit(chunk)
            yield future.result()
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _retry_alone(fn: Callable[[Chunk], Any], chunk: Chunk, on_failure: OnFailure) -> Iterator[Any]:
    """``fn(chunk)`` in a pool of its own; ``on_failure`` if it kills that worker too."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(1)
    try:
        yield pool.submit(fn, chunk).result()
    except BrokenProcessPool:
        yield on_failure(chunk, "the worker process analysing it died (a crash, or out of memory)")
    finally:
        pool.shutdown(wait=True)


def connect(scheduler: str):
    """A Dask distributed client connected to ``scheduler`` (``tcp://host:port``)."""
    try:
        from distributed import Client
    except ImportError:
        raise RFGraphError("running on a Dask cluster needs Dask: pip install 'rfgraph[dask]'") from None
    from distributed.comm import get_address_host_port

    try:  # a malformed address: before a Client exists (a half-made one hangs at exit)
        get_address_host_port(scheduler)
    except ValueError as exc:
        raise RFGraphError(f"Dask scheduler address {scheduler!r}: expected tcp://HOST:PORT ({exc})") from None
    try:
        return Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise RFGraphError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def _versions() -> str:
    return __version__


def check_cluster(client) -> int:
    """The number of worker threads of the cluster; an error if it has none or if a worker's
    rfgraph is missing or another version (its rows could differ)."""
    found = client.run(_versions, on_error="return")
    if not found:
        raise RFGraphError("the Dask cluster has no workers")
    for worker, version in sorted(found.items()):
        if isinstance(version, BaseException):
            raise RFGraphError(f"Dask worker {worker} cannot run rfgraph ({type(version).__name__}: {version}): "
                               "install it there")
        if version != __version__:
            raise RFGraphError(f"Dask worker {worker} has rfgraph {version}, this is {__version__}: "
                               "use the same version everywhere")
    return sum(client.nthreads().values())


def run_dask(fn: Callable[[Chunk], Any], chunks: Iterable[Chunk], client, *, ordered: bool = True,
             on_failure: OnFailure, window: int | None = None) -> Iterator[Any]:
    """``fn(chunk)`` for each chunk as tasks of the Dask cluster of ``client``."""
    from distributed import as_completed

    # Two chunks per worker thread keep every thread busy (one running, one waiting) without
    # holding much of a big batch in the cluster's memory.
    window = window or 2 * check_cluster(client) + 2
    source = iter(chunks)
    pending: deque = deque()
    finished = None  # as_completed over the futures in flight (unordered); made with the first
    chunk_of: dict = {}

    def fill() -> None:
        nonlocal finished
        while len(pending) < window:
            chunk = next(source, None)
            if chunk is None:
                return
            future = client.submit(fn, chunk, pure=False)
            pending.append(future)
            chunk_of[future.key] = chunk
            if not ordered:
                if finished is None:
                    finished = as_completed(loop=client.loop)
                finished.add(future)

    def result(future) -> Any:
        chunk = chunk_of.pop(future.key)
        try:
            return future.result()
        except (OSError, TimeoutError) as exc:  # the cluster went away: stop, keep what was written
            raise RFGraphError(f"lost the Dask cluster: {exc}") from None
        except Exception as exc:  # the task itself failed (its workers died): its rows say so
            return on_failure(chunk, f"the Dask task failed: {type(exc).__name__}: {exc}")

    try:
        fill()
        while pending:
            if ordered:
                future = pending.popleft()
            else:
                future = next(finished)
                pending.remove(future)
            value = result(future)
            fill()
            yield value
    finally:
        for future in pending:
            future.cancel()
