"""Incremental validation against the independent oracle (pyshacl over the whole public store).

For every change: with R(before) and R(after) the whole-store results, the incremental results are
contained in R(after), contain everything new in R(after) (R(after) minus R(before)), and equal
R(after) restricted to the nodes the change can affect. A property-based test draws random changes
from the real shapes and the seed data; named cases cover each kind of constraint the shapes use,
and a custom shapes graph covers nesting that reads the value nodes' own triples.
"""

from __future__ import annotations

import os

import pytest
import rdflib
from conftest import memory_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knooppunt.graph.writes import incremental, ingest
from knooppunt.graph.writes.delta import Delta, replace_graph
from knooppunt.graph.writes.reach import ShapeReach
from pyoxigraph import Literal, NamedNode, Quad
from rdflib.namespace import SH
from validation_oracle import check, public_quads, whole_store_results

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
EXAMPLES = int(os.environ.get("KNOOPPUNT_VALIDATION_EXAMPLES", "150"))


@pytest.fixture(scope="module")
def seed():
    """The seed store (never written: every change is a delta validated against it) and R(before)."""
    from knooppunt.graph.store import open_store

    store = open_store(memory_settings())
    before = public_quads(store)
    return store, before, whole_store_results(before)


def turtle_delta(store, text: str, graph: str = "test") -> Delta:
    g = store.graph(graph)
    quads = ingest.parse_rdf(text.encode(), ingest.rdf_format_for("text/turtle"), store.settings.base, g)
    return replace_graph(store, g, quads)


PREFIXES = f"""@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <{XSD}> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


# --- named cases: the reproduction and one per kind of constraint ------------------------------------
CASES = {
    # The reproduction: only an English label, and a start date that is no date.
    "repro: qualifiedValueShape + sh:or": (
        '<id/project/x> a kp:Project ; rdfs:label "Only English"@en ; kp:startDate "volgend voorjaar" .',
        {("kps:Project-label", "Violation"), ("kps:Project-startDate", "Violation")},
    ),
    "sh:or of sh:class": (
        "<id/persoon/x> a kp:Person ; rdfs:label \"X\"@nl ; foaf:name \"X\" ; kp:expertise <id/organisatie/roc-mondriaan> .",
        {("kps:Person-expertise", "Violation")},
    ),
    "sh:class": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl ; kp:leadOrganisation <id/thema/proactieve-zorgplanning> .',
        {("kps:Project-leadOrganisation", "Violation")},
    ),
    "sh:class to a missing node": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl ; kp:leadOrganisation <id/organisatie/bestaat-niet> .',
        {("kps:Project-leadOrganisation", "Violation")},
    ),
    "sh:datatype": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl ; dct:description "zonder taal" .',
        {("kps:Project-description-text", "Violation")},
    ),
    "sh:uniqueLang": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl , "Y"@nl .',
        {("kps:Project-label-unique", "Violation")},
    ),
    "sh:maxCount": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl ; kp:startDate "2020"^^xsd:gYear , "2021"^^xsd:gYear .',
        {("kps:Project-startDate", "Violation")},
    ),
    "sh:minCount on an alternative path": (
        '<id/lidmaatschap/x> a kp:Membership ; rdfs:label "X"@nl ; org:member <id/persoon/x> ; org:role <id/rol/docent> .'
        ' <id/persoon/x> a kp:Person ; rdfs:label "X"@nl ; foaf:name "X" .',
        {("kps:Membership-context", "Violation")},
    ),
    "sh:minInclusive": (
        '<id/dekking/x> a kp:Coverage ; kp:studyYear 7 .',
        {("kps:Coverage-study-year", "Violation")},
    ),
    "sh:nodeKind": (
        '<id/project/x> a kp:Project ; rdfs:label "X"@nl ; dct:source "geen IRI" .',
        {("kps:Project-source", "Warning")},
    ),
}


def _short(shape: str | None) -> str:
    return (shape or "").replace("https://w3id.org/knooppunt/shapes#", "kps:")


@pytest.mark.parametrize("name", list(CASES))
def test_named_case_agrees_with_the_whole_store(seed, name):
    store, before_quads, before = seed
    text, expected = CASES[name]
    results = check(store, turtle_delta(store, PREFIXES + text), before, before_quads)
    found = {(_short(k[3]), k[4]) for k in results}
    assert expected <= found, f"{name}: expected {expected}, got {sorted(found)}"


def test_deleting_a_node_others_point_at_checks_the_pointing_nodes(seed):
    store, before_quads, before = seed
    org = NamedNode(f"{BASE}/id/organisatie/amsterdam-umc")  # five projects point at it
    results = check(store, Delta(removed=[q for q in store.quads(org, None, None, None)]), before, before_quads)
    assert any(k[0] != org.value and k[4] == "Violation" for k in results)


def test_retyping_a_subclass_axiom_retypes_its_instances(seed):
    store, before_quads, before = seed
    g = store.graph("test")
    delta = Delta(added=[Quad(NamedNode(KP + "Region"), SUBCLASS, NamedNode(KP + "Project"), g)])
    results = check(store, delta, before, before_quads)
    assert any("/id/regio/" in k[0] and "Project-" in (k[3] or "") for k in results)  # regions are projects now


# --- nesting that reads the value nodes' own triples (custom shapes) ---------------------------------
NESTED_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . @prefix xsd: <{XSD}> .
ex:Outer a sh:NodeShape ; sh:targetClass ex:A ;
  sh:property [ sh:path ex:link ; sh:node ex:Inner ] ;
  sh:property [ sh:path ( ex:link ex:next ) ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:string ] ) ] ;
  sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ] ;
  sh:property [ sh:path ex:link ; sh:qualifiedValueShape [ sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]+$" ] ] ;
                sh:qualifiedMinCount 1 ] ;
  sh:property [ sh:path ex:link ; sh:not [ sh:class ex:Forbidden ] ] ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:not [ sh:hasValue ex:bad ] ] ) ] .
ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:maxCount 1 ] ;
  sh:property [ sh:path ex:ref ; sh:class ex:B ] .
"""
NESTED_DATA = """
@prefix ex: <http://example.org/> .
ex:a1 a ex:A ; ex:link ex:y1 ; ex:parent ex:p1 . ex:y1 ex:code "ABC" ; ex:ref ex:b1 ; ex:next 5 . ex:b1 a ex:B .
ex:a2 a ex:A ; ex:link ex:y2 . ex:y2 ex:code "DEF" ; ex:ref ex:b1 . ex:p1 ex:parent ex:p2 .
ex:o1 ex:owns ex:a1 .
"""
NESTED_CHANGES = {
    "value node loses its code (sh:node)": "DELETE ex:y1 ex:code",
    "value node's reference retyped (sh:class inside sh:node)": "RETYPE ex:b1",
    "value node's next value a boolean (sequence path + sh:xone)": "ADD ex:y1 ex:next true",
    "a second owner (inverse path)": "ADD ex:o2 ex:owns ex:a1",
    "value node's code lower case (qualifiedValueShape + pattern)": "CODE ex:y1",
    "value node becomes forbidden (sh:not + sh:class)": "FORBID ex:y2",
    "a far ancestor is bad (zeroOrMore path)": "ADD ex:p2 ex:parent ex:bad",
}


