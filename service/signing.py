"""The keys that sign curators' session cookies and form (CSRF) tokens, and signers made from them.

Where the secret lives: ``KNOOPPUNT_SESSION_SECRET`` if set (comma-separated keys, the newest
first), otherwise a random 256-bit key in ``session.key`` beside the token file (made on first use,
mode 0600; with ``--store memory`` a key for this process only). Signing and checking are
itsdangerous's (HMAC-SHA1 over the payload and a timestamp, with a per-purpose salt), not ours.

Rotating it: put a new key first in ``KNOOPPUNT_SESSION_SECRET`` and keep the old one after it
(``new,old``): new cookies are signed with the new key and the old ones keep working until they
expire (``KNOOPPUNT_SESSION_MAX_AGE``); then drop the old key. Replacing ``session.key`` (or
removing it and restarting) ends every session at once.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def keys(app: FastAPI) -> list[str]:
    """The signing keys, the newest first (read once per app)."""
    found = getattr(app.state, "signing_keys", None)
    if found is None:
        settings = app.state.settings
        if settings.session_secret:
            found = [k.strip() for k in settings.session_secret.split(",") if k.strip()]
        elif settings.is_memory and not settings.token_file:
            found = [secrets.token_urlsafe(32)]
        else:
            found = [_key_file(settings.resolved_session_key_file())]
        app.state.signing_keys = found
    return found


def _key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def timed(request: Request, purpose: str) -> URLSafeTimedSerializer:
    """A signer for ``purpose`` (its salt) whose signatures carry their time (for a max age)."""
    # itsdangerous signs with the *last* key and accepts all of them
    return URLSafeTimedSerializer(list(reversed(keys(request.app))), salt=f"knooppunt-{purpose}")


def plain(request: Request, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(list(reversed(keys(request.app))), salt=f"knooppunt-{purpose}")


def secure(request: Request) -> bool:
    """Cookies get ``Secure`` when the page was served over https (uvicorn's proxy headers tell)."""
    return request.url.scheme == "https"
