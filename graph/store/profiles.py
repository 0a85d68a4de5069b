"""Engine profiles: where a SPARQL store departs from the standard, and what Knooppunt does about it.

``store.remote`` speaks standard SPARQL 1.1 Query, Update and Protocol (and the Graph Store
Protocol where a store has it) to every store. A profile lists only the departures of one engine,
each with the behaviour that made it necessary, so the standard path stays the default and every
work-around has a reason written next to it. ``KNOOPPUNT_STORE_ENGINE`` names the profile;
``auto`` (the default) reads it from the store's ``Server`` header (``Virtuoso/07.20``,
``Oxigraph/0.5``), and anything else is ``standard``.

- ``standard``: nothing special (Fuseki, GraphDB, QLever, a proxy that hides the server).
- ``oxigraph`` (Oxigraph server 0.5): standard, plus its ``union-default-graph`` protocol
  parameter, used only when the store holds public graphs alone (``KNOOPPUNT_STORE_PRIVATE``):
  Oxigraph answers over its union default graph several times faster than over the same graphs
  listed as ``default-graph-uri``.
- ``virtuoso`` (Virtuoso Open Source 7.2, Debian's ``virtuoso-opensource``; every item observed):

  * its own graphs (``virtrdf#``, ``ldp#``, ``localuriqaserver``) are in every store: hidden,
    so they neither make a new store look seeded nor show up as public graphs;
  * ``/sparql-auth`` answers Basic credentials with a bare 401 (no challenge): Digest right away;
  * ``INSERT DATA`` with a blank node is refused ("SP031"), and blank nodes come back as
    ``nodeID://b10002``, which is not a blank node label: blank nodes travel as skolem IRIs
    (``{base}/.well-known/genid/bnode-{label}``) both ways, and Virtuoso's own ``nodeID://X``
    are read as ``_:virtuoso-X`` and written back as ``<nodeID://X>`` (which Virtuoso accepts);
  * ``FROM`` / ``FROM NAMED`` and ``define input:…`` in a query's text are *added* to the
    protocol dataset instead of being replaced by it, and any IRI called as a function runs a SQL
    procedure (``<bif:http_get>(…)`` fetches URLs as the anonymous user): an untrusted query loses
    its ``FROM`` clauses (Knooppunt sends the dataset they chose), and may call only XSD casts and
    use no ``define`` (``Profile.prepare_untrusted``);
  * errors come as 500 with a SQLSTATE: compile and data errors (37000, 22xxx, 42xxx) are the
    query's fault (400 for our clients), ``S1T00`` is a timeout (504);
  * it writes SPARQL XML results 3-4x faster than JSON (2,145 rows: 70-100 ms against 180-360
    ms), so SELECT and ASK ask for XML;
  * ``ResultSetMaxRows`` (10,000 by default) cuts results silently except for an
    ``X-SPARQL-MaxRows`` header: that header raises an error instead of giving partial data;
  * endpoints: ``/sparql`` (queries), ``/sparql-auth`` (updates, Digest) and
    ``/sparql-graph-crud-auth`` (Graph Store) are derived from a ``…/sparql`` store URL;
  * what it cannot do at all is in ``limitations`` (said at start-up and in ``/health``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import StoreBadRequest, StoreError, StoreTimeout, StoreUnavailable

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Profile:
    name: str
    hidden_graphs: tuple[str, ...] = ()
    """IRI prefixes of the engine's own graphs: never data, never public."""
    digest_auth: bool = False
    """Send user and password as Digest without trying Basic first."""
    skolemise: bool = False
    """Blank nodes travel as skolem IRIs (the engine cannot take them in ``INSERT DATA``)."""
    native_blank_prefix: str | None = None
    """How the engine writes its own blank nodes as IRIs (``nodeID://``)."""
    union_parameter: str | None = None
    """A protocol parameter that makes the default graph the union of all named graphs."""
    extended_text: bool = False
    """The engine reads query text beyond the standard: ``FROM`` and ``define`` *add* to the
    protocol dataset, and IRIs called as functions run as SQL (see ``prepare_untrusted``)."""
    sqlstate_errors: bool = False
    """Errors come as 500 with a SQLSTATE in the text (see ``error_for``)."""
    truncation_header: str | None = None
    """A response header that says the store cut the result short."""
    results_accept: str = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
    """What SELECT and ASK ask for: the results format the engine writes fastest."""
    auth_paths: tuple[str, str] | None = None
    """(update, graph store) paths beside a ``…/sparql`` query URL, when credentials are set."""
    limitations: tuple[str, ...] = field(default=())
    """What the engine cannot do, in words for the operator."""

    def is_hidden(self, iri: str) -> bool:
        return iri.startswith(self.hidden_graphs) if self.hidden_graphs else False

    def error_for(self, message: str) -> type[StoreError] | None:
        """The error class for an answer this engine words its own way (None: the generic rule)."""
        if not self.sqlstate_errors:
            return None
        state = _SQLSTATE.search(message)
        if state is None:
            return None
        code = state.group(1).upper()
        if code.startswith("S1T") or "SR171" in message:
            return StoreTimeout
        if "SECURITY" in message:  # the account lacks a grant: the operator's to fix
            return StoreUnavailable
        if code.startswith(("37", "22", "42")):
            return StoreBadRequest
        if code.startswith("40"):  # deadlock, serialisation: worth a retry later
            return StoreUnavailable
        return None

    def prepare_untrusted(self, query: str, base_iri: str | None = None) -> str:
        """The text to send for an untrusted query (the caller sends its dataset by protocol).

        On every engine a query with relative IRIs gets ``BASE <base_iri>`` in front, so they
        resolve against Knooppunt's endpoint as they do embedded (stores would use their own URL;
        Virtuoso left ``<s>`` relative and wrote N-Triples no parser reads). On Virtuoso the text is
        read with a small lexer (strings, IRIs and comments are tokens, so a keyword inside them
        does not count): ``FROM`` / ``FROM NAMED`` clauses are removed, because Virtuoso *adds*
        them to the protocol dataset where the standard says the protocol's replaces them (the
        dataset already accounts for them), and what runs code or widens the dataset is refused
        with ``StoreBadRequest``: ``define``, ``SERVICE``, ``bif:``/``sql:`` and any IRI called as a
        function other than an XSD cast (Virtuoso runs it as a SQL procedure).
        """
        tokens = _tokens(query)
        if base_iri and any(kind == "iri" and not _SCHEME.match(text[1:-1]) for kind, text, _ in tokens):
            query = f"BASE <{base_iri}>\n{query}"
            tokens = _tokens(query)
        if not self.extended_text:
            return query
        reason, spans = _virtuoso_reading(tokens)
        if reason:
            raise StoreBadRequest(reason)
        for start, end in reversed(spans):  # blanks keep every line and column where it was
            query = query[:start] + " " * (end - start) + query[end:]
        return query


