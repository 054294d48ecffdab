"""What every ``rfgraph`` command shares: option parsers, loading the graph, printing JSON and
text tables. Commands format results; they compute nothing themselves."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

from ..api import MODELS, has_suffix, load
from ..core.network import Network
from ..importers.named import is_named
from ..io.formats import detect_format

__all__ = ["add_common_options", "add_format_option", "add_layout_option", "add_size_option", "emit_json", "int_list",
           "load_args", "load_file"]

_SEPARATORS = re.compile(r"\s*[,x×]\s*")


def int_list(text: str) -> tuple[int, ...]:
    """Integers separated by commas (or ``x`` for sizes): ``224,224``, ``224x224``, ``3, 4``,
    ``-1,0``.

    >>> int_list("224x224"), int_list("3, 4"), int_list("-1,0"), int_list("7")
    ((224, 224), (3, 4), (-1, 0), (7,))
    """
    try:
        return tuple(int(part) for part in _SEPARATORS.split(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}") from None


def add_common_options(p: argparse.ArgumentParser, output: bool = True) -> None:
    """FILE, --input, --output and --json, as every analysis command has them."""
    p.add_argument("file", help="graph file: .dot/.gv, .graphml, or .onnx")
    p.add_argument("--input", metavar="NODE", help="input node (default: graph attribute or unique source)")
    if output:
        p.add_argument("--output", metavar="NODE", help="output node (default: graph attribute or unique sink)")
    p.add_argument("--json", action="store_true", help="machine-readable output (see README, 'JSON output')")
    add_layout_option(p)


def add_size_option(p: argparse.ArgumentParser) -> None:
    """--input-size N[,M]."""
    p.add_argument("--input-size", type=int_list, metavar="N[,M]",
                   help="input length per axis, e.g. 224 or 224,224 (default: the graph attribute input_size)")


def add_format_option(p: argparse.ArgumentParser) -> None:
    """--format text|markdown|csv|json for commands that print a table."""
    p.add_argument("--format", choices=("text", "markdown", "csv", "json"), default="text",
                   help="table format (default text; json is the same as --json)")


def add_layout_option(p: argparse.ArgumentParser) -> None:
    """--layout NCHW|NHWC: the layout of an ONNX model's input, when rfgraph cannot tell."""
    p.add_argument("--layout", choices=("NCHW", "NHWC"), type=str.upper, metavar="NCHW|NHWC",
                   help="ONNX input layout: channels first or last (default: detected from the graph)")


def load_file(path: str, *, input_size=None, output=None, layout: str | None = None) -> Network:
    """Load a graph or model file, or a named model (``torchvision:resnet50``), for a command
    (errors are RFGraphErrors naming it). Models are imported at ``input_size`` (with their
    ``layout`` and ``output`` when given); importing says so on stderr when it is a terminal,
    since building a model can take seconds."""
    kind = "named" if is_named(path) else detect_format(path) if has_suffix(path) else None
    if kind not in ("named", *MODELS):
        return load(path)
    options = {"input_layout": layout} if layout else {}
    if input_size is not None:
        options["input_size"] = input_size
    if output is not None:
        options["output"] = output
    started = time.perf_counter()
    if sys.stderr.isatty():
        print(f"rfgraph: importing {path} ...", file=sys.stderr, end="", flush=True)
    try:
        return load(path, **options)
    finally:
        if sys.stderr.isatty():
            print(f" {time.perf_counter() - started:.1f} s", file=sys.stderr)


def load_args(args: argparse.Namespace) -> Network:
    """The graph a command names (FILE), with the input size and layout it was given."""
    return load_file(args.file, input_size=getattr(args, "input_size", None), layout=getattr(args, "layout", None))


def emit_json(data: Any) -> None:
    """Print ``data`` as the command's JSON output."""
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


