"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, Neptune…) behind the same methods as ``ssekg.store.Store``.

What the pipeline, the CLI and ``ssekg.query`` call on the embedded store works here too: ``replace_graphs``,
``replace_report``, ``drop_report``, ``query`` (returning pyoxigraph's own ``QuerySolutions`` / ``QueryBoolean`` /
``QueryTriples``, so callers stay unchanged), ``report_keys``, ``has_graph``, ``graph``, ``graph_triples``,
``named_quads``, ``export``, ``stats``, ``close``.

Writes. A report is replaced by ONE SPARQL Update request::

    DROP SILENT GRAPH <report> ; DROP SILENT GRAPH <inferred> ;
    INSERT DATA { GRAPH <report> { … } GRAPH <inferred> { … } }

A store that runs a request in one transaction (Virtuoso, Fuseki/TDB2, GraphDB, Neptune all do) applies it whole or
not at all, and readers see the old report or the new one. Replaying it gives the same quads (idempotent). Unlike the
embedded store, no materialised default graph is kept: remote stores answer a query without ``GRAPH`` over their own
default dataset (Virtuoso: the union of every graph, see docs/remote-stores.md). The triples are written by
pyoxigraph's N-Triples serialiser, never pasted, so a hostile literal is only ever a literal.

Virtuoso compiles ``INSERT DATA`` to SQL and refuses large ones (about 1,500 triples: "generated SQL text has
exceeded 10000 lines", then "memory exhausted"), and takes seconds to compile a thousand. Updates with more than
``max_update_triples`` triples (the reference data: ~7,600 triples, never a report) are therefore written one graph
per request with the SPARQL 1.1 Graph Store Protocol (``PUT`` of N-Triples) when a graph store URL is set, or as
several update requests otherwise; the reference data's version triple is written last, so an interrupted write is
redone on the next run.

Reads. Results are asked for as SPARQL JSON (which carries every character exactly; XML cannot carry NUL nor keep
Virtuoso's trailing spaces) and parsed by ``pyoxigraph.parse_query_results``. CONSTRUCT/DESCRIBE results are
parsed as N-Triples and handed back as a real ``pyoxigraph.QueryTriples``. Prefixes are declared in front of the
query; parameters (``substitutions``) are written where their variable stands by ``ssekg.binding.bind_values``,
each an RDF term written by pyoxigraph, never text pasted in as syntax.

Credentials (HTTP Basic, Digest or a bearer token) come from settings or the environment, never from the command line.
The HTTP is the SPARQL 1.1 Protocol spoken with the standard library's urllib and a per-request opener: SPARQLWrapper's
Digest support installs a process-wide urllib opener and assumes the realm "SPARQL", which a threaded server and other
stores cannot live with.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from .errors import StoreError
from .namespaces import DEFAULT_BASE, graph_iri, inferred_graph_iri, report_iri
from .binding import SPARQL_TOKEN, bind_values
from .store import Triple, _ntriples, export_quads, from_ox, rdflib_graph

AUTH_METHODS = ("basic", "digest", "bearer")
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_PAGE = 10_000  # rows per page when reading a whole graph (Virtuoso caps results at ResultSetMaxRows)


#: bodies larger than this are sent once, with the answer to a digest challenge asked for first (see
#: ``RemoteStore._answer_challenge_first``); smaller ones the usual way, a small body sent twice costing less than a probe
PREAUTH_BYTES = 64 * 1024


class RemoteStoreError(StoreError):
    """The remote store refused a request or could not be reached; the message says which store and why."""


class RemoteTimeout(RemoteStoreError):
    """The remote store did not answer within the time allowed."""


def remote_replace_update(graphs: Mapping[str, Iterable[Triple]]) -> str:
    """One SPARQL Update that replaces each named graph's content (no default-graph copy: see the module docstring).

    Only ``DROP SILENT GRAPH`` and ``INSERT DATA``: what every SPARQL 1.1 store accepts, Virtuoso included (it refuses
    ``replace_graphs_update``'s ``DELETE { ?s ?p ?o }`` without a default graph to delete from). Graph names go
    through ``NamedNode``; content through the N-Triples serialiser.
    """
    names = [str(ox.NamedNode(g)) for g in graphs]
    parts = [f"DROP SILENT GRAPH {name}" for name in names]
    data = []
    for name, triples in zip(names, graphs.values()):
        body = _ntriples(triples)
        if body.strip():
            data.append(f"GRAPH {name} {{\n{body}}}\n")
    if data:
        parts.append("INSERT DATA {\n" + "".join(data) + "}")
    return " ;\n".join(parts)


_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.I)
_ESCAPED_NAME = re.compile(r"(?<![\w?$])([A-Za-z][\w.-]*)?:((?:[\w\-.:%]|\\[_~.\-!$&'()*+,;=/?#@%])+)")


def expand_escaped_names(query: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Prefixed names with backslash escapes (``ssed:graph\\/countries``) written out as full IRIs.

    SPARQL 1.1 allows ``\\/``, ``\\~``… in a prefixed name's local part (PN_LOCAL_ESC); Virtuoso 7 refuses them
    ("Bad character '\\'"). Only names whose prefix is known (passed in or declared in the query) are rewritten,
    and only outside strings, IRIs and comments.
    """
    if "\\" not in query:
        return query
    known = dict(prefixes or {})
    known.update({(m.group(1) or ""): m.group(2) for m in _PREFIX_DECL.finditer(query)})

    def rewrite(segment: str) -> str:
        def one(match: re.Match) -> str:
            prefix, local = match.group(1) or "", match.group(2)
            if "\\" not in local or prefix not in known:
                return match.group()
            return str(ox.NamedNode(known[prefix] + re.sub(r"\\(.)", r"\1", local)))

        return _ESCAPED_NAME.sub(one, segment)

    out, last = [], 0
    for match in SPARQL_TOKEN.finditer(query):
        out.append(rewrite(query[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(rewrite(query[last:]))
    return "".join(out)


def _query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings, IRIs and comments."""
    stripped = SPARQL_TOKEN.sub(lambda m: " " if m.group() != "{" else "{", query)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", stripped, re.I)
    return match.group(1).upper() if match else "SELECT"


class RemoteStore:
    """A SPARQL 1.1 store reached over HTTP: query and update endpoints, optionally a Graph Store Protocol endpoint."""

    path = None  # not a local directory (callers print the endpoint instead)

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        *,
        base: str = DEFAULT_BASE,
        graph_store: str | None = None,
        auth: str | None = None,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 60.0,
        max_update_triples: int = 1000,
    ):
        if not endpoint:
            raise RemoteStoreError("a remote store needs a query endpoint URL (setting endpoint)")
        for url in (endpoint, update_endpoint, graph_store):
            if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise RemoteStoreError(f"not an http(s) URL: {url!r}")
        if auth is None:
            auth = "bearer" if token else ("basic" if user else None)
        if auth is not None and auth not in AUTH_METHODS:
            raise RemoteStoreError(f"endpoint_auth must be one of {', '.join(AUTH_METHODS)}, not {auth!r}")
        if auth in ("basic", "digest") and not (user and password is not None):
            raise RemoteStoreError(f"endpoint_auth={auth} needs endpoint_user and endpoint_password")
        if auth == "bearer" and not token:
            raise RemoteStoreError("endpoint_auth=bearer needs endpoint_token")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.base = base
        self.auth = auth
        self._user, self._password, self._token = user, password, token
        self.timeout = timeout
        self.max_update_triples = max_update_triples

    @classmethod
    def from_settings(cls, settings: Any) -> "RemoteStore":
        values = settings.values
        return cls(
            values["endpoint"],
            values.get("update_endpoint"),
            base=values.get("base") or DEFAULT_BASE,
            graph_store=values.get("endpoint_graph_store"),
            auth=values.get("endpoint_auth"),
            user=values.get("endpoint_user"),
            password=values.get("endpoint_password"),
            token=values.get("endpoint_token"),
            timeout=float(values.get("query_timeout") or 60.0),
        )

    def __repr__(self) -> str:  # never the credentials
        return f"RemoteStore({self.endpoint!r}, update={self.update_endpoint!r}, auth={self.auth!r})"

    @property
    def label(self) -> str:
        return self.endpoint

    # -- HTTP ------------------------------------------------------------------------------------------------------
    def _open(self, request: urllib.request.Request) -> bytes:
        with self.open_response(request) as response:
            return response.read()

    def open_response(self, request: urllib.request.Request, timeout: float | None = None) -> Any:
        """Send ``request`` with our credentials; the open HTTP response (the caller reads and closes it).

        ``timeout`` (seconds, default ``self.timeout``) bounds the connection and each read. Errors: 400 raises
        SyntaxError with the store's message, 401/403 and other statuses RemoteStoreError, a timeout
        RemoteTimeout, an unreachable store RemoteStoreError.
        """
        handlers: list[Any] = []
        if self.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, request.full_url, self._user, self._password)
            digest = urllib.request.HTTPDigestAuthHandler(manager)
            handlers.append(digest)
            if request.data and len(request.data) > PREAUTH_BYTES:
                self._answer_challenge_first(request, digest, timeout)
        elif self.auth == "basic":
            pair = f"{self._user}:{self._password}".encode("utf-8")
            request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
        elif self.auth == "bearer":
            request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("User-Agent", "ssekg")
        opener = urllib.request.build_opener(*handlers)
        url = request.full_url.split("?", 1)[0]
        try:
            return opener.open(request, timeout=self.timeout if timeout is None else timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()
            if exc.code in (401, 403):
                raise RemoteStoreError(
                    f"{url} refused the credentials ({exc.code}): set endpoint_user/endpoint_password or endpoint_token "
                    "(SSEKG_ENDPOINT_* variables or the settings file) and endpoint_auth"
                ) from None
            if exc.code == 400:
                raise SyntaxError(f"{url} refused the request (400): {_first_lines(detail)}") from None
            raise RemoteStoreError(f"{url} answered {exc.code}: {_first_lines(detail)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                raise RemoteTimeout(f"the SPARQL store at {url} did not answer in time: {reason}") from None
            raise RemoteStoreError(f"cannot reach the SPARQL store at {url}: {reason}") from None

    def _answer_challenge_first(self, request: urllib.request.Request, digest: Any, timeout: float | None) -> None:
        """Digest authentication of a request with a body, before the body is sent.

        urllib sends the whole body, gets the 401 challenge, then sends it again with the answer. Virtuoso answers
        401 as soon as it has read the head and closes the connection, so a large body (a graph PUT) met a broken
        pipe now and then instead of the challenge. A bodiless HEAD to the same address gets the challenge; the
        request then carries its answer and goes once. When it cannot (no challenge, another scheme), nothing is
        added and the usual way applies.
        """
        probe = urllib.request.Request(request.full_url, method="HEAD")
        probe.add_header("User-Agent", "ssekg")
        try:
            urllib.request.build_opener().open(probe, timeout=self.timeout if timeout is None else timeout).close()
            return  # no challenge: nothing to answer
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
            exc.close()
        except (urllib.error.URLError, OSError):
            return  # the request itself will say what is wrong
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() != "digest":
            return
        fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
        answer = digest.get_authorization(request, fields)
        if answer:
            request.add_unredirected_header("Authorization", f"Digest {answer}")

    def _post_query(self, text: str, accept: str, params: list[tuple[str, str]] | None = None) -> bytes:
        body = urllib.parse.urlencode([("query", text), *(params or [])]).encode("ascii")
        request = urllib.request.Request(self.endpoint, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", accept)
        return self._open(request)

    def _post_update(self, text: str) -> None:
        request = urllib.request.Request(self.update_endpoint, data=text.encode("utf-8"), method="POST")
        request.add_header("Content-Type", "application/sparql-update; charset=utf-8")
        try:
            self._open(request)
        except SyntaxError as exc:
            raise RemoteStoreError(f"the store refused the update: {exc}") from None

    def _put_graph(self, iri: str, ntriples: str) -> None:
        """Graph Store Protocol: replace one graph (PUT), or remove it when empty (DELETE, 404 is fine)."""
        assert self.graph_store
        body = ntriples.encode("utf-8")
        sep = "&" if "?" in self.graph_store else "?"
        url = self.graph_store + sep + urllib.parse.urlencode({"graph": iri})
        if "sparql-graph-crud" in self.graph_store:  # Virtuoso names the parameter graph-uri
            url = self.graph_store + sep + urllib.parse.urlencode({"graph-uri": iri})
        if body.strip():
            request = urllib.request.Request(url, data=body, method="PUT")
            request.add_header("Content-Type", _NTRIPLES)
            self._open(request)
            return
        try:
            self._open(urllib.request.Request(url, method="DELETE"))
        except RemoteStoreError as exc:
            if " answered 404" not in str(exc):
                raise

    # -- writing ---------------------------------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        """Replace these named graphs (graph IRI -> triples); one update request unless they are very large."""
        self.replace_graphs_nt({name: _ntriples(triples) for name, triples in graphs.items()})

    def replace_graphs_nt(self, graphs: Mapping[str, str], maintain: bool = True) -> None:
        """:meth:`replace_graphs` for N-Triples bodies written by pyoxigraph (``ssekg.store.ntriples``).

        ``maintain``: keep the comparison cube exact across the write (``ssekg.cube.maintained``).
        """
        if not graphs:
            return
        if maintain:
            from . import cube

            with cube.maintained(self, graphs):
                self._replace_graphs_nt(graphs)
            return
        self._replace_graphs_nt(graphs)

    def _replace_graphs_nt(self, graphs: Mapping[str, str]) -> None:
        names = {name: str(ox.NamedNode(name)) for name in graphs}
        if sum(_lines(body) for body in graphs.values()) <= self.max_update_triples:
            parts = [f"DROP SILENT GRAPH {names[name]}" for name in graphs]
            data = [f"GRAPH {names[name]} {{\n{body}}}\n" for name, body in graphs.items() if body.strip()]
            if data:
                parts.append("INSERT DATA {\n" + "".join(data) + "}")
            self._post_update(" ;\n".join(parts))
            return
        # Too large for one INSERT DATA on some stores (Virtuoso): one graph at a time, in the order given.
        for name, body in graphs.items():
            if self.graph_store:
                self._put_graph(name, body)
                continue
            self._post_update(f"DROP SILENT GRAPH {names[name]}")
            lines = body.splitlines(keepends=True)
            for start in range(0, len(lines), self.max_update_triples):
                chunk = "".join(lines[start : start + self.max_update_triples])
                self._post_update("INSERT DATA {\n" + f"GRAPH {names[name]} {{\n{chunk}}}\n}}")

    def replace_report(self, key: str, asserted: Iterable[Triple], inferred: Iterable[Triple]) -> None:
        """Replace a report's graph and its inferred graph with one update request."""
        self.replace_graphs({report_iri(self.base, key): asserted, inferred_graph_iri(self.base, key): inferred})

    def drop_report(self, key: str) -> bool:
        """Remove a report and what was inferred from it; False if the store did not hold it."""
        if not self.has_graph(report_iri(self.base, key)):
            return False
        self.replace_report(key, [], [])
        return True

    def optimize(self) -> None:
        """Nothing to do: the remote store maintains itself."""

    def close(self) -> None:
        """Nothing to release: each request has its own connection."""

    # -- reading ---------------------------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[Any, Any] | None = None,
        default_graph: Any = None,
        named_graphs: Any = None,
        **unsupported: Any,
    ) -> Any:
        """Run a SPARQL query on the remote store; the result is pyoxigraph's, as ``Store.query`` gives.

        ``prefixes`` are declared in front of the query (the query's own declarations win); ``substitutions`` are
        bound by ``bind_values``; ``default_graph``/``named_graphs`` become the protocol's default-graph-uri and
        named-graph-uri. A query the store refuses raises SyntaxError (what ``ssekg.query.run_query`` expects).
        """
        if unsupported:
            raise TypeError(f"a remote store does not take {', '.join(sorted(unsupported))}")
        text = self.prepare(sparql, prefixes, substitutions)
        params = [("default-graph-uri", g.value if hasattr(g, "value") else str(g)) for g in _as_list(default_graph)]
        params += [("named-graph-uri", g.value if hasattr(g, "value") else str(g)) for g in _as_list(named_graphs)]
        form = _query_form(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            data = self._post_query(text, f"{_NTRIPLES}, text/plain;q=0.9, text/turtle;q=0.8", params)
            return _as_query_triples(_canonical_booleans_nt(data))
        data = _canonical_booleans_json(self._post_query(text, _JSON, params))
        try:
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise RemoteStoreError(f"{self.endpoint} sent results that are not SPARQL JSON: {exc}") from None

    @staticmethod
    def prepare(sparql: str, prefixes: Mapping[str, str] | None = None, substitutions: Mapping[Any, Any] | None = None) -> str:
        """The text ``query`` sends: parameters bound (``bind_values``), escaped names written out, prefixes declared."""
        text = expand_escaped_names(bind_values(sparql, substitutions or {}), prefixes)
        if prefixes:
            declared = "".join(f"PREFIX {name}: {ox.NamedNode(iri)}\n" for name, iri in prefixes.items())
            text = declared + text
        return text

    def _select(self, text: str) -> Iterator[Any]:
        yield from self.query(text)

    def named_graphs(self) -> list[ox.NamedNode]:
        """Our named graphs: those whose IRI starts with the base (a remote store has system graphs of its own)."""
        rows = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "
            + str(ox.Literal(self.base))
            + ")) }"
        )
        return sorted((row["g"] for row in rows), key=lambda g: g.value)

    def report_keys(self) -> list[str]:
        prefix = report_iri(self.base, "")
        return sorted(g.value[len(prefix) :] for g in self.named_graphs() if g.value.startswith(prefix))

    def has_graph(self, iri: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {ox.NamedNode(iri)} {{ ?s ?p ?o }} }}"))

    def graph_quads(self, iri: str) -> Iterator[ox.Quad]:
        """Every quad of one named graph, read in pages (a remote store caps the rows of one answer).

        A graph of one page is read sorted. A larger one cannot be paged sorted on Virtuoso, which refuses to sort
        more than offset + limit = 10,000 rows (SR353, ``MaxSortedTopRows``): it is read in unsorted pages, each
        quad given once, and the count checked against the graph's ``COUNT(*)`` at the end, so an engine whose
        unsorted pages were not stable raises :class:`RemoteStoreError` rather than giving part of the graph.
        """
        name = ox.NamedNode(iri)
        pattern = f"GRAPH {name} {{ ?s ?p ?o }}"
        rows = list(self.query(f"SELECT ?s ?p ?o WHERE {{ {pattern} }} ORDER BY ?s ?p ?o LIMIT {_PAGE}"))
        total = len(rows)
        if total == _PAGE:  # a full page: the graph may hold more (a store may also cap an answer at _PAGE rows)
            (count,) = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
            total = int(count["n"].value)
        if total == len(rows):
            for row in rows:
                yield ox.Quad(row["s"], row["p"], row["o"], name)
            return
        seen: set[int] = set()
        offset = 0
        while True:
            page = list(self.query(f"SELECT ?s ?p ?o WHERE {{ {pattern} }} LIMIT {_PAGE} OFFSET {offset}"))
            for row in page:
                q = ox.Quad(row["s"], row["p"], row["o"], name)
                if hash(q) not in seen:
                    seen.add(hash(q))
                    yield q
            if len(page) < _PAGE:
                break
            offset += _PAGE
        if len(seen) != total:
            raise RemoteStoreError(
                f"{self.endpoint}: graph {iri} has {total} triples but its pages gave {len(seen)} (the store's "
                "unsorted pages were not stable while it was read): read it again, or raise the store's "
                "MaxSortedTopRows"
            )

    def graph_triples(self, iri: str) -> Iterator[Triple]:
        for q in self.graph_quads(iri):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def graph_keys(self, iri: str) -> Iterator[str]:
        """The triples of one named graph as ``"s p o"`` N-Triples terms (``ssekg.store.triple_key``'s form)."""
        for q in self.graph_quads(iri):
            yield f"{q.subject} {q.predicate} {q.object}"

    def graph(self, iri: str) -> Graph:
        return rdflib_graph(iri, self.graph_triples(iri))

    def named_quads(self) -> Iterator[ox.Quad]:
        """Every quad of our named graphs (not the store's system graphs)."""
        for name in self.named_graphs():
            yield from self.graph_quads(name.value)

    def export(self, output: IO[bytes] | str, fmt: str = "trig") -> None:
        """Write the dataset (our named graphs) as TriG or N-Quads."""
        export_quads(self.named_quads(), output, fmt, self.base)

    def stats(self) -> dict[str, int]:
        """Distinct triples over our graphs (the store's union default graph repeats shared triples), reports, graphs."""
        base = str(ox.Literal(self.base))
        (row,) = self.query(
            "SELECT (COUNT(*) AS ?triples) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER (STRSTARTS(STR(?g), {base})) }} }}"
        )
        graphs = self.named_graphs()
        prefix = report_iri(self.base, "")
        return {
            "triples": int(row["triples"].value),
            "reports": sum(1 for g in graphs if g.value.startswith(prefix)),
            "graphs": len(graphs),
        }

    def reference_graph(self, name: str) -> str:
        return graph_iri(self.base, name)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_NT_BOOLEAN = re.compile(rb'(?<!\\)"([01])"\^\^<http://www\.w3\.org/2001/XMLSchema#boolean>')


def _canonical_booleans_json(data: bytes) -> bytes:
    """Virtuoso stores xsd:boolean as 1/0 and answers "1"^^xsd:boolean; write the canonical true/false back.

    Same value (both are in xsd:boolean's lexical space), but another RDF term: without this a boolean the embedded
    store gives as "true" would not compare equal.
    """
    if _BOOLEAN.encode() not in data:
        return data
    doc = json.loads(data)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("datatype") == _BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(doc).encode("utf-8")


def _canonical_booleans_nt(data: bytes) -> bytes:
    return _NT_BOOLEAN.sub(lambda m: b'"' + (b"true" if m.group(1) == b"1" else b"false") + b'"^^<' + _BOOLEAN.encode() + b">", data)


def _lines(body: str) -> int:
    """Triples in an N-Triples body from pyoxigraph's serialiser: one a line (newlines in literals are escaped)."""
    return body.count("\n")


def _first_lines(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + " …"


def _as_query_triples(data: bytes) -> Any:
    """N-Triples (or Turtle) from the store as a real ``pyoxigraph.QueryTriples``, as the embedded store returns."""
    scratch = ox.Store()
    text = data.lstrip()
    fmt = ox.RdfFormat.N_TRIPLES
    if text.startswith(b"@prefix") or text.startswith(b"PREFIX") or text.startswith(b"@base"):
        fmt = ox.RdfFormat.TURTLE
    try:
        scratch.load(data, format=fmt, to_graph=ox.DefaultGraph())
    except SyntaxError:
        scratch.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


def open_remote(settings: Any) -> RemoteStore:
    return RemoteStore.from_settings(settings)
