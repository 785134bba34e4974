"""Score extracted cards against gold of real reports: P/R/F1 per field, events, dates, categories (issue 12).

The scores are computed on the report as a whole (the union of its events' facts), because that is what a
comparison of countries reads, and because pairing events first would count every fact of a report whose
events were cut differently as both a miss and a false alarm. Events are counted apart, pairing gold and
extracted events in order where their dates and places do not conflict.

Matching, per field:

- countries: ISO codes of the venue and of the participating countries;
- cities: the venue city's English name (case and accents folded);
- dates: the events' start dates; an extracted ``YYYY-MM`` or ``YYYY`` that is a prefix of a gold date counts as
  right (less precise, not wrong);
- speakers: names, folded, one containing the other (a surname meets the full name);
- organisations, programmes: text folded, one containing the other, or character overlap ≥ half the shorter;
- challenges, proposals: by containment or by a character overlap of at least half the shorter span.

Each gold item matches at most one extracted item. Extracted items that match an item the gold marks optional
are neutral: neither hits nor false alarms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from ssekg.ontology.countries import resolve_country

from .extract.lexicon import fold_text
from .gold import GoldReport

FIELDS = ("countries", "cities", "speakers", "organisations", "challenges", "proposals", "programmes", "dates")
LANGUAGES = ("ar", "en", "fr")
#: The field whose extracted items are judged for each kind of confidence.
CONFIDENCE_KINDS = {"speakers": "speaker", "organisations": "organisation", "challenges": "statement",
                    "proposals": "statement"}


@dataclass
class Item:
    """One fact as a span (where known) and its folded text."""

    text: str
    span: tuple[int, int] | None = None
    category: str | None = None
    confidence: float | None = None

    @cached_property
    def key(self) -> str:
        """The folded text items compare by (computed once: matching compares every pair)."""
        return fold_text(self.text)


@dataclass
class Tally:
    tp: int = 0
    got: int = 0
    gold: int = 0

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.got += other.got
        self.gold += other.gold

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.got if self.got else (1.0 if self.gold == 0 else 0.0)
        r = self.tp / self.gold if self.gold else (1.0 if self.got == 0 else 0.0)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Counts:
    """What one report or a set of reports counts: per field, events, statuses and categories."""

    fields: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    events: Tally = field(default_factory=Tally)
    status_right: int = 0
    status_paired: int = 0
    categories_right: int = 0
    categories_matched: int = 0
    matched_other: int = 0
    extracted_statements: int = 0
    extracted_other: int = 0
    #: kind of fact → (confidence, right) of each extracted fact that carries a confidence (not the neutral ones)
    judged: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)


_SUMMED = ("status_right", "status_paired", "categories_right", "categories_matched", "matched_other",
           "extracted_statements", "extracted_other")


@dataclass
class ReportScore(Counts):
    """One report's counts, with what it missed and what it read that the gold does not have."""

    rejected: bool = False
    misses: dict[str, list[str]] = field(default_factory=dict)
    false_alarms: dict[str, list[str]] = field(default_factory=dict)


def _ar_base(key: str) -> str:
    """An Arabic name without the proclitic ل written before it (للكنفدرالية → الكنفدرالية)."""
    if key.startswith("لل"):
        return "ال" + key[2:]
    return key


def _contains(a: Item, b: Item) -> bool:
    ka, kb = _ar_base(a.key), _ar_base(b.key)
    return bool(ka and kb) and (ka in kb or kb in ka)


def _overlap(a: Item, b: Item) -> bool:
    if a.span is None or b.span is None:
        return False
    inter = min(a.span[1], b.span[1]) - max(a.span[0], b.span[0])
    return inter > 0 and (inter >= 0.5 * min(a.span[1] - a.span[0], b.span[1] - b.span[0])
                          or (a.span[0] <= b.span[0] and b.span[1] <= a.span[1])
                          or (b.span[0] <= a.span[0] and a.span[1] <= b.span[1]))


def _text_or_span(a: Item, b: Item) -> bool:
    return _contains(a, b) or _overlap(a, b)


def _equal(a: Item, b: Item) -> bool:
    return a.key == b.key


def _same_city(a: Item, b: Item) -> bool:
    """One city by either of its names: the gazetteer's key ("New York" and "New York City" are one node of the
    graph, ``city/new-york-city``), else the folded name."""
    from .keys import city_key

    return a.key == b.key or bool(a.text and b.text) and city_key(a.text, None) == city_key(b.text, None)


def _date(a: Item, b: Item) -> bool:
    return a.text == b.text or a.text.startswith(b.text + "-")


SAME: dict[str, Callable[[Item, Item], bool]] = {
    "countries": _equal, "cities": _same_city, "dates": _date, "speakers": _contains,
    "organisations": _text_or_span, "programmes": _text_or_span,
    "challenges": _text_or_span, "proposals": _text_or_span,
}


