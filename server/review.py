"""The curators' review loop (/review): a queue of extracted reports, most doubtful first, and a page per report
that shows its text with every fact marked where it was read, beside the card, to correct and save.

Every route here needs a curator's credential (setting ``curators``: one token per person): the pages hold the
reports' texts, which belong to their publishers and are not published (docs/review.md). A browser sends it as
HTTP Basic (any user name, the token as password: the browser asks once and keeps it), a script as
``Authorization: Bearer <token>``; the token says who saves, and the graph records it. Ambient credentials call
for a guard against cross-site requests: a save must be ``application/json`` (a form elsewhere cannot send it
without a CORS preflight, which this server never grants here) and, where the browser says where it comes from
(``Origin``, ``Sec-Fetch-Site``), come from this server.

The page is HTML plus ``static/review.js``; its data travels in an ``application/json`` block and is put into the
page as text, never as markup (the strict Content-Security-Policy of every page holds).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from ssekg.errors import StoreError
from ssekg.namespaces import report_iri

from .ld import reader_language

bp = Blueprint("review", __name__)

#: reports per page of the queue
PAGE_SIZE = 50

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review", "queue": "Reports to review", "report": "Report", "language": "Language",
        "country": "Country", "from": "From", "to": "to", "status": "Status", "pending": "not reviewed",
        "curated": "reviewed", "all": "all", "show": "Show", "lowest": "Lowest confidence", "facts": "Facts",
        "published": "Published", "revision": "Revision", "none": "none", "next": "Next page", "previous": "Previous page",
        "empty": "No report to review here.", "ontology": "Ontology", "count": "{} reports",
    },
    "fr": {
        "title": "Révision", "queue": "Rapports à vérifier", "report": "Rapport", "language": "Langue",
        "country": "Pays", "from": "Du", "to": "au", "status": "État", "pending": "non vérifiés",
        "curated": "vérifiés", "all": "tous", "show": "Afficher", "lowest": "Confiance la plus basse", "facts": "Faits",
        "published": "Publié", "revision": "Révision", "none": "aucune", "next": "Page suivante",
        "previous": "Page précédente", "empty": "Aucun rapport à vérifier ici.", "ontology": "Ontologie",
        "count": "{} rapports",
    },
    "ar": {
        "title": "المراجعة", "queue": "تقارير للمراجعة", "report": "التقرير", "language": "اللغة",
        "country": "البلد", "from": "من", "to": "إلى", "status": "الحالة", "pending": "لم تُراجَع",
        "curated": "رُوجِعت", "all": "الكل", "show": "عرض", "lowest": "أدنى درجة ثقة", "facts": "الوقائع",
        "published": "تاريخ النشر", "revision": "المراجعة", "none": "لا شيء", "next": "الصفحة التالية",
        "previous": "الصفحة السابقة", "empty": "لا توجد تقارير للمراجعة هنا.", "ontology": "الأنطولوجيا",
        "count": "عدد التقارير: {}",
    },
}

#: the words of the report page, for review.js (in the reader's language)
PAGE_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "event": "Event", "titleField": "Title", "type": "Type", "status": "Status", "held": "held",
        "announced": "announced", "start": "Start", "end": "End", "city": "City", "host": "Host country",
        "countries": "Participating countries", "online": "Online", "speakers": "Speakers",
        "challenges": "Challenges", "proposals": "Proposals", "organisers": "Organisers",
        "participants": "Participating organisations", "programmes": "Programmes", "accept": "Accept",
        "reject": "Reject", "moveSpan": "Use selection", "toProposal": "Make it a proposal",
        "toChallenge": "Make it a challenge", "category": "Category", "speaker": "Speaker", "noSpeaker": "(none)",
        "addChallenge": "Add selection as challenge", "addProposal": "Add selection as proposal",
        "addSpeaker": "Add selection as speaker", "addOrganiser": "Add selection as organiser",
        "noEvent": "This report tells of no event", "save": "Save revision", "saved": "Saved: revision",
        "conflict": "Not saved:", "invalid": "Not saved: the card breaks these rules", "denied": "Not saved:",
        "selectFirst": "Select the words in the text first.", "confidence": "confidence", "curatedMark": "checked",
        "name": "Name", "role": "Role", "affiliation": "Affiliation", "country": "Country", "revision": "Revision",
        "removeEvent": "Remove event", "unsaved": "Unsaved changes",
    },
    "fr": {
        "event": "Événement", "titleField": "Titre", "type": "Type", "status": "Statut", "held": "tenu",
        "announced": "annoncé", "start": "Début", "end": "Fin", "city": "Ville", "host": "Pays hôte",
        "countries": "Pays participants", "online": "En ligne", "speakers": "Intervenants",
        "challenges": "Défis", "proposals": "Propositions", "organisers": "Organisateurs",
        "participants": "Organisations participantes", "programmes": "Programmes", "accept": "Accepter",
        "reject": "Rejeter", "moveSpan": "Prendre la sélection", "toProposal": "En faire une proposition",
        "toChallenge": "En faire un défi", "category": "Catégorie", "speaker": "Intervenant", "noSpeaker": "(aucun)",
        "addChallenge": "Ajouter la sélection comme défi", "addProposal": "Ajouter la sélection comme proposition",
        "addSpeaker": "Ajouter la sélection comme intervenant", "addOrganiser": "Ajouter la sélection comme organisateur",
        "noEvent": "Ce rapport ne relate aucun événement", "save": "Enregistrer la révision",
        "saved": "Enregistré : révision", "conflict": "Non enregistré :",
        "invalid": "Non enregistré : la fiche enfreint ces règles", "denied": "Non enregistré :",
        "selectFirst": "Sélectionnez d'abord les mots dans le texte.", "confidence": "confiance",
        "curatedMark": "vérifié", "name": "Nom", "role": "Fonction", "affiliation": "Affiliation", "country": "Pays",
        "revision": "Révision", "removeEvent": "Retirer l'événement", "unsaved": "Modifications non enregistrées",
    },
    "ar": {
        "event": "الفعالية", "titleField": "العنوان", "type": "النوع", "status": "الحالة", "held": "انعقدت",
        "announced": "مُعلَن عنها", "start": "البداية", "end": "النهاية", "city": "المدينة", "host": "البلد المضيف",
        "countries": "البلدان المشاركة", "online": "عن بعد", "speakers": "المتدخلون", "challenges": "التحديات",
        "proposals": "المقترحات", "organisers": "الجهات المنظمة", "participants": "الهيئات المشاركة",
        "programmes": "البرامج", "accept": "قبول", "reject": "رفض", "moveSpan": "اعتماد التحديد",
        "toProposal": "تحويله إلى مقترح", "toChallenge": "تحويله إلى تحدٍّ", "category": "الفئة",
        "speaker": "المتدخل", "noSpeaker": "(لا أحد)", "addChallenge": "إضافة التحديد كتحدٍّ",
        "addProposal": "إضافة التحديد كمقترح", "addSpeaker": "إضافة التحديد كمتدخل",
        "addOrganiser": "إضافة التحديد كجهة منظمة", "noEvent": "لا يروي هذا التقرير أي فعالية",
        "save": "حفظ المراجعة", "saved": "حُفظت: المراجعة", "conflict": "لم يُحفظ:",
        "invalid": "لم يُحفظ: البطاقة تخالف هذه القواعد", "denied": "لم يُحفظ:",
        "selectFirst": "حدِّد الكلمات في النص أولاً.", "confidence": "درجة الثقة", "curatedMark": "رُوجِع",
        "name": "الاسم", "role": "الصفة", "affiliation": "الانتماء", "country": "البلد", "revision": "المراجعة",
        "removeEvent": "حذف الفعالية", "unsaved": "تغييرات غير محفوظة",
    },
}


def state():
    return current_app.extensions["ssekg"]


# --------------------------------------------------------------------------------------------- who is asking


def curator() -> str | None:
    """The curator whose token the request carries (Bearer, or Basic with the token as password), else None."""
    curators: dict[str, str] = state().settings.curators or {}
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        credentials = decoded.partition(":")[2]
    elif scheme != "bearer":
        return None
    given = credentials.strip().encode()
    found = None
    for name, token in curators.items():  # every token compared, in constant time each
        if hmac.compare_digest(given, str(token).encode()):
            found = name
    return found


def refused() -> Response | None:
    """None for a curator; else 401 (asking for the credential) or 403 when no curator is configured."""
    if not state().settings.curators:
        return _error(403, "the review pages are off on this server: no curators are configured (setting curators)")
    if curator() is None:
        response = _error(401, "the review pages need a curator's token: as the password of HTTP Basic "
                               "(any user name), or `Authorization: Bearer <token>`")
        # a page asks the browser for the credential; a save (fetch) must not pop a login box up over the page
        scheme = "Basic" if request.method in {"GET", "HEAD"} else "Bearer"
        response.headers["WWW-Authenticate"] = f'{scheme} realm="ssekg review"' + (', charset="UTF-8"' if scheme == "Basic" else "")
        return response
    return None


def cross_site() -> bool:
    """True when the browser says the request comes from another site (a page elsewhere using our credentials)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and urlsplit(origin).netloc != request.host


