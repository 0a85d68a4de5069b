"""``/docs``: the OpenAPI document in Swagger UI, served from the package (works offline).

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; here the page
(``static/docs/index.html``), its start script and a vendored, versioned Swagger UI
(``static/docs/swagger-ui-*``, see the README there) all come from this service, so the page
works on an intranet without internet and under ``Content-Security-Policy: default-src 'self'``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent / "static" / "docs"

router = APIRouter(include_in_schema=False)


def setup(app: FastAPI) -> None:
    app.mount("/static/docs", StaticFiles(directory=str(HERE)), name="docs-static")


@router.get("/docs")
def docs() -> FileResponse:
    """Swagger UI for ``/openapi.json``."""
    return FileResponse(HERE / "index.html", media_type="text/html")
