"""Receptive-field geometry over ALL paths at once (math section 3), without enumerating them.

Going through a layer, a path's effective stride S, padding P, right extent E = r - 1 - P,
size r and twice-centre C = 2((r - 1)/2 - P) = E - P all change by affine maps whose slope is
positive. So for every node it is enough to keep, per distinct effective stride (a "stride
class"), the number of paths and the max/min of these quantities. One sweep in topological
order gives them for all nodes: O(V + E) times the number of stride classes.

- :func:`forward_pass` from an input: the classes of the paths input -> v for every node v
  (every node as an end-point, seen from the input: the per-layer table).
- :func:`backward_pass` to an output: the classes of the paths v -> output for every node v
  (the output seen from every node).

Each class is a :class:`StrideClass`. Paths through a whole-input layer (global pooling, fully
connected) have no stride; they are not in any class and are reported through ``whole``.

>>> from rfgraph.core.ops import WIN
>>> from rfgraph.core.raw import RawGraph
>>> from rfgraph.core.network import build
>>> raw = RawGraph()
>>> raw.add_edge("x", "a", {"op": "conv", "k": 5, "s": 2, "p_l": 2, "p_r": 1})
>>> raw.add_edge("x", "b", {"op": "conv", "k": 3})
>>> raw.add_edge("b", "c", {"op": "conv", "k": 3})
>>> raw.add_edge("a", "y", {"op": "add"}); raw.add_edge("c", "y", {"op": "add"})
>>> net = build(raw)
>>> flow = backward_pass(net, net.index["y"], axis_geometry(net, 0))
>>> [(c.stride, c.paths, c.rf) for c in flow.classes(net.index["x"])]
[(1, 1, 5), (2, 1, 5)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..core.errors import where
from ..core.limits import check, current_limits, stride_bound, too_many_digits
from ..core.network import Network
from ..core.numbers import Number, half, norm
from ..core.ops import CTX, IDENTITY, WHOLE, WIN
from ..results import StrideClass

__all__ = ["Flow", "axis_geometry", "backward_pass", "forward_pass", "local_geometry", "trace_forward"]

# Flags of a class record: some path has padding that depends on the input size; some path
# has a fractional-stride layer (its r and P are not single numbers).
UNKNOWN_PADDING = 1
FRACTIONAL = 2

# A class record is a list [paths, P_max, E_max, r_max, r_min, C_max, C_min, flags].
N, PMAX, EMAX, RMAX, RMIN, CMAX, CMIN, FLAGS = range(8)
STATS = {"p_max": PMAX, "e_max": EMAX, "r_max": RMAX, "r_min": RMIN, "c_max": CMAX, "c_min": CMIN}


def _make_class(stride: Number, rec: list) -> StrideClass:
    n, pmax, emax, rmax, rmin, cmax, cmin, flags = rec
    if not flags:  # the common case: integer strides, known padding
        return StrideClass(stride, n, emax + pmax + 1, pmax, rmax, rmin, half(cmin), half(cmax), False, True)
    fractional = bool(flags & FRACTIONAL)
    known = not flags & UNKNOWN_PADDING
    exact = not fractional
    return StrideClass(
        stride=norm(stride),
        paths=n,
        rf=emax + pmax + 1 if exact and known else (rmax if exact and n == 1 else None),
        padding=pmax if exact and known else None,
        path_rf_max=rmax if exact else None,
        path_rf_min=rmin if exact else None,
        center_min=half(cmin) if known else None,
        center_max=half(cmax) if known else None,
        fractional=fractional,
        padding_known=known,
    )


@dataclass(frozen=True, eq=False)
class Flow:
    """Result of one pass: stride classes and whole-input witnesses for every node.

    ``origin`` is the input (forward) or output (backward) node index.
    """

    direction: str
    origin: int
    records: list  # per node: dict stride -> record, or None
    whole: list[int]  # per node: id of a whole-input edge on some path, or -1
    reach: list[bool]  # per node: connected to the origin in the pass's direction

    def classes(self, node: int) -> list[StrideClass]:
        """The stride classes at ``node``, sorted by stride."""
        recs = self.records[node] or {}
        return [_make_class(stride, recs[stride]) for stride in sorted(recs)]

    def fractional(self) -> bool:
        """Some node has a fractional-stride layer on its paths."""
        return any(rec[FLAGS] & FRACTIONAL for recs in self.records if recs for rec in recs.values())

    def whole_edge(self, node: int) -> int | None:
        """A whole-input edge on some path between the origin and ``node`` (None if none)."""
        e = self.whole[node]
        return e if e >= 0 else None


def axis_geometry(net: Network, axis: int) -> list[tuple]:
    """Per-edge symbolic geometry along ``axis`` (see :meth:`rfgraph.core.ops.Layer.symbolic`)."""
    return [e.layer.symbolic(axis) for e in net.edges]


def local_geometry(geom: tuple) -> tuple:
    """The geometry of a layer's data path: a statistics layer (CTX) is the identity there."""
    return IDENTITY if geom[0] == CTX else geom


