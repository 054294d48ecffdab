"""The reports people read: the short analysis report, per-node tables in text, Markdown,
CSV and HTML, and the words for values that are not one number.

The command line prints these, ``print(rfgraph.analyze(...))`` shows the same report, and
the records render as HTML tables in Jupyter.

>>> from fractions import Fraction
>>> from rfgraph.results.records import AxisResult, StrideClass
>>> c = StrideClass(32, 1, 427, 213, 427, 427, 0, 0, False, True)
>>> plain = AxisResult(0, 427, 32, 213, Fraction(0), True, classes=(c,))
>>> rf_text(plain), stride_text(plain), padding_text(plain), note_text(plain)
('427', '32', '213', '')
>>> context = AxisResult(0, None, None, None, None, True, whole_input="global_pool on edge a -> b",
...                      local=plain)
>>> rf_text(context), note_text(context)
('427 + global', 'global context: global_pool on edge a -> b')
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..core.jsontext import int_text
from .format import size_text, text
from .naming import path_name, path_number, witness_paths

if TYPE_CHECKING:
    from .records import Analysis, AxisResult, Table

__all__ = ["FORMATS", "SUMMARY_COLUMNS", "analysis_report", "format_rows", "note_text", "padding_range",
           "padding_text", "rf_text", "stride_text", "summary_rows", "table_text",
           "table_columns", "table_rows", "yes"]

#: Table formats: aligned text, GitHub Markdown, CSV, an HTML table.
FORMATS = ("text", "markdown", "csv", "html")


def yes(flag: bool | None) -> str:
    """``yes``, ``NO`` or ``unknown``."""
    return {True: "yes", False: "NO", None: "unknown"}[flag]


def _data(axis: AxisResult) -> AxisResult:
    """The record of the data paths: ``local`` when every output depends on the whole input."""
    return axis.local if axis.whole_input is not None and axis.local is not None else axis


def rf_text(axis: AxisResult) -> str:
    """The receptive field as people read it: ``427``, ``188-204`` (varies with the output
    position), ``851 + global`` (every output also sees the whole input), ``whole input``
    (nothing else), ``-`` (no single value: see the note)."""
    if axis.whole_input is not None and axis.local is None:
        return "whole input"
    data = _data(axis)
    if data.rf is not None:
        value = text(data.rf)
    elif data.rf_min is not None:
        value = f"{data.rf_min}-{data.rf_max}"
    else:
        value = "-"
    return f"{value} + global" if data is not axis and value != "-" else value


def stride_text(axis: AxisResult) -> str:
    """The effective stride (of the data paths when there is global context)."""
    return text(_data(axis).stride)


def padding_range(axis: AxisResult) -> tuple | None:
    """With upsampling, the smallest and largest offset of the region from ``stride * j``
    (``u(j) = stride * j - padding(j)``) over the output positions; None without phases."""
    if not axis.phases or axis.stride is None:
        return None
    offsets = [axis.stride * p.at - p.u for p in axis.phases if p.u is not None]
    return (min(offsets), max(offsets)) if offsets else None


def padding_text(axis: AxisResult) -> str:
    """The effective padding, or its range when it varies with the output position."""
    data = _data(axis)
    span = padding_range(data) if data.padding is None else None
    if span is None:
        return text(data.padding)
    low, high = span
    return text(low) if low == high else f"{text(low)}-{text(high)}"


def note_text(axis: AxisResult) -> str:
    """A few words for what the numbers do not say ('' when they say everything)."""
    notes = []
    if axis.whole_input is not None:
        notes.append(("global context: " if axis.local is not None else "whole input: ") + axis.whole_input)
    data = _data(axis)
    if data.period is not None:
        upsampling = "through upsampling" if data.stride == int(data.stride) else "upsampling"
        notes.append(f"{upsampling}, repeats every {data.period}")
    elif len(data.classes) > 1:
        notes.append("paths with strides " + ", ".join(text(c.stride) for c in data.classes))
    elif data.classes and not data.classes[0].padding_known:
        notes.append("padding needs the input size")
    elif data.reason and data.classes and data.classes[0].fractional:
        notes.append(data.reason)
    return "; ".join(notes)


# ---------------------------------------------------------------------------------------------
# Tables


def table_columns(ndim: int) -> list[str]:
    """The columns of a per-node table. The path count comes last: it can have thousands of
    digits (deep residual graphs), and a last column needs no padding."""
    return ["node", "rf", "stride", "padding", "aligned", "note", "paths"]


def table_text(table: Table) -> Iterator[str]:
    """The text table of :func:`table_rows`, line by line, each path count written as its
    line goes out (a 100,000-node table with counts of thousands of digits never exists as one
    string)."""
    columns = table_columns(0)
    cells = [[str(name), *(c[k] for k in columns[1:-1])]
             for name, c in ((name, _cells(row.axes, row.aligned)) for name, row in table.items())]
    widths = [max([len(columns[i])] + [len(r[i]) for r in cells]) for i in range(len(columns) - 1)]
    yield "  ".join(c.ljust(w) for c, w in zip(columns, widths)) + "  " + columns[-1] + "\n"
    for row, name in zip(cells, table):
        yield "  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + table.count_text(name) + "\n"


def table_rows(table: Table) -> list[dict[str, Any]]:
    """One dict per node: node, paths, rf, stride, padding (per-axis values comma-joined when
    the axes differ), aligned and a note."""
    return [{"node": str(name), "paths": table.count_text(name), **_cells(row.axes, row.aligned)}
            for name, row in table.items()]


def _cells(axes: Sequence[AxisResult], aligned: bool | None) -> dict[str, str]:
    """rf, stride, padding (per-axis values comma-joined when the axes differ), aligned, note."""
    notes = [note_text(a) for a in axes]
    return {
        "rf": _per_axis([rf_text(a) for a in axes]),
        "stride": _per_axis([stride_text(a) for a in axes]),
        "padding": _per_axis([padding_text(a) for a in axes]),
        "aligned": yes(aligned),
        "note": notes[0] if len(set(notes)) == 1 else "; ".join(f"axis {i}: {n}" for i, n in enumerate(notes) if n),
    }


#: The columns of a summary.
SUMMARY_COLUMNS = ["name", "layer", "output size", "rf", "stride", "padding", "aligned", "note"]


def summary_rows(summary: Any) -> list[dict[str, Any]]:
    """One dict per summary row: name, layer, output size, rf, stride, padding, aligned, note."""
    return [{"name": row.name, "layer": row.layer,
             "output size": size_text(row.size) if row.size is not None else "", **_cells(row.axes, row.aligned)}
            for row in summary.rows]


def _per_axis(values: list[str]) -> str:
    return values[0] if len(set(values)) == 1 else ",".join(values)


def format_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], format: str = "text") -> str:
    """Rows as an aligned text table, a GitHub Markdown table, CSV or an HTML table.

    >>> print(format_rows([{"a": 1, "b": "x|y"}], ["a", "b"], "markdown"))
    | a | b |
    | --- | --- |
    | 1 | x\\|y |
    """
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    if format == "text":
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
        lines = [list(columns)] + cells
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)
    if format == "markdown":
        def md(c: str) -> str:
            return c.replace("|", "\\|")
        out = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
        out += ["| " + " | ".join(md(c) for c in r) + " |" for r in cells]
        return "\n".join(out)
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    if format == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in cells)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    raise ValueError(f"table format {format!r}: use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------------------------------
# The analysis report


def analysis_report(result: Analysis, name: str | None = None) -> str:
    """The short report of :func:`rfgraph.analyze` (what ``rfgraph analyze`` prints)."""
    lines = [f"{name or result.source or 'graph'}: input {result.input} -> output {result.output}"]
    if result.input_size is not None:
        lines.append(f"sizes: {size_text(result.input_size)} -> {size_text(result.sizes[result.output])}")
    for item in result.same_padding:
        lines.append(f"padding=same on {item.edge[0]} -> {item.edge[1]}: p_l {list(item.p_l)}, p_r {list(item.p_r)}")
    lines.append(f"paths: {int_text(result.paths)}   aligned: {yes(result.aligned)}")
    body = [{"axis": a.axis, "rf": rf_text(a), "stride": stride_text(a), "padding": padding_text(a),
             "centre(0)": text(_data(a).center), "aligned": yes(a.aligned)} for a in result.axes]
    lines.append(format_rows(body, ["axis", "rf", "stride", "padding", "centre(0)", "aligned"]))
    lines.extend(_notes(result))
    return "\n".join(lines)


def _notes(result: Analysis) -> list[str]:
    lines = []
    for reason in sorted({a.reason for a in result.axes if a.reason}):
        lines.append(f"note: {reason}")
    for a in result.axes:
        if a.local is not None:
            data = a.local
            lines.append(f"axis {a.axis}: the data paths (whole-input context set aside): rf {rf_text(data)}, "
                         f"stride {stride_text(data)}, padding {padding_text(data)}"
                         + (f"; {data.reason}" if data.reason else ""))
        data = _data(a)
        if data.phases and data.rf is None:
            lines.append(f"axis {a.axis}: region size by output position mod {data.period}: {_phase_sizes(data)}")
    if result.last_local is not None:
        node, axes = result.last_local.node, result.last_local.axes
        lines.append(f"the last map with a local receptive field: {node} (rf {_per_axis([rf_text(a) for a in axes])}, "
                     f"stride {_per_axis([stride_text(a) for a in axes])}, padding "
                     f"{_per_axis([padding_text(a) for a in axes])}): analyse it with --output {node}")
    if result.other_outputs:
        others = ", ".join(map(str, result.other_outputs))
        lines.append(f"the model has {len(result.other_outputs) + 1} outputs; this is {result.output}, the others: "
                     f"{others}: name one with --output (rfgraph analyze answers each when none is named)")
    for item in result.position_sizes:
        shown = ", ".join(map(str, item.sizes[:24])) + (", ..." if len(item.sizes) > 24 else "")
        lines.append(f"axis {item.axis}: region size by output position (padding included): {shown}"
                     f" (changes at {', '.join(map(str, item.changes[:12])) or 'none'})")
    named = witness_paths(result.mismatches)  # numbered as the diagram and the plots number them
    for m in result.mismatches:
        lines.append(f"misaligned: {m.describe()}")
        for w in m.paths:
            g = w.geometry
            lines.append(f"  {path_name(path_number(named, w))}: r={text(g.rf)} S={text(g.stride)} "
                         f"P={text(g.padding)}: {' -> '.join(map(str, w.nodes))}")
    return lines


def _phase_sizes(axis: AxisResult) -> str:
    """``188 at 0-3; 204 at 4-15`` (runs of equal sizes over the phases)."""
    runs: list[list[Any]] = []
    for p in axis.phases:
        if runs and runs[-1][0] == p.size:
            runs[-1][2] = p.at
        else:
            runs.append([p.size, p.at, p.at])
    return "; ".join(f"{size} at {a}" + (f"-{b}" if b != a else "") for size, a, b in runs)
