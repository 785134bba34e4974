"""Run SPARQL queries with an enforced timeout, in a pool of pre-forked reader processes.

pyoxigraph has no timeout and no cancellation (oxigraph issues #1336, #1926), and a thread cannot be stopped
from Python. A forked child can: it inherits the open store (a copy-on-write image of the process, taken while
no write is in progress), evaluates the query, serialises the answer into a pipe and leaves with ``os._exit``
(no destructor runs, so the child never touches the RocksDB files beyond reading). The parent reads the pipe
with a deadline; when the deadline passes it SIGKILLs the child, which stops the evaluation for good, and the
client gets a clear error. Other requests are served by other threads meanwhile (a blocked ``select`` holds
no lock and no GIL).

Consistency: forking takes the exclusive side of a readers-writer lock, as writes do, so a child's image never
holds a half-applied write; the child then answers from the snapshot it was forked with (snapshot isolation).
In-process reads (Linked Data pages, GSP GET) take the shared side.

A fork per query cost ~20 ms on a 1,000-report store (it grows with the server's memory), so forked readers are
kept and reused: a reader serves many queries, one at a time, over a pair of pipes. It answers from the snapshot
it was forked with, so it is used only while no write happened since its fork (``RWLock.generation``); a stale
reader is retired (killed while idle) and a fresh one forked on demand: every query sees every write committed
before it started, and never half of one. A reader past its deadline is SIGKILLed and never reused.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import stat
import struct
import select
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ssekg.binding import bind_values

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class RWLock:
    """Many readers or one writer; writers are not starved (new readers wait while a writer waits)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0
        #: bumped when an exclusive holder that may have written lets go: readers forked before are stale
        self.generation = 0

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
    def exclusive(self, write: bool = True) -> Iterator[None]:
        """The exclusive side; ``write=False`` for a holder that changes nothing (a fork)."""
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
                if write:
                    self.generation += 1
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
    #: where the time went, in seconds by stage (``Server-Timing``): ``reader`` (a reader taken from the pool, or
    #: forked), ``engine`` (evaluated and serialised in the reader), ``handoff`` (the request and the answer
    #: through the pipes)
    stages: dict[str, float] = field(default_factory=dict)


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
    substitutions = options.pop("substitutions", None)
    if substitutions:  # written in as terms, as Store.query and the remote runner do: Oxigraph's pre-binding cannot
        query = bind_values(query, substitutions)  # use a value for an index lookup (2.6x slower named queries)
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
        if isinstance(result, ox.QuerySolutions) and {v.value for v in result.variables} - set(hidden):
            body, rows_written, truncated = solutions_natively(result, chosen[1], max_rows, hidden)
            return "solutions", chosen[0], body, rows_written, truncated
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


class _Enough(Exception):
    """Raised into pyoxigraph's serialiser to stop it once the rows wanted are written."""


class _RowSink:
    """A binary sink for pyoxigraph's TSV serialiser that keeps the header line and the first ``max_rows`` rows.

    In SPARQL TSV one line is one row (a term's tabs and line breaks are escaped), so rows are counted by line
    breaks; at the first line past ``max_rows`` rows the serialiser is stopped (the answer is then truncated)."""

    def __init__(self, max_rows: int):
        self.wanted = max_rows + 1  # the header line and max_rows rows
        self.chunks: list[bytes] = []
        self.lines = 0
        self.truncated = False

    def write(self, data: bytes) -> int:
        data = bytes(data)
        lines = data.count(b"\n")
        if self.lines + lines > self.wanted:
            cut = -1
            for _ in range(self.wanted - self.lines):
                cut = data.index(b"\n", cut + 1)
            self.chunks.append(data[: cut + 1])
            self.lines = self.wanted
            self.truncated = True
            raise _Enough
        self.chunks.append(data)
        self.lines += lines
        return len(data)

    def flush(self) -> None:
        pass


