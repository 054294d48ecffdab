"""Shared fixtures and graph generators for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
# A copy of the Distill article's worked examples (../shared/cases/distill_figures.json).
CASES_FILE = ROOT / "tests" / "data" / "distill_figures.json"


def distill_cases() -> list[dict]:
    return json.loads(CASES_FILE.read_text())


@pytest.fixture
def graphs_dir() -> Path:
    return GRAPHS

# tests/data holds the scripts that made the stored test data (they need Keras, say): data,
# not tests, and not doctests either.
collect_ignore_glob = ["data/*"]
