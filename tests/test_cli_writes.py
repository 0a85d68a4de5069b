"""The writers' commands, run as real processes: token, dump/restore, template owr + load; and a
server killed with SIGKILL in the middle of a large import."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from knooppunt.graph.tokens import TokenFile
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, parse

BASE = "https://w3id.org/knooppunt"
KNOOPPUNT = [str(Path(sys.executable).with_name("knooppunt"))]  # the installed command


def run(args: list[str], store: Path, *, stdin: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = os.environ | {"KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
    env.pop("KNOOPPUNT_TOKEN_FILE", None)
    proc = subprocess.run(KNOOPPUNT + args, env=env, input=stdin, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"knooppunt {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return proc


def canonical(nquads: bytes) -> list:
    dataset = Dataset(parse(nquads, RdfFormat.N_QUADS))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def test_token_create_list_revoke_keeps_only_hashes(tmp_path):
    store = tmp_path / "db"
    proc = run(["token", "create", "alice", "--scope", "editor"], store)
    token = proc.stdout.decode().strip()
    assert token.startswith("kp_") and len(token) > 40
    stored = (store / "tokens.json").read_text()
    assert token not in stored and json.loads(stored)["alice"]["scope"] == "editor"
    assert TokenFile(store / "tokens.json").check(token).name == "alice"
    run(["token", "create", "bob", "--scope", "admin"], store)
    assert run(["token", "create", "bob", "--scope", "admin"], store, check=False).returncode == 2
    listing = run(["token", "list"], store).stdout.decode()
    assert "alice\teditor" in listing and "bob\tadmin" in listing and token not in listing
    run(["token", "revoke", "alice"], store)
    assert TokenFile(store / "tokens.json").check(token) is None
    assert "alice" not in run(["token", "list"], store).stdout.decode()


def test_dump_and_restore_round_trip_to_an_isomorphic_dataset(tmp_path):
    source, target = tmp_path / "a", tmp_path / "b"
    ttl = tmp_path / "extra.ttl"
    ttl.write_text(f'<{BASE}/id/thema/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@nl ; <https://example.org/p> [ <https://example.org/q> "blank" ] .')
    run(["load", str(ttl), "--graph", "extra"], source)
    backup = run(["dump"], source).stdout
    assert b"/graph/system>" in backup and b"/graph/extra>" in backup
    # The target holds other data first: restore replaces it.
    other = tmp_path / "other.ttl"
    other.write_text(f'<{BASE}/id/thema/y> <http://www.w3.org/2000/01/rdf-schema#label> "y"@nl .')
    run(["load", str(other), "--graph", "other"], target)
    (tmp_path / "backup.nq").write_bytes(backup)
    run(["restore", str(tmp_path / "backup.nq")], target)
    assert canonical(run(["dump"], target).stdout) == canonical(backup)


def test_template_owr_then_load_the_filled_workbook(tmp_path):
    from openpyxl import load_workbook

    store = tmp_path / "db"
    out = tmp_path / "owr-mbo.xlsx"
    run(["template", "owr", "--level", "mbo", "--out", str(out)], store)
    wb = load_workbook(out)
    ws = wb["OWR 2.0"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["CanMEDS-rol", "competentie", "code", "iri"]
    assert header[4:] == [f"{v} leerjaar {y}" for v in ("BOL", "BBL") for y in (1, 2, 3, 4)]
    assert ws.max_row - 1 == 7  # the seven CanMEDS roles while no competency items exist
    validations = ws.data_validations.dataValidation
    assert validations and validations[0].formula1 == '"volledig,gedeeltelijk,start,leeg"'
    assert "E2" in validations[0].sqref and "L2" in validations[0].sqref
    assert "Curriculum" in wb.sheetnames
    ws["E2"] = "volledig"
    ws["J3"] = "start"
    ws.append(["zorgverlener", "Herkent de palliatieve fase", "Z-1", None, "gedeeltelijk"])
    wb["Curriculum"]["B2"] = "roc-test-vig"
    wb["Curriculum"]["B3"] = "Verzorgende IG (test)"
    wb.save(out)
    proc = run(["load", str(out), "--graph", "owr-roc-test"], store)
    assert "triples added" in proc.stderr.decode()
    kp = "PREFIX kp: <https://w3id.org/knooppunt/def#> "
    rows = run(["query", kp + "SELECT (COUNT(*) AS ?n) WHERE { ?c a kp:Coverage ; kp:curriculum ?cur }", "--format", "csv"], store)
    assert rows.stdout.decode().split()[-1] == "3"
    rows = run(["query", kp + "SELECT ?c WHERE { ?c a kp:Competency }", "--format", "csv"], store)
    assert f"{BASE}/id/competentie/z-1" in rows.stdout.decode()


def test_curriculum_gaps_lists_competencies_covered_in_no_year(store_factory, tmp_path):
    from knooppunt.graph.writes import ingest, owr_sheet
    from openpyxl import load_workbook

    store = store_factory("memory")
    buf = io.BytesIO()
    owr_sheet.write_template(store, "mbo", buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    wb["OWR 2.0"]["E2"] = "volledig"  # only the first role, BOL year 1
    wb["Curriculum"]["B2"] = "gaten-test"
    out = io.BytesIO()
    wb.save(out)
    ingest.import_document(store, out.getvalue(), ingest.XLSX_TYPES[0], store.graph("gaten"), agent="t", scope="editor")
    gaps = owr_sheet.curriculum_gaps(store, f"{BASE}/id/curriculum/gaten-test")
    roles = owr_sheet.framework_rows(store, "mbo")
    assert len(gaps) == len(roles) - 1
    assert roles[0]["iri"] not in {g["competency"]["iri"] for g in gaps}


# --- crash safety ---------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(store: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ | {"KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
    proc = subprocess.Popen(KNOOPPUNT + ["serve", "--port", str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def _big_ntriples(n: int) -> bytes:
    lines = [f'<https://example.org/crash/{i}> <https://example.org/p> "waarde {i}" .' for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def _state(store: Path) -> tuple[list[str], int, int]:
    """(lines outside the big and provenance graphs, triples in the big graph, provenance records)."""
    lines = run(["dump"], store).stdout.decode().splitlines()
    rest = sorted(line for line in lines if "/graph/groot>" not in line and "/graph/provenance>" not in line)
    big = sum(1 for line in lines if line.endswith(f"<{BASE}/graph/groot> ."))
    records = sum(1 for line in lines if "<http://www.w3.org/ns/prov#Activity>" in line)
    return rest, big, records


@pytest.mark.timeout(600)
def test_sigkill_during_a_large_import_leaves_before_or_after(tmp_path):
    store = tmp_path / "db"
    token = run(["token", "create", "crash", "--scope", "admin"], store).stdout.decode().strip()
    run(["stats"], store)  # seeds the store
    n = 100_000
    body = _big_ntriples(n)
    headers = {"Content-Type": "application/n-triples", "Authorization": f"Bearer {token}"}

    # Once without a kill, to learn how long the import takes.
    proc, url = _serve(store)
    started = time.time()
    r = httpx.post(url + "/api/import?graph=maat", content=body, headers=headers, timeout=300)
    duration = time.time() - started
    assert r.status_code == 200, r.text
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    outcomes = []
    for fraction in (0.3, 0.6, 0.85, 0.95):
        before, big_before, records_before = _state(store)
        proc, url = _serve(store)
        thread = threading.Thread(target=_post_quietly, args=(url, body, headers), daemon=True)
        thread.start()
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        thread.join(timeout=30)
        after, big_after, records_after = _state(store)
        assert after == before, "data outside the imported graph changed"
        if big_after == big_before:
            assert records_after == records_before, "a provenance record without its data"
            outcomes.append("before")
        else:
            assert (big_before, big_after) == (0, n), f"half an import: {big_after} of {n} triples"
            assert records_after == records_before + 1, "data without its provenance record"
            outcomes.append("after")
        if big_after:  # start the next round from an empty big graph again
            run(["restore", "-"], store, stdin=_without_graph(store, "groot"))
    print(f"\nSIGKILL during import ({n} triples, {duration:.1f} s): {outcomes}")


def _post_quietly(url: str, body: bytes, headers: dict) -> None:
    try:
        httpx.post(url + "/api/import?graph=groot", content=body, headers=headers, timeout=300)
    except httpx.HTTPError:
        pass  # the server was killed: that is the point


def _without_graph(store: Path, name: str) -> bytes:
    lines = run(["dump"], store).stdout.decode().splitlines()
    return ("\n".join(line for line in lines if not line.endswith(f"<{BASE}/graph/{name}> .")) + "\n").encode()
