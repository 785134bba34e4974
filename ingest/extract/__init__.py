"""Extraction of event cards from SSE news reports in Arabic, French and English: rules and learned models.

``extract(report)`` reads a :class:`ssekg.ingest.readers.Report` and returns a card dict in the format of
``docs/cards.md``: one entry per event the report describes or announces, each fact with the ``span`` of
the text it was read from (code-point offsets into the report's normalised text). Word lists live in
``ingest/data/`` (lexicon.yaml, cities.tsv, countries.tsv); the event-type, challenge and proposal keywords
come from the SKOS schemes. See ``docs/extraction.md``.

The extractor is one class, ``_Extractor``, assembled from one mixin per kind of fact; this module keeps the
order in which they run (``analyse``: the rules; ``run``: the learned models and the card):

- ``text.py``: sentences, spans, by-lines and list blocks;
- ``events.py``: the events, their titles and themes, and the learned event detector;
- ``places.py``: cities, the dateline, host and participating countries;
- ``people.py``: speakers, their roles and affiliations, and who said a statement;
- ``organisations.py``: organisers, participants and programmes;
- ``claims.py``: the rule-based challenges and proposals (``statements.py``: the learned ones);
- ``learned.py``: what runs the learned models on the report (``sequence.py``, ``statements.py``,
  ``confidence.py``; the model files are ``models/``); ``categories.py``: a statement's category; ``dates.py``:
  dates; ``lexicon.py``: folding and matching; ``linear.py``: linear models as JSON.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ssekg.errors import InputError

from .categories import _category
from .claims import ClaimsMixin
from .dates import DateMention, find_dates, find_relative
from .events import EventsMixin, _event_probability, _event_threshold
from .lexicon import Folded, fold_text, lexicon, matcher, strip_arabic_clitics
from .learned import LearnedMixin, _calibrate
from .organisations import OrganisationsMixin, _trim_org
from .people import PeopleMixin
from .places import PlacesMixin
from .text import Sentence, TextMixin, _is_arabic, _sentences

from .sequence import lexicon_hits, models_version

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract"]

EXTRACTOR_NAME = "ssekg-extract"
#: The code's version and the hash of the shipped models: a retrained model is another extractor.
EXTRACTOR_VERSION = f"0.2.0+models.{models_version()}"


class _Extractor(TextMixin, EventsMixin, PlacesMixin, PeopleMixin, OrganisationsMixin, ClaimsMixin, LearnedMixin):
    """The extraction of one report: the rules run in ``analyse``, the learned models and the card in ``run``."""

    def __init__(self, report: Any):
        self.r = report
        self.text: str = report.text
        self.ft = Folded.of(self.text)
        self.sents = _sentences(self.text)
        self.lex = lexicon()
        self.excluded: list[tuple[int, int]] = []  # bylines and credits
        self.items: list[tuple[int, int]] = []  # list items
        self.list_lines: list[tuple[int, int]] = []  # the items that are lines of a list (not event triggers)

    def analyse(self) -> None:
        """What the rules find, before any event is required: the learned taggers read it as features."""
        self._bylines()
        # where every cue list matches: read by the speaker rules, the event detector and the learned models
        self.hits = lexicon_hits(self.ft)
        self.blocks = self._list_blocks()
        self.dates = [d for d in find_dates(self.ft, self.r.published) if not self._in_list_line(d.start)]
        self.dateline_end = 0
        self.dateline = self._dateline()
        self.dates = [d for d in self.dates
                      if not (self.dateline and self.dateline[0].start <= d.start < self.dateline_end)
                      and not _UNTIL.search(fold_text(self.text[max(0, d.start - 30):d.start]))]
        self.title_end = len(self.r.title.strip()) if self.r.title and self.text.startswith(self.r.title.strip()) else 0
        self.drafts = self._events()
        self.speakers_found = [sp for sp in self._speakers()]
        self.rule_statements = self._statements(self.blocks)
        self.programmes_found = self._programmes()

    def _report_city(self) -> tuple[Any, Any] | None:
        """The venue of a one-event report with no city after a venue cue: the only city it names, else the one
        it names most (a dateline aside), when it names it at least twice and more often than any other."""
        found = [(m, c) for m, c in self._city_mentions(0, len(self.text)) if not self._in_excluded(m.start)]
        if len({c.name_en for _, c in found}) == 1:
            return found[0]
        counts = Counter(c.name_en for m, c in found if not self._is_dateline(m))
        ranked = counts.most_common(2)
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return next((m, c) for m, c in found if c.name_en == ranked[0][0] and not self._is_dateline(m))

    def _gathering_sentences(self) -> Iterator[tuple[Sentence, bool]]:
        """The sentences that tell of a gathering (an ``event_verbs`` verb or an event word), each with whether it
        has both a verb and an event noun ("The event, held on …"; "a poll held on …" has only the verb)."""
        verbs = matcher("event_verbs")
        em = self._event_matcher_cached()
        for s in self.sents:
            verb = verbs.search(self.ft, s.start, s.end) is not None
            noun = em.search(self.ft, s.start, s.end) is not None
            if verb or noun:
                yield s, verb and (noun or _GATHERING.search(fold_text(self.text[s.start:s.end])) is not None)

    def _venue_anywhere(self) -> tuple[Any, Any] | None:
        """The venue of a one-event report whose event sentences name none: the first city after a venue cue
        (``in``, ``à``, ``بمدينة``…) in a sentence that tells of a gathering ("It took place on 27 July in
        Nairobi")."""
        for s, _ in self._gathering_sentences():
            found = self._venue_city(s)
            if found is not None and not self._in_excluded(found[0].start):
                return found
        return None

    def _gathering_date(self) -> DateMention | None:
        """The date of a one-event report whose event sentences state none: the first full date in a sentence
        whose verb tells of the gathering ("The event, held on Sunday … (January 11, 2026)", "s'est déroulé du
        21 juin …"), not one alone on a publication line."""
        for s, both in self._gathering_sentences():
            if not both:
                continue
            for d in self.dates:
                if s.start <= d.start < s.end and len(d.begin) == 10 and not d.relative \
                        and not self._in_excluded(d.start):
                    return d
        return None

    def _only_country(self) -> str | None:
        """The venue's country of a one-event report that names no city: the only country it names (by name)."""
        codes = {m.value.code for m in self._country_mentions(0, len(self.text))
                 if m.value.kind == "name" and not self._in_excluded(m.start)}
        return codes.pop() if len(codes) == 1 else None

    def _only_date(self) -> DateMention | None:
        """The date of a one-event report whose event sentences state none: the report's only full date (a day,
        or a range of days), when it names just one and it is no publication line ("Published", "تاريخ النشر")."""
        days = {(d.begin, d.finish): d for d in self.dates if len(d.begin) == 10 and not d.relative}
        if len(days) != 1:
            return None
        (d,) = days.values()
        start = self.text.rfind("\n", 0, d.start) + 1
        end = self.text.find("\n", d.end)
        line = self.text[start:end if end >= 0 else len(self.text)]
        if _PUBLISHED.search(fold_text(line)) or re.search(r"\b\d{1,2}:\d{2}\b", line):
            return None  # a publication line, a by-line or a time stamp
        if not d.finish and not line.replace(self.text[d.start:d.end], "").strip(" \t,.-|"):
            return None  # a single date alone on its line: the page's date, not the event's
        return d

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
        marks["organisation"] = self._org_candidates()
        return marks

    def run(self) -> dict[str, Any]:
        """The card: the rules, the event detector, the learned taggers, then one entry per event."""
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
            ev["status"] = "announced" if d.future else "held"
            date = d.date
            if date is None:
                rel: list[DateMention] = []
                for s in d.sentences:
                    rel += find_relative(self.ft, self.r.published, s.start, s.end, d.future)
                date = rel[0] if rel else None
            if date is None and i == 0 and len(drafts) == 1:
                date = self._gathering_date() or self._only_date()
            if date is not None:
                ev["start"] = date.begin
                if date.finish:
                    ev["end"] = date.finish
            online = any(matcher("online").search(self.ft, s.start, s.end) for s in d.sentences) \
                or d.notation == "webinar"
            city = d.city
            if city is None and online:
                # a hybrid event: "in Nairobi and online" keeps its venue
                city = next((c for c in map(self._venue_city, d.sentences) if c is not None), None)
            if city is None and not online:
                for s in d.sentences:
                    for m, c in self._city_mentions(s.start, s.end):
                        if not self._is_dateline(m) and not self._in_excluded(m.start):
                            city = (m, c)
                            break
                    if city:
                        break
            if city is None and not online and len(drafts) == 1:
                city = self._venue_anywhere()
            if city is None and i == 0 and not online and self.dateline is not None:
                city = self.dateline
            if city is None and not online and len(drafts) == 1:
                city = self._report_city()
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
                        if cm.value.kind == "name" and (re.search(r"(?:\b(?:au|en|in|aux)\s+$)|(?:في\s*$)", before)
                                                        or self.text[cm.start - 1:cm.start] == "ب"):
                            host = cm.value.code
                            break
                    if host:
                        break
                if host is None and not online and len(drafts) == 1:
                    host = self._only_country()
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
                    if sp.affiliation and _name_like(sp.affiliation):
                        item["affiliation"] = sp.affiliation[:300]
                    if sp.country:
                        item["country"] = sp.country
                    item["span"] = [sp.start, sp.end]
                    item["confidence"] = self._confidence("speaker", "PER", sp.start, sp.end)
                    if not any(x["name"] == sp.name for x in ev["speakers"]):
                        ev["speakers"].append(item)
            orgs = [o for o in dict.fromkeys(_trim_org(o) for o in self._organisations(d.start, d.end)) if _name_like(o)]
            if orgs:
                ev["organisers"] = [self._organisation(o, d.start) for o in orgs]
            others = [o for o in (_trim_org(o) for o, pos in learned["organisations"] if owner(pos) == i)
                      if o not in orgs and _name_like(o) and not any(fold_text(o) in fold_text(x) for x in orgs)]
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
                ev["programmes"] = [{**p, "span": list(p["span"])} if "span" in p else p for p in progs]
            ev["span"] = [d.trigger.start, d.sentences[0].end]
            ev["confidence"] = _calibrate("event", p_event)
            events.append(ev)
        report: dict[str, Any] = {"language": self.r.language}
        for key in ("title", "url", "published", "publisher"):
            value = getattr(self.r, key, None)
            if value:
                report[key] = value
        meta = getattr(self.r, "meta", None) or {}
        if meta.get("license"):
            report["license"] = meta["license"]
        if meta.get("publish_text") is True:
            report["publish_text"] = True
        report["text_sha256"] = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        report["extractor"] = {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}
        report["text"] = self.text
        return {"card": 1, "language": self.r.language, "report": report, "events": events}


def _name_like(name: str) -> bool:
    """Whether an organisation read by the tagger or the rules is a name, not a clause it ran into: at most 15
    words (the gold's longest has 14), no Arabic comma, no sentence end inside (none of the gold's has one); a
    name in Latin script has a capital ("mouvement associatif", "ministère" are words, not names)."""
    if not _is_arabic(name) and not any(ch.isupper() for ch in name):
        return False
    if _bare_head(name):
        return False
    return len(name.split()) <= 15 and "،" not in name and not re.search(r"[.;:؛!?]\s", name)


def _bare_head(name: str) -> bool:
    """Whether a name is an ``organisations`` head word alone ("الاتحاد", "التعاونية", "l’Union", "Agency"): a
    reference to an organisation named elsewhere, not a name."""
    from .organisations import _arabic_heads, _latin_heads

    words = fold_text(name).lower().split()
    if len(words) != 1:
        return False
    word = re.sub(r"^l['’]", "", words[0])
    if _is_arabic(word):
        return word in _arabic_heads() or strip_arabic_clitics(word) in _arabic_heads()
    return word in _latin_heads()


#: Words before a date that make it the end of something ("until Sunday 14 December"), never an event's start.
_UNTIL = re.compile(r"(?:\b(?:until|till|jusqu'?(?:au|a)|jusqu’(?:au|a))|حتي|لغايه|الي غايه)(?:\s+\S+){0,4}\s*$")

#: Words for an event of any kind ("The event, held on …", "L'événement s'est déroulé …").
_GATHERING = re.compile(r"\b(?:event|evenement|manifestation|gathering|rencontre)\b|الفعاليه|الحدث|التظاهره")

#: A line that gives a page's publication date, not an event's.
_PUBLISHED = re.compile(r"(?:publie|published|posted|mis a jour|updated|^by |^par |تاريخ النشر|نشر في|نشر بتاريخ|اخر تحديث)")


def extract(report: Any) -> dict[str, Any]:
    """The event card of a report (a :class:`ssekg.ingest.readers.Report`); InputError when it states no event."""
    if not getattr(report, "text", "").strip():
        raise InputError(getattr(report, "source", "") or "<report>", "the report has no text",
                         "give the article's text")
    return _Extractor(report).run()
