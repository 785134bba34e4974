"""The pool of pre-forked query readers (server/executor.py): reuse, retirement after a write, kill at the deadline,
replacement, concurrency, no zombie processes."""

from __future__ import annotations

import os
import threading

import pytest

from ssekg.server import formats
from ssekg.server.executor import QueryFailed, QueryRunner, RWLock
from ssekg.store import Store

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?t "
           "FILTER(?c + ?f + ?i + ?l + ?o + ?t > -1) }")
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


def choose(kind):
    return formats.OFFERS[kind][0][:2]


@pytest.fixture
def runner():
    store = Store.memory()
    lock = RWLock()
    for i in range(40):
        store.ox.update(f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s{i}> <urn:p> {i} }} <urn:s{i}> <urn:p> {i} }}")
    r = QueryRunner(store, lock, timeout=2.0, max_rows=1000, prefixes={})
    yield r
    r.close()


def count(r) -> int:
    import json

    return int(json.loads(r.run(COUNT, {}, choose).body)["results"]["bindings"][0]["n"]["value"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1][0] != "Z"


def test_a_reader_serves_many_queries(runner):
    for _ in range(5):
        assert count(runner) == 40
    assert runner.forked == 1 and runner.idle == 1


def test_a_write_retires_readers_and_the_next_query_sees_it(runner):
    assert count(runner) == 40
    old = runner._idle[0].pid
    with runner.lock.exclusive():
        runner.store.ox.update("INSERT DATA { GRAPH <urn:g> { <urn:new> <urn:p> 1 } }")
    assert count(runner) == 41
    assert runner.forked == 2 and runner.retired == 1
    assert not alive(old)


def test_a_reader_past_its_deadline_is_killed_and_replaced(runner):
    assert count(runner) == 40
    busy = runner._idle[0].pid
    with pytest.raises(QueryFailed) as info:
        runner.run(RUNAWAY, {}, choose, timeout=0.5)
    assert info.value.kind == "timeout"
    assert not alive(busy)  # stopped and reaped: no zombie
    assert runner.killed == 1
    assert count(runner) == 40  # a fresh reader
    assert runner.forked == 2


def test_errors_keep_the_reader(runner):
    with pytest.raises(QueryFailed) as info:
        runner.run("SELECT WHERE {", {}, choose)
    assert info.value.kind == "syntax"
    assert count(runner) == 40 and runner.forked == 1


def test_concurrent_queries_use_several_readers_and_leave_no_zombies(runner):
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(count(runner))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [40] * 30
    assert 1 <= runner.forked <= 6
    pids = [r.pid for r in runner._idle]
    runner.close()
    assert runner.idle == 0
    assert not any(alive(pid) for pid in pids)


def test_detached_readers_are_not_our_children(runner):
    runner.detach = True
    assert count(runner) == 40
    pid = runner._idle[0].pid
    assert alive(pid)
    with open(f"/proc/{pid}/stat") as f:
        assert int(f.read().split(") ")[1].split()[1]) != os.getpid()
    runner.close()
