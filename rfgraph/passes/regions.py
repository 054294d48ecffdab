"""Exact receptive-field regions of every output position (math sections 4 and 5).

The ground truth for output position j is the SET of input pixels it depends on; its hull
``[lo, hi]`` is the receptive field at that input size. This module computes, for all output
positions at once and per axis, the hull (always), the set itself (on request, holes
included), and the unclipped interval ``[u, v]`` (padding included) with its centre.

How, and why it is exact
------------------------
The pass runs forward from the input over every position of every map (vectorised with
numpy), not backward from one output over intervals of positions. For each position it keeps
the hull of that position's dependency set. Because ``hull(A | B) = hull(hull(A) | hull(B))``,
the hull of a position is the min/max of the hulls of the positions it reads, taken tap by
tap; taps outside a map (padding), non-existent taps (transposed-convolution holes, bilinear
taps of weight zero) and positions that depend on nothing are skipped. This is exact in all
the cases of math section 4 where interval propagation is not: clipping happens at every map
and per tap (1, 2), empty positions are flagged and never widen anything (3), no interval of
positions is ever assumed to be gap-free (4), and parallel edges each count (6).

2-D and beyond (5) are not separable when a branch is dead along one axis only. Every layer
is separable (taps along each axis are independent), so a branch's dependency set is a
product ``X(i) x Y(j)`` of per-axis sets, empty when either factor is. A node keeps a short
list of such products ("pieces"), each as per-axis arrays, and its set is their union; a
position's 2-D hull is the bounding box of the pieces alive there. Pieces are merged only
when that is exact (same alive masks on every axis for hulls; equal sets on all axes but one
for exact sets) or dropped when another contains them, so the list stays short in practice
(one piece for everything without dead positions).

Unclipped ``[u, v]`` is the hull of the dependency set on an unbounded axis (no map has an
edge). With integer strides it is the symbolic region of :mod:`rfgraph.analysis`; with
upsampling or transposed convolutions it is computed by this same pass over windows of the
unbounded maps that cover the requested outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from functools import cached_property
from typing import Any

import numpy as np

from ..core.attrs import position
from ..core.errors import AttributeValueError, UnsupportedError, shorten, where
from ..core.limits import check, check_bytes, current_limits, file_size_text
from ..core.network import Network, Node
from ..core.numbers import half
from ..core.ops import CTX, WHOLE, fill_source
from ..core.perf import paused_gc
from ..results import Phase, RegionList, number, size_text
from .aggregate import axis_geometry, forward_pass

__all__ = ["Piece", "Regions", "compute_regions", "propagate", "simplify", "unbounded_regions"]

POS = np.int64(2**62)  # "no bound": sentinels for masked min/max and unbounded whole-input
NEG = -POS
# Positions stay within +-2^31, so that tap arithmetic (t s - p + m d, with s, p, m, d at
# most max_length <= 2^30: see Limits) never leaves int64.
REACH = 1 << 31

# Working memory of the pass per array cell (one position x one tap), in bytes, measured on
# the transports of _transport: index, local and gathered lo/hi arrays (int64) and a few
# boolean masks live at once. With exact sets, each cell also carries a row of the input.
HULL_BYTES = 64
GRID_BYTES_PER_AXIS = 48  # lo, hi (int64) per axis and their temporaries in _grid


def taps_count(layer, axis: int, length: int) -> int:
    """Taps per output position of ``layer`` along ``axis`` (the second dimension of the
    arrays :meth:`~rfgraph.core.ops.OpSpec.taps` returns); whole-input layers broadcast."""
    kind = layer.symbolic(axis)[0]
    if kind == WHOLE:
        return 1
    if layer.kind == "upsample":
        return 1 if layer.mode == "nearest" else 2
    return layer.k[axis]


def check_memory(net: Network, x: int, y: int, windows: list, sets: bool) -> None:
    """Refuse, before allocating, an exact pass whose arrays would exceed the limit
    max_memory: the estimate of each edge's transport (positions x taps, times the input's
    length with exact sets), naming the edge."""
    limit = current_limits().max_memory
    within = net.between(x, y)
    n_in = [length for _, length in windows[x]]
    for e in net.edges:
        if not (within[e.src] and within[e.dst]) or windows[e.dst] is None:
            continue
        for a, (_, d_len) in enumerate(windows[e.dst]):
            k = taps_count(e.layer, a, d_len)
            need = d_len * k * (HULL_BYTES + (2 * n_in[a] if sets else 0))
            if need > limit:
                what = "exact pixel sets" if sets else "exact regions"
                cells = f"{d_len} positions x {k} taps" + (f" x {n_in[a]} input pixels" if sets else "")
                check_bytes("max_memory", need, f"{where(net.source)}edge {net.edge_name(e.id)}: {what} need about "
                                                f"{file_size_text(need)} ({cells} along axis {a}), which")


def check_grid(net: Network, node: int, shape: Sequence[int], what: str, per_position: int) -> None:
    """Refuse an n-D array over the positions of map ``node`` (of ``shape``) that would need
    more than max_memory (``per_position`` bytes each)."""
    count = 1
    for n in shape:
        count *= n
    need = count * per_position
    if need > current_limits().max_memory:
        check_bytes("max_memory", need, f"{where(net.source)}node {net.nodes[node]}: {what} of its "
                                        f"{size_text(shape)} positions need about {file_size_text(need)}, which")


@dataclass
class Piece:
    """A product of per-axis dependency sets, per position of one map.

    ``lo``/``hi``/``alive`` are per axis arrays over the map's positions; position (i, j, ...)
    of the piece depends on ``X0(i) x X1(j) x ...``, which is empty unless every axis is alive
    there. ``sets`` (exact mode) holds per axis a boolean matrix [positions, input length].
    """

    lo: list[np.ndarray]
    hi: list[np.ndarray]
    alive: list[np.ndarray]
    sets: list[np.ndarray] | None = None


def _transport(piece: Piece, layer, geoms: Sequence[tuple], src_win, dst_win, unbounded: bool) -> Piece | None:
    """The piece at the target of an edge, from the piece at its source; None if dead."""
    lo, hi, alive, sets = [], [], [], [] if piece.sets is not None else None
    for a, (s_off, s_len) in enumerate(src_win):
        d_off, d_len = dst_win[a]
        if geoms[a][0] in (WHOLE, CTX):  # statistics too: the true dependency is everything
            live = piece.alive[a]
            if not live.any():
                return None
            if unbounded:
                lo.append(np.full(d_len, NEG))
                hi.append(np.full(d_len, POS))
            else:
                lo.append(np.full(d_len, piece.lo[a][live].min()))
                hi.append(np.full(d_len, piece.hi[a][live].max()))
            alive.append(np.ones(d_len, dtype=bool))
            if sets is not None:
                sets.append(np.broadcast_to(piece.sets[a][live].any(0), (d_len, piece.sets[a].shape[1])))
            continue
        t = np.arange(d_off, d_off + d_len, dtype=np.int64)
        index, exists = layer.spec.taps(layer, a, t)
        local = index - s_off
        if unbounded:
            inside = exists & (local >= 0) & (local < s_len)
        else:  # padding reads zeros, or other pixels with pad_mode reflect/replicate/circular
            local, inside = fill_source(local, s_len, layer, a)
            inside &= exists
        local = np.clip(local, 0, max(s_len - 1, 0))
        valid = inside & piece.alive[a][local]
        live = valid.any(axis=1)
        if not live.any():
            return None
        lo.append(np.where(valid, piece.lo[a][local], POS).min(axis=1))
        hi.append(np.where(valid, piece.hi[a][local], NEG).max(axis=1))
        alive.append(live)
        if sets is not None:
            sets.append((piece.sets[a][local] & valid[:, :, None]).any(axis=1))
    return Piece(lo, hi, alive, sets)


def _union_axis(p: Piece, q: Piece, a: int) -> tuple:
    lo = np.where(p.alive[a], p.lo[a], POS)
    lo = np.minimum(lo, np.where(q.alive[a], q.lo[a], POS))
    hi = np.maximum(np.where(p.alive[a], p.hi[a], NEG), np.where(q.alive[a], q.hi[a], NEG))
    return lo, hi, p.alive[a] | q.alive[a]


def _contains(p: Piece, q: Piece) -> bool:
    """Every position's set of ``q`` lies inside that of ``p`` (so q adds nothing)."""
    for a in range(len(p.lo)):
        qa = q.alive[a]
        if (qa & ~p.alive[a]).any():
            return False
        if q.sets is not None:
            if (q.sets[a][qa] & ~p.sets[a][qa]).any():
                return False
        elif (p.lo[a][qa] > q.lo[a][qa]).any() or (p.hi[a][qa] < q.hi[a][qa]).any():
            return False
    return True


