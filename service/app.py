"""The FastAPI application: a thin HTTP layer over one ``graph.store.Store``."""

from __future__ import annotations

import logging
import secrets
import time
import warnings
from collections import Counter
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from knooppunt.graph import __version__
from knooppunt.graph.settings import Settings, from_env
from knooppunt.graph.store import Store, open_store

from . import headers, problems, running, store_errors

log = logging.getLogger("knooppunt.store")


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app. Pass a ``store`` to share one (tests); otherwise the settings open one."""
    settings = settings or (store.settings if store else from_env())
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        knowledge = getattr(app.state, "knowledge", None)
        if knowledge is not None:  # read or build the views while the server already answers
            knowledge.warm_in_background()
        # ``knooppunt serve`` sets ``local_url``: tell the CLI where we are (service.running). In
        # the lifespan, not around uvicorn.run: uvicorn ends the process with the signal it got.
        root = getattr(app.state.store, "root", None)
        url = getattr(app.state, "local_url", None)
        announced = running.announce(root, url, app.state.local_secret, __version__) if root and url else None
        yield
        if announced is not None:
            running.withdraw(root, announced)
        runner = getattr(app.state, "query_runner", None)
        if runner is not None:
            runner.close()
        knowledge = getattr(app.state, "knowledge", None)
        if knowledge is not None:  # snapshots of the views, before the store records its state
            knowledge.close()
        if owns_store:
            app.state.store.close()

    app = FastAPI(
        title="Knooppunt",
        version=__version__,
        description=(
            "Knowledge graph of Dutch palliative-care education: projects, materials, OWR 2.0 "
            "competencies, organisations and people. SPARQL 1.1 at /sparql, REST under /api."
        ),
        lifespan=lifespan,
        docs_url=None,  # service.docs serves Swagger UI from the package (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    app.state.started = time.time()
    _say_limitations(app.state.store)
    app.state.local_secret = secrets.token_urlsafe(32)  # the CLI's admin token, see service.running
    problems.install(app)
    store_errors.install(app)
    app.add_middleware(headers.SecurityHeaders)

    @app.get("/health", tags=["service"])
    def health(request: Request) -> dict:
        """Liveness and a few facts: backend, triple count, version."""
        st: Store = request.app.state.store
        return {
            "status": "ok",
            "version": __version__,
            "backend": st.backend,
            "engine": st.engine,
            "store": settings.store if not settings.is_remote else settings.store.split("@")[-1],
            "triples": st.count(),
            "graphs": len(st.public_graphs()),
            "uptime_s": round(time.time() - request.app.state.started, 1),
            "limitations": list(st.limitations),
        }

    _include_routers(app)
    _unique_operation_ids(app)
    return app


def _say_limitations(store: Store) -> None:
    """Say at start what the store's engine cannot do (docs/deploy.md), instead of failing later."""
    if store.limitations:
        log.warning("the %s store cannot do everything Knooppunt can; see docs/deploy.md:\n  - %s",
                    store.engine, "\n  - ".join(store.limitations))


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _unique_operation_ids(app: FastAPI) -> None:
    """One function serving several methods (``/sparql`` GET and POST, the Graph Store routes)
    gets one operationId from FastAPI for all of them; OpenAPI wants each operation's id unique
    (client generators fail otherwise). Such ids get the method as their last part instead."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Duplicate Operation ID")
            schema = build()
        operations = [
            op for item in schema.get("paths", {}).values()
            for method, op in item.items() if method in HTTP_METHODS
        ]
        counts = Counter(op.get("operationId") for op in operations)
        for item in schema.get("paths", {}).values():
            for method, op in item.items():
                op_id = op.get("operationId") if method in HTTP_METHODS else None
                if op_id and counts[op_id] > 1:
                    stem = op_id.rsplit("_", 1)[0] if op_id.rsplit("_", 1)[-1] in HTTP_METHODS else op_id
                    op["operationId"] = f"{stem}_{method}"
        return schema

    app.openapi = openapi


def _include_routers(app: FastAPI) -> None:
    """Each feature owns one module with a ``router`` and an optional ``setup(app)``."""
    import importlib

    for name in ("sparql", "api", "writes", "admin", "docs", "pages", "session", "proposals", "review"):
        try:
            module = importlib.import_module(f"knooppunt.service.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"knooppunt.service.{name}":
                continue
            raise
        if hasattr(module, "setup"):
            module.setup(app)
        app.include_router(module.router)
