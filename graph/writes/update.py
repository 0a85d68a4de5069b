"""The exact effect of a SPARQL 1.1 Update, computed without touching the store.

An update is run on an in-memory pyoxigraph *copy* of the graphs it may read and write; the
difference between the copy before and after is the delta, which then goes through the same
validation and atomic commit as every other write. This is correct for every kind of update
(``DELETE/INSERT ... WHERE`` with ``WITH``/``USING``, sequences of operations where a later one reads
what an earlier one wrote, ``CLEAR``/``DROP``/``ADD``/``MOVE``/``COPY``) because Oxigraph itself
evaluates it. The cost is a copy of the visible graphs, so it grows with the store; imports and the
Graph Store Protocol (whose deltas follow the change) are the way to write at scale.

Dataset of an update:

- the named graphs of the store except ``system`` and ``provenance`` (never written from outside),
  and except ``private`` unless the caller is an admin (its contact details must not be copied
  into public graphs by a ``WHERE`` clause);
- the *default graph* is the named graph ``{base}/graph/default`` (public, part of the union the
  query endpoint shows); the Graph Store Protocol's ``?default`` means the same graph;
- the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` become ``USING`` / ``USING NAMED``
  clauses of every ``DELETE/INSERT ... WHERE`` operation; an update that also has its own ``USING``
  or ``WITH`` is an error (SPARQL 1.1 Protocol, section 2.2.3);
- ``LOAD`` is refused: the service does not fetch URLs; send the data to ``POST /api/import``.

Relative IRIs resolve against ``{base}/``, like the seed data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad
from pyoxigraph import Store as OxStore

from .delta import PRIVATE, PROTECTED, Delta, skolemise

DEFAULT_GRAPH_NAME = "default"

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<semi>;)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class UpdateError(ValueError):
    """An update that is malformed or asks for something the service does not do."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


def _operations(text: str) -> list[list[tuple[str, str, int, int]]]:
    """Tokens (kind, text, start, depth) of each operation, split at top-level ``;``."""
    ops: list[list[tuple[str, str, int, int]]] = [[]]
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        if kind == "semi" and depth == 0:
            ops.append([])
            continue
        ops[-1].append((kind, m.group(), m.start(), depth))
    return [op for op in ops if op]


def _keywords(op) -> list[tuple[str, int]]:
    """Upper-cased top-level words of an operation, after its prologue (PREFIX/BASE)."""
    words = [(t.upper(), start) for kind, t, start, depth in op if kind == "word" and depth == 0]
    return [(w, s) for w, s in words if w not in ("PREFIX", "BASE")]


def apply_protocol_dataset(text: str, using: Iterable[str], using_named: Iterable[str]) -> str:
    """Add the protocol's graphs as ``USING``/``USING NAMED`` to each ``... WHERE`` operation."""
    using, using_named = list(using), list(using_named)
    ops = _operations(text)
    for op in ops:
        words = [w for w, _ in _keywords(op)]
        if words and words[0] == "LOAD":
            raise UpdateError("LOAD is not supported: send the data with POST /api/import", status=501)
    if not (using or using_named):
        return text
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    inserts: list[int] = []
    for op in ops:
        words = _keywords(op)
        names = [w for w, _ in words]
        if "WITH" in names or "USING" in names:
            raise UpdateError(
                "the request gives using-graph-uri/using-named-graph-uri and the update has its own "
                "USING or WITH: use one or the other"
            )
        if names[:2] == ["DELETE", "WHERE"] or not names or names[0] not in ("DELETE", "INSERT"):
            continue
        if len(names) > 1 and names[1] == "DATA":
            continue
        where = next((s for w, s in words if w == "WHERE"), None)
        if where is not None:
            inserts.append(where)
    for position in sorted(inserts, reverse=True):
        text = text[:position] + clause + " " + text[position:]
    return text


def _visible_graphs(store, admin: bool) -> list[NamedNode]:
    hidden = {store.graph(n) for n in PROTECTED}
    if not admin:
        hidden.add(store.graph(PRIVATE))
    return [g for g in store.named_graphs() if g not in hidden]


def update_delta(
    store,
    text: str,
    *,
    using: Iterable[str] = (),
    using_named: Iterable[str] = (),
    admin: bool = False,
) -> Delta:
    """The delta a SPARQL Update would make (nothing is written here)."""
    text = apply_protocol_dataset(text, using, using_named)
    default = store.graph(DEFAULT_GRAPH_NAME)
    copy = OxStore()
    before: list[Quad] = []
    for graph in _visible_graphs(store, admin):
        target = DefaultGraph() if graph == default else graph
        before.extend(Quad(q.subject, q.predicate, q.object, target) for q in store.quads(graph=graph))
    copy.extend(before)
    try:
        copy.update(text, base_iri=store.settings.base + "/")
    except SyntaxError as exc:
        raise UpdateError(f"invalid SPARQL Update: {exc}") from exc
    except OSError as exc:
        raise UpdateError(f"the update could not be run: {exc}") from exc
    after = set(copy)
    old = set(before)

    def back(q: Quad) -> Quad:
        return Quad(q.subject, q.predicate, q.object, default) if isinstance(q.graph_name, DefaultGraph) else q

    removed = [back(q) for q in before if q not in after]
    existing = {t for q in before for t in (q.subject, q.object) if isinstance(t, BlankNode)}
    added = skolemise((back(q) for q in after if q not in old), store.settings.base, keep=existing)
    return Delta(removed=removed, added=added)
