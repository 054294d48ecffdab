"""What the autograd checks of real models share: a walk over the submodules to replace, positive
weights, and a max pool replaced by the average of its windows (a depthwise convolution of weights 1 / k), so that the network is linear with
positive coefficients and its gradient's support is exactly the set of input pixels an
output depends on (math section 7)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F


def submodules(model: nn.Module) -> Iterator[tuple[nn.Module, str, nn.Module]]:
    """``(owner, attribute, child)`` for every submodule, so that a check can replace it
    (``setattr(owner, attribute, ...)``); listed first, so replacing is safe while walking."""
    for name, child in list(model.named_modules()):
        parent, _, leaf = name.rpartition(".")
        if leaf:
            yield (model.get_submodule(parent) if parent else model), leaf, child


def positive_weights(model: nn.Module) -> None:
    """Convolution and linear weights 1 / fan-in, biases 0, batch norms identities: every
    coefficient positive, so nothing cancels in the gradient."""
    with torch.no_grad():
        for sub in model.modules():
            if isinstance(sub, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                w = sub.weight
                w.fill_(1.0 / (w[:, 0].numel() if isinstance(sub, nn.ConvTranspose2d) else w[0].numel()))
                if sub.bias is not None:
                    sub.bias.zero_()
            elif isinstance(sub, nn.modules.batchnorm._BatchNorm):
                if sub.weight is not None:
                    sub.weight.fill_(1)
                    sub.bias.zero_()
                sub.running_mean.zero_()
                sub.running_var.fill_(1)
                sub.eps = 0.0


class WindowAverage(nn.Module):
    """A max pool's windows averaged (a depthwise convolution of 1 / k), TF 'same' included."""

    def __init__(self, pool: nn.Module, same: bool = False) -> None:
        super().__init__()
        self.pool, self.same = pool, same

    def forward(self, x):
        p = self.pool
        k = _pair(p.kernel_size)
        s = _pair(p.stride if p.stride is not None else p.kernel_size)
        d = _pair(getattr(p, "dilation", 1))
        pad = _pair(p.padding)
        if self.same:
            pads = []
            for n, kk, ss, dd in zip(x.shape[2:], k, s, d):
                total = max((-(-n // ss) - 1) * ss + dd * (kk - 1) + 1 - n, 0)
                pads.append((total // 2, total - total // 2))
            x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
            pad = (0, 0)
        c = x.shape[1]
        w = torch.full((c, 1, *k), 1.0 / (k[0] * k[1]), dtype=x.dtype)
        if p.ceil_mode:
            extra = []
            for n, q, kk, ss, dd in zip(x.shape[2:], pad, k, s, d):
                out = -(-(n + 2 * q - dd * (kk - 1) - 1) // ss) + 1
                if (out - 1) * ss >= n + q:
                    out -= 1
                extra.append(max((out - 1) * ss + dd * (kk - 1) + 1 - (n + 2 * q), 0))
            x = F.pad(x, (pad[1], pad[1] + extra[1], pad[0], pad[0] + extra[0]))
            return F.conv2d(x, w, stride=s, dilation=d, groups=c)
        return F.conv2d(x, w, stride=s, padding=pad, dilation=d, groups=c)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
