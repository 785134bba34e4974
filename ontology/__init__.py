"""The ssekg ontology, its SKOS concept schemes and the country reference data.

- :func:`ontology_graph`: ``ssekg.ttl`` (classes and properties) + ``alignments.ttl`` (schema.org, SEM, PROV);
- :func:`schemes_graph`: the SKOS schemes in ``schemes/`` (event types, challenges, proposals);
- :func:`concept_iri`, :func:`concepts`: IRIs of the concepts, by scheme and notation;
- :func:`classify`, :func:`match_concepts`: keyword (``skos:hiddenLabel``) classification of a statement;
- :mod:`ssekg.ontology.countries`: every ISO 3166-1 country, and :func:`resolve_country`;
- :mod:`ssekg.ontology.lexical`: :func:`fold`, the Arabic/Latin normaliser.

Files are read with importlib.resources, so this works from an installed wheel. Graphs are cached:
copy one before changing it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ssekg.namespaces import DEFAULT_BASE, bind_prefixes

from .countries import country_graph, country_iri, resolve_country
from .lexical import fold

__all__ = [
    "CONCEPT_BASE",
    "ONTOLOGY_FILES",
    "SCHEMES",
    "classify",
    "concept_iri",
    "concepts",
    "country_graph",
    "country_iri",
    "fold",
    "match_concepts",
    "ontology_graph",
    "resolve_country",
    "scheme_iri",
    "schemes_graph",
]

#: Concept IRIs are ``{CONCEPT_BASE}{scheme}/{notation}``; they do not follow a configured instance base.
CONCEPT_BASE = f"{DEFAULT_BASE}concept/"
#: scheme name → file in schemes/
SCHEMES: dict[str, str] = {
    "event-type": "event-types.ttl",
    "challenge": "challenges.ttl",
    "proposal": "proposals.ttl",
}
ONTOLOGY_FILES = ("ssekg.ttl", "alignments.ttl")
#: Links of the schemes' concepts to other vocabularies, kept apart from the schemes (reviewed separately).
SCHEME_LINK_FILES = ("essglobal-matches.ttl",)


def _read(*parts: str) -> str:
    node = resources.files(__package__)
    for part in parts:
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}: expected one of {', '.join(SCHEMES)}")


@lru_cache(maxsize=None)
def ontology_graph() -> Graph:
    """The ontology (ssekg.ttl) with its alignments (alignments.ttl)."""
    g = Graph()
    bind_prefixes(g)
    for name in ONTOLOGY_FILES:
        g.parse(data=_read(name), format="turtle")
    return g


@lru_cache(maxsize=None)
def schemes_graph() -> Graph:
    """All SKOS concept schemes of schemes/."""
    g = Graph()
    bind_prefixes(g)
    for name in (*SCHEMES.values(), *SCHEME_LINK_FILES):
        g.parse(data=_read("schemes", name), format="turtle")
    return g


def scheme_iri(scheme: str) -> URIRef:
    _check_scheme(scheme)
    return URIRef(f"{CONCEPT_BASE}{scheme}")


def concept_iri(scheme: str, notation: str) -> URIRef:
    """The IRI of a concept: ``https://w3id.org/ssekg/id/concept/{scheme}/{notation}``.

    Raises ValueError for an unknown scheme; does not check that the notation exists (see :func:`concepts`).
    """
    _check_scheme(scheme)
    return URIRef(f"{CONCEPT_BASE}{scheme}/{notation}")


@lru_cache(maxsize=None)
def _concepts(scheme: str) -> tuple[tuple[str, URIRef], ...]:
    g = schemes_graph()
    s = scheme_iri(scheme)
    out = []
    for c in g.subjects(SKOS.inScheme, s):
        if (c, RDF.type, SKOS.Concept) in g:
            out.append((str(g.value(c, SKOS.notation)), c))
    return tuple(sorted(out))


def concepts(scheme: str) -> dict[str, URIRef]:
    """notation → concept IRI for one scheme ("event-type", "challenge" or "proposal")."""
    return dict(_concepts(scheme))


# Arabic proclitics that may stand before a keyword: و (and), ف, ب, ل, ك, ال and their combinations.
_PROCLITICS = "(?:و|ف)?(?:ب|ل|ك)?(?:ال|ل)?"


@lru_cache(maxsize=None)
def _keyword_patterns(scheme: str) -> tuple[tuple[str, re.Pattern, tuple[tuple[str, re.Pattern], ...]], ...]:
    g = schemes_graph()
    out = []
    for notation, c in _concepts(scheme):
        words = set()
        for p in (SKOS.hiddenLabel, SKOS.prefLabel, SKOS.altLabel):
            for o in g.objects(c, p):
                if isinstance(o, Literal):
                    k = fold(str(o))
                    if k:
                        words.add(k)
        pats = []
        cores = []
        for k in sorted(words):
            core = k[2:] if k.startswith("ال") and len(k) > 4 else k
            core = stem(core)
            if core in cores:
                continue  # "finance", "financing" and "financial" are one stem: they count once
            cores.append(core)
            pats.append((k, re.compile(rf"(?:^| ){_PROCLITICS}{re.escape(core)}")))
        # one search tells whether any keyword of the concept occurs: most concepts are ruled out by it
        gate = re.compile(rf"(?:^| ){_PROCLITICS}(?:{'|'.join(re.escape(c) for c in sorted(cores, key=len, reverse=True))})")
        out.append((notation, gate, tuple(pats)))
    return tuple(out)


#: Latin suffixes a keyword's last word loses, longest first, so that "finance" meets "financial" and "financing",
#: "training" meets "trainings" and "formation" meets "formations" (the keyword matches at a word start).
_SUFFIXES = ("ations", "ation", "ements", "ement", "ments", "ment", "ings", "ing", "ies", "ial", "ions", "ion",
             "es", "al", "e", "s")


def stem(keyword: str) -> str:
    """A keyword whose last Latin word is cut to its stem (at least five letters kept); Arabic is left whole."""
    head, _, last = keyword.rpartition(" ")
    if not last.isascii() or not last.isalpha() or len(last) < 6:
        return keyword
    for suffix in _SUFFIXES:
        if last.endswith(suffix) and len(last) - len(suffix) >= 5:
            last = last[: -len(suffix)]
            break
    return f"{head} {last}" if head else last


def match_concepts(text: str, scheme: str) -> list[tuple[str, int, int]]:
    """Concepts of ``scheme`` whose keywords occur in ``text``: (notation, keywords matched, first position),
    best first (most keywords, then earliest, then the longest keyword). Keywords match at a word start, as stems, after an optional
    Arabic proclitic (و، ف، ب، ل، ك، ال)."""
    key = fold(text)
    if not key:
        return []
    hits = []
    for notation, gate, pats in _keyword_patterns(scheme):
        if not pats or gate.search(key) is None:
            continue
        found = [m for _, p in pats if (m := p.search(key))]
        if found:
            longest = max(m.end() - m.start() for m in found)
            hits.append((notation, len(found), min(m.start() for m in found), longest))
    # most keywords, then earliest, then the longest keyword ("financial sustainability" over the stem "financ")
    hits.sort(key=lambda h: (-h[1], h[2], -h[3], h[0] == "other", h[0]))
    return [h[:3] for h in hits]


def classify(text: str, scheme: str) -> str | None:
    """The notation of the best-matching concept of ``scheme`` for a statement, or None when no keyword matches."""
    hits = match_concepts(text, scheme)
    return hits[0][0] if hits else None
