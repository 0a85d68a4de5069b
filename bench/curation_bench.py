"""Curation: what the duplicate check adds to a write, and what proposals and the curation views cost,
in stores of ~10k, 100k and 1M triples.

For each size, on a private copy of the cached synthetic store (``bench.common.copy_store``), with
the search index built once (as the service has it):

- *index*: building the ``SearchIndex`` the check reads (once; the service builds it at start-up);
- *check*: ``graph.curation.duplicates.Checker`` on the ~100-quad change of ``bench.write_bench``
  (a project, two materials, two people, memberships: seven new names), p50/p99;
- *import* and *import+check*: the whole import write (``ingest.import_quads``) without and with
  the check, each run a new project in its own graph, p50/p99 and the ratio;
- *propose* and *approve*: a proposal kept in the ``proposals`` graph, and its approval (form
  values to triples, one validated write with provenance and the proposal's new status), p50/p99;
- *warnings*: the "what is missing" view of resources with Warnings: built once (pyshacl over the
  whole public store; at 1M only with ``--full-1m``, ~50 s), then read again after each import of
  the ~100-quad change (the view validates what the write touched), p50/p99.

Usage: ``python -m bench.curation_bench [--sizes 10000,100000,1000000] [--repeat 20] [--full-1m]``.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from knooppunt.graph.analysis.search import SearchIndex
from knooppunt.graph.curation import duplicates, missing, proposals
from knooppunt.graph.settings import from_env
from knooppunt.graph.store import open_store
from knooppunt.graph.writes import ingest
from knooppunt.graph.writes.delta import Delta

from .common import SIZES, copy_store, summary, table, timed
from .generate import iri
from .write_bench import change


def measure(n: int, repeat: int, *, full: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="knooppunt-curation-bench-") as tmp:
        path = copy_store(n, Path(tmp) / "store")
        store = open_store(from_env(store=str(path)), seed=False)
        size = store.count()
        started = time.perf_counter()
        index = SearchIndex(store)
        index.ensure()
        built = time.perf_counter() - started
        check = duplicates.Checker(store, index)
        counter = itertools.count()
        _, quads = change(store, 10_000)
        delta = Delta(added=quads)
        r = {"size": size, "index": built, "check": summary(timed(lambda: check(delta), repeat))}

        def write(with_check: bool):
            g, qs = change(store, next(counter))
            ingest.import_quads(store, qs, g, agent="bench", scope="editor", source="bench",
                                duplicates=check if with_check else None)

        r["import"] = summary(timed(lambda: write(False), repeat))
        r["import_check"] = summary(timed(lambda: write(True), repeat))
        theme = iri("thema", "thema-0").value

        def propose() -> str:
            i = next(counter)
            return proposals.propose(store, "initiatief", {
                "label": f"Benchinitiatief {i}", "themes": [theme], "source": [f"https://example.org/{i}"]}).id

        r["propose"] = summary(timed(propose, repeat))
        waiting = [propose() for _ in range(repeat + 2)]
        r["approve"] = summary(timed(
            lambda: proposals.approve(store, waiting.pop(), editor="bench", scope="editor", checker=check), repeat))
        if full:
            view = missing.Missing(store)
            started = time.perf_counter()
            rows = view.warnings()
            r["warnings"] = (time.perf_counter() - started, len(rows))

            def write_then_read():
                write(False)
                started = time.perf_counter()
                view.warnings()
                return time.perf_counter() - started

            r["warnings_after"] = summary([write_then_read() for _ in range(repeat)])
        else:
            r["warnings"] = r["warnings_after"] = None
        store.close()
        return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.curation_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--full-1m", action="store_true", help="also compute the Warnings view at 1M (~50 s)")
    args = parser.parse_args(argv)
    rows, results = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(n, args.repeat, full=n < 1_000_000 or args.full_1m)
        results.append(r)

        def pp(key: str, r: dict = r) -> str:
            return f"{r[key]['p50']:.1f} / {r[key]['p99']:.1f} ({r[key]['min']:.1f})"

        rows.append([
            f"{r['size']:,}", f"{r['index']:.2f} s", pp("check"), pp("import"), pp("import_check"),
            f"{r['import_check']['p50'] / r['import']['p50']:.2f}x", pp("propose"), pp("approve"),
            f"{r['warnings'][0]:.2f} s ({r['warnings'][1]} resources)" if r["warnings"] else "(--full-1m)",
            pp("warnings_after") if r["warnings_after"] else "-",
        ])
        print(f"{n:,}: done", flush=True)
    print(table(rows, ["store triples", "index build", "check p50/p99", "import p50/p99", "import+check p50/p99",
                       "check/plain", "propose p50/p99", "approve p50/p99", "warnings view built",
                       "after a write p50/p99"]))
    print("(milliseconds: p50 / p99 (min), a ~100-quad change with seven new names; the minimum is the cost\n"
          " with the CPU to ourselves, p50 and p99 include waiting for it on a shared machine.)")
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratios = ", ".join(f"{name} {last[key]['p50'] / first[key]['p50']:.2f}x" for key, name in (
            ("check", "check"), ("import_check", "import+check"), ("approve", "approve")))
        print(f"p50 at {last['size']:,} vs {first['size']:,}: {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
