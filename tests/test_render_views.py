"""Diagrams of big graphs: modules as clusters, ``depth`` (a module as one node with r, S, P at
its input and output), cropping to the maps between ``input`` and ``output``, stable ids."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from conftest import GRAPHS
from test_render import diagram_edges, embedded, fake_dot, misaligned_resnet50, node_labels, svg_groups

import rfgraph
from rfgraph.core.errors import RFGraphError
from rfgraph.passes.hierarchy import hierarchy
from rfgraph.io.dot import parse_dot
from rfgraph.render import architecture_dot, diagram, render
from matplotlib.colors import to_hex

from rfgraph.render.text import axes_text

SVG = "{http://www.w3.org/2000/svg}"


def statements(dot: str) -> dict[str, dict]:
    """Drawn node id -> its attributes (maps ``n<i>`` and modules ``g<i>``)."""
    raw = parse_dot(dot)
    return {n: a for n, a in raw.nodes.items() if re.fullmatch(r"[ng]\d+", n)}


def clusters(dot: str) -> dict[str, tuple[str, str | None, set[str]]]:
    """Cluster id -> (label, parent cluster id, the node ids directly inside), read from the
    nesting of the DOT text."""
    found: dict[str, tuple[str, str | None, set[str]]] = {}
    stack: list[str] = []
    for line in dot.splitlines():
        opened = re.match(r"\s*subgraph cluster_(c\d+) \{", line)
        if opened:
            found[opened.group(1)] = ("", stack[-1] if stack else None, set())
            stack.append(opened.group(1))
            continue
        if stack and re.match(r"\s*graph \[id=c\d+", line):
            label = re.search(r'label=("(?:[^"\\]|\\.)*"|\S+?)[,\]]', line).group(1).strip('"')
            found[stack[-1]] = (label, *found[stack[-1]][1:])
        elif stack and re.fullmatch(r"\s*\}", line):
            stack.pop()
        elif stack:
            node = re.match(r"\s*([ng]\d+) \[", line)
            if node:
                found[stack[-1]][2].add(node.group(1))
    return found


def names(dot: str) -> dict[str, str]:
    return {n: a["label"].split("\\n")[0] for n, a in statements(dot).items()}


# ---------------------------------------------------------------------------------------------
# Modules as one node


def test_resnet50_depth_1_and_2_counts_and_labels():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    table = rfgraph.table(net)
    dot = architecture_dot(net, depth=1)
    drawn = names(dot)
    assert list(drawn.values()) == ["image", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                                    "layer4", "avgpool", "flatten", "fc"]
    modules = {n: a for n, a in statements(dot).items() if n.startswith("g")}
    assert len(modules) == 4 and all("module" in a["class"] for a in modules.values())
    layer3 = next(a for a in modules.values() if a["label"].startswith("layer3\\n")).get("label").split("\\n")
    # in: the map feeding the stage (layer2); out: the stage's output map
    assert layer3[2] == "in: " + axes_text(table["layer2"].axes)
    assert layer3[3] == "out: " + axes_text(table["layer3"].axes) == "out: r 267 · S 16 · P 133"
    assert layer3[1] == f"{sum(1 for e in net.edges if str(net.nodes[e.dst]).startswith('layer3'))} layers"
    assert layer3[4] == "size 14×14"
    # no edge inside a module is drawn; the edges into a module carry no label (the module has them)
    edges = diagram_edges(dot.replace(" g", " n").replace("  g", "  n"))
    assert len(edges) == 11
    into = [a for u, v, _, a in parse_dot(dot).edges if v.startswith("g")]
    assert into and all("label" not in a for a in into)
    blocks = [n for n in names(architecture_dot(net, depth=2)).values() if re.fullmatch(r"layer\d\.\d", n)]
    assert len(blocks) == 16
    assert len(names(architecture_dot(net, depth=3))) == len(net.nodes) - 4  # downsample conv+bn pairs


def test_depth_counts_on_the_zoo():
    for path, depth, count in (("densenet121", 2, 17), ("inception_v3", 1, 23), ("efficientnet_b0", 2, 14)):
        net = rfgraph.load(GRAPHS / "zoo" / f"{path}.dot")
        d = diagram(net, depth=depth)
        assert d.nodes == count == len(hierarchy(net).items(depth)), path
        assert d.edges == len({(u, v) for u, v, _, _ in parse_dot(d.dot).edges if u[0] in "ng" and v[0] in "ng"})


def test_densenet_depth_2_collapsed_fits_one_page_of_nodes():
    d = diagram(GRAPHS / "zoo/densenet121.dot", depth=2, collapse=True)
    assert d.nodes <= 16
    labels = names(d.dot)
    assert "features.denseblock3" in labels.values() and "features.transition3" in labels.values()
    block = next(a["label"] for a in statements(d.dot).values() if a["label"].startswith("features.denseblock4\\n"))
    assert "out: r 2071 · S 32 · P 1021" in block


def test_depth_must_be_positive():
    with pytest.raises(RFGraphError, match="depth 0"):
        architecture_dot(GRAPHS / "resnet50.dot", depth=0)


def test_graph_without_hierarchy_draws_as_before():
    fig4 = GRAPHS / "distill_fig4_misaligned.dot"
    assert architecture_dot(fig4, depth=2) == architecture_dot(fig4)
    assert "subgraph cluster" not in architecture_dot(fig4)


# ---------------------------------------------------------------------------------------------
# Clusters


def test_clusters_follow_the_modules():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    dot = architecture_dot(net)
    found = clusters(dot)
    by_label = {label: (cid, parent, inside) for cid, (label, parent, inside) in found.items()}
    assert {f"layer{s}" for s in range(1, 5)} <= set(by_label)
    assert by_label["layer3.2"][1] == by_label["layer3"][0]  # block inside its stage
    inside = {names(dot)[n] for n in by_label["layer3.2"][2]}
    assert inside == {n for n in map(str, net.nodes) if n.startswith("layer3.2.")} | {"layer3.2"}
    assert "layer3" in {names(dot)[n] for n in by_label["layer3.5"][2]}  # the stage output is its last block's
    assert not any(n in ("image", "conv1", "fc") for cid in found for n in map(names(dot).get, found[cid][2]))
    # at depth 1 the stages are nodes: no cluster left; at depth 2 the stages box their blocks
    assert clusters(architecture_dot(net, depth=1)) == {}
    stages = clusters(architecture_dot(net, depth=2))
    assert sorted(label for label, _, _ in stages.values()) == ["layer1", "layer2", "layer3", "layer4"]
    assert "subgraph cluster" not in architecture_dot(net, clusters=False)


def test_unet_lists_that_are_left_and_reentered_get_no_cluster():
    dot = architecture_dot(GRAPHS / "zoo/unet.dot")
    labels = {label for label, _, _ in clusters(dot).values()}
    assert "down.0" in labels and "merge.3" in labels and not {"down", "up", "merge"} & labels
    d = diagram(GRAPHS / "zoo/unet.dot", depth=1)
    assert "down.0" in d.ids.values() and "down" not in d.ids.values()


def test_cluster_labels_are_escaped():
    G = nx.MultiDiGraph()
    G.add_edge("x", 'a"b.c\\N.d', op="conv", k=3)
    G.add_edge('a"b.c\\N.d', 'a"b.c\\N', op="relu")
    G.add_edge('a"b.c\\N', 'a"b', op="relu")
    dot = architecture_dot(G)
    parse_dot(dot)  # valid DOT
    assert {label for label, _, _ in clusters(dot).values()} == {'a\\"b', 'a\\"b.c\\\\N'}  # as DOT spells them
    d = diagram(G, depth=1)
    assert d.ids["g1"] == 'a"b' and re.search(r'g1 \[id=g1, ', d.dot)


def test_svg_has_clusters_and_ids_for_web_pages(tmp_path):
    embedded()
    path = render(GRAPHS / "resnet50.dot", tmp_path / "r.svg", depth=2, collapse=True, renderer="embedded")
    root = ET.fromstring(path.read_text())
    groups = {g.get("id"): g.get("class") for g in root.iter(f"{SVG}g") if g.get("id")}
    d = diagram(GRAPHS / "resnet50.dot", depth=2, collapse=True)
    for element, name in d.ids.items():
        assert element in groups, element
        kind = "cluster module" if element.startswith("c") else ("node module" if element.startswith("g") else "node map")
        assert groups[element].startswith(kind), (element, groups[element])
    stage = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster module"
                 and "".join(t.text or "" for t in g.iter(f"{SVG}text")) == "layer2")
    assert stage is not None
    table = rfgraph.table(GRAPHS / "resnet50.dot")
    texts = [t for _, t, g in svg_groups(root, "module") if t and t[0] == "layer2.1"]
    assert texts == [["layer2.1", "11 layers", "in: " + axes_text(table["layer2.0"].axes),
                      "out: " + axes_text(table["layer2.1"].axes), "size 28×28"]]


# ---------------------------------------------------------------------------------------------
# Cropping


@pytest.mark.parametrize("input,output", [("layer1", "layer3"), ("layer2.1", None), (None, "layer1.0")])
def test_crop_keeps_exactly_the_maps_between(input, output):
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    x = net.endpoint("input", input)
    y = net.endpoint("output", output)
    expected = net.between(x, y) if input and output else (net.descendants(x) if input else net.ancestors(y))
    drawn = set(node_labels(architecture_dot(net, input=input, output=output)))
    assert drawn == {str(n) for n, keep in zip(net.nodes, expected) if keep}


def test_crop_with_depth_and_collapse():
    d = diagram(GRAPHS / "resnet50.dot", input="layer1", output="layer3", depth=1, collapse=True)
    assert sorted(d.ids.values()) == ["layer1", "layer2", "layer3"]
    module = next(a for a in statements(d.dot).values() if a["label"].startswith("layer2\\n"))
    assert "in: r 35 · S 4 · P 17" not in module["label"]  # seen from layer1 now
    assert "in: r 1 · S 1 · P 0" in module["label"]


# ---------------------------------------------------------------------------------------------
# Files


def test_dpi_goes_to_graphviz(monkeypatch, tmp_path):
    log = tmp_path / "log"
    fake_dot(tmp_path / "bin", f"""
