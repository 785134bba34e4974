"""Headless Chromium for the page tests: Debian's chromium and chromedriver driven by selenium.

The flags are the ones this machine needs: no sandbox as root, and no background networking, since every
request outside the server under test is refused here (and is what the tests look for).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def start_chromium(user_data_dir: Path, *extra_flags: str):
    """A Chromium driver logging every network request; skips the test when Chromium is not installed."""
    binary = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(CHROMEDRIVER).exists() or not Path(binary).exists():
        pytest.skip("headless Chromium is not installed: run scripts/install-system-deps.sh")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = binary
    for flag in (*FLAGS, *extra_flags, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


def chromium_session(tmp_path_factory, name: str, *extra_flags: str):
    """A module's Chromium (the body of its ``browser`` fixture): DevTools' network domain on, so a test can set
    request headers; quit when the module is done."""
    driver = start_chromium(tmp_path_factory.mktemp(name), *extra_flags)
    driver.execute_cdp_cmd("Network.enable", {})
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver) -> list[str]:
    """The URLs the page asked for since the performance log was last read."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def outside(urls: list[str], server) -> list[str]:
    host = urlsplit(server.url).netloc
    return [u for u in urls if urlsplit(u).scheme in {"http", "https", "ws", "wss"} and urlsplit(u).netloc != host]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the page")


def csp_violations(driver) -> list[str]:
    """Messages of the console since it was last read that say the Content-Security-Policy blocked something."""
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]
