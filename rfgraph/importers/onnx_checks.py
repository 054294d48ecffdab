"""Validation of ONNX nodes before conversion: against the operator's schema for the model's
opset (attribute names, types and required ones, input and output counts), then the values
rfgraph reads (lengths of per-axis attributes, signs, axes within the rank, finite scale
factors, sizes within :mod:`~rfgraph.importers.limits`). Every error names the node.

A malformed model otherwise fails deep inside the conversion (a ``KeyError`` for a
``MaxPool`` without ``kernel_shape``, a ``ZeroDivisionError`` for a ``Resize`` scale of 0) or,
worse, converts into wrong numbers.

>>> from onnx import helper
>>> n = helper.make_node("MaxPool", ["x"], ["y"], strides=[2, 2])
>>> validate_node(n, 17, "")
Traceback (most recent call last):
...
rfgraph.core.errors.ModelImportError: node 'y' (MaxPool): attribute kernel_shape is required by MaxPool (opset 17)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..core.errors import ModelImportError
from . import limits
from ..core.limits import check

_WINDOW_OPS = {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"}


def node_name(n) -> str:
    return n.name or (n.output[0] if n.output else n.op_type)


def fail(n, where: str, message: str) -> ModelImportError:
    return ModelImportError(f"{where}node {node_name(n)!r} ({n.op_type}): {message}")


def validate_node(n, opset: int, where: str) -> None:
    """Check ``n`` against the ONNX schema of its operator at ``opset`` (standard domain
    only: other domains and unknown operators are left to the ``ops=`` override), then the
    geometry attributes rfgraph reads."""
    from onnx import defs, helper

    try:
        known = n.domain in ("", "ai.onnx") and defs.has(str(n.op_type))
    except (TypeError, ValueError, UnicodeError):  # a corrupted name
        raise ModelImportError(f"{where}a node whose operator name {n.op_type!r} is not valid text") from None
    if not known:
        return
    try:
        schema = defs.get_schema(n.op_type, opset, "")
    except Exception:  # the operator does not exist yet at this opset
        raise fail(n, where, f"operator {n.op_type} does not exist in opset {opset}") from None
    attrs = schema.attributes
    seen = set()
    for a in n.attribute:
        if a.name in seen:
            raise fail(n, where, f"attribute {a.name} is given twice")
        seen.add(a.name)
        if a.name not in attrs:
            raise fail(n, where, f"attribute {a.name} is not an attribute of {n.op_type} in opset {opset} "
                                 f"(it has: {', '.join(sorted(attrs)) or 'none'})")
        want = int(attrs[a.name].type)
        if a.type != want and not (a.type == 0 and a.ref_attr_name):
            raise fail(n, where, f"attribute {a.name} has type {_type_name(a.type)}, {n.op_type} (opset {opset}) "
                                 f"expects {_type_name(want)}")
    for name, spec in attrs.items():
        if spec.required and name not in seen:
            raise fail(n, where, f"attribute {name} is required by {n.op_type} (opset {opset})")
    count = len(n.input)
    while count and not n.input[count - 1]:
        count -= 1
    if count < schema.min_input or count > schema.max_input:
        raise fail(n, where, f"{count} inputs; {n.op_type} (opset {opset}) takes {schema.min_input} to "
                             f"{schema.max_input}")
    if len(n.output) < schema.min_output or len(n.output) > schema.max_output:
        raise fail(n, where, f"{len(n.output)} outputs; {n.op_type} (opset {opset}) gives {schema.min_output} "
                             f"to {schema.max_output}")
    values = {a.name: helper.get_attribute_value(a) for a in n.attribute}
    _geometry(n, values, where)


def _type_name(t: int) -> str:
    from onnx import AttributeProto

    try:
        return AttributeProto.AttributeType.Name(t)
    except ValueError:
        return str(t)


def _geometry(n, values: dict[str, Any], where: str) -> None:
    """Lengths and ranges of the per-axis attributes of windows, and other values rfgraph reads."""
    if n.op_type in _WINDOW_OPS:
        k = values.get("kernel_shape")
        nd = len(k) if k is not None else None
        for name in ("kernel_shape", "strides", "dilations"):
            v = values.get(name)
            if v is None:
                continue
            if nd is not None and len(v) != nd:
                raise fail(n, where, f"{name} has {len(v)} entries, kernel_shape {nd}: one per spatial axis")
            nd = len(v) if nd is None else nd
            for x in v:
                if x < 1:
                    raise fail(n, where, f"{name}={list(v)}: every entry must be at least 1")
                limits.check_geometry(int(x), f"{where}node {node_name(n)!r} ({n.op_type})", name)
        pads = values.get("pads")
        if pads is not None:
            if len(pads) % 2 or (nd is not None and len(pads) != 2 * nd):
                raise fail(n, where, f"pads has {len(pads)} entries: expected two per spatial axis"
                                     + (f" ({2 * nd})" if nd is not None else ""))
            for x in pads:
                limits.check_geometry(int(x), f"{where}node {node_name(n)!r} ({n.op_type})", "padding")
        for name in ("output_padding", "output_shape"):
            v = values.get(name)
            if v is not None and nd is not None and len(v) != nd:
                raise fail(n, where, f"{name} has {len(v)} entries: expected {nd}, one per spatial axis")
            if v is not None and any(x < 0 for x in v):
                raise fail(n, where, f"{name}={list(v)}: negative")
        group = values.get("group")
        if group is not None and group < 1:
            raise fail(n, where, f"group={group}: must be at least 1")
    if n.op_type in ("DepthToSpace", "SpaceToDepth"):
        if values.get("blocksize", 1) < 1:
            raise fail(n, where, f"blocksize={values.get('blocksize')}: must be at least 1")
        limits.check_geometry(int(values.get("blocksize", 1)), f"{where}node {node_name(n)!r}", "blocksize")
    for name in ("scales",):  # Upsample (opset < 9) gives its scales as an attribute
        if name in values:
            check_scales(n, values[name], where)


def check_scales(n, scales: Sequence[float], where: str) -> None:
    """Resize / Upsample scale factors: finite, positive, within the limit."""
    for s in scales:
        s = float(s)
        if not math.isfinite(s) or s <= 0:
            raise fail(n, where, f"scale factor {s} in {[float(x) for x in scales]}: scales must be finite and "
                                 "positive")
        check("max_length", math.ceil(s), f"{where}node {node_name(n)!r} ({n.op_type}): scale factor {s}")


def check_axes(n, axes: Sequence[int], rank: int, where: str, what: str = "axes") -> list[int]:
    """``axes`` made non-negative; an error naming the node when one is outside [-rank, rank)
    or repeated."""
    out = []
    for a in axes:
        a = int(a)
        if not -rank <= a < rank:
            raise fail(n, where, f"{what} {list(int(x) for x in axes)}: axis {a} is outside a tensor of rank {rank}")
        out.append(a + rank if a < 0 else a)
    if len(set(out)) != len(out):
        raise fail(n, where, f"{what} {list(int(x) for x in axes)}: an axis appears twice")
    return out
