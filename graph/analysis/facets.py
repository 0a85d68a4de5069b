"""Faceted lists: projects, materials, organisations, people and needs, filtered by theme,
competency, level, region, programme, year, type (and a few more), with a count per value.

Datasette's ``facets.py`` is the model: one place computes, for a list and the filters chosen,
which items remain and how many of them each facet value would keep. Unlike a SQL table, our
facet values are reached through the graph - an organisation's themes are those of the projects
it leads or takes part in and of the materials it provides; a person's region is that of the
organisations they hold a role in - and concept values count with their hierarchy: an item on
"Pijn" also counts for "Symptoombestrijding" (``skos:broader``), one in "Gooi- en Vechtstreek" for
"Noord-Holland" (``kp:withinRegion``), one for mbo-3 for mbo.

The index is derived from the projection (``graph.analysis.network``) and, like it, follows the
store's writes (``graph.analysis.live``): a delta recomputes the items it touched, the items that
reach a touched node (an organisation when one of its projects changed) and the items whose
values came through it before; a change of the hierarchy or the class tree rebuilds. Per list it
keeps, for every facet value, the set of items that have it (``postings``), so

- an unfiltered list costs nothing to count (the size of each posting);
- a filtered list is the intersection of the chosen values' postings, and each count the size of
  one C-level set intersection;
- items are kept in label order (re-sorted lazily after a write), so a page is a slice.

Every filter narrows (all chosen values must hold), so a count always says what choosing that
value would leave. Answers are memoised per store generation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Quad

from .. import vocab
from ..namespaces import KP, SKOS
from .live import LiveView, touched_subjects
from .network import Projection

BROADER, NARROWER, WITHIN = SKOS + "broader", SKOS + "narrower", KP + "withinRegion"
THEME, COMPETENCY, CANMEDS = KP + "Theme", KP + "Competency", KP + "CanMEDSRole"
LEVEL, REGION, ROLE, SETTING = KP + "EducationLevel", KP + "Region", KP + "PersonRole", KP + "CareSetting"
PROJECT, PROGRAMME, MATERIAL = KP + "Project", KP + "Programme", KP + "Material"
ORGANISATION, PERSON, NEED = KP + "Organisation", KP + "Person", KP + "Need"
LEAD, PARTNER, INVOLVED, FUNDER = KP + "leadOrganisation", KP + "partnerOrganisation", KP + "involvedOrganisation", KP + "funder"
PROVIDER, PRODUCED_BY = KP + "provider", KP + "producedBy"
MEMBERSHIP = vocab.MEMBERSHIP
VALUE_CLASSES = frozenset({THEME, COMPETENCY, CANMEDS, LEVEL, REGION, ROLE, SETTING})
"""Classes whose instances are facet values only: a write to one of them (a new label) never
changes which items have which values (their hierarchy does, and rebuilds the index)."""
HIERARCHY = frozenset({BROADER, NARROWER, WITHIN, vocab.SUBCLASS})
MAX_YEARS = 30
MEMO_SIZE = 512
OPEN, MET = "open", "vervuld"


# --- how an item's values are found -------------------------------------------------------------
Extract = Callable[[Projection, str, set], Iterable[str]]
"""``(net, item, deps) -> values``; adds to ``deps`` every other node it read through."""


def out(*predicates: str) -> Extract:
    def fn(net: Projection, item: str, deps: set) -> list[str]:
        return [o for p in predicates for o in net.out(item, p)]

    return fn


def into(*predicates: str) -> Extract:
    def fn(net: Projection, item: str, deps: set) -> list[str]:
        return [s for p in predicates for s in net.into(item, p)]

    return fn


def via(first: Extract, then: Extract) -> Extract:
    """Two steps: the values of ``then`` for every node ``first`` reaches (remembered in ``deps``,
    so a change to one of them recomputes this item)."""

    def fn(net: Projection, item: str, deps: set) -> list[str]:
        found = []
        for middle in first(net, item, deps):
            deps.add(middle)
            found.extend(then(net, middle, deps))
        return found

    return fn


def union(*parts: Extract) -> Extract:
    def fn(net: Projection, item: str, deps: set) -> list[str]:
        return [v for part in parts for v in part(net, item, deps)]

    return fn


def years(net: Projection, item: str, deps: set) -> list[str]:
    """The years an item runs (start to end, at most ``MAX_YEARS``; the start alone if no end)."""
    node = net.state.G._node.get(item) or {}  # noqa: SLF001 - the raw dict: hot path
    start, end = node.get("start"), node.get("end")
    if start is None:
        return [str(end)] if end is not None else []
    end = start if end is None or end < start else min(end, start + MAX_YEARS)
    return [str(y) for y in range(start, end + 1)]


def roles(net: Projection, item: str, deps: set) -> list[str]:
    """The roles of a person's memberships (the qualifiers of the folded membership edges)."""
    found = []
    rels = net.state.rels
    for _, (rid, subject, via_iri) in net.entries(item):
        rel = rels[rid]
        if rel.predicate == MEMBERSHIP and subject == item and rel.qualifier:
            found.append(rel.qualifier)
            if via_iri:
                deps.add(via_iri)
    return found


