"""Fixtures of the server tests: an in-process app (Flask test client) and live `ssekg serve` subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

ROOT = Path(__file__).resolve().parents[2]  # the checkout
W3C = Path(__file__).resolve().parents[3] / "shared" / "w3c"  # ../shared/w3c beside the checkout
SPARQL11 = W3C / "rdf-tests" / "sparql" / "sparql11"
GOLDEN = ROOT / "tests" / "golden" / "casablanca-regional-workshop.trig"
REPORTS = ROOT.parent / "shared" / "reports"
TOKEN = "test-token-0123456789"
BASE = "https://w3id.org/ssekg/id/"
SCHEMA_TEXT = URIRef("http://schema.org/text")


def w3c_suite(name: str) -> Path:
    folder = SPARQL11 / name
    if not folder.is_dir():
        pytest.skip(f"the W3C test suites live in ../shared/w3c beside the checkout ({folder} is absent)")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def example_graphs(with_text: bool = True) -> dict[str, list]:
    """The example report's graphs (tests/golden), with the report's normalised text when it is at hand."""
    ds = Dataset()
    ds.parse(GOLDEN, format="trig")
    graphs: dict[str, list] = {}
    for ctx in ds.graphs():
        if isinstance(ctx.identifier, URIRef) and ctx.identifier != URIRef("urn:x-rdflib:default") and len(ctx):
            graphs[str(ctx.identifier)] = list(ctx)
    report = next(g for g in graphs if g.startswith(BASE + "report/"))
    texts = sorted(REPORTS.glob("*.txt")) if REPORTS.is_dir() else []
    if with_text and texts:
        from ssekg.text import normalise

        text = normalise(texts[0].read_text(encoding="utf-8"))
        graphs[report].append((URIRef(report), SCHEMA_TEXT, Literal(text, lang="ar")))
    return graphs


def fill_store(path: Path, graphs: dict[str, list]) -> None:
    from ssekg.store import Store

    store = Store.open(path)
    store.replace_graphs(graphs)
    store.close()
    del store
    import gc

    gc.collect()


class ServerProcess:
    """A server in a subprocess, logging to a file, ready once its /health answers 200."""

    url: str

    def start(self, command: list[str], env: dict[str, str], log: Path, health_timeout: float = 5) -> None:
        self.log = open(log, "w+")
        self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=health_timeout) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not come up:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class LiveServer(ServerProcess):
    """`ssekg serve` in a subprocess on 127.0.0.1 and a free port."""

    def __init__(self, store: Path, **settings: object):
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSEKG_")}
        env.update({"SSEKG_STORE": str(store), "SSEKG_HOST": "127.0.0.1", "SSEKG_PORT": str(self.port)})
        for name, value in settings.items():
            env["SSEKG_" + name.upper()] = ",".join(value) if isinstance(value, (list, tuple)) else str(value)
        ssekg = Path(sys.executable).with_name("ssekg")
        command = [str(ssekg), "serve"] if ssekg.exists() else [sys.executable, "-m", "ssekg.server"]
        self.start(command, env, store.parent / f"server-{self.port}.log")


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An empty store, updates enabled with TOKEN: the W3C suites write and clear it."""
    store = tmp_path_factory.mktemp("w3c") / "store"
    server = LiveServer(store, update_token=TOKEN, query_timeout=10)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The example report's graphs, updates enabled with TOKEN, a short query timeout."""
    store = tmp_path_factory.mktemp("live") / "store"
    fill_store(store, example_graphs())
    server = LiveServer(store, update_token=TOKEN, query_timeout=3, max_rows=50)
    yield server
    server.stop()


@pytest.fixture
def app_factory(tmp_path: Path):
    """create_app with settings overrides and an in-memory store (or the example's graphs)."""
    from ssekg.server import create_app
    from ssekg.settings import load_settings
    from ssekg.store import Store

    def make(example: bool = False, with_text: bool = True, **overrides: object):
        store = Store.memory()
        if example:
            store.replace_graphs(example_graphs(with_text))
        settings = load_settings({"store": str(tmp_path / "unused"), **overrides}, environ={})
        return create_app(settings, store)

    return make


@pytest.fixture
def client(app_factory):
    return app_factory(example=True, update_token=TOKEN).test_client()


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture(scope="session")
def suite():
    """suite(name) -> the folder of a W3C SPARQL 1.1 suite, or skip (they live in ../shared/w3c)."""
    return w3c_suite


@pytest.fixture
def server_factory():
    """server_factory(store_dir, **settings) -> a LiveServer, stopped at the end of the test."""
    servers = []

    def make(store: Path, **settings: object) -> LiveServer:
        server = LiveServer(store, **settings)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
