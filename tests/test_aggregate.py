"""The all-paths dynamic programme against brute-force path enumeration on random DAGs."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from hypothesis import given, settings
from strategies import dags

import rfgraph
from rfgraph.passes.aggregate import axis_geometry, backward_pass, forward_pass
from rfgraph.passes.geometry import closed_form, recursion
from rfgraph.passes.paths import count_between, iter_between


def brute_force(net, x, y, axis=0):
    """Group every path's own (r, S, P, centre) by stride, the slow and obvious way: a path
    through a whole-input layer has no stride; one through a normalisation's statistics
    (``whole`` with numbers) is grouped by its data path's stride."""
    groups = defaultdict(list)
    whole = 0
    for path in iter_between(net, x, y):
        geoms = [net.edges[e].layer.symbolic(axis) for e in path.edges]
        g = recursion(geoms)
        assert g == closed_form(geoms)
        if g.whole:
            whole += 1
        if g.stride is not None:
            groups[g.stride].append(g)
    return groups, whole


def check_classes(classes, groups):
    assert [c.stride for c in classes] == sorted(groups)
    for c in classes:
        paths = groups[c.stride]
        assert c.paths == len(paths)
        centers = [g.center for g in paths]
        assert c.center_max == max(centers) and c.center_min == min(centers)
        if c.fractional:
            assert c.rf is None and c.padding is None
            assert any(g.rf is None for g in paths)
        else:
            assert all(g.rf is not None for g in paths)
            assert c.padding == max(g.padding for g in paths)
            assert c.rf == max(g.rf - 1 - g.padding for g in paths) + c.padding + 1
            assert c.path_rf_max == max(g.rf for g in paths) and c.path_rf_min == min(g.rf for g in paths)


@settings(max_examples=300, deadline=None)
@given(dags(fractional=True, whole=True))
def test_forward_and_backward_match_enumeration(net):
    x, y = net.endpoints()
    geoms = axis_geometry(net, 0)
    groups, whole = brute_force(net, x, y)
    fwd = forward_pass(net, x, geoms)
    bwd = backward_pass(net, y, geoms)
    check_classes(fwd.classes(y), groups)
    check_classes(bwd.classes(x), groups)
    assert (fwd.whole_edge(y) is not None) == (whole > 0) == (bwd.whole_edge(x) is not None)
    opaque = sum(1 for p in iter_between(net, x, y) if p.geometry[0].stride is None)
    assert count_between(net, x, y) == sum(len(v) for v in groups.values()) + opaque


@settings(max_examples=150, deadline=None)
@given(dags(fractional=True, whole=True))
def test_every_node_of_the_tables_matches_enumeration(net):
    """Forward table row of m == enumeration of x -> m; backward row of m == m -> y."""
    x, y = net.endpoints()
    fwd = rfgraph.table(net)
    bwd = rfgraph.table(net, from_output=True)
    for name in net.nodes:
        m = net.index[name]
        groups, whole = brute_force(net, x, m)
        check_classes(fwd[name].axes[0].classes, groups)
        assert fwd[name].paths == count_between(net, x, m)
        assert (fwd[name].axes[0].whole_input is not None) == (whole > 0)
        groups, whole = brute_force(net, m, y)
        check_classes(bwd[name].axes[0].classes, groups)


@settings(max_examples=300, deadline=None)
@given(dags(fractional=False))
def test_analysis_region_is_the_hull_of_every_path_region(net):
    result = rfgraph.analyze(net)
    x, y = net.endpoints()
    paths = [recursion([net.edges[e].layer.symbolic(0) for e in p.edges]) for p in iter_between(net, x, y)]
    for j in (-2, 0, 1, 5, 17):
        (u, v), = result.region(j)
        assert u == min(g.region(j)[0] for g in paths)
        assert v == max(g.region(j)[1] for g in paths)
    strides = {g.stride for g in paths}
    centers = {g.center for g in paths}
    axis = result.axes[0]
    assert result.aligned == (len(strides) == 1 and len(centers) == 1)
    if len(strides) == 1:
        assert axis.stride == strides.pop()
        assert axis.padding == max(g.padding for g in paths)
        assert axis.rf == max(g.rf - 1 - g.padding for g in paths) + axis.padding + 1
        if result.aligned:
            assert axis.rf == max(g.rf for g in paths)
            assert axis.center == centers.pop()
    else:
        assert axis.rf is None and axis.stride is None and "different strides" in axis.reason


