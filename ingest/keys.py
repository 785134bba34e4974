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
def gazetteer() -> tuple[dict[str, str], ...]:
    """The rows of the city gazetteer (``data/cities.tsv``): country, en, fr, ar (names separated by |), geonames."""
    text = resources.files("ssekg.ingest.data").joinpath("cities.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader([line for line in text.splitlines() if line.strip() and not line.startswith("#")],
                          delimiter="\t")
    return tuple(dict(row) for row in rows)


def names(row: dict[str, str], column: str) -> list[str]:
    return [n.strip() for n in (row.get(column) or "").split("|") if n.strip()]


@lru_cache(maxsize=1)
def _gazetteer_index() -> dict[str, tuple[dict[str, str], ...]]:
    """Folded city name (any language) -> the gazetteer rows of that name."""
    found: dict[str, list[dict[str, str]]] = {}
    for row in gazetteer():
        for column in ("en", "fr", "ar"):
            for name in names(row, column):
                rows = found.setdefault(fold(name), [])
                if row not in rows:
                    rows.append(row)
    return {name: tuple(rows) for name, rows in found.items()}


@lru_cache(maxsize=16384)
def city_key(name: str, country: str | None) -> str:
    """A city's stable key: its English name's (from the gazetteer, whatever language names it), and the country
    code after it where the name is shared.

    ``الدار البيضاء``, ``Casablanca`` and ``Casablanca`` in French are one city, ``city/casablanca``: the gazetteer
    (``data/cities.tsv``) gives its English name, so an analyst counting events per city does not find it three
    times. Tripoli is a city of Libya and of Lebanon: keyed by name alone, one report with both (or two reports)
    would give one node two countries, which the shapes reject and analysts would count wrong (found by the
    benchmark's 100,000 generated reports). Where the gazetteer knows the name in another country than
    ``country`` (an ISO alpha-2 code), the key is ``{name}-{cc}``. A name the gazetteer does not know keeps its own.
    """
    rows = _gazetteer_index().get(fold(name), ())
    code = country.upper() if country else None
    row = next((r for r in rows if r["country"] == code), None) if code else (
        rows[0] if len({r["country"] for r in rows}) == 1 else None)
    if row is not None:
        english = names(row, "en")[0]
        key = stable_key(english)
        if {r["country"] for r in _gazetteer_index().get(fold(english), ())} - {row["country"]}:
            return f"{key}-{row['country'].lower()}"
        return key
    key = stable_key(name)
    if code and {r["country"] for r in rows} - {code}:
        return f"{key}-{code.lower()}"
    return key


def gazetteer_city(name: str, country: str | None) -> dict[str, str] | None:
    """The gazetteer row of a city named ``name`` (in ``country`` when given), None when it has none."""
    rows = _gazetteer_index().get(fold(name), ())
    code = country.upper() if country else None
    if code:
        return next((r for r in rows if r["country"] == code), None)
    return rows[0] if len({r["country"] for r in rows}) == 1 else None
