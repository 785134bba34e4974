"""The embedded store: Oxigraph on disk, one named graph per report, a default graph that is their set union.

Why the default graph is materialised: Oxigraph's ``use_default_graph_as_union`` yields a triple once per graph
that holds it, so a country or a person named by two reports would be counted twice (measured.md). We keep the
default graph equal to the RDF merge of all named graphs instead, updated in the same SPARQL Update that
replaces a report, so queries without ``GRAPH`` get SPARQL's set semantics and ``GRAPH ?g`` still gives provenance.

Why every write is one SPARQL Update: pyoxigraph has no Python transaction API, but ``Store.update`` is applied
all-or-nothing. Replacing a report (delete its old graphs, insert the new ones, update the default graph) is one
update request, so a crash or SIGKILL never leaves half a report. The request text is produced by Oxigraph's own
N-Triples serialiser from parsed terms, never by pasting strings: a hostile literal is escaped like any other.

Why a second write path, for reports new to the store: a transactional update costs about 11 ms a report (each
quad goes into nine RocksDB indexes under a transaction), which made the one writer of a parallel ingest the
bound (bench/README.md). :meth:`Store.add_new_graphs` writes graphs the store does not hold yet with Oxigraph's
bulk loader, which builds sorted files and hands them to RocksDB (several times faster, but not atomic). A
journal file beside RocksDB's names the graphs being loaded; it is written and synced before the load and
removed after it. Opening a store that still has a journal (the process died mid-load) removes those graphs and
their default-graph copies in one update, so after any crash every report is whole or absent, as before. The
named graphs are loaded before their default-graph copies, so that clean-up (delete from the default graph
what only these graphs held, then drop them) is exact whichever load the crash interrupted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from .binding import bind_values
from .errors import StoreError
from .namespaces import DEFAULT_BASE, graph_iri, inferred_graph_iri, prefixes_for, report_iri

Triple = tuple[Node, Node, Node]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: the file, inside the store's directory, that names the graphs a bulk load was writing (see module docstring)
JOURNAL = "ssekg-bulk-journal.json"

#: Export formats of the whole dataset (named graphs only; the default graph is their union).
DATASET_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


#: how many terms :func:`term_text` remembers before it starts again (a worker's memory stays flat)
TERM_CACHE_SIZE = 100_000
_TERM_TEXT: dict[Any, str] = {}


def term_text(term: Node) -> str:
    """A term in N-Triples, as Oxigraph writes it; remembered, since the same IRIs recur in every report.

    Keys are exact (lexical form, language tag as written, datatype), not rdflib's equality, which would take
    ``"a"@EN`` for ``"a"@en``. Blank nodes are not remembered (their labels are local to a graph).
    """
    cls = term.__class__
    if cls is URIRef:
        key: Any = str.__str__(term)
    elif cls is Literal:
        key = (str.__str__(term), term.language, term.datatype)
    else:
        return str(to_ox(term))
    text = _TERM_TEXT.get(key)
    if text is None:
        if len(_TERM_TEXT) >= TERM_CACHE_SIZE:
            _TERM_TEXT.clear()
        text = _TERM_TEXT[key] = str(to_ox(term))
    return text


def triple_key(s: Node, p: Node, o: Node) -> str:
    """A triple's canonical N-Triples form: a cheap set key that a store-read triple and an rdflib one share."""
    return f"{term_text(s)} {term_text(p)} {term_text(o)}"


def _ntriples(triples: Iterable[Triple]) -> str:
    # each term written by Oxigraph (term_text); the line is N-Triples' "s p o .", as Oxigraph's serialiser ends
    # it (tests/test_store.py compares the two on the bundled cards and on literals that need escaping)
    return "".join(f"{term_text(s)} {term_text(p)} {term_text(o)} .\n" for s, p, o in triples)


def replace_graphs_update(graphs: Mapping[str, Iterable[Triple]]) -> str:
    """One SPARQL Update that replaces each named graph's content and keeps the default graph their union."""
    return replace_graphs_update_nt({name: _ntriples(triples) for name, triples in graphs.items()})


def ntriples(triples: Iterable[Triple]) -> str:
    """Triples as N-Triples text, each term written by Oxigraph: what :func:`replace_graphs_update_nt` takes."""
    return _ntriples(triples)


