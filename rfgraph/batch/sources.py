"""What a batch analyses, as a stream of named items in input order.

A source is a graph file (DOT, GraphML, node-link ``.json``, ONNX), a folder (every such file
in it and its sub-folders, sorted, hidden ones skipped), a ``.jsonl`` file (one node-link
graph per line: each non-blank line is an item named ``file:line``), ``-`` (JSON lines read
from standard input, named ``-:line``), or, from Python, a graph
itself (a :class:`~rfgraph.core.network.Network`, a networkx graph, a node-link dict) or a
``(name, graph)`` pair. Nothing is read ahead: a million-line file streams.

Items carry what the worker needs and nothing parsed: a file name, the bytes of a line, the
graph object. A source that cannot be read at all (a folder that is not there) is an item of
kind ``"error"``, so it becomes an error row in its place like any other bad graph.

>>> [(item.name, item.kind) for item in expand(["graphs/distill_fig1_chain.dot", "nowhere/"])]
[('graphs/distill_fig1_chain.dot', 'file'), ('nowhere/', 'error')]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..io.formats import FORMATS, MANY_GRAPHS

__all__ = ["Item", "count", "expand"]

#: suffixes a folder is searched for
SUFFIXES = frozenset(FORMATS) | frozenset(MANY_GRAPHS)
#: the source that means standard input
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Item:
    """One graph to analyse: its row name, and how to get it (``kind``: ``"file"`` a path,
    ``"line"`` the bytes of a JSON line, ``"graph"`` an object, ``"error"`` a message)."""

    name: str
    kind: str
    payload: Any


def expand(sources: Iterable[Any]) -> Iterator[Item]:
    """The items of ``sources``, in order (see the module docstring)."""
    for index, source in enumerate(sources):
        if isinstance(source, (str, os.PathLike)):
            yield from _path(os.fspath(source))
        elif isinstance(source, tuple) and len(source) == 2 and isinstance(source[0], str):
            yield Item(source[0], "graph", source[1])
        else:
            yield Item(_name_of(source, index), "graph", source)


def count(sources: Iterable[Any]) -> int | None:
    """How many items :func:`expand` yields (reads every JSON-lines file once; for a progress
    bar), or None when that cannot be known beforehand (standard input)."""
    total = 0
    for source in sources:
        if not isinstance(source, (str, os.PathLike)):
            total += 1
            continue
        if source == STDIN:
            return None
        for path in _files(os.fspath(source)):
            if path.lower().endswith(MANY_GRAPHS):
                try:
                    with open(path, "rb") as fh:
                        total += sum(1 for line in fh if line.strip())
                except OSError:
                    total += 1  # one error row
            else:
                total += 1
    return total


def _name_of(graph: Any, index: int) -> str:
    """A row name for a graph given in Python: its file, else its name, else its position
    ``#index``."""
    name = None
    if isinstance(graph, dict):  # node-link data
        meta = graph.get("graph")
        name = meta.get("name") if isinstance(meta, dict) else None
    else:
        name = getattr(graph, "source", None) or getattr(graph, "name", None)
    return str(name) if name else f"#{index}"


def _files(path: str) -> Iterator[str]:
    """``path`` itself, or the graph files of a folder (sorted, recursively, hidden skipped)."""
    if not os.path.isdir(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUFFIXES:
                yield os.path.join(root, name)


def _path(path: str) -> Iterator[Item]:
    if path == STDIN:
        yield from _lines_of(sys.stdin.buffer, STDIN)
        return
    if not os.path.exists(path):
        yield Item(path, "error", f"{path}: no such file or folder")
        return
    for name in _files(path):
        if name.lower().endswith(MANY_GRAPHS):
            yield from _lines(name)
        else:
            yield Item(name, "file", name)


def _lines(path: str) -> Iterator[Item]:
    """One item per non-blank line of a JSON-lines file, named ``path:line`` (from 1)."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        yield Item(path, "error", f"{path}: no such file")
        return
    except OSError as exc:
        yield Item(path, "error", f"{path}: cannot read the file: {exc.strerror or exc}")
        return
    with fh:
        yield from _lines_of(fh, path)


def _lines_of(fh: BinaryIO, path: str) -> Iterator[Item]:
    number = 0
    try:
        for number, line in enumerate(fh, 1):
            if line.strip():
                yield Item(f"{path}:{number}", "line", line)
    except OSError as exc:
        yield Item(f"{path}:{number + 1}", "error", f"{path}:{number + 1}: cannot read: {exc.strerror or exc}")
