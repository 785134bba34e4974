"""docs/vocabulary.md is true: it names every class and property of the ontology, and every query of its cookbook
runs on the bundled example cards and answers something (issue 14)."""

from __future__ import annotations

import re

import pytest
from rdflib.namespace import OWL, RDF
from ssekg.ingest.pipeline import ingest_paths
from ssekg.ontology import ontology_graph
from support import EXAMPLES, ROOT

from ssekg.namespaces import SSE
from ssekg.outbound import check_text
from ssekg.query import _prefixes
from ssekg.store import Store

DOC = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", DOC, re.DOTALL)


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store.memory()
    outcomes = ingest_paths(s, sorted(EXAMPLES.glob("*.yaml")))
    assert all(o.accepted for o in outcomes)
    return s


def test_every_term_of_the_ontology_is_documented():
    g = ontology_graph()
    terms = {str(s) for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in g.subjects(RDF.type, kind) if str(s).startswith(str(SSE))}
    assert len(terms) >= 39
    missing = sorted(t for t in terms if f"sse:{t[len(str(SSE)):]}" not in DOC)
    assert missing == []


def test_every_term_of_the_comparison_cube_is_documented():
    from importlib import resources

    from rdflib import Graph

    g = Graph().parse(data=resources.files("ssekg.ontology").joinpath("cube.ttl").read_text(encoding="utf-8"),
                      format="turtle")
    terms = {str(s) for s in g.subjects() if str(s).startswith(str(SSE))}
    assert len(terms) >= 20
    assert sorted(t for t in terms if f"sse:{t[len(str(SSE)):]}" not in DOC) == []


@pytest.mark.parametrize("number", range(len(QUERIES)))
def test_each_cookbook_query_runs_and_answers(store, number):
    assert len(QUERIES) >= 8
    query = QUERIES[number]
    check_text(query)  # what the server would accept
    rows = list(store.ox.query(query, prefixes=_prefixes(store.base)))
    assert rows, query


def test_no_resource_has_two_labels_in_one_language(store):
    """A label join in one language returns each resource once (countries, cities, concepts, people…)."""
    from ssekg.ingest.reference import ensure_reference, load_reference

    ensure_reference(store, load_reference(store.base, store))
    rows = list(store.ox.query(
        "SELECT ?r ?lang (COUNT(DISTINCT ?l) AS ?n) { ?r rdfs:label ?l BIND (LANG(?l) AS ?lang) } GROUP BY ?r ?lang "
        "HAVING (COUNT(DISTINCT ?l) > 1)", prefixes=_prefixes(store.base)))
    assert [(r["r"].value, r["lang"].value) for r in rows] == []
    counted = list(store.ox.query("SELECT (COUNT(DISTINCT ?c) AS ?n) { ?c a sse:Country }", prefixes=_prefixes(store.base)))
    assert int(counted[0]["n"].value) == 249
