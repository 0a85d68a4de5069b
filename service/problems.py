"""Errors as RFC 9457 ``application/problem+json``: a title, a status, and a detail a person can act on."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM = "application/problem+json"


class Problem(Exception):
    """Raise anywhere in a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = extra.pop("headers", {}) or {}


def problem_response(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            name = ""
            for part in err.get("loc", ()):
                if part in ("query", "body", "path"):
                    continue
                name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
            errors.append({"parameter": name, "message": err.get("msg", "")})
        detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
        return problem_response(422, "Invalid parameter", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405 and (allow := allowed_methods(request, headers.get("Allow"))):
            headers["Allow"] = allow
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail) if exc.detail else "",
            headers=headers or None,
        )


def allowed_methods(request: Request, given: str | None) -> str | None:
    """``given`` (Starlette's ``Allow``) plus every method the OpenAPI document declares for this
    path. Starlette's 405 names only the first route that matches the path, but one path may be
    served by several routes (``GET /api/proposals`` and ``POST /api/proposals``), and ``Allow``
    must list them all (RFC 9110, 15.5.6)."""
    methods = {m.strip() for m in (given or "").split(",") if m.strip()}
    paths = request.app.openapi().get("paths", {})
    path = request.url.path
    # a literal path (/api/proposals/fields) is served by its own route, not by a template's
    matching = [paths[path]] if path in paths else [
        item for template, item in paths.items()
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path)]
    for item in matching:
        methods |= {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch", "head", "options")}
    return ", ".join(sorted(methods)) or None
