"""`ssekg serve`: the Flask app under gunicorn (threads in one worker process: the store admits one writer)."""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from ssekg.errors import StoreError
from ssekg.settings import Settings
from ssekg.store import Store

from .worker import BufferingWorker, configure


class _Gunicorn(BaseApplication):
    def __init__(self, app: Any, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def _public(url: str) -> str:
    """A URL without user:password@ (never print credentials)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


#: True once this process (gunicorn's arbiter) is a child subreaper: the query readers its worker forks, detached
#: from the worker by a double fork, are then re-parented to it and reaped by it (gunicorn reaps unknown children)
_SUBREAPER = False


def _become_subreaper() -> bool:
    """prctl(PR_SET_CHILD_SUBREAPER, 1) (Linux); False where it is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # 36: PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    address = f"http://{settings.host}:{settings.port}/"

    remote = bool(settings.values.get("endpoint"))
    what = f"the SPARQL store {_public(settings.endpoint)}" if remote else settings.store_dir

    def when_ready(server: Any) -> None:
        print(f"ssekg serving {what} at {address} (SPARQL endpoint {address}sparql)", flush=True)

    def post_fork(server: Any, worker: Any) -> None:
        # nothing may leave the machine and the store is on disk: cut the worker off from the network before it
        # opens anything (ssekg.sandbox); the socket it serves on was opened by the arbiter and keeps working
        if remote or settings.outbound_allow:
            return
        from ssekg.sandbox import isolate_network

        why = isolate_network()
        if why:
            print(f"ssekg serve: the worker could not be isolated from the network ({why}); outbound calls are "
                  "refused by the query check alone", file=sys.stderr, flush=True)

    def post_worker_init(worker: Any) -> None:
        # open the store now, in the worker, so a locked store fails at start and not at the first request;
        # a remote store is asked once (what it is; a store that does not answer yet is reported, /health says 503)
        state = worker.wsgi.extensions["ssekg"]
        state.backend.open()
        if not remote:
            # the pool of query readers: one idle reader per thread at most; readers leave the worker (double
            # fork) when the arbiter reaps them, so the worker's only children are short-lived middle processes
            runner = state.backend.runner
            runner.max_idle = max(1, int(settings.threads))
            runner.detach = _SUBREAPER

    return {
        "bind": f"{settings.host}:{settings.port}",
        # the embedded store admits one process; a remote store can be served by several
        "workers": max(1, int(settings.workers)) if remote else 1,
        "threads": max(1, int(settings.threads)),
        # gthread, but a request takes a thread only once it has fully arrived (server/worker.py)
        "worker_class": BufferingWorker,
        # the worker's heartbeat comes from its main thread; queries are stopped at query_timeout anyway
        "timeout": max(30, int(settings.query_timeout * 2) + 10),
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 0,  # long GET queries: max_request_bytes is enforced by the app
        "limit_request_field_size": 16384,
        "accesslog": None,  # the app writes structured access logs itself
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": when_ready,
        "post_fork": post_fork,
        "post_worker_init": post_worker_init,
        "proc_name": "ssekg-serve",
    }


def _probe_store(settings: Settings) -> None:
    """Open and close the store in a child process; StoreError with the store's message if it cannot be opened.

    Not in this process: RocksDB starts background threads when a store opens, and a worker forked from a
    process that had them inherits their bookkeeping without the threads. The worker then crashed (SIGSEGV)
    when it closed its own store at shutdown."""
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: try, report, leave without running any cleanup of the parent's
        os.close(read_end)
        message = b""
        try:
            store = Store.open(settings.store_dir, settings.base)
            _ensure_cube(store)
            store.close()
        except Exception as exc:  # StoreError, or what the store raised
            message = str(exc).encode("utf-8", "replace") or type(exc).__name__.encode()
        os.write(write_end, message)
        os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    if chunks:
        raise StoreError(b"".join(chunks).decode("utf-8", "replace"))


def _ensure_cube(store: Any) -> None:
    """Count the comparison cube of a store ssekg wrote (its reference graphs are there) that has none, one of an
    older definition, or one a writer left pending, before serving: the page's queries would otherwise count every
    statement."""
    from ssekg import cube
    from ssekg.namespaces import graph_iri

    if store.has_graph(graph_iri(store.base, "meta")) and (cube.ensure(store) or cube.recover(store)):
        print("ssekg serve: the comparison cube was counted from the store's reports", file=sys.stderr)


def run(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT; raises StoreError if the store is open in another process."""
    remote = bool(settings.values.get("endpoint"))
    if int(settings.workers) != 1 and not remote:
        print(
            f"ssekg serve: workers={settings.workers} ignored: the embedded store can be opened by one process "
            f"only, so the server runs 1 worker with {settings.threads} threads",
            file=sys.stderr,
        )
    if remote:
        # fail early on bad settings (URL, auth method, missing credentials); the store itself may come up later
        from ssekg.remote import RemoteStore

        remote_store = RemoteStore.from_settings(settings)
        try:
            _ensure_cube(remote_store)
        except StoreError as exc:  # the store may come up later: the queries count from the statements until then
            print(f"ssekg serve: the comparison cube could not be checked ({exc})", file=sys.stderr)
    else:
        # fail early, with the store's own message, if another process holds the store
        _probe_store(settings)

    if not settings.public_url and str(settings.host) not in ("127.0.0.1", "localhost", "::1"):
        print(f"ssekg serve: public_url is not set; links in answers will name http://{settings.host}:{settings.port}/ "
              "(set public_url to the address users reach, see docs/deployment.md)", file=sys.stderr)
    global _SUBREAPER
    if not remote:
        _SUBREAPER = _become_subreaper()

    from . import create_app

    configure(settings.header_timeout, settings.body_timeout, settings.max_request_bytes)
    app = create_app(settings)
    try:
        _Gunicorn(app, gunicorn_options(settings)).run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise StoreError(f"the server stopped with status {exc.code} (see the messages above)") from None
