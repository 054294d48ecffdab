"""Every result record rfgraph returns, with its JSON form (``to_dict()``).

One vocabulary everywhere, in Python and in JSON: ``rf`` (receptive-field size), ``stride``
(effective stride), ``padding`` (effective padding), ``center`` (centre of output feature 0).
Records are frozen dataclasses; the records that answer a whole question (:class:`Analysis`,
:class:`Table`, :class:`PathList`, :class:`RegionList`) are JSON documents with the schema's
``"version"`` (:func:`~rfgraph.results.format.document`).

>>> g = PathGeometry(rf=7, stride=4, padding=3, center=Fraction(0))
>>> g.region(1), g.to_dict()
((1, 7), {'rf': 7, 'stride': 4, 'padding': 3, 'center': 0})
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..core.attrs import position
from ..core.errors import UnsupportedError
from ..core.numbers import Number
from ..core.jsontext import encode, int_text
from .format import document, number, ratio, text
from .report import (SUMMARY_COLUMNS, analysis_report, format_rows, summary_rows, table_columns, table_rows,
                     table_text)

__all__ = [
    "Analysis", "AxisResult", "BatchRow", "Footprint", "FootprintList", "Mismatch", "Nearest", "NodeResult", "Path",
    "PathGeometry", "PathList", "Phase", "PositionSizes", "RegionList", "ResolvedPadding", "StrideClass", "Summary",
    "SummaryRow", "Table", "WitnessPath",
]


def _names(nodes: Sequence[Any]) -> list[str]:
    return [str(n) for n in nodes]


# ---------------------------------------------------------------------------------------------
# One path


@dataclass(frozen=True, slots=True)
class PathGeometry:
    """Receptive field of ONE path along one axis (math section 2).

    Attributes
    ----------
    rf : int or None
        Receptive-field size; None on a path with a fractional-stride layer (its region size
        depends on the position's phase) or through a whole-input layer.
    stride : int, Fraction or None
        Effective stride; None through a whole-input layer.
    padding : int or None
        Effective padding; None as for ``rf``, or when SAME padding depends on the input size.
    center : Fraction or None
        Centre of output feature 0 in input coordinates (feature j's centre is
        ``stride * j + center``).
    whole : bool
        The path goes through a whole-input layer: nothing else is defined, except through a
        layer that only reads statistics of the whole input (a normalisation), where the
        numbers are those of the path's data (the statistics set aside).
    """

    rf: int | None
    stride: Number | None
    padding: int | None
    center: Fraction | None
    whole: bool = False

    def region(self, j: int) -> tuple[int, int]:
        """``(u, v)``: first and last input position (padding included) of output ``j``.

        >>> PathGeometry(7, 4, 3, Fraction(0)).region(2)
        (5, 11)
        """
        if self.rf is None or self.padding is None:
            raise UnsupportedError("this path has no integer region (fractional stride, unknown padding "
                                   "or whole input)")
        u = self.stride * j - self.padding
        return u, u + self.rf - 1

    def to_dict(self) -> dict:
        out = {"rf": self.rf, "stride": ratio(self.stride), "padding": self.padding,
               "center": number(self.center)}
        if self.whole:
            out["whole_input"] = True
        return out


@dataclass(frozen=True, slots=True)
class Path:
    """One input-to-output path: its nodes, its edges (ids, and ``(source, target, key)``
    names: parallel edges make paths with the same nodes distinct) and its geometry per axis
    (:class:`PathGeometry`, by the single-path recursion)."""

    nodes: tuple
    edges: tuple[int, ...]
    edge_names: tuple[tuple[Any, Any, Any], ...]
    geometry: tuple[PathGeometry, ...]

    def to_dict(self) -> dict:
        return {"nodes": _names(self.nodes), "edges": [_names(e) for e in self.edge_names],
                "axes": [g.to_dict() for g in self.geometry]}


@dataclass(frozen=True, slots=True)
class PathList:
    """The first paths between two nodes and how many there are in all."""

    input: Any
    output: Any
    count: int
    paths: tuple[Path, ...]

    @property
    def truncated(self) -> bool:
        """Fewer paths are listed than exist."""
        return self.count > len(self.paths)

    def to_dict(self) -> dict:
        return document({"input": str(self.input), "output": str(self.output), "count": self.count,
                         "truncated": self.truncated, "paths": [p.to_dict() for p in self.paths]})


# ---------------------------------------------------------------------------------------------
# All paths between two nodes, along one axis


@dataclass(frozen=True, slots=True)
class StrideClass:
    """The paths between two nodes that share one effective stride (math section 3).

    ``rf`` and ``padding`` are those of the hull of the paths' regions: output feature j covers
    ``[stride*j - padding, stride*j - padding + rf - 1]``. ``path_rf_max``/``path_rf_min`` are the
    largest and smallest single-path receptive fields; ``center_min``/``center_max`` bound the
    centre of output feature 0 over the paths (the class is aligned when they are equal).
    Values are None when they are not single numbers: ``fractional`` (a fractional-stride
    layer on some path) or not ``padding_known`` (SAME padding that depends on the input size).
    """

    stride: Number
    paths: int
    rf: int | None
    padding: int | None
    path_rf_max: int | None
    path_rf_min: int | None
    center_min: Number | None
    center_max: Number | None
    fractional: bool
    padding_known: bool

    @property
    def aligned(self) -> bool | None:
        """All paths of the class put the centre of every output feature at the same place."""
        if self.center_min is None:
            return None
        return self.center_min == self.center_max

    def to_dict(self) -> dict:
        return {"stride": ratio(self.stride), "paths": self.paths, "rf": self.rf, "padding": self.padding,
                "path_rf_max": self.path_rf_max, "path_rf_min": self.path_rf_min, "center_min": number(self.center_min),
                "center_max": number(self.center_max), "aligned": self.aligned}


@dataclass(frozen=True, slots=True)
class Phase:
    """With a fractional stride, the unclipped region ``[u, v]`` of output position ``at``
    (0 <= at < period) on an unbounded axis; ``size`` is 0 (and u, v None) when it depends on
    nothing."""

    at: int
    u: int | None
    v: int | None

    @property
    def size(self) -> int:
        return 0 if self.u is None else self.v - self.u + 1

    def to_dict(self) -> dict:
        return {"at": self.at, "u": self.u, "v": self.v, "size": self.size}


@dataclass(frozen=True, slots=True)
class AxisResult:
    """Receptive field between two nodes along one axis, aggregated over all paths.

    Attributes
    ----------
    axis : int
    rf : int or None
        Size of the hull of the regions of all paths (padding included).
    stride : int, Fraction or None
        Effective stride (a Fraction for upsampling networks).
    padding : int or None
        Effective padding: output feature j covers ``[stride*j - padding, stride*j - padding
        + rf - 1]``.
    center : Fraction or None
        Centre of output feature 0 in input coordinates.
    aligned : bool or None
        All paths agree on stride and centre (None: cannot tell yet).
    reason : str or None
        Why ``rf``/``stride``/``padding`` is None, when it is.
    classes : tuple of StrideClass
        The paths grouped by effective stride (several when strides differ).
    whole_input : str or None
        The whole-input layer through which every output depends on the whole input.
    local : AxisResult or None
        For whole-input results, the same record over the paths that avoid whole-input
        layers (None if there are none).
    period, phases
        With fractional strides, regions repeat every ``period`` output positions (shifted
        by ``period * stride``); ``phases`` holds the :class:`Phase` of positions
        0..period-1.
    rf_min, rf_max
        With ``phases``: the smallest and largest region size over the positions (``rf``
        when they are equal).
    """

    axis: int
    rf: int | None
    stride: Number | None
    padding: int | None
    center: Fraction | None
    aligned: bool | None
    reason: str | None = None
    classes: tuple[StrideClass, ...] = ()
    whole_input: str | None = None
    local: AxisResult | None = None
    period: int | None = None
    phases: tuple[Phase, ...] = ()
    rf_min: int | None = None
    rf_max: int | None = None

    def region(self, j: int) -> tuple[int, int]:
        """``(u, v)`` of output feature ``j``: the hull over all paths (padding included).

        >>> c = StrideClass(4, 1, 7, 3, 7, 7, 0, 0, False, True)
        >>> AxisResult(0, 7, 4, 3, Fraction(0), True, classes=(c,)).region(1)
        (1, 7)
        """
        if self.phases and self.stride is not None:  # periodic: shift the phase's region
            phase = self.phases[j % self.period]
            if phase.u is None:
                raise UnsupportedError(f"axis {self.axis}: output {j} depends on no input")
            shift = int((j - j % self.period) * self.stride)
            return phase.u + shift, phase.v + shift
        if self.whole_input is not None:
            raise UnsupportedError(f"axis {self.axis}: every output depends on the whole input "
                                   f"({self.whole_input})")
        if not self.classes or any(c.rf is None or c.padding is None for c in self.classes):
            raise UnsupportedError(f"axis {self.axis}: {self.reason or 'no integer region'}")
        u = min(c.stride * j - c.padding for c in self.classes)
        v = max(c.stride * j - c.padding + c.rf - 1 for c in self.classes)
        return u, v

    def to_dict(self) -> dict:
        out: dict[str, Any] = {
            "axis": self.axis, "rf": self.rf, "stride": ratio(self.stride),
            "padding": self.padding, "center": number(self.center), "aligned": self.aligned,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.period is not None:
            out["period"] = self.period
            out["phases"] = [p.to_dict() for p in self.phases]
            out["rf_min"] = self.rf_min
            out["rf_max"] = self.rf_max
        if self.whole_input is not None:
            out["whole_input"] = self.whole_input
            out["local"] = self.local.to_dict() if self.local is not None else None
        if len(self.classes) > 1:
            out["classes"] = [c.to_dict() for c in self.classes]
        return out


# ---------------------------------------------------------------------------------------------
# Misalignment


@dataclass(frozen=True, slots=True)
class WitnessPath:
    """A path that shows a misalignment, with its geometry along the mismatch's axes."""

    nodes: tuple
    edges: tuple[int, ...]
    geometry: PathGeometry

    def to_dict(self) -> dict:
        return {"nodes": _names(self.nodes), **self.geometry.to_dict()}


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Two input-to-output paths that disagree, and where.

    ``kind`` is ``"stride"`` or ``"center"``; ``node`` is where the two paths meet (a merge
    node whose in-edges bring the disagreement), ``fork`` where they part; ``offset`` is the
    distance in input pixels between the two paths' centres of output feature 0 (first minus
    second), ``drift`` how much it changes per output feature (stride mismatches).

    Without a diagnosis (``rfgraph.analyze(..., diagnose=False)``) a mismatch is the verdict
    alone: ``kind``, ``axes``, ``node`` and, for a centre mismatch, ``offset`` (the same for
    every pair of witnesses); ``fork`` and ``drift`` are None and ``paths`` is empty.
    """

    kind: str
    axes: tuple[int, ...]
    node: Any
    fork: Any
    paths: tuple[WitnessPath, ...]
    offset: Fraction | None
    drift: Number | None = 0

    @property
    def diagnosed(self) -> bool:
        """Whether the witness paths (and so ``fork`` and ``drift``) are there."""
        return bool(self.paths)

    def to_dict(self) -> dict:
        if not self.paths:
            out = {"kind": self.kind, "axes": list(self.axes), "node": str(self.node)}
            if self.offset is not None:
                out["offset"] = number(self.offset)
            return out
        return {"kind": self.kind, "axes": list(self.axes), "node": str(self.node), "fork": str(self.fork),
                "offset": number(self.offset), "drift": ratio(self.drift),
                "paths": [p.to_dict() for p in self.paths]}

    def describe(self) -> str:
        """One sentence: what differs, where, by how much."""
        axes = ",".join(map(str, self.axes))
        if not self.paths:
            if self.kind == "stride":
                return f"axis {axes}: paths meeting at {self.node} have different strides"
            return f"axis {axes}: paths meeting at {self.node} put the centre {text(self.offset)} px apart"
        a, b = self.paths
        if self.kind == "stride":
            return (f"axis {axes}: paths meeting at {self.node} have strides {text(a.geometry.stride)} "
                    f"and {text(b.geometry.stride)} (centres drift apart by {text(self.drift)} px per "
                    "output feature)")
        return (f"axis {axes}: paths meeting at {self.node} put the centre {text(self.offset)} px apart "
                f"({' -> '.join(map(str, a.nodes))} vs {' -> '.join(map(str, b.nodes))})")


# ---------------------------------------------------------------------------------------------
# Answers to whole questions


@dataclass(frozen=True, slots=True)
class ResolvedPadding:
    """SAME padding of one edge, resolved at a known input size."""

    edge: tuple[Any, Any, Any]  # (source, target, key)
    p_l: tuple[int, ...]
    p_r: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"edge": _names(self.edge), "p_l": list(self.p_l), "p_r": list(self.p_r)}


@dataclass(frozen=True, slots=True)
class PositionSizes:
    """Along one axis (other coordinates 0), the region size at every output position:
    ``sizes`` (padding included), ``clipped_sizes`` (inside the image) and the positions where
    the size changes. Reported where one size does not describe the region."""

    axis: int
    sizes: tuple[int, ...]
    clipped_sizes: tuple[int, ...]
    changes: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"axis": self.axis, "sizes": list(self.sizes), "clipped_sizes": list(self.clipped_sizes),
                "changes": list(self.changes)}


@dataclass(frozen=True, slots=True)
class Analysis:
    """The receptive field of ``output`` with respect to ``input`` (:func:`rfgraph.analyze`).

    With an input size, ``input_size``, ``sizes`` (every map's size), ``same_padding`` (the
    SAME paddings resolved at that size) and, where one size does not describe the region,
    ``position_sizes`` are filled in. ``diagnosed`` says whether the mismatches carry their
    witness paths (see :class:`Mismatch`).
    """

    input: Any
    output: Any
    paths: int
    aligned: bool | None
    axes: tuple[AxisResult, ...]
    mismatches: tuple[Mismatch, ...] = ()
    source: str | None = None
    input_size: tuple[int, ...] | None = None
    sizes: Mapping[Any, tuple[int, ...]] | None = None
    same_padding: tuple[ResolvedPadding, ...] = ()
    position_sizes: tuple[PositionSizes, ...] = ()
    last_local: NodeResult | None = None  # no data path reaches the output: the last map one reaches
    diagnosed: bool = True
    other_outputs: tuple[Any, ...] = ()  # a model's other outputs, when none was named

    @property
    def rf(self) -> tuple:
        """Receptive-field size per axis."""
        return tuple(a.rf for a in self.axes)

    @property
    def stride(self) -> tuple:
        """Effective stride per axis."""
        return tuple(a.stride for a in self.axes)

    @property
    def padding(self) -> tuple:
        """Effective padding per axis."""
        return tuple(a.padding for a in self.axes)

    def region(self, at: int | Sequence[int]) -> tuple[tuple[int, int], ...]:
        """``((u, v), ...)`` per axis for output feature ``at`` (an int or one per axis)."""
        at = position(at, len(self.axes))
        return tuple(axis.region(j) for axis, j in zip(self.axes, at))

    def to_dict(self) -> dict:
        out = {"input": str(self.input), "output": str(self.output), "aligned": self.aligned,
               "paths": self.paths, "axes": [a.to_dict() for a in self.axes],
               "mismatches": [m.to_dict() for m in self.mismatches], "diagnosed": self.diagnosed}
        if self.source:
            out["file"] = self.source
        if self.input_size is not None:
            out["input_size"] = list(self.input_size)
            out["sizes"] = {str(n): list(s) for n, s in self.sizes.items()}
            out["same_padding"] = [p.to_dict() for p in self.same_padding]
        if self.position_sizes:
            out["position_sizes"] = [p.to_dict() for p in self.position_sizes]
        if self.last_local is not None:
            out["last_local"] = {"node": str(self.last_local.node), **self.last_local.to_dict()}
        if self.other_outputs:
            out["other_outputs"] = [str(n) for n in self.other_outputs]
        return document(out)

    def report(self, name: str | None = None) -> str:
        """The short text report (what ``rfgraph analyze`` prints)."""
        return analysis_report(self, name)

    def __str__(self) -> str:
        return self.report()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.report()) + "</pre>"


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One graph of a batch (:func:`rfgraph.analyze_many`, ``rfgraph batch``): its ``name``
    (the file, ``file:line`` for a line of a JSON-lines file, or the name given in Python) and
    either its :class:`Analysis` or the ``error`` that stopped it (one line, naming what is
    wrong).

    >>> BatchRow("space.jsonl:3", error="space.jsonl:3: not JSON: ...").to_dict()
    {'name': 'space.jsonl:3', 'error': 'space.jsonl:3: not JSON: ...'}
    """

    name: str
    analysis: Analysis | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the graph was analysed."""
        return self.error is None

    def to_dict(self) -> dict:
        """The row of ``rfgraph batch --format jsonl``: the ``rfgraph analyze --json``
        document with ``name`` first, or ``{"name", "error"}``."""
        if self.analysis is None:
            return {"name": self.name, "error": self.error}
        return {"name": self.name, **self.analysis.to_dict()}


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One row of a per-node table: the geometry between the table's origin and ``node``."""

    node: Any
    paths: int
    aligned: bool | None
    axes: tuple[AxisResult, ...]

    def to_dict(self) -> dict:
        return {"paths": self.paths, "aligned": self.aligned, "axes": [a.to_dict() for a in self.axes]}


