"""A large write to a store that asks for HTTP Digest authentication goes through, even when the store answers the
challenge without reading the body and closes the connection, as Virtuoso does: the client asks for the challenge
with a bodiless request first and sends the body once, with its answer (before, a graph PUT to Virtuoso met a
broken pipe now and then, and CI failed at random).

The store here is a small HTTP server of our own that behaves like that; Virtuoso itself is in
tests/test_remote_virtuoso.py.
"""

from __future__ import annotations

import http.server
import threading

import pytest

from ssekg.remote import PREAUTH_BYTES, RemoteStore


class _DigestStore(http.server.BaseHTTPRequestHandler):
    """401 with a Digest challenge to any request without an answer, without reading its body, then hang up."""

    protocol_version = "HTTP/1.1"
    received: list[tuple[str, int, str]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _challenge(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Digest realm="store", nonce="abc123", qop="auth", algorithm="MD5"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _handle(self) -> None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Digest ") or 'username="dba"' not in auth or 'nonce="abc123"' not in auth:
            self._challenge()
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.received.append((self.command, len(body), self.path))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = do_HEAD = do_DELETE = _handle


@pytest.fixture
def digest_store():
    _DigestStore.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DigestStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_large_graph_is_put_once_with_the_answer_to_the_challenge(digest_store):
    store = RemoteStore(f"{digest_store}/sparql", graph_store=f"{digest_store}/graph-store", auth="digest",
                        user="dba", password="secret", timeout=10)
    line = '<https://example.org/s> <https://example.org/p> "' + "x" * 200 + '" .\n'
    body = line * (16_000_000 // len(line))  # far more than the socket buffers hold (the old way broke the pipe here)
    assert len(body) > PREAUTH_BYTES
    for _ in range(5):  # the race was intermittent: every attempt must go through
        store._put_graph("https://example.org/g", body)
    puts = [r for r in _DigestStore.received if r[0] == "PUT"]
    assert len(puts) == 5 and all(size == len(body.encode()) for _, size, _ in puts)
