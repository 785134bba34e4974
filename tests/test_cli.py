"""The ssekg command as a user meets it: documented exit codes, settings precedence, query and export formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from ssekg import __version__
from ssekg.errors import SettingsError
from ssekg.settings import load_settings
from support import EXAMPLE_CARD

SSEKG = str(Path(sys.executable).with_name("ssekg"))


def ssekg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([SSEKG, *args], capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "store")
    result = ssekg("ingest", "-q", "--store", path, str(EXAMPLE_CARD))
    assert result.returncode == 0, result.stderr
    return path


def test_version_and_help_state_the_exit_codes():
    assert ssekg("--version").stdout.strip().endswith(__version__)
    assert "Exit codes: 0 ok, 1 some input rejected, 2 usage or environment error" in ssekg("--help").stdout


def test_usage_errors_exit_2_without_a_traceback(tmp_path):
    for args in (["ingest"], ["ingest", str(tmp_path / "missing.yaml")], ["frobnicate"], ["query", "--store", str(tmp_path), "no-such-query"]):
        result = ssekg(*args)
        assert result.returncode == 2, (args, result)
        assert "Traceback" not in result.stderr


def test_settings_come_from_defaults_file_environment_and_flags_in_that_order(tmp_path):
    config = tmp_path / "ssekg.toml"
    config.write_text('port = 9000\nquery_timeout = 5\nbase = "https://example.org/id/"\n')
    settings = load_settings({"port": None}, config, environ={"SSEKG_QUERY_TIMEOUT": "7.5"})
    assert (settings.port, settings.query_timeout, settings.base) == (9000, 7.5, "https://example.org/id/")
    assert settings.sources["query_timeout"] == "env SSEKG_QUERY_TIMEOUT"
    settings = load_settings({"port": 8123}, config, environ={})
    assert settings.port == 8123 and settings.sources["port"] == "command line"
    with pytest.raises(SettingsError, match="port"):
        load_settings({}, None, environ={"SSEKG_PORT": "eighty"})
    (tmp_path / "bad.toml").write_text("colour = 'blue'\n")
    result = ssekg("settings", "--config", str(tmp_path / "bad.toml"))
    assert result.returncode == 2 and "unknown setting 'colour'" in result.stderr


def test_the_store_setting_comes_from_the_environment(store):
    result = subprocess.run([SSEKG, "stats"], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "SSEKG_STORE": store})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reports"] == 1


def test_query_prints_csv_json_and_a_table(store):
    text = "SELECT ?c WHERE { ?e a sse:Event ; sse:participatingCountry ?c } ORDER BY ?c"
    rows = list(csv.DictReader(io.StringIO(ssekg("query", "--store", store, "-e", text, "--format", "csv").stdout)))
    assert [r["c"].rsplit("/", 1)[1] for r in rows] == ["BE", "BF", "PS", "SN"]
    data = json.loads(ssekg("query", "--store", store, "-e", text, "--format", "json").stdout)
    assert len(data["results"]["bindings"]) == 4
    table = ssekg("query", "--store", store, "-e", text).stdout
    assert table.splitlines()[0].strip() == "c" and "(4 rows)" in table
    bad = ssekg("query", "--store", store, "-e", "SELECT ?x WHERE {")
    assert bad.returncode == 2 and "does not parse" in bad.stderr


def test_a_named_query_runs_with_a_parameter(store):
    result = ssekg("query", "--store", store, "event-countries", "--param", "lang=fr", "--format", "csv")
    assert result.returncode == 0, result.stderr
    labels = {row["countryLabel"] for row in csv.DictReader(io.StringIO(result.stdout))}
    assert {"Sénégal", "Belgique"} <= labels


def test_export_writes_every_report_graph_and_no_union_copy(store, tmp_path):
    out = tmp_path / "dump.nq"
    assert ssekg("export", "--store", store, "--format", "nquads", "-o", str(out)).returncode == 0
    graphs = {q.graph_name.value for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/ssekg/id/report/b58c0e223362c3bb" in graphs
    assert not any(isinstance(q.graph_name, ox.DefaultGraph) for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    trig = ssekg("export", "--store", store).stdout
    assert len(list(ox.parse(trig.encode(), format=ox.RdfFormat.TRIG))) == sum(1 for _ in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))


def test_validate_needs_no_store_and_drop_removes_a_report(tmp_path):
    result = ssekg("validate", str(EXAMPLE_CARD))
    assert result.returncode == 0 and "1 valid, 0 rejected" in result.stderr
    path = str(tmp_path / "store")
    ssekg("ingest", "-q", "--store", path, str(EXAMPLE_CARD))
    assert ssekg("drop", "--store", path, "b58c0e223362c3bb").returncode == 0
    assert ssekg("drop", "--store", path, "b58c0e223362c3bb").returncode == 1
    assert json.loads(ssekg("stats", "--store", path).stdout)["reports"] == 0


def test_ingest_on_a_terminal_shows_one_live_line_and_in_a_pipe_the_summary_only(tmp_path):
    """Issue 15: thousands of files give one progress line on a terminal, not a line each; -v keeps the lines."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    ssekg = str(Path(sys.executable).with_name("ssekg"))
    examples = str(EXAMPLE_CARD.parent)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([ssekg, "ingest", "--store", str(tmp_path / "a"), examples], stderr=terminal,
                            stdout=subprocess.DEVNULL)
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=120)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0 and "files/s" in text and "left" in text and "\r" in text
    assert "] ok " not in text and "4 read, 4 accepted" in text
    piped = subprocess.run([ssekg, "ingest", "--store", str(tmp_path / "b"), examples], capture_output=True, text=True,
                           timeout=120, check=False)
    assert piped.returncode == 0 and "files/s" not in piped.stderr and "] ok " not in piped.stderr
    assert "4 read, 4 accepted" in piped.stderr
    verbose = subprocess.run([ssekg, "ingest", "-v", "--store", str(tmp_path / "c"), examples], capture_output=True,
                             text=True, timeout=120, check=False)
    assert verbose.stderr.count("] ok ") == 4
