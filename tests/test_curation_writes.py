"""Duplicates and explicit renames on the write routes, on both backends: imports warn with the
existing IRI; a CSV or form rename keeps the old name as skos:altLabel; the routes that state a
whole graph cannot add a second name by accident; the curation views."""

from __future__ import annotations

import pytest
from knooppunt.graph.curation import duplicates, edits, forms, missing
from knooppunt.graph.namespaces import FOAF, RDFS, SKOS
from pyoxigraph import NamedNode
from writes_support import dump, make_writer

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
UMCG = f"{BASE}/id/organisatie/umcg"
PREFIXES = f"""@prefix kp: <{KP}> . @prefix rdfs: <{RDFS}> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <{SKOS}> . @prefix schema: <https://schema.org/> .
"""


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def turtle(w, graph: str, text: str):
    return w.client.post(f"/api/import?graph={graph}", content=PREFIXES + text,
                         headers={"Content-Type": "text/turtle", **w.auth()})


def csv(w, graph: str, text: str):
    return w.client.post(f"/api/import?graph={graph}", content=text, headers={"Content-Type": "text/csv", **w.auth()})


def labels(store, iri: str, predicate: str = RDFS + "label") -> set[tuple[str, str]]:
    public = set(store.public_graphs())
    return {(q.object.value, q.object.language or "") for q in store.quads(NamedNode(iri), NamedNode(predicate), None, None)
            if q.graph_name in public}


@pytest.mark.parametrize("name,reason", [
    ("UMCG", "same-name"),
    ("Universitair Medisch Centrum Groningen", "near-name"),
    ("universitair medisch centrum groningen (umcg)", "same-name"),
    ("Universitair Medisch Centrum Groningn", "near-name"),
])
def test_importing_the_umcg_under_a_new_slug_names_the_existing_resource(w, name, reason):
    r = turtle(w, "nieuw", f'<id/organisatie/umc-groningen> a kp:UniversityMedicalCentre ; rdfs:label "{name}"@nl ;'
                           ' dct:source <https://example.org/umcg> .')
    assert r.status_code == 200, r.text
    found = r.json()["duplicates"]
    assert [(d["iri"], d["existing"], d["reason"]) for d in found] == [(f"{BASE}/id/organisatie/umc-groningen", UMCG, reason)]
    assert "Universitair Medisch Centrum Groningen (UMCG)" in found[0]["message"]["nl"]
    assert "warnings" in r.json()  # next to the SHACL warnings


def test_csv_imports_warn_too_and_a_reimport_does_not(w):
    table = "type,id,label,bron\norganisatie,umcg-groningen,UMCG,https://example.org/u\n"
    first = csv(w, "tabel", table).json()
    assert [d["existing"] for d in first["duplicates"]] == [UMCG]
    again = csv(w, "tabel", table).json()
    assert again["added"] == 0 and again["duplicates"] == []  # nothing new, nothing to warn about


def test_two_new_resources_with_one_name_in_one_import(w):
    r = turtle(w, "dubbel", '<id/project/a1> a kp:Project ; rdfs:label "Zelfde naam"@nl ; dct:source <https://example.org/a> .'
                            '<id/project/a2> a kp:Project ; rdfs:label "Zelfde Naam"@nl ; dct:source <https://example.org/a> .')
    pairs = {(d["iri"].rsplit("/", 1)[-1], d["existing"].rsplit("/", 1)[-1]) for d in r.json()["duplicates"]}
    assert pairs in ({("a2", "a1")}, {("a1", "a2")})


def test_different_kinds_and_unrelated_names_are_not_duplicates(w):
    r = turtle(w, "anders", '<id/project/umcg-project> a kp:Project ; rdfs:label "UMCG"@nl ; dct:source <https://example.org/p> .'
                            '<id/organisatie/iets> a kp:Organisation ; rdfs:label "Stichting Iets Heel Anders"@nl ;'
                            ' dct:source <https://example.org/p> .')
    assert r.status_code == 200 and r.json()["duplicates"] == []