def _match(gold: list[Item], got: list[Item], same: Callable[[Item, Item], bool]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, extracted index), preferring exact text, then the first that fits."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for rank in (0, 1):
        for i, g in enumerate(gold):
            if any(p[0] == i for p in pairs):
                continue
            for j, e in enumerate(got):
                if j in used:
                    continue
                if (rank == 0 and g.key == e.key) or (rank == 1 and same(g, e)):
                    pairs.append((i, j))
                    used.add(j)
                    break
    return pairs


def _dedupe(items: list[Item]) -> list[Item]:
    seen: set[Any] = set()
    out = []
    for it in items:
        k = (it.key, it.span)
        if k not in seen:
            seen.add(k)
            out.append(it)
    return out


# --------------------------------------------------------------------------------------------- gold side


def gold_items(g: GoldReport) -> tuple[dict[str, list[Item]], dict[str, list[Item]]]:
    """(items, optional items) per field of a gold report."""
    items: dict[str, list[Item]] = {f: [] for f in FIELDS}
    optional: dict[str, list[Item]] = {f: [] for f in FIELDS}

    def span_item(span: list[int], category: str | None = None) -> Item:
        return Item(g.text[span[0]:span[1]], (span[0], span[1]), category)

    for ev in g.events:
        for code in [ev.get("country")] + list(ev.get("participating_countries") or []):
            if code:
                items["countries"].append(Item(code))
        if ev.get("city"):
            items["cities"].append(Item(ev["city"]))
        if ev.get("start_date"):
            items["dates"].append(Item(str(ev["start_date"])))
        for sp in ev.get("speakers") or []:
            items["speakers"].append(span_item(sp["name"]))
        for key in ("organisations", "organisers", "funders"):
            items["organisations"] += [span_item(s) for s in ev.get(key) or []]
        items["programmes"] += [span_item(s) for s in ev.get("programmes") or []]
        for key in ("challenges", "proposals"):
            items[key] += [span_item(st["span"], st.get("category")) for st in ev.get(key) or []]
        opt = ev.get("optional") or {}
        for key, target in (("speakers", "speakers"), ("organisations", "organisations"),
                            ("organisers", "organisations"), ("funders", "organisations"),
                            ("programmes", "programmes"), ("challenges", "challenges"), ("proposals", "proposals")):
            optional[target] += [span_item(s) for s in opt.get(key) or []]
    return ({f: _dedupe(v) for f, v in items.items()}, {f: _dedupe(v) for f, v in optional.items()})


# --------------------------------------------------------------------------------------------- extracted side


