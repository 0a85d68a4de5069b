"""Proposals through the API, on both backends: anyone proposes, an editor edits, approves (one
validated write with provenance) or rejects; a proposal is in no public graph until approved;
what anyone can send is bounded (checks, rate limit, waiting queue)."""

from __future__ import annotations

import pytest
from knooppunt.graph.curation import proposals
from writes_support import make_writer

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
THEME = f"{BASE}/id/thema/proactieve-zorgplanning"
LABEL = "Voorleesproject rouw in het mbo"


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def propose(w, label=LABEL, kind="initiatief", **fields):
    body = {"kind": kind, "fields": {"label": label, "themes": ["proactieve-zorgplanning"],
                                      "source": ["https://example.org/voorleesproject"], **fields},
            "proposed_by": "Anna de Vries"}
    return w.client.post("/api/proposals", json=body)


def sparql_labels(w, text: str) -> list:
    query = f'SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{text}")) }} }}'
    r = w.client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def public_texts(store) -> str:
    return "\n".join(str(q) for g in store.public_graphs() for q in store.quads(graph=g))


def test_a_proposal_is_kept_out_of_every_public_graph(w):
    r = propose(w)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["status"] == "pending" and p["label"] == LABEL and p["fields"]["themes"] == [THEME]
    assert r.headers["location"] == f"/api/proposals/{p['id']}"
    # not in any public graph, query, search or page
    assert LABEL not in public_texts(w.store)
    assert w.store.graph("proposals") not in w.store.public_graphs()
    assert sparql_labels(w, "Voorleesproject") == []
    assert w.client.get("/api/search", params={"q": "Voorleesproject"}).json()["total"] == 0
    assert w.client.get("/graph/proposals").status_code == 404
    assert w.client.get("/graph/proposals", headers=w.auth()).status_code == 404  # editors neither
    # nobody writes it through the generic write routes
    r = w.client.put("/graph/proposals", content='<urn:a> <urn:b> "c" .',
                     headers={"Content-Type": "application/n-triples", **w.auth(w.admin)})
    assert r.status_code == 403
    # reading proposals needs an editor
    assert w.client.get("/api/proposals").status_code == 401
    listed = w.client.get("/api/proposals", headers=w.auth()).json()
    assert [x["id"] for x in listed["proposals"]] == [p["id"]]


def test_approval_writes_once_with_provenance_and_the_resource_is_public(w):
    p = propose(w).json()
    r = w.client.post(f"/api/proposals/{p['id']}/approve")
    assert r.status_code == 401
    r = w.client.post(f"/api/proposals/{p['id']}/approve", headers=w.auth())
    assert r.status_code == 200, r.text
    body = r.json()
    iri = body["proposal"]["resource"]
    assert iri == f"{BASE}/id/project/voorleesproject-rouw-in-het-mbo"  # the slug is made from the label
    assert body["proposal"]["status"] == "approved" and body["proposal"]["decided_by"] == "redacteur"
    assert body["write"]["graph"] == f"{BASE}/graph/voorstel/project/voorleesproject-rouw-in-het-mbo"
    # public now: resource, search, SPARQL
    described = w.client.get("/api/resource", params={"iri": iri}).json()
    assert described["label"] == LABEL
    assert w.client.get("/api/search", params={"q": "voorleesproject"}).json()["results"][0]["iri"] == iri
    assert sparql_labels(w, "Voorleesproject")
    # provenance: who proposed, who approved, when, the source
    record = next(x for x in w.client.get("/api/imports").json()["imports"] if x["id"] == body["write"]["id"])
    assert record["operation"] == "proposal" and record["agent"] == "redacteur"
    assert record["proposed_by"] == "Anna de Vries" and record["source"] == "https://example.org/voorleesproject"
    # decided once
    assert w.client.post(f"/api/proposals/{p['id']}/approve", headers=w.auth()).status_code == 409
    assert w.client.post(f"/api/proposals/{p['id']}/reject", json={"reason": "x"}, headers=w.auth()).status_code == 409


