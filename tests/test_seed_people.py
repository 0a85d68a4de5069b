"""The people in public roles that the sources name are found the way users look for them: through
the real app, ``/api/people`` by role, organisation (a knooppunt or an institution), region, theme
and project, and the knooppunt page lists its ambassador.

The expectations are the sources' own statements (domain-facts-2.md, section B): the
Onderwijsknooppunt Propallia pages of 26 January 2021 and 23 October 2022 name its ambassador, its
kwartiermaker and ten members with the organisation each represents. No other knooppunt's
ambassador is named in any retrievable source, so those pages honestly show none.
"""

from __future__ import annotations

import re

import pytest

ID = "https://w3id.org/knooppunt/id"
# The members of the Onderwijsknooppunt Propallia by the organisation they represent (26-01-2021).
OKP_PROPALLIA = {
    "Marcella Tam": "ambassadeur",
    "Jopke Kruyt": "kwartiermaker",
    "Isabelle Booden": "roc-mondriaan",
    "Karin Weisfelt": "haagse-hogeschool",
    "Marjet Zorge": "mborijnland",
    "Yvette van der Linden": "lumc",
    "Jeanet van Noord": "lumc",
    "Mariska Schoonderwoerd": "lumc",
    "Henk Kamphuis": "patienten-en-naastenraad-propallia",
    "Odile Ebbing": "patienten-en-naastenraad-propallia",
}
CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|mailto:|tel:")


def people(client, **params) -> dict:
    r = client.get("/api/people", params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    assert not CONTACT.search(r.text)
    return r.json()


def names(answer: dict) -> set[str]:
    return {p["label"] for p in answer["people"]}


def test_ambassadors_are_the_ones_the_sources_name(client):
    answer = people(client, role="ambassadeur")
    assert names(answer) == {"Marcella Tam"}
    tam = answer["people"][0]
    assert tam["iri"] == f"{ID}/persoon/marcella-tam"
    roles = {(w["iri"].rsplit("/", 1)[1], w["role_label"]) for w in tam["works_on"]}
    assert ("okp-propallia", "Ambassadeur onderwijsknooppunt") in roles
    assert ("propallia", "Secretaris") in roles
    # the evidence is the membership the source states, not a guess
    (evidence,) = tam["evidence"]
    assert evidence["edges"][0]["via"].startswith(f"{ID}/lidmaatschap/marcella-tam-ambassadeur")
    assert evidence["edges"][0]["qualifier"] == f"{ID}/rol/ambassadeur"


def test_other_public_roles_by_role(client):
    assert names(people(client, role="kwartiermaker")) == {"Jopke Kruyt"}
    assert names(people(client, role="programmamanager")) >= {"Marijke Dericks-Issing"}
    assert names(people(client, role="projectleider")) >= {
        "Ingrid van Zuilekom", "Gerard Castermans", "Wies Wagenaar", "Jojanneke van Staveren", "Daisy Janssen"}
    assert names(people(client, role="netwerkcoordinator")) == {"Jopke Kruyt"}


def test_a_knooppunt_answers_its_ambassador_kwartiermaker_and_members(client):
    assert names(people(client, organisation="okp-propallia")) >= set(OKP_PROPALLIA)
    assert names(people(client, organisation="okp-propallia", role="ambassadeur")) == {"Marcella Tam"}
    # the consortium finds them too: the knooppunt belongs to it (kp:consortium), and a former
    # secretary and the PZNL regional adviser hold roles at the consortium itself
    assert names(people(client, organisation="propallia")) >= set(OKP_PROPALLIA) | {"Patricia Appeldoorn"}


@pytest.mark.parametrize("institution", sorted({v for v in OKP_PROPALLIA.values() if v not in ("ambassadeur", "kwartiermaker")}))
def test_an_institution_answers_the_people_who_represent_it(client, institution):
    expected = {name for name, org in OKP_PROPALLIA.items() if org == institution}
    assert names(people(client, organisation=institution)) >= expected


def test_people_beyond_propallia_by_organisation(client):
    assert names(people(client, organisation="pznl")) >= {"Patricia Appeldoorn", "Rob van Dam", "Linette Belo"}
    assert names(people(client, organisation="kenniscentrum-kinderpalliatieve-zorg")) == {"Meggi Schuiling-Otten"}
    assert names(people(client, organisation="zonmw")) >= {"Corna van Tol", "Véronique Timmerhuis"}


def test_region_theme_and_project_filters_find_them(client):
    # the knooppunt serves Zuid-Holland Noord, which lies in Zuid-Holland
    for region in ("zuid-holland-noord", "zuid-holland"):
        assert names(people(client, region=region, role="ambassadeur")) == {"Marcella Tam"}
        assert names(people(client, region=region)) >= set(OKP_PROPALLIA)
    # the ambassador's role is an O²PZ role, and O²PZ is about education in palliative care
    assert "Marcella Tam" in names(people(client, theme="onderwijs-en-deskundigheidsbevordering", role="ambassadeur"))
    assert names(people(client, project="o2pz", role="programmamanager")) == {"Marijke Dericks-Issing"}
    assert names(people(client, theme="hartfalen")) >= {"Daisy Janssen"}


def test_the_knooppunt_page_lists_its_ambassador(client):
    html = client.get("/id/organisatie/okp-propallia").text
    section = html.split("Ambassadeurs</h2>", 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="(/id/persoon/[^"?]+)"[^>]*>([^<]+)<', section) == [("/id/persoon/marcella-tam", "Marcella Tam")]
    assert "Hier staat nog niets" not in section
    assert "Jopke Kruyt" in html  # the kwartiermaker and the members under "Mensen"
    assert not CONTACT.search(html)


