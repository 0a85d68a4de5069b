"""The W3C SPARQL 1.1 Protocol test suite (``tests/w3c/protocol``) against a live server, on every
backend (``BACKENDS``): through Knooppunt to the embedded store, the Oxigraph server and Virtuoso.

Every ``mf:ProtocolTest`` of the manifest is one case: its ``ht:Request``s are sent in order with
raw httpx (``/sparql/`` mapped to our ``/sparql``), and each response is checked for the expected
status class and, where given, the result format (boolean / tabular / RDF) and boolean value.
Before each case the dedicated store is reset to exactly that case's ``ut:graphData`` (each
``data*.nt`` in the named graph its ``rdfs:label`` names).

The update cases need SPARQL Update (``service.writes`` sets ``service.sparql.UPDATE_HANDLER``);
requests carry an admin bearer token so a write handler can accept them. Until writes exist, the
update cases FAIL (they do not skip): the suite must pass in full.
"""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import BACKENDS, w3c_dir
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import open_store
from knooppunt.graph.tokens import TokenFile
from knooppunt.service.app import create_app
from pyoxigraph import NamedNode, RdfFormat
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

W3C_DIR = w3c_dir() / "protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

pytestmark = pytest.mark.skipif(
    not (W3C_DIR / "manifest.ttl").exists() and not os.environ.get("CI"),  # in CI: run, and fail
    reason="the W3C manifests (shared/w3c beside the checkout) are not on this machine",
)


def _list(graph: rdflib.Graph, head) -> list:
    return list(Collection(graph, head)) if head is not None else []


def load_manifest() -> list[dict]:
    """The cases in manifest order, as plain dicts."""
    g = rdflib.Graph()
    g.parse(W3C_DIR / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in _list(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        data = []
        for graph_data in g.objects(entry, UT.graphData):
            data.append((Path(str(g.value(graph_data, UT.graph)).removeprefix("file://")).name,
                         str(g.value(graph_data, RDFS.label))))
        requests = []
        for req in _list(g, g.value(action, HT.requests)):
            headers = {}
            for header in _list(g, g.value(req, HT.headers)):
                headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
            body = g.value(req, HT.body)
            resp = g.value(req, HT.resp)
            expected_bool = g.value(resp, MF.expectedBoolean)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": headers,
                "body": str(g.value(body, CNT.chars)) if body is not None else None,
                "encoding": str(g.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else None,
                "status": sorted(str(s).removeprefix(HTS)[0] for s in g.objects(resp, MF.expectedStatus)),
                "format": str(g.value(resp, MF.expectedFormat) or "") or None,
                "boolean": None if expected_bool is None else bool(expected_bool.toPython()),
            })
        cases.append({"id": str(entry).rsplit("#", 1)[-1], "name": str(g.value(entry, MF.name)),
                      "data": sorted(data), "requests": requests})
    return cases


CASES = load_manifest() if (W3C_DIR / "manifest.ttl").exists() else []
RESULTS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def w3c(request, tmp_path_factory, start_live_server, servers_for):
    """A fresh, unseeded store of the backend and its own server, with an admin write token."""
    tmp = tmp_path_factory.mktemp("w3c")
    overrides = {"token_file": str(tmp / "tokens.json"), "query_timeout": 10}
    if request.param == "memory":
        settings = Settings(store="memory", **overrides)
    else:
        settings = servers_for(request.param).settings(seeded=False, **overrides)
    store = open_store(settings, seed=False)
    token = TokenFile(settings.resolved_token_file()).create("w3c-runner", "admin")
    server = start_live_server(create_app(settings=settings, store=store))
    return store, server, token, request.param


def reset(store, data: list[tuple[str, str]]) -> None:
    for graph in store.named_graphs():
        store.drop_graph(graph)
    for file_name, graph_name in data:
        store.load(W3C_DIR / file_name, RdfFormat.N_TRIPLES, NamedNode(graph_name))


def check_response(req: dict, response: httpx.Response) -> str | None:
    """None if the response is what the manifest expects, else why not."""
    status_class = str(response.status_code)[0]
    if status_class not in req["status"]:
        return f"status {response.status_code}, expected {'/'.join(c + 'xx' for c in req['status'])}: {response.text[:300]}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    fmt = req["format"]
    if fmt in ("boolean", "tabular"):
        if media == "application/sparql-results+json":
            doc = json.loads(response.content)
            value = doc.get("boolean")
            if fmt == "tabular" and "results" not in doc:
                return "JSON results without bindings"
        elif media == "application/sparql-results+xml":
            root = ET.fromstring(response.content)
            node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = None if node is None else node.text == "true"
            if fmt == "tabular" and root.find("{http://www.w3.org/2005/sparql-results#}results") is None:
                return "XML results without <results>"
        elif fmt == "tabular" and media in ("text/csv", "text/tab-separated-values"):
            rows = list(csv.reader(io.StringIO(response.text), delimiter="," if media == "text/csv" else "\t"))
            if not rows:
                return "empty CSV/TSV"
            value = None
        else:
            return f"unexpected media type {media!r} for {fmt} results"
        if fmt == "boolean" and req["boolean"] is not None and value is not req["boolean"]:
            return f"boolean {value}, expected {req['boolean']}"
    elif fmt == "RDF":
        formats = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                   "application/ld+json": "json-ld"}
        if media not in formats:
            return f"unexpected media type {media!r} for RDF"
        rdflib.Graph().parse(data=response.content, format=formats[media])
    return None


def run_case(case: dict, store, server, token: str) -> str | None:
    reset(store, case["data"])
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for number, req in enumerate(case["requests"], 1):
            path = req["path"]
            path = "/sparql" + path[len("/sparql/"):] if path.startswith("/sparql/") else path
            headers = dict(req["headers"])
            headers["Authorization"] = f"Bearer {token}"
            content = None
            if req["body"] is not None:
                content = req["body"].encode("utf-16" if req["encoding"].upper() == "UTF-16" else "utf-8")
            response = client.request(req["method"], path, headers=headers, content=content)
            problem = check_response(req, response)
            if problem:
                return f"request {number} ({req['method']}): {problem}"
    return None


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_w3c_case(case, w3c):
    store, server, token, backend = w3c
    problem = run_case(case, store, server, token)
    RESULTS[(backend, case["id"])] = problem or "pass"
    assert problem is None, f"{case['id']} ({case['name']}): {problem}"


def test_w3c_summary(w3c, capsys):
    """Runs after the cases (file order): prints N/M and fails unless every case passed."""
    store, server, token, backend = w3c
    for case in CASES:  # cases not run yet in this session (e.g. -k selection) run here
        if (backend, case["id"]) not in RESULTS:
            RESULTS[(backend, case["id"])] = run_case(case, store, server, token) or "pass"
    mine = {k[1]: v for k, v in RESULTS.items() if k[0] == backend}
    passed = [k for k, v in mine.items() if v == "pass"]
    failed = {k: v for k, v in mine.items() if v != "pass"}
    with capsys.disabled():
        print(f"\nW3C SPARQL 1.1 Protocol: {len(passed)}/{len(CASES)} pass ({backend})")
        for name, why in failed.items():
            print(f"  FAIL {name}: {why[:200]}")
    assert len(CASES) == 34
    assert not failed, f"{len(failed)} W3C protocol cases fail: {', '.join(failed)}"
