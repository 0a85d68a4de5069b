"""Explicit renames for the routes that state one field: a CSV row and a web form.

A CSV row or a form gives a resource *its* name in a language. If the resource already has another
name in that language, that is a rename, not a second name: the old ``rdfs:label`` is removed where
it stands (in whichever public graph) and kept there as ``skos:altLabel``, and the new one is written
in its place. ``foaf:name`` (a person's name, no language) is replaced the same way, without an
alternative name of its own (the label's covers it). A name that was an alternative name before
stops being one (swapping a name and its abbreviation works).

The routes that state a whole graph (an RDF import, a Graph Store PUT/POST, SPARQL Update) are taken
as they are: they add or remove exactly what they say. There the same rule, one name per language,
is kept by the shapes: a second ``rdfs:label`` in one language is a Violation (``*-label-unique``),
so such a write is refused with the old name in the report, and the client says which one goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad, Triple

from .. import vocab
from ..namespaces import FOAF, RDFS, SKOS
from .delta import Delta, _has

LABEL = NamedNode(RDFS + "label")
ALT = NamedNode(SKOS + "altLabel")
NAME = NamedNode(FOAF + "name")
NAME_PREDICATES = {LABEL: True, NAME: False}
"""Single-valued names (per language) and whether a replaced value is kept as ``skos:altLabel``."""


def renames(store, stated: Iterable[Triple | Quad]) -> Delta:
    """The delta that makes each name ``stated`` gives a subject its only name in that language.

    ``stated``: the triples a CSV or form states (only the name triples matter). Old names in the
    public graphs are removed where they stand; the new name is written there too, and an old
    ``rdfs:label`` is kept there as ``skos:altLabel``.
    """
    wanted: dict[tuple, set[Literal]] = {}
    for t in stated:
        if t.predicate in NAME_PREDICATES and isinstance(t.object, Literal):
            wanted.setdefault((t.subject, t.predicate, t.object.language or ""), set()).add(t.object)
    public = set(store.public_graphs())
    delta = Delta()
    for (subject, predicate, lang), new in wanted.items():
        for q in store.quads(subject, predicate, None, None):
            o = q.object
            if q.graph_name not in public or not isinstance(o, Literal) or (o.language or "") != lang or o in new:
                continue
            delta.removed.append(q)
            delta.added += [Quad(subject, predicate, v, q.graph_name) for v in new]
            if NAME_PREDICATES[predicate] and vocab.fold(o.value) not in {vocab.fold(v.value) for v in new}:
                delta.added.append(Quad(subject, ALT, Literal(o.value, language=lang or None), q.graph_name))
        if predicate == LABEL:  # a new name is no longer an alternative one
            delta.removed += [q for q in store.quads(subject, ALT, None, None)
                              if q.graph_name in public and q.object in new]
    return combine(store, delta)


def combine(store, *deltas: Delta) -> Delta:
    """One minimal delta from several: removals the store has, additions it lacks, and what one part
    removes and another adds again cancelled out."""
    removed = list(dict.fromkeys(q for d in deltas for q in d.removed))
    added = list(dict.fromkeys(q for d in deltas for q in d.added))
    both = set(removed) & set(added)
    return Delta(
        removed=[q for q in removed if q not in both and _has(store, q)],
        added=[q for q in added if q not in both and not _has(store, q)],
    )
