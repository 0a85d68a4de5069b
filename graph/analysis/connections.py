"""Connections for a new initiative: whom to talk to, what exists, what is asked for - and why.

An initiative is a title and/or a description in Dutch, optionally with themes, competencies,
levels, a region and the user's organisation chosen in a form. It is read first
(:func:`understand`, with ``graph.analysis.dutch``): the names of themes, competencies and CanMEDS
roles, education levels, care settings, BOL/BBL, study years, regions and organisations found in
the text join what the form says. Then the whole graph is used to rank five lists; every weight
below is in ``DEFAULT_WEIGHTS`` and configurable (``KNOOPPUNT_CONNECTION_WEIGHTS``, or per request).

**Projects, materials and open needs** score ``topic × context × penalty``:

- ``topic`` = for each term: its weight (``given`` in the form, ``recognised`` in the text, times
  ``compound`` if only found inside a compound word) × its specificity ``1 / (1 + log2(df / 2) / 2)``
  (df: how many things address it: a theme a handful of projects share says more than one in
  every other project) × ``1`` if the item addresses the term itself, ``narrower`` through a
  narrower theme or competency, ``broader`` through the broader one; summed over terms. Plus
  ``text`` × the rarity (idf) of each word of the description found in the item's name (a word
  found only in its description counts half);
- ``context`` = ``1 + level`` (an education level matches; narrower and broader levels count)
  ``+ region × nearness`` (``graph.analysis.places``: in the region 1, around it 0.6, nearby
  0.5, national 0.3) ``+ setting`` (a care setting matches) ``+ variant`` (BOL/BBL matches);
- ``penalty`` = ``other_level`` when the item has education levels and none matches.

Items with no topic but a matching level, region or setting (when there are few) score
``CONTEXT_ONLY × (level + region × nearness + setting)``. Needs count only while open (no
``kp:metBy``).

**Organisations** score the sum of: ``organisation`` × the score of each of the best
``BEHIND_TOP`` items they lead (1.0), provide (0.8), partner (0.7), are involved in (0.5) or fund
(0.2); ``region × nearness`` of their own region or that of their knooppunt, consortium or events;
``membership`` × 1.0 / 0.8 / 0.2 for the knooppunt / consortium / care network of the region (the
knooppunt's ambassador is the first point of contact in a region, so its weight is high), × 0.3
for a member institution of the region's knooppunt, × 1.0 for the bodies the user's organisation
belongs to and × 0.5 for fellow members of those, × ``BODY_SHARE`` of the score of a member
organisation behind the best items; ``level`` when an institution teaches a matching level;
``setting`` when a care setting matches; the ``text`` score of their name. Candidates are the
organisations behind the best items, the bodies of the region and their members and event
participants (``places.regional_bodies``), and the bodies of the user's organisation; the user's
own organisation is left out.

**People** score ``person`` × the score of each of the best ``PEOPLE_ITEMS`` items and
``PEOPLE_ORGS`` organisations they hold a membership on (× ``MADE_SHARE`` through the project that
made a material), × the weight of their role (ambassadeur and projectleider 1.0 ... auteur 0.4,
``ROLE_WEIGHT``), plus their expertise in a term (as an item would score), plus the ``text`` score
of their name.

Every suggestion carries ``factors`` (kind, contribution - they add up to the score - and the
explanation path from the initiative to it, where the graph has one), ``reasons`` (one or two
sentences built from the strongest factors, ``graph.analysis.reasons``; a penalty is never a
reason), ``relevance`` (score / the best score of its list) and ``paths``. Work is bounded: each
term reads at most ``TERM_BUDGET`` statements (memoised per store generation, as is the merge of
the same terms), only the best ``REFINE_CAP`` items by topic (and ``CONTEXT_ADDED`` more that match
the region or a level) are refined, every walk from a hub is capped (``MEMBERS_CAP``,
``places.FAN_OUT``, ``places.REGIONAL_CAP``).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import KP
from ..vocab import MEMBERSHIP
from . import concepts, dutch, places, reasons, weights
from .network import Projection
from .search import SearchIndex

DEFAULT_WEIGHTS: dict[str, float] = {
    "given": 1.0,
    "recognised": 0.8,
    "compound": 0.75,
    "narrower": 0.7,
    "broader": 0.35,
    "text": 0.6,
    "level": 0.5,
    "other_level": 0.5,
    "setting": 0.4,
    "variant": 0.3,
    "region": 0.6,
    "membership": 1.5,
    "organisation": 1.0,
    "person": 0.8,
}
ORG_ROLE_WEIGHT = {
    KP + "leadOrganisation": 1.0,
    KP + "provider": 0.8,
    KP + "partnerOrganisation": 0.7,
    KP + "involvedOrganisation": 0.5,
    KP + "funder": 0.2,
}
ROLE_WEIGHT = {  # by the role's slug ({base}/id/rol/{slug}); others 0.6
    "ambassadeur": 1.0, "projectleider": 1.0, "kwartiermaker": 0.9, "programmamanager": 0.9,
    "netwerkcoordinator": 0.8, "onderzoeker": 0.8, "docent": 0.8, "praktijkopleider": 0.8,
    "adviseur": 0.7, "lid": 0.6, "patient-naaste": 0.6, "bestuurder": 0.6, "directeur": 0.6,
    "voorzitter": 0.6, "medewerker": 0.5, "secretaris": 0.5, "student": 0.4, "auteur": 0.4,
}
BODY_WEIGHT = {KP + "EducationHub": 1.0, KP + "Consortium": 0.8, KP + "CareNetwork": 0.2}
MEMBER_SHARE = 0.3  # of ``membership`` for a member institution of the knooppunt of the region
BODIES = frozenset(BODY_WEIGHT)
CONTEXT_ONLY = 0.3
MADE_SHARE = 0.5  # of a material's score that reaches the people of the project that made it
BODY_SHARE = 0.12  # of a member organisation's score that reaches its knooppunt or consortium
BEHIND_TOP = 40
BODIES_OF = 30  # the organisations behind the best items whose knooppunt and consortium gain
PEOPLE_ITEMS = 25  # the best items whose people are suggested
PEOPLE_ORGS = 15  # the best organisations whose people are suggested
MEMBERS_CAP = 30
MAX_LIMIT = 50
REFINE_CAP = 200
CONTEXT_CAP = 300
CONTEXT_ADDED = 100  # items added to the refined ones for their region or level
THROUGH_TOP = 3  # factors of an organisation or person whose path through an item is made
PATHS_PER_ITEM = 2  # per project, material or need; one per organisation or person (their paths are long)
TERM_BUDGET = 20_000
TERM_MEMO = 256
TEXT_WORDS = 40
TEXT_DF_CAP = 200
PREFIX_MIN_TEXT = 6

ADDRESSES = (KP + "addressesTheme", KP + "addressesCompetency")
EXPERTISE = KP + "expertise"
LEVEL, SETTING, VARIANT = KP + "educationLevel", KP + "careSetting", KP + "variant"
PROJECT, PROGRAMME = KP + "Project", KP + "Programme"
MATERIAL, NEED, PERSON = KP + "Material", KP + "Need", KP + "Person"
ORGANISATION = KP + "Organisation"
PROJECTS = frozenset({PROJECT, PROGRAMME})
ITEMS = frozenset({PROJECT, PROGRAMME, MATERIAL, NEED})
LEXICON_CLASSES = {
    KP + "Theme": "theme",
    KP + "Competency": "competency",
    KP + "CanMEDSRole": "competency",
    KP + "EducationLevel": "level",
    KP + "CareSetting": "setting",
    KP + "CurriculumVariant": "variant",
    KP + "Region": "region",
    ORGANISATION: "organisation",
}
LISTS = ("people", "organisations", "projects", "materials", "needs")


def weights_from_env(environ: dict[str, str] | None = None) -> dict[str, float]:
    """``DEFAULT_WEIGHTS`` overridden by ``KNOOPPUNT_CONNECTION_WEIGHTS`` ("region=1,text=0")."""
    return weights.from_env("KNOOPPUNT_CONNECTION_WEIGHTS", DEFAULT_WEIGHTS, environ)


def parse_weights(text: str) -> dict[str, float]:
    return weights.parse(text, DEFAULT_WEIGHTS)


@dataclass
class Initiative:
    title: str = ""
    description: str = ""
    competencies: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    region: str | None = None
    levels: list[str] = field(default_factory=list)
    organisation: str | None = None


@dataclass
class Profile:
    """What an initiative is about, from its form and its text (see :func:`understand`)."""

    terms: dict[str, str] = field(default_factory=dict)  # concept -> given | recognised | compound
    levels: dict[str, str] = field(default_factory=dict)  # level -> given | recognised
    settings: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    study_years: list[int] = field(default_factory=list)
    regions: dict[str, str] = field(default_factory=dict)  # region -> given | recognised | organisation
    organisations: list[str] = field(default_factory=list)  # named in the text
    own: str | None = None
    matches: list[dutch.Match] = field(default_factory=list)
    words: list[dutch.Word] = field(default_factory=list)


@dataclass(slots=True)
class Factor:
    """One reason a suggestion scores: its kind, what it adds to the score, the explanation path
    (nodes from the initiative's term, level, region or body to the suggestion) and details."""

    kind: str
    weight: float
    nodes: list[str] | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Text:
    """The initiative's words found in a resource: its text score, and the words by field."""

    score: float = 0.0
    name: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)

    def detail(self) -> dict[str, Any]:
        return {"name_words": list(dict.fromkeys(self.name)), "description_words": list(dict.fromkeys(self.description))}


