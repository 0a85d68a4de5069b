"""Small shared pieces of the vocabulary contract (docs/vocabulary.md) used by the projection,
the search index and the API functions: which IRIs are entities, which predicates carry labels,
how text is folded for matching, how a label is chosen, and the class hierarchy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from .namespaces import DCT, FOAF, KP, OWL, RDF, RDFS, SCHEMA, SKOS, XSD
from .store import Store

LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", FOAF + "name")
ALT_PREDICATES = (SKOS + "altLabel", SKOS + "notation")
DESCRIPTION_PREDICATES = (DCT + "description", RDFS + "comment")
TYPE = RDF + "type"
XSD_STRING = XSD + "string"
SUBCLASS = RDFS + "subClassOf"

# n-ary resources that the projection folds into one labelled edge (see graph.analysis.network)
MEMBERSHIP = KP + "Membership"
COVERAGE = KP + "Coverage"

# Relations that do not connect two things in the world: typing, scheme membership, identity.
NOT_A_RELATION = frozenset(
    {
        TYPE,
        SKOS + "inScheme",
        SKOS + "topConceptOf",
        SKOS + "hasTopConcept",
        OWL + "sameAs",
        RDFS + "seeAlso",
        RDFS + "isDefinedBy",
        DCT + "source",
        SCHEMA + "url",
        DCT + "conformsTo",
    }
)

INVERSE_LABEL = KP + "inverseLabel"
"""How a relation reads from its object ("organiseerde" for ``kp:organisedBy``): an annotation
the ontology gives every object property, the reused standard ones included."""

# How a folded n-ary edge reads backwards: from the organisation to the person of a membership
# ("heeft als ambassadeur"), from the competency to the curriculum of a coverage record ("volledig
# gedekt door"); ``{}`` is the qualifier's label (the role, the coverage level).
NARY_INVERSE: dict[str, tuple[str, str]] = {
    MEMBERSHIP: ("heeft als {}", "has {}"),
    COVERAGE: ("{} gedekt door", "{} covered by"),
}


def _ontology_annotations() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """``(labels, inverse labels)`` of every term the packaged ontology file names, ``{iri: {lang:
    text}}``. The file is the one place for the labels of our terms and of the standard terms we
    reuse; the store's own copy of the ontology wins where it has one (it may be newer), but a store
    seeded with an older ontology, or a remote store without it, still reads well."""
    from pyoxigraph import RdfFormat, parse

    from .resources import ontology_dir

    labels: dict[str, dict[str, str]] = {}
    inverse: dict[str, dict[str, str]] = {}
    path = ontology_dir() / "knooppunt.ttl"
    with open(path, "rb") as f:
        for t in parse(f, RdfFormat.TURTLE):
            if not isinstance(t.subject, NamedNode) or not isinstance(t.object, Literal):
                continue
            table = labels if t.predicate.value == RDFS + "label" else inverse if t.predicate.value == INVERSE_LABEL else None
            if table is not None:
                table.setdefault(t.subject.value, {}).setdefault(t.object.language or "", t.object.value)
    return labels, inverse


ONTOLOGY_LABELS, INVERSE_LABELS = _ontology_annotations()

BUILTIN_LABELS: dict[str, tuple[str, str]] = {
    iri: (by_lang.get("nl", ""), by_lang.get("en", by_lang.get("nl", "")))
    for iri, by_lang in ONTOLOGY_LABELS.items()
    if not iri.startswith(KP)
}
"""(nl, en) labels of the standard terms, from the ontology's "reused terms", and of the folded
n-ary edges of the projection; kp: labels come from the store (and the file as a fallback)."""
BUILTIN_LABELS[MEMBERSHIP] = ("lidmaatschap", "membership")
BUILTIN_LABELS[COVERAGE] = ("dekt", "covers")


def inverse_label(labels: dict[str, str], inverse: dict[str, str], lang: str = "nl") -> str:
    """The label of a relation read backwards: its inverse label, else "is <label> van" (a noun
    label such as "regio" reads well that way; every kp: property has an inverse label)."""
    found = pick_label(inverse, "", lang)
    if found:
        return found
    label = pick_label(labels, "", lang)
    return ("is {} of" if lang == "en" else "is {} van").format(label) if label else ""


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching: "Proactieve  Zorgplanning" and
    "proactieve zorgplanning" fold alike, as do "patiënt" and "patient", "O²PZ" and "o2pz"."""
    if text.isascii():  # NFKD leaves ASCII as it is: skip the per-character pass
        stripped = text.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NON_WORD.split(stripped)).strip()


