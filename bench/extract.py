"""Measure the extractor: on the real corpus by default (bench/real_corpus.py), or on a corpus we wrote.

``python bench/extract.py`` (``make bench-extract``) scores the gold of real reports per fold (bench/real_corpus.py).
With ``--corpus DIR`` it scores a corpus written by us instead (tests/corpus; ``--corpus tests/heldout`` for the held-out reports written apart from the rules), ``--json`` (machine-readable output), ``--verbose`` (misses per report),
``--min-f1 X`` (exit 1 when countries, cities or challenges/proposals fall below X in some language).

Matching: events pair up by start date and host country; the other fields are compared within paired
events (facts of an unpaired event count as misses or false alarms). Countries compare by ISO code, cities
by English name, speakers by name, programmes by name (one containing the other), challenges and proposals
leniently by span: two statements match when their spans overlap by at least half of the shorter one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

from ssekg.errors import InputError
from ssekg.ingest.extract import extract
from ssekg.ingest.extract.lexicon import fold_text
from ssekg.ingest.readers import REPORT_SUFFIXES, read_report

FIELDS = ["events", "city", "host_country", "participating_countries", "speakers", "challenges", "proposals", "programmes"]


def _city(ev: dict) -> str | None:
    c = ev.get("city")
    if c is None:
        return None
    name = c.get("name") if isinstance(c, dict) else c
    if isinstance(name, dict):
        name = name.get("en") or next(iter(name.values()))
    return fold_text(str(name))


def _pair_events(gold: list[dict], got: list[dict]) -> list[tuple[int, int]]:
    scores = []
    for i, g in enumerate(gold):
        for j, e in enumerate(got):
            s = 0
            if g.get("start") and e.get("start"):
                s += 2 if str(g["start"]) == str(e["start"]) else -3
            if g.get("host_country") and e.get("host_country"):
                s += 2 if g["host_country"] == e["host_country"] else -3
            if g.get("online") and e.get("online"):
                s += 1
            s += 0.5 if i == j else 0
            if s > 0:
                scores.append((s, i, j))
    scores.sort(reverse=True)
    used_g, used_e, pairs = set(), set(), []
    for s, i, j in scores:
        if i not in used_g and j not in used_e:
            used_g.add(i)
            used_e.add(j)
            pairs.append((i, j))
    return pairs


def _overlap(a: list[int], b: list[int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _match_count(gold: list, got: list, same) -> int:
    used = set()
    n = 0
    for g in gold:
        for j, e in enumerate(got):
            if j not in used and same(g, e):
                used.add(j)
                n += 1
                break
    return n


def _values(ev: dict, field: str) -> list:
    if field == "city":
        c = _city(ev)
        return [c] if c else []
    if field == "host_country":
        return [ev["host_country"]] if ev.get("host_country") else []
    if field == "participating_countries":
        return list(dict.fromkeys(ev.get("participating_countries") or []))
    if field == "speakers":
        return [fold_text(s["name"]) for s in ev.get("speakers") or []]
    if field in ("challenges", "proposals"):
        return [s.get("span") or [0, 0] for s in ev.get(field) or []]
    if field == "programmes":
        return [fold_text(p["name"]) for p in ev.get("programmes") or []]
    return []


def _same(field: str):
    if field in ("challenges", "proposals"):
        return _overlap
    if field in ("programmes", "speakers"):
        return lambda a, b: a == b or (a and b and (a in b or b in a))
    return lambda a, b: a == b


def score_report(gold: dict, got: dict) -> dict[str, list[int]]:
    """field → [true positives, extracted, gold]."""
    out = {f: [0, 0, 0] for f in FIELDS}
    ge, ee = gold.get("events") or [], got.get("events") or []
    pairs = _pair_events(ge, ee)
    out["events"] = [len(pairs), len(ee), len(ge)]
    paired_g = {i: j for i, j in pairs}
    paired_e = {j for _, j in pairs}
    for f in FIELDS[1:]:
        for i, g in enumerate(ge):
            gv = _values(g, f)
            out[f][2] += len(gv)
            if i in paired_g:
                out[f][0] += _match_count(gv, _values(ee[paired_g[i]], f), _same(f))
        for j, e in enumerate(ee):
            out[f][1] += len(_values(e, f))
    return out


def prf(tp: int, n_got: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_got if n_got else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else (1.0 if n_got == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run(corpus: Path, verbose: bool = False) -> dict[str, dict[str, list[int]]]:
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: {f: [0, 0, 0] for f in FIELDS})
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in REPORT_SUFFIXES or ".meta." in path.name:
            continue
        gold_path = path.with_name(path.stem + ".gold.yaml")
        if not gold_path.exists():
            continue
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        lang = gold["report"]["language"]
        try:
            got = extract(read_report(path))
        except InputError as exc:
            got = {"events": []}
            if verbose:
                print(f"{path.name}: {exc}")
        s = score_report(gold, got)
        for f, (tp, n, g) in s.items():
            for key in (lang, "all"):
                t = totals[key][f]
                t[0] += tp
                t[1] += n
                t[2] += g
        if verbose:
            misses = {f: v for f, v in s.items() if not (v[0] == v[1] == v[2])}
            if misses:
                print(f"{path.relative_to(corpus)}: " + ", ".join(f"{f} {v[0]}/{v[1]}/{v[2]}" for f, v in misses.items()))
    return totals


def main_written(argv: list[str] | None = None) -> int:
    """The corpora written by us (tests/corpus, tests/heldout): an upper bound, kept for their tests."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--min-f1", type=float, default=None)
    args = ap.parse_args(argv)
    totals = run(args.corpus, args.verbose)
    table = {lang: {f: dict(zip(("p", "r", "f1"), prf(*v)), tp=v[0], extracted=v[1], gold=v[2]) for f, v in fields.items()}
             for lang, fields in totals.items()}
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        langs = sorted(k for k in table if k != "all") + ["all"]
        print(f"{'field':<26}" + "".join(f"{lang + ' P/R/F1':>22}" for lang in langs))
        for f in FIELDS:
            row = f"{f:<26}"
            for lang in langs:
                v = table.get(lang, {}).get(f)
                row += f"{v['p']:>8.2f}{v['r']:>6.2f}{v['f1']:>6.2f}  " if v else f"{'-':>22}"
            print(row)
    if args.min_f1 is not None:
        low = [(lang, f) for lang, fields in table.items() for f in ("city", "participating_countries", "challenges", "proposals")
               if fields[f]["f1"] < args.min_f1]
        if low:
            print("below --min-f1:", ", ".join(f"{lang}:{f}" for lang, f in low), file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--corpus" in argv or any(a.startswith("--corpus=") for a in argv):
        return main_written(argv)
    from real_corpus import main as main_real

    return main_real(argv)


if __name__ == "__main__":
    sys.exit(main())
