"""Named queries over HTTP: ``/queries`` (the list) and ``/queries/NAME?param=value`` (one answer).

The queries are the analysts' ``queries/*.rq`` (``ssekg.query.named_queries``). Parameters are bound as RDF terms
by ``ssekg.query.bind_params`` and written in as terms by the runner (``ssekg.binding.bind_values``), never pasted
as text; an unknown parameter or a
malformed value of a typed one is refused with 400 and the reason. The query runs in the same forked executor as
``/sparql`` (``QueryRunner``), so the time limit (``query_timeout``) and the row limit (``max_rows``) apply, and the
parameter columns the query projects only to have them substituted are left out of the answer, as ``run_query``
does: the columns are the documented ones.

Formats: a suffix (``/queries/NAME.csv``: csv, tsv, json, xml, html), ``?format=`` (the same names, or a media
type), or ``Accept`` (SPARQL JSON, XML, CSV, TSV; an HTML table for browsers).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)

from ssekg import query as query_module
from ssekg.query import NamedQuery, QueryError, bind_params, named_queries

from . import formats
from .admission import Busy
from .executor import QueryFailed
from .protocol import admitted_run, public_root, server_failure, text_error, too_large, wants_html

bp = Blueprint("queries", __name__)

#: suffixes of /queries/NAME.SUFFIX and the ``format`` values that ask for the HTML table
SUFFIXES = {"csv": "csv", "tsv": "tsv", "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "html": "html"}
#: query-string keys that are not parameters of the query
RESERVED = {"format"}


def state():
    return current_app.extensions["ssekg"]


def columns_of(named: NamedQuery) -> list[str]:
    """The documented columns: the outer SELECT's variables, without the parameters."""
    text = "\n".join(line for line in named.text.splitlines() if not line.lstrip().startswith("#"))
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", text, re.S | re.I) or re.search(r"\bSELECT\b(.*?)\{", text, re.S | re.I)
    if not match:
        return []
    projection, out, depth, i = match.group(1), [], 0, 0
    for token in re.finditer(r"\(|\)|\bAS\s+\?(\w+)|\?(\w+)", projection, re.I):
        if token.group(0) == "(":
            depth += 1
        elif token.group(0) == ")":
            depth -= 1
        elif token.group(1):
            out.append(token.group(1))
        elif depth == 0:
            out.append(token.group(2))
    params = {p.name for p in named.params}
    return [c for c in dict.fromkeys(out) if c not in params and c not in {"DISTINCT", "REDUCED"}]


def describe(named: NamedQuery) -> dict[str, Any]:
    root = public_root()
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "params": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description,
             "scheme": p.scheme, "values": list(p.values) if p.values else None, "required": False}
            for p in named.params
        ],
        "columns": columns_of(named),
        "url": f"{root}queries/{named.name}",
        "csv": f"{root}queries/{named.name}.csv",
    }


@bp.route("/queries", methods=["GET", "HEAD", "OPTIONS"])
@bp.route("/queries/", methods=["GET", "HEAD", "OPTIONS"])
@bp.route("/queries.json", methods=["GET", "HEAD"], endpoint="list_json")
@bp.route("/queries.html", methods=["GET", "HEAD"], endpoint="list_html")
def list_queries() -> Any:
    if request.method == "OPTIONS":
        return Response(status=204)
    items = [describe(q) for q in named_queries().values()]
    fmt = (request.args.get("format") or "").lower()
    if request.endpoint == "queries.list_json":
        fmt = "json"
    elif request.endpoint == "queries.list_html":
        fmt = "html"
    if fmt == "html" or (not fmt and wants_html()):
        response = Response(render_template("queries.html", queries=items, lang="en", t=None))
    elif fmt in {"", "json", "application/json"}:
        response = jsonify({"queries": items})
    else:
        return text_error(406, "the list of named queries is offered as application/json or text/html")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/queries/<name>", methods=["GET", "HEAD", "OPTIONS"])
