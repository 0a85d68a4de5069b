"""Private data on a remote store: ``KNOOPPUNT_STORE_PRIVATE``, on every remote engine (``engine``).

With a second store for the non-public graphs (``private``, ``system``), the main store holds
public graphs only, as the embedded backend's sidecar arrangement does: public queries use its
union default graph where the engine has one (Oxigraph's ``union-default-graph``), and no query,
however it names its dataset, can reach contact details, because they are not in that store.
The privacy oracle is the same as ``test_privacy.py``'s: every public route, asked about a person
with an e-mail address and a phone number, answers with neither.
"""

from __future__ import annotations

import pytest
from knooppunt.graph.store import open_store
from knooppunt.graph.store.endpoint import SparqlEndpoint
from knooppunt.graph.store.remote import RemoteStore
from pyoxigraph import Literal, NamedNode, Quad
from test_privacy import EMAIL, PHONE, PUBLIC_GETS
from writes_support import make_writer

pytestmark = pytest.mark.remote

BASE = "https://w3id.org/knooppunt"
MAIL = NamedNode("https://schema.org/email")


@pytest.fixture(scope="module")
def split(servers):
    """A seeded store of ``engine`` with its non-public graphs in a second server of the same engine."""
    private = servers.settings(seeded=False)
    store = open_store(servers.settings(store_private=private.store))
    store.keep = private  # the private server lives as long as the store
    return store


def everything(endpoint: SparqlEndpoint) -> list[dict]:
    """Every quad of one server, read straight from it (no dataset: its whole store)."""
    return endpoint.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", None, None)


def test_non_public_graphs_live_only_in_the_private_store(split):
    person = NamedNode(f"{BASE}/id/persoon/apart")
    contact = Quad(person, MAIL, Literal("apart@voorbeeld.nl"), split.graph("private"))
    before = split.generation
    split.apply_delta([], [contact])
    assert split.generation != before  # a private-only write moves the marker too
    main_graphs = {r["g"] for r in everything(split.main)}
    assert main_graphs and not main_graphs & {split.graph("private"), split.graph("system")}
    assert "apart@voorbeeld.nl" not in str(everything(split.main))
    assert contact in set(split.quads(graph=split.graph("private")))
    assert {split.graph("private"), split.graph("system")} <= set(split.named_graphs())
    assert split.graph("private") not in split.public_graphs()
    split.apply_delta([contact], [])
    assert contact not in set(split.quads(graph=split.graph("private")))


def test_public_queries_use_the_main_store_whole_and_answer_as_embedded(split, store_factory, monkeypatch):
    memory = store_factory("memory")
    assert split._dataset("public") == (None, None)
    sent: list[dict] = []
    original = SparqlEndpoint.read

    def spy(self, sparql, default_graphs, named_graphs, **kwargs):
        sent.append({"default": default_graphs, "union": kwargs.get("union", False)})
        return original(self, sparql, default_graphs, named_graphs, **kwargs)

    monkeypatch.setattr(SparqlEndpoint, "read", spy)
    split._count_cache.clear()
    assert split.count() == memory.count()
    if split.main.profile.union_parameter:  # Oxigraph: its union default graph, no graph list
        assert sent[-1] == {"default": None, "union": True}
    else:  # no such switch (Virtuoso): the main store's graphs, all of them public
        assert set(sent[-1]["default"]) == set(memory.public_graphs())
    q = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    assert [(r["c"], r["n"]) for r in split.select(q)] == [(r["c"], r["n"]) for r in memory.select(q)]
    project = memory.select("SELECT ?s WHERE { ?s a kp:Project } ORDER BY ?s LIMIT 1")[0]["s"]
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # (engines order literals differently: compare as sets)
    rows = {tuple(sorted((k, str(v)) for k, v in r.items())) for r in split.select(q, {"s": project})}
    assert rows == {tuple(sorted((k, str(v)) for k, v in r.items())) for r in memory.select(q, {"s": project})} != set()


def test_no_public_route_reaches_contact_details(servers, tmp_path):
    private = servers.settings(seeded=False)
    store = open_store(servers.settings(store_private=private.store))
    w = make_writer(store, tmp_path)
    csv = f"type,id,label,email,telefoon,organisatie,rol\npersoon,priva-test,Priva Test,{EMAIL},{PHONE},,\n"
    r = w.client.post("/api/import?graph=mensen-csv", content=csv, headers={"Content-Type": "text/csv", **w.auth()})
    assert r.status_code == 200, r.text
    assert EMAIL in str(everything(store.side)) and EMAIL not in str(everything(store.main))
    for path in PUBLIC_GETS:
        for accept in ("text/html", "text/turtle", "application/sparql-results+json", "*/*"):
            r = w.client.get(path, headers={"Accept": accept})
            assert EMAIL not in r.text and PHONE not in r.text, f"{path} ({accept}) leaked contact details"
    r = w.client.get("/graph/private", headers={"Accept": "application/n-triples", **w.auth(w.admin)})
    assert r.status_code == 200 and EMAIL in r.text  # admins still see it


def test_turning_the_private_store_on_moves_the_private_graphs(servers):
    one = open_store(servers.settings())
    contact = Quad(NamedNode(f"{BASE}/id/persoon/verhuis"), MAIL, Literal("verhuis@voorbeeld.nl"), one.graph("private"))
    one.apply_delta([], [contact])
    all_before = sorted(str(q) for q in one.quads())
    private = servers.settings(seeded=False)
    split = RemoteStore(one.settings.with_overrides(store_private=private.store))
    assert "verhuis@voorbeeld.nl" not in str(everything(split.main))
    assert contact in set(split.quads(graph=split.graph("private")))
    assert sorted(str(q) for q in split.quads()) == all_before
