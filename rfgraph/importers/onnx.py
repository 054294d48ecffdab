"""ONNX models to rfgraph graphs.

:func:`from_onnx` reads the model (a file name, bytes or a ``ModelProto``), fixes the input's
size (the model's own static size, or ``input_size``), runs ONNX shape inference to know every
tensor's shape, folds the small constant computations that feed geometry (pads, slice bounds,
resize scales, split sizes, reduction axes), then turns every tensor that depends on the input
into a node named after the tensor and every operator into edges from its inputs. Lengths are
checked against the shapes ONNX inferred.

Requires the ``onnx`` package; nothing here is imported by ``import rfgraph``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..core.errors import ModelImportError, ParseError, RFGraphError
from .builder import (
    GraphBuilder,
    OpContext,
    TensorInfo,
    apply_override,
    constant,
    emit_resample,
    find_override,
    norm_dim,
    permute_axes,
    permute_lead,
    true_taps,
    unforeseen,
)
from .families import Families
from .limits import MAX_FOLD_ELEMENTS, check_length
from .onnx_checks import check_axes, check_scales, validate_node

_ELEMENTWISE = {
    "Relu": "relu", "LeakyRelu": "leaky_relu", "PRelu": "prelu", "Elu": "elu", "Selu": "selu", "Celu": "elu",
    "Gelu": "gelu", "Sigmoid": "sigmoid", "HardSigmoid": "hardsigmoid", "HardSwish": "hardswish",
    "Tanh": "tanh", "Softplus": "softplus", "Softsign": "identity", "Mish": "mish", "Clip": "relu6",
    "ThresholdedRelu": "relu", "Shrink": "identity", "Exp": "identity", "Log": "identity", "Sqrt": "identity",
    "Reciprocal": "identity", "Neg": "identity", "Abs": "identity", "Pow": "mul", "Dropout": "dropout",
    "Identity": "identity", "Cast": "identity", "CastLike": "identity", "Floor": "identity", "Ceil": "identity",
    "Round": "identity", "Erf": "identity", "Sin": "identity", "Cos": "identity", "Sign": "identity",
    "Not": "identity", "And": "mul", "Or": "add", "Xor": "add", "Equal": "identity", "Greater": "identity",
    "Less": "identity", "GreaterOrEqual": "identity", "LessOrEqual": "identity", "Where": "identity",
    "Max": "max", "Min": "min", "Sum": "add", "Mean": "add", "Add": "add", "Sub": "sub", "Mul": "mul",
    "Div": "div", "Mod": "div", "LRN": "identity", "IsNaN": "identity", "IsInf": "identity",
    "BatchNormalization": "bn",
}
_REDUCE = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2",
           "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}
_CONSTANT_OPS = {"Constant", "ConstantOfShape", "Range", "EyeLike", "RandomNormal", "RandomUniform",
                 "RandomNormalLike", "RandomUniformLike", "Shape", "Size"}
_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _onnx():
    try:
        import onnx
    except ImportError:  # pragma: no cover - depends on the environment
        raise ModelImportError("importing ONNX models needs the onnx package: pip install onnx") from None
    return onnx


def _load(path_or_model) -> tuple[Any, str | None]:
    onnx = _onnx()
    if isinstance(path_or_model, onnx.ModelProto):
        return path_or_model, None
    if isinstance(path_or_model, (bytes, bytearray)):
        try:
            return onnx.load_from_string(bytes(path_or_model)), None
        except Exception as exc:
            raise ParseError(f"not an ONNX model: {' '.join(str(exc).split())[:200]}") from exc
    path = os.fspath(path_or_model)
    if not os.path.exists(path):
        raise ParseError(f"{path}: no such file")
    try:
        model = onnx.load(path)
    except Exception as exc:
        raise ParseError(f"{path}: not an ONNX model ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:200]})") from exc
    if not model.graph.node and not model.graph.input:
        raise ParseError(f"{path}: not an ONNX model (no graph)")
    return model, path


def from_onnx(path_or_model, *, input_size: Any = None, input: str | None = None, output: str | None = None,
              ops: Mapping[str, Any] | None = None, name: str | None = None, description: str | None = None,
              input_layout: str | None = None):
    """Convert an ONNX model into an rfgraph :class:`~rfgraph.core.network.Network`.

    Options: ``input_size`` (the spatial size, e.g. ``(224, 224)``, needed when the model's
    input has symbolic spatial dimensions); ``input_layout`` (``"NCHW"``: channels first, the
    spatial axes are the input's last dimensions; ``"NHWC"``: channels last, as Keras and
    TensorFlow export; default: detected from the graph, see :func:`detect_layout`, and an
    error naming the input when the graph does not say); ``input`` (which graph input, default the first that is not an
    initializer); ``output`` (graph attribute ``output``; default the first graph output);
    ``ops`` (``{op_type or node name: edge attributes or callable}`` for operators rfgraph does
    not know, or to override one); ``name``, ``description``.

    Raises :class:`~rfgraph.core.errors.ParseError` for a file that is not an ONNX model and
    :class:`~rfgraph.core.errors.ModelImportError` naming the node for what cannot be converted.
    """
    model, source = _load(path_or_model)
    conv = _Converter(model, source, input_size, input, ops, input_layout)
    conv.run()
    if not conv.outputs:
        raise ModelImportError(f"{conv.where}no graph output depends on the input {conv.input_node}")
    size = conv.b.expected[conv.input_node]
    attrs = {"input": conv.input_node, "output": output if output is not None else conv.outputs[0],
             "input_size": ",".join(map(str, size))}
    if len(conv.outputs) > 1:
        attrs["outputs"] = ",".join(conv.outputs)
    producer = f" ({model.producer_name} {model.producer_version})".replace(" )", ")") if model.producer_name else ""
    attrs["description"] = description or (
        f"imported from ONNX{producer}{' file ' + os.path.basename(source) if source else ''}, opset "
        f"{conv.opset}, by rfgraph.importers.from_onnx at input {'x'.join(map(str, size))}")
    conv.b.raw.name = name or model.graph.name or "model"
    return conv.b.finish(attrs, conv.input_node)


class _Converter(Families):
    def __init__(self, model, source, input_size, input_name, ops, input_layout=None) -> None:
        onnx = _onnx()
        self.onnx = onnx
        self.model = model
        self.source = source
        self.where = f"{source}: " if source else ""
        self.ops = dict(ops or {})
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        graph = model.graph
        self.initializers = {t.name: t for t in graph.initializer}
        inputs = [i for i in graph.input if i.name not in self.initializers]
        if not inputs:
            raise ModelImportError(f"{self.where}the model has no input")
        if input_name is not None:
            chosen = [i for i in inputs if i.name == input_name]
            if not chosen:
                raise ModelImportError(f"{self.where}no graph input {input_name!r} (inputs: "
                                       f"{', '.join(i.name for i in inputs)})")
            self.graph_input = chosen[0]
        else:
            self.graph_input = inputs[0]
        dims = self.graph_input.type.tensor_type.shape.dim
        rank = len(dims)
        if input_size is not None:
            size = [int(input_size)] if isinstance(input_size, int) else [int(n) for n in input_size]
            if len(size) > rank - 1:
                raise ModelImportError(f"{self.where}input_size {size} has more axes than input "
                                       f"{self.graph_input.name} has spatial dimensions ({rank} dimensions)")
        else:
            size = None
        self.ndim = len(size) if size is not None else rank - 2
        if self.ndim < 1:
            raise ModelImportError(f"{self.where}input {self.graph_input.name} has {rank} dimensions: expected "
                                   "[N, C, *spatial] (or give input_size)")
        known = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in dims]
        if input_layout is None:
            input_layout = detect_layout(model, self.graph_input.name, known, self.where)
        layout = str(input_layout).upper()
        if layout not in ("NCHW", "NHWC"):
            raise ModelImportError(f"{self.where}input_layout={input_layout!r}: expected 'NCHW' or 'NHWC'")
        evidence = layout_evidence(model, self.graph_input.name, rank)
        if len(evidence) == 1 and layout not in evidence:
            # A layout the graph contradicts puts channels on a spatial axis: wrong numbers, no error.
            (said, why), = evidence.items()
            raise ModelImportError(f"{self.where}input {self.graph_input.name!r}: input_layout {layout} "
                                   f"(CLI --layout) contradicts the graph, which says {said}: {why}")
        self.layout = layout
        first = 1 if layout == "NHWC" else rank - self.ndim
        self.spatial_dims = list(range(first, first + self.ndim))
        if self.spatial_dims[-1] >= rank:
            raise ModelImportError(f"{self.where}input {self.graph_input.name} has {rank} dimensions: too few for "
                                   f"{self.ndim} spatial axes in layout {layout}")
        shape = []
        for i, d in enumerate(dims):
            if size is not None and i in self.spatial_dims:
                shape.append(size[self.spatial_dims.index(i)])
            elif known[i] is not None:
                shape.append(known[i])
            elif i not in self.spatial_dims:
                shape.append(1)  # batch or channels given by name only: 1 does not change geometry
            else:
                raise ModelImportError(f"{self.where}input {self.graph_input.name} has a symbolic spatial "
                                       f"dimension {d.dim_param or '?'}: give input_size=(H, W)")
        for i in self.spatial_dims:
            check_length(shape[i], f"{self.where}input {self.graph_input.name}")
        for n in graph.node:
            validate_node(n, self.opset, self.where)
        self.input_shape = tuple(shape)
        self.values: dict[str, Any] = {}
        self.env: dict[str, Any] = {}
        self.shapes = self._infer(model, shape)
        self._prefold(shape)
        self.b = GraphBuilder(self.ndim, source)
        self.env = {}
        self.outputs: list[str] = []
        self.input_node = None

    def _prefold(self, shape) -> None:
        """Fold every computation that does not depend on the input's values (shape
        arithmetic, constants); when shape inference left sizes unknown downstream of such a
        computation, run it again with the folded values as initializers."""
        for _round in range(64):  # each round can resolve one more link of a chain (TF-same pads)
            live = {self.graph_input.name}
            for n in self.model.graph.node:
                if n.op_type not in ("Shape", "Size") and any(i in live for i in n.input if i):
                    live.update(o for o in n.output if o)
                elif not all(o in self.values for o in n.output if o):
                    self.fold(n)
            unknown = [o for n in self.model.graph.node for o in n.output if o in live and self.shapes.get(o) is None]
            if not unknown:
                return
            before = dict(self.shapes)
            self.shapes = self._infer(self.model, shape, folded=True)
            if self.shapes == before:
                return

    def _infer(self, model, shape, folded: bool = False) -> dict[str, tuple[int, ...] | None]:
        onnx = self.onnx
        copy = onnx.ModelProto()
        copy.CopyFrom(model)
        if folded:  # computed constants become initializers, their producers go
            keep = [n for n in copy.graph.node if not all(o in self.values for o in n.output if o)]
            del copy.graph.node[:]
            copy.graph.node.extend(keep)
            known = {t.name for t in copy.graph.initializer}
            for name, value in self.values.items():
                if name not in known:
                    copy.graph.initializer.append(onnx.numpy_helper.from_array(value, name))
        for i in copy.graph.input:
            if i.name == self.graph_input.name:
                for d, n in zip(i.type.tensor_type.shape.dim, shape):
                    d.Clear()
                    d.dim_value = n
        try:
            inferred = onnx.shape_inference.infer_shapes(copy, data_prop=True)
        except Exception as exc:
            raise ModelImportError(f"{self.where}ONNX shape inference failed: {' '.join(str(exc).split())[:300]}") from exc
        shapes: dict[str, tuple[int, ...] | None] = {}
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
            t = vi.type.tensor_type
            if not t.HasField("shape"):
                shapes.setdefault(vi.name, None)
                continue
            dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
            shapes[vi.name] = None if any(d is None for d in dims) else tuple(dims)
        for name, t in self.initializers.items():
            shapes[name] = tuple(t.dims)
        return shapes

    # -- hooks for Families ----------------------------------------------------------------
    def fail(self, n, message: str) -> ModelImportError:
        return ModelImportError(f"{self.where}node {n.name or n.output[0]!r} ({n.op_type}): {message}")

    def name_of(self, n) -> str:
        return self.b.unique(n.output[0] if n.output and n.output[0] else (n.name or n.op_type))

    def edge_attrs(self, n, **extra) -> dict:
        attrs = {"type": n.op_type}
        if n.name:
            attrs["onnx_node"] = n.name
        attrs.update({k: v for k, v in extra.items() if v is not None})
        return attrs

    def node_attrs(self, n) -> dict:
        shape = self.shapes.get(n.output[0]) if n.output else None
        if shape is not None and len(shape) == self.ndim + 2:
            return {"channels": int(shape[1])}
        return {}

    # -- helpers ---------------------------------------------------------------------------
    def attrs(self, n) -> dict[str, Any]:
        out = {}
        for a in n.attribute:
            v = self.onnx.helper.get_attribute_value(a)
            out[a.name] = v.decode() if isinstance(v, bytes) else v
        return out

    def value(self, n, name: str, what: str, required: bool = True):
        """The constant value of tensor ``name`` (an initializer, a Constant, or folded)."""
        import numpy as np

        if not name:
            return None
        if name in self.values:
            return self.values[name]
        if name in self.initializers:
            value = self.onnx.numpy_helper.to_array(self.initializers[name])
            self.values[name] = value
            return value
        if required:
            raise self.fail(n, f"its {what} ({name}) is computed from the input at run time: rfgraph needs "
                               "it constant")
        return np.asarray([])

    def shape(self, name: str) -> tuple[int, ...] | None:
        if name in self.shapes and self.shapes[name] is not None:
            return self.shapes[name]
        if name in self.values:
            return tuple(self.values[name].shape)
        return None

    def out_shape(self, n, i: int = 0) -> tuple[int, ...]:
        shape = self.shape(n.output[i])
        if shape is None:
            raise self.fail(n, f"the shape of {n.output[i]} is unknown after shape inference (symbolic "
                               "sizes: give input_size=...)")
        return shape

    # -- the pass --------------------------------------------------------------------------
    def run(self) -> None:
        info = self.b.input(self.graph_input.name, self.input_shape, [(d, 1) for d in self.spatial_dims])
        self.input_node = info.node
        self.env[self.graph_input.name] = info
        for name, t in self.initializers.items():
            self.env[name] = constant(tuple(t.dims), self.ndim)
        for n in self.model.graph.node:
            self.convert(n)
        for o in self.model.graph.output:
            v = self.env.get(o.name)
            if isinstance(v, TensorInfo) and not v.constant and v.node not in self.outputs:
                self.outputs.append(v.node)

    def convert(self, n) -> None:
        live = [self.env[i] for i in n.input if i and isinstance(self.env.get(i), TensorInfo)
                and not self.env[i].constant]
        if n.op_type in ("If", "Loop", "Scan") and live:
            raise self.fail(n, "control flow on the input: not a layer rfgraph expresses")
        if n.op_type in ("Shape", "Size") or not live:
            self.fold(n)
            return
        key, rule = find_override(self.ops, [n.name, n.output[0], n.op_type])
        if rule is not None:
            srcs = [self.env[i] for i in n.input if i and isinstance(self.env.get(i), TensorInfo)]
            ctx = OpContext(self.name_of_peek(n), key, n, [s.shape for s in srcs], self.shape(n.output[0]))
            result = apply_override(self.b, rule, ctx, srcs, self.shape(n.output[0]), self.node_attrs(n))
            if result is not None:
                if self.shape(n.output[0]) is None:
                    self.shapes[n.output[0]] = result.shape
                self._set(n, result)
                return
        if n.domain not in ("", "ai.onnx"):
            raise self.fail(n, f"operator {n.domain}.{n.op_type} is not a standard ONNX operator rfgraph knows: "
                               f"describe it with ops={{{n.op_type!r}: {{'op': ..., ...}}}}")
        handler = getattr(self, f"op_{n.op_type}", None)
        if handler is None and n.op_type in _ELEMENTWISE:
            handler = self._elementwise
        elif handler is None and n.op_type in _REDUCE:
            handler = self._reduce
        if handler is None:
            raise self.fail(n, f"rfgraph does not know ONNX operator {n.op_type}: describe it with "
                               f"ops={{{n.op_type!r}: {{'op': ..., 'k': ..., 's': ..., 'p': ...}}}}")
        try:
            result = handler(n)
        except RFGraphError:
            raise
        except Exception as exc:  # a combination of values no check foresaw: name the node, never a traceback
            raise self.fail(n, unforeseen(exc, n.op_type, "this node")) from exc
        self._set(n, result)

    def _elementwise(self, n):
        return self.elementwise(n, self._inputs(n), self.out_shape(n), _ELEMENTWISE[n.op_type])

    def name_of_peek(self, n) -> str:
        return self.name_of(n)

    def _set(self, n, result) -> None:
        if isinstance(result, dict):  # several outputs
            for name, info in result.items():
                self.env[name] = info
            return
        for i, out in enumerate(n.output):
            if out:
                self.env[out] = result if i == 0 or isinstance(result, TensorInfo) else None

    def _inputs(self, n) -> list[TensorInfo]:
        found = []
        for i in n.input:
            v = self.env.get(i) if i else None
            if isinstance(v, TensorInfo):
                found.append(v)
            elif i:
                shape = self.shape(i)
                found.append(constant(shape or (), self.ndim))
        return found

    def fold(self, n) -> None:
        """Outputs of a node that does not depend on the input's values: constants, with their
        value when it is small and computable (shapes, pads, scales)."""
        import numpy as np

        values = None
        if all(o in self.values for o in n.output if o):
            for out in n.output:
                if out:
                    self.env[out] = constant(self.shape(out) or (), self.ndim)
            return
        try:
            if n.op_type == "Shape":
                shape = self.shape(n.input[0])
                if shape is not None:
                    a = self.attrs(n)
                    start, end = a.get("start", 0), a.get("end")
                    values = [np.array(shape[slice(start, end)], dtype=np.int64)]
            elif n.op_type == "Size":
                shape = self.shape(n.input[0])
                if shape is not None:
                    values = [np.array(int(np.prod(shape)), dtype=np.int64)]
            elif n.op_type == "Constant":
                a = self.attrs(n)
                if "value" in a:
                    values = [self.onnx.numpy_helper.to_array(a["value"])]
                else:
                    for key in ("value_float", "value_int", "value_floats", "value_ints"):
                        if key in a:
                            values = [np.array(a[key])]
            else:
                feeds = {}
                for i in n.input:
                    if not i:
                        continue
                    v = self.values.get(i)
                    if v is None and i in self.initializers:
                        t = self.initializers[i]
                        if int(np.prod(t.dims)) <= 4096:
                            v = self.value(n, i, "input")
                    if v is None or v.size > 4096:
                        feeds = None
                        break
                    feeds[i] = v
                if feeds is not None and not any(a.type in (5, 10) for a in n.attribute) and \
                        self._small_outputs(n, feeds):
                    from onnx.reference import ReferenceEvaluator

                    values = ReferenceEvaluator(n, opsets={"": self.opset}).run(None, feeds)
        except Exception:
            values = None
        for i, out in enumerate(n.output):
            if not out:
                continue
            if values is not None and i < len(values) and values[i] is not None:
                self.values[out] = np.asarray(values[i])
            self.env[out] = constant(self.shape(out) or (), self.ndim)

    def _small_outputs(self, n, feeds: dict) -> bool:
        """Whether folding ``n`` is safe: every output's inferred shape is known and small, or
        the operator cannot make a tensor larger than its (small) inputs. ConstantOfShape,
        Range, Expand, Tile, Pad, Resize, ... of a stated size of 10^9 would allocate it."""
        import numpy as np

        growing = {"ConstantOfShape", "Range", "Expand", "Tile", "Pad", "Resize", "Upsample", "EyeLike",
                   "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "ConvTranspose",
                   "OneHot", "Multinomial", "DFT", "STFT", "MelWeightMatrix", "HannWindow", "HammingWindow",
                   "BlackmanWindow", "Col2Im", "CenterCropPad", "Bernoulli"}
        size = _stated_size(n, feeds)
        if size is not None:
            return size <= MAX_FOLD_ELEMENTS
        for out in n.output:
            if not out:
                continue
            shape = self.shapes.get(out)
            if shape is None:
                if n.op_type in growing:
                    return False
                continue
            if int(np.prod([max(int(d), 0) for d in shape], dtype=object)) > MAX_FOLD_ELEMENTS:
                return False
        return True

    # -- geometry helpers ------------------------------------------------------------------
    def _window_params(self, n, src: TensorInfo, k: Sequence[int], transpose: bool = False):
        a = self.attrs(n)
        nd = len(k)
        s = list(a.get("strides", [1] * nd))
        d = list(a.get("dilations", [1] * nd))
        pads = list(a.get("pads", [0] * (2 * nd)))
        auto = a.get("auto_pad", "NOTSET")
        if len(s) != nd or len(d) != nd or len(pads) != 2 * nd:
            raise self.fail(n, f"{nd} spatial axes (kernel {list(k)}) but strides {s}, dilations {d}, pads {pads}")
        if len(src.shape) != nd + 2:
            raise self.fail(n, f"a kernel of {nd} axes on a tensor of shape {list(src.shape)}: expected "
                               f"[N, C, {nd} spatial axes]")
        if auto not in ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"):
            raise self.fail(n, f"auto_pad={auto!r}")
        pairs = [(pads[i], pads[i + nd]) for i in range(nd)]
        if auto in ("SAME_UPPER", "SAME_LOWER") and not transpose:
            pairs = []
            for i in range(nd):
                n_in = src.shape[len(src.shape) - nd + i]
                keff = d[i] * (k[i] - 1) + 1
                total = max((-(-n_in // s[i]) - 1) * s[i] + keff - n_in, 0)
                small = total // 2
                pairs.append((small, total - small) if auto == "SAME_UPPER" else (total - small, small))
        elif auto == "VALID":
            pairs = [(0, 0)] * nd
        return s, d, pairs, a

    # -- operators -------------------------------------------------------------------------
    def _first(self, n) -> TensorInfo:
        src = self.env.get(n.input[0])
        if not isinstance(src, TensorInfo) or src.constant:
            raise self.fail(n, "its data input is a constant while another input depends on the image: "
                               "not a layer rfgraph expresses")
        return src

    def op_Conv(self, n):
        src = self._first(n)
        w = self.shape(n.input[1])
        a = self.attrs(n)
        k = self._kernel(n, a, w)
        s, d, pairs, a = self._window_params(n, src, k)
        group = int(a.get("group", 1))
        return self.conv_window(n, src, self.out_shape(n), len(k), k, s, d, pairs, "zeros", group, src.shape[1])

    def op_ConvTranspose(self, n):
        src = self._first(n)
        w = self.shape(n.input[1])
        a = self.attrs(n)
        k = self._kernel(n, a, w)
        nd = len(k)
        s, d, pairs, a = self._window_params(n, src, k, transpose=True)
        out = self.out_shape(n)
        auto = a.get("auto_pad", "NOTSET")
        if "output_shape" in a and list(a["output_shape"]) != list(out[len(out) - nd:]):
            raise self.fail(n, f"output_shape {list(a['output_shape'])} disagrees with the inferred output "
                               f"{list(out)}")
        if "output_shape" in a or auto in ("SAME_UPPER", "SAME_LOWER"):
            op = list(a.get("output_padding", [0] * nd))
            p_l = []
            for i in range(nd):
                n_in = src.shape[len(src.shape) - nd + i]
                total = s[i] * (n_in - 1) + op[i] + d[i] * (k[i] - 1) + 1 - out[len(out) - nd + i]
                p_l.append(total // 2 if auto == "SAME_UPPER" else total - total // 2)
        else:
            p_l = [p for p, _ in pairs]
        return self.conv_transpose(n, src, out, nd, k, s, d, p_l, int(a.get("group", 1)))

    def _kernel(self, n, a, w) -> list[int]:
        """kernel_shape, or the weight's spatial shape; they must agree when both are known."""
        k = list(a.get("kernel_shape") or [])
        if w is not None and len(w) >= 3:
            if k and list(w[2:]) != k:
                raise self.fail(n, f"kernel_shape {k} disagrees with the weight's shape {list(w)}")
            k = k or list(w[2:])
        if not k:
            raise self.fail(n, "no kernel_shape and the weight's shape is unknown")
        return k

    def _pool(self, n, op):
        src = self._first(n)
        a = self.attrs(n)
        k = list(a["kernel_shape"])
        s, d, pairs, a = self._window_params(n, src, k)
        return self.pool(n, src, op, len(k), k, s, pairs, d, bool(a.get("ceil_mode", 0)), self.out_shape(n))

    def op_MaxPool(self, n):
        if self.attrs(n).get("storage_order", 0) and len(n.output) > 1 and n.output[1]:
            pass  # the indices' layout does not change which pixels they depend on
        return self._pool(n, "maxpool")

    def op_AveragePool(self, n):
        return self._pool(n, "avgpool")

    def op_LpPool(self, n):
        return self._pool(n, "lppool")

    def _global(self, n, pool):
        src = self._first(n)
        return self.b.whole([src], self.name_of(n), self.out_shape(n), "global_pool",
                            attrs=self.edge_attrs(n, pool=pool), node_attrs=self.node_attrs(n))

    def op_GlobalAveragePool(self, n):
        return self._global(n, "avgpool")

    def op_GlobalMaxPool(self, n):
        return self._global(n, "maxpool")

    def op_GlobalLpPool(self, n):
        return self._global(n, "lppool")

    def op_Pad(self, n):
        src = self._first(n)
        a = self.attrs(n)
        rank = len(src.shape)
        if self.opset < 11:
            pads = list(a["pads"])
            axes = list(range(rank))
        else:
            pads = [int(p) for p in self.value(n, n.input[1], "pads").ravel()]
            axes = list(range(rank))
            if len(n.input) > 3 and n.input[3]:
                axes = check_axes(n, self.value(n, n.input[3], "axes").ravel(), rank, self.where)
        if len(pads) != 2 * len(axes):
            raise self.fail(n, f"{len(pads)} pads for {len(axes)} axes: expected two per axis")
        half = len(pads) // 2
        pairs = {ax: (pads[i], pads[i + half]) for i, ax in enumerate(axes)}
        flat = []
        for i in range(rank):
            flat += list(pairs.get(rank - 1 - i, (0, 0)))
        mode = _PAD_MODES.get(a.get("mode", "constant"))
        if mode is None:
            raise self.fail(n, f"padding mode {a.get('mode')!r}")
        return self.pad(n, src, self.out_shape(n), flat, mode)

    def op_Slice(self, n):
        src = self._first(n)
        rank = len(src.shape)
        if self.opset < 10:
            a = self.attrs(n)
            starts, ends = list(a["starts"]), list(a["ends"])
            axes = list(a.get("axes", range(len(starts))))
            steps = [1] * len(starts)
        else:
            starts = [int(x) for x in self.value(n, n.input[1], "starts").ravel()]
            ends = [int(x) for x in self.value(n, n.input[2], "ends").ravel()]
            axes = list(range(len(starts)))
            steps = [1] * len(starts)
            if len(n.input) > 3 and n.input[3]:
                axes = [int(x) for x in self.value(n, n.input[3], "axes").ravel()]
            if len(n.input) > 4 and n.input[4]:
                steps = [int(x) for x in self.value(n, n.input[4], "steps").ravel()]
        if not len(starts) == len(ends) == len(axes) == len(steps):
            raise self.fail(n, f"starts {starts}, ends {ends}, axes {axes}, steps {steps}: different lengths")
        axes = check_axes(n, axes, rank, self.where)
        if any(sp == 0 for sp in steps):
            raise self.fail(n, f"steps {steps}: a step of 0")
        index = [slice(None)] * rank
        for st, en, ax, sp in zip(starts, ends, axes, steps):
            index[ax] = slice(st, en, sp)
        return self.index(n, src, tuple(index), self.out_shape(n))

    def op_Gather(self, n):
        import numpy as np

        src = self._first(n)
        rank = len(src.shape)
        axis = check_axes(n, [int(self.attrs(n).get("axis", 0))], rank, self.where, "axis")[0]
        out = self.out_shape(n)
        if not src.axis_of_dim(axis):
            return self.identity(n, src, out, _gather_axes(src, axis, out, rank), "identity")
        idx = np.asarray(self.value(n, n.input[1], "indices"))
        size = src.shape[axis]
        if idx.size and (int(idx.min()) < -size or int(idx.max()) >= size):
            raise self.fail(n, f"an index outside [{-size}, {size - 1}] along dimension {axis}")
        if idx.ndim == 0:
            return self.index(n, src, (slice(None),) * axis + (int(idx) % size,), out)
        flat = [int(i) % size for i in idx.ravel()]
        if idx.ndim == 1 and len(flat) >= 1:
            step = flat[1] - flat[0] if len(flat) > 1 else 1
            if step > 0 and flat == list(range(flat[0], flat[0] + step * len(flat), step)):
                return self.index(n, src, (slice(None),) * axis + (slice(flat[0], flat[-1] + 1, step),), out)
        raise self.fail(n, "gathers spatial positions in an irregular order: not a layer rfgraph expresses")

    def op_Split(self, n):
        src = self._first(n)
        a = self.attrs(n)
        shapes = [self.out_shape(n, i) for i in range(len(n.output))]
        parts = self.split(n, src, shapes, "split", int(a.get("axis", 0)))
        result = {}
        for i, out in enumerate(n.output):
            if out:
                result[out] = parts.item(i, self.b.unique(out))
        return result

    def op_Concat(self, n):
        infos = self._inputs(n)
        out = self.out_shape(n)
        return self.cat(n, infos, norm_dim(int(self.attrs(n)["axis"]), len(out)), out)

    def op_Resize(self, n):
        src = self._first(n)
        a = self.attrs(n)
        out = self.out_shape(n)
        rank = len(src.shape)
        mode = a.get("mode", "nearest")
        transform = a.get("coordinate_transformation_mode", "asymmetric" if self.opset < 11 else "half_pixel")
        nearest = a.get("nearest_mode", "round_prefer_floor")
        if self.opset < 11:
            transform, nearest = "asymmetric", "floor" if mode == "nearest" else nearest
        scales = None
        scale_input = n.input[1] if self.opset < 11 else (n.input[2] if len(n.input) > 2 else "")
        if scale_input:
            values = self.value(n, scale_input, "scales", required=False)
            if values is not None and values.size:
                scales = [float(x) for x in values.ravel()]
                check_scales(n, scales, self.where)
        axes = check_axes(n, a.get("axes", range(rank)), rank, self.where)
        if scales is not None and len(scales) != len(axes):
            raise self.fail(n, f"{len(scales)} scales for {len(axes)} axes")
        if scales is not None and len(scales) == len(axes):
            per_dim = {ax: sc for ax, sc in zip(axes, scales)}
        else:
            per_dim = {}
        return self._resample(n, src, out, mode, transform, nearest, per_dim, bool(a.get("antialias", 0)))

    def op_Upsample(self, n):
        src = self._first(n)
        a = self.attrs(n)
        out = self.out_shape(n)
        if "scales" in a:
            scales = list(a["scales"])
        else:
            scales = [float(x) for x in self.value(n, n.input[1], "scales").ravel()]
        check_scales(n, scales, self.where)
        if len(scales) != len(src.shape):
            raise self.fail(n, f"{len(scales)} scales for a tensor of rank {len(src.shape)}")
        mode = a.get("mode", "nearest")
        return self._resample(n, src, out, mode, "asymmetric", "floor", dict(enumerate(scales)), False)

    def _resample(self, n, src, out, mode, transform, nearest, per_dim, antialias):
        if mode == "cubic":
            if not src.spatial:
                return self.elementwise(n, [src], out, "identity")
            raise self.fail(n, "cubic resizing reads 4 pixels per axis: not a layer rfgraph expresses "
                               "(use nearest or linear, or ops={...})")
        if transform == "tf_crop_and_resize":
            raise self.fail(n, "tf_crop_and_resize: not a layer rfgraph expresses")
        if antialias and any(o < i for o, i in zip(out, src.shape)):
            raise self.fail(n, "antialiased downsampling is not supported")

        def truth(axis, n_in, m):
            dim = src.axes[axis][0]
            if not src.alone(axis):
                raise self.fail(n, "resizes a dimension that holds several spatial axes")
            sc = per_dim.get(dim)
            scale = Fraction(n_in, m) if not sc else 1 / Fraction(sc).limit_denominator(1 << 20)
            kind = "nearest" if mode == "nearest" else "linear"
            return [true_taps(kind, n_in, m, t, scale=scale, transform=transform, nearest=nearest)
                    for t in range(m)]

        attrs = self.edge_attrs(n, interpolation=mode, transform=transform,
                                nearest_mode=nearest if mode == "nearest" else None)
        return emit_resample(self.b, src, self.name_of(n), out, truth, f"{mode} resize ({transform})",
                             attrs=attrs, node_attrs=self.node_attrs(n), fail=lambda m: self.fail(n, m))

    def op_InstanceNormalization(self, n):
        src = self._first(n)
        return self.whole_along(n, src, self.out_shape(n), list(range(2, len(src.shape))), keep="instancenorm")

    def op_GroupNormalization(self, n):
        src = self._first(n)
        return self.whole_along(n, src, self.out_shape(n), list(range(2, len(src.shape))), keep="groupnorm")

    def op_MeanVarianceNormalization(self, n):
        src = self._first(n)
        axes = list(self.attrs(n).get("axes", [0, 2, 3]))
        return self.whole_along(n, src, self.out_shape(n), axes, keep="instancenorm")

    def op_LayerNormalization(self, n):
        src = self._first(n)
        rank = len(src.shape)
        axis = norm_dim(int(self.attrs(n).get("axis", -1)), rank)
        return self.whole_along(n, src, self.out_shape(n), list(range(axis, rank)), keep="groupnorm")

    def op_BatchNormalization(self, n):
        if int(self.attrs(n).get("training_mode", 0)):
            src = self._first(n)
            return self.whole_along(n, src, self.out_shape(n), list(range(2, len(src.shape))), keep="instancenorm")
        return self.elementwise(n, self._inputs(n), self.out_shape(n), "bn")

    def _softmax(self, n):
        src = self._first(n)
        rank = len(src.shape)
        default = -1 if self.opset >= 13 else 1
        axis = norm_dim(int(self.attrs(n).get("axis", default)), rank)
        dims = [axis] if self.opset >= 13 else list(range(axis, rank))
        return self.whole_along(n, src, self.out_shape(n), dims, keep="attention")

    op_Softmax = op_LogSoftmax = op_Hardmax = _softmax

    def _reshape(self, n):
        return self.reshape(n, self._first(n), self.out_shape(n))

    op_Reshape = op_Flatten = op_Squeeze = op_Unsqueeze = _reshape

    def op_Transpose(self, n):
        src = self._first(n)
        perm = list(self.attrs(n).get("perm", reversed(range(len(src.shape)))))
        if sorted(norm_dim(int(p), len(src.shape)) if -len(src.shape) <= int(p) < len(src.shape) else -1
                  for p in perm) != list(range(len(src.shape))):
            raise self.fail(n, f"perm {perm} is not a permutation of {len(src.shape)} dimensions")
        return self.identity(n, src, self.out_shape(n), permute_axes(src, perm), "identity", permute_lead(src, perm))

    def op_Expand(self, n):
        return self.elementwise(n, [self._first(n)], self.out_shape(n), "identity")

    def op_Tile(self, n):
        src = self._first(n)
        out = self.out_shape(n)
        for a, ax in enumerate(src.axes):
            if ax is not None and src.sizes[a] > 1 and out[ax[0]] != src.shape[ax[0]]:
                raise self.fail(n, f"repeats spatial axis {a} (a tiling, not a layer rfgraph expresses)")
        return self.elementwise(n, [src], out, "identity")

    def op_Gemm(self, n):
        a = self.attrs(n)
        A = self.env.get(n.input[0])
        out = self.out_shape(n)
        if isinstance(A, TensorInfo) and not A.constant:
            return self.reduce_like(n, A, out, [0 if a.get("transA", 0) else 1], "fc")
        return self.b.whole(self._inputs(n), self.name_of(n), out, "fc", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n))

    def op_MatMul(self, n):
        return self.matmul(n, self._inputs(n), self.out_shape(n))

    def _reduce(self, n):
        src = self._first(n)
        a = self.attrs(n)
        rank = len(src.shape)
        keep = bool(a.get("keepdims", 1))
        if "axes" in a:
            axes = list(a["axes"])
        elif len(n.input) > 1 and n.input[1]:
            axes = [int(x) for x in self.value(n, n.input[1], "axes").ravel()]
        else:
            axes = [] if a.get("noop_with_empty_axes", 0) else list(range(rank))
        return self.reduce(n, [src], self.out_shape(n), axes, keep)

    def _arg(self, n):
        src = self._first(n)
        a = self.attrs(n)
        return self.reduce(n, [src], self.out_shape(n), [int(a.get("axis", 0))], bool(a.get("keepdims", 1)))

    op_ArgMax = op_ArgMin = _arg

    def op_DepthToSpace(self, n):
        return self.pixel_shuffle(n, self._first(n), self.out_shape(n), int(self.attrs(n)["blocksize"]))

    def op_SpaceToDepth(self, n):
        return self.pixel_unshuffle(n, self._first(n), self.out_shape(n), int(self.attrs(n)["blocksize"]))


