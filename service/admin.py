"""Routes for the ``knooppunt`` command on the service's own machine (see ``service.running``).

``POST /api/admin/snapshot`` makes a consistent copy of the embedded store under
``{store}/snapshots/`` and answers its path; the CLI opens it, reads, and removes it. Only the
running service's own secret (from ``serve.json``, readable by the service's user only) is
accepted: a path on the server's disk is of no use to anyone else. Not in the OpenAPI document.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from knooppunt.graph.store import OxigraphStore, Store
from starlette.concurrency import run_in_threadpool

from . import running
from .problems import Problem

router = APIRouter(include_in_schema=False)


def _require_local(request: Request) -> None:
    kind, _, secret = request.headers.get("authorization", "").partition(" ")
    expected = getattr(request.app.state, "local_secret", None)
    if not (expected and kind.lower() == "bearer" and hmac.compare_digest(secret.strip().encode(), expected.encode())):
        raise Problem(
            403, "Forbidden",
            "only the knooppunt command on this machine may ask for a snapshot "
            "(it presents the secret from serve.json in the store directory)",
        )


@router.post("/api/admin/snapshot")
async def snapshot(request: Request) -> dict:
    """A consistent, cheap (hard-linked) copy of the store for the CLI to read."""
    _require_local(request)
    store: Store = request.app.state.store
    if not isinstance(store, OxigraphStore) or store.root is None:
        raise Problem(409, "Conflict", "this service's store is not a directory: open it directly")
    target = running.new_snapshot_dir(store.root)
    await run_in_threadpool(store.backup, target)
    return {"path": str(target)}
