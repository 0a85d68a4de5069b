"""The FastAPI application: a thin HTTP layer over one ``graph.store.Store``."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from knooppunt.graph import __version__
from knooppunt.graph.settings import Settings, from_env
from knooppunt.graph.store import Store, open_store

from . import problems, store_errors

log = logging.getLogger("knooppunt.store")


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app. Pass a ``store`` to share one (tests); otherwise the settings open one."""
    settings = settings or (store.settings if store else from_env())
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner = getattr(app.state, "query_runner", None)
        if runner is not None:
            runner.close()
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
    )
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)
    app.state.started = time.time()
    _say_limitations(app.state.store)
    problems.install(app)
    store_errors.install(app)

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
    return app


def _say_limitations(store: Store) -> None:
    """Say at start what the store's engine cannot do (docs/deploy.md), instead of failing later."""
    if store.limitations:
        log.warning("the %s store cannot do everything Knooppunt can; see docs/deploy.md:\n  - %s",
                    store.engine, "\n  - ".join(store.limitations))


def _include_routers(app: FastAPI) -> None:
    """Each feature owns one module with a ``router`` and an optional ``setup(app)``."""
    import importlib

    for name in ("sparql", "api", "writes", "pages"):
        try:
            module = importlib.import_module(f"knooppunt.service.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"knooppunt.service.{name}":
                continue
            raise
        if hasattr(module, "setup"):
            module.setup(app)
        app.include_router(module.router)
