"""The ontology, the SKOS schemes, the SHACL shapes and the seed dataset, checked with real rdflib/pyshacl.

What is checked:
- everything parses, relative IRIs resolved against the base the store uses;
- every ``kp:`` term used anywhere is declared in the ontology, and every term of a reused vocabulary
  (SKOS, DCTERMS, FOAF, schema.org, ORG, PROV, OWL-Time, SHACL, ...) is a real term of it (rdflib ships
  the term lists), so a typo such as ``kp:adresses`` or ``schema:proivder`` fails;
- every class and property carries labels and comments in Dutch and English, properties a domain and
  a range; every class has a NodeShape, every property shape an IRI, a severity and nl/en messages;
- the seed data conforms (no violations), and every NodeShape catches a broken example with the
  expected focus node and message;
- every resource in ``data/`` has a ``dct:source``, no link dangles, and the seed facts hold.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib import namespace as ns

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/knooppunt/"
ID = BASE + "id/"
KP = rdflib.Namespace("https://w3id.org/knooppunt/def#")
KPS = "https://w3id.org/knooppunt/shapes#"

ONTOLOGY_FILE = ROOT / "ontology" / "knooppunt.ttl"
SCHEME_FILES = sorted((ROOT / "ontology").glob("schemes-*.ttl"))
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))

# Reused vocabularies: rdflib's DefinedNamespace classes list their real terms.
REUSED = [ns.RDF, ns.RDFS, ns.OWL, ns.XSD, ns.SKOS, ns.DCTERMS, ns.FOAF, ns.SDO, ns.ORG, ns.PROV, ns.TIME, ns.VANN, ns.SH]

PREFIXES = """
@prefix kp:     <https://w3id.org/knooppunt/def#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix schema: <https://schema.org/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix ex:     <https://w3id.org/knooppunt/id/test/> .
"""


# --- fixtures: parse once per session ---------------------------------------------------------------
def _parse(paths: list[Path], base: str | None = BASE) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in paths:
        g.parse(path, format="turtle", publicID=base)
    return g


@pytest.fixture(scope="session")
def ontology() -> rdflib.Graph:
    # The ontology uses absolute IRIs only: parse it without a base, as graph.validation does.
    return _parse([ONTOLOGY_FILE], base=None)


@pytest.fixture(scope="session")
def schemes() -> rdflib.Graph:
    return _parse(SCHEME_FILES)


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    return _parse(SHAPE_FILES)


@pytest.fixture(scope="session")
def data() -> rdflib.Graph:
    return _parse(DATA_FILES)


@pytest.fixture(scope="session")
def seed(schemes, data) -> rdflib.Graph:
    """The SKOS schemes plus the seed dataset: what the shapes validate."""
    g = rdflib.Graph()
    for part in (schemes, data):
        for t in part:
            g.add(t)
    return g


def validate(graph: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> rdflib.Graph:
    """Validate as graph.validation does: the ontology is mixed in (subclasses for sh:class/targetClass)."""
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True, advanced=False
    )
    return report


def results(report: rdflib.Graph) -> list[dict]:
    out = []
    for r in report.subjects(ns.RDF.type, ns.SH.ValidationResult):
        out.append(
            {
                "focus": report.value(r, ns.SH.focusNode),
                "shape": report.value(r, ns.SH.sourceShape),
                "severity": report.value(r, ns.SH.resultSeverity),
                "messages": {m.language: str(m) for m in report.objects(r, ns.SH.resultMessage)},
                "value": report.value(r, ns.SH.value),
            }
        )
    return out


# --- parsing ----------------------------------------------------------------------------------------
def test_everything_parses(ontology, schemes, shapes, data):
    assert len(ontology) > 500 and len(schemes) > 500 and len(shapes) > 1000 and len(data) > 1500
    assert DATA_FILES and SCHEME_FILES and SHAPE_FILES


@pytest.mark.parametrize("path", SCHEME_FILES + DATA_FILES, ids=lambda p: p.name)
def test_instance_files_use_relative_iris_only(path):
    """Data and scheme files never spell the base: the store resolves them against its own base."""
    text = path.read_text(encoding="utf-8")
    assert "w3id.org/knooppunt/id" not in text and "w3id.org/knooppunt/graph" not in text
    other_base = "http://localhost:8000/kn/"
    g = rdflib.Graph().parse(path, format="turtle", publicID=other_base)
    ours = {str(t) for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(other_base)}
    assert ours, "expected relative IRIs resolved against the base"
    assert all(t.startswith(other_base + "id/") for t in ours), sorted(ours)[:5]


def test_ontology_has_no_relative_iris():
    g = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle", publicID="urn:x-relative:")
    relative = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith("urn:x-relative:")}
    assert not relative


def test_ontology_header(ontology):
    onto = URIRef("https://w3id.org/knooppunt/def")
    assert (onto, ns.RDF.type, ns.OWL.Ontology) in ontology
    assert ontology.value(onto, ns.OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(onto, ns.OWL.versionIRI) is not None
    assert ontology.value(onto, ns.DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ontology.value(onto, ns.DCTERMS.created) == Literal("2026-11-23", datatype=ns.XSD.date)
    assert ontology.value(onto, ns.DCTERMS.modified) == Literal("2026-11-23", datatype=ns.XSD.date)
    assert {t.language for t in ontology.objects(onto, ns.DCTERMS.title)} >= {"nl", "en"}
    assert ontology.value(onto, ns.VANN.preferredNamespacePrefix) == Literal("kp")


# --- terms: declared and real -------------------------------------------------------------------------
def declared_kp_terms(ontology: rdflib.Graph) -> set[URIRef]:
    kinds = {ns.OWL.Class, ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty, ns.RDFS.Datatype}
    return {s for s, _, o in ontology.triples((None, ns.RDF.type, None)) if o in kinds and str(s).startswith(str(KP))}


def undeclared_or_unknown(graph: rdflib.Graph, declared: set[URIRef]) -> list[str]:
    """IRIs in the kp: namespace that the ontology does not declare, and IRIs in a reused vocabulary's
    namespace that are not terms of it."""
    problems = set()
    for triple in graph:
        for term in triple:
            if not isinstance(term, URIRef):
                continue
            iri = str(term)
            if iri.startswith(str(KP)):
                if term not in declared:
                    problems.add(iri)
                continue
            for vocab in REUSED:
                base = str(vocab._NS)
                if iri.startswith(base) and iri != base and term not in vocab:
                    problems.add(iri)
    return sorted(problems)


def test_term_checker_catches_typos(ontology):
    declared = declared_kp_terms(ontology)
    g = rdflib.Graph()
    g.add((URIRef(ID + "x"), KP.adresses, URIRef(ID + "y")))
    g.add((URIRef(ID + "x"), URIRef("https://schema.org/proivder"), URIRef(ID + "y")))
    g.add((URIRef(ID + "x"), ns.SKOS.prefLabel, Literal("x", lang="nl")))
    assert undeclared_or_unknown(g, declared) == [
        "https://schema.org/proivder",
        "https://w3id.org/knooppunt/def#adresses",
    ]


@pytest.mark.parametrize("which", ["ontology", "schemes", "shapes", "data"])
def test_all_terms_declared_or_real(which, request, ontology):
    graph = request.getfixturevalue(which)
    assert undeclared_or_unknown(graph, declared_kp_terms(ontology)) == []


# --- the ontology: labels, comments, domains, ranges ------------------------------------------------
def kp_classes(ontology):
    return sorted(s for s in ontology.subjects(ns.RDF.type, ns.OWL.Class) if isinstance(s, URIRef) and str(s).startswith(str(KP)))


def kp_properties(ontology):
    found = set()
    for kind in (ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty, ns.OWL.AnnotationProperty):
        found |= {s for s in ontology.subjects(ns.RDF.type, kind) if str(s).startswith(str(KP))}
    return sorted(found)


def test_vocabulary_size(ontology):
    assert len(kp_classes(ontology)) >= 41
    assert len(kp_properties(ontology)) >= 45


def test_every_term_has_nl_and_en_label_and_comment(ontology):
    missing = []
    for term in declared_kp_terms(ontology):
        for prop in (ns.RDFS.label, ns.RDFS.comment):
            langs = {o.language for o in ontology.objects(term, prop) if isinstance(o, Literal)}
            if not {"nl", "en"} <= langs:
                missing.append(f"{term} {prop}")
    assert not missing, missing


def test_every_property_has_domain_and_range(ontology):
    missing = [
        str(p) for p in kp_properties(ontology)
        if ontology.value(p, ns.RDFS.domain) is None or ontology.value(p, ns.RDFS.range) is None
    ]
    assert not missing, missing


def test_vocabulary_contract_terms_exist(ontology):
    """The terms of docs/vocabulary.md, which others query against."""
    text = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`kp:([A-Za-z]+)`", text))
    assert len(named) > 80
    declared = {str(t)[len(str(KP)):] for t in declared_kp_terms(ontology)}
    assert named - declared == set()


def test_classes_align_with_standard_vocabularies(ontology):
    expected = {
        KP.Project: {ns.SDO.Project, ns.FOAF.Project, ns.PROV.Activity},
        KP.Organisation: {ns.ORG.Organization, ns.FOAF.Organization, ns.SDO.Organization},
        KP.Person: {ns.FOAF.Person, ns.SDO.Person},
        KP.Membership: {ns.ORG.Membership},
        KP.Theme: {ns.SKOS.Concept},
        KP.Material: {ns.SDO.LearningResource, ns.SDO.CreativeWork},
        KP.ReportingMoment: {ns.TIME.Instant},
        KP.UniversityMedicalCentre: {KP.EducationInstitution, KP.CareOrganisation},
    }
    for cls, supers in expected.items():
        assert supers <= set(ontology.objects(cls, ns.RDFS.subClassOf)), cls
    assert (KP.leadOrganisation, ns.RDFS.subPropertyOf, KP.involvedOrganisation) in ontology
    assert (KP.programme, ns.RDFS.subPropertyOf, ns.DCTERMS.isPartOf) in ontology


# --- the shapes -------------------------------------------------------------------------------------
def node_shapes(shapes):
    return sorted(s for s in shapes.subjects(ns.RDF.type, ns.SH.NodeShape))


def property_shapes(shapes):
    return sorted(set(shapes.objects(None, ns.SH.property)) | set(shapes.subjects(ns.RDF.type, ns.SH.PropertyShape)))


def test_every_class_has_a_node_shape(ontology, shapes):
    targeted = set(shapes.objects(None, ns.SH.targetClass))
    assert [str(c) for c in kp_classes(ontology) if c not in targeted] == []


def test_shapes_target_only_our_classes(shapes):
    """Generic data (the W3C suites' FOAF) is not refused: shapes target our classes. The one
    exception is LinkShape, which holds every link property of any subject to http(s) IRIs."""
    targets = set(shapes.objects(None, ns.SH.targetClass))
    assert all(str(t).startswith(str(KP)) for t in targets)
    for kind in (ns.SH.targetNode, ns.SH.targetSubjectsOf, ns.SH.targetObjectsOf):
        assert {s for s, _, _ in shapes.triples((None, kind, None))} <= {URIRef(KPS + "LinkShape")}


def test_shapes_have_iris_severities_and_messages(shapes):
    problems = []
    for shape in node_shapes(shapes) + property_shapes(shapes):
        if not isinstance(shape, URIRef) or not str(shape).startswith(KPS):
            problems.append(f"shape without a kps: IRI: {shape}")
    for ps in property_shapes(shapes):
        if shapes.value(ps, ns.SH.severity) not in (ns.SH.Violation, ns.SH.Warning):
            problems.append(f"{ps}: no severity")
        langs = Counter(m.language for m in shapes.objects(ps, ns.SH.message))
        if langs["nl"] != 1 or langs["en"] != 1:
            problems.append(f"{ps}: messages {dict(langs)}")
    for subject in set(shapes.subjects(ns.SH.message, None)):
        langs = {m.language for m in shapes.objects(subject, ns.SH.message)}
        if not {"nl", "en"} <= langs:
            problems.append(f"{subject}: sh:message without nl and en")
    assert not problems, problems


def test_shapes_are_shallow(shapes):
    """No sh:node chains or inverse paths: a write is validated from the focus node's own triples
    plus the types of the nodes it points at."""
    assert not list(shapes.triples((None, ns.SH.node, None)))
    assert not list(shapes.triples((None, ns.SH.inversePath, None)))
    assert not list(shapes.triples((None, ns.SH.sparql, None)))


# --- validation of the seed ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def seed_results(seed, shapes, ontology):
    return results(validate(seed, shapes, ontology))


def test_seed_conforms(seed_results):
    violations = [r for r in seed_results if r["severity"] == ns.SH.Violation]
    warnings = Counter(str(r["shape"]).removeprefix(KPS) for r in seed_results if r["severity"] == ns.SH.Warning)
    print(f"\nseed: {len(violations)} violation(s), {sum(warnings.values())} warning(s): {dict(warnings)}")
    assert violations == []


def test_subclass_instances_pass_sh_class_only_with_the_ontology(shapes, ontology):
    """kp:leadOrganisation has sh:class kp:Organisation; a hub typed only kp:EducationHub satisfies it
    through the ontology's rdfs:subClassOf (which the validator always mixes in), and not without it."""
    g = rdflib.Graph().parse(
        data=PREFIXES + """
        ex:project a kp:Project ; rdfs:label "Project"@nl ; kp:leadOrganisation ex:hub .
        ex:hub a kp:EducationHub .
        """,
        format="turtle",
    )
    lead = URIRef(KPS + "Project-leadOrganisation")
    with_ontology = {r["shape"] for r in results(validate(g, shapes, ontology))}
    assert lead not in with_ontology
    _, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=False)
    assert lead in {r["shape"] for r in results(report)}


