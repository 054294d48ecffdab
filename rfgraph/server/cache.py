"""A bounded cache of answers (JSON bodies, SVG diagrams), least recently used first out.

Graph ids are derived from the graphs' content, so an answer to the same question about the
same id never changes: caching it is always right. The bound is on bytes.

>>> cache = AnswerCache(max_bytes=10)
>>> cache.put("a", b"12345"); cache.put("b", b"123456")
>>> cache.get("a") is None, cache.get("b")
(True, b'123456')
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

__all__ = ["AnswerCache"]


class AnswerCache:
    """At most ``max_bytes`` of values (bytes or str); 0 keeps nothing. Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes | str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> bytes | str | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes | str) -> None:
        size = len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)
