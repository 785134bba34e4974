"""Golden test of the extractor on the example report (shared/reports/000_4ec3997d5f5824c4.txt)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ssekg.errors import InputError
from ssekg.ingest.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from ssekg.ingest.readers import Report, read_report, read_report_bytes
from ssekg.ontology import concepts

EXAMPLE_CANDIDATES = [
    Path(__file__).resolve().parents[1] / "shared" / "reports" / "000_4ec3997d5f5824c4.txt",
    Path(__file__).resolve().parents[2] / "shared" / "reports" / "000_4ec3997d5f5824c4.txt",
    Path("/work/shared/reports/000_4ec3997d5f5824c4.txt"),
]
EXAMPLE = next((p for p in EXAMPLE_CANDIDATES if p.exists()), None)
pytestmark = pytest.mark.skipif(EXAMPLE is None, reason="the example report (shared/reports) is not beside the checkout")


@pytest.fixture(scope="module")
def report() -> Report:
    return read_report(EXAMPLE)


@pytest.fixture(scope="module")
def card(report: Report) -> dict:
    return extract(report)


def test_one_event_in_casablanca_morocco(card):
    assert len(card["events"]) == 1
    ev = card["events"][0]
    assert ev["city"]["country"] == "MA"
    name = ev["city"]["name"]
    assert (name["en"] if isinstance(name, dict) else name) == "Casablanca"
    assert ev["host_country"] == "MA"
    assert ev["type"] == "workshop"


def test_participating_countries(card):
    assert card["events"][0]["participating_countries"] == ["SN", "BF", "BE", "PS"]


def test_speaker(card, report):
    speakers = card["events"][0]["speakers"]
    assert [s["name"] for s in speakers] == ["حكيمة خالص"]
    sp = speakers[0]
    assert sp["role"] and sp["affiliation"]
    assert "الخبيرة" in sp["role"]
    assert "البوابة" in sp["affiliation"]
    a, b = sp["span"]
    assert report.text[a:b] == sp["name"]


@pytest.mark.parametrize("kind,scheme", [("challenges", "challenge"), ("proposals", "proposal")])
def test_six_statements_with_offsets_and_categories(card, report, kind, scheme):
    items = card["events"][0][kind]
    assert len(items) == 6
    known = set(concepts(scheme))
    for item in items:
        a, b = item["span"]
        assert report.text[a:b] == item["text"]
        assert item["category"] in known
        assert item["category"] != "other"
        assert item["speaker"] == "حكيمة خالص"
    # the lists follow their lead-ins: challenges before proposals, in text order
    starts = [i["span"][0] for i in items]
    assert starts == sorted(starts)


def test_categories(card):
    ch = [c["category"] for c in card["events"][0]["challenges"]]
    pr = [p["category"] for p in card["events"][0]["proposals"]]
    assert ch[0] == "access-to-finance"
    assert ch[1] == "training-and-capacity"
    assert pr[0] == "training-programmes"
    assert pr[1] == "innovative-finance"
    assert len(set(ch)) >= 5 and len(set(pr)) >= 5


def test_programme(card):
    progs = card["events"][0]["programmes"]
    assert [p["name"] for p in progs] == ["PGM DGD 2022-2026"]
    assert progs[0]["start"] == 2022 and progs[0]["end"] == 2026


def test_report_section(card, report):
    rep = card["report"]
    assert rep["language"] == "ar"
    assert rep["text_sha256"] == hashlib.sha256(report.text.encode("utf-8")).hexdigest()
    assert rep["text"] == report.text
    assert rep["extractor"] == {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}


def test_card_is_valid(card):
    cards = pytest.importorskip("ssekg.ingest.cards")
    cards.parse_card(card, "example")


def test_extraction_is_deterministic(report):
    assert extract(report) == extract(report)


def test_spans_survive_reencoding():
    data = EXAMPLE.read_bytes().decode("utf-8")
    r1 = read_report_bytes(data.encode("utf-8"), "a.txt")
    r2 = read_report_bytes(("\ufeff" + data).replace("\n", "\r\n").encode("utf-8"), "b.txt")
    r3 = read_report_bytes(data.encode("cp1256"), "c.txt")
    assert r1.text == r2.text == r3.text
    assert extract(r1)["events"] == extract(r3)["events"]


def test_no_event_is_an_input_error():
    r = read_report_bytes("Le prix du blé a augmenté de 3 % cette semaine sur les marchés de gros, selon les négociants.".encode(), "x.txt")
    with pytest.raises(InputError) as exc:
        extract(r)
    assert "no event" in str(exc.value)
