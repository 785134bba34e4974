"""The benchmark of issue 6: ingest, queries and HTTP, against the straightforward stack and raw Oxigraph.

``make bench`` (= ``python bench/run.py``) runs N = 1,000; ``--n 10000`` or ``--full`` (1,000, 10,000 and
100,000) run the larger corpora. Everything is measured in one run and printed as one table per N, with the
machine's core count and load; results go to ``bench/results/DATE-HOST-nN.json`` and ``.md``.

What is measured (see bench/README.md for the method and its caveats):

- ingest, ours: ``ingest/parallel.py`` over the cards, in a child process, with every core and pinned to one
  core; reports/s, triples/s, the time of each stage inside it and peak resident memory of the process tree;
- each stage on its own, in this process, on a sample: card reading, mapping, SHACL, OWL RL (owlrl and the
  fast path), store writes (one update per report and per batch), extraction from the texts;
- the straightforward stack: one rdflib Graph in memory, pySHACL and owlrl over the whole graph (on a timed
  subset and extrapolated linearly when N is too large, which flatters it: owlrl is not linear);
- raw pyoxigraph: bulk-load rate of the same quads, and query times in memory and on disk (the limit);
- every named query of ``queries/`` (and two bench queries: a lookup and the country × category matrix):
  median and 95th percentile, on our store, raw pyoxigraph, rdflib's engine, through ``ssekg serve`` and the
  ``oxigraph`` server (when installed);
- HTTP requests/s for the lookup and the matrix at concurrency 1, 8 and 32 from a bounded load generator
  (threads, keep-alive, 127.0.0.1 only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

RESULTS = HERE / "results"
CORPUS = HERE / "corpus"
#: the straightforward stack runs on at most this many reports; beyond, it is extrapolated (at 100,000 its one
#: rdflib graph would need ~20 GiB and hours of owlrl)
BASELINE_MAX = 10000
#: rdflib's engine is given the dump only up to this many quads (≈ 10,000 reports; ~1 KiB of memory a quad)
RDFLIB_MAX_QUADS = 6_000_000

LOOKUP = """SELECT DISTINCT ?event ?label ?country WHERE {
  ?event sse:hostCountry ?country ; rdfs:label ?label .
}"""
POINT_NAME = "bench:point (one event's properties)"
POINT = """SELECT ?p ?o WHERE { ?event ?p ?o }"""
MATRIX = """SELECT ?country ?category (COUNT(DISTINCT ?statement) AS ?n) WHERE {
  ?event sse:participatingCountry ?country ; sse:challenge ?statement .
  ?statement sse:category ?category .
} GROUP BY ?country ?category"""


# =========================================================================================== small helpers


def now() -> float:
    return time.perf_counter()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def repeat(fn: Callable[[], Any], reps: int, budget: float, warmup: int = 1) -> list[float]:
    """Run ``fn`` ``warmup`` times, then up to ``reps`` times or until ``budget`` seconds are spent.

    A warm-up run longer than ``budget`` is kept as the one measurement (a slow query is not run again and
    again: its first run is not dominated by cold caches).
    """
    for _ in range(warmup):
        t = now()
        fn()
        if now() - t > budget:
            return [now() - t]
    times: list[float] = []
    started = now()
    while len(times) < reps and (len(times) < 1 or now() - started < budget):
        t = now()
        fn()
        times.append(now() - t)
    return times


def summary(times: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(times), "p95": pct(times, 0.95), "runs": len(times)} if times else {}


def rss_of_tree(root: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            fields = stat[stat.rindex(")") + 2 :].split()
            pid, ppid = int(entry), int(fields[1])
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process tree every 0.2 s; ``peak`` is the largest sum seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, rss_of_tree(self.pid))
            self._halt.wait(0.2)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def run_child(args: list[str], timeout: float | None = None) -> tuple[dict[str, Any], int]:
    """Run ``python bench/run.py <args>`` and return the JSON it prints last, and its peak tree memory."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    watch = PeakMemory(proc.pid)
    watch.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        watch.stop()
        return {"error": f"timed out after {timeout} s", "stderr": err[-2000:]}, 0
    peak = watch.stop()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}", "stderr": err[-3000:]}, peak
    return json.loads(lines[-1]), peak


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, timeout: float, proc: subprocess.Popen) -> bool:
    deadline = now() + timeout
    while now() < deadline:
        if proc.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def machine() -> dict[str, Any]:
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for name in ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "Flask", "gunicorn"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = None
    return {
        "host": platform.node(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
        "versions": versions,
    }


# ============================================================================================ child: ingest


def child_ingest(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--cpus", default="")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})  # inherited by the workers
    from ssekg.ingest.parallel import Stats, iter_ingest
    from ssekg.ingest.reference import load_reference
    from ssekg.store import Store

    t0 = now()
    store = Store.open(args.store)
    load_reference(store.base, store)  # computes the reference closure once (cached for iter_ingest)
    setup = now() - t0
    stats = Stats()
    rejected: list[str] = []
    t1 = now()
    for outcome in iter_ingest(store, args.paths, jobs=args.jobs, stats=stats):
        if not outcome.accepted and len(rejected) < 5:
            rejected.append(outcome.reason or "")
    seconds = now() - t1
    t2 = now()
    store.close()
    close = now() - t2
    print(json.dumps({
        "seconds": seconds + close, "setup_seconds": setup, "files": stats.files, "accepted": stats.accepted,
        "triples": stats.triples, "stage_cpu_seconds": stats.stage_seconds, "write_seconds": stats.write_seconds,
        "updates": stats.updates, "bulk_loads": stats.bulk_loads, "rejected_examples": rejected, "jobs": args.jobs,
        "cpus": sorted(os.sched_getaffinity(0)),
    }))
    return 0


# ================================================================================ child: straightforward stack


def child_baseline(argv: list[str]) -> int:
    """One rdflib Graph in memory; read and map every card into it; pySHACL and owlrl over the whole graph."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", required=True)
    args = parser.parse_args(argv)
    paths = [Path(p) for p in Path(args.list).read_text().splitlines() if p]
    from rdflib import Graph

    from ssekg.ingest.cards import load_card
    from ssekg.ingest.infer import infer
    from ssekg.ingest.mapping import card_to_graph
    from ssekg.ingest.reference import load_reference
    from ssekg.ingest.validate import validate

    reference = load_reference()
    shapes_reference = reference.for_shapes
    t0 = now()
    graph = Graph()
    for path in paths:
        for triple in card_to_graph(load_card(path), base=reference.base, source=str(path)):
            graph.add(triple)
    t1 = now()
    validation = validate(graph, shapes_reference, subset=False, engine="pyshacl")  # the straightforward stack: pySHACL
    t2 = now()
    inferred = infer(graph, reference.tbox, reference.known, reference.base)
    for triple in inferred:
        graph.add(triple)
    t3 = now()
    print(json.dumps({
        "reports": len(paths), "triples": len(graph), "asserted": len(graph) - len(inferred),
        "read_map_seconds": t1 - t0, "shacl_seconds": t2 - t1, "owlrl_seconds": t3 - t2, "seconds": t3 - t0,
        "conforms": validation.conforms,
    }))
    return 0


# ===================================================================================== child: rdflib queries


def child_rdflib_queries(argv: list[str]) -> int:
    """rdflib's SPARQL engine on the same data (loaded from the N-Quads dump of our store's default graph)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--total-budget", type=float, default=900.0)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before one query is given up")
    args = parser.parse_args(argv)
    from rdflib import Dataset, URIRef
    from rdflib.plugins.sparql import prepareQuery

    from ssekg.namespaces import prefixes_for
    from ssekg.store import from_ox
    import pyoxigraph as ox

    specs = json.loads(Path(args.queries).read_text())
    t0 = now()
    # the same dataset as ours: the named graphs, and the default graph holding their union (GRAPH ?g works)
    graph = Dataset(default_union=False)
    named: dict[str, Any] = {}
    with open(args.data, "rb") as f:  # read with Oxigraph's parser (rdflib's own is much slower)
        for quad in ox.parse(f, format=ox.RdfFormat.N_QUADS):
            triple = (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
            if isinstance(quad.graph_name, ox.DefaultGraph):
                graph.default_context.add(triple)
            else:
                name = quad.graph_name.value
                if name not in named:
                    named[name] = graph.graph(URIRef(name))
                named[name].add(triple)
    load = now() - t0
    out: dict[str, Any] = {"load_seconds": load, "triples": len(graph.default_context), "queries": {}}
    started = now()
    for spec in specs:
        if now() - started > args.total_budget:
            out["queries"][spec["name"]] = {"skipped": "total rdflib budget spent"}
            continue
        namespaces = prefixes_for(spec["base"])
        query = prepareQuery(bound_text(spec), initNs=namespaces)
        rows = [0]

        def run() -> None:
            rows[0] = sum(1 for _ in graph.query(query))

        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(int(args.timeout))  # rdflib evaluates in Python: the alarm interrupts it
        try:
            t = now()
            run()
            first = now() - t
            times = [first]
            if first < args.budget:
                times += repeat(run, args.reps - 1, args.budget, warmup=0)
            out["queries"][spec["name"]] = {**summary(times), "rows": rows[0]}
        except _Timeout:
            out["queries"][spec["name"]] = {"timeout": args.timeout, "lower_bound": args.timeout}
        except Exception as exc:
            out["queries"][spec["name"]] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        finally:
            signal.alarm(0)
    print(json.dumps(out))
    return 0


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def _ox_term(text: str) -> Any:
    """An RDF term from its N-Triples form (as str(term) of pyoxigraph writes it)."""
    import pyoxigraph as ox

    (quad,) = ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    return quad.object


# ============================================================================================ stages


def measure_stages(cards: list[Path], texts: list[Path], owlrl_sample: int, workdir: Path) -> dict[str, Any]:
    """Each stage on its own, one core, on a sample of the corpus."""

    from ssekg.ingest.cards import load_card
    from ssekg.ingest.fastinfer import fast_infer
    from ssekg.ingest.infer import infer
    from ssekg.ingest.mapping import card_key, card_to_graph
    from ssekg.ingest.parallel import reference_payload, worker_reference
    from ssekg.ingest.reference import ensure_reference, load_reference
    from ssekg.ingest.validate import validate
    from ssekg.namespaces import inferred_graph_iri, report_iri
    from ssekg.store import Store, ntriples

    out: dict[str, Any] = {}
    t = now()
    reference = load_reference()
    out["reference_closure_seconds"] = now() - t
    local = worker_reference(reference_payload(reference))
    shapes = local.for_shapes

    def rate(name: str, seconds: float, reports: int, triples: int) -> None:
        out[name] = {"reports": reports, "seconds": seconds, "reports_per_s": reports / seconds if seconds else None,
                     "triples_per_s": triples / seconds if seconds else None}

    t = now()
    parsed = [load_card(p) for p in cards]
    read = now() - t
    t = now()
    graphs = [card_to_graph(c, base=reference.base, source=str(p)) for c, p in zip(parsed, cards)]
    mapping = now() - t
    asserted = sum(len(g) for g in graphs)
    rate("read card", read, len(cards), asserted)
    rate("map", mapping, len(cards), asserted)
    t = now()
    for g in graphs:
        validate(g, shapes)
    rate("SHACL (compiled shapes)", now() - t, len(cards), asserted)
    few = graphs[:owlrl_sample]
    t = now()
    for g in few:
        validate(g, shapes, engine="pyshacl")
    rate("SHACL (pySHACL)", now() - t, len(few), sum(len(g) for g in few))
    t = now()
    inferred = [fast_infer(g, reference.tbox, reference.known, reference.base) for g in graphs]
    rate("OWL RL (fast path)", now() - t, len(cards), sum(len(i) for i in inferred))
    few = graphs[:owlrl_sample]
    t = now()
    for g in few:
        infer(g, reference.tbox, reference.known, reference.base)
    rate("OWL RL (owlrl)", now() - t, len(few), sum(len(i) for i in inferred[: len(few)]))
    bodies = [(card_key(c), ntriples(g), ntriples(i)) for c, g, i in zip(parsed, graphs, inferred)]
    triples = asserted + sum(len(i) for i in inferred)
    for label, batch, bulk in (("store, 1 report per update", 1, False), ("store, 32 reports per update", 32, False),
                               ("store, bulk load of new reports (journalled)", 256, True)):
        path = workdir / f"stage-store-{batch}"
        shutil.rmtree(path, ignore_errors=True)
        store = Store.open(path)
        ensure_reference(store, reference)
        t = now()
        for k in range(0, len(bodies), batch):
            graphs_nt = {}
            for key, a, i in bodies[k : k + batch]:
                graphs_nt[report_iri(store.base, key)] = a
                graphs_nt[inferred_graph_iri(store.base, key)] = i
            (store.add_new_graphs if bulk else store.replace_graphs_nt)(graphs_nt)
        store.close()
        rate(label, now() - t, len(bodies), triples)
        del store
        gc.collect()
        shutil.rmtree(path, ignore_errors=True)
    try:
        from ssekg.ingest.extract import extract
        from ssekg.ingest.readers import read_report
    except ImportError as exc:
        out["extraction"] = {"n/a": f"the extractor is not importable: {exc}"}
    else:
        # the first report pays the start-up (models opened, lexicon regexes compiled) once a process: timed apart
        t = now()
        if texts:
            try:
                extract(read_report(texts[0]))
            except Exception:
                pass
        out["extraction start-up (first report), s"] = round(now() - t, 3)
        t = now()
        ok = 0
        for p in texts:
            try:
                extract(read_report(p))
                ok += 1
            except Exception:
                pass
        rate("extraction (text → card)", now() - t, len(texts), 0)
        out["extraction (text → card)"]["extracted"] = ok
    out["sample"] = len(cards)
    return out


# ============================================================================================ queries


def query_specs(store_base: str, event: str | None = None) -> list[dict[str, Any]]:
    """Every named query with its required parameters and optional country bound (defaults, or a frequent value),
    plus the bench's own: a lookup, a point lookup of ``event`` (one resource's properties) and a matrix."""
    import pyoxigraph as ox

    from ssekg.query import bind_params, named_queries

    specs = []
    for name, named in sorted(named_queries().items()):
        pairs: dict[str, str] = {}
        countries = iter(["MA", "SN", "TN"])
        for param in named.params:
            # optional year and type filters stay unset: the view an analyst opens first
            if param.default or (param.optional and param.type != "country"):
                continue
            if param.type == "country":
                pairs[param.name] = next(countries)
            elif param.type == "concept":
                pairs[param.name] = "access-to-finance"
            elif param.type == "integer":
                pairs[param.name] = "2024"
        try:
            bindings = bind_params(named, pairs, store_base)
        except Exception as exc:  # a parameter kind this bench does not know: run with defaults only
            print(f"  note: {name}: cannot bind {pairs}: {exc}", file=sys.stderr)
            bindings = bind_params(named, {}, store_base)
        specs.append({"name": name, "text": named.text, "base": store_base,
                      "bindings": {v.value: str(t) for v, t in bindings.items()}})
    specs.append({"name": "bench:lookup (events of one country)", "text": LOOKUP, "base": store_base,
                  "bindings": {"country": str(ox.NamedNode(f"{store_base}country/MA"))}})
    if event:
        specs.append({"name": POINT_NAME, "text": POINT, "base": store_base, "bindings": {"event": f"<{event}>"}})
    specs.append({"name": "bench:matrix (country × category)", "text": MATRIX, "base": store_base, "bindings": {}})
    return specs


def first_event(store: Any) -> str | None:
    """The IRI of the store's first event in IRI order: the point lookup's subject, the same in every run."""
    rows = list(store.ox.query("SELECT ?e WHERE { ?e a <https://w3id.org/ssekg/ontology#Event> } "
                               "ORDER BY STR(?e) LIMIT 1"))
    return rows[0]["e"].value if rows else None


def count_rows(store: Any, spec: dict[str, Any]) -> Any:
    import pyoxigraph as ox

    from ssekg.query import run_query

    try:
        res = run_query(store, spec["text"], ox_bindings(spec))
        return sum(1 for _ in res) if isinstance(res, ox.QuerySolutions) else 1
    except Exception as exc:
        return f"error: {exc}"[:80]


def ox_bindings(spec: dict[str, Any]) -> dict:
    import pyoxigraph as ox

    return {ox.Variable(k): _ox_term(v) for k, v in spec["bindings"].items()}


def bound_text(spec: dict[str, Any]) -> str:
    """The query with its parameters written in as terms: what ``ssekg.store.Store.query`` runs for a named query."""
    from ssekg.binding import bind_values

    return bind_values(spec["text"], ox_bindings(spec))


def http_text(spec: dict[str, Any]) -> str:
    """The query as sent over HTTP: prefixes declared, parameters written in as terms (``bound_text``)."""
    from ssekg.namespaces import sparql_prologue

    return sparql_prologue(spec["base"]) + bound_text(spec)


def run_ox_query(store: Any, spec: dict[str, Any], prefixes: dict[str, str]) -> int:
    import pyoxigraph as ox

    result = store.query(bound_text(spec), prefixes=prefixes)
    if isinstance(result, ox.QuerySolutions):
        return len(result.serialize(format=ox.QueryResultsFormat.JSON))
    if isinstance(result, ox.QueryBoolean):
        return 1
    return len(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES))


