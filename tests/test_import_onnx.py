"""The ONNX importer: models built with onnx.helper (no torch needed), each compared with the
same network written directly in rfgraph's format (every edge's geometry, and the exact
regions of every output position), with hand-checked values where the rule is subtle
(auto_pad, ceil_mode, asymmetric pads, Slice bounds, Resize); clear errors for unknown
operators and bad files; and, with torch, models exported by torch.onnx.export from the
PyTorch test modules, checked against autograd on the modules themselves."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import rfgraph  # noqa: E402
from rfgraph.core.errors import ModelImportError, ParseError  # noqa: E402
from rfgraph.importers import from_onnx  # noqa: E402
from rfgraph import exact_regions as regions  # noqa: E402
from rfgraph.passes.shapes import infer_shapes  # noqa: E402

INT_MAX = 2**63 - 1


def model(nodes, shape, *, opset=17, inits=(), outputs=("y",), input_shape=None):
    """A model with input x of ``shape`` (or ``input_shape`` with symbolic dims) and the given
    nodes; ``inits``: (name, numpy array) initializers."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape or list(shape))
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    init = [numpy_helper.from_array(np.asarray(v), name) for name, v in inits]
    graph = helper.make_graph(nodes, "g", [x], outs, initializer=init)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def weight(name, cout, cin, *k):
    return (name, np.ones((cout, cin, *k), dtype=np.float32))


def layers(net):
    """{target node: (op, k, s, d, p_l, p_r, ceil_mode, pad_mode)} of every edge."""
    out = {}
    for e in net.edges:
        L = e.layer
        out.setdefault(net.nodes[e.dst], []).append((L.op, L.k, L.s, L.d, L.p_l, L.p_r, L.ceil_mode, L.pad_mode))
    return out


def direct(edges, size, **graph):
    """The same network written in rfgraph's format: edges (u, v, attrs)."""
    import networkx as nx

    G = nx.MultiDiGraph(input="x", input_size=",".join(map(str, size)), **graph)
    for u, v, attrs in edges:
        G.add_edge(u, v, **attrs)
    return rfgraph.from_networkx(G)


def same_regions(a, b, size, output_a=None, output_b=None):
    ra, rb = regions(a, size, output=output_a), regions(b, size, output=output_b)
    assert ra.output_size == rb.output_size
    for pos in ra.positions():
        assert np.array_equal(ra.exact_set(pos), rb.exact_set(pos)), pos
        assert ra.at(pos)["lo"] == rb.at(pos)["lo"] and ra.at(pos)["hi"] == rb.at(pos)["hi"]


# -- convolutions, pools ----------------------------------------------------------------------
def test_conv_with_asymmetric_pads_strides_and_dilations():
    n = helper.make_node("Conv", ["x", "w"], ["y"], pads=[0, 1, 2, 1], strides=[2, 1], dilations=[1, 2])
    net = from_onnx(model([n], (1, 1, 9, 8), inits=[weight("w", 2, 1, 3, 3)]))
    assert layers(net)["y"] == [("conv", (3, 3), (2, 1), (1, 2), (0, 1), (2, 1), False, "zeros")]
    assert infer_shapes(net).sizes["y"] == (5, 6)
    ref = direct([("x", "y", {"op": "conv", "k": 3, "s": "2,1", "d": "1,2", "p_l": "0,1", "p_r": "2,1"})], (9, 8))
    same_regions(net, ref, (9, 8))
    assert net.graph_attrs["input"] == "x" and net.graph_attrs["output"] == "y"
    assert net.edges[0].attrs["type"] == "Conv"


@pytest.mark.parametrize("auto,expected", [("SAME_UPPER", ((0, 0), (1, 1))), ("SAME_LOWER", ((1, 1), (0, 0))),
                                           ("VALID", ((0, 0), (0, 0)))])
def test_conv_auto_pad(auto, expected):
    # n = 8, k = 3, s = 2: SAME gives 4 outputs; total padding (4 - 1) 2 + 3 - 8 = 1, the odd
    # pixel at the end (UPPER) or at the start (LOWER)
    n = helper.make_node("Conv", ["x", "w"], ["y"], auto_pad=auto, strides=[2, 2])
    net = from_onnx(model([n], (1, 1, 8, 8), inits=[weight("w", 1, 1, 3, 3)]))
    (L,) = net.edges
    assert (L.layer.p_l, L.layer.p_r) == expected
    assert infer_shapes(net).sizes["y"] == ((4, 4) if auto != "VALID" else (3, 3))


