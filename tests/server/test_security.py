"""Issue 13's attack on a default `ssekg serve`, case by case, against a live server on 127.0.0.1.

Each test reproduces one case of the attack and asserts what a user of a public endpoint relies on instead.
The query check itself, with its fuzzer, is in tests/test_outbound.py; here the texts go over HTTP.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import bench_module
from test_outbound import Listener, bypasses, texts

from .conftest import TOKEN, LiveServer, example_graphs, fill_store

LOAD = bench_module("bench_security_load", "security_load.py")  # the slow client of make bench-security

AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENT = "/id/event/b58c0e223362c3bb-1"


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The example's graphs, default settings but a token, short timeouts for the slow-client cases."""
    store = tmp_path_factory.mktemp("security") / "store"
    fill_store(store, example_graphs())
    srv = LiveServer(store, update_token=TOKEN, query_timeout=5, header_timeout=2, body_timeout=4)
    yield srv
    srv.stop()


def worker_pid(srv: LiveServer) -> int:
    children = Path(f"/proc/{srv.proc.pid}/task/{srv.proc.pid}/children").read_text().split()
    return int(children[0])


# --- 1. nothing leaves the machine -----------------------------------------------------------------------------
def test_no_text_of_the_attack_reaches_another_port(server, listener):
    before = listener.hits
    for text, update in bypasses(listener.port):
        if update:
            r = requests.post(server.url + "/sparql", data={"update": text}, headers=AUTH)
        else:
            r = requests.get(server.url + "/sparql", params={"query": text})
            r2 = requests.post(server.url + "/sparql", data=text.encode(),
                               headers={"Content-Type": "application/sparql-query"})
            assert r2.status_code == 400, text
        assert r.status_code == 400, (text, r.status_code, r.text)
        assert "refused" in r.text
    assert listener.hits == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzer_over_http_no_outbound_connection(server, listener, data):
    text, update = data.draw(texts(listener.port))
    before = listener.hits
    if update:
        requests.post(server.url + "/sparql", data={"update": text}, headers=AUTH)
    else:
        requests.post(server.url + "/sparql", data={"query": text})
    assert listener.hits == before, text


def test_the_worker_has_no_network_of_its_own(server):
    """Below the check: the embedded store's worker lives in an empty network namespace."""
    pid = worker_pid(server)
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")


def test_load_of_a_file_is_a_clear_400(server):
    r = requests.post(server.url + "/sparql", data={"update": "LOAD <file:///etc/passwd>"}, headers=AUTH)
    assert r.status_code == 400 and "LOAD is refused" in r.text


