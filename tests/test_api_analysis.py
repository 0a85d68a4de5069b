"""Hand-checked answers on the seed data: related projects, paths, coverage, gaps, graph views,
exports and projection stats (connections: ``test_connections.py``). Every explanation path is checked against the store:
each of its edges must be a real public statement (or a real membership/coverage)."""

from __future__ import annotations

import io

import networkx as nx
from graph_support import assert_real_path
from pyoxigraph import NamedNode

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
ID = f"{BASE}/id"
PZP = f"{ID}/thema/proactieve-zorgplanning"
DEMENTIE = f"{ID}/thema/dementie"
DEDICATED = f"{ID}/project/dedicated"


# --- related projects ---------------------------------------------------------------------------------
def test_related_projects_of_dedicated_include_dementia_or_acp_projects(client, store):
    r = client.get("/api/projects/dedicated/related", params={"limit": 5})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["project"]["iri"] == DEDICATED
    related = answer["related"]
    assert related and DEDICATED not in [p["iri"] for p in related]
    on_topic = [p for p in related if {s["iri"] for s in p["shared"]} & {DEMENTIE, PZP}]
    assert on_topic, [p["label"] for p in related]
    assert f"{ID}/project/pzp-bij-dementie" in [p["iri"] for p in related]
    for p in related:
        assert abs(sum(s["contribution"] for s in p["shared"]) + sum(link["weight"] for link in p["links"]) - p["score"]) < 0.01
        for s in p["shared"]:
            assert s["weight"] == answer["weights"][s["kind"]]
            assert s["projects_sharing"] >= 2
            assert_real_path(store, s["path"], start=DEDICATED, end=p["iri"])
    assert [p["score"] for p in related] == sorted((p["score"] for p in related), reverse=True)


def test_related_by_iri_and_custom_weights(client):
    by_slug = client.get("/api/projects/dedicated/related").json()
    by_iri = client.get("/api/projects/related", params={"iri": DEDICATED}).json()
    assert by_slug == by_iri
    only_themes = client.get("/api/projects/dedicated/related", params={"weights": "organisation=0,person=0,region=0,programme=0,level=0,funder=0,competency=0,link=0"}).json()
    for p in only_themes["related"]:
        assert all(s["kind"] == "theme" for s in p["shared"] if s["contribution"] > 0)


# --- paths ----------------------------------------------------------------------------------------------
def test_path_between_two_organisations_goes_through_a_shared_project_or_consortium(client, store):
    lumc, iknl = f"{ID}/organisatie/lumc", f"{ID}/organisatie/iknl"
    r = client.get("/api/path", params={"from": "organisatie/lumc", "to": iknl, "max": 3})
    assert r.status_code == 200, r.text
    paths = r.json()["paths"]
    assert 1 <= len(paths) <= 3
    assert paths[0]["length"] == 2
    middle = paths[0]["nodes"][1]
    types = {q.object.value for q in store.quads(NamedNode(middle), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None)}
    assert types & {KP + "Project", KP + "Consortium", KP + "Programme"}, middle
    for p in paths:
        assert_real_path(store, p, start=lumc, end=iknl)
        assert len(set(p["nodes"])) == len(p["nodes"])  # simple paths
        assert not any("rdf-syntax-ns#type" in e["predicate"] for e in p["edges"])
    assert [p["length"] for p in paths] == sorted(p["length"] for p in paths)


def test_path_to_itself_is_empty_and_hops_limit_holds(client):
    assert client.get("/api/path", params={"from": "project/dedicated", "to": "project/dedicated"}).json()["paths"] == []
    answer = client.get("/api/path", params={"from": "project/dedicated", "to": "organisatie/iknl", "hops": 1, "max": 10}).json()
    assert all(p["length"] <= 1 for p in answer["paths"])


# --- coverage and gaps ---------------------------------------------------------------------------------------
def test_coverage_of_proactieve_zorgplanning(client, store):
    r = client.get("/api/competencies/proactieve-zorgplanning/coverage")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["concept"]["iri"] == PZP
    assert f"{ID}/materiaal/richtlijn-proactieve-zorgplanning" in [m["iri"] for m in answer["materials"]["items"]]
    assert DEDICATED in [p["iri"] for p in answer["projects"]["items"]]
    for category in ("materials", "courses", "projects", "experts", "curricula", "needs", "events"):
        for item in answer[category]["items"]:
            assert_real_path(store, item["path"], start=PZP, end=item["iri"])


