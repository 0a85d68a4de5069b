"""The store interface every backend implements (``store.oxigraph``, ``store.remote``).

Terms are pyoxigraph terms throughout (``NamedNode``, ``Literal``, ``BlankNode``, ``Quad``): they are
fast, immutable and the same in every backend. Our own queries take their parameters as bound
values (``bindings``), never as text pasted into the query.

The *public* dataset is what readers see: its default graph is the union of the public named
graphs, and the ``private`` and ``system`` graphs are not in it at all.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO
from typing import Literal as TypingLiteral

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

from ..namespaces import sparql_prefixes
from ..settings import Settings
from .state import new_state_id

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]
Dataset = TypingLiteral["public", "all"]

NON_PUBLIC_GRAPHS = ("private", "system", "proposals")
"""Graphs no reader sees: contact details, the service's own state, proposals not yet approved."""
LINE_FORMATS = (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS)
BULK_CHUNK_BYTES = 16 * 1024 * 1024  # about 100k N-Triples lines

FORMATS: dict[str, RdfFormat] = {
    "ttl": RdfFormat.TURTLE,
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "ntriples": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
    "rdf": RdfFormat.RDF_XML,
    "rdfxml": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
    "owl": RdfFormat.RDF_XML,
    "n3": RdfFormat.N3,
}


def rdf_format(name_or_path: str | Path) -> RdfFormat:
    """The RDF format for a short name ("ttl") or a file name ("x.nq")."""
    key = str(name_or_path).lower()
    if key in FORMATS:
        return FORMATS[key]
    suffix = Path(key).suffix.lstrip(".")
    if suffix in FORMATS:
        return FORMATS[suffix]
    raise ValueError(f"unknown RDF format: {name_or_path!r} (known: {', '.join(sorted(FORMATS))})")


class StoreError(Exception):
    """The store could not do what was asked (bad query, unreachable store, ...)."""


class StoreUnavailable(StoreError):
    """A remote store did not answer (down): the service maps this to 503."""


class StoreTimeout(StoreError):
    """A remote store answered too slowly: the service maps this to 504."""


class StoreBadRequest(StoreError):
    """A remote store refused a query or update as malformed or unsupported: the client's fault,
    which the service maps to 400 (engines word this differently; ``store.profiles`` reads them)."""


