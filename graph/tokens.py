"""Write tokens: a name, a scope (``editor`` or ``admin``) and only a salted hash of the secret.

The token file (``Settings.resolved_token_file()``) is JSON, one entry per name. A token is shown
once, when it is created; the file keeps ``sha256(salt + token)`` with a random per-token salt.
Tokens are 256-bit random strings, so a fast hash is enough (no password stretching needed) and a
request costs one hash per stored token, not a key-derivation run.

The file is re-read when its modification time changes, so ``knooppunt token revoke`` takes effect
in a running server without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCOPES = ("editor", "admin")
"""``editor`` writes to named graphs; ``admin`` may do everything, including dropping graphs."""


@dataclass(frozen=True)
class Token:
    name: str
    scope: str
    created: str

    def allows(self, scope: str) -> bool:
        """An admin token may do what an editor may do; not the other way round."""
        return self.scope == "admin" or self.scope == scope


class TokenError(ValueError):
    """A token operation that cannot be done (unknown scope, duplicate or unknown name)."""


def _digest(salt: str, token: str) -> str:
    return hashlib.sha256((salt + token).encode("utf-8")).hexdigest()


class TokenFile:
    """The token file: create, list, revoke, and check a presented bearer token."""

    def __init__(self, path: str | Path, *, local_secret: str | None = None) -> None:
        """``local_secret``: the running service's own secret (``service.running``), accepted
        as an ``admin`` token named ``cli`` for the CLI on the same machine; kept in memory only."""
        self.path = Path(path)
        self.local_secret = local_secret
        self._lock = threading.Lock()
        self._cache: tuple[float, dict] | None = None

    def _read(self) -> dict:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
        if self._cache is None or self._cache[0] != mtime:
            entries = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            self._cache = (mtime, entries)
        return self._cache[1]

    def _write(self, entries: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(entries, fh, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)  # atomic: a reader sees the old or the new file
        self._cache = None

    def create(self, name: str, scope: str) -> str:
        """Make a token and return it (the only time it is visible)."""
        if scope not in SCOPES:
            raise TokenError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise TokenError("a token name is letters, digits, '-', '_' or '.'")
        with self._lock:
            entries = dict(self._read())
            if name in entries:
                raise TokenError(f"a token named {name!r} exists; revoke it first")
            token = "kp_" + secrets.token_urlsafe(32)
            salt = secrets.token_hex(16)
            entries[name] = {
                "scope": scope,
                "salt": salt,
                "sha256": _digest(salt, token),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            self._write(entries)
        return token

    def revoke(self, name: str) -> None:
        with self._lock:
            entries = dict(self._read())
            if name not in entries:
                raise TokenError(f"no token named {name!r}")
            del entries[name]
            self._write(entries)

    def list(self) -> list[Token]:
        return [Token(n, e["scope"], e.get("created", "")) for n, e in sorted(self._read().items())]

    def get(self, name: str) -> Token | None:
        entry = self._read().get(name)
        return Token(name, entry["scope"], entry.get("created", "")) if entry else None

    def fingerprint(self, name: str) -> str | None:
        """A tag of the token now called ``name`` (``None`` if there is none), safe to put in a signed
        cookie: it says nothing about the secret, and changes when the token is revoked and made
        again, so a session made with a token ends with it (``service.session``)."""
        entry = self._read().get(name)
        if entry is None:
            return None
        return hashlib.sha256(("session:" + entry["salt"] + entry["sha256"]).encode()).hexdigest()[:32]

    def check(self, presented: str) -> Token | None:
        """The token's record if ``presented`` is a valid token, else ``None``."""
        if not presented:
            return None
        if self.local_secret and hmac.compare_digest(presented.encode(), self.local_secret.encode()):
            return Token("cli", "admin", "")
        found = None
        for name, entry in self._read().items():
            if hmac.compare_digest(_digest(entry["salt"], presented), entry["sha256"]):
                found = Token(name, entry["scope"], entry.get("created", ""))
        return found
