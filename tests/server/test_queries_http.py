"""Named queries over HTTP (/queries, /queries/NAME): formats, parameters as values, errors, CORS, limits.

A live `ssekg serve` on the fixture corpus (tests/fixtures/corpus, see tests/test_queries.py for its content), read
with pandas and requests; the in-process app for the limits (max_rows, query_timeout) and escaping.
"""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path

import pytest

from ssekg.query import named_queries

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
B = "https://w3id.org/ssekg/id/"
HOSTILE = '"} ; DROP ALL #'
MATRIX_COLUMNS = ["country", "countryLabel", "category", "categoryLabel", "statements", "events"]
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

requests = pytest.importorskip("requests")


def ingest_corpus(path: Path) -> None:
    from ssekg.ingest.pipeline import ingest_paths
    from ssekg.store import Store

    store = Store.open(path)
    outcomes = ingest_paths(store, [CORPUS])
    assert all(o.accepted for o in outcomes) and len(outcomes) == 5
    store.close()
    del store
    gc.collect()


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    from .conftest import TOKEN, LiveServer

    store = tmp_path_factory.mktemp("corpus-http") / "store"
    ingest_corpus(store)
    server = LiveServer(store, update_token=TOKEN, query_timeout=10, max_rows=1000)
    yield server
    server.stop()


def get(server, path, **kwargs):
    return requests.get(server.url + path, timeout=30, **kwargs)


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# -- the acceptance test: pandas reads the CSV ------------------------------------------------------------------
@pytest.mark.slow
def test_pandas_reads_the_matrix_csv(corpus_server):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(corpus_server.url + "/queries/challenges-by-country.csv?dimension=host")
    assert list(df.columns) == MATRIX_COLUMNS
    assert str(df["statements"].dtype) == "int64" and str(df["events"].dtype) == "int64"
    got = [(short(r.country), short(r.category), r.statements, r.events) for r in df.itertuples()]
    assert got == [
        ("MA", "access-to-finance", 2, 2), ("MA", "legal-and-policy-framework", 1, 1), ("MA", "market-access", 1, 1),
        ("ML", "access-to-finance", 1, 1), ("ML", "gender-and-youth-inclusion", 1, 1),
        ("SN", "access-to-finance", 2, 1), ("SN", "digitalisation", 1, 1), ("SN", "financial-sustainability", 1, 1),
        ("TN", "legal-and-policy-framework", 1, 1), ("TN", "market-access", 1, 1),
    ]
    assert df.loc[0, "countryLabel"] == "Morocco" and df.loc[0, "categoryLabel"] == "access to finance"
    # the same through curl-like plain GET: a CSV file, named after the query
    r = get(corpus_server, "/queries/challenges-by-country.csv", params={"dimension": "host"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="challenges-by-country.csv"' in r.headers["Content-Disposition"]
    assert r.text.splitlines()[0] == ",".join(MATRIX_COLUMNS)
    assert r.headers["X-SSEKG-Rows"] == "10"


@pytest.mark.slow
def test_parameters_filters_and_languages(corpus_server):
    pd = pytest.importorskip("pandas")
    speaker = pd.read_csv(corpus_server.url + "/queries/proposals-by-country.csv?dimension=speaker&lang=fr")
    assert speaker.loc[0, "countryLabel"] == "Belgique"
    assert int(speaker.loc[speaker["country"] == B + "country/SN", "statements"].iloc[0]) == 3
    forums = pd.read_csv(corpus_server.url + "/queries/challenges-by-country.csv?eventType=forum")
    assert {short(c) for c in forums["country"]} == {"MA"} and forums["statements"].sum() == 4
    until_2024 = pd.read_csv(corpus_server.url + "/queries/country-pairs.csv?to=2024&lang=ar")
    assert [(short(a), short(b)) for a, b in zip(until_2024["country1"], until_2024["country2"])] == [
        ("BE", "ML"), ("BE", "SN"), ("ML", "SN")
    ]
    assert "مالي" in set(until_2024["country2Label"])
    cell = get(corpus_server, "/queries/statements-in-cell.json", params={
        "country": "Sénégal", "category": "innovative-finance", "kind": "proposal", "dimension": "speaker", "from": "2025"})
    data = cell.json()
    assert data["head"]["vars"] == ["statement", "text", "event", "eventLabel", "date", "speaker", "speakerLabel", "report", "url",
                                  "statementConfidence", "sentence"]
    assert [b["date"]["value"] for b in data["results"]["bindings"]] == ["2025-06-05", "2025-09"]


# -- formats ----------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("how,mime", [
    ({"headers": {"Accept": "text/csv"}}, "text/csv"),
    ({"headers": {"Accept": "text/tab-separated-values"}}, "text/tab-separated-values"),
    ({"headers": {"Accept": "application/sparql-results+json"}}, "application/sparql-results+json"),
    ({"headers": {"Accept": "application/sparql-results+xml"}}, "application/sparql-results+xml"),
    ({"headers": {"Accept": "application/json"}}, "application/sparql-results+json"),
    ({}, "application/sparql-results+json"),
    ({"params": {"format": "tsv"}}, "text/tab-separated-values"),
    ({"params": {"format": "xml"}}, "application/sparql-results+xml"),
    ({"headers": HTML}, "text/html"),
])
def test_content_negotiation(corpus_server, how, mime):
    r = get(corpus_server, "/queries/country-pairs", **how)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == mime
    assert "Accept" in r.headers.get("Vary", "")
    if mime == "text/html":
        assert '<table id="result">' in r.text and "Morocco" in r.text
    elif mime == "application/sparql-results+json":
        assert r.json()["head"]["vars"] == ["country1", "country1Label", "country2", "country2Label", "events"]
    elif mime == "text/tab-separated-values":
        assert r.text.splitlines()[0] == "?country1\t?country1Label\t?country2\t?country2Label\t?events"
    elif mime == "text/csv":
        assert r.text.splitlines()[0] == "country1,country1Label,country2,country2Label,events"


