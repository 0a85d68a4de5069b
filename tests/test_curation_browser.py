"""The curation flow in a real browser (Playwright, Debian's chromium) against a real uvicorn: an
ambassador's search on /initiatief becomes a proposal without signing in; an editor signs in, sees
it in the queue with its duplicate warning, approves it, and it is on its page, in search and in
the connections for a new initiative; a rejected proposal never reaches the public graph; a form
post without the CSRF token is refused."""

from __future__ import annotations

import re

import pytest
from knooppunt.graph.tokens import TokenFile
from knooppunt.service.app import create_app
from test_browser import DESKTOP, shot

pytestmark = pytest.mark.browser

BASE = "https://w3id.org/knooppunt"
TITLE = "Proactieve zorgplanning bij dementie in het mbo"
EXISTING = "Proactieve zorgplanning bij dementie"
REJECTED = "Reclame voor een webwinkel"


CHOICES = ("Proactieve zorgplanning", "Dementie", "mbo")
"""Themes and level of the initiative: what the ambassador chooses on /initiatief."""


def fill_initiative(page, title: str) -> None:
    """The /initiatief form as an ambassador fills it in: a title, themes and a level."""
    page.get_by_label("Titel (optioneel)").fill(title)
    for choice in CHOICES:
        page.get_by_label(choice, exact=True).check()


@pytest.fixture
def curation_server(store_factory, backend, tmp_path, start_live_server):
    """A service of its own (the tests write), with an editor token."""
    store = store_factory(backend)
    token_file = tmp_path / "tokens.json"
    editor = TokenFile(token_file).create("redacteur", "editor")
    app = create_app(settings=store.settings.with_overrides(token_file=str(token_file)), store=store)
    return start_live_server(app), editor, store


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    errors: list[str] = []
    ctx.on("page", lambda pg: pg.on("pageerror", lambda exc: errors.append(str(exc))))
    yield ctx
    ctx.close()
    assert not errors, f"JavaScript errors: {errors}"


def test_propose_review_approve_publish(context, curation_server):
    server, editor, store = curation_server
    page = context.new_page()
    page.set_default_timeout(20_000)

    # 1. an ambassador's search on /initiatief becomes a proposal, without signing in
    page.goto(server.url + "/initiatief")
    fill_initiative(page, TITLE)
    page.get_by_role("link", name="Zet dit initiatief in Knooppunt").click()
    page.wait_for_url(re.compile(r"/voorstellen/initiatief\?"))
    assert page.get_by_label("Titel van het initiatief").input_value() == TITLE  # pre-filled from the search
    for choice in CHOICES:
        assert page.get_by_label(choice, exact=True).is_checked()
    page.get_by_label("Bron (webadres)").fill("https://example.org/acp-dementie-mbo")
    page.get_by_label("Uw naam (optioneel)").fill("Anna de Vries")
    page.get_by_role("button", name="Voorstel versturen").click()
    # the likely duplicate is shown before anything is kept
    dups = page.locator("section.dups")
    dups.wait_for()
    assert EXISTING in dups.inner_text()
    shot(page, "proposal-duplicates")
    page.get_by_label("Ik heb gekeken: dit is iets anders, toch versturen").check()
    page.get_by_role("button", name="Voorstel versturen").click()
    page.wait_for_url(re.compile(r"/voorstellen/bedankt"))
    assert page.locator("h1").inner_text() == "Bedankt voor uw voorstel"
    # not public yet
    assert page.request.get(server.url + "/api/search?q=" + TITLE).json()["total"] == 0 or all(
        r["label"] != TITLE for r in page.request.get(server.url + "/api/search?q=" + TITLE).json()["results"])

    # a form post without the CSRF token is refused
    refused = page.request.post(server.url + "/voorstellen/initiatief", form={"label": "Zonder token"})
    assert refused.status == 403

    # a second proposal, to be rejected
    page.goto(server.url + "/voorstellen/project")
    page.get_by_label("Naam van het project").fill(REJECTED)
    page.get_by_role("button", name="Voorstel versturen").click()
    page.wait_for_url(re.compile(r"/voorstellen/bedankt"))

    # 2. an editor signs in
    page.goto(server.url + "/redactie")
    page.wait_for_url(re.compile(r"/inloggen\?next="))
    page.get_by_label("Sleutel (token)").fill(editor)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/redactie$"))
    assert "Ingelogd als redacteur" in page.locator("header").inner_text()

    # 3. the queue shows the proposal with its duplicate warning
    row = page.locator("tr", has_text=TITLE)
    assert EXISTING in row.locator(".duplicate").inner_text()
    shot(page, "review-queue")

    # 4. reject the advertisement with a reason
    page.locator("tr", has_text=REJECTED).get_by_role("link").click()
    page.get_by_role("button", name="Afwijzen").click()  # without a reason: refused, nothing decided
    assert page.locator(".field.invalid").count() or page.get_by_label("Reden van afwijzing (verplicht)").evaluate(
        "el => !el.checkValidity()")
    page.get_by_label("Reden van afwijzing (verplicht)").fill("Geen onderwijs in de palliatieve zorg.")
    page.get_by_role("button", name="Afwijzen").click()
    page.get_by_text("Afgewezen. Het voorstel komt niet in Knooppunt.").wait_for()

    # 5. approve the initiative
    page.goto(server.url + "/redactie")
    page.locator("tr", has_text=TITLE).get_by_role("link").click()
    assert page.get_by_label("Titel van het initiatief").input_value() == TITLE
    assert "/id/project/proactieve-zorgplanning-bij-dementie-in-het-mbo" in page.locator("form.curation").first.inner_text()
    shot(page, "review-proposal")
    page.get_by_role("button", name="Goedkeuren en publiceren").click()
    notice = page.locator(".notice.ok")
    notice.wait_for()
    assert "staat nu in Knooppunt" in notice.inner_text()
    notice.get_by_role("link").click()

    # 6. on its page, in search, in connections
    page.wait_for_url(re.compile(r"/id/project/proactieve-zorgplanning-bij-dementie-in-het-mbo$"))
    assert page.locator("h1").inner_text() == TITLE
    assert "Proactieve zorgplanning" in page.locator("main").inner_text()
    page.goto(server.url + "/")
    box = page.get_by_role("combobox")
    box.fill("dementie in het mbo")
    page.get_by_role("option", name=re.compile(re.escape(TITLE))).wait_for()
    page.goto(server.url + "/initiatief")
    fill_initiative(page, "Scholing proactieve zorgplanning en dementie")
    page.get_by_role("button", name="Zoek verbindingen").click()
    page.locator("#suggestions a", has_text=TITLE).first.wait_for()
    shot(page, "connections-after-approval")

    # the rejected proposal is nowhere public
    assert page.request.get(server.url + "/api/search?q=webwinkel").json()["total"] == 0
    dumped = "\n".join(str(q) for g in store.public_graphs() for q in store.quads(graph=g))
    assert REJECTED not in dumped and TITLE in dumped

    # 7. sign out: the queue asks for signing in again
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(server.url + "/redactie")
    page.wait_for_url(re.compile(r"/inloggen"))