def need_status(net: Projection, item: str, deps: set) -> list[str]:
    return [MET if net.out(item, KP + "metBy") else OPEN]


# --- facets and lists ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Facet:
    """A facet: its URL parameter, the classes of its values (``None``: values are not things -
    years, types, statuses) and the predicate that points up its hierarchy, if any."""

    key: str
    classes: frozenset[str] | None = None
    up: str | None = None
    listed: bool = True
    """False: a filter reached by links only (an organisation's projects), never offered in the
    facet panel (it would list thousands of values)."""
    order: str = "label"  # "label", or "desc" (years: newest first)


FACETS = {
    f.key: f
    for f in (
        Facet("thema", frozenset({THEME}), BROADER),
        Facet("competentie", frozenset({COMPETENCY, CANMEDS}), BROADER),
        Facet("niveau", frozenset({LEVEL}), BROADER),
        Facet("regio", frozenset({REGION}), WITHIN),
        Facet("programma", frozenset({PROGRAMME})),
        Facet("rol", frozenset({ROLE})),
        Facet("lidvan", frozenset({ORGANISATION})),
        Facet("zorgsetting", frozenset({SETTING})),
        Facet("status"),
        Facet("jaar", order="desc"),
        Facet("soort"),
        Facet("organisatie", frozenset({ORGANISATION, PROJECT, PROGRAMME}), listed=False),
        Facet("project", frozenset({PROJECT, PROGRAMME}), listed=False),
    )
}


@dataclass(frozen=True)
class ListSpec:
    name: str
    classes: frozenset[str]
    extract: dict[str, Extract] = field(default_factory=dict)
    """Facet key -> how an item's values are found (``soort`` is added for every list)."""


PROJECT_ORGS = out(LEAD, PARTNER, INVOLVED, FUNDER)
WORK = into(LEAD, PARTNER, INVOLVED, FUNDER, PROVIDER)
"""What an organisation works on: the projects it leads, takes part in or funds, and the materials
it provides."""
PEOPLE_WORK = out(MEMBERSHIP)  # the organisations and projects of a person's memberships

LISTS = {
    spec.name: spec
    for spec in (
        ListSpec("projects", frozenset({PROJECT, PROGRAMME}), {
            "thema": out(KP + "addressesTheme"),
            "competentie": out(KP + "addressesCompetency"),
            "niveau": out(KP + "educationLevel"),
            "regio": union(out(KP + "region"), via(out(LEAD), out(KP + "region"))),
            "programma": union(out(KP + "programme"), via(out(KP + "partOfProject"), out(KP + "programme"))),
            "jaar": years,
            "organisatie": PROJECT_ORGS,
        }),
        ListSpec("materials", frozenset({MATERIAL}), {
            "thema": out(KP + "addressesTheme"),
            "competentie": out(KP + "addressesCompetency"),
            "niveau": out(KP + "educationLevel"),
            "regio": via(out(PROVIDER), out(KP + "region")),
            "programma": union(out(PRODUCED_BY), via(out(PRODUCED_BY), out(KP + "programme"))),
            "organisatie": out(PROVIDER),
            "project": out(PRODUCED_BY),
        }),
        ListSpec("organisations", frozenset({ORGANISATION}), {
            "thema": via(WORK, out(KP + "addressesTheme")),
            "competentie": via(WORK, out(KP + "addressesCompetency")),
            "niveau": union(out(KP + "educationLevel"), via(WORK, out(KP + "educationLevel"))),
            "regio": out(KP + "region"),
            "lidvan": out(KP + "memberOf", KP + "consortium"),
        }),
        ListSpec("people", frozenset({PERSON}), {
            "rol": roles,
            "thema": union(out(KP + "expertise"), via(PEOPLE_WORK, out(KP + "addressesTheme"))),
            "competentie": union(out(KP + "expertise"), via(PEOPLE_WORK, out(KP + "addressesCompetency"))),
            "regio": via(PEOPLE_WORK, out(KP + "region")),
            "organisatie": PEOPLE_WORK,
        }),
        ListSpec("needs", frozenset({NEED}), {
            "thema": out(KP + "addressesTheme"),
            "competentie": out(KP + "addressesCompetency"),
            "status": need_status,
            "zorgsetting": out(KP + "careSetting"),
            "regio": union(via(out(KP + "raisedBy"), out(KP + "region")), via(out(KP + "raisedIn"), out(KP + "region"))),
            "jaar": via(out(KP + "raisedIn"), years),
        }),
    )
}


