"""A remote SPARQL 1.1 store as a ``Store`` backend: the service becomes stateless over it.

Selected by an http(s) URL in ``KNOOPPUNT_STORE``. Everything goes through three standard
protocols, so any SPARQL 1.1 store can serve: SPARQL 1.1 Query (reads), SPARQL 1.1 Update
(every write, one request per change, so one transaction on the stores we know), and the Graph
Store Protocol where it is cheaper (dumping one graph; bulk loads). ``docs/deploy.md`` says what
Oxigraph server, Fuseki, GraphDB, Virtuoso and QLever each need.

Endpoint URLs (``Endpoints.from_settings``), unless ``store_update_url`` / ``store_gsp_url`` say
otherwise:

- ``http://host:7878`` (no path): Oxigraph server - ``/query``, ``/update``, ``/store``;
  but with an explicit ``store_update_url`` a root URL is itself the query endpoint (QLever);
- ``.../repositories/{id}``: GraphDB / RDF4J - updates at ``.../statements``, graph store at
  ``.../rdf-graphs/service``;
- a URL ending in ``/query``: updates at the sibling ``/update`` (Oxigraph or Fuseki behind a path);
- any other URL (Fuseki ``/ds``, Virtuoso ``/sparql``, QLever): queries and updates on that URL,
  no graph store (dumps fall back to ``CONSTRUCT``).

Why the pieces are shaped as they are:

- **Bindings.** A SPARQL endpoint takes no substitutions, so bound values travel as a trailing
  ``VALUES`` clause built from each term's canonical N-Triples form (validated and escaped by
  pyoxigraph; blank nodes are refused). A trailing ``VALUES`` is joined with the solutions after
  grouping and before projection - exactly what pyoxigraph's ``substitutions`` do - so our
  queries mean the same on both backends. pyoxigraph only allows projected variables to be bound;
  the same check runs here (on an empty local store, microseconds), so a query that fails
  embedded also fails remote.
- **Dataset.** The public dataset is sent as ``default-graph-uri`` / ``named-graph-uri`` protocol
  parameters (one per public graph); the protocol dataset overrides ``FROM`` / ``FROM NAMED`` in
  the query text, so a pass-through query cannot reach ``private`` or ``system``.
- **Change marker.** Every write request ends with two more operations that replace
  ``<{base}/graph/system/version> kp:storeVersion N`` (in a graph of that name, which
  ``named_graphs``, ``quads`` and dumps leave out, so the dataset reads exactly as it does
  embedded) by a fresh, unique N (time plus
  random bits, made here; it rises with time, as callers may compare
  with ``>``). Same request, same transaction: a reader never sees data without its
  marker. ``generation`` reads the marker at most every ``generation_ttl`` seconds (0.5 s), so
  projections and caches of *other* processes notice a write within that time plus their own
  check interval, at the cost of one tiny query per interval, not one per call. Writes made by
  tools other than Knooppunt do not touch the marker and are not noticed until the next
  Knooppunt write (or a restart).
- **Failures.** Every request has a timeout (``store_timeout``; connect at most 5 s). Refused
  connections and DNS errors raise ``StoreUnavailable`` (the service answers 503), timeouts raise
  ``StoreTimeout`` (504). One pooled ``httpx.Client`` per store; a read that fails on a broken
  connection is retried once, so the first request after the store comes back succeeds.

``query_raw(text, accept, default_graphs, named_graphs, timeout)`` returns the store's own
``(content_type, body)`` for a query, untouched: the SPARQL endpoint forwards untrusted queries
with it, in the format the client asked for, bounded by ``timeout`` (client side; run the store
with its own query timeout too, e.g. ``oxigraph serve --timeout-s``), without worker processes.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Variable,
    parse,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as OxStore

from ..namespaces import KP, XSD
from ..settings import Settings
from .base import Store, StoreError, StoreTimeout, StoreUnavailable, Term, delta_update, quad_text

STORE_VERSION = NamedNode(KP + "storeVersion")
NO_GRAPH = "urn:x-knooppunt:no-graph"
"""Stands in for an empty graph list: the protocol has no way to say "no graphs at all"."""

SPARQL_RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
READ_ACCEPT = f"{SPARQL_RESULTS_JSON}, {N_TRIPLES};q=0.9"


@dataclass(frozen=True)
class Endpoints:
    """Where queries, updates and Graph Store requests go (``gsp`` None: not available)."""

    query: str
    update: str
    gsp: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        url = settings.store.rstrip("/")
        path = urlsplit(url).path
        if path == "" and settings.store_update_url:  # QLever: everything at the root
            query, update, gsp = url + "/", url + "/", None
        elif path == "":  # Oxigraph server at its root
            query, update, gsp = f"{url}/query", f"{url}/update", f"{url}/store"
        elif "/repositories/" in path and path.count("/") == 2:  # GraphDB / RDF4J
            query, update, gsp = url, f"{url}/statements", f"{url}/rdf-graphs/service"
        elif path.endswith("/query"):
            query, update, gsp = url, url[: -len("query")] + "update", None
        else:  # Fuseki dataset, Virtuoso, QLever: one endpoint for both
            query, update, gsp = url, url, None
        return cls(
            query=query,
            update=settings.store_update_url or update,
            gsp=settings.store_gsp_url or gsp,
        )


class BasicOrDigestAuth(httpx.Auth):
    """Basic credentials up front; Digest if the store answers with a Digest challenge.

    Most stores (Fuseki, GraphDB, a reverse proxy in front of Oxigraph) take Basic; Virtuoso's
    ``/sparql-auth`` and ``/sparql-graph-crud-auth`` ask for Digest.
    """

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)

    def auth_flow(self, request: httpx.Request):
        response = yield next(self._basic.auth_flow(request))
        challenge = response.headers.get("www-authenticate", "")
        if response.status_code == 401 and challenge.lower().startswith("digest"):
            request.headers.pop("Authorization", None)
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request: we already have its challenge
            try:
                yield flow.send(response)
            except StopIteration:
                return


class TripleList(list):
    """CONSTRUCT / DESCRIBE results: a list of triples that serialises like ``QueryTriples``."""

    def serialize(self, output: IO[bytes] | None = None, format: RdfFormat = RdfFormat.N_TRIPLES):  # noqa: A002
        return serialize(self, output, format)


_checker = OxStore()
_checker_lock = threading.Lock()


def values_clause(query: str, bindings: dict[str, Term]) -> str:
    """A trailing ``VALUES`` block for ``bindings``, after checking they are allowed.

    Fails like the embedded store does (unknown syntax, a binding of a variable the query does not
    project), then refuses blank nodes, which no endpoint can take in a query.
    """
    substitutions = {}
    for name, term in bindings.items():
        try:
            substitutions[Variable(name)] = term
        except ValueError as exc:
            raise StoreError(f"invalid binding name {name!r}: {exc}") from exc
        if isinstance(term, BlankNode) or not isinstance(term, NamedNode | Literal):
            raise StoreError(f"binding ?{name}: only IRIs and literals can be sent to a remote store (no blank nodes)")
    try:
        with _checker_lock:
            _checker.query(query, substitutions=substitutions)
    except SyntaxError as exc:
        raise StoreError(f"invalid SPARQL: {exc}") from exc
    except (RuntimeError, ValueError) as exc:
        raise StoreError(str(exc)) from exc
    names = " ".join(str(v) for v in substitutions)
    row = " ".join(str(t) for t in substitutions.values())
    return f"\nVALUES ({names}) {{ ({row}) }}\n"


def bind_values(query: str, bindings: dict[str, Term]) -> str:
    """``query`` with ``bindings`` as a trailing ``VALUES`` (see the module docstring).

    Stores do not push a trailing ``VALUES`` through ``GROUP BY`` (Oxigraph server grouped every
    triple of the store to keep one group: 165 ms at 100k triples instead of 2). So bound
    ``GROUP BY`` keys are also joined at the start of the ``WHERE`` group: the same answer (a key
    is bound before grouping instead of after) for every key the pattern binds; the trailing
    clause stays, so the result is exactly the substitution's.
    """
    text = query + values_clause(query, bindings)
    group_by = _GROUP_BY.search(query)
    if group_by is None:
        return text
    keys = set(re.findall(r"[?$](\w+)", group_by.group(1)))
    early = {
        name: term for name, term in bindings.items()
        if name in keys and not re.search(rf"\bAS\s+[?$]{name}\b", query, flags=re.I)
    }
    where = _where_brace(query) if early else None
    if where is None:
        return text
    names = " ".join(f"?{n}" for n in early)
    row = " ".join(str(t) for t in early.values())
    return f"{text[: where + 1]} VALUES ({names}) {{ ({row}) }} {text[where + 1 :]}"


_GROUP_BY = re.compile(r"\bGROUP\s+BY\b(.*?)(?:\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                       flags=re.I | re.S)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def _where_brace(query: str) -> int | None:
    """Index of the ``{`` that opens a SELECT's WHERE group (skipping IRIs, strings, comments)."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c == "<" and (m := _IRI.match(query, i)):
            i = m.end()
        elif c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c == "{":
            return i
        else:
            i += 1
    return None


def _graph_values(graphs: list[NamedNode]) -> list[str]:
    return [g.value for g in graphs] or [NO_GRAPH]


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP (see the module docstring for URLs, marker and failures)."""

    backend = "remote"
    generation_ttl = 0.5
    """Seconds a read change marker is trusted before it is read again."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.endpoints = Endpoints.from_settings(settings)
        headers = {"User-Agent": "knooppunt"}
        auth: httpx.Auth | None = None
        if settings.store_token:
            headers["Authorization"] = f"Bearer {settings.store_token}"
        elif settings.store_user:
            auth = BasicOrDigestAuth(settings.store_user, settings.store_password)
        self.timeout = float(settings.store_timeout)
        self._client = httpx.Client(
            headers=headers,
            auth=auth,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        self._where = urlsplit(self.endpoints.query)._replace(query="", fragment="").geturl()
        self._where = self._where.split("@")[-1]
        self._marker_subject = NamedNode(settings.graph_iri("system/version"))
        self._generation_cache: tuple[float, int] | None = None
        self._graphs_cache: tuple[int, list[NamedNode]] | None = None

    # --- HTTP ---------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        timeout: float | None = None,
        **kwargs,
    ) -> httpx.Response:
        """One request with a bounded wait; failures become StoreUnavailable / StoreTimeout."""
        limit = self.timeout if timeout is None else float(timeout)
        request_timeout = httpx.Timeout(limit, connect=min(limit, 5.0))
        retry_connect = idempotent or _rewindable(kwargs)  # never reached the store: resend
        response: httpx.Response | None = None
        for attempt in range(2):
            last = attempt == 1
            try:
                response = self._client.request(method, url, timeout=request_timeout, **kwargs)
            except httpx.ConnectTimeout as exc:  # no retry: that would double a long wait
                raise StoreUnavailable(
                    f"the SPARQL store at {self._where} did not accept a connection within "
                    f"{min(limit, 5.0):g} s; check that it is running and reachable"
                ) from exc
            except httpx.ConnectError as exc:
                if retry_connect and not last:
                    continue
                raise StoreUnavailable(
                    f"the SPARQL store at {self._where} cannot be reached ({_reason(exc)}); "
                    "check that it is running and that KNOOPPUNT_STORE points at it"
                ) from exc
            except httpx.TimeoutException as exc:
                raise StoreTimeout(
                    f"the SPARQL store at {self._where} did not answer within {limit:g} s"
                ) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if idempotent and not last:  # a pooled connection the store had closed
                    continue
                raise StoreUnavailable(
                    f"the SPARQL store at {self._where} dropped the connection ({_reason(exc)})"
                ) from exc
            if idempotent and not last and response.status_code in TRANSIENT_STATUS:
                time.sleep(0.05)  # an overloaded store (EAGAIN, 503): one more try, then report it
                continue
            break
        assert response is not None
        if response.status_code >= 400:
            _raise_for(response, self._where)
        return response

    def _read(
        self,
        sparql: str,
        default_graphs: list[NamedNode] | None,
        named_graphs: list[NamedNode] | None,
        accept: str = READ_ACCEPT,
        timeout: float | None = None,
    ) -> httpx.Response:
        """POST a query as a form, with the dataset as protocol parameters (``None``: whole store)."""
        form: dict[str, str | list[str]] = {"query": sparql}
        if default_graphs is not None or named_graphs is not None:
            everything = self.named_graphs() if None in (default_graphs, named_graphs) else []
            form["default-graph-uri"] = _graph_values(everything if default_graphs is None else default_graphs)
            form["named-graph-uri"] = _graph_values(everything if named_graphs is None else named_graphs)
        return self._send(
            "POST", self.endpoints.query, idempotent=True, timeout=timeout,
            data=form, headers={"Accept": accept},
        )

    def _write(self, sparql_update: str) -> int:
        """Run an update plus the change-marker replacement in one request; returns the marker."""
        marker = time.time_ns() // 1_000_000 * 1_000_000 + secrets.randbelow(1_000_000)
        if self._generation_cache is not None and marker <= self._generation_cache[1]:
            marker = self._generation_cache[1] + 1 + secrets.randbelow(1_000)  # keep it rising
        text = sparql_update.rstrip()
        if text and not text.endswith(";"):
            text += "\n;"
        text += "\n" + self._marker_update(marker)
        self._send(
            "POST", self.endpoints.update, idempotent=False,
            content=text.encode(), headers={"Content-Type": "application/sparql-update"},
        )
        self._generation_cache = (time.monotonic(), marker)
        return marker

    def _marker_update(self, marker: int) -> str:
        g = self._marker_subject
        return (
            f"DELETE WHERE {{ GRAPH {g} {{ {g} {STORE_VERSION} ?v }} }} ;\n"
            f"INSERT DATA {{ GRAPH {g} {{ {g} {STORE_VERSION} {Literal(str(marker), datatype=NamedNode(XSD + 'integer'))} }} }}"
        )

    # --- reading ------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """The store's change marker, read at most every ``generation_ttl`` seconds."""
        now = time.monotonic()
        cached = self._generation_cache
        if cached is not None and now - cached[0] < self.generation_ttl:
            return cached[1]
        g = self._marker_subject
        response = self._read(
            f"SELECT ?v WHERE {{ GRAPH {g} {{ {g} {STORE_VERSION} ?v }} }}", None, None,
            accept=SPARQL_RESULTS_JSON,
        )
        values = [int(s["v"].value) for s in _solutions(response) if s["v"] is not None]
        # Two writers racing may each leave a marker; any change of the set changes the sum.
        generation = sum(values) % (1 << 62)
        self._generation_cache = (time.monotonic(), generation)
        return generation

    def named_graphs(self) -> list[NamedNode]:
        generation = self.generation
        if self._graphs_cache is None or self._graphs_cache[0] != generation:
            response = self._read(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", None, None,
                accept=SPARQL_RESULTS_JSON,
            )
            graphs = [
                s["g"] for s in _solutions(response)
                if isinstance(s["g"], NamedNode) and s["g"] != self._marker_subject
            ]
            self._graphs_cache = (generation, graphs)
        return list(self._graphs_cache[1])

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[Quad]:
        """Quads matching a pattern, in the named graphs (a remote store keeps nothing else)."""
        s = str(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(obj) if obj is not None else "?o"
        g = str(graph) if graph is not None else "?g"
        for term in (subject, obj):
            if isinstance(term, BlankNode):
                return iter(())  # a remote store's blank nodes cannot be named in a query
        response = self._read(
            f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}", None, None, accept=SPARQL_RESULTS_JSON
        )
        found = (
            Quad(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                obj if obj is not None else row["o"],
                graph if graph is not None else row["g"],
            )
            for row in _solutions(response)
        )
        # The change marker is this backend's bookkeeping, not data: dumps and diffs skip it.
        return (q for q in found if q.graph_name != self._marker_subject)

    def _query(self, sparql, bindings, default_graphs, named_graphs):
        if bindings:
            sparql = bind_values(sparql, bindings)
        if default_graphs is None and named_graphs is None:
            default_graphs = named_graphs = self.named_graphs()  # the embedded union default graph
        response = self._read(sparql, default_graphs, named_graphs)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type == N_TRIPLES:
            return TripleList(q.triple for q in parse(response.content, format=RdfFormat.N_TRIPLES))
        return _parse_results(response.content, content_type)

    def query_raw(
        self,
        text: str,
        accept: str,
        default_graphs: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """The store's own answer to ``text``: ``(content_type, body)``, for pass-through.

        ``None`` graph lists mean the whole store; pass the public graphs for untrusted queries.
        Bad queries raise ``StoreError`` with the store's message; ``timeout`` bounds the wait.
        """
        if default_graphs is None and named_graphs is None:
            default_graphs = named_graphs = self.named_graphs()
        response = self._read(text, default_graphs, named_graphs, accept=accept, timeout=timeout)
        return response.headers.get("content-type", "application/octet-stream"), response.content

    # --- writing ------------------------------------------------------------------------------
    def _apply(self, removed: list[Quad], added: list[Quad]) -> None:
        if not removed and not added:
            return
        # The same request text as the embedded store's: DELETE DATA, a DELETE WHERE per group of
        # blank-node quads (no endpoint can name a blank node), INSERT DATA.
        self._write(delta_update(removed, added))

    def update(self, sparql_update: str) -> None:
        with self._write_lock:
            self._write(sparql_update)
        self._notify([], [])

    def load(self, source, fmt, graph, *, base_iri=None, bulk=False) -> int:
        """Parse here (relative IRIs resolve against ``base_iri``), send absolute N-Triples.

        One request carries the data and the marker, so a load is atomic; ``bulk`` loads of
        triples stream to the Graph Store endpoint instead (no whole-request copy in memory)
        and move the marker right after.
        """
        before = self.count(graph)
        quads = _parse_source(source, fmt, graph, base_iri)
        with self._write_lock:
            if bulk and self.endpoints.gsp and fmt not in (RdfFormat.N_QUADS, RdfFormat.TRIG):
                self._send(
                    "POST", self.endpoints.gsp, idempotent=False, params={"graph": graph.value},
                    content=_ntriples_chunks(quads), headers={"Content-Type": N_TRIPLES},
                )
                self._write("")
            else:
                body = " ".join(quad_text(q) for q in quads)
                self._write(f"INSERT DATA {{ {body} }}" if body else "")
        self._notify([], [])
        return self.count(graph) - before

    def drop_graph(self, graph: NamedNode) -> None:
        with self._write_lock:
            self._write(f"DROP SILENT GRAPH {graph}")
        self._notify([], [])

    def dump(self, output, fmt, graph=None) -> None:
        if graph is None:
            serialize(self.quads(), output, fmt)
            return
        if self.endpoints.gsp:
            try:
                response = self._send(
                    "GET", self.endpoints.gsp, idempotent=True, params={"graph": graph.value},
                    headers={"Accept": N_TRIPLES},
                )
                triples = [q.triple for q in parse(response.content, format=RdfFormat.N_TRIPLES)]
            except StoreError as exc:
                if "404" not in str(exc):
                    raise
                triples = []
        else:
            triples = list(
                self._query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}", None, [], [graph])
            )
        if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            serialize((Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples), output, fmt)
        else:
            serialize(triples, output, fmt)

    def close(self) -> None:
        self._client.close()


# --- helpers ------------------------------------------------------------------------------------
def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def _rewindable(kwargs: dict) -> bool:
    return isinstance(kwargs.get("content"), bytes | str) or "data" in kwargs


TRANSIENT_STATUS = (500, 502, 503)


def _raise_for(response: httpx.Response, where: str) -> None:
    """Turn an HTTP error of the store into the matching StoreError."""
    status = response.status_code
    message = response.text.strip()[:500]
    if status in (401, 403):
        raise StoreUnavailable(
            f"the SPARQL store at {where} refused our credentials ({status}); "
            "check KNOOPPUNT_STORE_USER / _PASSWORD / _TOKEN"
        )
    if status == 504 or (status >= 500 and "timeout" in message.lower()):
        raise StoreTimeout(f"the SPARQL store at {where} gave up on the request: {message}")
    if status in (502, 503):
        raise StoreUnavailable(f"the SPARQL store at {where} is unavailable ({status}): {message}")
    if status == 404:
        raise StoreError(f"404 from the SPARQL store at {where}: {message}")
    if status < 500:
        raise StoreError(f"the SPARQL store refused the request ({status}): {message}")
    # Our requests are well-formed by the time they reach the store (bad SPARQL gets 400), so a
    # 5xx is the store failing (Oxigraph answers 500 "Resource temporarily unavailable" when
    # overloaded): a 503 with Retry-After for our clients, not a 500 of ours.
    raise StoreUnavailable(f"the SPARQL store at {where} failed ({status}): {message}")


def _solutions(response: httpx.Response) -> QuerySolutions:
    result = _parse_results(response.content, SPARQL_RESULTS_JSON)
    if not isinstance(result, QuerySolutions):
        raise StoreError("the SPARQL store answered a SELECT with a boolean")
    return result


def _parse_results(content: bytes, content_type: str) -> QuerySolutions | QueryBoolean:
    formats = {
        SPARQL_RESULTS_JSON: QueryResultsFormat.JSON,
        "application/sparql-results+xml": QueryResultsFormat.XML,
        "text/tab-separated-values": QueryResultsFormat.TSV,
    }
    try:
        return parse_query_results(content, format=formats.get(content_type, QueryResultsFormat.JSON))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"unreadable answer from the SPARQL store ({content_type}): {exc}") from exc


def _parse_source(
    source: str | Path | bytes | IO[bytes], fmt: RdfFormat, graph: NamedNode, base_iri: str | None
) -> list[Quad]:
    kwargs: dict = {"format": fmt, "base_iri": base_iri}
    if isinstance(source, str | Path):
        kwargs["path"] = str(source)
    else:
        kwargs["input"] = source
    try:
        return [
            Quad(q.subject, q.predicate, q.object, graph) if isinstance(q.graph_name, DefaultGraph) else q
            for q in parse(**kwargs)
        ]
    except SyntaxError as exc:
        raise StoreError(f"invalid RDF: {exc}") from exc


def _ntriples_chunks(quads: Iterable[Quad], size: int = 10_000) -> Iterator[bytes]:
    batch: list[str] = []
    for q in quads:
        batch.append(f"{q.subject} {q.predicate} {q.object} .\n")
        if len(batch) >= size:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
