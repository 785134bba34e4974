"""ingest/fastinfer.py gives exactly what owlrl (ingest/infer.py's ``infer``) gives, triple for triple.

Checked on every bundled card (examples/cards, the extraction corpus's gold cards), every shapes fixture (valid
and invalid: inference must agree on bad data too), a small generated corpus (bench/generate.py), and small
ontologies that use the axioms our ontology does not (symmetric, transitive, equivalent classes and
properties), plus the fallback to owlrl for axioms the tables do not cover.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from support import EXAMPLES, bench_generate, card_graph
from ssekg.errors import InputError
from ssekg.ingest.fastinfer import (
    _closure_by_templates,
    closure_triples,
    closure_with_same_as,
    compile_rules,
    fast_infer,
    fast_infer_triples,
    supported,
)
from ssekg.ingest.infer import closure, infer
from ssekg.ingest.mapping import card_to_graph
from ssekg.ingest.infer import trivial
from ssekg.ingest.reference import _asserted, _computed_closure, _union, load_reference, without_same_as_copies
from ssekg.namespaces import DEFAULT_BASE, SSE

HERE = Path(__file__).parent
CARDS = sorted(EXAMPLES.glob("*.yaml")) + sorted((HERE / "corpus").glob("*/*.gold.yaml"))
SHAPE_FIXTURES = sorted((HERE / "shapes" / "valid").glob("*.ttl")) + sorted((HERE / "shapes" / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def reference():
    return load_reference(DEFAULT_BASE)


def same(graph: Graph, reference) -> None:
    expected = set(infer(graph, reference.tbox, reference.known, reference.base))
    got = set(fast_infer(graph, reference.tbox, reference.known, reference.base))
    assert got == expected, (f"missing {sorted(expected - got)[:5]}", f"extra {sorted(got - expected)[:5]}")


def test_our_ontology_is_covered_by_the_tables(reference):
    rules = compile_rules(reference.tbox)
    assert rules.ok, rules.why
    assert rules.superclasses and rules.superproperties and rules.domains and rules.ranges and rules.inverses


@pytest.mark.parametrize("path", CARDS, ids=lambda p: p.name)
def test_same_as_owlrl_on_bundled_cards(path, reference):
    try:
        graph = card_graph(path, reference.base)
    except InputError as exc:  # a gold card that is not ingestible on its own has nothing to infer from
        pytest.skip(f"not a mappable card: {exc}")
    same(graph, reference)


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_as_owlrl_on_shape_fixtures(path, reference):
    graph = Graph()
    graph.parse(path, format="turtle")
    same(graph, reference)


def test_same_as_owlrl_on_generated_reports(reference):
    generate = bench_generate()
    pools = generate.make_pools(200, 7)
    for i in random.Random(7).sample(range(200), 8):
        card, _text = generate.make_report(i, 7, pools)
        same(card_to_graph(card, base=reference.base), reference)


EX = Namespace("https://example.org/ont#")
BASE = "https://example.org/id/"
I = Namespace(BASE)


def _tbox(turtle: str) -> frozenset:
    g = Graph()
    g.parse(data="@prefix ex: <https://example.org/ont#> . @prefix owl: <http://www.w3.org/2002/07/owl#> . "
                 "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . " + turtle, format="turtle")
    return frozenset(closure(g))


def _compare(tbox: frozenset, triples: list) -> set:
    report = Graph()
    for t in triples:
        report.add(t)
    expected = set(infer(report, tbox, frozenset(), BASE))
    got = set(fast_infer(report, tbox, frozenset(), BASE))
    assert got == expected, (sorted(expected - got), sorted(got - expected))
    return got


def test_symmetric_transitive_equivalent_and_inverse_axioms():
    tbox = _tbox("""
        ex:knows a owl:ObjectProperty, owl:SymmetricProperty ; rdfs:domain ex:Person .
        ex:partOf a owl:ObjectProperty, owl:TransitiveProperty ; rdfs:range ex:Place .
        ex:within owl:equivalentProperty ex:partOf .
        ex:Person owl:equivalentClass ex:Human . ex:Human rdfs:subClassOf ex:Agent .
        ex:hosts owl:inverseOf ex:hostedBy . ex:hostedBy rdfs:subPropertyOf ex:relatedTo .
        ex:relatedTo rdfs:domain ex:Thing2 ; rdfs:range ex:Thing3 .
    """)
    assert compile_rules(tbox).ok
    got = _compare(tbox, [
        (I.a, EX.knows, I.b), (I.c, EX.partOf, I.d), (I.d, EX.within, I.e), (I.e, EX.partOf, I.f),
        (I.g, RDF.type, EX.Human), (I.h, EX.hosts, I.k), (I.a, EX.name, Literal("A")),
    ])
    assert (I.b, EX.knows, I.a) in got and (I.c, EX.partOf, I.f) in got and (I.k, EX.relatedTo, I.h) in got


def test_templates_close_a_report_as_the_work_list_does():
    """A report's closure from per-triple templates (computed once per predicate) is the work list's, and a
    transitive property, whose consequences depend on other triples, sends the report back to the work list."""
    tbox = _tbox("""
        ex:knows a owl:ObjectProperty, owl:SymmetricProperty ; rdfs:domain ex:Person .
        ex:partOf a owl:ObjectProperty, owl:TransitiveProperty .
        ex:Person owl:equivalentClass ex:Human . ex:Human rdfs:subClassOf ex:Agent .
        ex:hosts owl:inverseOf ex:hostedBy . ex:hostedBy rdfs:subPropertyOf ex:relatedTo .
        ex:relatedTo rdfs:domain ex:Thing2 ; rdfs:range ex:Thing3 . ex:name rdfs:range ex:Named .
    """)
    rules = compile_rules(tbox)
    report = {(I.a, EX.knows, I.b), (I.g, RDF.type, EX.Human), (I.h, EX.hosts, I.k), (I.k, EX.hosts, I.k),
              (I.a, EX.name, Literal("A")), (I.a, EX.hosts, Literal("not a node"))}
    assert _closure_by_templates(report, rules) == closure_triples(report, rules)
    assert (I.b, RDF.type, EX.Agent) in closure_triples(report, rules)
    assert _closure_by_templates(report | {(I.c, EX.partOf, I.d)}, rules) is None


def _owlrl_adds(data: Graph) -> set:
    return {t for t in closure(data) if t not in data and isinstance(t[0], (URIRef, BNode)) and not trivial(*t)}


def test_reference_closure_is_owlrls_without_the_same_as_copies():
    """The reference data's closure (countries owl:sameAs Wikidata and GeoNames) is what owlrl makes of it, less
    the copies of each country's statements onto its external IRIs (issue 14: they doubled every count)."""
    graphs, _tbox, version = _asserted(DEFAULT_BASE)
    everything = _union(*graphs.values())
    ours = set(_computed_closure(DEFAULT_BASE, version))
    owlrl = _owlrl_adds(everything)
    assert ours == set(without_same_as_copies(owlrl, everything))
    assert len(ours) < len(owlrl)  # copies there were, and they are gone


