"""Reading and writing graph files: DOT and GraphML (same attribute names), plus ONNX models
through :mod:`rfgraph.importers`.

>>> import rfgraph, tempfile, os
>>> net = rfgraph.load("graphs/distill_fig1_chain.dot")
>>> rfgraph.analyze(net).rf
(7,)
>>> folder = tempfile.mkdtemp()
>>> path = rfgraph.save(net, os.path.join(folder, "chain.graphml"), values=True)
>>> again = rfgraph.load(path)
>>> again.node_attrs[again.index["f4"]]["rf"]
'7'
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import ParseError
from ..network import Network, as_network, build
from .raw import RawGraph

#: file suffix -> format name
FORMATS = {".dot": "dot", ".gv": "dot", ".graphml": "graphml", ".xml": "graphml", ".onnx": "onnx",
           ".keras": "keras"}


def detect_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of ``path``: ``format`` if given, else from the file suffix."""
    if format is not None:
        return format.lower()
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in FORMATS:
        raise ParseError(f"{path}: unknown file type {suffix!r} (known: {', '.join(FORMATS)}; or pass format=...)")
    return FORMATS[suffix]


def read_raw(path: str | os.PathLike, format: str | None = None) -> RawGraph:
    """Read a DOT or GraphML file without interpreting it."""
    kind = detect_format(path, format)
    if kind == "dot":
        from .dot import read_dot_file

        return read_dot_file(path)
    if kind == "graphml":
        from .graphml import read_graphml_file

        return read_graphml_file(path)
    raise ParseError(f"{path}: {kind} files are models, not graph files: use rfgraph.load")


def load(path: str | os.PathLike, format: str | None = None, **options: Any) -> Network:
    """Load and validate a graph file: DOT (``.dot``/``.gv``), GraphML (``.graphml``), or an
    ONNX model (``.onnx``, converted by :func:`rfgraph.importers.from_onnx` with ``options``),
    or a Keras 3 model file (``.keras``, :func:`rfgraph.importers.from_keras`).
    Every error names the file."""
    kind = detect_format(path, format)
    if kind == "onnx":
        from ..importers.onnx import from_onnx

        return from_onnx(path, **options)
    if kind == "keras":
        from ..importers.keras import from_keras

        return from_keras(path, **options)
    return build(read_raw(path, kind))


def annotate(G, input=None, output=None) -> RawGraph:
    """The graph's raw form with the computed values added as attributes: on every node
    reachable from the input ``rf``, ``stride``, ``padding``, ``aligned``, ``paths`` (seen from
    the input; per-axis values joined by commas, undefined values left out), and on the graph
    the analysis of the output."""
    from ..analysis import analyze, layer_table

    net = as_network(G)
    raw = net.to_raw()
    for name, row in layer_table(net, input).items():
        raw.nodes[name].update(_values(row.axes, row.aligned, row.paths))
    result = analyze(net, input, output)
    raw.graph.update(_values(result.axes, result.aligned, result.paths))
    return raw


def _values(axes, aligned, paths) -> dict[str, str]:
    from ..results import text

    out: dict[str, str] = {}
    for name in ("rf", "stride", "padding"):
        values = [getattr(a, name) for a in axes]
        if all(v is not None for v in values):
            texts = [text(v) for v in values]
            out[name] = texts[0] if len(set(texts)) == 1 else ",".join(texts)
    if aligned is not None:
        out["aligned"] = "true" if aligned else "false"
    out["paths"] = str(paths)
    return out


def dumps(G, format: str = "dot", *, values: bool = False) -> str:
    """The graph as DOT or GraphML text (with computed values when ``values``)."""
    raw = annotate(G) if values else as_network(G).to_raw()
    if format == "dot":
        from .dot import format_dot

        return format_dot(raw)
    if format == "graphml":
        from .graphml import format_graphml

        return format_graphml(raw)
    raise ParseError(f"cannot write format {format!r} (dot or graphml)")


def save(G, path: str | os.PathLike, *, format: str | None = None, values: bool = False,
         overwrite: bool = False):
    """Write the graph to ``path`` (DOT or GraphML by suffix or ``format``); with ``values``
    the computed receptive fields are added as attributes (see :func:`annotate`). Refuses to
    replace an existing file unless ``overwrite``. :func:`load` reads it back identically."""
    from .safe_write import write_text

    kind = detect_format(path, format)
    return write_text(path, dumps(G, kind, values=values), overwrite=overwrite)