def test_conv_transpose_pads_output_padding_output_shape_and_same():
    n = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1],
                         output_padding=[1, 0])
    net = from_onnx(model([n], (1, 1, 4, 5), inits=[weight("w", 1, 1, 3, 3)]))
    assert layers(net)["y"] == [("conv_transpose", (3, 3), (2, 2), (1, 1), (1, 1), (0, 1), False, "zeros")]
    assert infer_shapes(net).sizes["y"] == (8, 9)
    ref = direct([("x", "y", {"op": "conv_transpose", "k": 3, "s": 2, "p_l": 1, "p_r": "0,1"})], (4, 5))
    same_regions(net, ref, (4, 5))
    # output_shape: total padding 2 (4 - 1) + 3 - 8 = 1 (and 2 (5 - 1) + 3 - 10 = 1); without
    # auto_pad SAME_UPPER the odd pixel goes to the start
    n = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], output_shape=[8, 10])
    net = from_onnx(model([n], (1, 1, 4, 5), inits=[weight("w", 1, 1, 3, 3)]))
    (L,) = net.edges
    assert L.layer.p_l == (1, 1) and L.layer.p_r == (0, 0) and infer_shapes(net).sizes["y"] == (8, 10)
    n = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], auto_pad="SAME_UPPER")
    net = from_onnx(model([n], (1, 1, 4, 5), inits=[weight("w", 1, 1, 3, 3)]))
    (L,) = net.edges
    assert infer_shapes(net).sizes["y"] == (8, 10) and L.layer.p_l == (0, 0) and L.layer.p_r == (1, 1)


def test_pools_ceil_mode_dilations_and_globals():
    nodes = [
        helper.make_node("MaxPool", ["x"], ["a"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 0],
                         ceil_mode=1),
        helper.make_node("AveragePool", ["a"], ["b"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1,
                         count_include_pad=0),
        helper.make_node("MaxPool", ["b"], ["c"], kernel_shape=[2, 2], dilations=[2, 1]),
        helper.make_node("LpPool", ["c"], ["d"], kernel_shape=[1, 2], p=2),
        helper.make_node("GlobalAveragePool", ["d"], ["y"]),
    ]
    net = from_onnx(model(nodes, (1, 1, 20, 18)), output="d")
    got = layers(net)
    assert got["a"] == [("maxpool", (3, 3), (2, 2), (1, 1), (1, 0), (1, 0), True, "zeros")]
    assert got["c"] == [("maxpool", (2, 2), (1, 1), (2, 1), (0, 0), (0, 0), False, "zeros")]
    sizes = infer_shapes(net).sizes
    assert sizes["a"] == (11, 9) and sizes["b"] == (6, 5) and sizes["c"] == (4, 4) and sizes["d"] == (4, 3)
    assert got["y"][0][0] == "global_pool"
    ref = direct([("x", "a", {"op": "maxpool", "k": 3, "s": 2, "p": "1,0", "ceil_mode": True}),
                  ("a", "b", {"op": "avgpool", "k": 2, "s": 2, "ceil_mode": True}),
                  ("b", "c", {"op": "maxpool", "k": 2, "d": "2,1"}),
                  ("c", "d", {"op": "lppool", "k": "1,2"})], (20, 18))
    same_regions(net, ref, (20, 18), output_a="d", output_b="d")
    assert rfgraph.analyze(net, output="y").axes[0].whole_input is not None


# -- pads, slices, gathers, splits, concatenation ----------------------------------------------
@pytest.mark.parametrize("mode,fill,opset", [("constant", "zeros", 17), ("reflect", "reflect", 17),
                                             ("edge", "replicate", 17), ("wrap", "circular", 19)])
def test_pad_modes_and_negative_pads(mode, fill, opset):
    pads = np.array([0, 0, 2, -1, 0, 0, -1, 3], dtype=np.int64)  # H: +2 / -1, W: -1 / +3
    n = helper.make_node("Pad", ["x", "pads"], ["y"], mode=mode)
    net = from_onnx(model([n], (1, 1, 6, 7), inits=[("pads", pads)], opset=opset))
    assert layers(net)["y"] == [("pad", (1, 1), (1, 1), (1, 1), (2, -1), (-1, 3), False, fill)]
    assert infer_shapes(net).sizes["y"] == (7, 9)


def test_pad_opset_9_attribute_and_axes_input():
    n = helper.make_node("Pad", ["x"], ["y"], pads=[0, 0, 1, 2, 0, 0, 3, 4])
    net = from_onnx(model([n], (1, 1, 5, 5), opset=9))
    assert layers(net)["y"][0][4:6] == ((1, 2), (3, 4))
    n = helper.make_node("Pad", ["x", "pads", "", "axes"], ["y"])
    net = from_onnx(model([n], (1, 1, 5, 5), opset=18, inits=[("pads", np.array([1, 2], dtype=np.int64)),
                                                              ("axes", np.array([3], dtype=np.int64))]))
    assert layers(net)["y"][0][4:6] == ((0, 1), (0, 2))


def test_slice_crops_with_negative_indices_steps_and_int_max():
    n = helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])
    inits = [("st", np.array([1, -5], dtype=np.int64)), ("en", np.array([-2, INT_MAX], dtype=np.int64)),
             ("ax", np.array([2, 3], dtype=np.int64)), ("sp", np.array([1, 2], dtype=np.int64))]
    net = from_onnx(model([n], (1, 2, 10, 9), inits=inits))
    # H: rows 1..7 (crop 1 left, 2 right); W: columns 4, 6, 8 (start 4, stride 2)
    assert layers(net)["y"] == [("crop", (1, 1), (1, 2), (1, 1), (-1, -4), (-2, 0), False, "zeros")]
    assert infer_shapes(net).sizes["y"] == (7, 3)
    r = regions(net, (10, 9))
    assert r.at((0, 1))["lo"] == [1, 6] and r.at((6, 2))["hi"] == [7, 8]
    n = helper.make_node("Slice", ["x"], ["y"], starts=[2], ends=[5], axes=[3])
    net = from_onnx(model([n], (1, 2, 10, 9), opset=9))
    assert infer_shapes(net).sizes["y"] == (10, 3) and layers(net)["y"][0][4] == (0, -2)


