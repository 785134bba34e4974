"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, against a live `ssekg serve`.

The manifests describe HTTP exchanges (ht:Request / ht:Response). Each test starts from an empty store (DROP ALL
through our own endpoint), loads its ut:graphData through our Graph Store Protocol, then sends its requests in
order. Paths: /sparql/ -> /sparql, /gsp -> /store. Every request carries our update token (updates and graph
store writes are refused without it; that refusal is tested in test_updates.py).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "test-token-0123456789"

STATUS = {
    "StatusCode2xx": range(200, 300), "StatusCode3xx": range(300, 400), "StatusCode4xx": range(400, 500),
    "OK": [200], "Created": [201], "NoContent": [204], "NotFound": [404],
}
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}

#: tests we expect to fail, with the reason
XFAIL: dict[str, str] = {}

SHARED = Path(__file__).resolve().parents[3] / "shared" / "w3c" / "rdf-tests" / "sparql" / "sparql11"


def load_tests(folder: str, manifests: list[str]) -> list:
    if not (SHARED / folder).is_dir():
        return [pytest.param(None, None, id="suite-absent", marks=pytest.mark.skip(
            reason=f"the W3C suites live in ../shared/w3c beside the checkout ({SHARED / folder} is absent)"))]
    params = []
    for manifest in manifests:
        path = SHARED / folder / manifest
        g = Graph()
        g.parse(path, format="turtle", publicID=path.as_uri())
        (m,) = g.subjects(RDF.type, MF.Manifest)
        for test in Collection(g, g.value(m, MF.entries)):
            name = str(test).rsplit("#", 1)[-1]
            marks = [pytest.mark.xfail(reason=XFAIL[name], strict=True)] if name in XFAIL else []
            params.append(pytest.param(g, test, id=name, marks=marks))
    return params


