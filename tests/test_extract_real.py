"""The extractor on reports others wrote (the real corpus in ../shared/corpus, our gold in corpus/gold).

The floors here are on the dev fold, a little below what the shipped models reach, so a change that makes the
extractor read real reports worse fails. The test fold is only measured by ``make bench-extract``: no test
reads it, so no test can be tuned on it.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ssekg.errors import InputError
from ssekg.ingest import train
from ssekg.ingest.extract import EXTRACTOR_VERSION, extract
from ssekg.ingest.extract.sequence import MODEL_FILES, models_dir, models_version
from ssekg.ingest.gold import iter_gold, text_path
from ssekg.ingest.readers import read_report
from ssekg.ingest.scoring import Totals, score
from support import ROOT, bench_module

GOLD = ROOT / "corpus" / "gold"
#: Dev-fold floors (the shipped models: macro-F1 0.66; see docs/extraction.md for the tables).
DEV_FLOORS = {"macro": 0.60, "organisations": 0.60, "speakers": 0.70, "countries": 0.78, "dates": 0.80}


@pytest.fixture(scope="module")
def corpus(real_corpus: Path) -> Path:
    return real_corpus


@pytest.fixture(scope="module")
def dev(corpus) -> Totals:
    totals = Totals()
    for g in iter_gold(GOLD, corpus, folds=["dev"]):
        try:
            card = extract(read_report(text_path(g.id, corpus)))
        except InputError:
            card = None
        totals.add(g, score(g, card))
    return totals


def test_the_dev_fold_stays_above_its_floors(dev):
    assert dev.macro_f1() >= DEV_FLOORS["macro"]
    for field in ("organisations", "speakers", "countries", "dates"):
        assert dev.fields[field].prf()[2] >= DEV_FLOORS[field], field


def test_no_event_report_of_the_dev_fold_is_rejected(dev):
    assert dev.event_reports > 0 and dev.rejected_event_reports == 0


def test_every_extracted_fact_of_a_learned_kind_carries_a_confidence(corpus):
    for g in iter_gold(GOLD, corpus, folds=["dev"], languages=["ar"]):
        try:
            card = extract(read_report(text_path(g.id, corpus)))
        except InputError:
            continue
        for ev in card["events"]:
            assert 0 <= ev["confidence"] <= 1
            for sp in ev.get("speakers", []):
                assert 0 <= sp["confidence"] <= 1
            for org in ev.get("organisers", []) + ev.get("participants", []):
                assert 0 <= org["confidence"] <= 1
            for st in ev.get("challenges", []) + ev.get("proposals", []):
                assert 0 <= st["confidence"] <= 1


def _cards_in_a_process(paths: list[Path], hash_seed: str) -> str:
    code = ("import json, sys\nfrom ssekg.ingest.extract import extract\nfrom ssekg.ingest.readers import read_report\n"
            "print(json.dumps([extract(read_report(p)) for p in sys.argv[1:]], sort_keys=True))")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, env=env,
                          cwd=Path(paths[0]).parent, check=True)
    return done.stdout


def test_extraction_is_deterministic_across_processes(corpus):
    """Sets and dicts of strings iterate in another order in another process: the cards must not depend on it."""
    paths = [text_path(i, corpus) for i in ("ar-011", "en-003", "fr-019")]
    assert _cards_in_a_process(paths, "1") == _cards_in_a_process(paths, "4242")


def test_threads_extracting_at_once_read_what_one_thread_reads(corpus):
    """The server's uploads extract in threads; a CRF tagger keeps the sequence it last tagged, so each thread has
    its own: the cards (their confidences come from the tagger's marginals) are those of a single thread."""
    reports = [read_report(text_path(i, corpus)) for i in ("ar-011", "en-003", "fr-019", "en-006")] * 3
    alone = [extract(r) for r in reports]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(extract, reports))
    assert together == alone


def test_the_extractor_version_names_the_shipped_models():
    assert EXTRACTOR_VERSION.endswith("+models." + models_version())
    for name in MODEL_FILES:
        assert (models_dir() / name).is_file(), name


def test_make_train_rebuilds_exactly_the_shipped_models(corpus, tmp_path, monkeypatch):
    """The models are data we can rebuild: the same gold and code give the same bytes."""
    monkeypatch.setenv("SSEKG_CORPUS", str(corpus))
    assert train.main(["--gold", str(GOLD), "--out", str(tmp_path)]) == 0
    shipped = ROOT / "ingest" / "extract" / "models"
    match, mismatch, errors = filecmp.cmpfiles(shipped, tmp_path, MODEL_FILES, shallow=False)
    assert mismatch == [] and errors == [], "run `make train` and commit the models"


