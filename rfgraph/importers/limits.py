"""The importers' size checks, against the package's limits (:mod:`rfgraph.core.limits`).

A model file can state any size: an input of 10^9 pixels, pads of 10^9, an upsampling by
10^9. The importers check every feature map's length along every spatial axis, every
window, padding and scale factor as soon as they read them, and refuse with a
:class:`~rfgraph.core.errors.LimitError` naming the node and the limit (``max_length``, which
``rfgraph.limits(max_length=...)`` or ``--max-length`` raises), instead of running for
minutes and dying of memory.

>>> check_length(224, "input x")
224
>>> check_length(10**9, "input x")
Traceback (most recent call last):
...
rfgraph.core.errors.LimitError: input x: length 1000000000 along a spatial axis exceeds the limit of 1048576 (max_length: rfgraph.limits(max_length=...) raises it)
"""

from __future__ import annotations

from ..core.limits import check, check_bytes, file_size_text
from ..core.network import check_size

__all__ = ["MAX_FOLD_ELEMENTS", "check_example", "check_geometry", "check_length"]

#: Largest number of elements of a constant the ONNX importer folds (shape arithmetic,
#: pads, scales: such constants are small; a larger one is left unevaluated). Not a limit
#: on the model: folding is only a way to read its shapes.
MAX_FOLD_ELEMENTS = 1 << 16


def check_length(n: int, where: str, what: str = "length") -> int:
    """``n`` if it is a usable feature-map length (within ``max_length``)."""
    return check("max_length", n, f"{where}: {what} {n} along a spatial axis")


def check_geometry(value: int, where: str, what: str) -> int:
    """``value`` (a kernel, stride, dilation, padding or scale) if within ``max_length``."""
    check("max_length", abs(value), f"{where}: {what} {value}")
    return value


def check_example(size: tuple[int, ...]) -> None:
    """Refuse an example input that cannot be allocated (an RGB image of float32), before
    PyTorch or Keras tries: its length per axis and its memory within the limits."""
    check_size(size, "input size")
    need = 3 * 4
    for n in size:
        need *= n
    check_bytes("max_memory", need, f"input size {','.join(map(str, size))}: the example image needs about "
                                    f"{file_size_text(need)}, which")
