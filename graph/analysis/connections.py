"""Connections for a new initiative: whom to talk to, what exists, what is asked for - and why.

An initiative ``{title, description, competencies, themes, region, levels, organisation}`` is
turned into *terms* (the given themes and competencies, plus theme/competency names recognised in
the title and description), and each term into its scope (narrower themes, the competencies of a
CanMEDS role). Then, over the projection:

1. **projects, materials, open needs** that address a term in scope score
   ``TERM_WEIGHT[origin] * (1.0 if they address the term itself else NARROWER_FACTOR)``, summed
   over distinct terms; then ``+LEVEL_BONUS`` if one of their education levels matches (narrower or
   broader levels count), ``*OTHER_LEVEL_FACTOR`` if they have levels and none matches, and
   ``+REGION_BONUS`` if they (or their lead organisation) lie in or around the region. Needs count
   only while open (no ``kp:metBy``): the initiative could answer them.
2. **organisations** behind the best ``BEHIND_TOP`` projects and materials score the item's score
   times ``ORG_ROLE_FACTOR`` of their role (lead 1.0, provider 0.8, partner 0.7, involved 0.5,
   funder 0.2), summed, ``+REGION_BONUS`` in the region; education hubs, consortia and networks of
   the region are always suggested (score ``REGION_BONUS``). The initiative's own organisation is
   left out.
3. **people** with expertise in a term score like a project; people with a membership on one of the
   best items score ``PERSON_FACTOR`` times the item's score.

Every suggestion carries its best ``PATHS_PER_ITEM`` explanation paths: chains of labelled edges
from one of the initiative's terms (or its region) to the suggestion. Bounded: each term walks at
most ``TERM_BUDGET`` statements, each list is capped at ``limit``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import KP
from ..vocab import MEMBERSHIP
from . import concepts
from .network import Projection
from .search import SearchIndex

TERM_WEIGHT = {"given": 1.0, "recognised": 0.8}
NARROWER_FACTOR = 0.7
LEVEL_BONUS = 0.5
OTHER_LEVEL_FACTOR = 0.5
REGION_BONUS = 0.5
PERSON_FACTOR = 0.8
ORG_ROLE_FACTOR = {
    KP + "leadOrganisation": 1.0,
    KP + "provider": 0.8,
    KP + "partnerOrganisation": 0.7,
    KP + "involvedOrganisation": 0.5,
    KP + "funder": 0.2,
}
BEHIND_TOP = 50
REFINE_CAP = 800
PATHS_PER_ITEM = 3
TERM_BUDGET = 20_000

ADDRESSES = (KP + "addressesTheme", KP + "addressesCompetency")
EXPERTISE = KP + "expertise"
PROJECT, PROGRAMME = KP + "Project", KP + "Programme"
MATERIAL, NEED, PERSON = KP + "Material", KP + "Need", KP + "Person"
ORGANISATION = KP + "Organisation"
REGIONAL = frozenset({KP + "EducationHub", KP + "Consortium", KP + "CareNetwork"})
PROJECTS = frozenset({PROJECT, PROGRAMME})
TERM_CLASSES = {KP + "Theme", KP + "Competency", KP + "CanMEDSRole"}


@dataclass
class Initiative:
    title: str
    description: str = ""
    competencies: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    region: str | None = None
    levels: list[str] = field(default_factory=list)
    organisation: str | None = None


@dataclass
class _Hit:
    score: float = 0.0
    terms: dict[str, float] = field(default_factory=dict)
    extra: list[tuple[float, list[str]]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    pending: Callable[[], list[tuple[float, list[str]]]] | None = None
    _term_paths: list[tuple[float, list[str]]] | None = None

    def path(self, weight: float, nodes: list[str]) -> None:
        self.extra.append((weight, nodes))

    @property
    def paths(self) -> list[tuple[float, list[str]]]:
        """The term paths (made on first use: only shown and "behind" items need them), then
        the others (level, region, organisation, membership)."""
        if self._term_paths is None:
            self._term_paths = self.pending() if self.pending else []
        return self._term_paths + self.extra


def recognise(index: SearchIndex, text: str) -> list[dict[str, Any]]:
    """Theme, competency and CanMEDS-role names found as whole phrases in free text."""
    found: dict[str, dict[str, Any]] = {}
    taken: set[int] = set()
    for iri, name, start, end in index.match_phrases(text, TERM_CLASSES):
        words = set(range(start, end))
        if iri in found or words & taken:
            continue  # a longer phrase already claimed these words
        taken |= words
        found[iri] = {"iri": iri, "matched": name}
    return list(found.values())


def connections(net: Projection, index: SearchIndex, initiative: Initiative, *, limit: int = 10, lang: str = "nl") -> dict[str, Any]:
    """Ranked people, organisations, projects, materials and open needs for an initiative."""
    text = " ".join(filter(None, [initiative.title, initiative.description]))
    recognised = recognise(index, text)
    with net.reading():
        terms: dict[str, str] = {}
        for iri in [*initiative.themes, *initiative.competencies]:
            terms[iri] = "given"
        for r in recognised:
            terms.setdefault(r["iri"], "recognised")
        level_scope = _level_scope(net, initiative.levels)
        region_scope = _region_scope(net, initiative.region)
        # only the best REFINE_CAP by term score are refined by level and region (bounded work)
        items, experts = _items(net, terms)
        for iri, hit in items.items():
            _adjust(net, iri, hit, level_scope, region_scope)
        projects = _top(items, lambda i: net.is_any(i, PROJECTS), 10_000)
        materials = _top(items, lambda i: net.is_a(i, MATERIAL), 10_000)
        needs = _top(items, lambda i: net.is_a(i, NEED) and not net.out(i, KP + "metBy"), 10_000)
        behind = sorted(projects + materials, key=lambda kv: -kv[1].score)[:BEHIND_TOP]
        orgs = _organisations(net, behind, region_scope, initiative.organisation)
        people = _people(net, behind, experts)
        return {
            "initiative": {
                "title": initiative.title,
                "terms": [{**net.node_json(t, lang), "origin": o} for t, o in terms.items()],
                "recognised": [{**net.node_json(r["iri"], lang), "matched": r["matched"]} for r in recognised],
                "levels": [net.node_json(level, lang) for level in initiative.levels],
                "region": net.node_json(initiative.region, lang) if initiative.region else None,
                "organisation": net.node_json(initiative.organisation, lang) if initiative.organisation else None,
            },
            "people": _render(net, people, limit, lang),
            "organisations": _render(net, orgs, limit, lang),
            "projects": _render(net, projects, limit, lang),
            "materials": _render(net, materials, limit, lang),
            "needs": _render(net, needs, limit, lang),
        }


def _level_scope(net: Projection, levels: list[str]) -> dict[str, list[str]]:
    """``{level: path from an asked level to it}``: narrower and broader levels both match."""
    scope: dict[str, list[str]] = {}
    for level in levels:
        for member, chain in concepts.below(net, level).items():
            scope.setdefault(member, chain[::-1])
        for broader, chain in concepts.above(net, level).items():
            scope.setdefault(broader, chain)
    return scope


def _region_scope(net: Projection, region: str | None) -> dict[str, list[str]]:
    """``{region: path from the asked region to it}``: regions within it and around it."""
    if not region:
        return {}
    scope = {member: chain[::-1] for member, chain in concepts.below(net, region, concepts.WITHIN).items()}
    for outer, chain in concepts.above(net, region, concepts.WITHIN).items():
        scope.setdefault(outer, chain)
    return scope


def _items(net: Projection, terms: dict[str, str]) -> tuple[dict[str, _Hit], dict[str, _Hit]]:
    """Things that address a term in scope, and people with expertise in one, as ``_Hit``s for
    the best ``REFINE_CAP`` of each by term score (ties: by IRI).

    Two passes, so a hub theme with thousands of projects costs a few dict updates per item:

    1. score: per term, each item's best weight over the scope members it addresses (only the
       ``addresses*``/``expertise`` statements at each member, through the projection's
       by-predicate index; at most ``TERM_BUDGET`` statements per term), summed over terms;
    2. evidence, for the kept items only: from each item's own ``addresses*``/``expertise``
       statements back to the scope members, one path per (term, member) it addresses."""
    scopes: dict[str, dict[str, list[str]]] = {}
    per_term: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    ranked: dict[str, tuple[list[str], list[str]]] = {}
    for term, origin in terms.items():
        scope, local_items, local_experts, ranked_items, ranked_experts = _term_reach(net, term, TERM_WEIGHT[origin])
        scopes[term] = scope
        per_term[term] = (local_items, local_experts)
        ranked[term] = (ranked_items, ranked_experts)

    positions: dict[str, dict[str, int]] = {}

    def hits(which: int, predicates: tuple[str, ...]) -> dict[str, _Hit]:
        if not per_term:
            return {}
        best = _merged_best([p[which] for p in per_term.values()], [r[which] for r in ranked.values()], REFINE_CAP)
        out: dict[str, _Hit] = {}
        for iri, score in best:
            hit = out[iri] = _Hit(score=score)
            for term, locals_ in per_term.items():
                weight = locals_[which].get(iri)
                if weight is not None:
                    hit.terms[term] = weight
            # (no reference to the hit itself: a hit -> closure -> hit cycle would leave
            # every answer's hits to the cyclic collector, whose passes cost ~0.25 s at 1M)
            hit.pending = lambda iri=iri, given=hit.terms: term_paths(iri, given, predicates)
        return out

    def term_paths(iri: str, given: dict[str, float], predicates: tuple[str, ...]) -> list[tuple[float, list[str]]]:
        found = []
        addressed = [c for p in predicates for c in net.out(iri, p)]
        for term in given:
            scope = scopes[term]
            base = TERM_WEIGHT[terms[term]]
            order = positions.get(term)
            if order is None:
                order = positions[term] = {m: i for i, m in enumerate(scope)}
            for member in sorted((c for c in addressed if c in scope), key=order.__getitem__):
                found.append((base * (1.0 if member == term else NARROWER_FACTOR), [*reversed(scope[member]), iri]))
        return found

    return hits(0, ADDRESSES), hits(1, (EXPERTISE,))


def _best_scores(scores: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The ``n`` best ``(iri, score)``, highest score first, ties by IRI (highest first, as
    ``heapq.nlargest`` on ``(score, iri)`` would give): scores take few distinct values (sums of
    term weights), so items are grouped by score and only the last group needed is sorted."""
    groups: dict[float, list[str]] = {}
    for iri, score in scores.items():
        group = groups.get(score)
        if group is None:
            groups[score] = [iri]
        else:
            group.append(iri)
    out: list[tuple[str, float]] = []
    for score in sorted(groups, reverse=True):
        left = n - len(out)
        if left <= 0:
            break
        group = groups[score]
        chosen = sorted(group, reverse=True)[:left] if len(group) > left else sorted(group, reverse=True)
        out.extend((iri, score) for iri in chosen)
    return out


