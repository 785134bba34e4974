"""The comparison cube: the counts behind the comparison page, kept up to date with every write, as RDF Data Cube.

Why: the matrices (statements per country × category), the coverage note and the co-participation pairs were
counted from every statement at every request, which grows with the store (3 s at 10,000 reports, past the
timeout at 100,000). The cube holds those counts as ``qb:Observation`` s in the graph ``{base}graph/cube``, and
the named queries the page sends read a few hundred of them (``queries/cube/``, chosen by :func:`usable`).

What it holds (one ``qb:DataSet`` per family and grain, each with its data structure definition):

- ``statements``: statements and events per statement kind × country role (host, speaker) × country × category,
- ``coverage``: statements with a category, and how many of them have a host country / a speaker's country,
- ``pairs``: events per pair of countries taking part together (host or participating),

each at three grains: over all events, by start year (dated events only), by event type (typed events only); not
by both, which was as large as the reports themselves. The statement families also have the confidence level and the statements read (all, curated) as dimensions,
and every family whether the events are the bundled examples. The counts are exactly those of the named queries
over the raw statements (``tests/test_cube.py`` compares them on random corpora, after re-ingest, drop and
replacement, on both back ends).

How it stays exact: a report's contribution depends on its events and, through the speakers' countries, on other
reports. A write (:func:`maintained`) finds the events whose counts it can change (those of the written graphs,
those linked to statements there, those of speakers whose set of countries changes), counts their contribution
before and after, and adds the difference to the observations. A marker (``sse:pendingWrite``) is set before the
write and cleared with the difference; a cube that keeps it (the writer died in between) is rebuilt, and until then
the named queries count from the statements. What the cube cannot count exactly — an event with two start years, a
statement two events share, a blank node as an event — is counted in ``sse:irregularEvents``, and while there is
one the queries count from the statements too (reports read by ssekg have none).

A recount (:func:`rebuild`, the end of a large run) reads and counts the events in parts of ``COUNT_CHUNK``
(:func:`count_events`), so its memory is that of one part's facts, not the store's.

Every term written into a SPARQL text here is written by pyoxigraph's serialiser (``str(term)``), never pasted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import datetime, timezone
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

import pyoxigraph as ox

from .namespaces import SSE, graph_iri

log = logging.getLogger(__name__)

#: the version of the cube's definition: a stored cube of another version is rebuilt
CUBE_VERSION = "2"  # 2: with qb:Slices
CUBE_GRAPH = "cube"

QB = "http://purl.org/linked-data/cube#"
_SSE = str(SSE)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_DCT_HAS_PART = ox.NamedNode("http://purl.org/dc/terms/hasPart")
_DCT_IS_PART_OF = ox.NamedNode("http://purl.org/dc/terms/isPartOf")


def _sse(name: str) -> ox.NamedNode:
    return ox.NamedNode(_SSE + name)


def _qb(name: str) -> ox.NamedNode:
    return ox.NamedNode(QB + name)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(_XSD + "integer"))


def _str(text: str) -> ox.Literal:
    return ox.Literal(text)


#: grains: (IRI suffix, by year, by event type, label)
#: (a grain by year and type was as large as the reports themselves on a corpus spread over 60 countries, 15 types
#: and 8 years: a query given both filters counts from the statements)
GRAINS = (
    ("", False, False, "all events"),
    ("-by-year", True, False, "by year of the event's start (dated events)"),
    ("-by-type", False, True, "by event type (typed events)"),
)


@dataclass(frozen=True)
class Family:
    name: str
    dimensions: tuple[str, ...]  # leading dimensions (before year, type)
    measures: tuple[str, ...]
    statements: bool  # has the confidence level and the statements read
    label: str


FAMILIES = (
    Family("statements", ("statementKind", "countryRole", "refCountry", "refCategory"),
           ("statementCount", "eventCount"), True,
           "Challenges and proposals per country and category"),
    Family("coverage", ("statementKind",),
           ("statementCount", "statementsWithHostCountry", "statementsWithSpeakerCountry"), True,
           "Statements with a category, and how many a country matrix can place"),
    Family("pairs", ("refCountry1", "refCountry2"), ("eventCount",), False,
           "Events per pair of countries taking part together"),
)
FAMILY = {f.name: f for f in FAMILIES}
MEASURES = sorted({m for f in FAMILIES for m in f.measures})
_MEASURE_NODES = {m: _sse(m) for m in MEASURES}


#: the named queries the cube answers (queries/cube/NAME.rq) and the family of datasets each reads
QUERY_FAMILIES = {"challenges-by-country": "statements", "proposals-by-country": "statements",
                  "statement-coverage": "coverage", "country-pairs": "pairs"}


def structure_for(query: str, by_year: bool, by_type: bool) -> ox.NamedNode:
    """The structure of the dataset a cubed named query reads, by the filters it was given."""
    family = FAMILY[QUERY_FAMILIES[query]]
    suffix = next(g[0] for g in GRAINS if g[1] == by_year and g[2] == by_type)
    return _sse(structure_name(family, suffix))


#: the dimensions a family's slices fix, besides the grain's own (year or type): what every query of the family fixes
#: (the kind, the country role, the statements read), so that a query reads one slice of a few hundred
#: observations per year or type instead of every observation of that year (every family's) or of the dataset
SLICE_DIMENSIONS = {"statements": ("statementKind", "countryRole", "statementsRead"),
                    "coverage": ("statementKind", "statementsRead"), "pairs": ()}


def dataset_grain(dataset: str) -> tuple[Family, bool, bool]:
    """A dataset's family, and whether it is by year and by type (``statements-by-year`` …)."""
    family = FAMILY[dataset.split("-", 1)[0]]
    grain = dataset[len(family.name):]
    return family, "year" in grain, "type" in grain


def slice_dimensions(dataset: str) -> list[str]:
    """The dimensions the slices of ``dataset`` fix (empty: the dataset has no slices, its grain being all events
    and its family fixing nothing)."""
    family, by_year, by_type = dataset_grain(dataset)
    return list(SLICE_DIMENSIONS[family.name]) + ["refYear"] * by_year + ["refEventType"] * by_type


