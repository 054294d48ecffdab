"""Building and validating networks: attributes, topology, end-points, and clear errors."""

from __future__ import annotations

import networkx as nx
import pytest

import rfgraph
from rfgraph.core.errors import (
    AttributeValueError,
    NodeNotFoundError,
    RFGraphError,
    TopologyError,
    UnknownOpError,
)
from rfgraph.core.raw import RawGraph


def chain(*edges: dict, **graph) -> RawGraph:
    raw = RawGraph(graph=graph, source="net.dot")
    for i, attrs in enumerate(edges):
        raw.add_edge(f"n{i}", f"n{i + 1}", attrs)
    return raw


@pytest.mark.parametrize("attrs, message", [
    ({"op": "conv", "k": "abc"}, "k='abc'"),
    ({"op": "conv", "k": "0"}, "positive"),
    ({"op": "conv", "k": "3", "s": "0"}, "positive"),
    ({"op": "conv", "k": "3", "s": "-1"}, "positive"),
    ({"op": "conv", "k": "3", "d": "0"}, "positive"),
    ({"op": "conv", "k": "3.5"}, "integer"),
    ({"op": "conv", "k": "3,"}, None),  # "3," is a Python one-tuple: accepted
    ({"op": "conv", "k": "3,,5"}, "integer"),
    ({"op": "conv", "k": ""}, "integer"),
    ({"op": "conv"}, "needs a kernel size"),
    ({"op": "maxpool", "s": "2"}, "needs a kernel size"),
    ({"op": "conv", "k": "3", "padding": "full"}, "same, valid"),
    ({"op": "conv", "k": "3", "padding": "same", "p": "1"}, "not both"),
    ({"op": "conv", "k": "3", "p": "1", "p_l": "1"}, "not both"),
    ({"op": "conv", "k": "3", "stride": "2"}, "use 's'"),
    ({"op": "conv", "k": "3", "scale": "2"}, "does not apply"),
    ({"op": "upsample"}, "scale"),
    ({"op": "upsample", "scale": "2", "mode": "cubic"}, "nearest"),
    ({"op": "conv", "k": "3", "ceil_mode": "maybe"}, "true or false"),
    ({"op": "fc", "k": "3"}, "does not apply"),
    ({"op": "frobnicate"}, "unknown op 'frobnicate'"),
])
def test_bad_attribute_values_name_the_edge(attrs, message):
    raw = chain(attrs)
    if message is None:
        rfgraph.build(raw)
        return
    with pytest.raises(RFGraphError) as err:
        rfgraph.build(raw)
    text = str(err.value)
    assert text.startswith("net.dot: edge n0 -> n1")
    assert message in text


def test_unknown_op_is_its_own_error():
    with pytest.raises(UnknownOpError):
        rfgraph.build(chain({"op": "frobnicate"}))


def test_axis_counts_must_agree():
    with pytest.raises(AttributeValueError, match="2 axes but the graph has 3"):
        rfgraph.build(chain({"op": "conv", "k": "3,3"}, axes="3"))
    with pytest.raises(AttributeValueError, match="attribute k has 2 axes but the graph has 3"):
        rfgraph.build(chain({"op": "conv", "k": "3,3"}, input_size="224,224,224"))
    assert rfgraph.build(chain({"op": "conv", "k": "3,3"}, input_size="224")).input_size == (224, 224)
    net = rfgraph.build(chain({"op": "conv", "k": "3,5", "s": 2}))
    assert net.ndim == 2 and net.edges[0].layer.k == (3, 5) and net.edges[0].layer.s == (2, 2)


def test_scalar_graphs_take_the_axes_of_the_input_size():
    from rfgraph.passes.shapes import infer_shapes

    net = rfgraph.build(chain({"op": "conv", "k": "3", "s": "2", "p": "1"}))
    assert net.ndim == 1 and net.flexible
    shapes = infer_shapes(net, (9, 16))
    assert shapes.sizes["n1"] == (5, 8) and shapes.ndim == 2
    fixed = rfgraph.build(chain({"op": "conv", "k": "3,3"}))
    with pytest.raises(AttributeValueError, match="3 axes"):
        infer_shapes(fixed, (9, 16, 4))


def test_quoted_values_from_networkx_read_dot_are_accepted():
    net = rfgraph.build(chain({"op": '"conv"', "k": '"3,5"', "p_l": '"-1"'}))
    layer = net.edges[0].layer
    assert layer.op == "conv" and layer.k == (3, 5) and layer.p_l == (-1, -1)


