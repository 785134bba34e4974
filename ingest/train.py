"""Train the extractor's learned components from the gold of real reports (``make train``; issue 12).

``python -m ssekg.ingest.train`` reads ``corpus/gold/`` (offsets) with the texts of the shared corpus, computes
the features the extractor computes at run time, and writes into ``ingest/extract/models/``:

- ``entities.crfsuite``: the CRF tagging speakers' names, organisations and programmes (``extract.sequence``);
- ``statements.json``: the clause-segment model of challenges and proposals (``extract.statements``);
- ``events.json``: the report-level event detector (``extract.events``);
- ``categories.json``: a statement's category behind the scheme keywords (``extract.categories``);
- ``calibration.json``: the confidence bins, fitted on the dev fold with the models just written
  (``extract.confidence``).

The models learn from the ``train`` fold only (``--folds`` may add ``dev``, never ``test``: the test fold is for
measuring). Training is deterministic (L-BFGS from zero weights, reports in id order): the same gold and code give
the same bytes, which a test checks against the shipped files. Exit codes: 0 done, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .extract import _Extractor, linear
from .extract import statements as st
from .extract.sequence import bio, token_features, tokenize
from .gold import GOLD_DIR, GoldReport, _in_checkout, iter_gold, text_path
from .readers import read_report

#: CRFsuite settings (L1 keeps the model files small; chosen on the dev fold).
CRF_PARAMS: dict[str, Any] = {"c1": 0.5, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}

#: The statement model's regularisation and decision threshold (chosen on the dev fold).
STATEMENT_C = 0.1
STATEMENT_THRESHOLD = 0.3
STATEMENT_KEEP = 0.2
#: The least probability of a statement segment without a claim cue (cross-validated: challenges 0.32 -> 0.34,
#: proposals 0.29 -> 0.33 against the plain threshold; 0.5 to 0.7 alike).
STATEMENT_UNCUED = 0.5
#: The least probability of the event detector that keeps a report's events (cross-validated: at 0.4, 5 of 140 event
#: reports rejected and 3 of 12 without one; at 0.25 and 0.15, 2 and 4).
EVENT_THRESHOLD = 0.25


def gold_spans(g: GoldReport) -> dict[str, list[tuple[int, int, str]]]:
    """Labelled character spans of a gold report for each model."""
    claims: list[tuple[int, int, str]] = []
    ent: list[tuple[int, int, str]] = []
    for ev in g.events:
        for item in ev.get("challenges") or []:
            claims.append((*item["span"], "CH"))
        for item in ev.get("proposals") or []:
            claims.append((*item["span"], "PR"))
        for sp in ev.get("speakers") or []:
            ent.append((*sp["name"], "PER"))
            if sp.get("affiliation"):
                ent.append((*sp["affiliation"], "ORG"))
        for key in ("organisations", "organisers", "funders"):
            ent += [(*s, "ORG") for s in ev.get(key) or []]
        ent += [(*s, "PROG") for s in ev.get("programmes") or []]
    return {"statements": claims, "entities": ent}


def sequences(g: GoldReport) -> tuple[dict[str, tuple[list[list[str]], list[str]]], list[tuple[list[str], str]]]:
    """(features, labels) of one report for each CRF, and (features, label) of each of its segments."""
    report = read_report(g.text_file or text_path(g.id))
    if report.text != g.text:
        raise ValueError(f"{g.id}: the reader's text differs from the gold's text")
    ex = _Extractor(report)
    ex.analyse()
    marks = ex.rule_marks()
    tokens = tokenize(report.text)
    feats = token_features(report.text, tokens, report.language, marks, ex.hits)
    spans = gold_spans(g)
    crf = {"entities": (feats, bio(tokens, spans["entities"])), "events": (ex.event_features(),
                                                                          "event" if g.events else "none")}
    segs = st.segments(report.text, ex.items)
    seg = [(st.features(report.text, segs, k, ex.hits, report.language, marks), st.gold_label(s, spans["statements"]))
           for k, s in enumerate(segs)]
    return crf, seg


def extract_or_none(path: Path) -> dict[str, Any] | None:
    """The card extracted from a report file, None when the extractor rejects it (as the benchmark scores it)."""
    from ssekg.errors import InputError

    from .extract import extract

    try:
        return extract(read_report(path))
    except InputError:
        return None


def train_crf(name: str, data: list[tuple[list[list[str]], list[str]]], out: Path, params: dict[str, Any]) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for feats, labels in data:
        trainer.append(feats, labels)
    trainer.set_params(params)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def train_models(golds: Iterable[GoldReport], out_dir: Path, c1: float = CRF_PARAMS["c1"],
                 c2: float = CRF_PARAMS["c2"], C: float = STATEMENT_C, threshold: float = STATEMENT_THRESHOLD,
                 keep: float = STATEMENT_KEEP, uncued: float = STATEMENT_UNCUED,
                 event_threshold: float = EVENT_THRESHOLD, label: str = "", quiet: bool = False) -> int:
    """Write every model but the calibration into ``out_dir``, learned from ``golds``; the number of reports.

    One function for ``make train`` and for cross-validation (``bench/crossval.py``), so that both train alike.
    """
    say = (lambda *a, **k: None) if quiet else print
    data: dict[str, list] = {"entities": []}
    segs: list[tuple[list[str], str]] = []
    events: list[tuple[list[str], str]] = []
    statements: list[dict[str, str]] = []
    n = 0
    for g in golds:
        if g.fold == "test":
            raise ValueError(f"{g.id}: the test fold is for measuring only")
        crf, seg = sequences(g)
        events.append(crf.pop("events"))
        for name, seq in crf.items():
            data[name].append(seq)
        segs += seg
        for ev in g.events:
            for kind in ("challenges", "proposals"):
                for item in ev.get(kind) or []:
                    statements.append({"text": g.span_text(item["span"]) or "", "kind": kind[:-1],
                                       "category": item["category"], "language": g.language})
        n += 1
    params = dict(CRF_PARAMS, c1=c1, c2=c2)
    for name, seqs in data.items():
        out = out_dir / f"{name}.crfsuite"
        train_crf(name, seqs, out, params)
        say(f"train: {name}: {len(seqs)} reports, {sum(len(s[1]) for s in seqs)} tokens → {out} "
            f"({out.stat().st_size // 1024} KiB)")
    model = linear.fit([f for f, _ in segs], [lab for _, lab in segs], C=C, class_weight="balanced")
    model["threshold"] = threshold
    model["keep"] = keep
    model["uncued"] = uncued
    linear.dump(model, out_dir / "statements.json")
    say(f"train: statements: {len(segs)} segments ({sum(lab != 'O' for _, lab in segs)} statements) → "
        f"{out_dir / 'statements.json'} ({(out_dir / 'statements.json').stat().st_size // 1024} KiB)")
    model = linear.fit([f for f, _ in events], [lab for _, lab in events], C=1.0, class_weight="balanced")
    model["threshold"] = event_threshold
    linear.dump(model, out_dir / "events.json")
    say(f"train: events: {len(events)} reports ({sum(lab == 'none' for _, lab in events)} without an event) → "
        f"{out_dir / 'events.json'}")
    from .extract.categories import train_categories

    out = out_dir / "categories.json"
    model = train_categories(statements)
    linear.dump(model, out)
    say(f"train: categories: {len(statements)} statements → {out} ({out.stat().st_size // 1024} KiB)")
    say(f"train: {n} reports of {label}")
    return n


def training_reports(gold_dir: Path, folds: list[str], extra: Iterable[Path] = ()) -> Iterator[GoldReport]:
    """The gold the models learn from: ``folds`` of our gold, then every report of each export of curators'
    corrections (``ssekg gold export DIR``: its ``gold/`` with the texts of its ``reports/``)."""
    yield from iter_gold(gold_dir, folds=folds)
    for folder in extra:
        yield from iter_gold(Path(folder) / "gold", corpus=Path(folder), folds=["train"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD_DIR)
    ap.add_argument("--folds", default="train", help="folds to train on (never test)")
    ap.add_argument("--extra-gold", type=Path, action="append", default=[], metavar="DIR",
                    help="also learn from a gold export (`ssekg gold export DIR`: curators' corrections), all of it")
    ap.add_argument("--out", type=Path, default=_in_checkout("ingest", "extract", "models"),
                    help="folder for the models (default: the checkout's ingest/extract/models)")
    ap.add_argument("--c1", type=float, default=CRF_PARAMS["c1"])
    ap.add_argument("--c2", type=float, default=CRF_PARAMS["c2"])
    ap.add_argument("--C", type=float, default=STATEMENT_C, help="inverse regularisation of the statement model")
    ap.add_argument("--threshold", type=float, default=STATEMENT_THRESHOLD)
    ap.add_argument("--keep", type=float, default=STATEMENT_KEEP, help="the least probability that keeps a rule's statement")
    ap.add_argument("--uncued", type=float, default=STATEMENT_UNCUED,
                    help="the least probability of a statement with no claim cue in or just before it")
    ap.add_argument("--no-calibration", action="store_true", help="leave the confidences uncalibrated")
    args = ap.parse_args(argv)
    folds = [f for f in args.folds.split(",") if f]
    if "test" in folds:
        print("train: the test fold is for measuring only", file=sys.stderr)
        return 2
    reports = training_reports(args.gold, folds, args.extra_gold)
    extra = f" and {', '.join(map(str, args.extra_gold))}" if args.extra_gold else ""
    train_models(reports, args.out, c1=args.c1, c2=args.c2, C=args.C,
                 threshold=args.threshold, keep=args.keep, uncued=args.uncued, label=f"folds {', '.join(folds)}{extra}")
    if not args.no_calibration:
        calibrate(args.gold, args.out)
    return 0


def calibrate(gold_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Fit the confidence table on the dev fold with the models just written (``models/calibration.json``)."""
    import os

    from .extract import confidence
    from .extract.sequence import forget_taggers, models_version
    from .scoring import score

    path = out_dir / "calibration.json"
    if path.exists():
        path.unlink()
    previous = os.environ.get("SSEKG_EXTRACT_MODELS")
    os.environ["SSEKG_EXTRACT_MODELS"] = str(out_dir)
    linear.load.cache_clear()
    forget_taggers()
    models_version.cache_clear()
    judged: dict[str, list[tuple[float, bool]]] = {}
    for g in iter_gold(gold_dir, folds=["dev"]):
        s = score(g, extract_or_none(text_path(g.id)))
        for kind, pairs in s.judged.items():
            judged.setdefault(kind, []).extend(pairs)
    table = {"edges": list(confidence.EDGES), "fitted_on": "dev",
             "kinds": {kind: confidence.fit(pairs) for kind, pairs in sorted(judged.items())},
             "facts": {kind: len(pairs) for kind, pairs in sorted(judged.items())}}
    linear.dump(table, path)
    linear.load.cache_clear()
    if previous is None:
        del os.environ["SSEKG_EXTRACT_MODELS"]
    else:
        os.environ["SSEKG_EXTRACT_MODELS"] = previous
    print(f"train: calibration on the dev fold: {table['facts']} → {path}")
    return table


if __name__ == "__main__":
    sys.exit(main())
