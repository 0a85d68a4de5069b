"""A bounded fuzzer over SPARQL text: escapes, comments, strings, nesting and Unicode around a
SERVICE clause (issue 17, Build 6).

For every generated query the engine itself is the oracle: pyoxigraph runs it here, unsandboxed,
against a listener. If the listener receives a connection, SERVICE was really there, and the text
check (``query_shape``) must have flagged it. Independently, the same text goes straight to a
sandboxed worker (no text check at all) aimed at a second listener, which must receive nothing.

Fixed seed (``derandomize``) and a bounded number of examples, so CI sees the same cases each run.
"""

from __future__ import annotations

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knooppunt.graph.settings import Settings
from knooppunt.graph.sparql.results import QueryRequest
from knooppunt.graph.sparql.sandbox import WorkerPool
from knooppunt.graph.sparql.text import QueryError, query_shape
from knooppunt.graph.store import open_store
from security_support import BlockingPool, Listener

BASE = "https://w3id.org/knooppunt"
URL = "{URL}"  # replaced by a listener's address

DECLARED = f"PREFIX r: <{URL}>\nPREFIX : <{URL}>\nPREFIX e: <http://e.example/>\n"
PROLOGUE = st.lists(st.sampled_from([
    "BASE <http://b.example/>\n", "# a comment\n", "#\\u000a\n", "PREFIX x: <http://e.example/\\u0023>\n",
]), max_size=2).map(lambda extra: DECLARED + "".join(extra))

KEYWORD = st.sampled_from([
    "SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERV\\u0049CE", "\\u0073ervice", "SERVICE SILENT",
])
TARGET = st.sampled_from([
    f"<{URL}>", f" <{URL}>", "r:", " r:", ":", f"<\\u0068ttp{URL[4:]}>", f"<{URL}\\u003e",
])
# Pieces around the clause: each either harmless or a known way to move a token boundary.
PIECE = st.sampled_from([
    "", " ", "\n", "\t", "\r", "\u00a0", "\u3000", ".", "FILTER(true)", "BIND(1 AS ?a)",
    "BIND(<http://e.example/\\u0062#> AS ?b)", "BIND(<http://e.example/#> AS ?b)",
    "BIND(e:a\\#b AS ?c)", "BIND(e:a\\u0023b AS ?c)", 'BIND("\\u005c" AS ?d)', 'BIND("\\\\u0041" AS ?d)',
    "BIND('\\u0027' AS ?d)", 'BIND("""a\\u0022""" AS ?d)', 'BIND("x"@en AS ?d)', "BIND(\"#\" AS ?d)",
    "# comment ", "#", "\\u0023", "<http://e.example/\\u003e>", '"', "'", '"""', "\\", "\\u005c",
    "é", "\u00d7", "?é", "e:ü", "{", "}", "OPTIONAL {", "{ } UNION {", "true", "1", ")", "(",
])
NOISE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3)


@st.composite
def queries(draw) -> str:
    piece = st.one_of(PIECE, PIECE, PIECE, NOISE)  # mostly pieces that parse, some noise
    before = "".join(draw(st.lists(piece, max_size=4)))
    after = "".join(draw(st.lists(piece, max_size=3)))
    glue = draw(st.sampled_from(["", " ", "\n"]))
    depth = draw(st.integers(0, 3))
    clause = f"{draw(KEYWORD)}{draw(TARGET)} {{ ?s ?p ?o }}"
    body = f"{before}{glue}{clause}{glue}{after}"
    for _ in range(depth):
        body = "{ " + body + " }"
    return f"{draw(PROLOGUE)}SELECT * WHERE {{ {body} }}"


def _engine_calls(query: str, listener: Listener) -> bool:
    before = listener.count(0)
    try:
        result = pyoxigraph.Store().query(query)
        if not isinstance(result, pyoxigraph.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.count(0.01) > before


def test_no_generated_query_reaches_the_network(tmp_path):
    store = open_store(Settings(store="memory", base_iri=BASE, token_file=""))
    pool = BlockingPool(WorkerPool(store, timeout=10, max_workers=1))
    oracle, sentinel = Listener(), Listener()
    real: list[str] = []
    try:
        @settings(max_examples=300, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(queries())
        def check(template: str) -> None:
            query = template.replace(URL, oracle.url)
            if _engine_calls(query, oracle):
                real.append(query)
                assert query_shape(query).uses_service, f"the text check let SERVICE through: {query!r}"
            bypass = template.replace(URL, sentinel.url)
            try:
                pool.run(QueryRequest(query=bypass, default_graphs=[], named_graphs=[], results_format="json",
                                      graph_format="ttl", labels=None, label_graphs=[],
                                      base_iri=BASE + "/sparql", row_cap=10, public_union=True))
            except QueryError:
                pass
            assert sentinel.count(0) == 0, f"a sandboxed worker reached the network: {bypass!r}"

        check()
        assert sentinel.count() == 0
        # The generator must produce real SERVICE calls, or the test proves nothing.
        assert len(real) >= 40, f"only {len(real)} of 300 generated queries ran SERVICE in the engine"
    finally:
        oracle.close()
        sentinel.close()
        pool.close()
        store.close()
