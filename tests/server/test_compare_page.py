"""Headless Chromium on the comparison page (/compare) against a live `ssekg serve` on the fixture corpus.

The heatmap shows the corpus's countries with their names in the reader's language (read from the accessible
table the page renders beside the chart), a click on a heatmap cell lists the statements behind it with links to
their Linked Data pages, the filters and the language switch work, Arabic is right-to-left, the charts export as
PNG and SVG, data never runs as script, and the page requests nothing outside the server.

Needs Debian's chromium and chromium-driver (scripts/install-system-deps.sh) and selenium (the test extra).
"""

from __future__ import annotations

import gc
import re
import time

import pytest

from .chromium import chromium_session, csp_violations, outside, requested_urls, wait_for

from .test_queries_http import ingest_corpus

pytestmark = pytest.mark.slow
B = "https://w3id.org/ssekg/id/"


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    from .conftest import TOKEN, LiveServer

    store = tmp_path_factory.mktemp("corpus-compare") / "store"
    ingest_corpus(store)
    server = LiveServer(store, update_token=TOKEN, query_timeout=10)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from chromium_session(tmp_path_factory, "chromium-compare", "--window-size=1400,1200")


def open_page(browser, server, path, language="en"):
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": language}})
    browser.get_log("performance")
    browser.get(server.url + path)
    wait_for(lambda: browser.execute_script(
        "return document.body.dataset.ready === 'true' && document.querySelectorAll('#matrix-table tbody tr').length"))


