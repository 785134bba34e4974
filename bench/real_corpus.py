"""Measure the extractor on real reports written by others: per fold, per language, per field (issue 12).

``python bench/extract.py`` (``make bench-extract``) reads the gold of ``corpus/gold/`` (offsets) with the texts
of ``../shared/corpus/`` (``SSEKG_CORPUS`` elsewhere), extracts every report and prints, for each fold, P/R/F1
of the eight fields per language, the macro-F1 over them, events counted apart, category accuracy, the share
of "other", and the reports rejected. How items match: ``ssekg.ingest.scoring``.

Options: ``--folds train,dev,test`` (default: all three, each printed apart), ``--json FILE`` (the numbers),
``--misses FOLD`` (list misses and false alarms per report of that fold; never ``test`` while developing),
``--check`` (exit 1 when the test fold misses the acceptance floors of issue 12), ``--dump FILE`` (keep the
cards of the folds extracted) and ``--cards FILE`` (score cards kept from another version of the extractor on today's gold).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from ssekg.errors import InputError
from ssekg.ingest.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from ssekg.ingest.gold import FOLDS, GOLD_DIR, GoldReport, corpus_dir, iter_gold, text_path
from ssekg.ingest.readers import read_report
from ssekg.ingest.scoring import FIELDS, LANGUAGES, Totals, score

#: The floors of issue 12's acceptance, judged on the test fold.
FLOORS = {"macro_f1": 0.80, "language_macro_f1": 0.75, "challenges": 0.70, "proposals": 0.70,
          "organisations": 0.60, "dates_precision": 0.95, "category_accuracy": 0.70, "other_share": 0.25}


def extract_gold_report(g: GoldReport) -> tuple[dict | None, str | None]:
    """The card the extractor reads from the report's file, as a user's ``ssekg extract`` would."""
    try:
        return extract(read_report(g.text_file or text_path(g.id))), None
    except InputError as exc:
        return None, exc.reason


def evaluate(folds: list[str], misses_fold: str | None = None, cards: dict[str, dict | None] | None = None,
             extracted: dict[str, dict | None] | None = None, gold_dir: Path = GOLD_DIR,
             corpus: Path | None = None) -> tuple[dict, float, int]:
    """Totals per fold and language; ``cards`` (id → card, None for a rejection) scores cards extracted before
    (by another version of the extractor) instead of extracting now; ``extracted`` collects the cards read."""
    totals: dict[str, dict[str, Totals]] = {f: {lang: Totals() for lang in (*LANGUAGES, "all")} for f in folds}
    seconds, n = 0.0, 0
    for g in iter_gold(gold_dir, corpus=corpus, folds=folds):
        t0 = time.perf_counter()
        if cards is not None:
            card, why = cards.get(g.id), None if cards.get(g.id) else "rejected"
        else:
            card, why = extract_gold_report(g)
        seconds += time.perf_counter() - t0
        n += 1
        if extracted is not None:
            extracted[g.id] = card
        s = score(g, card)
        totals[g.fold][g.language].add(g, s)
        totals[g.fold]["all"].add(g, s)
        if misses_fold == g.fold:
            _print_misses(g, s, why)
    return totals, seconds, n


def _print_misses(g: GoldReport, s, why: str | None) -> None:
    lines = []
    if why:
        lines.append(f"  rejected: {why}")
    if s.events.tp != s.events.gold or s.events.got != s.events.gold:
        lines.append(f"  events: {s.events.tp} paired, {s.events.got} extracted, {s.events.gold} gold")
    for f in FIELDS:
        for m in s.misses[f]:
            lines.append(f"  - {f}: {m[:160]!r}")
        for m in s.false_alarms[f]:
            lines.append(f"  + {f}: {m[:160]!r}")
    if lines:
        print(f"{g.id} ({g.kind})")
        print("\n".join(lines))


def table(totals: dict[str, Totals]) -> str:
    langs = [*LANGUAGES, "all"]
    out = [f"{'field':<16}" + "".join(f"{lang + ' P/R/F1':>20}" for lang in langs)]

    def row(name: str, get) -> str:
        cells = ""
        for lang in langs:
            p, r, f = get(totals[lang])
            cells += f"{p:>8.2f}{r:>6.2f}{f:>6.2f}"
        return f"{name:<16}{cells}"

    for f in FIELDS:
        out.append(row(f, lambda t, f=f: t.fields[f].prf()))
    out.append(f"{'macro-F1':<16}" + "".join(f"{t.macro_f1():>20.2f}" for t in (totals[lang] for lang in langs)))
    out.append(row("events", lambda t: t.events.prf()))
    out.append(f"{'category acc.':<16}" + "".join(
        f"{t.category_accuracy():>14.2f} ({t.categories_matched:>3})" for t in (totals[lang] for lang in langs)))
    out.append(f"{'other (found)':<16}" + "".join(f"{t.other_share():>20.2f}" for t in (totals[lang] for lang in langs)))
    out.append(f"{'held/announced':<16}" + "".join(
        f"{(t.status_right / t.status_paired if t.status_paired else 0):>20.2f}" for t in (totals[lang] for lang in langs)))
    out.append(f"{'rejected':<16}" + "".join(
        f"{f'{t.rejected_event_reports}/{t.event_reports} ev., {t.no_event_with_events}/{t.no_event_reports} no-ev.':>20}"
        for t in (totals[lang] for lang in langs)))
    return "\n".join(out)


def reliability_table(t: Totals) -> str:
    """Confidence bins against the share of facts in them that were right, per kind of fact."""
    from ssekg.ingest.extract.confidence import KINDS, reliability

    rows = [f"{'confidence':<12}" + "".join(f"{k:>20}" for k in KINDS)]
    cols = {k: reliability(t.judged.get(k, [])) for k in KINDS}
    for b in range(len(cols[KINDS[0]])):
        label = cols[KINDS[0]][b][0]
        rows.append(f"{label:<12}" + "".join(
            f"{(f'{cols[k][b][2]:.2f} of {cols[k][b][1]}' if cols[k][b][1] else '-'):>20}" for k in KINDS))
    return "\n".join(rows)


def check(t: dict[str, Totals]) -> list[str]:
    """The floors of issue 12 that the fold's totals miss."""
    a = t["all"]
    low = []
    if a.macro_f1() < FLOORS["macro_f1"]:
        low.append(f"macro-F1 {a.macro_f1():.2f} < {FLOORS['macro_f1']}")
    for lang in LANGUAGES:
        if t[lang].reports and t[lang].macro_f1() < FLOORS["language_macro_f1"]:
            low.append(f"{lang} macro-F1 {t[lang].macro_f1():.2f} < {FLOORS['language_macro_f1']}")
    for f in ("challenges", "proposals", "organisations"):
        if a.fields[f].prf()[2] < FLOORS[f]:
            low.append(f"{f} F1 {a.fields[f].prf()[2]:.2f} < {FLOORS[f]}")
    if a.fields["dates"].prf()[0] < FLOORS["dates_precision"]:
        low.append(f"date precision {a.fields['dates'].prf()[0]:.2f} < {FLOORS['dates_precision']}")
    if a.rejected_event_reports:
        low.append(f"{a.rejected_event_reports} event reports rejected")
    if a.category_accuracy() < FLOORS["category_accuracy"]:
        low.append(f"category accuracy {a.category_accuracy():.2f} < {FLOORS['category_accuracy']}")
    if a.other_share() > FLOORS["other_share"]:
        low.append(f"'other' {a.other_share():.2f} > {FLOORS['other_share']}")
    return low


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", default=",".join(FOLDS))
    ap.add_argument("--json", type=Path, help="write the numbers to this file")
    ap.add_argument("--misses", metavar="FOLD", help="list misses and false alarms of this fold's reports")
    ap.add_argument("--check", action="store_true", help="exit 1 when the test fold is below issue 12's floors")
    ap.add_argument("--cards", type=Path, help="score the cards of this JSON file ({version, cards: {id: card|null}})"
                    " instead of extracting: another version of the extractor, on the same gold")
    ap.add_argument("--dump", type=Path, help="write the extracted cards to this JSON file (for --cards later)")
    ap.add_argument("--gold", type=Path, metavar="DIR", help="score the gold of a `ssekg gold export` folder (its gold/ "
                    "and reports/) instead of corpus/gold; with --cards DIR/cards.json, the curated cards themselves")
    args = ap.parse_args(argv)
    gold_dir, corpus = (args.gold / "gold", args.gold) if args.gold else (GOLD_DIR, None)
    if not args.gold and not corpus_dir().exists():
        print(f"bench-extract: the real corpus is not at {corpus_dir()} (set SSEKG_CORPUS)", file=sys.stderr)
        return 2
    folds = [f for f in args.folds.split(",") if f]
    cards = None
    if args.cards:
        saved = json.loads(args.cards.read_text(encoding="utf-8"))
        cards = saved["cards"]
        print(f"cards of extractor version {saved.get('version')} from {args.cards}")
    extracted: dict[str, dict | None] = {}
    totals, seconds, n = evaluate(folds, args.misses, cards, extracted, gold_dir, corpus)
    if args.dump:
        args.dump.write_text(json.dumps({"version": EXTRACTOR_VERSION, "cards": extracted}, ensure_ascii=False),
                             encoding="utf-8")
    if cards is None:
        print(f"extractor {EXTRACTOR_NAME} {EXTRACTOR_VERSION}; {n} reports extracted in {seconds:.1f} s "
              f"({n / seconds if seconds else 0:.1f} reports/s, one core)")
    for fold in folds:
        print(f"\n## {fold} ({totals[fold]['all'].reports} reports)\n")
        print(table(totals[fold]))
    for fold in folds:
        print(f"\n## reliability of the confidences, {fold} fold (calibrated on dev)\n")
        print(reliability_table(totals[fold]["all"]))
    if args.json:
        args.json.write_text(json.dumps({fold: {lang: t.as_dict() for lang, t in by.items()}
                                         for fold, by in totals.items()}, indent=2), encoding="utf-8")
    if args.check and "test" in totals:
        low = check(totals["test"])
        if low:
            print("\nbelow issue 12's floors on the test fold: " + "; ".join(low), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
