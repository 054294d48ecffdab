"""PyTorch models to rfgraph graphs, through torch.fx.

:func:`from_torch` traces the module symbolically (``torch.fx``), runs the traced graph once on
the example input to learn every tensor's shape (``ShapeProp``), and turns every tensor that
depends on the input into a node and every op into edges from its tensor inputs, with the
op's geometry read from the module or the call's arguments. Lengths are then checked against
the shapes the model really produced.

Node names: a leaf module's output is named by its path (``layer3.2.conv2``; a second call of
the same module ``layer3.2.relu_1``), other ops by the module they run in and the fx name
(``layer3.2.add``); the output of a container module (a block, a stage, a ``Sequential``) is
named after the outermost container whose only output it is (``layer3.2``, ``layer4``), with
the leaf's path kept in the node attribute ``module``; a container with several output maps
(HRNet's stages, one per branch) names them ``container[0]``, ``container[1]``, ...

Requires torch; nothing here is imported by ``import rfgraph``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from ..core.errors import ModelImportError, RFGraphError
from .builder import (
    GraphBuilder,
    OpContext,
    TensorInfo,
    Tuple,
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
from .limits import check_example
from .torch_functions import FUNCTIONS, Call, bind, normalise_name, tuple_of

# Modules whose functions are taken at their name (others must be described with ops=...).
_TRUSTED = ("torch", "_operator", "operator", "builtins", "math", "torchvision")


def _torch():
    try:
        import torch
        import torch.fx  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise ModelImportError("importing PyTorch models needs PyTorch: pip install torch") from None
    return torch


def from_torch(module, example_input, *, ops: Mapping[str, Any] | None = None,
               leaf_modules: Iterable[Any] = (), input_name: str = "input", output: str | None = None,
               name: str | None = None, description: str | None = None,
               concrete_args: Mapping[str, Any] | None = None):
    """Convert a PyTorch module into an rfgraph :class:`~rfgraph.core.network.Network`.

    ``example_input``: a tensor ``[N, C, *spatial]`` (1, 2 or 3 spatial axes), or its shape; its spatial
    size becomes the graph's ``input_size`` and resolves every size-dependent layer (adaptive
    pooling, interpolation to a size, broadcasts).

    Options:

    - ``ops``: ``{key: edge attributes or callable}`` for ops rfgraph does not know, or to
      override one it does. The key is a module class name (``"MyBlur"``), a module path
      (``"features.3"``), a function or method name (``"my_blur"``); a module named in
      ``ops`` is kept as one layer (not traced into). The value is a dict such as
      ``{"op": "avgpool", "k": 3, "p": 1}`` or a callable taking an
      :class:`~rfgraph.importers.builder.OpContext` and returning one (or None).
    - ``leaf_modules``: module classes, class names or paths to keep as single layers.
    - ``input_name``, ``output`` (a node name for the graph attribute ``output``; default the
      model's first output), ``name``, ``description`` (graph attributes),
      ``concrete_args`` (passed to ``torch.fx``: fix arguments that steer control flow).

    Raises :class:`~rfgraph.core.errors.ModelImportError` naming the module or op at fault.
    """
    torch = _torch()
    if isinstance(example_input, (tuple, list, torch.Size)) and all(isinstance(n, int) for n in example_input):
        # a shape, the obvious intent: the model runs on PyTorch's meta device anyway
        if len(example_input) < 3:
            raise ModelImportError(f"example input shape {tuple(example_input)}: give [N, C, *spatial] "
                                   "(e.g. (1, 3, 224, 224))")
        check_example(tuple(example_input[2:]))
        example_input = torch.zeros(*example_input)
    if not isinstance(example_input, torch.Tensor):
        raise ModelImportError(f"example_input must be a tensor [N, C, *spatial] or its shape, "
                               f"got {type(example_input).__name__}")
    if example_input.dim() < 3:
        raise ModelImportError(f"example_input has shape {list(example_input.shape)}: expected [N, C, *spatial] "
                               "with 1 to 3 spatial axes")
    gm = trace(module, ops=ops, leaf_modules=leaf_modules, concrete_args=concrete_args)
    _shape_prop(gm, module, example_input)
    conv = _Converter(gm, module, example_input, ops, input_name)
    conv.run()
    outputs = conv.outputs
    if not outputs:
        raise ModelImportError(f"{type(module).__name__}: the model's output does not depend on its input")
    attrs = {"input": conv.input_node, "output": output if output is not None else outputs[0],
             "input_size": ",".join(str(n) for n in example_input.shape[2:])}
    if len(outputs) > 1:
        attrs["outputs"] = ",".join(outputs)
    attrs["description"] = description or (
        f"{type(module).__name__} imported from PyTorch {torch.__version__.split('+')[0]} by "
        f"rfgraph.importers.from_torch at input {'x'.join(str(n) for n in example_input.shape[2:])}")
    conv.b.raw.name = name or type(module).__name__
    return conv.b.finish(attrs, conv.input_node)


# -- tracing ----------------------------------------------------------------------------------
def _leaf_keys(module) -> set[str]:
    return {type(module).__name__, f"{type(module).__module__}.{type(module).__qualname__}"}


def trace(module, *, ops: Mapping[str, Any] | None = None, leaf_modules: Iterable[Any] = (),
          concrete_args: Mapping[str, Any] | None = None):
    """``torch.fx`` trace of ``module`` (a ``GraphModule``). Modules named in ``ops`` or
    ``leaf_modules`` stay single calls. When tracing fails inside a submodule that ``ops``
    describes, it is retried with that module as a leaf; otherwise the error names the
    module that could not be traced and how to describe it."""
    _torch()
    import torch.fx as fx

    classes = tuple(m for m in leaf_modules if isinstance(m, type))
    names = {str(m) for m in leaf_modules if not isinstance(m, type)}
    names |= set(ops or {})
    paths = {path: sub for path, sub in module.named_modules()}
    by_id = {id(sub): path for path, sub in paths.items()}

    class Tracer(fx.Tracer):
        def is_leaf_module(self, m, qualname):
            if qualname in names or (classes and isinstance(m, classes)) or _leaf_keys(m) & names:
                return True
            if tf_same(m):  # its forward computes the padding with Python control flow
                return True
            return super().is_leaf_module(m, qualname)

    for _attempt in range(len(paths) + 1):
        tracer = Tracer()
        try:
            graph = tracer.trace(module, concrete_args=dict(concrete_args) if concrete_args else None)
        except Exception as exc:  # tracing runs arbitrary user code
            failing = _failing_module(exc, by_id)
            if failing and failing in paths and (_leaf_keys(paths[failing]) | {failing}) & set(ops or {}):
                names.add(failing)
                continue
            raise ModelImportError(_trace_message(module, failing, paths, exc)) from exc
        return fx.GraphModule(tracer.root, graph, type(module).__name__)
    raise ModelImportError(f"{type(module).__name__}: tracing kept failing")  # pragma: no cover


def _failing_module(exc: BaseException, by_id: dict[int, str]) -> str | None:
    """The deepest submodule whose ``forward`` was running when tracing raised."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if owner is not None and id(owner) in by_id:
            found = by_id[id(owner)]
        tb = tb.tb_next
    return found


def _trace_message(module, failing: str | None, paths: dict, exc: BaseException) -> str:
    reason = " ".join(str(exc).split())[:300] or type(exc).__name__
    root = type(module).__name__
    if failing:
        cls = type(paths[failing]).__name__
        return (f"{root}: torch.fx cannot trace module {failing} ({cls}): {reason}. Describe it as one "
                f"layer with ops={{{cls!r}: {{'op': 'conv', 'k': 3, 'p': 1}}}} (its real geometry; "
                f"{{'op': 'attention'}} for a block whose attention sees every position; a callable works "
                "too), or make its forward traceable")
    return (f"{root}: torch.fx cannot trace the model: {reason}. If control flow depends on an "
            "argument, fix it with concrete_args={...}; describe untraceable submodules with ops={...} "
            "or leaf_modules=[...]")


def _shape_prop(gm, module, example_input) -> None:
    """Run the traced graph once on the example input, recording every tensor's shape and
    the values of small non-tensor results (sizes, indices) the importer may need.

    First on PyTorch's meta device, with the parameters swapped for meta tensors of the
    same shapes (no arithmetic: fast, and the model is not touched); if an op has no meta
    implementation, on the real input, in eval mode and without gradients (so batch-norm
    statistics are not updated)."""
    torch = _torch()
    from torch.fx.passes.shape_prop import ShapeProp

    class Recorder(ShapeProp):
        def run_node(self, n):
            result = super().run_node(n)
            if not isinstance(result, torch.Tensor) and _small(result):
                n.meta["rf_value"] = result
            return result

    class Runner(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return Recorder(self.inner).propagate(x)

    modes = [(m, m.training) for m in gm.modules()]
    try:
        gm.eval()
        with torch.no_grad():
            try:
                runner = Runner(gm)
                state = {k: torch.empty_like(v, device="meta")
                         for k, v in list(runner.named_parameters()) + list(runner.named_buffers())}
                torch.func.functional_call(runner, state, (example_input.to("meta"),))
                return
            except Exception:  # an op without a meta kernel, or data-dependent control flow
                for n in gm.graph.nodes:
                    n.meta.pop("tensor_meta", None)
                    n.meta.pop("rf_value", None)
            Recorder(gm).propagate(example_input)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:400]
        raise ModelImportError(f"{type(module).__name__}: running the traced model on the example input "
                               f"{list(example_input.shape)} failed: {reason}") from exc
    finally:
        for m, mode in modes:
            m.training = mode


def _small(value: Any, depth: int = 0) -> bool:
    if depth > 3:
        return False
    if isinstance(value, (int, float, bool, str, type(None), slice, type(Ellipsis))):
        return True
    if type(value).__name__ == "Size":
        return True
    if isinstance(value, (list, tuple)) and len(value) <= 16:
        return all(_small(v, depth + 1) for v in value)
    return False


# -- conversion -------------------------------------------------------------------------------
def _scope_names(graph) -> tuple[dict, dict]:
    """``{fx node: container path}`` for nodes that are the only output of a container module
    (outermost container wins), and ``{fx node: [the inner containers it is the output of]}``:
    their names are the node's aliases (``stages.3`` for ConvNeXt's ``stages``)."""
    stacks = {}
    for n in graph.nodes:
        stack = list((n.meta.get("nn_module_stack") or {}).keys())
        if n.op == "call_module" and stack:
            stack = stack[:-1]
        stacks[n] = stack
    full = {n: set((n.meta.get("nn_module_stack") or {}).keys()) for n in graph.nodes}
    exits: dict[str, list] = {}
    order: dict[str, int] = {}
    for n in graph.nodes:
        if n.op in ("placeholder", "get_attr", "output"):
            continue
        for depth, key in enumerate(stacks[n]):
            order.setdefault(key, depth)
            if any(key not in full[u] for u in n.users):
                exits.setdefault(key, []).append(n)
    alias: dict = {}
    inner: dict = {}
    for key, nodes in sorted(exits.items(), key=lambda kv: -order[kv[0]]):
        tensors = [x for x in nodes if type(x.meta.get("tensor_meta")).__name__ == "TensorMetadata"]
        if len(nodes) == 1 and tensors:
            if nodes[0] in alias:
                inner.setdefault(nodes[0], []).append(alias[nodes[0]])
            alias[nodes[0]] = key.replace("@", "_")  # outermost last: it wins
        elif len(tensors) == len(nodes) <= 16:
            # a container returning several maps (HRNet's stages return one per branch):
            # container[i], in the order the model computes them
            for i, x in enumerate(nodes):
                alias[x] = f"{key.replace('@', '_')}[{i}]"
    return alias, inner


def _base(n) -> str:
    return re.sub(r"_\d+$", "", n.name)


class _Converter(Families):
    def __init__(self, gm, module, example_input, ops, input_name) -> None:
        self.gm = gm
        self.module = module
        self.example = example_input
        self.ops = dict(ops or {})
        self.input_name = input_name
        self.ndim = example_input.dim() - 2
        self.b = GraphBuilder(self.ndim, None)
        self.env: dict = {}
        self.modules = dict(gm.named_modules())
        self.alias, self.inner = _scope_names(gm.graph)
        self.outputs: list[str] = []
        self.input_node = None

    # -- helpers ---------------------------------------------------------------------------
    def fail(self, n, message: str) -> ModelImportError:
        return ModelImportError(f"{self.gm.__class__.__name__}: node {n.name} ({self._what(n)}): {message}")

    def _what(self, n) -> str:
        if n.op == "call_module":
            return f"module {n.target}, {type(self.modules[n.target]).__name__}"
        if n.op == "call_method":
            return f"method .{n.target}()"
        return f"function {getattr(n.target, '__name__', n.target)}"

    def name_of(self, n) -> str:
        if n in self.alias:
            return self.b.unique(self.alias[n])
        if n.op == "call_module":
            return self.b.unique(n.target)
        stack = list((n.meta.get("nn_module_stack") or {}).values())
        scope = stack[-1][0] if stack else ""
        base = _base(n)
        return self.b.unique(f"{scope}.{base}" if scope else base)

    def value(self, arg):
        import torch.fx as fx

        if isinstance(arg, fx.Node):
            if arg in self.env and self.env[arg] is not None:
                return self.env[arg]
            return arg.meta.get("rf_value")
        if isinstance(arg, (list, tuple)):
            return type(arg)(self.value(a) for a in arg) if not hasattr(arg, "_fields") else arg
        if isinstance(arg, slice):
            return slice(self.value(arg.start), self.value(arg.stop), self.value(arg.step))
        if isinstance(arg, dict):
            return {k: self.value(v) for k, v in arg.items()}
        return arg

    def tensors(self, n) -> list[TensorInfo]:
        """The node's tensor arguments (in order), as TensorInfo."""
        import torch.fx as fx

        found: list[TensorInfo] = []

        def walk(a):
            if isinstance(a, fx.Node):
                v = self.env.get(a)
                if isinstance(v, TensorInfo):
                    found.append(v)
            elif isinstance(a, (list, tuple)):
                for x in a:
                    walk(x)
            elif isinstance(a, dict):
                for x in a.values():
                    walk(x)

        walk(n.args)
        walk(n.kwargs)
        return found

    def node_attrs(self, n) -> dict:
        attrs = {}
        if n.op == "call_module":
            attrs["module"] = n.target
        # the other modules whose output this map is, so that --output stages.3 finds "stages"
        others = [name for name in [*self.inner.get(n, ()), n.target if n.op == "call_module" else None]
                  if name and name != self.alias.get(n)]
        if others and n in self.alias:
            attrs["aliases"] = ",".join(dict.fromkeys(others))
        meta = n.meta.get("tensor_meta")
        if _is_tensor_meta(meta) and len(meta.shape) == self.ndim + 2:
            attrs["channels"] = int(meta.shape[1])
        return attrs

    def edge_attrs(self, n, **extra) -> dict:
        if n.op == "call_module":
            kind = type(self.modules[n.target]).__name__
        elif n.op == "call_method":
            kind = f"Tensor.{n.target}"
        else:
            kind = getattr(n.target, "__name__", str(n.target))
        attrs = {"type": kind}
        if n.op == "call_module":
            attrs["module"] = n.target
        attrs.update({k: v for k, v in extra.items() if v is not None})
        return attrs

    # -- the pass --------------------------------------------------------------------------
    def run(self) -> None:
        placeholders = 0
        for n in self.gm.graph.nodes:
            meta = n.meta.get("tensor_meta")
            if n.op == "placeholder":
                if placeholders == 0:
                    info = self.b.input(self.input_name, tuple(meta.shape))
                    self.input_node = info.node
                    self.env[n] = info
                else:
                    self.env[n] = constant(tuple(meta.shape), self.ndim) if _is_tensor_meta(meta) else None
                placeholders += 1
            elif n.op == "get_attr":
                self.env[n] = constant(tuple(meta.shape), self.ndim) if _is_tensor_meta(meta) else None
            elif n.op == "output":
                self._outputs(n.args[0])
            else:
                self.env[n] = self.convert(n, meta)

    def _outputs(self, structure) -> None:
        import torch.fx as fx

        if isinstance(structure, fx.Node):
            v = self.env.get(structure)
            if isinstance(v, TensorInfo) and not v.constant and v.node not in self.outputs:
                self.outputs.append(v.node)
        elif isinstance(structure, (list, tuple)):
            for s in structure:
                self._outputs(s)
        elif isinstance(structure, dict):
            for s in structure.values():
                self._outputs(s)

    def convert(self, n, meta):
        srcs = self.tensors(n)
        # getitem on a tuple of tensors made by an op we converted
        if n.op == "call_function" and n.target is operator.getitem:
            holder = self.env.get(n.args[0])
            if isinstance(holder, Tuple):
                index = self.value(n.args[1])
                return holder.item(int(index), self.name_of(n)) if isinstance(index, int) else None
        is_tuple = isinstance(meta, (list, tuple)) and not _is_tensor_meta(meta)
        if not is_tuple and not _is_tensor_meta(meta):
            return None  # sizes, shapes, numbers: not feature maps
        if not any(not s.constant for s in srcs):
            return constant(tuple(meta.shape), self.ndim) if not is_tuple else None
        out_shape = tuple(meta.shape) if not is_tuple else None
        fname, keys = self._keys(n)
        key, rule = find_override(self.ops, keys)
        if rule is not None:
            name = self.name_of(n)
            target = self.modules[n.target] if n.op == "call_module" else n.target
            ctx = OpContext(name, key, target, [s.shape for s in srcs], out_shape)
            result = apply_override(self.b, rule, ctx, srcs, out_shape or srcs[0].shape, self.node_attrs(n))
            if result is not None:
                return result
        try:
            if n.op == "call_module":
                return self.module_op(n, self.modules[n.target], srcs, out_shape, meta)
            return self.function_op(n, fname, srcs, out_shape, meta)
        except RFGraphError:
            raise
        except Exception as exc:  # arguments in a form no handler expected: name the call, never a traceback
            raise self.fail(n, unforeseen(exc, fname, "this call")) from exc

    def _keys(self, n) -> tuple[str, list[str]]:
        if n.op == "call_module":
            m = self.modules[n.target]
            return type(m).__name__, [n.target, type(m).__name__,
                                      f"{type(m).__module__}.{type(m).__qualname__}"]
        if n.op == "call_method":
            return n.target, [n.name, n.target]
        fn = n.target
        fname = getattr(fn, "__name__", str(fn))
        module = getattr(fn, "__module__", None) or ""
        return fname, [n.name, fname, f"{module}.{fname}"]

    # -- modules ---------------------------------------------------------------------------
    def module_op(self, n, m, srcs, out_shape, meta):
        import torch.nn as nn

        cls = type(m).__name__
        src = srcs[0]
        if tf_same(m) and getattr(m, "same_pad", True):  # timm's StdConv2dSame pads statically when it can
            return self.tf_same(n, m, src, out_shape, meta)
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            nd = len(m.kernel_size)
            return self.conv(n, src, out_shape, nd, m.kernel_size, m.stride, m.dilation, m.padding,
                             m.padding_mode, m.groups, m.in_channels)
        if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            nd = len(m.kernel_size)
            return self.conv_transpose(n, src, out_shape, nd, m.kernel_size, m.stride, m.dilation, tuple_of(m.padding, nd),
                                       m.groups)
        if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            nd = int(cls[-2])
            result = self.tpool(n, src, "maxpool", nd, m.kernel_size, m.stride, m.padding, m.dilation,
                               m.ceil_mode, tuple(meta[0].shape) if m.return_indices else out_shape)
            return self._with_indices(result) if m.return_indices else result
        if isinstance(m, (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)):
            nd = int(cls[-2])
            return self.tpool(n, src, "avgpool", nd, m.kernel_size, m.stride, m.padding, 1, m.ceil_mode, out_shape)
        if isinstance(m, (nn.LPPool1d, nn.LPPool2d)) or cls == "LPPool3d":
            nd = int(cls[-2])
            return self.tpool(n, src, "lppool", nd, m.kernel_size, m.stride, 0, 1, m.ceil_mode, out_shape)
        if cls.startswith("AdaptiveAvgPool") or cls.startswith("AdaptiveMaxPool"):
            pool = "avgpool" if "Avg" in cls else "maxpool"
            shape = tuple(meta[0].shape) if getattr(m, "return_indices", False) else out_shape
            result = self.adaptive(n, src, int(cls[-2]), pool, shape)
            return self._with_indices(result) if getattr(m, "return_indices", False) else result
        if isinstance(m, nn.Upsample):
            mode = m.mode
            return self.interpolate(n, src, out_shape, mode, m.align_corners, m.scale_factor, m.size,
                                    m.recompute_scale_factor)
        if cls in ("ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
                   "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
                   "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"):
            mode = ("reflect" if cls.startswith("Reflection") else "replicate" if cls.startswith("Replication")
                    else "circular" if cls.startswith("Circular") else "constant")
            return self.pad(n, src, out_shape, m.padding, mode)  # (left, right, top, bottom, ...)
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)) or \
                cls in ("FrozenBatchNorm2d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d"):
            return self.elementwise(n, srcs, out_shape, "bn")
        if isinstance(m, nn.LayerNorm):
            dims = list(range(len(src.shape) - len(m.normalized_shape), len(src.shape)))
            return self.whole_along(n, src, out_shape, dims, keep="groupnorm")
        if isinstance(m, nn.GroupNorm):
            return self.whole_along(n, src, out_shape, list(range(2, len(src.shape))), keep="groupnorm")
        if cls.startswith("InstanceNorm") or cls.startswith("LazyInstanceNorm"):
            if m.track_running_stats:
                return self.elementwise(n, srcs, out_shape, "bn")
            return self.whole_along(n, src, out_shape, list(range(2, len(src.shape))), keep="instancenorm")
        if isinstance(m, (nn.Softmax, nn.LogSoftmax, nn.Softmin)):
            dim = m.dim if m.dim is not None else (0 if len(src.shape) in (0, 1, 3) else 1)
            return self.whole_along(n, src, out_shape, [norm_dim(dim, len(src.shape))], keep="attention")
        if isinstance(m, nn.Softmax2d):
            return self.whole_along(n, src, out_shape, [len(src.shape) - 3], keep="attention")
        if isinstance(m, (nn.Linear, nn.LazyLinear)):
            return self.contract_last(n, src, out_shape)
        if isinstance(m, nn.Bilinear):
            return self.b.whole(srcs, self.name_of(n), out_shape, "fc", attrs=self.edge_attrs(n),
                                node_attrs=self.node_attrs(n))
        if isinstance(m, (nn.Flatten, nn.Unflatten)):
            return self.reshape(n, src, out_shape)
        if isinstance(m, nn.PixelShuffle):
            return self.pixel_shuffle(n, src, out_shape, m.upscale_factor)
        if isinstance(m, nn.PixelUnshuffle):
            return self.pixel_unshuffle(n, src, out_shape, m.downscale_factor)
        if cls == "Permute" and hasattr(m, "dims"):  # torchvision.ops.misc.Permute
            return self.identity(n, src, out_shape, permute_axes(src, m.dims), "identity", permute_lead(src, m.dims))
        if cls == "GLU":
            return self.glu(n, src, out_shape, m.dim)
        simple = {
            "ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "RReLU": "leaky_relu",
            "ELU": "elu", "CELU": "elu", "SELU": "selu", "GELU": "gelu", "SiLU": "silu", "Mish": "mish",
            "Hardswish": "hardswish", "Hardsigmoid": "hardsigmoid", "Hardtanh": "relu6", "Sigmoid": "sigmoid",
            "Tanh": "tanh", "Softplus": "softplus", "Softsign": "identity", "Tanhshrink": "identity",
            "Threshold": "relu", "LogSigmoid": "sigmoid", "Hardshrink": "identity", "Softshrink": "identity",
            "Dropout": "dropout", "Dropout1d": "dropout", "Dropout2d": "dropout", "Dropout3d": "dropout",
            "AlphaDropout": "dropout", "FeatureAlphaDropout": "dropout", "StochasticDepth": "dropout",
            "Identity": "identity", "ChannelShuffle": "channel_shuffle", "LocalResponseNorm": "identity",
            "CrossMapLRN2d": "identity",
        }
        if cls in simple:
            return self.elementwise(n, srcs, out_shape, simple[cls])
        raise self.fail(n, f"rfgraph does not know module type {cls}: describe it with "
                           f"ops={{{cls!r}: {{'op': ..., 'k': ..., 's': ..., 'p': ...}}}}")

    def _with_indices(self, result: TensorInfo) -> Tuple:
        return Tuple(lambda i, name: result, 2)

    # -- functions and methods -------------------------------------------------------------
    def function_op(self, n, fname, srcs, out_shape, meta):
        """A function or method call, through the table :data:`~.torch_functions.FUNCTIONS`."""
        module = getattr(n.target, "__module__", None) or ""
        if n.op == "call_function" and module and not module.startswith(_TRUSTED):
            raise self.fail(n, f"rfgraph does not know function {module}.{fname}: describe it with "
                               f"ops={{{fname!r}: {{'op': ..., 'k': ...}}}}")
        name = normalise_name(fname)
        handler = FUNCTIONS.get(name)
        if handler is None:
            raise self.fail(n, f"rfgraph does not know {self._what(n)}: describe it with "
                               f"ops={{{fname!r}: {{'op': ..., ...}}}}")
        return handler(Call(self, n, name, fname, bind(n, name), srcs, out_shape, meta))

    def tf_same(self, n, m, src, out_shape, meta):
        """timm's Conv2dSame, ScaledStdConv2dSame, MaxPool2dSame, AvgPool2dSame: TensorFlow 'same'
        padding (odd pixel right/bottom) computed from the input's size at run time, then the
        layer with its own k, s, d."""
        import torch.nn as nn

        nd = len(src.shape) - 2
        k = tuple_of(m.kernel_size, nd)
        s = tuple_of(m.stride if m.stride is not None else m.kernel_size, nd)
        d = tuple_of(getattr(m, "dilation", 1), nd)
        pads = []
        for i in range(nd):
            length = src.shape[2 + i]
            keff = d[i] * (k[i] - 1) + 1
            total = max((-(-length // s[i]) - 1) * s[i] + keff - length, 0)
            pads.append((total // 2, total - total // 2))  # the module's own padding is 0 here
        if isinstance(m, nn.Conv2d):
            return self.conv_window(n, src, out_shape, nd, k, s, d, pads, "zeros", m.groups, m.in_channels)
        op = "maxpool" if isinstance(m, nn.MaxPool2d) else "avgpool"
        return self.pool(n, src, op, nd, k, s, pads, d, bool(getattr(m, "ceil_mode", False)), out_shape)

    def tpool(self, n, src, op, nd, k, s, p, d, ceil_mode, out_shape):
        """A pool with PyTorch's arguments (stride None: the kernel size)."""
        k = tuple_of(k, nd)
        s = k if s is None or (isinstance(s, (list, tuple)) and len(s) == 0) else tuple_of(s, nd)
        pads = [(q, q) for q in tuple_of(p, nd)]
        return self.pool(n, src, op, nd, k, s, pads, tuple_of(d, nd), ceil_mode, out_shape)

    def conv(self, n, src, out_shape, nd, k, s, d, padding, padding_mode, groups, in_channels):
        """A convolution with PyTorch's padding argument (int, tuple, 'same', 'valid')."""
        k, s, d = tuple_of(k, nd), tuple_of(s, nd), tuple_of(d, nd)
        if isinstance(padding, str):
            if padding == "valid":
                pads = [(0, 0)] * nd
            elif padding == "same":
                pads = []
                for kk, dd in zip(k, d):
                    total = dd * (kk - 1)
                    pads.append((total // 2, total - total // 2))
            else:
                raise self.fail(n, f"padding={padding!r}")
        else:
            pads = [(p, p) for p in tuple_of(padding, nd)]
        return self.conv_window(n, src, out_shape, nd, k, s, d, pads, padding_mode, groups, in_channels)

    def interpolate(self, n, src, out_shape, mode, align_corners, scale_factor, size, recompute):
        rank = len(src.shape)
        nd = rank - 2
        dims = self._spatial_dims(src, nd)
        roles = self._dim_roles(n, src, dims)
        if any(r[0] == "trivial" and src.axes[a] is not None for a, r in enumerate(roles)):
            raise self.fail(n, "interpolates tensor dimensions that are not the spatial axes")
        if mode in ("bicubic",):
            if not src.spatial:
                return self.elementwise(n, [src], out_shape, "identity")
            raise self.fail(n, "bicubic interpolation reads 4 pixels per axis with clamping: not a layer "
                               "rfgraph expresses (use nearest or bilinear, or ops={...})")
        factors = None
        if scale_factor is not None and not recompute:
            factors = _tuple_float(scale_factor, nd)

        def truth(a, n_in, m):
            j = roles[a][1]
            scale = Fraction(n_in, m)
            if factors is not None:
                f = Fraction(factors[j]).limit_denominator(1 << 20)
                scale = 1 / f
            if mode == "nearest":
                return [true_taps("nearest", n_in, m, t, scale=scale, transform="asymmetric") for t in range(m)]
            if mode == "nearest-exact":
                return [true_taps("nearest", n_in, m, t, scale=scale, transform="tf_half_pixel_for_nn")
                        for t in range(m)]
            if mode == "area":
                return [true_taps("area", n_in, m, t, scale=scale) for t in range(m)]
            transform = "align_corners" if align_corners else "half_pixel"
            return [true_taps("linear", n_in, m, t, scale=scale, transform=transform) for t in range(m)]

        attrs = self.edge_attrs(n, interpolation=mode, align_corners="true" if align_corners else None)
        return emit_resample(self.b, src, self.name_of(n), out_shape, truth, f"{mode} interpolation",
                             attrs=attrs, node_attrs=self.node_attrs(n), fail=lambda m: self.fail(n, m))


def tf_same(m) -> bool:
    """A module computing TensorFlow 'same' padding at run time: timm's ``*Same`` layers
    (Conv2dSame, ScaledStdConv2dSame, StdConv2dSame, MaxPool2dSame, AvgPool2dSame)."""
    import torch.nn as nn

    return type(m).__name__.endswith("Same") and isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d))


def _tuple_float(value: Any, n: int) -> tuple[float, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(float(v) for v in value) if len(value) == n else (float(value[0]),) * n
    return (float(value),) * n


def _is_tensor_meta(meta: Any) -> bool:
    return type(meta).__name__ == "TensorMetadata"


def _is_node_tensor(arg: Any) -> bool:
    return hasattr(arg, "meta") and _is_tensor_meta(arg.meta.get("tensor_meta"))