open({str(log)!r}, "w").write(" ".join(sys.argv[1:]))
sys.stdin.buffer.read()
sys.stdout.buffer.write(b"\\x89PNG\\r\\n\\x1a\\n")
""")
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ.get("PATH", ""))
    render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.png", dpi=200)
    assert log.read_text() == "-Tpng -Gdpi=200"
    render(GRAPHS / "distill_fig1_chain.dot", tmp_path / "a.pdf", dpi=200)
    assert log.read_text() == "-Tpdf"  # a vector format has no resolution


def test_cli_render_depth_crop_and_clusters(capsys, tmp_path):
    from rfgraph.cli import main

    out = tmp_path / "r.dot"
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out), "--depth", "1", "--collapse",
                 "--input", "maxpool", "--output", "layer4"]) == 0
    assert sorted(names(out.read_text()).values()) == ["layer1", "layer2", "layer3", "layer4", "maxpool"]
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out), "--force", "--no-clusters"]) == 0
    assert "subgraph cluster" not in out.read_text()
    capsys.readouterr()
    assert main(["render", str(GRAPHS / "resnet50.dot"), "-o", str(out), "--force", "--depth", "0"]) == 2
    assert "depth 0: give a module depth of 1 or more" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Paths are named the same way everywhere


def test_paths_named_alike_in_diagram_and_plot():
    from rfgraph.render import plot_region
    from rfgraph.render.witness import COLORS

    fig4 = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")  # it has nodes called a and b
    raw = parse_dot(architecture_dot(fig4))
    keys = {a["label"]: a["fontcolor"] for n, a in raw.nodes.items() if n.startswith("legend_") and "label" in a}
    plot = plot_region(fig4, at=1)
    entries = {t.get_text(): to_hex(h.get_facecolor()) for t, h in zip(plot.legends[0].get_texts(),
                                                                       plot.legends[0].legend_handles)}
    for label, color in (("path ①: x → a → y (r 5, S 2, P 2)", COLORS[0]),
                         ("path ②: x → b → c → y (r 5, S 1, P 0)", COLORS[1])):
        assert keys[label] == color and entries[label] == color
    legend = raw.graph["label"]
    assert "centre of path ① minus path ②: -2 px" in legend
    assert "path a" not in legend and "path b" not in legend


def test_shared_witness_paths_keep_one_name_and_colour():
    """Two disagreements sharing a path: that path is drawn and named once."""
    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, p=1)
    G.add_edge("x", "b", op="conv", k=3, p=1)
    G.add_edge("x", "c", op="conv", k=5, s=2, p=1)
    for u in "abc":
        G.add_edge(u, "y", op="add")
    result = rfgraph.analyze(G, input_size=None)
    paths = {tuple(p.edges) for m in result.mismatches for p in m.paths}
    raw = parse_dot(architecture_dot(G, witnesses=9))
    keys = [a["label"] for n, a in raw.nodes.items() if n.startswith("legend_") and "label" in a]
    assert len(keys) == len(paths) and len({a["fontcolor"] for n, a in raw.nodes.items()
                                            if n.startswith("legend_") and "label" in a}) == len(paths)
    assert [k.split(":")[0] for k in keys] == [f"path {c}" for c in "①②③"[: len(paths)]]


def test_plot_legend_shows_where_long_paths_differ():
    from rfgraph.render import plot_region

    G = misaligned_resnet50()
    fig = plot_region(G, at=1, output="layer2.0", input_size=32, max_cells=200,
                      nodes=["layer1", "layer2.0.conv2", "layer2.0"])
    labels = [t.get_text() for t in fig.legends[0].get_texts()][:4]
    assert [label.split(":")[0] for label in labels] == ["path ①", "path ②", "path ③", "path ④"]
    for label in labels:  # the long common start (image, conv1, ..., layer1.0) is left out
        assert label.split(": ")[1].startswith("… → layer1.0 → ") and "image" not in label and "maxpool" not in label
        assert "layer2.0.add → …" in label
    assert "layer1.1.add" in labels[0] and "layer1.1.conv1" in labels[2]  # the skip vs the block
    assert "layer2.0.downsample.0" in labels[1] and "layer2.0.conv3" in labels[0]


# ---------------------------------------------------------------------------------------------
# The command line: -o FILE and --output NODE, options named in errors


def test_output_that_looks_like_a_file_says_use_o(capsys, tmp_path):
    from rfgraph.cli import main

    r50 = str(GRAPHS / "resnet50.dot")
    for argv in (["render", r50, "--output", str(tmp_path / "r.svg")],
                 ["plot", r50, "--kind", "growth", "--output", str(tmp_path / "g.png")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "to write a file use -o FILE" in err and err.count("\n") == 1, err
    for argv in (["render", r50, "-o", str(tmp_path / "r.dot"), "--output", "r50.svg"],
                 ["plot", r50, "--kind", "growth", "-o", str(tmp_path / "g.png"), "--output", "g.PNG"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "no such node" in err and "to write a file use -o FILE" in err, err
    assert not list(tmp_path.iterdir())
    assert main(["render", r50, "-o", str(tmp_path / "r.dot"), "--output", "layer3.2"]) == 0  # a dotted node name
    assert main(["render", r50, "-o", str(tmp_path / "s.dot"), "--output", "nosuchnode"]) == 2
    err = capsys.readouterr().err
    assert "no such node" in err and "-o FILE" not in err
    assert main(["render", r50]) == 2 and "no output file: give -o FILE" in capsys.readouterr().err


def test_limits_are_cli_options_and_errors_name_them(capsys, tmp_path):
    from rfgraph.cli import main
    from rfgraph.render import plot_region

    chain = str(GRAPHS / "distill_fig1_chain.dot")
    out = str(tmp_path / "c.png")
    assert main(["plot", chain, "--kind", "region", "-o", out, "--input-size", "60", "--max-cells", "6"]) == 2
    err = capsys.readouterr().err
    assert "allow more with --max-cells N" in err and "max_cells=" not in err
    assert main(["plot", chain, "--kind", "region", "-o", out, "--input-size", "60", "--max-cells", "12"]) == 0
    assert main(["plot", chain, "--kind", "region", "-o", out, "--force", "--max-rows", "2"]) == 2
    err = capsys.readouterr().err
    assert "--nodes A,B,C" in err and "--max-rows N" in err and "nodes=[" not in err
    assert main(["plot", chain, "--kind", "region", "-o", out]) == 2
    err = capsys.readouterr().err
    assert "use --force" in err and "overwrite=True" not in err
    with pytest.raises(RFGraphError, match=r"max_cells=\.\.\."):  # from Python: the argument
        plot_region(chain, input_size=60, max_cells=6)
    with pytest.raises(RFGraphError, match="pass overwrite=True"):
        plot_region(chain, path=out)


def test_labels_show_local_numbers_and_ranges():
    effnet = rfgraph.load(GRAPHS / "zoo/efficientnet_b0.dot")
    labels = node_labels(architecture_dot(effnet))
    table = rfgraph.table(effnet)
    local = table["features.4"].axes[0].local
    assert labels["features.4"][0] == f"r {local.rf} + global context · S {local.stride} · P {local.padding}"
    assert labels["features"][0] == "r 851 + global context · S 32 · P 425"
    assert node_labels(architecture_dot(GRAPHS / "alexnet.dot"))["fc6"][0] == "whole input"  # no local path
    unet = rfgraph.load(GRAPHS / "zoo/unet.dot")
    labels = node_labels(architecture_dot(unet))
    sizes = [p.size for p in rfgraph.analyze(unet).axes[0].phases]
    assert labels["head"][0].startswith(f"r {min(sizes)}–{max(sizes)} · S 1 · P ")
    assert all("varies" not in lines[0] for lines in labels.values())
