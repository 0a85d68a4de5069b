"""Validated, atomic writes: parse, compute the delta, validate it in context, commit with provenance.

Every write path of the service and the CLI ends in ``commit``:

1. the caller turns its input into a ``Delta`` (``delta.replace_graph`` for an import or a Graph
   Store PUT, ``delta.add_to_graph`` for a POST, ``update_delta`` for SPARQL Update);
2. the permissions are checked (protected graphs, admin-only graphs, emptying a graph = a drop);
3. ``route_private`` moves what must not be public (contact details, anything about a person
   beyond the allow-list) into the ``private`` graph, recording which graph stated it;
4. ``incremental.validate_delta`` validates only what the change touches; any Violation refuses the
   write whole (``Refused`` carries the report); Warnings are returned;
5. the data and its provenance record go into the store in one ``apply_delta`` call, one
   transaction: after a crash the store holds the state before or after, never between.

The store's write lock is held from step 3 to 5 so no other write slips in between the validation
and the commit.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse

from ..store import StoreError
from . import incremental, limits, provenance, renames
from .delta import (
    PRIVATE,
    PROTECTED,
    Delta,
    drop_graph,
    in_graph,
    replace_graph,
    route_private,
    skolemise,
)
from .validation import ValidationReport, ValidationResult

ADMIN_GRAPHS = ("ontology", PRIVATE)
"""Graphs an editor may not change directly (the vocabulary and concept schemes; private data,
which an editor's writes reach only through ``route_private``)."""

MEDIA_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/xml": RdfFormat.RDF_XML,
}
CSV_TYPES = ("text/csv",)
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


