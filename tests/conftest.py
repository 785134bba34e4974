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