TERM_MEMO = 256


def _ranked(weights: dict[str, float]) -> list[str]:
    """IRIs by (weight, IRI), highest first: the order ``_best_scores`` keeps."""
    return sorted(weights, key=lambda iri: (weights[iri], iri), reverse=True)


def _merged_best(locals_: list[dict[str, float]], ranked: list[list[str]], n: int) -> list[tuple[str, float]]:
    """The ``n`` best ``(iri, summed weight)`` over several terms' ``{iri: weight}``, exactly as
    ``_best_scores`` on the full sums would give, without summing every item of a hub theme:
    items reached by two or more terms are summed; of the others only the first ``n`` of each
    term's ranked list can make the cut (anything below them is beaten by ``n`` items)."""
    if len(locals_) == 1:
        weights = locals_[0]
        return [(iri, weights[iri]) for iri in ranked[0][:n]]
    multi: set[str] = set()
    for i, a in enumerate(locals_):
        for b in locals_[i + 1 :]:
            multi |= a.keys() & b.keys()
    scores = {iri: sum(w.get(iri, 0.0) for w in locals_) for iri in multi}
    for weights, order in zip(locals_, ranked, strict=True):
        taken = 0
        for iri in order:
            if taken >= n:
                break
            if iri not in multi:
                scores[iri] = weights[iri]
                taken += 1
    return _best_scores(scores, n)