def test_superclass_shapes_apply_to_subclass_instances(shapes, ontology):
    g = rdflib.Graph().parse(data=PREFIXES + "ex:nameless a kp:UniversityMedicalCentre .", format="turtle")
    hit = {(str(r["focus"]), str(r["shape"])) for r in results(validate(g, shapes, ontology))}
    assert (ID + "test/nameless", KPS + "Organisation-label") in hit


def test_generic_foaf_data_is_not_refused(shapes, ontology):
    g = rdflib.Graph().parse(
        data="""
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <http://example.org/alice> a foaf:Person ; foaf:name "Alice" ; foaf:knows <http://example.org/bob> .
        <http://example.org/bob> a foaf:Person ; foaf:mbox <mailto:bob@example.org> .
        <http://example.org/w3c> a foaf:Organization .
        """,
        format="turtle",
    )
    assert results(validate(g, shapes, ontology)) == []


# --- one broken example per node shape ---------------------------------------------------------------
# (node shape, broken Turtle, focus node (ex: local name), property shape expected to fire)
BROKEN = [
    ("Programme", "ex:prog a kp:Programme .", "prog", "Programme-label"),
    ("Project", 'ex:proj a kp:Project ; rdfs:label "Project"@en .', "proj", "Project-label"),
    ("Project", 'ex:proj2 a kp:Project ; rdfs:label "P"@nl ; kp:programme ex:proj2-notprog . ex:proj2-notprog a kp:Project .',
     "proj2", "Project-programme"),
    ("Project", 'ex:proj3 a kp:Project ; rdfs:label "P"@nl ; kp:startDate "2020-13" .', "proj3", "Project-startDate"),
    ("Organisation", 'ex:org a kp:Organisation ; rdfs:label "O"@nl ; schema:url "www.example.org" .', "org", "Organisation-url"),
    ("EducationInstitution", 'ex:edu a kp:EducationInstitution ; rdfs:label "E"@nl ; kp:educationLevel ex:edu-t . ex:edu-t a kp:Theme .',
     "edu", "EducationInstitution-level"),
    ("CareOrganisation", 'ex:care a kp:CareOrganisation ; rdfs:label "C"@nl ; kp:careSetting ex:care-t . ex:care-t a kp:Theme .',
     "care", "CareOrganisation-care-setting"),
    ("UniversityMedicalCentre", 'ex:umc a kp:UniversityMedicalCentre ; rdfs:label "U"@nl .', "umc", "UniversityMedicalCentre-region-missing"),
    ("Consortium", 'ex:cons a kp:Consortium ; rdfs:label "C"@nl ; kp:anchoredAt ex:cons-t . ex:cons-t a kp:Theme .',
     "cons", "Consortium-anchored-at"),
    ("EducationHub", 'ex:hub a kp:EducationHub ; rdfs:label "H"@nl ; kp:consortium ex:hub-o . ex:hub-o a kp:Organisation .',
     "hub", "EducationHub-consortium"),
    ("CareNetwork", 'ex:net a kp:CareNetwork ; rdfs:label "N"@nl .', "net", "CareNetwork-consortium-missing"),
    ("KnowledgeOrganisation", 'ex:know a kp:KnowledgeOrganisation ; rdfs:label "K"@nl .', "know", "KnowledgeOrganisation-description"),
    ("ProfessionalBody", 'ex:prof a kp:ProfessionalBody ; rdfs:label "P"@nl .', "prof", "ProfessionalBody-description"),
    ("Funder", 'ex:fund a kp:Funder ; rdfs:label "F"@nl .', "fund", "Funder-description"),
    ("Region", 'ex:reg a kp:Region ; rdfs:label "R"@nl ; kp:withinRegion ex:reg-t . ex:reg-t a kp:Theme .', "reg", "Region-within"),
    ("Person", 'ex:pers a kp:Person ; rdfs:label "P"@nl .', "pers", "Person-name"),
    ("Link", 'ex:link a kp:Project ; rdfs:label "L"@nl ; dct:source <javascript:alert(1)> .', "link", "Link-source"),
    ("Link", 'ex:link2 a <https://example.org/Thing> ; schema:url <data:text/html,x> .', "link2", "Link-url"),
    ("Membership", 'ex:mem a kp:Membership ; org:role ex:mem-r ; kp:project ex:mem-p . ex:mem-r a kp:PersonRole . ex:mem-p a kp:Project .',
     "mem", "Membership-member"),
    ("Membership", 'ex:mem2 a kp:Membership ; org:member ex:mem2-p ; org:role ex:mem2-r . ex:mem2-p a kp:Person . ex:mem2-r a kp:PersonRole .',
     "mem2", "Membership-context"),
    ("PersonRole", 'ex:role a kp:PersonRole ; rdfs:label "R"@nl .', "role", "PersonRole-preflabel"),
    ("CanMEDSRole", 'ex:canmeds a kp:CanMEDSRole ; rdfs:label "C"@nl ; skos:prefLabel "C"@nl .', "canmeds", "CanMEDSRole-scheme"),
    ("Competency", 'ex:comp a kp:Competency ; rdfs:label "C"@nl ; skos:prefLabel "C"@nl ; skos:inScheme ex:comp-s . ex:comp-s a skos:ConceptScheme .',
     "comp", "Competency-broader"),
    ("Theme", 'ex:theme a kp:Theme ; rdfs:label "T"@nl ; skos:broader ex:theme-l . ex:theme-l a kp:EducationLevel .', "theme", "Theme-broader"),
    ("EducationLevel", 'ex:level a kp:EducationLevel ; rdfs:label "L"@nl ; skos:prefLabel "L"@nl , "M"@nl .', "level",
     "EducationLevel-preflabel-unique"),
    ("CareSetting", "ex:setting a kp:CareSetting .", "setting", "CareSetting-label"),
    ("CurriculumVariant", 'ex:variant a kp:CurriculumVariant ; skos:prefLabel "bol"@nl .', "variant", "CurriculumVariant-label"),
    ("CoverageLevel", 'ex:cl a kp:CoverageLevel ; rdfs:label "Start"@nl ; skos:prefLabel "Start"@nl .', "cl", "CoverageLevel-scheme"),
    ("Material", 'ex:mat a kp:Material ; rdfs:label "M"@nl ; dct:description "geen taalcode" .', "mat", "Material-description-text"),
    ("Course", 'ex:course a kp:Course ; rdfs:label "C"@nl .', "course", "Course-level-missing"),
    ("ELearning", 'ex:elearn a kp:ELearning ; rdfs:label "E"@nl .', "elearn", "ELearning-url-missing"),
    ("Film", 'ex:film a kp:Film ; rdfs:label "F"@nl .', "film", "Film-url-missing"),
    ("Toolbox", 'ex:tb a kp:Toolbox ; rdfs:label "T"@nl .', "tb", "Toolbox-url-missing"),
    ("TeachingPackage", 'ex:tp a kp:TeachingPackage ; rdfs:label "T"@nl .', "tp", "TeachingPackage-level-missing"),
    ("MeasurementInstrument", 'ex:mi a kp:MeasurementInstrument ; rdfs:label "M"@nl .', "mi", "MeasurementInstrument-theme-missing"),
    ("Guideline", 'ex:gl a kp:Guideline ; rdfs:label "G"@nl .', "gl", "Guideline-provider-missing"),
    ("Framework", 'ex:fw a kp:Framework ; rdfs:label "F"@nl .', "fw", "Framework-level-missing"),
    ("Curriculum", 'ex:cur a kp:Curriculum ; rdfs:label "C"@nl ; kp:offeredBy ex:cur-h . ex:cur-h a kp:EducationHub .', "cur",
     "Curriculum-offered-by"),
    ("Curriculum", 'ex:cur2 a kp:Curriculum ; rdfs:label "C"@nl .', "cur2", "Curriculum-offered-by-missing"),
    ("Coverage", 'ex:cov a kp:Coverage ; kp:curriculum ex:cov-c ; kp:competency ex:cov-r ; kp:studyYear 5 ; kp:coverageLevel ex:cov-l . '
     'ex:cov-c a kp:Curriculum . ex:cov-r a kp:CanMEDSRole . ex:cov-l a kp:CoverageLevel .', "cov", "Coverage-study-year"),
    ("Coverage", 'ex:cov2 a kp:Coverage ; kp:studyYear 1 ; kp:coverageLevel ex:cov2-l . ex:cov2-l a kp:CoverageLevel .', "cov2",
     "Coverage-curriculum"),
    ("Coverage", 'ex:cov3 a kp:Coverage ; kp:curriculum ex:cov3-c ; kp:studyYear 2 ; kp:coverageLevel ex:cov3-l . '
     'ex:cov3-c a kp:Curriculum . ex:cov3-l a kp:CoverageLevel .', "cov3", "Coverage-competency"),
    ("Need", 'ex:need a kp:Need ; rdfs:label "N"@nl ; kp:metBy ex:need-t . ex:need-t a kp:Theme .', "need", "Need-met-by"),
    ("Event", 'ex:ev a kp:Event ; rdfs:label "E"@nl ; kp:stepNumber "een" .', "ev", "Event-step"),
    ("Dialogue", 'ex:dia a kp:Dialogue ; rdfs:label "D"@nl .', "dia", "Dialogue-organiser-missing"),
    ("ActionPlan", 'ex:plan a kp:ActionPlan ; rdfs:label "A"@nl ; kp:year "2021" .', "plan", "ActionPlan-year"),
    ("BuildingBlock", 'ex:bb a kp:BuildingBlock ; rdfs:label "B"@nl ; kp:hasFocusItem ex:bb-t . ex:bb-t a kp:Theme .', "bb",
     "BuildingBlock-focus-item"),
    ("FocusItem", 'ex:fi a kp:FocusItem ; rdfs:label "F"@nl ; kp:status "gerealiseerd" .', "fi", "FocusItem-status"),
    ("ReportingMoment", 'ex:rm a kp:ReportingMoment ; rdfs:label "R"@nl .', "rm", "ReportingMoment-when"),
]


