"""Query parameters of the HTTP API, read strictly: every parameter is known, given once, and
of the right form, else a 400 naming it. Names and forms are those of the command line's
options (``input_size=224,224`` is ``--input-size 224,224``; ``224x224`` works too).

>>> read_params({"input_size": "224x224", "output": "layer2"}, ANALYZE)
{'input_size': (224, 224), 'output': 'layer2'}
>>> read_params({"limit": "ten"}, PATHS)
Traceback (most recent call last):
...
rfgraph.server.params.BadParameter: parameter limit='ten': expected an integer
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Callable

__all__ = ["ANALYZE", "DIAGRAM", "FOOTPRINTS", "NEAREST", "PATHS", "REGION", "SUMMARY", "TABLE", "BadParameter",
           "read_params"]

#: Longest list of integers a parameter takes (positions and sizes have one per axis).
MAX_ITEMS = 16
_SEPARATORS = re.compile(r"\s*[,x×]\s*")
_INT = re.compile(r"[+-]?\d{1,18}\Z")


class BadParameter(ValueError):
    """A query parameter that is unknown, repeated or malformed (HTTP 400)."""


def node(text: str) -> str:
    """A node name, as written (names are any text)."""
    return text


def integer(text: str) -> int:
    if not _INT.match(text.strip()):
        raise ValueError("expected an integer")
    return int(text)


def integers(text: str) -> tuple[int, ...]:
    """``224,224``, ``224x224``, ``3, 4`` or ``-1,0``."""
    parts = _SEPARATORS.split(text.strip())
    if len(parts) > MAX_ITEMS or not all(_INT.match(p) for p in parts):
        raise ValueError(f"expected up to {MAX_ITEMS} integers separated by commas")
    return tuple(int(p) for p in parts)


#: Most names a list of names takes.
MAX_NAMES = 1000


def names(text: str) -> tuple[str, ...]:
    """A JSON array of node names: ``["conv1","layer1.0"]`` (names are any text, so no
    separator would do)."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > MAX_NAMES:
        raise ValueError(f"expected a JSON array of at most {MAX_NAMES} node names")
    return tuple(value)


def flag(text: str) -> bool:
    value = {"1": True, "true": True, "yes": True, "on": True, "": True,
             "0": False, "false": False, "no": False, "off": False}.get(text.strip().lower())
    if value is None:
        raise ValueError("expected 1 or 0 (true or false)")
    return value


def depth(text: str) -> int:
    value = integer(text)
    if not 1 <= value <= 32:
        raise ValueError("expected a depth from 1 to 32")
    return value


def rankdir(text: str) -> str:
    value = text.strip().upper()
    if value not in ("TB", "LR", "BT", "RL"):
        raise ValueError("expected TB, LR, BT or RL")
    return value


Spec = Mapping[str, Callable[[str], Any]]

#: The parameters of each question (as the command line's options).
ANALYZE: Spec = {"input": node, "output": node, "input_size": integers}
TABLE: Spec = {"input": node, "from_output": node, "input_size": integers}
PATHS: Spec = {"input": node, "output": node, "limit": integer}
SUMMARY: Spec = {"input": node, "depth": integer, "input_size": integers}
REGION: Spec = {"at": integers, "all": flag, "input": node, "output": node, "input_size": integers, "set": flag}
FOOTPRINTS: Spec = {"at": integer, "axis": integer, "input": node, "output": node, "input_size": integers,
                    "maps": names}
NEAREST: Spec = {"pixel": integers, "input": node, "output": node}
DIAGRAM: Spec = {"input": node, "output": node, "input_size": integers, "collapse": flag, "depth": depth,
                 "from_output": flag, "rankdir": rankdir}


def read_params(query: Mapping[str, str] | Any, spec: Spec, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The query's parameters parsed by ``spec`` (``query``: a mapping, or Starlette's
    ``QueryParams`` whose ``multi_items()`` reveals repeats)."""
    items = query.multi_items() if hasattr(query, "multi_items") else list(query.items())
    out: dict[str, Any] = {}
    for name, text in items:
        if name not in spec:
            known = ", ".join(spec) or "none"
            raise BadParameter(f"unknown parameter {name!r} (this endpoint takes: {known})")
        if name in out:
            raise BadParameter(f"parameter {name} is given more than once")
        try:
            out[name] = spec[name](text)
        except ValueError as exc:
            raise BadParameter(f"parameter {name}={text!r}: {exc}") from None
    for name in required:
        if name not in out:
            raise BadParameter(f"parameter {name} is required")
    return out
