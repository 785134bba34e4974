"""The SHACL shapes (shapes/ssekg-shapes.ttl) and the validation stage (ssekg.ingest.validate).

Fixtures: tests/shapes/valid/*.ttl (no problem at all) and tests/shapes/invalid/*.ttl (``# expect:`` lines name
the severity, constraint component and focus node of every problem the validator must report); see
tests/shapes/README.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from ssekg.ingest.validate import Problem, Validation, reference_subset, shapes_graph, short, validate
from ssekg.namespaces import DEFAULT_BASE, SSE

HERE = Path(__file__).parent / "shapes"
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: (Violation|Warning|Info) (sh:\w+) (\S+)$", re.M)

#: shapes used only through sh:node: their results are nested under the sh:node result of the shape using them
NESTED_ONLY = {"ssesh:ChallengeConcept", "ssesh:ProposalConcept", "ssesh:EventTypeConcept"}


@pytest.fixture(scope="module")
def reference() -> Graph:
    return Graph().parse(HERE / "reference.ttl")


def load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def expected(path: Path) -> set[tuple[str, str, str]]:
    found = set(EXPECT.findall(path.read_text(encoding="utf-8")))
    assert found, f"{path.name} has no '# expect:' line"
    return found


def got(validation: Validation) -> set[tuple[str, str, str]]:
    return {(p.severity, p.component, short(URIRef(p.focus))) for p in validation.problems}


def test_fixtures_exist():
    assert len(VALID) >= 10 and len(INVALID) >= 50


# ---------------------------------------------------------------------------------------------------------------
# The shapes graph itself


def test_shapes_graph_is_valid_shacl():
    """The shapes validate against the SHACL-for-SHACL shapes graph (pySHACL raises if they do not)."""
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True)
    assert conforms, text


def test_shapes_graph_is_cached():
    assert shapes_graph() is shapes_graph()
    assert len(shapes_graph()) > 300


def _shapes(graph: Graph) -> set:
    """Every node shape and property shape, excluding the anonymous members of sh:or lists."""
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(graph.objects(None, SH.property))
    return shapes


def test_every_shape_has_an_english_message_a_label_and_a_comment():
    graph = shapes_graph()
    shapes = _shapes(graph)
    assert len(shapes) > 60
    for shape in shapes:
        name = short(shape)
        messages = [m for m in graph.objects(shape, SH.message) if isinstance(m, Literal) and m.language == "en"]
        assert len(messages) == 1 and len(str(messages[0])) > 15, f"{name}: sh:message@en"
        assert graph.value(shape, RDFS.label) is not None, f"{name}: rdfs:label"
        assert graph.value(shape, RDFS.comment) is not None, f"{name}: rdfs:comment"


def test_only_shacl_core():
    graph = shapes_graph()
    assert not set(graph.subjects(SH.sparql, None)), "SPARQL-based constraints"
    assert not set(graph.subjects(SH.rule, None)), "SHACL rules"


def test_severities():
    """Warnings are exactly the 'recommended' shapes; everything else blocks a report."""
    graph = shapes_graph()
    warnings = {short(s) for s in graph.subjects(SH.severity, SH.Warning)}
    assert warnings == {
        "ssesh:ReportUrlRecommended",
        "ssesh:EventDateRecommended",
        "ssesh:EventPlaceRecommended",
        "ssesh:ChallengeCategoryRecommended",
        "ssesh:ProposalCategoryRecommended",
        "ssesh:SpeakerRoleRecommended",
        "ssesh:CountryName",
    }
    assert not set(graph.subjects(SH.severity, SH.Info))


def test_every_shape_is_exercised_by_an_invalid_fixture(reference):
    """Each named shape (but the ones only used through sh:node) is the source of a problem in some fixture."""
    graph = shapes_graph()
    named = {s for s in _shapes(graph) if isinstance(s, URIRef)}
    # node shapes without constraints of their own (only sh:property) cannot be the source of a result
    own = {p for p in graph.predicates() if str(p).startswith(str(SH))} - {
        SH.property, SH.targetClass, SH.targetSubjectsOf, SH.message, SH.severity, RDF.type
    }
    sources = set()
    for path in INVALID:
        sources |= {p.shape for p in validate(load(path), reference).problems}
    missing = set()
    for shape in named:
        name = short(shape)
        if name in NESTED_ONLY:
            continue
        if not any(graph.value(shape, p) is not None for p in own):
            continue
        if name not in sources:
            missing.add(name)
    # the node kind of the targeted node shapes (instances are IRIs): see test_instances_must_be_iris
    missing -= {"ssesh:ReportShape", "ssesh:CountryShape", "ssesh:EventShape", "ssesh:ChallengeShape", "ssesh:ProposalShape", "ssesh:SpeakerShape",
                "ssesh:OrganisationShape", "ssesh:CityShape", "ssesh:ProgrammeShape"}
    assert not missing, sorted(missing)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_example_passes(path, reference):
    validation = validate(load(path), reference)
    assert validation.conforms, str(validation)
    assert validation.problems == [], str(validation)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_reports_the_expected_problems(path, reference):
    expect = expected(path)
    validation = validate(load(path), reference)
    assert got(validation) == expect, str(validation)
    blocking = any(severity == "Violation" for severity, _, _ in expect)
    assert validation.conforms is not blocking, str(validation)
    for problem in validation.problems:
        assert problem.message and problem.shape.startswith("ssesh:"), problem


@pytest.mark.parametrize("path", VALID + INVALID, ids=[p.stem for p in VALID + INVALID])
def test_reference_subset_gives_the_same_result_as_the_whole_reference(path, reference):
    graph = load(path)
    assert validate(graph, reference).problems == validate(graph, reference, subset=False).problems


# ---------------------------------------------------------------------------------------------------------------
# The Validation and Problem objects


def test_warnings_do_not_make_conforms_false(reference):
    validation = validate(load(HERE / "invalid" / "event-no-date.ttl"), reference)
    assert validation.conforms
    assert validation.violations == []
    assert [p.severity for p in validation.warnings] == ["Warning"]
    assert validation.problems == validation.warnings


def test_violations_and_warnings_are_split(reference):
    graph = load(HERE / "invalid" / "event-no-date.ttl")
    graph.remove((None, DCTERMS.language, None))
    validation = validate(graph, reference)
    assert not validation.conforms
    assert {p.severity for p in validation.violations} == {"Violation"}
    assert {p.severity for p in validation.warnings} == {"Warning"}
    assert len(validation.problems) == len(validation.violations) + len(validation.warnings)
    assert validation.problems[0].severity == "Violation"  # violations come first


def test_problem_names_the_rule_focus_path_and_message(reference):
    validation = validate(load(HERE / "invalid" / "event-no-source.ttl"), reference)
    (problem,) = validation.violations
    assert problem == Problem(
        severity="Violation",
        focus=DEFAULT_BASE + "event/0123456789abcdef-1",
        path="prov:wasDerivedFrom",
        value=None,
        message="An event must point back to its source report (prov:wasDerivedFrom, a sse:Report).",
        shape="ssesh:EventSource",
        component="sh:MinCountConstraintComponent",
    )
    text = str(problem)
    for part in ("Violation", "ssed:event/0123456789abcdef-1", "prov:wasDerivedFrom",
                 "sh:MinCountConstraintComponent", "ssesh:EventSource", "must point back to its source report"):
        assert part in text, text
    assert "ssed:event/0123456789abcdef-1 prov:wasDerivedFrom" in str(validation)


def test_problem_shows_the_value_and_an_inverse_path(reference):
    validation = validate(load(HERE / "invalid" / "challenge-not-raised-at-event.ttl"), reference)
    (problem,) = validation.violations
    assert problem.path == "^sse:challenge"
    validation = validate(load(HERE / "invalid" / "event-online-text.ttl"), reference)
    (problem,) = validation.violations
    assert problem.value == '"yes"' and '= "yes"' in str(problem)
    validation = validate(load(HERE / "invalid" / "report-bad-published.ttl"), reference)
    (problem,) = validation.violations
    assert problem.value == '"2025-13-45"^^xsd:date'


def test_blank_node_focus():
    graph = Graph()
    event = BNode()
    graph.add((event, RDF.type, SSE.Event))
    validation = validate(graph)
    assert not validation.conforms
    assert all(p.focus.startswith("_:") for p in validation.problems)
    assert {p.component for p in validation.violations} >= {"sh:NodeKindConstraintComponent",
                                                           "sh:MinCountConstraintComponent"}
    assert str(validation.violations[0]).split(": ")[1].startswith("_:")


CLASSES = ["Report", "Event", "Speaker", "Country", "City", "Organisation", "Challenge", "Proposal", "Programme"]


@pytest.mark.parametrize("name", CLASSES)
def test_instances_must_be_iris(name):
    """A blank node typed with a class of ours is a violation of the class's shape (sh:nodeKind sh:IRI)."""
    graph = Graph()
    graph.add((BNode(), RDF.type, SSE[name]))
    validation = validate(graph)
    assert not validation.conforms
    assert ("Violation", "sh:NodeKindConstraintComponent", f"ssesh:{name}Shape") in {
        (p.severity, p.component, p.shape) for p in validation.problems
    }


