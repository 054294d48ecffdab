"""Receptive-field figures: the cells, boxes and curves drawn carry the numbers rfgraph computes;
files are valid PNG/SVG, written only where asked and never over a file without overwrite."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import matplotlib.image
import networkx as nx
import numpy as np
import pytest
from conftest import GRAPHS
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

import rfgraph
from rfgraph.cli import main
from rfgraph.core.errors import AttributeValueError, RenderError, RFGraphError
from rfgraph import exact_regions as regions
from rfgraph import footprints
from rfgraph.render import plot_growth, plot_overlay, plot_region
from rfgraph.render.plots import COLORS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def filled(ax, color: str) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[3] > 0
            and to_hex(p.get_facecolor()[:3]) == color]


def read_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    return matplotlib.image.imread(str(path))


# ---------------------------------------------------------------------------------------------
# plot_region


def test_region_chain_cells_match_footprints(tmp_path):
    net = rfgraph.load(GRAPHS / "distill_fig1_chain.dot")
    fig = plot_region(net, at=1, path=tmp_path / "chain.png")
    ax = fig.axes[0]
    fps = footprints(net, 1)
    assert len(filled(ax, COLORS[0])) == sum(len(fp.positions) for fp in fps.values()) == 17
    assert fps["f0"].inside.tolist() == list(range(1, 8))
    assert ax.get_title() == "f4[1] along axis 0: input f0[1..7], 7 pixels"
    image = read_png(tmp_path / "chain.png")
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 400
    # padding: output 0 reaches one padding cell of f0 and one of f3
    fig = plot_region(net, at=0)
    assert fig.axes[0].get_title().endswith("4 pixels + 1 padding")
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 4  # f0: -1 and 13; f3: -1 and 7


def test_region_misaligned_one_colour_per_path(tmp_path):
    net = rfgraph.load(GRAPHS / "distill_fig4_misaligned.dot")
    fig = plot_region(net, at=1, path=tmp_path / "fig4.svg")
    ax = fig.axes[0]
    paths = list(rfgraph.iter_paths(net))
    for color, path in zip(COLORS, paths):
        expected = sum(len(fp.positions) for fp in footprints(net, 1, edges=path.edges).values())
        assert len(filled(ax, color)) == expected
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0] == "path ①: x → a → y (r 5, S 2, P 2)"
    assert labels[1] == "path ②: x → b → c → y (r 5, S 1, P 0)"
    assert "input x[0..5], 6 pixels" in ax.get_title()  # the article: 6 samples for output 1
    root = ET.fromstring((tmp_path / "fig4.svg").read_text())
    assert root.tag.endswith("svg")
    # an aligned graph: one colour unless asked
    aligned = rfgraph.load(GRAPHS / "distill_fig5_aligned.dot")
    assert len(plot_region(aligned).legends[0].get_texts()) == 3
    assert len(plot_region(aligned, by_path=True).legends[0].get_texts()) == 4


def test_region_needs_input_size_and_small_graphs():
    G = nx.MultiDiGraph()
    G.add_edge("x", "y", op="conv", k=3)
    with pytest.raises(AttributeValueError, match="input size"):
        plot_region(G)
    assert plot_region(G, input_size=6, at=2).axes[0].get_title() == "y[2] along axis 0: input x[2..4], 3 pixels"
    with pytest.raises(AttributeValueError, match="output position 9"):
        plot_region(G, 9, input_size=6)
    vgg = rfgraph.load(GRAPHS / "vgg16.dot")
    with pytest.raises(RFGraphError, match="max_cells"):
        plot_region(vgg)  # 224 x 224: the region spans 212 input cells
    fig = plot_region(vgg, input_size=32)
    assert "image[0..31], 32 pixels + 2 padding" in fig.axes[0].get_title()
    chain = nx.MultiDiGraph()
    for i in range(60):
        chain.add_edge(f"m{i}", f"m{i + 1}", op="conv", k=3, p=1)
    with pytest.raises(RFGraphError, match="too many to draw"):
        plot_region(chain, input_size=8)
    fig = plot_region(chain, input_size=8, nodes=["m10", "m30"])
    assert len([t for t in fig.axes[0].texts if t.get_text() in ("m0", "m10", "m30", "m60")]) == 4


def test_region_crops_long_rows():
    G = nx.MultiDiGraph()
    G.add_edge("x", "y", op="conv", k=3, p=1)
    fig = plot_region(G, input_size=200, at=100)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts].count("…") == 4  # both rows cropped at both ends
    assert len(filled(ax, COLORS[0])) == 4


def test_region_elementwise_rows_left_out_when_many():
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    with pytest.raises(RFGraphError, match="feature maps"):
        plot_region(net, input_size=32)
    small = nx.MultiDiGraph()
    for i in range(25):
        small.add_edge(f"c{i}", f"r{i}", op="conv", k=3, p=1)
        small.add_edge(f"r{i}", f"c{i + 1}", op="relu")
    fig = plot_region(small, input_size=12)  # 51 maps: the relu outputs go, as in collapsed diagrams
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {f"c{i}" for i in range(26)} <= texts and not {f"r{i}" for i in range(25)} & texts
    assert "conv k3 p1, relu ← c0" in texts


# ---------------------------------------------------------------------------------------------
# plot_overlay


def boxes(ax, color, style="solid"):
    out = []
    for p in ax.patches:
        if isinstance(p, Rectangle) and p.get_facecolor()[3] == 0 and to_hex(p.get_edgecolor()[:3]) == color \
                and p.get_linestyle() == style:
            out.append((p.get_y() + 0.5, p.get_x() + 0.5, p.get_height(), p.get_width()))
    return out


def test_overlay_boxes_are_the_exact_regions(tmp_path):
    image = tmp_path / "img.png"
    matplotlib.image.imsave(image, np.random.default_rng(0).random((64, 48, 3)))
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    fig = plot_overlay(net, [(3, 2), (0, 0)], image=image, output="layer1", path=tmp_path / "ov.png")
    r = regions(net, (64, 48), output="layer1")
    assert r.input_size == (64, 48)
    ax = fig.axes[0]
    for color, pos in zip(COLORS, [(3, 2), (0, 0)]):
        item = r.at(pos)
        (lo0, lo1), (hi0, hi1) = item["lo"], item["hi"]
        assert boxes(ax, color) == [(lo0, lo1, hi0 - lo0 + 1, hi1 - lo1 + 1)]
        (u0, u1), (v0, v1) = item["u"], item["v"]
        assert boxes(ax, color, "--") == [(u0, u1, v0 - u0 + 1, v1 - u1 + 1)]
        centre = [ln for ln in ax.lines if ln.get_marker() == "+" and to_hex(ln.get_color()) == color]
        assert [(ln.get_ydata()[0], ln.get_xdata()[0]) for ln in centre] == [tuple(item["center"])]
    assert r.at((0, 0))["u"] == [-17, -17]  # the corner feature's region hangs over the border
    assert read_png(tmp_path / "ov.png").shape[2] in (3, 4)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[1].startswith("layer1[0,0]: rows 0..17, cols 0..17 (18×18); with padding 35×35 from (-17,-17)")


def test_overlay_grid_defaults_and_errors(tmp_path, monkeypatch):
    scalars = nx.MultiDiGraph()  # every value a scalar: the same network in 2-D
    scalars.add_edge("x", "a", op="conv", k=3, s=2, p=1)
    scalars.add_edge("a", "y", op="conv", k=3, s=2, p=1)
    fig = plot_overlay(scalars, input_size=12)
    assert "y (3×3) on x (12×12)" in fig.axes[0].get_title()
    assert len(fig.legends[0].get_texts()) == 4  # centre and corner, solid and dashed keys
    with pytest.raises(RFGraphError, match="2-D"):
        plot_overlay(GRAPHS / "distill_fig5_aligned.dot", input_size=(8, 8))  # stated 1-D
    with pytest.raises(AttributeValueError, match="no input size"):
        plot_overlay(nx.MultiDiGraph([("x", "y")]))
    with pytest.raises(RFGraphError, match="no such image"):
        plot_overlay(GRAPHS / "resnet50.dot", image=tmp_path / "missing.png")
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(RenderError, match="Pillow"):
        plot_overlay(GRAPHS / "resnet50.dot", image=jpeg)


def test_overlay_whole_input_and_jpeg(tmp_path):
    pytest.importorskip("PIL")
    jpeg = tmp_path / "photo.jpg"
    matplotlib.image.imsave(jpeg, np.random.default_rng(1).random((100, 90, 3)))
    fig = plot_overlay(GRAPHS / "alexnet.dot", (0, 0), image=jpeg, output="fc6", input_size=None)
    text = fig.legends[0].get_texts()[0].get_text()
    # every pixel a window reads: the last rows and columns fall off the strided windows
    assert regions(GRAPHS / "alexnet.dot", (100, 90), output="fc6").at((0, 0))["hi"] == [96, 88]
    assert text == "fc6[0,0]: rows 0..96, cols 0..88 (97×89), through a whole-input layer"


# ---------------------------------------------------------------------------------------------
# plot_growth


def test_growth_curves_are_the_layer_table(tmp_path):
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    fig = plot_growth(net, path=tmp_path / "growth.png")
    table = rfgraph.table(net)
    rows = [row for name, row in table.items() if row.axes[0].rf is not None]
    r_panel, s_panel, p_panel = fig.axes
    assert list(r_panel.lines[0].get_ydata()) == [row.axes[0].rf for row in rows]
    assert list(s_panel.lines[0].get_ydata()) == [row.axes[0].stride for row in rows]
    assert list(p_panel.lines[0].get_ydata()) == [row.axes[0].padding for row in rows]
    assert "output layer4 (dotted line): r 427, S 32, P 213" in r_panel.get_title()
    whole = [ln for ln in r_panel.lines if ln.get_marker() == "^"]
    assert len(whole[0].get_xdata()) == 3  # avgpool, flatten, fc
    assert read_png(tmp_path / "growth.png").shape[1] > 600


def test_growth_marks_undefined_and_per_axis():
    fig = plot_growth(GRAPHS / "distill_fig4_misaligned.dot")
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "x"]
    assert list(marks[0].get_xdata()) == [4]  # y: the strides differ
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == ["x", "a", "b", "c", "y"]
    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k="3,5", s="2,1")
    G.add_edge("a", "y", op="conv", k=3)
    fig = plot_growth(G, depth="longest")
    assert [ln.get_label() for ln in fig.axes[0].lines[:1]] == ["axis 0"]
    assert list(fig.axes[0].lines[0].get_ydata()) == [1, 3, 7]
    with pytest.raises(AttributeValueError, match="depth"):
        plot_growth(G, depth="sideways")


# ---------------------------------------------------------------------------------------------
# Files and the command line


def test_overwrite_refused_and_unknown_suffix(tmp_path):
    target = tmp_path / "a.png"
    plot_growth(GRAPHS / "distill_fig1_chain.dot", path=target)
    before = target.read_bytes()
    with pytest.raises(RFGraphError, match="already exists"):
        plot_region(GRAPHS / "distill_fig1_chain.dot", path=target)
    assert target.read_bytes() == before
    plot_region(GRAPHS / "distill_fig1_chain.dot", path=target, overwrite=True)
    assert target.read_bytes() != before
    with pytest.raises(RenderError, match="unknown figure type"):
        plot_growth(GRAPHS / "distill_fig1_chain.dot", path=tmp_path / "a.bmpx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_cli_plot(capsys, tmp_path):
    out = tmp_path / "region.png"
    assert main(["plot", str(GRAPHS / "distill_fig4_misaligned.dot"), "--kind", "region", "-o", str(out),
                 "--at", "1"]) == 0
    assert read_png(out).shape[0] > 100 and f"wrote {out}" in capsys.readouterr().out
    assert main(["plot", str(GRAPHS / "distill_fig4_misaligned.dot"), "--kind", "region", "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["plot", str(GRAPHS / "distill_fig1_chain.dot"), "--kind", "region", "-o", str(out),
                 "--force", "--input-size", "20", "--by-path"]) == 0
    image = tmp_path / "in.png"
    matplotlib.image.imsave(image, np.zeros((32, 32)))
    assert main(["plot", str(GRAPHS / "resnet50.dot"), "--kind", "overlay", "-o", str(tmp_path / "o.svg"),
                 "--image", str(image), "--at", "3,3", "--at", "0", "--output", "layer1"]) == 0
    ET.fromstring((tmp_path / "o.svg").read_text())
    assert main(["plot", str(GRAPHS / "vgg16.dot"), "--kind", "growth", "-o", str(tmp_path / "g.pdf"),
                 "--x-axis", "longest"]) == 0
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    assert main(["plot", str(GRAPHS / "vgg16.dot"), "--kind", "region", "-o", str(tmp_path / "v.png")]) == 2
    err = capsys.readouterr().err
    assert "--max-cells N" in err and "max_cells=" not in err and err.count("\n") == 1


def test_cli_plot_region_of_a_large_graph_needs_nodes(capsys, tmp_path):
    """ResNet-50 has too many maps for one figure: the error says how to choose, --nodes works."""
    out = tmp_path / "r50.png"
    argv = ["plot", str(GRAPHS / "resnet50.dot"), "--kind", "region", "-o", str(out), "--at", "0",
            "--input", "maxpool", "--input-size", "64"]
    assert main(argv) == 2
    assert "--nodes" in capsys.readouterr().err
    assert main(argv + ["--nodes", "maxpool,layer1,layer2,layer3,layer4"]) == 0
    assert read_png(out).shape[0] > 100


# ---------------------------------------------------------------------------------------------
# plot_growth on real networks: modules named, local values, ranges


def test_growth_names_stages_of_big_graphs():
    fig = plot_growth(GRAPHS / "resnet50.dot")
    labels = [t.get_text() for t in fig.axes[2].get_xticklabels()]
    assert labels == ["image", "layer1", "layer2", "layer3", "layer4", "avgpool"]
    assert "grouped by module" in fig.axes[2].get_xlabel() and "topological index" in fig.axes[2].get_xlabel()
    ticks = dict(zip(labels, fig.axes[2].get_xticks()))
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    order = [n for n in net.nodes]  # every map is drawn: topological index = position
    layer2 = [i for i, n in enumerate(order) if str(n).startswith("layer2")]
    assert ticks["layer2"] == (layer2[0] + layer2[-1]) / 2
    dense = [t.get_text() for t in plot_growth(GRAPHS / "zoo/densenet121.dot").axes[2].get_xticklabels()]
    assert "features.denseblock3" in dense and "features.transition2" in dense


def test_growth_shows_local_values_of_whole_input_maps():
    net = rfgraph.load(GRAPHS / "zoo/efficientnet_b0.dot")
    table = rfgraph.table(net)
    fig = plot_growth(net)
    local = [ln for ln in fig.axes[0].lines if ln.get_label() == "local (+ global context)"]
    expected = [row.axes[0].local.rf for row in table.values() if row.axes[0].whole_input and row.axes[0].local]
    assert len(local) == 1 and list(local[0].get_ydata()) == expected and expected[-1] == 851
    assert "local r 851 + global context" in fig.axes[0].get_title()


def test_growth_draws_ranges_as_bands():
    net = rfgraph.load(GRAPHS / "zoo/unet.dot")
    fig = plot_growth(net)
    head = rfgraph.analyze(net)  # the output: its region size by position, one period
    sizes = [p.size for p in head.axes[0].phases]
    assert (min(sizes), max(sizes)) == (188, 204)
    bands = [c for c in fig.axes[0].collections if c.get_label() == "range over output positions"]
    assert bands
    extents = [c.get_paths()[0].get_extents() for c in fig.axes[0].collections if c.get_paths()]
    x_head = max(e.x1 for e in extents)
    at_head = [e for e in extents if e.x1 == x_head]
    assert any((e.y0, e.y1) == (188, 204) for e in at_head)
    assert "r 188–204 by output position, S 1" in fig.axes[0].get_title()
    assert not [ln for ln in fig.axes[0].lines if ln.get_marker() == "x"]  # no map left without a value


# ---------------------------------------------------------------------------------------------
# plot_overlay: resizing, labels that do not overlap


def label_boxes(fig):
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.axes[0].texts if t.get_gid() == "position-label"]


def test_overlay_labels_never_overlap():
    positions = [(i, j) for i in range(3) for j in range(3)]  # neighbours: boxes nearly on top of each other
    fig = plot_overlay(GRAPHS / "resnet50.dot", positions, output="layer1", input_size=48)
    boxes = label_boxes(fig)
    assert sorted(t for t, _ in boxes) == sorted(f"{i},{j}" for i, j in positions)
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a][1].overlaps(boxes[b][1]), (boxes[a][0], boxes[b][0])
    # a label alone sits inside its box's top-left corner, as before
    (text, box), = label_boxes(plot_overlay(GRAPHS / "resnet50.dot", (3, 3), output="layer1", input_size=48))
    assert text == "3,3"


def test_overlay_resizes_the_image_to_the_input_size(tmp_path):
    image = tmp_path / "big.png"
    matplotlib.image.imsave(image, np.random.default_rng(2).random((100, 80, 3)))
    net = rfgraph.load(GRAPHS / "resnet50.dot")
    fig = plot_overlay(net, (2, 2), image=image, input_size=(64, 48), output="layer1")
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape[:2] == (64, 48)
    assert "image resized from 100×80 to 64×48" in fig.axes[0].get_title()
    r = regions(net, (64, 48), output="layer1")
    (lo0, lo1), (hi0, hi1) = r.at((2, 2))["lo"], r.at((2, 2))["hi"]
    assert boxes(fig.axes[0], COLORS[0]) == [(lo0, lo1, hi0 - lo0 + 1, hi1 - lo1 + 1)]
    same = plot_overlay(net, (2, 2), image=image, output="layer1")  # no input size: the image's own
    assert same.axes[0].images[0].get_array().shape[:2] == (100, 80) and "resized" not in same.axes[0].get_title()
    out = tmp_path / "o.png"
    from rfgraph.cli import main

    assert main(["plot", str(GRAPHS / "resnet50.dot"), "--kind", "overlay", "--image", str(image),
                 "--input-size", "56", "--output", "layer1", "-o", str(out)]) == 0
