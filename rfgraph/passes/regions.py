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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..core.errors import AttributeValueError, UnsupportedError
from ..core.network import Network, Node, as_network
from ..core.ops import WHOLE, fill_source
from .shapes import Shapes, infer_shapes

POS = np.int64(2**62)  # "no bound": sentinels for masked min/max and unbounded whole-input
NEG = -POS


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
        if geoms[a][0] == WHOLE:
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


def propagate(net: Network, x: int, y: int, layers: Sequence, windows: list, *, sets: bool = False,
              unbounded: bool = False) -> list[Piece]:
    """Run the exact pass from input ``x`` and return the pieces of ``y``.

    ``windows[v]`` is, per axis, ``(offset, length)``: the positions of map v that exist
    (clipped mode: ``(0, n_v)``) or that are needed (unbounded mode)."""
    within = net.between(x, y)
    geoms = [[layer.symbolic(a) for a in range(net.ndim)] for layer in layers]
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
                moved = _transport(piece, layers[e], geoms[e], windows[w], windows[v], unbounded)
                if moved is not None:
                    found.append(moved)
            pending[w] -= 1
            if pending[w] == 0 and w != y:
                pieces[w] = None
        pieces[v] = simplify(found)
    return pieces[y] or []


def _unbounded_windows(net: Network, x: int, y: int, layers: Sequence, out_lo: Sequence[int],
                       out_hi: Sequence[int]) -> list:
    """Positions of every unbounded map needed by outputs ``out_lo..out_hi`` (per axis)."""
    within = net.between(x, y)
    need: list[list | None] = [None] * len(net.nodes)
    need[y] = [[lo, hi] for lo, hi in zip(out_lo, out_hi)]
    for w in range(y - 1, x - 1, -1):
        if not within[w]:
            continue
        for e in net.out_edges[w]:
            v = net.edges[e].dst
            if not within[v] or need[v] is None:
                continue
            layer = layers[e]
            for a in range(net.ndim):
                if layer.symbolic(a)[0] == WHOLE:
                    continue  # whole-input: reported as unbounded, its input is not scanned
                lo_v, hi_v = need[v][a]
                index, _ = layer.spec.taps(layer, a, np.array([lo_v, hi_v], dtype=np.int64))
                lo, hi = int(index[0].min()), int(index[1].max())  # taps are monotone in t
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


