"""Drawing what rfgraph computes: architecture diagrams (Graphviz) and receptive-field plots
(matplotlib).

- :func:`architecture_dot`, :func:`diagram`, :func:`render`: the graph with every layer and
  every map's r, S, P, merges, and for misaligned graphs where and by how much paths disagree
  (DOT always; SVG with the system Graphviz or the ``render`` extra; PNG/PDF with the system
  Graphviz).
- :func:`plot_region`: one row of cells per feature map, the region of one output feature
  followed down to the input (padding hatched, one colour per path when misaligned).
- :func:`plot_overlay`: the exact and unclipped regions of output features over an image.
- :func:`plot_growth`: r, S and P of every map against depth.

Nothing heavy is imported until used: matplotlib and the WebAssembly Graphviz load on the
first plot or SVG.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "architecture_dot": "graphviz", "diagram": "graphviz", "render": "graphviz",
    "render_dot": "graphviz", "Diagram": "graphviz", "collapse_edges": "graphviz",
    "plot_region": "plots", "plot_overlay": "plots", "plot_growth": "plots",
    "save_figure": "plots",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rfgraph.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