def slice_node(base: str, dataset: str, values: tuple) -> ox.NamedNode:
    """The slice of ``dataset`` with these values (N-Triples text) of its slice dimensions: the same IRI whether
    written by a recount or by the writes (the queries find slices by their values, not by this IRI)."""
    digest = hashlib.sha256("\x1f".join(str(t) for t in values).encode("utf-8")).hexdigest()[:16]
    return ox.NamedNode(f"{base}cube/{dataset}/slice/{digest}")


Sliced = tuple[ox.NamedNode, list[tuple[str, str]]]  # a slice and the values it fixes (name, N-Triples text)


def _slice_of(base: str, key: "Key") -> Sliced | None:
    """The slice an observation belongs to and the slice's dimension values, or None (an unsliced dataset)."""
    dataset, dims = key
    names = slice_dimensions(dataset)
    if not names:
        return None
    values = dict(zip(dimensions_of(*dataset_grain(dataset)), dims))
    fixed = [(name, values[name]) for name in names]
    return slice_node(base, dataset, tuple(v for _, v in fixed)), fixed


def slice_lines(base: str, dataset: str, node: ox.NamedNode, fixed: list[tuple[str, str]]) -> list[str]:
    """A slice's own triples: its type, its slice key, its dimension values, and the dataset's link to it."""
    family, by_year, by_type = dataset_grain(dataset)
    suffix = next(g[0] for g in GRAINS if g[1] == by_year and g[2] == by_type)
    key = ox.NamedNode(f"{_sse(structure_name(family, suffix)).value}-slice")
    lines = [f"{node} {_RDF_TYPE} {_qb('Slice')} .\n", f"{node} {_qb('sliceStructure')} {key} .\n",
             f"{dataset_node(base, dataset)} {_qb('slice')} {node} .\n"]
    return lines + [f"{node} {_sse(name)} {value} .\n" for name, value in fixed]


def dimensions_of(family: Family, by_year: bool, by_type: bool) -> list[str]:
    dims = list(family.dimensions)
    if by_year:
        dims.append("refYear")
    if by_type:
        dims.append("refEventType")
    if family.statements:
        dims += ["confidenceLevel", "statementsRead"]
    dims.append("exampleData")
    return dims


def structure_name(family: Family, suffix: str) -> str:
    """The data structure definition's local name in the ontology's namespace: StatementsByYearStructure …"""
    words = (family.name + suffix).split("-")
    return "".join(w.capitalize() for w in words) + "Structure"


# ---------------------------------------------------------------------------------------------------------------
# Where the cube lives
def cube_graph(base: str) -> ox.NamedNode:
    return ox.NamedNode(graph_iri(base, CUBE_GRAPH))


def cube_node(base: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}cube")


def dataset_node(base: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base}cube/{name}")


def observation_node(base: str, dataset: str, dims: tuple) -> ox.NamedNode:
    """Deterministic: the same cell gets the same IRI whether counted by a rebuild or by writes (and in a test)."""
    digest = hashlib.sha256("\x1f".join(str(t) for t in dims).encode("utf-8")).hexdigest()[:20]
    return ox.NamedNode(f"{base}cube/{dataset}/{digest}")


# ---------------------------------------------------------------------------------------------------------------
# Reading a store: the embedded one and a remote one answer the same SPARQL
class _Access:
    """The few operations the cube needs of a store (``ssekg.store.Store`` or ``ssekg.remote.RemoteStore``)."""

    def __init__(self, store: Any):
        self.store = store
        self.local = hasattr(store, "ox") and store.ox is not None
        self.base = store.base

    def select(self, text: str) -> Iterator[Any]:
        result = self.store.query(_PROLOGUE + text)
        yield from result

    def rows(self, text: str) -> Iterator[list[str]]:
        """The solutions as lists of N-Triples texts ("" when unbound), in the order of the SELECT's variables.

        Serialised as TSV by pyoxigraph (in Rust: a third of the time of reading each term as a Python object), with
        TSV's short forms of numbers and booleans written out as N-Triples.
        """
        data = self.store.query(_PROLOGUE + text).serialize(format=ox.QueryResultsFormat.TSV)
        lines = data.decode("utf-8").split("\n")
        for line in lines[1:]:
            if line:
                yield [_canonical(cell) for cell in line.split("\t")]

    def update(self, text: str) -> None:
        if self.local:
            self.store.ox.update(_PROLOGUE + text)
        else:
            self.store._post_update(_PROLOGUE + text)


_PROLOGUE = (
    f"PREFIX sse: <{_SSE}>\nPREFIX qb: <{QB}>\nPREFIX schema: <http://schema.org/>\n"
    f"PREFIX xsd: <{_XSD}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
)


_SHORT_INTEGER = re.compile(r"[+-]?\d+")
_SHORT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


@lru_cache(maxsize=65536)
def _canonical(cell: str) -> str:
    """A TSV cell as N-Triples: numbers and booleans may come in Turtle's short form (2021, 0.5, true)."""
    if not cell or cell[0] in '<"_':
        return cell
    if cell in ("true", "false"):
        kind = "boolean"
    elif _SHORT_INTEGER.fullmatch(cell):
        kind = "integer"
    elif _SHORT_DECIMAL.fullmatch(cell):
        kind = "decimal"
    else:
        kind = "double"
    return str(ox.Literal(cell, datatype=ox.NamedNode(_XSD + kind)))


def _values(var: str, terms: Iterable[Any]) -> str:
    return f"VALUES ?{var} {{ " + " ".join(str(t) for t in terms) + " }"


# ---------------------------------------------------------------------------------------------------------------
# The cube's state
@dataclass
class Status:
    present: bool = False
    version: str | None = None
    pending: bool = False
    irregular: int = 0
    real_events: int = 0

    @property
    def defined(self) -> bool:
        """The store has a cube of this version's definition (current or behind a write)."""
        return self.present and self.version == CUBE_VERSION

    @property
    def current(self) -> bool:
        return self.defined and not self.pending

    @property
    def usable(self) -> bool:
        """The named queries may read the cube: current, and nothing it cannot count exactly."""
        return self.current and self.irregular == 0


STATUS_QUERY = """SELECT ?cube ?version ?pending ?irregular ?real WHERE {
  ?cube a sse:ComparisonCube ; sse:cubeVersion ?version .
  OPTIONAL { ?cube sse:pendingWrite ?pending }
  OPTIONAL { ?cube sse:irregularEvents ?irregular }
  OPTIONAL { ?cube sse:realEvents ?real }
}"""


