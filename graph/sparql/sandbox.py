"""Running untrusted SPARQL queries with a timeout that really stops the work, at little cost.

Neither rdflib nor pyoxigraph can interrupt a running query (Oxigraph issue #1926): a thread that
runs ``Store.query`` keeps running until the query ends, however long that is. So queries from
``/sparql`` run in a small pool of worker *processes* (``graph.sparql.worker``) that the parent
can kill:

- The parent (the web server) sends a task to an idle worker and waits, on its event loop, with
  a deadline. When the deadline passes it SIGKILLs the worker, starts a replacement in the
  background (so the pool keeps its size) and raises :class:`QueryTimeout`. The work really
  stops and the slot is free again.
- At most ``Settings.max_concurrent_queries`` workers exist. A request that finds no idle worker
  within ``busy_wait`` seconds gets :class:`QueryBusy` (the service answers 503 + Retry-After).
- Workers are fresh interpreters (``subprocess`` + a socketpair, like multiprocessing's ``spawn``
  but without re-running the server's ``__main__``), never forks of the threaded server. They
  start in the background on first use and stay warm, with the store open, between queries.
- Cheap hand-off: a task is one small pickle one way; the answer is one frame the other way,
  holding the bytes the engine wrote (``graph.sparql.results.render``), which become the HTTP
  body as they are. Waiting costs no thread: the parent reads the worker's socket on the
  request's own event loop (:meth:`WorkerPool.run` is a coroutine). Measured per query: ~0.1 ms
  of hand-off against ~2 ms of HTTP (bench/README.md, "Where the time goes").
- Where the data comes from: for an on-disk Oxigraph store a worker opens
  ``pyoxigraph.Store.read_only(path)`` and reopens it when the store's ``generation`` changes (the
  generation travels with every task). For the in-memory store a worker cannot see the parent's
  memory, so the parent writes an N-Quads snapshot of the *public* graphs once per generation,
  lazily (only when a query needs it), and workers load it into their own in-memory store.
- Loading or reopening does not count against the query timeout: a worker that has to load
  says ``started`` once its data is ready, and the query deadline starts then (loading has its
  own, longer limit).
- A worker has no network (``graph.sparql.worker``, ``netguard``).
- A worker that dies while evaluating (a crash in the engine) is replaced and the query tried
  once more on a fresh one; a second death makes it :class:`QueryCrashed`.

Other backends (``graph.store.remote.RemoteStore``) have their own server-side limits: for them
:class:`DirectRunner` forwards the query in-process under the same concurrency limit and row cap.

The dataset of a query is decided by the caller (``graph.sparql.text.resolve_dataset``): the
protocol's ``default-graph-uri``/``named-graph-uri``, else the query's ``FROM``/``FROM NAMED``,
else the union of the public named graphs; non-public graphs (``private``, ``system``) are
always dropped from it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import weakref

from pyoxigraph import NamedNode, RdfFormat, serialize

from . import worker as wire
from .results import QueryRequest, QueryResult, plain_results, render, store_label_lookup
from .text import (
    _POSITION,
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


class _Worker:
    """One worker: a fresh interpreter (``subprocess`` with a socketpair), not a fork.

    A fresh interpreter, like multiprocessing's ``spawn``, shares no threads or locks with the
    server. We start it ourselves rather than through multiprocessing because ``spawn`` and
    ``forkserver`` re-run the parent's ``__main__`` in every child, which breaks (or repeats the
    work of) scripts without a ``__main__`` guard: benchmarks, ``python -c`` servers."""

    def __init__(self, source: dict) -> None:
        parent_sock, child_sock = socket.socketpair()
        code = "from knooppunt.graph.sparql.worker import main; main()"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code, str(child_sock.fileno()), json.dumps(source)],
                pass_fds=(child_sock.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            child_sock.close()
        parent_sock.setblocking(False)
        self.sock = parent_sock
        self.generation: int | None = None  # the data generation it holds open, once known
        self._pending = bytearray()  # bytes read past the last frame

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    async def send(self, message) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, wire.encode_request(message))

    async def _exactly(self, n: int) -> bytes | bytearray:
        """``n`` bytes from the socket (reading ahead at most what is there)."""
        loop = asyncio.get_running_loop()
        pending = self._pending
        if len(pending) < n and n - len(pending) > wire.SMALL:  # a large body: read it in place
            out = bytearray(n)
            got = len(pending)
            out[:got] = pending
            pending.clear()
            view = memoryview(out)
            while got < n:
                k = await loop.sock_recv_into(self.sock, view[got:])
                if not k:
                    raise EOFError
                got += k
            return out
        while len(pending) < n:
            chunk = await loop.sock_recv(self.sock, max(wire.SMALL, n - len(pending)))
            if not chunk:
                raise EOFError
            pending += chunk
        out = bytes(pending[:n])
        del pending[:n]
        return out

    async def frame(self) -> tuple[bytes, dict, bytes | bytearray]:
        """The next frame: (kind, meta, body)."""
        kind, meta_len, body_len = wire.FRAME.unpack(await self._exactly(wire.FRAME.size))
        meta = json.loads(await self._exactly(meta_len)) if meta_len else {}
        body = await self._exactly(body_len) if body_len else b""
        return kind, meta, body

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()  # SIGKILL: there is nothing to clean up in a query worker
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.sock.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.sock.setblocking(True)
            self.sock.sendall(wire.encode_request(None))
            self.process.wait(1)
        self.kill()


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

    def ready(self, generation: int) -> str | None:
        """The snapshot of ``generation`` if it is written already (no waiting, no writing)."""
        current = self.current
        return current[1] if current is not None and current[0] == generation else None

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


class _DiedDuringQuery(Exception):
    """The worker's connection broke after it had started evaluating (it crashed)."""


