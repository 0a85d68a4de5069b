"""Reading request bodies with a size cap and a clock, so a slow or stalled client cannot hold a
connection and a worker thread for as long as it likes (issue 17.7).

The body is read chunk by chunk as it arrives: over ``limit`` bytes (declared in Content-Length or
actually sent) is ``413``; no chunk for ``body_idle_timeout`` seconds, or the whole body taking
longer than ``body_timeout``, is ``408`` (RFC 9110, section 15.5.9). Both are ``BodyError``; each
router turns it into its own error format.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import Request


class BodyError(Exception):
    """The body was refused: ``status`` 413 (too large) or 408 (too slow)."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


async def read_body(request: Request, limit: int, *, what: str = "the request body") -> bytes:
    """The whole body, or :class:`BodyError` as soon as it is too large or too slow."""
    settings = request.app.state.settings
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyError(413, "Payload too large", f"{what} is over {limit} bytes")
    deadline = time.monotonic() + settings.body_timeout
    stream = request.stream().__aiter__()
    chunks, size = [], 0
    while True:
        wait = min(settings.body_idle_timeout, deadline - time.monotonic())
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout=max(wait, 0.001))
        except StopAsyncIteration:
            break
        except TimeoutError:
            idle = wait >= settings.body_idle_timeout
            raise BodyError(408, "Request timeout", (
                f"no part of {what} arrived for {settings.body_idle_timeout:g} s" if idle else
                f"{what} took longer than {settings.body_timeout:g} s to arrive")) from None
        size += len(chunk)
        if size > limit:
            raise BodyError(413, "Payload too large", f"{what} is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
