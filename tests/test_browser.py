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
    # its relations (both ways, with labels) or who works on it, and its source
    assert page.locator("#h-rel").is_visible() or page.locator("section.who").count() > 0
    assert page.locator("dl.linkgroups a, section.who a").count() > 0
    source = page.locator("a[data-source]").first
    assert source.get_attribute("href")
    assert page.locator("svg.minigraph path").count() > 1
    shot(page, "resource")


def test_initiative_shows_ranked_suggestions_with_reasons(page, live_server):
    page.goto(live_server.url + "/initiatief")
    page.get_by_label("Beschrijving van uw initiatief").fill("Scholing proactieve zorgplanning in het mbo")
    page.get_by_label("Proactieve zorgplanning", exact=True).check()
    page.get_by_role("button", name="Zoek verbindingen").click()
    page.locator(".suggestion").first.wait_for()
    assert "mbo" in page.locator("[data-understood]").inner_text()
    first_reason = page.locator(".suggestion .reason").first.inner_text()
    assert first_reason[0].isupper() and first_reason.endswith(".")  # a sentence, not a chain of edges
    assert "→" not in first_reason and "—" not in first_reason
    for section in page.locator("#suggestions .ranked").all():
        fits = [float(x) for x in section.locator(".suggestion").evaluate_all("els => els.map(e => e.dataset.relevance)")]
        assert fits == sorted(fits, reverse=True) and fits[0] == 1.0
        assert section.locator("meter").count() == len(fits)
    assert "themes=" in page.url  # the form state is in the URL: shareable
    _no_codes_or_decimals(page)
    shot(page, "initiative")
    shared = page.url
    page.goto(shared)  # a shared link re-runs the question
    page.locator(".suggestion").first.wait_for()
    assert page.get_by_label("Proactieve zorgplanning", exact=True).is_checked()


def _no_codes_or_decimals(pg, lang: str = "nl") -> None:
    """No internal codes and no raw scores on the page (issue 11): reasons are sentences and fit is
    a meter with words (on an English page "region" and "level" are words, not codes)."""
    text = pg.locator(".results").inner_text()
    codes = r"\b(other level|other_level|level|region|membership|score)\b" if lang == "nl" else r"\b(other level|other_level|score)\b"
    assert not re.search(codes, text, re.I), text[:500]
    assert not re.search(r"\d\.\d{2,}", text), text[:500]


def organisations(pg) -> list[str]:
    pg.locator('[data-section="organisations"] .suggestion').first.wait_for()
    return pg.locator('[data-section="organisations"] .suggestion h4').all_inner_texts()


def test_a_shared_link_with_only_a_description_works(page, live_server):
    page.goto(live_server.url + "/initiatief?description=" + "Lessen over dementie en proactieve zorgplanning in het verpleeghuis")
    page.locator(".suggestion").first.wait_for()
    assert page.locator("[data-status]").inner_text() == ""
    assert page.get_by_label("Beschrijving van uw initiatief").input_value().startswith("Lessen over dementie")
    assert "DEDICATED" in page.locator('[data-section="projects"]').inner_text()
    _no_codes_or_decimals(page)
    # nothing to go on: the page says what to do instead of "something went wrong"
    page.goto(live_server.url + "/initiatief")
    page.get_by_role("button", name="Zoek verbindingen").click()
    page.wait_for_function("document.querySelector('[data-status]').textContent.includes('Beschrijf')")


def test_the_region_changes_the_suggestions(page, live_server):
    text = "Ik wil palliatieve zorg een vaste plek geven in het mbo- en hbo-onderwijs."
    page.goto(live_server.url + "/initiatief")
    page.get_by_label("Beschrijving van uw initiatief").fill(text)
    page.get_by_role("button", name="Zoek verbindingen").click()
    anywhere = organisations(page)
    page.get_by_label("Regio").select_option(label="Noord-Holland en Flevoland")
    page.get_by_role("button", name="Zoek verbindingen").click()
    page.wait_for_function("document.querySelector('#suggestions').textContent.includes('Onderwijsknooppunt Noord-Holland en Flevoland')")
    nhf = organisations(page)
    assert nhf != anywhere
    for name in ("Onderwijsknooppunt Noord-Holland en Flevoland", "Consortium Palliatieve Zorg Noord-Holland en Flevoland", "Amsterdam UMC"):
        assert name in nhf and name not in anywhere, name
    reason = page.locator('[data-section="organisations"] .suggestion', has_text="Onderwijsknooppunt Noord-Holland en Flevoland").locator(".reason").first
    assert reason.inner_text() == "Het onderwijsknooppunt van Noord-Holland en Flevoland."
    assert "region=" in page.url
    shot(page, "initiative-region")


def test_member_institutions_of_the_knooppunt_are_suggested(page, live_server):
    page.goto(live_server.url + "/initiatief")
    page.get_by_label("Beschrijving van uw initiatief").fill("Een lessenreeks palliatieve zorg voor mbo-studenten verzorgende IG.")
    page.get_by_label("Regio").select_option(label="Zuid-Holland Noord")
    page.get_by_label("mbo", exact=True).check()
    page.get_by_role("button", name="Zoek verbindingen").click()
    orgs = organisations(page)
    assert {"ROC Mondriaan", "mboRijnland", "Onderwijsknooppunt Propallia"} <= set(orgs), orgs
    roc = page.locator('[data-section="organisations"] .suggestion', has_text="ROC Mondriaan")
    assert roc.locator(".reason").first.inner_text() == "Onderwijsinstelling voor mbo, lid van Onderwijsknooppunt Propallia, in Zuid-Holland Noord."
    people = page.locator('[data-section="people"]').inner_text()
    assert "Marcella Tam" in people and "Ambassadeur onderwijsknooppunt bij Onderwijsknooppunt Propallia" in people
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", people)
    _no_codes_or_decimals(page)
    roc.locator(".reason a", has_text="Onderwijsknooppunt Propallia").click()  # names in reasons are links
    page.wait_for_url(re.compile(r"/id/organisatie/okp-propallia"))
    assert page.locator("h1").inner_text() == "Onderwijsknooppunt Propallia"


def test_initiative_in_english(page, live_server):
    page.goto(live_server.url + "/initiatief?lang=en&description=" + "Dementie en proactieve zorgplanning in Limburg")
    page.locator(".suggestion").first.wait_for()
    projects = page.locator('[data-section="projects"]').inner_text()
    assert "Project about dementia and advance care planning" in projects
    assert " over " not in page.locator(".results").inner_text()
    _no_codes_or_decimals(page, "en")


# The explorer (Cytoscape.js): tests/test_browser_pages.py (expansion, filters, legend, labels).


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