def test_without_reference_countries_and_concepts_are_unknown():
    validation = validate(load(HERE / "valid" / "event.ttl"))
    assert not validation.conforms
    assert {p.component for p in validation.violations} == {"sh:ClassConstraintComponent",
                                                           "sh:NodeConstraintComponent"}


def test_input_graph_is_not_modified(reference):
    graph = load(HERE / "valid" / "event.ttl")
    before = len(graph)
    validate(graph, reference)
    validate(graph, reference, subset=False)
    assert len(graph) == before


# ---------------------------------------------------------------------------------------------------------------
# The reference subset on a realistic reference graph (every country, three schemes)


def big_reference() -> Graph:
    import pycountry

    base = DEFAULT_BASE
    ref = Graph()
    for country in pycountry.countries:
        node = URIRef(f"{base}country/{country.alpha_2}")
        ref.add((node, RDF.type, SSE.Country))
        ref.add((node, SSE.alpha2, Literal(country.alpha_2)))
        ref.add((node, SSE.alpha3, Literal(country.alpha_3)))
        ref.add((node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q{country.numeric}")))
        for lang in ("ar", "fr", "en"):
            ref.add((node, RDFS.label, Literal(country.name, lang=lang)))
    for scheme, notations in (
        ("challenge", ["access-to-finance", *(f"c{i}" for i in range(30))]),
        ("proposal", ["finance", *(f"p{i}" for i in range(30))]),
        ("event-type", ["workshop", "forum", "conference", "webinar"]),
    ):
        scheme_iri = URIRef(f"{base}concept/{scheme}")
        ref.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
        for notation in notations:
            concept = URIRef(f"{scheme_iri}/{notation}")
            ref.add((concept, RDF.type, SKOS.Concept))
            ref.add((concept, SKOS.inScheme, scheme_iri))
            ref.add((concept, SKOS.notation, Literal(notation)))
            for lang in ("ar", "fr", "en"):
                ref.add((concept, SKOS.prefLabel, Literal(notation, lang=lang)))
    ref.add((SSE.Country, RDFS.subClassOf, URIRef("http://schema.org/Country")))
    return ref


def test_reference_subset_is_small_and_sound():
    ref = big_reference()
    assert len(ref) > 2000
    graph = load(HERE / "valid" / "event.ttl")
    subset = reference_subset(graph, ref)
    assert len(subset) < 60
    assert (URIRef(DEFAULT_BASE + "country/SN"), RDF.type, SSE.Country) in subset
    assert (URIRef(DEFAULT_BASE + "country/FR"), RDF.type, SSE.Country) not in subset
    assert validate(graph, ref).problems == []
    assert validate(graph, ref, subset=False).problems == []
    for name in ("event-participating-unknown", "challenge-category-other-scheme", "event-type-unknown"):
        bad = load(HERE / "invalid" / f"{name}.ttl")
        assert validate(bad, ref).problems == validate(bad, ref, subset=False).problems
        assert not validate(bad, ref).conforms


def test_reference_subset_follows_subclasses():
    """sh:class accepts an instance of a subclass: the subset keeps rdfs:subClassOf."""
    ref = Graph()
    special = URIRef("https://w3id.org/ssekg/ontology#SpecialCountry")
    ma = URIRef(DEFAULT_BASE + "country/MA")
    ref.add((special, RDFS.subClassOf, SSE.Country))
    ref.add((ma, RDF.type, special))
    ref.add((ma, SSE.alpha2, Literal("MA")))
    graph = load(HERE / "valid" / "organisation.ttl")
    graph.remove((None, SSE.country, None))
    graph.add((URIRef(DEFAULT_BASE + "org/remess"), SSE.country, ma))
    assert validate(graph, ref).conforms


# ---------------------------------------------------------------------------------------------------------------
# Both engines: the fixtures' expectations hold for pySHACL (the reference) as for the compiled shapes (the
# default); tests/test_fastshacl.py compares the two problem for problem


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_reports_the_expected_problems_with_pyshacl(path, reference):
    expect = expected(path)
    validation = validate(load(path), reference, engine="pyshacl")
    assert got(validation) == expect, str(validation)
    assert validation.conforms is not any(severity == "Violation" for severity, _, _ in expect), str(validation)


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_example_passes_with_pyshacl(path, reference):
    assert validate(load(path), reference, engine="pyshacl").problems == []


def test_problem_order_does_not_depend_on_the_engine(reference):
    """Problems are sorted on every field, so both engines list them in the same order."""
    graph = load(HERE / "invalid" / "event-participating-literal.ttl")
    fast = validate(graph, reference).problems
    assert fast == validate(graph, reference, engine="pyshacl").problems
    keys = [(p.severity != "Violation", p.focus, p.path or "", p.shape, p.value or "", p.component, p.message)
            for p in fast]
    assert keys == sorted(keys)