def _name(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        if "name" in value:
            return _name(value["name"])
        return value.get("en") or next(iter(value.values()), None)
    return str(value)


def card_items(card: dict[str, Any]) -> dict[str, list[Item]]:
    """The items of an extracted card per field."""
    items: dict[str, list[Item]] = {f: [] for f in FIELDS}
    for ev in card.get("events") or []:
        for code in [ev.get("host_country")] + list(ev.get("participating_countries") or []):
            if code:  # a card may name a country ("Maroc"); the gold writes its ISO code
                items["countries"].append(Item(resolve_country(str(code)) or str(code)))
        city = _name(ev.get("city"))
        if city:
            items["cities"].append(Item(city))
        if ev.get("start"):
            items["dates"].append(Item(str(ev["start"])))
        for sp in ev.get("speakers") or []:
            span = tuple(sp["span"]) if sp.get("span") else None
            items["speakers"].append(Item(sp["name"], span, confidence=sp.get("confidence")))
            if sp.get("affiliation"):
                items["organisations"].append(Item(_name(sp["affiliation"]) or ""))
        # organisations and programmes compare by name: a card names each once, though the extractor also says where
        # one was read (a participant's span, and the same organisation as an affiliation without one, are one)
        for key in ("organisers", "participants", "organisations"):
            for org in ev.get(key) or []:
                conf = org.get("confidence") if isinstance(org, dict) else None
                items["organisations"].append(Item(_name(org) or "", None, confidence=conf))
        for prog in ev.get("programmes") or []:
            items["programmes"].append(Item(prog["name"]))
            if prog.get("funder"):
                items["organisations"].append(Item(_name(prog["funder"]) or ""))
        for key in ("challenges", "proposals"):
            for st in ev.get(key) or []:
                items[key].append(Item(st["text"], tuple(st["span"]) if st.get("span") else None, st.get("category"),
                                       st.get("confidence")))
    return {f: _dedupe([it for it in v if it.key]) for f, v in items.items()}


# --------------------------------------------------------------------------------------------- scoring


def _pair_events(gold: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Gold and extracted events paired in order where neither their dates nor their cities conflict."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i, g in enumerate(gold):
        for j, e in enumerate(got):
            if j in used:
                continue
            gd, ed = g.get("start_date"), e.get("start")
            if gd and ed and not str(gd).startswith(str(ed)):
                continue
            gc, ec = g.get("city"), _name(e.get("city"))
            if gc and ec and not _same_city(Item(str(gc)), Item(str(ec))):
                continue  # the cities field's identity: "New York City" read for the gold's "New York" pairs
            pairs.append((i, j))
            used.add(j)
            break
    return pairs


def score(g: GoldReport, card: dict[str, Any] | None) -> ReportScore:
    """Score one extracted card (None: the report was rejected) against its gold."""
    out = ReportScore(rejected=card is None)
    card = card or {"events": []}
    gold, optional = gold_items(g)
    got = card_items(card)
    for f in FIELDS:
        same = SAME[f]
        pairs = _match(gold[f], got[f], same)
        matched_got = {j for _, j in pairs}
        neutral = {j for j, e in enumerate(got[f]) if j not in matched_got
                   and any(same(o, e) for o in optional[f])}
        t = out.fields[f]
        t.tp, t.gold, t.got = len(pairs), len(gold[f]), len(got[f]) - len(neutral)
        matched_gold = {i for i, _ in pairs}
        out.misses[f] = [gold[f][i].text for i in range(len(gold[f])) if i not in matched_gold]
        out.false_alarms[f] = [e.text for j, e in enumerate(got[f]) if j not in matched_got and j not in neutral]
        kind = CONFIDENCE_KINDS.get(f)
        if kind:
            out.judged.setdefault(kind, []).extend(
                (e.confidence, j in matched_got) for j, e in enumerate(got[f])
                if e.confidence is not None and j not in neutral)
        if f in ("challenges", "proposals"):
            for i, j in pairs:
                out.categories_matched += 1
                out.categories_right += gold[f][i].category == got[f][j].category
                out.matched_other += got[f][j].category == "other"
            out.extracted_statements += len(got[f])
            out.extracted_other += sum(1 for e in got[f] if e.category == "other")
    gev, eev = g.events, card.get("events") or []
    pairs = _pair_events(gev, eev)
    out.events = Tally(len(pairs), len(eev), len(gev))
    paired = {j for _, j in pairs}
    out.judged["event"] = [(e["confidence"], j in paired) for j, e in enumerate(eev) if e.get("confidence") is not None]
    for i, j in pairs:
        out.status_paired += 1
        extracted_status = eev[j].get("status") or "held"
        out.status_right += (gev[i].get("status") or "held") == extracted_status
    return out


@dataclass
class Totals(Counts):
    """Sums over a set of reports."""

    reports: int = 0
    event_reports: int = 0
    rejected_event_reports: int = 0
    no_event_reports: int = 0
    no_event_with_events: int = 0

    def add(self, g: GoldReport, s: ReportScore) -> None:
        for kind, pairs in s.judged.items():
            self.judged.setdefault(kind, []).extend(pairs)
        for f in FIELDS:
            self.fields[f].add(s.fields[f])
        self.events.add(s.events)
        self.reports += 1
        if g.kind == "no-event" or not g.events:
            self.no_event_reports += 1
            self.no_event_with_events += s.events.got > 0
        else:
            self.event_reports += 1
            self.rejected_event_reports += s.rejected
        for k in _SUMMED:
            setattr(self, k, getattr(self, k) + getattr(s, k))

    def macro_f1(self) -> float:
        return sum(self.fields[f].prf()[2] for f in FIELDS) / len(FIELDS)

    def category_accuracy(self) -> float:
        return self.categories_right / self.categories_matched if self.categories_matched else 0.0

    def other_share(self) -> float:
        return self.matched_other / self.categories_matched if self.categories_matched else 0.0

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {f: dict(zip(("p", "r", "f1"), self.fields[f].prf()), tp=self.fields[f].tp,
                                     extracted=self.fields[f].got, gold=self.fields[f].gold) for f in FIELDS}
        d["events"] = dict(zip(("p", "r", "f1"), self.events.prf()), tp=self.events.tp, extracted=self.events.got,
                           gold=self.events.gold)
        d["macro_f1"] = self.macro_f1()
        d["category_accuracy"] = self.category_accuracy()
        d["other_share_matched"] = self.other_share()
        d["other_share_extracted"] = (self.extracted_other / self.extracted_statements
                                      if self.extracted_statements else 0.0)
        d["status_accuracy"] = self.status_right / self.status_paired if self.status_paired else 0.0
        d["reports"] = self.reports
        d["event_reports_rejected"] = self.rejected_event_reports
        d["event_reports"] = self.event_reports
        d["no_event_reports"] = self.no_event_reports
        d["no_event_reports_with_events"] = self.no_event_with_events
        return d
