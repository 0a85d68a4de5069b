"""Embedded versus remote stores (Oxigraph server, Virtuoso): the SPARQL and API benchmark sets,
read throughput with 1, 2 and 4 service processes on one Oxigraph server, and how fast a write on
one replica reaches another.

    python -m bench.remote_bench                                           # everything, 100k and 1M
    python -m bench.remote_bench --sizes 100000 --only sparql,api          # the three engines at 100k
    python -m bench.remote_bench --sizes 100000 --only sparql,api --engines embedded,virtuoso
    python -m bench.remote_bench --sizes 100000 --only throughput
    python -m bench.remote_bench --sizes 4000,100000 --only replicas --writes 10

All engines hold the same data. The Oxigraph server is started on a copy of the cached embedded
store directory (``bench.common.ensure_store``; same on-disk format), so nothing is reloaded.
Virtuoso (``bench.virtuoso``; Debian's ``virtuoso-opensource``) gets the same public graphs once,
through its own bulk loader, into a cached database that each run copies. The query sets are those
of ``bench.sparql_bench`` and ``bench.api_bench`` (imported, not copied). Throughput: ``CLIENTS``
client threads spread requests round-robin over the service processes (a load balancer in
miniature) for ``--seconds``; a mix of API reads and a cheap SPARQL query. Replicas: two service
processes on one store; an import through the first, then the time until the second's search,
``/health`` and graph view show it (size 4000: the seed data alone). Prints tables; not a test. On a
2-core machine more processes cannot add cores: read the throughput figures as "what sharing one
store costs", not as scaling.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import itertools
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from knooppunt.graph.namespaces import sparql_prefixes

from . import api_bench, sparql_bench
from .common import OUT_DIR, ensure_store, free_port, percentile, serve, stop, store_path, table
from .virtuoso import PASSWORD, USER, VirtuosoProcess, copy_database

CLIENTS = 8
ENGINES = ("embedded", "oxigraph", "virtuoso")
SEED_ONLY = 4000
"""A "size" that means the seed data alone, in an empty remote store that the service seeds."""


@contextlib.contextmanager
def oxigraph_server(store_dir: Path | None, timeout_s: int = 60) -> Iterator[tuple[str, dict[str, str]]]:
    """``oxigraph serve`` on a private copy of ``store_dir`` (None: empty); yields (URL, env)."""
    binary = Path(sys.executable).parent / "oxigraph"
    work = Path(tempfile.mkdtemp(prefix="remote-bench-", dir=OUT_DIR))
    data = work / "store"
    if store_dir is not None:  # the embedded store keeps its public graphs in ``public/``
        shutil.copytree(store_dir / "public", data, ignore=shutil.ignore_patterns("LOCK"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(binary if binary.exists() else "oxigraph"), "serve", "--location", str(data),
         "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.post(url + "/query", data={"query": "ASK {}"}, timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph server did not start") from None
                time.sleep(0.1)
        yield url, {}
    finally:
        stop(process, timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def _buffers(n: int) -> int:
    """Virtuoso's page buffers (8 kB each): about the database size, at least 64 MB."""
    return max(8_000, n // 8)


def ensure_virtuoso(n: int) -> Path:
    """A Virtuoso database holding the public graphs of ``ensure_store(n)``, built once (bulk
    loader) under ``bench/out``; copy it before use (``copy_database``)."""
    from pyoxigraph import RdfFormat
    from pyoxigraph import Store as OxStore

    built = OUT_DIR / f"virtuoso-{store_path(n).name}"
    if (built / ".complete").exists():
        return built
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / f".{built.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / ".complete").exists():
            shutil.rmtree(built, ignore_errors=True)
            built.mkdir(parents=True)
            dump = built / "public.nq"
            OxStore.read_only(str(ensure_store(n) / "public")).dump(str(dump), format=RdfFormat.N_QUADS)
            server = VirtuosoProcess(built, buffers=_buffers(n)).start()
            try:
                server.create_account()
                started = time.perf_counter()
                server.bulk_load([dump])
                print(f"   Virtuoso bulk load of {n:,}: {time.perf_counter() - started:.1f} s", flush=True)
            finally:
                server.shutdown()
            dump.unlink()
            (built / ".complete").write_text(f"{n}\n")
    return built


@contextlib.contextmanager
def virtuoso_server(n: int | None) -> Iterator[tuple[str, dict[str, str]]]:
    """Virtuoso on a private copy of ``ensure_virtuoso(n)`` (None: a new, empty database with the
    account); yields (store URL, the env with its credentials)."""
    work = Path(tempfile.mkdtemp(prefix="virtuoso-bench-", dir=OUT_DIR))
    if n is not None:
        copy_database(ensure_virtuoso(n), work)
    server = VirtuosoProcess(work, buffers=_buffers(n or 0)).start()
    try:
        if n is None:
            server.create_account()
        yield server.store_url, {"KNOOPPUNT_STORE_USER": USER, "KNOOPPUNT_STORE_PASSWORD": PASSWORD}
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def store_for(engine: str, n: int) -> Iterator[tuple[str, dict[str, str]]]:
    """(KNOOPPUNT_STORE, extra env) of ``engine`` holding the data of size ``n``."""
    seed_only = n <= SEED_ONLY
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if engine == "embedded":
        with tempfile.TemporaryDirectory(prefix="embedded-bench-", dir=OUT_DIR) as tmp:
            yield (str(Path(tmp) / "store") if seed_only else str(ensure_store(n))), {}
    elif engine == "oxigraph":
        with oxigraph_server(None if seed_only else ensure_store(n)) as found:
            yield found
    elif engine == "virtuoso":
        with virtuoso_server(None if seed_only else n) as found:
            yield found
    else:
        raise ValueError(engine)


@contextlib.contextmanager
def services(store: str, count: int, env: dict[str, str] | None = None) -> Iterator[list[str]]:
    """``count`` ``knooppunt serve`` processes on one store; yields their URLs."""
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):
            server = stack.enter_context(serve(store, timeout=1800, env=env, extra_args=[
                "--query-timeout", "60", "--max-concurrent-queries", str(CLIENTS)]))
            urls.append(server.url)
        yield urls


