"""The remote SPARQL store against a real OpenLink Virtuoso (Debian's virtuoso-opensource), started here on 127.0.0.1.

Writes go through /sparql-auth with HTTP Digest (dba), as a deployment with credentials would; the large reference
graphs through the Graph Store Protocol (/sparql-graph-crud-auth). Skipped, with the reason, when Virtuoso is not
installed (scripts/install-virtuoso.sh installs it).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from ssekg.ingest.pipeline import ingest_paths
from ssekg.namespaces import inferred_graph_iri, report_iri
from ssekg import cube
from ssekg.query import bind_params, cube_text, named_queries, run_query, text_for
from ssekg.binding import bind_values
from ssekg.remote import RemoteStore, RemoteStoreError, expand_escaped_names, remote_replace_update
from ssekg.store import Store
from support import EXAMPLES, QUERY_COMPARISON_IDS, QUERY_COMPARISONS as COMPARISONS, ROOT, solution_multiset
from virtuoso import DBA_PASSWORD, DBA_USER, find_virtuoso, start_virtuoso

pytestmark = pytest.mark.slow

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
PERSON = URIRef("https://w3id.org/ssekg/id/person/amina")
EVENT = URIRef("https://w3id.org/ssekg/id/event/aaaa-1")
SPEAKER = URIRef("https://w3id.org/ssekg/ontology#speaker")



# -- without a server ------------------------------------------------------------------------------------------------
def test_a_report_is_one_update_of_drops_and_one_insert_data():
    update = remote_replace_update({"http://x/r": [(PERSON, RDFS.label, Literal("a"))], "http://x/i": []})
    assert update.count("DROP SILENT GRAPH") == 2
    assert update.count("INSERT DATA") == 1
    assert "DELETE" not in update  # no materialised default graph on a remote store


def test_parameters_are_written_as_terms_where_the_variable_stands():
    query = (
        "SELECT ?x ?lang WHERE { { SELECT ?x ?lang WHERE { ?x ?p ?o FILTER(lang(?o) = ?lang) } } "
        "VALUES (?lang ?y) { ('en' 1) ('fr' 2) } } GROUP BY ?x ?lang ORDER BY ?lang # ?lang"
    )
    out = bind_values(query, {ox.Variable("lang"): ox.Literal('"} ; DROP ALL #')})
    term = str(ox.Literal('"} ; DROP ALL #'))
    assert out.startswith(f"SELECT ?x ({term} AS ?lang) WHERE {{ {{ SELECT ?x  WHERE")
    assert f"FILTER(lang(?o) = {term})" in out
    assert f"VALUES (?ssekg_bound_lang ?y) {{ ('en' 1) ('fr' 2) }} FILTER (sameTerm(?ssekg_bound_lang, {term}))" in out
    # a constant key is left out of a GROUP BY/ORDER BY that has another key, else written once
    assert out.endswith(f"GROUP BY ?x  ORDER BY ({term}) # ?lang")


def test_constant_keys_never_reach_virtuoso_as_numbers_or_twice():
    # Virtuoso reads a number in GROUP BY as a column position (SQ200), fails on two constant keys (SR477) and crashed
    # on GROUP BY (STR(c)) (STR(c)) (measured on 7.2.5)
    year = ox.Literal("2025", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    query = "SELECT ?from ?to (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?from ?to ORDER BY DESC(?n) ?from"
    out = bind_values(query, {ox.Variable("from"): year, ox.Variable("to"): year})
    assert out.endswith(f"GROUP BY (STR({year}))  ORDER BY DESC(?n) ")
    out = bind_values("SELECT ?x ?from WHERE { ?x ?p ?from } GROUP BY ?x ?from", {ox.Variable("from"): year})
    assert out.endswith("GROUP BY ?x ")


def test_a_parameter_not_given_is_no_subquery_column_and_no_group_key_beside_others():
    # Virtuoso 7.2 answered some events of statements-in-cell as iri_id_…_with_no_name_entry on 10,000 reports while
    # its subquery was grouped by the unbound optional parameters; unbound everywhere, they change no answer there
    query = (
        "# title: t\n# param: from (integer): optional: since\n# param: lang (string, default=en): labels\n"
        "SELECT ?x ?n ?from ?lang WHERE { { SELECT ?x ?from ?lang (COUNT(?o) AS ?n) WHERE { ?x ?p ?o "
        'FILTER (STR(COALESCE(?from, "")) = "" || ?o >= ?from) } GROUP BY ?x ?from ?lang } } '
        "GROUP BY ?x ?n ?from ?lang ORDER BY ?from"
    )
    out = bind_values(query, {ox.Variable("lang"): ox.Literal("en")})
    body = out.split("SELECT", 1)[1]
    assert body.startswith(' ?x ?n ?from ("en" AS ?lang) WHERE')  # the outer query keeps the column
    assert "{ SELECT ?x   (COUNT(?o) AS ?n)" in out and "GROUP BY ?x   }" in out
    # the outer query projects it, so its GROUP BY keeps it
    assert 'COALESCE(?from, "")' in out and out.endswith("GROUP BY ?x ?n ?from  ORDER BY ?from")
    # alone in its GROUP BY, it stays: no rows must still give no group
    alone = ("# param: from (integer): optional: since\n"
             "SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?from } GROUP BY ?from } }")
    assert bind_values(alone, {}) == alone
    # a query with no header declares nothing
    plain = "SELECT ?x WHERE { { SELECT ?x ?from WHERE { ?x ?p ?from } } } GROUP BY ?x ?from"
    assert bind_values(plain, {}) == plain


def test_escaped_prefixed_names_are_written_out_for_virtuoso():
    text = 'ASK { GRAPH ssed:graph\\/countries { ?s ?p "ssed:a\\/b" } }'
    assert expand_escaped_names(text, {"ssed": "https://w3id.org/ssekg/id/"}) == (
        'ASK { GRAPH <https://w3id.org/ssekg/id/graph/countries> { ?s ?p "ssed:a\\/b" } }'
    )


def test_credentials_are_checked_before_any_request():
    with pytest.raises(RemoteStoreError, match="endpoint_user"):
        RemoteStore("http://127.0.0.1:1/sparql", auth="digest")
    with pytest.raises(RemoteStoreError, match="endpoint_token"):
        RemoteStore("http://127.0.0.1:1/sparql", auth="bearer")
    assert "secret" not in repr(RemoteStore("http://127.0.0.1:1/sparql", user="u", password="secret"))


# -- against Virtuoso ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    if find_virtuoso() is None:
        pytest.skip("Virtuoso is not installed (virtuoso-t, isql-vt): run scripts/install-virtuoso.sh")
    instance = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield instance
    instance.stop()


def remote(virtuoso, **kwargs) -> RemoteStore:
    return RemoteStore(
        virtuoso.sparql_auth,
        auth="digest",
        user=DBA_USER,
        password=DBA_PASSWORD,
        graph_store=f"{virtuoso.url}/sparql-graph-crud-auth",
        **kwargs,
    )


@pytest.fixture
def store(virtuoso, request):
    """A remote store with a base of its own, so the tests do not see each other's graphs."""
    base = f"https://test.example/{request.node.name.replace('[', '-').replace(']', '')}/"
    st = remote(virtuoso, base=base)
    yield st
    for key in st.report_keys():
        st.drop_report(key)


