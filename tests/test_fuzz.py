"""Fuzzing: generated and mutated DOT and GraphML files, and valid graphs with extreme
values, through the command line and the Python API. The only acceptable outcomes are a
result or a clear error (an RFGraphError; on the command line exit 2 and one line), each case
in a child process with a time and a memory limit (see tests/fuzzing.py). The long campaign
is benchmarks/fuzz_campaign.py."""

from __future__ import annotations

import time

import pytest
from fuzzing import (ERROR, HANG, MEMORY, RESULT, TRACEBACK, Case, cases, dot_inputs, extreme_inputs, graphml_inputs,
                     run_case)
from hypothesis import HealthCheck, given, settings

import rfgraph

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(case: Case) -> None:
    outcome = run_case(case, seconds=20)
    assert outcome in (RESULT, ERROR), f"{outcome}\n{case.describe()}"


@FUZZ
@given(cases(dot_inputs))
def test_mutated_dot(case):
    check(case)


@FUZZ
@given(cases(graphml_inputs))
def test_mutated_graphml(case):
    check(case)


@FUZZ
@given(cases(extreme_inputs))
def test_extreme_values(case):
    check(case)


# The classes of issue 12, each as the issue reproduced it: a clear error, quickly, within a
# memory limit far below what they used to allocate.
CLASSES = [
    ('digraph { x -> y [op=conv, k="%s"]; }' % ("9" * 4301), ["analyze", "{file}"], "max_int_digits"),
    ('digraph { x -> y [op=conv, k=3, s=%d]; y -> z [op=conv, k=3]; }' % 10**24, ["region", "{file}", "--at", "0",
                                                                                   "--input-size", "9"], "max_length"),
    ('digraph { input_size=8; x -> y [op=conv, k=3, p=%d]; }' % 10**30, ["region", "{file}", "--all", "--json"],
     "max_length"),
    ('digraph { x -> y [op=conv, k="%s"]; }' % ",".join(["1"] * 65), ["analyze", "{file}"], "max_axes"),
    ('digraph { axes="100000000"; x -> y [op=conv, k=3]; }', ["analyze", "{file}"], "max_axes"),
    ('digraph { axes="%d"; x -> y [op=conv, k=3]; }' % 10**30, ["analyze", "{file}"], "max_axes"),
    ('digraph { input_size="1000000000"; x -> y [op=conv, k=3]; }', ["table", "{file}"], "max_length"),
    ('digraph { x -> y [op=conv, k=3]; }', ["region", "{file}", "--all", "--input-size", "99999999999", "--json"],
     "max_length"),
    ('digraph { x -> y [op=upsample, scale=1000000000]; }', ["analyze", "{file}"], "max_length"),
    ('digraph { x -> y [op=upsample, scale=100000]; }', ["analyze", "{file}"], None),
    ('digraph { x -> y [op=conv_transpose, k=3, s=1000000000]; }', ["analyze", "{file}"], "max_length"),
    ('digraph { x -> y [op=conv_transpose, k=1000000000, s=2]; }', ["analyze", "{file}"], "max_length"),
    ('digraph { x -> y [op=conv_transpose, k=3, s=1048576]; y -> z [op=conv_transpose, k=3, s=1048576]; }',
     ["analyze", "{file}"], "max_items"),
    ('digraph { input_size="8192,8192"; x -> y [op=conv, k=3, s=2, p=1]; y -> z [op=upsample, scale=2]; }',
     ["region", "{file}", "--at", "5,5", "--json"], None),
]


@pytest.mark.parametrize("text, argv, limit", CLASSES)
def test_issue_classes_are_clear_errors(text, argv, limit):
    start = time.perf_counter()
    case = Case(text.encode(), ".dot", tuple(argv), kind="issue 12")
    outcome = run_case(case, seconds=20, memory=1 << 30)
    assert outcome == (ERROR if limit else RESULT), f"{outcome}\n{case.describe()}"
    assert time.perf_counter() - start < 10


def test_runner_sees_hangs_memory_and_tracebacks(monkeypatch):
    """The runner itself: a check that cannot fail is no check."""
    case = Case(b"digraph { x -> y [op=conv, k=3] }", ".dot", api=True, kind="runner")
    assert run_case(case) == RESULT

    def hang(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(rfgraph, "analyze", hang)
    assert run_case(case, seconds=1) == HANG

    def allocate(*args, **kwargs):
        return bytearray(8 << 30)

    monkeypatch.setattr(rfgraph, "analyze", allocate)
    assert run_case(case, memory=1 << 30) == MEMORY

    def crash(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(rfgraph, "analyze", crash)
    assert run_case(case).startswith(TRACEBACK)
