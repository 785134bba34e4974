"""The server's two back ends behind one small interface: the embedded Oxigraph store, or a remote SPARQL 1.1 store.

Every route reads the data through ``ServerState.backend`` (never through ``store.ox``):

==================================  ===========================================================================
``runner.run(query, options, choose, timeout)``  a client's query with our limits (``/sparql``, ``/queries``): an ``Answer``
``select(query, bindings)``         an internal SELECT/ASK (compare page filters, VoID); a list of solutions
``exists(iri)``                     does any of our graphs say something about ``iri``
``outgoing(iri, limit)``            triples ``iri ?p ?o`` (distinct, over our graphs): Linked Data pages
``incoming(iri, limit)``            triples ``?s ?p iri``
``objects(iri, predicate)``         the objects of one property (the report text behind a source sentence)
``label_map(iris)``                 ``{iri: {lang: label}}``: skos:prefLabel, else rdfs:label
``graph_triples(iri)``              one named graph (None: the default graph, the union of ours)
``has_graph(iri)`` / ``named_graphs()`` / ``named_quads()``   the Graph Store Protocol, the dump, the service description
``triple_count()`` / ``void_stats()``   distinct triples of our graphs; the VoID partitions
``update(text, base_iri)``          a SPARQL Update (the token is checked by the caller)
``writable_store()``                what Graph Store writes and ``/ingest`` write through (``replace_graphs`` …)
``health(timeout)``                 the store answers (raises if not)
==================================  ===========================================================================

Embedded: what the server always did (forked executor, readers–writer lock, the materialised default graph).
Remote (``ssekg.remote.RemoteStore``): queries are proxied to the endpoint with our limits enforced here (an HTTP
deadline; Virtuoso's ``timeout`` parameter so it stops too; the answer cut at ``max_rows`` while it is parsed);
"our graphs" are those whose IRI starts with the base, since a remote store's default dataset can hold system
graphs (Virtuoso) and repeats a triple once per graph that holds it.
"""

from __future__ import annotations

import io
import itertools
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from .executor import Answer, Chooser, QueryFailed, QueryRunner, serialise_result

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SSE_NS = "https://w3id.org/ssekg/ontology#"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
LABEL_PROPS = (SKOS_PREF, RDFS_LABEL)


def ox_label_map(store: ox.Store, iris: Iterable[str], graph: Any) -> dict[str, dict[str, str]]:
    """Labels read from a pyoxigraph store: per IRI, skos:prefLabel by language, else rdfs:label (as pages did)."""
    out: dict[str, dict[str, str]] = {}
    for iri in iris:
        found: dict[str, str] = {}
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            out[iri] = found
            continue
        for prop in LABEL_PROPS:
            for q in itertools.islice(store.quads_for_pattern(node, ox.NamedNode(prop), None, graph), 50):
                if isinstance(q.object, ox.Literal):
                    found.setdefault(q.object.language or "", q.object.value)
            if found:
                break
        out[iri] = found
    return out


