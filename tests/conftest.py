"""Shared fixtures. The example report and the W3C suites live in ../shared (beside the checkout), not here."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SHARED


@pytest.fixture
def shared_reports() -> Path:
    folder = SHARED / "reports"
    if not folder.is_dir():
        pytest.skip(f"the example report lives in {folder} (../shared/reports beside the checkout); absent here")
    return folder


@pytest.fixture
def example_text(shared_reports: Path) -> str:
    from ssekg.text import normalise

    (path,) = sorted(shared_reports.glob("*.txt"))
    return normalise(path.read_text(encoding="utf-8"))


def pytest_runtest_teardown(item):
    """The checkout's root on sys.path makes the source ssekg/ folder shadow the installed package in every
    process started later (the parallel ingest's workers failed that way): no test may leave it there."""
    import sys

    from support import ROOT

    leaked = [p for p in sys.path if p in ("", ".", str(ROOT))]
    if leaked:
        for p in leaked:
            sys.path.remove(p)
        pytest.fail(f"{item.nodeid} left {leaked} on sys.path", pytrace=False)


@pytest.fixture(scope="module")
def real_corpus() -> Path:
    """The real reports (../shared/corpus): third-party texts that our gold (corpus/gold) annotates."""
    folder = SHARED / "corpus"
    if not (folder / "reports").is_dir():
        pytest.skip(f"the real corpus lives in {folder} (../shared/corpus beside the checkout); absent here")
    return folder
