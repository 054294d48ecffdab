"""rfgraph: receptive fields of convolutional networks given as graphs.

Load a graph (DOT, GraphML, or a networkx graph built in code), then ask for the receptive
field, effective stride and padding, alignment and its diagnosis, regions and paths.
See the README for a tour.
"""

from .aggregate import StrideClass, backward_pass, forward_pass
from .analysis import analyze, layer_table, nearest_output, output_table
from .errors import (
    AttributeValueError,
    ModelImportError,
    NodeNotFoundError,
    ParseError,
    RenderError,
    RFGraphError,
    ShapeError,
    TopologyError,
    UnknownOpError,
    UnsupportedError,
)
from .geometry import PathGeometry
from .importers import from_keras, from_onnx, from_torch
from .io.formats import annotate, dumps, load, save
from .network import Edge, Network, as_network, build, from_networkx
from .ops import OPS, Layer, OpSpec, Transposed, Upsample, Window, WholeInput, register_op
from .paths import Path, count_paths, iter_paths
from .results import Analysis, AxisResult, Mismatch, NodeResult, WitnessPath

__version__ = "0.1.0"

# Drawing is re-exported lazily: importing rfgraph must stay fast (the CLI's budget).
_LAZY = {name: "rfgraph.render" for name in
         ("Diagram", "architecture_dot", "diagram", "plot_growth", "plot_overlay", "plot_region")}
_LAZY.update({"footprints": "rfgraph.regions", "infer_shapes": "rfgraph.shapes"})


_LAZY["exact_regions"] = "rfgraph.regions"  # rfgraph.regions is the module
_RENAMED = {"exact_regions": "regions"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rfgraph' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value
