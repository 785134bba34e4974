"""Paths the tests share. The example report and the W3C suites live in ../shared beside the checkout."""

import importlib.util
import collections
from collections import Counter
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ssekg.query import named_queries

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "cards"
EXAMPLE_CARD = EXAMPLES / "casablanca-regional-workshop.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_address(proc: subprocess.Popen, timeout: float = 180) -> str:
    """The address a started ``ssekg serve`` announces. Its output is drained from then on by a thread (the last
    lines kept in ``proc.log_tail``): a server writing a log line per request into a pipe nobody reads blocks once
    the pipe's 64 KiB are full, and a test polling it waited for ever."""
    deadline = time.monotonic() + timeout
    lines = []
    for line in proc.stdout:
        lines.append(line)
        match = re.search(r"at (http://\S+?)/? ", line)
        if match:
            proc.log_tail = collections.deque(lines[-50:], maxlen=200)
            threading.Thread(target=_drain, args=(proc.stdout, proc.log_tail), daemon=True).start()
            return match.group(1).rstrip("/")
        if time.monotonic() > deadline:
            break
    pytest.fail("the server never said where it serves:\n" + "".join(lines[-30:]))


def _drain(stream, tail) -> None:
    try:
        for line in stream:
            tail.append(line)
    except (OSError, ValueError):  # the server is gone and its pipe closed
        pass


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)




def _bench_module(name: str, filename: str):
    """A bench/ script as a module, loaded once (registered, as its dataclasses need) without touching sys.path."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def bench_module(name: str, filename: str):
    """Any bench/ script as a module (``_bench_module``)."""
    return _bench_module(name, filename)


def bench_extract():
    """bench/extract.py as a module (the extraction tests score the corpora with it)."""
    return _bench_module("bench_extract", "extract.py")


def bench_generate():
    """bench/generate.py as a module: the corpus generator the benchmark and many tests use."""
    return _bench_module("bench_generate", "generate.py")


def card_graph(path: Path, base: str):
    """A bundled or gold card's asserted graph; gold cards of the extraction corpus may leave titles out.

    Raises ``InputError`` for a card that cannot be mapped on its own.
    """
    import yaml

    from ssekg.errors import InputError
    from ssekg.ingest.cards import load_card, parse_card
    from ssekg.ingest.mapping import card_to_graph

    try:
        card = load_card(path)
    except InputError:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for event in data.get("events", []):
            event.setdefault("title", "(untitled)")
        card = parse_card(data, str(path))
    return card_to_graph(card, base=base, source=str(path))


def generated_cards(folder: Path, n: int, seed: int) -> Path:
    """``n`` generated event cards (seed ``seed``) under ``folder``; returns their folder."""
    bench_generate().generate(n, seed, folder, texts=False)
    return folder / "cards"


# -- named queries: the parameter sets the back-end comparisons run ------------------------------------------------
#: Parameter sets each named query is also compared with, beyond its defaults (on Virtuoso, and against Oxigraph's
#: own binding): every optional parameter given and left out, both dimensions, languages with labels (fr, ar) and without (de: every label is a fallback), a value that
#: names nothing, curated statements only (none in the generated corpus).
YEARS = [{"from": "2025"}, {"to": "2024"}, {"from": "2025", "to": "2025"}, {"from": "2026", "to": "2027", "examples": "include"}]
TYPES = [{"eventType": "forum"}, {"eventType": "event-type/conference"}, {"eventType": "summit"}]
MATRIX = [{"dimension": "speaker"}, {"lang": "fr"}, {"lang": "ar"}, {"lang": "de"}, {"curated": "only"}, *YEARS, *TYPES,
          {"dimension": "speaker", "from": "2025", "eventType": "conference"}]
QUERY_PARAMETER_SETS: dict[str, list[dict[str, str]]] = {
    "challenges-by-country": MATRIX,
    "proposals-by-country": MATRIX,
    "statements-in-cell": [
        {"country": "SN"}, {"country": "SN", "category": "access-to-finance"},
        {"country": "SN", "category": "innovative-finance", "kind": "proposal", "dimension": "speaker"},
        {"kind": "proposal"}, {"dimension": "speaker"}, {"lang": "fr"}, {"lang": "de"}, {"country": "MA", "lang": "ar"},
        *YEARS, *TYPES, {"country": "SN", "kind": "proposal", "dimension": "speaker", "eventType": "webinar"},
        {"kind": "proposal", "from": "2025", "eventType": "conference"}, {"kind": "proposal", "curated": "only"},
    ],
    "events-by-country-year": [{"dimension": "participant"}, {"dimension": "participant", "lang": "fr"}, {"lang": "ar"},
                               {"lang": "de"}],
    "country-pairs": [{"country": "SN"}, {"country": "Mali"}, {"country": "AQ"}, {"lang": "fr"}, *YEARS, *TYPES,
                      {"country": "MA", "from": "2025", "eventType": "forum"}],
    "country-profile": [{"country1": "MA", "country2": "SN"}, {"country1": "MA", "country2": "SN", "dimension": "speaker", "lang": "fr"},
                        {"country1": "TN", "country2": "BE", "lang": "ar"}, {"country1": "MA", "country2": "SN", "lang": "de"},
                        {"country1": "SN"}],
    "speakers": [{"country": "TN"}, {"country": "SN", "lang": "fr"}, {"country": "AQ"}, {"lang": "de"}],
    "organisations": [{"country": "SN"}, {"country": "BE", "lang": "fr"}, {"lang": "de"}],
    "statement-coverage": [{"kind": "proposal"}, *YEARS, *TYPES, {"kind": "proposal", "minConfidence": "0.5"}],
}
for _name, _named in named_queries().items():
    if _name not in QUERY_PARAMETER_SETS and any(p.name == "lang" for p in _named.params):
        QUERY_PARAMETER_SETS[_name] = [{"lang": "fr"}, {"lang": "ar"}, {"lang": "de"}]
QUERY_COMPARISONS = [(name, params) for name in sorted(named_queries()) for params in [{}, *QUERY_PARAMETER_SETS.get(name, [])]]
QUERY_COMPARISON_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}" for n, p in QUERY_COMPARISONS]


def solution_multiset(result) -> Counter:
    """A SELECT result as a multiset of rows of N-Triples forms (IRIs, literals with their language or datatype):
    how answers from two back ends or two bindings are compared, whatever their row order."""
    names = [v.value for v in result.variables]
    return Counter(tuple("" if row[n] is None else str(row[n]) for n in names) for row in result)
