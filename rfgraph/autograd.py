"""Measure receptive fields with PyTorch autograd: an independent check of the exact engine.

:func:`as_torch` builds the network as a float64 PyTorch function with every weight 1, no
bias, max-pooling replaced by a window sum of the same geometry and non-linearities removed
(math section 7). The network is then linear with non-negative coefficients, so no gradient
cancels: the gradient of output feature j with respect to the input is non-zero exactly on
the input pixels j depends on. :func:`autograd_support` returns that support.

Every op is written with PyTorch's own primitives (``F.pad``, ``conv*d``,
``conv_transpose*d``, ``F.interpolate``), so this is independent of rfgraph's index maps.
Requires torch (``pip install torch``); nothing here is imported by the core.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .core.errors import RFGraphError
from .core.network import Network, Node
from .passes.shapes import infer_shapes


def _torch():
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:  # pragma: no cover - depends on the environment
        raise RFGraphError("this needs PyTorch: pip install torch") from None
    return torch, F


def _pad(F, x, pads: list[tuple[int, int]], mode: str = "zeros"):
    """Pad (positive) or crop (negative) each spatial axis; F.pad takes the last axis first.
    ``mode`` is a PyTorch padding mode (zeros, reflect, replicate, circular)."""
    flat = []
    for p_l, p_r in reversed(pads):
        flat += [p_l, p_r]
    if not any(flat):
        return x
    if mode == "zeros" or all(v <= 0 for v in flat):
        return F.pad(x, flat)
    crop = [min(v, 0) for v in flat]  # crops first, then the non-zero fill
    grow = [max(v, 0) for v in flat]
    x = F.pad(x, crop) if any(crop) else x
    return F.pad(x, grow, mode=mode)


def _apply(layer, x, n_out: tuple[int, ...]):
    torch, F = _torch()
    ndim = x.dim() - 2
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[ndim]
    kind = layer.spec.kind
    if kind == "stats":  # the data path plus statistics over every position
        dims = tuple(range(2, 2 + ndim))
        return x + x.sum(dim=dims, keepdim=True)
    if kind == "whole":
        dims = tuple(range(2, 2 + ndim))
        total = x.sum(dim=dims, keepdim=True)
        return total.expand(*x.shape[:2], *n_out) if n_out != (1,) * ndim else total
    if kind == "upsample":
        mode = "nearest" if layer.mode == "nearest" else {1: "linear", 2: "bilinear", 3: "trilinear"}[ndim]
        extra = {} if mode == "nearest" else {"align_corners": False}
        return F.interpolate(x, scale_factor=tuple(float(f) for f in layer.scale), mode=mode, **extra)
    weight = torch.ones((1, 1, *layer.k), dtype=x.dtype)
    if kind == "transposed":
        convt = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[ndim]
        full = convt(x, weight, stride=layer.s, dilation=layer.d)  # length (n-1)s + k'
        return _pad(F, full, [(-p_l, -p_r) for p_l, p_r in zip(layer.p_l, layer.p_r)])
    x = _pad(F, x, list(zip(layer.p_l, layer.p_r)), layer.pad_mode)
    if layer.ceil_mode:  # windows that run past the right edge read extra zeros
        need = [(n - 1) * s + layer.k_eff(a) - x.shape[2 + a] for a, (n, s) in enumerate(zip(n_out, layer.s))]
        x = _pad(F, x, [(0, max(0, m)) for m in need])
    return conv(x, weight, stride=layer.s, dilation=layer.d)


def as_torch(G, input_size: Any = None, input: Node | None = None, output: Node | None = None):
    """A function mapping a ``[1, 1, *input_size]`` float64 tensor to the output map."""
    net: Network = infer_shapes(G, input_size, input)
    x, y = net.endpoints(input, output)
    within = net.between(x, y)

    def run(t):
        values: dict[int, Any] = {x: t}
        for v in range(x + 1, y + 1):
            if not within[v]:
                continue
            total = None
            for e in net.in_edges[v]:
                edge = net.edges[e]
                if edge.src not in values:
                    continue
                out = _apply(edge.layer, values[edge.src], net.lengths[v])
                total = out if total is None else total + out
            values[v] = total
        return values[y]

    return run, net


def autograd_support(G, input_size: Any = None, positions: Iterable | None = None,
                     input: Node | None = None, output: Node | None = None) -> dict:
    """``{output position: boolean array of the input's shape}``: where the gradient of that
    output feature is non-zero (all positions when ``positions`` is None)."""
    torch, _ = _torch()
    import numpy as np

    run, net = as_torch(G, input_size, input, output)
    x, y = net.endpoints(input, output)
    size = net.size_of(net.nodes[x])
    image = torch.ones((1, 1, *size), dtype=torch.float64, requires_grad=True)
    out = run(image)
    out_size = tuple(out.shape[2:])
    expected = net.size_of(net.nodes[y])
    if out_size != expected:
        raise RFGraphError(f"torch gives output size {out_size}, rfgraph {expected}")
    chosen = list(np.ndindex(*out_size)) if positions is None else [tuple(p) for p in positions]
    support = {}
    for pos in chosen:
        (grad,) = torch.autograd.grad(out[(0, 0, *pos)], image, retain_graph=True)
        support[pos] = (grad[0, 0] != 0).numpy()
    return support
