"""What the web pages show about a resource, read from the *public* dataset of the store.

A small, page-shaped reading of the graph: facts (literals), links out and in with readable
labels, people (folded ``kp:Membership`` resources), the action plan of an Onderwijsknooppunt and
the coverage of a competency. Every query runs on the public dataset (``store.select`` default),
so nothing from the ``private`` graph can reach a page; contact predicates are dropped as well, in
case a curator ever puts them in a public graph by mistake.

The ranking and explanation logic (related projects, connections, paths, gaps) lives in ``graph/``
and the REST API; this module only gathers what one page displays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from knooppunt.graph import vocab
from knooppunt.graph.namespaces import DCT, FOAF, KP, ORG, OWL, RDF, RDFS, SCHEMA, SKOS
from knooppunt.graph.store import Store
from pyoxigraph import Literal, NamedNode, Triple

HIDDEN = frozenset({SCHEMA + "email", SCHEMA + "telephone", FOAF + "mbox", FOAF + "phone"})
LABELS = (RDFS + "label", SKOS + "prefLabel", FOAF + "name")
TEXTS = (DCT + "description", RDFS + "comment")
NOT_SHOWN_AS_LINK = frozenset({RDF + "type", DCT + "source", SCHEMA + "url"})
SAFE_IRI = re.compile(r"^[^\s<>\"{}|\\^`\x00-\x1f]+$")
LINK_SCHEMES = ("http://", "https://")
"""The only IRIs a page turns into links: a ``javascript:`` or ``data:`` IRI in the data is shown
as text, never as something to click."""

# Kinds of IRI ({base}/id/{kind}/...) grouped for colours in the graph views (same table in JS).
KIND_GROUP = {
    "project": "project", "programma": "project",
    "organisatie": "organisation",
    "persoon": "person", "lidmaatschap": "person",
    "materiaal": "material", "curriculum": "material", "dekking": "material",
    "canmeds": "competency", "competentie": "competency",
    "thema": "theme",
    "regio": "region",
    "bijeenkomst": "event", "behoefte": "event",
    "actieplan": "plan", "bouwsteen": "plan", "focuspunt": "plan", "rapportagemoment": "plan",
}




def predicate_label(labels: dict[str, str], iri: str, lang: str) -> str:
    if iri in vocab.BUILTIN_LABELS and not labels:
        nl, en = vocab.BUILTIN_LABELS[iri]
        return en if lang == "en" else nl
    return pick(labels, lang, tail(iri))


def pick(labels: dict[str, str], lang: str, fallback: str = "") -> str:
    for key in (lang, "nl", "", "en"):
        if labels.get(key):
            return labels[key]
    return next(iter(labels.values()), fallback)


def tail(iri: str) -> str:
    """A readable fallback label: the IRI's last segment; for a web page also its site."""
    last = re.split(r"[/#]", iri.rstrip("/#"))[-1].replace("-", " ") or iri
    host = re.match(r"https?://(?:www\.)?([^/]+)/", iri)
    if host and "/id/" not in iri and not iri.startswith((KP, SKOS, RDFS, DCT, FOAF, SCHEMA, ORG, OWL)):
        return f"{host.group(1)}: {last}"
    return last