def test_without_a_source_the_approval_record_is_the_source(w):
    body = {"kind": "organisatie", "fields": {"label": "Hospice De Vlinder Testdorp"}}
    p = w.client.post("/api/proposals", json=body).json()
    r = w.client.post(f"/api/proposals/{p['id']}/approve", headers=w.auth())
    assert r.status_code == 200, r.text
    iri, record = r.json()["proposal"]["resource"], r.json()["proposal"]["approval"]
    sources = [q.object.value for q in w.store.quads(_node(iri), _node("http://purl.org/dc/terms/source"), None, None)]
    assert sources == [record] and record.startswith(f"{BASE}/graph/provenance#")


def _node(iri):
    from pyoxigraph import NamedNode

    return NamedNode(iri)


def test_a_rejected_proposal_never_reaches_the_public_graph(w):
    p = propose(w).json()
    r = w.client.post(f"/api/proposals/{p['id']}/reject", json={"reason": "Bestaat al als project X."}, headers=w.auth())
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected" and r.json()["reason"] == "Bestaat al als project X."
    assert LABEL not in public_texts(w.store)
    assert w.client.post(f"/api/proposals/{p['id']}/approve", headers=w.auth()).status_code == 409
    assert LABEL not in public_texts(w.store)
    assert w.client.get("/api/proposals", headers=w.auth()).json()["count"] == 0
    assert w.client.get("/api/proposals?status=rejected", headers=w.auth()).json()["count"] == 1


def test_an_editor_changes_a_proposal_before_approving(w):
    p = propose(w).json()
    same = w.client.put(f"/api/proposals/{p['id']}", json={"fields": {k: v for k, v in p["fields"].items()}},
                        headers=w.auth())
    assert same.status_code == 200 and same.json()["fields"] == p["fields"]  # saving without a change keeps it
    assert w.client.get(f"/api/proposals/{p['id']}", headers=w.auth()).json()["fields"] == p["fields"]
    r = w.client.put(f"/api/proposals/{p['id']}", json={"fields": {"label": "Voorleesproject rouw", "levels": ["mbo-4"]}},
                     headers=w.auth())
    assert r.status_code == 200, r.text
    r = w.client.put(f"/api/proposals/{p['id']}", json={"fields": {"label": "<b>vet</b>"}}, headers=w.auth())
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "label"
    r = w.client.post(f"/api/proposals/{p['id']}/approve", headers=w.auth())
    assert r.json()["proposal"]["resource"].endswith("/id/project/voorleesproject-rouw")


@pytest.mark.parametrize("kind,fields,field", [
    ("initiatief", {"label": "<script>alert(1)</script>"}, "label"),
    ("initiatief", {"label": "Goed", "description": "Zie <a href=x>hier</a>"}, "description"),
    ("initiatief", {"label": "Goed", "description": "klik javascript:alert(1)"}, "description"),
    ("initiatief", {"label": "Goed", "description": "Mail naar jan@example.org"}, "description"),
    ("initiatief", {"label": "Goed", "source": ["javascript:alert(1)"]}, "source"),
    ("initiatief", {"label": "Goed", "url": ["ftp://example.org/x"]}, "url"),
    ("initiatief", {"label": "Goed", "themes": ["https://example.org/geen-thema"]}, "themes"),
    ("initiatief", {"label": "x" * 301}, "label"),
    ("initiatief", {"label": "Goed", "onbekend": "x"}, "onbekend"),
    ("persoon", {"label": "Jan Jansen 06-12345678", "role": "docent", "organisation": "umcg",
                 "source": ["https://example.org/jan"]}, "label"),
    ("persoon", {"label": "Jan Jansen", "role": "docent", "organisation": "umcg"}, "source"),
    ("persoon", {"label": "Jan Jansen", "role": "docent", "source": ["https://example.org/jan"]}, "organisation"),
])
def test_what_anyone_sends_is_checked(w, kind, fields, field):
    r = w.client.post("/api/proposals", json={"kind": kind, "fields": fields})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in r.json()["errors"]}
    assert proposals.listing(w.store) == []


