"""The embedded backend: Oxigraph on disk (RocksDB, the default) or in memory."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Variable
from pyoxigraph import Store as OxStore

from ..settings import Settings
from . import state
from .base import (
    BULK_CHUNK_BYTES,
    LINE_FORMATS,
    NON_PUBLIC_GRAPHS,
    Dataset,
    Store,
    StoreError,
    StoreLocked,
    delta_update,
)


class OxigraphStore(Store):
    """Embedded Oxigraph: on disk (RocksDB, the default) or in memory (``path=None``).

    Non-public graphs (``private``, ``system``) live in a second, *sidecar* Oxigraph store, so
    the queryable store holds public graphs only. That is a privacy guarantee (no query, however
    it names its dataset, can reach contact details) and a speed one: Oxigraph's own union
    default graph is 8-10x faster than the same union given as a list of graphs (measured by
    bench/sparql_bench.py), and it is only safe when everything in the store is public.
    On disk the public store is ``{dir}/public`` and the sidecar ``{dir}/nonpublic``.

    On disk the state id (:meth:`state_id`) survives restarts: the store compares the files at
    rest with the record of the last clean close (``{dir}/state.json``, see
    ``graph.store.state``); the triple counts of that state come back with it, so a restarted
    service knows them without counting.
    """

    def __init__(self, settings: Settings, path: str | Path | None) -> None:
        super().__init__(settings)
        self.root = Path(path) if path is not None else None
        self._opened_as: str | None = None  # the state id the data had when we opened it
        if self.root is not None:
            self.path: Path | None = self.root / "public"
            self.path.mkdir(parents=True, exist_ok=True)
            at_rest = state.fingerprint(self.path, self.root / "nonpublic")
            self._ox = _open_disk(self.path, self.root)
            try:
                self._side = _open_disk(self.root / "nonpublic", self.root)
            except StoreLocked:
                del self._ox
                raise
            self.backend = "oxigraph"
            self.keeps_state = True
            recorded = state.read(self.root)
            if recorded is not None and recorded.get("fingerprint") == at_rest:
                self._opened_as = str(recorded["state"])
                counts = recorded.get("counts") or {}
                self._count_cache = {(0, k or None): int(v) for k, v in counts.items()}
        else:
            self.path = None
            self._ox = OxStore()
            self._side = OxStore()
            self.backend = "memory"
        self._hidden = {self.graph(n) for n in NON_PUBLIC_GRAPHS}
        self._generation = 0

    @property
    def ox(self) -> OxStore:
        """The pyoxigraph store of the public graphs, for bulk work and the query workers."""
        return self._ox

    def _target(self, graph) -> OxStore:
        return self._side if graph in self._hidden else self._ox

    @property
    def generation(self) -> int:
        return self._generation

    def _bump(self) -> None:
        self._generation += 1

    def state_id(self, generation: int | None = None) -> str:
        g = self._generation if generation is None else generation
        if g == 0 and self._opened_as is not None:
            return self._opened_as
        return super().state_id(g)

    def named_graphs(self) -> list[NamedNode]:
        graphs = [g for g in self._ox.named_graphs() if isinstance(g, NamedNode)]
        return graphs + [g for g in self._side.named_graphs() if isinstance(g, NamedNode)]

    def public_graphs(self) -> list[NamedNode]:
        """Every named graph of the public store (read once per generation: every query asks)."""
        cached = self._public_cache
        if cached is None or cached[0] != self._generation:
            graphs = sorted((g for g in self._ox.named_graphs() if isinstance(g, NamedNode)), key=str)
            cached = self._public_cache = (self._generation, graphs)
        return list(cached[1])

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[Quad]:
        if graph is not None:
            return self._target(graph).quads_for_pattern(subject, predicate, obj, graph)
        return itertools.chain(
            self._ox.quads_for_pattern(subject, predicate, obj, None),
            self._side.quads_for_pattern(subject, predicate, obj, None),
        )

    def _dataset(self, dataset: Dataset) -> tuple[list[NamedNode] | None, list[NamedNode] | None]:
        return None, None  # the queryable store is all public: use Oxigraph's union default graph

    def count(self, graph: NamedNode | None = None) -> int:
        if graph is not None and graph in self._hidden:
            return sum(1 for _ in self._side.quads_for_pattern(None, None, None, graph))
        return super().count(graph)

    def _query(self, sparql, bindings, default_graphs, named_graphs):
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = default_graphs or [DefaultGraph()]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = named_graphs
        if bindings:
            kwargs["substitutions"] = {Variable(k): v for k, v in bindings.items()}
        try:
            return self._ox.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise StoreError(f"invalid SPARQL: {exc}") from exc
        except RuntimeError as exc:  # e.g. a bound variable that is not projected (SEP-0007)
            raise StoreError(f"cannot run the query: {exc}") from exc

    def _apply(self, removed: list[Quad], added: list[Quad]) -> None:
        if not removed and not added:
            return
        side_removed = [q for q in removed if q.graph_name in self._hidden]
        side_added = [q for q in added if q.graph_name in self._hidden]
        removed = [q for q in removed if q.graph_name not in self._hidden]
        added = [q for q in added if q.graph_name not in self._hidden]
        # Hidden additions first and hidden removals last: a crash between the two transactions
        # can leave an unreferenced private fact, never a public one without its private part.
        _apply_to(self._side, [], side_added)
        _apply_to(self._ox, removed, added)
        _apply_to(self._side, side_removed, [])
        self._bump()

    def update(self, sparql_update: str) -> None:
        with self._write_lock:
            try:
                self._ox.update(sparql_update)
            except SyntaxError as exc:
                raise StoreError(f"invalid SPARQL Update: {exc}") from exc
            self._move_hidden_to_side()
            self._bump()
        self._notify([], [])

    def _move_hidden_to_side(self) -> None:
        """After a raw update or load, keep non-public graphs out of the queryable store."""
        for graph in self._hidden:
            moved = list(self._ox.quads_for_pattern(None, None, None, graph))
            if moved:
                self._side.extend(moved)
                self._ox.remove_graph(graph)

    def load(self, source, fmt, graph, *, base_iri=None, bulk=False) -> int:
        before = self.count(graph)
        kwargs = {"format": fmt, "base_iri": base_iri}
        if fmt not in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            kwargs["to_graph"] = graph
        if isinstance(source, Path):
            kwargs["path"] = str(source)
        elif isinstance(source, str):
            kwargs["path"] = source
        elif isinstance(source, bytes):
            kwargs["input"] = io.BytesIO(source)
        else:
            kwargs["input"] = source
        target = self._target(graph) if "to_graph" in kwargs else self._ox
        with self._write_lock:
            try:
                if bulk and fmt in LINE_FORMATS:
                    self._bulk_load_chunks(target, kwargs)
                elif bulk:
                    target.bulk_load(**kwargs)
                else:
                    target.load(**kwargs)
            except SyntaxError as exc:
                raise StoreError(f"invalid RDF: {exc}") from exc
            self._move_hidden_to_side()
            self._bump()
        self._notify([], [])
        return self.count(graph) - before

    def _bulk_load_chunks(self, target: OxStore, kwargs: dict) -> None:
        """Bulk-load a line-based document in slices of ``BULK_CHUNK_LINES`` lines.

        One ``bulk_load`` of a whole 1M-triple file builds and sorts one huge batch (about
        100k triples/s, 0.9 GB); slices of 100k lines load at about 158k/s in 0.2 GB
        (bench/load_bench.py). N-Triples and N-Quads hold one statement per line, so slicing at
        line ends is exact.
        """
        path = kwargs.pop("path", None)
        source = open(path, "rb") if path is not None else kwargs.pop("input")  # noqa: SIM115
        try:
            while True:
                chunk = source.readlines(BULK_CHUNK_BYTES)
                if not chunk:
                    break
                target.bulk_load(b"".join(chunk), **kwargs)
        finally:
            if path is not None:
                source.close()

    def drop_graph(self, graph: NamedNode) -> None:
        target = self._target(graph)
        with self._write_lock:
            if graph in set(target.named_graphs()):
                target.remove_graph(graph)
            self._bump()
        self._notify([], [])

    def dump(self, output, fmt, graph=None) -> None:
        if graph is not None:
            self._target(graph).dump(output, format=fmt, from_graph=graph)
        else:  # a dataset format: the public store, then the sidecar (N-Quads concatenate)
            self._ox.dump(output, format=fmt)
            self._side.dump(output, format=fmt)

    def backup(self, target: Path) -> None:
        """A consistent copy of both stores in ``target`` (a new directory), openable as a store.

        Taken under the write lock, so the public store and the sidecar show the same moment; on
        the same file system RocksDB hard-links its immutable files, so a copy costs little time
        and space. The CLI reads such a copy while ``knooppunt serve`` holds the store.
        """
        if self.root is None:
            raise StoreError("an in-memory store has no files to back up")
        target = Path(target)
        target.mkdir(parents=True)
        with self._write_lock:
            self._ox.backup(str(target / "public"))
            self._side.backup(str(target / "nonpublic"))

    def flush(self) -> None:
        if self.path is not None:
            self._ox.flush()
            self._side.flush()

    def close(self) -> None:
        """Flush and close; on disk, record the state at rest (``graph.store.state``)."""
        if not hasattr(self, "_side"):
            return  # closed already
        self.flush()
        generation, state_id = self._generation, self.state_id()
        counts = {k or "": v for (g, k), v in self._count_cache.items() if g == generation}
        del self._ox
        del self._side
        if self.root is not None:
            state.write(self.root, state.fingerprint(self.path, self.root / "nonpublic"), state_id, counts)


def _open_disk(path: Path, root: Path) -> OxStore:
    """Open one RocksDB directory; the lock another process holds becomes ``StoreLocked``."""
    try:
        return OxStore(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():  # RocksDB: "While lock file: .../LOCK: Resource temporarily unavailable"
            raise StoreLocked(root, "its lock file is held") from exc
        raise


def _apply_to(ox: OxStore, removed: list[Quad], added: list[Quad]) -> None:
    """Remove then add in one transaction of ``ox``."""
    if not removed and not added:
        return
    if not removed:
        ox.extend(added)
    else:
        ox.update(delta_update(removed, added))
