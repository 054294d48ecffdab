"""The work of one chunk of a batch, wherever it runs (this process, a worker process, a Dask
worker): each item is loaded, analysed by :func:`rfgraph.analyze` and turned into its row.

A graph that fails is a row with its error, never the end of the chunk: every
:class:`~rfgraph.core.errors.RFGraphError` names what is wrong, and anything else (a bug) is
reported on the row as an internal error so that the rest of the batch is still analysed.

>>> from rfgraph.batch.sources import Item
>>> rows, errors = run_chunk([Item("g:1", "line", b'{"edges": [{"source": "x", "target": "y", '
...                                              b'"op": "conv", "k": 3}]}'),
...                           Item("g:2", "line", b"not json")], Options(form="jsonl"))
>>> errors, rows[1]
(1, '{"name":"g:2","error":"g:2: not JSON: Expecting value: line 1 column 1 (char 0)"}')
>>> json.loads(rows[0])["axes"][0]["rf"]
3
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis import analyze
from ..api import load
from ..core.errors import RFGraphError
from ..core.network import as_network, build
from ..core.ops import OPS, OpSpec, same_spec
from ..core.perf import paused_gc
from ..io.node_link import loads_node_link, parse_node_link
from ..results import BatchRow
from .columns import csv_fields
from .sources import Item

__all__ = ["FORMS", "Options", "analyze_item", "run_chunk"]

#: what a chunk returns per row: the record, its JSON line, or its CSV line
FORMS = ("record", "jsonl", "csv")


@dataclass(frozen=True)
class Options:
    """How to analyse every graph of a batch (sent with each chunk).

    ``ops`` holds the operations registered with :func:`rfgraph.register_op` in the process
    that started the batch, so that workers elsewhere know them too; ``cli`` words error
    rows for the command line (``--input-size`` rather than ``input_size=``).
    """

    input_size: tuple[int, ...] | None = None
    diagnose: bool = False
    form: str = "record"
    ops: tuple[tuple[str, OpSpec], ...] = ()
    cli: bool = False


def _network(item: Item):
    if item.kind == "line":
        return build(loads_node_link(item.payload, item.name))
    if item.kind == "file":
        return load(item.payload)
    if item.kind == "graph":
        if isinstance(item.payload, dict):
            return build(parse_node_link(item.payload, item.name))
        return as_network(item.payload, item.name)
    raise RFGraphError(item.payload)  # "error": a source that could not be read


def _one_line(message: str) -> str:
    return " ".join(message.split())


def analyze_item(item: Item, options: Options) -> BatchRow:
    """The row of one item: its analysis, or the error that stopped it."""
    try:
        result = analyze(_network(item), input_size=options.input_size, diagnose=options.diagnose)
        return BatchRow(item.name, result)
    except RFGraphError as exc:
        return BatchRow(item.name, error=_one_line(exc.cli if options.cli else str(exc)))
    except RecursionError:
        return BatchRow(item.name, error=f"{item.name}: the graph is nested too deeply to analyse")
    except Exception as exc:  # a bug: say so on the row, analyse the rest
        return BatchRow(item.name, error=_one_line(f"{item.name}: internal error (please report it): "
                                                   f"{type(exc).__name__}: {exc}"))


def _register(ops: Sequence[tuple[str, OpSpec]]) -> None:
    """Know the operations the batch's own process registered (specs arrive as copies:
    compare settings, so that cached layers of an op stay valid from chunk to chunk)."""
    for name, spec in ops:
        if not same_spec(OPS.get(name), spec):
            OPS[name] = spec


def run_chunk(items: Sequence[Item], options: Options) -> tuple[list[Any], int]:
    """Analyse ``items`` in order: ``(rows, number of error rows)``, each row in
    ``options.form`` (a :class:`~rfgraph.results.BatchRow`, a JSON line or a CSV line, both
    without the newline)."""
    _register(options.ops)
    with paused_gc():  # results are acyclic; collections would only rescan them
        rows = [analyze_item(item, options) for item in items]
    errors = sum(1 for row in rows if row.error is not None)
    if options.form == "jsonl":
        return [json.dumps(row.to_dict(), ensure_ascii=False, separators=(",", ":")) for row in rows], errors
    if options.form == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        lines = []
        for row in rows:
            writer.writerow(csv_fields(row))
            lines.append(buffer.getvalue()[:-1])
            buffer.seek(0)
            buffer.truncate()
        return lines, errors
    return rows, errors
