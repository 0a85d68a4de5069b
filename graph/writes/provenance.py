"""Provenance of writes (PROV-O), kept in the public ``provenance`` graph.

Each accepted write is one ``prov:Activity`` written in the *same* ``apply_delta`` call as the data,
so a record exists exactly when its change does::

    <{base}/graph/provenance#20250101T120000-1a2b3c> a prov:Activity ;
        rdfs:label "import van projecten.ttl"@nl ;
        prov:wasAssociatedWith <{base}/graph/provenance#agent-alice> ;   # the token's name
        prov:endedAtTime "2025-01-01T12:00:00Z"^^xsd:dateTime ;
        prov:generated <{base}/graph/projecten> ;                         # the graph written
        kp:operation "import" ;        # import | gsp-put | gsp-post | gsp-delete | sparql-update | undo
                                       # | proposal (an approved proposal) | form-edit
        kp:sourceName "projecten.ttl" ;
        kp:triplesAdded 12 ; kp:triplesRemoved 3 .

An approved proposal's record also says who proposed it and when (``kp:proposedBy`` with the name
the proposer gave, ``prov:startedAtTime``); its agent is the editor who approved it.

Record IRIs are hash IRIs in the graph's own namespace, so they need no new ``/id/{kind}``.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import KP, PROV, RDF_TYPE, RDFS_LABEL, XSD

GRAPH = "provenance"
ACTIVITY = NamedNode(PROV + "Activity")
AGENT = NamedNode(PROV + "Agent")
ASSOCIATED = NamedNode(PROV + "wasAssociatedWith")
ENDED = NamedNode(PROV + "endedAtTime")
GENERATED = NamedNode(PROV + "generated")
OPERATION = NamedNode(KP + "operation")
SOURCE_NAME = NamedNode(KP + "sourceName")
ADDED = NamedNode(KP + "triplesAdded")
REMOVED = NamedNode(KP + "triplesRemoved")
PROPOSED_BY = NamedNode(KP + "proposedBy")
STARTED = NamedNode(PROV + "startedAtTime")


@dataclass
class Record:
    id: str
    iri: str
    agent: str
    time: str
    operation: str
    graph: str | None
    source: str | None
    added: int
    removed: int
    proposed_by: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _ns(store) -> str:
    return store.graph(GRAPH).value + "#"


def new_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)


def record_quads(
    store,
    *,
    record_id: str,
    agent: str,
    operation: str,
    graph: NamedNode | None,
    source: str | None,
    added: int,
    removed: int,
    extra: list | None = None,
) -> list[Quad]:
    """The quads of one record (to add in the same ``apply_delta`` as the data); ``extra``: more
    (predicate, object) pairs, e.g. who proposed an approved proposal and when."""
    g = store.graph(GRAPH)
    node = NamedNode(_ns(store) + record_id)
    agent_node = NamedNode(_ns(store) + "agent-" + agent)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    label = f"{operation} {source or (store.graph_name(graph) if graph else '')}".strip()
    quads = [
        Quad(node, RDF_TYPE, ACTIVITY, g),
        Quad(node, RDFS_LABEL, Literal(label, language="nl"), g),
        Quad(node, ASSOCIATED, agent_node, g),
        Quad(agent_node, RDF_TYPE, AGENT, g),
        Quad(agent_node, RDFS_LABEL, Literal(agent), g),
        Quad(node, ENDED, Literal(now, datatype=NamedNode(XSD + "dateTime")), g),
        Quad(node, OPERATION, Literal(operation), g),
        Quad(node, ADDED, Literal(str(added), datatype=NamedNode(XSD + "integer")), g),
        Quad(node, REMOVED, Literal(str(removed), datatype=NamedNode(XSD + "integer")), g),
    ]
    if graph is not None:
        quads.append(Quad(node, GENERATED, graph, g))
    if source:
        quads.append(Quad(node, SOURCE_NAME, Literal(source), g))
    quads += [Quad(node, p, o, g) for p, o in extra or ()]
    return quads


_LIST = """
SELECT ?pg ?r ?agent ?time ?op ?graph ?source ?added ?removed ?proposer WHERE {
  GRAPH ?pg {
    ?r a prov:Activity ; prov:endedAtTime ?time ; kp:operation ?op ;
       kp:triplesAdded ?added ; kp:triplesRemoved ?removed ;
       prov:wasAssociatedWith ?a .
    ?a rdfs:label ?agent .
    OPTIONAL { ?r prov:generated ?graph }
    OPTIONAL { ?r kp:sourceName ?source }
    OPTIONAL { ?r kp:proposedBy ?proposer }
  }
} ORDER BY DESC(?time) DESC(?r)
"""


def records(store, record_id: str | None = None) -> list[Record]:
    """All records, newest first (or the one with ``record_id``)."""
    ns = _ns(store)
    bindings = {"pg": store.graph(GRAPH)}
    if record_id is not None:
        bindings["r"] = NamedNode(ns + record_id)
    rows = store.select(_LIST, bindings, dataset="all")
    out = []
    for row in rows:
        iri = row["r"].value
        out.append(
            Record(
                id=iri[len(ns):] if iri.startswith(ns) else iri,
                iri=iri,
                agent=row["agent"].value,
                time=row["time"].value,
                operation=row["op"].value,
                graph=row["graph"].value if "graph" in row else None,
                source=row["source"].value if "source" in row else None,
                added=int(row["added"].value),
                removed=int(row["removed"].value),
                proposed_by=row["proposer"].value if "proposer" in row else None,
            )
        )
    return out


def find(store, record_id: str) -> Record | None:
    if not record_id.replace("-", "").isalnum():
        return None
    return next(iter(records(store, record_id)), None)
