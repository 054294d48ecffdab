"""The Keras importer against autograd on the real Keras models.

Without Keras: small models stored as configurations (tests/data/keras/NAME.json, as in a
.keras file) with the gradient support of every output position computed by autograd on
the real Keras model when they were generated (NAME.npz, tests/data/keras/make_keras_data.py);
every exact set rfgraph computes from the configuration alone must equal it. Hand-checked
geometry for the rules that are easy to get wrong (TensorFlow 'same', transposed 'same').
With Keras (``KERAS_BACKEND=torch``): the same small models rebuilt live, and eight
keras.applications models checked against autograd on the real models (float64, positive
weights, max pooling averaged), at the output and at a map whose receptive field is smaller
than the image.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import rfgraph
from rfgraph.core.errors import ModelImportError, ParseError
from rfgraph.importers import from_keras
from rfgraph import exact_regions as regions

DATA = Path(__file__).resolve().parent / "data" / "keras"
STORED = ["small_cnn", "channels_first", "conv1d"]


def outputs_of(net):
    return net.graph_attrs.get("outputs", net.graph_attrs["output"]).split(",")


def same_as_support(net, support: np.ndarray, output: str) -> None:
    """Every output position's exact set equals the stored gradient support ([*out, *in])."""
    ndim = net.ndim
    size = support.shape[ndim:]
    r = regions(net, size, output=output)
    assert tuple(r.output_size) == support.shape[:ndim], (r.output_size, support.shape)
    for pos in np.ndindex(*support.shape[:ndim]):
        exact = r.exact_set(pos)
        assert np.array_equal(exact, support[pos]), (output, pos, np.argwhere(exact ^ support[pos])[:5])
        item = r.at(pos)
        if support[pos].any():
            idx = np.argwhere(support[pos])
            assert item["lo"] == list(idx.min(axis=0)) and item["hi"] == list(idx.max(axis=0))


@pytest.mark.parametrize("name", STORED)
def test_stored_models_agree_with_keras_autograd(name):
    net = from_keras(DATA / f"{name}.json")
    stored = np.load(DATA / f"{name}.npz")
    outs = outputs_of(net)
    assert len(outs) == len(stored.files)
    for k, output in enumerate(outs):
        same_as_support(net, stored[f"output{k}"], output)


def test_config_dict_and_keras_file_need_no_keras(tmp_path):
    config = json.loads((DATA / "small_cnn.json").read_text())
    a = rfgraph.analyze(from_keras(config)).to_dict()
    b = rfgraph.analyze(from_keras(DATA / "tiny.keras")).to_dict()
    assert b.pop("file").endswith("tiny.keras")
    c = rfgraph.analyze(from_keras(config["config"])).to_dict()  # model.get_config() itself
    assert a == b == c
    # stride 4, then a 2x upsampling: stride 2, region sizes by output phase
    assert a["axes"][0]["stride"] == 2 and [p["size"] for p in a["axes"][0]["phases"]] == [35, 31]


def test_names_shared_layers_nested_models_and_sizes():
    net = from_keras(DATA / "small_cnn.json")
    assert {"shared_dw", "shared_dw_1", "block", "inner_conv", "per_position", "excite"} <= set(net.nodes)
    sizes = rfgraph.infer_shapes(net).sizes
    assert sizes["stem"] == (9, 8) and sizes["pool"] == (5, 4) and sizes["block"] == (6, 5)
    assert sizes["up_t"] == (10, 8) and sizes["per_position"] == (10, 8)
    edge = {net.nodes[e.dst]: e for e in net.edges}
    # TensorFlow 'same' on 17 with k 3, s 2: 9 outputs, total padding 2 (8 * 2 + 3 - 17), 1 + 1;
    # on 15: 8 outputs, total 2 (7 * 2 + 3 - 15) -> 1, 1
    assert edge["stem"].layer.p_l == (1, 1) and edge["stem"].layer.p_r == (1, 1)
    # pool 'same' on 9x8, k 3, s 2: 5x4; totals 2 (4 * 2 + 3 - 9) and 1 (3 * 2 + 3 - 8): odd pixel right
    assert edge["pool"].layer.p_l == (1, 0) and edge["pool"].layer.p_r == (1, 1)
    # transposed 'same', k 3, s 2: crop (k - s) // 2 = 0 on the left, 1 on the right
    assert edge["up_t"].layer.p_l == (0, 0) and edge["up_t"].layer.p_r == (1, 1)
    assert edge["sep"].layer.d == (2, 2) and edge["shared_dw"].layer.op == "dwconv"
    result = rfgraph.analyze(net, output="excite")
    assert result.axes[0].whole_input is not None  # squeeze-excitation


