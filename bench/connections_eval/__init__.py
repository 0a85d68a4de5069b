"""How good are the suggestions? Recall@10 and MRR of the connections, related-projects and people
routes against the expectations in :mod:`bench.connections_eval.cases`.

    python -m bench.connections_eval               # the table
    python -m bench.connections_eval --misses      # and every expectation missed, with its reason
    python -m bench.connections_eval --json out.json

The routes are asked through the real app (FastAPI's test client: the ASGI app in-process, over httpx) on the seed
data in an in-memory store, exactly as a client would ask them: an initiative without a title is
sent without one. A request that fails counts as finding nothing (and is counted under
``errors``).

Metrics, per route:

- **recall@10**: per case, the share of its expected resources found in the top 10 of their list;
  averaged over cases (each case weighs the same);
- **MRR**: per case and list, 1 / rank of the best-ranked expected resource in that list (0 if it
  is not among the first 50); averaged over those (case, list) pairs.

For connections the same figures are printed per list (projects, materials, organisations,
people, needs). Not a test: the figures describe the ranking, they do not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .cases import INITIATIVES, PEOPLE, RELATED

BASE = "https://w3id.org/knooppunt"
LISTS = {"project": "projects", "programma": "projects", "materiaal": "materials", "organisatie": "organisations", "persoon": "people", "behoefte": "needs"}
DEPTH = 50  # how far down a list the reciprocal rank looks
TOP = 10


@dataclass
class Score:
    """Per route (or list): recall per case, reciprocal ranks per (case, list), misses."""

    recalls: list[float] = field(default_factory=list)
    rranks: list[float] = field(default_factory=list)
    expected: int = 0
    found: int = 0
    errors: int = 0
    misses: list[tuple[str, str, str, int | None]] = field(default_factory=list)

    def row(self, name: str) -> list[str]:
        recall = sum(self.recalls) / len(self.recalls) if self.recalls else float("nan")
        mrr = sum(self.rranks) / len(self.rranks) if self.rranks else float("nan")
        return [name, str(len(self.recalls)), f"{self.found}/{self.expected}", f"{recall:.3f}", f"{mrr:.3f}", str(self.errors)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.recalls),
            "found": self.found,
            "expected": self.expected,
            "recall@10": sum(self.recalls) / len(self.recalls) if self.recalls else None,
            "mrr": sum(self.rranks) / len(self.rranks) if self.rranks else None,
            "errors": self.errors,
            "misses": [{"case": c, "expected": e, "why": w, "rank": r} for c, e, w, r in self.misses],
        }


def iri(ref: str) -> str:
    return f"{BASE}/id/{ref}"


def judge(case_id: str, expect: dict[str, str], ranked: dict[str, list[str]], scores: dict[str, Score], route: Score) -> None:
    """Score one case: ``ranked`` maps a list name to its IRIs, best first."""
    by_list: dict[str, dict[str, str]] = defaultdict(dict)
    for ref, why in expect.items():
        by_list[LISTS.get(ref.split("/", 1)[0], "results")][ref] = why
    found_case = 0
    for name, wanted in by_list.items():
        order = ranked.get(name, [])[:DEPTH]
        ranks = {ref: (order.index(iri(ref)) + 1 if iri(ref) in order else None) for ref in wanted}
        hits = sum(1 for r in ranks.values() if r is not None and r <= TOP)
        best = min((r for r in ranks.values() if r is not None), default=None)
        rr = 1.0 / best if best else 0.0
        sub = scores.setdefault(name, Score())
        sub.recalls.append(hits / len(wanted))
        sub.rranks.append(rr)
        sub.expected += len(wanted)
        sub.found += hits
        route.rranks.append(rr)
        found_case += hits
        for ref, r in ranks.items():
            if r is None or r > TOP:
                miss = (case_id, ref, wanted[ref], r)
                sub.misses.append(miss)
                route.misses.append(miss)
    route.recalls.append(found_case / len(expect))
    route.expected += len(expect)
    route.found += found_case


def evaluate(client, *, title_from_description: bool = False) -> dict[str, Any]:
    """Run every case against ``client`` (an httpx client on the app); returns the scores."""
    out: dict[str, Any] = {}
    # --- connections
    route, per_list = Score(), {}
    for case in INITIATIVES:
        body: dict[str, Any] = {"description": case.description, **case.form}
        if case.title:
            body["title"] = case.title
        elif title_from_description:
            body["title"] = case.description[:300]
        r = client.post("/api/connections", params={"limit": DEPTH}, json=body)
        ranked: dict[str, list[str]] = {}
        if r.status_code == 200:
            answer = r.json()
            ranked = {name: [x["iri"] for x in answer.get(name, [])] for name in set(LISTS.values())}
        else:
            route.errors += 1
        judge(case.id, case.expect, ranked, per_list, route)
    for sub in per_list.values():
        sub.errors = route.errors
    out["connections"] = (route, per_list)
    # --- related projects
    route = Score()
    for case in RELATED:
        r = client.get(f"/api/projects/{case.project}/related", params={"limit": DEPTH})
        ranked = {}
        if r.status_code == 200:
            ranked = {"projects": [x["iri"] for x in r.json()["related"]]}
        else:
            route.errors += 1
        judge(case.id, case.expect, ranked, {}, route)
    out["related"] = (route, {})
    # --- people
    route = Score()
    for case in PEOPLE:
        r = client.get("/api/people", params={**case.filters, "limit": DEPTH})
        ranked = {}
        if r.status_code == 200:
            ranked = {"people": [x["iri"] for x in r.json()["people"]]}
        else:
            route.errors += 1
        judge(case.id, case.expect, ranked, {}, route)
    out["people"] = (route, {})
    return out


def table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every expectation missed, with its reason")
    parser.add_argument("--json", help="also write the figures (and misses) to this file")
    parser.add_argument("--title-from-description", action="store_true",
                        help="send the description as title when a case has none (for APIs that require a title)")
    args = parser.parse_args(argv)

    import warnings

    from knooppunt.graph.settings import Settings
    from knooppunt.graph.store import open_store
    from knooppunt.service.app import create_app

    store = open_store(Settings(store="memory", base_iri=BASE, token_file=""))
    app = create_app(store=store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    with TestClient(app) as client:  # runs the app's start-up, as a server would
        results = evaluate(client, title_from_description=args.title_from_description)

    rows = []
    for route, (score, per_list) in results.items():
        rows.append(score.row(route))
        for name in ("projects", "materials", "organisations", "people", "needs"):
            if name in per_list:
                rows.append(per_list[name].row("  " + name))
    print(f"Connections evaluation: {len(INITIATIVES)} initiatives, {len(RELATED)} related-project cases, {len(PEOPLE)} people cases")
    print(table(rows, ["route", "cases", "found@10", "recall@10", "MRR", "errors"]))
    if args.misses:
        for route, (score, _) in results.items():
            print(f"\nmissed ({route}):")
            for case, ref, why, rank in score.misses:
                print(f"  {case:28} {ref:60} rank {rank or '-':>3}  ({why})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({route: {**score.as_dict(), "lists": {k: v.as_dict() for k, v in per_list.items()}} for route, (score, per_list) in results.items()}, fh, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
