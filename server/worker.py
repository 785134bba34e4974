"""The gunicorn worker of ``ssekg serve``: gthread, but a request costs a thread only once it has fully arrived.

gunicorn's threaded worker hands a connection to a thread as soon as its first bytes arrive; the thread then reads
the request head and body with blocking reads. A client that sends a header line every two seconds holds that
thread for as long as it likes, and as many such clients as there are threads stop the server (issue 13).

This worker reads every request on the worker's event loop first, without blocking and without a thread: bytes
are gathered until the head is complete and the body has arrived (by ``Content-Length``, or up to the last chunk
of a chunked body), or until the body is larger than ``max_request_bytes`` (the application then answers 413 from
what it has). Only then does a thread parse it, from memory. A request head must arrive within
``header_timeout`` seconds and the whole request within ``body_timeout`` (settings of ``ssekg serve``); a client that is slower gets 408 and
the connection is closed. Slow clients cost a socket and their bytes, never a thread.
"""

from __future__ import annotations

import errno
import re
import selectors
import socket
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

#: Seconds a client has to send a request head, and the whole request; the largest body (``configure``).
LIMITS = {"header_timeout": 10.0, "body_timeout": 30.0, "max_request_bytes": 1_000_000}
#: Bytes of head beyond which the request is handed over as it is (gunicorn's parser refuses it).
MAX_HEAD = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)
_REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(?=\r\n)", re.IGNORECASE)
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def configure(header_timeout: float, body_timeout: float, max_request_bytes: int) -> None:
    """Set the limits before gunicorn forks the worker (the worker inherits them)."""
    LIMITS.update(header_timeout=header_timeout, body_timeout=body_timeout, max_request_bytes=max_request_bytes)


class PrefedSocket:
    """A socket whose first bytes were read already: ``recv`` hands them out before reading the socket again."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.buffered = bytearray()

    def recv(self, size: int, *flags: int) -> bytes:
        if self.buffered:
            out = bytes(self.buffered[:size])
            del self.buffered[:size]
            return out
        return self._sock.recv(size, *flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, *flags: int) -> int:
        if self.buffered:
            n = min(len(buffer), nbytes or len(buffer), len(self.buffered))
            buffer[:n] = self.buffered[:n]
            del self.buffered[:n]
            return n
        return self._sock.recv_into(buffer, nbytes, *flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def request_complete(data: bytes | bytearray, limit: int) -> bool:
    """True once ``data`` holds a whole request (head and body), or enough for the application to refuse it."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return len(data) > MAX_HEAD
    head = bytes(data[:head_end + 2])
    body = len(data) - head_end - 4
    if body > limit:
        return True
    if _CHUNKED.search(head):
        return _chunks_end(data, head_end + 4) is not None
    m = _CONTENT_LENGTH.search(head)
    if m:
        length = int(m.group(1))
        return body >= length or length > limit
    return True


def _chunks_end(data: bytes | bytearray, pos: int) -> int | None:
    """Where a chunked body starting at ``pos`` ends (after its trailers), None while it has not all arrived."""
    n = len(data)
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return None
        size_text = bytes(data[pos:eol]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return pos  # malformed: gunicorn's parser says so
        if size == 0:
            if n < eol + 4:
                return None
            if data[eol + 2:eol + 4] == b"\r\n":
                return eol + 4
            end = data.find(b"\r\n\r\n", eol + 2)
            return None if end < 0 else end + 4
        pos = eol + 2 + size + 2
        if pos > n:
            return None


class BufferingWorker(ThreadWorker):
    """gthread with requests gathered on the event loop before a thread takes them (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filling: dict[Any, tuple[float, float]] = {}  # conn -> (head deadline, body deadline)
        self.header_timeout = float(LIMITS["header_timeout"])
        self.body_timeout = float(LIMITS["body_timeout"])
        self.body_limit = int(LIMITS["max_request_bytes"])

    def enqueue_req(self, conn: Any) -> None:
        """Gather the request on the event loop; a thread takes it once it is complete."""
        parser = getattr(conn, "parser", None)
        if parser is not None and parser.unreader.buf.getvalue():
            super().enqueue_req(conn)  # the next request was read ahead already
            return
        if not isinstance(conn.sock, PrefedSocket):
            conn.sock = PrefedSocket(conn.sock)
        conn.sock.setblocking(False)
        now = time.monotonic()
        self.filling[conn] = (now + self.header_timeout, now + self.body_timeout)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_request_bytes, conn))

    def on_request_bytes(self, conn: Any, _sock: Any) -> None:
        sock: PrefedSocket = conn.sock
        try:
            data = sock._sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        sock.buffered += data
        self._answer_expect(sock)
        if request_complete(sock.buffered, self.body_limit):
            self.poller.unregister(sock)
            del self.filling[conn]
            conn.data_ready = True
            super().enqueue_req(conn)

    @staticmethod
    def _answer_expect(sock: PrefedSocket) -> None:
        """A client that sends ``Expect: 100-continue`` waits for the go-ahead before its body (curl, a second):
        give it as soon as the head is in, and take the header out so that nobody sends it twice."""
        head_end = sock.buffered.find(b"\r\n\r\n")
        if head_end < 0:
            return
        m = _EXPECT.search(sock.buffered, 0, head_end + 2)
        if m is None:
            return
        del sock.buffered[m.start():m.end()]
        try:
            sock._sock.send(_CONTINUE)
        except OSError:
            pass  # the client is gone: the request ends when its socket reads empty

    def _drop(self, conn: Any, answer: bytes = b"") -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.filling.pop(conn, None)
        self.nr_conns -= 1
        if answer:
            try:
                conn.sock._sock.send(answer)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EPIPE, errno.ECONNRESET):
                    self.log.debug("408 not sent: %s", exc)
        conn.close()

    def murder_pending(self) -> None:
        """Also close the connections whose request is late (408), or all of them when the worker stops."""
        super().murder_pending()
        now = time.monotonic()
        for conn, (head_by, body_by) in list(self.filling.items()):
            head_done = b"\r\n\r\n" in conn.sock.buffered
            late = now > body_by or (not head_done and now > head_by)
            if late or not self.alive:
                self._drop(conn, _REQUEST_TIMEOUT if late else b"")