def _term_reach(net: Projection, term: str, base: float) -> tuple:
    """``(scope, {item: weight}, {expert: weight})`` of one term: its scope (``concepts.scope_of``)
    and, for every item that addresses a member (``kp:addressesTheme``/``Competency``) and every
    person with ``kp:expertise`` in one, the best weight (``base``, or ``base * NARROWER_FACTOR``
    through a narrower member). Only those statements are read (the projection's by-predicate
    index), at most ``TERM_BUDGET`` of them, members nearest the term first. Memoised per store
    generation (``TERM_MEMO`` terms): a hub theme is walked once, not on every request."""
    memo = net.__dict__.get("_term_reach")
    if memo is None or memo[0] != net.generation:
        memo = net.__dict__["_term_reach"] = (net.generation, OrderedDict(), threading.Lock())
    key = (term, base)
    with memo[2]:
        found = memo[1].get(key)
    if found is not None:
        return found
    pin = net.state.pin
    budget = TERM_BUDGET
    scope = concepts.scope_of(net, term)
    local_items: dict[str, float] = {}
    local_experts: dict[str, float] = {}
    for member in scope:
        if budget <= 0:
            break
        weight = base * (1.0 if member == term else NARROWER_FACTOR)
        by_pred = pin.get(member)
        if not by_pred:
            continue
        for predicate, local in ((ADDRESSES[0], local_items), (ADDRESSES[1], local_items), (EXPERTISE, local_experts)):
            statements = by_pred.get(predicate)
            if not statements:
                continue
            for other in statements:
                budget -= 1
                if budget < 0:
                    break
                if weight > local.get(other, 0.0):
                    local[other] = weight
    found = (scope, local_items, local_experts, _ranked(local_items), _ranked(local_experts))
    with memo[2]:
        memo[1][key] = found
        if len(memo[1]) > TERM_MEMO:
            memo[1].popitem(last=False)
    return found