# --- errors ---------------------------------------------------------------------------------------
class WriteError(Exception):
    """A write that cannot be done; ``status`` is the HTTP status the service answers with."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, status: int | None = None, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        if status is not None:
            self.status = status


class ParseError(WriteError):
    title = "Malformed RDF"

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(detail, line=line, column=column)
        self.line, self.column = line, column


class OverLimit(WriteError):
    """A document the parsers are not given: too deeply nested, entities that expand too much,
    a zip bomb (see ``limits``)."""

    title = "Document over a limit"


class UnsupportedFormat(WriteError):
    status = 415
    title = "Unsupported media type"


class Forbidden(WriteError):
    status = 403
    title = "Forbidden"


class Refused(WriteError):
    """The change breaks a shape: nothing was written."""

    status = 422
    title = "Change refused by validation"

    def __init__(self, report: ValidationReport) -> None:
        n = len(report.violations)
        super().__init__(
            f"{n} violation(s) of the shapes; nothing was written. Fix them and send the change again."
        )
        self.report = report


# --- results --------------------------------------------------------------------------------------
@dataclass
class WriteResult:
    id: str | None
    graph: str | None
    added: int
    removed: int
    warnings: list[ValidationResult] = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    """Likely duplicates (``graph.curation.duplicates.Duplicate``): advice, never a refusal."""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "graph": self.graph,
            "added": self.added,
            "removed": self.removed,
            "warnings": [w.as_dict() for w in self.warnings],
            "duplicates": [d.as_dict() for d in self.duplicates],
        }


# --- parsing --------------------------------------------------------------------------------------
def rdf_format_for(media_type: str) -> RdfFormat:
    kind = media_type.split(";")[0].strip().lower()
    if kind in MEDIA_TYPES:
        return MEDIA_TYPES[kind]
    raise UnsupportedFormat(
        f"cannot read {kind or 'a body without Content-Type'}; send one of "
        + ", ".join(sorted(set(MEDIA_TYPES) | set(CSV_TYPES) | set(XLSX_TYPES)))
    )


def parse_rdf(data: bytes | io.IOBase, fmt: RdfFormat, base: str, graph: NamedNode | DefaultGraph) -> list[Quad]:
    """Parse a document into ``graph`` with skolemised blank nodes; errors carry line and column.

    Relative IRIs resolve against ``{base}/`` (the vocabulary contract). In N-Quads and TriG only
    the default graph and ``graph`` itself may appear: an import writes one graph (use
    ``knooppunt restore`` for whole datasets). Bytes (every upload) pass ``limits.check_rdf``
    first, so no document reaches the parser that could crash or stall the process; a stream
    (a local file of a trusted command) is parsed as it comes.
    """
    if isinstance(data, bytes):
        try:
            limits.check_rdf(data, fmt)
        except limits.DocumentRefused as exc:
            raise OverLimit(f"{fmt.name}: {exc}", status=exc.status) from None
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        quads = list(parse(source, fmt, base_iri=base.rstrip("/") + "/"))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        column = exc.offset if isinstance(exc.offset, int) else None
        raise ParseError(f"{fmt.name}: {exc.msg or exc}", line, column) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"{fmt.name}: {exc}") from exc
    others = {q.graph_name for q in quads} - {DefaultGraph(), graph}
    if others:
        names = ", ".join(sorted(str(g) for g in others)[:3])
        raise ParseError(f"the document names other graphs ({names}); an import writes one graph")
    return in_graph(skolemise(quads, base), graph)


# --- permissions ----------------------------------------------------------------------------------
def check_permissions(store, delta: Delta, scope: str) -> None:
    """Raise ``Forbidden`` if an ``editor`` (or anyone, for protected graphs) may not do this."""
    for graph in delta.graphs():
        check_graph(store, graph, scope)
    if scope == "admin":
        return
    removed_per_graph: dict = {}
    for q in delta.removed:
        removed_per_graph[q.graph_name] = removed_per_graph.get(q.graph_name, 0) + 1
    added_graphs = {q.graph_name for q in delta.added}
    for graph, n in removed_per_graph.items():
        if graph not in added_graphs and n >= _size(store, graph):
            raise Forbidden(f"this would empty <{getattr(graph, 'value', 'default')}>: dropping a graph needs an admin token")


def check_graph(store, graph, scope: str) -> None:
    """Raise ``Forbidden`` if a write with ``scope`` may not change ``graph`` at all."""
    if graph in {store.graph(n) for n in PROTECTED}:
        raise Forbidden(f"the graph <{graph.value}> is kept by the service and cannot be written")
    if graph in {store.graph(n) for n in ADMIN_GRAPHS} and scope != "admin":
        raise Forbidden(f"changing <{graph.value}> needs an admin token")


def _size(store, graph) -> int:
    if isinstance(graph, NamedNode):
        return store.count(graph)
    return sum(1 for _ in store.quads(graph=graph))


# --- commit ---------------------------------------------------------------------------------------
def commit(
    store,
    delta: Delta | Callable[[], Delta],
    *,
    agent: str,
    scope: str,
    operation: str,
    graph: NamedNode | None = None,
    source: str | None = None,
    replaces_graph: bool = False,
    duplicates: Callable[[Delta], list] | None = None,
    record_id: str | None = None,
    provenance_extra: list | None = None,
    bookkeeping: Callable[[], Delta] | None = None,
) -> WriteResult:
    """Validate ``delta`` in context and apply it with its provenance record, or raise.

    ``delta`` may be a function: it is then computed under the write lock, so a delta read from
    the store (a graph replacement) cannot be overtaken by a concurrent write.
    ``replaces_graph``: the write replaces (or drops) ``graph`` as a whole, so the private facts
    ``graph`` stated before and no longer states are released (``delta.route_private``).
    ``duplicates``: a check for likely duplicates (``graph.curation.duplicates.Checker``), run on
    the delta before it is written; its findings come back in ``WriteResult.duplicates``.
    ``record_id``: the provenance record's id, when the data must name it (``provenance.new_id``);
    ``provenance_extra``: more (predicate, object) pairs for the record (who proposed, when).
    ``bookkeeping``: the service's own change to a graph it keeps (a proposal's status), computed
    under the lock and written in the same transaction; not validated, not permission-checked.
    """
    with store._write_lock:  # delta, validation and commit see the same state
        delta = delta() if callable(delta) else delta
        check_permissions(store, delta, scope)  # what the caller asked for, before routing
        delta = route_private(store, delta, owner=graph, replaces=replaces_graph)
        report = incremental.validate_delta(store, delta)
        if not report.conforms:
            raise Refused(report)
        found = duplicates(delta) if duplicates is not None else []
        own = bookkeeping() if bookkeeping is not None else Delta()
        record_id = record_id or provenance.new_id()
        record = provenance.record_quads(
            store,
            record_id=record_id,
            agent=agent,
            operation=operation,
            graph=graph,
            source=source,
            added=len(delta.added),
            removed=len(delta.removed),
            extra=provenance_extra,
        )
        store.apply_delta(delta.removed + own.removed, delta.added + record + own.added)
    return WriteResult(
        record_id,
        graph.value if graph is not None else None,
        len(delta.added),
        len(delta.removed),
        report.warnings,
        found,
    )


def import_quads(
    store, quads: list[Quad], graph: NamedNode, *, agent: str, scope: str, source: str | None, operation: str = "import",
    fields: bool = False, duplicates: Callable[[Delta], list] | None = None,
) -> WriteResult:
    """Make ``graph`` hold exactly ``quads`` (an import replaces what an earlier import of it wrote).

    ``fields``: the quads come from a table (CSV) that states fields, not a whole graph: a name it
    gives a resource replaces the old one wherever it stands, the old one kept as
    ``skos:altLabel`` (``renames``), and the alternative names ``graph`` already holds for the
    table's resources (a table has no column for them) stay."""

    return commit(
        store, lambda: import_delta(store, graph, quads, fields=fields), agent=agent, scope=scope,
        operation=operation, graph=graph, source=source, replaces_graph=True, duplicates=duplicates,
    )


