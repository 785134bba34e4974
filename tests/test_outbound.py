"""Nothing leaves the machine unless allowed: the SPARQL text check (ssekg.outbound), with the engine as judge.

The cases of issue 13 (texts that once slipped past the check and made Oxigraph call another port), the texts
that must still run, and a property-based fuzzer: every text the check lets through is run by Oxigraph against a
listener on a loopback port, which must record no connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssekg.outbound import MAX_NESTING, Refused, check_text
from ssekg.query import named_queries
from ssekg.sparqllex import LexError, tokens


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts and closes them at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stopped = True
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def engine_runs(text: str, update: bool = False) -> None:
    """Run ``text`` as Oxigraph would for the server (on an empty in-memory store); errors are fine here."""
    store = ox.Store()  # one triple, so that patterns before a SERVICE can match and it is evaluated
    store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://p"), ox.Literal(True)))
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass


def bypasses(port: int) -> list[tuple[str, bool]]:
    """Texts of the attack on the check (issue 13, point 1): (text, is an update)."""
    t = f"http://127.0.0.1:{port}/sparql"
    return [
        (f"SELECT * {{ SERVICE <{t}> {{ ?s ?p ?o }} }}", False),
        (f"select * {{ service silent <{t}> {{ ?s ?p ?o }} }}", False),
        (f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * {{ SERVICE e:sparql {{ ?s ?p ?o }} }}", False),
        (f"PREFIX ex: <http://e/> SELECT * {{ BIND(ex:a\\#b AS ?x) SERVICE <{t}> {{ ?s ?p ?o }} }}", False),
        (f"PREFIX ex: <http://e/> SELECT * {{ BIND(ex:a\\'b AS ?x) SERVICE <{t}> {{ ?s ?p ?o }} }}", False),
        (f'SELECT * {{ BIND("\\u0022" AS ?x) SERVICE <{t}> {{ ?s ?p ?o }} }}', False),
        (f'SELECT * {{ BIND("x"@en--ltr AS ?x) SERVICE <{t}> {{ ?s ?p ?o }} }}', False),
        (f"SELECT * {{ BIND(<< <http://a> <http://b> <http://c> >> AS ?x) SERVICE <{t}> {{ ?s ?p ?o }} }}", False),
        (f"SELECT * {{ BIND(1 AS ?v) LATERAL {{ SERVICE <{t}> {{ ?s ?p ?o }} }} }}", False),
        (f"SELECT * {{ SERVICE ?g {{ ?s ?p ?o }} VALUES ?g {{ <{t}> }} }}", False),
        (f"LOAD <{t}>", True),
        (f"LOAD SILENT <{t}> INTO GRAPH <http://g/>", True),
        (f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}", True),
        ("LOAD <file:///etc/passwd>", True),
        (f"PREFIX ex: <http://127.0.0.1:{port}/> LOADex:q", True),  # found by the fuzzer: no space needed
        (f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * {{ SERVICEex:q {{ ?s ?p ?o }} }}", False),
        (f"SELECT * {{ ?s ?p trueSERVICE <{t}> {{ ?s ?p ?o }} }}", False),  # a keyword glued after a literal
        (f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * {{ ?s ?p falseSERVICEex:q {{ ?s ?p ?o }} }}", False),
    ]


@pytest.mark.parametrize("case", range(18))
def test_every_known_bypass_is_refused_and_the_engine_would_have_called_out(case, listener):
    text, update = bypasses(listener.port)[case]
    with pytest.raises(Refused):
        check_text(text, update=update)
    with pytest.raises(Refused):  # an allowed host elsewhere does not open the door
        check_text(text, update=update, allow=["data.example.org"])


def test_the_engine_does_call_out_for_those_texts(listener):
    """The listener works: without the check, Oxigraph reaches it (so the fuzzer's zero means something)."""
    before = listener.hits
    engine_runs(bypasses(listener.port)[0][0])
    engine_runs(bypasses(listener.port)[3][0])
    engine_runs(bypasses(listener.port)[16][0])
    assert listener.hits >= before + 3


def test_vendor_pragmas_and_functions_are_refused():
    """A remote store's ways out: Virtuoso's DEFINE pragmas and bif:/sql: built-ins (bif:http_get)."""
    for text in ('DEFINE get:soft "replace" SELECT * FROM <http://evil.example/> { ?s ?p ?o }',
                 'SELECT (bif:http_get("http://evil.example/") AS ?x) {}',
                 'PREFIX f: <bif:> SELECT (f:http_get("http://evil.example/") AS ?x) {}',
                 'SELECT (<sql:DB.DBA.FETCH>("x") AS ?x) {}'):
        with pytest.raises(Refused):
            check_text(text)


def test_allowed_hosts_are_reached_and_only_by_http():
    check_text("SELECT * { SERVICE <https://data.example.org/sparql> { ?s ?p ?o } }", allow=["data.example.org"])
    check_text("PREFIX d: <https://DATA.example.org/> SELECT * { SERVICE d:q { ?s ?p ?o } }", allow=["data.example.org"])
    check_text("LOAD <http://data.example.org/x.ttl> INTO GRAPH <http://g/>", update=True, allow=["data.example.org"])
    with pytest.raises(Refused, match="variable"):
        check_text("SELECT * { SERVICE ?x { ?s ?p ?o } }", allow=["data.example.org"])
    with pytest.raises(Refused, match="not an allowed host"):
        check_text("LOAD <ftp://data.example.org/x.ttl>", update=True, allow=["data.example.org"])
    with pytest.raises(Refused, match="differently|cannot be checked"):
        check_text("PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a\\#b . SERVICE <https://data.example.org/q> {} }\n"
                   "# SERVICE <http://127.0.0.1:9/> {}", allow=["data.example.org"])


def test_what_users_write_still_runs():
    """Named queries, and words like 'service' or 'load' inside strings, IRIs and comments, are no reason to refuse."""
    for q in named_queries().values():
        check_text(q.text)
    for text in ('SELECT * { ?s ?p ?l FILTER(CONTAINS(?l, "social services")) }',
                 "SELECT * { ?s <http://example.org/service> ?o } # load the service later",
                 'PREFIX sse: <https://w3id.org/ssekg/ontology#> SELECT * { ?s a sse:ServiceProvider ; sse:download ?d }',
                 "SELECT ?service { ?service ?p ?o }"):
        check_text(text)


def test_deep_nesting_is_refused_before_the_parser_sees_it():
    deep = "SELECT * WHERE " + "{ " * 5000 + "}" * 5000
    with pytest.raises(Refused, match="nested 5000 deep"):
        check_text(deep)
    ok = "SELECT * WHERE " + "{ " * MAX_NESTING + "}" * MAX_NESTING
    check_text(ok)
    check_text('SELECT * { ?s ?p "' + "{" * 500 + '" }')  # braces in a string are not nesting


def test_the_lexer_reads_local_name_escapes_and_refuses_stray_backslashes():
    kinds = [(t.kind, t.value) for t in tokens("SELECT * { ?s ?p ex:a\\#b . SERVICE <http://x/> {} }")]
    assert ("pname", "ex:a\\#b") in kinds and ("word", "SERVICE") in kinds
    for bad in ("SELECT * { SERVI\\u0043E <http://x/> {} }", 'SELECT * { ?s ?p "open }', "SELECT ` { }"):
        with pytest.raises(LexError):
            list(tokens(bad))


# --- the fuzzer ----------------------------------------------------------------------------------------------
#: Pieces that once confused a scanner: comments, strings and escapes in every form, SPARQL 1.2 syntax.
FILLERS = ["", "# note\n", "# note \\\n", "#\r", '"x"', "'x'", '"""x\n"""', "'''x'''", '"\\""', "'\\''", '"\\u0022"',
           '"\\\\"', "ex:a\\#b", "ex:a\\'b", 'ex:a\\"b', "ex:a\\\\b", "ex:", ":x", "<http://e/#>", "<http://e/\\u0023>",
           '"x"@en--ltr', "<< <http://a> <http://b> <http://c> >>", "1.5e3", "?x", "$x", "_:b", "[]", "()", "\\", "`"]
KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE", "SER\\u0056ICE", "ſervice",
            "SERVİCE", "ＳＥＲＶＩＣＥ", "SERVICEex:", "SERVICE\\t"]


