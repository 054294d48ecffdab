"""The op families both importers share: how a convolution, pool, pad, slice, reshape,
reduction or concatenation of a model becomes rfgraph edges, given the op's parameters and
the tensors' layouts (:mod:`rfgraph.importers.builder`). A converter subclasses
:class:`Families` and provides ``b`` (the :class:`~.builder.GraphBuilder`), ``ndim``,
``name_of(n)``, ``edge_attrs(n, **extra)``, ``node_attrs(n)`` and ``fail(n, message)`` for
its own kind of node ``n``."""

from __future__ import annotations

from collections.abc import Sequence

from .builder import (
    Geom,
    TensorInfo,
    Tuple,
    constant,
    drop_dims,
    drop_lead,
    emit_adaptive,
    norm_dim,
    reshape_split,
)


def _base_name(n) -> str:
    """A name for a helper node of op ``n`` (an fx node, an ONNX node, a Keras call)."""
    outputs = getattr(n, "output", None)
    return getattr(n, "name", "") or (outputs[0] if outputs else "") or "map"


class Families:
    b: object
    ndim: int

    # -- op families -----------------------------------------------------------------------
    def _dim_roles(self, n, src: TensorInfo, op_dims: Sequence[int], mix_dims: Sequence[int] = ()):
        """Per rfgraph axis: ("geom", j) for the op's j-th spatial dimension, "collapse" for an
        axis the op mixes entirely (a channel dimension), "trivial" otherwise."""
        roles = []
        for a, ax in enumerate(src.axes):
            if ax is None:
                roles.append(("trivial",))
            elif ax[0] in op_dims:
                if not src.alone(a):
                    raise self.fail(n, f"spatial axis {a} shares tensor dimension {ax[0]} with another axis "
                                       "(after a reshape): the op's window is not a window on the image")
                roles.append(("geom", list(op_dims).index(ax[0])))
            elif ax[0] in mix_dims:
                roles.append(("collapse",))
            else:
                roles.append(("trivial",))
        return roles

    def _spatial_dims(self, src: TensorInfo, nd: int) -> list[int]:
        rank = len(src.shape)
        return list(range(rank - nd, rank))

    def _spatial_again(self, n, src: TensorInfo, nd: int) -> TensorInfo:
        """A window op on a tensor that depends on the whole input (after attention or a
        matmul) but still has positions (``.view(B, C, H, W)`` of the tokens, as LeViT does):
        its positions are a map again, each reading the whole-input map. Without this the
        map would keep length 1 while the model's has H x W."""
        if src.spatial:
            return self.b.expand(src, self._spatial_dims(src, nd))
        if src.constant or nd != self.ndim or len(src.shape) < nd + 1:
            return src
        dims = self._spatial_dims(src, nd)
        lengths = [src.shape[d] for d in dims]
        if all(m == 1 for m in lengths):
            return src
        return self.b.upsample(TensorInfo(src.node, src.shape, tuple((d, 1) for d in dims), (1,) * nd),
                               self.b.unique(f"{_base_name(n)}.positions"), src.shape, lengths, "nearest",
                               attrs={"type": "positions of a whole-input tensor", "broadcast": "true"})


    def conv_window(self, n, src, out_shape, nd, k, s, d, pads, pad_mode, groups, in_channels):
        """A convolution over the last ``nd`` dimensions with per-dimension (left, right)
        padding ``pads``; its channel dimension mixes any spatial axis found there."""
        src = self._spatial_again(n, src, nd)
        dims = self._spatial_dims(src, nd)
        roles = self._dim_roles(n, src, dims, mix_dims=[len(src.shape) - nd - 1])
        geoms, collapse = [], []
        for a, role in enumerate(roles):
            if role[0] == "geom":
                j = role[1]
                geoms.append(Geom(k[j], s[j], d[j], pads[j][0], pads[j][1]))
            else:
                geoms.append(None)
                if role[0] == "collapse":
                    collapse.append(a)
        op = "dwconv" if groups > 1 and groups == in_channels else "conv"
        mode = pad_mode
        extra = {"groups": groups if groups != 1 else None}
        return self.b.window(src, self.name_of(n), out_shape, op, geoms, collapse=collapse, pad_mode=mode,
                             attrs=self.edge_attrs(n, **extra), node_attrs=self.node_attrs(n))

    def conv_transpose(self, n, src, out_shape, nd, k, s, d, p_l, groups):
        """A transposed convolution (PyTorch semantics) with left padding ``p_l``; the right
        padding follows from the output length the model produced (``output_padding``,
        ``output_size``, ONNX ``output_shape``): p_r = (n - 1) s + k' - p_l - n_out."""
        k, s, d, p = tuple(k), tuple(s), tuple(d), tuple(p_l)
        src = self._spatial_again(n, src, nd)
        dims = self._spatial_dims(src, nd)
        roles = self._dim_roles(n, src, dims, mix_dims=[len(src.shape) - nd - 1])
        geoms, collapse = [], []
        for a, role in enumerate(roles):
            if role[0] == "geom":
                j = role[1]
                n_in, n_out = src.shape[dims[j]], out_shape[dims[j]]
                p_r = (n_in - 1) * s[j] + d[j] * (k[j] - 1) + 1 - p[j] - n_out
                geoms.append(Geom(k[j], s[j], d[j], p[j], p_r))
            else:
                geoms.append(None)
                if role[0] == "collapse":
                    collapse.append(a)
        return self.b.window(src, self.name_of(n), out_shape, "conv_transpose", geoms, collapse=collapse,
                             attrs=self.edge_attrs(n, groups=groups if groups != 1 else None),
                             node_attrs=self.node_attrs(n), transposed=True)

    def pool(self, n, src, op, nd, k, s, pads, d, ceil_mode, out_shape):
        """A pooling window over the last ``nd`` dimensions; ``pads``: (left, right) per dimension."""
        src = self._spatial_again(n, src, nd)
        roles = self._dim_roles(n, src, self._spatial_dims(src, nd))
        geoms = [Geom(k[r[1]], s[r[1]], d[r[1]], *pads[r[1]]) if r[0] == "geom" else None for r in roles]
        return self.b.window(src, self.name_of(n), out_shape, op, geoms, ceil_mode=ceil_mode,
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n))

    def adaptive(self, n, src, nd, pool, out_shape):
        roles = self._dim_roles(n, src, self._spatial_dims(src, nd))
        if any(r[0] == "trivial" and src.axes[a] is not None for a, r in enumerate(roles)):
            raise self.fail(n, "adaptive pooling over tensor dimensions that are not the spatial axes")
        return emit_adaptive(self.b, src, self.name_of(n), out_shape, pool, attrs=self.edge_attrs(n),
                             node_attrs=self.node_attrs(n))

    def pad(self, n, src, out_shape, padding, mode):
        """F.pad and the padding modules: (last dim left, last dim right, the dim before, ...)."""
        rank = len(src.shape)
        src = self.b.expand(src, [rank - 1 - i for i in range(len(padding) // 2)])
        flat = [int(x) for x in padding]
        pairs = {rank - 1 - i: (flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)}
        geoms = []
        for a, ax in enumerate(src.axes):
            if ax is None or ax[0] not in pairs:
                geoms.append(None)
                continue
            if not src.alone(a):
                raise self.fail(n, "pads a tensor dimension that holds several spatial axes")
            geoms.append(Geom(1, 1, 1, *pairs[ax[0]]))
        pad_mode = {"constant": "zeros", "zeros": "zeros", "reflect": "reflect", "replicate": "replicate",
                    "circular": "circular"}.get(mode)
        if pad_mode is None:
            raise self.fail(n, f"padding mode {mode!r}")
        op = "crop" if all(g is None or (g.p_l <= 0 and g.p_r <= 0) for g in geoms) else "pad"
        return self.b.window(src, self.name_of(n), out_shape, op, geoms, pad_mode=pad_mode,
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n))

    def elementwise(self, n, srcs, out_shape, op):
        result = self.b.merge(srcs, self.name_of(n), out_shape, op, attrs=self.edge_attrs(n),
                              node_attrs=self.node_attrs(n))
        return result if result is not None else constant(out_shape, self.ndim)

    def identity(self, n, src, out_shape, axes, op, lead=None):
        """A layout change (permute, reshape): ``axes`` and ``lead`` say where things went."""
        return self.b.window(src, self.name_of(n), out_shape, op, [None] * self.ndim, axes=axes,
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n), lead=lead)

    def reshape(self, n, src, out_shape):
        """view, reshape, flatten, squeeze, ...: the layout follows (exact), unless the reshape
        cuts a spatial axis apart (space-to-depth written as reshapes, window partitions):
        an error, since no rfgraph layer says which pixels then sit together."""
        found = reshape_split(src, out_shape)
        if found is None:
            src = self.b.expand(src)  # merged channel entries, then cut differently: as a map first
            found = reshape_split(src, out_shape)
        if found is None:
            raise self.fail(n, f"reshapes {list(src.shape)} to {list(out_shape)}, cutting a spatial axis apart: "
                               "not a layer rfgraph expresses. Describe it with ops={<this node or op>: "
                               "{'op': 'flatten'}} to treat it as depending on the whole input")
        axes, splits, lead = found
        sizes = [1 if ax is None else src.sizes[a] for a, ax in enumerate(axes)]
        scale, alone = self.b.merged_scale(axes, out_shape, sizes)
        if not splits and any(f != 1 for f in scale):
            # depth-to-space (a pixel shuffle, a window reverse): channel-like entries merged in
            # as the fast part of an axis: position t reads position t // q, nearest upsampling
            return self.b.upsample(src, self.name_of(n), out_shape, scale, "nearest", axes=alone,
                                   attrs=self.edge_attrs(n, rearrange="depth-to-space"), node_attrs=self.node_attrs(n))
        if not splits:
            return self.identity(n, src, out_shape, axes, "identity", lead)
        # space-to-depth (a window partition, a patch merge): outer position o holds the b
        # input positions o b ... o b + b - 1 in a channel-like dimension: a window k = s = b.
        # (Exact for the maps in between, whose features hold all b positions; a partition
        # undone later without anything mixing the b entries, which no real model does, would
        # then read as depending on the whole block.)
        geoms = [Geom(splits[a], splits[a]) if a in splits else None for a in range(self.ndim)]
        for a in splits:
            if not src.alone(a):
                raise self.fail(n, "cuts apart a tensor dimension holding several spatial axes")
        return self.b.window(src, self.name_of(n), out_shape, "avgpool", geoms, axes=axes, lead=lead,
                             attrs=self.edge_attrs(n, rearrange="space-to-depth"), node_attrs=self.node_attrs(n))

    def whole_along(self, n, src, out_shape, dims, keep: str):
        """Every output depends on every position along the axes in tensor dimensions
        ``dims``, and the shape is kept (softmax, normalisation): over all spatial axes, a
        whole-input op that keeps the length; over some, a window covering the axis from
        every position (k = 2n - 1, p = n - 1)."""
        rank = len(src.shape)
        dims = [norm_dim(d, rank) for d in dims]
        hit = [a for a, ax in enumerate(src.axes) if ax is not None and ax[0] in dims]
        if not hit:
            return self.elementwise(n, [src], out_shape, "identity" if keep != "groupnorm" else "layernorm")
        if len(hit) == sum(1 for ax in src.axes if ax is not None):
            return self.b.whole([src], self.name_of(n), out_shape, keep, attrs=self.edge_attrs(n),
                                node_attrs=self.node_attrs(n))
        geoms = [Geom(2 * src.sizes[a] - 1, 1, 1, src.sizes[a] - 1, src.sizes[a] - 1) if a in hit else None
                 for a in range(self.ndim)]
        for a in hit:
            if not src.alone(a):
                raise self.fail(n, "normalises over a dimension holding several spatial axes")
        return self.b.window(src, self.name_of(n), out_shape, "avgpool", geoms, attrs=self.edge_attrs(n),
                             node_attrs=self.node_attrs(n))

    def reduce(self, n, srcs, out_shape, dims, keepdim):
        src = srcs[0]
        rank = len(src.shape)
        dims = [norm_dim(d, rank) for d in dims]
        hit = [a for a, ax in enumerate(src.axes) if ax is not None and ax[0] in dims]
        axes = src.axes if keepdim else drop_dims(src.axes, dims)
        name = self.name_of(n)
        attrs = self.edge_attrs(n)
        if not src.spatial:
            return self.b.whole(srcs, name, out_shape, "global_pool", attrs=attrs, node_attrs=self.node_attrs(n))
        if not hit:
            lead = src.lead if keepdim else drop_lead(src.lead, dims)
            return self.b.window(src, name, out_shape, "identity", [None] * self.ndim, axes=axes, attrs=attrs,
                                 node_attrs=self.node_attrs(n), lead=lead)
        if len(hit) == sum(1 for ax in src.axes if ax is not None):
            return self.b.whole(srcs, name, out_shape, "global_pool", attrs=attrs, node_attrs=self.node_attrs(n))
        return self.b.window(src, name, out_shape, "avgpool", [None] * self.ndim, axes=axes, collapse=hit,
                             attrs=attrs, node_attrs=self.node_attrs(n))

    def contract_last(self, n, src, out_shape):
        """A linear layer on the last dimension: the axes living there collapse."""
        return self.reduce_like(n, src, out_shape, [len(src.shape) - 1], "fc")

    def reduce_like(self, n, src, out_shape, dims, whole_op):
        hit = [a for a, ax in enumerate(src.axes) if ax is not None and ax[0] in dims]
        name = self.name_of(n)
        attrs = self.edge_attrs(n)
        if not src.spatial:  # already whole-input: say what the layer is
            return self.b.whole([src], name, out_shape, whole_op, attrs=attrs, node_attrs=self.node_attrs(n))
        if not hit:
            return self.b.window(src, name, out_shape, "identity", [None] * self.ndim, attrs=attrs,
                                 node_attrs=self.node_attrs(n))
        if len(hit) == sum(1 for ax in src.axes if ax is not None):
            return self.b.whole([src], name, out_shape, whole_op, attrs=attrs, node_attrs=self.node_attrs(n))
        return self.b.window(src, name, out_shape, "avgpool", [None] * self.ndim, collapse=hit, attrs=attrs,
                             node_attrs=self.node_attrs(n))

    def matmul(self, n, srcs, out_shape):
        """A matrix product. With a constant matrix: a linear layer on the last dimension. Of
        two maps whose spatial axes all lie in the batch dimensions (attention within windows,
        after a window partition): per position, an elementwise merge. Otherwise the
        contracted or token dimension holds positions: every output depends on all of them."""
        a, b_ = (srcs + [None])[:2]
        if b_ is not None and b_.constant and not a.constant and len(b_.shape) >= 2:
            return self.contract_last(n, a, out_shape)
        if self._batch_only(srcs, out_shape):
            return self._per_position(n, srcs, out_shape)
        return self.b.whole(srcs, self.name_of(n), out_shape, "fc", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n))

    def _batch_only(self, srcs, out_shape) -> bool:
        live = [s for s in srcs if not s.constant]
        return bool(live) and len(out_shape) >= 3 and all(
            s.spatial and all(ax is None or ax[0] < len(s.shape) - 2 for ax in s.axes) for s in live)

    def _per_position(self, n, srcs, out_shape):
        """The batch dimensions of ``srcs`` (all but the last two) aligned with ``out_shape``'s."""
        rank = len(out_shape)
        moved = []
        for s in srcs:
            if s.constant:
                continue
            shift = rank - len(s.shape)
            shape = tuple(out_shape[:rank - 2])
            axes = tuple(None if ax is None else (ax[0] + shift, ax[1]) for ax in s.axes)
            moved.append(TensorInfo(s.node, shape + tuple(out_shape[rank - 2:]), axes, s.sizes))
        return self.b.merge(moved, self.name_of(n), out_shape, "identity", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n))

    def attention(self, n, srcs, out_shape):
        """scaled_dot_product_attention(q, k, v): output token i reads every token of k and v.
        Positions in the token dimension: attention over them (whole input, the map's length
        kept); positions in the batch dimensions only (window attention): per position."""
        if self._batch_only(srcs, out_shape):
            return self._per_position(n, srcs, out_shape)
        live = [s for s in srcs if not s.constant]
        if any(ax is not None and ax[0] < len(s.shape) - 2 for s in live for ax in s.axes):
            raise self.fail(n, "attention over some spatial axes and per position along others: not a layer "
                               "rfgraph expresses")
        return self.b.whole(live, self.name_of(n), out_shape, "attention", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n))

    def cat(self, n, infos, dim, out_shape):
        """Concatenation: along channels an elementwise merge; along a spatial axis each
        input is padded to where it sits in the result (exact)."""
        if any(not isinstance(i, TensorInfo) for i in infos):
            raise self.fail(n, "concatenates a tensor of unknown shape")
        live = [i for i in infos if not i.constant]
        maps = [i for i in live if i.spatial]
        ref = maps[0] if maps else live[0]
        spatial = [a for a, ax in enumerate(ref.axes) if ax is not None and ax[0] == dim]
        offsets = None
        at = next(k for k, i in enumerate(infos) if i is ref)
        before = sum(i.shape[dim] for i in infos[:at])
        if spatial and len(maps) == 1 and at == len(infos) - 1 and before > 0 and not ref.alone(spatial[0]) and \
                (ref.lead is None or ref.lead[0] == dim):
            # tokens (a class token, distillation or register tokens) before the flattened
            # positions: the positions are unchanged; the tokens depend on nothing (parameters)
            # or, carried over from an earlier stage (PiT), on the whole input
            count = before + (ref.lead[1] if ref.lead else 0)
            live_lead = bool(ref.lead and ref.lead[2]) or len(live) > 1
            return self.b.window(ref, self.name_of(n), out_shape, "identity", [None] * self.ndim, axes=ref.axes,
                                 lead=(dim, count, live_lead), attrs=self.edge_attrs(n, tokens=before),
                                 node_attrs=self.node_attrs(n))
        if spatial:
            a = spatial[0]
            if not ref.alone(a):
                raise self.fail(n, "concatenates along a dimension holding several spatial axes")
            offsets = {}
            total = out_shape[dim]
            pos = 0
            for i, info in enumerate(infos):
                length = info.shape[dim]
                pads = [(0, 0)] * self.ndim
                pads[a] = (pos, total - pos - length)
                offsets[i] = pads
                pos += length
        return self.b.merge(infos, self.name_of(n), out_shape, "concat", attrs=self.edge_attrs(n),
                            node_attrs=self.node_attrs(n), offsets=offsets)

    def index(self, n, src, index, out_shape, name: str | None = None, part: int | None = None):
        """``x[...]`` with slices, integers, None and Ellipsis: crops (and strides) along
        spatial axes, an integer picks one position (the axis collapses)."""
        rank = len(src.shape)
        if not isinstance(index, tuple):
            index = (index,)
        src = self.b.expand(src)
        if any(not isinstance(i, (int, slice, type(None), type(Ellipsis))) for i in index):
            if all(ax is None for ax in src.axes):
                return self.elementwise(n, [src], out_shape, "identity")
            raise self.fail(n, "indexes with tensors or lists (advanced indexing): not a layer rfgraph expresses")
        used = sum(1 for i in index if isinstance(i, (int, slice)))
        if Ellipsis in index:
            at = index.index(Ellipsis)
            index = index[:at] + (slice(None),) * (rank - used) + index[at + 1:]
        else:
            index = index + (slice(None),) * (rank - used)
        geoms: list[Geom | None] = [None] * self.ndim
        new_axes: list = list(src.axes)
        dim_map: dict[int, int | None] = {}
        out_dim = 0
        in_dim = 0
        lead = src.lead
        for item in index:
            if item is None:
                out_dim += 1
                continue
            size = src.shape[in_dim]
            here = src.axis_of_dim(in_dim)
            if lead is not None and lead[0] == in_dim:  # leading entries (class tokens) then positions
                count = lead[1]
                if isinstance(item, int) and (-size <= item < count - size or 0 <= item < count):
                    return self._leading_entry(n, src, out_shape, name)
                if isinstance(item, slice) and item.indices(size) == (count, size, 1):
                    lead = None  # x[:, 1:]: the positions alone
                    dim_map[in_dim] = out_dim
                    out_dim += 1
                    in_dim += 1
                    continue
                if isinstance(item, slice) and item.indices(size)[1] <= count and item.indices(size)[2] > 0:
                    return self._leading_entry(n, src, out_shape, name)
                if not (isinstance(item, slice) and item.indices(size) == (0, size, 1)):
                    raise self.fail(n, "indexes a dimension of class tokens and positions other than x[:, k:] "
                                       "(k class tokens) or x[:, i] (i < k): not a layer rfgraph expresses")
            if isinstance(item, int):
                i = item + size if item < 0 else item
                for a in here:
                    if not src.alone(a):
                        raise self.fail(n, "indexes a dimension holding several spatial axes")
                    geoms[a] = Geom(1, 1, 1, -i, -(size - 1 - i))
                    new_axes[a] = None
                dim_map[in_dim] = None
            else:
                start, stop, step = item.indices(size)
                length = len(range(start, stop, step))
                if here and step < 0:
                    raise self.fail(n, "reverses a spatial axis: not a layer rfgraph expresses")
                if here and (start, stop, step) != (0, size, 1):
                    for a in here:
                        if not src.alone(a):
                            raise self.fail(n, "slices a dimension holding several spatial axes")
                        if length == 0:
                            raise self.fail(n, "an empty slice of a spatial axis")
                        p_r = (length - 1) * step + 1 - size + start
                        geoms[a] = Geom(1, step, 1, -start, p_r)
                dim_map[in_dim] = out_dim
                out_dim += 1
            in_dim += 1
        axes = []
        for a, ax in enumerate(new_axes):
            if ax is None or src.axes[a] is None:
                axes.append(None)
            else:
                axes.append((dim_map[ax[0]], ax[1]))
        # an integer index crops to length 1 and the axis is gone (None in ``axes``)
        op = "crop" if any(g is not None for g in geoms) else "identity"
        if lead is not None:
            lead = None if dim_map.get(lead[0]) is None else (dim_map[lead[0]], lead[1], lead[2])
        return self.b.window(src, name or self.name_of(n), out_shape, op, geoms, axes=tuple(axes), lead=lead,
                             attrs=self.edge_attrs(n, part=part), node_attrs=self.node_attrs(n))

    def _leading_entry(self, n, src, out_shape, name=None):
        """A class token picked out of a tensor: a constant before attention, after it a value
        of the whole input (``fc``: every position)."""
        if not src.lead[2]:
            return constant(out_shape, self.ndim)
        return self.b.whole([src], name or self.name_of(n), out_shape, "fc",
                            attrs=self.edge_attrs(n, type="class token"), node_attrs=self.node_attrs(n))

    def split(self, n, src, shapes, name, dim):
        """split, chunk, unbind: the i-th part is a crop along ``dim`` (a spatial axis) or a
        selection of channels; ``shapes`` are the parts' shapes."""
        rank = len(src.shape)
        dim = norm_dim(dim, rank)
        here = src.axis_of_dim(dim)
        starts = []
        pos = 0
        for s in shapes:
            starts.append(pos)
            pos += 1 if name == "unbind" else s[dim]

        def make(i: int, node_name: str) -> TensorInfo:
            shape = shapes[i]
            if name == "unbind":
                index = (slice(None),) * dim + (starts[i],)
            else:
                index = (slice(None),) * dim + (slice(starts[i], starts[i] + shape[dim]),)
            if not here:
                axes = src.axes if name != "unbind" else drop_dims(src.axes, [dim])
                lead = src.lead if name != "unbind" else drop_lead(src.lead, [dim])
                return self.b.window(src, node_name, shape, "split", [None] * self.ndim, axes=axes, lead=lead,
                                     attrs=self.edge_attrs(n, part=i))
            return self.index(n, src, index, shape, name=node_name, part=i)

        return Tuple(make, len(shapes))

    def unfold(self, n, src, out_shape, dim, size, step):
        """``Tensor.unfold(dim, size, step)``: the windows of ``size`` entries every ``step``
        along ``dim``, their entries in a new last dimension (channel-like): along a spatial
        axis, a window k = size, s = step (HaloNet's halo blocks)."""
        rank = len(src.shape)
        dim = norm_dim(dim, rank)
        src = self.b.expand(src, [dim])
        here = src.axis_of_dim(dim)
        geoms: list[Geom | None] = [None] * self.ndim
        for a in here:
            if not src.alone(a):
                raise self.fail(n, "unfolds a dimension holding several spatial axes")
            geoms[a] = Geom(size, step)
        if size < 1 or step < 1:
            raise self.fail(n, f"unfold size {size}, step {step}")
        op = "avgpool" if here else "identity"
        return self.b.window(src, self.name_of(n), out_shape, op, geoms, axes=src.axes,
                             lead=src.lead if src.lead is None or src.lead[0] != dim else None,
                             attrs=self.edge_attrs(n, rearrange="unfold"), node_attrs=self.node_attrs(n))

    def glu(self, n, src, out_shape, dim):
        dim = norm_dim(dim, len(src.shape))
        if src.axis_of_dim(dim):
            raise self.fail(n, "GLU halves a spatial axis: not a layer rfgraph expresses")
        return self.elementwise(n, [src], out_shape, "mul")

    def pixel_shuffle(self, n, src, out_shape, r):
        roles = self._dim_roles(n, src, self._spatial_dims(src, 2), mix_dims=[len(src.shape) - 3])
        if any(r_[0] == "collapse" for r_ in roles):
            raise self.fail(n, "pixel shuffle over a channel dimension that holds a spatial axis")
        scale = [r if role[0] == "geom" else 1 for role in roles]
        return self.b.upsample(src, self.name_of(n), out_shape, scale, "nearest",
                               attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n))

    def pixel_unshuffle(self, n, src, out_shape, r):
        roles = self._dim_roles(n, src, self._spatial_dims(src, 2))
        geoms = [Geom(r, r) if role[0] == "geom" else None for role in roles]
        return self.b.window(src, self.name_of(n), out_shape, "avgpool", geoms, attrs=self.edge_attrs(n),
                             node_attrs=self.node_attrs(n))

    def roll(self, n, src, out_shape, shifts, dims):
        rank = len(src.shape)
        if dims is None:
            if any(ax is not None for ax in src.axes):
                raise self.fail(n, "rolls the flattened tensor: not a layer rfgraph expresses")
            return self.elementwise(n, [src], out_shape, "identity")
        shifts = [shifts] if isinstance(shifts, int) else list(shifts)
        dims = [dims] if isinstance(dims, int) else list(dims)
        src = self.b.expand(src, [norm_dim(d, rank) for d in dims])
        geoms: list[Geom | None] = [None] * self.ndim
        for sh, d in zip(shifts, dims):
            for a in src.axis_of_dim(norm_dim(d, rank)):
                if not src.alone(a):
                    raise self.fail(n, "rolls a dimension holding several spatial axes")
                sh = sh % src.sizes[a]
                geoms[a] = Geom(1, 1, 1, sh, -sh)
        return self.b.window(src, self.name_of(n), out_shape, "pad", geoms, pad_mode="circular",
                             attrs=self.edge_attrs(n), node_attrs=self.node_attrs(n))


