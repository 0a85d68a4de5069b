"""Running untrusted SPARQL queries with a timeout that really stops the work.

Neither rdflib nor pyoxigraph can interrupt a running query (Oxigraph issue #1926): a thread that
runs ``Store.query`` keeps running until the query ends, however long that is. So queries from
``/sparql`` run in a small pool of worker *processes* that the parent can kill:

- The parent (the web server) sends a task to an idle worker and waits with a deadline. When the
  deadline passes it SIGKILLs the worker, starts a replacement in the background (so the pool keeps
  its size) and raises :class:`QueryTimeout`. The work really stops and the slot is free again.
- At most ``Settings.max_concurrent_queries`` workers exist. A request that finds no idle worker
  within ``busy_wait`` seconds gets :class:`QueryBusy` (the service answers 503 + Retry-After).
- Workers are fresh interpreters (``subprocess`` + a socketpair, like multiprocessing's ``spawn``
  but without re-running the server's ``__main__``), never forks of the threaded server. The pool
  starts its workers in the background on first use, so later queries do not wait for one.
- Where the data comes from: for an on-disk Oxigraph store a worker opens
  ``pyoxigraph.Store.read_only(path)`` and reopens it when the store's ``generation`` changes (the
  generation travels with every task). For the in-memory store a worker cannot see the parent's
  memory, so the parent writes an N-Quads snapshot of the *public* graphs once per generation,
  lazily (only when a query needs it), and workers load it into their own in-memory store.
- Loading or reopening does not count against the query timeout: a worker reports ``started``
  once its data is ready, and the query deadline starts then (loading has its own, longer limit).
- A worker serialises the results itself (so only bytes cross the pipe), stops after
  ``row_cap + 1`` rows and flags truncation, and adds ``?xLabel`` columns on request.
- A worker has no network: it installs ``netguard``'s seccomp filter before it reads any query,
  so no query (``SERVICE``) can make it open a connection, whatever the text check missed.
- A worker that dies while evaluating (a crash in the engine) is replaced and the query tried
  once more on a fresh one; a second death makes it :class:`QueryCrashed`.

Other backends (``graph.store.remote.RemoteStore``) have their own server-side limits: for them
:class:`DirectRunner` forwards the query in-process under the same concurrency limit and row cap.

The dataset of a query is decided by the caller (:func:`resolve_dataset`): the protocol's
``default-graph-uri``/``named-graph-uri``, else the query's ``FROM``/``FROM NAMED``, else the union of
the public named graphs; non-public graphs (``private``, ``system``) are always dropped from it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable
from multiprocessing.connection import Connection

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    RdfFormat,
    serialize,
)
from pyoxigraph import Store as OxStore

from . import netguard
from .results import (
    QueryRequest,
    QueryResult,
    plain_results,
    render,
    store_label_lookup,
)
from .text import (
    _POSITION,
    EMPTY_GRAPH,
    NotAcceptable,
    QueryBusy,
    QueryCrashed,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    WorkerFailed,
    query_shape,
    syntax_error,
)


def only_public(ox: OxStore, public: Iterable[str]) -> bool:
    """True if the store holds nothing outside the given public graphs (not even a default graph)."""
    graphs = {g.value for g in ox.named_graphs() if isinstance(g, NamedNode)}
    empty_default = next(iter(ox.quads_for_pattern(None, None, None, DefaultGraph())), None) is None
    return empty_default and graphs <= set(public)


def execute(ox: OxStore, request: QueryRequest, all_public: bool = False) -> QueryResult:
    """Run one request on a pyoxigraph store (inside a worker). ``all_public``: the store holds
    only public graphs (checked by the caller), so the union default graph is safe."""
    if request.public_union and all_public:
        dataset: dict = {"use_default_graph_as_union": True}
    else:
        dataset = {
            "default_graph": [NamedNode(g) for g in request.default_graphs] or [NamedNode(EMPTY_GRAPH)],
            "named_graphs": [NamedNode(g) for g in request.named_graphs],
        }
    try:
        result = ox.query(request.query, base_iri=request.base_iri, **dataset)
    except SyntaxError as exc:
        raise syntax_error(str(exc)) from None
    lookup = None
    if request.labels:
        lookup = store_label_lookup(
            lambda s, p: ox.quads_for_pattern(s, p, None, None), request.label_graphs
        )
    return render(result, request, lookup)


# --- the worker process -------------------------------------------------------------------------
class _WorkerData:
    """The store a worker queries, reopened or reloaded when the generation changes."""

    def __init__(self, source: dict) -> None:
        self.source = source
        self.store: OxStore | None = None
        self.generation: int | None = None
        self._public: tuple[tuple[str, ...], bool] | None = None

    def all_public(self, public: list[str]) -> bool:
        """Whether the open store holds only ``public`` graphs (remembered until it is reopened)."""
        key = tuple(sorted(public))
        if self._public is None or self._public[0] != key:
            self._public = (key, self.store is not None and only_public(self.store, public))
        return self._public[1]

    def ensure(self, generation: int, snapshot: str | None, force: bool = False) -> OxStore:
        if self.store is not None and self.generation == generation and not force:
            return self.store
        self.store = None
        self._public = None
        if self.source["kind"] == "disk":
            store = OxStore.read_only(self.source["path"])
        else:
            store = OxStore()
            if snapshot:
                store.bulk_load(path=snapshot, format=RdfFormat.N_QUADS)
        self.store, self.generation = store, generation
        return store


def _guard() -> str | None:
    """Take the network away from this worker (``netguard``) before it reads any query. On Linux
    a worker without the filter refuses to run queries (the reason is returned); elsewhere there
    is no seccomp, and the text check alone stands (said once on stderr)."""
    try:
        netguard.install()
    except netguard.NetguardUnavailable as exc:
        if sys.platform.startswith("linux"):
            return str(exc)
        print(f"knooppunt: {exc}; SPARQL queries are checked by their text only", file=sys.stderr)
    return None


def _worker_main(conn, source: dict) -> None:
    """Loop: receive (generation, snapshot, request); answer ``started`` once the data is
    ready, then ``("ok", QueryResult)`` or ``(error kind, details)``. ``None`` ends the loop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    unguarded = _guard()
    data = _WorkerData(source)
    if source.get("generation") is not None and not unguarded:  # open the data before the first query
        with contextlib.suppress(Exception):
            data.ensure(source["generation"], source.get("snapshot"))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        generation, snapshot, request = message
        try:
            if unguarded:
                conn.send(("unavailable", f"queries cannot run without the network filter: {unguarded}"))
                continue
            try:
                store = data.ensure(generation, snapshot)
                conn.send(("started",))
                try:
                    answer = ("ok", execute(store, request, data.all_public(request.label_graphs)))
                except OSError as exc:
                    if netguard.is_blocked(exc):
                        raise
                    # the files changed under a read-only store: reopen, retry once
                    store = data.ensure(generation, snapshot, force=True)
                    answer = ("ok", execute(store, request, data.all_public(request.label_graphs)))
            except QuerySyntaxError as exc:
                answer = ("syntax", (exc.message, exc.line, exc.column))
            except NotAcceptable as exc:
                answer = ("not_acceptable", exc.kind)
            except Exception as exc:  # noqa: BLE001 - reported to the parent, the worker lives on
                if netguard.is_blocked(exc):
                    answer = ("network", str(exc))
                elif isinstance(exc, OSError):  # the store, not the query
                    answer = ("error", f"{type(exc).__name__}: {exc}")
                else:
                    answer = ("failed", f"{type(exc).__name__}: {exc}")
            conn.send(answer)
        except (BrokenPipeError, EOFError, OSError):
            return


