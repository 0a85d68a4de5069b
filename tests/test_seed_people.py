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
    section = html.split("Ambassadeurs</h3>", 1)[1].split("<h3>", 1)[0]
    assert re.findall(r'href="(/id/persoon/[^"?]+)"[^>]*>([^<]+)<', section) == [("/id/persoon/marcella-tam", "Marcella Tam")]
    assert "Hier staat nog niets" not in section
    assert "Jopke Kruyt" in html  # the kwartiermaker and the members under "Mensen"
    assert not CONTACT.search(html)


def test_a_knooppunt_without_a_named_ambassador_says_so(client):
    """No retrievable source names the ambassador of Ligare: the page must not invent one."""
    html = client.get("/id/organisatie/okp-ligare").text
    assert "<h1>Onderwijsknooppunt Ligare</h1>" in html
    section = html.split("Ambassadeurs</h3>", 1)[1].split("<h3>", 1)[0]
    assert "Hier staat nog niets" in section


def test_the_person_page_shows_roles_and_sources_only(client):
    html = client.get("/id/persoon/marcella-tam").text
    assert "Ambassadeur onderwijsknooppunt" in html and "Secretaris" in html
    assert html.count("data-source") == 2  # the two pages that name her
    assert not CONTACT.search(html)
