"""Doctests that need an optional dependency (torch, onnx, keras...) are skipped where it is
not installed, so the examples in docstrings stay plain code. CI installs every extra, so
there they all run (`.ci/run` fails if they are skipped)."""

from __future__ import annotations

import importlib.util
import re

import pytest

_IMPORT = re.compile(r"^\s*(?:>>>|\.\.\.)\s+(?:import|from)\s+(\w+)", re.M)
OPTIONAL = {"torch", "torchvision", "onnx", "keras", "timm", "dask", "distributed", "playwright", "pandas"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        needed = {m for example in item.dtest.examples for m in _IMPORT.findall(">>> " + example.source)}
        missing = sorted(m for m in needed & OPTIONAL if importlib.util.find_spec(m) is None)
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))
