"""The projection and the search index follow writes without rebuilding, and /api/people and
/api/resource answer with evidence on a person added through the store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from knooppunt.service.app import create_app
from pyoxigraph import Literal, NamedNode, Quad

BASE = "https://w3id.org/knooppunt"
ID = f"{BASE}/id"
KP = "https://w3id.org/knooppunt/def#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ORG = "http://www.w3.org/ns/org#"
NEW = f"{ID}/project/knooppunt-testproject"
PERSON = f"{ID}/persoon/test-persoon"
MEMBERSHIP = f"{ID}/lidmaatschap/test-persoon-testproject"
DEDICATED = f"{ID}/project/dedicated"


def quads(store):
    g = store.graph("api-test")
    n = NamedNode
    return [
        Quad(n(NEW), RDF_TYPE, n(KP + "Project"), g),
        Quad(n(NEW), LABEL, Literal("Zeldzaamwoord testproject over dementie", language="nl"), g),
        Quad(n(NEW), n(KP + "addressesTheme"), n(f"{ID}/thema/dementie"), g),
        Quad(n(NEW), n(KP + "addressesTheme"), n(f"{ID}/thema/proactieve-zorgplanning"), g),
        Quad(n(NEW), n(KP + "leadOrganisation"), n(f"{ID}/organisatie/lumc"), g),
        Quad(n(PERSON), RDF_TYPE, n(KP + "Person"), g),
        Quad(n(PERSON), LABEL, Literal("Test Persoon", language="nl"), g),
        Quad(n(MEMBERSHIP), RDF_TYPE, n(KP + "Membership"), g),
        Quad(n(MEMBERSHIP), n(ORG + "member"), n(PERSON), g),
        Quad(n(MEMBERSHIP), n(ORG + "role"), n(f"{ID}/rol/ambassadeur"), g),
        Quad(n(MEMBERSHIP), n(KP + "project"), n(NEW), g),
        Quad(n(MEMBERSHIP), n(ORG + "organization"), n(f"{ID}/organisatie/lumc"), g),
    ]


@pytest.fixture
def fresh_client(fresh_store):
    with TestClient(create_app(store=fresh_store)) as c:
        yield c


def builds(client):
    stats = client.get("/api/stats/projection").json()
    return stats["projection"]["builds"], stats["search_index"]["builds"], stats["projection"]["deltas"]


def test_delta_reaches_search_related_path_and_people_without_rebuild(fresh_client, fresh_store):
    c = fresh_client
    assert c.get("/api/search", params={"q": "zeldzaamwoord"}).json()["total"] == 0
    before = builds(c)

    fresh_store.apply_delta([], quads(fresh_store))

    hits = c.get("/api/search", params={"q": "zeldzaamwoord"}).json()["results"]
    assert [h["iri"] for h in hits] == [NEW]
    related = c.get("/api/projects/dedicated/related", params={"limit": 50}).json()["related"]
    mine = next(p for p in related if p["iri"] == NEW)
    assert {s["iri"] for s in mine["shared"]} >= {f"{ID}/thema/dementie", f"{ID}/thema/proactieve-zorgplanning"}
    path = c.get("/api/path", params={"from": "persoon/test-persoon", "to": "project/dedicated"}).json()["paths"][0]
    assert path["nodes"][0] == PERSON and path["nodes"][-1] == DEDICATED

    people = c.get("/api/people", params={"theme": "dementie", "role": "ambassadeur"}).json()
    assert people["total"] == 1
    person = people["people"][0]
    assert person["iri"] == PERSON
    evidence = person["evidence"][0]
    assert evidence["nodes"] == [PERSON, NEW, f"{ID}/thema/dementie"]
    assert evidence["edges"][0]["predicate_label"] == "ambassadeur" or "ambassadeur" in evidence["text"].lower()
    assert evidence["edges"][0]["via"] == MEMBERSHIP
    assert {w["iri"] for w in person["works_on"]} == {NEW, f"{ID}/organisatie/lumc"}
    by_org = c.get("/api/people", params={"organisation": "lumc"}).json()
    assert PERSON in [p["iri"] for p in by_org["people"]]
    assert c.get("/api/people", params={"theme": "dementie", "role": "docent"}).json()["total"] == 0

    assert builds(c)[:2] == before[:2]  # no rebuild: the delta was applied
    assert builds(c)[2] > before[2]

    # and back out again, still without a rebuild
    fresh_store.apply_delta(quads(fresh_store), [])
    assert c.get("/api/search", params={"q": "zeldzaamwoord"}).json()["total"] == 0
    assert NEW not in [p["iri"] for p in c.get("/api/projects/dedicated/related", params={"limit": 100}).json()["related"]]
    assert c.get("/api/people", params={"theme": "dementie", "role": "ambassadeur"}).json()["total"] == 0
    assert c.get("/api/projects/knooppunt-testproject/related").status_code == 404
    assert builds(c)[:2] == before[:2]


def test_unknown_change_rebuilds_once_lazily(fresh_client, fresh_store):
    c = fresh_client
    before = builds(c)
    fresh_store.update(
        f'INSERT DATA {{ GRAPH <{BASE}/graph/api-test> {{ <{NEW}> a <{KP}Project> ; '
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Zeldzaamwoord via update"@nl }} }}'
    )
    assert c.get("/api/search", params={"q": "zeldzaamwoord"}).json()["results"][0]["iri"] == NEW
    assert c.get("/api/projects/knooppunt-testproject/related").status_code == 200
    after = builds(c)
    assert after[0] == before[0] + 1 and after[1] == before[1] + 1
    c.get("/api/search", params={"q": "zorg"})
    assert builds(c) == after  # once, not per request


def test_private_graph_never_reaches_the_api(fresh_client, fresh_store):
    secret = Quad(NamedNode(DEDICATED), LABEL, Literal("Geheimwoord", language="nl"), fresh_store.graph("private"))
    fresh_store.apply_delta([], [secret])
    assert fresh_client.get("/api/search", params={"q": "geheimwoord"}).json()["total"] == 0
    assert "Geheimwoord" not in fresh_client.get("/api/resource/id/project/dedicated").text


def test_resource_groups_links_out_and_in_with_labels(client):
    r = client.get("/api/resource/id/project/dedicated")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["iri"] == DEDICATED and body["label"].startswith("DEDICATED")
    assert [t["iri"] for t in body["types"]] == [KP + "Project"]
    assert body["description"] and body["sources"]
    out = {g["predicate"]: g for g in body["links_out"]}
    themes = out[KP + "addressesTheme"]
    assert themes["label"] and {i["iri"] for i in themes["items"]} >= {f"{ID}/thema/dementie"}
    assert all(i["label"] for i in themes["items"])
    same = client.get("/api/resource", params={"iri": DEDICATED}).json()
    assert same == body
    theme = client.get("/api/resource/id/thema/dementie").json()
    incoming = {g["predicate"]: g for g in theme["links_in"]}
    assert DEDICATED in [i["iri"] for i in incoming[KP + "addressesTheme"]["items"]]
    assert incoming[KP + "addressesTheme"]["total"] >= 1


# --- the by-predicate index, the shared scan and the connections shortcut (performance work) ---
def _index_from_edges(net):
    """``pout``/``pin`` recomputed from the edges' statements, the slow way."""
    pout, pin = {}, {}
    for u, v, data in net.G.edges(data=True):
        for rid, subject, _ in data["r"]:
            obj = v if subject == u else u
            p = net.rel(rid).predicate
            pout.setdefault(subject, {}).setdefault(p, set()).add(obj)
            pin.setdefault(obj, {}).setdefault(p, set()).add(subject)
    return pout, pin