def test_gather_split_and_concat_along_spatial_axes():
    nodes = [
        helper.make_node("Split", ["x", "parts"], ["a", "b"], axis=3),
        helper.make_node("Concat", ["b", "a"], ["c"], axis=3),  # swap the halves: not the identity
        helper.make_node("Gather", ["c", "row"], ["y"], axis=2),
    ]
    inits = [("parts", np.array([2, 5], dtype=np.int64)), ("row", np.array(3, dtype=np.int64))]
    net = from_onnx(model(nodes, (1, 1, 6, 7), inits=inits))
    sizes = infer_shapes(net).sizes
    assert sizes["a"] == (6, 2) and sizes["b"] == (6, 5) and sizes["c"] == (6, 7) and sizes["y"] == (1, 7)
    r = regions(net, (6, 7))
    assert [r.at((0, j))["lo"] for j in (0, 5)] == [[3, 2], [3, 0]]  # c[0] is x[2], c[5] is x[0]


def test_concat_along_channels_and_residual_add_with_broadcast():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["a"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["a", "s", "bb", "m", "v"], ["bn"]),
        helper.make_node("Relu", ["bn"], ["r"]),
        helper.make_node("Concat", ["r", "x"], ["c"], axis=1),
        helper.make_node("GlobalAveragePool", ["c"], ["g"]),
        helper.make_node("Sigmoid", ["g"], ["sg"]),
        helper.make_node("Mul", ["c", "sg"], ["m2"]),
        helper.make_node("Add", ["m2", "c"], ["y"]),
    ]
    inits = [weight("w", 1, 1, 3, 3)] + [(k, np.ones(1, dtype=np.float32)) for k in ("s", "bb", "m", "v")]
    net = from_onnx(model(nodes, (1, 1, 5, 6), inits=inits))
    assert any(e.attrs.get("broadcast") == "true" and e.layer.op == "upsample" for e in net.edges)
    result = rfgraph.analyze(net)
    assert result.axes[0].whole_input is not None and result.axes[0].local.rf == 3


# -- resizing ---------------------------------------------------------------------------------
def resize(shape, attrs, scales=None, sizes=None, opset=17):
    ins = ["x", "", "scales" if scales is not None else "", "sizes" if sizes is not None else ""]
    while ins and not ins[-1]:
        ins.pop()
    inits = []
    if scales is not None:
        inits.append(("scales", np.array(scales, dtype=np.float32)))
    if sizes is not None:
        inits.append(("sizes", np.array(sizes, dtype=np.int64)))
    n = helper.make_node("Resize", ins, ["y"], **attrs)
    return from_onnx(model([n], shape, inits=inits, opset=opset))


def test_resize_nearest_and_linear_become_upsampling():
    net = resize((1, 1, 4, 5), {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                                "nearest_mode": "floor"}, scales=[1, 1, 2, 3])
    (e,) = net.edges
    assert (e.layer.op, e.layer.scale, e.layer.mode) == ("upsample", (2, 3), "nearest")
    net = resize((1, 1, 4, 5), {"mode": "nearest"}, scales=[1, 1, 3, 3])  # half_pixel, round_prefer_floor
    assert net.edges[0].layer.mode == "nearest" and net.edges[0].layer.scale == (3, 3)
    net = resize((1, 1, 4, 5), {"mode": "linear"}, sizes=[1, 1, 8, 10])  # half_pixel: PyTorch's bilinear
    (e,) = net.edges
    assert (e.layer.op, e.layer.scale, e.layer.mode) == ("upsample", (2, 2), "bilinear")
    ref = direct([("x", "y", {"op": "upsample", "scale": 2, "mode": "bilinear"})], (4, 5))
    same_regions(net, ref, (4, 5))


def test_resize_align_corners_and_downsampling_are_exact_other_layers():
    # align_corners, n -> 2 (n - 1) + 1: output t reads t / 2 and its neighbour: a transposed
    # convolution k 3, s 2, p 1
    net = resize((1, 1, 4, 5), {"mode": "linear", "coordinate_transformation_mode": "align_corners"},
                 sizes=[1, 1, 7, 9])
    (e,) = net.edges
    assert (e.layer.op, e.layer.k, e.layer.s, e.layer.p_l) == ("conv_transpose", (3, 3), (2, 2), (1, 1))
    ref = direct([("x", "y", {"op": "conv_transpose", "k": 3, "s": 2, "p": 1})], (4, 5))
    same_regions(net, ref, (4, 5))
    net = resize((1, 1, 8, 9), {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                                "nearest_mode": "floor"}, scales=[1, 1, 0.5, 1 / 3])
    (e,) = net.edges
    assert (e.layer.op, e.layer.k, e.layer.s) == ("crop", (1, 1), (2, 3))


def test_resize_that_no_layer_expresses_is_an_error_naming_the_node():
    with pytest.raises(ModelImportError, match="cubic"):
        resize((1, 1, 4, 4), {"mode": "cubic"}, scales=[1, 1, 2, 2])
    with pytest.raises(ModelImportError, match="'y'.*Resize"):  # asymmetric rounding at x3 runs off the end
        resize((1, 1, 4, 4), {"mode": "nearest", "coordinate_transformation_mode": "asymmetric"},
               scales=[1, 1, 3, 3])


def test_upsample_opset_9():
    n = helper.make_node("Upsample", ["x", "scales"], ["y"], mode="nearest")
    net = from_onnx(model([n], (1, 1, 3, 4), opset=9, inits=[("scales", np.array([1, 1, 2, 2], dtype=np.float32))]))
    assert net.edges[0].layer.scale == (2, 2) and infer_shapes(net).sizes["y"] == (6, 8)


# -- reshapes, reductions, whole-input layers ---------------------------------------------------
def test_transpose_round_trip_keeps_the_geometry():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["a"], pads=[1, 1, 1, 1]),
        helper.make_node("Transpose", ["a"], ["t"], perm=[0, 2, 3, 1]),
        helper.make_node("LayerNormalization", ["t", "s", "bb"], ["ln"], axis=-1),
        helper.make_node("MatMul", ["ln", "m"], ["mm"]),
        helper.make_node("Transpose", ["mm"], ["y"], perm=[0, 3, 1, 2]),
    ]
    inits = [weight("w", 4, 1, 3, 3), ("s", np.ones(4, dtype=np.float32)), ("bb", np.ones(4, dtype=np.float32)),
             ("m", np.ones((4, 4), dtype=np.float32))]
    net = from_onnx(model(nodes, (1, 1, 6, 7), inits=inits))
    assert rfgraph.analyze(net).rf == (3, 3)
    assert infer_shapes(net).sizes["y"] == (6, 7)


