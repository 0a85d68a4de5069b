"""Protection of the endpoint: a real timeout that kills the work, a concurrency limit, the row
cap, the size limit, and workers that follow writes. Runs on the embedded backends, in memory
(workers load a snapshot) and on disk (workers open the store read-only), each with its own
server and short limits."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time

import httpx
import psutil
import pytest
from knooppunt.graph.settings import Settings
from knooppunt.graph.sparql.sandbox import WorkerPool
from knooppunt.graph.store import open_store
from knooppunt.service.app import create_app
from pyoxigraph import Literal, NamedNode, Quad

LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = "SELECT ?s WHERE { ?s a <https://w3id.org/knooppunt/def#EducationHub> } LIMIT 3"
BASE = "https://w3id.org/knooppunt"


@pytest.fixture(scope="module", params=["memory", "disk"])
def limited(request, tmp_path_factory, start_live_server):
    """(app, server, store) with a 2 s timeout, 2 workers, a 50-row cap and 2000-byte queries."""
    where = "memory" if request.param == "memory" else str(tmp_path_factory.mktemp("store") / "db")
    settings = Settings(store=where, base_iri=BASE, query_timeout=2.0, max_concurrent_queries=2,
                        row_cap=50, max_query_bytes=2000, token_file=str(tmp_path_factory.mktemp("t") / "tokens.json"))
    store = open_store(settings)
    app = create_app(settings=settings, store=store)
    server = start_live_server(app)
    yield app, server, store


def get(server, query: str, **kwargs) -> httpx.Response:
    return httpx.get(server.url + "/sparql", params={"query": query, **kwargs.pop("params", {})}, timeout=60, **kwargs)


def count_rows(response: httpx.Response) -> int:
    return len(json.loads(response.content)["results"]["bindings"])


def test_runner_matches_backend(limited):
    app, _, store = limited
    pool = app.state.query_runner
    assert isinstance(pool, WorkerPool)
    assert pool.source["kind"] == ("memory" if store.path is None else "disk")


def test_long_query_is_killed_while_health_and_small_queries_answer(limited):
    app, server, _ = limited
    pool = app.state.query_runner
    assert get(server, SMALL).status_code == 200  # warm: at least one worker
    before = pool.stats()
    outcome: dict = {}

    def long_query() -> None:
        start = time.monotonic()
        outcome["response"] = get(server, LONG)
        outcome["elapsed"] = time.monotonic() - start

    def cpu(pid: int) -> float:
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system

    settle = time.monotonic() + 10  # every worker started, so the long query runs on a known one
    while time.monotonic() < settle and pool.stats()["idle"] < pool.stats()["max"]:
        time.sleep(0.05)
    baseline = {pid: cpu(pid) for pid in pool.pids()}
    thread = threading.Thread(target=long_query)
    thread.start()
    # Cumulative CPU time, not a momentary percentage: on a loaded machine the worker may get
    # little of a core in any one interval, but it keeps accumulating CPU until it is killed.
    busy: list[int] = []
    deadline = time.monotonic() + 1.5
    while not busy and time.monotonic() < deadline:
        time.sleep(0.1)
        busy = [p for p in pool.pids() if p in baseline and psutil.pid_exists(p) and cpu(p) - baseline[p] >= 0.05]
    assert busy, "a worker should be burning CPU on the long query"
    for _ in range(3):  # the server stays responsive while the long query runs
        start = time.monotonic()
        health = httpx.get(server.url + "/health", timeout=5)
        assert health.status_code == 200 and time.monotonic() - start < 1.0
        start = time.monotonic()
        small = get(server, SMALL)
        assert small.status_code == 200 and count_rows(small) == 3
        assert time.monotonic() - start < 1.5
    thread.join(30)
    response = outcome["response"]
    assert response.status_code == 503
    problem = response.json()
    assert problem["title"] == "Query timed out" and "2 s" in problem["detail"]
    assert problem["timeout_s"] == 2.0
    assert 1.9 <= outcome["elapsed"] < 8
    # the worker that ran it is gone (SIGKILLed and reaped), its slot refilled
    # (another worker may also have used some CPU meanwhile, e.g. for the small queries: the one
    # that ran the long query is among the busy ones)
    gone = [p for p in busy if not psutil.pid_exists(p) or psutil.Process(p).status() == psutil.STATUS_ZOMBIE]
    assert len(gone) == 1, (busy, gone)
    assert pool.stats()["killed"] == before["killed"] + 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pool.stats()["alive"] < pool.stats()["size"]:
        time.sleep(0.05)
    after = pool.stats()
    assert after["size"] == after["alive"] <= after["max"]
    assert after["size"] >= before["size"]
    assert get(server, SMALL).status_code == 200


def test_concurrent_small_queries_share_the_pool(limited):
    app, server, _ = limited
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: get(server, SMALL), range(24)))
    assert [r.status_code for r in responses] == [200] * 24
    assert app.state.query_runner.stats()["size"] <= 2


def test_busy_when_no_worker_is_free(tmp_path):
    settings = Settings(store="memory", base_iri=BASE, query_timeout=2.0, max_concurrent_queries=1,
                        token_file=str(tmp_path / "tokens.json"))
    store = open_store(settings)
    app = create_app(settings=settings, store=store)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        app.state.query_runner.close()
        app.state.query_runner = WorkerPool(store, 2.0, 1, busy_wait=0.3)
        box: dict = {}
        thread = threading.Thread(target=lambda: box.update(r=client.get("/sparql", params={"query": LONG})))
        thread.start()
        time.sleep(0.7)
        busy = client.get("/sparql", params={"query": SMALL})
        assert busy.status_code == 503
        assert busy.json()["title"] == "Too many queries"
        assert int(busy.headers["retry-after"]) >= 1
        thread.join(30)
        assert box["r"].status_code == 503
        assert client.get("/sparql", params={"query": SMALL}).status_code == 200
        app.state.query_runner.close()


def test_row_cap_truncates_and_says_so(limited):
    _, server, _ = limited
    r = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status_code == 200 and count_rows(r) == 50
    assert r.headers["x-knooppunt-truncated"] == "true" and r.headers["x-knooppunt-row-cap"] == "50"
    r = get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 50")
    assert count_rows(r) == 50 and "x-knooppunt-truncated" not in r.headers
    r = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert len([line for line in r.text.splitlines() if line.strip()]) == 50
    assert r.headers["x-knooppunt-truncated"] == "true"
    r = get(server, "SELECT * WHERE { ?s ?p ?o }", headers={"Accept": "text/csv"})
    assert len(r.text.strip().splitlines()) == 51


def test_query_size_limit(limited):
    _, server, _ = limited
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2100
    assert get(server, big).status_code == 413
    r = httpx.post(server.url + "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "2000" in r.json()["detail"]
    r = httpx.post(server.url + "/sparql", data={"query": big})
    assert r.status_code == 413
    ok = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 1800
    assert get(server, ok).status_code == 200


def test_workers_follow_writes(limited):
    app, server, store = limited
    query = "SELECT ?o WHERE { <urn:x-test:s> <urn:x-test:p> ?o }"
    assert count_rows(get(server, query)) == 0
    extra = store.graph("test-extra")
    store.apply_delta([], [Quad(NamedNode("urn:x-test:s"), NamedNode("urn:x-test:p"), Literal("een"), extra)])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # every worker sees it, not just one
        answers = list(pool.map(lambda _: get(server, query), range(8)))
    assert all(count_rows(r) == 1 for r in answers)
    store.drop_graph(extra)
    assert count_rows(get(server, query)) == 0


def test_private_graph_stays_hidden_from_workers(limited):
    """Workers on disk read the whole store file; the dataset they are given keeps the private
    graph out (and the in-memory snapshot never contains it)."""
    _, server, store = limited
    secret = Quad(NamedNode("urn:x-test:person"), NamedNode("https://schema.org/email"),
                  Literal("geheim@example.org"), store.graph("private"))
    store.apply_delta([], [secret])
    try:
        for query in ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                      "SELECT ?o WHERE { ?s <https://schema.org/email> ?o }"):
            r = httpx.get(server.url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30)
            assert r.status_code == 200 and "geheim" not in r.text
    finally:
        store.apply_delta([secret], [])