# --- the index ------------------------------------------------------------------------------------
class _List:
    __slots__ = ("spec", "items", "values", "deps", "postings", "order", "rank")

    def __init__(self, spec: ListSpec) -> None:
        self.spec = spec
        self.items: set[str] = set()
        self.values: dict[str, tuple[tuple[str, str], ...]] = {}
        self.deps: dict[str, set[str]] = {}  # node -> items whose values came through it
        self.postings: dict[str, dict[str, set[str]]] = {key: {} for key in (*spec.extract, "soort")}
        self.order: list[str] | None = None  # items in label order; None: sort at the next read
        self.rank: dict[str, int] = {}

    # A snapshot (graph.analysis.snapshot) names the spec: its extractors are closures.
    def __getstate__(self) -> tuple:
        return (self.spec.name, self.items, self.values, self.deps, self.postings, self.order, self.rank)

    def __setstate__(self, state: tuple) -> None:
        name, self.items, self.values, self.deps, self.postings, self.order, self.rank = state
        self.spec = LISTS[name]


class _State:
    def __init__(self) -> None:
        self.lists: dict[str, _List] = {name: _List(spec) for name, spec in LISTS.items()}
        self.ancestors: dict[tuple[str, str], tuple[str, ...]] = {}
        self.memo: OrderedDict = OrderedDict()

    def __getstate__(self) -> dict:
        return {"lists": self.lists, "ancestors": self.ancestors}  # answers are not worth keeping

    def __setstate__(self, state: dict) -> None:
        self.lists, self.ancestors, self.memo = state["lists"], state["ancestors"], OrderedDict()


@dataclass
class Value:
    """One facet value as a page shows it."""

    value: str
    label: str
    count: int
    selected: bool = False
    depth: int = 0


@dataclass
class FacetBlock:
    key: str
    values: list[Value]


@dataclass
class Result:
    """A page of a (filtered) list: the total, the items of this page, the facets with counts."""

    total: int
    items: list[str]
    facets: list[FacetBlock]
    filters: dict[str, list[str]]


