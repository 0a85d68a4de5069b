"""The running service as the CLI sees it: the state file in the store directory, and its calls.

pyoxigraph 0.5 opens an on-disk store in one process at a time (RocksDB's ``LOCK`` file) and has no
read-replica mode, so while ``knooppunt serve`` runs no other process can open its store. So:

- ``serve`` writes ``serve.json`` into the store directory once it listens: its URL, pid, version
  and a random secret, readable by its own user only (mode 0600); it removes the file when it
  stops. A file left by a killed server is ignored: its pid no longer runs.
- A CLI command that finds the store locked reads the file and asks the service. Reads get a
  consistent snapshot of the store (``POST /api/admin/snapshot``: RocksDB hard links, cheap) that
  the command opens like any store and removes afterwards, so ``stats``, ``query``, ``export``,
  ``dump``, ``validate`` and ``template`` run the same code with or without a server. ``load``
  goes through the service's validated write path (the Graph Store Protocol, ``/api/import``).
- The secret is an ``admin`` token named ``cli`` for the service's lifetime: whoever can read the
  store directory can read every graph in its files anyway, and nobody else can read the file.
- Without a state file, the holder of the lock is looked up in ``/proc/locks`` (Linux), so the
  error can still name the process.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

STATE_FILE = "serve.json"
SNAPSHOTS = "snapshots"
SNAPSHOT_MAX_AGE_S = 3600
"""Snapshots older than this are left-overs of a CLI that was killed; the service removes them."""


class ServiceError(Exception):
    """The running service could not do what the CLI asked; the message says what to do."""


@dataclass(frozen=True)
class ServerInfo:
    url: str
    pid: int
    secret: str
    version: str

    def describe(self) -> str:
        return f"knooppunt serve (pid {self.pid}, {self.url})"


# --- the state file -------------------------------------------------------------------------------
def state_path(store_dir: str | Path) -> Path:
    return Path(store_dir) / STATE_FILE


def announce(store_dir: str | Path, url: str, secret: str, version: str) -> ServerInfo:
    """Write the state file (atomically, mode 0600) for this process."""
    info = ServerInfo(url=url, pid=os.getpid(), secret=secret, version=version)
    path = state_path(store_dir)
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a left-over could carry wider permissions; O_EXCL makes ours 0600
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(info), out)
    os.replace(tmp, path)
    return info


def withdraw(store_dir: str | Path, info: ServerInfo) -> None:
    """Remove the state file if it is still this server's (a newer server may have replaced it)."""
    current = _load(state_path(store_dir))
    if current is not None and current.secret == info.secret:
        with contextlib.suppress(FileNotFoundError):
            state_path(store_dir).unlink()


def find(store_dir: str | Path) -> ServerInfo | None:
    """The server named by the state file, if that process still runs; else ``None``."""
    info = _load(state_path(store_dir))
    return info if info is not None and _alive(info.pid) else None


def _load(path: Path) -> ServerInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ServerInfo(url=str(data["url"]), pid=int(data["pid"]), secret=str(data["secret"]),
                          version=str(data.get("version", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # runs, as another user
    return True


def lock_holder(store_dir: str | Path) -> str:
    """Who holds the store's lock, as well as Linux tells (``/proc/locks``), for error messages."""
    try:
        inode = (Path(store_dir) / "public" / "LOCK").stat().st_ino
        locks = Path("/proc/locks").read_text()
    except OSError:
        return "another process"
    for line in locks.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[5].rsplit(":", 1)[-1] == str(inode) and fields[4].isdigit():
            pid = fields[4]
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                cmd = ""
            return f"process {pid}" + (f" ({cmd[:120]})" if cmd else "")
    return "another process"


def holder(store_dir: str | Path) -> str:
    """The running service if the state file names one, else whatever ``/proc/locks`` says."""
    info = find(store_dir)
    return info.describe() if info else lock_holder(store_dir)


# --- snapshots (made by the service, read by the CLI) ---------------------------------------------
def new_snapshot_dir(store_dir: str | Path) -> Path:
    """A fresh directory name under ``{store}/snapshots``; left-overs older than an hour go first."""
    parent = Path(store_dir) / SNAPSHOTS
    parent.mkdir(exist_ok=True)
    now = time.time()
    for old in parent.iterdir():
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > SNAPSHOT_MAX_AGE_S:
                shutil.rmtree(old)
    return parent / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(4).hex()}"


def _client(info: ServerInfo, timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(
        base_url=info.url, timeout=httpx.Timeout(timeout, connect=5.0),
        headers={"Authorization": f"Bearer {info.secret}", "User-Agent": "knooppunt-cli"},
    )


@contextlib.contextmanager
def snapshot(info: ServerInfo) -> Iterator[Path]:
    """Ask the service for a consistent snapshot of its store; removed when the block ends."""
    try:
        with _client(info) as client:
            response = client.post("/api/admin/snapshot")
    except httpx.HTTPError as exc:
        raise ServiceError(f"{info.describe()} holds the store but does not answer ({exc})") from exc
    if response.status_code != 200:
        raise ServiceError(f"{info.describe()} refused a snapshot: {_detail(response)}")
    path = Path(response.json()["path"])
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def send(info: ServerInfo, method: str, path: str, *, params: dict, content: bytes, media: str) -> dict:
    """One write request to the service; its JSON answer (``{}`` for 204), or ``ServiceError``."""
    try:
        with _client(info, timeout=600.0) as client:
            response = client.request(method, path, params=params, content=content,
                                      headers={"Content-Type": media})
    except httpx.HTTPError as exc:
        raise ServiceError(f"{info.describe()} did not answer ({exc})") from exc
    if response.status_code >= 400:
        raise ServiceError(_detail(response))
    return response.json() if response.content else {}


def _detail(response: httpx.Response) -> str:
    """A problem document as lines a person reads: the detail, then each SHACL result."""
    try:
        problem = response.json()
    except ValueError:
        return f"{response.status_code} {response.text.strip()[:500]}"
    lines = [f"{problem.get('detail') or problem.get('title') or response.status_code}"]
    for result in problem.get("results", []) + problem.get("warnings", []):
        message = result.get("message") or {}
        text = message.get("nl") or message.get("en") if isinstance(message, dict) else message
        where = f" ({result['path']})" if result.get("path") else ""
        lines.append(f"  [{result.get('severity')}] {result.get('focus_node')}{where}: {text}")
    return "\n".join(lines)
