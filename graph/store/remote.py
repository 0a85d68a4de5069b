"""A remote SPARQL 1.1 store as a ``Store`` backend: the service becomes stateless over it.

Selected by an http(s) URL in ``KNOOPPUNT_STORE``. Everything goes through standard protocols, so
any SPARQL 1.1 store can serve: SPARQL 1.1 Query (reads), SPARQL 1.1 Update (every write), and the
Graph Store Protocol where a store has it (dumping one graph, bulk loads; SPARQL otherwise). The
wire (endpoints, credentials, errors, answers) is ``store.endpoint``; where an engine departs from
the standard, ``store.profiles`` says how and why; ``docs/deploy.md`` has the recipes.

Why the pieces are shaped as they are:

- **Bindings.** Bound values travel as ``VALUES`` in the query text (``store.bindings``), checked
  first on an empty local store so a query that fails embedded fails here too.
- **Dataset.** Readers see the public dataset. In one store (the default) it is sent as
  ``default-graph-uri`` / ``named-graph-uri`` protocol parameters, one per public graph; the
  protocol dataset overrides ``FROM`` / ``FROM NAMED`` in the text, so a pass-through query
  cannot reach ``private`` or ``system`` (Virtuoso adds text graphs instead: its profile refuses
  such queries). With ``KNOOPPUNT_STORE_PRIVATE`` the non-public graphs live in a second store,
  as the embedded backend keeps them in a sidecar: the main store holds public graphs only, so
  queries use its union default graph (Oxigraph's ``union-default-graph``; the graph list where
  an engine has no such switch), and no query, however it names its dataset, reaches contact
  details.
- **Change marker.** Every write also replaces ``<{base}/graph/system/version> kp:storeVersion
  N`` by a fresh, unique N (time plus random bits, made here; it rises with time, as callers may
  compare with ``>``). In one store the marker is in the same update request as the data (one
  transaction, where the store has them: a reader never sees data without its marker). With a
  private store the marker lives there, written right *after* the data, so a reader that sees the
  new marker also sees the new data (a reader between the two refreshes once more, later).
  ``named_graphs``, ``quads`` and dumps leave the marker graph out. ``generation`` reads the marker
  at most every ``generation_ttl`` seconds (0.5 s), so projections and caches of *other* processes
  notice a write within that time plus their own check interval. Writes made by tools other than
  Knooppunt do not touch the marker and are not noticed until the next Knooppunt write.
- **Failures.** See ``store.endpoint``: 503 for a store that is down, 504 for one that is slow,
  400 for what the store refuses.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Iterator

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from ..namespaces import KP, XSD
from ..settings import Settings
from ..sparql.results import json_term
from .base import NON_PUBLIC_GRAPHS, Dataset, Store, StoreBadRequest, StoreError, _delete_blank
from .bindings import bind_values, check
from .endpoint import Endpoints, Solutions, SparqlEndpoint, TripleList

__all__ = ["Endpoints", "RemoteStore", "Solutions", "TripleList", "bind_values"]

STORE_VERSION = NamedNode(KP + "storeVersion")
_POSITION = re.compile(r"error at (\d+):(\d+)")
INSERT_CHUNK = 20_000
"""Quads per ``INSERT DATA`` when a load has to be split (large seed and bulk loads)."""


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP (see the module docstring for datasets, marker and failures)."""

    backend = "remote"
    generation_ttl = 0.5
    """Seconds a read change marker is trusted before it is read again."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.main = SparqlEndpoint(settings, settings.store, update_url=settings.store_update_url,
                                   gsp_url=settings.store_gsp_url, engine=settings.store_engine)
        self.side = (SparqlEndpoint(settings, settings.store_private, engine=settings.store_engine)
                     if settings.store_private else None)
        self._hidden = {self.graph(n) for n in NON_PUBLIC_GRAPHS}
        self._marker_subject = NamedNode(settings.graph_iri("system/version"))
        self._generation_cache: tuple[float, int] | None = None
        self._graphs_cache: tuple[int, list[NamedNode]] | None = None
        if self.side is not None:
            self._move_hidden_to_side()

    # --- what kind of store ---------------------------------------------------------------------
    @property
    def endpoints(self) -> Endpoints:
        return self.main.endpoints

    @property
    def engine(self) -> str:
        return self.main.profile.name

    @property
    def limitations(self) -> tuple[str, ...]:
        found = list(self.main.profile.limitations)
        if self.side is not None:
            found += [x for x in self.side.profile.limitations if x not in found]
        return tuple(found)

    def _where(self, graph) -> SparqlEndpoint:
        return self.side if self.side is not None and graph in self._hidden else self.main

    @property
    def _marker_store(self) -> SparqlEndpoint:
        return self.side if self.side is not None else self.main

    # --- the change marker ----------------------------------------------------------------------
    def _next_marker(self) -> int:
        marker = time.time_ns() // 1_000_000 * 1_000_000 + secrets.randbelow(1_000_000)
        if self._generation_cache is not None and marker <= self._generation_cache[1]:
            marker = self._generation_cache[1] + 1 + secrets.randbelow(1_000)  # keep it rising
        return marker

    def _marker_update(self, marker: int) -> str:
        g = self._marker_subject
        value = Literal(str(marker), datatype=NamedNode(XSD + "integer"))
        return (f"DELETE WHERE {{ GRAPH {g} {{ {g} {STORE_VERSION} ?v }} }} ;\n"
                f"INSERT DATA {{ GRAPH {g} {{ {g} {STORE_VERSION} {value} }} }}")

    def _write(self, target: SparqlEndpoint, sparql_update: str) -> None:
        """Run an update on ``target`` and move the change marker (same request where it lives).

        If the request fails, the marker is moved anyway (best effort): on an engine without
        transactions part of the update may have stuck, and other processes must re-read.
        """
        marker = self._next_marker()
        text = sparql_update.strip()
        try:
            if target is self._marker_store:
                target.update(_join(text, self._marker_update(marker)))
            else:
                if text:
                    target.update(text)
                self._marker_store.update(self._marker_update(marker))
        except StoreError:
            self._generation_cache = None
            with contextlib.suppress(StoreError):
                self._marker_store.update(self._marker_update(self._next_marker()))
            raise
        self._generation_cache = (time.monotonic(), marker)

    @property
    def generation(self) -> int:
        """The store's change marker, read at most every ``generation_ttl`` seconds."""
        now = time.monotonic()
        cached = self._generation_cache
        if cached is not None and now - cached[0] < self.generation_ttl:
            return cached[1]
        g = self._marker_subject
        rows = self._marker_store.query(f"SELECT ?v WHERE {{ GRAPH {g} {{ {g} {STORE_VERSION} ?v }} }}",
                                        "SELECT", None, None)
        # Two writers racing may each leave a marker; any change of the set changes the sum.
        generation = sum(int(r["v"].value) for r in rows if "v" in r) % (1 << 62)  # type: ignore[union-attr]
        self._generation_cache = (time.monotonic(), generation)
        return generation

    # --- reading ------------------------------------------------------------------------------
    def _graphs_of(self, endpoint: SparqlEndpoint) -> list[NamedNode]:
        # GROUP BY, not DISTINCT: the same graphs, and Virtuoso answers it from its graph index
        # (20 ms on a new seeded store, against 1.2-3.2 s for DISTINCT, which scans every quad).
        rows = endpoint.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "SELECT", None, None)
        profile = endpoint.profile
        return [
            r["g"] for r in rows  # type: ignore[union-attr]
            if isinstance(r.get("g"), NamedNode) and r["g"] != self._marker_subject and not profile.is_hidden(r["g"].value)
        ]

    def named_graphs(self) -> list[NamedNode]:
        generation = self.generation
        if self._graphs_cache is None or self._graphs_cache[0] != generation:
            graphs = self._graphs_of(self.main)
            if self.side is not None:
                graphs += [g for g in self._graphs_of(self.side) if g not in graphs]
            self._graphs_cache = (generation, graphs)
        return list(self._graphs_cache[1])

    def public_graphs(self) -> list[NamedNode]:
        if self.side is None:
            return super().public_graphs()
        return sorted((g for g in self.named_graphs() if g not in self._hidden), key=str)

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[Quad]:
        """Quads matching a pattern, in the named graphs (a remote store keeps nothing else)."""
        if graph is not None:
            return self._quads(self._where(graph), subject, predicate, obj, graph)
        found = self._quads(self.main, subject, predicate, obj, None)
        if self.side is not None:
            return itertools.chain(found, self._quads(self.side, subject, predicate, obj, None))
        return found

    def _quads(self, endpoint: SparqlEndpoint, subject, predicate, obj, graph) -> Iterator[Quad]:
        if not all(endpoint.nameable(t) for t in (subject, obj) if t is not None):
            return iter(())  # a blank node this store cannot name in a query
        term = endpoint.term
        s = term(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = term(obj) if obj is not None else "?o"
        g = str(graph) if graph is not None else "?g"
        rows = endpoint.query(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}", "SELECT", None, None)
        hidden = endpoint.profile.is_hidden
        marker = self._marker_subject
        # The change marker is this backend's bookkeeping, not data: dumps and diffs skip it; so are
        # the engine's own graphs.
        return (
            Quad(
                subject if subject is not None else r["s"],
                predicate if predicate is not None else r["p"],
                obj if obj is not None else r["o"],
                graph if graph is not None else r["g"],
            )
            for r in rows  # type: ignore[union-attr]
            if graph is not None or (r["g"] != marker and not hidden(r["g"].value))
        )

    def _dataset(self, dataset: Dataset) -> tuple[list[NamedNode] | None, list[NamedNode] | None]:
        if self.side is not None:
            return None, None  # the main store is all public: its union default graph
        return super()._dataset(dataset)

    def count(self, graph: NamedNode | None = None) -> int:
        if graph is not None and self.side is not None and graph in self._hidden:
            rows = self.side.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                                   "SELECT", None, None)
            return int(rows[0]["n"].value) if rows else 0  # type: ignore[index]
        return super().count(graph)

    def _query(self, sparql, bindings, default_graphs, named_graphs):
        form = check(sparql, bindings)
        if bindings:
            for name, t in bindings.items():
                if not self.main.nameable(t):
                    raise StoreError(f"binding ?{name}: this store cannot take a blank node in a query")
            sparql = bind_values(sparql, bindings, form, self.main.term)
        union = default_graphs is None and named_graphs is None
        if not (union and self.side is not None and self.main.profile.union_parameter):
            union = False  # ``None`` for a list: every graph of the main store, by name
            if default_graphs is None or named_graphs is None:
                everything = self._main_graphs()
                default_graphs = everything if default_graphs is None else default_graphs
                named_graphs = everything if named_graphs is None else named_graphs
        try:
            return self.main.query(sparql, form, default_graphs, named_graphs, union=union)
        except StoreBadRequest as exc:  # one of our own queries: not the client's fault
            raise StoreError(f"the store cannot run one of Knooppunt's queries: {exc}") from exc

    def query(self, sparql: str, *, dataset: Dataset = "public"):
        """As ``Store.query``: pyoxigraph's own result objects (``QuerySolutions``, ``QueryBoolean``)
        or triples, with this store's terms already read back (blank nodes)."""
        result = self._query(sparql, None, *self._dataset(dataset))
        if isinstance(result, bool):
            return parse_query_results(json.dumps({"head": {}, "boolean": result}).encode(), format=QueryResultsFormat.JSON)
        if isinstance(result, Solutions):
            return parse_query_results(_results_json(result), format=QueryResultsFormat.JSON)
        return result

    def _main_graphs(self) -> list[NamedNode]:
        """Every graph of the main store: the whole store, or (with a private store) the public one."""
        graphs = self.named_graphs()
        return [g for g in graphs if g not in self._hidden] if self.side is not None else graphs

    def query_untrusted(
        self,
        text: str,
        form: str,
        default_graphs: list[NamedNode],
        named_graphs: list[NamedNode],
        *,
        union: bool,
        timeout: float,
        max_rows: int,
        base_iri: str | None = None,
    ) -> Solutions | bool | TripleList:
        """A query from outside (``/sparql``), on the given public dataset, read like our own.

        ``union``: the query names no dataset, so a main store that holds only public graphs may
        answer from its union default graph. The engine's profile prepares the text first
        (``Profile.prepare_untrusted``: relative IRIs against ``base_iri``; on Virtuoso ``FROM``
        removed, SQL calls refused with ``StoreBadRequest``); a result the store cut short comes back
        flagged ``truncated``.
        """
        prepared = self.main.profile.prepare_untrusted(text, base_iri)
        fast = union and self.side is not None and bool(self.main.profile.union_parameter)
        try:
            if fast:
                return self.main.query(prepared, form, None, None, union=True, timeout=timeout, max_rows=max_rows)
            return self.main.query(prepared, form, default_graphs, named_graphs, timeout=timeout, max_rows=max_rows)
        except StoreBadRequest as exc:
            if prepared.startswith("BASE <") and not text.startswith("BASE <"):  # report the client's lines
                raise StoreBadRequest(_POSITION.sub(lambda m: f"error at {int(m[1]) - 1}:{m[2]}", str(exc))) from None
            raise

    def query_raw(
        self,
        text: str,
        accept: str,
        default_graphs: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        timeout: float | None = None,
    ) -> tuple[str, bytes]:
        """The store's own answer to ``text``: ``(content_type, body)``, untouched.

        ``None`` graph lists mean the whole main store; pass the public graphs for untrusted
        queries. Bad queries raise ``StoreBadRequest`` with the store's message.
        """
        if default_graphs is None and named_graphs is None:
            default_graphs = named_graphs = self._main_graphs()
        response = self.main.read(text, default_graphs, named_graphs, accept=accept, timeout=timeout)
        return response.headers.get("content-type", "application/octet-stream"), response.content

    # --- writing ------------------------------------------------------------------------------
    def _apply(self, removed: list[Quad], added: list[Quad]) -> None:
        if not removed and not added:
            return
        if self.side is None:
            self._write(self.main, self._delta(self.main, removed, added))
            return
        side = self.side
        side_removed = [q for q in removed if q.graph_name in self._hidden]
        side_added = [q for q in added if q.graph_name in self._hidden]
        removed = [q for q in removed if q.graph_name not in self._hidden]
        added = [q for q in added if q.graph_name not in self._hidden]
        # As the embedded sidecar: hidden additions first and hidden removals last, so a failure
        # between the requests can leave an unreferenced private fact, never a public one without
        # its private part. The marker goes with the last request.
        if side_added:
            side.update(self._delta(side, [], side_added))
        if removed or added:
            self.main.update(self._delta(self.main, removed, added))
        self._write(side, self._delta(side, side_removed, []) if side_removed else "")

    @staticmethod
    def _delta(endpoint: SparqlEndpoint, removed: list[Quad], added: list[Quad]) -> str:
        """The update text of a delta for ``endpoint``: DELETE DATA, a DELETE WHERE per group of
        quads with blank nodes the engine cannot name (the embedded store's way), INSERT DATA.

        One ``DELETE DATA`` / ``INSERT DATA`` *per graph*, each with one ``GRAPH`` block: Virtuoso
        7.2 silently keeps language-tagged literals that a ``DELETE DATA`` names in a second
        ``GRAPH`` block (observed: an undo left every ``rdfs:label "…"@nl`` behind).
        """
        def nameable(q: Quad) -> bool:
            return endpoint.nameable(q.subject) and endpoint.nameable(q.object)

        parts = _data_operations("DELETE DATA", endpoint, [q for q in removed if nameable(q)])
        parts += _delete_blank(q for q in removed if not nameable(q))
        parts += _data_operations("INSERT DATA", endpoint, added)
        return " ;\n".join(parts)

    def update(self, sparql_update: str) -> None:
        with self._write_lock:
            if self.side is None:
                self._write(self.main, sparql_update)
            else:
                self.main.update(sparql_update)
                self._move_hidden_to_side()
                self._write(self.side, "")
        self._notify([], [])

    def _move_hidden_to_side(self) -> None:
        """Keep non-public graphs out of the main store (after a raw update; at start, so turning
        on ``KNOOPPUNT_STORE_PRIVATE`` moves what an earlier set-up kept in one store)."""
        assert self.side is not None
        for graph in sorted(self._hidden, key=str):
            moved = list(self._quads(self.main, None, None, None, graph))
            if moved:
                self.side.update(self._delta(self.side, [], moved))
                self.main.update(f"DROP SILENT GRAPH {graph}")

    def load(self, source, fmt, graph, *, base_iri=None, bulk=False) -> int:
        """Parse here (relative IRIs resolve against ``base_iri``), send absolute terms.

        A load that fits one request carries the data and the marker together, so it is atomic;
        larger ones go in ``INSERT_CHUNK``-quad requests, and ``bulk`` loads of triples go to the
        Graph Store endpoint where there is one; the marker moves after the last.
        """
        before = self.count(graph)
        quads = _parse_source(source, fmt, graph, base_iri)
        with self._write_lock:
            jobs: list[tuple[SparqlEndpoint, str]] = []
            for endpoint, part in self._by_store(quads):
                if bulk and fmt not in (RdfFormat.N_QUADS, RdfFormat.TRIG) and self._gsp_load(endpoint, graph, part):
                    continue
                jobs += [(endpoint, self._delta(endpoint, [], part[i : i + INSERT_CHUNK]))
                         for i in range(0, len(part), INSERT_CHUNK)]
            for endpoint, text in jobs[:-1]:
                endpoint.update(text)
            self._write(*(jobs[-1] if jobs else (self._marker_store, "")))
        self._notify([], [])
        return self.count(graph) - before

    def _by_store(self, quads: list[Quad]) -> list[tuple[SparqlEndpoint, list[Quad]]]:
        if self.side is None:
            return [(self.main, quads)] if quads else []
        side = [q for q in quads if q.graph_name in self._hidden]
        main = [q for q in quads if q.graph_name not in self._hidden]
        return [(e, part) for e, part in ((self.side, side), (self.main, main)) if part]

    @staticmethod
    def _gsp_load(endpoint: SparqlEndpoint, graph: NamedNode, quads: list[Quad]) -> bool:
        try:
            return endpoint.gsp_post(graph, quads)
        except StoreBadRequest:  # no usable graph store after all: SPARQL (INSERT DATA is idempotent)
            return False

    def drop_graph(self, graph: NamedNode) -> None:
        with self._write_lock:
            self._write(self._where(graph), f"DROP SILENT GRAPH {graph}")
        self._notify([], [])

    def dump(self, output, fmt, graph=None) -> None:
        if graph is None:
            serialize(self.quads(), output, fmt)
            return
        endpoint = self._where(graph)
        triples = endpoint.gsp_get(graph)
        if triples is None:
            triples = list(endpoint.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                                          "CONSTRUCT", [], [graph]))  # type: ignore[arg-type]
        if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            serialize((Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples), output, fmt)
        else:
            serialize(triples, output, fmt)

    def close(self) -> None:
        self.main.close()
        if self.side is not None:
            self.side.close()


