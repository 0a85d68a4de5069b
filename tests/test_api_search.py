"""/api/search on the seed data: case- and accent-insensitive, nl and en, ranked, typed."""

from __future__ import annotations

BASE = "https://w3id.org/knooppunt"
PZP = f"{BASE}/id/thema/proactieve-zorgplanning"
SPIRITUAL = f"{BASE}/id/thema/spirituele-dimensie"
DEDICATED = f"{BASE}/id/project/dedicated"
KP = "https://w3id.org/knooppunt/def#"


def search(client, **params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def iris(answer):
    return [r["iri"] for r in answer["results"]]


def test_lowercase_finds_capitalised_name_exactly(client):
    answer = search(client, q="zingeving")
    first = answer["results"][0]
    assert first["iri"] == SPIRITUAL  # "Zingeving" is its altLabel
    assert first["match"] == "exact"
    assert first["matched_text"] == "Zingeving"
    assert first["type"] == KP + "Theme"


def test_prefix_finds_proactieve_zorgplanning_first(client):
    answer = search(client, q="proactieve")
    assert answer["results"][0]["iri"] == PZP
    assert answer["results"][0]["match"] == "prefix"
    assert answer["results"][0]["label"] == "Proactieve zorgplanning"


def test_case_and_accents_do_not_matter(client):
    plain = iris(search(client, q="PROACTIEVE ZORGPLANNING"))
    accented = iris(search(client, q="pròactïeve zörgplanning"))
    assert plain[0] == PZP and accented[0] == PZP
    assert search(client, q="o2pz")["total"] == search(client, q="O²PZ")["total"] > 0


def test_ranking_exact_before_prefix_before_word_before_description(client):
    answer = search(client, q="dementie", limit=50)
    tiers = [r["match"] for r in answer["results"]]
    order = ["exact", "prefix", "word", "contains", "description"]
    assert tiers == sorted(tiers, key=order.index)
    assert answer["results"][0]["label"] == "Dementie"
    # a word-prefix inside a longer name ("... bij dementie") and a description mention both count
    assert "word" in tiers and "description" in tiers


def test_word_prefix_inside_a_name(client):
    answer = search(client, q="zorgplan")
    hit = next(r for r in answer["results"] if r["iri"] == PZP)
    assert hit["match"] == "word"


def test_english_labels_are_searchable(client):
    answer = search(client, q="advance care planning", lang="en")
    assert answer["total"] > 0
    assert search(client, q="quality of life", lang="en")["results"][0]["label"] == "Quality of life"


def test_type_filter_includes_subclasses(client):
    answer = search(client, q="proactieve", type="Project")
    assert answer["results"] and all(KP + "Project" in r["types"] for r in answer["results"])
    orgs = search(client, q="umc", type="kp:Organisation", limit=50)["results"]
    assert orgs and any(KP + "UniversityMedicalCentre" in r["types"] for r in orgs)


def test_description_match_has_a_snippet_around_the_word(client):
    answer = search(client, q="onbegrepen gedrag")
    hit = next(r for r in answer["results"] if r["iri"] == DEDICATED)
    assert hit["match"] == "description"
    assert "onbegrepen gedrag" in hit["snippet"]


def test_limit_is_honoured_and_total_counts_all(client):
    answer = search(client, q="zorg", limit=3)
    assert len(answer["results"]) == 3
    assert answer["total"] > 3
