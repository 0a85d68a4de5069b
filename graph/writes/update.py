"""The exact effect of a SPARQL 1.1 Update, computed against the store without copying it.

The update text is parsed by rdflib's SPARQL Update parser, and the parse tree is exactly what is
evaluated, so every check is made on the grammar's own reading of the text (codepoint escapes
included), never on a lexer of our own:

1. **Limits before parsing**: the text's size (``max_update_bytes``) and its bracket nesting, counted
   after codepoint escapes are expanded as the grammar says (conservatively: brackets inside strings
   count too), so no input can exhaust the parser's recursion. The parser runs in the calling thread
   (the service's thread pool), outside the store's write lock.
2. **Refusals on the tree**: ``LOAD`` (the service fetches no URLs; send data to ``POST /api/import``)
   and ``SERVICE`` anywhere in a ``WHERE`` are ``403``, whatever their escapes or ``SILENT``.
3. **Evaluation over an overlay**: each operation is evaluated in order by rdflib's query engine over
   ``_View``, which answers triple patterns from the store (``Store.quads``) plus the changes of the
   earlier operations, and records removals and additions instead of writing. Only the quads the
   patterns match are read, so the cost follows the update, not the store. While an update is
   evaluated, this thread cannot open a network connection (an audit hook on ``socket.connect``,
   ``socket.getaddrinfo`` and ``urllib.Request``), so a parser difference cannot reopen a hole.
4. The overlay's changes are the **delta**, which is validated and committed like any other write.

Dataset and semantics:

- the graphs the update sees are the store's named graphs except ``system`` and ``provenance`` (never
  read or written from outside), and except ``private`` unless the caller is an admin (so a ``WHERE``
  cannot copy contact details into a public graph); naming one of those in ``CLEAR``, ``DROP``,
  ``CREATE``, ``ADD``, ``MOVE`` or ``COPY`` is ``403``;
- the *default graph* is the named graph ``{base}/graph/default`` (public, part of the union the query
  endpoint shows); the Graph Store Protocol's ``?default`` means the same graph; ``GRAPH ?g`` ranges
  over the other visible graphs;
- a graph exists while it holds triples: ``DROP``/``CLEAR``/``ADD``/``MOVE``/``COPY`` of a graph that
  does not exist are ``404``, ``CREATE`` of one that does is ``409``, unless ``SILENT`` (then the
  operation does nothing); ``CREATE`` of a new graph succeeds and changes nothing;
- the protocol's ``using-graph-uri``/``using-named-graph-uri`` set the dataset of every
  ``DELETE/INSERT ... WHERE`` operation on the parse tree (an operation with its own ``USING`` or
  ``WITH`` as well is ``400``, SPARQL 1.1 Protocol 2.2.3); other operations have no dataset to set;
- relative IRIs resolve against ``{base}/``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from pyparsing import ParseException
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.store import Store as RdflibStore
from rdflib.term import BNode, URIRef, Variable

from .delta import PRIVATE, PROTECTED, Delta, skolemise
from .ingest import Forbidden, WriteError

DEFAULT_GRAPH_NAME = "default"
MAX_DEPTH = 16
"""Most brackets an update may nest (rdflib's recursive parser needs ~25 stack frames per level)."""


class UpdateError(WriteError):
    """An update that is malformed, refused, or fails (with the HTTP status to answer)."""

    TITLES = {400: "Invalid update", 403: "Forbidden", 404: "Not found", 409: "Conflict", 413: "Update too large"}

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail, status)
        self.title = self.TITLES.get(status, "Update failed")


# --- network guard ---------------------------------------------------------------------------------
_GUARD = threading.local()
_NETWORK_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"})


def _audit(event: str, args: tuple) -> None:
    if event in _NETWORK_EVENTS and getattr(_GUARD, "blocked", False):
        raise PermissionError(f"no network access while an update is evaluated ({event})")


sys.addaudithook(_audit)  # active only in a thread inside ``_no_network``


@contextlib.contextmanager
def _network(blocked: bool) -> Iterator[None]:
    """Block (or, for our own store reads inside an evaluation, allow) network access in this thread."""
    previous = getattr(_GUARD, "blocked", False)
    _GUARD.blocked = blocked
    try:
        yield
    finally:
        _GUARD.blocked = previous


