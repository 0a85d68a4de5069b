"""Helpers shared by the benchmarks: cached datasets and stores, timing, peak memory, a live server.

- :func:`ensure_dataset` ``(n) -> Path``: the synthetic graph of about ``n`` triples as N-Triples
  (or N-Quads) under ``bench/out/`` (gitignored), generated once and reused.
- :func:`ensure_store` ``(n) -> Path``: an on-disk store directory holding the ontology and seed
  data (as ``knooppunt serve`` would load them) plus the synthetic graph in named graph
  ``synthetic``; built once under ``bench/out/``. Treat it as read-only; copy it
  (:func:`copy_store`) before benchmarking writes.
- :func:`timed`, :func:`summary`, :func:`percentile`: wall-clock samples and p50/p99.
- :func:`run_child`: run ``module:function(**kwargs)`` in a fresh Python process and return its
  (JSON) result with that process's peak RSS (``ru_maxrss`` via ``os.wait4``), so each measurement
  has its own memory figure.
- :class:`RssSampler`: peak RSS of this process (or another pid) sampled in a thread (psutil).
- :func:`serve`: a real ``knooppunt serve`` (uvicorn) subprocess on a store, ready once
  ``/health`` answers; a context manager that stops it afterwards.

Building cached files and stores takes a file lock, so benchmarks started at the same time by
different people do not build the same thing twice or read half-written files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .generate import GENERATOR_VERSION, write

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = Path(os.environ.get("KNOOPPUNT_BENCH_OUT", ROOT / "bench" / "out"))
SIZES = (10_000, 100_000, 1_000_000)


# --- cached data --------------------------------------------------------------------------------
@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with open(OUT_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dataset_path(n: int, fmt: str = "nt", seed: int = 1) -> Path:
    return OUT_DIR / f"syn-{n}-s{seed}-v{GENERATOR_VERSION}.{fmt}"


def ensure_dataset(n: int, fmt: str = "nt", seed: int = 1) -> Path:
    """The synthetic graph of about ``n`` triples as a file (``nt``, or ``nq`` in graph
    ``synthetic``), generated on first use."""
    path = dataset_path(n, fmt, seed)
    if path.exists():
        return path
    with _lock(path.name):
        if not path.exists():
            write(path, n, fmt, seed=seed)
    return path


def store_path(n: int, seed: int = 1) -> Path:
    return OUT_DIR / f"store-{n}-s{seed}-v{GENERATOR_VERSION}"


def ensure_store(n: int, seed: int = 1) -> Path:
    """An on-disk store with the ontology, the seed data and the synthetic graph of about ``n``
    triples (named graph ``synthetic``). Built on first use; do not write to it."""
    path = store_path(n, seed)
    done = path / ".complete"
    if done.exists():
        return path
    with _lock(path.name):
        if not done.exists():
            from knooppunt.graph.settings import from_env
            from knooppunt.graph.store import open_store
            from pyoxigraph import RdfFormat

            source = ensure_dataset(n, seed=seed)
            shutil.rmtree(path, ignore_errors=True)
            store = open_store(from_env(store=str(path)))
            store.load(source, RdfFormat.N_TRIPLES, store.graph("synthetic"), bulk=True)
            store.close()
            done.write_text(f"{n} triples, seed {seed}, generator v{GENERATOR_VERSION}\n")
    return path


def copy_store(n: int, target: str | Path, seed: int = 1) -> Path:
    """A private, writable copy of :func:`ensure_store` (for write benchmarks)."""
    target = Path(target)
    shutil.copytree(ensure_store(n, seed), target, ignore=shutil.ignore_patterns(".complete", "LOCK"))
    return target


# --- timing -------------------------------------------------------------------------------------
def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    if not samples:
        return float("nan")
    data = sorted(samples)
    if len(data) == 1:
        return data[0]
    k = (len(data) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def timed(fn: Callable[[], Any], repeat: int = 20, warmup: int = 2) -> list[float]:
    """Seconds per call of ``fn`` over ``repeat`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float], unit: float = 1e3) -> dict[str, float]:
    """p50, p99, mean, min and max of the samples, in milliseconds by default (``unit=1e3``)."""
    return {
        "n": len(samples),
        "p50": percentile(samples, 50) * unit,
        "p99": percentile(samples, 99) * unit,
        "mean": statistics.fmean(samples) * unit if samples else float("nan"),
        "min": min(samples) * unit if samples else float("nan"),
        "max": max(samples) * unit if samples else float("nan"),
    }


def fmt_rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "-"


# --- memory -------------------------------------------------------------------------------------
def _maxrss_mb(rusage) -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    return rusage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run_command(cmd: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
                capture: bool = True) -> tuple[int, str, str, float, float]:
    """Run ``cmd``; returns (exit code, stdout, stderr, wall seconds, peak RSS MB of the child).

    The peak is the child's own ``ru_maxrss`` (from ``os.wait4``); grandchildren are not counted."""
    start = time.perf_counter()
    pipe = subprocess.PIPE if capture else None
    proc = subprocess.Popen(cmd, stdout=pipe, stderr=pipe, env=env, cwd=cwd or ROOT, text=True)
    out_chunks: dict[str, str] = {"out": "", "err": ""}

    def drain(name: str, stream) -> None:
        out_chunks[name] = stream.read()

    threads = []
    if capture:
        threads = [threading.Thread(target=drain, args=("out", proc.stdout)),
                   threading.Thread(target=drain, args=("err", proc.stderr))]
        for t in threads:
            t.start()
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out_chunks["out"], out_chunks["err"], wall, _maxrss_mb(rusage)


def run_child(target: str, **kwargs: Any) -> tuple[Any, float, float]:
    """Call ``"module:function"`` with JSON-able ``kwargs`` in a fresh Python process.

    Returns (the function's JSON-able result, wall seconds of the whole child, peak RSS MB).
    """
    code = (
        "import importlib, json, sys\n"
        "mod, fn = sys.argv[1].split(':')\n"
        "result = getattr(importlib.import_module(mod), fn)(**json.loads(sys.argv[2]))\n"
        "sys.stdout.write('\\n@@RESULT@@' + json.dumps(result))\n"
    )
    rc, out, err, wall, peak = run_command([sys.executable, "-c", code, target, json.dumps(kwargs)])
    if rc != 0 or "@@RESULT@@" not in out:
        raise RuntimeError(f"{target} failed (exit {rc}):\n{err[-3000:]}")
    return json.loads(out.rsplit("@@RESULT@@", 1)[1]), wall, peak


def process_rss_mb(pid: int) -> float:
    """Resident memory of a process (a server under test), MB; NaN without psutil (a test extra)."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # noqa: BLE001 - the figure is optional
        return float("nan")


def baseline_rss_mb() -> float:
    """Peak RSS of a bare Python interpreter that imported pyoxigraph and rdflib (to subtract)."""
    _, _, _, _, peak = run_command([sys.executable, "-c", "import pyoxigraph, rdflib"])
    return peak


class RssSampler:
    """Peak resident memory of a process, sampled every ``interval`` s in a thread (psutil).

    ``with RssSampler() as m: ...`` then ``m.peak_mb``; ``pid`` defaults to this process."""

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        import psutil

        self.process = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        with contextlib.suppress(Exception):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_mb(self) -> float:
        return self.peak / (1024 * 1024)


# --- a live server ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def knooppunt_command() -> list[str]:
    """The ``knooppunt`` CLI of this interpreter's environment."""
    script = Path(sys.executable).parent / "knooppunt"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "knooppunt.service.cli"]


class Server:
    """A ``knooppunt serve`` subprocess; ``url`` is its root, ``process`` the Popen."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    @property
    def pid(self) -> int:
        return self.process.pid

    def health(self) -> dict:
        with urllib.request.urlopen(self.url + "/health", timeout=5) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        stop(self.process)


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    """SIGTERM (a clean shutdown: the service writes its snapshots), SIGKILL after ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_server(store: str | Path, port: int | None = None, *, extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None, command: list[str] | None = None) -> Server:
    """Start ``knooppunt serve --store STORE --port P`` without waiting for it (see :func:`serve`).
    ``command`` replaces the ``knooppunt`` of this environment (another checkout's, for "before"
    figures). The server's output goes to ``bench/out/server-P.log``."""
    port = port or free_port()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    log = OUT_DIR / f"server-{port}.log"
    cmd = [*(command or knooppunt_command()), "serve", "--store", str(store), "--port", str(port),
           "--log-level", "warning", *(extra_args or [])]
    with open(log, "w") as log_file:
        process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env={**os.environ, **(env or {})})
    return Server(process, f"http://127.0.0.1:{port}", log)


@contextlib.contextmanager
def serve(store: str | Path, port: int | None = None, *, timeout: float = 120.0,
          extra_args: list[str] | None = None, env: dict[str, str] | None = None,
          command: list[str] | None = None) -> Iterator[Server]:
    """Start ``knooppunt serve --store STORE --port P`` and wait until ``/health`` answers.

    ``store`` is a directory (use :func:`ensure_store`) or ``memory``. The server's output goes to
    ``bench/out/server-P.log``. Stopped (SIGTERM) when the ``with`` block ends. ``command`` runs
    another ``knooppunt`` (e.g. other code, to compare) instead of this environment's.
    """
    server = start_server(store, port, extra_args=extra_args, env=env, command=command)
    process, log = server.process, server.log
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                server.health()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server not ready after {timeout} s; see {log}") from None
                time.sleep(0.1)
        yield server
    finally:
        server.stop()


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table with right-aligned columns (first column left-aligned)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])