def _mergeable(p: Piece, q: Piece) -> int | None:
    """An axis along which p and q can be merged exactly into one piece, or None.

    Hulls: equal alive masks on every axis (then the union's box is the box of the boxes).
    Exact sets: equal sets on every axis but one (the union is a product again)."""
    ndim = len(p.lo)
    if p.sets is None:
        if all(np.array_equal(p.alive[a], q.alive[a]) for a in range(ndim)):
            return 0
        return None
    differ = [a for a in range(ndim) if not np.array_equal(p.sets[a], q.sets[a])]
    if len(differ) <= 1:
        return differ[0] if differ else 0
    return None


def _merge(p: Piece, q: Piece, axis: int) -> Piece:
    ndim = len(p.lo)
    if p.sets is None:  # equal alive masks: box of boxes on every axis
        parts = [_union_axis(p, q, a) for a in range(ndim)]
        return Piece([x[0] for x in parts], [x[1] for x in parts], [x[2] for x in parts])
    lo, hi, alive, sets = list(p.lo), list(p.hi), list(p.alive), list(p.sets)
    lo[axis], hi[axis], alive[axis] = _union_axis(p, q, axis)
    sets[axis] = p.sets[axis] | q.sets[axis]
    return Piece(lo, hi, alive, sets)


def simplify(pieces: list[Piece]) -> list[Piece]:
    """Merge or drop pieces where that is exact (see the module docstring)."""
    if not pieces:
        return pieces
    if len(pieces[0].lo) == 1:  # one axis: any union is one piece
        out = pieces[0]
        for q in pieces[1:]:
            lo, hi, alive = _union_axis(out, q, 0)
            sets = [out.sets[0] | q.sets[0]] if out.sets is not None else None
            out = Piece([lo], [hi], [alive], sets)
        return [out]
    kept: list[Piece] = []
    for q in pieces:
        changed = True
        while changed:
            changed = False
            for i, p in enumerate(kept):
                if _contains(p, q):
                    q = None
                    break
                if _contains(q, p):
                    kept.pop(i)
                    changed = True
                    break
                axis = _mergeable(p, q)
                if axis is not None:
                    kept.pop(i)
                    q = _merge(p, q, axis)
                    changed = True
                    break
            if q is None:
                break
        if q is not None:
            kept.append(q)
    return kept


