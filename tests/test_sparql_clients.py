"""Real SPARQL clients against the live server, as they really behave: SPARQLWrapper (adds
``format``/``output``/``results`` parameters and long Accept lists), rdflib's SPARQLStore, and the
requests YASGUI and Sgvizler/d3-style dashboards send. Answers are compared with the store."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

KP = "https://w3id.org/knooppunt/def#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERY = f"""PREFIX kp: <{KP}>
PREFIX rdfs: <{RDFS_LABEL.rsplit('#', 1)[0]}#>
SELECT ?project ?label WHERE {{ ?project a kp:Project ; rdfs:label ?label FILTER(LANG(?label) = "nl") }}
ORDER BY ?project"""
CONSTRUCT = f"""PREFIX kp: <{KP}>
CONSTRUCT {{ ?hub kp:consortium ?c }} WHERE {{ ?hub a kp:EducationHub ; kp:consortium ?c }}"""


def expected_pairs(store) -> list[tuple[str, str]]:
    return [(r["project"].value, r["label"].value) for r in store.select(QUERY, prefixes=False)]


def wrapper(live_server, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    sw = SPARQLWrapper(live_server.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_json(live_server, store, method):
    result = wrapper(live_server, QUERY, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    doc = result.convert()
    pairs = [(b["project"]["value"], b["label"]["value"]) for b in doc["results"]["bindings"]]
    assert pairs == expected_pairs(store) and pairs


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_xml(live_server, store, method):
    document = wrapper(live_server, QUERY, XML, method).query().convert()  # an xml.dom.minidom Document
    pairs = []
    for result in document.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        pairs.append((values["project"], values["label"]))
    assert pairs == expected_pairs(store)


def test_sparqlwrapper_csv(live_server, store):
    raw = wrapper(live_server, QUERY, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == ["project", "label"]
    assert [tuple(r) for r in rows[1:]] == expected_pairs(store)


def test_sparqlwrapper_ask_and_construct(live_server, store):
    ask = wrapper(live_server, f"ASK {{ ?x a <{KP}EducationHub> }}", JSON).query().convert()
    assert ask["boolean"] is True
    expected = {(t.subject.value, t.object.value) for t in store.construct(CONSTRUCT)}
    assert expected
    graph = wrapper(live_server, CONSTRUCT, RDFXML).query().convert()  # SPARQLWrapper parses RDF/XML
    assert {(str(s), str(o)) for s, _, o in graph} == expected
    turtle = wrapper(live_server, CONSTRUCT, TURTLE).query().convert()
    parsed = rdflib.Graph().parse(data=turtle, format="turtle")
    assert {(str(s), str(o)) for s, _, o in parsed} == expected
    sw = wrapper(live_server, CONSTRUCT, XML)  # XML for a CONSTRUCT means RDF/XML to SPARQLWrapper
    assert {(str(s), str(o)) for s, _, o in sw.query().convert()} == expected


def test_sparqlwrapper_reports_a_bad_query(live_server):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as info:
        wrapper(live_server, "SELECT * WHERE { ?s ?p", JSON).query()
    assert "error at 1:" in str(info.value)


def test_rdflib_sparqlstore(live_server, store):
    graph = rdflib.Graph(store=SPARQLStore(live_server.url + "/sparql", returnFormat="xml"))
    rows = [(str(r.project), str(r.label)) for r in graph.query(QUERY)]
    assert rows == expected_pairs(store)
    json_store = rdflib.Graph(store=SPARQLStore(live_server.url + "/sparql", returnFormat="json", method="POST"))
    assert [(str(r.project), str(r.label)) for r in json_store.query(QUERY)] == rows
    hub = store.select(f"SELECT ?h WHERE {{ ?h a <{KP}EducationHub> }} LIMIT 1", prefixes=False)[0]["h"]
    labels = {str(o) for o in graph.objects(rdflib.URIRef(hub.value), rdflib.RDFS.label)}  # triple patterns
    assert labels == {r["l"].value for r in store.select(
        "SELECT ?h ?l WHERE { ?h <http://www.w3.org/2000/01/rdf-schema#label> ?l }", {"h": hub}, prefixes=False)}
    assert graph.query(f"ASK {{ ?x a <{KP}EducationHub> }}").askAnswer is True


def test_yasgui_style_requests(live_server, store):
    """YASGUI POSTs form-encoded, with its own Accept lists, and asks N-Triples for CONSTRUCT."""
    select_accept = "application/sparql-results+json,*/*;q=0.9"
    construct_accept = "application/n-triples,*/*;q=0.9"
    with httpx.Client(base_url=live_server.url) as client:
        r = client.post("/sparql", data={"query": QUERY}, headers={"Accept": select_accept,
                                                                    "Origin": "https://yasgui.example"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
        assert len(r.json()["results"]["bindings"]) == len(expected_pairs(store))
        r = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": construct_accept})
        assert r.headers["content-type"].startswith("application/n-triples")
        parsed = rdflib.Graph().parse(data=r.text, format="nt")
        assert len(parsed) == len(store.construct(CONSTRUCT))


def test_sgvizler_style_get_with_labels(live_server, store):
    """Chart tools GET JSON cross-origin and want names, not IRIs (labels=nl)."""
    query = (f"SELECT ?thema (COUNT(?p) AS ?n) WHERE {{ ?p <{KP}addressesTheme> ?thema }} "
             "GROUP BY ?thema ORDER BY DESC(?n) LIMIT 5")
    r = httpx.get(live_server.url + "/sparql", params={"query": query, "labels": "nl"},
                  headers={"Accept": "application/sparql-results+json", "Origin": "https://dashboard.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    doc = json.loads(r.content)
    assert doc["head"]["vars"] == ["thema", "themaLabel", "n"]
    for binding in doc["results"]["bindings"]:
        theme = NamedNode(binding["thema"]["value"])
        nl = [q.object.value for q in store.quads(theme, NamedNode(RDFS_LABEL))
              if isinstance(q.object, Literal) and q.object.language == "nl"]
        assert binding["themaLabel"]["value"] in nl and binding["themaLabel"]["xml:lang"] == "nl"
