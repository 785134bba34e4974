"""Headless Chromium on the review pages (/review) against a live `ssekg serve`: a curator opens the queue, opens a
French and an Arabic report, rejects a fact, moves a span, adds a missed statement, changes a category and saves;
the store then holds exactly the corrected card, its revision and its curator. An invalid edit shows the rule that
failed next to its field and stores nothing; a second curator's save in between is reported, not overwritten;
without a curator's token nothing is shown or saved; the strict Content-Security-Policy holds and nothing is
requested from another host.

The reports are ours (tests/corpus), ingested from their texts, so the review folder keeps their extractions.
Needs Debian's chromium and chromium-driver (scripts/install-system-deps.sh) and selenium (the test extra).
"""

from __future__ import annotations

import base64
import copy
import gc
import json
from pathlib import Path

import pytest
import requests
from rdflib import BNode, Graph, Literal
from rdflib.compare import isomorphic

from .chromium import chromium_session, csp_violations, outside, requested_urls, wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
REPORTS = {"fr": ROOT / "tests" / "corpus" / "fr" / "fr01.txt", "ar": ROOT / "tests" / "corpus" / "ar" / "ar01.txt"}
ALICE, BOB = "alice-token-0123456789", "bob-token-0123456789abcd"
BASE = "https://w3id.org/ssekg/id/"

# selects code points [a, b) of the text pane, as a curator's mouse would
SELECT = """
const [a, b] = [arguments[0], arguments[1]];
const segs = [...document.getElementById('text').children];
function at(cp) {
  for (const s of segs) {
    const start = Number(s.dataset.start), chars = Array.from(s.textContent);
    if (cp >= start && cp <= start + chars.length) return [s.firstChild, chars.slice(0, cp - start).join('').length];
  }
}
const r = document.createRange();
r.setStart(...at(a)); r.setEnd(...at(b));
const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
"""


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    from ssekg.ingest.pipeline import ingest_file
    from ssekg.ingest.reference import ensure_reference, load_reference

    from ssekg.store import Store

    from .conftest import LiveServer

    root = tmp_path_factory.mktemp("review")
    store_dir, review_dir = root / "store", root / "review"
    store = Store.open(store_dir)
    reference = load_reference(store.base, store)
    ensure_reference(store, reference)
    keys = {}
    for lang, path in REPORTS.items():
        outcome = ingest_file(store, path, reference, review_dir)
        assert outcome.accepted, outcome.reason
        keys[lang] = outcome.key
    store.close()
    del store
    gc.collect()
    server = LiveServer(store_dir, curators=f"alice={ALICE},bob={BOB}", review_dir=review_dir, query_timeout=10)
    server.keys, server.review_dir = keys, review_dir
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from chromium_session(tmp_path_factory, "chromium-review", "--window-size=1400,1000")


def as_curator(browser, token: str | None, language: str = "en") -> None:
    headers = {"Accept-Language": language}
    if token:
        headers["Authorization"] = "Basic " + base64.b64encode(f"curator:{token}".encode()).decode()
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})


def open_report(browser, server, key: str) -> dict:
    browser.get_log("performance")
    browser.get(f"{server.url}/review/{key}")
    wait_for(lambda: browser.execute_script("return document.body.dataset.ready === 'true'"))
    return json.loads(browser.execute_script("return document.getElementById('review-data').textContent"))


def page_kept_to_itself(browser, server) -> None:
    """Nothing asked of another host, nothing blocked by the Content-Security-Policy."""
    assert not outside(requested_urls(browser), server)
    assert not csp_violations(browser)


def fact(browser, path: str):
    return browser.find_element("css selector", f'#card [data-path="{path}"]')


def click(browser, path: str, action: str) -> None:
    fact(browser, path).find_element("css selector", f'button[data-action="{action}"]').click()