# ----------------------------------------------------------------------------------------------------------------
class EmbeddedBackend:
    """The embedded store, as the server has always used it."""

    kind = "embedded"

    def __init__(self, state: Any):
        self.state = state
        self._runner: QueryRunner | None = None

    @property
    def label(self) -> str:
        store = self.state._store
        return "memory" if store is not None and not store.path else self.state.settings.store_dir

    def open(self) -> None:
        self.state.store  # noqa: B018 - opens it (fails now if another process holds it)

    @property
    def runner(self) -> QueryRunner:
        if self._runner is None:
            st = self.state
            self._runner = QueryRunner(st.store, st.lock, st.settings.query_timeout, st.settings.max_rows, st.prefixes)
        return self._runner

    @property
    def retries(self) -> int:
        return self._runner.retries if self._runner else 0

    @property
    def ox(self) -> ox.Store:
        return self.state.store.ox

    def health(self, timeout: float) -> None:
        with self.state.lock.shared():
            self.ox.query("ASK { ?s ?p ?o }")

    def select(self, query: str, bindings: dict[Any, Any] | None = None) -> Any:
        with self.state.lock.shared():
            result = self.state.store.query(query, prefixes=self.state.prefixes, substitutions=bindings or None)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            return list(result)

    def exists(self, iri: str) -> bool:
        with self.state.lock.shared():
            return next(iter(self.ox.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())), None) is not None

    def outgoing(self, iri: str, limit: int) -> list[ox.Triple]:
        with self.state.lock.shared():
            quads = self.ox.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())
            return [q.triple for q in itertools.islice(quads, limit)]

    def incoming(self, iri: str, limit: int) -> list[ox.Triple]:
        with self.state.lock.shared():
            quads = self.ox.quads_for_pattern(None, None, ox.NamedNode(iri), ox.DefaultGraph())
            return [q.triple for q in itertools.islice(quads, limit)]

    def objects(self, iri: str, predicate: str, limit: int = 100) -> list[Any]:
        with self.state.lock.shared():
            quads = self.ox.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None, ox.DefaultGraph())
            return [q.object for q in itertools.islice(quads, limit)]

    def label_map(self, iris: Iterable[str]) -> dict[str, dict[str, str]]:
        with self.state.lock.shared():
            return ox_label_map(self.ox, iris, ox.DefaultGraph())

    def graph_triples(self, iri: str | None) -> list[ox.Triple]:
        graph = ox.DefaultGraph() if iri is None else ox.NamedNode(iri)
        with self.state.lock.shared():
            return [q.triple for q in self.ox.quads_for_pattern(None, None, None, graph)]

    def has_graph(self, iri: str) -> bool:
        with self.state.lock.shared():
            return self.state.store.has_graph(iri)

    def named_graphs(self) -> list[ox.NamedNode]:
        with self.state.lock.shared():
            return [n for n in self.ox.named_graphs() if isinstance(n, ox.NamedNode)]

    def named_quads(self) -> Iterator[ox.Quad]:
        with self.state.lock.shared():
            yield from self.state.store.named_quads()

    def triple_count(self) -> int:
        with self.state.lock.shared():
            return sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def void_stats(self) -> dict[str, Any]:
        q = self.ox.query
        with self.state.lock.shared():
            out: dict[str, Any] = {}
            out["triples"] = int(next(iter(q("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))["n"].value)
            out["entities"] = int(next(iter(q("SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER isIRI(?s) }")))["n"].value)
            out["classes"] = [(r["c"], int(r["n"].value)) for r in q(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 500")]
            out["properties"] = [(r["p"], int(r["n"].value)) for r in q(
                "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 1000")]
            out["graphs"] = [(r["g"], int(r["n"].value)) for r in q(
                "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g LIMIT 2000")]
            out["examples"] = [r["s"] for r in q(
                "SELECT ?s { ?s a <%sEvent> } ORDER BY ?s LIMIT 3" % SSE_NS)] + [r["s"] for r in q(
                "SELECT ?s { ?s a <%sChallenge> } ORDER BY ?s LIMIT 1" % SSE_NS)]
        return out

    def update(self, text: str, base_iri: str) -> None:
        """Raises SyntaxError for a malformed update (the caller adds the default-graph re-synchronisation)."""
        self.state.locked_store().ox.update(text, base_iri=base_iri, prefixes=self.state.prefixes)

    def writable_store(self) -> Any:
        return self.state.locked_store()


# ----------------------------------------------------------------------------------------------------------------
class _Expired(Exception):
    pass


class DeadlineReader(io.RawIOBase):
    """An HTTP response body read with a deadline: each read may block only until the deadline (then it fails)."""

    def __init__(self, response: Any, deadline: float):
        super().__init__()
        self.response = response
        self.deadline = deadline
        self.expired = False
        try:
            self._sock = response.fp.raw._sock
        except AttributeError:
            self._sock = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.expired = True
            raise TimeoutError("the time limit passed while the answer was read")
        if self._sock is not None:
            try:
                self._sock.settimeout(remaining)
            except OSError:
                pass
        try:
            return self.response.readinto(buffer)
        except TimeoutError:
            self.expired = True
            raise


def _canonical(term: Any) -> Any:
    """Virtuoso's "1"^^xsd:boolean as the canonical "true" (see ssekg.remote._canonical_booleans_json)."""
    if isinstance(term, ox.Literal) and term.value in ("1", "0") and term.datatype.value == XSD_BOOLEAN:
        return ox.Literal("true" if term.value == "1" else "false", datatype=ox.NamedNode(XSD_BOOLEAN))
    return term


class _Solutions:
    """Parsed solutions, rows as dicts (booleans made canonical): what ``serialise_result`` iterates."""

    def __init__(self, parsed: Any):
        self._parsed = parsed
        self.variables = list(parsed.variables)
        self._names = [v.value for v in self.variables]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self._parsed:
            yield {name: _canonical(row[name]) for name in self._names}


def _triples(quads: Iterable[Any]) -> Iterator[ox.Triple]:
    for q in quads:
        yield ox.Triple(q.subject, q.predicate, _canonical(q.object))


class RemoteRunner:
    """Runs a client's query on the remote store with the server's limits; the same ``run`` as ``QueryRunner``."""

    retries = 0

    def __init__(self, backend: "RemoteBackend", timeout: float, max_rows: int, prefixes: dict[str, str]):
        self.backend = backend
        self.timeout = timeout
        self.max_rows = max_rows
        self.prefixes = prefixes

    def run(self, query: str, options: dict[str, Any], choose: Chooser, timeout: float | None = None) -> Answer:
        from ssekg.remote import RemoteStore, RemoteStoreError, RemoteTimeout, _query_form

        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        deadline = started + timeout
        limit_message = f"the query was stopped after the time limit of {timeout:g} s (query_timeout)"
        form = _query_form(query)
        guess = {"ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(form, "solutions")
        if choose(guess) is None:  # say so before the remote store does the work
            raise QueryFailed("not_acceptable", "", guess)
        hidden = set(options.get("hidden_columns", ()))
        try:
            text = RemoteStore.prepare(query, self.prefixes, options.get("substitutions"))
        except (TypeError, ValueError) as exc:
            raise QueryFailed("evaluation", str(exc)) from None
        params: list[tuple[str, str]] = [("query", text)]
        params += [("default-graph-uri", g.value) for g in options.get("default_graph") or []]
        params += [("named-graph-uri", g.value) for g in options.get("named_graphs") or []]
        if self.backend.is_virtuoso:
            # Virtuoso's "anytime" limit (ms): it stops evaluating and flags the answer as incomplete (S1TAT)
            params.append(("timeout", str(max(1, int(timeout * 1000)))))
        accept = ("application/n-triples, text/turtle;q=0.8" if guess == "graph"
                  else "application/sparql-results+json")
        store = self.backend.remote
        request = urllib.request.Request(store.endpoint, data=urllib.parse.urlencode(params).encode("ascii"),
                                         method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", accept)
        try:
            response = store.open_response(request, timeout=max(0.05, timeout))
        except SyntaxError as exc:
            raise QueryFailed("syntax", str(exc)) from None
        except RemoteTimeout:
            raise QueryFailed("timeout", limit_message) from None
        except RemoteStoreError as exc:
            message = str(exc)
            if "S1T00" in message or "timed out" in message.lower():
                raise QueryFailed("timeout", limit_message) from None
            raise QueryFailed("unavailable", message) from None
        reader = DeadlineReader(response, deadline)
        try:
            self.backend.saw(response.headers)
            if (response.headers.get("X-SQL-State") or "").startswith("S1T"):
                raise QueryFailed("timeout", limit_message)
            mime = (response.headers.get_content_type() or "").lower()
            stream = io.BufferedReader(reader, 1 << 16)
            if mime in ("application/sparql-results+json", "application/json"):
                parsed = ox.parse_query_results(stream, format=ox.QueryResultsFormat.JSON)
                result: Any = parsed if isinstance(parsed, ox.QueryBoolean) else _Solutions(parsed)
            else:
                fmt = ox.RdfFormat.from_media_type(mime) if mime else None
                if mime == "text/plain":
                    fmt = ox.RdfFormat.N_TRIPLES
                if fmt is None:
                    raise QueryFailed("evaluation", f"the remote store answered with {mime or 'no media type'}")
                result = _triples(ox.parse(stream, format=fmt))
            kind, mimetype, body, rows, truncated = serialise_result(result, choose, self.max_rows, self.prefixes, hidden)
        except QueryFailed:
            raise
        except Exception as exc:  # a read that passed the deadline, or an answer that does not parse
            if reader.expired or time.monotonic() >= deadline:
                raise QueryFailed("timeout", limit_message) from None
            raise QueryFailed("evaluation", f"the remote store's answer could not be read: {type(exc).__name__}: {exc}") from None
        finally:
            response.close()
        return Answer(kind, mimetype, body, rows, truncated, time.monotonic() - started)


class RemoteBackend:
    """A remote SPARQL 1.1 store (``ssekg.remote.RemoteStore``)."""

    kind = "remote"

    def __init__(self, state: Any, remote: Any):
        self.state = state
        self.remote = remote
        self.base = state.base
        self.ours = f"FILTER (STRSTARTS(STR(?g), {ox.Literal(self.base)}))"
        self.server_header: str | None = None
        st = state.settings
        self.runner = RemoteRunner(self, st.query_timeout, st.max_rows, state.prefixes)

    retries = 0

    @property
    def label(self) -> str:
        parts = urllib.parse.urlsplit(self.remote.endpoint)
        return urllib.parse.urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                                        parts.path, "", ""))  # never user:password@ from the URL

    @property
    def is_virtuoso(self) -> bool:
        return bool(self.server_header and self.server_header.lower().startswith("virtuoso"))

    def saw(self, headers: Any) -> None:
        server = headers.get("Server")
        if server:
            self.server_header = server.strip()

    def open(self) -> None:
        """Probe the store once at start (to learn what it is); an unreachable store is reported, not fatal."""
        try:
            self.health(5.0)
        except Exception as exc:  # noqa: BLE001 - /health says 503 until it answers
            import sys

            print(f"ssekg serve: the SPARQL store at {self.label} does not answer yet: {exc}", file=sys.stderr, flush=True)

    def health(self, timeout: float) -> None:
        params = urllib.parse.urlencode([("query", "ASK {}")]).encode("ascii")
        request = urllib.request.Request(self.remote.endpoint, data=params, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/sparql-results+json")
        with self.remote.open_response(request, timeout=timeout) as response:
            self.saw(response.headers)
            ox.parse_query_results(response.read(), format=ox.QueryResultsFormat.JSON)

    def select(self, query: str, bindings: dict[Any, Any] | None = None) -> Any:
        result = self.remote.query(query, prefixes=self.state.prefixes, substitutions=bindings or None)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return list(result)

    def _rows(self, query: str) -> list[Any]:
        return list(self.remote.query(query))

    def exists(self, iri: str) -> bool:
        return bool(self.remote.query(f"ASK {{ GRAPH ?g {{ {ox.NamedNode(iri)} ?p ?o }} {self.ours} }}"))

    def outgoing(self, iri: str, limit: int) -> list[ox.Triple]:
        node = ox.NamedNode(iri)
        rows = self._rows(f"SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} {self.ours} }} LIMIT {int(limit)}")
        return [ox.Triple(node, r["p"], _canonical(r["o"])) for r in rows]

    def incoming(self, iri: str, limit: int) -> list[ox.Triple]:
        node = ox.NamedNode(iri)
        rows = self._rows(f"SELECT DISTINCT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {node} }} {self.ours} }} LIMIT {int(limit)}")
        return [ox.Triple(r["s"], r["p"], node) for r in rows]

    def objects(self, iri: str, predicate: str, limit: int = 100) -> list[Any]:
        rows = self._rows(f"SELECT DISTINCT ?o WHERE {{ GRAPH ?g {{ {ox.NamedNode(iri)} {ox.NamedNode(predicate)} ?o }} "
                          f"{self.ours} }} LIMIT {int(limit)}")
        return [r["o"] for r in rows]

    def label_map(self, iris: Iterable[str]) -> dict[str, dict[str, str]]:
        """All the labels of a page in a few requests (one per 100 IRIs), not one per IRI."""
        wanted = []
        for iri in dict.fromkeys(iris):
            try:
                wanted.append(ox.NamedNode(iri))
            except ValueError:
                continue
        found: dict[str, dict[str, dict[str, str]]] = {n.value: {} for n in wanted}
        for start in range(0, len(wanted), 100):
            chunk = " ".join(str(n) for n in wanted[start : start + 100])
            props = " ".join(f"<{p}>" for p in LABEL_PROPS)
            for r in self._rows(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} VALUES ?p {{ {props} }} "
                                f"GRAPH ?g {{ ?s ?p ?o }} FILTER (isLiteral(?o)) {self.ours} }} ORDER BY ?s ?p ?o"):
                by_prop = found[r["s"].value].setdefault(r["p"].value, {})
                by_prop.setdefault(r["o"].language or "", r["o"].value)
        out: dict[str, dict[str, str]] = {}
        for iri, by_prop in found.items():
            out[iri] = next((by_prop[p] for p in LABEL_PROPS if by_prop.get(p)), {})
        return out

    def graph_triples(self, iri: str | None) -> list[ox.Triple]:
        if iri is not None:
            return [q.triple for q in self.remote.graph_quads(iri)]
        seen: dict[ox.Triple, None] = {}
        for q in self.remote.named_quads():
            seen.setdefault(q.triple, None)
        return list(seen)

    def has_graph(self, iri: str) -> bool:
        return self.remote.has_graph(iri)

    def named_graphs(self) -> list[ox.NamedNode]:
        return self.remote.named_graphs()

    def named_quads(self) -> Iterator[ox.Quad]:
        return self.remote.named_quads()

    def _count(self, query: str) -> int:
        return int(self._rows(query)[0]["n"].value)

    def triple_count(self) -> int:
        return self._count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                           f"{self.ours} }} }}")

    def void_stats(self) -> dict[str, Any]:
        ours = self.ours
        distinct = f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }}"
        out: dict[str, Any] = {}
        out["triples"] = self.triple_count()
        out["entities"] = self._count(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (isIRI(?s)) {ours} }}")
        out["classes"] = [(r["c"], int(r["n"].value)) for r in self._rows(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} {ours} }} "
            "GROUP BY ?c ORDER BY DESC(?n) LIMIT 500")]
        out["properties"] = [(r["p"], int(r["n"].value)) for r in self._rows(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {distinct} }} GROUP BY ?p ORDER BY DESC(?n) LIMIT 1000")]
        out["graphs"] = [(r["g"], int(r["n"].value)) for r in self._rows(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {ours} }} GROUP BY ?g ORDER BY ?g LIMIT 2000")]
        out["examples"] = [r["s"] for r in self._rows(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{SSE_NS}Event> }} {ours} }} ORDER BY ?s LIMIT 3")] + [
            r["s"] for r in self._rows(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{SSE_NS}Challenge> }} {ours} }} ORDER BY ?s LIMIT 1")]
        return out

    def update(self, text: str, base_iri: str) -> None:
        """Send a SPARQL Update to the remote update endpoint. SyntaxError when the store refuses its text."""
        from ssekg.remote import RemoteStore

        body = RemoteStore.prepare(text, self.state.prefixes).encode("utf-8")
        request = urllib.request.Request(self.remote.update_endpoint, data=body, method="POST")
        request.add_header("Content-Type", "application/sparql-update; charset=utf-8")
        with self.remote.open_response(request) as response:
            self.saw(response.headers)
            response.read()
        self.state.changed()

    def writable_store(self) -> Any:
        return _ChangeNotifying(self.remote, self.state)


class _ChangeNotifying:
    """The remote store, telling the server's caches after each write (VoID, dump, triple count)."""

    WRITES = {"replace_graphs", "replace_graphs_nt", "replace_report", "drop_report"}

    def __init__(self, remote: Any, state: Any):
        self._remote, self._state = remote, state

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._remote, name)
        if name in self.WRITES:
            def write(*args: Any, **kwargs: Any) -> Any:
                try:
                    return attr(*args, **kwargs)
                finally:
                    self._state.changed()
            return write
        return attr
