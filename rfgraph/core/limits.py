"""The limits on what rfgraph reads, computes and lists: decided in this one place, checked
before anything big is allocated or looped over.

A graph file can state any number: an input of 10^9 pixels, a stride of 10^24, an
upsampling by 10^9, 10^8 axes. Every reader, pass and command checks the sizes it is about
to work with against the limits in force and refuses with a
:class:`~rfgraph.core.errors.LimitError` naming the file, node or edge, the value and the
limit, instead of running for minutes or exhausting memory. The defaults are generous
for real networks (an 8192x8192 input through any of them, 100,000-edge graphs,
one-dimensional signals of a million samples) and every limit can be raised:

>>> import rfgraph
>>> rfgraph.current_limits().max_length
1048576
>>> with rfgraph.limits(max_length=1 << 22):           # for this block (this thread or task)
...     rfgraph.current_limits().max_length
4194304
>>> rfgraph.current_limits().max_length
1048576

``rfgraph.set_limits(...)`` changes the defaults for the whole process (a notebook session);
on the command line each limit is an option (``--max-length N``, ``--max-file-size 1G``).
The limits live in a :class:`contextvars.ContextVar`, so concurrent requests of a service
can each have their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from .errors import LimitError

__all__ = ["DEFAULT", "Limits", "beyond", "check", "check_bytes", "check_digits", "current_limits", "limits",
           "parse_amount", "set_limits", "stride_bound", "too_many_digits"]

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30


@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring). Every field is a positive integer.

    Attributes
    ----------
    max_file_size : int
        Bytes read from a graph file (DOT, GraphML) or standard input: 256 MiB (about a
        million edges).
    max_model_size : int
        Bytes read from a model file (ONNX, Keras): 2 GiB (ONNX's own protobuf limit).
    max_nodes, max_edges : int
        Nodes and edges of one graph: 1,048,576 each.
    max_axes : int
        Spatial axes: 8.
    max_length : int
        Length of a feature map along one axis (the input size and every size inferred from
        it), and the largest kernel size, stride, dilation, padding or scale factor (a larger
        one cannot fit such a map): 1,048,576; at most 2^30 (exact regions compute in 64-bit
        integers).
    max_strides : int
        Different effective strides of the paths that reach one node: 64 (an aligned network
        has one; each is a separate class in the analysis).
    max_int_digits : int
        Decimal digits of an integer read from a file or computed (a stride, a size): 4300,
        Python's own limit for converting integers to text. Path counts are exempt: they are
        exact and printed whatever their size.
    max_items : int
        Records one answer lists: output positions (``region --all``), paths (``--limit``),
        phases of a fractional stride, layers of the mismatches' witness paths: 1,048,576.
    max_memory : int
        Estimated working memory of one array step of the exact-region pass (and of the
        footprints of a plot): 2 GiB.
    """

    max_file_size: int = 256 * MiB
    max_model_size: int = 2 * GiB
    max_nodes: int = 1 << 20
    max_edges: int = 1 << 20
    max_axes: int = 8
    max_length: int = 1 << 20
    max_strides: int = 64
    max_int_digits: int = 4300
    max_items: int = 1 << 20
    max_memory: int = 2 * GiB

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {f.name} must be a positive integer, got {value!r}")
        if self.max_length > 1 << 30:  # the exact passes compute positions x strides in int64
            raise ValueError(f"limit max_length can be at most 2**30, got {self.max_length}")

    def changed(self, **changes: int) -> "Limits":
        """A copy with some limits changed (unknown names are a TypeError listing the known)."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise TypeError(f"unknown limit {unknown[0]!r} (known: {', '.join(f.name for f in fields(self))})")
        return replace(self, **changes)


#: The defaults (the values documented in the README).
DEFAULT = Limits()
#: Limits in memory units, shown as MiB/GiB in messages.
BYTES = frozenset({"max_file_size", "max_model_size", "max_memory"})

_process_default = DEFAULT
_current: ContextVar[Limits | None] = ContextVar("rfgraph_limits", default=None)


def current_limits() -> Limits:
    """The limits in force here (this thread or task).

    Examples
    --------
    >>> current_limits().max_axes
    8
    """
    found = _current.get()
    return found if found is not None else _process_default


@contextmanager
def limits(**changes: int) -> Iterator[Limits]:
    """Raise (or lower) some limits inside a ``with`` block; yields the limits in force.

    Examples
    --------
    >>> with limits(max_items=10) as now:
    ...     now.max_items, current_limits().max_items
    (10, 10)
    """
    token = _current.set(current_limits().changed(**changes))
    try:
        yield current_limits()
    finally:
        _current.reset(token)


def set_limits(**changes: int) -> Limits:
    """Change the limits for the whole process (threads and tasks that have not set their
    own with :func:`limits`); returns the new defaults. ``set_limits()`` with no argument
    restores the documented defaults.

    Examples
    --------
    >>> set_limits(max_strides=128).max_strides
    128
    >>> set_limits().max_strides
    64
    """
    global _process_default
    _process_default = DEFAULT.changed(**changes) if changes else DEFAULT
    return _process_default


def show(name: str, value: int) -> str:
    """A limit's value as people read it: ``256 MiB`` for memory, ``1048576`` otherwise."""
    if name in BYTES:
        for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
            if value >= size and value % size == 0:
                return f"{value // size} {unit}"
        return f"{value} bytes"
    return str(value)


