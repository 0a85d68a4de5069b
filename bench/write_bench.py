"""Validated writes: a ~100-triple change into stores of ~10k, 100k and 1M triples, by every route.

For each size, on a private copy of the cached synthetic store (``bench.common.copy_store``):

- *validate*: ``graph.writes.incremental.validate_delta`` for one new project with links (lead, partners,
  themes, competencies, levels, programme, region, two materials, two people with memberships:
  ~100 triples), p50/p99 over repeated runs;
- *import*: the whole ``POST /api/import`` path in-process (Turtle parsed, delta, privacy routing,
  validation, one ``apply_delta`` with the provenance record), each run a new project in its own graph;
- *GSP*: a Graph Store ``PUT`` of the same change (N-Triples body) through ``ingest.commit``;
- *update*: the same change as ``INSERT DATA``, parsed, evaluated over the overlay
  (``graph.writes.update``), validated and committed; and *update-where*, a ``DELETE/INSERT ... WHERE``
  that renames one written project (its WHERE reads the store);
- *copy-update*: the design this replaced, for comparison: the ``INSERT DATA`` run by pyoxigraph on an
  in-memory copy of the visible graphs (its cost is the copy, so it grows with the store);
- *delete* and *retype*: validation of removing one written project while its materials and
  memberships still point at it (they are validated too, and refused), and of a change that types
  the project ``kp:Programme``;
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
from knooppunt.graph.writes import incremental, ingest, update, validation
from knooppunt.graph.writes.delta import Delta, replace_graph
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize
from pyoxigraph import Store as OxStore

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


PREFIXES = {"kp": KP, "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "dct": "http://purl.org/dc/terms/",
            "org": ORG, "foaf": "http://xmlns.com/foaf/0.1/", "id": "https://w3id.org/knooppunt/id/"}


def _update_text(quads: list[Quad]) -> str:
    """The change as a person writes it: ``INSERT DATA`` with prefixes, one block per subject."""
    def short(term) -> str:
        if isinstance(term, NamedNode):
            for prefix, ns in PREFIXES.items():
                local = term.value[len(ns):]
                if term.value.startswith(ns) and local.replace("-", "").replace("_", "").isalnum():
                    return f"{prefix}:{local}"
        return str(term)

    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
    blocks = [short(s) + " " + " ;\n    ".join(f"{short(q.predicate)} {short(q.object)}" for q in qs) + " ."
              for s, qs in by_subject.items()]
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return head + f"INSERT DATA {{ GRAPH {quads[0].graph_name} {{\n" + "\n".join(blocks) + "\n} }"


def _copy_update_delta(store, text: str) -> int:
    """The replaced design: the update run by pyoxigraph on an in-memory copy of the visible graphs."""
    hidden = {store.graph(n) for n in ("private", "system", "provenance")}
    copy = OxStore()
    copy.extend(q for g in store.named_graphs() if g not in hidden for q in store.quads(graph=g))
    before = len(copy)
    copy.update(text)
    return len(copy) - before


def measure(n: int, repeat: int, full: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="write-bench-") as tmp:
        path = copy_store(n, Path(tmp) / "store")
        store = open_store(from_env(store=str(path)))
        size = store.count()
        triples = len(change(store, 0)[1])
        counter = [10_000]

        def fresh(project_class: str = "Project") -> tuple[NamedNode, list[Quad]]:
            counter[0] += 1
            return change(store, counter[0], project_class)

        def validate_only():
            g, quads = fresh()
            report = incremental.validate_delta(store, replace_graph(store, g, quads))
            assert report.conforms, report.text()

        records: list[str] = []
        written: list[str] = []

        def via_import():
            g, quads = fresh()
            body = serialize([q.triple for q in quads], format=RdfFormat.TURTLE)
            result = ingest.import_document(store, body, "text/turtle", g, agent="bench", scope="admin", source="bench")
            records.append(result.id)
            written.append(quads[0].subject.value)

        def via_gsp():
            g, quads = fresh()
            body = serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)
            parsed = ingest.parse_rdf(body, RdfFormat.N_TRIPLES, store.settings.base, g)
            ingest.commit(store, lambda: replace_graph(store, g, parsed), agent="bench", scope="admin",
                          operation="gsp-put", graph=g, replaces_graph=True)

        def via_update():
            _, quads = fresh()
            parsed = update.parse_update(_update_text(quads), store.settings.base)
            ingest.commit(store, lambda: update.update_delta(store, parsed, admin=True), agent="bench",
                          scope="admin", operation="sparql-update")

        renamed = [0]

        def via_update_where():
            renamed[0] += 1
            project = written[renamed[0] % len(written)]
            text = (f"DELETE {{ GRAPH ?g {{ <{project}> <{LABEL.value}> ?l }} }} "
                    f"INSERT {{ GRAPH ?g {{ <{project}> <{LABEL.value}> \"Hernoemd {renamed[0]}\"@nl }} }} "
                    f"WHERE {{ GRAPH ?g {{ <{project}> <{LABEL.value}> ?l FILTER(lang(?l) = \"nl\") }} }}")
            parsed = update.parse_update(text, store.settings.base)
            result = ingest.commit(store, lambda: update.update_delta(store, parsed, admin=True), agent="bench",
                                   scope="admin", operation="sparql-update")
            assert (result.added, result.removed) == (1, 1), result

        def copy_update():
            _, quads = fresh()
            _copy_update_delta(store, _update_text(quads))

        imports = summary(timed(via_import, repeat, warmup=10))  # the first writes warm the store's caches
        validate = summary(timed(validate_only, repeat))
        gsp = summary(timed(via_gsp, repeat))
        updates = summary(timed(via_update, repeat))
        where = summary(timed(via_update_where, repeat, warmup=0))
        copying = summary(timed(copy_update, min(repeat, 5), warmup=0))

        ids = iter(list(records))

        def delete():  # delete a project that materials and memberships point at: they are checked
            g = NamedNode(ingest.provenance.find(store, next(ids)).graph)
            project = NamedNode(g.value.replace("/graph/bench-", "/id/project/bench-"))
            report = incremental.validate_delta(store, Delta(removed=list(store.quads(project, None, None, g))))
            assert not report.conforms  # kp:producedBy / kp:project now point at nothing typed

        deletion = summary(timed(delete, min(repeat, len(records)), warmup=0))

        def retype():
            g, quads = fresh("Programme")
            incremental.validate_delta(store, replace_graph(store, g, quads))

        retyping = summary(timed(retype, repeat, warmup=0))
        result = {"size": size, "change": triples, "validate": validate, "import": imports, "gsp": gsp,
                  "update": updates, "where": where, "copy": copying, "delete": deletion, "retype": retyping,
                  "full": None}
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

        def pp(key: str, r: dict = r) -> str:
            return f"{r[key]['p50']:.1f} / {r[key]['p99']:.1f} ({r[key]['min']:.1f})"

        rows.append([
            f"{r['size']:,}", str(r["change"]), pp("validate"), pp("import"), pp("gsp"), pp("update"), pp("where"),
            f"{r['copy']['p50']:.0f}", f"{r['delete']['p50']:.1f}", f"{r['retype']['p50']:.1f}",
            f"{r['full']:.2f} s" if r["full"] is not None else "(--full-1m)",
        ])
        print(f"{n:,}: done", flush=True)
    print(table(rows, ["store triples", "change", "validate p50/p99", "import p50/p99", "GSP PUT p50/p99",
                       "INSERT DATA p50/p99", "DELETE/INSERT WHERE p50/p99", "copy-update p50", "delete p50",
                       "retype p50", "full pyshacl"]))
    print("(milliseconds: p50 / p99 (min); the update columns include parsing the text. On a shared machine\n"
          " the minimum is the cost with the CPU to ourselves; p50 and p99 include waiting for it.)")
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratios = ", ".join(
            f"{name} {last[key]['p50'] / first[key]['p50']:.2f}x"
            for key, name in (("validate", "validate"), ("import", "import"), ("gsp", "GSP"),
                              ("update", "INSERT DATA"), ("where", "WHERE"), ("copy", "copy-update"))
        )
        print(f"p50 at {last['size']:,} vs {first['size']:,}: {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
