"""Check the zoo (graphs/zoo/*.dot) against autograd on the real torchvision models.

For each model: a copy with every convolution and linear weight positive (1 / fan-in, so
nothing overflows in deep networks), biases 0, batch norm an identity, max pooling replaced by
a window average of the same geometry (ceil_mode and dilation included), activations and
dropout removed, in float64. The network is then linear with positive coefficients, so the
gradient of an output feature with respect to an all-ones image is non-zero exactly on the
pixels it depends on (math section 7). For a few output positions (corners, centre) the
support and its hull must equal rfgraph's exact set and hull ``lo``/``hi``
(``regions(net).exact_set``), computed from the DOT file alone.

    /work/venv-tv/bin/python examples/check_zoo_autograd.py [resnet50 vgg16 ...]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

import rfgraph
from rfgraph import exact_regions as regions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linear_models import WindowAverage, positive_weights, submodules  # noqa: E402
from make_zoo import ZOO, models  # noqa: E402


def linear_copy(model: nn.Module) -> nn.Module:
    m = copy.deepcopy(model)
    for owner, leaf, child in submodules(m):
        if isinstance(child, nn.MaxPool2d):
            setattr(owner, leaf, WindowAverage(child))
        elif isinstance(child, nn.AdaptiveMaxPool2d):
            setattr(owner, leaf, nn.AdaptiveAvgPool2d(child.output_size))
        elif isinstance(child, (nn.ReLU, nn.ReLU6, nn.SiLU, nn.Sigmoid, nn.Hardswish, nn.Hardsigmoid,
                                nn.Dropout, nn.GELU)):
            setattr(owner, leaf, nn.Identity())
    m = m.double().eval()
    positive_weights(m)
    return m


def run(name: str, build, size: int, output: str | None, channels: int, extra_positions=(),
        node: str | None = None) -> list[str]:
    """``output``: the module whose output is compared (None: the model's); ``node`` the graph
    node for it (default: the same name, else the graph attribute)."""
    net = rfgraph.load(ZOO / f"{name}.dot")
    out_node = node or output or net.graph_attrs["output"]
    r = regions(net, (size, size), output=out_node)
    h, w = r.output_size
    positions = [(0, 0), (h // 2, w // 2), (h - 1, w - 1), (0, w - 1), *extra_positions]
    model = linear_copy(build().eval())
    captured = {}
    if output is not None:
        module = model.get_submodule(output)
        module.register_forward_hook(lambda m, i, o: captured.setdefault("y", o))
    x = torch.ones((1, channels, size, size), dtype=torch.float64, requires_grad=True)
    t0 = time.perf_counter()
    y = model(x)
    if output is not None:
        y = captured["y"]
    elif isinstance(y, dict):
        y = y["out"]
    assert tuple(y.shape[2:]) == (h, w), (name, tuple(y.shape), (h, w))
    lines = []
    for pos in positions:
        (g,) = torch.autograd.grad(y[0, :, pos[0], pos[1]].sum(), x, retain_graph=True)
        support = (g[0].abs().sum(0) != 0).numpy()
        exact = r.exact_set(pos)
        item = r.at(pos)
        idx = np.argwhere(support)
        hull = (idx.min(axis=0).tolist(), idx.max(axis=0).tolist())
        same = bool(np.array_equal(support, exact)) and hull == (item["lo"], item["hi"])
        lines.append(f"{name} {out_node} {tuple(pos)}: autograd hull {hull[0]}..{hull[1]} "
                     f"({int(support.sum())} px), rfgraph {item['lo']}..{item['hi']} ({int(exact.sum())} px): "
                     f"{'MATCH' if same else 'MISMATCH'}")
    lines.append(f"{name}: {time.perf_counter() - t0:.1f} s")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["resnet50", "vgg16"])
    parser.add_argument("--size", type=int, help="input size (default: the graph's; models whose graph "
                        "depends on the size, through adaptive pooling before the output, need their own)")
    args = parser.parse_args()
    table = {m[0]: m for m in models()}
    # DeepLab: the dilated backbone's output (module backbone.layer4, node "backbone": the
    # backbone's only output), whose exact sets have holes
    outputs = {"deeplabv3_resnet50": ("backbone.layer4", "backbone")}
    failed = 0
    for name in args.models:
        _, build, size, output, _, _ = table[name]
        channels = 1 if name == "unet" else 3
        extra = [(100, 101)] if name == "unet" else []
        module, node = outputs.get(name, (output, None))
        for line in run(name, build, args.size or size, module, channels, extra, node):
            print(line, flush=True)
            failed += "MISMATCH" in line
    print("all match" if not failed else f"{failed} mismatches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
