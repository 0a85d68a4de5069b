"""The OWR 2.0 workbook: a template per level, reading a filled one back, and the gaps it shows.

Seed 004 asks schools for "een Excel met daarin het onderwijsraamwerk 2.0 en kolommen met de
varianten opleiding BOL/BBL en de leerjaren 1-4 mbo". ``write_template`` makes that workbook:

- sheet ``OWR 2.0``: one row per competency (``kp:Competency`` with ``skos:broader`` its CanMEDS
  role, at the level), grouped by role; or one row per role while no items are in the graph. Columns
  ``CanMEDS-rol``, ``competentie``, ``code``, ``iri``, then ``BOL leerjaar 1`` ... ``BBL leerjaar 4``,
  each with a dropdown (data validation) ``volledig / gedeeltelijk / start / leeg``;
- sheet ``Curriculum``: the curriculum's slug, name, institution (organisation slug or IRI), level
  and source;
- sheet ``Uitleg``: how to fill it in.

``read_workbook`` turns a filled workbook into triples: a ``kp:Curriculum`` and one ``kp:Coverage``
per filled cell (``leeg`` and empty cells are no coverage). Rows without an ``iri`` but with a role
and a text are new framework items (``kp:Competency``), so the framework itself can be imported from
a workbook of the same shape.
"""

from __future__ import annotations

import io
import re
import unicodedata

from pyoxigraph import Literal, NamedNode, Triple

from ..namespaces import DCT, KP, RDF_TYPE, RDFS_LABEL, SKOS, XSD

SHEET = "OWR 2.0"
CURRICULUM_SHEET = "Curriculum"
VARIANTS = ("BOL", "BBL")
YEARS = (1, 2, 3, 4)
LEVELS = ("volledig", "gedeeltelijk", "start", "leeg")
FIXED = ["CanMEDS-rol", "competentie", "code", "iri"]
CURRICULUM_FIELDS = [
    ("curriculum", "slug van de opleiding, bv. roc-amsterdam-verzorgende-ig"),
    ("naam", "naam van de opleiding"),
    ("instelling", "slug of IRI van de onderwijsinstelling, bv. roc-van-amsterdam"),
    ("niveau", "opleidingsniveau (slug), bv. mbo"),
    ("bron", "optioneel: webpagina (IRI) van de opleiding"),
]

_ROWS = """
SELECT ?level ?role ?roleLabel ?roleCode ?item ?itemLabel ?itemCode WHERE {
  ?role a kp:CanMEDSRole .
  OPTIONAL { ?role skos:notation ?roleCode }
  OPTIONAL { ?role rdfs:label ?roleLabel FILTER(lang(?roleLabel) = "nl") }
  OPTIONAL {
    ?item a kp:Competency ; skos:broader ?role .
    OPTIONAL { ?item rdfs:label ?itemLabel FILTER(lang(?itemLabel) = "nl") }
    OPTIONAL { ?item skos:notation ?itemCode }
    OPTIONAL { ?item kp:educationLevel ?itemLevel . OPTIONAL { ?itemLevel skos:broader ?levelUp } }
    FILTER(!BOUND(?itemLevel) || ?itemLevel = ?level || ?levelUp = ?level)
  }
} ORDER BY ?roleCode ?role ?itemCode ?itemLabel
"""


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "x"


def framework_rows(store, level: str) -> list[dict]:
    """The rows of the template: (role, competency) pairs, or the roles when no items exist."""
    level_iri = NamedNode(store.settings.id_iri("niveau", level))
    rows = store.select(_ROWS, {"level": level_iri})
    items = [r for r in rows if "item" in r]
    out: list[dict] = []
    seen = set()
    for r in items or rows:
        node = r["item"] if items else r["role"]
        if node in seen:
            continue
        seen.add(node)
        label = (r.get("itemLabel") if items else r.get("roleLabel")) or node
        code = (r.get("itemCode") if items else r.get("roleCode"))
        out.append({
            "role": r["role"].value,
            "role_label": r["roleLabel"].value if "roleLabel" in r else r["role"].value,
            "iri": node.value,
            "label": label.value,
            "code": code.value if code is not None else "",
        })
    return out


