"""The PyTorch importer against the modules themselves.

Every test module is imported with :func:`rfgraph.importers.from_torch`, then the SAME module,
made linear with non-negative coefficients (weights 1, bias 0, batch norm an identity, max
pooling a window sum of the same geometry, activations removed; float64, all-ones input),
is differentiated position by position: the support of the gradient of every output feature
must equal rfgraph's exact set (``regions(...).exact_set``) and its hull ``lo``/``hi``. The
feature-map sizes of the imported graph are compared with the tensors the module produces.
Skipped without torch.
"""

from __future__ import annotations

import copy
import math
import operator

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import rfgraph  # noqa: E402
from rfgraph.core.errors import ModelImportError  # noqa: E402
from rfgraph.importers import from_torch  # noqa: E402
from rfgraph import exact_regions as regions  # noqa: E402
from rfgraph.passes.shapes import infer_shapes  # noqa: E402


# -- making a module linear -------------------------------------------------------------------
class WindowSum(nn.Module):
    """Max pooling's geometry with a sum: a depthwise convolution of ones (dilation and
    ceil_mode included)."""

    def __init__(self, pool: nn.Module) -> None:
        super().__init__()
        self.pool = pool

    def forward(self, x):
        p = self.pool
        nd = x.dim() - 2
        k = _nt(p.kernel_size, nd)
        s = _nt(p.stride if p.stride is not None else p.kernel_size, nd)
        pad = _nt(p.padding, nd)
        d = _nt(getattr(p, "dilation", 1), nd)
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
        c = x.shape[1]
        w = torch.ones((c, 1, *k), dtype=x.dtype)
        if p.ceil_mode:
            out = [(n + 2 * q - (dd * (kk - 1) + 1) + ss - 1) // ss + 1
                   for n, q, kk, ss, dd in zip(x.shape[2:], pad, k, s, d)]
            out = [o - 1 if (o - 1) * ss >= n + q else o for o, n, q, ss in zip(out, x.shape[2:], pad, s)]
            extra = [max((o - 1) * ss + dd * (kk - 1) + 1 - (n + 2 * q), 0)
                     for o, n, q, kk, ss, dd in zip(out, x.shape[2:], pad, k, s, d)]
            flat = []
            for q, e in reversed(list(zip(pad, extra))):
                flat += [q, q + e]
            return conv(F.pad(x, flat), w, stride=s, dilation=d, groups=c)
        return conv(x, w, stride=s, padding=pad, dilation=d, groups=c)


def _nt(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


_SPATIAL = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.MaxPool1d, nn.MaxPool2d,
            nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d,
            nn.AdaptiveMaxPool2d, nn.Upsample, nn.ZeroPad2d, nn.ConstantPad2d, nn.ReflectionPad2d,
            nn.ReplicationPad2d, nn.BatchNorm2d, nn.PixelShuffle, nn.PixelUnshuffle)
_ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Hardswish, nn.Sigmoid, nn.Tanh,
                nn.Hardsigmoid, nn.ELU, nn.Mish, nn.Dropout, nn.Dropout2d, nn.LayerNorm)


def linearized(module: nn.Module) -> nn.Module:
    m = copy.deepcopy(module)
    if hasattr(m, "lin"):
        m.lin = True
    for sub in m.modules():
        if hasattr(sub, "lin"):
            sub.lin = True
    for name, child in list(m.named_modules()):
        parent, _, leaf = name.rpartition(".")
        owner = m.get_submodule(parent) if parent else m
        if not leaf:
            continue
        if isinstance(child, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            setattr(owner, leaf, WindowSum(child))
        elif isinstance(child, nn.AdaptiveMaxPool2d):
            setattr(owner, leaf, nn.AdaptiveAvgPool2d(child.output_size))
        elif isinstance(child, nn.AdaptiveMaxPool1d):
            setattr(owner, leaf, nn.AdaptiveAvgPool1d(child.output_size))
        elif isinstance(child, _ACTIVATIONS):
            setattr(owner, leaf, nn.Identity())
    m = m.double().eval()
    with torch.no_grad():
        for sub in m.modules():
            if isinstance(sub, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
                                nn.Linear)):
                sub.weight.fill_(1)
                if sub.bias is not None:
                    sub.bias.zero_()
            elif isinstance(sub, (nn.BatchNorm1d, nn.BatchNorm2d)):
                sub.weight.fill_(1)
                sub.bias.zero_()
                sub.running_mean.zero_()
                sub.running_var.fill_(1)
            elif isinstance(sub, nn.Parameter):
                pass
        for name, p in m.named_parameters(recurse=False):
            p.fill_(1)
    return m


