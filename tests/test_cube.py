"""The comparison cube (ssekg.cube): the named queries read from it count exactly what they count from the statements.

Random corpora (people shared across reports with changing countries, events without dates or types, confidences,
curated statements, example reports) are written by every path a store is written by — a bulk ingest, one report at
a time, a replacement with other facts, a drop, a Graph Store write of hand-made triples — and after each step:

- the cube the writes kept is the cube a recount makes (triple for triple: observation IRIs are deterministic);
- each cubed named query answers the same rows from the cube as from the statements, for a spread of parameters.

The same on Virtuoso (tests/test_remote_virtuoso.py's instance) in ``test_the_cube_on_virtuoso``.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from ssekg import cube
from ssekg.ingest.parallel import ingest_parallel
from ssekg.ingest.pipeline import ingest_paths
from ssekg.namespaces import report_iri
from ssekg.query import bind_params, cube_text, named_queries, run_query, text_for
from ssekg.store import Store

CUBED = ("challenges-by-country", "proposals-by-country", "statement-coverage", "country-pairs")
PARAMS = [
    {}, {"dimension": "speaker"}, {"from": "2022"}, {"from": "2020", "to": "2023"}, {"to": "2021"},
    {"eventType": "forum"}, {"eventType": "workshop", "dimension": "speaker"}, {"minConfidence": "0.6"},
    {"minConfidence": "0.9", "dimension": "speaker"}, {"minConfidence": "0"}, {"minConfidence": "1"},
    {"curated": "only"}, {"curated": "only", "minConfidence": "0.5"}, {"examples": "include"},
    {"examples": "exclude"}, {"kind": "proposal"}, {"kind": "challenge", "from": "2021"}, {"country": "MA"},
    {"country": "SN", "eventType": "conference"},
]
COUNTRIES = ["MA", "SN", "ML", "TN", "FR", "CI"]
TYPES = ["forum", "workshop", "conference"]
CHALLENGES = ["access-to-finance", "digitalisation", "financial-sustainability", "training-and-capacity"]
PROPOSALS = ["innovative-finance", "training-programmes", "coordination-platform"]
PEOPLE = ["Amina Diallo", "Karim Benali", "Fatou Sow", "Omar Haddad", "Claire Martin"]


def random_card(rng: random.Random, n: int, version: int = 0, example: bool = False) -> dict:
    """One report; ``version`` changes its facts but not its key (the text hash stays)."""
    events = []
    for e in range(rng.choice([0, 1, 1, 1, 2])):
        speakers = [{"name": name, **({"country": rng.choice(COUNTRIES)} if rng.random() < 0.8 else {})}
                    for name in rng.sample(PEOPLE, rng.randint(0, 3))]
        event: dict = {"title": f"Event {n}-{e} v{version}"}
        if rng.random() < 0.8:
            event["type"] = rng.choice(TYPES)
        if rng.random() < 0.75:
            event["start"] = rng.choice(["2019", "2020-05", f"{rng.randint(2019, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"])
        if rng.random() < 0.8:
            event["host_country"] = rng.choice(COUNTRIES)
        event["participating_countries"] = rng.sample(COUNTRIES, rng.randint(0, 3))
        event["speakers"] = speakers
        for field, categories in (("challenges", CHALLENGES), ("proposals", PROPOSALS)):
            statements = []
            for i in range(rng.randint(0, 4)):
                statement: dict = {"text": f"{field} {n}-{e}-{i} v{version}"}
                if rng.random() < 0.9:
                    statement["category"] = rng.choice(categories)
                if speakers and rng.random() < 0.6:
                    statement["speaker"] = rng.choice(speakers)["name"]
                roll = rng.random()
                if roll < 0.5:
                    statement["confidence"] = rng.choice([0.35, 0.6, 0.75, 0.9, 1.0])
                elif roll < 0.65:
                    statement["curated"] = True
                statements.append(statement)
            event[field] = statements
        events.append(event)
    report = {"language": "en", "title": f"Report {n}", "url": f"https://example.org/cube/{n}",
              "published": "2024-06-01",
              "text_sha256": hashlib.sha256(f"cube-test-{n}".encode()).hexdigest()}
    if example:
        report["example"] = True
    if not events:
        report["no_event"] = True
    return {"card": 1, "report": report, "events": events}


def write_cards(folder: Path, cards: dict[int, dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, card in sorted(cards.items()):
        path = folder / f"r{n:03d}.yaml"
        path.write_text(yaml.safe_dump(card, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def solutions(result) -> list[str]:
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])


def cube_lines(store) -> set[str]:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {cube.cube_graph(store.base)} {{ ?s ?p ?o }} }}")
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


def check(store, where: str) -> int:
    """The cube the writes kept equals a recount, and every cubed query agrees with the statements; how many
    (query, parameters) pairs the cube answered."""
    st = cube.status(store)
    assert st.usable, f"{where}: the cube is not usable: {st}"
    kept = cube_lines(store)
    cube.rebuild(store)
    assert cube_lines(store) == kept, f"{where}: the cube the writes kept differs from a recount"
    answered = 0
    for name in CUBED:
        named = named_queries()[name]
        declared = {p.name for p in named.params}
        for params in PARAMS:
            if set(params) - declared:
                continue
            bindings = bind_params(named, params, store.base)
            text = cube_text(named, bindings)
            if text is None:
                continue
            raw = solutions(run_query(store, named.text, bindings))
            counted = solutions(run_query(store, text, bindings))
            assert counted == raw, f"{where}: {name} {params}: the cube says {counted[:3]}, the statements {raw[:3]}"
            answered += 1
    return answered


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_cube_counts_what_the_statements_count_after_every_kind_of_write(tmp_path, seed):
    rng = random.Random(seed)
    store = Store.open(tmp_path / "store")
    cards = {n: random_card(rng, n, example=(n == 0)) for n in range(14)}
    paths = write_cards(tmp_path / "v0", cards)
    # a bulk ingest (one run: the cube is brought up to date at its end)
    assert all(o.accepted for o in ingest_parallel(store, paths[:10], jobs=1, bulk_batch=4)), "the corpus is valid"
    assert check(store, "bulk ingest") >= 50  # (query, parameters) pairs the cube answered
    # one report at a time (each write keeps the cube)
    assert all(o.accepted for o in ingest_paths(store, paths[10:]))
    check(store, "one at a time")
    # replacements with other facts: other countries for shared people, other dates, statements gone or added
    changed = {n: random_card(rng, n, version=1) for n in rng.sample(range(14), 6)}
    assert all(o.accepted for o in ingest_paths(store, write_cards(tmp_path / "v1", changed)))
    check(store, "replacements")
    # the same in a bulk run (replacements go through updates in the run)
    changed = {n: random_card(rng, n, version=2) for n in rng.sample(range(14), 6)}
    assert all(o.accepted for o in ingest_parallel(store, write_cards(tmp_path / "v2", changed), jobs=1))
    check(store, "replacements in a run")
    # drops
    for key in rng.sample(store.report_keys(), 4):
        assert store.drop_report(key)
    check(store, "drops")


def test_a_write_of_hand_made_triples_is_counted_and_an_irregular_event_sends_the_queries_to_the_statements(tmp_path):
    store = Store.open(tmp_path / "store")
    ingest_paths(store, write_cards(tmp_path / "c", {n: random_card(random.Random(7), n) for n in range(6)}))
    base = store.base
    sse = "https://w3id.org/ssekg/ontology#"
    event, statement = f"<{base}event/hand-1>", f"<{base}challenge/hand-1-1>"
    body = (f"{event} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{sse}Event> .\n"
            f"{event} <{sse}hostCountry> <{base}country/TN> .\n"
            f"{event} <{sse}challenge> {statement} .\n"
            f"{statement} <{sse}category> <{base}concept/challenge/digitalisation> .\n")
    store.replace_graphs_nt({f"{base}graph/hand": body})
    check(store, "a hand-made graph")
    # a second start year: the cube cannot sum years for it, and says so
    store.replace_graphs_nt({f"{base}graph/hand": body + f'{event} <http://schema.org/startDate> "2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
                                                   f'{event} <http://schema.org/startDate> "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'})
    st = cube.status(store)
    assert st.current and st.irregular == 1 and not st.usable
    named = named_queries()["challenges-by-country"]
    assert text_for(store, named, {})[1] == "statements"
    store.replace_graphs_nt({f"{base}graph/hand": ""})
    assert cube.status(store).usable and text_for(store, named, {})[1] == "cube"
    check(store, "the hand-made graph removed")


def test_a_writer_that_died_between_the_reports_and_the_cube_is_recounted_when_the_store_opens(tmp_path):
    store = Store.open(tmp_path / "store")
    ingest_paths(store, write_cards(tmp_path / "c", {n: random_card(random.Random(3), n) for n in range(5)}))
    kept = cube_lines(store)
    cube.mark_pending(store)  # what a writer leaves when it dies after writing reports
    key = store.report_keys()[0]
    store.replace_graphs_nt({report_iri(store.base, key): ""}, maintain=False)
    assert not cube.status(store).usable
    named = named_queries()["challenges-by-country"]
    assert text_for(store, named, {})[1] == "statements", "a pending cube is not read"
    store.close()
    store = Store.open(tmp_path / "store")
    assert cube.status(store).usable
    assert cube_lines(store) != kept
    check(store, "recounted at open")


def test_the_cube_is_rdf_data_cube(tmp_path):
    """Well-formed in the sense of the QB specification's integrity constraints a consumer relies on."""
    store = Store.open(tmp_path / "store")
    ingest_paths(store, write_cards(tmp_path / "c", {n: random_card(random.Random(5), n) for n in range(8)}))
    qb = "PREFIX qb: <http://purl.org/linked-data/cube#> "

    def ask(text: str) -> bool:
        return bool(store.query(qb + text))

    assert ask("ASK { ?obs a qb:Observation }")
    # IC-1: one dataset per observation; IC-2: one structure per dataset
    assert not ask("ASK { ?obs a qb:Observation ; qb:dataSet ?a , ?b FILTER (?a != ?b) }")
    assert not ask("ASK { ?ds a qb:DataSet ; qb:structure ?a , ?b FILTER (?a != ?b) }")
    # IC-11: every dimension of the structure has a value; IC-14: every measure too
    assert not ask("""ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:dimension ?dim
                           FILTER NOT EXISTS { ?obs ?dim ?value } }""")
    assert not ask("""ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:measure ?m
                           FILTER NOT EXISTS { ?obs ?m ?value } }""")
    # IC-12: no two observations of a dataset with the same dimension values (the IRI is their digest)
    assert not ask("""ASK { ?a qb:dataSet ?ds . ?b qb:dataSet ?ds . FILTER (?a != ?b)
                           FILTER NOT EXISTS { ?ds qb:structure/qb:component/qb:dimension ?dim .
                                               ?a ?dim ?va . FILTER NOT EXISTS { ?b ?dim ?va } } }""")
    # every component is declared as such (IC-4/IC-5)
    assert not ask("""ASK { ?dsd qb:component/qb:dimension ?dim FILTER NOT EXISTS { ?dim a qb:DimensionProperty } }""")
    assert not ask("""ASK { ?dsd qb:component/qb:measure ?m FILTER NOT EXISTS { ?m a qb:MeasureProperty } }""")
    # slices (by kind, role, statements read, and the year or type): IC-7 every slice key belongs to a structure;
    # IC-8 its dimensions are the structure's; IC-9 one slice key per slice; IC-10 a slice has a value for each of
    # them; and (the spec's qb:observation) every observation of a sliced dataset is in the slice of its values
    assert ask("ASK { ?slice a qb:Slice ; qb:observation ?obs }")
    assert not ask("ASK { ?key a qb:SliceKey FILTER NOT EXISTS { ?dsd a qb:DataStructureDefinition ; qb:sliceKey ?key } }")
    assert not ask("""ASK { ?dsd qb:sliceKey/qb:componentProperty ?p FILTER NOT EXISTS { ?dsd qb:component/qb:dimension ?p } }""")
    assert not ask("ASK { ?slice a qb:Slice FILTER NOT EXISTS { ?slice qb:sliceStructure ?key } }")
    assert not ask("ASK { ?slice qb:sliceStructure ?a , ?b FILTER (?a != ?b) }")
    assert not ask("""ASK { ?slice qb:sliceStructure/qb:componentProperty ?dim FILTER NOT EXISTS { ?slice ?dim ?value } }""")
    assert not ask("""ASK { ?slice qb:observation ?obs ; qb:sliceStructure/qb:componentProperty ?dim ; ?dim ?value
                           FILTER NOT EXISTS { ?obs ?dim ?value } }""")
    assert not ask("""ASK { ?obs qb:dataSet ?ds . ?ds qb:structure/qb:sliceKey ?key
                           FILTER NOT EXISTS { ?slice qb:observation ?obs ; qb:sliceStructure ?key . ?ds qb:slice ?slice } }""")


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_counting_in_parts_counts_what_counting_at_once_does(tmp_path, chunk):
    """A recount reads the store's events in parts (memory: one part's facts at a time). Counts add up over
    events; a statement two events share (irregular: counted from the statements) must be found across parts."""
    store = Store.open(tmp_path / "store")
    ingest_paths(store, write_cards(tmp_path / "c", {n: random_card(random.Random(11), n) for n in range(9)}))
    base = store.base
    sse = "https://w3id.org/ssekg/ontology#"
    first = sorted(cube.all_events(store))[0]
    statement = f"<{base}challenge/hand-shared-1>"
    body = (f"<{base}event/zz-hand> <{sse}hostCountry> <{base}country/TN> .\n"
            f"<{base}event/zz-hand> <{sse}challenge> {statement} .\n"
            f"{first} <{sse}proposal> {statement} .\n"
            f"{statement} <{sse}category> <{base}concept/challenge/digitalisation> .\n")
    store.replace_graphs_nt({f"{base}graph/hand": body}, maintain=False)
    at_once = cube.count(cube.read_facts(store))
    assert at_once.irregular == 2  # the two events of the shared statement, far apart in IRI order
    parts = cube.count_events(store, chunk=chunk)
    assert (parts.real_events, parts.irregular) == (at_once.real_events, at_once.irregular)
    assert {k: dict(v) for k, v in parts.cells.items() if any(v.values())} == \
        {k: dict(v) for k, v in at_once.cells.items() if any(v.values())}
