"""Footprints: one output feature followed back through every map along one axis (the
receptive-field plots draw them, Distill style).

Each axis is taken alone (in 2-D a branch dead along the other axis is still shown); in a
sized network (see :func:`rfgraph.passes.shapes.infer_shapes`) maps have their lengths and
padding positions stop there, otherwise the axis is unbounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import UnsupportedError, where
from ..core.limits import check_bytes, current_limits, file_size_text
from ..core.network import Network, Node
from ..core.ops import CTX, WHOLE, fill_source
from ..results import Footprint
from .regions import REACH, taps_count

# Bytes per position read: the tap arrays and the Python set of positions.
READ_BYTES = 120

__all__ = ["trace_footprints"]


def trace_footprints(net: Network, x: int, y: int, at: int, axis: int = 0,
                     edges: Sequence[int] | None = None) -> dict[Node, Footprint]:
    """For each node on a path from ``x`` to ``y`` (only through the edge ids ``edges`` when
    given: one path, say), the positions output feature ``at`` of ``y`` reads there along
    ``axis``, padding positions included."""
    edge_ok = None if edges is None else [False] * len(net.edges)
    for e in edges or ():
        edge_ok[e] = True
    within = net.between(x, y, edge_ok)

    def length(v: int) -> int | None:
        size = net.lengths[v] if net.lengths is not None else None
        return size[axis] if size is not None else None

    if abs(int(at)) > REACH:
        raise UnsupportedError(f"{where(net.source)}output position {int(at)} is beyond +-2^31")
    found: dict[int, set[int]] = {y: {int(at)}}
    for v in range(y, x - 1, -1):
        if v not in found or not within[v]:
            continue
        n = length(v)
        live = np.array(sorted(p for p in found[v] if n is None or 0 <= p < n), dtype=np.int64)
        if v == x or not len(live):
            continue
        if abs(int(live[0])) > REACH or abs(int(live[-1])) > REACH:
            raise UnsupportedError(f"{where(net.source)}node {net.nodes[v]}: the footprint reaches position "
                                   f"{int(live[-1])} along axis {axis}, beyond +-2^31")
        for e in net.in_edges[v]:
            w = net.edges[e].src
            if not within[w] or (edge_ok is not None and not edge_ok[e]):
                continue
            need = len(live) * taps_count(net.edges[e].layer, axis, len(live)) * READ_BYTES
            if need > current_limits().max_memory:
                check_bytes("max_memory", need,
                            f"{where(net.source)}edge {net.edge_name(e)}: the footprint of output {at} needs "
                            f"about {file_size_text(need)} along axis {axis}, which")
            found.setdefault(w, set()).update(_reads(net.edges[e].layer, axis, live, length(w)))
    return {net.nodes[v]: Footprint(net.nodes[v], np.array(sorted(p), dtype=np.int64), length(v))
            for v, p in sorted(found.items())}


def _reads(layer, axis: int, live: np.ndarray, n_w: int | None) -> set[int]:
    """The positions of the edge's input map that positions ``live`` of its output read."""
    if layer.symbolic(axis)[0] in (WHOLE, CTX):
        return set(range(n_w)) if n_w is not None else set()
    index, exists = layer.spec.taps(layer, axis, live)
    reads = set(index[exists].tolist())
    if n_w is not None and layer.pad_mode != "zeros":  # padding that reads pixels
        mapped, ok = fill_source(index, n_w, layer, axis)
        reads |= set(mapped[exists & ok].tolist())
    return reads
