"""The analysis commands: ``analyze``, ``table``, ``paths``, ``region``, ``convert``.

Each asks its question through :mod:`rfgraph.questions`, as the HTTP service does, so the
``--json`` output and the service's answer are built by the same code."""

from __future__ import annotations

import argparse
import sys

from .. import questions
from ..api import save
from ..core.jsontext import int_text
from ..results import Analysis, size_text, text
from ..results.report import table_text
from .common import (add_common_options, add_format_option, add_size_option, at_least, check_output, emit_chunks,
                     emit_json, int_list, load_args)

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the analysis commands to the ``rfgraph`` command line."""
    p = sub.add_parser("analyze", help="receptive field, stride, padding and alignment of the output")
    add_common_options(p)
    add_size_option(p)
    p.add_argument("--check", action="store_true",
                   help="exit 1 when the graph is misaligned (or its rf is below --min-rf): for CI")
    p.add_argument("--min-rf", type=at_least(1), metavar="N",
                   help="with --check: also exit 1 when the receptive field is smaller than N on some axis")
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("table", help="every node as an end-point, seen from the input (or the output)")
    add_common_options(p, output=False)
    add_size_option(p)
    add_format_option(p)
    p.add_argument("--from-output", metavar="NODE", nargs="?", const="", default=None,
                   help="instead: the output seen from every node")
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("summary", help="a per-layer summary (torchinfo style): layer, output size, rf, stride, padding",
                       description="One row per map (the layer that makes it), or with --depth N one row per "
                                   "module at depth N of the names (1: stages such as layer3, 2: blocks such as "
                                   "layer3.2), with its output size and the receptive field of its output seen "
                                   "from the input.")
    add_common_options(p, output=False)
    add_size_option(p)
    add_format_option(p)
    p.add_argument("--depth", type=int, metavar="N", help="one row per module at depth N (default: every map)")
    p.set_defaults(run=cmd_summary)

    p = sub.add_parser("paths", help="count and list the input-to-output paths with their rf, stride, padding")
    add_common_options(p)
    p.add_argument("--limit", type=at_least(0), default=20, metavar="N", help="list at most N paths (default 20)")
    p.set_defaults(run=cmd_paths)

    p = sub.add_parser("region", help="input region and centre of output features (exact with an input size)")
    add_common_options(p)
    add_size_option(p)
    p.add_argument("--at", type=int_list, metavar="J[,J]", help="output feature position")
    p.add_argument("--all", action="store_true", help="every output position (needs an input size)")
    p.add_argument("--set", action="store_true", help="also list the exact set of input pixels (holes)")
    p.set_defaults(run=cmd_region)

    p = sub.add_parser("convert", help="write the graph as DOT or GraphML, optionally with computed values")
    p.add_argument("file", help="graph file")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv, .graphml or node-link .json)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_convert)


def cmd_analyze(args: argparse.Namespace) -> int:
    results = questions.analyze(load_args(args), args.input, args.output, input_size=args.input_size)
    if args.json:
        emit_json(questions.to_json(results))
    else:
        print("\n\n".join(r.report(args.file) for r in results))
    if args.check or args.min_rf is not None:
        failures = [f"output {r.output}: {f}" if len(results) > 1 else f
                    for r in results for f in check_failures(r, args.min_rf)]
        for failure in failures:
            print(f"rfgraph: check failed: {args.file}: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


def check_failures(result: Analysis, min_rf: int | None) -> list[str]:
    """What ``analyze --check`` fails on: a misaligned graph (or one whose alignment cannot
    be decided), a receptive field below ``min_rf``."""
    failures = []
    if result.aligned is False:
        failures.append("the graph is misaligned" + (f" ({result.mismatches[0].describe()})"
                                                     if result.mismatches else ""))
    elif result.aligned is None:
        failures.append("alignment unknown (give an input size)")
    if min_rf is not None:
        for a in result.axes:
            data = a.local if a.whole_input is not None and a.local is not None else a
            smallest = data.rf if data.rf is not None else data.rf_min
            if smallest is None:
                failures.append(f"axis {a.axis}: no receptive field to compare with --min-rf ({a.reason})")
            elif smallest < min_rf:
                failures.append(f"axis {a.axis}: receptive field {smallest} < --min-rf {min_rf}")
    return failures


def cmd_table(args: argparse.Namespace) -> int:
    rows = questions.table(load_args(args), args.input, from_output=args.from_output, input_size=args.input_size)
    # streamed: a 100,000-node table never exists as one string
    if args.json or args.format == "json":
        emit_chunks(rows.json_chunks())
    elif args.format == "text":
        print(f"{args.file}: seen from the {rows.origin} {rows.node}")
        emit_chunks(table_text(rows))
    else:
        print(rows.format(args.format))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    found = questions.summary(load_args(args), args.input, depth=args.depth, input_size=args.input_size)
    size = f" at {size_text(found.input_size)}" if found.input_size is not None else ""
    return print_table(args, found, f"{args.file}: seen from the input {found.input}{size}")


def print_table(args: argparse.Namespace, found, title: str) -> int:
    """Print a table record in the format asked for (the title only above plain text)."""
    fmt = "json" if args.json else args.format
    if fmt == "json":
        emit_json(found.to_dict())
    else:
        if fmt == "text":
            print(title)
        print(found.format(fmt))
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    listed = questions.paths(load_args(args), args.input, args.output, limit=args.limit)
    if args.json:
        emit_json(listed.to_dict())
        return 0
    print(f"{args.file}: {int_text(listed.count)} paths from {listed.input} to {listed.output}")
    for i, p in enumerate(listed.paths, 1):
        geoms = p.geometry
        if len(set(geoms)) == 1:
            values = f"r={text(geoms[0].rf)} S={text(geoms[0].stride)} P={text(geoms[0].padding)}"
        else:
            values = "  ".join(f"[{a}] r={text(g.rf)} S={text(g.stride)} P={text(g.padding)}"
                               for a, g in enumerate(geoms))
        print(f"{i:>4}. {values}: {' -> '.join(map(str, p.nodes))}")
    if listed.truncated:
        print(f"... and {int_text(listed.count - len(listed.paths))} more (--limit N)")
    return 0


def cmd_region(args: argparse.Namespace) -> int:
    found = questions.region(load_args(args), args.at, all=args.all, input=args.input, output=args.output,
                             input_size=args.input_size, set=args.set)
    if args.json:
        emit_json(found.to_dict())
        return 0
    if found.input_size is None:
        for item in found.positions:
            for a, j in enumerate(item["at"]):
                u, v = item["u"][a], item["v"][a]
                print(f"axis {a}: output {j} sees input [{u}, {v}] (size {v - u + 1}, "
                      f"centre {text(item['center'][a])}; padding included)")
        return 0
    print(f"{args.file}: input {found.input} ({size_text(found.input_size)}) -> output {found.output} "
          f"({size_text(found.output_size)})")
    for item in found.positions:
        at = ",".join(map(str, item["at"]))
        if item["lo"] is None:
            print(f"output {at}: depends on no input pixel")
        else:
            hull = " x ".join(f"[{lo}, {hi}]" for lo, hi in zip(item["lo"], item["hi"]))
            line = f"output {at}: input {hull}"
            if item["u"] is not None:
                unclipped = " x ".join(f"[{u}, {v}]" for u, v in zip(item["u"], item["v"]))
                line += f" (unclipped {unclipped}, centre {', '.join(map(str, item['center']))})"
            print(line)
        if args.set:
            print(f"  {item['count']} input pixels: {item['set'] if item['count'] <= 64 else '...'}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    check_output(args.out, args.force)
    path = save(load_args(args), args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path}")
    return 0
