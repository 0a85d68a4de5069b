"""The projection, the search index and the facet index kept on disk, so a restart takes seconds,
not a full scan.

Building both from the store costs a scan of every public quad: ~20 s at 1M triples on an idle
2-core machine, 40-100 s on a busy one. Reading back what the last run built takes ~1-3 s. So
each view (``graph.analysis.live.LiveView``) is written to ``{store}/derived/{view}.pickle`` after
a full build and at a clean shutdown, and read back at start instead of building, if and only if
it was made from exactly the data the store holds now:

- **Key.** A snapshot records the store's state id (``Store.state_id``, see
  ``graph.store.state``: it survives restarts on disk and changes with every write by any
  program) and a *code key*: a digest of the source of the modules that define the views'
  structures, the Python and networkx versions and the base IRI. Either one different: the
  snapshot is not used and the view is built from the store (then saved anew).
- **Only consistent states.** A view is saved under its read lock, and only when it reflects the
  store's current generation; the state id recorded is the one of that generation, taken from
  the store for that generation (never "now", which a concurrent write may have moved on).
- **Atomic.** Written to a temporary file in the same directory, fsynced, renamed over the old
  one, the directory fsynced: a kill -9 at any moment leaves the old snapshot or the new one,
  never a torn one. Leftover temporary files are removed by a later save.
- **Only on stores that can say what they hold across restarts** (``Store.keeps_state``: the
  on-disk Oxigraph store). In memory there is nothing to restart from; a remote store cannot
  tell us about writes made by other programs, so its views are built at every start.

The files are pickles of our own structures, read only from the store's own directory: whoever
can write there can change the data itself. Reading runs with the cyclic garbage collector off
(millions of new objects would trigger it dozens of times) and from an unbuffered file, so the
event loop gets the interpreter between frames and ``/health`` keeps answering meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import secrets
import sys
import threading
import time
from pathlib import Path

from ..store.state import fsync_dir

log = logging.getLogger(__name__)

FORMAT = 1
"""Bump when the layout of a snapshot file changes."""
DIRECTORY = "derived"
STALE_TMP_SECONDS = 60
"""A temporary file older than this is left over from a save that was cut short."""
_SOURCES = ("live.py", "network.py", "search.py", "facets.py", "snapshot.py", "../vocab.py", "../namespaces.py")


def code_key(base: str) -> str:
    """What the structures depend on besides the data: our code, the libraries, the base IRI."""
    import networkx

    digest = hashlib.sha256(f"{FORMAT} {sys.version} networkx {networkx.__version__} {base}".encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


class Snapshots:
    """Reading and writing the snapshots of one store's views (see the module docstring)."""

    def __init__(self, store) -> None:
        self.store = store
        root = getattr(store, "root", None)
        self.dir: Path | None = Path(root) / DIRECTORY if root is not None and store.keeps_state else None
        self._key: str | None = None
        self._lock = threading.Lock()  # one writer at a time
        self.saved: dict[str, str] = {}  # view name -> state id of its snapshot on disk

    @property
    def enabled(self) -> bool:
        return self.dir is not None

    def key(self) -> str:
        if self._key is None:
            self._key = code_key(self.store.settings.base)
        return self._key

    def _path(self, name: str) -> Path:
        assert self.dir is not None
        return self.dir / f"{name}.pickle"

    def load(self, name: str, generation: int) -> object | None:
        """The state of view ``name`` for the store's data at ``generation``, or None."""
        if self.dir is None:
            return None
        path = self._path(name)
        try:
            handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return None
        wanted = self.store.state_id(generation)
        gc_was_enabled = gc.isenabled()
        try:
            with handle:
                header = pickle.load(handle)
                if header != {"format": FORMAT, "code": self.key(), "state": wanted, "view": name}:
                    return None
                gc.disable()
                started = time.perf_counter()
                state = pickle.load(handle)
        except Exception:  # noqa: BLE001 - a snapshot we cannot read is one we rebuild
            log.exception("%s: snapshot %s unreadable; building from the store", name, path)
            return None
        finally:
            if gc_was_enabled:
                gc.enable()
        self.saved[name] = wanted
        log.info("%s: read from %s in %.2f s", name, path, time.perf_counter() - started)
        return state

    def save(self, view) -> bool:
        """Write ``view``'s state if it reflects the store's current data and is not on disk yet."""
        if self.dir is None:
            return False
        with self._lock, view.lock.read():
            generation = view.generation
            if view.state is None or generation is None or generation != self.store.generation:
                return False
            state_id = self.store.state_id(generation)
            if self.saved.get(view.name) == state_id:
                return True
            self.dir.mkdir(exist_ok=True)
            for stale in self.dir.glob(f".{view.name}.pickle.*.tmp"):  # left by a save cut short
                with contextlib.suppress(OSError):
                    if time.time() - stale.stat().st_mtime > STALE_TMP_SECONDS:
                        stale.unlink()
            path = self._path(view.name)
            tmp = self.dir / f".{view.name}.pickle.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            started = time.perf_counter()
            try:
                with open(tmp, "wb") as out:
                    header = {"format": FORMAT, "code": self.key(), "state": state_id, "view": view.name}
                    pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(view.state, out, protocol=pickle.HIGHEST_PROTOCOL)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
                fsync_dir(self.dir)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self.saved[view.name] = state_id
        log.info("%s: snapshot written in %.2f s", view.name, time.perf_counter() - started)
        return True

    def save_in_background(self, *views) -> threading.Thread | None:
        """Save the views from a thread (after a build at start: requests need not wait)."""
        if self.dir is None:
            return None

        def run() -> None:
            for view in views:
                try:
                    self.save(view)
                except Exception:  # noqa: BLE001 - a snapshot is an optimisation
                    log.exception("%s: writing the snapshot failed", view.name)

        thread = threading.Thread(target=run, name="knooppunt-snapshot", daemon=True)
        thread.start()
        return thread