_LEVELS = "SELECT ?level WHERE { ?level a kp:EducationLevel }"


def education_levels(store) -> list[str]:
    """The slugs of the education levels in the graph (``{base}/id/niveau/{slug}``), sorted."""
    prefix = store.settings.id_iri("niveau", "")
    found = (r["level"].value for r in store.select(_LEVELS))
    return sorted(iri[len(prefix):] for iri in found if iri.startswith(prefix))


# --- writing the template -------------------------------------------------------------------------
def write_template(store, level: str, output) -> int:
    """Write the workbook for ``level`` to a path or binary stream; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = framework_rows(store, level)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header = FIXED + [f"{v} leerjaar {y}" for v in VARIANTS for y in YEARS]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append([row["role_label"], row["label"], row["code"], row["iri"]] + [""] * (len(VARIANTS) * len(YEARS)))
    first, last = len(FIXED) + 1, len(header)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(LEVELS) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="Ongeldige keuze", error="Kies volledig, gedeeltelijk, start of leeg.",
    )
    ws.add_data_validation(validation)
    from openpyxl.utils import get_column_letter

    validation.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{max(len(rows), 1) + 200}")
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["D"].hidden = True
    for col in range(first, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    for row in ws.iter_rows(min_row=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"

    cs = wb.create_sheet(CURRICULUM_SHEET)
    cs.append(["veld", "waarde", "toelichting"])
    for name, note in CURRICULUM_FIELDS:
        cs.append([name, level if name == "niveau" else "", note])
    cs.column_dimensions["A"].width = 14
    cs.column_dimensions["B"].width = 50
    cs.column_dimensions["C"].width = 60

    us = wb.create_sheet("Uitleg")
    for line in (
        "Onderwijsraamwerk palliatieve zorg 2.0 — invullen per opleiding",
        f"Niveau: {level}. Kies per competentie, per leerweg (BOL/BBL) en per leerjaar 1-4 hoe",
        "volledig, gedeeltelijk of als start de competentie in dat leerjaar aan bod komt (of leeg).",
        "Vul op het blad 'Curriculum' de opleiding en de instelling in.",
        "Upload het ingevulde bestand met POST /api/import of 'knooppunt load bestand.xlsx'.",
        "Nieuwe competenties van het raamwerk: een rij met rol en tekst, zonder iri.",
    ):
        us.append([line])
    us.column_dimensions["A"].width = 100
    if hasattr(output, "write"):
        wb.save(output)
    else:
        wb.save(str(output))
    return len(rows)


# --- reading a filled workbook --------------------------------------------------------------------
class SheetError(ValueError):
    pass


def _roles(store) -> dict[str, NamedNode]:
    """Role lookup by IRI, slug, notation and (lower-cased) label or alternative label."""
    rows = store.select(
        "SELECT ?r ?l WHERE { ?r a kp:CanMEDSRole . "
        "{ ?r rdfs:label ?l } UNION { ?r skos:altLabel ?l } UNION { ?r skos:notation ?l } }"
    )
    out: dict[str, NamedNode] = {}
    for r in rows:
        out[r["l"].value.strip().lower()] = r["r"]
        out[r["r"].value.lower()] = r["r"]
        out[r["r"].value.rsplit("/", 1)[-1].lower()] = r["r"]
    return out


def read_workbook(data: bytes, store, *, source: str | None = None) -> list[Triple]:
    """Triples of a filled OWR 2.0 workbook (curriculum + coverage, and any new framework items)."""
    from openpyxl import load_workbook

    from .ingest import OverLimit, ParseError
    from .limits import DocumentRefused, check_xlsx

    try:
        check_xlsx(data)  # sizes, ratios and DOCTYPEs before openpyxl inflates anything
    except DocumentRefused as exc:
        raise OverLimit(str(exc), status=exc.status) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ParseError(f"XLSX: not a readable workbook ({exc.__class__.__name__}: {exc})") from exc
    if SHEET not in wb.sheetnames:
        raise ParseError(f"XLSX: the workbook has no sheet {SHEET!r} (make one with 'knooppunt template owr')")
    try:
        return _read(wb, store, source)
    except SheetError as exc:
        raise ParseError(f"XLSX: {exc}") from exc


def _read(wb, store, source: str | None) -> list[Triple]:
    base = store.settings
    info = {}
    if CURRICULUM_SHEET in wb.sheetnames:
        for row in wb[CURRICULUM_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0]:
                info[str(row[0]).strip().lower()] = str(row[1]).strip() if len(row) > 1 and row[1] is not None else ""
    level = info.get("niveau") or "mbo"
    level_iri = NamedNode(base.id_iri("niveau", _slug(level)))
    rows = list(wb[SHEET].iter_rows(values_only=True))
    if not rows:
        raise SheetError(f"the sheet {SHEET!r} is empty")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    if header[: len(FIXED)] != FIXED:
        raise SheetError(f"the first columns of {SHEET!r} must be {', '.join(FIXED)}")
    columns = {}
    for i, h in enumerate(header):
        m = re.match(r"^(BOL|BBL) leerjaar ([1-4])$", h, re.IGNORECASE)
        if m:
            columns[i] = (m.group(1).lower(), int(m.group(2)))
    roles = _roles(store)
    triples: list[Triple] = []
    cells: list[tuple[NamedNode, str, int, str, int]] = []
    for n, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * (len(header) - len(row))
        role_text, text, code, iri = (str(v).strip() if v is not None else "" for v in row[:4])
        if not (role_text or text or iri):
            continue
        if iri:
            competency = NamedNode(iri)
        else:
            role = roles.get(role_text.lower())
            if role is None:
                raise SheetError(f"row {n}: unknown CanMEDS role {role_text!r}")
            if not text:
                raise SheetError(f"row {n}: a new competency needs its text")
            competency = NamedNode(base.id_iri("competentie", _slug(code or text)))
            triples += _competency(competency, role, text, code, level_iri, base)
        for i, (variant, year) in columns.items():
            value = str(row[i]).strip().lower() if row[i] is not None else ""
            if value in ("", "leeg"):
                continue
            if value not in LEVELS:
                raise SheetError(f"row {n}, column {header[i]!r}: {value!r} is not one of {', '.join(LEVELS)}")
            cells.append((competency, variant, year, value, n))
    if cells:
        triples += _curriculum(info, cells, level_iri, base, source)
    if not triples:
        raise SheetError("nothing to import: no coverage filled in and no new competencies")
    return triples


def _competency(node, role, text, code, level_iri, base) -> list[Triple]:
    scheme = NamedNode(base.id_iri("schema", "owr2"))
    out = [
        Triple(node, RDF_TYPE, NamedNode(KP + "Competency")),
        Triple(node, RDF_TYPE, NamedNode(SKOS + "Concept")),
        Triple(node, RDFS_LABEL, Literal(text, language="nl")),
        Triple(node, NamedNode(SKOS + "prefLabel"), Literal(text, language="nl")),
        Triple(node, NamedNode(SKOS + "inScheme"), scheme),
        Triple(node, NamedNode(SKOS + "broader"), role),
        Triple(node, NamedNode(KP + "educationLevel"), level_iri),
    ]
    if code:
        out.append(Triple(node, NamedNode(SKOS + "notation"), Literal(code)))
    return out


def _curriculum(info, cells, level_iri, base, source) -> list[Triple]:
    slug = _slug(info.get("curriculum", ""))
    if not info.get("curriculum"):
        raise SheetError(f"sheet {CURRICULUM_SHEET!r}: fill in 'curriculum' (a slug) to import coverage")
    node = NamedNode(base.id_iri("curriculum", slug))
    name = info.get("naam") or info["curriculum"]
    out = [
        Triple(node, RDF_TYPE, NamedNode(KP + "Curriculum")),
        Triple(node, RDFS_LABEL, Literal(name, language="nl")),
        Triple(node, NamedNode(KP + "educationLevel"), level_iri),
    ]
    institution = info.get("instelling", "")
    if institution:
        inst = NamedNode(institution) if institution.startswith("http") else NamedNode(base.id_iri("organisatie", _slug(institution)))
        out.append(Triple(node, NamedNode(KP + "offeredBy"), inst))
    if info.get("bron", "").startswith("http"):
        out.append(Triple(node, NamedNode(DCT + "source"), NamedNode(info["bron"])))
    variants = sorted({v for _, v, _, _, _ in cells})
    out += [Triple(node, NamedNode(KP + "variant"), NamedNode(base.id_iri("variant", v))) for v in variants]
    for competency, variant, year, level, _ in cells:
        cov = NamedNode(base.id_iri("dekking", f"{slug}-{competency.value.rsplit('/', 1)[-1]}-{variant}-{year}"))
        out += [
            Triple(cov, RDF_TYPE, NamedNode(KP + "Coverage")),
            Triple(cov, RDFS_LABEL, Literal(f"{name}: {variant.upper()} leerjaar {year} ({level})", language="nl")),
            Triple(cov, NamedNode(KP + "curriculum"), node),
            Triple(cov, NamedNode(KP + "competency"), competency),
            Triple(cov, NamedNode(KP + "variant"), NamedNode(base.id_iri("variant", variant))),
            Triple(cov, NamedNode(KP + "studyYear"), Literal(str(year), datatype=NamedNode(XSD + "integer"))),
            Triple(cov, NamedNode(KP + "coverageLevel"), NamedNode(base.id_iri("dekkingsgraad", level))),
        ]
    return out


# --- gaps -----------------------------------------------------------------------------------------
_COVERED = "SELECT DISTINCT ?curriculum ?c WHERE { ?cov kp:curriculum ?curriculum ; kp:competency ?c ; kp:coverageLevel ?l }"
_LEVEL = "SELECT ?curriculum ?level WHERE { ?curriculum kp:educationLevel ?level } LIMIT 1"
_HELP = """
SELECT ?c ?curriculum ?what ?x ?label WHERE {  # bound variables must be projected
  {
    ?x kp:addressesCompetency ?c ; a ?cls . ?cls rdfs:subClassOf* kp:Material .
    BIND("material" AS ?what)
  } UNION {
    ?p kp:addressesCompetency ?c ; ?rel ?x . ?rel rdfs:subPropertyOf* kp:involvedOrganisation .
    ?x a kp:CareOrganisation . BIND("partner" AS ?what)
  } UNION {
    ?m kp:addressesCompetency ?c ; kp:provider ?x . ?x a kp:CareOrganisation . BIND("partner" AS ?what)
  } UNION {
    ?cov kp:competency ?c ; kp:curriculum ?x ; kp:coverageLevel ?l . FILTER(?x != ?curriculum)
    BIND("curriculum" AS ?what)
  }
  OPTIONAL { ?x rdfs:label ?label FILTER(lang(?label) = "nl") }
}
"""


def curriculum_gaps(store, curriculum_iri: str) -> list[dict]:
    """Competencies the curriculum covers in no year (any variant), each with the materials, the
    practice partners (care organisations in projects or materials on it) and other curricula that
    do cover it. The competencies are the template's rows for the curriculum's level."""
    curriculum = NamedNode(curriculum_iri)
    level_rows = store.select(_LEVEL, {"curriculum": curriculum})
    level = level_rows[0]["level"].value.rsplit("/", 1)[-1] if level_rows else "mbo"
    covered = {r["c"] for r in store.select(_COVERED, {"curriculum": curriculum})}
    gaps = []
    for row in framework_rows(store, level):
        competency = NamedNode(row["iri"])
        if competency in covered:
            continue
        found: dict[str, dict[str, dict]] = {"material": {}, "partner": {}, "curriculum": {}}
        for r in store.select(_HELP, {"c": competency, "curriculum": curriculum}):
            found[r["what"].value].setdefault(r["x"].value, {"iri": r["x"].value, "label": r["label"].value if "label" in r else None})
        gaps.append({
            "competency": {"iri": row["iri"], "label": row["label"], "code": row["code"]},
            "role": {"iri": row["role"], "label": row["role_label"]},
            "materials": list(found["material"].values()),
            "partners": list(found["partner"].values()),
            "curricula": list(found["curriculum"].values()),
        })
    return gaps
