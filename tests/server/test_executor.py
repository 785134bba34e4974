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


# ---------------------------------------------------------------------------- answers serialised by the engine
XSD = "http://www.w3.org/2001/XMLSchema#"
#: terms whose serialisations differ in every way a results format can get wrong: escapes (tab, line breaks,
#: quotes, backslash, U+2028), language tags, odd lexical forms of typed literals, blank nodes, IRIs with non-ASCII
#: characters, an empty string, a quoted triple
AWKWARD = [
    '"a\\tb\\nc\\"d\\\\e\\r"', '"x"@ar', '"en"@en-US', f'"1"^^<{XSD}integer>', f'"01"^^<{XSD}integer>',
    f'" 5"^^<{XSD}integer>', f'"x"^^<{XSD}integer>', f'"1.50"^^<{XSD}decimal>', f'"1e3"^^<{XSD}double>',
    f'"true"^^<{XSD}boolean>', '"نص عربي"', '""', '"x"^^<urn:dt>', "_:b1", "<http://e.example/é?q=1#f>",
    '"  spaced\u2028 "', "<< <urn:a> <urn:b> \"c\" >>",
]
AWKWARD_QUERY = "SELECT ?s ?o ?none WHERE { ?s <urn:awkward> ?o OPTIONAL { ?s <urn:none> ?none } } ORDER BY ?s"


def term_by_term(store, fmt, max_rows, hidden=frozenset()):
    """The answer as the executor wrote it before the engine did: every term in Python, as JSON, then converted."""
    import itertools

    import pyoxigraph as ox

    from ssekg.server.executor import solutions_json

    result = store.ox.query(AWKWARD_QUERY)
    rows = list(itertools.islice(result, max_rows + 1))
    body = solutions_json([v.value for v in result.variables if v.value not in hidden], rows[:max_rows])
    if fmt != ox.QueryResultsFormat.JSON:
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
    return body, min(len(rows), max_rows), len(rows) > max_rows


@pytest.mark.parametrize("hidden", [frozenset(), frozenset({"none"}), frozenset({"s", "none"})])
@pytest.mark.parametrize("max_rows", [1000, len(AWKWARD), len(AWKWARD) - 1, 3, 0])
def test_the_engine_serialises_every_format_as_term_by_term_does(max_rows, hidden):
    """Solutions are written by the engine (TSV cut at max_rows, hidden columns cut out, converted natively): every
    format must carry the same terms and rows as the Python serialisation it replaced, truncation must cut at the
    same row, and a named query's parameter columns must go (the first column, or the last, unbound one)."""
    import json

    import pyoxigraph as ox

    store = Store.memory()
    store.ox.update("INSERT DATA { " + " ".join(f"<urn:s{i:02d}> <urn:awkward> {t} ." for i, t in enumerate(AWKWARD))
                    + " }")
    r = QueryRunner(store, RWLock(), timeout=5.0, max_rows=max_rows, prefixes={})
    try:
        for mime, fmt, _ in formats.OFFERS["solutions"]:
            answer = r.run(AWKWARD_QUERY, {"hidden_columns": sorted(hidden)},
                           lambda kind, m=mime, f=fmt: (m, f) if kind == "solutions" else None)
            body, rows, truncated = term_by_term(store, fmt, max_rows, hidden)
            assert (answer.rows, answer.truncated) == (rows, truncated), mime
            if fmt == ox.QueryResultsFormat.JSON:
                assert json.loads(answer.body) == json.loads(body)
            else:
                assert answer.body == body, mime
            assert set(answer.stages) == {"reader", "engine", "handoff"}
    finally:
        r.close()
