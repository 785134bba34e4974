"""Ingest while serving: `ssekg ingest --server URL` prepares the reports here and sends them, many to a request, to
the running server, the store's one writer; the result is the store a local ingest makes, each report whole even
when the client or the server is killed mid-run; the server refuses whatever is not a batch of reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
from support import EXAMPLE_CARD, EXAMPLES, ROOT, free_port, stop, wait_for_address

SSEKG = str(Path(sys.executable).with_name("ssekg"))
TOKEN = "s3cret-for-tests"


@pytest.fixture
def server(tmp_path):
    # max_rows: the tests read whole graphs back (the comparison cube of 120 reports passes the default 100,000)
    env = {**os.environ, "SSEKG_UPDATE_TOKEN": TOKEN, "SSEKG_MAX_ROWS": "2000000"}
    proc = subprocess.Popen(
        [SSEKG, "serve", "--store", str(tmp_path / "store"), "--port", str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    )
    try:
        yield wait_for_address(proc, 60), tmp_path / "store"
    finally:
        stop(proc)


def ingest(url: str, *paths: str, token: str | None = TOKEN) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSEKG_UPDATE_TOKEN"}
    if token:
        env["SSEKG_UPDATE_TOKEN"] = token
    return subprocess.run([SSEKG, "ingest", "-v", "--server", url, *paths], capture_output=True, text=True, env=env, timeout=300, check=False)


def participating(url: str) -> set[str]:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery("PREFIX sse: <https://w3id.org/ssekg/ontology#> SELECT DISTINCT ?c WHERE { ?e sse:participatingCountry ?c }")
    sparql.setReturnFormat(JSON)
    return {b["c"]["value"].rsplit("/", 1)[1] for b in sparql.queryAndConvert()["results"]["bindings"]}


def test_reports_sent_to_a_running_server_are_queryable_at_once(server, tmp_path):
    url, store = server
    assert participating(url) == set()
    local = subprocess.run([SSEKG, "ingest", "--store", str(store), str(EXAMPLE_CARD)], capture_output=True, text=True,
                           check=False)
    assert local.returncode == 2 and "ingest --server" in local.stderr  # the server holds the store; we are told what to do
    result = ingest(url, str(EXAMPLE_CARD))
    assert result.returncode == 0, result.stderr
    assert "[1/1] ok" in result.stderr and "report/b58c0e223362c3bb" in result.stderr
    assert participating(url) == {"SN", "BF", "BE", "PS"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("card: 1\nreport: {language: en}\nevents: [{title: X, participating_countries: [Atlantis]}]\n")
    result = ingest(url, str(bad), str(EXAMPLES))
    assert result.returncode == 1
    assert f"rejected {bad}" in result.stderr and "Atlantis" in result.stderr
    assert "5 read, 4 accepted, 1 rejected" in result.stderr
    assert {"TN", "ML", "JO"} <= participating(url)


def test_without_the_token_the_server_refuses_and_nothing_changes(server):
    url, _ = server
    result = ingest(url, str(EXAMPLE_CARD), token=None)
    assert result.returncode == 2 and "update_token" in result.stderr and "Traceback" not in result.stderr
    assert participating(url) == set()


# -- many reports a request (issue 15): prepared here, written in bulk by the server ----------------------------------
REPORT_GRAPHS = ("FILTER (STRSTARTS(STR(?g), 'https://w3id.org/ssekg/id/report/') "
                 "|| STRSTARTS(STR(?g), 'https://w3id.org/ssekg/id/graph/inferred/'))")


def named_quads(url: str, graph: str | None = None) -> set[tuple[str, str, str, str]]:
    """Every quad of the reports' graphs (or of ``graph``), as the server's SPARQL endpoint gives them."""
    sparql = SPARQLWrapper(f"{url}/sparql")
    where = f"FILTER (?g = <{graph}>)" if graph else REPORT_GRAPHS
    sparql.setQuery("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } " + where + " }")
    sparql.setReturnFormat(JSON)
    rows = sparql.queryAndConvert()["results"]["bindings"]
    return {tuple(json.dumps(b[v], sort_keys=True) for v in ("g", "s", "p", "o")) for b in rows}


def local_quads(store_dir: Path, graph: str | None = None) -> set[tuple[str, str, str, str]]:
    from ssekg.store import Store

    store = Store.open(store_dir)
    try:
        where = f"FILTER (?g = <{graph}>)" if graph else REPORT_GRAPHS
        rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } " + where + " }")
        out = set()
        for r in rows:
            cells = []
            for v in ("g", "s", "p", "o"):
                t = r[v]
                cell = {"type": "uri", "value": t.value} if isinstance(t, ox.NamedNode) else (
                    {"type": "bnode", "value": t.value} if isinstance(t, ox.BlankNode) else _literal_json(t))
                cells.append(json.dumps(cell, sort_keys=True))
            out.add(tuple(cells))
        return out
    finally:
        store.close()


def _literal_json(t) -> dict:
    cell = {"type": "literal", "value": t.value}
    if t.language:
        cell["xml:lang"] = t.language
    elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        cell["datatype"] = t.datatype.value
    return cell


def report_graph_sizes(url: str) -> dict[str, int]:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setTimeout(120)  # a server that stopped answering fails the test instead of holding it
    sparql.setQuery("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    sparql.setReturnFormat(JSON)
    return {b["g"]["value"]: int(b["n"]["value"]) for b in sparql.queryAndConvert()["results"]["bindings"]}


def test_a_corpus_through_the_server_is_the_corpus_ingested_here(server, tmp_path):
    from support import generated_cards

    url, _ = server
    cards = generated_cards(tmp_path / "gen", 120, seed=7)
    result = ingest(url, str(cards))
    assert result.returncode == 0, result.stderr
    assert "120 read, 120 accepted, 0 rejected" in result.stderr
    local = subprocess.run([SSEKG, "ingest", "-q", "--store", str(tmp_path / "local"), str(cards)],
                           capture_output=True, text=True, timeout=300, check=False)
    assert local.returncode == 0, local.stderr
    served, here = named_quads(url), local_quads(tmp_path / "local")
    assert len(served) > 120 * 20 and served == here
    # the comparison cube: brought up to date once the client's batches stopped coming, the same as here
    deadline = time.time() + 30
    while True:
        response = urllib.request.urlopen(f"{url}/queries/challenges-by-country.json", timeout=30)
        if response.headers["X-SSEKG-Counted-From"] == "cube":
            break
        assert time.time() < deadline, "the cube was not brought up to date after the batches"
        time.sleep(0.5)
    cube_graph = "https://w3id.org/ssekg/id/graph/cube"
    served_cube, local_cube = named_quads(url, cube_graph), local_quads(tmp_path / "local", cube_graph)
    assert served_cube == local_cube, (sorted(served_cube - local_cube)[:5], sorted(local_cube - served_cube)[:5])


def test_reports_read_from_texts_through_the_server_can_be_reviewed_there(tmp_path):
    curator = "dana-token-0123456789"
    env = {**os.environ, "SSEKG_UPDATE_TOKEN": TOKEN, "SSEKG_CURATORS": f"dana={curator}"}
    proc = subprocess.Popen([SSEKG, "serve", "--store", str(tmp_path / "store"), "--port", str(free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        url = wait_for_address(proc, 60)
        texts = [str(ROOT / "tests" / "corpus" / lang / f"{lang}01.txt") for lang in ("ar", "fr", "en")]
        result = ingest(url, *texts)
        assert result.returncode == 0, result.stderr
        queue = requests.get(f"{url}/review?status=all", headers={"Authorization": f"Bearer {curator}"}, timeout=30)
        assert queue.status_code == 200 and queue.text.count("<tr data-key=") == 3
        assert len(list((tmp_path / "store" / "review").glob("??/*/0.json"))) == 3
        # a curator saves one; sending the texts again leaves that one as the curator saved it
        auth = {"Authorization": f"Bearer {curator}"}
        key = queue.text.split('<tr data-key="', 1)[1][:16]
        events = requests.get(f"{url}/review/{key}?format=json", headers=auth, timeout=30).json()["events"]
        assert requests.put(f"{url}/review/{key}", json={"revision": 0, "events": events}, headers=auth,
                            timeout=60).status_code == 200
        again = ingest(url, *texts)
        assert again.returncode == 1 and "3 read, 2 accepted, 1 rejected" in again.stderr
        assert f"report {key} holds revision 1, corrected by curators" in again.stderr
        assert requests.get(f"{url}/review/{key}?format=json", headers=auth, timeout=30).json()["revision"] == 1
    finally:
        stop(proc)


def test_what_is_not_a_batch_of_reports_is_refused_and_nothing_changes(server):
    url, _ = server
    info = requests.get(f"{url}/ingest/batch", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).json()
    assert set(info) == {"base", "reference", "version", "max_request_bytes", "max_batch_bytes"}
    base, ref = info["base"], info["reference"]
    key = "0123456789abcdef"
    good = f'<{base}event/{key}-1> <http://www.w3.org/2000/01/rdf-schema#label> "x" <{base}report/{key}> .\n'

    def post(quads: str, cards: str | None = None, reference: str = ref, token: str | None = TOKEN):
        files = {"quads": ("b.nq", quads.encode(), "application/n-quads")}
        if cards is not None:
            files["cards"] = ("cards.json", cards.encode(), "application/json")
        headers = {"X-SSEKG-Reference": reference, **({"Authorization": f"Bearer {token}"} if token else {})}
        return requests.post(f"{url}/ingest/batch", files=files, headers=headers, timeout=30)

    before = report_graph_sizes(url)
    cases = [
        (post(good, token=None), 401),
        (post(good, reference="another-version"), 409),
        (post(good.replace(f" <{base}report/{key}> .", " .")), 400),  # the default graph
        (post(good.replace(f"{base}report/{key}", f"{base}graph/ontology")), 400),  # a graph of the reference data
        (post(good.replace(f"{base}report/{key}", "http://elsewhere.example/g")), 400),
        (post(good.replace(f"{base}report/{key}", f"{base}graph/inferred/{key}")), 400),  # inferred, no report graph
        (post(good[:-10]), 400),  # broken N-Quads
        (post(good, cards='{"fedcba9876543210": {"card": 1}}'), 400),  # a card of no report of the batch
        (post(good, cards="[1, 2"), 400),
    ]
    import gzip

    bomb = {"quads": ("b.nq.gz", gzip.compress(b"#" * (info["max_batch_bytes"] + 10)), "application/gzip")}
    cases.append((requests.post(f"{url}/ingest/batch", files=bomb, timeout=60,
                                headers={"X-SSEKG-Reference": ref, "Authorization": f"Bearer {TOKEN}"}), 413))
    truncated = {"quads": ("b.nq.gz", gzip.compress(good.encode())[:-8], "application/gzip")}
    cases.append((requests.post(f"{url}/ingest/batch", files=truncated, timeout=60,
                                headers={"X-SSEKG-Reference": ref, "Authorization": f"Bearer {TOKEN}"}), 400))
    for response, status in cases:
        assert response.status_code == status, (status, response.text)
        assert "Traceback" not in response.text
    assert report_graph_sizes(url) == before
    ok = post(good)
    assert ok.status_code == 200 and ok.json()["reports"] == [
        {"key": key, "accepted": True, "reason": None, "asserted": 1, "inferred": 0}]


def _count_reports(url: str) -> int:
    try:
        sizes = report_graph_sizes(url)
    except (OSError, SPARQLWrapperException):  # the server is going down, or not up yet
        return -1
    return sum(1 for g in sizes if "/id/report/" in g)


def _expected_sizes(cards: Path, tmp_path: Path) -> dict[str, int]:
    local = subprocess.run([SSEKG, "ingest", "-q", "--store", str(tmp_path / "expected"), str(cards)],
                           capture_output=True, text=True, timeout=600, check=False)
    assert local.returncode == 0, local.stderr
    from ssekg.store import Store

    store = Store.open(tmp_path / "expected")
    try:
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"].value: int(r["n"].value) for r in rows}
    finally:
        store.close()


def _whole(sizes: dict[str, int], expected: dict[str, int]) -> list[str]:
    """The reports of the store that are not whole: a graph of theirs missing or not the size it is when ingested here."""
    broken = []
    for g, n in sizes.items():
        if "/id/report/" in g:
            key = g.rsplit("/", 1)[1]
            inferred = g.replace("/id/report/", "/id/graph/inferred/")
            if n != expected.get(g) or sizes.get(inferred, 0) != expected.get(inferred, 0):
                broken.append(key)
        elif "/id/graph/inferred/" in g and g.replace("/id/graph/inferred/", "/id/report/") not in sizes:
            broken.append(g)
    return broken


@pytest.mark.slow
def test_a_client_killed_mid_run_leaves_only_whole_reports(server, tmp_path):
    import signal
    import time

    from support import generated_cards

    url, _ = server
    cards = generated_cards(tmp_path / "gen", 600, seed=11)
    expected = _expected_sizes(cards, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "SSEKG_UPDATE_TOKEN"}
    env["SSEKG_UPDATE_TOKEN"] = TOKEN
    client = subprocess.Popen([SSEKG, "ingest", "-q", "--server", url, str(cards)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while _count_reports(url) < 1 and time.time() < deadline and client.poll() is None:
        time.sleep(0.05)
    os.killpg(client.pid, signal.SIGKILL)
    client.wait()
    sizes = report_graph_sizes(url)
    n = sum(1 for g in sizes if "/id/report/" in g)
    assert 0 < n < 600, n  # killed in the middle
    assert _whole(sizes, expected) == []


@pytest.mark.slow
def test_a_server_killed_mid_batch_leaves_only_whole_reports(tmp_path):
    import signal
    import time

    from support import generated_cards

    cards = generated_cards(tmp_path / "gen", 600, seed=12)
    expected = _expected_sizes(cards, tmp_path)
    env = {**os.environ, "SSEKG_UPDATE_TOKEN": TOKEN}
    port = free_port()
    command = [SSEKG, "serve", "--store", str(tmp_path / "store"), "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    url = wait_for_address(proc, 60)
    client = subprocess.Popen([SSEKG, "ingest", "-q", "--server", url, str(cards)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 300
    while _count_reports(url) < 1 and time.time() < deadline and client.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the server and its workers, in the middle of the run
    proc.wait()
    _, err = client.communicate(timeout=120)
    assert client.returncode != 0 and "cannot reach the server" in err and "Traceback" not in err
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    try:
        url = wait_for_address(proc, 60)
        sizes = report_graph_sizes(url)
        n = sum(1 for g in sizes if "/id/report/" in g)
        assert 0 < n < 600, n
        assert _whole(sizes, expected) == []
    finally:
        stop(proc)


def test_reports_larger_than_the_server_takes_are_rejected_one_by_one(tmp_path):
    from support import generated_cards

    cards = generated_cards(tmp_path / "gen", 10, seed=3)
    env = {**os.environ, "SSEKG_UPDATE_TOKEN": TOKEN, "SSEKG_MAX_REQUEST_BYTES": "2000"}
    proc = subprocess.Popen([SSEKG, "serve", "--store", str(tmp_path / "store"), "--port", str(free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        url = wait_for_address(proc, 60)
        result = ingest(url, str(cards))  # batches too large are halved until one report alone is too large
        assert result.returncode == 1, result.stderr
        assert "10 read, 0 accepted, 10 rejected" in result.stderr
        assert result.stderr.count("larger than the server takes") >= 10 and "Traceback" not in result.stderr
        assert _count_reports(url) == 0
    finally:
        stop(proc)


def test_a_write_right_after_a_clients_batches_is_counted_with_them(server, tmp_path):
    """The cube's update for a client's batches waits for the last one (ServerState.settle_cube_later); a write
    that comes first brings it up to date before its own (an event both touch would be counted twice)."""
    from support import generated_cards

    from ssekg.binding import bind_values
    from ssekg.namespaces import sparql_prologue
    from ssekg.query import bind_params, named_queries

    url, _ = server
    cards = generated_cards(tmp_path / "gen", 40, seed=11)
    assert ingest(url, str(cards)).returncode == 0
    r = requests.post(f"{url}/ingest", params={"filename": EXAMPLE_CARD.name}, data=EXAMPLE_CARD.read_bytes(),
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert r.status_code in (200, 201), r.text
    base = "https://w3id.org/ssekg/id/"
    for name, params in (("challenges-by-country", {}), ("country-pairs", {}), ("statement-coverage", {})):
        page = requests.get(f"{url}/queries/{name}.json", params=params, timeout=30)
        assert page.headers["X-SSEKG-Counted-From"] == "cube"
        named = named_queries()[name]
        raw = requests.post(f"{url}/sparql", data={"query": sparql_prologue(base) + bind_values(
            named.text, bind_params(named, params, base))}, headers={"Accept": "application/sparql-results+json"},
            timeout=30).json()
        hidden = {p.name for p in named.params}
        assert sorted(json.dumps(b, sort_keys=True) for b in page.json()["results"]["bindings"]) == sorted(
            json.dumps({k: v for k, v in b.items() if k not in hidden}, sort_keys=True)
            for b in raw["results"]["bindings"]), name
