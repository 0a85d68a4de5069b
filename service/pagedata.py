"""What the web pages show about a resource: read from the projection (``graph.analysis``: the
in-memory entity graph and the faceted lists that follow the store's writes) and, for a
resource's own statements, from the public dataset of the store.

Nothing here scans the store per request: a resource page reads the statements of its subject
(its out-degree, bounded by ``OUT_CAP``) and takes everything that points at it from the
projection's by-predicate index (``pin``), a bounded sample per relation with its total; people
are the projection's folded memberships. Every query runs on the public dataset (``store.select``
default), so nothing from the ``private`` graph can reach a page; contact predicates are dropped
as well, in case a curator ever puts them in a public graph by mistake.

Links into a resource are labelled as they read from it (``kp:inverseLabel``: "organiseerde",
"heeft actieplan"), never with the label of the outgoing direction.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from typing import Any

from knooppunt.graph import vocab
from knooppunt.graph.analysis.facets import FACETS, LISTS
from knooppunt.graph.analysis.knowledge import Knowledge
from knooppunt.graph.analysis.network import Projection
from knooppunt.graph.namespaces import DCT, FOAF, KP, ORG, OWL, RDF, RDFS, SCHEMA, SKOS
from knooppunt.graph.store import Store
from pyoxigraph import Literal, NamedNode, Triple

HIDDEN = frozenset({SCHEMA + "email", SCHEMA + "telephone", FOAF + "mbox", FOAF + "phone"})
LABELS = (RDFS + "label", SKOS + "prefLabel", FOAF + "name")
TEXTS = (DCT + "description", RDFS + "comment")
NOT_SHOWN_AS_LINK = frozenset({RDF + "type", DCT + "source", SCHEMA + "url", SKOS + "inScheme", SKOS + "topConceptOf"})
NOT_SHOWN_AS_FACT = frozenset(LABELS) | frozenset(TEXTS)
SAFE_IRI = re.compile(r"^[^\s<>\"{}|\\^`\x00-\x1f]+$")
LINK_SCHEMES = ("http://", "https://")
"""The only IRIs a page turns into links: a ``javascript:`` or ``data:`` IRI in the data is shown
as text, never as something to click."""
OUT_CAP = 300
IN_SAMPLE = 12
PEOPLE_CAP = 60
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")

# Kinds of IRI ({base}/id/{kind}/...) grouped for colours and shapes in the graph views (same table in JS).
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
# Where "all of them" lives: a relation into a resource -> (list page, facet) that lists them all.
LIST_PAGES = {"projects": "/projecten", "materials": "/materialen", "organisations": "/organisaties", "people": "/mensen", "needs": "/behoeften"}
LIST_NOUN = {"projects": "project", "materials": "material", "organisations": "organisation", "people": "person", "needs": "need"}
INTO_LIST = {
    KP + "addressesTheme": ("thema",), KP + "addressesCompetency": ("competentie",),
    KP + "educationLevel": ("niveau",), KP + "region": ("regio",), KP + "programme": ("programma",),
    KP + "leadOrganisation": ("organisatie",), KP + "partnerOrganisation": ("organisatie",),
    KP + "involvedOrganisation": ("organisatie",), KP + "funder": ("organisatie",),
    KP + "provider": ("organisatie",), KP + "producedBy": ("project",), KP + "expertise": ("thema", "competentie"),
    KP + "careSetting": ("zorgsetting",), KP + "memberOf": ("lidvan",), KP + "consortium": ("lidvan",),
}


def display(label: str) -> str:
    """A label as a page shows it: the OWR's "communicator | communiceren" (role | field, as the
    source writes it) reads "Communicator (communiceren)"; everything else as it is (Dutch writes
    "mbo" and "hbo" in lower case, so first letters are not forced up)."""
    if " | " in label:
        head, _, rest = label.partition(" | ")
        return f"{head[:1].upper()}{head[1:]} ({rest})"
    return label


def pick(labels: dict[str, str], lang: str, fallback: str = "") -> str:
    return display(vocab.pick_label(labels, fallback, lang))


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

    def slug(self, iri: str) -> str:
        return iri[len(self.prefix):].split("/", 1)[-1] if self.is_ours(iri) else iri

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
    total: int = 0
    more_href: str = ""  # the list page with all of them, where there is one
    inverse: bool = False


@dataclass
class Resource:
    iri: str
    label: str
    types: list[Link]
    type_iris: set[str]
    description: str
    facts: list[tuple[str, str]]
    links: list[LinkGroup]
    sources: list[Link]
    urls: list[str]
    people: list[Link] = field(default_factory=list)
    people_total: int = 0
    lead: list[Link] = field(default_factory=list)
    is_person: bool = False


def _collect(labels: dict[str, dict[str, str]], iri_term: Any, label_term: Any) -> None:
    if iri_term is None:
        return
    entry = labels.setdefault(iri_term.value, {})
    if isinstance(label_term, Literal):
        entry.setdefault(label_term.language or "", label_term.value)


OUT = """
SELECT ?s ?p ?o ?ol WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o rdfs:label|skos:prefLabel|foaf:name ?ol FILTER(isIRI(?o)) }
}"""


def exists(store: Store, iri: str) -> bool:
    """Does the public dataset say anything about ``iri`` (as subject)?"""
    return store.ask("ASK { ?s ?p ?o }", {"s": NamedNode(iri)})


def node_link(net: Projection, site: Site, iri: str, lang: str, note: str = "") -> Link:
    """A link to an entity of the projection (call under ``net.reading()``)."""
    return Link(iri, display(net.label(iri, lang)), site.path(iri), site.group(iri), note)


def format_value(literal: Literal, lang: str) -> str:
    """A literal as a person reads it: a date as "1 maart 2021", a number with Dutch separators."""
    dtype = literal.datatype.value if literal.datatype else ""
    value = literal.value
    if dtype.endswith("#date") and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        y, m, d = value.split("-")
        month = (MONTHS_EN if lang == "en" else MONTHS)[int(m) - 1]
        return f"{month} {int(d)}, {y}" if lang == "en" else f"{int(d)} {month} {y}"
    if dtype.endswith(("#decimal", "#double", "#float")):
        from .i18n import number

        try:
            return number(float(value), lang, 2).rstrip("0").rstrip(",.")
        except ValueError:
            return value
    return value


def type_links(net: Projection, site: Site, types: set[str], lang: str) -> list[Link]:
    """The kinds to show: our own classes (the most specific ones), else one standard class that
    the ontology labels (``dct:BibliographicResource`` reads "Brondocument"), never a bare IRI tail."""
    closure = net.state.closure
    ours = [t for t in types if t.startswith(KP)]
    if ours:  # only the most specific: a Course is not also shown as "Onderwijsmateriaal"
        shown = [t for t in ours if not any(t != o and t in closure.get(o, ()) for o in ours)]
    else:
        shown = sorted(t for t in types if t in vocab.ONTOLOGY_LABELS)[:1]

    def label(t: str) -> str:  # the projection labels the classes it met; the ontology file all ours
        return vocab.pick_label(net.state.labels.get(t) or vocab.ONTOLOGY_LABELS.get(t, {}), vocab.local_name(t), lang)

    return [Link(t, display(label(t)), "", "other") for t in sorted(shown)]


def describe(kb: Knowledge, store: Store, site: Site, iri: str, lang: str) -> Resource | None:
    """Everything a resource page shows, or ``None`` if the public dataset does not know ``iri``."""
    rows = store.select(OUT, {"s": NamedNode(iri)})
    if not rows:
        return None
    net = kb.net
    own_labels: dict[str, str] = {}
    texts: dict[str, str] = {}
    literals: dict[str, dict[str, list[str]]] = {}
    objects: dict[str, dict[str, None]] = {}
    object_labels: dict[str, dict[str, str]] = {}
    for row in rows:
        p, o = row["p"].value, row["o"]
        if p in HIDDEN:
            continue
        if isinstance(o, Literal):
            if p in LABELS:
                own_labels.setdefault(o.language or "", o.value)
            elif p in TEXTS:
                texts.setdefault(o.language or "", o.value)
            elif p not in NOT_SHOWN_AS_FACT:
                bucket = literals.setdefault(p, {}).setdefault(o.language or "", [])
                text = format_value(o, lang)
                if text not in bucket:
                    bucket.append(text)
        elif isinstance(o, NamedNode):
            by_p = objects.setdefault(p, {})
            if len(by_p) < OUT_CAP:
                by_p[o.value] = None
                _collect(object_labels, o, row.get("ol"))

    with net.reading():
        def link(target: str) -> Link:
            if net.has(target):
                return node_link(net, site, target, lang)
            return Link(target, pick(object_labels.get(target, {}), lang, tail(target)), site.path(target), site.group(target))

        facts = []
        for p, by_lang in literals.items():
            values = by_lang.get(lang) or by_lang.get("nl") or by_lang.get("") or next(iter(by_lang.values()))
            facts.append((display(kb.describer.term_label(p, lang)), ", ".join(sorted(values))))
        facts.sort()

        groups: list[LinkGroup] = []
        for p, targets in objects.items():
            if p in NOT_SHOWN_AS_LINK:
                continue
            items = by_label(link(x) for x in targets)
            groups.append(LinkGroup(p, kb.describer.term_label(p, lang), items, len(items)))
        groups += links_in(net, site, iri, lang)
        groups.sort(key=lambda g: (vocab.fold(g.label), g.inverse))

        type_iris = set(objects.get(RDF + "type", {}))
        people, people_total = memberships(net, site, iri, lang)
        return Resource(
            iri=iri,
            label=pick(own_labels, lang, tail(iri)),
            types=type_links(net, site, type_iris, lang),
            type_iris=type_iris,
            description=vocab.pick_label(texts, "", lang),
            facts=facts,
            links=groups,
            sources=by_label(link(x) for x in objects.get(DCT + "source", {})),
            urls=list(objects.get(SCHEMA + "url", {})),
            people=people,
            people_total=people_total,
            lead=by_label(link(x) for x in objects.get(KP + "leadOrganisation", {})),
            is_person=net.is_a(iri, KP + "Person"),
        )


def by_label(links: Any) -> list[Link]:
    """Links in label order (not the backend's statement order: the same page on every store)."""
    return sorted(links, key=lambda li: (vocab.fold(li.label), li.iri))


def links_in(net: Projection, site: Site, iri: str, lang: str) -> list[LinkGroup]:
    """What points at ``iri``, per relation, labelled as it reads from ``iri``: a sample of
    ``IN_SAMPLE`` (by label) and the total from the projection's index, and where a list page
    has them all, its address. Folded memberships and coverage records have sections of their own."""
    by_pred = net.state.pin.get(iri) or {}
    rels = {rel.predicate: rid for rid, rel in enumerate(net.state.rels) if not rel.qualifier}
    groups = []
    for p, subjects in by_pred.items():
        if p in (vocab.MEMBERSHIP, vocab.COVERAGE) or p not in rels:
            continue
        others = [s for s in subjects if s != iri]
        if not others:
            continue
        sample = sample_of(net, others, IN_SAMPLE, lang)
        group = LinkGroup(p, net.rel_label(rels[p], lang, inverse=True), [node_link(net, site, s, lang) for s in sample], len(others), inverse=True)
        if len(others) > IN_SAMPLE:
            group.more_href = more_href(net, site, iri, p, others[0], lang)
        groups.append(group)
    return groups


BIG = 200


def sample_of(net: Projection, items: list[str], n: int, lang: str) -> list[str]:
    """``n`` of ``items``, shown in label order: of a small group the first by label; of a big one
    (more than ``BIG``: a theme's thousands of projects) the ``n`` best connected, so a page never
    sorts thousands of labels (the list page behind "en nog ..." has them all, in label order)."""
    if len(items) > BIG:
        adj = net.state.G._adj  # noqa: SLF001 - degrees of thousands of nodes
        picked = heapq.nsmallest(n, items, key=lambda x: (-len(adj.get(x, ())), x))
    else:
        picked = heapq.nsmallest(n, items, key=lambda x: (net.label(x, lang).casefold(), x))
    return sorted(picked, key=lambda x: (vocab.fold(net.label(x, lang)), x))


def more_href(net: Projection, site: Site, value: str, predicate: str, example: str, lang: str) -> str:
    """The list page that shows every ``?x predicate value`` (the list ``example`` is in)."""
    for facet_key in INTO_LIST.get(predicate, ()):
        for name, spec in LISTS.items():
            if facet_key in spec.extract and net.is_any(example, spec.classes):
                return list_url(LIST_PAGES[name], {facet_key: [value]}, site, lang)
    return ""


def list_url(path: str, filters: dict[str, list[str]], site: Site, lang: str, page: int = 1) -> str:
    """The address of a list page filtered by ``filters`` (facet key -> value IRIs), in ``lang``."""
    from urllib.parse import urlencode

    from .i18n import DEFAULT

    params = [(k, token(site, v)) for k, values in filters.items() for v in values]
    if page > 1:
        params.append(("pagina", str(page)))
    if lang != DEFAULT:
        params.append(("lang", lang))
    return path + ("?" + urlencode(params) if params else "")


def token(site: Site, value: str) -> str:
    """A facet value in a URL: our resources by ``kind/slug`` ("thema/communicatie"), classes by
    their local name ("ELearning"), years and statuses as they are."""
    if site.is_ours(value):
        return value[len(site.prefix):]
    if value.startswith(KP):
        return value[len(KP):]
    return value


def untoken(site: Site, key: str, text: str) -> str:
    """The facet value a URL token names (the inverse of :func:`token`; a bare slug is tried
    under the kinds the facet's values have)."""
    text = text.strip()[:300]
    facet = FACETS[key]
    if key == "soort":
        return KP + text
    if facet.classes is None:
        return text
    if "/" in text:
        return site.prefix + text
    kinds = FACET_KINDS.get(key, ())
    return site.prefix + kinds[0] + "/" + text if kinds else site.prefix + text


FACET_KINDS = {
    "thema": ("thema",), "competentie": ("canmeds", "competentie"), "niveau": ("niveau",), "regio": ("regio",),
    "programma": ("programma",), "rol": ("rol",), "lidvan": ("organisatie",), "zorgsetting": ("zorgsetting",),
    "organisatie": ("organisatie", "project", "programma"), "project": ("project", "programma"),
}


def memberships(net: Projection, site: Site, iri: str, lang: str) -> tuple[list[Link], int]:
    """People and their roles around ``iri``, from the projection's folded ``kp:Membership``s: on
    an organisation or project page each item is a person ("Ambassadeur onderwijsknooppunt,
    2021–"); on a person page each organisation and project of a membership (a membership that
    names both an organisation and a project gives both). At most ``PEOPLE_CAP``, with the total."""
    st = net.state
    rels = st.rels
    # only the membership edges, through the by-predicate index: a busy organisation has
    # thousands of other edges (projects, materials) that a walk over all its entries would read
    others = dict.fromkeys([*st.pin.get(iri, {}).get(vocab.MEMBERSHIP, ()), *st.pout.get(iri, {}).get(vocab.MEMBERSHIP, ())])
    adj = st.G._adj.get(iri, {})  # noqa: SLF001
    found: list[tuple[str, str, str | None]] = []  # (other, role, membership)
    for other in others:
        for rid, _subject, via in adj[other]["r"]:
            rel = rels[rid]
            if rel.predicate == vocab.MEMBERSHIP:
                found.append((other, rel.qualifier, via))
    total = len(found)
    if total > PEOPLE_CAP:  # a busy organisation: per role its best connected people
        degrees = st.G._adj  # noqa: SLF001 - degrees of thousands of nodes
        found = heapq.nsmallest(PEOPLE_CAP, found, key=lambda f: (f[1], -len(degrees.get(f[0], ())), f[0]))
    items = []
    for other, role, via in found:
        rec = net.nary(via) if via else None
        details = rec.details if rec else {}
        start, end = details.get(KP + "startDate", "")[:4], details.get(KP + "endDate", "")[:4]
        period = f"{start}–{end}" if start or end else ""
        role_label = display(net.term_label(role, lang)) if role else ""
        link = node_link(net, site, other, lang, ", ".join(x for x in (role_label, period) if x))
        link.role = role  # type: ignore[attr-defined]
        items.append(link)
    items.sort(key=lambda li: (li.note, vocab.fold(li.label)))
    return items, total


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



# --- instances of a class (the initiative form's choices) -----------------------------------------
_INSTANCES: dict[tuple, list[Link]] = {}


def instances(kb: Knowledge, site: Site, cls: str, lang: str) -> list[Link]:
    """Every resource of ``cls`` (subclasses included), sorted by label: one pass over the
    projection's nodes per store generation and language, not a query per request."""
    net = kb.net
    with net.reading():
        key = (id(net), net.generation, cls, lang)
        found = _INSTANCES.get(key)
        if found is None:
            found = [node_link(net, site, n, lang) for n, attrs in net.G.nodes(data=True) if attrs.get("own") and site.is_ours(n) and net.is_a(n, cls)]
            found.sort(key=lambda li: vocab.fold(li.label))
            for old in [k for k in _INSTANCES if k[0] == key[0] and k[1] != key[1]]:
                del _INSTANCES[old]
            _INSTANCES[key] = found
    return found


# --- coverage and gaps of a competency or theme --------------------------------------------------
def coverage_rows(kb: Knowledge, site: Site, concept: str, lang: str) -> list[dict[str, Any]]:
    """Curricula that cover ``concept`` (or a narrower one): per curriculum the coverage levels
    and study years (``graph.analysis.coverage``, memoised per store generation)."""
    from .i18n import t

    found = kb.coverage(concept, limit=40, lang=lang).get("curricula", {}).get("items", [])
    rows = []
    for item in found:
        per: dict[str, set[str]] = {}
        for c in item.get("coverage", []):
            per.setdefault(display(c.get("level_label") or "?"), set()).add(str(c.get("study_year") or ""))
        parts = []
        for level, ys in sorted(per.items()):
            ys_text = ", ".join(sorted(y for y in ys if y))
            parts.append(f"{level} ({t('year', lang).lower()} {ys_text})" if ys_text else level)
        rows.append({"link": Link(item["iri"], display(item["label"]), site.path(item["iri"]), "material"), "levels": "; ".join(parts)})
    return rows


def gaps(kb: Knowledge, site: Site, concept: str, lang: str) -> list[Link]:
    """Narrower concepts of ``concept`` that nothing addresses yet (no project, material, need,
    expert or curriculum): where an Onderwijsknooppunt could start something. From the faceted
    lists' postings and the projection, bounded by the concept's scope."""
    from knooppunt.graph.analysis import concepts

    net = kb.net
    facet = "competentie" if net_is(kb, concept, (KP + "Competency", KP + "CanMEDSRole")) else "thema"
    out = []
    with kb.facets.reading(), net.lock.read():
        lists = kb.facets.state.lists
        scope = concepts.below(net, concept)
        for member in scope:
            if member == concept or net.into(member, SKOS + "broader"):
                continue  # only leaves: a broader concept is addressed through its parts
            if any(lst.postings.get(facet, {}).get(member) for lst in lists.values()) or net.into(member, vocab.COVERAGE):
                continue
            out.append(node_link(net, site, member, lang))
    out.sort(key=lambda li: vocab.fold(li.label))
    return out


def net_is(kb: Knowledge, iri: str, classes: tuple[str, ...]) -> bool:
    with kb.net.reading():
        return kb.net.is_any(iri, frozenset(classes))


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
