"""p50/p99 of every kind of web page at the seed size, 100k and 1M triples, over HTTP against a
real ``knooppunt serve`` (uvicorn), warm.

    python -m bench.page_bench                                  # seed, 100k and 1M
    python -m bench.page_bench --sizes seed,100000 --rounds 20
    python -m bench.page_bench --code /tmp/knooppunt-main       # the same pages served by other code

``--code DIR`` serves the pages from another checkout of the repository (for example ``git archive
main | tar -x -C DIR``), with this environment's packages, so one run can print the figures of
``main`` ("before") next to this branch ("after") on the same stores.

Each page type has a few URLs: seed resources (present at every size) and, on synthetic stores,
the busiest and a quiet synthetic resource of that kind (the biggest hub ``syn-knooppunt-0``, the
most used theme ``syn-thema-0``, ...), so a figure is not only the easy case. Every URL is fetched
once untimed (warm-up: caches, first-use indexes), then ``--rounds`` times by ``--clients``
concurrent clients, each on its own keep-alive connection. A URL that answers 404 on the code
under test (a page type that code does not have) is shown as ``-``. Goal at 1M (issue 16):
p50 <= 100 ms and p99 <= 300 ms for every page type. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from .common import ensure_store, percentile, process_rss_mb, serve, table
from .generate import iri, plan

BASE = "https://w3id.org/knooppunt"
GOAL = (100.0, 300.0)


def _syn(kind: str, slug: str) -> str:
    return iri(kind, slug).value[len(BASE):]


def pages_for(n: int) -> dict[str, list[str]]:
    """Page type -> URLs (paths) to fetch on a store with ``n`` synthetic triples (0 = seed only)."""
    theme = "/id/thema/proactieve-zorgplanning"
    pages: dict[str, list[str]] = {
        "home": ["/", "/?lang=en"],
        "hubs list": ["/onderwijsknooppunten"],
        "projects list": ["/projecten", "/projecten?pagina=2"],
        "projects filtered": ["/projecten?thema=proactieve-zorgplanning", "/projecten?niveau=mbo&thema=communicatie"],
        "materials list": ["/materialen", "/materialen?competentie=canmeds/communicator&niveau=mbo"],
        "organisations list": ["/organisaties"],
        "people list": ["/mensen"],
        "needs list": ["/behoeften"],
        "themes": ["/themas"],
        "competencies": ["/competenties"],
        "hub page": ["/id/organisatie/okp-noord-holland-flevoland"],
        "organisation page": ["/id/organisatie/amsterdam-umc"],
        "project page": ["/id/project/dedicated"],
        "person page": ["/id/persoon/marcella-tam"],
        "material page": ["/id/materiaal/lastmeter"],
        "theme page": [theme],
        "competency page": ["/id/canmeds/communicator"],
        "action plan page": ["/id/actieplan/okp-noord-holland-flevoland-2021"],
        "search": ["/zoeken?q=proactieve", "/zoeken?q=zorg"],
        "explorer": ["/verkenner", "/verkenner?focus=" + quote(BASE + theme, safe="")],
        "initiative form": ["/initiatief"],
        "sparql page": ["/sparql"],
        "not found": ["/id/thema/bestaat-niet"],
    }
    if n:
        p = plan(n)
        hub, theme0, leaf = _syn("organisatie", "knooppunt-0"), _syn("thema", "thema-0"), _syn("thema", f"thema-{p.themes - 1}")
        pages["projects list"] += ["/projecten?pagina=40"]
        pages["projects filtered"] += ["/projecten?thema=syn-thema-0", "/projecten?thema=syn-thema-3&niveau=syn-niveau-1"]
        pages["materials list"] += ["/materialen?thema=syn-thema-0"]
        pages["organisation page"] += [hub, _syn("organisatie", f"zorg-{p.care - 1}")]
        pages["project page"] += [_syn("project", "project-3"), _syn("project", f"project-{p.projects - 1}")]
        pages["person page"] += [_syn("persoon", "persoon-0")]
        pages["material page"] += [_syn("materiaal", "materiaal-0")]
        pages["theme page"] += [theme0, leaf]
        pages["competency page"] += [_syn("canmeds", "canmeds-0"), _syn("competentie", "competentie-0")]
        pages["search"] += ["/zoeken?q=project"]
        pages["explorer"] += ["/verkenner?focus=" + quote(BASE + hub, safe="")]
    return pages


def run(url: str, paths: list[str], rounds: int, clients: int) -> tuple[list[float], dict[int, int]]:
    """Fetch every path ``rounds`` times over ``clients`` threads; latencies (ms) and status counts."""
    queue = [p for _ in range(rounds) for p in paths]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                start = time.perf_counter()
                response = client.get(path, headers={"Accept": "text/html"})
                elapsed = (time.perf_counter() - start) * 1e3
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def _code_command(code: Path) -> list[str]:
    """``knooppunt`` from the checkout ``code`` (its ``graph``/``service`` as ``knooppunt``), run
    by this interpreter: a package directory whose ``__path__`` is the checkout, as an editable
    install makes it, put first on the path."""
    shim = Path(os.environ.get("TMPDIR", "/tmp")) / f"knooppunt-shim-{abs(hash(str(code.resolve())))}"
    (shim / "knooppunt").mkdir(parents=True, exist_ok=True)
    (shim / "knooppunt" / "__init__.py").write_text(
        f"__path__ = [{str(code.resolve())!r}]\nfrom .graph import __version__  # noqa: E402,F401\n"
    )
    boot = f"import sys; sys.path.insert(0, {str(shim)!r}); from knooppunt.service.cli import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", boot]


def bench_size(size: str, rounds: int, clients: int, command: list[str] | None) -> dict:
    n = 0 if size == "seed" else int(size)
    store = "memory" if n == 0 else ensure_store(n)
    started = time.perf_counter()
    rows: dict[str, dict] = {}
    with serve(store, timeout=1800, command=command) as server:
        ready = time.perf_counter() - started
        facets = httpx.get(server.url + "/api/stats/projection", timeout=120).json().get("facets")
        rss = process_rss_mb(server.pid)
        for kind, paths in pages_for(n).items():
            run(server.url, paths, 1, 1)  # warm-up
            latencies, statuses = run(server.url, paths, rounds, clients)
            rows[kind] = {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "n": len(latencies), "statuses": statuses, "urls": len(paths)}
    return {"size": size, "ready_s": ready, "rows": rows, "facets": facets, "rss_mb": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,100000,1000000", help="comma-separated: seed and/or triple counts")
    parser.add_argument("--rounds", type=int, default=10, help="timed fetches of each URL")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients")
    parser.add_argument("--code", type=Path, help="serve from this checkout instead of the installed package")
    args = parser.parse_args(argv)
    command = _code_command(args.code) if args.code else None
    load = os.getloadavg()
    print(f"code: {args.code or 'installed package'}; {args.clients} clients, {args.rounds} rounds per URL; load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for size in [s for s in args.sizes.split(",") if s]:
        res = bench_size(size, args.rounds, args.clients, command)
        print(f"\n== {size if size == 'seed' else f'{int(size):,} synthetic triples (+ seed)'}: server ready after {res['ready_s']:.1f} s, RSS {res['rss_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f}")
        if res["facets"]:  # code without the facet index (main) has none
            f = res["facets"]
            items = ", ".join(f"{name} {v['items']:,}" for name, v in f.items() if isinstance(v, dict))
            print(f"facet index: {items} items; built in {f['build_seconds']:.1f} s, +{f.get('build_rss_bytes', 0) / 2**20:.0f} MB RSS")
        rows = []
        for kind, r in res["rows"].items():
            ok = sum(c for s, c in r["statuses"].items() if s < 400 or (kind == "not found" and s == 404))
            if not ok:
                rows.append([kind, "-", "-", str(r["urls"]), " ".join(f"{s}x{c}" for s, c in sorted(r["statuses"].items())), ""])
                continue
            goal = ""
            if size != "seed" and int(size) >= 1_000_000:
                goal = "met" if r["p50"] <= GOAL[0] and r["p99"] <= GOAL[1] else "MISSED"
            status = " ".join(f"{s}x{c}" for s, c in sorted(r["statuses"].items()))
            rows.append([kind, f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(r["urls"]), status, goal])
        print(table(rows, ["page type", "p50 ms", "p99 ms", "URLs", "statuses", "goal (1M)"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
