"""The web pages over HTTP (TestClient on the real app and store): they render in Dutch and
English, every resource IRI answers with a page or its RDF description by ``Accept``, unknown
resources get a Dutch 404 page, and no contact detail ever reaches a page or a description."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
from knooppunt.service import conneg

BASE = "https://w3id.org/knooppunt"
THEME = "/id/thema/proactieve-zorgplanning"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")
PAGES = ["/", "/onderwijsknooppunten", "/projecten", "/materialen", "/competenties", "/themas",
         "/organisaties", "/initiatief", "/verkenner", "/zoeken?q=proactieve"]


def first_iri(client, path: str, kind: str) -> str:
    """The first link to ``/id/{kind}/...`` on a list page."""
    found = re.search(rf'href="(/id/{kind}/[^"?]+)"', client.get(path).text)
    assert found, f"no {kind} on {path}"
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_dutch_with_landmarks(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="nl">' in html
    for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip"'):
        assert landmark in html
    assert 'href="/sparql"' in html and 'href="/docs"' in html
    assert "cdn" not in html.lower() and "https://unpkg" not in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


def test_english_by_query_parameter(client):
    html = client.get("/?lang=en").text
    assert '<html lang="en">' in html
    assert "What is an education hub?" in html
    assert 'href="/projecten?lang=en"' in html  # the choice travels in the links
    nl = client.get("/").text
    assert "Wat is een Onderwijsknooppunt?" in nl
    assert 'hreflang="en"' in nl


def test_home_explains_hubs_with_sources(client):
    html = client.get("/").text
    assert "Onderwijsknooppunt" in html and "ambassadeur" in html
    assert "/id/bron/seed-001-kernproject-c" in html and "/id/bron/seed-002-onderwijsknooppunten" in html
    assert 'role="combobox"' in html and 'role="listbox"' in html


def test_form_fields_have_labels(client):
    html = client.get("/initiatief").text
    ids = set(re.findall(r'<(?:input|textarea|select)[^>]*\sid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    assert ids and ids <= labelled, ids - labelled


def test_resource_page_shows_facts_links_and_source(client):
    r = client.get(THEME)
    assert r.status_code == 200
    assert "Accept" in r.headers["vary"]
    html = r.text
    assert "<h1>Proactieve zorgplanning</h1>" in html
    assert 'id="h-s-projects"' in html and 'id="h-s-materials"' in html  # who works on it, what exists
    assert "data-source" in html  # dct:source
    assert 'class="minigraph"' in html  # the neighbourhood picture
    assert "/verkenner?focus=" in html


def test_hub_page_has_its_sections(client):
    hub = first_iri(client, "/onderwijsknooppunten", "organisatie")
    html = client.get(hub).text
    for heading in ("Ambassadeurs", "Verbanden"):
        assert heading in html


def test_concept_page_has_coverage_section(client):
    html = client.get("/id/canmeds/communicator").text
    assert "Dekking in opleidingen" in html


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
])
def test_content_negotiation_returns_parseable_rdf(client, accept, fmt):
    r = client.get(THEME, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    assert "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.text, format=fmt)
    subject = rdflib.URIRef(BASE + THEME)
    assert (subject, rdflib.RDFS.label, rdflib.Literal("Proactieve zorgplanning", lang="nl")) in g
    assert (None, None, subject) in g  # links in are part of the description


def test_format_parameter_and_quality_values(client):
    r = client.get(THEME + "?format=ttl")
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get(THEME, headers={"Accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get(THEME, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/html")
    r = client.get(THEME, headers={"Accept": "application/pdf"})
    assert r.status_code == 406 and "Accept" in r.headers["vary"]


def test_choose_rules():
    assert conneg.choose(None) == "text/html"
    assert conneg.choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "text/html"
    assert conneg.choose("application/ld+json, */*;q=0.1") == "application/ld+json"
    assert conneg.choose("text/*") == "text/html"
    assert conneg.choose("image/png") is None


def test_unknown_resource_is_a_dutch_404_page(client):
    r = client.get("/id/thema/bestaat-niet")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Pagina niet gevonden" in r.text
    assert client.get("/id/thema/bestaat-niet?lang=en").text.count("Page not found") >= 1


def test_no_contact_details_anywhere(client, store):
    """E-mail and telephone live only in the private graph: never on a page or in a description."""
    people = re.findall(r'href="(/id/persoon/[^"?]+)"', client.get(first_iri(client, "/onderwijsknooppunten", "organisatie")).text)
    for path in [*people[:10], THEME]:
        for accept in ("text/html", "text/turtle", "application/ld+json"):
            body = client.get(path, headers={"Accept": accept}).text
            assert "schema.org/email" not in body and "schema.org/telephone" not in body
            assert "mailto:" not in body and not EMAIL.search(body)


def test_initiative_form_state_comes_from_the_query_string(client):
    theme = BASE + THEME
    html = client.get("/initiatief", params={"title": "Scholing PZP", "themes": theme}).text
    assert 'value="Scholing PZP"' in html
    assert re.search(rf'value="{re.escape(theme)}" checked', html)
    assert 'data-run="yes"' in html


def test_explorer_page_knows_its_focus(client):
    html = client.get("/verkenner", params={"focus": BASE + THEME}).text
    assert f'data-focus="{BASE + THEME}"' in html
    for group in ("project", "theme", "organisation"):
        assert f'id="ty-{group}"' in html


def test_static_files_are_ours(client):
    for name in ("pages.css", "common.js", "search.js", "initiative.js", "explorer.js", "cytoscape-container.css", "favicon.svg"):
        r = client.get(f"/static/pages/{name}")
        assert r.status_code == 200, name
        text = r.text.replace("http://www.w3.org/2000/svg", "")  # the SVG namespace, not a fetch
        assert "http://" not in text and "https://" not in text and "import(" not in text


def test_search_page_without_javascript(client):
    html = client.get("/zoeken", params={"q": "proactieve"}).text
    assert THEME in html


def test_json_ld_is_json(client):
    r = client.get(THEME, headers={"Accept": "application/ld+json"})
    assert isinstance(json.loads(r.text), list | dict)