@dataclass(slots=True)
class _Hit:
    topic: float = 0.0
    terms: dict[str, float] = field(default_factory=dict)  # term -> topic weight
    text: float = 0.0
    words: _Text | None = None
    bonuses: list[Factor] = field(default_factory=list)
    penalty: Factor | None = None
    extra: list[Factor] = field(default_factory=list)  # additive (organisations, people)
    score: float = 0.0
    term_factors: list[Factor] | None = None


# --- reading the initiative ---------------------------------------------------------------------------
def lexicon(index: SearchIndex) -> dutch.Lexicon:
    """The names of the graph's concepts, regions and organisations (one per index generation)."""
    found = index.__dict__.get("_lexicon")
    if found is None or found[0] != index.generation:
        index.ensure()
        lex = dutch.Lexicon(index.names_of(LEXICON_CLASSES), compound_kinds=("theme", "competency", "setting"))
        found = index.__dict__["_lexicon"] = (index.generation, lex)
    return found[1]


def understand(net: Projection, index: SearchIndex, initiative: Initiative) -> Profile:
    """The initiative's terms, levels, settings, variants, study years, regions and organisations:
    those given in the form, then those named in the title and description."""
    profile = Profile(own=initiative.organisation)
    for iri in [*initiative.themes, *initiative.competencies]:
        profile.terms[iri] = "given"
    for iri in initiative.levels:
        profile.levels[iri] = "given"
    if initiative.region:
        profile.regions[initiative.region] = "given"
    text = "\n".join(filter(None, [initiative.title, initiative.description]))
    profile.words = dutch.words(text)
    profile.matches = lexicon(index).find(profile.words)
    profile.study_years = dutch.study_years(profile.words)
    for m in profile.matches:
        origin = "compound" if m.how == "compound" else "recognised"
        if m.kind in ("theme", "competency"):
            profile.terms.setdefault(m.iri, origin)
        elif m.kind == "level":
            profile.levels.setdefault(m.iri, "recognised")
        elif m.kind == "setting" and m.iri not in profile.settings:
            profile.settings.append(m.iri)
        elif m.kind == "variant" and m.iri not in profile.variants:
            profile.variants.append(m.iri)
        elif m.kind == "region" and not initiative.region:
            profile.regions.setdefault(m.iri, "recognised")
        elif m.kind == "organisation" and m.iri not in profile.organisations:
            profile.organisations.append(m.iri)
    if not profile.regions:  # where the user's organisation is (its own, its knooppunt's, ...)
        with net.reading():
            for org in [initiative.organisation] if initiative.organisation else []:
                for region, _ in places.regions_of(net, org):
                    profile.regions.setdefault(region, "organisation")
    return profile


