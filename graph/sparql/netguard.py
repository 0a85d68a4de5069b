"""Take the network away from a query worker, so no query can make this server call other hosts.

pyoxigraph evaluates ``SERVICE`` (and an update's ``LOAD``) over HTTP and has no switch to turn
that off. The endpoint refuses such text before it runs (``text.query_shape``), but that check
reads the text with its own lexer: a future difference between it and the engine's parser could
reopen the hole. So each worker, once at start and before it reads any query, installs a seccomp
filter (through libseccomp) that makes the kernel refuse, for this process and every thread and
child it will have:

- ``socket()`` for every address family except ``AF_UNIX`` (``EAFNOSUPPORT``): no TCP, UDP, raw
  or netlink socket can be made, so no DNS lookup and no connection either;
- ``connect()`` (``ENETUNREACH``): the worker only talks over the socketpair it inherited, which is
  already connected; nothing else, not even a Unix socket of another local service, is reached;
- ``io_uring_setup()`` (``ENOSYS``): io_uring can open and connect sockets without the calls above.

Everything else is allowed; syscalls of another architecture's ABI (``int 0x80`` on x86-64) are
killed (libseccomp's default). The filter cannot be removed once loaded. libseccomp sets
``no_new_privs`` first, so this works as root and as an unprivileged user alike.

A SERVICE that slips past the text check then fails inside the engine with ``os error 97`` (or
101); reading the store's files never gives either, so the worker recognises the refusal
(:func:`is_blocked`) and reports it as a refused query.
"""

from __future__ import annotations

import errno
import socket
import sys

SOCKET_ERRNO = errno.EAFNOSUPPORT
CONNECT_ERRNO = errno.ENETUNREACH


class NetguardUnavailable(RuntimeError):
    """The filter could not be installed (no libseccomp, or a kernel without seccomp filters)."""


def install() -> None:
    """Install the filter in this process; raise :class:`NetguardUnavailable` if that fails.

    On a system other than Linux there is no seccomp: the caller decides what that means."""
    if not sys.platform.startswith("linux"):
        raise NetguardUnavailable(f"seccomp filters exist on Linux only, not on {sys.platform}")
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as exc:  # RuntimeError: pyseccomp found no libseccomp
        raise NetguardUnavailable(f"libseccomp is not available ({exc}); install libseccomp2") from exc
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread of the process, not only this one
        rules.add_rule(seccomp.ERRNO(SOCKET_ERRNO), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(seccomp.ERRNO(CONNECT_ERRNO), "connect")
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except OSError as exc:
        raise NetguardUnavailable(f"the seccomp filter could not be loaded: {exc}") from exc


def is_blocked(exc: BaseException) -> bool:
    """Whether an error from the engine is the filter refusing a socket or a connection.

    The engine reports I/O errors as ``OSError`` with the message of the underlying Rust error,
    which ends in ``(os error N)``, without setting ``errno``."""
    if not isinstance(exc, OSError):
        return False
    if exc.errno in (SOCKET_ERRNO, CONNECT_ERRNO):
        return True
    text = str(exc)
    return f"(os error {SOCKET_ERRNO})" in text or f"(os error {CONNECT_ERRNO})" in text