def _merge(cur: list, rec: list) -> None:
    """Merge class record ``rec`` into ``cur`` (same stride): counts add, extremes combine."""
    cur[N] += rec[N]
    if rec[PMAX] > cur[PMAX]:
        cur[PMAX] = rec[PMAX]
    if rec[EMAX] > cur[EMAX]:
        cur[EMAX] = rec[EMAX]
    if rec[RMAX] > cur[RMAX]:
        cur[RMAX] = rec[RMAX]
    if rec[RMIN] < cur[RMIN]:
        cur[RMIN] = rec[RMIN]
    if rec[CMAX] > cur[CMAX]:
        cur[CMAX] = rec[CMAX]
    if rec[CMIN] < cur[CMIN]:
        cur[CMIN] = rec[CMIN]
    cur[FLAGS] |= rec[FLAGS]


def transport_forward(recs: dict, geom: tuple, acc: dict) -> None:
    """Extend the paths ``input -> w`` (classes ``recs``) by the layer ``geom`` (w -> v) and
    merge them into ``acc``, the classes of ``input -> v``."""
    if geom[0] == WIN:
        _, s, k, p = geom
        fl = 0
        if p is None:
            fl, p = UNKNOWN_PADDING, 0
        km, em, c = k - 1, k - 1 - p, k - 1 - 2 * p
        for S, (n, pmax, emax, rmax, rmin, cmax, cmin, flags) in recs.items():
            dr, dc = km * S, c * S
            rec = [n, pmax + p * S, emax + em * S, rmax + dr, rmin + dr, cmax + dc, cmin + dc, flags | fl]
            cur = acc.get(S * s)
            if cur is None:
                acc[S * s] = rec
            else:
                _merge(cur, rec)
    else:  # FRAC: only S and the continuous centre are meaningful from here on
        _, sigma, tau2 = geom
        for S, rec in recs.items():
            dc = tau2 * S
            new = [rec[N], 0, 0, 0, 0, rec[CMAX] + dc, rec[CMIN] + dc, rec[FLAGS] | FRACTIONAL]
            key = norm(S * sigma)
            cur = acc.get(key)
            if cur is None:
                acc[key] = new
            else:
                _merge(cur, new)


def transport_backward(recs: dict, geom: tuple, acc: dict) -> None:
    """Prepend the layer ``geom`` (w -> v) to the paths ``v -> output`` (classes ``recs``) and
    merge them into ``acc``, the classes of ``w -> output``."""
    if geom[0] == WIN:
        _, s, k, p = geom
        fl = 0
        if p is None:
            fl, p = UNKNOWN_PADDING, 0
        em, rk, c = k - 1 - p, k - s, k - 1 - 2 * p
        for S, (n, pmax, emax, rmax, rmin, cmax, cmin, flags) in recs.items():
            rec = [n, s * pmax + p, s * emax + em, s * rmax + rk, s * rmin + rk, s * cmax + c,
                   s * cmin + c, flags | fl]
            cur = acc.get(s * S)
            if cur is None:
                acc[s * S] = rec
            else:
                _merge(cur, rec)
    else:
        _, sigma, tau2 = geom
        for S, rec in recs.items():
            new = [rec[N], 0, 0, 0, 0, sigma * rec[CMAX] + tau2, sigma * rec[CMIN] + tau2,
                   rec[FLAGS] | FRACTIONAL]
            key = norm(sigma * S)
            cur = acc.get(key)
            if cur is None:
                acc[key] = new
            else:
                _merge(cur, new)


def _start() -> dict:
    return {1: [1, 0, 0, 1, 1, 0, 0, 0]}


def forward_pass(net: Network, source: int, geoms: Sequence[tuple],
                 within: Sequence[bool] | None = None) -> Flow:
    """Stride classes of the paths ``source -> v`` for every node v reachable from source
    (only through nodes where ``within`` is true, when given)."""
    order = range(source + 1, len(net.nodes))
    ends = [e.src for e in net.edges]
    return _sweep(net, "forward", source, order, net.in_edges, ends, geoms, transport_forward, within)


def backward_pass(net: Network, target: int, geoms: Sequence[tuple]) -> Flow:
    """Stride classes of the paths ``v -> target`` for every node v that reaches target."""
    order = range(target - 1, -1, -1)
    ends = [e.dst for e in net.edges]
    return _sweep(net, "backward", target, order, net.out_edges, ends, geoms, transport_backward, None)


