"""Ingest through a running server: the client side of ``POST /ingest``.

The embedded store admits one writer, and while ``ssekg serve`` runs that writer is the server. Sending each
file to the server keeps one writer and makes each report visible to queries as soon as it is in, all or
nothing. The token comes from the ``update_token`` setting (file or SSEKG_UPDATE_TOKEN), never the command line.
"""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from ssekg.errors import StoreError

from .pipeline import Outcome


def post_file(server: str, path: Path, token: str | None, timeout: float = 300.0) -> Outcome:
    """Send one file; the server answers with the same Outcome the local pipeline would give."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Outcome(str(path), False, reason=f"{path}: cannot be read ({exc.strerror or exc})")
    request = _request(server, "/ingest?" + urllib.parse.urlencode({"filename": path.name}), token, data,
                       {"Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 422:  # rejected: the body says why, like a local rejection
            body = json.load(exc)
        elif exc.code in (401, 403):
            raise StoreError(f"{server} refused the upload ({exc.code}): set update_token (SSEKG_UPDATE_TOKEN) to the server's token") from None
        else:
            reason = exc.read().decode("utf-8", "replace").strip()[:500]
            return Outcome(str(path), False, reason=f"{path}: the server answered {exc.code}: {reason}")
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot reach the server at {server}: {getattr(exc, 'reason', exc)}") from None
    reason = body.get("reason")
    if reason:
        reason = reason.replace(body.get("source") or path.name, str(path), 1)
    return Outcome(str(path), bool(body.get("accepted")), body.get("key"), int(body.get("asserted") or 0),
                   int(body.get("inferred") or 0), [], reason)


def ingest_via_server(
    server: str, files: Iterable[Path], token: str | None, on_outcome: Callable[[Outcome], None] | None = None,
    jobs: int | None = None,
) -> list[Outcome]:
    """Every file through the server: prepared here by ``jobs`` workers and sent many to a request
    (``POST /ingest/batch``), or one file a request (``POST /ingest``) to a server that has no batches.

    Reports are prepared by this machine's cores with the same pipeline as a local ingest (read, extract, map,
    validate, infer); the server, the store's one writer, writes each batch in bulk. A batch holds as many reports
    as fit in the server's body limit. Each report is whole in the store or absent, whatever is killed when.
    """
    files = list(files)
    info = batch_info(server, token)
    outcomes: list[Outcome] = []

    def emit(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    if info is None:  # an older server: one file a request
        for path in files:
            emit(post_file(server, path, token))
        return outcomes
    from .parallel import iter_prepared
    from .reference import load_reference

    reference = load_reference(info["base"])
    if reference.version != info["reference"]:
        raise StoreError(f"{server} runs other reference data ({info['reference']}) than this ssekg "
                         f"({reference.version}): use the same version on both sides")
    # A batch is sent gzipped: it must fit the server's body limit compressed and its batch limit uncompressed.
    # The compressed size is estimated from the ratio the last batch had (N-Quads of reports compress about 10:1);
    # a batch the server still finds too large is split in two and sent again.
    body_limit = int(info["max_request_bytes"] * 0.85)
    raw_limit = int(info.get("max_batch_bytes", info["max_request_bytes"]) * 0.9)
    ratio = 3.0  # raw bytes per compressed byte, until a batch says better
    pending: list = []  # results in input order, rejected ones too, since the last batch was sent
    size = 0

    def post(accepted: list) -> dict[str, dict]:
        nonlocal ratio
        try:
            answers, measured = post_batch(server, token, accepted, reference.version)
        except _TooLarge:
            if len(accepted) == 1:
                return {accepted[0].key: {"accepted": False, "reason": "larger than the server takes in one request "
                                                                       "(max_request_bytes, max_batch_bytes)"}}
            ratio = max(1.0, ratio / 2)
            half = len(accepted) // 2
            return {**post(accepted[:half]), **post(accepted[half:])}
        ratio = max(1.0, 0.8 * measured)  # a margin: the next batch may compress less well
        return answers

    def send() -> None:
        nonlocal pending, size
        batch, pending, size = pending, [], 0
        accepted = [r for r in batch if r.reason is None]
        answers = post(accepted) if accepted else {}
        for r in batch:
            if r.reason is not None:
                emit(r.outcome())
                continue
            answer = answers.get(r.key) or {"accepted": False, "reason": "the server did not answer for it"}
            if answer.get("accepted"):
                emit(Outcome(r.source, True, r.key, r.asserted, r.inferred, r.problems))
            else:
                emit(Outcome(r.source, False, r.key, reason=f"{r.source}: {answer.get('reason')}"))

    base = info["base"]
    for results in iter_prepared(files, reference, jobs=jobs, keep_cards=True):
        for r in results:
            weight = 0
            if r.reason is None:  # what it adds to the body: its quads, and its card's JSON
                r.quads = _as_quads(r, base).encode("utf-8")
                weight = len(r.quads) + len((r.card_json or "").encode("utf-8")) + 64
            if pending and (size + weight > raw_limit or (size + weight) / ratio > body_limit):
                send()
            pending.append(r)
            size += weight
    if pending:
        send()
    return outcomes


class _TooLarge(Exception):
    """The server found a batch larger than it takes (413)."""


def _request(server: str, path: str, token: str | None, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> urllib.request.Request:
    request = urllib.request.Request(f"{server.rstrip('/')}{path}", data=data, method="GET" if data is None else "POST",
                                     headers=headers or {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    return request


def batch_info(server: str, token: str | None) -> dict | None:
    """What the server's batches must match (base, reference version, body limit); None when it has no batches."""
    try:
        with urllib.request.urlopen(_request(server, "/ingest/batch", token), timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 405):
            return None
        if exc.code in (401, 403):
            raise StoreError(f"{server} refused the upload ({exc.code}): set update_token (SSEKG_UPDATE_TOKEN) to the "
                             "server's token") from None
        raise StoreError(f"{server} answered {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot reach the server at {server}: {getattr(exc, 'reason', exc)}") from None


