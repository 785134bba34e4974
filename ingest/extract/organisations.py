"""Organisations and programmes: who organises an event, and the programmes and projects a report names.

Organisers are the organisations named after an ``organiser_cues`` phrase (``organisé par``, ``من تنظيم``,
``organised by``), up to the end of their noun phrase (a Latin name at its last capitalised word, an Arabic one at
the indefinite event noun after it), cut into names (``_organiser_parts``), each kept when it holds an
``organisations`` word or an acronym. Programmes are codes such as ``PGM DGD 2022-2026`` (capitals followed by a
year range), an acronym in brackets with a year range, ``programme/projet/برنامج/مشروع`` followed by a quoted or
capitalised name, a name that a programme word opens and its acronym closes (or the reverse), capitalised words up
to a head word (``… Small Grants Program``), and an Arabic programme word with the indefinite noun chain after it;
the funder is the organisation after ``funded by``/``financé par``/``بتمويل من`` near it.
See ``docs/extraction.md``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .lexicon import Folded, countries, fold_text, given_name_spans, lexicon, matcher
from .learned import _calibrate
from .text import _is_arabic, _strip_span


class OrganisationsMixin:
    """Organisers, participants and programmes."""

    def _organisations(self, start: int, end: int) -> list[str]:
        cues = matcher("organiser_cues")
        orgs = matcher("organisations")
        out: list[str] = []
        for c in cues.finditer(self.ft, start, end):
            org = self._org_after(c.end)
            if org is None:
                continue
            for part in _organiser_parts(self.text[org[0]:org[1]]):
                part = part.strip(" ,،")
                if len(part) > 2 and part not in out and len(part) < 150 and (
                        orgs.search(Folded.of(part)) or re.search(r"\b[A-Z]{2,}\b", part)):
                    out.append(part)
        return out

    def _known_organisations(self, found: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """Organisations the lexicon knows by name (``known_organisations``: ILO, the World Bank, الاتحاد الأوروبي…)
        that nothing else found: no head word announces them, and the tagger rarely tags a name it saw once. An
        acronym counts only in capitals (the matcher folds case: "eu" is a French word); an Arabic proclitic (و, ب,
        ل) before the whole name is left out of its span, as the gold's convention has it."""
        taken = [(pos, pos + len(name)) for name, pos in found]
        out: list[tuple[str, int]] = []
        for a, b in self._known_organisation_spans():
            if any(x < b and a < y for x, y in taken) or self._in_excluded(a):
                continue
            out.append((self.text[a:b], a))
            taken.append((a, b))
        return out

    def _acronym_organisations(self, found: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """Acronyms in capitals that nothing else read as an organisation (APFG, CREAD, HKCSS…): real reports name
        most organisations by their acronym, which no head word announces and the tagger, having seen it once
        or never, rarely tags. Left out (read in the cross-validated misses of train and dev): a word written
        otherwise elsewhere in the text (a headline's CONFERENCE, a dateline's MANILA), a word of a line in
        capitals, a country, a code with digits, a surname in capitals after a title or a given name, an acronym
        before a year, a number or a roman numeral (plans, editions, currencies) or after a programme word, the
        lexicon's ``not_organisations`` (SSE, COVID, SDG…), an acronym whose spelled-out name in the text is an
        event's, a programme's or a law's ("… Forum (GSEF)"), and one that spells out an organisation just read."""
        text = self.text
        names = [name for name, _ in found]
        taken = [(pos, pos + len(name)) for name, pos in found]
        stop = {str(w) for w in lexicon()["not_organisations"]}
        out: list[tuple[str, int]] = []
        seen: set[str] = set()
        for m in _ACRONYM.finditer(text):
            a, b = m.span(1)
            acr = m.group(1)
            if acr in seen or acr in stop or any(ch.isdigit() for ch in acr) or self._in_excluded(a):
                continue
            seen.add(acr)
            whole = re.compile(r"(?<![\w-])" + re.escape(acr) + r"(?![\w-])", re.I)
            if any(x.group(0) != acr for x in whole.finditer(text)):
                continue  # written otherwise elsewhere: a word or a name in capitals
            if _capitals_line(text, a) or (len(acr) <= 3 and countries().search(Folded.of(acr)) is not None):
                continue
            if any(x.group(0) == acr for n in names for x in whole.finditer(n)):
                continue
            if any(x < b and a < y for x, y in taken):
                continue
            before, after = text[max(0, a - 40):a], text[b:b + 30]
            if self._right_after(matcher("honorifics"), a, r"\s*(?:[A-Z][\w'’-]+\s+)?"):
                continue  # "Mr KHAOUA", "M. Jean DUPONT": a surname in capitals
            given = re.search(r"([A-Z][a-zà-ÿ'’-]+)\s+$", before)
            if given and any(s == 0 for s, _ in given_name_spans(given.group(1), "latin")):
                continue  # "Abdou SYLLA"
            if re.match(r"['’]|\s*(?:\d|[IVX]+\b)", after) or _NOT_ORG_EXPANSION.match(after.lstrip(" ")):
                continue  # "JEUN'ESS", "PND 2021-2025", "PSDS II", "SMI 2024", "the UNGA Resolution"
            if self._right_after(matcher("programme_words"), a, r"\s*(?:baptisée?|dubbed|called)?\s*[«“\"']?\s*"):
                continue  # "le dispositif OSER", "un projet baptisé « PROMESS »"
            spelled = _spelled_out(text, a, b)
            if spelled is not None and _NOT_ORG_EXPANSION.search(spelled):
                continue
            if text[max(0, a - 2):a].endswith("(") and any(
                    re.match(r"\s*\($", text[y:a]) for x, y in taken):
                continue  # "Name (ACR)" where the name was read: one organisation
            out.append((acr, a))
        return out

    def _right_after(self, words: Any, pos: int, gap: str) -> bool:
        """Whether one of ``words`` (a lexicon matcher) ends in the 40 characters before ``pos`` with only ``gap``
        (a pattern) between it and ``pos``."""
        last = None
        for last in words.finditer(self.ft, max(0, pos - 40), pos):
            pass
        return last is not None and re.fullmatch(gap, self.text[last.end:pos]) is not None

    def _known_organisation_spans(self, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Where the lexicon's ``known_organisations`` are named in [start, end), as :meth:`_known_organisations`
        reads them (an acronym in capitals only, the proclitic before a whole Arabic name left out)."""
        out = []
        for m in matcher("known_organisations").finditer(self.ft, start, end):
            a, b = m.start, m.end
            entry = str(m.value)
            if entry.isupper() and self.text[a:b] != entry:
                continue  # "Fida", "bit", "ilo": words and names, not FIDA, BIT, ILO
            if (_is_arabic(self.text[a:b]) and self.text[a] in "وبل" and not entry.startswith(self.text[a])
                    and fold_text(self.text[a + 1:b]) == fold_text(entry)):
                a += 1  # والاتحاد الأوروبي; للاتحاد (ل + الاتحاد) stays whole, as the gold writes it
            out.append((a, b))
        return out

    def _org_candidates(self) -> list[tuple[int, int]]:
        """Noun phrases headed by an ``organisations`` word: a feature of the entity tagger, which decides.

        Arabic names are a head noun and its genitive chain (``وزارة الشؤون الاجتماعية والعمل``): the words after
        the head while they are definite or adjectives, up to punctuation or a preposition. Latin names are the
        capitalised words around the head with their connectors (``Ministry of Trade and Industry``, ``Fédération
        des coopératives``) and an acronym in brackets after them; an acronym of three capitals or more alone
        (``NABARD``) is a candidate too.
        """
        out: list[tuple[int, int]] = []
        text = self.text
        for m in matcher("organisations").finditer(self.ft):
            if _is_arabic(text[m.start:m.end]):
                span = _arabic_phrase(text, m.start, m.end)
            else:
                span = _latin_phrase(text, m.start, m.end)
            if span and span[1] - span[0] > m.end - m.start or span and _is_arabic(text[m.start:m.end]):
                out.append(span)
        for m in re.finditer(r"(?<![\w-])[A-Z][A-Z0-9&]{2,}(?![\w-])", text):
            out.append((m.start(), m.end()))
        return sorted(set(out))

    def _org_after(self, pos: int) -> tuple[int, int] | None:
        rest = self.text[pos:pos + 160]
        m = re.match(r"\s*(?:l'|la |le |les |the )?", rest)
        a = pos + (m.end() if m else 0)
        stop = re.search(r"[.;:؛\n()]|[،,]|\s(?:et|and|و)?\s*(?:dans|في|within|in the framework|ضمن|qui|who|which|الذي"
                         r"|التي|pour|to|من أجل|لفائدة)\s|\s(?:يوم|أيام|أمس|اليوم|مساء|صباح)\s|\s\d", self.text[a:a + 150])
        b = a + (stop.start() if stop else min(150, len(self.text) - a))
        # "نظمت وزارة … ورشة عمل": the event organised (an indefinite noun) ends the organisers' names, where
        # "وزارة التشغيل والتكوين المهني" keeps its definite one
        for ev in self._event_matcher_cached().finditer(self.ft, a + 2, b):
            if not re.match(r"(?:و|ب|ل)?ال|(?:و|ب|ل)?لل", self.text[ev.start:ev.end]):
                b = ev.start
                break
        if not _is_arabic(self.text[a:b]):
            b = _latin_name_end(self.text, a, b)
        a, b = _strip_span(self.text, a, b)
        if b - a < 2:
            return None
        return a, b

    def _organisation(self, name: str, near: int) -> dict[str, Any]:
        """An organisation of the card with its confidence (read where the name stands, from ``near`` on)."""
        a = self.text.find(name, near)
        if a < 0:
            a = self.text.find(name)
        conf = self._confidence("organisation", "ORG", a, a + len(name)) if a >= 0 else _calibrate("organisation", 0.5)
        return {"name": name, "confidence": conf, **({"span": [a, a + len(name)]} if a >= 0 else {})}

    def _programmes(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        code = re.compile(r"(?<![\w])((?:[A-Z][A-Za-z0-9&]*[A-Z0-9](?:[ \-/_][A-Z][A-Za-z0-9&]*[A-Z0-9]?)*)"
                          r"\s*[-–]?\s*((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d))(?![\w])")
        for m in code.finditer(self.text):
            name = m.group(1)
            key = fold_text(name)
            if key in seen:
                continue
            seen.add(key)
            out.append({"name": name, "start": int(m.group(2)), "end": int(m.group(3)),
                        "span": (m.start(1), m.end(1))})
        # a long name with its acronym in brackets and a year range: "Programme d'appui … (PAESS) 2021-2025"
        for m in re.finditer(r"\(([A-Z][A-Z0-9\-]{2,14})\)\s*,?\s*((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d)",
                             self.text):
            if fold_text(m.group(1)) in seen:
                continue
            seen.add(fold_text(m.group(1)))
            out.append({"name": m.group(1), "start": int(m.group(2)), "end": int(m.group(3)),
                        "span": (m.start(1), m.end(1))})
        pw = matcher("programme_words")
        for m in pw.finditer(self.ft):
            if any(p["span"][0] <= m.end + 3 and m.start <= p["span"][1] for p in out):
                continue
            rest = self.text[m.end:m.end + 120]
            q = re.match(r"\s*(?:d[eu]s?\s+|of\s+)?[«“\"]\s*([^»”\"\n]{2,90}?)\s*[»”\"]", rest)
            if q:
                s, e = m.end + q.start(1), m.end + q.end(1)
            else:
                q = re.match(r"\s+((?:[A-Z][\w'’\-]*|[A-Z]{2,}|\d{4}(?:\s*[-–]\s*\d{4})?)"
                             r"(?:\s+(?:(?:de|du|des|for|of|pour|la|le|l'|d')\s+)?"
                             r"(?:[A-Z][\w'’\-]*|[A-Z]{2,}|\d{4}(?:\s*[-–]\s*\d{4})?))*)", rest)
                if not q or not re.search(r"[A-Z]", q.group(1)):
                    continue
                s, e = m.end + q.start(1), m.end + q.end(1)
                if countries().search(Folded.of(self.text[s:e])) and len(self.text[s:e].split()) == 1:
                    continue
            name = self.text[s:e].strip()
            if fold_text(name) in seen or len(name) < 3:
                continue
            written_word = self.text[m.start:m.end]
            full = (name if _is_arabic(written_word) is False and q
                    and self.text[m.end:s].strip() in ("", "«", "“", '"') else name)
            seen.add(fold_text(name))
            out.append({"name": full, "span": (s, e)})
        # a programme word opening a name that ends in its acronym: "Projet d’appui au développement local
        # (Profadel/OIF)", "Community HIV/Aids Mobilisation Programme (CHAMP)", and an acronym spelt out after it:
        # "PAMS (Programme d’Accompagnement aux Marchés publics Solidaires)"
        for rx in (_NAME_THEN_ACRONYM, _ACRONYM_THEN_NAME, _HEAD_LAST):
            for m in rx.finditer(self.text):
                s, e = m.start("name"), m.end("name")
                words = self.text[s:e].split()
                while words and words[0] in _NAME_OPENERS:
                    s = self.text.index(words[1], s + len(words[0])) if len(words) > 1 else e
                    words = words[1:]
                if rx is _HEAD_LAST:
                    if words and words[-1][:1].islower():  # "the X initiative": the head word is not the name
                        e = s + len(" ".join(words[:-1])) if len(words) > 1 else s
                        words = words[:-1]
                    elif sum(w[:1].isupper() for w in words[:-1]) < 2:
                        continue  # "Work Programme", "Une initiative": a generic head
                name = self.text[s:e]
                if len(words) < 2 or fold_text(name) in seen:
                    continue
                if any(p["span"][0] < e and s < p["span"][1] for p in out):
                    # a longer name holding one found before replaces it
                    inner = [p for p in out if s <= p["span"][0] and p["span"][1] <= e]
                    if not inner or len(inner) != len([p for p in out if p["span"][0] < e and s < p["span"][1]]):
                        continue
                    for p in inner:
                        out.remove(p)
                seen.add(fold_text(name))
                out.append({"name": name, "span": (s, e)})
        # Arabic "ضمن مشروع تعزيز مشاركة المرأة في التعاونيات": a programme word and the indefinite noun chain after it
        for m in re.finditer(r"(?<![\u0621-\u064A])(?:ل|ب|و)?(?P<word>مشروع|برنامج)\s+", self.text):
            span = _arabic_programme(self.text, m.start("word"), m.end())
            if span is None:
                continue
            s, e = span
            name = self.text[s:e]
            if fold_text(name) in seen or any(p["span"][0] < e and s < p["span"][1] for p in out):
                continue
            seen.add(fold_text(name))
            out.append({"name": name, "span": (s, e)})
        # funders
        fc = matcher("funder_cues_programme")
        for f in fc.finditer(self.ft):
            org = self._org_after(f.end)
            if org is None:
                continue
            near = [p for p in out if abs(p["span"][0] - f.start) < 250]
            target = min(near, key=lambda p: abs(p["span"][0] - f.start)) if near else None
            if target is not None and "funder" not in target:
                target["funder"] = self.text[org[0]:org[1]]
        return out


#: Words that open a programme's name without being part of it.
_NAME_OPENERS = {"The", "This", "A", "An", "Le", "La", "Ce", "Its", "Their", "Son", "Sa", "Leur", "Cette", "Un", "Une",
                 "L’", "L'"}
_CAP = r"[A-Z][\w’'\-/]*"
_LINK = r"(?:of|for|and|through|in|on|to|the|de|du|des|d’|d'|l’|l'|la|le|les|au|aux|à|en|pour|et|sur)"
#: "Projet francophone d’appui au développement local (Profadel/OIF)": a capitalised programme word, up to 110
#: characters of one clause, and an acronym in brackets.
_NAME_THEN_ACRONYM = re.compile(r"(?P<name>\b(?:Projet|Programme|Program|Project|Programa|Initiative)\b"
                                r"[^.;:!?\n()«»“”\"]{3,110}?\((?:[A-Z][\w\-]*)(?:/[A-Z][\w\-]*)?\))")
#: "PAMS (Programme d’Accompagnement aux Marchés publics Solidaires)"
_ACRONYM_THEN_NAME = re.compile(r"(?P<name>\b[A-Z][A-Za-z]*[A-Z][A-Za-z0-9\-]*\s*\((?:Projet|Programme|Program|Project"
                                r"|Programa)\b[^()\n]{3,100}\))")
#: "the Enhancing Development through Cooperatives initiative", "Global Environment Facility’s Small Grants Program
#: (GEF/SGP)", "Cooperative Housing Scheme Initiative": capitalised words (and their links) up to a head word.
_HEAD_LAST = re.compile(r"(?P<name>\b" + _CAP + r"(?:\s+(?:" + _LINK + r"\s+){0,2}" + _CAP + r"){0,7}"
                        r"\s+(?:[Pp]rogramme|[Pp]rogram|[Pp]roject|[Ii]nitiative|Scheme)\b"
                        r"(?:\s*\([A-Z][\w\-]*(?:/[A-Z][\w\-]*)?\))?)")
#: Words after which an Arabic programme's name stops (a verb, a relative, a funder's cue).
_AR_PROGRAMME_STOPS = {"يهدف", "تهدف", "الذي", "التي", "الممول", "بتمويل", "بدعم", "من", "على", "إلى", "الى", "عن", "مع",
                       "خلال", "حول", "ضمن", "عبر", "منذ", "بين", "وذلك", "كما", "حيث", "قد", "وقد", "قانون", "مرسوم", "هذا", "هذه",
                       "ذلك", "تلك", "عمل"}


def _arabic_programme(text: str, start: int, after: int) -> tuple[int, int] | None:
    """An Arabic programme's name: the programme word and the indefinite noun chain after it, up to punctuation, a
    stop word or a purpose clause (ل before an indefinite verbal noun); None for a generic one ("برنامج تكويني",
    "المشروع", "مشروع قانون")."""
    words = list(re.finditer(r"[\u0621-\u064A\u064B-\u0652]+|[^\s\u0621-\u064A]", text[after:after + 120]))
    if not words:
        return None
    first = fold_text(words[0].group(0))
    if (first.startswith(("ال", "و")) or first in _AR_PROGRAMME_STOPS or len(first) < 3
            or first.endswith(("ي", "يه", "يا"))):
        return None
    end = after + words[0].end()
    for w in words[1:8]:
        f = fold_text(w.group(0))
        if not re.match(r"[\u0621-\u064A]", f) or f in _AR_PROGRAMME_STOPS:
            break
        if f.startswith("ل") and not f.startswith("لل") and len(f) > 4:
            break  # a purpose clause: "لتطوير أداء التعاونيات"
        end = after + w.end()
        if f.startswith("لل"):
            break  # "… للشباب": who it is for ends the name
    if len(text[start:end].split()) < 3:
        return None
    return start, end


#: Where a list of organisers is cut: "et"/"and", "in partnership with" and its kin, and in Arabic a و that
#: joins two names, which is told from the first letter of a name (وزارة, وكالة) by what follows it: another
#: organisation's head word (ووزارة, والجمعية), not the rest of a word (وكالة → كالة).
_PARTNER_CUES = r"(?:en partenariat avec|en collaboration avec|in partnership with|in collaboration with|" \
    r"بالتعاون مع|بالتّعاون مع|بشراكة مع|بالشراكة مع|وبالتعاون مع)"


def _coordinated_name(word: str) -> bool:
    """Whether a folded Arabic word after و opens another organisation or group: an ``organisations`` head word
    or a ``delegation_nouns`` word (with or without its article)."""
    bare = word[2:] if word.startswith("ال") else word
    return bare in _arabic_heads() or word in _arabic_groups() or bare in _arabic_groups()


@lru_cache(maxsize=1)
def _arabic_groups() -> frozenset[str]:
    """The folded one-word Arabic ``delegation_nouns`` (ممثلي, الوفد, الخبراء…)."""
    return frozenset(fold_text(str(w)) for w in lexicon()["delegation_nouns"] if _is_arabic(str(w)) and " " not in str(w))


@lru_cache(maxsize=1)
def _latin_heads() -> frozenset[str]:
    """The folded one-word Latin head words of the ``organisations`` list (lower case; acronyms left out)."""
    return frozenset(fold_text(str(w)).lower() for w in lexicon()["organisations"]
                     if not _is_arabic(str(w)) and " " not in str(w) and not str(w).isupper())


@lru_cache(maxsize=1)
def _arabic_heads() -> frozenset[str]:
    """The folded Arabic head words of the ``organisations`` list, without their article."""
    heads = set()
    for w in lexicon()["organisations"]:
        f = fold_text(str(w))
        if _is_arabic(f) and " " not in f:
            heads.add(f[2:] if f.startswith("ال") else f)
    return frozenset(heads)


def _organiser_parts(frag: str) -> list[str]:
    """The names of a list of organisers (see ``_PARTNER_CUES``)."""
    parts = []
    for chunk in re.split(r"\s+(?:et|and)\s+|\s*" + _PARTNER_CUES + r"\s*", frag):
        cut = 0
        for m in re.finditer(r"\s+و(?=[\u0621-\u064A])", chunk):
            word = re.match(r"[\u0621-\u064A\u064B-\u0652]+", chunk[m.end():])
            rest = fold_text(word.group(0)) if word else ""
            rest = rest[2:] if rest.startswith("ال") else rest
            if rest in _arabic_heads():
                parts.append(chunk[cut:m.start()])
                cut = m.end()
        parts.append(chunk[cut:])
    return parts


_AR_STOPS = {"في", "على", "من", "إلى", "الى", "عن", "مع", "خلال", "حول", "الذي", "التي", "أن", "ان", "بين", "ضمن", "عبر",
             "لدى", "منذ", "بعد", "قبل", "حيث", "كما", "وقد", "قد", "تحت", "نحو"}
_LATIN_LINKS = {"of", "for", "and", "de", "du", "des", "la", "le", "les", "et", "l", "d", "&", "on", "pour", "en", "in",
                "the", "à", "au", "aux"}


def _arabic_phrase(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The head word at [a, b) and the definite words and adjectives after it (at most seven words)."""
    end = b
    while end < len(text) and not text[end].isspace() and text[end] not in "،,.:؛;()«»\"":
        end += 1  # the rest of the head word
    for _ in range(7):
        m = re.match(r"[ \t]+([^\s،,.:؛;()«»\"]+)", text[end:end + 60])
        if m is None:
            break
        w = m.group(1)
        bare = w[1:] if w.startswith("و") and len(w) > 3 else w
        if w in _AR_STOPS or not re.match(r"[\u0621-\u064A]", w):
            break
        if w.startswith("و") and _coordinated_name(fold_text(bare)):
            break  # "الاتحاد العام … والاتحاد التونسي …", "… وممثلي الشركاء": the next name or group, not this one's
        definite = bare.startswith(("ال", "لل")) or bare.endswith(("ية", "ي", "يين", "يات"))
        if not definite:
            # a noun in a construct chain (اتحاد منظمات المجتمع): indefinite, but a definite word follows it
            after = re.match(r"[ \t]+(و?)(ال|لل)[\u0621-\u064A]", text[end + m.end():end + m.end() + 12])
            if after is None or w.startswith("و") or len(w) < 3:
                break
        end += m.end()
    return (a, end)


def _latin_name_end(text: str, a: int, b: int) -> int:
    """Where a Latin organisation's name that starts at ``a`` ends (at most ``b``): its capitalised words, their
    connectors ("of", "de la") and a bracketed acronym, up to the first other word ("Commission was committed …",
    "Institute, with inputs from …"); names of several organisations joined by "and"/"et" stay whole."""
    end = a
    for m in re.finditer(r"\([^()\n]{1,40}\)|[\w’'&.\-]+|[^\w\s]", text[a:b]):
        w = m.group(0)
        if re.match(r"[ldLD][’']\w", w):
            w = w[2:]  # "l’Union européenne", "d’Action"
        if w.startswith("(") or w[:1].isupper() or w[:1].isdigit() and end > a:
            end = a + m.end()
        elif w.lower() in _LATIN_LINKS or w.lower() in ("and", "et", "&"):
            continue
        else:
            break
    return end


def _latin_phrase(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The capitalised words around the head at [a, b), with their connectors, and a bracketed acronym after."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w’'&-]+", text[max(0, a - 120):b + 160])]
    base = max(0, a - 120)
    tokens = [(s + base, e + base, w) for s, e, w in tokens]
    idx = next((i for i, (s, e, _) in enumerate(tokens) if s <= a < e), None)
    if idx is None:
        return None

    def joined(i: int, j: int) -> bool:  # only white space between tokens i and j (no punctuation, no line break)
        gap = text[tokens[i][1]:tokens[j][0]]
        return gap.strip() == "" and "\n" not in gap

    def capital(w: str) -> bool:
        return w[:1].isupper()

    lo = idx
    while lo > 0 and joined(lo - 1, lo):
        w = tokens[lo - 1][2]
        if capital(w) or (w.lower() in _LATIN_LINKS and lo - 2 >= 0 and capital(tokens[lo - 2][2])):
            lo -= 1
        else:
            break
    hi = idx
    while hi + 1 < len(tokens) and joined(hi, hi + 1):
        w = tokens[hi + 1][2]
        if capital(w) or (w.lower() in _LATIN_LINKS and hi + 2 < len(tokens) and joined(hi + 1, hi + 2)
                          and capital(tokens[hi + 2][2])):
            hi += 1
        else:
            break
    while lo < idx and tokens[lo][2].lower() in _LATIN_LINKS:
        lo += 1
    start, end = tokens[lo][0], tokens[hi][1]
    if not capital(text[start:end]):
        return None
    bracket = re.match(r"\s*\(([A-Z][A-Za-z0-9&/-]{1,15})\)", text[end:end + 20])
    if bracket:
        end += bracket.end()
    return (start, end)


def _trim_org(name: str) -> str:
    """An organisation's name without what the tagger or the rules ran on into: the next line, a person named after a
    comma or an honorific ("ILO, Kofi Mensah", "Union des Coopératives, M.", "وزارة الفلاحة … السيد"),
    a participation cue before it ("بمشاركة وزير العمل …")."""
    name = name.split("\n", 1)[0]
    folded = Folded.of(name)
    for m in matcher("honorifics").finditer(folded):
        if m.start > 0:
            name = name[:m.start]
            break
    for a, _ in given_name_spans(name, "latin") + given_name_spans(name):
        if a > 0 and name[:a].rstrip().endswith((",", "،")):
            name = name[:a]
            break
    cue = matcher("participation_cues").search(Folded.of(name))
    if cue is not None and cue.start <= 2 and _is_arabic(name[:cue.end]):  # بمشاركة: the match is after ب
        name = name[cue.end:]
    clause = _CLAUSE_AFTER_NAME.search(name)
    if clause is not None and clause.start() > 0:
        name = name[:clause.start()]  # "Commission was committed to …", "Agency, which under a new strategy …"
    if ")" in name and "(" not in name[:name.index(")")]:
        name = name[:name.index(")")]  # "Foundation)": the end of a bracket opened before the name
    elif "(" in name and ")" not in name[name.index("("):]:
        name = name[:name.index("(")]  # "… de Tighmet (région de …": a bracket the name did not close
    return name.strip(" ,،;:-–")


#: What ends a Latin name the tagger ran on into its sentence: a verb or a relative pronoun after it, or a comma
#: and a clause ("Commission was committed to …", "Agency, which …", "Fund, in his keynote address, stated").
_CLAUSE_AFTER_NAME = re.compile(
    r"\s(?:was|were|is|are|has|have|had|will|would|told|said|says|stated|noted|added|which|who|whose|qui|a été|ont|"
    r"est|sont|sera)\b|,\s+(?:which|who|in|on|at|as|and|qui|dont|en|lors|à|a|the|he|she|it|il|elle)\b")


#: An acronym: a capital, then two to seven capitals, digits or "&", and hyphenated parts ("IPD-AOS").
_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Z0-9&]{2,7}(?:-[A-Z0-9]{1,6})*)(?![\w-])")
#: The spelled-out names of events, programmes, laws and plans: an acronym standing for one is no organisation.
_NOT_ORG_EXPANSION = re.compile(
    r"\b(?:forum|summit|conference|congress|week|day|session|festival|salon|sommet|conférence|congrès|semaine|"
    r"journées?|programme|program|project|projet|plan|strategy|stratégie|policy|politique|law|loi|code|act|"
    r"dispositif|initiative|scheme|budget|report|rapport|declaration|déclaration|resolution|résolution)\b",
    re.I)


def _capitals_line(text: str, pos: int) -> bool:
    """Whether the line holding ``pos`` is written mostly in capitals (a headline or a dateline)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _spelled_out(text: str, a: int, b: int) -> str | None:
    """The words before "(ACR)" (up to eight), or after "ACR (" up to its ")": what the acronym stands for."""
    if text[max(0, a - 1):a] == "(" and text[b:b + 1] == ")":
        words = re.findall(r"[^\s(]+", text[max(0, a - 120):a - 1])
        return " ".join(words[-8:])
    m = re.match(r"\s*\(([^()]{3,120})\)", text[b:b + 125])
    return m.group(1) if m else None
