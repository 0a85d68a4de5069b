"""SPARQL results as bytes: JSON, XML, CSV and TSV for SELECT/ASK, RDF formats for
CONSTRUCT/DESCRIBE, with a row cap and optional ``?xLabel`` columns for visualisation tools.

Shared by the query workers and the in-process runner, so every backend answers alike.

Two ways to the bytes (:func:`render` picks):

- **In the engine** (SELECT without ``labels=``, ASK in JSON/XML): pyoxigraph's own serialiser
  (``QuerySolutions.serialize``) writes into a :class:`CappedSink`, which counts the rows in the
  bytes as they come and stops the engine once row ``row_cap + 1`` begins; the body is then cut
  at the start of that row and closed (``]}}`` in JSON, ``</results></sparql>`` in XML), so the
  cap stays exact and no Python object is made per row: writing costs next to nothing beyond the
  evaluation, where Python rows cost ~2 µs a row (bench/README.md, "Where the time goes").
- **In Python** (``labels=``, CONSTRUCT/DESCRIBE, rows from a remote store): rows become lists
  of terms, are capped, labelled and written by :func:`render_bindings` / :func:`render_graph`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.sax.saxutils import escape, quoteattr

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
    serialize,
)

from ..namespaces import PREFIXES, RDF_TYPE, RDFS, SKOS, XSD
from .text import NotAcceptable

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
ENGINE_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}


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
    body: bytes | bytearray
    media_type: str
    format: str
    truncated: bool = False
    count: int = 0


# --- rendering (shared by workers and the in-process runner) ------------------------------------
def json_term(term) -> dict:
    """One RDF term as a SPARQL 1.1 JSON results term (also used by the remote store)."""
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
                "subject": json_term(term.subject),
                "predicate": json_term(term.predicate),
                "object": json_term(term.object),
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
            {v: json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
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
    return rdf_document(triples, GRAPH_FORMATS[fmt])


PREFIXED_FORMATS = (RdfFormat.TURTLE, RdfFormat.TRIG)


def rdf_document(
    statements: Iterable[Triple | Quad], fmt: RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples or quads as a document a person can read and ``diff``: sorted by graph, subject
    (``rdf:type`` first), predicate and object, so Turtle groups each subject's statements under
    it and the same data always gives the same bytes; Turtle and TriG get our prefixes.

    One function for every RDF answer (``/id/...``, VoID, CONSTRUCT results, ``knooppunt export``).
    """
    ordered = sorted(statements, key=_reading_order)
    declared = {**PREFIXES, **(prefixes or {})} if fmt in PREFIXED_FORMATS else None
    return serialize(ordered, format=fmt, prefixes=declared) or b""


def _reading_order(statement: Triple | Quad) -> tuple:
    graph = str(statement.graph_name) if isinstance(statement, Quad) else ""
    p = statement.predicate
    return (graph, str(statement.subject), p != RDF_TYPE, str(p), str(statement.object))


# --- rendering in the engine, with an exact row cap ---------------------------------------------
class CapReached(Exception):
    """Raised by :class:`CappedSink` into the engine's serialiser to stop it at the row cap."""


_JSON_SEPARATOR = b"},{"
_XML_ROW = b"<result>"
_CLOSE = {"json": b"]}}", "xml": b"</results></sparql>", "csv": b"", "tsv": b""}