def import_delta(store, graph: NamedNode, quads: list[Quad], *, fields: bool = False) -> Delta:
    """The delta of importing ``quads`` into ``graph`` (see ``import_quads`` for ``fields``)."""
    if not fields:
        return replace_graph(store, graph, quads)
    kept = [q for s in {q.subject for q in quads} for q in store.quads(s, renames.ALT, None, graph)]
    return renames.combine(store, replace_graph(store, graph, quads + kept), renames.renames(store, quads))


def document_quads(store, data: bytes, media_type: str, graph: NamedNode, *, source: str | None = None) -> list[Quad]:
    """The quads an import of RDF, CSV or an OWR 2.0 workbook puts into ``graph``."""
    kind = media_type.split(";")[0].strip().lower()
    base = store.settings.base
    if kind in CSV_TYPES:
        from . import tabular

        return in_graph(tabular.read_csv(data, base, source=source), graph)
    if kind in XLSX_TYPES:
        from . import owr_sheet

        return in_graph(owr_sheet.read_workbook(data, store, source=source), graph)
    return parse_rdf(data, rdf_format_for(kind), base, graph)


def import_document(
    store,
    data: bytes,
    media_type: str,
    graph: NamedNode,
    *,
    agent: str,
    scope: str,
    source: str | None = None,
    duplicates: Callable[[Delta], list] | None = None,
) -> WriteResult:
    """Import RDF, CSV or an OWR 2.0 workbook into ``graph`` (validated, atomic, recorded).

    CSV states fields (a rename replaces the old name, see ``import_quads``); RDF and workbooks
    state the whole graph."""
    if graph == store.graph(PRIVATE):
        raise Forbidden("an import cannot replace the private graph: import into a public graph (contact "
                        "details go to the private graph by themselves) or, as an admin, use the Graph "
                        "Store Protocol on /graph/private")
    quads = document_quads(store, data, media_type, graph, source=source)
    fields = media_type.split(";")[0].strip().lower() in CSV_TYPES
    return import_quads(store, quads, graph, agent=agent, scope=scope, source=source, fields=fields,
                        duplicates=duplicates)


