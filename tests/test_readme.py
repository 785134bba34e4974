"""The README's promises, checked: `make run` serves the example, its worked example runs, `pip install .` works.

These run the real thing: make, pip, the ssekg command, gunicorn, and SPARQLWrapper over HTTP.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, SPARQLWrapper

from support import ROOT, free_port, stop, wait_for_address

README = (ROOT / "README.md").read_text(encoding="utf-8")
COUNTRIES = {"SN", "BF", "BE", "PS"}
QUERY = "PREFIX sse: <https://w3id.org/ssekg/ontology#>\nSELECT ?c WHERE { ?e a sse:Event ; sse:participatingCountry ?c }"


def linked_venv(path: Path) -> Path:
    """A new virtual environment that sees this one's packages (through a .pth) but installs into its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    (site,) = path.glob("lib/python*/site-packages")
    (site / "_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path


def country_codes(bindings: list[dict]) -> set[str]:
    return {b["c"]["value"].rsplit("/", 1)[1] for b in bindings}


def test_the_readme_shows_the_two_commands_first():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]


@pytest.mark.slow
def test_make_run_serves_the_example_over_sparql(tmp_path):
    """The README's first command, from scratch: install, ingest into the default store, serve, answer."""
    venv = linked_venv(tmp_path / "venv")
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(ROOT), "run", f"VENV={venv}", f"PORT={port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    )
    try:
        address = wait_for_address(proc)
        sparql = SPARQLWrapper(f"{address}/sparql")
        sparql.setQuery(QUERY)
        sparql.setReturnFormat(JSON)
        assert COUNTRIES <= country_codes(sparql.queryAndConvert()["results"]["bindings"])
    finally:
        stop(proc)
    assert (tmp_path / "data" / "ssekg" / "store").is_dir(), "make run should fill the default store"


def readme_commands() -> list[str]:
    """The `.venv/bin/ssekg …` commands of the worked example (a query may span lines inside quotes)."""
    block = README.split("## A worked example", 1)[1]
    commands = []
    for code in re.findall(r"```sh\n(.*?)```", block, re.S):
        text = "\n".join(line for line in code.splitlines() if not line.startswith("#"))
        for command in re.split(r"\n(?=\S)", text):
            if command.startswith(".venv/bin/ssekg") and not command.rstrip().endswith("&"):
                commands.append(command)
    return commands


def test_the_worked_example_runs_as_written(tmp_path):
    commands = readme_commands()
    assert [shlex.split(c)[1] for c in commands] == ["ingest", "query"]
    bin_dir = Path(sys.executable).parent
    outputs = []
    for command in commands:
        argv = shlex.split(command.replace("/tmp/ssekg-store", str(tmp_path / "store")))
        argv[0] = str(bin_dir / "ssekg")
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(result)
    assert "0 rejected" in outputs[0].stderr
    table = outputs[1].stdout
    for code in COUNTRIES:
        assert f"/country/{code}" in table


def test_the_served_example_answers_sparqlwrapper_in_json_and_csv(tmp_path):
    ssekg = str(Path(sys.executable).with_name("ssekg"))
    store = str(tmp_path / "store")
    subprocess.run([ssekg, "ingest", "-q", "--store", store, str(ROOT / "examples" / "cards" / "casablanca-regional-workshop.yaml")], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [ssekg, "serve", "--store", store, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        address = wait_for_address(proc, 60)
        sparql = SPARQLWrapper(f"{address}/sparql")
        sparql.setQuery(QUERY)
        sparql.setReturnFormat(JSON)
        assert country_codes(sparql.queryAndConvert()["results"]["bindings"]) == COUNTRIES
        sparql.setReturnFormat(CSV)
        rows = sparql.queryAndConvert().decode("utf-8").splitlines()
        assert rows[0].strip() == "c" and {r.rsplit("/", 1)[1].strip() for r in rows[1:]} == COUNTRIES
    finally:
        stop(proc)


@pytest.mark.slow
def test_pip_install_from_another_directory_carries_the_data_files(tmp_path):
    wheel_dir = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    (wheel,) = wheel_dir.glob("ssekg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("ssekg/ontology/ssekg.ttl", "ssekg/shapes/ssekg-shapes.ttl", "ssekg/ingest/card.schema.json",
                     "ssekg/queries/event-countries.rq", "ssekg/ontology/schemes/challenges.ttl",
                     "ssekg/ingest/data/cities.tsv", "ssekg/server/templates/resource.html", "ssekg/server/static/ui.js",
                     "ssekg/ingest/extract/__init__.py", "ssekg/ingest/extract/models/entities.crfsuite",
                     "ssekg/ingest/extract/models/statements.json", "ssekg/ingest/extract/models/calibration.json"):
        assert expected in names
    assert any(n.startswith("ssekg/server/static/vendor/yasgui-") and n.endswith(".js") for n in names)
    venv = linked_venv(tmp_path / "venv")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q", str(wheel)],
                   check=True, capture_output=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    card = ROOT / "examples" / "cards" / "casablanca-regional-workshop.yaml"
    result = subprocess.run([str(venv / "bin" / "ssekg"), "validate", str(card)], capture_output=True, text=True, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    located = subprocess.run([str(venv / "bin" / "python"), "-c", "import ssekg.ontology; print(ssekg.ontology.__file__)"],
                             capture_output=True, text=True, cwd=elsewhere)
    assert str(venv) in located.stdout, "the installed package, not the source tree, must be imported"
