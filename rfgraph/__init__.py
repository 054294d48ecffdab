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
from .importers import from_onnx, from_torch
from .io.formats import annotate, dumps, load, save
from .network import Edge, Network, as_network, build, from_networkx
from .ops import OPS, Layer, OpSpec, Transposed, Upsample, Window, WholeInput, register_op
from .paths import Path, count_paths, iter_paths
from .render import Diagram, architecture_dot, diagram, plot_growth, plot_overlay, plot_region
from .results import Analysis, AxisResult, Mismatch, NodeResult, WitnessPath

__version__ = "0.1.0"
