"""The ``oxigraph_server`` session fixture: real Oxigraph server processes on 127.0.0.1.

``oxigraph_server.settings(**overrides)`` starts a new server (about 0.1 s, ~20 MB) on a free port
with its own temporary directory and returns ``Settings`` pointing at it, so every store a test
opens is empty and no later test can clear data an earlier one still holds. Servers whose
``Settings`` object has been garbage-collected (no store uses it any more) are stopped when the
next one starts, so a long session keeps only a handful alive.

``oxigraph_server.start()`` gives the ``OxigraphProcess`` itself, for tests that stop and restart
the store (same port, same directory) to see the service fail cleanly and recover.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from knooppunt.graph.settings import Settings
from server_pool import ServerPool

BASE = "https://w3id.org/knooppunt"


def oxigraph_binary() -> str:
    """The ``oxigraph`` command of this environment (beside the interpreter), else the PATH one."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphProcess:
    """One ``oxigraph serve`` process with a data directory that outlives restarts."""

    def __init__(self, directory: Path, port: int | None = None, timeout_s: float | None = None) -> None:
        self.directory = directory
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.path = ""  # the store URL is the server's root
        self.timeout_s = timeout_s
        self.process: subprocess.Popen | None = None

    def start(self) -> OxigraphProcess:
        command = [oxigraph_binary(), "serve", "--location", str(self.directory),
                   "--bind", f"127.0.0.1:{self.port}"]
        if self.timeout_s:
            command += ["--timeout-s", str(self.timeout_s)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(f"{self.url}/query", data={"query": "ASK {}"}, timeout=2).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph server on port {self.port} did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def settings(self, **overrides) -> Settings:
        values = {"store": self.url, "base_iri": BASE, "token_file": "", "store_timeout": 10.0}
        values.update(overrides)
        return Settings(**values)


class OxigraphServers(ServerPool):
    """Hands out fresh servers; stops the ones no store refers to any more (``server_pool``)."""

    def start(self, timeout_s: float | None = None, *, seeded: bool = False) -> OxigraphProcess:
        """A new, empty server (``seeded``: see ``settings``)."""
        directory = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=self.root))
        self._reap()
        return self._own(OxigraphProcess(directory, timeout_s=timeout_s).start())

    def settings(self, *, seeded: bool = False, **overrides) -> Settings:
        """A new, empty server's settings (``seeded`` is for ``virtuoso_fixture``'s signature:
        ``open_store`` seeds an Oxigraph server in a fraction of a second)."""
        server = self.start()
        return self._tie(server, server.settings(**overrides))

    @staticmethod
    def settings_of(server: OxigraphProcess, **overrides) -> Settings:
        return server.settings(**overrides)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> Iterator[OxigraphServers]:
    servers = OxigraphServers(tmp_path_factory.mktemp("oxigraph"))
    yield servers
    servers.close()
