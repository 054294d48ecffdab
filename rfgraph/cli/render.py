"""The ``rfgraph render`` and ``rfgraph plot`` commands.

::

    rfgraph render FILE -o out.svg|png|pdf|dot [--input N] [--output N] [--from-output]
                   [--collapse] [--depth N] [--no-clusters] [--rankdir TB|LR] [--input-size N[,M]]
                   [--renderer R] [--dpi DPI] [--force]
    rfgraph plot FILE --kind region|overlay|growth -o out.png|svg|pdf [--at J[,J]] [--image IMG]
                 [--input-size N[,M]] [--axis A] [--paths N] [--nodes A,B] [--max-cells N]
                 [--max-rows N] [--x-axis topological|longest] [--dpi DPI] [--force]

``-o/--out FILE`` is the file written, ``--output NODE`` the output node: when ``--output``
names no node but looks like a file name, the error says to use ``-o``.

Imports nothing heavy: the drawing modules (and matplotlib, the embedded Graphviz) load when a
command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import RFGraphError
from ..core.limits import check
from ..io.files import check_input
from ..results import document
from .common import add_common_options, add_size_option, at_least, check_output, emit_json, int_list, load_args

__all__ = ["register"]

#: Suffixes of the files render and plot write.
FILE_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv", ".jpg", ".jpeg", ".ps", ".eps")
#: The highest --dpi: a 10 x 6 inch figure at 1200 dpi is already 86 million pixels.
MAX_DPI = 1200


def register(subparsers) -> None:
    """Add ``render`` and ``plot`` to the ``rfgraph`` command line."""
    p = subparsers.add_parser(
        "render", help="draw the graph annotated with r, S, P (DOT, SVG, PNG, PDF)",
        description="Draw the architecture with every layer on its edge and every map's receptive "
                    "field r, effective stride S and padding P; merges as octagons; modules boxed; "
                    "for misaligned graphs the merges where paths disagree in red, witness paths in "
                    "colour. DOT always; SVG with Graphviz on PATH or the embedded Graphviz (installed "
                    "with rfgraph); PNG and PDF with Graphviz on PATH.")
    add_common_options(p)
    add_size_option(p)
    _add_out(p, "output file: .svg, .png, .pdf or .dot/.gv")
    p.add_argument("--format", metavar="FMT", help="output format (default: from the suffix of FILE)")
    p.add_argument("--from-output", action="store_true",
                   help="label maps with the output seen from them (instead of the map seen from the input)")
    p.add_argument("--collapse", action="store_true",
                   help="fold runs of elementwise layers (bn, relu, add, 1x1 conv) into one edge")
    p.add_argument("--depth", type=int, metavar="N",
                   help="draw each module at depth N of the names (1: stages like layer3, 2: blocks like "
                        "layer3.2) as one node with r, S, P at its input and output")
    p.add_argument("--no-clusters", action="store_true", help="do not box the maps of each module")
    p.add_argument("--rankdir", type=str.upper, choices=("TB", "LR", "BT", "RL"), default="TB",
                   help="layout direction (default TB: top to bottom)")
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument("--renderer", choices=("auto", "system", "embedded"), default="auto",
                   help="Graphviz on PATH (system), the WebAssembly one (embedded, SVG only) or the "
                        "first available (auto, default)")
    p.add_argument("--dpi", type=float, metavar="DPI", help="resolution of PNG files (Graphviz's default: 96)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_render)

    p = subparsers.add_parser(
        "plot", help="receptive-field figures: region through the layers, overlay on an image, growth",
        description="region: one row of cells per map, the cells an output feature depends on "
                    "coloured down to the input (padding hatched; one colour per path when "
                    "misaligned). overlay: exact (solid) and unclipped (dashed) regions of output "
                    "features over an image or a grid (2-D graphs). growth: r, S, P of every map "
                    "against depth, stages and blocks named.")
    add_common_options(p)
    add_size_option(p)
    p.add_argument("--kind", required=True, choices=("region", "overlay", "growth"), help="which figure")
    _add_out(p, "output file: .png, .svg or .pdf")
    p.add_argument("--at", type=int_list, action="append", metavar="J[,J]",
                   help="output feature (repeat for several on an overlay; default: the middle one)")
    p.add_argument("--image", metavar="IMG",
                   help="overlay: image file (PNG; JPEG needs Pillow); with --input-size it is resized to it")
    p.add_argument("--axis", type=int, default=0, metavar="A", help="region: axis to draw (default 0)")
    p.add_argument("--paths", type=int, default=4, metavar="N",
                   help="region: colour at most N paths separately (default 4)")
    p.add_argument("--by-path", action="store_true",
                   help="region: one colour per path even for an aligned graph")
    p.add_argument("--nodes", type=lambda t: [n.strip() for n in t.split(",") if n.strip()], metavar="N1,N2,...",
                   help="region: draw only these maps (for graphs with many maps)")
    p.add_argument("--max-cells", type=at_least(1), default=64, metavar="N",
                   help="region: longest row drawn, in cells (default 64; longer rows are cropped "
                        "around the region)")
    p.add_argument("--max-rows", type=at_least(1), default=40, metavar="N", help="region: most maps drawn (default 40)")
    p.add_argument("--x-axis", choices=("topological", "longest"), default="topological",
                   help="growth: maps in topological order, stages and blocks named (default), or by the "
                        "longest path from the input")
    p.add_argument("--dpi", type=float, default=150, help="resolution of PNG files (default 150)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=cmd_plot)


def _add_out(p: argparse.ArgumentParser, what: str) -> None:
    # Not required by argparse: a missing -o is checked by _out_file, which can tell a user
    # who typed --output FILE what to type instead.
    p.add_argument("-o", "--out", metavar="FILE", help=what + " (--output names the output node)")


def looks_like_file(name: str | None) -> bool:
    """``name`` ends in a suffix rfgraph writes (``.svg``, ``.png``, ``.dot``, ...).

    >>> looks_like_file("r50.svg"), looks_like_file("layer4"), looks_like_file("layer3.2")
    (True, False, False)
    """
    return name is not None and Path(name).suffix.lower() in FILE_SUFFIXES


def _out_file(args) -> str:
    """The file to write; a clear error when -o is missing."""
    if args.out is not None:
        return args.out
    if looks_like_file(args.output):
        raise RFGraphError(f"--output {args.output} names the output node: to write a file use -o FILE "
                           f"(-o {args.output})")
    raise RFGraphError("no output file: give -o FILE")


def _check_nodes(net, args) -> None:
    """--input/--output must name nodes even where a figure does not use them (the growth
    plot has no output): a typo, or a file name given as --output, is an error."""
    for role in ("input", "output"):
        name = getattr(args, role)
        if name is not None:
            net.node_index(name, role)


def _report(args, path, kind: str) -> int:
    if args.json:
        emit_json(document({"file": args.file, "kind": kind, "wrote": str(path)}))
    else:
        print(f"wrote {path}")
    return 0


def cmd_render(args) -> int:
    from ..render.graphviz import render

    out = _out_file(args)
    if args.dpi is not None and not 0 < args.dpi <= MAX_DPI:
        raise RFGraphError(f"--dpi {args.dpi:g}: expected a resolution between 1 and {MAX_DPI}")
    check_output(out, args.force)
    net = load_args(args)
    _check_nodes(net, args)
    path = render(net, out, args.format, overwrite=args.force, renderer=args.renderer, dpi=args.dpi,
                  input=args.input, output=args.output, input_size=args.input_size,
                  from_output=args.from_output, collapse=args.collapse, depth=args.depth,
                  clusters=not args.no_clusters, rankdir=args.rankdir, legend=not args.no_legend)
    return _report(args, path, "diagram")


def check_plot_options(args) -> None:
    """Refuse plot options that cannot work before anything is drawn: an axis the position
    does not have, an image that is not a regular file of a sane size (a FIFO would block),
    resolutions and path counts that would allocate without bound."""
    if args.axis < 0:
        raise RFGraphError(f"--axis {args.axis}: axes are numbered from 0")
    for at in args.at or ():
        if len(at) > 1 and args.axis >= len(at):
            raise RFGraphError(f"--axis {args.axis}: the position --at {','.join(map(str, at))} has {len(at)} "
                               f"coordinates (axes 0 to {len(at) - 1})")
    if not 0 < args.dpi <= MAX_DPI:
        raise RFGraphError(f"--dpi {args.dpi:g}: expected a resolution between 1 and {MAX_DPI}")
    if args.paths < 0:
        raise RFGraphError(f"--paths {args.paths}: expected a number of paths, 0 or more")
    check("max_items", args.paths, f"--paths {args.paths}")
    if args.image is not None:
        check_input(args.image)


def check_axis(net, args) -> None:
    """``--axis`` within the graph's axes (as many as the input size gives a graph of scalars)."""
    ndim = len(args.input_size) if args.input_size and net.flexible else net.ndim
    if args.axis >= ndim:
        raise RFGraphError(f"{args.file}: --axis {args.axis}: the graph has {ndim} {'axes' if ndim > 1 else 'axis'} "
                           f"(0 to {ndim - 1})")


