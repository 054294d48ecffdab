"""Fuzzing the inputs :mod:`fuzzing` leaves out: node-link JSON, ``.jsonl`` batches,
``.keras`` files, ONNX models, and the classes of valid graphs an audit found by hand.

Same runner and outcomes as :mod:`fuzzing` (each case in a forked child with a time and a
memory limit); used by ``tests/test_fuzz_formats.py`` (a few dozen cases per generator) and
``benchmarks/fuzz_campaign.py`` (thousands).

Inputs:

- :func:`node_link_inputs`: random valid graphs as networkx node-link JSON (``links`` or
  ``edges``), then mutated as JSON (a value replaced by another type, an extreme number, a
  4301-digit literal, NaN, deep nesting; keys deleted, renamed, duplicated) or as bytes;
- :func:`jsonl_inputs`: ``rfgraph batch`` files of such graphs, one a line, with blank,
  broken and non-object lines among them; the runner checks every row (one-line errors,
  never "internal error");
- :func:`keras_inputs`: the stored Keras 3 configurations of ``tests/data/keras`` with class
  names, layer configs, ``inbound_nodes`` and shapes mutated, zipped as ``.keras`` (sometimes
  the zip itself corrupted);
- :func:`onnx_inputs`: small ONNX models built with ``onnx.helper`` from a wide set of
  operators with random attributes (right and wrong names, types and values), initializers
  of random shapes and dtypes, input shapes (0, symbolic, 10^9, any rank), any opset;
- :func:`audit_inputs`: valid graphs of the audit's classes: deep chains of misaligned
  blocks, stacked pools (stride 2^n, huge half-integer centres), long chains of
  upsamplings and transposed convolutions (huge phase periods). Chains of integer strides
  come with their (r, S, P, centre) from the textbook recursion (:func:`oracle_job` checks
  ``analyze --json`` against it: a wrong number is an outcome of its own).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from fractions import Fraction
from pathlib import Path

from hypothesis import strategies as st

from fuzzing import ERROR, HUGE, MEMORY, RESULT, TRACEBACK, Case, mutated, raw_graphs
from reference import path_geometry

import rfgraph
import rfgraph.cli
from rfgraph.io.node_link import format_node_link

WRONG = "wrong number"
DATA = Path(__file__).resolve().parent / "data" / "keras"

# ---------------------------------------------------------------------------------------------
# JSON-tree mutations (node-link files, .jsonl lines, Keras configurations)

# Raw JSON text spliced in where a value was: literals json.dumps cannot write.
_RAW = ["9" * 4301, "1" + "0" * 400, "-" + "9" * 5000, "1e400", "-1e400", "NaN", "Infinity", "-Infinity",
        "[" * 5000 + "]" * 5000, "{\"a\":" * 3000 + "1" + "}" * 3000, "1.5e-400", "0.0", "-0"]
_VALUES = [None, True, False, 0, -1, 1, 2, 3, 2**31, 2**63, 10**24, -(10**30), 0.5, 2.0, -2.5, 1e308, "", "x",
           "3", "3,3", "1,2,3", "-1", "same", "valid", "conv", "maxpool", "upsample", "conv_transpose", "nan",
           "\x00", "a\nb", "\u202e", [], {}, [1], [3, 3], [None, 8, 8, 3], [[1]], [0, 0], [-1, -1], {"a": 1},
           {"class_name": "__keras_tensor__", "config": {"shape": [None, 5, 5, 3], "keras_history": ["x", 0, 0]}},
           ["x", 0, 0], ["x", 9, 9], [None], "channels_first", "channels_last", "Functional", "Sequential"]
# JSON number literals put in place of a number.
_NUMBERS = ["9" * 4301, str(10**24), str(-(10**30)), str(2**63), "100000000", "1048577", "0", "-1", "-0", "1e400",
            "0.5", "2.0", "1e30", "NaN", "-Infinity"]


def _slots(tree):
    """Every (container, key) of a JSON tree, with its path (depth-first)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield tree, key
            yield from _slots(value)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield tree, i
            yield from _slots(value)


