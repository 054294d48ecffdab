"""Fuzzing the other inputs (see tests/fuzzing_formats.py): node-link JSON, .jsonl batches,
.keras files, ONNX models, and the audit's classes of valid graphs (deep chains of
misaligned blocks, stacked pools, long chains of upsamplings), the chains of integer strides
checked against the textbook recursion. Each case in a child process with a time and a
memory limit; the only acceptable outcomes are a result or a clear error."""

from __future__ import annotations

import importlib.util
import json

import pytest
from fuzzing import ERROR, RESULT, Case, run_case
from fuzzing_formats import (audit_cases, format_cases, jsonl_inputs, job_for, keras_file, keras_inputs,
                             node_link_inputs, onnx_inputs, oracle_job)
from hypothesis import HealthCheck, given, settings

import rfgraph


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def check(case: Case, job=None) -> None:
    outcome = run_case(case, seconds=20, memory=2 << 30, job=job or job_for(case))
    assert outcome in (RESULT, ERROR), f"{outcome}\n{case.describe()}"


@fuzz(30)
@given(format_cases(node_link_inputs))
def test_mutated_node_link(case):
    check(case)


@fuzz(20)
@given(format_cases(jsonl_inputs))
def test_mutated_jsonl_batches(case):
    check(case)


@fuzz(30)
@given(format_cases(keras_inputs))
def test_mutated_keras_files(case):
    check(case)


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs onnx (the models are built with it)")
@fuzz(30)
@given(format_cases(onnx_inputs))
def test_generated_onnx_models(case):
    check(case)


@fuzz(12)
@given(audit_cases())
def test_audit_classes(item):
    case, want = item
    check(case, oracle_job(case, want) if want else None)


# -- regressions: each a class the fuzzing found -------------------------------------------------
def _keras(config: dict, tmp_path) -> str:
    path = tmp_path / "m.keras"
    path.write_bytes(keras_file(json.dumps(config)))
    return str(path)


def _config(**changes) -> dict:
    conv = {"class_name": "Conv2D", "name": "c", "config": {"kernel_size": [3, 3], "strides": [1, 1]},
            "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                         "config": {"shape": [None, 9, 9, 3], "keras_history": ["x", 0, 0]}}],
                               "kwargs": {}}]}
    config = {"class_name": "Functional", "config": {
        "layers": [{"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 9, 9, 3]},
                    "inbound_nodes": []}, conv],
        "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0]]}}
    for path, value in changes.items():
        *head, last = path.split(".")
        node = config["config"]
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return config


@pytest.mark.parametrize("change, match", [
    ({"input_layers": [[1, 0, 0]]}, r"input_layers \[1, 0, 0\]: expected \[layer name"),
    ({"output_layers": ["c", "0", 0]}, r"output_layers .*expected \[layer name"),
    ({"layers.1": "Conv2D"}, r"layer 1 is 'Conv2D', not an object"),
    ({"layers.1.config": [3]}, r"layer 'c': config \[3\] is not an object"),
    ({"layers.1.class_name": None}, r"layer 'c': class_name None is not a string"),
    ({"layers.1.inbound_nodes": [["x", 0, 0]]}, r"layer 'c': a call .* is not"),
    ({"layers.1.inbound_nodes.0.args.0.config.keras_history": ["x", "0", 0]}, r"keras_history"),
    ({"layers.1.inbound_nodes.0.args.0.config.shape": [None, "9", 9, 3]}, r"shape .*expected integers"),
    ({"layers.0.config.batch_shape": [None, 9.5, 9, 3]}, r"input layer 'x' has shape"),
    ({"layers.1.config.kernel_size": [2.5, 2.5]}, r"layer 'c' \(Conv2D\).*expected an integer, got 2.5"),
    ({"layers.1.config.strides": [True, True]}, r"layer 'c' \(Conv2D\).*expected an integer, got True"),
    ({"layers.1.config.padding": {"a": 1}}, r"layer 'c' \(Conv2D\): padding="),
])
def test_malformed_keras_configurations_are_clear_errors(change, match, tmp_path):
    """A .keras config.json whose structure is not what Keras writes (a reference that is not
    [name, int, int], a layer or config that is not an object, a float kernel size) was an
    AttributeError or TypeError traceback, or a kernel of 2.5 silently read as 2."""
    path = _keras(_config(**change), tmp_path)
    with pytest.raises(rfgraph.RFGraphError, match=match):
        rfgraph.load(path)
    case = Case(open(path, "rb").read(), ".keras", ("analyze", "{file}"), kind="regression")
    assert run_case(case, seconds=20) == ERROR


def test_integral_floats_in_a_keras_configuration_are_integers(tmp_path):
    net = rfgraph.load(_keras(_config(**{"layers.1.config.kernel_size": [3.0, 3.0]}), tmp_path))
    assert rfgraph.analyze(net).rf == (3, 3)


def test_a_phase_period_near_the_limit_is_analysed(tmp_path):
    """Many upsamplings (period 735,000, under max_items): analyze compared every phase's
    offset as a Fraction (5 s alone; with table and the rest, past 20 s on a loaded machine);
    now whole integer arrays."""
    text = b"""digraph { input_size=4;
      n0 -> n1 [op=upsample, scale=2]; n1 -> n2 [op=upsample, scale=5]; n2 -> n3 [op=conv, k=7, s=7];
      n3 -> n4 [op=upsample, scale=5]; n4 -> n5 [op=conv_transpose, k=5, s=5]; n5 -> n6 [op=conv, k=7, s=7];
      n6 -> n7 [op=upsample, scale=5]; n7 -> n8 [op=conv_transpose, k=4, s=2]; n8 -> n9 [op=upsample, scale=2];
      n9 -> n10 [op=upsample, scale=3]; n10 -> n11 [op=upsample, scale=7]; n11 -> n12 [op=conv, k=3];
      n12 -> n13 [op=upsample, scale=7]; }"""
    (tmp_path / "chain.dot").write_bytes(text)
    net = rfgraph.load(str(tmp_path / "chain.dot"))
    axis = rfgraph.analyze(net).to_dict()["axes"][0]
    assert axis["period"] == 735000 and axis["padding"] is None and axis["rf"] is None
    assert run_case(Case(text, ".dot", api=True, kind="regression"), seconds=20) == RESULT