def cmd_plot(args) -> int:
    from ..render import plots

    out = _out_file(args)
    check_plot_options(args)
    check_output(out, args.force)
    net = load_args(args)
    _check_nodes(net, args)
    if args.kind == "region":
        check_axis(net, args)
    fig = _figure(net, args)
    path = plots.save_figure(fig, out, overwrite=args.force, dpi=args.dpi)
    return _report(args, path, args.kind)


def _figure(net, args):
    """The figure ``--kind`` asks for."""
    from ..render import plots

    common = dict(input=args.input, path=None, overwrite=args.force)
    if args.kind == "region":
        at = None
        if args.at:
            if len(args.at) > 1:
                raise RFGraphError(f"{args.file}: a region plot shows one output feature: give --at once")
            at = args.at[0][args.axis] if len(args.at[0]) > 1 else args.at[0][0]
        return plots.plot_region(net, at, axis=args.axis, input_size=args.input_size, output=args.output,
                                 max_paths=args.paths, by_path=True if args.by_path else None,
                                 nodes=args.nodes, max_cells=args.max_cells, max_rows=args.max_rows, **common)
    if args.kind == "overlay":
        at = [p * 2 if len(p) == 1 else p for p in args.at] if args.at else None
        return plots.plot_overlay(net, at, image=args.image, input_size=args.input_size, output=args.output,
                                  **common)
    return plots.plot_growth(net, input_size=args.input_size, depth=args.x_axis, **common)
