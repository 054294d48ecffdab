"""Graph file formats: which one a file is, reading it into a :class:`~rfgraph.core.raw.RawGraph`
and writing one as text. Model formats (ONNX, Keras) are read by :mod:`rfgraph.importers`.

>>> detect_format("net.gv"), detect_format("net.GraphML"), detect_format("net.json")
('dot', 'graphml', 'node_link')
"""

from __future__ import annotations

import os

from ..core.errors import ParseError, worded
from ..core.raw import RawGraph
from .dot import format_dot, parse_dot_bytes, read_dot_file
from .files import STDIN, read_input
from .graphml import format_graphml, parse_graphml, read_graphml_file
from .node_link import format_node_link, loads_node_link, read_node_link_file

__all__ = ["FORMATS", "GRAPH_FORMATS", "MANY_GRAPHS", "detect_format", "format_raw", "not_a_folder", "parse_raw",
           "read_raw"]

#: file suffix -> format name
FORMATS = {".dot": "dot", ".gv": "dot", ".graphml": "graphml", ".xml": "graphml", ".json": "node_link",
           ".onnx": "onnx", ".keras": "keras"}
#: the formats that are graph files (the others are models, converted by an importer)
GRAPH_FORMATS = ("dot", "graphml", "node_link")
#: files of many graphs, one per line (node-link JSON): for ``rfgraph batch``
MANY_GRAPHS = (".jsonl",)


def detect_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of ``path``: ``format`` if given, else from the file suffix (``"-"``,
    standard input, is a graph: DOT or GraphML, told apart when read)."""
    if format is not None:
        return format.lower()
    if os.fspath(path) == STDIN:
        return "graph"
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix in MANY_GRAPHS:
        raise ParseError(f"{path}: a {suffix} file holds many graphs, one per line: analyse them with "
                         "`rfgraph batch` (Python: rfgraph.analyze_many)")
    if suffix not in FORMATS:
        raise ParseError(f"{path}: unknown file type {suffix!r} (known: {', '.join(FORMATS)})")
    return FORMATS[suffix]


def not_a_folder(path: str | os.PathLike) -> None:
    """Refuse a folder given where one graph or model file is read, saying so and how to
    analyse every graph in it.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be read.

    Raises
    ------
    ParseError
        When ``path`` is a folder.

    Examples
    --------
    >>> not_a_folder("graphs/resnet50.dot")
    >>> not_a_folder("graphs")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.ParseError: graphs: is a folder, not a graph file: name one graph file in it, or analyse them all with rfgraph.analyze_many(["graphs"])
    """
    if os.fspath(path) != STDIN and os.path.isdir(path):
        raise ParseError(**worded(f"{path}: is a folder, not a graph file: name one graph file in it, or "
                                  "analyse them all with {batch}",
                                  batch=(f'rfgraph.analyze_many(["{path}"])', f"`rfgraph batch {path}`")))


def read_raw(path: str | os.PathLike, format: str | None = None) -> RawGraph:
    """Read a DOT or GraphML file without interpreting it (``"-"``: standard input)."""
    not_a_folder(path)
    kind = detect_format(path, format)
    if kind == "graph":  # standard input: GraphML is XML (first character '<'), node-link JSON an object
        data = read_input(STDIN)
        start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start == b"<":
            return parse_graphml(data, "<stdin>")
        if start == b"{":
            return loads_node_link(data, "<stdin>")
        return parse_dot_bytes(data, "<stdin>")
    if kind == "dot":
        return read_dot_file(path)
    if kind == "graphml":
        return read_graphml_file(path)
    if kind == "node_link":
        return read_node_link_file(path)
    raise ParseError(f"{path}: {kind} files are models, not graph files: use rfgraph.load")


def parse_raw(data: bytes, format: str, source: str | None = None) -> RawGraph:
    """Parse the bytes of a DOT, GraphML or node-link JSON file (an upload, say) without
    interpreting them; ``source`` (a file name) names the graph in errors.

    >>> parse_raw(b"digraph { x -> y }", "dot").edges[0][:2]
    ('x', 'y')
    """
    if format == "dot":
        return parse_dot_bytes(data, source)
    if format == "graphml":
        return parse_graphml(data, source)
    if format == "node_link":
        return loads_node_link(data, source)
    raise ParseError(f"{source or 'the data'}: {format} files are models, not graph files: use rfgraph.api.load_bytes")


def format_raw(raw: RawGraph, format: str = "dot") -> str:
    """A raw graph as DOT or GraphML text."""
    if format == "dot":
        return format_dot(raw)
    if format == "graphml":
        return format_graphml(raw)
    if format == "node_link":
        return format_node_link(raw)
    raise ParseError(f"cannot write format {format!r} (dot, graphml or node_link)")
