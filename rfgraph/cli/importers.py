"""``rfgraph import``: convert an ONNX file or a torchvision model into a graph file.

    rfgraph import model.onnx -o model.dot [--force] [--input-size 224,224]
    rfgraph import torchvision:resnet50 -o resnet50.dot [--input-size 224,224]

Nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse

from ..core.errors import RFGraphError
from ..core.limits import check_bytes, file_size_text
from ..core.network import check_size
from .common import add_size_option, check_output


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import", help="convert an ONNX model or a torchvision model (torchvision:NAME) into DOT or GraphML")
    p.add_argument("model", help="model.onnx, or torchvision:NAME (e.g. torchvision:resnet50)")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv or .graphml)")
    add_size_option(p)
    p.add_argument("--output", metavar="NODE", help="graph attribute output (default: the model's first output)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_import)


def load_model(spec: str, input_size=None, output=None):
    """The network of ``spec``: an ONNX file, or ``torchvision:NAME`` (weights not needed)."""
    if spec.startswith("torchvision:"):
        return _torchvision(spec.split(":", 1)[1], input_size, output)
    from ..importers.onnx import from_onnx
    from ..io.files import check_input

    check_input(spec, "max_model_size")  # a regular file of a sane size (a FIFO would block)
    return from_onnx(spec, input_size=input_size, output=output)


def _torchvision(name: str, input_size, output):
    size = tuple(input_size) if input_size else ((299, 299) if name == "inception_v3" else (224, 224))
    if len(size) == 1:
        size = size * 2
    check_example(size)
    try:
        import torch
        import torchvision
    except ImportError:
        raise RFGraphError("torchvision:NAME needs PyTorch and torchvision: pip install torch torchvision") from None
    from ..importers.torch_fx import from_torch

    try:
        builder = torchvision.models.get_model_builder(name)
    except (ValueError, KeyError):
        raise RFGraphError(f"torchvision has no model {name!r} (see torchvision.models.list_models())") from None
    extra = {"aux_logits": False, "init_weights": False} if name in ("inception_v3", "googlenet") else {}
    model = builder(weights=None, **extra).eval()
    return from_torch(model, torch.zeros(1, 3, *size), output=output, name=name,
                      description=f"torchvision.models.{name}(weights=None), torchvision "
                                  f"{torchvision.__version__}, imported by rfgraph at {size[0]}x{size[1]}")


def check_example(size: tuple[int, ...]) -> None:
    """Refuse an example input that cannot be allocated (an RGB image of float32), before
    PyTorch tries: its length per axis and its memory within the limits."""
    check_size(size, "--input-size")
    need = 3 * 4
    for n in size:
        need *= n
    check_bytes("max_memory", need, f"--input-size {','.join(map(str, size))}: the example image needs about "
                                    f"{file_size_text(need)}, which")


def cmd_import(args: argparse.Namespace) -> int:
    from ..api import save

    check_output(args.out, args.force)
    net = load_model(args.model, args.input_size, args.output)
    path = save(net, args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path} ({len(net.nodes)} nodes, {len(net.edges)} edges)")
    return 0