def status(store: Any) -> Status:
    """The cube's state as the store holds it (one small query; reads the default graph, so any back end)."""
    access = _Access(store)
    return status_from_rows(access.select(STATUS_QUERY), access.base)


def status_from_rows(rows: Iterable[Any], base: str) -> Status:
    """:func:`status` from the solutions of :data:`PROLOGUE_STATUS`, however they were asked for."""
    found = Status()
    for row in rows:
        if row["cube"] != cube_node(base):
            continue
        found.present = True
        found.version = row["version"].value
        found.pending = found.pending or row["pending"] is not None
        if row["irregular"] is not None:
            found.irregular = int(row["irregular"].value)
        if row["real"] is not None:
            found.real_events = int(row["real"].value)
    return found


PROLOGUE_STATUS = _PROLOGUE + STATUS_QUERY


def usable(store: Any) -> bool:
    try:
        return status(store).usable
    except Exception:  # an unreadable store: the named queries read the statements (and say why themselves)
        return False


# ---------------------------------------------------------------------------------------------------------------
# Facts: what the counts are made of, read with the same SPARQL expressions as the named queries
_KINDS = (("challenge", "sse:challenge", "sse:raisedBy"), ("proposal", "sse:proposal", "sse:proposedBy"))
#: for the statements of the events: ``?event ?link ?statement`` with a constant predicate per branch (Oxigraph
#: scans every triple for a predicate bound by VALUES: 3 s against 0.03 s for 300 events of 10,000 reports)
_DATE_YEAR = ("IF(datatype(?start) IN (xsd:date, xsd:dateTime, xsd:gYearMonth, xsd:gYear), YEAR(?start), ?noDate)")

EVENT_BRANCHES = {
    "year": "?event schema:startDate ?start . BIND (" + _DATE_YEAR + " AS ?value)",
    "type": "?event sse:eventType ?value .",
    # the same pattern as the named queries' example filter (whatever the engine makes of `true`)
    "example": "?event sse:example true .",
    "typed": "?event a sse:Event .",
    "host": "?event sse:hostCountry ?value .",
    "country": "?event sse:participatingCountry ?value .",
}
STATEMENT_BRANCHES = {
    "category": "?event {link} ?statement . ?statement sse:category ?value .",
    "confidence": "?event {link} ?statement . ?statement sse:confidence ?value .",
    "curated": "?event {link} ?statement . ?statement sse:curated ?value .",
    "speaker": "?event {link} ?statement . ?statement {by} ?speaker . ?speaker sse:country ?value .",
}


def _branch_query(branches: Mapping[str, str], head: str, restrict: str, links: bool) -> str:
    parts = []
    for part, body in branches.items():
        tag = str(_str(part.split(" ")[0]))
        if not links:
            parts.append(f"{{ {restrict} {body} BIND ({tag} AS ?part) }}")
            continue
        for kind, link, by in _KINDS:
            text = body.replace("{link}", link).replace("{by}", by)
            parts.append(f"{{ {restrict} {text} BIND ({tag} AS ?part) BIND ({str(_str(kind))} AS ?kind) }}")
    return f"SELECT {head} WHERE {{\n  " + "\n  UNION ".join(parts) + "\n}"


def _linked(restrict: str, subject: str, obj: str) -> str:
    """``?subject sse:challenge|sse:proposal ?obj`` as a UNION of constant predicates (see _KINDS)."""
    return " UNION ".join(f"{{ {restrict} ?{subject} {link} ?{obj} }}" for _, link, _ in _KINDS)


@dataclass
class Statement:
    categories: set = field(default_factory=set)
    confidences: list = field(default_factory=list)
    curated: bool = False
    speaker_countries: set = field(default_factory=set)


@dataclass
class Event:
    """What an event's counts are made of; terms as N-Triples text (cheap to hash, written as they are)."""

    years: set = field(default_factory=set)
    types: set = field(default_factory=set)
    example: bool = False
    typed: bool = False
    hosts: set = field(default_factory=set)
    countries: set = field(default_factory=set)  # host or participating
    statements: dict = field(default_factory=dict)  # (kind, statement) -> Statement
    shared: bool = False  # a statement of it is linked more than once (another event, or as both kinds)


def read_facts(store: Any, events: Iterable[Any] | None = None, chunk: int = 2000,
               shared: set[str] | frozenset[str] = frozenset()) -> dict[str, Event]:
    """The facts of ``events`` (terms; all events when None) as the store holds them now, by event (N-Triples).

    A statement counted under two events, or as both a challenge and a proposal, makes its events irregular
    (``Event.shared``): the caller reads every event of such a statement (:func:`affected_events` adds them), or
    names such statements in ``shared`` (:func:`shared_statements`) when it reads their events apart.
    """
    access = _Access(store)
    found: dict[str, Event] = defaultdict(Event)
    if events is None:
        chunks: list[list[Any] | None] = [None]
    else:
        listed = sorted(set(events), key=str)
        if not listed:
            return {}
        chunks = [listed[i : i + chunk] for i in range(0, len(listed), chunk)]
    owners: dict[str, set] = defaultdict(set)
    for part in chunks:
        restrict = _values("event", part) if part is not None else ""
        for event, what, value in access.rows(_branch_query(EVENT_BRANCHES, "?event ?part ?value", restrict,
                                                             links=False)):
            ev = found[event]
            what = what[1:-1]
            if what == "year":
                if value:
                    ev.years.add(int(_literal_value(value)))
            elif what == "type":
                ev.types.add(value)
            elif what == "example":
                ev.example = True
            elif what == "typed":
                ev.typed = True
            elif what == "host":
                ev.hosts.add(value)
                ev.countries.add(value)
            elif what == "country":
                ev.countries.add(value)
        head = "?event ?kind ?statement ?part ?value"
        for event, kind, statement, what, value in access.rows(_branch_query(STATEMENT_BRANCHES, head, restrict,
                                                                              links=True)):
            ev = found[event]
            what, kind = what[1:-1], kind[1:-1]
            key = (kind, statement)
            st = ev.statements.get(key)
            if st is None:
                st = ev.statements[key] = Statement()
            if what == "category":
                st.categories.add(value)
                owners[statement].add((event, kind))
            elif what == "confidence":
                st.confidences.append(value)
            elif what == "curated":
                st.curated = st.curated or _term_string(value) in ("true", "1")
            elif what == "speaker":
                st.speaker_countries.add(value)
    for ev in found.values():
        ev.shared = any(len(owners.get(s, ())) > 1 or s in shared for (_, s) in ev.statements)
    return dict(found)


