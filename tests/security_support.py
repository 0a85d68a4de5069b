"""Helpers for the security tests: a TCP listener that records every connection made to it.

The tests point ``SERVICE`` clauses (and other ways a server could be made to call out) at a
listener on 127.0.0.1 and then assert it received nothing: the independent oracle for "no
outbound request" is the kernel delivering a connection, not our own analysis of the text."""

from __future__ import annotations

import asyncio
import socket
import threading
import time


class Listener:
    """Accepts connections on a free loopback port and remembers what each one sent first."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                with self._lock:
                    self.received.append(data or b"(connected)")

    def count(self, settle: float = 0.05) -> int:
        """Connections so far (after a short pause, so one in flight is counted)."""
        time.sleep(settle)
        with self._lock:
            return len(self.received)

    def close(self) -> None:
        self._closed = True
        self.sock.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class BlockingPool:
    """A ``WorkerPool`` for tests without an event loop: ``run`` waits for the coroutine."""

    def __init__(self, pool) -> None:
        self.pool = pool

    def run(self, request):
        return asyncio.run(self.pool.run(request))

    def pids(self) -> list[int]:
        return self.pool.pids()

    def close(self) -> None:
        self.pool.close()
