"""Bound values for a remote store: the query form, and ``VALUES`` written into the query text.

A SPARQL endpoint takes no substitutions, so our own queries' bound values travel in the text,
built from each term's canonical N-Triples form (``SparqlEndpoint.term``: validated and escaped by
pyoxigraph, never pasted from user text). Standard SPARQL 1.1 places them two ways:

- **SELECT**: a trailing ``VALUES`` clause. It is joined with the solutions after grouping and
  before projection, exactly what pyoxigraph's ``substitutions`` do, so a query means the same on
  both backends. Stores do not push a trailing ``VALUES`` through ``GROUP BY`` (the Oxigraph server
  grouped every triple of the store to keep one group: 165 ms at 100k triples instead of 2), so
  bound ``GROUP BY`` keys are also joined at the start of the ``WHERE`` group: the same answer for
  every key the pattern binds.
- **ASK, CONSTRUCT, DESCRIBE**: ``VALUES`` inline, as the last element of a group wrapped around
  the ``WHERE`` pattern: ``{ { pattern } VALUES … }``. For these forms (no grouping, no
  projection) that is the same join as a trailing clause, and it is what Virtuoso accepts: it
  refuses a trailing ``VALUES`` after ASK ("syntax error at 'VALUES'") and after CONSTRUCT ("BINDINGS
  is not supported at top level for queries other than SELECT").

pyoxigraph only allows projected variables to be bound; :func:`check` runs the query with its
bindings on an empty local store (microseconds), so a query that fails embedded also fails
remote, and the kind of result tells the form.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from pyoxigraph import QueryBoolean, QuerySolutions, Variable
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


def bind_values(query: str, bindings: dict[str, Term], form: str, term: Callable[[Term], str] = str) -> str:
    """``query`` with ``bindings`` as ``VALUES`` in the right place for ``form`` (module docstring)."""
    names = " ".join(f"?{n}" for n in bindings)
    row = " ".join(term(t) for t in bindings.values())
    values = f"VALUES ({names}) {{ ({row}) }}"
    if form != "SELECT":
        group = where_group(query)
        if group is None:
            raise StoreError("cannot bind values: the query has no WHERE pattern")
        start, end = group
        return f"{query[: start + 1]} {{ {query[start + 1 : end]} }} {values} {query[end:]}"
    text = f"{query}\n{values}\n"
    group_by = _GROUP_BY.search(query)
    if group_by is None:
        return text
    keys = set(re.findall(r"[?$](\w+)", group_by.group(1)))
    early = {
        name: t for name, t in bindings.items()
        if name in keys and not re.search(rf"\bAS\s+[?$]{name}\b", query, flags=re.I)
    }
    found = where_group(query) if early else None
    if found is None:
        return text
    where = found[0]
    early_names = " ".join(f"?{n}" for n in early)
    early_row = " ".join(term(t) for t in early.values())
    return f"{text[: where + 1]} VALUES ({early_names}) {{ ({early_row}) }} {text[where + 1 :]}"


_GROUP_BY = re.compile(r"\bGROUP\s+BY\b(.*?)(?:\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                       flags=re.I | re.S)
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
