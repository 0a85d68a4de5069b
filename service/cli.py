"""The ``knooppunt`` command: serve, load, validate, query, export, stats (and more per feature).

Every command takes ``--store`` and ``--base-iri``, before or after the command's name; without
them the ``KNOOPPUNT_*`` environment variables apply (see the README's settings table).

While ``knooppunt serve`` holds an on-disk store (one process at a time may open it), read
commands read a consistent snapshot the service makes, and ``load`` writes through the service's
validated write path; other writes say which process holds the store (``service.running``).
Expected failures (a locked store, a missing or broken file, a busy port) are one ``error:`` line
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from knooppunt.graph import __version__
from knooppunt.graph.settings import Settings, from_env
from knooppunt.graph.store import (
    OxigraphStore,
    Store,
    StoreError,
    StoreLocked,
    open_store,
    rdf_format,
)

from . import running

COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {}
PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []
_cleanup = contextlib.ExitStack()
"""Snapshots a command read (closed and removed when ``main`` returns)."""


class CliError(Exception):
    """An expected failure: ``main`` prints ``error: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class StoreHeld(CliError):
    """A running ``knooppunt serve`` holds the store and this command must write to it."""

    def __init__(self, path: Path, service: running.ServerInfo) -> None:
        super().__init__(
            f"the store {path} is held by {service.describe()}. Stop the service first (Ctrl-C in "
            f"its terminal, or 'kill {service.pid}'), then run this command again; read commands "
            "(stats, query, export, dump, validate) work beside it.",
            code=1,
        )
        self.service = service


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return from_env(store=getattr(args, "store", None), base_iri=getattr(args, "base_iri", None))
    except ValueError as exc:
        raise CliError(f"a KNOOPPUNT_* environment variable has a value of the wrong kind: {exc}") from exc


def _open(settings: Settings, *, write: bool = False, seed: bool = True) -> Store:
    """Open the store the settings name. While ``knooppunt serve`` holds it, a reader gets a
    snapshot the service makes (removed when the command ends) and a writer ``StoreHeld``."""
    try:
        return open_store(settings, seed=seed)
    except StoreLocked as exc:
        service = running.find(exc.path)
        if service is None:
            raise CliError(
                f"the store {exc.path} is in use by {running.lock_holder(exc.path)}; "
                "wait until it is done or stop it, then try again", code=1,
            ) from None
        if write:
            raise StoreHeld(exc.path, service) from None
        try:
            path = _cleanup.enter_context(running.snapshot(service))
        except running.ServiceError as err:
            raise CliError(str(err), code=1) from None
        store = OxigraphStore(settings.with_overrides(store=str(path)), path)
        _cleanup.callback(store.close)  # before the snapshot's files go
        return store


# --- serve --------------------------------------------------------------------------------------
@command("serve")
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    settings = settings.with_overrides(
        query_timeout=args.query_timeout, max_concurrent_queries=args.max_concurrent_queries
    )
    sock = _listen(args.host, args.port)  # first: a busy port fails before anything is opened
    try:
        app = create_app(settings)
    except StoreLocked as exc:
        sock.close()
        raise CliError(f"the store {exc.path} is already in use by {running.holder(exc.path)}", code=1) from None
    store = app.state.store
    print(
        f"Knooppunt {__version__}: {store.backend} store at {settings.store}, "
        f"{store.count()} triples. Serving on http://{_url_host(args.host)}:{args.port}/",
        file=sys.stderr,
    )
    app.state.local_url = f"http://{_url_host(_loopback(args.host))}:{args.port}"  # for serve.json
    uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level)).run(sockets=[sock])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so a busy port is one clear error line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(f"cannot listen on {host!r}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(
                f"port {port} on {host} is already in use (another knooppunt serve?); "
                f"choose another with --port, e.g. --port {port + 1}", code=1,
            ) from None
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}", code=1) from None
    return sock