STANDARD = Profile("standard")
OXIGRAPH = Profile("oxigraph", union_parameter="union-default-graph")
VIRTUOSO = Profile(
    "virtuoso",
    hidden_graphs=(  # those of a new Debian database; Virtuoso's own schemas all live under the second
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.openlinksw.com/schemas/",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/",
    ),
    digest_auth=True,
    skolemise=True,
    native_blank_prefix="nodeID://",
    extended_text=True,
    sqlstate_errors=True,
    truncation_header="x-sparql-maxrows",
    results_accept="application/sparql-results+xml",
    auth_paths=("/sparql-auth", "/sparql-graph-crud-auth"),
    limitations=(
        "updates are not atomic: an update request that fails part-way keeps what it did before the "
        "failure (observed: INSERT DATA followed by a failing DROP GRAPH keeps the insert)",
        "DROP ALL and CLEAR ALL are accepted and do nothing; knooppunt restore cannot empty the store",
        "typed literals come back in Virtuoso's form: \"1.0\"^^xsd:decimal as \"1\", "
        "\"true\"^^xsd:boolean as \"1\", \"1e3\"^^xsd:double as \"1000.0\"",
        "literals that are not valid for their datatype are refused (400), xsd:duration cannot be "
        "stored and xsd:time cannot be matched in a query",
        "blank nodes are stored as skolem IRIs ({base}/.well-known/genid/bnode-…): in /sparql "
        "isBlank() is false for them",
        "property paths need one bound end (?s :p+ ?o with both ends open fails with 'transitive "
        "start not given')",
        "queries on /sparql may not call functions other than XSD casts or use define (Virtuoso "
        "would run them as SQL or widen the dataset); an RDF collection ( … ) right after a "
        "predicate reads as a function call and is refused too",
        "ASK with LIMIT, OFFSET or ORDER BY is a syntax error",
    ),
)
PROFILES = {p.name: p for p in (STANDARD, OXIGRAPH, VIRTUOSO)}


