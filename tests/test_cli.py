"""Each CLI command end to end on a temporary on-disk store, as a user runs it (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import free_port
from knooppunt.graph import __version__

ROOT = Path(__file__).resolve().parent.parent
KP = "https://w3id.org/knooppunt/def#"


def knooppunt(*args: str, store: Path, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": "https://w3id.org/knooppunt"}
    result = subprocess.run(
        [sys.executable, "-m", "knooppunt.service.cli", *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"knooppunt {' '.join(args)} failed: {result.stderr}")
    return result


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


def test_stats_reports_classes_and_graphs(store_dir):
    out = json.loads(knooppunt("stats", "--json", store=store_dir).stdout)
    assert out["backend"] == "oxigraph"
    assert out["triples"] > 1000
    assert out["classes"][KP + "Consortium"] == 7
    assert "ontology" in out["graphs"]
    text = knooppunt("stats", store=store_dir).stdout
    assert "per class" in text and KP + "Project" in text


def test_validate_store_conforms_and_broken_file_fails(store_dir, tmp_path):
    ok = knooppunt("validate", store=store_dir)
    assert ok.returncode == 0, ok.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix kp: <https://w3id.org/knooppunt/def#> .\n"
        "<id/project/kapot> a kp:Project .\n",
        encoding="utf-8",
    )
    bad = knooppunt("validate", str(broken), store=store_dir, check=False)
    assert bad.returncode == 1
    assert "https://w3id.org/knooppunt/id/project/kapot" in bad.stdout
    assert "Violation" in bad.stdout


def test_load_then_query_csv_json_and_ttl(store_dir, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<id/thema/cli-test> rdfs:label \"CLI-test\"@nl .\n",
        encoding="utf-8",
    )
    loaded = knooppunt("load", str(extra), "--graph", "cli", store=store_dir)
    assert "1 triples" in loaded.stderr
    q = 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "CLI-test"@nl }'
    rows = list(csv.reader(io.StringIO(knooppunt("query", q, "--format", "csv", store=store_dir).stdout)))
    assert rows == [["s"], ["https://w3id.org/knooppunt/id/thema/cli-test"]]
    as_json = json.loads(knooppunt("query", q, "--format", "json", store=store_dir).stdout)
    assert as_json["results"]["bindings"][0]["s"]["value"].endswith("/id/thema/cli-test")
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/knooppunt/id/thema/cli-test>) }"
    g = rdflib.Graph().parse(data=knooppunt("query", construct, "--format", "ttl", store=store_dir).stdout, format="turtle")
    assert len(g) == 1
    bad = knooppunt("query", "SELECT WHERE {", store=store_dir, check=False)
    assert bad.returncode == 2 and "SPARQL" in bad.stderr


def test_load_refuses_invalid_rdf_and_keeps_store(store_dir, tmp_path):
    before = json.loads(knooppunt("stats", "--json", store=store_dir).stdout)["triples"]
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = knooppunt("load", str(bad), store=store_dir, check=False)
    assert result.returncode == 1 and "invalid RDF" in result.stderr
    assert json.loads(knooppunt("stats", "--json", store=store_dir).stdout)["triples"] == before


@pytest.mark.parametrize("fmt,parse_as", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("nq", "nquads")])
def test_export_formats_parse(store_dir, fmt, parse_as):
    out = knooppunt("export", "--format", fmt, store=store_dir).stdout
    if parse_as == "nquads":
        ds = rdflib.Dataset()
        ds.parse(data=out, format="nquads")
        assert len(list(ds.quads())) > 1000
    else:
        g = rdflib.Graph().parse(data=out, format=parse_as)
        assert len(g) > 1000


def test_export_one_graph(store_dir):
    out = knooppunt("export", "--graph", "ontology", "--format", "nt", store=store_dir).stdout
    g = rdflib.Graph().parse(data=out, format="nt")
    assert (rdflib.URIRef(KP + "Project"), rdflib.RDF.type, rdflib.OWL.Class) in g
    assert knooppunt("export", "--graph", "bestaat-niet", store=store_dir, check=False).returncode == 2


def test_serve_reports_health(store_dir):
    port = free_port()
    env = {**os.environ, "KNOOPPUNT_STORE": str(store_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "knooppunt.service.cli", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.TransportError:
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "no output") from None
                time.sleep(0.2)
        assert health["status"] == "ok"
        assert health["backend"] == "oxigraph"
        assert health["triples"] > 1000
        assert health["version"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_wheel_carries_ontology_shapes_and_data(tmp_path):
    """A plain (non-editable) install must find its data: check the built wheel's layout."""
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(out.glob("knooppunt-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    # One import package: nothing but knooppunt/ and the dist-info at the top of site-packages.
    assert {n.split("/")[0] for n in names} == {"knooppunt", wheel.name.split("-py")[0] + ".dist-info"}
    assert "knooppunt/__init__.py" in names
    assert "knooppunt/graph/_data/ontology/knooppunt.ttl" in names
    assert any(n.startswith("knooppunt/graph/_data/shapes/") and n.endswith(".ttl") for n in names)
    assert any(n.startswith("knooppunt/graph/_data/data/") and n.endswith(".ttl") for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)
    assert "knooppunt/service/static/docs/index.html" in names  # the offline API docs
    assert "knooppunt/service/static/docs/swagger-ui-5.35.0/swagger-ui-bundle.js" in names
    # Unpacked on its own (no checkout next to it), the package imports and finds its data in _data/.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = subprocess.run(
        [sys.executable, "-c", "import knooppunt; from knooppunt.graph import resources; "
         "print(knooppunt.__version__); print(resources.ontology_dir())"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True, check=True,
    )
    version, ontology = probe.stdout.split()
    assert version == __version__
    assert ontology == str(site / "knooppunt" / "graph" / "_data" / "ontology")


# --- polish: options, formats, prefixes, readable output, clear errors -----------------------------
def test_options_before_or_after_the_command(tmp_path):
    elsewhere = tmp_path / "elders"
    for args in (["token", "create", "na", "--store", str(elsewhere)],
                 ["--store", str(elsewhere), "token", "create", "voor"],
                 ["token", "--store", str(elsewhere), "create", "midden"]):
        knooppunt(*args, store=tmp_path / "env-store")
    listing = knooppunt("token", "list", "--store", str(elsewhere), store=tmp_path / "env-store").stdout
    assert [line.split("\t")[0] for line in listing.splitlines()] == ["midden", "na", "voor"]
    assert not (tmp_path / "env-store").exists()


def test_help_shows_defaults(tmp_path):
    top = "".join(knooppunt("--help", store=tmp_path / "s").stdout.split())  # argparse wraps at - too
    assert f"now:{tmp_path / 's'}" in top and "https://w3id.org/knooppunt" in top
    serve = " ".join(knooppunt("serve", "--help", store=tmp_path / "s").stdout.split())
    assert "(default: 127.0.0.1)" in serve and "(default: 8000)" in serve and "default: 10)" in serve
    assert "(default: ttl)" in " ".join(knooppunt("export", "--help", store=tmp_path / "s").stdout.split())


@pytest.mark.parametrize("query,fmt,kind", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ttl", "SELECT"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "tsv", "CONSTRUCT"),
    ("ASK { ?s ?p ?o }", "nt", "ASK"),
])
def test_query_format_must_fit_the_result_kind(store_dir, query, fmt, kind):
    result = knooppunt("query", query, "--format", fmt, store=store_dir, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert f"--format {fmt} does not fit a {kind} query" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_adds_the_vocabulary_prefixes_it_does_not_declare(store_dir):
    rows = knooppunt("query", "SELECT ?p WHERE { ?p a kp:Consortium } ORDER BY ?p", store=store_dir).stdout
    assert len(rows.splitlines()) == 1 + 7
    own = "PREFIX kp: <http://example.org/anders#> SELECT ?p WHERE { ?p a kp:Consortium }"
    assert knooppunt("query", own, store=store_dir).stdout.splitlines() == ["p"]  # its own kp: wins
    assert json.loads(knooppunt("query", "ASK { ?c a skos:ConceptScheme }", store=store_dir).stdout)["boolean"]


def test_export_turtle_is_sorted_and_prefixed(store_dir):
    ttl = knooppunt("export", store=store_dir).stdout
    assert ttl.startswith("@prefix ") and "@prefix kp: <https://w3id.org/knooppunt/def#> ." in ttl
    assert "\nkp:Project a owl:Class" in ttl  # prefixed names, rdf:type first
    assert knooppunt("export", store=store_dir).stdout == ttl  # the same data, the same bytes
    nt = knooppunt("export", "--format", "nt", store=store_dir).stdout.splitlines()
    subjects = [line.split(" ", 1)[0] for line in nt]
    assert subjects == sorted(subjects)
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    assert len(g) == len(nt)


def test_template_refuses_a_level_that_does_not_exist(store_dir, tmp_path):
    result = knooppunt("template", "owr", "--level", "havo", "--out", str(tmp_path / "x.xlsx"), store=store_dir, check=False)
    assert result.returncode == 2 and not (tmp_path / "x.xlsx").exists()
    assert "no education level 'havo'" in result.stderr and "mbo, mbo-2" in result.stderr


def test_validate_names_missing_and_broken_files_as_given(store_dir, tmp_path):
    missing = knooppunt("validate", "missing.ttl", store=store_dir, check=False)
    assert missing.returncode == 2 and missing.stderr == "error: no such file: missing.ttl\n"
    (tmp_path / "broken.ttl").write_text("@prefix kp: <https://w3id.org/knooppunt/def#> .\nkp:x kp:y .\n", encoding="utf-8")
    broken = subprocess.run(
        [sys.executable, "-m", "knooppunt.service.cli", "validate", "broken.ttl", "--store", str(store_dir)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert broken.returncode == 1
    assert broken.stderr.startswith("error: broken.ttl: ") and "line 2" in broken.stderr
    assert "b'" not in broken.stderr and "Traceback" not in broken.stderr