class Site:
    """IRIs of this service's resources and their local paths (``{base}/id/...`` <-> ``/id/...``)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.prefix = self.base + "/id/"

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.prefix)

    def path(self, iri: str) -> str:
        """Where a page for ``iri`` is: our own path for our resources, else the IRI itself if it
        is http(s), else ``""`` (shown as text, see :func:`href`)."""
        return iri[len(self.base):] if self.is_ours(iri) else href(iri)

    def kind(self, iri: str) -> str:
        return iri[len(self.prefix):].split("/", 1)[0] if self.is_ours(iri) else ""

    def group(self, iri: str) -> str:
        return KIND_GROUP.get(self.kind(iri), "other")


@dataclass
class Link:
    iri: str
    label: str
    href: str
    group: str = "other"
    note: str = ""


@dataclass
class LinkGroup:
    predicate: str
    label: str
    items: list[Link] = field(default_factory=list)


@dataclass
class Resource:
    iri: str
    label: str
    types: list[Link]
    type_iris: set[str]
    description: str
    facts: list[tuple[str, str]]
    out_links: list[LinkGroup]
    in_links: list[LinkGroup]
    sources: list[Link]
    urls: list[str]
    people: list[Link] = field(default_factory=list)


def _collect(labels: dict[str, dict[str, str]], iri_term: Any, label_term: Any) -> None:
    if iri_term is None:
        return
    entry = labels.setdefault(iri_term.value, {})
    if isinstance(label_term, Literal):
        entry.setdefault(label_term.language or "", label_term.value)


OUT = """
SELECT ?s ?p ?o ?pl ?ol WHERE {
  ?s ?p ?o .
  OPTIONAL { ?p rdfs:label ?pl }
  OPTIONAL { ?o rdfs:label|skos:prefLabel|foaf:name ?ol }
}"""

IN = """
SELECT ?s ?x ?p ?pl ?xl WHERE {
  ?x ?p ?s .
  FILTER(?p != rdf:type && ?p != skos:inScheme && ?p != skos:topConceptOf)
  FILTER NOT EXISTS { ?x a kp:Membership }
  OPTIONAL { ?p rdfs:label ?pl }
  OPTIONAL { ?x rdfs:label|skos:prefLabel|foaf:name ?xl }
} LIMIT 4000"""

MEMBERSHIPS = """
SELECT ?s ?m ?person ?personl ?role ?rolel ?org ?orgl ?start ?end WHERE {
  ?m a kp:Membership .
  { ?m org:member ?s } UNION { ?m org:organization ?s } UNION { ?m kp:project ?s }
  OPTIONAL { ?m org:member ?person OPTIONAL { ?person rdfs:label|foaf:name ?personl } }
  OPTIONAL { ?m org:role ?role OPTIONAL { ?role rdfs:label ?rolel } }
  OPTIONAL { ?m org:organization|kp:project ?org OPTIONAL { ?org rdfs:label ?orgl } }
  OPTIONAL { ?m kp:startDate ?start }
  OPTIONAL { ?m kp:endDate ?end }
}"""


def exists(store: Store, iri: str) -> bool:
    """Does the public dataset say anything about ``iri`` (as subject)?"""
    return store.ask("ASK { ?s ?p ?o }", {"s": NamedNode(iri)})


def describe(store: Store, site: Site, iri: str, lang: str) -> Resource | None:
    """Everything a resource page shows, or ``None`` if the public dataset does not know ``iri``."""
    s = NamedNode(iri)
    rows = store.select(OUT, {"s": s})
    if not rows:
        return None
    labels: dict[str, dict[str, str]] = {}
    own_labels: dict[str, str] = {}
    texts: dict[str, str] = {}
    literals: dict[str, dict[str, set[str]]] = {}
    objects: dict[str, list[str]] = {}
    for row in rows:
        p, o = row["p"].value, row["o"]
        if p in HIDDEN:
            continue
        _collect(labels, row["p"], row.get("pl"))
        if isinstance(o, Literal):
            if p in LABELS:
                own_labels.setdefault(o.language or "", o.value)
            elif p in TEXTS:
                texts.setdefault(o.language or "", o.value)
            else:
                literals.setdefault(p, {}).setdefault(o.language or "", set()).add(o.value)
        elif isinstance(o, NamedNode):
            _collect(labels, o, row.get("ol"))
            if o.value not in objects.setdefault(p, []):
                objects[p].append(o.value)

    def link(target: str) -> Link:
        return Link(target, pick(labels.get(target, {}), lang, tail(target)), site.path(target), site.group(target))

    facts = []
    for p, by_lang in literals.items():
        values = by_lang.get(lang) or by_lang.get("nl") or by_lang.get("") or next(iter(by_lang.values()))
        facts.append((predicate_label(labels.get(p, {}), p, lang), ", ".join(sorted(values))))
    facts.sort()

    out_groups = []
    for p, targets in objects.items():
        if p in NOT_SHOWN_AS_LINK:
            continue
        group = LinkGroup(p, predicate_label(labels.get(p, {}), p, lang), [link(x) for x in targets])
        group.items.sort(key=lambda li: li.label.casefold())
        out_groups.append(group)
    out_groups.sort(key=lambda g: g.label.casefold())

    in_labels: dict[str, dict[str, str]] = {}
    in_map: dict[str, list[str]] = {}
    for row in store.select(IN, {"s": s}):
        p = row["p"].value
        _collect(in_labels, row["p"], row.get("pl"))
        _collect(in_labels, row["x"], row.get("xl"))
        if isinstance(row["x"], NamedNode) and row["x"].value not in in_map.setdefault(p, []):
            in_map[p].append(row["x"].value)
    in_groups = []
    for p, subjects in in_map.items():
        items = [
            Link(x, pick(in_labels.get(x, {}), lang, tail(x)), site.path(x), site.group(x))
            for x in subjects
        ]
        items.sort(key=lambda li: li.label.casefold())
        in_groups.append(LinkGroup(p, predicate_label(in_labels.get(p, {}), p, lang), items))
    in_groups.sort(key=lambda g: g.label.casefold())

    type_iris = set(objects.get(RDF + "type", []))
    types = [link(x) for x in objects.get(RDF + "type", []) if x.startswith(KP) or not _has_kp(type_iris)]
    return Resource(
        iri=iri,
        label=pick(own_labels, lang, tail(iri)),
        types=types,
        type_iris=type_iris,
        description=pick(texts, lang),
        facts=facts,
        out_links=out_groups,
        in_links=in_groups,
        sources=[link(x) for x in objects.get(DCT + "source", [])],
        urls=list(objects.get(SCHEMA + "url", [])),
        people=memberships(store, site, iri, lang),
    )


def _has_kp(types: set[str]) -> bool:
    return any(t.startswith(KP) for t in types)


def memberships(store: Store, site: Site, iri: str, lang: str) -> list[Link]:
    """People and their roles around ``iri``, read through the ``kp:Membership`` resources.

    On an organisation or project page each item is a person ("ambassadeur, 2021-"); on a person
    page it is the organisation or project ("ambassadeur bij ...").
    """
    found: dict[str, dict[str, Any]] = {}
    for row in store.select(MEMBERSHIPS, {"s": NamedNode(iri)}):
        m = found.setdefault(row["m"].value, {"labels": {}, "role": None, "person": None, "org": None})
        for key in ("person", "role", "org"):
            if key in row:
                m[key] = row[key].value
                _collect(m["labels"], row[key], row.get(key + "l"))
        for key in ("start", "end"):
            if key in row:
                m[key] = row[key].value
    items = []
    for m in found.values():
        other = m["org"] if m["person"] == iri else m["person"]
        if not other:
            continue
        role = pick(m["labels"].get(m["role"], {}), lang, tail(m["role"])) if m["role"] else ""
        period = ""
        if m.get("start") or m.get("end"):
            period = f"{m.get('start', '')[:4]}–{m.get('end', '')[:4]}"
        note = ", ".join(x for x in (role, period) if x)
        label = pick(m["labels"].get(other, {}), lang, tail(other))
        link = Link(other, label, site.path(other), site.group(other), note)
        link.role = m["role"] or ""  # type: ignore[attr-defined]
        items.append(link)
    items.sort(key=lambda li: (li.note, li.label.casefold()))
    return items


# --- RDF description (content negotiation) -----------------------------------------------------
DESCRIPTION = """
CONSTRUCT { ?s ?p ?o . ?o rdfs:label ?ol . ?x ?q ?s . ?x rdfs:label ?xl . }
WHERE {
  { ?s ?p ?o . OPTIONAL { ?o rdfs:label ?ol FILTER(isIRI(?o)) } }
  UNION
  { ?x ?q ?s . FILTER(?q != rdf:type) OPTIONAL { ?x rdfs:label ?xl } }
}"""


def description_triples(store: Store, iri: str) -> list[Triple]:
    """The resource's own statements, the statements pointing at it, and the labels of both ends."""
    triples = store.construct(DESCRIPTION, {"s": NamedNode(iri)})
    return [t for t in triples if t.predicate.value not in HIDDEN]


