"""Lexicons of the extractor (data files under ``ingest/data/``) and matching on folded text with offsets.

Matching folds case, Latin accents, Arabic diacritics and tatweel, Arabic letter forms and digits, one
character at a time, so that a match in the folded text maps back to the exact code points of the report.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Iterator

import yaml

_ARABIC_FORMS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ک": "ك",
    "ؤ": "و", "ئ": "ي", "ـ": "", "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'",
    "œ": "o", "æ": "a", "ß": "s", "ø": "o", "ł": "l", "đ": "d", "ı": "i",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200f": "", "\u200e": "", "\u200b": "", "\u200c": "", "\u200d": "",
}
ARABIC_RE = re.compile(r"[\u0600-\u06FF]")
#: Arabic proclitics and the article a word may carry (longest first): what the learned models strip to stem it.
AR_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")


def strip_arabic_clitics(word: str) -> str:
    """A folded Arabic word without its first proclitic or article, when three letters remain."""
    for c in AR_CLITICS:
        if word.startswith(c) and len(word) - len(c) >= 3:
            return word[len(c):]
    return word


def word_stem(word: str) -> str:
    """The crude stem the statement and category models read: an Arabic word without its clitics, cut to five
    letters; any other word cut to six (the same in every language, and enough to meet "financial" and "finance")."""
    if ARABIC_RE.match(word):
        return strip_arabic_clitics(word)[:5]
    return word[:6]


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """The folded form of one character: '' (dropped), or one character."""
    if ch in _ARABIC_FORMS:
        return _ARABIC_FORMS[ch]
    cat = unicodedata.category(ch)
    if cat == "Mn":
        return ""
    if ch.isdigit() and not ("0" <= ch <= "9"):
        try:
            return str(unicodedata.digit(ch))
        except (TypeError, ValueError):
            return ch
    base = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in base if unicodedata.category(c) != "Mn") or ch
    low = base.lower()
    if len(low) != 1:
        low = base[0].lower()
    return _ARABIC_FORMS.get(low, low)


def fold_text(text: str) -> str:
    """``text`` folded the way the report's text is (for lexicon entries); whitespace collapsed."""
    return " ".join("".join(fold_char(c) for c in text).split())


