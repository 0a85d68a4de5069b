"""A form's change of an existing resource, field by field (the editor's edit form).

A form states fields, not graphs: each field it shows is the whole truth *about that field* of
the resource, and says nothing about anything else. So for every field whose values changed:

- the old values that are no longer wanted are removed where they stand, in whichever public graph;
- new values are written where the field's old values stood (the first such graph), or, for a
  field the resource did not have, in the graph that gives the resource its type (its "home");
- a new name replaces the old one, which stays as ``skos:altLabel`` (``writes.renames``): the same
  rule as a CSV row.

Values that did not change are left exactly where they are. The delta then goes through
``ingest.commit`` like every write: permissions (an editor cannot change the ontology's concepts),
validation in context, provenance (``form-edit``).
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Triple

from .. import vocab
from ..namespaces import FOAF, KP, RDF
from ..writes import ingest, renames
from ..writes.delta import Delta
from . import forms


def home_graph(store, iri: NamedNode) -> NamedNode | None:
    """The public graph that gives ``iri`` its type (the first, by name), where new fields go."""
    public = set(store.public_graphs())
    graphs = sorted({q.graph_name.value for q in store.quads(iri, NamedNode(RDF + "type"), None, None)
                     if q.graph_name in public})
    return NamedNode(graphs[0]) if graphs else None


def edit_delta(store, kind: forms.Kind, iri: NamedNode, clean: dict[str, Any]) -> Delta:
    """The delta that gives ``iri`` the field values ``clean`` (from ``forms.check(editing=True)``)."""
    home = home_graph(store, iri)
    if home is None:
        raise ingest.WriteError(f"no resource <{iri.value}> in the public graph", status=404)
    public = set(store.public_graphs())
    quads = [q for q in store.quads(iri, None, None, None) if q.graph_name in public]
    names: list[Triple] = []
    parts: list[Delta] = []
    for f in kind.fields:
        if f.create_only or f.predicate is None:
            continue
        wanted = forms.terms(f, clean.get(f.name))
        if f.widget == "class" and not wanted and not any(
                q.predicate.value == f.predicate and q.object.value == kind.cls for q in quads):
            wanted = [NamedNode(kind.cls)]  # no subclass chosen: the kind's own class
        old = [q for q in quads if q.predicate.value == f.predicate and forms.slot_matches(f, q.object)]
        if f.widget == "class":  # only our own subclasses, never the kind's class or other types
            old = [q for q in old if q.object.value.startswith(KP) and q.object.value != kind.cls]
        if f.predicate == renames.LABEL.value and wanted:
            names += [Triple(iri, renames.LABEL, t) for t in wanted]
            if kind.name == "persoon" and f.lang == "nl":
                names += [Triple(iri, NamedNode(FOAF + "name"), Literal(t.value)) for t in wanted]
            if old:
                continue  # a rename: ``renames`` below
        have = {q.object for q in old}
        target = old[0].graph_name if old else home
        parts.append(Delta(
            removed=[q for q in old if q.object not in wanted],
            added=[Quad(iri, NamedNode(f.predicate), t, target) for t in wanted if t not in have],
        ))
    parts.append(renames.renames(store, names))
    return renames.combine(store, *parts)


def edit(store, kind: forms.Kind, iri: NamedNode, clean: dict[str, Any], *, agent: str, scope: str,
         checker=None) -> ingest.WriteResult:
    """Write a form's change of ``iri`` (validated, atomic, recorded as ``form-edit``)."""
    return ingest.commit(
        store, lambda: edit_delta(store, kind, iri, clean), agent=agent, scope=scope, operation="form-edit",
        graph=home_graph(store, iri), source=vocab.local_name(iri.value), duplicates=checker,
    )