#: events read and counted at a time by :func:`count_events`: the facts of one part are in memory at once. A store of
#: up to this many events is read whole (8 s at 10,000 reports; in parts of 2,000 it took 20 s: each part's VALUES
#: join is slower than one pass), a larger one in parts (its memory then stays that of 20,000 events' facts)
COUNT_CHUNK = 20000


#: the predicates whose subjects :func:`read_facts` reads as events (those of EVENT_BRANCHES and the links)
_EVENT_SUBJECTS = ("schema:startDate", "sse:eventType", "sse:example", "sse:hostCountry", "sse:participatingCountry",
                   "sse:challenge", "sse:proposal")


def all_events(store: Any) -> list[str]:
    """Every subject :func:`read_facts` would read with ``events=None`` (N-Triples), in a stable order; maybe a few
    more (a subject with none of the facts counted, which counts nothing)."""
    access = _Access(store)
    branches = [f"{{ ?event {p} ?value }}" for p in _EVENT_SUBJECTS] + ["{ ?event a sse:Event }"]
    return sorted({event for (event,) in access.rows("SELECT DISTINCT ?event WHERE { " + " UNION ".join(branches) + " }")})


def shared_statements(store: Any) -> set[str]:
    """Statements with a category linked more than once (by two events, or as both kinds): their events are
    irregular (:func:`count`). Asked once, so that events can be read in parts."""
    links = " UNION ".join(f"{{ ?event {link} ?statement BIND ({str(_str(kind))} AS ?kind) }}" for kind, link, _ in _KINDS)
    text = (f"SELECT ?statement WHERE {{ {{ {links} }} FILTER EXISTS {{ ?statement sse:category ?category }} }} "
            "GROUP BY ?statement HAVING (COUNT(DISTINCT CONCAT(STR(?event), \" \", ?kind)) > 1)")
    return {statement for (statement,) in _Access(store).rows(text)}


def count_events(store: Any, events: Iterable[Any] | None = None, chunk: int = COUNT_CHUNK) -> Counts:
    """``count(read_facts(store, events))``, read and counted in parts of ``chunk`` events (all when None): counts
    add up over events, and a statement shared across parts is known from :func:`shared_statements`. Memory stays
    that of one part however large the store (a whole store's facts were 10x a 10,000-report store's at 100,000)."""
    listed = all_events(store) if events is None else sorted({str(e) for e in events})
    if len(listed) <= chunk or any(e.startswith("_:") for e in listed):
        # one part; or a blank node as an event (hand-made data), which no VALUES can name: read as a whole
        return count(read_facts(store, None if events is None else listed))
    shared = shared_statements(store)
    total = Counts()
    for i in range(0, len(listed), chunk):
        total.add(count(read_facts(store, listed[i : i + chunk], chunk=chunk, shared=shared)))
    return total


