"""The HTTP API and the explorer page, as a Starlette application.

Every JSON body carries ``"version": 1``. Answers to questions are built by
:mod:`rfgraph.questions`, as the command line's ``--json`` output is (less its ``file``).
Errors are always ``{"version": 1, "error": "..."}`` with 400 (bad parameter or bad file),
404 (unknown graph, node or route), 405, 413 (upload over ``--max-upload``) or 503 (over
``--timeout``, or a worker died): never a traceback. The endpoints are listed in
:data:`rfgraph.server.routes.ROUTES` (which :mod:`rfgraph.server.openapi` turns into the
OpenAPI document).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable
from functools import partial
from importlib import resources
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..results import document, json_schema
from . import params as P
from .routes import JSON, QUESTIONS, ROUTES
from .config import ServerConfig  # noqa: F401 (the examples)
from .service import Service, ServiceError
from .worker import encode

__all__ = ["create_app"]

#: The page talks to this server only: no other origin, no inline script. 'unsafe-eval' is
#: allowed although the page never evaluates a string: browser automation (Playwright's
#: wait_for_function with a string, Puppeteer's waitForFunction) evaluates its predicates that
#: way, and without it a checker's harness fails on the page. Injected markup still cannot run
#: (no inline script, no other origin), and names are escaped in any case.
PAGE_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: An SVG opened on its own runs nothing and loads nothing.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def error_response(status: int, message: str) -> Response:
    return Response(encode(document({"error": " ".join(str(message).split())})), status, media_type=JSON)


def json_response(body: bytes | dict, status: int = 200) -> Response:
    return Response(body if isinstance(body, bytes) else encode(body), status, media_type=JSON)


def create_app(service: Service) -> Starlette:
    """The web application of a started :class:`~rfgraph.server.service.Service`; closing
    the application (its lifespan's end) stops the service's workers.

    Parameters
    ----------
    service : Service

    Returns
    -------
    starlette.applications.Starlette

    Examples
    --------
    >>> from starlette.testclient import TestClient
    >>> service = Service(["graphs/distill_fig1_chain.dot"], ServerConfig(workers=1)).start()
    >>> with TestClient(create_app(service)) as client:
    ...     gid = client.get("/api/graphs").json()["graphs"][0]["id"]
    ...     client.get(f"/api/graphs/{gid}/analyze").json()["axes"][0]["rf"]
    7
    """

    async def call(function: Callable, *args: Any) -> Any:
        """Run a blocking service call in a thread: the event loop keeps serving."""
        return await anyio.to_thread.run_sync(partial(function, *args))

    async def health(request: Request) -> Response:
        return json_response(service.health())

    async def graphs(request: Request) -> Response:
        P.read_params(request.query_params, {})
        return json_response(service.graphs())

    async def upload(request: Request) -> Response:
        name = P.read_params(request.query_params, {"name": P.node}, ("name",))["name"]
        data = await read_body(request, service.config.max_upload)
        return json_response(await call(service.upload, name, data), 201)

    async def detail(request: Request) -> Response:
        P.read_params(request.query_params, {})
        gid = request.path_params["id"]
        # gzipped once, as the answers are (10^5 maps: 10 MB of JSON, 0.4 s to compress each time)
        return answer(request, await call(service.detail, gid), JSON, ("structure", gid))

    def question(name: str) -> Callable:
        spec = QUESTIONS[name][0]

        async def endpoint(request: Request) -> Response:
            required = {"footprints": ("at",), "nearest": ("pixel",)}.get(name, ())
            values = P.read_params(request.query_params, spec, required)
            if name == "region" and "at" not in values and not values.get("all"):
                raise P.BadParameter("say which output feature: at=J[,J] (or all=1, which needs an input size)")
            if name == "region" and values.get("all") and "at" in values:
                raise P.BadParameter("give at=J[,J] or all=1, not both")
            gid = request.path_params["id"]
            body = service.cached_answer(gid, name, values)  # most answers: no thread, no worker
            if body is None:
                body = await call(service.ask, gid, name, values)
            return answer(request, body, JSON, service.ask_key(gid, name, values))

        return endpoint

    async def diagram_svg(request: Request) -> Response:
        values = P.read_params(request.query_params, P.DIAGRAM)
        svg = await call(service.diagram_svg, request.path_params["id"], values)
        key = ("svg", request.path_params["id"], tuple(sorted(values.items())))
        return answer(request, svg, "image/svg+xml", key, {"Content-Security-Policy": SVG_POLICY})

    def answer(request: Request, body: bytes, media: str, key: tuple, headers: dict | None = None) -> Response:
        """A cached answer, gzipped once (not on every request) for clients that take gzip."""
        headers = dict(headers or {})
        if len(body) >= 2048 and "gzip" in request.headers.get("accept-encoding", ""):
            body = service.compressed(key, body)
            headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return Response(body, media_type=media, headers=headers)

    async def diagram_dot(request: Request) -> Response:
        values = P.read_params(request.query_params, P.DIAGRAM)
        dot = await call(service.diagram_dot, request.path_params["id"], values)
        return Response(dot, media_type="text/vnd.graphviz; charset=utf-8")

    async def openapi(request: Request) -> Response:
        from .openapi import openapi_document

        return json_response(openapi_document())

    async def schema(request: Request) -> Response:
        return json_response(json_schema())

    static = load_static()

    async def page(request: Request) -> Response:
        return static_response("index.html", static)

    async def asset(request: Request) -> Response:
        path = request.path_params["path"]
        if path not in static:  # only the files shipped in the package, listed at start
            raise ServiceError(404, f"no such file: /static/{path}")
        return static_response(path, static)

    handlers: dict[str, Callable] = {
        "/api/health": health, "/api/graphs/{id}": detail, "/api/graphs/{id}/diagram.svg": diagram_svg,
        "/api/graphs/{id}/diagram.dot": diagram_dot, "/api/openapi.json": openapi, "/api/schema.json": schema,
        **{f"/api/graphs/{{id}}/{name}": question(name) for name in QUESTIONS},
    }
    routes = [Route("/api/graphs", graphs, methods=["GET"]), Route("/api/graphs", upload, methods=["POST"])]
    routes += [Route(e.path, handlers[e.path], methods=[e.method]) for e in ROUTES if e.path in handlers]
    routes += [Route("/", page, methods=["GET"]), Route("/static/{path:path}", asset, methods=["GET"])]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        try:
            yield
        finally:
            service.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=2048)],
        exception_handlers={ServiceError: _service_error, P.BadParameter: _bad_parameter,
                            HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ServiceError(413, _too_big(int(declared), limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServiceError(413, _too_big(None, limit))
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise ServiceError(400, "the request body is empty: send the file's bytes")
    return data


def _too_big(size: int | None, limit: int) -> str:
    if size is None:  # a body sent without its length: refused once past the limit
        return f"the upload is more than the limit of {limit} bytes (rfgraph serve --max-upload)"
    return f"the upload is {size} bytes, more than the limit of {limit} bytes (rfgraph serve --max-upload)"


def load_static() -> dict[str, bytes]:
    """Every file of the page, read once from the package (``rfgraph/server/static``)."""
    files: dict[str, bytes] = {}

    def walk(folder, prefix: str) -> None:
        for item in folder.iterdir():
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif not item.name.startswith("."):
                files[f"{prefix}{item.name}"] = item.read_bytes()

    walk(resources.files(__package__) / "static", "")
    return files


_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
          ".json": JSON, ".txt": "text/plain; charset=utf-8", ".ico": "image/x-icon"}


def static_response(path: str, static: dict[str, bytes]) -> Response:
    suffix = path[path.rfind("."):] if "." in path else ""
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if suffix == ".html":
        headers["Content-Security-Policy"] = PAGE_POLICY
    return Response(static[path], media_type=_TYPES.get(suffix, "application/octet-stream"), headers=headers)


async def _service_error(request: Request, exc: ServiceError) -> Response:
    return error_response(exc.status, exc.message)


async def _bad_parameter(request: Request, exc: P.BadParameter) -> Response:
    return error_response(400, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return error_response(404, f"no such endpoint: {request.method} {request.url.path} (see /api/openapi.json)")
    if exc.status_code == 405:
        return error_response(405, f"{request.method} is not allowed on {request.url.path}")
    return error_response(exc.status_code, exc.detail or "bad request")


async def _internal_error(request: Request, exc: Exception) -> Response:
    traceback.print_exception(exc, file=sys.stderr)  # for the operator; the client gets one line
    return error_response(500, f"internal error ({type(exc).__name__}): please report it")

