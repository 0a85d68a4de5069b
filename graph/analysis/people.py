"""Who works on what: people filtered by competency, theme, organisation, project, region, level
and role, each with the path that qualifies them.

What qualifies a person (all given filters must hold; each adds one evidence path):

- ``project`` P: a membership on P ("projectleider" of P);
- ``organisation`` O: a membership at O, or at an organisation that belongs to O
  (``kp:memberOf``, ``kp:consortium``), however deep (up to ``ORG_DEPTH`` levels: the
  institutions of a knooppunt of a consortium);
- ``theme`` / ``competency`` C (with its narrower concepts): ``kp:expertise`` in it, a membership
  on a project that addresses it (``kp:addressesTheme`` / ``kp:addressesCompetency``), or a
  membership at an organisation that leads, partners in or is involved in such a project or
  provides material that addresses it (the bestuurder of the Kenniscentrum that leads NPPZ II
  Kind en Jongere, for kinderpalliatieve zorg);
- ``region`` R (with the regions within it): a membership at an organisation or on a project whose
  ``kp:region`` lies in R, or at an organisation placed there through its knooppunt, consortium,
  network, anchor or events (``graph.analysis.places``: ROC Mondriaan, member of Onderwijsknooppunt
  Propallia, lies in Zuid-Holland Noord);
- ``level`` L (with narrower levels): a membership on a project, or at an education institution,
  with ``kp:educationLevel`` in L;
- ``role``: only memberships with that role count (alone: everyone who has that role).

Bounded: each filter walks at most ``STEP_BUDGET`` statements (``truncated`` says if it stopped);
answers are cached per store generation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ..namespaces import KP
from ..vocab import MEMBERSHIP
from . import concepts, places
from .network import Projection

STEP_BUDGET = 200_000
CACHE_SIZE = 512
PERSON = KP + "Person"
PROJECT = KP + "Project"
PROGRAMME = KP + "Programme"
ORGANISATION = KP + "Organisation"
PROJECTS = frozenset((PROJECT, PROGRAMME))
LEVELLED = frozenset((PROJECT, PROGRAMME, KP + "EducationInstitution"))
MATERIAL = KP + "Material"
ADDRESSES = (KP + "addressesTheme", KP + "addressesCompetency")
EXPERTISE = KP + "expertise"
BELONGS = (KP + "memberOf", KP + "consortium")
ORG_ROLES = (KP + "leadOrganisation", KP + "partnerOrganisation", KP + "involvedOrganisation")
ORG_DEPTH = 3


class _Walk:
    def __init__(self, net: Projection, role: str | None) -> None:
        self.net = net
        self.role = role
        self.steps = STEP_BUDGET
        self.truncated = False

    def entries(self, iri: str):
        for item in self.net.entries(iri):
            self.steps -= 1
            if self.steps < 0:
                self.truncated = True
                return
            yield item

    def members(self, target: str) -> list[str]:
        """People with a (role-matching) membership at or on ``target`` (cost: the memberships,
        through the projection's by-predicate index, not the degree of ``target``)."""
        out = []
        by_pred = self.net.state.pin.get(target)
        if not by_pred:
            return out
        adj = self.net.G._adj[target]  # noqa: SLF001
        for person in by_pred.get(MEMBERSHIP, ()):
            self.steps -= 1
            if self.steps < 0:
                self.truncated = True
                break
            if self.role is None or any(
                e[1] == person and self.net.rel(e[0]).predicate == MEMBERSHIP and self.net.rel(e[0]).qualifier == self.role for e in adj[person]["r"]
            ):
                out.append(person)
        return out

    def subjects(self, target: str, predicates: tuple[str, ...]) -> list[str]:
        out = []
        by_pred = self.net.state.pin.get(target)
        if not by_pred:
            return out
        for predicate in predicates:
            for subject in by_pred.get(predicate, ()):
                self.steps -= 1
                if self.steps < 0:
                    self.truncated = True
                    return out
                if subject != target:
                    out.append(subject)
        return out


def _add(found: dict[str, list[str]], person: str, path: list[str]) -> None:
    if person not in found or len(path) < len(found[person]):
        found[person] = path


def _by_project(w: _Walk, project: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for person in w.members(project):
        _add(found, person, [person, project])
    return found


def _by_organisation(w: _Walk, org: str) -> dict[str, list[str]]:
    """Members of ``org`` and of the organisations that belong to it, however deep (the
    institutions of a knooppunt of a consortium), nearest first."""
    found: dict[str, list[str]] = {}
    chains = {org: [org]}
    frontier = [org]
    for _ in range(ORG_DEPTH):
        nxt = []
        for body in frontier:
            for member_org in w.subjects(body, BELONGS):
                if member_org not in chains:
                    chains[member_org] = [member_org, *chains[body]]
                    nxt.append(member_org)
        frontier = nxt
    for target, chain in chains.items():
        for person in w.members(target):
            _add(found, person, [person, *chain])
    return found


def _by_concept(w: _Walk, concept: str) -> dict[str, list[str]]:
    """Expertise in the concept (or a narrower one); a membership on a project that addresses
    it; or a membership at an organisation that leads, partners in or is involved in such a
    project, or provides material that addresses it."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()  # members come nearest first: a thing's first chain is its shortest
    orgs: list[tuple[str, list[str]]] = []
    for member, chain in concepts.scope_of(w.net, concept).items():
        if w.role is None:
            for person in w.subjects(member, (EXPERTISE,)):
                if person not in found or len(found[person]) > len(chain) + 1:
                    _add(found, person, [person, *chain])
        for thing in w.subjects(member, ADDRESSES):
            if thing in seen:
                continue
            seen.add(thing)
            if w.net.is_any(thing, PROJECTS):
                _add_members(w, found, thing, chain)
                orgs += [(o, [o, thing, *chain]) for p in ORG_ROLES for o in w.net.out(thing, p)]
            elif w.net.is_a(thing, MATERIAL):
                orgs += [(o, [o, thing, *chain]) for o in w.net.out(thing, KP + "provider")]
    for org, chain in orgs:  # after the projects' own members: their paths are shorter
        for person in w.members(org):
            if person not in found or len(found[person]) > len(chain) + 1:
                found[person] = [person, *chain]
    return found


def _add_members(w: _Walk, found: dict[str, list[str]], thing: str, chain: list[str]) -> None:
    length = len(chain) + 2
    for person in w.members(thing):
        old = found.get(person)
        if old is None or len(old) > length:
            found[person] = [person, thing, *chain]


def _by_region(w: _Walk, region: str) -> dict[str, list[str]]:
    """Members of the organisations and projects in the region: with it (or a region within it)
    as their own region, or placed there as members of its knooppunt, consortium or networks,
    its consortium's anchor, or at an event there (``places.regional_organisations``)."""
    scope = concepts.below(w.net, region, concepts.WITHIN)
    found = _members_of_things(w, scope, KP + "region", projects_only=False)
    for member, chain in scope.items():
        for org, placed in places.regional_organisations(w.net, member).items():
            path = [*reversed(placed), *chain[1:]]
            for person in w.members(org):
                if person not in found or len(found[person]) > len(path) + 1:
                    found[person] = [person, *path]
    return found


def _by_level(w: _Walk, level: str) -> dict[str, list[str]]:
    """Members of projects, and of education institutions, with the level (or a narrower one)."""
    return _members_of_things(w, concepts.below(w.net, level), KP + "educationLevel", projects_only=False, classes=LEVELLED)


def _members_of_things(
    w: _Walk, scope: dict[str, list[str]], predicate: str, *, projects_only: bool, classes: frozenset[str] | None = None
) -> dict[str, list[str]]:
    """Members of the things linked by ``predicate`` to a node in ``scope`` (nearest first, so a
    thing's first chain is its shortest); only projects, or only instances of ``classes``."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    keep = PROJECTS if projects_only else classes
    for member, chain in scope.items():
        for thing in w.subjects(member, (predicate,)):
            if thing in seen:
                continue
            seen.add(thing)
            if keep is None or w.net.is_any(thing, keep):
                _add_members(w, found, thing, chain)
    return found


def _by_role(w: _Walk, role: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    net = w.net
    for _rid, rel in enumerate(net.state.rels):
        if rel.predicate == MEMBERSHIP and rel.qualifier == role:
            break
    else:
        return found
    # the role concept itself is not linked to its memberships in the projection (it is the
    # edge's qualifier), so walk the memberships that name it
    for _iri, rec in net.state.nary.items():
        w.steps -= 1
        if w.steps < 0:
            w.truncated = True
            break
        if rec.kind == MEMBERSHIP and role in rec.qualifiers:
            for person in rec.sources:
                for target in rec.targets:
                    _add(found, person, [person, target])
    return found


FILTERS = {
    "project": _by_project,
    "organisation": _by_organisation,
    "theme": _by_concept,
    "competency": _by_concept,
    "region": _by_region,
    "level": _by_level,
}


class People:
    """People queries over one projection, cached per store generation."""

    def __init__(self, net: Projection) -> None:
        self.net = net
        self._cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._generation: int | None = None
        self._lock = threading.Lock()

    def find(self, filters: dict[str, str], *, limit: int = 20, offset: int = 0, lang: str = "nl") -> dict[str, Any]:
        """People matching every filter (IRIs by filter name), ranked by how much qualifies them."""
        filters = {k: v for k, v in filters.items() if v}
        with self.net.reading():
            key = (tuple(sorted(filters.items())), lang)
            with self._lock:
                if self._generation != self.net.generation:
                    self._cache.clear()
                    self._generation = self.net.generation
                hit = self._cache.get(key)
            if hit is None:
                hit = self._find(filters, lang)
                with self._lock:
                    self._cache[key] = hit
                    if len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
            rows = hit["people"][offset : offset + limit]
            return {
                "filters": hit["filters"],
                "total": len(hit["people"]),
                "truncated": hit["truncated"],
                "people": [self._person((p, {n: hit["paths"][n][p] for n in hit["paths"]}), lang, filters.get("role")) for p in rows],
            }

    def _find(self, filters: dict[str, str], lang: str) -> dict[str, Any]:
        net = self.net
        role = filters.get("role")
        w = _Walk(net, role)
        per_filter: dict[str, dict[str, list[str]]] = {}
        for name, iri in filters.items():
            if name in FILTERS:
                per_filter[name] = FILTERS[name](w, iri)
        if role and not per_filter:
            per_filter["role"] = _by_role(w, role)
        if not per_filter:
            return {"filters": {}, "people": [], "paths": {}, "truncated": False}
        names = sorted(per_filter, key=lambda n: len(per_filter[n]))
        people = set(per_filter[names[0]])
        for name in names[1:]:
            people &= per_filter[name].keys()
        people = {p for p in people if net.is_a(p, PERSON)}
        label = net.label
        if len(per_filter) == 1:
            ((name, only),) = per_filter.items()
            rows = [(len(only[p]), label(p, lang), p) for p in people]
        else:
            rows = [(sum(len(per_filter[n][p]) for n in per_filter), label(p, lang), p) for p in people]
        rows.sort()
        return {
            "filters": {name: net.node_json(iri, lang) for name, iri in filters.items()},
            "people": [p for _, _, p in rows],
            "paths": per_filter,  # {filter: {person: path}}; a page's evidence is made from it
            "truncated": w.truncated,
        }

    def _person(self, row: tuple[str, dict[str, list[str]]], lang: str, role: str | None) -> dict[str, Any]:
        person, paths = row
        net = self.net
        evidence = []
        for name, nodes in paths.items():
            prefer = (role,) if role else ()
            path = net.path_json(nodes, lang, prefer)
            path["filter"] = name
            evidence.append(path)
        return {**net.node_json(person, lang), **works_on(net, person, lang), "evidence": evidence}


def works_on(net: Projection, person: str, lang: str = "nl", cap: int = 25) -> dict[str, Any]:
    """A person's memberships (role at organisation / on project) and expertise."""
    roles = []
    expertise = []
    for other, (rid, subject, via) in net.entries(person):
        rel = net.rel(rid)
        if rel.predicate == MEMBERSHIP and subject == person:
            roles.append(
                {
                    "role": rel.qualifier,
                    "role_label": net.term_label(rel.qualifier, lang) if rel.qualifier else "",
                    **{k: v for k, v in net.node_json(other, lang).items()},
                    "membership": via,
                }
            )
        elif rel.predicate == EXPERTISE and subject == person:
            expertise.append(net.node_json(other, lang))
        if len(roles) + len(expertise) >= cap:
            break
    roles.sort(key=lambda r: (r["label"], r["role_label"]))
    expertise.sort(key=lambda e: e["label"])
    return {"works_on": roles, "expertise": expertise}
