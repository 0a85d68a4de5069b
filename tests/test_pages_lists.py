"""Issue 16 over HTTP (the real app and store, both backends): relations read both ways, faceted
lists whose counts agree with SPARQL on the same store (the independent oracle), the facet index
kept in step with writes (compared with a rebuild from scratch), bounded pages, and Dutch that
reads naturally."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import rdflib
from conftest import BASE
from fastapi.testclient import TestClient
from knooppunt.graph import vocab
from knooppunt.graph.analysis.facets import FACETS, LISTS, Facets
from knooppunt.graph.analysis.knowledge import Knowledge
from knooppunt.graph.resources import ontology_dir
from knooppunt.service import i18n
from knooppunt.service.app import create_app
from pyoxigraph import Literal, NamedNode, Quad

KP = "https://w3id.org/knooppunt/def#"
NHF = "/id/organisatie/okp-noord-holland-flevoland"
ID = BASE + "/id/"


def text(html: str) -> str:
    """The visible text of a page, whitespace folded."""
    body = re.sub(r"<(script|template|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def groups(html: str) -> dict[str, str]:
    """The relation groups of a resource page: group label -> the text of its items."""
    section = html.split('id="h-rel"', 1)[1].split("</section>", 1)[0]
    return {text(dt): text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section, flags=re.S)}


# --- 1. relations in both directions ------------------------------------------------------------------
def test_every_object_property_reads_both_ways_in_both_languages():
    g = rdflib.Graph().parse(str(ontology_dir() / "knooppunt.ttl"))
    inverse = rdflib.URIRef(vocab.INVERSE_LABEL)
    missing = []
    for p in g.subjects(rdflib.RDF.type, rdflib.OWL.ObjectProperty):
        langs = {o.language for o in g.objects(p, inverse)}
        if not {"nl", "en"} <= langs:
            missing.append(str(p))
    assert not missing, missing
    # the standard predicates the data uses read both ways too, from the same place
    for p in ("http://www.w3.org/2004/02/skos/core#broader", "http://purl.org/dc/terms/isPartOf", "http://www.w3.org/ns/org#member"):
        assert {o.language for o in g.objects(rdflib.URIRef(p), inverse)} >= {"nl", "en"}, p


def test_hub_page_reads_incoming_links_from_the_hub(client):
    page = client.get(NHF).text
    rel = groups(page)
    assert "Dialoog palliatieve zorg mbo Gooi- en Vechtstreek" in rel["Organiseerde"]
    assert "Actieplan 2021" in rel["Heeft actieplan"]
    for outgoing in ("Georganiseerd door", "Plan van"):
        assert outgoing not in rel, f"{outgoing!r} is the outgoing label, read backwards on the hub's page"
    en = groups(client.get(NHF + "?lang=en").text)
    assert "Organised" in en and "Has action plan" in en


def test_the_dialogue_still_reads_its_own_link_forwards(client):
    href = re.search(r'href="(/id/[^"]+)"[^>]*>Dialoog palliatieve zorg mbo Gooi', client.get(NHF).text).group(1)
    assert "Onderwijsknooppunt Noord-Holland en Flevoland" in groups(client.get(href).text)["Georganiseerd door"]


def test_api_explanations_read_along_the_path(client):
    r = client.get("/api/resource", params={"iri": BASE + NHF})
    links_in = {g["predicate"]: g for g in r.json()["links_in"]}
    assert links_in[KP + "organisedBy"]["label"] == "organiseerde"
    assert links_in[KP + "organisedBy"]["predicate_label"] == "georganiseerd door"
    assert links_in[KP + "planOf"]["label"] == "heeft actieplan"
    path = client.get("/api/path", params={"from": BASE + NHF, "to": BASE + "/id/thema/proactieve-zorgplanning", "max": 4}).json()
    for p in path["paths"]:
        assert "←" not in p["text"]
        for step, here in zip(p["edges"], p["nodes"], strict=False):
            if step["subject"] != here:  # walked backwards: the inverse reading
                assert step["label"] != step["predicate_label"] or step["predicate"] in (vocab.SKOS + "related",), step


# --- 2. faceted lists against SPARQL on the same store --------------------------------------------------
SPARQL_SCOPE = {
    "thema": ("kp:addressesTheme", "skos:broader"),
    "competentie": ("kp:addressesCompetency", "skos:broader"),
    "niveau": ("kp:educationLevel", "skos:broader"),
}
LIST_CLASS = {"projects": "kp:Project|kp:Programme", "materials": "kp:Material"}


def sparql_members(store, name: str, key: str, value: str) -> set[str]:
    """Items of a list with a facet value, hierarchy included: the oracle, in SPARQL.

    Two queries, intersected here: Virtuoso answers a group with two transitive paths (class
    hierarchy and concept hierarchy) with no rows at all, and needs one end of each bound in the
    text (see docs/deploy.md)."""
    predicate, up = SPARQL_SCOPE[key]
    members: set[str] = set()
    for c in LIST_CLASS[name].split("|"):
        members |= {r["x"].value for r in store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a ?k . ?k rdfs:subClassOf* {c} }}")}
    having = {r["x"].value for r in store.select(f"SELECT DISTINCT ?x WHERE {{ ?x {predicate} ?t . ?t {up}* <{value}> }}")}
    return {x for x in members & having if x.startswith(ID)}


def facet_values(client, path: str) -> dict[str, dict[str, tuple[int, str]]]:
    """The facet panel of a list page: facet title -> value label -> (count, link)."""
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for title, body in re.findall(r'<h3 id="h-f-[a-z]+">(.*?)</h3>(.*?)</section>', client.get(path).text, flags=re.S):
        for href, label, count in re.findall(r'<a href="([^"]+)"[^>]*>(?:<span aria-hidden="true">✓ </span>)?(.*?) <span class="count">\(([\d.]+)\)</span>', body):
            out.setdefault(title, {})[htmllib.unescape(label)] = (int(count.replace(".", "")), htmllib.unescape(href))
    return out


def listed(client, url: str) -> tuple[int, list[str]]:
    """The total of a list page and the IRIs (paths) of all its items, following its pages."""
    items, total = [], None
    while url:
        page = client.get(url).text
        if total is None:
            total = int(re.search(r'id="h-count"[^>]*>([\d.]+) ', page).group(1).replace(".", ""))
        results = page.split('id="h-count"', 1)[1]
        items += re.findall(r'<li><a href="(/id/[^"?]+)', results.split('class="pager"', 1)[0])
        nxt = re.search(r'<a href="([^"]+)" rel="next"', page)
        url = htmllib.unescape(nxt.group(1)) if nxt else ""
    return total, items


@pytest.mark.parametrize("name,path,key,title", [
    ("projects", "/projecten", "thema", "Thema"),
    ("projects", "/projecten", "niveau", "Opleidingsniveau"),
    ("materials", "/materialen", "thema", "Thema"),
    ("materials", "/materialen", "competentie", "CanMEDS-rol of competentie"),
])
def test_facet_counts_agree_with_sparql(client, store, name, path, key, title):
    """Every value the facet offers: its count and the list it links to are what SPARQL finds
    (hierarchy included), and choosing it narrows the list to exactly those items."""
    values = facet_values(client, path)[title]
    assert values, f"no {key} facet on {path}"
    for label, (count, href) in values.items():
        chosen = dict(parse_qsl(urlsplit(href).query))[key]
        iri = ID + chosen if "/" in chosen else ID + {"thema": "thema", "niveau": "niveau", "competentie": "canmeds"}[key] + "/" + chosen
        expected = sparql_members(store, name, key, iri)
        assert count == len(expected), (label, count, len(expected))
        total, items = listed(client, href)
        assert total == count and {BASE + i for i in items} == expected, label


def test_two_filters_narrow_and_counts_say_what_a_choice_leaves(client, store):
    comm, mbo = ID + "canmeds/communicator", ID + "niveau/mbo"
    expected = sparql_members(store, "materials", "competentie", comm) & sparql_members(store, "materials", "niveau", mbo)
    total, items = listed(client, "/materialen?competentie=canmeds/communicator&niveau=mbo")
    assert total == len(expected) > 0 and {BASE + i for i in items} == expected
    # the count next to "mbo" on the communicator list is the size of the list that choice gives
    values = facet_values(client, "/materialen?competentie=canmeds/communicator")["Opleidingsniveau"]
    assert values["mbo"][0] == len(expected)


def test_lists_are_paginated_and_bounded(client):
    page = client.get("/organisaties").text
    assert len(re.findall(r'<li><a href="/id/', page.split('id="h-count"', 1)[1].split('class="pager"')[0])) == 50
    assert 'rel="next"' in page and "Pagina 1 van 3" in text(page)
    last = client.get("/organisaties?pagina=3").text
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert client.get("/organisaties?pagina=999").status_code == 200  # clamped to the last page


@pytest.mark.parametrize("query", ["pagina=abc", "thema=%3Cscript%3E", "thema=" + "x" * 5000, "soort=Bestaat&soort=Niet",
                                   "regio=../../etc", "niveau=mbo&" + "&".join(f"thema=t{i}" for i in range(200))])
def test_odd_filters_are_no_error(client, query):
    r = client.get("/projecten?" + query)
    assert r.status_code == 200
    assert "<script>" not in r.text.split("<main", 1)[1]


def test_every_list_type_renders(client):
    for path, noun in (("/projecten", "projecten"), ("/materialen", "materialen"), ("/organisaties", "organisaties"),
                       ("/mensen", "personen"), ("/behoeften", "kennisbehoeften"), ("/onderwijsknooppunten", "Onderwijsknooppunten")):
        page = text(client.get(path).text)
        assert re.search(rf"\b[\d.]+ {noun}\b", page), path


def test_project_list_shows_leads_and_project_page_its_lead_near_the_top(client):
    page = text(client.get("/projecten").text)
    assert "DEDICATED (Desired Dementia Care Towards End of Life) 2017– · geleid door AWO-L, Universiteit Maastricht" in page
    html = client.get("/id/project/dedicated").text
    lead = html.index("Geleid door")
    assert lead < html.index('id="h-facts"') < html.index('id="h-related"')


def test_theme_page_lists_who_works_on_it_and_what_exists_by_level(client, store):
    page = client.get("/id/thema/communicatie").text
    for section in ("h-s-projects", "h-s-materials", "h-s-organisations", "h-s-people"):
        assert f'id="{section}"' in page
    materials = page.split('id="h-s-materials"', 1)[1].split("</section>\n</section>", 1)[0]
    assert "per opleidingsniveau" in materials and re.search(r"<h3[^>]*>mbo <span", materials)
    assert 'href="/materialen?thema=thema%2Fcommunicatie"' in page


def test_competency_page_lists_materials_by_level(client):
    page = client.get("/id/canmeds/communicator").text
    assert "<h1>Communicator (communiceren)</h1>" in page
    assert re.search(r"<h3[^>]*>mbo <span class=\"note\">\(2 materialen\)</span>", page)


# --- 5. the index follows writes (compared with a rebuild) ---------------------------------------------
def snapshot(facets: Facets) -> dict:
    with facets.reading():
        return {name: {k: {v: frozenset(items) for v, items in by.items()} for k, by in lst.postings.items()}
                for name, lst in facets.state.lists.items()}


def test_facet_index_follows_writes_like_a_rebuild(fresh_store):
    kb = Knowledge(fresh_store)
    kb.warm()
    graph = fresh_store.graph("facet-proef")
    p = NamedNode(ID + "project/facet-proef")
    lead = NamedNode(ID + "organisatie/amsterdam-umc")
    quads = [
        Quad(p, NamedNode(vocab.TYPE), NamedNode(KP + "Project"), graph),
        Quad(p, NamedNode(vocab.RDFS + "label"), Literal("Facetproef", language="nl"), graph),
        Quad(p, NamedNode(KP + "addressesTheme"), NamedNode(ID + "thema/pijn"), graph),
        Quad(p, NamedNode(KP + "educationLevel"), NamedNode(ID + "niveau/mbo-3"), graph),
        Quad(p, NamedNode(KP + "leadOrganisation"), lead, graph),
        Quad(p, NamedNode(KP + "startDate"), Literal("2024", datatype=NamedNode(vocab.XSD + "gYear")), graph),
    ]
    fresh_store.apply_delta([], quads)
    after_add = kb.facets.query("projects", {"thema": [ID + "thema/symptoombestrijding"], "niveau": [ID + "niveau/mbo"], "jaar": ["2024"]})
    assert p.value in after_add.items
    assert lead.value in kb.facets.members("organisations", "thema", ID + "thema/pijn")
    assert snapshot(kb.facets) == snapshot(rebuilt_from_the_store(fresh_store))
    assert kb.facets.deltas >= 1 and kb.facets.builds == 1
    fresh_store.apply_delta([quads[2], quads[4]], [])  # the theme and the lead go again
    assert p.value not in kb.facets.members("projects", "thema", ID + "thema/pijn")
    assert snapshot(kb.facets) == snapshot(rebuilt_from_the_store(fresh_store))


def rebuilt_from_the_store(store) -> Facets:
    """The oracle: a projection and a facet index built from the store itself, so a flaw in the
    projection's own deltas (which the incremental index reads) does not hide in both."""
    reference = Knowledge(store)
    reference.snapshots.dir = None  # built, never read from a snapshot
    reference.warm()
    return reference.facets


