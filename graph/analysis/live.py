"""Derived in-memory structures that stay in step with a store.

The projection (``graph.analysis.network``) and the search index (``graph.analysis.search``) are built once from the
store and then follow its writes, so no request ever scans the store. Three ways a change reaches
them:

1. ``store.on_change(removed, added)`` with the quads: the structure re-reads only the subjects the
   delta touched (``_apply``) - cost in proportion to the change, and idempotent, so applying a
   delta twice or after a rebuild does no harm;
2. ``on_change([], [])`` (a SPARQL Update, a load, a dropped graph: the store does not know what
   changed): the structure is marked dirty and rebuilt once, lazily, by the next reader;
3. a change made by another process (a remote store, a second service on the same data): noticed
   because ``store.generation`` differs from the generation the structure was built or updated at.
   On a remote store reading the generation may cost a round trip, so it is checked at most every
   ``check_interval`` seconds there (0 = every read, the default for embedded stores).

Readers share a readers-writer lock: many requests read at once; a delta waits for them and they
wait for it, so nobody iterates a dict that is being changed. A full rebuild is prepared outside the
lock and swapped in, so readers keep answering from the old state meanwhile.

A view that has no state yet first tries its snapshot (``graph.analysis.snapshot``: what an
earlier run built from exactly the data the store holds now) and builds from the store only if
there is none; after a build from the store the snapshot is written anew.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pyoxigraph import NamedNode, Quad

from ..store import Store

log = logging.getLogger(__name__)


class RWLock:
    """Many readers or one writer; writers are preferred so a delta is not starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0
        self._owner: int | None = None

    @contextmanager
    def read(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._owner == me:  # the writer may read what it writes
            yield
            return
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._owner == me:
            yield
            return
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
            self._owner = me
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._owner = None
                self._cond.notify_all()


def _rss_bytes() -> int:
    """Resident memory of this process (Linux ``/proc``; 0 elsewhere): a cheap, rough measure
    of what a build added (tracemalloc would be exact but doubles the build time)."""
    try:
        with open("/proc/self/statm") as f:
            import os

            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


GC_THRESHOLDS = (50_000, 20, 100)


def freeze_heap(collect: bool = True) -> None:
    """After a build: collect, then move every live object to CPython's permanent generation
    (``gc.freeze``), so the cyclic collector's full passes no longer walk the millions of small
    objects of the projection and the index. At 1M triples such a pass took ~0.6 s and landed on
    whatever request happened to allocate at that moment (the p99 spikes of every endpoint).
    Unfreezing first lets the collection reclaim a replaced state's cycles.

    Also raises the collector's thresholds (``GC_THRESHOLDS``): answers and the per-generation
    caches are acyclic, yet with the default ones (700, 10, 10) a full pass over every cached
    answer (~0.1 s at 1M) came every few requests.

    ``collect=False`` after reading a snapshot: everything just read is alive, and a collection
    over it (~1 s at 1M) would find nothing."""
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    if gc.get_threshold()[0] < GC_THRESHOLDS[0]:
        gc.set_threshold(*GC_THRESHOLDS)


def touched_subjects(removed: Iterable[Quad], added: Iterable[Quad]) -> set[str]:
    """IRIs of the subjects whose statements a delta changed."""
    out: set[str] = set()
    for q in (*removed, *added):
        if isinstance(q.subject, NamedNode):
            out.add(q.subject.value)
    return out


class LiveView:
    """Base class: subclasses implement ``_build()`` (full) and ``_apply(removed, added)``."""

    name = "view"

    def __init__(self, store: Store, *, check_interval: float | None = None) -> None:
        self.store = store
        self.lock = RWLock()
        self._build_lock = threading.Lock()
        self._dirty = True
        self._generation: int | None = None
        self._checked_at = 0.0
        if check_interval is None:
            check_interval = 0.0 if store.backend in ("memory", "oxigraph") else 1.0
        self.check_interval = check_interval
        self.builds = 0
        self.restored = 0
        self.deltas = 0
        self.snapshots = None  # a graph.analysis.snapshot.Snapshots, if the store allows them
        self.build_seconds = 0.0
        self.build_rss_bytes = 0
        self.state: object = None
        store.on_change(self._on_change)

    # --- subclass hooks -----------------------------------------------------------------------
    def _builder(self) -> tuple:  # pragma: no cover - abstract
        """``(feed, finish)``: ``feed(quads)`` takes a batch of public quads (called for every
        batch of one scan, which may be shared with other views), ``finish()`` makes the state."""
        raise NotImplementedError

    def _build(self) -> object:
        """Make a new state from the store (runs outside the lock; readers use the old one)."""
        from ..vocab import public_quads

        feed, finish = self._builder()
        feed(public_quads(self.store))
        return finish()

    def _install(self, state: object) -> None:
        """Swap a freshly built state in (runs under the write lock)."""
        self.state = state

    def _apply(self, removed: list[Quad], added: list[Quad]) -> bool:  # pragma: no cover
        """Apply a delta; return False if it needs a full rebuild instead."""
        raise NotImplementedError

    def _changed(self) -> None:
        """Called after every build or delta (subclasses drop their caches here)."""

    # --- machinery ------------------------------------------------------------------------------
    def _on_change(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        removed, added = list(removed), list(added)
        if not removed and not added:
            self._dirty = True
            return
        if self._dirty:
            return  # a rebuild is due anyway and will see this change
        generation = self.store.generation
        with self.lock.write():
            try:
                ok = self._apply(removed, added)
            except Exception:  # a delta must never break the service: rebuild instead
                log.exception("%s: applying a delta failed; rebuilding", self.name)
                ok = False
            if ok:
                self.deltas += 1
                self._generation = generation
            else:
                self._dirty = True
            self._changed()

    def _stale(self) -> bool:
        if self._dirty or self._generation is None:
            return True
        now = time.monotonic()
        if self.check_interval and now - self._checked_at < self.check_interval:
            return False
        self._checked_at = now
        return self.store.generation != self._generation

    def _outdated(self) -> bool:
        """Like ``_stale`` but without the check-interval throttle: used under the build lock,
        right after ``_stale`` said yes (a second throttled check would always say no)."""
        return self._dirty or self._generation is None or self.store.generation != self._generation

    def ensure(self) -> None:
        """Bring the view up to date (a no-op unless the store changed behind its back)."""
        if not self._stale() or self.try_restore():
            return
        with self._build_lock:  # one rebuild at a time; the others wait for it
            if not self._outdated():
                return
            generation = self.store.generation
            self._dirty = False
            rss_before = _rss_bytes()
            started = time.perf_counter()
            self._build_with(self._build, generation, rss_before, started)
            log.info("%s built in %.2f s", self.name, self.build_seconds)
        freeze_heap()
        if self.snapshots is not None:
            self.snapshots.save_in_background(self)

    def try_restore(self) -> bool:
        """A view without state reads its snapshot, if there is one for the store's data as it
        is now; True if it did (or another thread did meanwhile)."""
        if self.snapshots is None or self.state is not None or not self.snapshots.enabled:
            return False
        with self._build_lock:
            if not self._outdated():
                return True
            if self.state is not None:
                return False
            generation = self.store.generation
            started = time.perf_counter()
            state = self.snapshots.load(self.name, generation)
            if state is None:
                return False
            with self.lock.write():
                self._install(state)
                self._generation = generation
                self._dirty = False
                self.restored += 1
                self._changed()
            self.build_seconds = time.perf_counter() - started
        freeze_heap(collect=False)
        return True

    def _build_with(self, state_fn, generation: int | None, rss_before: int, started: float) -> None:
        """Make a state with ``state_fn`` and install it; the build lock is held. ``started`` is
        when the build began (``ensure_together`` shares one store scan between views)."""
        try:
            state = state_fn()
            with self.lock.write():
                self._install(state)
                self._generation = generation
                self.builds += 1
                self._changed()
        except Exception:
            self._dirty = True
            raise
        self.build_seconds = time.perf_counter() - started
        self.build_rss_bytes = max(0, _rss_bytes() - rss_before)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """``with view.reading(): ...`` - up to date, and safe against concurrent deltas."""
        self.ensure()
        with self.lock.read():
            yield

    @property
    def generation(self) -> int | None:
        """The store generation this view reflects (part of every cache key)."""
        return self._generation


BATCH = 50_000


def ensure_together(*views: LiveView) -> None:
    """Bring several views of one store up to date with **one** scan of its public quads (the
    scan is about half of a build at 1M triples): each batch of quads is fed to every view that
    needs a build. Views that are up to date are left alone; with one stale view this is
    ``view.ensure()``. Deltas and later rebuilds work per view as before."""
    stale = [v for v in views if v._stale() and not v.try_restore()]
    if len(stale) < 2:
        for v in stale:
            v.ensure()
        return
    import itertools

    from ..vocab import public_quads

    store = stale[0].store
    locks = [v._build_lock for v in stale]
    for lock in locks:
        lock.acquire()
    try:
        stale = [v for v in stale if v._outdated()]
        generation = store.generation
        for v in stale:
            v._dirty = False
        rss_before = _rss_bytes()
        builders = [v._builder() for v in stale]
        spent = [0.0] * len(stale)
        started = time.perf_counter()
        quads = public_quads(store)
        while batch := list(itertools.islice(quads, BATCH)):
            for i, (feed, _) in enumerate(builders):
                t = time.perf_counter()
                feed(batch)
                spent[i] += time.perf_counter() - t
        scan = time.perf_counter() - started - sum(spent)
        for i, (v, (_, finish)) in enumerate(zip(stale, builders, strict=True)):
            # each view reports its own work plus the shared scan
            v._build_with(finish, generation, rss_before, time.perf_counter() - scan - spent[i])
            rss_before = _rss_bytes()
            log.info("%s built in %.2f s (scan shared: %.2f s)", v.name, v.build_seconds, scan)
    except Exception:
        for v in stale:
            v._dirty = True
        raise
    finally:
        for lock in reversed(locks):
            lock.release()
    freeze_heap()
    for v in stale:
        if v.snapshots is not None:
            v.snapshots.save_in_background(v)