def _stated_size(n, feeds: dict) -> int | None:
    """The number of elements a shape-making operator will produce, from its (small, known)
    inputs: ConstantOfShape, Expand, Tile, Range. None for other operators."""
    import numpy as np

    ins = [feeds.get(i) if i else None for i in n.input]
    try:
        if n.op_type == "ConstantOfShape" and ins and ins[0] is not None:
            return int(np.prod([max(int(v), 0) for v in np.ravel(ins[0])], dtype=object))
        if n.op_type == "Expand" and len(ins) > 1 and ins[0] is not None and ins[1] is not None:
            shape = np.broadcast_shapes(tuple(np.shape(ins[0])), tuple(max(int(v), 0) for v in np.ravel(ins[1])))
            return int(np.prod(shape, dtype=object))
        if n.op_type == "Tile" and len(ins) > 1 and ins[0] is not None and ins[1] is not None:
            return int(np.size(ins[0])) * int(np.prod([max(int(v), 0) for v in np.ravel(ins[1])], dtype=object))
        if n.op_type == "Range" and len(ins) > 2 and all(v is not None for v in ins[:3]):
            start, limit, delta = (float(np.ravel(v)[0]) for v in ins[:3])
            return 0 if delta == 0 else max(int(np.ceil((limit - start) / delta)), 0)
    except (ValueError, TypeError, OverflowError):
        return MAX_FOLD_ELEMENTS + 1  # not a size we can trust: do not fold
    return None


