"""Parallel ingest: read, map, validate and infer in worker processes; one writer puts reports in the store.

The pipeline of ``ingest/pipeline.py`` is CPU-bound Python (YAML, JSON Schema, rdflib, pySHACL), so it runs in a
pool of worker processes (``forkserver`` context where available, else ``spawn``: no forked copies of an open
store). Each worker is initialised once with the reference data the parent computed (the ontology's closure
and the reference closure are never recomputed per report or per worker) and handles chunks of files with
``pipeline.prepare_triples`` (plain triples, no rdflib Graph) and the fast inference path of
``ingest/fastinfer.py`` (proved equal to owlrl by ``tests/test_fastinfer.py``). A worker sends back plain data:
per report its key, the counts, the SHACL problems and its asserted and inferred graphs as N-Triples text, each
term written by Oxigraph (cheap to pickle, no rdflib objects cross the process boundary).

The parent is the only process that opens the store. It writes accepted reports in batches. Reports new to an
on-disk store go in by Oxigraph's bulk loader, up to ``BULK_BATCH`` at a time (``Store.add_new_graphs``: several
times faster than a transaction, made crash-safe by a journal that opening the store replays). Replacements, and
reports with blank nodes, go in as one SPARQL Update per batch of up to ``batch`` reports
(``Store.replace_graphs_nt``), which Oxigraph applies all-or-nothing; a report whose graphs hold blank nodes is
written in an update of its own (blank node labels are scoped to one request). Either way each report is always
whole in the store, even after a SIGKILL. If a batch's write fails, its reports are written one at a time so a bad
one is rejected alone.

Memory stays flat whatever the number of files: at most ``inflight`` chunks are submitted and not yet written
(results are consumed in order, the next chunk is submitted only when one is written), and nothing keeps a
graph of the whole corpus. ``iter_ingest`` yields one small :class:`Outcome` per file, in input order.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef

from ssekg.errors import InputError
from ssekg.store import Store, ntriples

from .fastinfer import infer_triples
from .mapping import intern_iri, seed_nodes
from .pipeline import Outcome, expand_paths, prepare_triples, read_card
from .reference import Reference, ensure_reference, load_reference

#: files per task sent to a worker
CHUNK = 8
#: reports per SPARQL Update
BATCH = 32
#: new reports per bulk load (bigger loads make fewer, larger files for RocksDB to merge: at 10,000 reports on 2
#: cores, 1,024 a load used 124-128 CPU-seconds in all against 130-136 with 256 and 512, 156-161 reports/s
#: against 147-153; the price is memory: the loader's buffers and two loads' worth of prepared reports in flight,
#: a peak of about 1,100 MiB at 10,000 reports against 500 with 256)
BULK_BATCH = 1024
#: most default-graph lines the writer remembers as loaded (about 200 bytes each)
DEFAULT_LINES = 300_000


@dataclass
class Result:
    """What a worker sends back for one file (plain, picklable data)."""

    source: str
    key: str | None = None
    asserted_nt: str = ""
    inferred_nt: str = ""
    asserted: int = 0
    inferred: int = 0
    problems: list = field(default_factory=list)
    reason: str | None = None
    blank_nodes: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # read, map+validate, infer, serialise
    #: the extracted card as JSON, for a report read from a text, when the run keeps cards (``keep_cards``): what
    #: ``ssekg ingest --server`` sends so the server can offer the report for review
    card_json: str | None = None
    #: how many curators' revisions the card has (0: as extracted or written): a report the store holds at a later
    #: revision is not replaced by it
    revision: int = 0

    def outcome(self) -> Outcome:
        if self.reason is not None:
            return Outcome(self.source, False, reason=self.reason)
        return Outcome(self.source, True, self.key, self.asserted, self.inferred, self.problems)


class _WorkerReference(Reference):
    """A Reference whose SHACL mix-in graph is built once (``Reference.for_shapes`` builds it on every call)."""

    @property
    def for_shapes(self) -> Graph:  # type: ignore[override]
        return self.graphs["for-shapes"]


def reference_payload(reference: Reference) -> tuple:
    """What a worker needs of the reference data, in a form that pickles quickly."""
    shapes = reference.for_shapes
    return (reference.base, reference.tbox, reference.known, reference.version,
            shapes.serialize(format="nt", encoding="utf-8"))


def worker_reference(payload: tuple) -> Reference:
    base, tbox, known, version, shapes_nt = payload
    shapes = Graph()
    shapes.parse(data=shapes_nt, format="nt")
    _seed(shapes, tbox)
    canonical = Graph()  # the reference triples with the same objects, for the validator's mix-in
    for triple in shapes:
        canonical.add(tuple(intern_iri(str(t)) if isinstance(t, URIRef) else t for t in triple))
    shapes = canonical
    return _WorkerReference(base, {"for-shapes": shapes}, tbox, known, version)


def _seed(shapes: Graph, tbox: frozenset) -> None:
    """Have the mapper use the very objects the validator and the inference look terms up with.

    rdflib's term equality and hashing are Python code; a dict lookup whose key is the identical object skips
    the equality. So the mapper's countries and concepts are the reference graph's objects, and its vocabulary
    the shapes' and the inference tables' (the last seeded wins).
    """
    from .fastinfer import _TYPE as inference_type
    from .validate import compiled_shapes

    compiled = compiled_shapes()
    seed_nodes(t for triple in shapes for t in triple)
    seed_nodes(t for triple in tbox for t in triple)
    seed_nodes(compiled.predicates if compiled is not None else ())
    seed_nodes([inference_type])


_REFERENCE: Reference | None = None
_KEEP_CARDS = False


def _init_worker(payload: tuple, listed: dict | None = None, review_dir: str | None = None,
                 keep_cards: bool = False, replace_curated: bool = False) -> None:
    global _REFERENCE, _KEEP_CARDS
    _REFERENCE = worker_reference(payload)
    _KEEP_CARDS = keep_cards
    if review_dir:
        from .pipeline import keep_extractions

        keep_extractions(review_dir, replace_curated)  # extracted cards kept for the review page, as in the parent
    if listed:
        from .readers import use_sources

        use_sources(listed)  # the run's sources list (ssekg ingest --sources), as in the parent
    from .fastinfer import compile_rules

    compile_rules(_REFERENCE.tbox)


def prepare_file(path: str, reference: Reference) -> Result:
    """Read, map, validate and infer one file; never raises for bad input (the Result says why)."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        card = read_card(Path(path))
        t1 = time.perf_counter()
        seconds["read"] = t1 - t0
        infer_time = [0.0]

        def timed_infer(*args: Any) -> set:
            start = time.perf_counter()
            try:
                return infer_triples(*args)
            finally:
                infer_time[0] += time.perf_counter() - start

        key, asserted, inferred, problems = prepare_triples(card, path, reference, timed_infer)
        t2 = time.perf_counter()
        seconds["infer"] = infer_time[0]
        seconds["map+validate"] = t2 - t1 - infer_time[0]
    except InputError as exc:
        return Result(path, reason=str(exc), seconds=seconds)
    asserted_nt, inferred_nt = ntriples(asserted), ntriples(inferred)
    card_json = None
    if _KEEP_CARDS:
        from .review import reviewable

        if reviewable(card):
            import json

            card_json = json.dumps(card, ensure_ascii=False)
    # a blank node is written "_:label", so texts without "_:" have none (a literal may hold "_:": then look)
    blank = ("_:" in asserted_nt or "_:" in inferred_nt) and any(
        isinstance(t, BNode) for g in (asserted, inferred) for triple in g for t in triple)
    seconds["serialise"] = time.perf_counter() - t2
    from .review import card_revision

    return Result(path, key, asserted_nt, inferred_nt, len(asserted), len(inferred), problems, None, blank, seconds,
                  card_json, card_revision(card))