@settings(max_examples=300, deadline=None)
@given(dags(fractional=True))
def test_mismatch_witnesses_are_real_disagreeing_paths(net):
    result = rfgraph.analyze(net)
    x, y = net.endpoints()
    assert (result.aligned is False) == bool(result.mismatches)
    for m in result.mismatches:
        a, b = m.paths
        for w in (a, b):
            edges = [net.edges[e] for e in w.edges]
            assert edges[0].src == x and edges[-1].dst == y
            assert all(e1.dst == e2.src for e1, e2 in zip(edges, edges[1:]))
            assert m.node in w.nodes and m.fork in w.nodes
            assert w.geometry == recursion([e.layer.symbolic(0) for e in edges])
        # The two witnesses enter the meeting node through different edges.
        ia, ib = a.nodes.index(m.node), b.nodes.index(m.node)
        assert a.edges[ia - 1] != b.edges[ib - 1]
        assert a.edges[ia:] == b.edges[ib:]
        if m.kind == "stride":
            assert a.geometry.stride != b.geometry.stride
        else:
            assert a.geometry.stride == b.geometry.stride
            assert a.geometry.center - b.geometry.center == m.offset != 0


def test_unknown_same_padding_is_not_guessed():
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
    G.add_edge("a", "y", op="conv", k=3, padding="same")
    result = rfgraph.analyze(G)
    axis = result.axes[0]
    assert axis.rf == 7 and axis.stride == 2 and axis.padding is None and axis.center is None
    assert "input size" in axis.reason
    G.add_edge("x", "y", op="conv", k=1, s=2)  # a second path: now the hull needs P
    axis = rfgraph.analyze(G).axes[0]
    assert axis.rf is None and axis.aligned is None


def test_fractional_stride_reports_fraction_and_period():
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, p=1)
    G.add_edge("a", "y", op="upsample", scale=2)  # stride 1 overall, but the region shifts every 2
    axis = rfgraph.analyze(G).axes[0]
    # every region has 3 pixels ([-1, 1] for outputs 0 and 1, then [1, 3] for 2 and 3): that is
    # the rf; no single padding describes where it starts
    assert axis.stride == 1 and axis.rf == 3 == axis.rf_min == axis.rf_max and axis.period == 2
    assert axis.padding is None and "offset varies" in axis.reason and "through upsampling" in axis.reason
    G = nx.MultiDiGraph()
    G.add_edge("x", "y", op="conv_transpose", k=4, s=2, p=1)
    axis = rfgraph.analyze(G).axes[0]
    assert axis.stride == Fraction(1, 2) and axis.to_dict()["stride"] == "1/2" and axis.period == 2


def test_fractional_stride_with_unresolved_same_padding():
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
    G.add_edge("a", "y", op="upsample", scale=2)
    axis = rfgraph.analyze(G).axes[0]
    assert axis.stride == 1 and axis.rf is None and axis.phases == () and axis.center is None
    axis = rfgraph.analyze(G, input_size=9).axes[0]  # resolved: phases are known
    assert [p.size for p in axis.phases] == [3, 3]


def test_tensorflow_same_padding_misaligns_strided_residual_blocks_at_even_sizes():
    """A classic: a strided 3x3 SAME conv next to a strided 1x1 shortcut. At an even input
    size SAME puts the odd padding pixel on the right (p_l = 0), so the branch centres differ
    by one pixel; at an odd size p_l = 1 and they agree. Without a size rfgraph cannot tell."""
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=2, padding="same")
    G.add_edge("a", "y", op="add")
    G.add_edge("x", "y", op="conv", k=1, s=2)
    assert rfgraph.analyze(G).aligned is None
    even = rfgraph.analyze(G, input_size=224)
    assert even.aligned is False and even.same_padding[0].p_l == (0,)
    (m,) = even.mismatches
    assert m.kind == "center" and m.node == "y" and abs(m.offset) == 1
    assert rfgraph.analyze(G, input_size=225).aligned is True
