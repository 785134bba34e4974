"""The SPARQL 1.1 Protocol (/sparql), the Graph Store HTTP Protocol (/store) and report upload (/ingest)."""

from __future__ import annotations

import hmac
import json
import re
import time
import uuid
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from ssekg import cube
from ssekg.errors import StoreError
from ssekg.namespaces import SSE
from ssekg.outbound import Refused, check_text
from ssekg.store import from_ox

from . import formats
from .admission import Busy, client_of
from .executor import QueryFailed
from .sparqltext import TextError, inject_using, tokens

bp = Blueprint("protocol", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

#: appended to every SPARQL Update, in the same request: keep the default graph the union of the named graphs
RESYNC = (
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
)


def state():
    return current_app.extensions["ssekg"]


def text_error(status: int, message: str, **headers: str) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def server_failure(what: str, detail: str) -> Response:
    """A 500 that says what failed and an id to find it by in the log; the details (exception classes, messages
    that may quote a store's or a remote's answer) stay in the log."""
    error_id = uuid.uuid4().hex[:12]
    current_app.logger.error("error %s: %s: %s", error_id, what, detail)
    return text_error(500, f"{what} (error {error_id}; the server's log has the details)")


def refusal(exc: Refused) -> str:
    """The 400 message of a refused SPARQL text: the reason and what to do."""
    return f"refused: {exc.reason}" + (f"\nhint: {exc.hint}" if exc.hint else "")


#: Host names a request may name without ``public_url`` set: the machine itself.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def public_root() -> str:
    """The server's address in absolute URLs (service description, Location, VoID): ``public_url``, else the
    request's own address when it names this machine, else the address served on. A ``Host`` header never puts
    another site's name into our answers."""
    settings = state().settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    host = (request.host or "").rsplit(":", 1)[0].lower() if not request.host.startswith("[") else \
        request.host.split("]", 1)[0] + "]"
    if host in LOCAL_HOSTS or host == str(settings.host).lower():
        return request.url_root
    return f"http://{settings.host}:{settings.port}/"


def endpoint_url() -> str:
    return public_root() + "sparql"


def wants_html() -> bool:
    """True when the client names HTML explicitly (a browser), and prefers it to every RDF or results type."""
    explicit = {value.split(";")[0].strip().lower(): q for value, q in request.accept_mimetypes}
    html = max(explicit.get("text/html", 0), explicit.get("application/xhtml+xml", 0))
    if html <= 0:
        return False
    others = [q for mime, q in explicit.items() if mime not in {"text/html", "application/xhtml+xml", "*/*"}
              and not mime.endswith("/*") and mime not in {"application/xml"}]
    return html >= max(others, default=0)


def check_token() -> Response | None:
    """None if the request carries the update token; else the 401/403 response."""
    token = state().settings.update_token
    if not token:
        return text_error(403, "writes are disabled on this server: no update_token is configured")
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":  # auth schemes are case-insensitive (RFC 9110 §11.1)
        return text_error(401, "this operation needs `Authorization: Bearer <token>`", WWW_Authenticate='Bearer realm="ssekg"')
    if not hmac.compare_digest(credentials.strip().encode(), str(token).encode()):
        return text_error(403, "the bearer token is not the update token")
    return None


def utf8_body() -> str | Response:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in {"utf-8", "utf8"}:
        return text_error(415, f"only UTF-8 is accepted, not charset={charset}")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        return text_error(400, f"the request body is not UTF-8: {exc}")


def too_large() -> Response | None:
    limit = state().settings.max_request_bytes
    if request.content_length is not None and request.content_length > limit:
        return text_error(413, f"the request body is larger than {limit} bytes (max_request_bytes)")
    if len(request.query_string) > limit:
        return text_error(414, f"the request's query string is longer than {limit} bytes (max_request_bytes)")
    return None


# --------------------------------------------------------------------------------------------------------------
@bp.route("/sparql", methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
@bp.route("/sparql/", methods=["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
def sparql() -> Any:
    if request.method not in {"GET", "POST", "HEAD", "OPTIONS"}:
        return text_error(405, "the SPARQL endpoint takes GET and POST", Allow="GET, POST, HEAD, OPTIONS")
    if request.method == "OPTIONS":
        return Response(status=204)
    refused = too_large()
    if refused:
        return refused
    params = request.args
    queries, updates = params.getlist("query"), params.getlist("update")
    if request.method in {"GET", "HEAD"}:
        if updates:
            return text_error(405, "SPARQL Update must be sent with POST", Allow="POST")
        if not queries:
            if wants_html():
                return render_template("yasgui.html", **ui_context())
            from .describe import service_description

            return service_description()
        if len(queries) > 1:
            return text_error(400, "give exactly one `query` parameter")
        return run_query(queries[0], params)
    # POST
    mimetype = request.mimetype
    if mimetype == FORM:
        form = request.form
        queries = queries + form.getlist("query")
        updates = updates + form.getlist("update")
        merged = params.copy()
        for key, values in form.lists():
            merged.setlist(key, merged.getlist(key) + values)
        if len(queries) + len(updates) != 1:
            return text_error(400, "give exactly one `query` or one `update` parameter")
        if queries:
            return run_query(queries[0], merged)
        return run_update(updates[0], merged)
    if mimetype in {QUERY_TYPE, UPDATE_TYPE}:
        if queries or updates:
            return text_error(400, "the query is in the body: do not also give a `query` or `update` parameter")
        body = utf8_body()
        if isinstance(body, Response):
            return body
        return run_query(body, params) if mimetype == QUERY_TYPE else run_update(body, params)
    if not mimetype:
        return text_error(415, "POST needs a Content-Type: application/x-www-form-urlencoded, "
                          f"{QUERY_TYPE} or {UPDATE_TYPE}")
    return text_error(415, f"unsupported Content-Type {mimetype}; use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")


def dataset_options(params: Any, prefix: str = "") -> dict[str, Any]:
    default = params.getlist(f"{prefix}default-graph-uri")
    named = params.getlist(f"{prefix}named-graph-uri")
    options: dict[str, Any] = {}
    if default or named:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default]
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    return options


def run_query(query: str, params: Any) -> Response:
    st = state()
    began = time.monotonic()
    try:
        check_text(query, allow=st.settings.outbound_allow)
    except Refused as exc:
        st.metrics.query_error("refused")
        return text_error(400, refusal(exc))
    try:
        options = dataset_options(params)
    except ValueError as exc:
        return text_error(400, f"bad graph IRI: {exc}")
    if not st.is_remote:
        options["base_iri"] = endpoint_url()
    choose = formats.negotiated(request.headers.get("Accept", ""), params.get("format") or params.get("output")).get

    st.metrics.queries += 1
    g.sparql_query = query
    stage(check=time.monotonic() - began)
    try:
        answer = admitted_run(query, options, choose)
    except Busy as exc:
        return text_error(exc.status, exc.message, Retry_After="2")
    except QueryFailed as exc:
        st.metrics.query_error(exc.kind)
        if exc.kind == "syntax":
            return text_error(400, f"SPARQL syntax error: {exc.message}")
        if exc.kind == "timeout":
            return text_error(503, exc.message, Retry_After="5")
        if exc.kind == "not_acceptable":
            offers = formats.offered(exc.result_kind or "solutions")
            return text_error(406, "none of the requested formats is offered for this result; offered: "
                              + ", ".join(offers))
        if exc.kind == "unavailable":
            return text_error(502, f"the SPARQL store behind this server failed: {exc.message}")
        return server_failure("the query failed while it ran", exc.message)
    response = Response(answer.body, status=200, content_type=formats.content_type(answer.mimetype))
    response.headers["Vary"] = "Accept"
    response.headers["X-SSEKG-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["X-SSEKG-Truncated"] = f"true; max_rows={st.settings.max_rows}"
    if answer.mimetype == "text/csv" and request.method == "GET" and params.get("format"):
        response.headers["Content-Disposition"] = 'inline; filename="results.csv"'
    return response


def stage(**seconds: float) -> None:
    """Note where a request's time went (``Server-Timing``, written by ``ops``)."""
    g.setdefault("stages", {}).update(seconds)


def admitted_run(query: str, options: dict[str, Any], choose: Any) -> Any:
    """The runner's answer to a client's query once admission gives it a place; the stages noted."""
    st = state()
    waited = time.monotonic()
    with st.admission.query(client_of(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                      st.settings.trusted_proxies)):
        stage(admit=time.monotonic() - waited)
        answer = st.runner.run(query, options, choose)
    stage(**answer.stages)
    return answer


def has_operations(update: str) -> bool:
    return any(kind == "word" and value not in {"PREFIX", "BASE"} for kind, value, _, depth in tokens(update)
               if depth == 0)


def ends_open(update: str) -> bool:
    """True when the update ends with ';' (possibly followed by PREFIX/BASE): RESYNC then needs no ';'."""
    last = None
    for kind, value, _, depth in tokens(update):
        if depth == 0 and not (kind == "word" and value in {"PREFIX", "BASE"}) and kind != "iri":
            last = kind
    return last == "semi"


def run_update(update: str, params: Any) -> Response:
    denied = check_token()
    if denied:
        return denied
    st = state()
    try:
        check_text(update, update=True, allow=st.settings.outbound_allow)
        update = inject_using(update, params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri"))
    except Refused as exc:
        return text_error(400, refusal(exc))
    except TextError as exc:
        return text_error(400, str(exc))
    full = update
    if has_operations(update) and not st.is_remote:  # a remote store keeps no materialised default graph
        full = update + "\n" + ("" if ends_open(update) else ";\n") + RESYNC
    with st.write_lock:
        st.settle_cube_now()  # a client's batches first (ServerState.settle_cube_now)
        try:
            # an update can change any count, and which cannot be told from its text: the comparison cube is marked
            # behind (the named queries count from the statements meanwhile) and counted again after it
            store = st.backend.writable_store()
            marker = cube.mark_pending(store) if cube.status(store).present else None
            try:
                st.backend.update(full, endpoint_url())
            except Exception:
                if marker:  # refused as a whole: nothing changed, the marker goes
                    cube.apply(store, cube.Counts(), marker)
                raise
            if marker:
                cube.rebuild(store)
        except SyntaxError as exc:
            return text_error(400, f"SPARQL Update syntax error: {exc}")
        except StoreError as exc:  # the remote store refused it or cannot be reached
            return text_error(502, f"the SPARQL store behind this server failed: {exc}")
        except Exception as exc:
            return server_failure("the update failed", f"{type(exc).__name__}: {exc}")
    return Response(status=204)


# --------------------------------------------------------------------------------------------------------------
def default_graph_iri() -> str:
    return f"{state().base}graph/default"


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
@bp.route("/store/<path:rest>", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"])
def graph_store(rest: str | None = None) -> Any:
    st = state()
    if request.method == "OPTIONS":
        return Response(status=204)
    refused = too_large()
    if refused:
        return refused
    if rest is not None:
        target: str | None = public_root() + "store/" + rest
        if "graph" in request.args or "default" in request.args:
            return text_error(400, "a graph named by the request path takes no `graph` or `default` parameter")
    elif "default" in request.args:
        if "graph" in request.args:
            return text_error(400, "give `graph` or `default`, not both")
        target = None  # the default graph
    elif "graph" in request.args:
        graphs = request.args.getlist("graph")
        if len(graphs) != 1:
            return text_error(400, "give exactly one `graph` parameter")
        target = graphs[0]
        try:
            ox.NamedNode(target)
        except ValueError as exc:
            return text_error(400, f"bad graph IRI: {exc}")
    elif request.method == "POST":
        target = public_root() + "store/" + uuid.uuid4().hex
        return gsp_write(target, create=True)
    else:
        return text_error(400, "name a graph: ?graph=<IRI>, ?default, or a path under /store/")
    if request.method in {"GET", "HEAD"}:
        return gsp_get(target)
    return gsp_write(target)


def gsp_get(target: str | None) -> Response:
    st = state()
    chosen = formats.choose("graph", request.accept_mimetypes, bool(request.headers.get("Accept")),
                            request.args.get("format"))
    if chosen is None:
        return text_error(406, "offered: " + ", ".join(formats.offered("graph")))
    try:
        if target is not None and not st.backend.has_graph(target):
            return text_error(404, f"no graph <{target}> in the store")
        triples = st.backend.graph_triples(target)
    except StoreError as exc:
        return text_error(502, f"the SPARQL store behind this server failed: {exc}")
    prefixes = st.prefixes if chosen[1] in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG} else None
    body = ox.serialize(triples, format=chosen[1], prefixes=prefixes)
    response = Response(body if request.method == "GET" else b"", content_type=formats.content_type(chosen[0]))
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(len(body))
    response.headers["Vary"] = "Accept"
    return response


def parse_rdf(data: bytes, mimetype: str, filename: str | None, base_iri: str) -> list[Any]:
    fmt = ox.RdfFormat.from_media_type(mimetype) if mimetype else None
    if fmt is None and filename and "." in filename:
        fmt = ox.RdfFormat.from_extension(filename.rsplit(".", 1)[1])
    if fmt is None:
        raise ValueError(f"unsupported RDF media type {mimetype or '(none)'}")
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_xml_declarations(data)
    return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in ox.parse(data, format=fmt, base_iri=base_iri)]


_XML_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_xml_declarations(data: bytes) -> None:
    """RDF/XML with a DOCTYPE or ENTITY declaration is refused: the parser expands entities, and a kilobyte of
    nested entities becomes a gigabyte literal (the "billion laughs"). RDF/XML never needs them. The check reads
    the bytes as UTF-8, the only encoding accepted, so a declaration cannot hide in UTF-16."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"RDF/XML must be UTF-8: {exc.reason} at byte {exc.start}") from None
    if _XML_DECLARATION.search(text):
        raise ValueError("RDF/XML with a DOCTYPE or ENTITY declaration is refused (entities are not expanded here)")


def gsp_write(target: str | None, create: bool = False) -> Response:
    denied = check_token()
    if denied:
        return denied
    st = state()
    name = default_graph_iri() if target is None else target
    new_triples: list[Any] = []
    if request.method in {"PUT", "POST"}:
        try:
            if request.mimetype == "multipart/form-data":
                for part in request.files.values():
                    new_triples += parse_rdf(part.read(), part.mimetype, part.filename, name)
            else:
                new_triples = parse_rdf(request.get_data(), request.mimetype, None, name)
        except (SyntaxError, ValueError) as exc:
            return text_error(400, f"cannot read the RDF payload: {exc}")
    with st.write_lock:
        st.settle_cube_now()  # a client's batches first (ServerState.settle_cube_now)
        try:
            store = st.backend.writable_store()
            existed = store.has_graph(name)
            if request.method == "DELETE":
                if not existed:
                    return text_error(404, f"no graph <{name}> in the store")
                store.replace_graphs({name: []})
                return Response(status=204)
            if request.method == "POST" and existed:
                new_triples = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                               for t in st.backend.graph_triples(name)] + new_triples
            if not new_triples and request.method == "PUT":
                # an empty graph cannot be stored in a quad store: PUT of nothing clears it
                store.replace_graphs({name: []})
            else:
                store.replace_graphs({name: new_triples})
        except StoreError as exc:
            return text_error(502, f"the SPARQL store behind this server failed: {exc}")
    response = Response(status=201 if (create or not existed) else 204)
    if create:
        response.headers["Location"] = name
    return response


# --------------------------------------------------------------------------------------------------------------
@bp.route("/ingest", methods=["POST"])
def ingest() -> Any:
    """Ingest one card or report while serving: `POST /ingest?filename=x.yaml` (or multipart `file`), token needed."""
    denied = check_token()
    if denied:
        return denied
    refused = too_large()
    if refused:
        return refused
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file") or next(iter(request.files.values()), None)
        if part is None:
            return text_error(400, "send the file as the multipart part `file`")
        data, filename = part.read(), request.args.get("filename") or part.filename or ""
    else:
        data, filename = request.get_data(), request.args.get("filename", "")
    if not filename:
        return text_error(400, "say the file's name (its suffix tells a card from a report): ?filename=report.yaml")
    filename = re.sub(r"[^\w.\-]", "_", filename.rsplit("/", 1)[-1])
    from ssekg.ingest.pipeline import ingest_bytes

    st = state()
    with st.write_lock:
        st.settle_cube_now()  # a client's batches first (ServerState.settle_cube_now)
        try:
            outcome = ingest_bytes(st.backend.writable_store(), data, filename, st.settings.review_path)
        except StoreError as exc:
            return text_error(502, f"the SPARQL store behind this server failed: {exc}")
    body = {
        "source": outcome.source, "accepted": outcome.accepted, "key": outcome.key,
        "asserted": outcome.asserted, "inferred": outcome.inferred, "reason": outcome.reason,
        "problems": [str(p) for p in getattr(outcome, "problems", [])],
    }
    return jsonify(body), (200 if outcome.accepted else 422)


_REVISION_NUMBER = ox.NamedNode(str(SSE.revisionNumber))
#: what a batch's graphs may be named (the report's own graph and its inferred graph) and a report's key
_BATCH_GRAPH = re.compile(r"^(report/|graph/inferred/)([0-9a-f]{16})$")


@bp.route("/ingest/batch", methods=["GET", "POST"])
def ingest_batch() -> Any:
    """Reports prepared by the client (``ssekg ingest --server``), many per request, written in bulk (issue 15).

    ``GET`` says what a batch must match (this server's base, reference-data version and body limit). ``POST`` is
    ``multipart/form-data`` with ``quads``: N-Quads of each report's graph (``{base}report/KEY``) and inferred graph
    (``{base}graph/inferred/KEY``), nothing else; and optionally ``cards``: JSON ``{KEY: card}`` of the reports read
    from texts, kept for the review pages. The client prepared the reports with the same pipeline (the reference
    version must be this server's: 409 otherwise); the token holder could write any triple by SPARQL Update, so the
    server does not validate them again, but it refuses whatever is not a report's graphs. Each report is written
    whole or not at all (Oxigraph's bulk loader under its journal for new reports, one update for the others).
    """
    denied = check_token()
    if denied:
        return denied
    from ssekg.ingest.reference import ensure_reference, load_reference

    from ssekg import __version__

    st = state()
    store = st.backend.writable_store()
    reference = load_reference(st.base, store if not st.is_remote else None)
    if request.method == "GET":
        return jsonify({"base": st.base, "reference": reference.version, "version": __version__,
                        "max_request_bytes": st.settings.max_request_bytes,
                        "max_batch_bytes": st.settings.max_batch_bytes})
    refused = too_large()
    if refused:
        return refused
    if request.headers.get("X-SSEKG-Reference") != reference.version:
        return text_error(409, f"the batch was prepared with other reference data than this server's ({reference.version}): "
                               "prepare it with the same ssekg version as the server's")
    if request.mimetype != "multipart/form-data" or "quads" not in request.files:
        return text_error(400, "send the prepared reports as multipart/form-data: a part `quads` (N-Quads) and "
                               "optionally a part `cards` (JSON {key: card})")
    limit = int(st.settings.max_batch_bytes)
    try:
        quads = gunzipped(request.files["quads"].read(), limit)
        cards_data = gunzipped(request.files["cards"].read(), limit) if "cards" in request.files else b""
        if len(quads) + len(cards_data) > limit:
            raise OverflowError
        reports = batch_reports(quads, st.base)
        cards = batch_cards(cards_data, reports)
    except OverflowError:
        return text_error(413, f"the batch is larger than {limit} bytes uncompressed (max_batch_bytes): send fewer "
                               "reports a request")
    except ValueError as exc:
        return text_error(400, f"not a batch of reports: {exc}; nothing was stored")
    from ssekg.ingest.parallel import BATCH, _Writer
    from ssekg.ingest.review import archive_card

    with st.write_lock:
        try:
            ensure_reference(store, reference)
            for card in cards:
                archive_card(st.settings.review_path, card)  # before the write: a crash leaves a card no report names
            writer = _Writer(store, BATCH, bulk=True, cube_run=st.batch_cube_run(store))
            for result in reports:
                writer.add(result)
            written = writer.flush()
        except StoreError as exc:
            return text_error(502, f"the SPARQL store behind this server failed: {exc}")
        finally:
            st.settle_cube_later()
    st.changed()
    return jsonify({"reports": [{"key": r.key, "accepted": r.reason is None, "reason": r.reason,
                                 "asserted": r.asserted, "inferred": r.inferred} for r in written]})


def gunzipped(data: bytes, limit: int) -> bytes:
    """A part as sent: gzip (by its magic number) is inflated, never past ``limit`` bytes (OverflowError: a small
    body cannot grow into a large one); anything else is taken as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    import zlib

    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"a part is not valid gzip ({exc})") from None
    if len(out) > limit or inflate.unconsumed_tail:
        raise OverflowError
    if not inflate.eof or inflate.unused_data:
        raise ValueError("a part is truncated gzip, or more than one gzip member")
    return out


def batch_reports(data: bytes, base: str) -> list[Any]:
    """The reports of a batch's N-Quads, one Result each (ingest/parallel.py); ValueError for anything else."""
    import pyoxigraph as ox
    from ssekg.ingest.parallel import Result

    graphs: dict[str, dict[str, list[str]]] = {}
    blank: set[str] = set()
    revisions: dict[str, int] = {}
    try:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            name = quad.graph_name
            if not isinstance(name, ox.NamedNode) or not name.value.startswith(base):
                raise ValueError(f"a quad in the graph {name}, which is not a report's (only {base}report/KEY and "
                                 f"{base}graph/inferred/KEY)")
            m = _BATCH_GRAPH.match(name.value[len(base):])
            if not m:
                raise ValueError(f"{name.value} is not a report's graph")
            key = m.group(2)
            side = "asserted" if m.group(1) == "report/" else "inferred"
            graphs.setdefault(key, {"asserted": [], "inferred": []})[side].append(f"{quad.triple} .\n")
            if (side == "asserted" and quad.predicate == _REVISION_NUMBER and quad.subject == name
                    and isinstance(quad.object, ox.Literal) and quad.object.value.isdigit()):
                revisions[key] = int(quad.object.value)  # the card's revisions: a curated report is kept from older ones
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                blank.add(key)
    except SyntaxError as exc:
        raise ValueError(f"the N-Quads do not parse ({exc})") from None
    out = []
    for key, sides in graphs.items():
        if not sides["asserted"]:
            raise ValueError(f"report {key} has an inferred graph but no graph of its own")
        out.append(Result(f"report/{key}", key, "".join(sides["asserted"]), "".join(sides["inferred"]),
                          len(sides["asserted"]), len(sides["inferred"]), blank_nodes=key in blank,
                          revision=revisions.get(key, 0)))
    return out


def batch_cards(data: bytes, reports: list[Any]) -> list[dict[str, Any]]:
    """The extracted cards of a batch's reports (for review): each a valid card of one of the batch's reports."""
    if not data:
        return []
    from ssekg.ingest.cards import CardError, parse_card
    from ssekg.ingest.mapping import card_key
    from ssekg.ingest.review import reviewable

    try:
        cards = json.loads(data)
    except (ValueError, RecursionError):
        raise ValueError("the part `cards` is not JSON") from None
    if not isinstance(cards, dict):
        raise ValueError("the part `cards` is not a JSON object {key: card}")
    keys = {r.key for r in reports}
    out = []
    for key, card in cards.items():
        try:
            card = parse_card(card, f"card of report {key}")
        except CardError as exc:
            raise ValueError(str(exc)) from None
        if key not in keys or card_key(card) != key or not reviewable(card):
            raise ValueError(f"the card given for {key} is not the extracted card of one of the batch's reports")
        out.append(card)
    return out


def ui_context() -> dict[str, Any]:
    from .ui import YASGUI_VERSION, named_queries

    return {"queries": named_queries(), "yasgui_version": YASGUI_VERSION, "endpoint": endpoint_url()}
