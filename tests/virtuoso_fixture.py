"""The ``virtuoso_server`` session fixture: real Virtuoso processes on 127.0.0.1.

Like ``oxigraph_fixture``, but Virtuoso (Debian's ``virtuoso-opensource``, 7.2) takes seconds to
start and ~200 MB each, so instances are made from templates and shared where tests only read:

- The first use in a session builds a *template* database: ``virtuoso-t +foreground +configfile``
  on a generated ``virtuoso.ini`` (own directory, two free loopback ports: SQL and HTTP), then
  ``isql-vt`` creates the account Knooppunt writes with (``knooppunt``, ``SPARQL_UPDATE`` granted,
  so ``/sparql-auth`` takes its Digest credentials) and shuts the server down cleanly. A second
  template holds that plus the ontology and seed data, loaded through Knooppunt itself
  (``open_store``), so a seeded store costs a file copy, not a reload.
- ``virtuoso_server.settings(**overrides)`` copies a template into a new directory, starts it
  (about 2 s) and returns ``Settings`` for it (``…/sparql`` with the account; the update and
  Graph Store endpoints are derived). ``seeded=False`` gives an empty store.
- ``virtuoso_server.start()`` gives the ``VirtuosoProcess`` itself (``bench.virtuoso``: stop and
  restart it, same directory and ports), ``settings_of(server)`` the settings for it.

Servers whose ``Settings`` object has been garbage-collected are stopped when the next one starts,
so a session keeps only a few alive. Nothing here listens beyond 127.0.0.1.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from knooppunt.graph.settings import Settings

from bench.virtuoso import PASSWORD, USER, VirtuosoProcess, copy_database

BASE = "https://w3id.org/knooppunt"
__all__ = ["PASSWORD", "USER", "VirtuosoProcess", "VirtuosoServers", "virtuoso_server"]


def settings_for(server: VirtuosoProcess, **overrides) -> Settings:
    """Settings for a store on ``server``: its ``/sparql`` URL and the account (updates and the
    Graph Store endpoint are derived from them)."""
    values = {"store": server.store_url, "store_user": USER, "store_password": PASSWORD,
              "base_iri": BASE, "token_file": "", "store_timeout": 30.0}
    values.update(overrides)
    return Settings(**values)


class VirtuosoServers:
    """Hands out servers copied from an empty and a seeded template; reaps unused ones."""

    keep_at_least = 3

    def __init__(self, root: Path) -> None:
        self.root = root
        self._templates: dict[bool, Path] = {}
        self._owned: list[tuple[VirtuosoProcess, weakref.ref | None]] = []

    def _template(self, seeded: bool) -> Path:
        if seeded not in self._templates:
            if seeded:
                directory = self._copy(self._template(False), "template-seeded")
                server = VirtuosoProcess(directory).start()
                from knooppunt.graph.store import open_store

                open_store(settings_for(server)).close()
            else:
                directory = Path(tempfile.mkdtemp(prefix="template-empty-", dir=self.root))
                server = VirtuosoProcess(directory).start()
                server.create_account()
            server.shutdown()
            self._templates[seeded] = directory
        return self._templates[seeded]

    def _copy(self, template: Path, prefix: str) -> Path:
        return copy_database(template, Path(tempfile.mkdtemp(prefix=prefix + "-", dir=self.root)))

    def start(self, *, seeded: bool = False, **kwargs) -> VirtuosoProcess:
        self._reap()
        server = VirtuosoProcess(self._copy(self._template(seeded), "virtuoso"), **kwargs).start()
        self._owned.append((server, None))  # started explicitly: kept until the session ends
        return server

    @staticmethod
    def settings_of(server: VirtuosoProcess, **overrides) -> Settings:
        return settings_for(server, **overrides)

    def settings(self, *, seeded: bool = True, **overrides) -> Settings:
        """A new server's settings; ``seeded``: it already holds the ontology and seed data."""
        seeded = seeded and "base_iri" not in overrides
        server = self.start(seeded=seeded)
        settings = settings_for(server, **overrides)
        self._owned[-1] = (server, weakref.ref(settings))
        return settings

    def _reap(self) -> None:
        if sum(1 for s, _ in self._owned if s.running) < self.keep_at_least:
            return
        gc.collect()
        alive = []
        for server, ref in self._owned:
            if ref is not None and ref() is None:
                server.stop()
                shutil.rmtree(server.directory, ignore_errors=True)
            else:
                alive.append((server, ref))
        self._owned = alive

    def close(self) -> None:
        for server, _ in self._owned:
            server.stop()
        self._owned = []


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[VirtuosoServers]:
    servers = VirtuosoServers(tmp_path_factory.mktemp("virtuoso"))
    yield servers
    servers.close()
