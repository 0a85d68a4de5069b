"""Content negotiation (RFC 9110 12.5.1): one reading of ``Accept`` for every route.

``/sparql`` negotiates result and RDF formats with :func:`negotiate`; resource IRIs (``/id/...``)
use :func:`choose`: HTML for people, RDF for machines, on the same path. On a tie in q the
client's own order decides, then ours (HTML first, so a browser's ``*/*`` gets the page).
``?format=ttl|jsonld|nt`` overrides the header, so a plain link on a page can download the data.
"""

from __future__ import annotations

from pyoxigraph import RdfFormat

HTML = "text/html"
OFFERED: dict[str, RdfFormat | None] = {  # HTML first: it wins ties
    HTML: None,
    "application/xhtml+xml": None,
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
}
FORMAT_PARAM = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "html": HTML,
}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """Media ranges of an Accept header as (range, q, position); malformed q counts as 0."""
    ranges = []
    for position, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def quality(media: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int]:
    """(q, position) of the most specific range matching ``media``; (0, 0) if none."""
    kind = media.split("/")[0]
    best: tuple[int, float, int] | None = None
    for rng, q, position in ranges:
        if rng == media:
            specificity = 3
        elif rng == f"{kind}/*":
            specificity = 2
        elif rng == "*/*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q, position)
    return (best[1], best[2]) if best else (0.0, 0)


def negotiate(ranges: list[tuple[str, float, int]], offered: dict[str, str]) -> str | None:
    """The format of the offered media type the client likes best (q, then its order, then ours).

    The first media type listed for a format is its own; later ones are aliases (``application/json``
    for results JSON) that count only when the client names them exactly, so
    ``application/sparql-results+json;q=0, */*`` really excludes JSON."""
    if not ranges:
        return next(iter(offered.values()))
    scored, seen = [], set()
    for index, (media, fmt) in enumerate(offered.items()):
        alias = fmt in seen
        seen.add(fmt)
        if alias and not any(rng == media for rng, _, _ in ranges):
            continue
        q, position = quality(media, ranges)
        if q > 0:
            scored.append((-q, position, index, fmt))
    return min(scored)[3] if scored else None



def choose(accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer a resource IRI with, or ``None`` when nothing offered is
    acceptable (406)."""
    if format_param:
        return FORMAT_PARAM.get(format_param.lower())
    if not accept or not accept.strip():
        return HTML
    offered = {media: ("html" if fmt is None else media) for media, fmt in OFFERED.items()}
    chosen = negotiate(parse_accept(accept), offered)
    return HTML if chosen == "html" else chosen
