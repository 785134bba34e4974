"""Load cases of issue 13 against a live `ssekg serve`: slow clients, heavy queries, large bodies.

``python bench/security_load.py`` ingests the bundled example cards into a temporary store, starts ``ssekg serve``
on 127.0.0.1 (a free port, an update token) and measures, from other connections meanwhile:

- 100 sockets trickling a header line every 0.5 s: the p50/p95 of another client's Linked Data lookups;
- 20 concurrent cross-product queries from one client: another client's (127.0.0.2) lookup p50/p95 and the time of
  its ASK, and how the 20 were answered;
- a 2 MB Graph Store PUT sent chunked and with Content-Length: the status of each and whether anything was stored.

``--url URL`` measures a server already running instead (the PUT cases need ``--token``). Exit codes: 0 every
acceptance line of issue 13 holds, 1 one does not, 2 the server could not be started.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def start_server(token: str) -> tuple[subprocess.Popen, str, str]:
    tmp = tempfile.mkdtemp(prefix="ssekg-security-")
    store = os.path.join(tmp, "store")
    ssekg = str(Path(sys.executable).with_name("ssekg"))
    subprocess.run([ssekg, "ingest", "--quiet", "--store", store, str(ROOT / "examples" / "cards")], check=True,
                   capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSEKG_")}
    env.update(SSEKG_STORE=store, SSEKG_PORT=str(port), SSEKG_UPDATE_TOKEN=token, SSEKG_QUERY_TIMEOUT="10")
    proc = subprocess.Popen([ssekg, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url, tmp
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not come up")


def first_event(url: str) -> str:
    q = "SELECT ?e { ?e a <https://w3id.org/ssekg/ontology#Event> } LIMIT 1"
    with urllib.request.urlopen(f"{url}/sparql?query={quote(q)}&format=csv", timeout=10) as r:
        iri = r.read().decode().splitlines()[1].strip()
    return "/id/" + iri.split("/id/", 1)[1]


def lookups(url: str, path: str, n: int, source: str = "127.0.0.1") -> list[float]:
    parts = urlsplit(url)
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(source, 0))
        conn.request("GET", path, headers={"Accept": "text/turtle"})
        conn.getresponse().read()
        conn.close()
        times.append(time.monotonic() - t0)
    return times


def pct(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100)[q - 1] if len(times) > 1 else times[0]


def trickle(url: str, stop: threading.Event, opened: list) -> None:
    """A slow client: a request head sent a header line every half second, until ``stop`` is set."""
    parts = urlsplit(url)
    s = socket.create_connection((parts.hostname, parts.port))
    opened.append(s)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    while not stop.is_set():
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            return
        stop.wait(0.5)


def slow_clients(url: str, path: str, n: int = 100) -> dict[str, float]:
    stop, opened = threading.Event(), []
    threads = [threading.Thread(target=trickle, args=(url, stop, opened), daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    times = lookups(url, path, 60)
    stop.set()
    for s in opened:
        s.close()
    return {"p50": pct(times, 50), "p95": pct(times, 95)}


def heavy_queries(url: str, path: str, n: int = 20) -> dict[str, object]:
    def heavy(_: int) -> int:
        try:
            with urllib.request.urlopen(f"{url}/sparql?query={quote(HEAVY)}", timeout=60) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    parts = urlsplit(url)
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(heavy, i) for i in range(n)]
        time.sleep(0.5)
        times = lookups(url, path, 40, source="127.0.0.2")
        t0 = time.monotonic()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=("127.0.0.2", 0))
        conn.request("GET", "/sparql?query=ASK%7B%7D")
        status = conn.getresponse().status
        ask = time.monotonic() - t0
        statuses = [f.result() for f in futures]
    return {"p50": pct(times, 50), "p95": pct(times, 95), "ask": ask, "ask_status": status,
            "answers": {s: statuses.count(s) for s in sorted(set(statuses))}}


def bodies(url: str, token: str) -> dict[str, object]:
    import requests

    line = b'<http://ex/s> <http://ex/p> "' + b"x" * 60 + b'" .\n'
    body = b"".join(line.replace(b"/s>", f"/s{i}>".encode()) for i in range(2_000_000 // len(line)))
    headers = {"Content-Type": "application/n-triples", "Authorization": f"Bearer {token}"}
    graph = {"graph": "http://ex/security-load"}
    chunked = requests.put(url + "/store", params=graph, data=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                           headers=headers)
    stored_chunked = requests.get(url + "/store", params=graph).status_code != 404
    sized = requests.put(url + "/store", params=graph, data=body, headers=headers)
    stored_sized = requests.get(url + "/store", params=graph).status_code != 404
    return {"chunked": chunked.status_code, "stored_chunked": stored_chunked, "content_length": sized.status_code,
            "stored_sized": stored_sized}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server instead of one started here")
    ap.add_argument("--token", default="security-load-token", help="its update token (for the body cases)")
    args = ap.parse_args(argv)
    proc = tmp = None
    try:
        if args.url:
            url = args.url.rstrip("/")
        else:
            proc, url, tmp = start_server(args.token)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"security_load: {exc}", file=sys.stderr)
        return 2
    try:
        path = first_event(url)
        slow = slow_clients(url, path)
        heavy = heavy_queries(url, path)
        body = bodies(url, args.token)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
            shutil.rmtree(tmp, ignore_errors=True)
    checks = [
        ("100 slow sockets: another client's lookup p95 < 1 s", f"p50 {slow['p50']:.3f} s, p95 {slow['p95']:.3f} s",
         slow["p95"] < 1.0),
        ("20 heavy queries of one client: another's lookup p95 < 1 s",
         f"p50 {heavy['p50']:.3f} s, p95 {heavy['p95']:.3f} s", heavy["p95"] < 1.0),
        ("... and its ASK does not wait for their timeout",
         f"{heavy['ask']:.3f} s (status {heavy['ask_status']}); the 20 answered {heavy['answers']}",
         heavy["ask"] < 1.0 and heavy["ask_status"] == 200),
        ("2 MB chunked PUT: 413, nothing stored", f"{body['chunked']}, stored: {body['stored_chunked']}",
         body["chunked"] == 413 and not body["stored_chunked"]),
        ("2 MB PUT with Content-Length: the same", f"{body['content_length']}, stored: {body['stored_sized']}",
         body["content_length"] == 413 and not body["stored_sized"]),
    ]
    print("| case | measured | holds |\n|---|---|---|")
    for name, measured, ok in checks:
        print(f"| {name} | {measured} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for _, _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