_NUMERIC = {_XSD + t for t in (
    "decimal", "integer", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
ONE, MINUS_ONE = Decimal(1), Decimal(-1)


def level_of(statement: Statement) -> Decimal:
    """The statement's confidence level: what ``?confidence >= ?minConfidence`` (0 ≤ minConfidence ≤ 1) makes of it.

    None stated → 1 (always counted); the largest numeric one otherwise, clamped to [0, 1] — above 1 passes every
    threshold as 1 does, below 0 none, as -1 — and a confidence that is not a number (the comparison fails) is -1.
    """
    if not statement.confidences:
        return ONE
    best = MINUS_ONE
    for text in statement.confidences:
        value = _number(text)
        if value is None or value.is_nan():
            continue
        best = max(best, min(value, ONE) if value >= 0 else MINUS_ONE)
    return best


@lru_cache(maxsize=4096)
def _number(text: str) -> Decimal | None:
    """The value of a numeric literal written as N-Triples; None for anything else."""
    if not text.startswith('"'):
        return None
    term = _literal(text)
    if term.datatype.value not in _NUMERIC:
        return None
    try:
        return Decimal(term.value.strip())
    except InvalidOperation:
        return None


def _decimal(value: Decimal) -> str:
    return str(ox.Literal(format(value.normalize(), "f"), datatype=ox.NamedNode(_XSD + "decimal")))


@lru_cache(maxsize=4096)
def _int_text(n: int) -> str:
    return str(_int(n))


@lru_cache(maxsize=64)
def _str_text(text: str) -> str:
    return str(_str(text))


# ---------------------------------------------------------------------------------------------------------------
# Counting
Key = tuple[str, tuple]  # (dataset name, dimension values as N-Triples text)


@dataclass
class Counts:
    """Observation measures, and the cube's own totals: what a set of events adds to the cube."""

    cells: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    real_events: int = 0
    irregular: int = 0

    def add(self, other: "Counts", sign: int = 1) -> None:
        for key, measures in other.cells.items():
            mine = self.cells[key]
            for m, v in measures.items():
                mine[m] += sign * v
        self.real_events += sign * other.real_events
        self.irregular += sign * other.irregular

    def minus(self, other: "Counts") -> "Counts":
        out = Counts()
        out.add(self)
        out.add(other, -1)
        out.cells = defaultdict(lambda: defaultdict(int), {
            k: m for k, m in out.cells.items() if any(m.values())})
        return out


def count(facts: Mapping[str, Event]) -> Counts:
    """What these events add to the cube (each event on its own: regular events share nothing)."""
    out = Counts()
    for event, ev in facts.items():
        if ev.typed and not ev.example:
            out.real_events += 1
        irregular = (len(ev.years) > 1 or ev.shared or event.startswith("_:")
                     or any(t.startswith("_:") for t in (*ev.types, *ev.countries))
                     or any(t.startswith("_:") for s in ev.statements.values()
                            for t in (*s.categories, *s.speaker_countries)))
        if irregular:
            out.irregular += 1
            continue  # counted from the statements while the cube has an irregular event
        _count_event(ev, out.cells)
    return out


def _grain_values(ev: Event, by_year: bool, by_type: bool) -> list[tuple]:
    years: list[tuple] = [(_int_text(y),) for y in sorted(ev.years)] if by_year else [()]
    types: list[tuple] = [(t,) for t in sorted(ev.types)] if by_type else [()]
    return [y + t for y in years for t in types]


def _count_event(ev: Event, cells: dict) -> None:
    example = _str_text("example" if ev.example else "real")
    grains = [(suffix, grain) for suffix, by_year, by_type, _ in GRAINS for grain in _grain_values(ev, by_year, by_type)]
    # statements (and the coverage): per statement, its level and whether it is curated
    statement_sets: dict[Key, set] = defaultdict(set)
    event_levels: dict[Key, Decimal] = {}
    all_read, curated_read = _str_text("all"), _str_text("curated")
    for (kind, statement), st in ev.statements.items():
        if not st.categories:
            continue
        level = level_of(st)
        level_text = _decimal(level)
        reads = (all_read, curated_read) if st.curated else (all_read,)
        kind_term = _str_text(kind)
        roles = ((_str_text("host"), ev.hosts), (_str_text("speaker"), st.speaker_countries))
        for suffix, grain in grains:
            for read in reads:
                cov = cells[("coverage" + suffix, (kind_term, *grain, level_text, read, example))]
                cov["statementCount"] += 1
                if ev.hosts:
                    cov["statementsWithHostCountry"] += 1
                if st.speaker_countries:
                    cov["statementsWithSpeakerCountry"] += 1
                for role, countries in roles:
                    for country in countries:
                        for category in st.categories:
                            lead = (kind_term, role, country, category, *grain)
                            statement_sets[("statements" + suffix, (*lead, level_text, read, example))].add(statement)
                            ekey = ("statements" + suffix, (*lead, read, example))
                            if ekey not in event_levels or level > event_levels[ekey]:
                                event_levels[ekey] = level
    for key, statements in statement_sets.items():
        cells[key]["statementCount"] += len(statements)
    for (dataset, dims), level in event_levels.items():
        *lead, read, ex = dims
        cells[(dataset, (*lead, _decimal(level), read, ex))]["eventCount"] += 1
    # pairs of countries taking part together: STR(?c1) < STR(?c2)
    ordered = sorted(ev.countries, key=_term_string)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if _term_string(first) == _term_string(second):
                continue
            for suffix, grain in grains:
                cells[("pairs" + suffix, (first, second, *grain, example))]["eventCount"] += 1


def _term_string(text: str) -> str:
    """STR() of a term written as N-Triples: the IRI, or the literal's lexical form."""
    if text.startswith("<"):
        return text[1:-1]
    return _literal_value(text)


@lru_cache(maxsize=65536)
def _literal(text: str) -> Any:
    quads = ox.parse(f"<x:s> <x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    return next(iter(quads)).object


def _literal_value(text: str) -> str:
    return _literal(text).value


# ---------------------------------------------------------------------------------------------------------------
# Writing the cube
def observation_lines(base: str, key: Key, measures: Mapping[str, int], sliced: Sliced | None = None) -> list[str]:
    """The N-Triples lines of one observation (every term written by pyoxigraph or from its text), with its
    membership of its slice (``sliced``: :func:`_slice_of`, given when the caller has it already)."""
    dataset, dims = key
    family, by_year, by_type = dataset_grain(dataset)
    names = dimensions_of(family, by_year, by_type)
    node = str(observation_node(base, dataset, dims))
    lines = [f"{node} {_RDF_TYPE} {_qb('Observation')} .\n",
             f"{node} {_qb('dataSet')} {dataset_node(base, dataset)} .\n"]
    lines += [f"{node} {_sse(name)} {value} .\n" for name, value in zip(names, dims)]
    lines += [f"{node} {_MEASURE_NODES[m]} {_int_text(measures.get(m, 0))} .\n" for m in family.measures]
    sliced = sliced or _slice_of(base, key)
    if sliced is not None:
        lines.append(f"{sliced[0]} {_qb('observation')} {node} .\n")
    return lines


def structure_lines(base: str) -> list[str]:
    """The cube's vocabulary (ontology/cube.ttl), its node, and each dataset with its structure definition."""
    text = resources.files("ssekg.ontology").joinpath("cube.ttl").read_text(encoding="utf-8")
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    cube = cube_node(base)
    triples += [
        ox.Triple(cube, _RDF_TYPE, _sse("ComparisonCube")),
        ox.Triple(cube, _RDFS_LABEL, ox.Literal("The counts behind the comparison of countries", language="en")),
        ox.Triple(cube, _sse("cubeVersion"), _str(CUBE_VERSION)),
    ]
    for family in FAMILIES:
        for suffix, by_year, by_type, grain_label in GRAINS:
            ds = dataset_node(base, family.name + suffix)
            dsd = _sse(structure_name(family, suffix))
            triples += [
                ox.Triple(ds, _RDF_TYPE, _qb("DataSet")),
                ox.Triple(ds, _qb("structure"), dsd),
                ox.Triple(ds, _RDFS_LABEL, ox.Literal(f"{family.label}, {grain_label}", language="en")),
                ox.Triple(ds, _DCT_IS_PART_OF, cube),
                ox.Triple(cube, _DCT_HAS_PART, ds),
                ox.Triple(dsd, _RDF_TYPE, _qb("DataStructureDefinition")),
            ]
            fixed = slice_dimensions(family.name + suffix)
            if fixed:  # the slice key: the dimensions its slices fix (qb:SliceKey, IC-7 and IC-8)
                key = ox.NamedNode(f"{dsd.value}-slice")
                triples += [ox.Triple(dsd, _qb("sliceKey"), key), ox.Triple(key, _RDF_TYPE, _qb("SliceKey"))]
                triples += [ox.Triple(key, _qb("componentProperty"), _sse(name)) for name in fixed]
            components = [("dimension", n) for n in dimensions_of(family, by_year, by_type)]
            components += [("measure", m) for m in family.measures]
            for order, (role, name) in enumerate(components, start=1):
                spec = ox.NamedNode(f"{dsd.value}-{name}")
                triples += [
                    ox.Triple(dsd, _qb("component"), spec),
                    ox.Triple(spec, _RDF_TYPE, _qb("ComponentSpecification")),
                    ox.Triple(spec, _qb(role), _sse(name)),
                ]
                if role == "dimension":
                    triples.append(ox.Triple(spec, _qb("order"), _int(order)))
    return [f"{t.subject} {t.predicate} {t.object} .\n" for t in triples]


def _totals_lines(base: str, real: int, irregular: int) -> list[str]:
    cube = cube_node(base)
    return [f"{cube} {_sse('realEvents')} {_int_text(real)} .\n",
            f"{cube} {_sse('irregularEvents')} {_int_text(irregular)} .\n"]


def rebuild(store: Any) -> Counts:
    """Count every event of the store and replace the cube with the result (``ssekg cube rebuild``)."""
    access = _Access(store)
    started = time.perf_counter()
    counts = count_events(store)
    lines = structure_lines(access.base) + _totals_lines(access.base, counts.real_events, counts.irregular)
    slices: dict[ox.NamedNode, list[str]] = {}
    for key, measures in counts.cells.items():
        if any(measures.values()):
            sliced = _slice_of(access.base, key)
            lines += observation_lines(access.base, key, measures, sliced)
            if sliced is not None and sliced[0] not in slices:
                slices[sliced[0]] = slice_lines(access.base, key[0], *sliced)
    for more in slices.values():
        lines += more
    _replace_cube(access, lines)
    log.info("comparison cube rebuilt: %d observations in %.1f s", len(counts.cells), time.perf_counter() - started)
    return counts


def _replace_cube(access: _Access, lines: list[str]) -> None:
    graph = cube_graph(access.base)
    store = access.store
    if not access.local:
        store.replace_graphs_nt({graph.value: "".join(lines)}, maintain=False)
        return
    # only what differs: a recount mostly changes measures, and deleting a quad costs more than reading one
    old = {f"{q.subject} {q.predicate} {q.object} .\n" for q in store.ox.quads_for_pattern(None, None, None, graph)}
    new = set(lines)
    del lines[:]
    _write_changes(access, sorted(old - new), sorted(new - old))


def ensure(store: Any) -> bool:
    """Build the cube if the store has none or one of another definition; True if built. A cube marked pending is
    left alone: a write may be on its way (a server's batches); :func:`recover` is for when none can be."""
    if status(store).defined:
        return False
    rebuild(store)
    return True


def recover(store: Any) -> bool:
    """Count the cube again if a writer left it pending: for a store no writer can be writing now (the embedded
    store as it opens, a server as it starts); True if counted."""
    st = status(store)
    if not (st.present and st.pending):
        return False
    rebuild(store)
    return True


def _read_measures(access: _Access, keys: list[Key]) -> dict[Key, dict[str, int]]:
    found: dict[Key, dict[str, int]] = {}
    graph = cube_graph(access.base)
    nodes = {observation_node(access.base, ds, dims): (ds, dims) for ds, dims in keys}
    if access.local:
        quads = access.store.ox.quads_for_pattern
        for node, key in nodes.items():
            for m in dataset_grain(key[0])[0].measures:  # subject and predicate given: the fast index
                for q in quads(node, _MEASURE_NODES[m], None, graph):
                    found.setdefault(key, {})[m] = int(q.object.value)
        return found
    listed = list(nodes)
    for i in range(0, len(listed), 500):
        text = (f"SELECT ?obs ?m ?v WHERE {{ {_values('obs', listed[i : i + 500])} "
                f"{_values('m', _MEASURE_NODES.values())} GRAPH {graph} {{ ?obs ?m ?v }} }}")
        for row in access.select(text):
            found.setdefault(nodes[row["obs"]], {})[row["m"].value[len(_SSE):]] = int(row["v"].value)
    return found


def apply(store: Any, delta: Counts, marker: str | None = None) -> None:
    """Add ``delta`` to the stored observations and clear the writer's pending marker (N-Triples of its value)."""
    access = _Access(store)
    base = access.base
    keys = [k for k, m in delta.cells.items() if any(m.values())]
    current = _read_measures(access, keys)
    removed: list[str] = []
    added: list[str] = []
    moves: dict[ox.NamedNode, _SliceMove] = {}
    for key in keys:
        old = current.get(key, {})
        new = dict(old)
        for m, d in delta.cells[key].items():
            new[m] = new.get(m, 0) + d
        if any(v < 0 for v in new.values()):  # the stored cube was not what the writes made of it: count again
            log.warning("the comparison cube would count below zero at %s: rebuilding it", key)
            rebuild(store)
            return
        had, has = any(old.values()), any(new.values())
        if had and has:  # only the measures that changed
            node = observation_node(base, *key)
            for m in dataset_grain(key[0])[0].measures:
                if old.get(m, 0) != new.get(m, 0):
                    removed.append(f"{node} {_MEASURE_NODES[m]} {_int_text(old.get(m, 0))} .\n")
                    added.append(f"{node} {_MEASURE_NODES[m]} {_int_text(new.get(m, 0))} .\n")
        elif had or has:  # the observation goes or comes, and with it maybe its slice
            sliced = _slice_of(base, key)
            if had:
                removed += observation_lines(base, key, old, sliced)
            else:
                added += observation_lines(base, key, new, sliced)
            if sliced is not None:
                move = moves.setdefault(sliced[0], _SliceMove(key[0], sliced[1]))
                if had:
                    move.gone.add(observation_node(base, *key))
                else:
                    move.coming += 1
    _slice_changes(access, moves, removed, added)
    st = status(store)
    if delta.real_events or delta.irregular:
        removed += _totals_lines(base, st.real_events, st.irregular)
        added += _totals_lines(base, st.real_events + delta.real_events, st.irregular + delta.irregular)
    if marker is not None:
        removed.append(f"{cube_node(base)} {_sse('pendingWrite')} {marker} .\n")
    _write_changes(access, removed, added)


@dataclass
class _SliceMove:
    """What a write does to one slice: its observations that go, and how many come."""

    dataset: str
    fixed: list
    gone: set = field(default_factory=set)
    coming: int = 0


def _slice_changes(access: _Access, moves: Mapping[ox.NamedNode, _SliceMove], removed: list[str],
                   added: list[str]) -> None:
    """A slice is described while it has observations: described when its first comes, undescribed when its last
    goes (as a recount would write it). The store is asked only about slices whose observations come or go."""
    graph = cube_graph(access.base)
    for node, move in moves.items():
        members = _members(access, node, graph, len(move.gone) + 1)  # one more than can go: one stays if it has it
        before, after = bool(members), move.coming > 0 or bool(members - move.gone)
        if before != after:
            (added if after else removed).extend(slice_lines(access.base, move.dataset, node, move.fixed))


def _members(access: _Access, node: ox.NamedNode, graph: ox.NamedNode, enough: int) -> set:
    """Up to ``enough`` observations of a slice as the store holds them now."""
    member = _qb("observation")
    if access.local:
        found = set()
        for q in access.store.ox.quads_for_pattern(node, member, None, graph):
            found.add(q.object)
            if len(found) >= enough:
                break
        return found
    rows = access.select(f"SELECT ?o WHERE {{ GRAPH {graph} {{ {node} {member} ?o }} }} LIMIT {int(enough)}")
    return {row["o"] for row in rows}


#: an embedded store's cube changes go in one update up to this many lines (all or nothing, a report's own write);
#: past it, in parts of this size (an update holds its whole transaction in memory: 1.5 million deleted lines took
#: 2.7 GB), added ones through the bulk loader. The pending marker, cleared last, covers a crash in between.
CHUNK_LINES = 50000


def _write_changes(access: _Access, removed: list[str], added: list[str]) -> None:
    if not removed and not added:
        return
    graph = cube_graph(access.base)
    if access.local:
        # the embedded store keeps the default graph as the union of the named graphs: the cube's triples are its
        # own, so their default-graph copies go and come with them
        store = access.store
        if len(removed) + len(added) <= CHUNK_LINES or store.path is None:
            parts = []
            for i in range(0, len(removed), CHUNK_LINES):
                body = "".join(removed[i : i + CHUNK_LINES])
                parts.append(f"DELETE DATA {{ GRAPH {graph} {{\n{body}}}\n{body}}}")
            for i in range(0, len(added), CHUNK_LINES):
                body = "".join(added[i : i + CHUNK_LINES])
                parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{body}}}\n{body}}}")
            if store.path is None or len(parts) <= 2:
                access.update(" ;\n".join(parts))
            else:
                for part in parts:
                    access.update(part)
            return
        for i in range(0, len(removed), CHUNK_LINES):
            body = "".join(removed[i : i + CHUNK_LINES])
            access.update(f"DELETE DATA {{ GRAPH {graph} {{\n{body}}}\n{body}}}")
        from .store import nt_to_nquads

        for i in range(0, len(added), 4 * CHUNK_LINES):
            body = "".join(added[i : i + 4 * CHUNK_LINES])
            store.ox.bulk_load(nt_to_nquads(body, graph.value), format=ox.RdfFormat.N_QUADS, lenient=True)
            store.ox.bulk_load(body, format=ox.RdfFormat.N_QUADS, lenient=True)
        store.ox.flush()
        return
    size = max(1, getattr(access.store, "max_update_triples", 1000))
    for i in range(0, len(removed), size):
        access.update(f"DELETE DATA {{ GRAPH {graph} {{\n{''.join(removed[i : i + size])}}} }}")
    for i in range(0, len(added), size):
        access.update(f"INSERT DATA {{ GRAPH {graph} {{\n{''.join(added[i : i + size])}}} }}")


