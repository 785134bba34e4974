"""Places: the event's city (after a venue cue, or the dateline's), the countries named, and who takes part.

Cities come from the gazetteer (``ingest/data/cities.tsv``), countries and demonyms from pycountry and
``countries.tsv``. A Latin-script name must be capitalised to count (``nice`` is not Nice). The venue city is a
city right after a venue cue (``بمدينة``, ``à``, ``in``…) or the Arabic preposition ب; the dateline
(``Nairobi, 23 August 2024 —``, possibly under a headline) names the city the report was filed from, which is
the first event's city only when its sentences name none. Participating countries are chains of country names
after a ``participation_cues`` word (or chains of three or more) and demonyms of a delegation or actor noun
(``الوفد السنغالي``, ``les délégations malienne et gambienne``, ``Kenyan and Ugandan cooperatives``); not names
inside quotes (organisation names), nor chains governed by a ``funder_cues`` word. See ``docs/extraction.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from typing import Any

from .lexicon import Folded, Match, capitals_named_as_country, cities, city_namesakes, countries, fold_text, matcher
from .text import Sentence, _is_arabic, _sentence_at


class PlacesMixin:
    """Cities, the dateline and countries of a report."""

    def _city_mentions(self, start: int, end: int) -> list[tuple[Match, Any]]:
        cm, _ = cities()
        out = []
        for m in cm.finditer(self.ft, start, end):
            written = self.text[m.start:m.end]
            if not _is_arabic(written) and not written[:1].isupper():
                continue
            if _is_arabic(written) and self._country_not_city(m.start, m.end):
                continue
            out.append((m, self._namesake(m.value)))
        return out

    def _namesake(self, city: Any) -> Any:
        """Of the cities bearing a name (Tripoli of Lebanon and of Libya), the one whose country the report names
        most; the gazetteer's first when it names none of them."""
        same = city_namesakes().get(city)
        if not same:
            return city
        counts = self._country_counts
        best = max(same, key=lambda c: counts.get(c.country, 0))
        return best if counts.get(best.country, 0) > counts.get(city.country, 0) else city

    @cached_property
    def _country_counts(self) -> Counter:
        """How often the report names each country, as :meth:`_country_mentions` reads them (not "المالي", "the
        financial", for Mali); counted once, and only for a city whose name two countries share."""
        return Counter(m.value.code for m in self._country_mentions(0, len(self.text)))

    def _country_not_city(self, a: int, b: int) -> bool:
        """Whether an Arabic capital's name at [a, b) names its country: "في تونس" is "in Tunisia" (the capital is
        "بتونس", "تونس العاصمة", "مدينة تونس"), and "عُمان" with its damma is Oman, not Amman (عمّان)."""
        written = self.text[a:b]
        if "\u064f" in written[:3] and fold_text(written).endswith("عمان"):
            return True
        if fold_text(written) not in capitals_named_as_country():
            return False
        if re.match(r"\s*(?:ال)?عاصمة", self.text[b:b + 12]):
            return False
        before = self.text[max(0, a - 12):a]
        return not (before.endswith("ب") or re.search(r"مدينة\s*$", before))

    def _venue_city(self, s: Sentence) -> tuple[Match, Any] | None:
        cues = matcher("venue_cues")
        mentions = self._city_mentions(s.start, s.end)
        for m, city in mentions:
            if self._in_excluded(m.start) or self._is_dateline(m):
                continue
            before = self.text[max(s.start, m.start - 25):m.start]
            fb = Folded.of(before)
            near = [c for c in cues.finditer(fb) if before[c.end:].strip() in ("",) or len(before) - c.end < 3]
            prefix_ar = re.search(r"(?:^|\s)(?:و?ب|في|و?بمدينة)\s*$", before) or re.search(r"(?<!\w)[وف]?ب$", before)
            if near or prefix_ar or self.text[m.start - 1:m.start] == "ب":
                return m, city
        return None

    def _dateline(self) -> tuple[Match, Any] | None:
        agencies = "|".join(re.escape(a) for a in self.lex["dateline_agencies"])
        cm, _ = cities()
        pos = 0
        lines = self.text.split("\n")
        for i, line in enumerate(lines[:6]):
            a = pos
            pos += len(line) + 1
            if not line.strip() or (i == 0 and self.r.title and line.strip() == self.r.title.strip()):
                continue
            # a headline (first line, no closing punctuation) stands above the dateline
            if i == 0 and len(line.strip()) <= 200 and not line.rstrip().endswith((".", ":", "،", "!", "?", "؟")) \
                    and not re.search(r"\s[-–—]\s", line[:60]):
                continue
            m = cm.search(self.ft, a, a + min(len(line), 40))
            if m and self.text[a:m.start].strip() == "":
                rest = self.text[m.end:m.end + 60]
                dm = re.match(rf"\s*(?:,[^\n]{{0,40}}?)?(?:\((?:{agencies})[^)]*\))?\s*[-–—:]", rest) or re.match(
                    rf"\s*\((?:{agencies})[^)]*\)\s*[-–—:]?", rest)
                if dm:
                    self.dateline_end = m.end + dm.end()
                    return m, m.value
            if len(line.strip()) > 40:
                break
        return None

    def _is_dateline(self, m: Match) -> bool:
        return self.dateline is not None and self.dateline[0].start == m.start

    def _country_mentions(self, start: int, end: int) -> list[Match]:
        out = []
        for m in countries().finditer(self.ft, start, end):
            written = self.text[m.start:m.end]
            if m.value.kind == "name" and not _is_arabic(written) and not written[:1].isupper():
                continue
            if m.value.kind == "name" and _is_arabic(written) and _article_added(fold_text(written), m.term):
                continue  # "المالي" is "the financial" (or "the Malian"): a name without the article never takes it
            out.append(m)
        return out

    def _participating(self, start: int, end: int, extra: list[tuple[int, int]]) -> list[tuple[str, int]]:
        """Countries named as taking part: lists after a participation cue, and demonyms of delegations."""
        cues = matcher("participation_cues")
        deleg = matcher("delegation_nouns")
        funders = matcher("funder_cues")
        found: dict[str, int] = {}
        ranges = [(start, end)] + extra
        for rs, re_ in ranges:
            mentions = [m for m in self._country_mentions(rs, re_) if not self._in_excluded(m.start)]
            names = [m for m in mentions if m.value.kind == "name"]
            for s in self.sents:
                if s.end <= rs or s.start >= re_:
                    continue
                in_s = [m for m in names if s.start <= m.start < s.end and not self._in_quotes(m.start, s)]
                if not in_s:
                    continue
                cue_pos = [c for c in cues.finditer(self.ft, s.start, s.end)]
                fund = [f.start for f in funders.finditer(self.ft, s.start, s.end)]
                # chains of country names joined by separators
                chains: list[list[Match]] = []
                for m in sorted(in_s, key=lambda m: m.start):
                    if chains and re.fullmatch(r"[\s,،؛;/&]*(?:(?:و|et|and|ainsi que|as well as|أو|ou|or)\s*)?"
                                               r"(?:(?:de|du|des|d'|of|la|le|l'|from)\s*)*",
                                               self.text[chains[-1][-1].end:m.start]):
                        chains[-1].append(m)
                    else:
                        chains.append([m])
                for chain in chains:
                    first = chain[0]
                    before = [c for c in cue_pos if c.end <= first.start and first.start - c.end <= 120]
                    # a funder cue governs the names after it, until a participation cue takes over
                    # ("بدعم من الوكالة …، وبحضور خبراء من الجزائر وليبيا")
                    funded = any(f <= first.start and first.start - f < 60
                                 and not any(f < c.start and c.end <= first.start for c in cue_pos)
                                 for f in fund)
                    if funded:
                        continue
                    strong = [c for c in before if c.term not in _GENERIC_CUES]
                    window = self.text[max(s.start, first.start - 100):first.start]
                    if not strong and (_TOPIC.search(fold_text(window)) or re.search(r"\boù\b", window)):
                        continue  # a list of examples or study countries ("countries where SSE laws were adopted")
                    if before or len(chain) >= 3:
                        for m in chain:
                            found.setdefault(m.value.code, m.start)
            # chains of demonyms: "les délégations malienne, gambienne et bissau-guinéenne", "Kenyan, Ugandan and
            # Rwandan cooperatives", "تعاونيات أردنية ومصرية": the chain is a delegation's when its noun (before it
            # in French and Arabic, after it in English) is a delegation or actor noun
            demonyms = sorted((m for m in mentions if m.value.kind == "demonym"), key=lambda m: m.start)
            dchains: list[list[Match]] = []
            for m in demonyms:
                if dchains and re.fullmatch(r"[\s,،]*(?:(?:و|et|and|ou|or)\s*)?",
                                            self.text[dchains[-1][-1].end:m.start]):
                    dchains[-1].append(m)
                else:
                    dchains.append([m])
            for chain in dchains:
                if len(chain) < 2:
                    continue
                first, last = chain[0], chain[-1]
                s = _sentence_at(self.sents, first.start)
                if self._in_quotes(first.start, s):
                    continue
                fund = [f.start for f in funders.finditer(self.ft, s.start, s.end)]
                cue_pos = [c for c in cues.finditer(self.ft, s.start, s.end)]
                if any(f <= first.start and first.start - f < 60
                       and not any(f < c.start and c.end <= first.start for c in cue_pos) for f in fund):
                    continue
                before = self.text[max(s.start, first.start - 40):first.start]
                after = self.text[last.end:min(s.end, last.end + 30)]
                nb = list(deleg.finditer(Folded.of(before)))
                na = deleg.search(Folded.of(after))
                ok = bool(nb) and len(before[nb[-1].end:].split()) <= 2 \
                    and not re.search(r"[.،,;:]", before[nb[-1].end:])
                if not ok and na is not None and not _is_arabic(after):
                    ok = re.fullmatch(r"\s*(?:[\w'’-]+\s+)?", after[:na.start]) is not None
                if ok:
                    for m in chain:
                        found.setdefault(m.value.code, m.start)
            # demonyms naming a delegation: "الوفد السنغالي", "la délégation sénégalaise", "Senegalese delegates"
            for m in mentions:
                if m.value.kind != "demonym":
                    continue
                s = _sentence_at(self.sents, m.start)
                if self._in_quotes(m.start, s):
                    continue
                before = self.text[max(s.start, m.start - 40):m.start]
                after = self.text[m.end:min(s.end, m.end + 30)]
                fb, fa = Folded.of(before), Folded.of(after)
                nb = [d for d in deleg.finditer(fb)]
                ok = False
                if nb:
                    tail = before[nb[-1].end:]
                    # adjectives of the same noun may stand between: "les délégations sénégalaise et malienne"
                    ok = len(tail.split()) <= 3 \
                        and not re.search(r"[.،,;:]", tail.replace(" et", "").replace(" و", "")) \
                        or re.fullmatch(r"[\s\w']*(?:,|،|et|و|and)?\s*", tail) is not None and len(tail) < 25
                na = deleg.search(fa)
                if not ok and na and after[:na.start].strip() in ("", "and", "et") and not _is_arabic(after):
                    ok = True
                if ok:
                    found.setdefault(m.value.code, m.start)
        return sorted(found.items(), key=lambda kv: kv[1])

    def _in_quotes(self, pos: int, s: Sentence) -> bool:
        """Whether ``pos`` is inside a quotation: a mark before it in its sentence that is not closed, or a closing
        mark after it that opens nowhere before it in the sentence (the quotation began in an earlier sentence)."""
        seg = self.text[s.start:pos]
        for o, c in (("«", "»"), ("“", "”"), ("”", "”"), ('"', '"')):
            if o == c:
                if seg.count(o) % 2 == 1:
                    return True
            elif seg.count(o) > seg.count(c):
                return True
        after = self.text[pos:s.end]
        for o, c in (("«", "»"), ("“", "”")):
            close = after.find(c)
            if close >= 0 and o not in after[:close]:
                return True
        return False


#: participation cues too general to overrule the words of :data:`_TOPIC` ("six countries: …", "including")
_GENERIC_CUES = {fold_text(w) for w in ("countries", "pays", "دول", "including", "from")}
#: words before an uncued list of countries that make it a list of examples, not of participants: studies and
#: their countries, laws and policies "adopted in", experiences "such as" (a participation cue overrides them)
_TOPIC = re.compile(r"\b(?:stud(?:y|ies)|mapping|surveys?|where|such as|like|experiences?|examples?|polic(?:y|ies)|laws?|"
                    r"adopted|tels? que|telles? que|comme|experiences?|exemples?|etudes?|politiques?|lois?|"
                    r"مثل|تجارب|تجربة|على غرار|كما هو الحال)\b")


def _article_added(written: str, entry: str) -> bool:
    """Whether an Arabic country name (folded) was written with an article its entry lacks: the proclitics before
    the entry end in ال, or are لل (ل + ال) — "المالي", "للمالي"; not "لمالي", "لليبيا" (ل + ليبيا)."""
    if not written.endswith(entry) or entry.startswith("ال"):
        return False
    prefix = written[: len(written) - len(entry)]
    return prefix.endswith("ال") or prefix.endswith("لل")

