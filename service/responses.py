"""What each operation can answer, for the OpenAPI document (issue 17.9): one place that declares
the problem+json errors and the media types of success, so routes say ``responses=problems(...)``
instead of copying dictionaries, and a client generated from ``/openapi.json`` knows every status
and media type it can get.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; some problems add fields (e.g. `results`, `line`).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["title", "status"],
}
WHY = {
    400: "Bad request: a malformed document, query or parameter (the message says where).",
    401: "No valid bearer token (writes need one: `knooppunt token create`).",
    403: "The token's scope does not allow this (or the target is kept by the service).",
    404: "Nothing by that name (unknown id, graph or import).",
    405: "Method not allowed.",
    406: "No representation in a media type the client accepts.",
    408: "The request body stalled or took too long to arrive.",
    413: "The request body (or what it unpacks to) is over a limit.",
    415: "A request body in a media type this operation does not read.",
    409: "Conflict: the proposal was decided already.",
    422: "Invalid parameter, or a change refused by the shapes (every SHACL result listed).",
    429: "Too many requests from this client (see `Retry-After`).",
    503: "Busy, stopped at the time limit, or the store is unavailable (see `Retry-After`).",
    504: "The remote store did not answer in time.",
}
STORE = (503, 504)
"""What any operation that reads the store can answer when a remote store is down or slow."""
RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
             "application/n-quads", "application/trig")


def problems(*statuses: int, text: bool = False) -> dict[int | str, dict[str, Any]]:
    """Declarations of problem answers (``text``: also ``text/plain``, for the SPARQL protocol's
    clients that do not accept JSON)."""
    content: dict[str, Any] = {"application/problem+json": {"schema": PROBLEM_SCHEMA}}
    if text:
        content["text/plain"] = {"schema": {"type": "string"}}
    return {status: {"description": WHY[status], "content": content} for status in statuses}


def success(status: int, media_types: Iterable[str], description: str) -> dict[int | str, dict[str, Any]]:
    """A success answer in any of ``media_types`` (a string body for non-JSON types)."""
    content = {m: ({"schema": {}} if "json" in m else {"schema": {"type": "string"}}) for m in media_types}
    return {status: {"description": description, "content": content}}


def empty(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": description}}


def merge(*parts: dict) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for part in parts:
        out.update(part)
    return out


def request_body(media_types: Iterable[str], description: str, required: bool = True) -> dict[str, Any]:
    """An ``openapi_extra`` request body for a route that reads the raw body itself."""
    return {"requestBody": {"required": required, "description": description,
                            "content": {m: {"schema": {"type": "string"}} for m in media_types}}}
