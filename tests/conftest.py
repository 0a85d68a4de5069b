"""Shared fixtures: real stores, the real app, a real uvicorn server.

Suites that must run on every backend use the ``store`` / ``fresh_store`` / ``client`` /
``live_server`` fixtures, which are parametrised over ``BACKENDS``: ``memory`` (embedded Oxigraph
in memory), ``remote`` (a real Oxigraph server process, started by ``oxigraph_fixture``) and
``virtuoso`` (a real Virtuoso 7.2 process, ``virtuoso_fixture``). ``KNOOPPUNT_TEST_BACKENDS``
narrows them (``memory`` alone while iterating); suites about remote stores as such run on
``REMOTE_BACKENDS`` (the remote ones of ``BACKENDS``, else the Oxigraph server).

Read-only tests share one store per backend (``store``); tests that write get a new one
(``fresh_store``): an Oxigraph server starts in ~0.1 s, a Virtuoso copy of a seeded template in
~2 s.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import Store, open_store
from knooppunt.service.app import create_app

BASE = "https://w3id.org/knooppunt"
pytest_plugins = ["oxigraph_fixture", "virtuoso_fixture"]
BACKENDS = [b for b in os.environ.get("KNOOPPUNT_TEST_BACKENDS", "memory,remote,virtuoso").split(",") if b]
REMOTE_BACKENDS = [b for b in BACKENDS if b != "memory"] or ["remote"]
SERVER_FIXTURES = {"remote": "oxigraph_server", "virtuoso": "virtuoso_server"}


def w3c_dir() -> Path:
    """The W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests, kept in the repository
    (``tests/w3c``, with the W3C licence), so a fresh clone runs them with nothing beside it."""
    return Path(__file__).resolve().parent / "w3c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn server in a thread, on a free loopback port."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def start_live_server() -> Iterator[Callable]:
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def memory_settings(**overrides) -> Settings:
    return Settings(store="memory", base_iri=BASE, token_file="", **overrides)


@pytest.fixture(scope="session")
def servers_for(request) -> Callable:
    """``servers_for(backend)``: the session's server factory of a remote backend (``remote``:
    Oxigraph servers, ``virtuoso``: Virtuoso), with ``settings(**overrides)`` and ``start()``."""

    def servers(backend: str):
        return request.getfixturevalue(SERVER_FIXTURES[backend])

    return servers


@pytest.fixture(scope="session")
def store_factory(servers_for) -> Callable[..., Store]:
    """``store_factory(backend, **settings)`` makes a new seeded store of that backend."""

    def make(backend: str = "memory", **overrides) -> Store:
        if backend == "memory":
            return open_store(memory_settings(**overrides))
        if backend in SERVER_FIXTURES:
            return open_store(servers_for(backend).settings(**overrides))
        raise ValueError(backend)

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="module", params=REMOTE_BACKENDS)
def engine(request) -> str:
    """A remote backend (``remote``: Oxigraph server, ``virtuoso``), for suites about remote stores."""
    return request.param


@pytest.fixture(scope="module")
def servers(engine, servers_for):
    """The server factory of ``engine`` (``settings(**overrides)``, ``start()``)."""
    return servers_for(engine)


@pytest.fixture(scope="session")
def store(store_factory, backend) -> Store:
    """A seeded store shared by read-only tests of a session (do not write to it)."""
    return store_factory(backend)


@pytest.fixture
def fresh_store(store_factory, backend) -> Store:
    """A new seeded store for a test that writes."""
    return store_factory(backend)


@pytest.fixture(scope="session")
def app(store):
    return create_app(store=store)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(app, start_live_server) -> LiveServer:
    return start_live_server(app)


# --- the browser (Playwright with Debian's chromium), shared by the browser tests ------------------
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    reason = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the playwright package is missing (pip install -e '.[test]')")
        pytest.skip("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield b
        b.close()