def gradient_support(module, shape, pick=None) -> dict:
    """{output position: boolean input mask} from autograd on the linearized module."""
    m = linearized(module)
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    y = m(x)
    if pick is not None:
        y = pick(y)
    ndim = len(shape) - 2
    found = {}
    if y.dim() != ndim + 2:  # not a spatial map: one "position"
        (g,) = torch.autograd.grad(y.sum(), x)
        found[(0,) * ndim] = (g[0].abs().sum(0) != 0).numpy()
        return found
    for pos in np.ndindex(*y.shape[2:]):
        (g,) = torch.autograd.grad(y[(0, slice(None), *pos)].sum(), x, retain_graph=True)
        found[pos] = (g[0].abs().sum(0) != 0).numpy()
    return found


def check(module, shape, output=None, pick=None, **options):
    """Import ``module`` and compare every output position with autograd; return the net."""
    net = from_torch(module, torch.ones(shape), **options)
    r = regions(net, tuple(shape[2:]), output=output)
    support = gradient_support(module, shape, pick)
    assert len(support) == int(np.prod(r.output_size)), (r.output_size, len(support))
    for pos, grad in support.items():
        exact = r.exact_set(pos)
        assert np.array_equal(grad, exact), (pos, np.argwhere(grad ^ exact)[:5])
        item = r.at(pos)
        if grad.any():
            idx = np.argwhere(grad)
            assert item["lo"] == list(idx.min(axis=0)) and item["hi"] == list(idx.max(axis=0)), (pos, item)
        else:
            assert item["lo"] is None
    check_sizes(module, net, shape)
    return net


def check_sizes(module, net, shape) -> None:
    """Every convolution's, pool's, pad's and resampler's output (node attribute ``module``)
    has the size the module gives (these are channels-first by definition)."""
    seen: dict[str, tuple] = {}
    hooks = []
    def hook(path):
        def record(m, i, o):
            seen.setdefault(path, tuple(o.shape) if torch.is_tensor(o) else None)
        return record

    for path, sub in module.named_modules():
        if path and isinstance(sub, _SPATIAL):
            hooks.append(sub.register_forward_hook(hook(path)))
    with torch.no_grad():
        module.eval()(torch.ones(shape))
    for h in hooks:
        h.remove()
    sizes = infer_shapes(net).sizes
    ndim = len(shape) - 2
    for name, attrs in zip(net.nodes, net.node_attrs):
        path = attrs.get("module")
        if path in seen and seen[path] is not None and len(seen[path]) == ndim + 2 and not str(name).endswith(
                tuple(f"_{i}" for i in range(1, 9))):
            assert tuple(sizes[name]) == seen[path][2:], (name, sizes[name], seen[path])


