"""The synthetic-graph generator of bench/ (at 10k triples): deterministic, about the asked size,
every resource marked synthetic, only declared vocabulary terms, loadable into the store."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import OxigraphStore
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from bench.generate import (
    KP,
    QUERY_SHAPES,
    SYNTHETIC_COMMENT,
    SYNTHETIC_SOURCE,
    generate,
    iri,
    lines,
    plan,
    write,
)

ROOT = Path(__file__).resolve().parent.parent
N = 10_000
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT_SOURCE = NamedNode("http://purl.org/dc/terms/source")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture(scope="module")
def triples() -> list[Triple]:
    return list(generate(N, seed=1))


def declared_kp_terms() -> set[str]:
    """kp: local names declared in the ontology if it exists, else backticked in docs/vocabulary.md."""
    ontology = ROOT / "ontology" / "knooppunt.ttl"
    if ontology.exists():
        kinds = {
            NamedNode(OWL + k)
            for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")
        } | {NamedNode(RDFS + "Class"), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#Property")}
        names = set()
        for t in parse(path=str(ontology), format=RdfFormat.TURTLE, base_iri="https://w3id.org/knooppunt/"):
            if t.predicate == RDF_TYPE and t.object in kinds and t.subject.value.startswith(KP):
                names.add(t.subject.value[len(KP) :])
        if names:
            return names
    text = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    return set(re.findall(r"`kp:([A-Za-z]+)`", text))


def test_deterministic() -> None:
    def digest(seed: int) -> str:
        h = hashlib.sha256()
        for chunk in lines(N, seed=seed):
            h.update(chunk.encode())
        return h.hexdigest()

    assert digest(1) == digest(1)
    assert digest(1) != digest(2)


def test_about_the_asked_size(triples: list[Triple]) -> None:
    assert abs(len(triples) - N) <= N * 0.10, len(triples)
    assert len(set(triples)) == len(triples), "duplicate triples"


def test_every_typed_subject_is_marked_synthetic(triples: list[Triple]) -> None:
    typed = {t.subject for t in triples if t.predicate == RDF_TYPE}
    sourced = {t.subject for t in triples if t.predicate == DCT_SOURCE and t.object == NamedNode(SYNTHETIC_SOURCE)}
    commented = {t.subject for t in triples if t.predicate == RDFS_COMMENT and t.object.value == SYNTHETIC_COMMENT}
    assert typed and typed <= sourced and typed <= commented
    assert all("/id/" in s.value and "/syn-" in s.value for s in typed)
    # every subject at all is a typed, marked resource
    assert {t.subject for t in triples} == typed


def test_only_declared_kp_terms(triples: list[Triple]) -> None:
    declared = declared_kp_terms()
    assert len(declared) > 50, "could not read the vocabulary"
    used = set()
    for t in triples:
        for term in (t.predicate, t.object):
            if isinstance(term, NamedNode) and term.value.startswith(KP):
                used.add(term.value[len(KP) :])
    assert used, "no kp: terms used"
    assert used <= declared, f"undeclared kp: terms: {sorted(used - declared)}"


def test_shape_of_the_graph(triples: list[Triple]) -> None:
    classes = Counter(t.object.value.removeprefix(KP) for t in triples if t.predicate == RDF_TYPE)
    p = plan(N)
    assert classes["Project"] == p.projects
    assert classes["Consortium"] == 7 and classes["EducationHub"] == 8
    for cls in ("Membership", "Person", "Theme", "Competency", "CanMEDSRole", "Need", "Event", "Region"):
        assert classes[cls] > 0, cls
    langs = Counter(t.object.language for t in triples if t.predicate.value.endswith("#label"))
    assert langs["nl"] > 0 and langs["en"] > 0
    assert any(ch in t.object.value for t in triples if t.predicate.value.endswith("#label") for ch in "éë")
    hub = iri("organisatie", "knooppunt-0")
    reached = {t.subject for t in triples if t.object == hub and "Organisation" in t.predicate.value}
    assert 0.2 * p.projects < len(reached) < 0.6 * p.projects


def test_loads_into_the_memory_store_and_queries_run(tmp_path: Path) -> None:
    store = OxigraphStore(Settings(store="memory"), None)
    path = tmp_path / "syn.nq"
    written = write(path, N, "nq", "synthetic")
    quads = list(parse(path=str(path), format=RdfFormat.N_QUADS))
    assert len(quads) == written
    assert all(q.graph_name == store.graph("synthetic") for q in quads)
    store.apply_delta([], quads)
    assert len(store.ox) == written
    assert store.graph("synthetic") in store.public_graphs()
    rows = store.select(QUERY_SHAPES["related_projects"], {"project": iri("project", "project-0")})
    assert rows and "score" in rows[0]
    assert store.select(QUERY_SHAPES["materials_for_theme"], {"theme": iri("thema", "thema-0")})
    assert store.select(QUERY_SHAPES["label_search"], {"needle": Literal("zorg")})
    assert all(isinstance(q, Quad) for q in generate(200, graph="synthetic"))
