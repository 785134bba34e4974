"""Reports keep their sources and their publishers' rights (issue 14).

``ssekg ingest --sources LIST`` gives every listed file its URL, date, publisher and licence; a report's whole text
is republished only where its licence allows (``publish_text``), each fact keeping its sentence as a short
quotation; the report states its licence, or that none is known.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ssekg.ingest.pipeline import ingest_paths
from ssekg.ingest.readers import use_sources
from ssekg.ingest.sources import load_sources
from support import ROOT

from ssekg.errors import InputError
from ssekg.store import Store

REPORT = ROOT / "tests" / "corpus" / "en" / "en01.txt"  # written by us
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    body = REPORT.read_text(encoding="utf-8").split("---\n", 2)[2]  # without its front matter
    (tmp_path / "accra.txt").write_text(body, encoding="utf-8")
    return tmp_path


@pytest.fixture(autouse=True)
def no_sources_left():
    yield
    use_sources({})


def paragraph(text: str) -> str:
    """Two sentences of the report as they follow each other (here a line each): more than a quotation."""
    lines = text.splitlines()
    pairs = [f"{a}\n{b}" for a, b in zip(lines, lines[1:]) if len(a) > 60 and len(b) > 60]
    return max(pairs, key=len)


def test_a_sources_list_reads_tsv_and_csv_and_refuses_what_it_cannot_read(folder):
    (folder / "list.tsv").write_text(f"path\turl\tpublished\tlicense\tpublish_text\naccra.txt\thttps://example.org/a"
                                     f"\t2025-05-16\t{CC_BY}\tyes\n", encoding="utf-8")
    listed = load_sources(folder / "list.tsv")
    assert listed == {str((folder / "accra.txt").resolve()): {
        "url": "https://example.org/a", "published": "2025-05-16", "license": CC_BY, "publish_text": True}}
    (folder / "list.csv").write_text("path,url\naccra.txt,https://example.org/b\n", encoding="utf-8")
    assert load_sources(folder / "list.csv")[str((folder / "accra.txt").resolve())]["url"] == "https://example.org/b"
    for bad, why in (("url\nhttps://x\n", "path column"), ("path,colour\na.txt,red\n", "unknown columns: colour"),
                     ("path\na.txt\na.txt\n", "second time"), ("path,published\na.txt,May\n", "not a date"),
                     ("path,publish_text\na.txt,maybe\n", "true or false")):
        (folder / "bad.csv").write_text(bad, encoding="utf-8")
        with pytest.raises(InputError, match=why):
            load_sources(folder / "bad.csv")


def test_without_a_licence_the_text_is_quoted_not_republished(folder):
    store = Store.memory()
    use_sources({str((folder / "accra.txt").resolve()): {"url": "https://example.org/accra"}})
    [outcome] = ingest_paths(store, [folder / "accra.txt"])
    assert outcome.accepted, outcome.reason
    dump = "\n".join(q.object.value for q in store.ox if hasattr(q.object, "value")) + "\n".join(str(q) for q in store.ox)
    text = (folder / "accra.txt").read_text(encoding="utf-8")
    assert paragraph(text) not in dump and "<http://schema.org/text>" not in dump
    assert "<http://schema.org/url> \"https://example.org/accra\"" in dump
    assert "All rights reserved by the publisher" in dump
    sentences = [q.object.value for q in store.ox.quads_for_pattern(None, None, None)
                 if q.predicate.value.endswith("#sourceSentence")]
    assert sentences and all(len(s) <= 400 and s in text for s in sentences)


def test_with_a_licence_that_allows_it_the_text_is_published(folder):
    store = Store.memory()
    use_sources({str((folder / "accra.txt").resolve()): {"license": CC_BY, "publish_text": True}})
    [outcome] = ingest_paths(store, [folder / "accra.txt"])
    assert outcome.accepted, outcome.reason
    dump = "\n".join(q.object.value for q in store.ox if hasattr(q.object, "value")) + "\n".join(str(q) for q in store.ox)
    assert paragraph((folder / "accra.txt").read_text(encoding="utf-8")) in dump
    assert f"<http://purl.org/dc/terms/license> <{CC_BY}>" in dump


def test_pages_and_the_dump_of_a_served_store_hold_no_paragraph(folder, tmp_path):
    from ssekg.server import create_app

    from ssekg.settings import load_settings

    store = Store.memory()
    [outcome] = ingest_paths(store, [folder / "accra.txt"])
    assert outcome.accepted
    client = create_app(load_settings({"store": str(tmp_path / "unused")}, environ={}), store).test_client()
    text = paragraph((folder / "accra.txt").read_text(encoding="utf-8"))
    dump = gzip.decompress(client.get("/dump.nq.gz").data).decode("utf-8")
    assert text not in dump and "schema.org/text" not in dump
    challenge = next(q.subject.value for q in store.ox if q.object.value.endswith("#Challenge"))
    page = client.get("/id/" + challenge.split("/id/", 1)[1], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert text not in page
    # the page still shows the fact's sentence, the fact marked in it, from the quotation kept in the graph
    label = next(q.object.value for q in store.ox if q.subject.value == challenge and q.predicate.value.endswith("#label"))
    assert f"<mark>{label}</mark>" in page and '<section id="source">' in page


def test_the_cli_reads_a_sources_list(folder):
    """Every listed file gets its url (two files here, through two worker processes)."""
    (folder / "sub").mkdir()
    body = (ROOT / "tests" / "corpus" / "fr" / "fr01.txt").read_text(encoding="utf-8").split("---\n", 2)[-1]
    (folder / "sub" / "rabat.txt").write_text(body, encoding="utf-8")
    (folder / "list.tsv").write_text("path\turl\naccra.txt\thttps://example.org/cli\nsub/rabat.txt\t"
                                     "https://example.org/cli-2\nmissing.txt\thttps://x.org/\n", encoding="utf-8")
    ssekg = Path(sys.executable).with_name("ssekg")
    proc = subprocess.run([str(ssekg), "ingest", "--store", str(folder / "store"), "--sources", str(folder / "list.tsv"),
                           "-j", "2", str(folder / "accra.txt"), str(folder / "sub")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "missing.txt, which is not among the files" in proc.stderr
    out = subprocess.run([str(ssekg), "query", "--store", str(folder / "store"), "--format", "csv", "-e",
                          "SELECT ?u { ?r a sse:Report ; schema:url ?u }"], capture_output=True, text=True,
                         timeout=120, check=False)
    assert sorted(out.stdout.split()[1:]) == ["https://example.org/cli", "https://example.org/cli-2"], out.stderr
    shutil.rmtree(folder / "store")


def test_the_statements_behind_a_cell_come_with_their_sentence(folder):
    """The comparison page's cell list reads `sentence` from statements-in-cell (issue 14)."""
    from ssekg.query import run_named

    store = Store.memory()
    [outcome] = ingest_paths(store, [folder / "accra.txt"])
    assert outcome.accepted
    text = (folder / "accra.txt").read_text(encoding="utf-8")
    rows = list(run_named(store, "statements-in-cell", {"country": "GH", "category": "access-to-finance"}))
    assert rows and all(r["sentence"] is not None and r["sentence"].value in text for r in rows)
    assert all(r["text"].value in r["sentence"].value for r in rows)


