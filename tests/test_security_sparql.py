"""No query can make the server call other hosts, and no query can crash it (issue 17.1, 17.3).

Two layers, each tested on its own:

- the text check (``query_shape``) refuses SERVICE however it is written: codepoint escapes that
  move comment and string boundaries, escaped local names, keywords glued to other tokens; and
  refuses nesting the engine's parser cannot survive;
- the worker processes cannot open a network connection at all (``netguard``, a seccomp
  filter): with the text check bypassed, a SERVICE clause aimed at a local listener reaches
  nothing, as root and as an unprivileged user.

The oracle for "no outbound request" is a listener on 127.0.0.1 that records every connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from knooppunt.graph.settings import Settings
from knooppunt.graph.sparql.results import QueryRequest
from knooppunt.graph.sparql.sandbox import WorkerPool
from knooppunt.graph.sparql.text import (
    MAX_DEPTH,
    MAX_NESTING,
    QueryCrashed,
    QueryRejected,
    query_shape,
)
from knooppunt.graph.store import open_store
from security_support import BlockingPool, Listener

BASE = "https://w3id.org/knooppunt"


def disguises(url: str) -> dict[str, str]:
    """The reported ways of hiding SERVICE from a lexer, and a few more of the same kind."""
    s = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    return {
        "reported: escaped letter before # in an IRI": f"SELECT * WHERE {{ BIND(<http://e.example/\\u0062#> AS ?z) {s} }}",
        "reported: escaped # in a local name": f"PREFIX e: <http://e.example/> SELECT * WHERE {{ BIND(e:a\\#b AS ?z) {s} }}",
        "escaped backslash closes the string for the engine": f'SELECT * WHERE {{ BIND("\\u005c" AS ?z) {s} }}',
        "escaped quote in a long string": f'SELECT * WHERE {{ BIND("""a\\u0022""" AS ?z) {s} }}',
        "escaped # in an IRI": f"SELECT * WHERE {{ BIND(<http://e.example/\\u0023> AS ?z) {s} }}",
        "keyword glued to a bracket": f"SELECT * WHERE {{ FILTER(true)SERVICE<{url}>{{?s ?p ?o}} }}",
        "keyword glued to a prefixed name": f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICEr:{{ ?s ?p ?o }} }}",
        "keyword glued to an empty prefix": f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:{{ ?s ?p ?o }} }}",
        "lower case, no spaces": f"select * where{{service<{url}>{{?s ?p ?o}}}}",
        "SILENT": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "escaped service IRI": f"SELECT * WHERE {{ SERVICE <\\u0068ttp{url[4:]}> {{ ?s ?p ?o }} }}",
        "prefixed service IRI": f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICE r: {{ ?s ?p ?o }} }}",
    }


def _ox_calls(query: str, listener: Listener) -> bool:
    """Whether pyoxigraph itself, unsandboxed in this test process, calls the listener for the
    query: proof that the disguise is real (the engine does run the SERVICE)."""
    import pyoxigraph

    before = listener.count(0)
    try:
        result = pyoxigraph.Store().query(query)
        if not isinstance(result, pyoxigraph.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    return listener.count() > before


def test_every_disguise_is_real_and_refused_by_the_text_check():
    with Listener() as oracle:
        for name, query in disguises(oracle.url).items():
            assert _ox_calls(query, oracle), f"{name}: the engine does not run this SERVICE; the case proves nothing"
            assert query_shape(query).uses_service, f"{name}: the text check let SERVICE through"


def test_endpoint_refuses_every_disguise_and_calls_nobody(client):
    with Listener() as listener:
        for name, query in disguises(listener.url).items():
            for send in (lambda q: client.get("/sparql", params={"query": q}),
                         lambda q: client.post("/sparql", content=q, headers={"Content-Type": "application/sparql-query"})):
                r = send(query)
                assert r.status_code == 400, (name, r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                assert "SERVICE" in r.json()["title"]
        assert listener.count() == 0


def test_words_that_only_contain_service_elsewhere_are_not_refused():
    for query in (
        'SELECT ?service WHERE { ?service <http://schema.org/name> "service desk" }',
        "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s a schema:Service } # SERVICE in a comment",
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
    ):
        assert not query_shape(query).uses_service, query


def test_from_with_escapes_resolves_like_the_engine():
    shape = query_shape("SELECT * FROM <https://w3id.org/knooppunt/graph/priv\\u0061te> WHERE { ?s ?p ?o }")
    assert shape.from_graphs == ["https://w3id.org/knooppunt/graph/private"]


# --- the worker cannot reach the network, whatever the text check says --------------------------------
@pytest.fixture(scope="module", params=["memory", "disk"])
def pool(request, tmp_path_factory):
    where = "memory" if request.param == "memory" else str(tmp_path_factory.mktemp("store") / "db")
    store = open_store(Settings(store=where, base_iri=BASE, token_file=""))
    pool = BlockingPool(WorkerPool(store, timeout=10, max_workers=1))
    yield pool
    pool.close()
    store.close()


def _request(query: str) -> QueryRequest:
    return QueryRequest(query=query, default_graphs=[], named_graphs=[], results_format="json",
                        graph_format="ttl", labels=None, label_graphs=[], base_iri=BASE + "/sparql",
                        row_cap=100, public_union=True)


def test_text_check_bypassed_the_worker_still_calls_nobody(pool):
    """The proof that matters: the query goes straight to a worker (no text check) and the
    engine does try to run SERVICE, but the kernel refuses the socket."""
    with Listener() as listener:
        for name, query in disguises(listener.url).items():
            if "SILENT" in query:  # the refusal is swallowed, as SILENT says; nothing is sent either
                assert pool.run(_request(query)).body
            else:
                with pytest.raises(QueryRejected, match="network"):
                    pool.run(_request(query))
            assert listener.count() == 0, name
        # a host name needs DNS first: that socket is refused as well
        with pytest.raises(QueryRejected, match="network"):
            pool.run(_request(f"SELECT * WHERE {{ SERVICE <http://localhost:{listener.port}/> {{ ?s ?p ?o }} }}"))
        assert listener.count() == 0
    for pid in pool.pids():
        with open(f"/proc/{pid}/status") as fh:
            assert "Seccomp:\t2" in fh.read(), "the worker runs without its seccomp filter"
    result = pool.run(_request("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert b'"n"' in result.body  # the worker still answers ordinary queries


@pytest.mark.parametrize("user", ["this user", "nobody"])
def test_netguard_works_for_root_and_unprivileged_users(user):
    """The filter needs no privilege: libseccomp sets no_new_privs before loading it."""
    with Listener() as listener:
        drop = "os.setgroups([]); os.setgid(65534); os.setuid(65534)" if user == "nobody" and os.geteuid() == 0 else "pass"
        code = textwrap.dedent(f"""
            import os, socket
            import pyoxigraph, pyseccomp  # loaded first: the interpreter's files may be root's only
            from knooppunt.graph.sparql import netguard
            {drop}
            assert os.geteuid() != 0 or {user!r} == "this user"
            netguard.install()
            for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_STREAM),
                                 (socket.AF_INET, socket.SOCK_DGRAM)):
                try:
                    socket.socket(family, kind)
                except OSError as exc:
                    assert netguard.is_blocked(exc), exc
                else:
                    raise SystemExit("a network socket was created")
            a, b = socket.socketpair()
            a.send(b"x"); assert b.recv(1) == b"x"
            try:
                list(pyoxigraph.Store().query("SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
            except OSError as exc:
                assert netguard.is_blocked(exc), exc
            print("guarded")
        """)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "guarded" in done.stdout, done.stderr
        assert listener.count() == 0


# --- nesting that would crash the engine ------------------------------------------------------------
CRASHERS = {
    "20,000 nested parentheses (reported)": "SELECT * WHERE { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }",
    "1,000 nested CONCAT": "SELECT * WHERE { BIND(" + "CONCAT(" * 1000 + '"a"' + ")" * 1000 + " AS ?x) }",
    "3,000 nested groups": "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "a sum of 15,000 terms": "SELECT * WHERE { BIND(" + "+".join(["1"] * 15000) + " AS ?x) }",
    "3,000 chained MINUS": "SELECT * WHERE { " + "MINUS{}" * 3000 + " }",
    "12,000 negations": "SELECT * WHERE { FILTER(" + "!" * 12000 + "true) }",
}


@pytest.mark.parametrize("name", list(CRASHERS))
def test_deep_queries_are_refused_before_the_engine_sees_them(client, name):
    r = client.post("/sparql", content=CRASHERS[name], headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Query too complex"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_nesting_limits_leave_room_for_real_queries():
    deep_but_fine = "SELECT * WHERE { FILTER(" + "(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2) + ") }"
    assert query_shape(deep_but_fine).too_complex is None
    long_alternatives = "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(500)) + ") }"
    assert query_shape(long_alternatives).too_complex is None
    assert query_shape("ASK {" + "+".join(["1"] * (MAX_DEPTH + 1)) + "}").too_complex


def test_a_query_that_kills_its_worker_is_a_4xx_and_the_pool_recovers(pool):
    """With the text check bypassed, the crash itself: the worker dies (SIGSEGV in the parser),
    the query is tried once more on a fresh worker, then refused as the query's doing."""
    with pytest.raises(QueryCrashed):
        pool.run(_request(CRASHERS["20,000 nested parentheses (reported)"]))
    result = pool.run(_request("ASK { }"))
    assert b"true" in result.body
