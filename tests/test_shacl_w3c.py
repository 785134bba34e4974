"""The W3C SHACL Core test suite, run through pySHACL.

The suite (https://w3c.github.io/data-shapes/data-shapes-test-suite/) lives outside this checkout, in
``../shared/w3c/data-shapes/data-shapes-test-suite/tests/core/`` (the checkout is a sibling of ``shared/``).
Each test is an ``sht:Validate`` entry of a manifest: ``mf:action [ sht:dataGraph …; sht:shapesGraph … ]`` and
``mf:result``, the expected ``sh:ValidationReport``. As the suite's rules say, a test passes when the
report pySHACL produces has the expected ``sh:conforms`` and the same results: compared as a multiset, each
result by its focus node, path, value, severity, source constraint component and source shape
(``sh:resultMessage`` is ignored); blank nodes are compared by their structure (the triples they are the
subject of, recursively), so that a path such as ``[ sh:inversePath ex:p ]`` or an anonymous shape matches.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "w3c"
CORE = SHARED / "data-shapes" / "data-shapes-test-suite" / "tests" / "core"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

if not (CORE / "manifest.ttl").is_file():
    pytest.skip(
        f"the W3C SHACL test suite is not there: it lives in ../shared/w3c (looked for {CORE}/manifest.ttl)",
        allow_module_level=True,
    )

#: Known pySHACL failures: test id -> reason. strict xfail, so that a pySHACL fix is noticed.
KNOWN_FAILURES: dict[str, str] = {}

_graphs: dict[tuple[Path, bool], Graph] = {}


def load(path: Path, shapes: bool = False) -> Graph:
    """Parse a suite file once as a data (or manifest) graph, and once as a shapes graph.

    pySHACL parses a shapes graph it loads itself with rdflib's boolean parsing patched, so that only "true"
    and "false" are booleans ("1"^^xsd:boolean does not switch sh:uniqueLang on: property/uniqueLang-002);
    the shapes graphs given to it here are parsed the same way.
    """
    path = path.resolve()
    if (path, shapes) not in _graphs:
        if shapes:
            rdflib_bool_patch()
        try:
            with warnings.catch_warnings():
                # the suite has ill-typed literals on purpose ("none"^^xsd:boolean): rdflib warns about them
                warnings.filterwarnings("ignore", "Parsing weird boolean")
                _graphs[path, shapes] = Graph().parse(path, format="turtle", publicID=path.as_uri())
        finally:
            if shapes:
                rdflib_bool_unpatch()
    return _graphs[path, shapes]


def to_path(iri: URIRef) -> Path:
    assert str(iri).startswith("file://"), iri
    return Path(str(iri)[len("file://"):].split("#")[0])


def collect(manifest: Path) -> list[tuple[str, Path, URIRef]]:
    """(test id, manifest file, entry IRI) for every entry, following mf:include."""
    graph = load(manifest)
    tests = []
    for root in graph.subjects(RDF.type, MF.Manifest):
        for included in sorted(graph.objects(root, MF.include)):
            tests.extend(collect(to_path(included)))
        for entries in graph.objects(root, MF.entries):
            for entry in graph.items(entries):
                test_id = str(to_path(entry).relative_to(CORE)) if str(entry).startswith("file:") else str(entry)
                tests.append((test_id, manifest, entry))
    return tests


TESTS = collect(CORE / "manifest.ttl")


def canon(node, graphs: list[Graph], depth: int = 0):
    """A hashable, id-independent form of a node: blank nodes by the triples they are the subject of."""
    if not isinstance(node, BNode):
        return node
    if depth > 8:
        return ("bnode", "…")
    for graph in graphs:
        triples = list(graph.predicate_objects(node))
        if triples:
            return ("bnode", frozenset((p, canon(o, graphs, depth + 1)) for p, o in triples))
    return ("bnode",)


FIELDS = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity, SH.sourceConstraintComponent, SH.sourceShape)


def results_of(report: Graph, node, graphs: list[Graph]) -> Counter:
    found = Counter()
    for result in report.objects(node, SH.result):
        found[tuple(canon(report.value(result, field), graphs) for field in FIELDS)] += 1
    return found


def show(results: Counter) -> str:
    return "\n".join(f"  {n} x {key}" for key, n in sorted(results.items(), key=str)) or "  (none)"


def params():
    for test_id, manifest, entry in TESTS:
        marks = []
        if test_id in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[test_id], strict=True))
        yield pytest.param(manifest, entry, id=test_id, marks=marks)


def test_suite_is_complete():
    assert len(TESTS) == 98, len(TESTS)


@pytest.mark.parametrize(("manifest", "entry"), list(params()))
def test_w3c_core(manifest: Path, entry: URIRef):
    graph = load(manifest)
    assert (entry, RDF.type, SHT.Validate) in graph
    action = graph.value(entry, MF.action)
    data = load(to_path(graph.value(action, SHT.dataGraph)))
    shapes = load(to_path(graph.value(action, SHT.shapesGraph)), shapes=True)
    expected = graph.value(entry, MF.result)
    assert (expected, RDF.type, SH.ValidationReport) in graph, "only sht:Validate tests with a report"

    conforms, report, text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        meta_shacl=False,
        allow_warnings=False,
        allow_infos=False,
        debug=False,
    )
    assert isinstance(report, Graph), text
    (actual,) = report.subjects(RDF.type, SH.ValidationReport)

    expected_conforms = graph.value(expected, SH.conforms)
    assert isinstance(expected_conforms, Literal)
    assert conforms is bool(expected_conforms.toPython()), text
    assert report.value(actual, SH.conforms).toPython() is bool(expected_conforms.toPython())

    want = results_of(graph, expected, [graph, data, shapes])
    have = results_of(report, actual, [report, data, shapes])
    assert have == want, f"expected:\n{show(want)}\ngot:\n{show(have)}\n{text}"
