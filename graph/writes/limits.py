"""Cheap checks on an uploaded document *before* a parser sees it.

The parsers we use cannot be stopped from outside and some of them recurse: pyoxigraph's JSON-LD
parser overflowed the server's stack (SIGSEGV, the whole service gone) on 5,000 nested objects,
its Turtle parser on 20,000 nested triple terms (``<<( ... )>>``), its RDF/XML parser expands
internal entities without bound (787 bytes became a 30 MB literal) and takes quadratic time on
deep nesting; openpyxl inflates whatever a zip file declares. Each check here is one linear pass
(a regex scan, expat, the zip's central directory) that refuses such a document with a
:class:`DocumentRefused` naming the limit, so nothing is parsed that could take the server down.

Limits (in documents we publish, nesting stays below 10 levels):

- nesting of objects and arrays (JSON-LD), of ``[ ]``, ``( )`` and triple terms (Turtle, TriG,
  N-Triples, N-Quads): :data:`MAX_NESTING`; RDF/XML elements: :data:`MAX_XML_DEPTH`;
- RDF/XML: no external entities, and internal ones may not make the text larger than
  :data:`MAX_EXPANSION` times the document (plus 1 MiB);
- XLSX: at most :data:`MAX_ZIP_ENTRIES` parts, :data:`MAX_UNZIPPED` bytes in all, each part
  compressed at most :data:`MAX_ZIP_RATIO` to 1, and no XML part with a DOCTYPE.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

from pyoxigraph import RdfFormat

MAX_NESTING = 100
MAX_XML_DEPTH = 200  # RDF/XML nests two elements per node (a property, then a node)
MAX_EXPANSION = 4
MAX_ZIP_ENTRIES = 1000
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200


class DocumentRefused(ValueError):
    """A document over a limit; ``status`` is the HTTP status the service answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# --- nesting in text formats ----------------------------------------------------------------------
_JSON = re.compile(rb'"(?:[^"\\]++|\\.)*"|[\[\]{}]', re.S)
_TURTLE = re.compile(  # a backslash outside strings and IRIs escapes a name character (ex:a\#b)
    rb"\\."
    rb"|#[^\n\r]*"
    rb"|'''(?:(?:'|'')?(?:[^'\\]++|\\.))*+'''"
    rb'|"""(?:(?:"|"")?(?:[^"\\]++|\\.))*+"""'
    rb"|'(?:[^'\\\n\r]++|\\.)*+'"
    rb'|"(?:[^"\\\n\r]++|\\.)*+"'
    rb"|<<"
    rb"|<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
    rb"|>>"
    rb"|[\[\](){}]",
    re.S,
)
_OPEN = {b"[", b"(", b"{", b"<<"}
_CLOSE = {b"]", b")", b"}", b">>"}


def _deepest(data: bytes, pattern: re.Pattern) -> int:
    """The deepest bracket nesting of a text, skipping strings, IRIs and comments."""
    depth = deepest = 0
    for m in pattern.finditer(data):
        token = m.group()
        if token in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
        elif token in _CLOSE:
            depth -= 1
    return deepest


def _check_nesting(data: bytes, pattern: re.Pattern, what: str) -> None:
    deepest = _deepest(data, pattern)
    if deepest > MAX_NESTING:
        raise DocumentRefused(f"{what} nested more than {MAX_NESTING} levels deep; flatten the document")


# --- RDF/XML ----------------------------------------------------------------------------------------
def _check_xml(data: bytes, *, what: str = "the XML", allow_entities: bool = True) -> None:
    """One expat pass: element depth, DOCTYPE and entity rules, and how much the entities expand.

    expat never fetches external entities; it expands internal ones, and this pass counts the
    characters that come out (text and attribute values), so a billion-laughs document stops at
    the limit instead of reaching the RDF/XML parser, which would expand it in full."""
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one call per run of text, not per line
    budget = MAX_EXPANSION * len(data) + 1024 * 1024
    state = {"depth": 0, "chars": 0}

    def spend(n: int) -> None:
        state["chars"] += n
        if state["chars"] > budget:
            raise DocumentRefused(
                f"{what} expands its entities to more than {MAX_EXPANSION} times its own size; "
                "write the text out instead of using entities", status=413)

    def start(_name: str, attrs: dict) -> None:
        state["depth"] += 1
        if state["depth"] > MAX_XML_DEPTH:
            raise DocumentRefused(f"{what} has elements nested more than {MAX_XML_DEPTH} levels deep")
        spend(sum(len(v) for v in attrs.values()))

    def end(_name: str) -> None:
        state["depth"] -= 1

    def entity(name, _is_parameter, _value, _base, system_id, public_id, _notation) -> None:
        if system_id or public_id:
            raise DocumentRefused(f"{what} declares an external entity ({name}); it is not fetched")
        if not allow_entities:
            raise DocumentRefused(f"{what} declares an entity ({name}); this kind of file has none")

    def doctype(_name, system_id, public_id, _has_internal_subset) -> None:
        if system_id or public_id:
            raise DocumentRefused(f"{what} refers to an external DTD; it is not fetched")
        if not allow_entities:
            raise DocumentRefused(f"{what} has a DOCTYPE; this kind of file has none")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda text: spend(len(text))
    parser.EntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    parser.ExternalEntityRefHandler = lambda *a: 0  # never reached after the checks; refuse anyway
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise DocumentRefused(f"{what} is not well-formed XML: {expat.errors.messages[exc.code]} "
                              f"(line {exc.lineno}, column {exc.offset + 1})") from None


# --- XLSX --------------------------------------------------------------------------------------------
def check_xlsx(data: bytes) -> None:
    """The zip's central directory: number of parts, declared sizes, compression ratios; and no
    DOCTYPE in any XML part. Python's zipfile (which openpyxl uses) never inflates a part beyond
    its declared size, so checking the declared sizes bounds what openpyxl can read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DocumentRefused(f"XLSX: not a zip file ({exc})") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_ZIP_ENTRIES:
            raise DocumentRefused(f"XLSX: {len(parts)} parts in the zip; at most {MAX_ZIP_ENTRIES}")
        total = sum(p.file_size for p in parts)
        if total > MAX_UNZIPPED:
            raise DocumentRefused(f"XLSX: the parts unpack to {total} bytes; at most {MAX_UNZIPPED}", status=413)
        for part in parts:
            if part.file_size > MAX_ZIP_RATIO * max(part.compress_size, 1):
                raise DocumentRefused(
                    f"XLSX: {part.filename} is compressed {part.file_size // max(part.compress_size, 1)} to 1; "
                    f"at most {MAX_ZIP_RATIO} to 1 (a zip bomb?)", status=413)
        for part in parts:
            if part.filename.endswith((".xml", ".rels")):
                try:
                    data_part = archive.read(part)
                except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                    raise DocumentRefused(f"XLSX: {part.filename} cannot be read ({exc})") from None
                _check_xml(data_part, what=f"XLSX part {part.filename}", allow_entities=False)


# --- the entry point ------------------------------------------------------------------------------
def check_rdf(data: bytes, fmt: RdfFormat) -> None:
    """Refuse an RDF document whose parse could crash or stall the process (see module doc)."""
    if fmt == RdfFormat.JSON_LD:
        _check_nesting(data, _JSON, "JSON-LD objects and arrays are")
    elif fmt == RdfFormat.RDF_XML:
        _check_xml(data, what="the RDF/XML document")
    else:
        _check_nesting(data, _TURTLE, f"{fmt.name.replace('_', '-')}: blank nodes, collections and triple terms are")