@pytest.fixture(scope="session")
def broken_results(shapes, ontology):
    """All broken examples in one graph (their IRIs are distinct), validated once."""
    g = rdflib.Graph().parse(data=PREFIXES + "\n".join(ttl for _, ttl, _, _ in BROKEN), format="turtle")
    return results(validate(g, shapes, ontology))


def test_every_node_shape_has_a_broken_example(shapes):
    covered = {KPS + f"{cls}Shape" for cls, *_ in BROKEN}
    assert {str(s) for s in node_shapes(shapes)} == covered


@pytest.mark.parametrize("cls,ttl,focus,prop_shape", BROKEN, ids=[f"{b[0]}:{b[3]}" for b in BROKEN])
def test_broken_example_fails(cls, ttl, focus, prop_shape, shapes, broken_results):
    shape = URIRef(KPS + prop_shape)
    assert shape in set(shapes.objects(URIRef(KPS + f"{cls}Shape"), ns.SH.property)), "property shape of that node shape"
    expected_nl = next(str(m) for m in shapes.objects(shape, ns.SH.message) if m.language == "nl")
    expected_en = next(str(m) for m in shapes.objects(shape, ns.SH.message) if m.language == "en")
    hits = [r for r in broken_results if r["focus"] == URIRef(ID + "test/" + focus) and r["shape"] == shape]
    assert hits, f"{prop_shape} did not fire on ex:{focus}"
    assert hits[0]["severity"] == shapes.value(shape, ns.SH.severity)
    assert hits[0]["messages"].get("nl") == expected_nl
    assert hits[0]["messages"].get("en") == expected_en


