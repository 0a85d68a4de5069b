"""p50/p99 of each /api endpoint at 100k and 1M synthetic triples, 8 concurrent clients over HTTP
against a real ``knooppunt serve`` (uvicorn), plus the projection's build time and memory.

    python -m bench.api_bench                       # 100k and 1M
    python -m bench.api_bench --sizes 100000 --requests 200
    python -m bench.api_bench --sizes 1000000 --endpoints connections
    python -m bench.api_bench --only restart                  # start-up times only
    python -m bench.api_bench --knooppunt /other/checkout/.venv/bin/knooppunt   # "before" figures

Requests vary their parameters (hub and leaf themes, many projects and organisations) so the
figures are not only cache hits; each endpoint gets ``--requests`` requests spread over 8 client
threads, each with its own keep-alive connection. Goals at 1M (issue 4): search and people
p50 <= 10 ms, p99 <= 50 ms; related p99 <= 100 ms; connections p99 <= 300 ms.

Restart: the server is started, asked once, and stopped (SIGTERM, as a service manager does);
then started again on the same store, and the time from starting the process to the first
``/health`` answer and to the first answer of ``/api/search`` is measured (both polled every
20 ms). Goals at 1M (issue 13): ``/health`` <= 2 s, first API answer <= 5 s. Prints tables; not a
test.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from .common import ensure_store, percentile, process_rss_mb, serve, start_server, table
from .generate import iri, plan

CLIENTS = 8
GOALS = {"search": (10, 50), "people": (10, 50), "related": (None, 100), "connections": (None, 300)}


def picker(rnd: random.Random) -> Callable[..., str]:
    """``pick(kind, slug, top, skew=True)``: the IRI of a synthetic resource, popular ones (low
    indices) far more often than rare ones unless ``skew`` is False."""

    def pick(kind: str, slug: str, top: int, skew: bool = True) -> str:
        i = min(int(rnd.paretovariate(1.2)) - 1, top - 1) if skew else rnd.randrange(top)
        return iri(kind, f"{slug}-{i}").value

    return pick


def connection_body(p: Any, pick: Callable[..., str], rnd: random.Random) -> dict[str, Any]:
    """One ``POST /api/connections`` body: 1-2 themes (hub themes often), a competency, a level
    and a region (shared by this benchmark and ``bench.connections_bench``)."""
    return {
        "title": "Nieuw initiatief",
        "themes": [pick("thema", "thema", p.themes) for _ in range(rnd.randint(1, 2))],
        "competencies": [pick("competentie", "competentie", p.competencies)],
        "levels": [iri("niveau", f"niveau-{rnd.randrange(11)}").value],
        "region": iri("regio", f"regio-{rnd.randrange(19)}").value,
    }


def requests_for(n: int, count: int, rnd: random.Random) -> dict[str, list[Callable[[httpx.Client], httpx.Response]]]:
    p = plan(n)
    pick = picker(rnd)

    words = ["project", "zorg", "pali", "thema", "syn", "kennis", "onderwijs", "materiaal", "Project 17", "competentie 3", "é", "regio", "netwerk", "knooppunt 0"]
    out: dict[str, list[Callable[[httpx.Client], httpx.Response]]] = {k: [] for k in ("search", "resource", "people", "related", "connections", "path", "coverage", "gaps", "graph")}
    for _ in range(count):
        q = rnd.choice(words) + (str(rnd.randrange(100)) if rnd.random() < 0.3 else "")
        out["search"].append(lambda c, q=q: c.get("/api/search", params={"q": q, "limit": 20}))
        project = pick("project", "project", p.projects, skew=False)
        out["resource"].append(lambda c, x=project: c.get("/api/resource", params={"iri": x}))
        filters = rnd.choice(
            [
                {"theme": pick("thema", "thema", p.themes)},
                {"competency": pick("competentie", "competentie", p.competencies)},
                {"organisation": pick("organisatie", "onderwijs", p.education)},
                {"theme": pick("thema", "thema", p.themes), "role": iri("rol", "rol-0").value},
                {"project": project},
                {"region": iri("regio", f"regio-{rnd.randrange(19)}").value},
            ]
        )
        out["people"].append(lambda c, f=filters: c.get("/api/people", params=f))
        out["related"].append(lambda c, x=project: c.get("/api/projects/related", params={"iri": x, "limit": 10}))
        body = connection_body(p, pick, rnd)
        out["connections"].append(lambda c, b=body: c.post("/api/connections", json=b))
        a, b = pick("organisatie", "zorg", p.care, skew=False), pick("organisatie", "onderwijs", p.education, skew=False)
        out["path"].append(lambda c, a=a, b=b: c.get("/api/path", params={"from": a, "to": b, "max": 3}))
        theme = pick("thema", "thema", p.themes)
        out["coverage"].append(lambda c, t=theme: c.get("/api/competencies/coverage", params={"iri": t}))
        level = iri("niveau", f"niveau-{rnd.randrange(11)}").value
        out["gaps"].append(lambda c, lv=level: c.get("/api/gaps", params={"level": lv}))
        out["graph"].append(lambda c, x=project: c.get("/api/graph", params={"focus": x, "depth": 2}))
    return out


def run(url: str, calls: list[Callable[[httpx.Client], httpx.Response]]) -> tuple[list[float], int]:
    """Run the calls over ``CLIENTS`` threads; latencies in ms and the number of non-2xx."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    queue = list(calls)

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    call = queue.pop()
                start = time.perf_counter()
                response = call(client)
                elapsed = (time.perf_counter() - start) * 1e3
                with lock:
                    latencies.append(elapsed)
                    if response.status_code >= 300:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


