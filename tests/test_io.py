"""Loading and saving: DOT and GraphML agree, round trips are exact, writes are safe."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import GRAPHS

import rfgraph
from rfgraph.core.errors import ParseError, RFGraphError

BUNDLED = sorted(p.stem for p in GRAPHS.glob("*.dot"))


def same_graph(a: rfgraph.Network, b: rfgraph.Network) -> None:
    assert a.nodes == b.nodes
    assert dict(a.graph_attrs) == dict(b.graph_attrs)
    assert [dict(x) for x in a.node_attrs] == [dict(x) for x in b.node_attrs]
    assert [(e.src, e.dst, e.key, dict(e.attrs)) for e in a.edges] == [(e.src, e.dst, e.key, dict(e.attrs)) for e in b.edges]


@pytest.mark.parametrize("name", BUNDLED)
def test_dot_and_graphml_copies_agree(name):
    graphml = GRAPHS / f"{name}.graphml"
    if not graphml.exists():
        pytest.skip("no GraphML copy")
    a, b = rfgraph.load(GRAPHS / f"{name}.dot"), rfgraph.load(graphml)
    assert a.nodes == b.nodes
    assert [e.layer for e in a.edges] == [e.layer for e in b.edges]
    assert rfgraph.analyze(a).to_dict()["axes"] == rfgraph.analyze(b).to_dict()["axes"]


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("suffix", [".dot", ".graphml"])
def test_round_trip_is_identical(name, suffix, tmp_path):
    net = rfgraph.load(GRAPHS / f"{name}.dot")
    path = rfgraph.save(net, tmp_path / f"copy{suffix}")
    same_graph(net, rfgraph.load(path))


@pytest.mark.parametrize("suffix", [".dot", ".graphml"])
def test_round_trip_with_values(suffix, tmp_path):
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    path = rfgraph.save(net, tmp_path / f"annotated{suffix}", values=True)
    back = rfgraph.load(path)
    table = rfgraph.table(net)
    for name in ("layer4", "layer1.0.conv2", "image"):
        attrs = back.node_attrs[back.index[name]]
        row = table[name].axes[0]
        assert attrs["rf"] == str(row.rf) and attrs["stride"] == str(row.stride)
        assert attrs["padding"] == str(row.padding) and attrs["aligned"] == "true"
    assert back.graph_attrs["rf"] == "427"
    # the values are extra attributes: the network itself is unchanged
    assert [e.layer for e in back.edges] == [e.layer for e in net.edges]
    again = rfgraph.save(back, tmp_path / f"again{suffix}", values=True)
    same_graph(back, rfgraph.load(again))


def test_graph_built_in_code_round_trips(tmp_path):
    G = nx.MultiDiGraph(input="x")
    G.add_edge("x", "a b", op="conv", k=(3, 5), s=2, p=(1, 2))
    G.add_edge('a b', 'q"uote', op="maxpool", k=2, s=2)
    G.add_edge("x", 'q"uote', op="conv", k=1, s=4)
    net = rfgraph.from_networkx(G)
    for suffix in (".dot", ".graphml"):
        back = rfgraph.load(rfgraph.save(net, tmp_path / f"g{suffix}"))
        assert back.nodes == net.nodes
        assert [e.layer for e in back.edges] == [e.layer for e in net.edges]
        assert rfgraph.analyze(back).to_dict() == {**rfgraph.analyze(net).to_dict(), "file": str(tmp_path / f"g{suffix}")}


def test_networkx_round_trip():
    net = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")
    G = net.to_networkx()
    assert isinstance(G, nx.MultiDiGraph) and G.graph["input"] == "x"
    assert rfgraph.analyze(G).to_dict()["mismatches"] == rfgraph.analyze(net).to_dict()["mismatches"]


def test_graph_attributes_in_both_dot_forms(tmp_path):
    a = tmp_path / "a.dot"
    a.write_text('digraph { graph [input="x", output="y"]; x -> y [op=conv, k=3]; x -> z; }')
    b = tmp_path / "b.dot"
    b.write_text('digraph { input="x"; output="y"; x -> y [op=conv, k=3]; x -> z; }')
    for path in (a, b):
        assert rfgraph.analyze(rfgraph.load(path)).rf == (3,)


def test_saving_never_overwrites_silently(tmp_path):
    net = rfgraph.load(GRAPHS / "distill_fig1_chain.dot")
    path = rfgraph.save(net, tmp_path / "out.dot")
    before = path.read_text()
    with pytest.raises(RFGraphError, match="already exists"):
        rfgraph.save(net, path, values=True)
    assert path.read_text() == before
    rfgraph.save(net, path, values=True, overwrite=True)
    assert 'rf="7"' in path.read_text() or "rf=7" in path.read_text()
    with pytest.raises(RFGraphError, match="does not exist"):
        rfgraph.save(net, tmp_path / "missing" / "out.dot")
    with pytest.raises(ParseError, match="unknown file type"):
        rfgraph.save(net, tmp_path / "out.txt")


@pytest.mark.parametrize("text, message", [
    ("digraph { a -> b [k=3 }", ":1:"),
    ("digraph { a -> ", "1:"),
    ("", "empty"),
    ("graph { a -- b }", "undirected"),
    ("digraph { a -> b [op=conv, k=0] }", "positive"),
    ("digraph { a -> b [op=conv] }", "needs a kernel size"),
    ("digraph { a -> b -> a }", "cycle"),
])
def test_malformed_dot_files_name_the_file(tmp_path, text, message):
    path = tmp_path / "bad.dot"
    path.write_text(text)
    with pytest.raises(RFGraphError) as err:
        rfgraph.load(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


@pytest.mark.parametrize("text, message", [
    ("<graphml><graph><node id='a'/>", "malformed"),
    ("<notgraphml/>", "not GraphML"),
    ("<graphml><graph><edge source='a'/></graph></graphml>", "without source or target"),
    ("<graphml><graph><node id='a'><data key='k'>3</data></node></graph></graphml>", "no <key>"),
    ("<graphml><key id='k' for='edge' attr.name='k' attr.type='int'/><graph><edge source='a' target='b'>"
     "<data key='k'>three</data></edge></graph></graphml>", "not of type int"),
])
def test_malformed_graphml_files_name_the_file(tmp_path, text, message):
    path = tmp_path / "bad.graphml"
    path.write_text(text)
    with pytest.raises(ParseError) as err:
        rfgraph.load(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_missing_file():
    with pytest.raises(ParseError, match="nope.dot"):
        rfgraph.load("nope.dot")
