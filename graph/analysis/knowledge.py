"""The library behind ``/api``, usable without HTTP::

    kb = Knowledge(open_store(from_env()))
    kb.search("proactieve")
    kb.related(kb.resolve("dedicated", ("project",), param="id"))
    kb.connect(Initiative(title="ACP in het mbo", levels=[...]))

One ``Knowledge`` per store and process: it owns the projection and the search index (each built
once, or read back from the snapshot an earlier run left for the same data, then kept in step
with writes; see ``graph.analysis.snapshot``) and the per-generation caches of the answers built
on them. ``close()`` writes the snapshots of what changed since, so the next start is quick.
Parameters arrive as IRIs or slugs and are resolved here: ``InvalidParameter`` (the service's 422)
names the parameter and why, ``NotFound`` (404) says what was not found.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any

from pyoxigraph import NamedNode

from ..store import Store
from . import connections, coverage, paths, views
from .describe import Describer
from .facets import Facets
from .live import ensure_together
from .network import Projection
from .people import People
from .related import Related, weights_from_env
from .search import SearchIndex
from .snapshot import Snapshots

log = logging.getLogger(__name__)
MEMO_SIZE = 1024
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
_KIND_SLUG = re.compile(r"^([a-z]+)/([A-Za-z0-9][A-Za-z0-9._~-]{0,199})$")
_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|\\^`]')


class InvalidParameter(ValueError):
    """A parameter that cannot be used as given (-> 422)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class NotFound(LookupError):
    """An id that names nothing in the public graph (-> 404)."""


def check_iri(value: str, parameter: str) -> str:
    """``value`` if it is an absolute http(s) IRI that could be a term, else InvalidParameter."""
    if len(value) > 2000:
        raise InvalidParameter(parameter, "IRI longer than 2000 characters")
    if not value.startswith(("http://", "https://")) or _BAD_IRI_CHARS.search(value):
        raise InvalidParameter(parameter, f"not a valid http(s) IRI: {value[:200]!r}")
    try:
        NamedNode(value)
    except ValueError as exc:
        raise InvalidParameter(parameter, f"not a valid IRI: {exc}") from None
    return value


