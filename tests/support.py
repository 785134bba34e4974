"""Paths the tests share. The example report and the W3C suites live in ../shared beside the checkout."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples" / "cards"
EXAMPLE_CARD = EXAMPLES / "casablanca-regional-workshop.yaml"