def test_a_person_form_asks_only_for_public_role_facts(w):
    kinds = w.client.get("/api/proposals/fields").json()["kinds"]
    names = {f["name"] for f in kinds["persoon"]["fields"]}
    assert names == {"label", "role", "organisation", "project", "expertise", "source"}
    r = w.client.post("/api/proposals", json={"kind": "persoon", "fields": {
        "label": "Jan Jansen", "email": "jan@example.org", "role": "docent", "organisation": "umcg",
        "source": ["https://example.org/jan"]}})
    assert r.status_code == 422
    r = w.client.post("/api/proposals", json={"kind": "persoon", "fields": {
        "label": "Jan Jansen", "role": "docent", "organisation": "umcg", "source": ["https://example.org/jan"]}})
    assert r.status_code == 201, r.text
    approved = w.client.post(f"/api/proposals/{r.json()['id']}/approve", headers=w.auth()).json()
    person = approved["proposal"]["resource"]
    people = w.client.get("/api/people", params={"organisation": "umcg", "limit": 100}).json()
    assert person in {x.get("iri") or x.get("person", {}).get("iri") for x in people.get("people", people.get("results", []))}


def test_proposals_are_rate_limited_per_client(fresh_store, tmp_path):
    w = make_writer(fresh_store, tmp_path, proposal_rate="2/minute")
    assert propose(w, "Eerste voorstel").status_code == 201
    assert propose(w, "Tweede voorstel").status_code == 201
    r = propose(w, "Derde voorstel")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert len(proposals.listing(w.store)) == 2


def test_the_waiting_queue_is_bounded(w, monkeypatch):
    monkeypatch.setattr(proposals, "MAX_PENDING", 1)
    assert propose(w, "Eerste voorstel").status_code == 201
    r = propose(w, "Tweede voorstel")
    assert r.status_code == 503 and "try again later" in r.json()["detail"]


def test_proposals_report_likely_duplicates_with_the_existing_iri(w):
    r = w.client.post("/api/proposals", json={"kind": "organisatie", "fields": {"label": "UMCG"}})
    assert r.status_code == 201
    dups = r.json()["duplicates"]
    assert {d["existing"] for d in dups} == {f"{BASE}/id/organisatie/umcg"}
    assert dups[0]["reason"] == "same-name" and dups[0]["severity"] == "Warning"
    # a second proposal of the same name is a duplicate of the first, waiting one
    r = w.client.post("/api/proposals", json={"kind": "organisatie", "fields": {"label": "umcg"}})
    assert any(d["existing"].startswith(f"{BASE}/graph/proposals#") for d in r.json()["duplicates"])
    # a homepage, up to scheme, www. and a trailing slash
    r = w.client.post("/api/proposals", json={"kind": "materiaal", "fields": {
        "label": "Iets heel anders", "url": ["http://www.palliaweb.nl/onderwijsmaterialen/keuzedeel-palliatieve-zorg-mbo/"]}})
    found = {(d["existing"].rsplit("/", 2)[-2], d["reason"]) for d in r.json()["duplicates"]}
    assert ("materiaal", "same-homepage") in found


@pytest.mark.parametrize("value", ["canmeds/organisator", "organisator", f"{BASE}/id/canmeds/organisator"])
def test_choice_values_are_resolved_as_everywhere_in_the_api(w, value):
    """Found in review: a competency given as ``canmeds/organisator`` or a bare slug was refused
    by the proposal API while ``/api/people?competency=`` took it."""
    assert w.client.get("/api/people", params={"competency": value}).status_code == 200
    r = propose(w, competencies=[value])
    assert r.status_code == 201, r.text
    assert r.json()["fields"]["competencies"] == [f"{BASE}/id/canmeds/organisator"]
    assert propose(w, label="Iets anders", competencies=["bestaat-niet"]).status_code == 422
