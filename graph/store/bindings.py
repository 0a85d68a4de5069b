"""Bound values for a remote store: the query form, and ``VALUES`` written into the query text.

A SPARQL endpoint takes no substitutions, so our own queries' bound values travel in the text,
built from each term's canonical N-Triples form (``SparqlEndpoint.term``: validated and escaped by
pyoxigraph, never pasted from user text), in standard SPARQL 1.1 only:

- The ``WHERE`` pattern becomes ``{ VALUES (?x …) { (…) } { pattern } }``: the pattern, unchanged
  in its own group, joined with the values. That join is what pyoxigraph's ``substitutions`` do
  (they behave like a ``VALUES`` joined after the pattern: a ``BIND(?x AS ?y)`` inside does not
  see the value), so a query means the same on both backends; and the store sees the values next
  to the pattern, so it can start from them: Virtuoso refuses a property path with neither end
  bound otherwise ("transitive start not given"), and Oxigraph no longer walks the whole path or
  groups every triple of the store (165 ms at 100k triples instead of 2, for a bound ``GROUP BY``
  key).
- A SELECT variable that is a projection alias (``(COUNT(*) AS ?n)``) is bound after grouping,
  by a trailing ``VALUES`` clause, where such a variable exists.
- ASK wraps it once more, in ``{ SELECT * WHERE { … } }``: Virtuoso compiles an ASK over a
  group with ``VALUES`` beside it into a path with no bound start. (It also refuses a trailing
  ``VALUES`` after ASK, "syntax error at 'VALUES'", and after CONSTRUCT, "BINDINGS is not supported
  at top level for queries other than SELECT".)

pyoxigraph only allows projected variables to be bound; :func:`check` runs the query with its
bindings on an empty local store (microseconds), so a query that fails embedded also fails
remote, and the kind of result tells the form.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Variable
from pyoxigraph import Store as OxStore

from .base import StoreError, Term

_checker = OxStore()
_checker_lock = threading.Lock()


def check(query: str, bindings: dict[str, Term] | None = None) -> str:
    """The form of one of our own queries (SELECT, ASK or CONSTRUCT), after checking it and its
    bindings the way the embedded store does. Never for untrusted text: it runs the query."""
    substitutions = {}
    for name, term in (bindings or {}).items():
        try:
            substitutions[Variable(name)] = term
        except ValueError as exc:
            raise StoreError(f"invalid binding name {name!r}: {exc}") from exc
    try:
        with _checker_lock:
            result = _checker.query(query, substitutions=substitutions)
    except SyntaxError as exc:
        raise StoreError(f"invalid SPARQL: {exc}") from exc
    except (RuntimeError, ValueError, TypeError) as exc:
        raise StoreError(str(exc)) from exc
    if isinstance(result, QuerySolutions):
        return "SELECT"
    if isinstance(result, QueryBoolean):
        return "ASK"
    return "CONSTRUCT"  # DESCRIBE answers the same way


def parse_only(query: str, base_iri: str | None = None) -> None:
    """Raise ``SyntaxError`` (with pyoxigraph's line and column) if ``query`` is not SPARQL 1.1;
    never evaluates it, so untrusted text is safe here.

    pyoxigraph checks substitutions after parsing and before evaluating: a substitution of a
    variable the text cannot hold (a fresh random name) stops every valid query right there.
    A remote store's own messages are less exact (Virtuoso: "line 0", no column), and this way a
    malformed query never reaches the store.
    """
    name = "k" + secrets.token_hex(12)
    while name in query:
        name = "k" + secrets.token_hex(12)
    try:
        with _checker_lock:
            _checker.query(query, base_iri=base_iri, substitutions={Variable(name): _PARSE_ONLY})
    except (RuntimeError, ValueError, TypeError):
        return  # parsed; refused before evaluation, as intended


_PARSE_ONLY = NamedNode("urn:x-knooppunt:parse-only")


def bind_values(query: str, bindings: dict[str, Term], form: str, term: Callable[[Term], str] = str) -> str:
    """``query`` with ``bindings`` as ``VALUES`` where ``form`` needs them (module docstring)."""

    def values(chosen: dict[str, Term]) -> str:
        return f"VALUES ({' '.join(f'?{n}' for n in chosen)}) {{ ({' '.join(term(t) for t in chosen.values())}) }}"

    aliases = {n for n in bindings if re.search(rf"\bAS\s+[?$]{n}\b", query, flags=re.I)} if form == "SELECT" else set()
    early = {n: t for n, t in bindings.items() if n not in aliases}
    text = query
    if early:
        group = where_group(query)
        if group is None:
            raise StoreError("cannot bind values: the query has no WHERE pattern")
        start, end = group
        inner = f" {values(early)} {{ {query[start + 1 : end]} }} "
        if form == "ASK":
            inner = f" {{ SELECT * WHERE {{{inner}}} }} "
        text = f"{query[: start + 1]}{inner}{query[end:]}"
    if aliases:
        text = f"{text}\n{values({n: bindings[n] for n in aliases})}\n"
    return text


_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _skip(query: str, i: int) -> int | None:
    """The index after an IRI, string or comment starting at ``i`` (None: none starts there)."""
    c = query[i]
    if c == "<" and (m := _IRI.match(query, i)):
        return m.end()
    if c in "\"'":
        quote = c * 3 if query.startswith(c * 3, i) else c
        j = i + len(quote)
        while j < len(query) and not query.startswith(quote, j):
            j += 2 if query[j] == "\\" else 1
        return j + len(quote)
    if c == "#":
        end = query.find("\n", i)
        return len(query) if end < 0 else end
    return None


def where_group(query: str) -> tuple[int, int] | None:
    """(index of ``{``, index of its ``}``) of the query's WHERE pattern, or None.

    The pattern opens at the first ``{`` after a top-level ``WHERE`` keyword, or, without one, at
    the first top-level ``{`` (SELECT, ASK and DESCRIBE may leave ``WHERE`` out; CONSTRUCT needs
    it, so a template is never taken for the pattern). IRIs, strings and comments are skipped;
    ``where`` inside a name (``ex:where``, ``?where``) is not the keyword.
    """
    i, n = 0, len(query)
    depth = parens = 0
    after_where = False
    first_open = None
    while i < n:
        skipped = _skip(query, i)
        if skipped is not None:
            i = skipped
            continue
        c = query[i]
        if c.isalpha() or c == "_":
            m = _WORD.match(query, i)
            assert m is not None
            before = query[i - 1] if i else " "
            if depth == 0 and parens == 0 and m.group().upper() == "WHERE" and before not in ":?$" \
                    and not query.startswith(":", m.end()):
                after_where = True
            i = m.end()
            continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if depth == 0 and parens == 0:
                if after_where:
                    return i, _closing(query, i)
                if first_open is None:
                    first_open = i
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    if first_open is None:  # (a CONSTRUCT always has WHERE, so this is never its template)
        return None
    return first_open, _closing(query, first_open)


def _closing(query: str, start: int) -> int:
    depth, i = 0, start
    while i < len(query):
        skipped = _skip(query, i)
        if skipped is not None:
            i = skipped
            continue
        if query[i] == "{":
            depth += 1
        elif query[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise StoreError("cannot bind values: the query's braces do not balance")