@pytest.mark.parametrize("name", list(NESTED_CHANGES))
def test_nested_shapes_follow_the_value_nodes(name):
    from knooppunt.graph.store import open_store

    store = open_store(memory_settings(), seed=False)
    g = store.graph("nested")
    store.apply_delta([], ingest.parse_rdf(NESTED_DATA.encode(), ingest.rdf_format_for("text/turtle"), BASE, g))
    shapes = rdflib.Graph().parse(data=NESTED_SHAPES, format="turtle")
    reach = ShapeReach(shapes)
    ex = "http://example.org/"
    op, *args = NESTED_CHANGES[name].split()
    node = NamedNode(ex + args[0].split(":")[1])
    if op == "DELETE":
        delta = Delta(removed=list(store.quads(node, NamedNode(ex + "code"), None, None)))
    elif op == "RETYPE":
        delta = Delta(removed=list(store.quads(node, RDF_TYPE, None, None)), added=[Quad(node, RDF_TYPE, NamedNode(ex + "C"), g)])
    elif op == "CODE":
        old = list(store.quads(node, NamedNode(ex + "code"), None, None))
        delta = Delta(removed=old, added=[Quad(node, NamedNode(ex + "code"), Literal("abc"), g)])
    elif op == "FORBID":
        delta = Delta(added=[Quad(node, RDF_TYPE, NamedNode(ex + "Forbidden"), g)])
    else:
        s, p, o = (NamedNode(ex + a.split(":")[1]) if a.startswith("ex:") else Literal(a, datatype=NamedNode(XSD + "boolean")) for a in args)
        delta = Delta(added=[Quad(s, p, o, g)])
    before_quads = public_quads(store)
    before = whole_store_results(before_quads, shapes)
    results = check(store, delta, before, before_quads, reach=reach, shapes=shapes)
    assert any(k[0].startswith(ex + "a") for k in results - before), f"{name}: the change was meant to break a1 or a2"


