"""What repeats: query shapes and whole answers, for one state of the store at a time.

A visualisation dashboard sends the same handful of queries again and again; between two writes
the answers cannot change. So:

- :func:`shape` remembers what ``graph.sparql.text.query_shape`` read from a query text (per text
  and base IRI; the analysis does not depend on the data);
- :class:`ResultCache` keeps the bytes of answers per store state id (``Store.state_id``), in a
  bounded number of bytes, least recently used out first. A write changes the state id, and the
  first lookup with the new id empties the cache: an answer is never served for data it was not
  computed from.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

from .results import QueryResult
from .text import QueryShape, query_shape

MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY = 4 * 1024 * 1024
ENTRY_OVERHEAD = 512
"""Bytes charged per answer beside its body (its slot, its key digest, the result object), so
many tiny answers cannot grow the cache past its budget."""
SHAPE_TEXT_LIMIT = 8 * 1024
"""Longer query texts are analysed every time: remembering 2048 of them could hold 128 MB."""


def shape(text: str, base_iri: str | None) -> QueryShape:
    """``query_shape(text, base_iri)``, remembered for texts of a usual size (callers must not
    change the result)."""
    if len(text) > SHAPE_TEXT_LIMIT:
        return query_shape(text, base_iri)
    return _remembered_shape(text, base_iri)


@functools.lru_cache(maxsize=2048)
def _remembered_shape(text: str, base_iri: str | None) -> QueryShape:
    return query_shape(text, base_iri)


def _digest(key: tuple) -> bytes:
    """What an answer is kept under: a digest, not the request key (which holds up to a whole
    query text and graph list a client chose)."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def etag(state_id: str, key: tuple) -> str:
    """A weak ETag for the answer to ``key`` on the data of ``state_id`` (weak: the bytes may be
    sent gzipped or not)."""
    digest = hashlib.blake2b(repr((state_id, key)).encode(), digest_size=16).hexdigest()
    return f'W/"{digest}"'


class ResultCache:
    """Answers by request key, for the data of one state id at a time (see the module doc)."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_entry: int = MAX_ENTRY) -> None:
        self.max_bytes, self.max_entry = max_bytes, max_entry
        self._lock = threading.Lock()
        self._state: str | None = None
        self._entries: OrderedDict[bytes, QueryResult] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def _for(self, state_id: str) -> None:
        """Forget answers computed for another state of the data (caller holds the lock)."""
        if state_id != self._state:
            self._state = state_id
            self._entries.clear()
            self._bytes = 0

    def get(self, state_id: str, key: tuple) -> QueryResult | None:
        digest = _digest(key)
        with self._lock:
            self._for(state_id)
            found = self._entries.get(digest)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(digest)
            self.hits += 1
            return found

    def put(self, state_id: str, key: tuple, result: QueryResult) -> None:
        if len(result.body) > self.max_entry:
            return
        digest = _digest(key)
        with self._lock:
            self._for(state_id)
            old = self._entries.pop(digest, None)
            if old is not None:
                self._bytes -= _cost(old)
            self._entries[digest] = result
            self._bytes += _cost(result)
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= _cost(dropped)

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


def _cost(result: QueryResult) -> int:
    return len(result.body) + ENTRY_OVERHEAD
