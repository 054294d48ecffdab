"""Import time of torchvision ResNet-50 and DenseNet-121: trace + shape propagation +
conversion + analysis (``rfgraph.analyze`` of the final feature map and the per-layer table).
Target: under 1 s each (for scale, rfa-toolbox needs about 2.7 s and 4.6 s).

Needs torch and torchvision:

    /work/venv-tv/bin/python benchmarks/bench_import.py [--repeat 5]

The first import in a process also pays one-off costs (torch.fx and the meta device warming
up); it is reported separately ("cold"). "warm" is the median of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torchvision

import rfgraph
from rfgraph.importers import from_torch


def one(name: str, output: str) -> dict:
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.zeros(1, 3, 224, 224)
    t0 = time.perf_counter()
    net = from_torch(model, x, output=output)
    t1 = time.perf_counter()
    result = rfgraph.analyze(net)
    rfgraph.table(net)
    t2 = time.perf_counter()
    return {"import": t1 - t0, "analysis": t2 - t1, "total": t2 - t0, "rf": result.rf,
            "nodes": len(net.nodes), "edges": len(net.edges)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads")
    for name, output in (("resnet50", "layer4"), ("densenet121", "features")):
        cold = one(name, output)
        runs = [one(name, output) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("import", "analysis", "total")}
        print(f"{name}: {cold['nodes']} nodes, {cold['edges']} edges, rf {cold['rf']}: "
              f"cold {cold['total']:.2f} s; warm median {med['total']:.3f} s "
              f"(import {med['import']:.3f} s + analysis {med['analysis']:.3f} s) over {args.repeat} runs")


if __name__ == "__main__":
    main()