def _error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response


# --------------------------------------------------------------------------------------------- the queue


QUEUE_REPORTS = """
SELECT ?report ?language ?published ?revision ?title WHERE {
  ?report a sse:Report ; dcterms:language ?language ; prov:wasAttributedTo ?agent .
  ?agent a prov:SoftwareAgent .
  OPTIONAL { ?report schema:datePublished ?published }
  OPTIONAL { ?report sse:revisionNumber ?revision }
  OPTIONAL { ?report rdfs:label ?title }
}"""
QUEUE_FACTS = """
SELECT ?report (MIN(?confidence) AS ?lowest) (COUNT(DISTINCT ?fact) AS ?facts) WHERE {
  ?report a sse:Report .
  GRAPH ?report { ?fact prov:wasDerivedFrom ?report . OPTIONAL { ?fact sse:confidence ?confidence } }
} GROUP BY ?report"""
QUEUE_EVENTS = """
SELECT DISTINCT ?report ?country ?start WHERE {
  ?report a sse:Report .
  GRAPH ?report {
    ?event a sse:Event .
    OPTIONAL { ?event schema:startDate ?start }
    OPTIONAL { { ?event sse:hostCountry ?country } UNION { ?event sse:participatingCountry ?country } }
  }
}"""


def queue_rows() -> list[dict[str, Any]]:
    """Every extracted report the review folder has a card of, with what the queue sorts and filters by.

    Three fixed queries through the back end (embedded or remote), joined here: one query with every OPTIONAL
    would multiply each report's rows by its facts × countries × dates."""
    from ssekg.ingest.review import archived_keys

    st = state()
    kept = archived_keys(st.settings.review_path)
    prefix = report_iri(st.base, "")
    rows: dict[str, dict[str, Any]] = {}
    for r in st.backend.select(QUEUE_REPORTS):
        iri = r["report"].value
        key = iri[len(prefix):] if iri.startswith(prefix) else ""
        if key not in kept:
            continue
        row = rows.setdefault(key, {"key": key, "iri": iri, "language": r["language"].value, "published": None,
                                    "revision": 0, "title": None, "lowest": None, "facts": 0,
                                    "countries": set(), "start": None})
        if r["published"] is not None:
            row["published"] = r["published"].value
        if r["revision"] is not None:
            row["revision"] = int(r["revision"].value)
        if r["title"] is not None and (row["title"] is None or r["title"].value < row["title"]):
            row["title"] = r["title"].value
    for r in st.backend.select(QUEUE_FACTS):
        row = rows.get(r["report"].value[len(prefix):])
        if row is not None:
            row["lowest"] = float(r["lowest"].value) if r["lowest"] is not None else None
            row["facts"] = int(r["facts"].value)
    for r in st.backend.select(QUEUE_EVENTS):
        row = rows.get(r["report"].value[len(prefix):])
        if row is None:
            continue
        if r["country"] is not None:
            row["countries"].add(r["country"].value.rsplit("/", 1)[-1])
        if r["start"] is not None and (row["start"] is None or r["start"].value < row["start"]):
            row["start"] = r["start"].value
    return list(rows.values())


