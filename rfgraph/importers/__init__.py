"""Importers: PyTorch modules (through torch.fx), ONNX models and Keras 3 models to rfgraph
graphs.

>>> import rfgraph.importers          # works without torch, onnx or keras installed
>>> callable(rfgraph.importers.from_torch), callable(rfgraph.importers.from_onnx)
(True, True)
>>> callable(rfgraph.importers.from_keras)
True

:func:`from_torch`, :func:`from_onnx` and :func:`from_keras` return a :class:`~rfgraph.network.Network` whose
nodes are the model's feature maps (named after its modules or ONNX tensors) and whose edges
carry the op, its geometry and the original op type; it saves to DOT or GraphML like any
graph (:func:`rfgraph.save`). torch, onnx and keras are imported only when called (a
``.keras`` file is read without keras).
"""

from __future__ import annotations

from typing import Any


def from_torch(module, example_input, **options: Any):
    """Convert a PyTorch module (see :func:`rfgraph.importers.torch_fx.from_torch`)."""
    from .torch_fx import from_torch as convert

    return convert(module, example_input, **options)


def from_onnx(path_or_model, **options: Any):
    """Convert an ONNX model or file (see :func:`rfgraph.importers.onnx.from_onnx`)."""
    from .onnx import from_onnx as convert

    return convert(path_or_model, **options)


def from_keras(model_or_path, **options: Any):
    """Convert a Keras 3 model, ``.keras`` file or configuration (see
    :func:`rfgraph.importers.keras.from_keras`)."""
    from .keras import from_keras as convert

    return convert(model_or_path, **options)


__all__ = ["from_torch", "from_onnx", "from_keras"]
