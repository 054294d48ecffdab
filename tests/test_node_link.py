"""networkx node-link JSON: read without networkx, the same graph networkx reads."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import dags

import rfgraph
from rfgraph.core.errors import ParseError, TopologyError
from rfgraph.core.network import build, from_networkx
from rfgraph.io.node_link import format_node_link, loads_node_link, parse_node_link


def same_graph(a: rfgraph.Network, b: rfgraph.Network) -> None:
    assert a.nodes == b.nodes and a.graph_attrs == b.graph_attrs and a.ndim == b.ndim
    assert [(e.src, e.dst, e.key, e.layer, dict(e.attrs)) for e in a.edges] == \
        [(e.src, e.dst, e.key, e.layer, dict(e.attrs)) for e in b.edges]
    assert a.node_attrs == b.node_attrs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dags(max_nodes=7, fractional=True, whole=True))
def test_reads_what_networkx_reads(net):
    G = net.to_networkx()
    for key in ("edges", "links"):
        text = json.dumps(nx.node_link_data(G, edges=key))
        ours = build(loads_node_link(text))
        theirs = from_networkx(nx.node_link_graph(json.loads(text), edges=key))
        same_graph(ours, theirs)
        assert rfgraph.analyze(ours).to_dict() == rfgraph.analyze(theirs).to_dict()


def test_simple_graphs_and_odd_ids_as_networkx_has_them():
    G = nx.DiGraph()
    G.add_edge((0, 1), 5, op="conv", k=3)
    G.add_edge(5, "z", op="relu")
    data = nx.node_link_data(G, edges="edges")
    data["edges"].append({"source": 5, "target": "z", "op": "maxpool", "k": 2})  # a repeated pair
    theirs = from_networkx(nx.node_link_graph(json.loads(json.dumps(data)), edges="edges"))
    ours = build(parse_node_link(json.loads(json.dumps(data))))
    same_graph(ours, theirs)
    assert ours.nodes == ((0, 1), 5, "z") and ours.edges[1].layer.label() == "maxpool k2"


def test_parse_does_not_touch_its_input_unless_owned():
    data = {"nodes": [{"id": "x"}], "links": [{"source": "x", "target": "y", "op": "relu"}]}
    before = json.dumps(data)
    parse_node_link(data)
    assert json.dumps(data) == before


@pytest.mark.parametrize("text, message", [
    ('[1, 2]', "expected an object"),
    ('{"nodes": [{"name": "x"}]}', 'node 0 has no "id"'),
    ('{"edges": [{"source": "x"}]}', 'edge 0 has no "target"'),
    ('{"edges": [], "links": []}', 'both "edges" and "links"'),
    ('{"nodes": {"x": 1}}', '"nodes" must be a list of objects'),
    ('{"graph": [1]}', '"graph" must be an object'),
    ('{"nodes": [{"id": {"a": 1}}]}', "node ids are strings, numbers or lists"),
    ('{"nodes": [', "not JSON: Expecting"),
    (b'{"nodes": "\xff"}', "not JSON"),
])
def test_bad_documents_are_named(text, message):
    with pytest.raises(ParseError, match=message) as info:
        loads_node_link(text, source="space.jsonl:3")
    assert str(info.value).startswith("space.jsonl:3: ")


def test_undirected_is_an_error_and_missing_directed_means_directed():
    with pytest.raises(TopologyError, match="undirected"):
        build(loads_node_link('{"directed": false, "edges": [{"source": "x", "target": "y"}]}'))
    assert build(loads_node_link('{"edges": [{"source": "x", "target": "y"}]}')).nodes == ("x", "y")


def test_json_files_load_save_and_analyze(tmp_path, capsys):
    path = rfgraph.save("graphs/distill_fig4_misaligned.dot", tmp_path / "fig4.json")
    assert json.loads(path.read_text())["graph"]["input"] == "x"
    assert rfgraph.analyze(path).to_dict()["axes"] == rfgraph.analyze("graphs/distill_fig4_misaligned.dot").to_dict()["axes"]
    from rfgraph.cli import main

    assert main(["analyze", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file"] == str(path)


def test_writer_refuses_attributes_it_cannot_write():
    raw = rfgraph.core.raw.RawGraph()
    raw.add_edge("x", "y", {"op": "relu", "source": "camera"})
    with pytest.raises(ParseError, match="'source' cannot be written"):
        format_node_link(raw)


def test_jsonl_files_point_to_batch():
    with pytest.raises(ParseError, match="rfgraph batch"):
        rfgraph.load("space.jsonl")
