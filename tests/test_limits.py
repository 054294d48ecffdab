"""The limits (rfgraph/core/limits.py): how they are set, where they are checked, and the
errors that name the file, node or edge, the value and how to raise the limit."""

from __future__ import annotations

import json
import sys
import threading
from fractions import Fraction

import networkx as nx
import pytest

import rfgraph
from rfgraph.cli import main
from rfgraph.core.limits import DEFAULT, parse_amount


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def chain(*layers: dict, **graph) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(**graph)
    for i, attrs in enumerate(layers):
        G.add_edge(f"n{i}", f"n{i + 1}", **attrs)
    return G


def test_limits_in_a_block_and_for_the_process():
    with rfgraph.limits(max_length=10) as now:
        assert now.max_length == 10 == rfgraph.current_limits().max_length
        with pytest.raises(rfgraph.LimitError, match="exceeds the limit of 10"):
            rfgraph.analyze(chain({"op": "conv", "k": 3}), input_size=11)
    assert rfgraph.current_limits() == DEFAULT
    try:
        assert rfgraph.set_limits(max_axes=2).max_axes == 2
        with pytest.raises(rfgraph.LimitError):
            rfgraph.analyze(chain({"op": "conv", "k": "3,3,3"}))
    finally:
        rfgraph.set_limits()
    assert rfgraph.current_limits() == DEFAULT


def test_limits_of_a_block_stay_in_its_thread():
    seen = {}
    with rfgraph.limits(max_items=5):
        thread = threading.Thread(target=lambda: seen.update(other=rfgraph.current_limits().max_items))
        thread.start()
        thread.join()
        seen["here"] = rfgraph.current_limits().max_items
    assert seen == {"here": 5, "other": DEFAULT.max_items}


def test_bad_limits_are_refused():
    with pytest.raises(TypeError, match="unknown limit 'max_lenght'"):
        with rfgraph.limits(max_lenght=3):
            pass
    with pytest.raises(ValueError, match="positive integer"):
        with rfgraph.limits(max_length=0):
            pass
    with pytest.raises(ValueError, match="at most 2\\*\\*30"):
        with rfgraph.limits(max_length=1 << 31):
            pass
    assert parse_amount("2G") == 2 << 30 and parse_amount("512MiB") == 512 << 20
    with pytest.raises(ValueError):
        parse_amount("lots")


@pytest.mark.parametrize("attrs, limit", [
    ({"op": "conv", "k": 10**5000}, "max_length"),             # a Python int beyond printing
    ({"op": "conv", "k": "9" * 4301}, "max_int_digits"),
    ({"op": "conv", "k": 3, "s": 10**24}, "max_length"),
    ({"op": "conv", "k": 3, "p": -(10**30)}, "max_length"),
    ({"op": "conv", "k": tuple([1] * 65)}, "max_axes"),
    ({"op": "conv", "k": ",".join(["1"] * 100_000)}, "max_axes"),
    ({"op": "upsample", "scale": 10**9}, "max_length"),
    ({"op": "conv_transpose", "k": 10**9, "s": 2}, "max_length"),
])
def test_huge_attribute_values_are_limit_errors(attrs, limit):
    with pytest.raises(rfgraph.LimitError) as found:
        rfgraph.analyze(chain(attrs))
    assert found.value.limit == limit and "edge n0 -> n1" in str(found.value)
    assert len(str(found.value)) < 300  # one readable line, whatever the value


@pytest.mark.parametrize("value", [Fraction(10**400, 1), float("inf"), float("nan"), Fraction(5, 2)])
def test_odd_numbers_from_code_are_clear_errors(value):
    with pytest.raises(rfgraph.RFGraphError):
        rfgraph.analyze(chain({"op": "conv", "k": value}))


def test_graph_attributes_axes_and_input_size():
    for graph, limit in (({"axes": "100000000"}, "max_axes"), ({"axes": str(10**30)}, "max_axes"),
                         ({"input_size": "1000000000"}, "max_length"),
                         ({"input_size": ",".join(["2"] * 65)}, "max_axes")):
        with pytest.raises(rfgraph.LimitError) as found:
            rfgraph.analyze(chain({"op": "conv", "k": 3}, **graph))
        assert found.value.limit == limit
    with pytest.raises(rfgraph.LimitError, match="edge n0 -> n1: upsample x4 nearest makes a map of length"):
        with rfgraph.limits(max_length=100):
            rfgraph.analyze(chain({"op": "upsample", "scale": 4}), input_size=30)


