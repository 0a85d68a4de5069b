"""One connections request in-process: p50/p99 of ``Knowledge.connect`` at a synthetic size,
without HTTP, one request at a time (the figure issue 11 sets a goal for: p50 <= 20 ms at 1M).

    python -m bench.connections_bench                  # 1M
    python -m bench.connections_bench --sizes 100000 --requests 300

The bodies are those of ``bench.api_bench`` (1-2 themes, often hub themes, a competency, a level
and a region), once as the form sends them and once with a Dutch description added (text
analysis included). Parameters are resolved as the API resolves them, outside the timed call.
Besides wall time it prints the thread's CPU time per request: on a shared machine wall time grows
with the load, CPU time much less. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from .api_bench import connection_body, picker
from .common import ensure_store, percentile, table
from .generate import plan

DESCRIPTIONS = [
    "Scholing voor verzorgenden in het verpleeghuis over proactieve zorgplanning bij mensen met dementie, in Limburg.",
    "Een gezamenlijke lessenreeks palliatieve zorg voor mbo-studenten verzorgende IG en verpleegkunde in leerjaar 2 (BBL).",
    "Wij willen wijkverpleegkundigen en huisartsen in de thuiszorg scholen in het tijdig herkennen van palliatieve zorgbehoeften bij hartfalen.",
]


def bench_size(n: int, count: int) -> dict:
    from knooppunt.graph.analysis.connections import Initiative
    from knooppunt.graph.analysis.knowledge import Knowledge
    from knooppunt.graph.settings import from_env
    from knooppunt.graph.store import open_store

    store = open_store(from_env(store=str(ensure_store(n))), seed=False)
    kb = Knowledge(store)
    started = time.perf_counter()
    kb.warm()
    warm = time.perf_counter() - started
    rnd = random.Random(n)
    p, pick = plan(n), picker(rnd)
    rows = {}
    for variant in ("form", "text"):
        initiatives = []
        for i in range(count):
            body = connection_body(p, pick, rnd)
            initiatives.append(
                Initiative(
                    title=body["title"],
                    description=DESCRIPTIONS[i % len(DESCRIPTIONS)] if variant == "text" else "",
                    themes=body["themes"], competencies=body["competencies"], levels=body["levels"], region=body["region"],
                )
            )
        for ini in initiatives[: max(8, count // 10)]:  # warm-up: first-use memos
            kb.connect(ini)
        samples, cpu = [], []
        for ini in initiatives:
            start, start_cpu = time.perf_counter(), time.thread_time()
            kb.connect(ini)
            samples.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.thread_time() - start_cpu) * 1e3)
        rows[variant] = {"p50": percentile(samples, 50), "p99": percentile(samples, 99), "cpu50": percentile(cpu, 50), "cpu99": percentile(cpu, 99), "n": len(samples)}
    store.close()
    return {"n": n, "warm_s": warm, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    for size in (int(s) for s in args.sizes.split(",") if s):
        res = bench_size(size, args.requests)
        print(f"\n== {size:,} synthetic triples (+ seed): projection and index built in {res['warm_s']:.1f} s; "
              f"load average before {load[0]:.1f}, after {os.getloadavg()[0]:.1f}")
        rows = [[v, f"{r['p50']:.1f}", f"{r['p99']:.1f}", f"{r['cpu50']:.1f}", f"{r['cpu99']:.1f}", str(r["n"]), "met" if r["p50"] <= 20 else "MISSED"] for v, r in res["rows"].items()]
        print(table(rows, ["bodies", "p50 ms", "p99 ms", "CPU p50 ms", "CPU p99 ms", "requests", "goal p50<=20 (1M)"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