def values(store, query: str) -> list[str]:
    return sorted(row[0].value for row in store.query(query))


def test_wrong_credentials_and_the_anonymous_endpoint_cannot_write(virtuoso):
    bad = RemoteStore(virtuoso.sparql_auth, auth="digest", user=DBA_USER, password="wrong")
    with pytest.raises(RemoteStoreError, match="refused the credentials"):
        bad.replace_graphs({"http://x/g": [(PERSON, RDFS.label, Literal("a"))]})
    anonymous = RemoteStore(virtuoso.sparql)
    with pytest.raises(RemoteStoreError):
        anonymous.replace_graphs({"http://x/g": [(PERSON, RDFS.label, Literal("a"))]})
    assert not remote(virtuoso).has_graph("http://x/g")


def test_a_fact_two_reports_share_is_seen_once_per_graph_and_counted_once_with_distinct(store):
    shared = (PERSON, RDFS.label, Literal("Amina", lang="fr"))
    store.replace_report("aaaa", [shared, (EVENT, SPEAKER, PERSON)], [])
    store.replace_report("bbbb", [shared], [])
    person = f"<{PERSON}>"
    # Virtuoso's default graph is the union of all graphs *with* repetitions (what measured.md warns of) …
    assert len(list(store.query(f"SELECT ?o WHERE {{ {person} ?p ?o }}"))) == 2
    # … so the named queries use DISTINCT / COUNT(DISTINCT), and stats counts distinct triples.
    assert len(list(store.query(f"SELECT DISTINCT ?o WHERE {{ {person} ?p ?o }}"))) == 1
    assert store.stats() == {"triples": 2, "reports": 2, "graphs": 2}
    graphs = values(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p 'Amina'@fr } }")
    assert graphs == [report_iri(store.base, "aaaa"), report_iri(store.base, "bbbb")]


