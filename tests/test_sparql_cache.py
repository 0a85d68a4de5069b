"""What repeats is answered from memory, and never after a write: GET query answers, the service
description and VoID carry an ETag and ``Cache-Control``; the same GET is answered without a
worker, ``If-None-Match`` gets 304, and any write changes the tag and the answer. Over real HTTP
(uvicorn) on the embedded store; the independent oracle for the answers is the store itself."""

from __future__ import annotations

import httpx
import pytest
from knooppunt.graph.settings import Settings
from knooppunt.graph.sparql.cache import ENTRY_OVERHEAD, ResultCache
from knooppunt.graph.sparql.results import QueryResult
from knooppunt.graph.store import open_store
from knooppunt.service.app import create_app
from pyoxigraph import Literal, NamedNode, Quad

BASE = "https://w3id.org/knooppunt"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERY = f"SELECT ?o WHERE {{ <urn:x-test:cache> <{LABEL}> ?o }} ORDER BY ?o"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, start_live_server):
    settings = Settings(store="memory", base_iri=BASE, token_file=str(tmp_path_factory.mktemp("t") / "tokens.json"))
    store = open_store(settings)
    app = create_app(settings=settings, store=store)
    return app, start_live_server(app), store


def values(response: httpx.Response) -> list[str]:
    return [b["o"]["value"] for b in response.json()["results"]["bindings"]]


def add(store, text: str) -> Quad:
    quad = Quad(NamedNode("urn:x-test:cache"), NamedNode(LABEL), Literal(text), store.graph("cache-test"))
    store.apply_delta([], [quad])
    return quad


def test_same_get_is_answered_from_memory_until_a_write(served):
    app, server, store = served
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = http.get("/sparql", params={"query": QUERY}, headers=JSON)
        assert first.status_code == 200 and values(first) == []
        etag = first.headers["etag"]
        assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
        served_before = app.state.query_runner.served
        again = http.get("/sparql", params={"query": QUERY}, headers=JSON)
        assert again.headers["etag"] == etag and again.content == first.content
        assert app.state.query_runner.served == served_before  # no worker asked
        assert http.get("/sparql", params={"query": QUERY}, headers={**JSON, "If-None-Match": etag}).status_code == 304
        assert http.get("/sparql", params={"query": QUERY}, headers={**JSON, "If-None-Match": f'"x", {etag}'}).status_code == 304

        quad = add(store, "na de schrijfactie")
        try:
            after = http.get("/sparql", params={"query": QUERY}, headers=JSON)
            assert after.headers["etag"] != etag
            assert values(after) == [q.object.value for q in store.quads(quad.subject, quad.predicate)]
            stale = http.get("/sparql", params={"query": QUERY}, headers={**JSON, "If-None-Match": etag})
            assert stale.status_code == 200 and values(stale) == ["na de schrijfactie"]
        finally:
            store.apply_delta([quad], [])
        assert values(http.get("/sparql", params={"query": QUERY}, headers=JSON)) == []


def test_tag_depends_on_format_and_dataset(served):
    _, server, _ = served
    with httpx.Client(base_url=server.url, timeout=30) as http:
        json_tag = http.get("/sparql", params={"query": QUERY}, headers=JSON).headers["etag"]
        csv = http.get("/sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv") and csv.headers["etag"] != json_tag
        named = http.get("/sparql", params={"query": QUERY, "default-graph-uri": f"{BASE}/graph/ontology"}, headers=JSON)
        assert named.headers["etag"] != json_tag
        # a tag from the JSON answer does not make the CSV one "not modified"
        assert http.get("/sparql", params={"query": QUERY}, headers={"Accept": "text/csv", "If-None-Match": json_tag}).status_code == 200


def test_post_queries_always_run(served):
    app, server, _ = served
    with httpx.Client(base_url=server.url, timeout=30) as http:
        before = app.state.query_runner.served
        for _ in range(2):
            r = http.post("/sparql", data={"query": QUERY}, headers=JSON)
            assert r.status_code == 200 and "etag" not in r.headers
        assert app.state.query_runner.served == before + 2


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_descriptions_are_tagged_and_follow_writes(served, path):
    _, server, store = served
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = http.get(path, headers={"Accept": "text/turtle"})
        etag = first.headers["etag"]
        assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
        assert http.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code == 304
        assert http.get(path, headers={"Accept": "application/n-triples"}).headers["etag"] != etag
        quad = add(store, "telt mee")
        try:
            after = http.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag})
            assert after.status_code == 200 and after.headers["etag"] != etag
            assert f"{BASE}/graph/cache-test" in after.text  # the new graph is described
        finally:
            store.apply_delta([quad], [])


def test_many_tiny_answers_to_long_texts_stay_within_the_budget():
    """Found in review: keys held whole query texts while only answer bodies were counted."""
    cache = ResultCache(max_bytes=64 * 1024)
    tiny = QueryResult(kind="boolean", body=b"{}", media_type="application/sparql-results+json", format="json")
    for i in range(1000):
        cache.put("s", ("GET", "ASK {} #" + f"{i:06d}" * 3000, (), ()), tiny)
    assert 0 < cache.stats()["entries"] <= 64 * 1024 // ENTRY_OVERHEAD  # not all 1000 (18 MB of keys)
    assert cache.get("s", ("GET", "ASK {} #" + f"{999:06d}" * 3000, (), ())) is tiny


@pytest.mark.parametrize("query", ["SELECT * FROM <http://[x/> WHERE {}", "PREFIX a: <http://[x/> SELECT * {}",
                                   "BASE <http://[::1> SELECT * {}"])
def test_an_iri_python_cannot_join_is_a_4xx_not_a_500(client, query):
    """Found in review: urljoin raised ValueError while the query text was read."""
    for r in (client.get("/sparql", params={"query": query}), client.post("/sparql", data={"query": query})):
        assert 400 <= r.status_code < 500, (query, r.status_code, r.text[:200])
