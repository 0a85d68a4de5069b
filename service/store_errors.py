"""A remote store that is down, slow or refusing becomes a clear ``503`` / ``504`` / ``400``
problem, never a 500.

``graph.store.remote`` raises ``StoreUnavailable`` (refused connection, DNS failure, dropped connection,
rejected credentials, 502/503 from a proxy), ``StoreTimeout`` (no answer within
``KNOOPPUNT_STORE_TIMEOUT``) and ``StoreBadRequest`` (the store refused what a client sent: a query
or data its engine cannot take). They say which store and what to check; the problem document
passes that on, for 503 and 504 with ``Retry-After`` so clients and load balancers back off.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from knooppunt.graph.store import StoreBadRequest, StoreTimeout, StoreUnavailable

from .problems import problem_response

RETRY_AFTER_S = 5


def install(app: FastAPI) -> None:
    """Register the handlers; call after ``problems.install(app)``."""

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return problem_response(
            503, "Store unavailable", str(exc), headers={"Retry-After": str(RETRY_AFTER_S)}
        )

    @app.exception_handler(StoreBadRequest)
    async def _refused(_: Request, exc: StoreBadRequest) -> JSONResponse:
        return problem_response(400, "Refused by the store", str(exc))

    @app.exception_handler(StoreTimeout)
    async def _timeout(_: Request, exc: StoreTimeout) -> JSONResponse:
        return problem_response(
            504, "Store timeout", str(exc), headers={"Retry-After": str(RETRY_AFTER_S)}
        )