# --- lists -------------------------------------------------------------------------------------
LIST = """
SELECT ?cls ?x ?l ?t ?tl WHERE {
  ?x a ?t . ?t rdfs:subClassOf* ?cls .
  OPTIONAL { ?x rdfs:label|skos:prefLabel|foaf:name ?l }
  OPTIONAL { ?t rdfs:label ?tl }
}"""


def instances(store: Store, site: Site, cls: str, lang: str) -> list[Link]:
    """Every instance of ``cls`` (subclasses included), once, sorted by label, noting its kind."""
    labels: dict[str, dict[str, str]] = {}
    kinds: dict[str, dict[str, str]] = {}
    type_labels: dict[str, dict[str, str]] = {}
    for row in store.select(LIST, {"cls": NamedNode(cls)}):
        x = row["x"].value
        _collect(labels, row["x"], row.get("l"))
        if row["t"].value.startswith(KP):
            _collect(type_labels, row["t"], row.get("tl"))
            kinds.setdefault(x, {})[row["t"].value] = ""
    items = []
    for x, by_lang in labels.items():
        if not site.is_ours(x):
            continue
        own = [pick(type_labels.get(t, {}), lang, tail(t)) for t in kinds.get(x, {}) if t != cls]
        items.append(Link(x, pick(by_lang, lang, tail(x)), site.path(x), site.group(x), ", ".join(sorted(set(own)))))
    items.sort(key=lambda li: li.label.casefold())
    return items


