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
- every resource in ``data/`` has a ``dct:source``, no link dangles, and the seed facts hold;
- people: every person holds a role through a sourced membership, carries no contact details, and
  the people in public roles that the sources name (domain-facts-2.md, section B) are there with
  their role and organisation or project; every triple of every data file round-trips through the
  store.
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


CONTACT_PREDICATES = (
    ns.SDO.email, ns.SDO.telephone, ns.SDO.faxNumber, ns.SDO.address, ns.SDO.contactPoint,
    ns.FOAF.mbox, ns.FOAF.mbox_sha1sum, ns.FOAF.phone,
    URIRef("http://www.w3.org/2006/vcard/ns#email"), URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"),
    URIRef("http://www.w3.org/2006/vcard/ns#tel"), URIRef("http://www.w3.org/2006/vcard/ns#hasTelephone"),
)
# An e-mail address or a Dutch phone number in any literal (the facts files list one project
# mailbox; it must not reach the data).
CONTACT_TEXT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|mailto:|(?:\+31[ -]?|\b0)[1-9](?:[ -]?\d){8}\b")


def test_no_contact_details_in_public_data(seed):
    for prop in CONTACT_PREDICATES:
        assert not list(seed.triples((None, prop, None))), prop
    leaks = [(str(s), str(o)) for s, _, o in seed if isinstance(o, Literal) and CONTACT_TEXT.search(str(o))]
    assert leaks == []
    assert not [o for _, _, o in seed if isinstance(o, URIRef) and str(o).startswith(("mailto:", "tel:"))]


def test_contact_text_pattern_catches_what_it_should():
    for text in ("palliatievezorg@zonmw.nl", "bel 06-12345678", "+31 6 1234 5678", "mailto:x"):
        assert CONTACT_TEXT.search(text), text
    for text in ("€ 1,7 miljoen", "dossier 844001401", "NCT06434545", "80-86300-98-060", "PLTFM.04.026", "1.858.325 inwoners"):
        assert not CONTACT_TEXT.search(text), text


EBOOK_2023 = URIRef("https://issuu.com/o2pz/docs/ebook_symposium_v5_def_1_juni_2023")
HUB_NAMES = {  # the O²PZ e-book of the symposium of 18 April 2023 names all eight (slugs predate it)
    "okp-midden-nederland": "Onderwijsknooppunt Midden Nederland",  # 'Septet' in the e-book; name of its own source
    "okp-propallia": "Onderwijsknooppunt Propallia",
    "okp-noord-holland-flevoland": "Onderwijsknooppunt Noord-Holland en Flevoland",
    "okp-ligare": "Onderwijsknooppunt Ligare",
    "okp-kinderpalliatieve-zorg": "Onderwijsknooppunt Kinderpalliatieve zorg Nederland",
    "okp-zuidwest-nederland": "Onderwijsknooppunt Zuidwest-Nederland",
    "okp-zuidoost-nederland": "Onderwijsknooppunt Palzo",
    "okp-limburg-zuidoost-brabant": "Onderwijsknooppunt Limburg / Zuidoost-Brabant",
}


def test_the_eight_hubs_carry_their_confirmed_names(data):
    """All eight names are now confirmed by a source (the e-book), which every hub cites."""
    found = {}
    for hub in data.subjects(ns.RDF.type, KP.EducationHub):
        found[str(hub).rsplit("/", 1)[1]] = {str(o) for o in data.objects(hub, ns.RDFS.label) if o.language == "nl"}
        assert EBOOK_2023 in set(data.objects(hub, ns.DCTERMS.source)), hub
    assert found == {slug: {name} for slug, name in HUB_NAMES.items()}


UNCERTAIN = re.compile(r"\(\?\)|niet bevestigd|not confirmed|\?\)$", re.IGNORECASE)


def test_uncertainty_lives_in_notes_never_in_public_names(data, schemes):
    """A '(?)' or 'niet bevestigd' belongs in skos:editorialNote, not in a label anyone reads."""
    for graph in (data, schemes):
        for prop in (ns.RDFS.label, ns.SKOS.prefLabel, ns.SKOS.altLabel):
            bad = [(str(s), str(o)) for s, o in graph.subject_objects(prop) if UNCERTAIN.search(str(o))]
            assert bad == []


