"""Confidence: calibration tables, the lexicon trie, and what a minimum confidence does to the analysts' queries."""

from __future__ import annotations

import json
import re

import pytest

from ssekg.ingest.extract import confidence
from ssekg.ingest.extract.lexicon import Folded, _term_pattern, _trie_pattern, fold_text, lexicon
from ssekg.ingest.pipeline import ingest_bytes
from ssekg.query import QueryError, run_named
from ssekg.store import Store
from support import ROOT


def test_calibration_is_the_smoothed_share_right_per_bin_and_never_decreases():
    pairs = [(0.1, False)] * 8 + [(0.3, True)] * 6 + [(0.3, False)] * 2 + [(0.5, False)] * 6 + [(0.9, True)] * 10
    table = confidence.fit(pairs)
    assert len(table) == len(confidence.EDGES) - 1
    assert table == sorted(table)
    assert table[0] == pytest.approx(1 / 10, abs=1e-3)  # (0 + 1) / (8 + 2)
    # 0.2–0.4 (6 of 8 right) sits above 0.4–0.6 (0 of 6): the two are pooled, 6 of 14
    assert table[1] == table[2] == pytest.approx(7 / 16, abs=1e-3)
    assert table[4] == pytest.approx(11 / 12, abs=1e-3)


def test_the_reliability_table_counts_facts_and_the_share_right_per_bin():
    rows = confidence.reliability([(0.05, False), (0.95, True), (0.91, False), (1.0, True)])
    assert rows[0] == ("0.0–0.2", 1, 0.0)
    assert rows[-1][1:] == (3, pytest.approx(2 / 3))


def test_the_lexicon_trie_matches_what_the_longest_first_alternation_matched():
    """The trie regex is an optimisation: on our own reports it finds the very same matches as before."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "corpus").rglob("*.txt"))]
    assert texts
    for name, words in lexicon().items():
        if not isinstance(words, list):
            continue
        terms = sorted({fold_text(str(w)) for w in words if fold_text(str(w))})
        old = "|".join(_term_pattern(t) for t in sorted(terms, key=len, reverse=True))
        new = _trie_pattern(terms)
        wrap = r"(?<![\w])(?:{})(?![\w])"
        a, b = re.compile(wrap.format(old)), re.compile(wrap.format(new))
        for text in texts:
            folded = Folded.of(text).folded
            assert [m.span() for m in a.finditer(folded)] == [m.span() for m in b.finditer(folded)], name


CARD = {
    "card": 1,
    "report": {"language": "en", "title": "A workshop written for this test"},
    "events": [{
        "title": "Finance workshop", "type": "workshop", "host_country": "SN", "start": "2025-03-01",
        "confidence": 0.9,
        "challenges": [
            {"text": "loans cost too much for young cooperatives", "category": "access-to-finance", "confidence": 0.3},
            {"text": "banks do not know the social economy", "category": "access-to-finance", "confidence": 0.8},
            {"text": "guarantee funds are missing", "category": "access-to-finance"},
        ],
    }],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("confidence-store"))
    outcome = ingest_bytes(store, json.dumps(CARD).encode(), "confidence.json")
    assert outcome.accepted, outcome.reason
    yield store
    store.close()


def cell(store: Store, **params) -> int:
    rows = list(run_named(store, "challenges-by-country", {"lang": "en", **params}))
    return sum(int(r["statements"].value) for r in rows)


def test_a_minimum_confidence_keeps_the_facts_above_it_and_those_a_person_wrote(store):
    assert cell(store) == 3
    assert cell(store, minConfidence="0.5") == 2  # 0.8 and the one without a confidence
    assert cell(store, minConfidence="0.95") == 1
    rows = list(run_named(store, "statements-in-cell", {"country": "SN", "category": "access-to-finance",
                                                         "kind": "challenge", "minConfidence": "0.5"}))
    assert sorted(float(r["statementConfidence"].value) if r["statementConfidence"] else -1 for r in rows) == [-1, 0.8]


def test_a_minimum_confidence_must_be_a_number(store):
    with pytest.raises(QueryError, match="decimal"):
        run_named(store, "challenges-by-country", {"minConfidence": "high"})


def test_the_graph_states_one_confidence_per_fact(store):
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <https://w3id.org/ssekg/ontology#confidence> ?c } }"
    (row,) = list(store.query(q))
    assert int(row["n"].value) == 3  # the event and two challenges
