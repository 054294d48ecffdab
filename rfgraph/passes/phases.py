"""Regions of every node per output phase, on an unbounded axis (math section 5).

With upsampling or transposed convolutions the effective stride is a fraction and the
region of output position t is not ``[S t - P, S t - P + r - 1]`` for one P and r: the region
map is periodic instead. For a node v whose data paths from the input share one effective
stride S_v, there is a period T_v (with T_v S_v an integer) such that

    region_v(t + T_v) = region_v(t) + T_v S_v        for every t,

so the unclipped regions ``[u(t), v(t)]`` of t = 0 .. T_v - 1 describe every position. One
forward pass computes these tables for every node at once, each from its in-edges' tables,
by the same hull propagation as the exact regions (``hull(A | B) = hull(hull A | hull B)``,
tap by tap, skipping taps that do not exist: transposed-convolution holes, bilinear taps of
weight zero). The period through an edge follows from its input's: a window of stride s
needs ``T_w / gcd(s, T_w)`` output positions to move its input by whole periods, an
upsampling by F or a transposed convolution of stride s needs ``F T_w`` (``s T_w``); a merge
the lcm. Each table is then cut to its smallest period.

Cost: O(sum over edges of T_v x taps): linear in the graph for bounded periods.

>>> from rfgraph.core.raw import RawGraph
>>> from rfgraph.core.network import build
>>> raw = RawGraph()
>>> raw.add_edge("x", "a", {"op": "conv", "k": 3, "s": 2, "p": 1})
>>> raw.add_edge("a", "y", {"op": "upsample", "scale": 2})
>>> net = build(raw)
>>> table = forward_phases(net, 0, 0)[net.index["y"]]
>>> table.period, table.stride, table.u.tolist(), table.v.tolist()
(2, 1, [-1, -1], [1, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

import numpy as np

from ..core.errors import where
from ..core.limits import check
from ..core.network import Network
from ..core.numbers import Number, norm
from ..core.ops import CTX, FRAC, WHOLE, WIN
from ..results import Phase

__all__ = ["PhaseTable", "forward_phases"]


@dataclass(frozen=True, eq=False)
class PhaseTable:
    """The unclipped regions of positions 0 .. period-1 of one node along one axis."""

    period: int
    stride: Number
    u: np.ndarray
    v: np.ndarray
    alive: np.ndarray  # the position depends on some input position

    @property
    def shift(self) -> int:
        """How far the region moves when the position moves by one period."""
        return int(self.period * self.stride)

    def at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``u``, ``v`` and ``alive`` of any positions ``t`` (periodic extension)."""
        q, r = np.divmod(t, self.period)
        return self.u[r] + q * self.shift, self.v[r] + q * self.shift, self.alive[r]

    def phases(self) -> tuple[Phase, ...]:
        """The table as :class:`~rfgraph.results.Phase` records."""
        u, v, alive = self.u.tolist(), self.v.tolist(), self.alive.tolist()  # Python ints at once
        return tuple(Phase(t, u[t], v[t]) if alive[t] else Phase(t, None, None) for t in range(self.period))

    def offset(self):
        """The offset ``stride * t - u[t]`` when it is the same for every phase (all alive),
        else None: whole arrays in integers, no Fraction per phase (a period can be a million).

        >>> PhaseTable(1, 2, np.array([5]), np.array([7]), np.ones(1, bool)).offset()
        Fraction(-5, 1)
        >>> PhaseTable(2, Fraction(1, 2), np.array([3, 3]), np.array([3, 4]), np.ones(2, bool)).offset() is None
        True
        """
        if not self.alive.all():
            return None
        stride = Fraction(self.stride)
        p, q = stride.numerator, stride.denominator
        t = np.arange(self.period, dtype=np.int64)
        du = self.u - self.u[0]
        span = max(self.period, int(np.abs(du).max(initial=0)) + 1)
        if max(abs(p), q) * span < 1 << 62:  # q (u[t] - u[0]) == p t, in int64
            constant = bool(np.array_equal(q * du, p * t))
        else:
            constant = all(q * int(d) == p * i for i, d in enumerate(du))
        return Fraction(-int(self.u[0])) if constant else None


