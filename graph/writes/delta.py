"""Changes as exact deltas: the quads a write removes and the quads it adds.

Every write path (file import, CSV/XLSX, Graph Store Protocol, SPARQL Update) ends as one
``Delta`` that is validated and committed with ``Store.apply_delta`` in one transaction. Deltas are
*minimal*: ``removed`` holds only quads the store has, ``added`` only quads it lacks, so the counts in
the provenance record are true and an undo is exact.

Blank nodes. A blank node cannot be named again in a later request, so a delta that removes one
could not be written down. Incoming blank nodes are therefore skolemised to IRIs under
``{base}/.well-known/genid/`` (RDF 1.1 Concepts, section 3.5); the Graph Store Protocol maps them back
to blank nodes when it serves a graph, so a client gets back what it sent, up to isomorphism.

Privacy. What may be public about a person is an allow-list (:data:`PERSON_PUBLIC`); contact
details (:data:`CONTACT_PREDICATES`, ``mailto:``/``tel:`` IRIs) are private about anyone.
``route_private`` moves everything else into the ``private`` graph, with a record of which graph
stated it, so only a re-import (or drop) of that graph, or an admin, can ever remove it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from ..namespaces import DCT, FOAF, KP, ORG, OWL, RDF, RDFS, SCHEMA, SKOS

RDF_TYPE_NODE = NamedNode(RDF + "type")
PRIVATE = "private"
PROTECTED = ("system", "provenance", "proposals")
"""Graphs only the service writes: never the target of an import, update or Graph Store request."""


@dataclass
class Delta:
    removed: list[Quad] = field(default_factory=list)
    added: list[Quad] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    def graphs(self) -> set[NamedNode | DefaultGraph]:
        return {q.graph_name for q in self.removed} | {q.graph_name for q in self.added}

    def extend(self, other: Delta) -> None:
        self.removed.extend(other.removed)
        self.added.extend(other.added)


# --- blank nodes ----------------------------------------------------------------------------------
def genid_prefix(base: str) -> str:
    return f"{base.rstrip('/')}/.well-known/genid/"


def skolemise(quads: Iterable[Quad], base: str, keep: frozenset | set = frozenset()) -> list[Quad]:
    """Replace each blank node by a fresh IRI under ``{base}/.well-known/genid/``.

    The same blank node within one request gets the same IRI; labels are new per request, because
    blank node labels carry no identity across documents. Blank nodes in ``keep`` (ones the store
    already holds) stay as they are.
    """
    prefix = genid_prefix(base)
    names: dict[str, NamedNode] = {}

    def sk(term):
        if isinstance(term, BlankNode) and term not in keep:
            if term.value not in names:
                names[term.value] = NamedNode(prefix + uuid.uuid4().hex)
            return names[term.value]
        return term

    out = []
    for q in quads:
        if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode) or isinstance(q.graph_name, BlankNode):
            q = Quad(sk(q.subject), q.predicate, sk(q.object), sk(q.graph_name))
        out.append(q)
    return out


def deskolemise(triples: Iterable[Triple | Quad], base: str) -> list[Triple]:
    """Triples with our skolem IRIs turned back into blank nodes (for serving a graph)."""
    prefix = genid_prefix(base)

    def dk(term):
        if isinstance(term, NamedNode) and term.value.startswith(prefix):
            return BlankNode(term.value[len(prefix):])
        return term

    return [Triple(dk(t.subject), t.predicate, dk(t.object)) for t in triples]


# --- graph-level deltas ---------------------------------------------------------------------------
def in_graph(triples: Iterable[Triple | Quad], graph: NamedNode | DefaultGraph) -> list[Quad]:
    """Put triples (or quads, whose graph is ignored) into ``graph``, dropping duplicates."""
    seen: dict[Quad, None] = {}
    for t in triples:
        seen[Quad(t.subject, t.predicate, t.object, graph)] = None
    return list(seen)


def replace_graph(store, graph: NamedNode | DefaultGraph, new: list[Quad]) -> Delta:
    """The delta that makes ``graph`` hold exactly ``new`` (Graph Store PUT, re-import)."""
    old = set(store.quads(graph=graph))
    wanted = set(new)
    return Delta(removed=[q for q in old if q not in wanted], added=[q for q in new if q not in old])


def add_to_graph(store, new: list[Quad]) -> Delta:
    """The delta that adds ``new`` (Graph Store POST): only the quads the store lacks."""
    return Delta(added=[q for q in dict.fromkeys(new) if not _has(store, q)])


def drop_graph(store, graph: NamedNode | DefaultGraph) -> Delta:
    return Delta(removed=list(store.quads(graph=graph)))


# --- privacy --------------------------------------------------------------------------------------
def _iris(*names: str) -> frozenset[NamedNode]:
    return frozenset(NamedNode(n) for n in names)


_SCHEMA_HTTP = "http://schema.org/"
_VCARD = "http://www.w3.org/2006/vcard/ns#"
PERSON_CLASSES = _iris(KP + "Person", FOAF + "Person", SCHEMA + "Person", _SCHEMA_HTTP + "Person",
                       _VCARD + "Individual", _VCARD + "VCard")
"""Classes whose instances are people, or a person's card (a vCard): their statements are held to
:data:`PERSON_PUBLIC`."""
PERSON_PUBLIC = _iris(
    RDF + "type",
    # names and labels
    RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", FOAF + "name",
    FOAF + "givenName", FOAF + "familyName", SCHEMA + "name", SCHEMA + "givenName", SCHEMA + "familyName",
    # what the sources say about the person's public role, and the sources themselves
    DCT + "description", RDFS + "comment", SKOS + "editorialNote", SKOS + "note", DCT + "source",
    RDFS + "seeAlso", KP + "expertise", KP + "memberOf", ORG + "memberOf", ORG + "hasMembership",
    ORG + "headOf", SCHEMA + "affiliation", SCHEMA + "memberOf", SCHEMA + "jobTitle",
    # public identities: ORCID (owl:sameAs / schema:sameAs <https://orcid.org/...>), a homepage
    OWL + "sameAs", SCHEMA + "sameAs", FOAF + "homepage", SCHEMA + "url",
    # a business card holds the same: name, title, role, organisation, web address
    FOAF + "businessCard", _VCARD + "fn", _VCARD + "given-name", _VCARD + "family-name",
    _VCARD + "honorific-prefix", _VCARD + "honorific-suffix", _VCARD + "title", _VCARD + "role",
    _VCARD + "organization-name", _VCARD + "hasURL", _VCARD + "url",
)
"""What may be public about a person (a ``kp:Person``, ``foaf:Person``, ``schema:Person``): an
allow-list. Every other statement about a person goes to the ``private`` graph, whatever its
predicate (``foaf:mbox``, ``vcard:hasEmail``, a birth date, a home address, a typo)."""
CONTACT_PREDICATES = _iris(
    SCHEMA + "email", SCHEMA + "telephone", SCHEMA + "faxNumber", SCHEMA + "address",
    _SCHEMA_HTTP + "email", _SCHEMA_HTTP + "telephone", _SCHEMA_HTTP + "faxNumber", _SCHEMA_HTTP + "address",
    FOAF + "mbox", FOAF + "mbox_sha1sum", FOAF + "phone",
    _VCARD + "hasEmail", _VCARD + "email", _VCARD + "hasTelephone", _VCARD + "tel", _VCARD + "hasAddress",
)
"""Contact details: private whatever they describe (a person or not)."""
CONTACT_SCHEMES = ("mailto:", "tel:", "sms:")
OWNERSHIP = NamedNode(KP + "writtenBy")
_BUSINESS_CARD = NamedNode(FOAF + "businessCard")
_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = (NamedNode(RDF + n) for n in ("subject", "predicate", "object"))


def is_contact(q: Quad | Triple) -> bool:
    return q.predicate in CONTACT_PREDICATES or (
        isinstance(q.object, NamedNode) and q.object.value.lower().startswith(CONTACT_SCHEMES)
    )


def _persons(store, quads: list[Quad]) -> set:
    """Subjects of ``quads`` that are people (or their cards), by a type in the quads or in the
    store, or as the object of ``foaf:businessCard``."""
    typed = {q.subject for q in quads if q.predicate == RDF_TYPE_NODE and q.object in PERSON_CLASSES}
    typed |= {q.object for q in quads if q.predicate == _BUSINESS_CARD}
    for subject in {q.subject for q in quads} - typed:
        if any(q.object in PERSON_CLASSES for q in store.quads(subject, RDF_TYPE_NODE, None, None)):
            typed.add(subject)
    return typed


def _private_quads(store, added: list[Quad]) -> set[Quad]:
    """The quads of ``added`` that must not be public: contact details, anything about a person
    outside :data:`PERSON_PUBLIC`, and the statements of skolemised nodes hanging off those
    (``vcard:hasEmail [ vcard:value <mailto:...> ]``)."""
    people = _persons(store, added)
    private = {q for q in added if is_contact(q) or (q.subject in people and q.predicate not in PERSON_PUBLIC)}
    genid = genid_prefix(store.settings.base)
    frontier = {q.object for q in private if isinstance(q.object, NamedNode) and q.object.value.startswith(genid)}
    seen: set = set()
    while frontier:
        node = frontier.pop()
        seen.add(node)
        for q in added:
            if q.subject == node and q not in private:
                private.add(q)
                if isinstance(q.object, NamedNode) and q.object.value.startswith(genid) and q.object not in seen:
                    frontier.add(q.object)
    return private


def _record(base: str, fact: Triple, owner: NamedNode) -> NamedNode:
    """The node that says "``owner`` wrote ``fact``" (one per fact and owner, so it is stable)."""
    key = f"{fact.subject} {fact.predicate} {fact.object} {owner}".encode()
    return NamedNode(f"{base.rstrip('/')}/.well-known/private/{hashlib.sha256(key).hexdigest()[:32]}")


def _ownership(store, fact: Triple, owner: NamedNode, private: NamedNode) -> list[Quad]:
    node = _record(store.settings.base, fact, owner)
    return [Quad(node, _RDF_SUBJECT, fact.subject, private), Quad(node, _RDF_PREDICATE, fact.predicate, private),
            Quad(node, _RDF_OBJECT, fact.object, private), Quad(node, OWNERSHIP, owner, private)]


def owned_by(store, owner: NamedNode) -> dict[Triple, list[Quad]]:
    """The private facts ``owner`` (a graph) wrote, each with the quads of its ownership record."""
    private = store.graph(PRIVATE)
    out: dict[Triple, list[Quad]] = {}
    for mark in store.quads(None, OWNERSHIP, owner, private):
        node = mark.subject
        parts = {q.predicate: q.object for q in store.quads(node, None, None, private)}
        if {_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT} <= parts.keys():
            fact = Triple(parts[_RDF_SUBJECT], parts[_RDF_PREDICATE], parts[_RDF_OBJECT])
            out[fact] = list(store.quads(node, None, None, private))
    return out


def release(store, owner: NamedNode, keep: set[Triple] = frozenset()) -> list[Quad]:
    """The quads to remove when ``owner`` no longer states its private facts (beyond ``keep``):
    its ownership records, and each fact no other graph stated as well."""
    private = store.graph(PRIVATE)
    removed: list[Quad] = []
    for fact, record in owned_by(store, owner).items():
        if fact in keep:
            continue
        removed += record
        others = [m for m in store.quads(None, _RDF_SUBJECT, fact.subject, private)
                  if m.subject != record[0].subject and _describes(store, m.subject, fact, private)]
        if not others:
            removed.append(Quad(fact.subject, fact.predicate, fact.object, private))
    return removed


def _describes(store, node, fact: Triple, private) -> bool:
    parts = {q.predicate: q.object for q in store.quads(node, None, None, private)}
    return parts.get(_RDF_PREDICATE) == fact.predicate and parts.get(_RDF_OBJECT) == fact.object


def route_private(store, delta: Delta, *, owner: NamedNode | None = None, replaces: bool = False) -> Delta:
    """Move what must not be public (see :func:`_private_quads`) from any graph into ``private``,
    each fact with a record of the graph that stated it (``kp:writtenBy``).

    ``owner``: the graph this write is about (an import, a Graph Store request); without it the
    graph of each quad is its owner (SPARQL Update). ``replaces``: the write replaces ``owner``
    (a re-import, a PUT, a drop): the private facts ``owner`` stated before and states no more are
    released (:func:`release`). Nothing else ever removes a private fact: a write that merely
    mentions a person, or removes public statements about one, leaves its contact details alone.
    A write straight to ``private`` (an admin's Graph Store request) is kept as it is.
    """
    private = store.graph(PRIVATE)
    moving = _private_quads(store, [q for q in delta.added if q.graph_name != private])
    added: dict[Quad, None] = {}
    facts: dict[NamedNode, set[Triple]] = {}
    for q in delta.added:
        if q in moving:
            who = owner if owner is not None else q.graph_name
            fact = Triple(q.subject, q.predicate, q.object)
            facts.setdefault(who, set()).add(fact)
            added[Quad(q.subject, q.predicate, q.object, private)] = None
            for record in _ownership(store, fact, who, private):
                added[record] = None
        else:
            added[q] = None
    removed = list(dict.fromkeys(delta.removed))
    if replaces and owner is not None:
        removed = list(dict.fromkeys(removed + release(store, owner, keep=facts.get(owner, set()))))
    # What the store already holds is not added again (the counts stay true).
    return Delta(removed=removed, added=[q for q in added if q.graph_name != private or not _has(store, q)])


def _has(store, q: Quad) -> bool:
    return next(iter(store.quads(q.subject, q.predicate, q.object, q.graph_name)), None) is not None


def literal_text(term) -> str:
    return term.value if isinstance(term, Literal | NamedNode) else str(term)