# --- 2. bodies -------------------------------------------------------------------------------------------------
def _chunked(size: int):
    line = b'<http://ex/s> <http://ex/p> "' + b"x" * 60 + b'" .\n'
    sent = 0
    n = 0
    while sent < size:
        piece = line.replace(b"/s>", f"/s{n}>".encode())
        n += 1
        sent += len(piece)
        yield piece


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(server):
    r = requests.put(server.url + "/store", params={"graph": "http://ex/big"}, data=_chunked(2_000_000),
                     headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 413
    assert requests.get(server.url + "/store", params={"graph": "http://ex/big"}).status_code == 404


def test_a_chunked_body_within_the_limit_is_stored_whole(server):
    body = b"".join(_chunked(500_000))
    r = requests.put(server.url + "/store", params={"graph": "http://ex/mid"}, data=iter([body[:250_000], body[250_000:]]),
                     headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 201
    got = requests.get(server.url + "/store", params={"graph": "http://ex/mid"}, headers={"Accept": "application/n-triples"})
    assert got.text.count("\n") == body.count(b"\n")
    requests.delete(server.url + "/store", params={"graph": "http://ex/mid"}, headers=AUTH)


def test_the_same_limit_for_both_framings_and_for_queries(server):
    big = b"SELECT * { ?s ?p ?o } #" + b"x" * 1_100_000
    r1 = requests.post(server.url + "/sparql", data=big, headers={"Content-Type": "application/sparql-query"})
    r2 = requests.post(server.url + "/sparql", data=iter([big[:600_000], big[600_000:]]),
                       headers={"Content-Type": "application/sparql-query"})
    assert r1.status_code == r2.status_code == 413


def test_an_error_never_echoes_the_body(server):
    marker = "ZQXJ" * 5000
    r = requests.post(server.url + "/sparql", data=f"SELECT * {{ ?s ?p {marker} ".encode(),
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "ZQXJZQXJ" not in r.text and len(r.text) < 2000
    r = requests.post(server.url + "/sparql", data=f"SELECT * {{ SERVICE <http://x/> {{}} }} # {marker}".encode(),
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "ZQXJZQXJ" not in r.text


# --- 3. slow clients -------------------------------------------------------------------------------------------
def _lookups(url: str, n: int, source: str = "127.0.0.1") -> list[float]:
    host, port = url.split("//")[1].split(":")
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
        conn.request("GET", EVENT, headers={"Accept": "text/turtle"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        assert resp.status == 200
        times.append(time.monotonic() - t0)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18]


def test_a_hundred_slow_clients_do_not_stop_the_others(server):
    stop, opened = threading.Event(), []
    threads = [threading.Thread(target=LOAD.trickle, args=(server.url, stop, opened), daemon=True) for _ in range(100)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        times = _lookups(server.url, 40)
    finally:
        stop.set()
        for s in opened:
            s.close()
    assert p95(times) < 1.0, times


def test_a_client_too_slow_to_send_its_head_gets_408(server):
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(10)
    started = time.monotonic()
    answer = s.recv(200)
    s.close()
    assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 5


# --- 4. heavy queries -----------------------------------------------------------------------------------------
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_twenty_heavy_queries_from_one_client_leave_room_for_another(server):
    def heavy(_):
        return requests.get(server.url + "/sparql", params={"query": HEAVY}, timeout=30).status_code

    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(heavy, i) for i in range(20)]
        time.sleep(0.5)
        times = _lookups(server.url, 30, source="127.0.0.2")
        host, port = server.url.split("//")[1].split(":")
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=("127.0.0.2", 0))
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        body = resp.read()
        ask_seconds = time.monotonic() - t0
        statuses = [f.result() for f in futures]
    assert resp.status == 200 and b"true" in body and ask_seconds < 1.0
    assert p95(times) < 1.0, times
    assert statuses.count(429) >= 15  # one client runs two at a time; the rest are told to wait, at once


# --- 5. and 6. entity expansion, deep nesting -------------------------------------------------------------------
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/">
<rdf:Description rdf:about="http://ex/s"><ex:p>&i;</ex:p></rdf:Description></rdf:RDF>"""


def _rss_kib(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def test_rdf_xml_entity_expansion_is_refused_at_once(server):
    pid = worker_pid(server)
    before = _rss_kib(pid)
    t0 = time.monotonic()
    r = requests.put(server.url + "/store", params={"graph": "http://ex/laughs"}, data=LAUGHS,
                     headers={"Content-Type": "application/rdf+xml", **AUTH})
    assert 400 <= r.status_code < 500 and "DOCTYPE" in r.text
    assert time.monotonic() - t0 < 1.0
    assert _rss_kib(pid) - before < 50_000
    utf16 = LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    r = requests.put(server.url + "/store", params={"graph": "http://ex/laughs"}, data=utf16,
                     headers={"Content-Type": "application/rdf+xml", **AUTH})
    assert r.status_code == 400


def test_deep_nesting_is_a_400_from_the_server_and_exit_2_from_the_cli(server, tmp_path):
    deep = "SELECT * WHERE " + "{ " * 5000 + "}" * 5000
    r = requests.post(server.url + "/sparql", data={"query": deep})
    assert r.status_code == 400 and "nested" in r.text
    assert requests.get(server.url + "/health").status_code == 200
    ssekg = Path(sys.executable).with_name("ssekg")
    proc = subprocess.run([str(ssekg), "query", "--store", str(tmp_path / "store"), "-e", deep],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and "nested 5000 deep" in proc.stderr


# --- 7. pages ---------------------------------------------------------------------------------------------------
def test_javascript_iris_are_not_links_and_pages_carry_a_strict_csp(server):
    data = ('<https://w3id.org/ssekg/id/event/js> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)> .\n'
            '<https://w3id.org/ssekg/id/event/js> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/ok> .\n')
    r = requests.put(server.url + "/store", params={"graph": "http://ex/js"}, data=data.encode(),
                     headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code in (201, 204)
    page = requests.get(server.url + "/id/event/js", headers={"Accept": "text/html"})
    assert 'href="javascript:' not in page.text and "javascript:alert(1)" in page.text
    assert 'href="https://example.org/ok"' in page.text
    for path in ("/", EVENT, "/queries", "/ontology", "/id/event/js"):
        r = requests.get(server.url + path, headers={"Accept": "text/html"})
        csp = r.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp, path
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text), path
    requests.delete(server.url + "/store", params={"graph": "http://ex/js"}, headers=AUTH)


# --- 8. the smaller items ---------------------------------------------------------------------------------------
def test_a_lower_case_bearer_scheme_is_accepted(server):
    r = requests.post(server.url + "/sparql", data={"update": "INSERT DATA { <http://ex/a> <http://ex/b> 1 }"},
                      headers={"Authorization": f"bearer {TOKEN}"})
    assert r.status_code == 204


def test_a_foreign_host_header_never_enters_absolute_urls(server):
    r = requests.get(server.url + "/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert r.status_code == 200 and "evil.example" not in r.text and f"127.0.0.1:{server.port}/sparql" in r.text


def test_health_does_not_show_the_store_path(server):
    r = requests.get(server.url + "/health")
    assert r.status_code == 200 and str(server.store) not in r.text and "/" not in r.json().get("backend", "")


def test_sigterm_stops_the_server_at_once_without_a_crash(tmp_path):
    store = tmp_path / "store"
    fill_store(store, example_graphs())
    srv = LiveServer(store)
    keep = requests.Session()  # a kept-alive connection and a query process are open when the signal comes
    assert keep.get(srv.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    t0 = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - t0 < 5
    assert "SIGSEGV" not in srv.output() and "Traceback" not in srv.output()


def _ssekg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("ssekg")), *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def test_a_card_with_year_0000_is_rejected_without_a_traceback(tmp_path):
    root = Path(__file__).resolve().parents[2]
    card = (root / "examples" / "cards" / "amman-seminar-ar.yaml").read_text(encoding="utf-8")
    (tmp_path / "zero.yaml").write_text(card.replace("start: 2026-05-12", 'start: "0000"'), encoding="utf-8")
    proc = _ssekg("ingest", "-v", "--store", str(tmp_path / "store"), str(tmp_path / "zero.yaml"), cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "0000" in proc.stderr


def test_query_table_never_writes_raw_control_characters(tmp_path):
    proc = _ssekg("query", "--store", str(tmp_path / "store"), "-e",
                  'SELECT ?x { VALUES ?x { "a\\u001b[2Jb\\u0000c\\rd" } }', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", proc.stdout) and "a\\x1b[2Jb\\x00c\\x0dd" in proc.stdout


def test_a_folder_of_unknown_files_is_no_silent_success(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"x")
    (folder / "scan.pdf").write_bytes(b"x")
    proc = _ssekg("ingest", "--store", str(tmp_path / "store"), str(folder), cwd=tmp_path)
    assert proc.returncode == 2
    assert "skipped" in proc.stderr and "notes.docx" in proc.stderr and "nothing to ingest" in proc.stderr


def test_a_client_that_expects_100_continue_gets_it_at_once(server):
    """curl sends `Expect: 100-continue` before a body and waits a second for the go-ahead: it comes at once."""
    body = b"".join(_chunked(5_000))
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(5)
    s.sendall(b"PUT /store?graph=http://ex/expect HTTP/1.1\r\nHost: x\r\nContent-Type: application/n-triples\r\n"
              b"Authorization: Bearer " + TOKEN.encode() + b"\r\nExpect: 100-continue\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    t0 = time.monotonic()
    interim = s.recv(100)
    assert interim.startswith(b"HTTP/1.1 100 Continue") and time.monotonic() - t0 < 0.5
    s.sendall(body)
    answer = s.recv(200)
    s.close()
    assert answer.startswith(b"HTTP/1.1 201")
    got = requests.get(server.url + "/store", params={"graph": "http://ex/expect"}, headers={"Accept": "application/n-triples"})
    assert got.text.count("\n") == body.count(b"\n")
