"""The analysis commands: ``analyze``, ``table``, ``paths``, ``region``, ``convert``."""

from __future__ import annotations

import argparse
from itertools import chain

from ..analysis import analyze, list_paths, regions_at, table
from ..api import save
from ..core.errors import RFGraphError
from ..results import Analysis, joined, size_text, text
from ..core.jsontext import int_text
from .common import (add_common_options, add_size_option, check_output, emit_chunks, emit_json, int_list, load_file,
                     rows, yes)

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the analysis commands to the ``rfgraph`` command line."""
    p = sub.add_parser("analyze", help="receptive field, stride, padding and alignment of the output")
    add_common_options(p)
    add_size_option(p)
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("table", help="every node as an end-point, seen from the input (or the output)")
    add_common_options(p, output=False)
    add_size_option(p)
    p.add_argument("--from-output", metavar="NODE", nargs="?", const="", default=None,
                   help="instead: the output seen from every node")
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("paths", help="count and list the input-to-output paths with their rf, stride, padding")
    add_common_options(p)
    p.add_argument("--limit", type=int, default=20, metavar="N", help="list at most N paths (default 20)")
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
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv or .graphml)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_convert)


def cmd_analyze(args: argparse.Namespace) -> int:
    result = analyze(load_file(args.file), args.input, args.output, input_size=args.input_size)
    if args.json:
        emit_json(result.to_dict())
    else:
        print(analysis_report(result, args.file))
    return 0


def analysis_report(result: Analysis, name: str) -> str:
    """The text report of ``rfgraph analyze``."""
    lines = [f"{name}: input {result.input} -> output {result.output}"]
    if result.input_size is not None:
        lines.append(f"sizes: {size_text(result.input_size)} -> {size_text(result.sizes[result.output])}")
    for item in result.same_padding:
        lines.append(f"padding=same on {item.edge[0]} -> {item.edge[1]}: p_l {list(item.p_l)}, p_r {list(item.p_r)}")
    lines.append(f"paths: {int_text(result.paths)}   aligned: {yes(result.aligned)}")
    body = [[a.axis, text(a.rf), text(a.stride), text(a.padding), text(a.center), yes(a.aligned)]
            for a in result.axes]
    lines.append(rows(["axis", "rf", "stride", "padding", "centre(0)", "aligned"], body))
    lines.extend(f"note: {note}" for note in sorted({a.reason for a in result.axes if a.reason}))
    for item in result.position_sizes:
        shown = ", ".join(map(str, item.sizes[:24])) + (", ..." if len(item.sizes) > 24 else "")
        lines.append(f"axis {item.axis}: region size by output position (padding included): {shown}"
                     f" (changes at {', '.join(map(str, item.changes[:12])) or 'none'})")
    for a in result.axes:
        if a.phases:
            lines.append(f"axis {a.axis}: region size by output position mod {a.period}: "
                         f"{', '.join(str(p.size) for p in a.phases)}")
        if a.local is not None:
            lines.append(f"axis {a.axis}, paths avoiding whole-input layers: rf {text(a.local.rf)}, "
                         f"stride {text(a.local.stride)}, padding {text(a.local.padding)}")
    for m in result.mismatches:
        lines.append(f"misaligned: {m.describe()}")
        for label, w in zip("ab", m.paths):
            g = w.geometry
            lines.append(f"  path {label}: r={text(g.rf)} S={text(g.stride)} P={text(g.padding)}: "
                         f"{' -> '.join(map(str, w.nodes))}")
    return "\n".join(lines)


def cmd_table(args: argparse.Namespace) -> int:
    net = load_file(args.file)
    if args.from_output is not None:
        rows_ = table(net, output=args.from_output or None, from_output=True, input_size=args.input_size)
    else:
        rows_ = table(net, args.input, input_size=args.input_size)
    if args.json:
        emit_chunks(rows_.json_chunks())
        return 0
    body = [[str(name), joined([a.rf for a in row.axes]), joined([a.stride for a in row.axes]),
             joined([a.padding for a in row.axes]), yes(row.aligned)] for name, row in rows_.items()]
    print(f"{args.file}: seen from the {rows_.origin} {rows_.node}")
    # The path count last: it can have thousands of digits (deep residual graphs), and a
    # last column needs no padding. Rows are streamed, each count written as it comes.
    header = ["node", "rf", "stride", "padding", "aligned", "paths"]
    widths = [max([len(header[i])] + [len(r[i]) for r in body]) for i in range(5)]
    counts = ((r, rows_.count_text(n)) for r, n in zip(body, rows_))
    emit_chunks("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + count + "\n"
                for cells, count in chain([(header[:5], header[5])], counts))
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    listed = list_paths(load_file(args.file), args.input, args.output, limit=args.limit)
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
    net = load_file(args.file)
    if args.at is None and not args.all:
        raise RFGraphError(f"{args.file}: say which output feature: --at J[,J] (or --all with --input-size)")
    found = regions_at(net, None if args.all else args.at, input=args.input, output=args.output,
                       input_size=args.input_size, sets=args.set)
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
    path = save(load_file(args.file), args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path}")
    return 0
