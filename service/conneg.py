"""Content negotiation for resource IRIs: HTML for people, RDF for machines, on the same path.

Kept apart from the pages so the rule is easy to read and test: the ``Accept`` header is parsed
with its q-values, and the offered type the client likes best wins; on a tie the order of
``OFFERED`` decides (HTML first, so a browser's ``*/*`` gets the page). ``?format=ttl|jsonld|nt``
overrides the header, so a plain link on the page can download the data.
"""

from __future__ import annotations

from pyoxigraph import RdfFormat

HTML = "text/html"
OFFERED: dict[str, RdfFormat | None] = {
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


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range that matches ``offer`` (RFC 9110 12.5.1)."""
    best, best_specificity = 0.0, -1
    kind = offer.split("/")[0]
    for media, q in ranges:
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best, best_specificity = q, specificity
    return best


def choose(accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer with, or ``None`` when nothing offered is acceptable (406)."""
    if format_param:
        return FORMAT_PARAM.get(format_param.lower())
    if not accept or not accept.strip():
        return HTML
    ranges = _ranges(accept)
    scored = [(_quality(offer, ranges), -i, offer) for i, offer in enumerate(OFFERED)]
    q, _, offer = max(scored)
    if q <= 0:
        return None
    return HTML if offer == "application/xhtml+xml" else offer
