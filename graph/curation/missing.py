"""What is missing: the curation views an editor works through.

- ``warnings``: resources with SHACL Warnings (what the shapes say a curator should add: an English
  name, a source, a level ...), from pyshacl over the whole public graph without ``focus_nodes`` —
  the same oracle every write is validated against. It costs what a whole-store validation costs
  (~1.5 s for the 6k-triple seed graph on a loaded 2-core machine, ~47 s at 1M triples), so it is
  computed once per store state and kept until the next write;
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
    """The curation views of one store; ``warnings`` is cached per store state (see above)."""

    def __init__(self, store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._warnings: tuple[int, list[Row]] | None = None

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

    def warnings(self, lang: str = "nl") -> list[Row]:
        with self._lock:  # one whole-store validation at a time; the others wait for its answer
            generation = self.store.generation
            if self._warnings is None or self._warnings[0] != generation:
                report = validation.validate(validation.to_rdflib_graph(incremental.public_quads(self.store)))
                by: dict[str, list] = {}
                for r in report.results:
                    by.setdefault(r.focus_node, []).append(r)
                self._warnings = (generation, [
                    Row(iri, "", "", [f"{r.message_nl}\u0000{r.message_en}" for r in results
                                      if r.severity != "Violation"])
                    for iri, results in by.items()
                ])
            cached = self._warnings[1]
        out = []
        for row in cached:
            if not row.issues:
                continue
            issues = [m.split("\u0000")[1 if lang == "en" else 0] for m in row.issues]
            out.append(Row(row.iri, self._label(row.iri, lang), self._kind(row.iri, lang), issues))
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