_NON_WORD = re.compile(r"[^\w]+|_+")


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold`` character by character, keeping for each folded character its index in ``text``
    (for snippets: find in the folded text, cut from the original)."""
    out: list[str] = []
    offsets: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        piece = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        ).casefold()
        for c in piece:
            if c.isalnum():
                out.append(c)
                offsets.append(i)
                last_space = False
            elif not last_space:
                out.append(" ")
                offsets.append(i)
                last_space = True
    return "".join(out), offsets


def pick_label(labels: dict[str, str], fallback: str = "", lang: str = "nl") -> str:
    """The label in ``lang``, else Dutch, else without language, else English, else any."""
    for key in (lang, "nl", "", "en"):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()), fallback)


def local_name(iri: str) -> str:
    """The readable tail of an IRI (fallback label)."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return tail.replace("-", " ") or iri


class Entities:
    """Which IRIs are things in the world: ``{base}/id/{kind}/{slug}`` per the IRI contract,
    except the concept schemes (``id/schema/...``), which are containers, not things."""

    def __init__(self, base: str) -> None:
        self.prefix = base.rstrip("/") + "/id/"
        self.schemes = self.prefix + "schema/"

    def __contains__(self, iri: str) -> bool:
        return iri.startswith(self.prefix) and not iri.startswith(self.schemes)

    def kind(self, iri: str) -> str:
        """The ``{kind}`` segment of an entity IRI ("" for others)."""
        if not iri.startswith(self.prefix):
            return ""
        return iri[len(self.prefix) :].split("/", 1)[0]


def public_quads(store: Store, subject: NamedNode | None = None, predicate: NamedNode | None = None) -> Iterator[Quad]:
    """Quads of the public named graphs only (never ``private`` or ``system``)."""
    public = set(store.public_graphs())
    if subject is not None or predicate is not None:
        for q in store.quads(subject, predicate, None, None):
            if q.graph_name in public:
                yield q
        return
    for graph in sorted(public, key=str):
        yield from store.quads(None, None, None, graph)


def literal_lang(term: Literal) -> str:
    return term.language or ""


def class_closure(store: Store) -> dict[str, frozenset[str]]:
    """Each class with all its superclasses (itself included), from ``rdfs:subClassOf``."""
    parents: dict[str, set[str]] = {}
    for q in public_quads(store, predicate=NamedNode(SUBCLASS)):
        if isinstance(q.subject, NamedNode) and isinstance(q.object, NamedNode):
            parents.setdefault(q.subject.value, set()).add(q.object.value)
    closure: dict[str, frozenset[str]] = {}

    def up(cls: str, seen: frozenset[str]) -> frozenset[str]:
        if cls in closure:
            return closure[cls]
        result = {cls}
        for parent in parents.get(cls, ()):
            if parent not in seen:
                result |= up(parent, seen | {cls})
        closure[cls] = frozenset(result)
        return closure[cls]

    for cls in list(parents):
        up(cls, frozenset())
    return closure


def term_labels(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{iri: {lang: label}}`` for a few IRIs (predicates, classes): one lookup each."""
    out: dict[str, dict[str, str]] = {}
    for iri in iris:
        labels: dict[str, str] = {}
        for predicate in LABEL_PREDICATES:
            for q in public_quads(store, subject=NamedNode(iri), predicate=NamedNode(predicate)):
                if isinstance(q.object, Literal):
                    labels.setdefault(literal_lang(q.object), q.object.value)
        for lang, text in ONTOLOGY_LABELS.get(iri, {}).items():
            labels.setdefault(lang, text)
        if iri in BUILTIN_LABELS:
            nl, en = BUILTIN_LABELS[iri]
            labels.setdefault("nl", nl)
            labels.setdefault("en", en)
        out[iri] = labels
    return out


def inverse_labels(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{iri: {lang: inverse label}}`` for a few predicates: the store's ``kp:inverseLabel``,
    else the packaged ontology's (empty if neither has one)."""
    out: dict[str, dict[str, str]] = {}
    for iri in iris:
        labels: dict[str, str] = {}
        for q in public_quads(store, subject=NamedNode(iri), predicate=NamedNode(INVERSE_LABEL)):
            if isinstance(q.object, Literal):
                labels.setdefault(literal_lang(q.object), q.object.value)
        for lang, text in INVERSE_LABELS.get(iri, {}).items():
            labels.setdefault(lang, text)
        out[iri] = labels
    return out
