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
- ``virtuoso_server.start()`` gives the ``VirtuosoProcess`` itself (stop and restart it, same
  directory and ports).

Servers whose ``Settings`` object has been garbage-collected are stopped when the next one starts,
so a session keeps only a few alive. Nothing here listens beyond 127.0.0.1.
"""

from __future__ import annotations

import gc
import shutil
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from knooppunt.graph.settings import Settings

BASE = "https://w3id.org/knooppunt"
USER, PASSWORD = "knooppunt", "knooppunt-test"
DBA_PASSWORD = "dba"  # the template's own default; its SQL port listens on loopback only

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
DirsAllowed = .

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 30
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {query_timeout}
MaxQueryCostEstimationTime = 0
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found:  # a failure, not a skip: CI installs it (.ci/run), and a skipped engine proves nothing
        raise RuntimeError("virtuoso-t is not installed: apt-get install virtuoso-opensource "
                           "(or leave 'virtuoso' out of KNOOPPUNT_TEST_BACKENDS)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VirtuosoProcess:
    """One ``virtuoso-t`` process with a directory (database, ini, log) that outlives restarts."""

    def __init__(self, directory: Path, *, buffers: int = 4000, query_timeout: int = 60,
                 max_rows: int = 10_000_000) -> None:
        self.directory = directory
        self.http_port = _free_port()
        self.sql_port = _free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.path = "/sparql"  # the store URL is the query endpoint
        self.process: subprocess.Popen | None = None
        (directory / "www").mkdir(parents=True, exist_ok=True)
        ini = INI.format(dir=directory, sql_port=self.sql_port, http_port=self.http_port, buffers=buffers,
                         dirty=buffers * 3 // 4, query_timeout=query_timeout, max_rows=max_rows)
        (directory / "virtuoso.ini").write_text(ini, encoding="utf-8")

    def start(self, deadline_s: float = 120) -> VirtuosoProcess:
        log = open(self.directory / "stdout.log", "ab")  # noqa: SIM115 - kept by the process
        self.process = subprocess.Popen(
            [virtuoso_binary(), "+foreground", "+configfile", str(self.directory / "virtuoso.ini")],
            cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                httpx.post(f"{self.url}/sparql", data={"query": "ASK {}"}, timeout=5).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.directory / "stdout.log").read_text(errors="replace")[-1500:]
                    self.stop()
                    raise RuntimeError(f"virtuoso on port {self.http_port} did not start:\n{tail}") from None
                time.sleep(0.1)

    def isql(self, *statements: str) -> str:
        """Run SQL statements as dba through ``isql-vt`` (the package's client)."""
        command = ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD,
                   "exec=" + " ".join(s.rstrip(";") + ";" for s in statements)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
        return done.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def shutdown(self) -> None:
        """A clean shutdown through SQL (checkpoint first), for templates that are copied."""
        if self.process is None:
            return
        try:
            self.isql("checkpoint", "shutdown")
        except RuntimeError:
            pass  # the connection closes as the server goes down
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.stop()
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def port(self) -> int:
        return self.http_port

    def settings(self, **overrides) -> Settings:
        values = {"store": f"{self.url}/sparql", "store_user": USER, "store_password": PASSWORD,
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

                open_store(server.settings()).close()
            else:
                directory = Path(tempfile.mkdtemp(prefix="template-empty-", dir=self.root))
                server = VirtuosoProcess(directory).start()
                server.isql(f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}')", f'GRANT SPARQL_UPDATE TO "{USER}"')
            server.shutdown()
            self._templates[seeded] = directory
        return self._templates[seeded]

    def _copy(self, template: Path, prefix: str) -> Path:
        directory = Path(tempfile.mkdtemp(prefix=prefix + "-", dir=self.root))
        shutil.copy2(template / "virtuoso.db", directory / "virtuoso.db")
        return directory

    def start(self, *, seeded: bool = False, **kwargs) -> VirtuosoProcess:
        self._reap()
        server = VirtuosoProcess(self._copy(self._template(seeded), "virtuoso"), **kwargs).start()
        self._owned.append((server, None))  # started explicitly: kept until the session ends
        return server

    def settings(self, *, seeded: bool = True, **overrides) -> Settings:
        """A new server's settings; ``seeded``: it already holds the ontology and seed data."""
        seeded = seeded and "base_iri" not in overrides
        server = self.start(seeded=seeded)
        settings = server.settings(**overrides)
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
