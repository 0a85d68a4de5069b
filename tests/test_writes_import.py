"""POST /api/import: tokens, formats, limits, validation in context, provenance and undo."""

from __future__ import annotations

import json

import pytest
from writes_support import dump, make_writer

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"

PROJECT_TTL = f"""
@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/project/schrijftest> a kp:Project ;
    rdfs:label "Schrijftest"@nl , "Write test"@en ;
    dct:description "Een project om het schrijven te testen."@nl ;
    dct:source <https://example.org/schrijftest> .
"""
NO_LABEL_TTL = f"@prefix kp: <{KP}> . <id/project/zonder-naam> a kp:Project ."


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def test_writes_need_a_token_and_the_scope(w):
    r = w.client.post("/api/import?graph=t", content=PROJECT_TTL, headers={"Content-Type": "text/turtle"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith("application/problem+json")
    r = w.client.post("/api/import?graph=t", content=PROJECT_TTL,
                      headers={"Content-Type": "text/turtle", "Authorization": "Bearer kp_wrong"})
    assert r.status_code == 401 and "invalid_token" in r.headers["www-authenticate"]
    r = w.client.post("/api/import?graph=t", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200, r.text
    record = r.json()["id"]
    r = w.client.delete(f"/api/imports/{record}", headers=w.auth(w.editor))
    assert r.status_code == 403 and "insufficient_scope" in r.headers["www-authenticate"]


FORMATS = {
    "text/turtle": PROJECT_TTL,
    "application/n-triples": f'<{BASE}/id/project/nt> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KP}Project> .\n'
                             f'<{BASE}/id/project/nt> <http://www.w3.org/2000/01/rdf-schema#label> "NT"@nl .\n',
    "application/n-quads": f'<{BASE}/id/project/nq> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KP}Project> .\n'
                           f'<{BASE}/id/project/nq> <http://www.w3.org/2000/01/rdf-schema#label> "NQ"@nl .\n',
    "application/ld+json": json.dumps({"@id": f"{BASE}/id/project/jsonld", "@type": f"{KP}Project",
                                       "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "JSON-LD", "@language": "nl"}}),
    "application/rdf+xml": f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{BASE}/id/project/rdfxml">
    <rdf:type rdf:resource="{KP}Project"/><rdfs:label xml:lang="nl">RDF/XML</rdfs:label>
  </rdf:Description></rdf:RDF>""",
    "text/csv": "type,id,label,themas\nproject,csv-project,CSV-project,\n",
}


@pytest.mark.parametrize("media_type", list(FORMATS))
def test_each_format_imports_into_its_graph_with_provenance(w, media_type):
    r = w.client.post("/api/import?graph=fmt&source=bestand", content=FORMATS[media_type],
                      headers={"Content-Type": media_type, **w.auth()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"] >= 2 and body["removed"] == 0
    graph = w.store.graph("fmt")
    assert w.store.count(graph) == body["added"]
    records = w.client.get("/api/imports").json()["imports"]
    assert records[0]["id"] == body["id"]
    assert records[0]["agent"] == "redacteur" and records[0]["graph"] == graph.value
    assert records[0]["source"] == "bestand" and records[0]["added"] == body["added"]


def test_reimport_applies_only_the_difference(w):
    w.client.post("/api/import?graph=re", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    changed = PROJECT_TTL.replace('"Write test"@en', '"Writing test"@en')
    r = w.client.post("/api/import?graph=re", content=changed, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200
    assert (r.json()["added"], r.json()["removed"]) == (1, 1)


def test_unknown_format_is_415_and_malformed_rdf_is_400_with_line_and_column(w):
    before = dump(w.store)
    r = w.client.post("/api/import?graph=x", content=b"a,b", headers={"Content-Type": "application/x-foo", **w.auth()})
    assert r.status_code == 415
    bad = PROJECT_TTL + '\n<id/project/y> a kp:Project ;\n    rdfs:label "open string .\n'
    r = w.client.post("/api/import?graph=x", content=bad, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 400
    problem = r.json()
    assert problem["line"] == bad.count("\n") and isinstance(problem["column"], int)
    r = w.client.post("/api/import?graph=x", content="type,id\nproject,\n", headers={"Content-Type": "text/csv", **w.auth()})
    assert r.status_code == 400 and "label" in r.json()["detail"]
    assert dump(w.store) == before


def test_upload_cap_is_413_by_header_and_by_streamed_size(fresh_store, tmp_path):
    w = make_writer(fresh_store, tmp_path, max_upload_bytes=1000)
    before = dump(w.store)
    big = PROJECT_TTL + "#" * 2000
    r = w.client.post("/api/import?graph=x", content=big, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 413

    def chunks():  # no Content-Length: the cap must hold on the bytes actually received
        for _ in range(10):
            yield b"#" * 300

    r = w.client.post("/api/import?graph=x", content=chunks(), headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 413
    assert dump(w.store) == before


def test_a_violation_refuses_the_whole_write_and_changes_nothing(w):
    before = dump(w.store)
    r = w.client.post("/api/import?graph=bad", content=PROJECT_TTL + NO_LABEL_TTL,
                      headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    results = r.json()["results"]
    assert results and all(x["severity"] == "Violation" for x in results)
    first = results[0]
    assert first["focus_node"] == f"{BASE}/id/project/zonder-naam"
    assert first["message"]["nl"] and first["message"]["en"] and first["shape"]
    assert "path" in first and "value" in first
    assert dump(w.store) == before


def test_deleting_what_others_point_at_is_checked_on_the_pointing_nodes(w):
    """A membership whose person disappears breaks the membership's shape, not the person's."""
    people = f"""@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix foaf: <http://xmlns.com/foaf/0.1/> .
    <id/persoon/piet-test> a kp:Person ; rdfs:label "Piet Test"@nl ; foaf:name "Piet Test" ."""
    membership = f"""@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix org: <http://www.w3.org/ns/org#> .
    <id/lidmaatschap/piet-test-docent> a kp:Membership ; rdfs:label "Piet Test, docent"@nl ;
        org:member <id/persoon/piet-test> ; org:role <id/rol/docent> ;
        org:organization <id/organisatie/roc-mondriaan> ."""
    assert w.client.post("/api/import?graph=mensen", content=people, headers={"Content-Type": "text/turtle", **w.auth()}).status_code == 200
    r = w.client.post("/api/import?graph=rollen", content=membership, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200, r.text
    before = dump(w.store)
    # Retyping the person (a type change) must re-check the membership that points at it.
    retyped = people.replace("a kp:Person", "a kp:Project")
    r = w.client.post("/api/import?graph=mensen", content=retyped, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 422, r.text
    assert any(x["focus_node"].endswith("/lidmaatschap/piet-test-docent") for x in r.json()["results"])
    assert dump(w.store) == before


def test_undo_drops_the_graph_of_an_import(w):
    before = dump(w.store)
    r = w.client.post("/api/import?graph=undo", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    record, added = r.json()["id"], r.json()["added"]
    r = w.client.delete(f"/api/imports/{record}", headers=w.auth(w.admin))
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == added == 5
    data = [line for line in dump(w.store) if "/graph/provenance>" not in line]
    assert data == [line for line in before if "/graph/provenance>" not in line]
    ops = [x["operation"] for x in w.client.get("/api/imports").json()["imports"]]
    assert ops == ["undo", "import"]
    assert w.client.delete("/api/imports/nope", headers=w.auth(w.admin)).status_code == 404


def test_protected_and_admin_graphs(w):
    before = dump(w.store)
    for graph in ("provenance", "system"):
        r = w.client.post(f"/api/import?graph={graph}", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth(w.admin)})
        assert r.status_code == 403, graph
    r = w.client.post("/api/import?graph=ontology", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 403
    assert dump(w.store) == before


def test_blank_nodes_are_skolemised_so_a_delta_can_name_them(w):
    ttl = PROJECT_TTL + '<id/project/schrijftest> <https://example.org/detail> [ <https://example.org/x> "1" ] .'
    r = w.client.post("/api/import?graph=bn", content=ttl, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200
    objects = [q.object for q in w.store.quads(None, None, None, w.store.graph("bn"))]
    assert any(getattr(o, "value", "").startswith(f"{BASE}/.well-known/genid/") for o in objects)
    # ... and the graph can be replaced exactly (the skolem IRIs are removed like any IRI).
    r = w.client.post("/api/import?graph=bn", content=PROJECT_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.json()["removed"] == 2


def test_incremental_validation_agrees_with_validating_the_whole_store(fresh_store):
    """The small context graph gives the results pyshacl gives over the whole public store with the
    change applied, without ``focus_nodes`` (the oracle; see test_validation_incremental.py)."""
    from knooppunt.graph.writes import ingest
    from knooppunt.graph.writes.delta import replace_graph
    from validation_oracle import check, public_quads, whole_store_results

    store = fresh_store
    text = PROJECT_TTL + NO_LABEL_TTL + """
    @prefix org: <http://www.w3.org/ns/org#> .
    <id/lidmaatschap/vergelijk> a kp:Membership ; rdfs:label "Vergelijk"@nl ;
        org:member <id/project/schrijftest> ; org:organization <id/organisatie/roc-mondriaan> .
    <id/project/schrijftest> kp:leadOrganisation <id/organisatie/roc-mondriaan> , <id/thema/proactieve-zorgplanning> ."""
    graph = store.graph("vergelijk")
    quads = ingest.parse_rdf(text.encode(), ingest.rdf_format_for("text/turtle"), store.settings.base, graph)
    before = public_quads(store)
    results = check(store, replace_graph(store, graph, quads), whole_store_results(before), before)
    assert any(k[4] == "Violation" for k in results), "the change was meant to break shapes"
