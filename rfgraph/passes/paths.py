"""Paths from the input to the output: exact count by dynamic programming, lazy enumeration.

A chain of n residual blocks has 2^n paths, so nothing here ever materialises them all:
:func:`count_paths` is one sweep with Python integers, :func:`iter_paths` yields one path at a
time, each found in time proportional to its length (dead ends are pruned beforehand).

>>> from rfgraph.core.raw import RawGraph
>>> from rfgraph.core.network import build
>>> raw = RawGraph()
>>> for i in range(60):   # 60 residual blocks: a conv branch and an identity shortcut
...     raw.add_edge(f"b{i}", f"b{i+1}", {"op": "conv", "k": 3, "p": 1})
...     raw.add_edge(f"b{i}", f"b{i+1}", {"op": "identity"})
>>> net = build(raw)
>>> count_paths(net) == 2 ** 60
True
>>> first = next(iter_paths(net))
>>> len(first.edges), first.nodes[:3]
(60, ('b0', 'b1', 'b2'))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from .geometry import PathGeometry, recursion
from ..core.network import Network, Node, as_network


@dataclass(frozen=True, eq=False)
class Path:
    """One path: its nodes and the ids of its edges (parallel edges make paths with the same
    nodes distinct). ``geometry`` gives (r, S, P) per axis by the single-path recursion."""

    net: Network
    edges: tuple[int, ...]
    start: int

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        names = self.net.nodes
        return (names[self.start],) + tuple(names[self.net.edges[e].dst] for e in self.edges)

    @cached_property
    def geometry(self) -> tuple[PathGeometry, ...]:
        layers = [self.net.edges[e].layer for e in self.edges]
        return tuple(recursion([layer.symbolic(a) for layer in layers]) for a in range(self.net.ndim))

    def to_dict(self) -> dict:
        from ..results import geometry_dict

        return {
            "nodes": [str(n) for n in self.nodes],
            "edges": [[str(self.net.nodes[self.net.edges[e].src]), str(self.net.nodes[self.net.edges[e].dst]),
                       str(self.net.edges[e].key)] for e in self.edges],
            "axes": [geometry_dict(g) for g in self.geometry],
        }


def count_between(net: Network, x: int, y: int) -> int:
    """Number of paths from node index ``x`` to node index ``y`` (parallel edges count)."""
    counts = [0] * len(net.nodes)
    counts[x] = 1
    src = [e.src for e in net.edges]
    for v in range(x + 1, y + 1):
        total = 0
        for e in net.in_edges[v]:
            total += counts[src[e]]
        counts[v] = total
    return counts[y]


def count_paths(G, input: Node | None = None, output: Node | None = None) -> int:
    """Exact number of input-to-output paths (a Python int, 2^60 and beyond)."""
    net = as_network(G)
    x, y = net.endpoints(input, output)
    return count_between(net, x, y)


def iter_between(net: Network, x: int, y: int, edge_ok: list[bool] | None = None) -> Iterator[Path]:
    """Lazily yield every path from ``x`` to ``y`` in depth-first order (only through edges
    where ``edge_ok`` is true, when given)."""
    alive = net.ancestors(y, edge_ok)
    edges = net.edges
    out = [[e for e in net.out_edges[v] if alive[edges[e].dst] and (edge_ok is None or edge_ok[e])]
           for v in range(len(net.nodes))]
    if x == y:
        yield Path(net, (), x)
        return
    stack = [iter(out[x])]
    trail: list[int] = []
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
            if trail:
                trail.pop()
            continue
        v = edges[e].dst
        trail.append(e)
        if v == y:
            yield Path(net, tuple(trail), x)
            trail.pop()
        else:
            stack.append(iter(out[v]))


def iter_paths(G, input: Node | None = None, output: Node | None = None) -> Iterator[Path]:
    """Lazily yield the input-to-output paths as :class:`Path` records."""
    net = as_network(G)
    x, y = net.endpoints(input, output)
    return iter_between(net, x, y)