def time_queries(run: Callable[[dict[str, Any]], Any], specs: list[dict[str, Any]], reps: int,
                 budget: float, label: str = "") -> dict[str, Any]:
    out = {}
    started = now()
    for spec in specs:
        try:
            out[spec["name"]] = summary(repeat(lambda: run(spec), reps, budget))
        except TimeoutError as exc:  # an HTTP client's deadline: the time is a lower bound
            out[spec["name"]] = {"timeout": getattr(exc, "seconds", None), "lower_bound": getattr(exc, "seconds", None)}
        except Exception as exc:
            out[spec["name"]] = {"error": str(exc)[:300]}
    if label:
        print(f"    {label}: {now() - started:.0f} s", file=sys.stderr, flush=True)
    return out


class HttpClient:
    """A keep-alive client for one SPARQL endpoint (127.0.0.1 only)."""

    def __init__(self, port: int, path: str, timeout: float = 120):
        self.port, self.path, self.timeout = port, path, timeout
        self.conn: http.client.HTTPConnection | None = None

    def query(self, text: str) -> int:
        body = urllib.parse.urlencode({"query": text})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json, application/n-triples;q=0.5"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
                return len(data)
            except (http.client.HTTPException, OSError) as exc:
                self.conn.close()
                self.conn = None
                if isinstance(exc, TimeoutError):
                    exc.seconds = self.timeout  # type: ignore[attr-defined]
                    raise
                if attempt == 2:
                    raise
        return 0