def propagate(net: Network, x: int, y: int, windows: list, *, sets: bool = False,
              unbounded: bool = False) -> list[Piece]:
    """Run the exact pass from input ``x`` and return the pieces of ``y``.

    ``windows[v]`` is, per axis, ``(offset, length)``: the positions of map v that exist
    (clipped mode: ``(0, n_v)``) or that are needed (unbounded mode)."""
    check_memory(net, x, y, windows, sets)
    within = net.between(x, y)
    geoms = [[e.layer.symbolic(a) for a in range(net.ndim)] for e in net.edges]
    pieces: list[list[Piece] | None] = [None] * len(net.nodes)
    start = []
    for off, length in windows[x]:
        pos = np.arange(off, off + length, dtype=np.int64)
        start.append(pos)
    first = Piece(list(start), [p.copy() for p in start], [np.ones(len(p), dtype=bool) for p in start])
    if sets:
        first.sets = [np.eye(len(p), dtype=bool) for p in start]
    pieces[x] = [first]
    # Out-edges still to be followed from each map: a map's pieces are dropped once all its
    # successors are done, which bounds memory on large inputs (exact sets especially).
    pending = [sum(1 for e in net.out_edges[v] if within[net.edges[e].dst]) for v in range(len(net.nodes))]
    for v in range(x + 1, y + 1):
        if not within[v]:
            continue
        found: list[Piece] = []
        for e in net.in_edges[v]:
            w = net.edges[e].src
            if not within[w]:
                continue
            for piece in pieces[w] or ():
                moved = _transport(piece, net.edges[e].layer, geoms[e], windows[w], windows[v], unbounded)
                if moved is not None:
                    found.append(moved)
            pending[w] -= 1
            if pending[w] == 0 and w != y:
                pieces[w] = None
        pieces[v] = simplify(found)
    return pieces[y] or []