def doubt_order(row: dict[str, Any]) -> tuple:
    """Most doubtful first: not yet reviewed, lowest confidence, most facts, oldest (undated last)."""
    lowest = row["lowest"] if row["lowest"] is not None else 1.0
    when = row["start"] or row["published"] or "9999"
    return (row["revision"] > 0, lowest, -row["facts"], when, row["key"])


def _date_arg(name: str) -> str:
    value = request.args.get(name, "")
    return value if len(value) <= 10 and all(c.isdigit() or c == "-" for c in value) else ""


@bp.route("/review")
def queue() -> Any:
    denied = refused()
    if denied:
        return denied
    lang = reader_language()
    texts = TEXTS[lang]
    rows = queue_rows()
    languages = sorted({r["language"] for r in rows})
    countries = sorted({c for r in rows for c in r["countries"]})
    chosen = {
        "language": request.args.get("language", "") if request.args.get("language") in languages else "",
        "country": request.args.get("country", "") if request.args.get("country") in countries else "",
        "from": _date_arg("from"), "to": _date_arg("to"),
        "status": request.args.get("status") if request.args.get("status") in {"pending", "curated", "all"} else "pending",
    }

    def keep(r: dict[str, Any]) -> bool:
        when = r["start"] or r["published"] or ""
        return ((not chosen["language"] or r["language"] == chosen["language"])
                and (not chosen["country"] or chosen["country"] in r["countries"])
                and (not chosen["from"] or (when and when >= chosen["from"]))
                and (not chosen["to"] or (when and when[:len(chosen["to"])] <= chosen["to"]))
                and (chosen["status"] == "all" or (r["revision"] > 0) == (chosen["status"] == "curated")))

    shown = sorted((r for r in rows if keep(r)), key=doubt_order)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    items = shown[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    args = {k: v for k, v in chosen.items() if v}
    pages = {
        "previous": url_for("review.queue", **args, page=page - 1) if page > 1 else None,
        "next": url_for("review.queue", **args, page=page + 1) if page * PAGE_SIZE < len(shown) else None,
    }
    response = current_app.make_response(render_template(
        "review_queue.html", lang=lang, t=texts, items=items, total=len(shown), chosen=chosen,
        languages=languages, countries=countries, pages=pages,
    ))
    response.headers["Content-Language"] = lang
    return _private(response)


# --------------------------------------------------------------------------------------------- one report


def current_revision(key: str) -> int:
    """The revision the store holds of a report (0: as extracted), read as the ingest's guard reads it."""
    from ssekg.ingest.review import stored_revisions

    return stored_revisions(state().backend.writable_store(), [key]).get(key, 0)


@lru_cache(maxsize=8)
def scheme_choices(scheme: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(notation, label in ``lang``) of a scheme's concepts, for the page's selects."""
    from rdflib import Literal
    from rdflib.namespace import SKOS
    from ssekg.ontology import concepts, schemes_graph

    g = schemes_graph()
    out = []
    for notation, iri in concepts(scheme).items():
        labels = {o.language: str(o) for o in g.objects(iri, SKOS.prefLabel) if isinstance(o, Literal)}
        out.append((notation, labels.get(lang) or labels.get("en") or notation))
    return tuple(sorted(out, key=lambda c: (c[0] == "other", c[1].casefold())))


@bp.route("/review/<key>", methods=["GET", "PUT", "POST"])
def report(key: str) -> Any:
    from ssekg.ingest.review import load_revision, valid_key

    denied = refused()
    if denied:
        return denied
    if not valid_key(key):
        return _error(404, f"no report {key!r} to review: a report's key is 16 hexadecimal digits")
    if request.method in {"PUT", "POST"}:
        return save(key)
    st = state()
    if not st.backend.exists(report_iri(st.base, key)):
        return _error(404, f"the store holds no report {key}")
    revision = current_revision(key)
    card = load_revision(st.settings.review_path, key, revision)
    if card is None:
        return _error(404, f"report {key} has no card to review at revision {revision}: it was ingested from a card, "
                           "or before the server kept extractions (ingest its text again)")
    lang = reader_language()
    data = {
        "key": key, "revision": revision, "iri": report_iri(st.base, key),
        "page": f"/id/report/{key}", "save": url_for("review.report", key=key),
        "report": {k: card["report"].get(k) for k in ("language", "title", "url", "published", "text", "no_event")},
        "language": card.get("language"), "events": card.get("events") or [],
        "revisions": card["report"].get("revisions", []),
        "schemes": {s: [list(c) for c in scheme_choices(s, lang)] for s in ("event-type", "challenge", "proposal")},
        "texts": PAGE_TEXTS[lang], "lang": lang,
    }
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        return _private(jsonify(data))
    response = current_app.make_response(render_template(
        "review_report.html", lang=lang, t=TEXTS[lang], data=data, key=key, revision=revision,
        title=card["report"].get("title") or key, text_lang=card["report"].get("language"),
    ))
    response.headers["Content-Language"] = lang
    return _private(response)


def save(key: str) -> Response:
    """A curator's revision: JSON ``{revision, events, no_event}`` (see ingest/review.py)."""
    from ssekg.ingest.pipeline import write
    from ssekg.ingest.reference import ensure_reference, load_reference
    from ssekg.ingest.review import Conflict, Rejected, save_revision

    if cross_site():
        return _error(403, "a revision is saved from this server's review page, not from another site")
    if request.mimetype != "application/json":
        return _error(415, "send the revision as application/json: {revision, events, no_event}")
    who = curator()
    try:
        edit = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return _error(400, "the body is not JSON")
    st = state()
    with st.write_lock:
        st.settle_cube_now()  # a client's batches first (ServerState.settle_cube_now)
        try:
            store = st.backend.writable_store()
            reference = load_reference(store.base, store)
            ensure_reference(store, reference)
            saved = save_revision(st.settings.review_path, key, edit, curator=who, current=current_revision(key),
                                  reference=reference, write=lambda prepared: write(store, prepared))
        except Conflict as exc:
            return _error(409, str(exc), current=exc.current, opened=exc.opened)
        except Rejected as exc:
            return _error(422, "the revision breaks the card's rules; nothing was stored", problems=exc.problems)
        except FileNotFoundError as exc:
            return _error(404, str(exc))
        except StoreError as exc:
            return _error(502, f"the SPARQL store behind this server failed: {exc}")
    st.changed()
    return _private(jsonify({"key": key, "revision": saved.revision, "curator": who,
                             "at": saved.card["report"]["revisions"][-1]["at"],
                             "asserted": len(saved.prepared.asserted)}))