def test_stride_classes_and_digits_of_computed_strides():
    G = nx.MultiDiGraph()
    for i in range(80):  # two parallel strides per layer: i + 2 classes at depth i + 1
        G.add_edge(i, i + 1, op="conv", k=1, s=2)
        G.add_edge(i, i + 1, op="conv", k=1, s=3)
    with pytest.raises(rfgraph.LimitError, match="different effective strides") as found:
        rfgraph.table(G)
    assert found.value.limit == "max_strides"
    deep = chain(*[{"op": "conv", "k": 3, "s": 1 << 20}] * 10)  # stride 2^200: 61 digits
    with rfgraph.limits(max_int_digits=50):
        for ask in (rfgraph.analyze, rfgraph.table, lambda g: rfgraph.list_paths(g)):
            with pytest.raises(rfgraph.LimitError, match="effective stride"):
                ask(deep)
    assert rfgraph.analyze(deep).stride == (2**200,)


def test_listing_phases_positions_and_paths():
    up = chain({"op": "upsample", "scale": 1000})
    with rfgraph.limits(max_items=999):
        with pytest.raises(rfgraph.LimitError, match="1000 phases"):
            rfgraph.analyze(up)
    assert rfgraph.analyze(up).axes[0].period == 1000
    G = chain({"op": "conv", "k": 3}, input_size="64,64")
    with rfgraph.limits(max_items=100):
        with pytest.raises(rfgraph.LimitError, match="listing all 3844 positions"):
            rfgraph.regions_at(G)
        with pytest.raises(rfgraph.LimitError, match="listing 101 paths"):
            rfgraph.list_paths(G, limit=101)


def test_memory_of_exact_regions_is_estimated_before_allocating():
    G = chain({"op": "conv", "k": 3, "p": 1}, {"op": "conv", "k": 7, "p": 3}, input_size="100000")
    with rfgraph.limits(max_memory=1 << 20):
        with pytest.raises(rfgraph.LimitError, match="edge n0 -> n1: exact regions need about") as found:
            rfgraph.exact_regions(G)
        assert found.value.limit == "max_memory" and "MiB" in str(found.value)
    big = chain({"op": "conv", "k": 3, "s": 2, "p": 1}, {"op": "upsample", "scale": 2}, input_size="8192,8192")
    r = rfgraph.exact_regions(big)  # an 8192x8192 output: per-axis pieces, no grid
    assert r.at((5, 5))["lo"] == [3, 3]
    with pytest.raises(rfgraph.LimitError, match="arrays over the positions"):
        r.alive


def test_cli_limit_errors_name_the_option(capsys, tmp_path):
    path = tmp_path / "up.dot"
    path.write_text("digraph { x -> y [op=upsample, scale=1000000000]; }")
    code, _, err = run(capsys, "analyze", path)
    assert code == 2 and err.count("\n") == 1
    assert "scale=1000000000 exceeds the limit of 1048576 (--max-length raises it)" in err
    assert "rfgraph.limits" not in err and "=..." not in err
    code, _, err = run(capsys, "analyze", path, "--max-length", "1G")
    assert code == 2 and "--max-items raises it" in err  # then: 10^9 phases to list
    code, out, _ = run(capsys, "analyze", path, "--max-length", "2000000", "--max-items", "4M", "--json")
    assert code == 2  # the scale is still above 2000000
    path.write_text("digraph { x -> y [op=upsample, scale=2000]; }")
    code, out, err = run(capsys, "analyze", path, "--max-items", "1K", "--json")
    assert code == 2 and "2000 phases" in err and "(--max-items raises it)" in err
    code, out, err = run(capsys, "analyze", path, "--max-items", "2K", "--json")
    assert code == 0 and json.loads(out)["axes"][0]["period"] == 2000
    code, _, err = run(capsys, "paths", path, "--limit", str(10**20))
    assert code == 2 and "--max-items raises it" in err
    code, _, err = run(capsys, "analyze", path, "--max-length", "3G")
    assert code == 2 and err.count("\n") == 1 and "--max-length can be at most" in err