def replace_graphs_update_nt(graphs: Mapping[str, str]) -> str:
    """One SPARQL Update that replaces each named graph (IRI -> N-Triples body) and keeps the default graph their union.

    1. remove from the default graph what only these graphs held;
    2. drop the graphs;
    3. insert the new content into each graph and into the default graph (one INSERT DATA, so a blank node
       shared by a graph and its default-graph copy is the same node).
    Graph names are IRIs we mint (hex keys), checked by NamedNode. The bodies must come from :func:`ntriples`
    (Oxigraph's serialiser, e.g. run in a worker process),
    never from pasted strings. Blank node labels are shared by the whole request, so a caller that puts several
    reports in one request must not combine bodies that hold blank nodes.
    """
    names = [str(ox.NamedNode(g)) for g in graphs]
    values = " ".join(names)
    not_these = ", ".join(names)
    parts = [
        "DELETE { ?s ?p ?o } WHERE { VALUES ?g { " + values + " } GRAPH ?g { ?s ?p ?o } "
        "FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } FILTER (?h NOT IN (" + not_these + ")) } }",
        *(f"DROP SILENT GRAPH {name}" for name in names),
    ]
    data = [f"GRAPH {name} {{\n{body}}}\n{body}" for name, body in zip(names, graphs.values()) if body.strip()]
    if data:
        parts.append("INSERT DATA {\n" + "".join(data) + "}")
    return " ;\n".join(parts)


def nt_to_nquads(body: str, graph: str) -> str:
    """N-Triples lines (Oxigraph's serialiser: one triple a line, ending " .") as N-Quads lines in ``graph``.

    Safe because N-Triples escapes line breaks inside literals: " .\\n" can only end a line.
    """
    return body.replace(" .\n", f" {ox.NamedNode(graph)} .\n")


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_quads(quads: Iterable[ox.Quad], output: IO[bytes] | str, fmt: str, base: str) -> None:
    """Quads as TriG (with our prefixes) or N-Quads: the export of either back end."""
    if fmt not in DATASET_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(DATASET_FORMATS)}")
    prefixes = prefixes_for(base) if fmt == "trig" else None
    ox.serialize(quads, output, DATASET_FORMATS[fmt], prefixes=prefixes)


def plain_graph(triples: Iterable[Triple]) -> Graph:
    """A small graph of ``triples`` (a report's, as the ingest builds them): no contexts, since adding to rdflib's
    SimpleMemory costs half of the default store's."""
    graph = Graph(store=SimpleMemory())
    for triple in triples:
        graph.add(triple)
    return graph


def rdflib_graph(iri: str, triples: Iterable[Triple]) -> Graph:
    """One named graph as an rdflib Graph (small graphs: a report, the ontology), for either back end."""
    g = Graph(identifier=URIRef(iri))
    for triple in triples:
        g.add(triple)
    return g


