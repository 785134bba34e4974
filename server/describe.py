"""The SPARQL service description (GET /sparql) and the VoID + DCAT description (/.well-known/void)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ssekg.namespaces import SSE, bind_prefixes

from . import formats

bp = Blueprint("describe", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

RDFLIB_FORMATS = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
]


def state():
    return current_app.extensions["ssekg"]


def root() -> str:
    from .protocol import public_root

    return public_root()


def rdf_response(graph: Graph, default: str = "text/turtle") -> Response:
    fmt_param = (request.args.get("format") or "").lower()
    names = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
             "json-ld": "application/ld+json", "json": "application/ld+json", "rdfxml": "application/rdf+xml",
             "xml": "application/rdf+xml", "nt": "application/n-triples", "ntriples": "application/n-triples"}
    offered = [m for m, _ in RDFLIB_FORMATS]
    if fmt_param:
        mime = names.get(fmt_param, fmt_param)
        if mime not in offered:
            return Response("offered: " + ", ".join(offered) + "\n", status=406, mimetype="text/plain")
    elif request.headers.get("Accept"):
        mime = request.accept_mimetypes.best_match(offered + ["application/json", "application/xml", "text/plain"])
        mime = {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
                "text/plain": "application/n-triples"}.get(mime or "", mime)
        if mime is None:
            return Response("offered: " + ", ".join(offered) + "\n", status=406, mimetype="text/plain")
    else:
        mime = default
    body = graph.serialize(format=dict(RDFLIB_FORMATS)[mime], encoding="utf-8")
    response = Response(body, content_type=formats.content_type(mime))
    response.headers["Vary"] = "Accept"
    return response


def service_graph() -> tuple[Graph, URIRef]:
    st = state()
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS_NS)
    endpoint = URIRef(root() + "sparql")
    service = URIRef(root() + "sparql#service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if st.settings.update_token:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    if not st.is_remote:  # a remote store's default graph is its own business (see docs/remote-stores.md)
        g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.feature, SD.BasicFederatedQuery))
    for mime in dict.fromkeys(formats.offered("solutions") + formats.offered("graph")):
        g.add((service, SD.resultFormat, URIRef(formats.FORMAT_IRIS[mime])))
    g.add((service, RDFS.label, Literal("ssekg SPARQL endpoint: the social and solidarity economy knowledge graph", lang="en")))
    default_graph = ("the union of all named graphs" if not st.is_remote else
                     "the remote SPARQL store's default dataset (on Virtuoso: the union of every graph, its own "
                     "system graphs included; a triple comes back once per graph that holds it)")
    g.add((service, RDFS.comment, Literal(
        f"Default graph: {default_graph}. Query timeout {st.settings.query_timeout:g} s, "
        f"at most {st.settings.max_rows} result rows. SERVICE and LOAD may reach: "
        f"{', '.join(st.settings.outbound_allow) or 'no host'}.", lang="en")))
    dataset = BNode("defaultDataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, RDFS.seeAlso, URIRef(root() + ".well-known/void")))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    try:
        g.add((default, VOID.triples, Literal(st.triple_count())))
        names = [n for n in st.backend.named_graphs() if isinstance(n, ox.NamedNode)]
    except Exception:
        names = []
    for name in names[:1000]:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name.value)))
    return g, service


def service_description() -> Response:
    graph, _ = service_graph()
    return rdf_response(graph)


# --------------------------------------------------------------------------------------------------------------
def void_graph() -> Graph:
    st = state()
    g = Graph()
    bind_prefixes(g, st.base)
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    ds = URIRef(root() + ".well-known/void#dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("ssekg: an open knowledge graph of the social and solidarity economy", lang="en")))
    g.add((ds, DCTERMS.title, Literal("graphe de connaissances ouvert de l'économie sociale et solidaire", lang="fr")))
    g.add((ds, DCTERMS.title, Literal("رسم معرفي مفتوح للاقتصاد الاجتماعي والتضامني", lang="ar")))
    g.add((ds, DCTERMS.license, URIRef(st.settings.data_license)))
    g.add((ds, VOID.uriSpace, Literal(st.base)))
    g.add((ds, VOID.vocabulary, URIRef(str(SSE))))
    endpoint = URIRef(root() + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    dump = URIRef(root() + "dump.nq.gz")
    g.add((ds, VOID.dataDump, dump))
    service = URIRef(root() + "sparql#service")
    api = URIRef(root() + ".well-known/void#sparql")
    g.add((api, RDF.type, DCAT.DataService))
    g.add((api, DCAT.endpointURL, endpoint))
    g.add((api, DCAT.endpointDescription, service))
    g.add((api, DCAT.servesDataset, ds))
    g.add((ds, DCAT.distribution, URIRef(str(dump) + "#distribution")))
    dist = URIRef(str(dump) + "#distribution")
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.downloadURL, dump))
    g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/application/n-quads")))
    g.add((dist, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
    g.add((dist, DCTERMS.license, URIRef(st.settings.data_license)))

    s = st.cached("void", st.backend.void_stats)
    g.add((ds, VOID.triples, Literal(s["triples"])))
    g.add((ds, VOID.entities, Literal(s["entities"])))
    g.add((ds, VOID.classes, Literal(len(s["classes"]))))
    g.add((ds, VOID.properties, Literal(len(s["properties"]))))
    for cls, n in s["classes"]:
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls.value)))
        g.add((part, VOID.entities, Literal(n)))
    for prop, n in s["properties"]:
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop.value)))
        g.add((part, VOID.triples, Literal(n)))
    for name, n in s["graphs"]:
        if not isinstance(name, ox.NamedNode):
            continue
        sub = URIRef(name.value)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n)))
    for ex in s["examples"]:
        g.add((ds, VOID.exampleResource, URIRef(ex.value)))
    _rights_and_sources(g, ds, st)
    for name, (target, predicate, n) in st.cached("linksets", lambda: _linksets(st.backend)).items():
        linkset = URIRef(root() + f".well-known/void#links-{name}")
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, URIRef(target)))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.triples, Literal(n)))
    return g


#: The datasets our links point into: name -> (namespace of the targets, the dataset's IRI).
LINK_TARGETS = {
    "geonames": ("https://sws.geonames.org/", "https://www.geonames.org/"),
    "wikidata": ("http://www.wikidata.org/entity/", "https://www.wikidata.org/"),
    "sdg": ("http://metadata.un.org/sdg/", "http://metadata.un.org/sdg/"),
    "essglobal": ("http://purl.org/essglobal/standard/", "http://purl.org/essglobal/"),
}
_LINK_PREDICATES = ("http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#closeMatch",
                    "http://www.w3.org/2004/02/skos/core#broadMatch", "http://www.w3.org/2004/02/skos/core#relatedMatch")


def _linksets(backend: Any) -> dict[str, tuple[str, str, int]]:
    """VoID linksets: how many links of each predicate go to each dataset we link to."""
    counts: dict[tuple[str, str], int] = {}
    values = " ".join(f"<{p}>" for p in _LINK_PREDICATES)
    for row in backend.select(f"SELECT ?p ?o (COUNT(*) AS ?n) {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER isIRI(?o) }} "
                              "GROUP BY ?p ?o"):
        target = row["o"].value
        for name, (namespace, _) in LINK_TARGETS.items():
            if target.startswith(namespace):
                key = (name, row["p"].value)
                counts[key] = counts.get(key, 0) + int(row["n"].value)
    return {f"{name}-{predicate.rsplit('#', 1)[1]}": (LINK_TARGETS[name][1], predicate, n)
            for (name, predicate), n in sorted(counts.items())}


def _rights_and_sources(g: Graph, ds: URIRef, st: Any) -> None:
    """Who publishes, what the licence covers, what the data comes from, when it last changed."""
    g.add((ds, DCTERMS.rights, Literal(
        "The licence covers what this dataset states (events, people, places, organisations, programmes, "
        "categories and the statements as facts). The reports belong to their publishers: each report's "
        "licence is stated on it (dcterms:license, or dcterms:rights where none is known); their texts are quoted "
        "a sentence at a time, and republished whole only where the licence allows.", lang="en")))
    if st.settings.publisher:
        g.add((ds, DCTERMS.publisher, Literal(st.settings.publisher)))
    for source in ("https://www.iso.org/iso-3166-country-codes.html", "https://www.geonames.org/",
                   "http://metadata.un.org/sdg/", "http://purl.org/essglobal/standard/"):
        g.add((ds, DCTERMS.source, URIRef(source)))
    modified = _store_modified(st)
    if modified:
        g.add((ds, DCTERMS.modified, Literal(modified, datatype=URIRef("http://www.w3.org/2001/XMLSchema#dateTime"))))


def _store_modified(st: Any) -> str | None:
    """When the embedded store last changed: the newest modification time of its files (None for a remote store)."""
    if st.is_remote:
        return None
    import datetime
    import os

    try:
        newest = max(e.stat().st_mtime for e in os.scandir(st.settings.store_dir) if e.is_file())
    except (OSError, ValueError):
        return None
    return datetime.datetime.fromtimestamp(newest, datetime.timezone.utc).replace(microsecond=0).isoformat()


@bp.route("/.well-known/void")
def void() -> Response:
    return rdf_response(void_graph())


@bp.route("/void")
def void_alias() -> Any:
    return redirect("/.well-known/void", code=303)