@dataclass
class Folded:
    """The folded text of a report and, for each of its characters, the offset in the original text."""

    text: str
    folded: str
    index: list[int]

    @classmethod
    def of(cls, text: str) -> "Folded":
        out: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(text):
            f = fold_char(ch)
            if f:
                out.append(f)
                index.append(i)
        index.append(len(text))
        return cls(text, "".join(out), index)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original offsets of the folded range [a, b)."""
        if b <= a:
            return self.index[a], self.index[a]
        return self.index[a], self.index[b - 1] + 1

    def fpos(self, orig: int) -> int:
        """The folded offset of an original offset (the first folded character at or after it)."""
        import bisect

        return bisect.bisect_left(self.index, orig, 0, len(self.index) - 1)


_AR_PREFIX = r"(?:[وف]?[بكل]?)"


def _term_pattern(term: str) -> str:
    f = fold_text(term)
    body = r"\s*".join(re.escape(part) for part in f.split(" ")) if " " in f else re.escape(f)
    body = body.replace(r"\-", r"[\-\s]?")
    return body


def _squash(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text)


@lru_cache(maxsize=4096)
def _term_regex(term: str) -> re.Pattern:
    return re.compile(_term_pattern(term))


def _trie_pattern(terms: list[str]) -> str:
    """One regex for many folded terms, as a trie: alternatives that share a prefix share its test.

    Python's ``re`` tries an alternation's branches one by one at every position; a list of hundreds of
    terms made matching the extractor's largest cost. The trie matches the same strings (a space in a term
    matches any run of white space, a hyphen a hyphen, a space or nothing, as ``_term_pattern``) and, as the
    longest-first alternation did, prefers the longest term: every branch is greedy.
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def unit(ch: str) -> str:
        if ch == " ":
            return r"\s*"
        if ch == "-":
            return r"[\-\s]?"
        return re.escape(ch)

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [unit(ch) + emit(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@dataclass
class Match:
    start: int  # original offsets
    end: int
    term: str  # the folded lexicon entry
    value: Any = None


class TermMatcher:
    """Find the entries of a word list in a folded text, whole words, Arabic prefixes allowed."""

    def __init__(self, entries: Iterable[tuple[str, Any]], arabic_prefixes: bool = True):
        self.values: dict[str, Any] = {}
        self._by_letters: dict[str, list[str]] | None = None
        latin: list[str] = []
        arabic: list[str] = []
        arabic_al: list[str] = []
        for term, value in entries:
            f = fold_text(term)
            if not f:
                continue
            self.values.setdefault(f, value)
            if ARABIC_RE.search(f):
                arabic.append(f)
                # ل + ال contracts to لل (للمنتدى, للشركاء): every Arabic term may take it, with or without ال
                base = f[2:] if f.startswith("ال") and len(f) > 3 else f
                if len(base) >= 3:
                    arabic_al.append(base)
                    self.values.setdefault("\x00" + base, self.values[f])
            else:
                latin.append(f)

        def alt(items: list[str]) -> str:
            return _trie_pattern(sorted(set(items)))

        parts = []
        if latin:
            parts.append(rf"(?<![\w])(?P<lat>{alt(latin)})(?![\w])")
        if arabic:
            prefix = _AR_PREFIX if arabic_prefixes else ""
            art = "(?:ال)?" if arabic_prefixes else ""
            parts.append(rf"(?<![\w]){prefix}(?P<ar>{art}(?:{alt(arabic)}))(?![\w])")
        if arabic_al and arabic_prefixes:
            parts.append(rf"(?<![\w])[وف]?لل(?P<al>{alt(arabic_al)})(?![\w])")
        self.regex = re.compile("|".join(parts)) if parts else None

    def _variants(self) -> dict[str, list[str]]:
        """The terms by their letters without spaces and hyphens (in the list's order), built on first use."""
        if self._by_letters is None:
            self._by_letters = {}
            for k in self.values:
                if not k.startswith("\x00"):
                    self._by_letters.setdefault(_squash(k), []).append(k)
        return self._by_letters

    def _value(self, m: re.Match) -> tuple[str, Any]:
        for group in ("lat", "ar", "al"):
            try:
                g = m.group(group)
            except IndexError:
                continue
            if g is not None:
                key = " ".join(g.split())
                if group == "al":
                    return "ال" + key, self.values.get("\x00" + key, self.values.get("ال" + key))
                if key in self.values:
                    return key, self.values[key]
                if group == "ar" and key.startswith("ال") and key[2:] in self.values:
                    return key[2:], self.values[key[2:]]
                # hyphen/space variants: only a term whose letters are g's can match it ("El-Sheikh", "El Sheikh")
                for k in self._variants().get(_squash(g), ()):
                    if _term_regex(k).fullmatch(g):
                        return k, self.values[k]
                return key, None
        return m.group(0), None

    def finditer(self, ft: Folded, start: int = 0, end: int | None = None) -> Iterator[Match]:
        if self.regex is None:
            return
        fs = ft.fpos(start)
        fe = len(ft.folded) if end is None else ft.fpos(end)
        for m in self.regex.finditer(ft.folded, fs, fe):
            term, value = self._value(m)
            a, b = ft.span(m.start(), m.end())
            # the core of the match (without an Arabic prefix)
            for group in ("lat", "ar", "al"):
                try:
                    if m.group(group) is not None:
                        a = ft.span(m.start(group), m.end(group))[0] if group != "al" else a
                        break
                except IndexError:
                    continue
            yield Match(a, b, term, value)

    def search(self, ft: Folded, start: int = 0, end: int | None = None) -> Match | None:
        return next(self.finditer(ft, start, end), None)


# --------------------------------------------------------------------------------------------- data files


def _data(name: str) -> str:
    return resources.files("ssekg.ingest").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    return yaml.safe_load(_data("lexicon.yaml"))


@lru_cache(maxsize=None)
def matcher(name: str) -> TermMatcher:
    """A matcher for a plain word list of the lexicon (value: the entry)."""
    return TermMatcher((str(w), str(w)) for w in lexicon()[name])


@lru_cache(maxsize=None)
def keyed_matcher(name: str) -> TermMatcher:
    """A matcher for a mapping key → words of the lexicon (value: the key)."""
    return TermMatcher((str(w), key) for key, words in lexicon()[name].items() for w in words)


def _tsv(name: str) -> list[dict[str, str]]:
    lines = [line for line in _data(name).splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@dataclass(frozen=True)
class City:
    name_en: str
    country: str
    geonames: str


@lru_cache(maxsize=1)
def given_names_ar() -> frozenset[str]:
    """The folded Arabic given names of ``data/given_names_ar.txt``: the first word of a person's name."""
    out = set()
    for line in _data("given_names_ar.txt").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.add(fold_text(line).split()[0])
    return frozenset(out)


@lru_cache(maxsize=1)
def given_names_latin() -> frozenset[str]:
    """The folded given names of ``data/given_names_latin.txt`` (names written in Latin script)."""
    return frozenset(fold_text(line.strip()).lower() for line in _data("given_names_latin.txt").splitlines()
                     if line.strip() and not line.startswith("#"))


_AR_WORD = re.compile(r"[\u0621-\u064A\u064B-\u0652\u0640]+")
_LATIN_NAME = re.compile(r"(?<![\w’'])[A-ZÀ-Ý][a-zà-ÿ]+(?=[-\s])")


def given_name_spans(text: str, script: str = "arabic") -> list[tuple[int, int]]:
    """Where a word is a given name: in ``script`` "arabic" (``given_names_ar``), without the conjunction و written
    onto it; in "latin" (``given_names_latin``), a capitalised word followed by another ("Marie-Claire" by its first
    part)."""
    out = []
    if script == "latin":
        latin = given_names_latin()
        return [(m.start(), m.end()) for m in _LATIN_NAME.finditer(text) if fold_text(m.group(0)).lower() in latin]
    names = given_names_ar()
    for m in _AR_WORD.finditer(text):
        w = fold_text(m.group(0))
        if m.group(0).endswith("على"):
            continue  # the preposition على folds to the name علي
        if w in names:
            out.append((m.start(), m.end()))
        elif w.startswith("و") and w[1:] in names and len(w) > 3:
            out.append((m.start() + 1, m.end()))
    return out


@lru_cache(maxsize=1)
def _city_entries() -> tuple[tuple[str, City, str], ...]:
    """Every name of the gazetteer (``cities.tsv``) with its city and column (en, fr, ar): read once, shared by
    the matcher, the namesakes and the capitals named as their country."""
    out = []
    for row in _tsv("cities.tsv"):
        city = City(row["en"].split("|")[0], row["country"], row.get("geonames") or "")
        for col in ("en", "fr", "ar"):
            for name in (row.get(col) or "").split("|"):
                if name.strip():
                    out.append((name.strip(), city, col))
    return tuple(out)


@lru_cache(maxsize=1)
def cities() -> tuple[TermMatcher, dict[str, City]]:
    """The city gazetteer (``cities.tsv``): a matcher whose values are :class:`City`."""
    entries = [(name, city) for name, city, _ in _city_entries()]
    by_name = {fold_text(n): c for n, c in entries}
    return TermMatcher(entries), by_name


@lru_cache(maxsize=1)
def city_namesakes() -> dict[City, tuple[City, ...]]:
    """For a city the gazetteer's matcher reads a name as (the first line holding it), every city of another country
    that bears the same name (Tripoli of Lebanon and of Libya): which one a report means, its countries tell."""
    by_name: dict[str, list[City]] = {}
    for name, city, _ in _city_entries():
        same = by_name.setdefault(fold_text(name), [])
        if city not in same:
            same.append(city)
    out: dict[City, tuple[City, ...]] = {}
    for same in by_name.values():
        if len({c.country for c in same}) > 1:
            out[same[0]] = tuple(dict.fromkeys(out.get(same[0], ()) + tuple(same)))
    return out


@lru_cache(maxsize=1)
def capitals_named_as_country() -> frozenset[str]:
    """The folded Arabic city names that are their own country's name too (تونس, الجزائر, جيبوتي…): derived from the
    gazetteer and the country names, so a line added to either is seen."""
    out = set()
    for name, city, col in _city_entries():
        if col != "ar":
            continue
        f = Folded.of(name)
        m = countries().search(f)
        if m is not None and m.start == 0 and m.end == len(f.text) and m.value.code == city.country:
            out.add(fold_text(name))
    return frozenset(out)


_AR_DEMONYM_SUFFIXES = ("", "ة", "ين", "ون", "ان", "تان", "تين")
_FR_DEMONYM_SUFFIXES = ("", "e", "s", "es")


@dataclass(frozen=True)
class CountryName:
    code: str
    kind: str  # name | demonym


def _pycountry_names() -> Iterator[tuple[str, str]]:
    import pycountry

    translators = {"en": lambda s: s}
    for lang in ("fr", "ar"):
        try:
            translators[lang] = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]).gettext
        except OSError:  # pragma: no cover
            pass
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", c.name)}
        for lang, tr in translators.items():
            for n in names:
                t = tr(n)
                if lang == "ar" and not ARABIC_RE.search(t):
                    continue
                if "," in t:  # "Palestine, État de", "Korea, Republic of": the part before the comma is ambiguous
                    continue
                yield c.alpha_2, t


@lru_cache(maxsize=1)
def countries() -> TermMatcher:
    """Country names (pycountry's ISO names in en/fr/ar plus ``countries.tsv``) and demonyms."""
    entries: list[tuple[str, CountryName]] = []
    seen: set[str] = set()
    for row in _tsv("countries.tsv"):
        code, kind, lang = row["country"], row["kind"], row["lang"]
        for form in row["forms"].split("|"):
            form = form.strip()
            if not form:
                continue
            if kind == "demonym" and lang == "ar":
                stems = [form + s for s in _AR_DEMONYM_SUFFIXES]
            elif kind == "demonym" and lang == "fr" and form.endswith("en"):
                # malien → malienne(s), haïtien → haïtienne(s), guinéen → guinéenne(s)
                stems = [form + s for s in _FR_DEMONYM_SUFFIXES] + [form + "ne", form + "nes"]
            elif kind == "demonym" and lang == "fr" and not form.endswith(("e", "è", "é")):
                stems = [form + s for s in _FR_DEMONYM_SUFFIXES]
            elif kind == "demonym" and lang == "fr":
                stems = [form, form + "s"]
            else:
                stems = [form]
            for s in stems:
                entries.append((s, CountryName(code, kind)))
                seen.add(fold_text(s))
    for code, name in _pycountry_names():
        f = fold_text(name)
        if f in seen or len(f) < 4:
            continue
        seen.add(f)
        entries.append((name, CountryName(code, "name")))
    return TermMatcher(entries)


@lru_cache(maxsize=1)
def schemes() -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """For each scheme (event-type, challenge, proposal): [(notation, [(lang, label or keyword)…])…] from SKOS."""
    from rdflib.namespace import SKOS

    from ssekg.ontology import schemes_graph

    g = schemes_graph()
    out: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    for concept in sorted(set(g.subjects(SKOS.notation, None))):
        notation = str(g.value(concept, SKOS.notation))
        scheme = g.value(concept, SKOS.inScheme)
        if scheme is None:
            continue
        name = str(scheme).rstrip("/").rsplit("/", 1)[-1]
        labels = []
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for lit in g.objects(concept, prop):
                labels.append((getattr(lit, "language", None) or "", str(lit)))
        out.setdefault(name, []).append((notation, labels))
    return out