def test_flatten_gemm_reduce_and_reshape():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["a"], strides=[2, 2]),
        helper.make_node("ReduceMean", ["a"], ["row"], axes=[3], keepdims=1),  # over the width only
        helper.make_node("Reshape", ["a", "shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "g"], ["y"], transB=1),
    ]
    inits = [weight("w", 2, 1, 3, 3), ("shape", np.array([1, -1], dtype=np.int64)),
             ("g", np.ones((3, 2 * 3 * 4), dtype=np.float32))]
    net = from_onnx(model(nodes, (1, 1, 7, 9), inits=inits, opset=13, outputs=("y", "row")))
    assert rfgraph.analyze(net).axes[0].whole_input is not None
    r = regions(net, (7, 9), output="row")
    assert r.output_size == (3, 1) and r.at((1, 0))["lo"] == [2, 0] and r.at((1, 0))["hi"] == [4, 8]
    assert net.graph_attrs["outputs"] == "y,row"


def test_depth_to_space_and_space_to_depth():
    nodes = [helper.make_node("SpaceToDepth", ["x"], ["a"], blocksize=2),
             helper.make_node("DepthToSpace", ["a"], ["y"], blocksize=2)]
    net = from_onnx(model(nodes, (1, 1, 6, 4)))
    r = regions(net, (6, 4))
    assert r.at((3, 1))["lo"] == [2, 0] and r.at((3, 1))["hi"] == [3, 1]


# -- errors, options, files --------------------------------------------------------------------
def test_unknown_operator_is_an_error_naming_node_and_op_and_can_be_overridden():
    n = helper.make_node("Blur", ["x"], ["y"], name="blur1")
    m = model([n], (1, 1, 5, 5))
    with pytest.raises(ModelImportError, match="blur1.*Blur"):
        from_onnx(m)
    net = from_onnx(m, ops={"Blur": {"op": "avgpool", "k": 3, "p": 1}})
    assert rfgraph.analyze(net).rf == (3, 3)
    n = helper.make_node("Blur", ["x"], ["y"], domain="com.example")
    m = model([n], (1, 1, 5, 5))
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    with pytest.raises(ModelImportError, match="com.example.Blur"):
        from_onnx(m)


def test_bad_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"this is not protobuf \x00\xff\x13")
    with pytest.raises(ParseError, match="bad.onnx"):
        from_onnx(bad)
    with pytest.raises(ParseError, match="missing.onnx"):
        rfgraph.load(tmp_path / "missing.onnx")


def test_symbolic_input_size_needs_input_size_and_load_accepts_onnx(tmp_path):
    n = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])
    m = model([n], None, input_shape=["N", 3, "H", "W"])
    with pytest.raises(ModelImportError, match="input_size"):
        from_onnx(m)
    net = from_onnx(m, input_size=(8, 6))
    assert net.input_size == (8, 6) and infer_shapes(net).sizes["y"] == (4, 3)
    path = tmp_path / "pool.onnx"
    onnx.save(model([n], (1, 3, 8, 6)), str(path))
    loaded = rfgraph.load(path)
    assert rfgraph.analyze(loaded).rf == (2, 2)
    assert "pool.onnx" in loaded.graph_attrs["description"]


def test_cli_imports_and_analyzes_onnx(tmp_path, capsys):
    from rfgraph.cli import main

    n = helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1])
    path = tmp_path / "conv.onnx"
    onnx.save(model([n], (1, 1, 8, 8), inits=[weight("w", 1, 1, 3, 3)]), str(path))
    assert main(["analyze", str(path)]) == 0
    assert "3" in capsys.readouterr().out
    out = tmp_path / "conv.dot"
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert rfgraph.analyze(rfgraph.load(out)).rf == (3, 3)
    assert main(["import", str(path), "-o", str(out)]) == 2  # exists: needs --force
    assert "already exists" in capsys.readouterr().err
    assert main(["import", str(path), "-o", str(out), "--force"]) == 0


# -- exported from PyTorch ----------------------------------------------------------------------
# (Functional and OneD are left out: the TorchScript exporter refuses adaptive pooling whose
# output size does not divide the input size.)
EXPORTED = ["Convs", "Transposed", "Pools", "Merges", "Slicing", "Pads", "Elementwise", "Whole"]


