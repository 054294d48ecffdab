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

from ..api import save
from .common import add_layout_option, add_size_option, check_output, load_file

__all__ = ["register"]


def register(subparsers) -> None:
    """Add ``import`` to the ``rfgraph`` command line."""
    p = subparsers.add_parser(
        "import", help="convert an ONNX or Keras model, or torchvision:NAME / keras:NAME, into DOT or GraphML")
    p.add_argument("model", help="model.onnx, model.keras, torchvision:NAME (e.g. torchvision:resnet50) or "
                                 "keras:NAME (keras.applications, e.g. keras:ResNet50)")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv, .graphml or node-link .json)")
    add_size_option(p)
    add_layout_option(p)
    p.add_argument("--output", metavar="NODE", help="graph attribute output (default: the model's first output)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    check_output(args.out, args.force)
    net = load_file(args.model, input_size=args.input_size, output=args.output, layout=args.layout)
    path = save(net, args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path} ({len(net.nodes)} nodes, {len(net.edges)} edges)")
    return 0