RESTART_GOALS = (2.0, 5.0)
FIRST_API = ("/api/search", {"q": "zorg", "limit": 5})


def _first_ok(url: str, path: str, params: dict | None, started: float, deadline: float) -> float:
    """Seconds from ``started`` until ``GET url+path`` first answers 200 (polled every 20 ms)."""
    with httpx.Client(timeout=60) as client:
        while time.perf_counter() < deadline:
            try:
                if client.get(url + path, params=params).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    return float("nan")


def restart_times(n: int, command: list[str] | None = None, timeout: float = 900) -> dict[str, float]:
    """Start, ask, stop (SIGTERM); then time a second start to ``/health`` and the first API answer."""
    store = ensure_store(n)
    first = start_server(store, command=command)
    try:
        started = time.perf_counter()
        cold = _first_ok(first.url, *FIRST_API, started, started + timeout)
    finally:
        first.stop()
    server = start_server(store, command=command)
    try:
        started = time.perf_counter()
        box: dict[str, float] = {}
        poll_health = threading.Thread(target=lambda: box.update(
            health=_first_ok(server.url, "/health", None, started, started + timeout)))
        poll_health.start()
        box["api"] = _first_ok(server.url, *FIRST_API, started, started + timeout)
        poll_health.join()
    finally:
        server.stop()
    return {"first_start_api_s": cold, "health_s": box["health"], "api_s": box["api"]}


def print_restart(n: int, times: dict[str, float]) -> None:
    health, api = times["health_s"], times["api_s"]
    goal = ""
    if n >= 1_000_000:
        ok = health <= RESTART_GOALS[0] and api <= RESTART_GOALS[1]
        goal = f" (goals /health <= {RESTART_GOALS[0]:g} s, API <= {RESTART_GOALS[1]:g} s: {'met' if ok else 'MISSED'})"
    print(f"restart at {n:,}: /health after {health:.2f} s, first API answer ({FIRST_API[0]}) after {api:.2f} s"
          f"{goal}; first start on this store: API after {times['first_start_api_s']:.1f} s")


def bench_size(n: int, count: int, endpoints: set[str] | None = None,
               command: list[str] | None = None) -> dict[str, Any]:
    store = ensure_store(n)
    started = time.perf_counter()
    with serve(store, timeout=900, command=command) as server:
        ready = time.perf_counter() - started
        stats = httpx.get(server.url + "/api/stats/projection", timeout=60).json()
        rss = process_rss_mb(server.pid)
        rows = {}
        for endpoint, calls in requests_for(n, count, random.Random(n)).items():
            if endpoints and endpoint not in endpoints:
                continue
            run(server.url, calls[: max(8, count // 10)])  # warm-up: connections, first-use caches
            latencies, errors = run(server.url, calls)
            rows[endpoint] = {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "n": len(latencies), "errors": errors}
        return {"n": n, "ready_s": ready, "stats": stats, "server_rss_mb": rss, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    parser.add_argument("--endpoints", default="", help="only these, e.g. connections,people (default: all)")
    parser.add_argument("--only", choices=["endpoints", "restart"], help="run one part only")
    parser.add_argument("--knooppunt", nargs="+", help="the knooppunt command to run (another checkout's)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    endpoints = {e.strip() for e in args.endpoints.split(",") if e.strip()} or None
    if args.only != "endpoints" and not endpoints:
        for n in sizes:
            print_restart(n, restart_times(n, args.knooppunt))
    if args.only == "restart":
        return 0
    results = [bench_size(n, args.requests, endpoints, args.knooppunt) for n in sizes]
    for res in results:
        proj, index = res["stats"]["projection"], res["stats"]["search_index"]
        print(f"\n== {res['n']:,} synthetic triples (+ seed) - {CLIENTS} concurrent clients, {args.requests} requests per endpoint")
        print(
            f"projection: {proj['nodes']:,} nodes, {proj['edges']:,} edges, built in {proj['build_seconds']:.2f} s, "
            f"~{proj['approx_bytes'] / 2**20:.0f} MB (sampled), +{proj['build_rss_bytes'] / 2**20:.0f} MB RSS at build; "
            f"search index: {index['resources']:,} resources, {index['build_seconds']:.2f} s, +{index['build_rss_bytes'] / 2**20:.0f} MB RSS; "
            f"server ready after {res['ready_s']:.1f} s, RSS {res['server_rss_mb']:.0f} MB"
        )
        rows = []
        for endpoint, r in res["rows"].items():
            goal = GOALS.get(endpoint)
            goal_text = ""
            if goal and res["n"] >= 1_000_000:
                ok = (goal[0] is None or r["p50"] <= goal[0]) and r["p99"] <= goal[1]
                goal_text = (f"p50<={goal[0]} " if goal[0] else "") + f"p99<={goal[1]} " + ("met" if ok else "MISSED")
            rows.append([endpoint, f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(r["n"]), str(r["errors"]), goal_text])
        print(table(rows, ["endpoint", "p50 ms", "p99 ms", "requests", "errors", "goal (1M)"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
