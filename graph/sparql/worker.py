"""The query worker: a separate process that runs untrusted SPARQL on its own view of the store.

The parent (``graph.sparql.sandbox.WorkerPool``) starts it as a fresh interpreter and talks to it
over one socket (a socketpair). What runs here, never in the server process:

- at start, before any query is read: :func:`_prepare` (the one place for what a worker must
  set up before it may evaluate anything): it ignores Ctrl-C and takes the network away
  (``netguard``'s seccomp filter), so no query (``SERVICE``) can make it open a connection,
  whatever the text check missed; a worker on Linux without the filter refuses every query. Then
  the data is opened (:class:`WorkerData`): an on-disk store read-only
  (``pyoxigraph.Store.read_only``), or, for an in-memory store, an N-Quads snapshot of its public
  graphs loaded into a store of our own;
- per query: the data is reopened if the store's generation moved on, the query runs, and the
  results are written by the engine itself (``graph.sparql.results.render``): only the bytes of
  the answer travel back, in one frame.

Wire format. Parent to worker: ``multiprocessing.connection`` framing (a 4-byte big-endian
length, then a pickle of ``(generation, snapshot path, QueryRequest)``; ``None`` ends the
worker). Worker to parent: frames of a 9-byte header (``FRAME``: kind, meta length, body
length), a JSON meta part and a raw body:

- ``S`` started: the data is ready; the query's own deadline starts now (sent for a worker's
  first query and whenever the data had to be reloaded, so a warm worker answers with a single
  frame);
- ``R`` result: meta ``{kind, media_type, format, truncated, count}``, body = the answer's bytes;
- ``E`` error: meta ``{error, detail}`` with ``error`` one of ``syntax`` (detail: message, line,
  column), ``not_acceptable`` (detail: result kind), ``network`` (the query tried to reach the
  network), ``failed`` (the engine could not evaluate it), ``error`` (the store failed, not the
  query) or ``unavailable`` (no network filter: this worker runs nothing).
"""

from __future__ import annotations

import contextlib
import json
import pickle
import signal
import socket
import struct
import sys

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat
from pyoxigraph import Store as OxStore

from . import netguard
from .results import QueryRequest, QueryResult, render, store_label_lookup
from .text import EMPTY_GRAPH, NotAcceptable, QuerySyntaxError, syntax_error

FRAME = struct.Struct("!cII")
STARTED, RESULT, ERROR = b"S", b"R", b"E"
REQUEST_LENGTH = struct.Struct("!i")
SMALL = 64 * 1024  # bodies up to this size go out in the same write as their header


def only_public(ox: OxStore, public: list[str]) -> bool:
    """True if the store holds nothing outside the given public graphs (not even a default graph)."""
    graphs = {g.value for g in ox.named_graphs() if isinstance(g, NamedNode)}
    empty_default = next(iter(ox.quads_for_pattern(None, None, None, DefaultGraph())), None) is None
    return empty_default and graphs <= set(public)


def execute(ox: OxStore, request: QueryRequest, all_public: bool = False) -> QueryResult:
    """Run one request on a pyoxigraph store. ``all_public``: the store holds only public graphs
    (checked by the caller), so the union default graph is safe."""
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


class WorkerData:
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

    def ensure(self, generation: int, snapshot: str | None, force: bool = False) -> tuple[OxStore, bool]:
        """The store for ``generation``, and whether it had to be (re)opened now."""
        if self.store is not None and self.generation == generation and not force:
            return self.store, False
        self.store = None
        self._public = None
        if self.source["kind"] == "disk":
            store = OxStore.read_only(self.source["path"])
        else:
            store = OxStore()
            if snapshot:
                store.bulk_load(path=snapshot, format=RdfFormat.N_QUADS)
        self.store, self.generation = store, generation
        return store, True


