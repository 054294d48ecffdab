"""The flat columns of ``rfgraph batch --format csv``: one row per graph.

Per-axis values (``rf``, ``stride``, ``padding``, ``center``) follow the project's flat
convention (as in ``rfgraph convert --values``): one value when every axis agrees, else the
values of the axes in order, comma-separated (``3,5``). An empty cell is a value that is not
one number (the ``reason`` column says why) or a row that failed (``error`` says why).
Numbers are written as in JSON: integers, halves as ``1.5``, other fractions as ``a/b``.

==================  =========================================================================
column              meaning
==================  =========================================================================
name                the graph: its file, ``file:line`` in a JSON-lines file, or its name
error               why the graph could not be analysed (empty when it was)
input, output       the end-points
paths               number of input-output paths
aligned             ``true``, ``false``, or empty when it cannot be told
verdict             ``aligned``, ``misaligned: stride``, ``misaligned: center``,
                    ``misaligned: stride, center``, or ``unknown``
mismatches          how many disagreements are born in the graph
mismatch_nodes      where they are born, ``;``-separated, in topological order
rf, stride,         receptive field size, effective stride and padding, centre of output
padding, center     feature 0 (per axis, see above)
reason              why a value is empty (``; ``-separated when the axes differ)
whole_input         the whole-input layer every output depends on, if any
input_size,         map sizes (``32x32``) when an input size is known
output_size
diagnosed           ``true`` when the row was analysed with witnesses (``--diagnose``)
==================  =========================================================================

>>> from rfgraph.results import BatchRow
>>> dict(zip(CSV_COLUMNS, csv_fields(BatchRow("a.dot", error="a.dot: no such file"))))["error"]
'a.dot: no such file'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..results import BatchRow, number, ratio, size_text

__all__ = ["CSV_COLUMNS", "csv_fields"]

CSV_COLUMNS = ("name", "error", "input", "output", "paths", "aligned", "verdict", "mismatches",
               "mismatch_nodes", "rf", "stride", "padding", "center", "reason", "whole_input",
               "input_size", "output_size", "diagnosed")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _per_axis(values: Sequence[Any]) -> str:
    cells = [_cell(v) for v in values]
    return cells[0] if len(set(cells)) == 1 else ",".join(cells)


def _verdict(aligned: bool | None, kinds: Sequence[str]) -> str:
    if aligned is True:
        return "aligned"
    if aligned is None:
        return "unknown"
    return "misaligned: " + ", ".join(k for k in ("stride", "center") if k in kinds) if kinds else "misaligned"


def csv_fields(row: BatchRow) -> list[str]:
    """The cells of ``row`` in :data:`CSV_COLUMNS` order."""
    a = row.analysis
    if a is None:
        return [row.name, row.error or ""] + [""] * (len(CSV_COLUMNS) - 2)
    axes = a.axes
    reasons = list(dict.fromkeys(x.reason for x in axes if x.reason))
    wholes = list(dict.fromkeys(x.whole_input for x in axes if x.whole_input))
    sizes = ""
    if a.input_size is not None and a.sizes is not None and a.output in a.sizes:
        sizes = size_text(a.sizes[a.output])
    return [
        row.name, "", str(a.input), str(a.output), str(a.paths), _cell(a.aligned),
        _verdict(a.aligned, [m.kind for m in a.mismatches]), str(len(a.mismatches)),
        ";".join(dict.fromkeys(str(m.node) for m in a.mismatches)),
        _per_axis([x.rf for x in axes]), _per_axis([ratio(x.stride) for x in axes]),
        _per_axis([x.padding for x in axes]), _per_axis([number(x.center) for x in axes]),
        "; ".join(reasons), "; ".join(wholes),
        size_text(a.input_size) if a.input_size is not None else "", sizes, _cell(a.diagnosed),
    ]
