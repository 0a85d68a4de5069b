"""SHACL validation against ``shapes/``, with reports a person can act on.

pyshacl works on rdflib graphs; the store speaks pyoxigraph. This module converts at the edge and
turns pyshacl's report graph into plain ``ValidationResult`` records (focus node, path, value,
message in nl and en, severity, shape), so the CLI, the API and the write path all report alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import pyshacl
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from rdflib.namespace import SH

from .. import resources

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class ValidationResult:
    focus_node: str
    severity: str
    message_nl: str
    message_en: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    constraint: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self, lang: str = "nl") -> str:
        message = self.message_nl if lang == "nl" else self.message_en
        where = f" ({self.path})" if self.path else ""
        value = f" = {self.value}" if self.value else ""
        return f"[{self.severity}] {self.focus_node}{where}{value}: {message or self.message_en}"


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)
    checked: frozenset[str] | None = None
    """The focus nodes whose results this report holds completely (an incremental validation's
    affected nodes: a node in it without results has none); ``None``: not known."""

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        """True when nothing breaks the graph (warnings are allowed)."""
        return not self.violations

    def text(self, lang: str = "nl") -> str:
        if not self.results:
            return "Conforms: no violations, no warnings."
        lines = [r.line(lang) for r in sorted(self.results, key=lambda r: (r.severity != "Violation", r.focus_node))]
        summary = f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)."
        return "\n".join(lines + [summary])


@functools.cache
def shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted(resources.shapes_dir().glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@functools.cache
def ontology_graph() -> rdflib.Graph:
    """The OWL ontology (absolute IRIs only; the concept schemes are data)."""
    g = rdflib.Graph()
    path = resources.ontology_dir() / "knooppunt.ttl"
    if path.exists():
        g.parse(path, format="turtle")
    return g


def to_rdflib_term(term):
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib_graph(triples: Iterable[Quad | Triple]) -> rdflib.Graph:
    g = rdflib.Graph()
    for t in triples:
        g.add((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object)))
    return g


def _text(g: rdflib.Graph, node, prop, lang: str) -> str:
    for value in g.objects(node, prop):
        if isinstance(value, rdflib.Literal) and value.language == lang:
            return str(value)
    return ""


def validate(
    data: rdflib.Graph,
    *,
    focus_nodes: list | None = None,
    shapes: rdflib.Graph | None = None,
) -> ValidationReport:
    """Validate ``data`` (the ontology is mixed in for subclass reasoning on ``sh:class``)."""
    shapes = shapes if shapes is not None else shapes_graph()
    kwargs = {}
    if focus_nodes is not None:
        kwargs["focus_nodes"] = focus_nodes
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        advanced=False,
        **kwargs,
    )
    return parse_report(report_graph, shapes)


def parse_report(report_graph: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """The report's results: the values of ``sh:result`` (SHACL 3.6.1). Nested shapes' own results,
    which pyshacl attaches as ``sh:detail`` of a result, explain it and are not results themselves."""
    results = []
    for result in report_graph.objects(None, SH.result):
        focus = report_graph.value(result, SH.focusNode)
        source_shape = report_graph.value(result, SH.sourceShape)
        path = report_graph.value(result, SH.resultPath)
        value = report_graph.value(result, SH.value)
        severity = report_graph.value(result, SH.resultSeverity)
        messages = {
            m.language or "": str(m) for m in report_graph.objects(result, SH.resultMessage)
        }
        nl = messages.get("nl") or _text(shapes, source_shape, SH.message, "nl")
        en = messages.get("en") or _text(shapes, source_shape, SH.message, "en") or messages.get("", "")
        parent = next(iter(shapes.subjects(SH.property, source_shape)), None) if source_shape else None
        results.append(
            ValidationResult(
                focus_node=str(focus),
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                message_nl=nl,
                message_en=en,
                path=str(path) if path is not None and not isinstance(path, rdflib.BNode) else None,
                value=str(value) if value is not None else None,
                shape=str(parent if isinstance(source_shape, rdflib.BNode) and parent else source_shape),
                constraint=str(report_graph.value(result, SH.sourceConstraintComponent) or ""),
            )
        )
    return ValidationReport(results)