def solutions_natively(result: ox.QuerySolutions, fmt: Any, max_rows: int,
                       hidden: set[str] | frozenset[str] = frozenset()) -> tuple[bytes, int, bool]:
    """Solutions serialised by the engine (body, rows, truncated): 2-5x cheaper than term by term in Python.

    The engine writes TSV, which keeps every term exactly (N-Triples syntax), into a sink that stops it past
    ``max_rows``; the ``hidden`` columns (a named query's parameters) are cut out of it by tab, which no term
    holds unescaped; any other format is the engine's reading of that TSV written out again, in native code."""
    sink = _RowSink(max_rows)
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except Exception:
        if not sink.truncated:  # an evaluation error, not our stop
            raise
    tsv = b"".join(sink.chunks)
    rows = max(sink.lines - 1, 0)
    if hidden:
        lines = tsv.split(b"\n")[:-1]  # every line ends with a line break
        keep = [i for i, name in enumerate(lines[0].split(b"\t")) if name.decode()[1:] not in hidden]
        tsv = b"".join(b"\t".join(cells[i] for i in keep) + b"\n" for cells in (line.split(b"\t") for line in lines))
    if fmt == ox.QueryResultsFormat.TSV:
        return tsv, rows, sink.truncated
    return ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt), rows, sink.truncated


KINDS = ("solutions", "boolean", "graph")
_LEN = struct.Struct("!Q")


def _encode_choice(chosen: Any) -> Any:
    """A chooser's answer in a picklable form (pyoxigraph's format objects do not pickle; ours are functions)."""
    if chosen is None:
        return None
    mime, fmt = chosen
    if isinstance(fmt, ox.QueryResultsFormat):
        return mime, ("qr", fmt.media_type)
    if isinstance(fmt, ox.RdfFormat):
        return mime, ("rdf", fmt.media_type)
    return mime, ("py", fmt)


def _decode_choice(encoded: Any) -> Any:
    if encoded is None:
        return None
    mime, (tag, value) = encoded
    if tag == "qr":
        return mime, ox.QueryResultsFormat.from_media_type(value)
    if tag == "rdf":
        return mime, ox.RdfFormat.from_media_type(value)
    return mime, value


