"""Related projects: a transparent score over what two projects share.

For a project P, each other project Q scores

    score(P, Q) = sum over items f shared by P and Q of  weight[kind(f)] * specificity(f)
                + weight["link"] if P and Q are directly linked (kp:partOfProject, kp:followUpOf)

with ``specificity(f) = 1 / (1 + log2(df(f) / 2))``, ``df(f)`` the number of projects that have f:
an item only two projects share counts fully (1.0), one shared by 16 projects a quarter, one shared
by 1,000 about a tenth. Each result lists every shared item with its kind, weight, df and
contribution, and an explanation path P - f - Q.

The kinds and their default weights (``DEFAULT_WEIGHTS``; override per call, or for the service
with ``KNOOPPUNT_RELATED_WEIGHTS="theme=3,person=2"``):

============  ==========================================================  =======
kind          what P and Q share                                          weight
============  ==========================================================  =======
theme         a theme (``kp:addressesTheme``)                             4.0
competency    a competency or CanMEDS role (``kp:addressesCompetency``)   3.0
person        a person with a membership on both                          2.5
organisation  a lead/partner/involved organisation                        1.5
programme     the programme (``kp:programme``) or parent project           1.0
region        a region (``kp:region``)                                    1.0
level         an education level (``kp:educationLevel``)                  0.5
funder        a funder (``kp:funder``)                                    0.5
link          P is part of / a follow-up of Q or the other way round      3.0
============  ==========================================================  =======

Bounded by design (no 2-hop Jaccard through hubs per request): candidates are nominated only through
items with at most ``hub_limit`` neighbours; items above it (the biggest hub, a programme with 40%
of all projects) still *count* for every candidate found another way, but do not nominate. At most
``CANDIDATE_CAP`` candidates are scored, and answers are cached per store generation.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..namespaces import KP
from ..vocab import MEMBERSHIP
from . import weights
from .network import Projection

DEFAULT_WEIGHTS: dict[str, float] = {
    "theme": 4.0,
    "competency": 3.0,
    "person": 2.5,
    "organisation": 1.5,
    "programme": 1.0,
    "region": 1.0,
    "level": 0.5,
    "funder": 0.5,
    "link": 3.0,
}
FEATURE_PREDICATES: dict[str, str] = {
    KP + "addressesTheme": "theme",
    KP + "addressesCompetency": "competency",
    KP + "leadOrganisation": "organisation",
    KP + "partnerOrganisation": "organisation",
    KP + "involvedOrganisation": "organisation",
    KP + "programme": "programme",
    KP + "partOfProject": "programme",
    KP + "region": "region",
    KP + "educationLevel": "level",
    KP + "funder": "funder",
}
LINK_PREDICATES = (KP + "partOfProject", KP + "followUpOf")
PROJECT = KP + "Project"
HUB_LIMIT = 300
CANDIDATE_CAP = 2000
CACHE_SIZE = 2048


def weights_from_env(environ: dict[str, str] | None = None) -> dict[str, float]:
    """``DEFAULT_WEIGHTS`` overridden by ``KNOOPPUNT_RELATED_WEIGHTS`` ("theme=3,person=2")."""
    return weights.from_env("KNOOPPUNT_RELATED_WEIGHTS", DEFAULT_WEIGHTS, environ)


def parse_weights(text: str) -> dict[str, float]:
    """``"theme=3,person=2"`` -> the default weights with those changed; ValueError if malformed."""
    return weights.parse(text, DEFAULT_WEIGHTS)


def specificity(df: int) -> float:
    return 1.0 / (1.0 + math.log2(max(df, 2) / 2))


@dataclass
class Related:
    """Related-project rankings over one projection, cached per store generation."""

    net: Projection
    weights: dict[str, float]
    hub_limit: int = HUB_LIMIT

    def __post_init__(self) -> None:
        self._cache: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
        self._features: dict[str, dict[str, set[str]]] = {}
        self._df: dict[str, int] = {}
        self._generation: int | None = None
        self._lock = threading.Lock()

    def _sync(self) -> None:
        if self._generation != self.net.generation:
            self._cache.clear()
            self._features.clear()
            self._df.clear()
            self._generation = self.net.generation

    def features(self, project: str) -> dict[str, set[str]]:
        """``{item: {kinds}}`` of one project, from its edges (cost: its degree)."""
        found = self._features.get(project)
        if found is not None:
            return found
        net = self.net
        out: dict[str, set[str]] = {}
        for other, (rid, subject, _) in net.entries(project):
            rel = net.rel(rid)
            if rel.predicate == MEMBERSHIP:
                if subject == other:  # a person's membership on this project
                    out.setdefault(other, set()).add("person")
            elif subject == project and rel.predicate in FEATURE_PREDICATES:
                out.setdefault(other, set()).add(FEATURE_PREDICATES[rel.predicate])
        self._features[project] = out
        return out

    def projects_with(self, item: str) -> list[str]:
        """Projects that have ``item`` as a feature (cost: the statements of the feature
        predicates at ``item``, through the projection's by-predicate index - not its degree)."""
        net = self.net
        st = net.state
        out: dict[str, None] = {}
        for person_of in st.pout.get(item, {}).get(MEMBERSHIP, ()):  # item is a person
            if net.is_a(person_of, PROJECT):
                out[person_of] = None
        by_pred = st.pin.get(item)
        if by_pred:
            for predicate in FEATURE_PREDICATES:
                for q in by_pred.get(predicate, ()):
                    if q not in out and net.is_a(q, PROJECT):
                        out[q] = None
        return list(out)

    def df(self, item: str) -> int:
        if item not in self._df:
            self._df[item] = len(self.projects_with(item))
        return self._df[item]

    def related(self, project: str, limit: int = 10, weights: dict[str, float] | None = None, lang: str = "nl") -> list[dict[str, Any]]:
        """The ``limit`` best related projects of ``project`` with their shared items."""
        weights = weights or self.weights
        with self.net.reading():
            key = (project, tuple(sorted(weights.items())))
            with self._lock:
                self._sync()
                ranked = self._cache.get(key)
            if ranked is None:
                ranked = self._rank(project, weights)
                with self._lock:
                    self._cache[key] = ranked
                    if len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
            return [self._render(project, row, weights, lang) for row in ranked[:limit]]

    def _rank(self, project: str, weights: dict[str, float], keep: int = 100) -> list[tuple[float, str, list, bool]]:
        """``(score, candidate, [(contribution, item, kind, df)], linked)``, best first."""
        net = self.net
        mine = self.features(project)
        # nominate candidates through specific items, most specific first
        nominated: dict[str, float] = {}
        for item in sorted(mine, key=net.degree):
            if net.degree(item) > self.hub_limit:
                continue
            spec = specificity(self.df(item))
            gain = max(weights.get(k, 0.0) for k in mine[item]) * spec
            for q in self.projects_with(item):
                if q != project:
                    nominated[q] = nominated.get(q, 0.0) + gain
            if len(nominated) > 4 * CANDIDATE_CAP:
                break
        links = {other for other, (rid, _s, _) in net.entries(project) if net.rel(rid).predicate in LINK_PREDICATES and net.is_a(other, PROJECT)}
        for other in links:
            nominated.setdefault(other, 0.0)
        candidates = sorted(nominated, key=lambda q: (-nominated[q], q))[:CANDIDATE_CAP]
        rows = []
        for q in candidates:
            theirs = self.features(q)
            shared = []
            total = 0.0
            for item in mine.keys() & theirs.keys():
                kinds = mine[item] & theirs[item]
                if not kinds:
                    continue
                kind = max(kinds, key=lambda k: weights.get(k, 0.0))
                df = self.df(item)
                contribution = weights.get(kind, 0.0) * specificity(df)
                total += contribution
                shared.append((contribution, item, kind, df))
            linked = q in links
            if linked:
                total += weights.get("link", 0.0)
            if total > 0:
                rows.append((total, q, shared, linked))
        rows.sort(key=lambda r: (-r[0], r[1]))
        return rows[:keep]

    def _render(self, p: str, row: tuple[float, str, list, bool], weights: dict[str, float], lang: str) -> dict[str, Any]:
        net = self.net
        total, q, shared_raw, linked = row
        shared = [
            {
                **net.node_json(item, lang),
                "kind": kind,
                "weight": weights.get(kind, 0.0),
                "projects_sharing": df,
                "contribution": round(contribution, 3),
                "path": net.path_json([p, item, q], lang),
            }
            for contribution, item, kind, df in shared_raw
        ]
        shared.sort(key=lambda s: (-s["contribution"], s["label"]))
        links = []
        if linked:
            links.append({"kind": "link", "weight": weights.get("link", 0.0), "path": net.path_json([p, q], lang, LINK_PREDICATES)})
        return {**net.node_json(q, lang), "score": round(total, 3), "shared": shared, "links": links}