def post_batch(server: str, token: str | None, results: list, reference: str,
               timeout: float = 600.0) -> tuple[dict[str, dict], float]:
    """Send prepared reports (each with its ``quads``, see :func:`_as_quads`) in one gzipped request; the server's
    answer for each, by key, and how well the batch compressed (raw bytes per sent byte)."""
    quads = b"".join(r.quads for r in results)
    # the cards as the workers wrote them (JSON text), put together as one object without parsing them again
    cards = [f"{json.dumps(r.key)}:{r.card_json}" for r in results if r.card_json]
    raw = len(quads)
    parts = [("quads", "batch.nq.gz", "application/gzip", gzip.compress(quads, compresslevel=3, mtime=0))]
    if cards:
        text = ("{" + ",".join(cards) + "}").encode("utf-8")
        raw += len(text)
        parts.append(("cards", "cards.json.gz", "application/gzip", gzip.compress(text, compresslevel=3, mtime=0)))
    boundary = "ssekg-" + uuid.uuid4().hex
    body = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
        f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n" for name, filename, ctype, data in parts
    ) + f"--{boundary}--\r\n".encode()
    request = _request(server, "/ingest/batch", token, body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-SSEKG-Reference": reference})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        text = exc.read(2000).decode("utf-8", "replace").strip()
        if exc.code in (401, 403):
            raise StoreError(f"{server} refused the upload ({exc.code}): set update_token (SSEKG_UPDATE_TOKEN) to the "
                             "server's token") from None
        if exc.code == 413:
            raise _TooLarge(text) from None
        raise StoreError(f"{server} refused a batch of {len(results)} reports ({exc.code}): {text}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot reach the server at {server}: {getattr(exc, 'reason', exc)}; the reports of the "
                         "batch in flight may be missing (each is whole or absent): ingest again to be sure") from None
    return {item["key"]: item for item in answer.get("reports", [])}, raw / max(1, len(body))


def _as_quads(result, base: str) -> str:
    """A prepared report's two graphs as N-Quads: its N-Triples lines (as Oxigraph wrote them, one triple a line
    ending in " ."), each given its graph. Split on "\\n" only: a literal may hold U+2028 and the like unescaped."""
    from ssekg.namespaces import inferred_graph_iri, report_iri

    out = []
    for graph, body in ((report_iri(base, result.key), result.asserted_nt),
                        (inferred_graph_iri(base, result.key), result.inferred_nt)):
        suffix = f" <{graph}> .\n"
        for line in body.split("\n"):
            line = line.rstrip(" \r")
            if line:
                if not line.endswith(" ."):
                    raise ValueError(f"not a line of N-Triples: {line[:80]!r}")
                out.append(line[:-2] + suffix)
    return "".join(out)
