"""Models by name: ``torchvision:NAME`` and ``keras:NAME`` (``keras.applications``), built
without weights (only the architecture matters) and imported.

>>> is_named("torchvision:resnet50"), is_named("keras:ResNet50"), is_named("net.dot")
(True, True, False)
"""

from __future__ import annotations

from typing import Any

from ..core.errors import ModelImportError
from .limits import check_example

__all__ = ["PREFIXES", "is_named", "load_named"]

#: The model zoos a name can come from.
PREFIXES = ("torchvision:", "keras:")


def is_named(spec: Any) -> bool:
    """``spec`` names a model of a zoo (``torchvision:resnet50``, ``keras:ResNet50``)."""
    return isinstance(spec, str) and spec.startswith(PREFIXES)


def load_named(spec: str, input_size: Any = None, output: Any = None, **options: Any):
    """The network of the model ``spec`` names, at ``input_size`` (default: the model's own
    size: 224x224, 299x299 for Inception-v3)."""
    zoo, name = spec.split(":", 1)
    if zoo == "keras":
        return _keras_application(name, input_size, output, **options)
    return _torchvision(name, input_size, output, **options)


def _keras_application(name: str, input_size: Any, output: Any, **options: Any):
    from .keras import from_keras, load_keras_application

    if input_size:
        check_example(tuple(input_size) * (2 if len(input_size) == 1 else 1))
    model, version = load_keras_application(name, input_size)
    size = "x".join(str(int(n)) for n in model.inputs[0].shape[1:-1])
    return from_keras(model, output=output, name=name,
                      description=f"keras.applications.{name}(weights=None), Keras {version}, "
                                  f"imported by rfgraph at {size}", **options)


def _torchvision(name: str, input_size: Any, output: Any, **options: Any):
    size = tuple(input_size) if input_size else ((299, 299) if name == "inception_v3" else (224, 224))
    if len(size) == 1:
        size = size * 2
    check_example(size)
    try:
        import torch
        import torchvision
    except ImportError:
        raise ModelImportError("torchvision:NAME needs PyTorch and torchvision: pip install torch torchvision") from None
    from .torch_fx import from_torch

    try:
        builder = torchvision.models.get_model_builder(name)
    except (ValueError, KeyError):
        raise ModelImportError(f"torchvision has no model {name!r} (see torchvision.models.list_models())") from None
    extra = {"aux_logits": False, "init_weights": False} if name in ("inception_v3", "googlenet") else {}
    model = builder(weights=None, **extra).eval()
    return from_torch(model, torch.zeros(1, 3, *size), output=output, name=name,
                      description=f"torchvision.models.{name}(weights=None), torchvision "
                                  f"{torchvision.__version__}, imported by rfgraph at {size[0]}x{size[1]}",
                      **options)
