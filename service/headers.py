"""Security headers on every response (issue 17, Build 3).

- every response: ``X-Content-Type-Options: nosniff`` (a browser never runs an upload or a query
  result as script or style because it "looks like" one) and ``Referrer-Policy: same-origin``
  (our URLs carry search terms and queries; other sites do not get them);
- every HTML response: a ``Content-Security-Policy`` that allows scripts, styles, images, fonts
  and connections from this origin only, no inline script, no inline style, no plugins, no
  ``<base>`` and no form target elsewhere, and no framing (``frame-ancestors 'none'``, with
  ``X-Frame-Options: DENY`` for older browsers). Our pages keep their data in
  ``<script type="application/json">`` blocks, which are not executed and need no exception;
  ``/docs`` is Swagger UI served from the package with its start script in a file
  (``service.docs``), so it runs under the same policy. Swagger UI builds its workers from
  ``blob:`` URLs, which ``worker-src`` allows; nothing else does.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    b"connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    b"form-action 'self'; frame-ancestors 'none'"
)
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
HTML_ONLY = [(b"content-security-policy", POLICY), (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to the start of each response, streams untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_headers(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_headers(headers: list) -> list:
    """``headers`` plus the ones above it does not already have (a route may set its own)."""
    names = {name.lower() for name, _ in headers}
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    extra = ALWAYS + (HTML_ONLY if content_type.startswith(b"text/html") else [])
    return list(headers) + [h for h in extra if h[0] not in names]