CONCEPTS = """
SELECT ?scheme ?c ?l ?b ?n WHERE {
  ?c skos:inScheme ?scheme .
  OPTIONAL { ?c rdfs:label|skos:prefLabel ?l }
  OPTIONAL { ?c skos:broader ?b }
  OPTIONAL { ?c skos:notation ?n }
}"""


@dataclass
class Concept:
    link: Link
    notation: str = ""
    children: list[Concept] = field(default_factory=list)


def concept_tree(store: Store, site: Site, scheme: str, lang: str) -> list[Concept]:
    """The concepts of a SKOS scheme as a tree along ``skos:broader`` (top concepts first)."""
    labels: dict[str, dict[str, str]] = {}
    broader: dict[str, str] = {}
    notation: dict[str, str] = {}
    for row in store.select(CONCEPTS, {"scheme": NamedNode(site.base + "/id/schema/" + scheme)}):
        c = row["c"].value
        _collect(labels, row["c"], row.get("l"))
        if "b" in row:
            broader.setdefault(c, row["b"].value)
        if "n" in row:
            notation.setdefault(c, row["n"].value)
    nodes = {
        c: Concept(Link(c, pick(ls, lang, tail(c)), site.path(c), site.group(c)), notation.get(c, ""))
        for c, ls in labels.items()
    }
    roots = []
    for c, node in nodes.items():
        parent = broader.get(c)
        if parent in nodes:
            nodes[parent].children.append(node)
        else:
            roots.append(node)

    def key(n: Concept) -> tuple:
        num = n.notation
        return (0, int(num), "") if num.isdigit() else (1, 0, n.link.label.casefold())

    for node in nodes.values():
        node.children.sort(key=key)
    roots.sort(key=key)
    return roots


def flat(tree: list[Concept], depth: int = 0) -> list[tuple[int, Concept]]:
    out = []
    for node in tree:
        out.append((depth, node))
        out.extend(flat(node.children, depth + 1))
    return out


# --- Onderwijsknooppunt and action plan ---------------------------------------------------------
PLANS = """
SELECT ?s ?plan ?year WHERE { ?plan kp:planOf ?s . OPTIONAL { ?plan kp:year ?year } }"""

PLAN = """
SELECT ?s ?bb ?bbl ?bbo ?fi ?fil ?fio ?status ?rel ?rell WHERE {
  ?s kp:hasBuildingBlock ?bb .
  OPTIONAL { ?bb rdfs:label ?bbl } OPTIONAL { ?bb kp:order ?bbo }
  OPTIONAL {
    ?bb kp:hasFocusItem ?fi .
    OPTIONAL { ?fi rdfs:label ?fil } OPTIONAL { ?fi kp:order ?fio } OPTIONAL { ?fi kp:status ?status }
    OPTIONAL { ?fi kp:relatedTo ?rel OPTIONAL { ?rel rdfs:label ?rell } }
  }
}"""