# --- the two benchmark sets ---------------------------------------------------------------------
def sparql_set(url: str, n: int, repeat: int) -> dict[str, tuple[float, float]]:
    out = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        for name, (_, texts) in sparql_bench.queries(n).items():
            samples = sparql_bench.time_http(client, texts, repeat)
            out[name] = (percentile(samples, 50) * 1e3, percentile(samples, 99) * 1e3)
    return out


def api_set(url: str, n: int, requests: int) -> dict[str, tuple[float, float, int]]:
    out = {}
    for endpoint, calls in api_bench.requests_for(n, requests, random.Random(n)).items():
        api_bench.run(url, calls[: max(8, requests // 10)])  # warm-up
        latencies, errors = api_bench.run(url, calls)
        out[endpoint] = (percentile(latencies, 50), percentile(latencies, 99), errors)
    return out


def compare(n: int, only: set[str], repeat: int, requests: int, engines: list[str]) -> None:
    results: dict[str, dict] = {}
    ready: dict[str, float] = {}
    triples: dict[str, int] = {}
    for engine in engines:
        with store_for(engine, n) as (location, env):
            started = time.perf_counter()
            with services(location, 1, env) as (url,):
                ready[engine] = time.perf_counter() - started
                triples[engine] = httpx.get(url + "/health", timeout=60).json()["triples"]
                if triples[engine] != triples[engines[0]]:  # a benchmark of different data is no comparison
                    raise RuntimeError(f"{engine} holds {triples[engine]} triples, {engines[0]} {triples[engines[0]]}")
                if "sparql" in only:
                    results[f"sparql-{engine}"] = sparql_set(url, n, repeat)
                if "api" in only:
                    results[f"api-{engine}"] = api_set(url, n, requests)
    first = engines[0]
    print(f"\n== {triples[first]:,} triples ({n:,} synthetic): service ready in "
          + ", ".join(f"{ready[e]:.1f} s {e}" for e in engines) + " (projection and search index built from the store)")
    for kind, label in (("sparql", "SPARQL set (POST /sparql, one client)"), ("api", f"API set ({api_bench.CLIENTS} clients)")):
        if kind not in only:
            continue
        header = ["query" if kind == "sparql" else "endpoint"]
        for engine in engines:
            header += [f"{engine} p50 ms", "p99"] + ([f"/{first}"] if engine != first else [])
        rows = []
        for name in results[f"{kind}-{first}"]:
            base = results[f"{kind}-{first}"][name][0]
            row = [name]
            for engine in engines:
                p50, p99 = results[f"{kind}-{engine}"][name][:2]
                row += [f"{p50:.1f}", f"{p99:.1f}"] + ([f"{p50 / base:.1f}x" if base else "-"] if engine != first else [])
            rows.append(row)
        print(label + ":")
        print(table(rows, header))
        if kind == "api":
            errors = {e: sum(v[2] for v in results[f"api-{e}"].values()) for e in engines}
            print("errors: " + ", ".join(f"{e} {k}" for e, k in errors.items()))


# --- throughput ---------------------------------------------------------------------------------
def mixed_calls(n: int, count: int) -> list[Callable[[httpx.Client], httpx.Response]]:
    """A read mix: search, resource, people, related (API) and an IRI lookup (SPARQL)."""
    per = api_bench.requests_for(n, count, random.Random(7))
    cheap = sparql_prefixes() + sparql_bench.queries(n)["IRI lookup"][1][0]
    sparql = [lambda c: c.post("/sparql", data={"query": cheap},
                               headers={"Accept": "application/sparql-results+json"})] * count
    mixed = [call for group in zip(per["search"], per["resource"], per["people"], per["related"], sparql,
                                   strict=False) for call in group]
    return mixed


def throughput(urls: list[str], calls: list[Callable[[httpx.Client], httpx.Response]], seconds: float) -> tuple[float, float, int]:
    """Requests per second, p50 ms and errors, with clients spread round-robin over ``urls``."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    cursor = itertools.count()

    def client(k: int) -> None:
        with httpx.Client(base_url=urls[k % len(urls)], timeout=60) as c:
            while time.monotonic() < stop:
                call = calls[next(cursor) % len(calls)]
                started = time.perf_counter()
                try:
                    failed = call(c).status_code >= 300
                except httpx.HTTPError:  # a dropped connection counts as an error, not a crash
                    failed = True
                took = (time.perf_counter() - started) * 1e3
                with lock:
                    latencies.append(took)
                    errors[0] += failed

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.monotonic() - started), percentile(latencies, 50), errors[0]


def scale(n: int, processes: list[int], seconds: float) -> None:
    calls = mixed_calls(n, 200)
    rows = []
    with oxigraph_server(ensure_store(n)) as (remote_url, _):
        for count in processes:
            with services(remote_url, count) as urls:
                throughput(urls, calls[:100], 2.0)  # warm-up
                rate, p50, errors = throughput(urls, calls, seconds)
            rows.append([str(count), f"{rate:,.0f}", f"{p50:.1f}", str(errors)])
            print(f"   {count} process(es): {rate:,.0f} requests/s", flush=True)
    print(f"\n== {n:,} triples: throughput on one Oxigraph server, {CLIENTS} clients, read mix, {seconds:g} s")
    print(table(rows, ["service processes", "requests/s", "p50 ms", "errors"]))


# --- replicas -----------------------------------------------------------------------------------
KP = "https://w3id.org/knooppunt/def#"


def _project(i: int) -> str:
    return f"""@prefix kp: <{KP}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<id/project/replicatest-{i}> a kp:Project ;
    rdfs:label "Replicatest{i}"@nl ;
    dct:description "Een project om te meten hoe snel een andere replica een schrijfactie ziet."@nl ;
    dct:source <https://example.org/replicatest> ."""


def replicas(n: int, engines: list[str], writes: int) -> None:
    """Write on replica A, time until replica B's search, /health and graph view show it."""
    from knooppunt.graph.tokens import TokenFile

    rows = []
    for engine in [e for e in engines if e != "embedded"]:
        with tempfile.TemporaryDirectory(prefix="replicas-", dir=OUT_DIR) as tmp, store_for(engine, n) as (location, env):
            token_file = Path(tmp) / "tokens.json"
            token = TokenFile(token_file).create("replicatest", "editor")
            env = {**env, "KNOOPPUNT_TOKEN_FILE": str(token_file)}
            with services(location, 2, env) as (a, b), httpx.Client(timeout=120) as c:
                delays: dict[str, list[float]] = {"search": [], "health": [], "graph": [], "write": []}
                for i in range(writes):
                    before = c.get(f"{b}/health").json()["triples"]
                    iri = f"https://w3id.org/knooppunt/id/project/replicatest-{i}"
                    started = time.perf_counter()
                    r = c.post(f"{a}/api/import", params={"graph": f"replicatest-{i}"}, content=_project(i),
                               headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"})
                    r.raise_for_status()
                    written = time.perf_counter()
                    delays["write"].append((written - started) * 1e3)
                    checks = {
                        "search": lambda i=i, iri=iri: iri in c.get(f"{b}/api/search", params={"q": f"Replicatest{i}"}).text,
                        "health": lambda before=before: c.get(f"{b}/health").json()["triples"] > before,
                        "graph": lambda iri=iri: iri in c.get(f"{b}/api/graph", params={"focus": iri}).text,
                    }
                    pending = dict(checks)
                    deadline = written + 120
                    while pending and time.perf_counter() < deadline:
                        for name, check in list(pending.items()):
                            if check():
                                delays[name].append((time.perf_counter() - written) * 1e3)
                                del pending[name]
                        time.sleep(0.02)
                    if pending:
                        raise RuntimeError(f"{engine}: replica B did not show write {i} within 120 s ({', '.join(pending)})")
            triples = before
            rows.append([engine, f"{triples:,}", f"{percentile(delays['write'], 50):.0f}"]
                        + [f"{percentile(delays[k], 50):.0f} / {max(delays[k]):.0f}" for k in ("search", "health", "graph")])
            print(f"   {engine} at {triples:,} triples: done", flush=True)
    print(f"\n== replicas: a write on A (import through the API, {writes} times), then until B shows it (ms, p50 / max)")
    print(table(rows, ["engine", "triples", "write p50", "B search", "B /health", "B graph view"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remote_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--only", default="throughput,sparql,api,replicas",
                        help="any of throughput, sparql, api, replicas")
    parser.add_argument("--engines", default=",".join(ENGINES), help="for sparql, api and replicas")
    parser.add_argument("--repeat", type=int, default=30, help="samples per SPARQL query")
    parser.add_argument("--requests", type=int, default=200, help="requests per API endpoint")
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    parser.add_argument("--writes", type=int, default=10, help="writes timed per engine for replicas")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for n in (int(s) for s in args.sizes.split(",") if s):
        if "throughput" in only and n > SEED_ONLY:
            scale(n, [int(p) for p in args.processes.split(",")], args.seconds)
        if only & {"sparql", "api"} and n > SEED_ONLY:
            compare(n, only, args.repeat, args.requests, engines)
        if "replicas" in only:
            replicas(n, engines, args.writes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
