"""The service's own documents: OpenAPI ids, the offline docs page, and RDF answers a person can
read (sorted, prefixed) including 404s in the format the client asked for."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import rdflib
from knooppunt.service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
THEME = "/id/thema/proactieve-zorgplanning"


def test_operation_ids_are_unique(store):
    app = create_app(store=store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns on duplicates; none may be left to hide
        schema = app.openapi()
    ids = Counter(op["operationId"] for item in schema["paths"].values() for op in item.values())
    assert len(ids) > 20 and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    assert {"sparql_sparql_get", "sparql_sparql_post"} <= set(ids)


def test_docs_page_is_served_from_the_package_without_inline_script(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert "http" not in page.text  # every URL is this service's own
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(sources) == 3
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    licence = ROOT / "service" / "static" / "docs" / "swagger-ui-5.35.0" / "LICENSE"
    assert "Apache License" in licence.read_text(encoding="utf-8")
    assert client.get("/redoc").status_code == 404  # no second, CDN-bound page


def test_resource_rdf_is_sorted_and_prefixed(client):
    ttl = client.get(THEME, headers={"Accept": "text/turtle"}).text
    assert ttl.startswith("@prefix ") and "\n<https://w3id.org/knooppunt/id/thema/proactieve-zorgplanning> a " in ttl
    nt = client.get(THEME, headers={"Accept": "application/n-triples"}).text.splitlines()
    keys = [(line.split(" ", 1)[0], " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " not in line) for line in nt]
    assert keys == sorted(keys), "grouped by subject, rdf:type first"
    assert len(rdflib.Graph().parse(data=ttl, format="turtle")) == len(nt)


def test_void_is_sorted_and_prefixed(client):
    ttl = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
    assert "@prefix void: <http://rdfs.org/ns/void#> ." in ttl
    nt = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).text.splitlines()
    subjects = [line.split(" ", 1)[0] for line in nt]
    assert subjects == sorted(subjects)


def test_rdf_404s_come_in_the_requested_format(client):
    for path in ("/id/bestaatniet", "/id/organisatie/bestaatniet"):
        for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
            r = client.get(path, headers={"Accept": accept})
            assert r.status_code == 404 and r.headers["content-type"].startswith(accept), (path, accept)
            assert len(rdflib.Graph().parse(data=r.text, format=fmt)) == 0
    page = client.get("/id/organisatie/bestaatniet", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