@st.composite
def texts(draw, port: int) -> tuple[str, bool]:
    target = draw(st.sampled_from([f"<http://127.0.0.1:{port}/q>", "ex:q", "?t"]))
    before, between, after = (draw(st.sampled_from(FILLERS)) for _ in range(3))
    glue = draw(st.sampled_from(["", "true", "false", "1", "ex:a", "?v", '"s"', "<http://e/x>", ".", ";", "}"]))
    sep = draw(st.sampled_from([" ", "\n", "\t", "", "\r\n"]))
    kw = draw(st.sampled_from(KEYWORDS))
    if draw(st.booleans()):
        text = (f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{{sep}?s ?p {before}{sep}.{sep}{kw}{sep}"
                f"{between}{sep}{target} {{ ?s ?p ?o }} {after}{sep}VALUES ?t {{ <http://127.0.0.1:{port}/v> }} }}")
        return text, False
    verb = draw(st.sampled_from(["LOAD", "load", "LOAD SILENT", "INSERT { ?s ?p ?o } WHERE { " + kw]))
    text = f"PREFIX ex: <http://127.0.0.1:{port}/> {before}{sep}{verb}{sep}{between}{target}{sep}{after}"
    if verb.startswith("INSERT"):
        text += " { ?s ?p ?o } }"
    return text, True


_FUZZ_LISTENER = Listener()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(_FUZZ_LISTENER.port))
def test_fuzzer_no_text_the_check_lets_through_reaches_the_network(case):
    text, update = case
    try:
        check_text(text, update=update)
    except Refused:
        return
    before = _FUZZ_LISTENER.hits
    engine_runs(text, update)
    assert _FUZZ_LISTENER.hits == before, f"the engine called out for a text the check let through: {text!r}"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SERVICELOADservice{}()<>\"'#\\:.;? \nabx0u")), max_size=80))
