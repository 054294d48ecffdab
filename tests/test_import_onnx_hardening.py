"""The ONNX importer on malformed and hostile models: every one is refused with a
ModelImportError naming the node (or a ParseError naming the file), quickly and without
allocating anything big; never another exception, never a hang, never a wrong number.

Each test below stands for a class of inputs (issue 12); the fuzz test at the end generates
and mutates small models and checks that the only outcomes are a Network or an RFGraphError,
each case under a time limit.
"""

from __future__ import annotations

import signal
import time
from contextlib import contextmanager

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import rfgraph  # noqa: E402
from rfgraph.core.errors import ModelImportError, RFGraphError  # noqa: E402
from rfgraph.importers import from_onnx  # noqa: E402
from rfgraph.importers import limits  # noqa: E402


def model(nodes, shape, *, opset=17, inits=(), outputs=("y",)):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    init = [numpy_helper.from_array(np.asarray(v), name) for name, v in inits]
    m = helper.make_model(helper.make_graph(nodes, "g", [x], outs, initializer=init),
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def w(cout=1, cin=1, *k):
    return ("w", np.ones((cout, cin, *(k or (3, 3))), dtype=np.float32))


def i64(*values):
    return np.array(values, dtype=np.int64)


@contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) when the body runs longer than ``seconds``."""
    def expire(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def refused(m, match, **options):
    with time_limit(10), pytest.raises(RFGraphError, match=match):  # ModelImportError, or LimitError for sizes
        from_onnx(m, **options)


# -- schema: attributes the operator does not have, lacks, or has with the wrong type -----------
def test_maxpool_without_kernel_shape():
    refused(model([helper.make_node("MaxPool", ["x"], ["y"], strides=[2, 2])], (1, 1, 8, 8)),
            r"node 'y' \(MaxPool\): attribute kernel_shape is required")


def test_pad_and_slice_with_inputs_in_an_opset_that_wants_attributes():
    n = helper.make_node("Pad", ["x", "pads"], ["y"])
    refused(model([n], (1, 1, 5, 5), opset=9, inits=[("pads", i64(0, 0, 1, 1, 0, 0, 1, 1))]),
            r"node 'y' \(Pad\): attribute pads is required by Pad \(opset 9\)")
    n = helper.make_node("Slice", ["x", "st", "en"], ["y"])
    refused(model([n], (1, 1, 5, 5), opset=9, inits=[("st", i64(1)), ("en", i64(3))]),
            r"node 'y' \(Slice\): attribute (ends|starts) is required")
    # and the other way round: attributes where the opset takes inputs
    n = helper.make_node("Slice", ["x"], ["y"], starts=[1], ends=[3], axes=[2])
    refused(model([n], (1, 1, 5, 5), opset=13), r"\(Slice\): attribute (starts|ends|axes) is not an attribute")


def test_attribute_of_the_wrong_type_and_unknown_attribute():
    n = helper.make_node("Conv", ["x", "w"], ["y"], strides=2)
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"attribute strides has type INT.*expects INTS")
    n = helper.make_node("Conv", ["x", "w"], ["y"], stride=[2, 2])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"attribute stride is not an attribute of Conv")


# -- values rfgraph reads -------------------------------------------------------------------
def test_conv_kernel_shape_with_more_entries_than_spatial_axes():
    n = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3, 3])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"node 'y' \(Conv\)")
    n = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[1, 1, 1])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"strides has 3 entries, kernel_shape 2")
    n = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[5, 5])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"kernel_shape \[5, 5\] disagrees with the weight")
    n = helper.make_node("Conv", ["x", "w"], ["y"], strides=[0, 1])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"strides=\[0, 1\]: every entry must be at least 1")


def test_slice_on_an_axis_beyond_the_rank_and_huge_negative_starts():
    n = helper.make_node("Slice", ["x", "st", "en", "ax"], ["y"])
    refused(model([n], (1, 1, 8, 8), inits=[("st", i64(1)), ("en", i64(3)), ("ax", i64(7))]),
            r"node 'y' \(Slice\).*axis 7 is outside a tensor of rank 4")
    # a huge negative start clamps to 0, as ONNX says: a crop of the first rows, exactly
    n = helper.make_node("Slice", ["x", "st", "en", "ax"], ["y"])
    net = from_onnx(model([n], (1, 1, 8, 8), inits=[("st", i64(-(2**63))), ("en", i64(3)), ("ax", i64(2))]))
    assert rfgraph.infer_shapes(net).sizes["y"] == (3, 8)
    n = helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])
    refused(model([n], (1, 1, 8, 8), inits=[("st", i64(1)), ("en", i64(3)), ("ax", i64(2)), ("sp", i64(0))]),
            r"Slice")


@pytest.mark.parametrize("scale", [0.0, float("nan"), -2.0, float("inf")])
def test_resize_scales_zero_nan_negative(scale):
    n = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest")
    refused(model([n], (1, 1, 4, 4), inits=[("scales", np.array([1, 1, scale, 2], dtype=np.float32))]),
            r"node 'y' \(Resize\)")


def test_conv_transpose_output_shape_that_disagrees_with_the_weight():
    n = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2], output_shape=[3, 3])
    refused(model([n], (1, 1, 4, 4), inits=[w()]), r"node 'y' \(ConvTranspose\)")


def test_gather_index_out_of_range_is_not_wrapped_around():
    n = helper.make_node("Gather", ["x", "i"], ["y"], axis=2)
    refused(model([n], (1, 1, 6, 6), inits=[("i", np.array(9, dtype=np.int64))]), r"\(Gather\)")


# -- sizes that would not fit in memory: refused up front, fast ---------------------------------
def test_input_dimension_of_a_billion():
    n = helper.make_node("Relu", ["x"], ["y"])
    start = time.perf_counter()
    refused(model([n], (1, 1, 10**9, 8)), r"input x: length 1000000000 .*exceeds the limit of 1048576")
    assert time.perf_counter() - start < 5


def test_pads_of_a_billion():
    n = helper.make_node("Pad", ["x", "pads"], ["y"])
    refused(model([n], (1, 1, 8, 8), inits=[("pads", i64(0, 0, 10**9, 0, 0, 0, 0, 0))]), r"limit")
    n = helper.make_node("Conv", ["x", "w"], ["y"], pads=[10**9, 0, 0, 0])
    refused(model([n], (1, 1, 8, 8), inits=[w()]), r"node 'y' \(Conv\): padding 1000000000 exceeds the limit")


def test_upsample_by_a_billion_is_refused_before_any_work():
    n = helper.make_node("Upsample", ["x", "scales"], ["y"], mode="nearest")
    m = model([n], (1, 1, 4, 4), opset=9, inits=[("scales", np.array([1, 1, 1e9, 1], dtype=np.float32))])
    start = time.perf_counter()
    refused(m, r"node 'y' \(Upsample\): scale factor 1000000000.0 exceeds the limit")
    assert time.perf_counter() - start < 5
    n = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear")
    refused(model([n], (1, 1, 4, 4), inits=[("sizes", i64(1, 1, 10**9, 4))]), r"y.*limit")


def test_a_constant_of_a_billion_elements_is_not_folded():
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["big"]),
             helper.make_node("Add", ["x", "big"], ["y"])]
    m = model(nodes, (1, 1, 4, 4), inits=[("shape", i64(1, 1, 10**9, 4))])
    with time_limit(10), pytest.raises(RFGraphError):
        from_onnx(m)


def test_limits_can_be_raised():
    n = helper.make_node("Relu", ["x"], ["y"])
    m = model([n], (1, 1, 300000, 2))
    with rfgraph.limits(max_length=1 << 17), pytest.raises(rfgraph.LimitError, match=r"max_length"):
        from_onnx(m)
    assert from_onnx(m).input_size == (300000, 2)


# -- fuzz -----------------------------------------------------------------------------------------
# mostly plausible values, some hostile ones
_INTS = st.one_of(st.integers(0, 3), st.integers(1, 4), st.integers(-3, 6),
                  st.sampled_from([0, -1, 10**9, -(10**9), 2**62, -(2**63)]))
_FLOATS = st.one_of(st.floats(-3, 6), st.sampled_from([0.0, float("nan"), float("inf"), -1.0, 1e9]))


@st.composite
def nodes(draw, src: str, out: str, nd: int):
    """One node reading ``src`` with plausible, odd or hostile attributes and inputs."""
    op = draw(st.sampled_from(["Conv", "MaxPool", "AveragePool", "ConvTranspose", "Pad", "Slice", "Resize",
                               "Upsample", "Relu", "Add", "Concat", "Transpose", "Reshape", "Flatten",
                               "GlobalAveragePool", "Gather", "Split", "DepthToSpace", "SpaceToDepth",
                               "ReduceMean", "Softmax", "Gemm", "Blur"]))
    ints = st.lists(_INTS, min_size=1, max_size=2 * nd + 1)  # (onnx.helper cannot type an empty list)
    inits: list = []
    attrs: dict = {}
    ins = [src]
    name = out
    if op in ("Conv", "ConvTranspose"):
        k = draw(st.lists(st.integers(1, 4), min_size=nd, max_size=nd))
        inits.append((f"{name}_w", np.ones((1, 1, *k), dtype=np.float32)))
        ins.append(f"{name}_w")
    if op in ("Conv", "ConvTranspose", "MaxPool", "AveragePool"):
        for key in ("kernel_shape", "strides", "pads", "dilations"):
            if draw(st.booleans()):
                attrs[key] = draw(ints)
        if draw(st.booleans()):
            attrs["auto_pad"] = draw(st.sampled_from(["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "BOGUS"]))
        if op == "ConvTranspose" and draw(st.booleans()):
            attrs[draw(st.sampled_from(["output_shape", "output_padding"]))] = draw(ints)
    elif op in ("Pad", "Slice", "Gather", "Split", "Reshape"):
        for j in range(draw(st.integers(1, 4))):
            inits.append((f"{name}_{j}", np.array(draw(ints), dtype=np.int64)))
            ins.append(f"{name}_{j}")
        if draw(st.booleans()):
            attrs["axis"] = draw(_INTS)
    elif op in ("Resize", "Upsample"):
        scales = np.array(draw(st.lists(_FLOATS, min_size=0, max_size=nd + 3)), dtype=np.float32)
        inits.append((f"{name}_s", scales))
        ins += ([""] if op == "Resize" else []) + [f"{name}_s"]
        attrs["mode"] = draw(st.sampled_from(["nearest", "linear", "cubic", "bogus"]))
    elif op in ("Add", "Concat"):
        ins.append(draw(st.sampled_from([src, "x"])))
        if op == "Concat":
            attrs["axis"] = draw(_INTS)
    elif op == "Transpose" and draw(st.booleans()):
        attrs["perm"] = draw(st.lists(st.integers(-1, 5), min_size=1, max_size=5))
    elif op in ("DepthToSpace", "SpaceToDepth"):
        attrs["blocksize"] = draw(_INTS)
    elif op == "Gemm":
        inits.append((f"{name}_g", np.ones((2, 2), dtype=np.float32)))
        ins.append(f"{name}_g")
    outs = [out] if op != "Split" else [out, f"{out}_b"]
    return helper.make_node(op, ins, outs, **attrs), inits


@st.composite
def models(draw):
    nd = draw(st.integers(1, 2))
    shape = [1, draw(st.integers(1, 3))] + draw(st.lists(st.integers(1, 9), min_size=nd, max_size=nd))
    if draw(st.integers(0, 9)) == 0:
        shape[-1] = draw(st.sampled_from([0, 10**9]))
    count = draw(st.integers(1, 4))
    made, inits, src = [], [], "x"
    for i in range(count):
        out = "y" if i == count - 1 else f"t{i}"
        n, extra = draw(nodes(src, out, nd))
        made.append(n)
        inits += extra
        src = out
    opset = draw(st.sampled_from([7, 9, 11, 13, 17, 19]))
    m = model(made, shape, opset=opset, inits=inits)
    data = m.SerializeToString()
    if draw(st.integers(0, 5)) == 0:  # flip bytes: a corrupted file
        flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), min_size=1, max_size=4))
        buf = bytearray(data)
        for at, value in flips:
            buf[at] = value
        data = bytes(buf)
    return data


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          derandomize=True)
@given(models())
def test_fuzz_only_a_network_or_an_rfgraph_error(data):
    with time_limit(20):
        try:
            net = from_onnx(data)
        except RFGraphError as exc:
            assert str(exc) and "\n" not in str(exc).strip()
            return
    assert isinstance(net, rfgraph.Network)
    rfgraph.analyze(net)  # and the graph it made can be analysed (or says why not)
