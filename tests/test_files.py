"""Reading and writing files safely: special files, standard input, size limits, symbolic
links, GraphML encodings and entities, and typed values that must read back."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

import rfgraph
from rfgraph.cli import main
from rfgraph.io.graphml import parse_graphml

CHAIN = "digraph { x -> y [op=conv, k=3, s=2]; }"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("rfgraph: error: "), err
    return err


def test_special_files_are_refused_not_read(capsys, tmp_path):
    fifo = tmp_path / "pipe.dot"
    os.mkfifo(fifo)  # reading it would block forever
    assert "is a FIFO" in one_line_error(capsys, "analyze", fifo)
    zero = tmp_path / "zero.graphml"
    zero.symlink_to("/dev/zero")  # reading it would never end
    assert "is a character device" in one_line_error(capsys, "analyze", zero)
    folder = tmp_path / "dir.dot"
    folder.mkdir()
    assert "is a folder, not a graph file" in one_line_error(capsys, "table", folder)
    onnx = tmp_path / "model.onnx"
    os.mkfifo(onnx)
    assert "is a FIFO" in one_line_error(capsys, "analyze", onnx)
    assert "is a FIFO" in one_line_error(capsys, "import", onnx, "-o", tmp_path / "m.dot")


def test_file_size_limit_is_checked_before_reading(capsys, tmp_path):
    path = tmp_path / "g.dot"
    path.write_text(CHAIN + " " * 2000)
    err = one_line_error(capsys, "analyze", path, "--max-file-size", "1K")
    assert "exceeds the limit of 1 KiB (--max-file-size raises it)" in err
    assert run(capsys, "analyze", path, "--max-file-size", "4K")[0] == 0
    with rfgraph.limits(max_file_size=1024):
        with pytest.raises(rfgraph.LimitError, match="max_file_size"):
            rfgraph.load(path)


FIG1 = rfgraph.load("graphs/distill_fig1_chain.dot")


@pytest.mark.parametrize("text", [rfgraph.dumps(FIG1, "dot"), rfgraph.dumps(FIG1, "graphml"),
                                  rfgraph.dumps(FIG1, "node_link")], ids=["dot", "graphml", "node_link"])
def test_standard_input(text):
    """DOT, GraphML and node-link JSON on standard input, told apart by their first character."""
    done = subprocess.run([sys.executable, "-m", "rfgraph.cli", "analyze", "-", "--json"], input=text.encode(),
                          capture_output=True, check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    got = json.loads(done.stdout)
    assert [a["rf"] for a in got["axes"]] == list(rfgraph.analyze(FIG1).rf)


def test_standard_input_size_limit(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((CHAIN + " " * 5000).encode())))
    err = one_line_error(capsys, "analyze", "-", "--max-file-size", "2K")
    assert "standard input" in err and "--max-file-size" in err


def test_output_onto_symbolic_links(capsys, tmp_path):
    src = tmp_path / "g.dot"
    src.write_text(CHAIN)
    dangling = tmp_path / "out.dot"
    dangling.symlink_to(tmp_path / "nowhere.dot")
    err = one_line_error(capsys, "convert", src, "-o", dangling)
    assert "already exists (use --force to replace it)" in err and "overwrite" not in err
    assert dangling.is_symlink() and not (tmp_path / "nowhere.dot").exists()
    target = tmp_path / "target.dot"
    target.write_text("keep me")
    link = tmp_path / "link.graphml"
    link.symlink_to(target)
    assert run(capsys, "convert", src, "-o", link, "--force")[0] == 0
    assert not link.is_symlink() and target.read_text() == "keep me"  # the link replaced, not its target
    assert rfgraph.load(link).nodes == ("x", "y")
    device = tmp_path / "null.dot"
    device.symlink_to("/dev/null")
    assert run(capsys, "convert", src, "-o", device, "--force")[0] == 0 and os.path.exists("/dev/null")
    with pytest.raises(rfgraph.OutputExistsError, match="overwrite=True"):
        rfgraph.save(rfgraph.load(src), dangling)


def test_output_errors_are_clear(capsys, tmp_path):
    src = tmp_path / "g.dot"
    src.write_text(CHAIN)
    assert "does not exist" in one_line_error(capsys, "convert", src, "-o", tmp_path / "no" / "x.dot")
    (tmp_path / "d.dot").mkdir()
    assert "is a directory" in one_line_error(capsys, "convert", src, "-o", tmp_path / "d.dot")


@pytest.mark.parametrize("encoding, message", [("ebcdic", "unknown encoding"), ("utf-32", "cannot decode"),
                                                ("x-nonsense", "unknown encoding")])
def test_graphml_with_an_unusable_encoding(capsys, tmp_path, encoding, message):
    path = tmp_path / "g.graphml"
    path.write_text(f'<?xml version="1.0" encoding="{encoding}"?><graphml><graph/></graphml>')
    assert message in one_line_error(capsys, "analyze", path)


def test_graphml_entities_are_refused():
    laughs = ('<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              '<graphml><graph><node id="&b;"/></graph></graphml>')
    with pytest.raises(rfgraph.ParseError, match="must not declare XML entities"):
        parse_graphml(laughs.encode(), "g.graphml")


@pytest.mark.parametrize("kind, text", [("int", "1_000"), ("long", "3.0"), ("double", "infinity-ish"),
                                        ("double", "1_0.5"), ("long", "9" * 4301)])
def test_graphml_numbers_in_xml_schema_forms_only(kind, text):
    doc = (f'<graphml><key id="k" for="edge" attr.name="k" attr.type="{kind}"/><graph edgedefault="directed">'
           f'<edge source="a" target="b"><data key="k">{text}</data></edge></graph></graphml>')
    with pytest.raises(rfgraph.RFGraphError):
        parse_graphml(doc.encode())


def test_graphml_doubles_read_back_through_dot(capsys, tmp_path):
    """A GraphML double holding 2 for s is the integer 2: convert writes s=2, never s=2.0."""
    doc = ('<graphml><key id="s" for="edge" attr.name="s" attr.type="double"/>'
           '<key id="k" for="edge" attr.name="k" attr.type="double"/>'
           '<key id="n" for="graph" attr.name="input_size" attr.type="double"/>'
           '<key id="o" for="edge" attr.name="op" attr.type="string"/><graph edgedefault="directed">'
           '<data key="n">16</data><edge source="a" target="b"><data key="o">conv</data><data key="s">2</data>'
           '<data key="k">3.0</data></edge></graph></graphml>')
    src = tmp_path / "typed.graphml"
    src.write_text(doc)
    for suffix in (".dot", ".graphml"):
        out = tmp_path / f"out{suffix}"
        assert run(capsys, "convert", src, "-o", out)[0] == 0
        assert rfgraph.load(out).edges[0].layer == rfgraph.load(src).edges[0].layer
    assert "s=2," in (tmp_path / "out.dot").read_text() and "2.0" not in (tmp_path / "out.dot").read_text()
    assert rfgraph.analyze(tmp_path / "out.dot").rf == rfgraph.analyze(src).rf == (3,)


def test_plot_axis_outside_the_graph(capsys, tmp_path):
    src = tmp_path / "g.dot"
    src.write_text('digraph { x -> y [op=conv, k="3,5"]; }')
    err = one_line_error(capsys, "plot", src, "--kind", "region", "--at", "1,2", "--axis", "5",
                         "-o", tmp_path / "p.png")
    assert "--axis 5" in err
    err = one_line_error(capsys, "plot", src, "--kind", "region", "--axis", "5", "--input-size", "9,9",
                         "-o", tmp_path / "p.png")
    assert "--axis 5: the graph has 2 axes" in err
    assert "--dpi" in one_line_error(capsys, "plot", src, "--kind", "growth", "--dpi", "1e9", "-o", tmp_path / "p.png")
    fifo = tmp_path / "image.png"
    os.mkfifo(fifo)
    assert "is a FIFO" in one_line_error(capsys, "plot", src, "--kind", "overlay", "--image", fifo,
                                         "--input-size", "9,9", "-o", tmp_path / "o.png")
