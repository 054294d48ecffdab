"""The forward phase pass (every node's periodic unclipped regions) against an independent
computation: the exact regions pass run on an unbounded axis for that node alone, over two
periods of positions (which also checks the periodicity the table claims)."""

from __future__ import annotations

from hypothesis import given, settings
from strategies import dags

import rfgraph
from rfgraph.passes.aggregate import axis_geometry, forward_pass
from rfgraph.passes.phases import forward_phases
from rfgraph.passes.regions import unbounded_regions


def data_network(net):
    """The network with the statistics set aside (normalisations as identities) and no
    whole-input edges: the data paths, on which the tables are defined."""
    raw = net.to_raw()
    raw.edges = [(u, v, k, {"op": "identity"} if a.get("op") in ("groupnorm", "instancenorm") else a)
                 for u, v, k, a in raw.edges if a.get("op") not in ("global_pool", "fc")]
    return rfgraph.build(raw)


def check(net, x: int) -> int:
    """Compare every node's table with the unbounded regions pass on the data network;
    return how many nodes had a table."""
    tables = forward_phases(net, x, 0)
    data = data_network(net)
    flow = forward_pass(net, x, axis_geometry(net, 0))
    checked = 0
    for v, table in enumerate(tables):
        if v == x or not flow.reach[v]:
            continue
        classes = flow.classes(v)
        strides = {c.stride for c in classes}
        unknown = any(not c.padding_known for c in classes)
        if table is None:
            # no table only when there is no single data stride, or the padding is unknown
            assert len(strides) != 1 or unknown or not classes
            continue
        assert strides == {table.stride}
        positions = list(range(-table.period, 2 * table.period))
        expected = unbounded_regions(data, positions, 0, data.index[net.nodes[x]], data.index[net.nodes[v]])
        got_u, got_v, alive = table.at(__import__("numpy").array(positions))
        for phase, u, w, a in zip(expected, got_u, got_v, alive):
            if phase.u is None:
                assert not a
            else:
                assert a and (int(u), int(w)) == (phase.u, phase.v)
        checked += 1
    return checked


@settings(max_examples=250, deadline=None)
@given(dags(fractional=True, whole=True, max_nodes=7))
def test_tables_match_the_unbounded_regions(net):
    check(net, net.endpoints()[0])


@settings(max_examples=150, deadline=None)
@given(dags(fractional=True, whole=True, max_nodes=7))
def test_the_common_offset_is_that_of_every_phase(net):
    """``PhaseTable.offset`` (whole integer arrays) against the definition, phase by phase in
    exact fractions: ``stride * t - u[t]`` when it is one value for every (live) phase."""
    from fractions import Fraction

    for table in forward_phases(net, net.endpoints()[0], 0):
        if table is None:
            continue
        offsets = {Fraction(table.stride) * t - int(table.u[t]) for t in range(table.period)}
        expected = offsets.pop() if len(offsets) == 1 and table.alive.all() else None
        assert table.offset() == expected


def test_unet_has_two_sizes_repeating_every_16():
    net = rfgraph.load("graphs/zoo/unet.dot")
    x, y = net.endpoints()
    table = forward_phases(net, x, 0)[y]
    sizes = (table.v - table.u + 1).tolist()
    assert table.period == 16 and table.stride == 1
    assert sizes == [188] * 4 + [204] * 12
    assert check(net, x) > 10
