"""Keras 3 models to rfgraph graphs, from the model's configuration alone.

:func:`from_keras` reads the Keras 3 functional configuration: a ``keras.Model`` (its
``get_config()``), a ``.keras`` file (its ``config.json``, read with the standard library's
``zipfile``: Keras need not be installed), or the configuration as a dict. Every layer call
(``inbound_nodes``: ``args``/``kwargs`` holding ``__keras_tensor__`` entries whose
``keras_history`` is ``[layer, call index, output index]``) becomes edges from its input
maps to a node named after the layer (a shared layer's second call: ``name_1``). Nested
``Sequential`` and functional models are inlined, their output named after them.

Every output shape is computed with Keras' own rules (``'same'`` padding is TensorFlow's:
odd pixel on the right) and checked against the shapes Keras recorded for every tensor a
layer reads; channels_first and channels_last both work, per layer (``data_format``).

>>> import rfgraph
>>> config = {"layers": [
...     {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 9, 9, 3]}, "inbound_nodes": []},
...     {"class_name": "Conv2D", "name": "c", "config": {"kernel_size": [3, 3], "strides": [2, 2],
...      "padding": "same"}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
...      "config": {"shape": [None, 9, 9, 3], "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
...     "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0]]}
>>> net = from_keras(config)
>>> rfgraph.analyze(net).rf, net.edges[0].layer.p_l, net.edges[0].layer.p_r
((3, 3), (1, 1), (1, 1))
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..core.errors import ModelImportError, ParseError, RFGraphError, shorten
from .builder import (
    Geom,
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
)
from .families import Families
from ..core.limits import check_bytes
from ..io.files import check_input, read_input
from .limits import check_length

# Layers that act elementwise (per position and channel, or mixing channels only), and the op.
ELEMENTWISE = {
    "BatchNormalization": "bn", "Normalization": "bn", "Rescaling": "identity", "LayerScale": "mul",
    "ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu", "ThresholdedReLU": "relu",
    "Dropout": "dropout", "SpatialDropout1D": "dropout", "SpatialDropout2D": "dropout",
    "SpatialDropout3D": "dropout", "GaussianNoise": "dropout", "GaussianDropout": "dropout",
    "AlphaDropout": "dropout", "ActivityRegularization": "identity", "Identity": "identity",
    "Masking": "identity", "UnitNormalization": "identity", "CenterCrop": None, "Activation": None,
    "Add": "add", "Subtract": "sub", "Multiply": "mul", "Average": "add", "Maximum": "max", "Minimum": "min",
}
ACTIVATIONS = {"relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu", "elu": "elu", "selu": "selu",
               "gelu": "gelu", "silu": "silu", "swish": "silu", "mish": "mish", "hard_swish": "hardswish",
               "hard_silu": "hardswish", "hard_sigmoid": "hardsigmoid", "sigmoid": "sigmoid", "tanh": "tanh",
               "softplus": "softplus", "linear": "identity", "exponential": "identity", "softsign": "identity"}
_POOLS = {"MaxPooling": "maxpool", "AveragePooling": "avgpool", "MaxPool": "maxpool", "AvgPool": "avgpool"}


# -- reading the configuration -------------------------------------------------------------------
def read_config(model_or_path: Any) -> tuple[dict, str | None]:
    """The functional configuration (``{"layers", "input_layers", "output_layers", ...}``) of a
    ``keras.Model``, a ``.keras`` file, a ``config.json`` file or a dict, and the file name."""
    if isinstance(model_or_path, Mapping):
        return _functional(dict(model_or_path), None), None
    if isinstance(model_or_path, (str, os.PathLike)):
        path = os.fspath(model_or_path)
        return _functional(_read_file(path), path), path
    get_config = getattr(model_or_path, "get_config", None)
    if get_config is None:
        raise ModelImportError(f"from_keras needs a keras.Model, a .keras file or a configuration dict, "
                               f"got {type(model_or_path).__name__}")
    try:
        config = get_config()
    except Exception as exc:  # a subclassed model without get_config
        raise ModelImportError(f"{type(model_or_path).__name__}: its get_config() failed ({exc}); only "
                               "functional and Sequential models describe their layers") from exc
    kind = type(model_or_path).__name__
    return _functional({"class_name": "Sequential" if kind == "Sequential" else "Functional",
                        "config": config}, None), None


def _read_file(path: str) -> dict:
    check_input(path, "max_model_size")  # a regular file of a sane size (a FIFO would block)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                try:
                    info = z.getinfo("config.json")
                except KeyError:
                    raise ParseError(f"{path}: a zip file without config.json: not a Keras 3 .keras file") from None
                check_bytes("max_file_size", info.file_size, f"{path}: config.json has {info.file_size} bytes, which")
                text = z.read(info).decode("utf-8")
        else:
            text = read_input(path).decode("utf-8")
        config = json.loads(text)
    except ParseError:
        raise
    except RecursionError:  # Python's JSON decoder recurses once per nesting level
        raise ParseError(f"{path}: config.json is nested too deeply") from None
    except (OSError, UnicodeDecodeError, ValueError, zipfile.BadZipFile) as exc:
        raise ParseError(f"{path}: not a Keras model file ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
                         "expected a Keras 3 .keras file or its config.json") from exc
    if not isinstance(config, dict):
        raise ParseError(f"{path}: config.json is not a JSON object")
    return config


def _functional(config: dict, source: str | None) -> dict:
    """``{"class_name": "Functional", "config": {...}}`` or the inner dict itself -> the
    inner dict, with a Sequential model's layer chain given explicit calls."""
    where = f"{source}: " if source else ""
    kind = config.get("class_name")
    inner = config.get("config", config) if kind else config
    if not isinstance(inner, dict) or not isinstance(inner.get("layers"), list):
        raise ModelImportError(f"{where}not a Keras functional or Sequential model configuration "
                               "(no 'layers' list)")
    check_structure(inner, where)
    if kind == "Sequential" or ("input_layers" not in inner and "output_layers" not in inner):
        return _sequential(inner, where)
    return inner


