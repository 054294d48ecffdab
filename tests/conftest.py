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

def two_output_onnx(folder: Path) -> Path:
    """An ONNX model returning two maps (a max pool k3 s2, then a max pool k2 s2 of it), as a
    backbone returns its stages; needs onnx."""
    from onnx import TensorProto, helper, save

    nodes = [helper.make_node("MaxPool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2]),
             helper.make_node("MaxPool", ["a"], ["b"], kernel_shape=[2, 2], strides=[2, 2])]
    graph = helper.make_graph(nodes, "two", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 33, 33])],
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 3, 16, 16]),
                               helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 3, 8, 8])])
    path = folder / "two.onnx"
    save(helper.make_model(graph), path)
    return path


# tests/data holds the scripts that made the stored test data (they need Keras, say): data,
# not tests, and not doctests either.
collect_ignore_glob = ["data/*"]
