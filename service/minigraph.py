"""The small picture on a resource page: the resource in the middle, up to ``LIMIT`` neighbours
around it, drawn on the server as SVG.

Why not the explorer's graph library here: a star of a dozen nodes needs no layout engine, and
Cytoscape.js with fCoSE is ~500 KB of script that every resource page would load (and run on a
phone) for one static picture; a page without JavaScript would show nothing. So the picture is
static and the labels cannot collide by construction: neighbours sit in two columns, left and
right of the centre, one row each (``ROW`` px apart, more than a line of text), their labels
written outwards and cut with an ellipsis before they could reach the middle.

It is an image (``role="img"`` with a text alternative), never a set of links: the same
neighbours are the links of the page's Relations section, so nothing interactive sits inside an
image. Each kind has a shape as well as a colour (the same shapes as the explorer and its legend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import pagedata as pd

LIMIT = 12
WIDTH, ROW, TOP = 640, 30, 26
LABEL_CHARS = 26  # ~190 px of 13 px text: fits between a column and the picture's edge

# One shape per kind of thing, as SVG paths around (0, 0) ~10 px across; the explorer draws the
# same shapes with Cytoscape's names (``CY_SHAPES``) and its legend uses these paths.
SHAPES: dict[str, str] = {
    "project": "M-8,-8H8V8H-8Z",
    "organisation": "M9,0L4.5,7.8L-4.5,7.8L-9,0L-4.5,-7.8L4.5,-7.8Z",
    "person": "M9,0A9,9 0 1 1 -9,0A9,9 0 1 1 9,0Z",
    "material": "M0,-9.5L9,7.5L-9,7.5Z",
    "competency": "M0,-10L10,0L0,10L-10,0Z",
    "theme": "M0,-10L2.35,-3.24L9.51,-3.09L3.8,1.24L5.88,8.09L0,4L-5.88,8.09L-3.8,1.24L-9.51,-3.09L-2.35,-3.24Z",
    "region": "M0,-9.5L9.04,-2.94L5.58,7.69L-5.58,7.69L-9.04,-2.94Z",
    "event": "M-3.7,-9L3.7,-9L9,-3.7L9,3.7L3.7,9L-3.7,9L-9,3.7L-9,-3.7Z",
    "plan": "M-9,7L-4,-7L9,-7L4,7Z",
    "other": "M-8,-6Q-8,-8 -6,-8H6Q8,-8 8,-6V6Q8,8 6,8H-6Q-8,8 -8,6Z",
}
CY_SHAPES = {
    "project": "rectangle", "organisation": "hexagon", "person": "ellipse", "material": "triangle",
    "competency": "diamond", "theme": "star", "region": "pentagon", "event": "octagon",
    "plan": "rhomboid", "other": "round-rectangle",
}


@dataclass
class Node:
    label: str
    full: str
    group: str
    relation: str
    x: float
    y: float
    lx: float
    anchor: str


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def picture(site: pd.Site, res: pd.Resource) -> dict:
    """Positions for the picture: the first ``LIMIT`` neighbours from the page's relation groups
    and people, the rest counted in ``more``."""
    seen: dict[str, tuple[pd.Link, str]] = {}
    for group in res.links:
        for item in group.items:
            if item.iri != res.iri and item.iri not in seen and site.is_ours(item.iri):
                seen[item.iri] = (item, group.label)
    for item in res.people:
        seen.setdefault(item.iri, (item, item.note))
    total = sum(g.total for g in res.links) + res.people_total
    chosen = list(seen.values())[:LIMIT]
    left, right = chosen[1::2], chosen[0::2]
    rows = max(len(left), len(right), 1)
    height = TOP * 2 + ROW * (rows - 1) + 20
    cx, cy = WIDTH / 2, height / 2
    nodes = []
    for side, column in ((-1, left), (1, right)):
        n = len(column)
        for i, (link, relation) in enumerate(column):
            y = cy + (i - (n - 1) / 2) * ROW
            spread = (i - (n - 1) / 2) / max(rows, 1)
            x = cx + side * (95 + 20 * math.cos(spread * math.pi))  # a gentle arc
            lx = x + side * 14
            nodes.append(Node(_short(link.label), link.label, link.group, relation, round(x, 1), round(y, 1), round(lx, 1), "start" if side > 0 else "end"))
    return {
        "width": WIDTH, "height": round(height), "cx": cx, "cy": round(cy, 1), "nodes": nodes,
        "group": site.group(res.iri), "shapes": SHAPES,
        "more": max(0, max(total, len(seen)) - len(chosen)),
        "groups": sorted({n.group for n in nodes} | {site.group(res.iri)}, key=lambda g: list(SHAPES).index(g)),
    }
