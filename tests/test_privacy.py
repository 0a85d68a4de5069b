"""Contact details of people live only in the ``private`` graph and no public route returns them.

A person is imported with an e-mail address and a phone number (as CSV and as Turtle into a public
graph); the import routes both into ``private``. Then every public route is asked about that
person — the SPARQL endpoint (also naming the private graph with GRAPH, FROM and FROM NAMED), the
REST API, the Linked Data views, the Graph Store Protocol and the export — and none may answer
with either value.
"""

from __future__ import annotations

import urllib.parse

import pytest
from writes_support import make_writer

BASE = "https://w3id.org/knooppunt"
EMAIL = "geheim.adres@voorbeeld.nl"
PHONE = "+31 6 1234 5678"
PERSON = f"{BASE}/id/persoon/priva-test"
PRIVATE = f"{BASE}/graph/private"


@pytest.fixture(scope="module")
def w(store_factory, backend, tmp_path_factory):
    """One store per backend for the module (the tests after the imports only read, but the last,
    which writes a contact detail that must end up in ``private`` too)."""
    w = make_writer(store_factory(backend), tmp_path_factory.mktemp("privacy"))
    csv = f"type,id,label,email,telefoon,organisatie,rol\npersoon,priva-test,Priva Test,{EMAIL},{PHONE},,\n"
    r = w.client.post("/api/import?graph=mensen-csv", content=csv, headers={"Content-Type": "text/csv", **w.auth()})
    assert r.status_code == 200, r.text
    ttl = (f'<{PERSON}> <https://schema.org/email> "{EMAIL}" ; <https://schema.org/telephone> "{PHONE}" ;'
           f' <http://www.w3.org/2000/01/rdf-schema#label> "Priva Test"@nl .')
    r = w.client.post("/api/import?graph=mensen-ttl", content=ttl, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200, r.text
    return w


def test_contact_details_are_stored_only_in_the_private_graph(w):
    contact = [q for q in w.store.quads(None, None, None, None) if EMAIL in str(q.object) or PHONE in str(q.object)]
    assert contact and {q.graph_name.value for q in contact} == {PRIVATE}


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


FROM_NAMED = "SELECT * FROM NAMED <https://w3id.org/knooppunt/graph/private> WHERE { GRAPH ?g { ?s ?p ?o } }"
PUBLIC_GETS = [
    _sparql(f"SELECT * WHERE {{ <{PERSON}> ?p ?o }}"),
    _sparql("SELECT * WHERE { ?s <https://schema.org/email> ?o }"),
    _sparql(f"SELECT * WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}"),
    _sparql("SELECT * WHERE { GRAPH ?g { ?s <https://schema.org/email> ?o } }"),
    _sparql(FROM_NAMED),
    _sparql("SELECT * FROM <https://w3id.org/knooppunt/graph/private> WHERE { ?s ?p ?o }"),
    _sparql(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?o }} }}"),
    _sparql(f"DESCRIBE <{PERSON}>"),
    "/api/search?q=Priva",
    "/api/resource?" + urllib.parse.urlencode({"iri": PERSON}),
    "/api/resource/id/persoon/priva-test",
    "/api/people",
    "/api/graph?" + urllib.parse.urlencode({"focus": PERSON}),
    "/api/export.graphml",
    "/id/persoon/priva-test",
    "/api/imports",
    "/gsp?" + urllib.parse.urlencode({"graph": PRIVATE}),
    "/graph/private",
    "/graph/mensen-csv",
    "/graph/mensen-ttl",
]
ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/sparql-results+json", "*/*"]


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_no_public_route_returns_contact_details(w, path):
    for accept in ACCEPTS:
        r = w.client.get(path, headers={"Accept": accept})
        assert EMAIL not in r.text and PHONE not in r.text, f"{path} ({accept}) leaked contact details"
    r = w.client.post("/sparql", data={"query": FROM_NAMED})
    assert EMAIL not in r.text


def test_the_person_is_public_and_the_private_graph_is_for_admins(w):
    r = w.client.get("/graph/mensen-ttl", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "Priva Test" in r.text
    assert w.client.get("/graph/private").status_code == 404
    assert w.client.get("/graph/private", headers=w.auth(w.editor)).status_code == 404
    r = w.client.get("/graph/private", headers={"Accept": "text/turtle", **w.auth(w.admin)})
    assert r.status_code == 200 and EMAIL in r.text


def test_a_sparql_update_cannot_copy_contact_details_into_a_public_graph(w):
    update = (f"INSERT {{ GRAPH <{BASE}/graph/lek> {{ ?s <https://example.org/mail> ?o }} }} "
              f"WHERE {{ GRAPH <{PRIVATE}> {{ ?s <https://schema.org/email> ?o }} }}")
    r = w.client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **w.auth()})
    assert r.status_code < 300, r.text
    assert not [q for q in w.store.quads(None, None, None, None) if EMAIL in str(q.object) and q.graph_name.value != PRIVATE]
    update = f'INSERT DATA {{ GRAPH <{BASE}/graph/lek> {{ <{PERSON}> <https://schema.org/email> "nog.een@voorbeeld.nl" }} }}'
    r = w.client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **w.auth()})
    assert r.status_code < 300, r.text
    routed = [q.graph_name.value for q in w.store.quads(None, None, None, None) if "nog.een@" in str(q.object)]
    assert routed and set(routed) == {PRIVATE}
