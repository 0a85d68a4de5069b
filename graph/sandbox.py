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

Other backends (``graph.remote.RemoteStore``) have their own server-side limits: for them
:class:`DirectRunner` forwards the query in-process under the same concurrency limit and row cap.

The dataset of a query is decided by the caller (:func:`resolve_dataset`): the protocol's
``default-graph-uri``/``named-graph-uri``, else the query's ``FROM``/``FROM NAMED``, else the union of
the public named graphs; non-public graphs (``private``, ``system``) are always dropped from it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from urllib.parse import unquote, urljoin
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)
from pyoxigraph import Store as OxStore

from .namespaces import PREFIXES, RDFS, SKOS, XSD

EMPTY_GRAPH = "urn:x-knooppunt:empty-graph"
"""A graph name that never holds data: the default graph when a request names none we may show."""

XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel")

# --- formats ------------------------------------------------------------------------------------
RESULTS_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nq": "application/n-quads",
    "trig": "application/trig",
}
GRAPH_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}


# --- errors -------------------------------------------------------------------------------------
class QueryError(Exception):
    """A query could not be answered; subclasses say why."""


class QuerySyntaxError(QueryError):
    """The parser rejected the query; ``line``/``column`` point at the problem (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class QueryRejected(QueryError):
    """A well-formed query we refuse to run (e.g. federated ``SERVICE`` calls)."""


class QueryTimeout(QueryError):
    def __init__(self, timeout: float) -> None:
        super().__init__(f"the query was stopped after {timeout:g} s")
        self.timeout = timeout


class QueryBusy(QueryError):
    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"all {limit} query workers are busy")
        self.limit, self.retry_after = limit, retry_after


class NotAcceptable(QueryError):
    """The result kind (``bindings``/``boolean``/``graph``) has no format the client accepts."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class WorkerFailed(QueryError):
    """A worker died or failed unexpectedly (not the query's fault as far as we know)."""


_POSITION = re.compile(r"error at (\d+):(\d+)")
_CHAR_CLASS = re.compile(r"\[[^\]]*\\u\{[^\]]*\]", re.S)


def syntax_error(message: str) -> QuerySyntaxError:
    """The parser's message, made readable: the long Unicode character classes Oxigraph lists
    for names are shortened to "a name character"; the position is kept and also parsed out."""
    text = _CHAR_CLASS.sub("a name character", message)
    text = re.sub(r"\s+", " ", text).strip()
    match = _POSITION.search(text)
    line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    return QuerySyntaxError(text, line, column)