@dataclass(frozen=True, slots=True)
class Table(Mapping):
    """Every node as an end-point: a mapping node -> :class:`NodeResult`, in topological order.

    ``origin`` is ``"input"`` (rows: each node seen from the input ``node``) or ``"output"``
    (rows: the output ``node`` seen from each node).
    """

    origin: str
    node: Any
    rows: Mapping[Any, NodeResult]
    #: The path counts too big to convert to text quickly, as :class:`decimal.Decimal`
    #: integers (node -> count; str() is linear in their digits), if any.
    big_counts: Mapping[Any, Any] | None = field(default=None, repr=False, compare=False)

    def count_text(self, name: Any) -> str:
        """The decimal text of the number of paths of row ``name`` (fast for big counts)."""
        big = self.big_counts.get(name) if self.big_counts else None
        return str(big) if big is not None else int_text(self.rows[name].paths)

    def __getitem__(self, name: Any) -> NodeResult:
        return self.rows[name]

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict:
        return document({self.origin: str(self.node),
                         "nodes": {str(name): row.to_dict() for name, row in self.rows.items()}})

    def json_chunks(self) -> Iterator[str]:
        """The text of :meth:`to_dict` in the layout of :func:`rfgraph.core.jsontext.lines`,
        streamed row by row (a 100,000-edge table never exists as one string), the big path
        counts written from :attr:`big_counts`.

        >>> import json, rfgraph
        >>> t = rfgraph.table("graphs/distill_fig1_chain.dot")
        >>> json.loads("".join(t.json_chunks())) == t.to_dict()
        True
        """
        yield "{"
        for key, value in document({self.origin: str(self.node)}).items():
            yield f"\n  {encode(key)}: {encode(value)},"
        if not self.rows:
            yield '\n  "nodes": {}\n}\n'
            return
        yield '\n  "nodes": {'
        big = self.big_counts or {}
        separator = "\n    "
        for name, row in self.rows.items():
            data = row.to_dict()
            count = big.get(name)
            if count is not None:  # "paths" is the row's first key: splice the text in its place
                del data["paths"]
                body = '{"paths": ' + str(count) + ", " + encode(data)[1:]
            else:
                body = encode(data)
            yield separator + encode(str(name)) + ": " + body
            separator = ",\n    "
        yield "\n  }\n}\n"

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per node (node, paths, rf, stride, padding, aligned, note): the text
        table's cells."""
        return table_rows(self)

    def format(self, format: str = "text") -> str:
        """The table as ``text``, ``markdown``, ``csv`` or ``html``."""
        if format == "text":
            return "".join(table_text(self)).rstrip("\n")
        return format_rows(self.to_rows(), table_columns(0), format)

    def to_pandas(self):
        """The table as a pandas DataFrame (needs pandas; without it, an error saying so)."""
        pandas = _pandas()

        return pandas.DataFrame(self.to_rows())

    def __str__(self) -> str:
        return f"seen from the {self.origin} {self.node}\n" + self.format("text")

    def _repr_html_(self) -> str:
        return self.format("html")


