"""The fields of the web forms (and of ``/api/proposals``): which kinds can be proposed, what each
field means in the graph, how a submitted value is checked, and the triples a form states.

A form states *fields*, not a graph: ``check`` turns raw submitted values into clean ones or a
precise error per field; ``triples`` writes a new resource from clean values; ``current`` reads an
existing resource's values back into the same fields (the edit form, ``edits``).

Checks, for anything anyone can send:

- lengths are bounded per field; multi-valued fields take at most ``MAX_VALUES`` values;
- no markup in text: a literal with ``<tag``, an HTML entity or a ``javascript:`` is refused, not
  stripped (stripping changes what the sender said without telling them);
- links are absolute ``http(s)`` IRIs with a host, nothing else;
- no contact details: an e-mail address in any text is refused, and so is a phone number in a
  person's fields (the person form only asks for public-role facts and a source);
- a choice (theme, organisation, role, ...) must name an existing resource of the expected class.

Slugs are made from labels (``slug``), never typed: the same folding as the search index
(``vocab.fold``), so "Proactieve zorgplanning in het mbo" becomes ``proactieve-zorgplanning-in-het-mbo``,
with ``-2``, ``-3`` ... when the IRI is taken (``free_iri``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, Triple

from .. import vocab
from ..namespaces import DCT, FOAF, KP, ORG, RDF, RDFS, SCHEMA, XSD

MAX_VALUES = 50
MAX_URLS = 10
MAX_URL = 2000
SLUG_MAX = 60


@dataclass(frozen=True)
class Field:
    """One form field: its name (also the JSON key), its label, how it is entered and what it means."""

    name: str
    label: tuple[str, str]
    widget: str
    """``text``, ``textarea``, ``urls`` (one http(s) address per line), ``one``/``many`` (choices of
    ``classes``), ``year``, ``class`` (a subclass of the kind's class)."""
    predicate: str | None = None
    lang: str | None = None
    """Language of a literal field (``nl``, ``en``; ``""`` for a plain literal)."""
    classes: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 300
    hint: tuple[str, str] | None = None
    create_only: bool = False
    """Only when proposing (a person's role and organisation become a membership)."""

    def text(self, lang: str) -> str:
        return self.label[1] if lang == "en" else self.label[0]

    def hint_text(self, lang: str) -> str:
        return "" if self.hint is None else (self.hint[1] if lang == "en" else self.hint[0])


@dataclass(frozen=True)
class Kind:
    """What can be proposed: its name in URLs, the ``{kind}`` of its IRIs, its class and fields."""

    name: str
    iri_kind: str
    cls: str
    label: tuple[str, str]
    fields: tuple[Field, ...]
    intro: tuple[str, str]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def text(self, lang: str) -> str:
        return self.label[1] if lang == "en" else self.label[0]


# --- the fields -----------------------------------------------------------------------------------
LABEL = RDFS + "label"
ORGANISATION, PROJECT, PROGRAMME = KP + "Organisation", KP + "Project", KP + "Programme"

def _label(what: tuple[str, str], hint: tuple[str, str] | None = None) -> Field:
    return Field("label", what, "text", LABEL, "nl", required=True, max_length=300, hint=hint)


LABEL_EN = Field("label_en", ("Engelse naam (als die bestaat)", "English name (if there is one)"), "text", LABEL, "en")
DESCRIPTION = Field("description", ("Korte beschrijving", "Short description"), "textarea", DCT + "description", "nl",
                    max_length=5000)
THEMES = Field("themes", ("Thema's", "Themes"), "many", KP + "addressesTheme", classes=(KP + "Theme",))
COMPETENCIES = Field("competencies", ("Competenties (OWR 2.0)", "Competencies (OWR 2.0)"), "many",
                     KP + "addressesCompetency", classes=(KP + "Competency", KP + "CanMEDSRole"))
LEVELS = Field("levels", ("Opleidingsniveaus", "Education levels"), "many", KP + "educationLevel",
               classes=(KP + "EducationLevel",))
REGION = Field("region", ("Regio", "Region"), "one", KP + "region", classes=(KP + "Region",))
URLS = Field("url", ("Website", "Website"), "urls", SCHEMA + "url", max_length=MAX_URL,
             hint=("Een adres per regel, beginnend met https:// of http://.",
                   "One address per line, starting with https:// or http://."))
SOURCES = Field("source", ("Bron (webadres)", "Source (web address)"), "urls", DCT + "source", max_length=MAX_URL,
                hint=("Waar staat dit openbaar? Een adres per regel, beginnend met https:// of http://.",
                      "Where is this public? One address per line, starting with https:// or http://."))

KINDS: dict[str, Kind] = {
    "initiatief": Kind(
        "initiatief", "project", PROJECT, ("Initiatief", "Initiative"),
        (
            _label(("Titel van het initiatief", "Title of the initiative")), DESCRIPTION, THEMES, COMPETENCIES,
            LEVELS, REGION,
            Field("organisation", ("Betrokken organisatie", "Organisation involved"), "one",
                  KP + "involvedOrganisation", classes=(ORGANISATION,)),
            URLS, SOURCES,
        ),
        ("Een nieuw initiatief (een plan of project in opbouw) om in Knooppunt op te nemen.",
         "A new initiative (a plan or a project being set up) to add to Knooppunt."),
    ),
    "project": Kind(
        "project", "project", PROJECT, ("Project", "Project"),
        (
            _label(("Naam van het project", "Name of the project")), LABEL_EN, DESCRIPTION, THEMES, COMPETENCIES,
            LEVELS,
            Field("programme", ("Programma", "Programme"), "one", KP + "programme", classes=(PROGRAMME,)),
            Field("lead", ("Penvoerder (leidende organisatie)", "Lead organisation"), "one", KP + "leadOrganisation",
                  classes=(ORGANISATION,)),
            Field("partners", ("Partners", "Partners"), "many", KP + "partnerOrganisation", classes=(ORGANISATION,)),
            REGION,
            Field("start", ("Beginjaar", "Start year"), "year", KP + "startDate"),
            Field("end", ("Eindjaar", "End year"), "year", KP + "endDate"),
            URLS, SOURCES,
        ),
        ("Een project over onderwijs in de palliatieve zorg.", "A project on palliative-care education."),
    ),
    "materiaal": Kind(
        "materiaal", "materiaal", KP + "Material", ("Materiaal", "Material"),
        (
            _label(("Naam van het materiaal", "Name of the material")), LABEL_EN,
            Field("klasse", ("Soort materiaal", "Kind of material"), "class", RDF + "type", classes=(KP + "Material",)),
            DESCRIPTION, THEMES, COMPETENCIES, LEVELS,
            Field("provider", ("Aanbieder of uitgever", "Provider or publisher"), "one", KP + "provider",
                  classes=(ORGANISATION,)),
            Field("project", ("Gemaakt in project", "Produced by project"), "one", KP + "producedBy",
                  classes=(PROJECT, PROGRAMME)),
            URLS, SOURCES,
        ),
        ("Lesmateriaal, een scholing, e-learning, film, meetinstrument of richtlijn.",
         "Teaching material, a course, e-learning, film, measurement instrument or guideline."),
    ),
    "organisatie": Kind(
        "organisatie", "organisatie", ORGANISATION, ("Organisatie", "Organisation"),
        (
            _label(("Naam van de organisatie", "Name of the organisation")), LABEL_EN,
            Field("klasse", ("Soort organisatie", "Kind of organisation"), "class", RDF + "type",
                  classes=(ORGANISATION,)),
            DESCRIPTION, REGION,
            Field("member_of", ("Lid van (onderwijsknooppunt, consortium of netwerk)",
                                "Member of (education hub, consortium or network)"), "many", KP + "memberOf",
                  classes=(ORGANISATION,)),
            LEVELS, URLS, SOURCES,
        ),
        ("Een school, zorgorganisatie, netwerk of kennisorganisatie.",
         "A school, care organisation, network or knowledge organisation."),
    ),
    "persoon": Kind(
        "persoon", "persoon", KP + "Person", ("Persoon in een openbare rol", "Person in a public role"),
        (
            _label(("Naam", "Name"), ("Zoals de bron de persoon noemt. Geen e-mailadres of telefoonnummer.",
                                      "As the source names the person. No e-mail address or phone number.")),
            Field("role", ("Rol", "Role"), "one", ORG + "role", classes=(KP + "PersonRole",), required=True,
                  create_only=True),
            Field("organisation", ("Organisatie waarvoor de persoon deze rol heeft",
                                   "Organisation in which the person holds this role"), "one",
                  ORG + "organization", classes=(ORGANISATION,), create_only=True),
            Field("project", ("Of: project of programma", "Or: project or programme"), "one", KP + "project",
                  classes=(PROJECT, PROGRAMME), create_only=True),
            Field("expertise", ("Expertise (thema's)", "Expertise (themes)"), "many", KP + "expertise",
                  classes=(KP + "Theme",)),
            Field("source", ("Openbare bron die deze rol noemt", "Public source that names this role"), "urls",
                  DCT + "source", required=True, max_length=MAX_URL,
                  hint=("Verplicht: een openbare webpagina die de persoon in deze rol noemt.",
                        "Required: a public web page that names the person in this role.")),
        ),
        ("Alleen openbare feiten: naam, rol en organisatie, met een openbare bron. Nooit contactgegevens.",
         "Public facts only: name, role and organisation, with a public source. Never contact details."),
    ),
}
KIND_OF_IRI = {"project": "project", "programma": "project", "materiaal": "materiaal",
               "organisatie": "organisatie", "persoon": "persoon"}
"""The form that edits a resource, by the ``{kind}`` of its IRI."""


# --- checking -------------------------------------------------------------------------------------
class FormErrors(ValueError):
    """Submitted values that cannot be used: ``errors`` maps each field to a message (nl, en)."""

    def __init__(self, errors: dict[str, tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {v[1]}" for k, v in errors.items()))
        self.errors = errors

    def as_list(self) -> list[dict[str, str]]:
        return [{"field": k, "nl": v[0], "en": v[1]} for k, v in self.errors.items()]


_MARKUP = re.compile(r"<\s*[A-Za-z!/?]|&#?[A-Za-z0-9]+;|javascript\s*:|vbscript\s*:|data\s*:\s*text/html", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(\+|\b00)?\d[\d \-().]{7,}\d")
_YEAR = re.compile(r"^(19|20)\d\d$")
_BAD_IRI = re.compile(r'[\s<>"{}|\\^`]')


def check_text(value: str, field: Field, *, person: bool = False) -> tuple[str, tuple[str, str] | None]:
    """A text field's value, trimmed, or an error: too long, markup, control characters, contact details."""
    value = value.replace("\r\n", "\n").strip()
    if field.widget != "textarea":
        value = " ".join(value.split())
    if len(value) > field.max_length:
        return value, (f"Te lang: ten hoogste {field.max_length} tekens.", f"Too long: at most {field.max_length} characters.")
    if _CONTROL.search(value):
        return value, ("Bevat onzichtbare stuurtekens.", "Contains invisible control characters.")
    if _MARKUP.search(value):
        return value, ("Geen HTML of script: schrijf gewone tekst (zonder <…>, &…; of javascript:).",
                       "No HTML or script: write plain text (no <…>, &…; or javascript:).")
    if _EMAIL.search(value):
        return value, ("Geen e-mailadressen: contactgegevens worden niet gepubliceerd.",
                       "No e-mail addresses: contact details are not published.")
    if person and _PHONE.search(value):
        return value, ("Geen telefoonnummers: contactgegevens van personen worden niet gepubliceerd.",
                       "No phone numbers: contact details of people are not published.")
    return value, None


def check_url(value: str) -> str | None:
    """``value`` if it is an absolute http(s) address with a host that can be an IRI, else ``None``."""
    value = value.strip()
    if not value or len(value) > MAX_URL or _BAD_IRI.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        NamedNode(value)
    except ValueError:
        return None
    return value


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Iterable):
        return [v for v in raw if isinstance(v, str)]
    return []


def check(store, kind: Kind, raw: Mapping[str, Any], *, editing: bool = False) -> dict[str, Any]:
    """Clean values for ``kind`` from raw submitted ones, or ``FormErrors`` naming each bad field.

    ``raw`` maps field names to a string or a list of strings (a form or JSON). Unknown names are
    an error (a typo must not drop data silently). ``editing``: the edit form (no create-only fields).
    """
    errors: dict[str, tuple[str, str]] = {}
    fields = [f for f in kind.fields if not (editing and f.create_only)]
    known = {f.name for f in fields}
    for name in raw:
        if name not in known:
            errors[str(name)[:50]] = ("Onbekend veld.", "Unknown field.")
    clean: dict[str, Any] = {}
    person = kind.name == "persoon"
    for f in fields:
        values = [v for v in _values(raw.get(f.name)) if v.strip()]
        if f.widget in ("text", "textarea", "year", "class", "one") and len(values) > 1:
            errors[f.name] = ("Eén waarde, niet meer.", "One value, not more.")
            continue
        if f.widget in ("text", "textarea"):
            value, error = check_text(values[0] if values else "", f, person=person)
            if error:
                errors[f.name] = error
            elif value:
                clean[f.name] = value
        elif f.widget == "urls":
            lines = [line for v in values for line in v.splitlines() if line.strip()]
            if len(lines) > MAX_URLS:
                errors[f.name] = (f"Ten hoogste {MAX_URLS} adressen.", f"At most {MAX_URLS} addresses.")
                continue
            good = [check_url(line) for line in lines]
            if any(g is None for g in good):
                errors[f.name] = ("Alleen webadressen die met https:// of http:// beginnen.",
                                  "Only web addresses starting with https:// or http://.")
            elif good:
                clean[f.name] = list(dict.fromkeys(g for g in good if g))
        elif f.widget == "year":
            if values and not _YEAR.match(values[0].strip()):
                errors[f.name] = ("Een jaartal, bijvoorbeeld 2024.", "A year, for example 2024.")
            elif values:
                clean[f.name] = values[0].strip()
        elif f.widget in ("one", "many", "class"):
            if len(values) > MAX_VALUES:
                errors[f.name] = (f"Ten hoogste {MAX_VALUES} keuzes.", f"At most {MAX_VALUES} choices.")
                continue
            wrong = [v for v in values if not _is_choice(store, f, v.strip())]
            if wrong:
                errors[f.name] = ("Kies uit de lijst.", "Choose from the list.")
            elif values:
                chosen = list(dict.fromkeys(v.strip() for v in values))
                clean[f.name] = chosen if f.widget == "many" else chosen[0]
        if f.required and f.name not in clean and f.name not in errors:
            errors[f.name] = ("Verplicht.", "Required.")
    if person and not editing and "organisation" not in errors and "project" not in errors:
        if not clean.get("organisation") and not clean.get("project"):
            errors["organisation"] = ("Kies een organisatie of een project.", "Choose an organisation or a project.")
    if errors:
        raise FormErrors(errors)
    return clean


_INSTANCE = "ASK { ?x a/rdfs:subClassOf* ?c }"
_SUBCLASS = "ASK { ?x rdfs:subClassOf* ?c }"


def _is_choice(store, f: Field, value: str) -> bool:
    if not value.startswith(("http://", "https://")) or _BAD_IRI.search(value) or len(value) > MAX_URL:
        return False
    try:
        x = NamedNode(value)
    except ValueError:
        return False
    query = _SUBCLASS if f.widget == "class" else _INSTANCE
    return any(store.ask(query, {"x": x, "c": NamedNode(c)}) for c in f.classes)


# --- slugs ----------------------------------------------------------------------------------------
def slug(label: str) -> str:
    """A readable slug from a label: folded like the search index (lower case, no accents), words
    joined by ``-``, at most ``SLUG_MAX`` characters at a word boundary."""
    words = re.sub(r"[^a-z0-9 ]", "", vocab.fold(label).replace("_", " ")).split()
    out = ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > SLUG_MAX:
            break
        out = f"{out}-{w}" if out else w
    return out or (words[0][:SLUG_MAX] if words else "naamloos")


def _used(store, iri: NamedNode) -> bool:
    return (next(iter(store.quads(iri, None, None, None)), None) is not None
            or next(iter(store.quads(None, None, iri, None)), None) is not None)


def free_iri(store, kind: Kind, label: str, taken: Iterable[str] = ()) -> NamedNode:
    """``{base}/id/{kind}/{slug}`` for ``label``, with ``-2``, ``-3`` ... if the IRI is in use."""
    taken = set(taken)
    stem = slug(label)
    for n in range(1, 1000):
        iri = NamedNode(store.settings.id_iri(kind.iri_kind, stem if n == 1 else f"{stem}-{n}"))
        if iri.value not in taken and not _used(store, iri):
            return iri
    raise RuntimeError(f"no free slug for {stem!r}")


# --- triples --------------------------------------------------------------------------------------
def _field_triples(s: NamedNode, f: Field, value: Any) -> list[Triple]:
    if f.predicate is None or f.create_only:
        return []
    p = NamedNode(f.predicate)
    if f.widget in ("text", "textarea"):
        return [Triple(s, p, Literal(value, language=f.lang) if f.lang else Literal(value))]
    if f.widget == "year":
        return [Triple(s, p, Literal(value, datatype=NamedNode(XSD + "gYear")))]
    return [Triple(s, p, NamedNode(v)) for v in _values(value)]


def triples(store, kind: Kind, clean: Mapping[str, Any], iri: NamedNode, *,
            source_fallback: NamedNode | None = None) -> list[Triple]:
    """The triples of a new resource ``iri`` of ``kind`` from clean values (see ``check``).

    Without a source in the values, ``source_fallback`` is the ``dct:source`` (an approved
    proposal's provenance record: the proposal itself is the source). A person gets ``foaf:name``
    and one ``kp:Membership`` for the role (its IRI from the slugs of person, role and
    organisation or project)."""
    out = [Triple(iri, NamedNode(RDF + "type"), NamedNode(clean.get("klasse") or kind.cls))]
    for f in kind.fields:
        if f.name in clean and f.widget != "class":
            out += _field_triples(iri, f, clean[f.name])
    if not clean.get("source") and source_fallback is not None:
        out.append(Triple(iri, NamedNode(DCT + "source"), source_fallback))
    if kind.name == "persoon":
        out.append(Triple(iri, NamedNode(FOAF + "name"), Literal(clean["label"])))
        out += _membership(store, iri, clean)
    return out


def _membership(store, person: NamedNode, clean: Mapping[str, Any]) -> list[Triple]:
    role = NamedNode(clean["role"])
    target = NamedNode(clean.get("organisation") or clean["project"])
    via = ORG + "organization" if clean.get("organisation") else KP + "project"
    tail = lambda n: n.value.rstrip("/").rsplit("/", 1)[-1]  # noqa: E731
    m = NamedNode(store.settings.id_iri("lidmaatschap", f"{tail(person)}-{tail(role)}-{tail(target)}"))
    role_label = label_of(store, role, "nl") or tail(role)
    target_label = label_of(store, target, "nl") or tail(target)
    out = [
        Triple(m, NamedNode(RDF + "type"), NamedNode(KP + "Membership")),
        Triple(m, NamedNode(RDFS + "label"), Literal(f"{clean['label']}, {role_label.lower()} bij {target_label}", language="nl")),
        Triple(m, NamedNode(ORG + "member"), person),
        Triple(m, NamedNode(ORG + "role"), role),
        Triple(m, NamedNode(via), target),
    ]
    out += [Triple(m, NamedNode(DCT + "source"), NamedNode(u)) for u in clean.get("source", [])]
    return out


def label_of(store, iri: NamedNode, lang: str = "nl") -> str:
    labels = {}
    for q in vocab.public_quads(store, subject=iri):
        if q.predicate.value in vocab.LABEL_PREDICATES and isinstance(q.object, Literal):
            labels.setdefault(q.object.language or "", q.object.value)
    return vocab.pick_label(labels, "", lang)


# --- reading back (the edit form) -------------------------------------------------------------------
def kind_for(store, iri: str) -> Kind | None:
    """The form that edits ``iri``, from the ``{kind}`` of its IRI, if it is one of ours and public."""
    name = KIND_OF_IRI.get(vocab.Entities(store.settings.base).kind(iri))
    if name is None or not store.ask("ASK { ?s a ?t }", {"s": NamedNode(iri)}):
        return None
    return KINDS[name]


def current(store, kind: Kind, iri: NamedNode) -> dict[str, Any]:
    """The values the edit form shows for ``iri``: every editable field, read from the public graphs."""
    quads = list(vocab.public_quads(store, subject=iri))
    values: dict[str, Any] = {}
    for f in kind.fields:
        if f.create_only or f.predicate is None:
            continue
        found = [q.object for q in quads if q.predicate.value == f.predicate and slot_matches(f, q.object)]
        if f.widget == "class":
            found = [o for o in found if isinstance(o, NamedNode) and o.value != kind.cls and o.value.startswith(KP)]
        texts = list(dict.fromkeys(o.value for o in found))
        if not texts:
            continue
        values[f.name] = texts if f.widget in ("many", "urls") else texts[0]
    return values


def slot_matches(f: Field, term) -> bool:
    """Does ``term`` belong to field ``f`` (the right kind of term, the right language)?"""
    if f.widget in ("text", "textarea"):
        return isinstance(term, Literal) and (term.language or "") == (f.lang or "")
    if f.widget == "year":
        return isinstance(term, Literal) and term.language is None
    return isinstance(term, NamedNode)


def terms(f: Field, value: Any) -> list:
    """The RDF terms a clean value of ``f`` stands for."""
    return [t.object for t in _field_triples(NamedNode("urn:x:s"), f, value)] if value not in (None, "", []) else []
