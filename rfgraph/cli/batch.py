"""The ``rfgraph batch`` command: many graphs, one row each, in input order.

::

    rfgraph batch PATH... [--jobs N] [--format jsonl|csv] [-o OUT] [--force] [--input-size N[,M]]
                  [--diagnose] [--scheduler tcp://HOST:PORT] [--chunk-size N]

Rows are written as they come (in input order), to standard output or to ``OUT`` through
``OUT.partial`` (renamed when the run is complete; an interrupted run leaves every row it
wrote there). A progress bar goes to standard error when it is a terminal. Exit status: 0
when every graph was analysed, 2 when some rows are errors (the rest is analysed all the
same) or the command itself cannot run, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from typing import TextIO

from ..batch import count, run
from ..batch.columns import CSV_COLUMNS
from ..core.errors import RFGraphError
from ..io.safe_write import partial_path, streaming
from .common import add_size_option

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``batch`` to the ``rfgraph`` command line."""
    p = sub.add_parser(
        "batch", help="analyse many graphs: files, folders, JSON lines; one row per graph",
        description="Analyse every graph of the PATHs (graph files, folders of them, .jsonl files with one "
                    "networkx node-link graph per line) and write one row per graph in input order: the "
                    "`rfgraph analyze --json` object plus \"name\" (jsonl), or flat columns (csv). A graph that "
                    "fails is a row with its error. Without --diagnose, mismatches are the verdict alone "
                    "(kind, node; no witness paths), several times faster.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="graph file, folder, .jsonl file, or - (JSON lines on standard input)")
    p.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                   help="worker processes (default 1: this process; 0: every core)")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="row format (default jsonl)")
    p.add_argument("-o", "--out", metavar="FILE", help="write the rows to FILE (default: standard output)")
    p.add_argument("--force", action="store_true", help="replace FILE (and FILE.partial) if they exist")
    add_size_option(p)
    p.add_argument("--diagnose", action="store_true",
                   help="witness paths for every mismatch, exactly as `rfgraph analyze --json`")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster of this scheduler instead of local processes (tcp://HOST:PORT; "
                        "pip install 'rfgraph[dask]')")
    p.add_argument("--chunk-size", type=_positive, metavar="N",
                   help="graphs per task (default 64 for processes, 256 for Dask)")
    p.set_defaults(run=cmd_batch)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the number of processes must be 0 (every core) or more")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that rows written so far are kept (a
    BaseException, like KeyboardInterrupt: no ``except Exception`` may swallow it)."""


@contextlib.contextmanager
def _terminate_gracefully() -> Iterator[None]:
    def stop(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(args: argparse.Namespace):
    """A tqdm bar on standard error when it is a terminal (and tqdm is installed), else None."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm  # only with a terminal: it costs 30 ms to import
    except ImportError:
        return None
    return tqdm(total=count(args.paths), unit="graph", file=sys.stderr, dynamic_ncols=True, leave=False)


def _write_rows(args: argparse.Namespace, out: TextIO) -> tuple[int, int]:
    """Analyse and write every row: (rows, error rows)."""
    if args.format == "csv":
        out.write(",".join(CSV_COLUMNS) + "\n")
    bar = _progress(args)
    total = errors = 0
    try:
        for lines, bad in run(args.paths, form=args.format, jobs=args.jobs, diagnose=args.diagnose,
                              input_size=args.input_size, client=args.scheduler, chunk_size=args.chunk_size,
                              cli=True):
            if lines:
                out.write("\n".join(lines) + "\n")
                out.flush()  # rows reach the file (or the pipe) as each chunk finishes
            total += len(lines)
            errors += bad
            if bar is not None:
                bar.update(len(lines))
                if errors:
                    bar.set_postfix(errors=errors, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    return total, errors


def cmd_batch(args: argparse.Namespace) -> int:
    rows = errors = 0
    partial = None  # the file of rows in progress, once it exists
    try:
        with _terminate_gracefully():
            if args.out is None:
                rows, errors = _write_rows(args, sys.stdout)
            else:
                with streaming(args.out, overwrite=args.force) as fh:
                    partial = partial_path(args.out)
                    rows, errors = _write_rows(args, fh)
    except (KeyboardInterrupt, Terminated) as exc:
        kept = f": the rows written so far are in {partial}" if partial is not None else ""
        print(f"rfgraph: interrupted{kept}", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 143
    except RFGraphError as exc:
        if partial is not None and partial.exists():
            kept = f" (the rows written so far are in {partial})"
            raise RFGraphError(f"{exc}{kept}", cli=f"{exc.cli}{kept}") from None
        raise
    if args.out is not None:
        print(f"wrote {args.out}: {rows} rows" + (f", {errors} with errors" if errors else ""))
    elif errors:
        print(f"rfgraph: {errors} of {rows} graphs could not be analysed (rows with \"error\")", file=sys.stderr)
    return 2 if errors else 0