@dataclass(frozen=True, eq=False)
class Regions:
    """Exact regions of every output position at one input size.

    Arrays have the output map's shape (one entry per output position); per-axis quantities
    are tuples with one array per axis:

    - ``lo``/``hi``: hull of the exact set of input pixels (valid where ``alive``);
    - ``alive``: the position depends on at least one input pixel;
    - ``u``/``v``: unclipped interval (padding included), ``center`` = (u + v) / 2, valid
      where ``defined`` (a transposed convolution's hole depends on nothing even on an
      unbounded axis); all undefined when ``whole`` (the output depends on the whole input
      through a whole-input layer).
    """

    input: Node
    output: Node
    input_size: tuple[int, ...]
    output_size: tuple[int, ...]
    lo: tuple[np.ndarray, ...]
    hi: tuple[np.ndarray, ...]
    alive: np.ndarray
    u: tuple[np.ndarray, ...]
    v: tuple[np.ndarray, ...]
    defined: np.ndarray
    whole: bool
    shapes: Shapes = field(repr=False)
    net: Network = field(repr=False)
    layers: tuple = field(repr=False)

    def at(self, pos) -> dict:
        """The region of one output position: ``{"at", "lo", "hi", "u", "v", "center"}`` with
        one entry per axis (``lo``/``hi`` None when the position depends on no input pixel;
        ``u``/``v``/``center`` None when it depends on nothing even on an unbounded axis, or
        on the whole input)."""
        idx = _position(pos, self.output_size)
        alive = bool(self.alive[idx])
        ndim = len(self.output_size)
        defined = bool(self.defined[idx])
        u = [int(self.u[a][idx]) for a in range(ndim)] if defined else None
        v = [int(self.v[a][idx]) for a in range(ndim)] if defined else None
        return {
            "at": list(idx),
            "lo": [int(self.lo[a][idx]) for a in range(ndim)] if alive else None,
            "hi": [int(self.hi[a][idx]) for a in range(ndim)] if alive else None,
            "u": u, "v": v,
            "center": [_half(a + b) for a, b in zip(u, v)] if defined else None,
        }

    def positions(self):
        """Every output position, in row-major order."""
        return np.ndindex(*self.output_size)

    def to_dict(self, positions=None) -> dict:
        """JSON form: ``{"input", "output", "input_size", "output_size", "positions": [...]}``."""
        chosen = self.positions() if positions is None else positions
        return {
            "input": str(self.input), "output": str(self.output),
            "input_size": list(self.input_size), "output_size": list(self.output_size),
            "positions": [self.at(p) for p in chosen],
        }

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
        sizes = self.sizes(axis, clipped)
        profile = sizes[tuple(slice(None) if a == axis else 0 for a in range(sizes.ndim))]
        return [int(j) for j in np.nonzero(profile[1:] != profile[:-1])[0] + 1]

    def exact_set(self, pos) -> np.ndarray:
        """The exact set of input pixels output ``pos`` depends on, as a boolean array of the
        input's shape (holes included)."""
        idx = _position(pos, self.output_size)
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
        windows = _clipped_windows(self.net, self.shapes)
        return propagate(self.net, x, y, self.layers, windows, sets=True)

    def count(self, pos) -> int:
        """Number of input pixels in the exact set of output ``pos``."""
        return int(self.exact_set(pos).sum())


def _half(twice: int) -> Any:
    return twice // 2 if twice % 2 == 0 else twice / 2


def _position(pos, shape: tuple[int, ...]) -> tuple[int, ...]:
    values = tuple(pos) if isinstance(pos, (tuple, list, np.ndarray)) else (pos,)
    if len(values) == 1 and len(shape) > 1:
        values = values * len(shape)
    if len(values) != len(shape):
        raise AttributeValueError(f"position {pos!r} has {len(values)} coordinates, the output has {len(shape)}")
    for j, n in zip(values, shape):
        if not 0 <= int(j) < n:
            raise AttributeValueError(f"position {pos!r} is outside the output map of size {'x'.join(map(str, shape))}")
    return tuple(int(j) for j in values)


def _clipped_windows(net: Network, shapes: Shapes) -> list:
    return [[(0, n) for n in shapes.sizes[name]] if name in shapes.sizes else None for name in net.nodes]


def regions(G, input_size: Any = None, input: Node | None = None, output: Node | None = None) -> Regions:
    """Exact regions of every output position at ``input_size`` (default: the graph's).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("x", "h", op="conv", k=3, d=2, p=2)
    0
    >>> G.add_edge("h", "y", op="conv", k=3, d=2, p=2)
    0
    >>> r = regions(G, 5)
    >>> r.at(0)
    {'at': [0], 'lo': [0], 'hi': [4], 'u': [-4], 'v': [4], 'center': [0]}
    >>> r.exact_set(0).astype(int)
    array([1, 0, 1, 0, 1])
    """
    shapes = infer_shapes(G, input_size, input)
    net = shapes.net
    x, y = net.endpoints(input, output)
    layers = shapes.layers
    input_size = shapes.size_of(net.nodes[x])
    windows = _clipped_windows(net, shapes)
    out_size = shapes.size_of(net.nodes[y])
    pieces = propagate(net, x, y, layers, windows)
    lo, hi, alive = _grid(pieces, out_size)
    u, v, defined, whole = _unclipped(net, x, y, layers, out_size)
    return Regions(net.nodes[x], net.nodes[y], input_size, out_size, tuple(lo), tuple(hi), alive,
                   u, v, defined, whole, shapes, net, tuple(layers))


