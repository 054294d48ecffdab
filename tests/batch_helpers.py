"""Chunk functions for the batch executor tests. A module of its own, importing nothing from
the tests: worker processes unpickle these by module name."""

from __future__ import annotations

import os


def crash_on_poison(chunk: list) -> list:
    """Kill the worker process on a chunk holding "poison"; upper-case the others."""
    if "poison" in chunk:
        os._exit(3)
    return [x.upper() for x in chunk]