def test_coverage_of_a_broader_theme_includes_narrower_ones(client):
    broad = client.get("/api/competencies/symptoombestrijding/coverage").json()
    assert f"{ID}/thema/pijn" in [s["iri"] for s in broad["scope"]]
    pain = client.get("/api/competencies/pijn/coverage").json()
    assert broad["projects"]["total"] >= pain["projects"]["total"]
    assert DEDICATED in [p["iri"] for p in broad["projects"]["items"]]  # DEDICATED addresses "Pijn"


def test_gaps_are_consistent_with_coverage(client):
    answer = client.get("/api/gaps", params={"limit": 100}).json()
    assert answer["concepts_checked"] > 0
    for key in ("no_material", "no_expert", "no_curriculum", "open_needs"):
        assert answer[key]["total"] >= len(answer[key]["items"])
    if answer["no_material"]["items"]:
        first = answer["no_material"]["items"][0]
        cov = client.get("/api/competencies/coverage", params={"iri": first["iri"]}).json()
        direct = [m for m in cov["materials"]["items"] + cov["courses"]["items"] if m["path"]["length"] == 1]
        assert direct == []
    covered = [row["iri"] for row in answer["no_material"]["items"]]
    assert PZP not in covered  # the guideline addresses it
    by_level = client.get("/api/gaps", params={"level": "mbo", "region": "noord-holland"}).json()
    assert by_level["level"]["iri"] == f"{ID}/niveau/mbo"


# --- views, exports, stats ----------------------------------------------------------------------------------
def test_graph_view_around_dedicated(client):
    answer = client.get("/api/graph", params={"focus": "project/dedicated", "depth": 1}).json()
    ids = {n["id"] for n in answer["nodes"]}
    assert DEDICATED in ids and DEMENTIE in ids
    assert all(link["source"] in ids and link["target"] in ids for link in answer["links"])
    assert any(link["predicate"] == KP + "addressesTheme" and link["label"] for link in answer["links"])
    themes = client.get("/api/graph", params={"focus": "project/dedicated", "types": "Theme"}).json()
    assert {n["type"] for n in themes["nodes"] if n["id"] != DEDICATED} == {KP + "Theme"}
    capped = client.get("/api/graph", params={"focus": "project/dedicated", "depth": 3, "limit": 5}).json()
    assert len(capped["nodes"]) == 5 and capped["truncated"]


def test_exports_are_readable_by_networkx(client):
    stats = client.get("/api/stats/projection").json()["projection"]
    graphml = client.get("/api/export.graphml")
    assert graphml.status_code == 200 and "graphml" in graphml.headers["content-type"]
    G = nx.read_graphml(io.BytesIO(graphml.content))
    assert G.number_of_nodes() == stats["nodes"] and G.number_of_edges() == stats["edges"]
    assert G.nodes[DEDICATED]["label"].startswith("DEDICATED")
    gexf = client.get("/api/export.gexf")
    assert gexf.status_code == 200
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_nodes() == stats["nodes"]


def test_projection_stats_report_size_time_and_memory(client):
    stats = client.get("/api/stats/projection").json()
    p = stats["projection"]
    assert p["nodes"] > 100 and p["edges"] > 100
    assert p["build_seconds"] > 0 and p["approx_bytes"] > 0
    assert p["builds"] >= 1
    assert stats["search_index"]["resources"] > 100


def test_projection_has_no_type_or_scheme_edges(client):
    G = nx.read_graphml(io.BytesIO(client.get("/api/export.graphml").content))
    predicates = {p for _, _, d in G.edges(data=True) for p in d["predicates"].split()}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in predicates
    assert "http://www.w3.org/2004/02/skos/core#inScheme" not in predicates
    assert not any(n.startswith(f"{ID}/schema/") or not n.startswith(ID) for n in G.nodes)