def test_a_well_formed_example_of_each_kind_passes(shapes, ontology):
    """The other side of the broken examples: complete resources raise no violations."""
    g = rdflib.Graph().parse(
        data=PREFIXES + """
        ex:s a skos:ConceptScheme .
        ex:role a kp:CanMEDSRole , skos:Concept ; rdfs:label "R"@nl ; skos:prefLabel "R"@nl ; skos:inScheme ex:s .
        ex:c a kp:Competency , skos:Concept ; rdfs:label "C"@nl ; skos:prefLabel "C"@nl ; skos:inScheme ex:s ;
            skos:broader ex:role ; kp:educationLevel ex:mbo4 ; dct:source <https://example.org/owr> .
        ex:mbo4 a kp:EducationLevel , skos:Concept ; rdfs:label "mbo 4"@nl ; skos:prefLabel "mbo 4"@nl ; skos:inScheme ex:s .
        ex:school a kp:EducationInstitution ; rdfs:label "School"@nl ; kp:educationLevel ex:mbo4 .
        ex:cur a kp:Curriculum ; rdfs:label "Verpleegkunde"@nl ; kp:offeredBy ex:school ; kp:educationLevel ex:mbo4 ; kp:variant ex:bol .
        ex:bol a kp:CurriculumVariant , skos:Concept ; rdfs:label "bol"@nl ; skos:prefLabel "bol"@nl ; skos:inScheme ex:s .
        ex:start a kp:CoverageLevel , skos:Concept ; rdfs:label "Start"@nl ; skos:prefLabel "Start"@nl ; skos:inScheme ex:s .
        ex:cov a kp:Coverage ; kp:curriculum ex:cur ; kp:competency ex:c ; kp:variant ex:bol ; kp:studyYear 4 ; kp:coverageLevel ex:start .
        ex:p a kp:Person ; rdfs:label "A. Jansen"@nl ; foaf:name "A. Jansen" .
        ex:amb a kp:PersonRole , skos:Concept ; rdfs:label "Ambassadeur"@nl ; skos:prefLabel "Ambassadeur"@nl ; skos:inScheme ex:s .
        ex:m a kp:Membership ; org:member ex:p ; org:role ex:amb ; org:organization ex:school ; kp:startDate "2021"^^xsd:gYear .
        ex:rm a kp:ReportingMoment ; rdfs:label "Maart"@nl ; time:inXSDDate "2021-03-31"^^xsd:date .
        """,
        format="turtle",
    )
    assert [r for r in results(validate(g, shapes, ontology)) if r["severity"] == ns.SH.Violation] == []