def check_imports(store, quads_by_graph: dict[NamedNode, list[Quad]], fields: frozenset | set = frozenset()) -> ValidationReport:
    """What importing these quads would answer, without writing: the same delta, privacy routing and
    validation as ``import_quads`` (``knooppunt validate FILE``). Each graph is replaced by its quads;
    the graphs in ``fields`` come from tables (CSV: renames, see ``import_quads``)."""
    delta = Delta()
    for graph, quads in quads_by_graph.items():
        change = import_delta(store, graph, list(dict.fromkeys(quads)), fields=graph in fields)
        delta.extend(route_private(store, change, owner=graph, replaces=True))
    return incremental.validate_delta(store, delta)


def media_type_for_path(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "csv":
        return CSV_TYPES[0]
    if suffix == "xlsx":
        return XLSX_TYPES[0]
    from ..store import rdf_format

    return rdf_format(path).media_type


def undo(store, record_id: str, *, agent: str) -> WriteResult:
    """Drop the graph an earlier write produced (admin), validated like any other write."""
    record = provenance.find(store, record_id)
    if record is None or record.graph is None:
        raise WriteError(f"no import with id {record_id!r}", status=404)
    graph = NamedNode(record.graph)

    return commit(store, lambda: drop_graph(store, graph), agent=agent, scope="admin", operation="undo",
                  graph=graph, source=record_id, replaces_graph=True)


# --- knooppunt load ---------------------------------------------------------------------------------
UNVALIDATED = "import-unvalidated"
"""The provenance operation of ``knooppunt load --no-validate``: trusted data, not validated."""


def load_path(
    store, path: Path, graph: NamedNode, *, fmt: RdfFormat | None = None, validate: bool = True,
    reader: io.IOBase | None = None,
) -> WriteResult:
    """``knooppunt load FILE``: the file replaces what ``graph`` held.

    With ``validate`` (the default) this is exactly ``POST /api/import``: one validated, atomic
    write with its provenance record (agent ``cli``). ``validate=False`` is for bulk loads of
    trusted data: the graph is emptied and the file streamed in with Oxigraph's bulk loader
    (``reader``, if given, is read instead of the path, e.g. to show progress), not in one
    transaction and without validation; the provenance record says so (``import-unvalidated``).
    Contact details are still moved to ``private`` afterwards.
    """
    media_type = media_type_for_path(path) if fmt is None else fmt.media_type
    if validate:
        from ..curation.duplicates import Checker

        return import_document(store, path.read_bytes(), media_type, graph, agent="cli", scope="admin",
                               source=path.name, duplicates=Checker(store))
    if media_type in CSV_TYPES or media_type in XLSX_TYPES:
        raise WriteError("--no-validate is for RDF files; CSV and workbooks are always validated")
    check_graph(store, graph, "admin")
    with store._write_lock:
        removed = store.count(graph)
        store.drop_graph(graph)
        try:
            added = store.load(reader or path, fmt or rdf_format_for(media_type), graph,
                               base_iri=store.settings.base + "/", bulk=True)
        except StoreError as exc:
            raise ParseError(str(exc)) from exc
        # what must not be public never stays in a public graph, however it was loaded
        loaded = list(store.quads(graph=graph))
        routed = route_private(store, Delta(added=loaded), owner=graph, replaces=True)
        kept = set(routed.added)
        moved = [q for q in loaded if q not in kept]
        store.apply_delta(moved + routed.removed, [q for q in routed.added if q.graph_name == store.graph(PRIVATE)])
        added -= len(moved)
        record_id = provenance.new_id()
        store.apply_delta([], provenance.record_quads(
            store, record_id=record_id, agent="cli", operation=UNVALIDATED, graph=graph, source=path.name,
            added=added, removed=removed,
        ))
    return WriteResult(record_id, graph.value, added, removed)
