"""Linked Data: every IRI under the base dereferences at /id/…; the ontology at /ontology; the dump; the home page.

Content negotiation (Accept), a suffix (.ttl, .jsonld, .nt, .html) or ``?format=`` choose HTML, Turtle, JSON-LD
or N-Triples. HTML pages speak the reader's language (Accept-Language or ``?lang=``: ar, fr, en), right-to-left
for Arabic; every value from the store goes through Jinja's autoescape.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from importlib import resources
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from ssekg.errors import StoreError
from ssekg.namespaces import SSE
from ssekg.text import source_sentence as sentence_around

from . import formats
from .backend import ox_label_map
from .protocol import public_root, ui_context, wants_html

bp = Blueprint("ld", __name__)

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_DEF = "http://www.w3.org/2004/02/skos/core#definition"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SCHEMA_TEXT = "http://schema.org/text"
LANGS = ["ar", "fr", "en"]
MAX_INCOMING = 500
MAX_OUTGOING = 2000

SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
            ".rdf": "application/rdf+xml", ".trig": "application/trig", ".nq": "application/n-quads", ".html": "text/html"}
#: Every RDF format the SPARQL endpoint offers is offered here too (one table: server/formats.py), and HTML.
LD_FORMATS = {mime: fmt for mime, fmt, _ in formats.OFFERS["graph"]}
LD_OFFERS = ["text/html", *LD_FORMATS]
FORMAT_PARAM = {**formats.FORMAT_NAMES["graph"], "html": "text/html"}

TEXTS = {
    "en": {"properties": "Properties", "incoming": "Resources pointing here", "source": "Source sentence",
           "no_text": "The source report's text is not in the store.", "query": "Query the graph",
           "ontology": "Ontology", "classes": "Classes", "props": "Properties", "formats": "Also as",
           "not_found": "Nothing is known about this resource.", "more": "more not shown", "report": "Report"},
    "fr": {"properties": "Propriétés", "incoming": "Ressources qui pointent ici", "source": "Phrase source",
           "no_text": "Le texte du rapport source n'est pas dans l'entrepôt.", "query": "Interroger le graphe",
           "ontology": "Ontologie", "classes": "Classes", "props": "Propriétés", "formats": "Aussi en",
           "not_found": "Rien n'est connu de cette ressource.", "more": "autres non affichées", "report": "Rapport"},
    "ar": {"properties": "الخصائص", "incoming": "موارد تشير إلى هذا المورد", "source": "الجملة المصدر",
           "no_text": "نص التقرير المصدر غير موجود في المخزن.", "query": "استعلام الرسم البياني",
           "ontology": "الأنطولوجيا", "classes": "الأصناف", "props": "الخصائص", "formats": "متاح أيضا بصيغة",
           "not_found": "لا نعرف شيئا عن هذا المورد.", "more": "أخرى غير معروضة", "report": "التقرير"},
}


def state():
    return current_app.extensions["ssekg"]


def reader_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    return request.accept_languages.best_match(LANGS, default="en") or "en"


def negotiate(default: str = "text/turtle") -> str | None:
    param = request.args.get("format")
    if param:
        return FORMAT_PARAM.get(param.lower(), param.lower() if param.lower() in LD_OFFERS else None)
    if wants_html():
        return "text/html"
    if not request.headers.get("Accept"):
        return default
    chosen = formats.choose("graph", request.accept_mimetypes, True, None)
    if chosen and chosen[0] in LD_FORMATS:
        return chosen[0]
    if chosen:
        return chosen[0]
    return None


class Labeller:
    """Labels of resources in the reader's language (then en, fr, ar, any), cached for one page.

    ``fetch(iris) -> {iri: {lang: label}}`` reads them (the back end's ``label_map``, or ``ox_label_map`` over a
    pyoxigraph store); ``prefetch`` reads a page's IRIs at once (one request on a remote store, not one per IRI).
    """

    def __init__(self, fetch: Any, lang: str, base: str):
        self.fetch, self.lang, self.base = fetch, lang, base
        self.cache: dict[str, tuple[str, str | None] | None] = {}

    def prefetch(self, iris: Any) -> None:
        missing = [iri for iri in dict.fromkeys(iris) if iri not in self.cache]
        if not missing:
            return
        found = self.fetch(missing)
        for iri in missing:
            labels = found.get(iri) or {}
            choice = None
            for lang in [self.lang, "en", "fr", "ar", ""] + list(labels):
                if lang in labels:
                    choice = (labels[lang], lang or None)
                    break
            self.cache[iri] = choice

    def __call__(self, iri: str) -> tuple[str, str | None] | None:
        if iri not in self.cache:
            self.prefetch([iri])
        return self.cache[iri]


def curie(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


#: The only schemes an IRI of the data may have to become a link: a ``javascript:`` or ``data:`` IRI written into
#: the store by anyone with the token would otherwise run in a reader's browser.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def local_href(iri: str) -> str | None:
    """Where a link to this IRI goes: our pages for our IRIs, the IRI itself for http(s) and mailto, else none."""
    base = state().base
    if iri.startswith(base):
        return "/id/" + iri[len(base):]
    if iri.startswith(str(SSE)):
        return "/ontology#" + iri[len(str(SSE)):]
    scheme, sep, _ = iri.partition(":")
    return iri if sep and scheme.lower() in LINK_SCHEMES else None


def term_view(term: Any, label: Labeller, prefixes: dict[str, str]) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        found = label(term.value)
        return {"kind": "iri", "iri": term.value, "href": local_href(term.value),
                "text": found[0] if found else curie(term.value, prefixes), "lang": found[1] if found else None}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": f"_:{term.value}"}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        return {"kind": "literal", "text": term.value, "lang": term.language,
                "datatype": None if term.language or dt == "http://www.w3.org/2001/XMLSchema#string"
                else curie(dt, prefixes)}
    return {"kind": "other", "text": str(term)}


def _marked(sentence: str, a: int, b: int) -> dict[str, str] | None:
    """The sentence cut around the fact at [a, b): what the page shows before, marked, and after it."""
    if not 0 <= a <= b <= len(sentence):
        return None
    return {"before": sentence[:a].lstrip(), "span": sentence[a:b], "after": sentence[b:].rstrip()}


def source_sentence(backend: Any, iri: str, out: list[Any]) -> dict[str, Any] | None:
    """The sentence of the report a challenge/proposal came from, with the span marked (None if not applicable)."""
    values: dict[str, list[Any]] = {}
    for q in out:
        values.setdefault(q.predicate.value, []).append(q.object)
    start, end = values.get(str(SSE.charStart)), values.get(str(SSE.charEnd))
    types = {t.value for t in values.get(RDF_TYPE, [])}
    if not (start and end) or not types & {str(SSE.Challenge), str(SSE.Proposal), str(SSE.Event), str(SSE.Speaker)}:
        return None
    try:
        s, e = int(start[0].value), int(end[0].value)
    except ValueError:
        return None
    reports = [r for r in values.get(PROV_DERIVED, []) if isinstance(r, ox.NamedNode)]
    quoted, at = values.get(str(SSE.sourceSentence)), values.get(str(SSE.sentenceStart))
    if quoted and at and reports and isinstance(quoted[0], ox.Literal):
        # the sentence kept with the fact (the report's whole text is not republished without a licence)
        try:
            offset = int(at[0].value)
        except ValueError:
            offset = -1
        marked = _marked(quoted[0].value, s - offset, e - offset)
        if offset >= 0 and marked:
            return {**marked, "lang": quoted[0].language, "report": reports[0].value,
                    "report_href": local_href(reports[0].value), "available": True}
    for report in reports:
        for text_term in backend.objects(report.value, SCHEMA_TEXT):  # a store whose reports carry their text
            if not isinstance(text_term, ox.Literal) or not (0 <= s <= e <= len(text_term.value)):
                continue
            left, sentence = sentence_around(text_term.value, s, e)
            return {**_marked(sentence, s - left, e - left), "lang": text_term.language, "report": report.value,
                    "report_href": local_href(report.value), "available": True}
        return {"available": False, "report": report.value, "report_href": local_href(report.value)}
    return None


COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


def wants_compacted() -> bool:
    """JSON-LD asked for with the compacted profile (``Accept: application/ld+json;profile="…#compacted"``, or
    ``?profile=compacted``)."""
    return request.args.get("profile") in ("compacted", COMPACTED) or COMPACTED in request.headers.get("Accept", "")


def rdf_body(triples: list[Any], mime: str) -> Response:
    fmt = LD_FORMATS[mime]
    if fmt == ox.RdfFormat.JSON_LD and wants_compacted():
        from rdflib import Graph

        from ssekg.jsonld import compact, ontology_version

        g = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        body = compact(g, state().base)
        response = Response(body, content_type=f'application/ld+json; profile="{COMPACTED}"')
        response.headers["Vary"] = "Accept, Accept-Language"
        response.headers["Link"] = f'<{url_for("ld.jsonld_context", version=ontology_version())}>; rel="http://www.w3.org/ns/json-ld#context"'
        return response
    prefixes = state().prefixes if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    if fmt.supports_datasets:  # TriG, N-Quads: the description as the default graph
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    response = Response(ox.serialize(triples, format=fmt, prefixes=prefixes), content_type=formats.content_type(mime))
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


@bp.route("/id/<path:rest>")
def resource(rest: str) -> Any:
    st = state()
    backend = st.backend
    try:
        return _resource(st, backend, rest)
    except StoreError as exc:  # a remote store that cannot be reached or refuses
        return Response(f"the SPARQL store behind this server failed: {exc}\n", status=502, mimetype="text/plain")


def _resource(st: Any, backend: Any, rest: str) -> Any:
    forced = None
    for suffix, mime in SUFFIXES.items():
        if rest.endswith(suffix):
            candidate = rest[: -len(suffix)]
            try:
                known = backend.exists(st.base + candidate)
            except ValueError:
                known = False
            if known:
                rest, forced = candidate, mime
            break
    iri = st.base + rest
    try:
        ox.NamedNode(iri)
    except ValueError:
        abort(400, f"not an IRI: {iri}")
    mime = forced or negotiate()
    if mime is None:
        return Response("offered: " + ", ".join(LD_OFFERS) + "\n", status=406, mimetype="text/plain")
    out = backend.outgoing(iri, MAX_OUTGOING)
    incoming = backend.incoming(iri, MAX_INCOMING + 1)
    if mime != "text/html":
        if not out and not incoming:
            return Response(f"nothing is known about <{iri}>\n", status=404, mimetype="text/plain")
        return rdf_body(out + incoming[:MAX_INCOMING], mime)
    lang = reader_language()
    label = Labeller(backend.label_map, lang, st.base)
    label.prefetch([iri] + [t.predicate.value for t in out] + [t.object.value for t in out if isinstance(t.object, ox.NamedNode)]
                   + [t.predicate.value for t in incoming[:MAX_INCOMING]]
                   + [t.subject.value for t in incoming[:MAX_INCOMING] if isinstance(t.subject, ox.NamedNode)])
    prefixes = st.prefixes
    groups: dict[str, dict[str, Any]] = {}
    for q in out:
        p = q.predicate.value
        group = groups.setdefault(p, {"property": term_view(q.predicate, label, prefixes), "vals": []})
        group["vals"].append(term_view(q.object, label, prefixes))
    links = [{"subject": term_view(q.subject, label, prefixes), "property": term_view(q.predicate, label, prefixes)}
             for q in incoming[:MAX_INCOMING]]
    title = label(iri)
    sentence = source_sentence(backend, iri, out)
    status = 200 if (out or incoming) else 404
    html = render_template(
        "resource.html", iri=iri, title=title[0] if title else curie(iri, prefixes), title_lang=title[1] if title else None,
        groups=list(groups.values()), incoming=links, more_incoming=len(incoming) > MAX_INCOMING,
        sentence=sentence, lang=lang, t=TEXTS[lang], path=request.path, found=bool(out or incoming),
    )
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = lang
    return response


# --------------------------------------------------------------------------------------------------------------
def ontology_triples() -> list[Any]:
    st = state()
    triples: list[Any] = []
    for name in ("ontology", "schemes"):
        triples += st.backend.graph_triples(f"{st.base}graph/{name}")
    if not triples:  # not loaded into this store: read the package's files
        folder = resources.files("ssekg.ontology")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".ttl"):
                triples += [q.triple for q in ox.parse(entry.read_bytes(), format=ox.RdfFormat.TURTLE)]
        schemes = folder / "schemes"
        if schemes.is_dir():
            for entry in sorted(schemes.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".ttl"):
                    triples += [q.triple for q in ox.parse(entry.read_bytes(), format=ox.RdfFormat.TURTLE)]
    return triples


@bp.route("/ontology")
@bp.route("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Any:
    forced = SUFFIXES.get(f".{suffix}") if suffix else None
    if suffix and not forced:
        abort(404)
    mime = forced or negotiate()
    if mime is None:
        return Response("offered: " + ", ".join(LD_OFFERS) + "\n", status=406, mimetype="text/plain")
    triples = ontology_triples()
    if mime != "text/html":
        return rdf_body(triples, mime)
    lang = reader_language()
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    label = Labeller(lambda iris: ox_label_map(mem, iris, ox.DefaultGraph()), lang, state().base)

    def text_of(subject: Any, props: tuple[str, ...]) -> tuple[str, str | None] | None:
        found: dict[str, str] = {}
        for prop in props:
            for q in mem.quads_for_pattern(subject, ox.NamedNode(prop), None, None):
                if isinstance(q.object, ox.Literal):
                    found.setdefault(q.object.language or "", q.object.value)
        for l in [lang, "en", "fr", "ar", ""] + list(found):
            if l in found:
                return found[l], l or None
        return None

    def entries(types: list[str]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for t in types:
            for q in mem.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(t), None):
                s = q.subject
                if isinstance(s, ox.NamedNode) and s.value not in seen:
                    lab = label(s.value)
                    seen[s.value] = {
                        "iri": s.value, "anchor": s.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                        "curie": curie(s.value, state().prefixes), "label": lab,
                        "comment": text_of(s, (RDFS_COMMENT, SKOS_DEF)),
                    }
        return sorted(seen.values(), key=lambda e: e["curie"])

    owl = "http://www.w3.org/2002/07/owl#"
    classes = entries([owl + "Class", "http://www.w3.org/2000/01/rdf-schema#Class"])
    properties = entries([owl + "ObjectProperty", owl + "DatatypeProperty", owl + "AnnotationProperty",
                          "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"])
    schemes = entries(["http://www.w3.org/2004/02/skos/core#ConceptScheme"])
    for scheme in schemes:
        scheme["href"] = local_href(scheme["iri"])
    html = render_template("ontology.html", classes=classes, properties=properties, schemes=schemes, lang=lang,
                           t=TEXTS[lang], triples=len(triples))
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


# --------------------------------------------------------------------------------------------------------------
@bp.route("/context.jsonld")
def jsonld_context_current() -> Any:
    """The current JSON-LD context (a redirect to its versioned address, which never changes)."""
    from ssekg.jsonld import ontology_version

    return redirect(url_for("ld.jsonld_context", version=ontology_version()), code=302)


@bp.route("/context/<version>.jsonld")
def jsonld_context(version: str | None = None) -> Any:
    from ssekg.jsonld import context, ontology_version

    if version != ontology_version():
        return Response(f"no context of version {version}; the current one is /context/{ontology_version()}.jsonld\n",
                        status=404, mimetype="text/plain")
    response = Response(json.dumps({"@context": context(state().base)}, ensure_ascii=False, indent=1),
                        content_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/dump.nq.gz")
def dump() -> Any:
    """The whole dataset (every named graph; the default graph is their union) as gzipped N-Quads."""
    st = state()

    def build() -> str:
        fd, path = tempfile.mkstemp(prefix="ssekg-dump-", suffix=".nq.gz")
        os.close(fd)
        with gzip.open(path, "wb") as out:
            ox.serialize(st.backend.named_quads(), out, ox.RdfFormat.N_QUADS)
        return path

    path = st.cached("dump", build)
    if not os.path.exists(path):
        st._cache.pop("dump", None)
        path = st.cached("dump", build)
    response = send_file(path, mimetype="application/gzip", as_attachment=True, download_name="ssekg.nq.gz")
    response.headers["X-Content-Media-Type"] = "application/n-quads"
    return response


@bp.route("/")
def home() -> Any:
    if wants_html():
        return render_template("yasgui.html", **ui_context())
    return redirect(public_root() + ".well-known/void", code=303)