def _pandas():
    """pandas, or an error that says how to get it (rfgraph does not require it)."""
    try:
        import pandas
    except ImportError:
        raise UnsupportedError("to_pandas() needs pandas, which rfgraph does not install: pip install pandas "
                               "(to_rows() gives the same rows as dicts)") from None
    return pandas


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One row of a :class:`Summary`: a map, or a module (a block or stage of maps) at the
    summary's depth, with its layers and the receptive field of its output map."""

    name: str
    layer: str  # the layer that makes the map, or for a module how many layers it holds
    layers: int
    output: Any  # the map whose numbers the row shows (the module's output)
    size: tuple[int, ...] | None
    paths: int
    aligned: bool | None
    axes: tuple[AxisResult, ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "layer": self.layer, "layers": self.layers, "output": str(self.output),
                "size": list(self.size) if self.size is not None else None, "paths": self.paths,
                "aligned": self.aligned, "axes": [a.to_dict() for a in self.axes]}


@dataclass(frozen=True, slots=True)
class Summary:
    """A per-layer summary in the style of torchinfo (:func:`rfgraph.summary`): one row per
    map, or per module at ``depth`` (module hierarchy from the node names), each with its
    layer, output size and receptive field seen from the input."""

    input: Any
    depth: int | None
    rows: tuple[SummaryRow, ...]
    input_size: tuple[int, ...] | None = None

    def to_dict(self) -> dict:
        return document({"input": str(self.input), "depth": self.depth,
                         "input_size": list(self.input_size) if self.input_size is not None else None,
                         "rows": [r.to_dict() for r in self.rows]})

    def to_rows(self) -> list[dict[str, Any]]:
        """One flat dict per row: the printed table's cells."""
        return summary_rows(self)

    def format(self, format: str = "text") -> str:
        """The summary as ``text``, ``markdown``, ``csv`` or ``html``."""
        return format_rows(self.to_rows(), SUMMARY_COLUMNS, format)

    def to_pandas(self):
        """The summary as a pandas DataFrame (needs pandas; without it, an error saying so)."""
        pandas = _pandas()

        return pandas.DataFrame(self.to_rows())

    def __str__(self) -> str:
        return self.format("text")

    def _repr_html_(self) -> str:
        return self.format("html")


