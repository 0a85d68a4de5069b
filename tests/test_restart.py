"""Restarting on an on-disk store: the store's state id across processes, and the snapshots of
the projection and the search index (``graph.store.state``, ``graph.analysis.snapshot``).

The oracle for "the snapshot is right" is a projection and index built from the store itself,
in a process that has no snapshot; for "a stale snapshot is never used", writes made behind the
service's back (by pyoxigraph directly, by a process killed with SIGKILL) must show in the
answers after the restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from knooppunt.graph.analysis.knowledge import Knowledge
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import open_store
from pyoxigraph import Literal, NamedNode, Quad
from pyoxigraph import Store as OxStore

BASE = "https://w3id.org/knooppunt"
KP = "https://w3id.org/knooppunt/def#"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
THEME = f"{BASE}/id/thema/dementie"
PEOPLE_FILTERS = {"theme": THEME}


def settings(path) -> Settings:
    return Settings(store=str(path), base_iri=BASE, token_file=str(path) + "-tokens.json")


def project(store, slug: str, label: str) -> list[Quad]:
    g, s = store.graph("restart-test"), NamedNode(f"{BASE}/id/project/{slug}")
    return [Quad(s, TYPE, NamedNode(KP + "Project"), g), Quad(s, LABEL, Literal(label, language="nl"), g),
            Quad(s, NamedNode(KP + "addressesTheme"), NamedNode(THEME), g)]


def answers(kb: Knowledge) -> tuple:
    """What the views answer, in a form that compares across processes."""
    search = kb.search("zorg", limit=50)
    return (
        [(r["iri"], r["score"]) for r in search["results"]], search["total"],
        kb.search("zeldzaamwoord")["total"],
        kb.people(PEOPLE_FILTERS, limit=50),
        kb.stats()["projection"]["nodes"], kb.stats()["projection"]["edges"],
        facet_answers(kb),
    )


def facet_answers(kb: Knowledge) -> list:
    """Every list of the pages, whole and filtered by theme: items in order and every count."""
    out = []
    for name in ("projects", "materials", "organisations", "people", "needs"):
        for filters in ({}, {"thema": [THEME]}):
            r = kb.facets.query(name, filters, limit=10_000)
            out.append((name, r.total, r.items, [(b.key, [(v.value, v.count, v.depth) for v in b.values]) for b in r.facets]))
    return out


def run(path) -> tuple[tuple, dict]:
    """Open the store, warm (snapshot or build), answer, close cleanly."""
    store = open_store(settings(path))
    kb = Knowledge(store)
    kb.warm()
    out = answers(kb)
    stats = {"projection": kb.net.restored, "search": kb.index.restored, "facets": kb.facets.restored,
             "state": store.state_id()}
    kb.close()
    store.close()
    return out, stats


def built_from_store(path) -> tuple:
    """The oracle: the same answers from views built from the store, no snapshot involved."""
    store = open_store(settings(path))
    kb = Knowledge(store)
    kb.snapshots.dir = None  # this Knowledge neither reads nor writes snapshots
    kb.warm()
    out = answers(kb)
    store.close()
    return out


def test_state_id_survives_a_clean_restart_and_changes_with_writes(tmp_path):
    path = tmp_path / "db"
    store = open_store(settings(path))  # seeds: writes
    first = store.state_id()
    count = store.count()
    store.close()
    store = open_store(settings(path))
    assert store.state_id() == first
    assert store._count_cache  # noqa: SLF001 - the count came back with the state: no scan
    assert store.count() == count
    store.apply_delta([], project(store, "a", "Project a"))
    changed = store.state_id()
    assert changed != first
    store.close()
    store = open_store(settings(path))
    assert store.state_id() == changed
    store.close()


def test_a_write_by_another_program_gives_a_new_state(tmp_path):
    path = tmp_path / "db"
    store = open_store(settings(path))
    before = store.state_id()
    store.close()
    foreign = OxStore(str(path / "public"))  # not through Knooppunt: no record is updated
    foreign.add(Quad(NamedNode(f"{BASE}/id/x"), LABEL, Literal("x"), NamedNode(f"{BASE}/graph/x")))
    foreign.flush()
    del foreign
    store = open_store(settings(path))
    assert store.state_id() != before
    assert not store._count_cache  # noqa: SLF001 - counts of the old state are not trusted
    store.close()


def test_a_process_killed_after_a_write_leaves_no_valid_record(tmp_path):
    path = tmp_path / "db"
    store = open_store(settings(path))
    store.close()
    before = open_store(settings(path))
    recorded = before.state_id()
    before.close()
    code = textwrap.dedent(f"""
        import os, signal
        from knooppunt.graph.settings import Settings
        from knooppunt.graph.store import open_store
        from pyoxigraph import Literal, NamedNode, Quad
        store = open_store(Settings(store={str(path)!r}, base_iri={BASE!r}, token_file=""))
        g = store.graph("killed")
        store.apply_delta([], [Quad(NamedNode("{BASE}/id/project/killed"), NamedNode("{LABEL.value}"),
                                    Literal("Zeldzaamwoord na een kill"), g)])
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    store = open_store(settings(path))
    assert store.state_id() != recorded
    assert [q.object.value for q in store.quads(NamedNode(f"{BASE}/id/project/killed"), LABEL)] == ["Zeldzaamwoord na een kill"]
    store.close()