MOMENTS = """
SELECT ?s ?r ?l ?date WHERE {
  ?r kp:progressOf ?s . OPTIONAL { ?r rdfs:label ?l } OPTIONAL { ?r time:inXSDDate ?date }
}"""


def action_plans(store: Store, site: Site, hub: str, lang: str) -> list[dict[str, Any]]:
    plans = {}
    for row in store.select(PLANS, {"s": NamedNode(hub)}):
        plans.setdefault(row["plan"].value, row["year"].value if "year" in row else "")
    return [plan_structure(store, site, p, lang, year) for p, year in sorted(plans.items(), key=lambda kv: kv[1], reverse=True)]


def plan_structure(store: Store, site: Site, plan: str, lang: str, year: str = "") -> dict[str, Any]:
    """An action plan as building blocks (ordered) with their focus items, status and relations."""
    labels: dict[str, dict[str, str]] = {}
    blocks: dict[str, dict[str, Any]] = {}
    for row in store.select(PLAN, {"s": NamedNode(plan)}):
        bb = row["bb"].value
        _collect(labels, row["bb"], row.get("bbl"))
        block = blocks.setdefault(bb, {"order": _int(row.get("bbo")), "items": {}})
        if "fi" in row:
            fi = row["fi"].value
            _collect(labels, row["fi"], row.get("fil"))
            item = block["items"].setdefault(fi, {"order": _int(row.get("fio")), "status": {}, "related": {}})
            if isinstance(row.get("status"), Literal):
                item["status"].setdefault(row["status"].language or "", row["status"].value)
            if "rel" in row:
                _collect(labels, row["rel"], row.get("rell"))
                item["related"][row["rel"].value] = True

    def link(x: str) -> Link:
        return Link(x, pick(labels.get(x, {}), lang, tail(x)), site.path(x), site.group(x))

    out_blocks = []
    for bb, block in sorted(blocks.items(), key=lambda kv: (kv[1]["order"], kv[0])):
        items = []
        for fi, item in sorted(block["items"].items(), key=lambda kv: (kv[1]["order"], kv[0])):
            items.append({
                "link": link(fi),
                "status": pick(item["status"], lang),
                "related": [link(r) for r in item["related"]],
            })
        out_blocks.append({"link": link(bb), "items": items})
    moments = {}
    for row in store.select(MOMENTS, {"s": NamedNode(plan)}):
        r = row["r"].value
        _collect(labels, row["r"], row.get("l"))
        moments[r] = row["date"].value if "date" in row else ""
    plan_labels = {}
    for row in store.select("SELECT ?s ?l ?y WHERE { ?s rdfs:label ?l OPTIONAL { ?s kp:year ?y } }", {"s": NamedNode(plan)}):
        plan_labels.setdefault(row["l"].language or "", row["l"].value)
        year = year or (row["y"].value if "y" in row else "")
    return {
        "link": Link(plan, pick(plan_labels, lang, tail(plan)), site.path(plan), "plan"),
        "year": year,
        "blocks": out_blocks,
        "moments": [(link(r), d) for r, d in sorted(moments.items(), key=lambda kv: kv[1])],
    }


def _int(term: Any) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return 10**6


# --- coverage and gaps of a competency or theme --------------------------------------------------
COVERAGE = """
SELECT ?s ?cov ?comp ?cur ?curl ?lvl ?lvll ?year WHERE {
  ?comp skos:broader* ?s .
  ?cov kp:competency ?comp ; kp:curriculum ?cur .
  OPTIONAL { ?cur rdfs:label ?curl }
  OPTIONAL { ?cov kp:coverageLevel ?lvl OPTIONAL { ?lvl rdfs:label ?lvll } }
  OPTIONAL { ?cov kp:studyYear ?year }
}"""


