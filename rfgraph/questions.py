"""The questions of the command line and of the HTTP service, with their parameters as both
spell them: one function per question, returning the result record whose ``to_dict()`` is the
JSON answer.

``rfgraph analyze FILE --json`` and ``GET /api/graphs/{id}/analyze`` both call
:func:`analyze` and print its record's ``to_dict()``, so the two answers can never drift; the
same holds for every question here (:func:`to_json` turns an answer into its JSON). Parameters are named after the command-line options
(``--input-size`` is ``input_size``; ``--from-output [NODE]`` is ``from_output``: None when
not given, ``""`` for the graph's output, or a node).

>>> import rfgraph
>>> from rfgraph import questions
>>> net = rfgraph.load("graphs/distill_fig1_chain.dot")
>>> questions.to_json(questions.analyze(net))["axes"][0]["rf"]
7
>>> questions.table(net, from_output="").to_dict()["output"]
'f4'
>>> questions.region(net, at=(0,), input_size=(13,)).to_dict()["positions"]
[{'at': [0], 'lo': [0], 'hi': [3], 'u': [-3], 'v': [3], 'center': [0]}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import analysis
from .core.errors import RFGraphError, UnsupportedError, where
from .core.network import Network, Node
from .results import Analysis, FootprintList, Nearest, PathList, RegionList, Summary, Table

__all__ = ["analyze", "footprints", "nearest", "paths", "region", "summary", "table", "to_json"]


def analyze(net: Network, input: Node | None = None, output: Node | None = None, *,
            input_size: Sequence[int] | None = None) -> tuple[Analysis, ...]:
    """``rfgraph analyze``: the receptive field of the output seen from the input; for a
    model with several outputs (a backbone's feature maps) and no output named, one analysis
    per output. :func:`to_json` gives the JSON answer (one document, or a list of them).

    >>> import rfgraph
    >>> [a.rf for a in analyze(rfgraph.load("graphs/resnet50.dot"))]
    [(427, 427)]
    """
    outputs = [output] if output is not None or len(net.outputs) < 2 else list(net.outputs)
    return tuple(analysis.analyze(net, input, o, input_size=input_size) for o in outputs)


def to_json(answer: Any) -> Any:
    """The JSON answer of a question: its record's ``to_dict()``; for several records (the
    analyses of a model's outputs), one document each in a list (a single one alone).

    >>> import rfgraph
    >>> to_json(analyze(rfgraph.load("graphs/distill_fig1_chain.dot")))["output"]
    'f4'
    """
    if isinstance(answer, tuple):
        return answer[0].to_dict() if len(answer) == 1 else [a.to_dict() for a in answer]
    return answer.to_dict()


def table(net: Network, input: Node | None = None, *, from_output: Node | None = None,
          input_size: Sequence[int] | None = None) -> Table:
    """``rfgraph table``: every node seen from the input or, with ``from_output`` (a node,
    or ``""`` for the graph's output), the output seen from every node.

    >>> import rfgraph
    >>> table(rfgraph.load("graphs/distill_fig1_chain.dot"))["f2"].axes[0].rf
    3
    """
    if from_output is not None:
        return analysis.table(net, output=from_output or None, from_output=True, input_size=input_size)
    return analysis.table(net, input, input_size=input_size)


def summary(net: Network, input: Node | None = None, *, depth: int | None = None,
            input_size: Sequence[int] | None = None) -> Summary:
    """``rfgraph summary``: one row per layer, or per module at ``depth`` (1: stages, 2:
    blocks, ...), with its output size and r, S, P seen from the input.

    >>> import rfgraph
    >>> summary(rfgraph.load("graphs/resnet50.dot"), depth=1).to_dict()["rows"][-4]["name"]
    'layer4'
    """
    if depth is not None and depth < 0:
        raise RFGraphError(f"--depth {depth}: give 1 (stages), 2 (blocks), ...")
    return analysis.summary(net, input_size, depth=depth, input=input)


def paths(net: Network, input: Node | None = None, output: Node | None = None, *, limit: int = 20) -> PathList:
    """``rfgraph paths``: how many input-output paths there are, and the first ``limit``.

    >>> import rfgraph
    >>> paths(rfgraph.load("graphs/distill_fig4_misaligned.dot"), limit=1).to_dict()["count"]
    2
    """
    return analysis.list_paths(net, input, output, limit=limit)


def region(net: Network, at: Sequence[int] | None = None, *, all: bool = False, input: Node | None = None,
           output: Node | None = None, input_size: Sequence[int] | None = None, set: bool = False) -> RegionList:
    """``rfgraph region``: the region of output feature ``at`` (or of every position with
    ``all``, which needs an input size); exact with an input size, with the exact pixel sets
    when ``set``.

    >>> import rfgraph
    >>> region(rfgraph.load("graphs/distill_fig4_misaligned.dot"), all=True).to_dict()["output_size"]
    [4]
    """
    if at is None and not all:
        raise RFGraphError(f"{where(net.source)}say which output feature: --at J[,J] (or --all with --input-size)")
    return analysis.regions_at(net, None if all else at, input=input, output=output, input_size=input_size,
                               sets=set)


def footprints(net: Network, at: int, *, axis: int = 0, input: Node | None = None, output: Node | None = None,
               input_size: Sequence[int] | None = None, maps: Sequence[Node] | None = None) -> FootprintList:
    """Output feature ``at`` followed back through every map along ``axis`` (the Distill
    figures' rows of cells), and along each witness path of the misalignments on that axis.
    ``maps`` (names) lists only those maps (the rows a page draws: a graph of 10^5 maps would
    otherwise answer megabytes for a few rows); every name must be a map of the graph.

    With an input size (argument or graph attribute) maps have their lengths; positions
    outside ``[0, length)`` are padding. Without one the axis is unbounded.

    >>> import rfgraph
    >>> fp = footprints(rfgraph.load("graphs/distill_fig1_chain.dot"), 0, input_size=(13,)).to_dict()
    >>> [(m["node"], m["positions"], m["padding"]) for m in fp["maps"]][:2]
    [('f0', [0, 1, 2, 3], [-1]), ('f1', [0, 1], [])]
    """
    net = analysis.with_sizes(net, input_size, input) if (input_size is not None or net.input_size) else net
    if not 0 <= axis < net.ndim:
        raise UnsupportedError(f"{where(net.source)}axis {axis}: the graph has {net.ndim} "
                               f"{'axis' if net.ndim == 1 else 'axes'}")
    result = analysis.analyze(net, input, output)
    if net.sized:
        length = net.size_of(result.output)[axis]
        if not 0 <= at < length:
            raise UnsupportedError(f"{where(net.source)}position {at} is outside the output map {result.output} "
                                   f"(length {length} along axis {axis})")
    x, y = result.input, result.output
    keep = None if maps is None else {net.nodes[net.node_index(m)] for m in maps}
    listed = _maps(analysis.footprints(net, at, axis, input=x, output=y), keep)
    witnesses = []
    for k, m in enumerate(result.mismatches):
        if axis not in m.axes:
            continue
        for tag, path in zip("ab", m.paths):
            found = analysis.footprints(net, at, axis, input=x, output=y, edges=path.edges)
            witnesses.append({"mismatch": k, "path": tag, "nodes": [str(n) for n in path.nodes],
                              "maps": _maps(found, keep)})
    size = net.size_of(x) if net.sized else None
    return FootprintList(x, y, axis, at, size, tuple(listed), tuple(witnesses))


def _maps(found: dict, keep: set | None = None) -> list[dict[str, Any]]:
    return [{"node": str(name), "length": fp.length, "positions": fp.inside.tolist(),
             "padding": fp.padding.tolist()} for name, fp in found.items() if keep is None or name in keep]


def nearest(net: Network, pixel: Sequence[int], input: Node | None = None,
            output: Node | None = None) -> Nearest:
    """The output feature whose receptive-field centre is nearest input ``pixel``.

    >>> import rfgraph
    >>> nearest(rfgraph.load("graphs/resnet50.dot"), (112, 112)).at
    (3, 3)
    """
    result = analysis.analyze(net, input, output)
    found = analysis.nearest_output(net, pixel, result.input, result.output)
    pixel = tuple(pixel) * (len(found) if len(pixel) == 1 else 1)
    return Nearest(result.input, result.output, tuple(int(p) for p in pixel), found)