def mark_pending(store: Any) -> str:
    """Say, in the store, that the cube is behind the reports until :func:`apply` clears this marker (returned, as
    N-Triples: each writer clears its own, so another's stays)."""
    access = _Access(store)
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    when = str(ox.Literal(now, datatype=ox.NamedNode(_XSD + "dateTime")))
    _write_changes(access, [], [f"{cube_node(access.base)} {_sse('pendingWrite')} {when} .\n"])
    return when


# ---------------------------------------------------------------------------------------------------------------
# Which events a write can change
_EVENT_PREDICATES = {f"<{_SSE}{p}>" for p in ("challenge", "proposal", "eventType", "example", "hostCountry",
                                               "participatingCountry")} | {"<http://schema.org/startDate>"}
_STATEMENT_PREDICATES = {f"<{_SSE}{p}>" for p in ("category", "confidence", "curated", "raisedBy", "proposedBy")}
_COUNTRY = f"<{_SSE}country>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_EVENT_CLASS = f"<{_SSE}Event>"


_LINKS = {f"<{_SSE}challenge>", f"<{_SSE}proposal>"}


@dataclass
class _Touched:
    """The subjects a write touches that counts depend on (N-Triples text), and whether one is a blank node."""

    events: set = field(default_factory=set)
    statements: set = field(default_factory=set)
    blank: bool = False

    def see(self, s: str, p: str, o: str, pairs: set) -> None:
        """Note one triple; a speaker's country goes into ``pairs`` as (person, country)."""
        if not (p in _EVENT_PREDICATES or p in _STATEMENT_PREDICATES or p == _COUNTRY
                or (p == _TYPE and o.startswith(_EVENT_CLASS))):
            return
        if s.startswith("_:") or (p in _LINKS and o.startswith("_:")):
            self.blank = True
        elif p in _EVENT_PREDICATES or p == _TYPE:
            self.events.add(s)
        elif p in _STATEMENT_PREDICATES:
            self.statements.add(s)
        else:
            pairs.add((s, o))


