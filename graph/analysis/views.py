"""Graph views for d3/cytoscape (``{nodes, links}``) and whole-graph exports for Gephi.

A view is the neighbourhood of a focus entity up to ``depth`` steps, optionally only nodes of some
classes (the focus is always kept). Bounded: at most ``limit`` nodes (``MAX_NODES``), and a node
contributes at most ``PER_NODE`` neighbours, least connected first - so a theme with thousands of
projects shows a sample and the answer says ``truncated``. Without a focus the view starts from
the most connected entities.

Exports write the whole projection with string attributes (label, type, relation labels and
predicate IRIs) through networkx's GraphML and GEXF writers, as a stream of lines.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

import networkx as nx

from .network import Projection

MAX_NODES = 500
MAX_DEPTH = 3
PER_NODE = 50


def view(net: Projection, focus: str | None = None, *, depth: int = 1, types: set[str] | None = None, limit: int = 150, lang: str = "nl") -> dict[str, Any]:
    """Nodes and links around ``focus`` (IRI) or, without one, among the best connected nodes."""
    with net.reading():
        G = net.G
        adj = G._adj  # noqa: SLF001 - the raw dicts: several times faster than the views

        def allowed(n: str) -> bool:
            return not types or net.is_any(n, types)

        truncated = False
        if focus is not None:
            chosen = {focus: 0}
            frontier = [focus]
            for d in range(1, depth + 1):
                nxt = []
                for u in frontier:
                    if len(adj[u]) > PER_NODE:  # a hub: its PER_NODE least connected, memoised
                        truncated = True
                        neighbours = _hub_sample(net, u)
                    else:
                        neighbours = sorted(adj[u], key=lambda n: (len(adj[n]), n))
                    for v in neighbours:
                        if v in chosen or not allowed(v):
                            continue
                        if len(chosen) >= limit:
                            truncated = True
                            break
                        chosen[v] = d
                        nxt.append(v)
                frontier = nxt
        else:
            ranked = heapq.nsmallest(limit + 1, (n for n in G if allowed(n)), key=lambda n: (-len(adj[n]), n))
            truncated = len(ranked) > limit
            chosen = {n: 0 for n in ranked[:limit]}
        nodes = [{"id": n, **net.node_json(n, lang), "degree": len(adj[n]), "depth": d} for n, d in chosen.items()]
        links = []
        for u in chosen:
            for v, data in adj[u].items():
                if v in chosen and u < v:
                    for rid, subject, via in data["r"]:
                        obj = v if subject == u else u
                        link = {"source": subject, "target": obj, "predicate": net.rel(rid).predicate, "label": net.rel_label(rid, lang), "inverse_label": net.rel_label(rid, lang, inverse=True)}
                        if via:
                            link["via"] = via
                        links.append(link)
        return {"focus": focus, "depth": depth, "nodes": nodes, "links": links, "truncated": truncated}


def _hub_sample(net: Projection, hub: str) -> list[str]:
    """The ``PER_NODE`` least connected neighbours of a hub (ties: by IRI), memoised per store
    generation: a theme with thousands of projects is sampled once, not on every view."""
    cache = net.__dict__.get("_hub_samples")
    if cache is None or cache[0] != net.generation:
        cache = net.__dict__["_hub_samples"] = (net.generation, {})
    found = cache[1].get(hub)
    if found is None:
        adj = net.G._adj  # noqa: SLF001
        found = cache[1][hub] = heapq.nsmallest(PER_NODE, adj[hub], key=lambda n: (len(adj[n]), n))
    return found


def export_graph(net: Projection, lang: str = "nl") -> nx.Graph:
    """A copy of the projection with string attributes only (what GraphML/GEXF can carry)."""
    with net.reading():
        H = nx.Graph()
        for n, data in net.G.nodes(data=True):
            H.add_node(n, label=data["label"], type=data.get("type", ""), types=" ".join(data.get("types", ())))
        for u, v, data in net.G.edges(data=True):
            entries = data["r"]
            H.add_edge(
                u,
                v,
                label="; ".join(dict.fromkeys(net.rel_label(rid, lang) for rid, _, _ in entries)),
                predicates=" ".join(dict.fromkeys(net.rel(rid).predicate for rid, _, _ in entries)),
                source_of=" ".join(dict.fromkeys(s for _, s, _ in entries)),
                weight=len(entries),
            )
        return H


def graphml_lines(net: Projection) -> Iterator[str]:
    for line in nx.generate_graphml(export_graph(net)):
        yield line + "\n"


def gexf_lines(net: Projection) -> Iterator[str]:
    for line in nx.generate_gexf(export_graph(net)):
        yield line + "\n"