class StoreLocked(StoreError):
    """An embedded store on disk is open in another process (RocksDB allows one at a time).

    ``path`` is the store directory; the CLI uses it to find the process and its address."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"the store {path} is in use by another process ({detail})")
        self.path = path


class Store(ABC):
    """What every backend offers. Subclasses implement the abstract methods."""

    backend: str = "abstract"
    engine: str = "pyoxigraph"
    """The engine behind the backend (a remote store's profile name: oxigraph, virtuoso, ...)."""
    limitations: tuple[str, ...] = ()
    """What this store cannot do that the service otherwise would, in words for the operator."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._write_lock = threading.RLock()
        self._public_cache: tuple[int, list[NamedNode]] | None = None
        self._count_cache: dict[tuple[int, str | None], int] = {}
        self._listeners: list[Callable[[Iterable[Quad], Iterable[Quad]], None]] = []
        self._session = new_state_id()

    # --- graphs -----------------------------------------------------------------------------
    def graph(self, name: str) -> NamedNode:
        return NamedNode(self.settings.graph_iri(name))

    def graph_name(self, graph: NamedNode) -> str:
        prefix = self.settings.graph_iri("")
        return graph.value[len(prefix) :] if graph.value.startswith(prefix) else graph.value

    def public_graphs(self) -> list[NamedNode]:
        generation = self.generation
        if self._public_cache is None or self._public_cache[0] != generation:
            hidden = {self.graph(n) for n in NON_PUBLIC_GRAPHS}
            graphs = sorted((g for g in self.named_graphs() if g not in hidden), key=str)
            self._public_cache = (generation, graphs)
        return list(self._public_cache[1])

    def is_public_graph(self, graph: NamedNode) -> bool:
        return graph.value not in {self.settings.graph_iri(n) for n in NON_PUBLIC_GRAPHS}

    # --- reading ----------------------------------------------------------------------------
    @property
    @abstractmethod
    def generation(self) -> int:
        """Changes whenever the data changes, so caches and projections know to refresh."""

    def state_id(self, generation: int | None = None) -> str:
        """An id of the data as of ``generation`` (default: now): equal ids mean equal data.

        Here it holds within this process only (a random session id and the generation); the
        on-disk Oxigraph store keeps it across processes and restarts (``graph.store.state``).
        Caches keyed by it (HTTP ETags, the persisted projection) can never mistake one state
        of the data for another."""
        return f"{self._session}:{self.generation if generation is None else generation}"

    keeps_state = False
    """True if :meth:`state_id` identifies the data across processes and restarts, so that
    derived structures may be kept on disk for it (``graph.analysis.snapshot``)."""

    @abstractmethod
    def named_graphs(self) -> list[NamedNode]: ...

    @abstractmethod
    def quads(
        self,
        subject: Term | None = None,
        predicate: NamedNode | None = None,
        obj: Term | None = None,
        graph: NamedNode | None = None,
    ) -> Iterator[Quad]: ...

    @abstractmethod
    def _query(
        self,
        sparql: str,
        bindings: dict[str, Term] | None,
        default_graphs: list[NamedNode] | None,
        named_graphs: list[NamedNode] | None,
    ) -> QuerySolutions | QueryBoolean | QueryTriples | list | bool:
        """Run a query; ``None`` graph lists mean "the whole store" (all named graphs)."""

    def _dataset(self, dataset: Dataset) -> tuple[list[NamedNode] | None, list[NamedNode] | None]:
        if dataset == "all":
            return list(self.named_graphs()), None
        graphs = self.public_graphs()
        return graphs, graphs

    def select(
        self,
        sparql: str,
        bindings: dict[str, Term] | None = None,
        *,
        dataset: Dataset = "public",
        prefixes: bool = True,
    ) -> list[Row]:
        """Rows of a SELECT as dicts of variable name to term (unbound variables left out).

        ``bindings`` are substituted as values (SEP-0007), never pasted as text; a bound
        variable must appear in the SELECT projection.
        """
        default, named = self._dataset(dataset)
        text = sparql_prefixes() + sparql if prefixes else sparql
        result = self._query(text, bindings, default, named)
        if isinstance(result, list):
            return result
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return rows

    def query(self, sparql: str, *, dataset: Dataset = "public"):
        """Run query text as given (no prefixes added): ``QuerySolutions``, ``QueryBoolean`` or
        triples, for callers that render the result themselves (``knooppunt query``)."""
        return self._query(sparql, None, *self._dataset(dataset))

    def ask(self, sparql: str, bindings: dict[str, Term] | None = None, *, dataset: Dataset = "public") -> bool:
        default, named = self._dataset(dataset)
        return bool(self._query(sparql_prefixes() + sparql, bindings, default, named))

    def construct(
        self, sparql: str, bindings: dict[str, Term] | None = None, *, dataset: Dataset = "public"
    ) -> list[Triple]:
        default, named = self._dataset(dataset)
        return list(self._query(sparql_prefixes() + sparql, bindings, default, named))

    def count(self, graph: NamedNode | None = None) -> int:
        """Triples in one graph, or in the whole public dataset (quads in public graphs)."""
        key = (self.generation, graph.value if graph else None)
        if key not in self._count_cache:
            if graph is not None:
                rows = self.select(  # ?g is projected: pyoxigraph only substitutes projected variables
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                    {"g": graph},
                    dataset="all",
                    prefixes=False,
                )
            else:
                rows = self.select(
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", prefixes=False
                )
            self._count_cache = {k: v for k, v in self._count_cache.items() if k[0] == key[0]}
            self._count_cache[key] = int(rows[0]["n"].value) if rows else 0
        return self._count_cache[key]

    def is_empty(self) -> bool:
        return not self.named_graphs() and next(iter(self.quads()), None) is None

    # --- writing ----------------------------------------------------------------------------
    def on_change(self, listener: Callable[[Iterable[Quad], Iterable[Quad]], None]) -> None:
        """Call ``listener(removed, added)`` after each committed change (used by projections)."""
        self._listeners.append(listener)

    def _notify(self, removed: list[Quad], added: list[Quad]) -> None:
        for listener in list(self._listeners):
            listener(removed, added)

    @abstractmethod
    def _apply(self, removed: list[Quad], added: list[Quad]) -> None:
        """Remove then add, atomically (all or nothing, also across a crash)."""

    def apply_delta(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        removed, added = list(removed), list(added)
        with self._write_lock:
            self._apply(removed, added)
        self._notify(removed, added)

    @abstractmethod
    def update(self, sparql_update: str) -> None:
        """Run a SPARQL Update atomically. Listeners are told the graph changed (no delta)."""

    @abstractmethod
    def load(
        self,
        source: str | Path | bytes | IO[bytes],
        fmt: RdfFormat,
        graph: NamedNode,
        *,
        base_iri: str | None = None,
        bulk: bool = False,
    ) -> int:
        """Add a document's triples (or quads) to ``graph``; returns how many were added."""

    @abstractmethod
    def drop_graph(self, graph: NamedNode) -> None: ...

    @abstractmethod
    def dump(self, output: IO[bytes], fmt: RdfFormat, graph: NamedNode | None = None) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional for backends
        """Release files and connections."""


def quad_text(q: Quad) -> str:
    triple = f"{q.subject} {q.predicate} {q.object} ."
    if isinstance(q.graph_name, DefaultGraph):
        return triple
    return f"GRAPH {q.graph_name} {{ {triple} }}"


def delta_update(removed: list[Quad], added: list[Quad]) -> str:
    """One SPARQL Update request (one transaction) that removes then adds.

    The quads are already parsed terms; their N-Triples form is the canonical, escaped
    serialisation, so no user text reaches the update unescaped.
    """
    parts = []
    plain = [q for q in removed if not _has_blank(q)]
    if plain:
        parts.append("DELETE DATA { " + " ".join(quad_text(q) for q in plain) + " }")
    parts += _delete_blank(q for q in removed if _has_blank(q))
    if added:
        parts.append("INSERT DATA { " + " ".join(quad_text(q) for q in added) + " }")
    return " ;\n".join(parts)


def _has_blank(q: Quad) -> bool:
    return isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)


