"""The HTTP API's endpoints, as data: the web app (:mod:`rfgraph.server.app`) serves them and
:mod:`rfgraph.server.openapi` documents them, from this one table.

>>> [e.path for e in ROUTES][:3]
['/api/health', '/api/graphs', '/api/graphs']
"""

from __future__ import annotations

from dataclasses import dataclass

from . import params as P

__all__ = ["JSON", "QUESTIONS", "ROUTES", "Endpoint"]

JSON = "application/json"


@dataclass(frozen=True)
class Endpoint:
    """One route of the API: what the OpenAPI document says about it."""

    method: str
    path: str
    summary: str
    params: P.Spec | None = None
    required: tuple[str, ...] = ()
    answer: str | None = None  # the JSON Schema $defs name of the 200 body
    media: str = JSON
    status: int = 200


#: question name -> (its parameters, the JSON Schema document of its answer, the CLI command)
QUESTIONS = {
    "analyze": (P.ANALYZE, "analyze", "rfgraph analyze FILE --json"),
    "table": (P.TABLE, "table", "rfgraph table FILE --json"),
    "paths": (P.PATHS, "paths", "rfgraph paths FILE --json"),
    "summary": (P.SUMMARY, "summary", "rfgraph summary FILE --json"),
    "region": (P.REGION, "region", "rfgraph region FILE --json"),
    "footprints": (P.FOOTPRINTS, "footprints", None),
    "nearest": (P.NEAREST, "nearest", None),
}

ROUTES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/health", "Is the service up", answer="health"),
    Endpoint("GET", "/api/graphs", "The graphs served from the command line", answer="graphs"),
    Endpoint("POST", "/api/graphs", "Upload a graph file (DOT, GraphML or ONNX) as the request body",
             {"name": P.node}, ("name",), answer="graph", status=201),
    Endpoint("GET", "/api/graphs/{id}", "One graph: its record, maps and layers", answer="graph_detail"),
    *(Endpoint("GET", f"/api/graphs/{{id}}/{name}",
               f"The answer of `{cli}`, less `file`" if cli else {
                   "footprints": "One output feature followed back through every map along one axis",
                   "nearest": "The output feature whose centre is nearest an input pixel"}[name],
               spec, ("at",) if name == "footprints" else ("pixel",) if name == "nearest" else (), answer=doc)
      for name, (spec, doc, cli) in QUESTIONS.items()),
    Endpoint("GET", "/api/graphs/{id}/diagram.svg", "The annotated diagram as SVG (nodes: ids n0, n1, ...)",
             P.DIAGRAM, media="image/svg+xml"),
    Endpoint("GET", "/api/graphs/{id}/diagram.dot", "The annotated diagram as DOT text", P.DIAGRAM,
             media="text/vnd.graphviz"),
    Endpoint("GET", "/api/openapi.json", "This API's OpenAPI document"),
    Endpoint("GET", "/api/schema.json", "The JSON Schema of every JSON document"),
)