def coverage(store: Store, site: Site, concept: str, lang: str) -> list[dict[str, Any]]:
    """Curricula that cover ``concept`` (or a narrower one): per curriculum the years and levels."""
    labels: dict[str, dict[str, str]] = {}
    per: dict[str, dict[str, set[str]]] = {}
    for row in store.select(COVERAGE, {"s": NamedNode(concept)}):
        cur = row["cur"].value
        _collect(labels, row["cur"], row.get("curl"))
        level = ""
        if "lvl" in row:
            _collect(labels, row["lvl"], row.get("lvll"))
            level = row["lvl"].value
        year = row["year"].value if "year" in row else ""
        per.setdefault(cur, {}).setdefault(level, set()).add(year)
    out = []
    for cur, levels in per.items():
        parts = []
        for level, years in sorted(levels.items()):
            name = pick(labels.get(level, {}), lang, tail(level)) if level else "?"
            ys = ", ".join(sorted(y for y in years if y))
            parts.append(f"{name} ({'jr ' if lang == 'nl' else 'yr '}{ys})" if ys else name)
        out.append({
            "link": Link(cur, pick(labels.get(cur, {}), lang, tail(cur)), site.path(cur), "material"),
            "levels": "; ".join(parts),
        })
    out.sort(key=lambda x: x["link"].label.casefold())
    return out


GAPS = """
SELECT ?s ?c ?l WHERE {
  ?c skos:broader+ ?s .
  OPTIONAL { ?c rdfs:label|skos:prefLabel ?l }
  FILTER NOT EXISTS { ?x kp:addressesTheme|kp:addressesCompetency|kp:competency ?c }
  FILTER NOT EXISTS { ?d skos:broader ?c }
}"""


def gaps(store: Store, site: Site, concept: str, lang: str) -> list[Link]:
    """Narrower concepts of ``concept`` that nothing addresses yet (no material, project, need or
    curriculum points at them): where an Onderwijsknooppunt could start something."""
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(GAPS, {"s": NamedNode(concept)}):
        _collect(labels, row["c"], row.get("l"))
    items = [Link(c, pick(ls, lang, tail(c)), site.path(c), site.group(c)) for c, ls in labels.items()]
    items.sort(key=lambda li: li.label.casefold())
    return items


# --- neighbourhood picture -------------------------------------------------------------------------
def neighbourhood_svg_data(res: Resource, limit: int = 14) -> dict[str, Any]:
    """Positions for a small radial picture: the resource in the middle, its neighbours around."""
    seen: dict[str, Link] = {}
    for group in [*res.out_links, *res.in_links]:
        for item in group.items:
            if item.iri != res.iri and item.iri not in seen and not item.iri.startswith((KP, OWL)):
                seen[item.iri] = item
    for item in res.people:
        seen.setdefault(item.iri, item)
    items = list(seen.values())[:limit]
    width, height = 640, 360
    cx, cy = width / 2, height / 2
    nodes = []
    for i, item in enumerate(items):
        angle = 2 * math.pi * i / max(1, len(items)) - math.pi / 2
        nodes.append({
            "link": item,
            "x": round(cx + math.cos(angle) * 230, 1),
            "y": round(cy + math.sin(angle) * 135, 1),
            "ly": round(cy + math.sin(angle) * 135 + (-15 if math.sin(angle) < -0.2 else 24), 1),
            "short": item.label if len(item.label) <= 26 else item.label[:24] + "…",
        })
    return {"width": width, "height": height, "cx": cx, "cy": cy, "nodes": nodes, "more": max(0, len(seen) - limit)}


def safe_iri(iri: str) -> bool:
    """Whether ``iri`` is an http(s) IRI the store can be asked about (``NamedNode`` accepts it);
    anything else (``x``, a NUL byte) is simply not found, never an error."""
    if not SAFE_IRI.match(iri) or not iri.startswith(LINK_SCHEMES):
        return False
    try:
        NamedNode(iri)
    except ValueError:
        return False
    return True


def href(iri: str) -> str:
    """The link target for ``iri`` on a page (a local path, or an http(s) IRI), or ``""`` if it
    must be shown as text."""
    if iri.startswith("/") and not iri.startswith("//"):
        return iri
    return iri if safe_iri(iri) else ""