def test_restart_reads_the_snapshot_and_answers_as_a_fresh_build(tmp_path):
    path = tmp_path / "db"
    cold, stats = run(path)
    assert stats["projection"] == stats["search"] == stats["facets"] == 0  # built, then saved
    assert {p.name for p in (path / "derived").iterdir()} == {"projection.pickle", "search.pickle", "facets.pickle"}
    warm, stats = run(path)
    assert stats["projection"] == stats["search"] == stats["facets"] == 1  # read back, not built
    assert warm == cold == built_from_store(path)


def test_writes_before_a_clean_shutdown_are_in_the_next_snapshot(tmp_path):
    path = tmp_path / "db"
    run(path)
    store = open_store(settings(path))
    kb = Knowledge(store)
    kb.warm()
    assert kb.net.restored == kb.index.restored == 1
    store.apply_delta([], project(store, "nieuw", "Zeldzaamwoord nieuw project over zorg"))  # a delta
    assert kb.search("zeldzaamwoord")["total"] == 1
    kb.close()
    store.close()
    after, stats = run(path)
    assert stats["projection"] == stats["search"] == stats["facets"] == 1
    assert after[2] == 1
    assert after == built_from_store(path)


def test_a_stale_snapshot_is_never_used(tmp_path):
    path = tmp_path / "db"
    run(path)
    foreign = OxStore(str(path / "public"))
    for q in project(open_store(Settings(store="memory", base_iri=BASE)), "buiten", "Zeldzaamwoord van buiten"):
        foreign.add(q)
    foreign.flush()
    del foreign
    after, stats = run(path)
    assert stats["projection"] == stats["search"] == stats["facets"] == 0  # rebuilt: the data changed behind our back
    assert after[2] == 1
    assert after == built_from_store(path)


def test_a_kill_during_a_write_leaves_an_unreadable_or_old_snapshot_never_a_wrong_one(tmp_path):
    path = tmp_path / "db"
    cold, _ = run(path)
    snapshot = path / "derived" / "search.pickle"
    data = snapshot.read_bytes()
    leftover = path / "derived" / f".search.pickle.{os.getpid() + 1}.0a1b2c3d.tmp"
    leftover.write_bytes(data[: len(data) // 3])  # a save cut short, a while ago
    os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    snapshot.write_bytes(data[: len(data) // 2])  # and, worse than a kill can do, a torn file
    after, stats = run(path)
    assert stats["search"] == 0 and stats["projection"] == 1  # the torn one is rebuilt, the other read
    assert after == cold
    assert not list((path / "derived").glob(".*.tmp"))  # the leftover is cleaned up by the next save


def test_another_base_iri_does_not_read_the_snapshot(tmp_path):
    path = tmp_path / "db"
    run(path)
    store = open_store(Settings(store=str(path), base_iri="https://example.org/kp", token_file=""))
    kb = Knowledge(store)
    kb.warm()
    assert kb.net.restored == kb.index.restored == 0
    store.close()


def test_fingerprint_follows_tables_and_logs_with_data_only(tmp_path):
    """What RocksDB changes on a write (a table file, a log with data) changes the fingerprint;
    what every open changes (a new empty log, the info LOG, OPTIONS) does not."""
    from knooppunt.graph.store.state import fingerprint

    d = tmp_path / "public"
    d.mkdir()
    (d / "000010.sst").write_bytes(b"tables")
    (d / "000011.log").write_bytes(b"")
    base = fingerprint(d)
    (d / "000012.log").write_bytes(b"")
    (d / "LOG").write_text("opened")
    (d / "OPTIONS-000013").write_text("options")
    assert fingerprint(d) == base
    (d / "000012.log").write_bytes(b"a write")
    assert fingerprint(d) != base
    (d / "000012.log").write_bytes(b"")
    assert fingerprint(d) == base
    (d / "000014.sst").write_bytes(b"flushed")
    assert fingerprint(d) != base
