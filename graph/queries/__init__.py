"""Named SPARQL queries: ``graph/queries/*.rq``, each with a Dutch and English title and description.

A query file starts with comment lines of metadata, then the query::

    # title@nl: Wie werkt aan welke competentie?
    # title@en: Who works on which competency?
    # description@nl: ...
    # description@en: ...
    # param: competency iri        (optional, repeatable: name and kind of a bound parameter)
    SELECT ...

The files in this folder are the public example queries (the query page lists them); queries the
library uses internally live in ``internal/`` with the same format. Parameters are bound with the
store's ``bindings`` (never pasted into the text).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

_DIR = Path(__file__).resolve().parent
_META = re.compile(r"^#\s*([a-z]+)(?:@([a-z]{2}))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [{"name": n, "kind": k} for n, k in self.params],
            "query": self.text,
        }


def parse(name: str, source: str) -> NamedQuery:
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    body: list[str] = []
    in_header = True
    for line in source.splitlines():
        match = _META.match(line) if in_header else None
        if match:
            key, lang, value = match.groups()
            if key == "title":
                title[lang or "en"] = value.strip()
            elif key == "description":
                description[lang or "en"] = value.strip()
            elif key == "param":
                pname, _, kind = value.strip().partition(" ")
                params.append((pname, kind.strip() or "iri"))
            continue
        in_header = in_header and not line.strip()
        body.append(line)
    return NamedQuery(name, "\n".join(body).strip() + "\n", title, description, tuple(params))


@functools.cache
def _load(directory: Path) -> dict[str, NamedQuery]:
    return {p.stem: parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.rq"))}


def examples() -> dict[str, NamedQuery]:
    """The public example queries, by name."""
    return _load(_DIR)


def internal(name: str) -> NamedQuery:
    """A query the library uses itself (``graph/queries/internal/NAME.rq``)."""
    return _load(_DIR / "internal")[name]