def table_countries(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#matrix-table tbody th.country')].map(e => e.textContent)")


def table_country_codes(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#matrix-table tbody th.country')]"
        ".map(e => e.dataset.country.split('/').pop())")


def click_heatmap_cell(browser, country: str, category: str) -> None:
    """Click the heatmap (the canvas ECharts draws) where the cell of country × category is."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y, width, height = browser.execute_script("""
        const m = window.ssekgCompare.state.matrix;
        const xi = m.categories.findIndex(c => c[0] === arguments[1]);
        const yi = m.countries.findIndex(c => c[0] === arguments[0]);
        const chart = window.ssekgCompare.charts.heatmap;
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [xi, yi]);
        const box = document.getElementById('heatmap');
        return [px, py, box.clientWidth, box.clientHeight];
    """, B + "country/" + country, category)
    element = browser.find_element("id", "heatmap")
    ActionChains(browser).move_to_element_with_offset(element, int(x - width / 2), int(y - height / 2)).click().perform()


def test_heatmap_in_french_and_a_click_lists_the_statements(browser, corpus_server):
    open_page(browser, corpus_server, "/compare", "fr")
    assert browser.execute_script("return document.documentElement.lang") == "fr"
    assert browser.find_element("id", "title").text == "Comparer les pays"
    # the countries of the host matrix, named in French, sorted as French readers sort
    assert table_countries(browser) == ["Mali", "Maroc", "Sénégal", "Tunisie"]
    assert browser.execute_script("return !!document.querySelector('#heatmap canvas')")
    assert browser.execute_script("return window.ssekgCompare.charts.heatmap.getOption().yAxis[0].data") == [
        "Mali", "Maroc", "Sénégal", "Tunisie"]
    # axis labels wrap, never cut ("legal and policy fra…" was cut): in the drawing (the SVG export), every word of
    # every category label is there, and no ellipsis
    import xml.etree.ElementTree as ET

    svg = browser.execute_script("return window.ssekgCompare.exportChart('heatmap', 'svg')")
    drawn = " ".join(t.strip() for t in ET.fromstring(svg).itertext())
    labels = browser.execute_script("return window.ssekgCompare.charts.heatmap.getOption().xAxis[0].data")
    assert any(len(label) > 20 for label in labels) and "…" not in drawn and "..." not in drawn
    assert all(word in drawn for label in labels for word in label.split())
    # a click on the cell Senegal × access to finance (two challenges at one event)
    click_heatmap_cell(browser, "SN", B + "concept/challenge/access-to-finance")
    items = wait_for(lambda: browser.find_elements("css selector", "#statements li.statement"))
    assert len(items) == 2
    assert "Sénégal" in browser.find_element("id", "cell-title").text
    links = browser.execute_script("""
        return [...document.querySelectorAll('#statements li')].map(li => ({
          statement: li.querySelector('a.text').getAttribute('href'),
          event: li.querySelector('a.event').getAttribute('href'),
          report: li.querySelector('a.report').getAttribute('href'),
          source: li.querySelector('a.source') && li.querySelector('a.source').getAttribute('href'),
          text: li.querySelector('a.text').textContent}))""")
    assert all(link["statement"].startswith("/id/challenge/") for link in links)
    assert all(link["event"].startswith("/id/event/") and link["report"].startswith("/id/report/") for link in links)
    assert {link["source"] for link in links} == {"https://example.org/fixture/dakar-finance"}
    assert all(link["text"] for link in links)
    # the links lead to the Linked Data pages of this server
    statement_page = corpus_server.url + links[0]["statement"]
    assert outside(requested_urls(browser), corpus_server) == []
    assert csp_violations(browser) == []  # the charts draw under the strict Content-Security-Policy
    browser.get(statement_page)
    assert browser.find_element("id", "title").text


def test_arabic_right_to_left_filters_and_language_switch(browser, corpus_server):
    open_page(browser, corpus_server, "/compare", "ar")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    assert browser.execute_script("return getComputedStyle(document.getElementById('title')).direction") == "rtl"
    assert set(table_countries(browser)) == {"المغرب", "السنغال", "مالي", "تونس"}
    # the speaker dimension adds Belgium and Côte d'Ivoire (speakers from there)
    browser.execute_script("""
        const s = document.getElementById('dimension'); s.value = 'speaker';
        s.dispatchEvent(new Event('change'));""")
    wait_for(lambda: sorted(table_country_codes(browser)) == ["BE", "CI", "MA", "ML", "SN", "TN"])
    assert "بلجيكا" in table_countries(browser)
    assert "dimension=speaker" in browser.current_url
    # forums only, host dimension: Morocco alone
    browser.execute_script("""
        const d = document.getElementById('dimension'); d.value = 'host';
        const e = document.getElementById('eventType'); e.value = 'forum';
        e.dispatchEvent(new Event('change'));""")
    wait_for(lambda: table_country_codes(browser) == ["MA"])
    # the language switch keeps the filters
    switch = browser.find_element("css selector", ".langs a[hreflang=en]")
    assert "eventType=forum" in switch.get_attribute("href")
    switch.click()
    wait_for(lambda: browser.execute_script("return document.documentElement.lang") == "en")
    wait_for(lambda: table_countries(browser) == ["Morocco"])
    assert browser.execute_script("return document.getElementById('eventType').value") == "forum"
    assert outside(requested_urls(browser), corpus_server) == []


def test_speaker_matrix_years_and_table_cells(browser, corpus_server):
    open_page(browser, corpus_server, "/compare?kind=proposal&dimension=speaker&to=2024", "en")
    assert table_country_codes(browser) == ["ML", "SN"]  # Mali, Senegal: E3 (2024) only
    # the page says how many of the statements this view places (a speaker matrix: the attributed ones only)
    note = wait_for(lambda: browser.execute_script("const n = document.getElementById('coverage'); "
                                                   "return n.dataset.total ? [n.dataset.placed, n.dataset.total, n.textContent] : null"))
    placed, total, text = note
    assert 0 < int(placed) <= int(total) and f"{placed} of the {total}" in text and "speaker" in text
    # the accessible table's cells are buttons too
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    button = browser.find_element("css selector", f"#matrix-table button[data-country='{B}country/SN']")
    browser.execute_script("arguments[0].focus()", button)  # as a keyboard user tabbing into the table
    assert browser.execute_script("return document.getElementById('matrix-table').parentElement.getBoundingClientRect().width") > 100
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    items = wait_for(lambda: browser.find_elements("css selector", "#statements li.statement"))
    assert len(items) == 1
    assert browser.execute_script("return document.querySelector('#statements a.speaker').textContent").endswith("Aminata Ndiaye")


def test_co_participation_chart_and_exports(browser, corpus_server):
    open_page(browser, corpus_server, "/compare", "en")
    pairs = wait_for(lambda: browser.execute_script(
        "return [...document.querySelectorAll('#pairs-table tbody tr')].map(r => [...r.cells].map(c => c.textContent))"))
    assert len(pairs) == 12 and pairs[0] == ["Morocco", "Senegal", "3"]
    assert browser.execute_script("return window.ssekgCompare.charts.pairs.getOption().series[0].links.length") == 12
    png = browser.execute_script("return window.ssekgCompare.exportChart('heatmap', 'png')")
    assert png.startswith("data:image/png;base64,") and len(png) > 5000
    svg = browser.execute_script("return window.ssekgCompare.exportChart('pairs', 'svg')")
    assert svg.startswith("<svg") and "Senegal" in svg
    svg = browser.execute_script("return window.ssekgCompare.exportChart('heatmap', 'svg')")
    assert "Morocco" in svg and "access to finance" in svg
    csv = browser.find_element("id", "matrix-csv").get_attribute("href")
    assert "/queries/challenges-by-country.csv?" in csv and "lang=en" in csv
    assert outside(requested_urls(browser), corpus_server) == []


def test_labels_from_the_data_never_run_as_script(browser, corpus_server):
    import requests
    from .conftest import TOKEN

    label = '<img src=x onerror="window.pwned=1">'
    data = f'<{B}country/MA> <http://www.w3.org/2000/01/rdf-schema#label> "{label.replace(chr(34), chr(92) + chr(34))}"@fr .'
    r = requests.put(corpus_server.url + "/store", params={"graph": "http://ex/xss-compare"}, data=data.encode(),
                     headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert r.status_code in (201, 204)
    try:
        open_page(browser, corpus_server, "/compare", "fr")
        assert label in table_countries(browser)
        # hover the cell so that the tooltip (HTML) shows the label
        from selenium.webdriver.common.action_chains import ActionChains

        click_heatmap_cell(browser, "MA", B + "concept/challenge/access-to-finance")
        wait_for(lambda: browser.find_elements("css selector", "#statements li.statement"))
        ActionChains(browser).move_by_offset(1, 1).perform()
        time.sleep(0.5)
        assert label in browser.find_element("id", "cell-title").text
        assert browser.execute_script("return window.pwned === undefined")
        assert browser.execute_script("return document.querySelectorAll('img[src=x]').length") == 0
    finally:
        requests.delete(corpus_server.url + "/store", params={"graph": "http://ex/xss-compare"},
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


def test_a_minimum_confidence_reaches_the_matrix_and_keeps_what_a_person_wrote(browser, corpus_server):
    """The fixture cards were written by hand (no confidence): a minimum keeps them all, and travels with the data."""
    open_page(browser, corpus_server, "/compare", "en")
    before = sorted(table_country_codes(browser))
    browser.execute_script("""
        const c = document.getElementById('minConfidence'); c.value = '0.9';
        c.dispatchEvent(new Event('change'));""")
    wait_for(lambda: "minConfidence=0.9" in browser.current_url)
    wait_for(lambda: "minConfidence=0.9" in browser.find_element("id", "matrix-csv").get_attribute("href"))
    wait_for(lambda: sorted(table_country_codes(browser)) == before)
    open_page(browser, corpus_server, "/compare?minConfidence=0.7", "fr")
    assert browser.execute_script("return document.getElementById('minConfidence').value") == "0.7"


@pytest.fixture(scope="module")
def text_server(tmp_path_factory):
    """A store of two reports read from their texts (written by us, tests/corpus): statements with sentences."""
    from ssekg.ingest.pipeline import ingest_paths
    from ssekg.store import Store

    from .conftest import ROOT, LiveServer

    path = tmp_path_factory.mktemp("text-compare") / "store"
    store = Store.open(path)
    outcomes = ingest_paths(store, [ROOT / "tests" / "corpus" / "en" / "en01.txt", ROOT / "tests" / "corpus" / "ar" / "ar01.txt"])
    assert all(o.accepted for o in outcomes), [o.reason for o in outcomes]
    store.close()
    del store
    gc.collect()
    server = LiveServer(path, query_timeout=10)
    yield server
    server.stop()


ARABIC_LTR = """
    const arabic = /[\\u0600-\\u06ff]/;
    const wrong = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!arabic.test(node.textContent) || !node.parentElement) continue;
      const el = node.parentElement;
      if (el.closest('script, style, code, pre, svg, canvas')) continue;
      const letters = node.textContent.replace(/[^\\p{L}]/gu, '');
      const share = letters.replace(/[^\\u0600-\\u06ff]/g, '').length / Math.max(1, letters.length);
      if (share > 0.5 && getComputedStyle(el).direction !== 'rtl' && el.getAttribute('dir') !== 'auto') {
        wrong.push(el.tagName + ': ' + node.textContent.trim().slice(0, 40));
      }
    }
    return wrong;