def test_every_country_is_counted_once():
    """Class counts equal the reference data: one sse:Country per ISO country, no external IRI typed as ours."""
    from ssekg.ontology.countries import country_graph

    graphs, _tbox, version = _asserted(DEFAULT_BASE)
    store = _union(*graphs.values(), _computed_closure(DEFAULT_BASE, version))
    countries = set(store.subjects(RDF.type, SSE.Country))
    expected = set(country_graph(DEFAULT_BASE).subjects(RDF.type, SSE.Country))
    assert countries == expected and len(countries) == 249
    assert all(str(c).startswith(DEFAULT_BASE) for c in countries)
    labels = [(c, o.language) for c in countries for o in store.objects(c, RDFS.label)]
    assert len(labels) == len(set(labels))  # one label per country and language


def test_same_as_chains_copy_every_statement_as_owlrl_does():
    tbox = _tbox("ex:memberOf rdfs:range ex:Group ; owl:inverseOf ex:hasMember . ex:Group rdfs:subClassOf ex:Agent .")
    data = Graph()
    for t in [(I.a, OWL.sameAs, I.b), (I.c, OWL.sameAs, I.b), (I.a, EX.memberOf, I.g), (I.g, OWL.sameAs, I.h),
              (I.c, RDFS.label, Literal("C")), (I.x, EX.memberOf, I.c)]:
        data.add(t)
    found = closure_with_same_as(data, compile_rules(tbox))
    assert found is not None and (I.h, EX.hasMember, I.c) in found and (I.b, RDFS.label, Literal("C")) in found
    work = Graph()
    for t in set(tbox) | set(data):
        work.add(t)
    expected = _owlrl_adds(work) - set(tbox)
    got = {t for t in found | set(tbox) if t not in work and not trivial(*t)} - set(tbox)
    assert got == expected, (sorted(expected - got), sorted(got - expected))
    # a linked term used as a predicate (eq-rep-p) is left to owlrl
    assert closure_with_same_as(set(data) | {(I.z, I.a, I.y)}, compile_rules(tbox)) is None