# --- helpers ------------------------------------------------------------------------------------
def _data_operations(operation: str, endpoint: SparqlEndpoint, quads: list[Quad]) -> list[str]:
    """``operation { GRAPH g { … } }`` once per graph, terms written by ``endpoint``."""
    by_graph: dict = {}
    for q in quads:
        by_graph.setdefault(q.graph_name, []).append(q)
    term = endpoint.term
    out = []
    for graph, group in by_graph.items():
        body = " ".join(f"{term(q.subject)} {q.predicate} {term(q.object)} ." for q in group)
        out.append(f"{operation} {{ GRAPH {graph} {{ {body} }} }}" if isinstance(graph, NamedNode)
                   else f"{operation} {{ {body} }}")
    return out


def _results_json(rows: Solutions) -> bytes:
    """SPARQL JSON results of rows (to hand them on as pyoxigraph ``QuerySolutions``)."""
    bindings = [{name: json_term(t) for name, t in row.items()} for row in rows]
    return json.dumps({"head": {"vars": rows.variables}, "results": {"bindings": bindings}}).encode()


def _join(*updates: str) -> str:
    return " ;\n".join(u for u in updates if u.strip())


def _parse_source(source, fmt: RdfFormat, graph: NamedNode, base_iri: str | None) -> list[Quad]:
    kwargs: dict = {"format": fmt, "base_iri": base_iri}
    if isinstance(source, str) or hasattr(source, "__fspath__"):
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

