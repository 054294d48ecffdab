"""The command line: JSON schemas, human output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import GRAPHS

import rfgraph
from rfgraph.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_analyze_json_schema(capsys):
    data = run_json(capsys, "analyze", GRAPHS / "resnet50.dot")
    assert data["input"] == "image" and data["output"] == "layer4"
    assert data["aligned"] is True and data["paths"] == 2**16
    assert [a["rf"] for a in data["axes"]] == [427, 427]
    assert data["axes"][0] == {**data["axes"][0], "axis": 0, "stride": 32, "padding": 213, "aligned": True}
    assert data["mismatches"] == [] and data["version"] == 1
    assert data["input_size"] == [224, 224] and data["sizes"]["layer4"] == [7, 7]


def test_analyze_json_misaligned(capsys):
    data = run_json(capsys, "analyze", GRAPHS / "distill_fig4_misaligned.dot")
    (axis,) = data["axes"]
    assert data["aligned"] is False and axis["rf"] is None and "different strides" in axis["reason"]
    assert [c["stride"] for c in axis["classes"]] == [1, 2]
    (m,) = data["mismatches"]
    assert m["kind"] == "stride" and m["node"] == "y" and m["axes"] == [0]
    assert sorted(p["stride"] for p in m["paths"]) == [1, 2]
    assert {tuple(p["nodes"]) for p in m["paths"]} == {("x", "a", "y"), ("x", "b", "c", "y")}


def test_analyze_reports_sizes_per_position_when_misaligned(capsys):
    """Distill: "For the second feature from the left, 6 input samples are used, while only 5
    are used for the third feature"; the hull sizes with padding are 7, 6, 5, 6."""
    data = run_json(capsys, "analyze", GRAPHS / "distill_fig4_misaligned.dot")
    (item,) = data["position_sizes"]
    assert item == {"axis": 0, "sizes": [7, 6, 5, 6], "clipped_sizes": [5, 6, 5, 5], "changes": [1, 2, 3]}


def test_analyze_choose_nodes_and_fractional_stride(capsys, tmp_path):
    data = run_json(capsys, "analyze", GRAPHS / "resnet50.dot", "--output", "layer1.0.conv2")
    assert data["output"] == "layer1.0.conv2" and data["axes"][0]["rf"] == 19
    path = tmp_path / "up.dot"
    path.write_text("digraph { x -> a [op=conv, k=3, s=2, p=1]; a -> y [op=conv_transpose, k=4, s=4]; }")
    data = run_json(capsys, "analyze", path)
    axis = data["axes"][0]
    assert axis["stride"] == "1/2" and axis["rf"] == 3 and axis["period"] == 4  # every phase: 3 px
    assert [p["size"] for p in axis["phases"]] == [3, 3, 3, 3]


def test_analyze_human_output(capsys):
    code, out, _ = run(capsys, "analyze", GRAPHS / "distill_fig4_misaligned.dot")
    assert code == 0
    assert "aligned: NO" in out and "misaligned: axis 0: paths meeting at y" in out
    assert "path ①: r=5 S=2 P=2: x -> a -> y" in out and "path ②: r=5 S=1 P=0: x -> b -> c -> y" in out


def test_analyze_names_paths_as_the_diagram_does(capsys, tmp_path):
    """Witness paths are named path ①, ② ... in the text report, as in the diagram's legend,
    each distinct path once across mismatches: never by a letter a node could be called."""
    path = tmp_path / "two.dot"
    path.write_text("digraph { x -> a [op=conv, k=3, s=2, p=1]; x -> b [op=conv, k=2, s=2]; "
                    "a -> m [op=add]; b -> m [op=add]; m -> n [op=conv, k=3, s=2, p=1]; "
                    "x -> c [op=conv, k=4, s=4]; c -> n [op=add]; }")
    code, out, _ = run(capsys, "analyze", path)
    assert code == 0
    lines = [line.strip() for line in out.splitlines() if line.startswith("  path")]
    assert lines and not any(line.startswith(("path a", "path b")) for line in lines)
    named = {}
    for line in lines:
        name, rest = line.split(": ", 1)
        nodes = rest.split(": ", 1)[1]
        assert named.setdefault(nodes, name) == name  # one path, one name
    assert len(set(named.values())) == len(named)  # distinct paths, distinct names
    diagram = rfgraph.diagram(path)
    for nodes, name in named.items():  # the diagram's legend names the same path the same way
        assert name in diagram.dot


def test_table_json(capsys):
    data = run_json(capsys, "table", GRAPHS / "distill_fig1_chain.dot")
    assert data["input"] == "f0"
    assert {n: row["axes"][0]["rf"] for n, row in data["nodes"].items()} == {"f0": 1, "f1": 3, "f2": 3, "f3": 3, "f4": 7}
    data = run_json(capsys, "table", GRAPHS / "distill_fig1_chain.dot", "--from-output")
    assert data["output"] == "f4" and data["nodes"]["f1"]["axes"][0]["rf"] == 3 and data["nodes"]["f0"]["axes"][0]["rf"] == 7


