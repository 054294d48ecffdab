"""The JSON Schema of rfgraph's JSON documents (``rfgraph/schema/rfgraph-v1.schema.json``)."""

from __future__ import annotations

import json
import os

from .format import SCHEMA_VERSION

__all__ = ["json_schema"]

_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schema",
                            f"rfgraph-v{SCHEMA_VERSION}.schema.json")


def json_schema(document: str | None = None) -> dict:
    """The JSON Schema of rfgraph's JSON documents (``rfgraph/schema/rfgraph-v1.schema.json``):
    all of them, or one of ``"analyze"``, ``"table"``, ``"paths"``, ``"region"``, ``"wrote"``,
    ``"batch_row"`` (a line of ``rfgraph batch``), ``"batch_error"`` (with the shared
    definitions).

    >>> json_schema("analyze")["title"]
    'rfgraph analyze --json'
    """
    with open(_SCHEMA_FILE, encoding="utf-8") as fh:
        schema = json.load(fh)
    if document is None:
        return schema
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], **schema["$defs"][document]}