def _no_network():
    return _network(True)


def _store_access():
    """Our own store reads (a remote store is reached over HTTP) are allowed inside the guard."""
    return _network(False)


# --- parsing ---------------------------------------------------------------------------------------
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of ``text`` (give it with codepoint escapes expanded). Brackets in
    strings, IRIs and comments count too: an over-estimate, never an under-estimate."""
    depth = deepest = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


@dataclass
class ParsedUpdate:
    operations: list[CompValue]


def parse_update(
    text: str, base: str, *, using: Iterable[str] = (), using_named: Iterable[str] = (),
    max_bytes: int = 1024 * 1024,
) -> ParsedUpdate:
    """Parse and check an update (limits first, then the grammar; refusals on the tree)."""
    if len(text.encode("utf-8")) > max_bytes:
        raise UpdateError(
            f"the update is over {max_bytes} bytes (KNOOPPUNT_MAX_UPDATE_BYTES): send large changes "
            "with POST /api/import or the Graph Store Protocol", status=413,
        )
    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as exc:
        raise UpdateError(f"invalid SPARQL Update: {exc}") from exc
    if nesting_depth(expanded) > MAX_DEPTH:
        raise UpdateError(f"the update nests brackets more than {MAX_DEPTH} deep")
    try:
        tree = parseUpdate(text)
        data = _set_aside_data(tree)
        translated = algebra.translateUpdate(tree, base=base.rstrip("/") + "/")
        _translate_data(translated.algebra, data)
    except ParseException as exc:
        raise UpdateError(f"invalid SPARQL Update at line {exc.lineno}, column {exc.col}: {exc.msg}") from exc
    except RecursionError as exc:
        raise UpdateError("the update nests too deeply to be read") from exc
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions for bad prefixes, IRIs, ...
        raise UpdateError(f"invalid SPARQL Update: {exc}") from exc
    operations = list(translated.algebra)
    for op in operations:
        if op.name == "Load":
            raise UpdateError("LOAD is not allowed: the service fetches no URLs; send the data with POST /api/import", 403)
        if _uses_service(op):
            raise UpdateError("SERVICE is not allowed: the service calls no other hosts", 403)
    _apply_protocol_dataset(operations, list(using), list(using_named))
    return ParsedUpdate(operations)


_DATA = ("InsertData", "DeleteData")


def _set_aside_data(tree) -> dict[int, CompValue]:
    """Take the quads out of ``INSERT DATA``/``DELETE DATA`` before rdflib translates the update:
    its translation reorders them as a join (quadratic in their number: 1.4 s for 1,000 triples),
    which data blocks do not need. ``_translate_data`` puts them back, translated."""
    data = {}
    for i, op in enumerate(tree.request or ()):
        if op.name in _DATA and op.quads is not None:
            data[i] = op.quads
            op["quads"] = CompValue("Quads")
    return data


def _translate_data(operations: list[CompValue], data: dict[int, CompValue]) -> None:
    for i, quads in data.items():
        op = operations[i]
        quads = algebra.traverse(quads, visitPost=functools.partial(algebra.translatePName, prologue=op.prologue))
        op["triples"] = _flat(quads.triples)
        op["quads"] = {}
        for group in quads.quadsNotTriples or ():
            op["quads"].setdefault(group.term, []).extend(_flat(group.triples))


def _flat(blocks) -> list[tuple]:
    """Triples from the parser's blocks of subject-predicate-object runs."""
    terms = [t for block in blocks or () for t in block]
    if len(terms) % 3:
        raise UpdateError("invalid SPARQL Update: a data block that is not triples")
    return [tuple(terms[i:i + 3]) for i in range(0, len(terms), 3)]


def _uses_service(node) -> bool:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            return True
        return any(_uses_service(v) for v in node.values())
    if isinstance(node, list | tuple):
        return any(_uses_service(v) for v in node)
    if isinstance(node, dict):
        return any(_uses_service(v) for v in node.values())
    return False