def test_training_never_reads_the_test_fold(capsys):
    assert train.main(["--folds", "train,test"]) == 2
    assert "test fold is for measuring only" in capsys.readouterr().err


def test_bench_extract_prints_what_the_issue_asks_for_per_fold(corpus, capsys):
    """Per fold: the eight fields per language, macro-F1, events, categories, 'other', rejections, reliability."""
    real = bench_module("bench_real_corpus", "real_corpus.py")
    assert real.main(["--folds", "dev"]) == 0
    out = capsys.readouterr().out
    assert "## dev (27 reports)" in out and "## test" not in out
    for row in ("countries", "cities", "speakers", "organisations", "challenges", "proposals", "programmes", "dates",
                "macro-F1", "events", "category acc.", "other (found)", "held/announced", "rejected"):
        assert any(line.startswith(row) for line in out.splitlines()), row
    assert "ar P/R/F1" in out and "fr P/R/F1" in out and "en P/R/F1" in out
    assert "## reliability of the confidences, dev fold" in out


def test_the_check_names_each_floor_the_test_fold_misses():
    real = bench_module("bench_real_corpus", "real_corpus.py")
    from ssekg.ingest.scoring import LANGUAGES, Totals

    low = {lang: Totals() for lang in (*LANGUAGES, "all")}
    for t in low.values():  # every field read wrong: two items extracted, two in the gold, none right
        t.reports = 1
        for f in t.fields.values():
            f.got = f.gold = 2
    low["all"].rejected_event_reports = 1
    missed = " ".join(real.check(low))
    for floor in ("macro-F1 0.00 < 0.8", "ar macro-F1", "en macro-F1", "fr macro-F1", "challenges", "proposals",
                  "organisations", "date precision", "event reports rejected", "category accuracy"):
        assert floor in missed, floor
    good = {lang: Totals() for lang in (*LANGUAGES, "all")}
    for t in good.values():  # every field perfect, no statement found: only the category floor is missed
        for f in t.fields.values():
            f.tp = f.got = f.gold = 1
    assert [m.split()[0] for m in real.check(good)] == ["category"]


def test_crossvalidation_scores_every_report_once_by_models_that_never_saw_it(corpus, monkeypatch):
    """``make crossval``: each part is extracted with models trained on the other parts only (the parts of the
    partition ``--salt`` names)."""
    cv = bench_module("bench_crossval", "crossval.py")
    salt = "s1"
    pool = list(iter_gold(GOLD, folds=["train", "dev"]))
    golds = []
    for p in range(2):  # each part: five event reports and one without (every model needs both classes)
        mine = [g for g in pool if cv.part_of(g.id, 2, salt) == p]
        golds += [g for g in mine if g.events][:5] + [g for g in mine if not g.events][:1]
    trained_on: list[set[str]] = []
    real_train = train.train_models

    def spy(gs, out, **kw):
        gs = list(gs)
        trained_on.append({g.id for g in gs})
        return real_train(gs, out, **kw)

    monkeypatch.setattr(cv.train, "train_models", spy)
    before = os.environ.get("SSEKG_EXTRACT_MODELS")
    totals = cv.crossvalidate(golds, k=2, salt=salt)
    assert totals["all"].reports == len(golds) == sum(totals[lang].reports for lang in ("ar", "en", "fr"))
    parts = [{g.id for g in golds if cv.part_of(g.id, 2, salt) == p} for p in range(2)]
    assert all(parts) and trained_on == [parts[1], parts[0]]
    assert os.environ.get("SSEKG_EXTRACT_MODELS") == before  # the shipped models are back
    assert EXTRACTOR_VERSION.endswith(models_version())
    with pytest.raises(ValueError, match="train and dev"):
        cv.crossvalidate(list(iter_gold(GOLD, folds=["test"]))[:1], k=2)


def test_another_salt_cuts_train_and_dev_into_other_parts():
    """``bench/crossval.py --salt``: the parts are a hash of the id and the salt, so a salt always gives the same
    partition and another salt another one (a change worth keeping holds under several)."""
    cv = bench_module("bench_crossval", "crossval.py")
    ids = [f"en-{i:03d}" for i in range(60)]
    default = [cv.part_of(i, 5) for i in ids]
    assert default == [cv.part_of(i, 5, cv.CV_SALT) for i in ids]
    other = [cv.part_of(i, 5, "s1") for i in ids]
    assert other == [cv.part_of(i, 5, "s1") for i in ids] and other != default
    assert set(other) == set(range(5))
