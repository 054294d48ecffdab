"""The graph as a file states it, before any interpretation.

Readers (DOT, GraphML, networkx) produce a :class:`RawGraph`; :func:`rfgraph.core.network.build`
turns it into a validated :class:`~rfgraph.core.network.Network`. Attribute values are kept as the
file gives them (strings from DOT, typed values from GraphML or networkx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Attrs = dict[str, Any]


@dataclass
class RawGraph:
    """Nodes, edges and attributes of a graph file, uninterpreted.

    ``nodes`` keeps first-appearance order (edges create their end-points too);
    ``edges`` is a list of ``(source, target, key, attrs)``, parallel edges allowed, where
    ``key`` is the file's own edge id (GraphML ``id``) or None.
    """

    graph: Attrs = field(default_factory=dict)
    nodes: dict[str, Attrs] = field(default_factory=dict)
    edges: list[tuple[str, str, str | None, Attrs]] = field(default_factory=list)
    name: str | None = None
    directed: bool = True
    strict: bool = False
    source: str | None = None  # file name, for error messages

    def add_node(self, name: str, attrs: Attrs | None = None) -> None:
        """Create ``name`` if new, then update its attributes."""
        node = self.nodes.setdefault(name, {})
        if attrs:
            node.update(attrs)

    def add_edge(self, u: str, v: str, attrs: Attrs | None = None, key: str | None = None) -> None:
        """Append an edge (creating missing end-points)."""
        self.nodes.setdefault(u, {})
        self.nodes.setdefault(v, {})
        self.edges.append((u, v, key, dict(attrs) if attrs else {}))