def _apply_protocol_dataset(operations: list[CompValue], using: list[str], using_named: list[str]) -> None:
    """``using-graph-uri``/``using-named-graph-uri`` as the ``USING``/``USING NAMED`` of each
    ``DELETE/INSERT ... WHERE`` operation (set on the tree, never pasted into the text)."""
    if not (using or using_named):
        return
    try:
        clauses = [CompValue("UsingClause", default=URIRef(NamedNode(g).value)) for g in using]
        clauses += [CompValue("UsingClause", named=URIRef(NamedNode(g).value)) for g in using_named]
    except ValueError as exc:
        raise UpdateError(f"using-graph-uri/using-named-graph-uri: {exc}") from exc
    for op in operations:
        if op.name != "Modify":
            continue
        if op.using or op.withClause:
            raise UpdateError(
                "the request gives using-graph-uri/using-named-graph-uri and the update has its own "
                "USING or WITH: use one or the other"
            )
        op["using"] = clauses


# --- terms -------------------------------------------------------------------------------------------
def _to_rdflib(term):
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    return rdflib.Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def _to_ox(term):
    if isinstance(term, URIRef):
        return NamedNode(str(term))
    if isinstance(term, BNode):
        return BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype is not None:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    return None  # a variable or an unbound slot


# --- the overlay -------------------------------------------------------------------------------------
class _View:
    """The graph store as the update sees it: visible graphs, plus the earlier operations' changes."""

    def __init__(self, store, admin: bool) -> None:
        self.store = store
        self.hidden = {store.graph(n) for n in PROTECTED}
        if not admin:
            self.hidden.add(store.graph(PRIVATE))
        self.default = store.graph(DEFAULT_GRAPH_NAME)
        self.removed: set[Quad] = set()
        self.added: dict[NamedNode, dict[Triple, None]] = {}

    def visible(self, graph: NamedNode) -> bool:
        return graph not in self.hidden

    def _stored(self, s, p, o, graph) -> Iterator[Quad]:
        """The store's quads, read lazily; each read is allowed past the network guard."""
        with _store_access():
            found = iter(self.store.quads(s, p, o, graph))
        while True:
            with _store_access():
                q = next(found, None)
            if q is None:
                return
            yield q

    def triples(self, s, p, o, graph: NamedNode) -> Iterator[Triple]:
        if not self.visible(graph):
            return
        for q in self._stored(s, p, o, graph):
            if q not in self.removed:
                yield q.triple
        for t in list(self.added.get(graph, ())):
            if (s is None or t.subject == s) and (p is None or t.predicate == p) and (o is None or t.object == o):
                yield t

    def exists(self, graph: NamedNode) -> bool:
        return next(iter(self.triples(None, None, None, graph)), None) is not None

    def graphs(self) -> list[NamedNode]:
        """Visible graphs that hold triples (the default graph included)."""
        with _store_access():
            names = set(self.store.named_graphs())
        names |= {g for g, ts in self.added.items() if ts}
        return sorted((g for g in names if self.visible(g) and self.exists(g)), key=lambda g: g.value)

    def _has(self, q: Quad) -> bool:
        return next(self._stored(q.subject, q.predicate, q.object, q.graph_name), None) is not None

    def add(self, q: Quad) -> None:
        if self._has(q):
            self.removed.discard(q)
        else:
            self.added.setdefault(q.graph_name, {})[q.triple] = None

    def remove(self, q: Quad) -> None:
        if not self.visible(q.graph_name):
            return  # what the update cannot see, it cannot remove
        pending = self.added.get(q.graph_name, {})
        if q.triple in pending:  # added by an earlier operation of this update
            del pending[q.triple]
            return
        if self._has(q):
            self.removed.add(q)

    def clear(self, graph: NamedNode) -> None:
        if not self.visible(graph):
            return
        self.added.pop(graph, None)
        self.removed.update(self._stored(None, None, None, graph))

    def delta(self) -> Delta:
        added = [Quad(t.subject, t.predicate, t.object, g) for g, ts in self.added.items() for t in ts]
        return Delta(removed=sorted(self.removed, key=str), added=added)