def test_cycle_is_an_error_naming_it():
    raw = RawGraph(source="loop.dot")
    raw.add_edge("x", "a", {})
    raw.add_edge("a", "b", {})
    raw.add_edge("b", "a", {})
    raw.add_edge("b", "y", {})
    with pytest.raises(TopologyError, match=r"loop.dot: the graph has a cycle: (a -> b -> a|b -> a -> b)"):
        rfgraph.build(raw)


def test_self_loop_is_a_cycle():
    raw = RawGraph()
    raw.add_edge("x", "x", {})
    with pytest.raises(TopologyError, match="cycle: x -> x"):
        rfgraph.build(raw)


def test_empty_and_undirected_graphs():
    with pytest.raises(TopologyError, match="empty"):
        rfgraph.build(RawGraph(source="e.dot"))
    with pytest.raises(TopologyError, match="undirected"):
        rfgraph.from_networkx(nx.path_graph(3))


def test_endpoints_ambiguous_missing_and_unreachable():
    raw = RawGraph(source="two.dot")
    raw.add_edge("x1", "y", {"op": "add"})
    raw.add_edge("x2", "y", {"op": "add"})
    net = rfgraph.build(raw)
    with pytest.raises(TopologyError, match="2 sources .'x1', 'x2'.: name the input"):
        rfgraph.analyze(net)
    assert rfgraph.analyze(net, input="x1").rf == (1,)
    with pytest.raises(NodeNotFoundError, match="two.dot: input 'x3': no such node"):
        rfgraph.analyze(net, input="x3")
    with pytest.raises(TopologyError, match="no path from input 'y' to output 'x1'"):
        rfgraph.analyze(net, input="y", output="x1")
    raw.add_edge("y", "z1", {})
    raw.add_edge("y", "z2", {})
    with pytest.raises(TopologyError, match="2 sinks"):
        rfgraph.analyze(rfgraph.build(raw), input="x1")


def test_graph_attribute_naming_a_missing_node():
    raw = chain({}, input="nope")
    with pytest.raises(NodeNotFoundError, match="graph attribute input 'nope'"):
        rfgraph.build(raw)


def test_disconnected_input():
    raw = RawGraph(graph={"input": "a", "output": "d"})
    raw.add_edge("a", "b", {})
    raw.add_edge("c", "d", {})
    with pytest.raises(TopologyError, match="no path from input 'a' to output 'd'"):
        rfgraph.analyze(rfgraph.build(raw))


def test_networkx_graph_with_integer_nodes_and_tuples():
    G = nx.DiGraph()
    G.add_edge(0, 1, op="conv", k=(3, 5), s=2, p=(1, 2))
    G.add_edge(1, 2, op="maxpool", k=2, s=2)
    result = rfgraph.analyze(G)
    assert result.input == 0 and result.output == 2
    assert result.rf == (5, 7) and result.stride == (4, 4) and result.padding == (1, 2)
    assert rfgraph.analyze(G, output="1").rf == (3, 5)  # names typed as text work too


def test_parallel_edges_count_as_separate_paths():
    G = nx.MultiDiGraph()
    G.add_edge("x", "y", op="conv", k=3, d=6, p=6)
    G.add_edge("x", "y", op="conv", k=3, d=12, p=12)
    G.add_edge("x", "y", op="conv", k=1)
    result = rfgraph.analyze(G)
    assert result.paths == 3 and result.rf == (25,) and result.padding == (12,) and result.aligned


def test_same_padding_with_stride_one_is_resolved_without_input_size():
    net = rfgraph.build(chain({"op": "conv", "k": "4", "padding": "same"}, {"op": "conv", "k": "3", "padding": "valid"}))
    assert net.edges[0].layer.p_l == (1,) and net.edges[0].layer.p_r == (2,)
    assert rfgraph.analyze(net).padding == (1,)


def test_layer_objects_are_shared_between_identical_edges():
    net = rfgraph.build(chain({"op": "relu"}, {"op": "relu"}, {"op": "conv", "k": 3}))
    assert net.edges[0].layer is net.edges[1].layer


@pytest.mark.parametrize("value", [None, 3, {"a": 1}, b"digraph {}", ("x",)])
def test_a_value_that_is_no_graph_is_an_rfgraph_error_and_a_type_error(value):
    with pytest.raises(rfgraph.InputTypeError, match=f"got {type(value).__name__}") as caught:
        rfgraph.analyze(value)
    assert isinstance(caught.value, rfgraph.RFGraphError) and isinstance(caught.value, TypeError)
