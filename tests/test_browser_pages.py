"""Issue 16 in a real browser (Playwright, Debian's chromium, a real uvicorn on both backends):

- the three journeys, each in at most three clicks from the home page;
- axe-core (vendored for the tests, ``tests/vendor/axe-core``) on every page type, desktop and
  phone: no violation of any rule axe runs by default (WCAG 2.0-2.2 A/AA and best practices);
- the explorer at 50 nodes: no two visible labels overlap, measured from Cytoscape's rendered
  bounding boxes, and most labels stay visible;
- a screenshot of every page type at desktop and phone size in ``test-artifacts/pages/``
  (ignored by git), with nothing wider than the screen.

axe is injected through Playwright into a context with ``bypass_csp=True``: the pages keep their
policy (no inline script), which ``test_browser_security.py`` checks under the policy itself.
To check a new page type, add it to ``PAGE_TYPES``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import BASE

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"
SHOTS = HERE.parent / "test-artifacts" / "pages"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
THEME = "/id/thema/proactieve-zorgplanning"

PAGE_TYPES: list[tuple[str, str]] = [
    ("home", "/"),
    ("home-en", "/?lang=en"),
    ("hubs", "/onderwijsknooppunten"),
    ("projects", "/projecten"),
    ("projects-filtered", "/projecten?thema=communicatie&niveau=mbo"),
    ("materials", "/materialen?competentie=canmeds/communicator"),
    ("organisations", "/organisaties?pagina=2"),
    ("people", "/mensen"),
    ("needs", "/behoeften"),
    ("themes", "/themas"),
    ("competencies", "/competenties"),
    ("hub", "/id/organisatie/okp-noord-holland-flevoland"),
    ("organisation", "/id/organisatie/amsterdam-umc"),
    ("project", "/id/project/dedicated"),
    ("programme", "/id/programma/o2pz"),
    ("person", "/id/persoon/marcella-tam"),
    ("material", "/id/materiaal/lastmeter"),
    ("theme", "/id/thema/communicatie"),
    ("competency", "/id/canmeds/communicator"),
    ("level", "/id/niveau/mbo"),
    ("region", "/id/regio/noord-holland"),
    ("role", "/id/rol/ambassadeur"),
    ("action-plan", "/id/actieplan/okp-noord-holland-flevoland-2021"),
    ("dialogue", "/id/bijeenkomst/dialoog-gooi-en-vechtstreek"),
    ("need", "/id/behoefte/gv-bewustwording"),
    ("source", "/id/bron/seed-001-kernproject-c"),
    ("search", "/zoeken?q=proactieve"),
    ("explorer", "/verkenner"),
    ("explorer-focus", "/verkenner?focus=" + quote(BASE + THEME, safe="")),
    ("initiative", "/initiatief"),
    ("sparql", "/sparql"),
    ("not-found", "/id/thema/bestaat-niet"),
]


@pytest.fixture(scope="module")
def memory_server(store_factory, start_live_server):
    """One server on the embedded store for the page-by-page checks: the HTML is the same on every
    backend (the journeys below run on each), so axe and the screenshots need one."""
    from knooppunt.service.app import create_app

    return start_live_server(create_app(store=store_factory("memory")))


@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", bypass_csp=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="nl-NL", bypass_csp=True)
    yield context
    context.close()


def ready(page) -> None:
    """Wait for what the page's scripts do (the explorer's layout, the query page's examples)."""
    page.wait_for_load_state("networkidle")
    if page.locator("#graph").count():
        page.wait_for_selector("#graph[data-settled='1']", timeout=30_000)
    if page.locator("#example-list").count():
        page.locator("#example-list button").first.wait_for()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]} for v in found]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("name,path", PAGE_TYPES, ids=[n for n, _ in PAGE_TYPES])
def test_every_page_type_is_accessible_and_fits_a_phone(desktop, phone, memory_server, name, path):
    for size, context in (("desktop", desktop), ("phone", phone)):
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        response = page.goto(memory_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), path
        ready(page)
        assert page.locator("h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a {size} ({overflow}px)"
        shot(page, f"{name}-{size}")
        violations = axe_violations(page)
        assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)
        assert not errors, errors
        page.close()