def _read_exact(fd: int, n: int) -> bytes | None:
    """n bytes from a blocking fd, or None at end of file."""
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _close_foreign_fds(keep: set[int]) -> None:
    """In a reader: close the sockets and pipes it inherited (clients' connections, the listening socket, other
    readers' pipes), so that a connection the server closes is really closed and a reader's pipe sees EOF when the
    server lets go of it. Regular files (the store's) stay open."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        if fd <= 2 or fd in keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
            with contextlib.suppress(OSError):
                os.close(fd)


class _Reader:
    """A pre-forked reader process: requests go down ``wfd``, answers come up ``rfd``."""

    __slots__ = ("pid", "pidfd", "wfd", "rfd", "generation", "queries", "child", "dead")

    def __init__(self, pid: int, wfd: int, rfd: int, generation: int, child: bool):
        self.pid, self.wfd, self.rfd, self.generation, self.child = pid, wfd, rfd, generation, child
        self.queries = 0
        self.dead = False
        self.pidfd = -1
        if not child and pid > 0 and hasattr(os, "pidfd_open"):
            with contextlib.suppress(OSError):
                self.pidfd = os.pidfd_open(pid)

    def kill(self) -> None:
        """SIGKILL (idle or running, it never wrote anything), close our ends, reap it if it is our child."""
        if self.dead:
            return
        self.dead = True
        with contextlib.suppress(OSError):
            if self.pidfd >= 0:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            elif self.pid > 0:
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.wfd, self.rfd, self.pidfd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if self.child and self.pid > 0:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


def _kill_all(readers: list[_Reader]) -> None:
    while readers:
        readers.pop().kill()


class QueryRunner:
    """Evaluates queries in pre-forked reader processes with a deadline; one per server process.

    ``detach``: fork readers as grandchildren that leave us (double fork), for a server whose parent reaps them
    (``ssekg serve`` makes gunicorn's arbiter a child subreaper); else they are our children and we reap them.
    """

    #: seconds a forked reader has to show it can read the store before it is taken for stuck and forked again
    PROBE_SECONDS = 1.0
    ATTEMPTS = 3
    #: a reader is retired after this many queries (its copy-on-write pages grow as it works)
    MAX_QUERIES = 1000

    def __init__(self, store: Any, lock: RWLock, timeout: float, max_rows: int, prefixes: dict[str, str],
                 max_idle: int = 16, detach: bool = False):
        self.store = store  # an ssekg.store.Store
        self.lock = lock
        self.timeout = timeout
        self.max_rows = max_rows
        self.prefixes = prefixes
        self.max_idle = max_idle
        self.detach = detach
        self._idle: list[_Reader] = []
        self._pool_lock = threading.Lock()
        self.retries = 0  # readers killed and forked again because they could not read the store
        self.forked = 0  # readers forked
        self.retired = 0  # readers retired (stale after a write, worn out, or over max_idle)
        self.killed = 0  # readers killed at a deadline or after a failure
        # idle readers die with the runner (an app dropped by a test) and at interpreter exit
        self._finalizer = weakref.finalize(self, _kill_all, self._idle)

    # ----------------------------------------------------------------------------------------- the public API
    def run(self, query: str, options: dict[str, Any], choose: Chooser, timeout: float | None = None) -> Answer:
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        deadline = started + timeout
        choices = {kind: _encode_choice(choose(kind)) for kind in KINDS}
        request = pickle.dumps((query, options, choices), protocol=pickle.HIGHEST_PROTOCOL)
        reader = self._acquire(deadline, timeout)
        acquired = time.monotonic()
        ok = False
        try:
            data = self._exchange(reader, request, deadline, timeout)
            ok = True
        finally:
            if ok:
                self._release(reader)
            else:
                reader.kill()
                self.killed += 1
        newline = data.find(b"\n")
        if newline < 0:
            raise QueryFailed("evaluation", "the query process ended without an answer")
        header = json.loads(data[:newline])
        if not header["ok"]:
            raise QueryFailed(header["error"], header["message"], header.get("result_kind"))
        finished = time.monotonic()
        engine = header.get("engine", 0.0)
        stages = {"reader": acquired - started, "engine": engine, "handoff": max(finished - acquired - engine, 0.0)}
        return Answer(
            header["kind"], header["mimetype"], data[newline + 1 :], header["rows"], header["truncated"],
            finished - started, stages,
        )

    def close(self) -> None:
        """Kill every idle reader (readers at work are killed when their query ends or times out)."""
        with self._pool_lock:
            idle = list(self._idle)
            self._idle.clear()
        for reader in idle:
            reader.kill()

    @property
    def idle(self) -> int:
        return len(self._idle)

    # ------------------------------------------------------------------------------------------------ the pool
    def _acquire(self, deadline: float, timeout: float) -> _Reader:
        stale: list[_Reader] = []
        reader = None
        with self._pool_lock:
            generation = self.lock.generation
            while self._idle:
                candidate = self._idle.pop()
                if candidate.generation == generation:
                    reader = candidate
                    break
                stale.append(candidate)
        for old in stale:
            old.kill()
            self.retired += 1
        if reader is not None:
            return reader
        for attempt in range(self.ATTEMPTS):
            reader = self._fork(deadline, timeout, last=attempt == self.ATTEMPTS - 1)
            if reader is not None:
                return reader
            self.retries += 1
        raise QueryFailed("evaluation", "no query process could read the store")  # pragma: no cover

    def _release(self, reader: _Reader) -> None:
        reader.queries += 1
        with self._pool_lock:
            if (reader.generation == self.lock.generation and reader.queries < self.MAX_QUERIES
                    and len(self._idle) < self.max_idle):
                self._idle.append(reader)
                return
        reader.kill()
        self.retired += 1

    def _fork(self, deadline: float, timeout: float, last: bool) -> _Reader | None:
        """Fork one reader; None if it could not read the store within PROBE_SECONDS (try again).

        A process forked while another thread (a RocksDB background flush or compaction) holds one of the
        library's internal mutexes inherits that mutex locked, and would wait on it for ever. The reader first
        reads the store and sends one byte and its pid; a reader that cannot is killed and the fork is tried again.
        """
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        with self.lock.exclusive(write=False):
            generation = self.lock.generation
            pid = os.fork()
        if pid == 0:
            status = 0
            try:
                if self.detach and os.fork() != 0:
                    os._exit(0)  # the middle process: the reader goes to our parent's reaper
                os.close(req_w)
                os.close(resp_r)
                self._serve(req_r, resp_w)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(req_r)
        os.close(resp_w)
        if self.detach:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.forked += 1
        probe_deadline = deadline if last else min(deadline, time.monotonic() + self.PROBE_SECONDS)
        hello = self._read(resp_r, 5, probe_deadline)  # b"P" + the reader's pid (the detached reader's is new to us)
        if hello is not None and len(hello) == 5 and hello[:1] == b"P":
            pid = struct.unpack("!I", hello[1:])[0]
        elif self.detach:
            pid = 0  # unknown (the middle process's pid is reaped, maybe reused): never signalled
        reader = _Reader(pid, req_w, resp_r, generation, child=not self.detach)
        ready = self._read(resp_r, 1, probe_deadline) if hello is not None and len(hello) == 5 else None
        if ready == b"R":
            return reader
        reader.kill()
        if not last and time.monotonic() < deadline:
            return None
        if time.monotonic() >= deadline:
            raise QueryFailed("timeout", f"the query was stopped after the time limit of {timeout:g} s (query_timeout)")
        raise QueryFailed("evaluation", "the query process could not read the store")

    # -------------------------------------------------------------------------------------------- the parent
    @staticmethod
    def _read(fd: int, n: int, deadline: float) -> bytes | None:
        """Up to n bytes before the deadline; None at the deadline, the bytes so far (maybe b"") at EOF."""
        chunks: list[bytes] = []
        got = 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _exchange(self, reader: _Reader, request: bytes, deadline: float, timeout: float) -> bytes:
        try:
            _write_all(reader.wfd, _LEN.pack(len(request)) + request)
        except OSError:
            raise QueryFailed("evaluation", "the query process ended without an answer") from None
        head = self._read(reader.rfd, _LEN.size, deadline)
        if head is not None and len(head) == _LEN.size:
            (size,) = _LEN.unpack(head)
            data = self._read(reader.rfd, size, deadline)
            if data is not None and len(data) == size:
                return data
        if time.monotonic() >= deadline:
            raise QueryFailed("timeout", f"the query was stopped after the time limit of {timeout:g} s (query_timeout)")
        raise QueryFailed("evaluation", "the query process ended without an answer")

    # -------------------------------------------------------------------------------------------- the reader
    def _serve(self, rfd: int, wfd: int) -> None:
        """The reader's loop: one request at a time until EOF on its request pipe."""
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _close_foreign_fds({rfd, wfd})
        _write_all(wfd, b"P" + struct.pack("!I", os.getpid()))
        next(iter(self.store.ox.quads_for_pattern(None, None, None, None)), None)
        bool(self.store.ox.query("ASK { ?s ?p ?o }"))
        _write_all(wfd, b"R")
        while True:
            head = _read_exact(rfd, _LEN.size)
            if head is None:
                return
            payload = _read_exact(rfd, _LEN.unpack(head)[0])
            if payload is None:
                return
            query, options, choices = pickle.loads(payload)
            decoded = {kind: _decode_choice(value) for kind, value in choices.items()}
            began = time.monotonic()
            try:
                kind, mimetype, body, rows, truncated = evaluate(
                    self.store.ox, query, options, decoded.get, self.max_rows, self.prefixes
                )
                header = {"ok": True, "kind": kind, "mimetype": mimetype, "rows": rows, "truncated": truncated,
                          "engine": time.monotonic() - began}
            except QueryFailed as exc:
                header, body = {"ok": False, "error": exc.kind, "message": exc.message,
                                "result_kind": exc.result_kind}, b""
            except SyntaxError as exc:
                header, body = {"ok": False, "error": "syntax", "message": str(exc)}, b""
            except Exception as exc:  # evaluation errors (OSError, RuntimeError, ValueError...)
                header, body = {"ok": False, "error": "evaluation", "message": f"{type(exc).__name__}: {exc}"}, b""
            data = json.dumps(header).encode() + b"\n" + body
            _write_all(wfd, _LEN.pack(len(data)) + data)