def test_fuzzer_random_text_never_crashes_the_check(text):
    """Whatever the text, the check answers (passes or refuses): it never raises anything else."""
    try:
        check_text(text)
        check_text(text, update=True, allow=["data.example.org"])
    except Refused:
        pass


def test_a_refusal_never_quotes_the_text():
    marker = "ZQXJ" * 50
    with pytest.raises(Refused) as refused:
        check_text(f"SELECT * {{ SERVICE <https://data.example.org/q> {{ ?s ?p {marker} ", allow=["data.example.org"])
    assert "ZQXJZQXJ" not in str(refused.value) and "line 1" in str(refused.value)


def test_json_ld_uploads_fetch_no_remote_context(listener):
    """A JSON-LD body naming a remote @context is refused by the parser, which has no loader: no connection."""
    before = listener.hits
    body = f'{{"@context": "http://127.0.0.1:{listener.port}/ctx", "@id": "http://a", "p": "x"}}'.encode()
    with pytest.raises(SyntaxError):
        list(ox.parse(body, format=ox.RdfFormat.JSON_LD))
    assert listener.hits == before


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["SERVICE", "Load", "dEfInE", "bif:", "SQL:", "servic", "loa", "ſervice", "LOAD".lower(),
                                 "İ", "K", "x", " ", "{", "\n", "é", "<urn:a>", "'", "ser", "vice"]), max_size=12)
       .map("".join))
def test_the_fast_trace_finds_what_the_regular_expression_finds(text):
    """Step 1's shortcut for ASCII texts must not let through a text the case-insensitive expression would stop."""
    from ssekg.outbound import _TRACE, _traces

    assert _traces(text) == (_TRACE.search(text) is not None)