def _unbounded_windows(net: Network, x: int, y: int, out_lo: Sequence[int], out_hi: Sequence[int]) -> list:
    """Positions of every unbounded map needed by outputs ``out_lo..out_hi`` (per axis)."""
    within = net.between(x, y)
    need: list[list | None] = [None] * len(net.nodes)
    need[y] = [[lo, hi] for lo, hi in zip(out_lo, out_hi)]
    for a, (lo, hi) in enumerate(need[y]):
        _check_reach(net, y, a, lo, hi)
    for w in range(y - 1, x - 1, -1):
        if not within[w]:
            continue
        for e in net.out_edges[w]:
            v = net.edges[e].dst
            if not within[v] or need[v] is None:
                continue
            layer = net.edges[e].layer
            for a in range(net.ndim):
                if layer.symbolic(a)[0] in (WHOLE, CTX):
                    continue  # whole-input: reported as unbounded, its input is not scanned
                lo_v, hi_v = need[v][a]
                index, _ = layer.spec.taps(layer, a, np.array([lo_v, hi_v], dtype=np.int64))
                lo, hi = int(index[0].min()), int(index[1].max())  # taps are monotone in t
                _check_reach(net, w, a, lo, hi)
                if need[w] is None:
                    need[w] = [[None, None] for _ in range(net.ndim)]
                cur = need[w][a]
                cur[0] = lo if cur[0] is None else min(cur[0], lo)
                cur[1] = hi if cur[1] is None else max(cur[1], hi)
            if need[w] is None:
                need[w] = [[0, 0] for _ in range(net.ndim)]
    windows = []
    for item in need:
        if item is None:
            windows.append(None)
        else:
            windows.append([(lo, hi - lo + 1) if lo is not None else (0, 1) for lo, hi in item])
    return windows


def _check_reach(net: Network, w: int, axis: int, lo: int, hi: int) -> None:
    """The positions ``lo..hi`` of unbounded map ``w`` that the requested outputs read: at
    most max_length of them, within +-2^31 (so the next layer's taps stay in int64)."""
    check("max_length", hi - lo + 1, f"{where(net.source)}node {net.nodes[w]}: the regions read "
                                     f"{hi - lo + 1} positions of it along axis {axis}, which")
    if max(abs(lo), abs(hi)) > REACH:
        raise UnsupportedError(f"{where(net.source)}node {net.nodes[w]}: the regions reach position "
                               f"{lo if abs(lo) > abs(hi) else hi} along axis {axis}, beyond +-2^31: "
                               "exact regions compute in 64-bit integers")


def _grid(pieces: list[Piece], shape: tuple[int, ...]):
    """n-D arrays (one per axis) of lo, hi over all output positions, and the alive mask."""
    ndim = len(shape)
    alive_all = np.zeros(shape, dtype=bool)
    lo = [np.full(shape, POS) for _ in range(ndim)]
    hi = [np.full(shape, NEG) for _ in range(ndim)]
    for p in pieces:
        alive = np.ones(shape, dtype=bool)
        for a in range(ndim):
            alive &= _along(p.alive[a], a, ndim)
        alive_all |= alive
        for a in range(ndim):
            lo[a] = np.where(alive, np.minimum(lo[a], _along(p.lo[a], a, ndim)), lo[a])
            hi[a] = np.where(alive, np.maximum(hi[a], _along(p.hi[a], a, ndim)), hi[a])
    return lo, hi, alive_all