@st.composite
def mutated_tree(draw, tree, extra_values=(), focus=None):
    """``tree`` (a JSON value, changed in place) with a few mutations, as text (raw literals
    such as a 4301-digit integer or NaN spliced in). ``focus(container, key)`` picks the
    slots mutated more often (say, a Keras layer's config)."""
    raws: list[str] = []
    values = list(_VALUES) + list(extra_values)
    for _ in range(draw(st.integers(1, 4))):
        slots = list(_slots(tree))
        if not slots:
            break
        if focus is not None and draw(st.booleans()):
            slots = [s for s in slots if focus(*s)] or slots
        container, key = draw(st.sampled_from(slots))
        kind = draw(st.sampled_from(["value", "value", "raw", "delete", "rename", "duplicate", "number", "wrap"]))
        if kind == "value":
            container[key] = draw(st.sampled_from(values))
        elif kind == "raw":
            raws.append(draw(st.sampled_from(_RAW)))
            container[key] = f"@@RAW{len(raws) - 1}@@"
        elif kind == "delete":
            del container[key]
        elif kind == "rename" and isinstance(container, dict):
            new = draw(st.sampled_from(["links", "edges", "nodes", "source", "target", "id", "key", "op", "k",
                                        "class_name", "config", "inbound_nodes", "layers", "name", "args",
                                        "kwargs", "shape", "batch_shape", "keras_history", "__proto__", ""]))
            container[new] = container.pop(key)
        elif kind == "duplicate" and isinstance(container, list):
            container.insert(key, json.loads(json.dumps(container[key])))
        elif kind == "number":
            value = container[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                raws.append(draw(st.sampled_from(_NUMBERS)))
                container[key] = f"@@RAW{len(raws) - 1}@@"
        elif kind == "wrap":
            container[key] = draw(st.sampled_from([[container[key]], {"value": container[key]}]))
    text = json.dumps(tree, allow_nan=True)
    for i, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{i}@@"', raw)
    return text


def _node_link_tree(draw) -> dict:
    raw = draw(raw_graphs())
    tree = json.loads(format_node_link(raw))
    if draw(st.booleans()) and "edges" in tree:  # networkx before 3.4
        tree["links"] = tree.pop("edges")
    return tree


@st.composite
def node_link_inputs(draw) -> tuple[bytes, str]:
    """A node-link JSON graph, mutated as JSON or as bytes (sometimes left valid)."""
    tree = _node_link_tree(draw)
    how = draw(st.integers(0, 5))
    if how == 0:
        return json.dumps(tree).encode(), ".json"
    if how == 1:
        return draw(mutated(json.dumps(tree, indent=1).encode())), ".json"
    return draw(mutated_tree(tree)).encode(), ".json"


@st.composite
def jsonl_inputs(draw) -> tuple[bytes, str]:
    """A ``.jsonl`` batch: node-link graphs one a line, some mutated, some lines garbage."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        choice = draw(st.integers(0, 6))
        if choice <= 2:
            lines.append(json.dumps(_node_link_tree(draw)))
        elif choice <= 4:
            lines.append(draw(mutated_tree(_node_link_tree(draw))))
        else:
            lines.append(draw(st.sampled_from(["", "   ", "{}", "[]", "null", "\x00", "1", '"x"', "{",
                                               "\ufeff{}", '{"nodes": []}', '{"edges": [{}]}'] + _RAW)))
    data = "\n".join(lines).encode()
    if draw(st.integers(0, 4)) == 0:
        data = draw(mutated(data))
    return data, ".jsonl"


# ---------------------------------------------------------------------------------------------
# Keras

_KERAS_CLASSES = ["InputLayer", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                  "Conv3DTranspose", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling1D", "MaxPooling2D",
                  "MaxPooling3D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
                  "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding2D", "ZeroPadding1D", "Cropping2D",
                  "Cropping1D", "Add", "Concatenate", "Multiply", "Dense", "Flatten", "Reshape", "Permute",
                  "BatchNormalization", "ReLU", "Activation", "Dropout", "Functional", "Sequential", "Lambda",
                  "TFOpLambda", "Resizing", "Bogus", "", "Model"]
_KERAS_KEYS = {"kernel_size", "strides", "padding", "dilation_rate", "data_format", "pool_size", "size", "cropping",
               "batch_shape", "shape", "keras_history", "output_padding", "depth_multiplier", "axis", "target_shape",
               "dims", "interpolation", "groups", "input_layers", "output_layers", "layers"}
_KERAS_VALUES = ([[2, 2], [3, 3, 3], [1 << 30, 1 << 30], [0, 0], [-2, 2], ["same"], "causal", "full", "reflect",
                  [[1, 1], [1, 1]], [[0, 1 << 30], [0, 0]], [[-1, -1], [0, 0]], [None, 0, 0, 3], [None, 10**9, 10**9, 3],
                  [None, 3], [None, 8, 8, 8, 8, 8, 8, 8, 8, 8, 3], [[["x", 0, 0]]], [["nope", 0, 0]], [1, 2]]
                 + [[c] for c in _KERAS_CLASSES[:4]])


def keras_configs() -> list[dict]:
    """The stored Keras 3 configurations (and that of ``tiny.keras``)."""
    found = [json.loads(p.read_text()) for p in sorted(DATA.glob("*.json"))]
    with zipfile.ZipFile(DATA / "tiny.keras") as z:
        found.append(json.loads(z.read("config.json")))
    return found


_CONFIGS: list[dict] = []


def _keras_focus(container, key) -> bool:
    return key in _KERAS_KEYS or key == "class_name" or key == "inbound_nodes"


def keras_file(config_text: str | bytes, metadata: bool = True) -> bytes:
    """A ``.keras`` zip holding ``config_text`` as config.json."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        if metadata:
            z.writestr("metadata.json", '{"keras_version": "3.5.0", "date_saved": "2026-01-01@00:00:00"}')
        z.writestr("config.json", config_text)
    return out.getvalue()


@st.composite
def keras_inputs(draw) -> tuple[bytes, str]:
    """A stored Keras configuration, mutated (class names, configs, inbound_nodes, shapes),
    zipped as a ``.keras`` file; sometimes the text or the zip corrupted as bytes."""
    if not _CONFIGS:
        _CONFIGS.extend(keras_configs())
    tree = json.loads(json.dumps(draw(st.sampled_from(_CONFIGS))))
    layers = tree.get("config", tree).get("layers", [])
    if layers and draw(st.booleans()):  # a class name swapped: the config no longer fits it
        layer = draw(st.sampled_from(layers))
        layer["class_name"] = draw(st.sampled_from(_KERAS_CLASSES))
    how = draw(st.integers(0, 7))
    if how == 0:
        text = json.dumps(tree).encode()
    elif how == 1:
        text = draw(mutated(json.dumps(tree).encode()))
    else:
        text = draw(mutated_tree(tree, _KERAS_VALUES, _keras_focus)).encode()
    data = keras_file(text, metadata=draw(st.booleans()))
    if draw(st.integers(0, 9)) == 0:
        data = draw(mutated(data))
    return data, ".keras"


# ---------------------------------------------------------------------------------------------
# ONNX

_ONNX_OPS = ["Conv", "MaxPool", "AveragePool", "LpPool", "ConvTranspose", "Pad", "Slice", "Resize", "Upsample",
             "Add", "Concat", "Mul", "Relu", "Identity", "Transpose", "Reshape", "Flatten", "GlobalAveragePool",
             "GlobalMaxPool", "BatchNormalization", "Gather", "Split", "Squeeze", "Unsqueeze", "SpaceToDepth",
             "DepthToSpace", "Constant", "MatMul", "Gemm", "Dropout", "Clip", "Sigmoid", "Softmax", "ReduceMean",
             "Expand", "Tile", "Shape", "Cast", "Einsum", "Bogus", "If", "Loop", "DeformConv", "Col2Im",
             "MaxUnpool", "MaxRoiPool", "CenterCropPad", "GridSample"]
_ONNX_ATTRS = ["kernel_shape", "strides", "pads", "dilations", "auto_pad", "group", "output_padding", "output_shape",
               "ceil_mode", "count_include_pad", "storage_order", "axes", "axis", "perm", "mode", "scales",
               "coordinate_transformation_mode", "blocksize", "split", "keepdims", "starts", "ends", "value",
               "p", "epsilon", "allowzero", "nearest_mode", "antialias", "unknown_attr"]
_ONNX_INTS = [0, 1, 2, 3, -1, -2, 5, 10**9, -(10**9), 2**62, -(2**63), 2**31]
_ONNX_FLOATS = [0.0, 1.0, 2.0, 0.5, -1.0, 1e9, 1e-9, float("nan"), float("inf"), -float("inf"), 3.0]
_ONNX_STRINGS = [b"SAME_UPPER", b"SAME_LOWER", b"VALID", b"NOTSET", b"BOGUS", b"nearest", b"linear", b"cubic",
                 b"half_pixel", b"asymmetric", b"", b"\xff"]
_DTYPES = ["float32", "int64", "int32", "float64", "uint8", "bool", "float16"]


@st.composite
def _attribute(draw, name: str, nd: int, typed=None):
    """An attribute ``name``: of the schema's type ``typed`` (an AttrType) most of the time."""
    from onnx import helper
    kinds = {1: "float", 2: "int", 3: "string", 4: "tensor", 6: "floats", 7: "ints"}
    if typed is not None and int(typed) in kinds and draw(st.integers(0, 5)):
        kind = kinds[int(typed)]
    else:
        kind = draw(st.sampled_from(["ints", "ints", "int", "floats", "float", "string", "tensor"]))
    if kind == "ints":
        n = draw(st.sampled_from([nd, nd, 2 * nd, 1, 2 * nd + 1, 3, 9, 65]))
        value = [draw(st.sampled_from(_ONNX_INTS) if draw(st.integers(0, 4)) == 0 else st.integers(0, 4))
                 for _ in range(n)]
    elif kind == "int":
        value = draw(st.integers(0, 3)) if draw(st.integers(0, 3)) else draw(st.sampled_from(_ONNX_INTS))
    elif kind == "floats":
        value = draw(st.lists(st.sampled_from(_ONNX_FLOATS), min_size=1, max_size=nd + 3))
    elif kind == "float":
        value = draw(st.sampled_from(_ONNX_FLOATS))
    elif kind == "string":
        value = draw(st.sampled_from(_ONNX_STRINGS))
    else:
        value = _tensor(draw, "t")
    return helper.make_attribute(name, value)


def _tensor(draw, name: str):
    import numpy as np
    from onnx import numpy_helper
    dtype = draw(st.sampled_from(_DTYPES))
    shape = draw(st.lists(st.integers(0, 4), min_size=0, max_size=5))
    count = int(np.prod(shape)) if shape else 1
    if dtype in ("float32", "float64", "float16"):
        values = draw(st.lists(st.sampled_from(_ONNX_FLOATS), min_size=count, max_size=count))
    elif dtype == "bool":
        values = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    elif dtype == "uint8":
        values = draw(st.lists(st.integers(0, 255), min_size=count, max_size=count))
    else:
        ints = [v for v in _ONNX_INTS if abs(v) < 2**31] if dtype == "int32" else _ONNX_INTS
        values = draw(st.lists(st.one_of(st.integers(-3, 6), st.sampled_from(ints)), min_size=count, max_size=count))
    with np.errstate(all="ignore"):
        array = np.array(values, dtype=np.float64 if dtype.startswith("float") else object).astype(dtype)
    return numpy_helper.from_array(array.reshape(shape), name)


_CORE_OPS = ["Conv", "MaxPool", "AveragePool", "ConvTranspose", "Pad", "Slice", "Resize", "Upsample", "Add",
             "Concat", "Relu", "BatchNormalization", "Transpose", "Reshape", "Flatten", "GlobalAveragePool",
             "Gather", "Split", "Squeeze", "Unsqueeze", "SpaceToDepth", "DepthToSpace", "Identity", "LpPool"]


def _int_tensor(draw, name: str, length: int):
    import numpy as np
    from onnx import numpy_helper
    values = [draw(st.integers(-2, 4)) if draw(st.integers(0, 5)) else draw(st.sampled_from(_ONNX_INTS))
              for _ in range(length)]
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _float_tensor(draw, name: str, length: int):
    import numpy as np
    from onnx import numpy_helper
    values = [draw(st.sampled_from([1.0, 1.0, 2.0, 3.0])) if draw(st.integers(0, 5)) else
              draw(st.sampled_from(_ONNX_FLOATS)) for _ in range(length)]
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


@st.composite
def onnx_models(draw):
    """A small ONNX model: a chain (with merges) of operators (mostly the ones rfgraph
    converts), each with some of the attributes its schema has (random values, extreme ones
    among them) and sometimes one it does not have, inputs as initializers of plausible and
    implausible shapes and values, a random input shape and opset."""
    import numpy as np
    from onnx import TensorProto, defs, helper, numpy_helper

    opset = draw(st.sampled_from([7, 9, 10, 11, 12, 13, 17, 18, 19, 21] * 3 + [1, 6, 0, 99]))
    nd = draw(st.integers(1, 3))
    dims = [1, draw(st.integers(1, 3))] + [draw(st.integers(1, 12)) for _ in range(nd)]
    if draw(st.integers(0, 9)) == 0:
        i = draw(st.integers(0, len(dims) - 1))
        dims[i] = draw(st.sampled_from([0, -1, 10**9, 2**40, "N", "H", ""]))
    if draw(st.integers(0, 14)) == 0:
        dims = dims[: draw(st.integers(0, len(dims)))] or dims + [1] * draw(st.integers(1, 6))
    elem = TensorProto.FLOAT if draw(st.integers(0, 9)) else draw(st.sampled_from([TensorProto.INT64,
                                                                                    TensorProto.STRING]))
    x = helper.make_tensor_value_info("x", elem, None if draw(st.integers(0, 20)) == 0 else dims)
    rank = len(dims)
    tensors, nodes, inits = ["x"], [], []
    for i in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(_CORE_OPS)) if draw(st.integers(0, 6)) else draw(st.sampled_from(_ONNX_OPS))
        out = f"t{i}"
        ins = [tensors[-1] if draw(st.integers(0, 3)) else draw(st.sampled_from(tensors))]
        try:
            known = {name: a.type for name, a in defs.get_schema(op, max(opset, 1)).attributes.items()}
        except Exception:  # noqa: BLE001 - an operator unknown at this opset
            known = {}
        attrs = {}
        if op in ("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool") and draw(st.integers(0, 5)):
            attrs["kernel_shape"] = helper.make_attribute("kernel_shape", [draw(st.integers(1, 4)) for _ in range(nd)])
        for name in sorted(known):
            if name not in attrs and draw(st.integers(0, 3)) == 0:
                attrs[name] = draw(_attribute(name, nd, known[name]))
        if draw(st.integers(0, 7)) == 0:
            name = draw(st.sampled_from(_ONNX_ATTRS))
            attrs[name] = draw(_attribute(name, nd))
        if op in ("Conv", "ConvTranspose"):
            k = list(attrs["kernel_shape"].ints) if "kernel_shape" in attrs else [3] * nd
            shape = [draw(st.integers(1, 3)), dims[1] if isinstance(dims[1], int) and 0 < dims[1] < 5 else 1, *k] \
                if len(dims) > 1 else [1, 1, *k]
            if draw(st.integers(0, 6)) == 0:
                shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=5))
            if all(0 < v < 100 for v in shape):
                inits.append(numpy_helper.from_array(np.ones(shape, dtype=np.float32), f"w{i}"))
                ins.append(f"w{i}")
        elif op in ("Pad", "Slice", "Reshape", "Split", "Squeeze", "Unsqueeze", "Gather") and draw(st.integers(0, 3)):
            count = {"Pad": 1, "Slice": draw(st.integers(2, 4)), "Reshape": 1, "Split": 1, "Squeeze": 1,
                     "Unsqueeze": 1, "Gather": 1}[op]
            for j in range(count):
                length = 2 * rank if op == "Pad" else draw(st.sampled_from([1, 1, rank, 2, 0]))
                inits.append(_int_tensor(draw, f"c{i}_{j}", length))
                ins.append(f"c{i}_{j}")
        elif op in ("Resize", "Upsample") and draw(st.integers(0, 3)):
            if op == "Resize" and opset >= 11:
                ins.append("")  # roi
            inits.append(_float_tensor(draw, f"c{i}", draw(st.sampled_from([rank, rank, 1, 0, rank + 1]))))
            ins.append(f"c{i}")
        elif op in ("Add", "Concat"):
            ins.append(draw(st.sampled_from(tensors)))
        elif op == "BatchNormalization":
            for j in range(4):
                inits.append(_float_tensor(draw, f"c{i}_{j}", dims[1] if isinstance(dims[1], int) and
                                           0 < dims[1] < 5 else 1) if len(dims) > 1 else _float_tensor(draw, f"c{i}_{j}", 1))
                ins.append(f"c{i}_{j}")
        if draw(st.integers(0, 9)) == 0:  # an input of any kind, or an omitted optional one
            if draw(st.booleans()):
                ins.append(draw(st.sampled_from(tensors + [""])))
            else:
                inits.append(_tensor(draw, f"e{i}"))
                ins.append(f"e{i}")
        node = helper.make_node(op, ins, [out])
        node.attribute.extend(attrs.values())
        if draw(st.integers(0, 25)) == 0:
            node.domain = draw(st.sampled_from(["com.microsoft", "ai.onnx.ml", "bogus"]))
        nodes.append(node)
        tensors.append(out)
    outputs = [helper.make_tensor_value_info(tensors[-1], TensorProto.FLOAT, None)]
    if draw(st.integers(0, 8)) == 0:
        outputs.append(helper.make_tensor_value_info(draw(st.sampled_from(tensors)), TensorProto.FLOAT, None))
    graph = helper.make_graph(nodes, "g", [x], outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8 if draw(st.integers(0, 9)) else draw(st.sampled_from([3, 7, 9, 0, 99]))
    return model


@st.composite
def onnx_inputs(draw) -> tuple[bytes, str]:
    """An ONNX model from :func:`onnx_models`, serialized (sometimes with bytes mutated)."""
    data = draw(onnx_models()).SerializeToString()
    if draw(st.integers(0, 14)) == 0:
        data = draw(mutated(data))
    return data, ".onnx"


# ---------------------------------------------------------------------------------------------
# The audit's classes: valid graphs, some with an oracle


def _dot(edges: list[tuple[str, str, dict]], graph: dict | None = None) -> str:
    def attrs(d):
        return ", ".join(f'{k}="{",".join(map(str, v)) if isinstance(v, tuple) else v}"' for k, v in d.items())
    lines = [f'  "{a}" -> "{b}" [{attrs(d)}];' for a, b, d in edges]
    head = [f'  {k}="{v}";' for k, v in (graph or {}).items()]
    return "digraph {\n" + "\n".join(head + lines) + "\n}\n"


def expected_chain(edges, ndim: int = 1) -> dict | None:
    """What ``analyze --json`` must say of a chain of integer-stride layers, per axis (rf,
    stride, padding, centre as a Fraction), from the textbook recursion of
    ``tests/reference.py``."""
    want = []
    for axis in range(ndim):
        geometry = path_geometry(edges, axis)
        if geometry is None:
            return None
        r, S, P = geometry
        want.append({"rf": r, "stride": S, "padding": P, "center": Fraction(r - 1, 2) - P})
    return {"axes": want}


@st.composite
def misaligned_chains(draw):
    """``n`` blocks, each a fork whose branches have different centres (k=3 p=1 against
    k=2), merged: up to thousands of mismatches."""
    n = draw(st.sampled_from([1, 2, 10, 100, 1000, 3000, 6000]))
    edges = []
    for i in range(n):
        a, b = f"n{i}", f"n{i + 1}"
        edges.append((a, b, {"op": "conv", "k": 3, "p": 1, "s": draw(st.sampled_from([1, 1, 2]))}))
        edges.append((a, b, {"op": "conv", "k": 2, "s": 1}))
    return _dot(edges), None


@st.composite
def stacked_pools(draw):
    """A chain of n pools (stride 2^n or 3^n): huge receptive fields, huge half-integer centres."""
    n = draw(st.sampled_from([1, 5, 30, 52, 53, 54, 64, 100, 500, 2000, 4000, 9000]))
    kind = draw(st.sampled_from([("maxpool", 2, 2, 0), ("avgpool", 3, 2, 1), ("maxpool", 4, 3, 0),
                                 ("conv", 2, 2, 0), ("conv", 3, 3, 2)]))
    op, k, s, p = kind
    ndim = draw(st.integers(1, 2))
    edges = []
    for i in range(n):
        attrs = {"op": op, "k": k if ndim == 1 else (k, k), "s": s if ndim == 1 else (s, s)}
        if p:
            attrs["p"] = p if ndim == 1 else (p, p)
        edges.append((f"n{i}", f"n{i + 1}", attrs))
    if draw(st.booleans()):  # a last layer with a half pixel of centre
        edges.append((f"n{n}", "out", {"op": "conv", "k": 2 if ndim == 1 else (2, 2)}))
    return _dot(edges), expected_chain(edges, ndim)


@st.composite
def phase_chains(draw):
    """Many upsamplings and transposed convolutions (scales 2, 3, 5, 7: phase periods that
    multiply), with convolutions between; sometimes strided convolutions that bring the
    stride back."""
    n = draw(st.sampled_from([1, 3, 8, 15, 21, 30, 60]))
    edges = []
    for i in range(n):
        f = draw(st.sampled_from([2, 3, 5, 7]))
        kind = draw(st.sampled_from(["upsample", "conv_transpose", "conv", "down"]))
        if kind == "upsample":
            attrs = {"op": "upsample", "scale": f}
        elif kind == "conv_transpose":
            attrs = {"op": "conv_transpose", "k": draw(st.integers(1, 2 * f)), "s": f}
        elif kind == "conv":
            attrs = {"op": "conv", "k": draw(st.integers(1, 4))}
        else:
            attrs = {"op": "conv", "k": f, "s": f}
        edges.append((f"n{i}", f"n{i + 1}", attrs))
    if draw(st.booleans()):
        edges.append(("n0", f"n{n}", {"op": "upsample", "scale": draw(st.sampled_from([2, 6, 35]))}))
    graph = {"input_size": draw(st.sampled_from([4, 7, 16, 1000]))} if draw(st.booleans()) else None
    return _dot(edges, graph), None


_AUDIT_COMMANDS = [("analyze", "{file}", "--json"), ("analyze", "{file}"), ("table", "{file}", "--json"),
                   ("table", "{file}", "--from-output"), ("paths", "{file}", "--limit", "3", "--json"),
                   ("region", "{file}", "--at", "1", "--input-size", "9"), ("summary", "{file}", "--input-size", "64"),
                   ("region", "{file}", "--all", "--input-size", "12", "--json"),
                   ("convert", "{file}", "-o", "{out}.graphml", "--values")]


@st.composite
def audit_cases(draw):
    """A case of the audit's classes, and what ``analyze --json`` must answer (or None)."""
    maker = draw(st.sampled_from([misaligned_chains, stacked_pools, phase_chains]))
    text, want = draw(maker())
    if want is not None and draw(st.booleans()):
        return Case(text.encode(), ".dot", ("analyze", "{file}", "--json"), kind=maker.__name__), want
    argv = draw(st.sampled_from(_AUDIT_COMMANDS))
    if argv[0] == "analyze" and draw(st.booleans()):
        argv = argv + ("--input-size", draw(st.sampled_from(["5", "64", "1000000"])))
    if draw(st.integers(0, 4)) == 0:
        return Case(text.encode(), ".dot", api=True, kind=maker.__name__), None
    return Case(text.encode(), ".dot", argv, kind=maker.__name__), None


def _number(value):
    """A number of ``analyze --json``: an int, a float, or text ``"a/b"``."""
    if isinstance(value, str):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value)
    return value


