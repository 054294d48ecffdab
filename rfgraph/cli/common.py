"""What every ``rfgraph`` command shares: option parsers, loading the graph, printing JSON and
text tables. Commands format results; they compute nothing themselves."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from ..api import load
from ..core.network import Network

__all__ = ["add_common_options", "add_format_option", "add_size_option", "emit_json", "int_list", "load_file"]

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


def add_size_option(p: argparse.ArgumentParser) -> None:
    """--input-size N[,M]."""
    p.add_argument("--input-size", type=int_list, metavar="N[,M]",
                   help="input length per axis, e.g. 224 or 224,224 (default: the graph attribute input_size)")


def add_format_option(p: argparse.ArgumentParser) -> None:
    """--format text|markdown|csv|json for commands that print a table."""
    p.add_argument("--format", choices=("text", "markdown", "csv", "json"), default="text",
                   help="table format (default text; json is the same as --json)")


def load_file(path: str) -> Network:
    """Load a graph or model file for a command (errors are RFGraphErrors naming it)."""
    return load(path)


def emit_json(data: Any) -> None:
    """Print ``data`` as the command's JSON output."""
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