@dataclass(frozen=True, slots=True)
class RegionList:
    """The regions of some output positions (:func:`rfgraph.regions_at`): each position a
    dict ``{"at", "u", "v", "center"}`` (per axis lists), and with an input size also the
    exact hull ``lo``/``hi`` (None when the position depends on no input pixel) and, on
    request, ``count`` and ``set`` (the exact pixels)."""

    input: Any
    output: Any
    positions: tuple[dict, ...]
    input_size: tuple[int, ...] | None = None
    output_size: tuple[int, ...] | None = None

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"input": str(self.input), "output": str(self.output)}
        if self.input_size is not None:
            out["input_size"] = list(self.input_size)
            out["output_size"] = list(self.output_size)
        out["positions"] = list(self.positions)
        return document(out)


@dataclass(frozen=True, eq=False)
class Footprint:
    """The positions of one map that an output feature depends on, along one axis.

    ``positions`` (a sorted numpy array) may include padding positions (outside ``[0,
    length)``), which the map's layer reads as zeros and which depend on nothing further;
    ``length`` is None on an unbounded axis (no input size)."""

    node: Any
    positions: Any
    length: int | None = field(default=None)

    @property
    def padding(self):
        """The positions that fall in the padding (outside the map)."""
        if self.length is None:
            return self.positions[:0]
        return self.positions[(self.positions < 0) | (self.positions >= self.length)]

    @property
    def inside(self):
        """The positions inside the map."""
        if self.length is None:
            return self.positions
        return self.positions[(self.positions >= 0) & (self.positions < self.length)]


