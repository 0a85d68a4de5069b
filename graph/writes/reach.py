"""What the shapes read, derived from the shapes graph itself: the paths from a focus node.

Incremental validation needs two answers that follow from the shapes, not from a hand list:

- **forward**: to validate node X against its shapes, which triples must the context hold? Every
  triple on every path a property shape walks from X, and, for every node a nested shape
  (``sh:node``, ``sh:qualifiedValueShape``, ``sh:or``/``sh:and``/``sh:xone``/``sh:not``) is applied to,
  the triples *its* paths walk from there; plus the ``rdf:type`` of every node reached, because
  ``sh:class`` (also inside nested shapes) reads it;
- **backward**: which nodes' validity can a changed triple ``(s, p, o)`` change? X is affected when
  the triple lies on one of X's read paths, so from the triple walk the path's earlier steps back
  to X. A changed ``rdf:type`` of Y affects every X that reaches Y on any read path.

Both come from one structure per node shape: a *trie* of steps ``(predicate, inverse, repeated)``.
Nesting is followed to any depth; a shape graph the analysis cannot bound (recursive shapes,
SPARQL-based constraints or targets) raises ``Unbounded`` and the caller validates the whole store.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

ANY = "*"
"""The predicate of a step that reads every outgoing triple (``sh:closed``)."""

NESTED_ONE = (SH.node, SH.qualifiedValueShape, SH["not"])
NESTED_LIST = (SH["or"], SH["and"], SH.xone)
UNBOUNDED = (SH.sparql, SH.target, SH.js, SH.rule)


class Unbounded(Exception):
    """The shapes read something this analysis cannot bound; validate the whole store instead."""


@dataclass(frozen=True)
class Step:
    predicate: str
    inverse: bool = False
    repeated: bool = False


@dataclass
class Trie:
    """Steps read from a node; each child is what is read from the nodes that step reaches."""

    children: dict[Step, Trie] = field(default_factory=dict)

    def merge(self, other: Trie) -> None:
        for step, sub in other.children.items():
            self.children.setdefault(step, Trie()).merge(sub)

    def prefixes(self, before: tuple[Step, ...] = ()) -> Iterator[tuple[tuple[Step, ...], Step]]:
        """(steps before, step) for every step of every read path."""
        for step, sub in self.children.items():
            yield before, step
            yield from sub.prefixes(before + (step,))


def _path_steps(g: rdflib.Graph, path) -> list[tuple[Step, ...]]:
    """A SHACL property path as alternative sequences of steps."""
    if isinstance(path, rdflib.URIRef):
        return [(Step(str(path)),)]
    if (path, RDF.first, None) in g:  # a sequence path
        sequences: list[tuple[Step, ...]] = [()]
        for part in Collection(g, path):
            sequences = [a + b for a in sequences for b in _path_steps(g, part)]
        return sequences
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return [tuple(Step(s.predicate, not s.inverse, s.repeated) for s in reversed(seq)) for seq in _path_steps(g, inverse)]
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return [seq for part in Collection(g, alternatives) for seq in _path_steps(g, part)]
    for repeat in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = g.value(path, repeat)
        if inner is not None:
            # Repetition is gathered as a closure (zero or more): a superset of what is read.
            return [
                tuple(Step(s.predicate, s.inverse, True) for s in seq) for seq in _path_steps(g, inner)
            ]
    raise Unbounded(f"unknown property path {path!r}")


class ShapeReach:
    """The read tries of the node shapes of a shapes graph, and their targets."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.g = shapes
        for predicate in UNBOUNDED:
            if (None, predicate, None) in shapes:
                raise Unbounded(f"the shapes use {predicate.n3()}")
        self.by_class: dict[str, set] = {}
        self.by_node: dict[str, set] = {}
        self.subjects_of: dict[str, set] = {}
        self.objects_of: dict[str, set] = {}
        for shape, cls in shapes.subject_objects(SH.targetClass):
            self.by_class.setdefault(str(cls), set()).add(shape)
        for shape, node in shapes.subject_objects(SH.targetNode):
            self.by_node.setdefault(str(node), set()).add(shape)
        for shape, p in shapes.subject_objects(SH.targetSubjectsOf):
            self.subjects_of.setdefault(str(p), set()).add(shape)
        for shape, p in shapes.subject_objects(SH.targetObjectsOf):
            self.objects_of.setdefault(str(p), set()).add(shape)
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):  # implicit class targets
            if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
                self.by_class.setdefault(str(shape), set()).add(shape)
        self.targeted = set().union(*self.by_class.values(), *self.by_node.values(),
                                    *self.subjects_of.values(), *self.objects_of.values())
        self.tries = {shape: self._shape_trie(shape, ()) for shape in self.targeted}
        # backward index: (predicate, inverse) -> the steps to walk back from a triple on it; a
        # repeated step is walked back too (the triple may lie any number of repetitions in)
        self.before: dict[tuple[str, bool], set[tuple[Step, ...]]] = {}
        self.type_reads: set[tuple[Step, ...]] = set()
        for trie in self.tries.values():
            for prefix, step in trie.prefixes():
                back = prefix + (step,) if step.repeated else prefix
                self.before.setdefault((step.predicate, step.inverse), set()).add(back)
                self.type_reads.add(prefix + (step,))

    # --- forward: what a shape reads -------------------------------------------------------------
    def _shape_trie(self, shape, active: tuple) -> Trie:
        """Everything ``shape`` reads from a node it is applied to."""
        if shape in active:
            raise Unbounded(f"recursive shape {shape!r}")
        active = active + (shape,)
        g = self.g
        trie = Trie()
        for prop in g.objects(shape, SH.property):
            path = g.value(prop, SH.path)
            if path is None:
                raise Unbounded(f"property shape {prop!r} without sh:path")
            values = self._value_trie(prop, active + (prop,))
            for seq in _path_steps(g, path):
                node = trie
                for step in seq:
                    node = node.children.setdefault(step, Trie())
                node.merge(values)
        # A shape used as a value shape may itself be a property shape (sh:path on it).
        path = g.value(shape, SH.path)
        if path is not None:
            values = self._value_trie(shape, active)
            for seq in _path_steps(g, path):
                node = trie
                for step in seq:
                    node = node.children.setdefault(step, Trie())
                node.merge(values)
        else:
            trie.merge(self._value_trie(shape, active))
        return trie

    def _value_trie(self, shape, active: tuple) -> Trie:
        """What the constraints of ``shape`` read from each value node (beyond its type)."""
        g = self.g
        trie = Trie()
        for predicate in NESTED_ONE:
            for nested in g.objects(shape, predicate):
                trie.merge(self._shape_trie(nested, active))
        for predicate in NESTED_LIST:
            for members in g.objects(shape, predicate):
                for nested in Collection(g, members):
                    trie.merge(self._shape_trie(nested, active))
        for predicate in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for p in g.objects(shape, predicate):
                trie.children.setdefault(Step(str(p)), Trie())
        if g.value(shape, SH.closed) == rdflib.Literal(True):
            trie.children.setdefault(Step(ANY), Trie())
        return trie

    # --- targets ---------------------------------------------------------------------------------
    def shapes_for(self, node: str, classes: Iterable[str], outgoing: Iterable[str], incoming: Iterable[str]) -> set:
        """The node shapes that target a node with these (closed-over) classes and predicates."""
        found = set(self.by_node.get(node, ()))
        for cls in classes:
            found |= self.by_class.get(cls, set())
        for p in outgoing:
            found |= self.subjects_of.get(p, set())
        for p in incoming:
            found |= self.objects_of.get(p, set())
        return found

    def trie_for(self, shapes: Iterable) -> Trie:
        trie = Trie()
        for shape in shapes:
            trie.merge(self.tries[shape])
        return trie

    @functools.cached_property
    def target_predicates(self) -> frozenset[str]:
        """Predicates whose triples make their subjects or objects targets."""
        return frozenset(self.subjects_of) | frozenset(self.objects_of)

    # --- the shapes graph for a subset of node shapes --------------------------------------------
    def subset(self, shapes: frozenset) -> rdflib.Graph:
        """The node shapes given, with every shape, list and node they use (and no other shape).

        pyshacl parses the shapes graph it is given on every run; a graph of the few node shapes a
        change needs parses in a fraction of the time of the whole file. Built once per set.
        """
        graph = self._subsets.get(shapes)
        if graph is None:
            if len(self._subsets) > 256:
                self._subsets.clear()
            graph = self._subsets[shapes] = _closure(self.g, shapes)
        return graph

    @functools.cached_property
    def _subsets(self) -> dict[frozenset, rdflib.Graph]:
        return {}


def _closure(g: rdflib.Graph, shapes: Iterable) -> rdflib.Graph:
    """The triples of ``shapes`` and of every blank node, list and shape they refer to."""
    out = rdflib.Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    follow = {SH.property, *NESTED_ONE, *NESTED_LIST, RDF.first, RDF.rest}
    seen: set = set()
    todo = list(shapes)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in g.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, rdflib.BNode) or (isinstance(o, rdflib.URIRef) and p in follow):
                todo.append(o)
    return out
