"""The table of PyTorch functions and Tensor methods the torch.fx importer knows: one entry
per op, as in the op table (:data:`rfgraph.core.ops.OPS`) and the ONNX importer's handlers.

:data:`FUNCTIONS` maps a function or method name (``conv2d``, ``max_pool2d``, ``permute``,
``add``; leading underscores dropped, so ``_operator.add`` and ``Tensor.__add__`` find
``add``) to a handler ``handler(call) -> TensorInfo | Tuple``. :class:`Call` carries what a
handler reads: the fx node, its bound arguments, its tensor inputs and output shape, and the
converter (whose op families, :class:`~rfgraph.importers.families.Families`, do the work).

Adding an op is one :func:`function` entry:

>>> "conv2d" in FUNCTIONS and "permute" in FUNCTIONS and "relu" in FUNCTIONS
True
>>> FUNCTIONS["relu"].func.__name__, FUNCTIONS["relu"].keywords, FUNCTIONS["max_pool2d"].keywords
('elementwise', {'op': 'relu'}, {'nd': 2, 'op': 'maxpool'})

Arguments are read with :meth:`Call.int`, :meth:`Call.ints` and :meth:`Call.dims`, which
accept the forms PyTorch accepts (an int, a list or tuple of ints, a ``torch.Size``, values
computed from sizes at run time) and raise a :class:`~rfgraph.core.errors.ModelImportError` naming
the node for anything else, never a ``TypeError``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .builder import TensorInfo, Tuple, constant, norm_dim, permute_axes, permute_lead

# Function / method names that act elementwise on their tensor arguments (with broadcasting),
# and the rfgraph op they become.
ELEMENTWISE = {
    "relu": "relu", "relu_": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu",
    "leaky_relu_": "leaky_relu", "prelu": "prelu", "rrelu": "leaky_relu", "elu": "elu", "elu_": "elu",
    "selu": "selu", "celu": "elu", "gelu": "gelu", "silu": "silu", "mish": "mish",
    "hardswish": "hardswish", "hardsigmoid": "hardsigmoid", "sigmoid": "sigmoid", "sigmoid_": "sigmoid",
    "tanh": "tanh", "tanh_": "tanh", "softplus": "softplus", "hardtanh": "relu6", "hardtanh_": "relu6",
    "dropout": "dropout", "dropout1d": "dropout", "dropout2d": "dropout", "dropout3d": "dropout",
    "alpha_dropout": "dropout", "feature_alpha_dropout": "dropout", "stochastic_depth": "dropout",
    "batch_norm": "bn", "local_response_norm": "identity", "channel_shuffle": "channel_shuffle",
    "native_channel_shuffle": "channel_shuffle",
    "add": "add", "add_": "add", "iadd": "add", "sub": "sub", "sub_": "sub", "isub": "sub", "rsub": "sub",
    "mul": "mul", "mul_": "mul", "imul": "mul", "div": "div", "div_": "div", "truediv": "div",
    "itruediv": "div", "floordiv": "div", "floor_divide": "div", "mod": "div", "remainder": "div",
    "pow": "mul", "neg": "identity", "abs": "identity", "exp": "identity", "log": "identity",
    "sqrt": "identity", "rsqrt": "identity", "reciprocal": "identity", "square": "mul", "sign": "identity",
    "clamp": "identity", "clamp_": "identity", "clip": "identity", "clamp_min": "relu", "clamp_max": "identity",
    "maximum": "max", "minimum": "min", "fmax": "max", "fmin": "min", "where": "identity", "lerp": "add",
    "addcmul": "add", "addcdiv": "add", "erf": "identity", "sin": "identity", "cos": "identity",
    "floor": "identity", "ceil": "identity", "round": "identity", "trunc": "identity", "frac": "identity",
    "logsigmoid": "sigmoid", "log_sigmoid": "sigmoid", "softsign": "identity", "tanhshrink": "identity",
    "threshold": "relu", "threshold_": "relu", "hardshrink": "identity", "softshrink": "identity",
    "silu_": "silu", "hardswish_": "hardswish", "nan_to_num": "identity", "masked_fill": "identity",
    "eq": "identity", "ne": "identity", "gt": "identity", "ge": "identity", "lt": "identity", "le": "identity",
    "logical_and": "mul", "logical_or": "add", "logical_not": "identity", "and_": "mul", "or_": "add",
    "contiguous": "identity", "clone": "identity", "detach": "identity", "float": "identity",
    "double": "identity", "half": "identity", "bfloat16": "identity", "to": "identity", "type": "identity",
    "type_as": "identity", "cpu": "identity", "cuda": "identity", "requires_grad_": "identity",
    "expand": "identity", "expand_as": "identity", "broadcast_to": "identity",
}
# Ops whose result does not depend on the input's values (a tensor of its shape).
CONSTANT = {"zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
            "randint_like", "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor"}
RESHAPE = {"view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "squeeze_", "unsqueeze_",
           "view_as", "reshape_as", "ravel", "atleast_1d", "atleast_2d", "atleast_3d"}
REDUCE = {"mean", "sum", "amax", "amin", "std", "var", "prod", "logsumexp", "norm", "nansum",
          "nanmean", "any", "all", "argmax", "argmin", "count_nonzero", "std_mean", "var_mean",
          "max", "min", "median", "mode", "aminmax"}

# Positional parameter names of the functions whose arguments the importer reads.
SIGNATURES: dict[str, tuple[str, ...]] = {}
for _n in (1, 2, 3):
    SIGNATURES[f"conv{_n}d"] = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
    SIGNATURES[f"conv_transpose{_n}d"] = ("input", "weight", "bias", "stride", "padding", "output_padding",
                                          "groups", "dilation")
    SIGNATURES[f"max_pool{_n}d"] = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                                    "return_indices")
    SIGNATURES[f"max_pool{_n}d_with_indices"] = SIGNATURES[f"max_pool{_n}d"]
    SIGNATURES[f"avg_pool{_n}d"] = ("input", "kernel_size", "stride", "padding", "ceil_mode",
                                    "count_include_pad", "divisor_override")
    SIGNATURES[f"lp_pool{_n}d"] = ("input", "norm_type", "kernel_size", "stride", "ceil_mode")
    SIGNATURES[f"adaptive_avg_pool{_n}d"] = ("input", "output_size")
    SIGNATURES[f"adaptive_max_pool{_n}d"] = ("input", "output_size", "return_indices")
    SIGNATURES[f"adaptive_max_pool{_n}d_with_indices"] = SIGNATURES[f"adaptive_max_pool{_n}d"]
SIGNATURES.update({
    "interpolate": ("input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor",
                    "antialias"),
    "upsample": ("input", "size", "scale_factor", "mode", "align_corners"),
    "upsample_nearest": ("input", "size", "scale_factor"),
    "upsample_bilinear": ("input", "size", "scale_factor"),
    "pad": ("input", "pad", "mode", "value"),
    "linear": ("input", "weight", "bias"),
    "softmax": ("input", "dim", "_stacklevel", "dtype"),
    "log_softmax": ("input", "dim", "_stacklevel", "dtype"),
    "softmin": ("input", "dim", "_stacklevel", "dtype"),
    "layer_norm": ("input", "normalized_shape", "weight", "bias", "eps"),
    "normalize": ("input", "p", "dim", "eps"),
    "cat": ("tensors", "dim"), "concat": ("tensors", "dim"), "concatenate": ("tensors", "dim"),
    "stack": ("tensors", "dim"),
    "chunk": ("input", "chunks", "dim"), "split": ("input", "split_size_or_sections", "dim"),
    "tensor_split": ("input", "indices_or_sections", "dim"), "unbind": ("input", "dim"),
    "narrow": ("input", "dim", "start", "length"), "select": ("input", "dim", "index"),
    "transpose": ("input", "dim0", "dim1"), "swapaxes": ("input", "axis0", "axis1"),
    "swapdims": ("input", "dim0", "dim1"), "movedim": ("input", "source", "destination"),
    "moveaxis": ("input", "source", "destination"),
    "roll": ("input", "shifts", "dims"), "glu": ("input", "dim"),
    "pixel_shuffle": ("input", "upscale_factor"), "pixel_unshuffle": ("input", "downscale_factor"),
    "group_norm": ("input", "num_groups", "weight", "bias", "eps"),
    "instance_norm": ("input", "running_mean", "running_var", "weight", "bias", "use_input_stats"),
    "cosine_similarity": ("x1", "x2", "dim", "eps"),
    "unfold": ("input", "dimension", "size", "step"),
})
for _name in REDUCE:
    SIGNATURES.setdefault(_name, ("input", "dim", "keepdim"))


@dataclass
class Call:
    """One call of a function or method, as a handler sees it.

    ``conv`` is the converter (op families, ``fail``, ``value``); ``n`` the fx node; ``name``
    the normalised name (the table key); ``fname`` the name as written (for messages);
    ``args`` the arguments bound to their parameter names (:data:`SIGNATURES`; extra
    positional ones under ``"_rest"``), still fx values; ``srcs`` the tensor inputs.
    """

    conv: Any
    n: Any
    name: str
    fname: str
    args: dict[str, Any]
    srcs: list[TensorInfo]
    out_shape: tuple[int, ...] | None
    meta: Any
    rest: list[Any] = field(default_factory=list)

    @property
    def src(self) -> TensorInfo:
        return self.srcs[0]

    @property
    def rank(self) -> int:
        return len(self.srcs[0].shape)

    def get(self, key: str, default: Any = None) -> Any:
        """The argument's concrete value (sizes computed at run time resolved), or ``default``."""
        return self.conv.value(self.args[key]) if key in self.args else default

    def fail(self, message: str):
        return self.conv.fail(self.n, message)

    def int(self, key: str, default: Any = None) -> int:
        """An integer argument; a one-element list or tuple is accepted as PyTorch does."""
        value = self.get(key, default)
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool) or not _is_int(value):
            raise self.fail(f"argument {key}={value!r}: expected an integer")
        return int(value)

    def ints(self, key: str, default: Any = None) -> tuple[int, ...]:
        """A list of integers: an int, a list/tuple/torch.Size of ints, or the positional
        varargs form (``x.permute(0, 2, 3, 1)``: the values after the tensor)."""
        value = self.get(key, default)
        return self._int_list(key, value)

    def varargs(self, key: str) -> tuple[int, ...]:
        """``x.permute(0, 2, 3, 1)``, ``x.permute([0, 2, 3, 1])``, ``torch.permute(x, (0, 2, 3, 1))``,
        ``x.permute(dims=[...])``: one list of integers, however it was written."""
        if key in self.args:
            return self.ints(key)
        values = [self.conv.value(a) for a in self.n.args[1:]]
        if len(values) == 1 and (isinstance(values[0], (list, tuple)) or type(values[0]).__name__ == "Size"):
            values = list(values[0])  # one list argument rather than varargs
        return self._int_list(key, values)

    def dims(self, key: str, default: Any = None) -> list[int]:
        """Tensor dimensions (an int or a list of ints), made non-negative."""
        return [norm_dim(d, self.rank) for d in self.ints(key, default)]

    def _int_list(self, key: str, value: Any) -> tuple[int, ...]:
        if _is_int(value) and not isinstance(value, bool):
            return (int(value),)
        if isinstance(value, (list, tuple)) or type(value).__name__ == "Size":
            if all(_is_int(v) and not isinstance(v, bool) for v in value):
                return tuple(int(v) for v in value)
        raise self.fail(f"argument {key}={value!r}: expected an integer or a list of integers")