def _sweep(net: Network, direction: str, origin: int, order: range, adjacency, ends: list[int], geoms: Sequence[tuple],
           transport, within: Sequence[bool] | None) -> Flow:
    """One pass over ``order``: each node gathers the classes of its neighbours ``ends[e]``
    along its ``adjacency`` edges, moved through each edge's layer by ``transport``."""
    n = len(adjacency)
    limits = current_limits()
    # Every value of a class (P, r, E, centres) is at most its stride times the sum of the
    # kernels and paddings along the path (each at most max_length, on at most max_edges
    # edges): bounding the strides with a margin of 40 digits bounds them all.
    bound = stride_bound()
    records: list = [None] * n
    whole = [-1] * n
    reach = [False] * n
    records[origin] = _start()
    reach[origin] = True
    for v in order:
        if within is not None and not within[v]:
            continue
        acc: dict | None = None
        witness = inherited = -1  # a whole-input edge into v (the nearest witness), or one before
        for e in adjacency[v]:
            u = ends[e]
            if not reach[u]:
                continue
            reach[v] = True
            if inherited < 0 and whole[u] >= 0:
                inherited = whole[u]
            geom = geoms[e]
            if geom[0] == WHOLE:
                if witness < 0:
                    witness = e
                continue
            if geom[0] == CTX:  # statistics: every output sees the whole input, the data passes
                if witness < 0:
                    witness = e
                geom = IDENTITY
            recs = records[u]
            if recs:
                if acc is None:
                    acc = {}
                transport(recs, geom, acc)
        records[v] = acc
        whole[v] = witness if witness >= 0 else inherited
        if acc is not None:
            if len(acc) > limits.max_strides:
                check("max_strides", len(acc),
                      f"{where(net.source)}node {net.nodes[v]}: the paths between it and {net.nodes[origin]} "
                      f"have {len(acc)} different effective strides, which")
            for S in acc:  # (beyond() inlined: this runs for every node)
                if (S > bound) if type(S) is int else (S.numerator > bound or S.denominator > bound):
                    raise too_many_digits(f"{where(net.source)}node {net.nodes[v]}: an effective stride")
    return Flow(direction, origin, records, whole, reach)



def _stat_delta(geom: tuple, stat: int, S_w: Number):
    """How much the forward transport through ``geom`` adds to statistic ``stat``."""
    if geom[0] == WIN:
        _, s, k, p = geom
        p = p or 0
        return {PMAX: p, EMAX: k - 1 - p, RMAX: k - 1, RMIN: k - 1,
                CMAX: k - 1 - 2 * p, CMIN: k - 1 - 2 * p}[stat] * S_w
    if stat in (CMAX, CMIN):
        return geom[2] * S_w
    return 0


def trace_forward(net: Network, flow: Flow, geoms: Sequence[tuple], node: int, stride: Number,
                  stat: str = "c_max", via: int | None = None) -> list[int]:
    """Edge ids of one path ``input -> node`` in class ``stride`` attaining the extreme
    ``stat`` (one of :data:`STATS`, or "any"); ``via`` forces the path's last edge.

    Walks back through the in-edges, checking which predecessor class produces the value:
    O(path length x in-degree), nothing stored during the pass.
    """
    assert flow.direction == "forward"
    idx = STATS.get(stat)
    rec = (flow.records[node] or {}).get(stride)
    if rec is None:
        raise ValueError(f"no paths of stride {stride} reach node {net.nodes[node]!r}")
    if idx is not None and rec[FLAGS] & FRACTIONAL and idx not in (CMAX, CMIN):
        idx = None  # r, P, E are not single numbers on fractional paths: any path will do
    value = rec[idx] if idx is not None else None
    path: list[int] = []
    v = node
    first = True
    while v != flow.origin:
        candidates = (via,) if first and via is not None else net.in_edges[v]
        first = False
        for e in candidates:
            geom = local_geometry(geoms[e])
            w = net.edges[e].src
            recs = flow.records[w]
            if geom[0] == WHOLE or not recs:
                continue
            step = geom[1]
            S_w = norm(Fraction(stride) / step)
            prev = recs.get(S_w)
            if prev is None:
                continue
            if idx is not None:
                if prev[idx] + _stat_delta(geom, idx, S_w) != value:
                    continue
                value = prev[idx]
            path.append(e)
            v, stride = w, S_w
            break
        else:  # pragma: no cover - the pass guarantees a predecessor exists
            raise AssertionError("inconsistent flow")
    return path[::-1]
