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


class QueryCrashed(QueryError):
    """The engine died twice while evaluating the same query (on two fresh workers)."""


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


# --- reading the text as the SPARQL grammar does -----------------------------------------------
# Terminals of the SPARQL 1.1 grammar (section 19.8), written out exactly: a lexer that is more
# lenient than the grammar could read a ``#`` inside a name or an IRI as the start of a comment and
# miss what follows it.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_STRINGS = (
    r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
)
_PN_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_TOKEN = re.compile(
    "|".join([
        r"(?P<ws>[\x20\t\r\n]+)",
        r"(?P<comment>#[^\n\r]*)",
        rf"(?P<string>{_STRINGS})",
        rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)",
        rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
        r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
        rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
        rf"(?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:(?:{_PN_LOCAL})?)",
        r"(?P<word>[A-Za-z][A-Za-z0-9_]*)",
        r"(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)",
        r"(?P<open>[({\[])",
        r"(?P<close>[)}\]])",
        r"(?P<op>\|\||&&|!=|<=|>=|\^\^)",
        r"(?P<other>.)",
    ]),
    re.S,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
MAX_NESTING = 100
"""Most brackets (``( { [``) a query may open inside each other. Oxigraph's parser recurses per
level and overflows the stack of the process at ~900 nested function calls (``CONCAT(CONCAT(...``)
and ~2,200 nested groups; parsing time also grows steeply with nested blank nodes and collections.
Real queries stay far below 100."""
MAX_DEPTH = 1000
"""Most levels the engine's expression and pattern tree may have: open brackets plus the
operators chained on each open level (``1+1+...``, ``!!...``, ``{} MINUS {} MINUS ...``). The
engine builds a tree as deep as such a chain and recurses over it: a 6,700-term sum and 2,600
chained MINUS overflowed the stack of a worker."""
_CHAIN_OPERATORS = frozenset("+ - * / ! || && | ^".split())
_CHAIN_WORDS = frozenset({"UNION", "MINUS", "OPTIONAL"})


def unescape_codepoints(text: str) -> str:
    """The text with every ``\\uXXXX``/``\\UXXXXXXXX`` replaced by its character, as the SPARQL
    grammar says happens before parsing (section 19.2), wherever it occurs."""

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _CODEPOINT.sub(char, text)


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each token, without white space and comments (one linear regex pass)."""
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def readings(text: str) -> list[list[tuple[str, str]]]:
    """The tokens of the text as the engine reads it and as the specification reads it.

    Oxigraph (0.5) replaces codepoint escapes only inside strings and IRIs; the specification
    replaces them everywhere first. The two differ in both directions (``"\\u005c" SERVICE ...``
    hides SERVICE in a string for the specification only; ``<a\\u003e`` ends an IRI for it
    only), so every check that must not be fooled is made on both readings."""
    out = [tokens(text)]
    if "\\u" in text or "\\U" in text:
        out.append(tokens(unescape_codepoints(text)))
    return out


def names_keyword(kind: str, value: str, keyword: str) -> bool:
    """Whether a token is, or could be read by a parser as holding, ``keyword`` (upper case).

    Oxigraph's PEG parser matches keywords case-insensitively and without word boundaries
    (``trueSERVICE`` parses as ``true`` then ``SERVICE``; ``SERVICE:`` as ``SERVICE`` then the
    prefixed name ``:``), so any word, language tag or prefix holding the letters counts.
    Variables and the local part of prefixed names cannot be split, so they do not."""
    if kind in ("word", "langtag", "other"):
        return keyword in value.upper()
    if kind == "pname":
        return keyword in value.partition(":")[0].upper()
    return False


def nesting(toks: list[tuple[str, str]]) -> tuple[int, int]:
    """(deepest bracket nesting, deepest tree) of a token list: the tree depth counts the open
    brackets plus the operators chained so far on each open level (see :data:`MAX_DEPTH`)."""
    depth = deepest = tree = deepest_tree = 0
    chains = [0]
    for kind, value in toks:
        if kind == "open":
            depth += 1
            tree += 1
            deepest = max(deepest, depth)
            chains.append(0)
        elif kind == "close":
            if len(chains) > 1:
                depth -= 1
                tree -= 1 + chains.pop()
        elif (kind in ("op", "other") and value in _CHAIN_OPERATORS) or (
            kind == "word" and value.upper() in _CHAIN_WORDS
        ):
            chains[-1] += 1
            tree += 1
        deepest_tree = max(deepest_tree, tree)
    return deepest, deepest_tree


@dataclass
class QueryShape:
    """What the text says before any evaluation: its form and its dataset clauses."""

    form: str | None = None
    """SELECT, CONSTRUCT, DESCRIBE, ASK, or an update keyword (INSERT, DELETE, ...)."""
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    uses_service: bool = False
    """SERVICE under either reading of the text (see :func:`readings`): conservative on purpose."""
    nesting: int = 0
    """Deepest bracket nesting under either reading."""
    depth: int = 0
    """Deepest tree (brackets plus chained operators) under either reading."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """The ``PREFIX`` declarations of the text (name without the colon -> IRI)."""

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)

    @property
    def too_complex(self) -> str | None:
        """Why the engine must not be given this text (its parser or evaluator would overflow
        the stack), or ``None``."""
        if self.nesting > MAX_NESTING:
            return f"the text nests {self.nesting} brackets deep; at most {MAX_NESTING} are allowed"
        if self.depth > MAX_DEPTH:
            return (f"the text chains operators {self.depth} levels deep; at most {MAX_DEPTH} are "
                    "allowed (use VALUES or IN for long lists of alternatives)")
        return None


def query_shape(text: str, base_iri: str | None = None) -> QueryShape:
    """Read the query form, ``FROM``/``FROM NAMED`` IRIs, any ``SERVICE`` and the nesting depth.

    The text is tokenised by the SPARQL grammar's terminals, once as the engine reads it and once
    with codepoint escapes replaced first (as the specification reads it); ``SERVICE`` and the
    nesting count under either. The form and dataset come from the engine's reading; prefixed
    names in ``FROM`` are expanded with the query's own ``PREFIX`` declarations. A text the lexer
    cannot follow is left to the real parser (which reports the error)."""
    shape = QueryShape()
    both = readings(text)
    for toks in both:
        shape.uses_service = shape.uses_service or any(names_keyword(k, v, "SERVICE") for k, v in toks)
        deepest, tree = nesting(toks)
        shape.nesting, shape.depth = max(shape.nesting, deepest), max(shape.depth, tree)
    toks = both[0]
    prefixes = shape.prefixes
    base = base_iri

    def resolve(iri: str) -> str:
        iri = unescape_codepoints(iri)
        try:
            return urljoin(base, iri) if base else iri
        except ValueError:  # e.g. "http://[x/": not an IRI; the engine reports the syntax error
            return iri

    def iri_of(kind: str, value: str) -> str | None:
        if kind == "iri":
            return resolve(value[1:-1])
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None

    i = 0
    while i < len(toks):
        kind, value = toks[i]
        upper = value.upper() if kind == "word" else ""
        if upper == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1].rstrip(":")] = resolve(toks[i + 2][1][1:-1])
            i += 3
            continue
        if upper == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = resolve(toks[i + 1][1][1:-1])
            i += 2
            continue
        if shape.form is None and upper in QUERY_FORMS + UPDATE_FORMS:
            shape.form = upper
        if upper == "FROM" and i + 1 < len(toks):
            named = toks[i + 1][0] == "word" and toks[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < len(toks):
                iri = iri_of(*toks[j])
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