def test_a_csv_rename_keeps_the_old_name_as_an_alternative_name(w):
    before = labels(w.store, UMCG)
    assert ("Universitair Medisch Centrum Groningen (UMCG)", "nl") in before
    r = csv(w, "hernoemen", "type,id,label,bron\norganisatie,umcg,UMC Groningen,https://example.org/u\n")
    assert r.status_code == 200, r.text
    assert {x for x in labels(w.store, UMCG) if x[1] == "nl"} == {("UMC Groningen", "nl")}
    assert ("Universitair Medisch Centrum Groningen (UMCG)", "nl") in labels(w.store, UMCG, SKOS + "altLabel")
    assert ("University Medical Center Groningen (UMCG)", "en") in labels(w.store, UMCG)  # a column it did not give
    # a re-import of the same table changes nothing, and keeps the old name
    again = csv(w, "hernoemen", "type,id,label,bron\norganisatie,umcg,UMC Groningen,https://example.org/u\n").json()
    assert (again["added"], again["removed"]) == (0, 0)
    assert ("Universitair Medisch Centrum Groningen (UMCG)", "nl") in labels(w.store, UMCG, SKOS + "altLabel")
    # a second rename by the same table: the name it gave becomes an alternative one as well
    csv(w, "hernoemen", "type,id,label,bron\norganisatie,umcg,UMCG Groningen,https://example.org/u\n")
    assert {x for x in labels(w.store, UMCG) if x[1] == "nl"} == {("UMCG Groningen", "nl")}
    assert {"UMC Groningen", "Universitair Medisch Centrum Groningen (UMCG)"} <= {
        v for v, _ in labels(w.store, UMCG, SKOS + "altLabel")}


def test_a_csv_person_rename_replaces_the_name_too(w):
    person = f"{BASE}/id/persoon/m-dericks"
    r = csv(w, "mensen", "type,id,label,bron\npersoon,m-dericks,Marijke Dericks,https://example.org/m\n")
    assert r.status_code == 200, r.text
    assert labels(w.store, person) == {("Marijke Dericks", "nl")}
    assert labels(w.store, person, FOAF + "name") == {("Marijke Dericks", "")}
    assert ("Marijke Dericks-Issing", "nl") in labels(w.store, person, SKOS + "altLabel")


def test_rdf_routes_state_the_whole_truth_and_a_second_name_is_refused(w):
    before = dump(w.store)
    r = turtle(w, "tweede", '<id/organisatie/umcg> rdfs:label "UMC Groningen"@nl .')
    assert r.status_code == 422
    assert any(x["shape"].endswith("Organisation-label-unique") for x in r.json()["results"])
    update = f'INSERT DATA {{ GRAPH <{BASE}/graph/x> {{ <{UMCG}> <{RDFS}label> "UMC Groningen"@nl }} }}'
    r = w.client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **w.auth()})
    assert r.status_code == 422
    assert dump(w.store) == before
    # the client says which name goes: a DELETE/INSERT is a rename, as it states
    update = (f'DELETE {{ GRAPH ?g {{ <{UMCG}> <{RDFS}label> ?old }} }} INSERT {{ GRAPH ?g {{ <{UMCG}> <{RDFS}label> "UMC Groningen"@nl }} }}'
              f' WHERE {{ GRAPH ?g {{ <{UMCG}> <{RDFS}label> ?old FILTER(LANG(?old) = "nl") }} }}')
    r = w.client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **w.auth()})
    assert r.status_code == 200, r.text
    assert {x for x in labels(w.store, UMCG) if x[1] == "nl"} == {("UMC Groningen", "nl")}
    assert labels(w.store, UMCG, SKOS + "altLabel") == {("UMCG", "nl")}  # nothing added it did not state


def test_a_form_edit_replaces_fields_where_they_stand(fresh_store):
    store = fresh_store
    kind = forms.kind_for(store, UMCG)
    values = forms.current(store, kind, NamedNode(UMCG))
    assert values["label"] == "Universitair Medisch Centrum Groningen (UMCG)" and values["member_of"]
    changed = {**values, "label": "UMC Groningen", "member_of": [], "description": "Academisch ziekenhuis in Groningen."}
    clean = forms.check(store, kind, changed, editing=True)
    result = edits.edit(store, kind, NamedNode(UMCG), clean, agent="redacteur", scope="editor")
    assert result.graph == f"{BASE}/graph/organisaties"
    now = forms.current(store, kind, NamedNode(UMCG))
    assert now["label"] == "UMC Groningen" and "member_of" not in now
    assert now["description"] == "Academisch ziekenhuis in Groningen."
    assert ("Universitair Medisch Centrum Groningen (UMCG)", "nl") in labels(store, UMCG, SKOS + "altLabel")
    # every new or changed fact is where the resource's own facts are
    assert {q.graph_name.value for q in store.quads(NamedNode(UMCG), None, None, None)
            if q.graph_name in set(store.public_graphs())} == {f"{BASE}/graph/organisaties"}
    # unchanged values stay as they are: an edit with the same values changes nothing
    again = forms.check(store, kind, forms.current(store, kind, NamedNode(UMCG)), editing=True)
    assert not edits.edit_delta(store, kind, NamedNode(UMCG), again)


