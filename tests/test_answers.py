"""The answers people came for (issue 9): the numbers behind upsampling, whole-input context
and normalisation statistics, the last local map of a classifier, tables and summaries in
every format, and the command line's habits. Each number is checked against an independent
computation (exact regions at a concrete size, brute force, autograd)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest

import rfgraph
from rfgraph.cli import main

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
ZOO = GRAPHS / "zoo"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def interior_sizes(G, input_size: int, axis: int = 0) -> list[int]:
    """Region sizes (padding included) at every output position of a concrete input, away
    from the borders: an independent computation of what the phases claim."""
    r = rfgraph.exact_regions(G, input_size)
    profile = r.profile(axis).tolist()
    return profile


# ---------------------------------------------------------------------------------------------
# Upsampling


def test_unet_range_and_period_match_the_exact_regions():
    net = rfgraph.load(ZOO / "unet.dot")
    axis = rfgraph.analyze(net).axes[0]
    assert (axis.rf, axis.rf_min, axis.rf_max, axis.period, axis.stride) == (None, 188, 204, 16, 1)
    assert "through upsampling" in axis.reason and "188-204" in axis.reason and "fractional" not in axis.reason
    sizes = interior_sizes(net, 572)  # 388 outputs: every position, padding included
    assert len(sizes) == 388
    assert all(size == axis.phases[j % 16].size for j, size in enumerate(sizes))


def test_integer_stride_through_upsampling_is_a_plain_receptive_field():
    """conv s1 beside (conv s2, nearest x2), added, then conv s2: every region has 6 pixels
    and starts at 2j - 3, so the answer is rf 6, stride 2, padding 3."""
    G = nx.MultiDiGraph(input_size=40)
    G.add_edge("x", "a", op="conv", k=3, p=1)
    G.add_edge("x", "b", op="conv", k=3, s=2, p=1)
    G.add_edge("b", "c", op="upsample", scale=2)
    G.add_edge("a", "m", op="add")
    G.add_edge("c", "m", op="add")
    G.add_edge("m", "y", op="conv", k=3, s=2, p=1)
    axis = rfgraph.analyze(G).axes[0]
    assert (axis.rf, axis.stride, axis.padding, axis.period) == (6, 2, 3, 1) and axis.reason is None
    r = rfgraph.exact_regions(G)
    for j in range(2, 18):  # interior: the unclipped region is [2j - 3, 2j + 2]
        assert r.at(j)["u"] == [2 * j - 3] and r.at(j)["v"] == [2 * j + 2]


def test_table_rows_of_a_decoder_show_ranges(capsys):
    code, out, _ = run(capsys, "table", ZOO / "unet.dot")
    assert code == 0
    head = next(line for line in out.splitlines() if line.startswith("head "))
    assert "188-204" in head and "0-15" in head and "through upsampling, repeats every 16" in head
    rows = rfgraph.table(ZOO / "unet.dot")
    for name, row in rows.items():  # every row with phases: its sizes are its rf range
        a = row.axes[0]
        if a.phases:
            sizes = [p.size for p in a.phases if p.u is not None]
            assert (a.rf_min, a.rf_max) == (min(sizes), max(sizes))


# ---------------------------------------------------------------------------------------------
# Whole-input context


def test_squeeze_excitation_shows_local_numbers_everywhere(capsys):
    net = rfgraph.load(ZOO / "efficientnet_b0.dot")
    result = rfgraph.analyze(net)
    axis = result.axes[0]
    assert axis.whole_input is not None and axis.local.rf == 851 and axis.local.stride == 32
    assert "851 + global" in str(result)
    code, out, _ = run(capsys, "table", ZOO / "efficientnet_b0.dot")
    row = next(line for line in out.splitlines() if line.startswith("features "))
    assert "851 + global" in row and "global context" in row


def groupnorm_blocks(norm: bool):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(4, 4, 3, padding=1)
            self.gn1 = nn.GroupNorm(2, 4) if norm else nn.Identity()
            self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1)
            self.gn2 = nn.GroupNorm(2, 4) if norm else nn.Identity()
            self.skip = nn.Conv2d(4, 4, 1, stride=2)

        def forward(self, x):
            return self.gn2(self.conv2(torch.relu(self.gn1(self.conv1(x))))) + self.skip(x)

    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.GroupNorm(2, 4) if norm else nn.Identity(),
                         Block(), Block()).eval()


def test_normalisation_statistics_keep_the_data_path_receptive_field():
    """BiT-style GroupNorm after every conv: the honest answer is 'whole input', and the data
    path's receptive field is that of the same network without the normalisations, which
    autograd measures on the real module."""
    torch = pytest.importorskip("torch")
    from rfgraph.autograd import autograd_support

    with_norm = rfgraph.from_torch(groupnorm_blocks(True), torch.zeros(1, 3, 32, 32))
    without = rfgraph.from_torch(groupnorm_blocks(False), torch.zeros(1, 3, 32, 32))
    a, b = rfgraph.analyze(with_norm).axes[0], rfgraph.analyze(without).axes[0]
    assert a.whole_input is not None and "groupnorm" in a.whole_input
    assert (a.local.rf, a.local.stride, a.local.padding) == (b.rf, b.stride, b.padding)
    support = autograd_support(without, positions=[(4, 4)])[(4, 4)]
    rows = support.any(axis=1).nonzero()[0]
    u, v = rfgraph.analyze(without).region((4, 4))[0]
    assert (rows.min(), rows.max()) == (max(u, 0), min(v, 31))
    # the statistics reach everything: autograd on the normalised network sees the whole input
    assert autograd_support(with_norm, positions=[(0, 0)])[(0, 0)].all()


def test_classifier_output_names_the_last_local_map(capsys):
    result = rfgraph.analyze(ZOO / "resnet50.dot", output="fc")
    assert result.axes[0].whole_input is not None and result.axes[0].local is None
    assert result.last_local.node == "layer4"
    layer4 = rfgraph.analyze(ZOO / "resnet50.dot", output="layer4")
    assert [a.rf for a in result.last_local.axes] == list(layer4.rf) == [427, 427]
    code, out, _ = run(capsys, "analyze", ZOO / "resnet50.dot", "--output", "fc")
    assert "--output layer4" in out and "427" in out
    data = json.loads(run(capsys, "analyze", ZOO / "resnet50.dot", "--output", "fc", "--json")[1])
    assert data["last_local"]["node"] == "layer4" and data["last_local"]["axes"][0]["rf"] == 427


# ---------------------------------------------------------------------------------------------
# Input sizes


def test_table_resolves_same_padding_like_analyze(tmp_path, capsys):
    path = tmp_path / "same.dot"
    path.write_text('digraph { input_size="15"; x -> a [op=conv, k=3, s=2, padding=same]; '
                    'a -> y [op=conv, k=3, s=2, padding=same]; }')
    rows = rfgraph.table(path)
    result = rfgraph.analyze(path)
    assert rows["y"].axes[0].padding == result.axes[0].padding is not None
    assert rfgraph.table(path, input_size=16)["y"].axes[0].padding == rfgraph.analyze(path, input_size=16).padding[0]
    code, out, _ = run(capsys, "table", path, "--input-size", "16")
    assert code == 0 and "needs the input size" not in out


def test_same_padding_without_a_size_reports_what_it_can():
    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
    G.add_edge("a", "y", op="conv", k=3, s=2, padding="same")
    axis = rfgraph.analyze(G).axes[0]
    assert (axis.rf, axis.stride, axis.padding) == (7, 4, None) and "input size" in axis.reason
    G.add_edge("x", "y2", op="conv", k=5, s=4, padding="same")
    G.add_edge("y", "z", op="add")
    G.add_edge("y2", "z", op="add")
    axis = rfgraph.analyze(G, output="z").axes[0]
    assert axis.rf is None and "hull of several paths needs it" in axis.reason
    assert axis.classes[0].path_rf_max == 7


# ---------------------------------------------------------------------------------------------
# Reports, tables, summaries


def test_print_shows_the_cli_report(capsys):
    path = GRAPHS / "distill_fig4_misaligned.dot"
    code, out, _ = run(capsys, "analyze", path)
    assert out.strip() == rfgraph.analyze(path).report(str(path)).strip()
    assert str(rfgraph.analyze(path)).splitlines()[1:] == out.strip().splitlines()[1:]
    assert "<pre>" in rfgraph.analyze(path)._repr_html_()


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_table_formats_carry_the_same_cells(capsys, fmt):
    path = ZOO / "unet.dot"
    rows = rfgraph.table(path).to_rows()
    code, out, _ = run(capsys, "table", path, "--format", fmt)
    assert code == 0
    if fmt == "csv":
        parsed = list(csv.DictReader(io.StringIO(out)))
    else:
        lines = out.strip().splitlines()
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        parsed = [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in lines[2:]]
    assert [r["node"] for r in parsed] == [r["node"] for r in rows]
    assert [r["rf"] for r in parsed] == [r["rf"] for r in rows]
    assert [r["note"] for r in parsed] == [r["note"] for r in rows]


def test_table_json_is_unchanged_by_format(capsys):
    a = json.loads(run(capsys, "table", GRAPHS / "resnet50.dot", "--json")[1])
    b = json.loads(run(capsys, "table", GRAPHS / "resnet50.dot", "--format", "json")[1])
    assert a == b == rfgraph.table(GRAPHS / "resnet50.dot").to_dict()


def test_summary_rows_are_the_table_rows_of_their_outputs(capsys):
    net = rfgraph.infer_shapes(GRAPHS / "resnet50.dot")
    rows = rfgraph.table(net)
    for depth in (None, 1, 2):
        s = rfgraph.summary(net, depth=depth)
        for row in s.rows:
            assert row.axes == rows[row.output].axes and row.size == net.sizes[row.output]
        assert sum(row.layers for row in s.rows) == len(net.edges)  # every layer counted once
    assert len(rfgraph.summary(net).rows) == len(rows)
    names = [row.name for row in rfgraph.summary(net, depth=1).rows]
    assert names == ["image", "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4",
                     "avgpool", "flatten", "fc"]
    code, out, _ = run(capsys, "summary", GRAPHS / "resnet50.dot", "--depth", "1")
    assert code == 0 and len(out.strip().splitlines()) <= 25 and "layer4" in out and "427" in out
    assert "<table>" in rfgraph.summary(net, depth=1)._repr_html_()


def test_summary_of_a_pytorch_module_imports_it():
    torch = pytest.importorskip("torch")
    model = groupnorm_blocks(False)
    direct = rfgraph.summary(model, (32, 32))
    imported = rfgraph.summary(rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32)))
    assert [r.to_dict() for r in direct.rows] == [r.to_dict() for r in imported.rows]
    with pytest.raises(rfgraph.RFGraphError, match="input size"):
        rfgraph.analyze(model)


def test_a_whole_input_shape_is_taken_as_the_tensor_shape():
    """``input_size=(1, 3, H, W)`` (the shape of the tensor the model takes) is not a 4-D
    spatial size: the model is imported at that shape, as from_torch would with a tensor."""
    torch = pytest.importorskip("torch")
    model = groupnorm_blocks(False)
    imported = rfgraph.analyze(rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32)))
    for size in ((1, 3, 32, 32), [2, 3, 32, 32]):
        assert rfgraph.analyze(model, input_size=size).to_dict() == imported.to_dict()


def test_to_pandas_without_pandas_says_how_to_get_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    for result in (rfgraph.summary(GRAPHS / "distill_fig1_chain.dot"), rfgraph.table(GRAPHS / "distill_fig1_chain.dot")):
        with pytest.raises(rfgraph.RFGraphError, match="pip install pandas"):
            result.to_pandas()


# ---------------------------------------------------------------------------------------------
# Command-line habits


def test_check_exits_1_on_misalignment_or_small_rf(capsys):
    assert run(capsys, "analyze", GRAPHS / "distill_fig4_misaligned.dot", "--check")[0] == 1
    assert run(capsys, "analyze", GRAPHS / "resnet50.dot", "--check")[0] == 0
    code, _, err = run(capsys, "analyze", GRAPHS / "resnet50.dot", "--check", "--min-rf", "428")
    assert code == 1 and "427 < --min-rf 428" in err
    assert run(capsys, "analyze", GRAPHS / "resnet50.dot", "--check", "--min-rf", "427")[0] == 0


def test_sizes_and_positions_as_people_type_them(capsys):
    a = json.loads(run(capsys, "region", GRAPHS / "resnet50.dot", "--at", "-1, 0", "--input-size", "224x224",
                       "--json")[1])
    b = json.loads(run(capsys, "region", GRAPHS / "resnet50.dot", "--at", "6,0", "--json")[1])
    assert a["positions"] == b["positions"]


def test_node_names_suggest_containers_and_warn_about_files(capsys):
    code, _, err = run(capsys, "analyze", GRAPHS / "resnet50.dot", "--output", "layer4.3")
    assert code == 2 and "similar: layer4" in err
    code, _, err = run(capsys, "analyze", GRAPHS / "resnet50.dot", "--output", "out.svg")
    assert code == 2 and "use -o FILE" in err


# ---------------------------------------------------------------------------------------------
# Imported models: container names and several outputs


def stages_model():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Stage(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.blocks = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU())

        def forward(self, x):
            return self.blocks(x)

    class Backbone(nn.Module):  # returns every stage's map, as timm's features_only does
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 4, stride=4)
            self.stages = nn.Sequential(Stage(8), nn.Conv2d(8, 8, 2, stride=2), Stage(8))

        def forward(self, x):
            x = self.stem(x)
            first = self.stages[0](x)
            return [first, self.stages[2](self.stages[1](first))]

    return Backbone().eval(), torch


def test_container_output_answers_to_its_inner_names():
    """ConvNeXt: the output of stages.3 is named after the outer container ``stages``;
    --output stages.3 must find it."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential()
    model.add_module("stem", nn.Conv2d(3, 8, 4, stride=4))
    model.add_module("stages", nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1)))
    net = rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32))
    assert "stages" in net.nodes and "stages.1" not in net.nodes
    assert rfgraph.analyze(net, output="stages.1").output == "stages"
    assert rfgraph.analyze(net, output="stages.1").rf == rfgraph.analyze(net, output="stages").rf == (20, 20)


