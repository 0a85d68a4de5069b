"""Synthetic graphs in the Knooppunt vocabulary, for benchmarks (about 10k, 100k, 1M triples).

Usage::

    python -m bench.generate --triples 100000 --out /tmp/syn-100k.nt      # N-Triples
    python -m bench.generate --triples 100000 --out /tmp/syn-100k.nq      # N-Quads, graph "synthetic"

    from bench.generate import generate, write, plan
    for triple in generate(10_000, seed=1): ...      # pyoxigraph Triples (Quads with graph=...)
    write("/tmp/x.nt", 1_000_000)                      # streams N-Triples lines, ~1M triples/s... ish

The output is deterministic for a given ``(n_triples, seed, base)``: the same bytes every run.
The size is within a few percent of ``n_triples`` (the graph is built from whole resources).

Marking. Every synthetic resource carries ``dct:source <urn:knooppunt:synthetic>`` and
``rdfs:comment "synthetisch (benchmark)"@nl``; every slug starts with ``syn-``, so the data never
clashes with (and is easily removed from) real data. Only terms of docs/vocabulary.md are used.

IRIs (``{base}/id/{kind}/{slug}``, base default ``https://w3id.org/knooppunt``), with the counts
of :func:`plan` (``plan(n)`` returns them for any size; the numbers below are for 10k/100k/1M):

=====================  =================================  ==========================================
kind / slug            class                              notes
=====================  =================================  ==========================================
project/syn-project-i  kp:Project (i < plan.projects:     lead, partners, themes, competencies,
                       ~105 / ~1.05k / ~10.5k)            levels, programme, region, dates
programma/syn-programma-i  kp:Programme (3..40)            projects' kp:programme
organisatie/syn-knooppunt-0..7  kp:EducationHub (8)       **syn-knooppunt-0 is the biggest hub**:
                                                          partner/lead of ~41% of projects
organisatie/syn-consortium-0..6 kp:Consortium (7)         kp:anchoredAt a UMC
organisatie/syn-netwerk-i      kp:CareNetwork             kp:consortium, kp:region
organisatie/syn-umc-i          kp:UniversityMedicalCentre
organisatie/syn-onderwijs-i    kp:EducationInstitution
organisatie/syn-zorg-i         kp:CareOrganisation        kp:careSetting
organisatie/syn-kennis-i, syn-beroep-i, syn-financier-i   KnowledgeOrganisation/ProfessionalBody/Funder
regio/syn-regio-0..11 (provinces), syn-regio-12..18 (consortium regions, kp:withinRegion)
persoon/syn-persoon-i          kp:Person (~1.5 per project) foaf:name, kp:expertise
lidmaatschap/syn-lidmaatschap-i kp:Membership (~3 per project) org:member, org:role,
                                                          org:organization and/or kp:project
rol/syn-rol-0..9               kp:PersonRole              syn-rol-0 = "ambassadeur"-like (most used)
canmeds/syn-canmeds-0..6       kp:CanMEDSRole             top concepts of schema/syn-owr2
competentie/syn-competentie-i  kp:Competency (35..350)    skos:broader a CanMEDS role
thema/syn-thema-i              kp:Theme (30..400)         hierarchy: 0..11 are top themes, others
                                                          skos:broader a lower-numbered theme;
                                                          **syn-thema-0 is the most used theme**
niveau/syn-niveau-0..10        kp:EducationLevel
zorgsetting/syn-zorgsetting-0..4 kp:CareSetting
materiaal/syn-materiaal-i      kp:Course, kp:ELearning, kp:Film, kp:Toolbox, kp:TeachingPackage,
                               kp:MeasurementInstrument or kp:Guideline (~2 per project; typed with
                               the subclass only) kp:producedBy a project, kp:provider
behoefte/syn-behoefte-i        kp:Need (~0.4 per project), ~60% with kp:metBy
bijeenkomst/syn-bijeenkomst-i  kp:Event, a few kp:Dialogue series with kp:partOfSeries
schema/syn-themas, syn-owr2, syn-niveaus, syn-rollen, syn-zorgsettings  skos:ConceptScheme
=====================  =================================  ==========================================

Popularity is skewed (Zipf-like): low indices of organisations, themes and competencies are used
far more often than high ones, so benchmarks can pick a "hub" (index 0) and a "leaf" (last index)
deterministically. Labels are Dutch-like synthetic words (some with "é", "ë", "ï") in ``@nl`` and
an ``@en`` variant; every label also contains the slug number, e.g. "Project Zorgpalië 17".

Query shapes the benchmarks use (see ``QUERY_SHAPES``): related projects of a project ranked by
shared themes and organisations, and a label search with ``CONTAINS(LCASE(...))``.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse

DEFAULT_BASE = "https://w3id.org/knooppunt"
SYNTHETIC_SOURCE = "urn:knooppunt:synthetic"
SYNTHETIC_COMMENT = "synthetisch (benchmark)"
GENERATOR_VERSION = 1
"""Bump when the output changes, so cached files (bench/out/) are regenerated."""

KP = "https://w3id.org/knooppunt/def#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_FOAF = "http://xmlns.com/foaf/0.1/"
_ORG = "http://www.w3.org/ns/org#"
_SCHEMA = "https://schema.org/"

# Predicates and classes as ready N-Triples terms.
TYPE = f"<{_RDF}type>"
LABEL = f"<{_RDFS}label>"
COMMENT = f"<{_RDFS}comment>"
DESCRIPTION = f"<{_DCT}description>"
SOURCE = f"<{_DCT}source>"
PREF = f"<{_SKOS}prefLabel>"
ALT = f"<{_SKOS}altLabel>"
BROADER = f"<{_SKOS}broader>"
IN_SCHEME = f"<{_SKOS}inScheme>"
TOP_OF = f"<{_SKOS}topConceptOf>"
NOTATION = f"<{_SKOS}notation>"
SCHEME = f"<{_SKOS}ConceptScheme>"
FOAF_NAME = f"<{_FOAF}name>"
ORG_MEMBER = f"<{_ORG}member>"
ORG_ROLE = f"<{_ORG}role>"
ORG_ORG = f"<{_ORG}organization>"
URL = f"<{_SCHEMA}url>"


def _kp(name: str) -> str:
    return f"<{KP}{name}>"


SYN_SOURCE = f"<{SYNTHETIC_SOURCE}>"
SYN_COMMENT = f'"{SYNTHETIC_COMMENT}"@nl'

MATERIAL_CLASSES = [
    "Course", "ELearning", "Film", "Toolbox", "TeachingPackage", "MeasurementInstrument", "Guideline",
]  # fmt: skip
MATERIAL_NL = ["Scholing", "E-learning", "Film", "Toolbox", "Lespakket", "Meetinstrument", "Richtlijn"]
MATERIAL_EN = ["Course", "E-learning", "Film", "Toolbox", "Teaching package", "Instrument", "Guideline"]

# Syllables for Dutch-looking words; a few carry the accents Dutch uses (é, ë, ï).
_SYL = (
    "zorg pal li a tief ver be ge naas ten kwa teit on der wijs knoop punt re gie in ken nis sa men "
    "wer king bat stem ming rouw ver lies proac pla ning sym too men lijn bege lei ding dood "
    "ster ven hos pi ce thuis huis arts ver pleeg kun de oe fen gesprek"
).split()
_ACCENT = ["é", "ë", "ï", "cé", "eën", "ië", "dé", "ré"]


@dataclass(frozen=True)
class Plan:
    """How many resources of each kind a graph of about ``n_triples`` holds."""

    n_triples: int
    projects: int
    programmes: int
    organisations: int
    networks: int
    umcs: int
    education: int
    care: int
    knowledge: int
    bodies: int
    funders: int
    persons: int
    memberships: int
    materials: int
    needs: int
    events: int
    themes: int
    competencies: int


HUBS, CONSORTIA, PROVINCES, CANMEDS, LEVELS, ROLES, SETTINGS = 8, 7, 12, 7, 11, 10, 5
REGIONS = PROVINCES + CONSORTIA
# Measured average triples per project "unit" (a project with its share of the other resources)
# and the fixed part (schemes, roles, levels, regions, the smallest concept sets); see plan().
_PER_UNIT = 97.0
_FIXED = 1000


def plan(n_triples: int) -> Plan:
    """Resource counts for a graph of about ``n_triples`` triples (at least ~1.5k)."""
    units = max(3, round((n_triples - _FIXED) / _PER_UNIT))
    networks = min(65, max(7, units // 40))
    umcs = 7 if units >= 70 else 3
    orgs_other = max(20, units // 5)
    education = max(6, orgs_other * 30 // 100)
    care = max(8, orgs_other * 50 // 100)
    knowledge = max(2, orgs_other * 8 // 100)
    bodies = max(2, orgs_other * 7 // 100)
    funders = max(2, min(12, orgs_other * 5 // 100))
    organisations = HUBS + CONSORTIA + networks + umcs + education + care + knowledge + bodies + funders
    return Plan(
        n_triples=n_triples,
        projects=units,
        programmes=min(40, max(3, units // 250)),
        organisations=organisations,
        networks=networks,
        umcs=umcs,
        education=education,
        care=care,
        knowledge=knowledge,
        bodies=bodies,
        funders=funders,
        persons=units * 3 // 2,
        memberships=units * 3,
        materials=units * 2,
        needs=units * 2 // 5,
        events=max(4, units // 4),
        themes=min(400, 30 + units // 30),
        competencies=min(350, 35 + units // 35),
    )


class _Words:
    """Deterministic Dutch-like words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def word(self) -> str:
        rng = self.rng
        parts = [rng.choice(_SYL) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.15:
            parts.insert(rng.randint(1, len(parts)), rng.choice(_ACCENT))
        return "".join(parts)

    def title(self, n: int = 2) -> str:
        return " ".join(self.word() for _ in range(n)).capitalize()

    def sentence(self, n: int = 8) -> str:
        return " ".join(self.word() for _ in range(n)).capitalize() + "."


class _Zipf:
    """Draw indices 0..n-1 with weight 1/(i+1)**s (index 0 is the most popular)."""

    def __init__(self, rng: random.Random, n: int, s: float = 1.0) -> None:
        self.rng, self.n = rng, n
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))
        self.total = self.cum[-1]

    def one(self) -> int:
        return min(self.n - 1, bisect.bisect(self.cum, self.rng.random() * self.total))

    def some(self, k: int) -> list[int]:
        k = min(k, self.n)
        seen: dict[int, None] = {}
        while len(seen) < k:
            seen[self.one()] = None
        return list(seen)