# --- the property-based test -----------------------------------------------------------------------
def _catalogue(store):
    """Nodes by class, the classes the shapes target, and the predicates the shapes walk."""
    shapes = incremental.validation.shapes_graph()
    classes = sorted({str(c) for c in shapes.objects(None, SH.targetClass)})
    predicates = sorted({str(p) for p in shapes.objects(None, SH.path) if isinstance(p, rdflib.URIRef)})
    for alternatives in shapes.objects(None, SH.alternativePath):
        predicates += [str(p) for p in rdflib.collection.Collection(shapes, alternatives)]
    nodes: dict[str, list] = {}
    for q in store.quads(None, RDF_TYPE, None, None):
        if q.object.value in classes and store.is_public_graph(q.graph_name):
            nodes.setdefault(q.object.value, []).append(q.subject)
    for v in nodes.values():
        v.sort(key=str)
    return classes, sorted(set(predicates)), nodes


def _values(classes, nodes):
    known = [n for ns in nodes.values() for n in ns]
    return st.one_of(
        st.sampled_from(["nl", "en", "de"]).map(lambda lang: Literal("Tekst", language=lang)),
        st.just(Literal("platte tekst")),
        st.sampled_from([("2021", "gYear"), ("2021-03-01", "date"), ("volgend voorjaar", "date"),
                         ("3", "integer"), ("0", "integer"), ("7", "integer"), ("drie", "integer"),
                         ("true", "boolean")]).map(lambda v: Literal(v[0], datatype=NamedNode(XSD + v[1]))),
        st.sampled_from(known),
        st.integers(0, 5).map(lambda i: NamedNode(f"{BASE}/id/ontbreekt/n{i}")),
        st.sampled_from(classes).map(NamedNode),
    )


@st.composite
def changes(draw, store, catalogue):
    classes, predicates, nodes = catalogue
    known = sorted({n for ns in nodes.values() for n in ns}, key=str)
    graph = store.graph("hyp")
    values = _values(classes, nodes)
    delta = Delta()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["new", "new", "delete", "retype", "drop", "add", "add", "unlink", "subclass"]))
        if kind == "new":  # a new node of a targeted class with random values
            node = NamedNode(f"{BASE}/id/nieuw/n{draw(st.integers(0, 3))}")
            delta.added.append(Quad(node, RDF_TYPE, NamedNode(draw(st.sampled_from(classes))), graph))
            for _ in range(draw(st.integers(0, 6))):
                delta.added.append(Quad(node, NamedNode(draw(st.sampled_from(predicates))), draw(values), graph))
            if draw(st.booleans()):  # something existing points at it
                delta.added.append(Quad(draw(st.sampled_from(known)), NamedNode(draw(st.sampled_from(predicates))), node, graph))
        elif kind == "delete":  # a node removed whole, while others may point at it
            node = draw(st.sampled_from(known))
            delta.removed += list(store.quads(node, None, None, None))
        elif kind == "retype":
            node = draw(st.sampled_from(known))
            delta.removed += list(store.quads(node, RDF_TYPE, None, None))
            delta.added.append(Quad(node, RDF_TYPE, NamedNode(draw(st.sampled_from(classes))), graph))
        elif kind == "drop":  # a missing value
            node = draw(st.sampled_from(known))
            about = sorted(store.quads(node, None, None, None), key=str)
            if about:
                delta.removed.append(draw(st.sampled_from(about)))
        elif kind == "add":  # a duplicate, wrongly typed or dangling value
            node = draw(st.sampled_from(known))
            delta.added.append(Quad(node, NamedNode(draw(st.sampled_from(predicates))), draw(values), graph))
        elif kind == "unlink":  # a link into a node removed
            node = draw(st.sampled_from(known))
            pointing = sorted(store.quads(None, None, node, None), key=str)
            if pointing:
                delta.removed.append(draw(st.sampled_from(pointing)))
        else:  # a class becomes a subclass of another
            delta.added.append(Quad(NamedNode(draw(st.sampled_from(classes))), SUBCLASS,
                                    NamedNode(draw(st.sampled_from(classes))), graph))
    public = [q for q in dict.fromkeys(delta.removed) if store.is_public_graph(q.graph_name)]
    return Delta(removed=public, added=list(dict.fromkeys(delta.added)))


@pytest.mark.timeout(1200)  # each example runs pyshacl over the whole seed store (~0.6 s)
def test_random_changes_agree_with_the_whole_store(seed):
    store, before_quads, before = seed
    catalogue = _catalogue(store)

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(delta=changes(store, catalogue))
    def agree(delta):
        check(store, delta, before, before_quads)

    agree()
