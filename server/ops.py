"""Operations: /health, /metrics (Prometheus text), CORS on the read-only routes, structured access logs."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .state import BUCKETS

log = logging.getLogger("ssekg.access")

#: seconds /health waits for a remote store's answer
HEALTH_SECONDS = 5.0

#: The pages' Content-Security-Policy: scripts and styles from this server only (no inline script anywhere: the
#: pages' data travels in ``application/json`` blocks), no plugins, no framing, forms post here only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def is_read_only() -> bool:
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return True
    if request.endpoint == "protocol.sparql" and request.method == "POST":
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            return False  # refused (413) before it was read; reading the form here would raise
        try:
            return request.mimetype != "application/sparql-update" and "update" not in request.args and (
                request.mimetype != "application/x-www-form-urlencoded" or "update" not in request.form
            )
        except HTTPException:
            return False
    return False


def server_timing(stages: dict[str, float]) -> str:
    """A ``Server-Timing`` header value: ``name;dur=milliseconds`` per stage, in the order noted."""
    return ", ".join(f"{name};dur={seconds * 1000:.3f}" for name, seconds in stages.items())


def install(app: Flask) -> None:
    _configure_logging()
    state = app.extensions["ssekg"]

    @app.before_request
    def start_timer() -> None:
        g.started = time.monotonic()

    @app.after_request
    def finish(response: Response) -> Response:
        # the review pages hold the reports' texts and take a curator's credential: never shared with other sites
        if state.settings.cors and is_read_only() and request.blueprint != "review":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = ("Content-Type, X-SSEKG-Rows, X-SSEKG-Truncated, "
                                                                 "X-SSEKG-Counted-From")
            response.headers["Timing-Allow-Origin"] = "*"
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Accept-Language"
                response.headers["Access-Control-Max-Age"] = "86400"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype in ("text/html", "application/xhtml+xml"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
        seconds = time.monotonic() - g.get("started", time.monotonic())
        # where the time went (W3C Server Timing): the query's stages, then the whole request in the app
        response.headers["Server-Timing"] = server_timing({**g.get("stages", {}), "app": seconds})
        route = request.url_rule.rule if request.url_rule else "(unmatched)"
        state.metrics.observe(route, request.method, response.status_code, seconds)
        record: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "remote": request.remote_addr, "method": request.method,
            "path": request.path, "route": route, "status": response.status_code,
            "ms": round(seconds * 1000, 2), "bytes": response.calculate_content_length(),
            "ua": request.headers.get("User-Agent", ""),
        }
        if "sparql_query" in g:
            record["query_chars"] = len(g.sparql_query)
        log.info(json.dumps(record, ensure_ascii=False))
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response:
        """A 500 says that something failed and where to look, never what: the details go to the log."""
        if isinstance(exc, HTTPException):
            return http_error(exc)
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return Response("500 Internal Server Error: the request failed; the server's log has the details\n",
                        status=500, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = Response(f"{exc.code} {exc.name}: {exc.description}\n", status=exc.code, mimetype="text/plain")
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.route("/health")
    def health() -> Any:
        backend = state.backend
        try:
            # the embedded store is read; a remote store must answer ASK {} within HEALTH_SECONDS
            backend.health(min(HEALTH_SECONDS, float(state.settings.query_timeout)))
            return jsonify({"status": "ok", "backend": backend.kind})
        except Exception:  # the store cannot be opened, read or reached: the operator reads why in the log
            current_app.logger.exception("health: the store does not answer")
            return jsonify({"status": "error", "backend": backend.kind,
                            "error": "the store does not answer (the server's log says why)"}), 503

    @app.route("/metrics")
    def metrics() -> Response:
        m = state.metrics
        lines = [
            "# HELP ssekg_http_requests_total HTTP requests by route, method and status.",
            "# TYPE ssekg_http_requests_total counter",
        ]
        for (route, method, status), n in sorted(m.requests.items()):
            lines.append(f'ssekg_http_requests_total{{route="{_esc(route)}",method="{method}",status="{status}"}} {n}')
        lines += [
            "# HELP ssekg_http_request_duration_seconds Request latency by route.",
            "# TYPE ssekg_http_request_duration_seconds histogram",
        ]
        for route, hist in sorted(m.latency.items()):
            r = _esc(route)
            for bound, count in zip(BUCKETS, hist):
                lines.append(f'ssekg_http_request_duration_seconds_bucket{{route="{r}",le="{bound}"}} {count}')
            lines.append(f'ssekg_http_request_duration_seconds_bucket{{route="{r}",le="+Inf"}} {hist[len(BUCKETS)]}')
            lines.append(f'ssekg_http_request_duration_seconds_count{{route="{r}"}} {hist[len(BUCKETS)]}')
            lines.append(f'ssekg_http_request_duration_seconds_sum{{route="{r}"}} {hist[len(BUCKETS) + 1]:.6f}')
        lines += ["# HELP ssekg_sparql_queries_total SPARQL queries received.",
                  "# TYPE ssekg_sparql_queries_total counter", f"ssekg_sparql_queries_total {m.queries}",
                  "# HELP ssekg_sparql_query_errors_total SPARQL queries that failed, by kind.",
                  "# TYPE ssekg_sparql_query_errors_total counter"]
        for kind in sorted(set(m.query_errors) | {"syntax", "timeout", "evaluation", "refused", "not_acceptable", "unavailable"}):
            lines.append(f'ssekg_sparql_query_errors_total{{kind="{kind}"}} {m.query_errors.get(kind, 0)}')
        lines += ["# HELP ssekg_sparql_query_timeouts_total SPARQL queries stopped at the time limit.",
                  "# TYPE ssekg_sparql_query_timeouts_total counter", f"ssekg_sparql_query_timeouts_total {m.timeouts}"]
        lines += ["# HELP ssekg_sparql_queries_refused_total SPARQL queries not admitted: 429 one client's limit, 503 all.",
                  "# TYPE ssekg_sparql_queries_refused_total counter"]
        for status, n in sorted(state.admission.refused.items()):
            lines.append(f'ssekg_sparql_queries_refused_total{{status="{status}"}} {n}')
        retries = state.backend.retries
        lines += ["# HELP ssekg_sparql_fork_retries_total Query processes killed and forked again because they could not read the store.",
                  "# TYPE ssekg_sparql_fork_retries_total counter", f"ssekg_sparql_fork_retries_total {retries}"]
        try:
            triples = state.triple_count()
            lines += ["# HELP ssekg_store_triples Triples in the default graph (the union of all graphs).",
                      "# TYPE ssekg_store_triples gauge", f"ssekg_store_triples {triples}"]
        except Exception:
            pass
        lines += ["# HELP ssekg_uptime_seconds Seconds since the server process started.",
                  "# TYPE ssekg_uptime_seconds gauge", f"ssekg_uptime_seconds {time.time() - state.started:.0f}"]
        return Response("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8")


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