def choose(browser, path: str, field: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(fact(browser, path).find_element("css selector", f'select[data-field="{field}"]')).select_by_value(value)


def type_into(browser, selector: str, value: str) -> None:
    """Type a value into a field and leave it (the page re-draws the card on each change, as on a curator's Tab)."""
    field = browser.find_element("css selector", selector)
    field.click()
    browser.execute_script("arguments[0].select()", field)
    field.send_keys(value)
    browser.execute_script("arguments[0].blur()", field)


def select_text(browser, start: int, end: int) -> None:
    browser.execute_script(SELECT, start, end)


def tool(browser, action: str) -> None:
    browser.find_element("css selector", f'#tools button[data-action="{action}"]').click()


def saved(browser, revision: int) -> None:
    tool(browser, "save")
    wait_for(lambda: browser.execute_script("return document.body.dataset.saved") == str(revision)
             or browser.execute_script("return document.body.dataset.refused"))
    assert browser.execute_script("return document.body.dataset.saved") == str(revision), \
        browser.find_element("id", "status").text


def stored_text(server, key: str) -> str:
    """The report's graph as the server's Graph Store gives it (N-Triples)."""
    r = requests.get(f"{server.url}/store", params={"graph": f"{BASE}report/{key}"},
                     headers={"Accept": "application/n-triples"}, timeout=30)
    assert r.status_code == 200
    return r.text


def stored_graph(server, key: str) -> Graph:
    return Graph().parse(data=stored_text(server, key), format="nt")


def by_value(graph: Graph) -> set:
    def value(term):
        if isinstance(term, Literal) and term.datatype is not None:
            return (str(term.datatype), Literal(str(term), datatype=term.datatype).toPython())
        return term
    return {tuple(value(t) for t in triple) for triple in graph}


def revision_card(server, key: str, n: int) -> dict:
    from ssekg.ingest.review import load_revision

    card = load_revision(server.review_dir, key, n)
    assert card is not None
    return card


def expect_store_holds(server, key: str, expected: dict) -> None:
    """The report's graph is exactly the corrected card's (isomorphic), with its revision and curator."""
    from ssekg.ingest.cards import parse_card
    from ssekg.ingest.mapping import card_to_graph

    wanted = card_to_graph(parse_card(expected, "expected"))
    stored = stored_graph(server, key)
    # typed literals compared by value: a SPARQL update stores "0.560"^^xsd:decimal as "0.56"; the report's graph has
    # no blank node, so equal sets are isomorphic graphs
    assert not any(isinstance(t, BNode) for triple in stored for t in triple)
    assert by_value(stored) == by_value(wanted), (sorted(by_value(stored) - by_value(wanted)),
                                                  sorted(by_value(wanted) - by_value(stored)))


def curated(item: dict) -> dict:
    item = dict(item, curated=True)
    item.pop("confidence", None)
    return item


def test_the_queue_lists_the_extracted_reports_for_a_curator_only(browser, review_server):
    as_curator(browser, None)
    browser.get(review_server.url + "/review")
    assert not browser.find_elements("css selector", "#queue")  # the browser was asked for a login, and got nothing
    r = requests.get(review_server.url + "/review", timeout=30)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic ") and "curator" in r.json()["error"]
    assert "Access-Control-Allow-Origin" not in r.headers
    as_curator(browser, ALICE, "fr")
    browser.get_log("performance")
    browser.get(review_server.url + "/review?status=all")
    keys = browser.execute_script("return [...document.querySelectorAll('#queue tbody tr')].map(r => r.dataset.key)")
    assert sorted(keys) == sorted(review_server.keys.values())
    assert browser.find_element("css selector", "h1").text == "Rapports à vérifier"
    # filter by language
    browser.get(review_server.url + "/review?language=ar&status=all")
    keys = browser.execute_script("return [...document.querySelectorAll('#queue tbody tr')].map(r => r.dataset.key)")
    assert keys == [review_server.keys["ar"]]
    page_kept_to_itself(browser, review_server)


def test_a_curator_corrects_a_french_report(browser, review_server):
    key = review_server.keys["fr"]
    as_curator(browser, ALICE, "fr")
    data = open_report(browser, review_server, key)
    text = data["report"]["text"]
    assert browser.execute_script("return document.getElementById('text').dir") == "ltr"
    kinds = set(browser.execute_script("return [...document.querySelectorAll('#text mark')].map(m => m.className)"))
    # one colour per kind of fact (the last class), the event's own span underlined where it covers them
    assert {"k-speaker", "k-challenge", "k-proposal", "k-organisation", "k-city"} <= {k.split()[-1] for k in kinds}
    underlined = browser.execute_script("return [...document.querySelectorAll('#text .k-event')].map(m => m.textContent).join('')")
    event = data["events"][0]["span"]
    assert underlined == text[event[0]:event[1]]
    # the marked text of each statement is the statement
    first = data["events"][0]["challenges"][0]
    marked = browser.execute_script(
        "return [...document.querySelectorAll('#text [data-path=\"events[0].challenges[0]\"]')].map(m => m.textContent).join('')")
    assert marked == text[first["span"][0]:first["span"][1]]

    before = revision_card(review_server, key, 0)
    expected = copy.deepcopy(before)
    ev = expected["events"][0]
    # reject the second challenge
    click(browser, "events[0].challenges[1]", "reject")
    ev["challenges"].pop(1)
    # move the first proposal's span to fewer words
    prop = ev["proposals"][0]
    start = prop["span"][0]
    end = start + len("créer un fonds de garantie")
    select_text(browser, start, end)
    click(browser, "events[0].proposals[0]", "move")
    ev["proposals"][0] = curated(dict(prop, span=[start, end], text=text[start:end]))
    # add the proposal the extractor missed, and give it its category
    missed = "adopter une loi-cadre sur l'ESS"
    at = text.index(missed)
    select_text(browser, at, at + len(missed))
    tool(browser, "add-proposal")
    n = len(ev["proposals"])
    choose(browser, f"events[0].proposals[{n}]", "category", "legal-reform")
    ev["proposals"].append({"text": missed, "category": "legal-reform", "span": [at, at + len(missed)], "curated": True})
    # change a category
    assert ev["challenges"][0]["category"] != "financial-sustainability"
    choose(browser, "events[0].challenges[0]", "category", "financial-sustainability")
    ev["challenges"][0] = curated(dict(ev["challenges"][0], category="financial-sustainability"))
    saved(browser, 1)

    after = revision_card(review_server, key, 1)
    assert after["report"]["revisions"][0]["curator"] == "alice"
    expected["report"]["revisions"] = after["report"]["revisions"]
    assert after == expected
    expect_store_holds(review_server, key, expected)
    g = stored_graph(review_server, key)
    rev = f"{BASE}report/{key}/revision/1"
    assert any(str(s) == rev and str(p).endswith("wasRevisionOf") and str(o).endswith("/revision/0") for s, p, o in g)
    assert any(str(s) == rev and str(p).endswith("wasAttributedTo") and str(o) == f"{BASE}curator/alice" for s, p, o in g)
    page_kept_to_itself(browser, review_server)


def test_an_arabic_report_right_to_left_and_an_invalid_edit_stores_nothing(browser, review_server):
    key = review_server.keys["ar"]
    as_curator(browser, BOB, "ar")
    data = open_report(browser, review_server, key)
    text = data["report"]["text"]
    assert browser.execute_script("return document.getElementById('text').dir") == "rtl"
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    expected = copy.deepcopy(revision_card(review_server, key, 0))
    ev = expected["events"][0]
    # a category, a rejected challenge, a span moved and a challenge added, in Arabic
    assert ev["challenges"][1]["category"] != "access-to-finance"
    choose(browser, "events[0].challenges[1]", "category", "access-to-finance")
    ev["challenges"][1] = curated(dict(ev["challenges"][1], category="access-to-finance"))
    click(browser, "events[0].challenges[2]", "reject")
    ev["challenges"].pop(2)
    prop = ev["proposals"][1]
    words = "تنظيم دورات تكوينية"
    start = text.index(words, prop["span"][0])
    select_text(browser, start, start + len(words))
    click(browser, "events[0].proposals[1]", "move")
    ev["proposals"][1] = curated(dict(prop, span=[start, start + len(words)], text=words))
    missed = "ضعف التسويق الرقمي للمنتجات"
    at = text.index(missed)
    select_text(browser, at, at + len(missed))
    tool(browser, "add-challenge")
    ev["challenges"].append({"text": missed, "category": "other", "span": [at, at + len(missed)], "curated": True})

    # first an invalid date: the rule is shown next to the field, nothing is stored
    type_into(browser, '#card input[data-field="start"]', "2025-02-30")
    tool(browser, "save")
    wait_for(lambda: browser.execute_script("return document.body.dataset.refused") == "422")
    problems = browser.execute_script(
        "return [...document.querySelectorAll('.problem')].map(p => [p.dataset.problemPath, p.textContent])")
    assert ["events[0].start", "2025-02-30 is not a date in the calendar"] in problems
    note = browser.find_element("css selector", '.problem[data-problem-path="events[0].start"]')
    assert browser.execute_script("return arguments[0].previousElementSibling.dataset.field", note) == "start"
    assert requests.get(f"{review_server.url}/review/{key}?format=json", timeout=30,
                        headers={"Authorization": f"Bearer {BOB}"}).json()["revision"] == 0
    assert not (review_server.review_dir / key[:2] / key / "1.json").exists()

    # the right date, and it saves
    type_into(browser, '#card input[data-field="start"]', data["events"][0]["start"])
    ev.pop("confidence", None)  # the event was edited: a person vouches for it now
    ev["curated"] = True
    browser.execute_script("document.body.dataset.refused = ''")
    saved(browser, 1)
    after = revision_card(review_server, key, 1)
    assert after["report"]["revisions"][0]["curator"] == "bob"
    expected["report"]["revisions"] = after["report"]["revisions"]
    assert after == expected
    expect_store_holds(review_server, key, expected)
    page_kept_to_itself(browser, review_server)


def test_a_second_curator_is_told_the_report_changed(browser, review_server):
    key = review_server.keys["fr"]
    as_curator(browser, BOB, "en")
    data = open_report(browser, review_server, key)
    opened = data["revision"]
    # alice saves in between (through the same route, as a script would)
    r = requests.put(f"{review_server.url}/review/{key}", json={"revision": opened, "events": data["events"]},
                     headers={"Authorization": f"Bearer {ALICE}"}, timeout=30)
    assert r.status_code == 200 and r.json()["revision"] == opened + 1
    graph_before = stored_graph(review_server, key)
    choose(browser, "events[0].challenges[0]", "category", "market-access")
    tool(browser, "save")
    wait_for(lambda: browser.execute_script("return document.body.dataset.refused") == "409")
    assert "changed since you opened it" in browser.find_element("id", "status").text
    assert isomorphic(stored_graph(review_server, key), graph_before)


def test_without_a_token_nothing_is_saved(browser, review_server):
    key = review_server.keys["ar"]
    as_curator(browser, ALICE, "en")
    open_report(browser, review_server, key)
    graph_before = stored_graph(review_server, key)
    as_curator(browser, None)  # the credential is gone (a logged-out browser)
    click(browser, "events[0].challenges[0]", "reject")
    tool(browser, "save")
    wait_for(lambda: browser.execute_script("return document.body.dataset.refused") == "401")
    assert isomorphic(stored_graph(review_server, key), graph_before)
    # nor by a script, nor with the wrong token, nor from another site
    for headers in ({}, {"Authorization": "Bearer not-a-curator-token-000"}, {"Authorization": "Bearer " + ALICE,
                                                                               "Origin": "https://elsewhere.example"}):
        r = requests.put(f"{review_server.url}/review/{key}", json={"revision": 0, "events": []}, headers=headers,
                         timeout=30)
        assert r.status_code in (401, 403)
    assert isomorphic(stored_graph(review_server, key), graph_before)


def test_a_report_that_tells_of_no_event(browser, review_server):
    key = review_server.keys["ar"]
    as_curator(browser, BOB, "ar")
    data = open_report(browser, review_server, key)
    opened = data["revision"]
    browser.find_element("id", "no-event").click()
    assert not browser.find_elements("css selector", "#card fieldset")  # the events are set aside
    assert not browser.find_elements("css selector", "#text mark")
    saved(browser, opened + 1)
    card = revision_card(review_server, key, opened + 1)
    assert card["events"] == [] and card["report"]["no_event"] is True
    assert not any(str(p).endswith("wasDerivedFrom") for _, p, _ in stored_graph(review_server, key))
    page_kept_to_itself(browser, review_server)
