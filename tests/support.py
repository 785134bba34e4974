"""Paths the tests share. The example report and the W3C suites live in ../shared beside the checkout."""

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "cards"
EXAMPLE_CARD = EXAMPLES / "casablanca-regional-workshop.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_address(proc: subprocess.Popen, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    lines = []
    for line in proc.stdout:
        lines.append(line)
        match = re.search(r"at (http://\S+?)/? ", line)
        if match:
            return match.group(1).rstrip("/")
        if time.monotonic() > deadline:
            break
    pytest.fail("the server never said where it serves:\n" + "".join(lines[-30:]))


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