# --- the seed dataset: provenance, links, facts -----------------------------------------------------
def typed_subjects(graph):
    return {s for s in graph.subjects(ns.RDF.type, None) if isinstance(s, URIRef)}


def test_every_data_resource_has_a_source(data):
    sources = set(data.subjects(ns.RDF.type, ns.DCTERMS.BibliographicResource))  # the sources themselves
    missing = sorted(str(s) for s in typed_subjects(data) - sources if data.value(s, ns.DCTERMS.source) is None)
    assert missing == []


def test_every_concept_has_a_source(schemes):
    concepts = set(schemes.subjects(ns.RDF.type, ns.SKOS.Concept)) | set(schemes.subjects(ns.RDF.type, ns.SKOS.ConceptScheme))
    assert sorted(str(c) for c in concepts if schemes.value(c, ns.DCTERMS.source) is None) == []


def test_sources_are_public_pages_or_described_documents(data, schemes):
    described = set(data.subjects(ns.RDF.type, ns.DCTERMS.BibliographicResource))
    for graph in (data, schemes):
        for source in set(graph.objects(None, ns.DCTERMS.source)):
            assert isinstance(source, URIRef)
            assert str(source).startswith(("https://", "http://"))
            if str(source).startswith(ID):
                assert source in described, f"source {source} is not described in data/bronnen.ttl"


