"""The Dutch web pages: home, faceted lists (``service.lists``), one page per resource IRI, the
concept schemes, a new-initiative form, search and the graph explorer. Server-rendered with
Jinja2 so they work without JavaScript; our own small scripts add search-as-you-type, the
initiative results and the explorer (Cytoscape.js with the fCoSE layout, vendored under
``static/vendor/``).

Every page is bounded and served from the in-memory projection, the faceted lists and the search
index (``graph.analysis``), which follow the store's writes; a resource page also reads its own
statements from the public dataset. Contact details never appear.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from knooppunt.graph.analysis import views
from knooppunt.graph.namespaces import KP
from knooppunt.graph.sparql.results import rdf_document
from knooppunt.graph.store import Store

from . import conneg, csrf, i18n, lists, minigraph, session
from . import pagedata as pd

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=[str(HERE / "templates" / "pages"), str(HERE / "templates")])
router = APIRouter(include_in_schema=False)
router.include_router(lists.router)

HUB = KP + "EducationHub"
SCHEMES = {"competenties": ("competencies", "owr2", "competentie"), "themas": ("themes", "themas", "thema")}
GROUPS = ("project", "organisation", "person", "material", "competency", "theme", "region", "event", "plan", "other")
EXPLORER_LIMIT = 50
DEFAULT_FOCUS = ("/id/programma/o2pz", "/id/organisatie/okp-noord-holland-flevoland")
"""Where the explorer starts without a subject: the O²PZ programme, which ties the knooppunten,
projects and materials together; else the best connected resource."""


def setup(app: FastAPI) -> None:
    """Serve our CSS, JS and the vendored graph library (no CDN: the pages work offline)."""
    app.mount("/static/pages", StaticFiles(directory=str(HERE / "static" / "pages")), name="pages-static")
    app.mount("/static/vendor", StaticFiles(directory=str(HERE / "static" / "vendor")), name="vendor-static")


def _store(request: Request) -> Store:
    return request.app.state.store


def _site(request: Request) -> pd.Site:
    return pd.Site(request.app.state.settings.base)


def _url(path: str, lang: str, **params: Any) -> str:
    """A link inside the site that keeps the page language."""
    query = {k: v for k, v in params.items() if v not in (None, "", [])}
    if lang != i18n.DEFAULT:
        query["lang"] = lang
    if not query:
        return path
    sep = "&" if "?" in path else "?"
    return path + sep + urlencode(query, doseq=True)


def render(request: Request, name: str, status: int = 200, headers: dict | None = None, **ctx: Any) -> HTMLResponse:
    lang = i18n.lang_of(request)
    other = "en" if lang == "nl" else "nl"
    params = dict(request.query_params)
    params["lang"] = other
    if other == i18n.DEFAULT:
        params.pop("lang")
    other_url = request.url.path + ("?" + urlencode(params) if params else "")
    context = {
        "lang": lang,
        "t": lambda key, **kw: i18n.t(key, lang, **kw),
        "u": lambda path, **kw: _url(path, lang, **kw),
        "num": lambda n, decimals=0: i18n.number(n, lang, decimals),
        "other_lang": other,
        "other_url": other_url,
        "path": request.url.path,
        "groups": GROUPS,
        "base": request.app.state.settings.base,
        "href": pd.href,
        "csrf_token": lambda: csrf.token(request),
        "curator": session.curator(request),
        **ctx,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status, headers=headers)
    return csrf.attach(request, response)  # the page's forms asked for a CSRF value: give the cookie


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """Browsers ask for ``/favicon.ico`` whatever the page says; the pages link the SVG."""
    return FileResponse(HERE / "static" / "pages" / "favicon.ico", media_type="image/x-icon")


# --- home -------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    lang = i18n.lang_of(request)
    kb, site = lists.knowledge(request), _site(request)
    hubs = kb.facets.query("organisations", {"soort": [HUB]}, limit=20, lang=lang)
    counts = {name: kb.facets.count(name) for name in ("projects", "materials", "organisations", "people", "needs")}
    counts_text = {name: i18n.plural(n, pd.LIST_NOUN[name], lang) for name, n in counts.items()}
    counts_text["hubs"] = i18n.plural(hubs.total, "hub", lang)
    counts_text["themes"] = i18n.plural(_scheme_size(_store(request), site, "themas"), "theme", lang)
    with kb.net.reading():
        hub_links = [pd.node_link(kb.net, site, h, lang) for h in hubs.items]
    sources = [
        pd.Link(site.base + "/id/bron/" + slug, label, site.path(site.base + "/id/bron/" + slug))
        for slug, label in (
            ("seed-001-kernproject-c", "O²PZ kernproject C"),
            ("seed-002-onderwijsknooppunten", "Onderwijsknooppunten palliatieve zorg"),
        )
    ]
    return render(request, "home.html", hubs=hub_links, counts=counts_text, sources=sources)


def _scheme_size(store: Store, site: pd.Site, scheme: str) -> int:
    """How many concepts a scheme holds (one COUNT on the store's index of ``skos:inScheme``;
    the projection does not keep scheme membership, which is not a relation between things)."""
    from pyoxigraph import NamedNode

    rows = store.select("SELECT ?s (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme ?s } GROUP BY ?s", {"s": NamedNode(site.base + "/id/schema/" + scheme)})
    return int(rows[0]["n"].value) if rows else 0


def _scheme_page(slug: str):
    title, scheme, facet = SCHEMES[slug]

    def page(request: Request) -> HTMLResponse:
        lang = i18n.lang_of(request)
        kb, site = lists.knowledge(request), _site(request)
        tree = pd.concept_tree(_store(request), site, scheme, lang)
        counts = {}
        with kb.facets.reading():
            for name in ("projects", "materials"):
                postings = kb.facets.state.lists[name].postings.get(facet, {})
                for _depth, node in pd.flat(tree):
                    counts.setdefault(node.link.iri, []).append(i18n.plural(len(postings.get(node.link.iri, ())), pd.LIST_NOUN[name], lang))
        return render(request, "scheme.html", title=i18n.t(title, lang), tree=tree, slug=slug, counts=counts)

    page.__name__ = f"scheme_{slug}"
    return page


for _slug in SCHEMES:
    router.add_api_route(f"/{_slug}", _scheme_page(_slug), methods=["GET"], response_class=HTMLResponse)


# --- resource pages (Linked Data) --------------------------------------------------------------
@router.api_route("/id/{kind}/{slug:path}", methods=["GET", "HEAD"])
def resource(request: Request, kind: str, slug: str) -> Response:
    """One IRI, two audiences: the page for a browser, the description for an RDF client."""
    site, store = _site(request), _store(request)
    iri = f"{site.base}/id/{kind}/{slug}"
    vary = {"Vary": "Accept"}
    media = conneg.choose(request.headers.get("accept"), request.query_params.get("format"))
    if media is None:
        offered = ", ".join(t for t in conneg.OFFERED if t != "application/xhtml+xml")
        return Response(
            f"Niet beschikbaar in dit formaat / not available in this format. Kies uit / choose from: {offered}\n",
            status_code=406, media_type="text/plain", headers=vary,
        )
    if not pd.safe_iri(iri):
        return not_found(request, iri, vary) if media == conneg.HTML else rdf_not_found(iri, media, vary)
    if media != conneg.HTML:
        if not pd.exists(store, iri):
            return rdf_not_found(iri, media, vary)
        triples = pd.description_triples(store, iri)
        body = rdf_document(triples, conneg.OFFERED[media])
        return Response(body, media_type=media, headers=vary)
    lang = i18n.lang_of(request)
    kb = lists.knowledge(request)
    res = pd.describe(kb, store, site, iri, lang)
    if res is None:
        return not_found(request, iri, vary)
    extra = _extras(request, kb, store, site, res, lang)
    return render(request, "resource.html", headers=vary, res=res, mini=minigraph.picture(site, res), **extra)


def _extras(request: Request, kb, store: Store, site: pd.Site, res: pd.Resource, lang: str) -> dict[str, Any]:
    """The sections a kind of resource gets beyond facts and links."""
    extra: dict[str, Any] = {"is_hub": HUB in res.type_iris}
    kind = site.kind(res.iri)
    if extra["is_hub"]:
        extra["plans"] = pd.action_plans(store, site, res.iri, lang)
        extra["ambassadors"] = [p for p in res.people if getattr(p, "role", "").endswith("/rol/ambassadeur")]
    if kind == "actieplan":
        extra["plans"] = [pd.plan_structure(store, site, res.iri, lang)]
    if kind in ("canmeds", "competentie", "thema"):
        extra["concept"] = True
        extra["coverage"] = pd.coverage_rows(kb, site, res.iri, lang) if kind != "thema" else None
        extra["gaps"] = pd.gaps(kb, site, res.iri, lang)
    extra["sections"] = lists.sections(kb, site, res.iri, lang)
    if extra["sections"]:  # the sections list what these relations would: do not say it twice
        res.links = [g for g in res.links if not (g.inverse and g.predicate in pd.INTO_LIST)]
    if kind in ("project", "programma"):
        extra["related_projects"] = _related_projects(request, res.iri, lang)
    return extra


def _related_projects(request: Request, iri: str, lang: str) -> list[dict[str, Any]]:
    """Related projects from the API's ranking (``app.state.knowledge``, ``graph.analysis.related``).

    The ranking is the API engineer's; the page only shows its answer. Without it (the API not
    installed) the section is simply left out.
    """
    kb = getattr(request.app.state, "knowledge", None)
    if kb is None:
        return []
    try:
        ranked = kb.related(iri, limit=8, lang=lang).get("related", [])
    except Exception:  # noqa: BLE001 - a missing ranking must not break the page
        return []
    site = _site(request)
    net = kb.net
    out = []
    with net.reading():
        for r in ranked:
            leads = [pd.node_link(net, site, o, lang) for o in net.out(r.get("iri", ""), KP + "leadOrganisation")]
            out.append({**r, "label": pd.display(r.get("label", "")), "href": site.path(r.get("iri", "")), "leads": leads})
    return out


def not_found(request: Request, iri: str, headers: dict | None = None) -> HTMLResponse:
    return render(request, "notfound.html", status=404, headers=headers, iri=iri)


def rdf_not_found(iri: str, media: str, headers: dict) -> Response:
    """A 404 an RDF client can read: an empty document in the format it asked for (a Turtle or
    N-Triples comment says why; JSON-LD has no comments, so it gets an empty list)."""
    if media == "application/ld+json":
        body = "[]\n"
    else:
        body = "# 404: er is geen resource met deze IRI / no resource has this IRI: " + iri.replace("\n", " ").replace("\r", " ") + "\n"
    return Response(body, status_code=404, media_type=media, headers=headers)


# --- initiative and explorer ---------------------------------------------------------------------
@router.get("/initiatief", response_class=HTMLResponse)
def initiative(request: Request) -> HTMLResponse:
    """The form; its state is the query string, so a filled-in form can be shared as a link."""
    lang = i18n.lang_of(request)
    store, site, kb = _store(request), _site(request), lists.knowledge(request)
    q = request.query_params
    form = {
        "title": q.get("title", ""),
        "description": q.get("description", ""),
        "themes": set(q.getlist("themes")),
        "competencies": set(q.getlist("competencies")),
        "levels": set(q.getlist("levels")),
        "region": q.get("region", ""),
        "organisation": q.get("organisation", ""),
    }
    return render(
        request,
        "initiative.html",
        form=form,
        themes=pd.flat(pd.concept_tree(store, site, "themas", lang)),
        competencies=pd.flat(pd.concept_tree(store, site, "owr2", lang)),
        levels=pd.flat(pd.concept_tree(store, site, "niveaus", lang)),
        regions=pd.instances(kb, site, KP + "Region", lang),
        organisations=pd.instances(kb, site, KP + "Organisation", lang),
        run=any(form[k] for k in ("title", "description", "themes", "competencies")),
    )


@router.get("/verkenner", response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    """The explorer: a subject and its neighbourhood (at most ``EXPLORER_LIMIT`` nodes) as a
    network map (Cytoscape.js, fCoSE layout) and as a list; without a subject it starts at
    ``DEFAULT_FOCUS``. The neighbourhood is in the page (a JSON block the script reads and the
    list the page shows), so it reads without JavaScript too."""
    lang = i18n.lang_of(request)
    site, kb = _site(request), lists.knowledge(request)
    asked = request.query_params.get("focus", "")[:2000]
    if asked.startswith("/id/"):
        asked = site.base + asked
    net = kb.net
    with net.reading():
        focus = asked if asked and pd.safe_iri(asked) and net.has(asked) else ""
        default = not asked
        if default:
            focus = next((site.base + p for p in DEFAULT_FOCUS if net.has(site.base + p)), "")
        if not focus and net.G.number_of_nodes():
            focus = max(net.G.degree, key=lambda nd: nd[1])[0]
    # views.view takes the projection's read lock itself (a nested read could wait on a writer)
    data = views.view(net, focus, depth=1, limit=EXPLORER_LIMIT, lang=lang) if focus else {"nodes": [], "links": []}
    with net.reading():
        label = pd.display(net.label(focus, lang)) if focus else ""
        for node in data["nodes"]:
            node["label"] = pd.display(node["label"])
            node["group"] = site.group(node["id"])
            node["shape"] = minigraph.CY_SHAPES[node["group"]]
        neighbours = explorer_list(net, site, focus, data, lang) if focus else []
    import json

    graph_json = json.dumps({"focus": focus, "nodes": data["nodes"], "links": data["links"]}, ensure_ascii=False).replace("<", "\\u003c")
    return render(
        request, "explorer.html", focus=focus, focus_label=label, focus_href=site.path(focus), default=default and bool(focus),
        unknown=bool(asked) and not focus, neighbours=neighbours, graph_json=graph_json, shapes=minigraph.SHAPES,
        count=i18n.t("nodes_shown_one", lang) if len(data["nodes"]) == 1 else i18n.t("nodes_shown", lang, n=i18n.number(len(data["nodes"]), lang)),
    )


def explorer_list(net, site: pd.Site, focus: str, data: dict, lang: str) -> list[dict[str, Any]]:
    """The explorer's text alternative: the focus's neighbours grouped by how they relate to it
    (read from the focus: "organiseerde", "heeft als ambassadeur ...")."""
    groups: dict[str, list[pd.Link]] = {}
    for link in data["links"]:
        if focus not in (link["source"], link["target"]):
            continue
        other = link["target"] if link["source"] == focus else link["source"]
        label = link["label"] if link["source"] == focus else link.get("inverse_label") or link["label"]
        groups.setdefault(label, [])
        if all(li.iri != other for li in groups[label]):
            groups[label].append(pd.node_link(net, site, other, lang))
    return [{"label": k, "items": sorted(v, key=lambda li: li.label.casefold())} for k, v in sorted(groups.items(), key=lambda kv: kv[0].casefold())]


# --- search without JavaScript ----------------------------------------------------------------------
@router.get("/zoeken", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    """Results of the home page's search box when JavaScript is off (or Enter without choosing)."""
    lang = i18n.lang_of(request)
    q = request.query_params.get("q", "").strip()[:200]
    site = _site(request)
    results = []
    if q:
        for r in lists.knowledge(request).search(q, limit=50, lang=lang).get("results", []):  # memoised per generation
            iri = r.get("iri", "")
            results.append(pd.Link(iri, pd.display(r.get("label") or pd.tail(iri)), site.path(iri), site.group(iri), pd.display(r.get("type_label", ""))))
    count = i18n.plural(len(results), "result", lang)
    return render(request, "search.html", q=q, results=results, count=count)


def error_page(request: Request, status: int, title: tuple[str, str], detail: tuple[str, str],
               headers: dict | None = None) -> HTMLResponse:
    """A refused form or page, in the page's language, with the status it deserves."""
    lang = i18n.lang_of(request)
    pick = 1 if lang == "en" else 0
    return render(request, "error.html", status=status, headers=headers, title=title[pick], detail=detail[pick])