class _Dataset(RdflibStore):
    """The view as an rdflib store, for rdflib's query engine: ``default`` graphs answer for the
    default graph (their merge), ``named`` (``None``: every visible graph) for ``GRAPH``. Read-only."""

    context_aware = True
    graph_aware = True

    def __init__(self, view: _View, default: list[NamedNode], named: list[NamedNode] | None) -> None:
        super().__init__()
        self.view, self.default, self.named = view, default, named

    def _graphs(self, context) -> list[NamedNode]:
        identifier = getattr(context, "identifier", context)
        if identifier is None or identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            return self.default
        graph = _to_ox(identifier)
        if not isinstance(graph, NamedNode) or (self.named is not None and graph not in self.named):
            return []
        return [graph]

    def triples(self, triple_pattern, context=None):
        s, p, o = (None if t is None else _to_ox(t) for t in triple_pattern)
        graphs = self._graphs(context)
        seen: set[Triple] = set()
        for graph in graphs:
            for t in self.view.triples(s, p, o, graph):
                if len(graphs) > 1:
                    if t in seen:
                        continue
                    seen.add(t)
                yield (_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)), iter(())

    def __len__(self, context=None) -> int:
        return sum(1 for _ in self.triples((None, None, None), context))

    def contexts(self, triple=None):
        graphs = self.view.graphs() if self.named is None else [g for g in self.named if self.view.exists(g)]
        for g in graphs:
            if g != self.view.default:
                yield rdflib.Graph(store=self, identifier=URIRef(g.value))

    def add_graph(self, graph) -> None:  # rdflib's Dataset registers its default graph
        pass

    def add(self, *args, **kwargs):
        raise TypeError("the update's dataset is read-only: changes go to the overlay")

    remove = addN = add


# --- evaluation -------------------------------------------------------------------------------------
def _graph_iri(view: _View, term) -> NamedNode:
    return view.default if term == "DEFAULT" or term is None else NamedNode(str(term))


def _check_visible(view: _View, graph: NamedNode) -> None:
    if not view.visible(graph):
        raise Forbidden(f"the graph <{graph.value}> cannot be changed with this token (or at all)")


def _solutions(view: _View, op: CompValue, where, default: list[NamedNode], named: list[NamedNode] | None) -> list:
    dataset = rdflib.Dataset(store=_Dataset(view, default, named), default_union=False)
    ctx = QueryContext(dataset, initBindings={})
    ctx.prologue = op.prologue
    return list(evalPart(ctx, where))


def _value(term, solution, fresh: dict):
    if isinstance(term, Variable):
        return solution.get(term)
    if isinstance(term, BNode):
        return fresh.setdefault(term, BNode())
    return term


def _instantiate(triples, quads, solutions, target: NamedNode) -> list[Quad]:
    """Template triples and quads for each solution; slots left unbound or ill-formed are skipped
    (SPARQL 1.1 Update 3.1.3); blank nodes are new for each solution."""
    out: list[Quad] = []
    groups = [(target, triples or [])] + list((quads or {}).items())
    for solution in solutions:
        fresh: dict = {}
        for graph_term, group in groups:
            graph = graph_term if isinstance(graph_term, NamedNode) else _to_ox(_value(graph_term, solution, fresh))
            if not isinstance(graph, NamedNode):
                continue
            for triple in group:
                s, p, o = (_value(t, solution, fresh) for t in triple)
                if isinstance(s, URIRef | BNode) and isinstance(p, URIRef) and isinstance(o, URIRef | BNode | rdflib.Literal):
                    out.append(Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph))
    return out


def _modify(view: _View, op: CompValue) -> None:
    target = _graph_iri(view, op.withClause) if op.withClause else view.default
    if op.using:
        default = [NamedNode(str(u.default)) for u in op.using if u.default]
        named = [NamedNode(str(u.named)) for u in op.using if u.named]
    else:
        default, named = [target], None
    solutions = _solutions(view, op, op.where, default, named)
    deletes = _instantiate(op.delete.triples, op.delete.quads, solutions, target) if op.delete else []
    inserts = _instantiate(op.insert.triples, op.insert.quads, solutions, target) if op.insert else []
    for q in deletes:
        view.remove(q)
    for q in inserts:
        view.add(q)