def test_no_dangling_links(seed):
    """Every {base}/id/ IRI that is pointed at is a resource with a type somewhere in the seed."""
    defined = typed_subjects(seed)
    dangling = sorted(
        {str(o) for _, p, o in seed if isinstance(o, URIRef) and str(o).startswith(ID) and o not in defined}
    )
    assert dangling == []


def test_concepts_repeat_their_label_as_preflabel(schemes):
    for concept in schemes.subjects(ns.RDF.type, ns.SKOS.Concept):
        assert set(schemes.objects(concept, ns.RDFS.label)) == set(schemes.objects(concept, ns.SKOS.prefLabel)), concept


def test_no_contact_details_in_public_data(seed):
    for prop in (ns.SDO.email, ns.SDO.telephone, ns.FOAF.mbox, ns.FOAF.phone):
        assert not list(seed.triples((None, prop, None)))


def test_no_invented_names_for_unconfirmed_hubs(data):
    """Hubs whose name no source confirms carry a descriptive label marked as unconfirmed."""
    confirmed = {"Propallia", "Midden Nederland", "Zuidwest Nederland", "Noord-Holland en Flevoland", "Kinderpalliatieve Zorg"}
    for hub in data.subjects(ns.RDF.type, KP.EducationHub):
        label = str(data.value(hub, ns.RDFS.label))
        if not any(label == f"Onderwijsknooppunt {name}" for name in confirmed):
            assert "(naam niet bevestigd)" in label, label
            assert data.value(hub, ns.SKOS.editorialNote) is not None