@pytest.mark.parametrize("name", EXPORTED)
def test_models_exported_from_torch_agree_with_autograd(name):
    torch = pytest.importorskip("torch")
    import io
    import warnings

    import test_import_torch as T

    module = getattr(T, name)().eval()
    shape = {"Convs": (1, 2, 11, 13), "Transposed": (1, 1, 3, 3), "Pools": (1, 1, 12, 15),
             "Merges": (1, 1, 8, 8), "Slicing": (1, 1, 12, 14), "Functional": (1, 1, 13, 11),
             "Pads": (1, 1, 6, 7), "Shuffles": (1, 1, 6, 9), "Elementwise": (1, 2, 9, 8),
             "Whole": (1, 1, 9, 11)}[name]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(module, (torch.ones(shape),), buf, dynamo=False, opset_version=17)
        except Exception as exc:  # pragma: no cover - depends on the torch version
            pytest.skip(f"torch.onnx.export (TorchScript exporter) failed: {exc}")
    net = from_onnx(buf.getvalue())
    r = regions(net, shape[2:])
    support = T.gradient_support(module, shape)
    for pos, grad in support.items():
        assert np.array_equal(grad, r.exact_set(pos)), (name, pos)


@pytest.mark.parametrize("layer", ["unshuffle", "shuffle"])
def test_exported_pixel_shuffles_written_as_reshapes_agree_with_autograd(layer):
    # the exporter writes PixelUnshuffle as Reshape [1, 1, 2, 3, 3, 3] + Transpose + Reshape:
    # a spatial axis cut into (outer, inner), the inner part moved into the channels
    torch = pytest.importorskip("torch")
    import io
    import warnings

    import test_import_torch as T

    nn = torch.nn
    if layer == "unshuffle":
        m, shape = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.PixelUnshuffle(3), nn.Conv2d(9, 1, 1)), (1, 1, 6, 9)
    else:
        m, shape = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.PixelShuffle(2), nn.Conv2d(1, 1, 3)), (1, 1, 5, 4)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, (torch.ones(shape),), buf, dynamo=False, opset_version=17)
    net = from_onnx(buf.getvalue())
    r = regions(net, shape[2:])
    for pos, grad in T.gradient_support(m, shape).items():
        assert np.array_equal(grad, r.exact_set(pos)), pos


# -- channels-last inputs ------------------------------------------------------------------------
def nhwc_model(shape=(1, 9, 8, 3)):
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["t", "w"], ["c"], strides=[2, 1], pads=[1, 0, 1, 2]),
             helper.make_node("Transpose", ["c"], ["y"], perm=[0, 2, 3, 1])]
    return model(nodes, shape, inits=[weight("w", 2, shape[-1], 3, 3)])


def test_channels_last_input_is_detected_from_the_transpose():
    # the graph a Keras / TensorFlow export starts with: NHWC input, Transpose to NCHW
    net = from_onnx(nhwc_model())
    assert net.input_size == (9, 8) and infer_shapes(net).sizes["y"] == (5, 8)
    ref = direct([("x", "y", {"op": "conv", "k": 3, "s": "2,1", "p_l": "1,0", "p_r": "1,2"})], (9, 8))
    same_regions(net, ref, (9, 8))
    assert rfgraph.analyze(net).rf == (3, 3)  # not (3, 1) read off the (W, C) dimensions
    again = from_onnx(nhwc_model(), input_layout="nhwc")
    assert rfgraph.analyze(again).to_dict() == rfgraph.analyze(net).to_dict()


def test_layout_that_the_graph_does_not_tell_is_an_error_and_input_layout_decides():
    n = helper.make_node("Pad", ["x", "pads"], ["y"])
    pads = np.array([0, 1, 2, 0, 0, 0, 0, 0], dtype=np.int64)  # pads dimensions 1 and 2
    m = model([n], (1, 6, 6, 6), inits=[("pads", pads)])
    with pytest.raises(ModelImportError, match=r"input 'x'.*input_layout='NCHW' or 'NHWC'.*--layout"):
        from_onnx(m)
    net = from_onnx(m, input_layout="NHWC")
    assert layers(net)["y"][0][4] == (1, 2)  # (p_l per axis: H by 1, W by 2)
    net = from_onnx(m, input_layout="NCHW")
    assert layers(net)["y"][0][4] == (2, 0)  # the spatial axes are dimensions 2 and 3
    with pytest.raises(ModelImportError, match="input_layout='NWHC'"):
        from_onnx(m, input_layout="NWHC")