def _work(paths: list[str]) -> list[Result]:
    assert _REFERENCE is not None, "worker not initialised"
    out = []
    for path in paths:
        try:
            out.append(prepare_file(path, _REFERENCE))
        except Exception as exc:  # an unexpected failure rejects this file, not the run
            out.append(Result(path, reason=f"{path}: internal error while preparing the report: {exc!r}"))
    return out


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Python 3.11's fork server starts as `python -c …` (so the current directory leads sys.path) and, by default,
    # imports the parent's __main__ there before applying the parent's sys.path. Run from a source checkout, that
    # imports the checkout's ssekg/ folder, where ssekg.ingest does not live, and every worker then fails. With no
    # preload the server imports nothing of ours; each worker sets the parent's sys.path before unpickling.
    context.set_forkserver_preload([])
    return context


def _chunks(paths: Iterable[Path], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for path in paths:
        chunk.append(str(path))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Writer:
    """Collects accepted reports and writes them in batches; outcomes leave in input order, after their write.

    With ``bulk``, reports new to the store (neither of their graphs held, no blank nodes, first of their key in
    the batch) go in through :meth:`Store.add_new_graphs` (Oxigraph's bulk loader, crash-safe by its journal),
    in batches of ``bulk_batch``; the others (replacements, blank nodes) through one SPARQL Update per ``batch``.
    """

    def __init__(self, store: Store, batch: int, bulk: bool = False, bulk_batch: int = BULK_BATCH,
                 replace_curated: bool = False, cube_run: Any = None):
        self.store = store
        self.replace_curated = replace_curated
        self.batch = max(1, batch)
        self.bulk = bulk and store.path is not None
        self.limit = max(1, bulk_batch) if self.bulk else self.batch
        self.pending: list[Result] = []  # every file since the last write, accepted or not, in order
        self.accepted = 0
        self.write_seconds = 0.0
        self.updates = 0
        self.bulk_loads = 0
        # Default-graph lines this run has bulk-loaded about things other reports name too: the people,
        # organisations, cities and programmes that recur across reports restate the same triples, which the
        # loader would parse and sort again (a tenth of its work at 10,000 reports). Lines with the report's key
        # (its own events and statements) are not kept. Forgotten after any update (a replacement may take some
        # out of the default graph) and when full.
        self.in_default: set[str] = set()
        # the comparison cube is brought up to date once, when the run ends (finish), not a batch at a time; a
        # server shares one run across a client's batch requests (``cube_run``) and finishes it itself
        from ssekg.cube import Run

        self.cube = cube_run if cube_run is not None else Run(store)

    def finish(self) -> list[Result]:
        """Write what is left and bring the comparison cube up to date with the whole run."""
        try:
            return self.flush()
        finally:
            self.cube.finish()

    def add(self, result: Result) -> list[Result]:
        self.pending.append(result)
        if result.reason is None:
            self.accepted += 1
        return self.flush() if self.accepted >= self.limit else []

    def flush(self) -> list[Result]:
        done, self.pending, self.accepted = self.pending, [], 0
        if not self.replace_curated:
            self._keep_curated(done)
        reports = [r for r in done if r.reason is None]
        if reports:
            start = time.perf_counter()
            new, others = self._split(reports) if self.bulk else ([], reports)
            if new:
                self._write_safely(new, self._bulk)
            for batch in _updates(others, self.batch):
                self._write_safely(batch, self._update)
            self.write_seconds += time.perf_counter() - start
        return done

    def _keep_curated(self, results: list[Result]) -> None:
        """Refuse to replace a report curators corrected with an older revision of it (its text ingested again)."""
        from .review import curated_refusal, stored_revisions

        stored = stored_revisions(self.store, [r.key for r in results if r.reason is None and r.key])
        for r in results:
            if r.reason is None and stored.get(r.key, 0) > r.revision:
                r.reason = curated_refusal(r.source, r.key, stored[r.key], r.revision)

    def _split(self, reports: list[Result]) -> tuple[list[Result], list[Result]]:
        from ssekg.namespaces import inferred_graph_iri, report_iri

        base = self.store.base
        new: list[Result] = []
        others: list[Result] = []
        keys: set[str] = set()
        for r in reports:
            fresh = (not r.blank_nodes and r.key not in keys
                     and not self.store.has_graph(report_iri(base, r.key))
                     and not self.store.has_graph(inferred_graph_iri(base, r.key)))
            (new if fresh else others).append(r)
            keys.add(r.key)
        return new, others

    def _write_safely(self, reports: list[Result], write: Callable[[list[Result]], None]) -> None:
        try:
            write(reports)
        except Exception:
            for report in reports:  # find the report the store refused; the others go in alone
                try:
                    self._update([report])
                except Exception as exc:
                    report.reason = (f"{report.source}: the store refused the report ({exc}); "
                                     "nothing of it was stored")

    def _graphs(self, reports: list[Result]) -> dict[str, str]:
        from ssekg.namespaces import inferred_graph_iri, report_iri

        base = self.store.base
        graphs: dict[str, str] = {}
        for r in reports:
            graphs[report_iri(base, r.key)] = r.asserted_nt
            graphs[inferred_graph_iri(base, r.key)] = r.inferred_nt
        return graphs

    def _update(self, reports: list[Result]) -> None:
        self.in_default.clear()  # a replacement may take triples out of the default graph
        graphs = self._graphs(reports)
        self.cube.before_write(graphs)
        self.store.replace_graphs_nt(graphs, maintain=False)
        self.updates += 1

    def _bulk(self, reports: list[Result]) -> None:
        graphs = self._graphs(reports)
        seen = self.in_default
        lines: dict[str, None] = {}
        shared: list[str] = []
        for r in reports:
            for line in (r.asserted_nt + r.inferred_nt).splitlines(keepends=True):
                if line not in seen and line not in lines:
                    lines[line] = None
                    if r.key not in line:  # a line naming the report's key (its events, statements) never recurs
                        shared.append(line)
        self.cube.before_write(graphs, new=True)
        self.store.add_new_graphs(graphs, default="".join(lines), maintain=False)
        if len(seen) + len(shared) > DEFAULT_LINES:
            seen.clear()
        seen.update(shared)  # only once they are in: a failed load leaves the set as it was
        self.bulk_loads += 1


def _updates(reports: list[Result], size: int) -> Iterator[list[Result]]:
    """Batches for SPARQL Update; a report with blank nodes alone (labels are scoped to one request)."""
    batch: list[Result] = []
    for r in reports:
        if r.blank_nodes:
            if batch:
                yield batch
                batch = []
            yield [r]
            continue
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class Stats:
    """Totals of one run, for the benchmark."""

    files: int = 0
    accepted: int = 0
    triples: int = 0
    write_seconds: float = 0.0
    updates: int = 0
    bulk_loads: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)


