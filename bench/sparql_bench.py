"""SPARQL endpoint latency over HTTP next to a plain rdflib in-memory Graph, at ~100k and ~1M
synthetic triples, and throughput of a cheap query with 8 concurrent clients.

    python -m bench.sparql_bench                         # 100k and 1M
    python -m bench.sparql_bench --sizes 100000 --repeat 30

The endpoint is a real ``knooppunt serve`` (uvicorn, on-disk store from ``bench.common``) with
queries in its worker processes; every query goes over HTTP (JSON results, keep-alive). rdflib
runs the same query text on a ``Graph`` holding the same synthetic triples, in this process; at
1M its repetitions are capped (``--rdflib-budget`` seconds per query). Goals at 1M (issue 3):
ranking and aggregate queries >= 40x faster than rdflib (p50 <= 50 ms, p99 <= 200 ms), selective
queries p50 <= 5 ms and p99 <= 20 ms, >= 200 requests/s for the cheap query. Prints a table; not
a test.
"""

from __future__ import annotations

import argparse
import shutil
import threading
import time
from pathlib import Path

import httpx
from knooppunt.graph.namespaces import sparql_prefixes

from .common import copy_store, ensure_dataset, ensure_store, percentile, serve, table
from .generate import TOP_THEME, iri, plan

CLIENTS = 8


def queries(n: int) -> dict[str, tuple[str, list[str]]]:
    """name -> (kind, query texts to rotate through). A benchmark is a client: it writes IRIs
    into its query text like any client does."""
    p = plan(n)
    projects = [iri("project", f"project-{i}").value for i in (3, p.projects // 2, p.projects - 1)]
    competencies = [iri("competentie", f"competentie-{i}").value for i in (0, 1, 5)]
    themes = [iri("thema", TOP_THEME).value, iri("thema", "thema-1").value]
    related = (
        "SELECT ?other (COUNT(DISTINCT ?shared) AS ?score) WHERE {{ "
        "{{ <{p}> kp:addressesTheme ?shared . ?other kp:addressesTheme ?shared }} UNION "
        "{{ <{p}> kp:involvedOrganisation|kp:leadOrganisation|kp:partnerOrganisation ?shared . "
        "?other kp:involvedOrganisation|kp:leadOrganisation|kp:partnerOrganisation ?shared }} "
        "FILTER(?other != <{p}>) }} GROUP BY ?other ORDER BY DESC(?score) ?other LIMIT 20"
    )
    return {
        "IRI lookup": ("selective", [f"SELECT ?p ?o WHERE {{ <{x}> ?p ?o }}" for x in projects]),
        "2-hop people on projects": ("selective", [
            "SELECT DISTINCT ?person WHERE { ?m org:member ?person ; kp:project ?project . "
            f"?project kp:addressesCompetency <{c}> }}" for c in competencies]),
        "GROUP BY related projects": ("ranking", [related.format(p=x) for x in projects]),
        "text FILTER on labels": ("ranking", [
            'SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = "nl" && '
            f'CONTAINS(LCASE(STR(?label)), "{w}")) }} LIMIT 50' for w in ("eën", "zorgpal")]),
        "skos:broader* path": ("ranking", [
            f"SELECT ?m WHERE {{ ?t skos:broader* <{t}> . ?m kp:addressesTheme ?t }} LIMIT 100" for t in themes]),
        "COUNT by class": ("ranking", ["SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"]),
    }


def time_http(client: httpx.Client, texts: list[str], repeat: int) -> list[float]:
    prefix = sparql_prefixes()
    for text in texts:  # warm up: workers started, pages cached
        r = client.post("/sparql", data={"query": prefix + text}, headers={"Accept": "application/sparql-results+json"})
        r.raise_for_status()
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        r = client.post("/sparql", data={"query": prefix + texts[i % len(texts)]},
                        headers={"Accept": "application/sparql-results+json"})
        r.raise_for_status()
        samples.append(time.perf_counter() - start)
    return samples


def time_rdflib(graph, texts: list[str], repeat: int, budget: float) -> list[float]:
    prefix = sparql_prefixes()
    samples: list[float] = []
    spent = 0.0
    for i in range(repeat):
        start = time.perf_counter()
        list(graph.query(prefix + texts[i % len(texts)]))
        took = time.perf_counter() - start
        samples.append(took)
        spent += took
        if spent > budget and len(samples) >= 1:
            break
    return samples


def throughput(url: str, text: str, seconds: float = 5.0) -> float:
    prefix = sparql_prefixes()
    counts = [0] * CLIENTS
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < stop:
                c.post("/sparql", data={"query": prefix + text}).raise_for_status()
                counts[k] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def bench(n: int, repeat: int, rdflib_repeat: int, rdflib_budget: float) -> None:
    store = ensure_store(n)
    copied = None
    if (store / "LOCK").exists():  # another benchmark's server may hold the shared store open
        import fcntl
        import tempfile

        with open(store / "LOCK", "a") as lock:
            try:
                fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(lock, fcntl.LOCK_UN)
            except OSError:
                copied = Path(tempfile.mkdtemp(prefix="sparql-bench-"))
                store = copy_store(n, copied / "store")
    try:
        _bench(n, store, repeat, rdflib_repeat, rdflib_budget)
    finally:
        if copied is not None:
            shutil.rmtree(copied, ignore_errors=True)


def _bench(n: int, store: Path, repeat: int, rdflib_repeat: int, rdflib_budget: float) -> None:
    import rdflib

    qs = queries(n)
    http_results: dict[str, list[float]] = {}
    with serve(store, extra_args=["--query-timeout", "60", "--max-concurrent-queries", str(CLIENTS)]) as server:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for name, (_, texts) in qs.items():
                http_results[name] = time_http(client, texts, repeat)
        cheap = qs["IRI lookup"][1][0]
        rate = throughput(server.url, cheap)
    print(f"\n== {n:,} synthetic triples: loading rdflib Graph ...", flush=True)
    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(str(ensure_dataset(n)), format="nt")
    print(f"   rdflib parsed {len(graph):,} triples in {time.perf_counter() - start:.1f} s", flush=True)
    rows = []
    for name, (kind, texts) in qs.items():
        rd = time_rdflib(graph, texts, rdflib_repeat, rdflib_budget)
        ep = http_results[name]
        ep50, ep99 = percentile(ep, 50) * 1e3, percentile(ep, 99) * 1e3
        rd50, rd99 = percentile(rd, 50) * 1e3, percentile(rd, 99) * 1e3
        rows.append([name, kind, f"{ep50:.1f}", f"{ep99:.1f}", f"{rd50:.1f}", f"{rd99:.1f}",
                     f"{len(rd)}", f"{rd50 / ep50:.0f}x" if ep50 > 0 else "-"])
    print(table(rows, ["query", "kind", "http p50 ms", "http p99 ms", "rdflib p50 ms", "rdflib p99 ms",
                       "rdflib n", "rdflib/http"]))
    print(f"throughput, cheap query (IRI lookup), {CLIENTS} clients over HTTP: {rate:,.0f} requests/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=50, help="HTTP samples per query")
    parser.add_argument("--rdflib-repeat", type=int, default=10, help="most rdflib samples per query")
    parser.add_argument("--rdflib-budget", type=float, default=20.0, help="seconds of rdflib time per query")
    args = parser.parse_args(argv)
    for n in args.sizes:
        bench(n, args.repeat, args.rdflib_repeat, args.rdflib_budget)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