def _adjust(net: Projection, iri: str, hit: _Hit, level_scope: dict[str, list[str]], region_scope: dict[str, list[str]]) -> None:
    if level_scope:
        levels = net.out(iri, KP + "educationLevel")
        matching = [lv for lv in levels if lv in level_scope]
        if matching:
            hit.score += LEVEL_BONUS
            hit.reasons.append("level")
            hit.path(LEVEL_BONUS, [*level_scope[matching[0]], iri])
        elif levels:
            hit.score *= OTHER_LEVEL_FACTOR
            hit.reasons.append("other level")
    if region_scope:
        for region in net.out(iri, KP + "region"):
            if region in region_scope:
                hit.score += REGION_BONUS
                hit.reasons.append("region")
                hit.path(REGION_BONUS, [*region_scope[region], iri])
                break
        else:
            for lead in net.out(iri, KP + "leadOrganisation"):
                regions = [r for r in net.out(lead, KP + "region") if r in region_scope]
                if regions:
                    hit.score += REGION_BONUS
                    hit.reasons.append("region")
                    hit.path(REGION_BONUS, [*region_scope[regions[0]], lead, iri])
                    break


def _top(items: dict[str, _Hit], keep, cap: int) -> list[tuple[str, _Hit]]:
    chosen = [(iri, hit) for iri, hit in items.items() if keep(iri)]
    chosen.sort(key=lambda kv: (-kv[1].score, kv[0]))
    return chosen[:cap]


def _organisations(net: Projection, behind: list[tuple[str, _Hit]], region_scope: dict[str, list[str]], own: str | None) -> list[tuple[str, _Hit]]:
    orgs: dict[str, _Hit] = {}
    for item, hit in behind:
        best_path = max(hit.paths, key=lambda p: p[0])[1] if hit.paths else [item]
        for other, (rid, subject, _) in net.entries(item):
            predicate = net.rel(rid).predicate
            factor = ORG_ROLE_FACTOR.get(predicate)
            if factor is None or subject != item or other == own:
                continue
            org = orgs.setdefault(other, _Hit())
            gain = hit.score * factor
            org.score += gain
            org.path(gain, [*best_path, other])
    if region_scope:
        for region, chain in region_scope.items():
            for other in _region_organisations(net, region):
                if other == own:
                    continue
                org = orgs.get(other)
                if org is None:
                    if not net.is_any(other, REGIONAL):
                        continue
                    org = orgs[other] = _Hit()
                org.score += REGION_BONUS
                org.reasons.append("region")
                org.path(REGION_BONUS, [*chain, other])
    return sorted(orgs.items(), key=lambda kv: (-kv[1].score, kv[0]))


def _region_organisations(net: Projection, region: str) -> list[str]:
    """The organisations with ``kp:region`` ``region`` (a region node also links to thousands
    of projects), memoised per store generation."""
    memo = net.__dict__.get("_region_orgs")
    if memo is None or memo[0] != net.generation:
        memo = net.__dict__["_region_orgs"] = (net.generation, {})
    found = memo[1].get(region)
    if found is None:
        found = memo[1][region] = [o for o in net.into(region, KP + "region") if net.is_a(o, ORGANISATION)]
    return found


def _people(net: Projection, behind: list[tuple[str, _Hit]], experts: dict[str, _Hit]) -> list[tuple[str, _Hit]]:
    people: dict[str, _Hit] = {p: h for p, h in experts.items() if net.is_a(p, PERSON)}
    for hit in people.values():
        hit.reasons.append("expertise")
    for item, hit in behind:
        best_path = max(hit.paths, key=lambda p: p[0])[1] if hit.paths else [item]
        for other, (rid, subject, _) in net.entries(item):
            if net.rel(rid).predicate != MEMBERSHIP or subject != other:
                continue
            person = people.setdefault(other, _Hit())
            gain = hit.score * PERSON_FACTOR
            person.score += gain
            person.path(gain, [*best_path, other])
    return sorted(people.items(), key=lambda kv: (-kv[1].score, kv[0]))


def _render(net: Projection, ranked: list[tuple[str, _Hit]], limit: int, lang: str) -> list[dict[str, Any]]:
    out = []
    for iri, hit in ranked[:limit]:
        paths = []
        seen: set[tuple[str, ...]] = set()
        for _, nodes in sorted(hit.paths, key=lambda p: (-p[0], len(p[1]))):
            if tuple(nodes) in seen or len(nodes) < 2:
                continue
            seen.add(tuple(nodes))
            paths.append(net.path_json(nodes, lang))
            if len(paths) >= PATHS_PER_ITEM:
                break
        out.append(
            {
                **net.node_json(iri, lang),
                "score": round(hit.score, 3),
                "terms": [net.node_json(t, lang) for t in hit.terms],
                "reasons": sorted(set(hit.reasons)),
                "paths": paths,
            }
        )
    return out
