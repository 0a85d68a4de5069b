"""Private data by allow-list, and guarded against writes that may not remove it (issue 17.5, 17.6).

The oracle is the store itself: after each write, which quads sit in a public graph and which in
``private``, read back through the public SPARQL endpoint and the Graph Store Protocol.
"""

from __future__ import annotations

import pytest
from writes_support import dump, make_writer

BASE = "https://w3id.org/knooppunt"
PRIVATE = f"{BASE}/graph/private"
PERSON = f"{BASE}/id/persoon/anna-test"
TTL = {"Content-Type": "text/turtle"}
PREFIXES = """@prefix kp: <https://w3id.org/knooppunt/def#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix schemahttp: <http://schema.org/> . @prefix ex: <https://example.org/> .
"""
PUBLIC_PART = (f'<{PERSON}> a kp:Person ; rdfs:label "Anna Test"@nl ; foaf:name "Anna Test" ; '
               f'dct:source <https://example.org/bron> ; owl:sameAs <https://orcid.org/0000-0002-1825-0097> ; '
               f'foaf:homepage <https://example.org/anna> .\n')


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def _import(w, graph: str, body: str, token: str | None = None):
    return w.client.post(f"/api/import?graph={graph}", content=PREFIXES + body, headers={**TTL, **w.auth(token)})


def _public_text(w) -> str:
    """Everything the public SPARQL endpoint returns about the person, as text."""
    r = w.client.get("/sparql", params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{PERSON}> || "
                                        f"EXISTS {{ <{PERSON}> ?q ?s }}) }}"}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    return r.text


def _private(w) -> set[str]:
    return {q.object.value for q in w.store.quads(None, None, None, w.store.graph("private"))}


def test_contact_details_under_any_predicate_stay_private(w):
    """17.6: foaf:mbox, foaf:phone, http://schema.org/email, vcard:hasEmail (with its card node),
    and any predicate not on the allow-list (a birth date) go to the private graph."""
    body = PUBLIC_PART + (
        f'<{PERSON}> foaf:mbox <mailto:anna@voorbeeld.nl> ; foaf:phone <tel:+31612345678> ; '
        f'schemahttp:email "anna2@voorbeeld.nl" ; ex:geboortedatum "1980-01-01" ; '
        f'vcard:hasEmail [ vcard:value <mailto:anna3@voorbeeld.nl> ] .\n'
    )
    r = _import(w, "anna", body)
    assert r.status_code == 200, r.text
    public = _public_text(w)
    for secret in ("anna@voorbeeld", "+31612345678", "anna2@", "1980-01-01", "anna3@", "geboortedatum"):
        assert secret not in public, f"{secret} is public"
        assert any(secret in text for text in _private(w)), f"{secret} was lost instead of kept private"
    for kept in ("Anna Test", "orcid.org/0000-0002-1825-0097", "example.org/anna", "example.org/bron"):
        assert kept in public, f"{kept} should be public"


def test_a_write_that_mentions_a_person_cannot_remove_their_contact_details(w):
    """17.5: importing or PUT-ing another graph about the person leaves the e-mail alone."""
    other = f'<{BASE}/id/persoon/bert-test> a kp:Person ; rdfs:label "Bert"@nl ; foaf:name "Bert" ; dct:source <https://example.org/bron> ; <https://schema.org/email> "bert@voorbeeld.nl" .'
    assert _import(w, "bron-z", other).status_code == 200  # so no write below would empty `private`
    assert _import(w, "bron-a", PUBLIC_PART + f'<{PERSON}> <https://schema.org/email> "anna@voorbeeld.nl" .').status_code == 200
    before = _private(w)
    assert "anna@voorbeeld.nl" in before
    assert _import(w, "bron-b", f'<{PERSON}> rdfs:label "Anna T."@en .').status_code == 200
    r = w.client.put("/graph/bron-c", content=PREFIXES + f'<{PERSON}> rdfs:comment "x"@nl .', headers={**TTL, **w.auth()})
    assert r.status_code in (201, 204), r.text
    r = w.client.put("/graph/bron-b", content=PREFIXES + f'<{PERSON}> rdfs:label "Anna T"@en .', headers={**TTL, **w.auth()})
    assert r.status_code == 204, r.text
    assert _private(w) == before


def test_an_import_into_the_private_graph_is_refused_and_changes_nothing(w):
    """17.5: POST /api/import?graph=private with one triple replaced the whole private graph."""
    assert _import(w, "bron-a", PUBLIC_PART + f'<{PERSON}> foaf:mbox <mailto:anna@voorbeeld.nl> .').status_code == 200
    before = dump(w.store)
    for token in (w.editor, w.admin):
        r = _import(w, "private", '<https://example.org/x> rdfs:label "x" .', token)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert dump(w.store) == before


def test_only_the_graph_that_wrote_a_detail_removes_it(w):
    """Re-import of the graph that stated the e-mail removes it, unless another graph states it too;
    undo of that import removes it as well."""
    mail = f'<{PERSON}> foaf:mbox <mailto:anna@voorbeeld.nl> .'
    assert _import(w, "bron-a", PUBLIC_PART + mail).status_code == 200
    assert _import(w, "bron-b", mail).status_code == 200
    assert _import(w, "bron-a", PUBLIC_PART).status_code == 200  # A no longer states it; B does
    assert "mailto:anna@voorbeeld.nl" in _private(w)
    r = _import(w, "bron-b", f'<{PERSON}> rdfs:label "Anna Test"@nl .')
    assert r.status_code == 200
    assert "mailto:anna@voorbeeld.nl" not in _private(w)  # nobody states it any more
    r = _import(w, "bron-c", PUBLIC_PART + f'<{PERSON}> foaf:phone <tel:+31600000000> .')
    record = r.json()["id"]
    assert "tel:+31600000000" in _private(w)
    assert w.client.delete(f"/api/imports/{record}", headers=w.auth(w.admin)).status_code == 200
    assert "tel:+31600000000" not in _private(w)