def run(name: str) -> Any:
    if request.method == "OPTIONS":
        return Response(status=204)
    refused = too_large()
    if refused:
        return refused
    queries = named_queries()
    suffix = None
    if name not in queries and "." in name:
        name, suffix = name.rsplit(".", 1)
        if suffix.lower() not in SUFFIXES:
            return text_error(404, f"unknown suffix .{suffix}: use one of " + ", ".join("." + s for s in SUFFIXES))
        suffix = SUFFIXES[suffix.lower()]
    if name not in queries:
        return text_error(404, f"no named query {name!r}; the named queries are: {', '.join(queries)} (see /queries)")
    named = queries[name]

    pairs: dict[str, str] = {}
    for key in request.args:
        if key in RESERVED:
            continue
        values = request.args.getlist(key)
        if len(values) != 1:
            return text_error(400, f"give the parameter {key} once, not {len(values)} times")
        pairs[key] = values[0]
    st = state()
    try:
        bindings = bind_params(named, pairs, st.base)
    except QueryError as exc:
        st.metrics.query_error("refused")
        return text_error(400, str(exc))

    format_param = suffix or request.args.get("format")
    html = format_param == "html" or (not format_param and wants_html())
    # a page is rendered from the JSON answer; otherwise as /sparql negotiates (once per Accept header)
    choose = (formats.negotiated("", "json") if html
              else formats.negotiated(request.headers.get("Accept", ""), format_param)).get

    options = {
        "substitutions": bindings or None,
        "hidden_columns": sorted(p.name for p in named.params),
    }
    if not st.is_remote:
        options["base_iri"] = public_root() + "queries/" + name
    st.metrics.queries += 1
    text, source = named.text, "statements"
    cube_text = query_module.cube_text(named, bindings)
    if cube_text is not None and cube_usable():
        text, source = cube_text, "cube"
    g.sparql_query = text
    try:
        answer = admitted_run(text, options, choose)
    except Busy as exc:
        return text_error(exc.status, exc.message, Retry_After="2")
    except QueryFailed as exc:
        st.metrics.query_error(exc.kind)
        if exc.kind == "timeout":
            return text_error(503, exc.message, Retry_After="5")
        if exc.kind == "not_acceptable":
            return text_error(406, "none of the requested formats is offered for this result; offered: "
                              + ", ".join(formats.offered("solutions")) + ", text/html")
        if exc.kind == "unavailable":
            return text_error(502, f"the SPARQL store behind this server failed: {exc.message}")
        return server_failure("the query failed while it ran", exc.message)
    if html:
        data = json.loads(answer.body)
        response = Response(render_template(
            "query_result.html", q=describe(named), values=pairs, head=data["head"]["vars"],
            rows=[[cell_view(row.get(v)) for v in data["head"]["vars"]] for row in data["results"]["bindings"]],
            truncated=answer.truncated, max_rows=st.settings.max_rows, query_string=request.query_string.decode(),
            lang="en", t=None,
        ))
    else:
        response = Response(answer.body, status=200, content_type=formats.content_type(answer.mimetype))
        if answer.mimetype in {"text/csv", "text/tab-separated-values"} and suffix:
            response.headers["Content-Disposition"] = f'inline; filename="{name}.{suffix}"'
    response.headers["Vary"] = "Accept"
    response.headers["X-SSEKG-Rows"] = str(answer.rows)
    response.headers["X-SSEKG-Counted-From"] = source
    if answer.truncated:
        response.headers["X-SSEKG-Truncated"] = f"true; max_rows={st.settings.max_rows}"
    return response


def cube_usable() -> bool:
    """Whether the store's comparison cube may answer (ssekg.cube.Status.usable), asked of the back end each time:
    a write in progress marks it pending, and the named query then counts from the statements."""
    from ssekg import cube

    try:
        rows = state().backend.select(cube.PROLOGUE_STATUS)
    except Exception:  # the store cannot say: count from the statements, which report their own failure
        return False
    return cube.status_from_rows(rows, state().base).usable


def cell_view(term: dict[str, Any] | None) -> dict[str, Any]:
    if term is None:
        return {"text": ""}
    if term["type"] == "uri":
        from .ld import local_href

        return {"text": term["value"], "href": local_href(term["value"])}
    value = term["value"]
    if re.fullmatch(r"https?://\S+", value):  # a source address given as a literal (schema:url)
        return {"text": value, "href": value}
    return {"text": value, "lang": term.get("xml:lang")}


def query_url(name: str, suffix: str = "", **params: str) -> str:
    return url_for("queries.run", name=name + suffix, **params)
