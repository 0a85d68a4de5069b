"""Weights of a ranking, configurable per service (an environment variable) and per request.

``parse("theme=3,person=2", DEFAULTS)`` gives the defaults with those two changed; an unknown
kind, a value that is not a number, or one outside 0..100 is a ``ValueError`` naming it (the API
turns it into a 422). Used by related projects (``KNOOPPUNT_RELATED_WEIGHTS``) and connections
(``KNOOPPUNT_CONNECTION_WEIGHTS``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable


def parse(text: str, defaults: dict[str, float]) -> dict[str, float]:
    """``"theme=3,person=2"`` -> ``defaults`` with those changed; ValueError if malformed."""
    weights = dict(defaults)
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, value = part.partition("=")
        kind = kind.strip()
        if not sep or kind not in defaults:
            raise ValueError(f"unknown weight {kind!r}; known: {', '.join(defaults)}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"weight {kind} must be a number, not {value.strip()!r}") from None
        if not 0 <= number <= 100 or math.isnan(number):
            raise ValueError(f"weight {kind} must be between 0 and 100")
        weights[kind] = number
    return weights


def pattern(kinds: Iterable[str]) -> str:
    """A regular expression for the request syntax ``kind=number,...`` with these kinds and 0..100,
    so the OpenAPI document says exactly what :func:`parse` accepts (clients and fuzzers see it)."""
    number = r"(?:100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?)"
    pair = rf"\s*(?:{'|'.join(sorted(kinds))})\s*=\s*{number}\s*"
    return rf"^(?:{pair}(?:,{pair})*)?$"


def from_env(name: str, defaults: dict[str, float], environ: dict[str, str] | None = None) -> dict[str, float]:
    """``defaults`` overridden by the environment variable ``name`` (same syntax as ``parse``)."""
    raw = (environ if environ is not None else os.environ).get(name, "")
    return parse(raw, defaults) if raw else dict(defaults)