def _worker_entry() -> None:
    """Entry point of a worker interpreter: ``argv`` = [fd of its socket, JSON data source]."""
    from multiprocessing.connection import Connection

    _worker_main(Connection(int(sys.argv[1])), json.loads(sys.argv[2]))


class _Worker:
    """One worker: a fresh interpreter (``subprocess`` with a socketpair), not a fork.

    A fresh interpreter, like multiprocessing's ``spawn``, shares no threads or locks with the
    server. We start it ourselves rather than through multiprocessing because ``spawn`` and
    ``forkserver`` re-run the parent's ``__main__`` in every child, which breaks (or repeats the
    work of) scripts without a ``__main__`` guard: benchmarks, ``python -c`` servers."""

    def __init__(self, source: dict) -> None:
        parent_sock, child_sock = socket.socketpair()
        code = "from knooppunt.graph.sparql.sandbox import _worker_entry; _worker_entry()"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(child_sock.fileno()), json.dumps(source)],
                pass_fds=(child_sock.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            child_sock.close()
        self.conn = Connection(parent_sock.detach())

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()  # SIGKILL: there is nothing to clean up in a query worker
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
            self.process.wait(1)
        self.kill()


class _DiedDuringQuery(Exception):
    """The worker's connection broke after it had started evaluating (it crashed)."""


class _Snapshot:
    """N-Quads of the public graphs of an in-memory store, written once per generation."""

    def __init__(self, store) -> None:
        self.store = store
        self.dir = tempfile.mkdtemp(prefix="knooppunt-snapshot-")
        # Removed on close(), and also when the pool is garbage-collected or the interpreter
        # exits without closing it (a server stopped without its shutdown hook).
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.dir, ignore_errors=True)
        self.lock = threading.Lock()
        self.current: tuple[int, str] | None = None
        self.previous: str | None = None

    def path_for(self, generation: int) -> str:
        with self.lock:
            if self.current is not None and self.current[0] == generation:
                return self.current[1]
            path = os.path.join(self.dir, f"public-{generation}.nq")
            write_lock = getattr(self.store, "_write_lock", None) or contextlib.nullcontext()
            with write_lock:  # no write between choosing the graphs and reading them
                graphs = self.store.public_graphs()
                quads = itertools.chain.from_iterable(self.store.quads(graph=g) for g in graphs)
                serialize(quads, path, format=RdfFormat.N_QUADS)
            if self.previous:  # keep one old file: a worker may still be opening it
                with contextlib.suppress(OSError):
                    os.remove(self.previous)
            self.previous = self.current[1] if self.current else None
            self.current = (generation, path)
            return path

    def close(self) -> None:
        self._cleanup()


