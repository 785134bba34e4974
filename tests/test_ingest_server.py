"""Ingest while serving: `ssekg ingest --server URL` sends each file to the running server, the store's one writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from support import EXAMPLE_CARD, EXAMPLES, free_port, stop, wait_for_address

SSEKG = str(Path(sys.executable).with_name("ssekg"))
TOKEN = "s3cret-for-tests"


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "SSEKG_UPDATE_TOKEN": TOKEN}
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
    return subprocess.run([SSEKG, "ingest", "-v", "--server", url, *paths], capture_output=True, text=True, env=env, timeout=300)


def participating(url: str) -> set[str]:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery("PREFIX sse: <https://w3id.org/ssekg/ontology#> SELECT DISTINCT ?c WHERE { ?e sse:participatingCountry ?c }")
    sparql.setReturnFormat(JSON)
    return {b["c"]["value"].rsplit("/", 1)[1] for b in sparql.queryAndConvert()["results"]["bindings"]}


def test_reports_sent_to_a_running_server_are_queryable_at_once(server, tmp_path):
    url, store = server
    assert participating(url) == set()
    local = subprocess.run([SSEKG, "ingest", "--store", str(store), str(EXAMPLE_CARD)], capture_output=True, text=True)
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
