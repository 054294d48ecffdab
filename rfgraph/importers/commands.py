"""``rfgraph import``: convert an ONNX or Keras file, or a torchvision or Keras applications
model, into a graph file.

    rfgraph import model.onnx -o model.dot [--force] [--input-size 224,224] [--layout NHWC]
    rfgraph import model.keras -o model.dot
    rfgraph import torchvision:resnet50 -o resnet50.dot [--input-size 224,224]
    rfgraph import keras:ResNet50 -o resnet50.dot [--input-size 224,224]

Nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse

from ..errors import RFGraphError


def register(subparsers) -> None:
    from ..cli import add_size_option

    p = subparsers.add_parser(
        "import", help="convert an ONNX or Keras model, or torchvision:NAME / keras:NAME, into DOT or GraphML")
    p.add_argument("model", help="model.onnx, model.keras, torchvision:NAME (e.g. torchvision:resnet50) or "
                                 "keras:NAME (keras.applications, e.g. keras:ResNet50)")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv or .graphml)")
    add_size_option(p)
    add_layout_option(p)
    p.add_argument("--output", metavar="NODE", help="graph attribute output (default: the model's first output)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_import)


def add_layout_option(p) -> None:
    """--layout NCHW|NHWC: the layout of an ONNX model's input, when rfgraph cannot tell."""
    p.add_argument("--layout", choices=("NCHW", "NHWC"), type=str.upper, metavar="NCHW|NHWC",
                   help="ONNX input layout: channels first or last (default: detected from the graph)")


def load_model(spec: str, input_size=None, output=None, layout=None):
    """The network of ``spec``: an ONNX or Keras file, ``torchvision:NAME`` or ``keras:NAME``
    (weights not needed)."""
    if spec.startswith("torchvision:"):
        return _torchvision(spec.split(":", 1)[1], input_size, output)
    if spec.startswith("keras:"):
        return _keras_application(spec.split(":", 1)[1], input_size, output)
    if spec.lower().endswith(".keras") or spec.lower().endswith(".json"):
        from .keras import from_keras

        return from_keras(spec, input_size=input_size, output=output)
    from .onnx import from_onnx

    return from_onnx(spec, input_size=input_size, output=output, input_layout=layout)


def _keras_application(name: str, input_size, output):
    from .keras import from_keras, load_keras_application

    model, version = load_keras_application(name, input_size)
    size = "x".join(str(int(n)) for n in model.inputs[0].shape[1:-1])
    return from_keras(model, output=output, name=name,
                      description=f"keras.applications.{name}(weights=None), Keras {version}, "
                                  f"imported by rfgraph at {size}")


def _torchvision(name: str, input_size, output):
    try:
        import torch
        import torchvision
    except ImportError:
        raise RFGraphError("torchvision:NAME needs PyTorch and torchvision: pip install torch torchvision") from None
    from .torch_fx import from_torch

    try:
        builder = torchvision.models.get_model_builder(name)
    except (ValueError, KeyError):
        raise RFGraphError(f"torchvision has no model {name!r} (see torchvision.models.list_models())") from None
    extra = {"aux_logits": False, "init_weights": False} if name in ("inception_v3", "googlenet") else {}
    model = builder(weights=None, **extra).eval()
    size = tuple(input_size) if input_size else ((299, 299) if name == "inception_v3" else (224, 224))
    if len(size) == 1:
        size = size * 2
    return from_torch(model, torch.zeros(1, 3, *size), output=output, name=name,
                      description=f"torchvision.models.{name}(weights=None), torchvision "
                                  f"{torchvision.__version__}, imported by rfgraph at {size[0]}x{size[1]}")


def cmd_import(args: argparse.Namespace) -> int:
    from ..io.formats import save

    net = load_model(args.model, args.input_size, args.output, args.layout)
    path = save(net, args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path} ({len(net.nodes)} nodes, {len(net.edges)} edges)")
    return 0
