"""The independent oracle for write validation: pyshacl over the whole public store, no ``focus_nodes``.

``whole_store_results(quads)`` runs plain ``pyshacl.validate`` (through ``validation.validate``,
which mixes in the ontology) over every public quad given; nothing incremental is involved. The
results are compared as keys (focus node, path, value, shape, severity, constraint component).
The nodes incremental must check are those whose whole-store results differ before and after.
"""

from __future__ import annotations

from collections import Counter

import pyshacl
import rdflib
from knooppunt.graph.writes import incremental, validation
from knooppunt.graph.writes.delta import Delta


def key(r) -> tuple:
    return (r.focus_node, r.path, r.value, r.shape, r.severity, r.constraint)


def public_quads(store) -> list:
    return [q for g in store.public_graphs() for q in store.quads(graph=g)]


def after_quads(before: list, delta: Delta, store) -> list:
    hidden = {store.graph(n) for n in ("private", "system")}
    removed = set(delta.removed)
    kept = [q for q in before if q not in removed]
    present = set(kept)
    return kept + [q for q in dict.fromkeys(delta.added) if q.graph_name not in hidden and q not in present]


def whole_store_results(quads: list, shapes: rdflib.Graph | None = None) -> Counter:
    data = validation.to_rdflib_graph(quads)
    if shapes is None:
        report = validation.validate(data)
    else:
        _, graph, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
        report = validation.parse_report(graph, shapes)
    return Counter(key(r) for r in report.results)


def check(store, delta: Delta, before_results: Counter, before_quads: list, reach=None, shapes=None) -> Counter:
    """Assert the incremental results equal the oracle's; return them."""
    report = incremental.validate_delta(store, delta, reach=reach)
    small = Counter(key(r) for r in report.results)
    after = whole_store_results(after_quads(before_quads, delta, store), shapes)
    # Which nodes incremental checked is its own answer; the whole store says which must be: every
    # node whose results the change made or removed (a fixed warning must leave the Warnings view).
    nodes = report.checked
    if nodes is not None:
        changed = {k[0] for k in (after - before_results) + (before_results - after)}
        assert changed <= nodes, f"nodes whose results changed but were not checked: {sorted(changed - nodes)}"
    else:  # validated as a whole store
        nodes = {k[0] for k in after}
    expected = Counter({k: n for k, n in after.items() if k[0] in nodes})
    new = after - before_results
    assert not (small - after), f"incremental results the whole store does not give: {sorted(small - after)}"
    missing_new = {k for k in new if k not in small}
    assert not missing_new, f"new results of the whole store that incremental missed: {sorted(missing_new)}"
    assert small == expected, (
        f"incremental != whole store on the affected nodes:\n only incremental: {sorted(small - expected)}\n"
        f" only whole store: {sorted(expected - small)}"
    )
    return small