def _sequential(inner: dict, where: str) -> dict:
    """A Sequential model as a functional configuration: each layer called on the previous one."""
    layers = [dict(layer) for layer in inner["layers"]]
    if not layers:
        raise ModelImportError(f"{where}an empty Sequential model")
    out: list[dict] = []
    if layers[0].get("class_name") != "InputLayer":
        shape = inner.get("build_input_shape") or layers[0].get("build_config", {}).get("input_shape")
        if shape is None:
            raise ModelImportError(f"{where}a Sequential model without an input shape: build it first "
                                   "(model.build((None, H, W, C))) or start it with keras.Input")
        out.append({"class_name": "InputLayer", "name": f"{inner.get('name', 'sequential')}_input",
                    "config": {"batch_shape": shape}, "inbound_nodes": []})
    else:
        first = layers.pop(0)
        out.append({**first, "name": _layer_name(first), "inbound_nodes": []})
    for layer in layers:
        name = _layer_name(layer)
        prev = out[-1]["name"]
        out.append({**layer, "name": name, "inbound_nodes": [
            {"args": [{"class_name": "__keras_tensor__", "config": {"shape": None, "keras_history": [prev, 0, 0]}}],
             "kwargs": {}}]})
    return {"name": inner.get("name"), "layers": out, "input_layers": [[out[0]["name"], 0, 0]],
            "output_layers": [[out[-1]["name"], 0, 0]]}


_MARKER = re.compile(r"(block|stage)(\d+)?([a-z])?")
_STAGE = re.compile(r"[a-z]+\d+")


def keras_scope(name: str) -> str | None:
    """The containers of a Keras layer, read from the keras.applications naming (Keras layer
    names carry no dots): ``conv2_block1_1_conv`` is in block ``conv2.block1`` of stage
    ``conv2``; ``block2b_expand_conv`` (EfficientNet) in ``block2.block2b``; ``block_3_expand``
    (MobileNetV2) in ``block_3``; ``convnext_tiny_stage_0_block_1_depthwise_conv`` in
    ``convnext_tiny_stage_0.block_1``. None for a name with no block or stage in it.

    Examples
    --------
    >>> keras_scope("conv2_block1_1_conv"), keras_scope("block2b_expand_conv"), keras_scope("block_3_expand")
    ('conv2.block1', 'block2.block2b', 'block_3')
    >>> keras_scope("convnext_tiny_stage_0_block_1_depthwise_conv"), keras_scope("mixed0"), keras_scope("block1")
    ('convnext_tiny_stage_0.block_1', None, None)
    """
    tokens = name.split("_")
    parts: list[str] = []
    i, start, last = 0, 0, None
    while i < len(tokens):
        m = _MARKER.fullmatch(tokens[i])
        if m is None:
            i += 1
            continue
        end = i + 1
        if m.group(2) is None and m.group(3) is None:  # "block_3": the number is the next token
            if end >= len(tokens) or not tokens[end].isdigit():
                i += 1
                continue
            end += 1
        marker = "_".join(tokens[i:end])
        prefix = tokens[start:i]
        if not parts and len(prefix) == 1 and _STAGE.fullmatch(prefix[0]):
            parts += [prefix[0], marker]  # conv2_block1: stage conv2, block 1
        elif not parts and not prefix and m.group(3) and m.group(2):
            parts += [f"{m.group(1)}{m.group(2)}", marker]  # block2b: stage block2, block b
        else:
            parts.append("_".join(prefix + [marker]))
        start = i = last = end
    if not parts or last is None or last >= len(tokens) or any("." in p for p in parts):
        return None  # no container, or the name is the container itself
    return ".".join(parts)