def count(graph, cls):
    return len(set(graph.subjects(ns.RDF.type, cls)))


def test_seed_facts(seed):
    assert count(seed, KP.Consortium) == 7
    assert count(seed, KP.EducationHub) == 8
    assert count(seed, KP.CanMEDSRole) == 7
    owr2 = URIRef(ID + "schema/owr2")
    assert len(set(seed.objects(owr2, ns.SKOS.hasTopConcept))) == 7
    labels = {
        str(label)
        for role in seed.subjects(ns.RDF.type, KP.CanMEDSRole)
        for label in seed.objects(role, ns.SKOS.prefLabel)
        if label.language == "nl"
    }
    assert labels == {
        "zorgverlener | medisch handelen",
        "communicator | communiceren",
        "samenwerkingspartner | samenwerken",
        "reflectieve EBP professional | kennis en wetenschap",
        "gezondheidsbevorderaar | maatschappelijk handelen",
        "organisator | organisatie en leiderschap",
        "professional en kwaliteitsbevorderaar | professionaliteit",
    }
    # No OWR 2.0 competency items without a public source (none are in the sources yet).
    for comp in seed.subjects(ns.RDF.type, KP.Competency):
        assert seed.value(comp, ns.DCTERMS.source) is not None, comp
    plan = URIRef(ID + "actieplan/okp-noord-holland-flevoland-2021")
    assert len(set(seed.objects(plan, KP.hasBuildingBlock))) == 6
    assert seed.value(plan, KP.year) == Literal("2021", datatype=ns.XSD.gYear)
    dialogue = URIRef(ID + "bijeenkomst/dialoog-gooi-en-vechtstreek")
    steps = {int(seed.value(s, KP.stepNumber)) for s in seed.subjects(KP.partOfSeries, dialogue)}
    assert steps == {1, 2, 3, 4}
    needs = set(seed.subjects(ns.RDF.type, KP.Need))
    assert len(needs) >= 5
    assert all(set(seed.objects(n, KP.raisedIn)) for n in needs)


