"""Validated writes: a 100-triple change into stores of ~10k, 100k and 1M triples.

For each size, on a private copy of the cached synthetic store (``bench.common.copy_store``):

- *validate*: ``graph.writes.incremental.validate_delta`` for one new project with links (lead, partners,
  themes, competencies, levels, programme, region, two materials, two people with memberships:
  ~100 triples), p50/p99 over repeated runs;
- *write*: the whole ``graph.writes.ingest.import_quads`` (delta, privacy routing, validation, one
  ``apply_delta`` with the provenance record), each run a new project in its own graph;
- *delete* and *retype*: removing one written project while its materials and memberships still
  point at it (they are validated too, and refused), and re-importing a change with the project
  typed ``kp:Programme``;
- *full*: pyshacl over the whole public store, once (at 1M only with ``--full-1m``; ~47 s).

Usage: ``python -m bench.write_bench [--sizes 10000,100000,1000000] [--repeat 30] [--full-1m]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from knooppunt.graph.settings import from_env
from knooppunt.graph.store import open_store
from knooppunt.graph.writes import incremental, ingest, validation
from knooppunt.graph.writes.delta import Delta, replace_graph
from pyoxigraph import Literal, NamedNode, Quad

from .common import SIZES, copy_store, summary, table, timed
from .generate import iri

KP = "https://w3id.org/knooppunt/def#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DESC = NamedNode("http://purl.org/dc/terms/description")
SOURCE = NamedNode("http://purl.org/dc/terms/source")
ORG = "http://www.w3.org/ns/org#"


def change(store, i: int, project_class: str = "Project") -> tuple[NamedNode, list[Quad]]:
    """One new project with its links: ~100 quads in graph ``bench-{i}``."""
    g = store.graph(f"bench-{i}")
    base = store.settings.base
    p = NamedNode(f"{base}/id/project/bench-{i}")
    src = NamedNode(f"https://example.org/bench/{i}")

    def t(s, pred, o):
        return Quad(s, NamedNode(pred) if isinstance(pred, str) else pred, o, g)

    def described(node, cls, name):
        return [
            t(node, RDF_TYPE, NamedNode(KP + cls)),
            t(node, LABEL, Literal(f"{name} {i}", language="nl")),
            t(node, LABEL, Literal(f"{name} {i} (en)", language="en")),
            t(node, DESC, Literal(f"Een {name.lower()} voor de schrijfbenchmark.", language="nl")),
            t(node, SOURCE, src),
        ]

    quads = described(p, project_class, "Benchproject")
    quads += [
        t(p, KP + "leadOrganisation", iri("organisatie", "knooppunt-0")),  # the biggest hub
        t(p, KP + "programme", iri("programma", "programma-0")),
        t(p, KP + "region", iri("regio", "regio-1")),
        t(p, KP + "startDate", Literal("2024", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))),
    ]
    quads += [t(p, KP + "partnerOrganisation", iri("organisatie", f"onderwijs-{k}")) for k in range(6)]
    quads += [t(p, KP + "addressesTheme", iri("thema", f"thema-{k}")) for k in range(8)]
    quads += [t(p, KP + "addressesCompetency", iri("competentie", f"competentie-{k}")) for k in range(10)]
    quads += [t(p, KP + "educationLevel", iri("niveau", f"niveau-{k}")) for k in range(3)]
    for m in range(2):
        mat = NamedNode(f"{base}/id/materiaal/bench-{i}-{m}")
        quads += described(mat, "ELearning", "Benchmateriaal")
        quads += [t(mat, KP + "producedBy", p), t(mat, KP + "provider", iri("organisatie", "knooppunt-0"))]
        quads += [t(mat, KP + "addressesTheme", iri("thema", f"thema-{k}")) for k in range(8)]
        quads += [t(mat, KP + "educationLevel", iri("niveau", "niveau-0"))]
    for n in range(2):
        person = NamedNode(f"{base}/id/persoon/bench-{i}-{n}")
        quads += described(person, "Person", "Benchpersoon")
        quads += [t(person, "http://xmlns.com/foaf/0.1/name", Literal(f"Benchpersoon {i} {n}"))]
        ms = NamedNode(f"{base}/id/lidmaatschap/bench-{i}-{n}")
        quads += described(ms, "Membership", "Benchlidmaatschap")
        quads += [
            t(ms, ORG + "member", person), t(ms, ORG + "role", iri("rol", "rol-0")),
            t(ms, ORG + "organization", iri("organisatie", "knooppunt-0")), t(ms, KP + "project", p),
        ]
    return g, quads


def measure(n: int, repeat: int, full: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="write-bench-") as tmp:
        path = copy_store(n, Path(tmp) / "store")
        store = open_store(from_env(store=str(path)))
        size = store.count()
        triples = len(change(store, 0)[1])

        def validate_only(i=[10_000]):  # noqa: B006 - a counter across calls
            i[0] += 1
            g, quads = change(store, i[0])
            report = incremental.validate_delta(store, replace_graph(store, g, quads))
            assert report.conforms, report.text()

        counter = [0]
        records: list[str] = []

        def write():
            counter[0] += 1
            g, quads = change(store, counter[0])
            records.append(ingest.import_quads(store, quads, g, agent="bench", scope="admin", source="bench").id)

        validate = summary(timed(validate_only, repeat))
        whole = summary(timed(write, repeat))

        ids = iter(list(records))

        def delete():  # delete a project that materials and memberships point at: they are checked
            g = NamedNode(ingest.provenance.find(store, next(ids)).graph)
            project = NamedNode(g.value.replace("/graph/bench-", "/id/project/bench-"))
            report = incremental.validate_delta(store, Delta(removed=list(store.quads(project, None, None, g))))
            assert not report.conforms  # kp:producedBy / kp:project now point at nothing typed

        deletion = summary(timed(delete, min(repeat, len(records)), warmup=0))

        def retype(j=[0]):  # noqa: B006
            j[0] += 1
            g, quads = change(store, j[0], project_class="Programme")
            incremental.validate_delta(store, replace_graph(store, g, quads))

        retyping = summary(timed(retype, repeat, warmup=0))
        result = {"size": size, "change": triples, "validate": validate, "write": whole,
                  "delete": deletion, "retype": retyping, "full": None}
        if full:
            start = time.perf_counter()
            data = validation.to_rdflib_graph(q for g in store.public_graphs() for q in store.quads(graph=g))
            validation.validate(data)
            result["full"] = time.perf_counter() - start
        store.close()
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.write_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--full-1m", action="store_true", help="also validate the whole 1M store (~47 s)")
    args = parser.parse_args(argv)
    rows, results = [], []
    for n in (int(s) for s in args.sizes.split(",")):
        r = measure(n, args.repeat, full=n < 1_000_000 or args.full_1m)
        results.append(r)
        rows.append([
            f"{r['size']:,}", str(r["change"]),
            f"{r['validate']['p50']:.1f} / {r['validate']['p99']:.1f}",
            f"{r['write']['p50']:.1f} / {r['write']['p99']:.1f}",
            f"{r['delete']['p50']:.1f}", f"{r['retype']['p50']:.1f}",
            f"{r['full']:.2f} s" if r["full"] is not None else "(--full-1m)",
        ])
        print(f"{n:,}: done", flush=True)
    print(table(rows, ["store triples", "change", "validate p50/p99 ms", "write p50/p99 ms",
                       "delete p50 ms", "retype p50 ms", "full pyshacl"]))
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"write p50 {last['size']:,} vs {first['size']:,}: {last['write']['p50'] / first['write']['p50']:.2f}x; "
              f"validate p50: {last['validate']['p50'] / first['validate']['p50']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
