"""What identifies the data of an on-disk store across processes and restarts.

``Store.generation`` counts changes within one process; it starts again at 0 in the next one and
says nothing about writes made while we were not running (``knooppunt load``, the ``oxigraph``
command line, a restore from backup). Anything kept across restarts (the snapshot of the
projection and the search index, ``graph.analysis.snapshot``) needs a key that does.

RocksDB, under Oxigraph, writes every change first to a write-ahead log (``*.log``) and then into
immutable, never reused table files (``*.sst``); opening and closing without writes leaves both
alone, apart from a new, empty log. So the names, sizes and modification times of the table
files and of the non-empty logs, taken while no process has the store open, identify what it
holds: :func:`fingerprint`. ``OxigraphStore`` takes it before it opens the store and again after it
has closed it, and keeps ``state.json`` beside the data: the fingerprint at the last clean close
and the state id the data had then. At the next open an equal fingerprint means "exactly the
data of that state id"; anything else (a write by any program, a crash with changes in the log,
a copy that lost modification times) means a new, random state id, so nothing kept for an
older state can ever be taken for the current one. The file is written atomically (temporary
file, fsync, rename), so a kill at any moment leaves the old record or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path

STATE_FILE = "state.json"
VERSION = 1


def new_state_id() -> str:
    """A state id no other store, process or moment will have."""
    return secrets.token_hex(16)


def fingerprint(*dirs: Path) -> str:
    """A digest of the table files and non-empty logs of RocksDB directories at rest."""
    digest = hashlib.sha256()
    for directory in dirs:
        try:
            names = sorted(os.listdir(directory))
        except FileNotFoundError:
            digest.update(f"{directory.name}: missing\n".encode())
            continue
        for name in names:
            if not name.endswith((".sst", ".log")):
                continue
            try:
                st = os.stat(directory / name)
            except FileNotFoundError:
                continue
            if name.endswith(".log") and st.st_size == 0:
                continue  # a fresh, empty log: every open makes one
            digest.update(f"{directory.name}/{name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read(root: Path) -> dict | None:
    """The record of the last clean close, or None."""
    try:
        data = json.loads((root / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    return data


def write(root: Path, fingerprint_: str, state_id: str, counts: dict[str, int]) -> None:
    """Record the store's state at a clean close (atomically)."""
    path = root / STATE_FILE
    tmp = root / f".{STATE_FILE}.{os.getpid()}.tmp"
    data = {"version": VERSION, "fingerprint": fingerprint_, "state": state_id, "counts": counts}
    try:
        with open(tmp, "w") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        fsync_dir(root)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the platform allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