# --- 6. Dutch that reads naturally ---------------------------------------------------------------------
def test_counts_are_plural_nouns_never_items(client):
    home = text(client.get("/").text)
    assert re.search(r"Projecten [\d.]+ projecten", home) and " items" not in home
    assert "en 1 meer" not in home


def test_numbers_use_dutch_separators():
    assert i18n.number(1234567, "nl") == "1.234.567" and i18n.number(0.5, "nl", 1) == "0,5"
    assert i18n.number(1234.5, "en", 1) == "1,234.5"
    assert i18n.plural(1, "project") == "1 project" and i18n.plural(8, "project") == "8 projecten"
    assert i18n.plural(2, "person", "en") == "2 people"
    assert i18n.t("more", "nl", n=1) == "en nog 1"


def test_no_raw_types_pipes_or_lower_case_role_titles(client):
    bron = client.get("/id/bron/seed-001-kernproject-c").text
    assert "CreativeWork" not in text(bron) and "BibliographicResource" not in text(bron)
    for path in ("/id/canmeds/communicator", "/id/canmeds/zorgverlener", "/competenties", "/materialen?competentie=canmeds/communicator"):
        page = client.get(path).text
        title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
        h1 = text(re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S).group(1))
        names = [text(a) for a in re.findall(r"<a\b[^>]*>(.*?)</a>", page.split("<main", 1)[1], flags=re.S)]
        assert "|" not in title and "|" not in h1 and not [n for n in names if "|" in n], path
        assert h1[:1].isupper(), h1


