"""Result records: small immutable dataclasses with ``to_dict()`` for JSON.

The CLI and the renderers only read these. JSON conventions (stable, documented in the
README): integers stay integers; a fractional stride or centre is the string ``"a/b"``; a
half-integer centre is a number (``1.5``); a value that is not one number is ``null`` and
the record's ``reason`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from .passes.aggregate import StrideClass
from .passes.geometry import PathGeometry

Stride = int | Fraction


def number(x: Any) -> Any:
    """JSON form of an int/Fraction: int, float for halves, else the string "a/b".

    >>> number(3), number(Fraction(3, 2)), number(Fraction(1, 3)), number(None)
    (3, 1.5, '1/3', None)
    """
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return x.numerator
        if x.denominator == 2:
            return float(x)
        return f"{x.numerator}/{x.denominator}"
    return x


def ratio(x: Any) -> Any:
    """JSON form of a stride: int, or the string "a/b" when fractional.

    >>> ratio(2), ratio(Fraction(1, 2)), ratio(Fraction(4, 2))
    (2, '1/2', 2)
    """
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    return x


def text(x: Any) -> str:
    """Human form: ``3``, ``1.5``, ``1/3``, ``-`` for None."""
    if x is None:
        return "-"
    value = number(x)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def geometry_dict(g: PathGeometry) -> dict:
    """(r, S, P, center) of one path along one axis."""
    out = {"r": g.r, "S": ratio(g.S), "P": g.P, "center": number(g.center)}
    if g.whole:
        out["whole_input"] = True
    return out


def class_dict(c: StrideClass) -> dict:
    return {
        "stride": ratio(c.stride), "paths": c.paths, "rf": c.rf, "padding": c.padding,
        "r_max": c.r_max, "r_min": c.r_min, "center_min": number(c.center_min),
        "center_max": number(c.center_max), "aligned": c.aligned,
    }


class AxisResult(NamedTuple):
    """Receptive field between two nodes along one axis, aggregated over all paths.

    - ``rf``: size of the hull of the regions of all paths (padding included);
    - ``stride``: effective stride (int, or Fraction for upsampling networks);
    - ``padding``: effective padding: output feature j covers
      ``[stride*j - padding, stride*j - padding + rf - 1]``;
    - ``center``: centre of output feature 0 in input coordinates;
    - ``aligned``: all paths agree on stride and centre (None: cannot tell yet);
    - ``reason``: why ``rf``/``stride``/``padding`` is None, when it is;
    - ``classes``: the paths grouped by effective stride (several when strides differ);
    - ``whole_input``: description of a whole-input layer every output depends through;
    - ``local``: for whole-input results, the same record over the paths that avoid
      whole-input layers (None if there are none);
    - ``period``, ``phases``: with fractional strides, regions repeat every ``period`` output
      positions (shifted by period x stride); ``phases`` holds the unclipped region
      ``{"at", "u", "v", "size"}`` of output positions 0..period-1 on an unbounded axis.
    """

    axis: int
    rf: int | None
    stride: Stride | None
    padding: int | None
    center: Fraction | None
    aligned: bool | None
    reason: str | None = None
    classes: tuple[StrideClass, ...] = ()
    whole_input: str | None = None
    local: "AxisResult | None" = None
    period: int | None = None
    phases: tuple[dict, ...] = ()

    def region(self, j: int) -> tuple[int, int]:
        """``(u, v)`` of output feature ``j``: the hull over all paths (padding included)."""
        from .core.errors import UnsupportedError

        if self.phases and self.stride is not None:  # periodic: shift the phase's region
            phase = self.phases[j % self.period]
            if phase["u"] is None:
                raise UnsupportedError(f"axis {self.axis}: output {j} depends on no input")
            shift = (j - j % self.period) * self.stride
            return phase["u"] + int(shift), phase["v"] + int(shift)
        if self.whole_input is not None:
            raise UnsupportedError(f"axis {self.axis}: every output depends on the whole input ({self.whole_input})")
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
            out["phases"] = list(self.phases)
        if self.whole_input is not None:
            out["whole_input"] = self.whole_input
            out["local"] = self.local.to_dict() if self.local is not None else None
        if len(self.classes) > 1:
            out["classes"] = [class_dict(c) for c in self.classes]
        return out


@dataclass(frozen=True)
class WitnessPath:
    """A path that shows a misalignment, with its geometry along each reported axis."""

    nodes: tuple
    edges: tuple[int, ...]
    geometry: PathGeometry

    def to_dict(self) -> dict:
        return {"nodes": [str(n) for n in self.nodes], **geometry_dict(self.geometry)}


@dataclass(frozen=True)
class Mismatch:
    """Two input-to-output paths that disagree, and where.

    ``kind`` is ``"stride"`` or ``"center"``; ``node`` is where the two paths meet (a merge
    node whose in-edges bring the disagreement), ``fork`` where they part; ``offset`` is the
    distance in input pixels between the two paths' centres of output feature 0 (first
    minus second), ``drift`` how much it changes per output feature (stride mismatches).
    """

    kind: str
    axes: tuple[int, ...]
    node: Any
    fork: Any
    paths: tuple[WitnessPath, WitnessPath]
    offset: Fraction | None
    drift: Stride = 0

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "axes": list(self.axes), "node": str(self.node),
            "fork": str(self.fork), "offset": number(self.offset), "drift": ratio(self.drift),
            "paths": [p.to_dict() for p in self.paths],
        }

    def describe(self) -> str:
        a, b = self.paths
        axes = ",".join(map(str, self.axes))
        if self.kind == "stride":
            return (f"axis {axes}: paths meeting at {self.node} have strides {text(a.geometry.S)} "
                    f"and {text(b.geometry.S)} (centres drift apart by {text(self.drift)} px per output feature)")
        return (f"axis {axes}: paths meeting at {self.node} put the centre {text(self.offset)} px apart "
                f"({' -> '.join(map(str, a.nodes))} vs {' -> '.join(map(str, b.nodes))})")


@dataclass(frozen=True)
class Analysis:
    """The receptive field of ``output`` with respect to ``input``."""

    input: Any
    output: Any
    paths: int
    aligned: bool | None
    axes: tuple[AxisResult, ...]
    mismatches: tuple[Mismatch, ...] = ()
    source: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rf(self) -> tuple:
        """Receptive-field size per axis."""
        return tuple(a.rf for a in self.axes)

    @property
    def stride(self) -> tuple:
        return tuple(a.stride for a in self.axes)

    @property
    def padding(self) -> tuple:
        return tuple(a.padding for a in self.axes)

    def region(self, at) -> tuple[tuple[int, int], ...]:
        """``((u, v), ...)`` per axis for output feature ``at`` (an int or one per axis)."""
        at = per_axis(at, len(self.axes))
        return tuple(axis.region(j) for axis, j in zip(self.axes, at))

    def to_dict(self) -> dict:
        out = {
            "input": str(self.input), "output": str(self.output), "aligned": self.aligned,
            "paths": self.paths, "axes": [a.to_dict() for a in self.axes],
            "mismatches": [m.to_dict() for m in self.mismatches],
        }
        if self.source:
            out["file"] = self.source
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class NodeResult:
    """One row of a per-node table: the geometry between the table's origin and ``node``."""

    node: Any
    paths: int
    aligned: bool | None
    axes: tuple[AxisResult, ...]

    def to_dict(self) -> dict:
        return {"paths": self.paths, "aligned": self.aligned, "axes": [a.to_dict() for a in self.axes]}


def per_axis(at, ndim: int) -> tuple[int, ...]:
    """A position as one int per axis (a single value applies to every axis)."""
    from .core.errors import AttributeValueError

    values = tuple(at) if isinstance(at, (tuple, list)) else (at,)
    if len(values) == 1:
        values = values * ndim
    if len(values) != ndim:
        raise AttributeValueError(f"position {at!r} has {len(values)} coordinates, the graph has {ndim} axes")
    return tuple(int(v) for v in values)
