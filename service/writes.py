"""Writes over HTTP: imports, the Graph Store HTTP Protocol, SPARQL Update, provenance and undo.

Every route here is a thin shell over ``graph.writes.ingest.commit``: parse, compute the exact delta,
validate what it touches, commit data and provenance in one transaction. Reads stay public; writes
need a bearer token (``knooppunt token create NAME --scope editor|admin``):

- ``401`` without a valid token (with ``WWW-Authenticate: Bearer``), ``403`` without the scope;
- ``413`` over ``max_upload_bytes`` (the Content-Length and the bytes actually streamed);
- ``415`` for a media type we cannot read; ``400`` with line and column for malformed RDF;
- ``422`` ``application/problem+json`` with every SHACL result when a change breaks a shape.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi import Path as FastAPIPath
from fastapi.responses import JSONResponse
from knooppunt.graph.store import Store
from knooppunt.graph.tokens import Token, TokenFile
from knooppunt.graph.writes import ingest, provenance
from knooppunt.graph.writes.delta import (
    Delta,
    add_to_graph,
    deskolemise,
    drop_graph,
    in_graph,
    replace_graph,
)
from knooppunt.graph.writes.update import DEFAULT_GRAPH_NAME, parse_update, update_delta
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize
from starlette.concurrency import run_in_threadpool

from . import bodies, responses
from .problems import Problem, problem_response

router = APIRouter()

REALM = 'Bearer realm="knooppunt"'
GSP_PATHS = ("/rdf-graphs/service", "/gsp")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")
UPLOAD_TYPES = (*ingest.MEDIA_TYPES, *ingest.CSV_TYPES, *ingest.XLSX_TYPES, "multipart/form-data")
WRITE_PROBLEMS = responses.problems(400, 401, 403, 408, 413, 415, 422, *responses.STORE)
WRITE_RESULT = {"description": "The write was committed: its id, graph, counts and any SHACL warnings.",
                "content": {"application/json": {"schema": {}}}}

OUTPUT_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}


def setup(app: FastAPI) -> None:
    """Open the token file and hand the SPARQL endpoint our update handler."""
    app.state.tokens = _token_file(app)
    try:
        from . import sparql
    except ImportError:
        return
    sparql.UPDATE_HANDLER = handle_update


# --- access ---------------------------------------------------------------------------------------
def _tokens(request: Request) -> TokenFile:
    tokens = getattr(request.app.state, "tokens", None)
    if tokens is None:
        tokens = request.app.state.tokens = _token_file(request.app)
    return tokens


def _token_file(app: FastAPI) -> TokenFile:
    """The token file, plus the running service's own secret for the local CLI (service.running)."""
    return TokenFile(app.state.settings.resolved_token_file(), local_secret=getattr(app.state, "local_secret", None))


def bearer(request: Request) -> Token | None:
    """The presented token's record, ``None`` if none was presented; 401 if it is not valid."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    kind, _, secret = header.partition(" ")
    token = _tokens(request).check(secret.strip()) if kind.lower() == "bearer" else None
    if token is None:
        raise Problem(
            401, "Unauthorized", "the bearer token is not valid (revoked or mistyped)",
            headers={"WWW-Authenticate": REALM + ', error="invalid_token"'},
        )
    return token


def require(request: Request, scope: str) -> Token:
    token = bearer(request)
    if token is None:
        raise Problem(
            401, "Unauthorized",
            "writing needs a bearer token: Authorization: Bearer <token> (knooppunt token create)",
            headers={"WWW-Authenticate": REALM},
        )
    if not token.allows(scope):
        raise Problem(
            403, "Forbidden", f"the token {token.name!r} has scope {token.scope!r}; this needs {scope!r}",
            headers={"WWW-Authenticate": REALM + f', error="insufficient_scope", scope="{scope}"'},
        )
    return token


# --- bodies ---------------------------------------------------------------------------------------
async def read_body(request: Request) -> bytes:
    """The request body: 413 as soon as it exceeds the upload cap, 408 if it stalls."""
    limit = request.app.state.settings.max_upload_bytes
    try:
        return await bodies.read_body(request, limit, what="the upload")
    except bodies.BodyError as exc:
        detail = exc.detail + (" (KNOOPPUNT_MAX_UPLOAD_BYTES)" if exc.status == 413 else "")
        raise Problem(exc.status, exc.title, detail) from None


def multipart_parts(body: bytes, content_type: str) -> list[tuple[str | None, str, bytes]]:
    """(file name, media type, bytes) of each part of a ``multipart/form-data`` body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True) or b""
        parts.append((part.get_filename(), part.get_content_type(), payload))
    return parts


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def duplicate_check(request: Request):
    """Likely duplicates of what a write adds, over the service's search index
    (``graph.curation.duplicates``): returned with the write's result, never a refusal."""
    from knooppunt.graph.curation.duplicates import Checker

    kb = getattr(request.app.state, "knowledge", None)
    return Checker(request.app.state.store, kb.index if kb is not None else None)


