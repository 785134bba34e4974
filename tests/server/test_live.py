"""A live `ssekg serve`: SPARQLWrapper as a client, the enforced timeout, limits, SERVICE refusal, ingest."""

from __future__ import annotations

import csv
import os
import io
import json
import threading
import time
import urllib.request

import pytest
import requests
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.slow

EVENT = "https://w3id.org/ssekg/id/event/b58c0e223362c3bb-1"
SELECT = """PREFIX sse: <https://w3id.org/ssekg/ontology#>
SELECT ?c WHERE { <%s> sse:hostCountry ?c }""" % EVENT
CONSTRUCT = """PREFIX sse: <https://w3id.org/ssekg/ontology#>
CONSTRUCT { <%s> sse:hostCountry ?c } WHERE { <%s> sse:hostCountry ?c }""" % (EVENT, EVENT)
MA = "https://w3id.org/ssekg/id/country/MA"
#: a cross product that runs for minutes: COUNT must see every row before it answers
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def wrapper(server, fmt):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(fmt)
    return sw


def test_sparqlwrapper_json(live_server):
    sw = wrapper(live_server, JSON)
    sw.setQuery(SELECT)
    rows = sw.query().convert()["results"]["bindings"]
    assert [r["c"]["value"] for r in rows] == [MA]


def test_sparqlwrapper_xml(live_server):
    sw = wrapper(live_server, XML)
    sw.setQuery(SELECT)
    doc = sw.query().convert()
    assert [n.firstChild.data for n in doc.getElementsByTagName("uri")] == [MA]


