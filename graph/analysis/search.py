"""Label and description search, in Dutch and English, case- and accent-insensitive.

An in-memory index of every entity's names (``rdfs:label``, ``skos:prefLabel``, ``foaf:name``,
``skos:altLabel``, ``skos:notation``) and descriptions (``dct:description``), built once and kept in
step with writes (``graph.analysis.live``); a request never touches the store.

Ranking, best first (``MATCH_SCORES``):

1. ``exact``      - a name equals the query ("zingeving" finds the theme whose altLabel is "Zingeving");
2. ``prefix``     - a name starts with the query ("proactieve" finds "Proactieve zorgplanning");
3. ``word``       - every query word starts a word of one name ("zorgplanning" finds "Proactieve
                    zorgplanning", "zorg plan" too);
4. ``contains``   - a name contains the query anywhere ("planning" in "zorgplanning");
5. ``description``- every query word starts a word of the description.

Within a tier: preferred names (labels) before alternative ones, shorter names first, then by label.
Work per query is bounded: sorted arrays are searched with ``bisect`` (O(log n)), and the word,
contains and description tiers look at no more than ``CANDIDATE_CAP`` entries each.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator
from typing import Any, NamedTuple

from pyoxigraph import Literal, NamedNode, Quad

from .. import vocab
from ..namespaces import KP
from ..store import Store
from .live import LiveView, touched_subjects

MATCH_SCORES = {"exact": 100, "prefix": 80, "word": 60, "contains": 40, "description": 20}
CANDIDATE_CAP = 5000
OVERLAY_LIMIT = 2000
_HIGH = "\U0010ffff"


# Tuples rather than dataclasses: a snapshot of 170k entries and 90k resources (1M triples) reads
# back in a third of the time (graph.analysis.snapshot).
class _Entry(NamedTuple):
    iri: str
    text: str  # original
    folded: str
    field: str  # "label" | "alt" | "description"
    lang: str
    words: tuple[str, ...] = ()


class _Resource(NamedTuple):
    labels: dict[str, str]
    types: tuple[str, ...]
    entries: list[int]


class _Index:
    """The sorted structures over the entries; rebuilt from entries (not the store) on compaction."""

    def __init__(self, entries: list[_Entry | None]) -> None:
        self.size = len(entries)
        self.exact: dict[str, list[int]] = {}
        names: list[tuple[str, int]] = []
        name_words: list[tuple[str, int]] = []
        desc_words: list[tuple[str, int]] = []
        blob: list[str] = []
        self.blob_starts: list[int] = []
        self.blob_ids: list[int] = []
        pos = 0
        for eid, e in enumerate(entries):
            if e is None:
                continue
            if e.field == "description":
                desc_words.extend((w, eid) for w in set(e.words))
                continue
            self.exact.setdefault(e.folded, []).append(eid)
            names.append((e.folded, eid))
            name_words.extend((w, eid) for w in set(e.words))
            self.blob_starts.append(pos)
            self.blob_ids.append(eid)
            blob.append(e.folded)
            pos += len(e.folded) + 1
        names.sort()
        name_words.sort()
        desc_words.sort()
        self.names = [n for n, _ in names]
        self.name_ids = [i for _, i in names]
        self.name_words = [w for w, _ in name_words]
        self.name_word_ids = [i for _, i in name_words]
        self.desc_words = [w for w, _ in desc_words]
        self.desc_word_ids = [i for _, i in desc_words]
        self.blob = "\n".join(blob)


def _prefix_range(keys: list[str], prefix: str) -> tuple[int, int]:
    return bisect.bisect_left(keys, prefix), bisect.bisect_left(keys, prefix + _HIGH)


def _word_range(keys: list[str], word: str, whole: bool) -> tuple[int, int]:
    if whole:
        return bisect.bisect_left(keys, word), bisect.bisect_right(keys, word)
    return _prefix_range(keys, word)


class _State:
    def __init__(self) -> None:
        self.entries: list[_Entry | None] = []
        self.resources: dict[str, _Resource] = {}
        self.index = _Index([])
        self.closure: dict[str, frozenset[str]] = {}
        self.type_labels: dict[str, dict[str, str]] = {}

    @property
    def overlay(self) -> range:
        return range(self.index.size, len(self.entries))


class SearchIndex(LiveView):
    """Names and descriptions of all entities, searchable in nl and en."""

    name = "search"
    state: _State

    def __init__(self, store: Store, **kwargs: Any) -> None:
        self.entities = vocab.Entities(store.settings.base)
        super().__init__(store, **kwargs)

    # --- building ---------------------------------------------------------------------------------
    def _collect(self, quads: Iterator[Quad], out: dict[str, tuple[dict, set, list]] | None = None) -> dict[str, tuple[dict, set, list]]:
        names = set(vocab.LABEL_PREDICATES)
        alts = set(vocab.ALT_PREDICATES)
        descs = {vocab.DCT + "description"}
        out = {} if out is None else out
        last, wanted = None, False
        for q in quads:
            s = q.subject
            if s != last:  # statements come grouped by subject: test each one once
                last = s
                wanted = isinstance(s, NamedNode) and s.value in self.entities
            if not wanted:
                continue
            p = q.predicate.value
            o = q.object
            if p == vocab.TYPE:
                if isinstance(o, NamedNode):
                    out.setdefault(s.value, ({}, set(), []))[1].add(o.value)
            elif isinstance(o, Literal) and (p in names or p in alts or p in descs):
                labels, _, texts = out.setdefault(s.value, ({}, set(), []))
                lang = o.language or ""
                if p in names:
                    labels.setdefault(lang, o.value)
                    texts.append(("label", lang, o.value))
                elif p in alts:
                    texts.append(("alt", lang, o.value))
                else:
                    texts.append(("description", lang, o.value))
        return out

    def _add(self, st: _State, iri: str, labels: dict, types: set, texts: list) -> None:
        res = _Resource(labels, tuple(sorted(types)), [])
        seen: set[tuple[str, str]] = set()
        for fld, lang, text in texts:
            folded = vocab.fold(text)
            if not folded or (fld, folded) in seen:
                continue
            seen.add((fld, folded))
            res.entries.append(len(st.entries))
            st.entries.append(_Entry(iri, text, folded, fld, lang, tuple(folded.split())))
        st.resources[iri] = res

    def _builder(self) -> tuple:
        """``(feed(quads), finish() -> state)`` (see ``graph.analysis.live.ensure_together``)."""
        collected: dict[str, tuple[dict, set, list]] = {}

        def finish() -> _State:
            try:
                return self._finish(collected)
            finally:
                collected.clear()  # lowers the start-up peak

        return (lambda quads: self._collect(quads, collected)), finish

    def _finish(self, collected: dict[str, tuple[dict, set, list]]) -> _State:
        st = _State()
        st.closure = vocab.class_closure(self.store)
        for iri, (labels, types, texts) in collected.items():
            self._add(st, iri, labels, types, texts)
        st.index = _Index(st.entries)
        classes = set(st.closure) | {t for r in st.resources.values() for t in r.types}
        st.type_labels = vocab.term_labels(self.store, classes)
        return st

    def _apply(self, removed: list[Quad], added: list[Quad]) -> bool:
        st = self.state
        if st is None:
            return False
        if any(q.predicate.value == vocab.SUBCLASS for q in (*removed, *added)):
            return False
        for iri in touched_subjects(removed, added):
            if iri not in self.entities:
                continue
            old = st.resources.pop(iri, None)
            if old is not None:
                for eid in old.entries:
                    st.entries[eid] = None
            found = self._collect(vocab.public_quads(self.store, subject=NamedNode(iri)))
            if iri in found:
                self._add(st, iri, *found[iri])
        dead = sum(1 for e in st.entries if e is None) if len(st.overlay) > OVERLAY_LIMIT else 0
        if len(st.overlay) > OVERLAY_LIMIT or dead > OVERLAY_LIMIT:
            self._compact(st)
        new_types = {t for r in st.resources.values() for t in r.types} - set(st.type_labels)
        if new_types:
            st.type_labels.update(vocab.term_labels(self.store, new_types))
        return True

    @staticmethod
    def _compact(st: _State) -> None:
        live = [e for e in st.entries if e is not None]
        st.entries = list(live)
        for res in st.resources.values():
            res.entries.clear()
        for eid, e in enumerate(st.entries):
            st.resources[e.iri].entries.append(eid)
        st.index = _Index(st.entries)

    # --- types --------------------------------------------------------------------------------------
    def known_types(self) -> dict[str, str]:
        """``{local name: class IRI}`` of the kp: classes (what ``type=`` accepts)."""
        st = self.state
        classes = set(st.closure) | set(st.type_labels)
        return {c[len(KP) :]: c for c in classes if c.startswith(KP)}

    def resolve_type(self, value: str) -> str | None:
        """A class IRI for "Project", "project", "kp:Project" or the full IRI; None if unknown."""
        known = self.known_types()
        if value.startswith(("http://", "https://")):
            return value if value in known.values() else None
        name = value.removeprefix("kp:")
        if name in known:
            return known[name]
        lowered = {k.lower(): v for k, v in known.items()}
        return lowered.get(name.lower())

    def is_a(self, iri: str, cls: str) -> bool:
        res = self.state.resources.get(iri)
        if res is None:
            return False
        closure = self.state.closure
        return any(t == cls or cls in closure.get(t, ()) for t in res.types)

    def primary_type(self, iri: str) -> str:
        res = self.state.resources.get(iri)
        if res is None or not res.types:
            return ""
        closure = self.state.closure
        return max(res.types, key=lambda t: (t.startswith(KP), len(closure.get(t, ())), t))

    def label(self, iri: str, lang: str = "nl") -> str:
        res = self.state.resources.get(iri)
        if res is not None and res.labels:
            return vocab.pick_label(res.labels, "", lang)
        return vocab.local_name(iri)

    # --- searching ------------------------------------------------------------------------------------
    def _name_matches(self, st: _State, q: str, tokens: list[str]) -> Iterator[tuple[int, str]]:
        """(entry id, tier) for names, best tiers first, each tier bounded."""
        idx = st.index
        for eid in idx.exact.get(q, ()):
            yield eid, "exact"
        lo, hi = _prefix_range(idx.names, q)
        for i in range(lo, min(hi, lo + CANDIDATE_CAP)):
            yield idx.name_ids[i], "prefix"
        yield from self._word_matches(st, tokens, idx.name_words, idx.name_word_ids, "word")
        start, hits = 0, 0
        while hits < CANDIDATE_CAP:
            pos = idx.blob.find(q, start)
            if pos < 0:
                break
            k = bisect.bisect_right(idx.blob_starts, pos) - 1
            yield idx.blob_ids[k], "contains"
            hits += 1
            # one hit per name is enough: go on from the next name
            start = idx.blob_starts[k + 1] if k + 1 < len(idx.blob_starts) else len(idx.blob)
        for eid in st.overlay:  # entries added since the last compaction: checked one by one
            e = st.entries[eid]
            if e is None or e.field == "description":
                continue
            if e.folded == q:
                yield eid, "exact"
            elif e.folded.startswith(q):
                yield eid, "prefix"
            elif _all_words(tokens, e.words):
                yield eid, "word"
            elif q in e.folded:
                yield eid, "contains"

    def _word_matches(
        self, st: _State, tokens: list[str], words: list[str], ids: list[int], tier: str
    ) -> Iterator[tuple[int, str]]:
        if not tokens:
            return
        ranges = sorted((_prefix_range(words, t) for t in tokens), key=lambda r: r[1] - r[0])
        lo, hi = ranges[0]
        checked = 0
        seen: set[int] = set()
        for i in range(lo, hi):
            eid = ids[i]
            if eid in seen:
                continue
            seen.add(eid)
            checked += 1
            if checked > CANDIDATE_CAP:
                break
            e = st.entries[eid]
            if e is not None and (len(tokens) == 1 or _all_words(tokens, e.words)):
                yield eid, tier

    def _desc_matches(self, st: _State, tokens: list[str]) -> Iterator[tuple[int, str]]:
        idx = st.index
        yield from self._word_matches(st, tokens, idx.desc_words, idx.desc_word_ids, "description")
        for eid in st.overlay:
            e = st.entries[eid]
            if e is not None and e.field == "description" and _all_words(tokens, e.words):
                yield eid, "description"

    def search(self, q: str, *, type: str | None = None, limit: int = 20, lang: str = "nl") -> dict[str, Any]:
        """Ranked matches for ``q`` (optionally only instances of class IRI ``type``)."""
        folded = vocab.fold(q)
        with self.reading():
            st = self.state
            if not folded:
                return {"query": q, "results": [], "total": 0}
            tokens = folded.split()
            best: dict[str, tuple[int, int, str, int]] = {}  # iri -> (score, name rank, tier, eid)

            def consider(eid: int, tier: str) -> None:
                e = st.entries[eid]
                if e is None:
                    return
                if type is not None and not self.is_a(e.iri, type):
                    return
                rank = 0 if e.field == "label" else 1
                key = (MATCH_SCORES[tier], -rank)
                old = best.get(e.iri)
                if old is None or key > (old[0], -old[1]):
                    best[e.iri] = (MATCH_SCORES[tier], rank, tier, eid)

            for eid, tier in self._name_matches(st, folded, tokens):
                consider(eid, tier)
            if len(best) < limit:
                for eid, tier in self._desc_matches(st, tokens):
                    consider(eid, tier)
            def order(kv: tuple[str, tuple[int, int, str, int]]) -> tuple:
                label = self.label(kv[0], lang)
                return (-kv[1][0], kv[1][1], len(label), label.casefold(), kv[0])

            # the best ``limit`` of up to a few CANDIDATE_CAPs of matches: no full sort
            ranked = heapq.nsmallest(limit, best.items(), key=order)
            results = [self._result(st, iri, hit, folded, lang) for iri, hit in ranked]
            return {"query": q, "results": results, "total": len(best)}

    def _result(self, st: _State, iri: str, hit: tuple[int, int, str, int], folded: str, lang: str) -> dict[str, Any]:
        score, _, tier, eid = hit
        e = st.entries[eid]
        t = self.primary_type(iri)
        return {
            "iri": iri,
            "label": self.label(iri, lang),
            "type": t,
            "type_label": vocab.pick_label(st.type_labels.get(t, {}), vocab.local_name(t), lang) if t else "",
            "types": list(st.resources[iri].types),
            "score": score,
            "match": tier,
            "matched_field": e.field if e else "",
            "matched_text": e.text if e and e.field != "description" else "",
            "snippet": snippet(e.text, folded) if e else "",
        }

    def match_phrases(self, text: str, classes: set[str], max_words: int = 6) -> list[tuple[str, str, int, int]]:
        """Names of instances of ``classes`` that occur as whole phrases in ``text``: one dict
        lookup per n-gram (n <= ``max_words``), so bounded by the text's length, not the index.
        Returns ``(iri, matched name, start word, end word)``, longest phrases first."""
        words = vocab.fold(text).split()[:2000]
        found: list[tuple[str, str, int, int]] = []
        with self.reading():
            st = self.state
            recent = self._overlay_names(st)  # one pass over the overlay, not one per n-gram
            for n in range(min(max_words, len(words)), 0, -1):
                for i in range(len(words) - n + 1):
                    phrase = " ".join(words[i : i + n])
                    if len(phrase) < 3:
                        continue
                    for eid in (*st.index.exact.get(phrase, ()), *recent.get(phrase, ())):
                        e = st.entries[eid]
                        if e is not None and any(self.is_a(e.iri, c) for c in classes):
                            found.append((e.iri, e.text, i, i + n))
        return found

    @staticmethod
    def _overlay_names(st: _State) -> dict[str, list[int]]:
        """The names added since the last compaction, by folded form."""
        out: dict[str, list[int]] = {}
        for eid in st.overlay:
            e = st.entries[eid]
            if e is not None and e.field != "description":
                out.setdefault(e.folded, []).append(eid)
        return out

    def names_with_prefix(self, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
        """``(iri, name)`` of up to ``limit`` names (and alternative names) whose folded form starts
        with ``prefix`` (folded): a binary search, O(log n + limit), for the duplicate check."""
        with self.reading():
            st = self.state
            lo, hi = _prefix_range(st.index.names, prefix)
            eids = [st.index.name_ids[i] for i in range(lo, min(hi, lo + limit))]
            eids += [eid for eid in st.overlay if st.entries[eid] is not None and st.entries[eid].field != "description"
                     and st.entries[eid].folded.startswith(prefix)][: max(0, limit - len(eids))]
            found = [st.entries[eid] for eid in eids]
            return list(dict.fromkeys((e.iri, e.text) for e in found if e is not None))

    def names_around(self, folded: str, count: int = 10) -> list[tuple[str, str]]:
        """``(iri, name)`` of the ``count`` names next to ``folded`` in sorted order (a binary search):
        a name with a typo late in it sorts next to the name it misspells. Names added since the
        last compaction that share its first word are included."""
        with self.reading():
            st = self.state
            at = bisect.bisect_left(st.index.names, folded)
            eids = [st.index.name_ids[i] for i in range(max(0, at - count // 2), min(len(st.index.names), at + count // 2))]
            first = folded.split(" ", 1)[0]
            eids += [eid for eid in st.overlay if st.entries[eid] is not None and st.entries[eid].field != "description"
                     and st.entries[eid].folded.split(" ", 1)[0] == first][:count]
            found = [st.entries[eid] for eid in eids]
            return list(dict.fromkeys((e.iri, e.text) for e in found if e is not None))

    def named(self, folded: str) -> list[tuple[str, str]]:
        """``(iri, name)`` of every entity with a name or alternative name that folds to ``folded``:
        one dict look-up (the duplicate check, ``graph.curation.duplicates``)."""
        with self.reading():
            st = self.state
            found = [st.entries[eid] for eid in st.index.exact.get(folded, ())]
            found += [st.entries[eid] for eid in st.overlay
                      if st.entries[eid] is not None and st.entries[eid].folded == folded
                      and st.entries[eid].field != "description"]
            return list(dict.fromkeys((e.iri, e.text) for e in found if e is not None))

    def names_of(self, classes: dict[str, str]) -> list[tuple[str, str, str]]:
        """``(iri, kind, name)`` for every label and alternative name of the instances of the
        classes in ``classes`` (``{class IRI: kind}``; an instance of several gets the first):
        what ``graph.analysis.dutch.Lexicon`` is built from."""
        out: list[tuple[str, str, str]] = []
        with self.reading():
            st = self.state
            for iri, res in st.resources.items():
                kind = next((k for cls, k in classes.items() if self.is_a(iri, cls)), None)
                if kind is None:
                    continue
                for eid in res.entries:
                    e = st.entries[eid]
                    if e is not None and e.field != "description":
                        out.append((iri, kind, e.text))
        return out

    def word_hits(self, prefix: str, cap: int, *, whole: bool = False) -> tuple[int, dict[str, str]]:
        """Resources with a name word (``"name"``) or else a description word (``"description"``)
        that starts with the folded ``prefix`` (is it, if ``whole``), and how many index entries
        that is. Nothing but the count when there are more than ``cap`` (a common word says
        little about anything): two ``bisect``s, then at most ``cap`` entries."""
        found: dict[str, str] = {}
        matches = (lambda w: w == prefix) if whole else (lambda w: w.startswith(prefix))
        with self.reading():
            st = self.state
            idx = st.index
            ranges = [("name", idx.name_words, idx.name_word_ids), ("description", idx.desc_words, idx.desc_word_ids)]
            bounds = [(fld, _word_range(words, prefix, whole), ids) for fld, words, ids in ranges]
            total = sum(hi - lo for _, (lo, hi), _ in bounds)
            overlay = [st.entries[eid] for eid in st.overlay]
            total += sum(1 for e in overlay if e is not None and any(matches(w) for w in e.words))
            if total > cap:
                return total, {}
            for fld, (lo, hi), ids in bounds:
                for i in range(lo, hi):
                    e = st.entries[ids[i]]
                    if e is not None and found.get(e.iri) != "name":
                        found[e.iri] = fld
            for e in overlay:
                if e is not None and any(matches(w) for w in e.words):
                    fld = "description" if e.field == "description" else "name"
                    if found.get(e.iri) != "name":
                        found[e.iri] = fld
        return total, found

    def size(self) -> int:
        """How many resources the index knows."""
        return len(self.state.resources)

    def stats(self) -> dict[str, Any]:
        st = self.state
        return {
            "resources": len(st.resources),
            "entries": sum(1 for e in st.entries if e is not None),
            "overlay": len(st.overlay),
            "builds": self.builds,
            "restored": self.restored,
            "deltas": self.deltas,
            "build_seconds": round(self.build_seconds, 3),
            "build_rss_bytes": self.build_rss_bytes,
            "generation": self.generation,
        }


def _all_words(tokens: list[str], words: tuple[str, ...]) -> bool:
    return all(any(w.startswith(t) for w in words) for t in tokens)


def snippet(text: str, folded_query: str, width: int = 80) -> str:
    """The part of ``text`` around the first match of the (folded) query, or its start."""
    folded, offsets = vocab.fold_with_offsets(text)
    pos = folded.find(folded_query)
    if pos < 0:
        first = folded_query.split()[0] if folded_query.split() else ""
        pos = folded.find(first) if first else -1
    if pos < 0 or len(text) <= width:
        return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"
    centre = offsets[pos]
    start = max(0, centre - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    return ("… " if start else "") + piece.strip() + (" …" if end < len(text) else "")