def test_unsupported_axioms_fall_back_to_owlrl():
    tbox = _tbox("ex:id a owl:ObjectProperty, owl:FunctionalProperty . ex:C owl:hasKey (ex:id) .")
    assert supported(tbox) is not None
    assert fast_infer_triples({(I.a, EX.id, I.b)}, tbox, frozenset(), BASE) is None
    _compare(tbox, [(I.a, EX.id, I.b), (I.a, EX.id, I.c)])  # owlrl infers I.b owl:sameAs I.c; so must we


def test_schema_in_a_report_falls_back_to_owlrl():
    tbox = _tbox("ex:p rdfs:domain ex:C .")
    report = [(I.a, EX.q, I.b), (EX.q, RDFS.subPropertyOf, EX.p)]
    assert fast_infer_triples(set(report), tbox, frozenset(), BASE) is None
    got = _compare(tbox, report)
    assert (I.a, RDF.type, EX.C) in got


def test_every_concept_has_an_rdfs_label_in_each_language_of_its_pref_labels():
    from rdflib.namespace import SKOS

    graphs, _tbox, version = _asserted(DEFAULT_BASE)
    store = _union(*graphs.values(), _computed_closure(DEFAULT_BASE, version))
    concepts = set(store.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for c in concepts:
        assert set(store.objects(c, SKOS.prefLabel)) <= set(store.objects(c, RDFS.label)), c
        assert not set(store.objects(c, SKOS.hiddenLabel)) - set(store.objects(c, SKOS.prefLabel)) & set(
            store.objects(c, RDFS.label)), c  # keywords are no labels


def test_gazetteer_cities_have_three_labels_a_country_and_their_geonames_link():
    """Issue 14: cities carry ar, fr and en labels from the gazetteer and owl:sameAs GeoNames, with its source,
    and a city named in Arabic, French or English is one IRI."""
    from rdflib.namespace import DCTERMS

    from ssekg.ingest.keys import city_key

    graphs, _tbox, _version = _asserted(DEFAULT_BASE)
    cities = graphs["cities"]
    casablanca = URIRef(DEFAULT_BASE + "city/casablanca")
    assert {o.language for o in cities.objects(casablanca, RDFS.label)} == {"ar", "fr", "en"}
    assert city_key("الدار البيضاء", "MA") == city_key("Casablanca", "MA") == "casablanca"
    linked = set(cities.subjects(OWL.sameAs, None))
    assert linked == set(cities.subjects(RDF.type, SSE.City)) == set(
        cities.subjects(DCTERMS.source, URIRef("https://www.geonames.org/")))  # every gazetteer city
    assert len(linked) >= 890
    assert all(str(o).startswith("https://sws.geonames.org/") for o in cities.objects(None, OWL.sameAs))
    labels = [(c, o.language) for c in cities.subjects(RDF.type, SSE.City) for o in cities.objects(c, RDFS.label)]
    assert len(labels) == len(set(labels))  # one label per city and language


def test_every_country_links_to_geonames_and_names_the_source():
    from rdflib.namespace import DCTERMS

    from ssekg.ontology.countries import country_graph

    g = country_graph(DEFAULT_BASE)
    countries = set(g.subjects(RDF.type, SSE.Country))
    linked = {s for s, o in g.subject_objects(OWL.sameAs) if str(o).startswith("https://sws.geonames.org/")}
    assert linked == countries == set(g.subjects(DCTERMS.source, URIRef("https://www.geonames.org/")))


def test_no_two_gazetteer_lines_are_one_geonames_feature():
    """Two lines of one city (Gent and Ghent) became two IRIs that owl:sameAs merged: their labels doubled."""
    from collections import Counter

    from ssekg.ingest.keys import gazetteer

    ids = Counter((r.get("geonames") or "").strip() for r in gazetteer() if (r.get("geonames") or "").strip())
    assert [i for i, n in ids.items() if n > 1] == []
