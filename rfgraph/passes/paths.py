"""Paths between two maps: exact counts by dynamic programming, lazy enumeration.

A chain of n residual blocks has 2^n paths, so nothing here ever materialises them all:
:func:`path_counts` is one sweep with Python integers, :func:`iter_edge_paths` yields one path
at a time, each found in time proportional to its length (dead ends are pruned beforehand).

>>> from rfgraph.core.raw import RawGraph
>>> from rfgraph.core.network import build
>>> raw = RawGraph()
>>> for i in range(60):   # 60 residual blocks: a conv branch and an identity shortcut
...     raw.add_edge(f"b{i}", f"b{i+1}", {"op": "conv", "k": 3, "p": 1})
...     raw.add_edge(f"b{i}", f"b{i+1}", {"op": "identity"})
>>> net = build(raw)
>>> count_between(net, 0, 60) == 2 ** 60
True
>>> first = next(iter_between(net, 0, 60))
>>> len(first.edges), first.nodes[:3], first.geometry[0].rf
(60, ('b0', 'b1', 'b2'), 121)
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator, Sequence

from ..core.errors import LimitError, where
from ..core.network import Network
from ..results import Path
from .geometry import recursion

__all__ = ["count_between", "decimal_path_counts", "iter_between", "iter_edge_paths", "make_path", "path_counts"]


def path_counts(net: Network, origin: int, forward: bool = True) -> list[int]:
    """Number of paths between ``origin`` and every node: ``origin -> v`` (forward) or
    ``v -> origin`` (backward); parallel edges count separately."""
    counts = [0] * len(net.nodes)
    counts[origin] = 1
    if forward:
        ends, adjacency, order = [e.src for e in net.edges], net.in_edges, range(origin + 1, len(net.nodes))
    else:
        ends, adjacency, order = [e.dst for e in net.edges], net.out_edges, range(origin - 1, -1, -1)
    for v in order:
        total = 0
        for e in adjacency[v]:
            total += counts[ends[e]]
        counts[v] = total
    return counts


def decimal_path_counts(net: Network, origin: int, forward: bool = True) -> list:
    """:func:`path_counts` as :class:`decimal.Decimal` integers, exact, for writing them:
    Python converts an int of n digits to text in time n^2, a Decimal in time n (and adds
    them faster). Counts of thousands of digits are common in deep residual graphs."""
    context = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                              traps=[decimal.Inexact, decimal.Rounded, decimal.Overflow])
    add = context.add
    zero = decimal.Decimal(0)
    counts = [zero] * len(net.nodes)
    counts[origin] = decimal.Decimal(1)
    if forward:
        ends, adjacency, order = [e.src for e in net.edges], net.in_edges, range(origin + 1, len(net.nodes))
    else:
        ends, adjacency, order = [e.dst for e in net.edges], net.out_edges, range(origin - 1, -1, -1)
    for v in order:
        total = zero
        for e in adjacency[v]:
            total = add(total, counts[ends[e]])
        counts[v] = total
    return counts


def count_between(net: Network, x: int, y: int) -> int:
    """Number of paths from node index ``x`` to node index ``y`` (a Python int, 2^60 and beyond)."""
    return path_counts(net, x)[y] if x <= y else 0


def iter_edge_paths(net: Network, x: int, y: int, edge_ok: Sequence[bool] | None = None) -> Iterator[tuple[int, ...]]:
    """Lazily yield the edge ids of every path from ``x`` to ``y`` in depth-first order (only
    through edges where ``edge_ok`` is true, when given)."""
    alive = net.ancestors(y, edge_ok)
    edges = net.edges
    out = [[e for e in net.out_edges[v] if alive[edges[e].dst] and (edge_ok is None or edge_ok[e])]
           for v in range(len(net.nodes))]
    if x == y:
        yield ()
        return
    stack = [iter(out[x])]
    trail: list[int] = []
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
            if trail:
                trail.pop()
            continue
        v = edges[e].dst
        trail.append(e)
        if v == y:
            yield tuple(trail)
            trail.pop()
        else:
            stack.append(iter(out[v]))


def make_path(net: Network, start: int, edges: Sequence[int]) -> Path:
    """The :class:`~rfgraph.results.Path` record of the path from ``start`` along ``edges``,
    with its geometry on every axis."""
    names = net.nodes
    items = [net.edges[e] for e in edges]
    nodes = (names[start],) + tuple(names[e.dst] for e in items)
    edge_names = tuple((names[e.src], names[e.dst], e.key) for e in items)
    try:
        geometry = tuple(recursion([e.layer.symbolic(a) for e in items]) for a in range(net.ndim))
    except LimitError as exc:  # name the path
        shown = " -> ".join(map(str, nodes[:3])) + (" -> ..." if len(nodes) > 3 else "")
        raise LimitError(f"{where(net.source)}path {shown}: {exc.what}", exc.limit, exc.value) from None
    return Path(nodes, tuple(edges), edge_names, geometry)


def iter_between(net: Network, x: int, y: int, edge_ok: Sequence[bool] | None = None) -> Iterator[Path]:
    """Lazily yield every path from ``x`` to ``y`` as :class:`~rfgraph.results.Path` records."""
    for edges in iter_edge_paths(net, x, y, edge_ok):
        yield make_path(net, x, edges)
