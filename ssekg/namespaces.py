"""The IRIs of the core vocabulary (see ../shared/design/data-model.md), declared once.

Researchers' queries rely on these IRIs: do not rename them without a note on the issue that changes them.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

SSE = Namespace("https://w3id.org/ssekg/ontology#")
#: The default base of instance IRIs; configurable with the ``base`` setting.
DEFAULT_BASE = "https://w3id.org/ssekg/id/"
SSED = Namespace(DEFAULT_BASE)
SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")
ESSTHEMES = Namespace("http://purl.org/essglobal/standard/themes/")
WD = Namespace("http://www.wikidata.org/entity/")
SDG = Namespace("http://metadata.un.org/sdg/")
GEONAMES = Namespace("https://sws.geonames.org/")

#: Prefixes offered to every SPARQL query and used by every serialisation we write.
PREFIXES: dict[str, str] = {
    "sse": str(SSE),
    "ssed": DEFAULT_BASE,
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "essglobal": str(ESSGLOBAL),
    "wd": str(WD),
    "sdg": str(SDG),
    "qb": "http://purl.org/linked-data/cube#",
}


#: The kinds of instance IRIs (``{base}{kind}/…``), each with a prefix ``ssed-{kind}`` of its own: Turtle cannot
#: write a ``/`` in a local name without escaping it (``ssed:event\/b58c…``), and serialisers pick the longest
#: prefix, so ``ssed-event:b58c…`` is what a reader sees.
INSTANCE_KINDS = ("event", "report", "person", "org", "country", "city", "programme", "challenge", "proposal",
                  "graph", "cube", "concept/challenge", "concept/proposal", "concept/event-type")


def prefixes_for(base: str) -> dict[str, str]:
    """The prefix map for a store whose instance IRIs live under ``base``."""
    kinds = {"ssed-" + kind.replace("/", "-"): f"{base}{kind}/" for kind in INSTANCE_KINDS}
    return {**PREFIXES, "ssed": base, **kinds}


def sparql_prologue(base: str = DEFAULT_BASE) -> str:
    """PREFIX lines for queries we write ourselves (named queries, tests)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes_for(base).items())


def bind_prefixes(graph, base: str = DEFAULT_BASE) -> None:
    """Bind our prefixes on an rdflib graph or dataset so its serialisations read well."""
    for prefix, iri in prefixes_for(base).items():
        graph.bind(prefix, iri, override=True, replace=True)


# Named graphs that are not a report's own graph. A report's graph IRI is the report's IRI.
def graph_iri(base: str, name: str) -> str:
    """IRI of one of our named graphs: ontology, schemes, countries, reference-inferred, inferred/{key}."""
    return f"{base}graph/{name}"


def report_iri(base: str, key: str) -> str:
    return f"{base}report/{key}"


def inferred_graph_iri(base: str, key: str) -> str:
    """The graph that holds what OWL RL inferred from one report, replaced with it as one unit."""
    return graph_iri(base, f"inferred/{key}")


REFERENCE_GRAPHS = ("ontology", "schemes", "countries", "cities", "reference-inferred")
