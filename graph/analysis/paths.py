"""Connection paths between two entities: up to k shortest simple paths with labelled edges.

Over the projection only, so over meaningful relations only (never ``rdf:type``, never a shared
class). Bounded by design:

- at most ``hops`` edges (default 4, at most ``MAX_HOPS``);
- **hubs are not passed through**: a node with more than ``hub_limit`` neighbours (a programme
  with thousands of projects, the most used theme) may be an end of a path but not a step in it -
  "both are in Palliantie" says little, and walking through such nodes is what makes naive path
  search explode;
- a bidirectional breadth-first search from both ends (always growing the smaller frontier) gives
  exact distances inside two balls that together cover every path of at most ``hops`` edges; the
  enumeration then only takes steps that can still reach the other end in the hops left, and stops
  after ``STEP_BUDGET`` steps (the answer says ``truncated`` if it did).

Among paths of the same length, those through less connected nodes come first (the sum of
``log2(degree)`` of the inner nodes): a shared small project says more than a shared big theme.
"""

from __future__ import annotations

import math
from typing import Any

from .network import Projection

DEFAULT_HOPS = 4
MAX_HOPS = 6
HUB_LIMIT = 500
STEP_BUDGET = 50_000
BALL_BUDGET = 20_000
PER_LENGTH = 200


def _grow(net: Projection, frontier: set[str], dist: dict[str, int], depth: int, ends: set[str], hub_limit: int, budget: list[int]) -> set[str]:
    nxt: set[str] = set()
    adj = net.G.adj
    for u in frontier:
        if u not in ends and len(adj[u]) > hub_limit:
            continue  # hubs are not passed through
        for v in adj[u]:
            if v not in dist:
                dist[v] = depth
                nxt.add(v)
                budget[0] -= 1
        if budget[0] <= 0:
            break
    return nxt


def k_shortest_paths(
    net: Projection, source: str, target: str, k: int = 3, hops: int = DEFAULT_HOPS, hub_limit: int = HUB_LIMIT, lang: str = "nl"
) -> dict[str, Any]:
    """Up to ``k`` shortest simple paths source -> target of at most ``hops`` edges."""
    with net.reading():
        out: dict[str, Any] = {"from": net.node_json(source, lang), "to": net.node_json(target, lang), "hops": hops, "paths": [], "truncated": False}
        if source == target:
            return out
        adj = net.G.adj
        ends = {source, target}
        ds, dt = {source: 0}, {target: 0}
        fs, ft = {source}, {target}
        a = b = 0
        budget = [BALL_BUDGET]
        while a + b < hops and (fs or ft) and budget[0] > 0:
            cost_s = sum(len(adj[u]) for u in fs) if fs else math.inf
            cost_t = sum(len(adj[u]) for u in ft) if ft else math.inf
            if cost_s <= cost_t:
                a += 1
                fs = _grow(net, fs, ds, a, ends, hub_limit, budget)
            else:
                b += 1
                ft = _grow(net, ft, dt, b, ends, hub_limit, budget)
        if budget[0] <= 0:
            out["truncated"] = True
        shortest = min((ds[n] + dt[n] for n in ds.keys() & dt.keys()), default=None)
        if shortest is None or shortest > hops:
            return out

        found: list[tuple[int, float, list[str]]] = []
        steps = [STEP_BUDGET]

        def hubness(path: list[str]) -> float:
            return sum(math.log2(1 + len(adj[n])) for n in path[1:-1])

        def dfs(path: list[str], on_path: set[str], left: int, bucket: list[list[str]]) -> None:
            u = path[-1]
            if steps[0] <= 0 or len(bucket) >= PER_LENGTH:
                return
            if u != source and len(adj[u]) > hub_limit:
                return
            for v in sorted(adj[u], key=lambda n: len(adj[n])):
                steps[0] -= 1
                if steps[0] <= 0:
                    out["truncated"] = True
                    return
                if v in on_path:
                    continue
                if v == target:
                    if left == 1:
                        bucket.append([*path, v])
                    continue
                if left <= 1:
                    continue
                d_t = dt.get(v)
                if d_t is not None:
                    if d_t > left - 1:
                        continue
                elif not (left - 1 > b and v in ds and ds[v] <= len(path)):
                    continue
                path.append(v)
                on_path.add(v)
                dfs(path, on_path, left - 1, bucket)
                path.pop()
                on_path.discard(v)
                if len(bucket) >= PER_LENGTH:
                    return

        for length in range(shortest, hops + 1):
            bucket: list[list[str]] = []
            dfs([source], {source}, length, bucket)
            found.extend((length, hubness(p), p) for p in bucket)
            if len(found) >= k or steps[0] <= 0:
                break
        found.sort(key=lambda f: (f[0], f[1], f[2]))
        out["paths"] = [net.path_json(p, lang) for _, _, p in found[:k]]
        return out
