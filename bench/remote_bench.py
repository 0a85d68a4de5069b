"""Embedded versus remote Oxigraph: the SPARQL and API benchmark sets at 100k and 1M triples, and
throughput with 1, 2 and 4 service processes on one Oxigraph server.

    python -m bench.remote_bench                               # everything, 100k and 1M
    python -m bench.remote_bench --sizes 100000 --only throughput
    python -m bench.remote_bench --only sparql,api --requests 100

Both backends hold the same data: the Oxigraph server is started on a copy of the cached embedded
store directory (``bench.common.ensure_store``; same on-disk format), so nothing is reloaded.
The query sets are those of ``bench.sparql_bench`` and ``bench.api_bench`` (imported, not copied).
Throughput: ``CLIENTS`` client threads spread requests round-robin over the service processes (a
load balancer in miniature) for ``--seconds``; a mix of API reads and a cheap SPARQL query.
Prints tables; not a test. On a 2-core machine more processes cannot add cores: read the
throughput figures as "what sharing one store costs", not as scaling.
"""

from __future__ import annotations

import argparse
import contextlib
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
from .common import OUT_DIR, ensure_store, free_port, percentile, serve, stop, table

CLIENTS = 8


@contextlib.contextmanager
def oxigraph_server(store_dir: Path, timeout_s: int = 60) -> Iterator[str]:
    """``oxigraph serve`` on a private copy of ``store_dir``; yields its URL."""
    binary = Path(sys.executable).parent / "oxigraph"
    work = Path(tempfile.mkdtemp(prefix="remote-bench-", dir=OUT_DIR))
    data = work / "store"
    # The embedded store keeps its public graphs in ``public/`` (non-public ones in a sidecar).
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
        yield url
    finally:
        stop(process, timeout=30)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def services(store: str, count: int) -> Iterator[list[str]]:
    """``count`` ``knooppunt serve`` processes on one store; yields their URLs."""
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):
            server = stack.enter_context(serve(store, timeout=1800, extra_args=[
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


def compare(n: int, only: set[str], repeat: int, requests: int) -> None:
    store_dir = ensure_store(n)
    results: dict[str, dict] = {}
    ready: dict[str, float] = {}
    triples: dict[str, int] = {}
    with oxigraph_server(store_dir) as remote_url:
        for backend, location in (("embedded", str(store_dir)), ("remote", remote_url)):
            started = time.perf_counter()
            with services(location, 1) as (url,):
                ready[backend] = time.perf_counter() - started
                triples[backend] = httpx.get(url + "/health", timeout=60).json()["triples"]
                if triples[backend] != triples["embedded"]:  # a benchmark of different data is no comparison
                    raise RuntimeError(f"remote store holds {triples[backend]} triples, embedded {triples['embedded']}")
                if "sparql" in only:
                    results[f"sparql-{backend}"] = sparql_set(url, n, repeat)
                if "api" in only:
                    results[f"api-{backend}"] = api_set(url, n, requests)
    print(f"\n== {n:,} synthetic triples: service ready in {ready['embedded']:.1f} s embedded, "
          f"{ready['remote']:.1f} s remote (projection and search index built from the store)")
    if "sparql" in only:
        rows = []
        for name, (e50, e99) in results["sparql-embedded"].items():
            r50, r99 = results["sparql-remote"][name]
            rows.append([name, f"{e50:.1f}", f"{e99:.1f}", f"{r50:.1f}", f"{r99:.1f}", f"{r50 / e50:.1f}x"])
        print("SPARQL set (POST /sparql, one client):")
        print(table(rows, ["query", "embedded p50 ms", "p99", "remote p50 ms", "p99", "remote/embedded"]))
    if "api" in only:
        rows = []
        for name, (e50, e99, eerr) in results["api-embedded"].items():
            r50, r99, rerr = results["api-remote"][name]
            rows.append([name, f"{e50:.1f}", f"{e99:.1f}", f"{r50:.1f}", f"{r99:.1f}",
                         f"{r50 / e50:.1f}x" if e50 else "-", f"{eerr}/{rerr}"])
        print(f"API set ({api_bench.CLIENTS} clients):")
        print(table(rows, ["endpoint", "embedded p50 ms", "p99", "remote p50 ms", "p99",
                           "remote/embedded", "errors e/r"]))


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
    with oxigraph_server(ensure_store(n)) as remote_url:
        for count in processes:
            with services(remote_url, count) as urls:
                throughput(urls, calls[:100], 2.0)  # warm-up
                rate, p50, errors = throughput(urls, calls, seconds)
            rows.append([str(count), f"{rate:,.0f}", f"{p50:.1f}", str(errors)])
            print(f"   {count} process(es): {rate:,.0f} requests/s", flush=True)
    print(f"\n== {n:,} triples: throughput on one Oxigraph server, {CLIENTS} clients, read mix, {seconds:g} s")
    print(table(rows, ["service processes", "requests/s", "p50 ms", "errors"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.remote_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--only", default="throughput,sparql,api", help="any of throughput, sparql, api")
    parser.add_argument("--repeat", type=int, default=30, help="samples per SPARQL query")
    parser.add_argument("--requests", type=int, default=200, help="requests per API endpoint")
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    for n in (int(s) for s in args.sizes.split(",") if s):
        if "throughput" in only:
            scale(n, [int(p) for p in args.processes.split(",")], args.seconds)
        if only & {"sparql", "api"}:
            compare(n, only, args.repeat, args.requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