# -- modules ----------------------------------------------------------------------------------
class Convs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(2, 3, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.act = nn.ReLU()
        self.b = nn.Conv2d(3, 3, (3, 5), dilation=(1, 2), padding=(1, 3))
        self.c = nn.Conv2d(3, 3, 4, padding="same")
        self.d = nn.Conv2d(3, 4, 3, padding="valid", bias=False)
        self.dw = nn.Conv2d(4, 4, 3, groups=4, padding=1, stride=(1, 2))

    def forward(self, x):
        return self.dw(self.d(self.c(self.b(self.act(self.bn(self.a(x)))))))


class PadModes(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.a = nn.Conv2d(1, 2, 3, padding=2, padding_mode=mode)
        self.b = nn.Conv2d(2, 1, (1, 3), padding=(0, 1), padding_mode=mode, stride=2)

    def forward(self, x):
        return self.b(self.a(x))


class Transposed(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.ConvTranspose2d(1, 2, 3, stride=2, padding=1, output_padding=1)
        self.b = nn.ConvTranspose2d(2, 2, (2, 3), stride=(2, 3), dilation=2)
        self.c = nn.ConvTranspose2d(2, 1, 4, stride=2, padding=1)

    def forward(self, x):
        y = self.b(self.a(x))
        return self.c(y, output_size=[2 * y.shape[2] + 1, 2 * y.shape[3]])


class Pools(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.b = nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False)
        self.c = nn.MaxPool2d(2, stride=1, dilation=2)
        self.d = nn.AvgPool2d((1, 3), stride=(1, 2), padding=(0, 1))

    def forward(self, x):
        return self.d(self.c(self.b(self.a(x))))


class Adaptive(nn.Module):
    def __init__(self, size, kind="avg"):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(size) if kind == "avg" else nn.AdaptiveMaxPool2d(size)

    def forward(self, x):
        return self.pool(self.conv(x))


class Interp(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, stride=2, padding=1)
        self.kw = kw

    def forward(self, x):
        y = self.conv(x)
        kw = dict(self.kw)
        if "size" in kw and callable(kw["size"]):
            kw["size"] = kw["size"](y.shape[2], y.shape[3])
        return F.interpolate(y, **kw)


class Elementwise(nn.Module):
    """ConvNeXt-style channels-last block: permute, LayerNorm and Linear over channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 7, padding=3, groups=2)
        self.norm = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 4)
        self.acts = nn.Sequential(nn.GELU(), nn.SiLU(), nn.Hardswish(), nn.LeakyReLU(), nn.Dropout(0.2),
                                  nn.Identity(), nn.ReLU6())

    def forward(self, x):
        y = self.conv(x).permute(0, 2, 3, 1)
        y = self.fc(self.norm(y)).permute(0, 3, 1, 2)
        return self.acts(y) + x.mean(1, keepdim=True)


class Pads(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.ZeroPad2d((1, 2, 0, 3))
        self.b = nn.ConstantPad2d(1, 0.5)
        self.c = nn.ReflectionPad2d((2, 1, 1, 0))
        self.d = nn.ReplicationPad2d(1)
        self.e = nn.CircularPad2d((1, 0, 0, 2))
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        y = self.e(self.d(self.c(self.b(self.a(x)))))
        return self.conv(F.pad(y, (-1, 2, 1, -2)))


class Merges(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 2, 3, padding=1)
        self.b = nn.Conv2d(1, 2, 1)
        self.c = nn.Conv2d(2, 2, 3, padding=1, stride=2)
        self.se = nn.Conv2d(2, 2, 1)
        self.gate = nn.Sigmoid()  # a module, so the linear copy drops it (a saturated sigmoid has no gradient)

    def forward(self, x):
        a, b = self.a(x), self.b(x)
        y = a + b
        y = torch.add(y, a)
        y += b
        z = torch.cat([y, a * b], dim=1)[:, :2]
        w = torch.cat([self.c(z), self.c(y)], dim=3)  # side by side: a spatial concatenation
        gate = self.gate(self.se(F.adaptive_avg_pool2d(w, 1)))
        return w * gate + w


class Slicing(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)[:, :, 1:-2, ::2]
        top, bottom = torch.chunk(y, 2, dim=2)
        left = torch.narrow(y, 3, 1, 3)
        parts = torch.split(y, [2, y.shape[3] - 2], dim=3)
        rows = bottom.shape[2]
        return torch.cat([top[:, :, :rows] + bottom, left[..., :rows, :2], parts[0][:, :, 1:rows + 1]], 3)


class Whole(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, stride=2)
        self.fc = nn.Linear(3 * 4 * 5, 2)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1)) + self.conv(x).mean((2, 3))[:, :2]


class Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(3, 1, 3, 3))
        self.lin = False

    def forward(self, x):
        y = F.conv2d(x, self.w, stride=2, padding=1)
        y = F.avg_pool2d(y, 3, 2, 1) if self.lin else F.max_pool2d(y, 3, 2, 1)
        y = y if self.lin else F.relu(y)
        return F.adaptive_avg_pool2d(y, (2, 2))


class Shuffles(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.up = nn.PixelShuffle(2)
        self.down = nn.PixelUnshuffle(3)

    def forward(self, x):
        return self.down(torch.roll(self.up(self.conv(x)), shifts=(2, -1), dims=(2, 3)))


class OneD(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv1d(1, 2, 3, stride=2, padding=2, dilation=2)
        self.pool = nn.MaxPool1d(3, 2, ceil_mode=True)
        self.t = nn.ConvTranspose1d(2, 2, 4, stride=2, padding=1)
        self.up = nn.Upsample(scale_factor=3, mode="linear")
        self.ad = nn.AdaptiveAvgPool1d(5)

    def forward(self, x):
        y = self.t(self.pool(self.a(x)))
        return self.ad(F.pad(self.up(y), (2, 1), mode="reflect"))


# -- tests ------------------------------------------------------------------------------------
def test_convolutions_2d():
    net = check(Convs(), (1, 2, 11, 13))
    assert net.graph_attrs["input_size"] == "11,13"
    edge = {net.nodes[e.dst]: e for e in net.edges}
    assert edge["b"].layer.p_l == (1, 3) and edge["b"].layer.d == (1, 2)
    assert edge["c"].layer.p_l == (1, 1) and edge["c"].layer.p_r == (2, 2)  # same, even kernel
    assert edge["dw"].layer.op == "dwconv"
    assert edge["a"].attrs["type"] == "Conv2d" and net.node_attrs[net.index["a"]]["module"] == "a"


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes(mode):
    net = check(PadModes(mode), (1, 1, 7, 8))
    assert {e.layer.pad_mode for e in net.edges} == {mode}


def test_transposed_convolutions_with_output_padding_and_size():
    net = check(Transposed(), (1, 1, 3, 3))
    layers = {net.nodes[e.dst]: e.layer for e in net.edges}
    assert layers["a"].p_l == (1, 1) and layers["a"].p_r == (0, 0)  # output_padding 1


def test_pools_ceil_mode_and_dilation():
    check(Pools(), (1, 1, 12, 15))


@pytest.mark.parametrize("size,shape,kind", [((3, 4), (12, 12), "avg"), ((5, 3), (7, 11), "avg"),
                                             ((3, 3), (8, 10), "max"), (1, (7, 9), "avg"), ((4, 1), (6, 6), "avg")])
def test_adaptive_pooling(size, shape, kind):
    net = check(Adaptive(size, kind), (1, 1, *shape))
    if size == 1:
        assert rfgraph.analyze(net).axes[0].whole_input is not None


@pytest.mark.parametrize("kw", [
    {"scale_factor": 2}, {"scale_factor": (2, 3), "mode": "bilinear"},
    {"size": lambda h, w: (2 * h, 3 * w), "mode": "bilinear"}, {"scale_factor": 3, "mode": "nearest-exact"},
    {"size": lambda h, w: (2 * h - 1, 3 * w - 2), "mode": "bilinear", "align_corners": True},
    {"scale_factor": 2, "mode": "area"}, {"scale_factor": 0.5}, {"scale_factor": 0.5, "mode": "bilinear"},
    {"size": lambda h, w: (h // 3, w), "mode": "bilinear"},
])
def test_interpolation(kw):
    check(Interp(**kw), (1, 1, 12, 12))


def test_interpolation_that_no_op_expresses_is_a_clear_error():
    with pytest.raises(ModelImportError, match="bicubic"):
        from_torch(Interp(scale_factor=2, mode="bicubic"), torch.ones(1, 1, 8, 8))
    with pytest.raises(ModelImportError, match="no rfgraph op"):
        from_torch(Interp(scale_factor=1.5, mode="bilinear"), torch.ones(1, 1, 8, 8))


def test_elementwise_channels_last_block():
    net = check(Elementwise(), (1, 2, 9, 8))
    assert rfgraph.analyze(net).rf == (7, 7)


def test_padding_modules_and_negative_f_pad():
    check(Pads(), (1, 1, 6, 7))


def test_merges_broadcast_and_spatial_concatenation():
    net = check(Merges(), (1, 1, 8, 8))
    assert any(e.attrs.get("broadcast") == "true" for e in net.edges)


def test_spatial_slicing_chunk_narrow_split():
    check(Slicing(), (1, 1, 12, 14))


def test_whole_input_layers():
    net = check(Whole(), (1, 1, 9, 11))
    ops = {e.layer.op for e in net.edges}
    assert {"fc", "global_pool"} <= ops
    assert rfgraph.analyze(net).axes[0].whole_input is not None


def test_functional_forms():
    check(Functional(), (1, 1, 13, 11))


def test_pixel_shuffle_and_roll():
    check(Shuffles(), (1, 1, 6, 9))


def test_one_dimensional_network():
    net = check(OneD(), (1, 1, 23))
    assert net.ndim == 1


def test_integer_index_collapses_an_axis():
    class Row(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3, padding=1)

        def forward(self, x):
            return self.conv(x)[:, :, 2]

    net = from_torch(Row(), torch.ones(1, 1, 6, 7))
    r = regions(net, (6, 7))
    assert r.output_size == (1, 7)
    assert r.at((0, 3))["lo"] == [1, 2] and r.at((0, 3))["hi"] == [3, 4]


def test_three_d_sizes():
    m = nn.Sequential(nn.Conv3d(1, 2, 3, stride=(1, 2, 2), padding=1), nn.MaxPool3d(2),
                      nn.Upsample(scale_factor=2, mode="trilinear"))
    check(m, (1, 1, 6, 8, 8))


def test_container_outputs_are_named_after_the_container():
    block = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())
    m = nn.Sequential(block, nn.Sequential(nn.Conv2d(2, 2, 3), nn.ReLU()))
    net = from_torch(m, torch.ones(1, 1, 8, 8))
    # the first block's output is named after the block, the last one's after the outermost
    # container whose only output it is (the model itself is not a container name)
    assert "0" in net.index and "1" in net.index
    assert net.node_attrs[net.index["0"]]["module"] == "0.1"
    assert net.graph_attrs["output"] == "1"


def test_repeated_module_calls_get_distinct_names():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3, padding=1)

        def forward(self, x):
            return self.conv(self.conv(x))

    net = from_torch(Twice(), torch.ones(1, 1, 5, 5))
    assert {"conv", "conv_1"} <= set(net.nodes)


def test_graph_saves_and_loads(tmp_path):
    net = from_torch(Merges(), torch.ones(1, 1, 8, 8))
    for suffix in (".dot", ".graphml"):
        path = rfgraph.save(net, tmp_path / f"m{suffix}")
        again = rfgraph.load(path)
        a, b = rfgraph.analyze(again).to_dict(), rfgraph.analyze(net).to_dict()
        a.pop("file", None)
        b.pop("file", None)
        assert a == b
        assert again.input_size == (8, 8)


# -- unknown ops, overrides, tracing failures ----------------------------------------------
def my_blur(x):
    return F.avg_pool2d(x, 3, 1, 1)


torch.fx.wrap("my_blur")


class UsesBlur(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, stride=2)

    def forward(self, x):
        return self.conv(my_blur(x))


class MyBlur(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # control flow on values: torch.fx cannot trace this
            return F.avg_pool2d(x, 3, 1, 1)
        return x


class UsesModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.blur = MyBlur()
        self.conv = nn.Conv2d(1, 1, 3, stride=2)

    def forward(self, x):
        return self.conv(self.blur(x))


def test_unknown_function_is_an_error_naming_it():
    with pytest.raises(ModelImportError, match="my_blur"):
        from_torch(UsesBlur(), torch.ones(1, 1, 9, 9))


def test_override_a_function():
    net = check(UsesBlur(), (1, 1, 9, 9), ops={"my_blur": {"op": "avgpool", "k": 3, "p": 1}})
    assert rfgraph.analyze(net).rf == (5, 5)


def test_untraceable_module_is_named_and_an_override_makes_it_a_leaf():
    with pytest.raises(ModelImportError, match=r"blur \(MyBlur\)"):
        from_torch(UsesModule(), torch.ones(1, 1, 9, 9))
    net = check(UsesModule(), (1, 1, 9, 9), ops={"MyBlur": {"op": "avgpool", "k": 3, "p": 1}})
    assert net.edges[0].attrs["op"] == "avgpool"
    # a callable override sees the module and the shapes
    seen = []

    def rule(ctx):
        seen.append((ctx.key, type(ctx.target).__name__, ctx.input_shapes[0], ctx.output_shape))
        return {"op": "avgpool", "k": 3, "p": 1}

    from_torch(UsesModule(), torch.ones(1, 1, 9, 9), ops={"blur": rule})
    assert seen == [("blur", "MyBlur", (1, 1, 9, 9), (1, 1, 9, 9))]


def test_bad_override_and_unsupported_ops():
    with pytest.raises(ModelImportError, match="does not know"):
        from_torch(UsesBlur(), torch.ones(1, 1, 9, 9), ops={"my_blur": {"op": "blurry"}})

    class Flip(nn.Module):
        def forward(self, x):
            return torch.flip(x, (3,))

    with pytest.raises(ModelImportError, match="flip"):
        from_torch(Flip(), torch.ones(1, 1, 5, 5))
    with pytest.raises(ModelImportError, match="example_input"):
        from_torch(Flip(), torch.ones(5, 5))


def test_a_wrong_override_is_caught_by_the_size_check():
    with pytest.raises(ModelImportError, match="9x9"):
        from_torch(UsesBlur(), torch.ones(1, 1, 9, 9), ops={"my_blur": {"op": "avgpool", "k": 3}})


def test_the_model_is_left_as_it_was():
    m = Convs().train()
    before = m.bn.running_mean.clone()
    from_torch(m, torch.ones(1, 2, 11, 13))
    assert m.training and torch.equal(m.bn.running_mean, before)


def test_operator_and_method_forms_are_known():
    class Forms(nn.Module):
        def forward(self, x):
            y = operator.add(x, x).relu().sigmoid()
            return y.view(y.shape[0], -1).unsqueeze(-1).reshape(x.shape) * 2

    net = check(Forms(), (1, 1, 4, 5))
    assert rfgraph.analyze(net).rf == (1, 1)


# -- argument forms: lists, tuples, varargs ---------------------------------------------------
class PermuteForms(nn.Module):
    """Every way of writing a permutation and a list of dimensions (torchvision's ConvNeXt
    uses torch.permute(x, [0, 2, 3, 1]), which used to crash the importer)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, stride=2, padding=1)
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        y = self.conv(x)
        a = torch.permute(y, [0, 2, 3, 1])
        a = self.fc(a).permute([0, 3, 1, 2])
        b = y.permute((0, 2, 3, 1)).permute(dims=(0, 3, 1, 2))
        c = torch.movedim(y, [1], [3]).movedim(3, 1)
        d = y.transpose(1, 3).swapaxes(3, 1)
        e = y.mean([1], keepdim=True) + y.sum(dim=(1,), keepdim=True)
        return a + b + c + d + e + torch.permute(y, dims=[0, 1, 2, 3])


def test_permute_and_dims_as_lists_tuples_and_varargs():
    net = check(PermuteForms(), (1, 1, 9, 8))
    assert rfgraph.analyze(net).rf == (3, 3)


def test_a_handler_that_fails_on_odd_arguments_gives_an_error_naming_the_call(monkeypatch):
    from rfgraph.importers import torch_functions

    def broken(call):
        return int([1, 2])  # what the permute handler used to do with a list

    monkeypatch.setitem(torch_functions.FUNCTIONS, "relu", broken)

    class M(nn.Module):
        def forward(self, x):
            return torch.relu(x)

    with pytest.raises(ModelImportError, match=r"node relu .*TypeError.*ops=\{'relu'"):
        from_torch(M(), torch.ones(1, 1, 5, 5))


# -- patterns of timm backbones, hand-built (timm itself is not needed) ---------------------------
class Conv2dSame(nn.Conv2d):
    """timm's Conv2dSame: TensorFlow 'same' padding computed in forward with Python control
    flow on the input's size, which torch.fx cannot trace."""

    def forward(self, x):
        ih, iw = x.size()[-2:]
        pads = []
        for n, k, s, d in zip((ih, iw), self.kernel_size, self.stride, self.dilation):
            total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)  # timm's get_same_padding
            pads.append(total)
        if pads[0] > 0 or pads[1] > 0:
            x = F.pad(x, [pads[1] // 2, pads[1] - pads[1] // 2, pads[0] // 2, pads[0] - pads[0] // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class AvgPool2dSame(nn.AvgPool2d):
    def forward(self, x):
        ih, iw = x.size()[-2:]
        k, s = _nt(self.kernel_size, 2), _nt(self.stride, 2)
        ph = max((-(-ih // s[0]) - 1) * s[0] + k[0] - ih, 0)
        pw = max((-(-iw // s[1]) - 1) * s[1] + k[1] - iw, 0)
        if ph > 0 or pw > 0:
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.avg_pool2d(x, self.kernel_size, self.stride, 0, self.ceil_mode, self.count_include_pad)


class StdConv2dSame(nn.Conv2d):
    """timm's (Scaled)StdConv2dSame where 'same' padding is static (stride 1): ``same_pad``
    False, the module's own padding, a plain convolution."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.same_pad = False

    def forward(self, x):
        if self.same_pad:
            raise AssertionError("not this variant")
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class TFSame(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = Conv2dSame(1, 2, 3, stride=2)
        self.dw = Conv2dSame(2, 2, (3, 5), stride=(1, 2), dilation=(2, 1), groups=2)
        self.static = StdConv2dSame(2, 2, 3, padding=1)
        self.pool = AvgPool2dSame(3, 2)

    def forward(self, x):
        return self.pool(self.static(self.dw(self.stem(x))))


def test_tf_same_modules_are_leaves_with_tensorflow_padding():
    net = check(TFSame(), (1, 1, 12, 11))
    edge = {net.nodes[e.dst]: e.layer for e in net.edges}
    # 12 with k 3, s 2: 6 outputs, total (6 - 1) 2 + 3 - 12 = 1, the odd pixel at the end;
    # 11: 6 outputs, total 2: one on each side
    assert edge["stem"].p_l == (0, 1) and edge["stem"].p_r == (1, 1)


class SpaceToDepth(nn.Module):
    """TResNet's stem: space-to-depth written as view + permute + reshape."""

    def __init__(self, b=4):
        super().__init__()
        self.b = b
        self.conv = nn.Conv2d(16, 2, 3, padding=1)
        self.up = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        B, C, H, W = x.shape
        b = self.b
        y = x.view(B, C, H // b, b, W // b, b).permute(0, 3, 5, 1, 2, 4).reshape(B, C * b * b, H // b, W // b)
        y = self.conv(y)
        # and back: depth-to-space by reshapes (a pixel shuffle by 2 written out)
        z = torch.cat([y, y, y, y], 1).view(B, 2, 2, 2, H // b, W // b).permute(0, 3, 4, 1, 5, 2)
        return self.up(torch.cat([z.reshape(B, 2, H // 2, W // 2)] * 4, 1))


def test_space_to_depth_and_depth_to_space_written_as_reshapes():
    net = check(SpaceToDepth(), (1, 1, 16, 12))
    assert rfgraph.analyze(net, output="conv").axes[0].rf == 12  # a 4x4 block, then 3 blocks


def attend(q, k, v, lin: bool, sdpa: bool = False):
    """Attention; in the linear copy the attention weights are uniform constants (softmax's
    Jacobian sums to zero, so gradients through q and k can cancel those through v, and with
    weights 1 the scores are large enough for exp to underflow to 0): the output is then a
    positive combination of every v token, the dependence attention has."""
    if not lin:
        return F.scaled_dot_product_attention(q, k, v) if sdpa else (q @ k.transpose(-2, -1)).softmax(-1) @ v
    weights = torch.full((*q.shape[:-1], k.shape[-2]), 1.0 / k.shape[-2], dtype=v.dtype)
    return weights @ v


class WindowAttention(nn.Module):
    """A Swin block in miniature: cyclic shift, window partition, attention inside each window
    (matmuls with the windows in the batch dimension), window reverse, shift back, residual."""

    def __init__(self, w=3, shift=1, dim=4, sdpa=False):
        super().__init__()
        self.w, self.shift, self.sdpa, self.lin = w, shift, sdpa, False
        self.embed = nn.Conv2d(1, dim, 2, stride=2)
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        x = self.embed(x).permute(0, 2, 3, 1)  # B, H, W, C
        B, H, W, C = x.shape
        w = self.w
        y = torch.roll(self.norm(x), shifts=(-self.shift, -self.shift), dims=(1, 2))
        y = y.view(B, H // w, w, W // w, w, C).permute(0, 1, 3, 2, 4, 5).reshape(-1, w * w, C)
        q, k, v = self.qkv(y).chunk(3, dim=-1)
        y = attend(q, k, v, self.lin, self.sdpa)
        y = self.proj(y).view(B, H // w, W // w, w, w, C).permute(0, 1, 3, 2, 4, 5).reshape(B, H, W, C)
        y = torch.roll(y, shifts=(self.shift, self.shift), dims=(1, 2))
        return (x + y).permute(0, 3, 1, 2)


@pytest.mark.parametrize("sdpa", [False, True])
def test_window_partition_attention_is_exactly_a_window_then_an_upsampling(sdpa):
    net = check(WindowAttention(sdpa=sdpa), (1, 1, 12, 18))
    result = rfgraph.analyze(net)
    assert result.axes[0].whole_input is None  # attention stays inside the (shifted) windows


class LeViTBlock(nn.Module):
    """Attention over all H*W tokens, then .view(B, C, H, W) and a strided convolution: the
    maps after the attention have positions again (levit_conv_128s)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.qkv = nn.Linear(4, 12)
        self.down = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        self.lin = False

    def forward(self, x):
        x = self.conv(x)
        B, C, H, W = x.shape
        q, k, v = self.qkv(x.flatten(2).transpose(1, 2)).chunk(3, dim=-1)
        y = attend(q, k, v, self.lin).transpose(1, 2).reshape(B, -1, H, W)
        return self.down(y)


def test_maps_after_global_attention_keep_their_size():
    net = check(LeViTBlock(), (1, 1, 16, 12))
    assert rfgraph.infer_shapes(net).sizes["down"] == (4, 3)
    assert rfgraph.analyze(net).axes[0].whole_input is not None


class GlobalAttention(nn.Module):
    """A ViT block without class token: patch embedding, tokens, attention with a residual."""

    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(1, 4, 4, stride=4)
        self.qkv = nn.Linear(4, 12)
        self.mlp = nn.Linear(4, 4)
        self.lin = False

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        q, k, v = self.qkv(t).chunk(3, dim=-1)
        t = t + attend(q, k, v, self.lin, sdpa=True)
        t = t + self.mlp(t)
        B, N, C = t.shape
        return t.transpose(1, 2).reshape(B, C, x.shape[2] // 4, x.shape[3] // 4)


def test_global_attention_is_whole_input_with_the_patch_embedding_as_local_field():
    net = check(GlobalAttention(), (1, 1, 12, 16))
    a = rfgraph.analyze(net).axes[0]
    assert a.whole_input is not None and (a.local.rf, a.local.stride) == (4, 4)


class TinyViT(nn.Module):
    """ViT / DeiT as timm writes them: patch embedding, class token concatenated before the
    patch tokens, position embedding, pre-norm blocks of global attention (qkv reshaped,
    permuted, unbound; scaled_dot_product_attention) and MLP with residuals; the patch tokens
    (x[:, 1:]) reshaped back to a map."""

    def __init__(self, dim=4, heads=2, depth=2):
        super().__init__()
        self.patch = nn.Conv2d(1, dim, 4, stride=4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 13, dim))
        self.heads, self.lin = heads, False
        self.norms = nn.ModuleList([nn.LayerNorm(dim) for _ in range(depth)])
        self.qkv = nn.ModuleList([nn.Linear(dim, 3 * dim) for _ in range(depth)])
        self.proj = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])
        self.mlp = nn.ModuleList([nn.Linear(dim, dim) for _ in range(depth)])

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        B, N, C = t.shape
        t = torch.cat([self.cls_token.expand(B, -1, -1), t], dim=1) + self.pos_embed
        for norm, qkv, proj, mlp in zip(self.norms, self.qkv, self.proj, self.mlp):
            q, k, v = qkv(norm(t)).reshape(B, N + 1, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
            a = attend(q, k, v, self.lin, sdpa=True)
            t = t + proj(a.transpose(1, 2).reshape(B, N + 1, C))
            t = t + mlp(norm(t))
        h, w = x.shape[2] // 4, x.shape[3] // 4
        return t[:, 1:].transpose(1, 2).reshape(B, C, h, w), t[:, 0]


def test_vit_class_token_and_global_attention():
    net = check(TinyViT(), (1, 1, 12, 16), pick=lambda y: y[0])
    a = rfgraph.analyze(net).axes[0]
    # every patch token depends on the whole image (attention); the residual stream alone
    # gives the patch embedding's own numbers
    assert a.whole_input is not None and (a.local.rf, a.local.stride, a.local.padding) == (4, 4, 0)
    outputs = net.graph_attrs["outputs"].split(",")
    assert len(outputs) == 2 and rfgraph.analyze(net, output=outputs[1]).axes[0].whole_input is not None


class Branches(nn.Module):
    """A stage returning one map per branch, as HRNet's do."""

    def __init__(self):
        super().__init__()
        self.hi = nn.Conv2d(1, 1, 3, padding=1)
        self.lo = nn.Conv2d(1, 1, 3, stride=2, padding=1)

    def forward(self, x):
        return [self.hi(x), self.lo(x)]


class MultiScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.stage = Branches()
        self.fuse = nn.Conv2d(1, 1, 1)

    def forward(self, x):
        hi, lo = self.stage(x)
        return self.fuse(hi + F.interpolate(lo, scale_factor=2))


def test_a_container_with_several_output_maps_names_each():
    net = check(MultiScale(), (1, 1, 8, 8))
    assert {"stage[0]", "stage[1]"} <= set(net.nodes)
    assert rfgraph.analyze(net, output="stage[1]").axes[0].stride == 2


class HaloBlocks(nn.Module):
    """HaloNet's attention: queries in non-overlapping blocks (a reshape), keys and values in
    blocks with a halo (F.pad + Tensor.unfold), attention within each block."""

    def __init__(self, block=2, halo=1):
        super().__init__()
        self.block, self.halo, self.lin = block, halo, False
        self.conv = nn.Conv2d(1, 2, 1)

    def forward(self, x):
        x = self.conv(x)
        B, C, H, W = x.shape
        b, h = self.block, self.halo
        q = x.reshape(B, C, H // b, b, W // b, b).permute(0, 2, 4, 3, 5, 1).reshape(B, H // b, W // b, b * b, C)
        kv = F.pad(x, [h, h, h, h]).unfold(2, b + 2 * h, b).unfold(3, b + 2 * h, b)  # B C H/b W/b k k
        kv = kv.reshape(B, C, H // b, W // b, -1).permute(0, 2, 3, 4, 1)  # B H/b W/b k*k C
        out = attend(q, kv, kv, self.lin)  # B H/b W/b b*b C
        out = out.reshape(B, H // b, W // b, b, b, C).permute(0, 5, 1, 3, 2, 4)
        return out.reshape(B, C, H, W)


def test_halo_attention_with_unfold():
    check(HaloBlocks(), (1, 1, 8, 6))


class TinyPiT(nn.Module):
    """PiT: the class token is carried from stage to stage (it has seen the whole image when
    it is concatenated again), the patch tokens are reshaped to a map and pooled between."""

    def __init__(self, dim=4):
        super().__init__()
        self.patch = nn.Conv2d(1, dim, 2, stride=2)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.qkv1, self.qkv2 = nn.Linear(dim, 3 * dim), nn.Linear(dim, 3 * dim)
        self.pool = nn.Conv2d(dim, dim, 3, stride=2, padding=1, groups=dim)
        self.fc = nn.Linear(dim, dim)
        self.lin = False

    def stage(self, x, cls, qkv):
        B, C, H, W = x.shape
        t = torch.cat((cls, x.flatten(2).transpose(1, 2)), dim=1)
        q, k, v = qkv(t).chunk(3, dim=-1)
        t = t + attend(q, k, v, self.lin, sdpa=True)
        return t[:, 1:].transpose(1, 2).reshape(B, C, H, W), t[:, :1]

    def forward(self, x):
        x, cls = self.stage(self.patch(x), self.cls_token.expand(x.shape[0], -1, -1), self.qkv1)
        x, cls = self.stage(self.pool(x), self.fc(cls), self.qkv2)
        return x, cls


def test_class_tokens_carried_between_stages():
    net = check(TinyPiT(), (1, 1, 12, 16), pick=lambda y: y[0])
    cls = net.graph_attrs["outputs"].split(",")[1]
    assert rfgraph.analyze(net, output=cls).axes[0].whole_input is not None
