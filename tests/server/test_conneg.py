"""Every RDF format the server offers works on every route that offers it, read back by rdflib's parsers (issue 14).

A route either answers a format with a body rdflib parses into triples, or answers 406 with the list of what it
offers, and that list never names the format it refused. RDF/XML on /id/… and /ontology once answered 500.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from ssekg.server import formats

RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
          "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads"}
ROUTES = ["/id/event/b58c0e223362c3bb-1", "/id/country/SN", "/ontology", "/.well-known/void", "/sparql",
          "/sparql?query=CONSTRUCT%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%205",
          "/store?default"]
ACCEPTS = [alias for mime, _, aliases in formats.OFFERS["graph"] for alias in (mime, *aliases)]


def parse(body: str, mime: str) -> int:
    fmt = RDFLIB[mime]
    g = Dataset() if fmt in ("trig", "nquads") else Graph()
    g.parse(data=body, format=fmt)
    return len(g)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_each_route_answers_each_rdf_format_or_does_not_offer_it(client, route, accept):
    r = client.get(route, headers={"Accept": accept})
    if r.status_code == 406:
        offered = r.get_data(as_text=True)
        assert accept not in offered.split("offered:", 1)[-1].replace(",", " ").split()
        return
    assert r.status_code == 200, (route, accept, r.status_code)
    mime = r.headers["Content-Type"].split(";")[0]
    assert mime in RDFLIB, (route, accept, mime)
    assert parse(r.get_data(as_text=True), mime) > 0, (route, accept)


@pytest.mark.parametrize("suffix,mime", [(".ttl", "text/turtle"), (".nt", "application/n-triples"),
                                         (".jsonld", "application/ld+json"), (".rdf", "application/rdf+xml"),
                                         (".trig", "application/trig"), (".nq", "application/n-quads")])
def test_resource_suffixes_give_each_format(client, suffix, mime):
    r = client.get("/id/event/b58c0e223362c3bb-1" + suffix)
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == mime
    assert parse(r.get_data(as_text=True), mime) > 10


def test_turtle_writes_instance_iris_without_escaped_slashes(client):
    """Each kind of instance IRI has a prefix of its own (ssed-event:…), so no local name needs a ``\\/``."""
    for route in ("/id/event/b58c0e223362c3bb-1", "/store?default"):
        body = client.get(route, headers={"Accept": "text/turtle"}).get_data(as_text=True)
        assert "\\/" not in body and "ssed-event:" in body, route


def test_a_published_versioned_context_and_compacted_json_ld(client):
    """Issue 14: /context.jsonld (versioned) names every term; the compacted profile uses it, and rdflib reads
    the compacted answer as the same triples as the expanded one."""
    import json

    from ssekg.jsonld import ontology_version

    r = client.get("/context.jsonld")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/context/{ontology_version()}.jsonld")
    ctx = client.get(r.headers["Location"]).get_json()["@context"]
    assert ctx["hostCountry"] == {"@id": "sse:hostCountry", "@type": "@id"} and ctx["label"]["@container"] == "@language"
    assert client.get("/context/0.0.0-none.jsonld").status_code == 404
    path = "/id/event/b58c0e223362c3bb-1"
    compacted = client.get(path, headers={"Accept": 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'})
    assert compacted.status_code == 200 and "compacted" in compacted.headers["Content-Type"]
    doc = json.loads(compacted.get_data(as_text=True))
    body = json.dumps({k: v for k, v in doc.items() if k != "@context"}, ensure_ascii=False)
    assert '"hostCountry"' in body and "https://w3id.org/ssekg/ontology#" not in body  # short terms, not IRIs
    expanded = client.get(path, headers={"Accept": "application/ld+json"}).get_data(as_text=True)
    assert len(Graph().parse(data=compacted.get_data(as_text=True), format="json-ld")) == \
        len(Graph().parse(data=expanded, format="json-ld"))