@pytest.mark.parametrize("fmt,sep", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_tsv(live_server, fmt, sep):
    sw = wrapper(live_server, fmt)
    sw.setQuery(SELECT)
    text = sw.query().convert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    assert rows[0] == (["c"] if fmt == CSV else ["?c"])
    assert rows[1] == ([MA] if fmt == CSV else [f"<{MA}>"])


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_sparqlwrapper_graphs(live_server, fmt):
    sw = wrapper(live_server, fmt)
    sw.setQuery(CONSTRUCT)
    result = sw.query().convert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle" if fmt == TURTLE else "json-ld")
    assert {str(o) for o in graph.objects()} == {MA}


def test_format_parameter_for_pandas(live_server):
    """`pandas.read_csv(url)`: the format parameter alone picks CSV."""
    url = live_server.url + "/sparql?" + urllib.parse.urlencode({"query": SELECT, "format": "csv"})
    with urllib.request.urlopen(url) as r:
        assert r.headers["Content-Type"].startswith("text/csv")
        assert r.read().decode().splitlines() == ["c", MA]


def test_timeout_stops_runaway_query_while_others_are_answered(live_server):
    """query_timeout=3: the runaway query is stopped at ~3 s; meanwhile another client gets its answers."""
    outcome = {}

    def runaway():
        started = time.monotonic()
        r = requests.post(live_server.url + "/sparql", data={"query": RUNAWAY}, timeout=60)
        outcome["status"], outcome["text"], outcome["seconds"] = r.status_code, r.text, time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        r = requests.get(live_server.url + "/sparql", params={"query": SELECT}, timeout=10)
        latencies.append(time.monotonic() - started)
        assert r.status_code == 200 and MA in r.text
        time.sleep(0.1)
    thread.join()
    assert outcome["status"] == 503
    assert "time limit" in outcome["text"]
    assert 2.5 < outcome["seconds"] < 6
    assert len(latencies) >= 5 and max(latencies) < 1.0
    metrics = requests.get(live_server.url + "/metrics").text
    assert "ssekg_sparql_query_timeouts_total 1" in metrics
    # the runaway query was killed: no process of the server's tree is still burning CPU on it
    assert busy_seconds(live_server.proc.pid, window=1.0) < 0.3


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def busy_seconds(root: int, window: float) -> float:
    """CPU time the server's process tree (readers included) spends during ``window`` seconds of idleness."""
    pids = descendants(root)
    before = cpu_seconds(pids)
    time.sleep(window)
    return cpu_seconds(pids) - before


def test_max_rows_truncates_with_a_header(live_server):
    r = requests.get(live_server.url + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 50
    assert r.headers["X-SSEKG-Truncated"].startswith("true")


def test_max_request_size(live_server):
    big = "SELECT * { ?s ?p ?o } #" + "x" * 1_100_000
    r = requests.post(live_server.url + "/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_service_refused(live_server):
    q = "SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }"
    r = requests.get(live_server.url + "/sparql", params={"query": q})
    assert r.status_code == 400 and "outbound_allow" in r.text


def test_stops_cleanly_on_sigterm_and_store_is_single_writer(server_factory, tmp_path):
    server = server_factory(tmp_path / "store")
    # a second process cannot open the store the server holds: StoreError, exit status 2, a clear message
    import subprocess, sys
    from pathlib import Path

    ssekg = Path(sys.executable).with_name("ssekg")
    other = subprocess.run([str(ssekg), "serve", "--store", str(tmp_path / "store"), "--port", "1"],
                           capture_output=True, text=True, timeout=60)
    assert other.returncode != 0
    assert "open in another process" in other.stderr + other.stdout
    assert "serving" in server.output()
    assert server.stop() == 0


def test_ingest_while_serving(live_server, token):
    """A report posted to /ingest becomes visible to queries, without restarting; no token, no ingest."""
    pytest.importorskip("ssekg.ingest.pipeline")
    from pathlib import Path

    card = Path(__file__).resolve().parents[2] / "examples" / "cards" / "casablanca-regional-workshop.yaml"
    if not card.exists():
        pytest.skip(f"no example card at {card}")
    r = requests.post(live_server.url + "/ingest", params={"filename": card.name}, data=card.read_bytes())
    assert r.status_code == 401
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    before = requests.get(live_server.url + "/sparql", params={"query": count, "format": "csv"}).text
    r = requests.post(live_server.url + "/ingest", params={"filename": card.name}, data=card.read_bytes(),
                      headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] and body["key"]
    ask = "ASK { GRAPH <https://w3id.org/ssekg/id/report/%s> { ?s ?p ?o } }" % body["key"]
    assert requests.get(live_server.url + "/sparql", params={"query": ask}).json()["boolean"] is True
    after = requests.get(live_server.url + "/sparql", params={"query": count, "format": "csv"}).text
    assert before != after or body["key"] == "b58c0e223362c3bb"


def test_reading_commands_work_while_the_server_holds_the_store(server_factory, tmp_path):
    """Issue 14: `ssekg query NAME` and `dataframe(NAME)` answer while `ssekg serve` runs, through the server."""
    import subprocess
    import sys
    from pathlib import Path

    from .conftest import example_graphs, fill_store

    store = tmp_path / "store"
    fill_store(store, example_graphs())
    server = server_factory(store)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("SSEKG_")}
    env.update(SSEKG_PORT=str(server.port))
    ssekg = Path(sys.executable).with_name("ssekg")
    proc = subprocess.run([str(ssekg), "query", "--store", str(store), "--format", "csv", "event-countries"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "reading through its SPARQL endpoint" in proc.stderr and "country/SN" in proc.stdout
    code = f"from ssekg.analysis import dataframe; print(len(dataframe('event-countries', store_dir={str(store)!r})))"
    frame = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                           cwd=tmp_path, check=False)
    assert frame.returncode == 0 and int(frame.stdout.strip()) >= 4, frame.stderr


def test_every_answer_says_where_its_time_went(live_server):
    """Server-Timing (W3C): the query's stages in the order they ran, then the app's total, each a duration in ms
    that adds up: the stages of a query fit in the app's time."""
    r = requests.post(live_server.url + "/sparql", data={"query": "SELECT * { ?s ?p ?o } LIMIT 3"},
                      headers={"Accept": "text/csv"})
    assert r.status_code == 200
    stages = {}
    for part in r.headers["Server-Timing"].split(","):
        name, _, dur = part.strip().partition(";dur=")
        stages[name] = float(dur)
    assert list(stages) == ["check", "admit", "reader", "engine", "handoff", "app"]
    assert all(v >= 0 for v in stages.values())
    assert sum(v for k, v in stages.items() if k != "app") <= stages["app"] + 0.01
    page = requests.get(live_server.url + "/")
    assert list(stage.strip().partition(";")[0] for stage in page.headers["Server-Timing"].split(",")) == ["app"]