def _unclipped(net: Network, x: int, y: int, layers: Sequence, out_size: tuple[int, ...]):
    """``u``, ``v`` (n-D arrays per axis) on unbounded maps, where they are defined, and
    whether the output depends on the whole input."""
    from ..analysis import analyze

    result = analyze(net, net.nodes[x], net.nodes[y], layers=layers)
    ndim = len(out_size)
    if any(a.whole_input is not None for a in result.axes):
        empty = tuple(np.zeros(out_size, dtype=np.int64) for _ in range(ndim))
        return empty, empty, np.zeros(out_size, dtype=bool), True
    if all(all(c.rf is not None and c.padding is not None for c in a.classes) for a in result.axes):
        u, v = [], []  # integer strides: the symbolic hull, per axis
        for a, axis in enumerate(result.axes):
            j = np.arange(out_size[a], dtype=np.int64)
            lo = np.min([c.stride * j - c.padding for c in axis.classes], axis=0)
            hi = np.max([c.stride * j - c.padding + c.rf - 1 for c in axis.classes], axis=0)
            u.append(np.broadcast_to(_along(lo, a, ndim), out_size))
            v.append(np.broadcast_to(_along(hi, a, ndim), out_size))
        return tuple(u), tuple(v), np.ones(out_size, dtype=bool), False
    windows = _unbounded_windows(net, x, y, layers, [0] * ndim, [n - 1 for n in out_size])
    pieces = propagate(net, x, y, layers, windows, unbounded=True)
    lo, hi, defined = _grid(pieces, out_size)
    return tuple(lo), tuple(hi), defined, False


def unbounded_regions(G, positions: Sequence[int], axis: int = 0, input: Node | None = None,
                      output: Node | None = None, layers: Sequence | None = None) -> list[tuple[int, int] | None]:
    """``(u, v)`` of output positions ``positions`` along one axis on an unbounded axis (no
    input size), each axis taken alone; None for a position that depends on nothing."""
    net = as_network(G)
    x, y = net.endpoints(input, output)
    layers = list(layers) if layers is not None else [e.layer for e in net.edges]
    lo_pos, hi_pos = min(positions), max(positions)
    sub = _axis_network(net, axis)
    sub_layers = [_axis_layer(layer, axis) for layer in layers]
    windows = _unbounded_windows(sub, x, y, sub_layers, [lo_pos], [hi_pos])
    pieces = propagate(sub, x, y, sub_layers, windows, unbounded=True)
    out = []
    for j in positions:
        k = j - lo_pos
        found = [(p.lo[0][k], p.hi[0][k]) for p in pieces if p.alive[0][k]]
        out.append((int(min(f[0] for f in found)), int(max(f[1] for f in found))) if found else None)
    return out


def _axis_network(net: Network, axis: int) -> Network:
    from dataclasses import replace

    return replace(net, ndim=1) if net.ndim != 1 else net


def _axis_layer(layer, axis: int):
    from dataclasses import replace

    pick = lambda t: (t[axis],) if t is not None else None  # noqa: E731
    return replace(layer, k=pick(layer.k), s=pick(layer.s), d=pick(layer.d), p_l=pick(layer.p_l),
                   p_r=pick(layer.p_r), scale=pick(layer.scale))


def phases(G, input: Node | None = None, output: Node | None = None, layers: Sequence | None = None) -> list[list[dict]]:
    """For networks with fractional strides: per axis, the unclipped region of output
    positions 0..T-1 (T = the period after which regions repeat, shifted by T x stride)."""
    from ..analysis import analyze

    result = analyze(G, input, output, layers=layers)
    out = []
    for axis in result.axes:
        if axis.period is None:
            out.append([])
            continue
        found = unbounded_regions(G, list(range(axis.period)), axis.axis, input, output, layers)
        out.append([{"at": j, "u": r[0] if r else None, "v": r[1] if r else None,
                     "size": r[1] - r[0] + 1 if r else 0} for j, r in enumerate(found)])
    return out



