"""Hypothesis strategies: random DAG-shaped networks with every kind of layer."""

from __future__ import annotations

from hypothesis import strategies as st

from rfgraph.core.raw import RawGraph
from rfgraph.core.network import build


@st.composite
def window_attrs(draw, max_k: int = 5, max_s: int = 3, allow_crop: bool = True) -> dict:
    k = draw(st.integers(1, max_k))
    attrs = {"op": draw(st.sampled_from(["conv", "maxpool", "avgpool", "dwconv"])), "k": k,
             "s": draw(st.integers(1, max_s)), "d": draw(st.sampled_from([1, 1, 1, 2, 3]))}
    lo = -1 if allow_crop else 0
    attrs["p_l"] = draw(st.integers(lo, 3))
    attrs["p_r"] = draw(st.integers(lo, 3))
    return attrs


@st.composite
def layer_attrs(draw, fractional: bool = False, whole: bool = False, crops: bool = True) -> dict:
    kinds = ["window"] * 6 + ["elementwise"] * 2 + ["pad"]
    if fractional:
        kinds += ["upsample", "conv_transpose"]
    if whole:
        kinds += ["whole"]
    kind = draw(st.sampled_from(kinds))
    if kind == "window":
        return draw(window_attrs(allow_crop=crops))
    if kind == "elementwise":
        return {"op": draw(st.sampled_from(["relu", "add", "bn", "identity", "concat"]))}
    if kind == "pad":
        lo = -2 if crops else 0
        return {"op": "pad", "p_l": draw(st.integers(lo, 2)), "p_r": draw(st.integers(lo, 2))}
    if kind == "upsample":
        return {"op": "upsample", "scale": draw(st.integers(2, 4)),
                "mode": draw(st.sampled_from(["nearest", "bilinear"]))}
    if kind == "conv_transpose":
        return {"op": "conv_transpose", "k": draw(st.integers(1, 4)), "s": draw(st.integers(1, 3)),
                "d": draw(st.sampled_from([1, 1, 2])), "p_l": draw(st.integers(0, 2)), "p_r": draw(st.integers(0, 2))}
    return {"op": draw(st.sampled_from(["global_pool", "fc", "groupnorm", "instancenorm"]))}


@st.composite
def dags(draw, max_nodes: int = 7, fractional: bool = False, whole: bool = False, crops: bool = True,
         max_extra: int = 6):
    """A connected DAG from node "n0" (input) to node "n{last}" (output): a random spanning
    chain-like skeleton plus extra forward edges (parallel edges included)."""
    n = draw(st.integers(2, max_nodes))
    raw = RawGraph(graph={"input": "n0", "output": f"n{n - 1}"})
    for v in range(1, n):  # every node gets an in-edge from an earlier node...
        u = draw(st.integers(max(0, v - 3), v - 1))
        raw.add_edge(f"n{u}", f"n{v}", draw(layer_attrs(fractional, whole, crops)))
    for v in range(n - 1):  # ...and an out-edge to a later one, so all lie on input-output paths
        if not any(e[0] == f"n{v}" for e in raw.edges):
            w = draw(st.integers(v + 1, n - 1))
            raw.add_edge(f"n{v}", f"n{w}", draw(layer_attrs(fractional, whole, crops)))
    for _ in range(draw(st.integers(0, max_extra))):
        u = draw(st.integers(0, n - 2))
        v = draw(st.integers(u + 1, n - 1))
        raw.add_edge(f"n{u}", f"n{v}", draw(layer_attrs(fractional, whole, crops)))
    return build(raw)


def _fit(draw, n_in: int, n_out: int, k: int, s: int, d: int) -> tuple[int, int] | None:
    """Paddings (p_l, p_r) so that a window (k, s, d) maps length n_in to n_out exactly."""
    ke = d * (k - 1) + 1
    total = (n_out - 1) * s + ke - n_in + draw(st.integers(0, s - 1))
    p_l = draw(st.integers(min(total, 0) - 1, max(total, 0) + 1))
    return p_l, total - p_l


