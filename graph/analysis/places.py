"""Where things are, and how near that is to where an initiative is.

A thing's regions come from the graph, each with the chain of edges that says so (the evidence):

- its own ``kp:region``;
- an organisation: also the region of each Onderwijsknooppunt, consortium or network it is a
  member of (``kp:memberOf``) or belongs to (``kp:consortium``), of a knooppunt's consortium, of
  the consortium anchored at it (``kp:anchoredAt``), and of the events it organised or took part
  in ("ROC Mondriaan is lid van Onderwijsknooppunt Propallia, in Zuid-Holland Noord");
- a project or programme: those of its lead and partner organisations;
- a material: those of its providers and of the project that produced it;
- a need: those of the organisation that raised it and the event (or series) it was raised in;
- an event: those of its series; a person: those of the organisations and projects of their
  memberships.

Nearness of a region to the regions of an initiative (:func:`scope`): ``in`` (the region itself
or within it) 1.0, ``around`` (a region that contains it, e.g. the consortium region of a
province) 0.6, ``near`` (another part of the same containing region) 0.5, ``national`` (the top
region, e.g. a national knooppunt) 0.3; anything else is far and does not count.

Every walk is bounded (``FAN_OUT`` neighbours per step) and memoised per store generation.
"""

from __future__ import annotations

from typing import Any

from ..namespaces import KP
from ..vocab import MEMBERSHIP
from . import concepts
from .network import Projection

NEARNESS = {"in": 1.0, "around": 0.6, "near": 0.5, "national": 0.3}
FAN_OUT = 20
REGIONAL_CAP = 60
REGION = KP + "region"
REGION_CLASS = KP + "Region"
MEMBER_OF = KP + "memberOf"
CONSORTIUM = KP + "consortium"
ANCHORED_AT = KP + "anchoredAt"
ORGANISATION = KP + "Organisation"
EVENT = KP + "Event"
PROJECTS = frozenset({KP + "Project", KP + "Programme"})
HUB = KP + "EducationHub"
BODIES = frozenset({HUB, KP + "Consortium", KP + "CareNetwork"})
MATERIAL, NEED, PERSON = KP + "Material", KP + "Need", KP + "Person"
LEADS = (KP + "leadOrganisation", KP + "partnerOrganisation")

Place = tuple[str, list[str]]  # (region, [region, ..., thing]): the chain that places the thing


def memo(net: Projection, name: str) -> dict[Any, Any]:
    """A dict kept on the projection and emptied whenever the store generation moves on."""
    found = net.__dict__.get(name)
    if found is None or found[0] != net.generation:
        found = net.__dict__[name] = (net.generation, {})
    return found[1]


def scope(net: Projection, regions: list[str]) -> dict[str, tuple[float, str, list[str]]]:
    """``{region: (nearness, relation, chain from an asked region to it)}`` for the regions of an
    initiative: within, around, near and national (see the module docstring)."""
    out: dict[str, tuple[float, str, list[str]]] = {}

    def put(region: str, relation: str, chain: list[str]) -> None:
        near = NEARNESS[relation]
        old = out.get(region)
        if old is None or near > old[0] or (near == old[0] and len(chain) < len(old[2])):
            out[region] = (near, relation, chain)

    for asked in regions:
        for member, chain in concepts.below(net, asked, concepts.WITHIN).items():
            put(member, "in", chain[::-1])
        ancestors = concepts.above(net, asked, concepts.WITHIN)
        for outer, chain in ancestors.items():
            if outer == asked:
                continue
            top = not net.out(outer, concepts.WITHIN)
            put(outer, "national" if top else "around", chain)
            if top:
                continue
            for member, down in concepts.below(net, outer, concepts.WITHIN).items():
                if member not in out:
                    put(member, "near", [*chain, *down[::-1][1:]])
    return out


def regions_of(net: Projection, thing: str) -> list[Place]:
    """The regions of ``thing`` with the chain that places it there (memoised per generation)."""
    cache = memo(net, "_places")
    found = cache.get(thing)
    if found is None:
        found = cache[thing] = _regions_of(net, thing)
    return found


def _own(net: Projection, thing: str) -> list[Place]:
    return [(r, [r, thing]) for r in net.out(thing, REGION)[:FAN_OUT]]


def _through(net: Projection, thing: str, others: list[str], own_only: bool = False) -> list[Place]:
    out: list[Place] = []
    for other in others[:FAN_OUT]:
        for region, chain in (_own(net, other) if own_only else regions_of(net, other)):
            out.append((region, [*chain, thing]))
    return out


def _regions_of(net: Projection, thing: str) -> list[Place]:
    places = _own(net, thing)
    if net.is_a(thing, ORGANISATION):
        # knooppunten first: of two equally near places, the knooppunt's is the one to name
        bodies = sorted(set(net.out(thing, MEMBER_OF) + net.out(thing, CONSORTIUM)), key=lambda b: (not net.is_a(b, HUB), b))
        for body in bodies[:FAN_OUT]:
            for region, chain in _own(net, body):
                places.append((region, [*chain, thing]))
            if not net.out(body, REGION):  # a knooppunt without a region of its own: its consortium's
                for consortium in net.out(body, CONSORTIUM)[:FAN_OUT]:
                    places += [(r, [*c, body, thing]) for r, c in _own(net, consortium)]
        places += _through(net, thing, net.into(thing, ANCHORED_AT), own_only=True)
        events = [e for e in net.into(thing, KP + "participant")[:FAN_OUT] + net.into(thing, KP + "organisedBy")[:FAN_OUT] if net.is_a(e, EVENT)]
        for event in events:
            places += [(r, [*c, thing]) for r, c in _event_places(net, event)]
    elif net.is_any(thing, PROJECTS):
        if not places:
            places = _through(net, thing, [o for p in LEADS for o in net.out(thing, p)], own_only=True)
    elif net.is_a(thing, MATERIAL):
        places += _through(net, thing, net.out(thing, KP + "provider"), own_only=True)
        places += _through(net, thing, net.out(thing, KP + "producedBy"))
    elif net.is_a(thing, NEED):
        places += _through(net, thing, net.out(thing, KP + "raisedBy"), own_only=True)
        for event in net.out(thing, KP + "raisedIn")[:FAN_OUT]:
            places += [(r, [*c, thing]) for r, c in _event_places(net, event)]
    elif net.is_a(thing, EVENT):
        places = _event_places(net, thing)
    elif net.is_a(thing, PERSON):
        targets = list(net.state.pout.get(thing, {}).get(MEMBERSHIP, ()))
        places += _through(net, thing, targets)
    return _dedup(places)