def test_replace_and_drop_a_report(store):
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("old"))], [(PERSON, RDFS.comment, Literal("x"))])
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("new"))], [])
    assert [o for _, _, o in store.graph_triples(report_iri(store.base, "aaaa"))] == [Literal("new")]
    assert not store.has_graph(inferred_graph_iri(store.base, "aaaa"))
    assert store.report_keys() == ["aaaa"]
    assert store.drop_report("aaaa")
    assert not store.drop_report("aaaa")
    assert store.report_keys() == []


def test_replacing_a_report_is_one_http_request(store, monkeypatch):
    calls = []
    original = store._open
    monkeypatch.setattr(store, "_open", lambda request: calls.append(
        (request.get_method(), request.get_header("Content-type"))) or original(request))
    asserted = [(URIRef(f"https://x.example/s{i}"), RDFS.label, Literal(f"v{i}")) for i in range(300)]
    inferred = [(URIRef(f"https://x.example/s{i}"), RDFS.comment, Literal(f"i{i}")) for i in range(200)]
    store.replace_report("aaaa", asserted, inferred)
    # one update (the report whole or not at all); besides it, only the question whether the store has a
    # comparison cube to keep (it has none here)
    updates = [c for c in calls if c[1].startswith("application/sparql-update")]
    assert len(updates) == 1 and len(calls) - len(updates) <= 1


def test_readers_see_the_old_report_or_the_new_one_never_half(store):
    def report(tag: str, n: int):
        return [(URIRef(f"https://x.example/s{i}"), RDFS.label, Literal(f"{tag}{i}")) for i in range(n)]

    store.replace_report("aaaa", report("a", 600), report("i", 300))
    seen: set[int] = set()
    stop = threading.Event()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), %s)) }" % ox.Literal(
        store.base
    )

    def reader():
        while not stop.is_set():
            seen.add(int(next(iter(store.query(count)))[0].value))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for k in range(8):
            store.replace_report("aaaa", report("b" if k % 2 else "a", 400 if k % 2 else 600), report("i", 300))
    finally:
        stop.set()
        thread.join()
    # Never empty, never half: each count is the old report's or the new one's. Measured on Virtuoso 7.2.5: a reader
    # under its READ COMMITTED sometimes counts one triple more (701, 901) while a replacement commits; that row-level
    # anomaly is Virtuoso's, documented in docs/remote-stores.md, and is tolerated here (and only it).
    assert all(n in (700, 701, 900, 901) for n in seen), seen


HOSTILE = [
    '"} ; DROP ALL ; INSERT DATA { <a> <b> <c> } #',
    "\\u0022 } ; CLEAR ALL #",
    "back\\slash \\n not a newline",
    "line\nbreak\r\ttab \u202e rtl",
    "'''\"\"\"",
    "non-BMP 😀 𝔸 and a trailing space ",
    "مؤتمر الاقتصاد الاجتماعي والتضامني",
    "nul \x00 inside",
]


