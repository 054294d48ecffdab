"""Batch analysis: many graphs, in this process, in local worker processes or on a Dask
cluster, with rows in input order.

Graphs are read lazily (:mod:`.sources`), cut into chunks, analysed chunk by chunk wherever
the chunks run (:mod:`.worker`, :mod:`.executors`) and come back as rows: the
:class:`~rfgraph.results.BatchRow` records of :func:`analyze_many`, or the JSON or CSV lines
of ``rfgraph batch`` (:func:`run`; workers format them, so only text travels back). Every
row is built by the same code as ``rfgraph analyze``: ``rfgraph.analyze(...).to_dict()``.

Without ``diagnose`` each graph gets the verdict without witness paths (see
:func:`rfgraph.analyze`), which is what makes thousands of graphs per second possible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any

from ..core import attrs as A
from ..core.ops import registered_ops
from ..results import BatchRow
from .executors import connect, default_jobs, run_dask, run_processes, run_serial
from .sources import Item, count, expand
from .worker import FORMS, Options, run_chunk

__all__ = ["DASK_CHUNK_SIZE", "DEFAULT_CHUNK_SIZE", "analyze_many", "count", "run"]

#: Graphs per chunk for local worker processes: large enough that sending a chunk costs
#: little against analysing it (a NAS-Bench-201-sized graph takes under a millisecond; chunks
#: of 1 halve the throughput), small enough that the first rows come back at once and the
#: workers finish together (benchmarks/bench_batch.py: 8 to 64 are equally fast, 256 and up
#: slower at the end).
DEFAULT_CHUNK_SIZE = 64
#: Graphs per Dask task: a task costs the scheduler about a millisecond, so tasks should take
#: a few hundred (benchmarks/bench_batch.py: chunks of 16 and 64 are slower than 256).
DASK_CHUNK_SIZE = 256


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while True:
        chunk = list(islice(items, size))
        if not chunk:
            return
        yield chunk


def _failed(form: str, chunk: list[Item], message: str) -> tuple[list, int]:
    """The rows of a chunk whose worker failed: an error row per graph."""
    options = Options(form=form)
    return run_chunk([Item(item.name, "error", f"{item.name}: {message}") for item in chunk], options)


def run(sources: Iterable[Any], *, form: str = "record", jobs: int | None = 1, diagnose: bool = False,
        input_size: Any = None, ordered: bool = True, client: Any = None,
        chunk_size: int | None = None, cli: bool = False) -> Iterator[tuple[list, int]]:
    """The rows of every graph of ``sources``, a chunk at a time: ``(rows, errors)`` pairs,
    rows in ``form`` (``"record"``, ``"jsonl"`` or ``"csv"``: see
    :func:`rfgraph.batch.worker.run_chunk`), error rows worded for the command line with
    ``cli``. Other parameters as for :func:`analyze_many`."""
    if form not in FORMS:
        raise ValueError(f"form={form!r}: one of {', '.join(FORMS)}")
    if jobs is not None and jobs < 0:
        raise ValueError(f"jobs={jobs}: give a number of processes, or 0 (or None) for every core")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size}: give a positive number of graphs")
    size = A.positive_axes(input_size, "input size", "input_size") if input_size is not None else None
    options = Options(input_size=size, diagnose=diagnose, form=form, ops=tuple(registered_ops().items()), cli=cli)
    chunks = _chunks(expand(sources), chunk_size or (DASK_CHUNK_SIZE if client is not None else DEFAULT_CHUNK_SIZE))
    work = partial(run_chunk, options=options)
    on_failure = partial(_failed, form)
    if client is not None:
        own = isinstance(client, str)  # an address: connect here, and close when done
        if own:
            client = connect(client)
        try:
            yield from run_dask(work, chunks, client, ordered=ordered, on_failure=on_failure)
        finally:
            if own:
                client.close()
        return
    jobs = jobs or default_jobs()
    if jobs == 1:
        yield from run_serial(work, chunks)
    else:
        yield from run_processes(work, chunks, jobs, ordered=ordered, on_failure=on_failure)


def analyze_many(graphs: Iterable[Any], *, jobs: int | None = 1, diagnose: bool = False, ordered: bool = True,
                 client: Any = None, input_size: Any = None, chunk_size: int | None = None) -> Iterator[BatchRow]:
    """Analyse many graphs: yield one :class:`~rfgraph.results.BatchRow` per graph.

    Parameters
    ----------
    graphs : iterable
        Graph files (DOT, GraphML, node-link ``.json``, ONNX), folders of them, ``.jsonl``
        files (one networkx node-link graph per line), graphs (``Network``, networkx graphs,
        node-link dicts) or ``(name, graph)`` pairs. Read lazily.
    jobs : int, optional
        Worker processes: 1 (the default) analyses here; 0 or None uses every core.
    diagnose : bool
        Witness paths for every mismatch, as :func:`rfgraph.analyze` gives by default.
        Without (the default), each mismatch is the verdict alone: several times faster.
    ordered : bool
        Rows in input order (the default), or as chunks finish.
    client : distributed.Client or str, optional
        Run the chunks on this Dask cluster (or the scheduler at this address,
        ``tcp://host:port``) instead of local processes (``pip install 'rfgraph[dask]'``).
    input_size : int or sequence of int, optional
        Analyse every graph at this input size (default: each graph's ``input_size``).
    chunk_size : int, optional
        Graphs per task (default :data:`DEFAULT_CHUNK_SIZE` for processes,
        :data:`DASK_CHUNK_SIZE` for Dask).

    Yields
    ------
    BatchRow
        ``name`` (the file, ``file:line``, the graph's name or ``#index``), and ``analysis``
        or ``error``: a graph that cannot be analysed is a row with its error, never the end
        of the batch. ``row.to_dict()`` is the ``rfgraph analyze --json`` document plus
        ``name``.

    Examples
    --------
    >>> import rfgraph
    >>> rows = rfgraph.analyze_many(["graphs/distill_fig1_chain.dot", "graphs/nowhere.dot",
    ...                              "graphs/distill_fig4_misaligned.dot"])
    >>> for row in rows:
    ...     print(row.name, row.analysis.rf if row.ok else row.error)
    graphs/distill_fig1_chain.dot (7,)
    graphs/nowhere.dot graphs/nowhere.dot: no such file or folder
    graphs/distill_fig4_misaligned.dot (None,)
    >>> row = next(rfgraph.analyze_many(["graphs/distill_fig4_misaligned.dot"]))
    >>> row.analysis.aligned, [m.to_dict() for m in row.analysis.mismatches]
    (False, [{'kind': 'stride', 'axes': [0], 'node': 'y'}])
    """
    for rows, _ in run(graphs, form="record", jobs=jobs, diagnose=diagnose, input_size=input_size,
                       ordered=ordered, client=client, chunk_size=chunk_size):
        yield from rows
