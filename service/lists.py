"""The faceted lists as pages: ``/projecten``, ``/materialen``, ``/organisaties``, ``/mensen``,
``/behoeften`` (and ``/onderwijsknooppunten``, the organisations that are a knooppunt).

The computation is ``graph.analysis.facets`` (one module owns it, as Datasette's ``facets.py``
does); this module reads the filters from the URL, renders the page and builds the links. The
state is the query string only (``/materialen?competentie=canmeds/communicator&niveau=mbo``), so a
filtered list is a link to share, and every filter is a plain link: it works without JavaScript.
A list is a page of ``PAGE_SIZE`` items (``pagina=``); facets show the values that keep at least
one item, with that count.

The same index answers "who works on this, and what exists, by level" on the pages of themes,
competencies, regions, levels, roles, organisations and projects (:func:`sections`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from knooppunt.graph import vocab
from knooppunt.graph.analysis.facets import FACETS, LISTS, Result
from knooppunt.graph.analysis.knowledge import Knowledge
from knooppunt.graph.namespaces import KP

from . import i18n
from . import pagedata as pd

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_FILTERS = 20
MAX_PAGE = 10_000
HUB = KP + "EducationHub"

PAGES: dict[str, dict[str, Any]] = {
    "/projecten": {"list": "projects", "title": "projects", "intro": "intro_projecten"},
    "/materialen": {"list": "materials", "title": "materials", "intro": "intro_materialen"},
    "/organisaties": {"list": "organisations", "title": "organisations", "intro": "intro_organisaties"},
    "/mensen": {"list": "people", "title": "people_list", "intro": "intro_mensen"},
    "/behoeften": {"list": "needs", "title": "needs_list", "intro": "intro_behoeften"},
    "/onderwijsknooppunten": {"list": "organisations", "title": "hubs", "intro": "intro_onderwijsknooppunten", "fixed": {"soort": [HUB]}},
}


def knowledge(request: Request) -> Knowledge:
    """The app's ``Knowledge`` (``service.api`` builds it); one of our own if the API is absent."""
    state = request.app.state
    kb = getattr(state, "knowledge", None)
    if kb is None:
        kb = state.knowledge = Knowledge(state.store)
        kb.warm()
    return kb


def read_filters(request: Request, site: pd.Site, name: str) -> dict[str, list[str]]:
    """The facet filters of the query string (at most ``MAX_FILTERS`` values in all; unknown
    parameters are ignored; an unknown value simply keeps nothing)."""
    spec = LISTS[name]
    filters: dict[str, list[str]] = {}
    n = 0
    for key in (*spec.extract, "soort"):
        for text in request.query_params.getlist(key):
            if text and n < MAX_FILTERS:
                filters.setdefault(key, []).append(pd.untoken(site, key, text))
                n += 1
    return filters


def page_number(request: Request) -> int:
    try:
        return max(1, min(MAX_PAGE, int(request.query_params.get("pagina", "1"))))
    except ValueError:
        return 1