_START = PhaseTable(1, 1, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), np.ones(1, dtype=bool))


def forward_phases(net: Network, x: int, axis: int, within: Sequence[bool] | None = None) -> list[PhaseTable | None]:
    """The :class:`PhaseTable` of every node reachable from ``x`` (through nodes where
    ``within`` is true, when given), along ``axis``; None for a node whose data paths have
    several effective strides, SAME padding that depends on the input size, no data path
    (only through whole-input layers).

    Raises :class:`~rfgraph.core.errors.LimitError` naming the node when its period (the
    phases to compute and list) is beyond the ``max_items`` limit of :mod:`rfgraph.core.limits`,
    before anything of that size is allocated."""
    tables: list[PhaseTable | None] = [None] * len(net.nodes)
    tables[x] = _START
    data = [False] * len(net.nodes)  # some path from x reaches the node through data layers
    data[x] = True
    for v in range(x + 1, len(net.nodes)):
        if within is not None and not within[v]:
            continue
        steps = []
        known = True
        for e in net.in_edges[v]:
            w = net.edges[e].src
            geom = net.edges[e].layer.symbolic(axis)
            if not data[w] or geom[0] == WHOLE:
                continue  # no data path through this edge
            data[v] = True
            step = _step(geom, tables[w])
            if step is None:
                known = False
            else:
                steps.append((e, w, step))
        if known and steps and len({s[1] for _, _, s in steps}) == 1:
            period = lcm(*(s[0] for _, _, s in steps))
            check("max_items", period, f"{where(net.source)}node {net.nodes[v]}: its region repeats every "
                                       f"{period} output positions: computing {period} phases")
            tables[v] = _combine(net, axis, steps, tables, period)
    return tables


def _step(geom: tuple, table: PhaseTable | None) -> tuple[int, Number] | None:
    """(period, stride) of the edge's output positions, from its input's table."""
    if table is None:
        return None
    if geom[0] == CTX:
        return table.period, table.stride
    if geom[0] == WIN:
        s, p = geom[1], geom[3]
        if p is None:
            return None  # SAME padding not resolved yet
        return table.period // gcd(s, table.period), norm(table.stride * s)
    assert geom[0] == FRAC
    sigma = geom[1]
    return sigma.denominator * table.period, norm(Fraction(table.stride) * sigma)


def _combine(net: Network, axis: int, steps: list, tables: list, period: int) -> PhaseTable:
    stride = steps[0][2][1]
    t = np.arange(period, dtype=np.int64)
    lo = np.full(period, np.iinfo(np.int64).max)
    hi = np.full(period, np.iinfo(np.int64).min)
    alive = np.zeros(period, dtype=bool)
    for e, w, _ in steps:
        layer = net.edges[e].layer
        if layer.symbolic(axis)[0] == CTX:  # data path: the identity
            index, exists = t[:, None], np.ones((period, 1), dtype=bool)
        else:
            index, exists = layer.spec.taps(layer, axis, t)
        u, v, live = tables[w].at(index)
        valid = exists & live
        lo = np.minimum(lo, np.where(valid, u, lo[:, None]).min(axis=1))
        hi = np.maximum(hi, np.where(valid, v, hi[:, None]).max(axis=1))
        alive |= valid.any(axis=1)
    return _shortest(PhaseTable(period, stride, np.where(alive, lo, 0), np.where(alive, hi, 0), alive))


def _shortest(table: PhaseTable) -> PhaseTable:
    """The same table cut to its smallest period (a divisor d with d x stride whole)."""
    T = table.period
    for d in range(1, T):
        if T % d or (d * table.stride) != int(d * table.stride):
            continue
        shift = int(d * table.stride)
        if (np.array_equal(table.alive[d:], table.alive[:-d])
                and np.array_equal(table.u[d:], np.where(table.alive[:-d], table.u[:-d] + shift, 0))
                and np.array_equal(table.v[d:], np.where(table.alive[:-d], table.v[:-d] + shift, 0))):
            return PhaseTable(d, table.stride, table.u[:d], table.v[:d], table.alive[:d])
    return table
