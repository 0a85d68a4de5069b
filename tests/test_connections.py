"""``POST /api/connections`` on the seed data, through the real app: what an ambassador asks and
what the sources say should come back.

The expected resources are facts of the seed data (``data/*.ttl``): Onderwijsknooppunt Propallia
and its member institutions ROC Mondriaan and mboRijnland serve Zuid-Holland Noord; the NHF
knooppunt and its consortium (anchored at Amsterdam UMC) serve Noord-Holland en Flevoland;
Marcella Tam is the ambassador of Propallia's knooppunt; DEDICATED addresses dementia and
proactieve zorgplanning. Every explanation path is checked against the store.
"""

from __future__ import annotations

import re

import pytest
from graph_support import assert_real_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knooppunt.graph.analysis.connections import DEFAULT_WEIGHTS, weights_from_env

ID = "https://w3id.org/knooppunt/id"
PZP = f"{ID}/thema/proactieve-zorgplanning"
DEDICATED = f"{ID}/project/dedicated"
LISTS = ("people", "organisations", "projects", "materials", "needs")
CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|mailto:|tel:")
CODES = re.compile(r"\b(other[ _]level|level|region|membership|other_level)\b")


def connect(client, body, **params):
    r = client.post("/api/connections", json=body, params={"limit": 10, **params})
    assert r.status_code == 200, r.text
    assert not CONTACT.search(r.text)
    return r.json()


def iris(answer, name):
    return [x["iri"] for x in answer[name]]


# --- the three failures of issue 11 ---------------------------------------------------------------------
def test_a_description_alone_is_enough(client):
    answer = connect(client, {"description": "Lessen proactieve zorgplanning voor verzorgenden IG in het mbo, BBL leerjaar 2."})
    initiative = answer["initiative"]
    assert initiative["title"] == ""
    assert PZP in [t["iri"] for t in initiative["terms"]]
    assert [lv["iri"] for lv in initiative["levels"]] == [f"{ID}/niveau/mbo-3", f"{ID}/niveau/mbo"]
    assert [v["iri"] for v in initiative["variants"]] == [f"{ID}/variant/bbl"]
    assert initiative["study_years"] == [2]
    assert f"{ID}/materiaal/richtlijn-proactieve-zorgplanning" in iris(answer, "materials")
    empty = client.post("/api/connections", json={"title": " ", "description": ""})
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")
    assert empty.json()["errors"][0]["parameter"] == "description"


def test_the_region_changes_the_ranking(client):
    body = {"description": "Ik wil palliatieve zorg een vaste plek geven in het mbo- en hbo-onderwijs."}
    anywhere = connect(client, body)
    nhf = connect(client, {**body, "region": "noord-holland-en-flevoland"})
    assert iris(anywhere, "organisations") != iris(nhf, "organisations")
    top = iris(nhf, "organisations")[:5]
    for slug in ("okp-noord-holland-flevoland", "consortium-noord-holland-flevoland", "amsterdam-umc"):
        assert f"{ID}/organisatie/{slug}" in top, slug
        assert f"{ID}/organisatie/{slug}" not in iris(anywhere, "organisations")[:5]
    hub = nhf["organisations"][iris(nhf, "organisations").index(f"{ID}/organisatie/okp-noord-holland-flevoland")]
    assert hub["reasons"][0]["text"] == "Het onderwijsknooppunt van Noord-Holland en Flevoland."
    # a region named in the text counts as one chosen in the form; a region inside it is nearby
    in_text = connect(client, {"description": body["description"] + " In de Gooi- en Vechtstreek."})
    assert f"{ID}/organisatie/okp-noord-holland-flevoland" in iris(in_text, "organisations")[:5]


def test_member_institutions_of_the_regional_knooppunt_are_suggested(client, store):
    answer = connect(client, {"description": "Een lessenreeks palliatieve zorg voor mbo-studenten.", "region": "zuid-holland-noord", "levels": ["mbo"]})
    orgs = {x["iri"]: x for x in answer["organisations"]}
    for slug in ("roc-mondriaan", "mborijnland", "okp-propallia", "propallia"):
        assert f"{ID}/organisatie/{slug}" in orgs, slug
    roc = orgs[f"{ID}/organisatie/roc-mondriaan"]
    assert roc["reasons"][0]["text"] == "Onderwijsinstelling voor mbo, lid van Onderwijsknooppunt Propallia, in Zuid-Holland Noord."
    assert [p["iri"] for p in roc["reasons"][0]["parts"] if "iri" in p] == [f"{ID}/organisatie/okp-propallia"]
    region_path = next(p for p in roc["paths"] if p["nodes"][0] == f"{ID}/regio/zuid-holland-noord")
    assert_real_path(store, region_path, end=roc["iri"])
    # the people of the knooppunt, with their public roles
    people = {x["iri"]: x for x in answer["people"]}
    tam = people[f"{ID}/persoon/marcella-tam"]
    assert answer["people"][0]["iri"] == tam["iri"]
    assert ("Ambassadeur onderwijsknooppunt", "Onderwijsknooppunt Propallia") in [(r["role_label"], r["label"]) for r in tam["roles"]]
    assert tam["reasons"][0]["text"].startswith("Ambassadeur onderwijsknooppunt bij Onderwijsknooppunt Propallia, het onderwijsknooppunt van Zuid-Holland Noord")
    for slug in ("isabelle-booden", "marjet-zorge", "jopke-kruyt"):
        assert f"{ID}/persoon/{slug}" in people, slug


