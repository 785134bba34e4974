"""Ingest through a running server: the client side of ``POST /ingest``.

The embedded store admits one writer, and while ``ssekg serve`` runs that writer is the server. Sending each
file to the server keeps one writer and makes each report visible to queries as soon as it is in, all or
nothing. The token comes from the ``update_token`` setting (file or SSEKG_UPDATE_TOKEN), never the command line.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from ssekg.errors import StoreError

from .pipeline import Outcome


def post_file(server: str, path: Path, token: str | None, timeout: float = 300.0) -> Outcome:
    """Send one file; the server answers with the same Outcome the local pipeline would give."""
    url = f"{server.rstrip('/')}/ingest?" + urllib.parse.urlencode({"filename": path.name})
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Outcome(str(path), False, reason=f"{path}: cannot be read ({exc.strerror or exc})")
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/octet-stream"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
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
    server: str, files: Iterable[Path], token: str | None, on_outcome: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    outcomes = []
    for path in files:
        outcome = post_file(server, path, token)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes
