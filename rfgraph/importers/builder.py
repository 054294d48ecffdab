"""What the PyTorch and ONNX importers share: tensors seen as feature maps, the graph being
built, and the exact geometry of the layers whose parameters depend on the input size.

A model's tensor is a feature map of the rfgraph graph when it depends on the input. Its
*layout* says where each spatial axis of the input lives in the tensor: per rfgraph axis
``(dim, q)`` (the coordinate along that axis is ``(index[dim] // q) % n``: ``q > 1`` when a
reshape merged several axes into one dimension, as ``x.flatten(2)`` does) or None (the axis
has collapsed: every element depends on the whole axis, the map has length 1 along it). A
tensor whose axes are all None no longer has any spatial structure (after global pooling or a
fully connected layer); every op after it is still an edge, of length 1.

Layers are emitted from the model's own parameters, and every length is checked at the end
against the tensor shapes the model really produced, so an importer cannot silently build a
different network. Geometry that depends on the input size (adaptive pooling, interpolation
to a size, broadcasting a 1x1 map) is resolved at the example input's size, exactly; such a
graph is valid at that size (the graph attribute ``input_size``).

>>> b = GraphBuilder(ndim=2, source=None)
>>> x = b.input("x", (1, 3, 8, 8))
>>> y = b.window(x, "conv1", (1, 4, 4, 4), "conv", [Geom(3, 2, 1, 1, 1)] * 2)
>>> b.raw.edges[0][:2], b.raw.edges[0][3]["k"], y.sizes
(('x', 'conv1'), 3, (4, 4))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor, prod
from typing import Any, NamedTuple

from ..core.errors import ModelImportError, RFGraphError
from ..core.network import build
from ..core.raw import RawGraph
from ..core.ops import OPS, geometry_attributes, parse_layer
from ..passes.shapes import infer_shapes
from .limits import check_geometry, check_length

Axis = tuple[int, int] | None


class Geom(NamedTuple):
    """One axis of a sliding window: kernel, stride, dilation, left and right padding."""

    k: int
    s: int = 1
    d: int = 1
    p_l: int = 0
    p_r: int = 0


TRIVIAL = Geom(1)


@dataclass
class TensorInfo:
    """A model tensor as the importer sees it.

    ``node`` is the rfgraph node (None for a tensor that does not depend on the input: a
    parameter, a constant); ``shape`` the full tensor shape; ``axes`` the layout (see the
    module docstring); ``sizes`` the length of the feature map along every rfgraph axis (1
    where the axis has collapsed). ``lead`` = ``(dim, count, live)``: tensor dimension ``dim``
    starts with ``count`` entries that are no position (a ViT's class token, prepended to the
    flattened positions), which depend on the input (``live``: after attention) or not.
    """

    node: str | None
    shape: tuple[int, ...]
    axes: tuple[Axis, ...]
    sizes: tuple[int, ...]
    lead: tuple[int, int, bool] | None = None

    @property
    def constant(self) -> bool:
        return self.node is None

    @property
    def spatial(self) -> bool:
        return any(a is not None for a in self.axes)

    def alone(self, a: int) -> bool:
        """Axis ``a`` fills its tensor dimension by itself (convolutions need that)."""
        ax = self.axes[a]
        if ax is None:
            return False
        d, q = ax
        return q == 1 and self.shape[d] == self.sizes[a] and (self.lead is None or self.lead[0] != d) and \
            all(o is None or o[0] != d for i, o in enumerate(self.axes) if i != a)

    def axis_of_dim(self, dim: int) -> list[int]:
        """The rfgraph axes that live in tensor dimension ``dim``."""
        return [a for a, ax in enumerate(self.axes) if ax is not None and ax[0] == dim]


def constant(shape: Sequence[int], ndim: int) -> TensorInfo:
    return TensorInfo(None, tuple(shape), (None,) * ndim, (1,) * ndim)


class Tuple:
    """A value holding several tensors (``torch.split``, a pool with ``return_indices``):
    ``item(i, name)`` makes the i-th tensor's node when something reads it."""

    def __init__(self, make: Callable[[int, str], TensorInfo | None], count: int | None = None) -> None:
        self.make = make
        self.count = count
        self.made: dict[int, TensorInfo | None] = {}

    def item(self, i: int, name: str) -> TensorInfo | None:
        if i not in self.made:
            self.made[i] = self.make(i, name)
        return self.made[i]


def fmt(values: Sequence[int]) -> int | str:
    """One value per axis as rfgraph writes it: ``3``, or ``"3,5"`` when they differ."""
    values = [int(v) for v in values]
    return values[0] if len(set(values)) == 1 else ",".join(map(str, values))


def norm_dim(dim: int, rank: int) -> int:
    return dim + rank if dim < 0 else dim


class GraphBuilder:
    """The rfgraph graph under construction, with the lengths the model says every map has."""

    def __init__(self, ndim: int, source: str | None) -> None:
        self.ndim = ndim
        self.source = source
        self.raw = RawGraph(source=source)
        self.expected: dict[str, tuple[int, ...]] = {}
        self.counts: dict[str, int] = {}

    # -- nodes and edges -------------------------------------------------------------------
    def unique(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``, ... if taken."""
        base = str(base) or "node"
        if base not in self.raw.nodes and base not in self.counts:
            self.counts[base] = 0
            return base
        n = self.counts.get(base, 0)
        while True:
            n += 1
            name = f"{base}_{n}"
            if name not in self.raw.nodes and name not in self.counts:
                self.counts[base] = n
                self.counts[name] = 0
                return name

    def input(self, name: str, shape: Sequence[int], axes: Sequence[Axis] | None = None,
              attrs: Mapping[str, Any] | None = None) -> TensorInfo:
        shape = tuple(int(n) for n in shape)
        if axes is None:
            if len(shape) < self.ndim:
                raise ModelImportError(f"{self._where()}input {name!r} has shape {list(shape)}: "
                                       f"fewer dimensions than {self.ndim} spatial axes")
            axes = tuple((len(shape) - self.ndim + a, 1) for a in range(self.ndim))
        name = self.unique(name)
        info = TensorInfo(name, shape, tuple(axes), tuple(shape[d] for d, _ in axes))
        self.raw.add_node(name, dict(attrs or {}))
        self.expected[name] = info.sizes
        return info

    def _node(self, name: str, shape: Sequence[int], axes: Sequence[Axis], sizes: Sequence[int],
              attrs: Mapping[str, Any] | None, lead: tuple[int, int, bool] | None = None) -> TensorInfo:
        for n in sizes:
            check_length(int(n), f"{self._where()}{name}", "map length")
        if lead is not None and not any(ax is not None and ax[0] == lead[0] for ax in axes):
            lead = None  # no positions left in that dimension: nothing to tell apart
        info = TensorInfo(name, tuple(int(n) for n in shape), tuple(axes), tuple(int(n) for n in sizes), lead)
        self.raw.add_node(name, dict(attrs or {}))
        self.expected[name] = info.sizes
        return info

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""

    def out_axes(self, src: TensorInfo, out_shape: Sequence[int], axes: Sequence[Axis] | None = None,
                 collapse: Sequence[int] = (), lead: tuple[int, int, bool] | None = None
                 ) -> tuple[tuple[Axis, ...], tuple[int, ...]]:
        """Layout and lengths of an op's output: ``axes`` (default: the source's), with the
        axes in ``collapse`` and those already collapsed set to None. A length is read from
        the shape where the axis fills its dimension alone, else kept from the source."""
        axes = list(src.axes if axes is None else axes)
        for a in range(self.ndim):
            if a in collapse or src.axes[a] is None:
                axes[a] = None
        return tuple(axes), _lengths(axes, out_shape, src.sizes, lead)

    def merged_scale(self, axes: Sequence[Axis], shape: Sequence[int], sizes: Sequence[int],
                     dims: Sequence[int] | None = None) -> tuple[list[int], tuple[Axis, ...]]:
        """Per axis the factor q of an axis that shares its dimension only with channel-like
        entries (q > 1, alone in it, q n entries), and the layout with those axes alone."""
        scale = [1] * self.ndim
        new = list(axes)
        for a, ax in enumerate(axes):
            if ax is None or ax[1] == 1 or (dims is not None and ax[0] not in dims):
                continue
            d, q = ax
            if any(o is not None and o[0] == d for i, o in enumerate(axes) if i != a):
                continue
            if shape[d] != q * sizes[a]:
                continue
            scale[a] = q
            new[a] = (d, 1)
        return scale, tuple(new)

    def expand(self, src: TensorInfo, dims: Sequence[int] | None = None) -> TensorInfo:
        """``src`` with every spatial axis that shares its tensor dimension only with
        channel-like entries (layout ``(d, q)``, q > 1, no other spatial axis in ``d``: after a
        depth-to-space or a window-partition reverse merged the channel-like entries into the
        axis) made a map of its own: nearest upsampling by q, exact (entry t of the dimension
        belongs to axis position t // q). Only axes in ``dims`` when given."""
        scale, axes = self.merged_scale(src.axes, src.shape, src.sizes, dims)
        sizes = [n * f for n, f in zip(src.sizes, scale)]
        if all(f == 1 for f in scale):
            return src
        name = self.unique(f"{src.node}.expanded")
        self.raw.add_node(name, {})
        self.raw.add_edge(src.node, name, {"op": "upsample", "scale": fmt(scale), "mode": "nearest",
                                           "type": "channel entries merged into a spatial axis"})
        info = TensorInfo(name, src.shape, tuple(axes), tuple(sizes))
        for n in sizes:
            check_length(int(n), f"{self._where()}{name}", "map length")
        self.expected[name] = info.sizes
        return info

    # -- layers ----------------------------------------------------------------------------
    def window(self, src: TensorInfo, name: str, out_shape: Sequence[int], op: str,
               geoms: Sequence[Geom | None], *, axes: Sequence[Axis] | None = None,
               collapse: Sequence[int] = (), ceil_mode: bool = False, pad_mode: str = "zeros",
               attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Any] | None = None,
               transposed: bool = False, lead: Any = "same") -> TensorInfo:
        """A sliding-window layer (conv, pool, pad, crop, elementwise) from ``src`` to a new
        node ``name``. ``geoms`` has one :class:`Geom` (or None: k=1) per rfgraph axis; axes in
        ``collapse`` read their whole length (k = n) and collapse. Axes the source has
        already collapsed get k=1 whatever the layer says (its geometry no longer matters)."""
        geoms = list(geoms)
        if (not src.spatial and not src.constant and len(out_shape) == self.ndim + 2
                and any(g is not None and (g.k, g.s) != (1, 1) for g in geoms)
                and any(int(m) != 1 for m in out_shape[2:])):
            # a window on a map rfgraph thinks has no positions left, while the model's has
            # some: the lengths would silently disagree with the model (the LeViT bug)
            raise ModelImportError(f"{self._where()}{name}: a {op} on a tensor of shape {list(src.shape)} whose "
                                   "positions rfgraph no longer tracks (after a whole-input op): please report")
        for a in range(self.ndim):
            if src.axes[a] is None:
                geoms[a] = TRIVIAL
            elif a in collapse:
                if transposed:
                    raise ModelImportError(f"{self._where()}{name}: a transposed convolution that mixes a "
                                           "spatial axis through its channels")
                geoms[a] = Geom(src.sizes[a])
            elif geoms[a] is None:
                geoms[a] = TRIVIAL
        if lead == "same":  # the layout's dimensions stay: so do the leading entries
            lead = src.lead if axes is None else None
        out_axes, sizes = self.out_axes(src, out_shape, axes, collapse, lead)
        edge: dict[str, Any] = {"op": op}
        spec = OPS[op]
        k = [g.k for g in geoms]
        if spec.requires_k or any(v != 1 for v in k):
            edge["k"] = fmt(k)
        s = [g.s for g in geoms]
        if any(v != 1 for v in s):
            edge["s"] = fmt(s)
        d = [g.d for g in geoms]
        if any(v != 1 for v in d):
            edge["d"] = fmt(d)
        p_l = [g.p_l for g in geoms]
        p_r = [g.p_r for g in geoms]
        if p_l == p_r:
            if any(p_l):
                edge["p"] = fmt(p_l)
        else:
            edge["p_l"] = fmt(p_l)
            edge["p_r"] = fmt(p_r)
        if ceil_mode and src.spatial:
            edge["ceil_mode"] = "true"
        if pad_mode != "zeros" and src.spatial:
            edge["pad_mode"] = pad_mode
        edge.update(attrs or {})
        for g in geoms:
            for what, v in (("kernel", g.k), ("stride", g.s), ("dilation", g.d), ("padding", g.p_l),
                            ("padding", g.p_r)):
                check_geometry(int(v), f"{self._where()}{name}", what)
        info = self._node(name, out_shape, out_axes, sizes, node_attrs, lead)
        self.raw.add_edge(src.node, name, edge)
        return info

    def upsample(self, src: TensorInfo, name: str, out_shape: Sequence[int], scale: Sequence[int],
                 mode: str, *, attrs: Mapping[str, Any] | None = None,
                 node_attrs: Mapping[str, Any] | None = None, axes: Sequence[Axis] | None = None) -> TensorInfo:
        scale = [1 if src.axes[a] is None else int(f) for a, f in enumerate(scale)]
        for f in scale:
            check_geometry(f, f"{self._where()}{name}", "scale factor")
        out_axes, sizes = self.out_axes(src, out_shape, axes)
        edge = {"op": "upsample", "scale": fmt(scale), "mode": mode, **(attrs or {})}
        info = self._node(name, out_shape, out_axes, sizes, node_attrs)
        self.raw.add_edge(src.node, name, edge)
        return info

    def whole(self, srcs: Sequence[TensorInfo], name: str, out_shape: Sequence[int], op: str,
              *, attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Any] | None = None) -> TensorInfo:
        """A layer whose every output depends on every input position. Ops of length 1
        (global_pool, fc, flatten) collapse every axis; those that keep the length
        (attention, groupnorm, instancenorm) keep the layout of the first source."""
        srcs = [s for s in srcs if not s.constant]
        spec = OPS[op]
        lead = None
        if getattr(spec, "keeps_size", False):
            first = srcs[0]
            lead = None if first.lead is None else (first.lead[0], first.lead[1], True)  # now they see it all
            out_axes, sizes = self.out_axes(first, out_shape, lead=lead)
        else:
            out_axes, sizes = (None,) * self.ndim, (1,) * self.ndim
        info = self._node(name, out_shape, out_axes, sizes, node_attrs, lead)
        for src in srcs:
            self.raw.add_edge(src.node, name, {"op": op, **(attrs or {})})
        return info

    def merge(self, srcs: Sequence[TensorInfo], name: str, out_shape: Sequence[int], op: str, *,
              attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Any] | None = None,
              offsets: Mapping[int, Sequence[tuple[int, int]]] | None = None) -> TensorInfo | None:
        """An elementwise op of several tensors (add, mul, concat along channels, ...) with
        NumPy broadcasting: each input that depends on the input image gets an edge; one
        broadcast along a spatial axis (a 1-long map read by every position) is a nearest
        upsampling by the output's length. ``offsets`` (concatenation along a spatial axis):
        per input index, ``(p_l, p_r)`` per rfgraph axis, where it sits in the output."""
        rank = len(out_shape)
        live = [(i, s) for i, s in enumerate(srcs) if not s.constant]
        if not live:
            return None
        if len({tuple(None if ax is None else ax[1] for ax in s.axes) for _, s in live}) > 1:
            live = [(i, self.expand(s)) for i, s in live]  # one source merged channel entries in
        axes: list[Axis] = [None] * self.ndim
        for _, s in live:
            shift = rank - len(s.shape)
            for a, ax in enumerate(s.axes):
                if ax is None:
                    continue
                moved = (ax[0] + shift, ax[1])
                if axes[a] is None:
                    axes[a] = moved
                elif axes[a] != moved:
                    raise ModelImportError(f"{self._where()}{name}: {op} combines tensors whose spatial "
                                           f"axis {a} lies in different dimensions ({axes[a]} and {moved}): rfgraph "
                                           "cannot follow this layout; describe the op or the module around it "
                                           "with ops={...} (for an attention block: {'op': 'attention'})")
        known = [max(s.sizes[a] for _, s in live) for a in range(self.ndim)]
        leads = {(s.lead[0] + rank - len(s.shape), s.lead[1]) for _, s in live if s.lead is not None}
        if len(leads) > 1:
            raise ModelImportError(f"{self._where()}{name}: {op} combines tensors with different leading "
                                   "entries (class tokens) before their positions")
        lead = None
        if leads:
            d, c = leads.pop()
            # the leading entries see the input when they did, or when a whole-input value
            # (attention written as matmuls) is added to them
            lead = (d, c, any(s.lead is not None and s.lead[2] or not s.spatial for _, s in live))
        info = self._node(name, out_shape, tuple(axes), _lengths(axes, out_shape, known, lead), node_attrs, lead)
        for i, s in live:
            edge = {"op": op, **(attrs or {})}
            if offsets and i in offsets:
                p_l = [p for p, _ in offsets[i]]
                p_r = [p for _, p in offsets[i]]
                if p_l == p_r:
                    edge["p"] = fmt(p_l)
                else:
                    edge["p_l"], edge["p_r"] = fmt(p_l), fmt(p_r)
            self._edge_to(s, info, edge)
        return info

    def _edge_to(self, src: TensorInfo, dst: TensorInfo, edge: dict[str, Any]) -> None:
        """An edge into ``dst``; a broadcast when ``src`` is 1 long where ``dst`` is longer."""
        scale = []
        for a in range(self.ndim):
            n, m = src.sizes[a], dst.sizes[a]
            if n == m or "p" in edge or "p_l" in edge:
                scale.append(1)
            elif n == 1:
                scale.append(m)
            else:
                raise ModelImportError(f"{self._where()}{dst.node}: input {src.node} has length {n} along "
                                       f"axis {a}, the result {m}: not a broadcast")
        if any(f != 1 for f in scale):
            merged = edge.pop("op")
            edge = {"op": "upsample", "scale": fmt(scale), "mode": "nearest", "merge": merged,
                    "broadcast": "true", **edge}
        self.raw.add_edge(src.node, dst.node, edge)

    # -- the result ------------------------------------------------------------------------
    def finish(self, graph_attrs: Mapping[str, Any], input_name: str):
        """Build the :class:`~rfgraph.core.network.Network` and check that every map's length is
        the one the model produced."""
        self.raw.graph.update(graph_attrs)
        try:
            net = build(self.raw)
            sized = infer_shapes(net, None, input_name)
        except RFGraphError as exc:
            raise ModelImportError(f"{self._where()}the converted graph is not valid: {exc}") from exc
        for name, want in self.expected.items():
            got = sized.sizes.get(name)
            if got is not None and tuple(got) != tuple(want):
                attrs = self.raw.nodes.get(name, {})
                what = attrs.get("type", "")
                raise ModelImportError(
                    f"{self._where()}node {name} ({what}): the model's map is {'x'.join(map(str, want))}, "
                    f"the converted graph computes {'x'.join(map(str, got))} (a layer whose geometry "
                    "rfgraph cannot express, or a wrong override in ops=...)")
        return net


# -- layouts -----------------------------------------------------------------------------------
def _lengths(axes: Sequence[Axis], out_shape: Sequence[int], known: Sequence[int],
             lead: tuple[int, int, bool] | None = None) -> tuple[int, ...]:
    """Map length per rfgraph axis: 1 where collapsed, the tensor's dimension (less its
    leading entries) where the axis fills it alone, else ``known`` (carried over from the inputs)."""
    sizes = []
    for a, ax in enumerate(axes):
        if ax is None:
            sizes.append(1)
            continue
        d, q = ax
        shared = any(o is not None and o[0] == d for i, o in enumerate(axes) if i != a)
        extra = lead[1] if lead is not None and lead[0] == d else 0
        sizes.append(int(out_shape[d]) - extra if q == 1 and not shared else known[a])
    return tuple(sizes)


def reshape_axes(src: TensorInfo, out_shape: Sequence[int]) -> tuple[Axis, ...] | None:
    """The layout after a reshape (view, flatten, squeeze, unsqueeze, ...) to ``out_shape``:
    every spatial axis is found again from its stride in the row-major order, or None when a
    reshape cuts an axis apart (see :func:`reshape_split` for the cuts that are layers)."""
    found = reshape_split(src, out_shape)
    if found is None or found[1] or found[2] is not None:
        return None
    return found[0]


def reshape_split(src: TensorInfo, out_shape: Sequence[int]
                  ) -> tuple[tuple[Axis, ...], dict[int, int], tuple[int, int, bool] | None] | None:
    """:func:`reshape_axes`, also accepting a reshape that cuts a spatial axis of length n into
    an outer dimension n / b and an inner dimension b of its own (space-to-depth, patch merging,
    the window partition of Swin: ``view(B, C, H // b, b, W // b, b)``). Then ``(layout,
    {axis: b}, lead)``: the axis continues in the outer dimension, and the inner one is a
    channel-like dimension; geometrically a window k = s = b (every outer position holds b
    input rows); ``lead`` is where the leading entries went (see :class:`TensorInfo`). None
    when the reshape cuts an axis in any other way.

    >>> x = TensorInfo("x", (1, 3, 8, 6), ((2, 1), (3, 1)), (8, 6))
    >>> reshape_split(x, (1, 3, 4, 2, 3, 2))
    (((2, 1), (4, 1)), {0: 2, 1: 2}, None)
    >>> reshape_split(x, (1, 3, 48))                 # a flatten: both axes in one dimension
    (((2, 6), (2, 1)), {}, None)
    """
    shape = list(src.shape)
    out = [int(n) for n in out_shape]
    lead = None
    if src.lead is not None:  # the dimension with leading entries must stay whole: drop them from both
        d0, count, live = src.lead
        after = prod(shape[d0 + 1:])
        match = [dd for dd in range(len(out)) if out[dd] == shape[d0] and prod(out[dd + 1:]) == after]
        if not match:
            return None
        lead = (match[0], count, live)
        shape[d0] -= count
        out[match[0]] -= count
    new: list[Axis] = []
    splits: dict[int, int] = {}
    for a, ax in enumerate(src.axes):
        if ax is None:
            new.append(None)
            continue
        n = src.sizes[a]
        if n == 1:  # no extent: nothing to find (its stride would match any dimension)
            new.append(None)
            continue
        d, q = ax
        G = q * prod(shape[d + 1:])
        found = _find_axis(out, G, n)
        if found is None and n > 1:
            cut = _find_cut(out, G, n)
            if cut is not None:
                found, splits[a] = cut
        if found is None:
            if n == 1:
                new.append(None)
                continue
            return None
        new.append(found)
    return tuple(new), splits, lead


