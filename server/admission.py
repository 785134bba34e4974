"""Fair admission of SPARQL queries: one client cannot take the endpoint from the others (issue 13).

A query from a client takes a worker thread for as long as it runs (up to ``query_timeout``). Eight heavy queries
used to take all eight threads, and every other client, a page lookup or a cheap ASK, waited for their timeout.
Two limits now hold, both checked before a query runs; a query waits for a place a quarter of a second at most
(``Admission.WAIT``: a burst of cheap queries gets through), then is refused:

- per client (its address): at most ``max_client_queries`` queries at a time; more is 429 with ``Retry-After``;
- for all clients: queries take at most ``threads`` minus a reserve (a quarter of the threads, at least two), so
  pages, lookups, /health and the answers that refuse are always served; beyond it, 503 with ``Retry-After``.

Behind a reverse proxy every client has the proxy's address: list the proxy in ``trusted_proxies`` and the client
is the address the proxy appended to ``X-Forwarded-For`` (``client_of``; ``docs/deployment.md``).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager


def client_of(remote_addr: str | None, forwarded_for: str | None, trusted: list[str]) -> str:
    """The client a request counts against: its address, or, from a trusted proxy, the last address of
    ``X-Forwarded-For`` (the one that proxy appended; the ones before it are the client's own say)."""
    if remote_addr in trusted and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last
    return remote_addr or "-"


class Busy(Exception):
    """A query that is not admitted now: ``status`` 429 (this client) or 503 (the server), and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Admission:
    #: Seconds a query waits for a place before it is refused: a burst of cheap queries (a page's lookups, a
    #: benchmark's eight connections) finds places within milliseconds; queries that hold their places (heavy ones)
    #: are refused after this, and the wait holds a thread no longer than this.
    WAIT = 0.25

    def __init__(self, threads: int, per_client: int):
        self.reserve = max(2, threads // 4)
        self.lane = max(1, threads - self.reserve)
        self.per_client = max(1, per_client)
        self._lock = threading.Condition()
        self._running = 0
        self._by_client: dict[str, int] = defaultdict(int)
        self.refused = {429: 0, 503: 0}

    @contextmanager
    def query(self, client: str) -> Iterator[None]:
        """Hold a place for one query of ``client`` while it runs; Busy when none frees within ``WAIT``."""
        deadline = time.monotonic() + self.WAIT
        with self._lock:
            while self._by_client[client] >= self.per_client or self._running >= self.lane:
                left = deadline - time.monotonic()
                if left <= 0:
                    if self._by_client[client] >= self.per_client:
                        self.refused[429] += 1
                        raise Busy(429, f"this client already runs {self.per_client} queries (max_client_queries): "
                                        "wait for one to finish")
                    self.refused[503] += 1
                    raise Busy(503, f"the server runs {self.lane} queries already: try again in a moment")
                self._lock.wait(left)
            self._running += 1
            self._by_client[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._by_client[client] -= 1
                if not self._by_client[client]:
                    del self._by_client[client]
                self._lock.notify_all()