# --- reading the prologue and dataset clauses without running anything -------------------------
_TOKEN = re.compile(
    r"""
     (?P<comment>\#[^\n\r]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][\w\u00b7\u00c0-\uffff]+)
    |(?P<word>[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*(?::[\w.\-:%\u00b7\u00c0-\uffff]*)?
             |:[\w.\-:%\u00b7\u00c0-\uffff]*)
    |(?P<other>\S)
    """,
    re.X | re.S,
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass
class QueryShape:
    """What the text says before any evaluation: its form and its dataset clauses."""

    form: str | None = None
    """SELECT, CONSTRUCT, DESCRIBE, ASK, or an update keyword (INSERT, DELETE, ...)."""
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    uses_service: bool = False

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def query_shape(text: str, base_iri: str | None = None) -> QueryShape:
    """Read the query form, ``FROM``/``FROM NAMED`` IRIs and any ``SERVICE`` with a small lexer.

    Strings, comments and IRIs are tokens of their own, so a keyword inside them does not count;
    prefixed names in ``FROM`` are expanded with the query's own ``PREFIX`` declarations. A text
    the lexer cannot follow is left to the real parser (which reports the error)."""
    shape = QueryShape()
    prefixes: dict[str, str] = {}
    base = base_iri
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]

    def iri_of(kind: str, value: str) -> str | None:
        if kind == "iri":
            return urljoin(base, value[1:-1]) if base else value[1:-1]
        if kind == "word" and ":" in value:
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local.replace("\\", "")
        return None

    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        upper = value.upper() if kind == "word" else ""
        after_at = i > 0 and tokens[i - 1] == ("other", "@")  # a language tag, not a keyword
        if kind != "word" or after_at:
            i += 1
            continue
        if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            target = tokens[i + 2][1][1:-1]
            prefixes[tokens[i + 1][1].rstrip(":")] = urljoin(base, target) if base else target
            i += 3
            continue
        if upper == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            target = tokens[i + 1][1][1:-1]
            base = urljoin(base, target) if base else target
            i += 2
            continue
        if shape.form is None and upper in QUERY_FORMS + UPDATE_FORMS:
            shape.form = upper
        if upper == "SERVICE":
            shape.uses_service = True
        if upper == "FROM" and i + 1 < len(tokens):
            named = tokens[i + 1][0] == "word" and tokens[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < len(tokens):
                iri = iri_of(*tokens[j])
                if iri is not None:
                    (shape.from_named if named else shape.from_graphs).append(iri)
            i = j + 1
            continue
        i += 1
    return shape


def resolve_dataset(
    public: Iterable[str],
    protocol_default: Sequence[str],
    protocol_named: Sequence[str],
    shape: QueryShape,
) -> tuple[list[str], list[str]]:
    """The (default graphs, named graphs) a query runs on, as IRIs, restricted to public graphs.

    SPARQL 1.1 Protocol §2.1.4: a dataset given in the request replaces the query's own; the
    query's ``FROM``/``FROM NAMED`` apply otherwise; with neither, the service's dataset applies,
    which here is the union of the public named graphs (and every public graph by name). A graph
    that is not public is dropped, so naming the private graph gives nothing."""
    allowed = list(public)
    allowed_set = set(allowed)
    if protocol_default or protocol_named:
        default, named = list(protocol_default), list(protocol_named)
    elif shape.has_dataset:
        default, named = shape.from_graphs, shape.from_named
    else:
        return allowed, allowed
    keep_default = [g for g in dict.fromkeys(default) if g in allowed_set]
    keep_named = [g for g in dict.fromkeys(named) if g in allowed_set]
    return keep_default or [EMPTY_GRAPH], keep_named


# --- the request and the answer -----------------------------------------------------------------
@dataclass
class QueryRequest:
    """One query to run; plain data so it crosses the pipe to a worker as is."""

    query: str
    default_graphs: list[str]
    named_graphs: list[str]
    results_format: str | None = "json"
    """Format for SELECT/ASK (a key of ``RESULTS_MEDIA``), or None if the client accepts none."""
    graph_format: str | None = "ttl"
    """Format for CONSTRUCT/DESCRIBE (a key of ``GRAPH_MEDIA``), or None."""
    labels: str | None = None
    """``nl`` or ``en``: add a ``?xLabel`` column next to every IRI column ``?x`` of a SELECT."""
    label_graphs: list[str] = field(default_factory=list)
    """Graphs labels may come from (the public ones)."""
    base_iri: str | None = None
    row_cap: int = 10_000
    public_union: bool = False
    """The request names no dataset: the default graph is the union of all public graphs. A
    worker whose store holds nothing but public graphs then uses Oxigraph's union default graph,
    which is several times faster than the same union given as a list of graphs."""


@dataclass
class QueryResult:
    kind: str  # "bindings", "boolean" or "graph"
    body: bytes
    media_type: str
    format: str
    truncated: bool = False
    count: int = 0


# --- rendering (shared by workers and the in-process runner) ------------------------------------
def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def render_bindings(variables: list[str], rows: list[list], fmt: str) -> bytes:
    """SPARQL results of a SELECT in ``fmt``; ``rows`` are lists of terms (None = unbound)."""
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {fmt!r}")


def render_boolean(value: bool, fmt: str) -> bytes:
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    if fmt == "csv":  # not defined by the CSV/TSV spec; the same shape Jena uses
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(f"unknown results format {fmt!r}")


def render_graph(triples: list[Triple], fmt: str) -> bytes:
    prefixes = PREFIXES if fmt in ("ttl", "trig") else None
    return serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""


# --- labels -------------------------------------------------------------------------------------
LabelLookup = Callable[[NamedNode], list[Literal]]


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or the last ``/``), URL-decoded."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return unquote(tail) or iri


def pick_label(candidates: list[Literal], lang: str) -> Literal | None:
    """The label in ``lang``, else Dutch, else English, else one without a language tag."""
    by_lang: dict[str, Literal] = {}
    for literal in sorted(candidates, key=lambda lit: lit.value):
        key = (literal.language or "").lower().split("-")[0]
        by_lang.setdefault(key, literal)
    for key in (lang, "nl", "en", ""):
        if key in by_lang:
            return by_lang[key]
    return None


def add_labels(
    variables: list[str], rows: list[list], lang: str, lookup: LabelLookup
) -> tuple[list[str], list[list]]:
    """Add ``?xLabel`` after every column ``?x`` that holds IRIs (nl -> en -> local name)."""
    iri_columns = [
        i for i, v in enumerate(variables)
        if f"{v}Label" not in variables and any(isinstance(r[i], NamedNode) for r in rows)
    ]
    if not iri_columns:
        return variables, rows
    cache: dict[str, Literal] = {}

    def label(term) -> Literal | None:
        if not isinstance(term, NamedNode):
            return None
        if term.value not in cache:
            chosen = pick_label(lookup(term), lang)
            cache[term.value] = chosen if chosen is not None else Literal(local_name(term.value))
        return cache[term.value]

    new_vars: list[str] = []
    for i, v in enumerate(variables):
        new_vars.append(v)
        if i in iri_columns:
            new_vars.append(f"{v}Label")
    new_rows = []
    for row in rows:
        new_row = []
        for i, term in enumerate(row):
            new_row.append(term)
            if i in iri_columns:
                new_row.append(label(term))
        new_rows.append(new_row)
    return new_vars, new_rows


def store_label_lookup(quads: Callable, graphs: Iterable[str]) -> LabelLookup:
    """Labels of an IRI from ``quads(subject, predicate)`` (any backend), only in ``graphs``."""
    allowed = set(graphs)

    def lookup(iri: NamedNode) -> list[Literal]:
        found = []
        for predicate in LABEL_PREDICATES:
            for quad in quads(iri, NamedNode(predicate)):
                graph = getattr(quad.graph_name, "value", None)
                if graph in allowed and isinstance(quad.object, Literal):
                    found.append(quad.object)
        return found

    return lookup


def render(result, request: QueryRequest, lookup: LabelLookup | None, form: str | None = None) -> QueryResult:
    """Turn what a store returned into the requested bytes, stopping at ``row_cap``.

    ``result`` is what pyoxigraph returns (QuerySolutions / QueryBoolean / QueryTriples) or what
    a remote store returns (list of row dicts, bool, list of triples); ``form`` (from
    :func:`query_shape`) settles an empty list."""
    cap = request.row_cap
    if isinstance(result, QueryBoolean | bool):
        if request.results_format is None:
            raise NotAcceptable("boolean")
        body = render_boolean(bool(result), request.results_format)
        return QueryResult("boolean", body, RESULTS_MEDIA[request.results_format], request.results_format, False, 1)
    is_rows = isinstance(result, QuerySolutions | _Rows) or (
        isinstance(result, list)
        and (isinstance(result[0], dict) if result else form not in ("CONSTRUCT", "DESCRIBE"))
    )
    if is_rows:
        if request.results_format is None:
            raise NotAcceptable("bindings")
        if isinstance(result, QuerySolutions):
            variables = [v.value for v in result.variables]
            taken = list(itertools.islice(result, cap + 1))
            rows = [[solution[v] for v in variables] for solution in taken]
        else:
            variables = list(getattr(result, "variables", None) or dict.fromkeys(k for r in result for k in r))
            variables = [getattr(v, "value", v) for v in variables]
            rows = [[r.get(v) for v in variables] for r in result[: cap + 1]]
        truncated = len(rows) > cap
        rows = rows[:cap]
        if request.labels and lookup is not None:
            variables, rows = add_labels(variables, rows, request.labels, lookup)
        body = render_bindings(variables, rows, request.results_format)
        fmt = request.results_format
        return QueryResult("bindings", body, RESULTS_MEDIA[fmt], fmt, truncated, len(rows))
    if request.graph_format is None:
        raise NotAcceptable("graph")
    triples = list(itertools.islice(iter(result), cap + 1))
    truncated = len(triples) > cap
    triples = triples[:cap]
    fmt = request.graph_format
    return QueryResult("graph", render_graph(triples, fmt), GRAPH_MEDIA[fmt], fmt, truncated, len(triples))


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


def _worker_main(conn, source: dict) -> None:
    """Loop: receive (generation, snapshot, request); answer ``started`` once the data is
    ready, then ``("ok", QueryResult)`` or ``(error kind, details)``. ``None`` ends the loop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    data = _WorkerData(source)
    if source.get("generation") is not None:  # open the data now, before the first query needs it
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
            try:
                store = data.ensure(generation, snapshot)
                conn.send(("started",))
                try:
                    answer = ("ok", execute(store, request, data.all_public(request.label_graphs)))
                except OSError:  # the files changed under a read-only store: reopen, retry once
                    store = data.ensure(generation, snapshot, force=True)
                    answer = ("ok", execute(store, request, data.all_public(request.label_graphs)))
            except QuerySyntaxError as exc:
                answer = ("syntax", (exc.message, exc.line, exc.column))
            except NotAcceptable as exc:
                answer = ("not_acceptable", exc.kind)
            except Exception as exc:  # noqa: BLE001 - reported to the parent, the worker lives on
                answer = ("error", f"{type(exc).__name__}: {exc}")
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
        code = "from graph.sandbox import _worker_entry; _worker_entry()"
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


class _Snapshot:
    """N-Quads of the public graphs of an in-memory store, written once per generation."""

    def __init__(self, store) -> None:
        self.store = store
        self.dir = tempfile.mkdtemp(prefix="knooppunt-snapshot-")
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
        shutil.rmtree(self.dir, ignore_errors=True)


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
        generation = self.store.generation
        snapshot = self._snapshot.path_for(generation) if self._snapshot else None
        worker = self._acquire()
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


class _Rows(list):
    """SELECT rows as dicts, with the variables in order (``render`` reads ``variables``)."""

    variables: list[str]


def _plain(result, cap: int):
    """Plain Python values in place of pyoxigraph result iterators, which must not outlive the
    thread that made them (they are "unsendable"; the route's error path drops them elsewhere)."""
    if isinstance(result, QuerySolutions):
        rows = _Rows()
        rows.variables = [v.value for v in result.variables]
        for solution in itertools.islice(result, cap + 1):
            rows.append({v: solution[v] for v in rows.variables if solution[v] is not None})
        return rows
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, list | bool):
        return result
    return list(itertools.islice(iter(result), cap + 1))


class DirectRunner:
    """For stores we cannot open in a worker (a remote SPARQL store): forward the query from this
    process under the same concurrency limit, row cap and labels. The remote server does the work;
    we stop waiting at ``query_timeout`` (``RemoteStore.query_raw(timeout=...)``), which is all a
    client of a remote store can do (the Oxigraph server has its own ``--timeout`` for the rest)."""

    RAW_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"

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

    def _fetch(self, request: QueryRequest):
        from pyoxigraph import QueryResultsFormat, parse, parse_query_results

        from .store import StoreError, StoreTimeout

        default = [NamedNode(g) for g in request.default_graphs]
        named = [NamedNode(g) for g in request.named_graphs]
        try:
            if hasattr(self.store, "query_raw"):
                try:
                    media, body = self.store.query_raw(request.query, self.RAW_ACCEPT, default, named,
                                                       timeout=self.timeout)
                except StoreTimeout:
                    raise QueryTimeout(self.timeout) from None
                media = media.split(";")[0].strip()
                if media == "application/n-triples":
                    return [q.triple for q in parse(body, format=RdfFormat.N_TRIPLES)]
                return _plain(parse_query_results(body, format=QueryResultsFormat.JSON), request.row_cap)
            return _plain(self.store._query(request.query, None, default, named), request.row_cap)
        except SyntaxError as exc:
            raise syntax_error(str(exc)) from None
        except StoreError as exc:
            text = str(exc)
            if "invalid SPARQL" in text or _POSITION.search(text) or "parse" in text.lower():
                raise syntax_error(text.removeprefix("invalid SPARQL: ")) from None
            raise

    def run(self, request: QueryRequest) -> QueryResult:
        if not self._slots.acquire(timeout=self.busy_wait):
            raise QueryBusy(self.max_workers, max(1, math.ceil(min(self.timeout, 5))))
        try:
            result = self._fetch(request)
            lookup = None
            if request.labels:
                lookup = store_label_lookup(
                    lambda s, p: self.store.quads(s, p, None, None), request.label_graphs
                )
            shape = query_shape(request.query, request.base_iri)
            self.served += 1
            return render(result, request, lookup, shape.form)
        finally:
            self._slots.release()

    def close(self) -> None:
        pass


def make_runner(store, settings, **kwargs) -> WorkerPool | DirectRunner:
    """The right runner for the store: worker processes for embedded Oxigraph, else direct."""
    from .store import OxigraphStore

    if isinstance(store, OxigraphStore):
        return WorkerPool(store, settings.query_timeout, settings.max_concurrent_queries, **kwargs)
    return DirectRunner(store, settings.query_timeout, settings.max_concurrent_queries, **kwargs)
