"""How rfgraph writes numbers, in JSON and in text.

JSON conventions: integers stay integers; a half-integer (a centre) is a number (``1.5``)
while a float holds it exactly (up to 2^52; beyond, the string ``"a/2"``, as a float would
drop the half); any other fraction is the string ``"a/b"``; strides are an int or ``"a/b"``; a value that is
not one number is ``null`` (its record's ``reason`` says why). Text: ``-`` for a missing value.

>>> number(Fraction(3, 2)), ratio(Fraction(1, 4)), text(None), joined([3, 3]), joined([3, 5])
(1.5, '1/4', '-', '3', '3,5')
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

__all__ = ["SCHEMA_VERSION", "document", "joined", "number", "ratio", "size_text", "text"]

#: The version of the JSON documents (every ``--json`` output and every HTTP answer).
SCHEMA_VERSION = 1
#: Half-integers whose numerator is at most this are exact as floats (JSON numbers).
EXACT_HALVES = 1 << 53


def number(x: Any) -> Any:
    """JSON form of an int or Fraction: int, float for halves, else the string ``"a/b"``.

    >>> number(3), number(Fraction(3, 2)), number(Fraction(1, 3)), number(None)
    (3, 1.5, '1/3', None)
    >>> number(Fraction(2**60 - 1, 2))        # a float would say 576460752303423488.0
    '1152921504606846975/2'
    """
    if type(x) is int:  # the common case; isinstance(x, Fraction) goes through ABCMeta (slow)
        return x
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return x.numerator
        if x.denominator == 2 and abs(x.numerator) <= EXACT_HALVES:
            return float(x)
        return f"{x.numerator}/{x.denominator}"
    return x


def ratio(x: Any) -> Any:
    """JSON form of a stride: int, or the string ``"a/b"`` when fractional.

    >>> ratio(2), ratio(Fraction(1, 2)), ratio(Fraction(4, 2))
    (2, '1/2', 2)
    """
    if type(x) is int:
        return x
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    return x


def text(x: Any) -> str:
    """Human form of a value: ``3``, ``1.5``, ``1/3``; ``-`` for None.

    >>> text(3), text(Fraction(3, 2)), text(Fraction(1, 3)), text(None)
    ('3', '1.5', '1/3', '-')
    >>> text(Fraction(1048575, 2)), text(Fraction(-2**70 - 1, 2))    # every digit, any size
    ('524287.5', '-590295810358705651712.5')
    """
    if x is None:
        return "-"
    if isinstance(x, Fraction) and x.denominator == 2:
        return f"{'-' if x < 0 else ''}{abs(x.numerator) // 2}.5"
    return str(number(x))


def joined(values: Sequence[Any]) -> str:
    """Per-axis values as one string: the value when every axis agrees, else comma-joined.

    >>> joined([427, 427]), joined([3, 5]), joined([None, None])
    ('427', '3,5', '-')
    """
    texts = [text(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else ",".join(texts)


def size_text(size: Sequence[int]) -> str:
    """A map size as people write it: ``224x224``.

    >>> size_text((224, 224)), size_text([7])
    ('224x224', '7')
    """
    return "x".join(map(str, size))


def document(payload: dict) -> dict:
    """A JSON document: ``payload`` with the schema version first.

    >>> document({"input": "x"})
    {'version': 1, 'input': 'x'}
    """
    return {"version": SCHEMA_VERSION, **payload}


def _names(nodes: Sequence[Any]) -> list[str]:
    return [str(n) for n in nodes]