# --- results and errors ---------------------------------------------------------------------------
def write_problem(exc: ingest.WriteError) -> JSONResponse:
    """A refused or failed write as ``application/problem+json``."""
    if isinstance(exc, ingest.Refused):
        results = [_result(r) for r in exc.report.results]
        return problem_response(
            422, exc.title, exc.detail,
            results=[r for r in results if r["severity"] == "Violation"],
            warnings=[r for r in results if r["severity"] != "Violation"],
        )
    extra = {k: v for k, v in exc.extra.items() if v is not None}
    return problem_response(exc.status, exc.title, exc.detail, **extra)


def _result(r) -> dict:
    d = r.as_dict()
    d["message"] = {"nl": r.message_nl, "en": r.message_en}
    return d


async def _commit(fn: Callable[[], ingest.WriteResult]) -> ingest.WriteResult | JSONResponse:
    try:
        return await run_in_threadpool(fn)
    except ingest.WriteError as exc:
        return write_problem(exc)


# --- graph names ----------------------------------------------------------------------------------
def graph_for_name(store: Store, name: str) -> NamedNode:
    """A graph from a short name (``projecten`` -> ``{base}/graph/projecten``) or an absolute IRI."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", name):
        try:
            return NamedNode(name)
        except ValueError as exc:
            raise Problem(400, "Bad graph IRI", str(exc)) from exc
    if not _NAME.match(name) or ".." in name:
        raise Problem(400, "Bad graph name", "a graph name is letters, digits, '.', '_', '-' and '/'")
    return store.graph(name)


def _exists(store: Store, graph: NamedNode) -> bool:
    return next(iter(store.quads(graph=graph)), None) is not None


def _readable(request: Request, store: Store, graph: NamedNode) -> bool:
    """Non-public graphs are visible to admins only; to everyone else they do not exist."""
    if store.is_public_graph(graph):
        return True
    token = bearer(request)
    return token is not None and token.allows("admin")


# --- POST /api/import -----------------------------------------------------------------------------
@router.post(
    "/api/import", tags=["writes"], status_code=200,
    responses=responses.merge({200: WRITE_RESULT}, WRITE_PROBLEMS),
    openapi_extra=responses.request_body(UPLOAD_TYPES, "The document (or one file in a multipart upload)."),
)
async def import_route(request: Request, graph: str | None = None, source: str | None = None):
    """Import a document into a named graph (replacing what that graph held): Turtle, N-Triples,
    N-Quads, JSON-LD, RDF/XML, CSV (see docs/writes.md for the columns) or the OWR 2.0 workbook.
    Send the file as the body with its Content-Type, or as a multipart/form-data upload."""
    token = require(request, "editor")
    store: Store = request.app.state.store
    body = await read_body(request)
    media = _media_type(request)
    if media == "multipart/form-data":
        parts = [p for p in multipart_parts(body, request.headers["content-type"]) if p[2]]
        if len(parts) != 1:
            raise Problem(400, "Bad upload", "send exactly one file in the multipart upload")
        filename, media, body = parts[0]
        source = source or filename
        if media in ("application/octet-stream", "text/plain") and filename:
            media = ingest.media_type_for_path(Path(filename))
    if not media:
        raise Problem(415, "Unsupported media type", "send a Content-Type (e.g. text/turtle)")
    name = graph or (_stem(source) if source else f"import-{uuid.uuid4().hex[:8]}")
    target = graph_for_name(store, name)
    result = await _commit(lambda: ingest.import_document(
        store, body, media, target, agent=token.name, scope=token.scope, source=source,
        duplicates=duplicate_check(request),
    ))
    if isinstance(result, Response):
        return result
    return result.as_dict()


def _stem(source: str) -> str:
    base = source.rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return re.sub(r"[^A-Za-z0-9._\-]", "-", stem) or "import"


# --- GET /api/imports, DELETE /api/imports/{id} ----------------------------------------------------
@router.get("/api/imports", tags=["writes"], responses=responses.problems(*responses.STORE))
def list_imports(request: Request) -> dict:
    """Every accepted write, newest first: who, when, source, graph, triples added and removed."""
    records = provenance.records(request.app.state.store)
    return {"imports": [r.as_dict() for r in records], "count": len(records)}


@router.delete("/api/imports/{record_id}", tags=["writes"],
               responses=responses.merge({200: WRITE_RESULT}, responses.problems(401, 403, 404, 422, *responses.STORE)))
async def undo_import(request: Request, record_id: str):
    """Undo a write by dropping the graph it wrote (admin)."""
    token = require(request, "admin")
    store: Store = request.app.state.store
    result = await _commit(lambda: ingest.undo(store, record_id, agent=token.name))
    if isinstance(result, Response):
        return result
    return result.as_dict()


# --- Graph Store HTTP Protocol --------------------------------------------------------------------
def _indirect_graph(request: Request, store: Store) -> NamedNode | None:
    """``?graph=IRI`` (decoded once), ``?default``, or ``None`` (the service itself)."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    params = [p.partition("=") for p in raw.split("&") if p]
    graphs = [unquote(v.replace("+", " ")) for k, _, v in params if k == "graph"]
    default = any(k == "default" for k, _, _ in params)
    if len(graphs) + int(default) > 1:
        raise Problem(400, "Bad request", "give either ?graph=IRI or ?default, once")
    if default:
        return store.graph(DEFAULT_GRAPH_NAME)
    return graph_for_name(store, graphs[0]) if graphs else None


