"""One SPARQL server over HTTP: its endpoints, credentials, engine profile, errors and answers.

``RemoteStore`` (``store.remote``) keeps the data semantics (datasets, the change marker, the
split into a public and a private store); this module keeps the wire: which URL takes what, how a
request is sent and retried, what an error means, and how an answer becomes pyoxigraph terms.

- **Endpoints.** Derived from the store URL (``Endpoints.derive``; ``docs/deploy.md`` has the
  table) unless given; a Virtuoso ``…/sparql`` URL with credentials gets ``/sparql-auth`` and
  ``/sparql-graph-crud-auth`` beside it (``profiles.VIRTUOSO.auth_paths``).
- **Profile.** ``KNOOPPUNT_STORE_ENGINE`` or the ``Server`` header of the first answer
  (``profiles.detect``); until a request has been answered the profile is unknown, and the first
  use that needs it sends ``ASK {}``.
- **Accept by query form.** SELECT and ASK ask for SPARQL results (JSON; XML where the engine
  writes it faster), CONSTRUCT and DESCRIBE for N-Triples (Turtle accepted), so no store has to
  guess (Virtuoso answered a CONSTRUCT asked with results types in result JSON).
- **Terms.** Outgoing terms are written by :meth:`SparqlEndpoint.term` (canonical N-Triples from
  pyoxigraph; blank nodes as skolem IRIs where the profile says so); answers are read back into
  the same terms (:meth:`SparqlEndpoint.read_term`), so a blank node written is the blank node
  read.
- **Failures.** Every request has a timeout (connect at most 5 s). Refused connections and DNS
  errors raise ``StoreUnavailable`` (503), timeouts ``StoreTimeout`` (504), a query or update the
  store refuses ``StoreBadRequest`` (400). A read that fails on a broken pooled connection, or gets
  a transient 5xx, is retried once.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

import httpx
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from ..settings import Settings
from .base import StoreBadRequest, StoreError, StoreTimeout, StoreUnavailable, Term
from .profiles import Profile, detect, profile_named

SPARQL_RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
GRAPH_ACCEPT = f"{N_TRIPLES}, text/turtle;q=0.9"
NO_GRAPH = "urn:x-knooppunt:no-graph"
"""Stands in for an empty graph list: the protocol has no way to say "no graphs at all"."""

TRANSIENT_STATUS = (500, 502, 503)
RDF_MEDIA = {
    N_TRIPLES: RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
RESULTS_MEDIA = {
    SPARQL_RESULTS_JSON: QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class Endpoints:
    """Where queries, updates and Graph Store requests go (``gsp`` None: not available)."""

    query: str
    update: str
    gsp: str | None

    @classmethod
    def from_settings(cls, settings: Settings, profile: Profile | None = None) -> Endpoints:
        return cls.derive(settings.store, settings.store_update_url, settings.store_gsp_url, profile,
                          bool(settings.store_user or settings.store_token))

    @classmethod
    def derive(cls, store: str, update_url: str = "", gsp_url: str = "", profile: Profile | None = None,
               credentials: bool = False) -> Endpoints:
        url = store.rstrip("/")
        path = urlsplit(url).path
        if path == "" and update_url:  # QLever: everything at the root
            query, update, gsp = url + "/", url + "/", None
        elif path == "":  # Oxigraph server at its root
            query, update, gsp = f"{url}/query", f"{url}/update", f"{url}/store"
        elif "/repositories/" in path and path.count("/") == 2:  # GraphDB / RDF4J
            query, update, gsp = url, f"{url}/statements", f"{url}/rdf-graphs/service"
        elif path.endswith("/query"):
            query, update, gsp = url, url[: -len("query")] + "update", None
        elif profile is not None and profile.auth_paths and path.endswith("/sparql"):
            root = url[: -len("/sparql")]
            if credentials:  # Virtuoso: updates and the graph store need an account
                query, update, gsp = url, root + profile.auth_paths[0], root + profile.auth_paths[1]
            else:
                query, update, gsp = url, url, root + "/sparql-graph-crud"
        else:  # Fuseki dataset, Virtuoso, QLever: one endpoint for both
            query, update, gsp = url, url, None
        return cls(query=query, update=update_url or update, gsp=gsp_url or gsp)


class StoreAuth(httpx.Auth):
    """User and password for a store: Basic, or Digest when the store wants it.

    Most stores (Fuseki, GraphDB, a reverse proxy in front of Oxigraph) take Basic. Digest is used
    when the profile says so, when a 401 carries a Digest challenge, and when a 401 carries no
    challenge at all (Virtuoso's ``/sparql-auth`` answers Basic that way; asking again without
    credentials brings the challenge). Once Digest has worked it is used from the start.
    """

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self.digest = False

    def auth_flow(self, request: httpx.Request):
        if self.digest:
            yield from self._digest.auth_flow(request)
            return
        response = yield next(self._basic.auth_flow(request))
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "")
        if not challenge:  # a bare 401: ask without credentials to learn the scheme
            request.headers.pop("Authorization", None)
            response = yield request
            challenge = response.headers.get("www-authenticate", "")
        if response.status_code == 401 and challenge.lower().startswith("digest"):
            self.digest = True
            request.headers.pop("Authorization", None)
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request: we already have its challenge
            try:
                yield flow.send(response)
            except StopIteration:
                return


class Solutions(list):
    """SELECT rows as dicts of variable name to term (unbound left out), with ``variables``."""

    variables: list[str]
    truncated: bool = False


class TripleList(list):
    """CONSTRUCT / DESCRIBE results: a list of triples that serialises like ``QueryTriples``."""

    truncated: bool = False

    def serialize(self, output: IO[bytes] | None = None, format: RdfFormat = RdfFormat.N_TRIPLES):  # noqa: A002
        return serialize(self, output, format)


class SparqlEndpoint:
    """One SPARQL server (query, update and maybe Graph Store endpoints) with its own profile."""

    def __init__(
        self,
        settings: Settings,
        url: str,
        *,
        update_url: str = "",
        gsp_url: str = "",
        engine: str = "auto",
    ) -> None:
        self.url = url
        self._update_url, self._gsp_url = update_url, gsp_url
        self._credentials = bool(settings.store_user or settings.store_token)
        self._profile: Profile | None = profile_named(engine)
        self._endpoints = Endpoints.derive(url, update_url, gsp_url, self._profile, self._credentials)
        self._lock = threading.Lock()
        headers = {"User-Agent": "knooppunt"}
        self._auth: StoreAuth | None = None
        if settings.store_token:
            headers["Authorization"] = f"Bearer {settings.store_token}"
        elif settings.store_user:
            self._auth = StoreAuth(settings.store_user, settings.store_password)
            self._auth.digest = bool(self._profile and self._profile.digest_auth)
        self.timeout = float(settings.store_timeout)
        self._client = httpx.Client(
            headers=headers,
            auth=self._auth,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        where = urlsplit(self._endpoints.query)._replace(query="", fragment="").geturl()
        self.where = where.split("@")[-1]
        self.genid = settings.base + "/.well-known/genid/bnode-"
        self.gsp_works = True

    # --- profile and endpoints --------------------------------------------------------------
    @property
    def profile(self) -> Profile:
        """The engine profile (set, or read from the first answer; asks ``ASK {}`` if need be)."""
        if self._profile is None:
            self._send("POST", self._endpoints.query, idempotent=True, data={"query": "ASK {}"},
                       headers={"Accept": SPARQL_RESULTS_JSON})
        assert self._profile is not None
        return self._profile

    @property
    def endpoints(self) -> Endpoints:
        self.profile  # noqa: B018 - the endpoints may depend on the engine
        return self._endpoints

    def _learn(self, response: httpx.Response) -> None:
        with self._lock:
            if self._profile is not None:
                return
            self._profile = detect(response.headers.get("server", ""))
            self._endpoints = Endpoints.derive(self.url, self._update_url, self._gsp_url, self._profile,
                                               self._credentials)
            if self._auth is not None and self._profile.digest_auth:
                self._auth.digest = True

    # --- HTTP ---------------------------------------------------------------------------------
    def _send(self, method: str, url: str, *, idempotent: bool, timeout: float | None = None,
              **kwargs) -> httpx.Response:
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
                    f"the SPARQL store at {self.where} did not accept a connection within "
                    f"{min(limit, 5.0):g} s; check that it is running and reachable"
                ) from exc
            except httpx.ConnectError as exc:
                if retry_connect and not last:
                    continue
                raise StoreUnavailable(
                    f"the SPARQL store at {self.where} cannot be reached ({_reason(exc)}); "
                    "check that it is running and that KNOOPPUNT_STORE points at it"
                ) from exc
            except httpx.TimeoutException as exc:
                raise StoreTimeout(f"the SPARQL store at {self.where} did not answer within {limit:g} s") from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if idempotent and not last:  # a pooled connection the store had closed
                    continue
                raise StoreUnavailable(
                    f"the SPARQL store at {self.where} dropped the connection ({_reason(exc)})"
                ) from exc
            if self._profile is None:
                self._learn(response)
            if idempotent and not last and response.status_code in TRANSIENT_STATUS and not self._refusal(response):
                time.sleep(0.05)  # an overloaded store (EAGAIN, 503): one more try, then report it
                continue
            break
        assert response is not None
        if response.status_code >= 400:
            self._raise_for(response)
        return response

    def _refusal(self, response: httpx.Response) -> bool:
        """A 5xx that is the engine's way of refusing the request (retrying would not help)."""
        profile = self._profile
        return profile is not None and profile.error_for(response.text[:500]) is not None

    def _raise_for(self, response: httpx.Response) -> None:
        """Turn an HTTP error of the store into the matching StoreError."""
        status = response.status_code
        message = response.text.strip()[:500]
        where = self.where
        if status in (401, 403):
            raise StoreUnavailable(
                f"the SPARQL store at {where} refused our credentials ({status}); "
                "check KNOOPPUNT_STORE_USER / _PASSWORD / _TOKEN and the account's rights"
            )
        special = self._profile.error_for(message) if self._profile else None
        if special is StoreTimeout or status == 504 or (status >= 500 and "timeout" in message.lower()):
            raise StoreTimeout(f"the SPARQL store at {where} gave up on the request: {message}")
        if special is StoreBadRequest:
            raise StoreBadRequest(f"the SPARQL store refused the request ({status}): {message}")
        if special is StoreUnavailable or status in (502, 503):
            raise StoreUnavailable(f"the SPARQL store at {where} is unavailable ({status}): {message}")
        if status == 404:
            raise StoreError(f"404 from the SPARQL store at {where}: {message}")
        if status < 500:
            raise StoreBadRequest(f"the SPARQL store refused the request ({status}): {message}")
        # Our requests are well-formed by the time they reach the store (bad SPARQL gets 400), so a
        # 5xx is the store failing (Oxigraph answers 500 "Resource temporarily unavailable" when
        # overloaded): a 503 with Retry-After for our clients, not a 500 of ours.
        raise StoreUnavailable(f"the SPARQL store at {where} failed ({status}): {message}")

    # --- terms --------------------------------------------------------------------------------
    def term(self, t: Term) -> str:
        """A term as query text: canonical N-Triples, blank nodes as IRIs where the engine needs it."""
        if isinstance(t, BlankNode):
            profile = self.profile
            if profile.skolemise:
                native = profile.native_blank_prefix
                if native and t.value.startswith(NATIVE_LABEL):
                    return f"<{native}{t.value[len(NATIVE_LABEL):]}>"
                return f"<{self.genid}{t.value}>"
        return str(t)

    def nameable(self, t: Term) -> bool:
        """Whether a term can be named in a request (a blank node only where it is skolemised)."""
        return not isinstance(t, BlankNode) or self.profile.skolemise

    def read_term(self, t):
        """A term of an answer as the term that was written (skolem IRIs and native blank nodes)."""
        if isinstance(t, NamedNode):
            value = t.value
            if value.startswith(self.genid):
                try:
                    return BlankNode(value[len(self.genid):])
                except ValueError:
                    return t
            native = self._profile.native_blank_prefix if self._profile else None
            if native and value.startswith(native):
                return _native_blank(value[len(native):], t)
        elif isinstance(t, BlankNode) and self._profile is not None and self._profile.native_blank_prefix:
            return t if t.value.startswith(NATIVE_LABEL) else _native_blank(t.value, t)
        return t

    # --- queries ------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        form: str,
        default_graphs: list[NamedNode] | None,
        named_graphs: list[NamedNode] | None,
        *,
        union: bool = False,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Solutions | bool | TripleList:
        """Run a query of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE) and read its answer.

        The dataset: given graph lists as protocol parameters; both ``None`` and ``union``: the
        engine's union default graph; both ``None``: the store's own default dataset. A result the
        store cut short raises ``StoreError``, unless ``max_rows`` is given (untrusted queries),
        where it is flagged ``truncated``.
        """
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else self.profile.results_accept
        response = self.read(sparql, default_graphs, named_graphs, union=union, timeout=timeout, accept=accept)
        cut = self._cut(response)
        if cut and max_rows is None:
            raise StoreError(
                f"the SPARQL store at {self.where} cut the answer at {cut} rows; raise its result limit "
                "(Virtuoso: ResultSetMaxRows in virtuoso.ini, see docs/deploy.md)"
            )
        result = self.answer(response, form, max_rows)
        if cut and not isinstance(result, bool):
            result.truncated = True
        return result

    def read(
        self,
        sparql: str,
        default_graphs: list[NamedNode] | None,
        named_graphs: list[NamedNode] | None,
        *,
        accept: str,
        union: bool = False,
        timeout: float | None = None,
    ) -> httpx.Response:
        """POST a query as a form, with the dataset as protocol parameters."""
        form: dict[str, str | list[str]] = {"query": sparql}
        if default_graphs is not None or named_graphs is not None:
            form["default-graph-uri"] = _graph_values(default_graphs or [])
            form["named-graph-uri"] = _graph_values(named_graphs or [])
        elif union and self.profile.union_parameter:
            form[self.profile.union_parameter] = "true"
        return self._send("POST", self._endpoints.query, idempotent=True, timeout=timeout,
                          data=form, headers={"Accept": accept})

    def _cut(self, response: httpx.Response) -> str | None:
        header = self._profile.truncation_header if self._profile else None
        return response.headers.get(header) if header else None

    def answer(self, response: httpx.Response, form: str, max_rows: int | None = None) -> Solutions | bool | TripleList:
        """An answer as rows, a boolean or triples, with terms read back (see :meth:`read_term`)."""
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        content = response.content
        if media in RDF_MEDIA:
            if form not in ("CONSTRUCT", "DESCRIBE", ""):
                raise StoreError(f"the SPARQL store answered a {form} query with {media}")
            try:
                triples = (q.triple for q in parse(content, format=RDF_MEDIA[media]))
                out = TripleList(triples if max_rows is None else _take(triples, max_rows + 1))
            except SyntaxError as exc:
                raise StoreError(f"unreadable answer from the SPARQL store ({media}): {exc}") from exc
            if self._maps_terms(content):
                out[:] = [Triple(self.read_term(t.subject), t.predicate, self.read_term(t.object)) for t in out]
            return out
        if form in ("CONSTRUCT", "DESCRIBE"):
            raise StoreError(f"the SPARQL store answered a {form} query with {media or 'no media type'}, "
                             "not RDF (it did not honour Accept: application/n-triples)")
        if self._profile is not None and self._profile.native_blank_prefix:
            native = _NATIVE_XML if "xml" in media else _NATIVE_JSON
            content = native.sub(rb"\g<1>" + NATIVE_LABEL.encode(), content)
        try:
            parsed = parse_query_results(content, format=RESULTS_MEDIA.get(media, QueryResultsFormat.JSON))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"unreadable answer from the SPARQL store ({media}): {exc}") from exc
        if isinstance(parsed, QueryBoolean):
            return bool(parsed)
        rows = self._rows(parsed, content, max_rows)
        if form == "ASK":  # an ASK answered as a one-row table (Virtuoso's __ASK_RETVAL column)
            return bool(rows) and any(_truthy(v) for v in rows[0].values())
        return rows

    def _rows(self, parsed: QuerySolutions, content: bytes, max_rows: int | None) -> Solutions:
        rows = Solutions()
        rows.variables = names = [v.value for v in parsed.variables]
        solutions: Iterable = parsed if max_rows is None else _take(parsed, max_rows + 1)
        if self._maps_terms(content):
            read = self.read_term
            rows.extend({n: read(s[n]) for n in names if s[n] is not None} for s in solutions)
        else:
            rows.extend({n: s[n] for n in names if s[n] is not None} for s in solutions)
        return rows

    def _maps_terms(self, content: bytes) -> bool:
        profile = self._profile
        return profile is not None and profile.skolemise and (
            self.genid.encode() in content or NATIVE_LABEL.encode() in content
            or (profile.native_blank_prefix or "").encode() in content or b"_:" in content
        )

    # --- updates and the graph store ----------------------------------------------------------
    def update(self, sparql_update: str) -> None:
        self._send("POST", self.endpoints.update, idempotent=False, content=sparql_update.encode(),
                   headers={"Content-Type": "application/sparql-update"})

    def gsp_get(self, graph: NamedNode) -> list[Triple] | None:
        """The triples of ``graph`` by the Graph Store Protocol (``None``: the store has none)."""
        if not self.endpoints.gsp or not self.gsp_works:
            return None
        try:
            response = self._send("GET", self.endpoints.gsp, idempotent=True, params={"graph": graph.value},
                                  headers={"Accept": N_TRIPLES})
        except StoreError as exc:
            if str(exc).startswith("404"):
                return []
            if isinstance(exc, StoreBadRequest):  # 405, 415, ...: no usable graph store here
                self.gsp_works = False
                return None
            raise
        return list(self.answer(response, "CONSTRUCT"))  # type: ignore[arg-type]

    def gsp_post(self, graph: NamedNode, quads: Iterable[Quad], chunk: int = 100_000) -> bool:
        """Add triples to ``graph`` by the Graph Store Protocol, ``chunk`` triples a request (a
        body in memory can be sent again, which Digest authentication needs); False if the store
        has no graph store."""
        if not self.endpoints.gsp or not self.gsp_works:
            return False
        batch: list[str] = []

        def post() -> None:
            self._send("POST", self.endpoints.gsp, idempotent=False, params={"graph": graph.value},
                       content="".join(batch).encode(), headers={"Content-Type": N_TRIPLES})
            batch.clear()

        try:
            for q in quads:
                batch.append(f"{self.term(q.subject)} {q.predicate} {self.term(q.object)} .\n")
                if len(batch) >= chunk:
                    post()
            if batch:
                post()
        except StoreBadRequest:
            self.gsp_works = False
            raise
        return True

    def close(self) -> None:
        self._client.close()


# --- helpers ------------------------------------------------------------------------------------
NATIVE_LABEL = "virtuoso-"
"""Label prefix of blank nodes the engine made itself (``nodeID://b1`` is read as ``_:virtuoso-b1``)."""
_NATIVE_JSON = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_NATIVE_XML = re.compile(rb"(<bnode>)nodeID://")


def _native_blank(label: str, fallback):
    try:
        return BlankNode(NATIVE_LABEL + label)
    except ValueError:
        return fallback


def _truthy(term) -> bool:
    value = term.value if isinstance(term, Literal | NamedNode) else str(term)
    return value.strip().lower() not in ("0", "false", "")


def _take(items: Iterable, n: int) -> Iterator:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


def _graph_values(graphs: list[NamedNode]) -> list[str]:
    return [g.value for g in graphs] or [NO_GRAPH]


def _reason(exc: Exception) -> str:
    return str(exc) or exc.__class__.__name__


def _rewindable(kwargs: dict) -> bool:
    return isinstance(kwargs.get("content"), bytes | str) or "data" in kwargs