class Facets(LiveView):
    """The faceted lists of one projection (see the module docstring)."""

    name = "facets"
    state: _State

    def __init__(self, net: Projection, **kwargs: Any) -> None:
        self.net = net
        self._memo_lock = threading.Lock()
        super().__init__(net.store, **kwargs)

    # --- building ---------------------------------------------------------------------------------
    def _build(self) -> _State:
        st = _State()
        net = self.net
        with net.reading():
            for iri, attrs in net.G.nodes(data=True):
                if attrs.get("own"):
                    self._place(st, iri)
        return st

    def _place(self, st: _State, iri: str) -> None:
        """(Re)compute ``iri``'s values in every list it belongs to (none: it leaves them)."""
        net = self.net
        own = net.has(iri) and net.attrs(iri).get("own")
        for lst in st.lists.values():
            if iri in lst.items:
                self._remove(lst, iri)
            if not own or not net.is_any(iri, lst.spec.classes):
                continue
            deps: set[str] = set()
            pairs: dict[tuple[str, str], None] = {}
            for key, extract in lst.spec.extract.items():
                facet = FACETS[key]
                for value in extract(net, iri, deps):
                    if facet.classes is not None and not net.is_any(value, facet.classes):
                        continue
                    for v in self._with_ancestors(st, facet, value):
                        pairs[(key, v)] = None
            for t in self._types(iri, lst.spec.classes):
                pairs[("soort", t)] = None
            lst.items.add(iri)
            lst.values[iri] = tuple(pairs)
            for key, value in pairs:
                lst.postings[key].setdefault(value, set()).add(iri)
            deps.discard(iri)
            for d in deps:
                lst.deps.setdefault(d, set()).add(iri)
            lst.order = None

    @staticmethod
    def _remove(lst: _List, iri: str) -> None:
        lst.items.discard(iri)
        for key, value in lst.values.pop(iri, ()):
            posting = lst.postings[key].get(value)
            if posting is not None:
                posting.discard(iri)
                if not posting:
                    del lst.postings[key][value]
        lst.order = None

    def _with_ancestors(self, st: _State, facet: Facet, value: str) -> tuple[str, ...]:
        if facet.up is None:
            return (value,)
        key = (facet.key, value)
        found = st.ancestors.get(key)
        if found is None:
            seen = {value: None}
            frontier = [value]
            while frontier:
                nxt = []
                for v in frontier:
                    for parent in self.net.out(v, facet.up):
                        if parent not in seen:
                            seen[parent] = None
                            nxt.append(parent)
                frontier = nxt
            found = st.ancestors[key] = tuple(seen)
        return found

    def _types(self, iri: str, list_classes: frozenset[str]) -> list[str]:
        """The item's kp: classes below the list's own (with their superclasses up to it)."""
        st = self.net.state
        found = set()
        for t in self.net.attrs(iri).get("types", ()):
            for c in st.closure.get(t, (t,)):
                if c in list_classes:
                    if len(list_classes) > 1:  # projects and programmes: tell them apart
                        found.add(c)
                elif c.startswith(KP) and any(base in st.closure.get(c, ()) for base in list_classes):
                    found.add(c)
        return sorted(found)

    # --- deltas -------------------------------------------------------------------------------------
    def _apply(self, removed: list[Quad], added: list[Quad]) -> bool:
        st = self.state
        net = self.net
        if st is None or net._dirty or net.generation != self.store.generation:  # noqa: SLF001
            return False  # the projection rebuilds lazily; so do we
        for q in (*removed, *added):
            if q.predicate.value in HIERARCHY:
                return False
        touched = touched_subjects(removed, added)
        with net.lock.read():
            affected = set(touched)
            for t in touched:
                for lst in st.lists.values():
                    affected |= lst.deps.pop(t, set())
                if net.has(t) and not net.is_any(t, VALUE_CLASSES):
                    affected.update(net.G._adj[t])  # noqa: SLF001 - nodes that may read through t
            for iri in affected:
                self._place(st, iri)
        st.memo.clear()
        return True

    # --- reading ------------------------------------------------------------------------------------
    def _ordered(self, lst: _List) -> list[str]:
        if lst.order is None:
            net = self.net
            order = sorted(lst.items, key=lambda x: (vocab.fold(net.label(x)), x))
            lst.rank = {x: i for i, x in enumerate(order)}  # before ``order``: readers check that
            lst.order = order
            return order
        return lst.order

    def count(self, name: str) -> int:
        with self.reading():
            return len(self.state.lists[name].items)

    def members(self, name: str, key: str, value: str) -> set[str]:
        """The items of list ``name`` with ``value`` for facet ``key`` (hierarchy included)."""
        with self.reading():
            return set(self.state.lists[name].postings.get(key, {}).get(value, ()))

    def query(self, name: str, filters: dict[str, list[str]], *, offset: int = 0, limit: int = 50, lang: str = "nl", facets: Iterable[str] | None = None) -> Result:
        """A page of list ``name`` under ``filters`` (facet key -> values, all must hold), with
        the counts of ``facets`` (default: every listed facet the list has)."""
        with self.reading(), self.net.lock.read():
            st = self.state
            lst = st.lists[name]
            filters = {k: list(dict.fromkeys(v)) for k, v in filters.items() if k in lst.postings and v}
            key = (name, tuple(sorted((k, tuple(v)) for k, v in filters.items())), lang, tuple(facets) if facets is not None else None)
            with self._memo_lock:
                found = st.memo.get(key)
                if found is not None:
                    st.memo.move_to_end(key)
            if found is None:
                found = self._compute(lst, filters, lang, facets)
                with self._memo_lock:
                    st.memo[key] = found
                    if len(st.memo) > MEMO_SIZE:
                        st.memo.popitem(last=False)
            ordered, blocks = found
            return Result(len(ordered), ordered[offset: offset + limit], blocks, filters)

    def _compute(self, lst: _List, filters: dict[str, list[str]], lang: str, facets: Iterable[str] | None) -> tuple[list[str], list[FacetBlock]]:
        order = self._ordered(lst)
        result: set[str] | None = None
        for key, values in filters.items():
            for value in values:
                posting = lst.postings[key].get(value, set())
                result = set(posting) if result is None else result & posting
        if result is None:
            ordered = order
        elif len(result) * 8 > len(order):
            ordered = [x for x in order if x in result]
        else:
            ordered = sorted(result, key=lst.rank.__getitem__)
        wanted = [k for k in (facets if facets is not None else lst.postings) if k in lst.postings and (facets is not None or FACETS[k].listed)]
        blocks = [self._block(lst, k, filters.get(k, []), result, lang) for k in wanted]
        return ordered, [b for b in blocks if b.values]

    def _block(self, lst: _List, key: str, chosen: list[str], result: set[str] | None, lang: str) -> FacetBlock:
        """The values of one facet with their counts: flat facets all values with items; concept
        facets their top values, opened down to (and one level under) the chosen ones."""
        facet = FACETS[key]
        postings = lst.postings[key]
        net = self.net

        def count(value: str) -> int:
            posting = postings.get(value)
            if not posting:
                return 0
            return len(posting) if result is None else len(posting & result) if len(posting) < len(result) else len(result & posting)

        def label(value: str) -> str:
            if key == "soort":
                return net.term_label(value, lang)
            if facet.classes is None:
                return value
            return net.label(value, lang)

        def sort(values: Iterable[str]) -> list[str]:
            if facet.order == "desc":
                return sorted(values, reverse=True)
            return sorted(values, key=lambda v: (vocab.fold(label(v)), v))

        rows: list[Value] = []
        if facet.up is None:
            for value in sort(postings):
                n = count(value)
                if n or value in chosen:
                    rows.append(Value(value, label(value), n, value in chosen))
            return FacetBlock(key, rows)
        opened = set()
        for value in chosen:
            opened.update(self._with_ancestors(self.state, facet, value))

        def parents(value: str) -> list[str]:
            return [p for p in net.out(value, facet.up) if p in postings]

        def children(value: str) -> list[str]:
            kids = net.into(value, facet.up)
            if facet.up == BROADER:
                kids += net.out(value, NARROWER)
            return [c for c in dict.fromkeys(kids) if c in postings]

        def walk(values: list[str], depth: int) -> None:
            for value in sort(values):
                n = count(value)
                if not n and value not in chosen:
                    continue
                rows.append(Value(value, label(value), n, value in chosen, depth))
                if value in opened and depth < 6:
                    walk(children(value), depth + 1)

        walk([v for v in postings if not parents(v)], 0)
        return FacetBlock(key, rows)

    def values_of(self, name: str, item: str) -> dict[str, list[str]]:
        """``{facet: [values]}`` of one item (its own, ancestors included)."""
        with self.reading():
            out_: dict[str, list[str]] = {}
            for key, value in self.state.lists[name].values.get(item, ()):
                out_.setdefault(key, []).append(value)
            return out_

    def stats(self) -> dict[str, Any]:
        with self.reading():
            return {
                name: {"items": len(lst.items), "postings": sum(len(p) for by in lst.postings.values() for p in by.values()), "values": sum(len(by) for by in lst.postings.values())}
                for name, lst in self.state.lists.items()
            } | {"builds": self.builds, "deltas": self.deltas, "build_seconds": round(self.build_seconds, 3), "build_rss_bytes": self.build_rss_bytes}
