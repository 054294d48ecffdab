"""How paths are named and coloured, the same way in diagrams, plots and the text report
(the names come from :mod:`rfgraph.results.naming`).

Paths drawn on their own are numbered with circled digits, ``path ①``, ``path ②``, ..., each
in its colour of :data:`COLORS`. Circled digits are not valid in Python identifiers, so a
name taken from a PyTorch module (``a``, ``b``, ``path1``) can never read like a path's
name. Witness paths of the misalignment diagnosis come first, in the order of the
disagreements, each path once, so that ``path ①`` is the same path in a graph's diagram, in
its region plot and in ``rfgraph analyze``'s report.

>>> path_name(0), path_name(1), path_name(25)
('path ①', 'path ②', 'path (26)')
>>> differing_part([["x", "a", "y"], ["x", "b", "c", "y"]])
[['x', 'a', 'y'], ['x', 'b', 'c', 'y']]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..results.naming import MARKS, path_name, path_number, witness_paths

__all__ = ["COLORS", "MARKS", "differing_part", "path_color", "path_name", "path_number", "witness_paths"]

#: Path colours, in order (the two witness paths of the first disagreement first).
COLORS = ("#1f77b4", "#e8710a", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")


def path_color(k: int) -> str:
    """The colour of the ``k``-th path drawn (from 0)."""
    return COLORS[k % len(COLORS)]


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
