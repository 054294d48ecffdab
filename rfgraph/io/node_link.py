"""networkx's node-link JSON, read and written without networkx.

The format is what ``json.dumps(networkx.node_link_data(G))`` writes::

    {"directed": true, "multigraph": true, "graph": {"input": "x", "input_size": 32},
     "nodes": [{"id": "x"}, {"id": "y"}],
     "edges": [{"source": "x", "target": "y", "key": 0, "op": "conv", "k": 3}]}

Edges may be listed under ``"edges"`` (networkx 3.4 and later) or ``"links"`` (earlier
versions); every other key of an edge or node object is an attribute, with the names of the
graph format (``op``, ``k``, ``s``, ``p``, ...; graph attributes ``input``, ``output``,
``input_size``). A missing ``"directed"`` means directed (layers have a direction); node ids
that are JSON lists become tuples, as networkx makes them. Edges keep the order of the file.

One graph is a ``.json`` file; ``rfgraph batch`` reads ``.jsonl`` files with one graph per line
through :func:`loads_node_link`.

>>> raw = loads_node_link('{"graph": {"input": "x"}, "nodes": [{"id": "x"}], '
...                       '"links": [{"source": "x", "target": "y", "op": "conv", "k": 3}]}')
>>> raw.graph, list(raw.nodes), raw.edges
({'input': 'x'}, ['x', 'y'], [('x', 'y', None, {'op': 'conv', 'k': 3})])
>>> loads_node_link('{"nodes": [}', source="space.jsonl:7")
Traceback (most recent call last):
...
rfgraph.core.errors.ParseError: space.jsonl:7: not JSON: Expecting value: line 1 column 12 (char 11)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ..core.errors import ParseError, where
from ..core.raw import RawGraph
from .files import read_input

__all__ = ["format_node_link", "loads_node_link", "parse_node_link", "read_node_link_file"]

_ENDS = ("source", "target", "key")


def _node_id(value: Any, prefix: str, what: str) -> Any:
    """A node id as networkx keeps it: JSON lists become tuples (hashable)."""
    if isinstance(value, list):
        return tuple(_node_id(v, prefix, what) for v in value)
    if isinstance(value, dict):
        raise ParseError(f"{prefix}node-link JSON: {what} is an object; node ids are strings, numbers or lists")
    return value


def _objects(data: Mapping[str, Any], key: str, prefix: str) -> list:
    items = data.get(key, [])
    if type(items) is not list or not all(type(item) is dict for item in items):
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ParseError(f"{prefix}node-link JSON: \"{key}\" must be a list of objects")
    return items


def parse_node_link(data: Any, source: str | None = None, *, owned: bool = False) -> RawGraph:
    """A node-link graph (the dict :func:`networkx.node_link_data` returns) as a
    :class:`~rfgraph.core.raw.RawGraph`.

    Parameters
    ----------
    data : dict
    source : str, optional
        Name for error messages (a file, or ``file:line``).
    owned : bool
        ``data`` was parsed for this call alone: its node and edge objects become the
        attribute dicts instead of being copied (the batch reader's fast path).

    Returns
    -------
    RawGraph

    Raises
    ------
    ParseError
        When ``data`` is not a node-link graph, naming what is wrong.

    Examples
    --------
    >>> raw = parse_node_link({"directed": True, "multigraph": True, "graph": {},
    ...                        "nodes": [{"id": "x"}, {"id": "y", "label": "out"}],
    ...                        "edges": [{"source": "x", "target": "y", "key": 0, "op": "relu"}]})
    >>> raw.nodes, raw.edges
    ({'x': {}, 'y': {'label': 'out'}}, [('x', 'y', 0, {'op': 'relu'})])
    """
    prefix = where(source)
    if not isinstance(data, dict):
        raise ParseError(f"{prefix}node-link JSON: expected an object with \"nodes\" and \"edges\", "
                         f"got {type(data).__name__}")
    if "edges" in data and "links" in data:
        raise ParseError(f"{prefix}node-link JSON: both \"edges\" and \"links\": give the edges once")
    graph = data.get("graph", {})
    if not isinstance(graph, dict):
        raise ParseError(f"{prefix}node-link JSON: \"graph\" must be an object of graph attributes")
    graph = dict(graph)
    raw = RawGraph(graph=graph, name=graph.pop("name", None), source=source,
                   directed=data.get("directed", True) is not False)
    nodes = raw.nodes
    for i, node in enumerate(_objects(data, "nodes", prefix)):
        attrs = node if owned else dict(node)
        if "id" not in attrs:
            raise ParseError(f"{prefix}node-link JSON: node {i} has no \"id\"")
        name = attrs.pop("id")
        if type(name) is not str:  # (the check is the hot path of reading many graphs)
            name = _node_id(name, prefix, f"the id of node {i}")
        if name in nodes:
            nodes[name].update(attrs)
        else:
            nodes[name] = attrs
    multigraph = data.get("multigraph", False) is True
    edges = raw.edges
    seen: dict[tuple, dict] = {}  # a simple graph has one edge per pair, as in networkx
    for i, link in enumerate(_objects(data, "edges" if "edges" in data else "links", prefix)):
        attrs = link if owned else dict(link)
        try:
            u = attrs.pop("source")
            v = attrs.pop("target")
        except KeyError as exc:
            raise ParseError(f"{prefix}node-link JSON: edge {i} has no \"{exc.args[0]}\"") from None
        if type(u) is not str:
            u = _node_id(u, prefix, f"the source of edge {i}")
        if type(v) is not str:
            v = _node_id(v, prefix, f"the target of edge {i}")
        key = attrs.pop("key", None)
        if u not in nodes:
            nodes[u] = {}
        if v not in nodes:
            nodes[v] = {}
        if multigraph:
            edges.append((u, v, key, attrs))
        elif (u, v) in seen:  # networkx updates the edge's attributes
            seen[(u, v)].update(attrs)
        else:
            seen[(u, v)] = attrs
            edges.append((u, v, None, attrs))
    return raw


def loads_node_link(text: str | bytes, source: str | None = None) -> RawGraph:
    """Parse node-link JSON text (one graph) into a :class:`~rfgraph.core.raw.RawGraph`."""
    try:
        data = json.loads(text)
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
        raise ParseError(f"{where(source)}not JSON: {exc}") from None
    except RecursionError:
        raise ParseError(f"{where(source)}not JSON: nested too deeply") from None
    return parse_node_link(data, source, owned=True)


def read_node_link_file(path: str | os.PathLike[str]) -> RawGraph:
    """Read a ``.json`` file holding one node-link graph."""
    name = os.fspath(path)
    return loads_node_link(read_input(name), name)  # a regular file within max_file_size


def format_node_link(raw: RawGraph) -> str:
    """A raw graph as node-link JSON text (networkx's layout, edges under ``"edges"``).

    >>> raw = RawGraph(graph={"input": "x"})
    >>> raw.add_edge("x", "y", {"op": "conv", "k": "3"})
    >>> print(format_node_link(raw))
    {"directed": true, "multigraph": true, "graph": {"input": "x"}, "nodes": [{"id": "x"}, {"id": "y"}], "edges": [{"source": "x", "target": "y", "op": "conv", "k": "3"}]}
    >>> loads_node_link(format_node_link(raw)).edges == raw.edges
    True
    """
    graph = dict(raw.graph)
    if raw.name is not None:
        graph.setdefault("name", raw.name)
    nodes = []
    for name, attrs in raw.nodes.items():
        if "id" in attrs:
            raise ParseError(f"{where(raw.source)}node {name}: an attribute named 'id' cannot be written in "
                             "node-link JSON (it holds the node's name)")
        nodes.append({"id": name, **attrs})
    edges = []
    for u, v, key, attrs in raw.edges:
        clash = [k for k in _ENDS if k in attrs]
        if clash:
            raise ParseError(f"{where(raw.source)}edge {u} -> {v}: an attribute named {clash[0]!r} cannot be "
                             "written in node-link JSON (it holds the edge's end-points and key)")
        edge = {"source": u, "target": v}
        if key is not None:
            edge["key"] = key
        edge.update(attrs)
        edges.append(edge)
    data = {"directed": raw.directed, "multigraph": True, "graph": graph, "nodes": nodes, "edges": edges}
    return json.dumps(data, ensure_ascii=False, default=str)
