"""Rate limits per client, for what anyone can send without a token: proposals and sign-in attempts.

The counting is the ``limits`` library's moving window in memory (``MovingWindowRateLimiter`` over
``MemoryStorage``): a well-kept, tested implementation of exactly this, thread-safe, that forgets a
client when its window has passed, so memory is bounded by the clients of the last window. Limits
are in its notation, several at once: ``"5/minute;30/hour"`` (``KNOOPPUNT_PROPOSAL_RATE``,
``KNOOPPUNT_SIGNIN_RATE``). In memory means per process, which is what the embedded store allows
(one process); replicas over a remote store each count their own share.

The client is the connection's address as uvicorn reports it: behind a reverse proxy on the same
machine uvicorn takes it from ``X-Forwarded-For`` (its ``--forwarded-allow-ips``, loopback by
default), so a client cannot choose its own key by sending that header from elsewhere.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimited(Exception):
    """Over a limit: ``retry_after`` seconds until the client may try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


class Limit:
    """One named limit (e.g. ``proposal``) with one or more windows."""

    def __init__(self, name: str, spec: str) -> None:
        self.name = name
        self.items: list[RateLimitItem] = parse_many(spec)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str) -> None:
        """Count one request of ``client``; ``RateLimited`` if a window is full (then nothing is counted)."""
        for item in self.items:
            if not self.limiter.test(item, self.name, client):
                reset = self.limiter.get_window_stats(item, self.name, client).reset_time
                raise RateLimited(max(1, math.ceil(reset - time.time())))
        for item in self.items:
            self.limiter.hit(item, self.name, client)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(request: Request, name: str) -> Limit:
    """The app's limit ``name`` (``proposal`` or ``signin``), made from the settings once."""
    limits = getattr(request.app.state, "rate_limits", None)
    if limits is None:
        limits = request.app.state.rate_limits = {}
    if name not in limits:
        settings = request.app.state.settings
        limits[name] = Limit(name, {"proposal": settings.proposal_rate, "signin": settings.signin_rate}[name])
    return limits[name]


def check(request: Request, name: str) -> None:
    limit(request, name).hit(client_of(request))