# Operators that read their data input as [N, C, *spatial] (channels first), and those that act
# on every element alike whatever the layout (the input's layout is looked for past them).
_CHANNELS_FIRST = {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool",
                   "GlobalMaxPool", "GlobalLpPool", "BatchNormalization", "InstanceNormalization", "LRN",
                   "DepthToSpace", "SpaceToDepth", "MaxRoiPool", "MaxUnpool", "GroupNormalization"}
_LAYOUT_NEUTRAL = (set(_ELEMENTWISE) - _CHANNELS_FIRST) | {"Dropout", "Identity", "Cast", "Clip"}


def detect_layout(model, input_name: str, shape: Sequence[int | None], where: str = "") -> str:
    """``"NCHW"`` or ``"NHWC"``: the layout of graph input ``input_name``, from the graph.

    Evidence, looked for from the input through elementwise operators: an operator that reads
    channels first (Conv, pools, BatchNormalization, ...) says NCHW; a Transpose moving the
    last dimension to position 1 (``perm=[0, 3, 1, 2]``, what Keras and TensorFlow exports
    begin with) says NHWC, one moving dimension 1 last says NCHW. Without evidence, the
    input's shape decides when it is unambiguous (a channel count of at most 4 in one of the
    two candidate places, and a longer dimension in the other); otherwise the answer would be
    a guess, and a wrong guess gives wrong numbers without an error: a ModelImportError asks
    for ``input_layout``.

    >>> from onnx import helper, TensorProto
    >>> x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32, 32, 3])
    >>> t = helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2])
    >>> g = helper.make_graph([t], "g", [x], [helper.make_tensor_value_info("t", TensorProto.FLOAT, None)])
    >>> detect_layout(helper.make_model(g), "x", [1, 32, 32, 3])
    'NHWC'
    """
    votes = layout_evidence(model, input_name, len(shape))
    if len(votes) == 1:
        return next(iter(votes))
    if len(votes) > 1:
        raise ModelImportError(f"{where}input {input_name!r}: the graph reads it both channels first and channels "
                               "last: give input_layout='NCHW' or 'NHWC' (CLI --layout)")
    rank = len(shape)
    first, last = (shape[1], shape[-1]) if rank >= 3 else (None, None)
    if first is not None and last is not None:
        if first <= 4 and first < last:
            return "NCHW"
        if last <= 4 and last < first:
            return "NHWC"
    raise ModelImportError(f"{where}input {input_name!r} has shape {['?' if d is None else d for d in shape]}: "
                           "nothing in the graph says whether it is channels first (NCHW) or channels last (NHWC), "
                           "and guessing gives wrong numbers: give input_layout='NCHW' or 'NHWC' (CLI --layout)")


