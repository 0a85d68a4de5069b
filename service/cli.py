"""The ``knooppunt`` command: serve, load, validate, query, export, stats (and more per feature).

Every command takes ``--store`` and ``--base-iri``; without them the ``KNOOPPUNT_*`` environment
variables apply (see the README's settings table).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

from knooppunt.graph import __version__
from knooppunt.graph.settings import Settings, from_env
from knooppunt.graph.store import Store, StoreError, open_store, rdf_format

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {}
PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def _settings(args: argparse.Namespace) -> Settings:
    return from_env(store=args.store, base_iri=args.base_iri)


def _open(settings: Settings) -> Store:
    return open_store(settings)


# --- serve --------------------------------------------------------------------------------------
@command("serve")
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    settings = settings.with_overrides(
        query_timeout=args.query_timeout, max_concurrent_queries=args.max_concurrent_queries
    )
    app = create_app(settings)
    store = app.state.store
    print(
        f"Knooppunt {__version__}: {store.backend} store at {settings.store}, "
        f"{store.count()} triples. Serving on http://{args.host}:{args.port}/",
        file=sys.stderr,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


# --- load ---------------------------------------------------------------------------------------
class _ProgressReader(io.RawIOBase):
    """A file wrapper that moves a tqdm bar as the parser reads."""

    def __init__(self, raw, bar) -> None:
        self._raw, self._bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer)
        self._bar.update(n or 0)
        return n


@command("load")
def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """Each file a validated, recorded import (``graph.writes.ingest.load_path``)."""
    from knooppunt.graph.writes import ingest
    from tqdm import tqdm

    store = _open(settings)
    total = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"error: no such file: {path}", file=sys.stderr)
            return 2
        graph = store.graph(args.graph or path.stem)
        try:
            fmt = rdf_format(args.format) if args.format else None
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        size = path.stat().st_size
        show = size > 5_000_000 and not args.quiet and args.no_validate
        with open(path, "rb", buffering=0) as raw, tqdm(
            total=size, unit="B", unit_scale=True, desc=path.name, disable=not show, file=sys.stderr
        ) as bar:
            try:
                result = ingest.load_path(
                    store, path, graph, fmt=fmt, validate=not args.no_validate,
                    reader=io.BufferedReader(_ProgressReader(raw, bar), 1 << 20),
                )
            except ingest.Refused as exc:
                print(f"error: {path}: {exc.detail}", file=sys.stderr)
                for r in exc.report.violations:
                    print("  " + r.line(), file=sys.stderr)
                return 1
            except (ingest.WriteError, ValueError) as exc:
                kind = "invalid RDF: " if isinstance(exc, ingest.ParseError) else ""
                print(f"error: {path}: {kind}{getattr(exc, 'detail', exc)}", file=sys.stderr)
                return 1
        for w in result.warnings:
            print("  " + w.line(), file=sys.stderr)
        total += result.added
        print(f"{path}: {result.added} triples added, {result.removed} removed, in <{graph.value}>", file=sys.stderr)
    print(f"loaded {total} triples; the store now holds {store.count()}", file=sys.stderr)
    store.close()
    return 0


# --- validate -----------------------------------------------------------------------------------
@command("validate")
def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """The whole store, or FILEs checked exactly as ``knooppunt load`` would import them."""
    from knooppunt.graph.writes import ingest, validation

    store = _open(settings)
    if args.files:
        documents = []
        for name in args.files:
            path = Path(name)
            if not path.is_file():
                print(f"error: no such file: {path}", file=sys.stderr)
                return 2
            try:
                media_type = ingest.media_type_for_path(path)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            documents.append((path.read_bytes(), media_type, store.graph(args.graph or path.stem), path.name))
        try:
            report = ingest.check_imports(store, documents)
        except ingest.WriteError as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 2
    else:
        report = validation.validate(
            validation.to_rdflib_graph(q for g in store.public_graphs() for q in store.quads(graph=g))
        )
    print(report.text(args.lang))
    store.close()
    return 0 if report.conforms else 1


# --- query --------------------------------------------------------------------------------------
@command("query")
def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

    store = _open(settings)
    text = args.sparql if args.sparql != "-" else sys.stdin.read()
    default, named = store._dataset("public")
    try:
        result = store._query(text, None, default, named)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    if isinstance(result, QuerySolutions | QueryBoolean):
        fmt = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV,
               "xml": QueryResultsFormat.XML}.get(args.format or "csv", QueryResultsFormat.CSV)
        result.serialize(out, fmt)
    else:
        fmt = rdf_format(args.format) if args.format and args.format not in ("json", "csv") else RdfFormat.TURTLE
        result.serialize(out, fmt)
    out.flush()
    store.close()
    return 0


# --- export -------------------------------------------------------------------------------------
@command("export")
def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pyoxigraph import RdfFormat, serialize

    store = _open(settings)
    fmt = rdf_format(args.format)
    out = sys.stdout.buffer
    if args.graph:
        graph = store.graph(args.graph)
        if graph not in store.named_graphs():
            print(f"error: no graph named {args.graph!r}", file=sys.stderr)
            return 2
        store.dump(out, fmt, graph)
    elif fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        quads = [q for g in store.public_graphs() for q in store.quads(graph=g)]
        serialize(quads, out, fmt)
    else:
        triples = {q.triple for g in store.public_graphs() for q in store.quads(graph=g)}
        serialize(sorted(triples, key=str), out, fmt)
    out.flush()
    store.close()
    return 0


# --- stats --------------------------------------------------------------------------------------
@command("stats")
def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    store = _open(settings)
    classes = store.select(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
    )
    graphs = [(store.graph_name(g), store.count(g)) for g in store.named_graphs()]
    if args.json:
        print(json.dumps({
            "backend": store.backend,
            "triples": store.count(),
            "classes": {r["class"].value: int(r["n"].value) for r in classes},
            "graphs": dict(graphs),
        }, indent=2))
    else:
        print(f"backend: {store.backend}   public triples: {store.count()}")
        print("\nper graph:")
        for name, n in sorted(graphs):
            print(f"  {n:>9}  {name}")
        print("\nper class:")
        for r in classes:
            print(f"  {int(r['n'].value):>9}  {r['class'].value}")
    store.close()
    return 0


# --- argument parsing ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="store directory, 'memory', or SPARQL store URL (KNOOPPUNT_STORE)")
    common.add_argument("--base-iri", help="base IRI of instances (KNOOPPUNT_BASE_IRI)")

    parser = argparse.ArgumentParser(prog="knooppunt", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"knooppunt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", parents=[common], help="run the web service (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.add_argument("--query-timeout", type=float, help="seconds before a SPARQL query is stopped")
    p.add_argument("--max-concurrent-queries", type=int)

    p = sub.add_parser("load", parents=[common], help="load RDF files into a named graph")
    p.add_argument("files", nargs="+")
    p.add_argument("--graph", help="graph name (default: the file's stem)")
    p.add_argument("--format", help="RDF format (default: from the file name)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--no-validate", action="store_true",
                   help="bulk-load trusted RDF without validation (recorded in provenance as such)")

    p = sub.add_parser("validate", parents=[common], help="SHACL-validate the store, or files against it")
    p.add_argument("files", nargs="*")
    p.add_argument("--graph", help="graph the files would be imported into (default: each file's stem)")
    p.add_argument("--lang", choices=["nl", "en"], default="nl")

    p = sub.add_parser("query", parents=[common], help="run a SPARQL query on the public dataset")
    p.add_argument("sparql", help="the query text, or - to read it from standard input")
    p.add_argument("--format", choices=["json", "csv", "tsv", "xml", "ttl", "nt", "jsonld"])

    p = sub.add_parser("export", parents=[common], help="write the public dataset or one graph")
    p.add_argument("--format", default="ttl", choices=["ttl", "nt", "nq", "jsonld", "trig", "xml"])
    p.add_argument("--graph", help="graph name, e.g. ontology")

    p = sub.add_parser("stats", parents=[common], help="counts per class and per graph")
    p.add_argument("--json", action="store_true")

    for extend in PARSERS:
        extend(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    settings = _settings(args)
    try:
        return COMMANDS[args.command](args, settings)
    except BrokenPipeError:
        return 0


def _load_extensions() -> None:
    """Feature modules add commands (``token``, ``dump``, ``template`` ...) by importing themselves."""
    import importlib

    for name in ("cli_writes",):
        try:
            importlib.import_module(f"knooppunt.service.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"knooppunt.service.{name}":
                raise


if __name__ == "__main__":
    sys.exit(main())