async def _gsp(request: Request, graph: NamedNode | None) -> Response:
    store: Store = request.app.state.store
    method = request.method
    if method in ("GET", "HEAD"):
        if graph is None:
            raise Problem(400, "Bad request", "name a graph: ?graph=IRI or ?default")
        return _gsp_get(request, store, graph, head=method == "HEAD")
    token = require(request, "editor")
    if method == "DELETE":
        if graph is None:
            raise Problem(400, "Bad request", "name a graph to delete: ?graph=IRI or ?default")
        if not _exists(store, graph) or not _readable(request, store, graph):
            raise Problem(404, "Not found", f"no graph <{graph.value}>")
        return await _gsp_write(store, token, graph, lambda: drop_graph(store, graph), "gsp-delete", created=False,
                                replaces=True)
    body = await read_body(request)
    quads = _body_quads(request, store, body, graph)
    if method == "POST" and graph is None:  # a new graph, named by the service
        graph = store.graph(f"gsp-{uuid.uuid4().hex[:12]}")
        quads = in_graph(quads, graph)
        response = await _gsp_write(store, token, graph, lambda: add_to_graph(store, quads), "gsp-post", created=True,
                                     check=duplicate_check(request))
        if response.status_code == 201:
            response.headers["Location"] = graph.value
        return response
    if graph is None:
        raise Problem(400, "Bad request", "name a graph: ?graph=IRI or ?default")
    created = not _exists(store, graph)
    if method == "PUT":
        return await _gsp_write(
            store, token, graph, lambda: replace_graph(store, graph, quads), "gsp-put", created, replaces=True,
            check=duplicate_check(request),
        )
    return await _gsp_write(store, token, graph, lambda: add_to_graph(store, quads), "gsp-post", created,
                            check=duplicate_check(request))


def _body_quads(request: Request, store: Store, body: bytes, graph: NamedNode | None) -> list:
    """The triples of a Graph Store request body (one document, or the files of a multipart body)."""
    target = graph or store.graph(DEFAULT_GRAPH_NAME)
    media = _media_type(request)
    documents = [(media, body)]
    if media == "multipart/form-data":
        documents = [(m, b) for _, m, b in multipart_parts(body, request.headers["content-type"])]
    quads: list = []
    try:
        for kind, data in documents:
            if not kind:
                raise ingest.UnsupportedFormat("send a Content-Type (e.g. text/turtle)")
            quads += ingest.parse_rdf(data, ingest.rdf_format_for(kind), store.settings.base, target)
    except ingest.WriteError as exc:
        raise Problem(exc.status, exc.title, exc.detail, **{k: v for k, v in exc.extra.items() if v is not None}) from exc
    return list(dict.fromkeys(quads))


async def _gsp_write(
    store, token: Token, graph: NamedNode, delta: Callable[[], Delta], operation: str, created: bool,
    replaces: bool = False, check: Callable | None = None,
) -> Response:
    """Commit a Graph Store change; ``replaces``: the request replaces or drops the graph (so the
    private facts it stated before may go, see ``delta.route_private``)."""
    result = await _commit(lambda: ingest.commit(
        store, delta, agent=token.name, scope=token.scope, operation=operation, graph=graph,
        replaces_graph=replaces, duplicates=check,
    ))
    if isinstance(result, Response):
        return result
    if created:
        return JSONResponse(result.as_dict(), status_code=201)
    return Response(status_code=204)


