"""SPARQL Update: what a client can send must never reach the network, crash the server or give a
500 (issue 17.2, the Update half of 17.3, 17.8; issue 10.5). A local listener proves that nothing
is fetched; a real server process proves that a deeply nested update does not kill it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import free_port
from security_support import Listener
from writes_support import dump, make_writer

BASE = "https://w3id.org/knooppunt"
UPDATE = {"Content-Type": "application/sparql-update"}
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def _post(w, text: str, token: str | None = None, query: str = "") -> httpx.Response:
    return w.client.post("/sparql" + query, content=text, headers={**UPDATE, **w.auth(token)})


def test_a_second_load_hidden_by_a_codepoint_escape_is_refused(w, listener):
    """An escaped character in an IRI made the old lexer read the rest of the line as a comment."""
    before = dump(w.store)
    text = (f'INSERT DATA {{ GRAPH <{BASE}/graph/x> {{ <http://e.example/\\u0062#> <{RDFS}label> "x"@nl }} }} ; '
            f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>")
    r = _post(w, text)
    assert r.status_code == 403 and "LOAD" in r.json()["detail"], r.text
    assert listener.count() == 0
    assert dump(w.store) == before


def test_using_graph_uri_is_not_pasted_into_the_update(w, listener):
    before = dump(w.store)
    injected = f"http://e.example/g> WHERE {{}} ; LOAD <http://127.0.0.1:{listener.port}/x> ; INSERT {{ <http://e/s> <http://e/p> <http://e/o> }} USING <http://e.example/h"
    text = "INSERT { <http://e/s> <http://e/p> <http://e/o> } WHERE { }"
    r = _post(w, text, query="?using-graph-uri=" + quote(injected, safe=""))
    assert r.status_code == 400, r.text
    assert listener.count() == 0
    assert dump(w.store) == before


@pytest.mark.parametrize("escape", ["SERVICE", "SERVIC\\u0045", "SERVICE SILENT"])
def test_service_inside_an_update_is_refused(w, listener, escape):
    before = dump(w.store)
    text = (f"INSERT {{ GRAPH <{BASE}/graph/x> {{ ?s ?p ?o }} }} WHERE {{ "
            f"{escape} <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}")
    r = _post(w, text)
    assert r.status_code in (400, 403), r.text  # an escaped keyword is no keyword: a syntax error
    assert listener.count() == 0
    assert dump(w.store) == before


def test_no_network_during_evaluation_even_past_the_tree_checks(fresh_store, listener, monkeypatch):
    """With the tree check deliberately bypassed, evaluation itself cannot connect."""
    from knooppunt.graph.writes import update

    monkeypatch.setattr(update, "_uses_service", lambda node: False)
    text = (f"INSERT {{ GRAPH <{BASE}/graph/x> {{ ?s ?p ?o }} }} WHERE {{ "
            f"SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}")
    with pytest.raises(update.UpdateError) as refused:
        update.update_delta(fresh_store, text, admin=True)
    assert "network" in refused.value.detail
    assert listener.count() == 0


def test_deep_nesting_is_refused_before_parsing_and_moderate_nesting_works(w):
    before = dump(w.store)
    deep = f"INSERT {{ <{BASE}/id/thema/a> <{RDFS}comment> ?x }} WHERE {{ BIND({'(' * 30_000}1{')' * 30_000} AS ?x) }}"
    r = _post(w, deep)
    assert r.status_code == 400 and "deep" in r.json()["detail"], r.text
    escaped = deep.replace("(", "\\u0028")  # escapes are expanded before the depth is counted
    assert _post(w, escaped).status_code == 400
    assert dump(w.store) == before
    ok = (f"INSERT {{ GRAPH <{BASE}/graph/x> {{ <{BASE}/id/thema/a> <{RDFS}comment> ?x }} }} "
          f"WHERE {{ BIND(STR({'(' * 8}1 + 2{')' * 8}) AS ?x) }}")
    r = _post(w, ok)
    assert r.status_code == 200, r.text


def test_a_deeply_nested_update_does_not_kill_the_server(tmp_path):
    """30,000 nested parentheses: a 400 from a server that keeps running (issue 17.3)."""
    store = tmp_path / "db"
    command = [str(Path(sys.executable).with_name("knooppunt"))]
    env = os.environ | {"KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
    env.pop("KNOOPPUNT_TOKEN_FILE", None)
    token = subprocess.run(command + ["token", "create", "diep", "--scope", "editor"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    proc = subprocess.Popen(command + ["serve", "--port", str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.2)
        deep = f"INSERT {{ <{BASE}/id/thema/a> <{RDFS}comment> ?x }} WHERE {{ BIND({'(' * 30_000}1{')' * 30_000} AS ?x) }}"
        try:
            r = httpx.post(url + "/sparql", content=deep, timeout=60,
                           headers={**UPDATE, "Authorization": f"Bearer {token}"})
            status = r.status_code
        except httpx.HTTPError as exc:
            status = repr(exc)
        assert status == 400
        assert proc.poll() is None, "the server died"
        assert httpx.get(url + "/health", timeout=10).status_code == 200
    finally:
        proc.kill()
        proc.wait()


def test_clear_of_the_private_graph_by_an_editor_is_403(w):
    before = dump(w.store)
    for text in (f"CLEAR GRAPH <{BASE}/graph/private>", f"DROP GRAPH <{BASE}/graph/private>",
                 f"COPY <{BASE}/graph/private> TO <{BASE}/graph/kopie>"):
        r = _post(w, text)
        assert r.status_code == 403, (text, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _post(w, f"CLEAR SILENT GRAPH <{BASE}/graph/private>").status_code == 403
    for graph in ("system", "provenance"):
        assert _post(w, f"CLEAR GRAPH <{BASE}/graph/{graph}>", w.admin).status_code == 403
    assert dump(w.store) == before


def test_using_graph_uri_applies_to_delete_insert_where(w):
    g = f"{BASE}/graph/bron"
    setup = (f'INSERT DATA {{ GRAPH <{g}> {{ <{BASE}/id/thema/a> <{RDFS}comment> "weg"@nl ; '
             f'<{RDFS}seeAlso> <https://example.org/blijft> }} }}')
    assert _post(w, setup).status_code == 200
    text = f'DELETE {{ GRAPH <{g}> {{ ?s <{RDFS}comment> ?c }} }} WHERE {{ ?s <{RDFS}comment> ?c }}'
    r = _post(w, text, query="?using-graph-uri=" + quote(g, safe=""))
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == 1  # the WHERE read <bron>, not the default graph


def test_graph_management_failures_are_4xx_and_silent_succeeds(w):
    before = dump(w.store)
    missing = f"{BASE}/graph/bestaat-niet"
    cases = [
        (f"DROP GRAPH <{missing}>", 404), (f"CLEAR GRAPH <{missing}>", 404),
        (f"ADD <{missing}> TO <{BASE}/graph/x>", 404), (f"MOVE <{missing}> TO <{BASE}/graph/x>", 404),
        (f"CREATE GRAPH <{BASE}/graph/regios>", 409),
        (f"DROP SILENT GRAPH <{missing}>", 200), (f"CLEAR SILENT GRAPH <{missing}>", 200),
        (f"CREATE SILENT GRAPH <{BASE}/graph/regios>", 200), (f"CREATE GRAPH <{missing}>", 200),
        ("INSERT DATA { <http://e/s> <http://e/p> }", 400), ("DELETE WHERE { ?s ?p ?o FILTER(?o) }", 400),
    ]
    for text, status in cases:
        r = _post(w, text, w.admin)
        assert r.status_code == status, (text, r.text)
        if status != 200:
            assert r.headers["content-type"].startswith("application/problem+json") and r.json()["detail"]
    assert [line for line in dump(w.store) if "/graph/provenance>" not in line] == [
        line for line in before if "/graph/provenance>" not in line]


def test_rdflib_dataset_graph_sends_create_graph(w, start_live_server):
    """rdflib's SPARQLUpdateStore sends CREATE GRAPH for Dataset.graph(); a new graph is fine."""
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    server = start_live_server(w.app)
    store = SPARQLUpdateStore(query_endpoint=server.url + "/sparql", update_endpoint=server.url + "/sparql",
                              headers={"Authorization": f"Bearer {w.editor}"})
    dataset = rdflib.Dataset(store=store)
    graph = dataset.graph(rdflib.URIRef(f"{BASE}/graph/via-rdflib"))
    graph.add((rdflib.URIRef(f"{BASE}/id/thema/via-rdflib"), rdflib.RDFS.label, rdflib.Literal("Via rdflib", lang="nl")))
    assert w.store.count(w.store.graph("via-rdflib")) == 1
    with pytest.raises(urllib.error.HTTPError) as exists:  # CREATE of an existing graph: 409
        dataset.graph(rdflib.URIRef(f"{BASE}/graph/via-rdflib"))
    assert exists.value.code == 409
