"""Reading a SPARQL query's text without running it: its form, its dataset clauses, any
``SERVICE``, and the dataset it will run on. Also the errors a query can end in.

The endpoint needs these answers *before* it hands a query to a worker (to refuse updates and
federation, to pick result formats, and to restrict the dataset to public graphs), so they come
from a small lexer rather than from the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

EMPTY_GRAPH = "urn:x-knooppunt:empty-graph"
"""A graph name that never holds data: the default graph when a request names none we may show."""

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
    prefixes: dict[str, str] = field(default_factory=dict)
    """The ``PREFIX`` declarations of the text (name without the colon -> IRI)."""

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
    prefixes = shape.prefixes
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


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """``text`` with a ``PREFIX`` line for each of ``prefixes`` it does not declare itself, so a
    query may use ``kp:`` or ``skos:`` as on the query page; its own declarations win."""
    declared = query_shape(text).prefixes
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p not in declared) + text


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


