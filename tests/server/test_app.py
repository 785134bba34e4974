"""The app in-process (Flask test client): negotiation, pages, descriptions, operations, auth, XSS, limits."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, RDF

from ssekg.server.sparqltext import TextError, inject_using

EVENT = "https://w3id.org/ssekg/id/event/b58c0e223362c3bb-1"
CHALLENGE_PATH = "/id/challenge/b58c0e223362c3bb-1-1"
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def sparql(client, query, **headers):
    return client.get("/sparql", query_string={"query": query}, headers=headers)


# -- protocol details -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("accept,mime", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_negotiation(client, accept, mime):
    r = sparql(client, "SELECT ?s { ?s a <https://w3id.org/ssekg/ontology#Event> }", Accept=accept)
    assert r.status_code == 200 and r.mimetype == mime


@pytest.mark.parametrize("fmt,mime,rdflib_fmt", [
    ("turtle", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "json-ld"), ("rdfxml", "application/rdf+xml", "xml"),
    ("trig", "application/trig", "trig"), ("nquads", "application/n-quads", "nquads"),
])
def test_construct_formats(client, fmt, mime, rdflib_fmt):
    r = client.get("/sparql", query_string={"query": f"DESCRIBE <{EVENT}>", "format": fmt})
    assert r.status_code == 200 and r.mimetype == mime
    g = Graph().parse(data=r.data, format=rdflib_fmt)
    assert (URIRef(EVENT), None, None) in g


def test_406_lists_offers(client):
    r = sparql(client, "SELECT * {}", Accept="image/png")
    assert r.status_code == 406
    assert "text/csv" in r.text and "application/sparql-results+json" in r.text


def test_400_has_parser_message(client):
    r = sparql(client, "SELECT * { ?s ?p }")
    assert r.status_code == 400 and "error at 1:" in r.text


def test_union_default_graph_counts_once(client):
    """A triple held by two graphs is one triple of the default graph (set union, not bag)."""
    r = sparql(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", Accept="application/json")
    total = int(r.json["results"]["bindings"][0]["n"]["value"])
    r = sparql(client, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }",
               Accept="application/json")
    assert total == int(r.json["results"]["bindings"][0]["n"]["value"])


def test_query_endpoint_refuses_updates_without_token(app_factory):
    client = app_factory(example=True).test_client()  # no update_token: writes are off
    r = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 403
    r = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert r.status_code == 405
    r = client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update")
    assert r.status_code == 403
    r = sparql(client, "ASK { ?s ?p ?o }", Accept="application/json")
    assert r.json["boolean"] is True


def test_update_and_gsp_need_the_token(client, token):
    insert = "INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/b> 1 } }"
    assert client.post("/sparql", data=insert, content_type="application/sparql-update").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.post("/sparql", data=insert, content_type="application/sparql-update", headers=bad).status_code == 403
    assert client.put("/store?graph=http://ex/g", data="<http://ex/a> <http://ex/b> 1 .",
                      content_type="application/n-triples").status_code == 401
    assert client.delete("/store?graph=http://ex/g", headers=bad).status_code == 403
    assert client.post("/ingest?filename=x.yaml", data=b"x").status_code == 401
    ok = {"Authorization": f"Bearer {token}"}
    assert client.post("/sparql", data=insert, content_type="application/sparql-update", headers=ok).status_code == 204
    assert sparql(client, "ASK { <http://ex/a> <http://ex/b> 1 }", Accept="application/json").json["boolean"]
    r = client.put("/store?graph=http://ex/h", data="<http://ex/c> <http://ex/d> 2 .",
                   content_type="text/turtle", headers=ok)
    assert r.status_code == 201
    assert sparql(client, "ASK { <http://ex/c> <http://ex/d> 2 }", Accept="application/json").json["boolean"]
    assert client.delete("/store?graph=http://ex/h", headers=ok).status_code == 204
    assert not sparql(client, "ASK { <http://ex/c> <http://ex/d> 2 }", Accept="application/json").json["boolean"]
    assert client.get("/store?graph=http://ex/h").status_code == 404


def test_update_keeps_default_graph_the_union(client, token):
    ok = {"Authorization": f"Bearer {token}"}
    client.post("/sparql", data="INSERT DATA { GRAPH <http://ex/1> { <http://ex/s> <http://ex/p> 1 } }",
                content_type="application/sparql-update", headers=ok)
    client.post("/sparql", data="INSERT DATA { GRAPH <http://ex/2> { <http://ex/s> <http://ex/p> 1 } }",
                content_type="application/sparql-update", headers=ok)
    client.post("/sparql", data="DROP GRAPH <http://ex/1>", content_type="application/sparql-update", headers=ok)
    assert sparql(client, "ASK { <http://ex/s> <http://ex/p> 1 }", Accept="application/json").json["boolean"]
    client.post("/sparql", data="DROP GRAPH <http://ex/2>", content_type="application/sparql-update", headers=ok)
    assert not sparql(client, "ASK { <http://ex/s> <http://ex/p> 1 }", Accept="application/json").json["boolean"]


def test_request_size_limit(app_factory):
    client = app_factory(max_request_bytes=1000).test_client()
    r = client.post("/sparql", data="SELECT * {} #" + "x" * 2000, content_type="application/sparql-query")
    assert r.status_code == 413
    r = client.get("/sparql", query_string={"query": "SELECT * {} #" + "x" * 2000})
    assert r.status_code == 414


# -- SERVICE and USING ----------------------------------------------------------------------------------------
def test_service_refused_over_http(client):
    r = sparql(client, "SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }")
    assert r.status_code == 400 and "outbound_allow" in r.text


def test_inject_using():
    u = 'PREFIX x: <http://x/> DELETE { ?s ?p "WHERE {" } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ; INSERT DATA { <a> <b> <c> }'
    out = inject_using(u, ["http://g/1"], ["http://g/2"])
    assert 'USING <http://g/1> USING NAMED <http://g/2> WHERE { ?s ?p ?o }' in out
    assert out.count("USING <") == 1
    with pytest.raises(TextError):
        inject_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g/1"], [])
    assert inject_using("DELETE WHERE { ?s ?p ?o }", ["http://g/1"], []) == "DELETE WHERE { ?s ?p ?o }"


# -- descriptions and operations ------------------------------------------------------------------------------
def test_service_description(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    (service,) = g.subjects(RDF.type, SD.Service)
    assert g.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in set(g.objects(service, SD.resultFormat))


def test_void_and_dcat(client):
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.data, format="turtle")
    (ds,) = g.subjects(RDF.type, VOID.Dataset, unique=True) if False else [s for s in g.subjects(RDF.type, DCAT.Dataset)]
    assert int(g.value(ds, VOID.triples)) > 100
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert g.value(ds, VOID.dataDump) == URIRef("http://localhost/dump.nq.gz")
    assert g.value(ds, URIRef("http://purl.org/dc/terms/license")) is not None
    classes = {g.value(p, VOID["class"]) for p in g.objects(ds, VOID.classPartition)}
    assert URIRef("https://w3id.org/ssekg/ontology#Event") in classes
    assert URIRef(EVENT) in set(g.objects(ds, VOID.exampleResource))
    assert len(list(g.objects(ds, VOID.subset))) >= 2
    assert len(list(g.objects(ds, VOID.propertyPartition))) > 5


def test_dump(client):
    r = client.get("/dump.nq.gz")
    assert r.status_code == 200
    text = gzip.decompress(r.data).decode()
    assert EVENT in text and text.count("\n") > 100


def test_health_and_metrics(client):
    assert client.get("/health").json["status"] == "ok"
    sparql(client, "SELECT * {")
    text = client.get("/metrics").text
    assert re.search(r'ssekg_sparql_query_errors_total\{kind="syntax"\} 1', text)
    assert "ssekg_http_request_duration_seconds_bucket" in text
    assert re.search(r"ssekg_store_triples \d+", text)
    assert "ssekg_sparql_query_timeouts_total 0" in text


def test_cors_on_read_routes_only(client, token):
    r = sparql(client, "ASK {}")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.options("/sparql", headers={"Origin": "http://x", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and "POST" in r.headers["Access-Control-Allow-Methods"]
    r = client.get("/id/event/b58c0e223362c3bb-1")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update",
                    headers={"Authorization": f"Bearer {token}"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_access_log_is_json(client):
    import logging

    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    log = logging.getLogger("ssekg.access")
    handler = Keep()
    log.addHandler(handler)
    try:
        sparql(client, "ASK {}")
    finally:
        log.removeHandler(handler)
    record = json.loads(lines[-1])
    assert record["path"] == "/sparql" and record["status"] == 200 and "ms" in record


# -- Linked Data ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("how,mime,fmt", [
    ({"headers": {"Accept": "text/turtle"}}, "text/turtle", "turtle"),
    ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", "json-ld"),
    ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples", "nt"),
    ({"suffix": ".ttl"}, "text/turtle", "turtle"), ({"suffix": ".jsonld"}, "application/ld+json", "json-ld"),
    ({"suffix": ".nt"}, "application/n-triples", "nt"),
    ({"query_string": {"format": "jsonld"}}, "application/ld+json", "json-ld"),
])
def test_resource_negotiation(client, how, mime, fmt):
    path = "/id/event/b58c0e223362c3bb-1" + how.get("suffix", "")
    r = client.get(path, headers=how.get("headers", {}), query_string=how.get("query_string"))
    assert r.status_code == 200 and r.mimetype == mime
    g = Graph().parse(data=r.data, format=fmt)
    assert (URIRef(EVENT), RDF.type, URIRef("https://w3id.org/ssekg/ontology#Event")) in g
    # incoming links too
    assert (None, None, URIRef(EVENT)) in g


def test_resource_html_in_arabic_right_to_left(client):
    r = client.get("/id/event/b58c0e223362c3bb-1", headers={**HTML, "Accept-Language": "ar,fr;q=0.5"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="ar" dir="rtl">' in r.text
    assert re.search(r'<h1 id="title" lang="ar" dir="rtl">الورشة الإقليمية للشركاء</h1>', r.text)
    assert 'href="/id/country/MA"' in r.text  # properties link to our pages
    assert 'id="incoming"' in r.text


def test_resource_html_in_french_keeps_arabic_text_right_to_left(client):
    r = client.get("/id/event/b58c0e223362c3bb-1", headers={**HTML, "Accept-Language": "fr"})
    assert '<html lang="fr" dir="ltr">' in r.text and "Propriétés" in r.text
    # no French label: the English one is the title; the Arabic label is still shown right-to-left
    assert '<h1 id="title" lang="en" dir="auto">Regional workshop of partners</h1>' in r.text
    assert re.search(r'<span class="literal" lang="ar" dir="rtl">الورشة الإقليمية للشركاء</span>', r.text)


def test_challenge_page_shows_source_sentence(client):
    r = client.get(CHALLENGE_PATH, headers=HTML)
    assert 'id="source"' in r.text
    assert "<mark>محدودية التمويل وصعوبة الولوج إلى مصادر الدعم</mark>" in r.text


def test_challenge_page_without_report_text(app_factory):
    client = app_factory(example=True, with_text=False).test_client()
    r = client.get(CHALLENGE_PATH, headers={**HTML, "Accept-Language": "en"})
    assert r.status_code == 200 and "not in the store" in r.text and "<mark>" not in r.text


def test_unknown_resource_is_404(client):
    assert client.get("/id/event/nope", headers=HTML).status_code == 404
    assert client.get("/id/event/nope", headers={"Accept": "text/turtle"}).status_code == 404


def test_ontology_served(client):
    r = client.get("/ontology", headers=HTML)
    assert r.status_code == 200 and r.mimetype == "text/html"
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    Graph().parse(data=r.data, format="turtle")


def test_query_ui_for_browsers(client):
    for path in ("/", "/sparql"):
        r = client.get(path, headers=HTML)
        assert r.status_code == 200 and "yasgui-4.6.2/yasgui.min.js" in r.text
        assert "http://" not in re.sub(r"http://localhost", "", r.text.split("<script type=\"application/json\" id=\"named-queries\">")[0])
    assert client.get("/static/vendor/yasgui-4.6.2/yasgui.min.js").status_code == 200


# -- XSS: nothing from a query, an IRI or a literal is ever markup ----------------------------------------------
EVIL = "<script>alert(1)</script>"


def test_xss_literal_and_iri_are_escaped(client, token):
    ok = {"Authorization": f"Bearer {token}"}
    data = ('<https://w3id.org/ssekg/id/event/x> <http://www.w3.org/2000/01/rdf-schema#label> "%s"@en .\n'
            '<https://w3id.org/ssekg/id/event/x> <http://ex/p> <http://ex/%%3Cscript%%3E> .\n'
            '<https://w3id.org/ssekg/id/event/x> <http://ex/q> "x\\"><img src=x onerror=alert(1)>" .\n' % EVIL)
    assert client.put("/store?graph=http://ex/xss", data=data, content_type="application/n-triples",
                      headers=ok).status_code == 201
    r = client.get("/id/event/x", headers=HTML)
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_xss_in_query_text_of_named_queries_is_json_escaped():
    from flask import Flask, render_template_string

    app = Flask(__name__)
    with app.app_context():
        out = render_template_string('<script type="application/json">{{ q|tojson }}</script>',
                                     q=[{"query": "SELECT * { ?s ?p '</script><script>alert(1)</script>' }"}])
    assert "</script><script>" not in out.split(">", 1)[1].rsplit("</script>", 1)[0]


def test_xss_in_requested_path_and_query(client):
    r = client.get("/id/%3Cscript%3Ealert(1)%3C/script%3E", headers=HTML)
    assert r.mimetype == "text/plain" and r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get("/id/event/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers=HTML)
    assert r.status_code == 400 and r.mimetype == "text/plain"
    r = client.get("/sparql", query_string={"query": "SELECT * { <x> <y> '" + EVIL}, headers=HTML)
    assert "<script>alert" not in r.text and r.mimetype == "text/plain"


# -- issue 13: errors, admission, hosts ------------------------------------------------------------------------
def test_a_500_says_what_failed_and_an_error_id_never_the_exception(app_factory, monkeypatch):
    from ssekg.server.executor import QueryFailed

    app = app_factory(example=True)
    state = app.extensions["ssekg"]

    def failing(*args, **kwargs):
        raise QueryFailed("evaluation", "RuntimeError: the remote answered <secret>")

    monkeypatch.setattr(type(state.runner), "run", failing)
    r = app.test_client().get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert r.status_code == 500 and "error " in r.text
    assert "RuntimeError" not in r.text and "secret" not in r.text


def test_admission_per_client_and_for_all():
    from ssekg.server.admission import Admission, Busy, client_of

    adm = Admission(threads=8, per_client=2)
    assert adm.lane == 6 and adm.reserve == 2
    with adm.query("a"), adm.query("a"):
        with pytest.raises(Busy) as busy:
            with adm.query("a"):
                pass
        assert busy.value.status == 429
        with adm.query("b"), adm.query("b"), adm.query("c"), adm.query("c"):
            with pytest.raises(Busy) as full:
                with adm.query("d"):
                    pass
            assert full.value.status == 503
    with adm.query("a"):  # places are given back
        pass
    assert client_of("10.0.0.9", "1.2.3.4, 5.6.7.8", ["10.0.0.9"]) == "5.6.7.8"
    assert client_of("10.0.0.9", "1.2.3.4", []) == "10.0.0.9"  # an untrusted peer cannot choose its name


def test_absolute_urls_never_follow_a_foreign_host(app_factory):
    client = app_factory(example=True).test_client()
    r = client.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert "evil.example" not in r.get_data(as_text=True)
    r = client.get("/sparql", headers={"Host": "localhost:8000", "Accept": "text/turtle"})
    assert "http://localhost:8000/sparql" in r.get_data(as_text=True)


def test_void_states_linksets_rights_and_sources(tmp_path):
    """Issue 14: VoID says what links go where (linksets), what the licence covers, and what the data comes from."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCTERMS, RDF

    from ssekg.ingest.pipeline import ingest_paths
    from ssekg.server import create_app
    from ssekg.settings import load_settings
    from ssekg.store import Store
    from support import EXAMPLES

    VOID = Namespace("http://rdfs.org/ns/void#")
    store = Store.memory()
    ingest_paths(store, sorted(EXAMPLES.glob("*.yaml")))
    app = create_app(load_settings({"store": str(tmp_path / "x"), "publisher": "The example publisher"}, environ={}),
                     store)
    g = Graph().parse(data=app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(
        as_text=True), format="turtle")
    linksets = {str(s).rsplit("#", 1)[1]: int(g.value(s, VOID.triples)) for s in g.subjects(RDF.type, VOID.Linkset)}
    assert linksets["links-geonames-sameAs"] >= 249 + 800  # every country and gazetteer city
    assert linksets["links-essglobal-relatedMatch"] > 50 and linksets["links-sdg-closeMatch"] > 30
    ds = URIRef("http://localhost/.well-known/void#dataset")
    assert "belong to their publishers" in str(g.value(ds, DCTERMS.rights))
    assert str(g.value(ds, DCTERMS.publisher)) == "The example publisher"
    assert URIRef("https://www.geonames.org/") in set(g.objects(ds, DCTERMS.source))