# ---------------------------------------------------------------------------------------------
# Answers of the HTTP service (rfgraph serve) that the command line prints no JSON for


@dataclass(frozen=True, slots=True)
class FootprintList:
    """Output feature ``at`` of ``output`` followed back through every map along ``axis``
    (:func:`rfgraph.questions.footprints`): per map, the positions inside the map it reads
    (``positions``) and the padding positions it touches (``padding``), with the map's
    ``length`` (None on an unbounded axis). ``witnesses`` repeats this along each witness path
    of the misalignments on that axis (``{"mismatch", "path", "nodes", "maps"}``)."""

    input: Any
    output: Any
    axis: int
    at: int
    input_size: tuple[int, ...] | None
    maps: tuple[dict, ...]
    witnesses: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"input": str(self.input), "output": str(self.output), "axis": self.axis,
                               "at": self.at}
        if self.input_size is not None:
            out["input_size"] = list(self.input_size)
        out["maps"] = list(self.maps)
        out["witnesses"] = list(self.witnesses)
        return document(out)


@dataclass(frozen=True, slots=True)
class Nearest:
    """The output feature whose receptive-field centre is nearest an input pixel
    (:func:`rfgraph.nearest_output`)."""

    input: Any
    output: Any
    pixel: tuple[int, ...]
    at: tuple[int, ...]

    def to_dict(self) -> dict:
        return document({"input": str(self.input), "output": str(self.output), "pixel": list(self.pixel),
                         "at": list(self.at)})
