"""Exact regions against PyTorch autograd (float64, weights 1, no bias, average instead of max
pooling, no non-linearities): the gradient's support must equal the exact set, position by
position, on many random graphs in 1-D and 2-D. Skipped without torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import sized_dags

torch = pytest.importorskip("torch")

from rfgraph.autograd import autograd_support  # noqa: E402
from rfgraph import exact_regions as regions  # noqa: E402


def compare(net, size):
    r = regions(net, size)
    support = autograd_support(net, size)
    for pos, grad in support.items():
        exact = r.exact_set(pos)
        assert np.array_equal(grad, exact), (pos, np.argwhere(grad ^ exact)[:5])
        if grad.any():
            idx = np.argwhere(grad)
            got = r.at(pos)
            assert got["lo"] == list(idx.min(axis=0)) and got["hi"] == list(idx.max(axis=0))
        else:
            assert r.at(pos)["lo"] is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sized_dags(ndim=1, max_nodes=7, max_size=14, whole=True))
def test_autograd_support_equals_exact_set_1d(case):
    compare(*case)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sized_dags(ndim=2, max_nodes=5, max_size=7, whole=True))
def test_autograd_support_equals_exact_set_2d(case):
    compare(*case)


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("size", [11, (7, 9)])
def test_upsampling_factors_with_skip_connection(scale, mode, size):
    """A U-Net-like step: downsample, upsample, merge with a path at the same size."""
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "a", op="conv", k=3, s=scale, p=1)
    G.add_edge("a", "b", op="upsample", scale=scale, mode=mode)
    G.add_edge("b", "y", op="conv", k=3, p=1)
    from rfgraph.passes.shapes import infer_shapes

    n = (size,) if isinstance(size, int) else size
    b = infer_shapes(G, n).sizes["b"]
    pad = [bb - nn for bb, nn in zip(b, n)]  # make the skip path match the upsampled size
    G.add_edge("x", "c", op="pad", p_l=0, p_r=",".join(map(str, pad)))
    G.add_edge("c", "y", op="identity")
    compare(G, size)


def bilinear_grad(dtype, scale: int, t: int, n: int = 6):
    import torch.nn.functional as F

    x = torch.ones((1, 1, n), dtype=dtype, requires_grad=True)
    y = F.interpolate(x, scale_factor=float(scale), mode="linear", align_corners=False)
    (g,) = torch.autograd.grad(y[0, 0, t], x)
    return g[0, 0].numpy()


def test_why_the_cross_check_uses_float64():
    """PyTorch computes the bilinear source index with a float reciprocal of the scale. For
    odd factors the output at t = (F - 1)/2 reads exactly one input (src is an integer), but
    float32 gives its neighbour a weight of ~1e-8; float64 is exact for factors 2-4 (the
    cross-check's range). Even float64 is not exact for F = 5 (a weight of 2.8e-17 at t = 2):
    rfgraph computes src with exact integers, which is the true support."""
    assert (bilinear_grad(torch.float32, 3, 1) != 0).sum() == 2
    assert (bilinear_grad(torch.float64, 3, 1) != 0).sum() == 1
    assert (bilinear_grad(torch.float64, 5, 2) != 0).sum() == 2
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_edge("x", "y", op="upsample", scale=5, mode="bilinear")
    assert regions(G, 6).count(2) == 1
