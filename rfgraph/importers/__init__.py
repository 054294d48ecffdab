"""Importers: PyTorch modules (through torch.fx), ONNX models and Keras 3 models to rfgraph
graphs.

>>> import rfgraph.importers          # works without torch, onnx or keras installed
>>> callable(rfgraph.importers.from_torch), callable(rfgraph.importers.from_onnx)
(True, True)
>>> callable(rfgraph.importers.from_keras)
True

:func:`from_torch`, :func:`from_onnx` and :func:`from_keras` return a :class:`~rfgraph.core.network.Network` whose
nodes are the model's feature maps (named after its modules or ONNX tensors) and whose edges
carry the op, its geometry and the original op type; it saves to DOT or GraphML like any
graph (:func:`rfgraph.save`). torch, onnx and keras are imported only when called (a
``.keras`` file is read without keras).
"""

from __future__ import annotations

from typing import Any


# The importer modules load on first use: each costs tens of milliseconds even before torch,
# onnx or keras, which they import only when they run.


def from_torch(module, example_input, **options: Any):
    """Convert a PyTorch module (see :func:`rfgraph.importers.torch_fx.from_torch`).

    Examples
    --------
    >>> import torch, rfgraph
    >>> model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), torch.nn.ReLU(),
    ...                             torch.nn.MaxPool2d(2))
    >>> rfgraph.analyze(rfgraph.from_torch(model, torch.zeros(1, 3, 32, 32))).rf
    (5, 5)
    """
    from .torch_fx import from_torch as convert

    return convert(module, example_input, **options)


def from_onnx(path_or_model, **options: Any):
    """Convert an ONNX model or file (see :func:`rfgraph.importers.onnx.from_onnx`).

    Examples
    --------
    >>> import onnx, rfgraph
    >>> from onnx import TensorProto, helper
    >>> graph = helper.make_graph(
    ...     [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2])], "pool",
    ...     [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 9, 9])],
    ...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])])
    >>> rfgraph.analyze(rfgraph.from_onnx(helper.make_model(graph))).rf
    (3, 3)
    """
    from .onnx import from_onnx as convert

    return convert(path_or_model, **options)


def from_keras(model_or_path, **options: Any):
    """Convert a Keras 3 model, ``.keras`` file or configuration (see
    :func:`rfgraph.importers.keras.from_keras`); a ``.keras`` file needs no Keras installed.

    Examples
    --------
    >>> import rfgraph
    >>> net = rfgraph.from_keras("tests/data/keras/tiny.keras")
    >>> net.nodes[:4], rfgraph.analyze(net, output="pool").rf
    (('image', 'stem', 'stem_bn', 'stem_relu'), (15, 15))
    """
    from .keras import from_keras as convert

    return convert(model_or_path, **options)


__all__ = ["from_torch", "from_onnx", "from_keras"]