def _event_places(net: Projection, event: str) -> list[Place]:
    places = _own(net, event)
    for series in net.out(event, KP + "partOfSeries")[:FAN_OUT]:
        places += [(r, [*c, event]) for r, c in _own(net, series)]
    return places


def _dedup(places: list[Place]) -> list[Place]:
    """One chain per region: the shortest (of equal ones, the first: callers list the better
    ones first, and their order does not depend on the store backend)."""
    best: dict[str, list[str]] = {}
    for region, chain in places:
        if region not in best or len(chain) < len(best[region]):
            best[region] = chain
    return list(best.items())


def nearest(net: Projection, thing: str, region_scope: dict[str, tuple[float, str, list[str]]]) -> tuple[float, str, list[str]] | None:
    """``(nearness, relation, path from an asked region to thing)`` for the nearest of the
    thing's regions in ``region_scope``; None if it lies far away or nowhere known."""
    best = None
    for region, chain in regions_of(net, thing):
        found = region_scope.get(region)
        if found is None:
            continue
        near, relation, way = found
        path = [*way, *chain[1:]]
        if best is None or near > best[0] or (near == best[0] and len(path) < len(best[2])):
            best = (near, relation, path)
    return best


def events_in(net: Projection, region: str) -> list[list[str]]:
    """``[region, event]`` for the events in ``region``, and ``[region, series, event]`` for the
    events of a series there (memoised per generation)."""
    cache = memo(net, "_events_in")
    found = cache.get(region)
    if found is None:
        found = []
        for thing in net.into(region, REGION):
            if net.is_a(thing, EVENT):
                found.append([region, thing])
                found += [[region, thing, part] for part in net.into(thing, KP + "partOfSeries")[:FAN_OUT]]
        cache[region] = found
    return found


def regional_bodies(net: Projection, region: str) -> dict[str, list[str]]:
    """The part of :func:`regional_organisations` that is the region's own network: its
    knooppunten, consortia and care networks, the members of those, and who organised
    or took part in its events (not every organisation that happens to lie there: at 1M triples
    a region holds hundreds): bodies first, then members, then event participants, at most
    ``REGIONAL_CAP``."""
    cache = memo(net, "_regional_bodies")
    found = cache.get(region)
    if found is None:
        ranked: list[tuple[int, str, list[str]]] = []
        for org, chain in regional_organisations(net, region).items():
            if net.is_any(org, BODIES):
                ranked.append((0, org, chain))
            elif len(chain) >= 2 and net.is_any(chain[-2], BODIES):
                ranked.append((1, org, chain))
            elif len(chain) >= 2 and net.is_a(chain[-2], EVENT):
                ranked.append((2, org, chain))
        ranked.sort(key=lambda r: (r[0], len(r[2]), r[1]))
        found = cache[region] = {org: chain for _, org, chain in ranked[:REGIONAL_CAP]}
    return found


def regional_organisations(net: Projection, region: str) -> dict[str, list[str]]:
    """``{organisation: [region, ..., organisation]}`` placed in ``region`` itself: with it as
    their own region, as members of a knooppunt, consortium or network there (two levels: the
    institutions of a knooppunt of a consortium of the region), as its consortium's anchor, or as
    organiser of or participant in an event there.
    Memoised per generation (a region node also links to thousands of projects)."""
    cache = memo(net, "_regional_orgs")
    found = cache.get(region)
    if found is not None:
        return found
    out: dict[str, list[str]] = {}

    def add(org: str, chain: list[str]) -> None:
        if org not in out or len(chain) < len(out[org]):
            out[org] = chain

    placed = sorted(net.into(region, REGION))  # sorted: the same answer on every backend
    own = [o for o in placed if net.is_a(o, ORGANISATION)]
    for event in events_in(net, region):
        for org in (net.out(event[-1], KP + "participant") + net.out(event[-1], KP + "organisedBy"))[:FAN_OUT]:
            if net.is_a(org, ORGANISATION):
                add(org, [*event, org])
    frontier = [(o, [region, o]) for o in own]
    for o, chain in frontier:
        add(o, chain)
    for _depth in range(2):
        nxt = []
        for body, chain in frontier:
            for member in sorted(net.into(body, MEMBER_OF) + net.into(body, CONSORTIUM), key=lambda m: (not net.is_a(body, HUB), m)):
                if member not in out and net.is_a(member, ORGANISATION):
                    add(member, [*chain, member])
                    nxt.append((member, [*chain, member]))
            for anchor in net.out(body, ANCHORED_AT):
                add(anchor, [*chain, anchor])
        frontier = nxt
    cache[region] = out
    return out