def test_a_graph_past_virtuosos_sorted_page_limit_is_read_whole(store):
    """Virtuoso refuses to sort past offset + limit = 10,000 rows (SR353): a graph of 25,000 triples (a cube, the
    city gazetteer) is still read whole, each triple once, for the dump, the export and the Graph Store Protocol."""
    graph = f"{store.base}graph/large-test"
    triples = {(URIRef(f"{store.base}thing/{i // 3}"), RDFS.label, Literal(f"label {i}")) for i in range(25_000)}
    store.replace_graphs({graph: triples})
    try:
        got = set(store.graph_triples(graph))
        assert len(got) == 25_000 and got == {(s, p, o) for s, p, o in triples}
    finally:
        store.replace_graphs({graph: []})


def test_hostile_literals_round_trip_exactly(store):
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("keep"))], [])
    triples = [(PERSON, RDFS.comment, Literal(h, lang="ar" if i % 2 else None)) for i, h in enumerate(HOSTILE)]
    store.replace_report("bbbb", triples, [])
    got = sorted((o.value, o.language) for o in (r["o"] for r in store.query(
        f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), {ox.Literal(store.base)})) }}")))
    want = sorted([("keep", None)] + [(h, "ar" if i % 2 else None) for i, h in enumerate(HOSTILE)])
    assert got == want
    assert sorted(store.graph_triples(report_iri(store.base, "bbbb"))) == sorted(triples)
    # a hostile value bound as a parameter is only a value
    rows = store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?v } }", substitutions={ox.Variable("v"): ox.Literal(HOSTILE[0])})
    assert [r["s"].value for r in rows] == [str(PERSON)]


# -- the fixture corpus on both stores ---------------------------------------------------------------------------------
def corpus_paths() -> list[Path]:
    return [p for p in (EXAMPLES, CORPUS) if p.is_dir()]


@pytest.fixture(scope="module")
def both(virtuoso):
    base = "https://w3id.org/ssekg/id/"
    embedded = Store.memory(base)
    outcomes = ingest_paths(embedded, corpus_paths())
    accepted = sum(o.accepted for o in outcomes)
    assert accepted >= 4
    st = remote(virtuoso, base=base)
    remote_outcomes = ingest_paths(st, corpus_paths())
    assert [(o.source, o.accepted, o.key) for o in remote_outcomes] == [(o.source, o.accepted, o.key) for o in outcomes]
    return embedded, st


def answers(store, name: str, params: dict[str, str] | None = None):
    named = named_queries()[name]
    result = run_query(store, named.text, bind_params(named, dict(params or {}), store.base))
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    # Virtuoso's plain literals come back as xsd:string, as RDF 1.1 says and as the embedded store gives them
    return solution_multiset(result)


@pytest.mark.parametrize(
    ("name", "params"), COMPARISONS, ids=QUERY_COMPARISON_IDS
)
def test_every_named_query_gives_the_same_answers_as_the_embedded_store(both, name, params):
    """Same rows (as multisets of RDF terms) from every named query on both back ends, with and without parameters."""
    embedded, st = both
    expected = answers(embedded, name, params)
    assert answers(st, name, params) == expected


CUBED = [(n, p) for n, p in COMPARISONS if cube_text(named_queries()[n], bind_params(named_queries()[n], p)) is not None]


@pytest.mark.parametrize(("name", "params"), CUBED, ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}"
                                                       for n, p in CUBED])
def test_the_comparison_cube_on_virtuoso_answers_what_the_statements_do(both, name, params):
    """The cube the ingest counted on Virtuoso answers as the statements do on the embedded store (ssekg.cube)."""
    embedded, st = both
    named = named_queries()[name]
    bindings = bind_params(named, dict(params), st.base)
    text, source = text_for(st, named, bindings)
    assert source == "cube"
    assert solution_multiset(run_query(st, text, bindings)) == answers(embedded, name, params)


