"""Exact regions against an independent set-based reference, the Distill cases, and the
symbolic engine."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import distill_cases
from hypothesis import given, settings
from reference import exact_sets
from strategies import sized_dags

import rfgraph
from rfgraph import exact_regions as regions
from rfgraph.passes.regions import unbounded_regions


def reference_for(net, size):
    edges = [(net.nodes[e.src], net.nodes[e.dst], dict(_attrs(e))) for e in net.edges]
    x, y = net.endpoints()
    shape, sets = exact_sets(edges, list(net.nodes), net.nodes[x], size)
    return shape[net.nodes[y]], sets[net.nodes[y]]


def _attrs(edge):
    out = {}
    for key, val in edge.attrs.items():
        out[key] = val
    return out


def check(net, size):
    x, y = net.endpoints()
    out_shape, ref = reference_for(net, size)
    r = regions(net, size)
    assert r.output_size == out_shape
    for pos, want in ref.items():
        assert bool(r.alive[pos]) == bool(want), pos
        got = r.at(pos)
        if want:
            for a in range(len(size)):
                assert got["lo"][a] == min(p[a] for p in want), (pos, a)
                assert got["hi"][a] == max(p[a] for p in want), (pos, a)
        else:
            assert got["lo"] is None and got["hi"] is None
        mask = np.zeros(size, dtype=bool)
        for p in want:
            mask[p] = True
        assert np.array_equal(r.exact_set(pos), mask), pos


@settings(max_examples=250, deadline=None)
@given(sized_dags(ndim=1, max_nodes=7, max_size=12, whole=True))
def test_exact_regions_1d_match_reference(case):
    check(*case)


@settings(max_examples=120, deadline=None)
@given(sized_dags(ndim=2, max_nodes=5, max_size=6, whole=True))
def test_exact_regions_2d_match_reference(case):
    check(*case)


@settings(max_examples=150, deadline=None)
@given(sized_dags(ndim=1, max_nodes=7, max_size=12))
def test_unclipped_interval_is_the_unbounded_hull(case):
    """u/v: the symbolic hull for integer strides, the unbounded pass otherwise; both agree
    with the unbounded pass run on its own."""
    net, size = case
    r = regions(net, size)
    positions = list(range(r.output_size[0]))
    unbounded = unbounded_regions(net, positions, 0, *net.endpoints())
    for j, phase in zip(positions, unbounded):
        got = r.at(j)
        if phase.u is None:
            assert got["u"] is None
        else:
            assert (got["u"][0], got["v"][0]) == (phase.u, phase.v)


CASES = [c for c in distill_cases() if "input_size" in c]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_distill_exact_values(case):
    from test_distill_cases import network

    net = network(case)
    expect = case["expect"]
    r = regions(net, case["input_size"])
    shapes = r.net.sizes
    for node, n in expect.get("sizes", {}).items():
        assert shapes[node] == (n,)
    for j, (lo, hi) in expect.get("regions_exact", {}).items():
        got = r.at(int(j))
        # regions_exact keeps the input's own padding: clip only the intermediate maps.
        assert got["u"][0] <= lo and hi <= got["v"][0]
        assert (max(lo, 0), min(hi, case["input_size"] - 1)) == (got["lo"][0], got["hi"][0])
    for key in ("input_samples_per_output", "input_samples_per_output_all"):
        for j, count in expect.get(key, {}).items():
            assert r.count(int(j)) == count
    for j, positions in expect.get("used_positions_list", {}).items():
        inside = [p for p in positions if 0 <= p < case["input_size"]]
        assert list(np.nonzero(r.exact_set(int(j)))[0]) == inside
    for j, (u, v) in expect.get("regions", {}).items():
        got = r.at(int(j))
        assert (got["u"][0], got["v"][0]) == (u, v)
    for j, c in expect.get("centers", {}).items():
        assert r.at(int(j))["center"][0] == c


def test_misaligned_sizes_per_position():
    case = next(c for c in distill_cases() if c["name"] == "fig4_misaligned")
    from test_distill_cases import network

    r = regions(network(case), 8)
    assert list(r.sizes(0)) == [7, 6, 5, 6]
    assert r.changes(0) == [1, 2, 3]


@settings(max_examples=150, deadline=None)
@given(sized_dags(ndim=1, max_nodes=7, max_size=12, whole=True))
def test_footprint_at_the_input_is_the_exact_set(case):
    """Walking one output back through the taps (the plots' view) reads exactly the pixels
    the forward pass says it depends on."""
    from rfgraph import footprints

    net, size = case
    r = regions(net, size)
    x = net.nodes[net.endpoints()[0]]
    for j in range(r.output_size[0]):
        fp = footprints(net, j, input_size=size)
        inside = fp[x].inside.tolist() if x in fp else []
        assert inside == list(np.nonzero(r.exact_set(j))[0])


@settings(max_examples=60, deadline=None)
@given(sized_dags(ndim=2, max_nodes=5, max_size=7, whole=True))
def test_every_position_report_matches_one_position_at_a_time(case):
    """report() of every position reads the n-D arrays; at() reads the per-axis pieces."""
    net, size = case
    r = regions(net, size)
    assert list(r.report().positions) == [r.at(pos) for pos in r.positions()]