def _gsp_get(request: Request, store: Store, graph: NamedNode, *, head: bool) -> Response:
    if not _readable(request, store, graph):
        raise Problem(404, "Not found", f"no graph <{graph.value}>")
    is_default = graph == store.graph(DEFAULT_GRAPH_NAME)
    if not is_default and not _exists(store, graph):
        raise Problem(404, "Not found", f"no graph <{graph.value}>")
    media, fmt = _negotiate(request.headers.get("accept", ""))
    headers = {"Content-Type": f"{media}; charset=utf-8", "Vary": "Accept"}
    if head:
        return Response(status_code=200, headers=headers)
    triples = deskolemise(store.quads(graph=graph), store.settings.base)
    if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        data = serialize([Quad(t.subject, t.predicate, t.object, graph) for t in triples], format=fmt)
    else:
        data = serialize(triples, format=fmt)
    return Response(content=data, headers=headers)


def _negotiate(accept: str) -> tuple[str, RdfFormat]:
    """The best RDF serialisation for an Accept header (Turtle when nothing else fits)."""
    best: tuple[float, int, str] | None = None
    for i, item in enumerate(accept.split(",")):
        media, _, params = item.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if media in OUTPUT_TYPES and q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, media)
    media = best[2] if best else "text/turtle"
    return media, OUTPUT_TYPES[media]


async def gsp_indirect(request: Request) -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol, indirect identification (``?graph=IRI``, ``?default``)."""
    return await _gsp(request, _indirect_graph(request, request.app.state.store))


GSP_RESPONSES = responses.merge(
    responses.success(200, OUTPUT_TYPES, "The graph (GET, HEAD), in the media type the client accepts."),
    {201: {**WRITE_RESULT, "description": "A new graph was made (PUT, POST); POST to the service: `Location`."}},
    responses.empty(204, "The graph was replaced, added to or deleted."),
    responses.problems(400, 401, 403, 404, 408, 413, 415, 422, *responses.STORE),
)
GSP_BODY = responses.request_body(ingest.MEDIA_TYPES, "RDF for PUT and POST (none for GET, HEAD, DELETE).", required=False)
GSP_INDIRECT = {**GSP_BODY, "parameters": [{
    "name": "graph", "in": "query", "required": True,
    "description": "The graph's IRI (or send `?default` instead, for the default graph).",
    "schema": {"type": "string", "maxLength": 2000, "pattern": r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~:@!$&'()*+,;=/-]*)?$"},
}]}

for _gsp_path in GSP_PATHS:
    router.add_api_route(
        _gsp_path, gsp_indirect, methods=["GET", "HEAD", "PUT", "POST", "DELETE"], tags=["graph store"],
        include_in_schema=_gsp_path == GSP_PATHS[0], responses=GSP_RESPONSES, openapi_extra=GSP_INDIRECT,
    )


GRAPH_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_/-]|\.[A-Za-z0-9_/-]){0,199}$"
"""A graph name (``_NAME`` without ``..``), as the OpenAPI document states it."""


@router.api_route("/graph/{name:path}", methods=["GET", "HEAD", "PUT", "POST", "DELETE"], tags=["graph store"],
                  responses=GSP_RESPONSES, openapi_extra=GSP_BODY)
async def gsp_direct(
    request: Request,
    name: Annotated[str, FastAPIPath(pattern=GRAPH_NAME_PATTERN, description="A graph name: `{base}/graph/{name}`.")],
) -> Response:
    """Graph Store Protocol, direct identification: ``/graph/{name}`` is the graph ``{base}/graph/{name}``."""
    store: Store = request.app.state.store
    return await _gsp(request, graph_for_name(store, name))


# --- SPARQL Update (called by service.sparql for update requests) -----------------------------------
async def handle_update(
    request: Request,
    update: str,
    using_graph_uri: list[str] | None = None,
    using_named_graph_uri: list[str] | None = None,
) -> Response:
    """Run a SPARQL Update as a validated, atomic, recorded write.

    The text is parsed and checked before the store's write lock is taken; the delta is computed,
    validated and committed under it (``graph.writes.update``)."""
    token = require(request, "editor")
    store: Store = request.app.state.store
    limit = request.app.state.settings.max_update_bytes
    admin = token.allows("admin")

    def run() -> ingest.WriteResult:
        parsed = parse_update(update, store.settings.base, using=using_graph_uri or (),
                              using_named=using_named_graph_uri or (), max_bytes=limit)
        return ingest.commit(store, lambda: update_delta(store, parsed, admin=admin),
                             agent=token.name, scope=token.scope, operation="sparql-update",
                             duplicates=duplicate_check(request))

    result = await _commit(run)
    if isinstance(result, Response):
        return result
    return JSONResponse(result.as_dict(), status_code=200)
