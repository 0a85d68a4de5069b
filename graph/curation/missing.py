"""What is missing: the curation views an editor works through.

- ``warnings``: resources with SHACL Warnings (what the shapes say a curator should add: an English
  name, a source, a level ...), exactly as pyshacl gives them over the whole public graph without
  ``focus_nodes`` — the same oracle every write is validated against. Built once (what a whole-store
  validation costs: seconds for the seed graph, ~47 s at 1M triples), then kept in step with each
  write at the cost of validating what that write touched (see ``Missing``);
- ``needs_without_material``: knowledge needs (``kp:Need``) that no material meets (``kp:metBy``);
- ``hubs_without_ambassadors``: Onderwijsknooppunten with no ``kp:Membership`` in the role
  *ambassadeur*;
- ``projects_without_lead``: projects with neither a lead organisation (``kp:leadOrganisation``)
  nor a person in the role *projectleider*.

Every row is a ``Row`` with the resource's IRI, label and kind, and what is missing; the service
sorts and links them to the edit form.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from .. import vocab
from ..namespaces import KP
from ..writes import incremental, validation
from ..writes.delta import Delta

VIEWS = ("warnings", "needs", "hubs", "projects")


@dataclass
class Row:
    iri: str
    label: str
    kind: str
    issues: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "kind": self.kind, "issues": self.issues}


NEEDS = """
SELECT ?x ?l WHERE {
  ?x a kp:Need .
  OPTIONAL { ?x rdfs:label ?l FILTER(LANG(?l) = "nl") }
  FILTER NOT EXISTS { ?x kp:metBy ?m . ?m a/rdfs:subClassOf* kp:Material }
}"""

HUBS = """
SELECT ?x ?l WHERE {
  ?x a kp:EducationHub .
  OPTIONAL { ?x rdfs:label ?l FILTER(LANG(?l) = "nl") }
  FILTER NOT EXISTS { ?m a kp:Membership ; org:organization ?x ; org:role ?r . FILTER(STRENDS(STR(?r), "/rol/ambassadeur")) }
}"""

PROJECTS = """
SELECT ?x ?l WHERE {
  ?x a kp:Project .
  OPTIONAL { ?x rdfs:label ?l FILTER(LANG(?l) = "nl") }
  FILTER NOT EXISTS { ?x kp:leadOrganisation ?o }
  FILTER NOT EXISTS { ?m a kp:Membership ; kp:project ?x ; org:role ?r . FILTER(STRENDS(STR(?r), "/rol/projectleider")) }
}"""

ISSUES = {
    "needs": ("Geen materiaal dat in deze behoefte voorziet (kp:metBy).", "No material meets this need (kp:metBy)."),
    "hubs": ("Geen ambassadeur bekend (lidmaatschap met de rol ambassadeur).",
             "No ambassador known (a membership in the role ambassador)."),
    "projects": ("Geen penvoerder (kp:leadOrganisation) en geen projectleider.",
                 "No lead organisation (kp:leadOrganisation) and no project leader."),
}


class Missing:
    """The curation views of one store.

    The Warnings are kept per focus node and follow the store: built once by pyshacl over the
    whole public store, then each change (``store.on_change``) is remembered and, when the view is
    next read, the nodes the changes can affect are validated again in context
    (``incremental.validate_delta`` on the store as it is, with the changed quads as the delta:
    exactly the results the whole store gives for those nodes, ``report.checked``). A change whose
    quads are not known (a bulk load, a raw update) or very many pending quads mean a full build.
    """

    MAX_PENDING = 200_000

    def __init__(self, store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._results: dict[str, list] = {}
        self._rows: dict[tuple[str, str], Row] = {}
        """Rows made for a node and language, until its results change (labels cost store reads)."""
        self._dirty = True
        self._pending: dict = {}
        self.builds = 0
        store.on_change(self._on_change)

    def _on_change(self, removed, added) -> None:
        removed, added = list(removed), list(added)
        with self._pending_lock:
            if not removed and not added:
                self._dirty = True
            if self._dirty:
                self._pending.clear()
                return
            for q in (*removed, *added):
                if isinstance(q.graph_name, NamedNode) and self.store.is_public_graph(q.graph_name):
                    self._pending[q] = None
            if len(self._pending) > self.MAX_PENDING:
                self._dirty = True
                self._pending.clear()

    def view(self, name: str, lang: str = "nl") -> list[Row]:
        if name == "warnings":
            return self.warnings(lang)
        query = {"needs": NEEDS, "hubs": HUBS, "projects": PROJECTS}[name]
        issue = ISSUES[name][1 if lang == "en" else 0]
        rows = []
        for r in self.store.select(query):
            iri = r["x"].value
            rows.append(Row(iri, r["l"].value if "l" in r else vocab.local_name(iri), self._kind(iri, lang), [issue]))
        return rows

    def _refresh(self) -> None:
        with self._pending_lock:
            full = self._dirty
            pending = list(self._pending)
            self._dirty = False
            self._pending.clear()
        if full:  # changes made while this runs are pending for the next read
            report = validation.validate(validation.to_rdflib_graph(incremental.public_quads(self.store)))
            self._results = {}
            self._rows = {}
            self._add(report.results)
            self.builds += 1
            return
        if not pending:
            return
        with self.store._write_lock:  # the quads' presence and the validation see one state
            present = [q for q in pending if next(iter(self.store.quads(q.subject, q.predicate, q.object, q.graph_name)), None)]
            kept = set(present)
            gone = [q for q in pending if q not in kept]
            report = incremental.validate_delta(self.store, Delta(removed=gone, added=present))
        if report.checked is None:
            with self._pending_lock:
                self._dirty = True
            return self._refresh()
        for node in report.checked:
            self._results.pop(node, None)
            for lang in ("nl", "en"):
                self._rows.pop((node, lang), None)
        self._add(report.results)

    def _add(self, results) -> None:
        for r in results:
            if r.severity != "Violation":
                self._results.setdefault(r.focus_node, []).append(r)

    def warnings(self, lang: str = "nl") -> list[Row]:
        with self._lock:  # one refresh at a time; the others wait for its answer
            self._refresh()
            out = []
            for iri, results in self._results.items():
                row = self._rows.get((iri, lang))
                if row is None:
                    issues = list(dict.fromkeys(r.message_en if lang == "en" else r.message_nl for r in results))
                    row = self._rows[(iri, lang)] = Row(iri, self._label(iri, lang), self._kind(iri, lang), issues)
                out.append(row)
            return out

    def _label(self, iri: str, lang: str) -> str:
        if not iri.startswith(("http://", "https://")):
            return iri
        labels = {}
        for q in vocab.public_quads(self.store, subject=NamedNode(iri)):
            if q.predicate.value in vocab.LABEL_PREDICATES and hasattr(q.object, "language"):
                labels.setdefault(q.object.language or "", q.object.value)
        return vocab.pick_label(labels, vocab.local_name(iri), lang)

    def _kind(self, iri: str, lang: str) -> str:
        if not iri.startswith(("http://", "https://")):
            return ""
        types = [q.object.value for q in vocab.public_quads(self.store, subject=NamedNode(iri))
                 if q.predicate.value == vocab.TYPE and q.object.value.startswith(KP)]
        if not types:
            return ""
        labels = vocab.term_labels(self.store, [sorted(types)[0]])
        return vocab.pick_label(next(iter(labels.values())), vocab.local_name(types[0]), lang)
