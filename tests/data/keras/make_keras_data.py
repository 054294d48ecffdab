"""Generate the stored Keras test models: for each small model, its configuration
(``NAME.json``, as in a .keras file's config.json) and the gradient support of every output
position computed by autograd on the real Keras model (``NAME.npz``: torch backend, float64,
linear with positive weights, see tests/keras_reference.py). tests/test_import_keras.py
checks the importer against these without Keras installed. ``tiny.keras`` is a saved model.

    KERAS_BACKEND=torch python tests/data/keras/make_keras_data.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import keras  # noqa: E402
from keras import layers as L  # noqa: E402

from keras_reference import gradient_support, linearize  # noqa: E402


def small_cnn():
    x = keras.Input((17, 15, 3), name="image")
    y = L.Conv2D(4, 3, strides=2, padding="same", name="stem")(x)
    y = L.BatchNormalization(name="stem_bn")(y)
    y = L.ReLU(6.0, name="stem_relu")(y)
    shared = L.DepthwiseConv2D(3, padding="same", name="shared_dw")
    y = shared(shared(y))
    y = L.MaxPooling2D(3, strides=2, padding="same", name="pool")(y)
    block = keras.Sequential([L.Conv2D(4, 3, padding="valid", name="inner_conv"),
                              L.LayerNormalization(name="inner_ln")], name="block")
    b = block(L.ZeroPadding2D(((2, 1), (1, 2)), name="zpad")(y))
    b = L.Cropping2D(((0, 1), (1, 0)), name="crop")(b)
    s = L.SeparableConv2D(4, 3, dilation_rate=2, padding="same", name="sep")(y)
    up = L.Conv2DTranspose(4, 3, strides=2, padding="same", name="up_t")(L.Add(name="merge")([b, s]))
    near = L.UpSampling2D(2, name="up_n")(s)
    out = L.Concatenate(name="cat")([up, near])
    out = L.Dense(3, name="per_position")(out)
    se = L.GlobalAveragePooling2D(name="squeeze")(out)
    se = L.Reshape((1, 1, 3), name="se_reshape")(L.Dense(3, activation="sigmoid", name="se_fc")(se))
    gated = L.Multiply(name="excite")([out, se])
    return keras.Model(x, [out, gated], name="small_cnn"), (17, 15)


def channels_first():
    x = keras.Input((2, 13, 11), name="image")
    y = L.Conv2D(3, (3, 5), strides=(2, 1), padding="same", data_format="channels_first", name="a")(x)
    y = L.AveragePooling2D(2, data_format="channels_first", name="pool")(y)
    y = L.UpSampling2D((2, 3), interpolation="bilinear", data_format="channels_first", name="up")(y)
    y = L.Conv2D(2, 3, dilation_rate=2, data_format="channels_first", name="b")(y)
    return keras.Model(x, y, name="channels_first"), (13, 11)


def conv1d():
    x = keras.Input((31, 2), name="signal")
    y = L.Conv1D(3, 3, padding="causal", name="causal")(x)
    y = L.Conv1D(3, 3, strides=2, dilation_rate=1, padding="valid", name="strided")(y)
    y = L.Conv1DTranspose(3, 4, strides=3, padding="valid", name="t_valid")(y)
    y = L.Conv1DTranspose(3, 2, strides=3, padding="valid", name="t_short")(y)
    y = L.MaxPooling1D(3, strides=4, padding="same", name="pool")(y)
    y = L.Cropping1D((2, 1), name="crop")(y)
    y = L.Conv1DTranspose(2, 3, strides=2, padding="same", output_padding=1, name="t_outpad")(y)
    return keras.Model(x, y, name="conv1d"), (31,)


MODELS = {"small_cnn": small_cnn, "channels_first": channels_first, "conv1d": conv1d}


def main() -> None:
    keras.config.set_floatx("float64")
    for name, make in MODELS.items():
        model, size = make()
        config = {"class_name": "Functional", "config": model.get_config()}
        (HERE / f"{name}.json").write_text(json.dumps(config, indent=1) + "\n")
        if name == "small_cnn":
            model.save(HERE / "tiny.keras")
        channels_first = name == "channels_first"
        shape = (1, 2, *size) if channels_first else (1, *size, model.inputs[0].shape[-1])
        linearize(model)
        arrays = {}
        for k, out in enumerate(model.outputs):
            sub = keras.Model(model.inputs, out)
            spatial = tuple(out.shape[2:]) if channels_first else tuple(out.shape[1:-1])
            positions = list(np.ndindex(*spatial))
            support = gradient_support(sub, shape, positions)
            arrays[f"output{k}"] = np.stack([support[p] for p in positions]).reshape(*spatial, *size)
        np.savez_compressed(HERE / f"{name}.npz", **arrays)
        print(name, {k: v.shape for k, v in arrays.items()})


if __name__ == "__main__":
    main()
