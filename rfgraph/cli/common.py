"""What every ``rfgraph`` command shares: option parsers, loading the graph, printing JSON and
text tables. Commands format results; they compute nothing themselves."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, NoReturn

from ..api import MODELS, has_suffix, load
from ..core.errors import OutputExistsError, RFGraphError
from ..core.jsontext import write_chunks, write_document
from ..core.limits import DEFAULT, Limits, limits, parse_amount, show
from ..core.network import Network
from ..importers.named import is_named
from ..io.formats import detect_format

__all__ = ["OneLineParser", "add_common_options", "add_format_option", "add_layout_option", "add_limit_options",
           "add_size_option", "check_output", "chosen_limits", "emit_chunks", "emit_json", "int_list", "load_args",
           "load_file"]


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, as every other error (the usage
    itself is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        print(f"rfgraph: error: {' '.join(message.split())} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


_LIMIT_HELP = {
    "max_file_size": "largest input file, graph or model (default 256M for graphs, 2G for models)",
    "max_nodes": "most nodes of a graph", "max_edges": "most edges of a graph",
    "max_axes": "most spatial axes", "max_length": "longest map along an axis, largest kernel, stride, "
    "dilation, padding or scale", "max_strides": "most different effective strides reaching a node",
    "max_int_digits": "most digits of an integer read or computed",
    "max_items": "most positions, paths or phases listed", "max_memory": "most memory of one array step",
}


def at_least(minimum: int):
    """An argparse type: an integer of at least ``minimum`` (a count, a size).

    >>> at_least(1)("3")
    3
    >>> at_least(1)("-5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer of at least 1, got '-5'
    """
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer of at least {minimum}, got {text!r}")
        return value

    return parse


def _amount(text: str) -> int:
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_limit_options(p: argparse.ArgumentParser) -> None:
    """``--max-file-size``, ``--max-length``, ... : raise (or lower) the limits of
    :mod:`rfgraph.core.limits` for one command. Values take K, M, G suffixes (times 1024)."""
    group = p.add_argument_group("limits", "raise them for bigger inputs (K, M, G multiply by 1024)")
    for f in fields(Limits):
        if f.name == "max_model_size":  # --max-file-size covers models too
            continue
        default = getattr(DEFAULT, f.name)
        group.add_argument("--" + f.name.replace("_", "-"), type=_amount, metavar="N", dest=f.name,
                           help=f"{_LIMIT_HELP[f.name]} (default {show(f.name, default)})"
                           if f.name != "max_file_size" else _LIMIT_HELP[f.name])


@contextmanager
def chosen_limits(args: argparse.Namespace) -> Iterator[Limits]:
    """The limits given on the command line, in force while a command runs."""
    changes = {f.name: getattr(args, f.name) for f in fields(Limits) if getattr(args, f.name, None) is not None}
    if "max_file_size" in changes:
        changes["max_model_size"] = changes["max_file_size"]
    digits = changes.get("max_int_digits")
    if digits is not None and sys.get_int_max_str_digits() and digits > sys.get_int_max_str_digits():
        sys.set_int_max_str_digits(digits)  # this process prints what it was asked to allow
    try:
        DEFAULT.changed(**changes)
    except ValueError as exc:  # a limit out of its range (max_length above 2^30)
        raise RFGraphError(str(exc).replace("limit max_", "--max-").replace("_", "-")) from None
    with limits(**changes) as now:
        yield now

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
    p.add_argument("file", help="graph (.dot/.gv, .graphml, node-link .json; - for standard input), "
                               "model (.onnx, .keras) or named model (torchvision:NAME, keras:NAME)")
    p.add_argument("--input", metavar="NODE", help="input node (default: graph attribute or unique source)")
    if output:
        p.add_argument("--output", metavar="NODE", help="output node (default: graph attribute or unique sink)")
    p.add_argument("--json", action="store_true", help="machine-readable output (see README, 'JSON output')")
    add_layout_option(p)


def add_size_option(p: argparse.ArgumentParser) -> None:
    """--input-size N[,M]."""
    p.add_argument("--input-size", type=int_list, metavar="N[,M]",
                   help="input length per axis, e.g. 224 or 224,224 (default: the graph attribute input_size)")


def check_output(path: str, force: bool) -> None:
    """Refuse ``-o FILE`` before any work when it exists (a symbolic link too, even one
    pointing nowhere) and ``--force`` was not given; the write checks again, atomically."""
    if not force and os.path.lexists(path) and not os.path.isdir(path):
        raise OutputExistsError(path)


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
    """Print ``data`` as the command's JSON output: the top level and the items of its
    collections one per line, each item compact (see :mod:`rfgraph.core.jsontext`)."""
    write_document(data, sys.stdout)


def emit_chunks(chunks) -> None:
    """Print a document streamed as text chunks (a table's :meth:`json_chunks`)."""
    write_chunks(chunks, sys.stdout)


