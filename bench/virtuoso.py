"""A throw-away Virtuoso server (Debian's ``virtuoso-opensource``, 7.2) for benchmarks and tests.

``VirtuosoProcess(directory)`` writes a ``virtuoso.ini`` for its own directory and two free
loopback ports (SQL and HTTP), and ``start()`` runs ``virtuoso-t +foreground +configfile …``
until ``/sparql`` answers. ``isql(...)`` runs SQL as ``dba`` through the package's ``isql-vt``
(``create_account`` makes the account Knooppunt writes with: ``SPARQL_UPDATE`` granted, so
``/sparql-auth`` takes its Digest credentials); ``bulk_load`` loads N-Quads files with Virtuoso's
own bulk loader. Used by ``bench.remote_bench`` and ``tests/virtuoso_fixture.py``; the settings are
the ones ``docs/deploy.md`` recommends (``ResultSetMaxRows`` raised, a query timeout, no cost
estimate refusals), and nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

USER, PASSWORD = "knooppunt", "knooppunt-test"
DBA_PASSWORD = "dba"  # a new database's own default; its SQL port listens on loopback only

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
DirsAllowed = ., {dir}

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VirtuosoProcess:
    """One ``virtuoso-t`` process with a directory (database, ini, log) that outlives restarts."""

    path = "/sparql"
    """The store URL is the query endpoint (``KNOOPPUNT_STORE={url}/sparql``)."""

    def __init__(self, directory: Path, *, buffers: int = 4000, query_timeout: int = 60,
                 max_rows: int = 10_000_000) -> None:
        self.directory = directory
        self.http_port = free_port()
        self.sql_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.process: subprocess.Popen | None = None
        (directory / "www").mkdir(parents=True, exist_ok=True)
        ini = INI.format(dir=directory, sql_port=self.sql_port, http_port=self.http_port, buffers=buffers,
                         dirty=buffers * 3 // 4, query_timeout=query_timeout, max_rows=max_rows)
        (directory / "virtuoso.ini").write_text(ini, encoding="utf-8")

    @property
    def port(self) -> int:
        return self.http_port

    @property
    def store_url(self) -> str:
        return self.url + self.path

    def start(self, deadline_s: float = 120) -> VirtuosoProcess:
        with open(self.directory / "stdout.log", "ab") as log:
            self.process = subprocess.Popen(
                [virtuoso_binary(), "+foreground", "+configfile", str(self.directory / "virtuoso.ini")],
                cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                httpx.post(self.store_url, data={"query": "ASK {}"}, timeout=5).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.directory / "stdout.log").read_text(errors="replace")[-1500:]
                    self.stop()
                    raise RuntimeError(f"virtuoso on port {self.http_port} did not start:\n{tail}") from None
                time.sleep(0.1)

    def isql(self, *statements: str, timeout: float = 60) -> str:
        """Run SQL statements as dba through ``isql-vt`` (the package's client)."""
        command = ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD,
                   "exec=" + " ".join(s.rstrip(";") + ";" for s in statements)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
        return done.stdout

    def create_account(self) -> None:
        """The account Knooppunt writes with (docs/deploy.md)."""
        self.isql(f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}')", f'GRANT SPARQL_UPDATE TO "{USER}"')

    def bulk_load(self, files: list[Path]) -> None:
        """Load N-Quads files with Virtuoso's bulk loader (each quad into its own graph)."""
        for f in files:
            target = self.directory / f.name
            if target != f:
                shutil.copy2(f, target)
            self.isql(f"ld_dir('{self.directory}', '{f.name}', 'urn:x-knooppunt:unused')")
        self.isql("rdf_loader_run()", "checkpoint", timeout=3600)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def shutdown(self) -> None:
        """A clean shutdown through SQL (checkpoint first), for a database that is copied later."""
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


def copy_database(source: Path, target: Path) -> Path:
    """A new directory holding a copy of ``source``'s database (from a clean shutdown)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "virtuoso.db", target / "virtuoso.db")
    return target