def _is_int(value: Any) -> bool:
    try:
        operator.index(value)
        return True
    except TypeError:
        return False


def tuple_of(value: Any, n: int) -> tuple[int, ...]:
    """An int or a list of ints as ``n`` ints (a one-element list is repeated)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1 and n > 1:
            return tuple(int(value[0]) for _ in range(n))
        return tuple(int(v) for v in value)
    return (int(value),) * n


#: function or method name -> handler(call)
FUNCTIONS: dict[str, Callable[[Call], Any]] = {}


def function(*names: str, **bound: Any):
    """Register the decorated handler under ``names`` (with ``bound`` keyword arguments)."""

    def register(handler):
        for name in names:
            FUNCTIONS[name] = partial(handler, **bound) if bound else handler
        return handler

    return register


def _with_indices(result: TensorInfo):
    return Tuple(lambda i, name: result, 2)


# -- convolutions, pools ---------------------------------------------------------------------
def _weight_kernel(c: Call) -> tuple[int, ...]:
    w = c.n.args[1] if len(c.n.args) > 1 else c.n.kwargs.get("weight")
    meta = getattr(w, "meta", {}).get("tensor_meta")
    if meta is None:
        raise c.fail("the weight's shape is unknown")
    return tuple(meta.shape[2:])


def conv(c: Call, nd: int):
    return c.conv.conv(c.n, c.src, c.out_shape, nd, _weight_kernel(c), c.get("stride", 1), c.get("dilation", 1),
                       c.get("padding", 0), "zeros", c.int("groups", 1), c.src.shape[1])


def conv_transpose(c: Call, nd: int):
    return c.conv.conv_transpose(c.n, c.src, c.out_shape, nd, _weight_kernel(c), tuple_of(c.get("stride", 1), nd),
                                 tuple_of(c.get("dilation", 1), nd), tuple_of(c.get("padding", 0), nd),
                                 c.int("groups", 1))


def pool(c: Call, nd: int, op: str, indices: bool = False):
    indices = indices or bool(c.get("return_indices", False))
    shape = tuple(c.meta[0].shape) if indices else c.out_shape
    result = c.conv.tpool(c.n, c.src, op, nd, c.get("kernel_size"), c.get("stride"), c.get("padding", 0),
                          c.get("dilation", 1), bool(c.get("ceil_mode", False)), shape)
    return _with_indices(result) if indices else result


def adaptive(c: Call, nd: int, op: str, indices: bool = False):
    indices = indices or bool(c.get("return_indices", False))
    shape = tuple(c.meta[0].shape) if indices else c.out_shape
    result = c.conv.adaptive(c.n, c.src, nd, op, shape)
    return _with_indices(result) if indices else result


for _n in (1, 2, 3):
    function(f"conv{_n}d", nd=_n)(conv)
    function(f"conv_transpose{_n}d", nd=_n)(conv_transpose)
    for _kind, _op in (("max", "maxpool"), ("avg", "avgpool"), ("lp", "lppool")):
        function(f"{_kind}_pool{_n}d", nd=_n, op=_op)(pool)
        function(f"{_kind}_pool{_n}d_with_indices", nd=_n, op=_op, indices=True)(pool)
    for _kind in ("max", "avg"):
        function(f"adaptive_{_kind}_pool{_n}d", nd=_n, op=f"{_kind}pool")(adaptive)
        function(f"adaptive_{_kind}_pool{_n}d_with_indices", nd=_n, op=f"{_kind}pool", indices=True)(adaptive)


@function("interpolate", "upsample", "upsample_nearest", "upsample_bilinear")
def interpolate(c: Call):
    mode = c.get("mode", "nearest")
    align = c.get("align_corners")
    if c.name == "upsample_bilinear":
        mode, align = "bilinear", True
    if c.name == "upsample_nearest":
        mode = "nearest"
    if c.get("antialias", False) and any(o < i for o, i in zip(c.out_shape[2:], c.src.shape[2:])):
        raise c.fail("antialiased downsampling is not supported")
    return c.conv.interpolate(c.n, c.src, c.out_shape, mode, align, c.get("scale_factor"), c.get("size"),
                              c.get("recompute_scale_factor"))


@function("pad")
def pad(c: Call):
    return c.conv.pad(c.n, c.src, c.out_shape, c.ints("pad"), c.get("mode", "constant") or "constant")


# -- whole-input and channel mixing ------------------------------------------------------------
@function("linear")
def linear(c: Call):
    return c.conv.contract_last(c.n, c.src, c.out_shape)


@function("matmul", "mm", "bmm", "matmul_")
def matmul(c: Call):
    return c.conv.matmul(c.n, c.srcs, c.out_shape)


@function("scaled_dot_product_attention")
def attention(c: Call):
    return c.conv.attention(c.n, c.srcs[:3], c.out_shape)


# -- concatenation, stacking ---------------------------------------------------------------------
@function("cat", "concat", "concatenate")
def cat(c: Call):
    return c.conv.cat(c.n, c.get("tensors"), norm_dim(c.int("dim", 0), len(c.out_shape)), c.out_shape)


@function("stack")
def stack(c: Call):
    dim = norm_dim(c.int("dim", 0), len(c.out_shape))
    live = [s for s in c.srcs if not s.constant]
    moved = [TensorInfo(s.node, s.shape[:dim] + (1,) + s.shape[dim:],
                        tuple(None if ax is None else (ax[0] + (ax[0] >= dim), ax[1]) for ax in s.axes),
                        s.sizes) for s in live]
    return c.conv.b.merge(moved, c.conv.name_of(c.n), c.out_shape, "concat", attrs=c.conv.edge_attrs(c.n),
                          node_attrs=c.conv.node_attrs(c.n))


@function(*sorted(CONSTANT))
def constant_like(c: Call):
    return constant(c.out_shape, c.conv.ndim)


# -- layouts: reshapes, permutations ------------------------------------------------------------
@function(*sorted(RESHAPE))
def reshape(c: Call):
    return c.conv.reshape(c.n, c.src, c.out_shape)


@function("permute")
def permute(c: Call):
    perm = c.varargs("dims")
    if sorted(norm_dim(p, c.rank) for p in perm) != list(range(c.rank)):
        raise c.fail(f"permute{list(perm)} is not a permutation of {c.rank} dimensions")
    return c.conv.identity(c.n, c.src, c.out_shape, permute_axes(c.src, perm), "identity",
                           permute_lead(c.src, perm))


@function("transpose", "swapaxes", "swapdims", "t", "T", "mT")
def transpose(c: Call):
    rank = c.rank
    names = SIGNATURES.get(c.name, ())
    if len(names) < 3 or names[1] not in c.args:
        d0, d1 = rank - 2, rank - 1
    else:
        d0, d1 = norm_dim(c.int(names[1]), rank), norm_dim(c.int(names[2]), rank)
    perm = list(range(rank))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return c.conv.identity(c.n, c.src, c.out_shape, permute_axes(c.src, perm), "identity", permute_lead(c.src, perm))


@function("movedim", "moveaxis")
def movedim(c: Call):
    rank = c.rank
    source = c.dims("source")
    dest = c.dims("destination")
    if len(source) != len(dest):
        raise c.fail(f"movedim with {len(source)} sources and {len(dest)} destinations")
    rest = [i for i in range(rank) if i not in source]
    perm: list[int | None] = [None] * rank
    for a, b in zip(source, dest):
        perm[b] = a
    it = iter(rest)
    full = [p if p is not None else next(it) for p in perm]
    return c.conv.identity(c.n, c.src, c.out_shape, permute_axes(c.src, full), "identity", permute_lead(c.src, full))


# -- indexing, splitting ------------------------------------------------------------------------
@function("getitem")
def getitem(c: Call):
    return c.conv.index(c.n, c.src, c.conv.value(c.n.args[1]), c.out_shape)


@function("chunk", "split", "tensor_split", "unbind", "split_with_sizes")
def split(c: Call):
    return c.conv.split(c.n, c.src, [tuple(m.shape) for m in c.meta], c.name, c.int("dim", 0))


@function("narrow")
def narrow(c: Call):
    dim = norm_dim(c.int("dim"), c.rank)
    start = c.int("start")
    return c.conv.index(c.n, c.src, (slice(None),) * dim + (slice(start, start + c.int("length")),), c.out_shape)


@function("select")
def select(c: Call):
    dim = norm_dim(c.int("dim"), c.rank)
    return c.conv.index(c.n, c.src, (slice(None),) * dim + (c.int("index"),), c.out_shape)


# -- normalisations, softmax ---------------------------------------------------------------------
def _softmax_dim(c: Call) -> list[int]:
    if c.get("dim") is None:  # PyTorch's implicit choice (deprecated, still accepted)
        return [0 if c.rank in (0, 1, 3) else 1]
    return c.dims("dim")


@function("softmax", "log_softmax", "softmin")
def softmax(c: Call):
    return c.conv.whole_along(c.n, c.src, c.out_shape, _softmax_dim(c), keep="attention")


@function("normalize")
def normalize(c: Call):
    return c.conv.whole_along(c.n, c.src, c.out_shape, c.dims("dim", 1), keep="attention")


@function("layer_norm")
def layer_norm(c: Call):
    count = len(c.ints("normalized_shape"))
    return c.conv.whole_along(c.n, c.src, c.out_shape, list(range(c.rank - count, c.rank)), keep="groupnorm")


@function("group_norm")
def group_norm(c: Call):
    return c.conv.whole_along(c.n, c.src, c.out_shape, list(range(2, c.rank)), keep="groupnorm")


@function("instance_norm")
def instance_norm(c: Call):
    if c.get("use_input_stats", True):
        return c.conv.whole_along(c.n, c.src, c.out_shape, list(range(2, c.rank)), keep="instancenorm")
    return c.conv.elementwise(c.n, c.srcs, c.out_shape, "bn")


# -- pixel rearrangements, shifts -----------------------------------------------------------------
@function("glu")
def glu(c: Call):
    return c.conv.glu(c.n, c.src, c.out_shape, c.int("dim", -1))


@function("pixel_shuffle")
def pixel_shuffle(c: Call):
    return c.conv.pixel_shuffle(c.n, c.src, c.out_shape, c.int("upscale_factor"))


@function("pixel_unshuffle")
def pixel_unshuffle(c: Call):
    return c.conv.pixel_unshuffle(c.n, c.src, c.out_shape, c.int("downscale_factor"))


@function("roll")
def roll(c: Call):
    dims = c.get("dims")
    return c.conv.roll(c.n, c.src, c.out_shape, c.ints("shifts"), None if dims is None else c.ints("dims"))


@function("unfold")
def unfold(c: Call):
    if "dimension" not in c.args and len(c.n.args) < 4:  # F.unfold (im2col) is another function
        raise c.fail("F.unfold (im2col): describe it with ops={...}")
    return c.conv.unfold(c.n, c.src, c.out_shape, c.int("dimension"), c.int("size"), c.int("step"))


@function("flip", "fliplr", "flipud")
def flip(c: Call):
    raise c.fail("flips a spatial axis: not a layer rfgraph expresses")


# -- reductions and elementwise ops ----------------------------------------------------------------
@function("cosine_similarity")
def cosine_similarity(c: Call):
    return c.conv.reduce(c.n, c.srcs, c.out_shape, c.dims("dim", 1), False)


def _is_tensor_meta(meta: Any) -> bool:
    return type(meta).__name__ == "TensorMetadata"


def _is_node_tensor(arg: Any) -> bool:
    return hasattr(arg, "meta") and _is_tensor_meta(arg.meta.get("tensor_meta"))


def elementwise(c: Call, op: str):
    return c.conv.elementwise(c.n, c.srcs, c.out_shape, op)


def reduce(c: Call):
    n = c.n
    if c.name in ("max", "min") and (len(n.args) > 1 and _is_node_tensor(n.args[1])
                                     or _is_node_tensor(n.kwargs.get("other"))):
        return elementwise(c, c.name)  # torch.max(a, b): elementwise
    dim = c.get("dim")
    keep = bool(c.get("keepdim", False))
    dims = list(range(c.rank)) if dim is None else list(c.ints("dim"))
    if isinstance(c.meta, (list, tuple)) and not _is_tensor_meta(c.meta):
        return _with_indices(c.conv.reduce(n, [c.src], tuple(c.meta[0].shape), dims, keep))
    return c.conv.reduce(n, [c.src], c.out_shape, dims, keep)


@function("repeat", "tile")
def repeat(c: Call):
    rank, out_shape, src = c.rank, c.out_shape, c.src
    for a, ax in enumerate(src.axes):
        if ax is not None and src.sizes[a] > 1 and out_shape[ax[0] + len(out_shape) - rank] != src.shape[ax[0]]:
            raise c.fail(f"repeats spatial axis {a} (a tiling, not a layer rfgraph expresses)")
    return elementwise(c, "identity")


for _name, _op in ELEMENTWISE.items():
    function(_name, op=_op)(elementwise)
for _name in REDUCE:
    function(_name)(reduce)


def normalise_name(fname: str) -> str:
    """The table key of a function or method name: ``_operator.add`` -> ``add``,
    ``__matmul__`` -> ``matmul``, ``max_pool2d`` unchanged."""
    if fname.startswith("__"):
        return fname.strip("_")
    return fname.lstrip("_")


def bind(n, name: str, names: Sequence[str] | None = None) -> dict[str, Any]:
    """The fx node's arguments by parameter name (:data:`SIGNATURES`), extra positional
    arguments under ``"_rest"``."""
    names = SIGNATURES.get(name, ()) if names is None else names
    out: dict[str, Any] = {}
    for i, a in enumerate(n.args):
        if i < len(names):
            out[names[i]] = a
        else:
            out.setdefault("_rest", []).append(a)
    out.update(n.kwargs)
    return out
