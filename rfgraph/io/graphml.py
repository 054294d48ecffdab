"""GraphML reading and writing (http://graphml.graphdrawing.org/).

Reads ``<key>`` declarations with their types (int/long -> int, float/double -> float,
boolean -> bool, string) and defaults; ``<data>`` on the graph, nodes and edges; parallel
edges; edge ``id`` attributes become edge keys. Uses the C-accelerated ElementTree parser
from the standard library: no networkx on the loading path.

>>> from rfgraph.core.raw import RawGraph
>>> raw = RawGraph(graph={"input": "x"})
>>> raw.add_edge("x", "y", {"op": "conv", "k": "3"})
>>> text = format_graphml(raw)
>>> back = parse_graphml(text.encode())
>>> back.graph, back.edges
({'input': 'x'}, [('x', 'y', None, {'op': 'conv', 'k': '3'})])
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..core.errors import AttributeValueError, ParseError, where
from ..core.raw import RawGraph

NS = "http://graphml.graphdrawing.org/xmlns"
_TYPES = {"int": int, "long": int, "float": float, "double": float, "boolean": bool, "string": str}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _convert(text: str, kind: str, owner: str) -> Any:
    if kind == "string":
        return text
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ParseError(f"{owner}: {text!r} is not a boolean")
    try:
        return _TYPES[kind](text.strip())
    except ValueError:
        raise ParseError(f"{owner}: {text!r} is not of type {kind}") from None


def parse_graphml(data: bytes | str, source: str | None = None) -> RawGraph:
    """Parse GraphML text into a :class:`RawGraph` (the first ``<graph>`` of the file)."""
    prefix = where(source)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        place = f"{source}:{line}:{col}" if source else f"{line}:{col}"
        raise ParseError(f"{place}: malformed GraphML (XML): {exc}") from None
    if _local(root.tag) != "graphml":
        raise ParseError(f"{prefix}not GraphML: the root element is <{_local(root.tag)}>")
    keys: dict[str, tuple[str, str, str]] = {}  # id -> (domain, name, type)
    defaults: dict[str, dict[str, Any]] = {"graph": {}, "node": {}, "edge": {}}
    graph_el = None
    for child in root:
        tag = _local(child.tag)
        if tag == "key":
            key_id = child.get("id")
            if key_id is None:
                raise ParseError(f"{prefix}<key> without an id")
            kind = child.get("attr.type", "string")
            if kind not in _TYPES:
                raise ParseError(f"{prefix}<key id={key_id!r}>: unsupported attr.type {kind!r}")
            domain = child.get("for", "all")
            name = child.get("attr.name", key_id)
            keys[key_id] = (domain, name, kind)
            for sub in child:
                if _local(sub.tag) == "default":
                    value = _convert(sub.text or "", kind, f"{prefix}<key id={key_id!r}> default")
                    for d in (("graph", "node", "edge") if domain == "all" else (domain,)):
                        if d in defaults:
                            defaults[d][name] = value
        elif tag == "graph" and graph_el is None:
            graph_el = child
    if graph_el is None:
        raise ParseError(f"{prefix}no <graph> element")
    raw = RawGraph(name=graph_el.get("id"), source=source)
    raw.directed = graph_el.get("edgedefault", "directed") == "directed"
    raw.graph = dict(defaults["graph"])

    def data_of(el, domain: str, owner: str) -> dict[str, Any]:
        values = dict(defaults[domain])
        for sub in el:
            if _local(sub.tag) != "data":
                continue
            key_id = sub.get("key")
            if key_id not in keys:
                raise ParseError(f"{prefix}{owner}: <data key={key_id!r}> has no <key> declaration")
            _, name, kind = keys[key_id]
            values[name] = _convert(sub.text or "", kind, f"{prefix}{owner}: attribute {name}")
        return values

    raw.graph.update(data_of(graph_el, "graph", "graph"))
    for el in graph_el:
        tag = _local(el.tag)
        if tag == "node":
            node_id = el.get("id")
            if node_id is None:
                raise ParseError(f"{prefix}<node> without an id")
            if any(_local(sub.tag) == "graph" for sub in el):
                raise ParseError(f"{prefix}node {node_id!r}: nested graphs are not supported")
            raw.add_node(node_id, data_of(el, "node", f"node {node_id!r}"))
        elif tag == "edge":
            u, v = el.get("source"), el.get("target")
            if u is None or v is None:
                raise ParseError(f"{prefix}<edge> without source or target")
            if el.get("directed", "true" if raw.directed else "false") != "true":
                raise ParseError(f"{prefix}edge {u} -> {v}: undirected edges are not supported")
            raw.add_edge(u, v, data_of(el, "edge", f"edge {u} -> {v}"), key=el.get("id"))
        elif tag == "hyperedge":
            raise ParseError(f"{prefix}hyperedges are not supported")
    return raw


def read_graphml_file(path) -> RawGraph:
    """Read a GraphML file; errors name the file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_graphml(data, source=str(path))


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
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "long"
    if all(isinstance(v, float) for v in values):
        return "double"
    return "string"


def _text(value: Any, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return str(value)


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