def layout_evidence(model, input_name: str, rank: int) -> dict[str, str]:
    """What the graph says of the layout of graph input ``input_name``: ``{"NCHW" or
    "NHWC": the first node saying so}`` (see :func:`detect_layout`; empty when nothing says)."""
    consumers: dict[str, list] = {}
    for n in model.graph.node:
        for i, name in enumerate(n.input):
            if name:
                consumers.setdefault(name, []).append((n, i))
    votes: dict[str, str] = {}
    seen = {input_name}
    frontier = [input_name]
    while frontier and len(seen) < 10000:
        name = frontier.pop()
        for n, slot in consumers.get(name, []):
            said = f"{n.op_type} {n.name or (n.output[0] if n.output else '')!r}"
            if n.op_type == "Transpose":
                perm = next((list(a.ints) for a in n.attribute if a.name == "perm"), None)
                if perm == [0, rank - 1] + list(range(1, rank - 1)):
                    votes.setdefault("NHWC", f"{said} moves its last dimension to position 1")
                elif perm == [0] + list(range(2, rank)) + [1]:
                    votes.setdefault("NCHW", f"{said} moves its dimension 1 last")
            elif n.op_type in _CHANNELS_FIRST and slot == 0:
                votes.setdefault("NCHW", f"{said} reads it channels first")
            elif n.op_type in _LAYOUT_NEUTRAL:
                for out in n.output:
                    if out and out not in seen:
                        seen.add(out)
                        frontier.append(out)
    return votes


def _gather_axes(src: TensorInfo, axis: int, out: Sequence[int], rank: int):
    """Layout after a Gather on a dimension without spatial axes: the indices' dimensions
    replace ``axis``."""
    extra = len(out) - rank  # indices of rank r replace one dimension by r
    return tuple(None if ax is None else (ax[0] + extra if ax[0] > axis else ax[0], ax[1]) for ax in src.axes)
