"""Held or announced: the extractor says which, cards carry it, the graph states it (sse:announced)."""

from __future__ import annotations

import json

import pytest

from ssekg.ingest.extract import extract
from ssekg.ingest.pipeline import ingest_bytes
from ssekg.ingest.readers import read_report_bytes
from ssekg.store import Store

# Written for this test (not a real report).
ANNOUNCEMENT = (
    "Cooperatives meet in Dakar\n\n"
    "The regional forum of women's cooperatives will be held in Dakar on 12 May 2026. "
    "Delegations from Mali and Senegal will take part.\n"
)
REPORT = (
    "Cooperatives met in Dakar\n\n"
    "The regional forum of women's cooperatives was held in Dakar on 12 May 2025. "
    "Delegations from Mali and Senegal took part.\n"
)


@pytest.mark.parametrize("text,status", [(ANNOUNCEMENT, "announced"), (REPORT, "held")])
def test_the_extractor_tells_an_announcement_from_a_report(text, status):
    card = extract(read_report_bytes(text.encode(), "report.txt"))
    assert [ev["status"] for ev in card["events"]] == [status]


def test_the_graph_states_which_events_are_announced(tmp_path):
    card = {"card": 1, "report": {"language": "en", "title": "Two events written for this test"},
            "events": [{"title": "Forum", "type": "forum", "host_country": "SN", "status": "held"},
                       {"title": "Next forum", "type": "forum", "host_country": "ML", "status": "announced"},
                       {"title": "A workshop", "type": "workshop", "host_country": "TN"}]}
    store = Store.open(tmp_path / "store")
    try:
        outcome = ingest_bytes(store, json.dumps(card).encode(), "status.json")
        assert outcome.accepted, outcome.reason
        rows = store.query("SELECT ?label ?announced WHERE { ?e <https://w3id.org/ssekg/ontology#announced> ?announced ;"
                           " <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label")
        assert [(r["label"].value, r["announced"].value) for r in rows] == [("Forum", "false"), ("Next forum", "true")]
    finally:
        store.close()


def test_a_status_other_than_held_or_announced_is_refused(tmp_path):
    card = {"card": 1, "report": {"language": "en"}, "events": [{"title": "Forum", "type": "forum", "status": "soon"}]}
    store = Store.open(tmp_path / "store")
    try:
        outcome = ingest_bytes(store, json.dumps(card).encode(), "status.json")
        assert not outcome.accepted and "status" in outcome.reason
    finally:
        store.close()
