"""Per-process server state: the settings, the store (opened lazily, once), its lock, the query runner, metrics."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from ssekg.namespaces import prefixes_for
from ssekg.store import Store

from .executor import RWLock

#: upper bounds of the latency histogram, seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

WRITE_METHODS = {
    "update", "add", "extend", "bulk_extend", "bulk_load", "load", "remove", "clear", "clear_graph",
    "remove_graph", "add_graph", "optimize",
}


class LockedOx:
    """A pyoxigraph store whose writes take the exclusive side of the server's lock (so no fork sees half a write)."""

    def __init__(self, oxstore: ox.Store, state: "ServerState"):
        self._ox = oxstore
        self._state = state

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._ox, name)
        if name in WRITE_METHODS:
            def locked(*args: Any, **kwargs: Any) -> Any:
                with self._state.lock.exclusive():
                    try:
                        return attr(*args, **kwargs)
                    finally:
                        self._state.changed()
            return locked
        return attr


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[float]] = defaultdict(lambda: [0.0] * (len(BUCKETS) + 2))
        self.query_errors: dict[str, int] = defaultdict(int)
        self.timeouts = 0
        self.queries = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            hist = self.latency[route]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    hist[i] += 1
            hist[len(BUCKETS)] += 1  # count (+Inf)
            hist[len(BUCKETS) + 1] += seconds  # sum

    def query_error(self, kind: str) -> None:
        with self._lock:
            self.query_errors[kind] += 1
            if kind == "timeout":
                self.timeouts += 1


class ServerState:
    """Settings, metrics, caches and the back end: the embedded store (``store``, opened lazily) or a remote SPARQL
    store (``settings.endpoint`` set, or a ``RemoteStore`` passed in). Routes read through ``backend``
    (``server/backend.py``), never through ``store.ox``."""

    #: seconds a cached answer (VoID, dump, triple count) is kept on a remote store, which others may write to
    REMOTE_CACHE_SECONDS = 60.0

    def __init__(self, settings: Any, store: Any = None):
        self.settings = settings
        self.base = settings.base
        self.prefixes = prefixes_for(self.base)
        self.lock = RWLock()
        self.write_lock = threading.Lock()  # one write (update, GSP write, ingest) at a time
        # the comparison cube's run across a client's batches (POST /ingest/batch): finished once they stop coming
        self.cube_run: Any = None
        self._cube_timer: threading.Timer | None = None
        self._open_lock = threading.Lock()
        self.metrics = Metrics()
        from .admission import Admission

        self.admission = Admission(int(settings.threads), int(settings.max_client_queries))
        self.generation = 0  # bumped on every write: caches (VoID, dump, triple count) key on it
        self._cache: dict[str, tuple[int, float, Any]] = {}
        self.started = time.time()
        from .backend import EmbeddedBackend, RemoteBackend

        remote = store if store is not None and not isinstance(store, Store) else None
        if remote is None and store is None and settings.values.get("endpoint"):
            from ssekg.remote import RemoteStore

            remote = RemoteStore.from_settings(settings)
        self.remote = remote
        self._store = None if remote is not None else store
        self.backend: Any = RemoteBackend(self, remote) if remote is not None else EmbeddedBackend(self)

    @property
    def is_remote(self) -> bool:
        return self.remote is not None

    @property
    def store(self) -> Store:
        """The embedded store (only on the embedded back end)."""
        if self.remote is not None:
            raise AttributeError("the server uses a remote SPARQL store: read through ServerState.backend")
        if self._store is None:
            with self._open_lock:
                if self._store is None:
                    self._store = Store.open(self.settings.store_dir, self.base)
        return self._store

    def locked_store(self) -> Store:
        """A Store sharing our pyoxigraph store, whose writes take the lock: what the ingest pipeline gets."""
        inner = self.store
        return Store(LockedOx(inner.ox, self), inner.base, inner.path)  # type: ignore[arg-type]

    @property
    def runner(self) -> Any:
        """Runs a client's query with the limits: the forked ``QueryRunner``, or the remote proxy."""
        return self.backend.runner

    def changed(self) -> None:
        self.generation += 1

    #: how long after a client's last batch the comparison cube is brought up to date with them all
    CUBE_SETTLE_SECONDS = 2.0

    def batch_cube_run(self, store: Any) -> Any:
        """The comparison cube's run the batches share (call with ``write_lock`` held): ``ssekg ingest --server``
        sends a corpus as many requests, and the cube is updated once after the last, not at each (which read and
        rewrote the observations each batch touched, or counted the whole store again, per request)."""
        from ssekg import cube

        if self._cube_timer is not None:
            self._cube_timer.cancel()
        if self.cube_run is None:
            self.cube_run = cube.Run(store)
        return self.cube_run

    def settle_cube_later(self) -> None:
        """Finish the batches' cube run once no batch came for CUBE_SETTLE_SECONDS (until then the cube is marked
        pending and the named queries count from the statements, as exactly)."""
        timer = threading.Timer(self.CUBE_SETTLE_SECONDS, self.finish_cube_run)
        timer.daemon = True
        self._cube_timer = timer
        timer.start()

    def finish_cube_run(self) -> None:
        with self.write_lock:
            self.settle_cube_now()

    def settle_cube_now(self) -> None:
        """Finish the batches' cube run now (with ``write_lock`` held): before any other write, whose own update of
        the cube must not interleave with the run's (an event both touch would be counted twice)."""
        if self._cube_timer is not None:
            self._cube_timer.cancel()
        run, self.cube_run = self.cube_run, None
        if run is None:
            return
        try:
            run.finish()
        except Exception as exc:  # the marker stays: the cube is counted again at the next start
            import sys

            print(f"ssekg serve: the comparison cube could not be brought up to date ({exc}); it is counted "
                  "again at the next start (or: ssekg cube rebuild)", file=sys.stderr)
        self.changed()

    def cached(self, name: str, compute: Any) -> Any:
        hit = self._cache.get(name)
        now = time.monotonic()
        if hit and hit[0] == self.generation and (not self.is_remote or now - hit[1] < self.REMOTE_CACHE_SECONDS):
            return hit[2]
        generation = self.generation
        value = compute()
        self._cache[name] = (generation, now, value)
        return value

    def triple_count(self) -> int:
        return self.cached("triples", self.backend.triple_count)
