"""The extractor on reports others wrote (the real corpus in ../shared/corpus, our gold in corpus/gold).

The floors here are on the dev fold, a little below what the shipped models reach, so a change that makes the
extractor read real reports worse fails. The test fold is only measured by ``make bench-extract``: no test
reads it, so no test can be tuned on it.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from ssekg.errors import InputError
from ssekg.ingest import train
from ssekg.ingest.extract import EXTRACTOR_VERSION, extract
from ssekg.ingest.extract.sequence import MODEL_FILES, models_dir, models_version
from ssekg.ingest.gold import iter_gold, text_path
from ssekg.ingest.readers import read_report
from ssekg.ingest.scoring import Totals, score
from support import ROOT

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


def test_extraction_is_deterministic(corpus):
    path = text_path("en-003", corpus)
    assert extract(read_report(path)) == extract(read_report(path))


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