def test_the_cube_on_virtuoso_is_the_embedded_stores_and_writes_keep_it(both):
    embedded, st = both
    graph = cube.cube_graph(st.base).value
    assert set(st.graph_quads(graph)) == {q for q in embedded.named_quads() if q.graph_name.value == graph}
    key = st.report_keys()[0]
    kept = set(st.graph_quads(graph))
    triples = list(st.graph_triples(report_iri(st.base, key)))
    inferred = list(st.graph_triples(inferred_graph_iri(st.base, key)))
    assert st.drop_report(key)
    assert cube.status(st).usable and set(st.graph_quads(graph)) != kept
    dropped = set(st.graph_quads(graph))
    cube.rebuild(st)
    assert set(st.graph_quads(graph)) == dropped, "the cube the drop kept is a recount's"
    st.replace_report(key, triples, inferred)
    assert set(st.graph_quads(graph)) == kept


def test_the_comparison_is_not_vacuous(both):
    embedded, _ = both
    empty = [(n, p) for n, p in COMPARISONS if not n.startswith("check-") and not answers(embedded, n, p)]
    # the parameter sets that name nothing (and country-profile without countries) are meant to be empty
    assert all(
        "AQ" in p.values() or "summit" in p.values() or p.get("curated") == "only"
        or (n == "country-profile" and not p) for n, p in empty
    ), empty


def test_the_dataset_is_the_same_quads_on_both_stores(both):
    embedded, st = both
    assert set(st.named_quads()) == set(embedded.named_quads())
    assert st.report_keys() == embedded.report_keys()
    assert st.stats()["reports"] == embedded.stats()["reports"]


def test_reingesting_leaves_the_same_quads(both):
    _, st = both
    before = {key: sorted(map(str, st.graph_quads(report_iri(st.base, key)))) for key in st.report_keys()}
    inferred = {key: sorted(map(str, st.graph_quads(inferred_graph_iri(st.base, key)))) for key in st.report_keys()}
    ingest_paths(st, corpus_paths())
    assert {key: sorted(map(str, st.graph_quads(report_iri(st.base, key)))) for key in st.report_keys()} == before
    assert {key: sorted(map(str, st.graph_quads(inferred_graph_iri(st.base, key)))) for key in st.report_keys()} == inferred


def test_construct_and_ask_come_back_as_pyoxigraph_results(both):
    _, st = both
    triples = st.query("CONSTRUCT { ?e a sse:Event } WHERE { ?e a sse:Event }", prefixes={"sse": "https://w3id.org/ssekg/ontology#"})
    assert isinstance(triples, ox.QueryTriples)
    assert len(list(triples)) >= 4
    assert isinstance(st.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    with pytest.raises(SyntaxError):
        st.query("SELECT WHERE {")


def test_the_cli_ingests_and_counts_with_endpoint_and_credentials_from_the_environment(virtuoso, tmp_path):
    from click.testing import CliRunner

    from ssekg.cli import main

    env = {
        "SSEKG_ENDPOINT_AUTH": "digest",
        "SSEKG_ENDPOINT_USER": DBA_USER,
        "SSEKG_ENDPOINT_PASSWORD": DBA_PASSWORD,
        "SSEKG_ENDPOINT_GRAPH_STORE": f"{virtuoso.url}/sparql-graph-crud-auth",
        "SSEKG_BASE": "https://cli.example/id/",
    }
    runner = CliRunner()
    card = str(EXAMPLES / "casablanca-regional-workshop.yaml")
    result = runner.invoke(main, ["ingest", "-q", "--endpoint", virtuoso.sparql_auth, card], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["stats", "--endpoint", virtuoso.sparql_auth], env=env)
    assert result.exit_code == 0, result.output
    assert '"reports": 1' in result.output
    result = runner.invoke(main, ["query", "--endpoint", virtuoso.sparql_auth, "speakers", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
