"""The ``rfgraph`` command line: one module per command group, sharing :mod:`.common`.

Exit codes: 0 success, 2 bad input (a one-line message naming the file and the problem),
1 an internal error (a bug: please report it). Commands format results; they compute nothing
themselves, and import nothing heavy until they run.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import RFGraphError
from ..core.perf import paused_gc
from . import analysis, batch, importers, render, serve
from .common import OneLineParser, add_limit_options, chosen_limits

__all__ = ["build_parser", "main"]

#: Arguments that are values although they start with "-": negative numbers and lists of them.
NEGATIVE_LIST = re.compile(r"^-\d+(\s*[,x]\s*-?\d+)*$|^-\d*\.\d+$")

#: The command groups, each with ``register(subparsers)``.
GROUPS = (analysis, render, importers, batch, serve)


def build_parser() -> argparse.ArgumentParser:
    """The ``rfgraph`` argument parser with every command."""
    parser = OneLineParser(
        prog="rfgraph", description="Receptive fields of convolutional networks given as graphs.",
        allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for group in GROUPS:
        group.register(sub)
    for p in sub.choices.values():
        p.allow_abbrev = False  # `--out` must never silently mean `--output NODE`
        # `--at -1,0` is a position, not an option: argparse only knows plain negative numbers
        p._negative_number_matcher = NEGATIVE_LIST
        add_limit_options(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (already printed)
        return done.code if isinstance(done.code, int) else 2
    try:
        # One command, then the process ends: everything rfgraph builds is acyclic, so the
        # cyclic collector would only rescan it (a tenth of a 100,000-edge table's time).
        with chosen_limits(args), paused_gc():
            return args.run(args)
    except RFGraphError as exc:
        message = " ".join(exc.cli.split())
        print(f"rfgraph: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rfgraph table big.dot | head`
        _quiet_stdout()
        return 0
    except MemoryError:  # no limit should let this happen: report it as the bug it is
        print("rfgraph: internal error: out of memory (please report the input)", file=sys.stderr)
        return 1


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush is
    silent (Python's documented recipe for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass
