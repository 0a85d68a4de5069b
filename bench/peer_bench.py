"""Knooppunt's ``/sparql`` next to its peers on the same generated file: the Oxigraph server
(``oxigraph serve-read-only``, the engine we embed, in Rust) and rdflib-endpoint (FastAPI over an
rdflib in-memory graph, the usual Python SPARQL endpoint).

    python -m bench.peer_bench                                  # 100k and 1M
    python -m bench.peer_bench --sizes 100000 --rounds 20
    python -m bench.peer_bench --knooppunt /path/to/other/checkout/.venv/bin/knooppunt   # "before"
    python -m bench.peer_bench --skip rdflib                     # Knooppunt and Oxigraph only
    python -m bench.peer_bench --also main=/path/to/main/.venv/bin/knooppunt   # before and after, same rounds

Setup, per size: the synthetic file of ``bench.generate`` (``bench.common.ensure_dataset``). The
Oxigraph server gets it loaded into a store of its own (``oxigraph load``, cached under
``bench/out/``), rdflib-endpoint parses it at start (~1 min and ~1.3 GB at 1M); Knooppunt serves
the cached store of ``bench.common.ensure_store``: the same file in its ``synthetic`` graph plus
the ontology and the seed data (~2k triples more). Every server answers on 127.0.0.1.

Latency: the nine queries of issue 13, each POSTed as a form (``query=``; POST so that
Knooppunt's cache of identical GET queries is not what is measured) with ``Accept:
application/sparql-results+json`` over a keep-alive connection per server. Requests are
interleaved round-robin (round r: query 1 on every server, query 2 on every server, ...), so
that load from other processes on the machine falls on all servers alike and the ratios stay
meaningful. Parameters rotate per round where a query has one. rdflib-endpoint is slow on some
queries at 1M; ``--rdflib-rounds`` limits its share (it still takes part in the first rounds).

Throughput: 8 client threads, each with its own keep-alive connection, send the IRI lookup for
``--seconds`` per server, in alternating bursts (server A, B, C, A, B, C, ...).

Also: a GET that repeats (Knooppunt's result cache) and a conditional GET (``If-None-Match``,
answered 304), for Knooppunt only, since the peers have neither.

Goals at 1M (issue 13): Knooppunt p50 <= 1.25x the Oxigraph server on every query and faster than
rdflib-endpoint on every query; throughput >= 0.8x the Oxigraph server and >= 2x rdflib-endpoint.
Prints tables; not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from .common import (
    OUT_DIR,
    ROOT,
    _lock,
    copy_store,
    ensure_dataset,
    ensure_store,
    free_port,
    knooppunt_command,
    percentile,
    stop,
    table,
)
from .generate import iri, plan

CLIENTS = 8
PREFIXES = """PREFIX kp: <https://w3id.org/knooppunt/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
JSON = "application/sparql-results+json"


# --- the queries --------------------------------------------------------------------------------
def queries(n: int, people: list[str]) -> dict[str, list[str]]:
    """name -> query texts to rotate through (full IRIs, so every server reads them alike);
    ``people``: persons with project memberships (:func:`members`)."""
    p = plan(n)
    projects = [iri("project", f"project-{i}").value for i in (3, p.projects // 2, p.projects - 1, 17)]
    roles = [iri("canmeds", f"canmeds-{i}").value for i in (0, 1, 2)]
    top = iri("competentie", "competentie-0").value
    two_hop = (f"SELECT ?person ?project WHERE {{ ?m org:member ?person ; kp:project ?project . "
               f"?project kp:addressesCompetency <{top}> }}")
    return {
        "IRI label lookup": [f"SELECT ?label WHERE {{ <{x}> rdfs:label ?label }}" for x in projects],
        "2-hop people (large)": [two_hop],
        "2-hop ORDER BY LIMIT 50": [two_hop + " ORDER BY ?person ?project LIMIT 50"],
        "related by competencies": [
            f"SELECT ?other (COUNT(DISTINCT ?c) AS ?shared) WHERE {{ <{x}> kp:addressesCompetency ?c . "
            f"?other kp:addressesCompetency ?c ; a kp:Project FILTER(?other != <{x}>) }} "
            "GROUP BY ?other ORDER BY DESC(?shared) ?other LIMIT 20" for x in projects],
        "CONTAINS(LCASE(label))": [
            f'SELECT ?s ?label WHERE {{ ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "{w}")) }} LIMIT 50'
            for w in ("eën", "zorgpal", "dood")],
        "skos:broader* under a role": [f"SELECT ?c WHERE {{ ?c skos:broader* <{r}> }}" for r in roles],
        "COUNT DISTINCT via broader*": [
            f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?c skos:broader* <{r}> . ?p kp:addressesCompetency ?c ; "
            "a kp:Project }" for r in roles],
        "COUNT by class": ["SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"],
        "person's projects + colleagues": [
            f"SELECT ?project ?colleague WHERE {{ ?m org:member <{x}> ; kp:project ?project . "
            f"OPTIONAL {{ ?m2 kp:project ?project ; org:member ?colleague FILTER(?colleague != <{x}>) }} }}"
            for x in people],
    }


def members(url: str, n: int) -> list[str]:
    """A member of each of a few projects (memberships are random: ask a server once)."""
    p = plan(n)
    found = []
    with httpx.Client(timeout=600) as c:
        for i in (3, p.projects // 2, p.projects - 1):
            project = iri("project", f"project-{i}").value
            text = f"SELECT ?person WHERE {{ ?m org:member ?person ; kp:project <{project}> }} ORDER BY ?person LIMIT 1"
            r = c.post(url, data={"query": PREFIXES + text}, headers={"Accept": JSON})
            r.raise_for_status()
            found += [b["person"]["value"] for b in r.json()["results"]["bindings"]]
    return found


# --- the servers --------------------------------------------------------------------------------
@dataclass
class Peer:
    name: str
    url: str  # the SPARQL endpoint (query form POSTed here)
    process: subprocess.Popen


def _wait(peer: Peer, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if peer.process.poll() is not None:
            raise RuntimeError(f"{peer.name} exited ({peer.process.returncode}); see {log}")
        try:
            r = httpx.post(peer.url, data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON}, timeout=10)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{peer.name} not ready after {timeout} s; see {log}")
        time.sleep(0.2)


@contextlib.contextmanager
def _start(name: str, cmd: list[str], path: str, timeout: float, env: dict | None = None) -> Iterator[Peer]:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    log = OUT_DIR / f"peer-{name}-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    peer = Peer(name, f"http://127.0.0.1:{port}{path}", process)
    try:
        started = time.monotonic()
        _wait(peer, timeout, log)
        print(f"   {name} ready after {time.monotonic() - started:.1f} s", flush=True)
        yield peer
    finally:
        stop(process)


def _binary(name: str) -> str:
    """A command of this environment, else of this checkout's ``.venv``, else from PATH."""
    for where in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (where / name).exists():
            return str(where / name)
    return name


def knooppunt_peer(stack: contextlib.ExitStack, store: Path, knooppunt: list[str], name: str = "knooppunt") -> Peer:
    """``knooppunt serve`` on ``store``, measured only once it is quiet: its projection and search
    index are made in the background after ``/health`` answers, so wait for them
    (``/api/stats/projection``); if they were built from the store rather than read from a
    snapshot, the snapshot is being written in the background: restart once, on the snapshot."""
    cmd = [*knooppunt, "serve", "--store", str(store), "--port", "{port}", "--log-level", "warning"]
    for attempt in range(2):
        trial = contextlib.ExitStack()
        try:
            peer = trial.enter_context(_start(name, cmd, "/sparql", 900))
            started = time.monotonic()
            stats = httpx.get(peer.url.removesuffix("/sparql") + "/api/stats/projection", timeout=900).json()
        except BaseException:
            trial.close()
            raise
        restored = [stats[k].get("restored", "n/a") for k in ("search_index", "projection")]
        print(f"   {name} projection and search index ready {time.monotonic() - started:.1f} s later "
              f"(read from snapshots: {restored})", flush=True)
        if attempt == 1 or 0 not in restored:
            stack.push(trial)  # stopped with the other servers
            return peer
        trial.close()  # writes the snapshot at shutdown; the next start reads it
    raise AssertionError("unreachable")


def oxigraph_store(n: int) -> Path:
    """The synthetic file loaded into a store of the Oxigraph server's own (default graph)."""
    path = OUT_DIR / f"oxserver-{ensure_dataset(n).stem}"
    done = path / ".complete"
    if done.exists():
        return path
    with _lock(path.name):
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)
            subprocess.run([_binary("oxigraph"), "load", "--location", str(path), "--file",
                            str(ensure_dataset(n))], check=True, stdout=subprocess.DEVNULL)
            done.write_text("loaded\n")
    return path


@contextlib.contextmanager
def peers(n: int, skip: set[str], knooppunt: list[str], also: list[str] = ()) -> Iterator[list[Peer]]:
    """The servers; ``also``: ``NAME=COMMAND`` for other Knooppunt versions, each on a copy of the
    store (RocksDB lets one process open it), measured in the same rounds."""
    with contextlib.ExitStack() as stack:
        out = []
        if "knooppunt" not in skip:
            out.append(knooppunt_peer(stack, ensure_store(n), knooppunt))
        for spec in also:
            name, _, command = spec.partition("=")
            work = Path(tempfile.mkdtemp(prefix=f"peer-{name}-", dir=OUT_DIR))
            stack.callback(shutil.rmtree, work, ignore_errors=True)
            out.append(knooppunt_peer(stack, copy_store(n, work / "store"), command.split(), name))
        if "oxigraph" not in skip:
            cmd = [_binary("oxigraph"), "serve-read-only", "--location", str(oxigraph_store(n)),
                   "--bind", "127.0.0.1:{port}"]
            out.append(stack.enter_context(_start("oxigraph", cmd, "/query", 300)))
        if "rdflib" not in skip:
            cmd = [_binary("rdflib-endpoint"), "serve", str(ensure_dataset(n)), "--host", "127.0.0.1",
                   "--port", "{port}"]
            out.append(stack.enter_context(_start("rdflib-endpoint", cmd, "/", 1800)))
        yield out


# --- measuring ----------------------------------------------------------------------------------
def _post(client: httpx.Client, url: str, text: str) -> tuple[float, int]:
    start = time.perf_counter()
    r = client.post(url, data={"query": PREFIXES + text}, headers={"Accept": JSON})
    took = time.perf_counter() - start
    r.raise_for_status()
    return took, len(r.content)


def latency(servers: list[Peer], qs: dict[str, list[str]], rounds: int, rdflib_rounds: int,
            rdflib_budget: float) -> dict[str, dict[str, list[float]]]:
    """name -> server -> samples (s), interleaved round-robin; also prints result sizes once."""
    samples: dict[str, dict[str, list[float]]] = {q: {s.name: [] for s in servers} for q in qs}
    clients = {s.name: httpx.Client(timeout=600) for s in servers}
    spent = {q: 0.0 for q in qs}
    try:
        for s in servers:  # warm-up: workers started, pages cached, every text once
            for texts in qs.values():
                for text in texts:
                    _post(clients[s.name], s.url, text)
        for r in range(rounds):
            for q, texts in qs.items():
                text = texts[r % len(texts)]
                for s in servers:
                    if s.name == "rdflib-endpoint" and (r >= rdflib_rounds or spent[q] > rdflib_budget):
                        continue
                    took, _ = _post(clients[s.name], s.url, text)
                    samples[q][s.name].append(took)
                    if s.name == "rdflib-endpoint":
                        spent[q] += took
    finally:
        for c in clients.values():
            c.close()
    return samples


def throughput(servers: list[Peer], text: str, seconds: float, bursts: int = 3) -> dict[str, float]:
    done = {s.name: 0 for s in servers}
    spent = {s.name: 0.0 for s in servers}
    body = {"query": PREFIXES + text}

    def client(url: str, stop: float, counts: list[int], k: int) -> None:
        with httpx.Client(timeout=60) as c:
            while time.monotonic() < stop:
                c.post(url, data=body, headers={"Accept": JSON}).raise_for_status()
                counts[k] += 1

    for _ in range(bursts):
        for s in servers:
            counts = [0] * CLIENTS
            stop = time.monotonic() + seconds / bursts
            threads = [threading.Thread(target=client, args=(s.url, stop, counts, k)) for k in range(CLIENTS)]
            start = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            spent[s.name] += time.monotonic() - start
            done[s.name] += sum(counts)
    return {name: done[name] / spent[name] for name in done}


def repeated_get(peer: Peer, text: str, repeat: int = 200) -> tuple[list[float], list[float]]:
    """Knooppunt only: the same GET again and again (cache), and with If-None-Match (304)."""
    plain, conditional = [], []
    with httpx.Client(timeout=60) as c:
        params = {"query": PREFIXES + text}
        first = c.get(peer.url, params=params, headers={"Accept": JSON})
        etag = first.headers.get("etag")
        for _ in range(repeat):
            start = time.perf_counter()
            c.get(peer.url, params=params, headers={"Accept": JSON}).raise_for_status()
            plain.append(time.perf_counter() - start)
            if etag:
                start = time.perf_counter()
                r = c.get(peer.url, params=params, headers={"Accept": JSON, "If-None-Match": etag})
                conditional.append(time.perf_counter() - start)
                assert r.status_code in (200, 304)
    return plain, conditional


def _ms(samples: list[float], q: float) -> float:
    return percentile(samples, q) * 1e3


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} CPUs"


def bench(n: int, args: argparse.Namespace) -> None:
    print(f"\n== {n:,} synthetic triples; {_load()}", flush=True)
    with peers(n, set(args.skip), args.knooppunt, args.also) as servers:
        qs = queries(n, members(servers[0].url, n))
        names = [s.name for s in servers]
        with httpx.Client(timeout=600) as c:
            rows = {q: _post_rows(c, servers[0].url, texts[0]) for q, texts in qs.items()}
        started = time.monotonic()
        samples = latency(servers, qs, args.rounds, args.rdflib_rounds, args.rdflib_budget)
        print(f"   latency: {time.monotonic() - started:.0f} s; {_load()}", flush=True)
        rates = throughput(servers, qs["IRI label lookup"][0], args.seconds)
        print(f"   throughput done; {_load()}", flush=True)
        extra = None
        kp = next((s for s in servers if s.name == "knooppunt"), None)
        if kp is not None:
            extra = repeated_get(kp, qs["COUNT by class"][0])
    header = ["query", "rows"]
    for name in names:
        header += [f"{name} p50", "p99"]
    versions = [x for x in names if x == "knooppunt" or x in {a.partition("=")[0] for a in args.also}]
    pairs = [(k, o) for k in versions for o in names if o not in versions]
    pairs += [("knooppunt", k) for k in versions if k != "knooppunt" and "knooppunt" in versions]
    header += [f"{a[:4]}/{b[:4]}" for a, b in pairs]
    out = []
    for q in qs:
        row = [q, str(rows[q])]
        for name in names:
            s = samples[q][name]
            row += [f"{_ms(s, 50):.1f}", f"{_ms(s, 99):.1f}"] if s else ["-", "-"]
        for a, b in pairs:
            x, y = samples[q][a], samples[q][b]
            row.append(f"{_ms(x, 50) / _ms(y, 50):.2f}x" if x and y else "-")
        out.append(row)
    print(f"\n{n:,} triples: latency in ms over HTTP, {args.rounds} interleaved rounds "
          f"(rdflib-endpoint at most {args.rdflib_rounds}); a/b = p50 of a / p50 of b (< 1: a is faster)")
    print(table(out, header))
    line = ", ".join(f"{name} {rate:,.0f}/s" for name, rate in rates.items())
    print(f"throughput, IRI label lookup, {CLIENTS} clients, {args.seconds:g} s each: {line}")
    for a, b in pairs:
        print(f"   {a} / {b}: {rates[a] / rates[b]:.2f}x")
    if extra is not None:
        plain, cond = extra
        text = f"Knooppunt, repeated GET of COUNT by class: p50 {_ms(plain, 50):.2f} ms, p99 {_ms(plain, 99):.2f} ms"
        if cond:
            text += f"; with If-None-Match: p50 {_ms(cond, 50):.2f} ms, p99 {_ms(cond, 99):.2f} ms"
        print(text)


def _post_rows(client: httpx.Client, url: str, text: str) -> int:
    r = client.post(url, data={"query": PREFIXES + text}, headers={"Accept": JSON})
    r.raise_for_status()
    return len(r.json()["results"]["bindings"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds (samples per query)")
    parser.add_argument("--rdflib-rounds", type=int, default=30, help="most rounds for rdflib-endpoint")
    parser.add_argument("--rdflib-budget", type=float, default=60.0, help="most seconds of rdflib time per query")
    parser.add_argument("--seconds", type=float, default=9.0, help="throughput seconds per server")
    parser.add_argument("--skip", nargs="*", default=[], choices=["knooppunt", "oxigraph", "rdflib"])
    parser.add_argument("--knooppunt", nargs="+", default=knooppunt_command(),
                        help="the knooppunt command to run (another checkout's, for 'before' figures)")
    parser.add_argument("--also", nargs="*", default=[], metavar="NAME=COMMAND",
                        help="more Knooppunt versions in the same rounds, e.g. main=/path/.venv/bin/knooppunt")
    args = parser.parse_args(argv)
    for n in args.sizes:
        bench(n, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