def test_no_two_resources_share_a_name(data):
    """Labels and alternative names identify: one name, one resource (a shared altLabel made a hub
    and a consortium look like duplicates)."""
    owners: dict[str, set[str]] = {}
    for prop in (ns.RDFS.label, ns.SKOS.altLabel):
        for s, o in data.subject_objects(prop):
            if "/lidmaatschap/" not in str(s):
                owners.setdefault(str(o).casefold(), set()).add(str(s))
    shared = {name: sorted(s) for name, s in owners.items() if len(s) > 1}
    # a source document and the project it describes share their title
    assert shared == {
        "o²pz kernproject c: verbinden van projecten en borging in de toekomst": [
            ID + "bron/seed-001-kernproject-c", ID + "project/o2pz-kernproject-c"],
    }


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
    # Only needs a source supports are marked as met: no kp:metBy whose own note says it is not
    # established (the toolbox 'meets' the need for concrete material only as a pointer in step 4).
    for need in seed.subjects(KP.metBy, None):
        notes = " ".join(str(n) for n in seed.objects(need, ns.SKOS.editorialNote))
        assert not re.search(r"niet vastgesteld|niet bevestigd", notes), need
    concreet = URIRef(ID + "behoefte/gv-concreet-materiaal")
    assert seed.value(concreet, KP.metBy) is None
    assert seed.value(concreet, KP.relatedTo) == URIRef(ID + "materiaal/toolbox-palliaweb")
    # skos:broader* is meaningful: symptom management under the physical dimension.
    thema = rdflib.Namespace(ID + "thema/")
    assert thema["fysieke-dimensie"] in set(seed.transitive_objects(thema["pijn"], ns.SKOS.broader))
    assert any(str(v) == "Zingeving" for v in seed.objects(thema["spirituele-dimensie"], ns.SKOS.altLabel))


ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
ROLE_SCHEME = URIRef(ID + "schema/rollen")


def memberships_of(graph: rdflib.Graph, person: URIRef) -> list[URIRef]:
    return sorted(graph.subjects(ORG.member, person))


def test_every_person_holds_a_role_through_a_sourced_membership(seed):
    people = set(seed.subjects(ns.RDF.type, KP.Person))
    assert len(people) >= 39
    for person in people:
        mems = memberships_of(seed, person)
        assert mems, f"{person} has no membership"
        used = set()
        for m in mems:
            assert (m, ns.RDF.type, KP.Membership) in seed
            role = seed.value(m, ORG.role)
            assert (role, ns.RDF.type, KP.PersonRole) in seed and (role, ns.SKOS.inScheme, ROLE_SCHEME) in seed, m
            assert seed.value(m, ORG.organization) or seed.value(m, KP.project), m
            sources = set(seed.objects(m, ns.DCTERMS.source))
            assert sources, m
            used |= sources
            assert {o.language for o in seed.objects(m, ns.RDFS.label)} >= {"nl", "en"}, m
        # a person's own sources are the pages that name them in a role
        assert set(seed.objects(person, ns.DCTERMS.source)) <= used, person


def test_roles_the_facts_need_are_in_the_scheme(schemes):
    for slug in ("ambassadeur", "kwartiermaker", "programmamanager", "projectleider", "netwerkcoordinator", "lid",
                 "medewerker", "secretaris", "adviseur", "bestuurder", "directeur", "voorzitter", "onderzoeker", "docent"):
        role = URIRef(ID + "rol/" + slug)
        assert (role, ns.RDF.type, KP.PersonRole) in schemes, slug
        assert {o.language for o in schemes.objects(role, ns.SKOS.prefLabel)} == {"nl", "en"}, slug
        assert (ROLE_SCHEME, ns.SKOS.hasTopConcept, role) in schemes, slug