def test_paths(capsys):
    data = run_json(capsys, "paths", GRAPHS / "resnet50.dot", "--limit", "3")
    assert data["count"] == 2**16 and data["truncated"] is True and len(data["paths"]) == 3
    assert data["paths"][0]["nodes"][0] == "image" and data["paths"][0]["nodes"][-1] == "layer4"
    code, out, _ = run(capsys, "paths", GRAPHS / "distill_fig5_aligned.dot")
    assert "2 paths" in out and "r=3 S=4 P=1: x -> b -> c -> y" in out


def test_region_symbolic_and_exact(capsys):
    data = run_json(capsys, "region", GRAPHS / "distill_fig1_chain.dot", "--at", "0", "--input-size", "13")
    (pos,) = data["positions"]
    assert pos == {"at": [0], "lo": [0], "hi": [3], "u": [-3], "v": [3], "center": [0]}
    data = run_json(capsys, "region", GRAPHS / "distill_fig1_chain.dot", "--all", "--input-size", "13")
    assert data["output_size"] == [4] and len(data["positions"]) == 4
    assert data["positions"][3]["hi"] == [12] and data["positions"][3]["v"] == [15]
    data = run_json(capsys, "region", GRAPHS / "alexnet.dot", "--at", "2,3", "--input-size", "224,224")
    assert data["positions"][0]["at"] == [2, 3] and data["input_size"] == [224, 224]
    data = run_json(capsys, "region", GRAPHS / "distill_fig4_misaligned.dot", "--at", "1", "--set")
    assert data["positions"][0]["count"] == 6 and data["positions"][0]["set"] == [0, 1, 2, 3, 4, 5]


def test_region_without_input_size(capsys, tmp_path):
    path = tmp_path / "chain.dot"
    path.write_text("digraph { a -> b [op=conv, k=3, s=2, p=1]; b -> c [op=maxpool, k=3, s=2, p=1]; }")
    data = run_json(capsys, "region", path, "--at", "1")
    assert data["positions"] == [{"at": [1], "u": [1], "v": [7], "center": [4]}]
    code, _, err = run(capsys, "region", path, "--all")
    assert code == 2 and "input size" in err


def test_convert_with_values(capsys, tmp_path):
    out = tmp_path / "r.graphml"
    code, text, _ = run(capsys, "convert", GRAPHS / "resnet50.dot", "-o", out, "--values")
    assert code == 0 and out.exists()
    assert rfgraph.load(out).graph_attrs["rf"] == "427"
    code, _, err = run(capsys, "convert", GRAPHS / "resnet50.dot", "-o", out)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "convert", GRAPHS / "resnet50.dot", "-o", out, "--force")
    assert code == 0


@pytest.mark.parametrize("argv, message", [
    (["analyze", "missing.dot"], "missing.dot: "),
    (["analyze", str(GRAPHS / "resnet50.dot"), "--output", "nope"], "output 'nope': no such node"),
    (["analyze", str(GRAPHS / "resnet50.dot"), "--input", "layer4", "--output", "image"], "no path"),
    (["region", str(GRAPHS / "resnet50.dot"), "--at", "99"], "outside the output map"),
    (["region", str(GRAPHS / "resnet50.dot"), "--at", "1,2,3"], "3 coordinates"),
    (["analyze", str(GRAPHS)], "is a folder, not a graph file"),
    (["table", str(GRAPHS / "zoo")], "rfgraph batch"),
])
def test_errors_are_one_line_with_exit_code_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("rfgraph: error: ") and message in err


def test_bad_files_exit_2(capsys, tmp_path):
    for name, text in (("cycle.dot", "digraph { a -> b; b -> a; }"), ("k.dot", "digraph { a -> b [op=conv, k=abc]; }"),
                       ("syntax.dot", "digraph { a -> }"), ("two.dot", "digraph { a -> c; b -> c; }")):
        path = tmp_path / name
        path.write_text(text)
        code, _, err = run(capsys, "analyze", path)
        assert code == 2 and str(path) in err and err.count("\n") == 1


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "rfgraph.cli", "analyze", str(GRAPHS / "vgg16.dot"), "--json"],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["axes"][0]["rf"] == 212


@pytest.mark.parametrize("argv, option", [
    (["analyze", "{file}", "--check", "--min-rf", "-5"], "--min-rf"),
    (["paths", "{file}", "--limit", "-1"], "--limit"),
    (["plot", "{file}", "--kind", "region", "--max-rows", "-1", "-o", "{out}"], "--max-rows"),
    (["plot", "{file}", "--kind", "region", "--max-cells", "0", "-o", "{out}"], "--max-cells"),
])
def test_negative_counts_are_usage_errors(argv, option, capsys, tmp_path):
    file = str(GRAPHS / "distill_fig1_chain.dot")
    code = main([a.format(file=file, out=tmp_path / "x.png") for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"rfgraph: error: argument {option}: expected an integer of at least")
    assert err.count("\n") == 1 and not (tmp_path / "x.png").exists()
