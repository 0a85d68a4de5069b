"""SPARQL 1.1 Update on /sparql: validated on its exact effect, atomic, recorded; and the Graph Store
Protocol's own rules (status codes, scopes, ?default)."""

from __future__ import annotations

import pytest
from writes_support import dump, make_writer

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def ask(w, query: str) -> bool:
    r = w.client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query",
                                                          "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def test_update_needs_a_token(w):
    before = dump(w.store)
    r = w.client.post("/sparql", content=f"INSERT DATA {{ GRAPH <{BASE}/graph/u> {{ <{BASE}/id/thema/x> <{RDFS}label> \"x\"@nl }} }}", headers=UPDATE)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert dump(w.store) == before


def test_insert_data_is_committed_and_recorded(w):
    text = (f'PREFIX kp: <{KP}> PREFIX rdfs: <{RDFS}> INSERT DATA {{ GRAPH <{BASE}/graph/u> {{ '
            f'<{BASE}/id/project/upd> a kp:Project ; rdfs:label "Update"@nl , "Update"@en ; '
            f'<http://purl.org/dc/terms/source> <https://example.org/u> }} }}')
    r = w.client.post("/sparql", content=text, headers={**UPDATE, **w.auth()})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 4
    assert ask(w, f"ASK {{ <{BASE}/id/project/upd> a <{KP}Project> }}")
    record = w.client.get("/api/imports").json()["imports"][0]
    assert record["operation"] == "sparql-update" and record["agent"] == "redacteur"


def test_an_update_that_breaks_a_shape_is_refused_whole(w):
    before = dump(w.store)
    text = (f'PREFIX kp: <{KP}> PREFIX rdfs: <{RDFS}> '
            f'INSERT DATA {{ GRAPH <{BASE}/graph/u> {{ <{BASE}/id/project/goed> a kp:Project ; rdfs:label "Goed"@nl }} }} ; '
            f'INSERT DATA {{ GRAPH <{BASE}/graph/u> {{ <{BASE}/id/project/fout> a kp:Project }} }}')
    r = w.client.post("/sparql", content=text, headers={**UPDATE, **w.auth()})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert {x["focus_node"] for x in r.json()["results"]} == {f"{BASE}/id/project/fout"}
    assert dump(w.store) == before


def test_delete_insert_where_with_with_and_a_later_operation_reading_an_earlier_one(w):
    g = f"{BASE}/graph/u"
    setup = f'INSERT DATA {{ GRAPH <{g}> {{ <{BASE}/id/thema/a> <{RDFS}label> "oud"@nl }} }}'
    assert w.client.post("/sparql", content=setup, headers={**UPDATE, **w.auth()}).status_code == 200
    text = (f'WITH <{g}> DELETE {{ ?s <{RDFS}label> "oud"@nl }} INSERT {{ ?s <{RDFS}label> "nieuw"@nl }} '
            f'WHERE {{ ?s <{RDFS}label> "oud"@nl }} ; '
            f'INSERT {{ GRAPH <{g}> {{ ?s <{RDFS}comment> "gezien"@nl }} }} WHERE {{ GRAPH <{g}> {{ ?s <{RDFS}label> "nieuw"@nl }} }}')
    r = w.client.post("/sparql", content=text, headers={**UPDATE, **w.auth()})
    assert r.status_code == 200, r.text
    assert (r.json()["added"], r.json()["removed"]) == (2, 1)
    assert ask(w, f'ASK {{ GRAPH <{g}> {{ <{BASE}/id/thema/a> <{RDFS}comment> "gezien"@nl }} }}')


def test_protocol_dataset_becomes_using(w):
    """The W3C protocol case update_dataset_default_graph, without the CLEAR ALL."""
    d1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    text = (f"PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX dc: <http://purl.org/dc/terms/> "
            f"INSERT DATA {{ GRAPH <{d1}> {{ <{d1}> a foaf:Document }} }} ; "
            f"INSERT {{ GRAPH <http://example.org/protocol-update-dataset-test/> {{ ?s a dc:BibliographicResource }} }} "
            f"WHERE {{ ?s a foaf:Document }}")
    r = w.client.post("/sparql?using-graph-uri=" + d1, content=text, headers={**UPDATE, **w.auth()})
    assert r.status_code == 200, r.text
    assert ask(w, f"ASK {{ GRAPH <http://example.org/protocol-update-dataset-test/> {{ <{d1}> a <http://purl.org/dc/terms/BibliographicResource> }} }}")
    conflict = "WITH <http://example/addresses> DELETE { ?p <http://x/n> 'Bill' } WHERE { ?p <http://x/n> 'Bill' }"
    r = w.client.post("/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople", content=conflict, headers={**UPDATE, **w.auth()})
    assert r.status_code == 400


def test_load_syntax_errors_and_drops(w):
    before = dump(w.store)
    r = w.client.post("/sparql", content="LOAD <http://example.org/x.ttl>", headers={**UPDATE, **w.auth()})
    assert r.status_code == 403 and "LOAD" in r.json()["detail"]
    r = w.client.post("/sparql", data={"update": "CLEAR XYZ"}, headers=w.auth())
    assert r.status_code == 400
    r = w.client.post("/sparql", content=f"CLEAR GRAPH <{BASE}/graph/regios>", headers={**UPDATE, **w.auth()})
    assert r.status_code in (403, 422)  # emptying a graph needs an admin (and may break references)
    r = w.client.post("/sparql", content=f"CLEAR GRAPH <{BASE}/graph/ontology>", headers={**UPDATE, **w.auth()})
    assert r.status_code == 403
    assert dump(w.store) == before


def test_clear_all_by_an_admin_leaves_provenance_and_system(w):
    r = w.client.post("/sparql", data={"update": "CLEAR ALL"}, headers=w.auth(w.admin))
    assert r.status_code == 200, r.text
    names = {w.store.graph_name(q.graph_name) for q in w.store.quads(None, None, None, None)}
    assert names == {"provenance", "system"}


def test_graph_store_default_graph_and_status_codes(w):
    body = f'<{BASE}/id/thema/d> <{RDFS}label> "d"@nl .'
    ttl = {"Content-Type": "text/turtle"}
    assert w.client.put("/rdf-graphs/service?default", content=body, headers=ttl).status_code == 401
    assert w.client.put("/rdf-graphs/service?default", content=body, headers={**ttl, **w.auth()}).status_code == 201
    assert ask(w, f"ASK {{ <{BASE}/id/thema/d> <{RDFS}label> \"d\"@nl }}")  # the default graph is public
    r = w.client.get("/rdf-graphs/service?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples") and '"d"@nl' in r.text
    assert w.client.get("/rdf-graphs/service?graph=http%3A%2F%2Fnope.example%2F").status_code == 404
    assert w.client.put("/graph/x", content="<a> <b> ", headers={**ttl, **w.auth()}).status_code == 400
    assert w.client.put("/graph/x", content=body, headers={"Content-Type": "image/png", **w.auth()}).status_code == 415
    assert w.client.delete("/graph/nope", headers=w.auth(w.admin)).status_code == 404
