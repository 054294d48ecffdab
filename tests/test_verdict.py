"""The verdict without a diagnosis (``analyze(..., diagnose=False)``) against the full
diagnosis, and the screen that skips merges where nothing is born against the slow check."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import GRAPHS
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dags, sized_dags

import rfgraph
from rfgraph.analysis import axis_groups
from rfgraph.core.network import build
from rfgraph.core.ops import WHOLE
from rfgraph.core.raw import RawGraph
from rfgraph.passes.aggregate import forward_pass
from rfgraph.passes.alignment import _one_carries_all, born_at, find_births
from rfgraph.results import json_schema

ANALYZE = jsonschema.Draft202012Validator(json_schema("analyze"))
BRIEF_KEYS = ("kind", "axes", "node", "offset")


def check_verdict_matches_diagnosis(net, **options):
    full = rfgraph.analyze(net, **options)
    fast = rfgraph.analyze(net, diagnose=False, **options)
    a, b = full.to_dict(), fast.to_dict()
    ANALYZE.validate(a)
    ANALYZE.validate(b)
    assert a.pop("diagnosed") is True and b.pop("diagnosed") is False
    full_m, fast_m = a.pop("mismatches"), b.pop("mismatches")
    assert a == b  # everything but the mismatches is the same record
    assert len(full_m) == len(fast_m)
    for f, v in zip(full_m, fast_m):
        # the verdict is the full mismatch cut down to kind, axes, node (and a centre's offset)
        assert v == {k: f[k] for k in BRIEF_KEYS if k in v}
        assert ("offset" in v) == (f["kind"] == "center" and f["offset"] is not None)
    assert fast.aligned == full.aligned
    # every mismatch makes the graph misaligned, and a misaligned graph has one
    assert (len(fast.mismatches) > 0) == (fast.aligned is False)


@settings(max_examples=300, deadline=None)
@given(dags(fractional=True, whole=True))
def test_verdict_is_the_diagnosis_without_witnesses(net):
    check_verdict_matches_diagnosis(net)


@settings(max_examples=60, deadline=None)
@given(sized_dags(ndim=2, max_nodes=6, max_size=9))
def test_verdict_at_an_input_size(case):
    net, size = case
    check_verdict_matches_diagnosis(net, input_size=size)


@pytest.mark.parametrize("path", sorted(GRAPHS.glob("*.dot")) + sorted((GRAPHS / "zoo").glob("*.dot")),
                         ids=lambda p: p.name)
def test_verdict_on_bundled_and_zoo_graphs(path):
    check_verdict_matches_diagnosis(rfgraph.load(path))


def births_without_screen(net, x, y, geoms, flow):
    """born_at at every merge between x and y: the check the screen may skip."""
    edge_ok = [g[0] != WHOLE for g in geoms]
    local = net.between(x, y, edge_ok)
    found = []
    for m in range(x + 1, y + 1):
        if local[m] and len(net.in_edges[m]) >= 2:
            births = born_at(net, flow, geoms, m, local)
            if births:
                found.append((m, births))
    return found


PALETTE = [{"op": "conv", "k": 3, "p": 1}, {"op": "conv", "k": 1}, {"op": "avgpool", "k": 3, "p": 1},
           {"op": "identity"}, {"op": "conv", "k": 3, "s": 2, "p": 1}, {"op": "avgpool", "k": 2, "s": 2},
           {"op": "conv", "k": 1, "s": 2}, {"op": "conv", "k": 5, "p": 2}, {"op": "maxpool", "k": 3, "s": 2},
           {"op": "instancenorm"}]


@st.composite
def palette_dags(draw, max_nodes: int = 12):
    """DAGs of the layers architecture spaces are made of: mostly aligned merges (where the
    screen answers yes), and the reductions that misalign them."""
    n = draw(st.integers(2, max_nodes))
    raw = RawGraph(graph={"input": "n0", "output": f"n{n - 1}"})
    for v in range(1, n):
        for u in sorted(set(draw(st.lists(st.integers(max(0, v - 4), v - 1), min_size=1, max_size=3)))):
            raw.add_edge(f"n{u}", f"n{v}", dict(draw(st.sampled_from(PALETTE))))
    return build(raw)


def check_screen(net):
    x, y = net.endpoints()
    within = net.between(x, y)
    for _, geoms in axis_groups(net):
        flow = forward_pass(net, x, geoms, within)
        assert find_births(net, x, y, geoms, flow, within) == births_without_screen(net, x, y, geoms, flow)
        if all(g[0] != WHOLE for g in geoms):
            for m in range(x + 1, y + 1):
                if within[m] and len(net.in_edges[m]) >= 2 and flow.records[m] \
                        and _one_carries_all(net, flow, geoms, m):
                    assert born_at(net, flow, geoms, m, within) == []


@settings(max_examples=300, deadline=None)
@given(palette_dags())
def test_screen_never_hides_a_birth_in_architecture_like_graphs(net):
    check_screen(net)
    check_verdict_matches_diagnosis(net)


@settings(max_examples=400, deadline=None)
@given(dags(max_nodes=8, fractional=True, whole=True, max_extra=8))
def test_screen_never_hides_a_birth(net):
    check_screen(net)


def test_screen_is_exercised():
    """The screen answers both ways on a real graph (a check that never says True would make
    the test above vacuous): ResNet-50's merges carry everything through one in-edge except
    none; a misaligned merge carries nothing."""
    for path, expect in (("resnet50.dot", True), ("distill_fig4_misaligned.dot", False)):
        net = rfgraph.load(GRAPHS / path)
        x, y = net.endpoints()
        ((_, geoms),) = axis_groups(net)
        flow = forward_pass(net, x, geoms)
        merges = [m for m in range(x + 1, y + 1) if len(net.in_edges[m]) >= 2]
        assert merges
        answers = {_one_carries_all(net, flow, geoms, m) for m in merges}
        assert expect in answers


def test_half_pixel_reduction():
    """A reduction whose shortcut is avgpool k2 s2 beside a 3x3/2 conv: centres half a pixel
    apart; the verdict says so without witnesses, and the text report reads well."""
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, p=1)
    G.add_edge("a", "y", op="conv", k=3, p=1)
    G.add_edge("x", "b", op="avgpool", k=2, s=2)
    G.add_edge("b", "y", op="conv", k=1)
    fast = rfgraph.analyze(G, diagnose=False)
    (m,) = fast.mismatches
    assert m.to_dict() == {"kind": "center", "axes": [0], "node": "y", "offset": 0.5}
    assert not m.diagnosed and m.fork is None and m.paths == ()
    assert m.describe() == "axis 0: paths meeting at y put the centre 0.5 px apart"
    full = rfgraph.analyze(G)
    assert full.mismatches[0].offset == m.offset and full.mismatches[0].diagnosed
    assert json.loads(json.dumps(fast.to_dict()))["diagnosed"] is False
