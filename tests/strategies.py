"""Hypothesis strategies: random DAG-shaped networks with every kind of layer."""

from __future__ import annotations

from hypothesis import strategies as st

from rfgraph.io.raw import RawGraph
from rfgraph.network import build


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
    return {"op": draw(st.sampled_from(["global_pool", "fc"]))}


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
