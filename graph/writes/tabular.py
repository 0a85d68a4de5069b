"""CSV rows to triples: projects, organisations, people and materials (mapping in docs/writes.md).

One row is one resource. Columns (header names are case-insensitive; unknown columns are an error,
so a typo does not silently drop data):

==================  ==========================================================================
``type``            ``project``, ``organisatie``, ``persoon`` or ``materiaal`` (required)
``klasse``          optional subclass, e.g. ``EducationInstitution``, ``Course``, ``ELearning``
``id``              the slug: the IRI is ``{base}/id/{kind}/{id}`` (required)
``label``           ``rdfs:label`` in Dutch (required; for people also ``foaf:name``)
``label_en``        ``rdfs:label`` in English
``beschrijving``    ``dct:description`` in Dutch;  ``description_en`` in English
``bron``            ``dct:source`` (IRI);  ``url``: ``schema:url``
``themas``          ``kp:addressesTheme`` (``thema`` slugs);  ``competenties``: ``kp:addressesCompetency``
``niveaus``         ``kp:educationLevel`` (``niveau`` slugs)
``programma``       project: ``kp:programme``;  ``penvoerder``: ``kp:leadOrganisation``
``partners``        project: ``kp:partnerOrganisation``;  ``financier``: ``kp:funder``
``start``/``eind``  project: ``kp:startDate``/``kp:endDate`` (``2021`` as xsd:gYear, or a date)
``regio``           organisation: ``kp:region``;  ``lid_van``: ``kp:memberOf``;  ``zorgsetting``
``aanbieder``       material: ``kp:provider``;  ``project``: ``kp:producedBy``
``organisatie``     person: with ``rol``, a ``kp:Membership`` (org:member/org:role/org:organization)
``expertise``       person: ``kp:expertise`` (``thema`` slugs)
``email``           person: ``schema:email`` -> the ``private`` graph, never public
``telefoon``        person: ``schema:telephone`` -> the ``private`` graph
==================  ==========================================================================

Several values in one cell are separated by ``;``. A value that is an absolute IRI is used as is;
otherwise it is a slug of the column's kind.
"""

from __future__ import annotations

import csv
import io
import re

from pyoxigraph import Literal, NamedNode, Triple

from ..namespaces import DCT, FOAF, KP, ORG, RDF_TYPE, RDFS_LABEL, SCHEMA, XSD

TYPES = {
    "project": ("project", "Project"),
    "organisatie": ("organisatie", "Organisation"),
    "persoon": ("persoon", "Person"),
    "materiaal": ("materiaal", "Material"),
}
LINKS: dict[str, tuple[str, str]] = {
    # column: (property IRI, kind of the slug)
    "themas": (KP + "addressesTheme", "thema"),
    "competenties": (KP + "addressesCompetency", "competentie"),
    "niveaus": (KP + "educationLevel", "niveau"),
    "programma": (KP + "programme", "programma"),
    "penvoerder": (KP + "leadOrganisation", "organisatie"),
    "partners": (KP + "partnerOrganisation", "organisatie"),
    "financier": (KP + "funder", "organisatie"),
    "regio": (KP + "region", "regio"),
    "lid_van": (KP + "memberOf", "organisatie"),
    "zorgsetting": (KP + "careSetting", "zorgsetting"),
    "aanbieder": (KP + "provider", "organisatie"),
    "project": (KP + "producedBy", "project"),
    "expertise": (KP + "expertise", "thema"),
    "bron": (DCT + "source", ""),
    "url": (SCHEMA + "url", ""),
}
TEXTS = {
    "label": (RDFS_LABEL.value, "nl"),
    "label_en": (RDFS_LABEL.value, "en"),
    "beschrijving": (DCT + "description", "nl"),
    "description_en": (DCT + "description", "en"),
}
PLAIN = {"email": SCHEMA + "email", "telefoon": SCHEMA + "telephone"}
DATES = {"start": KP + "startDate", "eind": KP + "endDate"}
OTHER = {"type", "klasse", "id", "organisatie", "rol"}
COLUMNS = set(LINKS) | set(TEXTS) | set(PLAIN) | set(DATES) | OTHER
_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


class CsvError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _ref(value: str, kind: str, base: str, line: int) -> NamedNode:
    """An http(s) IRI as it is, or the slug of a ``kind`` (``bron``/``url`` take IRIs only): a
    ``javascript:`` or ``data:`` value never becomes a link on a page."""
    if re.match(r"^https?://", value):
        try:
            return NamedNode(value)
        except ValueError as exc:
            raise CsvError(f"{value!r} is not a valid IRI ({exc})", line) from None
    if not kind:
        raise CsvError(f"{value!r} is not an http(s) IRI", line)
    if not _SLUG.match(value):
        raise CsvError(f"{value!r} is not a slug (lower case, digits, '-') or an http(s) IRI", line)
    return NamedNode(f"{base}/id/{kind}/{value}")


