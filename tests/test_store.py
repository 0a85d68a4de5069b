"""The embedded store: seeding, named graphs, persistence across close/open, atomic deltas."""

from __future__ import annotations

import pytest
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import OxigraphStore, StoreError, open_store, seed_files
from pyoxigraph import Literal, NamedNode, Quad

BASE = "https://w3id.org/knooppunt"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def disk_settings(path) -> Settings:
    return Settings(store=str(path), base_iri=BASE)


def test_empty_store_is_seeded_with_ontology_and_each_seed_file(tmp_path):
    store = open_store(disk_settings(tmp_path / "db"))
    names = {store.graph_name(g) for g in store.named_graphs()}
    expected = {name for name, _ in seed_files()}
    assert "ontology" in expected
    assert expected <= names
    for name in expected:
        assert store.count(store.graph(name)) > 0, f"graph {name} is empty"
    assert store.count() == sum(store.count(store.graph(n)) for n in expected)
    store.close()


def test_data_survives_restart_and_seed_is_not_loaded_twice(tmp_path):
    path = tmp_path / "db"
    store = open_store(disk_settings(path))
    seeded = store.count()
    extra = Quad(NamedNode(f"{BASE}/id/thema/test"), LABEL, Literal("Test", language="nl"), store.graph("extra"))
    store.apply_delta([], [extra])
    store.close()

    again = open_store(disk_settings(path))
    assert again.count() == seeded + 1
    assert extra in set(again.quads(graph=again.graph("extra")))
    assert again.count(again.graph("ontology")) == again.count(again.graph("ontology"))
    again.close()

    # A third open must not add the seed a second time either.
    third = open_store(disk_settings(path))
    assert third.count() == seeded + 1
    third.close()


def test_store_that_holds_other_data_is_left_as_it_is(tmp_path):
    path = tmp_path / "db"
    raw = OxigraphStore(disk_settings(path), path)
    q = Quad(NamedNode("http://example.org/s"), LABEL, Literal("x"), NamedNode("http://example.org/g"))
    raw.apply_delta([], [q])
    raw.close()
    store = open_store(disk_settings(path))
    assert set(store.quads()) == {q}
    store.close()


def test_private_and_system_graphs_are_not_public():
    store = open_store(Settings(store="memory", base_iri=BASE))
    secret = Quad(
        NamedNode(f"{BASE}/id/persoon/x"),
        NamedNode("https://schema.org/email"),
        Literal("x@example.org"),
        store.graph("private"),
    )
    store.apply_delta([], [secret])
    assert store.graph("private") not in store.public_graphs()
    assert store.graph("system") not in store.public_graphs()
    rows = store.select("SELECT ?o WHERE { ?s <https://schema.org/email> ?o }")
    assert rows == []
    rows = store.select("SELECT ?o WHERE { GRAPH ?g { ?s <https://schema.org/email> ?o } }")
    assert rows == []
    assert store.select("SELECT ?o WHERE { GRAPH ?g { ?s <https://schema.org/email> ?o } }", dataset="all") == []
    assert list(store.quads(graph=store.graph("private"))) == [secret]
    assert store.count(store.graph("private")) == 1


def test_delta_is_atomic_and_bindings_are_values_not_text():
    store = open_store(Settings(store="memory", base_iri=BASE))
    g = store.graph("t")
    a = Quad(NamedNode(f"{BASE}/id/thema/a"), LABEL, Literal("A", language="nl"), g)
    b = Quad(NamedNode(f"{BASE}/id/thema/b"), LABEL, Literal('B" } ; DROP ALL #', language="nl"), g)
    store.apply_delta([], [a])
    generation = store.generation
    store.apply_delta([a], [b])
    assert store.generation > generation
    assert set(store.quads(graph=g)) == {b}
    rows = store.select("SELECT ?s ?l WHERE { ?s rdfs:label ?l }", {"l": Literal('B" } ; DROP ALL #', language="nl")})
    assert [r["s"] for r in rows] == [b.subject]


def test_bad_query_raises_store_error_with_message():
    store = open_store(Settings(store="memory", base_iri=BASE))
    with pytest.raises(StoreError, match="SPARQL"):
        store.select("SELECT ?x WHERE { ?x ")
