"""The ``rfgraph`` command line. It formats results; it computes nothing itself.

Exit codes: 0 success, 2 bad input (a one-line message naming the file and the problem),
1 an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..core.errors import RFGraphError

JSON_VERSION = 1

# Modules that add subcommands: each has ``register(subparsers)`` adding parsers whose
# ``run(args) -> int`` is set with ``set_defaults``. They must import nothing heavy at
# module level (the CLI starts in tens of milliseconds).
EXTENSIONS = ("rfgraph.cli.render", "rfgraph.cli.importers")


def _axes_arg(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
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
    p.add_argument("--input-size", type=_axes_arg, metavar="N[,M]",
                   help="input length per axis (default: the graph attribute input_size, if any)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rfgraph", description="Receptive fields of convolutional networks given as graphs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="receptive field, stride, padding and alignment of the output")
    add_common_options(p)
    add_size_option(p)
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("table", help="every node as an end-point, seen from the input (or the output)")
    add_common_options(p, output=False)
    p.add_argument("--from-output", metavar="NODE", nargs="?", const="", default=None,
                   help="instead: the output seen from every node")
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("paths", help="count and list the input-to-output paths with their r, S, P")
    add_common_options(p)
    p.add_argument("--limit", type=int, default=20, metavar="N", help="list at most N paths (default 20)")
    p.set_defaults(run=cmd_paths)

    p = sub.add_parser("region", help="input region and centre of output features (exact with an input size)")
    add_common_options(p)
    add_size_option(p)
    p.add_argument("--at", type=_axes_arg, metavar="J[,J]", help="output feature position")
    p.add_argument("--all", action="store_true", help="every output position (needs an input size)")
    p.add_argument("--set", action="store_true", help="also list the exact set of input pixels (holes)")
    p.set_defaults(run=cmd_region)

    p = sub.add_parser("convert", help="write the graph as DOT or GraphML, optionally with computed values")
    p.add_argument("file", help="graph file")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file (.dot, .gv or .graphml)")
    p.add_argument("--values", action="store_true", help="add rf, stride, padding, aligned as attributes")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_convert)
    for name in EXTENSIONS:
        import importlib

        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # the extension is not there yet
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def load_file(path: str):
    """Load a graph or model file for a command (errors are RFGraphErrors naming it)."""
    from ..api import load

    return load(path)


def emit_json(data: Any) -> None:
    """Print ``data`` as the command's JSON output."""
    print(json.dumps(data, indent=2))


def _rows(header: Sequence[str], rows: list[Sequence[Any]]) -> str:
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def _yes(flag: bool | None) -> str:
    return {True: "yes", False: "NO", None: "unknown"}[flag]


def _joined(axes, name: str) -> str:
    from ..results import text

    values = [text(getattr(a, name)) for a in axes]
    return values[0] if len(set(values)) == 1 else ",".join(values)


def cmd_analyze(args) -> int:
    from ..analysis import analyze
    from ..results import text

    net = load_file(args.file)
    result = analyze(net, args.input, args.output, input_size=args.input_size)
    if args.json:
        emit_json({"version": JSON_VERSION, **result.to_dict()})
        return 0
    print(f"{args.file}: input {result.input} -> output {result.output}")
    sizes = result.extra.get("sizes")
    if sizes:
        print(f"sizes: {'x'.join(map(str, sizes[str(result.input)]))} -> "
              f"{'x'.join(map(str, sizes[str(result.output)]))}")
    for item in result.extra.get("padding", []):
        print(f"padding=same on {item['edge'][0]} -> {item['edge'][1]}: p_l {item['p_l']}, p_r {item['p_r']}")
    print(f"paths: {result.paths}   aligned: {_yes(result.aligned)}")
    rows = [[a.axis, text(a.rf), text(a.stride), text(a.padding), text(a.center), _yes(a.aligned)]
            for a in result.axes]
    print(_rows(["axis", "rf", "stride", "padding", "centre(0)", "aligned"], rows))
    notes = sorted({a.reason for a in result.axes if a.reason})
    for note in notes:
        print(f"note: {note}")
    for item in result.extra.get("position_sizes", []):
        sizes = item["sizes"]
        shown = ", ".join(map(str, sizes[:24])) + (", ..." if len(sizes) > 24 else "")
        print(f"axis {item['axis']}: region size by output position (padding included): {shown}"
              f" (changes at {', '.join(map(str, item['changes'][:12])) or 'none'})")
    for a in result.axes:
        if a.phases:
            sizes = ", ".join(f"{p['size']}" for p in a.phases)
            print(f"axis {a.axis}: region size by output position mod {a.period}: {sizes}")
        if a.local is not None:
            print(f"axis {a.axis}, paths avoiding whole-input layers: rf {text(a.local.rf)}, "
                  f"stride {text(a.local.stride)}, padding {text(a.local.padding)}")
    for m in result.mismatches:
        print(f"misaligned: {m.describe()}")
        for label, w in zip("ab", m.paths):
            g = w.geometry
            print(f"  path {label}: r={text(g.r)} S={text(g.S)} P={text(g.P)}: {' -> '.join(map(str, w.nodes))}")
    return 0


