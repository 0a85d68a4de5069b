"""Dutch and English strings of the web pages, and how a request picks its language.

Dutch is the default: the readers are Dutch teachers, practice trainers and coordinators.
English is chosen explicitly with ``?lang=en`` (the language switch in the header), and the choice
travels in the links of the page, so a shared URL shows the same language. We do not follow the
browser's ``Accept-Language``: many Dutch readers run an English browser, and a page that silently
switches language for them would be harder to use, not easier.
"""

from __future__ import annotations

from fastapi import Request

LANGS = ("nl", "en")
DEFAULT = "nl"

STRINGS: dict[str, tuple[str, str]] = {
    "site_name": ("Knooppunt", "Knooppunt"),
    "tagline": (
        "Kennis over onderwijs in de palliatieve zorg, op één plek",
        "Knowledge about palliative-care education, in one place",
    ),
    "skip": ("Ga naar de inhoud", "Skip to content"),
    "nav_label": ("Hoofdmenu", "Main menu"),
    "home": ("Home", "Home"),
    "hubs": ("Onderwijsknooppunten", "Education hubs"),
    "projects": ("Projecten", "Projects"),
    "materials": ("Materialen", "Materials"),
    "competencies": ("Competenties", "Competencies"),
    "organisations": ("Organisaties", "Organisations"),
    "themes": ("Thema's", "Themes"),
    "initiative": ("Nieuw initiatief", "New initiative"),
    "explorer": ("Verkenner", "Explorer"),
    "sparql": ("Zoekvragen (SPARQL)", "Queries (SPARQL)"),
    "api_docs": ("API-documentatie", "API documentation"),
    "other_lang": ("English", "Nederlands"),
    "other_lang_label": ("Read this page in English", "Lees deze pagina in het Nederlands"),
    "footer_text": (
        "Knooppunt is open source. Alle gegevens zijn openbaar en hebben een bron.",
        "Knooppunt is open source. All data is public and has a source.",
    ),
    "for_developers": ("Voor ontwikkelaars", "For developers"),
    # home
    "search_label": ("Zoek een project, materiaal, thema, organisatie of persoon", "Search a project, material, theme, organisation or person"),
    "search_placeholder": ("bijvoorbeeld: proactieve zorgplanning", "for example: advance care planning"),
    "search_button": ("Zoeken", "Search"),
    "search_hint": (
        "Typ minstens twee letters. Kies een resultaat met de pijltjestoetsen en Enter.",
        "Type at least two letters. Pick a result with the arrow keys and Enter.",
    ),
    "no_results": ("Niets gevonden.", "Nothing found."),
    "results_count": ("{n} resultaten", "{n} results"),
    "results_one": ("1 resultaat", "1 result"),
    "what_title": ("Wat is Knooppunt?", "What is Knooppunt?"),
    "hubs_title": ("Wat is een Onderwijsknooppunt?", "What is an education hub?"),
    "start_title": ("Waar wilt u beginnen?", "Where would you like to start?"),
    "sources": ("Bronnen", "Sources"),
    "initiative_cta": ("Ik heb een nieuw initiatief: met wie kan ik verbinden?", "I have a new initiative: whom can I connect with?"),
    # lists
    "by_role": ("OWR 2.0 per CanMEDS-rol", "OWR 2.0 by CanMEDS role"),
    "none_yet": ("Hier staat nog niets.", "Nothing here yet."),
    "no_items_role": ("Nog geen losse competenties opgenomen voor deze rol.", "No separate competencies recorded for this role yet."),
    # resource page
    "facts": ("Gegevens", "Facts"),
    "relations": ("Verbanden", "Relations"),
    "related": ("Verwante items", "Related items"),
    "related_projects": ("Verwante projecten", "Related projects"),
    "shares": ("Gemeenschappelijk:", "In common:"),
    "directly_linked": ("Vervolg op of deel van dit project", "A follow-up or part of this project"),
    "neighbourhood": ("Omgeving in de kennisgraaf", "Neighbourhood in the knowledge graph"),
    "open_explorer": ("Bekijk in de verkenner", "Open in the explorer"),
    "source": ("Bron", "Source"),
    "no_source": ("Geen bron vermeld.", "No source given."),
    "type": ("Soort", "Kind"),
    "website": ("Website", "Website"),
    "as_data": ("Deze gegevens als data", "This description as data"),
    "ambassadors": ("Ambassadeurs", "Ambassadors"),
    "people": ("Mensen", "People"),
    "roles": ("Rollen", "Roles"),
    "roles_here": ("Mensen en hun rollen", "People and their roles"),
    "consortium": ("Consortium", "Consortium"),
    "action_plan": ("Actieplan", "Action plan"),
    "building_block": ("Bouwsteen", "Building block"),
    "status": ("Voortgang", "Progress"),
    "reporting": ("Rapportagemomenten", "Reporting moments"),
    "coverage": ("Dekking in opleidingen", "Coverage in curricula"),
    "curriculum": ("Opleiding (curriculum)", "Curriculum"),
    "coverage_none": (
        "Nog geen opleiding heeft vastgelegd dat zij dit behandelt.",
        "No curriculum has recorded covering this yet.",
    ),
    "gaps": ("Witte vlekken", "Gaps"),
    "gaps_intro": (
        "Onderdelen waarvoor nog geen materiaal, project of opleiding bekend is.",
        "Parts for which no material, project or curriculum is known yet.",
    ),
    "addressed_by": ("Hier werken aan", "Addressed by"),
    "broader": ("Valt onder", "Part of"),
    "year": ("Jaar", "Year"),
    "more": ("en nog {n}", "and {n} more"),
    "not_found_title": ("Pagina niet gevonden", "Page not found"),
    "not_found_text": (
        "Wij kennen {iri} niet. Misschien is de link verouderd of zit er een typfout in. Zoek het op via de zoekbalk op de homepagina.",
        "We do not know {iri}. Perhaps the link is out of date or has a typo. Try the search box on the home page.",
    ),
    "back_home": ("Naar de homepagina", "Go to the home page"),
    # initiative
    "init_intro": (
        "Beschrijf kort uw plan. Knooppunt zoekt projecten, materialen, organisaties en mensen die erbij passen, en laat zien waarom.",
        "Describe your plan briefly. Knooppunt finds projects, materials, organisations and people that fit, and shows why.",
    ),
    "f_title": ("Titel (optioneel)", "Title (optional)"),
    "f_description": ("Beschrijving van uw initiatief", "Description of your initiative"),
    "f_description_hint": (
        "Een paar zinnen zijn genoeg, bijvoorbeeld: ‘Lessen proactieve zorgplanning voor verzorgenden IG in het mbo, BBL leerjaar 2, in Zuid-Holland’. Knooppunt herkent thema's, niveaus, zorgsettings en regio's in uw tekst.",
        "A few sentences are enough, for example: ‘Lessons on advance care planning for mbo care students, BBL year 2, in South Holland’. Knooppunt recognises themes, levels, care settings and regions in your text.",
    ),
    "f_themes": ("Thema's", "Themes"),
    "f_competencies": ("Competenties (OWR 2.0, per CanMEDS-rol)", "Competencies (OWR 2.0, by CanMEDS role)"),
    "f_region": ("Regio", "Region"),
    "f_region_any": ("Geen voorkeur", "No preference"),
    "f_levels": ("Opleidingsniveaus", "Education levels"),
    "f_organisation": ("Uw organisatie (optioneel)", "Your organisation (optional)"),
    "f_organisation_none": ("Niet opgeven", "Not given"),
    "f_submit": ("Zoek verbindingen", "Find connections"),
    "f_share": ("Link om te delen", "Link to share"),
    "f_copy": ("Kopieer link", "Copy link"),
    "f_copied": ("Link gekopieerd", "Link copied"),
    "suggestions": ("Voorstellen om mee te verbinden", "Suggested connections"),
    "needs": ("Open vragen uit het veld", "Open needs from the field"),
    "why": ("Waarom?", "Why?"),
    "match": ("Mate van overeenkomst", "How well it fits"),
    "match_strong": ("sterke overeenkomst", "strong match"),
    "match_good": ("redelijke overeenkomst", "fair match"),
    "match_weak": ("zwakke overeenkomst", "weak match"),
    "init_understood": ("Herkend in uw tekst:", "Recognised in your text:"),
    "init_invalid": (
        "Beschrijf uw initiatief in een paar zinnen, of kies thema's of competenties.",
        "Describe your initiative in a few sentences, or choose themes or competencies.",
    ),
    "searching": ("Bezig met zoeken…", "Searching…"),
    "no_suggestions": (
        "Nog geen voorstellen. Kies een of meer thema's of competenties, of vul een beschrijving in.",
        "No suggestions yet. Choose one or more themes or competencies, or fill in a description.",
    ),
    "error": ("Er ging iets mis. Probeer het later opnieuw.", "Something went wrong. Please try again later."),
    # explorer
    "explorer_intro": (
        "Een netwerkkaart rond één onderwerp. Klik op een vorm om zijn buren erbij te halen. Sleep om te schuiven, scroll of knijp om te zoomen. Onder de kaart staat dezelfde omgeving als lijst.",
        "A network map around one subject. Click a shape to add its neighbours. Drag to pan, scroll or pinch to zoom. Below the map, the same neighbourhood is a list.",
    ),
    "filter_types": ("Toon soorten", "Show kinds"),
    "legend": ("Legenda", "Legend"),
    "zoom_in": ("Inzoomen", "Zoom in"),
    "zoom_out": ("Uitzoomen", "Zoom out"),
    "zoom_reset": ("Passend maken", "Fit to screen"),
    "selected": ("Gekozen", "Selected"),
    "open_page": ("Open pagina", "Open page"),
    "explorer_focus": ("Onderwerp", "Subject"),
    "explorer_empty": ("Kies een onderwerp via de zoekbalk.", "Choose a subject with the search box."),
    "nodes_shown": ("{n} onderwerpen getoond", "{n} subjects shown"),
    "nodes_shown_one": ("1 onderwerp getoond", "1 subject shown"),
    # kinds of things (colours in the graph views)
    "grp_project": ("Projecten en programma's", "Projects and programmes"),
    "grp_organisation": ("Organisaties", "Organisations"),
    "grp_person": ("Mensen", "People"),
    "grp_material": ("Materialen en opleidingen", "Materials and curricula"),
    "grp_competency": ("Competenties", "Competencies"),
    "grp_theme": ("Thema's", "Themes"),
    "grp_region": ("Regio's", "Regions"),
    "grp_event": ("Bijeenkomsten en behoeften", "Events and needs"),
    "grp_plan": ("Actieplannen", "Action plans"),
    "grp_other": ("Overig", "Other"),
    # list intros
    "intro_onderwijsknooppunten": (
        "De acht Onderwijsknooppunten palliatieve zorg: zeven regionale en één landelijk voor kinderpalliatieve zorg.",
        "The eight education hubs for palliative care: seven regional ones and one national hub for children's palliative care.",
    ),
    "intro_projecten": (
        "Projecten en programma's over onderwijs in de palliatieve zorg, zoals Palliantie en O²PZ.",
        "Projects and programmes on palliative-care education, such as Palliantie and O²PZ.",
    ),
    "intro_materialen": (
        "Lesmaterialen, scholingen, e-learnings, films, meetinstrumenten en richtlijnen.",
        "Teaching materials, courses, e-learnings, films, measurement instruments and guidelines.",
    ),
    "intro_organisaties": (
        "Scholen, zorgorganisaties, consortia, netwerken, kennisorganisaties en financiers.",
        "Schools, care organisations, consortia, networks, knowledge organisations and funders.",
    ),
    "intro_competenties": (
        "Het Onderwijsraamwerk palliatieve zorg 2.0 (OWR 2.0) ordent competenties per CanMEDS-rol.",
        "The Education Framework for Palliative Care 2.0 (OWR 2.0) orders competencies by CanMEDS role.",
    ),
    "intro_themas": (
        "Onderwerpen binnen de palliatieve zorg. Klik op een thema om te zien wie eraan werkt.",
        "Subjects within palliative care. Click a theme to see who works on it.",
    ),
    "search_title": ("Zoeken", "Search"),
    "people_list": ("Mensen", "People"),
    "needs_list": ("Kennisbehoeften", "Knowledge needs"),
    "intro_mensen": (
        "Mensen in een openbare rol: ambassadeurs, docenten, onderzoekers, projectleiders. Alleen hun naam en rol staan hier, met de bron.",
        "People in a public role: ambassadors, teachers, researchers, project leaders. Only their name and role are shown, with the source.",
    ),
    "intro_behoeften": (
        "Vragen uit het veld, opgehaald in dialogen en inventarisaties, en wat er al in voorziet.",
        "Questions from the field, gathered in dialogues and inventories, and what already meets them.",
    ),
    "filter_by": ("Verfijn", "Refine"),
    "filters_active": ("Gekozen", "Chosen"),
    "filter_remove": ("{label} weghalen", "Remove {label}"),
    "filters_clear": ("Alle filters weghalen", "Remove all filters"),
    "show_all_values": ("Toon alle {n}", "Show all {n}"),
    "no_match": ("Niets gevonden met deze filters.", "Nothing matches these filters."),
    "page_of": ("Pagina {page} van {pages}", "Page {page} of {pages}"),
    "pagination": ("Paginering", "Pagination"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "showing": ("{start}–{end} van {total}", "{start}–{end} of {total}"),
    "f_thema": ("Thema", "Theme"),
    "f_competentie": ("CanMEDS-rol of competentie", "CanMEDS role or competency"),
    "f_niveau": ("Opleidingsniveau", "Education level"),
    "f_regio": ("Regio", "Region"),
    "f_programma": ("Programma", "Programme"),
    "f_jaar": ("Jaar", "Year"),
    "f_soort": ("Soort", "Kind"),
    "f_rol": ("Rol", "Role"),
    "f_lidvan": ("Lid van", "Member of"),
    "f_zorgsetting": ("Zorgsetting", "Care setting"),
    "f_status": ("Status", "Status"),
    "f_organisatie": ("Organisatie of project", "Organisation or project"),
    "f_project": ("Gemaakt in project", "Made in project"),
    "status_open": ("open", "open"),
    "status_vervuld": ("vervuld", "met"),
    "led_by": ("Geleid door", "Led by"),
    "lead": ("Leidende organisatie", "Lead organisation"),
    "by_level": ("per opleidingsniveau", "by education level"),
    "all_n": ("Alle {what}", "All {what}"),
    "explorer_list": ("Dezelfde omgeving als lijst", "The same neighbourhood as a list"),
    "explorer_graph": ("Netwerkkaart van {label}", "Network map of {label}"),
    "expand": ("Toon buren", "Show neighbours"),
    "expand_of": ("van {label}", "of {label}"),
    "neighbours_of": ("Buren van {label}", "Neighbours of {label}"),
    "explorer_default": ("Begonnen bij {label}. Kies een ander onderwerp met de zoekbalk.", "Started at {label}. Choose another subject with the search box."),
    "mini_alt": ("{label} en {n} verbonden onderwerpen", "{label} and {n} connected subjects"),
    "mini_note": ("De namen staan hieronder bij Verbanden.", "The names are listed under Relations below."),
    "sparql_title": ("Zoekvragen (SPARQL)", "Queries (SPARQL)"),
    "search_results_for": ("Resultaten voor ‘{q}’", "Results for ‘{q}’"),
}


# Countable nouns: (nl one, nl many, en one, en many). "1 project", "8 projecten", never "8 items".
NOUNS: dict[str, tuple[str, str, str, str]] = {
    "project": ("project", "projecten", "project", "projects"),
    "material": ("materiaal", "materialen", "material", "materials"),
    "organisation": ("organisatie", "organisaties", "organisation", "organisations"),
    "person": ("persoon", "personen", "person", "people"),
    "need": ("kennisbehoefte", "kennisbehoeften", "knowledge need", "knowledge needs"),
    "hub": ("Onderwijsknooppunt", "Onderwijsknooppunten", "education hub", "education hubs"),
    "theme": ("thema", "thema's", "theme", "themes"),
    "competency": ("competentie", "competenties", "competency", "competencies"),
    "result": ("resultaat", "resultaten", "result", "results"),
}


def number(value: float, lang: str = DEFAULT, decimals: int = 0) -> str:
    """``1.234`` and ``0,5`` in Dutch, ``1,234`` and ``0.5`` in English (two fixed locales: no
    locale library needed for this)."""
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def plural(n: int, noun: str, lang: str = DEFAULT) -> str:
    """"1 project", "8 projecten", "1.250 projecten" (the noun in the right number)."""
    nl_one, nl_many, en_one, en_many = NOUNS[noun]
    one, many = (en_one, en_many) if lang == "en" else (nl_one, nl_many)
    return f"{number(n, lang)} {one if n == 1 else many}"


def noun(name: str, lang: str = DEFAULT, many: bool = True) -> str:
    nl_one, nl_many, en_one, en_many = NOUNS[name]
    return (en_many if many else en_one) if lang == "en" else (nl_many if many else nl_one)


def lang_of(request: Request) -> str:
    """The page language: ``?lang=en`` or ``?lang=nl``, else Dutch."""
    value = request.query_params.get("lang", "").lower()[:2]
    return value if value in LANGS else DEFAULT


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (Dutch if English is missing), with ``{name}`` filled in."""
    nl, en = STRINGS.get(key, (key, key))
    text = en if lang == "en" and en else nl
    return text.format(**values) if values else text


def _merge_curation() -> None:
    from .curation_text import STRINGS as CURATION

    STRINGS.update({k: v for k, v in CURATION.items() if k not in STRINGS})


_merge_curation()