@pytest.mark.slow
@pytest.mark.parametrize("suffix,mime", [(".csv", "text/csv"), (".tsv", "text/tab-separated-values"),
                                         (".json", "application/sparql-results+json"),
                                         (".xml", "application/sparql-results+xml"), (".html", "text/html")])
def test_suffixes_win_over_accept(corpus_server, suffix, mime):
    r = get(corpus_server, "/queries/event-countries" + suffix, headers={"Accept": "application/xml;q=0.1"})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == mime
    # the parameter column (lang) is dropped: the columns are the documented ones
    if suffix in (".csv", ".tsv"):
        assert r.text.splitlines()[0].replace("?", "").split("," if suffix == ".csv" else "\t") == [
            "event", "eventLabel", "country", "countryLabel"]
    elif suffix == ".json":
        assert r.json()["head"]["vars"] == ["event", "eventLabel", "country", "countryLabel"]
    elif suffix == ".xml":
        assert '<variable name="lang"' not in r.text and '<variable name="countryLabel"' in r.text
    else:
        assert "<th scope=\"col\">lang</th>" not in r.text and "<th scope=\"col\">countryLabel</th>" in r.text


@pytest.mark.slow
def test_nothing_acceptable_and_unknown_names(corpus_server):
    r = get(corpus_server, "/queries/country-pairs", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/csv" in r.text
    r = get(corpus_server, "/queries/no-such-query.csv")
    assert r.status_code == 404 and "challenges-by-country" in r.text
    assert get(corpus_server, "/queries/country-pairs.exe").status_code == 404


# -- the list of queries ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_list_of_queries(corpus_server):
    r = get(corpus_server, "/queries")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    queries = {q["name"]: q for q in r.json()["queries"]}
    assert set(queries) == set(named_queries())
    matrix = queries["challenges-by-country"]
    assert matrix["title"] == "Challenges per category and country" and matrix["description"]
    assert [p["name"] for p in matrix["params"]] == ["dimension", "from", "to", "eventType", "minConfidence", "curated", "lang", "examples"]
    assert matrix["params"][0] == {"name": "dimension", "type": "string", "default": "host", "scheme": None, "values": ["host", "speaker"],
                                   "required": False, "description": matrix["params"][0]["description"]}
    assert matrix["params"][3]["type"] == "concept" and matrix["params"][3]["scheme"] == "event-type"
    assert matrix["columns"] == MATRIX_COLUMNS
    assert matrix["csv"] == corpus_server.url + "/queries/challenges-by-country.csv"
    page = get(corpus_server, "/queries", headers=HTML)
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'id="q-statements-in-cell"' in page.text and "eventType" in page.text
    assert get(corpus_server, "/queries.json").json() == r.json()


# -- parameters are values; errors say why -------------------------------------------------------------------------
@pytest.mark.slow
def test_unknown_parameter_and_bad_values_are_400(corpus_server):
    r = get(corpus_server, "/queries/challenges-by-country.csv", params={"dimensions": "host"})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert "dimensions" in r.text and "dimension, from, to, eventType, minConfidence, curated, lang" in r.text
    r = get(corpus_server, "/queries/challenges-by-country.csv", params={"from": "2025; DROP"})
    assert r.status_code == 400 and "from must be an integer" in r.text
    r = get(corpus_server, "/queries/statements-in-cell", params={"country": "SN", "category": "x", "kind": ["a", "b"]})
    assert r.status_code == 400 and "once" in r.text
    r = get(corpus_server, "/queries/challenges-by-country.csv", params={"curated": "yes"})
    assert r.status_code == 400 and "curated must be one of any, only" in r.text


def _dump(server) -> bytes:
    r = get(server, "/sparql", params={"query": "SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o",
                                       "format": "csv"})
    assert r.status_code == 200
    return r.content


@pytest.mark.slow
def test_sparql_in_a_parameter_is_only_a_value(corpus_server):
    before = _dump(corpus_server)
    tried = 0
    for name, named in named_queries().items():
        for param in named.params:
            if param.type in ("integer", "decimal", "date"):
                r = get(corpus_server, f"/queries/{name}.json", params={param.name: HOSTILE})
                assert r.status_code == 400 and param.name in r.text
                continue
            other = {p.name: "MA" for p in named.params if p.type == "country" and p.name != param.name}
            if param.type in ("country", "concept"):  # names no country or category: 400 with what to give
                r = get(corpus_server, f"/queries/{name}.json", params={**other, param.name: HOSTILE})
                assert r.status_code == 400 and param.name in r.text and "not a" in r.text
                continue
            if param.values is not None:  # a string of a few choices: 400 naming them
                r = get(corpus_server, f"/queries/{name}.json", params={**other, param.name: HOSTILE})
                assert r.status_code == 400 and "must be one of" in r.text
                continue
            unknown = "zz" if param.name == "lang" else "no-such-value"
            hostile = get(corpus_server, f"/queries/{name}.json", params={**other, param.name: HOSTILE})
            plain = get(corpus_server, f"/queries/{name}.json", params={**other, param.name: unknown})
            assert hostile.status_code == plain.status_code == 200, (name, param.name, hostile.text)
            assert hostile.json() == plain.json(), (name, param.name)
            tried += 1
    assert tried >= 8
    # the acceptance case, as curl would send it
    r = get(corpus_server, "/queries/challenges-by-country.csv?lang=%22%7D%20%3B%20DROP%20ALL%20%23")
    assert r.status_code == 200 and len(r.text.splitlines()) > 1  # labels of no language: any label is shown
    r = get(corpus_server, "/queries/challenges-by-country.csv?dimension=%22%7D%20%3B%20DROP%20ALL%20%23")
    assert r.status_code == 400 and "dimension must be one of host, speaker" in r.text
    assert _dump(corpus_server) == before


# -- operations: CORS like the other read-only routes ------------------------------------------------------------
@pytest.mark.slow
def test_cors(corpus_server):
    r = get(corpus_server, "/queries/country-pairs.csv", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SSEKG-Rows" in r.headers["Access-Control-Expose-Headers"]
    pre = requests.options(corpus_server.url + "/queries/country-pairs", timeout=10, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert get(corpus_server, "/queries").headers["Access-Control-Allow-Origin"] == "*"


# -- limits: the same executor as /sparql (in-process app on the example report) --------------------------------------
def test_row_limit_applies(app_factory):
    client = app_factory(example=True, max_rows=2).test_client()
    r = client.get("/queries/event-countries.csv")
    assert r.status_code == 200
    assert r.headers["X-SSEKG-Truncated"] == "true; max_rows=2" and r.headers["X-SSEKG-Rows"] == "2"
    assert len(r.data.decode().strip().splitlines()) == 3  # header + 2 rows


def test_time_limit_applies(app_factory):
    client = app_factory(example=True, query_timeout=0.000001).test_client()
    r = client.get("/queries/event-countries.csv")
    assert r.status_code == 503 and "time limit" in r.data.decode()
    metrics = client.get("/metrics").data.decode()
    assert "ssekg_sparql_query_timeouts_total 1" in metrics


def test_html_table_escapes_data(app_factory, token):
    app = app_factory(example=True, update_token=token)
    client = app.test_client()
    data = (f'<{B}event/xss> a <https://w3id.org/ssekg/ontology#Event> ; '
            f'<http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>"@en ; '
            f'<https://w3id.org/ssekg/ontology#participatingCountry> <{B}country/SN> .')
    r = client.put("/store", query_string={"graph": "http://ex/xss"}, data=data.encode(),
                   headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"})
    assert r.status_code in (201, 204)
    page = client.get("/queries/event-countries", headers=HTML).data.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'href="/id/event/xss"' in page


# -- the comparison cube (ssekg.cube) ----------------------------------------------------------------------------
def statements_answer(server, name: str, params: dict[str, str]) -> list[str]:
    """The named query's own text (counted from the statements), sent to /sparql, without its parameter columns."""
    from ssekg.namespaces import sparql_prologue
    from ssekg.query import bind_params
    from ssekg.binding import bind_values

    named = named_queries()[name]
    text = sparql_prologue(B) + bind_values(named.text, bind_params(named, params, B))
    r = requests.post(server.url + "/sparql", data={"query": text},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text
    hidden = {p.name for p in named.params}
    return sorted(json.dumps({k: v for k, v in b.items() if k not in hidden}, sort_keys=True)
                  for b in r.json()["results"]["bindings"])


def page_answer(server, name: str, params: dict[str, str]) -> tuple[list[str], str]:
    r = get(server, f"/queries/{name}.json", params=params)
    assert r.status_code == 200, r.text
    return (sorted(json.dumps(b, sort_keys=True) for b in r.json()["results"]["bindings"]),
            r.headers["X-SSEKG-Counted-From"])


@pytest.mark.slow
def test_the_page_queries_are_counted_from_the_cube_and_kept_by_every_write(tmp_path):
    from .conftest import TOKEN, LiveServer

    store = tmp_path / "store"
    ingest_corpus(store)
    server = LiveServer(store, update_token=TOKEN, query_timeout=10)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    views = [("challenges-by-country", {}), ("proposals-by-country", {"dimension": "speaker"}),
             ("statement-coverage", {"kind": "challenge"}), ("country-pairs", {"from": "2024"}),
             ("challenges-by-country", {"eventType": "forum"})]
    try:
        def agree(step: str) -> None:
            for name, params in views:
                rows, source = page_answer(server, name, params)
                assert source == "cube", f"{step}: {name} {params} was counted from the {source}"
                assert rows == statements_answer(server, name, params), f"{step}: {name} {params}"

        agree("as ingested")
        before = page_answer(server, "challenges-by-country", {})[0]
        # a report through POST /ingest
        card = CORPUS / "r2-dakar-finance-fr.yaml"
        text = card.read_text(encoding="utf-8").replace("Journées ouest-africaines", "Journées nord-africaines")
        text = text.replace("https://example.org/fixture/dakar-finance", "https://example.org/fixture/dakar-finance-2")
        r = requests.post(server.url + "/ingest", params={"filename": "again.yaml"}, data=text.encode("utf-8"),
                          headers=auth, timeout=60)
        assert r.status_code in (200, 201), r.text
        agree("after POST /ingest")
        assert page_answer(server, "challenges-by-country", {})[0] != before, "the new report's challenges count"
        # a SPARQL Update through the endpoint: the cube is counted again after it
        update = (f"PREFIX sse: <https://w3id.org/ssekg/ontology#> INSERT DATA {{ GRAPH <{B}graph/hand> {{ "
                  f"<{B}event/hand-1> a sse:Event ; sse:hostCountry <{B}country/TN> ; sse:challenge <{B}challenge/hand-1-1> . "
                  f"<{B}challenge/hand-1-1> sse:category <{B}concept/challenge/digitalisation> }} }}")
        r = requests.post(server.url + "/sparql", data={"update": update}, headers=auth, timeout=60)
        assert r.status_code == 204, r.text
        agree("after a SPARQL Update")
        rows, _ = page_answer(server, "challenges-by-country", {})
        assert any(f"{B}country/TN" in row and "digitalisation" in row for row in rows)
        # a refused update changed nothing: its marker goes, the cube stays as it was
        kept = page_answer(server, "challenges-by-country", {})
        r = requests.post(server.url + "/sparql", data={"update": "INSERT DATA { <x:s> <x:p> "}, headers=auth, timeout=60)
        assert r.status_code == 400
        assert page_answer(server, "challenges-by-country", {}) == kept
        # the cell filters the cube does not count together go to the statements, and say so
        assert page_answer(server, "challenges-by-country", {"from": "2024", "eventType": "forum"})[1] == "statements"
    finally:
        server.stop()
