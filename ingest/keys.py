"""Stable keys: the same real thing, written the same way, gets the same IRI from any report.

A key is an ASCII slug when the folded name is Latin script (``pgm-dgd-2022-2026``, ``casablanca``), and a
short hash of the folded name otherwise (``ar-5c1f0e9b2a7d``): readable where it can be, always a safe IRI
segment, and independent of the report it was read from. Folding is the one the country names and the
extractor match with (ssekg.ontology.lexical.fold), so "Côte d’Ivoire" and "COTE D'IVOIRE" share a key.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from importlib import resources

from ssekg.ontology.lexical import fold


@lru_cache(maxsize=65536)
def stable_key(name: str) -> str:
    """The key of ``name`` (cached: the same people, organisations and cities recur across reports, and folding
    a name costs more than mapping the rest of its triples)."""
    folded = fold(name)
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if slug and folded.isascii():
        return slug[:80]
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:12]
    script = "ar" if re.search(r"[\u0600-\u06ff]", folded) else "u"
    return f"{script}-{digest}"


@lru_cache(maxsize=1)
def _gazetteer_countries() -> dict[str, frozenset[str]]:
    """Folded city name (any language) -> the countries the gazetteer (``data/cities.tsv``) has a city of that name in."""
    text = resources.files("ssekg.ingest.data").joinpath("cities.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader([line for line in text.splitlines() if line.strip() and not line.startswith("#")],
                          delimiter="\t")
    found: dict[str, set[str]] = {}
    for row in rows:
        for column in ("en", "fr", "ar"):
            for name in (row.get(column) or "").split("|"):
                if name.strip():
                    found.setdefault(fold(name.strip()), set()).add(row["country"])
    return {name: frozenset(codes) for name, codes in found.items()}


@lru_cache(maxsize=16384)
def city_key(name: str, country: str | None) -> str:
    """A city's stable key: its name's, and the country code after it where the name is shared.

    Tripoli is a city of Libya and of Lebanon: keyed by name alone, one report with both (or two reports) would
    give one node two countries, which the shapes reject and analysts would count wrong (found by the
    benchmark's 100,000 generated reports). Where the gazetteer knows the name in another country than
    ``country`` (an ISO alpha-2 code), the key is ``{name}-{cc}``; otherwise the name alone, so a city's IRI is
    ``city/casablanca`` as the data model shows. A name the gazetteer does not know keeps the name alone.
    """
    key = stable_key(name)
    if country and _gazetteer_countries().get(fold(name), frozenset()) - {country.upper()}:
        return f"{key}-{country.lower()}"
    return key
