"""Misalignment diagnosis: where paths that disagree on stride or centre meet, with witnesses.

A graph is aligned (Distill, "Alignment issues") when every input-to-output path gives the
same effective stride and the same centre for every output feature. A disagreement is born
at a merge node whose in-edges bring path classes that no single in-edge carries:

- a *stride* mismatch: the in-edges' sets of effective strides differ, and none of them
  holds all the strides seen at the node;
- a *centre* mismatch: within one stride, the centre range at the node is wider than the
  range any single in-edge brings.

Disagreements inherited from upstream are not reported again at every later merge. For
each one, two witness paths are rebuilt from the forward pass (no enumeration): the prefix
input -> node through the two in-edges, then one common path node -> output. Only paths
without whole-input layers take part: through those, every output sees the whole input and
there is no centre to agree on.

Finding where disagreements are born is cheap (a look at the in-edges of each merge); the
witnesses cost most of a diagnosis. ``find_mismatches(..., witnesses=False)`` gives the
verdict alone: the same mismatches (kind, axes, node, and the offset of a centre mismatch,
which does not depend on the witnesses) without fork, drift and paths.
"""

from __future__ import annotations

from collections.abc import Sequence

from .aggregate import CMAX, CMIN, FLAGS, UNKNOWN_PADDING, Flow, local_geometry, trace_forward, transport_forward
from .geometry import recursion
from ..core.errors import where
from ..core.limits import check
from ..core.network import Network
from ..core.numbers import half, norm
from ..core.ops import WHOLE, WIN
from .paths import iter_edge_paths
from ..results import Mismatch, WitnessPath

__all__ = ["born_at", "find_births", "find_mismatches"]


def _incoming(net: Network, flow: Flow, geoms: Sequence[tuple], m: int,
              local: Sequence[bool] | None = None) -> list[tuple[int, dict]]:
    """The classes each in-edge of ``m`` brings (edges from outside the pass, or from nodes
    outside ``local``, are skipped)."""
    found = []
    for e in net.in_edges[m]:
        w = net.edges[e].src
        if not flow.reach[w] or geoms[e][0] == WHOLE or not flow.records[w]:
            continue
        if local is not None and not local[w]:
            continue
        acc: dict = {}
        transport_forward(flow.records[w], local_geometry(geoms[e]), acc)
        found.append((e, acc))
    return found


def born_at(net: Network, flow: Flow, geoms: Sequence[tuple], m: int,
            local: Sequence[bool] | None = None) -> list[tuple]:
    """Disagreements that appear at node ``m``: tuples ``("stride", (e1, S1, "any"), (e2, S2,
    "any"), None)`` or ``("center", (e1, S, "c_max"), (e2, S, "c_min"), spread)`` naming the
    in-edges, classes and extremes of the two witnesses; ``spread`` is the twice-centre
    difference between them (twice the offset in input pixels)."""
    incoming = _incoming(net, flow, geoms, m, local)
    if len(incoming) < 2:
        return []
    found: list[tuple] = []
    union = set().union(*(set(acc) for _, acc in incoming))
    if all(len(acc) < len(union) for _, acc in incoming):
        e1, acc1 = incoming[0]
        for e2, acc2 in incoming[1:]:
            extra = set(acc2) - set(acc1)
            if extra:
                found.append(("stride", (e1, min(acc1), "any"), (e2, min(extra), "any"), None))
                break
    for S in sorted(union):
        holders = [(e, acc[S]) for e, acc in incoming if S in acc]
        if len(holders) < 2 or any(rec[FLAGS] & UNKNOWN_PADDING for _, rec in holders):
            continue
        hi = max(rec[CMAX] for _, rec in holders)
        lo = min(rec[CMIN] for _, rec in holders)
        if hi == lo or any(rec[CMAX] == hi and rec[CMIN] == lo for _, rec in holders):
            continue
        e_hi = next(e for e, rec in holders if rec[CMAX] == hi)
        e_lo = next(e for e, rec in holders if rec[CMIN] == lo)
        found.append(("center", (e_hi, S, "c_max"), (e_lo, S, "c_min"), hi - lo))
    return found


