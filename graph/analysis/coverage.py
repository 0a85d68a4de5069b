"""Coverage of a competency, CanMEDS role or theme, and the gaps in the whole landscape.

``coverage(concept)``: what exists for it (and its narrower concepts) - materials, courses,
projects, experts, curricula that cover it (``kp:Coverage``: year, level, variant) and needs - each
with the path from the concept.

``gaps(level, region, curriculum)``: competencies and themes with no material, no expert or no
curriculum coverage (within the level and region asked), the open needs nobody answers (no
``kp:metBy``), and - for one curriculum - the competencies of its level it does not cover in any
study year, each with materials and practice partners that do address it.

A competency counts as "at a level" when its ``kp:educationLevel`` is that level, a narrower or a
broader one; something is "in a region" when its ``kp:region`` (or that of the organisation behind
it) lies in the region or around it. Answers are cached per store generation.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from typing import Any

from ..namespaces import KP
from ..vocab import COVERAGE, MEMBERSHIP
from . import concepts
from .network import Projection

ADDRESSES = (KP + "addressesTheme", KP + "addressesCompetency")
MATERIAL, COURSE, NEED = KP + "Material", KP + "Course", KP + "Need"
PROJECT, PROGRAMME, EVENT = KP + "Project", KP + "Programme", KP + "Event"
PERSON, CURRICULUM = KP + "Person", KP + "Curriculum"
CARE_ORG = KP + "CareOrganisation"
ORGANISATION = KP + "Organisation"
COMPETENCY, THEME = KP + "Competency", KP + "Theme"
STUDY_YEAR, VARIANT = KP + "studyYear", KP + "variant"
CATEGORY_CAP = 100
PROJECTS = frozenset({PROJECT, PROGRAMME})


def coverage(net: Projection, concept: str, *, limit: int = 20, lang: str = "nl") -> dict[str, Any]:
    """Everything that addresses, teaches or covers ``concept`` (and what lies under it)."""
    with net.reading():
        lists: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in ("materials", "courses", "projects", "events", "needs", "experts", "curricula")}

        def put(category: str, iri: str, nodes: list[str], extra: dict[str, Any] | None = None) -> None:
            bucket = lists[category]
            if iri in bucket:
                if extra and "coverage" in extra:
                    bucket[iri].setdefault("coverage", []).extend(extra["coverage"])
                return
            bucket[iri] = {"iri": iri, "nodes": nodes, **(extra or {})}  # rendered only if returned

        scope = concepts.scope_of(net, concept)
        pin = net.state.pin
        adj = net.G._adj  # noqa: SLF001
        for member, chain in scope.items():
            down = chain[::-1]
            by_pred = pin.get(member)
            if not by_pred:
                continue
            # only the statements that matter, through the by-predicate index (not the degree)
            for predicate in ADDRESSES:
                for other in by_pred.get(predicate, ()):
                    nodes = [*down, other]
                    if net.is_a(other, MATERIAL):
                        put("courses" if net.is_a(other, COURSE) else "materials", other, nodes)
                    elif net.is_any(other, PROJECTS):
                        put("projects", other, nodes)
                        if len(lists["experts"]) < CATEGORY_CAP * 5:
                            for person in net.into(other, MEMBERSHIP):
                                put("experts", person, [*nodes, person], {"how": "project"})
                    elif net.is_a(other, NEED):
                        put("needs", other, nodes, {"open": not net.out(other, KP + "metBy")})
                    elif net.is_a(other, EVENT):
                        put("events", other, nodes)
            for other in by_pred.get(KP + "expertise", ()):
                put("experts", other, [*down, other], {"how": "expertise"})
            for other in by_pred.get(COVERAGE, ()):
                for rid, subject, via in adj[member][other]["r"]:
                    rel = net.rel(rid)
                    if subject == other and rel.predicate == COVERAGE:
                        put("curricula", other, [*down, other], {"coverage": [_coverage_detail(net, via, rel.qualifier, lang)]})
        out: dict[str, Any] = {"concept": net.node_json(concept, lang), "scope": [net.node_json(m, lang) for m in scope]}
        for category, bucket in lists.items():
            rows = _best(net, bucket.values(), limit, lang)
            items = []
            for row in rows[:limit]:
                nodes = row.pop("nodes")
                items.append({**net.node_json(row["iri"], lang), **row, "path": net.path_json(nodes, lang)})
            out[category] = {"total": len(bucket), "items": items}
        return out


def _best(net: Projection, rows, limit: int, lang: str) -> list[dict[str, Any]]:
    """The first ``limit`` rows by (expertise first, path length, label, IRI) without sorting a
    hub's thousands of rows or reading all their labels: rows are grouped by the cheap part of
    the key, and labels are read only in the groups that reach the answer."""
    tiers: dict[tuple[bool, int], list[dict[str, Any]]] = {}
    for r in rows:
        tiers.setdefault((r.get("how") != "expertise", len(r["nodes"])), []).append(r)
    picked: list[dict[str, Any]] = []
    for tier in sorted(tiers):
        left = limit - len(picked)
        if left <= 0:
            break
        picked += heapq.nsmallest(left, tiers[tier], key=lambda r: (net.label(r["iri"], lang), r["iri"]))
    return picked


def _coverage_detail(net: Projection, via: str | None, level: str, lang: str) -> dict[str, Any]:
    rec = net.nary(via) if via else None
    details = rec.details if rec else {}
    year = details.get(STUDY_YEAR)
    return {
        "coverage": via,
        "level": level or None,
        "level_label": net.term_label(level, lang) if level else "",
        "study_year": int(year) if year and year.isdigit() else year,
        "variant": details.get(VARIANT),
    }


class Gaps:
    """The gap analysis, cached per (parameters, store generation)."""

    def __init__(self, net: Projection) -> None:
        self.net = net
        self._cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._nodes: dict[tuple, list[str]] = {}
        self._generation: int | None = None
        self._lock = threading.Lock()

    def _nodes_of(self, types: tuple[str, ...], subclasses: bool = False) -> list[str]:
        """The nodes whose primary type is one of ``types`` (or, with ``subclasses``, that are
        instances of one), sorted; one scan of the nodes per store generation (call under the
        lock that ``gaps`` holds; ``_generation`` is synced there)."""
        key = (types, subclasses)
        found = self._nodes.get(key)
        if found is None:
            if subclasses:
                found = sorted(n for n, t in self.net.G.nodes(data="type") if t in types or any(self.net.is_a(n, c) for c in types))
            else:
                found = sorted(n for n, t in self.net.G.nodes(data="type") if t in types)
            self._nodes[key] = found
        return found

    def gaps(self, *, level: str | None = None, region: str | None = None, curriculum: str | None = None, limit: int = 50, lang: str = "nl") -> dict[str, Any]:
        with self.net.reading():
            key = (level, region, curriculum, limit, lang)
            with self._lock:
                if self._generation != self.net.generation:
                    self._cache.clear()
                    self._nodes = {}
                    self._generation = self.net.generation
                hit = self._cache.get(key)
            if hit is None:
                hit = self._compute(level, region, curriculum, limit, lang)
                with self._lock:
                    self._cache[key] = hit
                    if len(self._cache) > 256:
                        self._cache.popitem(last=False)
            return hit

    def _compute(self, level: str | None, region: str | None, curriculum: str | None, limit: int, lang: str) -> dict[str, Any]:
        net = self.net
        levels = _around(net, level) if level else None
        regions = _around(net, region, concepts.WITHIN) if region else None
        concept_nodes = self._nodes_of((COMPETENCY, THEME))
        rows = {"no_material": [], "no_expert": [], "no_curriculum": []}
        checked = 0
        for concept in concept_nodes:
            if levels is not None and net.is_a(concept, COMPETENCY):
                own = net.out(concept, KP + "educationLevel")
                if own and not any(lv in levels for lv in own):
                    continue
            checked += 1
            found = _what_exists(net, concept, levels, regions)
            row = {**net.node_json(concept, lang), **{k: v for k, v in found.items()}}
            if not found["materials"]:
                rows["no_material"].append(row)
            if not found["experts"]:
                rows["no_expert"].append(row)
            if net.is_a(concept, COMPETENCY) and not found["curricula"]:
                rows["no_curriculum"].append(row)
        out: dict[str, Any] = {
            "level": net.node_json(level, lang) if level else None,
            "region": net.node_json(region, lang) if region else None,
            "concepts_checked": checked,
        }
        for name, items in rows.items():
            out[name] = {"total": len(items), "items": items[:limit]}
        needs = _open_needs(net, levels, regions, lang, self._nodes_of((NEED,), subclasses=True))
        out["open_needs"] = {"total": len(needs), "items": needs[:limit]}
        if curriculum:
            out["curriculum"] = _curriculum_gaps(net, curriculum, limit, lang)
        return out


def _around(net: Projection, iri: str, predicate: str = concepts.BROADER) -> set[str]:
    return set(concepts.below(net, iri, predicate)) | set(concepts.above(net, iri, predicate))


def _in_region(net: Projection, thing: str, regions: set[str]) -> bool:
    if any(r in regions for r in net.out(thing, KP + "region")):
        return True
    for predicate in (KP + "leadOrganisation", KP + "offeredBy", KP + "provider"):
        for org in net.out(thing, predicate):
            if any(r in regions for r in net.out(org, KP + "region")):
                return True
    return False


def _what_exists(net: Projection, concept: str, levels: set[str] | None, regions: set[str] | None) -> dict[str, int]:
    """How many materials, experts and curricula address/cover ``concept`` itself (each capped at
    ``CATEGORY_CAP``). Reads only the statements that count (the projection's by-predicate index),
    so a hub theme costs its materials and curricula, not its thousands of other links. Experts:
    the people with ``kp:expertise`` in it; if none, 1 when a project on it (in the region) has
    members."""
    counts = {"materials": 0, "experts": 0, "curricula": 0}
    by_pred = net.state.pin.get(concept)
    if not by_pred:
        return counts

    def level_ok(thing: str) -> bool:
        if levels is None:
            return True
        own = net.out(thing, KP + "educationLevel")
        return not own or any(lv in levels for lv in own)

    for predicate in ADDRESSES:
        for other in by_pred.get(predicate, ()):
            if counts["materials"] >= CATEGORY_CAP:
                break
            if net.is_a(other, MATERIAL) and level_ok(other):
                counts["materials"] += 1
    counts["experts"] = min(CATEGORY_CAP, len(by_pred.get(KP + "expertise", ())))
    if not counts["experts"]:
        for predicate in ADDRESSES:
            for other in by_pred.get(predicate, ()):
                if net.count_into(other, MEMBERSHIP) and net.is_any(other, PROJECTS) and (regions is None or _in_region(net, other, regions)):
                    counts["experts"] = 1
                    break
            if counts["experts"]:
                break
    for other in by_pred.get(COVERAGE, ()):
        if counts["curricula"] >= CATEGORY_CAP:
            break
        if level_ok(other) and (regions is None or _in_region(net, other, regions)):
            counts["curricula"] += 1
    return counts


def _open_needs(net: Projection, levels: set[str] | None, regions: set[str] | None, lang: str, needs: list[str]) -> list[dict[str, Any]]:
    out = []
    for need in needs:
        if net.out(need, KP + "metBy"):
            continue
        if regions is not None:
            places = [e for p in (KP + "raisedIn", KP + "raisedBy") for e in net.out(need, p)]
            if places and not any(_in_region(net, p, regions) for p in places):
                continue
        addressed = [c for p in ADDRESSES for c in net.out(need, p)]
        if levels is not None:
            lv = [x for c in addressed for x in net.out(c, KP + "educationLevel")]
            if lv and not any(x in levels for x in lv):
                continue
        row = {**net.node_json(need, lang), "addresses": [net.node_json(c, lang) for c in addressed]}
        raised = net.out(need, KP + "raisedIn") + net.out(need, KP + "raisedBy")
        if raised:
            row["path"] = net.path_json([need, raised[0]], lang)
        elif addressed:
            row["path"] = net.path_json([need, addressed[0]], lang)
        out.append(row)
    out.sort(key=lambda r: r["label"])
    return out


def _curriculum_gaps(net: Projection, curriculum: str, limit: int, lang: str) -> dict[str, Any]:
    """Competencies of the curriculum's level it covers in no study year, with who could help."""
    covered = {other for other, (rid, subject, _) in net.entries(curriculum) if subject == curriculum and net.rel(rid).predicate == COVERAGE}
    own_levels = net.out(curriculum, KP + "educationLevel")
    levels = set().union(*(_around(net, lv) for lv in own_levels)) if own_levels else None
    missing = []
    for concept, t in net.G.nodes(data="type"):
        if t != COMPETENCY or concept in covered:
            continue
        if levels is not None:
            own = net.out(concept, KP + "educationLevel")
            if own and not any(lv in levels for lv in own):
                continue
        materials, partners = [], {}
        for other, (rid, subject, _) in net.entries(concept):
            if subject != other or net.rel(rid).predicate not in ADDRESSES:
                continue
            if net.is_a(other, MATERIAL) and len(materials) < 5:
                materials.append({**net.node_json(other, lang), "path": net.path_json([concept, other], lang)})
            if net.is_any(other, {PROJECT, PROGRAMME, MATERIAL}):
                for org_pred in (KP + "leadOrganisation", KP + "partnerOrganisation", KP + "involvedOrganisation", KP + "provider"):
                    for org in net.out(other, org_pred):
                        if net.is_a(org, CARE_ORG) and org not in partners and len(partners) < 5:
                            partners[org] = {**net.node_json(org, lang), "path": net.path_json([concept, other, org], lang)}
        missing.append({**net.node_json(concept, lang), "materials": materials, "practice_partners": list(partners.values())})
    missing.sort(key=lambda r: r["label"])
    return {**net.node_json(curriculum, lang), "covered": len(covered), "not_covered": {"total": len(missing), "items": missing[:limit]}}