def _delete_where(view: _View, op: CompValue) -> None:
    pattern = algebra.BGP(op.triples or [])
    for graph, triples in (op.quads or {}).items():
        pattern = algebra.Join(pattern, algebra.Graph(graph, algebra.BGP(triples)))
    solutions = _solutions(view, op, pattern, [view.default], None)
    for q in _instantiate(op.triples, op.quads, solutions, view.default):
        view.remove(q)


def _targets(view: _View, which, silent: bool) -> list[NamedNode]:
    """The graphs ``CLEAR``/``DROP`` name: ``DEFAULT``, ``NAMED``, ``ALL`` or one IRI."""
    if which == "DEFAULT":
        return [view.default]
    if which in ("NAMED", "ALL"):
        graphs = view.graphs()
        return graphs if which == "ALL" else [g for g in graphs if g != view.default]
    graph = _graph_iri(view, which)
    _check_visible(view, graph)
    if not view.exists(graph):
        if silent:
            return []
        raise UpdateError(f"no graph <{graph.value}> (a graph exists while it holds triples)", 404)
    return [graph]


def _transfer(view: _View, op: CompValue) -> None:
    """``ADD``, ``MOVE`` and ``COPY`` (SPARQL 1.1 Update 3.2.5-3.2.7)."""
    source, destination = (_graph_iri(view, g) for g in op.graph)
    for graph in (source, destination):
        _check_visible(view, graph)
    if source != view.default and not view.exists(source):
        if op.silent:
            return
        raise UpdateError(f"no graph <{source.value}> to {op.name.lower()} from", 404)
    if source == destination:
        return
    triples = list(view.triples(None, None, None, source))
    if op.name in ("Move", "Copy"):
        view.clear(destination)
    for t in triples:
        view.add(Quad(t.subject, t.predicate, t.object, destination))
    if op.name == "Move":
        view.clear(source)


def _run(view: _View, op: CompValue) -> None:
    name = op.name
    if name == "InsertData":
        for q in _instantiate(op.triples, op.quads, [{}], view.default):
            view.add(q)
    elif name == "DeleteData":
        for q in _instantiate(op.triples, op.quads, [{}], view.default):
            view.remove(q)
    elif name == "DeleteWhere":
        _delete_where(view, op)
    elif name == "Modify":
        _modify(view, op)
    elif name in ("Clear", "Drop"):
        for graph in _targets(view, op.graphiri, bool(op.silent)):
            view.clear(graph)
    elif name == "Create":
        graph = _graph_iri(view, op.graphiri)
        _check_visible(view, graph)
        if view.exists(graph) and not op.silent:
            raise UpdateError(f"the graph <{graph.value}> already exists", 409)
    elif name in ("Add", "Move", "Copy"):
        _transfer(view, op)
    else:
        raise UpdateError(f"{name} is not supported", 400)


def update_delta(
    store,
    update: str | ParsedUpdate,
    *,
    using: Iterable[str] = (),
    using_named: Iterable[str] = (),
    admin: bool = False,
) -> Delta:
    """The delta a SPARQL Update would make (nothing is written here)."""
    if isinstance(update, str):
        update = parse_update(update, store.settings.base, using=using, using_named=using_named)
    view = _View(store, admin)
    with _no_network():
        for op in update.operations:
            try:
                _run(view, op)
            except WriteError:
                raise
            except RecursionError as exc:
                raise UpdateError("the update nests too deeply to be evaluated") from exc
            except Exception as exc:  # noqa: BLE001 - rdflib's evaluation raises plain exceptions
                raise UpdateError(f"the update could not be run: {exc}") from exc
    delta = view.delta()
    with _store_access():
        existing = {
            t for q in delta.added for t in (q.subject, q.object)
            if isinstance(t, BlankNode) and _in_store(store, t)
        }
    return Delta(removed=delta.removed, added=skolemise(delta.added, store.settings.base, keep=existing))


def _in_store(store, node: BlankNode) -> bool:
    return (next(iter(store.quads(node, None, None, None)), None) is not None
            or next(iter(store.quads(None, None, node, None)), None) is not None)

