"""Error cases of every endpoint (404, 422, caps) and injection strings that must change nothing."""

from __future__ import annotations

import pytest

BASE = "https://w3id.org/knooppunt"
PROBLEM = "application/problem+json"

INJECTIONS = [
    '" . } ; DROP ALL #',
    "x' } DELETE WHERE { ?s ?p ?o } #",
    "}",
    "#",
    BASE + "/id/project/dedicated> } ; DROP ALL ; INSERT DATA { <a:b> <a:b> <a:b>",
    '"""',
    "\\u003e",
]


def problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/projects/bestaat-niet/related",
        "/api/competencies/bestaat-niet/coverage",
        "/api/resource/id/project/bestaat-niet",
        "/api/resource/niet-onder-id",
        f"/api/resource?iri={BASE}/id/project/bestaat-niet",
        f"/api/projects/related?iri={BASE}/id/project/bestaat-niet",
        "/api/people?theme=bestaat-niet",
        "/api/path?from=organisatie/lumc&to=organisatie/bestaat-niet",
        "/api/graph?focus=project/bestaat-niet",
        "/api/gaps?level=bestaat-niet",
        # a real id of the wrong kind: an organisation is not a project
        "/api/projects/related?iri=" + BASE + "/id/organisatie/lumc",
    ],
)
def test_unknown_ids_are_404_with_a_message(client, url):
    body = problem(client.get(url), 404)
    assert body["detail"]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/search?q=zorg&limit=101", "limit"),
        ("/api/search?q=zorg&limit=0", "limit"),
        ("/api/search?q=", "q"),
        ("/api/search", "q"),
        ("/api/search?q=zorg&type=Taart", "type"),
        ("/api/people", "competency"),
        ("/api/people?theme=dementie&limit=1000", "limit"),
        ("/api/people?theme=a b c", "theme"),
        ("/api/projects/dedicated/related?limit=500", "limit"),
        ("/api/projects/dedicated/related?weights=taart=3", "weights"),
        ("/api/projects/dedicated/related?weights=theme=veel", "weights"),
        ("/api/path?from=organisatie/lumc", "to"),
        ("/api/path?from=organisatie/lumc&to=organisatie/iknl&max=11", "max"),
        ("/api/path?from=organisatie/lumc&to=organisatie/iknl&hops=7", "hops"),
        ("/api/resource?iri=not an iri", "iri"),
        ("/api/resource?iri=http://example.org/a>b", "iri"),
        ("/api/graph?focus=project/dedicated&depth=9", "depth"),
        ("/api/graph?types=Taart", "types"),
        ("/api/gaps?limit=101", "limit"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(client, url, parameter):
    body = problem(client.get(url), 422)
    named = [e["parameter"] for e in body.get("errors", [])]
    assert any(n == parameter or n.startswith(parameter) for n in named), body
    assert parameter in body["detail"]


@pytest.mark.parametrize(
    ("payload", "parameter"),
    [
        ({}, "description"),  # a title, a description, themes or competencies: one is enough
        ({"title": " ", "description": ""}, "description"),
        ({"title": "x", "themes": ["thema met spaties"]}, "themes[0]"),
        ({"title": "x", "levels": ["mbo", "<bad>"]}, "levels[1]"),
        ({"title": "x", "unknown": 1}, "unknown"),
        ({"title": "x", "themes": "dementie"}, "themes"),
    ],
)
def test_connections_bad_body_is_422(client, payload, parameter):
    body = problem(client.post("/api/connections", json=payload), 422)
    assert any(e["parameter"] == parameter for e in body["errors"]), body


def test_connections_unknown_term_is_404(client):
    body = problem(client.post("/api/connections", json={"title": "x", "themes": ["bestaat-niet"]}), 404)
    assert "bestaat-niet" in body["detail"]


def test_connections_limit_is_capped(client):
    problem(client.post("/api/connections?limit=51", json={"title": "x"}), 422)


def _quads(store):
    return set(store.quads())


@pytest.mark.parametrize("attack", INJECTIONS)
def test_injection_strings_change_nothing_and_answer_cleanly(client, store, attack):
    before = _quads(store)
    generation = store.generation
    responses = [
        client.get("/api/search", params={"q": attack}),
        client.get("/api/search", params={"q": "zorg", "type": attack}),
        client.get("/api/resource", params={"iri": attack}),
        client.get("/api/resource", params={"iri": f"{BASE}/id/project/{attack}"}),
        client.get("/api/people", params={"theme": attack}),
        client.get("/api/people", params={"organisation": f"{BASE}/id/organisatie/x{attack}"}),
        client.get("/api/projects/related", params={"iri": attack}),
        client.get("/api/path", params={"from": attack, "to": "organisatie/lumc"}),
        client.get("/api/graph", params={"focus": attack}),
        client.get("/api/gaps", params={"region": attack}),
        client.get("/api/competencies/coverage", params={"iri": attack}),
        client.post("/api/connections", json={"title": attack, "description": attack}),
        client.post("/api/connections", json={"title": "x", "themes": [attack]}),
    ]
    for r in responses:
        assert r.status_code in (200, 404, 422), (r.request.url, r.status_code, r.text)
        if r.status_code != 200:
            assert r.headers["content-type"].startswith(PROBLEM)
    search = responses[0].json()
    assert search["results"] == [] or all(r["iri"].startswith(BASE) for r in search["results"])
    assert store.generation == generation
    assert _quads(store) == before