# --- the three journeys, at most three clicks each ------------------------------------------------
class Clicks:
    def __init__(self, page) -> None:
        self.page, self.n = page, 0

    def click(self, locator) -> None:
        self.n += 1
        locator.click()
        self.page.wait_for_load_state("domcontentloaded")


def test_ambassador_finds_her_action_plan_and_who_works_on_communication(desktop, live_server):
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    c = Clicks(page)
    c.click(page.locator("main").get_by_role("link", name="Onderwijsknooppunt Noord-Holland en Flevoland"))
    plan = page.locator("section.plan")
    assert plan.get_by_role("heading", name="Actieplan", exact=True).count() == 1
    assert "Bouwsteen" in plan.inner_text() and "2021" in plan.inner_text()
    assert c.n <= 3
    page.goto(live_server.url + "/")
    c = Clicks(page)
    c.click(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Thema's"))
    c.click(page.locator("main").get_by_role("link", name="Communicatie", exact=True))
    who = {h: page.locator(f"#{h}").count() for h in ("h-s-organisations", "h-s-people", "h-s-projects")}
    assert all(who.values()), who
    assert page.locator("section.who").filter(has=page.locator("#h-s-organisations")).get_by_role("link").count() > 1
    assert c.n <= 3
    page.close()


def test_teacher_finds_material_for_the_communicator_role_at_mbo_level(desktop, live_server):
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    c = Clicks(page)
    c.click(page.locator("main").get_by_role("link", name=re.compile("^Materialen")))
    c.click(page.locator("aside.facets").get_by_role("link", name=re.compile(r"^Communicator \(communiceren\)")))
    c.click(page.locator("aside.facets").get_by_role("link", name=re.compile(r"^mbo \(")))
    assert c.n <= 3
    assert "competentie=canmeds%2Fcommunicator" in page.url and "niveau=" in page.url  # shareable
    items = page.locator("ul.items > li")
    assert items.count() >= 1
    assert "Keuzedeel Palliatieve zorg (K1006)" in page.locator("ul.items").inner_text()
    chips = page.locator(".chips").inner_text()
    assert "Communicator (communiceren)" in chips and "mbo" in chips
    page.close()


def test_researcher_finds_projects_related_to_dedicated_and_who_leads_them(desktop, live_server):
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    c = Clicks(page)
    c.click(page.locator("main").get_by_role("link", name=re.compile("^Projecten")))
    c.click(page.locator("main").get_by_role("link", name=re.compile("^DEDICATED")))
    assert c.n <= 3
    assert "Geleid door: AWO-L, Universiteit Maastricht" in page.locator(".lead-org").inner_text()
    related = page.locator("section.related li")
    assert related.count() >= 3
    leads = [t for t in related.all_inner_texts() if "geleid door" in t]
    assert len(leads) >= 2, leads
    page.close()


# --- the explorer ---------------------------------------------------------------------------------------
def labels_and_overlaps(page) -> tuple[int, int, list]:
    """(visible labels, nodes, overlapping pairs) from Cytoscape's rendered bounding boxes."""
    return page.evaluate("""() => {
        const cy = document.getElementById('explorer').cy;
        const boxes = [];
        cy.nodes(':visible').forEach(n => {
            if (n.hasClass('no-label') || !n.data('label')) return;
            const b = n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
            if (b.w > 0 && b.h > 0) boxes.push([n.id(), b.x1, b.y1, b.x2, b.y2]);
        });
        const pairs = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a[1] < b[3] && b[1] < a[3] && a[2] < b[4] && b[2] < a[4]) pairs.push([a[0], b[0]]);
        }
        return [boxes.length, cy.nodes(':visible').length, pairs];
    }""")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_explorer_at_fifty_nodes_has_no_overlapping_labels(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/verkenner?focus=" + quote(BASE + "/id/programma/o2pz", safe=""))
    page.wait_for_selector("#graph[data-settled='1']", timeout=30_000)
    # grow to 50 nodes: expand neighbours until there are at least 50
    buttons = page.locator("#alt-list button")
    i = 0
    while page.evaluate("document.getElementById('explorer').cy.nodes().length") < 50 and i < buttons.count():
        buttons.nth(i).click()
        page.wait_for_selector("#graph[data-settled='1']", timeout=30_000)
        i += 1
    visible, nodes, pairs = labels_and_overlaps(page)
    assert nodes >= 50
    assert pairs == [], pairs
    assert visible >= nodes * (0.5 if viewport is PHONE else 0.6), (visible, nodes)
    shot(page, f"explorer-50-{'phone' if viewport is PHONE else 'desktop'}")
    context.close()


def test_explorer_starts_with_a_subject_legend_shapes_and_a_list(desktop, live_server):
    page = desktop.new_page()
    page.goto(live_server.url + "/verkenner")
    page.wait_for_selector("#graph[data-settled='1']", timeout=30_000)
    assert page.evaluate("document.getElementById('explorer').cy.nodes().length") > 10
    assert "Optimaliseren Onderwijs Palliatieve Zorg" in page.locator("h1").inner_text()
    shapes = page.locator(".panel .legend svg.shape path").evaluate_all("ps => ps.map(p => p.getAttribute('d'))")
    assert len(shapes) == len(set(shapes)) == 10  # every kind its own shape, not only a colour
    cy_shapes = page.evaluate("Array.from(new Set(document.getElementById('explorer').cy.nodes().map(n => n.style('shape'))))")
    assert len(cy_shapes) >= 3
    listed = set(page.locator("#alt-list a[href^='/id/']").evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    assert len(listed) == page.evaluate("document.getElementById('explorer').cy.nodes().length") - 1
    # a click on a node in the picture adds its neighbours, and the list follows
    expanded = page.evaluate("document.getElementById('explorer').cy.nodes('.expanded').length")
    pos = page.evaluate("""() => { const cy = document.getElementById('explorer').cy;
        const box = document.getElementById('graph').getBoundingClientRect();
        const inside = n => { const p = n.renderedPosition(); return p.x > 30 && p.y > 30 && p.x < box.width - 60 && p.y < box.height - 30; };
        const n = cy.nodes().filter(n => !n.hasClass('expanded') && n.data('group') === 'project' && inside(n)).first();
        const p = n.renderedPosition();
        return [box.left + p.x, box.top + p.y]; }""")
    page.mouse.click(pos[0], pos[1])
    # the click expands the node under it (its neighbours may all be in the picture already)
    page.wait_for_function(f"document.getElementById('explorer').cy.nodes('.expanded').length > {expanded}", timeout=15_000)
    page.wait_for_selector("#graph[data-settled='1']", timeout=30_000)
    missing = page.evaluate("""async () => { const cy = document.getElementById('explorer').cy;
        const n = cy.nodes('.expanded').filter(n => !n.hasClass('focus')).first();
        const d = await (await fetch('/api/graph?' + new URLSearchParams({focus: n.id(), depth: '1', limit: '50'}))).json();
        return d.nodes.map(x => x.id).filter(id => !cy.getElementById(id).length); }""")
    assert missing == [], "every neighbour of the clicked node is in the picture"
    assert page.locator("#alt-list dt").count() > 1
    assert page.locator(".selected").is_visible()
    page.get_by_label("Projecten en programma's").uncheck()
    assert page.evaluate("document.getElementById('explorer').cy.nodes(':visible').filter(n => n.data('group') === 'project').length") == 0
    page.close()


def test_lists_work_without_javascript(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/materialen")
    page.locator("aside.facets").get_by_role("link", name=re.compile(r"^mbo \(")).click()
    assert "niveau=" in page.url and page.locator("ul.items > li").count() >= 1
    page.goto(live_server.url + "/verkenner")
    assert page.locator("#alt-list a[href^='/id/']").count() > 10  # the neighbourhood, as a list
    context.close()


def test_axe_finds_what_the_old_pages_had(desktop, live_server):
    """The oracle can fail: links inside ``role="img"`` (the old neighbourhood picture) and a
    control whose name does not contain its visible text are reported."""
    page = desktop.new_page()
    page.goto(live_server.url + "/id/thema/bestaat-niet")
    page.evaluate("""() => { const m = document.querySelector('main');
        m.insertAdjacentHTML('beforeend', '<svg role="img" aria-label="x"><a href="/"><text y="10">a</text></a></svg>');
        m.insertAdjacentHTML('beforeend', '<button type="button" aria-label="Inzoomen">+ groter</button>'); }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"nested-interactive", "label-content-name-mismatch"} <= found, found
    page.close()