def _loopback(host: str) -> str:
    """The address a local client uses for a server bound to ``host``."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


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

    try:
        store = _open(settings, write=True)
    except StoreHeld as held:
        return load_through_service(held.service, args, settings)
    total = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"no such file: {name}")
        graph = store.graph(args.graph or path.stem)
        try:
            fmt = rdf_format(args.format) if args.format else None
        except ValueError as exc:
            raise CliError(str(exc)) from None
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
                for r in exc.report.violations:
                    print("  " + r.line(), file=sys.stderr)
                raise CliError(f"{name}: {exc.detail}", code=1) from None
            except ingest.WriteError as exc:
                kind = "invalid RDF: " if isinstance(exc, ingest.ParseError) else ""
                raise CliError(f"{name}: {kind}{exc.detail}", code=1) from None
            except ValueError as exc:
                raise CliError(f"{name}: {exc}") from None
        for w in result.warnings:
            print("  " + w.line(), file=sys.stderr)
        for d in result.duplicates:
            print(f"  [Duplicate?] {d.iri}: {d.message(getattr(args, 'lang', 'nl'))}", file=sys.stderr)
        total += result.added
        print(f"{name}: {result.added} triples added, {result.removed} removed, in <{graph.value}>", file=sys.stderr)
    print(f"loaded {total} triples; the store now holds {store.count()}", file=sys.stderr)
    store.close()
    return 0


def load_through_service(service: running.ServerInfo, args: argparse.Namespace, settings: Settings) -> int:
    """``load`` while ``knooppunt serve`` holds the store: each file goes through the service's
    validated write path as the ``cli`` token: ``POST /api/import``, the same import as without a
    server (the file replaces what its graph held). The service's upload limit applies;
    ``--no-validate`` needs the store itself."""
    from knooppunt.graph.writes.ingest import media_type_for_path

    if args.no_validate:
        raise CliError(f"--no-validate loads into the store directly; stop {service.describe()} first")
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"no such file: {name}")
        graph = args.graph or path.stem
        try:
            media = rdf_format(args.format).media_type if args.format else media_type_for_path(path)
        except ValueError as exc:
            raise CliError(f"{name}: {exc}") from None
        route, params = "/api/import", {"graph": graph, "source": path.name}
        try:
            result = running.send(service, "POST", route, params=params, content=path.read_bytes(), media=media)
        except running.ServiceError as exc:
            raise CliError(f"{name}: {exc}", code=1) from None
        for d in result.get("duplicates", []):
            print(f"  [Duplicate?] {d['iri']}: {d['message']['nl']}", file=sys.stderr)
        counts = f"+{result['added']} -{result.get('removed', 0)} triples" if "added" in result else "added"
        iri = graph if ":" in graph else settings.graph_iri(graph)
        print(f"{name}: {counts} into <{iri}> through {service.describe()}", file=sys.stderr)
    return 0


# --- validate -----------------------------------------------------------------------------------
@command("validate")
def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    """The whole store, or FILEs checked exactly as ``knooppunt load`` would import them."""
    from knooppunt.graph.writes import ingest, validation

    for name in args.files:  # errors before the store opens
        if not Path(name).is_file():
            raise CliError(f"no such file: {name}")
    store = _open(settings)
    if args.files:
        by_graph: dict = {}
        tables: set = set()
        for name in args.files:
            path = Path(name)
            graph = store.graph(args.graph or path.stem)
            try:
                media = rdf_format(args.format).media_type if args.format else ingest.media_type_for_path(path)
                if media in ingest.CSV_TYPES:
                    tables.add(graph)
                by_graph.setdefault(graph, []).extend(
                    ingest.document_quads(store, path.read_bytes(), media, graph, source=path.name))
            except ValueError as exc:
                raise CliError(f"{name}: {exc}") from None
            except ingest.WriteError as exc:
                raise CliError(f"{name}: {exc.detail}", code=1) from None
        report = ingest.check_imports(store, by_graph, tables)
    else:
        report = validation.validate(
            validation.to_rdflib_graph(q for g in store.public_graphs() for q in store.quads(graph=g))
        )
    print(report.text(args.lang))
    store.close()
    return 0 if report.conforms else 1


# --- query --------------------------------------------------------------------------------------
QUERY_FORMATS = {
    "bindings": ("csv", "tsv", "json", "xml"),
    "boolean": ("json", "xml", "csv", "tsv"),
    "graph": ("ttl", "nt", "jsonld", "rdfxml", "nq", "trig"),
}
"""Formats per result kind; the first is the default."""
RESULT_KIND = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


@command("query")
def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from knooppunt.graph.namespaces import PREFIXES
    from knooppunt.graph.sparql.results import render_bindings, render_boolean, render_graph
    from knooppunt.graph.sparql.text import query_shape, with_prefixes
    from pyoxigraph import QueryBoolean, QuerySolutions

    text = with_prefixes(args.sparql if args.sparql != "-" else sys.stdin.read(), PREFIXES)
    shape = query_shape(text)
    if shape.is_update:
        raise CliError("this is a SPARQL Update; 'query' only reads (write with 'load', or POST the "
                       "update to the service's /sparql with a token)")
    kind = RESULT_KIND.get(shape.form or "", "bindings")
    fmt = args.format or QUERY_FORMATS[kind][0]
    if fmt not in QUERY_FORMATS[kind]:
        raise CliError(f"--format {fmt} does not fit a {shape.form} query; its results can be: "
                       f"{', '.join(QUERY_FORMATS[kind])}")
    store = _open(settings)
    try:
        result = store.query(text)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        body = render_bindings(names, [[row[n] for n in names] for row in result], fmt)
    elif isinstance(result, QueryBoolean):
        body = render_boolean(bool(result), fmt)
    else:
        body = render_graph(list(result), fmt)
    sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
    sys.stdout.buffer.flush()
    store.close()
    return 0


# --- export -------------------------------------------------------------------------------------
@command("export")
def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from knooppunt.graph.sparql.results import rdf_document
    from pyoxigraph import RdfFormat

    store = _open(settings)
    fmt = rdf_format(args.format)
    dataset = fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG)
    if args.graph:
        graphs = [store.graph(args.graph)]
        if graphs[0] not in store.named_graphs():
            raise CliError(f"no graph named {args.graph!r} (see 'knooppunt stats' for the graphs)")
    else:
        graphs = store.public_graphs()
    quads = (q for g in graphs for q in store.quads(graph=g))
    statements = quads if dataset else {q.triple for q in quads}
    sys.stdout.buffer.write(rdf_document(statements, fmt))
    sys.stdout.buffer.flush()
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
def common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--store`` and ``--base-iri``; on subcommands they default to "not given" (``SUPPRESS``),
    so a value given before the command's name is not overwritten by the subcommand's default."""
    default = argparse.SUPPRESS if suppress else None
    store = (os.environ.get("KNOOPPUNT_STORE") or Settings().store).replace("%", "%%")
    base = (os.environ.get("KNOOPPUNT_BASE_IRI") or Settings().base_iri).replace("%", "%%")
    parser.add_argument("--store", default=default, metavar="DIR|memory|URL",
                        help=f"a store directory, 'memory', or the URL of a SPARQL 1.1 store "
                             f"(KNOOPPUNT_STORE; now: {store})")
    parser.add_argument("--base-iri", default=default, metavar="IRI",
                        help=f"base of instance IRIs and graph names (KNOOPPUNT_BASE_IRI; now: {base})")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)  # the parent of every subcommand
    common_options(common, suppress=True)
    parser = argparse.ArgumentParser(
        prog="knooppunt",
        description="Knooppunt: serve, load, validate, query, export and back up the knowledge graph of "
                    "Dutch palliative-care education.",
        epilog="Run 'knooppunt COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"knooppunt {__version__}")
    common_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", parents=[common], help="run the web service (uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for every interface (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug", "trace"],
                   help="uvicorn's log level (default: %(default)s)")
    p.add_argument("--query-timeout", type=float, metavar="SECONDS",
                   help=f"seconds before a SPARQL query is stopped (KNOOPPUNT_QUERY_TIMEOUT; default: {Settings().query_timeout:g})")
    p.add_argument("--max-concurrent-queries", type=int, metavar="N",
                   help=f"SPARQL queries running at once (KNOOPPUNT_MAX_CONCURRENT_QUERIES; default: {Settings().max_concurrent_queries})")

    p = sub.add_parser("load", parents=[common], help="load RDF, CSV or OWR workbooks into a named graph")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--graph", help="graph name (default: the file's name without its extension)")
    p.add_argument("--format", help="RDF format, e.g. ttl, nt, nq, jsonld, xml (default: from the file's extension)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-validate", action="store_true",
                   help="bulk-load trusted RDF without validation (recorded in provenance as such)")

    p = sub.add_parser("validate", parents=[common], help="SHACL-validate the store, or files against it")
    p.add_argument("files", nargs="*", metavar="FILE", help="files to check as 'load' would import them (default: the whole store)")
    p.add_argument("--graph", help="graph the files would be imported into (default: each file's name without its extension)")
    p.add_argument("--format", help="RDF format, e.g. ttl, nt, nq, jsonld, xml (default: from the file's extension)")
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of the messages (default: %(default)s)")

    p = sub.add_parser("query", parents=[common], help="run a SPARQL query on the public dataset")
    p.add_argument("sparql", metavar="SPARQL", help="the query text, or - to read it from standard input")
    p.add_argument("--format", choices=sorted({f for fs in QUERY_FORMATS.values() for f in fs}),
                   help="csv, tsv, json or xml for SELECT and ASK; ttl, nt, jsonld, rdfxml, nq or trig "
                        "for CONSTRUCT and DESCRIBE (default: csv for SELECT, json for ASK, ttl otherwise)")

    p = sub.add_parser("export", parents=[common], help="write the public dataset or one graph")
    p.add_argument("--format", default="ttl", choices=["ttl", "nt", "nq", "jsonld", "trig", "xml"],
                   help="RDF format; nq and trig keep the graph names (default: %(default)s)")
    p.add_argument("--graph", help="one graph by name, e.g. ontology (default: every public graph)")

    p = sub.add_parser("stats", parents=[common], help="counts per class and per graph")
    p.add_argument("--json", action="store_true", help="as JSON")

    for extend in PARSERS:
        extend(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    try:
        with _cleanup:
            return COMMANDS[args.command](args, _settings(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except (StoreError, running.ServiceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the file system said no (permissions, a full disk, ...)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _load_extensions() -> None:
    """Feature modules add commands (``token``, ``dump``, ``template`` ...) by importing themselves."""
    import importlib

    for name in ("cli_writes",):
        try:
            importlib.import_module(f"knooppunt.service.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"knooppunt.service.{name}":
                raise


if __name__ == "__main__":  # python -m: run the imported module, where feature commands register
    from knooppunt.service import cli

    sys.exit(cli.main())