# --- the ranking ------------------------------------------------------------------------------------------
def connections(
    net: Projection, index: SearchIndex, initiative: Initiative, *, limit: int = 10, lang: str = "nl",
    weights: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Ranked people, organisations, projects, materials and open needs for an initiative."""
    w = weights or DEFAULT_WEIGHTS
    profile = understand(net, index, initiative)
    text_hits = _text_hits(index, profile)
    with net.reading():
        ctx = _Context(net, profile, w)
        items, experts = _items(net, ctx)
        _add_context_only(net, items, ctx)
        _add_text(net, items, text_hits, ITEMS, w["text"])
        for iri, hit in items.items():
            ctx.refine(iri, hit)
        ranked = _top(net, items)
        behind = sorted(ranked["projects"] + ranked["materials"], key=lambda kv: -kv[1].score)[:BEHIND_TOP]
        ranked["organisations"] = _organisations(net, ctx, behind, text_hits)
        targets = behind[:PEOPLE_ITEMS] + ranked["organisations"][:PEOPLE_ORGS]
        ranked["people"] = _people(net, ctx, targets, experts, text_hits)
        hits = ctx.hits = {iri: hit for name in ranked for iri, hit in ranked[name]}
        writer = reasons.Writer(net, lang, about=lambda i: _about(ctx, hits, i))
        return {
            "initiative": _echo(net, initiative, profile, lang),
            "weights": w,
            **{name: _render(net, ctx, ranked[name], name, limit, lang, writer) for name in LISTS},
        }


class _Context:
    """The initiative's scopes: terms, levels, settings, variants, regions, bodies."""

    def __init__(self, net: Projection, profile: Profile, w: dict[str, float]) -> None:
        self.net, self.profile, self.w = net, profile, w
        self.level_scope: dict[str, list[str]] = {}
        for level in profile.levels:
            for member, chain in concepts.below(net, level).items():
                self.level_scope.setdefault(member, chain[::-1])
            for broader, chain in concepts.above(net, level).items():
                self.level_scope.setdefault(broader, chain)
        self.region_scope = places.scope(net, list(profile.regions))
        self.settings = set(profile.settings)
        self.variants = set(profile.variants)
        self.scopes: dict[str, dict[str, list[str]]] = {}
        self.hits: dict[str, _Hit] = {}  # every ranked suggestion, once ranked
        self.best_paths: dict[str, list[str] | None] = {}
        self.hub_places: dict[str, tuple[float, str, list[str]] | None] = {}

    def refine(self, iri: str, hit: _Hit) -> None:
        """Level, region, setting and variant of an item; its score."""
        net, w = self.net, self.w
        hit.bonuses = self.bonuses(iri)
        levels = net.out(iri, LEVEL)
        if self.level_scope and levels and not any(b.kind == "level" for b in hit.bonuses):
            hit.penalty = Factor("other_level", w["other_level"], [iri], {"levels": levels})
        topic = hit.topic + hit.text
        factor = w["other_level"] if hit.penalty else 1.0
        if topic > 0:
            hit.score = topic * (1 + sum(b.weight for b in hit.bonuses)) * factor
        else:
            hit.score = CONTEXT_ONLY * sum(b.weight for b in hit.bonuses) * factor

    def bonuses(self, iri: str) -> list[Factor]:
        net, w = self.net, self.w
        out = []
        if self.level_scope:
            match = next((lv for lv in net.out(iri, LEVEL) if lv in self.level_scope), None)
            if match is not None:
                out.append(Factor("level", w["level"], [*self.level_scope[match], iri], {"level": match}))
        if self.region_scope:
            near = places.nearest(net, iri, self.region_scope)
            if near is not None:
                out.append(Factor("region", w["region"] * near[0], near[2], {"relation": near[1], "region": near[2][0] if near[2] else None}))
        if self.settings:
            setting = next((s for s in net.out(iri, SETTING) if s in self.settings), None)
            if setting is not None:
                out.append(Factor("setting", w["setting"], [setting, iri], {"setting": setting}))
        if self.variants:
            variant = next((v for v in net.out(iri, VARIANT) if v in self.variants), None)
            if variant is not None:
                out.append(Factor("variant", w["variant"], [variant, iri], {"variant": variant}))
        return out

    def term_factors(self, iri: str, hit: _Hit, predicates: tuple[str, ...]) -> list[Factor]:
        """Explanation paths of an item's topic (made on first use: only shown items need them)."""
        if hit.term_factors is not None:
            return hit.term_factors
        net = self.net
        addressed = [c for p in predicates for c in net.out(iri, p)]
        found = []
        for term, weight in hit.terms.items():
            scope = self.scopes.get(term)
            if scope is None:
                scope = self.scopes[term] = _scope(net, term)
            for member in sorted((c for c in addressed if c in scope), key=lambda c: len(scope[c])):
                parents = net.out(term, concepts.BROADER)
                relation = "self" if member == term else ("broader" if member in parents else "narrower")
                found.append(Factor("topic", weight, [*reversed(scope[member]), iri], {"term": term, "concept": member, "relation": relation}))
                break
        hit.term_factors = found
        return found


def _scope(net: Projection, term: str) -> dict[str, list[str]]:
    """A term's scope for explanations: itself, what lies under it, and its broader concepts."""
    scope = concepts.scope_of(net, term)
    for parent in net.out(term, concepts.BROADER):
        scope.setdefault(parent, [parent, term])
    return scope


def specificity(df: int) -> float:
    """How much a term says: 1 when two things share it, ~0.6 at 8, ~0.4 at 64."""
    return 1.0 / (1.0 + math.log2(max(df, 2) / 2) / 2)


def _items(net: Projection, ctx: _Context) -> tuple[dict[str, _Hit], dict[str, _Hit]]:
    """Things that address a term in scope, and people with expertise in one: the best
    ``REFINE_CAP`` of each by topic (ties: by IRI), each term weighted by its origin and
    specificity (see the module docstring); plus the things that address a term *and* lie in the
    region or have a level asked for (at most ``CONTEXT_CAP`` per region or level, through the
    by-predicate index): among many items with the same topic, those are the ones that rank."""
    profile, w = ctx.profile, ctx.w
    locals_: list[tuple[dict[str, float], dict[str, float]]] = []
    ranked: list[tuple[list[str], list[str]]] = []
    scales: list[float] = []
    terms = []
    for term, origin in profile.terms.items():
        _scope_, local_items, local_experts, ranked_items, ranked_experts = _term_reach(net, term, w["narrower"], w["broader"])
        base = w["given"] if origin == "given" else w["recognised"] * (w["compound"] if origin == "compound" else 1.0)
        scales.append(base * specificity(len(local_items)))
        locals_.append((local_items, local_experts))
        ranked.append((ranked_items, ranked_experts))
        terms.append(term)

    def hits(which: int) -> dict[str, _Hit]:
        if not terms:
            return {}
        key = (which, tuple(terms), tuple(scales))
        best = _memo_get(net, "_merged", key)
        if best is None:  # the same themes are asked again and again: merge them once
            merged = _merged_best([loc[which] for loc in locals_], [r[which] for r in ranked], scales, REFINE_CAP)
            best = []
            for iri, score in merged:
                found = {t: loc[which][iri] * scale for t, loc, scale in zip(terms, locals_, scales, strict=True) if iri in loc[which]}
                best.append((iri, score, found))
            _memo_put(net, "_merged", key, best)
        return {iri: _Hit(topic=score, terms=dict(found)) for iri, score, found in best}

    items = hits(0)
    if terms:
        pin = net.state.pin
        nodes = [(r, places.REGION) for r, (near, _, _) in ctx.region_scope.items() if near >= 1.0]
        nodes += [(lv, LEVEL) for lv in ctx.level_scope]
        added = 0
        for node, predicate in nodes:
            for n, other in enumerate(pin.get(node, {}).get(predicate, ())):
                if n >= CONTEXT_CAP or added >= CONTEXT_ADDED:
                    break
                if other in items:
                    continue
                found = {t: loc[0][other] * scale for t, loc, scale in zip(terms, locals_, scales, strict=True) if other in loc[0]}
                if found:
                    items[other] = _Hit(topic=sum(found.values()), terms=found)
                    added += 1
    return items, hits(1)


def _best_scores(scores: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The ``n`` best ``(iri, score)``, highest score first, ties by IRI (highest first): scores
    take few distinct values, so items are grouped by score and only the last group is sorted."""
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
        group = sorted(groups[score], reverse=True)
        out.extend((iri, score) for iri in group[:left])
    return out


def _ranked(weights_: dict[str, float]) -> list[str]:
    """IRIs by (weight, IRI), highest first: the order ``_best_scores`` keeps."""
    return sorted(weights_, key=lambda iri: (weights_[iri], iri), reverse=True)


def _merged_best(locals_: list[dict[str, float]], ranked: list[list[str]], scales: list[float], n: int) -> list[tuple[str, float]]:
    """The ``n`` best ``(iri, Σ scale × weight)`` over several terms' ``{iri: weight}``, exactly
    as ``_best_scores`` on the full sums would give, without summing every item of a hub theme:
    items reached by two or more terms are summed; of the others only the first ``n`` of each
    term's ranked list can make the cut (anything below them is beaten by ``n`` items)."""
    if len(locals_) == 1:
        weights_, scale = locals_[0], scales[0]
        return [(iri, weights_[iri] * scale) for iri in ranked[0][:n]]
    multi: set[str] = set()
    for i, a in enumerate(locals_):
        for b in locals_[i + 1 :]:
            multi |= a.keys() & b.keys()
    scores = dict.fromkeys(multi, 0.0)
    for weights_, scale in zip(locals_, scales, strict=True):
        for iri in multi & weights_.keys():
            scores[iri] += weights_[iri] * scale
    for weights_, order, scale in zip(locals_, ranked, scales, strict=True):
        taken = 0
        for iri in order:
            if taken >= n:
                break
            if iri not in multi:
                scores[iri] = weights_[iri] * scale
                taken += 1
    return _best_scores(scores, n)


def _memo_get(net: Projection, name: str, key: tuple) -> Any:
    memo = net.__dict__.get(name)
    if memo is None or memo[0] != net.generation:
        return None
    with memo[2]:
        found = memo[1].get(key)
        if found is not None:
            memo[1].move_to_end(key)
        return found


def _memo_put(net: Projection, name: str, key: tuple, value: Any) -> None:
    """Remember ``value`` under ``key`` while the store generation stays the same (``TERM_MEMO``
    entries, least recently used out first)."""
    memo = net.__dict__.get(name)
    if memo is None or memo[0] != net.generation:
        memo = net.__dict__[name] = (net.generation, OrderedDict(), threading.Lock())
    with memo[2]:
        memo[1][key] = value
        if len(memo[1]) > TERM_MEMO:
            memo[1].popitem(last=False)


def _term_reach(net: Projection, term: str, narrower: float, broader: float) -> tuple:
    """``(scope, {item: weight}, {expert: weight}, ranked items, ranked experts)`` of one term:
    every item that addresses a member of its scope (``concepts.scope_of``: itself 1.0, narrower
    concepts ``narrower``) or its broader concept (``broader``), and every person with
    ``kp:expertise`` in one, with the best weight. Only those statements are read (the
    projection's by-predicate index), at most ``TERM_BUDGET`` of them, nearest members first.
    Memoised per store generation (``TERM_MEMO`` terms): a hub theme is walked once; so is the
    merge of the same terms (``_items``)."""
    key = (term, narrower, broader)
    found = _memo_get(net, "_term_reach", key)
    if found is not None:
        return found
    pin = net.state.pin
    budget = TERM_BUDGET
    scope = concepts.scope_of(net, term)
    members = [(m, 1.0 if m == term else narrower) for m in scope]
    members += [(p, broader) for p in net.out(term, concepts.BROADER) if p not in scope]
    local_items: dict[str, float] = {}
    local_experts: dict[str, float] = {}
    for member, weight in members:
        if budget <= 0:
            break
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
    _memo_put(net, "_term_reach", key, found)
    return found


def _text_hits(index: SearchIndex, profile: Profile) -> dict[str, _Text]:
    """The words of the title and description (no function words, ``dutch.STOPWORDS``) found in
    a resource's name (each ``idf``) or only in its description (``idf / 3``), where
    ``idf = log(1 + N / df) / log(1 + N)``. A word is looked up by its ``light_stem`` as a prefix
    (``PREFIX_MIN_TEXT`` letters or more; shorter ones as whole words); words in more than
    ``TEXT_DF_CAP`` index entries are skipped."""
    out: dict[str, _Text] = {}
    seen: set[str] = set()
    n = max(index.size(), 2)
    for word in dutch.content_words(profile.words):
        prefix = dutch.light_stem(word.folded)
        whole = len(prefix) < PREFIX_MIN_TEXT
        if whole:
            prefix = word.folded
        if prefix in seen:
            continue
        seen.add(prefix)
        if len(seen) > TEXT_WORDS:
            break
        df, found = index.word_hits(prefix, TEXT_DF_CAP, whole=whole)
        if not found:
            continue
        idf = math.log(1 + n / df) / math.log(1 + n)
        for iri, fld in found.items():
            hit = out.get(iri)
            if hit is None:
                hit = out[iri] = _Text()
            if fld == "name":
                hit.score += idf
                hit.name.append(word.original)
            else:
                hit.score += idf / 3
                hit.description.append(word.original)
    return out


def _add_text(net: Projection, hits: dict[str, _Hit], text_hits: dict[str, _Text], classes: frozenset[str], weight: float) -> None:
    """Text scores of the things in ``classes``; a word in the name nominates a thing, a word
    only in the description adds to things nominated otherwise."""
    for iri, found in text_hits.items():
        hit = hits.get(iri)
        if hit is None:
            if not found.name or not net.is_any(iri, classes):
                continue
            hit = hits[iri] = _Hit()
        hit.text = weight * found.score
        hit.words = found


def _add_context_only(net: Projection, items: dict[str, _Hit], ctx: _Context) -> None:
    """When topics nominate few items: items with a matching level, setting or region, and needs
    raised at events in the region (at most ``CONTEXT_CAP`` of each, through the by-predicate
    index)."""
    if len(items) >= 50:
        return
    pin = net.state.pin
    sources = [(lv, LEVEL) for lv in ctx.level_scope] + [(s, SETTING) for s in ctx.settings]
    sources += [(r, places.REGION) for r, (near, _, _) in ctx.region_scope.items() if near >= 1.0]
    for region, (near, _, _) in ctx.region_scope.items():  # needs raised at events there
        if near >= 1.0:
            sources += [(chain[-1], KP + "raisedIn") for chain in places.events_in(net, region)]
    for node, predicate in sources:
        taken = 0
        for other in pin.get(node, {}).get(predicate, ()):
            if taken >= CONTEXT_CAP:
                break
            if other not in items and net.is_any(other, ITEMS):
                items[other] = _Hit()
                taken += 1


def _top(net: Projection, items: dict[str, _Hit]) -> dict[str, list[tuple[str, _Hit]]]:
    """Projects (and programmes), materials and open needs, each best first (ties: by IRI)."""
    out: dict[str, list[tuple[str, _Hit]]] = {"projects": [], "materials": [], "needs": []}
    for iri, hit in items.items():
        if hit.score <= 0:
            continue
        if net.is_any(iri, PROJECTS):
            out["projects"].append((iri, hit))
        elif net.is_a(iri, MATERIAL):
            out["materials"].append((iri, hit))
        elif net.is_a(iri, NEED) and not net.out(iri, KP + "metBy"):
            out["needs"].append((iri, hit))
    for ranked in out.values():
        ranked.sort(key=lambda kv: (-kv[1].score, kv[0]))
    return out


# --- organisations and people -----------------------------------------------------------------------------
def _organisations(net: Projection, ctx: _Context, behind: list[tuple[str, _Hit]], text_hits: dict[str, _Text]) -> list[tuple[str, _Hit]]:
    w, profile = ctx.w, ctx.profile
    orgs: dict[str, _Hit] = {}

    def org(iri: str) -> _Hit:
        hit = orgs.get(iri)
        if hit is None:
            hit = orgs[iri] = _Hit()
        return hit

    for item, hit in behind:
        for predicate, factor in ORG_ROLE_WEIGHT.items():
            for other in net.out(item, predicate):
                gain = hit.score * factor * w["organisation"]
                org(other).extra.append(Factor("role", gain, None, {"item": item, "predicate": predicate}))
    # the bodies of the region, and the organisations placed there
    for region, (_, relation, _) in ctx.region_scope.items():
        if relation not in ("in", "around"):
            continue  # nearby and national bodies count when found otherwise, not all of them
        for other in places.regional_bodies(net, region):
            org(other)
    # the bodies the user's organisation belongs to, and their other members
    mine = [profile.own] if profile.own else []
    for own in mine:
        for body in (net.out(own, places.MEMBER_OF) + net.out(own, places.CONSORTIUM))[: places.FAN_OUT]:
            org(body).extra.append(Factor("membership", w["membership"], [own, body], {"relation": "yours"}))
            for fellow in _first(net, body, places.MEMBER_OF, MEMBERS_CAP):
                if fellow != own:
                    org(fellow).extra.append(Factor("membership", w["membership"] * 0.5, [own, body, fellow], {"relation": "fellow"}))
    for iri, found in text_hits.items():
        if found.name and net.is_a(iri, ORGANISATION):
            org(iri).text, org(iri).words = w["text"] * found.score, found
    # the knooppunten, consortia and networks of the organisations behind the best items
    behind = {iri: sum(f.weight for f in hit.extra if f.kind == "role") for iri, hit in orgs.items()}
    for iri in sorted((i for i in behind if behind[i] > 0), key=lambda i: -behind[i])[:BODIES_OF]:
        bodies = [(b, [iri, b]) for b in net.out(iri, places.MEMBER_OF) + net.out(iri, places.CONSORTIUM)]
        bodies += [(c, [iri, c]) for c in net.into(iri, places.ANCHORED_AT)]
        for body, nodes in bodies[: places.FAN_OUT]:
            if net.is_any(body, BODIES):
                gain = behind[iri] * w["membership"] * BODY_SHARE
                org(body).extra.append(Factor("membership", gain, nodes, {"relation": "body_of", "member": iri}))
    if profile.own:
        orgs.pop(profile.own, None)
    for iri, hit in orgs.items():
        _score_organisation(net, ctx, iri, hit)
    return sorted(((i, h) for i, h in orgs.items() if h.score > 0), key=lambda kv: (-kv[1].score, kv[0]))


def _score_organisation(net: Projection, ctx: _Context, iri: str, hit: _Hit) -> None:
    w = ctx.w
    factors = list(hit.extra)
    if ctx.region_scope:
        near = places.nearest(net, iri, ctx.region_scope)
        if near is not None:
            factors.append(Factor("region", w["region"] * near[0], near[2], {"relation": near[1]}))
        body = max((BODY_WEIGHT[c] for c in BODY_WEIGHT if net.is_a(iri, c)), default=0.0) if net.is_any(iri, BODIES) else 0.0
        own = _own_place(net, iri, ctx.region_scope) if body else None
        if own is not None:
            factors.append(Factor("membership", w["membership"] * body, own[2], {"relation": "regional"}))
        elif not body:
            hub = _hub_of_the_region(ctx, iri)
            if hub is not None:
                factors.append(Factor("membership", w["membership"] * MEMBER_SHARE, hub, {"relation": "member"}))
    if ctx.level_scope:
        match = next((lv for lv in net.out(iri, LEVEL) if lv in ctx.level_scope), None)
        if match is not None and factors:
            factors.append(Factor("level", w["level"], [*ctx.level_scope[match], iri], {"level": match}))
    if ctx.settings:
        setting = next((s for s in net.out(iri, SETTING) if s in ctx.settings), None)
        if setting is not None:
            factors.append(Factor("setting", w["setting"], [setting, iri], {"setting": setting}))
    if hit.text and hit.words:
        factors.append(Factor("text", hit.text, None, hit.words.detail()))
    hit.extra = factors
    hit.score = sum(f.weight for f in factors)


def _hub_of_the_region(ctx: _Context, org: str) -> list[str] | None:
    """The path to a knooppunt of the initiative's region (in or around it) that ``org`` is a
    member of, or None (the knooppunten's places are worked out once per request)."""
    net = ctx.net
    for hub in net.out(org, places.MEMBER_OF)[: places.FAN_OUT]:
        if net.is_a(hub, KP + "EducationHub"):
            if hub not in ctx.hub_places:
                ctx.hub_places[hub] = _own_place(net, hub, ctx.region_scope)
            own = ctx.hub_places[hub]
            if own is not None:
                return [*own[2], org]
    return None


def _own_place(net: Projection, body: str, region_scope: dict[str, tuple[float, str, list[str]]]) -> tuple[float, str, list[str]] | None:
    """Where a knooppunt, consortium or network is *of*: the nearest (in or around the
    initiative's region) of the places its own region, or its consortium's, gives it (the path
    holds only regions and such bodies) - not an event it organised or a body it is a member of."""
    best = None
    for region, chain in places.regions_of(net, body):
        found = region_scope.get(region)
        if found is None or found[1] not in ("in", "around"):
            continue
        path = [*found[2], *chain[1:]]
        if not all(net.is_a(n, places.REGION_CLASS) or net.is_any(n, BODIES) for n in path):
            continue
        if best is None or found[0] > best[0] or (found[0] == best[0] and len(path) < len(best[2])):
            best = (found[0], found[1], path)
    return best


def _people(net: Projection, ctx: _Context, targets: list[tuple[str, _Hit]], experts: dict[str, _Hit], text_hits: dict[str, _Text]) -> list[tuple[str, _Hit]]:
    """People by their memberships on the best items and organisations, expertise and name.
    Scores are summed first; factors are made only for the ``MAX_LIMIT`` best."""
    w = ctx.w
    scores: dict[str, float] = {}
    parts: dict[str, list[tuple]] = {}

    def add(person: str, gain: float, part: tuple) -> None:
        scores[person] = scores.get(person, 0.0) + gain
        found = parts.get(person)
        if found is None:
            parts[person] = [part]
        else:
            found.append(part)

    for person, hit in experts.items():
        if net.is_a(person, PERSON):
            add(person, hit.topic, ("expertise", hit.topic, hit))
    seen: set[str] = set()
    for target, hit in targets:
        if target in seen or hit.score <= 0:
            continue
        seen.add(target)
        where = [(target, [target], 1.0, None)]
        if net.is_a(target, MATERIAL):  # the people of the project that made it
            where += [(project, [project, target], MADE_SHARE, target) for project in net.out(target, KP + "producedBy")[: places.FAN_OUT]]
        for place, chain, share, made in where:
            for person, role in _members(net, place):
                gain = hit.score * share * w["person"] * ROLE_WEIGHT.get(role.rsplit("/", 1)[-1], 0.6)
                add(person, gain, ("member", gain, place, role, made, chain))
    for iri, found in text_hits.items():
        if found.name and net.is_a(iri, PERSON):
            gain = w["text"] * found.score
            add(iri, gain, ("text", gain, found))
    best = sorted((i for i in scores if scores[i] > 0), key=lambda i: (-scores[i], i))[:MAX_LIMIT]
    out = []
    for person in best:
        hit = _Hit(score=scores[person])
        for part in parts[person]:
            if part[0] == "expertise":
                hit.terms = part[2].terms
                hit.extra.append(Factor("expertise", part[1], None, {"terms": list(part[2].terms)}))
            elif part[0] == "member":
                _, gain, place, role, made, chain = part
                hit.extra.append(Factor("member", gain, [person, *chain], {"target": place, "role": role, "made": made}))
            else:
                hit.extra.append(Factor("text", part[1], None, part[2].detail()))
        out.append((person, hit))
    return out


def _first(net: Projection, node: str, predicate: str, n: int) -> list[str]:
    """The first ``n`` subjects of ``?s predicate node`` (a hub's thousands are not listed)."""
    return [x for x in itertools.islice(net.state.pin.get(node, {}).get(predicate, ()), n) if x != node]


def _members(net: Projection, target: str) -> list[tuple[str, str]]:
    """``(person, role)`` of the memberships at or on ``target`` (the strongest role per person),
    at most ``MEMBERS_CAP`` people."""
    by_pred = net.state.pin.get(target)
    if not by_pred:
        return []
    adj = net.G._adj[target]  # noqa: SLF001 - the raw dict: hot path
    out = []
    for person in itertools.islice(by_pred.get(MEMBERSHIP, ()), MEMBERS_CAP):
        roles = [net.rel(e[0]).qualifier for e in adj[person]["r"] if e[1] == person and net.rel(e[0]).predicate == MEMBERSHIP]
        if roles:
            out.append((person, max(roles, key=lambda r: ROLE_WEIGHT.get(r.rsplit("/", 1)[-1], 0.6))))
    return out


# --- answers ----------------------------------------------------------------------------------------------
def _about(ctx: _Context, hits: dict[str, _Hit], iri: str) -> dict[str, Any]:
    """What a ranked thing is about and where, for sentences about the people and organisations
    connected to it: its matched concepts (best first) and its nearest region in scope."""
    hit = hits.get(iri)
    out: dict[str, Any] = {"concepts": [], "region": None}
    if hit is None:
        return out
    if hit.terms:
        predicates = (EXPERTISE,) if ctx.net.is_a(iri, PERSON) else ADDRESSES
        out["concepts"] = [f.detail["concept"] for f in sorted(ctx.term_factors(iri, hit, predicates), key=lambda f: -f.weight)]
    for f in [*hit.bonuses, *hit.extra]:
        if f.kind == "region" and f.nodes:
            out["region"] = (f.detail.get("relation"), f.nodes[0], f.nodes)
            break
    roles = [f for f in hit.extra if f.kind == "role"]
    if roles:
        best = max(roles, key=lambda f: f.weight)
        out["role"] = (best.detail["predicate"], best.detail["item"])
    return out


def _factors(ctx: _Context, iri: str, hit: _Hit, name: str) -> list[Factor]:
    """Every factor of a suggestion with its contribution to the score (they add up to it) and
    the path from the initiative to it: an organisation's or person's path runs through the item
    (or organisation) it is scored by."""
    if name not in ("projects", "materials", "needs"):
        out = []
        for rank, f in enumerate(sorted(hit.extra, key=lambda f: -f.weight)):
            nodes = f.nodes
            if rank >= THROUGH_TOP and f.kind in ("role", "member", "membership"):
                nodes = None  # only the strongest factors are shown or explained: no path for the rest
            elif f.kind == "role":
                nodes = _through(ctx, f.detail["item"], [iri])
            elif f.kind == "member":
                made = f.detail.get("made")
                nodes = _through(ctx, made, [f.detail["target"], iri]) if made else _through(ctx, f.detail["target"], [iri])
            elif f.kind == "membership" and f.detail.get("relation") == "body_of":
                nodes = _through(ctx, f.detail["member"], [iri])
            out.append(Factor(f.kind, f.weight, nodes, f.detail))
        return sorted(out, key=lambda f: -f.weight)
    topic = hit.topic + hit.text
    factor = ctx.w["other_level"] if hit.penalty else 1.0
    if topic > 0:
        # topic and context add up to the score before the penalty; the penalty takes its share
        out = list(ctx.term_factors(iri, hit, ADDRESSES))
        if hit.text and hit.words:
            out.append(Factor("text", hit.text, None, hit.words.detail()))
        out += [Factor(b.kind, topic * b.weight, b.nodes, b.detail) for b in hit.bonuses]
    else:
        out = [Factor(b.kind, CONTEXT_ONLY * b.weight, b.nodes, b.detail) for b in hit.bonuses]
    if hit.penalty:
        out.append(Factor("other_level", hit.score - hit.score / factor, hit.penalty.nodes, hit.penalty.detail))
    return sorted(out, key=lambda f: -f.weight)


def _through(ctx: _Context, target: str, rest: list[str]) -> list[str]:
    """The best path from the initiative to ``target``, continued by ``rest`` (each step an edge)."""
    hit = ctx.hits.get(target)
    best: list[str] | None = None
    if hit is not None:
        name = "projects" if ctx.net.is_any(target, ITEMS) else "organisations"
        if target not in ctx.best_paths:
            ctx.best_paths[target] = None  # no cycles: an organisation's path through itself
            ctx.best_paths[target] = next((f.nodes for f in _factors(ctx, target, hit, name) if f.nodes and f.weight > 0), None)
        best = ctx.best_paths[target]
    if not best or rest[-1] in best:
        return [target, *rest]
    return [*best, *rest]


def _render(net: Projection, ctx: _Context, ranked: list[tuple[str, _Hit]], name: str, limit: int, lang: str, writer: reasons.Writer) -> list[dict[str, Any]]:
    out = []
    top = ranked[0][1].score if ranked else 1.0
    for rank, (iri, hit) in enumerate(ranked[:limit], start=1):
        factors = _factors(ctx, iri, hit, name)
        paths = []
        shown: dict[tuple[str, ...], int] = {}
        for f in factors:
            if not f.nodes or len(f.nodes) < 2 or tuple(f.nodes) in shown or f.weight <= 0:
                continue
            shown[tuple(f.nodes)] = len(paths)
            paths.append(net.path_json(f.nodes, lang, _prefer(f)))
            if len(paths) >= (PATHS_PER_ITEM if name in ("projects", "materials", "needs") else 1):
                break
        entry = {
            **net.node_json(iri, lang),
            "rank": rank,
            "score": round(hit.score, 3),
            "relevance": round(hit.score / top, 3) if top > 0 else 0.0,
            "reasons": writer.sentences(iri, name, factors),
            "factors": [_factor_json(f, shown) for f in factors],
            "terms": [net.node_json(t, lang) for t in hit.terms],
            "paths": paths,
        }
        if name == "people":
            entry["roles"] = _roles(net, iri, lang)
        out.append(entry)
    return out


def _prefer(f: Factor) -> tuple[str, ...]:
    role = f.detail.get("role") or f.detail.get("predicate")
    return (role,) if role else ()


def _factor_json(f: Factor, shown: dict[tuple[str, ...], int]) -> dict[str, Any]:
    """A factor for API clients: its kind, contribution, details (IRIs; labels are in ``paths``
    and ``terms``) and, where its explanation path is among ``paths``, that path's index."""
    out: dict[str, Any] = {"kind": f.kind, "contribution": round(f.weight, 3)}
    for key, value in f.detail.items():
        if value is not None and value != []:
            out[key] = value
    if f.nodes and tuple(f.nodes) in shown:
        out["path"] = shown[tuple(f.nodes)]
    return out


def _roles(net: Projection, person: str, lang: str, cap: int = 5) -> list[dict[str, Any]]:
    """A person's public roles: role and organisation or project (never contact details)."""
    roles = []
    for other, (rid, subject, _) in net.entries(person):
        rel = net.rel(rid)
        if rel.predicate == MEMBERSHIP and subject == person:
            roles.append({"role": rel.qualifier, "role_label": net.term_label(rel.qualifier, lang) if rel.qualifier else "", **net.node_json(other, lang)})
    roles.sort(key=lambda r: (-ROLE_WEIGHT.get(r["role"].rsplit("/", 1)[-1], 0.6), r["label"]))
    return roles[:cap]


def _echo(net: Projection, initiative: Initiative, profile: Profile, lang: str) -> dict[str, Any]:
    """What was understood, to show the user (and let them correct the form)."""
    recognised: dict[str, dict[str, Any]] = {}
    for m in profile.matches:
        if not net.has(m.iri):
            continue
        if m.iri in recognised:
            if m.text not in recognised[m.iri]["matched"]:
                recognised[m.iri]["matched"] += ", " + m.text
        else:
            recognised[m.iri] = {**net.node_json(m.iri, lang), "kind": m.kind, "matched": m.text, "how": m.how}
    return {
        "title": initiative.title,
        "terms": [{**net.node_json(t, lang), "origin": o} for t, o in profile.terms.items()],
        "recognised": list(recognised.values()),
        "levels": [{**net.node_json(lv, lang), "origin": o} for lv, o in profile.levels.items()],
        "settings": [net.node_json(s, lang) for s in profile.settings],
        "variants": [net.node_json(v, lang) for v in profile.variants],
        "study_years": profile.study_years,
        "regions": [{**net.node_json(r, lang), "origin": o} for r, o in profile.regions.items()],
        "region": net.node_json(initiative.region, lang) if initiative.region else None,
        "organisations": [net.node_json(o, lang) for o in profile.organisations],
        "organisation": net.node_json(initiative.organisation, lang) if initiative.organisation else None,
    }