def test_seed_links_that_queries_rely_on(seed):
    k1006 = URIRef(ID + "materiaal/keuzedeel-palliatieve-zorg-k1006")
    assert len(set(seed.objects(k1006, KP.addressesCompetency))) == 7
    assert {str(o).rsplit("/", 1)[1] for o in seed.objects(k1006, KP.educationLevel)} == {"mbo-3", "mbo-4"}
    # Every regional hub but the paediatric one belongs to a consortium; consortia have an anchor.
    for hub in seed.subjects(ns.RDF.type, KP.EducationHub):
        if not str(hub).endswith("okp-kinderpalliatieve-zorg"):
            assert seed.value(hub, KP.consortium) is not None, hub
    for consortium in seed.subjects(ns.RDF.type, KP.Consortium):
        assert seed.value(consortium, KP.anchoredAt) is not None, consortium
    # Only needs a source supports are marked as met.
    met = {n for n in seed.subjects(ns.RDF.type, KP.Need) if seed.value(n, KP.metBy) is not None}
    assert 0 < len(met) < len(set(seed.subjects(ns.RDF.type, KP.Need))) / 2
    # skos:broader* is meaningful: symptom management under the physical dimension.
    thema = rdflib.Namespace(ID + "thema/")
    assert thema["fysieke-dimensie"] in set(seed.transitive_objects(thema["pijn"], ns.SKOS.broader))
    assert any(str(v) == "Zingeving" for v in seed.objects(thema["spirituele-dimensie"], ns.SKOS.altLabel))


def test_people_are_named_only(seed):
    for person in seed.subjects(ns.RDF.type, KP.Person):
        props = {p for p, _ in seed.predicate_objects(person)}
        assert props <= {ns.RDF.type, ns.RDFS.label, ns.FOAF.name, ns.SKOS.altLabel, ns.DCTERMS.source}, props
        assert not isinstance(seed.value(person, ns.FOAF.name), BNode)


def test_store_loads_every_file_like_rdflib(ontology, schemes, data):
    """graph.store seeds the ontology graph and one graph per data file, resolving relative IRIs
    against the same base; the triple counts match rdflib's."""
    from knooppunt.graph.settings import Settings
    from knooppunt.graph.store import open_store

    store = open_store(Settings(store="memory", base_iri=BASE.rstrip("/")))
    assert store.count(store.graph("ontology")) == len(ontology) + len(schemes)
    for path in DATA_FILES:
        expected = len(rdflib.Graph().parse(path, format="turtle", publicID=BASE))
        assert store.count(store.graph(path.stem)) == expected, path.name