def _as_sets(table):
    return {a: {p: set(d) for p, d in by.items()} for a, by in table.items()}


def test_by_predicate_index_follows_deltas(fresh_store):
    from knooppunt.graph.analysis.knowledge import Knowledge

    kb = Knowledge(fresh_store)
    kb.warm()
    assert (kb.net.builds, kb.index.builds) == (1, 1)  # one shared scan built both
    added = quads(fresh_store)
    for removed, add in (([], added), (added[2:5], []), ([], added[2:5]), (added, [])):
        fresh_store.apply_delta(removed, add)
        with kb.net.reading():
            pout, pin = _index_from_edges(kb.net)
            assert _as_sets(kb.net.state.pout) == pout
            assert _as_sets(kb.net.state.pin) == pin
            lumc = f"{ID}/organisatie/lumc"
            assert set(kb.net.into(lumc, KP + "leadOrganisation")) == pin.get(lumc, {}).get(KP + "leadOrganisation", set())
    assert kb.net.builds == 1 and kb.net.deltas == 4


def test_merged_best_equals_full_sums():
    import random

    from knooppunt.graph.analysis.connections import _best_scores, _merged_best, _ranked

    rnd = random.Random(7)
    for _ in range(200):
        terms = []
        for _ in range(rnd.randint(1, 4)):
            w = rnd.choice([1.0, 0.8])
            terms.append({f"i{rnd.randrange(60)}": rnd.choice([w, w * 0.7]) for _ in range(rnd.randint(0, 50))})
        scales = [rnd.choice([1.0, 0.5, 0.37]) for _ in terms]
        full: dict[str, float] = {}
        for t, scale in zip(terms, scales, strict=True):
            for k, v in t.items():
                full[k] = full.get(k, 0.0) + v * scale
        for n in (1, 5, 30, 100):
            assert _merged_best(terms, [_ranked(t) for t in terms], scales, n) == _best_scores(full, n)
