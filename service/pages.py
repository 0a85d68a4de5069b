"""The Dutch web pages: home, lists, one page per resource IRI, a new-initiative form and the graph
explorer. Server-rendered with Jinja2 so they work without JavaScript; our own small scripts add
search-as-you-type, the initiative results and the interactive explorer through the JSON API.

Everything is read from the public dataset (``service.pagedata``); contact details never appear.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from knooppunt.graph.namespaces import KP, SKOS
from knooppunt.graph.sparql.results import rdf_document
from knooppunt.graph.store import Store

from . import conneg, i18n
from . import pagedata as pd

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates" / "pages"))
router = APIRouter(include_in_schema=False)

HUB = KP + "EducationHub"
LISTS: dict[str, dict[str, Any]] = {
    "onderwijsknooppunten": {"title": "hubs", "class": HUB, "intro": "list_hubs"},
    "projecten": {"title": "projects", "class": KP + "Project", "also": KP + "Programme", "intro": "list_projects"},
    "materialen": {"title": "materials", "class": KP + "Material", "intro": "list_materials"},
    "organisaties": {"title": "organisations", "class": KP + "Organisation", "intro": "list_organisations"},
}
SCHEMES = {"competenties": ("competencies", "owr2"), "themas": ("themes", "themas")}
GROUPS = ("project", "organisation", "person", "material", "competency", "theme", "region", "event", "plan", "other")


def setup(app: FastAPI) -> None:
    """Serve our CSS and JS (no CDN: the pages must work offline)."""
    app.mount("/static/pages", StaticFiles(directory=str(HERE / "static" / "pages")), name="pages-static")


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
        "other_lang": other,
        "other_url": other_url,
        "path": request.url.path,
        "groups": GROUPS,
        "base": request.app.state.settings.base,
        "href": pd.href,
        **ctx,
    }
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


# --- home and lists ---------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    lang = i18n.lang_of(request)
    store, site = _store(request), _site(request)
    hubs = pd.instances(store, site, HUB, lang)
    counts = {
        slug: len(_list_items(store, site, spec, lang)) for slug, spec in LISTS.items()
    }
    counts["competenties"] = len(pd.flat(pd.concept_tree(store, site, "owr2", lang)))
    counts["themas"] = len(pd.flat(pd.concept_tree(store, site, "themas", lang)))
    sources = [
        pd.Link(site.base + "/id/bron/" + slug, label, site.path(site.base + "/id/bron/" + slug))
        for slug, label in (
            ("seed-001-kernproject-c", "O²PZ kernproject C"),
            ("seed-002-onderwijsknooppunten", "Onderwijsknooppunten palliatieve zorg"),
        )
    ]
    return render(request, "home.html", hubs=hubs, counts=counts, sources=sources)


def _list_items(store: Store, site: pd.Site, spec: dict[str, Any], lang: str) -> list[pd.Link]:
    items = pd.instances(store, site, spec["class"], lang)
    if spec.get("also"):
        seen = {i.iri for i in items}
        items += [i for i in pd.instances(store, site, spec["also"], lang) if i.iri not in seen]
        items.sort(key=lambda li: li.label.casefold())
    return items


def _list_page(slug: str):
    spec = LISTS[slug]

    def page(request: Request) -> HTMLResponse:
        lang = i18n.lang_of(request)
        items = _list_items(_store(request), _site(request), spec, lang)
        return render(request, "list.html", title=i18n.t(spec["title"], lang), items=items, slug=slug)

    page.__name__ = f"list_{slug}"
    return page


for _slug in LISTS:
    router.add_api_route(f"/{_slug}", _list_page(_slug), methods=["GET"], response_class=HTMLResponse)


def _scheme_page(slug: str):
    title, scheme = SCHEMES[slug]

    def page(request: Request) -> HTMLResponse:
        lang = i18n.lang_of(request)
        tree = pd.concept_tree(_store(request), _site(request), scheme, lang)
        return render(request, "scheme.html", title=i18n.t(title, lang), tree=tree, slug=slug)

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
    if not pd.safe_iri(iri) or not pd.exists(store, iri):
        return not_found(request, iri, vary) if media == conneg.HTML else rdf_not_found(iri, media, vary)
    if media != conneg.HTML:
        triples = pd.description_triples(store, iri)
        body = rdf_document(triples, conneg.OFFERED[media])
        return Response(body, media_type=media, headers=vary)
    lang = i18n.lang_of(request)
    res = pd.describe(store, site, iri, lang)
    if res is None:
        return not_found(request, iri, vary)
    extra = _extras(request, store, site, res, lang)
    return render(request, "resource.html", headers=vary, res=res, mini=pd.neighbourhood_svg_data(res), **extra)


def _extras(request: Request, store: Store, site: pd.Site, res: pd.Resource, lang: str) -> dict[str, Any]:
    """The sections a kind of resource gets beyond facts and links."""
    extra: dict[str, Any] = {"is_hub": HUB in res.type_iris}
    kind = site.kind(res.iri)
    if extra["is_hub"]:
        extra["plans"] = pd.action_plans(store, site, res.iri, lang)
        extra["hub_members"] = next((g.items for g in res.in_links if g.predicate == KP + "memberOf"), [])
        extra["consortium"] = next((g.items for g in res.out_links if g.predicate == KP + "consortium"), [])
        extra["ambassadors"] = [p for p in res.people if getattr(p, "role", "").endswith("/rol/ambassadeur")]
    if kind == "actieplan":
        extra["plans"] = [pd.plan_structure(store, site, res.iri, lang)]
    if kind in ("canmeds", "competentie", "thema"):
        extra["concept"] = True
        extra["coverage"] = pd.coverage(store, site, res.iri, lang) if kind != "thema" else None
        extra["gaps"] = pd.gaps(store, site, res.iri, lang)
        extra["narrower"] = next((g.items for g in res.in_links if g.predicate == SKOS + "broader"), [])
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
    return [{**r, "href": site.path(r.get("iri", ""))} for r in ranked]


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
    store, site = _store(request), _site(request)
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
        regions=pd.instances(store, site, KP + "Region", lang),
        organisations=pd.instances(store, site, KP + "Organisation", lang),
        run=any(form[k] for k in ("title", "description", "themes", "competencies")),
    )


@router.get("/verkenner", response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    lang = i18n.lang_of(request)
    site, store = _site(request), _store(request)
    focus = request.query_params.get("focus", "")
    if focus.startswith("/id/"):
        focus = site.base + focus
    label = ""
    if focus and pd.safe_iri(focus):
        res = pd.describe(store, site, focus, lang)
        label = res.label if res else ""
    return render(request, "explorer.html", focus=focus, focus_label=label, focus_href=site.path(focus))


# --- search without JavaScript ----------------------------------------------------------------------
def _search_index(request: Request):
    """The API's search index (``graph.analysis.search.SearchIndex``) if the API keeps one on ``app.state``;
    otherwise one of our own, built once, so the search page also works without the API."""
    state = request.app.state
    for name in ("search", "search_index", "index"):
        found = getattr(state, name, None)
        if found is not None and hasattr(found, "search"):
            return found
    own = getattr(state, "pages_search", None)
    if own is None:
        from knooppunt.graph.analysis.search import SearchIndex

        own = state.pages_search = SearchIndex(_store(request))
    return own


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    """Results of the home page's search box when JavaScript is off (or Enter without choosing)."""
    lang = i18n.lang_of(request)
    q = request.query_params.get("q", "").strip()[:200]
    site = _site(request)
    results = []
    if q:
        for r in _search_index(request).search(q, limit=50, lang=lang).get("results", []):
            iri = r.get("iri", "")
            results.append(pd.Link(iri, r.get("label") or pd.tail(iri), site.path(iri), site.group(iri), r.get("type_label", "")))
    return render(request, "search.html", q=q, results=results)