"""


def test_the_cell_list_shows_sentence_and_date_and_arabic_reads_right_to_left(browser, text_server):
    """Issue 14: each statement behind a cell with the sentence it was read from and its event's date; Arabic text
    right to left (or dir=auto) on every page, English pages included."""
    open_page(browser, text_server, "/compare", "en")
    country = next(code for code in table_country_codes(browser) if code == "GH")
    button = browser.find_element("css selector", f"#matrix-table button[data-country='{B}country/{country}']")
    browser.execute_script("arguments[0].click()", button)
    items = wait_for(lambda: browser.find_elements("css selector", "#statements li.statement"))
    sentence = browser.execute_script("return [...document.querySelectorAll('#statements li blockquote.sentence')]"
                                      ".map(b => b.textContent)")
    assert sentence and len(sentence) == len(items)
    assert all(re.search(r"\(\d{4}(-\d{2}){0,2}\)", e.text) for e in browser.find_elements("css selector", "#statements a.event"))
    assert browser.execute_script(ARABIC_LTR) == []
    pages = ["/compare?lang=en", "/compare?lang=ar", "/queries/statements-in-cell?country=MA&category=access-to-finance",
             "/queries/event-countries", "/ontology"]
    import requests

    found = requests.get(text_server.url + "/sparql", params={
        "query": "SELECT ?e { ?e a sse:Event ; rdfs:label ?l FILTER (lang(?l) = 'ar') } LIMIT 1", "format": "csv"})
    pages += ["/id/" + found.text.splitlines()[1].strip().split("/id/", 1)[1]]
    for path in pages:
        browser.get(text_server.url + path)
        wait_for(lambda: browser.execute_script("return document.readyState === 'complete'"))
        assert browser.execute_script(ARABIC_LTR) == [], path