def test_channels_first_and_one_dimensional_layouts():
    net = from_keras(DATA / "channels_first.json")
    assert net.input_size == (13, 11) and rfgraph.infer_shapes(net).sizes["b"] == (2, 11)
    net = from_keras(DATA / "conv1d.json")
    edge = {net.nodes[e.dst]: e.layer for e in net.edges}
    assert net.ndim == 1 and edge["causal"].p_l == (2,) and edge["causal"].p_r == (0,)
    # valid transposed with k < s: output n s, the last s - k positions read nothing
    assert edge["t_short"].p_l == (0,) and edge["t_short"].p_r == (-1,)


def layer(cls, name, config, *inputs, shape=None):
    args = [{"class_name": "__keras_tensor__", "config": {"shape": shape, "keras_history": [i, 0, 0]}} for i in inputs]
    return {"class_name": cls, "name": name, "config": {"name": name, **config},
            "inbound_nodes": [{"args": args if len(args) == 1 else [args], "kwargs": {}}]}


def functional(layers, out="y", shape=(None, 8, 8, 3)):
    x = {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": list(shape)}, "inbound_nodes": []}
    return {"layers": [x, *layers], "input_layers": [["x", 0, 0]], "output_layers": [[out, 0, 0]]}


def test_unknown_layer_names_it_and_the_override_describes_it():
    config = functional([layer("Lambda", "blur", {"function": "..."}, "x")], out="blur")
    with pytest.raises(ModelImportError, match=r"layer 'blur' \(Lambda\).*ops="):
        from_keras(config)
    net = from_keras(config, ops={"blur": {"op": "avgpool", "k": 3, "p": 1}})
    assert rfgraph.analyze(net).rf == (3, 3)
    config = functional([layer("MyCustomConv", "mine", {}, "x")], out="mine")
    with pytest.raises(ModelImportError, match=r"MyCustomConv.*ops=\{'MyCustomConv'"):
        from_keras(config)


def test_recorded_shapes_are_checked():
    # the consumer says it read a 4x4 map where the rules give 3x3 (k 3, valid, on 5x5)
    config = functional([layer("Conv2D", "a", {"kernel_size": [3, 3]}, "x"),
                         layer("ReLU", "y", {}, "a", shape=[None, 4, 4, 1])], shape=(None, 5, 5, 1))
    with pytest.raises(ModelImportError, match="layer 'y' reads 'a' with shape"):
        from_keras(config)


def test_symbolic_input_needs_input_size_and_bad_files(tmp_path):
    config = functional([layer("MaxPooling2D", "y", {"pool_size": [2, 2]}, "x")], shape=(None, None, None, 3))
    with pytest.raises(ModelImportError, match="input_size"):
        from_keras(config)
    assert rfgraph.infer_shapes(from_keras(config, input_size=(8, 6))).sizes["y"] == (4, 3)
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip, not json")
    with pytest.raises(ParseError, match="bad.keras"):
        from_keras(bad)
    empty = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("metadata.json", "{}")
    with pytest.raises(ParseError, match="config.json"):
        from_keras(empty)
    with pytest.raises(rfgraph.LimitError, match="input .x.: length 1000000000 .* limit"):
        from_keras(config, input_size=(10**9, 10))


def test_load_and_cli_read_keras_files(tmp_path, capsys):
    from rfgraph.cli import main

    assert rfgraph.analyze(rfgraph.load(DATA / "tiny.keras")).axes[0].period == 2
    assert main(["analyze", str(DATA / "tiny.keras"), "--output", "stem", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["axes"][0]["rf"] == 3
    out = tmp_path / "tiny.dot"
    assert main(["import", str(DATA / "tiny.keras"), "-o", str(out)]) == 0
    assert rfgraph.analyze(rfgraph.load(out), output="pool").axes[0].rf == 15


# -- with Keras installed ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras64():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("the autograd checks run on Keras' torch backend (KERAS_BACKEND=torch)")
    before = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(before)


@pytest.mark.parametrize("name", STORED)
def test_stored_models_rebuilt_live_match(keras64, name):
    import sys

    sys.path.insert(0, str(DATA))
    import make_keras_data

    model, size = make_keras_data.MODELS[name]()
    ours = rfgraph.analyze(from_keras(model)).to_dict()
    stored = rfgraph.analyze(from_keras(json.loads((DATA / f"{name}.json").read_text()))).to_dict()
    assert ours == stored  # the stored configuration is what this Keras writes


APPLICATIONS = [("ResNet50", 64), ("ResNet50V2", 64), ("InceptionV3", 75), ("MobileNetV2", 64),
                ("EfficientNetB0", 64), ("ConvNeXtTiny", 64), ("DenseNet121", 64), ("Xception", 71)]


def _partial_map(net, size):
    """A top-level layer whose receptive field is smaller than the image (its exact sets then
    depend on the position and on clipping): the deepest such map."""
    table = rfgraph.table(net)
    best = None
    for name, row in table.items():
        rf = row.axes[0].rf
        if rf is not None and rf < size and row.aligned and name != net.graph_attrs["input"]:
            if best is None or rf > best[1]:
                best = (name, rf)
    return best[0]


@pytest.mark.parametrize("name,size", APPLICATIONS)
def test_keras_applications_agree_with_autograd(keras64, name, size):
    from keras_reference import gradient_support, linearize

    model = getattr(keras64.applications, name)(weights=None, include_top=False, input_shape=(size, size, 3))
    net = from_keras(model)
    top = {layer.name for layer in model.layers}
    middle = _partial_map(net, size)
    assert middle in top
    linearize(model)
    for output in (net.graph_attrs["output"], middle):
        r = regions(net, (size, size), output=output)
        h, w = r.output_size
        positions = sorted({(0, 0), (h - 1, w - 1)})  # the output: corners (at this size they see almost all)
        if output == middle:  # where regions are partial: corners, centre, an edge
            positions = sorted({(0, 0), (h // 2, w // 2), (h - 1, w - 1), (0, w - 1)})
        support = gradient_support(model, (1, size, size, 3), positions,
                                   output=None if output == net.graph_attrs["output"] else output)
        for pos in positions:
            assert np.array_equal(support[pos], r.exact_set(pos)), (name, output, pos)


def test_zoo_keras_graphs_agree_with_tensorflows_own_library():
    # the numbers TensorFlow's receptive-field library reports for the same Keras models
    zoo = Path(__file__).resolve().parent.parent / "graphs" / "zoo"
    a = rfgraph.analyze(rfgraph.load(zoo / "keras_resnet50.dot")).axes[0]
    assert (a.rf, a.stride, a.padding) == (483, 32, 241)
    net = rfgraph.load(zoo / "keras_inceptionv3.dot")
    convs = [name for name, attrs in zip(net.nodes, net.node_attrs) if attrs.get("layer", "").startswith("conv2d")]
    a = rfgraph.analyze(net, output=convs[85]).axes[0]  # the 86th convolution: TensorFlow's conv2d_85
    assert (a.rf, a.stride, a.padding) == (1183, 32, 554)


@pytest.mark.parametrize("size,mode", [((14, 18), "bilinear"), ((21, 27), "nearest"), ((7, 3), "bilinear"),
                                       ((7, 3), "nearest")])
def test_resizing_agrees_with_keras_autograd(keras64, size, mode):
    from keras_reference import gradient_support, linearize

    x = keras64.Input((7, 9, 1))
    model = keras64.Model(x, keras64.layers.Resizing(*size, interpolation=mode)(x))
    net = from_keras(model)
    r = regions(net, (7, 9))
    linearize(model)
    positions = list(np.ndindex(*size))
    support = gradient_support(model, (1, 7, 9, 1), positions)
    for pos in positions:
        assert np.array_equal(support[pos], r.exact_set(pos)), pos


def test_cli_imports_keras_applications(keras64, tmp_path, capsys):
    from rfgraph.cli import main

    out = tmp_path / "m.dot"
    assert main(["import", "keras:MobileNetV2", "-o", str(out), "--input-size", "64"]) == 0
    assert rfgraph.analyze(rfgraph.load(out)).axes[0].stride == 32
    assert main(["import", "keras:NoSuchNet", "-o", str(tmp_path / "x.dot")]) == 2
    assert "keras.applications has no model 'NoSuchNet'" in capsys.readouterr().err


def test_deeply_nested_config_is_a_parse_error(tmp_path):
    path = tmp_path / "deep.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ParseError, match="deep.keras: config.json is nested too deeply"):
        rfgraph.analyze(str(path))