class WorkerPool:
    """Worker processes for an embedded Oxigraph store (on disk or in memory).

    ``run(request)`` blocks the calling thread (call it from a thread pool, never on the event
    loop) until the result, :class:`QueryTimeout`, :class:`QueryBusy` or another error."""

    def __init__(self, store, timeout: float, max_workers: int, *, busy_wait: float = 2.0,
                 load_timeout: float | None = None) -> None:
        self.store = store
        self.timeout = timeout
        self.max_workers = max(1, max_workers)
        self.busy_wait = busy_wait
        self.load_timeout = load_timeout or max(60.0, 6 * timeout)
        path = getattr(store, "path", None)
        self.source = {"kind": "disk", "path": str(path)} if path else {"kind": "memory"}
        self._snapshot = _Snapshot(store) if not path else None
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._size = 0  # workers alive or being started
        self._closed = False
        self._warmed = False
        self.killed = 0
        self.served = 0

    # --- pool bookkeeping ---
    def stats(self) -> dict:
        with self._cond:
            return {
                "max": self.max_workers,
                "size": self._size,
                "idle": len(self._idle),
                "alive": sum(1 for w in self._all if w.is_alive()),
                "killed": self.killed,
                "served": self.served,
                "start_method": "subprocess",
            }

    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._all if w.pid]

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self.busy_wait
        with self._cond:
            while True:
                if self._closed:
                    raise WorkerFailed("the query service is shutting down")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.is_alive():
                        return worker
                    self._forget(worker)
                if self._size < self.max_workers:
                    self._size += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryBusy(self.max_workers, max(1, math.ceil(min(self.timeout, 5))))
                self._cond.wait(remaining)
        try:
            worker = _Worker(self._boot_source())
        except Exception:
            with self._cond:
                self._size -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._all.add(worker)
        if not self._warmed:
            self._warmed = True
            self._fill()
        return worker

    def _boot_source(self) -> dict:
        """What a new worker opens at start: the data as of now (a snapshot only if one exists)."""
        current = self._snapshot.current if self._snapshot else None
        if self._snapshot and current is None:
            return dict(self.source)
        return {**self.source, "generation": self.store.generation if not current else current[0],
                "snapshot": current[1] if current else None}

    def _start_in_background(self) -> None:
        """Start one worker for a slot already counted in ``_size``, then make it idle."""

        def start() -> None:
            try:
                fresh = _Worker(self._boot_source())
            except Exception:  # noqa: BLE001 - the slot is freed; the next query starts one
                with self._cond:
                    self._size -= 1
                    self._cond.notify()
                return
            with self._cond:
                self._all.add(fresh)
            self._release(fresh)

        threading.Thread(target=start, name="knooppunt-worker-start", daemon=True).start()

    def _fill(self) -> None:
        """Start the remaining workers in the background, so that a small query arriving while
        others run does not pay for starting an interpreter."""
        with self._cond:
            missing = self.max_workers - self._size
            self._size += max(0, missing)
        for _ in range(max(0, missing)):
            self._start_in_background()

    def _forget(self, worker: _Worker) -> None:
        """Drop a dead worker (caller holds the lock)."""
        self._all.discard(worker)
        self._size -= 1
        self._cond.notify()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.stop()
                self._all.discard(worker)
                self._size -= 1
                return
            self._idle.append(worker)
            self._cond.notify()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a new one in its slot, in the background."""
        worker.kill()
        with self._cond:
            self._all.discard(worker)
            if self._closed:
                self._size -= 1
                return
        self._start_in_background()

    # --- running ---
    def run(self, request: QueryRequest) -> QueryResult:
        """Run ``request`` in a worker. A worker that dies while it evaluates the query (a crash
        in the engine, not a kill at the timeout) is replaced and the query tried once more on a
        fresh one; dying twice on the same query makes it :class:`QueryCrashed` (the query's
        doing, a 4xx), a death before evaluation :class:`WorkerFailed` (ours, a 503)."""
        try:
            return self._run_once(request)
        except _DiedDuringQuery:
            pass
        try:
            return self._run_once(request)
        except _DiedDuringQuery:
            raise QueryCrashed("the query stopped the query engine twice; it is probably nested too "
                               "deeply or builds too large a result: simplify it") from None

    def _run_once(self, request: QueryRequest) -> QueryResult:
        generation = self.store.generation
        snapshot = self._snapshot.path_for(generation) if self._snapshot else None
        worker = self._acquire()
        started = None
        try:
            worker.conn.send((generation, snapshot, request))
            if not worker.conn.poll(self.load_timeout):
                raise QueryTimeout(self.load_timeout)
            started = worker.conn.recv()
            if started[0] == "started":
                if not worker.conn.poll(self.timeout):
                    raise QueryTimeout(self.timeout)
                answer = worker.conn.recv()
            else:
                answer = started
        except QueryTimeout:
            self.killed += 1
            self._replace(worker)
            raise
        except (EOFError, OSError) as exc:
            self._replace(worker)
            if started is not None and started[0] == "started":
                raise _DiedDuringQuery() from None
            raise WorkerFailed(f"the query worker died ({type(exc).__name__})") from None
        except BaseException:
            self._replace(worker)
            raise
        self._release(worker)
        self.served += 1
        kind, payload = answer[0], answer[1]
        if kind == "ok":
            return payload
        if kind == "syntax":
            raise QuerySyntaxError(*payload)
        if kind == "not_acceptable":
            raise NotAcceptable(payload)
        if kind == "network":
            raise QueryRejected("the query tried to open a network connection (SERVICE); queries on "
                                "this endpoint cannot reach other hosts")
        if kind == "failed":
            raise QueryRejected(f"the engine could not evaluate the query: {payload}")
        raise WorkerFailed(payload)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._idle.clear()
            self._all.clear()
            self._size = 0
            self._cond.notify_all()
        for worker in workers:
            worker.stop()
        if self._snapshot:
            self._snapshot.close()


class DirectRunner:
    """For stores we cannot open in a worker (a remote SPARQL store): forward the query from this
    process under the same concurrency limit, row cap and labels. The remote server does the work;
    we stop waiting at ``query_timeout``, which is all a client of a remote store can do (run the
    store with its own query timeout too: ``oxigraph serve --timeout-s``, Virtuoso's
    ``MaxQueryExecutionTime``).

    The answer is read into terms (``RemoteStore.query_untrusted``: blank nodes and skolem IRIs
    read back the way the store's engine needs) and rendered here like the workers render theirs,
    so the format the client gets does not depend on what the store can write. What the store
    refuses is the client's query's fault: 400, with the store's own message."""

    def __init__(self, store, timeout: float, max_workers: int, *, busy_wait: float = 2.0) -> None:
        self.store = store
        self.timeout = timeout
        self.max_workers = max(1, max_workers)
        self.busy_wait = busy_wait
        self._slots = threading.BoundedSemaphore(self.max_workers)
        self.killed = 0
        self.served = 0

    def stats(self) -> dict:
        return {"max": self.max_workers, "size": 0, "idle": 0, "alive": 0, "killed": 0,
                "served": self.served, "start_method": "in-process"}

    def pids(self) -> list[int]:
        return []

    def _fetch(self, request: QueryRequest, form: str):
        from ..store import StoreBadRequest, StoreError, StoreTimeout
        from ..store.bindings import parse_only

        default = [NamedNode(g) for g in request.default_graphs]
        named = [NamedNode(g) for g in request.named_graphs]
        try:
            if hasattr(self.store, "query_untrusted"):
                parse_only(request.query, request.base_iri)  # exact line and column, on every store
                return self.store.query_untrusted(
                    request.query, form, default, named, union=request.public_union,
                    timeout=self.timeout, max_rows=request.row_cap, base_iri=request.base_iri,
                )
            return plain_results(self.store._query(request.query, None, default, named), request.row_cap)
        except StoreTimeout:
            raise QueryTimeout(self.timeout) from None
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        except StoreError as exc:
            text = str(exc)
            if "invalid SPARQL" in text or _POSITION.search(text) or "syntax" in text.lower() or "parse" in text.lower():
                raise syntax_error(text.removeprefix("invalid SPARQL: ")) from None
            if isinstance(exc, StoreBadRequest):
                raise QueryRejected(text) from None
            raise

    def run(self, request: QueryRequest) -> QueryResult:
        if not self._slots.acquire(timeout=self.busy_wait):
            raise QueryBusy(self.max_workers, max(1, math.ceil(min(self.timeout, 5))))
        try:
            shape = query_shape(request.query, request.base_iri)
            result = self._fetch(request, shape.form or "")
            lookup = None
            if request.labels:
                lookup = store_label_lookup(
                    lambda s, p: self.store.quads(s, p, None, None), request.label_graphs
                )
            self.served += 1
            rendered = render(result, request, lookup, shape.form)
            if getattr(result, "truncated", False):  # the store itself cut the answer short
                rendered.truncated = True
            return rendered
        finally:
            self._slots.release()

    def close(self) -> None:
        pass


def make_runner(store, settings, **kwargs) -> WorkerPool | DirectRunner:
    """The right runner for the store: worker processes for embedded Oxigraph, else direct."""
    from ..store import OxigraphStore

    if isinstance(store, OxigraphStore):
        return WorkerPool(store, settings.query_timeout, settings.max_concurrent_queries, **kwargs)
    return DirectRunner(store, settings.query_timeout, settings.max_concurrent_queries, **kwargs)