def oracle_job(case: Case, want: dict):
    """A job for :func:`fuzzing.run_case`: run ``analyze --json`` and compare every axis
    with ``want`` (:func:`expected_chain`); a refusal must be a limit (a clear error)."""
    def job(path: str, folder: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = rfgraph.cli.main([a.replace("{file}", path) for a in case.argv])
        if code == 2 and err.getvalue().startswith("rfgraph: error: ") and err.getvalue().count("\n") == 1:
            return ERROR
        if code != 0:
            return f"{TRACEBACK}: exit {code}, stderr {err.getvalue()[:500]!r}"
        axes = json.loads(out.getvalue())["axes"]
        for got, expected in zip(axes, want["axes"]):
            for key, value in expected.items():
                if _number(got[key]) != value:
                    return f"{WRONG}: axis {got['axis']} {key} {got[key]!r} instead of {value}"
        return RESULT
    return job


# ---------------------------------------------------------------------------------------------
# Commands and cases


@st.composite
def model_commands(draw) -> tuple[str, ...]:
    """A command on a model file (ONNX, Keras): the analyses, or ``import``."""
    size = ["--input-size", draw(st.sampled_from(["8", "8,8", "1", "0", "99999999999", "5,5,5"]))] \
        if draw(st.integers(0, 3)) == 0 else []
    command = draw(st.sampled_from(["analyze", "table", "region", "import", "convert", "summary"]))
    if command == "analyze":
        return ("analyze", "{file}", "--json", *size)
    if command == "table":
        return ("table", "{file}", "--json", *size)
    if command == "region":
        return ("region", "{file}", "--at", draw(st.sampled_from(["0", "1,1", "3"])), "--json", *size)
    if command == "summary":
        return ("summary", "{file}", *size)
    if command == "import":
        return ("import", "{file}", "-o", draw(st.sampled_from(["{out}.dot", "{out}.graphml"])), *size)
    return ("convert", "{file}", "-o", "{out}.dot")


@st.composite
def batch_commands(draw) -> tuple[str, ...]:
    """``rfgraph batch`` on a ``.jsonl`` file, rows to a file (jsonl or csv)."""
    argv = ["batch", "{file}", "-o", "{out}.rows", "--format", draw(st.sampled_from(["jsonl", "csv"]))]
    if draw(st.booleans()):
        argv.append("--diagnose")
    if draw(st.integers(0, 3)) == 0:
        argv += ["--input-size", draw(st.sampled_from(["8", "8,8", "99999999999", "0"]))]
    return tuple(argv)


def batch_job(case: Case):
    """A job for :func:`fuzzing.run_case`: ``rfgraph batch``, then every row checked (a
    one-line error that is not an internal error; a summary line on stderr)."""
    def job(path: str, folder: str) -> str:
        argv = [a.replace("{file}", path).replace("{out}", os.path.join(folder, "out")) for a in case.argv]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = rfgraph.cli.main(argv)
        text = err.getvalue()
        if code not in (0, 2) or text.count("\n") > 1 or (text and not text.startswith("rfgraph: ")):
            return f"{TRACEBACK}: exit {code}, stderr {text[:500]!r}"
        if "out of memory" in text:
            return f"{MEMORY}: {text.strip()}"
        rows_path = os.path.join(folder, "out.rows")
        if not os.path.exists(rows_path):
            return ERROR if text.startswith("rfgraph: error: ") else f"{TRACEBACK}: no rows, stderr {text!r}"
        with open(rows_path, encoding="utf-8") as fh:
            rows = fh.read()
        if "internal error" in rows or "Traceback" in rows:
            line = next(line for line in rows.splitlines() if "internal error" in line or "Traceback" in line)
            return f"{TRACEBACK}: a row says {line[:600]}"
        if "--format" in argv and argv[argv.index("--format") + 1] == "jsonl":
            for line in rows.splitlines():
                row = json.loads(line)
                if "error" in row and (not row["error"].strip() or "\n" in row["error"]):
                    return f"{TRACEBACK}: a row's error is empty or several lines: {row['error'][:300]!r}"
        return ERROR if code == 2 else RESULT
    return job


def format_cases(inputs, commands_strategy=None):
    """Cases of one generator: the input with a command line (or the Python API)."""
    from fuzzing import commands

    @st.composite
    def make(draw) -> Case:
        data, suffix = draw(inputs())
        if suffix == ".jsonl":
            return Case(data, suffix, draw(batch_commands()), kind=inputs.__name__)
        if draw(st.integers(0, 3)) == 0:
            return Case(data, suffix, api=True, kind=inputs.__name__)
        argv = draw(commands_strategy() if commands_strategy else
                    model_commands() if suffix in (".onnx", ".keras") else commands())
        return Case(data, suffix, argv, kind=inputs.__name__)
    return make()


def job_for(case: Case):
    """The job :func:`fuzzing.run_case` needs for ``case`` (None: its own command or the API)."""
    return batch_job(case) if case.suffix == ".jsonl" else None
