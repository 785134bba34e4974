"""Calibrated confidence of extracted facts (issue 12).

Each learned component gives a raw score: the statement model's probability, the entity tagger's marginal
probability that a name's tokens are a person or an organisation, the event detector's probability. Raw
scores of models trained on a hundred reports are not probabilities one can read as such, so ``make train``
calibrates them on the dev fold: for each kind of fact, the raw scores are cut into bins, and each bin's
confidence is the share of its facts that were right (smoothed, and made non-decreasing by pooling adjacent
bins). The table ships as ``models/calibration.json``; ``bench/extract.py`` prints the reliability table
(confidence bins against the share right) for the dev and the test fold.
"""

from __future__ import annotations

from typing import Any, Iterable

from . import linear

KINDS = ("event", "speaker", "organisation", "statement")
#: The edges of the raw-score bins.
EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _table() -> dict[str, Any] | None:
    from .sequence import models_dir

    return linear.load(str(models_dir() / "calibration.json"))


def calibrate(kind: str, raw: float) -> float:
    """The calibrated confidence of a fact of ``kind`` whose raw score is ``raw`` (raw when no table ships)."""
    table = _table()
    raw = min(max(float(raw), 0.0), 1.0)
    if not table or kind not in table["kinds"]:
        return round(raw, 3)
    values = table["kinds"][kind]
    for k in range(len(EDGES) - 1):
        if raw < EDGES[k + 1] or k == len(EDGES) - 2:
            return values[k]
    return values[-1]  # pragma: no cover - the loop always returns


def fit(pairs: Iterable[tuple[float, bool]]) -> list[float]:
    """Per bin, the smoothed share right ((right + 1) / (n + 2)), pooled so that it never decreases."""
    counts = [[0, 0] for _ in range(len(EDGES) - 1)]
    for raw, right in pairs:
        raw = min(max(raw, 0.0), 1.0)
        k = next(i for i in range(len(EDGES) - 1) if raw < EDGES[i + 1] or i == len(EDGES) - 2)
        counts[k][0] += bool(right)
        counts[k][1] += 1
    # pool adjacent violators: blocks of bins whose smoothed rate is non-decreasing
    blocks: list[list[int]] = []  # [right, n, number of bins]
    for right, n in counts:
        blocks.append([right, n, 1])
        while len(blocks) > 1 and _rate(blocks[-2]) > _rate(blocks[-1]):
            r, m, k = blocks.pop()
            blocks[-1][0] += r
            blocks[-1][1] += m
            blocks[-1][2] += k
    out: list[float] = []
    for b in blocks:
        out += [round(_rate(b), 3)] * b[2]
    return out


def _rate(block: list[int]) -> float:
    return (block[0] + 1) / (block[1] + 2)


def reliability(pairs: Iterable[tuple[float, bool]], edges: tuple[float, ...] = EDGES) -> list[tuple[str, int, float]]:
    """(bin, facts in it, share right) of calibrated confidences: what the reliability table prints."""
    rows: list[list[int]] = [[0, 0] for _ in range(len(edges) - 1)]
    for conf, right in pairs:
        k = next(i for i in range(len(edges) - 1) if conf < edges[i + 1] or i == len(edges) - 2)
        rows[k][0] += bool(right)
        rows[k][1] += 1
    return [(f"{edges[k]:.1f}–{edges[k + 1]:.1f}", n, (r / n if n else 0.0)) for k, (r, n) in enumerate(rows)]
