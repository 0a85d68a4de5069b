"""Checks shared by the tests of answers built on the graph (the test modules import it)."""

from __future__ import annotations

from pyoxigraph import NamedNode


def assert_real_path(store, path, start=None, end=None):
    """Each edge of ``path`` is a public statement between consecutive nodes."""
    nodes = path["nodes"]
    assert len(path["edges"]) == len(nodes) - 1 == path["length"]
    if start:
        assert nodes[0] == start, path["text"]
    if end:
        assert nodes[-1] == end, path["text"]
    public = set(store.public_graphs())
    for (here, there), edge in zip(zip(nodes, nodes[1:], strict=False), path["edges"], strict=False):
        assert {edge["subject"], edge["object"]} == {here, there}, path["text"]
        assert edge["subject_label"] and edge["predicate_label"] and edge["object_label"]
        if edge.get("via"):  # a folded membership/coverage: the resource names both ends
            via = NamedNode(edge["via"])
            assert any(q.graph_name in public for q in store.quads(via, None, NamedNode(edge["subject"]), None))
            assert any(q.graph_name in public for q in store.quads(via, None, NamedNode(edge["object"]), None))
        else:
            quads = store.quads(NamedNode(edge["subject"]), NamedNode(edge["predicate"]), NamedNode(edge["object"]), None)
            assert any(q.graph_name in public for q in quads), f"not a statement: {edge}"
    assert path["text"].count("—") == path["length"] == path["text"].count("→") + path["text"].count("←")
