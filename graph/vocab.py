"""Small shared pieces of the vocabulary contract (docs/vocabulary.md) used by the projection,
the search index and the API functions: which IRIs are entities, which predicates carry labels,
how text is folded for matching, how a label is chosen, and the class hierarchy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from .namespaces import DCT, FOAF, KP, ORG, OWL, RDF, RDFS, SCHEMA, SKOS, XSD
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

# Labels for the standard (non-kp) predicates we meet; kp: labels come from the ontology.
BUILTIN_LABELS: dict[str, tuple[str, str]] = {
    # Standard predicates the ontology does not label itself (nl, en); kp: labels come from it.
    ORG + "member": ("lid", "member"),
    ORG + "organization": ("organisatie", "organisation"),
    ORG + "role": ("rol", "role"),
    SKOS + "broader": ("valt onder", "part of"),
    SKOS + "narrower": ("omvat", "includes"),
    SKOS + "related": ("verwant aan", "related to"),
    SKOS + "inScheme": ("hoort bij", "in scheme"),
    SKOS + "topConceptOf": ("hoofdbegrip van", "top concept of"),
    SKOS + "hasTopConcept": ("hoofdbegrippen", "top concepts"),
    SKOS + "altLabel": ("ook bekend als", "also known as"),
    SKOS + "notation": ("code", "code"),
    SKOS + "editorialNote": ("redactionele noot", "editorial note"),
    SKOS + "definition": ("definitie", "definition"),
    SKOS + "scopeNote": ("toelichting", "scope note"),
    DCT + "creator": ("auteur", "author"),
    DCT + "isPartOf": ("deel van", "part of"),
    DCT + "hasPart": ("omvat", "has part"),
    DCT + "subject": ("onderwerp", "subject"),
    DCT + "relation": ("relatie", "relation"),
    DCT + "conformsTo": ("volgt", "conforms to"),
    DCT + "created": ("gemaakt", "created"),
    DCT + "modified": ("gewijzigd", "modified"),
    FOAF + "name": ("naam", "name"),
    RDFS + "seeAlso": ("zie ook", "see also"),
    OWL + "sameAs": ("zelfde als", "same as"),
    SCHEMA + "url": ("website", "website"),
    SCHEMA + "startDate": ("begin", "start"),
    SCHEMA + "endDate": ("einde", "end"),
    # Folded n-ary nodes of the projection.
    MEMBERSHIP: ("lidmaatschap", "membership"),
    COVERAGE: ("dekt", "covers"),
}


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
        if iri in BUILTIN_LABELS:
            nl, en = BUILTIN_LABELS[iri]
            labels.setdefault("nl", nl)
            labels.setdefault("en", en)
        out[iri] = labels
    return out
