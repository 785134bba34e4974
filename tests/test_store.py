"""The store keeps SPARQL's set semantics over many report graphs, writes reports whole, and persists."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from ssekg.errors import StoreError
from ssekg.namespaces import inferred_graph_iri, report_iri
from ssekg.store import JOURNAL, Store

PERSON = URIRef("https://w3id.org/ssekg/id/person/amina")
EVENT = URIRef("https://w3id.org/ssekg/id/event/aaaa-1")
SPEAKER = URIRef("https://w3id.org/ssekg/ontology#speaker")


def count(store: Store, query: str) -> int:
    (row,) = store.query(query)
    return int(row[0].value)


def test_a_fact_two_reports_share_is_counted_once():
    store = Store.memory()
    shared = (PERSON, RDFS.label, Literal("Amina", lang="fr"))
    store.replace_report("aaaa", [shared, (EVENT, SPEAKER, PERSON)], [])
    store.replace_report("bbbb", [shared], [])
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 2
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 3
    graphs = {r["g"].value for r in store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p 'Amina'@fr } }")}
    assert graphs == {report_iri(store.base, "aaaa"), report_iri(store.base, "bbbb")}


def test_dropping_a_report_keeps_what_another_report_still_says():
    store = Store.memory()
    shared = (PERSON, RDFS.label, Literal("Amina", lang="fr"))
    store.replace_report("aaaa", [shared, (EVENT, SPEAKER, PERSON)], [(PERSON, RDFS.comment, Literal("x"))])
    store.replace_report("bbbb", [shared], [])
    assert store.drop_report("aaaa")
    assert not store.drop_report("aaaa")
    rows = {(r["s"].value, r["p"].value) for r in store.query("SELECT ?s ?p WHERE { ?s ?p ?o }")}
    assert rows == {(str(PERSON), str(RDFS.label))}
    assert not store.has_graph(inferred_graph_iri(store.base, "aaaa"))
    store.drop_report("bbbb")
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0


def test_replacing_a_report_replaces_its_graph_whole():
    store = Store.memory()
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("old"))], [])
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("new"))], [])
    assert [r["o"].value for r in store.query("SELECT ?o WHERE { ?s ?p ?o }")] == ["new"]
    assert [r["o"].value for r in store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")] == ["new"]


@pytest.mark.parametrize(
    "hostile",
    [
        '"} ; DROP ALL ; INSERT DATA { <a> <b> <c> } #',
        "\\u0022 } ; CLEAR ALL #",
        "<script>alert(1)</script>",
        "line\nbreak\r\ttab \x00 nul \u202e rtl",
        "'''\"\"\"",
    ],
)
def test_a_hostile_literal_is_stored_as_written_and_changes_nothing_else(hostile):
    store = Store.memory()
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("keep"))], [])
    store.replace_report("bbbb", [(PERSON, RDFS.comment, Literal(hostile, lang="en"))], [])
    values = sorted(r["o"].value for r in store.query("SELECT ?o WHERE { ?s ?p ?o }"))
    assert values == sorted(["keep", hostile])


def test_the_store_persists_and_a_second_writer_is_told_why_it_cannot_open(tmp_path):
    store = Store.open(tmp_path / "store")
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("Amina"))], [])
    with pytest.raises(StoreError, match="another process"):
        Store.open(tmp_path / "store")
    store.close()
    del store
    again = Store.open(tmp_path / "store")
    assert again.report_keys() == ["aaaa"]


def test_export_holds_the_named_graphs_but_not_the_union_copy(tmp_path):
    store = Store.memory()
    store.replace_report("aaaa", [(PERSON, RDFS.label, Literal("Amina"))], [])
    out = tmp_path / "dump.nq"
    store.export(str(out), "nquads")
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    assert [q.graph_name.value for q in quads] == [report_iri(store.base, "aaaa")]
    trig = tmp_path / "dump.trig"
    store.export(str(trig), "trig")
    assert len(list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))) == 1


def test_ntriples_writes_what_oxigraphs_serialiser_writes():
    """store.ntriples assembles lines from remembered terms; the text must be Oxigraph's own, byte for byte,
    for every bundled card's triples and for literals that need escaping (the cache keys tell "a"@EN from "a"@en)."""
    from rdflib import BNode
    from rdflib.namespace import XSD

    from support import EXAMPLES
    from ssekg.ingest.cards import load_card
    from ssekg.ingest.mapping import card_to_triples
    from ssekg.store import ntriples, to_ox

    def oxigraph(triples: list) -> str:
        quads = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)
        return ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

    odd = [(PERSON, RDFS.label, Literal(text, lang=lang)) for text, lang in
           [('say "hi"\n\tthen \\ go', "fr"), ("\u0001\u007f\u200f", "ar"), ("a", "EN"), ("a", "en"), ("", "en")]]
    odd += [(PERSON, RDFS.comment, Literal("12", datatype=dt)) for dt in (XSD.integer, XSD.string, None)]
    odd += [(BNode("b1"), RDFS.seeAlso, URIRef("https://example.org/é?q=1#x"))]
    cases = [odd] + [card_to_triples(load_card(path)) for path in sorted(EXAMPLES.glob("*.yaml"))]
    for triples in cases:
        assert ntriples(triples) == oxigraph(triples)
        assert ntriples(triples) == oxigraph(triples)  # again, from the remembered terms


def test_a_new_store_gets_the_reference_data_in_bulk_as_the_update_would_write_it(tmp_path):
    from ssekg.ingest.reference import ensure_reference, load_reference, stored_version
    from ssekg.namespaces import graph_iri

    reference = load_reference()
    bulk = Store.open(tmp_path / "bulk")
    assert ensure_reference(bulk, reference)
    assert not (tmp_path / "bulk" / JOURNAL).exists()  # the load finished: nothing to undo at the next open
    updated = Store.memory()  # no directory: the SPARQL update path
    assert ensure_reference(updated, reference)
    assert stored_version(bulk) == stored_version(updated) == reference.version
    assert set(bulk.ox) == set(updated.ox)  # every named graph, the default graph's union copy, the empty cube
    assert not ensure_reference(bulk, reference)  # written once per version
    assert len(set(bulk.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(bulk.base, "cities"))))) > 10000
