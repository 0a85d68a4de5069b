"""Likely duplicates: a new name or homepage that an existing resource of the same kind already has.

Every form, proposal and import asks before it writes. A resource is a *candidate* when a change
gives it a name (``rdfs:label``, ``skos:prefLabel``, ``foaf:name``, ``skos:altLabel``) or a homepage
(``schema:url``, ``foaf:homepage``). It is a likely duplicate of an existing resource of the same
kind (``{base}/id/{kind}/...``; projects and programmes count as one kind) when:

- ``same-name``: a name of one folds to a name of the other (``vocab.fold``: case, accents,
  punctuation and spacing do not count; "UMCG" and the alternative name "UMCG"), alternative names
  included on both sides;
- ``near-name``: the names agree without a part in brackets ("Universitair Medisch Centrum Groningen"
  and "Universitair Medisch Centrum Groningen (UMCG)"), or the bracketed part is the other's name,
  or they differ by a typo (similarity of the folded names >= ``NEAR``), or the shorter name's words
  (two or more) are at least half of the longer one's ("Hospice Kuria" and "Hospice Kuria
  Amsterdam"; "Proactieve zorgplanning bij dementie" and "… bij dementie in het mbo");
- ``same-homepage``: the same web address up to scheme, ``www.`` and a trailing ``/``.

Candidates are found through the search index (``graph.analysis.search``: its folding, exact and
prefix look-ups, and ``match_phrases`` for existing names inside the new one), so a check costs a
few look-ups per name, each a dict access or a binary search, never a scan of the store;
homepages are exact look-ups in the store. Duplicates are advice, never a refusal: the API returns
them as warnings with the existing IRI, the forms show them before anything is written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode

from .. import vocab
from ..namespaces import FOAF, KP, SCHEMA

NAME_PREDICATES = frozenset(vocab.LABEL_PREDICATES) | {vocab.ALT_PREDICATES[0]}
HOMEPAGE_PREDICATES = (SCHEMA + "url", FOAF + "homepage")
NEAR = 0.9
PREFIX_LIMIT = 20
"""Names looked at per prefix or neighbourhood look-up (the index keeps them in folded order)."""
COVER = 0.5
"""The shorter name's words (two or more) are at least this share of the longer one's."""
CLASSES = {"project": (KP + "Project", KP + "Programme"), "organisatie": (KP + "Organisation",),
           "materiaal": (KP + "Material",), "persoon": (KP + "Person",)}
"""Classes whose names may occur inside a new name of the kind (``SearchIndex.match_phrases``)."""
KIND_GROUPS = {"programma": "project"}
_BRACKETS = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*")
REASONS = {
    "same-name": ("heeft dezelfde naam", "has the same name"),
    "near-name": ("heeft bijna dezelfde naam", "has nearly the same name"),
    "same-homepage": ("heeft dezelfde website", "has the same website"),
}


@dataclass
class Candidate:
    """What a change says about one resource that could duplicate another."""

    iri: str | None
    kind: str
    names: list[str]
    homepages: list[str]


@dataclass
class Duplicate:
    iri: str | None
    """The new or changed resource (``None`` for a proposal not yet approved)."""
    name: str
    existing: str
    """The IRI of the resource it may duplicate (or of a pending proposal)."""
    existing_label: str
    matched: str
    """The existing resource's name or homepage that matched."""
    reason: str
    """``same-name``, ``near-name`` or ``same-homepage``."""

    def message(self, lang: str = "nl") -> str:
        nl, en = REASONS[self.reason]
        if lang == "en":
            return f"“{self.name}” may already exist: {self.existing_label} <{self.existing}> {en} (“{self.matched}”)."
        return f"“{self.name}” bestaat misschien al: {self.existing_label} <{self.existing}> {nl} (“{self.matched}”)."

    def as_dict(self) -> dict:
        d = asdict(self)
        d["severity"] = "Warning"
        d["message"] = {"nl": self.message("nl"), "en": self.message("en")}
        return d


def group(kind: str) -> str:
    return KIND_GROUPS.get(kind, kind)


def keys(name: str) -> set[str]:
    """The folded forms a name is known by: whole, without brackets, and the bracketed part."""
    out = {vocab.fold(name), vocab.fold(_BRACKETS.sub(" ", name))}
    out |= {vocab.fold(m) for m in _BRACKETS.findall(name)}
    return {k for k in out if len(k) >= 2}


