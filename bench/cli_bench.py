"""The CLI beside a running service: what a snapshot costs (``service.running``).

For each size (the seed graph, then the seed plus synthetic triples) it times, as a user runs them
(real processes, medians of ``--runs``):

- ``stats --json`` and ``export --format nt`` on the store directly (no service): the peer;
- the same commands while ``knooppunt serve`` holds the store (they read a snapshot);
- the snapshot request alone (``POST /api/admin/snapshot``) and the bytes it adds on disk
  (RocksDB hard-links its files on the same file system, so little should be copied).

Usage: ``python -m bench.cli_bench --triples 100000 --runs 3``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KNOOPPUNT = [str(Path(sys.executable).with_name("knooppunt"))]


def timed(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(KNOOPPUNT + args, env=env, check=True, capture_output=True, timeout=1800)
    return time.perf_counter() - started


def median(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def disk_bytes(path: Path) -> tuple[int, int]:
    """(bytes of files only here, bytes of files shared by hard links with the store)."""
    own = shared = 0
    for f in path.rglob("*"):
        if f.is_file():
            st = f.stat()
            if st.st_nlink > 1:
                shared += st.st_size
            else:
                own += st.st_size
    return own, shared


def measure(store: Path, runs: int) -> dict:
    env = os.environ | {"KNOOPPUNT_STORE": str(store)}
    commands = {"stats": ["stats", "--json"], "export-nt": ["export", "--format", "nt"]}
    triples = json.loads(subprocess.run(KNOOPPUNT + ["stats", "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)["triples"]
    direct = {name: median(lambda a=args: timed(a, env), runs) for name, args in commands.items()}
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(KNOOPPUNT + ["serve", "--port", str(port), "--log-level", "warning"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not (store / "serve.json").exists():
            if time.time() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.2)
        info = json.loads((store / "serve.json").read_text())
        beside = {name: median(lambda a=args: timed(a, env), runs) for name, args in commands.items()}
        headers = {"Authorization": f"Bearer {info['secret']}"}
        snaps, sizes = [], []
        for _ in range(runs):
            started = time.perf_counter()
            path = Path(httpx.post(info["url"] + "/api/admin/snapshot", headers=headers, timeout=600).json()["path"])
            snaps.append(time.perf_counter() - started)
            sizes.append(disk_bytes(path))
            shutil.rmtree(path)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return {"triples": triples, "direct": direct, "beside": beside,
            "snapshot_s": statistics.median(snaps), "snapshot_bytes": sizes[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic triples added for the second size")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from bench.generate import write

    with tempfile.TemporaryDirectory(prefix="kp-cli-bench-") as tmp:
        store = Path(tmp) / "store"
        env = os.environ | {"KNOOPPUNT_STORE": str(store)}
        results = [measure(store, args.runs)]
        if args.triples:
            data = Path(tmp) / "syn.nt"
            write(str(data), args.triples)
            subprocess.run(KNOOPPUNT + ["load", str(data), "--graph", "synthetic", "--quiet"], env=env,
                           check=True, capture_output=True)
            results.append(measure(store, args.runs))
    print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores; medians of {args.runs} runs")
    print(f"{'triples':>9} {'command':<10} {'direct s':>9} {'beside s':>9} {'ratio':>6}")
    for r in results:
        for name in r["direct"]:
            d, b = r["direct"][name], r["beside"][name]
            print(f"{r['triples']:>9} {name:<10} {d:>9.2f} {b:>9.2f} {b / d:>6.2f}")
        own, shared = r["snapshot_bytes"]
        print(f"{r['triples']:>9} snapshot   {r['snapshot_s']:>9.3f} s; copied {own / 1e6:.1f} MB, "
              f"hard-linked {shared / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
