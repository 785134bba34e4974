"""The JSON-LD ``@context`` of the vocabulary, and compacted JSON-LD with it (issue 14).

Oxigraph writes JSON-LD expanded: every key a full IRI, every value an object. A consumer who reads JSON wants
``{"hostCountry": "ssed-country:MA", "label": {"en": "…"}}``. The context is made from the ontology itself
(``ontology/ssekg.ttl``), so it names every class and property and cannot drift from it: object properties are
``"@type": "@id"``, datatype properties carry their XSD type, labels are language maps. It is versioned with the
ontology (``owl:versionInfo``) and published by the server at ``/context/{version}.jsonld`` (``/context.jsonld``
redirects to the current one). ``compact`` writes a graph with it (rdflib's JSON-LD serialiser).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .namespaces import SSE, prefixes_for

#: Properties of other vocabularies that our data uses, as short terms.
OTHER_TERMS: dict[str, dict[str, Any]] = {
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "startDate": {"@id": "schema:startDate"},
    "endDate": {"@id": "schema:endDate"},
    "url": {"@id": "schema:url", "@type": "xsd:anyURI"},
    "datePublished": {"@id": "schema:datePublished"},
    "publisher": {"@id": "schema:publisher", "@type": "@id"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "sameAs": {"@id": "owl:sameAs", "@type": "@id"},
    "language": {"@id": "dcterms:language"},
    "license": {"@id": "dcterms:license", "@type": "@id"},
    "rights": {"@id": "dcterms:rights", "@container": "@language"},
    "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
    "type": "@type",
    "id": "@id",
}


@lru_cache(maxsize=1)
def ontology_version() -> str:
    from .ontology import ontology_graph

    g = ontology_graph()
    return str(g.value(URIRef(str(SSE).rstrip("#")), OWL.versionInfo) or "0")


@lru_cache(maxsize=8)
def context(base: str) -> dict[str, Any]:
    """The ``@context`` object for data under ``base``: prefixes, then a term per class and property of ours."""
    from .ontology import ontology_graph

    g: Graph = ontology_graph()
    ctx: dict[str, Any] = {"@version": 1.1}
    ctx.update(prefixes_for(base))
    for cls in sorted(g.subjects(RDF.type, OWL.Class)):
        if str(cls).startswith(str(SSE)):
            ctx[str(cls)[len(str(SSE)):]] = {"@id": f"sse:{str(cls)[len(str(SSE)):]}"}
    for prop in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        if str(prop).startswith(str(SSE)):
            ctx[str(prop)[len(str(SSE)):]] = {"@id": f"sse:{str(prop)[len(str(SSE)):]}", "@type": "@id"}
    for prop in sorted(g.subjects(RDF.type, OWL.DatatypeProperty)):
        if str(prop).startswith(str(SSE)):
            term: dict[str, Any] = {"@id": f"sse:{str(prop)[len(str(SSE)):]}"}
            rng = g.value(prop, RDFS.range)
            if rng is not None and str(rng).startswith(str(XSD)):
                term["@type"] = f"xsd:{str(rng)[len(str(XSD)):]}"
            ctx[str(prop)[len(str(SSE)):]] = term
    ctx.update(OTHER_TERMS)
    return ctx


def compact(graph: Graph, base: str) -> str:
    """The graph as compacted JSON-LD with our context (the context inlined, and named by its address)."""
    return graph.serialize(format="json-ld", context=context(base), auto_compact=True)
