"""rfgraph: receptive fields of convolutional networks given as graphs.

Load a graph (DOT, GraphML, an ONNX model, or a networkx graph built in code) or import a
model, then ask for the receptive field, effective stride and padding, alignment and its
diagnosis, exact regions and paths. See the README for a tour.

>>> import rfgraph
>>> rfgraph.analyze("graphs/resnet50.dot").rf
(427, 427)

The package is layered; imports flow one way (see the README's "Development" section)::

    cli  ->  render, importers, api  ->  analysis  ->  passes  ->  results  ->  core
                                          io  ->  core
"""

from __future__ import annotations

import importlib
from typing import Any

from .analysis import (analyze, count_paths, exact_regions, footprints, iter_paths, list_paths, nearest_output,
                       regions_at, summary, table)
from .api import annotate, dumps, load, save
from .core.errors import (AttributeValueError, InputTypeError, LimitError, ModelImportError, NodeNotFoundError,
                          OutputExistsError, ParseError, RenderError, RFGraphError, ShapeError, TopologyError,
                          UnknownOpError, UnsupportedError)
from .core.limits import Limits, current_limits, limits, set_limits
from .core.network import Edge, Network, as_network, build, from_networkx
from .core.ops import OPS, Layer, OpSpec, Transposed, Upsample, WholeInput, Window, register_op
from .importers import from_keras, from_onnx, from_torch
from .passes.shapes import infer_shapes
from .results import (Analysis, AxisResult, BatchRow, Mismatch, NodeResult, Path, PathGeometry, PathList,
                      RegionList, Summary, Table, WitnessPath)

__version__ = "0.1.0"

# Drawing and batch analysis are loaded on first use: matplotlib and the WebAssembly Graphviz
# are heavy, and `import rfgraph` (the command line's start) must stay fast.
_LAZY = {
    "Diagram": "rfgraph.render", "architecture_dot": "rfgraph.render", "diagram": "rfgraph.render",
    "plot_growth": "rfgraph.render", "plot_overlay": "rfgraph.render", "plot_region": "rfgraph.render",
    # batch analysis loads concurrent.futures and multiprocessing only when used
    "analyze_many": "rfgraph.batch",
}

__all__ = sorted([
    # questions
    "analyze", "table", "summary", "exact_regions", "regions_at", "nearest_output", "footprints",
    "count_paths", "iter_paths", "list_paths", "infer_shapes",
    # graphs in and out
    "load", "save", "dumps", "annotate", "build", "from_networkx", "as_network", "from_torch", "from_onnx", "from_keras",
    # the graph and its operations
    "Network", "Edge", "Layer", "OPS", "OpSpec", "Window", "Transposed", "Upsample", "WholeInput",
    "register_op",
    # limits on inputs and work
    "Limits", "limits", "current_limits", "set_limits",
    # results
    "Analysis", "AxisResult", "BatchRow", "Mismatch", "WitnessPath", "NodeResult", "Table", "Path", "PathGeometry",
    "PathList", "RegionList", "Summary",
    # errors
    "RFGraphError", "AttributeValueError", "InputTypeError", "LimitError", "ModelImportError", "NodeNotFoundError",
    "OutputExistsError", "ParseError",
    "RenderError", "ShapeError", "TopologyError", "UnknownOpError", "UnsupportedError",
    *_LAZY,  # drawing; analyze_many
])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rfgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