def cmd_table(args) -> int:
    from ..analysis import layer_table, output_table

    net = load_file(args.file)
    if args.from_output is not None:
        table = output_table(net, args.from_output or None)
        origin = ("output", net.nodes[net.endpoint("output", args.from_output or None)])
    else:
        table = layer_table(net, args.input)
        origin = ("input", net.nodes[net.endpoint("input", args.input)])
    if args.json:
        emit_json({"version": JSON_VERSION, origin[0]: str(origin[1]),
               "nodes": {str(name): row.to_dict() for name, row in table.items()}})
        return 0
    rows = [[name, row.paths, _joined(row.axes, "rf"), _joined(row.axes, "stride"),
             _joined(row.axes, "padding"), _yes(row.aligned)] for name, row in table.items()]
    print(f"{args.file}: seen from the {origin[0]} {origin[1]}")
    print(_rows(["node", "paths", "rf", "stride", "padding", "aligned"], rows))
    return 0


def cmd_paths(args) -> int:
    from itertools import islice

    from ..passes.paths import count_between, iter_between
    from ..results import text

    net = load_file(args.file)
    x, y = net.endpoints(args.input, args.output)
    total = count_between(net, x, y)
    listed = list(islice(iter_between(net, x, y), max(args.limit, 0)))
    if args.json:
        emit_json({"version": JSON_VERSION, "input": str(net.nodes[x]), "output": str(net.nodes[y]),
               "count": total, "truncated": total > len(listed), "paths": [p.to_dict() for p in listed]})
        return 0
    print(f"{args.file}: {total} paths from {net.nodes[x]} to {net.nodes[y]}")
    for i, p in enumerate(listed, 1):
        geoms = p.geometry
        values = "  ".join(f"r={text(g.r)} S={text(g.S)} P={text(g.P)}" for g in geoms[:1]) if len(set(geoms)) == 1 \
            else "  ".join(f"[{a}] r={text(g.r)} S={text(g.S)} P={text(g.P)}" for a, g in enumerate(geoms))
        print(f"{i:>4}. {values}: {' -> '.join(map(str, p.nodes))}")
    if total > len(listed):
        print(f"... and {total - len(listed)} more (--limit N)")
    return 0


def cmd_region(args) -> int:
    from ..analysis import analyze
    from ..results import per_axis, text

    net = load_file(args.file)
    if args.input_size is not None or net.input_size is not None:
        return _exact_region(args, net)
    if args.all or args.set:
        raise RFGraphError(f"{args.file}: --all and --set need an input size (--input-size N[,M])")
    if args.at is None:
        raise RFGraphError(f"{args.file}: say which output feature: --at J[,J] (or --all with --input-size)")
    result = analyze(net, args.input, args.output)
    at = per_axis(args.at, len(result.axes))
    regions = result.region(at)
    u = [r[0] for r in regions]
    v = [r[1] for r in regions]
    center = [_half(a + b) for a, b in zip(u, v)]
    if args.json:
        emit_json({"version": JSON_VERSION, "input": str(result.input), "output": str(result.output),
               "positions": [{"at": list(at), "u": u, "v": v, "center": center}]})
        return 0
    for a, j in enumerate(at):
        print(f"axis {a}: output {j} sees input [{u[a]}, {v[a]}] (size {v[a] - u[a] + 1}, "
              f"centre {text(center[a])}; padding included)")
    return 0


def _half(twice: int):
    return twice // 2 if twice % 2 == 0 else twice / 2


def _exact_region(args, net) -> int:
    import numpy as np

    from ..passes.regions import regions

    r = regions(net, args.input_size, args.input, args.output)
    if args.all:
        chosen = list(r.positions())
    elif args.at is not None:
        at = args.at * len(r.output_size) if len(args.at) == 1 else args.at
        chosen = [tuple(at)]
    else:
        raise RFGraphError(f"{args.file}: say which output features: --at J[,J] or --all")
    items = []
    for pos in chosen:
        item = r.at(pos)
        if args.set:
            mask = r.exact_set(pos)
            item["count"] = int(mask.sum())
            coords = np.argwhere(mask)
            item["set"] = [int(c[0]) for c in coords] if mask.ndim == 1 else coords.tolist()
        items.append(item)
    if args.json:
        emit_json({"version": JSON_VERSION, "input": str(r.input), "output": str(r.output),
               "input_size": list(r.input_size), "output_size": list(r.output_size), "positions": items})
        return 0
    print(f"{args.file}: input {r.input} ({'x'.join(map(str, r.input_size))}) -> output {r.output} "
          f"({'x'.join(map(str, r.output_size))})")
    for item in items:
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


def cmd_convert(args) -> int:
    from ..api import save

    net = load_file(args.file)
    path = save(net, args.out, values=args.values, overwrite=args.force)
    print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except RFGraphError as exc:
        message = " ".join(str(exc).split())
        print(f"rfgraph: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rfgraph table big.dot | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
