"""Results rendered by the engine with an exact row cap (``graph.sparql.results.CappedSink``).

The oracle is independent of the code under test: the engine's own serialisation of the *whole*
result, parsed by the standard library's parsers (json, csv, xml.etree, and TSV by lines), of
which the capped body must hold exactly the first ``cap`` rows, well-formed, with the
truncation flag set exactly when there were more. Terms are chosen to hit every trap of the
byte-level row counting: quotes, backslashes, ``},{``, ``<result>``, line breaks inside CSV
fields, and long values that spread rows over the engine's 8 KB chunks.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knooppunt.graph.sparql.results import ENGINE_FORMATS, CappedSink, render_in_engine
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

SRX = "{http://www.w3.org/2005/sparql-results#}"
P, Q = NamedNode("urn:x:p"), NamedNode("urn:x:q")
QUERY = "SELECT ?s ?a ?b WHERE { ?s <urn:x:p> ?a OPTIONAL { ?s <urn:x:q> ?b } } ORDER BY ?s"

TRAPS = ['"', "\\", "\\\\", '\\"', "},{", "}", ",", "{", "<result>", "\n", "\r\n", "\t", "é", "?x", "'", "]}}"]
# control characters other than tab and line breaks are left out: XML 1.0 cannot hold them, and
# neither the engine nor the Python path escapes them (an XML results document with one is broken)
chars = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
text = st.lists(st.one_of(st.sampled_from(TRAPS), chars), max_size=8).map("".join)
value = st.one_of(
    text.map(Literal),
    st.tuples(text, st.sampled_from(["nl", "en-gb"])).map(lambda t: Literal(t[0], language=t[1])),
    st.integers(-5, 10**6).map(Literal),
    st.integers(0, 9).map(lambda i: NamedNode(f"urn:x:o{i}")),
    st.just(BlankNode("b1")),
    st.integers(1, 4000).map(lambda n: Literal("x\\\"},{" * (n // 6))),  # long: rows across chunks
)
row = st.tuples(value, st.one_of(st.none(), value))


def store_with(rows: list[tuple]) -> Store:
    store = Store()
    for i, (a, b) in enumerate(rows):
        s = NamedNode(f"urn:x:s{i:04d}")
        store.add(Quad(s, P, a))
        if b is not None:
            store.add(Quad(s, Q, b))
    return store


def parsed(fmt: str, body: bytes) -> list:
    """Rows of a results document, by the standard parsers (header dropped)."""
    if fmt == "json":
        return json.loads(body)["results"]["bindings"]
    if fmt == "xml":
        return [ET.tostring(r) for r in ET.fromstring(body).iter(SRX + "result")]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))[1:]
    return body.decode("utf-8").split("\n")[1:-1]


@pytest.mark.parametrize("fmt", sorted(ENGINE_FORMATS))
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=40), cap=st.integers(1, 45))
def test_capped_body_holds_exactly_the_first_rows(fmt, rows, cap):
    store = store_with(rows)
    whole = parsed(fmt, store.query(QUERY).serialize(format=ENGINE_FORMATS[fmt]))
    assert len(whole) == len(rows)
    body, truncated, count = render_in_engine(store.query(QUERY), fmt, cap)
    assert truncated == (len(rows) > cap)
    assert count == min(len(rows), cap)
    assert parsed(fmt, bytes(body)) == whole[:cap]


@pytest.mark.parametrize("fmt", sorted(ENGINE_FORMATS))
def test_engine_stops_at_the_cap(fmt):
    """A large result is not serialised to the end: the engine is stopped soon after the cap."""
    store = store_with([(Literal(f"waarde {i}"), None) for i in range(30_000)])
    sink = CappedSink(fmt, 10)
    with pytest.raises(Exception) as stopped:
        store.query(QUERY).serialize(sink, ENGINE_FORMATS[fmt])
    assert type(stopped.value).__name__ == "CapReached"
    assert len(sink.buf) < 20_000  # a chunk or two, not the ~1 MB of the whole result
    body, truncated, count = sink.finish()
    assert truncated and count == 10 and len(parsed(fmt, bytes(body))) == 10


@pytest.mark.parametrize("fmt", sorted(ENGINE_FORMATS))
def test_empty_and_variable_free_results(fmt):
    store = Store()
    for query, rows in (("SELECT ?x WHERE { FILTER(false) }", 0), ("SELECT * WHERE { }", 1)):
        body, truncated, count = render_in_engine(store.query(query), fmt, 1)
        assert (truncated, count) == (False, rows)
        assert len(parsed(fmt, bytes(body))) == rows


@pytest.mark.parametrize("fmt", sorted(ENGINE_FORMATS))
def test_row_boundaries_on_every_offset_of_a_chunk_boundary(fmt):
    """The engine writes 8 KB chunks: put the end of the first row on each byte around the first
    chunk boundary, so that separators and escapes are split every possible way."""
    for length in range(8050, 8200):
        tail = ("", '"},{"', "\\", "\\\\\"")[length % 4]  # escapes that may straddle the boundary
        first = Literal("a" * (length - 3) + tail + "a" * 3)
        store = store_with([(first, None), (Literal("b\\"), Literal("c")), (Literal("d"), None)])
        whole = parsed(fmt, store.query(QUERY).serialize(format=ENGINE_FORMATS[fmt]))
        for cap in (1, 2, 3):
            body, truncated, count = render_in_engine(store.query(QUERY), fmt, cap)
            assert (truncated, count) == (cap < 3, cap), (length, cap)
            assert parsed(fmt, bytes(body)) == whole[:cap], (length, cap)


@pytest.mark.parametrize("fmt", sorted(ENGINE_FORMATS))
def test_every_split_of_the_bytes(fmt):
    """The same document fed to the sink in two writes, split at every byte: escapes, quotes
    and separators cut in two must count as if whole."""
    rows = [(Literal('a\\"},{"<result>\n\\'), Literal('"')), (Literal("\\\\"), None),
            (Literal('x,"y"\r\nz'), Literal("},{")), (Literal("e"), None)]
    store = store_with(rows)
    whole_body = store.query(QUERY).serialize(format=ENGINE_FORMATS[fmt])
    whole = parsed(fmt, whole_body)
    for cap in (1, 2, 3, 4):
        for split in range(len(whole_body) + 1):
            sink = CappedSink(fmt, cap)
            try:
                sink.write(whole_body[:split])
                sink.write(whole_body[split:])
            except Exception as exc:  # noqa: BLE001 - CapReached is the expected stop
                assert type(exc).__name__ == "CapReached"
            body, truncated, count = sink.finish()
            assert (truncated, count) == (cap < 4, cap), (cap, split)
            assert parsed(fmt, bytes(body)) == whole[:cap], (cap, split)
