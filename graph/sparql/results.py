"""SPARQL results as bytes: JSON, XML, CSV and TSV for SELECT/ASK, RDF formats for
CONSTRUCT/DESCRIBE, with a row cap and optional ``?xLabel`` columns for visualisation tools.

Shared by the query workers and the in-process runner, so every backend answers alike.
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
    is_rows = isinstance(result, QuerySolutions | Rows) or (
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