def test_person_page_titles_its_section_by_what_it_lists(client):
    page = client.get("/id/persoon/marcella-tam").text
    assert '<h2 id="h-people">Rollen</h2>' in page
    assert "Onderwijsknooppunt Propallia" in page and "Ambassadeur onderwijsknooppunt" in page


def test_search_box_keeps_its_query(client):
    page = client.get("/zoeken", params={"q": "proactieve zorg"}).text
    assert re.search(r'<input id="zoek" name="q" type="search"[^>]*value="proactieve zorg"', page)


def test_sparql_page_has_the_site_menu(client):
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<nav aria-label="Hoofdmenu">' in page and 'href="/projecten"' in page
    assert page.count("<h1") == 1 and 'id="page-data"' in page


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon" and r.content[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get("/").text
    assert client.get("/static/pages/favicon.svg").status_code == 200


def test_english_with_lang_en(client):
    page = client.get("/materialen?lang=en&competentie=canmeds/communicator").text
    assert '<html lang="en">' in page and "Refine" in page and re.search(r"[\d,]+ materials", text(page))
    assert "lang=en" in re.search(r'<a href="(/materialen\?[^"]+)"', page).group(1)


def test_vendored_graph_library_and_its_licences(client):
    for name, needle in (("cytoscape/cytoscape.min.js", "3.34.4"), ("cytoscape/cytoscape-fcose.js", "fcose")):
        r = client.get("/static/vendor/" + name)
        assert r.status_code == 200 and needle in r.text, name
    for licence in ("LICENSE.cytoscape", "LICENSE.cytoscape-fcose", "LICENSE.cose-base", "LICENSE.layout-base"):
        assert "Permission is hereby granted" in client.get("/static/vendor/cytoscape/" + licence).text, licence


def test_pages_without_the_api_router(store):
    """The pages build their own index when ``service.api`` is not there to share one."""
    app = create_app(store=store)
    del app.state.knowledge
    with TestClient(app) as c:
        assert c.get("/projecten").status_code == 200


def test_facets_declare_what_they_filter():
    for spec in LISTS.values():
        assert set(spec.extract) <= set(FACETS)
