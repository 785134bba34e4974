"""Run SPARQL queries with an enforced timeout: each query is evaluated in a forked child process.

pyoxigraph has no timeout and no cancellation (oxigraph issues #1336, #1926), and a thread cannot be stopped
from Python. A forked child can: it inherits the open store (a copy-on-write image of the process, taken while
no write is in progress), evaluates the query, serialises the answer into a pipe and leaves with ``os._exit``
(no destructor runs, so the child never touches the RocksDB files beyond reading). The parent reads the pipe
with a deadline; when the deadline passes it SIGKILLs the child, which stops the evaluation for good, and the
client gets a clear error. Other requests are served by other threads meanwhile (a blocked ``select`` holds
no lock and no GIL).

Consistency: forking takes the exclusive side of a readers-writer lock, as writes do, so a child's image never
holds a half-applied write; the child then answers from the snapshot it was forked with (snapshot isolation).
In-process reads (Linked Data pages, GSP GET) take the shared side. Measured cost: ~2 ms per query for the fork.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class RWLock:
    """Many readers or one writer; writers are not starved (new readers wait while a writer waits)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class QueryFailed(Exception):
    """A query that could not be answered; ``kind`` is syntax, timeout, not_acceptable, evaluation."""

    def __init__(self, kind: str, message: str, result_kind: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.result_kind = result_kind


@dataclass
class Answer:
    kind: str  # "solutions", "boolean", "graph"
    mimetype: str
    body: bytes
    rows: int
    truncated: bool
    seconds: float


#: chooser(kind) -> (mimetype, format) or None when the client accepts nothing we offer for that kind.
Chooser = Callable[[str], "tuple[str, Any] | None"]


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not a term: {term!r}")


def solutions_json(variables: list[str], rows: list[Any]) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            value = row[name]
            if value is not None:
                binding[name] = _json_term(value)
        bindings.append(binding)
    return json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
    ).encode("utf-8")


def evaluate(
    store: ox.Store, query: str, options: dict[str, Any], choose: Chooser, max_rows: int, prefixes: dict[str, str]
) -> tuple[str, str, bytes, int, bool]:
    """Evaluate and serialise one query (in the child). Returns kind, mimetype, body, rows, truncated.

    ``options`` go to ``Store.query`` (``substitutions``, ``default_graph`` …), except ``hidden_columns``: solution
    variables left out of the answer (a named query's parameters, which it projects only to have them substituted).
    """
    options = dict(options)
    hidden = set(options.pop("hidden_columns", ()))
    result = store.query(query, prefixes=prefixes, **options)
    return serialise_result(result, choose, max_rows, prefixes, hidden)


def serialise_result(
    result: Any, choose: Chooser, max_rows: int, prefixes: dict[str, str], hidden: set[str] | frozenset[str] = frozenset()
) -> tuple[str, str, bytes, int, bool]:
    """Serialise a pyoxigraph result (``QueryBoolean``, ``QuerySolutions`` or an iterable of triples) in the format
    ``choose`` picks, cut at ``max_rows``: kind, mimetype, body, rows, truncated. Shared by both back ends."""
    if isinstance(result, ox.QueryBoolean):
        chosen = choose("boolean")
        if chosen is None:
            raise QueryFailed("not_acceptable", "", "boolean")
        return "boolean", chosen[0], result.serialize(format=chosen[1]), 1, False
    if isinstance(result, ox.QuerySolutions) or hasattr(result, "variables"):
        chosen = choose("solutions")
        if chosen is None:
            raise QueryFailed("not_acceptable", "", "solutions")
        variables = [v.value for v in result.variables if v.value not in hidden]
        rows = list(itertools.islice(result, max_rows + 1))
        truncated = len(rows) > max_rows
        rows = rows[:max_rows]
        body = solutions_json(variables, rows)
        if chosen[1] != ox.QueryResultsFormat.JSON:
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=chosen[1])
        return "solutions", chosen[0], body, len(rows), truncated
    chosen = choose("graph")
    if chosen is None:
        raise QueryFailed("not_acceptable", "", "graph")
    triples = list(itertools.islice(result, max_rows + 1))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    fmt = chosen[1]
    if callable(fmt):  # a serialiser of ours (JSON-LD)
        body = fmt(triples)
    else:
        body = ox.serialize(triples, format=fmt, prefixes=prefixes if fmt in PREFIXED else None)
    return "graph", chosen[0], body, len(triples), truncated


PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}


class QueryRunner:
    """Evaluates queries in forked children with a deadline; one per server process."""

    def __init__(self, store: Any, lock: RWLock, timeout: float, max_rows: int, prefixes: dict[str, str]):
        self.store = store  # an ssekg.store.Store
        self.lock = lock
        self.timeout = timeout
        self.max_rows = max_rows
        self.prefixes = prefixes

    #: seconds a forked child has to show it can read the store before it is taken for stuck and forked again
    PROBE_SECONDS = 1.0
    ATTEMPTS = 3

    def run(self, query: str, options: dict[str, Any], choose: Chooser, timeout: float | None = None) -> Answer:
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        deadline = started + timeout
        for attempt in range(self.ATTEMPTS):
            data = self._attempt(query, options, choose, deadline, timeout, last=attempt == self.ATTEMPTS - 1)
            if data is not None:
                break
            self.retries += 1
        newline = data.find(b"\n")
        if newline < 0:
            raise QueryFailed("evaluation", "the query process ended without an answer")
        header = json.loads(data[:newline])
        if not header["ok"]:
            raise QueryFailed(header["error"], header["message"], header.get("result_kind"))
        return Answer(
            header["kind"], header["mimetype"], data[newline + 1 :], header["rows"], header["truncated"],
            time.monotonic() - started,
        )

    retries = 0

    def _attempt(self, query: str, options: dict[str, Any], choose: Chooser, deadline: float, timeout: float,
                 last: bool) -> bytes | None:
        """One forked evaluation; None if the child could not read the store within PROBE_SECONDS.

        A process forked while another thread (a RocksDB background flush or compaction) holds one of the
        library's internal mutexes inherits that mutex locked, and would wait on it for ever. The child first
        reads the store and sends one byte; a child that cannot is killed and the fork is tried again.
        """
        read_fd, write_fd = os.pipe()
        with self.lock.exclusive():
            pid = os.fork()
        if pid == 0:  # the child: evaluate, write, leave without running any destructor
            status = 0
            try:
                os.close(read_fd)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                out = io.FileIO(write_fd, "w", closefd=False)
                next(iter(self.store.ox.quads_for_pattern(None, None, None, None)), None)
                bool(self.store.ox.query("ASK { ?s ?p ?o }"))
                out.write(b"R")
                try:
                    kind, mimetype, body, rows, truncated = evaluate(
                        self.store.ox, query, options, choose, self.max_rows, self.prefixes
                    )
                    header = {"ok": True, "kind": kind, "mimetype": mimetype, "rows": rows, "truncated": truncated}
                except QueryFailed as exc:
                    header, body = {"ok": False, "error": exc.kind, "message": exc.message,
                                    "result_kind": exc.result_kind}, b""
                except SyntaxError as exc:
                    header, body = {"ok": False, "error": "syntax", "message": str(exc)}, b""
                except Exception as exc:  # evaluation errors (OSError, RuntimeError, ValueError...)
                    header, body = {"ok": False, "error": "evaluation", "message": f"{type(exc).__name__}: {exc}"}, b""
                data = json.dumps(header).encode() + b"\n" + body
                view = memoryview(data)
                while view:
                    n = out.write(view)
                    view = view[n:]
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write_fd)
        chunks: list[bytes] = []
        probe_deadline = time.monotonic() + self.PROBE_SECONDS
        ready = False
        try:
            while True:
                now = time.monotonic()
                remaining = deadline - now
                if not ready and not last:
                    remaining = min(remaining, probe_deadline - now)
                if remaining <= 0:
                    os.kill(pid, signal.SIGKILL)
                    if not ready and not last and deadline > time.monotonic():
                        return None  # stuck before reading: fork again
                    raise QueryFailed(
                        "timeout", f"the query was stopped after the time limit of {timeout:g} s (query_timeout)"
                    )
                readable, _, _ = select.select([read_fd], [], [], remaining)
                if readable:
                    chunk = os.read(read_fd, 1 << 20)
                    if not chunk:
                        break
                    if not ready:
                        ready = True
                        chunk = chunk[1:]
                    chunks.append(chunk)
        finally:
            os.close(read_fd)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        return b"".join(chunks)
