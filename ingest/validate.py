"""The validation stage: SHACL (``shapes/ssekg-shapes.ttl``) against one report's graph.

``validate(graph, reference)`` runs pySHACL (SHACL Core, no inference, no meta-SHACL per call) on the report
graph with the reference data (countries and the SKOS schemes) mixed in, so that ``sh:class sse:Country`` and
the ``skos:inScheme`` checks can see it, and turns pySHACL's results graph into :class:`Problem` objects a curator
can read. A report is blocked iff there is at least one ``sh:Violation``; warnings are recorded only.

Mixing in. pySHACL's ``ont_graph`` argument is not used: it copies only RDFS/OWL axioms (classes, properties,
``owl:NamedIndividual`` nodes) into the data graph, not instance data such as ``country/MA a sse:Country`` or a
concept's ``skos:inScheme``, so every country would fail ``sh:class``. The report graph and the reference
triples are merged here instead, into a graph of our own that pySHACL validates in place.

Only the part of the reference graph that can matter is mixed in (:func:`reference_subset`): the triples whose
subject is a resource the report mentions (followed through blank nodes), plus every ``rdfs:subClassOf`` triple
(which ``sh:class`` follows). The shapes look at reference resources only as values of the report's triples
(``sh:class``, ``sh:node`` on ``sse:category``/``sse:eventType``) and through ``sh:targetClass sse:Country``, so
the result is the same as with the whole reference graph but for problems *in* reference resources the report
does not use (which are not the report's problems). ``tests/test_shapes.py`` checks the equality on every
fixture. Measured on a 145-triple report with a 2,915-triple reference (every ISO country, three schemes):
whole reference ≈ 155 ms per report, subset ≈ 24 ms (of which the subset itself 0.7 ms).

Engines. By default the shapes are compiled once per process into Python checks (``ingest/fastshacl.py``),
which give the same problems as pySHACL in a few milliseconds; ``engine="pyshacl"`` runs pySHACL itself, the
reference. If the shapes use a feature the compiled path does not support (found when they are compiled), or a
graph holds something it cannot decide the way pySHACL does (it raises ``Unsure``), pySHACL is used.
``tests/test_fastshacl.py`` proves the two engines equal on fixtures, cards and mutated graphs.

The compiled engine mixes in less still: of a reference resource's triples only those whose predicate the
shapes name somewhere (as a path, a target, a class or a value), plus ``rdf:type`` and ``rdfs:subClassOf``.
The others (a concept's hidden and alternative labels, definitions, close matches: 70% of the subset on
generated reports) can change no result: no shape is ``sh:closed`` and none runs SPARQL (checked when the
shapes are compiled; otherwise the whole subset is used). Indexing the smaller set is what makes the difference.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal as TLiteral

import rdflib
from pyshacl import validate as _pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from ssekg.namespaces import PREFIXES
from ssekg.store import plain_graph

from .fastshacl import Compiled, Unsure, compile_shapes

__all__ = ["Problem", "Validation", "shapes_graph", "reference_subset", "validate", "short", "SHAPES_NS",
           "compiled_shapes", "ENGINES"]

#: ``validate(engine=...)``: "fast" (compiled shapes, pySHACL where they cannot decide) or "pyshacl" (reference)
ENGINES = ("fast", "pyshacl")

Severity = TLiteral["Violation", "Warning", "Info"]

_SEVERITIES: dict[URIRef, Severity] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
#: the namespace of our shapes (shapes/ssekg-shapes.ttl)
SHAPES_NS = "https://w3id.org/ssekg/shapes#"
_SORTED_PREFIXES = sorted({**PREFIXES, "ssesh": SHAPES_NS}.items(), key=lambda item: -len(item[1]))


def short(node: rdflib.term.Node | str | None) -> str:
    """A node as a curator reads it: ``ssed:event/…-1``, ``"text"@ar``, ``"2025"^^xsd:gYear``."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        text = f'"{node}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != PREFIXES["xsd"] + "string":
            return f"{text}^^{short(URIRef(node.datatype))}"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    iri = str(node)
    for prefix, namespace in _SORTED_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


@dataclass
class Problem:
    """One SHACL validation result, in words."""

    severity: Severity
    focus: str  #: the focus node's IRI (or blank node id)
    path: str | None  #: the property path, prefixed (``sse:hostCountry``, ``^sse:challenge``), if any
    value: str | None  #: the offending value, prefixed or as a quoted literal, if any
    message: str  #: the shape's sh:message: what is wrong, in English
    shape: str  #: the source shape, prefixed (``ssesh:EventSource``)
    component: str = ""  #: the constraint component, prefixed (``sh:MinCountConstraintComponent``)

    def __str__(self) -> str:
        where = short(URIRef(self.focus)) if not self.focus.startswith("_:") else self.focus
        if self.path:
            where += f" {self.path}"
        if self.value is not None:
            where += f" = {self.value}"
        rule = self.component or self.shape
        return f"{self.severity}: {where} [{rule}, {self.shape}]: {self.message}"