def test_a_knooppunt_without_a_named_ambassador_says_so(client):
    """No retrievable source names the ambassador of Ligare: the page must not invent one."""
    html = client.get("/id/organisatie/okp-ligare").text
    assert "<h1>Onderwijsknooppunt Ligare</h1>" in html
    section = html.split("Ambassadeurs</h2>", 1)[1].split("</section>", 1)[0]
    assert "Hier staat nog niets" in section


def test_the_person_page_shows_roles_and_sources_only(client):
    html = client.get("/id/persoon/marcella-tam").text
    assert "Ambassadeur onderwijsknooppunt" in html and "Secretaris" in html
    assert html.count("data-source") == 2  # the two pages that name her
    assert not CONTACT.search(html)


# --- what the data helper found the filters missing (issue 11) -------------------------------------------
def test_theme_follows_the_organisations_behind_a_project(client):
    """The Kenniscentrum leads NPPZ II Kind en Jongere (kinderpalliatieve zorg); its bestuurder is
    found for that theme, through the organisation and the project."""
    answer = people(client, theme="kinderpalliatieve-zorg")
    (meggi,) = [p for p in answer["people"] if p["label"] == "Meggi Schuiling-Otten"]
    (path,) = meggi["evidence"]
    assert [n.rsplit("/", 2)[-2] + "/" + n.rsplit("/", 1)[-1] for n in path["nodes"]] == [
        "persoon/meggi-schuiling-otten", "organisatie/kenniscentrum-kinderpalliatieve-zorg",
        "project/nppz-ii-kind-en-jongere", "thema/kinderpalliatieve-zorg"]


NEW_TEACHER = """
@prefix kp: <https://w3id.org/knooppunt/def#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
<https://w3id.org/knooppunt/id/persoon/test-docent> a kp:Person ; rdfs:label "Test Docent"@nl ;
    foaf:name "Test Docent" ; dct:source <https://example.org/bron> .
<https://w3id.org/knooppunt/id/lidmaatschap/test-docent-mborijnland> a kp:Membership ;
    rdfs:label "Test Docent, docent bij mboRijnland"@nl ;
    org:member <https://w3id.org/knooppunt/id/persoon/test-docent> ;
    org:role <https://w3id.org/knooppunt/id/rol/docent> ;
    org:organization <https://w3id.org/knooppunt/id/organisatie/mborijnland> ;
    dct:source <https://example.org/bron> .
"""


def test_region_and_organisation_reach_a_member_institution(fresh_store, tmp_path):
    """A teacher whose only post is at mboRijnland (no region of its own; a member of
    Onderwijsknooppunt Propallia, whose region is Zuid-Holland Noord and whose consortium is
    Propallia) is found by region, by the knooppunt and - two levels up - by the consortium."""
    from writes_support import make_writer

    w = make_writer(fresh_store, tmp_path)
    r = w.client.post("/api/import?graph=test-docent", content=NEW_TEACHER, headers={"Content-Type": "text/turtle", **w.auth()})
    assert r.status_code == 200, r.text
    for params, chain in (
        ({"region": "zuid-holland-noord"}, ["mborijnland", "okp-propallia", "zuid-holland-noord"]),
        ({"region": "zuid-holland"}, ["mborijnland", "okp-propallia", "zuid-holland-noord", "zuid-holland"]),
        ({"organisation": "okp-propallia"}, ["mborijnland", "okp-propallia"]),
        ({"organisation": "propallia"}, ["mborijnland", "okp-propallia", "propallia"]),
    ):
        answer = people(w.client, **params)
        (teacher,) = [p for p in answer["people"] if p["label"] == "Test Docent"]
        (path,) = teacher["evidence"]
        assert [n.rsplit("/", 1)[-1] for n in path["nodes"]] == ["test-docent", *chain], params
    assert "Test Docent" not in names(people(w.client, region="noord-holland-en-flevoland"))


def test_level_reaches_the_people_of_education_institutions(client):
    assert names(people(client, level="mbo")) >= {"Isabelle Booden", "Marjet Zorge"}
    assert "Isabelle Booden" not in names(people(client, level="wo"))


def test_a_person_page_shows_both_ends_of_a_post(client):
    """Marcella Tam's post as ambassador names the knooppunt and the O²PZ programme: both show."""
    html = client.get("/id/persoon/marcella-tam").text
    section = html.split('id="h-people"', 1)[1].split("</section>", 1)[0]
    posts = re.findall(r'href="/id/([^"?]+)"[^>]*>[^<]+</a> <span class="note">([^<]+)<', section)
    assert ("organisatie/okp-propallia", "Ambassadeur onderwijsknooppunt") in posts
    assert ("programma/o2pz", "Ambassadeur onderwijsknooppunt") in posts
    assert ("organisatie/propallia", "Secretaris") in posts
