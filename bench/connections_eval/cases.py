"""The expectations of the evaluation: what a knowledgeable ambassador would expect to see.

Written from the public facts in the seed data (``data/*.ttl``, themselves from
``domain-facts.md`` and ``domain-facts-2.md``) **before** the connections ranking of issue 11 was
changed, and not tuned to any ranking afterwards. Each expectation says why an ambassador who knows
the field would name that resource for the initiative; an expectation found to be wrong later is
corrected here with a note, never silently.

Three routes are evaluated:

- ``INITIATIVES`` - ``POST /api/connections``: a Dutch initiative as an ambassador would type it
  (a description, sometimes a title, sometimes a level, region or theme chosen in the form) and
  the projects, materials, organisations, people and open needs expected in the top 10 of their
  list;
- ``RELATED`` - ``GET /api/projects/{id}/related``: projects expected among the 10 most related;
- ``PEOPLE`` - ``GET /api/people``: people expected among the first 10 for a filter.

Resources are named ``kind/slug`` (``project/dedicated``); the list an expectation is checked in
follows from the kind (project and programma: projects; materiaal: materials; organisatie:
organisations; persoon: people; behoefte: needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Initiative:
    id: str
    description: str
    expect: dict[str, str]  # kind/slug -> why an ambassador expects it in the top 10
    title: str = ""
    form: dict = field(default_factory=dict)  # levels, region, themes, competencies, organisation


@dataclass(frozen=True)
class Related:
    id: str
    project: str  # slug
    expect: dict[str, str]


@dataclass(frozen=True)
class People:
    id: str
    filters: dict[str, str]
    expect: dict[str, str]


INITIATIVES: list[Initiative] = [
    Initiative(
        "pzp-mbo",
        "We willen in de opleiding verzorgende IG (mbo niveau 3) lessen ontwikkelen over proactieve "
        "zorgplanning: hoe voer je het gesprek over wensen en grenzen in de laatste levensfase? We "
        "zoeken lesmateriaal en mensen die hier al mee bezig zijn.",
        {
            "materiaal/richtlijn-proactieve-zorgplanning": "the national guideline on proactieve zorgplanning, the subject itself",
            "materiaal/keuzedeel-palliatieve-zorg-k1006": "K1006 is the mbo-3/4 keuzedeel palliatieve zorg, O²PZ's starting point for mbo",
            "behoefte/gv-gespreksvaardigheden": "mbo practice asked for conversation skills with naasten and doctors (Gooi dialogue): the PZP conversation",
        },
        title="Proactieve zorgplanning in het mbo",
    ),
    Initiative(
        "dementie-pzp-limburg",
        "Scholing voor verzorgenden in het verpleeghuis over proactieve zorgplanning bij mensen met "
        "dementie, in Limburg.",
        {
            "project/dedicated": "DEDICATED is the dementia + proactieve zorgplanning project, led from Limburg (Maastricht University, AWO-L)",
            "project/pzp-bij-dementie": "NPPZ II project on proactieve zorgplanning bij dementie",
            "project/dementie-zeist": "proactieve zorgplanning and dementia in Zeist, the predecessor of PZP bij dementie",
            "organisatie/maastricht-university": "lead organisation of DEDICATED",
            "organisatie/awo-l": "Academische Werkplaats Ouderenzorg Limburg, lead of DEDICATED",
            "organisatie/okp-limburg-zuidoost-brabant": "the Onderwijsknooppunt of the Limburg region",
            "organisatie/consortium-limburg-zuidoost-brabant": "the consortium palliatieve zorg of the region",
            "materiaal/richtlijn-proactieve-zorgplanning": "the national guideline on proactieve zorgplanning",
            "persoon/daisy-janssen": "projectleider of I-HARP (proactieve zorgplanning) at Maastricht UMC+, in the Limburg consortium region",
        },
    ),
    Initiative(
        "hartfalen-herkennen",
        "Wij willen wijkverpleegkundigen en huisartsen scholen in het tijdig herkennen van palliatieve "
        "zorgbehoeften bij mensen met hartfalen.",
        {
            "project/i-harp": "I-HARP is exactly this: timely recognition of palliative needs in heart failure",
            "project/actief-plannen-palliatieve-zorg": "huisarts project on recognising and planning palliative care, heart failure included",
            "project/deactiveren-icd": "heart-failure project (ICD deactivation in the last phase)",
            "materiaal/i-harp-e-learning": "the free I-HARP e-learning for care professionals",
            "materiaal/i-harp-gesprekswijzer": "I-HARP conversation guide and teaching materials",
            "materiaal/i-harp-workshop": "the I-HARP workshop (CIRO Academy)",
            "materiaal/patz-werkvorm-hartfalen": "PaTz working method on heart failure for huisartsen and wijkverpleegkundigen",
            "materiaal/richtlijn-hartfalen-palliatieve-zorg": "the guideline on palliative care in heart failure",
            "persoon/daisy-janssen": "projectleider of I-HARP",
            "organisatie/maastricht-umc": "owner and lead of I-HARP",
        },
        title="Hartfalen: palliatieve zorg tijdig herkennen",
    ),
    Initiative(
        "copd-nascholing",
        "Een nascholing voor longverpleegkundigen over palliatieve zorg bij COPD en kortademigheid.",
        {
            "project/compassion": "COMPASSION is the COPD palliative-care project",
            "project/proactive-acp-achterhoek": "advance care planning project for COPD and heart failure",
            "materiaal/compassion-training": "the COMPASSION training for long nurses, long doctors and huisartsen",
            "materiaal/toolbox-palliatieve-zorg-copd": "the COPD toolbox (kortademigheid, markering)",
            "organisatie/long-alliantie-nederland": "coordinator of COMPASSION and provider of its training",
        },
    ),
    Initiative(
        "kpz-hbo",
        "Een lesmodule kinderpalliatieve zorg voor de opleiding hbo-verpleegkunde.",
        {
            "organisatie/kenniscentrum-kinderpalliatieve-zorg": "the national knowledge centre for paediatric palliative care",
            "organisatie/okp-kinderpalliatieve-zorg": "the national Onderwijsknooppunt Kinderpalliatieve zorg",
            "project/nppz-ii-kind-en-jongere": "NPPZ II Kind en Jongere, led by the Kenniscentrum",
            "project/ja-hope4kids": "project on paediatric palliative care",
            "materiaal/richtlijn-palliatieve-zorg-voor-kinderen": "the guideline on palliative care for children",
            "persoon/meggi-schuiling-otten": "bestuurder of the Kenniscentrum Kinderpalliatieve Zorg",
        },
        title="Kinderpalliatieve zorg in het hbo",
    ),
    Initiative(
        "zingeving-migranten",
        "Zingeving en levensvragen in de palliatieve zorg: een training voor zorgprofessionals die "
        "werken met mensen met een migratieachtergrond.",
        {
            "project/diamand": "DIAMAND: spiritual care with the Diamond model for migrants and people with dementia",
            "project/in-gesprek-over-leven-en-dood": "conversations about life and death with migrant communities",
            "project/diversiteitsmeetlat": "palliative-care projects measured against diversity",
            "materiaal/diamand-trainingen": "the DIAMAND trainings for care professionals",
            "materiaal/handreiking-niet-westerse-achtergrond": "the handreiking on palliative care for people with a non-western background",
            "materiaal/training-cultuursensitief-communiceren-radboudumc": "Radboudumc's training in culturally sensitive communication",
            "organisatie/universiteit-voor-humanistiek": "lead of DIAMAND and provider of its trainings",
            "persoon/saida-aoulad-baktit": "trainer of the culturally sensitive communication training (islamitisch geestelijk verzorger)",
        },
    ),
    Initiative(
        "ggz-epa",
        "Proactieve palliatieve zorg in de ggz: scholing voor ggz-verpleegkundigen over mensen met een "
        "ernstige psychiatrische aandoening.",
        {
            "project/proactieve-palliatieve-zorg-epa": "the EPA project is exactly this",
            "materiaal/toolkit-proactieve-palliatieve-zorg-ggz": "the toolkit Proactieve palliatieve zorg in de ggz",
            "materiaal/training-proactieve-palliatieve-zorg-ggz": "the training module Proactieve palliatieve zorg in de ggz",
            "persoon/b-van-meijel": "researcher of the EPA project (Hogeschool Inholland)",
            "organisatie/hogeschool-inholland": "partner of the EPA project",
        },
        title="Palliatieve zorg in de ggz",
    ),
    Initiative(
        "dak-en-thuislozen",
        "Palliatieve zorg voor dak- en thuisloze mensen: scholing van medewerkers in de maatschappelijke opvang.",
        {
            "project/dak-en-thuislozen-fase-1": "the first phase of the project on homeless people",
            "project/dak-en-thuislozen-fase-2": "its second phase, with education",
        },
    ),
    Initiative(
        "stervensfase-hospice",
        "Goede zorg in de stervensfase: een scholing voor vrijwilligers en verpleegkundigen in het hospice.",
        {
            "materiaal/basismodule-zorgpad-stervensfase": "Zorgpad Stervensfase basic module and step plan",
            "materiaal/richtlijn-stervensfase-communicatie": "guideline on care in the dying phase (communication with patients and naasten)",
            "project/reutelen-in-de-stervensfase": "project on the dying phase (death rattle)",
            "project/verspreiding-goed-voorbeeld": "spreading the Zorgpad Stervensfase",
            "project/hopevol": "hospice-care project",
            "behoefte/gv-opdrachten-sluiten-aan": "open need for assignments that fit hospice practice",
        },
        title="Zorg in de stervensfase in het hospice",
    ),
    Initiative(
        "markering-mbo",
        "Leren signaleren en markeren van de palliatieve fase, bijvoorbeeld met de surprise question, "
        "voor mbo-verpleegkundigen.",
        {
            "materiaal/spict": "SPICT, the instrument to identify palliative patients",
            "materiaal/lessonup-kd-verdieping-palliatieve-zorg": "mbo lesson covering markering (four phases, surprise question)",
            "project/markeren-laatste-levensfase": "project Markeren van de laatste levensfase",
            "project/sigma-set": "SigMa method for signalling the palliative phase",
            "project/vipthis": "VIPTHIS flags the palliative phase from huisarts data",
            "behoefte/gv-methodiek-signaleringsset": "open need for a method and signalling set in practice",
            "persoon/karin-van-der-rijt": "researcher on Markeren van de laatste levensfase",
        },
    ),
    Initiative(
        "naasten-mantelzorg",
        "Ondersteuning van naasten en mantelzorgers in de palliatieve fase, en nazorg voor nabestaanden.",
        {
            "project/oog-voor-naasten": "Oog voor Naasten",
            "project/oog-voor-naasten-2": "Oog voor Naasten en Nabestaanden 2",
            "materiaal/mantelzorgondersteuning-palliatieve-fase": "IKNL's theme page on supporting informal carers",
            "materiaal/richtlijn-stervensfase-communicatie": "guideline module on communication with patients and naasten",
            "behoefte/gv-gespreksvaardigheden": "open need: talking with naasten",
        },
        title="Naasten en nabestaanden",
    ),
    Initiative(
        "ethiek-mbo-leerjaar-2",
        "Ethische dilemma's rond het levenseinde, zoals euthanasie en palliatieve sedatie, bespreken met "
        "mbo-studenten in leerjaar 2.",
        {
            "materiaal/lessonup-kd-verdieping-palliatieve-zorg": "mbo lesson on ethics and law at the end of life, study year 2-3",
            "materiaal/keuzedeel-verdieping-palliatieve-zorg-rocmn": "mbo-3 keuzedeel that covers ethical questions",
            "project/cura": "CURA, the ethics project",
        },
    ),
    Initiative(
        "meetinstrumenten-thuiszorg",
        "Afspraken over het gebruik van meetinstrumenten, zoals een pijnscore en het Utrechts Symptoom "
        "Dagboek, tijdens stages in de thuiszorg.",
        {
            "materiaal/usd": "Utrecht Symptoom Dagboek",
            "materiaal/nrs-pijn": "the pain score (NRS)",
            "materiaal/esas": "symptom assessment instrument (ESAS)",
            "behoefte/gv-meetinstrumenten": "the open need is exactly this: agreements on using measurement instruments",
            "behoefte/gv-extramurale-zorg": "open need for assignments in extramural (home) care",
            "project/smeth": "SMEtH: symptom management at home, with ROC Midden Nederland and Hogeschool Utrecht",
        },
        title="Meetinstrumenten in de thuiszorg",
    ),
    Initiative(
        "interprofessioneel-opleiden",
        "Interprofessioneel leren: studenten geneeskunde, hbo-verpleegkunde en mbo samen laten oefenen "
        "met palliatieve casuïstiek.",
        {
            "materiaal/interprofessioneel-samenwerkingsmodel": "the interprofessional collaboration model of O²PZ",
            "materiaal/ebook-symposium-onderwijs-palliatieve-zorg-2023": "the 2023 symposium on interprofessional education",
            "materiaal/owr-2-0": "OWR 2.0, the common framework across mbo, hbo and wo",
        },
        title="Interprofessioneel opleiden",
    ),
    Initiative(
        "owr-leerjaren-nh",
        "Wij willen als ROC het Onderwijsraamwerk palliatieve zorg 2.0 over de leerjaren van de opleiding "
        "verzorgende IG verdelen, in Noord-Holland.",
        {
            "materiaal/owr-2-0": "the framework itself",
            "materiaal/keuzedeel-palliatieve-zorg-k1006": "the mbo keuzedeel that incorporates OWR 2.0",
            "behoefte/gv-owr-over-leerjaren": "the open need is exactly this: dividing OWR 2.0 over the study years",
            "organisatie/okp-noord-holland-flevoland": "the Onderwijsknooppunt of Noord-Holland en Flevoland",
            "organisatie/consortium-noord-holland-flevoland": "the consortium of the region",
            "organisatie/roc-van-amsterdam": "mbo school of the region that took part in the Gooi- en Vechtstreek OWR 2.0 dialogue",
            "project/o2pz-kernproject-a": "kernproject A produced OWR 2.0 and embeds it in mbo",
            "persoon/m-dericks": "programmamanager of O²PZ, the programme behind OWR 2.0",
        },
    ),
    Initiative(
        "stages-gooi",
        "Een bijeenkomst voor praktijkopleiders en docenten over stages in de palliatieve zorg, in de "
        "regio Gooi- en Vechtstreek.",
        {
            "organisatie/okp-noord-holland-flevoland": "the knooppunt that organised the Gooi- en Vechtstreek dialogue",
            "organisatie/consortium-noord-holland-flevoland": "the consortium of the region",
            "behoefte/gv-stagebegeleiders": "open need: inform placement supervisors better",
            "behoefte/gv-opdrachten-sluiten-aan": "open need: assignments that fit practice",
            "behoefte/gv-afstemming-leerproces": "open need: alignment on the learning process",
        },
        title="Stages palliatieve zorg",
    ),
    Initiative(
        "mbo-zuid-holland-noord",
        "Een gezamenlijke lessenreeks palliatieve zorg voor mbo-studenten verzorgende IG en verpleegkunde "
        "in de regio Leiden en Den Haag.",
        {
            "organisatie/roc-mondriaan": "mbo school, member of Onderwijsknooppunt Propallia",
            "organisatie/mborijnland": "mbo school, member of Onderwijsknooppunt Propallia",
            "organisatie/okp-propallia": "the Onderwijsknooppunt of Zuid-Holland Noord",
            "organisatie/propallia": "the consortium of Zuid-Holland Noord",
            "persoon/marcella-tam": "ambassadeur of Onderwijsknooppunt Propallia",
            "persoon/isabelle-booden": "represents ROC Mondriaan in the knooppunt",
            "persoon/marjet-zorge": "represents mboRijnland in the knooppunt",
            "persoon/jopke-kruyt": "kwartiermaker of the knooppunt",
            "materiaal/keuzedeel-palliatieve-zorg-k1006": "the mbo keuzedeel palliatieve zorg",
        },
        form={"region": "zuid-holland-noord", "levels": ["mbo"]},
    ),
    Initiative(
        "vaste-plek-nhf",
        "Ik wil palliatieve zorg een vaste plek geven in het mbo- en hbo-onderwijs.",
        {
            "organisatie/okp-noord-holland-flevoland": "the Onderwijsknooppunt of the region",
            "organisatie/consortium-noord-holland-flevoland": "the consortium of the region",
            "organisatie/amsterdam-umc": "anchor and member of the regional consortium",
            "organisatie/roc-van-amsterdam": "mbo school that took part in the regional OWR 2.0 dialogue",
            "project/o2pz-kernproject-a": "kernproject A: borging of palliative-care education in mbo, hbo and wo",
        },
        title="Palliatieve zorg verankeren in het onderwijs",
        form={"region": "noord-holland-en-flevoland"},
    ),
    Initiative(
        "spirituele-zorg-noord",
        "Spirituele zorg in de reguliere zorg: een nascholing voor verpleegkundigen in Friesland en Groningen.",
        {
            "organisatie/okp-ligare": "the Onderwijsknooppunt of the northern provinces",
            "organisatie/ligare": "the consortium of the north; spiritual care is one of its speerpunten",
            "organisatie/umcg": "anchor of Ligare",
            "project/als-niet-alles-is-wat-het-lijkt": "spiritual-care project in Noordoost-Nederland",
            "project/diamand": "spiritual-care project with trainings",
            "materiaal/diamand-trainingen": "trainings in spiritual care for professionals",
        },
    ),
    Initiative(
        "transmuraal-rotterdam",
        "Transmurale overdracht en samenwerking tussen ziekenhuis en thuiszorg in de regio Rotterdam.",
        {
            "project/transmurale-overdracht-en-samenwerking": "Erasmus MC's regional learning programme on transmural handover",
            "project/pallisupport": "transmural palliative care for older people",
            "organisatie/erasmus-mc": "lead of the transmural project, anchor of the Zuidwest consortium",
            "organisatie/consortium-zuidwest-nederland": "the consortium of the Rotterdam region",
            "organisatie/netwerk-rotterdam": "the care network of Rotterdam",
            "organisatie/okp-zuidwest-nederland": "the Onderwijsknooppunt of the region",
            "persoon/agnes-van-der-heide": "researcher on the transmural project",
        },
        title="Transmurale samenwerking",
    ),
    Initiative(
        "parkinson",
        "Palliatieve zorg bij de ziekte van Parkinson: proactieve zorgplanning voor wijkverpleegkundigen.",
        {
            "project/parkinsonsupport": "ParkinsonSupport",
            "materiaal/richtlijn-parkinson": "the guideline on palliative care in Parkinson's disease",
            "organisatie/parkinsonnet": "involved in ParkinsonSupport",
            "organisatie/parkinson-vereniging": "involved in ParkinsonSupport (patients)",
        },
    ),
    Initiative(
        "nierfalen",
        "Samen beslissen over wel of niet dialyseren bij eindstadium nierfalen: een scholing voor "
        "dialyseverpleegkundigen.",
        {
            "materiaal/richtlijn-nierfalen": "the guideline on palliative care in end-stage kidney failure",
        },
    ),
    Initiative(
        "verstandelijke-beperking",
        "Palliatieve zorg voor mensen met een verstandelijke beperking: scholing voor begeleiders.",
        {
            "materiaal/richtlijn-verstandelijke-beperking": "the guideline on care for people with intellectual disabilities",
            "project/andere-doelgroepen-iknl": "IKNL project on other target groups, including this one",
            "persoon/rob-krol": "projectleider of that IKNL project",
        },
    ),
    Initiative(
        "huisartsen-eerste-lijn",
        "Scholing voor huisartsen en praktijkondersteuners in de eerste lijn over palliatieve zorg thuis, "
        "bijvoorbeeld in PaTz-groepen.",
        {
            "project/patz": "PaTz itself",
            "project/actief-plannen-palliatieve-zorg": "huisarts project on planning palliative care",
            "project/vipthis": "huisarts-data project on the palliative phase",
            "materiaal/nhg-patienten-in-de-palliatieve-fase": "NHG practice guide on patients in the palliative phase",
            "materiaal/training-huisartsen-herkennen-palliatieve-patienten": "training for huisartsen on recognising palliative patients",
            "materiaal/patz-werkvorm-hartfalen": "PaTz working method",
            "organisatie/nhg": "the huisartsen society, partner of PaTz",
            "persoon/stef-groenewoud": "researcher on VIPTHIS",
            "persoon/yvonne-engels": "researcher on Actief plannen",
        },
        title="Palliatieve zorg in de eerste lijn",
    ),
    Initiative(
        "docentprofessionalisering",
        "Professionalisering van docenten palliatieve zorg in mbo en hbo: een docentenpoule en een docentenprofiel.",
        {
            "project/professionalisering-docenten": "KWF's project on professionalising teachers",
            "project/docentenprofiel-palliatieve-zorg": "the teacher profile project",
            "programma/scholing-palliatieve-zorg": "the KWF programme both belong to",
            "organisatie/kwf": "funder of Scholing Palliatieve Zorg",
        },
    ),
    Initiative(
        "nascholing-vvt",
        "Een overzicht van bij- en nascholing palliatieve zorg voor verpleegkundigen in de VVT.",
        {
            "materiaal/catalogus-bij-en-nascholing": "the O²PZ catalogue of continuing education",
            "materiaal/framework-bij-en-nascholing": "the O²PZ framework for continuing education",
            "project/o2pz-kernproject-b": "kernproject B made that framework and catalogue",
            "materiaal/opleiding-palliatieve-verpleegkunde": "a course in palliative nursing",
        },
        title="Bij- en nascholing in beeld",
    ),
    Initiative(
        "geneeskunde-basisarts",
        "Palliatieve zorg in de bachelor en master geneeskunde: welke beroepstaken moet een basisarts beheersen?",
        {
            "project/pasemeco": "PASEMECO: palliative care in the medical curriculum",
            "materiaal/lijst-beroepstaken-basisarts": "the list of palliative-care tasks of the basisarts",
            "materiaal/toolbox-pasemeco": "the PASEMECO toolbox",
            "materiaal/pasemeco-kennisclip": "knowledge clip for medical students",
            "materiaal/besluit-opleidingseisen-arts": "the legal training requirements of the basisarts",
        },
    ),
    Initiative(
        "ouderengeneeskunde-wo-plus",
        "Een module palliatieve zorg in de opleiding tot specialist ouderengeneeskunde.",
        {
            "materiaal/module-palliatieve-zorg-ouderengeneeskunde": "the SOON module itself",
            "organisatie/soon": "provider of the module",
            "organisatie/gerion": "programme committee of the module (Amsterdam UMC's institute)",
            "organisatie/voson": "programme committee of the module (Radboudumc's institute)",
        },
    ),
    Initiative(
        "manp-pa",
        "Een leerlijn palliatieve zorg voor de master Advanced Nursing Practice en de physician assistant.",
        {
            "materiaal/owr-2-0-addendum-vvo-manp-pa": "the OWR 2.0 addendum for VVO, MANP and PA",
            "materiaal/landelijk-opleidingsprofiel-verpleegkundig-specialist": "the national profile of the nurse specialist programme",
            "project/o2pz-owr-manp-mpa-vvo": "the O²PZ project on the OWR for MANP, MPA and VVO",
        },
    ),
    Initiative(
        "specialist-pz-verpleegkundige",
        "Een competentieprofiel voor de gespecialiseerde verpleegkundige palliatieve zorg op niveau 6, "
        "opgebouwd uit de CanMEDS-rollen.",
        {
            "materiaal/competentieprofiel-specialist-palliatieve-zorg": "V&VN's competence profile of the specialist in palliative care",
            "materiaal/profiel-palliatieve-zorg-verpleegkundige": "V&VN's profile of the palliative-care nurse",
            "project/competentiebeschrijving-vvn-pz": "the V&VN project that wrote the profile",
            "organisatie/vvn": "V&VN, the nurses' association",
            "persoon/g-castermans": "projectleider of the V&VN competence project",
        },
    ),
    Initiative(
        "bbl-thuiszorg",
        "BBL-studenten verzorgende IG in leerjaar 2 leren in de thuiszorg palliatieve zorg te bieden; we "
        "zoeken opdrachten en materiaal voor de extramurale zorg.",
        {
            "behoefte/gv-extramurale-zorg": "the open need is exactly this: assignments for extramural care",
            "behoefte/gv-concreet-materiaal": "open need for concrete material, assignments and cases",
            "materiaal/keuzedeel-palliatieve-zorg-k1006": "the mbo keuzedeel palliatieve zorg",
        },
    ),
    Initiative(
        "slecht-nieuws-hbo",
        "Een training slecht-nieuwsgesprekken en gespreksvoering met patiënten en naasten voor studenten "
        "hbo-verpleegkunde.",
        {
            "materiaal/richtlijn-stervensfase-communicatie": "guideline module on communication with patients and naasten",
            "materiaal/i-harp-gesprekswijzer": "conversation guide with teaching material",
            "behoefte/gv-gespreksvaardigheden": "open need: conversation skills with naasten and doctors",
            "behoefte/gv-gespreksvoering-studentenpanel": "open need: students miss conversation training",
        },
        title="Gespreksvoering",
    ),
    Initiative(
        "materiaal-delen",
        "Een plek waar docenten onderwijsmaterialen over palliatieve zorg kunnen vinden en met elkaar delen.",
        {
            "materiaal/onderwijsplatform-palliatieve-zorg": "the Onderwijsplatform Palliatieve Zorg",
            "materiaal/toolbox-palliaweb": "the Palliaweb toolbox of teaching materials",
            "materiaal/toolbox-edupal": "the EDUPAL toolbox for mbo and hbo",
            "behoefte/gv-concreet-materiaal": "open need for concrete material",
            "project/o2pz-kernproject-c": "kernproject C connects projects (knowledge management)",
        },
    ),
    Initiative(
        "patientenparticipatie-zh",
        "Patiënten en naasten als ervaringsdeskundigen betrekken bij het onderwijs palliatieve zorg in Zuid-Holland.",
        {
            "organisatie/patienten-en-naastenraad-propallia": "Propallia's patient and family council, member of the knooppunt",
            "organisatie/okp-propallia": "the Onderwijsknooppunt of Zuid-Holland Noord",
            "organisatie/zorgbelang-zuid-holland": "the patients' organisation in Propallia",
            "persoon/henk-kamphuis": "patient/naasten representative in the knooppunt",
            "persoon/odile-ebbing": "patient/naasten representative in the knooppunt",
        },
        title="Ervaringsdeskundigen in het onderwijs",
    ),
    Initiative(
        "symptomen-utrecht",
        "Symptoommanagement thuis: een leerlijn voor mbo- en hbo-studenten in de regio Utrecht.",
        {
            "project/smeth": "SMEtH: symptom management at home, UMC Utrecht with ROC Midden Nederland and Hogeschool Utrecht",
            "organisatie/roc-midden-nederland": "mbo partner of SMEtH",
            "organisatie/hogeschool-utrecht": "hbo partner of SMEtH",
            "organisatie/umc-utrecht": "lead of SMEtH, anchor of Septet",
            "organisatie/okp-midden-nederland": "the Onderwijsknooppunt of Midden-Nederland",
            "persoon/everlien-de-graaf": "researcher on SMEtH",
            "materiaal/usd": "the Utrecht symptom diary",
        },
    ),
]


RELATED: list[Related] = [
    Related("dedicated", "dedicated", {
        "project/pzp-bij-dementie": "same two themes: dementia and proactieve zorgplanning",
        "project/dementie-zeist": "same two themes: dementia and proactieve zorgplanning",
    }),
    Related("i-harp", "i-harp", {
        "project/actief-plannen-palliatieve-zorg": "heart failure, PZP and markering; Radboudumc in both",
        "project/deactiveren-icd": "heart failure",
        "project/proactive-acp-achterhoek": "heart failure and advance care planning",
    }),
    Related("compassion", "compassion", {
        "project/proactive-acp-achterhoek": "COPD and advance care planning",
        "project/actief-plannen-palliatieve-zorg": "COPD, PZP and markering",
    }),
    Related("dak-en-thuislozen-fase-2", "dak-en-thuislozen-fase-2", {
        "project/dak-en-thuislozen-fase-1": "its first phase (follow-up of)",
    }),
    Related("oog-voor-naasten", "oog-voor-naasten", {
        "project/oog-voor-naasten-2": "its follow-up",
    }),
    Related("pzp-bij-dementie", "pzp-bij-dementie", {
        "project/dementie-zeist": "its predecessor, same themes",
        "project/dedicated": "same themes",
    }),
    Related("kernproject-a", "o2pz-kernproject-a", {
        "project/o2pz-kernproject-b": "sister kernproject of O²PZ",
        "project/o2pz-kernproject-c": "sister kernproject of O²PZ",
        "project/o2pz-kernproject-d": "sister kernproject of O²PZ",
        "project/realisatie-o2pz-eerste-jaar": "the O²PZ realisation it belongs to",
    }),
    Related("epa", "proactieve-palliatieve-zorg-epa", {
        "project/andere-doelgroepen-iknl": "people with a mental illness as a target group",
        "project/dak-en-thuislozen-fase-2": "people with a mental illness among the homeless",
    }),
    Related("diamand", "diamand", {
        "project/in-gesprek-over-leven-en-dood": "migrants and culturally sensitive care",
        "project/diversiteitsmeetlat": "migrants and culturally sensitive care",
    }),
    Related("kind-en-jongere", "nppz-ii-kind-en-jongere", {
        "project/ja-hope4kids": "paediatric palliative care",
    }),
    Related("markeren", "markeren-laatste-levensfase", {
        "project/sigma-set": "markering",
        "project/vipthis": "markering",
        "project/reutelen-in-de-stervensfase": "same lead (Erasmus MC) and the same researcher",
    }),
    Related("transmuraal", "transmurale-overdracht-en-samenwerking", {
        "project/pallisupport": "transmural care",
    }),
    Related("basisscholing", "landelijke-uniforme-basisscholing", {
        "project/professionalisering-docenten": "same KWF programme Scholing Palliatieve Zorg",
        "project/docentenprofiel-palliatieve-zorg": "same KWF programme Scholing Palliatieve Zorg",
    }),
    Related("parkinsonsupport", "parkinsonsupport", {
        "project/zorgprogrammering-palliatieve-zorg": "care coordination",
    }),
]


PEOPLE: list[People] = [
    People("ambassadeur", {"role": "ambassadeur"}, {
        "persoon/marcella-tam": "the one ambassador the sources name",
    }),
    People("theme-kpz", {"theme": "kinderpalliatieve-zorg"}, {
        "persoon/meggi-schuiling-otten": "bestuurder of the Kenniscentrum that leads NPPZ II Kind en Jongere",
    }),
    People("region-zhn", {"region": "zuid-holland-noord"}, {
        "persoon/marcella-tam": "ambassadeur of the knooppunt of the region",
        "persoon/isabelle-booden": "ROC Mondriaan in the knooppunt",
        "persoon/marjet-zorge": "mboRijnland in the knooppunt",
        "persoon/jopke-kruyt": "kwartiermaker of the knooppunt",
        "persoon/patricia-appeldoorn": "regional adviser of the consortium",
    }),
    People("organisation-propallia", {"organisation": "propallia"}, {
        "persoon/marcella-tam": "ambassadeur of its knooppunt, former secretary",
        "persoon/patricia-appeldoorn": "adviser of the consortium",
        "persoon/isabelle-booden": "works at ROC Mondriaan, a member institution",
        "persoon/jopke-kruyt": "netwerkcoördinator of a network of the consortium",
    }),
    People("theme-hartfalen", {"theme": "hartfalen"}, {
        "persoon/daisy-janssen": "projectleider of I-HARP",
        "persoon/rob-krol": "projectleider of the IKNL project that covers heart failure",
        "persoon/yvonne-engels": "researcher on Actief plannen (heart failure)",
    }),
    People("theme-pzp", {"theme": "proactieve-zorgplanning"}, {
        "persoon/daisy-janssen": "projectleider of I-HARP (PZP)",
        "persoon/yvonne-engels": "researcher on Actief plannen (PZP)",
        "persoon/b-van-meijel": "researcher on the EPA project (PZP)",
        "persoon/linette-belo": "adviser PZP in NPPZ II",
    }),
    People("theme-markering", {"theme": "markering-palliatieve-fase"}, {
        "persoon/karin-van-der-rijt": "researcher on Markeren van de laatste levensfase",
        "persoon/stef-groenewoud": "researcher on VIPTHIS",
        "persoon/daisy-janssen": "projectleider of I-HARP (markering)",
    }),
    People("organisation-radboudumc", {"organisation": "radboudumc"}, {
        "persoon/saida-aoulad-baktit": "trainer at Radboudumc",
        "persoon/stef-groenewoud": "researcher at Radboudumc",
        "persoon/yvonne-engels": "researcher at Radboudumc",
    }),
    People("region-limburg", {"region": "limburg-en-zuidoost-brabant"}, {
        "persoon/daisy-janssen": "works at Maastricht UMC+, in the region",
    }),
    People("level-mbo", {"level": "mbo"}, {
        "persoon/isabelle-booden": "represents an mbo school (ROC Mondriaan) in a knooppunt",
        "persoon/marjet-zorge": "represents an mbo school (mboRijnland) in a knooppunt",
        "persoon/marcella-tam": "O²PZ ambassadeur (O²PZ covers mbo)",
    }),
    People("education-ambassadeur", {"theme": "onderwijs-en-deskundigheidsbevordering", "role": "ambassadeur"}, {
        "persoon/marcella-tam": "O²PZ ambassadeur; O²PZ is about education",
    }),
    People("theme-cultuur", {"theme": "cultuursensitieve-zorg"}, {
        "persoon/saida-aoulad-baktit": "trainer of the culturally sensitive communication training",
    }),
    People("okp-leden", {"organisation": "okp-propallia", "role": "lid"}, {
        "persoon/isabelle-booden": "member", "persoon/karin-weisfelt": "member",
        "persoon/marjet-zorge": "member", "persoon/yvette-van-der-linden": "member",
        "persoon/jeanet-van-noord": "member", "persoon/mariska-schoonderwoerd": "member",
        "persoon/henk-kamphuis": "member", "persoon/odile-ebbing": "member",
    }),
    People("project-i-harp", {"project": "i-harp"}, {
        "persoon/daisy-janssen": "projectleider",
    }),
]