class Store:
    """An open Oxigraph store: real state (a RocksDB directory and its lock), hence a class."""

    def __init__(self, oxstore: ox.Store, base: str = DEFAULT_BASE, path: str | None = None):
        self.ox = oxstore
        self.base = base
        self.path = path

    # -- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], base: str = DEFAULT_BASE) -> "Store":
        """Open (creating if needed) the store at ``path`` for reading and writing.

        Oxigraph allows one process to open a store for writing; a second one gets a StoreError that says so.
        """
        path = str(path)
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
            store = cls(ox.Store(path), base, path)
        except OSError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise StoreError(
                    f"the store at {path} is open in another process (a running `ssekg serve` or ingest). "
                    "To add reports while a server runs, send them to it: ssekg ingest --server URL FILES; "
                    "otherwise stop that process, or point --store at another directory."
                ) from exc
            raise StoreError(f"cannot open the store at {path}: {message}") from exc
        store.recover()
        from . import cube

        cube.recover(store)  # nobody else writes an embedded store: a pending cube is a writer that died
        return store

    @classmethod
    def memory(cls, base: str = DEFAULT_BASE) -> "Store":
        return cls(ox.Store(), base, None)

    def close(self) -> None:
        """Flush and let go of the RocksDB lock (pyoxigraph closes the store when the object is freed)."""
        self.ox.flush()
        self.ox = None  # type: ignore[assignment]

    # -- writing -----------------------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        """Replace these named graphs (graph IRI -> triples) as one all-or-nothing update."""
        if graphs:
            self.replace_graphs_nt({name: _ntriples(triples) for name, triples in graphs.items()})

    def replace_report(self, key: str, asserted: Iterable[Triple], inferred: Iterable[Triple]) -> None:
        """Replace a report's graph and its inferred graph in one transaction."""
        self.replace_graphs({report_iri(self.base, key): asserted, inferred_graph_iri(self.base, key): inferred})

    def replace_graphs_nt(self, graphs: Mapping[str, str], maintain: bool = True) -> None:
        """:meth:`replace_graphs` for N-Triples bodies from :func:`ntriples` (one all-or-nothing update).

        ``maintain``: keep the comparison cube exact across the write (``ssekg.cube.maintained``); only the cube's
        own rebuild writes without.
        """
        if not graphs:
            return
        if not maintain:
            self.ox.update(replace_graphs_update_nt(graphs))
            return
        from . import cube

        with cube.maintained(self, graphs):
            self.ox.update(replace_graphs_update_nt(graphs))

    def add_new_graphs(self, graphs: Mapping[str, str], default: str | None = None, maintain: bool = True) -> None:
        """Add named graphs the store does not hold (IRI -> N-Triples body from :func:`ntriples`) in bulk.

        The caller guarantees the graphs are new and their bodies hold no blank nodes (labels would not be
        renamed); a store in memory, with no directory for the journal, gets an ordinary update instead.
        ``default``: the lines of the bodies to add to the default graph, when the caller knows the others are
        there already (default: every line of every body).
        """
        if not graphs:
            return
        if self.path is None:
            self.replace_graphs_nt(graphs, maintain=maintain)
            return
        if maintain:
            from . import cube

            with cube.maintained(self, graphs, new=True):
                self._bulk_load(graphs, default)
            return
        self._bulk_load(graphs, default)

    def _bulk_load(self, graphs: Mapping[str, str], default: str | None) -> None:
        journal = Path(self.path) / JOURNAL
        _write_synced(journal, json.dumps(sorted(graphs)))
        try:
            # lenient: the bodies' terms were written by Oxigraph (ntriples) and the graph names checked by NamedNode,
            # so parsing need not check IRIs again (a tenth of the load). Two loads, not one: a load of both was
            # slower (3.5-3.9 against 3.1-3.3 ms a report, 2,048 reports in batches of 256).
            named = "".join(nt_to_nquads(body, iri) for iri, body in graphs.items())
            self.ox.bulk_load(named, format=ox.RdfFormat.N_QUADS, lenient=True)
            if default is None:
                default = "".join(graphs.values())
            self.ox.bulk_load(default, format=ox.RdfFormat.N_QUADS, lenient=True)
            self.ox.flush()
        except BaseException:
            self.recover()
            raise
        journal.unlink()
        _sync_dir(journal.parent)

    def recover(self) -> list[str]:
        """Undo an interrupted bulk load (see module docstring); returns the graphs removed."""
        if self.path is None:
            return []
        journal = Path(self.path) / JOURNAL
        try:
            pending = json.loads(journal.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except ValueError:  # the process died while writing the journal: nothing was loaded yet
            pending = []
        if pending:
            self.replace_graphs_nt({iri: "" for iri in pending}, maintain=False)
        journal.unlink()
        _sync_dir(journal.parent)
        return pending

    def drop_report(self, key: str) -> bool:
        """Remove a report and what was inferred from it; False if the store did not hold it."""
        if not self.ox.contains_named_graph(ox.NamedNode(report_iri(self.base, key))):
            return False
        self.replace_report(key, [], [])
        return True

    def optimize(self) -> None:
        self.ox.optimize()

    # -- reading -----------------------------------------------------------------------------------------
    def query(self, sparql: str, substitutions: Mapping[Any, Any] | None = None, **kwargs: Any) -> Any:
        """Run a SPARQL query; the default graph is the union of all named graphs (see module docstring).

        ``substitutions`` (variable -> term) are written into the text as terms (``ssekg.binding``), not passed to
        Oxigraph's pre-binding, whose plans are up to ten times slower on our named queries.
        """
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        return self.ox.query(sparql, **kwargs)

    def report_keys(self) -> list[str]:
        prefix = report_iri(self.base, "")
        return sorted(
            g.value[len(prefix) :]
            for g in self.ox.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
        )

    def has_graph(self, iri: str) -> bool:
        return self.ox.contains_named_graph(ox.NamedNode(iri))

    def graph_triples(self, iri: str) -> Iterator[Triple]:
        for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def graph_keys(self, iri: str) -> Iterator[str]:
        """The triples of one named graph in the form of :func:`triple_key`, without building rdflib terms."""
        for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            yield f"{q.subject} {q.predicate} {q.object}"

    def graph(self, iri: str) -> Graph:
        return rdflib_graph(iri, self.graph_triples(iri))

    def named_quads(self) -> Iterator[ox.Quad]:
        """Every quad of every named graph: the dataset without the materialised union."""
        for quad in self.ox.quads_for_pattern(None, None, None, None):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                yield quad

    def export(self, output: IO[bytes] | str, fmt: str = "trig") -> None:
        """Write the dataset (named graphs) as TriG or N-Quads."""
        export_quads(self.named_quads(), output, fmt, self.base)

    def stats(self) -> dict[str, int]:
        (row,) = self.ox.query(
            "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
        )
        return {
            "triples": int(row["triples"].value),
            "reports": len(self.report_keys()),
            "graphs": sum(1 for _ in self.ox.named_graphs()),
        }

    def reference_graph(self, name: str) -> str:
        return graph_iri(self.base, name)
