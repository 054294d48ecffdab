"""The service without HTTP: the graphs it knows, the worker pools that answer, the caches.

Every method blocks (the web app calls them from threads) and either returns the answer or
raises :class:`ServiceError` with the HTTP status and a one-line message.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..core.errors import RFGraphError
from ..core.limits import limits
from ..io.formats import FORMATS
from ..results import document
from .cache import AnswerCache
from .config import ServerConfig
from .pool import Failed, Pool, Unavailable
from .store import Catalog, Entry, UploadStore, find_graph_files, graph_id
from .worker import encode

__all__ = ["Service", "ServiceError", "bundled_graphs"]

_ID = re.compile(r"[0-9a-f]{32}\Z")


class ServiceError(Exception):
    """An answer that is an error: HTTP ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())


def bundled_graphs() -> Path | None:
    """The bundled graphs and the zoo (``rfgraph/graphs``, shipped with the package)."""
    folder = Path(__file__).resolve().parent.parent / "graphs"
    return folder if folder.is_dir() else None


class Service:
    """The graphs served from ``paths`` (files and folders), uploads, and the workers.

    :meth:`start` must run first: it starts the workers and loads every served file (a file
    named on the command line that is not a valid graph is an error; one found in a folder
    is skipped with a warning on stderr).
    """

    def __init__(self, paths: Sequence[str], config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.paths = list(paths)
        self.catalog = Catalog()
        self.store = UploadStore(self.config.store_entries, self.config.store_bytes)
        self.answers = AnswerCache(self.config.answer_cache_bytes)
        self.svgs = AnswerCache(self.config.answer_cache_bytes)
        self.analysis: Pool | None = None
        self.render: Pool | None = None

    # -----------------------------------------------------------------------------------------
    # Life

    def start(self) -> Service:
        c = self.config
        files = find_graph_files(self.paths)
        entries = []
        with limits(**asdict(c.limits)):  # served files are read within the service's limits
            for name, path, explicit in files:
                try:
                    entries.append((self.catalog.add(name, path), explicit))
                except RFGraphError as exc:
                    if explicit:
                        raise
                    print(f"rfgraph: warning: skipping {name}: {' '.join(exc.cli.split())}", file=sys.stderr)
        self.analysis = Pool(c.workers, "analysis", c.timeout, c.graphs_per_worker, c.worker_memory, c.limits)
        # wasm reserves address space: no data-segment limit for the process that draws
        self.render = Pool(1, "render", c.timeout, 1, 0, c.limits)
        unique = {e.id: (e, explicit) for e, explicit in entries}
        with ThreadPoolExecutor(max(1, c.workers)) as threads:
            results = list(threads.map(self._summarize_quietly, [e for e, _ in unique.values()]))
        for (entry, explicit), error in zip(unique.values(), results):
            if error is None:
                continue
            if explicit:
                self.close()
                raise RFGraphError(error)
            print(f"rfgraph: warning: skipping {entry.name}: {error}", file=sys.stderr)
            del self.catalog.entries[entry.id]
        return self

    def _summarize_quietly(self, entry: Entry) -> str | None:
        try:
            entry.record = self.analysis.run(("summary", entry.id, None, entry.name), entry.source)
            return None
        except (Failed, Unavailable, ServiceError) as exc:
            return str(exc)

    def close(self) -> None:
        for pool in (self.analysis, self.render):
            if pool is not None:
                pool.close()

    # -----------------------------------------------------------------------------------------
    # Graphs

    def health(self) -> dict:
        return document({"status": "ok"})

    def graphs(self) -> dict:
        """The served graphs (uploads are not listed: each client knows its own ids)."""
        return document({"graphs": [e.record for e in self.catalog.entries.values()]})

    def entry(self, gid: str) -> Entry:
        """The graph ``gid``, served or uploaded; 404 saying what to do when it is unknown."""
        entry = self.catalog.get(gid) if _ID.match(gid) else None
        if entry is None and _ID.match(gid):
            entry = self.store.get(gid)
        if entry is not None:
            return entry
        gone = self.store.evicted(gid) if _ID.match(gid) else None
        if gone is not None:
            raise ServiceError(404, f"graph {gid} ({gone}) was evicted from the upload store, which keeps the "
                                    f"{self.store.max_entries} most recently used uploads: upload it again "
                                    "(POST /api/graphs?name=FILE)")
        raise ServiceError(404, f"no graph with id {gid!r}: ids come from GET /api/graphs or from an upload "
                                "(POST /api/graphs?name=FILE); uploads are kept for a while, so upload it again")

    def upload(self, name: str, data: bytes) -> dict:
        """Add an uploaded file; its record (201), or 400 when it is not a valid graph."""
        name = _upload_name(name)
        gid = graph_id(name, data)
        held = self.catalog.get(gid) or self.store.get(gid)
        if held is not None and held.record is not None:
            return document(held.record)
        entry = self.store.put(Entry(gid, name, "upload", data=data))
        try:
            entry.record = self._run(self.analysis, ("summary", gid, None, name), entry.source)
        except ServiceError as exc:
            self.store.remove(gid)
            if exc.status == 404:  # a node the file itself names (its graph attribute input or
                raise ServiceError(400, exc.message) from None  # output) is missing: a bad file
            raise
        return document(entry.record)

    def detail(self, gid: str) -> dict:
        """The graph's record with its maps (in the diagram's id order) and layers."""
        entry = self.entry(gid)
        found = self._cached(("structure", gid), lambda: encode(document(
            {**entry.record, **self._run(self.analysis, ("structure", gid, None), entry.source)})))
        return found

    # -----------------------------------------------------------------------------------------
    # Questions

    def ask(self, gid: str, question: str, params: dict) -> bytes:
        """The JSON answer (bytes) to ``question`` about graph ``gid``."""
        entry = self.entry(gid)
        return self._cached(self.ask_key(gid, question, params),
                            lambda: self._run(self.analysis, ("ask", gid, None, question, params), entry.source))

    @staticmethod
    def ask_key(gid: str, question: str, params: dict) -> tuple:
        return ("ask", gid, question, tuple(sorted(params.items())))

    def cached_answer(self, gid: str, question: str, params: dict) -> bytes | None:
        """The answer if it is cached (never blocks: the web app asks before using a thread);
        an unknown or evicted graph raises its 404 as :meth:`ask` would."""
        self.entry(gid)
        return self.answers.get(self.ask_key(gid, question, params))

    def compressed(self, key: tuple, body: bytes) -> bytes:
        """``body`` gzipped, compressed once per cached answer."""
        packed = self.answers.get(("gzip",) + key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
            self.answers.put(("gzip",) + key, packed)
        return packed

    def diagram_dot(self, gid: str, params: dict) -> str:
        entry = self.entry(gid)
        key = ("dot", gid, tuple(sorted(params.items())))
        return self._cached(key, lambda: self._run(self.analysis, ("dot", gid, None, params), entry.source))

    def diagram_svg(self, gid: str, params: dict) -> bytes:
        """SVG of the diagram, drawn once per distinct DOT text."""
        dot = self.diagram_dot(gid, params)
        digest = hashlib.sha256(dot.encode("utf-8")).hexdigest()
        svg = self.svgs.get(digest)
        if svg is None:
            svg = self._run(self.render, ("svg", dot))
            self.svgs.put(digest, svg)
        return svg

    # -----------------------------------------------------------------------------------------

    def _cached(self, key: tuple, compute) -> Any:
        value = self.answers.get(key)
        if value is None:
            value = compute()
            self.answers.put(key, value)
        return value

    @staticmethod
    def _run(pool: Pool, message: tuple, source: tuple | None = None) -> Any:
        try:
            return pool.run(message, source)
        except Failed as exc:
            raise ServiceError(exc.status, exc.message) from None
        except Unavailable as exc:
            raise ServiceError(503, str(exc)) from None


def _upload_name(name: str) -> str:
    """The upload's file name: its last path component, which must have a known suffix."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or len(base) > 255 or any(ord(ch) < 32 for ch in base):
        raise ServiceError(400, "parameter name: give the file's name, e.g. name=net.dot (at most 255 characters)")
    suffix = Path(base).suffix.lower()
    if suffix not in FORMATS:
        raise ServiceError(400, f"parameter name={base!r}: unknown file type {suffix or '(no suffix)'!r} "
                                f"(known: {', '.join(FORMATS)})")
    return base