def headers_of(g: Graph, node) -> dict[str, str]:
    out = {}
    lst = g.value(node, HT.headers)
    if lst is not None:
        for h in Collection(g, lst):
            out[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
    return out


def body_of(g: Graph, node) -> tuple[str | None, str]:
    body = g.value(node, HT.body)
    if body is None:
        return None, "UTF-8"
    return str(g.value(body, CNT.chars)), str(g.value(body, CNT.characterEncoding) or "UTF-8")


def send(server, method: str, path: str, headers: dict[str, str], body: bytes | None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.putheader("Authorization", f"Bearer {TOKEN}")
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def map_path(path: str) -> str:
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/"):] if path[len("/sparql/"):].startswith("?") else "/sparql" + path[7:]
    if path.startswith("/gsp"):
        return "/store" + path[len("/gsp"):]
    return path


def reset(server, g: Graph, test) -> None:
    r, data = send(server, "POST", "/sparql", {"content-type": "application/sparql-update"}, b"DROP ALL")
    assert r.status == 204, data
    for gd in g.objects(test, UT.graphData):
        source = Path(urllib.parse.urlparse(str(g.value(gd, UT.graph))).path)
        label = str(g.value(gd, RDFS.label))
        path = "/store?graph=" + urllib.parse.quote(label, safe="")
        r, data = send(server, "PUT", path, {"content-type": "application/n-triples"}, source.read_bytes())
        assert r.status in (201, 204), data


def check_response(g: Graph, resp_node, response, data: bytes, where: str) -> None:
    statuses = [str(s).rsplit("#", 1)[-1] for s in g.objects(resp_node, MF.expectedStatus)]
    if statuses:
        assert any(response.status in STATUS[s] for s in statuses), (
            f"{where}: status {response.status}, expected {statuses}: {data[:300]!r}")
    mime = (response.getheader("Content-Type") or "").split(";")[0].strip()
    fmt = g.value(resp_node, MF.expectedFormat)
    expected_bool = g.value(resp_node, MF.expectedBoolean)
    if fmt is not None:
        fmt = str(fmt)
        if fmt == "boolean":
            assert mime in {"application/sparql-results+json", "application/sparql-results+xml"}, mime
        elif fmt == "tabular":
            assert mime in RESULT_TYPES, mime
        elif fmt == "RDF":
            assert mime in RDF_TYPES, mime
            Graph().parse(data=data, format=RDF_TYPES[mime])
    if expected_bool is not None:
        if mime == "application/sparql-results+json":
            value = json.loads(data)["boolean"]
        else:
            root = ET.fromstring(data)
            value = root.find("{http://www.w3.org/2005/sparql-results#}boolean").text.strip() == "true"
        assert value == expected_bool.toPython(), f"{where}: boolean {value}"
    expected_headers = headers_of(g, resp_node)
    if "content-type" in expected_headers:
        assert mime == expected_headers["content-type"].split(";")[0].strip()
    chars, _ = body_of(g, resp_node)
    if chars is not None and response.status == 200 and mime in RDF_TYPES:
        expected = Graph().parse(data=chars, format="turtle", publicID="http://www.example/")
        got = Graph().parse(data=data, format=RDF_TYPES[mime])
        assert isomorphic(expected, got), f"{where}: graphs differ:\n{data.decode()}"


def run_test(server, g: Graph, test) -> None:
    reset(server, g, test)
    action = g.value(test, MF.action)
    variables: dict[str, str] = {}
    for i, req in enumerate(Collection(g, g.value(action, HT.requests))):
        method = str(g.value(req, HT.methodName))
        path = map_path(str(g.value(req, HT.absolutePath)))
        headers = headers_of(g, req)
        chars, encoding = body_of(g, req)
        for name, value in variables.items():
            path = path.replace(name, value)
            chars = chars.replace(name, value) if chars is not None else None
        body = None
        if chars is not None:
            if headers.get("content-type", "").startswith("multipart/form-data"):
                chars = chars.strip("\n").replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
            body = chars.encode("utf-16" if encoding.upper() == "UTF-16" else "utf-8")
        response, data = send(server, method, path, headers, body)
        resp_node = g.value(req, HT.resp)
        check_response(g, resp_node, response, data, f"request {i + 1} ({method} {path})")
        location = g.value(resp_node, MF.expectedLocation)
        if location is not None:
            variables[str(location)] = response.getheader("Location")


@pytest.mark.slow
@pytest.mark.parametrize("g,test", load_tests("protocol", ["manifest.ttl"]))
def test_protocol(w3c_server, g, test):
    run_test(w3c_server, g, test)


@pytest.mark.slow
@pytest.mark.parametrize("g,test", load_tests("graph-store-protocol", ["manifest-direct.ttl", "manifest-indirect.ttl"]))
def test_graph_store_protocol(w3c_server, g, test):
    run_test(w3c_server, g, test)


# -- service description: the three tests are described in prose; this is what they check ------------------
def service_description(server, accept: str) -> tuple[str, Graph]:
    response, data = send(server, "GET", "/sparql", {"accept": accept}, None)
    assert response.status == 200
    mime = response.getheader("Content-Type").split(";")[0]
    return mime, Graph().parse(data=data, format=RDF_TYPES[mime])


@pytest.mark.slow
@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "*/*"])
def test_sd_returns_rdf(w3c_server, suite, accept):
    suite("service-description")
    mime, graph = service_description(w3c_server, accept)
    assert mime in RDF_TYPES and len(graph) > 0


@pytest.mark.slow
def test_sd_has_endpoint_triple(w3c_server, suite):
    suite("service-description")
    _, graph = service_description(w3c_server, "text/turtle")
    assert (None, SD.endpoint, URIRef(w3c_server.url + "/sparql")) in graph


@pytest.mark.slow
def test_sd_conforms_to_schema(w3c_server, suite):
    """sd:Service with sd:endpoint, languages, result formats, a default dataset with a default graph."""
    suite("service-description")
    _, graph = service_description(w3c_server, "text/turtle")
    (service,) = graph.subjects(RDF.type, SD.Service)
    assert set(graph.objects(service, SD.supportedLanguage)) >= {SD.SPARQL11Query, SD.SPARQL11Update}
    assert len(set(graph.objects(service, SD.resultFormat))) >= 4
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert graph.value(dataset, SD.defaultGraph) is not None
    for feature in graph.objects(service, SD.feature):
        assert str(feature).startswith(str(SD))
