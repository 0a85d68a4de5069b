"""Uploads and requests that used to crash, stall or 500 the server (issue 17.3, 17.4, 17.7, 17.8).

Each case goes to a real ``knooppunt serve`` in its own process, so a case that kills the server
(a SIGSEGV in a parser) fails its test instead of taking the test run with it. After every case
the server must still answer and the store must hold what it held before.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from knooppunt.graph.tokens import TokenFile

ROOT = Path(__file__).resolve().parent.parent


class Served:
    def __init__(self, tmp: Path) -> None:
        tokens = TokenFile(tmp / "tokens.json")
        self.editor = tokens.create("redacteur", "editor")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KNOOPPUNT_STORE": "memory", "KNOOPPUNT_TOKEN_FILE": str(tmp / "tokens.json"),
               "KNOOPPUNT_BODY_IDLE_TIMEOUT": "1", "KNOOPPUNT_BODY_TIMEOUT": "4"}
        self.proc = subprocess.Popen([sys.executable, "-m", "knooppunt.service.cli", "serve", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while True:
            try:
                httpx.get(self.url + "/health", timeout=2)
                return
            except httpx.TransportError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError("the server did not start") from None
                time.sleep(0.2)

    def triples(self) -> int:
        assert self.proc.poll() is None, f"the server died (exit {self.proc.returncode})"
        return httpx.get(self.url + "/health", timeout=10).json()["triples"]

    def post(self, path: str, body: bytes, media: str, **kw) -> httpx.Response:
        return httpx.post(self.url + path, content=body, timeout=60,
                          headers={"Content-Type": media, "Authorization": f"Bearer {self.editor}"}, **kw)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("served"))
    yield server
    server.stop()


def _problem(r: httpx.Response, *statuses: int) -> dict:
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    return r.json()


# --- 17.3 and 17.7: documents that crash or stall a parser ------------------------------------------
def _jsonld(n: int) -> bytes:
    return ('{"@context":{"p":"http://e.example/p"},"@id":"http://e.example/s",'
            + '"p":{' * n + '"@id":"http://e.example/o"' + "}" * n + "}").encode()


def _xml(n: int) -> bytes:
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://e.example/"><rdf:Description rdf:about="http://e.example/s">'
            + "<e:p><rdf:Description>" * n + "<e:q>1</e:q>" + "</rdf:Description></e:p>" * n
            + "</rdf:Description></rdf:RDF>").encode()


def _star(n: int) -> bytes:
    return ("<http://e.example/s> <http://e.example/p> " + "<<( <http://e.example/s> <http://e.example/p> " * n
            + "<http://e.example/o>" + " )>>" * n + " .\n").encode()


DEEP = {
    "JSON-LD, 5,000 nested objects (reported: SIGSEGV)": (_jsonld(5000), "application/ld+json"),
    "JSON-LD, 20,000 nested arrays": (b'{"@id":"http://e.example/s","http://e.example/p":' + b"[" * 20000
                                      + b'{"@id":"http://e.example/o"}' + b"]" * 20000 + b"}", "application/ld+json"),
    "Turtle, 20,000 nested triple terms": (_star(20000), "text/turtle"),
    "TriG, 20,000 nested triple terms": (b"<http://e.example/g> { " + _star(20000) + b" }", "application/trig"),
    "N-Triples, 20,000 nested triple terms": (_star(20000), "application/n-triples"),
    "N-Quads, 20,000 nested triple terms": (_star(20000), "application/n-quads"),
    "Turtle, 20,000 nested blank nodes": (("<http://e.example/s> <http://e.example/p> " + "[ <http://e.example/p> " * 20000
                                           + "1" + " ]" * 20000 + " .").encode(), "text/turtle"),
    "Turtle, 20,000 nested collections": (("<http://e.example/s> <http://e.example/p> " + "( " * 20000 + "1"
                                           + " )" * 20000 + " .").encode(), "text/turtle"),
    "RDF/XML, 100,000 nested elements (reported: quadratic)": (_xml(50000), "application/rdf+xml"),
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_documents_are_refused_before_parsing(served, name):
    body, media = DEEP[name]
    before = served.triples()
    started = time.monotonic()
    problem = _problem(served.post("/api/import?graph=diep", body, media), 400)
    assert "nested" in problem["detail"]
    assert time.monotonic() - started < 10
    r = httpx.put(served.url + "/graph/diep", content=body, timeout=60,
                  headers={"Content-Type": media, "Authorization": f"Bearer {served.editor}"})
    _problem(r, 400)
    assert served.triples() == before


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY a "' + b"x" * 1000 + b'">'
          + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(5))
          + b']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e.example/">'
          + b'<rdf:Description rdf:about="http://e.example/s"><e:p>&f;</e:p></rdf:Description></rdf:RDF>')


def test_rdfxml_entity_expansion_is_refused(served):
    """17.7: a few hundred bytes of entity declarations expanded to a 30 MB literal (here 100 MB)."""
    before = served.triples()
    problem = _problem(served.post("/api/import?graph=entiteiten", LAUGHS, "application/rdf+xml"), 413)
    assert "entities" in problem["detail"]
    assert served.triples() == before


def test_rdfxml_with_small_internal_entities_is_still_read(served):
    """Entity declarations as ontology editors write them (short names for namespaces) are fine."""
    body = (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY kp "https://w3id.org/knooppunt/def#">]>'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
            b'<rdf:Description rdf:about="https://example.org/ding"><rdf:type rdf:resource="https://example.org/Ding"/>'
            b'<rdfs:label xml:lang="nl">Ding</rdfs:label></rdf:Description></rdf:RDF>')
    r = served.post("/api/import?graph=entiteit-klein", body, "application/rdf+xml")
    assert r.status_code == 200, r.text


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (300 * 1024 * 1024) + b"</worksheet>")
    return out.getvalue()


def test_xlsx_zip_bomb_is_refused_before_it_is_unpacked(served):
    """17.7: a 300 MB sheet in a 300 KB zip was read in full before the header check."""
    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    problem = _problem(served.post("/api/import?graph=bom", bomb,
                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), 413)
    assert "XLSX" in problem["detail"]
    assert time.monotonic() - started < 10


def test_a_stalled_body_gets_408(served):
    """17.7: a body that stops arriving held the connection for 20 s and more."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=15) as sock:
        sock.sendall(b"POST /api/import?graph=traag HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\n"
                     + f"Authorization: Bearer {served.editor}\r\nContent-Length: 1000\r\n\r\n".encode()
                     + b"<http://e.example/s> ")
        started = time.monotonic()
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"application/problem+json" in reply
    assert time.monotonic() - started < 8


# --- 17.8: CSV ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,body", [
    ("no delimiter on the first line", b"type\npersoon\n"),
    ("a field over 131,072 characters", b"type,id,label\nproject,lang,\"" + b"x" * 140_000 + b"\"\n"),
    ("a javascript: source", b"type,id,label,bron\nproject,js,JS,javascript:alert(1)\n"),
    ("a data: url", b"type,id,label,url\nproject,js,JS,data:text/html;base64,PHNjcmlwdD4=\n"),
])
def test_bad_csv_is_a_400(served, name, body):
    before = served.triples()
    _problem(served.post("/api/import?graph=csv-fout", body, "text/csv"), 400)
    assert served.triples() == before


def test_a_javascript_source_in_rdf_is_refused_by_the_shapes(served):
    """17.4: the shapes admit only http(s) IRIs as sources and web addresses."""
    body = (b'<https://w3id.org/knooppunt/id/project/xss> a <https://w3id.org/knooppunt/def#Project> ; '
            b'<http://www.w3.org/2000/01/rdf-schema#label> "XSS"@nl ; <http://purl.org/dc/terms/source> <javascript:alert(1)> .')
    problem = _problem(served.post("/api/import?graph=xss", body, "text/turtle"), 422)
    assert any(r["path"].endswith("/source") for r in problem["results"]), problem


# --- 17.8: pages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,status", [("/verkenner?focus=x", 200), ("/id/project/a%00b", 404),
                                         ("/verkenner?focus=/id/x%00y", 200), ("/id/project/a%0Ab", 404)])
def test_odd_page_requests_get_a_page_or_a_404(served, path, status):
    """A focus that names nothing: the explorer's default picture; an odd id: not found."""
    r = httpx.get(served.url + path, timeout=20, headers={"Accept": "text/html"})
    assert r.status_code == status, (path, r.status_code)
    r = httpx.get(served.url + path, timeout=20, headers={"Accept": "application/json"})
    assert r.status_code < 500, (path, r.status_code)