def _find_axis(out: Sequence[int], G: int, n: int) -> Axis:
    """The (dimension, q) of ``out`` holding n positions of element stride G, or None."""
    inner = 1
    for dd in range(len(out) - 1, -1, -1):
        if inner <= G < inner * out[dd]:  # the dimension holding this axis's stride
            qq = G // inner
            if G % inner == 0 and G * n <= inner * out[dd] and out[dd] % (qq * n) == 0:
                return (dd, qq)
            return None
        inner *= out[dd]
    return None


def _find_cut(out: Sequence[int], G: int, n: int) -> tuple[Axis, int] | None:
    """An axis of n positions at stride G cut into a dimension of exactly b positions (its
    own, stride G) and an outer part of n / b positions found like any axis."""
    inner = 1
    for dd in range(len(out) - 1, -1, -1):
        if inner == G and 1 < out[dd] < n and n % out[dd] == 0:
            b = out[dd]
            outer = _find_axis(out, G * b, n // b)
            return (outer, b) if outer is not None else None
        if inner > G:
            return None
        inner *= out[dd]
    return None


def permute_axes(src: TensorInfo, perm: Sequence[int]) -> tuple[Axis, ...]:
    rank = len(src.shape)
    perm = [norm_dim(p, rank) for p in perm]
    return tuple(None if ax is None else (perm.index(ax[0]), ax[1]) for ax in src.axes)


def permute_lead(src: TensorInfo, perm: Sequence[int]) -> tuple[int, int, bool] | None:
    """Where the leading entries (:class:`TensorInfo`) are after a permutation."""
    if src.lead is None:
        return None
    perm = [norm_dim(p, len(src.shape)) for p in perm]
    return (perm.index(src.lead[0]), src.lead[1], src.lead[2])


def drop_lead(lead: tuple[int, int, bool] | None, dropped: Sequence[int]) -> tuple[int, int, bool] | None:
    """Where the leading entries are after removing tensor dimensions ``dropped``."""
    if lead is None or lead[0] in dropped:
        return None
    return (lead[0] - sum(1 for d in dropped if d < lead[0]), lead[1], lead[2])


def drop_dims(axes: Sequence[Axis], dropped: Sequence[int]) -> tuple[Axis, ...]:
    """Layout after removing tensor dimensions ``dropped`` (their axes must be None)."""
    out = []
    for ax in axes:
        if ax is None or ax[0] in dropped:
            out.append(None)
        else:
            out.append((ax[0] - sum(1 for d in dropped if d < ax[0]), ax[1]))
    return tuple(out)


# -- exact geometry of resampling ------------------------------------------------------------
def _floor(x: Fraction) -> int:
    return floor(x)


def true_taps(mode: str, n: int, m: int, t: int, *, scale: Fraction, transform: str = "half_pixel",
              nearest: str = "floor") -> set[int]:
    """Input positions with a non-zero weight for output ``t`` of a resampling from length
    ``n`` to ``m``: ``scale`` = input/output coordinate ratio; ``mode`` nearest, linear or
    area; ``transform`` the coordinate transformation (ONNX names; PyTorch's
    align_corners=False is half_pixel, True is align_corners, nearest is asymmetric)."""
    if mode == "area":
        lo = (t * n) // m
        hi = -((-(t + 1) * n) // m)
        return set(range(lo, hi))
    if transform == "half_pixel":
        x = (t + Fraction(1, 2)) * scale - Fraction(1, 2)
    elif transform == "pytorch_half_pixel":
        x = (t + Fraction(1, 2)) * scale - Fraction(1, 2) if m > 1 else Fraction(0)
    elif transform == "align_corners":
        x = Fraction(t * (n - 1), m - 1) if m > 1 else Fraction(0)
    elif transform == "asymmetric":
        x = t * scale
    elif transform == "tf_half_pixel_for_nn":
        x = (t + Fraction(1, 2)) * scale
    elif transform == "half_pixel_symmetric":
        adj = Fraction(m) / (n / scale) if scale else Fraction(1)
        center = Fraction(n, 2) * (1 - adj)
        x = (t + Fraction(1, 2)) * scale - Fraction(1, 2) + center
    else:
        raise ValueError(transform)
    if mode == "nearest":
        if nearest == "floor":
            i = _floor(x)
        elif nearest == "ceil":
            i = -_floor(-x)
        elif nearest == "round_prefer_floor":
            i = -_floor(Fraction(1, 2) - x)
        elif nearest == "round_prefer_ceil":
            i = _floor(x + Fraction(1, 2))
        else:
            raise ValueError(nearest)
        return {min(max(i, 0), n - 1)}
    i0 = _floor(x)
    taps = {min(max(i0, 0), n - 1)}
    if x != i0:
        taps.add(min(max(i0 + 1, 0), n - 1))
    return taps


def _sets_of(layer_values: dict, n: int, m: int) -> list[set[int]] | None:
    import numpy as np

    layer = parse_layer(layer_values, 1, "resample")
    if layer.spec.out_length(layer, 0, n) != m:
        return None
    index, exists = layer.spec.taps(layer, 0, np.arange(m, dtype=np.int64))
    ok = exists & (index >= 0) & (index < n)
    return [set(int(i) for i in row[mask]) for row, mask in zip(index, ok)]


def _candidates(truth: list[set[int]], n: int, m: int):
    """Per-axis representations to try: (kind, values) with kind upsample-nearest,
    upsample-bilinear, window or transposed."""
    if m % n == 0:
        f = m // n
        yield "upsample-nearest", {"op": "upsample", "scale": f, "mode": "nearest"}
        yield "upsample-bilinear", {"op": "upsample", "scale": f, "mode": "bilinear"}
    t0 = m // 2
    if truth[t0]:
        lo, hi = min(truth[t0]), max(truth[t0])
        s = min(truth[t0 + 1]) - lo if t0 + 1 < m and truth[t0 + 1] else max(n // max(m, 1), 1)
        if s >= 1:
            k = hi - lo + 1
            p_l = s * t0 - lo
            p_r = (m - 1) * s + k - n - p_l
            yield "window", {"op": "avgpool", "k": k, "s": s, "p_l": p_l, "p_r": p_r}
    for f in sorted({m // n, (m - 1) // max(n - 1, 1)}):
        if f < 1:
            continue
        for k, p_l in [(2 * f - 1, f - 1)] + [(f, c) for c in range(f)]:
            p_r = (n - 1) * f + k - p_l - m
            yield "transposed", {"op": "conv_transpose", "k": k, "s": f, "p_l": p_l, "p_r": p_r}


def solve_resample(truths: Sequence[list[set[int]] | None], ns: Sequence[int], ms: Sequence[int]):
    """An rfgraph layer reading exactly the sets ``truths[a][t]`` along every axis ``a``
    (None: that axis is untouched), as ``(kind, per-axis values)``, or None if no single op
    kind does it (every axis must use the same kind)."""
    per_axis: list[dict[str, dict]] = []
    for truth, n, m in zip(truths, ns, ms):
        fits: dict[str, dict] = {}
        if truth is None:
            fits = {"upsample-nearest": {"scale": 1}, "upsample-bilinear": {"scale": 1},
                    "window": {"k": 1, "s": 1, "p_l": 0, "p_r": 0},
                    "transposed": {"k": 1, "s": 1, "p_l": 0, "p_r": 0}}
        else:
            for kind, values in _candidates(truth, n, m):
                if kind in fits:
                    continue
                try:
                    got = _sets_of(values, n, m)
                except RFGraphError:
                    continue
                if got == truth:
                    fits[kind] = {k: v for k, v in values.items() if k not in ("op", "mode")}
        per_axis.append(fits)
    for kind in ("upsample-nearest", "upsample-bilinear", "window", "transposed"):
        if all(kind in fits for fits in per_axis):
            return kind, [fits[kind] for fits in per_axis]
    return None


def emit_resample(b: GraphBuilder, src: TensorInfo, name: str, out_shape: Sequence[int],
                  truth_of: Callable[[int, int, int], list[set[int]] | None], what: str, *,
                  attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Any] | None = None,
                  fail: Callable[[str], Exception] | None = None) -> TensorInfo:
    """A resampling layer (interpolate, Resize, ...) found by :func:`solve_resample`.
    ``truth_of(axis, n, m)`` gives the true sets along an axis that changes or resamples;
    ``fail(message)`` makes the error when nothing fits (default: one naming ``name``)."""
    out_axes, sizes = b.out_axes(src, out_shape)
    for m in sizes:  # the true sets are found position by position: refuse a huge axis first
        check_length(int(m), f"{b._where()}{name}", "map length")
    ns, ms, truths = [], [], []
    for a in range(b.ndim):
        n, m = src.sizes[a], sizes[a]
        ns.append(n)
        ms.append(m)
        truths.append(None if src.axes[a] is None else truth_of(a, n, m))
    if not src.spatial:
        return b.upsample(src, name, out_shape, [1] * b.ndim, "nearest", attrs=attrs, node_attrs=node_attrs)
    found = solve_resample(truths, ns, ms)
    if found is None:
        change = ", ".join(f"{n} -> {m}" for n, m in zip(ns, ms))
        message = (f"{what} ({change}) reads input pixels in a pattern no rfgraph op expresses exactly "
                   "(use integer factors; bicubic and most align_corners=True sizes are not supported); "
                   "pass ops={...} to override")
        if fail is not None:
            raise fail(message)
        raise ModelImportError(f"{b._where()}{name}: {message}")
    kind, values = found
    extra = dict(attrs or {})
    if kind.startswith("upsample"):
        return b.upsample(src, name, out_shape, [v["scale"] for v in values],
                          "nearest" if kind == "upsample-nearest" else "bilinear",
                          attrs=extra, node_attrs=node_attrs)
    geoms = [Geom(v["k"], v["s"], 1, v["p_l"], v["p_r"]) for v in values]
    op = "avgpool" if kind == "window" else "conv_transpose"
    if kind == "window" and all(g.k == 1 for g in geoms):
        op = "crop"
    return b.window(src, name, out_shape, op, geoms, attrs=extra, node_attrs=node_attrs,
                    transposed=kind == "transposed")


def emit_adaptive(b: GraphBuilder, src: TensorInfo, name: str, out_shape: Sequence[int], pool: str, *,
                  attrs: Mapping[str, Any] | None = None, node_attrs: Mapping[str, Any] | None = None) -> TensorInfo:
    """Adaptive pooling at the example input's size. Output i of an axis of length n pooled
    to o reads [floor(i n / o), ceil((i + 1) n / o)). Output 1 on every axis: global pooling.
    o divides n: a plain pool with k = s = n / o. Otherwise the windows are irregular, and
    represented exactly by two layers: nearest upsampling by o, then a pool with k = s = n
    (output i then reads floor(i n / o) ... floor((i n + n - 1) / o), the same window)."""
    out_axes, sizes = b.out_axes(src, out_shape)
    if all(m == 1 for m in sizes) and src.spatial:
        return b.whole([src], name, out_shape, "global_pool", attrs={"pool": pool, **(attrs or {})},
                       node_attrs=node_attrs)
    scale, geoms = [], []
    for a in range(b.ndim):
        n, o = src.sizes[a], sizes[a]
        if src.axes[a] is None or n % o == 0:
            scale.append(1)
            geoms.append(Geom(n // o, n // o))
        else:
            scale.append(o)
            geoms.append(Geom(n, n))
    if any(f != 1 for f in scale):
        mid_shape = list(src.shape)
        for a, ax in enumerate(src.axes):
            if ax is not None:
                mid_shape[ax[0]] = src.sizes[a] * scale[a]
        mid = b.upsample(src, b.unique(f"{name}.upsampled"), mid_shape, scale, "nearest",
                         attrs={"type": "adaptive pooling (irregular windows, step 1 of 2)"})
        src = mid
    return b.window(src, name, out_shape, pool, geoms, attrs=attrs, node_attrs=node_attrs)


# -- user overrides ----------------------------------------------------------------------------
@dataclass
class OpContext:
    """What an ``ops`` override callable receives: ``name`` (the node), ``key`` (the name it
    was looked up under: class name, module path, function name, ONNX op type), ``target`` (the
    module, function or ONNX NodeProto), ``input_shapes``/``output_shape`` (full tensor shapes)."""

    name: str
    key: str
    target: Any
    input_shapes: list[tuple[int, ...]]
    output_shape: tuple[int, ...] | None
    extra: dict = field(default_factory=dict)


def unforeseen(exc: Exception, key: str, what: str) -> str:
    """The message for an exception no check foresaw while converting one node (``what``:
    "this node", "this call's arguments"): the exception on one short line and the ``ops=``
    way out, so the importer names the node instead of showing a traceback.

    >>> unforeseen(ValueError("bad value"), "Conv", "this node")
    "rfgraph cannot convert this node (ValueError: bad value); describe it with ops={'Conv': {'op': ..., ...}}"
    """
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    return f"rfgraph cannot convert {what} ({reason}); describe it with ops={{{key!r}: {{'op': ..., ...}}}}"


def find_override(ops: Mapping[str, Any] | None, keys: Sequence[str]):
    if not ops:
        return None, None
    for key in keys:
        if key and key in ops:
            return key, ops[key]
    return None, None


def apply_override(b: GraphBuilder, rule: Any, ctx: OpContext, srcs: Sequence[TensorInfo],
                   out_shape: Sequence[int], node_attrs: Mapping[str, Any]) -> TensorInfo | None:
    """Emit the user's mapping for an op: a dict of edge attributes (``{"op": "avgpool", "k":
    3, "p": 1}``), or a callable returning one (or None to fall back to the built-in mapping).
    The result keeps the first source's layout (a whole-input op collapses it)."""
    if callable(rule):
        rule = rule(ctx)
        if rule is None:
            return None
    if not isinstance(rule, Mapping) or "op" not in rule:
        raise ModelImportError(f"{b._where()}{ctx.name}: the override for {ctx.key!r} must be a dict of "
                               "edge attributes with an 'op' (or a callable returning one)")
    op = str(rule["op"]).lower()
    if op not in OPS:
        raise ModelImportError(f"{b._where()}{ctx.name}: the override for {ctx.key!r} names op {op!r}, "
                               "which rfgraph does not know")
    live = [s for s in srcs if not s.constant]
    if not live:
        return None
    attrs = {k: v for k, v in rule.items()}
    spec = OPS[op]
    if out_shape is None:  # the model does not say (an unknown op): the layer's own lengths
        layer = parse_layer(geometry_attributes(attrs, ctx.name), b.ndim, ctx.name)
        shape = list(live[0].shape)
        for a, ax in enumerate(live[0].axes):
            if ax is not None and live[0].alone(a):
                shape[ax[0]] = spec.out_length(layer, a, live[0].sizes[a])
        out_shape = tuple(shape)
    if spec.kind == "whole":
        return b.whole(live, ctx.name, out_shape, op, attrs={k: v for k, v in attrs.items() if k != "op"},
                       node_attrs=node_attrs)
    src = live[0]
    out_axes, sizes = b.out_axes(src, out_shape)
    info = b._node(ctx.name, out_shape, out_axes, sizes, node_attrs)
    for s in live:
        b.raw.add_edge(s.node, ctx.name, dict(attrs))
    return info
