"""Where the time of a SPARQL query goes, stage by stage, for the nine queries of
``bench.peer_bench``: reading the text (form, dataset), the engine, writing the results, the
hand-off to a worker process, and HTTP.

    python -m bench.stage_bench                          # 100k and 1M
    python -m bench.stage_bench --sizes 100000 --rounds 30
    /other/checkout/.venv/bin/python -m bench.stage_bench  # the same stages in another version

Every stage is timed in the same round, one after the other, so load from other processes falls
on all of them alike. Each figure is the *fastest* of ``--rounds`` rounds (ms): on a shared
machine the median of a stage swings with the load, and the difference of two medians can even
come out negative; the fastest round is what the stage costs when nothing else gets in the way.

- **text**: ``query_shape`` and ``resolve_dataset``: what the server reads from the query text
  before a worker sees it (uncached);
- **engine**: ``Store.query`` on a read-only store, its solutions written by the engine into a
  sink that keeps nothing (TSV, the cheapest format): the evaluation itself;
- **write**: ``graph.sparql.results.render`` (JSON) minus the engine: what this version adds to
  turn solutions into the answer's bytes (the engine's serialiser and the row cap where the
  version has them, Python rows otherwise); **py-write**, the same for the Python path (rows as
  Python terms, ``render_bindings``), for comparison;
- **hand-off**: ``WorkerPool.run`` minus the same work done in-process (``execute``): sending the
  task, the worker's wake-up, sending the answer back;
- **HTTP**: a POST to a live ``knooppunt serve`` minus ``WorkerPool.run``: uvicorn, middleware,
  routing, request parsing, response; **oxigraph** is the whole request to the Oxigraph server
  on the same file, for reference.

Run with another checkout's interpreter (it imports ``knooppunt`` from there), it measures that
version: the "before" column of bench/README.md. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from .common import copy_store, serve, table
from .peer_bench import JSON, PREFIXES, _binary, _start, members, oxigraph_store, queries


def _ms(samples: list[float]) -> float:
    return min(samples) * 1e3


def bench(n: int, rounds: int) -> None:
    from knooppunt.graph.sparql import results as results_module
    from knooppunt.graph.sparql import sandbox
    from knooppunt.graph.sparql.results import QueryRequest, render
    from knooppunt.graph.sparql.text import query_shape, resolve_dataset
    from pyoxigraph import Store as OxStore

    execute = getattr(sandbox, "execute", None)
    if execute is None:
        from knooppunt.graph.sparql.worker import execute
    work = Path(tempfile.mkdtemp(prefix="stage-bench-"))
    try:
        path = copy_store(n, work / "store")
        with serve(path, timeout=900) as server, _start(
                "oxigraph", [_binary("oxigraph"), "serve-read-only", "--location", str(oxigraph_store(n)),
                             "--bind", "127.0.0.1:{port}"], "/query", 300) as ox:
            httpx.get(server.url + "/api/stats/projection", timeout=900)  # views ready: a quiet server
            endpoint = server.url + "/sparql"
            qs = queries(n, members(endpoint, n))
            ro = OxStore.read_only(str(path / "public"))
            rows = asyncio.run(_measure(n, rounds, qs, ro, path, endpoint, ox.url, QueryRequest, render,
                                        execute, query_shape, resolve_dataset, sandbox, results_module))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{n:,} triples: stages of a query, fastest of {rounds} interleaved rounds, ms")
    print(table(rows, ["query", "text", "engine", "write", "py-write", "hand-off", "HTTP", "total",
                       "oxigraph"]))


async def _measure(n, rounds, qs, ro, path, endpoint, ox_url, QueryRequest, render, execute, query_shape,
                   resolve_dataset, sandbox, results_module) -> list[list[str]]:
    class _Pool:  # what a WorkerPool needs of a store: where the public graphs are, a generation
        def __init__(self, where: Path) -> None:
            self.path, self.generation = where, 0

    pool = sandbox.WorkerPool(_Pool(path / "public"), 60, 1)
    run = pool.run

    async def pool_run(task):
        result = run(task)
        return await result if inspect.isawaitable(result) else result

    public = [g.value for g in ro.named_graphs()]
    out = []
    stages: dict[str, dict[str, list[float]]] = {q: {k: [] for k in ("text", "engine", "render", "py", "pool",
                                                                      "inproc", "http", "ox")} for q in qs}
    with httpx.Client(timeout=600) as client:
        for r in range(rounds + 2):  # two warm-up rounds
            for name, texts in qs.items():
                text = PREFIXES + texts[r % len(texts)]
                s = stages[name]
                t = time.perf_counter()
                shape = query_shape(text, endpoint)
                default, named = resolve_dataset(public, [], [], shape)
                took_text = time.perf_counter() - t
                task = QueryRequest(query=text, default_graphs=default, named_graphs=named, results_format="json",
                                    graph_format=None, label_graphs=public, base_iri=endpoint, row_cap=10_000,
                                    public_union=True)
                t = time.perf_counter()
                _engine_only(ro.query(text, base_iri=endpoint, use_default_graph_as_union=True))
                took_engine = time.perf_counter() - t
                t = time.perf_counter()
                render(ro.query(text, base_iri=endpoint, use_default_graph_as_union=True), task, None)
                took_render = time.perf_counter() - t
                t = time.perf_counter()
                _python_render(results_module, ro.query(text, base_iri=endpoint, use_default_graph_as_union=True), task)
                took_py = time.perf_counter() - t
                t = time.perf_counter()
                execute(ro, task, True)
                took_inproc = time.perf_counter() - t
                t = time.perf_counter()
                await pool_run(task)
                took_pool = time.perf_counter() - t
                t = time.perf_counter()
                client.post(endpoint, data={"query": text}, headers={"Accept": JSON}).raise_for_status()
                took_http = time.perf_counter() - t
                t = time.perf_counter()
                client.post(ox_url, data={"query": text}, headers={"Accept": JSON}).raise_for_status()
                took_ox = time.perf_counter() - t
                if r >= 2:
                    for k, v in (("text", took_text), ("engine", took_engine), ("render", took_render), ("py", took_py),
                                 ("inproc", took_inproc), ("pool", took_pool), ("http", took_http), ("ox", took_ox)):
                        s[k].append(v)
    pool.close()
    for name, s in stages.items():
        engine = _ms(s["engine"])
        out.append([name, f"{_ms(s['text']):.3f}", f"{engine:.2f}", f"{_ms(s['render']) - engine:.2f}",
                    f"{_ms(s['py']) - engine:.2f}", f"{_ms(s['pool']) - _ms(s['inproc']):.2f}",
                    f"{_ms(s['http']) - _ms(s['pool']):.2f}", f"{_ms(s['http']):.2f}", f"{_ms(s['ox']):.2f}"])
    return out


class _Nowhere:
    """A binary file that keeps nothing."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


def _engine_only(result) -> None:
    from pyoxigraph import QueryResultsFormat, QuerySolutions

    if isinstance(result, QuerySolutions):
        result.serialize(_Nowhere(), QueryResultsFormat.TSV)


def _python_render(results_module, result, task) -> bytes:
    """The rows made into Python terms and written by ``render_bindings`` (the path ``labels=``
    takes), whatever ``render`` does in this version."""
    variables = [v.value for v in result.variables]
    rows = [[solution[v] for v in variables] for solution in result]
    return results_module.render_bindings(variables, rows[: task.row_cap], "json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stage_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    for n in args.sizes:
        bench(n, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
