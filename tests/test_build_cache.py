"""The parsed-layer cache shared by every graph built in a process: it must never change what
building a graph gives (same layers, same errors naming the right edge and file)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from strategies import layer_attrs

import rfgraph
from rfgraph.core import network
from rfgraph.core.errors import AttributeValueError, UnknownOpError
from rfgraph.core.network import build
from rfgraph.core.ops import OPS, Window, parse_layer
from rfgraph.core.raw import RawGraph


def one_edge(attrs: dict, source: str = "net.dot", **graph) -> RawGraph:
    raw = RawGraph(graph=graph, source=source)
    raw.add_edge("x", "y", attrs)
    return raw


@pytest.fixture(autouse=True)
def empty_caches():
    network._EDGE_INFO.clear()
    yield


def test_layers_are_shared_across_graphs():
    a = build(one_edge({"op": "conv", "k": 3, "p": 1}))
    b = build(one_edge({"op": "conv", "k": 3, "p": 1}))
    assert a.edges[0].layer is b.edges[0].layer


@pytest.mark.parametrize("good, bad, message", [
    ({"op": "conv", "k": 1}, {"op": "conv", "k": True}, "got a boolean"),
    ({"op": "conv", "k": (3, 1)}, {"op": "conv", "k": (3, True)}, "got a boolean"),
    ({"op": "conv", "k": [3, 1]}, {"op": "conv", "k": [3, True]}, "got a boolean"),
])
def test_equal_but_different_values_are_not_confused(good, bad, message):
    """``1 == True == 1.0`` in Python: a cached ``k=1`` must not answer for ``k=True``."""
    build(one_edge(good))
    with pytest.raises(AttributeValueError, match=message):
        build(one_edge(bad))


def test_errors_name_each_graphs_own_edge_and_file():
    with pytest.raises(AttributeValueError, match=r"^a\.dot: edge x -> y: attribute k='abc'"):
        build(one_edge({"op": "conv", "k": "abc"}, source="a.dot"))
    raw = RawGraph(source="b.dot")
    raw.add_edge("p", "q", {"op": "conv", "k": "abc"})
    with pytest.raises(AttributeValueError, match=r"^b\.dot: edge p -> q: attribute k='abc'"):
        build(raw)


def test_number_of_axes_is_part_of_the_key():
    one = build(one_edge({"op": "conv", "k": 3}))
    two = build(one_edge({"op": "conv", "k": 3}, input_size="8,8"))
    assert one.edges[0].layer.k == (3,) and two.edges[0].layer.k == (3, 3)


def test_register_op_takes_effect_after_caching():
    rfgraph.register_op("blur9", Window("blur9", requires_k=True))
    try:
        first = build(one_edge({"op": "blur9", "k": 3})).edges[0].layer
        replacement = Window("blur9", requires_k=True)
        rfgraph.register_op("blur9", replacement)
        assert build(one_edge({"op": "blur9", "k": 3})).edges[0].layer.spec is replacement
        assert first.spec is not replacement
    finally:
        del OPS["blur9"]
    with pytest.raises(UnknownOpError, match="unknown op 'blur9'"):
        build(one_edge({"op": "blur9", "k": 3}))


def test_unhashable_values_are_parsed_every_time():
    attrs = {"op": "conv", "k": 3, "meta": {"note": "a dict makes the attributes unhashable"}}
    assert build(one_edge(attrs)).edges[0].layer.k == (3,)
    assert not network._EDGE_INFO


def test_caches_are_bounded(monkeypatch):
    monkeypatch.setattr(network, "_CACHE_LIMIT", 8)
    for k in range(1, 30):
        build(one_edge({"op": "conv", "k": k}))
        assert len(network._EDGE_INFO) <= 8


@settings(max_examples=200, deadline=None)
@given(layer_attrs(fractional=True, whole=True))
def test_cached_layer_equals_a_fresh_parse(attrs):
    for ndim in (1, 2):
        size = ",".join(["8"] * ndim)
        for _ in range(2):  # a miss, then a hit
            layer = build(one_edge(attrs, input_size=size)).edges[0].layer
            assert layer == parse_layer(attrs, ndim, "edge x -> y")
            assert layer.symbolic_axes == tuple(layer.spec.symbolic(layer, a) for a in range(ndim))
