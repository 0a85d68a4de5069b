"""Commands for writers and operators: ``token``, ``dump``, ``restore``, ``template owr``.

Imported by ``service.cli._load_extensions``; it registers its commands in ``cli.COMMANDS`` and
its argument parsers through ``cli.PARSERS``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knooppunt.graph.settings import Settings
from knooppunt.graph.tokens import SCOPES, TokenError, TokenFile
from pyoxigraph import BlankNode, DefaultGraph, Quad, RdfFormat, parse

from . import cli


# --- token ----------------------------------------------------------------------------------------
def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    tokens = TokenFile(settings.resolved_token_file())
    try:
        if args.token_command == "create":
            secret = tokens.create(args.name, args.scope)
            print(secret)
            print(
                f"token {args.name!r} ({args.scope}) created; it is shown only now. "
                f"Send it as 'Authorization: Bearer <token>'. Kept (hashed) in {tokens.path}",
                file=sys.stderr,
            )
        elif args.token_command == "list":
            for t in tokens.list():
                print(f"{t.name}\t{t.scope}\t{t.created}")
        elif args.token_command == "revoke":
            tokens.revoke(args.name)
            print(f"token {args.name!r} revoked", file=sys.stderr)
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


# --- dump / restore -------------------------------------------------------------------------------
def cmd_dump(args: argparse.Namespace, settings: Settings) -> int:
    """The whole store as N-Quads (all graphs, also ``private`` and ``system``): a backup."""
    store = cli._open(settings)
    out = sys.stdout.buffer
    store.dump(out, RdfFormat.N_QUADS)
    out.flush()
    store.close()
    return 0


def _term(t) -> str:
    return str(t)  # N-Triples form: escaped, valid in SPARQL Update DATA blocks


def restore_update(quads: list[Quad]) -> str:
    """One SPARQL Update (one transaction) that makes the store hold exactly ``quads``.

    ``DROP ALL`` and ``INSERT DATA`` in one request: a crash leaves the old or the new content. Blank
    nodes come back relabelled (the restored dataset is isomorphic to the backup).
    """
    parts = []
    for q in quads:
        triple = f"{_term(q.subject)} {_term(q.predicate)} {_term(q.object)} ."
        if isinstance(q.graph_name, DefaultGraph):
            parts.append(triple)
        else:
            parts.append(f"GRAPH {_term(q.graph_name)} {{ {triple} }}")
    text = "DROP ALL"
    if parts:
        text += " ;\nINSERT DATA {\n" + "\n".join(parts) + "\n}"
    return text


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    if args.file != "-" and not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    try:
        source = sys.stdin.buffer if args.file == "-" else open(path, "rb")  # noqa: SIM115
        with source:
            quads = list(parse(source, RdfFormat.N_QUADS))
    except SyntaxError as exc:
        print(f"error: {args.file}: line {exc.lineno}: {exc.msg}", file=sys.stderr)
        return 1
    if any(isinstance(q.graph_name, BlankNode) for q in quads):
        print("error: graphs named by blank nodes cannot be restored", file=sys.stderr)
        return 1
    store = cli._open(settings, write=True, seed=False)
    store.update(restore_update(quads))
    graphs = {q.graph_name for q in quads}
    print(f"restored {len(quads)} quads in {len(graphs)} graphs", file=sys.stderr)
    store.close()
    return 0


# --- template owr ---------------------------------------------------------------------------------
def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from knooppunt.graph.writes import owr_sheet

    store = cli._open(settings)
    levels = owr_sheet.education_levels(store)
    if args.level not in levels:
        raise cli.CliError(f"no education level {args.level!r}; the levels are: {', '.join(levels)}")
    n = owr_sheet.write_template(store, args.level, Path(args.out))
    print(f"{args.out}: {n} rows (OWR 2.0, {args.level}); fill it in and load it with 'knooppunt load'", file=sys.stderr)
    store.close()
    return 0


# --- registration ---------------------------------------------------------------------------------
def extend(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("token", parents=[common], help="write tokens: create, list, revoke")
    tsub = p.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    c = tsub.add_parser("create", parents=[common], help="make a token (printed once)")
    c.add_argument("name", metavar="NAME", help="who or what uses it, e.g. a person's or a tool's name")
    c.add_argument("--scope", choices=SCOPES, default="editor",
                   help="editor writes named graphs; admin may also drop graphs and undo imports (default: %(default)s)")
    tsub.add_parser("list", parents=[common], help="names, scopes and dates of the tokens")
    r = tsub.add_parser("revoke", parents=[common], help="remove a token")
    r.add_argument("name", metavar="NAME")

    sub.add_parser("dump", parents=[common], help="the whole store as N-Quads on standard output (backup)")

    p = sub.add_parser("restore", parents=[common], help="replace the store's content with an N-Quads backup")
    p.add_argument("file", help="an N-Quads file written by 'knooppunt dump' (- for standard input)")

    p = sub.add_parser("template", parents=[common], help="write a spreadsheet template")
    p.add_argument("kind", choices=["owr"], help="owr: the OWR 2.0 curriculum workbook")
    p.add_argument("--level", default="mbo", help="education level, e.g. mbo, hbo, wo (default: %(default)s)")
    p.add_argument("--out", required=True, help="the .xlsx file to write")


cli.COMMANDS.update({"token": cmd_token, "dump": cmd_dump, "restore": cmd_restore, "template": cmd_template})
cli.PARSERS.append(extend)