def test_a_form_cannot_edit_what_an_editor_may_not(fresh_store):
    from knooppunt.graph.writes import ingest

    theme = f"{BASE}/id/thema/proactieve-zorgplanning"
    assert forms.kind_for(fresh_store, theme) is None  # concepts have no edit form
    kind = forms.KINDS["organisatie"]
    with pytest.raises(ingest.WriteError):
        edits.edit(fresh_store, kind, NamedNode(f"{BASE}/id/organisatie/bestaat-niet"), {"label": "X"},
                   agent="x", scope="editor")


def test_near_names():
    assert duplicates.near("Hospice Kuria", "Hospice Kuria Amsterdam")
    assert duplicates.near("Universitair Medisch Centrum Groningen", "Universitair Medisch Centrum Groningen (UMCG)")
    assert duplicates.near("UMCG", "Universitair Medisch Centrum Groningen (UMCG)")
    assert duplicates.near("Lastmeter", "lastmeter.")
    assert not duplicates.near("Lastmeter", "Pijnmeter voor kinderen")
    assert not duplicates.near("Zorg", "Hospice Kuria Amsterdam")
    assert "http://example.org/a" in duplicates.homepage_variants("https://www.Example.org/a/")


def test_the_curation_views(fresh_store, tmp_path):
    store = fresh_store
    views = missing.Missing(store)
    hubs = {r.iri for r in views.view("hubs")}
    projects = {r.iri for r in views.view("projects")}
    needs = views.view("needs")
    assert needs and all(r.issues for r in needs)
    warned = {r.iri: r.issues for r in views.view("warnings")}
    assert any("Engelse naam" in i for issues in warned.values() for i in issues)
    # fixing one makes it leave its view
    w = make_writer(store, tmp_path)
    project = sorted(projects)[0]
    hub_slug = sorted(hubs)[0].rsplit("/", 1)[-1]
    table = ("type,id,label,organisatie,rol,bron\n"
             f"persoon,test-ambassadeur,Test Ambassadeur,{hub_slug},ambassadeur,https://example.org/a\n")
    assert csv(w, "ambassadeur", table).status_code == 200
    assert sorted(hubs)[0] not in {r.iri for r in views.view("hubs")}
    r = turtle(w, "penvoerder", f"<{project}> kp:leadOrganisation <id/organisatie/umcg> .")
    assert r.status_code == 200, r.text
    assert project not in {r.iri for r in views.view("projects")}


def test_the_warnings_view_follows_writes_exactly(fresh_store, tmp_path):
    """Kept in step incrementally, the view equals a whole-store validation after every write."""
    store = fresh_store
    view = missing.Missing(store)

    def as_set(rows):
        return {(r.iri, tuple(sorted(r.issues))) for r in rows}

    before = as_set(view.warnings())
    w = make_writer(store, tmp_path)
    steps = [
        lambda: turtle(w, "nieuw", '<id/project/zonder-en> a kp:Project ; rdfs:label "Zonder Engelse naam"@nl .'),
        lambda: csv(w, "hernoemen", "type,id,label,label_en,bron\norganisatie,umcg,UMC Groningen,UMC Groningen,https://example.org/u\n"),
        lambda: turtle(w, "nieuw", '<id/project/zonder-en> a kp:Project ; rdfs:label "Zonder Engelse naam"@nl , "Without"@en ;'
                                   ' dct:source <https://example.org/z> ; dct:description "Nu compleet."@nl .'),
        lambda: w.client.post("/api/proposals", json={"kind": "organisatie", "fields": {"label": "Alleen een voorstel"}}),
    ]
    for step in steps:
        assert step().status_code in (200, 201)
        assert as_set(view.warnings()) == as_set(missing.Missing(store).warnings())
    assert view.builds == 1  # built once, then followed the writes
    assert as_set(view.warnings()) != before


def test_the_missing_page_sorts_and_links_to_the_edit_form(fresh_store, tmp_path):
    import re

    from knooppunt.service.review import sort_rows

    w = make_writer(fresh_store, tmp_path)
    page = w.client.get("/inloggen")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    w.client.post("/inloggen", data={"csrftoken": token, "token": w.editor})
    up = w.client.get("/redactie/ontbreekt?lijst=projects&sorteer=label")
    down = w.client.get("/redactie/ontbreekt?lijst=projects&sorteer=label&volgorde=af")
    names_up = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', up.text)
    names_down = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', down.text)
    assert names_up and names_down == list(reversed(names_up))
    assert 'aria-sort="ascending"' in up.text and 'aria-sort="descending"' in down.text
    assert "/redactie/bewerk?iri=" in up.text
    rows = [missing.Row("b", "B", "y", ["2"]), missing.Row("a", "a", "z", ["1"])]
    assert [r.iri for r in sort_rows(rows, "label", False)] == ["a", "b"]
    assert [r.iri for r in sort_rows(rows, "kind", False)] == ["b", "a"]
    assert [r.iri for r in sort_rows(rows, "issue", True)] == ["b", "a"]
