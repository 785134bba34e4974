"""Store.add_new_graphs: Oxigraph's bulk loader for new reports, whole or absent after any crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from support import EXAMPLE_CARD, generated_cards
from ssekg.ingest.cards import load_card
from ssekg.ingest.mapping import card_key
from ssekg.ingest.parallel import prepare_file
from ssekg.ingest.pipeline import ingest_paths
from ssekg.ingest.reference import load_reference
from ssekg.namespaces import DEFAULT_BASE, inferred_graph_iri, report_iri
from ssekg.store import JOURNAL, Store, nt_to_nquads


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_cards(tmp_path_factory.mktemp("corpus"), 30, 5)


def all_quads(store: Store) -> set[str]:
    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, None)}


def prepared_graphs(paths: list[Path]) -> dict[str, str]:
    """Report IRI -> N-Triples body, as a worker would send them to the writer."""
    reference = load_reference(DEFAULT_BASE)
    graphs: dict[str, str] = {}
    for path in paths:
        result = prepare_file(str(path), reference)
        assert result.reason is None and not result.blank_nodes
        graphs[report_iri(DEFAULT_BASE, result.key)] = result.asserted_nt
        graphs[inferred_graph_iri(DEFAULT_BASE, result.key)] = result.inferred_nt
    return graphs


def assert_default_graph_is_the_union(store: Store) -> None:
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    assert int(row["n"].value) == 0, "the default graph holds triples no named graph holds"
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")
    assert int(row["n"].value) == 0, "a named graph holds triples the default graph lacks"


def test_bulk_added_graphs_equal_the_same_graphs_added_by_update(tmp_path, corpus):
    graphs = prepared_graphs(sorted(corpus.rglob("*.yaml"))[:6])
    bulk, update = Store.open(tmp_path / "bulk"), Store.open(tmp_path / "update")
    for store in (bulk, update):
        ingest_paths(store, [EXAMPLE_CARD])  # a report already there, sharing countries and concepts
    bulk.add_new_graphs(graphs)
    update.replace_graphs_nt(graphs)
    assert all_quads(bulk) == all_quads(update)
    assert not (tmp_path / "bulk" / JOURNAL).exists()
    assert_default_graph_is_the_union(bulk)


def test_nt_to_nquads_keeps_hostile_literals_on_their_line():
    triple = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                       ox.Literal('a .\n<http://evil> <http://evil> "x" .\n} ; DROP ALL #'))
    body = ox.serialize([triple], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    quads = list(ox.parse(nt_to_nquads(body, "http://example.org/g").encode(), format=ox.RdfFormat.N_QUADS))
    assert quads == [ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode("http://example.org/g"))]


#: how far the interrupted load got: the journal only; part of the named graphs; all of them; all of them and
#: part of their default-graph copies
STAGES = ["journal", "named-partial", "named", "named+default-partial"]


@pytest.mark.parametrize("stage", STAGES)
def test_an_interrupted_bulk_load_is_undone_when_the_store_is_opened(tmp_path, corpus, stage):
    path = tmp_path / "store"
    store = Store.open(path)
    ingest_paths(store, [EXAMPLE_CARD, *sorted(corpus.rglob("*.yaml"))[:3]])
    before = all_quads(store)
    graphs = prepared_graphs(sorted(corpus.rglob("*.yaml"))[3:9])
    # what add_new_graphs does, stopped where a crash could stop it
    (path / JOURNAL).write_text(json.dumps(sorted(graphs)))
    named = "".join(nt_to_nquads(body, iri) for iri, body in graphs.items()).splitlines(keepends=True)
    default = "".join(graphs.values()).splitlines(keepends=True)
    if stage != "journal":
        part = named if stage != "named-partial" else named[: len(named) // 2]
        store.ox.bulk_load("".join(part).encode(), format=ox.RdfFormat.N_QUADS)
    if stage == "named+default-partial":
        store.ox.bulk_load("".join(default[: len(default) // 2]).encode(), format=ox.RdfFormat.N_QUADS)
    store.close()

    reopened = Store.open(path)
    assert not (path / JOURNAL).exists()
    assert all_quads(reopened) == before
    assert_default_graph_is_the_union(reopened)


def test_a_journal_cut_short_while_being_written_loses_nothing(tmp_path):
    path = tmp_path / "store"
    store = Store.open(path)
    ingest_paths(store, [EXAMPLE_CARD])
    before = all_quads(store)
    store.close()
    (path / JOURNAL).write_text('["http://exa')  # the process died inside json.dumps' write
    reopened = Store.open(path)
    assert all_quads(reopened) == before and not (path / JOURNAL).exists()


CHILD = textwrap.dedent("""
    import sys
    from ssekg.ingest.parallel import iter_ingest
    from ssekg.store import Store

    store = Store.open(sys.argv[1])
    for outcome in iter_ingest(store, sys.argv[2:], jobs=1, bulk_batch=3):
        print(outcome.key, flush=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.0, 0.05, 0.15])
def test_a_process_killed_during_bulk_loads_leaves_whole_reports_only(tmp_path, corpus, after):
    """SIGKILL an ingest that writes through the bulk loader; every report is then whole or absent."""
    path = tmp_path / "store"
    files = sorted(corpus.rglob("*.yaml"))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), *map(str, files)],
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    first = proc.stdout.readline()  # one bulk load done: the next ones are under way
    assert first.strip(), "the child ingest wrote nothing"
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    store = Store.open(path)
    assert not (path / JOURNAL).exists()
    assert_default_graph_is_the_union(store)
    held = set(store.report_keys())
    assert first.strip() in held
    reference = load_reference(DEFAULT_BASE)
    for file in files:
        key = card_key(load_card(file))
        expected = prepare_file(str(file), reference)
        asserted = {line for line in store_lines(store, report_iri(store.base, key))}
        inferred = {line for line in store_lines(store, inferred_graph_iri(store.base, key))}
        if key in held:
            assert asserted == set(expected.asserted_nt.splitlines())
            assert inferred == set(expected.inferred_nt.splitlines())
        else:
            assert not asserted and not inferred


def store_lines(store: Store, graph: str) -> list[str]:
    triples = (ox.Triple(q.subject, q.predicate, q.object)
               for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines()


def test_a_store_in_memory_takes_new_graphs_by_update(corpus):
    graphs = prepared_graphs(sorted(corpus.rglob("*.yaml"))[:2])
    store = Store.memory()
    store.add_new_graphs(graphs)
    assert len(store.report_keys()) == 2
    assert_default_graph_is_the_union(store)


def test_a_clean_store_has_nothing_to_recover(tmp_path):
    """recover() is what Store.open runs; it leaves a clean store as it is."""
    store = Store.open(tmp_path / "s")
    assert store.recover() == []
    assert os.listdir(tmp_path / "s")  # RocksDB's files; no journal left behind
    assert JOURNAL not in os.listdir(tmp_path / "s")