# --- the wire ------------------------------------------------------------------------------------
def _recv_request(reader):
    """The next request from the parent (``reader``: the socket as a buffered binary file, so a
    request usually costs one ``recv``)."""
    head = reader.read(REQUEST_LENGTH.size)
    if len(head) < REQUEST_LENGTH.size:
        raise EOFError
    (length,) = REQUEST_LENGTH.unpack(head)
    payload = reader.read(length)
    if len(payload) < length:
        raise EOFError
    return pickle.loads(payload)


def _send(sock: socket.socket, kind: bytes, meta: dict, body: bytes | bytearray = b"") -> None:
    head = json.dumps(meta, separators=(",", ":")).encode()
    frame = FRAME.pack(kind, len(head), len(body)) + head
    if len(body) <= SMALL:
        sock.sendall(frame + body)
    else:
        sock.sendall(frame)
        sock.sendall(body)


def encode_request(message) -> bytes:
    """A request as the worker reads it (the parent's side of :func:`_recv_request`)."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return REQUEST_LENGTH.pack(len(payload)) + payload


# --- the worker's life ---------------------------------------------------------------------------
def _prepare() -> str | None:
    """Everything a worker sets up once, before it reads its first query. Returns why it must
    not run queries, or None.

    The network goes first (``netguard``). On Linux a worker without the filter refuses to run
    queries (the reason is returned); elsewhere there is no seccomp, and the text check alone
    stands (said once on stderr)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    try:
        netguard.install()
    except netguard.NetguardUnavailable as exc:
        if sys.platform.startswith("linux"):
            return str(exc)
        print(f"knooppunt: {exc}; SPARQL queries are checked by their text only", file=sys.stderr)
    return None


def _answer(sock: socket.socket, data: WorkerData, message, first: bool) -> None:
    generation, snapshot, request = message
    try:
        store, loaded = data.ensure(generation, snapshot)
        if loaded or first:  # the parent gave us time to load: say when that is over
            _send(sock, STARTED, {})
        try:
            result = execute(store, request, data.all_public(request.label_graphs))
        except OSError as exc:
            if netguard.is_blocked(exc):
                raise
            # the files changed under a read-only store: reopen, retry once
            store, _ = data.ensure(generation, snapshot, force=True)
            result = execute(store, request, data.all_public(request.label_graphs))
    except QuerySyntaxError as exc:
        _send(sock, ERROR, {"error": "syntax", "detail": [exc.message, exc.line, exc.column]})
        return
    except NotAcceptable as exc:
        _send(sock, ERROR, {"error": "not_acceptable", "detail": exc.kind})
        return
    except Exception as exc:  # noqa: BLE001 - reported to the parent, the worker lives on
        if netguard.is_blocked(exc):
            error = "network"
        elif isinstance(exc, OSError):  # the store, not the query
            error = "error"
        else:
            error = "failed"
        _send(sock, ERROR, {"error": error, "detail": f"{type(exc).__name__}: {exc}"})
        return
    meta = {"kind": result.kind, "media_type": result.media_type, "format": result.format,
            "truncated": result.truncated, "count": result.count}
    _send(sock, RESULT, meta, result.body)


def serve(sock: socket.socket, source: dict) -> None:
    """The worker's loop: one request in, one answer out, until ``None`` or a closed socket."""
    unguarded = _prepare()
    data = WorkerData(source)
    if source.get("generation") is not None and not unguarded:  # open the data before the first query
        with contextlib.suppress(Exception):
            data.ensure(source["generation"], source.get("snapshot"))
    reader = sock.makefile("rb", buffering=SMALL)
    first = True
    while True:
        try:
            message = _recv_request(reader)
            if message is None:
                return
            if unguarded:
                _send(sock, ERROR, {"error": "unavailable",
                                    "detail": f"queries cannot run without the network filter: {unguarded}"})
                continue
            _answer(sock, data, message, first)
            first = False
        except (EOFError, OSError):
            return


def main() -> None:
    """Entry point of a worker interpreter: ``argv`` = [fd of its socket, JSON data source]."""
    serve(socket.socket(fileno=int(sys.argv[1])), json.loads(sys.argv[2]))
