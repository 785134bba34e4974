"""Below the text check: a server process that cannot open a network connection at all (issue 13).

``ssekg.outbound`` decides from a query's text whether it may leave the machine. A check of text is only as good
as its reading of the text, so the embedded store's worker is also cut off from the network by the operating
system: right after gunicorn forks it (one thread, nothing open but the listening socket), it moves into a new
user and network namespace (Linux ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``, no privilege needed). The socket it
serves on was opened before and keeps working; every socket it opens afterwards lives in an empty network with
no interface, so a SERVICE or LOAD that got past the check fails with "network unreachable". The query readers it
forks inherit that.

This is done only when nothing may leave the machine (``outbound_allow`` empty) and the store is the embedded
one (a remote store is reached over the network). Where the kernel refuses (no user namespaces), the server says
so at start and relies on the text check alone.
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def isolate_network() -> str | None:
    """Cut this (single-threaded) process off from the network; None when done, else why it could not be."""
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return os.strerror(ctypes.get_errno())
    except (OSError, AttributeError) as exc:
        return str(exc)
    # keep our own uid and gid inside the namespace, so files are read and written as before
    try:
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        with open("/proc/self/uid_map", "w") as fh:
            fh.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as fh:
            fh.write(f"{gid} {gid} 1")
    except OSError as exc:
        return f"isolated, but the id maps could not be written: {exc}"
    return None


def network_reachable(host: str = "127.0.0.1", port: int = 9) -> bool:
    """False when a TCP connection cannot even be attempted (no route: an isolated process)."""
    import errno
    import socket

    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect((host, port))
        return True
    except OSError as exc:
        return exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
    finally:
        s.close()
