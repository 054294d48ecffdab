"""The OpenAPI 3.1 document of the HTTP API, built from the routes themselves
(:data:`rfgraph.server.routes.ROUTES`) and the JSON Schema of rfgraph's documents: OpenAPI 3.1
schemas are JSON Schema 2020-12, so the JSON Schema's ``$defs`` are the document's
``components/schemas`` as they are (only ``$ref`` targets move), and the two cannot drift.

>>> doc = openapi_document()
>>> doc["openapi"], sorted(doc["paths"]["/api/graphs"])
('3.1.0', ['get', 'post'])
>>> doc["paths"]["/api/graphs/{id}/table"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
{'$ref': '#/components/schemas/table'}
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..results import json_schema
from . import params as P
from .routes import JSON, ROUTES, Endpoint

__all__ = ["openapi_document"]

_PARAM_SCHEMAS = {
    P.node: ({"type": "string"}, "a node name"),
    P.integer: ({"type": "integer"}, "an integer"),
    P.integers: ({"type": "string", "pattern": r"^\s*[+-]?\d+(\s*[,x×]\s*[+-]?\d+)*\s*$"},
                 "integers separated by commas, one per axis (224,224 or 224x224)"),
    P.flag: ({"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off", ""]}, "1 or 0"),
    P.rankdir: ({"type": "string", "enum": ["TB", "LR", "BT", "RL"]}, "layout direction"),
    P.depth: ({"type": "integer", "minimum": 1, "maximum": 32}, "an integer"),
    P.names: ({"type": "string", "contentMediaType": "application/json"}, f"a JSON array of at most {P.MAX_NAMES} names"),
}

_MEANINGS = {
    "input": "input node (default: graph attribute or unique source)",
    "output": "output node (default: graph attribute or unique sink)",
    "input_size": "input length per axis (default: the graph attribute input_size)",
    "from_output": "table: the output (this node, or the graph's output when empty) seen from every node; "
                   "diagram: label maps with the output seen from them",
    "limit": "list at most this many paths (default 20)",
    "at": "output feature position (one value per axis, or one for all)",
    "all": "every output position (needs an input size)",
    "set": "also list the exact set of input pixels",
    "axis": "the axis followed (default 0)",
    "maps": 'list only these maps (default: every map), e.g. ["conv1","layer1.0"]: the rows a page draws',
    "pixel": "an input pixel (one value per axis, or one for all)",
    "collapse": "fold runs of elementwise layers into one edge",
    "depth": "summary: one row per module at this depth (1: stages, 2: blocks); diagram: draw each module of the hierarchy in the node names at this depth as one node (1: stages such as "
             "layer3, 2: blocks such as layer3.2); its id is g<i>, i its first map",
    "rankdir": "layout direction (default TB)",
    "name": "the file's name: its suffix (.dot, .gv, .graphml, .onnx) gives the format",
}

_ERRORS = {
    "400": "A bad parameter or a file that is not a valid graph (the command line's one-line message)",
    "404": "Unknown graph (or an evicted upload: upload it again), node or endpoint",
    "405": "Method not allowed",
    "413": "Upload over the limit (rfgraph serve --max-upload)",
    "503": "The question took longer than rfgraph serve --timeout, or its worker stopped",
}


def _refs(value: Any) -> Any:
    """``value`` with every ``#/$defs/`` reference pointing into ``#/components/schemas/``."""
    if isinstance(value, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _refs(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_refs(v) for v in value]
    return value


def _operation(e: Endpoint) -> dict:
    op: dict[str, Any] = {"summary": e.summary, "operationId": _operation_id(e)}
    parameters = []
    if "{id}" in e.path:
        parameters.append({"name": "id", "in": "path", "required": True, "description": "graph id",
                           "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}})
    for name, parse in (e.params or {}).items():
        schema, form = _PARAM_SCHEMAS[parse]
        parameters.append({"name": name, "in": "query", "required": name in e.required, "schema": schema,
                           "description": f"{_MEANINGS.get(name, name)} ({form})"})
    if parameters:
        op["parameters"] = parameters
    if e.method == "POST":
        op["requestBody"] = {"required": True, "description": "the file's bytes",
                             "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                 "contentMediaType": "application/octet-stream"}}}}
    if e.answer == "analyze":  # a model with several outputs and none named: one document each
        body = {JSON: {"schema": {"oneOf": [{"$ref": "#/components/schemas/analyze"},
                                            {"type": "array", "items": {"$ref": "#/components/schemas/analyze"},
                                             "minItems": 2}]}}}
    elif e.answer is not None:
        body = {JSON: {"schema": {"$ref": f"#/components/schemas/{e.answer}"}}}
    elif e.media == JSON:
        body = {JSON: {"schema": {"type": "object"}}}
    else:
        body = {e.media: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(e.status): {"description": "the answer", "content": body}}
    for code, what in _ERRORS.items():
        if code == "413" and e.method != "POST":
            continue
        responses[code] = {"description": what,
                           "content": {JSON: {"schema": {"$ref": "#/components/schemas/error"}}}}
    op["responses"] = responses
    return op


def _operation_id(e: Endpoint) -> str:
    words = [w for w in e.path.replace("{id}", "").replace(".", "_").split("/") if w and w != "api"]
    return e.method.lower() + "_" + "_".join(words)


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the API."""
    schema = json_schema()
    paths: dict[str, dict] = {}
    for e in ROUTES:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": "rfgraph", "version": __version__,
                 "description": "Receptive fields of convolutional networks given as graphs. Every JSON body "
                                "carries \"version\": 1; each question's answer is what the command line "
                                "prints with --json (less \"file\"). Errors are {\"version\": 1, \"error\": "
                                "\"...\"}."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": _refs(schema["$defs"])},
    }
