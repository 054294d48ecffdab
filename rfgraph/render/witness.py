"""How paths are named and coloured, the same way in diagrams and plots.

Paths drawn on their own are numbered with circled digits, ``path ①``, ``path ②``, ..., each
in its colour of :data:`COLORS`. Circled digits are not valid in Python identifiers, so a
name taken from a PyTorch module (``a``, ``b``, ``path1``) can never read like a path's
name. Witness paths of the misalignment diagnosis come first, in the order of the
disagreements, each path once, so that ``path ①`` is the same path in a graph's diagram and
in its region plot.

>>> path_name(0), path_name(1), path_name(25)
('path ①', 'path ②', 'path (26)')
>>> differing_part([["x", "a", "y"], ["x", "b", "c", "y"]])
[['x', 'a', 'y'], ['x', 'b', 'c', 'y']]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Path colours, in order (the two witness paths of the first disagreement first).
COLORS = ("#1f77b4", "#e8710a", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def path_name(k: int) -> str:
    """The name of the ``k``-th path drawn (from 0): ``path ①``."""
    return f"path {MARKS[k]}" if k < len(MARKS) else f"path ({k + 1})"


def path_color(k: int) -> str:
    """The colour of the ``k``-th path drawn (from 0)."""
    return COLORS[k % len(COLORS)]


def witness_paths(mismatches: Sequence) -> list:
    """The witness paths of the disagreements, in order, each path once (by its edges).

    >>> import rfgraph
    >>> m = rfgraph.analyze("graphs/distill_fig4_misaligned.dot").mismatches
    >>> [p.nodes for p in witness_paths(m)]
    [('x', 'a', 'y'), ('x', 'b', 'c', 'y')]
    """
    seen: dict[tuple[int, ...], Any] = {}
    for m in mismatches:
        for p in m.paths:
            seen.setdefault(tuple(p.edges), p)
    return list(seen.values())


def path_number(paths: Sequence, path) -> int:
    """The index of ``path`` (by its edges) among ``paths``."""
    edges = [tuple(p.edges) for p in paths]
    return edges.index(tuple(path.edges))


def differing_part(paths: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Each path (a sequence of node names) cut to where the paths differ: the steps (pairs of
    consecutive nodes) that not every path takes, with both their nodes (so where the paths
    part and meet shows); every run of nodes left out is one ``…``.

    >>> differing_part([["x", "p", "q", "a", "y", "z"], ["x", "p", "q", "b", "y", "z"]])
    [['…', 'q', 'a', 'y', '…'], ['…', 'q', 'b', 'y', '…']]
    >>> differing_part([["x", "a"]])
    [['x', 'a']]
    """
    if len(paths) < 2:
        return [list(p) for p in paths]
    steps = [set(zip(p, p[1:])) for p in paths]
    everywhere = steps[0].intersection(*steps[1:])
    out = []
    for p in paths:
        own = [(a, b) not in everywhere for a, b in zip(p, p[1:])]  # own[i]: the step p[i] -> p[i+1]
        keep = [(i < len(own) and own[i]) or (i > 0 and own[i - 1]) for i in range(len(p))]
        part: list[Any] = []
        for node, kept in zip(p, keep):
            if kept:
                part.append(node)
            elif not part or part[-1] != "…":
                part.append("…")
        out.append(part)
    return out
