"""The SPARQL 1.1 endpoint: ``/sparql`` (query protocol, service description, query page) and
``/.well-known/void`` (a VoID description of the public dataset).

Queries from outside run in killable worker processes (``graph.sparql.sandbox``), so a slow query stops
at ``query_timeout`` and never blocks ``/health``, the API or other queries. The event loop waits
for the worker's answer without a thread, and the answer's bytes, written by the engine in the
worker, become the response body as they are.

Queries take a short way in (:class:`QueryLane`): a plain ASGI layer just outside the router,
inside every app-wide middleware (CORS, gzip, security headers), answers query operations itself,
so they skip FastAPI's routing and dependency machinery (~20% of the time of a small query). It
hands everything else (updates, the query page, the service description) to the route below,
which can also answer queries on its own.

Caching (``graph.sparql.cache``): query shapes are remembered per text. On an embedded store a
GET query's answer is kept per store state (``Store.state_id``), with a weak ``ETag`` and
``Cache-Control: no-cache``: the same GET again is answered from memory, and with
``If-None-Match`` by ``304 Not Modified``, until a write changes the state. The service
description and VoID are kept per state the same way. POST queries are always run.

Status codes (problem+json when the client accepts JSON, else text/plain):

- ``400`` malformed query (the parser's message with line and column), a query sent twice, an
  update sent with GET or as ``query=``, ``SERVICE`` (federation is off: it would let anyone make
  this server call other hosts; the workers cannot reach the network either, see
  ``graph.sparql.netguard``), nesting the engine cannot survive, a query the engine failed on or
  that crashed two workers, a bad ``labels``/``format`` value;
- ``403`` SPARQL Update while no write handler is installed; ``405`` other methods;
- ``406`` no acceptable format for the result kind; ``413`` query text over ``max_query_bytes``;
- ``415`` a POST body that is not form-encoded, ``application/sparql-query`` or
  ``application/sparql-update``, or not UTF-8;
- ``503`` the query ran past ``query_timeout`` and was stopped (the endpoint itself gave up, like
  Fuseki; no Retry-After, since the same query would be stopped again), or all workers are busy
  (with ``Retry-After``), or a worker failed for reasons of its own (with ``Retry-After``);
  ``504`` a remote store timed out (``graph.store.StoreTimeout``).

Writes: ``service.writes`` sets :data:`UPDATE_HANDLER`; see its docstring.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from knooppunt.graph.namespaces import DCT, RDF, SD, VOID, XSD, sparql_prefixes
from knooppunt.graph.sparql import cache, sandbox
from knooppunt.graph.sparql.results import (
    GRAPH_MEDIA,
    RESULTS_MEDIA,
    QueryRequest,
    QueryResult,
    rdf_document,
)
from knooppunt.graph.sparql.text import (
    NotAcceptable,
    QueryBusy,
    QueryCrashed,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    WorkerFailed,
    resolve_dataset,
)
from knooppunt.graph.store import Store, StoreTimeout, StoreUnavailable
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from . import bodies, responses
from .conneg import negotiate, parse_accept, quality
from .problems import problem_response

router = APIRouter()

UPDATE_HANDLER: Callable[..., Response | Awaitable[Response]] | None = None
"""Set by ``service.writes`` to handle SPARQL Update requests on ``/sparql``.