def _layer_name(layer: dict) -> str:
    name = layer.get("name") or (layer.get("config") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise ModelImportError(f"a layer of class {layer.get('class_name')!r} has no name")
    return name


def whole(value: Any) -> int:
    """An integer of a configuration: an int, or a float with an integral value (never a
    bool, a string or a fraction, which ``int()`` would truncate or parse silently).

    >>> whole(3), whole(2.0)
    (3, 2)
    >>> whole(2.5)
    Traceback (most recent call last):
    ...
    ValueError: expected an integer, got 2.5
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"expected an integer, got {shorten(value)}")


def _reference(ref: Any, what: str) -> tuple[str, int, int]:
    """A ``[layer, call index, output index]`` reference of a configuration."""
    if (isinstance(ref, (list, tuple)) and len(ref) == 3 and isinstance(ref[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ref[1:])):
        return ref[0], ref[1], ref[2]
    raise ModelImportError(f"{what} {shorten(ref)}: expected [layer name, call index, output index]")


def _references(refs: Any, what: str) -> list[tuple[str, int, int]]:
    """``input_layers`` or ``output_layers``: one reference or a list of them."""
    if refs is None:
        return []
    if isinstance(refs, (list, tuple)) and len(refs) == 3 and isinstance(refs[0], str):
        refs = [refs]
    if not isinstance(refs, (list, tuple)):
        raise ModelImportError(f"{what} {shorten(refs)}: expected a list of [layer name, call index, output index]")
    return [_reference(ref, what) for ref in refs]


def check_structure(inner: dict, where: str) -> None:
    """Refuse a functional configuration whose parts the converter walks do not have the
    types Keras writes: every layer an object with a string ``class_name`` and an object
    ``config``, ``inbound_nodes`` a list of calls (objects with list ``args`` and object
    ``kwargs``), ``input_layers`` and ``output_layers`` references; nested models too.

    Raises
    ------
    ModelImportError
        Naming the layer (or its position) and the part at fault.
    """
    for i, layer in enumerate(inner["layers"]):
        if not isinstance(layer, dict):
            raise ModelImportError(f"{where}layer {i} is {shorten(layer)}, not an object")
        label = f"layer {layer['name']!r}" if isinstance(layer.get("name"), str) else f"layer {i}"
        if not isinstance(layer.get("class_name"), str):
            raise ModelImportError(f"{where}{label}: class_name {shorten(layer.get('class_name'))} is not a string")
        config = layer.get("config")
        if config is not None and not isinstance(config, dict):
            raise ModelImportError(f"{where}{label}: config {shorten(config)} is not an object")
        calls = layer.get("inbound_nodes")
        if calls is not None and not isinstance(calls, (list, tuple)):
            raise ModelImportError(f"{where}{label}: inbound_nodes {shorten(calls)} is not a list")
        for call in calls or []:
            if (not isinstance(call, dict) or not isinstance(call.get("args", []), (list, tuple))
                    or not isinstance(call.get("kwargs", {}), dict)):
                raise ModelImportError(f"{where}{label}: a call {shorten(call)} of inbound_nodes is not "
                                       "{\"args\": [...], \"kwargs\": {...}}")
        if config is not None and "layers" in config:
            if not isinstance(config["layers"], (list, tuple)):
                raise ModelImportError(f"{where}{label}: its layers {shorten(config['layers'])} are not a list")
            check_structure(config, where)
    for key in ("input_layers", "output_layers"):
        _references(inner.get(key), f"{where}{key}")


def _refs(value: Any) -> list[tuple[tuple[str, int, int], tuple | None]]:
    """The ``__keras_tensor__`` entries in a call's args/kwargs, in order: (history, shape)."""
    found = []
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            cfg = value.get("config") or {}
            if not isinstance(cfg, dict):
                raise ModelImportError(f"a __keras_tensor__ with config {shorten(cfg)}: expected an object")
            hist = _reference(cfg.get("keras_history"), "a __keras_tensor__ with keras_history")
            shape = cfg.get("shape")
            if isinstance(shape, (list, tuple)):
                if not all(d is None or isinstance(d, int) and not isinstance(d, bool) for d in shape):
                    raise ModelImportError(f"a __keras_tensor__ of {hist[0]!r} with shape {shorten(shape)}: "
                                           "expected integers or null")
                shape = tuple(shape)
            else:
                shape = None
            found.append((hist, shape))
        else:
            for v in value.values():
                found += _refs(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            found += _refs(v)
    return found


# -- the converter -----------------------------------------------------------------------------------
def from_keras(model_or_path, *, input_size: Any = None, output: str | None = None,
               ops: Mapping[str, Any] | None = None, name: str | None = None,
               description: str | None = None):
    """Convert a Keras 3 model into an rfgraph :class:`~rfgraph.core.network.Network`.

    ``model_or_path``: a ``keras.Model`` (functional or Sequential), a ``.keras`` file (or its
    ``config.json``), or the configuration dict. Options: ``input_size`` (the spatial size,
    needed when the model's input has ``None`` spatial dimensions); ``output`` (graph attribute
    ``output``, default the model's first output); ``ops`` (``{layer name or class name: edge
    attributes or callable}`` for layers rfgraph does not know, such as ``Lambda`` or a custom
    class); ``name``, ``description``.

    Raises :class:`~rfgraph.core.errors.ParseError` for a file that is not a Keras model and
    :class:`~rfgraph.core.errors.ModelImportError` naming the layer for what cannot be converted.

    >>> import rfgraph
    >>> net = from_keras("tests/data/keras/small_cnn.json")       # a .keras file works the same
    >>> rfgraph.analyze(net, output="pool").rf, net.graph_attrs["outputs"]
    ((15, 15), 'per_position,excite')
    """
    config, source = read_config(model_or_path)
    conv = _Converter(config, source, input_size, ops)
    conv.run()
    if not conv.outputs:
        raise ModelImportError(f"{conv.where}no model output depends on the input")
    attrs = {"input": conv.input_node, "output": output if output is not None else conv.outputs[0],
             "input_size": ",".join(map(str, conv.b.expected[conv.input_node]))}
    if len(conv.outputs) > 1:
        attrs["outputs"] = ",".join(conv.outputs)
    size = "x".join(map(str, conv.b.expected[conv.input_node]))
    attrs["description"] = description or (
        f"imported from Keras{' file ' + os.path.basename(source) if source else ''} by "
        f"rfgraph.importers.from_keras at input {size}")
    conv.b.raw.name = name or str(config.get("name") or "model")
    return conv.b.finish(attrs, conv.input_node)


def transpose_crops(k: int, s: int, d: int, padding: str, output_padding: int | None):
    """(left, right) crop of a Keras 3 transposed convolution's full output ``(n - 1) s + k'``
    (rfgraph's ``p_l``, ``p_r``; negative extends), Keras' own rule on every backend
    (``_convert_conv_transpose_padding_args_from_keras_to_jax``): 'valid' crops nothing on the
    left and extends by ``output_padding`` (default ``max(k', s) - k'``) on the right; 'same'
    pads ``s + k' - 2`` in total (with ``output_padding``: ``k' + k' % 2 - 2 + output_padding``),
    the larger half on the left but at most ``k' - 1``. Without ``output_padding`` 'same' crops
    ``(k' - s) // 2`` on the left (when ``k' >= s``): the adjoint of TensorFlow's 'same'.

    >>> transpose_crops(3, 2, 1, "same", None), transpose_crops(4, 2, 1, "same", 1)
    ((0, 1), (1, 2))
    >>> transpose_crops(2, 3, 1, "valid", None)       # output n s: one position reads nothing
    (0, -1)
    """
    keff = d * (k - 1) + 1
    padding = padding.lower()
    if padding == "valid":
        op = max(keff, s) - keff if output_padding is None else output_padding
        return 0, -op
    if padding != "same":
        return None, None
    pad_len = s + keff - 2 if output_padding is None else keff + keff % 2 - 2 + output_padding
    left_pad = min(pad_len // 2 + pad_len % 2, keff - 1)
    return keff - 1 - left_pad, keff - 1 - (pad_len - left_pad)


class _Call:
    """One call of one layer: what Families' hooks need to name things."""

    def __init__(self, layer: dict, index: int, node_name: str) -> None:
        self.layer = layer
        self.cls = str(layer.get("class_name"))
        self.name = _layer_name(layer)
        self.index = index
        self.node_name = node_name
        self.config = layer.get("config") or {}


class _Converter(Families):
    def __init__(self, config: dict, source: str | None, input_size: Any, ops) -> None:
        self.config = config
        self.source = source
        self.where = f"{source}: " if source else ""
        self.ops = dict(ops or {})
        self.input_size = input_size
        self.outputs: list[str] = []
        self.input_node: str | None = None
        self.b: GraphBuilder | None = None
        self.ndim = 0
        self.channels_last = True

    # -- hooks for Families ------------------------------------------------------------------
    def fail(self, n: _Call, message: str) -> ModelImportError:
        return ModelImportError(f"{self.where}layer {n.name!r} ({n.cls}): {message}")

    def name_of(self, n: _Call) -> str:
        return n.node_name

    def edge_attrs(self, n: _Call, **extra) -> dict:
        attrs = {"type": n.cls, "keras_layer": n.name}
        attrs.update({k: v for k, v in extra.items() if v is not None})
        return attrs

    def node_attrs(self, n: _Call) -> dict:
        scope = keras_scope(n.name)  # so that summaries and diagrams group maps by block
        return {"layer": n.name, **({"scope": scope} if scope else {})}

    def _spatial_dims(self, src: TensorInfo, nd: int) -> list[int]:
        rank = len(src.shape)
        return list(range(1, 1 + nd)) if self.channels_last else list(range(rank - nd, rank))

    # -- the pass ------------------------------------------------------------------------------
    def run(self) -> None:
        inputs = _references(self.config.get("input_layers"), f"{self.where}input_layers")
        if not inputs:
            raise ModelImportError(f"{self.where}the model has no input layer")
        layers = {_layer_name(layer): layer for layer in self.config["layers"]}
        first = layers.get(str(inputs[0][0]))
        if first is None or first.get("class_name") != "InputLayer":
            raise ModelImportError(f"{self.where}input {inputs[0][0]!r} is not an InputLayer of the model")
        shape = self._input_shape(first)
        self.ndim = len(shape) - 2
        if self.ndim < 1:
            raise ModelImportError(f"{self.where}input {inputs[0][0]!r} has shape {list(shape)}: expected "
                                   "[batch, *spatial, channels] (or channels first)")
        self.channels_last = self._input_channels_last(self.config)
        self.b = GraphBuilder(self.ndim, self.source)
        axes = ([(1 + a, 1) for a in range(self.ndim)] if self.channels_last
                else [(2 + a, 1) for a in range(self.ndim)])
        info = self.b.input(_layer_name(first), shape, axes, attrs={"layer": _layer_name(first)})
        self.input_node = info.node
        env: dict[tuple[str, int, int], Any] = {(_layer_name(first), 0, 0): info}
        for extra in inputs[1:]:  # further inputs: constants as far as the image is concerned
            layer = layers.get(extra[0])
            shp = ((layer or {}).get("config") or {}).get("batch_shape") or [1]
            try:
                shp = [1 if d is None else whole(d) for d in shp]
            except (TypeError, ValueError) as exc:
                raise ModelImportError(f"{self.where}input {extra[0]!r}: batch_shape {shorten(shp)}: {exc}") from None
            env[(extra[0], 0, 0)] = constant(shp, self.ndim)
        outs = self.expand(self.config, env)
        for value in outs:
            if isinstance(value, TensorInfo) and not value.constant and value.node not in self.outputs:
                self.outputs.append(value.node)

    def _input_shape(self, layer: dict) -> tuple[int, ...]:
        cfg = layer.get("config") or {}
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        if shape is None and isinstance(cfg.get("shape"), (list, tuple)):
            shape = [None, *cfg["shape"]]
        if not isinstance(shape, (list, tuple)):
            raise ModelImportError(f"{self.where}input layer {_layer_name(layer)!r} has no shape")
        if not all(d is None or isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise ModelImportError(f"{self.where}input layer {_layer_name(layer)!r} has shape {shorten(shape)}: "
                                   "expected integers or null")
        shape = list(shape)
        nd = len(shape) - 2
        cl = self._input_channels_last(self.config)
        spatial = list(range(1, 1 + nd)) if cl else list(range(2, 2 + nd))
        if self.input_size is not None:
            size = [int(self.input_size)] if isinstance(self.input_size, int) else [int(v) for v in self.input_size]
            if len(size) == 1 and nd > 1:
                size = size * nd
            if len(size) != nd:
                raise ModelImportError(f"{self.where}input_size {size} does not match the {nd} spatial axes of "
                                       f"input {_layer_name(layer)!r} (shape {shape})")
            for d, n in zip(spatial, size):
                shape[d] = n
        out = []
        for i, d in enumerate(shape):
            if d is None:
                if i in spatial:
                    raise ModelImportError(f"{self.where}input {_layer_name(layer)!r} has shape {shape}: its "
                                           "spatial size is not fixed: give input_size=(H, W) (CLI --input-size)")
                d = 1  # batch (or channels given as None): does not change the geometry
            out.append(int(d))
        for d in spatial:
            check_length(out[d], f"{self.where}input {_layer_name(layer)!r}")
        return tuple(out)

    def _input_channels_last(self, config: dict) -> bool:
        """The input's layout: the ``data_format`` of the model's spatial layers (they must agree)."""
        formats = set()

        def walk(cfg):
            for layer in cfg.get("layers", []):
                c = layer.get("config") or {}
                if isinstance(c.get("layers"), list):
                    walk(c)
                elif isinstance(c.get("data_format"), str):
                    formats.add(c["data_format"])

        walk(config)
        if formats == {"channels_first"}:
            return False
        if len(formats) > 1:
            raise ModelImportError(f"{self.where}the model mixes channels_first and channels_last layers: rfgraph "
                                   "follows one layout from the input")
        return True

    def expand(self, config: dict, env: dict) -> list[Any]:
        """Convert the calls of a functional configuration; ``env`` holds its inputs' values
        under their keys; returns the values of its outputs."""
        layers = config.get("layers") or []
        pending: list[tuple[dict, int, dict]] = []
        for layer in layers:
            if layer.get("class_name") == "InputLayer":
                continue
            for i, call in enumerate(layer.get("inbound_nodes") or []):
                pending.append((layer, i, call))
        while pending:
            progress = []
            for item in pending:
                layer, i, call = item
                refs = _refs([call.get("args", []), call.get("kwargs", {})])
                if all(r in env for r, _ in refs):
                    self.call_layer(layer, i, call, refs, env)
                    progress.append(item)
            if not progress:
                layer, i, call = pending[0]
                missing = [r for r, _ in _refs([call.get("args", []), call.get("kwargs", {})]) if r not in env]
                raise ModelImportError(f"{self.where}layer {_layer_name(layer)!r} reads {missing[0][0]!r} "
                                       f"(call {missing[0][1]}), which the model never computes")
            pending = [p for p in pending if p not in progress]
        values = []
        for key in _references(config.get("output_layers"), f"{self.where}output_layers"):
            if key not in env:
                raise ModelImportError(f"{self.where}model output {key[0]!r} is not computed by any layer")
            values.append(env[key])
        return values

    def call_layer(self, layer: dict, index: int, call: dict, refs, env: dict) -> None:
        name = _layer_name(layer)
        srcs = []
        for ref, recorded in refs:
            value = env[ref]
            if isinstance(value, TensorInfo) and recorded is not None:
                self._check_recorded(name, ref, value, recorded)
            srcs.append(value)
        n = _Call(layer, index, self.b.unique(name))
        cfg = n.config
        if isinstance(cfg.get("layers"), list):  # a nested model: inline it
            results = self.nested(n, srcs)
        else:
            live = [s for s in srcs if isinstance(s, TensorInfo) and not s.constant]
            if not live:
                results = [constant(srcs[0].shape if srcs else (1,), self.ndim)]
            else:
                results = [self.convert(n, srcs)]
        for j, value in enumerate(results):
            env[(name, index, j)] = value

    def _check_recorded(self, layer: str, ref, value: TensorInfo, recorded) -> None:
        """The shape Keras recorded for a tensor a layer reads must be the one computed."""
        if len(recorded) != len(value.shape) or any(r is not None and r != v and i > 0
                                                      for i, (r, v) in enumerate(zip(recorded, value.shape))):
            raise ModelImportError(
                f"{self.where}layer {layer!r} reads {ref[0]!r} with shape {list(recorded)} as Keras recorded it, "
                f"rfgraph computes {list(value.shape)} (an unsupported rule in layer {ref[0]!r}, or an input_size "
                "the model was not built for)")

    def nested(self, n: _Call, srcs: list) -> list:
        """A Sequential or functional model called as a layer: its calls inlined, its output
        an identity edge into a node named after it."""
        inner = _functional({"class_name": n.cls if n.cls == "Sequential" else "Functional", "config": n.config},
                            self.source)
        inputs = _references(inner.get("input_layers"), f"{self.where}layer {n.name!r}: input_layers")
        if len(inputs) != len(srcs):
            raise self.fail(n, f"a nested model with {len(inputs)} inputs called with {len(srcs)}")
        env = dict(zip(inputs, srcs))
        outs = self.expand(inner, env)
        results = []
        for j, value in enumerate(outs):
            if isinstance(value, TensorInfo) and not value.constant:
                node = n.node_name if j == 0 else self.b.unique(f"{n.name}_{j}")
                value = self.b.window(value, node, value.shape, "identity", [None] * self.ndim,
                                      attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n))
            results.append(value)
        return results

    def convert(self, n: _Call, srcs: list):
        key, rule = find_override(self.ops, [n.name, n.cls])
        if rule is not None:
            ctx = OpContext(n.node_name, key, n.layer, [s.shape for s in srcs], None)
            result = apply_override(self.b, rule, ctx, srcs, None, self.node_attrs(n))
            if result is not None:
                return result
        handler = getattr(self, f"layer_{n.cls}", None)
        cfg = n.config
        fmt = cfg.get("data_format")
        self.channels_last = fmt != "channels_first" if isinstance(fmt, str) else self.channels_last
        try:
            if handler is not None:
                return handler(n, srcs)
            base = n.cls.rstrip("D").rstrip("123")
            if base in ("Conv", "Convolution"):
                return self.conv(n, srcs[0], int(n.cls[-2]), "conv")
            if base in ("DepthwiseConv",):
                return self.conv(n, srcs[0], int(n.cls[-2]), "dwconv")
            if base in ("SeparableConv", "SeparableConvolution"):
                return self.conv(n, srcs[0], int(n.cls[-2]), "conv")
            if base in ("ConvTranspose", "ConvolutionTranspose") or n.cls.endswith("Transpose"):
                return self.conv_transpose_layer(n, srcs[0], int(n.cls[-11]) if n.cls[-11].isdigit() else self.ndim)
            if base in _POOLS:
                return self.pool_layer(n, srcs[0], int(n.cls[-2]), _POOLS[base])
            if base in ("GlobalAveragePooling", "GlobalMaxPooling", "GlobalAvgPool", "GlobalMaxPool"):
                return self.global_pool(n, srcs[0], int(n.cls[-2]))
            if base in ("ZeroPadding", "Cropping"):
                return self.pad_or_crop(n, srcs[0], int(n.cls[-2]), crop=base == "Cropping")
            if base == "UpSampling":
                return self.upsampling(n, srcs[0], int(n.cls[-2]))
            if n.cls in ELEMENTWISE and ELEMENTWISE[n.cls] is not None:
                return self.elementwise(n, srcs, self._broadcast_shape(n, srcs), ELEMENTWISE[n.cls])
        except RFGraphError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError,
                OverflowError) as exc:
            raise self.fail(n, f"its configuration is not what rfgraph expects ({type(exc).__name__}: {exc}); "
                               f"describe it with ops={{{n.name!r}: {{'op': ..., ...}}}}") from exc
        raise self.fail(n, f"rfgraph does not know Keras layer {n.cls}: describe it with "
                           f"ops={{{n.cls!r}: {{'op': ..., 'k': ..., 's': ..., 'p': ...}}}} (or by layer name)")

    # -- geometry -----------------------------------------------------------------------------
    def _per_axis(self, n: _Call, key: str, nd: int, default: Any) -> list[int]:
        value = n.config.get(key, default)
        if isinstance(value, (list, tuple)):
            values = [whole(v) for v in value]
            if len(values) == 1:
                values *= nd
        else:
            values = [whole(value)] * nd
        if len(values) != nd or any(v < 1 for v in values):
            raise self.fail(n, f"{key}={value!r}: expected {nd} positive integers")
        return values

    def _spatial_shape(self, src: TensorInfo, nd: int) -> list[int]:
        return [src.shape[d] for d in self._spatial_dims(src, nd)]

    def _window(self, n: _Call, src: TensorInfo, nd: int, k, s, d) -> tuple[list[tuple[int, int]], list[int]]:
        """(left, right) padding and output length per spatial dimension for Keras padding."""
        padding = str(n.config.get("padding", "valid")).lower()
        pads, lengths = [], []
        for length, kk, ss, dd in zip(self._spatial_shape(src, nd), k, s, d):
            keff = dd * (kk - 1) + 1
            if padding == "same":  # TensorFlow's rule: the odd pixel on the right
                out = -(-length // ss)
                total = max((out - 1) * ss + keff - length, 0)
                pads.append((total // 2, total - total // 2))
            elif padding == "valid":
                out = (length - keff) // ss + 1
                pads.append((0, 0))
            elif padding == "causal" and nd == 1:
                out = (length + keff - 1 - keff) // ss + 1
                pads.append((keff - 1, 0))
            else:
                raise self.fail(n, f"padding={padding!r}")
            if out < 1:
                raise self.fail(n, f"input length {length} is shorter than the window ({keff}): no output")
            lengths.append(out)
        return pads, lengths

    def _shape_with(self, src: TensorInfo, nd: int, lengths: Sequence[int], channels: int | None) -> tuple[int, ...]:
        shape = list(src.shape)
        for d, m in zip(self._spatial_dims(src, nd), lengths):
            shape[d] = int(m)
        if channels is not None:
            shape[-1 if self.channels_last else 1] = int(channels)
        return tuple(shape)

    def conv(self, n: _Call, src: TensorInfo, nd: int, op: str):
        k = self._per_axis(n, "kernel_size", nd, 1)
        s = self._per_axis(n, "strides", nd, 1)
        d = self._per_axis(n, "dilation_rate", nd, 1)
        pads, lengths = self._window(n, src, nd, k, s, d)
        cdim = len(src.shape) - 1 if self.channels_last else 1
        cin = src.shape[cdim]
        if op == "dwconv":
            channels = cin * whole(n.config.get("depth_multiplier", 1))
        else:
            channels = n.config.get("filters", cin)
        out_shape = self._shape_with(src, nd, lengths, channels)
        roles = self._dim_roles(n, src, self._spatial_dims(src, nd), mix_dims=[cdim] if op != "dwconv" else [])
        geoms, collapse = [], []
        for a, role in enumerate(roles):
            if role[0] == "geom":
                j = role[1]
                geoms.append(Geom(k[j], s[j], d[j], *pads[j]))
            else:
                geoms.append(None)
                if role[0] == "collapse":
                    collapse.append(a)
        groups = n.config.get("groups", 1)
        return self.b.window(src, n.node_name, out_shape, op, geoms, collapse=collapse,
                             attrs=self.edge_attrs(n, groups=groups if groups not in (1, None) else None),
                             node_attrs=self.node_attrs(n))

    def conv_transpose_layer(self, n: _Call, src: TensorInfo, nd: int):
        """Keras' transposed convolution, cropped as :func:`transpose_crops` says."""
        k = self._per_axis(n, "kernel_size", nd, 1)
        s = self._per_axis(n, "strides", nd, 1)
        d = self._per_axis(n, "dilation_rate", nd, 1)
        padding = str(n.config.get("padding", "valid")).lower()
        op_pad = n.config.get("output_padding")
        if op_pad is not None and not isinstance(op_pad, (list, tuple)):
            op_pad = [op_pad] * nd
        p_l, lengths = [], []
        for j, (length, kk, ss, dd) in enumerate(zip(self._spatial_shape(src, nd), k, s, d)):
            left, right = transpose_crops(kk, ss, dd, padding, None if op_pad is None else whole(op_pad[j]))
            if left is None:
                raise self.fail(n, f"padding={padding!r}")
            out = (length - 1) * ss + dd * (kk - 1) + 1 - left - right
            if out < 1:
                raise self.fail(n, f"output length {out}")
            p_l.append(left)
            lengths.append(out)
        cdim = len(src.shape) - 1 if self.channels_last else 1
        out_shape = self._shape_with(src, nd, lengths, n.config.get("filters", src.shape[cdim]))
        roles = self._dim_roles(n, src, self._spatial_dims(src, nd), mix_dims=[cdim])
        geoms, collapse = [], []
        for a, role in enumerate(roles):
            if role[0] == "geom":
                j = role[1]
                n_in, n_out = src.shape[self._spatial_dims(src, nd)[j]], lengths[j]
                p_r = (n_in - 1) * s[j] + d[j] * (k[j] - 1) + 1 - p_l[j] - n_out
                geoms.append(Geom(k[j], s[j], d[j], p_l[j], p_r))
            else:
                geoms.append(None)
                if role[0] == "collapse":
                    collapse.append(a)
        return self.b.window(src, n.node_name, out_shape, "conv_transpose", geoms, collapse=collapse,
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n), transposed=True)

    def pool_layer(self, n: _Call, src: TensorInfo, nd: int, op: str):
        k = self._per_axis(n, "pool_size", nd, 2)
        strides = n.config.get("strides")
        s = k if strides is None else self._per_axis(n, "strides", nd, 1)
        pads, lengths = self._window(n, src, nd, k, s, [1] * nd)
        out_shape = self._shape_with(src, nd, lengths, None)
        return self.pool(n, src, op, nd, k, s, pads, [1] * nd, False, out_shape)

    def global_pool(self, n: _Call, src: TensorInfo, nd: int):
        keep = bool(n.config.get("keepdims", False))
        dims = self._spatial_dims(src, nd)
        shape = [1 if i in dims else v for i, v in enumerate(src.shape)] if keep else \
            [v for i, v in enumerate(src.shape) if i not in dims]
        return self.reduce(n, [src], tuple(shape), dims, keep)

    def _pairs(self, n: _Call, key: str, nd: int) -> list[tuple[int, int]]:
        value = n.config.get(key, 1)
        if type(value) is int:
            return [(value, value)] * nd
        value = list(value)
        if len(value) == nd and all(isinstance(v, int) for v in value):
            return [(v, v) for v in value]
        if len(value) == 2 and nd == 1 and all(isinstance(v, int) for v in value):
            return [(value[0], value[1])]
        pairs = [tuple(whole(x) for x in v) for v in value]
        if len(pairs) != nd or any(len(p) != 2 for p in pairs):
            raise self.fail(n, f"{key}={n.config.get(key)!r}: expected {nd} (before, after) pairs")
        return pairs  # type: ignore[return-value]

    def pad_or_crop(self, n: _Call, src: TensorInfo, nd: int, crop: bool):
        pairs = self._pairs(n, "cropping" if crop else "padding", nd)
        if crop:
            pairs = [(-a, -b) for a, b in pairs]
        dims = self._spatial_dims(src, nd)
        lengths = [src.shape[d] + a + b for d, (a, b) in zip(dims, pairs)]
        if any(m < 1 for m in lengths):
            raise self.fail(n, f"crops {list(self._spatial_shape(src, nd))} to nothing")
        rank = len(src.shape)
        flat: list[int] = []
        for dim in range(rank - 1, -1, -1):  # F.pad order: last dimension first
            flat += list(pairs[dims.index(dim)]) if dim in dims else [0, 0]
        return self.pad(n, src, self._shape_with(src, nd, lengths, None), flat, "constant")

    def upsampling(self, n: _Call, src: TensorInfo, nd: int):
        size = self._per_axis(n, "size", nd, 2)
        mode = str(n.config.get("interpolation", "nearest"))
        if mode not in ("nearest", "bilinear"):
            raise self.fail(n, f"interpolation={mode!r}: rfgraph expresses nearest and bilinear")
        out_shape = self._shape_with(src, nd, [m * f for m, f in zip(self._spatial_shape(src, nd), size)], None)
        roles = self._dim_roles(n, src, self._spatial_dims(src, nd))
        scale = [size[r[1]] if r[0] == "geom" else 1 for r in roles]
        return self.b.upsample(src, n.node_name, out_shape, scale, mode, attrs=self.edge_attrs(n),
                               node_attrs=self.node_attrs(n))

    def _broadcast_shape(self, n: _Call, srcs: list) -> tuple[int, ...]:
        shapes = [s.shape for s in srcs if isinstance(s, TensorInfo)]
        rank = max(len(s) for s in shapes)
        out = []
        for i in range(rank):
            dims = {s[i - (rank - len(s))] for s in shapes if i >= rank - len(s)}
            dims.discard(1)
            if len(dims) > 1:
                raise self.fail(n, f"combines tensors of shapes {[list(s) for s in shapes]} that do not broadcast")
            out.append(dims.pop() if dims else 1)
        return tuple(out)

    # -- layers with their own rules -------------------------------------------------------------
    def layer_Activation(self, n: _Call, srcs):
        act = n.config.get("activation", "linear")
        act = act if isinstance(act, str) else str((act or {}).get("config", {}).get("name", act))
        if act in ("softmax", "log_softmax"):
            return self.whole_along(n, srcs[0], srcs[0].shape, [-1], keep="attention")
        return self.elementwise(n, srcs[:1], srcs[0].shape, ACTIVATIONS.get(act, "identity"))

    def layer_Softmax(self, n: _Call, srcs):
        axis = n.config.get("axis", -1)
        axes = axis if isinstance(axis, list) else [axis]
        return self.whole_along(n, srcs[0], srcs[0].shape, axes, keep="attention")

    def layer_LayerNormalization(self, n: _Call, srcs):
        axis = n.config.get("axis", -1)
        axes = axis if isinstance(axis, list) else [axis]
        return self.whole_along(n, srcs[0], srcs[0].shape, axes, keep="groupnorm")

    def layer_GroupNormalization(self, n: _Call, srcs):
        src = srcs[0]
        dims = [d for d in range(1, len(src.shape))]
        return self.whole_along(n, src, src.shape, dims, keep="groupnorm")

    def layer_Concatenate(self, n: _Call, srcs):
        axis = whole(n.config.get("axis", -1))
        shapes = [s.shape for s in srcs]
        rank = len(shapes[0])
        axis = norm_dim(axis, rank)
        out = list(shapes[0])
        out[axis] = sum(s[axis] for s in shapes)
        return self.cat(n, srcs, axis, tuple(out))

    def layer_Dense(self, n: _Call, srcs):
        src = srcs[0]
        out = tuple(src.shape[:-1]) + (whole(n.config.get("units", src.shape[-1])),)
        return self.contract_last(n, src, out)

    def layer_EinsumDense(self, n: _Call, srcs):
        raise self.fail(n, "EinsumDense: describe it with ops={...}")

    def layer_Flatten(self, n: _Call, srcs):
        src = srcs[0]
        size = 1
        for v in src.shape[1:]:
            size *= v
        return self.reshape(n, src, (src.shape[0], size))

    def layer_Reshape(self, n: _Call, srcs):
        src = srcs[0]
        target = [whole(v) for v in n.config.get("target_shape", [])]
        total = 1
        for v in src.shape[1:]:
            total *= v
        if target.count(-1) == 1:
            known = 1
            for v in target:
                if v != -1:
                    known *= v
            target[target.index(-1)] = total // max(known, 1)
        prod = 1
        for v in target:
            prod *= v
        if prod != total:
            raise self.fail(n, f"target_shape {n.config.get('target_shape')} does not hold {total} values")
        return self.reshape(n, src, (src.shape[0], *target))

    def layer_Permute(self, n: _Call, srcs):
        src = srcs[0]
        dims = [whole(d) for d in n.config.get("dims", [])]
        perm = [0] + dims
        if sorted(perm) != list(range(len(src.shape))):
            raise self.fail(n, f"dims={dims} is not a permutation of the non-batch dimensions")
        out = tuple(src.shape[p] for p in perm)
        return self.identity(n, src, out, permute_axes(src, perm), "identity", permute_lead(src, perm))

    def layer_Resizing(self, n: _Call, srcs):
        src = srcs[0]
        if n.config.get("crop_to_aspect_ratio") or n.config.get("pad_to_aspect_ratio"):
            raise self.fail(n, "crop_to_aspect_ratio / pad_to_aspect_ratio: describe it with ops={...}")
        mode = str(n.config.get("interpolation", "bilinear"))
        if mode not in ("nearest", "bilinear"):
            raise self.fail(n, f"interpolation={mode!r}: rfgraph expresses nearest and bilinear")
        size = [whole(n.config["height"]), whole(n.config["width"])]
        nd = 2
        out_shape = self._shape_with(src, nd, size, None)
        dims = self._spatial_dims(src, nd)
        roles = self._dim_roles(n, src, dims)

        def truth(axis, n_in, m):
            scale = Fraction(n_in, m)
            kind, transform = ("nearest", "tf_half_pixel_for_nn") if mode == "nearest" else ("linear", "half_pixel")
            return [true_taps(kind, n_in, m, t, scale=scale, transform=transform) for t in range(m)]

        if any(r[0] == "trivial" and src.axes[a] is not None for a, r in enumerate(roles)):
            raise self.fail(n, "resizes dimensions that are not the spatial axes")
        return emit_resample(self.b, src, n.node_name, out_shape, truth, f"{mode} resizing",
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n),
                             fail=lambda m: self.fail(n, m))

    def layer_CenterCrop(self, n: _Call, srcs):
        src = srcs[0]
        dims = self._spatial_dims(src, 2)
        size = [whole(n.config["height"]), whole(n.config["width"])]
        index = [slice(None)] * len(src.shape)
        for d, m in zip(dims, size):
            if m > src.shape[d]:
                raise self.fail(n, "CenterCrop to a larger size resizes: describe it with ops={...}")
            start = (src.shape[d] - m) // 2
            index[d] = slice(start, start + m)
        return self.index(n, src, tuple(index), self._shape_with(src, 2, size, None))

    def layer_MultiHeadAttention(self, n: _Call, srcs):
        src = srcs[0]
        return self.b.whole(srcs, n.node_name, src.shape, "attention", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n))

    def layer_Lambda(self, n: _Call, srcs):
        raise self.fail(n, "a Lambda layer runs arbitrary Python: describe it with "
                           f"ops={{{n.name!r}: {{'op': ..., 'k': ..., 's': ..., 'p': ...}}}}")


def load_keras_application(name: str, input_size=None):
    """``keras.applications.NAME(weights=None)`` (keras needed), for ``rfgraph import keras:NAME``."""
    try:
        import keras
    except ImportError:
        raise RFGraphError("keras:NAME needs Keras 3: pip install keras (any backend, e.g. KERAS_BACKEND=torch)") from None
    builder = getattr(keras.applications, name, None)
    if builder is None or not callable(builder):
        known = sorted(n for n in dir(keras.applications) if n[:1].isupper())
        raise RFGraphError(f"keras.applications has no model {name!r} (known: {', '.join(known)})")
    kwargs: dict[str, Any] = {"weights": None}
    if input_size is not None:
        size = list(input_size) * (2 if len(input_size) == 1 else 1)
        kwargs.update(include_top=False, input_shape=(size[0], size[1], 3))
    try:
        model = builder(**kwargs)
    except (ValueError, TypeError) as exc:
        raise RFGraphError(f"keras.applications.{name}: {exc}") from exc
    return model, keras.__version__
