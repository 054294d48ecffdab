"""The Distill article's worked examples (tests/data/distill_figures.json): every expected
value the symbolic engine can state, checked."""

from __future__ import annotations

from fractions import Fraction

import pytest
from conftest import distill_cases

import rfgraph
from rfgraph.core.raw import RawGraph
from rfgraph import iter_paths

CASES = distill_cases()


def network(case) -> rfgraph.Network:
    raw = RawGraph(graph={"input": case["input"], "output": case["output"], "input_size": str(case["input_size"])})
    for e in case["edges"]:
        raw.add_edge(e["src"], e["dst"], {k: e[k] for k in ("op", "k", "s", "p_l", "p_r", "d")})
    return rfgraph.build(raw)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_symbolic_values(case):
    expect = case["expect"]
    net = network(case)
    result = rfgraph.analyze(net)
    axis = result.axes[0]
    if "r" in expect:
        assert (axis.rf, axis.stride, axis.padding) == (expect["r"], expect["S"], expect["P"])
    if "aligned" in expect:
        assert result.aligned is expect["aligned"]
    for j, (u, v) in expect.get("regions", {}).items():
        assert result.region(int(j)) == ((u, v),)
    for j, (u, v) in expect.get("regions_all_outputs", {}).items():
        assert result.region(int(j)) == ((u, v),)
    for j, c in expect.get("centers", {}).items():
        (u, v), = result.region(int(j))
        assert Fraction(u + v, 2) == Fraction(c).limit_denominator()
    for j, size in expect.get("rf_sizes_per_output_all", {}).items():
        (u, v), = result.region(int(j))
        assert v - u + 1 == size
    if "per_node" in expect:
        table = rfgraph.table(net, from_output=True)
        for node, vals in expect["per_node"].items():
            a = table[node].axes[0]
            assert (a.rf, a.stride, a.padding) == (vals["r"], vals["S"], vals["P"])
    if "intermediate_regions" in expect:
        table = rfgraph.table(net, from_output=True)
        for node, regions in expect["intermediate_regions"].items():
            for j, (u, v) in regions.items():
                assert table[node].axes[0].region(int(j)) == (u, v)
    if "per_path" in expect:
        got = {tuple(p.nodes): p.geometry[0] for p in iter_paths(net)}
        assert len(got) == len(expect["per_path"])
        for item in expect["per_path"]:
            g = got[tuple(item["path"])]
            assert (g.rf, g.stride, g.padding) == (item["r"], item["S"], item["P"])
    for name, regions in expect.get("regions_per_path", {}).items():
        g = next(p.geometry[0] for p in iter_paths(net) if "-".join(p.nodes) == name)
        for j, (u, v) in regions.items():
            assert g.region(int(j)) == (u, v)


def test_misaligned_figure_is_diagnosed():
    case = next(c for c in CASES if c["name"] == "fig4_misaligned")
    result = rfgraph.analyze(network(case))
    assert result.aligned is False
    (m,) = result.mismatches
    assert m.kind == "stride" and m.node == "y" and m.fork == "x"
    assert {p.geometry.stride for p in m.paths} == {1, 2}
    # Output feature 0: the stride-2 path centres it at 0, the stride-1 path at 2.
    assert {p.geometry.center for p in m.paths} == {0, 2}
    assert m.offset in (-2, 2) and abs(m.drift) == 1
