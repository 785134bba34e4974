"""Result formats, their media types and the ``format`` parameter; content negotiation."""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import Any, Mapping

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

QR = ox.QueryResultsFormat
RF = ox.RdfFormat

# kind -> ordered list of (media type sent, format, other media types accepted for it); the first is the default.
OFFERS: dict[str, list[tuple[str, Any, tuple[str, ...]]]] = {
    "solutions": [
        ("application/sparql-results+json", QR.JSON, ("application/json",)),
        ("application/sparql-results+xml", QR.XML, ("application/xml", "text/xml")),
        ("text/csv", QR.CSV, ()),
        ("text/tab-separated-values", QR.TSV, ()),
    ],
    "boolean": [
        ("application/sparql-results+json", QR.JSON, ("application/json",)),
        ("application/sparql-results+xml", QR.XML, ("application/xml", "text/xml")),
    ],
    "graph": [
        ("text/turtle", RF.TURTLE, ("application/x-turtle",)),
        ("application/n-triples", RF.N_TRIPLES, ("text/plain",)),
        ("application/ld+json", RF.JSON_LD, ("application/json", "application/x-json+ld")),
        ("application/rdf+xml", RF.RDF_XML, ("application/xml", "text/xml")),
        ("application/trig", RF.TRIG, ()),
        ("application/n-quads", RF.N_QUADS, ()),
    ],
}

#: values of the ``format`` (or ``output``) parameter -> media type, per kind
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "solutions": {
        "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
        "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
        "csv": "text/csv", "tsv": "text/tab-separated-values",
    },
    "graph": {
        "turtle": "text/turtle", "ttl": "text/turtle", "n3": "text/turtle",
        "nt": "application/n-triples", "ntriples": "application/n-triples", "n-triples": "application/n-triples",
        "jsonld": "application/ld+json", "json-ld": "application/ld+json", "json": "application/ld+json",
        "rdfxml": "application/rdf+xml", "rdf+xml": "application/rdf+xml", "xml": "application/rdf+xml",
        "rdf": "application/rdf+xml",
        "trig": "application/trig", "nq": "application/n-quads", "nquads": "application/n-quads",
    },
}
FORMAT_NAMES["boolean"] = {k: v for k, v in FORMAT_NAMES["solutions"].items() if k not in {"csv", "tsv"}}

#: W3C format IRIs, for the service description
FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
    "application/trig": "http://www.w3.org/ns/formats/TriG",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
}


def offered(kind: str) -> list[str]:
    return [mime for mime, _, _ in OFFERS[kind]]


def choose(kind: str, accept: MIMEAccept, accept_present: bool, format_param: str | None) -> tuple[str, Any] | None:
    """(media type to send, format) for this kind of result, or None if nothing acceptable is offered."""
    table = OFFERS[kind]
    if format_param:
        wanted = format_param.strip().lower()
        wanted = FORMAT_NAMES[kind].get(wanted, wanted)
        for mime, fmt, aliases in table:
            if wanted == mime or wanted in aliases:
                return mime, fmt
        return None
    if not accept_present or not accept:
        return table[0][0], table[0][1]
    accept = MIMEAccept([(value.split(";")[0].strip(), q) for value, q in accept])
    candidates = []
    for mime, fmt, aliases in table:
        candidates.append(mime)
        candidates.extend(aliases)
    best = accept.best_match(candidates)
    if best is None:
        return None
    for mime, fmt, aliases in table:
        if best == mime or best in aliases:
            return mime, fmt
    return None


@functools.lru_cache(maxsize=512)
def negotiated(accept_header: str, format_param: str | None) -> Mapping[str, tuple[str, Any] | None]:
    """``choose`` for every kind of result at once, for one ``Accept`` header and ``format`` parameter.

    A client sends the same header with each of its requests, and a query's kind of result is known only once it
    has run, so the three choices are made once per header (a bounded cache) instead of three times a request."""
    accept = parse_accept_header(accept_header, MIMEAccept)
    return MappingProxyType({kind: choose(kind, accept, bool(accept_header), format_param) for kind in OFFERS})


def content_type(mime: str) -> str:
    if mime.startswith("text/") or mime in {"application/n-triples", "application/n-quads", "application/trig"}:
        return f"{mime}; charset=utf-8"
    return mime