def _scan_body(body: str, touched: _Touched, pairs: set) -> None:
    for line in body.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            s, p, rest = parts
            touched.see(s, p, rest[:-2].rstrip() if rest.endswith(" .") else rest, pairs)


def _node(text: str) -> ox.NamedNode:
    return ox.NamedNode(text[1:-1])


def affected_events(store: Any, graphs: Mapping[str, str], new: bool = False) -> set | None:
    """The events whose counts writing ``graphs`` (IRI -> new N-Triples body) can change; None when that cannot be
    told (blank nodes), and the whole cube must be counted again after the write. ``new``: the caller knows the
    store holds none of these graphs (the bulk loader's case), so their old content is not read."""
    access = _Access(store)
    touched = _Touched()
    new_pairs: set = set()
    for body in graphs.values():
        _scan_body(body, touched, new_pairs)
    names = [ox.NamedNode(g) for g in graphs]
    old_pairs: set = set()
    if not new:
        for s, p, o in _old_triples(access, names):
            touched.see(s, p, o, old_pairs)
    if touched.blank:
        return None
    events = {_node(e) for e in touched.events}
    # statements written about: their events (as the store links them now; a new link names its event itself)
    if touched.statements:
        statements = [_node(s) for s in sorted(touched.statements)]
        for i in range(0, len(statements), 2000):
            text = f"SELECT DISTINCT ?event WHERE {{ {_linked(_values('s', statements[i:i + 2000]), 'event', 's')} }}"
            events |= {row["event"] for row in access.select(text)}
    # speakers whose set of countries changes: the events of every statement they made
    changed = _speakers_changing(access, names, old_pairs, new_pairs)
    for i in range(0, len(changed), 2000):
        restrict = _values("p", changed[i:i + 2000])
        text = "SELECT DISTINCT ?event WHERE { " + " UNION ".join(
            f"{{ {restrict} ?s {by} ?p . ?event {link} ?s }}" for _, link, by in _KINDS) + " }"
        events |= {row["event"] for row in access.select(text)}
    # every event that shares a statement with one of these (to count sharing, which makes the cube irregular)
    listed = sorted(events, key=str)
    for i in range(0, len(listed), 2000):
        restrict = _values("event", listed[i:i + 2000])
        text = "SELECT DISTINCT ?other WHERE { " + " UNION ".join(
            f"{{ {restrict} ?event {link} ?s . ?other {other} ?s FILTER (?other != ?event) }}"
            for _, link, _ in _KINDS for _, other, _ in _KINDS) + " }"
        for row in access.select(text):
            if isinstance(row["other"], ox.BlankNode):
                return None
            events.add(row["other"])
    return events


