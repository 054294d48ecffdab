"""The table of operations: every op rfgraph knows, defined once.

Each edge of a graph is a layer. Its ``op`` attribute selects an :class:`OpSpec` from
:data:`OPS`; the spec reads the edge's attributes into a :class:`Layer` and says, per axis,
how the layer maps positions:

- :class:`Window` (convolutions, pools, pads, crops, elementwise ops): an integer stride s,
  kernel k, dilation d, left/right padding. Any op name not listed below as special is a
  window whose geometry comes from its attributes (defaults k=1, s=1, p=0, d=1); the ops
  marked ``requires_k`` (conv, pools) must state ``k``.
- :class:`Transposed` (``conv_transpose``): stride 1/s, PyTorch semantics.
- :class:`Upsample` (``upsample``): stride 1/scale, nearest or (bi)linear.
- :class:`WholeInput` (``global_pool``, ``fc``, ``flatten``, ...): every output position
  depends on every input position.

Adding an op is one entry in :data:`OPS` (or :func:`register_op` at run time). The engines,
the importers and the diagrams only talk to the spec's methods.

>>> layer = parse_layer({"op": "conv", "k": "3", "s": "2", "p": "1"}, ndim=2, owner="edge a -> b")
>>> layer.k, layer.s, layer.p_l
((3, 3), (2, 2), (1, 1))
>>> layer.symbolic(0)
(0, 2, 3, 1)
>>> layer.label()
'conv k3 s2 p1'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

from . import attrs as A
from .errors import AttributeValueError, UnknownOpError, shorten
from .limits import check, current_limits

# Kinds of symbolic per-axis geometry, as the first item of Layer.symbolic(axis):
#   (WIN, s, k_eff, p_l)      integer stride; p_l is None while SAME padding is unresolved
#   (FRAC, sigma, tau2)       rational stride sigma; the continuous centre moves by tau2 / 2
#   (WHOLE,)                  every output depends on the whole input
#   (CTX,)                    elementwise data path, plus statistics over the whole input
#                             (normalisations): the data path's receptive field is the local
#                             one, and every output also depends on the whole input
WIN, FRAC, WHOLE, CTX = 0, 1, 2, 3
#: The identity window, which a CTX layer is on its data path.
IDENTITY = (WIN, 1, 1, 0)

# Attribute names people write for the geometry that rfgraph spells differently.
_ALIASES = {
    "stride": "s", "strides": "s", "kernel": "k", "kernel_size": "k", "ksize": "k",
    "dilation": "d", "dilations": "d", "rate": "d", "pad": "p", "pads": "p",
    "pad_l": "p_l", "pad_r": "p_r", "padding_l": "p_l", "padding_r": "p_r",
    "scale_factor": "scale", "factor": "scale", "output_padding": "p_r",
}
_PAD_MODES = ("same", "valid")
PAD_FILLS = ("zeros", "reflect", "replicate", "circular")
_UPSAMPLE_MODES = ("nearest", "bilinear", "linear")


@dataclass(frozen=True)
class Layer:
    """One edge's operation with its per-axis parameters, parsed and validated.

    Tuples have one entry per axis. ``p_l``/``p_r`` hold None for TensorFlow "same"
    padding that still depends on the input length (stride > 1); ``padding`` records
    the keyword ("same", "valid") or None for explicit padding.
    """

    op: str
    spec: "OpSpec"
    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    p_l: tuple[int | None, ...]
    p_r: tuple[int | None, ...]
    padding: str | None = None
    scale: tuple[int, ...] | None = None
    mode: str | None = None
    ceil_mode: bool = False
    pad_mode: str = "zeros"

    @property
    def ndim(self) -> int:
        return len(self.k)

    @property
    def kind(self) -> str:
        return self.spec.kind

    def k_eff(self, axis: int) -> int:
        """Effective kernel extent d (k - 1) + 1 along ``axis``."""
        return self.d[axis] * (self.k[axis] - 1) + 1

    def symbolic(self, axis: int) -> tuple:
        """Symbolic geometry along ``axis`` (see the WIN/FRAC/WHOLE tuples above)."""
        return self.symbolic_axes[axis]

    @cached_property
    def symbolic_axes(self) -> tuple[tuple, ...]:
        """Symbolic geometry of every axis, computed once: a layer is shared by every edge
        (and every graph built in the process) with the same attributes, and the passes ask
        for it once per edge and axis."""
        return tuple(self.spec.symbolic(self, axis) for axis in range(self.ndim))

    def label(self) -> str:
        """Short human-readable description: ``'conv k3 s2 p1'``, ``'maxpool k3,5 s2'``."""
        return self.spec.label(self)

    def with_padding(self, p_l: tuple[int, ...], p_r: tuple[int, ...]) -> "Layer":
        """A copy with explicit padding (SAME resolved at a known input size)."""
        return replace(self, p_l=tuple(p_l), p_r=tuple(p_r))


def _axes_text(values: tuple) -> str:
    return str(values[0]) if len(set(values)) == 1 else ",".join(map(str, values))


class OpSpec:
    """Base of the op kinds. ``kind`` names the family; ``allowed`` the attributes it reads."""

    kind = "?"
    allowed: frozenset[str] = frozenset()

    def __init__(self, name: str, requires_k: bool = False, description: str = "") -> None:
        self.name = name
        self.requires_k = requires_k
        self.description = description

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def parse(self, op: str, values: dict[str, Any], ndim: int, owner: str) -> Layer:
        raise NotImplementedError

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        """Symbolic geometry along ``axis`` (a WIN, FRAC or WHOLE tuple)."""
        raise NotImplementedError

    def out_length(self, layer: Layer, axis: int, n: int) -> int:
        """Output length along ``axis`` for an input of length ``n`` (padding resolved);
        0 or less means the layer cannot be applied."""
        raise NotImplementedError

    def taps(self, layer: Layer, axis: int, t):
        """Which input positions output positions ``t`` (a numpy int array) read:
        ``(index, exists)``, two ``[len(t), K]`` arrays. ``exists`` is False for taps that are
        not there at all (a transposed convolution's holes, a bilinear tap of weight zero);
        indices outside the input map are left to the caller (they are padding)."""
        raise NotImplementedError

    def label(self, layer: Layer) -> str:
        return layer.op


def _padding(values: dict[str, Any], ndim: int, owner: str, k_eff: tuple[int, ...],
             s: tuple[int, ...]) -> tuple[tuple, tuple, str | None]:
    """Read p / p_l / p_r / padding into per-axis (p_l, p_r, keyword)."""
    has_p = "p" in values
    has_lr = "p_l" in values or "p_r" in values
    if "padding" in values:
        if has_p or has_lr:
            raise AttributeValueError(f"{owner}: give either padding=same|valid or p/p_l/p_r, not both")
        mode = A.choice(values["padding"], owner, "padding", _PAD_MODES)
        if mode == "valid":
            return (0,) * ndim, (0,) * ndim, mode
        # TensorFlow SAME: total = max((ceil(n/s) - 1) s + k' - n, 0), odd pixel on the right.
        # With stride 1 the total is k' - 1 whatever n is; otherwise it depends on n mod s.
        p_l = tuple((k - 1) // 2 if st == 1 else None for k, st in zip(k_eff, s))
        p_r = tuple(k - 1 - pl if pl is not None else None for k, pl in zip(k_eff, p_l))
        return p_l, p_r, mode
    if has_p and has_lr:
        raise AttributeValueError(f"{owner}: give either p or p_l/p_r, not both")
    if has_p:
        p = _bounded(A.broadcast(A.int_axes(values["p"], owner, "p"), ndim, owner, "p"), owner, "p")
        return p, p, None
    p_l = _bounded(A.broadcast(A.int_axes(values.get("p_l", 0), owner, "p_l"), ndim, owner, "p_l"), owner, "p_l")
    p_r = _bounded(A.broadcast(A.int_axes(values.get("p_r", 0), owner, "p_r"), ndim, owner, "p_r"), owner, "p_r")
    return p_l, p_r, None


def _bounded(values: tuple[int, ...], owner: str, name: str) -> tuple[int, ...]:
    """``values`` if every one is within the limit max_length: a kernel, stride, dilation,
    padding or scale factor beyond it cannot fit a map of at most that length (and would
    make the exact passes allocate per position of it)."""
    limit = current_limits().max_length
    for v in values:
        if abs(v) > limit:
            check("max_length", abs(v), f"{owner}: attribute {name}={shorten(v)}")
    return values


def _reject(values: dict[str, Any], spec: OpSpec, owner: str) -> None:
    extra = sorted(set(values) - spec.allowed - {"op"})
    if extra:
        raise AttributeValueError(
            f"{owner}: attribute {extra[0]} does not apply to op={spec.name} ({spec.kind})"
        )


def _ints(values: dict[str, Any], name: str, default: int, ndim: int, owner: str) -> tuple[int, ...]:
    if name not in values:
        return (default,) * ndim
    return _bounded(A.broadcast(A.positive_axes(values[name], owner, name), ndim, owner, name), owner, name)


class Window(OpSpec):
    """Kernel k, integer stride s, dilation d, padding p_l/p_r (negative = crop).

    Output position j reads input positions s j - p_l + m d for m = 0..k-1.
    """

    kind = "window"
    allowed = frozenset({"k", "s", "d", "p", "p_l", "p_r", "padding", "ceil_mode", "pad_mode"})

    def parse(self, op: str, values: dict[str, Any], ndim: int, owner: str) -> Layer:
        _reject(values, self, owner)
        if self.requires_k and "k" not in values:
            raise AttributeValueError(f"{owner}: op={op} needs a kernel size k")
        k = _ints(values, "k", 1, ndim, owner)
        s = _ints(values, "s", 1, ndim, owner)
        d = _ints(values, "d", 1, ndim, owner)
        k_eff = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
        p_l, p_r, keyword = _padding(values, ndim, owner, k_eff, s)
        ceil_mode = A.boolean(values["ceil_mode"], owner, "ceil_mode") if "ceil_mode" in values else False
        pad_mode = A.choice(values.get("pad_mode", "zeros"), owner, "pad_mode", PAD_FILLS)
        return Layer(op, self, k, s, d, p_l, p_r, keyword, ceil_mode=ceil_mode, pad_mode=pad_mode)

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        return (WIN, layer.s[axis], layer.k_eff(axis), layer.p_l[axis])

    def same_padding(self, layer: Layer, axis: int, n: int) -> tuple[int, int]:
        """TensorFlow SAME padding for input length ``n``: the odd pixel goes right."""
        s, k = layer.s[axis], layer.k_eff(axis)
        total = max((-(-n // s) - 1) * s + k - n, 0)
        return total // 2, total - total // 2

    def out_length(self, layer: Layer, axis: int, n: int) -> int:
        s, k = layer.s[axis], layer.k_eff(axis)
        span = n + layer.p_l[axis] + layer.p_r[axis] - k
        if span < 0:
            return 0
        if not layer.ceil_mode:
            return span // s + 1
        out = -(-span // s) + 1
        if (out - 1) * s >= n + layer.p_l[axis]:  # PyTorch: the last window must start inside
            out -= 1
        return out

    def taps(self, layer: Layer, axis: int, t):
        import numpy as np

        m = np.arange(layer.k[axis]) * layer.d[axis]
        index = (t * layer.s[axis] - layer.p_l[axis])[:, None] + m[None, :]
        return index, np.ones(index.shape, dtype=bool)

    def label(self, layer: Layer) -> str:
        parts = [layer.op]
        if any(k != 1 for k in layer.k) or self.requires_k:
            parts.append("k" + _axes_text(layer.k))
        if any(s != 1 for s in layer.s):
            parts.append("s" + _axes_text(layer.s))
        if layer.padding is not None:
            parts.append(layer.padding)
        elif layer.p_l == layer.p_r:
            if any(p != 0 for p in layer.p_l):
                parts.append("p" + _axes_text(layer.p_l))
        else:
            parts.append("p" + _axes_text(layer.p_l) + "/" + _axes_text(layer.p_r))
        if any(d != 1 for d in layer.d):
            parts.append("d" + _axes_text(layer.d))
        if layer.ceil_mode:
            parts.append("ceil")
        if layer.pad_mode != "zeros":
            parts.append(layer.pad_mode)
        return " ".join(parts)


class Transposed(Window):
    """Transposed convolution, PyTorch semantics: p_l = padding, p_r = padding - output_padding.

    Output length (n - 1) s - p_l - p_r + k'; output t reads input (t + p_l - m d) / s for
    every tap m where that is an integer. Stride 1/s.
    """

    kind = "transposed"
    allowed = frozenset({"k", "s", "d", "p", "p_l", "p_r"})

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        s, k_eff, p = layer.s[axis], layer.k_eff(axis), layer.p_l[axis]
        return (FRAC, Fraction(1, s), Fraction(2 * p - (k_eff - 1), s))

    def out_length(self, layer: Layer, axis: int, n: int) -> int:
        return (n - 1) * layer.s[axis] - layer.p_l[axis] - layer.p_r[axis] + layer.k_eff(axis)

    def taps(self, layer: Layer, axis: int, t):
        import numpy as np

        s = layer.s[axis]
        numer = (t + layer.p_l[axis])[:, None] - (np.arange(layer.k[axis]) * layer.d[axis])[None, :]
        return numer // s, numer % s == 0


class Upsample(OpSpec):
    """Upsampling by an integer factor: nearest (t reads floor(t / F)) or (bi)linear
    (align_corners=False: t reads floor(src), floor(src) + 1 with src = (2t + 1 - F) / 2F).
    Stride 1/F."""

    kind = "upsample"
    allowed = frozenset({"scale", "mode"})

    def parse(self, op: str, values: dict[str, Any], ndim: int, owner: str) -> Layer:
        _reject(values, self, owner)
        if "scale" not in values:
            raise AttributeValueError(f"{owner}: op={op} needs an integer scale factor")
        scale = _ints(values, "scale", 1, ndim, owner)
        mode = A.choice(values.get("mode", "nearest"), owner, "mode", _UPSAMPLE_MODES)
        ones = (1,) * ndim
        zeros = (0,) * ndim
        return Layer(op, self, ones, ones, ones, zeros, zeros, None, scale=scale,
                     mode="bilinear" if mode == "linear" else mode)

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        f = layer.scale[axis]
        # The continuous centre of output t is (t - (F - 1) / 2) / F for both modes.
        return (FRAC, Fraction(1, f), Fraction(-(f - 1), f))

    def out_length(self, layer: Layer, axis: int, n: int) -> int:
        return n * layer.scale[axis]

    def taps(self, layer: Layer, axis: int, t):
        import numpy as np

        f = layer.scale[axis]
        if layer.mode == "nearest":
            index = (t // f)[:, None]
            return index, np.ones(index.shape, dtype=bool)
        # align_corners=False: src = (2t + 1 - F) / 2F in exact integers. PyTorch clamps a
        # negative src to 0; reading floor(src) = -1 (padding) and 0 gives the same set. The
        # second tap has weight src - floor(src): zero when 2F divides 2t + 1 - F.
        numer = 2 * t + 1 - f
        low = numer // (2 * f)
        index = np.stack([low, low + 1], axis=1)
        exists = np.stack([np.ones(len(t), dtype=bool), numer % (2 * f) != 0], axis=1)
        return index, exists

    def label(self, layer: Layer) -> str:
        return f"{layer.op} x{_axes_text(layer.scale)} {layer.mode}"


class WholeInput(OpSpec):
    """Every output position depends on every input position (global pooling, fully
    connected layers, flatten, attention, statistics over all positions)."""

    kind = "whole"
    allowed = frozenset()

    def __init__(self, name: str, keeps_size: bool = False, description: str = "") -> None:
        super().__init__(name, description=description)
        self.keeps_size = keeps_size  # attention, instance norm: same length; pooling: 1

    def out_length(self, layer: Layer, axis: int, n: int) -> int:
        return n if self.keeps_size else 1

    def parse(self, op: str, values: dict[str, Any], ndim: int, owner: str) -> Layer:
        _reject(values, self, owner)
        ones = (1,) * ndim
        zeros = (0,) * ndim
        return Layer(op, self, ones, ones, ones, zeros, zeros)

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        return (WHOLE,)


class Statistics(WholeInput):
    """An elementwise layer that also reads statistics over the whole map (group, instance
    and spatial layer normalisation): output t is a function of input t and of the mean and
    variance of every position. The data path is the identity, so the local receptive field
    (statistics set aside) is that of the layers around it; every output still depends on the
    whole input, which exact regions and autograd show."""

    kind = "stats"

    def __init__(self, name: str, description: str = "") -> None:
        super().__init__(name, keeps_size=True, description=description)

    def symbolic(self, layer: Layer, axis: int) -> tuple:
        return (CTX,)


def _table() -> dict[str, OpSpec]:
    table: dict[str, OpSpec] = {}
    for name in ("conv", "conv1d", "conv2d", "conv3d", "dwconv", "maxpool", "avgpool", "lppool"):
        table[name] = Window(name, requires_k=True, description="sliding window")
    for name in ("identity", "pad", "crop", "relu", "relu6", "leaky_relu", "prelu", "elu",
                 "selu", "gelu", "silu", "swish", "mish", "hardswish", "hardsigmoid",
                 "sigmoid", "tanh", "softplus", "softmax", "bn", "batchnorm", "layernorm",
                 "dropout", "add", "sub", "mul", "div", "max", "min", "concat", "split",
                 "channel_shuffle", "scale"):
        table[name] = Window(name, description="elementwise unless k/s/p/d say otherwise")
    table["conv_transpose"] = Transposed("conv_transpose", requires_k=True,
                                         description="transposed convolution")
    table["upsample"] = Upsample("upsample", description="nearest or bilinear upsampling")
    for name in ("global_pool", "global_avgpool", "global_maxpool", "fc", "linear", "flatten"):
        table[name] = WholeInput(name, description="depends on the whole input; length 1")
    table["attention"] = WholeInput("attention", keeps_size=True, description="depends on the whole input; same length")
    for name in ("instancenorm", "groupnorm", "spatial_norm"):
        table[name] = Statistics(name, description="elementwise, with statistics over the whole input")
    return table


#: op name -> spec. Adding an op is one entry here (or :func:`register_op`).
OPS: dict[str, OpSpec] = _table()


def register_op(name: str, spec: OpSpec) -> None:
    """Make ``op=name`` known to every graph (one entry of :data:`OPS`).

    Examples
    --------
    >>> register_op("my_blur", Window("my_blur", requires_k=True))
    >>> parse_layer({"op": "my_blur", "k": 5}, ndim=1, owner="edge a -> b").label()
    'my_blur k5'
    >>> del OPS["my_blur"]
    """
    OPS[name.lower()] = spec


def same_spec(a: OpSpec | None, b: OpSpec | None) -> bool:
    """Whether two specs describe the same operation (same class and settings)."""
    return a is b or (a is not None and b is not None and type(a) is type(b) and vars(a) == vars(b))


def registered_ops() -> dict[str, OpSpec]:
    """The entries of :data:`OPS` that :func:`register_op` added or changed (what another
    process must be told to analyse the same graphs).

    >>> register_op("my_blur", Window("my_blur", requires_k=True))
    >>> list(registered_ops())
    ['my_blur']
    >>> del OPS["my_blur"]
    """
    builtin = _table()
    return {name: spec for name, spec in OPS.items() if not same_spec(spec, builtin.get(name))}


def parse_layer(values: dict[str, Any], ndim: int, owner: str) -> Layer:
    """Build the :class:`Layer` of one edge from its raw attributes.

    ``values`` holds only geometry attributes (see :func:`geometry_attributes`); a missing
    ``op`` means an elementwise identity.
    """
    op = A.text(values.get("op", "identity")).strip().lower() or "identity"
    spec = OPS.get(op)
    if spec is None:
        raise UnknownOpError(
            f"{owner}: unknown op {op!r} (known: {', '.join(sorted(OPS))}; "
            "rfgraph.register_op adds one)"
        )
    return spec.parse(op, values, ndim, owner)


GEOMETRY_ATTRIBUTES = frozenset({"op", "k", "s", "d", "p", "p_l", "p_r", "padding", "scale",
                                 "mode", "ceil_mode", "pad_mode"})


def fill_source(local, n: int, layer: Layer, axis: int):
    """Where padding positions read from, for ``pad_mode`` reflect/replicate/circular
    (PyTorch's padding modes): ``(index, inside)`` with ``local`` positions of a map of
    length ``n`` remapped into it. Zero padding (and positions beyond the stated padding,
    such as ceil-mode overhang) stay outside."""
    import numpy as np

    inside = (local >= 0) & (local < n)
    mode = layer.pad_mode
    if mode == "zeros" or n < 1:
        return local, inside
    p_l = max(layer.p_l[axis] or 0, 0)
    p_r = max(layer.p_r[axis] or 0, 0)
    padded = ~inside & (local >= -p_l) & (local < n + p_r)
    if mode == "reflect":
        mapped = np.where(local < 0, -local, 2 * (n - 1) - local)
    elif mode == "replicate":
        mapped = np.clip(local, 0, n - 1)
    else:  # circular
        mapped = local % n
    ok = padded & (mapped >= 0) & (mapped < n)
    return np.where(ok, mapped, local), inside | ok


def geometry_attributes(edge_attrs: dict[str, Any], owner: str) -> dict[str, Any]:
    """The geometry attributes of an edge; other attributes (label, color, ...) are ignored,
    but a misspelt geometry name (``stride=2``) is an error rather than silently ignored."""
    found = {}
    for name, value in edge_attrs.items():
        key = name.lower()
        if key in GEOMETRY_ATTRIBUTES:
            found[key] = value
        elif key in _ALIASES:
            raise AttributeValueError(
                f"{owner}: attribute {name!r} is not rfgraph's name for it: use {_ALIASES[key]!r}"
            )
    return found


def axis_count(values: dict[str, Any]) -> int:
    """The number of axes an edge's attributes state (1 when every value is a scalar)."""
    count = 1
    for name, value in values.items():  # an edge has a few attributes: look at those
        if isinstance(value, str):
            if "," in value and name in _PER_AXIS:  # most values are one number
                text = A.unquote(value.strip()).strip("()[] ").rstrip(",")
                count = max(count, text.count(",") + 1)
        elif isinstance(value, (tuple, list)) and name in _PER_AXIS:
            count = max(count, len(value))
    return count


_PER_AXIS = frozenset({"k", "s", "d", "p", "p_l", "p_r", "scale"})
