"""Attribute values as text, the same way in every writer, so that what rfgraph writes it
reads back: an integral number is written as an integer (a GraphML ``double`` holding 2 for
``s`` becomes ``s=2`` in DOT, never ``s=2.0``), a per-axis tuple as ``3,5``.

>>> value_text(2.0), value_text(2.5), value_text((3.0, 5)), value_text(True), value_text(float("nan"))
('2', '2.5', '3,5', 'true', 'nan')
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from ..core.errors import AttributeValueError

__all__ = ["integral", "value_text"]


def integral(value: Any) -> bool:
    """Whether ``value`` is a number with an integer value (not a bool)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Integral):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def value_text(value: Any) -> str:
    """The text of an attribute value (see the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ",".join(value_text(v) for v in value)
    if integral(value):
        value = int(value)
        try:
            return str(value)
        except ValueError:  # more digits than Python converts: no file of ours holds one
            raise AttributeValueError(f"cannot write an integer of {value.bit_length()} bits as text") from None
    if isinstance(value, Real) and isinstance(value, float):
        return repr(float(value))
    return str(value)