# --- reasons, factors, paths ---------------------------------------------------------------------------------
def test_reasons_read_as_sentences_and_follow_the_graph(client, store):
    answer = connect(client, {"title": "Dementie en proactieve zorgplanning", "description": "Scholing in het verpleeghuis, in Limburg."})
    dedicated = answer["projects"][0]
    assert dedicated["iri"] == DEDICATED and dedicated["rank"] == 1 and dedicated["relevance"] == 1.0
    assert dedicated["reasons"][0]["text"] == "Project over dementie en proactieve zorgplanning in Limburg en Zuidoost-Brabant, rond uw regio."
    people = {x["iri"]: x for x in answer["people"]}
    janssen = people[f"{ID}/persoon/daisy-janssen"]
    assert any(s["text"].startswith("Projectleider van I-HARP") for s in janssen["reasons"])
    for name in LISTS:
        relevances = [x["relevance"] for x in answer[name]]
        assert relevances == sorted(relevances, reverse=True) and all(0 < r <= 1 for r in relevances)
        for x in answer[name]:
            assert 1 <= len(x["reasons"]) <= 2, x["label"]
            for sentence in x["reasons"]:
                assert sentence["text"] == "".join(p["text"] for p in sentence["parts"])
                assert sentence["text"][0].isupper() and sentence["text"].endswith(".")
                assert not CODES.search(sentence["text"]) and "—" not in sentence["text"] and "→" not in sentence["text"]
            assert abs(sum(f["contribution"] for f in x["factors"]) - x["score"]) < 0.01 * max(1, x["score"])
            for path in x["paths"]:
                assert_real_path(store, path, end=x["iri"])


def test_a_penalty_is_a_factor_but_never_a_reason(client):
    answer = connect(client, {"description": "Proactieve zorgplanning", "levels": ["wo"]})
    penalised = [x for name in ("projects", "materials") for x in answer[name] if any(f["kind"] == "other_level" for f in x["factors"])]
    assert penalised, "some proactieve-zorgplanning items are for other levels"
    for x in penalised:
        assert next(f for f in x["factors"] if f["kind"] == "other_level")["contribution"] < 0
        assert abs(sum(f["contribution"] for f in x["factors"]) - x["score"]) < 0.01 * max(1, x["score"])
        assert all("wo" not in s["text"] for s in x["reasons"])


def test_english_reasons(client):
    answer = connect(client, {"description": "Dementie en proactieve zorgplanning in Limburg"}, lang="en")
    texts = [s["text"] for name in LISTS for x in answer[name] for s in x["reasons"]]
    assert "Project about dementia and advance care planning in Limburg and South-East Brabant, around your region." in texts
    assert not any(re.search(r"\b(over|een|bij|van het)\b", t) for t in texts), texts


# --- weights ---------------------------------------------------------------------------------------------------
def test_weights_from_the_environment_and_per_request(client):
    assert weights_from_env({"KNOOPPUNT_CONNECTION_WEIGHTS": "region=2, text=0"}) == {**DEFAULT_WEIGHTS, "region": 2.0, "text": 0.0}
    with pytest.raises(ValueError, match="unknown weight 'nearby'"):
        weights_from_env({"KNOOPPUNT_CONNECTION_WEIGHTS": "nearby=1"})
    body = {"description": "Ik wil palliatieve zorg een vaste plek geven in het mbo.", "region": "noord-holland-en-flevoland"}
    without = connect(client, body, weights="region=0,membership=0")
    assert without["weights"]["region"] == 0.0
    assert f"{ID}/organisatie/okp-noord-holland-flevoland" not in iris(without, "organisations")
    bad = client.post("/api/connections", json=body, params={"weights": "region=-1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == "weights"


@settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    weights=st.dictionaries(st.sampled_from(sorted(DEFAULT_WEIGHTS)), st.sampled_from([0.0, 0.25, 1.0, 3.0]), max_size=5),
    description=st.sampled_from([
        "Proactieve zorgplanning bij dementie in het verpleeghuis",
        "mbo BBL leerjaar 2 in Zuid-Holland Noord",
        "Kinderpalliatieve zorg, hbo-v, samen met het LUMC",
        "Proactieve zorgplanning voor het wo",
        "??? 123",
    ]),
)
def test_any_weights_give_a_consistent_answer(client, weights, description):
    text = ",".join(f"{k}={v}" for k, v in weights.items())
    answer = connect(client, {"description": description}, weights=text)
    for name in LISTS:
        scores = [x["score"] for x in answer[name]]
        assert scores == sorted(scores, reverse=True)
        for x in answer[name]:
            assert abs(sum(f["contribution"] for f in x["factors"]) - x["score"]) < 0.01 * max(1, x["score"])
            assert all("other_level" != f["kind"] or f["contribution"] <= 0 for f in x["factors"])
