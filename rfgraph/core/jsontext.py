"""JSON text of rfgraph's documents, fast and streamed.

The standard library's C encoder writes compact JSON fast; with ``indent`` it falls back to
the pure-Python encoder (ten times slower on big documents). rfgraph's layout gets the best
of both: the top level and the items of its big collections (the nodes of a table, the
positions of a region list, the paths) one per line, each item written compactly by the C
encoder. The document is the same JSON value whatever the layout.

Path counts can have thousands of digits (a chain of residual blocks doubles them at every
block), more than Python converts to text (``sys.get_int_max_str_digits()``) and in time
quadratic in the digits: :func:`int_text` writes any integer, and documents can carry
precomputed decimal texts (see :meth:`rfgraph.results.Table.json_chunks`).

>>> import io
>>> out = io.StringIO()
>>> write_document({"version": 1, "nodes": {"a": {"paths": 1}, "b": {"paths": 2}}}, out)
>>> print(out.getvalue(), end="")
{
  "version": 1,
  "nodes": {
    "a": {"paths": 1},
    "b": {"paths": 2}
  }
}
"""

from __future__ import annotations

import decimal
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

__all__ = ["encode", "int_text", "lines", "write_document"]

_ENCODER = json.JSONEncoder(separators=(", ", ": "))
_encode = _ENCODER.encode


def int_text(n: int) -> str:
    """The decimal text of any integer, however many digits (Python's own conversion
    refuses more than ``sys.get_int_max_str_digits()``).

    >>> int_text(2 ** 20000)[:12], len(int_text(2 ** 20000))
    ('398027684033', 6021)
    """
    limit = sys.get_int_max_str_digits()
    if not limit or n.bit_length() < limit * 3:  # 3 bits a digit: surely within the limit
        return str(n)
    return _big_int_text(n)


def _big_int_text(n: int) -> str:
    """Divide and conquer through :mod:`decimal` (as CPython 3.12's ``_pylong``): halves
    split by shifts, joined by decimal multiplications."""
    context = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                              traps=[decimal.Inexact, decimal.Rounded, decimal.Overflow])
    powers: dict[int, decimal.Decimal] = {}

    def power(w: int) -> decimal.Decimal:  # 2**w as a Decimal
        if w not in powers:
            powers[w] = context.power(decimal.Decimal(2), w) if w <= 128 else \
                context.multiply(power(w >> 1), power(w - (w >> 1)))
        return powers[w]

    def inner(m: int, w: int) -> decimal.Decimal:
        if w <= 128:
            return decimal.Decimal(m)
        half = w >> 1
        high = m >> half
        low = m - (high << half)
        return context.add(inner(low, half), context.multiply(inner(high, w - half), power(half)))

    sign = "-" if n < 0 else ""
    return sign + str(inner(abs(n), abs(n).bit_length()))


def _walk(value: Any) -> str:
    """JSON of ``value`` in Python, for values holding integers the C encoder cannot write."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return _encode(value)
    if isinstance(value, int):
        return int_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_encode(str(k))}: {_walk(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_walk(v) for v in value) + "]"
    return _encode(value)  # raises the encoder's own TypeError


def encode(value: Any) -> str:
    """Compact JSON of ``value`` (the C encoder; integers of any size).

    >>> encode({"a": [1, 2.5, None], "b": 10 ** 5000})[:20]
    '{"a": [1, 2.5, null]'
    """
    try:
        return _encode(value)
    except ValueError:  # an integer beyond Python's limit on digits
        return _walk(value)


def lines(doc: dict, depth: int = 2) -> Iterator[str]:
    """The chunks of ``doc``'s text in rfgraph's layout: dictionaries and lists (other than
    lists of numbers) down to ``depth`` levels one item per line, everything deeper compact."""
    yield from _lines(doc, depth, 0)
    yield "\n"


def _lines(value: Any, depth: int, level: int) -> Iterator[str]:
    if level >= depth or not isinstance(value, (dict, list)) or not value or _flat(value):
        yield encode(value)
        return
    pad = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        yield "{"
        first = True
        for key, item in value.items():
            yield pad + _encode(str(key)) + ": " if first else "," + pad + _encode(str(key)) + ": "
            first = False
            yield from _lines(item, depth, level + 1)
        yield "\n" + "  " * level + "}"
    else:
        yield "["
        first = True
        for item in value:
            yield pad if first else "," + pad
            first = False
            yield from _lines(item, depth, level + 1)
        yield "\n" + "  " * level + "]"


def _flat(value: dict | list) -> bool:
    """A list of scalars (a size, a set of pixels): one line, however long."""
    return isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value)


def write_document(doc: dict, stream: TextIO, depth: int = 2) -> None:
    """Write ``doc`` to ``stream`` in rfgraph's layout (see :func:`lines`)."""
    write_chunks(lines(doc, depth), stream)


def write_chunks(chunks: Iterable[str], stream: TextIO, size: int = 1 << 16) -> None:
    """Write text chunks in blocks of about ``size`` characters (few, big writes)."""
    buffer: list[str] = []
    count = 0
    for chunk in chunks:
        buffer.append(chunk)
        count += len(chunk)
        if count >= size:
            stream.write("".join(buffer))
            buffer, count = [], 0
    if buffer:
        stream.write("".join(buffer))
