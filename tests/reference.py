"""Independent reference for exact regions: plain Python sets, each op written from its
textbook/PyTorch definition (transposed convolution and nearest upsampling as forward
*scatters*, bilinear with exact rationals and PyTorch's clamping), nothing from rfgraph.core.ops'
index maps. Slow and obviously right; for small graphs only."""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from math import floor

#: Normalisations: output t reads input t and the statistics of every position.
STATISTICS = ("groupnorm", "instancenorm", "spatial_norm")


def out_len(attrs: dict, n: int) -> int:
    op = attrs.get("op", "identity")
    if op in ("global_pool", "fc", "flatten"):
        return 1
    if op in STATISTICS:
        return n
    if op == "upsample":
        return n * attrs["scale"]
    k, s, d = attrs.get("k", 1), attrs.get("s", 1), attrs.get("d", 1)
    pl, pr = attrs.get("p_l", attrs.get("p", 0)), attrs.get("p_r", attrs.get("p", 0))
    ke = d * (k - 1) + 1
    if op == "conv_transpose":
        return (n - 1) * s - pl - pr + ke
    return (n + pl + pr - ke) // s + 1


def reads(attrs: dict, n_in: int, n_out: int) -> list[set[int]]:
    """For each output position, the input positions (inside [0, n_in)) it reads."""
    op = attrs.get("op", "identity")
    k, s, d = attrs.get("k", 1), attrs.get("s", 1), attrs.get("d", 1)
    pl = attrs.get("p_l", attrs.get("p", 0))
    out: list[set[int]] = [set() for _ in range(n_out)]
    if op in ("global_pool", "fc", "flatten") or op in STATISTICS:  # normalisation: mean, variance of all
        return [set(range(n_in)) for _ in range(n_out)]
    if op == "conv_transpose":  # scatter: input i, tap m lands on output s*i + m*d - p_l
        for i in range(n_in):
            for m in range(k):
                t = s * i + m * d - pl
                if 0 <= t < n_out:
                    out[t].add(i)
        return out
    if op == "upsample" and attrs.get("mode", "nearest") == "nearest":
        f = attrs["scale"]
        for i in range(n_in):
            for t in range(i * f, i * f + f):
                out[t].add(i)
        return out
    if op == "upsample":  # PyTorch bilinear, align_corners=False, exact rationals
        f = attrs["scale"]
        for t in range(n_out):
            src = max(Fraction(2 * t + 1, 2 * f) - Fraction(1, 2), Fraction(0))
            i0 = floor(src)
            lam = src - i0
            i1 = i0 + 1 if i0 < n_in - 1 else i0
            if 1 - lam > 0:
                out[t].add(i0)
            if lam > 0:
                out[t].add(i1)
        return out
    pr = attrs.get("p_r", attrs.get("p", 0))
    fill = attrs.get("pad_mode", "zeros")
    # The padded map, as PyTorch's F.pad builds it: padded[q] is the input pixel it holds.
    padded = {}
    for q in range(-max(pl, 0), n_in + max(pr, 0)):
        if 0 <= q < n_in:
            padded[q] = q
        elif fill == "reflect":
            padded[q] = -q if q < 0 else 2 * (n_in - 1) - q
        elif fill == "replicate":
            padded[q] = 0 if q < 0 else n_in - 1
        elif fill == "circular":
            padded[q] = q % n_in
    for t in range(n_out):  # windows: conv, pools, pads, crops, elementwise
        for m in range(k):
            i = s * t - pl + m * d
            if i in padded and 0 <= padded[i] < n_in:
                out[t].add(padded[i])
    return out


def axis_attrs(attrs: dict, axis: int) -> dict:
    """Per-axis scalars from attributes that may hold tuples."""
    return {key: (val[axis] if isinstance(val, tuple) else val) for key, val in attrs.items()}


def exact_sets(edges: list[tuple[str, str, dict]], order: list[str], x: str, size: tuple[int, ...]):
    """Map node -> (shape, {position tuple: frozenset of input position tuples})."""
    ndim = len(size)
    shape = {x: size}
    sets = {x: {pos: frozenset([pos]) for pos in product(*(range(n) for n in size))}}
    for v in order:
        if v == x:
            continue
        incoming = [(u, a) for u, w, a in edges if w == v and u in shape]
        if not incoming:
            continue
        result: dict = {}
        for u, attrs in incoming:
            per_axis = [axis_attrs(attrs, a) for a in range(ndim)]
            n_out = tuple(out_len(per_axis[a], shape[u][a]) for a in range(ndim))
            shape[v] = n_out
            taps = [reads(per_axis[a], shape[u][a], n_out[a]) for a in range(ndim)]
            for pos in product(*(range(n) for n in n_out)):
                acc = set(result.get(pos, ()))
                for src in product(*(taps[a][pos[a]] for a in range(ndim))):
                    acc |= sets[u][src]
                result[pos] = frozenset(acc)
        sets[v] = result
    return shape, sets


# ---------------------------------------------------------------------------------------------
# Paths and their geometry, by plain enumeration and the textbook recursion (math section 2)

WHOLE_OPS = ("global_pool", "global_avgpool", "global_maxpool", "fc", "linear", "flatten", "attention")


def enumerate_paths(edges: list[tuple[str, str, dict]], x: str, y: str) -> list[list[tuple[str, str, dict]]]:
    """Every path from x to y as its list of edges (parallel edges are different paths)."""
    out: dict[str, list] = {}
    for edge in edges:
        out.setdefault(edge[0], []).append(edge)
    found: list[list] = []

    def walk(node: str, trail: list) -> None:
        if node == y:
            found.append(list(trail))
            return
        for edge in out.get(node, ()):
            trail.append(edge)
            walk(edge[1], trail)
            trail.pop()

    walk(x, [])
    return found


def path_geometry(path: list[tuple[str, str, dict]], axis: int = 0) -> tuple[int, int, int] | None:
    """(r, S, P) of one path of integer-stride layers along ``axis``, from the forward
    recursion r += (k' - 1) S, P += p_l S, S *= s; None if the path has a whole-input layer.
    A normalisation's statistics are set aside: on the data path it is the identity."""
    r, S, P = 1, 1, 0
    for _, _, attrs in path:
        a = axis_attrs(attrs, axis)
        if a.get("op") in WHOLE_OPS:
            return None
        if a.get("op") in STATISTICS:
            continue
        k, s, d = int(a.get("k", 1)), int(a.get("s", 1)), int(a.get("d", 1))
        p_l = int(a.get("p_l", a.get("p", 0)))
        r += d * (k - 1) * S
        P += p_l * S
        S *= s
    return r, S, P