def test_every_output_of_a_backbone_is_analysed(tmp_path, capsys):
    model, torch = stages_model()
    net = rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32))
    assert len(net.outputs) == 2
    path = rfgraph.save(net, tmp_path / "backbone.dot")
    data = json.loads(run(capsys, "analyze", path, "--json")[1])
    assert [d["output"] for d in data] == [str(o) for o in net.outputs]
    assert [d["axes"][0]["rf"] for d in data] == [rfgraph.analyze(net, output=o).rf[0] for o in net.outputs]
    code, out, _ = run(capsys, "analyze", path)
    assert out.count("-> output") == 2


def test_python_analysis_of_a_backbone_names_its_other_outputs(tmp_path):
    """``rfgraph.analyze`` answers one output; with none named it says which others there are
    (the CLI answers each), and each of them answers as it does when named."""
    raw = ("digraph { graph [outputs=\"c1,c2,c3\"]; x -> c1 [op=conv, k=3, s=2]; "
           "c1 -> c2 [op=conv, k=3, s=2]; c2 -> c3 [op=conv, k=5]; }")
    path = tmp_path / "three.dot"
    path.write_text(raw)
    net = rfgraph.load(path)
    first = rfgraph.analyze(net)
    assert first.other_outputs == tuple(o for o in net.outputs if o != first.output)
    assert {first.output, *first.other_outputs} == set(net.outputs) == {"c1", "c2", "c3"}
    assert rfgraph.analyze(net, output=first.output).other_outputs == ()  # named: nothing hidden
    assert first.rf == rfgraph.analyze(net, output=first.output).rf
    assert "the others: " + ", ".join(first.other_outputs) in str(first)
    assert first.to_dict()["other_outputs"] == list(first.other_outputs)
    jsonschema = pytest.importorskip("jsonschema")
    from rfgraph.results import json_schema

    jsonschema.Draft202012Validator(json_schema("analyze")).validate(first.to_dict())