def _lit(text: str, lang: str | None = None) -> str:
    # Our words never hold quotes, backslashes or newlines; escape anyway for safety.
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def _typed(value: str, dtype: str) -> str:
    return f'"{value}"^^<{_XSD}{dtype}>'


def _statements(n_triples: int, seed: int, base: str) -> Iterator[list[str]]:
    """Chunks of ``"s p o"`` strings (N-Triples terms, no final dot), one chunk per resource group."""
    p = plan(n_triples)
    rng = random.Random(f"knooppunt-synthetic-{seed}")
    words = _Words(rng)
    base = base.rstrip("/")

    def iri(kind: str, slug: str) -> str:
        return f"<{base}/id/{kind}/syn-{slug}>"

    out: list[str] = []
    add = out.append

    def resource(s: str, cls: str, nl: str, en: str | None, *, desc: bool = True, concept=False) -> None:
        add(f"{s} {TYPE} {cls}")
        add(f"{s} {LABEL} {_lit(nl, 'nl')}")
        if en is not None:
            add(f"{s} {LABEL} {_lit(en, 'en')}")
        if concept:
            add(f"{s} {PREF} {_lit(nl, 'nl')}")
            if en is not None:
                add(f"{s} {PREF} {_lit(en, 'en')}")
        if desc:
            add(f"{s} {DESCRIPTION} {_lit(words.sentence(rng.randint(6, 14)), 'nl')}")
            if rng.random() < 0.5:
                add(f"{s} {DESCRIPTION} {_lit(words.sentence(rng.randint(6, 12)), 'en')}")
        add(f"{s} {SOURCE} {SYN_SOURCE}")
        add(f"{s} {COMMENT} {SYN_COMMENT}")

    def flush() -> list[str]:
        chunk = out.copy()
        out.clear()
        return chunk

    # --- concept schemes and small fixed concept sets -----------------------------------------
    schemes = {k: iri("schema", k) for k in ("themas", "owr2", "niveaus", "rollen", "zorgsettings")}
    for key, s in schemes.items():
        resource(s, SCHEME, f"Synthetisch schema {key}", f"Synthetic scheme {key}", desc=False)

    canmeds = [iri("canmeds", f"canmeds-{i}") for i in range(CANMEDS)]
    for i, s in enumerate(canmeds):
        w = words.word()
        resource(s, _kp("CanMEDSRole"), f"{w} | rol {i}", f"{w} | role {i}", concept=True)
        add(f"{s} {IN_SCHEME} {schemes['owr2']}")
        add(f"{s} {TOP_OF} {schemes['owr2']}")

    levels = [iri("niveau", f"niveau-{i}") for i in range(LEVELS)]
    for i, s in enumerate(levels):
        w = words.word()
        resource(s, _kp("EducationLevel"), f"Niveau {w} {i}", f"Level {w} {i}", desc=False, concept=True)
        add(f"{s} {IN_SCHEME} {schemes['niveaus']}")
        if 0 < i < 3:
            add(f"{s} {BROADER} {levels[0]}")

    roles = [iri("rol", f"rol-{i}") for i in range(ROLES)]
    for i, s in enumerate(roles):
        w = words.word()
        resource(s, _kp("PersonRole"), f"Rol {w} {i}", f"Role {w} {i}", desc=False, concept=True)
        add(f"{s} {IN_SCHEME} {schemes['rollen']}")

    settings = [iri("zorgsetting", f"zorgsetting-{i}") for i in range(SETTINGS)]
    for i, s in enumerate(settings):
        w = words.word()
        resource(s, _kp("CareSetting"), f"Zorgsetting {w} {i}", f"Care setting {w} {i}", desc=False, concept=True)
        add(f"{s} {IN_SCHEME} {schemes['zorgsettings']}")

    regions = [iri("regio", f"regio-{i}") for i in range(REGIONS)]
    for i, s in enumerate(regions):
        w = words.title(1)
        if i < PROVINCES:
            resource(s, _kp("Region"), f"Provincie {w} {i}", f"Province {w} {i}", desc=False)
        else:
            resource(s, _kp("Region"), f"Regio {w} {i}", f"Region {w} {i}", desc=False)
            add(f"{s} {_kp('withinRegion')} {regions[(i - PROVINCES) % PROVINCES]}")
            add(f"{s} {_kp('withinRegion')} {regions[(i - PROVINCES + 5) % PROVINCES]}")
    yield flush()

    themes = [iri("thema", f"thema-{i}") for i in range(p.themes)]
    top_themes = min(12, p.themes)
    for i, s in enumerate(themes):
        w = words.title(rng.randint(1, 2))
        resource(s, _kp("Theme"), f"{w} {i}", f"Theme {w} {i}", concept=True)
        add(f"{s} {IN_SCHEME} {schemes['themas']}")
        if i < top_themes:
            add(f"{s} {TOP_OF} {schemes['themas']}")
        else:
            add(f"{s} {BROADER} {themes[rng.randrange(i // 2 if i > 24 else 0, i)]}")
        if rng.random() < 0.1:
            add(f"{s} {ALT} {_lit(w[:3].upper(), 'nl')}")

    competencies = [iri("competentie", f"competentie-{i}") for i in range(p.competencies)]
    for i, s in enumerate(competencies):
        resource(s, _kp("Competency"), f"Competentie {words.title(3)} {i}", f"Competency {i}", concept=True)
        add(f"{s} {IN_SCHEME} {schemes['owr2']}")
        add(f"{s} {BROADER} {canmeds[i % CANMEDS]}")
        add(f"{s} {NOTATION} {_lit(f'SYN-{i % CANMEDS + 1}.{i // CANMEDS + 1}')}")
        add(f"{s} {_kp('educationLevel')} {levels[rng.randrange(LEVELS)]}")
    yield flush()

    # --- organisations -----------------------------------------------------------------------
    # Ranked list: hubs first (the biggest hub is index 0), then consortia, UMCs, networks, the rest.
    umcs = [iri("organisatie", f"umc-{i}") for i in range(p.umcs)]
    hubs = [iri("organisatie", f"knooppunt-{i}") for i in range(HUBS)]
    consortia = [iri("organisatie", f"consortium-{i}") for i in range(CONSORTIA)]
    networks = [iri("organisatie", f"netwerk-{i}") for i in range(p.networks)]
    education = [iri("organisatie", f"onderwijs-{i}") for i in range(p.education)]
    care = [iri("organisatie", f"zorg-{i}") for i in range(p.care)]
    knowledge = [iri("organisatie", f"kennis-{i}") for i in range(p.knowledge)]
    bodies = [iri("organisatie", f"beroep-{i}") for i in range(p.bodies)]
    funders = [iri("organisatie", f"financier-{i}") for i in range(p.funders)]

    def org_region(s: str) -> None:
        add(f"{s} {_kp('region')} {regions[rng.randrange(PROVINCES)]}")

    for i, s in enumerate(consortia):
        w = words.title(1)
        resource(s, _kp("Consortium"), f"Consortium Palliatieve Zorg {w} {i}", f"Consortium {w} {i}")
        add(f"{s} {_kp('region')} {regions[PROVINCES + i]}")
        add(f"{s} {_kp('anchoredAt')} {umcs[i % len(umcs)]}")
        add(f"{s} {URL} <https://example.org/syn/consortium-{i}>")
    for i, s in enumerate(hubs):
        w = words.title(1)
        resource(s, _kp("EducationHub"), f"Onderwijsknooppunt {w} {i}", f"Education hub {w} {i}")
        add(f"{s} {_kp('consortium')} {consortia[i % CONSORTIA]}")
        add(f"{s} {_kp('region')} {regions[PROVINCES + i % CONSORTIA]}")
    for i, s in enumerate(umcs):
        w = words.title(1)
        resource(s, _kp("UniversityMedicalCentre"), f"UMC {w} {i}", f"UMC {w} {i}")
        org_region(s)
        add(f"{s} {_kp('careSetting')} {settings[2]}")
        add(f"{s} {_kp('memberOf')} {hubs[i % HUBS]}")
    for i, s in enumerate(networks):
        w = words.title(1)
        resource(s, _kp("CareNetwork"), f"Netwerk Palliatieve Zorg {w} {i}", f"Palliative care network {w} {i}")
        add(f"{s} {_kp('consortium')} {consortia[i % CONSORTIA]}")
        org_region(s)
    for i, s in enumerate(education):
        w = words.title(1)
        kind = ("ROC", "Hogeschool", "Universiteit")[i % 3]
        resource(s, _kp("EducationInstitution"), f"{kind} {w} {i}", f"{kind} {w} {i}")
        org_region(s)
        add(f"{s} {_kp('memberOf')} {hubs[rng.randrange(HUBS)]}")
    for i, s in enumerate(care):
        w = words.title(1)
        resource(s, _kp("CareOrganisation"), f"Zorggroep {w} {i}", f"Care group {w} {i}")
        org_region(s)
        add(f"{s} {_kp('careSetting')} {settings[rng.randrange(SETTINGS)]}")
        add(f"{s} {_kp('memberOf')} {networks[rng.randrange(len(networks))]}")
    for cls, group, nl, en in (
        ("KnowledgeOrganisation", knowledge, "Kenniscentrum", "Knowledge centre"),
        ("ProfessionalBody", bodies, "Beroepsvereniging", "Professional body"),
        ("Funder", funders, "Fonds", "Fund"),
    ):
        for i, s in enumerate(group):
            w = words.title(1)
            resource(s, _kp(cls), f"{nl} {w} {i}", f"{en} {w} {i}")
            add(f"{s} {URL} <https://example.org/syn/{cls.lower()}-{i}>")
    yield flush()

    # Popularity order for project partners: the biggest hub first, then a shuffled mix.
    involved = umcs + hubs[1:] + consortia + networks + education + care + knowledge + bodies
    rng.shuffle(involved)
    involved = [hubs[0], *involved]
    org_pick = _Zipf(rng, len(involved), 1.05)
    partner_pick = _Zipf(rng, len(involved) - 1, 1.05)  # all but the biggest hub, which is added apart
    theme_pick = _Zipf(rng, len(themes), 1.0)
    comp_pick = _Zipf(rng, len(competencies), 0.9)

    # --- programmes and projects -------------------------------------------------------------
    programmes = [iri("programma", f"programma-{i}") for i in range(p.programmes)]
    for i, s in enumerate(programmes):
        w = words.title(1)
        resource(s, _kp("Programme"), f"Programma {w} {i}", f"Programme {w} {i}")
        add(f"{s} {_kp('funder')} {funders[i % len(funders)]}")
        add(f"{s} {_kp('startDate')} {_typed(str(2010 + i % 14), 'gYear')}")

    projects = [iri("project", f"project-{i}") for i in range(p.projects)]
    for i, s in enumerate(projects):
        w = words.title(2)
        resource(s, _kp("Project"), f"Project {w} {i}", f"Project {w} {i}")
        orgs = [o + 1 for o in partner_pick.some(rng.randint(2, 6))]
        if rng.random() < 0.41:  # the biggest hub reaches 41% of projects (DESIGN.md)
            orgs.insert(rng.randrange(len(orgs) + 1), 0)
        add(f"{s} {_kp('leadOrganisation')} {involved[orgs[0]]}")
        for o in orgs[1:]:
            add(f"{s} {_kp('partnerOrganisation')} {involved[o]}")
        if rng.random() < 0.6:
            add(f"{s} {_kp('funder')} {funders[rng.randrange(len(funders))]}")
        for t in theme_pick.some(rng.randint(1, 5)):
            add(f"{s} {_kp('addressesTheme')} {themes[t]}")
        for c in comp_pick.some(rng.randint(0, 4)):
            add(f"{s} {_kp('addressesCompetency')} {competencies[c]}")
        for lv in rng.sample(range(LEVELS), rng.randint(1, 2)):
            add(f"{s} {_kp('educationLevel')} {levels[lv]}")
        add(f"{s} {_kp('programme')} {programmes[rng.randrange(len(programmes))]}")
        add(f"{s} {_kp('region')} {regions[rng.randrange(REGIONS)]}")
        start = 2012 + rng.randrange(12)
        add(f"{s} {_kp('startDate')} {_typed(str(start), 'gYear')}")
        add(f"{s} {_kp('endDate')} {_typed(str(start + rng.randint(1, 4)), 'gYear')}")
        if i > 10 and rng.random() < 0.08:
            add(f"{s} {_kp('followUpOf')} {projects[rng.randrange(i)]}")
        if len(out) > 5000:
            yield flush()
    yield flush()

    # --- people and memberships ------------------------------------------------------------------
    persons = [iri("persoon", f"persoon-{i}") for i in range(p.persons)]
    for s in persons:
        name = f"{words.word().capitalize()} {rng.choice(['', 'van ', 'de ', 'van der '])}{words.word().capitalize()}"
        add(f"{s} {TYPE} {_kp('Person')}")
        add(f"{s} {FOAF_NAME} {_lit(name)}")
        add(f"{s} {LABEL} {_lit(name, 'nl')}")
        add(f"{s} {SOURCE} {SYN_SOURCE}")
        add(f"{s} {COMMENT} {SYN_COMMENT}")
        for t in theme_pick.some(rng.randint(0, 2)):
            add(f"{s} {_kp('expertise')} {themes[t]}")
        if rng.random() < 0.3:
            add(f"{s} {_kp('expertise')} {competencies[comp_pick.one()]}")
        if len(out) > 5000:
            yield flush()
    role_pick = _Zipf(rng, ROLES, 0.8)
    for i in range(p.memberships):
        s = iri("lidmaatschap", f"lidmaatschap-{i}")
        person = persons[i % len(persons) if i < len(persons) else rng.randrange(len(persons))]
        role = role_pick.one()
        add(f"{s} {TYPE} {_kp('Membership')}")
        add(f"{s} {LABEL} {_lit(f'Lidmaatschap {i}', 'nl')}")
        add(f"{s} {SOURCE} {SYN_SOURCE}")
        add(f"{s} {COMMENT} {SYN_COMMENT}")
        add(f"{s} {ORG_MEMBER} {person}")
        add(f"{s} {ORG_ROLE} {roles[role]}")
        add(f"{s} {ORG_ORG} {involved[org_pick.one()]}")
        if rng.random() < 0.6:
            add(f"{s} {_kp('project')} {projects[rng.randrange(len(projects))]}")
        start = 2012 + rng.randrange(12)
        add(f"{s} {_kp('startDate')} {_typed(f'{start}-{rng.randint(1, 12):02d}-01', 'date')}")
        if rng.random() < 0.4:
            add(f"{s} {_kp('endDate')} {_typed(f'{start + rng.randint(1, 5)}-12-31', 'date')}")
        if len(out) > 5000:
            yield flush()
    yield flush()

    # --- materials -----------------------------------------------------------------------------
    materials = [iri("materiaal", f"materiaal-{i}") for i in range(p.materials)]
    for i, s in enumerate(materials):
        k = rng.randrange(len(MATERIAL_CLASSES))
        w = words.title(2)
        resource(s, _kp(MATERIAL_CLASSES[k]), f"{MATERIAL_NL[k]} {w} {i}", f"{MATERIAL_EN[k]} {w} {i}")
        for t in theme_pick.some(rng.randint(1, 3)):
            add(f"{s} {_kp('addressesTheme')} {themes[t]}")
        for c in comp_pick.some(rng.randint(1, 3)):
            add(f"{s} {_kp('addressesCompetency')} {competencies[c]}")
        if rng.random() < 0.2:
            add(f"{s} {_kp('addressesCompetency')} {canmeds[rng.randrange(CANMEDS)]}")
        add(f"{s} {_kp('educationLevel')} {levels[rng.randrange(LEVELS)]}")
        add(f"{s} {_kp('producedBy')} {projects[rng.randrange(len(projects))]}")
        add(f"{s} {_kp('provider')} {involved[org_pick.one()]}")
        if rng.random() < 0.3:
            add(f"{s} {URL} <https://example.org/syn/materiaal-{i}>")
        if len(out) > 5000:
            yield flush()
    yield flush()

    # --- events (a few dialogue series) and needs ------------------------------------------------
    events = [iri("bijeenkomst", f"bijeenkomst-{i}") for i in range(p.events)]
    dialogues = events[: max(1, len(events) // 20)]
    for i, s in enumerate(events):
        w = words.title(2)
        if i < len(dialogues):
            resource(s, _kp("Dialogue"), f"Dialoog {w} {i}", f"Dialogue {w} {i}")
        else:
            resource(s, _kp("Event"), f"Bijeenkomst {w} {i}", f"Meeting {w} {i}")
            if rng.random() < 0.3:
                add(f"{s} {_kp('partOfSeries')} {dialogues[rng.randrange(len(dialogues))]}")
                add(f"{s} {_kp('stepNumber')} {_typed(str(rng.randint(1, 4)), 'integer')}")
        year = 2015 + rng.randrange(10)
        add(f"{s} {_kp('startDate')} {_typed(f'{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}', 'date')}")
        add(f"{s} {_kp('region')} {regions[rng.randrange(REGIONS)]}")
        add(f"{s} {_kp('organisedBy')} {hubs[rng.randrange(HUBS)]}")
        for o in org_pick.some(rng.randint(1, 4)):
            add(f"{s} {_kp('participant')} {involved[o]}")
        add(f"{s} {_kp('addressesTheme')} {themes[theme_pick.one()]}")
        if rng.random() < 0.3:
            add(f"{s} {_kp('usesMaterial')} {materials[rng.randrange(len(materials))]}")
    for i in range(p.needs):
        s = iri("behoefte", f"behoefte-{i}")
        w = words.title(2)
        resource(s, _kp("Need"), f"Behoefte aan {w.lower()} {i}", f"Need for {w.lower()} {i}")
        add(f"{s} {_kp('raisedIn')} {events[rng.randrange(len(events))]}")
        add(f"{s} {_kp('raisedBy')} {involved[org_pick.one()]}")
        add(f"{s} {_kp('addressesTheme')} {themes[theme_pick.one()]}")
        add(f"{s} {_kp('addressesCompetency')} {competencies[comp_pick.one()]}")
        if rng.random() < 0.3:
            add(f"{s} {_kp('careSetting')} {settings[rng.randrange(SETTINGS)]}")
        if rng.random() < 0.6:
            target = rng.random()
            if target < 0.5:
                met = materials[rng.randrange(len(materials))]
            elif target < 0.8:
                met = projects[rng.randrange(len(projects))]
            else:
                met = persons[rng.randrange(len(persons))]
            add(f"{s} {_kp('metBy')} {met}")
        if len(out) > 5000:
            yield flush()
    yield flush()


def graph_iri(name: str = "synthetic", base: str = DEFAULT_BASE) -> str:
    return f"{base.rstrip('/')}/graph/{name}"


def lines(
    n_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE, graph: str | None = None
) -> Iterator[str]:
    """Chunks of N-Triples text (or N-Quads when ``graph`` names a graph), each ending in a newline."""
    suffix = f" <{graph_iri(graph, base)}> .\n" if graph else " .\n"
    for chunk in _statements(n_triples, seed, base):
        if chunk:
            yield suffix.join(chunk) + suffix


def generate(
    n_triples: int, seed: int = 1, *, base: str = DEFAULT_BASE, graph: str | None = None
) -> Iterator[Triple | Quad]:
    """The synthetic graph as pyoxigraph ``Triple``s, or ``Quad``s in ``{base}/graph/{graph}``."""
    fmt = RdfFormat.N_QUADS if graph else RdfFormat.N_TRIPLES
    for text in lines(n_triples, seed, base=base, graph=graph):
        yield from parse(text.encode(), fmt)


def write(
    path: str | Path,
    n_triples: int,
    fmt: str = "nt",
    graph: str = "synthetic",
    *,
    seed: int = 1,
    base: str = DEFAULT_BASE,
) -> int:
    """Write the graph as N-Triples (``fmt="nt"``) or N-Quads (``"nq"``, in ``graph``); returns the
    number of triples written. Writes to a temporary name first, so a reader never sees half a file."""
    if fmt not in ("nt", "nq"):
        raise ValueError(f"fmt must be 'nt' or 'nq', not {fmt!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    count = 0
    with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
        for chunk in _statements(n_triples, seed, base):
            if not chunk:
                continue
            suffix = f" <{graph_iri(graph, base)}> .\n" if fmt == "nq" else " .\n"
            f.write(suffix.join(chunk) + suffix)
            count += len(chunk)
    tmp.replace(path)
    return count


# --- parameters and query shapes for the benchmarks ---------------------------------------------
def iri(kind: str, slug: str, base: str = DEFAULT_BASE) -> NamedNode:
    """``iri("project", "project-3")`` -> the NamedNode of syn-project-3 (the ``syn-`` is added)."""
    return NamedNode(f"{base.rstrip('/')}/id/{kind}/syn-{slug}")


BIGGEST_HUB = "knooppunt-0"
"""Slug (without ``syn-``) of the organisation involved in the most projects (~41%)."""
TOP_THEME = "thema-0"
"""Slug of the theme addressed by the most projects."""

# pyoxigraph 0.5 only substitutes (binds) variables that are in the SELECT projection, so each
# shape projects its parameter ($project, $needle, $theme) too.
QUERY_SHAPES: dict[str, str] = {
    # $project: e.g. iri("project", "project-0"). Projects sharing themes or organisations, ranked.
    "related_projects": """
SELECT ?project ?other (COUNT(DISTINCT ?shared) AS ?score) WHERE {
  { ?project kp:addressesTheme ?shared . ?other kp:addressesTheme ?shared . }
  UNION
  { ?project kp:involvedOrganisation|kp:leadOrganisation|kp:partnerOrganisation ?shared .
    ?other kp:involvedOrganisation|kp:leadOrganisation|kp:partnerOrganisation ?shared . }
  FILTER (?other != ?project)
} GROUP BY ?project ?other ORDER BY DESC(?score) ?other LIMIT 20
""",
    # $needle: a lower-case literal, e.g. "zorg" (common) or "eën" (rare). Label search.
    "label_search": """
SELECT ?needle ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER (LANG(?label) = "nl" && CONTAINS(LCASE(STR(?label)), ?needle))
} LIMIT 50
""",
    # $theme: e.g. iri("thema", "thema-0"). Materials for a theme or any narrower theme.
    "materials_for_theme": """
SELECT ?theme ?m ?label WHERE {
  ?t skos:broader* ?theme .
  ?m kp:addressesTheme ?t ; kp:producedBy ?p ; rdfs:label ?label .
  FILTER (LANG(?label) = "nl")
} LIMIT 100
""",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples")
    parser.add_argument("--out", required=True, help="output file (.nt or .nq)")
    parser.add_argument("--format", choices=["nt", "nq"], help="default: from --out's suffix")
    parser.add_argument("--graph", default="synthetic", help="graph name for N-Quads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-iri", default=DEFAULT_BASE)
    parser.add_argument("--plan", action="store_true", help="print the resource counts too")
    args = parser.parse_args(argv)
    fmt = args.format or ("nq" if args.out.endswith(".nq") else "nt")
    start = time.perf_counter()
    n = write(args.out, args.triples, fmt, args.graph, seed=args.seed, base=args.base_iri)
    took = time.perf_counter() - start
    print(f"{args.out}: {n} triples in {took:.1f} s ({n / took:,.0f} triples/s)", file=sys.stderr)
    if args.plan:
        for key, value in asdict(plan(args.triples)).items():
            print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
