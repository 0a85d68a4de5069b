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
  (about 2 s; a seeded one is started in the background while the test before runs) and returns
  ``Settings`` for it (``…/sparql`` with the account; the update and
  Graph Store endpoints are derived). ``seeded=False`` gives an empty store.
- ``virtuoso_server.start()`` gives the ``VirtuosoProcess`` itself (``bench.virtuoso``: stop and
  restart it, same directory and ports), ``settings_of(server)`` the settings for it.

Servers whose ``Settings`` object has been garbage-collected are stopped when the next one starts,
so a session keeps only a few alive. Nothing here listens beyond 127.0.0.1.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from knooppunt.graph.settings import Settings
from server_pool import ServerPool

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


class VirtuosoServers(ServerPool):
    """Hands out servers copied from an empty and a seeded template; stops unused ones."""

    keep_at_least = 3

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._templates: dict[bool, Path] = {}
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="virtuoso-spare")
        self._spare: Future | None = None

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
        """A new server; a seeded one with default settings is the spare started in the background
        while the previous test ran (a start takes seconds), and the next spare starts now."""
        self._reap()
        if seeded and not kwargs:
            spare, self._spare = self._spare, self._background.submit(self._launch, True)
            if spare is not None:
                return self._own(spare.result())
        return self._own(self._launch(seeded, **kwargs))

    def _launch(self, seeded: bool, **kwargs) -> VirtuosoProcess:
        return VirtuosoProcess(self._copy(self._template(seeded), "virtuoso"), **kwargs).start()

    def close(self) -> None:
        if self._spare is not None:
            self._own(self._spare.result())
            self._spare = None
        self._background.shutdown()
        super().close()

    @staticmethod
    def settings_of(server: VirtuosoProcess, **overrides) -> Settings:
        return settings_for(server, **overrides)

    def settings(self, *, seeded: bool = True, **overrides) -> Settings:
        """A new server's settings; ``seeded``: it already holds the ontology and seed data."""
        seeded = seeded and "base_iri" not in overrides
        server = self.start(seeded=seeded)
        return self._tie(server, settings_for(server, **overrides))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory) -> Iterator[VirtuosoServers]:
    servers = VirtuosoServers(tmp_path_factory.mktemp("virtuoso"))
    yield servers
    servers.close()
