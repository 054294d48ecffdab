"""How witness paths are named, the same way in the text report, diagrams and plots.

Paths are numbered with circled digits, ``path ①``, ``path ②``, ... Circled digits are not
valid in Python identifiers, so a name taken from a PyTorch module (``a``, ``b``,
``path1``) can never read like a path's name. Witness paths of the misalignment diagnosis
come in the order of the disagreements, each path once (by its edges), so that ``path ①``
is the same path in ``rfgraph analyze``'s report, in the graph's diagram and in its region
plot.

>>> path_name(0), path_name(1), path_name(25)
('path ①', 'path ②', 'path (26)')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MARKS", "path_name", "path_number", "witness_paths"]

MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def path_name(k: int) -> str:
    """The name of the ``k``-th path (from 0): ``path ①``.

    Parameters
    ----------
    k : int
        The path's index among :func:`witness_paths` (or among the paths drawn).

    Returns
    -------
    str

    Examples
    --------
    >>> path_name(2), path_name(20)
    ('path ③', 'path (21)')
    """
    return f"path {MARKS[k]}" if k < len(MARKS) else f"path ({k + 1})"


def witness_paths(mismatches: Sequence) -> list:
    """The witness paths of the disagreements, in order, each path once (by its edges).

    Parameters
    ----------
    mismatches : sequence of Mismatch

    Returns
    -------
    list of WitnessPath

    Examples
    --------
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
    """The index of ``path`` (by its edges) among ``paths``.

    Examples
    --------
    >>> import rfgraph
    >>> m = rfgraph.analyze("graphs/distill_fig4_misaligned.dot").mismatches
    >>> path_number(witness_paths(m), m[0].paths[1])
    1
    """
    edges = [tuple(p.edges) for p in paths]
    return edges.index(tuple(path.edges))