def _one_carries_all(net: Network, flow: Flow, geoms: Sequence[tuple], m: int) -> bool:
    """Whether one in-edge of ``m`` alone brings every stride class and the full centre
    range of each that ``m`` has: then nothing is born at ``m`` (:func:`born_at` would find
    nothing). This is the common case, in aligned graphs and downstream of an inherited
    disagreement alike, and it needs no per-edge records: a window layer maps stride S to
    S s and moves both centre extremes by (k - 1 - 2 p) S.

    Valid when every in-edge of ``m`` is a window layer on its data path (statistics layers
    are the identity there) from a node of the pass (then the pass's record at ``m`` is
    exactly the union of what they bring); False otherwise, and the caller asks
    :func:`born_at`."""
    union = flow.records[m]
    records, edges = flow.records, net.edges
    data = [local_geometry(geoms[e]) for e in net.in_edges[m]]
    if any(g[0] != WIN for g in data):
        return False
    for e, (_, s, k, p) in zip(net.in_edges[m], data):
        recs = records[edges[e].src]
        if not recs or len(recs) != len(union):
            continue
        c = k - 1 - 2 * (p or 0)
        for S, rec in recs.items():
            got = union.get(S * s)
            dc = c * S
            if got is None or got[CMAX] != rec[CMAX] + dc or got[CMIN] != rec[CMIN] + dc:
                break
        else:
            return True
    return False


def _fork(a: Sequence[int], b: Sequence[int], net: Network, start: int):
    node = start
    for ea, eb in zip(a, b):
        if ea != eb:
            break
        node = net.edges[ea].dst
    return net.nodes[node]


def find_births(net: Network, x: int, y: int, geoms: Sequence[tuple], flow: Flow,
                within: Sequence[bool] | None = None) -> list[tuple[int, list[tuple]]]:
    """``(node, births)`` for every node between ``x`` and ``y`` where disagreements are born
    (see :func:`born_at`), in topological order. ``within`` may give the nodes between x and
    y (``net.between(x, y)``) when the caller has them."""
    edge_ok = [g[0] != WHOLE for g in geoms]
    plain = all(edge_ok)
    # Without whole-input layers every node between x and y takes part, and the forward
    # pass's record at a node is the union of what its in-edges bring.
    if plain:
        local = within if within is not None else net.between(x, y)
    else:
        local = net.between(x, y, edge_ok)
    found = []
    for m in range(x + 1, y + 1):
        if not local[m] or len(net.in_edges[m]) < 2:
            continue
        if plain and flow.records[m] and _one_carries_all(net, flow, geoms, m):
            continue
        births = born_at(net, flow, geoms, m, local)
        if births:
            found.append((m, births))
    return found


def find_mismatches(net: Network, x: int, y: int, geoms: Sequence[tuple], flow: Flow,
                    axes: tuple[int, ...], witnesses: bool = True,
                    within: Sequence[bool] | None = None) -> list[Mismatch]:
    """Every disagreement between input ``x`` and output ``y`` along the axes ``axes`` (which
    share the geometry ``geoms`` and the forward pass ``flow`` from ``x``; ``within`` as for
    :func:`find_births`).

    With ``witnesses`` False, the verdict alone: the same mismatches without fork, drift and
    witness paths (a centre mismatch keeps its offset, which does not depend on them)."""
    found: list[Mismatch] = []
    births_by_node = find_births(net, x, y, geoms, flow, within)
    if not witnesses:
        for m, births in births_by_node:
            for kind, _, _, spread in births:
                offset = half(spread) if spread is not None else None
                found.append(Mismatch(kind, axes, net.nodes[m], None, (), offset, None))
        return found
    edge_ok = [g[0] != WHOLE for g in geoms]
    listed = 0  # edges of the witness paths so far: n misaligned merges in a chain list O(n^2)
    for m, births in births_by_node:
        suffix = list(next(iter_edge_paths(net, m, y, edge_ok)))
        for kind, (e1, s1, stat1), (e2, s2, stat2), _ in births:
            prefixes = [trace_forward(net, flow, geoms, m, s, stat, via=e)
                        for e, s, stat in ((e1, s1, stat1), (e2, s2, stat2))]
            witnesses_ = []
            for prefix in prefixes:
                edges = tuple(prefix + suffix)
                nodes = (net.nodes[x],) + tuple(net.nodes[net.edges[e].dst] for e in edges)
                witnesses_.append(WitnessPath(nodes, edges, recursion([geoms[e] for e in edges])))
            a, b = witnesses_[0].geometry, witnesses_[1].geometry
            offset = a.center - b.center if a.center is not None and b.center is not None else None
            drift = a.stride - b.stride
            found.append(Mismatch(kind, axes, net.nodes[m], _fork(prefixes[0], prefixes[1], net, x),
                                  (witnesses_[0], witnesses_[1]), offset, norm(drift)))
            listed += len(witnesses_[0].edges) + len(witnesses_[1].edges)
            check("max_items", listed,
                  f"{where(net.source)}node {net.nodes[m]}: the witness paths of the {len(found)} mismatches up to it "
                  f"list {listed} layers (the verdict alone, diagnose=False, lists none), which")
    return found