def test_real_reports_are_quoted_never_republished(tmp_path):
    """Reports others wrote (../shared/corpus): the served dump, SPARQL and pages hold no paragraph of them."""
    from ssekg.ingest.gold import corpus_dir
    from ssekg.server import create_app
    from ssekg.settings import load_settings

    corpus = corpus_dir()
    if not corpus.is_dir():
        pytest.skip(f"the real corpus is not at {corpus} (it lives in ../shared, outside the repository)")
    picked = [p for lang in ("ar", "fr", "en") for p in sorted(corpus.glob(f"reports/{lang}/*.txt"))[:4]]
    store = Store.memory()
    accepted = [o for o in ingest_paths(store, picked) if o.accepted]
    assert len(accepted) >= 6
    client = create_app(load_settings({"store": str(tmp_path / "unused")}, environ={}), store).test_client()
    dump = gzip.decompress(client.get("/dump.nq.gz").data).decode("utf-8")
    every_value = "\n".join(q.object.value for q in store.ox if hasattr(q.object, "value"))
    assert "<http://schema.org/text>" not in dump and "<http://purl.org/dc/terms/rights>" in dump
    for path in picked:
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        passages = [line for line in lines if len(line) > 450] or [
            f"{a}\n{b}" for a, b in zip(lines, lines[1:]) if len(a) > 60 and len(b) > 60]
        for passage in passages[:3]:
            assert passage not in every_value, path.name
    # each quotation is one sentence cut to 400 characters around its fact (or the fact alone, when longer)
    rows = list(store.ox.query("SELECT ?q ?a ?b { ?f sse:sourceSentence ?q ; sse:charStart ?a ; sse:charEnd ?b }",
                               prefixes={"sse": "https://w3id.org/ssekg/ontology#"}))
    assert rows and all(len(r["q"].value) <= max(400, int(r["b"].value) - int(r["a"].value)) for r in rows)