OKP_2021 = "https://www.nationaalprogrammapalliatievezorg.nl/nieuws/details/onderwijsknooppunt-propallia"
OKP_2022 = "https://www.o2pz.nl/over+o2pz/projecten_nieuw/projectonderwijspall/projectnieuws_palliatievezorg/2351062.aspx"
KLAAR = "https://www.o2pz.nl/over+o2pz/projecten_nieuw/projectonderwijspall/projectnieuws_palliatievezorg/2190550.aspx"
# (person slug, name, role, organisation or project, a source the facts give for that row): the people in
# public roles of domain-facts-2.md, section B.
PUBLIC_ROLES = [
    ("marcella-tam", "Marcella Tam", "ambassadeur", "organisatie/okp-propallia", OKP_2022),
    ("marcella-tam", "Marcella Tam", "secretaris", "organisatie/propallia", OKP_2021),
    ("jopke-kruyt", "Jopke Kruyt", "kwartiermaker", "organisatie/okp-propallia", OKP_2021),
    ("jopke-kruyt", "Jopke Kruyt", "netwerkcoordinator", "organisatie/netwerk-dwo", OKP_2021),
    ("isabelle-booden", "Isabelle Booden", "lid", "organisatie/okp-propallia", OKP_2021),
    ("isabelle-booden", "Isabelle Booden", "medewerker", "organisatie/roc-mondriaan", OKP_2021),
    ("karin-weisfelt", "Karin Weisfelt", "medewerker", "organisatie/haagse-hogeschool", OKP_2021),
    ("marjet-zorge", "Marjet Zorge", "medewerker", "organisatie/mborijnland", OKP_2021),
    ("yvette-van-der-linden", "Yvette van der Linden", "medewerker", "organisatie/lumc", OKP_2021),
    ("jeanet-van-noord", "Jeanet van Noord", "medewerker", "organisatie/lumc", OKP_2021),
    ("mariska-schoonderwoerd", "Mariska Schoonderwoerd", "medewerker", "organisatie/lumc", OKP_2021),
    ("henk-kamphuis", "Henk Kamphuis", "lid", "organisatie/patienten-en-naastenraad-propallia", OKP_2021),
    ("odile-ebbing", "Odile Ebbing", "lid", "organisatie/okp-propallia", OKP_2021),
    ("m-dericks", "Marijke Dericks-Issing", "programmamanager", "programma/o2pz", "https://www.o2pz.nl/nieuws/nieuwsartikelen/1372190.aspx"),
    ("i-van-zuilekom", "Ingrid van Zuilekom", "projectleider", "project/o2pz-kernproject-a", "https://www.o2pz.nl/nieuws/nieuwsartikelen/1372262.aspx"),
    ("g-castermans", "Gerard Castermans", "projectleider", "project/competentiebeschrijving-vvn-pz",
     "https://palvoorprofs.nl/nieuws/nieuws-uit-het-project-competentiebeschrijving-vvn-pz"),
    ("wies-wagenaar", "Wies Wagenaar", "projectleider", "project/o2pz-klaar-voor-de-toekomst", KLAAR),
    ("j-van-staveren", "Jojanneke van Staveren", "projectleider", "project/o2pz-klaar-voor-de-toekomst", KLAAR),
    ("nienke-bijman", "Nienke Bijman", "adviseur", "programma/nppz-ii", "https://palliaweb.nl/publicaties/nienke-bijman-de-belangstelling-voor-de-integratie"),
    ("patricia-appeldoorn", "Patricia Appeldoorn", "adviseur", "organisatie/pznl", "https://palliaweb.nl/consortium-propallia/over-propallia/werkwijze"),
    ("rob-van-dam", "Rob van Dam", "bestuurder", "organisatie/pznl", "https://palliaweb.nl/nieuws/2024/motie-onderwijs-palliatieve-zorg-in-de-zorgopleidi"),
    ("meggi-schuiling-otten", "Meggi Schuiling-Otten", "bestuurder", "organisatie/kenniscentrum-kinderpalliatieve-zorg",
     "https://kinderpalliatief.nl/jaarverslag/"),
]


@pytest.mark.parametrize("slug,name,role,where,source", PUBLIC_ROLES, ids=[f"{r[0]}:{r[2]}" for r in PUBLIC_ROLES])
def test_people_in_public_roles_are_modelled_with_their_source(seed, slug, name, role, where, source):
    person = URIRef(ID + "persoon/" + slug)
    assert seed.value(person, ns.FOAF.name) == Literal(name)
    target = URIRef(ID + where)
    hits = [
        m for m in memberships_of(seed, person)
        if seed.value(m, ORG.role) == URIRef(ID + "rol/" + role)
        and target in set(seed.objects(m, ORG.organization)) | set(seed.objects(m, KP.project))
    ]
    assert len(hits) == 1, (slug, role, where)
    assert URIRef(source) in set(seed.objects(hits[0], ns.DCTERMS.source))