def homepage_variants(url: str) -> list[str]:
    """The spellings of one web address up to scheme, ``www.``, case of the host and a trailing ``/``
    (each looked up exactly in the store)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return [url]
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return [f"{scheme}://{h}{p}{query}" for scheme in ("https", "http") for h in (host, "www." + host)
            for p in (path, path + "/")]


def near(a: str, b: str) -> bool:
    """Two names that likely name the same thing (see the module docstring)."""
    ka, kb = keys(a), keys(b)
    if ka & kb:
        return True
    for x in ka:
        for y in kb:
            m = difflib.SequenceMatcher(None, x, y)
            if m.real_quick_ratio() >= NEAR and m.quick_ratio() >= NEAR and m.ratio() >= NEAR:
                return True
            short, long_ = sorted((x.split(), y.split()), key=len)
            if len(short) >= 2 and set(short) <= set(long_) and len(short) / len(long_) >= COVER:
                return True
    return False


class Checker:
    """Finds likely duplicates against the public graph, through a search index.

    ``index``: the service's ``SearchIndex`` (kept in step with writes); without one, a private
    index is built on first use (the command line), so a check with no candidates costs nothing.
    """

    def __init__(self, store, index=None) -> None:
        self.store = store
        self._index = index
        self.entities = vocab.Entities(store.settings.base)

    @property
    def index(self):
        if self._index is None:
            from ..analysis.search import SearchIndex

            self._index = SearchIndex(self.store)
        return self._index

    def find(self, candidates: Iterable[Candidate], *, ignore: Iterable[str] = ()) -> list[Duplicate]:
        """Likely duplicates of each candidate (itself, and the IRIs in ``ignore``, excluded)."""
        out: list[Duplicate] = []
        seen: set[tuple[str | None, str]] = set()
        ignore = set(ignore)
        for c in candidates:
            skip = ignore | ({c.iri} if c.iri else set())
            for d in self._by_name(c, skip) + self._by_homepage(c, skip):
                if (c.iri, d.existing) not in seen:
                    seen.add((c.iri, d.existing))
                    out.append(d)
        return out

    def _by_name(self, c: Candidate, skip: set[str]) -> list[Duplicate]:
        """Index look-ups only, each a dict access or a binary search: existing names equal to one
        of the name's keys, names that start with it (``… (UMCG)``), names inside it
        (``match_phrases``) and, only when none of those is close, the names next to it in sorted
        order (a typo late in a name sorts it next to the right one: "Groningn"). The names the
        index returns are compared as they are: no store reads."""
        found: list[Duplicate] = []
        classes = set(CLASSES.get(group(c.kind), ()))
        for name in c.names:
            hits: list[tuple[str, str]] = []
            for key in keys(name):
                hits += self.index.named(key) + self.index.names_with_prefix(key + " ", PREFIX_LIMIT)
            hits += [(iri, text) for iri, text, _, _ in self.index.match_phrases(name, classes)]
            close = self._close(c, name, hits, skip)
            if not close:
                close = self._close(c, name, self.index.names_around(vocab.fold(name), PREFIX_LIMIT), skip)
            found += close
        found.sort(key=lambda d: d.reason != "same-name")  # the strongest reason for each pair first
        return found

    def _close(self, c: Candidate, name: str, hits: list[tuple[str, str]], skip: set[str]) -> list[Duplicate]:
        """Of ``(iri, existing name)`` pairs, those of the candidate's kind whose name is the same as
        ``name`` or near it, one per resource (a same name before a near one)."""
        best: dict[str, tuple[bool, str]] = {}
        folded = vocab.fold(name)
        for iri, text in hits:
            if iri in skip or group(self.entities.kind(iri)) != group(c.kind) or best.get(iri, (False,))[0]:
                continue
            same = vocab.fold(text) == folded
            if same or (iri not in best and near(name, text)):
                best[iri] = (same, text)
        return [Duplicate(c.iri, name, iri, self._label(iri), text, "same-name" if same else "near-name")
                for iri, (same, text) in best.items()]

    def _by_homepage(self, c: Candidate, skip: set[str]) -> list[Duplicate]:
        if not c.homepages:
            return []
        public = set(self.store.public_graphs())
        found = []
        for url in c.homepages:
            for variant in homepage_variants(url):
                try:
                    node = NamedNode(variant)
                except ValueError:
                    continue
                for p in HOMEPAGE_PREDICATES:
                    for q in self.store.quads(None, NamedNode(p), node, None):
                        iri = q.subject.value
                        if (q.graph_name in public and iri not in skip and iri in self.entities
                                and group(self.entities.kind(iri)) == group(c.kind)):
                            found.append(Duplicate(c.iri, url, iri, self._label(iri), variant, "same-homepage"))
        return found

    def _label(self, iri: str) -> str:
        with self.index.reading():
            return self.index.label(iri)

    # --- the write path ------------------------------------------------------------------------
    def candidates(self, added: Iterable) -> list[Candidate]:
        """Resources an added set of quads gives a name or a homepage (entities only)."""
        by: dict[str, Candidate] = {}
        for q in added:
            s, p = q.subject, q.predicate.value
            if not isinstance(s, NamedNode) or s.value not in self.entities:
                continue
            if p in NAME_PREDICATES and isinstance(q.object, Literal):
                c = by.setdefault(s.value, Candidate(s.value, self.entities.kind(s.value), [], []))
                if q.object.value not in c.names:
                    c.names.append(q.object.value)
            elif p in HOMEPAGE_PREDICATES and isinstance(q.object, NamedNode):
                c = by.setdefault(s.value, Candidate(s.value, self.entities.kind(s.value), [], []))
                c.homepages.append(q.object.value)
        return list(by.values())

    def __call__(self, delta) -> list[Duplicate]:
        """Likely duplicates a delta creates (``ingest.commit(duplicates=...)``): resources it
        deletes (their type removed) are not counted as existing; two new resources of one delta
        with the same name are reported too."""
        candidates = self.candidates(delta.added)
        if not candidates:
            return []
        going = {q.subject.value for q in delta.removed if q.predicate.value == vocab.TYPE}
        out = self.find(candidates, ignore=going)
        seen: dict[tuple[str, str], Candidate] = {}
        for c in candidates:  # within the change itself
            for name in c.names:
                for k in keys(name):
                    other = seen.get((group(c.kind), k))
                    if other is not None and other.iri != c.iri:
                        out.append(Duplicate(c.iri, name, other.iri or "", other.names[0], name, "same-name"))
                        break
                    seen[(group(c.kind), k)] = c
        return out