def test_outputs_without_output_default_to_the_first_of_them(tmp_path, capsys):
    """A graph naming its maps with ``outputs`` but no ``output`` and with several sinks (a
    hand-written backbone): ``rfgraph.analyze`` answers the first, as the README says, and
    names the others, rather than refusing because the graph has several sinks; the other
    commands take the same default."""
    path = tmp_path / "two_heads.dot"
    path.write_text('digraph { input="x"; outputs="c,b"; x -> a [op=conv, k=3, s=2]; '
                    'a -> b [op=conv, k=3]; a -> c [op=conv, k=5, s=2]; }')
    first = rfgraph.analyze(path)
    assert (first.output, first.other_outputs) == ("c", ("b",))
    assert first.rf == rfgraph.analyze(path, output="c").rf
    code, out, _ = run(capsys, "region", path, "--at", "0", "--json")
    assert code == 0 and json.loads(out)["output"] == "c"
    data = json.loads(run(capsys, "analyze", path, "--json")[1])
    assert [d["output"] for d in data] == ["c", "b"]


def test_from_torch_takes_a_shape_for_the_example_input():
    torch = pytest.importorskip("torch")
    model = groupnorm_blocks(False)
    by_shape = rfgraph.from_torch(model, (1, 3, 32, 32))
    by_tensor = rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32))
    assert rfgraph.analyze(by_shape).to_dict() == rfgraph.analyze(by_tensor).to_dict()
    with pytest.raises(rfgraph.RFGraphError, match=r"\[N, C, \*spatial\]"):
        rfgraph.from_torch(model, (32, 32))
