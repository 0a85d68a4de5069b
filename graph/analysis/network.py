"""The networkx projection of the entity graph, built once and kept in step with writes.

What it holds (see ``docs/api.md``, "The projection"):

- **nodes**: the entities, i.e. every IRI under ``{base}/id/`` that occurs in a public graph
  (concept schemes excepted), with a label (nl, else en, else the IRI's tail), the English label
  and the ``rdf:type`` set;
- **edges**: statements between two entities over a *meaningful* relation - never ``rdf:type``,
  ``skos:inScheme`` or anything else in ``vocab.NOT_A_RELATION``, never a literal, never a class;
- **folded n-ary resources**: a ``kp:Membership`` becomes one edge person -> organisation/project
  qualified by its role ("ambassadeur"), a ``kp:Coverage`` one edge curriculum -> competency
  qualified by its coverage level; the edge keeps the membership/coverage IRI (``via``) as evidence.

The graph is an undirected ``nx.Graph``: each edge carries the list of statements behind it as
``(relation id, subject IRI, via)`` tuples, so the direction and the predicate are never lost but a
path may follow a statement either way. Relation ids index ``Projection.rels``.

Reads go through ``with projection.reading():`` (see ``graph.analysis.live``).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad

from .. import vocab
from ..namespaces import KP, ORG
from ..store import Store
from .live import LiveView, touched_subjects

NARY: dict[str, dict[str, Any]] = {
    vocab.MEMBERSHIP: {
        "source": (ORG + "member",),
        "target": (ORG + "organization", KP + "project"),
        "qualifier": ORG + "role",
        "literals": (KP + "startDate", KP + "endDate"),
    },
    vocab.COVERAGE: {
        "source": (KP + "curriculum",),
        "target": (KP + "competency",),
        "qualifier": KP + "coverageLevel",
        "literals": (KP + "studyYear",),
        "iri_details": (KP + "variant",),
    },
}
NARY_KINDS = {"lidmaatschap": vocab.MEMBERSHIP, "dekking": vocab.COVERAGE}
YEARS = (("start", KP + "startDate"), ("end", KP + "endDate"))


@dataclass(frozen=True)
class Rel:
    """A relation as the projection knows it: a predicate, qualified for folded n-ary resources
    (``qualifier`` = the role of a membership or the level of a coverage; "" otherwise)."""

    predicate: str
    qualifier: str = ""


@dataclass
class Nary:
    """A folded membership or coverage: who/what it links, how, and its literal details."""

    kind: str
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)


Entry = tuple[int, str, str | None]  # (relation id, subject IRI, via IRI or None)


class _State:
    """Everything one build produces; swapped in whole by a rebuild, patched in place by deltas."""

    def __init__(self) -> None:
        self.G = nx.Graph()
        self.rels: list[Rel] = []
        self.rel_ids: dict[Rel, int] = {}
        self.labels: dict[str, dict[str, str]] = {}  # predicates, qualifiers, classes
        self.inverse: dict[str, dict[str, str]] = {}  # predicates: kp:inverseLabel
        self.closure: dict[str, frozenset[str]] = {}
        self.nary: dict[str, Nary] = {}
        self.term_cache: dict[tuple[str, str], str] = {}
        self.isa_cache: dict[tuple[tuple[str, ...], str | frozenset[str]], bool] = {}
        # statements by predicate, both ways (kept in step by _add_entry/_drop_entries), so that
        # ``out``/``into`` cost the size of their answer, not the degree of a hub:
        # pout[s][p] = {o: n statements}, pin[o][p] = {s: n statements}
        self.pout: dict[str, dict[str, dict[str, int]]] = {}
        self.pin: dict[str, dict[str, dict[str, int]]] = {}

    def index_entry(self, u: str, v: str, entry: Entry, delta: int) -> None:
        rid, subject, _ = entry
        obj = v if subject == u else u
        predicate = self.rels[rid].predicate
        for table, a, b in ((self.pout, subject, obj), (self.pin, obj, subject)):
            by_pred = table.get(a)
            if by_pred is None:
                by_pred = table[a] = {}
            found = by_pred.get(predicate)
            if found is None:
                found = by_pred[predicate] = {}
            n = found.get(b, 0) + delta
            if n > 0:
                found[b] = n
            else:
                found.pop(b, None)
                if not found:
                    del by_pred[predicate]
                    if not by_pred:
                        del table[a]

    def rel_id(self, rel: Rel) -> int:
        found = self.rel_ids.get(rel)
        if found is None:
            found = self.rel_ids[rel] = len(self.rels)
            self.rels.append(rel)
        return found


class _Subject:
    """What the store says about one entity, read in one pass over its statements."""

    __slots__ = ("types", "labels", "links", "literals", "own")

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.labels: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.literals: dict[str, str] = {}
        self.own = False


class Projection(LiveView):
    """The entity graph as networkx, with labels, typed nodes and labelled, evidenced edges."""

    name = "projection"
    state: _State

    def __init__(self, store: Store, **kwargs: Any) -> None:
        self.entities = vocab.Entities(store.settings.base)
        super().__init__(store, **kwargs)

    # --- building -------------------------------------------------------------------------------
    def _read(self, quads: Iterator[Quad], subjects: dict[str, _Subject]) -> None:
        entities = self.entities
        intern = sys.intern
        label_preds = vocab.LABEL_PREDICATES
        skip = vocab.NOT_A_RELATION
        type_pred = vocab.TYPE
        last, info = None, None
        for q in quads:
            s = q.subject
            if s != last:  # statements come grouped by subject: look each one up once
                last = s
                info = None
                if isinstance(s, NamedNode) and s.value in entities:
                    sv = s.value
                    info = subjects.get(sv)
                    if info is None:
                        info = subjects[intern(sv)] = _Subject()
            if info is None:
                continue
            info.own = True
            p = q.predicate.value
            o = q.object
            if p == type_pred:
                if isinstance(o, NamedNode):
                    info.types.add(intern(o.value))
            elif isinstance(o, Literal):
                if p in label_preds:
                    info.labels.setdefault(o.language or "", o.value)
                else:
                    info.literals.setdefault(p, o.value)
            elif isinstance(o, NamedNode) and p not in skip:
                if o.value in entities:
                    info.links.append((intern(p), intern(o.value)))

    def _nary_kind(self, iri: str, info: _Subject) -> str | None:
        for cls in NARY:
            if cls in info.types:
                return cls
        return NARY_KINDS.get(self.entities.kind(iri))

    def _node_attrs(self, st: _State, info: _Subject, iri: str) -> dict[str, Any]:
        types = tuple(sorted(info.types))
        primary = max(types, key=lambda t: (t.startswith(KP), len(st.closure.get(t, ())), t), default="")
        label = vocab.pick_label(info.labels, vocab.local_name(iri))
        attrs: dict[str, Any] = {"label": label, "types": types, "type": primary, "own": info.own}
        if info.labels.get("en") and info.labels["en"] != label:
            attrs["label_en"] = info.labels["en"]
        for key, predicate in YEARS:  # the year of a start or end (lists show and filter by it)
            value = info.literals.get(predicate, "")
            if value[:4].isdigit():
                attrs[key] = int(value[:4])
        return attrs

    def _ensure_node(self, st: _State, iri: str) -> None:
        if iri not in st.G:
            st.G.add_node(iri, label=vocab.local_name(iri), types=(), type="", own=False)

    def _add_entry(self, st: _State, u: str, v: str, entry: Entry) -> None:
        self._ensure_node(st, u)
        self._ensure_node(st, v)
        data = st.G.get_edge_data(u, v)
        if data is None:
            st.G.add_edge(u, v, r=[entry])
        elif entry not in data["r"]:
            data["r"].append(entry)
        else:
            return
        st.index_entry(u, v, entry, 1)

    def _attach(self, st: _State, iri: str, info: _Subject) -> None:
        kind = self._nary_kind(iri, info)
        if kind is not None:
            self._attach_nary(st, iri, info, kind)
            return
        if info.own:
            if iri in st.G:
                st.G.nodes[iri].clear()
                st.G.nodes[iri].update(self._node_attrs(st, info, iri))
            else:
                st.G.add_node(iri, **self._node_attrs(st, info, iri))
        for p, o in info.links:
            if o != iri:
                self._add_entry(st, iri, o, (st.rel_id(Rel(p)), iri, None))

    def _attach_nary(self, st: _State, iri: str, info: _Subject, kind: str) -> None:
        spec = NARY[kind]
        rec = Nary(kind)
        for p, o in info.links:
            if p in spec["source"]:
                rec.sources.append(o)
            elif p in spec["target"]:
                rec.targets.append(o)
            elif p == spec["qualifier"]:
                rec.qualifiers.append(o)
            elif p in spec.get("iri_details", ()):
                rec.details[p] = o
        for p in spec["literals"]:
            if p in info.literals:
                rec.details[p] = info.literals[p]
        rel_ids = [st.rel_id(Rel(kind, q)) for q in (rec.qualifiers or [""])]
        for s in rec.sources:
            for t in rec.targets:
                if s == t:
                    continue
                for rid in rel_ids:
                    self._add_entry(st, s, t, (rid, s, iri))
                rec.edges.append((s, t))
        st.nary[iri] = rec

    def _builder(self) -> tuple:
        """``(feed(quads), finish() -> state)``: a build fed from a scan of the public quads that
        may be shared with other views (``graph.analysis.live.ensure_together``)."""
        subjects: dict[str, _Subject] = {}

        def finish() -> _State:
            st = _State()
            st.closure = vocab.class_closure(self.store)
            for iri, info in subjects.items():
                self._attach(st, iri, info)
            subjects.clear()  # before the next view's finish: lowers the start-up peak
            self._label_terms(st)
            return st

        return (lambda quads: self._read(quads, subjects)), finish

    def _label_terms(self, st: _State) -> None:
        """Labels of predicates, qualifiers (roles, coverage levels) and classes."""
        wanted: set[str] = set()
        for rel in st.rels:
            wanted.add(rel.predicate)
            if rel.qualifier:
                wanted.add(rel.qualifier)
        wanted |= set(st.closure)
        for _, t in st.G.nodes(data="type"):
            if t:
                wanted.add(t)
        wanted -= set(st.labels)
        st.labels.update(vocab.term_labels(self.store, wanted))
        predicates = {rel.predicate for rel in st.rels} - set(st.inverse)
        st.inverse.update(vocab.inverse_labels(self.store, predicates))

    # --- deltas ----------------------------------------------------------------------------------
    def _detach(self, st: _State, iri: str, orphans: set[str]) -> None:
        rec = st.nary.pop(iri, None)
        if rec is not None:
            for u, v in rec.edges:
                self._drop_entries(st, u, v, lambda e: e[2] == iri, orphans)
            return
        if iri not in st.G:
            return
        for v in list(st.G.adj[iri]):
            self._drop_entries(st, iri, v, lambda e: e[1] == iri and e[2] is None, orphans)
        st.G.nodes[iri]["own"] = False
        orphans.add(iri)

    @staticmethod
    def _drop_entries(st: _State, u: str, v: str, drop, orphans: set[str]) -> None:
        data = st.G.get_edge_data(u, v)
        if data is None:
            return
        kept = []
        for e in data["r"]:
            if drop(e):
                st.index_entry(u, v, e, -1)
            else:
                kept.append(e)
        if kept:
            data["r"] = kept
        else:
            st.G.remove_edge(u, v)
            orphans.update((u, v))

    def _apply(self, removed: list[Quad], added: list[Quad]) -> bool:
        st = self.state
        if st is None:
            return False
        for q in (*removed, *added):
            if q.predicate.value == vocab.SUBCLASS:
                return False  # the class hierarchy changed: rebuild
        touched = {s for s in touched_subjects(removed, added) if s in self.entities}
        if not touched:
            return True
        orphans: set[str] = set()
        for iri in touched:
            self._detach(st, iri, orphans)
        for iri in touched:
            subjects: dict[str, _Subject] = {}
            self._read(vocab.public_quads(self.store, subject=NamedNode(iri)), subjects)
            info = subjects.get(iri)
            if info is not None:
                self._attach(st, iri, info)
        for n in orphans:
            if n in st.G and not st.G.nodes[n].get("own") and st.G.degree(n) == 0:
                st.G.remove_node(n)
        self._label_terms(st)
        st.term_cache.clear()
        return True

    # --- reading (call inside ``with projection.reading():``) -----------------------------------
    @property
    def G(self) -> nx.Graph:
        return self.state.G

    def has(self, iri: str) -> bool:
        return iri in self.state.G

    def attrs(self, iri: str) -> dict[str, Any]:
        return self.state.G.nodes[iri]

    def label(self, iri: str, lang: str = "nl") -> str:
        node = self.state.G._node.get(iri)  # noqa: SLF001 - the raw dict: pages read thousands of labels
        if node is None:
            return self.term_label(iri, lang)
        if lang == "en" and node.get("label_en"):
            return node["label_en"]
        return node["label"]

    def term_label(self, iri: str, lang: str = "nl") -> str:
        cache = self.state.term_cache
        found = cache.get((iri, lang))
        if found is None:
            found = cache[(iri, lang)] = vocab.pick_label(self.state.labels.get(iri, {}), vocab.local_name(iri), lang)
        return found

    def is_a(self, iri: str, cls: str) -> bool:
        st = self.state
        node = st.G._node.get(iri)  # noqa: SLF001 - the raw dict: hot path
        if node is None:
            return False
        key = (node["types"], cls)
        found = st.isa_cache.get(key)
        if found is None:  # the closure only changes with a rebuild, so this is safe per state
            closure = st.closure
            found = st.isa_cache[key] = any(cls == t or cls in closure.get(t, ()) for t in node["types"])
        return found

    def is_any(self, iri: str, classes: frozenset[str] | set[str]) -> bool:
        if isinstance(classes, frozenset):  # hashable: one cache lookup per node
            st = self.state
            node = st.G._node.get(iri)  # noqa: SLF001
            if node is None:
                return False
            key = (node["types"], classes)
            found = st.isa_cache.get(key)
            if found is None:
                found = st.isa_cache[key] = any(self.is_a(iri, c) for c in classes)
            return found
        return any(self.is_a(iri, c) for c in classes)

    def entries(self, iri: str) -> Iterator[tuple[str, Entry]]:
        """``(neighbour, (relation id, subject, via))`` for every statement touching ``iri``."""
        adj = self.state.G._adj.get(iri)  # noqa: SLF001 - the raw dict: 3x faster than AtlasView
        if adj is None:
            return
        for other, data in adj.items():
            for entry in data["r"]:
                yield other, entry

    def out(self, iri: str, predicate: str) -> list[str]:
        """Objects of ``iri predicate ?o`` (plain statements; folded n-ary edges use their kind).
        Cost: the size of the answer (the ``pout`` index), not the degree of ``iri``."""
        found = self.state.pout.get(iri)
        if not found:
            return []
        return [o for o in found.get(predicate, ()) if o != iri]

    def into(self, iri: str, predicate: str) -> list[str]:
        """Subjects of ``?s predicate iri`` (cost: the size of the answer)."""
        found = self.state.pin.get(iri)
        if not found:
            return []
        return [s for s in found.get(predicate, ()) if s != iri]

    def count_into(self, iri: str, predicate: str) -> int:
        """How many subjects have ``?s predicate iri`` (O(1))."""
        found = self.state.pin.get(iri)
        return len(found.get(predicate, ())) if found else 0

    def rel(self, rid: int) -> Rel:
        return self.state.rels[rid]

    def degree(self, iri: str) -> int:
        adj = self.state.G.adj.get(iri)
        return len(adj) if adj is not None else 0

    def nary(self, iri: str) -> Nary | None:
        return self.state.nary.get(iri)

    def node_json(self, iri: str, lang: str = "nl") -> dict[str, Any]:
        """``{iri, label, type, type_label}`` for answers."""
        node = self.state.G.nodes.get(iri, {})
        t = node.get("type", "")
        return {"iri": iri, "label": self.label(iri, lang), "type": t, "type_label": self.term_label(t, lang) if t else ""}

    def step(self, here: str, there: str, entry: Entry, lang: str = "nl") -> dict[str, Any]:
        """One edge of an explanation path, as the statement behind it plus readable text."""
        rid, subject, via = entry
        rel = self.state.rels[rid]
        obj = there if subject == here else here
        label = self.rel_label(rid, lang)
        out: dict[str, Any] = {
            "subject": subject,
            "subject_label": self.label(subject, lang),
            "predicate": rel.predicate,
            "predicate_label": label,
            "object": obj,
            "object_label": self.label(obj, lang),
            "label": label if subject == here else self.rel_label(rid, lang, inverse=True),
        }
        if via:
            out["via"] = via
        if rel.qualifier:
            out["qualifier"] = rel.qualifier
        return out

    def rel_label(self, rid: int, lang: str = "nl", inverse: bool = False) -> str:
        """The relation's label; ``inverse``: as it reads from its object ("organiseerde" for
        ``kp:organisedBy``, "heeft als ambassadeur" for a membership seen from the organisation)."""
        rel = self.state.rels[rid]
        if rel.qualifier:
            label = self.term_label(rel.qualifier, lang)
            if not inverse or rel.predicate not in vocab.NARY_INVERSE:
                return label
            nl, en = vocab.NARY_INVERSE[rel.predicate]
            return (en if lang == "en" else nl).format(label[:1].lower() + label[1:])
        if not inverse:
            return self.term_label(rel.predicate, lang)
        cache = self.state.term_cache
        found = cache.get((rel.predicate, lang + "-1"))
        if found is None:
            st = self.state
            found = cache[(rel.predicate, lang + "-1")] = vocab.inverse_label(st.labels.get(rel.predicate, {}), st.inverse.get(rel.predicate, {}), lang)
        return found

    def best_entry(self, u: str, v: str, prefer: tuple[str, ...] = ()) -> Entry | None:
        """The statement to show for edge u-v: the first whose predicate (or qualifier, such as
        a membership's role) is in ``prefer``, else the first one."""
        data = self.state.G.get_edge_data(u, v)
        if not data:
            return None
        entries = data["r"]
        rels = self.state.rels
        for p in prefer:
            for e in entries:
                if rels[e[0]].predicate == p or rels[e[0]].qualifier == p:
                    return e
        return entries[0]

    def path_json(self, nodes: list[str], lang: str = "nl", prefer: tuple[str, ...] = ()) -> dict[str, Any]:
        """A chain of labelled edges through ``nodes``, with a one-line reading of it: each edge as
        it reads in the direction of the walk ("NHF —organiseerde→ Dialoog", the inverse label
        where the statement points back)."""
        steps = []
        text = [self.label(nodes[0], lang)]
        for here, there in zip(nodes, nodes[1:], strict=False):
            entry = self.best_entry(here, there, prefer)
            if entry is None:
                raise KeyError(f"no edge {here} - {there}")
            step = self.step(here, there, entry, lang)
            steps.append(step)
            text.append(f" —{step['label']}→ " + self.label(there, lang))
        return {"nodes": nodes, "edges": steps, "text": "".join(text), "length": len(steps)}

    def stats(self) -> dict[str, Any]:
        """Size, build time and memory of the projection."""
        st = self.state
        G = st.G
        return {
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "statements": sum(len(d["r"]) for _, _, d in G.edges(data=True)) if G.number_of_edges() < 2_000_000 else None,
            "relations": len(st.rels),
            "folded_nary": len(st.nary),
            "builds": self.builds,
            "restored": self.restored,
            "deltas": self.deltas,
            "build_seconds": round(self.build_seconds, 3),
            "build_rss_bytes": self.build_rss_bytes,
            "approx_bytes": approx_bytes(G),
            "generation": self.generation,
        }


def approx_bytes(G: nx.Graph, sample: int = 2000) -> int:
    """Approximate memory of a projection graph by ``sys.getsizeof`` on a sample of nodes and
    their adjacency (strings are interned and shared with the store's vocabulary, so not counted)."""
    nodes = list(G._node)  # noqa: SLF001 - sizing networkx's own dicts
    if not nodes:
        return 0
    picked = random.Random(0).sample(nodes, min(sample, len(nodes)))
    size = sys.getsizeof(G._node) + sys.getsizeof(G._adj)
    per_node = 0
    for n in picked:
        attrs = G._node[n]
        per_node += sys.getsizeof(attrs) + sum(sys.getsizeof(v) for v in attrs.values())
        adj = G._adj[n]
        per_node += sys.getsizeof(adj)
        for data in adj.values():
            # each edge's data dict is shared by both ends: count half here
            entries = data["r"]
            per_node += (sys.getsizeof(data) + sys.getsizeof(entries) + sum(sys.getsizeof(e) for e in entries)) // 2
    return size + per_node * len(nodes) // len(picked)