@dataclass(frozen=True)
class Footprint:
    """The positions of one map that an output feature depends on, along one axis.

    ``positions`` is sorted and may include padding positions (outside ``[0, length)``),
    which the map's layer reads as zeros and which depend on nothing further; ``length`` is
    None on an unbounded axis (no input size)."""

    node: Node
    positions: np.ndarray
    length: int | None

    @property
    def padding(self) -> np.ndarray:
        """The positions that fall in the padding (outside the map)."""
        if self.length is None:
            return self.positions[:0]
        return self.positions[(self.positions < 0) | (self.positions >= self.length)]

    @property
    def inside(self) -> np.ndarray:
        """The positions inside the map."""
        if self.length is None:
            return self.positions
        return self.positions[(self.positions >= 0) & (self.positions < self.length)]


def footprints(G, at: int, axis: int = 0, input_size: Any = None, input: Node | None = None,
               output: Node | None = None, edges: Sequence[int] | None = None) -> dict[Node, Footprint]:
    """Follow output feature ``at`` back through every map along ``axis``: for each node on
    an input-output path, the positions it reads (with the padding positions it touches).

    With an input size (argument or graph attribute), maps have their lengths and padding
    positions stop there; without, the axis is unbounded. ``edges`` restricts the walk to
    some edge ids (one path, say). Used by the receptive-field plots. Each axis is taken alone
    (in 2-D, a branch dead along the other axis is still shown).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("x", "h", op="conv", k=3, s=2, p=1)
    0
    >>> G.add_edge("h", "y", op="conv", k=3, p=1)
    0
    >>> fp = footprints(G, 0, input_size=8)
    >>> fp["h"].positions.tolist(), fp["x"].positions.tolist(), fp["x"].padding.tolist()
    ([-1, 0, 1], [-1, 0, 1, 2, 3], [-1])
    """
    net = as_network(G)
    sized = input_size is not None or net.input_size is not None
    if sized:
        shapes = infer_shapes(net, input_size, input)
        net, layers = shapes.net, shapes.layers
    else:
        layers = [e.layer for e in net.edges]
    x, y = net.endpoints(input, output)
    allowed = None if edges is None else set(edges)
    edge_ok = None if allowed is None else [e in allowed for e in range(len(net.edges))]
    within = net.between(x, y, edge_ok)

    def length(v: int) -> int | None:
        return shapes.sizes[net.nodes[v]][axis] if sized else None

    found: dict[int, set[int]] = {y: {int(at)}}
    for v in range(y, x - 1, -1):
        if v not in found or not within[v]:
            continue
        n = length(v)
        live = np.array(sorted(p for p in found[v] if n is None or 0 <= p < n), dtype=np.int64)
        if v == x or not len(live):
            continue
        for e in net.in_edges[v]:
            w = net.edges[e].src
            if not within[w] or (edge_ok is not None and not edge_ok[e]):
                continue
            layer = layers[e]
            if layer.symbolic(axis)[0] == WHOLE:
                n_w = length(w)
                reads = set(range(n_w)) if n_w is not None else set()
            else:
                index, exists = layer.spec.taps(layer, axis, live)
                reads = set(index[exists].tolist())
                n_w = length(w)
                if n_w is not None and layer.pad_mode != "zeros":  # padding that reads pixels
                    mapped, ok = fill_source(index, n_w, layer, axis)
                    reads |= set(mapped[exists & ok].tolist())
            found.setdefault(w, set()).update(reads)
    return {net.nodes[v]: Footprint(net.nodes[v], np.array(sorted(p), dtype=np.int64), length(v))
            for v, p in sorted(found.items())}