Called as ``UPDATE_HANDLER(request, update_text, using_graph_uri=[...],
using_named_graph_uri=[...])`` after this module has checked the protocol (POST only, one
``update``, UTF-8, size); it may be a coroutine function and returns the response (it checks the
write token itself). While it is ``None``, updates get ``403``."""

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static" / "sparql"
FORMATS_NS = "http://www.w3.org/ns/formats/"
TRUNCATED_HEADER = "X-Knooppunt-Truncated"
ROW_CAP_HEADER = "X-Knooppunt-Row-Cap"
CACHE_CONTROL = "no-cache"
"""For GET answers: keep them, but ask (cheaply, with ``If-None-Match``) before using them again."""
GZIP_LEVEL = 1
"""zlib level 1: SPARQL results shrink ~25x anyway, at a twentieth of the CPU of level 9 (which
took ~10 ms for a 700 kB answer, more than the query)."""

# --- content negotiation ------------------------------------------------------------------------
RESULTS_TYPES = {  # media type -> results format; first entries preferred on a tie
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/rdf+n3": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/n-quads": "nq",
    "application/trig": "trig",
}
FORMAT_PARAM = {  # ?format= / ?output= / ?results= (SPARQLWrapper) -> (results, graph) formats
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "ttl"),
    "ttl": (None, "ttl"),
    "n3": (None, "ttl"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "json-ld": (None, "jsonld"),
    "jsonld": (None, "jsonld"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "nq": (None, "nq"),
    "nquads": (None, "nq"),
    "trig": (None, "trig"),
}


def _format_override(request: Request) -> tuple[str | None, str | None, str | None]:
    """(results format, graph format, the raw value) from ``format``/``output``/``results``."""
    for name in ("format", "output", "results"):
        value = request.query_params.get(name)
        if value:
            key = value.strip().lower()
            if key in FORMAT_PARAM:
                return (*FORMAT_PARAM[key], value)
            if key in RESULTS_TYPES or key in GRAPH_TYPES:
                return RESULTS_TYPES.get(key), GRAPH_TYPES.get(key), value
            raise _Fail(400, "Unknown format", f"{name}={value!r} is not a format we know; use one of "
                        + ", ".join(sorted(FORMAT_PARAM)) + " or a media type")
    return None, None, None


def wants_html(ranges: list[tuple[str, float, int]]) -> bool:
    """True when the client names text/html explicitly and likes it at least as much as any
    SPARQL or RDF type (a browser); ``*/*`` alone is not a request for a page."""
    html = [q for rng, q, _ in ranges if rng in ("text/html", "application/xhtml+xml")]
    if not html or max(html) <= 0:
        return False
    others = [quality(m, ranges)[0] for m in (*RESULTS_TYPES, *GRAPH_TYPES) if m not in ("text/plain",)]
    explicit = [q for rng, q, _ in ranges if rng in RESULTS_TYPES or rng in GRAPH_TYPES]
    return max(html) >= max(explicit, default=0) and max(html) >= max(others, default=0)


def _accepts_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return True
    ranges = parse_accept(accept)
    return any(q > 0 and ("json" in rng or rng in ("*/*", "application/*")) for rng, q, _ in ranges)


# --- errors -------------------------------------------------------------------------------------
class _Fail(Exception):
    """An error answer, rendered by :func:`_error` in the format the client can read."""

    def __init__(self, status: int, title: str, detail: str, headers: dict | None = None, **extra) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers, self.extra = status, title, detail, headers or {}, extra


def _error(request: Request, fail: _Fail) -> Response:
    headers = dict(fail.headers)
    if _accepts_json(request):
        return problem_response(fail.status, fail.title, fail.detail, headers=headers, **fail.extra)
    return PlainTextResponse(f"{fail.status} {fail.title}\n\n{fail.detail}\n", fail.status, headers=headers)


# --- reading the request ------------------------------------------------------------------------
class _Operation:
    def __init__(self) -> None:
        self.query: str | None = None
        self.update: str | None = None
        self.params: list[tuple[str, str]] = []
        self.body: bytes = b""  # as read, for a route further in to read again

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]


def _content_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    pieces = [p.strip() for p in raw.split(";")]
    params = {}
    for piece in pieces[1:]:
        key, _, value = piece.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return pieces[0].lower(), params


async def _read_body(request: Request, limit: int) -> bytes:
    try:
        return await bodies.read_body(request, limit)
    except bodies.BodyError as exc:
        raise _Fail(exc.status, "Query too large" if exc.status == 413 else exc.title, exc.detail) from None


def _utf8(body: bytes, charset: str | None) -> str:
    if charset and charset.replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise _Fail(415, "Unsupported charset", f"charset={charset} is not supported; send the text as UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Fail(400, "Not UTF-8", f"the request body is not valid UTF-8 (byte {exc.start})") from None


async def _read_operation(request: Request) -> _Operation:
    settings = request.app.state.settings
    op = _Operation()
    op.params = list(request.query_params.multi_items())
    if request.method == "POST":
        media, params = _content_type(request)
        if media == "application/x-www-form-urlencoded":
            body = op.body = await _read_body(request, max(settings.max_upload_bytes, 3 * settings.max_query_bytes))
            text = _utf8(body, params.get("charset"))
            try:
                form = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
            except UnicodeDecodeError:
                raise _Fail(400, "Not UTF-8", "the form holds percent-escapes that are not UTF-8") from None
            op.params += form
        elif media == "application/sparql-query":
            body = op.body = await _read_body(request, settings.max_query_bytes)
            op.params.append(("query", _utf8(body, params.get("charset"))))
        elif media == "application/sparql-update":
            body = op.body = await _read_body(request, settings.max_upload_bytes)
            op.params.append(("update", _utf8(body, params.get("charset"))))
        else:
            found = f"Content-Type {media!r}" if media else "no Content-Type"
            raise _Fail(415, "Unsupported media type", f"{found}: POST a query as application/x-www-form-urlencoded "
                        "(query=...), application/sparql-query or application/sparql-update")
    queries, updates = op.values("query"), op.values("update")
    if len(queries) > 1:
        raise _Fail(400, "More than one query", "send exactly one query parameter per request")
    if len(updates) > 1:
        raise _Fail(400, "More than one update", "send exactly one update parameter per request")
    if queries and updates:
        raise _Fail(400, "Query and update", "a request is either a query or an update, not both")
    if updates and request.method != "POST":
        raise _Fail(400, "Update needs POST", "SPARQL Update must be sent with POST (update= or application/sparql-update)")
    op.query = queries[0] if queries else None
    op.update = updates[0] if updates else None
    text = op.query if op.query is not None else None
    if text is not None and len(text.encode("utf-8")) > settings.max_query_bytes:
        raise _Fail(413, "Query too large", f"the query text is over {settings.max_query_bytes} bytes "
                    "(KNOOPPUNT_MAX_QUERY_BYTES)")
    return op


# --- the route ----------------------------------------------------------------------------------
def _endpoint(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/sparql"


SPARQL_RESPONSES = responses.merge(
    responses.success(200, [*RESULTS_TYPES, *GRAPH_TYPES, "text/html"],
                      "Query results, a graph, the service description, or the query page (browsers)."),
    {204: {"description": "An update was committed (with a write token)."}},
    responses.problems(400, 401, 403, 406, 408, 413, 415, 422, 503, 504, text=True),
)


@router.api_route("/sparql", methods=["GET", "POST"], tags=["sparql"], responses=SPARQL_RESPONSES,
                  openapi_extra=responses.request_body(
                      ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"],
                      "POST: a form (query= or update=) or the query or update itself.", required=False))
async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation; without a query: the query page (browsers) or the
    service description (everyone else)."""
    try:
        op = getattr(request.state, "sparql_operation", None) or await _read_operation(request)  # QueryLane read it
        if op.update is not None:
            return await _update(request, op)
        ranges = parse_accept(request.headers.get("accept"))
        if op.query is None or not op.query.strip():
            if op.query is None and wants_html(ranges):
                return _page(request, "")
            if op.query is not None:
                raise _Fail(400, "Empty query", "the query parameter is empty")
            return await run_in_threadpool(_service_description, request, ranges)
        if _is_page(request, op, ranges):
            return _page(request, op.query)
        return await _answer_query(request, op, ranges)
    except _Fail as fail:
        return _error(request, fail)


def _is_page(request: Request, op: _Operation, ranges) -> bool:
    """A browser following a link to a query: it gets the query page with the query filled in."""
    return request.method == "GET" and wants_html(ranges) and not _format_override(request)[2]


class QueryLane:
    """The short way in for query operations on ``/sparql`` (see the module docstring).

    Installed as the innermost middleware (``setup``): app-wide middleware still wraps every
    answer, only the router and FastAPI's per-route machinery are skipped. An operation that is
    not a query goes on to the route with the operation as read here (and its body replayed for
    anything else that reads it), so it is read once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            op = await _read_operation(request)
            ranges = parse_accept(request.headers.get("accept"))
            if op.update is None and op.query is not None and op.query.strip() and not _is_page(request, op, ranges):
                response = await _answer_query(request, op, ranges)
            else:  # read once: the route takes the operation as read here (the body stays readable)
                scope.setdefault("state", {})["sparql_operation"] = op
                await self.app(scope, _replay(op.body, receive), send)
                return
        except _Fail as fail:
            response = _error(request, fail)
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once more, then whatever comes next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def again():
        return pending.pop() if pending else await receive()

    return again


async def _update(request: Request, op: _Operation) -> Response:
    handler = UPDATE_HANDLER
    if handler is None:
        raise _Fail(403, "Forbidden", "writes need a write token; SPARQL Update is not enabled on this server")
    result = handler(
        request,
        op.update,
        using_graph_uri=op.values("using-graph-uri"),
        using_named_graph_uri=op.values("using-named-graph-uri"),
    )
    return await result if inspect.isawaitable(result) else result


async def _answer_query(request: Request, op: _Operation, ranges) -> Response:
    store: Store = request.app.state.store
    settings = request.app.state.settings
    endpoint = _endpoint(request)
    results_fmt, graph_fmt, override = _format_override(request)
    if results_fmt is None:
        results_fmt = negotiate(ranges, RESULTS_TYPES)
    if graph_fmt is None:
        graph_fmt = negotiate(ranges, GRAPH_TYPES)
    labels = request.query_params.get("labels")
    if labels is not None and labels not in ("nl", "en"):
        raise _Fail(400, "Bad labels parameter", f"labels={labels!r}: use labels=nl or labels=en")
    query = op.query or ""
    shape = cache.shape(query, endpoint)
    if shape.is_update:
        raise _Fail(400, "This is an update", f"{shape.form} is SPARQL Update: POST it as update= or "
                    "application/sparql-update, not as a query")
    if shape.uses_service:
        raise _Fail(400, "SERVICE is not allowed", "federated queries (SERVICE) are switched off on this "
                    "endpoint: they would make this server call other hosts")
    if shape.too_complex:
        raise _Fail(400, "Query too complex", shape.too_complex)
    protocol_default, protocol_named = op.values("default-graph-uri"), op.values("named-graph-uri")
    run = runner(request.app)
    key = state_id = None
    headers = {"Vary": "Accept"}
    if request.method == "GET" and isinstance(run, sandbox.WorkerPool):  # embedded: we see every write
        state_id = store.state_id()
        key = (query, endpoint, tuple(protocol_default), tuple(protocol_named), results_fmt, graph_fmt,
               labels, settings.row_cap)
        headers["ETag"] = cache.etag(state_id, key)
        headers["Cache-Control"] = CACHE_CONTROL
        if _not_modified(request, headers["ETag"]):
            return Response(status_code=304, headers=headers)
        result = _cache(request.app, "sparql_results").get(state_id, key)
        if result is not None:
            return _result_response(result, headers, settings.row_cap)
    public = [g.value for g in store.public_graphs()]
    default, named = resolve_dataset(public, protocol_default, protocol_named, shape)
    task = QueryRequest(
        query=query, default_graphs=default, named_graphs=named, results_format=results_fmt,
        graph_format=graph_fmt, labels=labels, label_graphs=public, base_iri=endpoint,
        row_cap=settings.row_cap,
        public_union=not (protocol_default or protocol_named or shape.has_dataset),
    )
    try:
        result = await run.run(task)
    except QuerySyntaxError as exc:
        extra = {"line": exc.line, "column": exc.column} if exc.line else {}
        raise _Fail(400, "Malformed query", exc.message, **extra) from None
    except QueryTimeout as exc:
        raise _Fail(503, "Query timed out", f"the query ran longer than the limit of {exc.timeout:g} s "
                    "(KNOOPPUNT_QUERY_TIMEOUT) and was stopped; make it more selective (LIMIT, fewer "
                    "unbound variables, no open-ended property paths)", timeout_s=exc.timeout) from None
    except QueryBusy as exc:
        raise _Fail(503, "Too many queries", f"{exc}; try again in {exc.retry_after} s",
                    headers={"Retry-After": str(exc.retry_after)}) from None
    except NotAcceptable as exc:
        offered = sorted(set(RESULTS_MEDIA.values()) if exc.kind != "graph" else set(GRAPH_MEDIA.values()))
        what = {"bindings": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}[exc.kind]
        asked = override or request.headers.get("accept", "")
        raise _Fail(406, "Not acceptable", f"a {what} result cannot be sent as {asked!r}; available: "
                    + ", ".join(offered)) from None
    except QueryRejected as exc:
        raise _Fail(400, "Query refused", str(exc)) from None
    except QueryCrashed as exc:
        raise _Fail(400, "Query could not be run", str(exc)) from None
    except StoreTimeout as exc:
        raise _Fail(504, "Store timed out", str(exc)) from None
    except StoreUnavailable as exc:
        raise _Fail(503, "Store unavailable", str(exc), headers={"Retry-After": "10"}) from None
    except WorkerFailed as exc:
        raise _Fail(503, "Query service unavailable", str(exc), headers={"Retry-After": "5"}) from None
    if key is not None and state_id == store.state_id():  # no write while it ran
        _cache(request.app, "sparql_results").put(state_id, key, result)
    return _result_response(result, headers, settings.row_cap)


def _result_response(result: QueryResult, headers: dict[str, str], row_cap: int) -> Response:
    headers = dict(headers)
    if result.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[ROW_CAP_HEADER] = str(row_cap)
    body = result.body if isinstance(result.body, bytes) else memoryview(result.body)
    return Response(body, media_type=result.media_type, headers=headers)


def _not_modified(request: Request, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison, RFC 9110 13.1.2) or is ``*``."""
    given = request.headers.get("if-none-match")
    if not given:
        return False
    tags = [t.strip() for t in given.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


_caches_lock = threading.Lock()


def _cache(app, name: str) -> cache.ResultCache:
    """The app's cache ``name`` (query answers, descriptions), made on first use."""
    found = getattr(app.state, name, None)
    if found is None:
        with _caches_lock:
            found = getattr(app.state, name, None)
            if found is None:
                found = cache.ResultCache()
                setattr(app.state, name, found)
    return found


# --- the worker pool ----------------------------------------------------------------------------
_runner_lock = threading.Lock()


def runner(app) -> sandbox.WorkerPool | sandbox.DirectRunner:
    """The app's query runner, made on first use (workers themselves start lazily too)."""
    current = getattr(app.state, "query_runner", None)
    if current is None:
        with _runner_lock:
            current = getattr(app.state, "query_runner", None)
            if current is None:
                current = app.state.query_runner = sandbox.make_runner(app.state.store, app.state.settings)
    return current


def setup(app: FastAPI) -> None:
    """The query runner (workers start with the first query), the query lane, CORS and gzip
    for the whole app, and our static files."""
    runner(app)
    # innermost (the end of the list): inside every app-wide middleware, before the router
    app.user_middleware.append(Middleware(QueryLane))
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=GZIP_LEVEL)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[TRUNCATED_HEADER, ROW_CAP_HEADER, "Retry-After", "Content-Disposition", "Location", "ETag"],
        max_age=600,
    )
    if STATIC_DIR.is_dir():
        app.mount("/static/sparql", StaticFiles(directory=str(STATIC_DIR)), name="sparql-static")


# --- the query page -----------------------------------------------------------------------------
def _page(request: Request, query: str) -> HTMLResponse:
    """The query page, inside the site's pages (menu, language switch, footer: ``service.pages``)."""
    from knooppunt.graph.queries import examples

    from .pages import render

    lang = "en" if request.query_params.get("lang") == "en" else "nl"
    data = {
        "endpoint": _endpoint(request),
        "prefixes": sparql_prefixes(),
        "examples": [q.as_dict() for q in examples().values()],
        "query": query,
        "lang": lang,
        "rowCap": request.app.state.settings.row_cap,
        "timeout": request.app.state.settings.query_timeout,
    }
    page_json = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return render(request, "sparql.html", headers={"Vary": "Accept"}, page_json=page_json, query=query)


# --- service description and VoID ---------------------------------------------------------------
RDF_OUT = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


def _described(request: Request, ranges, key: tuple, make: Callable[[], list]) -> Response:
    """An RDF description (service description, VoID) in the negotiated format, kept per store
    state with an ETag like GET query answers: ``make()`` (the triples) runs once per state."""
    choice = negotiate(ranges, {m: m for m in RDF_OUT}) or "text/turtle"
    state_id = request.app.state.store.state_id()
    key = (*key, choice)
    headers = {"Vary": "Accept", "ETag": cache.etag(state_id, key), "Cache-Control": CACHE_CONTROL}
    if _not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    descriptions = _cache(request.app, "sparql_descriptions")
    found = descriptions.get(state_id, key)
    if found is None:
        body = rdf_document(make(), RDF_OUT[choice], {"sd": SD, "void": VOID, "formats": FORMATS_NS})
        media = "application/n-triples" if choice == "text/plain" else choice
        found = QueryResult("description", body or b"", media, choice)
        descriptions.put(state_id, key, found)
    return Response(found.body, media_type=found.media_type, headers=headers)


def _t(s, p, o) -> Triple:
    return Triple(s, p, o)


def _n(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


def _service_description(request: Request, ranges) -> Response:
    key = ("service-description", _endpoint(request), UPDATE_HANDLER is not None)
    return _described(request, ranges, key, lambda: _service_triples(request))


def _service_triples(request: Request) -> list:
    store: Store = request.app.state.store
    endpoint = NamedNode(_endpoint(request))
    a = _n(RDF, "type")
    out = [
        _t(endpoint, a, _n(SD, "Service")),
        _t(endpoint, _n(SD, "endpoint"), endpoint),
        _t(endpoint, _n(SD, "supportedLanguage"), _n(SD, "SPARQL11Query")),
        _t(endpoint, _n(SD, "feature"), _n(SD, "UnionDefaultGraph")),
        _t(endpoint, _n(DCT, "title"), Literal("Knooppunt SPARQL-endpoint", language="nl")),
        _t(endpoint, _n(DCT, "title"), Literal("Knooppunt SPARQL endpoint", language="en")),
        _t(endpoint, _n(DCT, "description"), Literal(
            f"Openbare gegevens over onderwijs in de palliatieve zorg. Zoekvragen stoppen na "
            f"{request.app.state.settings.query_timeout:g} s en geven hoogstens "
            f"{request.app.state.settings.row_cap} rijen.", language="nl")),
    ]
    if UPDATE_HANDLER is not None:
        out.append(_t(endpoint, _n(SD, "supportedLanguage"), _n(SD, "SPARQL11Update")))
    for local in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"):
        out.append(_t(endpoint, _n(SD, "resultFormat"), _n(FORMATS_NS, local)))
    dataset, default_graph = BlankNode(), BlankNode()
    out += [
        _t(endpoint, _n(SD, "defaultDataset"), dataset),
        _t(dataset, a, _n(SD, "Dataset")),
        _t(dataset, _n(SD, "defaultGraph"), default_graph),
        _t(default_graph, a, _n(SD, "Graph")),
        _t(default_graph, _n(VOID, "triples"), _int(store.count())),
        _t(dataset, _n(VOID, "sparqlEndpoint"), endpoint),
    ]
    for graph in store.public_graphs():
        named, described = BlankNode(), BlankNode()
        out += [
            _t(dataset, _n(SD, "namedGraph"), named),
            _t(named, a, _n(SD, "NamedGraph")),
            _t(named, _n(SD, "name"), graph),
            _t(named, _n(SD, "graph"), described),
            _t(described, a, _n(SD, "Graph")),
            _t(described, _n(VOID, "triples"), _int(store.count(graph))),
        ]
    return out


_void_lock = threading.Lock()
EXAMPLE_CLASSES = ("Project", "Programme", "EducationHub", "Consortium", "Material", "Competency", "Theme")


def _void_triples(store: Store, base_url: str) -> list:
    """The VoID description (our own, trusted queries, run in-process; cached per state)."""
    from knooppunt.graph.namespaces import KP, SKOS

    doc = base_url + "/.well-known/void"
    me = NamedNode(doc + "#knooppunt")
    a = _n(RDF, "type")
    settings = store.settings
    classes = store.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")
    properties = store.select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
    subjects = store.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    out = [
        _t(me, a, _n(VOID, "Dataset")),
        _t(me, _n(DCT, "title"), Literal("Knooppunt", language="nl")),
        _t(me, _n(DCT, "description"), Literal(
            "Kennisgraaf van onderwijs in de palliatieve zorg: projecten, materialen, OWR 2.0-competenties, "
            "organisaties en mensen in hun openbare rol.", language="nl")),
        _t(me, _n(DCT, "description"), Literal(
            "Knowledge graph of Dutch palliative-care education: projects, materials, OWR 2.0 competencies, "
            "organisations and people in their public roles.", language="en")),
        _t(me, _n(VOID, "sparqlEndpoint"), NamedNode(base_url + "/sparql")),
        _t(me, _n(VOID, "uriSpace"), Literal(settings.base + "/id/")),
        _t(me, _n(VOID, "triples"), _int(store.count())),
        _t(me, _n(VOID, "classes"), _int(len(classes))),
        _t(me, _n(VOID, "properties"), _int(len(properties))),
        _t(me, _n(VOID, "distinctSubjects"), _int(int(subjects[0]["n"].value) if subjects else 0)),
        _t(me, _n(VOID, "vocabulary"), NamedNode(KP)),
        _t(me, _n(VOID, "vocabulary"), NamedNode(SKOS)),
    ]
    for row in classes:
        part = BlankNode()
        out += [_t(me, _n(VOID, "classPartition"), part), _t(part, _n(VOID, "class"), row["c"]),
                _t(part, _n(VOID, "entities"), _int(int(row["n"].value)))]
    for row in properties:
        part = BlankNode()
        out += [_t(me, _n(VOID, "propertyPartition"), part), _t(part, _n(VOID, "property"), row["p"]),
                _t(part, _n(VOID, "triples"), _int(int(row["n"].value)))]
    for local in EXAMPLE_CLASSES:
        rows = store.select(
            "SELECT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s)) } ORDER BY STR(?s) LIMIT 1", {"c": NamedNode(KP + local)}
        )
        if rows:
            out.append(_t(me, _n(VOID, "exampleResource"), rows[0]["s"]))
    for graph in store.public_graphs():
        name = store.graph_name(graph)
        subset = NamedNode(doc + "#graph-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in name))
        out += [
            _t(me, _n(VOID, "subset"), subset),
            _t(subset, a, _n(VOID, "Dataset")),
            _t(subset, _n(SD, "name"), graph),
            _t(subset, _n(DCT, "title"), Literal(name)),
            _t(subset, _n(VOID, "triples"), _int(store.count(graph))),
            _t(subset, _n(VOID, "sparqlEndpoint"), NamedNode(base_url + "/sparql")),
        ]
    return out


def _void(request: Request, ranges) -> Response:
    store: Store = request.app.state.store
    base_url = str(request.base_url).rstrip("/")

    def make() -> list:
        with _void_lock:  # one computation at a time; they are not cheap on a big store
            return _void_triples(store, base_url)

    return _described(request, ranges, ("void", base_url), make)


@router.get("/.well-known/void", tags=["sparql"], responses=responses.merge(
    responses.success(200, RDF_OUT, "The VoID description, in the RDF format the client accepts."),
    responses.problems(*responses.STORE)))
async def void(request: Request) -> Response:
    """VoID description of the public dataset: size, classes, properties, graphs, examples."""
    return await run_in_threadpool(_void, request, parse_accept(request.headers.get("accept")))
