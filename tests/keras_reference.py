"""Autograd on real Keras models (torch backend): the independent check of the Keras importer.

:func:`linearize` makes a built Keras model linear with positive coefficients in place
(kernels 1 / fan-in, biases 0, batch norm an identity, activations linear, ReLU6 uncapped,
layer normalisation and input rescaling removed, max pooling averaged over the same windows); run in float64
(``keras.config.set_floatx("float64")`` before building), the gradient of an output feature
with respect to an all-ones image is then non-zero exactly on the pixels it depends on
(math section 7). :func:`gradient_support` returns that support per output position.
Needs keras with ``KERAS_BACKEND=torch``.
"""

from __future__ import annotations

import numpy as np


def all_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from all_layers(layer)
        else:
            yield layer


def _average_call(layer):
    import keras

    def call(inputs, *args, **kwargs):
        return keras.ops.average_pool(inputs, layer.pool_size, layer.strides, layer.padding, layer.data_format)

    return call


def linearize(model) -> None:
    import keras

    for layer in all_layers(model):
        cls = type(layer).__name__
        if hasattr(layer, "activation"):
            layer.activation = keras.activations.linear
        if cls == "ReLU":
            layer.max_value = None
        if cls.startswith("MaxPooling"):
            layer.call = _average_call(layer)
        if cls.startswith("GlobalMaxPooling"):
            raise ValueError("global max pooling: use a model without it")
        # per position (over channels only in these models), and input scalings: values stay
        # near 1, so squeeze-excitation products (x times a gate of x) cannot underflow
        if cls in ("LayerNormalization", "Rescaling", "Normalization"):
            layer.call = lambda inputs, *a, **k: inputs
        if cls == "BatchNormalization":
            layer.epsilon = 0.0
        values = []
        for var in layer.weights:
            path = var.path.lower()
            shape = tuple(var.shape)
            if path.endswith("kernel"):
                depthwise = cls.startswith("DepthwiseConv") or path.endswith("depthwise_kernel")
                fan_in = int(np.prod(shape[:-2])) if depthwise else int(np.prod(shape[:-1]))
                values.append(np.full(shape, 1.0 / max(fan_in, 1)))
            elif any(path.endswith(k) for k in ("bias", "beta", "moving_mean")):
                values.append(np.zeros(shape))
            elif any(path.endswith(k) for k in ("gamma", "moving_variance", "scale")):
                values.append(np.ones(shape))
            else:
                values.append(np.asarray(keras.ops.convert_to_numpy(var)))
        if values:
            layer.set_weights(values)


def gradient_support(model, input_shape, positions, output=None) -> dict:
    """{output position: boolean mask over the input's spatial axes}; ``input_shape`` is the
    model's input shape with batch 1 (channels last or first as the model has it);
    ``output``: a layer name (default the model's output)."""
    import keras
    import torch

    if output is not None:
        model = keras.Model(model.inputs, model.get_layer(output).output)
    x = torch.ones(input_shape, dtype=torch.float64, requires_grad=True)
    y = model(x)
    if isinstance(y, (list, tuple)):
        y = y[0]
    last = model.layers[-1]
    channels_first = getattr(last, "data_format", "channels_last") == "channels_first"
    found = {}
    for pos in positions:
        pos = tuple(pos)
        if y.dim() == 2:
            picked = y[0]
        elif channels_first:
            picked = y[(0, slice(None), *pos)]
        else:
            picked = y[(0, *pos, slice(None))]
        (g,) = torch.autograd.grad(picked.sum(), x, retain_graph=True)
        g = g[0].detach().abs().numpy()
        found[pos] = (g.sum(axis=0 if channels_first else -1) != 0)
    return found
