"""Import time of real models: trace or read + conversion + analysis (``rfgraph.analyze`` of
the final feature map and the per-layer table).

- PyTorch (torch.fx): torchvision ResNet-50 and DenseNet-121. Target: under 1 s each (for
  scale, rfa-toolbox needs about 2.7 s and 4.6 s). Needs torch and torchvision.
- ONNX: the same two models exported by torch.onnx (TorchScript exporter), read from the file.
  Needs torch, torchvision and onnx.
- Keras 3: keras.applications ResNet50 and DenseNet121 saved as .keras files, read from the
  file (zipfile + json: Keras itself is not used by the import). Needs keras to make the files.

Each part runs when its packages are installed:

    /work/venv-tv/bin/python benchmarks/bench_import.py [--repeat 5]          # torch, onnx
    KERAS_BACKEND=torch python benchmarks/bench_import.py --only keras

The first import in a process also pays one-off costs (torch.fx and the meta device warming
up, onnx's shape inference loading); it is reported separately ("cold"). "warm" is the median
of the repeats.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import rfgraph


def timed(make_net: Callable[[], object], output: str | None) -> dict:
    t0 = time.perf_counter()
    net = make_net()
    t1 = time.perf_counter()
    result = rfgraph.analyze(net, output=output)
    rfgraph.table(net)
    t2 = time.perf_counter()
    return {"import": t1 - t0, "analysis": t2 - t1, "total": t2 - t0, "rf": result.rf,
            "nodes": len(net.nodes), "edges": len(net.edges)}


def report(label: str, make_net: Callable[[], object], output: str | None, repeat: int) -> None:
    cold = timed(make_net, output)
    runs = [timed(make_net, output) for _ in range(repeat)]
    med = {k: statistics.median(r[k] for r in runs) for k in ("import", "analysis", "total")}
    print(f"{label}: {cold['nodes']} nodes, {cold['edges']} edges, rf {cold['rf']}: cold {cold['total']:.2f} s; "
          f"warm median {med['total']:.3f} s (import {med['import']:.3f} s + analysis {med['analysis']:.3f} s) "
          f"over {repeat} runs", flush=True)


def torch_part(repeat: int, folder: str) -> None:
    import torch
    import torchvision

    from rfgraph.importers import from_onnx, from_torch

    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads")
    x = torch.zeros(1, 3, 224, 224)
    for name, output in (("resnet50", "layer4"), ("densenet121", "features")):
        model = getattr(torchvision.models, name)(weights=None).eval()
        report(f"torch.fx {name}", lambda: from_torch(model, x, output=output), None, repeat)
        if importlib.util.find_spec("onnx") is None:
            continue
        import warnings

        path = os.path.join(folder, f"{name}.onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17)
        report(f"onnx {name}", lambda: from_onnx(path), None, repeat)


def keras_part(repeat: int, folder: str) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from rfgraph.importers import from_keras

    print(f"keras {keras.__version__} ({keras.backend.backend()} backend)")
    for name in ("ResNet50", "DenseNet121"):
        path = os.path.join(folder, f"{name}.keras")
        getattr(keras.applications, name)(weights=None, include_top=False, input_shape=(224, 224, 3)).save(path)
        report(f"keras {name} (.keras file)", lambda: from_keras(path), None, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("torch", "keras"), help="one part only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "keras" and importlib.util.find_spec("torchvision") is not None:
            torch_part(args.repeat, folder)
        if args.only != "torch" and importlib.util.find_spec("keras") is not None:
            keras_part(args.repeat, folder)


if __name__ == "__main__":
    main()
