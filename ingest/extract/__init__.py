"""Rule-based extraction of event cards from SSE news reports in Arabic, French and English (issue 3).

``extract(report)`` reads a :class:`ssekg.ingest.readers.Report` and returns a card dict in the format of
``docs/cards.md``: one entry per event the report describes or announces, each fact with the ``span`` of
the text it was read from (code-point offsets into the report's normalised text). Word lists live in
``ingest/data/`` (lexicon.yaml, cities.tsv, countries.tsv); the event-type, challenge and proposal keywords
come from the SKOS schemes. See ``docs/extraction.md``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

from ssekg.errors import InputError

from .dates import DateMention, find_dates, find_relative
from .lexicon import (
    ARABIC_RE,
    Folded,
    Match,
    TermMatcher,
    cities,
    countries,
    fold_text,
    lexicon,
    matcher,
    schemes,
)

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract"]

from .sequence import models_version

EXTRACTOR_NAME = "ssekg-extract"
#: The code's version and the hash of the shipped models: a retrained model is another extractor.
EXTRACTOR_VERSION = f"0.2.0+models.{models_version()}"

_BULLET = re.compile(r"^[ \t]*(?:[*•·▪►●◦‣■□✓✔➢➤→-]|[–—]|\(?\d{1,2}[.)\-–:]|\(?[٠-٩]{1,2}[.)\-–:]|[a-zA-Z][.)]|\((?:[ivx]{1,4}|[IVX]{1,4}|[a-h])\)|(?:[ivx]{1,4})\)|[أبجده][.)-])[ \t]+")
_SENT_END = re.compile(r"(?<=[.!?؟])[\s\"»”']+|\n+")
_ITEM_TRIM = " \t\"'«»“”.,;:،؛-–—*"


# --------------------------------------------------------------------------------------------- helpers


@dataclass
class Sentence:
    start: int
    end: int


def _sentences(text: str) -> list[Sentence]:
    out = []
    pos = 0
    honor = {fold_text(h).rstrip(".") for h in lexicon()["honorifics"]}
    for m in _SENT_END.finditer(text):
        if "\n" not in m.group(0):
            prev = re.search(r"(\S+)\.$", text[pos:m.start()])
            if prev and (fold_text(prev.group(1)) in honor or len(prev.group(1)) == 1):
                continue
        if m.start() > pos:
            out.append(Sentence(pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append(Sentence(pos, len(text)))
    return out


def _sentence_at(sents: list[Sentence], pos: int) -> Sentence:
    for s in sents:
        if s.start <= pos < s.end or (pos == s.end):
            return s
    return Sentence(pos, pos)


def _strip_span(text: str, a: int, b: int, chars: str = _ITEM_TRIM) -> tuple[int, int]:
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def _is_arabic(text: str) -> bool:
    return bool(ARABIC_RE.search(text))


@dataclass
class Speaker:
    name: str
    start: int
    end: int
    role: str | None = None
    affiliation: str | None = None
    country: str | None = None
    desc_end: int = 0  # where the apposition after the name ends


@dataclass
class EventDraft:
    trigger: Match
    notation: str
    sentences: list[Sentence] = field(default_factory=list)
    start: int = 0
    end: int = 0
    date: DateMention | None = None
    city: tuple[Match, Any] | None = None
    host: str | None = None
    future: bool = False


# --------------------------------------------------------------------------------------------- the extractor


class _Extractor:
    def __init__(self, report: Any):
        self.r = report
        self.text: str = report.text
        self.ft = Folded.of(self.text)
        self.sents = _sentences(self.text)
        self.lex = lexicon()
        self.excluded: list[tuple[int, int]] = []  # bylines and credits
        self.items: list[tuple[int, int]] = []  # list items (not event triggers)

    # ---- regions
    def _bylines(self) -> None:
        by = matcher("bylines")
        pos = 0
        for line in self.text.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            stripped = line.strip()
            if not stripped or len(stripped) > 90:
                continue
            m = by.search(self.ft, a, b)
            if m and self.text[a:m.start].strip() in ("", "-", "—", "|", "(", "["):
                self.excluded.append((a, b))
            elif stripped.startswith("©"):
                self.excluded.append((a, b))

    def _in_excluded(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.excluded)

    def _list_blocks(self) -> list[list[tuple[int, int]]]:
        """Runs of bulleted or numbered lines: [(content start, content end)…]."""
        blocks: list[list[tuple[int, int]]] = []
        cur: list[tuple[int, int]] = []
        pos = 0
        gap = 0
        for line in self.text.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            m = _BULLET.match(line)
            if m and len(line.strip()) > 3:
                s, e = _strip_span(self.text, a + m.end(), b)
                if e > s:
                    cur.append((s, e))
                gap = 0
            elif not line.strip() and cur and gap == 0:
                gap = 1
            else:
                if cur:
                    blocks.append(cur)
                cur = []
                gap = 0
        if cur:
            blocks.append(cur)
        for block in blocks:
            self.items.extend(block)
        return blocks

    def _in_item(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.items)

    # ---- events
    def _event_matcher(self) -> TermMatcher:
        return _event_matcher()

    def _events(self) -> list[EventDraft]:
        em = self._event_matcher()
        verbs = matcher("event_verbs")
        fut = matcher("future_event")
        drafts: list[EventDraft] = []
        title_line_end = self.text.find("\n") if self.r.title and self.text.startswith(self.r.title.strip()) else -1
        for s in self.sents:
            if s.end <= title_line_end:
                continue
            triggers = [m for m in em.finditer(self.ft, s.start, s.end) if not self._in_item(m.start)]
            if not triggers:
                continue
            has_verb = verbs.search(self.ft, s.start, s.end) is not None
            future = fut.search(self.ft, s.start, s.end) is not None
            dates = [d for d in self.dates if s.start <= d.start < s.end]
            city = self._venue_city(s)
            if not (has_verb or future or dates or city):
                continue
            trig = triggers[0]
            before = fold_text(self.text[max(s.start, trig.start - 12):trig.start])
            anaphoric = bool(re.search(r"(هذا|هذه|ce|cet|cette|this|that|the same|même)\s*$", before))
            after_trig = [d for d in dates if d.start >= triggers[0].start]
            new_date = (after_trig or dates or [None])[0]
            if new_date is None:
                # "held yesterday", "انطلقت أمس", "last Tuesday": a relative day of the event's own sentence
                rel = find_relative(self.ft, self.r.published, s.start, s.end, future)
                new_date = rel[0] if rel else None
            cur = drafts[-1] if drafts else None
            is_new = cur is None
            if cur is not None and not anaphoric:
                if new_date and cur.date and new_date.begin != cur.date.begin and not self._same_range(cur.date, new_date):
                    is_new = True
                elif city and cur.city and city[1].name_en != cur.city[1].name_en and (new_date or future):
                    is_new = True
                elif future and not cur.future and (new_date or city):
                    is_new = True
            if is_new:
                d = EventDraft(trig, trig.value, [s], start=s.start, future=future)
                drafts.append(d)
                cur = d
            else:
                cur.sentences.append(s)
            if cur.date is None and new_date:
                cur.date = new_date
            if cur.city is None and city:
                cur.city = city
        self.fallback = False
        if not drafts:
            drafts = self._fallback_event(em, fut)
            self.fallback = bool(drafts)
        for i, d in enumerate(drafts):
            d.end = drafts[i + 1].start if i + 1 < len(drafts) else len(self.text)
        if drafts:
            drafts[0].start = 0
        return drafts

    def _fallback_event(self, em: TermMatcher, fut: TermMatcher) -> list[EventDraft]:
        """One event for a report that names an event without the verb, date or place the main rule wants.

        Real reports tell an event through its outcome (a communiqué of a workshop, a forum told through its
        recommendations, an announcement without a date): the first event word outside a list, headline
        included, makes one event that owns the whole text. A report without any event word has none.
        """
        for s in self.sents:
            triggers = [m for m in em.finditer(self.ft, s.start, s.end) if not self._in_item(m.start)]
            if triggers:
                future = fut.search(self.ft, s.start, s.end) is not None
                d = EventDraft(triggers[0], triggers[0].value, [s], start=s.start, future=future)
                dates = [dm for dm in self.dates if s.start <= dm.start < s.end]
                d.date = dates[0] if dates else None
                d.city = self._venue_city(s)
                return [d]
        # no event word: a sentence that says something was held or organised, with its date or venue
        verbs = matcher("event_verbs")
        for s in self.sents:
            v = verbs.search(self.ft, s.start, s.end)
            dates = [dm for dm in self.dates if s.start <= dm.start < s.end]
            city = self._venue_city(s)
            if v is not None and (dates or city):
                d = EventDraft(Match(v.start, v.end, v.term, "meeting"), "meeting", [s], start=s.start)
                d.date = dates[0] if dates else None
                d.city = city
                return [d]
        return []

    @staticmethod
    def _same_range(a: DateMention, b: DateMention) -> bool:
        lo, hi = a.begin, a.finish or a.begin
        return lo <= b.begin <= hi

    # ---- places
    def _city_mentions(self, start: int, end: int) -> list[tuple[Match, Any]]:
        cm, _ = cities()
        out = []
        for m in cm.finditer(self.ft, start, end):
            written = self.text[m.start:m.end]
            if not _is_arabic(written) and not written[:1].isupper():
                continue
            out.append((m, m.value))
        return out

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
                    if chains and re.fullmatch(r"[\s,،؛;/&]*(?:(?:و|et|and|ainsi que|as well as|أو|ou|or)\s*)?(?:(?:de|du|des|d'|of|la|le|l'|from)\s*)*", self.text[chains[-1][-1].end:m.start]):
                        chains[-1].append(m)
                    else:
                        chains.append([m])
                for chain in chains:
                    first = chain[0]
                    before = [c for c in cue_pos if c.end <= first.start and first.start - c.end <= 120]
                    # a funder cue governs the names after it, until a participation cue takes over
                    # ("بدعم من الوكالة …، وبحضور خبراء من الجزائر وليبيا")
                    funded = any(f <= first.start and first.start - f < 60 and not any(f < c.start and c.end <= first.start for c in cue_pos)
                                 for f in fund)
                    if funded:
                        continue
                    if before or len(chain) >= 3:
                        for m in chain:
                            found.setdefault(m.value.code, m.start)
            # chains of demonyms: "les délégations malienne, gambienne et bissau-guinéenne", "Kenyan, Ugandan and
            # Rwandan cooperatives", "تعاونيات أردنية ومصرية": the chain is a delegation's when its noun (before it
            # in French and Arabic, after it in English) is a delegation or actor noun
            demonyms = sorted((m for m in mentions if m.value.kind == "demonym"), key=lambda m: m.start)
            dchains: list[list[Match]] = []
            for m in demonyms:
                if dchains and re.fullmatch(r"[\s,،]*(?:(?:و|et|and|ou|or)\s*)?", self.text[dchains[-1][-1].end:m.start]):
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
                if any(f <= first.start and first.start - f < 60 and not any(f < c.start and c.end <= first.start for c in cue_pos) for f in fund):
                    continue
                before = self.text[max(s.start, first.start - 40):first.start]
                after = self.text[last.end:min(s.end, last.end + 30)]
                nb = list(deleg.finditer(Folded.of(before)))
                na = deleg.search(Folded.of(after))
                ok = bool(nb) and len(before[nb[-1].end:].split()) <= 2 and not re.search(r"[.،,;:]", before[nb[-1].end:])
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
                    ok = len(tail.split()) <= 3 and not re.search(r"[.،,;:]", tail.replace(" et", "").replace(" و", "")) or re.fullmatch(r"[\s\w']*(?:,|،|et|و|and)?\s*", tail) is not None and len(tail) < 25
                na = deleg.search(fa)
                if not ok and na and after[:na.start].strip() in ("", "and", "et") and not _is_arabic(after):
                    ok = True
                if ok:
                    found.setdefault(m.value.code, m.start)
        return sorted(found.items(), key=lambda kv: kv[1])

    def _in_quotes(self, pos: int, s: Sentence) -> bool:
        seg = self.text[s.start:pos]
        for o, c in (("«", "»"), ("“", "”"), ("”", "”"), ('"', '"')):
            if o == c:
                if seg.count(o) % 2 == 1:
                    return True
            elif seg.count(o) > seg.count(c):
                return True
        return False

    # ---- speakers
    def _speakers(self) -> list[Speaker]:
        hon = matcher("honorifics")
        out: list[Speaker] = []
        for m in hon.finditer(self.ft):
            if self._in_excluded(m.start) or self._in_item(m.start):
                continue
            written = self.text[m.start:m.end]
            if not _is_arabic(written) and not written[:1].isupper():
                continue
            if self.text[m.start - 1:m.start].isalpha():
                continue
            name = self._name_after(m.end)
            if name is None:
                continue
            s, e = name
            sp = Speaker(self.text[s:e], s, e)
            self._describe(sp, m.start)
            out.append(sp)
        # Latin names without an honorific: "Fatou Diop, présidente de …" / "said Jane Doe" / "CEO John Otieno said" /
        # "l'échevine de l'Économie sociale, Julie Lambert," / "Iñaki Etxeberria of Mondragon explained"
        if self.r.language != "ar":
            roles = matcher("roles")
            verbs = matcher("speech_verbs")
            orgs = matcher("organisations")
            word = r"(?:[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý][a-zà-ÿ'’]+)*)"
            particles = r"(?:de|du|da|dos|van|von|el|al|ben|bin|ould|bint|ba|Ba|El|Al|Ben|Ould)"
            for nm in re.finditer(rf"(?<![\w.'’])((?:{word}|[A-Z]{{2,}})(?:\s+(?:{particles}\s+)?{word}){{1,4}})", self.text):
                s, e = nm.start(1), nm.end(1)
                # leading words that are not part of the name: "Pour", "Opening", "CEO", "Le Haïtien"
                while True:
                    words = list(re.finditer(r"\S+", self.text[s:e]))
                    if len(words) < 2:
                        break
                    if self._plausible_name(s, e):
                        break
                    s = s + words[1].start()
                words = self.text[s:e].split()
                if len(words) < 2 or not self._plausible_name(s, e):
                    continue
                if any(sp.start <= s < sp.end or s <= sp.start < e for sp in out) or self._in_excluded(s):
                    continue
                # part of a longer proper noun: "Institute of Rural Management", "Employment and Labour Relations"
                if re.search(r"(?:\b(?:of|for|and|de|du|des|of the|et|in|at|the)|[dl]['’])\s*$", self.text[max(0, s - 8):s]):
                    continue
                after = Folded.of(self.text[e:e + 60])
                r = roles.search(after)
                v = verbs.search(after)
                o = orgs.search(after)
                comma = self.text[e:e + 3].lstrip().startswith((",", "("))
                ok = (r is not None and comma and r.start <= 30) or (v is not None and v.start <= 3) \
                    or (o is not None and comma and o.start <= 30)
                if not ok:
                    # "X of Mondragon explained", "X from the Y said"
                    mo = re.match(r"\s+(?:of|from|at|de|du|de la)\s+(?:the\s+)?(?:[A-Z][\w'’&-]*\s*){1,5}", self.text[e:e + 80])
                    if mo:
                        v2 = verbs.search(Folded.of(self.text[e + mo.end():e + mo.end() + 20]))
                        ok = v2 is not None and v2.start <= 1
                before = self.text[max(0, s - 25):s]
                vb = verbs.search(Folded.of(before))
                if vb and before[vb.end:].strip(" ,") == "":
                    ok = True
                if not ok and (comma or (v is not None and v.start <= 3) or self.text[e:e + 1] == ","):
                    # a role before the name: "l'échevine de l'Économie sociale, Julie Lambert," / "CEO John Otieno said"
                    clause = self.text[max(0, s - 90):s]
                    cut = max(clause.rfind(ch) for ch in ".;:\n«»\"")
                    clause = clause[cut + 1:]
                    rb = None
                    for rb in roles.finditer(Folded.of(clause)):
                        pass
                    if rb is not None and (re.fullmatch(r"[^,،]*,\s*", clause[rb.end:]) or clause[rb.end:].strip() == ""):
                        ok = True
                if not ok:
                    continue
                sp = Speaker(self.text[s:e], s, e)
                self._describe(sp, s)
                out.append(sp)
        # Arabic names without an honorific: "قالت فاطمة الزهراء بناني، رئيسة …"
        else:
            verbs = matcher("speech_verbs")
            roles = matcher("roles")
            for v in verbs.finditer(self.ft):
                if self._in_excluded(v.start):
                    continue
                tail = self.text[v.end:v.end + 60]
                nm = re.match(r"\s+((?:[\u0621-\u064A]+\s+){1,3}?[\u0621-\u064A]+)\s*[،,]", tail)
                if not nm:
                    continue
                s, e = v.end + nm.start(1), v.end + nm.end(1)
                if any(sp.start <= s < sp.end or s <= sp.start < e for sp in out):
                    continue
                after = Folded.of(self.text[e:e + 40])
                r = roles.search(after)
                if r is None or self.text[e:e + r.start].strip(" ،,") != "":
                    continue
                words = fold_text(self.text[s:e]).split()
                stop = {fold_text(w) for w in ("في", "من", "على", "إلى", "أن", "ان", "خلال", "كلمة", "مداخلة", "المشاركون")}
                if any(w in stop for w in words) or matcher("roles").search(Folded.of(self.text[s:e])):
                    continue
                sp = Speaker(self.text[s:e], s, e)
                self._describe(sp, s)
                out.append(sp)
            # a role before the name, no comma: "وأشار الخبير الليبي عمر الفيتوري إلى", "وتحدث رئيس الوفد الفلسطيني خالد أبو عيشة عن"
            stop = {fold_text(w) for w in ("في", "من", "على", "إلى", "الى", "عن", "أن", "ان", "إن", "خلال", "مع", "قائلا", "قائلة", "بأن", "بان", "حول", "لدى", "أمام")}
            for v in verbs.finditer(self.ft):
                if self._in_excluded(v.start):
                    continue
                r = roles.search(self.ft, v.end, v.end + 40)
                if r is None or self.text[v.end:r.start].strip():
                    continue
                ws = list(re.finditer(r"[\u0621-\u064A]+", self.text[r.end:r.end + 80]))
                i = 0
                while i < len(ws) and i < 3 and fold_text(ws[i].group(0)).startswith("ال") and not self.text[r.end:r.end + ws[i].start()].strip(" ") .count("،"):
                    i += 1
                name_words = []
                for w in ws[i:i + 4]:
                    gap = self.text[r.end + (name_words[-1].end() if name_words else ws[i - 1].end() if i else 0):r.end + w.start()]
                    if gap.strip():
                        break
                    fw = fold_text(w.group(0))
                    if fw in stop or matcher("roles").search(Folded.of(w.group(0))):
                        break
                    if not name_words and fw.startswith("ال"):
                        break
                    name_words.append(w)
                if not (2 <= len(name_words) <= 3):
                    continue
                if re.match(r"[وفبكل]?[بلك]?ال|لل", name_words[0].group(0)) and fold_text(name_words[0].group(0))[:3] in ("بال", "لال", "كال", "وال", "فال") or name_words[0].group(0).startswith("لل"):
                    continue  # "المكلف بالاقتصاد الاجتماعي": the role goes on
                after_name = self.text[r.end + name_words[-1].end():r.end + name_words[-1].end() + 30]
                hm = matcher("honorifics").search(Folded.of(after_name))
                if hm is not None and after_name[:hm.start].strip(" ،,") == "":
                    continue  # "كاتب الدولة المكلف بالاقتصاد، السيد يوسف البقالي": the name follows the honorific
                nxt = self.text[r.end + name_words[-1].end():r.end + name_words[-1].end() + 8]
                if not re.match(r"\s*(?:[،,.:]|إلى|الى|عن|أن|ان|إن|في|على|بأن|قائل)", nxt):
                    continue
                s, e = r.end + name_words[0].start(), r.end + name_words[-1].end()
                if any(sp.start <= s < sp.end or s <= sp.start < e for sp in out) or i == 0:
                    continue
                sp = Speaker(self.text[s:e], s, e, role=self.text[r.start:s].strip())
                out.append(sp)
        out.sort(key=lambda sp: sp.start)
        return out

    def _plausible_name(self, s: int, e: int) -> bool:
        frag = Folded.of(self.text[s:e])
        for lst in ("organisations", "roles", "months", "weekdays"):
            m = keyed_matcher_safe(lst).search(frag)
            if m:
                return False
        if countries().search(frag) or cities()[0].search(frag) or self._event_matcher_cached().search(frag):
            return False
        words = self.text[s:e].split()
        if any(w.isupper() and len(w) > 1 for w in words) and len(words) <= 2:
            return False
        first = fold_text(words[0])
        if first in {"le", "la", "les", "the", "this", "ce", "cette", "in", "on", "lors", "selon", "according", "pour", "for", "dans", "a", "au", "en", "si", "mais", "but", "and", "et"}:
            return False
        return True

    def _event_matcher_cached(self) -> TermMatcher:
        if not hasattr(self, "_em"):
            self._em = self._event_matcher()
        return self._em

    _AR_NAME_STOP = None

    def _name_after(self, pos: int) -> tuple[int, int] | None:
        """The person's name after an honorific: 1–4 words, up to punctuation or a role word."""
        text = self.text
        i = pos
        while i < len(text) and text[i] in " \t":
            i += 1
        # a second title in brackets or in a row: "Dr (Mrs) Ngozi Okafor", "Hon. Dr. Jane Doe"
        for _ in range(2):
            pm = re.match(r"\(\s*([^()\n]{1,12}?)\s*\)\s*", text[i:i + 20])
            if pm and matcher("honorifics").search(Folded.of(pm.group(1))):
                i += pm.end()
                continue
            hm = matcher("honorifics").search(self.ft, i, min(len(text), i + 14))
            if hm is not None and hm.start == i and text[hm.end:hm.end + 1] in (" ", "\t"):
                i = hm.end + 1
                continue
            break
        roles = matcher("roles")
        verbs = matcher("speech_verbs")
        words = []
        for m in re.finditer(r"[^\s،,.;:()\[\]«»\"“”!?؟]+", text[i:i + 80]):
            ws, we = i + m.start(), i + m.end()
            gap = text[(words[-1][1] if words else i):ws]
            if words and gap.strip():
                break
            if "\n" in gap:
                break
            w = text[ws:we]
            f = Folded.of(w)
            if roles.search(f) or verbs.search(f) or countries().search(f):
                break
            if _is_arabic(w):
                if fold_text(w) in _AR_NAME_STOPWORDS:
                    break
            else:
                lw = w.lower()
                if not (w[:1].isupper() or lw in ("de", "du", "el", "al", "ben", "bin", "ould", "van", "von", "da", "dos", "bint", "ba")):
                    break
                if lw in ("de", "du", "da", "dos", "van", "von") and not words:
                    break
            words.append((ws, we))
            if len(words) == 4:
                break
        while words and text[words[-1][0]:words[-1][1]].lower() in ("de", "du", "el", "al", "ben", "bin", "ould", "van", "von", "da", "dos", "bint", "ba"):
            words.pop()
        if not words:
            return None
        return words[0][0], words[-1][1]

    def _describe(self, sp: Speaker, honor_start: int) -> None:
        """Role, affiliation and country written next to a speaker's name."""
        text = self.text
        after = text[sp.end:sp.end + 260]
        m = re.match(r"\s*\(([^)]{2,40})\)", after)
        if m:
            cm = countries().search(Folded.of(m.group(1)))
            if cm:
                sp.country = cm.value.code
            after = after[m.end():]
            base = sp.end + m.end()
        else:
            base = sp.end
        appos = None
        m = re.match(r"\s*[،,]\s*", after)
        if m:
            rest = after[m.end():]
            stop = re.search(r"[.;:؛\n]|\s(?:حيث|الذي|التي|وقد|والتي|qui|a déclaré|a souligné|a indiqué|who|said|stressed|noted|explained)\b|[،,]\s*(?:(?:و|et|and)\s|a\s|has\s|said|who|qui|a\s)"
                             r"|[،,]\s*(?=أن\s|إن\s|ان\s|بأن|بان\s|بضرورة|على ضرورة|إلى\s|في كلمت|في مداخلت|قائل|que\s|qu'|that\s|lors\s|during\s)", rest)
            end = stop.start() if stop else len(rest)
            appos = (base + m.end(), base + m.end() + end)
            sp.desc_end = appos[1]
        else:
            # role before the name: "la présidente du REMESS, Mme X" / "رئيسة الجمعية، السيدة X"
            before_start = max(0, honor_start - 160)
            before = text[before_start:honor_start]
            mm = re.search(r"[،,]\s*$", before)
            if mm:
                seg_start = max(before.rfind(c, 0, mm.start()) for c in ".;:\n،,") + 1
                roles = matcher("roles")
                r = roles.search(Folded.of(before[seg_start:mm.start()]))
                if r:
                    appos = (before_start + seg_start + r.start, before_start + mm.start())
        if appos is None:
            return
        a, b = _strip_span(text, *appos, chars=" \t,،")
        if b - a < 2:
            return
        phrase = text[a:b]
        if not matcher("roles").search(Folded.of(phrase)) and not matcher("organisations").search(Folded.of(phrase)):
            return
        org = matcher("organisations").search(self.ft, a, b)
        if org is not None and org.start > a:
            role_end = org.start
            # drop a linking word before the organisation: de, du, de la, of, at, ب, في, لدى
            link = re.search(r"\s*(?:de la|de l'|des|de|du|d'|of the|of|at the|at|in|à|au|لدى|في|ب)?\s*$", text[a:role_end])
            role_text_end = a + (link.start() if link else role_end - a)
            sp.role = text[a:role_text_end].strip(" ,،") or None
            sp.affiliation = text[org.start:b].strip(" ,،") or None
            if org.start > 0 and text[org.start - 1] == "'" and sp.affiliation:
                pass
        elif org is not None:
            sp.affiliation = phrase
        else:
            sp.role = phrase
        if sp.country is None:
            for cm in countries().finditer(self.ft, a, b):
                sp.country = cm.value.code
                break

    # ---- statements
    def _statements(self, blocks: list[list[tuple[int, int]]]) -> list[dict[str, Any]]:
        ch_lead = matcher("challenge_leadins")
        pr_lead = matcher("proposal_leadins")
        out: list[dict[str, Any]] = []
        for block in blocks:
            item_line = self.text.rfind("\n", 0, block[0][0]) + 1
            # the lead-in: the last line before the list (and the one before it when that line is short)
            lead_end = max(0, item_line - 1)
            while lead_end > 0 and self.text[lead_end - 1] == "\n":
                lead_end -= 1
            lead_start = self.text.rfind("\n", 0, lead_end) + 1
            if lead_end - lead_start < 60 and lead_start > 0:
                lead_start = self.text.rfind("\n", 0, lead_start - 1) + 1
            lead = (lead_start, lead_end)
            kind = None
            if pr_lead.search(self.ft, *lead):
                kind = "proposal"
            elif ch_lead.search(self.ft, *lead):
                kind = "challenge"
            if kind is None:
                continue
            for s, e in block:
                out.append({"kind": kind, "span": (s, e), "lead": lead, "origin": "list"})
        # lists in running prose, after a colon: "Les défis : le manque de financement, la faible formation…"
        for s in self.sents:
            colon = self.text.find(":", s.start, s.end)
            if colon < 0 or colon >= s.end - 5 or self._in_item(s.start):
                continue
            lead = (s.start, colon)
            kind = "proposal" if pr_lead.search(self.ft, *lead) else ("challenge" if ch_lead.search(self.ft, *lead) else None)
            if kind is None:
                continue
            body = self.text[colon + 1:s.end]
            seps = r"[;؛]" if re.search(r"[;؛]", body) else r"[,،]\s*(?:(?:et|and|و)\s+)?|\s(?:et|and)\s|\sو(?=\S)"
            pieces = []
            pos = colon + 1
            for m in re.finditer(seps, body):
                pieces.append((pos, colon + 1 + m.start()))
                pos = colon + 1 + m.end()
            pieces.append((pos, s.end))
            pieces = [_strip_span(self.text, a, b) for a, b in pieces]
            pieces = [p for p in pieces if p[1] - p[0] >= 8]
            if len(pieces) < 2:
                continue
            for a, b in pieces:
                a2 = a
                m = re.match(r"(?:و|et\s|and\s|ainsi que\s)", self.text[a:b])
                if m:
                    a2 = a + m.end()
                out.append({"kind": kind, "span": _strip_span(self.text, a2, b), "lead": lead, "prose": True,
                            "origin": "colon"})
        # claims in running prose: "دعا إلى …", "appelle à …", "called for …"
        # enumerations after a lead-in noun without a colon: "أهم المشكلات تتمثل في X، وY", "the biggest headaches
        # are X, Y and Z", "Parmi les avenues proposées, retenons X et Y"; and before one: "He identified X and Y as the
        # key bottlenecks", "X reste le principal écueil"
        for st in self._enumerations():
            if not any(st["span"][0] < b and a < st["span"][1] for a, b in [x["span"] for x in out]):
                out.append(dict(st, origin="enumeration"))
        taken = [st["span"] for st in out] + [st["lead"] for st in out if st.get("prose")]
        claim_verbs = {"proposal": matcher("proposal_verbs"), "challenge": matcher("challenge_verbs")}
        all_verbs = sorted([v for k in claim_verbs.values() for v in k.finditer(self.ft)], key=lambda v: v.start)
        leadins = [matcher("challenge_leadins"), matcher("proposal_leadins")]
        for name, kind in (("proposal_verbs", "proposal"), ("challenge_verbs", "challenge")):
            for v in claim_verbs[kind].finditer(self.ft):
                if self._in_item(v.start) or self._in_excluded(v.start):
                    continue
                if any(a <= v.start < b for a, b in taken) or v.start < self.title_end:
                    continue
                s = _sentence_at(self.sents, v.start)
                # a verb in a relative clause of a lead-in ("التحديات التي تواجه", "les défis auxquels font face") opens no claim
                before = fold_text(self.text[max(s.start, v.start - 12):v.start])
                if re.search(r"(?:^|\s)(?:التي|الذي|اللتين|الذين|qui|que|auxquels|auxquelles|that|which)\s*$", before):
                    continue
                rest_end = s.end
                m = re.search(r"[;؛]|[،,]\s*(?:مضيفا|مضيفة|وأكد|وأكدت|et a|and said|ajoutant|adding)", self.text[v.end:s.end])
                if m:
                    rest_end = v.end + m.start()
                # the claim ends where the next claim verb of the sentence starts ("urged X and called for Y")
                nxt = [w for w in all_verbs if v.end < w.start < rest_end]
                if nxt:
                    rest_end = nxt[0].start
                if self.text[v.end:s.end].rstrip().endswith((":", "：")):
                    continue  # a lead-in: its list was read above
                a = self._claim_start(v.end, rest_end)
                a, b = _strip_span(self.text, a, rest_end)
                b = self._strip_tail_conj(a, b)
                if b - a < 12 or self.text[b - 1:b] == ":" or self.text.find(":", a, b) >= 0:
                    continue
                # "تعاني من صعوبات كبيرة", "face many challenges": a lead-in word, not a statement
                if any((lm := li.search(self.ft, a, min(b, a + 30))) is not None and lm.start - a <= 2 for li in leadins):
                    continue
                for pa, pb in self._split_enum(a, b):
                    k = kind
                    head = Folded.of(self.text[pa:pa + 25])
                    ch = matcher("challenge_heads").search(head)
                    if ch is not None and ch.start <= 2:
                        k = "challenge"
                    out.append({"kind": k, "span": (pa, pb), "lead": (s.start, v.start), "origin": "claim",
                                "verb": v.term})
        return out

    _LEAD_PREP = re.compile(
        r"\s*(?:(?:(?:إلى|الى|على|عن|من)\s+)|[بل](?=[\u0621-\u064A]{3})|(?:(?:à|a|pour|de|for|to|that|que|the|on|upon)\s+)|(?:d'|qu'|d’|qu’))*")

    def _claim_start(self, a: int, b: int) -> int:
        """Where a claim starts after its verb: past the subject (a speaker and their apposition, a surname, a
        collective subject) and a leading preposition."""
        collective = matcher("collective_subjects")
        hon = matcher("honorifics")
        for _ in range(3):
            lm = self._LEAD_PREP.match(self.text, a, b)
            if lm:
                a = lm.end()
            while a < b and self.text[a] in " \t":
                a += 1
            moved = False
            h = hon.search(self.ft, a, min(b, a + 20))
            if h is not None and h.start == a:
                a, moved = h.end, True
            for sp in getattr(self, "speakers_found", []):
                if a <= sp.start <= a + 2:
                    a, moved = max(sp.end, sp.desc_end), True
                    # the rest of an apposition: "خالد المصري، مدير الاتحاد، إلى …", "Jane Doe, head of X, for …"
                    ap = re.match(r"[^،,.]{0,30}[،,]([^،,.]{2,120})[،,]\s*", self.text[a:b])
                    if ap and (matcher("roles").search(Folded.of(ap.group(1))) or matcher("organisations").search(Folded.of(ap.group(1)))):
                        a += ap.end()
                    break
                last = sp.name.split()[-1] if sp.name.split() else ""
                if last and len(last) > 2 and self.text.startswith(last, a) and not self.text[a + len(last):a + len(last) + 1].isalpha():
                    a, moved = a + len(last), True
                    break
            c = collective.search(self.ft, a, min(b, a + 30))
            if c is not None and c.start <= a + 1:
                a, moved = c.end, True
            if moved:
                # "اقترح المشاركون في ختام الجلسة الأولى إحداث …": jump to the statement's head word
                hm = matcher("proposal_heads").search(self.ft, a, min(b, a + 60)) or matcher("challenge_heads").search(self.ft, a, min(b, a + 60))
                seg = self.text[a:hm.start] if hm else ""
                if hm and _is_arabic(seg + "ا") and not re.search(r"[،,.]", seg[:-1] if seg else ""):
                    a = hm.start
                while a < b and self.text[a] in " \t،,":
                    a += 1
            else:
                break
        return a

    def _strip_tail_conj(self, a: int, b: int) -> int:
        m = re.search(r"[\s,،]+(?:and|et|و|ainsi que|as well as)$", self.text[a:b])
        return a + m.start() if m else b

    def _split_enum(self, a: int, b: int) -> list[tuple[int, int]]:
        """An enumeration "X, Y et Z" / "X، وY، وZ" as its items; one item when it is not one."""
        text = self.text
        arabic = _is_arabic(text[a:b])
        pieces: list[tuple[int, int]] = []
        pos = a
        for m in re.finditer(r"\s*[;؛]\s*|\s*[،,]\s*", text[a:b]):
            pieces.append((pos, a + m.start()))
            pos = a + m.end()
        pieces.append((pos, b))
        heads = [matcher("challenge_heads"), matcher("proposal_heads")]
        out: list[tuple[int, int]] = []
        for i, (pa, pb) in enumerate(pieces):
            seg = text[pa:pb]
            cut = None
            if arabic:
                # " وقلة …", " وتشتت …": a new item when و prefixes a head word
                for m in re.finditer(r"\sو(?=[\u0621-\u064A])", seg):
                    f = Folded.of(seg[m.end():m.end() + 20])
                    if any((h := hd.search(f)) is not None and h.start == 0 for hd in heads):
                        cut = (m.start(), m.end())
                        break
            else:
                det = r"(?:le|la|les|l'|l’|un|une|des|du|pour|the|a|an|to|for|by)\b"
                pat = rf"\s(?:et|and|ainsi que|as well as)\s+(?={det})" if len(pieces) == 1 else r"\s(?:et|and|ainsi que|as well as)\s+"
                m = re.search(pat, seg)
                if m and (len(pieces) == 1 or i == len(pieces) - 1):
                    cut = (m.start(), m.end())
            if cut:
                out.append((pa, pa + cut[0]))
                out.append((pa + cut[1], pb))
            else:
                out.append((pa, pb))
        cleaned = []
        for pa, pb in out:
            m = re.match(r"(?:و|ف|مع\s|فضلا عن\s|فضلًا عن\s|إضافة إلى\s|بالإضافة إلى\s|et\s|and\s|ainsi que\s|as well as\s|pour\s|for\s|to\s)\s*", text[pa:pb])
            if m and not (arabic and m.group(0) in ("و", "ف") and not re.match(r"[وف](?=[\u0621-\u064A]{3})", text[pa:pb])):
                pa += m.end()
            pa, pb = _strip_span(text, pa, pb)
            if pb - pa >= 8 and len(text[pa:pb].split()) >= 2:
                cleaned.append((pa, pb))
        if len(cleaned) < 2:
            return [(a, b)]
        return cleaned

    def _enumerations(self) -> list[dict[str, Any]]:
        ch_lead, pr_lead = matcher("challenge_leadins"), matcher("proposal_leadins")
        cues, everbs = matcher("enumeration_cues"), matcher("enumeration_verbs")
        skip = [matcher("proposal_verbs"), matcher("challenge_verbs")]
        out: list[dict[str, Any]] = []
        for s in self.sents:
            if self._in_item(s.start) or self._in_excluded(s.start) or s.start < self.title_end:
                continue
            found = None
            for kind, lm in (("challenge", ch_lead), ("proposal", pr_lead)):
                for L in lm.finditer(self.ft, s.start, s.end):
                    if any((v := sk.search(self.ft, L.start, L.end + 1)) is not None and v.start == L.start for sk in skip):
                        continue  # a claim verb: read as a claim
                    if self.text.find(":", L.end, s.end) >= 0:
                        continue  # a colon list: read above
                    end = s.end
                    semi = re.search(r"[;؛]", self.text[L.end:s.end])
                    if semi:
                        end = L.end + semi.start()
                    c = next((c for c in cues.finditer(self.ft, L.end, min(end, L.end + 90))), None)
                    start = None
                    if c is not None:
                        start = c.end
                    elif kind == "challenge" and _is_arabic(self.text[L.start:L.end]):
                        h = matcher("challenge_heads").search(self.ft, L.end, min(end, L.end + 80))
                        if h is not None and not re.search(r"[.،,]", self.text[L.end:h.start]):
                            start = h.start
                    if start is None:
                        continue
                    found = (kind, start, end, L.start)
                    break
                if found:
                    break
            if found is None:
                # the lead-in after the enumeration: "identified X, Y and Z as the key bottlenecks", "X reste le principal écueil"
                for kind, lm in (("challenge", ch_lead), ("proposal", pr_lead)):
                    for L in lm.finditer(self.ft, s.start, s.end):
                        pre = self.text[s.start:L.start]
                        m = re.search(r"\s(?:as|comme)\s+(?:(?:the|les|des|de|la|le|a|an|its|their|ses|leurs)\s+)?(?:[\w'’-]+\s+){0,2}$", pre)
                        if m:
                            v = None
                            for v in everbs.finditer(self.ft, s.start, s.start + m.start()):
                                pass
                            if v is not None:
                                found = (kind, v.end, s.start + m.start(), L.start)
                                break
                        m = re.search(r"\s(?:reste|restent|est|sont|demeure|demeurent|remains|remain|is|are|constitue|constituent)\s+(?:(?:le|la|les|l'|the|un|une|a|an|our|notre|nos)\s*)?(?:[\w'’-]+\s+){0,2}$", pre)
                        if m and not self._in_item(L.start):
                            q = s.start + max(pre.rfind(ch, 0, m.start()) for ch in "«“\":") + 1
                            for sv in matcher("speech_verbs").finditer(self.ft, s.start, s.start + m.start()):
                                tail = re.match(r"\s*(?:que|qu'|qu’|that|أن|ان|إن)?\s*", self.text[sv.end:s.start + m.start()])
                                q = max(q, sv.end + (tail.end() if tail else 0))
                            found = (kind, q, s.start + m.start(), L.start)
                            break
                    if found:
                        break
            if found is None:
                continue
            kind, a, b, lead_at = found
            a = self._claim_start(a, b)
            a, b = _strip_span(self.text, a, b)
            b = self._strip_tail_conj(a, b)
            if b - a < 10:
                continue
            for pa, pb in self._split_enum(a, b):
                out.append({"kind": kind, "span": (pa, pb), "lead": (s.start, lead_at), "prose": True})
        return out

    # ---- programmes
    def _programmes(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        code = re.compile(r"(?<![\w])((?:[A-Z][A-Za-z0-9&]*[A-Z0-9](?:[ \-/_][A-Z][A-Za-z0-9&]*[A-Z0-9]?)*)\s*[-–]?\s*((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d))(?![\w])")
        for m in code.finditer(self.text):
            name = m.group(1)
            key = fold_text(name)
            if key in seen:
                continue
            seen.add(key)
            out.append({"name": name, "start": int(m.group(2)), "end": int(m.group(3)), "span": (m.start(1), m.end(1))})
        # a long name with its acronym in brackets and a year range: "Programme d'appui … (PAESS) 2021-2025"
        for m in re.finditer(r"\(([A-Z][A-Z0-9\-]{2,14})\)\s*,?\s*((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)\d\d)", self.text):
            if fold_text(m.group(1)) in seen:
                continue
            seen.add(fold_text(m.group(1)))
            out.append({"name": m.group(1), "start": int(m.group(2)), "end": int(m.group(3)), "span": (m.start(1), m.end(1))})
        pw = matcher("programme_words")
        for m in pw.finditer(self.ft):
            if any(p["span"][0] <= m.end + 3 and m.start <= p["span"][1] for p in out):
                continue
            rest = self.text[m.end:m.end + 120]
            q = re.match(r"\s*(?:d[eu]s?\s+|of\s+)?[«“\"]\s*([^»”\"\n]{2,90}?)\s*[»”\"]", rest)
            if q:
                s, e = m.end + q.start(1), m.end + q.end(1)
            else:
                q = re.match(r"\s+((?:[A-Z][\w'’\-]*|[A-Z]{2,}|\d{4}(?:\s*[-–]\s*\d{4})?)(?:\s+(?:(?:de|du|des|for|of|pour|la|le|l'|d')\s+)?(?:[A-Z][\w'’\-]*|[A-Z]{2,}|\d{4}(?:\s*[-–]\s*\d{4})?))*)", rest)
                if not q or not re.search(r"[A-Z]", q.group(1)):
                    continue
                s, e = m.end + q.start(1), m.end + q.end(1)
                if countries().search(Folded.of(self.text[s:e])) and len(self.text[s:e].split()) == 1:
                    continue
            name = self.text[s:e].strip()
            if fold_text(name) in seen or len(name) < 3:
                continue
            written_word = self.text[m.start:m.end]
            full = name if _is_arabic(written_word) is False and q and self.text[m.end:s].strip() in ("", "«", "“", '"') else name
            seen.add(fold_text(name))
            out.append({"name": full, "span": (s, e)})
        # English "the Inclusive Growth programme"
        for m in re.finditer(r"\b((?:[A-Z][\w'’\-]*\s+){1,5})(programme|program|project)\b", self.text):
            name = (m.group(1) + m.group(2)).strip()
            if m.group(1).split()[0] in ("The", "This", "A", "Le", "La", "Ce"):
                parts = m.group(1).split()[1:]
                if not parts:
                    continue
                name = " ".join(parts) + " " + m.group(2)
            if fold_text(name) in seen:
                continue
            seen.add(fold_text(name))
            out.append({"name": name, "span": (m.end() - len(name), m.end())})
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

    def _org_after(self, pos: int) -> tuple[int, int] | None:
        rest = self.text[pos:pos + 160]
        m = re.match(r"\s*(?:l'|la |le |les |the )?", rest)
        a = pos + (m.end() if m else 0)
        stop = re.search(r"[.;:؛\n()]|[،,]|\s(?:et|and|و)?\s*(?:dans|في|within|in the framework|ضمن|qui|who|which|الذي|التي|pour|to|من أجل|لفائدة)\s", self.text[a:a + 150])
        b = a + (stop.start() if stop else min(150, len(self.text) - a))
        a, b = _strip_span(self.text, a, b)
        if b - a < 2:
            return None
        return a, b

    def _organisations(self, start: int, end: int) -> list[str]:
        cues = matcher("organiser_cues")
        orgs = matcher("organisations")
        out: list[str] = []
        for c in cues.finditer(self.ft, start, end):
            org = self._org_after(c.end)
            if org is None:
                continue
            frag = self.text[org[0]:org[1]]
            if not orgs.search(Folded.of(frag)) and not re.search(r"\b[A-Z]{2,}\b", frag):
                continue
            for part in re.split(r"\s+(?:et|and)\s+|\s+و(?=[\u0621-\u064A]{2,}\s)", frag):
                part = part.strip(" ,،")
                if len(part) > 2 and part not in out and len(part) < 150:
                    out.append(part)
        return out

    # ---- the card
    def analyse(self) -> None:
        """What the rules find, before any event is required: the learned taggers read it as features."""
        self._bylines()
        self.blocks = self._list_blocks()
        self.dates = [d for d in find_dates(self.ft, self.r.published) if not self._in_item(d.start)]
        self.dateline_end = 0
        self.dateline = self._dateline()
        self.dates = [d for d in self.dates if not (self.dateline and self.dateline[0].start <= d.start < self.dateline_end)]
        self.title_end = len(self.r.title.strip()) if self.r.title and self.text.startswith(self.r.title.strip()) else 0
        self.drafts = self._events()
        self.speakers_found = [sp for sp in self._speakers()]
        self.rule_statements = self._statements(self.blocks)
        self.programmes_found = self._programmes()

    def event_features(self) -> list[str]:
        """Report-level features of the event detector: how strong the evidence of an event is."""
        f = [f"lang={self.r.language}"]
        f.append("rule=main" if self.drafts and not self.fallback else "rule=fallback" if self.drafts else "rule=none")
        f.append(f"events={min(len(self.drafts), 3)}")
        f.append(f"dates={min(len(self.dates), 3)}")
        f.append(f"speakers={min(len(self.speakers_found), 3)}")
        f.append(f"statements={min(len(self.rule_statements), 3)}")
        for name in ("event_verbs", "speech_verbs", "future_event", "participation_cues", "organiser_cues"):
            n = sum(1 for _ in matcher(name).finditer(self.ft))
            f.append(f"{name}={min(n, 3)}")
        for d in self.drafts[:1]:
            f.append(f"type={d.notation}")
            s = d.sentences[0]
            if any(s.start <= dm.start < s.end for dm in self.dates):
                f.append("trigger-dated")
            if self._venue_city(s):
                f.append("trigger-venue")
            f.append(f"trigger-at={min(10 * s.start // max(1, len(self.text)), 9)}")
        return f

    def rule_marks(self) -> dict[str, list[tuple[int, int]]]:
        """The spans the rules found, by kind (features of the learned taggers)."""
        marks: dict[str, list[tuple[int, int]]] = {"challenge": [], "proposal": [], "speaker": [], "programme": [],
                                                   "item": list(self.items)}
        for st in self.rule_statements:
            marks[st["kind"]].append(tuple(st["span"]))
        for sp in self.speakers_found:
            marks["speaker"].append((sp.start, sp.end))
        for p in self.programmes_found:
            marks["programme"].append(tuple(p["span"]))
        return marks

    def run(self) -> dict[str, Any]:
        self.analyse()
        drafts = self.drafts
        p_event = _event_probability(self.event_features())
        if drafts and p_event < _event_threshold():
            drafts = []
        if not drafts:
            raise InputError(self.r.source or "<report>", "no event found in the report",
                             "the extractor looks for an event word (workshop, atelier, ورشة…) with a date, a place "
                             "or a verb such as held/organisé/انعقدت; write an event card for this report instead")
        learned = self._learned()
        speakers = self._more_speakers(learned["people"])
        programmes = list(self.programmes_found)
        for name, pos in learned["programmes"]:
            if not any(p["span"][0] <= pos < p["span"][1] or fold_text(name) in fold_text(p["name"])
                       for p in programmes):
                programmes.append({"name": name, "span": [pos, pos + len(name)]})
        statements = learned["statements"] if learned["statements"] is not None else self.rule_statements
        collective = matcher("collective_subjects")

        def owner(pos: int) -> int:
            """The event a fact at ``pos`` belongs to: the one whose text holds it, else the one before it."""
            for k, dk in enumerate(drafts):
                if dk.start <= pos < dk.end:
                    return k
            before = [k for k, dk in enumerate(drafts) if dk.start <= pos]
            return before[-1] if before else 0
        events = []
        title_range = []
        if self.r.title and self.text.startswith(self.r.title.strip()):
            title_range = [(0, len(self.r.title.strip()))]
        for i, d in enumerate(drafts):
            ev: dict[str, Any] = {}
            ev["title"] = self._title(d)
            theme = self._theme(d)
            if theme:
                ev["theme"] = theme
            ev["type"] = d.notation
            date = d.date
            if date is None:
                rel: list[DateMention] = []
                for s in d.sentences:
                    rel += find_relative(self.ft, self.r.published, s.start, s.end, d.future)
                date = rel[0] if rel else None
            if date is not None:
                ev["start"] = date.begin
                if date.finish:
                    ev["end"] = date.finish
            online = any(matcher("online").search(self.ft, s.start, s.end) for s in d.sentences) or d.notation == "webinar"
            city = d.city
            if city is None and not online:
                for s in d.sentences:
                    for m, c in self._city_mentions(s.start, s.end):
                        if not self._is_dateline(m) and not self._in_excluded(m.start):
                            city = (m, c)
                            break
                    if city:
                        break
            if city is None and i == 0 and not online and self.dateline is not None:
                city = self.dateline
            if online:
                ev["online"] = True
            host = None
            if city is not None:
                m, c = city
                written = self.text[m.start:m.end]
                name: Any = c.name_en
                if fold_text(written) != fold_text(c.name_en):
                    name = {"en": c.name_en, self.r.language if self.r.language in ("ar", "fr") else "und": written}
                    if "und" in name:
                        name = c.name_en
                ev["city"] = {"name": name, "country": c.country}
                host = c.country
            else:
                for s in d.sentences:
                    for cm in self._country_mentions(s.start, s.end):
                        before = self.text[max(s.start, cm.start - 6):cm.start]
                        if cm.value.kind == "name" and (re.search(r"(?:\b(?:au|en|in|aux)\s+$)|(?:في\s*$)", before) or self.text[cm.start - 1:cm.start] == "ب"):
                            host = cm.value.code
                            break
                    if host:
                        break
            if host:
                ev["host_country"] = host
            extra = title_range if i == 0 else []
            parts = [code for code, _ in self._participating(d.start, d.end, extra)]
            if parts:
                ev["participating_countries"] = parts
            evs = [sp for sp in speakers if owner(sp.start) == i]
            if evs:
                ev["speakers"] = []
                for sp in evs:
                    item: dict[str, Any] = {"name": sp.name}
                    if sp.role:
                        item["role"] = sp.role[:300]
                    if sp.affiliation:
                        item["affiliation"] = sp.affiliation[:300]
                    if sp.country:
                        item["country"] = sp.country
                    item["span"] = [sp.start, sp.end]
                    item["confidence"] = self._confidence("speaker", "PER", sp.start, sp.end)
                    if not any(x["name"] == sp.name for x in ev["speakers"]):
                        ev["speakers"].append(item)
            orgs = self._organisations(d.start, d.end)
            if orgs:
                ev["organisers"] = [self._organisation(o, d.start) for o in orgs]
            others = [o for o, pos in learned["organisations"] if owner(pos) == i and o not in orgs
                      and not any(fold_text(o) in fold_text(x) for x in orgs)]
            if others:
                ev["participants"] = [self._organisation(o, d.start) for o in dict.fromkeys(others)]
            for kind, key, scheme in (("challenge", "challenges", "challenge"), ("proposal", "proposals", "proposal")):
                items = []
                for st in statements:
                    a, b = st["span"]
                    if st["kind"] != kind or owner(a) != i:
                        continue
                    entry: dict[str, Any] = {"text": self.text[a:b],
                                             "category": _category(self.text[a:b], scheme)}
                    who = self._attribute(st["lead"], evs, collective)
                    if who:
                        entry["speaker"] = who
                    entry["span"] = [a, b]
                    entry["confidence"] = _calibrate("statement", st.get("confidence", 0.5))
                    items.append(entry)
                if items:
                    ev[key] = items
            progs = [p for p in programmes if owner(p["span"][0]) == i]
            if progs:
                ev["programmes"] = [{k: v for k, v in p.items() if k != "span"} for p in progs]
            ev["span"] = [d.trigger.start, d.sentences[0].end]
            ev["confidence"] = _calibrate("event", p_event)
            events.append(ev)
        report: dict[str, Any] = {"language": self.r.language}
        for key in ("title", "url", "published", "publisher"):
            value = getattr(self.r, key, None)
            if value:
                report[key] = value
        report["text_sha256"] = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        report["extractor"] = {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}
        report["text"] = self.text
        return {"card": 1, "language": self.r.language, "report": report, "events": events}

    def _learned(self) -> dict[str, Any]:
        """Statements, organisations and programmes read by the learned taggers (None: no model shipped)."""
        from . import linear
        from .sequence import lexicon_hits, models_dir, tag, token_features, tokenize
        from .statements import classify as classify_statements

        tokens = tokenize(self.text)
        hits = lexicon_hits(self.ft)
        feats = token_features(self.text, tokens, self.r.language, self.rule_marks(), hits)
        out: dict[str, Any] = {"statements": None, "organisations": [], "programmes": [], "people": []}
        model = linear.load(str(models_dir() / "statements.json"))
        if model is not None:
            found = classify_statements(self.text, self.r.language, self.items, self.rule_marks(), model,
                                        self.rule_statements, hits)
            out["statements"] = [st for st in found if not self._in_excluded(st["span"][0])
                                 and self._substantive(*st["span"])]
        tagged_entities, self.entity_probs = tag("entities", tokens, feats)
        self.tokens = tokens
        for t in tagged_entities:
            a, b = _strip_span(self.text, t.start, t.end)
            if b - a < 2 or self._in_excluded(a):
                continue
            if t.label == "ORG":
                out["organisations"].append((self.text[a:b], a))
            elif t.label == "PROG":
                out["programmes"].append((self.text[a:b], a))
            elif t.label == "PER":
                out["people"].append((a, b, t.confidence))
        return out

    def _confidence(self, kind: str, label: str, a: int, b: int) -> float:
        """The calibrated confidence of a name found at [a, b): the tagger's probability of its tokens."""
        from .sequence import span_probability

        probs = getattr(self, "entity_probs", {}).get(label)
        raw = span_probability(self.tokens, probs, a, b) if probs else 0.5
        return _calibrate(kind, raw)

    def _organisation(self, name: str, near: int) -> dict[str, Any]:
        """An organisation of the card with its confidence (read where the name stands, from ``near`` on)."""
        a = self.text.find(name, near)
        if a < 0:
            a = self.text.find(name)
        conf = self._confidence("organisation", "ORG", a, a + len(name)) if a >= 0 else _calibrate("organisation", 0.5)
        return {"name": name, "confidence": conf}

    def _substantive(self, a: int, b: int) -> bool:
        """Whether a statement says something: two content words besides dates, places and function words.

        Enumerations split by the rules left pieces such as a date adverb or a place phrase ("yesterday
        Monday", "in the capital") as statements; real reports' statements always name a thing and an act.
        """
        masked = list(self.text[a:b])
        for m in [*(dm for dm in self.dates if a <= dm.start < b)]:
            for k in range(max(m.start, a), min(m.end, b)):
                masked[k - a] = " "
        for m, _c in self._city_mentions(a, b):
            for k in range(max(m.start, a), min(m.end, b)):
                masked[k - a] = " "
        for m in self._country_mentions(a, b):
            for k in range(max(m.start, a), min(m.end, b)):
                masked[k - a] = " "
        words = [w for w in re.findall(r"\w+", fold_text("".join(masked))) if len(w) > 2
                 and w not in _FUNCTION_WORDS and not w.isdigit()]
        return len(words) >= 1

    def _more_speakers(self, people: list[tuple[int, int, float]]) -> list[Speaker]:
        """The rules' speakers plus the people the tagger found that no rule did (not a part of a known name)."""
        speakers = list(self.speakers_found)
        known = [fold_text(sp.name) for sp in speakers]
        for a, b, conf in people:
            name = self.text[a:b]
            words = name.split()
            if len(words) < 2 or len(words) > 6 or any(sp.start < b and a < sp.end for sp in speakers):
                continue
            if not _is_arabic(name) and not all(w[:1].isupper() for w in words if len(w) > 3):
                continue
            key = fold_text(name)
            if any(key in k or k in key for k in known):
                continue
            known.append(key)
            speakers.append(Speaker(name, a, b))
        speakers.sort(key=lambda sp: sp.start)
        return speakers

    def _attribute(self, lead: tuple[int, int], speakers: list[Speaker], collective: TermMatcher) -> str | None:
        a, b = lead
        named = [sp for sp in speakers if a <= sp.start < b]
        if named:
            return named[-1].name
        if collective.search(self.ft, a, b):
            return None
        prior = [sp for sp in speakers if sp.end <= a and a - sp.end < 1500]
        return prior[-1].name if prior else None

    def _title(self, d: EventDraft) -> str:
        stops = {fold_text(w) for w in self.lex["title_stops"]}
        t = d.trigger
        start = t.start
        # include the article written before the keyword: "l'atelier", "الورشة" is in the match already
        words = []
        pos = t.end
        words_end = t.end
        for m in re.finditer(r"[^\s،,.;:()«»\"“”]+", self.text[t.end:t.end + 120]):
            gap = self.text[pos:t.end + m.start()]
            if gap.strip() or "\n" in gap:
                break
            w = m.group(0)
            fw = fold_text(w)
            if fw in stops or re.match(r"\d", fw) or len(words) >= 6:
                break
            if countries().search(Folded.of(w)) or cities()[0].search(Folded.of(w)):
                break
            words.append(w)
            pos = t.end + m.end()
            words_end = pos
        while words and fold_text(words[-1]) in {"de", "des", "du", "d", "of", "for", "the", "l", "la", "le"}:
            words.pop()
            words_end = self.text.rfind(" ", start, words_end)
        title = self.text[start:words_end].strip()
        return title or self.text[t.start:t.end]

    def _theme(self, d: EventDraft) -> str | None:
        cues = matcher("theme_cues")
        for s in d.sentences[:3]:
            for c in cues.finditer(self.ft, s.start, min(len(self.text), s.end + 200)):
                rest = self.text[c.end:c.end + 300]
                q = re.match(r"\s*[:：]?\s*\n?\s*[«“\"”]\s*([^»”\"“\n]{3,250}?)\s*[»”\"“]", rest)
                if q:
                    return q.group(1).strip()
        return None


_FUNCTION_WORDS = {fold_text(w) for w in (
    "the", "and", "for", "with", "from", "this", "that", "which", "who", "its", "their", "was", "were", "has", "have",
    "les", "des", "une", "pour", "par", "avec", "dans", "sur", "qui", "que", "est", "sont", "aux", "cette", "ces",
    "في", "من", "على", "إلى", "عن", "أن", "التي", "الذي", "مع", "هذا", "هذه", "ذلك", "أمس", "اليوم", "يوم", "الاثنين",
    "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد", "العاصمة", "بالعاصمة", "yesterday", "today",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "hier", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "capital", "capitale")}

_AR_NAME_STOPWORDS = {fold_text(w) for w in (
    "في", "من", "على", "إلى", "عن", "أن", "التي", "الذي", "حيث", "خلال", "مع", "و", "بين", "كما", "وقد", "قد",
    "هذا", "هذه", "ذلك", "تلك", "عبر", "لدى", "حول", "بعد", "قبل", "ضمن", "أمام", "وذلك", "التي", "كلمة", "مداخلة")}


def keyed_matcher_safe(name: str) -> TermMatcher:
    from .lexicon import keyed_matcher

    value = lexicon()[name]
    return keyed_matcher(name) if isinstance(value, dict) else matcher(name)


@lru_cache(maxsize=1)
def _event_matcher() -> TermMatcher:
    """Event words: the event-type scheme's labels and hidden labels, and lexicon.yaml's ``event_words``."""
    entries = []
    for notation, labels in schemes().get("event-type", []):
        if notation == "other":
            continue
        for _lang, label in labels:
            entries.append((label, notation))
    # words real reports use beyond the scheme's labels (lexicon.yaml: event_words)
    for notation, words in (lexicon().get("event_words") or {}).items():
        for w in words:
            entries.append((str(w), notation))
    return TermMatcher(entries)


def _event_model() -> dict[str, Any] | None:
    from . import linear
    from .sequence import models_dir

    return linear.load(str(models_dir() / "events.json"))


def _event_probability(features: list[str]) -> float:
    """The learned event detector's probability that the report tells of the event the rules found.

    Trained on the train fold's reports with and without events; its threshold (0.4 in ``events.json``) leans
    to keeping a report, since a rejected event report loses all its facts.
    """
    from . import linear

    model = _event_model()
    return 1.0 if model is None else linear.probabilities(model, features).get("event", 1.0)


def _event_threshold() -> float:
    model = _event_model()
    return 0.0 if model is None else float(model.get("threshold", 0.5))


def _calibrate(kind: str, raw: float) -> float:
    from .confidence import calibrate

    return calibrate(kind, raw)


def _has_model(name: str) -> bool:
    from .sequence import tagger

    return tagger(name) is not None


def _category(text: str, scheme: str) -> str:
    from .categories import classify

    return classify(text, scheme, _classify(text, scheme))[0]


def _classify(text: str, scheme: str) -> str:
    try:
        from ssekg.ontology import classify
    except ImportError:  # pragma: no cover - the ontology package is part of ssekg
        return "other"
    return classify(text, scheme) or "other"


def extract(report: Any) -> dict[str, Any]:
    """The event card of a report (a :class:`ssekg.ingest.readers.Report`); InputError when it states no event."""
    if not getattr(report, "text", "").strip():
        raise InputError(getattr(report, "source", "") or "<report>", "the report has no text", "give the article's text")
    return _Extractor(report).run()