def toggled(filters: dict[str, list[str]], key: str, value: str) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in filters.items()}
    values = out.setdefault(key, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return {k: v for k, v in out.items() if v}


def value_label(kb: Knowledge, key: str, value: str, lang: str) -> str:
    """The label of a facet value (for the chips of the chosen filters)."""
    if key == "status":
        return i18n.t("status_" + value, lang)
    if FACETS[key].classes is None and key != "soort":
        return value
    with kb.net.reading():
        if key == "soort":
            return pd.display(kb.net.term_label(value, lang))
        return pd.display(kb.net.label(value, lang)) if kb.net.has(value) else pd.tail(value)


def item_rows(kb: Knowledge, site: pd.Site, name: str, items: list[str], lang: str) -> list[pd.Link]:
    """The items of a page with what tells them apart: kind, years, lead, roles, region, status."""
    net = kb.net
    rows = []
    with net.reading():
        for iri in items:
            notes = []
            attrs = net.attrs(iri) if net.has(iri) else {}
            kinds = pd.type_links(net, site, set(attrs.get("types", ())), lang)
            if kinds and name != "people" and not (name == "projects" and [k.iri for k in kinds] == [KP + "Project"]):
                notes.append(", ".join(k.label for k in kinds))
            if name == "projects":
                start, end = attrs.get("start"), attrs.get("end")
                if start or end:
                    notes.append(str(start) if start == end else f"{start or ''}–{end or ''}")
                leads = [pd.display(net.label(o, lang)) for o in net.out(iri, KP + "leadOrganisation")]
                if leads:
                    notes.append(f"{i18n.t('led_by', lang).lower()} {', '.join(sorted(leads))}")
            elif name == "people":
                roles = dict.fromkeys(pd.display(net.term_label(e[0], lang)) for e in _roles(net, iri))
                notes.extend(list(roles)[:3])
            elif name == "organisations":
                regions = sorted(pd.display(net.label(r, lang)) for r in net.out(iri, KP + "region"))
                if regions:
                    notes.append(", ".join(regions))
            elif name == "materials":
                levels = sorted(pd.display(net.label(lv, lang)) for lv in net.out(iri, KP + "educationLevel"))
                if levels:
                    notes.append(", ".join(levels))
            elif name == "needs":
                notes.append(i18n.t("status_" + ("vervuld" if net.out(iri, KP + "metBy") else "open"), lang))
            rows.append(pd.node_link(net, site, iri, lang, " · ".join(notes)))
    return rows


def _roles(net, iri: str) -> list[tuple[str, str]]:
    rels = net.state.rels
    return [(rels[rid].qualifier, other) for other, (rid, subject, _) in net.entries(iri)
            if rels[rid].predicate == vocab.MEMBERSHIP and subject == iri and rels[rid].qualifier]


def facet_view(result: Result, filters: dict[str, list[str]], fixed: dict[str, list[str]], path: str, site: pd.Site, lang: str) -> list[dict[str, Any]]:
    """The facet panel: per facet its values with count, the link that toggles it, and whether
    it is chosen; values beyond the first ``FACET_SHOWN`` fold away (``<details>``)."""
    blocks = []
    for block in result.facets:
        if block.key in fixed or (len(block.values) < 2 and not filters.get(block.key)):
            continue  # a facet with one value tells nothing
        values = []
        for v in block.values:
            label = i18n.t("status_" + v.value, lang) if block.key == "status" else pd.display(v.label)
            values.append({
                "label": label, "count": i18n.number(v.count, lang), "selected": v.selected, "depth": v.depth,
                "href": pd.list_url(path, toggled(filters, block.key, v.value), site, lang),
            })
        blocks.append({"key": block.key, "title": i18n.t("f_" + block.key, lang), "values": values})
    return blocks


def render_list(request: Request, path: str) -> HTMLResponse:
    from .pages import render

    spec = PAGES[path]
    name = spec["list"]
    lang = i18n.lang_of(request)
    kb = knowledge(request)
    site = pd.Site(request.app.state.settings.base)
    fixed = spec.get("fixed", {})
    filters = read_filters(request, site, name)
    page = page_number(request)
    result = kb.facets.query(name, {**filters, **fixed}, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, lang=lang)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page > pages:
        page = pages
        result = kb.facets.query(name, {**filters, **fixed}, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, lang=lang)
    chosen = [
        {"title": i18n.t("f_" + k, lang), "label": value_label(kb, k, v, lang), "href": pd.list_url(path, toggled(filters, k, v), site, lang)}
        for k, values in filters.items() for v in values
    ]
    start = (page - 1) * PAGE_SIZE
    return render(
        request, "list.html",
        title=i18n.t(spec["title"], lang), intro=i18n.t(spec["intro"], lang), slug=path.strip("/"),
        items=item_rows(kb, site, name, result.items, lang),
        total=result.total, count_text=i18n.plural(result.total, "hub" if fixed else pd.LIST_NOUN[name], lang),
        facets=facet_view(result, filters, fixed, path, site, lang), chosen=chosen,
        clear_href=pd.list_url(path, {}, site, lang),
        page=page, pages=pages,
        prev_href=pd.list_url(path, filters, site, lang, page - 1) if page > 1 else "",
        next_href=pd.list_url(path, filters, site, lang, page + 1) if page < pages else "",
        showing=i18n.t("showing", lang, start=i18n.number(start + 1, lang), end=i18n.number(start + len(result.items), lang), total=i18n.number(result.total, lang)),
        page_of=i18n.t("page_of", lang, page=i18n.number(page, lang), pages=i18n.number(pages, lang)),
    )


def _route(path: str):
    def page(request: Request) -> HTMLResponse:
        return render_list(request, path)

    page.__name__ = "list_" + path.strip("/")
    return page


for _path in PAGES:
    router.add_api_route(_path, _route(_path), methods=["GET"], response_class=HTMLResponse)


# --- "who works on this, and what exists": sections of a resource page ------------------------------
SECTION_LISTS = ("projects", "materials", "organisations", "people", "needs")
BY_LEVEL = ("projects", "materials")
SECTION_SIZE = 8
LEVEL_SIZE = 4


def sections(kb: Knowledge, site: pd.Site, iri: str, lang: str) -> list[dict[str, Any]]:
    """For a resource that is a facet value (a theme, competency, level, region, role,
    programme, organisation, project): per list the items that have it, the first few, the total
    and the address of them all; projects and materials of a theme or competency by level."""
    with kb.net.reading():
        if not kb.net.has(iri):
            return []
        keys = [k for k, f in FACETS.items() if f.classes is not None and kb.net.is_any(iri, f.classes)]
    out = []
    for name in SECTION_LISTS:
        spec = LISTS[name]
        result = None
        for key in (k for k in keys if k in spec.extract):  # a project is an "organisatie" of people, a "project" of materials
            result = kb.facets.query(name, {key: [iri]}, limit=SECTION_SIZE, lang=lang, facets=["niveau"] if name in BY_LEVEL and key in ("thema", "competentie") else [])
            if result.total:
                break
        if result is None or not result.total:
            continue
        section: dict[str, Any] = {
            "name": name, "title": i18n.t({"people": "people_list", "needs": "needs_list"}.get(name, name), lang),
            "count": i18n.plural(result.total, pd.LIST_NOUN[name], lang),
            "all_href": pd.list_url(pd.LIST_PAGES[name], {key: [iri]}, site, lang),
            "all_text": i18n.t("all_n", lang, what=i18n.plural(result.total, pd.LIST_NOUN[name], lang)),
            "items": item_rows(kb, site, name, result.items, lang), "levels": [],
            "more": result.total > len(result.items),
        }
        levels = next((b for b in result.facets if b.key == "niveau"), None)
        if levels is not None:
            for v in levels.values:
                if v.depth:
                    continue
                sub = kb.facets.query(name, {key: [iri], "niveau": [v.value]}, limit=LEVEL_SIZE, lang=lang, facets=[])
                section["levels"].append({
                    "label": pd.display(v.label), "count": i18n.plural(sub.total, pd.LIST_NOUN[name], lang),
                    "items": item_rows(kb, site, name, sub.items, lang),
                    "all_href": pd.list_url(pd.LIST_PAGES[name], {key: [iri], "niveau": [v.value]}, site, lang),
                    "more": sub.total > len(sub.items),
                })
        out.append(section)
    return out
