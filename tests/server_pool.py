"""What the store-server fixtures (``oxigraph_fixture``, ``virtuoso_fixture``) share: which
servers a session owns, and stopping the ones nothing uses any more.

A server handed out with ``Settings`` lives as long as that object does (a store keeps its
settings); when a new server starts and at least ``keep_at_least`` run, the ones whose settings
were garbage-collected are stopped and their directories removed. Servers started explicitly
(``start()``) live until the session ends.
"""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path
from typing import Any


class ServerPool:
    keep_at_least = 4

    def __init__(self, root: Path) -> None:
        self.root = root
        self._owned: list[tuple[Any, weakref.ref | None]] = []

    def _own(self, server: Any) -> Any:
        """Keep ``server`` until the session ends (call ``_reap`` before starting it)."""
        self._owned.append((server, None))
        return server

    def _tie(self, server: Any, settings: Any) -> Any:
        """Let ``server`` go once ``settings`` is no longer referenced."""
        self._owned = [(s, weakref.ref(settings) if s is server else ref) for s, ref in self._owned]
        return settings

    def _reap(self) -> None:
        if sum(1 for s, _ in self._owned if s.running) < self.keep_at_least:
            return
        gc.collect()
        alive = []
        for server, ref in self._owned:
            if ref is not None and ref() is None:
                server.stop()
                shutil.rmtree(server.directory, ignore_errors=True)
            else:
                alive.append((server, ref))
        self._owned = alive

    def close(self) -> None:
        for server, _ in self._owned:
            server.stop()
        self._owned = []
