"""Every write route, one path: the issue's reproduction is refused with both violations named by
``POST /api/import``, SPARQL Update, the Graph Store Protocol, ``knooppunt load`` and ``knooppunt
validate FILE``; accepted writes are recorded in provenance, ``load --no-validate`` as such."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from writes_support import dump, make_writer

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
REPRO_TTL = f"""@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/id/project/volgend-voorjaar> a kp:Project ; rdfs:label "Next spring"@en ; kp:startDate "volgend voorjaar" .
"""
REPRO_UPDATE = (f'PREFIX kp: <{KP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
                f'INSERT DATA {{ GRAPH <{BASE}/graph/repro> {{ <{BASE}/id/project/volgend-voorjaar> a kp:Project ; '
                f'rdfs:label "Next spring"@en ; kp:startDate "volgend voorjaar" }} }}')
BOTH = {f"{BASE}/shapes#Project-label", f"{BASE}/shapes#Project-startDate"}


def _refused_with_both(response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    shapes = {r["shape"] for r in response.json()["results"]}
    assert BOTH <= shapes, shapes


@pytest.fixture
def w(fresh_store, tmp_path):
    return make_writer(fresh_store, tmp_path)


def test_import_refuses_the_reproduction(w):
    before = dump(w.store)
    r = w.client.post("/api/import?graph=repro", content=REPRO_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    _refused_with_both(r)
    assert dump(w.store) == before


def test_sparql_update_refuses_the_reproduction(w):
    before = dump(w.store)
    r = w.client.post("/sparql", content=REPRO_UPDATE, headers={"Content-Type": "application/sparql-update", **w.auth()})
    _refused_with_both(r)
    assert dump(w.store) == before


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_graph_store_refuses_the_reproduction(w, method):
    before = dump(w.store)
    r = w.client.request(method, "/graph/repro", content=REPRO_TTL, headers={"Content-Type": "text/turtle", **w.auth()})
    _refused_with_both(r)
    assert dump(w.store) == before


def knooppunt(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
    command = str(Path(sys.executable).with_name("knooppunt"))  # the installed command
    result = subprocess.run([command, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"knooppunt {' '.join(args)} failed: {result.stderr}")
    return result


def _operations(store: Path) -> list[list[str]]:
    q = (f"SELECT ?op ?agent ?source WHERE {{ GRAPH <{BASE}/graph/provenance> {{ ?r <{KP}operation> ?op ; "
         f"<{KP}sourceName> ?source ; <http://www.w3.org/ns/prov#wasAssociatedWith>/<http://www.w3.org/2000/01/rdf-schema#label> ?agent }} }} ORDER BY ?op")
    rows = json.loads(knooppunt("query", q, "--format", "json", store=store).stdout)["results"]["bindings"]
    return [[row[k]["value"] for k in ("op", "agent", "source")] for row in rows]


def test_cli_validate_file_and_load_refuse_the_reproduction(tmp_path):
    store = tmp_path / "store"
    repro = tmp_path / "repro.ttl"
    repro.write_text(REPRO_TTL, encoding="utf-8")
    checked = knooppunt("validate", str(repro), store=store, check=False)
    assert checked.returncode == 1, checked.stdout
    assert "volgend voorjaar" in checked.stdout and "Project: the Dutch name" in knooppunt(
        "validate", str(repro), "--lang", "en", store=store, check=False).stdout
    before = knooppunt("dump", store=store).stdout
    loaded = knooppunt("load", str(repro), store=store, check=False)
    assert loaded.returncode == 1
    assert "kp:startDate" in loaded.stderr and "Nederlandse naam" in loaded.stderr
    assert knooppunt("dump", store=store).stdout == before


def test_cli_load_records_provenance_and_no_validate_says_so(tmp_path):
    store = tmp_path / "store"
    good = tmp_path / "goed.ttl"
    good.write_text(REPRO_TTL.replace('"Next spring"@en', '"Volgend voorjaar"@nl').replace(
        '"volgend voorjaar"', '"2027"^^<http://www.w3.org/2001/XMLSchema#gYear>'), encoding="utf-8")
    assert knooppunt("validate", str(good), store=store).returncode == 0
    knooppunt("load", str(good), store=store)
    repro = tmp_path / "vertrouwd.ttl"
    repro.write_text(REPRO_TTL + f'<{BASE}/id/persoon/x> <https://schema.org/email> "x@example.org" .\n', encoding="utf-8")
    out = knooppunt("load", str(repro), "--no-validate", store=store)
    assert "3 triples added" in out.stderr
    assert _operations(store) == [["import", "cli", "goed.ttl"], ["import-unvalidated", "cli", "vertrouwd.ttl"]]
    assert knooppunt("validate", store=store, check=False).returncode == 1  # the store now has the violations
    public = knooppunt("query", 'ASK { ?s <https://schema.org/email> ?e }', "--format", "json", store=store).stdout
    assert json.loads(public)["boolean"] is False  # contact details went to the private graph
