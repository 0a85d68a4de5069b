"""Scopes of a concept, region or level: the thing itself and what lies under it.

A question about "Symptoombestrijding" also concerns "Pijn" (``skos:broader``); one about
"Noord-Holland" also "Gooi- en Vechtstreek" (``kp:withinRegion``); one about "mbo" also "mbo-3".
Each scope maps every member to the chain of nodes that leads from it up to the asked concept, so
an explanation path can include *why* a narrower theme counts. Bounded: ``MAX_SCOPE`` members,
``MAX_DEPTH`` levels.
"""

from __future__ import annotations

from ..namespaces import KP, SKOS
from .network import Projection

BROADER = SKOS + "broader"
NARROWER = SKOS + "narrower"
WITHIN = KP + "withinRegion"
MAX_SCOPE = 500
MAX_DEPTH = 4

THEME = KP + "Theme"
COMPETENCY = KP + "Competency"
CANMEDS = KP + "CanMEDSRole"
LEVEL = KP + "EducationLevel"
REGION = KP + "Region"


def below(net: Projection, top: str, predicate: str = BROADER) -> dict[str, list[str]]:
    """``{member: [member, ..., top]}`` for ``top`` and everything that points up to it through
    ``predicate`` (``skos:broader``, ``kp:withinRegion``), breadth first. ``skos:narrower`` from
    above counts as well where it is stated."""
    scope: dict[str, list[str]] = {top: [top]}
    frontier = [top]
    for _ in range(MAX_DEPTH):
        nxt = []
        for up in frontier:
            children = net.into(up, predicate)
            if predicate == BROADER:
                children += net.out(up, NARROWER)
            for child in children:
                if child not in scope:
                    scope[child] = [child, *scope[up]]
                    nxt.append(child)
                    if len(scope) >= MAX_SCOPE:
                        return scope
        frontier = nxt
        if not frontier:
            break
    return scope


def above(net: Projection, start: str, predicate: str = BROADER) -> dict[str, list[str]]:
    """``{node: [start, ..., node]}`` for ``start`` and its broader concepts (or the regions it
    lies within), nearest first; each chain follows real edges, also where a concept has two
    broader ones."""
    chains: dict[str, list[str]] = {start: [start]}
    frontier = [start]
    for _ in range(MAX_DEPTH):
        nxt = []
        for n in frontier:
            for parent in net.out(n, predicate):
                if parent not in chains:
                    chains[parent] = [*chains[n], parent]
                    nxt.append(parent)
        frontier = nxt
        if not frontier:
            break
    return chains


def scope_of(net: Projection, iri: str) -> dict[str, list[str]]:
    """The scope appropriate to what ``iri`` is (region: sub-regions; others: narrower)."""
    if net.is_a(iri, REGION):
        return below(net, iri, WITHIN)
    return below(net, iri, BROADER)