def _along(values: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = len(values)
    return values.reshape(shape)


def _point(pieces: list[Piece], idx: tuple[int, ...]) -> tuple[list[int], list[int]] | None:
    """Hull (lo, hi per axis) of the union of the pieces at one position, None if empty."""
    lo = hi = None
    for p in pieces:
        if all(p.alive[a][j] for a, j in enumerate(idx)):
            plo = [int(p.lo[a][j]) for a, j in enumerate(idx)]
            phi = [int(p.hi[a][j]) for a, j in enumerate(idx)]
            lo = plo if lo is None else [min(x, y) for x, y in zip(lo, plo)]
            hi = phi if hi is None else [max(x, y) for x, y in zip(hi, phi)]
    return None if lo is None else (lo, hi)


def _line(pieces: list[Piece], axis: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hull along ``axis`` (lo, hi, alive) at the positions of that axis, other coordinates 0:
    one pass over per-axis arrays, no n-D grid."""
    lo, hi, alive = np.full(n, POS), np.full(n, NEG), np.zeros(n, dtype=bool)
    for p in pieces:
        if not all(p.alive[b][0] for b in range(len(p.lo)) if b != axis):
            continue
        here = p.alive[axis]
        lo = np.where(here, np.minimum(lo, p.lo[axis]), lo)
        hi = np.where(here, np.maximum(hi, p.hi[axis]), hi)
        alive |= here
    return lo, hi, alive


@dataclass(frozen=True, eq=False)
class Regions:
    """Exact regions of every output position at one input size (:func:`rfgraph.exact_regions`).

    The regions are kept as the per-axis pieces of the exact pass (memory per axis, not per
    position): :meth:`at`, :meth:`profile` and :meth:`changes` read them directly. The n-D
    arrays below have the output map's shape (one entry per output position; per-axis
    quantities are tuples with one array per axis) and are built on first use, within the
    limit max_memory:

    - ``lo``/``hi``: hull of the exact set of input pixels (valid where ``alive``);
    - ``alive``: the position depends on at least one input pixel;
    - ``u``/``v``: unclipped interval (padding included), centre (u + v) / 2, valid where
      ``defined`` (a transposed convolution's hole depends on nothing even on an unbounded
      axis); all undefined when ``whole`` (the output depends on the whole input through a
      whole-input layer).
    """

    input: Node
    output: Node
    input_size: tuple[int, ...]
    output_size: tuple[int, ...]
    clipped: list[Piece] = field(repr=False)  # the pieces of the output inside the image
    unclipped: list[Piece] = field(repr=False)  # on unbounded maps (empty when whole)
    whole: bool
    net: Network = field(repr=False)  # sized at input_size (see rfgraph.passes.shapes)

    @cached_property
    def _clipped_grid(self):
        self._check_grid()
        return _grid(self.clipped, self.output_size)

    @cached_property
    def _unclipped_grid(self):
        self._check_grid()
        return _grid(self.unclipped, self.output_size)

    def _check_grid(self) -> None:
        check_grid(self.net, self.net.index[self.output], self.output_size, "arrays over the positions",
                   GRID_BYTES_PER_AXIS * len(self.output_size) + 4)

    @property
    def lo(self) -> tuple[np.ndarray, ...]:
        return tuple(self._clipped_grid[0])

    @property
    def hi(self) -> tuple[np.ndarray, ...]:
        return tuple(self._clipped_grid[1])

    @property
    def alive(self) -> np.ndarray:
        return self._clipped_grid[2]

    @property
    def u(self) -> tuple[np.ndarray, ...]:
        return tuple(self._unclipped_grid[0])

    @property
    def v(self) -> tuple[np.ndarray, ...]:
        return tuple(self._unclipped_grid[1])

    @property
    def defined(self) -> np.ndarray:
        return self._unclipped_grid[2]

    def index(self, pos: Any) -> tuple[int, ...]:
        """``pos`` (an int for every axis, or one per axis; negative counts from the end) as
        an index into the output map; an error naming the map's size when it is outside."""
        values = position(pos, len(self.output_size))
        out = []
        for j, n in zip(values, self.output_size):
            if not -n <= j < n:
                raise AttributeValueError(f"position {shorten(pos)} is outside the output map {self.output} of size "
                                          f"{size_text(self.output_size)}")
            out.append(j % n)
        return tuple(out)

    def at(self, pos: Any) -> dict:
        """The region of one output position: ``{"at", "lo", "hi", "u", "v", "center"}`` with
        one entry per axis (``lo``/``hi`` None when the position depends on no input pixel;
        ``u``/``v``/``center`` None when it depends on nothing even on an unbounded axis, or
        on the whole input)."""
        idx = self.index(pos)
        hull = _point(self.clipped, idx)
        free = _point(self.unclipped, idx)
        u, v = free if free is not None else (None, None)
        return {
            "at": list(idx),
            "lo": hull[0] if hull else None,
            "hi": hull[1] if hull else None,
            "u": u, "v": v,
            "center": [number(half(a + b)) for a, b in zip(u, v)] if free else None,
        }

    def positions(self):
        """Every output position, in row-major order."""
        return np.ndindex(*self.output_size)

    def report(self, positions: Any = None, *, sets: bool = False) -> RegionList:
        """The :class:`~rfgraph.results.RegionList` of ``positions`` (default: all), with the
        exact pixel sets (``count``, ``set``) when ``sets``; at most max_items positions."""
        if positions is None:
            count = 1
            for n in self.output_size:
                count *= n
            check("max_items", count, f"{where(self.net.source)}output {self.output}: listing all {count} positions")
        else:
            positions = list(positions)
            check("max_items", len(positions), f"listing {len(positions)} positions")
        with paused_gc():  # a million small dicts: the collector would rescan them all, again and again
            items = self._every_position() if positions is None else [self.at(pos) for pos in positions]
        for item in items if sets else ():
            mask = self.exact_set(tuple(item["at"]))
            item["count"] = int(mask.sum())
            check("max_items", item["count"], f"{where(self.net.source)}output {item['at']}: listing the "
                                              f"{item['count']} input pixels of its exact set")
            coords = np.argwhere(mask)
            item["set"] = coords[:, 0].tolist() if mask.ndim == 1 else coords.tolist()
        return RegionList(self.input, self.output, tuple(items), self.input_size, self.output_size)

    def _every_position(self) -> list[dict]:
        """:meth:`at` of every position in row-major order, from the n-D arrays (a million
        positions in a second or two, where one :meth:`at` each would take half a minute)."""
        lo, hi, alive = self._clipped_grid
        u, v, defined = self._unclipped_grid
        ndim = len(self.output_size)
        LO, HI, U, V = ([a.reshape(-1).tolist() for a in arrays] for arrays in (lo, hi, u, v))
        live, free = alive.reshape(-1).tolist(), defined.reshape(-1).tolist()
        axes = range(ndim)
        items = []
        for i, at in enumerate(product(*(range(n) for n in self.output_size))):
            if free[i]:
                uu, vv = [U[a][i] for a in axes], [V[a][i] for a in axes]
                centre = [number(half(x + y)) for x, y in zip(uu, vv)]
            else:
                uu = vv = centre = None
            items.append({"at": list(at), "lo": [LO[a][i] for a in axes] if live[i] else None,
                          "hi": [HI[a][i] for a in axes] if live[i] else None, "u": uu, "v": vv, "center": centre})
        return items

    def to_dict(self, positions: Any = None) -> dict:
        """JSON form: the :meth:`report` of ``positions`` (default: all)."""
        return self.report(positions).to_dict()

    def sizes(self, axis: int = 0, clipped: bool = False) -> np.ndarray:
        """Region size along ``axis`` at every output position: ``v - u + 1`` (padding
        included), or with ``clipped`` ``hi - lo + 1`` (0 where nothing is read)."""
        if clipped:
            return np.where(self.alive, self.hi[axis] - self.lo[axis] + 1, 0)
        if self.whole:
            raise UnsupportedError("the output depends on the whole input")
        return np.where(self.defined, self.v[axis] - self.u[axis] + 1, 0)

    def changes(self, axis: int = 0, clipped: bool = False) -> list[int]:
        """Positions along ``axis`` (other coordinates 0) where the region size differs from
        the previous position: empty for a shift-invariant network away from borders."""
        profile = self.profile(axis, clipped)
        return [int(j) for j in np.nonzero(profile[1:] != profile[:-1])[0] + 1]

    def profile(self, axis: int = 0, clipped: bool = False) -> np.ndarray:
        """:meth:`sizes` along ``axis`` with the other coordinates 0 (no n-D array built)."""
        if not clipped and self.whole:
            raise UnsupportedError("the output depends on the whole input")
        lo, hi, alive = _line(self.clipped if clipped else self.unclipped, axis, self.output_size[axis])
        return np.where(alive, hi - lo + 1, 0)

    def exact_set(self, pos: Any) -> np.ndarray:
        """The exact set of input pixels output ``pos`` depends on, as a boolean array of the
        input's shape (holes included)."""
        idx = self.index(pos)
        check_grid(self.net, self.net.index[self.input], self.input_size, "an exact pixel set", 2)
        out = np.zeros(self.input_size, dtype=bool)
        for p in self.exact_pieces:
            rows = [p.sets[a][idx[a]] if p.alive[a][idx[a]] else None for a in range(len(idx))]
            if any(r is None for r in rows):
                continue
            block = rows[0]
            for r in rows[1:]:
                block = np.multiply.outer(block, r)
            out |= block
        return out

    @cached_property
    def exact_pieces(self) -> list[Piece]:
        """The output's pieces with exact per-axis sets (computed on first use)."""
        x, y = self.net.index[self.input], self.net.index[self.output]
        return propagate(self.net, x, y, _clipped_windows(self.net), sets=True)

    def count(self, pos: Any) -> int:
        """Number of input pixels in the exact set of output ``pos``."""
        return int(self.exact_set(pos).sum())


def _clipped_windows(net: Network) -> list:
    return [[(0, n) for n in size] if size is not None else None for size in net.lengths]


def compute_regions(net: Network, x: int, y: int) -> Regions:
    """Exact regions of every position of ``y`` seen from ``x`` in a sized network (see
    :func:`rfgraph.passes.shapes.infer_shapes`)."""
    input_size, out_size = net.size_of(net.nodes[x]), net.size_of(net.nodes[y])
    clipped = propagate(net, x, y, _clipped_windows(net))
    unclipped, whole = _unclipped(net, x, y, out_size)
    return Regions(net.nodes[x], net.nodes[y], input_size, out_size, clipped, unclipped, whole, net)


def _unclipped(net: Network, x: int, y: int, out_size: tuple[int, ...]) -> tuple[list[Piece], bool]:
    """The pieces of ``u``, ``v`` on unbounded maps (positions that depend on nothing even
    there are not alive), and whether the output depends on the whole input (then none)."""
    ndim = len(out_size)
    within = net.between(x, y)
    flows = [forward_pass(net, x, axis_geometry(net, a), within) for a in range(ndim)]
    if any(flow.whole_edge(y) is not None for flow in flows):
        return [], True
    classes = [flow.classes(y) for flow in flows]
    if all(c.rf is not None and c.padding is not None for per_axis in classes for c in per_axis):
        lo, hi = [], []  # integer strides: the symbolic hull of the stride classes, per axis
        for a, per_axis in enumerate(classes):
            for c in per_axis:  # the unclipped ends must stay in int64 (see REACH)
                far = max(abs(c.padding), abs(c.stride * (out_size[a] - 1) - c.padding + c.rf - 1))
                if far > REACH:
                    raise UnsupportedError(f"{where(net.source)}the unclipped regions of {net.nodes[y]} reach input "
                                           f"position {far} along axis {a}, beyond +-2^31 (effective stride "
                                           f"{c.stride}): exact regions compute in 64-bit integers")
            j = np.arange(out_size[a], dtype=np.int64)
            lo.append(np.min([c.stride * j - c.padding for c in per_axis], axis=0))
            hi.append(np.max([c.stride * j - c.padding + c.rf - 1 for c in per_axis], axis=0))
        return [Piece(lo, hi, [np.ones(n, dtype=bool) for n in out_size])], False
    windows = _unbounded_windows(net, x, y, [0] * ndim, [n - 1 for n in out_size])
    return propagate(net, x, y, windows, unbounded=True), False


def unbounded_regions(net: Network, positions: Sequence[int], axis: int, x: int, y: int) -> list[Phase]:
    """The unclipped region of output positions ``positions`` of ``y`` seen from ``x`` along
    ``axis`` on an unbounded axis (no input size), that axis taken alone, as
    :class:`~rfgraph.results.Phase` records (``u``/``v`` None for a position that depends on
    nothing)."""
    lo_pos, hi_pos = min(positions), max(positions)
    sub = _axis_network(net, axis)
    windows = _unbounded_windows(sub, x, y, [lo_pos], [hi_pos])
    pieces = propagate(sub, x, y, windows, unbounded=True)
    out = []
    for j in positions:
        k = j - lo_pos
        found = [(p.lo[0][k], p.hi[0][k]) for p in pieces if p.alive[0][k]]
        if found:
            out.append(Phase(j, int(min(f[0] for f in found)), int(max(f[1] for f in found))))
        else:
            out.append(Phase(j, None, None))
    return out


def _axis_network(net: Network, axis: int) -> Network:
    """The network along one axis only (a 1-D network with each layer's ``axis`` values)."""
    if net.ndim == 1:
        return net
    pick = lambda t: (t[axis],) if t is not None else None  # noqa: E731
    edges = tuple(replace(e, layer=replace(e.layer, k=pick(e.layer.k), s=pick(e.layer.s), d=pick(e.layer.d),
                                           p_l=pick(e.layer.p_l), p_r=pick(e.layer.p_r),
                                           scale=pick(e.layer.scale)))
                  for e in net.edges)
    return replace(net, edges=edges, ndim=1, lengths=None, declared=None)
