"""Cross-validate the extractor's learned models over the train and dev folds (``make crossval``; issue 12).

The dev fold holds 27 reports and about 50 statements: a change of two statements moves its F1 by several points,
so tuning on it chases noise (the test fold then tells a different story). Cross-validation uses the 152 reports
of train and dev: they are cut into ``k`` parts by a hash of the report id; for each part, every model is trained
on the other parts (``ssekg.ingest.train.train_models``, the same function ``make train`` runs) and the part is
extracted with those models and scored (``ssekg.ingest.scoring``). The table pools the ``k`` held-out parts:
every report is scored once, by models that never saw it. The test fold is never read.

The confidences are left uncalibrated here (calibration is fitted on dev, which is part of the pool), so no
reliability table is printed. Options: ``--k`` (default 5), ``--json FILE``, ``--dump FILE`` (the held-out cards), and the statement model's settings
of ``make train`` (``--c1``, ``--c2``, ``--C``, ``--threshold``, ``--keep``, ``--uncued``) to compare settings on the pooled figures;
``--salt TEXT`` cuts train and dev into other parts (a gain of a point on one partition is often noise: keep a change
that holds under several salts).
Exit codes: 0 done, 2 the real corpus is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from real_corpus import table
from ssekg.ingest import train
from ssekg.ingest.extract import linear
from ssekg.ingest.extract.sequence import forget_taggers, models_version
from ssekg.ingest.gold import GOLD_DIR, GoldReport, corpus_dir, iter_gold, text_path
from ssekg.ingest.scoring import LANGUAGES, Totals, score

#: The salt of the parts' hash (apart from the split's, so parts do not line up with the folds).
CV_SALT = "ssekg-cv:"


def part_of(rid: str, k: int, salt: str = CV_SALT) -> int:
    """The cross-validation part of a report: a hash of its id, so the parts never change with the code."""
    return int(hashlib.sha256((salt + rid).encode("utf-8")).hexdigest(), 16) % k


def _use_models(path: Path | None) -> None:
    """Make the extractor read its models from ``path`` (None: the shipped ones), forgetting those loaded."""
    if path is None:
        os.environ.pop("SSEKG_EXTRACT_MODELS", None)
    else:
        os.environ["SSEKG_EXTRACT_MODELS"] = str(path)
    linear.load.cache_clear()
    forget_taggers()
    models_version.cache_clear()


def crossvalidate(golds: list[GoldReport], k: int = 5, cards: dict[str, dict | None] | None = None, salt: str = CV_SALT,
                  **settings: float) -> dict[str, Totals]:
    """Pooled totals per language (and ``all``) of ``k``-fold cross-validation over ``golds``; ``cards``, when
    given, collects each held-out card (None for a rejection) to study the misses with ``bench/extract.py
    --cards FILE --misses train``."""
    if any(g.fold == "test" for g in golds):
        raise ValueError("cross-validation reads the train and dev folds only")
    totals = {lang: Totals() for lang in (*LANGUAGES, "all")}
    previous = os.environ.get("SSEKG_EXTRACT_MODELS")
    try:
        for part in range(k):
            held = [g for g in golds if part_of(g.id, k, salt) == part]
            with tempfile.TemporaryDirectory(prefix="ssekg-cv-") as tmp:
                out = Path(tmp)
                train.train_models([g for g in golds if part_of(g.id, k, salt) != part], out, quiet=True, **settings)
                _use_models(out)
                for g in held:
                    card = train.extract_or_none(text_path(g.id))
                    if cards is not None:
                        cards[g.id] = card
                    s = score(g, card)
                    totals[g.language].add(g, s)
                    totals["all"].add(g, s)
            print(f"crossval: part {part + 1}/{k}: {len(held)} reports", file=sys.stderr)
    finally:
        _use_models(Path(previous) if previous else None)
    return totals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=5, help="number of parts (default 5)")
    ap.add_argument("--json", type=Path, help="write the numbers to this file")
    ap.add_argument("--dump", type=Path, help="write each held-out card to this JSON file (for bench/extract.py "
                    "--cards FILE --misses train|dev: the misses of models that never saw the report)")
    ap.add_argument("--c1", type=float, default=train.CRF_PARAMS["c1"])
    ap.add_argument("--c2", type=float, default=train.CRF_PARAMS["c2"])
    ap.add_argument("--C", type=float, default=train.STATEMENT_C)
    ap.add_argument("--threshold", type=float, default=train.STATEMENT_THRESHOLD)
    ap.add_argument("--keep", type=float, default=train.STATEMENT_KEEP)
    ap.add_argument("--uncued", type=float, default=train.STATEMENT_UNCUED)
    ap.add_argument("--event-threshold", type=float, default=train.EVENT_THRESHOLD)
    ap.add_argument("--salt", default=CV_SALT, help="the salt of the parts' hash: another salt, another partition "
                    "(a change worth keeping holds under several; docs/extraction.md)")
    args = ap.parse_args(argv)
    if not corpus_dir().exists():
        print(f"crossval: the real corpus is not at {corpus_dir()} (set SSEKG_CORPUS)", file=sys.stderr)
        return 2
    if args.k < 2:
        ap.error("--k must be at least 2")
    golds = list(iter_gold(GOLD_DIR, folds=["train", "dev"]))
    cards: dict[str, dict | None] | None = {} if args.dump else None
    totals = crossvalidate(golds, args.k, cards, args.salt, c1=args.c1, c2=args.c2, C=args.C, threshold=args.threshold, keep=args.keep,
                           uncued=args.uncued, event_threshold=args.event_threshold)
    salt = "" if args.salt == "ssekg-cv:" else f", partition salt {args.salt!r}"
    print(f"\n## {args.k}-fold cross-validation over train and dev ({totals['all'].reports} reports{salt}; "
          f"CRF c1={args.c1}, c2={args.c2}; statement model C={args.C}, threshold={args.threshold}, keep={args.keep}, uncued={args.uncued})\n")
    print(table(totals))
    if args.dump:
        args.dump.write_text(json.dumps({"version": f"crossval-{args.k}", "cards": cards}, ensure_ascii=False),
                             encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({lang: t.as_dict() for lang, t in totals.items()}, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