def iter_ingest(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = None,
    chunk: int = CHUNK,
    batch: int = BATCH,
    inflight: int | None = None,
    stats: Stats | None = None,
    bulk: bool = True,
    bulk_batch: int = BULK_BATCH,
    replace_curated: bool = False,
) -> Iterator[Outcome]:
    """Ingest every card and report under ``paths``; yields one Outcome per file, in input order.

    ``jobs`` worker processes (default: the machine's cores); ``jobs=1`` runs everything in this process
    (same code, same batching, no pool). At most ``inflight`` chunks of ``chunk`` files are being prepared or
    waiting to be written at any time (default: two bulk loads' worth, at least 4 a worker). ``bulk`` lets
    reports new to an on-disk store go in through Oxigraph's bulk loader (see :class:`_Writer`); False writes
    every batch as a SPARQL Update.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    reference = load_reference(store.base, store)
    ensure_reference(store, reference)
    writer = _Writer(store, batch, bulk=bulk, bulk_batch=bulk_batch, replace_curated=replace_curated)
    stats = stats if stats is not None else Stats()

    def account(results: list[Result]) -> Iterator[Outcome]:
        for r in results:
            stats.files += 1
            for name, value in r.seconds.items():
                stats.stage_seconds[name] = stats.stage_seconds.get(name, 0.0) + value
            if r.reason is None:
                stats.accepted += 1
                stats.triples += r.asserted + r.inferred
            yield r.outcome()

    for results in iter_prepared(paths, reference, jobs=jobs, chunk=chunk,
                                 inflight=inflight or max(4 * jobs, 2 * bulk_batch // chunk)):
        for result in results:
            yield from account(writer.add(result))
    yield from account(writer.finish())
    stats.write_seconds = writer.write_seconds
    stats.updates = writer.updates
    stats.bulk_loads = writer.bulk_loads


def iter_prepared(paths: Iterable[str | os.PathLike[str]], reference: Reference, *, jobs: int | None = None,
                  chunk: int = CHUNK, inflight: int | None = None, keep_cards: bool = False) -> Iterator[list[Result]]:
    """Each chunk of files read, mapped, validated and inferred by ``jobs`` workers: lists of Results, in input order.

    At most ``inflight`` chunks are submitted and not yet consumed (the next is submitted only when one is taken), so
    memory stays flat. ``keep_cards`` puts each extracted card (of a report read from a text) in its Result.
    """
    global _KEEP_CARDS
    jobs = max(1, jobs or os.cpu_count() or 1)
    files = expand_paths(paths)
    if jobs == 1:
        local = worker_reference(reference_payload(reference))
        previous, _KEEP_CARDS = _KEEP_CARDS, keep_cards
        try:
            for chunk_paths in _chunks(files, chunk):
                yield _work_local(chunk_paths, local)
        finally:
            _KEEP_CARDS = previous
        return
    # enough chunks in flight for the workers to keep going while the writer bulk-loads a batch (about a second
    # for 256 reports): with 4 a worker they sat idle, 66-75 reports/s on 2,000 reports against 88-90 with 64
    # (two loads' worth)
    limit = inflight or 4 * jobs
    from . import pipeline
    from .readers import _LISTED

    review_dir = str(pipeline._REVIEW_DIR) if pipeline._REVIEW_DIR else None
    with _context().Pool(jobs, initializer=_init_worker,
                         initargs=(reference_payload(reference), dict(_LISTED), review_dir, keep_cards,
                                   pipeline._REPLACE_CURATED)) as pool:
        queue: deque = deque()
        chunks = _chunks(files, chunk)
        for chunk_paths in chunks:
            queue.append(pool.apply_async(_work, (chunk_paths,)))
            if len(queue) >= limit:
                break
        while queue:
            results = queue.popleft().get()
            nxt = next(chunks, None)
            if nxt is not None:
                queue.append(pool.apply_async(_work, (nxt,)))
            yield results


def _work_local(paths: list[str], reference: Reference) -> list[Result]:
    global _REFERENCE
    _REFERENCE = reference
    return _work(paths)


def ingest_parallel(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    **options: Any,
) -> list[Outcome]:
    """Like ``pipeline.ingest_paths``, with ``jobs`` worker processes: one Outcome per file, in input order."""
    outcomes = []
    for outcome in iter_ingest(store, paths, jobs=jobs, **options):
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes
