"""The analysts' named queries (queries/*.rq) on the fixture corpus (tests/fixtures/corpus).

The corpus: five invented reports (ar: r1, r5; fr: r2, r4; en: r3), six events, six countries:

| event | report | host, date, type | participating | statements (category, speaker's country) |
|---|---|---|---|---|
| E1 | r1 | MA 2025-03-12 forum | MA TN SN | c access-to-finance (MA), c market-access (TN), c legal-and-policy-framework (-); p innovative-finance (MA), p training-programmes (TN) |
| E2a | r2 | SN 2025-06-05 conference | SN ML CI MA | c access-to-finance (SN), c access-to-finance (ML), c digitalisation (CI), c financial-sustainability (-); p innovative-finance (SN), p coordination-platform (ML), p training-programmes (-) |
| E2b | r2 | online 2025-09 webinar | SN BE | c digitalisation (SN); p innovative-finance (SN) |
| E3 | r3 | ML 2024-11-20 workshop | ML SN BE | c gender-and-youth-inclusion (ML), c access-to-finance (SN); p women-and-youth-empowerment (ML), p innovative-finance (SN) |
| E4 | r4 | TN 2025 meeting | TN MA BE | c market-access (TN), c legal-and-policy-framework (BE); p legal-reform (TN), p exchange-and-study-visits (BE) |
| E5 | r5 | MA 2025-10-08 forum | MA SN TN | c access-to-finance (MA); p innovative-finance (MA) |

Speakers (country): Fatima Zahra Bennani (MA; r1, r5), Youssef Trabelsi (TN; r1), Aminata Ndiaye (SN; r2 twice,
r3), Moussa Traoré (ML; r2, r3), Awa Koné (CI; r2), Claire Dubois (BE; r3, r4), Leila Mansour (TN; r4).
Programmes: PGM DGD 2022-2026 (E1, E2a, E3; funder DGD, BE), Youth Cooperative Fund (demo) (E3, E4; funder
Solidarité Belgique Afrique, BE). The expected rows below are written by hand from the cards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ssekg.cli import main
from ssekg.ingest.cards import load_card
from ssekg.ingest.mapping import card_key
from ssekg.ingest.pipeline import ingest_paths
from ssekg.namespaces import DEFAULT_BASE, prefixes_for
from ssekg.query import (PARAM_TYPES, Param, QueryError, bind_param, bind_params, named_queries, parse_named_query,
                         run_named)
from ssekg.store import Store
from support import QUERY_COMPARISON_IDS, QUERY_COMPARISONS, solution_multiset

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
QUERIES = Path(__file__).resolve().parents[1] / "queries"
B = DEFAULT_BASE
HOSTILE = '"} ; DROP ALL #'
CHECKS = sorted(name for name in named_queries() if name.startswith("check-"))


# -- the corpus, ingested once ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("query-store"))
    outcomes = ingest_paths(store, [CORPUS])
    assert [o.source for o in outcomes if not o.accepted] == []
    assert len(outcomes) == 5
    yield store
    store.close()


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    """Report key of each card, by file name prefix (r1 … r5)."""
    return {path.name[:2]: card_key(load_card(path)) for path in CORPUS.glob("*.yaml")}


def short(value: str | None) -> str | None:
    """An IRI of ours without the base and the kind: country/MA -> MA, concept/challenge/x -> x; others as they are."""
    if value is None:
        return None
    for prefix in ("country/", "concept/challenge/", "concept/proposal/", "concept/event-type/", "programme/", "person/"):
        if value.startswith(B + prefix):
            return value[len(B + prefix) :]
    return value


def table(store: Store, name: str, **params) -> list[dict[str, str | None]]:
    result = run_named(store, name, params)
    columns = [v.value for v in result.variables]
    return [{c: (row[c].value if row[c] is not None else None) for c in columns} for row in result]


def columns(store: Store, name: str, **params) -> list[str]:
    return [v.value for v in run_named(store, name, params).variables]


def compact(rows, *names) -> list[tuple]:
    return [tuple(short(r[n]) for n in names) for r in rows]


# -- every query is documented and runs ------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_every_query_has_a_title_a_description_and_typed_used_params(path: Path):
    text = path.read_text(encoding="utf-8")
    named = parse_named_query(path.stem, text)
    assert named.title, f"{path.name}: no # title:"
    assert named.description, f"{path.name}: no # description:"
    param_lines = [line for line in text.splitlines() if re.match(r"#\s*param\s*:", line)]
    assert len(param_lines) == len(named.params)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    where = body[body.index("WHERE") :]
    for line, param in zip(param_lines, named.params):
        spec = re.match(r"#\s*param\s*:\s*\w+\s*\(([^)]*)\)", line)
        assert spec, f"{path.name}: the param line {line!r} declares no type"
        assert spec.group(1).split(",")[0].strip() in PARAM_TYPES, line
        assert param.description, f"{path.name}: param {param.name} has no description"
        assert re.search(rf"\?{param.name}\b", where), f"{path.name}: ?{param.name} is not used in the query"
        # Oxigraph substitutes only projected variables: the param must be in the outer SELECT
        assert re.search(rf"\?{param.name}\b", body[: body.index("WHERE")]), f"{path.name}: ?{param.name} not projected"


def test_the_library_has_the_queries_of_the_issue():
    names = set(named_queries())
    assert {
        "challenges-by-country", "proposals-by-country", "statements-in-cell", "events-by-country-year",
        "country-pairs", "actors-by-country", "speakers", "organisations", "programmes", "programme-reach",
        "country-profile", "event-countries",
    } <= names
    assert len(CHECKS) >= 5


# -- the matrices -------------------------------------------------------------------------------------------------
def test_challenges_by_country_host(store):
    rows = table(store, "challenges-by-country")
    assert columns(store, "challenges-by-country") == [
        "country", "countryLabel", "category", "categoryLabel", "statements", "events"
    ]
    assert compact(rows, "country", "category", "statements", "events") == [
        ("MA", "access-to-finance", "2", "2"),
        ("MA", "legal-and-policy-framework", "1", "1"),
        ("MA", "market-access", "1", "1"),
        ("ML", "access-to-finance", "1", "1"),
        ("ML", "gender-and-youth-inclusion", "1", "1"),
        ("SN", "access-to-finance", "2", "1"),  # two statements at one event
        ("SN", "digitalisation", "1", "1"),
        ("SN", "financial-sustainability", "1", "1"),
        ("TN", "legal-and-policy-framework", "1", "1"),
        ("TN", "market-access", "1", "1"),
    ]
    assert rows[0]["countryLabel"] == "Morocco" and rows[0]["categoryLabel"] == "access to finance"


def test_challenges_by_country_speaker(store):
    rows = table(store, "challenges-by-country", dimension="speaker")
    assert compact(rows, "country", "category", "statements", "events") == [
        ("BE", "legal-and-policy-framework", "1", "1"),
        ("CI", "digitalisation", "1", "1"),
        ("MA", "access-to-finance", "2", "2"),  # the same speaker in two reports: one speaker, two statements
        ("ML", "access-to-finance", "1", "1"),
        ("ML", "gender-and-youth-inclusion", "1", "1"),
        ("SN", "access-to-finance", "2", "2"),
        ("SN", "digitalisation", "1", "1"),  # at the online event, which has no host country
        ("TN", "market-access", "2", "2"),  # two speakers from TN
    ]


def test_proposals_by_country_host_and_speaker(store):
    host = table(store, "proposals-by-country")
    assert compact(host, "country", "category", "statements", "events") == [
        ("MA", "innovative-finance", "2", "2"),
        ("MA", "training-programmes", "1", "1"),
        ("ML", "innovative-finance", "1", "1"),
        ("ML", "women-and-youth-empowerment", "1", "1"),
        ("SN", "coordination-platform", "1", "1"),
        ("SN", "innovative-finance", "1", "1"),
        ("SN", "training-programmes", "1", "1"),
        ("TN", "exchange-and-study-visits", "1", "1"),
        ("TN", "legal-reform", "1", "1"),
    ]
    speaker = table(store, "proposals-by-country", dimension="speaker", lang="fr")
    assert compact(speaker, "country", "category", "statements", "events") == [
        ("BE", "exchange-and-study-visits", "1", "1"),
        ("MA", "innovative-finance", "2", "2"),
        ("ML", "coordination-platform", "1", "1"),
        ("ML", "women-and-youth-empowerment", "1", "1"),
        ("SN", "innovative-finance", "3", "3"),  # Aminata Ndiaye, in two reports, at three events
        ("TN", "legal-reform", "1", "1"),
        ("TN", "training-programmes", "1", "1"),
    ]
    assert speaker[0]["countryLabel"] == "Belgique"
    assert speaker[0]["categoryLabel"] == "échanges et visites d'étude"


def test_curated_only_keeps_the_statements_curators_checked(store, keys):
    # the fixture corpus marks one proposal curated (r2: the guarantee fund, raised by a Senegalese speaker)
    rows = table(store, "statements-in-cell", country="SN", kind="proposal", curated="only")
    assert [r["statement"] for r in rows] == [f"{B}proposal/{keys['r2']}-1-1"]
    every = table(store, "proposals-by-country", dimension="speaker")
    checked = table(store, "proposals-by-country", dimension="speaker", curated="only")
    assert [(short(r["country"]), short(r["category"]), r["statements"]) for r in checked] == [
        ("SN", "innovative-finance", "1")]
    assert sum(int(r["statements"]) for r in every) > 1


def test_an_unknown_dimension_is_refused_with_the_choices(store):
    # it used to give no rows, which read as "no challenge anywhere": a typo must not look like an answer
    from ssekg.query import QueryError

    with pytest.raises(QueryError, match=r"dimension must be one of host, speaker, not 'region'"):
        table(store, "challenges-by-country", dimension="region")
    with pytest.raises(QueryError, match=r"did you mean.*only"):
        table(store, "challenges-by-country", curated="onyl")


# -- the statements behind a cell ----------------------------------------------------------------------------
def test_what_speakers_from_senegal_propose_about_finance(store, keys):
    rows = table(store, "statements-in-cell", country="SN", category="innovative-finance", kind="proposal", dimension="speaker")
    assert columns(store, "statements-in-cell", country="SN", category="other") == [
        "statement", "text", "event", "eventLabel", "date", "speaker", "speakerLabel", "report", "url", "statementConfidence", "sentence"
    ]
    r2, r3 = keys["r2"], keys["r3"]
    assert [(r["statement"], r["event"], r["date"], short(r["speaker"]), r["report"]) for r in rows] == [
        (f"{B}proposal/{r3}-1-2", f"{B}event/{r3}-1", "2024-11-20", "aminata-ndiaye", f"{B}report/{r3}"),
        (f"{B}proposal/{r2}-1-1", f"{B}event/{r2}-1", "2025-06-05", "aminata-ndiaye", f"{B}report/{r2}"),
        (f"{B}proposal/{r2}-2-1", f"{B}event/{r2}-2", "2025-09", "aminata-ndiaye", f"{B}report/{r2}"),
    ]
    assert rows[1]["text"] == "Créer un fonds de garantie pour les groupements d'épargne."
    assert rows[1]["url"] == "https://example.org/fixture/dakar-finance"
    assert rows[1]["speakerLabel"] == "Aminata Ndiaye"


def test_cell_rows_add_up_to_the_matrix(store):
    for kind in ("challenge", "proposal"):
        for dimension in ("host", "speaker"):
            for cell in table(store, f"{kind}s-by-country", dimension=dimension):
                rows = table(
                    store, "statements-in-cell", country=short(cell["country"]), category=cell["category"],
                    kind=kind, dimension=dimension,
                )
                assert len({r["statement"] for r in rows}) == int(cell["statements"]) == len(rows)
                assert len({r["event"] for r in rows}) == int(cell["events"])


def test_a_cell_with_an_unattributed_statement_and_the_label_fallback(store, keys):
    r1 = keys["r1"]
    rows = table(store, "statements-in-cell", country="Maroc", category="challenge/legal-and-policy-framework")
    assert [(r["statement"], r["speaker"], r["speakerLabel"]) for r in rows] == [(f"{B}challenge/{r1}-1-3", None, None)]
    # the event has only an Arabic title: lang=en falls back to it
    assert rows[0]["eventLabel"] == "منتدى الرباط للتعاونيات والاقتصاد التضامني"
    assert rows[0]["text"] == "الإطار القانوني للاقتصاد التضامني لا يزال غير مكتمل."


def test_the_category_may_be_a_notation_scheme_notation_or_iri(store):
    forms = ["access-to-finance", "challenge/access-to-finance", f"{B}concept/challenge/access-to-finance"]
    answers = [table(store, "statements-in-cell", country="SN", category=form) for form in forms]
    assert len(answers[0]) == 2 and answers[0] == answers[1] == answers[2]
    # the proposal scheme has no such notation: a 400 that lists the proposal categories, not an empty table
    with pytest.raises(QueryError, match="not a category of ours.*innovative-finance"):
        table(store, "statements-in-cell", country="SN", category="access-to-finance", kind="proposal")


# -- events, countries, actors, programmes -------------------------------------------------------------------
def test_events_by_country_year(store):
    host = table(store, "events-by-country-year")
    assert compact(host, "country", "year", "eventType", "events") == [
        ("MA", "2025", "forum", "2"),
        ("ML", "2024", "workshop", "1"),
        ("SN", "2025", "conference", "1"),
        ("TN", "2025", "meeting", "1"),  # the card says only "2025"
    ]
    assert host[0]["countryLabel"] == "Morocco" and host[0]["eventTypeLabel"] == "forum"
    part = table(store, "events-by-country-year", dimension="participant", lang="fr")
    assert compact(part, "country", "year", "eventType", "events") == [
        ("BE", "2024", "workshop", "1"),
        ("BE", "2025", "meeting", "1"),
        ("BE", "2025", "webinar", "1"),
        ("CI", "2025", "conference", "1"),
        ("MA", "2025", "conference", "1"),
        ("MA", "2025", "forum", "2"),
        ("MA", "2025", "meeting", "1"),
        ("ML", "2024", "workshop", "1"),
        ("ML", "2025", "conference", "1"),
        ("SN", "2024", "workshop", "1"),
        ("SN", "2025", "conference", "1"),
        ("SN", "2025", "forum", "2"),
        ("SN", "2025", "webinar", "1"),  # the online event (2025-09)
        ("TN", "2025", "forum", "2"),
        ("TN", "2025", "meeting", "1"),
    ]
    assert {r["eventTypeLabel"] for r in part} == {"atelier", "réunion", "webinaire", "conférence", "forum"}


def test_country_pairs(store):
    rows = table(store, "country-pairs")
    assert compact(rows, "country1", "country2", "events") == [
        ("MA", "SN", "3"),
        ("MA", "TN", "3"),
        ("BE", "SN", "2"),
        ("ML", "SN", "2"),
        ("SN", "TN", "2"),
        ("BE", "MA", "1"),
        ("BE", "ML", "1"),
        ("BE", "TN", "1"),
        ("CI", "MA", "1"),
        ("CI", "ML", "1"),
        ("CI", "SN", "1"),
        ("MA", "ML", "1"),
    ]
    mali = table(store, "country-pairs", country="Mali", lang="ar")
    assert compact(mali, "country1", "country2", "events") == [
        ("ML", "SN", "2"), ("BE", "ML", "1"), ("CI", "ML", "1"), ("MA", "ML", "1")
    ]
    assert mali[0]["country1Label"] == "مالي" and mali[0]["country2Label"] == "السنغال"


def test_actors_by_country(store):
    rows = table(store, "actors-by-country")
    assert compact(rows, "country", "speakers", "organisations", "speakerEvents") == [
        ("BE", "1", "2", "2"),
        ("CI", "1", "0", "1"),
        ("MA", "1", "2", "2"),
        ("ML", "1", "2", "2"),
        ("SN", "1", "2", "3"),
        ("TN", "2", "1", "2"),
    ]


def test_speakers_are_counted_once_across_reports(store):
    rows = table(store, "speakers")
    got = {r["speakerLabel"]: (short(r["speakerCountry"]), r["events"], r["reports"], r["statements"]) for r in rows}
    assert got == {
        "فاطمة الزهراء بناني": ("MA", "2", "2", "4"),
        "يوسف الطرابلسي": ("TN", "1", "1", "2"),
        "Aminata Ndiaye": ("SN", "3", "2", "6"),
        "Moussa Traoré": ("ML", "2", "2", "4"),
        "Awa Koné": ("CI", "1", "1", "1"),
        "Claire Dubois": ("BE", "2", "2", "2"),
        "Leila Mansour": ("TN", "1", "1", "2"),
    }
    assert len(rows) == 7
    assert [r["speakerLabel"] for r in table(store, "speakers", country="TUN")] == ["Leila Mansour", "يوسف الطرابلسي"]


def test_organisations(store):
    rows = table(store, "organisations")
    got = {r["organisationLabel"]: (short(r["organisationCountry"]), r["events"], r["speakers"]) for r in rows}
    assert got == {
        "Directorate-General for Development Cooperation and Humanitarian Aid (DGD)": ("BE", "0", "0"),
        "Solidarité Belgique Afrique (démo)": ("BE", "1", "1"),
        "الاتحاد المغربي للتعاونيات (تجريبي)": ("MA", "2", "1"),
        "نشرة التعاونيات (تجريبي)": ("MA", "0", "0"),
        "Sahel Coop News (demo)": ("ML", "0", "0"),
        "Union des caisses villageoises du Mali (démo)": ("ML", "2", "1"),
        "Le Courrier solidaire (démo)": ("SN", "0", "0"),
        "Réseau sénégalais de la finance solidaire (démo)": ("SN", "2", "1"),
        "Réseau tunisien de l'ESS (démo)": ("TN", "1", "1"),
    }
    assert len(rows) == 9
    assert {r["organisationLabel"] for r in table(store, "organisations", country="SN")} == {
        "Le Courrier solidaire (démo)", "Réseau sénégalais de la finance solidaire (démo)"
    }


def test_programmes_and_their_reach(store):
    rows = table(store, "programmes")
    assert compact(rows, "programme", "events", "countries", "reports") == [
        ("pgm-dgd-2022-2026", "3", "6", "3"),
        ("youth-cooperative-fund-demo", "2", "5", "2"),
    ]
    assert [r["funderLabel"] for r in rows] == [
        "Directorate-General for Development Cooperation and Humanitarian Aid (DGD)", "Solidarité Belgique Afrique (démo)"
    ]
    reach = table(store, "programme-reach")
    assert compact(reach, "programme", "country", "events") == [
        ("pgm-dgd-2022-2026", "SN", "3"),
        ("pgm-dgd-2022-2026", "MA", "2"),
        ("pgm-dgd-2022-2026", "ML", "2"),
        ("pgm-dgd-2022-2026", "BE", "1"),
        ("pgm-dgd-2022-2026", "CI", "1"),
        ("pgm-dgd-2022-2026", "TN", "1"),
        ("youth-cooperative-fund-demo", "BE", "2"),
        ("youth-cooperative-fund-demo", "MA", "1"),
        ("youth-cooperative-fund-demo", "ML", "1"),
        ("youth-cooperative-fund-demo", "SN", "1"),
        ("youth-cooperative-fund-demo", "TN", "1"),
    ]


def test_country_profile_morocco_and_senegal(store):
    rows = table(store, "country-profile", country1="MA", country2="Sénégal")
    assert compact(rows, "aspect", "item", "count1", "count2") == [
        ("events-hosted", None, "2", "1"),
        ("events-taking-part", None, "4", "5"),
        ("speakers", None, "1", "1"),
        ("organisations", None, "2", "2"),
        ("challenge", "access-to-finance", "2", "2"),
        ("challenge", "digitalisation", "0", "1"),
        ("challenge", "financial-sustainability", "0", "1"),
        ("challenge", "legal-and-policy-framework", "1", "0"),
        ("challenge", "market-access", "1", "0"),
        ("proposal", "innovative-finance", "2", "1"),
        ("proposal", "training-programmes", "1", "1"),
        ("proposal", "coordination-platform", "0", "1"),
        ("partner", "TN", "3", "2"),
        ("partner", "BE", "1", "2"),
        ("partner", "MA", "0", "3"),
        ("partner", "ML", "1", "2"),
        ("partner", "SN", "3", "0"),
        ("partner", "CI", "1", "1"),
        ("programme", "pgm-dgd-2022-2026", "2", "3"),
        ("programme", "youth-cooperative-fund-demo", "1", "1"),
    ]
    assert rows[0]["itemLabel"] is None and rows[4]["itemLabel"] == "access to finance"
    by_speaker = table(store, "country-profile", country1="MA", country2="SN", dimension="speaker")
    assert [r for r in compact(by_speaker, "aspect", "item", "count1", "count2") if r[0] in ("challenge", "proposal")] == [
        ("challenge", "access-to-finance", "2", "2"),
        ("challenge", "digitalisation", "0", "1"),
        ("proposal", "innovative-finance", "2", "3"),
    ]


def test_event_countries(store, keys):
    rows = table(store, "event-countries", lang="fr")
    assert len(rows) == 3 + 4 + 2 + 3 + 3 + 3
    r4 = [r for r in rows if r["event"] == f"{B}event/{keys['r4']}-1"]
    assert {(short(r["country"]), r["countryLabel"]) for r in r4} == {("TN", "Tunisie"), ("MA", "Maroc"), ("BE", "Belgique")}
    assert {r["eventLabel"] for r in r4} == {"Rencontre tuniso-belge des réseaux de l'ESS"}
    en = [r for r in table(store, "event-countries") if r["event"] == f"{B}event/{keys['r4']}-1"]
    assert {r["eventLabel"] for r in en} == {"Tunisian-Belgian meeting of SSE networks"}


# -- counts are right ------------------------------------------------------------------------------------------
def test_the_corpus_does_repeat_facts_across_report_graphs(store):
    """Without the set-union default graph and DISTINCT, the shared speakers would be counted per report."""
    per_graph = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <https://w3id.org/ssekg/ontology#country> ?c } "
        "?g a <https://w3id.org/ssekg/ontology#Report> . ?s a <https://w3id.org/ssekg/ontology#Speaker> }"
    )
    assert int(next(per_graph)["n"].value) == 11  # 7 speakers, 4 of them in two reports
    assert sum(int(r["speakers"]) for r in table(store, "actors-by-country")) == 7


def test_checks_find_nothing_on_clean_data(store):
    for name in CHECKS:
        assert table(store, name) == [], name
        assert columns(store, name) == ["subject", "subjectLabel", "problem", "report"]


def test_checks_find_each_problem(tmp_path):
    card = tmp_path / "dirty.yaml"
    card.write_text(
        """card: 1
report: {language: en, title: A report with gaps}
events:
  - title: A meeting somewhere, some day
    type: meeting
    speakers:
      - name: Nobody Knows
      - name: Aminata Ndiaye
        country: ML
    participants: [An organisation without a country]
    challenges:
      - text: A challenge nobody classified.
""",
        encoding="utf-8",
    )
    store = Store.memory()
    assert all(o.accepted for o in ingest_paths(store, [CORPUS / "r2-dakar-finance-fr.yaml", card]))
    dirty = card_key(load_card(card))
    # a country IRI that is no reference country, in a report graph (as a hand-written TriG could carry)
    from rdflib import URIRef

    from ssekg.namespaces import SSE, report_iri

    triples = list(store.graph_triples(report_iri(store.base, dirty)))
    bogus = URIRef(f"{B}country/XX")
    store.replace_report(dirty, triples + [(URIRef(f"{B}event/{dirty}-1"), SSE.participatingCountry, bogus)], [])
    found = {name: compact(table(store, name), "subject", "problem", "report") for name in CHECKS}
    report = f"{B}report/{dirty}"
    assert found["check-events-without-date"] == [(f"{B}event/{dirty}-1", "event without a start date", report)]
    assert found["check-events-without-place"] == [
        (f"{B}event/{dirty}-1", "event without a host country or city, and not online", report)
    ]
    assert found["check-statements-without-category"] == [(f"{B}challenge/{dirty}-1-1", "challenge without a category", report)]
    assert found["check-unknown-countries"] == [
        (f"{B}event/{dirty}-1", f"links to {bogus}, which is not a reference country", report)
    ]
    assert sorted(found["check-actors-without-country"]) == [
        (f"{B}org/an-organisation-without-a-country", "organisation without a country", report),
        ("nobody-knows", "speaker without a country", report),
    ]
    # Aminata Ndiaye: SN in r2, ML in the dirty report
    conflicts = found["check-conflicting-countries"]
    assert {(s, r) for s, _, r in conflicts} == {("aminata-ndiaye", report), ("aminata-ndiaye", f"{B}report/{card_key(load_card(CORPUS / 'r2-dakar-finance-fr.yaml'))}")}


# -- parameters are values ------------------------------------------------------------------------------------------
def _quads(store: Store) -> set:
    return set(store.ox.quads_for_pattern(None, None, None, None))


def test_sparql_in_a_parameter_is_only_a_value(store):
    before = _quads(store)
    tried = 0
    for name, named in named_queries().items():
        for param in named.params:
            if param.type in ("integer", "decimal", "date"):
                with pytest.raises(QueryError):
                    run_named(store, name, {param.name: HOSTILE})
                continue
            if param.type in ("country", "concept"):  # a value that names no country or category is refused
                with pytest.raises(QueryError, match="not a"):
                    run_named(store, name, {param.name: HOSTILE})
                continue
            if param.values is not None:  # a string of a few choices refuses any other
                with pytest.raises(QueryError, match="must be one of"):
                    run_named(store, name, {param.name: HOSTILE})
                continue
            unknown = "zz" if param.name == "lang" else "no-such-value"
            other = {p.name: "MA" for p in named.params if p.type == "country" and p.name != param.name}
            assert table(store, name, **other, **{param.name: HOSTILE}) == table(store, name, **other, **{param.name: unknown}), (name, param.name)
            tried += 1
    assert tried >= 8
    assert _quads(store) == before


def test_unknown_parameters_and_bad_values_are_refused(store):
    with pytest.raises(QueryError, match="has no parameter"):
        run_named(store, "challenges-by-country", {"dimensions": "host"})
    with pytest.raises(QueryError, match="no named query"):
        run_named(store, "no-such-query")


def test_bind_param_types():
    assert bind_param(Param("d", "date"), "2025-06-05") == ox.Literal("2025-06-05", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert bind_param(Param("d", "date"), "2025-09").datatype.value.endswith("#gYearMonth")
    assert bind_param(Param("d", "date"), "2025").datatype.value.endswith("#gYear")
    for bad in ("2025-02-30", "25-01-01", HOSTILE):
        with pytest.raises(QueryError):
            bind_param(Param("d", "date"), bad)
    assert bind_param(Param("n", "integer"), " 42 ").value == "42"
    assert bind_param(Param("c", "country"), "Sénégal") == ox.NamedNode(f"{B}country/SN")
    with pytest.raises(QueryError, match="not a country we know.*did you mean Morocco"):
        bind_param(Param("c", "country"), "Marocco")
    with pytest.raises(QueryError, match="not a country"):
        bind_param(Param("c", "country"), HOSTILE)
    assert bind_param(Param("k", "concept", scheme="event-type"), "forum") == ox.NamedNode(f"{B}concept/event-type/forum")
    with pytest.raises(QueryError, match="not a category of ours"):
        bind_param(Param("k", "concept", scheme="challenge"), HOSTILE)
    with pytest.raises(QueryError, match="unknown type"):
        parse_named_query("x", "# param: p (number): a number\nSELECT ?p WHERE { }")


# -- CLI and pandas ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli-store"))
    result = CliRunner().invoke(main, ["ingest", "-q", "--store", path, str(CORPUS)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs_from_the_cli(cli_store, name):
    params = {
        "statements-in-cell": ["--param", "country=SN", "--param", "category=access-to-finance"],
        "country-profile": ["--param", "country1=MA", "--param", "country2=SN"],
    }.get(name, [])
    for fmt in ("table", "csv", "json", "markdown"):
        result = CliRunner().invoke(main, ["query", name, "--store", cli_store, "--format", fmt, *params])
        assert result.exit_code == 0, (fmt, result.output)
        if fmt == "json":
            data = json.loads(result.output)
            assert "lang" not in data["head"]["vars"]
            if not name.startswith("check-"):
                assert data["results"]["bindings"], name
        if fmt == "csv" and name == "challenges-by-country":
            assert result.output.splitlines()[0] == "country,countryLabel,category,categoryLabel,statements,events"
            assert "https://w3id.org/ssekg/id/country/SN,Senegal,https://w3id.org/ssekg/id/concept/challenge/access-to-finance,access to finance,2,1" in result.output


def test_cli_param_with_sparql_is_a_value(cli_store):
    result = CliRunner().invoke(main, ["query", "speakers", "--store", cli_store, "--param", f"country={HOSTILE}", "--format", "csv"])
    assert result.exit_code == 2 and "is not a country we know" in result.output
    result = CliRunner().invoke(main, ["query", "speakers", "--store", cli_store, "--param", "lang=" + HOSTILE, "--format", "csv"])
    assert result.exit_code == 0 and result.output.strip().splitlines()[0] == \
        "speaker,speakerLabel,speakerCountry,countryLabel,events,reports,statements"


def test_dataframe_types_the_counts(store, cli_store):
    pd = pytest.importorskip("pandas")
    from ssekg.analysis import dataframe

    df = dataframe("challenges-by-country", store=store, dimension="speaker", lang="fr")
    assert list(df.columns) == ["country", "countryLabel", "category", "categoryLabel", "statements", "events"]
    assert str(df["statements"].dtype) == "int64" and str(df["events"].dtype) == "int64"
    assert df["statements"].sum() == 11  # the attributed challenges
    matrix = df.pivot_table(index="country", columns="category", values="statements", fill_value=0)
    assert matrix.loc[f"{B}country/TN", f"{B}concept/challenge/market-access"] == 2
    years = dataframe("events-by-country-year", store_dir=cli_store)  # opens and closes the store itself
    assert str(years["year"].dtype) == "int64" and years["events"].tolist() == [2, 1, 1, 1]
    empty = dataframe("check-events-without-date", store=store)
    assert empty.empty and list(empty.columns) == ["subject", "subjectLabel", "problem", "report"]


def test_reingesting_the_corpus_changes_no_answer(store):
    before = {name: table(store, name) for name in ("challenges-by-country", "speakers", "country-pairs", "programmes")}
    assert all(o.accepted for o in ingest_paths(store, [CORPUS]))
    assert {name: table(store, name) for name in before} == before


# -- years and event type (from, to, eventType): the filters of the comparison page ------------------------------
def test_matrices_by_years_and_event_type(store):
    since_2025 = table(store, "challenges-by-country", **{"from": "2025"})
    assert compact(since_2025, "country", "category", "statements", "events") == [
        ("MA", "access-to-finance", "2", "2"),
        ("MA", "legal-and-policy-framework", "1", "1"),
        ("MA", "market-access", "1", "1"),
        ("SN", "access-to-finance", "2", "1"),
        ("SN", "digitalisation", "1", "1"),
        ("SN", "financial-sustainability", "1", "1"),
        ("TN", "legal-and-policy-framework", "1", "1"),  # E4's date is only "2025"
        ("TN", "market-access", "1", "1"),
    ]  # E3 (ML, 2024-11-20) is left out
    until_2024 = table(store, "challenges-by-country", dimension="speaker", to="2024")
    assert compact(until_2024, "country", "category", "statements", "events") == [
        ("ML", "gender-and-youth-inclusion", "1", "1"),
        ("SN", "access-to-finance", "1", "1"),
    ]
    forums = table(store, "challenges-by-country", eventType="forum")
    assert compact(forums, "country", "category", "statements", "events") == [
        ("MA", "access-to-finance", "2", "2"),  # E1 and E5
        ("MA", "legal-and-policy-framework", "1", "1"),
        ("MA", "market-access", "1", "1"),
    ]
    assert table(store, "challenges-by-country", **{"from": "2025", "to": "2025", "eventType": "event-type/conference"}) == \
        [r for r in since_2025 if short(r["country"]) == "SN"]
    webinars = table(store, "proposals-by-country", dimension="speaker", eventType="webinar")
    assert compact(webinars, "country", "category", "statements", "events") == [("SN", "innovative-finance", "1", "1")]
    assert table(store, "proposals-by-country", **{"from": "2026"}) == []
    assert table(store, "proposals-by-country", eventType="summit") == []
    with pytest.raises(QueryError, match="not a category of ours"):
        run_named(store, "proposals-by-country", {"eventType": "no-such-type"})
    with pytest.raises(QueryError, match="integer"):
        run_named(store, "challenges-by-country", {"from": "last year"})


def test_cells_and_pairs_by_years_and_event_type(store, keys):
    r2 = keys["r2"]
    cell = dict(country="SN", category="innovative-finance", kind="proposal", dimension="speaker")
    assert [r["statement"] for r in table(store, "statements-in-cell", **cell, **{"from": "2025"})] == [
        f"{B}proposal/{r2}-1-1", f"{B}proposal/{r2}-2-1"
    ]
    assert [r["statement"] for r in table(store, "statements-in-cell", **cell, eventType="webinar")] == [f"{B}proposal/{r2}-2-1"]
    filters = [{"from": "2025"}, {"to": "2024"}, {"eventType": "forum"}, {"from": "2025", "eventType": "conference"}]
    for kind in ("challenge", "proposal"):
        for extra in filters:
            for c in table(store, f"{kind}s-by-country", dimension="host", **extra):
                rows = table(store, "statements-in-cell", country=short(c["country"]), category=c["category"],
                             kind=kind, dimension="host", **extra)
                assert len(rows) == int(c["statements"]) and len({r["event"] for r in rows}) == int(c["events"])
    forums = table(store, "country-pairs", eventType="forum")
    assert compact(forums, "country1", "country2", "events") == [("MA", "SN", "2"), ("MA", "TN", "2"), ("SN", "TN", "2")]
    until_2024 = table(store, "country-pairs", to="2024")
    assert compact(until_2024, "country1", "country2", "events") == [("BE", "ML", "1"), ("BE", "SN", "1"), ("ML", "SN", "1")]
    assert columns(store, "country-pairs", eventType="forum") == ["country1", "country1Label", "country2", "country2Label", "events"]


@pytest.mark.parametrize(("name", "params"), QUERY_COMPARISONS, ids=QUERY_COMPARISON_IDS)
def test_parameters_written_into_the_text_give_the_rows_of_oxigraphs_own_binding(store, name, params):
    """``Store.query`` writes parameters into the query (``ssekg.binding``: much faster plans); Oxigraph's
    ``substitutions`` pre-bind them. Both must give the same rows, as multisets of terms, for every named query."""
    named = named_queries()[name]
    bindings = bind_params(named, params, store.base)
    prefixes = prefixes_for(store.base)
    ours = solution_multiset(store.query(named.text, prefixes=prefixes, substitutions=bindings))
    assert ours == solution_multiset(store.ox.query(named.text, prefixes=prefixes, substitutions=bindings or None))


@pytest.mark.parametrize("kind", ["challenge", "proposal"])
@pytest.mark.parametrize("extra", [{}, {"from": "2025"}, {"eventType": "forum"}])
def test_coverage_counts_what_each_matrix_dimension_places(store, kind, extra):
    """statement-coverage's N of M: each dimension's matrix sums to its count, out of every categorised statement."""
    [row] = table(store, "statement-coverage", kind=kind, **extra)
    for dimension, column in (("host", "withHostCountry"), ("speaker", "withSpeakerCountry")):
        cells = table(store, f"{kind}s-by-country", dimension=dimension, **extra)
        assert sum(int(c["statements"]) for c in cells) == int(row[column]), (dimension, extra)
    assert int(row["statements"]) >= max(int(row["withHostCountry"]), int(row["withSpeakerCountry"]))
    assert int(row["withSpeakerCountry"]) < int(row["statements"]) or extra  # the corpus has unattributed statements


def test_example_events_count_only_when_asked_or_when_nothing_else_is_there():
    """Issue 14: the bundled demo cards' invented events (sse:example) stay out of the comparisons once real reports
    are in (examples=auto), unless asked (include); a store of examples alone still shows them (the demo)."""
    from support import EXAMPLES

    from ssekg.ingest.pipeline import ingest_paths

    invented = [p for p in sorted(EXAMPLES.glob("*.yaml")) if "example: true" in p.read_text(encoding="utf-8")]
    real = [p for p in sorted(EXAMPLES.glob("*.yaml")) if p not in invented]
    assert invented and real
    demo = Store.memory()
    ingest_paths(demo, invented)
    mixed = Store.memory()
    ingest_paths(mixed, invented + real)

    def countries(store, query, **params):
        return {short(r["country"]) for r in table(store, query, **params)}

    for query in ("challenges-by-country", "events-by-country-year"):
        alone = countries(demo, query)
        assert alone  # the demo works out of the box
        assert countries(mixed, query) == countries(mixed, query, examples="exclude")
        assert countries(mixed, query, examples="include") >= alone | countries(mixed, query)
        assert not alone & countries(mixed, query) - {"MA"}  # only the real workshop's countries remain
        assert countries(demo, query, examples="exclude") == set()
