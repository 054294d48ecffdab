"""The service's settings, in one place: limits, pool sizes and caches.

>>> ServerConfig().max_upload
52428800
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.limits import DEFAULT, Limits

__all__ = ["ServerConfig"]

MB = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """How the service runs.

    Attributes
    ----------
    max_upload : int
        Largest upload in bytes (``--max-upload``); a bigger body gets 413.
    timeout : float
        Seconds one question may take (``--timeout``); past it the worker computing it is
        killed and replaced, and the answer is 503.
    workers : int
        Processes answering questions (analysis); diagrams are drawn by one more process.
    worker_memory : int
        Memory (bytes of data segment) each worker may use; past it the question fails with
        503 and the worker is replaced. 0: no limit.
    store_entries, store_bytes : int
        The upload store keeps at most this many uploads and this many bytes, evicting the
        least recently used.
    answer_cache_bytes : int
        Answers (JSON, SVG) kept in memory for repeated questions; 0 turns the cache off.
    graphs_per_worker : int
        Loaded graphs each worker keeps (least recently used first out).
    limits : Limits
        rfgraph's limits on inputs and work (:mod:`rfgraph.core.limits`), in force in every
        worker: ``rfgraph serve --max-length N`` and the other ``--max-*`` options set them,
        as for every command. Files served from the command line are read within them too.
    """

    max_upload: int = 50 * MB
    timeout: float = 30.0
    workers: int = max(1, min(4, os.cpu_count() or 1))
    worker_memory: int = 4096 * MB
    store_entries: int = 64
    store_bytes: int = 512 * MB
    answer_cache_bytes: int = 128 * MB
    graphs_per_worker: int = 16
    limits: Limits = field(default=DEFAULT)
