"""Safe pages in a real browser (issue 17.4, Build 3): Chromium through Playwright, against a real
uvicorn with its own store.

- a ``javascript:`` source cannot be created through the API (the shapes refuse it);
- if one gets into the store anyway (written past validation, as an old store might hold), the
  page shows it as text: no link, nothing runs when it is clicked;
- every page carries the security headers, and the browser reports no Content-Security-Policy
  violation while our scripts work (search as you type, the explorer, the query page).
"""

from __future__ import annotations

import pytest
from conftest import BASE
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import open_store
from knooppunt.graph.tokens import TokenFile
from knooppunt.service.app import create_app
from pyoxigraph import Literal, NamedNode, Quad

pytestmark = pytest.mark.browser
PAGES = ["/", "/projecten", "/id/thema/proactieve-zorgplanning", "/verkenner?focus=" + BASE + "/id/thema/proactieve-zorgplanning",
         "/initiatief", "/zoeken?q=zorg", "/sparql", "/id/bestaat/niet", "/docs"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, start_live_server):
    tokens = TokenFile(tmp_path_factory.mktemp("tok") / "tokens.json")
    editor = tokens.create("redacteur", "editor")
    store = open_store(Settings(store="memory", base_iri=BASE, token_file=str(tokens.path)))
    server = start_live_server(create_app(store=store))
    return server, store, editor


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="nl-NL")
    yield ctx
    ctx.close()


def test_a_javascript_source_cannot_be_created(context, site):
    server, store, editor = site
    api = context.request
    body = (f'<{BASE}/id/project/xss> a <https://w3id.org/knooppunt/def#Project> ; '
            f'<http://www.w3.org/2000/01/rdf-schema#label> "XSS-proef"@nl ; '
            f'<http://purl.org/dc/terms/source> <javascript:alert(document.domain)> .')
    r = api.post(server.url + "/api/import?graph=xss", data=body,
                 headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {editor}"})
    assert r.status == 422, r.text()
    csv = "type,id,label,bron\nproject,xss2,XSS,javascript:alert(1)\n"
    r = api.post(server.url + "/api/import?graph=xss2", data=csv,
                 headers={"Content-Type": "text/csv", "Authorization": f"Bearer {editor}"})
    assert r.status == 400, r.text()
    assert api.get(server.url + "/id/project/xss").status == 404


def test_a_javascript_iri_in_the_store_is_text_not_a_link(context, site):
    server, store, _ = site
    graph = store.graph("oud")
    s = NamedNode(BASE + "/id/project/oud-xss")
    store.apply_delta([], [
        Quad(s, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode("https://w3id.org/knooppunt/def#Project"), graph),
        Quad(s, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Oud project", language="nl"), graph),
        Quad(s, NamedNode("http://purl.org/dc/terms/source"), NamedNode("javascript:alert(1)"), graph),
        Quad(s, NamedNode("https://schema.org/url"), NamedNode("javascript:alert(2)"), graph),
    ])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url + "/id/project/oud-xss")
    assert page.locator("h1").inner_text() == "Oud project"
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert "javascript:alert(1)" in page.locator("dd.source").inner_text()  # shown, as text
    page.get_by_text("javascript:alert(2)").first.click()
    page.wait_for_timeout(200)
    assert not dialogs


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_security_headers_and_break_no_policy(context, site, path):
    server, _, _ = site
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(server.url + path)
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and headers.get("x-frame-options") == "DENY"
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "same-origin"
    if path == "/":
        box = page.get_by_role("combobox")
        box.fill("proactieve")
        page.get_by_role("option").first.wait_for()  # our script runs under the policy
    if path == "/sparql":
        page.locator("#page-data").wait_for(state="attached")
    if path == "/docs":
        page.locator(".swagger-ui .opblock").first.wait_for()  # Swagger UI ran and read /openapi.json
    page.wait_for_timeout(300)
    assert not violations, violations