def profile_named(name: str) -> Profile | None:
    """The profile for ``KNOOPPUNT_STORE_ENGINE`` (``None`` for ``auto``)."""
    key = (name or "auto").strip().lower()
    if key == "auto":
        return None
    if key not in PROFILES:
        raise ValueError(f"unknown store engine {name!r}: use auto, {', '.join(PROFILES)}")
    return PROFILES[key]


def detect(server_header: str) -> Profile:
    """The profile for a ``Server`` response header."""
    server = server_header.lower()
    if server.startswith("virtuoso"):
        return VIRTUOSO
    if server.startswith("oxigraph"):
        return OXIGRAPH
    return STANDARD


_SQLSTATE = re.compile(r"\bVirtuoso\s+(\w{5})\s+Error\b")

# --- reading an untrusted query the way Virtuoso does -------------------------------------------
_TOKEN = re.compile(
    r"""
     (?P<comment>\#[^\n\r]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][\w\u00b7\u00c0-\uffff]+)
    |(?P<name>[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*(?::[\w.\-:%\u00b7\u00c0-\uffff]*)?
             |:[\w.\-:%\u00b7\u00c0-\uffff]*)
    |(?P<open>\()
    |(?P<other>\S)
    """,
    re.X | re.S,
)
_CODE_SCHEMES = ("bif:", "sql:")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _tokens(query: str) -> list[tuple[str, str, tuple[int, int]]]:
    return [(m.lastgroup or "other", m.group(), m.span()) for m in _TOKEN.finditer(query) if m.lastgroup != "comment"]


def _virtuoso_reading(tokens: list[tuple[str, str, tuple[int, int]]]) -> tuple[str | None, list[tuple[int, int]]]:
    """(why the query is refused or None, spans of its FROM clauses)."""
    prefixes = {"xsd": XSD}  # Virtuoso predeclares xsd: (and bif:, sql:, which are refused below)
    expanded: list[str | None] = []
    for i, (kind, text, _) in enumerate(tokens):
        iri = None
        if kind == "iri":
            iri = text[1:-1]
        elif kind == "name" and ":" in text:
            prefix, _, local = text.partition(":")
            if i >= 1 and tokens[i - 1][1].upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
                prefixes[prefix] = tokens[i + 1][1][1:-1]
            iri = prefixes[prefix] + local if prefix in prefixes else text
        expanded.append(iri)
    spans = []
    for i, (kind, text, span) in enumerate(tokens):
        iri = expanded[i]
        if kind == "name" and text.lower() in ("define", "service"):
            return (f"{text} is not allowed here: Virtuoso pragmas and federation change the dataset or make "
                    "the store fetch data"), []
        if iri is not None and iri.lower().startswith(_CODE_SCHEMES):
            return f"<{iri}> is a Virtuoso built-in (bif:/sql:) and is not allowed", []
        if iri is not None and i + 1 < len(tokens) and tokens[i + 1][0] == "open" and not iri.startswith(XSD):
            return (f"<{iri}> is called as a function; this store runs such calls as SQL procedures, "
                    "so only XSD casts (xsd:integer(...)) are allowed (an RDF collection right after a "
                    "predicate reads the same way: write it with rdf:first/rdf:rest)"), []
        if kind == "name" and text.upper() == "FROM":
            j = i + 1
            if j < len(tokens) and tokens[j][1].upper() == "NAMED":
                j += 1
            if j >= len(tokens) or tokens[j][0] not in ("iri", "name"):
                return "FROM without a graph", []
            spans.append((span[0], tokens[j][2][1]))
    return None, spans
