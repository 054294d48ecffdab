"""Size limits of the importers, decided before anything big is allocated or looped over.

A model file can state any size: an input of 10^9 pixels, pads of 10^9, an upsampling by
10^9. The importers check every feature map's length along every spatial axis, every
window, padding and scale factor against these limits as soon as they read them, and refuse
with a :class:`~rfgraph.core.errors.ModelImportError` naming the node and the limit, instead of
running for minutes and dying of memory.

The limits are module attributes: raise one for a legitimately bigger model with

>>> import rfgraph.importers.limits as limits
>>> limits.MAX_AXIS_LENGTH
131072
>>> old, limits.MAX_AXIS_LENGTH = limits.MAX_AXIS_LENGTH, 1 << 20   # for this process
>>> limits.MAX_AXIS_LENGTH = old

(These are the importers' own limits; the rest of rfgraph will share one place for limits.)
"""

from __future__ import annotations

from ..core.errors import ModelImportError

#: Longest feature map along one spatial axis (input, intermediate or output), in positions.
#: Resampling layers are solved per position along an axis, so this bounds their work.
MAX_AXIS_LENGTH = 1 << 17
#: Largest kernel, stride, dilation, |padding| or scale factor along one axis.
MAX_GEOMETRY = 1 << 18
#: Largest number of elements of a constant the ONNX importer folds (shape arithmetic,
#: pads, scales: such constants are small; a larger one is left unevaluated).
MAX_FOLD_ELEMENTS = 1 << 16
#: Largest Keras configuration (config.json) read, in bytes.
MAX_CONFIG_BYTES = 64 << 20


def check_length(n: int, where: str, what: str = "length") -> int:
    """``n`` if it is a usable feature-map length, else a ModelImportError naming ``where``.

    >>> check_length(224, "input x")
    224
    >>> check_length(10**9, "input x")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.ModelImportError: input x: length 1000000000 along a spatial axis is above the limit of 131072 (rfgraph.importers.limits.MAX_AXIS_LENGTH)
    """
    if n > MAX_AXIS_LENGTH:
        raise ModelImportError(f"{where}: {what} {n} along a spatial axis is above the limit of {MAX_AXIS_LENGTH} "
                               "(rfgraph.importers.limits.MAX_AXIS_LENGTH)")
    return n


def check_geometry(value: int, where: str, what: str) -> int:
    """``value`` (a kernel, stride, dilation, padding or scale) if within :data:`MAX_GEOMETRY`."""
    if abs(value) > MAX_GEOMETRY:
        raise ModelImportError(f"{where}: {what} {value} is above the limit of {MAX_GEOMETRY} "
                               "(rfgraph.importers.limits.MAX_GEOMETRY)")
    return value
