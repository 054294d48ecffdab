"""Exact numbers of any size in every output: half-integer centres too large for a float
(deep stacks of even kernels) are written in full in text and as "a/2" in JSON, never rounded
and never an OverflowError; a plot refuses what a float cannot hold with a clear error."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import networkx as nx
import pytest

import rfgraph
from rfgraph.cli import main
from rfgraph.results.format import number, text


def halving_chain(n: int) -> nx.MultiDiGraph:
    """n 2x2 average pools of stride 2: rf = stride = 2^n, centre (2^n - 1) / 2."""
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_edge(f"n{i}", f"n{i + 1}", op="avgpool", k=2, s=2)
    return G


def write_dot(G: nx.MultiDiGraph, path) -> str:
    lines = [f'  "{u}" -> "{v}" [op={d["op"]}, k={d["k"]}, s={d["s"]}];' for u, v, d in G.edges(data=True)]
    path.write_text("digraph {\n" + "\n".join(lines) + "\n}\n")
    return str(path)


@pytest.mark.parametrize("n", [1, 20, 52, 53, 60, 1100])
def test_centres_are_exact_in_text_json_and_python(n, tmp_path, capsys):
    sys.set_int_max_str_digits(0)
    centre = Fraction(2**n - 1, 2)
    result = rfgraph.analyze(halving_chain(n))
    assert result.axes[0].center == centre
    file = write_dot(halving_chain(n), tmp_path / "chain.dot")

    assert main(["analyze", file, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    written = out["axes"][0]["center"]
    exact = Fraction(written) if isinstance(written, str) else Fraction(written)
    assert exact == centre  # a float that dropped the half would differ

    assert main(["analyze", file]) == 0
    report = capsys.readouterr().out
    assert f"{(2**n - 1) // 2}.5" in report

    assert main(["region", file, "--at", "0", "--json"]) == 0
    position = json.loads(capsys.readouterr().out)["positions"][0]
    assert Fraction(position["center"][0]) == centre


def test_number_and_text_of_halves():
    for numerator in (1, -3, 2**53 - 1, 2**53 + 1, -(2**80) - 1, 2**5000 + 1):
        x = Fraction(numerator, 2)
        json_value = number(x)
        assert Fraction(json_value) == x
        if abs(numerator) > 2**53:
            assert json_value == f"{numerator}/2"
        shown = text(x)
        assert shown.endswith(".5") and Fraction(shown[:-2]) + (Fraction(-1, 2) if x < 0 else Fraction(1, 2)) == x


def test_csv_rows_keep_exact_centres(tmp_path, capsys):
    file = write_dot(halving_chain(60), tmp_path / "chain.dot")
    assert main(["batch", file, "--format", "csv"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert dict(zip(header.split(","), row.split(",")))["center"] == f"{2**60 - 1}/2"


def test_growth_plot_of_numbers_beyond_a_float_is_a_clear_error(tmp_path, capsys):
    G = nx.MultiDiGraph()
    for i in range(1100):
        G.add_edge(f"n{i}", f"n{i + 1}", op="conv", k=3, s=2)
    file = write_dot(nx.MultiDiGraph([(u, v, {"op": "conv", "k": 3, "s": 2}) for u, v in G.edges()]),
                     tmp_path / "deep.dot")
    assert main(["plot", file, "--kind", "growth", "-o", str(tmp_path / "g.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rfgraph: error: map n") and "too large to plot" in err[0]
