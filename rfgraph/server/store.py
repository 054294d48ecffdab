"""Where the service finds graphs: the files listed at start (:class:`Catalog`) and the
uploads (:class:`UploadStore`, bounded, least recently used first out).

No path from a URL ever reaches the filesystem: graphs are found by their id, and the only
files read are the ones the command line named (folders are searched once, at start).

>>> store = UploadStore(max_entries=2, max_bytes=100)
>>> for name in ("a.dot", "b.dot", "c.dot"):
...     _ = store.put(Entry(name[0] * 32, name, "upload", data=b"digraph {}"))
>>> sorted(store.ids()), store.evicted("a" * 32)
(['bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccccccccccccccc'], 'a.dot')
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import ParseError
from ..io.files import read_input
from ..io.formats import FORMATS, GRAPH_FORMATS, detect_format

__all__ = ["Catalog", "Entry", "UploadStore", "find_graph_files", "graph_id", "read_served"]


def graph_id(name: str, data: bytes) -> str:
    """The id of a graph file: derived from its content and format only, so the same bytes
    give the same id in every replica of the service.

    >>> graph_id("a.dot", b"digraph { x -> y }") == graph_id("other.gv", b"digraph { x -> y }")
    True
    >>> len(graph_id("a.dot", b"digraph { x -> y }"))
    32
    """
    digest = hashlib.sha256(detect_format(name).encode("ascii") + b"\0" + data)
    return digest.hexdigest()[:32]


@dataclass
class Entry:
    """One graph the service knows: its id, name (relative to the folder it was served from,
    or the upload's name), where it comes from (``"file"`` or ``"upload"``) and its
    ``record`` (the listing's entry, filled in once the graph has been loaded)."""

    id: str
    name: str
    origin: str
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    record: dict | None = None

    @property
    def source(self) -> tuple:
        """What a worker needs to load the graph."""
        if self.origin == "file":
            return ("file", self.name, self.path)
        return ("bytes", self.name, self.data)

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


def find_graph_files(paths: list[str]) -> list[tuple[str, Path, bool]]:
    """``(name, path, explicit)`` for each graph file named or found in a named folder
    (recursively, in sorted order; hidden files and folders skipped); ``name`` is relative
    to the folder (``zoo/resnet50.dot``), or the file's own name; ``explicit`` when the
    command line named the file itself."""
    found: list[tuple[str, Path, bool]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and os.path.splitext(f)[1].lower() in FORMATS:
                        full = Path(root) / f
                        found.append((full.relative_to(path).as_posix(), full, False))
        elif path.exists():
            if os.path.splitext(path.name)[1].lower() not in FORMATS:
                raise ParseError(f"{given}: unknown file type (serve .dot, .gv, .graphml, .json or .onnx files, or folders)")
            found.append((path.name, path, True))
        else:
            raise ParseError(f"{given}: no such file or folder")
    return found


def read_served(name: str, path: str | Path) -> bytes:
    """The bytes of a served file: a regular file within rfgraph's size limit for its kind
    (:func:`rfgraph.io.files.read_input`: never a FIFO or a device, the size checked first)."""
    model = detect_format(name) not in GRAPH_FORMATS
    return read_input(path, "max_model_size" if model else "max_file_size")


class Catalog:
    """The files served from the command line, by id (fixed at start)."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, Entry] = OrderedDict()

    def add(self, name: str, path: Path) -> Entry:
        """Register a file (its id from its content); a file with the same content as one
        already registered is the same graph (listed once, under its first name)."""
        data = read_served(name, path)
        gid = graph_id(name, data)
        if gid not in self.entries:
            self.entries[gid] = Entry(gid, name, "file", path=str(path.resolve()))
        return self.entries[gid]

    def get(self, gid: str) -> Entry | None:
        return self.entries.get(gid)


class UploadStore:
    """Uploads kept in memory: at most ``max_entries`` of them and ``max_bytes`` in all, the
    least recently used evicted first. The ids of evicted uploads are remembered (a bounded
    number of them) so that asking for one says to upload it again. Thread-safe."""

    def __init__(self, max_entries: int = 64, max_bytes: int = 512 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max(1, max_entries), max_bytes
        self._items: OrderedDict[str, Entry] = OrderedDict()
        self._gone: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, gid: str) -> Entry | None:
        with self._lock:
            entry = self._items.get(gid)
            if entry is not None:
                self._items.move_to_end(gid)
            return entry

    def put(self, entry: Entry) -> Entry:
        """Add ``entry`` (or return the one already held with its id), evicting as needed."""
        with self._lock:
            held = self._items.get(entry.id)
            if held is not None:
                self._items.move_to_end(entry.id)
                return held
            self._items[entry.id] = entry
            self._gone.pop(entry.id, None)
            self._bytes += entry.size
            while len(self._items) > 1 and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                self._evict()
            return entry

    def remove(self, gid: str) -> None:
        """Forget an upload (one that turned out not to be a valid graph)."""
        with self._lock:
            entry = self._items.pop(gid, None)
            if entry is not None:
                self._bytes -= entry.size

    def _evict(self) -> None:
        gid, entry = self._items.popitem(last=False)
        self._bytes -= entry.size
        self._gone[gid] = entry.name
        while len(self._gone) > 4096:
            self._gone.popitem(last=False)

    def evicted(self, gid: str) -> str | None:
        """The name of the upload ``gid`` if it was evicted (and is still remembered)."""
        with self._lock:
            return self._gone.get(gid)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._items)

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._items.values())
