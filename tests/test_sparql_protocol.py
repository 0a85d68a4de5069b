"""The /sparql endpoint over real HTTP (uvicorn): every method, content type and error of the
SPARQL 1.1 Protocol, results compared with the same query run directly on the store and parsed
with independent parsers (json, csv, xml.etree, rdflib)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET

import httpx
import knooppunt.service.sparql
import pytest
import rdflib
from fastapi.testclient import TestClient
from knooppunt.service.app import create_app
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

SRX = "{http://www.w3.org/2005/sparql-results#}"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
KP = "https://w3id.org/knooppunt/def#"

SELECT = f"""PREFIX kp: <{KP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?hub ?label WHERE {{ ?hub a kp:EducationHub ; rdfs:label ?label }} ORDER BY ?hub ?label"""
COUNT_BY_CLASS = "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
CONSTRUCT = f"""PREFIX kp: <{KP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?hub a kp:EducationHub ; rdfs:label ?label }} WHERE {{ ?hub a kp:EducationHub ; rdfs:label ?label }}"""


# --- independent decoders: every format to a set of rows of (kind, value, lang-or-datatype) -----
def term_key(term) -> tuple:
    if isinstance(term, NamedNode):
        return ("uri", term.value, "")
    if isinstance(term, BlankNode):
        return ("bnode", "", "")
    if isinstance(term, Literal):
        extra = term.language or ("" if term.datatype.value == XSD_STRING else term.datatype.value)
        return ("literal", term.value, extra)
    raise TypeError(term)


def store_rows(store, query: str) -> list[dict]:
    return [{k: term_key(v) for k, v in row.items()} for row in store.select(query, prefixes=False)]


def json_rows(body: bytes) -> tuple[list[str], list[dict]]:
    doc = json.loads(body)
    rows = []
    for binding in doc["results"]["bindings"]:
        row = {}
        for name, t in binding.items():
            if t["type"] == "uri":
                row[name] = ("uri", t["value"], "")
            elif t["type"] == "bnode":
                row[name] = ("bnode", "", "")
            else:
                row[name] = ("literal", t["value"], t.get("xml:lang") or t.get("datatype", ""))
        rows.append(row)
    return doc["head"]["vars"], rows


def xml_rows(body: bytes) -> tuple[list[str], list[dict]]:
    root = ET.fromstring(body)
    names = [v.get("name") for v in root.iter(SRX + "variable")]
    rows = []
    for result in root.iter(SRX + "result"):
        row = {}
        for binding in result.findall(SRX + "binding"):
            node = binding[0]
            kind = node.tag.removeprefix(SRX)
            if kind == "uri":
                row[binding.get("name")] = ("uri", node.text or "", "")
            elif kind == "bnode":
                row[binding.get("name")] = ("bnode", "", "")
            else:
                extra = node.get("{http://www.w3.org/XML/1998/namespace}lang") or node.get("datatype") or ""
                row[binding.get("name")] = ("literal", node.text or "", extra)
        rows.append(row)
    return names, rows


def csv_values(body: bytes, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    quoting = csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE  # TSV has no quoting
    reader = list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), delimiter=delimiter, quoting=quoting))
    return reader[0], reader[1:]


def canon(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in rows)


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


# --- the three ways to send a query -------------------------------------------------------------
def test_get_post_form_and_post_direct_give_the_store_answer(http, store):
    expected = canon(store_rows(store, SELECT))
    assert expected, "the seed data has education hubs"
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        http.get("/sparql", params={"query": SELECT}, headers=accept),
        http.post("/sparql", data={"query": SELECT}, headers=accept),
        http.post("/sparql", content=SELECT.encode(), headers={**accept, "Content-Type": "application/sparql-query"}),
        http.post("/sparql", content=SELECT.encode(),
                  headers={**accept, "Content-Type": "application/sparql-query; charset=UTF-8"}),
    ]
    for response in answers:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        names, rows = json_rows(response.content)
        assert names == ["hub", "label"]
        assert canon(rows) == expected


def test_aggregate_matches_store(http, store):
    response = http.get("/sparql", params={"query": COUNT_BY_CLASS})
    assert response.status_code == 200
    assert json_rows(response.content)[1] == store_rows(store, COUNT_BY_CLASS)  # same order too


# --- content negotiation ------------------------------------------------------------------------
def test_every_results_format_parses_and_matches(http, store):
    expected = store_rows(store, SELECT)
    xml = http.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    names, rows = xml_rows(xml.content)
    assert names == ["hub", "label"] and canon(rows) == canon(expected)

    for media, delimiter in (("text/csv", ","), ("text/tab-separated-values", "\t")):
        response = http.get("/sparql", params={"query": SELECT}, headers={"Accept": media})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        header, values = csv_values(response.content, delimiter)
        assert len(values) == len(expected)
        if media == "text/csv":
            assert header == ["hub", "label"]
            assert sorted(tuple(v) for v in values) == sorted((r["hub"][1], r["label"][1]) for r in expected)
            assert b"\r\n" in response.content  # RFC 4180 line ends
        else:
            assert header == ["?hub", "?label"]
            hubs = sorted(v[0] for v in values)
            assert hubs == sorted(f"<{r['hub'][1]}>" for r in expected)
            assert all(v[1].startswith('"') for v in values)  # literals in N-Triples form


def test_q_values_decide(http):
    def media(accept: str, query: str = SELECT) -> str:
        response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200, (accept, response.text)
        return response.headers["content-type"].split(";")[0]

    assert media("text/csv;q=0.5, application/sparql-results+xml;q=0.9") == "application/sparql-results+xml"
    assert media("application/sparql-results+json;q=0.1, text/tab-separated-values") == "text/tab-separated-values"
    assert media("application/sparql-results+json;q=0, */*;q=0.5") != "application/sparql-results+json"
    assert media("application/json") == "application/sparql-results+json"
    assert media("*/*") == "application/sparql-results+json"
    assert media("text/*") == "text/csv"
    assert media("application/n-triples;q=0.9, application/sparql-results+json", CONSTRUCT) == "application/n-triples"
    assert media("text/turtle;q=0.2, application/rdf+xml;q=0.8", CONSTRUCT) == "application/rdf+xml"


def test_ask_in_json_and_xml(http, store):
    ask = f"ASK {{ ?x a <{KP}EducationHub> }}"
    assert store.ask(ask) is True
    r = http.get("/sparql", params={"query": ask})
    assert json.loads(r.content) == {"head": {}, "boolean": True}
    r = http.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(r.content).find(SRX + "boolean").text == "true"
    r = http.get("/sparql", params={"query": f"ASK {{ ?x a <{KP}NoSuchClass> }}"})
    assert json.loads(r.content)["boolean"] is False


@pytest.mark.parametrize("media,fmt", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
])
def test_construct_in_every_rdf_format(http, store, media, fmt):
    expected = {(t.subject.value, t.predicate.value, t.object.value) for t in store.construct(CONSTRUCT)}
    assert expected
    response = http.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    graph = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
    graph.parse(data=response.content, format=fmt)
    triples = graph.quads() if fmt in ("nquads", "trig") else ((s, p, o, None) for s, p, o in graph)
    assert {(str(s), str(p), str(o)) for s, p, o, _ in triples} == expected


def test_describe_gives_rdf(http, store):
    hub = store.select(f"SELECT ?h WHERE {{ ?h a <{KP}EducationHub> }} LIMIT 1", prefixes=False)[0]["h"].value
    response = http.get("/sparql", params={"query": f"DESCRIBE <{hub}>"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert (rdflib.URIRef(hub), rdflib.RDF.type, rdflib.URIRef(KP + "EducationHub")) in graph


@pytest.mark.parametrize("query,accept", [(SELECT, "text/turtle"), (CONSTRUCT, "text/csv"),
                                          (SELECT, "image/png"), (CONSTRUCT, "application/sparql-results+json")])
def test_406_when_nothing_acceptable(http, query, accept):
    response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406, response.text
    assert "available" in response.text


def test_format_parameters_override_accept(http, store):
    expected = canon(store_rows(store, SELECT))
    for name in ("format", "output", "results"):
        r = http.get("/sparql", params={"query": SELECT, name: "xml"}, headers={"Accept": "text/csv"})
        assert r.headers["content-type"].startswith("application/sparql-results+xml")
        assert canon(xml_rows(r.content)[1]) == expected
    r = http.get("/sparql", params={"query": SELECT, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = http.get("/sparql", params={"query": CONSTRUCT, "format": "json-ld"})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = http.get("/sparql", params={"query": SELECT, "format": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = http.get("/sparql", params={"query": SELECT, "format": "pdf"})
    assert r.status_code == 400 and "pdf" in r.json()["detail"]


# --- datasets -----------------------------------------------------------------------------------
def test_default_graph_uri_restricts_the_dataset(http, store):
    graph = store.graph("ontology")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = http.get("/sparql", params={"query": count, "default-graph-uri": graph.value})
    assert int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"]) == store.count(graph)
    r = http.get("/sparql", params={"query": count})
    assert int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"]) == store.count()
    two = [store.graph("ontology").value, store.public_graphs()[0].value]
    r = http.get("/sparql", params=[("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
                                     *[("named-graph-uri", g) for g in two]])
    assert {b["g"]["value"] for b in json.loads(r.content)["results"]["bindings"]} == set(two)


def test_from_clauses_in_the_query(http, store):
    graph = store.graph("ontology").value
    # (the tests are a client: pasting IRIs into the query text is what a client does; S608 below)
    r = http.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"})  # noqa: S608
    assert int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"]) == store.count(store.graph("ontology"))
    r = http.get("/sparql", params={"query": f"PREFIX g: <{graph.rsplit('/', 1)[0]}/> "  # noqa: S608
                                              "SELECT DISTINCT ?g FROM NAMED g:ontology WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert [b["g"]["value"] for b in json.loads(r.content)["results"]["bindings"]] == [graph]


@pytest.fixture
def private_client(fresh_store):
    """A store with a secret in the private graph (and in system), and a client on it."""
    secret = Quad(NamedNode("https://w3id.org/knooppunt/id/persoon/x"), NamedNode("https://schema.org/email"),
                  Literal("geheim@example.org"), fresh_store.graph("private"))
    system = Quad(NamedNode("urn:x"), NamedNode("urn:y"), Literal("intern"), fresh_store.graph("system"))
    fresh_store.apply_delta([], [secret, system])
    with TestClient(create_app(store=fresh_store)) as client:
        yield fresh_store, client


def test_private_and_system_graphs_are_never_visible(private_client):
    store, client = private_client
    private, system = store.graph("private").value, store.graph("system").value
    attempts = [
        {"query": "SELECT ?o WHERE { ?s <https://schema.org/email> ?o }"},
        {"query": f"SELECT ?o WHERE {{ GRAPH <{private}> {{ ?s ?p ?o }} }}"},
        {"query": "SELECT ?o WHERE { GRAPH ?g { ?s <https://schema.org/email> ?o } }"},
        {"query": f"SELECT ?o FROM <{private}> WHERE {{ ?s ?p ?o }}"},  # noqa: S608 - a client's text
        {"query": f"SELECT ?o FROM NAMED <{private}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},  # noqa: S608
        {"query": "SELECT ?o WHERE { ?s ?p ?o }", "default-graph-uri": private},
        {"query": "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": private},
        {"query": "SELECT ?o WHERE { ?s ?p ?o }", "default-graph-uri": system},
        {"query": "SELECT ?o WHERE { ?s <urn:y> ?o }"},
    ]
    for params in attempts:
        r = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
        assert r.status_code == 200, (params, r.text)
        assert "geheim" not in r.text and "intern" not in r.text, params
    describe = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/knooppunt/id/persoon/x>"},
                          headers={"Accept": "application/n-triples"})
    assert "geheim" not in describe.text
    sd = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert private not in sd.text and system not in sd.text
    assert "geheim" not in client.get("/.well-known/void").text


# --- labels for visualisation -------------------------------------------------------------------
def test_labels_add_a_label_column_per_iri_column(http, store):
    query = f"SELECT ?hub ?c WHERE {{ ?hub a <{KP}EducationHub> ; <{KP}consortium> ?c }} ORDER BY ?hub"
    r = http.get("/sparql", params={"query": query, "labels": "nl"})
    assert r.status_code == 200
    names, rows = json_rows(r.content)
    assert names == ["hub", "hubLabel", "c", "cLabel"]
    labels = {row["hub"]["value"] if isinstance(row["hub"], dict) else row["hub"][1]: row["hubLabel"] for row in rows}
    for hub, label in labels.items():
        nl = [x for x in store.select(f"SELECT ?l WHERE {{ <{hub}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}",
                                      prefixes=False) if x["l"].language == "nl"]
        assert label[2] == "nl" and label[1] in {x["l"].value for x in nl}
    r = http.get("/sparql", params={"query": query, "labels": "en"})
    _, rows_en = json_rows(r.content)
    assert {row["hubLabel"][2] for row in rows_en} <= {"en", "nl"}
    # an IRI without any label falls back to its local name; literals get no label column
    r = http.get("/sparql", params={"query": "SELECT ?x ?n WHERE { VALUES (?x ?n) { (<https://example.org/a/b-c> 1) } }",
                                    "labels": "nl"})
    names, rows = json_rows(r.content)
    assert names == ["x", "xLabel", "n"] and rows[0]["xLabel"] == ("literal", "b-c", "")
    assert http.get("/sparql", params={"query": query, "labels": "fr"}).status_code == 400


# --- service description, VoID, the page ---------------------------------------------------------
def test_service_description(http, store, live_server):
    r = http.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    endpoint = rdflib.URIRef(live_server.url + "/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in g
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(endpoint, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats and len(formats) >= 8
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == {gr.value for gr in store.public_graphs()}
    r = http.get("/sparql", headers={"Accept": "application/rdf+xml"})
    assert len(rdflib.Graph().parse(data=r.content, format="xml")) == len(g)


def test_void(http, store):
    r = http.get("/.well-known/void")
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    dataset = next(g.subjects(rdflib.RDF.type, VOID.Dataset))
    dataset = next(s for s in g.subjects(rdflib.RDF.type, VOID.Dataset) if g.value(s, VOID.classPartition))
    assert int(g.value(dataset, VOID.triples)) == store.count()
    assert str(g.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    assert str(g.value(dataset, VOID.uriSpace)) == store.settings.base + "/id/"
    classes = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities)) for p in g.objects(dataset, VOID.classPartition)}
    hubs = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{KP}EducationHub> }}", prefixes=False)
    assert classes[rdflib.URIRef(KP + "EducationHub")] == int(hubs[0]["n"].value)
    assert int(g.value(dataset, VOID.classes)) == len(classes)
    assert int(g.value(dataset, VOID.properties)) == len(list(g.objects(dataset, VOID.propertyPartition)))
    assert len(list(g.objects(dataset, VOID.exampleResource))) >= 3
    subsets = list(g.objects(dataset, VOID.subset))
    assert len(subsets) == len(store.public_graphs())
    assert sum(int(g.value(s, VOID.triples)) for s in subsets) >= store.count()


def test_query_page_for_browsers(http):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = http.get("/sparql", headers={"Accept": browser})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'lang="nl"' in r.text and "/static/sparql/sparql.js" in r.text
    assert "Wie werkt aan welke competentie?" in r.text  # the example queries are on the page
    assert "PREFIX kp:" in r.text
    js = http.get("/static/sparql/sparql.js")
    assert js.status_code == 200 and "function" in js.text
    assert http.get("/static/sparql/sparql.css").status_code == 200
    # a shared link with a query opens the page with the query in the editor
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": browser})
    assert r.headers["content-type"].startswith("text/html") and "LIMIT 1" in r.text
    assert "</script><script>" not in http.get("/sparql", params={"query": "</script><script>alert(1)"},
                                              headers={"Accept": browser}).text


# --- errors -------------------------------------------------------------------------------------
def test_malformed_query_gives_parser_message_and_position(http):
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["title"] == "Malformed query"
    assert problem["line"] == 1 and 23 <= problem["column"] <= 25  # at the closing brace
    assert f"1:{problem['column']}" in problem["detail"]
    r = http.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}"},
                 headers={"Accept": "text/csv"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert "error at 4:" in r.text


@pytest.mark.parametrize("method,kwargs,status", [
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("POST", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", {"content": b"query=ASK%20%7B%7D"}, 415),
    ("POST", {"content": "ASK {}".encode("utf-16"), "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("POST", {"content": b"ASK {} \xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 400),
    ("PUT", {"params": {"query": "ASK {}"}}, 405),
    ("DELETE", {}, 405),
    ("GET", {"params": {"query": ""}}, 400),
    ("GET", {"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"}}, 400),
    ("GET", {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 400),
])
def test_protocol_errors(http, method, kwargs, status):
    r = http.request(method, "/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["detail"] or r.json()["title"]


def test_service_keyword_inside_strings_is_fine(http):
    q = 'SELECT ?x WHERE { BIND("SERVICE <http://x/> FROM <urn:private>" AS ?x) } # SERVICE'
    r = http.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert json_rows(r.content)[1][0]["x"][1].startswith("SERVICE")


def test_update_goes_to_the_registered_handler(monkeypatch, http):
    monkeypatch.setattr(knooppunt.service.sparql, "UPDATE_HANDLER", None)
    r = http.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403 and "write token" in r.json()["detail"]
    calls = []

    async def handler(request, update, using_graph_uri=None, using_named_graph_uri=None):
        from fastapi.responses import JSONResponse

        calls.append((update, using_graph_uri, using_named_graph_uri))
        return JSONResponse({"ok": True}, status_code=200)

    monkeypatch.setattr(knooppunt.service.sparql, "UPDATE_HANDLER", handler)
    r = http.post("/sparql?using-graph-uri=urn:g1&using-named-graph-uri=urn:g2", data={"update": "CLEAR SILENT GRAPH <urn:x>"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert calls == [("CLEAR SILENT GRAPH <urn:x>", ["urn:g1"], ["urn:g2"])]
    r = http.post("/sparql", content=b"update=CLEAR+ALL&update=CLEAR+ALL",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and len(calls) == 1


# --- CORS and gzip ------------------------------------------------------------------------------
def test_cors_for_reads_and_preflight(http):
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://dashboard.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "X-Knooppunt-Truncated" in r.headers.get("access-control-expose-headers", "")
    r = http.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    allowed = r.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in r.headers["access-control-allow-methods"]
    assert http.get("/health", headers={"Origin": "https://x.example"}).headers["access-control-allow-origin"] == "*"


def test_gzip_for_large_results(http, live_server):
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500"},
                 headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert len(json.loads(r.content)["results"]["bindings"]) == 500  # httpx decompressed it
    assert r.headers.get("vary", "").lower().count("accept") >= 1
    with httpx.stream("GET", live_server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500"},
                      headers={"Accept-Encoding": "gzip"}) as raw:
        body = b"".join(raw.iter_raw())
    assert len(json.loads(gzip.decompress(body))["results"]["bindings"]) == 500  # really gzip
    small = httpx.get(live_server.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert small.headers.get("content-encoding") is None  # small answers are not compressed


# --- the example queries of the query page ------------------------------------------------------
def test_example_queries_have_titles_and_return_rows(http, store):
    from knooppunt.graph.namespaces import sparql_prefixes
    from knooppunt.graph.queries import examples

    queries = examples()
    assert 8 <= len(queries) <= 12
    for name, q in queries.items():
        assert set(q.title) == {"nl", "en"} and set(q.description) == {"nl", "en"}, name
        r = http.post("/sparql", data={"query": sparql_prefixes() + q.text, "labels": "nl"},
                      headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, (name, r.text)
        names, rows = json_rows(r.content)
        assert rows, f"example {name} returns no rows on the seed data"
        assert len(rows) == len(store.select(q.text)), name
