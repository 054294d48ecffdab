"""Batch analysis: rows equal single `rfgraph analyze --json` runs, bad graphs are rows with
their error, local processes give the serial rows, output is streamed and written safely.
(The Dask cluster runs are in test_batch_dask.py.)"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import jsonschema
import networkx as nx
import pytest
from conftest import GRAPHS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dags

import rfgraph
from rfgraph.batch import executors, run
from rfgraph.batch.columns import CSV_COLUMNS
from rfgraph.cli import main
from rfgraph.io.node_link import format_node_link
from rfgraph.results import json_schema

ROOT = GRAPHS.parent
BUNDLED = sorted(GRAPHS.glob("*.dot")) + sorted((GRAPHS / "zoo").glob("*.dot"))
ROW = jsonschema.Draft202012Validator(json_schema("batch_row"))


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def analyze_json(capsys, *argv) -> tuple[int, dict | str]:
    """`rfgraph analyze ... --json`: the document, or the error message (without the prefix)."""
    code, out, err = cli(capsys, "analyze", *argv, "--json")
    if code == 0:
        return code, json.loads(out)
    assert code == 2 and err.startswith("rfgraph: error: ")
    return code, err[len("rfgraph: error: "):].strip()


def rows_of(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines()]
    for row in rows:
        ROW.validate(row)
    return rows


def without(row: dict, *keys: str) -> dict:
    return {k: v for k, v in row.items() if k not in keys}


# ---------------------------------------------------------------------------------------------
# Rows are single analyses


def test_diagnosed_rows_are_analyze_json_on_bundled_and_zoo_graphs(capsys):
    code, out, _ = cli(capsys, "batch", *BUNDLED, "--diagnose")
    assert code == 0
    rows = rows_of(out)
    assert [r["name"] for r in rows] == [str(p) for p in BUNDLED]
    for path, row in zip(BUNDLED, rows):
        assert without(row, "name") == analyze_json(capsys, path)[1]


def test_fast_rows_are_the_verdict_of_analyze(capsys):
    code, out, _ = cli(capsys, "batch", *BUNDLED, "--jobs", "2", "--chunk-size", "3")
    assert code == 0
    for path, row in zip(BUNDLED, rows_of(out), strict=True):
        assert row["diagnosed"] is False
        assert without(row, "name") == rfgraph.analyze(str(path), diagnose=False).to_dict()


def test_rows_at_an_input_size_and_their_errors_are_analyzes(capsys):
    """--input-size applies to every graph; where `analyze` fails (Inception at 64 px), the row
    holds the same error message."""
    code, out, err = cli(capsys, "batch", *BUNDLED, "--input-size", "64", "--diagnose")
    rows = rows_of(out)
    failed = 0
    for path, row in zip(BUNDLED, rows, strict=True):
        status, expected = analyze_json(capsys, path, "--input-size", "64")
        if status == 0:
            assert without(row, "name") == expected
        else:
            failed += 1
            assert row == {"name": str(path), "error": expected}
    assert failed and code == 2 and f"{failed} of {len(BUNDLED)} graphs" in err


@st.composite
def batches(draw):
    graphs = draw(st.lists(dags(max_nodes=6, fractional=True, whole=True), min_size=1, max_size=5))
    bad = draw(st.integers(0, len(graphs)))  # where the line that is not JSON goes
    return graphs, bad


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches())
def test_json_lines_rows_are_analyze_json_of_each_graph(capsys, tmp_path, case):
    """Random graphs as JSON lines, a line that is not JSON among them: every graph's row is
    `rfgraph analyze --json` of that graph in a file of its own (with and without witnesses),
    the bad line is an error row in its place."""
    graphs, bad = case
    lines = [format_node_link(net.to_raw()) for net in graphs]
    lines.insert(bad, "{this is not json")
    space = tmp_path / "space.jsonl"
    space.write_text("\n".join(lines) + "\n")
    for flags in ((), ("--diagnose",)):
        code, out, _ = cli(capsys, "batch", space, *flags)
        assert code == 2
        rows = rows_of(out)
        assert [r["name"] for r in rows] == [f"{space}:{i + 1}" for i in range(len(lines))]
        assert rows[bad] == {"name": f"{space}:{bad + 1}",
                             "error": f"{space}:{bad + 1}: not JSON: Expecting property name enclosed in "
                                      "double quotes: line 1 column 2 (char 1)"}
        for i, line in enumerate(lines):
            if i == bad:
                continue
            single = tmp_path / f"g{i}.json"
            single.write_text(line)
            status, expected = analyze_json(capsys, single)
            row = without(rows[i], "name", "file")
            if status != 0:
                assert rows[i]["error"] == expected.replace(str(single), f"{space}:{i + 1}")
                continue
            expected = without(expected, "file")
            if not flags:
                assert row.pop("diagnosed") is False and expected.pop("diagnosed") is True
                row_m, full_m = row.pop("mismatches"), expected.pop("mismatches")
                assert [(m["kind"], m["axes"], m["node"]) for m in row_m] == \
                    [(m["kind"], m["axes"], m["node"]) for m in full_m]
            assert row == expected


# ---------------------------------------------------------------------------------------------
# Bad graphs


BAD = [
    (b'{"edges": [{"source": "x", "target": "y", "op": "warp"}]}', "unknown op 'warp'"),
    (b'{"edges": [{"source": "x", "target": "y"}, {"source": "y", "target": "x"}]}', "the graph has a cycle: y -> x -> y"),
    (b'{"directed": false, "edges": [{"source": "x", "target": "y"}]}', "the graph is undirected"),
    (b'{"graph": {"output": "z"}, "edges": [{"source": "x", "target": "y"}]}', "graph attribute output 'z': no such node"),
    (b'{"graph": {"input": "y", "output": "x"}, "edges": [{"source": "x", "target": "y"}]}', "no path from input 'y' to output 'x'"),
    (b'{"edges": [{"source": "x", "target": "y", "op": "conv", "k": "abc"}]}', "edge x -> y: attribute k='abc'"),
    (b'{"edges": [{"source": "x", "target": "y", "op": "conv", "k": 9}], "graph": {"input_size": 4}}', "does not fit an input of length 4"),
    (b'[1, 2, 3]', "node-link JSON: expected an object"),
    (b'{"nodes": [], "edges": []}', "the graph is empty"),
    (b'{"nodes": "\xff\xfe"}', "not JSON"),  # not UTF-8
]


def test_bad_graphs_in_the_middle_are_error_rows(capsys, tmp_path):
    good = format_node_link(rfgraph.load(GRAPHS / "distill_fig1_chain.dot").to_raw()).encode()
    lines = [good] + [text for text, _ in BAD] + [good]
    space = tmp_path / "space.jsonl"
    space.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = cli(capsys, "batch", space, "--jobs", "2", "--chunk-size", "2")
    rows = rows_of(out)
    assert code == 2 and f"{len(BAD)} of {len(lines)} graphs could not be analysed" in err
    assert rows[0]["axes"][0]["rf"] == 7 and rows[-1]["axes"][0]["rf"] == 7
    for i, (row, (_, message)) in enumerate(zip(rows[1:-1], BAD, strict=True), start=2):
        assert set(row) == {"name", "error"} and row["name"] == f"{space}:{i}"
        assert row["error"].startswith(f"{space}:{i}: ") and message in row["error"], row


def test_missing_and_unreadable_sources_are_rows(capsys, tmp_path):
    folder = tmp_path / "graphs"
    folder.mkdir()
    (folder / "a.dot").write_text("digraph { x -> y [op=conv, k=3]; }")
    (folder / "b.dot").write_text("digraph { x -> }")
    (folder / "notes.txt").write_text("not a graph: skipped")
    (folder / ".hidden.dot").write_text("skipped too")
    code, out, _ = cli(capsys, "batch", folder, tmp_path / "missing.jsonl", tmp_path / "nothing")
    rows = rows_of(out)
    assert [r["name"] for r in rows] == [str(folder / "a.dot"), str(folder / "b.dot"),
                                        str(tmp_path / "missing.jsonl"), str(tmp_path / "nothing")]
    assert rows[0]["axes"][0]["rf"] == 3
    assert "b.dot:1:" in rows[1]["error"]
    assert rows[2]["error"].endswith("missing.jsonl: no such file or folder")
    assert rows[3]["error"].endswith("nothing: no such file or folder")
    assert code == 2


def test_blank_lines_are_skipped_and_numbering_stays_physical(capsys, tmp_path):
    good = format_node_link(rfgraph.load(GRAPHS / "distill_fig1_chain.dot").to_raw())
    space = tmp_path / "s.jsonl"
    space.write_text(f"\n{good}\n   \n{good}")  # no newline at the end either
    code, out, _ = cli(capsys, "batch", space)
    assert code == 0 and [r["name"] for r in rows_of(out)] == [f"{space}:2", f"{space}:4"]


# ---------------------------------------------------------------------------------------------
# Python


def test_analyze_many_takes_every_kind_of_graph():
    G = nx.MultiDiGraph(name="pair")
    G.add_edge("x", "y", op="conv", k=3, s=2)
    net = rfgraph.load(GRAPHS / "distill_fig5_aligned.dot")
    data = nx.node_link_data(G, edges="edges")
    unnamed = net.to_raw()
    unnamed.name = unnamed.source = None
    rows = list(rfgraph.analyze_many([G, ("mine", net), data, rfgraph.build(unnamed), nx.DiGraph(), net]))
    assert [r.name for r in rows] == ["pair", "mine", "pair", "#3", "#4", str(GRAPHS / "distill_fig5_aligned.dot")]
    assert [r.analysis.rf for r in rows[:4]] == [(3,), (3,), (3,), (3,)]
    assert rows[4].error == "#4: the graph is empty"
    assert rows[1].to_dict() == {"name": "mine", **rfgraph.analyze(net, diagnose=False).to_dict()}


def test_processes_give_the_serial_rows_in_order_or_as_they_finish(tmp_path):
    sources = [str(p) for p in BUNDLED] + [str(tmp_path / "missing.dot")]
    serial = [r.to_dict() for r in rfgraph.analyze_many(sources)]
    pool = [r.to_dict() for r in rfgraph.analyze_many(sources, jobs=2, chunk_size=2)]
    assert pool == serial
    loose = [r.to_dict() for r in rfgraph.analyze_many(sources, jobs=2, chunk_size=1, ordered=False)]
    key = lambda row: row["name"]  # noqa: E731
    assert sorted(loose, key=key) == sorted(serial, key=key)


def test_workers_know_the_ops_registered_here(tmp_path):
    """Worker processes start from a clean interpreter: ops registered with register_op in
    this process are sent along."""
    rfgraph.register_op("blur7", rfgraph.Window("blur7", requires_k=True))
    try:
        space = tmp_path / "s.jsonl"
        space.write_text('{"edges": [{"source": "x", "target": "y", "op": "blur7", "k": 7}]}\n' * 3)
        rows = list(rfgraph.analyze_many([str(space)], jobs=2, chunk_size=1))
        assert [r.analysis.rf for r in rows] == [(7,)] * 3
    finally:
        del rfgraph.OPS["blur7"]


def test_a_dying_worker_costs_only_its_chunk():
    from batch_helpers import crash_on_poison

    chunks = [["a"], ["b"], ["poison"], ["c"], ["d"], ["e"]]
    results = list(executors.run_processes(crash_on_poison, chunks, 2, on_failure=lambda c, m: ("failed", c, m)))
    assert results[:2] == [["A"], ["B"]] and results[3:] == [["C"], ["D"], ["E"]]
    failed, chunk, message = results[2]
    assert failed == "failed" and chunk == ["poison"] and "died" in message


def test_a_dying_worker_gives_error_rows(monkeypatch):
    from rfgraph.batch import _failed

    rows, errors = _failed("jsonl", [executors_item("g:1"), executors_item("g:2")], "the worker died")
    assert errors == 2 and [json.loads(r) for r in rows] == [
        {"name": "g:1", "error": "g:1: the worker died"}, {"name": "g:2", "error": "g:2: the worker died"}]


def executors_item(name):
    from rfgraph.batch.sources import Item

    return Item(name, "line", b"{}")


# ---------------------------------------------------------------------------------------------
# Output


def test_csv_columns(capsys, tmp_path):
    two_d = tmp_path / "asym.dot"
    two_d.write_text('digraph { x -> y [op=conv, k="3,5", s=2, p="1,2"]; }')
    sources = [GRAPHS / "resnet50.dot", GRAPHS / "distill_fig4_misaligned.dot", two_d, tmp_path / "gone.dot"]
    code, out, _ = cli(capsys, "batch", *sources, "--format", "csv")
    assert code == 2
    table = list(csv.DictReader(io.StringIO(out)))
    assert tuple(table[0]) == CSV_COLUMNS and len(table) == 4
    r50, fig4, asym, gone = table
    expected = rfgraph.analyze(GRAPHS / "resnet50.dot")
    assert r50["rf"] == str(expected.rf[0]) == "427" and r50["stride"] == "32" and r50["padding"] == "213"
    assert (r50["aligned"], r50["verdict"], r50["paths"]) == ("true", "aligned", str(2**16))
    assert (r50["input_size"], r50["output_size"], r50["error"]) == ("224x224", "7x7", "")
    assert fig4["verdict"] == "misaligned: stride" and fig4["mismatch_nodes"] == "y" and fig4["rf"] == ""
    assert "different strides" in fig4["reason"] and fig4["diagnosed"] == "false"
    assert (asym["rf"], asym["padding"], asym["stride"], asym["center"]) == ("3,5", "1,2", "2", "0")
    assert gone["error"].endswith("gone.dot: no such file or folder") and gone["rf"] == ""


def test_half_pixel_centres_are_numbers_in_csv(capsys, tmp_path):
    path = tmp_path / "half.dot"
    path.write_text("digraph { x -> y [op=avgpool, k=2, s=2]; }")
    code, out, _ = cli(capsys, "batch", path, "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["center"] == "0.5" == str(float(rfgraph.analyze(path).axes[0].center))
    assert rfgraph.analyze(path).axes[0].center == Fraction(1, 2)


def test_out_file_is_written_safely(capsys, tmp_path):
    out = tmp_path / "rows.jsonl"
    code, text, _ = cli(capsys, "batch", GRAPHS / "vgg16.dot", "-o", out)
    assert code == 0 and text == f"wrote {out}: 1 rows\n"
    assert rows_of(out.read_text())[0]["axes"][0]["rf"] == 212
    assert not (tmp_path / "rows.jsonl.partial").exists()
    code, _, err = cli(capsys, "batch", GRAPHS / "alexnet.dot", "-o", out)
    assert code == 2 and "already exists" in err
    assert rows_of(out.read_text())[0]["name"].endswith("vgg16.dot")  # untouched
    code, _, _ = cli(capsys, "batch", GRAPHS / "alexnet.dot", "-o", out, "--force")
    assert code == 0 and rows_of(out.read_text())[0]["name"].endswith("alexnet.dot")
    code, _, err = cli(capsys, "batch", GRAPHS / "alexnet.dot", "-o", tmp_path / "no" / "such" / "x.jsonl")
    assert code == 2 and "does not exist" in err


def test_an_interrupted_run_keeps_its_rows(capsys, tmp_path, monkeypatch):
    from rfgraph.cli import batch as command

    real = command.run

    def interrupted(*args, **kwargs):
        for i, chunk in enumerate(real(*args, **kwargs)):
            if i == 2:
                raise KeyboardInterrupt
            yield chunk

    monkeypatch.setattr(command, "run", interrupted)
    out = tmp_path / "rows.jsonl"
    code, _, err = cli(capsys, "batch", *BUNDLED, "--chunk-size", "2", "-o", out)
    partial = tmp_path / "rows.jsonl.partial"
    assert code == 130 and f"the rows written so far are in {partial}" in err
    assert not out.exists()
    assert [r["name"] for r in rows_of(partial.read_text())] == [str(p) for p in BUNDLED[:4]]
    code, _, err = cli(capsys, "batch", *BUNDLED, "-o", out)  # the partial file is not overwritten
    assert code == 2 and "interrupted run" in err
    monkeypatch.setattr(command, "run", real)
    code, _, _ = cli(capsys, "batch", *BUNDLED, "-o", out, "--force")
    assert code == 0 and len(rows_of(out.read_text())) == len(BUNDLED) and not partial.exists()


def test_sigterm_keeps_complete_rows(tmp_path):
    """A real process, terminated while it writes: every line it kept is a complete row."""
    line = format_node_link(rfgraph.load(GRAPHS / "resnet50.dot").to_raw())
    space = tmp_path / "space.jsonl"
    space.write_text((line + "\n") * 1000)
    out = tmp_path / "rows.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "rfgraph.cli", "batch", str(space), "-o", str(out),
                             "--chunk-size", "4", "--diagnose"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    partial = tmp_path / "rows.jsonl.partial"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size == 0):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted: the rows written so far are in" in err
    rows = rows_of(partial.read_text())
    assert 0 < len(rows) < 1000 and all(r["axes"][0]["rf"] == 427 for r in rows)
    assert not out.exists()


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, tmp_path):
    from rfgraph.cli import batch as command

    space = tmp_path / "s.jsonl"
    space.write_text('{"edges": [{"source": "x", "target": "y"}]}\n\n' * 5)
    args = command.argparse.Namespace(paths=[str(space), str(GRAPHS)])
    assert command._progress(args) is None  # pytest's stderr is not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = command._progress(args)
    assert bar is not None and bar.total == 5 + len(list(GRAPHS.rglob("*.dot"))) + len(list(GRAPHS.rglob("*.graphml")))
    bar.close()
    assert bar.total == sum(len(rows) for rows, _ in run([str(space), str(GRAPHS)]))


def test_import_stays_light():
    code = ("import sys, rfgraph, rfgraph.cli; heavy = [m for m in ('tqdm', 'distributed', 'dask', "
            "'concurrent.futures', 'multiprocessing') if m in sys.modules]; print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("options, message", [
    ({"jobs": -1}, "jobs=-1"), ({"chunk_size": 0}, "chunk_size=0"), ({"input_size": "abc"}, "input_size='abc'"),
])
def test_bad_options_are_named(options, message):
    with pytest.raises((ValueError, rfgraph.RFGraphError), match=message):
        next(rfgraph.analyze_many([str(GRAPHS / "vgg16.dot")], **options))


def test_cli_options_are_checked(capsys):
    for argv, message in ((["--jobs", "-2"], "0 (every core) or more"), (["--chunk-size", "0"], "positive integer"),
                          (["--format", "xml"], "invalid choice")):
        assert main(["batch", str(GRAPHS / "vgg16.dot"), *argv]) == 2  # a usage error: one line, exit 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_json_lines_from_standard_input(tmp_path):
    good = format_node_link(rfgraph.load(GRAPHS / "distill_fig1_chain.dot").to_raw())
    done = subprocess.run([sys.executable, "-m", "rfgraph.cli", "batch", "-", "--format", "csv"],
                          input=f"{good}\n\nnot json\n{good}\n", capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert done.returncode == 2 and [r["name"] for r in table] == ["-:1", "-:3", "-:4"]
    assert [r["rf"] for r in table] == ["7", "", "7"] and table[1]["error"].startswith("-:3: not JSON")
    assert rfgraph.batch.count(["-"]) is None
