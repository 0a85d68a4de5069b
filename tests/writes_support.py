"""Helpers for the write tests: an app with its own token file, tokens, and full-store dumps."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from knooppunt.graph.store import Store
from knooppunt.graph.tokens import TokenFile
from knooppunt.service.app import create_app
from pyoxigraph import RdfFormat


@dataclass
class Writer:
    app: object
    client: TestClient
    store: Store
    editor: str
    admin: str

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.editor}"}


def make_writer(store: Store, tmp_path: Path, **settings) -> Writer:
    """The real app over ``store``, with a token file in ``tmp_path`` holding an editor and an admin."""
    token_file = tmp_path / "tokens.json"
    tokens = TokenFile(token_file)
    editor = tokens.create("redacteur", "editor")
    admin = tokens.create("beheerder", "admin")
    app = create_app(settings=store.settings.with_overrides(token_file=str(token_file), **settings), store=store)
    return Writer(app, TestClient(app), store, editor, admin)


def dump(store: Store) -> list[str]:
    """Every quad of the store (all graphs), sorted: equal lists mean an unchanged store."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(line for line in out.getvalue().decode("utf-8").splitlines() if line.strip())
