"""Changes as exact deltas: the quads a write removes and the quads it adds.

Every write path (file import, CSV/XLSX, Graph Store Protocol, SPARQL Update) ends as one
``Delta`` that is validated and committed with ``Store.apply_delta`` in one transaction. Deltas are
*minimal*: ``removed`` holds only quads the store has, ``added`` only quads it lacks, so the counts in
the provenance record are true and an undo is exact.

Blank nodes. A blank node cannot be named again in a later request, so a delta that removes one
could not be written down. Incoming blank nodes are therefore skolemised to IRIs under
``{base}/.well-known/genid/`` (RDF 1.1 Concepts, section 3.5); the Graph Store Protocol maps them back
to blank nodes when it serves a graph, so a client gets back what it sent, up to isomorphism.

Privacy. Contact details (``schema:email``, ``schema:telephone``) may only live in the ``private``
graph: ``route_private`` moves any such quad aimed at another graph into ``private``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from ..namespaces import SCHEMA

CONTACT_PREDICATES = frozenset({NamedNode(SCHEMA + "email"), NamedNode(SCHEMA + "telephone")})
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
def is_contact(q: Quad | Triple) -> bool:
    return q.predicate in CONTACT_PREDICATES


def route_private(store, delta: Delta, *, replace_for: set | None = None) -> Delta:
    """Move contact details aimed at any graph but ``private`` into ``private``.

    ``replace_for``: subjects whose contact details the write replaces (a re-import of a file);
    their existing contact quads in ``private`` that the new data no longer carries are removed.
    """
    private = store.graph(PRIVATE)
    added: dict[Quad, None] = {}
    for q in delta.added:
        if is_contact(q) and q.graph_name != private:
            q = Quad(q.subject, q.predicate, q.object, private)
        added[q] = None
    removed = list(dict.fromkeys(delta.removed))
    if replace_for:
        keep = {q for q in added if q.graph_name == private}
        for subject in replace_for:
            for p in CONTACT_PREDICATES:
                for q in store.quads(subject, p, None, private):
                    if q not in keep:
                        removed.append(q)
        removed = list(dict.fromkeys(removed))
    # What the store already holds is not added again (the counts stay true).
    new_private = [q for q in added if q.graph_name == private]
    present = {q for q in new_private if _has(store, q)}
    return Delta(removed=removed, added=[q for q in added if q not in present])


def _has(store, q: Quad) -> bool:
    return next(iter(store.quads(q.subject, q.predicate, q.object, q.graph_name)), None) is not None


def literal_text(term) -> str:
    return term.value if isinstance(term, Literal | NamedNode) else str(term)
