"""Strict parsing of attribute values.

Values arrive as DOT strings (``"3"``, ``'"3,5"'`` with the quotes networkx/pydot keep),
typed GraphML values (``3``, ``3.0``, ``True``) or Python objects from graphs built in code
(``3``, ``(3, 5)``). Each parser accepts exactly the forms that mean one thing and raises
:class:`~rfgraph.core.errors.AttributeValueError` naming the attribute, the value and its owner
otherwise. Per-axis values are in (H, W) order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from .errors import AttributeValueError, shorten
from .limits import check, current_limits

__all__ = ["boolean", "broadcast", "choice", "int_axes", "position", "positive_axes", "text", "unquote"]

_INT = re.compile(r"[+-]?\d+\Z")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def unquote(value: str) -> str:
    """Strip one pair of surrounding double quotes, as pydot/networkx leave them.

    >>> unquote('"3,5"'), unquote('3')
    ('3,5', '3')
    """
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def _fail(owner: str, name: str, value: Any, what: str) -> AttributeValueError:
    return AttributeValueError(f"{owner}: attribute {name}={shorten(value)}: {what}")


def _from_text(text: str, owner: str, name: str) -> int:
    """An integer literal (already matched by ``_INT``), its digits checked against the limit
    before conversion (Python refuses to convert more than 4300 digits, and takes quadratic
    time to do it)."""
    digits = len(text.lstrip("+-").lstrip("0"))
    if digits > current_limits().max_int_digits:
        check("max_int_digits", digits, f"{owner}: attribute {name}: an integer of {digits} digits")
    return int(text)


def _one_int(item: Any, owner: str, name: str, value: Any) -> int:
    if isinstance(item, bool):
        raise _fail(owner, name, value, "expected an integer, got a boolean")
    if isinstance(item, Integral):
        return int(item)
    if isinstance(item, Real):  # GraphML attr.type="double", a Fraction or numpy float in code
        try:
            numerator, denominator = item.as_integer_ratio()
        except (AttributeError, OverflowError, ValueError):  # inf, nan
            raise _fail(owner, name, value, "expected an integer") from None
        if denominator == 1:
            return int(numerator)
        raise _fail(owner, name, value, "expected an integer")
    if isinstance(item, str):
        text = item.strip()
        if _INT.match(text):
            return _from_text(text, owner, name)
    raise _fail(owner, name, value, "expected an integer or a comma-separated list of integers")


def int_axes(value: Any, owner: str, name: str) -> tuple[int, ...]:
    """Parse an integer or a per-axis list: ``3``, ``"3"``, ``'"3,5"'``, ``(3, 5)``.

    >>> int_axes('"3,5"', "edge a -> b", "k")
    (3, 5)
    >>> int_axes("abc", "edge a -> b", "k")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.AttributeValueError: edge a -> b: attribute k='abc': expected an integer or a comma-separated list of integers
    """
    if isinstance(value, str):
        text = unquote(value.strip()).strip()
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        # Count before splitting: a value of a hundred million commas must not become a list.
        count = text.count(",") + (not text.endswith(","))
        check("max_axes", count, f"{owner}: attribute {name} has {count} axes, which")
        parts = text.split(",")
        if text.endswith(","):  # "(3,)" is a one-axis tuple written by Python
            parts = parts[:-1]
        if not parts or any(not part.strip() for part in parts):
            raise _fail(owner, name, value, "expected an integer or a comma-separated list of integers")
        return tuple(_one_int(part, owner, name, value) for part in parts)
    if isinstance(value, Sequence):
        if not value:
            raise _fail(owner, name, value, "empty list")
        check("max_axes", len(value), f"{owner}: attribute {name} has {len(value)} axes, which")
        return tuple(_one_int(item, owner, name, value) for item in value)
    return (_one_int(value, owner, name, value),)


def positive_axes(value: Any, owner: str, name: str) -> tuple[int, ...]:
    """Like :func:`int_axes`, every entry at least 1 (kernel sizes, strides, dilations)."""
    values = int_axes(value, owner, name)
    if any(v < 1 for v in values):
        raise _fail(owner, name, value, "must be a positive integer")
    return values


def boolean(value: Any, owner: str, name: str) -> bool:
    """Parse ``true``/``false``/``1``/``0``/``yes``/``no`` (any case) or a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Integral) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        found = _BOOL.get(unquote(value.strip()).strip().lower())
        if found is not None:
            return found
    raise _fail(owner, name, value, "expected true or false")


def choice(value: Any, owner: str, name: str, allowed: Sequence[str]) -> str:
    """Parse one of ``allowed`` (case-insensitive)."""
    if isinstance(value, str):
        text = unquote(value.strip()).strip().lower()
        if text in allowed:
            return text
    raise _fail(owner, name, value, "expected one of " + ", ".join(allowed))


def text(value: Any) -> str:
    """A plain string attribute (op names, node names), unquoted."""
    return unquote(value.strip()) if isinstance(value, str) else str(value)


def broadcast(values: tuple, ndim: int, owner: str, name: str) -> tuple:
    """Expand a scalar to ``ndim`` axes; a list must have exactly ``ndim`` entries."""
    if len(values) == ndim:
        return values
    if len(values) == 1:
        return values * ndim
    raise AttributeValueError(
        f"{owner}: attribute {name} has {len(values)} axes but the graph has {ndim}"
    )


def position(at: Any, ndim: int) -> tuple[int, ...]:
    """A position as one int per axis: one value applies to every axis.

    >>> position(3, 2), position((1, 2), 2), position([4], 1)
    ((3, 3), (1, 2), (4,))
    >>> position((1, 2, 3), 2)
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.AttributeValueError: position (1, 2, 3) has 3 coordinates, the graph has 2 axes
    """
    values = tuple(at) if (isinstance(at, Sequence) and not isinstance(at, str)) or hasattr(at, "__array__") else (at,)
    if len(values) == 1:
        values = values * ndim
    if len(values) != ndim:
        raise AttributeValueError(f"position {at!r} has {len(values)} coordinates, the graph has {ndim} "
                                  f"{'axis' if ndim == 1 else 'axes'}")
    try:
        return tuple(int(v) for v in values)
    except (TypeError, ValueError, OverflowError):
        raise AttributeValueError(f"position {shorten(at)}: expected integers") from None
