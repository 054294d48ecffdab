"""Text shown on diagrams and plots: node names made safe, numbers, paths.

One home for what both the Graphviz diagrams and the matplotlib figures print, so a name or a
value reads the same everywhere.

>>> short_path(["a", "b", "c", "d", "e"], limit=4)
'a → b → … → d → e'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..io.dot import quote_value
from ..results import text

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(name: Any) -> str:
    """``str(name)`` with control characters (other than tab and newline) spelt ``\\xNN``
    and lone surrogates escaped, so the text is valid in DOT, SVG and XML.

    >>> visible("a\\x01b")
    'a\\\\x01b'
    """
    text = name if isinstance(name, str) else str(name)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def label_text(lines: Iterable[Any]) -> str:
    """A Graphviz label (an escString) showing ``lines`` literally, one per line.

    Backslashes are doubled (so ``\\N``, ``\\G`` and ``\\n`` written in a name stay as
    written), newlines inside a line become line breaks (``\\n``); the result still has to be
    quoted (:func:`quote`), which escapes double quotes.

    >>> label_text(["a\\\\N", 'say "hi"'])
    'a\\\\\\\\N\\\\nsay "hi"'
    """
    return "\\n".join(visible(line).replace("\\", "\\\\").replace("\n", "\\n") for line in lines)


def left_text(lines: Sequence[str]) -> str:
    """A Graphviz label of left-justified lines (``\\l`` ends each), shown literally.

    >>> left_text(["a", "b"])
    'a\\\\lb\\\\l'
    """
    return "".join(visible(line).replace("\\", "\\\\").replace("\n", "\\l") + "\\l" for line in lines)


def quote(value: Any) -> str:
    """A DOT ID for ``value``: bare when it is a plain identifier or number, else a
    double-quoted string with ``"`` escaped (the quoting of :func:`rfgraph.io.dot.format_dot`).

    >>> quote("n1"), quote("a b")
    ('n1', '"a b"')
    """
    return quote_value(value)


def dot_attrs(items: dict[str, Any]) -> str:
    """``k=v, ...`` for a DOT attribute list, values quoted, None values left out.

    >>> dot_attrs({"shape": "box", "label": "a b", "color": None})
    'shape=box, label="a b"'
    """
    return ", ".join(f"{k}={quote(v)}" for k, v in items.items() if v is not None)


def joined(texts: Sequence[str]) -> str:
    """One text when every axis has the same, else the texts per axis joined by commas.

    >>> joined(["3", "3"]), joined(["3", "5"])
    ('3', '3,5')
    """
    return texts[0] if len(set(texts)) == 1 else ",".join(texts)


def value_text(values: Sequence[Any]) -> str:
    """:func:`joined` for numbers (``-`` for None).

    >>> value_text([3, 3]), value_text([3, 5]), value_text([None])
    ('3', '3,5', '-')
    """
    return joined([text(v) for v in values])


def axes_text(axes: Sequence, ranges: Sequence | None = None) -> str:
    """``r 7 · S 4 · P 3`` for a node's :class:`~rfgraph.results.AxisResult` records (values
    per axis separated by commas when the axes differ); undefined values are said in words.
    A map that depends on the whole input shows the r, S, P of the paths that avoid the
    whole-input layers, marked ``+ global context`` (``whole input`` when there are none);
    ``ranges`` (per axis ``((rf_min, rf_max), (P_min, P_max))``) gives a range where the
    region size depends on the output position.

    >>> import rfgraph
    >>> row = rfgraph.table("graphs/distill_fig1_chain.dot")["f4"]
    >>> axes_text(row.axes)
    'r 7 · S 4 · P 3'
    >>> axes_text(rfgraph.table("graphs/zoo/efficientnet_b0.dot")["features"].axes)
    'r 851 + global context · S 32 · P 425'
    """
    if all(a.whole_input is not None for a in axes):
        if all(a.local is not None and a.local.rf is not None for a in axes):
            local = axes_text([a.local for a in axes])
            return local.replace(" · S", " + global context · S", 1)
        return "whole input"
    ranges = ranges or [None] * len(axes)
    parts = [_range_parts(a, span) if span is not None else _axis_parts(a) for a, span in zip(axes, ranges)]
    r, s, p = (joined([x[i] for x in parts]) for i in range(3))
    return f"r {r} · S {s} · P {p}"


def _axis_parts(a) -> tuple[str, str, str]:
    """(r, S, P) of one axis as words: ``whole``, ``varies`` or ``?`` where not one number."""
    if a.whole_input is not None:
        return ("whole", "whole", "whole")
    if a.rf is None and len(a.classes) > 1:
        return ("varies", "|".join(text(c.stride) for c in a.classes), "varies")
    if a.rf is None and any(c.fractional for c in a.classes):  # upsampling: per position
        return ("varies", text(a.stride), "varies")
    # "?": SAME padding that needs the input size
    return (text(a.rf) if a.rf is not None else "?", text(a.stride),
            text(a.padding) if a.padding is not None else "?")


def _range_parts(a, span) -> tuple[str, str, str]:
    """(r, S, P) of an axis whose region size repeats with the output position."""
    (r_lo, r_hi), (p_lo, p_hi) = span
    show = lambda lo, hi: text(lo) if lo == hi else f"{text(lo)}–{text(hi)}"  # noqa: E731
    return (show(r_lo, r_hi), text(a.stride), show(_integral(p_lo), _integral(p_hi)))


def _integral(x):
    return int(x) if float(x).is_integer() else x


def size_text(size: Sequence[int] | None) -> str | None:
    """``size 7×7`` (None without a size).

    >>> size_text((7, 7)), size_text(None)
    ('size 7×7', None)
    """
    return "size " + "×".join(map(str, size)) if size else None


def short_path(nodes: Sequence[Any], limit: int = 6) -> str:
    """``a → b → … → y → z``: a path's node names, the middle left out beyond ``limit``.

    >>> short_path(["x", "a", "y"])
    'x → a → y'
    """
    names = [visible(n) for n in nodes]
    if len(names) > limit:
        names = names[: limit // 2] + ["…"] + names[-(limit // 2):]
    return " → ".join(names)


def geometry_text(geometry) -> str:
    """``r 5, S 2, P 2`` of one path's :class:`~rfgraph.results.PathGeometry`."""
    return f"r {text(geometry.rf)}, S {text(geometry.stride)}, P {text(geometry.padding)}"