@st.composite
def sized_dags(draw, ndim: int = 1, max_nodes: int = 6, max_size: int = 9, fractional: bool = True,
               whole: bool = False):
    """(network, input_size): random multi-branch graphs whose merges agree on sizes, with
    every kind of layer (dilation, crops, asymmetric padding, parallel edges, transposed
    convolutions, nearest/bilinear upsampling), 1-D or n-D (per-axis parameters)."""
    from rfgraph.core.ops import parse_layer

    size = tuple(draw(st.integers(1, max_size)) for _ in range(ndim))
    n = draw(st.integers(2, max_nodes))
    sizes = {0: size}
    raw = RawGraph(graph={"input": "n0", "output": f"n{n - 1}", "input_size": ",".join(map(str, size))})

    def window_to(n_in: tuple, n_out: tuple | None) -> dict | None:
        axes = []
        for a in range(ndim):
            k = draw(st.integers(1, 4))
            s = draw(st.integers(1, 3))
            d = draw(st.sampled_from([1, 1, 2, 3]))
            if n_out is None:
                p_l = draw(st.integers(-1, 3))
                p_r = draw(st.integers(-1, 3))
            else:
                p_l, p_r = _fit(draw, n_in[a], n_out[a], k, s, d)
            axes.append((k, s, d, p_l, p_r))
        attrs = {"op": draw(st.sampled_from(["conv", "maxpool", "avgpool"]))}
        for i, name in enumerate(("k", "s", "d", "p_l", "p_r")):
            attrs[name] = tuple(ax[i] for ax in axes) if ndim > 1 else axes[0][i]
        # PyTorch's non-zero fills need padding smaller than the map (circular: at most it).
        if all(0 <= ax[3] < n_in[a] and 0 <= ax[4] < n_in[a] for a, ax in enumerate(axes)) \
                and any(ax[3] or ax[4] for ax in axes):
            attrs["pad_mode"] = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
        return attrs

    def fractional_op() -> dict:
        if draw(st.booleans()):
            f = tuple(draw(st.integers(2, 3)) for _ in range(ndim))
            return {"op": "upsample", "scale": f if ndim > 1 else f[0],
                    "mode": draw(st.sampled_from(["nearest", "bilinear"]))}
        vals = [tuple(draw(st.integers(lo, hi)) for _ in range(ndim)) for lo, hi in ((1, 4), (1, 3), (1, 2), (0, 2), (0, 2))]
        attrs = {"op": "conv_transpose"}
        for name, v in zip(("k", "s", "d", "p_l", "p_r"), vals):
            attrs[name] = v if ndim > 1 else v[0]
        return attrs

    def length(attrs: dict, n_in: tuple) -> tuple | None:
        layer = parse_layer(attrs, ndim, "edge")
        out = tuple(layer.spec.out_length(layer, a, n_in[a]) for a in range(ndim))
        return out if min(out) >= 1 and max(out) <= 3 * max_size else None

    for v in range(1, n):
        u = draw(st.integers(max(0, v - 3), v - 1))
        choice = draw(st.sampled_from(["window"] * 4 + ["frac"] * (2 if fractional else 0)
                                      + ["whole"] * (1 if whole else 0) + ["relu"]))
        attrs = {"window": lambda: window_to(sizes[u], None), "frac": fractional_op,
                 "whole": lambda: {"op": "global_pool"}, "relu": lambda: {"op": "relu"}}[choice]()
        out = length(attrs, sizes[u])
        if out is None:
            attrs, out = {"op": "relu"}, sizes[u]
        raw.add_edge(f"n{u}", f"n{v}", attrs)
        sizes[v] = out
        for _ in range(draw(st.integers(0, 2))):  # extra in-edges that fit the size
            w = draw(st.integers(0, v - 1))
            extra = window_to(sizes[w], sizes[v])
            if length(extra, sizes[w]) == sizes[v]:
                raw.add_edge(f"n{w}", f"n{v}", extra)
    for v in range(n - 1):  # every node feeds a later one (when sizes allow), else it is a dead end
        if not any(e[0] == f"n{v}" for e in raw.edges):
            w = draw(st.integers(v + 1, n - 1))
            extra = window_to(sizes[v], sizes[w])
            if length(extra, sizes[v]) == sizes[w]:
                raw.add_edge(f"n{v}", f"n{w}", extra)
    return build(raw), size