def test_usage_errors_are_one_line(capsys):
    code, out, err = run(capsys, "analyze")
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("rfgraph: error: ")
    code, _, err = run(capsys, "analyze", "x.dot", "--max-memory", "lots")
    assert code == 2 and err.count("\n") == 1 and "--max-memory" in err


def test_path_counts_of_any_size_are_exact(capsys, tmp_path):
    """A chain of 15,000 residual blocks has 2^15000 paths (4516 digits): more than Python
    converts to text by default, written exactly, in the table and in analyze."""
    blocks = 15_000
    lines = [f"b{i} -> b{i + 1} [op=conv, k=1]; b{i} -> b{i + 1};" for i in range(blocks)]
    path = tmp_path / "deep.dot"
    path.write_text("digraph {\n" + "\n".join(lines) + "\n}\n")
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        code, out, err = run(capsys, "analyze", path, "--json")
        assert code == 0, err
        assert json.loads(out)["paths"] == 2**blocks
        code, out, err = run(capsys, "table", path, "--json")
        assert code == 0, err
        rows = json.loads(out)["nodes"]
        assert all(rows[f"b{i}"]["paths"] == 2**i for i in range(0, blocks + 1, 997))
        code, out, _ = run(capsys, "table", path)
        assert code == 0 and out.splitlines()[-1].endswith(str(2**blocks))
    finally:
        sys.set_int_max_str_digits(old)


def test_listing_an_exact_set_is_bounded():
    G = chain({"op": "conv", "k": 3, "p": 1}, {"op": "global_pool"}, input_size="300,300")
    with rfgraph.limits(max_items=1000):
        with pytest.raises(rfgraph.LimitError, match="listing the 90000 input pixels"):
            rfgraph.regions_at(G, 0, sets=True)
    assert rfgraph.regions_at(G, 0, sets=True).positions[0]["count"] == 90000


def test_import_example_input_is_checked_before_pytorch_allocates_it(capsys, tmp_path):
    code, _, err = run(capsys, "import", "torchvision:resnet18", "-o", tmp_path / "r.dot",
                       "--input-size", "100000,100000")
    assert code == 2 and "the example image needs about 111.8 GiB" in err and "--max-memory raises it" in err
    code, _, err = run(capsys, "import", "torchvision:resnet18", "-o", tmp_path / "r.dot", "--input-size", "99999999")
    assert code == 2 and "--max-length raises it" in err


def misaligned_blocks(n: int) -> nx.MultiDiGraph:
    """n blocks of a 3x3/2 conv beside a 2x2/2 average pool: every block's merge misaligns,
    and the witnesses of block i are paths of i blocks: O(n^2) layers in all."""
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_edge(f"n{i}", f"n{i + 1}", op="conv", k=3, s=2)
        G.add_edge(f"n{i}", f"n{i + 1}", op="avgpool", k=2, s=2)
    return G


def test_witness_paths_are_bounded_by_max_items(capsys, tmp_path):
    G = misaligned_blocks(60)
    assert len(rfgraph.analyze(G).mismatches) == 60
    with rfgraph.limits(max_items=1000):
        with pytest.raises(rfgraph.LimitError, match=r"witness paths .* exceeds the limit of 1000") as raised:
            rfgraph.analyze(G)
        assert raised.value.limit == "max_items"
        verdict = rfgraph.analyze(G, diagnose=False)  # the verdict lists no path
        assert len(verdict.mismatches) == 60
    file = tmp_path / "blocks.dot"
    file.write_text("digraph {\n" + "".join(f'  "{u}" -> "{v}" [op={d["op"]}, k={d["k"]}, s={d["s"]}];\n'
                                            for u, v, d in G.edges(data=True)) + "}\n")
    code, out, err = run(capsys, "analyze", file, "--max-items", "1000")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"rfgraph: error: {file}: node n") and "--max-items raises it" in err
    code, out, err = run(capsys, "batch", file, "--max-items", "1000")
    assert code == 0 and json.loads(out)["aligned"] is False
