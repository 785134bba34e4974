"""ingest/parallel.py: worker processes prepare, one writer stores in batches, each report whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import EXAMPLES, ROOT, generated_cards
from ssekg.ingest.cards import load_card
from ssekg.ingest.fastinfer import fast_infer
from ssekg.ingest.mapping import card_key, card_to_graph
from ssekg.ingest.parallel import Stats, ingest_parallel, iter_ingest
from ssekg.ingest.pipeline import ingest_paths
from ssekg.ingest.reference import load_reference
from ssekg.namespaces import DEFAULT_BASE, inferred_graph_iri, report_iri
from ssekg.store import Store

SSEKG = str(Path(sys.executable).with_name("ssekg"))
BAD = ROOT / "tests" / "fixtures" / "bad" / "unknown-speaker.yaml"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_cards(tmp_path_factory.mktemp("corpus"), 40, 3)


def nquads(store: Store) -> list[str]:
    from io import BytesIO

    buffer = BytesIO()
    store.export(buffer, "nquads")
    return sorted(buffer.getvalue().decode("utf-8").splitlines())


def test_parallel_store_equals_sequential_store(tmp_path, corpus):
    inputs = [str(EXAMPLES), str(BAD), *map(str, sorted(corpus.rglob("*.yaml"))[:8])]
    sequential = Store.open(tmp_path / "seq")
    expected = ingest_paths(sequential, inputs)
    parallel = Store.open(tmp_path / "par")
    stats = Stats()
    got = ingest_parallel(parallel, inputs, jobs=2, batch=5, chunk=3, stats=stats)
    assert [(o.source, o.accepted, o.key, o.asserted, o.inferred) for o in got] == [
        (o.source, o.accepted, o.key, o.asserted, o.inferred) for o in expected
    ]
    assert [o.reason for o in got] == [o.reason for o in expected]
    assert [[str(p) for p in o.problems] for o in got] == [[str(p) for p in o.problems] for o in expected]
    assert nquads(parallel) == nquads(sequential)
    assert stats.accepted == sum(o.accepted for o in expected) and stats.updates < stats.accepted


def test_inline_single_job_gives_the_same_store(tmp_path, corpus):
    one, two = Store.open(tmp_path / "one"), Store.open(tmp_path / "two")
    a = ingest_parallel(one, [corpus], jobs=1, batch=7)
    b = ingest_parallel(two, [corpus], jobs=2, batch=1, bulk=False)
    assert [o.key for o in a] == [o.key for o in b] and all(o.accepted for o in a)
    assert nquads(one) == nquads(two)
    assert default_graph(one) == default_graph(two)


def default_graph(store: Store) -> set[str]:
    import pyoxigraph as ox

    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def test_bulk_and_update_paths_give_the_same_store_for_new_and_replaced_reports(tmp_path, corpus):
    """The bulk path takes new reports only; repeats in one batch and re-ingests go through updates."""
    files = sorted(corpus.rglob("*.yaml"))
    inputs = [*files[:10], files[3], files[3], EXAMPLES]
    bulk, update = Store.open(tmp_path / "bulk"), Store.open(tmp_path / "update")
    stats_bulk, stats_update = Stats(), Stats()
    a = ingest_parallel(bulk, inputs, jobs=1, bulk_batch=6, stats=stats_bulk)
    b = ingest_parallel(update, inputs, jobs=1, bulk=False, stats=stats_update)
    assert [(o.key, o.accepted) for o in a] == [(o.key, o.accepted) for o in b]
    assert stats_bulk.bulk_loads >= 2 and stats_update.bulk_loads == 0
    assert nquads(bulk) == nquads(update) and default_graph(bulk) == default_graph(update)
    again = ingest_parallel(bulk, files[5:15], jobs=1, bulk_batch=4)  # half already held: replaced, half new
    ingest_parallel(update, files[5:15], jobs=1, bulk=False)
    assert all(o.accepted for o in again)
    assert nquads(bulk) == nquads(update) and default_graph(bulk) == default_graph(update)


@pytest.mark.parametrize("bulk", [False, True], ids=["update", "bulk"])
def test_a_report_the_store_refuses_is_rejected_alone(tmp_path, corpus, monkeypatch, bulk):
    files = sorted(corpus.rglob("*.yaml"))[:6]
    victim = card_key(load_card(files[2]))

    def refusing(real):
        def refuse(self, graphs, *args, **kwargs):
            if report_iri(self.base, victim) in graphs:
                raise OSError("disk full (simulated)")
            return real(self, graphs, *args, **kwargs)
        return refuse

    monkeypatch.setattr(Store, "replace_graphs_nt", refusing(Store.replace_graphs_nt))
    monkeypatch.setattr(Store, "add_new_graphs", refusing(Store.add_new_graphs))
    store = Store.open(tmp_path / "s")
    outcomes = list(iter_ingest(store, files, jobs=1, batch=4, bulk=bulk, bulk_batch=4))
    assert [o.accepted for o in outcomes] == [True, True, False, True, True, True]
    assert "disk full (simulated)" in outcomes[2].reason and "nothing of it was stored" in outcomes[2].reason
    assert victim not in store.report_keys() and len(store.report_keys()) == 5


@pytest.mark.slow
def test_killed_parallel_ingest_leaves_only_whole_reports(tmp_path, corpus):
    store_dir = tmp_path / "store"
    proc = subprocess.Popen(
        [SSEKG, "ingest", "-v", "--store", str(store_dir), "--jobs", "2", str(corpus)],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 6 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += " ok " in f" {line}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert seen >= 6, "the ingest printed too few reports before the deadline"
    store = Store.open(store_dir)
    keys = set(store.report_keys())
    assert len(keys) >= 6
    reference = load_reference(DEFAULT_BASE)
    for path in sorted(corpus.rglob("*.yaml")):
        card = load_card(path)
        key = card_key(card)
        if key not in keys:
            assert not store.has_graph(inferred_graph_iri(store.base, key))
            continue
        asserted = card_to_graph(card, base=store.base, source=str(path))
        inferred = fast_infer(asserted, reference.tbox, reference.known, reference.base)
        assert set(store.graph_triples(report_iri(store.base, key))) == set(asserted)
        assert set(store.graph_triples(inferred_graph_iri(store.base, key))) == set(inferred)


def test_cli_jobs_prints_the_same_lines(tmp_path):
    inputs = [str(EXAMPLES), str(BAD)]
    runs = {}
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [SSEKG, "ingest", "-v", "--store", str(tmp_path / jobs), "--jobs", jobs, *inputs],
            capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 1, proc.stderr  # the bad card is rejected
        runs[jobs] = [line for line in proc.stderr.splitlines() if not line.startswith("store:")]
    assert runs["1"] == runs["2"]
    assert runs["2"][-1].startswith(f"{len(list(EXAMPLES.glob('*.yaml'))) + 1} read,")