def _date(value: str, line: int) -> Literal:
    if re.match(r"^\d{4}$", value):
        return Literal(value, datatype=NamedNode(XSD + "gYear"))
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return Literal(value, datatype=NamedNode(XSD + "date"))
    raise CsvError(f"{value!r} is not a year (2021) or a date (2021-09-01)", line)


def read_csv(data: bytes, base: str, *, source: str | None = None) -> list[Triple]:
    """Triples of a CSV file; ``CsvError`` names the line of the first problem."""
    from .ingest import ParseError

    try:
        return _read(data, base.rstrip("/"))
    except CsvError as exc:
        raise ParseError(f"CSV: {exc}", exc.line, None) from exc


def _read(data: bytes, base: str) -> list[Triple]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError("the file is not UTF-8") from exc
    try:
        return _rows(text, base)
    except csv.Error as exc:  # a field over csv.field_size_limit(), a NUL byte, a broken quote
        raise CsvError(f"the file cannot be read as CSV: {exc}") from None


def _dialect(first_line: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter of the header line (``,``, ``;`` or tab); a header of one column has none to
    find, and is read with commas (it then fails on the missing required columns)."""
    try:
        return csv.Sniffer().sniff(first_line[:4096], delimiters=",;\t")  # a header, not a file
    except csv.Error:
        return csv.excel


def _rows(text: str, base: str) -> list[Triple]:
    dialect = _dialect(text.split("\n", 1)[0]) if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise CsvError(f"unknown column(s): {', '.join(unknown)}; known: {', '.join(sorted(COLUMNS))}", 1)
    for required in ("type", "id", "label"):
        if required not in header:
            raise CsvError(f"the column {required!r} is required", 1)
    reader.fieldnames = header
    triples: list[Triple] = []
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        triples += _row(cells, base, line)
    return triples


def _row(cells: dict[str, str], base: str, line: int) -> list[Triple]:
    kind_name = cells.get("type", "").lower()
    if kind_name not in TYPES:
        raise CsvError(f"type {kind_name!r} is not one of {', '.join(TYPES)}", line)
    kind, cls = TYPES[kind_name]
    if not cells.get("id") or not cells.get("label"):
        raise CsvError("id and label are required", line)
    node = _ref(cells["id"], kind, base, line)
    out = [Triple(node, RDF_TYPE, NamedNode(KP + (cells.get("klasse") or cls)))]
    if cells.get("klasse") and not re.match(r"^[A-Z][A-Za-z]*$", cells["klasse"]):
        raise CsvError(f"klasse {cells['klasse']!r} is not a class name such as Course", line)
    if kind == "persoon":
        out.append(Triple(node, NamedNode(FOAF + "name"), Literal(cells["label"])))
    for column, value in cells.items():
        if not value:
            continue
        if column in TEXTS:
            prop, lang = TEXTS[column]
            out.append(Triple(node, NamedNode(prop), Literal(value, language=lang)))
        elif column in PLAIN:
            out += [Triple(node, NamedNode(PLAIN[column]), Literal(v.strip())) for v in value.split(";") if v.strip()]
        elif column in DATES:
            out.append(Triple(node, NamedNode(DATES[column]), _date(value, line)))
        elif column in LINKS:
            prop, target_kind = LINKS[column]
            for v in (v.strip() for v in value.split(";")):
                if v:
                    out.append(Triple(node, NamedNode(prop), _ref(v, target_kind, base, line)))
    if kind == "persoon" and cells.get("organisatie"):
        out += _membership(node, cells, base, line)
    return out


def _membership(person: NamedNode, cells: dict[str, str], base: str, line: int) -> list[Triple]:
    org = _ref(cells["organisatie"], "organisatie", base, line)
    role_slug = cells.get("rol") or "lid"
    slug = f"{cells['id']}-{org.value.rsplit('/', 1)[-1]}-{role_slug}"
    membership = _ref(slug, "lidmaatschap", base, line)
    out = [
        Triple(membership, RDF_TYPE, NamedNode(KP + "Membership")),
        Triple(membership, NamedNode(ORG + "member"), person),
        Triple(membership, NamedNode(ORG + "organization"), org),
        Triple(membership, RDFS_LABEL, Literal(f"{cells['label']} bij {org.value.rsplit('/', 1)[-1]}", language="nl")),
    ]
    if cells.get("rol"):
        out.append(Triple(membership, NamedNode(ORG + "role"), _ref(cells["rol"], "rol", base, line)))
    return out