class Knowledge:
    """Projection, search index and the answers built on them, for one store."""

    def __init__(self, store: Store, *, weights: dict[str, float] | None = None, connection_weights: dict[str, float] | None = None) -> None:
        self.store = store
        self.connection_weights = connection_weights or connections.weights_from_env()
        self.base = store.settings.base
        self.net = Projection(store)
        self.index = SearchIndex(store)
        self.snapshots = Snapshots(store)
        self.net.snapshots = self.index.snapshots = self.snapshots
        self.related_projects = Related(self.net, weights or weights_from_env())
        self.people_finder = People(self.net)
        self.gap_finder = coverage.Gaps(self.net)
        self.describer = Describer(store)
        self.facets = Facets(self.net)  # after the projection: it reads the projection's deltas
        self.facets.snapshots = self.snapshots
        self._memo_lock = threading.Lock()
        self._memos: dict[str, tuple[int | None, OrderedDict]] = {}

    def warm(self) -> None:
        """Read or build the index and the projection now (otherwise the first request does):
        from their snapshots if they fit the data, else from one shared scan of the store. The
        index first: it is the smaller one, and search is what a visitor does first."""
        ensure_together(self.index, self.net)
        self.facets.ensure()  # the pages' lists: from their snapshot, else from the projection

    def warm_in_background(self) -> threading.Thread:
        """``warm()`` in a thread, so a service answers ``/health`` while it reads or builds;
        requests that need a view wait for it (and only for it)."""

        def run() -> None:
            try:
                self.warm()
            except Exception:  # noqa: BLE001 - the next request that needs a view builds it
                log.exception("building the projection and the search index failed")

        thread = threading.Thread(target=run, name="knooppunt-warm", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Write the snapshots of views that changed since they were read or built (at a clean
        shutdown, before the store closes and records its state)."""
        for view in (self.index, self.net, self.facets):
            try:
                self.snapshots.save(view)
            except Exception:  # noqa: BLE001 - a snapshot is an optimisation
                log.exception("%s: writing the snapshot failed", view.name)

    # --- ids ---------------------------------------------------------------------------------------
    def resolve(self, value: str, kinds: tuple[str, ...], *, param: str, classes: set[str] | None = None) -> str:
        """The IRI of an entity given as IRI, ``kind/slug`` or slug (tried under ``kinds``)."""
        value = (value or "").strip()
        if not value:
            raise InvalidParameter(param, "must not be empty")
        if "://" in value:
            candidates = [check_iri(value, param)]
        elif (m := _KIND_SLUG.match(value)) is not None:
            candidates = [f"{self.base}/id/{m.group(1)}/{m.group(2)}"]
        elif _SLUG.match(value):
            candidates = [f"{self.base}/id/{kind}/{value}" for kind in kinds]
        else:
            raise InvalidParameter(param, f"not an IRI, kind/slug or slug: {value[:200]!r}")
        with self.net.reading():
            for iri in candidates:
                if self.net.has(iri) and self.net.attrs(iri).get("own") and (not classes or self.net.is_any(iri, classes)):
                    return iri
        what = " or ".join(kinds) if kinds else "resource"
        raise NotFound(f"{param}: no {what} {value!r} in the knowledge graph")

    def resolve_many(self, values: list[str], kinds: tuple[str, ...], *, param: str, classes: set[str] | None = None) -> list[str]:
        return list(dict.fromkeys(self.resolve(v, kinds, param=f"{param}[{i}]", classes=classes) for i, v in enumerate(values)))

    def resolve_type(self, value: str, param: str = "type") -> str:
        with self.index.reading():
            found = self.index.resolve_type(value)
            if found is None:
                known = ", ".join(sorted(self.index.known_types()))
                raise InvalidParameter(param, f"unknown type {value[:100]!r}; known: {known}")
        return found

    # --- answers ------------------------------------------------------------------------------------
    def search(self, q: str, *, type: str | None = None, limit: int = 20, lang: str = "nl") -> dict[str, Any]:
        """Memoised per store generation (popular queries repeat)."""
        return self._memo("search", self.index, (q, type, limit, lang), lambda: self.index.search(q, type=type, limit=limit, lang=lang))

    def describe(self, iri: str, lang: str = "nl") -> dict[str, Any]:
        found = self.describer.describe(iri, lang)
        if found is None:
            raise NotFound(f"no resource <{iri}> in the public knowledge graph")
        return found

    def people(self, filters: dict[str, str], *, limit: int = 20, offset: int = 0, lang: str = "nl") -> dict[str, Any]:
        """Rendered pages memoised per store generation (the ranking itself is cached in
        ``People``; a page's works_on and evidence paths cost more than a cached lookup)."""
        key = (tuple(sorted(filters.items())), limit, offset, lang)
        return self._memo("people", self.net, key, lambda: self.people_finder.find(filters, limit=limit, offset=offset, lang=lang))

    def related(self, project: str, *, limit: int = 10, weights: dict[str, float] | None = None, lang: str = "nl") -> dict[str, Any]:
        w = weights or self.related_projects.weights
        with self.net.reading():
            head = self.net.node_json(project, lang)
        return {"project": head, "weights": w, "related": self.related_projects.related(project, limit, w, lang)}

    def connect(self, initiative: connections.Initiative, *, limit: int = 10, lang: str = "nl", weights: dict[str, float] | None = None) -> dict[str, Any]:
        """Ranked suggestions for a new initiative (weights: the service's unless given)."""
        return connections.connections(self.net, self.index, initiative, limit=limit, lang=lang, weights=weights or self.connection_weights)

    def paths(self, source: str, target: str, *, k: int = 3, hops: int = paths.DEFAULT_HOPS, lang: str = "nl") -> dict[str, Any]:
        return paths.k_shortest_paths(self.net, source, target, k=k, hops=hops, lang=lang)

    def coverage(self, concept: str, *, limit: int = 20, lang: str = "nl") -> dict[str, Any]:
        """Memoised per store generation (a hub theme's coverage reads thousands of statements)."""
        return self._memo("coverage", self.net, (concept, limit, lang), lambda: coverage.coverage(self.net, concept, limit=limit, lang=lang))

    def _memo(self, name: str, view: Any, key: tuple, compute: Any) -> Any:
        """``compute()``, remembered per (name, key) while ``view``'s store generation stays the
        same (any write moves it on and empties the memo); at most ``MEMO_SIZE`` answers each.
        Answers are shared: callers must not change them."""
        view.ensure()
        with self._memo_lock:
            generation, memo = self._memos.get(name, (None, None))
            if memo is None or generation != view.generation:
                generation, memo = self._memos[name] = (view.generation, OrderedDict())
            found = memo.get(key)
            if found is not None:
                memo.move_to_end(key)
                return found
        found = compute()
        with self._memo_lock:
            if view.generation == generation:
                memo[key] = found
                if len(memo) > MEMO_SIZE:
                    memo.popitem(last=False)
        return found

    def gaps(self, *, level: str | None = None, region: str | None = None, curriculum: str | None = None, limit: int = 50, lang: str = "nl") -> dict[str, Any]:
        return self.gap_finder.gaps(level=level, region=region, curriculum=curriculum, limit=limit, lang=lang)

    def view(self, focus: str | None, *, depth: int = 1, types: set[str] | None = None, limit: int = 150, lang: str = "nl") -> dict[str, Any]:
        return views.view(self.net, focus, depth=depth, types=types, limit=limit, lang=lang)

    def stats(self) -> dict[str, Any]:
        self.warm()
        with self.net.reading():
            projection = self.net.stats()
        with self.index.reading():
            index = self.index.stats()
        return {"projection": projection, "search_index": index, "facets": self.facets.stats()}
