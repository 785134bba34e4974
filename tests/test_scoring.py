"""How extracted cards are scored against gold (ssekg.ingest.scoring): the matching rules the benchmark states."""

from __future__ import annotations

from pathlib import Path

from ssekg.ingest.gold import GoldReport
from ssekg.ingest.scoring import Totals, score

TEXT = (
    "Regional workshop in Dakar on 12 May 2025.\n"
    "Participants named the lack of access to credit for cooperatives as the main obstacle.\n"
    "They called for a national fund for social enterprises and for training of young managers.\n"
    "Awa Diop of the Network of Cooperatives opened the meeting.\n"
)


def span(text: str) -> list[int]:
    a = TEXT.index(text)
    return [a, a + len(text)]


def gold(**changes) -> GoldReport:
    event = {
        "title": span("Regional workshop"), "type": "workshop", "status": "held", "city": "Dakar", "country": "SN",
        "online": False, "start_date": "2025-05-12", "end_date": None, "participating_countries": ["ML"],
        "speakers": [{"name": span("Awa Diop"), "role": None, "affiliation": None, "country": None}],
        "organisations": [span("Network of Cooperatives")], "organisers": [], "programmes": [], "funders": [],
        "challenges": [{"span": span("the lack of access to credit for cooperatives"), "category": "access-to-finance"}],
        "proposals": [{"span": span("a national fund for social enterprises"), "category": "innovative-finance"}],
        "optional": {"proposals": [span("training of young managers")]},
    }
    event.update(changes)
    card = {"id": "en-000", "events": [event]}
    return GoldReport("en-000", "en", "event", "dev", TEXT, Path("en-000.yaml"), None, card)


def card(**changes) -> dict:
    event = {"title": "Regional workshop", "type": "workshop", "start": "2025-05-12", "host_country": "SN",
             "city": {"name": "Dakar", "country": "SN"}, "participating_countries": ["ML"],
             "speakers": [{"name": "Awa Diop", "span": span("Awa Diop"), "confidence": 0.9}],
             "participants": [{"name": "Network of Cooperatives", "confidence": 0.8}],
             "challenges": [], "proposals": [], "confidence": 0.95}
    event.update(changes)
    return {"card": 1, "events": [event]}


def statement(text: str, category: str = "other", confidence: float = 0.5) -> dict:
    return {"text": text, "span": span(text), "category": category, "confidence": confidence}


def test_a_perfect_card_scores_one_everywhere():
    c = card(challenges=[statement("the lack of access to credit for cooperatives", "access-to-finance")],
             proposals=[statement("a national fund for social enterprises", "innovative-finance")])
    s = score(gold(), c)
    for f, t in s.fields.items():
        assert (t.tp, t.got, t.gold) == (t.gold, t.gold, t.gold), f
    assert s.categories_right == s.categories_matched == 2


def test_a_statement_matches_by_containment_either_way():
    longer = "named the lack of access to credit for cooperatives as the main obstacle"
    shorter = "access to credit"
    for text in (longer, shorter):
        s = score(gold(), card(challenges=[statement(text)]))
        assert s.fields["challenges"].tp == 1, text


def test_a_statement_matches_by_an_overlap_of_half_the_shorter_span_and_not_less():
    half = "credit for cooperatives as the main obstacle.\nThey"  # overlaps "credit for cooperatives" (23 of 45)
    s = score(gold(), card(challenges=[statement(half)]))
    assert s.fields["challenges"].tp == 1
    little = "cooperatives as the main obstacle.\nThey called"
    s = score(gold(), card(challenges=[statement(little)]))
    assert s.fields["challenges"].tp == 0 and s.fields["challenges"].got == 1


def test_each_gold_item_matches_one_extracted_item():
    s = score(gold(), card(challenges=[statement("lack of access"), statement("credit for cooperatives")]))
    assert (s.fields["challenges"].tp, s.fields["challenges"].got) == (1, 2)


def test_an_item_the_gold_marks_optional_is_neutral():
    s = score(gold(), card(proposals=[statement("training of young managers")]))
    assert (s.fields["proposals"].tp, s.fields["proposals"].got, s.fields["proposals"].gold) == (0, 0, 1)


def test_a_less_precise_date_is_right_and_a_wrong_one_is_not():
    assert score(gold(), card(start="2025-05")).fields["dates"].tp == 1
    s = score(gold(), card(start="2025-06-12"))
    assert (s.fields["dates"].tp, s.fields["dates"].got) == (0, 1)


def test_countries_are_the_venue_and_the_participants_and_a_surname_meets_the_full_name():
    s = score(gold(), card(host_country=None, speakers=[{"name": "Diop", "span": span("Diop")}]))
    assert (s.fields["countries"].tp, s.fields["countries"].gold) == (1, 2)
    assert s.fields["speakers"].tp == 1


def test_a_rejected_event_report_counts_as_rejected_and_misses_everything():
    t = Totals()
    g = gold()
    s = score(g, None)
    t.add(g, s)
    assert t.rejected_event_reports == 1 and t.fields["challenges"].tp == 0 and t.fields["challenges"].gold == 1


def test_confidences_are_judged_against_the_gold():
    c = card(challenges=[statement("the lack of access to credit for cooperatives", confidence=0.7),
                         statement("Regional workshop in Dakar", confidence=0.2)])
    s = score(gold(), c)
    assert sorted(s.judged["statement"]) == [(0.2, False), (0.7, True)]
    assert s.judged["speaker"] == [(0.9, True)] and s.judged["event"] == [(0.95, True)]


def test_a_city_matches_by_any_of_its_gazetteer_names_and_not_another_city():
    def city_f1(name: str) -> float:
        return score(gold(city="New York", country="US"), card(city={"name": name, "country": "US"},
                                                           host_country="US")).fields["cities"].prf()[2]

    assert city_f1("New York City") == 1.0  # one node of the graph, city/new-york-city
    assert city_f1("New York") == 1.0
    assert city_f1("Chicago") == 0.0


def test_events_pair_by_the_same_city_identity_the_cities_field_uses():
    """An event read with "New York City" for the gold's "New York" is the gold's event; one in another city is not."""
    def events_tp(name: str) -> int:
        s = score(gold(city="New York", country="US"), card(city={"name": name, "country": "US"}, host_country="US"))
        return s.events.tp

    assert events_tp("New York City") == 1
    assert events_tp("Chicago") == 0