def test_layout_that_the_graph_contradicts_is_an_error_naming_the_node(tmp_path):
    """An input_layout the graph contradicts (NHWC for an input a Conv reads directly, NCHW for
    one a Keras export transposes) would put channels on a spatial axis: wrong numbers, so it
    is refused, naming the node that says otherwise; the layout the graph says is accepted."""
    conv = model([helper.make_node("Conv", ["x", "w"], ["y"], name="stem")], (1, 3, 16, 16),
                 inits=[weight("w", 2, 3, 3, 3)])
    with pytest.raises(ModelImportError, match=r"input 'x': input_layout NHWC .*contradicts.*NCHW: Conv 'stem'"):
        from_onnx(conv, input_layout="NHWC")
    assert rfgraph.analyze(from_onnx(conv, input_layout="nchw")).rf == (3, 3)
    with pytest.raises(ModelImportError, match=r"input_layout NCHW .*contradicts.*NHWC: Transpose"):
        from_onnx(nhwc_model(), input_layout="NCHW")
    from rfgraph.cli import main

    path = tmp_path / "conv.onnx"
    onnx.save(conv, str(path))
    assert main(["analyze", str(path), "--layout", "NHWC"]) == 2


def test_cli_layout_option(tmp_path):
    from rfgraph.cli import main

    path = tmp_path / "ambiguous.onnx"
    pads = helper.make_node("Pad", ["x", "pads"], ["p"])
    onnx.save(model([pads, helper.make_node("Relu", ["p"], ["y"])], (1, 5, 5, 5),
                    inits=[("pads", np.array([0, 1, 1, 0, 0, 1, 1, 0], dtype=np.int64))]), str(path))
    out = tmp_path / "a.dot"
    assert main(["import", str(path), "-o", str(out)]) == 2
    assert main(["import", str(path), "-o", str(out), "--layout", "NHWC"]) == 0
    assert rfgraph.infer_shapes(rfgraph.load(out)).sizes["y"] == (7, 7)


def test_channels_last_model_exported_from_torch_agrees_with_autograd():
    torch = pytest.importorskip("torch")
    import io
    import warnings

    import test_import_torch as T

    class NHWC(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = T.Convs()

        def forward(self, x):  # a channels-last input, as Keras and TensorFlow models take it
            return self.inner(x.permute(0, 3, 1, 2))

    module = NHWC().eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.ones(1, 11, 13, 2),), buf, dynamo=False, opset_version=17)
    net = from_onnx(buf.getvalue())
    r = regions(net, (11, 13))
    # autograd on the same network, channels first: the regions must be those of the (H, W) axes
    for pos, grad in T.gradient_support(module.inner, (1, 2, 11, 13)).items():
        assert np.array_equal(grad, r.exact_set(pos)), pos


def test_exported_tf_same_padding_arithmetic_is_folded_at_the_input_size():
    # timm's Conv2dSame exported: every padding is computed from the map's size at run time
    # (Shape, Gather, Div, Ceil, ..., Pad), each from the size the previous one produced
    torch = pytest.importorskip("torch")
    import io
    import warnings

    import test_import_torch as T

    nn = torch.nn
    m = nn.Sequential(T.Conv2dSame(1, 2, 3, stride=2), T.Conv2dSame(2, 2, 5, stride=2),
                      T.Conv2dSame(2, 2, 3, stride=2, dilation=1), T.Conv2dSame(2, 2, (3, 4), stride=(2, 3)),
                      T.Conv2dSame(2, 1, 3, stride=1)).eval()
    shape = (1, 1, 37, 45)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(m, (torch.ones(shape),), buf, dynamo=False, opset_version=17)
    assert sum(n.op_type == "Pad" for n in onnx.load_from_string(buf.getvalue()).graph.node) >= 4
    net = from_onnx(buf.getvalue())
    r = regions(net, shape[2:])
    for pos, grad in T.gradient_support(m, shape).items():
        assert np.array_equal(grad, r.exact_set(pos)), pos


def test_exported_vit_attention_as_matmuls_with_a_class_token():
    torch = pytest.importorskip("torch")
    import io
    import warnings

    import test_import_torch as T

    module = T.TinyViT().eval()
    shape = (1, 1, 12, 16)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.ones(shape),), buf, dynamo=False, opset_version=17)
    net = from_onnx(buf.getvalue())
    r = regions(net, shape[2:])
    for pos, grad in T.gradient_support(module, shape, pick=lambda y: y[0]).items():
        assert np.array_equal(grad, r.exact_set(pos)), pos
    a = rfgraph.analyze(net).axes[0]
    assert a.whole_input is not None and (a.local.rf, a.local.stride) == (4, 4)