class WorkerPool:
    """Worker processes for an embedded Oxigraph store (on disk or in memory).

    ``await pool.run(request)`` gives the result, or raises :class:`QueryTimeout`,
    :class:`QueryBusy` or another error. It may be awaited from any event loop (a test client and
    a live server may share one app): the bookkeeping is guarded by a lock, and a worker handed
    to a request waiting on another loop is passed over with ``call_soon_threadsafe``."""

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
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._all: set[_Worker] = set()
        self._size = 0  # workers alive or being started
        self._closed = False
        self._warmed = False
        self.killed = 0
        self.served = 0

    # --- pool bookkeeping ---
    def stats(self) -> dict:
        with self._lock:
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
        with self._lock:
            return [w.pid for w in self._all if w.pid]

    async def _acquire(self) -> _Worker:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                raise WorkerFailed("the query service is shutting down")
            while self._idle:
                worker = self._idle.pop()
                if worker.is_alive():
                    return worker
                self._forget(worker)
            spawn = self._size < self.max_workers
            if spawn:
                self._size += 1
            else:
                waiter = loop.create_future()
                self._waiters.append(waiter)
        if spawn:
            return await self._spawn()
        try:
            async with asyncio.timeout(self.busy_wait):
                return await waiter
        except TimeoutError:
            with self._lock:
                if waiter.done() and not waiter.cancelled():  # handed over as time ran out
                    return waiter.result()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise QueryBusy(self.max_workers, max(1, math.ceil(min(self.timeout, 5)))) from None

    async def _spawn(self) -> _Worker:
        """Start a worker for a slot already counted in ``_size`` (the interpreter's fork and
        exec happen in a thread, not on the event loop)."""
        try:
            worker = await asyncio.to_thread(_Worker, self._boot_source())
        except BaseException:
            self._free_slot()
            raise
        with self._lock:
            self._all.add(worker)
            fill = not self._warmed
            self._warmed = True
        if fill:
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
                self._free_slot()
                return
            with self._lock:
                self._all.add(fresh)
            self._release(fresh)

        threading.Thread(target=start, name="knooppunt-worker-start", daemon=True).start()

    def _fill(self) -> None:
        """Start the remaining workers in the background, so that a small query arriving while
        others run does not pay for starting an interpreter."""
        with self._lock:
            missing = 0 if self._closed else self.max_workers - self._size
            self._size += max(0, missing)
        for _ in range(max(0, missing)):
            self._start_in_background()

    def _free_slot(self) -> None:
        with self._lock:
            self._size -= 1
            waiters = len(self._waiters)
        if waiters:  # someone waits for a worker: start one for them
            with self._lock:
                grow = not self._closed and self._size < self.max_workers
                if grow:
                    self._size += 1
            if grow:
                self._start_in_background()

    def _forget(self, worker: _Worker) -> None:
        """Drop a dead worker (caller holds the lock)."""
        self._all.discard(worker)
        self._size -= 1

    def _release(self, worker: _Worker) -> None:
        """Give ``worker`` to the longest-waiting request, or make it idle."""
        with self._lock:
            if self._closed:
                self._all.discard(worker)
                self._size -= 1
                stop = True
            else:
                stop = False
                while self._waiters:
                    waiter = self._waiters.popleft()
                    if waiter.done():
                        continue
                    try:
                        waiter.get_loop().call_soon_threadsafe(self._hand_over, waiter, worker)
                    except RuntimeError:  # that request's event loop is gone
                        continue
                    return
                self._idle.append(worker)
        if stop:
            worker.stop()

    def _hand_over(self, waiter: asyncio.Future, worker: _Worker) -> None:
        """On the waiter's loop: give it the worker, or pass the worker on if it gave up."""
        if waiter.done():
            self._release(worker)
        else:
            waiter.set_result(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a new one in its slot, in the background."""
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
            if closed:
                self._size -= 1
        worker.kill()  # at once (SIGKILL and reap, ~1 ms): the work is over when the caller hears
        if not closed:
            self._start_in_background()

    # --- running ---
    async def run(self, request: QueryRequest) -> QueryResult:
        """Run ``request`` in a worker and return what it answered. A worker that dies while it
        evaluates the query (a crash in the engine, not a kill at the timeout) is replaced and
        the query tried once more on a fresh one; dying twice on the same query makes it
        :class:`QueryCrashed` (the query's doing, a 4xx), a death before evaluation
        :class:`WorkerFailed` (ours, a 503)."""
        try:
            return await self._run_once(request)
        except _DiedDuringQuery:
            pass
        try:
            return await self._run_once(request)
        except _DiedDuringQuery:
            raise QueryCrashed("the query stopped the query engine twice; it is probably nested too "
                               "deeply or builds too large a result: simplify it") from None

    async def _run_once(self, request: QueryRequest) -> QueryResult:
        generation = self.store.generation
        snapshot = None
        if self._snapshot:
            snapshot = self._snapshot.ready(generation) or await asyncio.to_thread(self._snapshot.path_for, generation)
        worker = await self._acquire()
        warm = worker.generation == generation  # no loading: evaluation starts on arrival
        limit = self.timeout if warm else self.load_timeout
        evaluating = False
        try:
            await worker.send((generation, snapshot, request))
            evaluating = warm
            async with asyncio.timeout(limit) as deadline:
                kind, meta, body = await worker.frame()
                if kind == wire.STARTED:  # the data is loaded: the query's own time starts now
                    evaluating = True
                    limit = self.timeout
                    deadline.reschedule(asyncio.get_running_loop().time() + limit)
                    kind, meta, body = await worker.frame()
        except TimeoutError:
            self.killed += 1
            self._replace(worker)
            raise QueryTimeout(limit) from None
        except (EOFError, OSError) as exc:
            self._replace(worker)
            if evaluating:
                raise _DiedDuringQuery() from None
            raise WorkerFailed(f"the query worker died ({type(exc).__name__})") from None
        except BaseException:  # cancelled mid-answer: the worker's state is unknown
            self._replace(worker)
            raise
        worker.generation = generation
        self._release(worker)
        self.served += 1
        if kind == wire.RESULT:
            return QueryResult(meta["kind"], body, meta["media_type"], meta["format"],
                               meta["truncated"], meta["count"])
        error, detail = meta.get("error"), meta.get("detail")
        if error == "syntax":
            raise QuerySyntaxError(*detail)
        if error == "not_acceptable":
            raise NotAcceptable(detail)
        if error == "network":
            raise QueryRejected("the query tried to open a network connection (SERVICE); queries on "
                                "this endpoint cannot reach other hosts")
        if error == "failed":
            raise QueryRejected(f"the engine could not evaluate the query: {detail}")
        raise WorkerFailed(detail or "the worker sent something unexpected")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._idle.clear()
            self._all.clear()
            self._size = 0
            waiters = list(self._waiters)
            self._waiters.clear()
        for waiter in waiters:
            with contextlib.suppress(RuntimeError):
                waiter.get_loop().call_soon_threadsafe(waiter.cancel)
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

    async def run(self, request: QueryRequest) -> QueryResult:
        """The blocking HTTP exchange with the store runs in a thread, off the event loop."""
        return await asyncio.to_thread(self._run, request)

    def _run(self, request: QueryRequest) -> QueryResult:
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