def test_uncertain_person_facts_are_notes(seed):
    """The facts' '(?)' about people stay notes: no employer for the programme manager, no start year
    for the ambassador, no end year for the former secretary."""
    dericks = URIRef(ID + "lidmaatschap/m-dericks-programmamanager-o2pz")
    assert seed.value(dericks, ORG.organization) is None
    assert "Amsterdam UMC" in str(seed.value(dericks, ns.SKOS.editorialNote))
    tam = URIRef(ID + "lidmaatschap/marcella-tam-ambassadeur-okp-propallia")
    assert seed.value(tam, KP.startDate) is None and seed.value(tam, ns.SKOS.editorialNote) is not None
    secretaris = URIRef(ID + "lidmaatschap/marcella-tam-secretaris-propallia")
    assert seed.value(secretaris, KP.endDate) is None and seed.value(secretaris, ns.SKOS.editorialNote) is not None
    # the one start date a source gives
    timmerhuis = URIRef(ID + "lidmaatschap/veronique-timmerhuis-directeur-zonmw")
    assert seed.value(timmerhuis, KP.startDate) == Literal("2020-01-01", datatype=ns.XSD.date)


def test_facts_that_lived_in_descriptions_are_links(seed):
    org = rdflib.Namespace(ID + "organisatie/")
    zwn = org["consortium-zuidwest-nederland"]
    for partner in ("hogeschool-rotterdam", "zorgacademie-erasmus-mc", "leerhuizen-palliatieve-zorg"):
        assert (org[partner], KP.memberOf, zwn) in seed, partner
    for school in ("hogeschool-viaa", "saxion"):
        assert {org["ligare"], org["okp-ligare"]} <= set(seed.objects(org[school], KP.memberOf)), school
    assert (org["patienten-en-naastenraad-propallia"], KP.memberOf, org["propallia"]) in seed
    assert (org["netwerk-dwo"], KP.consortium, org["propallia"]) in seed
    palzo = URIRef(ID + "project/in-gesprek-over-leven-en-dood")
    assert org["consortium-zuidoost-nederland"] in set(seed.objects(palzo, KP.partnerOrganisation))
    assert seed.value(palzo, ns.SKOS.editorialNote) is None  # 'Palzo (?)' is settled
    assert (URIRef(ID + "programma/o2pz"), KP.involvedOrganisation, org["kwaliteitswerkgroep-o2pz"]) in seed
    assert (URIRef(ID + "materiaal/usd"), KP.provider, org["umc-utrecht"]) in seed
    regio = rdflib.Namespace(ID + "regio/")
    for province in ("groningen", "friesland", "drenthe", "overijssel"):
        assert (regio[province], KP.withinRegion, regio["noordoost-nederland"]) in seed


def test_no_owr_competency_items_without_the_framework(seed):
    """No public source lists the OWR 2.0 items: none may appear until the framework is imported."""
    assert not list(seed.subjects(ns.RDF.type, KP.Competency))


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


def _rdflib_term(term):
    """A pyoxigraph term as rdflib sees it (the store's answer compared with rdflib's own parse)."""
    from pyoxigraph import BlankNode as OxBlank
    from pyoxigraph import Literal as OxLiteral

    if isinstance(term, OxLiteral):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(ns.XSD.string):  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, OxBlank):
        return BNode(term.value)
    return URIRef(term.value)


def test_every_fact_round_trips_through_the_store():
    """Not just the counts: every triple rdflib reads from a data file comes back out of the store's
    graph for that file, term for term (blank nodes aside), so no new fact is lost or altered."""
    from knooppunt.graph.settings import Settings
    from knooppunt.graph.store import open_store

    store = open_store(Settings(store="memory", base_iri=BASE.rstrip("/")))
    for path in DATA_FILES:
        expected = {t for t in rdflib.Graph().parse(path, format="turtle", publicID=BASE) if not any(isinstance(x, BNode) for x in t)}
        stored = {
            (_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object))
            for q in store.quads(graph=store.graph(path.stem))
        }
        stored = {t for t in stored if not any(isinstance(x, BNode) for x in t)}
        assert stored == expected, (path.name, sorted(expected - stored)[:3], sorted(stored - expected)[:3])