@dataclass
class Validation:
    """The outcome of validating one report graph."""

    conforms: bool  #: true iff there is no Violation (warnings and infos do not block a report)
    problems: list[Problem] = field(default_factory=list)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Warning"]

    def __str__(self) -> str:
        head = "conforms" if self.conforms else f"does not conform ({len(self.violations)} violation(s))"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes of the core vocabulary (parsed once; do not modify the returned graph)."""
    text = resources.files("ssekg.shapes").joinpath("ssekg-shapes.ttl").read_text(encoding="utf-8")
    graph = Graph()
    graph.parse(data=text, format="turtle")
    return graph


def reference_subset(graph: Graph, reference: Graph) -> Graph:
    """The triples of ``reference`` the shapes can look at when validating ``graph``.

    Those are the reference triples about the resources ``graph`` mentions as values (objects), followed
    through blank nodes, and every ``rdfs:subClassOf`` triple (``sh:class`` accepts instances of subclasses).
    """
    subset = Graph()
    seen: set[rdflib.term.Node] = set()
    todo = [o for o in graph.objects() if isinstance(o, (URIRef, BNode))]
    # subjects of the report graph too: a resource typed in the reference data (a country the report describes)
    todo.extend(s for s in graph.subjects() if isinstance(s, URIRef))
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in reference.triples((node, None, None)):
            subset.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    for triple in reference.triples((None, RDFS.subClassOf, None)):
        subset.add(triple)
    return subset


class _ReferenceIndex:
    """A reference graph's triples by subject, and its rdfs:subClassOf triples: built once per graph."""

    def __init__(self, reference: Graph) -> None:
        self.graph = weakref.ref(reference)
        self.size = len(reference)
        by_subject: dict = {}
        for triple in reference:
            by_subject.setdefault(triple[0], []).append(triple)
        self.by_subject = by_subject
        self.subclass = [t for t in reference.triples((None, RDFS.subClassOf, None))]
        self._relevant: dict[frozenset, dict] = {}

    def relevant(self, predicates: frozenset) -> dict:
        """``by_subject`` restricted to triples with these predicates (computed once per predicate set)."""
        found = self._relevant.get(predicates)
        if found is None:
            found = self._relevant[predicates] = {
                s: kept for s, ts in self.by_subject.items() if (kept := [t for t in ts if t[1] in predicates])
            }
        return found


_REFERENCE_INDEXES: dict[int, _ReferenceIndex] = {}


def _reference_index(reference: Graph) -> _ReferenceIndex:
    """The index of ``reference``, rebuilt when the graph is another one or its size changed.

    A reference graph is not expected to change (``Reference.for_shapes`` is built once); an edit in place that
    keeps its size is not seen: build a new graph instead.
    """
    index = _REFERENCE_INDEXES.get(id(reference))
    if index is None or index.graph() is not reference or index.size != len(reference):
        if len(_REFERENCE_INDEXES) > 8:
            _REFERENCE_INDEXES.clear()
        index = _REFERENCE_INDEXES[id(reference)] = _ReferenceIndex(reference)
    return index


def _report_and_reference_triples(graph: Graph, reference: Graph, relevant: frozenset | None = None) -> set:
    """The report's triples and those of :func:`reference_subset`, as one set (no rdflib graph built).

    ``relevant``: mix in only reference triples with these predicates (see the module docstring).
    """
    triples = set(graph)
    index = _reference_index(reference)
    by_subject = index.by_subject if relevant is None else index.relevant(relevant)
    todo = [o for _, _, o in triples if isinstance(o, (URIRef, BNode))]
    todo.extend(s for s, _, _ in triples if isinstance(s, URIRef))
    seen: set = set()
    subset: set = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in by_subject.get(node, ()):
            subset.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    subset.update(index.subclass)
    return triples | subset


@lru_cache(maxsize=1)
def _relevant_predicates() -> frozenset | None:
    """Every IRI the shapes name, with rdf:type and rdfs:subClassOf; None if a shape could see any predicate."""
    shapes = shapes_graph()
    if any(True for p in (SH.closed, SH.sparql) for _ in shapes.triples((None, p, None))):
        return None
    named = {t for triple in shapes for t in triple if isinstance(t, URIRef)}
    return frozenset(named | {RDF.type, RDFS.subClassOf})


@lru_cache(maxsize=1)
def compiled_shapes() -> Compiled | None:
    """The shapes compiled for ``ingest/fastshacl.py`` (once per process); None if they need pySHACL."""
    return compile_shapes(shapes_graph())