def _old_triples(access: _Access, graphs: list) -> Iterator[tuple[str, str, str]]:
    """The triples the store holds in ``graphs`` now, as N-Triples text (s, p, o)."""
    if access.local:
        for graph in graphs:
            for q in access.store.ox.quads_for_pattern(None, None, None, graph):
                yield str(q.subject), str(q.predicate), str(q.object)
        return
    for i in range(0, len(graphs), 200):
        text = f"SELECT ?s ?p ?o WHERE {{ {_values('g', graphs[i:i + 200])} GRAPH ?g {{ ?s ?p ?o }} }}"
        for row in access.select(text):
            yield str(row["s"]), str(row["p"]), str(row["o"])


def _speakers_changing(access: _Access, graphs: list, old_pairs: set, new_pairs: set) -> list:
    people = sorted({p for p, _ in old_pairs | new_pairs})
    if not people:
        return []
    before: set = set()
    for i in range(0, len(people), 2000):
        text = (f"SELECT DISTINCT ?p ?c WHERE {{ {_values('p', [_node(p) for p in people[i:i + 2000]])} "
                "?p sse:country ?c }")
        before |= {(str(row["p"]), str(row["c"])) for row in access.select(text)}
    changed = {p for p, c in new_pairs - before}
    gone = sorted(old_pairs - new_pairs)
    if gone:
        others = ", ".join(str(g) for g in graphs)
        for i in range(0, len(gone), 500):
            rows = " ".join(f"({p} {c})" for p, c in gone[i:i + 500])
            text = (f"SELECT ?p ?c WHERE {{ VALUES (?p ?c) {{ {rows} }} "
                    f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?p sse:country ?c }} FILTER (?h NOT IN ({others})) }} }}")
            changed |= {str(row["p"]) for row in access.select(text)}
    return [_node(p) for p in sorted(changed)]


# ---------------------------------------------------------------------------------------------------------------
# Writers
_SKIPPED = ("ontology", "schemes", "countries", "cities", "reference-inferred", "meta", CUBE_GRAPH)


class Run:
    """Writes whose cube update waits until :meth:`finish`: a bulk ingest adds its differences once, not a batch at
    a time (each observation a report touches would otherwise be read and rewritten per batch, which cost more
    than writing the reports). State is real: the events the run touched, and their counts before it did.

    Exact as the per-write update is: an event's counts depend on the store only through the event itself and the
    statements and speakers :func:`affected_events` follows, and each event's counts are read before the first
    write that touches it. The cube is marked pending from the first write to :meth:`finish`.
    """

    def __init__(self, store: Any):
        self.store = store
        st = status(store)
        # pending or not: another writer's marker (a server's batches, a writer that died) is that writer's to clear
        self.active = st.defined
        # past this many events, the run ends with a recount and stops reading counts before each write
        self.limit = max(1000, st.real_events // 2)
        self.events: set = set()
        self.before = Counts()
        self.recount = False
        self.marked: str | None = None

    def before_write(self, graphs: Mapping[str, str], new: bool = False) -> None:
        """Call before writing ``graphs`` (IRI -> new N-Triples body, "" to remove)."""
        if not self.active or self.recount:
            return
        skipped = {graph_iri(self.store.base, name) for name in _SKIPPED}
        relevant = {g: b for g, b in graphs.items() if g not in skipped}
        if not relevant:
            return
        events = affected_events(self.store, relevant, new=new)
        if events is not None and not events - self.events:
            return  # no event (new to the run) whose counts this write can change: nothing to mark or read
        if self.marked is None:
            self.marked = mark_pending(self.store)
        if events is None:
            self.recount = True
            return
        fresh = events - self.events
        if fresh:
            self.events |= fresh
            if len(self.events) > self.limit:  # a large run: counting everything again at the end is cheaper
                self.recount = True
                return
            self.before.add(count_events(self.store, fresh))

    def finish(self) -> None:
        """Bring the cube up to date with every write since the run began (also after a failed write: whatever the
        store holds is counted as it is)."""
        if self.marked is None:
            return
        store = self.store
        if self.recount:
            rebuild(store)  # (a recount replaces the cube, markers included)
        else:
            apply(store, count_events(store, self.events).minus(self.before), self.marked)
        self.events, self.before, self.recount, self.marked = set(), Counts(), False, None


@contextmanager
def maintained(store: Any, graphs: Mapping[str, str], new: bool = False) -> Iterator[None]:
    """Keep the cube exact across one write of ``graphs`` (IRI -> new N-Triples body; "" removes the graph).

    Nothing to do for a store without a current cube (:func:`ensure` builds it), or for writes of the reference
    graphs and of the cube itself.
    """
    run = Run(store)
    run.before_write(graphs, new=new)
    try:
        yield
    finally:
        run.finish()
