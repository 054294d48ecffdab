"""GraphML reading and writing (http://graphml.graphdrawing.org/).

Reads ``<key>`` declarations with their types (int/long -> int, float/double -> float,
boolean -> bool, string) and defaults; ``<data>`` on the graph, nodes and edges; parallel
edges; edge ``id`` attributes become edge keys. The file streams through the standard
library's expat parser, callbacks building the graph: no element tree, no networkx on the
loading path.

>>> from rfgraph.core.raw import RawGraph
>>> raw = RawGraph(graph={"input": "x"})
>>> raw.add_edge("x", "y", {"op": "conv", "k": "3"})
>>> text = format_graphml(raw)
>>> back = parse_graphml(text.encode())
>>> back.graph, back.edges
({'input': 'x'}, [('x', 'y', None, {'op': 'conv', 'k': '3'})])
"""

from __future__ import annotations

import os
import re
from typing import Any
from xml.parsers import expat

from ..core.errors import AttributeValueError, ParseError, shorten, where
from ..core.limits import check, current_limits
from ..core.perf import paused_gc
from ..core.raw import RawGraph
from .files import STDIN, read_input
from .values import integral, value_text

NS = "http://graphml.graphdrawing.org/xmlns"
_TYPES = ("int", "long", "float", "double", "boolean", "string")
# XML Schema's lexical forms (Python's int() and float() also take "1_000", "infinity", ...).
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z|[+-]?INF\Z|NaN\Z", re.I)
_SPECIAL = {"inf": float("inf"), "+inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _convert(text: str, kind: str, owner: str) -> Any:
    """A typed GraphML value; integers have their digits checked before conversion."""
    if kind == "string":
        return text
    value = text.strip()
    if kind == "boolean":
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ParseError(f"{owner}: {shorten(text)} is not a boolean")
    if kind in ("int", "long"):
        if not _INTEGER.match(value):
            raise ParseError(f"{owner}: {shorten(text)} is not of type {kind}")
        digits = len(value.lstrip("+-").lstrip("0"))
        if digits > current_limits().max_int_digits:
            check("max_int_digits", digits, f"{owner}: an integer of {digits} digits")
        return int(value)
    if not _DOUBLE.match(value):
        raise ParseError(f"{owner}: {shorten(text)} is not of type {kind}")
    special = _SPECIAL.get(value.lower())
    return special if special is not None else float(value)


class _Reader:
    """Expat callbacks that build the :class:`RawGraph` of the first ``<graph>`` while the
    file streams through (no element tree: memory holds the graph, not the XML). The hot
    path is an edge or a node with a few ``<data>``: kept to a few dictionary operations."""

    def __init__(self, source: str | None, parser) -> None:
        self.prefix = where(source)
        self.parser = parser
        self.raw = RawGraph(source=source)
        self.keys: dict[str, tuple[str, str, str]] = {}  # id -> (domain, name, type)
        self.defaults: dict[str, dict[str, Any]] = {"graph": {}, "node": {}, "edge": {}}
        self.late: list[tuple[dict[str, Any], str, str, Any]] = []  # data before its <key>
        self.depth = 0  # of the next element
        self.top = ""  # local name of the open child of the root (key, graph)
        self.item = ""  # local name of the open child of the graph (node, edge, data)
        self.locals: dict[str, str] = {}  # tag -> local name (few distinct tags)
        self.state = 0  # 0 before the root, 1 in the root, 2 in the first <graph>, 3 after it
        self.target: dict[str, Any] = self.raw.graph  # the attributes <data> elements fill
        self.owner: Any = ("graph",)  # who they belong to, formatted only for messages
        self.text: list[str] | None = None  # character data of an open <data> or <default>
        self.text_depth = -1  # depth of that element
        self.data_key: str | None = None
        self.key_id: str | None = None  # the <key> being read
        self.edges = 0
        self.limits = current_limits()

    def fail(self, message: str) -> ParseError:
        return ParseError(f"{self.prefix}{message}")

    def name_of(self, owner: Any) -> str:
        if owner[0] == "edge":
            return f"edge {shorten(owner[1], 40)} -> {shorten(owner[2], 40)}"
        return f"node {shorten(owner[1])}" if owner[0] == "node" else owner[0]

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        depth = self.depth
        self.depth = depth + 1
        if self.text is not None:  # markup inside <data>: its text is read through
            return
        name = self.locals.get(tag)
        if name is None:  # without namespace processing (faster): drop a prefix ("g:graphml")
            name = self.locals[tag] = tag[tag.rfind(":") + 1:]
        if self.state == 2:  # inside the first <graph>: the hot path, a node's or an edge's data
            if depth == 3:
                if name == "data" and (self.item == "edge" or self.item == "node"):
                    self.open_text(attrs.get("key"), depth)
                elif name == "graph" and self.item == "node":
                    raise self.fail(f"{self.name_of(self.owner)}: nested graphs are not supported")
            elif depth == 2:
                self.item = name
                if name == "edge":
                    self.edge(attrs)
                elif name == "node":
                    self.node(attrs)
                elif name == "data":
                    self.target, self.owner = self.raw.graph, ("graph",)
                    self.open_text(attrs.get("key"), depth)
                elif name == "hyperedge":
                    raise self.fail("hyperedges are not supported")
        elif depth == 0:
            if name != "graphml":
                raise self.fail(f"not GraphML: the root element is <{name}>")
            self.state = 1
        elif depth == 1:
            self.top = name
            if name == "key":
                self.key(attrs)
            elif name == "graph" and self.state == 1:
                self.state = 2
                self.raw.name = attrs.get("id")
                self.raw.directed = attrs.get("edgedefault", "directed") == "directed"
        elif depth == 2 and self.top == "key" and name == "default":
            self.open_text(None, depth)

    def open_text(self, key: str | None, depth: int) -> None:
        self.data_key, self.text, self.text_depth = key, [], depth
        self.parser.CharacterDataHandler = self.text.append

    def key(self, attrs: dict[str, str]) -> None:
        key_id = attrs.get("id")
        if key_id is None:
            raise self.fail("<key> without an id")
        kind = attrs.get("attr.type", "string")
        if kind not in _TYPES:
            raise self.fail(f"<key id={shorten(key_id)}>: unsupported attr.type {shorten(kind)}")
        self.keys[key_id] = (attrs.get("for", "all"), attrs.get("attr.name", key_id), kind)
        self.key_id = key_id

    def node(self, attrs: dict[str, str]) -> None:
        node_id = attrs.get("id")
        if node_id is None:
            raise self.fail("<node> without an id")
        nodes = self.raw.nodes
        target = nodes.get(node_id)
        if target is None:
            self.room_for_node()
            target = nodes[node_id] = {}
        self.target, self.owner = target, ("node", node_id)

    def room_for_node(self) -> None:
        count = len(self.raw.nodes)
        if count >= self.limits.max_nodes:
            check("max_nodes", count + 1, f"{self.prefix}the graph has more than {count} nodes, which")

    def edge(self, attrs: dict[str, str]) -> None:
        get = attrs.get
        u, v = get("source"), get("target")
        if u is None or v is None:
            raise self.fail("<edge> without source or target")
        raw = self.raw
        directed = get("directed")
        if directed is not None and directed != "true" or directed is None and not raw.directed:
            raise self.fail(f"{self.name_of(('edge', u, v))}: undirected edges are not supported")
        self.edges += 1
        if self.edges > self.limits.max_edges:
            check("max_edges", self.edges, f"{self.prefix}the graph has more than {self.edges - 1} edges, which")
        nodes = raw.nodes
        for end in (u, v):
            if end not in nodes:
                self.room_for_node()
                nodes[end] = {}
        target: dict[str, Any] = {}
        raw.edges.append((u, v, get("id"), target))
        self.target, self.owner = target, ("edge", u, v)

    def end(self, tag: str) -> None:
        depth = self.depth = self.depth - 1
        if depth == self.text_depth:
            text = "".join(self.text)
            self.text, self.text_depth = None, -1
            self.parser.CharacterDataHandler = None
            if self.data_key is None and self.top == "key":
                self.default(text)
            else:
                self.store(text)
        elif depth == 1 and self.state == 2:
            self.state = 3

    def default(self, text: str) -> None:
        domain, name, kind = self.keys[self.key_id]
        value = _convert(text, kind, f"{self.prefix}<key id={shorten(self.key_id)}> default")
        for d in (("graph", "node", "edge") if domain == "all" else (domain,)):
            if d in self.defaults:
                self.defaults[d][name] = value

    def store(self, text: str) -> None:
        found = self.keys.get(self.data_key)
        if found is None:  # resolved at the end, when every <key> has been read
            self.late.append((self.target, self.data_key, text, self.owner))
            return
        _, name, kind = found
        self.target[name] = text if kind == "string" else _convert(
            text, kind, f"{self.prefix}{self.name_of(self.owner)}: attribute {name}")

    def refuse_entities(self) -> None:
        raise self.fail("GraphML must not declare XML entities (they can expand without bound)")

    def finish(self) -> RawGraph:
        if self.state < 2:
            raise self.fail("no <graph> element")
        for target, key_id, text, owner in self.late:
            if key_id not in self.keys:
                raise self.fail(f"{self.name_of(owner)}: <data key={shorten(key_id)}> has no <key> declaration")
            _, name, kind = self.keys[key_id]
            target[name] = _convert(text, kind, f"{self.prefix}{self.name_of(owner)}: attribute {name}")
        raw = self.raw
        if self.defaults["graph"]:
            raw.graph = {**self.defaults["graph"], **raw.graph}
        for domain, items in (("node", raw.nodes.values()), ("edge", [e[3] for e in raw.edges])):
            defaults = self.defaults[domain]
            if defaults:
                for attrs in items:
                    merged = {**defaults, **attrs}
                    attrs.clear()
                    attrs.update(merged)
        return raw


def parse_graphml(data: bytes | str, source: str | None = None) -> RawGraph:
    """Parse GraphML text into a :class:`RawGraph` (the first ``<graph>`` of the file).

    The XML streams through expat (no element tree is built); entity declarations are
    refused, and the graph's size is checked against the limits as it grows.
    """
    parser = expat.ParserCreate("utf-8" if isinstance(data, str) else None)
    reader = _Reader(source, parser)
    parser.buffer_text = True
    parser.ordered_attributes = False
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.EntityDeclHandler = lambda *args: reader.refuse_entities()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with paused_gc():  # the graph is acyclic: the collector would only rescan it
            parser.Parse(data, True)
    except expat.ExpatError as exc:
        place = f"{source}:{exc.lineno}:{exc.offset + 1}" if source else f"{exc.lineno}:{exc.offset + 1}"
        raise ParseError(f"{place}: malformed GraphML (XML): {expat.ErrorString(exc.code)}") from None
    except (LookupError, UnicodeError, ValueError) as exc:  # encoding="ebcdic", a multi-byte codec
        raise ParseError(f"{where(source)}cannot decode the XML: {exc} (GraphML files are UTF-8 or UTF-16)") from None
    return reader.finish()


def read_graphml_file(path) -> RawGraph:
    """Read a GraphML file (``"-"``: standard input); errors name the file. Only regular
    files within the size limit are read (see :mod:`rfgraph.io.files`)."""
    name = os.fspath(path)
    return parse_graphml(read_input(name), source="<stdin>" if name == STDIN else name)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check(text: str) -> str:
    bad = _NOT_XML.search(text)
    if bad:
        raise AttributeValueError(f"cannot write {text!r} to GraphML: XML cannot hold the character {bad.group()!r}")
    return text


def _escape(text: str) -> str:
    # as xml.sax.saxutils.escape, which is not imported: it pulls in urllib and http (30 ms)
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def escape(text: str) -> str:
    r"""Element text; a carriage return is escaped so XML's newline normalisation keeps it.

    >>> escape("a < b & c\r")
    'a &lt; b &amp; c&#13;'
    """
    return _escape(_check(text)).replace("\r", "&#13;")


def quoteattr(text: str) -> str:
    r"""An attribute value with its quotes (as xml.sax.saxutils.quoteattr), whitespace kept.

    >>> print(quoteattr('say "hi"'), quoteattr("tab\t"))
    'say "hi"' "tab&#9;"
    """
    data = _escape(_check(text)).replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'



def _type_of(values: list[Any]) -> str:
    """The GraphML type of an attribute: integral numbers are integers (``long``), whatever
    their Python type; numbers otherwise ``double``; else ``string``."""
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(integral(v) for v in values):
        return "long"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _text(value: Any, kind: str) -> str:
    if kind == "double":
        number = float(value)
        if number != number:
            return "NaN"  # XML Schema's spellings
        if number in (float("inf"), float("-inf")):
            return "INF" if number > 0 else "-INF"
        return repr(number)
    return value_text(value)


def format_graphml(raw: RawGraph) -> str:
    """GraphML text for ``raw``; :func:`parse_graphml` reads it back equal.

    An attribute keeps its type (int, float, bool) when all its values share it, else it is
    written as a string. Edge keys that are strings are written as edge ids.
    """
    domains = {"graph": [raw.graph], "node": list(raw.nodes.values()), "edge": [e[3] for e in raw.edges]}
    key_ids: dict[tuple[str, str], tuple[str, str]] = {}
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
             'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    for domain, dicts in domains.items():
        names: dict[str, list[Any]] = {}
        for attrs in dicts:
            for name, value in attrs.items():
                names.setdefault(name, []).append(value)
        for name, values in names.items():
            kind = _type_of(values)
            key_id = f"{domain[0]}{len(key_ids)}"
            key_ids[(domain, name)] = (key_id, kind)
            lines.append(f'  <key id="{key_id}" for="{domain}" attr.name={quoteattr(str(name))} attr.type="{kind}"/>')

    def data(domain: str, attrs: dict[str, Any], indent: str) -> list[str]:
        out = []
        for name, value in attrs.items():
            key_id, kind = key_ids[(domain, name)]
            out.append(f'{indent}<data key="{key_id}">{escape(_text(value, kind))}</data>')
        return out

    graph_id = f" id={quoteattr(raw.name)}" if raw.name else ""
    edgedefault = "directed" if raw.directed else "undirected"
    lines.append(f'  <graph{graph_id} edgedefault="{edgedefault}">')
    lines.extend(data("graph", raw.graph, "    "))
    for name, attrs in raw.nodes.items():
        if attrs:
            lines.append(f"    <node id={quoteattr(str(name))}>")
            lines.extend(data("node", attrs, "      "))
            lines.append("    </node>")
        else:
            lines.append(f"    <node id={quoteattr(str(name))}/>")
    for u, v, key, attrs in raw.edges:
        edge_id = f" id={quoteattr(key)}" if isinstance(key, str) else ""
        head = f"    <edge{edge_id} source={quoteattr(str(u))} target={quoteattr(str(v))}"
        if attrs:
            lines.append(head + ">")
            lines.extend(data("edge", attrs, "      "))
            lines.append("    </edge>")
        else:
            lines.append(head + "/>")
    lines.append("  </graph>")
    lines.append("</graphml>")
    return "\n".join(lines) + "\n"