def _delete_blank(quads: Iterable[Quad]) -> list[str]:
    """``DELETE WHERE`` operations for quads with blank nodes (``DELETE DATA`` cannot name them).

    A stored blank node can only be found by what is said about it, so each connected group of
    such quads becomes one pattern with a variable per blank node. (Two groups that are
    isomorphic copies in the same graph are removed together: RDF cannot tell them apart.)
    """
    groups: dict[str, list[Quad]] = {}
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            label = parent[label]
        return label

    quads = list(quads)
    for q in quads:
        labels = [t.value for t in (q.subject, q.object) if isinstance(t, BlankNode)]
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    for q in quads:
        label = next(t.value for t in (q.subject, q.object) if isinstance(t, BlankNode))
        groups.setdefault(root(label), []).append(q)

    names: dict[str, str] = {}

    def term(t) -> str:  # labels may hold characters a variable name cannot
        return names.setdefault(t.value, f"?b{len(names)}") if isinstance(t, BlankNode) else str(t)

    ops = []
    for group in groups.values():
        patterns = []
        for q in group:
            triple = f"{term(q.subject)} {q.predicate} {term(q.object)} ."
            patterns.append(triple if isinstance(q.graph_name, DefaultGraph) else f"GRAPH {q.graph_name} {{ {triple} }}")
        ops.append("DELETE WHERE { " + " ".join(patterns) + " }")
    return ops