def check(name: str, value: int, what: str) -> int:
    """``value`` if it is within the limit ``name``, else a LimitError saying ``what``.

    Examples
    --------
    >>> check("max_axes", 3, "graph: 3 axes")
    3
    >>> check("max_axes", 65, "graph: attribute k with 65 axes")
    Traceback (most recent call last):
    ...
    rfgraph.core.errors.LimitError: graph: attribute k with 65 axes exceeds the limit of 8 (max_axes: rfgraph.limits(max_axes=...) raises it)
    """
    limit = getattr(current_limits(), name)
    if value > limit:
        raise LimitError(what, name, limit, show(name, limit))
    return value


def check_bytes(name: str, size: int, what: str) -> int:
    """Like :func:`check` for a number of bytes (``what`` is, say, ``"x.dot: 300 MiB"``)."""
    limit = getattr(current_limits(), name)
    if size > limit:
        raise LimitError(what, name, limit, show(name, limit))
    return size


@lru_cache(maxsize=8)
def _power_of_ten(digits: int) -> int:
    return 10 ** digits


def stride_bound() -> int:
    """The largest effective stride (numerator or denominator) the passes accept: 40 digits
    below max_int_digits, so that every value computed from it (r, P, centres: a stride times
    a sum of at most max_edges kernels and paddings of at most max_length) stays within it."""
    return _power_of_ten(max(current_limits().max_int_digits - 40, 1))


def too_many_digits(what: str) -> LimitError:
    """The error for a computed number past :func:`stride_bound` (``what`` names it)."""
    limit = current_limits().max_int_digits
    return LimitError(f"{what} has more than {max(limit - 40, 1)} digits, which", "max_int_digits", limit)


def beyond(stride, bound: int) -> bool:
    """Whether the stride (an int or Fraction) is past ``bound`` (see :func:`stride_bound`)."""
    if type(stride) is int:
        return stride > bound
    return stride.numerator > bound or stride.denominator > bound


def check_digits(value, what: str):
    """``value`` (an int or a Fraction, or None) if it has at most max_int_digits digits
    (numerator and denominator each; estimated from the bit length, one digit on the safe
    side).

    >>> check_digits(10 ** 20, "stride")
    100000000000000000000
    """
    if value is None:
        return value
    limit = current_limits().max_int_digits
    for part in (value.numerator, value.denominator):
        digits = int(part.bit_length() * 0.30103) + 1
        if digits > limit:
            raise LimitError(f"{what}: an integer of about {digits} digits", "max_int_digits", limit)
    return value


_UNITS = {"": 1, "K": KiB, "M": MiB, "G": GiB, "T": 1 << 40}


def parse_amount(text: str) -> int:
    """A limit's value as typed on the command line: an integer, optionally with a binary
    unit (``K``, ``M``, ``G``, ``T``, times 1024, 1024², ...; ``KiB``, ``MB`` and ``M`` alike).

    >>> parse_amount("256M"), parse_amount("1GiB"), parse_amount("4096"), parse_amount("2k")
    (268435456, 1073741824, 4096, 2048)
    """
    cleaned = text.strip().upper().replace("_", "")
    for suffix in ("IB", "B"):
        if cleaned.endswith(suffix) and cleaned[:-len(suffix)][-1:] in ("K", "M", "G", "T"):
            cleaned = cleaned[: -len(suffix)]
            break
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS and cleaned[-1:] else ""
    digits = cleaned[: len(cleaned) - len(unit)]
    if not digits.isdigit() or len(digits) > 30:
        raise ValueError(f"expected a positive integer with an optional unit K, M, G or T, got {text!r}")
    value = int(digits) * _UNITS[unit]
    if value < 1:
        raise ValueError(f"expected a positive integer, got {text!r}")
    return value


def file_size_text(size: int) -> str:
    """``size`` bytes as people read it (``300.0 MiB``)."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"

