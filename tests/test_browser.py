"""The web pages in a real browser: Playwright drives Debian's ``chromium`` against a real uvicorn
(``live_server``). In CI (env ``CI`` set) a missing browser fails the suite; locally it skips.
Screenshots of the main pages go to ``test-artifacts/screenshots/`` (not committed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
BASE = "https://w3id.org/knooppunt"
THEME = "/id/thema/proactieve-zorgplanning"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser):
    # bypass_csp: Playwright's own string evaluation (wait_for_function) would be blocked by our
    # policy; test_browser_security.py checks the pages under the policy itself.
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_proactieve_to_resource_page(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox")
    box.fill("proactieve")
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "Proactieve zorgplanning" in page.locator('[role="listbox"]').inner_text()
    shot(page, "home-search")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    first_label = options.first.locator(".label").inner_text()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/id/"))
    assert page.locator("h1").inner_text() == first_label
    # its links (out and in, with labels) and its source
    assert page.locator("#h-out").is_visible() or page.locator("#h-in").is_visible()
    assert page.locator("dl.linkgroups a").count() > 0
    source = page.locator("a[data-source]").first
    assert source.get_attribute("href")
    assert page.locator("svg.minigraph circle").count() > 1
    shot(page, "resource")


def test_initiative_shows_ranked_suggestions_with_reasons(page, live_server):
    page.goto(live_server.url + "/initiatief")
    page.get_by_label("Titel van het initiatief").fill("Scholing proactieve zorgplanning in het mbo")
    page.get_by_label("Proactieve zorgplanning", exact=True).check()
    page.get_by_role("button", name="Zoek verbindingen").click()
    page.locator(".suggestion").first.wait_for()
    assert page.locator(".suggestion .reason").count() > 0
    first_reason = page.locator(".suggestion .reason").first.inner_text()
    assert "→" in first_reason or "—" in first_reason  # a readable chain of labelled edges
    for section in page.locator("#suggestions .ranked").all():
        scores = [float(x) for x in section.locator(".suggestion").evaluate_all("els => els.map(e => e.dataset.score)")]
        assert scores == sorted(scores, reverse=True)
    assert "themes=" in page.url  # the form state is in the URL: shareable
    shot(page, "initiative")
    shared = page.url
    page.goto(shared)  # a shared link re-runs the question
    page.locator(".suggestion").first.wait_for()
    assert page.get_by_label("Proactieve zorgplanning", exact=True).is_checked()


def test_explorer_renders_and_expands_on_click(page, live_server):
    page.goto(live_server.url + "/verkenner?focus=" + BASE + THEME)
    nodes = page.locator("#graph .node")
    page.wait_for_function("document.querySelectorAll('#graph .node').length > 1")
    page.wait_for_selector("#graph[data-settled='1']")
    before = nodes.count()
    # click neighbours until one brings new nodes (a leaf adds nothing)
    grew = False
    for i in range(nodes.count()):
        node = nodes.nth(i)
        if "focus" in (node.get_attribute("class") or ""):
            continue
        node.click()
        try:
            page.wait_for_function(f"document.querySelectorAll('#graph .node').length > {before}", timeout=3000)
            grew = True
            break
        except Exception:  # noqa: BLE001 - that neighbour was a leaf; try the next
            continue
    assert grew, "clicking a node did not add its neighbours"
    assert page.locator(".selected").is_visible()
    # filter by kind: hiding themes hides the focus (a theme)
    page.get_by_label("Thema's").uncheck()
    assert page.locator("#graph .node.focus").is_hidden()
    page.get_by_label("Thema's").check()
    page.wait_for_selector("#graph[data-settled='1']")
    shot(page, "explorer")


def test_explorer_on_a_phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="nl-NL", bypass_csp=True)
    pg = context.new_page()
    pg.goto(live_server.url + "/verkenner?focus=" + BASE + THEME)
    pg.wait_for_function("document.querySelectorAll('#graph .node').length > 1")
    box = pg.locator("#graph").bounding_box()
    assert box and box["width"] <= PHONE["width"]
    pg.wait_for_selector("#graph[data-settled='1']")
    shot(pg, "explorer-phone")
    context.close()


def test_query_page_runs_an_example(page, live_server):
    page.goto(live_server.url + "/sparql")
    example = page.locator("#example-list button, #example-list a").first
    example.wait_for()
    example.click()
    page.locator("#run").click()
    page.locator("#results table").wait_for()
    assert page.locator("#results table tbody tr").count() > 0
    shot(page, "sparql")


def test_content_negotiation_in_the_browser(page, live_server):
    url = live_server.url + THEME
    subject = rdflib.URIRef(BASE + THEME)
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        r = page.request.get(url, headers={"Accept": accept})
        assert r.ok and r.headers["content-type"].startswith(accept)
        assert "accept" in r.headers["vary"].lower()
        g = rdflib.Graph().parse(data=r.text(), format=fmt)
        assert (subject, rdflib.RDFS.label, None) in g
    page.goto(url)
    assert page.locator("h1").inner_text() == "Proactieve zorgplanning"


@pytest.mark.parametrize("path,name", [
    ("/", "home"), ("/onderwijsknooppunten", "hubs"), ("/competenties", "competencies"),
    ("/themas", "themes"), (THEME, "theme-page"), ("/initiatief", "initiative-form"),
    ("/?lang=en", "home-en"),
])
def test_screenshots_desktop_and_phone(browser, live_server, path, name):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="nl-NL")
        pg = context.new_page()
        pg.goto(live_server.url + path)
        assert pg.locator("h1").count() == 1
        # nothing wider than the screen (readable on a phone without sideways scrolling)
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on {label}"
        shot(pg, f"{name}-{label}")
        context.close()


def test_hub_page_screenshot(browser, live_server):
    # bypass_csp: Playwright's own string evaluation (wait_for_function) would be blocked by our
    # policy; test_browser_security.py checks the pages under the policy itself.
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", bypass_csp=True)
    pg = context.new_page()
    pg.goto(live_server.url + "/onderwijsknooppunten")
    pg.locator("main ul.links a").first.click()
    pg.wait_for_url(re.compile(r"/id/organisatie/"))
    assert pg.get_by_role("heading", name="Ambassadeurs").count() == 1
    shot(pg, "hub-page")
    context.close()


# --- offline: API docs from the package, no request to another host ------------------------------
STRICT_CSP = "default-src 'self'"


def test_api_docs_render_offline_under_a_strict_csp(browser, live_server):
    """``/docs`` lists the operations with Swagger UI from the package, started without inline
    script: the page is served here under ``default-src 'self'``; only data: images (one icon
    of Swagger UI's CSS) may be refused by that policy."""
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    hosts, refused, errors = set(), [], []
    pg.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    pg.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    pg.route("**/*", with_csp)
    pg.goto(live_server.url + "/docs")
    pg.locator(".opblock").first.wait_for()
    text = pg.locator("#swagger-ui").inner_text()
    assert "/sparql" in text and "/api/search" in text and "/health" in text
    assert pg.locator(".opblock").count() >= 20
    shot(pg, "api-docs")
    context.close()
    assert hosts == {live_server.url.split("/")[2]}
    assert not errors, errors
    assert all("data:image" in m for m in refused), refused


def test_no_page_requests_another_host(browser, live_server):
    """Every page the menu and footer link to, in both languages, loads only from the service."""
    own = live_server.url.split("/")[2]
    context = browser.new_context(viewport=DESKTOP)
    pg = context.new_page()
    requested: dict[str, str] = {}
    pg.on("request", lambda r: requested.setdefault(r.url, pg.url))
    pg.goto(live_server.url + "/")
    links = pg.eval_on_selector_all("header a[href], nav a[href], footer a[href]", "as => as.map(a => a.href)")
    paths = {link for link in links if link.startswith(live_server.url)} | {live_server.url + THEME}
    paths |= {p + ("&" if "?" in p else "?") + "lang=en" for p in list(paths)}
    for url in sorted(paths):
        pg.goto(url)
        pg.wait_for_load_state("networkidle")
    context.close()
    assert len(paths) >= 10
    elsewhere = {url: page for url, page in requested.items() if url.split("/")[2] != own}
    assert not elsewhere, elsewhere