def load_test(port: int, path: str, text: str, concurrency: int, max_requests: int, max_seconds: float) -> dict:
    """``concurrency`` threads with one keep-alive connection each; stops at max_requests or max_seconds."""
    lock = threading.Lock()
    state = {"sent": 0, "done": 0, "errors": 0}
    deadline = now() + max_seconds
    latencies: list[float] = []

    def worker() -> None:
        client = HttpClient(port, path)
        while True:
            with lock:
                if state["sent"] >= max_requests or now() >= deadline:
                    return
                state["sent"] += 1
            t = now()
            try:
                client.query(text)
                ok = True
            except Exception:
                ok = False
            with lock:
                if ok:
                    state["done"] += 1
                    latencies.append(now() - t)
                else:
                    state["errors"] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    t0 = now()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = now() - t0
    return {"requests": state["done"], "errors": state["errors"], "seconds": elapsed,
            "rps": state["done"] / elapsed if elapsed else 0.0, "median_latency": statistics.median(latencies)
            if latencies else None}


WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/sparql-results+json, application/n-triples;q=0.5"
local f = io.open(os.getenv("SSEKG_BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
"""


def wrk_load(port: int, path: str, text: str, concurrency: int, seconds: float) -> dict[str, Any] | None:
    """The same load from wrk (Debian's package), a second process in C that costs the 2 cores far less than the
    Python threads of ``load_test``, so the servers are compared and not the clients; None where it is not
    installed. One wrk thread holds ``concurrency`` keep-alive connections."""
    binary = shutil.which("wrk")
    if not binary:
        return None
    with tempfile.TemporaryDirectory(prefix="ssekg-wrk-") as tmp:
        script, body = Path(tmp) / "post.lua", Path(tmp) / "body"
        script.write_text(WRK_SCRIPT)
        body.write_text(urllib.parse.urlencode({"query": text}))
        run = subprocess.run([binary, "-t", "1", "-c", str(concurrency), "-d", f"{max(seconds, 1):g}s", "--latency",
                              "-s", str(script), f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                             env={**os.environ, "SSEKG_BENCH_BODY": str(body)}, timeout=seconds + 60)
    out = run.stdout

    def number(pattern: str) -> float:
        found = re.search(pattern, out)
        return float(found.group(1)) if found else 0.0

    done = number(r"(\d+) requests in")
    elapsed = number(r"requests in ([\d.]+)s")
    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(x) for x in socket.groups())
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    return {"requests": int(done) - errors, "errors": errors, "seconds": elapsed, "tool": "wrk",
            "rps": (done - errors) / elapsed if elapsed else 0.0,
            "median_latency": float(median.group(1)) * scale[median.group(2)] if median else None}


def stage_costs(port: int, path: str, text: str, n: int) -> dict[str, Any]:
    """Where one client's requests spend their time, from our server's ``Server-Timing`` header (medians, ms):
    each stage in the app, the app as a whole, and outside it (gunicorn, the socket and the client) as the
    client's time less the app's."""
    body = urllib.parse.urlencode({"query": text})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    seen: dict[str, list[float]] = {}
    try:
        for i in range(n + 5):
            t = now()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            total = (now() - t) * 1000
            if response.status != 200 or i < 5:  # the first few warm the reader up
                continue
            stages = {name.strip(): float(dur) for name, dur in
                      re.findall(r"([\w-]+);dur=([\d.]+)", response.getheader("Server-Timing") or "")}
            stages["client"] = total
            stages["outside the app"] = total - stages.get("app", 0.0)
            for name, ms in stages.items():
                seen.setdefault(name, []).append(ms)
    finally:
        conn.close()
    return {name: statistics.median(values) for name, values in seen.items()}


def http_suite(port: int, path: str, specs: list[dict[str, Any]], args: argparse.Namespace,
               text_of: Callable[[dict[str, Any]], str] = lambda spec: http_text(spec),
               timeout: float = 120) -> dict[str, Any]:
    client = HttpClient(port, path, timeout)
    latencies = time_queries(lambda spec: client.query(text_of(spec)), specs, args.reps, args.budget,
                             f"HTTP latency, port {port}")
    load: dict[str, Any] = {}
    if not args.quick:
        by_name = {s["name"]: s for s in specs}
        for label, name, count in (("lookup", "bench:lookup (events of one country)", 3000),
                                   ("point lookup", POINT_NAME, 30000),
                                   ("matrix", "bench:matrix (country × category)", 300)):
            if name not in by_name:
                continue
            for c in (1, 8, 32):
                text = text_of(by_name[name])
                load[f"{label} c={c}"] = (wrk_load(port, path, text, c, args.load_seconds)
                                          or load_test(port, path, text, c, count, args.load_seconds))
    return {"latency": latencies, "load": load}


#: what the comparison page asks (its matrix, coverage note and pairs) for the views an analyst opens: the default,
#: each filter alone; the queries with a year range and an event type together count from the statements (the cube
#: has no grain by both) and are timed too
PAGE_VIEWS = [
    {}, {"dimension": "speaker"}, {"from": "2021", "to": "2023"}, {"eventType": "workshop"},
    {"minConfidence": "0.7"}, {"curated": "only"}, {"from": "2021", "eventType": "workshop"},
]


def page_requests() -> list[tuple[str, str, dict[str, str]]]:
    """(label, named query, parameters) of every request the comparison page sends for PAGE_VIEWS, but the cell
    listing (statements-in-cell, on a click)."""
    out = []
    for view in PAGE_VIEWS:
        label = "&".join(f"{k}={v}" for k, v in view.items()) or "default view"
        for kind in ("challenge", "proposal"):
            out.append((label, f"{kind}s-by-country", {**view, "lang": "en"}))
            out.append((label, "statement-coverage", {k: v for k, v in {**view, "kind": kind}.items()
                                                      if k != "dimension"}))
        out.append((label, "country-pairs", {k: v for k, v in view.items() if k in ("from", "to", "eventType")}
                    | {"lang": "en"}))
    return out


def page_queries(port: int, base: str, args: argparse.Namespace) -> dict[str, Any]:
    """The comparison page's requests through HTTP (``/queries/NAME.json``: counted from the cube where it answers)
    against the same named queries sent as SPARQL to ``/sparql`` (counted from the statements), in one run; and
    whether both gave the same rows."""
    import http.client
    import json as json_module

    from ssekg.query import bind_params, named_queries

    def get(path: str) -> tuple[bytes, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
            return body, response.getheader("X-SSEKG-Counted-From") or ""
        finally:
            conn.close()

    def rows(body: bytes) -> list[str]:
        data = json_module.loads(body)
        return sorted(json_module.dumps(b, sort_keys=True) for b in data["results"]["bindings"])

    out: list[dict[str, Any]] = []
    client = HttpClient(port, "/sparql")
    for label, name, params in page_requests():
        named = named_queries()[name]
        path = f"/queries/{name}.json?" + urllib.parse.urlencode(params)
        spec = {"name": name, "text": named.text, "base": base,
                "bindings": {v.value: str(t) for v, t in bind_params(named, params, base).items()}}
        entry: dict[str, Any] = {"view": label, "query": name, "params": params}
        try:
            body, source = get(path)
            entry["counted_from"] = source
            entry["page"] = summary(repeat(lambda: get(path), args.reps * 3, args.budget))
            entry["statements"] = summary(repeat(lambda: client.query(http_text(spec)), args.reps, args.budget))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/sparql", body=urllib.parse.urlencode({"query": http_text(spec)}),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Accept": "application/sparql-results+json"})
            raw = conn.getresponse().read()
            conn.close()
            hidden = {p.name for p in named.params}
            raw_rows = sorted(json_module.dumps({k: v for k, v in json_module.loads(r).items() if k not in hidden},
                                                sort_keys=True) for r in rows(raw))
            entry["same_rows"] = rows(body) == raw_rows
        except Exception as exc:  # reported, not fatal: the benchmark says what failed
            entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
        out.append(entry)
    return {"requests": out}


def serve_ours(store_dir: Path, specs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    try:
        import ssekg.server.serve  # noqa: F401
    except ImportError as exc:
        return {"skipped": f"ssekg serve is not available: {exc}"}
    port = free_port()
    ssekg = Path(sys.executable).with_name("ssekg")
    log = store_dir.parent / "serve.log"  # the server logs every request: a pipe nobody reads would fill up
    with open(log, "wb") as err:
        proc = subprocess.Popen([str(ssekg), "serve", "--store", str(store_dir), "--host", "127.0.0.1", "--port",
                                 str(port)], stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        if not wait_http(port, "/health", 90, proc):
            return {"skipped": "ssekg serve did not answer /health: " + (log.read_text()[-500:]
                                                                       if proc.poll() is not None else "timeout")}
        suite = http_suite(port, "/sparql", specs, args)
        by_name = {s["name"]: s for s in specs}
        suite["stages"] = {label: stage_costs(port, "/sparql", http_text(by_name[name]), 20 if args.quick else 300)
                           for label, name in (("lookup", "bench:lookup (events of one country)"),
                                               ("point lookup", POINT_NAME)) if name in by_name}
        print("    comparison page queries", file=sys.stderr, flush=True)
        suite["page"] = page_queries(port, specs[0]["base"], args)
        return suite
    finally:
        stop_process(proc)


def serve_oxigraph(dump: Path, workdir: Path, specs: list[dict[str, Any]], args: argparse.Namespace) -> dict:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        return {"skipped": "the oxigraph server is not installed (pip install oxigraph)"}
    location = workdir / "oxigraph-server"
    shutil.rmtree(location, ignore_errors=True)
    t = now()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(dump)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load_seconds = now() - t
    port = free_port()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_http(port, "/", 60, proc):
            return {"skipped": "the oxigraph server did not start"}
        return {"load_seconds": load_seconds, **http_suite(port, "/query", specs, args)}
    finally:
        stop_process(proc)
        shutil.rmtree(location, ignore_errors=True)


def serve_virtuoso(named_dump: Path, workdir: Path, specs: list[dict[str, Any]], args: argparse.Namespace) -> dict:
    """Virtuoso (Debian's virtuoso-opensource) loaded with our named graphs by its bulk loader, queried over HTTP.

    Started by the test suite's helper on 127.0.0.1 with a throw-away database and 1.3 GiB of buffers. Only the
    named graphs are loaded: Virtuoso's default graph is the union of all graphs, which the named queries are
    written for (docs/remote-stores.md).
    """
    sys.path.insert(0, str(HERE.parent / "tests"))
    try:
        import virtuoso
    finally:
        sys.path.pop(0)
    if virtuoso.find_virtuoso() is None:
        return {"skipped": "Virtuoso is not installed (scripts/install-virtuoso.sh)"}
    folder = workdir / "virtuoso"
    instance = virtuoso.start_virtuoso(folder, buffers=170000, max_query_seconds=args.virtuoso_timeout)
    try:
        shutil.copy(named_dump, folder / "named.nq")
        t = now()
        instance.isql(f"ld_dir('{folder}', 'named.nq', 'urn:ssekg:bench:unnamed');\nrdf_loader_run();\ncheckpoint;",
                      timeout=3600)
        load_seconds = now() - t
        (status,) = [line for line in instance.isql(
            "SELECT ll_state, ll_error FROM DB.DBA.load_list;").splitlines() if line.strip()][-1:]
        port = int(instance.url.rsplit(":", 1)[1])
        from ssekg.namespaces import prefixes_for
        from ssekg.remote import RemoteStore

        def as_sent(spec: dict[str, Any]) -> str:  # what `ssekg serve --endpoint` sends Virtuoso for this query
            return RemoteStore.prepare(spec["text"], prefixes_for(spec["base"]), ox_bindings(spec))

        return {"load_seconds": load_seconds, "load_status": " ".join(status.split()),
                **http_suite(port, "/sparql", specs, args, as_sent, timeout=args.virtuoso_timeout)}
    finally:
        instance.stop()
        shutil.rmtree(folder, ignore_errors=True)


# ====================================================================================== one corpus size


def ingest_through_server(cards_dir: Path, work: Path, jobs: int) -> dict[str, Any]:
    """``ssekg ingest --server`` of the cards into a fresh ``ssekg serve`` on this machine (issue 15): the client
    prepares with ``jobs`` workers, the server writes each batch in bulk. Both share the machine's cores."""
    store, port, token = work / "store-served", free_port(), "bench-token-0123456789"
    shutil.rmtree(store, ignore_errors=True)
    ssekg = str(Path(sys.executable).with_name("ssekg"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSEKG_")}
    env.update({"SSEKG_UPDATE_TOKEN": token, "SSEKG_STORE": str(store)})
    log = open(work / "serve-ingest.log", "w")
    serve = subprocess.Popen([ssekg, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if not wait_http(port, "/health", 120, serve):
            return {"error": "the server did not start"}
        t = now()
        done = subprocess.run([ssekg, "ingest", "-q", "--jobs", str(jobs), "--server", f"http://127.0.0.1:{port}",
                               str(cards_dir)], env=env, capture_output=True, text=True)
        seconds = now() - t
        peak = rss_of_tree(serve.pid)
        m = re.search(r"(\d+) read, (\d+) accepted", done.stderr)
        if not m:
            return {"error": f"exit {done.returncode}: {done.stderr[-300:]}"}
        files, accepted = int(m.group(1)), int(m.group(2))
        t2 = re.search(r"(\d+) triples", done.stderr)
        triples = int(t2.group(1)) if t2 else 0
        return {"files": files, "accepted": accepted, "seconds": seconds, "reports_per_s": accepted / seconds,
                "triples_per_s": triples / seconds, "peak_rss_bytes": peak}
    finally:
        stop_process(serve)
        log.close()
        shutil.rmtree(store, ignore_errors=True)


def bench_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    from ssekg.namespaces import prefixes_for
    from ssekg.store import Store

    cores = len(os.sched_getaffinity(0))
    result: dict[str, Any] = {"n": n, "seed": args.seed, "machine": machine(), "notes": []}
    notes = result["notes"]
    corpus = args.corpus / f"n{n}-s{args.seed}"
    print(f"[N={n}] corpus → {corpus}", file=sys.stderr, flush=True)
    t_start = now()
    manifest = generate.generate(n, args.seed, corpus, texts=True, progress=True)
    result["corpus"] = {"path": str(corpus), "generate_seconds": manifest.get("seconds"), "sha256": manifest["sha256"]}
    cards = sorted((corpus / "cards").rglob("*.yaml"))
    texts = sorted((corpus / "texts").rglob("*.txt"))
    work = Path(tempfile.mkdtemp(prefix=f"ssekg-bench-n{n}-", dir=args.workdir))
    try:
        # --- each stage on its own -------------------------------------------------------------------
        if not args.ingest_only:
            print(f"[N={n} +{now() - t_start:.0f}s] stages", file=sys.stderr, flush=True)
            sample = cards[: args.stage_sample]
            result["stages"] = measure_stages(sample, texts[: args.stage_sample], args.owlrl_sample, work)

        # --- ingest, ours ------------------------------------------------------------------------------
        store_dir = work / "store"
        runs: dict[str, Any] = {}
        configs = [(f"{cores} cores", cores, "")]
        if not args.no_single_core and not args.ingest_only and cores > 1:
            configs.append(("1 core", 1, "0"))
        for label, jobs, cpus in configs:
            target = store_dir if label == configs[0][0] else work / "store-1core"
            shutil.rmtree(target, ignore_errors=True)
            inputs = [str(corpus / "cards")]
            if cpus and n > args.single_core_max:  # the one-core run on the corpus's first reports only
                listing = work / "one-core"
                listing.mkdir(exist_ok=True)
                for p in cards[: args.single_core_max]:
                    (listing / p.name).symlink_to(p)
                inputs = [str(listing)]
                label = f"1 core (first {args.single_core_max} reports)"
            print(f"[N={n} +{now() - t_start:.0f}s] ingest, ours, {label}", file=sys.stderr, flush=True)
            cpu_args = ["--cpus", cpus] if cpus else []
            data, peak = run_child(["_ingest", "--store", str(target), "--jobs", str(jobs), *cpu_args, *inputs])
            data["peak_rss_bytes"] = peak
            if "seconds" in data:
                data["reports_per_s"] = data["accepted"] / data["seconds"]
                data["triples_per_s"] = data["triples"] / data["seconds"]
            runs[label] = data
            if target != store_dir:
                shutil.rmtree(target, ignore_errors=True)
        if not args.ingest_only:
            print(f"[N={n} +{now() - t_start:.0f}s] ingest through a running server, {cores} cores", file=sys.stderr,
                  flush=True)
            runs[f"through ssekg serve (ssekg ingest --server), {cores} cores"] = ingest_through_server(
                corpus / "cards", work, cores)
        try:
            from ssekg.ingest.extract import extract  # noqa: F401
        except ImportError:
            notes.append("extraction: n/a (the extractor is not importable)")
        if args.ingest_only:
            pass
        else:
            subset = min(n, args.text_sample)
            listing = work / "texts.txt"
            listing_dir = work / "texts"
            listing_dir.mkdir(exist_ok=True)
            for p in texts[:subset]:
                (listing_dir / p.name).symlink_to(p)
            print(f"[N={n} +{now() - t_start:.0f}s] ingest from texts ({subset}), ours, {cores} cores", file=sys.stderr, flush=True)
            data, peak = run_child(["_ingest", "--store", str(work / "store-texts"), "--jobs", str(cores),
                                    str(listing_dir)])
            data["peak_rss_bytes"] = peak
            if "seconds" in data:
                data["reports_per_s"] = data["files"] / data["seconds"]
                data["triples_per_s"] = data["triples"] / data["seconds"]
            runs[f"from texts ({subset} reports), {cores} cores"] = data
            shutil.rmtree(work / "store-texts", ignore_errors=True)
            listing.unlink(missing_ok=True)
        result["ingest"] = runs
        if args.ingest_only:
            store = Store.open(store_dir)
            result["store"] = store.stats()
            store.close()
            notes.append("ingest only (--ingest-only): no stages, queries, HTTP or baselines")
            result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
            return result

        # --- dump and raw pyoxigraph ---------------------------------------------------------------------
        store = Store.open(store_dir)
        base = store.base
        prefixes = prefixes_for(base)
        dump = work / "dump.nq"
        t = now()
        with open(dump, "wb") as f:  # every quad, the materialised default graph included
            ox.serialize(store.ox.quads_for_pattern(None, None, None, None), f, ox.RdfFormat.N_QUADS)
        result["dump_seconds"] = now() - t
        result["store"] = store.stats()
        specs = query_specs(base, first_event(store))
        (work / "queries.json").write_text(json.dumps(specs))
        quads = sum(1 for _ in open(dump, "rb"))
        raw_mem = ox.Store()
        t = now()
        raw_mem.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        mem_load = now() - t
        raw_disk = ox.Store(str(work / "raw-disk"))
        t = now()
        raw_disk.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        raw_disk.flush()
        disk_load = now() - t
        t = now()
        raw_disk.optimize()
        optimize = now() - t
        result["raw_load"] = {"quads": quads, "memory_seconds": mem_load, "memory_quads_per_s": quads / mem_load,
                              "disk_seconds": disk_load, "disk_quads_per_s": quads / disk_load,
                              "disk_optimize_seconds": optimize}

        # --- queries --------------------------------------------------------------------------------------
        queries: dict[str, Any] = {}
        if args.no_queries:
            notes.append("queries, HTTP, Virtuoso and rdflib's engine: skipped (--no-queries)")
            store.close()
            del store, raw_mem, raw_disk
            gc.collect()
            shutil.rmtree(work / "raw-disk", ignore_errors=True)
        else:
            print(f"[N={n} +{now() - t_start:.0f}s] queries ({len(specs)}): ours, raw memory, raw disk", file=sys.stderr, flush=True)
            from ssekg.query import run_query

            def ours(spec: dict[str, Any]) -> int:
                res = run_query(store, spec["text"], ox_bindings(spec))
                if isinstance(res, ox.QuerySolutions):
                    return len(res.serialize(format=ox.QueryResultsFormat.JSON))
                return 1

            queries["ours (store)"] = time_queries(ours, specs, args.reps, args.budget, "ours")
            if args.optimized:
                t = now()
                store.optimize()
                result["store_optimize_seconds"] = now() - t
                queries["ours (store, after optimize)"] = time_queries(ours, specs, args.reps, args.budget,
                                                                       "ours, optimized")
            queries["raw pyoxigraph (memory)"] = time_queries(lambda s: run_ox_query(raw_mem, s, prefixes), specs,
                                                              args.reps, args.budget, "raw memory")
            queries["raw pyoxigraph (disk)"] = time_queries(lambda s: run_ox_query(raw_disk, s, prefixes), specs,
                                                            args.reps, args.budget, "raw disk")
            result["rows"] = {spec["name"]: count_rows(store, spec) for spec in specs}
            store.close()
            del store, raw_mem, raw_disk
            gc.collect()
            shutil.rmtree(work / "raw-disk", ignore_errors=True)

        # --- HTTP ---------------------------------------------------------------------------------------
        if args.no_http or args.no_queries:
            if args.no_http:
                notes.append("HTTP: skipped (--no-http)")
        else:
            print(f"[N={n} +{now() - t_start:.0f}s] HTTP: ssekg serve", file=sys.stderr, flush=True)
            queries_http = serve_ours(store_dir, specs, args)
            result["http_ours"] = queries_http
            if "latency" in queries_http:
                queries["ours (HTTP, ssekg serve)"] = queries_http["latency"]
            print(f"[N={n} +{now() - t_start:.0f}s] HTTP: oxigraph server", file=sys.stderr, flush=True)
            ox_http = serve_oxigraph(dump, work, specs, args)
            result["http_oxigraph"] = ox_http
            if "latency" in ox_http:
                queries["oxigraph server (HTTP)"] = ox_http["latency"]
        if args.no_queries:
            pass
        elif args.no_virtuoso or args.no_http:
            notes.append("Virtuoso: skipped (--no-virtuoso or --no-http)")
        else:
            print(f"[N={n} +{now() - t_start:.0f}s] Virtuoso: bulk load and HTTP", file=sys.stderr, flush=True)
            named_dump = work / "named.nq"
            store = Store.open(store_dir)
            with open(named_dump, "wb") as f:
                store.export(f, "nquads")
            store.close()
            try:
                v = serve_virtuoso(named_dump, work, specs, args)
            except Exception as exc:  # the benchmark reports a back end that fails; it does not stop
                v = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            result["virtuoso"] = v
            if "latency" in v:
                queries["Virtuoso (HTTP)"] = v["latency"]

        # --- rdflib's engine --------------------------------------------------------------------------------
        if args.no_baseline:
            notes.append("straightforward stack and rdflib queries: skipped (--no-baseline)")
        elif quads > args.rdflib_max_quads:
            notes.append(f"rdflib queries: skipped, the dump has {quads:,} quads (> --rdflib-max-quads "
                         f"{args.rdflib_max_quads:,}; rdflib keeps ~1 KiB a quad in memory)")
        if not args.no_baseline and not args.no_queries and quads <= args.rdflib_max_quads:
            print(f"[N={n} +{now() - t_start:.0f}s] rdflib queries", file=sys.stderr, flush=True)
            data, peak = run_child(["_rdflib_queries", "--data", str(dump), "--queries", str(work / "queries.json"),
                                    "--reps", str(min(args.reps, 3)), "--budget", "5",
                                    "--total-budget", str(args.rdflib_budget or (90 if n <= 1000 else 300)),
                                    "--timeout", str(args.rdflib_timeout)])
            data["peak_rss_bytes"] = peak
            result["rdflib_queries"] = data
            if "queries" in data:
                queries["rdflib engine (memory)"] = data["queries"]
        if not args.no_baseline:
            # --- the straightforward stack ---------------------------------------------------------------
            subset = cards[: min(n, args.baseline_max)]
            listing = work / "baseline.txt"
            listing.write_text("\n".join(str(p) for p in subset))
            print(f"[N={n} +{now() - t_start:.0f}s] straightforward stack on {len(subset)} reports", file=sys.stderr, flush=True)
            data, peak = run_child(["_baseline", "--list", str(listing)])
            data["peak_rss_bytes"] = peak
            if "seconds" in data:
                data["reports_per_s"] = data["reports"] / data["seconds"]
                data["triples_per_s"] = data["triples"] / data["seconds"]
                if len(subset) < n:
                    data["extrapolated"] = (f"run on the first {len(subset)} of {n} reports; its rate is taken as "
                                            f"the rate at N={n} (flattering: owlrl and pySHACL over one graph "
                                            "grow faster than linearly)")
                    notes.append("straightforward stack: " + data["extrapolated"])
            result["baseline"] = data
        result["queries"] = queries
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return result


# ================================================================================================ report


def fmt(x: Any, unit: str = "", digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    if isinstance(x, (int, float)):
        if unit == "ms":
            return f"{x * 1000:.{digits}f}"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    return str(x)


def ratio(a: Any, b: Any) -> float | None:
    try:
        return a / b if a and b else None
    except TypeError:
        return None


def named(times: dict[str, Any]) -> list[tuple[str, Any]]:
    """The timings of the named queries: the criteria are about them, not the bench's own lookup and matrix."""
    return [(name, m) for name, m in times.items() if not name.startswith("bench:")]


def acceptance(r: dict[str, Any], sizes: dict[int, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(criterion, measured, verdict) for the criteria of issues 6 and 15 that this run can judge."""
    rows = []
    n = r["n"]
    ingest = r.get("ingest", {})
    cores = r["machine"]["usable_cores"]
    ours = ingest.get(f"{cores} cores", {})
    one = next((v for k, v in ingest.items() if k.startswith("1 core")), {})
    base = r.get("baseline", {})
    x = ratio(ours.get("reports_per_s"), base.get("reports_per_s"))
    rows.append((f"ingest ≥ 10× the straightforward stack (reports/s, N={n})", fmt(x) + "×" if x else "–",
                 "met" if x and x >= 10 else ("not met" if x else "not measured")))
    x = ratio(ours.get("reports_per_s"), one.get("reports_per_s"))
    rows.append((f"ingest on {cores} cores ≥ 1.6× on one (N={n})", fmt(x, digits=2) + "×" if x else "–",
                 "met" if x and x >= 1.6 else ("not met" if x else "not measured")))
    q = r.get("queries", {})
    for limit in ("raw pyoxigraph (memory)", "raw pyoxigraph (disk)"):
        worst, worst_name = 0.0, ""
        for name, m in named(q.get("ours (store)", {})):
            rr = ratio(m.get("median"), q.get(limit, {}).get(name, {}).get("median"))
            if rr and rr > worst:
                worst, worst_name = rr, name
        if worst:
            rows.append((f"every named query's median ≤ 2× {limit} (N={n})", f"worst {fmt(worst, digits=2)}× ({worst_name})",
                         "met" if worst <= 2 else "not met"))
    worst, worst_name, missing, bound = float("inf"), "", 0, False
    for name, m in named(q.get("ours (store)", {})):
        rd = q.get("rdflib engine (memory)", {}).get(name, {})
        rr = ratio(rd.get("median") or rd.get("lower_bound"), m.get("median"))  # a timeout gives a lower bound
        if rr is None:
            missing += 1
        elif rr < worst:
            worst, worst_name, bound = rr, name, not rd.get("median")
    if worst < float("inf"):
        # a ratio from rdflib's timeout is a lower bound: below 10 it shows nothing either way
        verdict = "met" if worst >= 10 and not missing else ("not shown" if bound else "not met")
        rows.append((f"every named query ≥ 10× faster than rdflib's engine (N={n})",
                     f"least {'≥ ' if bound else ''}{fmt(worst)}× ({worst_name})"
                     + (f"; {missing} not run on rdflib" if missing else ""), verdict))
    virtuoso = named(q.get("Virtuoso (HTTP)", {}))
    if virtuoso:  # issue 15, point 3: every named query on Virtuoso within 2 s (the case is N = 10,000)
        stopped = [name for name, m in virtuoso if "median" not in m]
        timed = [(m["median"], name) for name, m in virtuoso if "median" in m]
        slowest = max(timed) if timed else None
        over = [name for seconds, name in timed if seconds > 2.0]
        rows.append((f"every named query on Virtuoso ≤ 2 s, none stopped (N={n})",
                     (f"slowest {fmt(slowest[0], 'ms')} ms ({slowest[1]})" if slowest else "–")
                     + (f"; stopped: {', '.join(stopped)}" if stopped else "")
                     + (f"; over 2 s: {', '.join(over)}" if over else ""),
                     "met" if not stopped and not over else "not met"))
    page = r.get("http_ours", {}).get("page", {}).get("requests", [])
    if page:  # issue 15: every query the comparison page sends, through HTTP, p95 ≤ 150 ms, the same counts
        p95s = [(e["page"]["p95"], e) for e in page if e.get("page")]
        worst, entry = max(p95s, key=lambda x: x[0]) if p95s else (None, {})
        failed = [e for e in page if "error" in e or not e.get("same_rows")]
        cubed = [e for e in page if e.get("counted_from") == "cube"]
        rows.append((f"every comparison-page query p95 ≤ 150 ms through HTTP, counts equal to the statements' (N={n})",
                     (f"worst {fmt(worst, 'ms')} ({entry['query']}, {entry['view']}); {len(cubed)} of "
                      f"{len(page)} from the cube" if worst is not None else "–")
                     + (f"; {len(failed)} failed or differ" if failed else ""),
                     "met" if worst is not None and worst <= 0.150 and not failed else "not met"))
    ours_load = r.get("http_ours", {}).get("load", {})
    ox_load = r.get("http_oxigraph", {}).get("load", {})
    for what, floor in (("lookup", 0.8), ("point lookup", 0.5)):  # issue 15, point 2
        a, b = ours_load.get(f"{what} c=8", {}), ox_load.get(f"{what} c=8", {})
        x = ratio(a.get("rps"), b.get("rps"))
        rows.append((f"{what} at 8 clients ≥ {floor}× the oxigraph server's requests/s (N={n})",
                     f"{fmt(x, digits=2)}× ({fmt(a.get('rps'))} / {fmt(b.get('rps'))}, {a.get('tool', 'Python threads')})"
                     if x else "–", "met" if x and x >= floor else ("not met" if x else "not measured")))
    if n // 10 in sizes:  # the case: 100,000 against 10,000
        a = sizes[n // 10].get("ingest", {}).get(f"{cores} cores", {}).get("peak_rss_bytes")
        b = ingest.get(f"{cores} cores", {}).get("peak_rss_bytes")
        x = ratio(b, a)
        rows.append((f"peak memory at {n:,} ≤ 1.5× at {n // 10:,}",
                     f"{fmt(x, digits=2)}× ({b / 2**20:,.0f} / {a / 2**20:,.0f} MiB)" if x else "–",
                     "met" if x and x <= 1.5 else "not met"))
    return rows


def markdown(r: dict[str, Any], sizes: dict[int, dict[str, Any]]) -> str:
    m = r["machine"]
    cores = m["usable_cores"]
    lines = [
        f"# ssekg benchmark, N = {r['n']:,} reports (seed {r['seed']})",
        "",
        f"{r['finished']} on {m['host']}: {m['cores']} cores ({cores} usable), {m['memory_gib']} GiB, "
        f"Python {m['python']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}. "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v),
        "",
        f"Store after ingest: {r.get('store', {}).get('triples', '–'):,} distinct triples, "
        f"{r.get('store', {}).get('reports', '–')} reports." if r.get("store") else "",
        "",
        "## Ingest (end to end: read, map, SHACL, OWL RL, store)",
        "",
        "| run | reports | seconds | reports/s | triples/s | peak RSS (MiB) | setup s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, d in r.get("ingest", {}).items():
        if "error" in d:
            lines.append(f"| ours, {label} | error: {d['error']} | | | | | |")
            continue
        lines.append(f"| ours, {label} | {d['accepted']:,}/{d['files']:,} | {fmt(d['seconds'])} | "
                     f"{fmt(d['reports_per_s'])} | {fmt(d['triples_per_s'])} | {d['peak_rss_bytes'] / 2**20:,.0f} | "
                     f"{fmt(d.get('setup_seconds'))} |")
    b = r.get("baseline", {})
    if "seconds" in b:
        lines.append(f"| straightforward stack (rdflib Graph, pySHACL + owlrl over it) | {b['reports']:,} | "
                     f"{fmt(b['seconds'])} | {fmt(b['reports_per_s'])} | {fmt(b['triples_per_s'])} | "
                     f"{b['peak_rss_bytes'] / 2**20:,.0f} | |")
        lines.append("")
        lines.append(f"Straightforward stack: read+map {fmt(b['read_map_seconds'])} s, SHACL {fmt(b['shacl_seconds'])} s, "
                     f"owlrl {fmt(b['owlrl_seconds'])} s" + (f". {b['extrapolated']}" if b.get("extrapolated") else "."))
    elif b:
        lines.append(f"| straightforward stack | error: {b.get('error')} | | | | | |")
    ours = r.get("ingest", {}).get(f"{cores} cores", {})
    if ours.get("stage_cpu_seconds"):
        st = ours["stage_cpu_seconds"]
        lines += ["", "Inside our ingest (CPU seconds summed over workers): " +
                  ", ".join(f"{k} {fmt(v)}" for k, v in st.items()) +
                  f"; store writes (one writer) {fmt(ours.get('write_seconds'))} s in {ours.get('updates')} updates "
                  f"and {ours.get('bulk_loads', 0)} bulk loads."]
    if r.get("stages"):
        lines += ["", "## Each stage on its own (one core, first "
                  f"{r['stages'].get('sample', '–')} reports)", "",
                  "| stage | reports/s | triples/s |", "|---|---:|---:|"]
    for name, d in r.get("stages", {}).items():
        if isinstance(d, dict) and "reports_per_s" in d:
            lines.append(f"| {name} | {fmt(d['reports_per_s'])} | {fmt(d['triples_per_s']) if d['triples_per_s'] else '–'} |")
        elif isinstance(d, dict) and "n/a" in d:
            lines.append(f"| extraction | n/a ({d['n/a']}) | |")
        elif name.startswith("extraction start-up"):
            lines.append(f"| extraction start-up: the first report, {fmt(d)} s (not in the rate) | | |")
    raw = r.get("raw_load")
    if raw:
        lines += ["", f"Raw pyoxigraph bulk load of the same {raw['quads']:,} quads: in memory "
                      f"{fmt(raw['memory_quads_per_s'])} quads/s ({fmt(raw['memory_seconds'])} s), on disk "
                      f"{fmt(raw['disk_quads_per_s'])} quads/s ({fmt(raw['disk_seconds'])} s, optimize "
                      f"{fmt(raw['disk_optimize_seconds'])} s). Ours: "
                      f"{fmt(ours.get('triples_per_s'))} triples/s = "
                      f"{fmt(ratio(ours.get('triples_per_s'), raw['disk_quads_per_s'] / 2), digits=2)}× the disk "
                      f"bulk-load rate counted in triples (each triple is two quads: its graph and the default graph)."]
    q = r.get("queries", {})
    engines = list(q)
    if engines:
        lines += ["", "## Query latency, median / p95 in ms", "",
                  "| query | rows | " + " | ".join(engines) + " | ours / raw mem | ours / raw disk | rdflib / ours |",
                  "|---|---:|" + "---:|" * (len(engines) + 3)]
        for name in q[engines[0]]:
            cells = []
            for e in engines:
                d = q[e].get(name, {})
                if "median" in d:
                    cells.append(f"{fmt(d.get('median'), 'ms')} / {fmt(d.get('p95'), 'ms')}")
                elif "timeout" in d:
                    cells.append(f"> {d['timeout'] * 1000:,.0f} (stopped)")
                else:
                    cells.append(str(d.get("error", d.get("skipped", "–")))[:40])
            o = q.get("ours (store)", {}).get(name, {}).get("median")
            rm = q.get("raw pyoxigraph (memory)", {}).get(name, {}).get("median")
            rdk = q.get("raw pyoxigraph (disk)", {}).get(name, {}).get("median")
            rdd = q.get("rdflib engine (memory)", {}).get(name, {})
            rd = rdd.get("median") or rdd.get("lower_bound")
            more = "> " if rd and "median" not in rdd else ""
            lines.append(f"| {name} | {r.get('rows', {}).get(name, '–')} | " + " | ".join(cells) +
                         f" | {fmt(ratio(o, rm), digits=2)} | {fmt(ratio(o, rdk), digits=2)} | "
                         f"{more}{fmt(ratio(rd, o))} |")
    for key, label in (("http_ours", "ssekg serve"), ("http_oxigraph", "oxigraph server"), ("virtuoso", "Virtuoso")):
        h = r.get(key)
        if not h:
            continue
        if "skipped" in h or "error" in h:
            lines += ["", f"HTTP, {label}: " + (f"skipped: {h['skipped']}" if "skipped" in h else f"error: {h['error']}")]
            continue
        if h.get("load_seconds") is not None:
            lines += ["", f"{label}: loaded in {fmt(h['load_seconds'])} s" +
                      (f" (bulk loader: {h['load_status']})" if h.get("load_status") else "") + "."]
        if h.get("load"):
            tool = next((d.get("tool") for d in h["load"].values() if d.get("tool")), "Python threads")
            lines += ["", f"## HTTP load, {label} (requests/s from {tool}; bounded by count and "
                          f"{r.get('load_seconds', '')} s)", "",
                      "| query | c=1 | c=8 | c=32 |", "|---|---:|---:|---:|"]
            for what in ("lookup", "point lookup", "matrix"):
                if f"{what} c=1" not in h["load"]:
                    continue
                cells = []
                for c in (1, 8, 32):
                    d = h["load"].get(f"{what} c={c}", {})
                    cells.append(f"{fmt(d.get('rps'))}" + (f" ({d['errors']} errors)" if d.get("errors") else ""))
                lines.append(f"| {what} | " + " | ".join(cells) + " |")
    stages = r.get("http_ours", {}).get("stages", {})
    if stages:
        names = [k for k in next(iter(stages.values())) if k not in ("client", "app", "outside the app")]
        lines += ["", "## Where a request's time goes, ssekg serve (one client, medians in ms, from `Server-Timing`)", "",
                  "check: the text's outbound check, dataset and format; admit: a place among the running queries; "
                  "reader: a reader process from the pool; engine: evaluated and serialised in it; handoff: the "
                  "request and the answer through its pipes; app: all of the request in Flask; outside the app: "
                  "gunicorn, the socket and the client.", "",
                  "| request | " + " | ".join(names) + " | app | outside the app | client |",
                  "|---|" + "---:|" * (len(names) + 3)]
        for what, d in stages.items():
            lines.append(f"| {what} | " + " | ".join(fmt(d.get(k), digits=3) for k in names)
                         + f" | {fmt(d.get('app'), digits=3)} | {fmt(d.get('outside the app'), digits=3)} | "
                           f"{fmt(d.get('client'), digits=3)} |")
    page = r.get("http_ours", {}).get("page", {}).get("requests", [])
    if page:
        lines += ["", "## The comparison page's queries through HTTP, median / p95 in ms (issue 15)", "",
                  "As the page asks them (`/queries/NAME.json`: from the comparison cube where it answers), against the "
                  "same named query sent to `/sparql` (counted from the statements), in one run.", "",
                  "| view | query | counted from | page | statements | statements / page | same rows |",
                  "|---|---|---|---:|---:|---:|---|"]
        for e in page:
            if "error" in e:
                lines.append(f"| {e['view']} | {e['query']} | – | {e['error'][:60]} | | | |")
                continue
            pg, st = e["page"], e["statements"]
            lines.append(f"| {e['view']} | {e['query']} | {e['counted_from']} | "
                         f"{fmt(pg.get('median', 0) * 1000)} / {fmt(pg.get('p95', 0) * 1000)} | "
                         f"{fmt(st.get('median', 0) * 1000)} / {fmt(st.get('p95', 0) * 1000)} | "
                         f"{fmt(ratio(st.get('median'), pg.get('median')))} | {'yes' if e.get('same_rows') else 'NO'} |")
    if r.get("notes"):
        lines += ["", "Notes:"] + [f"- {note}" for note in r["notes"]]
    lines += ["", "## Acceptance (issues 6 and 15)", "", "| criterion | measured | verdict |", "|---|---|---|"]
    for crit, measured, verdict in acceptance(r, sizes):
        lines.append(f"| {crit} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


# ================================================================================================== main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_ingest":
        return child_ingest(argv[1:])
    if argv and argv[0] == "_baseline":
        return child_baseline(argv[1:])
    if argv and argv[0] == "_rdflib_queries":
        return child_rdflib_queries(argv[1:])
    parser = argparse.ArgumentParser(description="The ssekg benchmark (issue 6); see bench/README.md.")
    parser.add_argument("--n", type=int, action="append", help="corpus size (repeatable; default 1000)")
    parser.add_argument("--full", action="store_true", help="N = 1,000, 10,000 and 100,000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where corpora are generated (kept, reused)")
    parser.add_argument("--workdir", type=Path, default=None, help="where stores are built (default: a temp dir)")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--reps", type=int, default=20, help="timed runs per query (at most)")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per query and engine (at most, after one run)")
    parser.add_argument("--load-seconds", type=float, default=3.0, help="seconds per HTTP load level (at most)")
    parser.add_argument("--stage-sample", type=int, default=150)
    parser.add_argument("--owlrl-sample", type=int, default=10)
    parser.add_argument("--text-sample", type=int, default=1000,
                        help="reports ingested from their texts (a pool's start-up is amortised over them)")
    parser.add_argument("--baseline-max", type=int, default=BASELINE_MAX)
    parser.add_argument("--rdflib-budget", type=float, default=None,
                        help="seconds for all rdflib queries (default: 90 up to N = 1,000, so that make bench stays "
                             "under ten minutes; 300 above, enough for one run of each, stopped at --rdflib-timeout)")
    parser.add_argument("--rdflib-max-quads", type=int, default=RDFLIB_MAX_QUADS,
                        help="rdflib's engine is skipped above this many quads (it holds them all in memory)")
    parser.add_argument("--rdflib-timeout", type=float, default=10.0,
                        help="seconds before one rdflib query is given up (its time is then a lower bound)")
    parser.add_argument("--single-core-max", type=int, default=10000,
                        help="the one-core ingest runs on at most this many reports (its rate is compared)")
    parser.add_argument("--optimized", action="store_true", help="also time our store after Store.optimize()")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--no-queries", action="store_true",
                        help="ingest, stages, raw load and the straightforward stack only (no query timings)")
    parser.add_argument("--virtuoso-timeout", type=float, default=5.0,
                        help="seconds before a query to Virtuoso is given up (client and server; a lower bound then)")
    parser.add_argument("--no-single-core", action="store_true")
    parser.add_argument("--quick", action="store_true", help="smoke run: few repetitions, no HTTP load levels")
    parser.add_argument("--keep", action="store_true", help="keep the stores and the dump")
    parser.add_argument("--ingest-only", action="store_true",
                        help="only our ingest on every core (reports/s, peak memory): e.g. --n 10000 --n 100000")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.budget, args.stage_sample, args.owlrl_sample = 2, 0.5, min(args.stage_sample, 5), 2
    sizes = sorted(set(args.n or ([1000, 10000, 100000] if args.full else [1000])))
    args.corpus.mkdir(parents=True, exist_ok=True)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)
    done: dict[int, dict[str, Any]] = {}
    for n in sizes:
        started = now()
        r = bench_size(n, args)
        r["load_seconds"] = args.load_seconds
        r["total_seconds"] = now() - started
        done[n] = r
        text = markdown(r, done)
        stamp = dt.datetime.now().strftime("%Y-%m-%d")
        stem = f"{stamp}-{platform.node() or 'host'}-n{n}"
        (args.results / f"{stem}.json").write_text(json.dumps(r, indent=2, ensure_ascii=False, default=str))
        (args.results / f"{stem}.md").write_text(text)
        print(text, flush=True)
        print(f"(N={n}: {r['total_seconds']:.0f} s; written to {args.results / stem}.json and .md)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