class CappedSink:
    """A binary file for ``QuerySolutions.serialize`` that keeps the first ``cap`` rows.

    It reads the row boundaries off the bytes the engine writes, per format, exactly:

    - TSV: one row per line (the engine escapes newlines in terms), after the header line;
    - CSV: one row per line ending outside quotes (a quoted field may hold line breaks; quotes
      inside fields are doubled, so the parity of quotes tells inside from outside);
    - XML: one ``<result>`` per row (``<`` in text and attributes is escaped);
    - JSON: rows are the objects of the ``bindings`` array, separated by ``},{``; inside strings
      the same characters may occur, so escaped backslashes and quotes are blanked first and
      the parity of the remaining quotes tells strings from structure.

    This is the layout of pyoxigraph 0.5's serialisers (compact JSON, one row per line);
    ``tests/test_sparql_engine_render.py`` checks every format against the standard parsers, so
    an upgrade that changes it fails there, not in production.

    The search runs on the engine's ~8 KB chunks with bytes-level operations (no Python loop
    per byte or per row). A JSON chunk is examined up to its last byte that cannot be part of a
    separator or an escape; the rest waits for the next chunk, so nothing straddles a boundary.
    When row ``cap + 1`` begins, ``write`` raises :class:`CapReached`; :meth:`body` then holds
    the first ``cap`` rows, closed as the format requires.
    """

    def __init__(self, fmt: str, cap: int) -> None:
        if cap < 1:
            raise ValueError("the row cap must be at least 1")
        self.fmt, self.cap = fmt, cap
        self.buf = bytearray()
        self.scanned = 0
        self.marks = 0  # boundaries seen: newlines (CSV/TSV), <result> (XML), separators (JSON)
        self.inside = False  # inside a JSON string / a quoted CSV field at ``scanned``
        # the boundary after which the body is cut: the newline ending row ``cap`` (CSV/TSV,
        # after the header's), the ``<result>`` of row cap+1 (XML), the separator before it (JSON)
        self.cut_mark = cap + 1 if fmt in ("csv", "tsv", "xml") else cap
        self.candidate: int | None = None  # where to cut, once the cut mark has been seen
        self.cut: int | None = None

    # the file interface pyoxigraph needs
    def write(self, data: bytes) -> int:
        if self.cut is not None:  # the engine may flush once more after CapReached
            return len(data)
        self.buf += data
        self._scan(final=False)
        if self.cut is not None:
            raise CapReached
        return len(data)

    def flush(self) -> None:
        pass

    # --- counting ---
    def _scan(self, final: bool) -> None:
        buf, start = self.buf, self.scanned
        if self.candidate is None:
            if self.fmt == "tsv":
                self._count_plain(b"\n", start, len(buf), 1)
            elif self.fmt == "xml":
                self._count_plain(_XML_ROW, max(0, start - len(_XML_ROW) + 1), len(buf), 0)
            elif self.fmt == "csv":
                self._count_outside(bytes(buf[start:]), start, b"\n", 1)
            else:
                end = len(buf)
                if not final:  # never stop on a byte that may begin a separator or an escape
                    while end > start and buf[end - 1] in b"\\},":
                        end -= 1
                segment = bytes(buf[start:end]).replace(b"\\\\", b"__").replace(b'\\"', b"__")
                self._count_outside(segment, start, _JSON_SEPARATOR, 1)
        # XML and JSON mark the start of row cap+1 itself; a CSV/TSV row exists once a byte
        # follows the newline that ends row cap
        if self.candidate is not None and (self.fmt in ("xml", "json") or len(buf) > self.candidate):
            self.cut = self.candidate

    def _count_plain(self, pattern: bytes, start: int, end: int, keep: int) -> None:
        """Count ``pattern`` in ``buf[start:end]``; note the cut ``keep`` bytes into the match
        that is the cut mark (after a newline; before ``<result>``)."""
        found = self.buf.count(pattern, start, end)
        if self.marks + found >= self.cut_mark:
            pos = start - 1
            for _ in range(self.cut_mark - self.marks):
                pos = self.buf.find(pattern, pos + 1, end)
            self.candidate = pos + keep
        self.marks += found
        self.scanned = end

    def _count_outside(self, segment: bytes, start: int, pattern: bytes, keep: int) -> None:
        """Count ``pattern`` outside quoted parts of ``segment`` (which begins at ``start``)."""
        parts = segment.split(b'"')
        first = 1 if self.inside else 0
        found = b'"'.join(parts[first::2]).count(pattern)  # a quote never completes the pattern
        if self.marks + found >= self.cut_mark:
            want, offset = self.cut_mark - self.marks, start
            for i, part in enumerate(parts):
                pos = part.find(pattern) if i % 2 == first else -1
                while pos >= 0:
                    want -= 1
                    if want == 0:
                        self.candidate = offset + pos + keep
                        break
                    pos = part.find(pattern, pos + 1)
                if self.candidate is not None:
                    break
                offset += len(part) + 1
        self.marks += found
        self.inside ^= (len(parts) - 1) % 2 == 1
        self.scanned = start + len(segment)

    # --- the result ---
    def finish(self) -> tuple[bytearray, bool, int]:
        """(body, truncated, rows in the body) once the engine is done or was stopped."""
        if self.cut is None:
            self._scan(final=True)
        if self.cut is not None:
            del self.buf[self.cut :]
            self.buf += _CLOSE[self.fmt]
            return self.buf, True, self.cap
        if self.fmt in ("csv", "tsv"):
            rows = self.marks - 1
        elif self.fmt == "xml":
            rows = self.marks
        else:
            rows = self.marks + (1 if b'"bindings":[{' in self.buf else 0)
        return self.buf, False, rows


def render_in_engine(result: QuerySolutions, fmt: str, cap: int) -> tuple[bytearray, bool, int]:
    """The solutions in ``fmt`` by the engine's own serialiser, cut exactly after ``cap`` rows:
    (body, truncated, rows)."""
    sink = CappedSink(fmt, cap)
    try:
        result.serialize(sink, ENGINE_FORMATS[fmt])
    except CapReached:
        pass
    return sink.finish()


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
        if isinstance(result, QueryBoolean) and request.results_format in ("json", "xml"):
            body = result.serialize(format=ENGINE_FORMATS[request.results_format])
        else:  # CSV/TSV booleans are not in the standard: one column _askResult, as Jena does
            body = render_boolean(bool(result), request.results_format)
        return QueryResult("boolean", body, RESULTS_MEDIA[request.results_format], request.results_format, False, 1)
    is_rows = isinstance(result, QuerySolutions | Rows) or (
        isinstance(result, list)
        and (isinstance(result[0], dict) if result else form not in ("CONSTRUCT", "DESCRIBE"))
    )
    if is_rows:
        if request.results_format is None:
            raise NotAcceptable("bindings")
        fmt = request.results_format
        if isinstance(result, QuerySolutions) and not request.labels and cap >= 1:
            body, truncated, count = render_in_engine(result, fmt, cap)
            return QueryResult("bindings", body, RESULTS_MEDIA[fmt], fmt, truncated, count)
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
        body = render_bindings(variables, rows, fmt)
        return QueryResult("bindings", body, RESULTS_MEDIA[fmt], fmt, truncated, len(rows))
    if request.graph_format is None:
        raise NotAcceptable("graph")
    triples = list(itertools.islice(iter(result), cap + 1))
    truncated = len(triples) > cap
    triples = triples[:cap]
    fmt = request.graph_format
    return QueryResult("graph", render_graph(triples, fmt), GRAPH_MEDIA[fmt], fmt, truncated, len(triples))


class Rows(list):
    """SELECT rows as dicts, with the variables in order (``render`` reads ``variables``)."""

    variables: list[str]


def plain_results(result, cap: int):
    """Plain Python values in place of pyoxigraph result iterators, which must not outlive the
    thread that made them (they are "unsendable"; the route's error path drops them elsewhere)."""
    if isinstance(result, QuerySolutions):
        rows = Rows()
        rows.variables = [v.value for v in result.variables]
        for solution in itertools.islice(result, cap + 1):
            rows.append({v: solution[v] for v in rows.variables if solution[v] is not None})
        return rows
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, list | bool):
        return result
    return list(itertools.islice(iter(result), cap + 1))
