"""Headless Chromium against a live `ssekg serve`: the query UI runs a named query and shows its rows; the
example's event page shows the Arabic labels right-to-left; no page requests anything outside the server.

Needs Debian's chromium and chromium-driver (scripts/install-system-deps.sh) and selenium (the test extra).
"""

from __future__ import annotations


import pytest

from .chromium import chromium_session, csp_violations, outside, requested_urls, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from chromium_session(tmp_path_factory, "chromium")


def test_query_ui_runs_a_named_query(browser, live_server):
    browser.get_log("performance")
    browser.get(live_server.url + "/")
    wait_for(lambda: browser.execute_script("return !!(window.ssekg && window.ssekg.yasgui)"))
    names = browser.execute_script("return window.ssekg.queries.map(q => q.name)")
    assert "event-countries" in names
    # open the named query's tab and run it, as a user would with the Run button
    browser.execute_script("""
        const y = window.ssekg.yasgui;
        const id = window.ssekg.tabs['event-countries'];
        y.selectTabId(id);
        const tab = y.getTab(id);
        tab.getYasqe().query();
    """)
    rows = wait_for(lambda: browser.execute_script(
        "const t = document.querySelector('.tabPanel.active .dataTable, .tabPanel.active table tbody');"
        "return t ? t.querySelectorAll('tr').length : 0"), timeout=30)
    assert rows >= 4  # the example event has four participating countries
    text = browser.execute_script("return document.querySelector('.tabPanel.active .yasr').innerText")
    assert "country/SN" in text or "SN" in text
    assert outside(requested_urls(browser), live_server) == []
    assert csp_violations(browser) == []  # the page works under its strict Content-Security-Policy


def test_event_page_arabic_right_to_left(browser, live_server):
    browser.get_log("performance")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "ar"}})
    try:
        browser.get(live_server.url + "/id/event/b58c0e223362c3bb-1")
        title = browser.find_element("id", "title")
        assert title.text == "الورشة الإقليمية للشركاء"
        assert browser.execute_script("return getComputedStyle(document.getElementById('title')).direction") == "rtl"
        assert browser.execute_script("return document.documentElement.dir") == "rtl"
        arabic = browser.execute_script(
            "return [...document.querySelectorAll('[lang=ar]')].map(e => getComputedStyle(e).direction)")
        assert arabic and set(arabic) == {"rtl"}
        assert outside(requested_urls(browser), live_server) == []
        assert csp_violations(browser) == []
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})


def test_script_in_data_never_runs(browser, live_server, token):
    import requests

    data = ('<https://w3id.org/ssekg/id/event/xss> <http://www.w3.org/2000/01/rdf-schema#label> '
            '"<script>window.pwned=1</script><img src=x onerror=\\"window.pwned=2\\">"@en .')
    r = requests.put(live_server.url + "/store", params={"graph": "http://ex/xss"}, data=data.encode(),
                     headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"})
    assert r.status_code in (201, 204)
    browser.get(live_server.url + "/id/event/xss")
    assert browser.execute_script("return window.pwned === undefined")
    assert "<script>window.pwned=1</script>" in browser.find_element("id", "title").text
