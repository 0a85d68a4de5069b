"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests, run against a live server.

Every entry of ``manifest-direct.ttl`` and ``manifest-indirect.ttl`` (``tests/w3c``) is run in
order, each on a fresh store behind a real uvicorn server: its requests, with an admin token, and
the expected status, ``Location`` template, ``Content-Type`` and body (compared as isomorphic graphs).
Paths: ``/gsp?...`` is our indirect endpoint as is; the direct ``/gsp/{path}`` becomes
``/graph/{path}`` (our graph IRIs ``{base}/graph/{name}`` are their own direct identifiers).
"""

from __future__ import annotations

import os

import httpx
import pytest
import rdflib
from conftest import w3c_dir
from knooppunt.service.app import create_app
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from writes_support import make_writer

W3C = w3c_dir()
GSP_DIR = W3C / "graph-store-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404},
          "StatusCode2xx": set(range(200, 300)), "StatusCode4xx": set(range(400, 500))}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}

pytestmark = pytest.mark.skipif(
    not GSP_DIR.is_dir() and not os.environ.get("CI"),  # in CI: run, and fail
    reason="the W3C manifests (shared/w3c beside the checkout) are not on this machine",
)


def _cases() -> list[tuple[str, rdflib.Graph, rdflib.term.Node]]:
    if not GSP_DIR.is_dir():
        return []
    cases = []
    for name in ("manifest-direct.ttl", "manifest-indirect.ttl"):
        g = rdflib.Graph().parse(GSP_DIR / name, format="turtle", publicID=f"http://w3c.test/{name}")
        manifest = next(g.subjects(RDF.type, MF.Manifest))
        entries = rdflib.collection.Collection(g, g.value(manifest, MF.entries))
        for entry in entries:
            cases.append((str(entry).rsplit("#", 1)[-1], g, entry))
    return cases


CASES = _cases()


def _headers(g: rdflib.Graph, node) -> dict[str, str]:
    items = g.value(node, HT.headers)
    if items is None:
        return {}
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue)) for h in rdflib.collection.Collection(g, items)}


def _body(g: rdflib.Graph, node) -> str | None:
    body = g.value(node, HT.body)
    return None if body is None else str(g.value(body, CNT.chars))


def _map_path(path: str) -> str:
    if path.startswith("/gsp/"):
        return "/graph/" + path[len("/gsp/"):]
    return path


def run_case(base_url: str, token: str, g: rdflib.Graph, entry) -> list[str]:
    """Run one test's requests in order; the list of failures (empty when it passes)."""
    failures = []
    action = g.value(entry, MF.action)
    requests = rdflib.collection.Collection(g, g.value(action, HT.requests))
    variables: dict[str, str] = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for i, req in enumerate(requests, 1):
            path = str(g.value(req, HT.absolutePath))
            body = _body(g, req)
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name, value) if body is not None else None
            headers = _headers(g, req) | {"Authorization": f"Bearer {token}"}
            method = str(g.value(req, HT.methodName))
            response = client.request(method, _map_path(path), content=body.encode("utf-8") if body is not None else None, headers=headers)
            resp = g.value(req, HT.resp)
            allowed = set().union(*(STATUS[str(s)[len(HTS):]] for s in g.objects(resp, MF.expectedStatus)))
            where = f"request {i} ({method} {path})"
            if response.status_code not in allowed:
                failures.append(f"{where}: status {response.status_code} not in {sorted(allowed)}: {response.text[:200]}")
                continue
            location = g.value(resp, MF.expectedLocation)
            if location is not None:
                if "location" not in response.headers:
                    failures.append(f"{where}: no Location header")
                else:
                    variables[str(location)] = response.headers["location"]
            expected_headers = _headers(g, resp)
            if "content-type" in expected_headers:
                want = expected_headers["content-type"].split(";")[0].strip()
                got = response.headers.get("content-type", "").split(";")[0].strip()
                if want != got:
                    failures.append(f"{where}: Content-Type {got!r}, expected {want!r}")
            expected_body = _body(g, resp)
            if expected_body is not None and method != "HEAD":
                want_graph = rdflib.Graph().parse(data=expected_body, format="turtle")
                fmt = RDF_TYPES.get(response.headers.get("content-type", "").split(";")[0].strip(), "turtle")
                got_graph = rdflib.Graph().parse(data=response.text, format=fmt)
                if not isomorphic(want_graph, got_graph):
                    failures.append(f"{where}: the graph differs from the expected one:\n{response.text}")
    return failures


def test_every_graph_store_protocol_case_passes(store_factory, backend, start_live_server, tmp_path):
    assert CASES, "no test cases found in the manifests"
    results: dict[str, list[str]] = {}
    for name, g, entry in CASES:
        store = store_factory(backend)
        writer = make_writer(store, tmp_path / name)
        server = start_live_server(create_app(settings=writer.app.state.settings, store=store))
        results[name] = run_case(server.url, writer.admin, g, entry)
        server.stop()
    passed = [n for n, f in results.items() if not f]
    print(f"\nW3C Graph Store Protocol: {len(passed)}/{len(results)} cases pass ({backend})")
    failed = {n: f for n, f in results.items() if f}
    assert not failed, "\n".join(f"{n}: {'; '.join(f)}" for n, f in failed.items())
    assert len(results) == 13  # 4 direct + 9 indirect entries in the manifests
