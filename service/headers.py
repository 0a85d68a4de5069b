"""Security headers on every response (issue 17, Build 3).

- every response: ``X-Content-Type-Options: nosniff`` (a browser never runs an upload or a query
  result as script or style because it "looks like" one) and ``Referrer-Policy: same-origin``
  (our URLs carry search terms and queries; other sites do not get them);
- every HTML response: a ``Content-Security-Policy`` that allows scripts, styles, images, fonts
  and connections from this origin only, no inline script, no inline style, no plugins, no
  ``<base>`` or form target elsewhere, and no framing (``frame-ancestors 'none'``, with
  ``X-Frame-Options: DENY`` for older browsers). Our pages keep their data in
  ``<script type="application/json">`` blocks, which are not executed and need no exception;
- the API documentation pages (``/docs``, ``/redoc``) are FastAPI's own HTML with one inline
  start-up script and, unless the assets are served by us, a CDN: their policy allows exactly the
  hashes of the inline scripts in that HTML and the origins it loads from, nothing more. With
  self-hosted assets the same code yields a ``'self'``-only policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
HTML_ONLY = [(b"x-frame-options", b"DENY")]
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_EXTERNAL = re.compile(r"""(?:src|href)=["'](https?://[^"']+)["']""", re.I)


def docs_policy(html: str) -> str:
    """The policy for a documentation page: its inline scripts by hash, its external origins."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(html)
    )
    origins = " ".join(sorted({"{0.scheme}://{0.netloc}".format(urlsplit(u)) for u in _EXTERNAL.findall(html)}))
    extra = f" {origins}" if origins else ""
    return (
        f"default-src 'self'; script-src 'self'{extra} {hashes}; style-src 'self' 'unsafe-inline'{extra}; "
        f"img-src 'self' data:{extra}; font-src 'self'{extra}; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ).replace("  ", " ")


class SecurityHeaders:
    """Pure ASGI middleware (streaming responses pass through; only the small documentation pages
    are buffered, to hash their inline scripts)."""

    def __init__(self, app: ASGIApp, docs_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(p for p in docs_paths if p)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in self.docs_paths:
            await self._buffered(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_headers(message.get("headers", []), PAGE_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        body: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    data = b"".join(body)
                    assert start is not None
                    policy = docs_policy(data.decode("utf-8", "replace"))
                    start["headers"] = _with_headers(start.get("headers", []), policy)
                    await send(start)
                    await send({"type": "http.response.body", "body": data})
                return
            await send(message)

        await self.app(scope, receive, collect)


def _with_headers(headers: list, policy: str) -> list:
    names = {name.lower() for name, _ in headers}
    out = list(headers) + [h for h in ALWAYS if h[0] not in names]
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html"):
        if b"content-security-policy" not in names:
            out.append((b"content-security-policy", policy.encode()))
        out += [h for h in HTML_ONLY if h[0] not in names]
    return out
