"""Events: which sentences tell of an event, where each event's text starts and ends, its title and theme.

A sentence with an event word (the ``skos:hiddenLabel``s of the event-type scheme and lexicon.yaml's
``event_words``) and an event verb (``event_verbs``), a date, a venue or a future marker tells of an event. A
later such sentence starts a new event when its date or city differs from the current event's, or it announces
a future event; "this workshop"/"cette rencontre" refer back. Each event owns the text up to the next event's
first sentence. A report that names an event without the verb, date or place the main rule wants still gets one
event (``_fallback_event``): real reports tell an event through its outcome.

The rules say where the events are; the learned event detector (``models/events.json``, trained by ``make
train`` on reports with and without events) reads ``event_features`` and says whether the report tells of an
event at all. The title is the event word and the words after it up to a ``title_stops`` word; the theme is the
quoted text after a ``theme_cues`` phrase. See ``docs/extraction.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .dates import DateMention, find_relative
from .lexicon import (
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
from .text import Sentence


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


class EventsMixin:
    """Event detection: the drafts of the events a report tells of."""

    def _event_matcher(self) -> TermMatcher:
        return _event_matcher()

    def _event_matcher_cached(self) -> TermMatcher:
        if not hasattr(self, "_em"):
            self._em = self._event_matcher()
        return self._em

    def _events(self) -> list[EventDraft]:
        em = self._event_matcher()
        verbs = matcher("event_verbs")
        fut = matcher("future_event")
        drafts: list[EventDraft] = []
        title_line_end = self.text.find("\n") if self.r.title and self.text.startswith(self.r.title.strip()) else -1
        for s in self.sents:
            if s.end <= title_line_end:
                continue
            triggers = [m for m in em.finditer(self.ft, s.start, s.end) if not self._in_list_line(m.start)]
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
            # a speaker's words ("« C’est une rencontre qui fait suite au séminaire tenu à Accra en mai 2023 », a déclaré …")
            # tell of this event or of an earlier one: they open no event of their own
            quoted = self._in_quotes(trig.start, s)
            if cur is not None and not anaphoric and not quoted:
                if new_date and cur.date and new_date.begin != cur.date.begin \
                        and not self._same_range(cur.date, new_date):
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
            if quoted and not is_new:
                continue  # nor its date or place: "le séminaire tenu à Accra en mai 2023" is another gathering's
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
            triggers = [m for m in em.finditer(self.ft, s.start, s.end) if not self._in_list_line(m.start)]
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

    def event_features(self) -> list[str]:
        """Report-level features of the event detector: how strong the evidence of an event is."""
        f = [f"lang={self.r.language}"]
        f.append("rule=main" if self.drafts and not self.fallback else "rule=fallback" if self.drafts else "rule=none")
        f.append(f"events={min(len(self.drafts), 3)}")
        f.append(f"dates={min(len(self.dates), 3)}")
        f.append(f"speakers={min(len(self.speakers_found), 3)}")
        f.append(f"statements={min(len(self.rule_statements), 3)}")
        for name in ("event_verbs", "speech_verbs", "future_event", "participation_cues", "organiser_cues"):
            n = len(self.hits[name])
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
