"""The comparison page (/compare): the country × category matrix as a heatmap, the statements behind a cell, and
the co-participation of countries, in the reader's language (ar, fr, en; right-to-left for Arabic).

The page is static HTML plus ``static/compare.js``, which asks this server's named queries over HTTP
(``/queries/challenges-by-country.json`` …, so the executor's limits apply) and draws with the vendored Apache
ECharts (``static/vendor/echarts-VERSION``). Nothing is requested from any other host; every text from the data
is put into the page as text (``textContent``) or escaped before it reaches an ECharts tooltip.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from .ld import LANGS, reader_language

bp = Blueprint("compare", __name__)

ECHARTS_VERSION = "6.1.0"
#: The minimum confidences the comparison page offers (statements the extractor read; curated ones always count).
CONFIDENCE_CHOICES = ("0.5", "0.7", "0.9")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Compare countries", "ontology": "Ontology", "kind": "Statements", "challenge": "Challenges",
        "proposal": "Proposals", "dimension": "Country of", "host": "the event's host", "speaker": "the speaker",
        "from": "From year", "to": "to year", "eventType": "Event type", "all": "all", "apply": "Show",
        "minConfidence": "Confidence at least", "any": "any",
        "curated": "Statements read", "curatedAny": "all", "curatedOnly": "checked by a curator",
        "matrix": "Statements per country and category", "pairs": "Countries taking part in events together",
        "country": "Country", "category": "Category", "statements": "statements", "events": "events",
        "cell_hint": "Choose a cell of the matrix to list the statements behind it.", "cell": "Statements behind the cell",
        "event": "Event", "speaker_label": "Speaker", "report": "Report", "source": "source", "statement": "statement",
        "png": "Download PNG", "svg": "Download SVG", "empty": "No statements for these filters.",
        "loading": "Loading…", "error": "The data could not be loaded", "table": "The matrix as a table",
        "coverage_host": "This matrix counts {n} of the {m} statements with a category: those whose event has a host country.",
        "coverage_speaker": "This matrix counts {n} of the {m} statements with a category: those the report attributes to a speaker whose country is known.",
        "pairs_table": "The pairs as a table", "pairs_shown": "The network shows the {n} strongest of {m} pairs; the table lists them all.", "with": "with", "unattributed": "no speaker named",
        "language": "Language", "csv": "Data as CSV", "queries": "Queries", "compare": "Compare",
    },
    "fr": {
        "title": "Comparer les pays", "ontology": "Ontologie", "kind": "Énoncés", "challenge": "Défis",
        "proposal": "Propositions", "dimension": "Pays", "host": "hôte de l'événement", "speaker": "de l'intervenant",
        "from": "De l'année", "to": "à l'année", "eventType": "Type d'événement", "all": "tous", "apply": "Afficher",
        "minConfidence": "Confiance d'au moins", "any": "toute",
        "curated": "Énoncés", "curatedAny": "tous", "curatedOnly": "vérifiés par un curateur",
        "matrix": "Énoncés par pays et catégorie", "pairs": "Pays qui participent ensemble aux événements",
        "country": "Pays", "category": "Catégorie", "statements": "énoncés", "events": "événements",
        "cell_hint": "Choisissez une case de la matrice pour lister les énoncés qui la composent.",
        "cell": "Énoncés de la case", "event": "Événement", "speaker_label": "Intervenant", "report": "Rapport",
        "source": "source", "statement": "énoncé", "png": "Télécharger en PNG", "svg": "Télécharger en SVG",
        "empty": "Aucun énoncé pour ces filtres.", "loading": "Chargement…",
        "error": "Les données n'ont pas pu être chargées", "table": "La matrice sous forme de tableau",
        "coverage_host": "Cette matrice compte {n} des {m} énoncés classés : ceux dont l'événement a un pays hôte.",
        "coverage_speaker": "Cette matrice compte {n} des {m} énoncés classés : ceux que le rapport attribue à un intervenant dont le pays est connu.",
        "pairs_table": "Les paires sous forme de tableau", "pairs_shown": "Le réseau montre les {n} paires les plus fortes sur {m} ; le tableau les liste toutes.", "with": "avec", "unattributed": "aucun intervenant nommé",
        "language": "Langue", "csv": "Données en CSV", "queries": "Requêtes", "compare": "Comparer",
    },
    "ar": {
        "title": "مقارنة البلدان", "ontology": "الأنطولوجيا", "kind": "البيانات", "challenge": "التحديات",
        "proposal": "المقترحات", "dimension": "بلد", "host": "مضيف الفعالية", "speaker": "المتحدث",
        "from": "من سنة", "to": "إلى سنة", "eventType": "نوع الفعالية", "all": "الكل", "apply": "عرض",
        "minConfidence": "درجة ثقة لا تقل عن", "any": "أي درجة",
        "curated": "العبارات", "curatedAny": "الكل", "curatedOnly": "راجعها مُراجِع",
        "matrix": "البيانات حسب البلد والفئة", "pairs": "البلدان المشاركة معا في الفعاليات",
        "country": "البلد", "category": "الفئة", "statements": "بيانات", "events": "فعاليات",
        "cell_hint": "اختر خانة من المصفوفة لعرض البيانات التي تقف وراءها.", "cell": "البيانات وراء الخانة",
        "event": "الفعالية", "speaker_label": "المتحدث", "report": "التقرير", "source": "المصدر",
        "statement": "البيان", "png": "تنزيل PNG", "svg": "تنزيل SVG", "empty": "لا توجد بيانات لهذه المرشحات.",
        "loading": "جار التحميل…", "error": "تعذر تحميل البيانات", "table": "المصفوفة في جدول",
        "coverage_host": "تحصي هذه المصفوفة {n} من أصل {m} بيانا مصنفا: تلك التي لفعاليتها بلد مضيف.",
        "coverage_speaker": "تحصي هذه المصفوفة {n} من أصل {m} بيانا مصنفا: تلك التي ينسبها التقرير إلى متحدث معروف البلد.",
        "pairs_table": "الأزواج في جدول", "pairs_shown": "تعرض الشبكة أقوى {n} زوجا من أصل {m}؛ ويعرضها الجدول كلها.", "with": "مع", "unattributed": "لم يُذكر متحدث", "language": "اللغة",
        "csv": "البيانات بصيغة CSV", "queries": "الاستعلامات", "compare": "مقارنة",
    },
}
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def state():
    return current_app.extensions["ssekg"]


#: the lexical forms YEAR() reads: xsd:date, dateTime, gYearMonth, gYear (the year is the leading digits)
DATE_TYPES = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("date", "dateTime", "dateTimeStamp", "gYearMonth", "gYear")}
YEAR = re.compile(r"-?\d{4,}")


def filter_choices(lang: str) -> tuple[list[dict[str, str]], list[int]]:
    """The event types events have (with labels in ``lang``) and the years of the events' start dates.

    Read through the server's back end (embedded or remote); the year is taken from the date's lexical form here,
    not with YEAR() (Virtuoso raises an error for YEAR() of a value it cannot read as a date).
    """
    st = state()
    # labels are chosen here (the reader's language, else the smallest label, else the IRI): Virtuoso 7.2 fails
    # to compile COALESCE(MIN(…), MIN(…)) over OPTIONALs (SQ156)
    types_query = """
        SELECT DISTINCT ?type ?label WHERE {
          ?event a sse:Event ; sse:eventType ?type .
          OPTIONAL { ?type skos:prefLabel ?label }
        }"""
    years_query = "SELECT DISTINCT ?start WHERE { ?event a sse:Event ; schema:startDate ?start }"
    import pyoxigraph as ox

    types: list[dict[str, str]] = []
    years: set[int] = set()
    try:
        labels: dict[str, list[Any]] = {}
        for row in st.backend.select(types_query):
            found = labels.setdefault(row["type"].value, [])
            if isinstance(row["label"], ox.Literal):
                found.append(row["label"])
        for iri, found in labels.items():
            own = [l.value for l in found if (l.language or "").lower().split("-")[0] == lang]
            label = min(own) if own else (min(l.value for l in found) if found else iri)
            types.append({"iri": iri, "notation": iri.rstrip("/").rsplit("/", 1)[-1], "label": label})
    except Exception:  # an empty or unreadable store: the page still works, without choices
        types = []
    try:
        for row in st.backend.select(years_query):
            start = row["start"]
            if isinstance(start, ox.Literal) and start.datatype.value in DATE_TYPES:
                match = YEAR.match(start.value)
                if match:
                    years.add(int(match.group()))
    except Exception:
        years = set()
    return sorted(types, key=lambda t: t["label"].casefold()), sorted(years)


@bp.route("/compare")
def page() -> Any:
    lang = reader_language()
    texts = TEXTS[lang]
    types, years = filter_choices(lang)
    args = {k: v for k, v in request.args.items() if k in {"kind", "dimension", "from", "to", "eventType", "minConfidence", "curated"}}
    initial = {
        "kind": args.get("kind") if args.get("kind") in {"challenge", "proposal"} else "challenge",
        "dimension": args.get("dimension") if args.get("dimension") in {"host", "speaker"} else "host",
        "from": args.get("from", "") if (args.get("from") or "").isdigit() else "",
        "to": args.get("to", "") if (args.get("to") or "").isdigit() else "",
        "eventType": args.get("eventType", "") if args.get("eventType") in {t["notation"] for t in types} else "",
        "minConfidence": args.get("minConfidence", "") if args.get("minConfidence") in CONFIDENCE_CHOICES else "",
        "curated": "only" if args.get("curated") == "only" else "any",
    }
    languages = [
        {"code": code, "name": LANGUAGE_NAMES[code], "href": url_for("compare.page", **{**args, "lang": code})}
        for code in LANGS
    ]
    config = {
        "lang": lang, "base": state().base, "texts": texts, "initial": initial,
        "queries": url_for("queries.list_queries"), "idPath": "/id/",
    }
    response = current_app.make_response(render_template(
        "compare.html", lang=lang, t=texts, types=types, years=years, initial=initial, languages=languages,
        confidences=CONFIDENCE_CHOICES,
        config=config, echarts_version=ECHARTS_VERSION,
    ))
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Language"] = lang
    return response