def validate(graph: Graph | Iterable[tuple], reference: Graph | None = None, *, subset: bool = True,
             engine: str = "fast") -> Validation:
    """Validate one report's graph against the shapes, with ``reference`` (countries, SKOS schemes) mixed in.

    ``graph`` may be a Graph or the report's triples (``mapping.card_to_triples``).
    ``subset=False`` mixes in the whole reference graph (slower, same result; kept for tests and benchmarks).
    ``engine="pyshacl"`` validates with pySHACL (the reference); the default, ``"fast"``, with the compiled
    shapes, which give the same problems (see the module's docstring).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
    problems: list[Problem] | None = None
    if engine == "fast":
        compiled = compiled_shapes()
        if compiled is not None:
            problems = _fast_problems(compiled, graph, reference, subset)
    if problems is None:
        problems = _pyshacl_problems(graph, reference, subset)
    problems.sort(key=_sort_key)
    return Validation(conforms=not any(p.severity == "Violation" for p in problems), problems=problems)


def _fast_problems(compiled: Compiled, graph: Graph, reference: Graph | None, subset: bool) -> list[Problem] | None:
    if any(isinstance(g, rdflib.ConjunctiveGraph) for g in (graph, reference)):
        return None  # datasets iterate as quads: leave them to pySHACL
    if reference is not None and len(reference):
        relevant = _relevant_predicates()
        triples = (_report_and_reference_triples(graph, reference, relevant) if subset
                   else set(graph) | set(reference))
    else:
        triples = set(graph)
    try:
        results = compiled.run(triples)
    except Unsure:
        return None
    return [_fast_problem(*r) for r in results]


def _fast_problem(severity, focus, value, shape, component) -> Problem:  # noqa: ANN001
    info = _shape_info(shape)
    return Problem(
        severity=_SEVERITIES.get(severity, "Violation"),
        focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
        path=info[0],
        value=short(value) if value is not None else None,
        message=info[1],
        shape=info[2],
        component=short(component),
    )


@lru_cache(maxsize=None)
def _shape_info(shape: rdflib.term.Node) -> tuple[str | None, str, str]:
    """(path text, message, name) of a shape of :func:`shapes_graph`, as :func:`_problems` writes them."""
    graph = shapes_graph()
    path = graph.value(shape, SH.path)
    messages = list(graph.objects(shape, SH.message))
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    message = str((english or messages or ["(no message)"])[0])
    return (path_text(graph, path) if path is not None else None, message, _shape_name(shape))


def _pyshacl_problems(graph: Graph, reference: Graph | None, subset: bool) -> list[Problem]:
    if not isinstance(graph, Graph):  # plain triples (the ingest workers'): reference_subset reads a Graph
        graph = plain_graph(graph)
    data = Graph()
    for triple in graph:
        data.add(triple)
    if reference is not None and len(reference):
        for triple in reference_subset(graph, reference) if subset else reference:
            data.add(triple)
    # pySHACL's own ``ont_graph`` mix-in copies only RDFS/OWL axioms (classes, properties, owl:NamedIndividual
    # nodes), not instance data such as ``country/MA a sse:Country`` or ``skos:inScheme``; so the merge is done
    # here, into a graph of our own that pySHACL may use in place (no second copy).
    _conforms, results, _text = _pyshacl_validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=False,
        meta_shacl=False,
        abort_on_first=False,
        allow_warnings=False,
        allow_infos=False,
        inplace=True,
    )
    return _problems(results)


def _sort_key(p: Problem) -> tuple:
    # every field, so that the order does not depend on the engine nor on the results graph's iteration order
    return (_ORDER[p.severity], p.focus, p.path or "", p.shape, p.value or "", p.component, p.message)


_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def path_text(results: Graph, path: rdflib.term.Node) -> str:
    """A SHACL property path in SPARQL-like syntax: ``sse:a/sse:b``, ``^sse:challenge``, ``(a|b)*``."""
    if isinstance(path, URIRef):
        return short(path)
    if (path, RDF.first, None) in results:
        return "/".join(path_text(results, p) for p in Collection(results, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = results.value(path, predicate)
        if inner is not None:
            text = path_text(results, inner)
            if not isinstance(inner, URIRef):
                text = f"({text})"
            return template.format(text)
    alternatives = results.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(path_text(results, p) for p in Collection(results, alternatives))
    return short(path)


def _problems(results: Graph) -> list[Problem]:
    problems = []
    # only the report's own results: nested results (sh:detail, of sh:node and the like) are not problems
    # in their own right; the sh:node result that holds them says what is wrong
    for result in results.objects(None, SH.result):
        severity = _SEVERITIES.get(results.value(result, SH.resultSeverity), "Violation")
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = list(results.objects(result, SH.resultMessage))
        english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
        message = str((english or messages or ["(no message)"])[0])
        component = results.value(result, SH.sourceConstraintComponent)
        shape = results.value(result, SH.sourceShape)
        problems.append(
            Problem(
                severity=severity,
                focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
                path=path_text(results, path) if path is not None else None,
                value=short(value) if value is not None else None,
                message=message,
                shape=_shape_name(shape),
                component=short(component) if component is not None else "",
            )
        )
    return problems


def _shape_name(shape: rdflib.term.Node | None) -> str:
    if shape is None:
        return ""
    if isinstance(shape, BNode):
        # an anonymous shape: name it by the shape that holds it, when there is one
        graph = shapes_graph()
        parent = graph.value(None, SH.property, shape)
        if parent is not None:
            path = graph.value(shape, SH.path)
            return f"{_shape_name(parent)}/{short(path) if path is not None else 'anonymous'}"
        return "anonymous shape"
    return short(shape)
