"""The ``rfgraph`` command line: one module per command group, sharing :mod:`.common`.

Exit codes: 0 success, 2 bad input (a one-line message naming the file and the problem),
1 an internal error (a bug: please report it). Commands format results; they compute nothing
themselves, and import nothing heavy until they run.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import RFGraphError
from . import analysis, batch, importers, render, serve

__all__ = ["build_parser", "main"]

#: Arguments that are values although they start with "-": negative numbers and lists of them.
NEGATIVE_LIST = re.compile(r"^-\d+(\s*[,x]\s*-?\d+)*$|^-\d*\.\d+$")

#: The command groups, each with ``register(subparsers)``.
GROUPS = (analysis, render, importers, batch, serve)


def build_parser() -> argparse.ArgumentParser:
    """The ``rfgraph`` argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="rfgraph", description="Receptive fields of convolutional networks given as graphs.",
        allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    for p in sub.choices.values():
        p.allow_abbrev = False  # `--out` must never silently mean `--output NODE`
        # `--at -1,0` is a position, not an option: argparse only knows plain negative numbers
        p._negative_number_matcher = NEGATIVE_LIST
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except RFGraphError as exc:
        message = " ".join(exc.cli.split())
        print(f"rfgraph: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rfgraph table big.dot | head`
        return 0
