"""Importers: PyTorch modules (through torch.fx) and ONNX models to rfgraph graphs.

>>> import rfgraph.importers          # works without torch or onnx installed
>>> callable(rfgraph.importers.from_torch), callable(rfgraph.importers.from_onnx)
(True, True)

:func:`from_torch` and :func:`from_onnx` return a :class:`~rfgraph.core.network.Network` whose
nodes are the model's feature maps (named after its modules or ONNX tensors) and whose edges
carry the op, its geometry and the original op type; it saves to DOT or GraphML like any
graph (:func:`rfgraph.save`). torch and onnx are imported only when called.
"""

from __future__ import annotations

from typing import Any


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


__all__ = ["from_torch", "from_onnx"]
