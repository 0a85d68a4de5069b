"""The CLI beside a running ``knooppunt serve`` on the same on-disk store (real processes).

pyoxigraph lets one process open the store; the service leaves ``serve.json`` in the store
directory, and the CLI reads through a snapshot the service makes or writes through its validated
write path (``service.running``). The oracle for the read commands is the same command run on the
store directly after the service has stopped: the output must be the same.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from fastapi.testclient import TestClient
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import OxigraphStore, open_store
from knooppunt.graph.tokens import TokenFile
from knooppunt.service.app import create_app

BASE = "https://w3id.org/knooppunt"
KNOOPPUNT = [str(Path(sys.executable).with_name("knooppunt"))]
KP = "PREFIX kp: <https://w3id.org/knooppunt/def#> "


def run(args: list[str], store: Path, *, check: bool = True) -> subprocess.CompletedProcess:
    env = os.environ | {"KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
    env.pop("KNOOPPUNT_TOKEN_FILE", None)
    proc = subprocess.run(KNOOPPUNT + args, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check and proc.returncode != 0:
        raise AssertionError(f"knooppunt {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


class Server:
    """``knooppunt serve`` as a process, stopped with SIGTERM as an operator would (Ctrl-C)."""

    def __init__(self, store: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"KNOOPPUNT_STORE": str(store), "KNOOPPUNT_BASE_IRI": BASE}
        self.proc = subprocess.Popen(
            KNOOPPUNT + ["serve", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                self.proc.kill()
                raise AssertionError(f"the server did not start: {self.proc.stderr.read()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


@pytest.fixture
def store_dir(tmp_path) -> Path:
    store = tmp_path / "db"
    run(["stats"], store)  # creates and seeds it
    return store


READS = {
    "stats": ["stats", "--json"],
    "query": ["query", "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"],
    "export": ["export"],
    "export-nq": ["export", "--format", "nq"],
    "dump": ["dump"],
    "validate": ["validate", "--lang", "en"],
}


def test_read_commands_beside_a_running_server_give_what_the_store_gives(store_dir, tmp_path):
    server = Server(store_dir)
    try:
        state = store_dir / "serve.json"
        info = json.loads(state.read_text())
        assert info["pid"] == server.proc.pid and info["url"] == server.url
        assert stat.S_IMODE(state.stat().st_mode) == 0o600  # the secret is the owner's only
        beside = {name: run(args, store_dir).stdout for name, args in READS.items()}
        run(["template", "owr", "--level", "hbo", "--out", str(tmp_path / "owr.xlsx")], store_dir)
        assert (tmp_path / "owr.xlsx").stat().st_size > 1000
    finally:
        server.stop()
    assert not state.exists(), "serve.json outlived the server"
    assert not any((store_dir / "snapshots").iterdir()), "a snapshot was left behind"

    direct = {name: run(args, store_dir).stdout for name, args in READS.items()}
    stats = json.loads(beside["stats"])
    assert stats["triples"] > 1000 and "ontology" in stats["graphs"] and "system" in stats["graphs"]
    assert stats == json.loads(direct["stats"])
    assert beside["query"].count("\n") > 20 and beside["query"] == direct["query"]
    assert beside["export"].startswith("@prefix") and beside["export"] == direct["export"]
    assert beside["export-nq"] == direct["export-nq"]
    assert f"<{BASE}/graph/system>" in beside["dump"]
    assert sorted(beside["dump"].splitlines()) == sorted(direct["dump"].splitlines())
    assert "0 violation(s)" in beside["validate"]
    assert sorted(beside["validate"].splitlines()) == sorted(direct["validate"].splitlines())  # pyshacl's order varies


def test_writes_beside_a_running_server(store_dir, tmp_path):
    good = tmp_path / "mijn-thema.ttl"
    good.write_text('@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                    '<id/thema/cli-naast-server> rdfs:label "Naast de server"@nl .\n', encoding="utf-8")
    invalid = tmp_path / "kapot-project.ttl"
    invalid.write_text("@prefix kp: <https://w3id.org/knooppunt/def#> .\n"
                       "<id/project/kapot> a kp:Project .\n", encoding="utf-8")
    broken = tmp_path / "syntax.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    ask = KP + 'ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Naast de server"@nl }'
    server = Server(store_dir)
    try:
        loaded = run(["load", str(good)], store_dir)
        assert f"through knooppunt serve (pid {server.proc.pid}" in loaded.stderr
        answer = httpx.get(server.url + "/sparql", params={"query": ask},
                           headers={"Accept": "application/sparql-results+json"}).json()
        assert answer["boolean"] is True  # the running service sees it at once
        imports = httpx.get(server.url + "/api/imports").json()["imports"]
        assert imports[0]["agent"] == "cli" and imports[0]["graph"].endswith("/graph/mijn-thema")

        refused = run(["load", str(invalid)], store_dir, check=False)
        assert refused.returncode == 1
        assert "Violation" in refused.stderr and f"{BASE}/id/project/kapot" in refused.stderr
        bad = run(["load", str(broken)], store_dir, check=False)
        assert bad.returncode == 1 and bad.stderr.startswith(f"error: {broken}:")

        backup = tmp_path / "backup.nq"
        backup.write_text(run(["dump"], store_dir).stdout, encoding="utf-8")
        restore = run(["restore", str(backup)], store_dir, check=False)
        assert restore.returncode == 1
        assert f"held by knooppunt serve (pid {server.proc.pid}, {server.url})" in restore.stderr
        assert "Stop the service first" in restore.stderr

        second = run(["serve", "--port", str(free_port())], store_dir, check=False)
        assert second.returncode == 1 and f"pid {server.proc.pid}" in second.stderr
        assert "Serving on" not in second.stderr
    finally:
        server.stop()
    assert run(["query", ask, "--format", "json"], store_dir).stdout.strip().endswith("true}")
    assert "project/kapot" not in run(["dump"], store_dir).stdout


def test_serve_on_a_busy_port_fails_before_serving(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run(["serve", "--port", str(port)], tmp_path / "db", check=False)
    assert proc.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in proc.stderr
    assert "Serving on" not in proc.stderr


def test_a_store_held_by_another_process_is_named(store_dir):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
         "print('open', flush=True); sys.stdin.read()", str(store_dir / "public")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        for args in (["stats"], ["load", "nothing.ttl"], ["dump"]):
            proc = run(args, store_dir, check=False)
            assert proc.returncode == 1, proc
            assert f"is in use by process {holder.pid}" in proc.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)


def test_a_stale_state_file_is_ignored(store_dir):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (store_dir / "serve.json").write_text(json.dumps(
        {"url": "http://127.0.0.1:9", "pid": gone.pid, "secret": "x", "version": "0"}))
    assert json.loads(run(["stats", "--json"], store_dir).stdout)["triples"] > 1000


def test_the_snapshot_route_takes_only_the_services_own_secret(tmp_path):
    settings = Settings(store=str(tmp_path / "db"), base_iri=BASE)
    store = open_store(settings)
    admin = TokenFile(settings.resolved_token_file()).create("beheer", "admin")
    app = create_app(store=store)
    try:
        with TestClient(app) as client:
            assert client.post("/api/admin/snapshot").status_code == 403
            assert client.post("/api/admin/snapshot", headers={"Authorization": f"Bearer {admin}"}).status_code == 403
            ok = client.post("/api/admin/snapshot", headers={"Authorization": f"Bearer {app.state.local_secret}"})
        assert ok.status_code == 200
        path = Path(ok.json()["path"])
        assert path.parent == tmp_path / "db" / "snapshots"
        copy = OxigraphStore(settings.with_overrides(store=str(path)), path)
        assert copy.count() == store.count() and set(copy.named_graphs()) == set(store.named_graphs())
        copy.close()
    finally:
        store.close()
    assert "/api/admin/snapshot" not in app.openapi()["paths"]


def test_a_memory_store_has_no_snapshot():
    app = create_app(store=open_store(Settings(store="memory", base_iri=BASE, token_file="")))
    with TestClient(app) as client:
        r = client.post("/api/admin/snapshot", headers={"Authorization": f"Bearer {app.state.local_secret}"})
    assert r.status_code == 409
