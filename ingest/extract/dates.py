"""Dates as reports write them, in Arabic (Maghreb, Levant, Egypt month names; Arabic-Indic digits), French and
English: single days, ranges, month and year, numeric dd/mm/yy, and relative days resolved against the
publication date (left out when it is unknown: never guessed)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Folded, _term_pattern, fold_text, keyed_matcher, lexicon, matcher


@dataclass
class DateMention:
    start: int
    end: int
    begin: str  # YYYY-MM-DD, YYYY-MM or YYYY
    finish: str | None = None
    relative: bool = False


@lru_cache(maxsize=1)
def _month_regex() -> tuple[str, dict[str, int]]:
    values: dict[str, int] = {}
    for key, words in lexicon()["months"].items():
        for w in words:
            values[fold_text(str(w))] = int(key)
    alt = "|".join(_term_pattern(t) for t in sorted(values, key=len, reverse=True))
    return alt, values


_SEP = r"\s*(?:-|–|—|/|و|et|and|to|au|a|الي|حتي|till|until|through)\s*"
_AR_PRE = r"(?:[وف]?[بل]?)"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    m, _ = _month_regex()
    day = r"(?:[0-3]?\d)(?:er|st|nd|rd|th)?"
    year = r"(?:19|20)\d\d"
    M = rf"(?:{_AR_PRE}(?:{m}))\.?"
    pats = [
        # 22 juillet 2025 au 2 août 2025 / 30 juin - 2 juillet 2025
        ("dmdmy", rf"(?<![\w])(?P<d1>{day})\s+(?:de\s+)?(?P<m1>{M})(?:\s*,?\s*(?P<y1>{year}))?{_SEP}(?P<d2>{day})\s+(?:de\s+)?(?P<m2>{M})(?:\s*,?\s*(?P<y2>{year}))?(?![\w])"),
        # 22-23 juillet 2025, 22 و23 يوليوز, du 22 au 23 juillet
        ("ddmy", rf"(?<![\w])(?P<d1>{day}){_SEP}(?P<d2>{day})\s+(?:de\s+)?(?P<m1>{M})(?:\s*,?\s*(?:سنة|عام|de\s+l'annee)?\s*(?P<y1>{year}))?(?![\w])"),
        # 22 juillet 2025 / 22 يوليوز 2025 / 22nd of July
        ("dmy", rf"(?<![\w])(?P<d1>{day})\s+(?:of\s+|de\s+)?(?P<m1>{M})(?:\s*,?\s*(?:سنة|عام)?\s*(?P<y1>{year}))?(?![\w])"),
        # July 22-23, 2025 / July 22, 2025
        ("mddy", rf"(?<![\w])(?P<m1>{M})\s+(?P<d1>{day})(?:{_SEP}(?P<d2>{day}))?(?:\s*,?\s*(?P<y1>{year}))?(?![\w])"),
        # 2025-07-22
        ("iso", rf"(?<![\w])(?P<y1>{year})-(?P<mn>[01]?\d)-(?P<d1>[0-3]?\d)(?![\w])"),
        # 22/07/2025, 22.07.25
        ("num", rf"(?<![\w/.])(?P<d1>[0-3]?\d)[/.](?P<mn>[01]?\d)[/.](?P<y1>(?:19|20)?\d\d)(?![\w/])"),
        # juillet 2025 / يوليوز 2025 / شهر يوليوز 2025
        ("my", rf"(?<![\w])(?P<m1>{M})\s*,?\s*(?:سنة|عام)?\s*(?P<y1>{year})(?![\w])"),
        # a month and a future or past marker, no year: "أبريل المقبل", "en mars prochain", "next April", "last May"
        ("mrel", rf"(?<![\w])(?:(?P<pre>next|last|this coming)\s+(?P<m1>{M})|(?P<m2>{M})\s+(?P<post>{_markers()}))(?![\w])"),
    ]
    return [(name, re.compile(p)) for name, p in pats]


def _markers() -> str:
    words = [fold_text(w) for w in lexicon()["future_markers"] + lexicon()["past_markers"]]
    return "|".join(_term_pattern(w) for w in sorted(set(words), key=len, reverse=True))


def _future_words() -> set[str]:
    return {fold_text(w) for w in lexicon()["future_markers"]} | {"next", "this coming"}


def _month(text: str) -> int | None:
    _, values = _month_regex()
    t = text.rstrip(".")
    for pre in ("", "و", "ف", "ب", "ل", "وب", "ول", "فب"):
        if t.startswith(pre) and t[len(pre):] in values:
            return values[t[len(pre):]]
    t2 = " ".join(t.split())
    return values.get(t2)


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def _mk(y: int | None, mo: int, d: int | None) -> str | None:
    if y is None:
        return None
    try:
        if d is None:
            return f"{y:04d}-{mo:02d}"
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def _year_for(mo: int, d: int | None, anchor: dt.date | None) -> int | None:
    """The year of a date written without one: the year that puts it nearest the anchor date."""
    if anchor is None:
        return None
    best = None
    for y in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            cand = dt.date(y, mo, d or 15)
        except ValueError:
            continue
        dist = abs((cand - anchor).days)
        if best is None or dist < best[0]:
            best = (dist, y)
    return best[1] if best and best[0] <= 200 else None


def find_dates(ft: Folded, published: str | None) -> list[DateMention]:
    """Every absolute date in the text; a year left out is taken from the nearest full date before it or
    from the publication date, and without either from the only year the text names."""
    pub = dt.date.fromisoformat(published) if published and len(published) == 10 else None
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, re.Match, str]] = []
    for name, pat in _patterns():
        for m in pat.finditer(ft.folded):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            if name in ("dmy", "mddy") and not m.group("y1"):
                # a bare "2 mars" is a date; "may 5" or "mars 3" in prose are not: need the month after a day
                pass
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), m, name))
    found.sort(key=lambda f: f[0])
    out: list[DateMention] = []
    last_full: dt.date | None = None
    # a text with no full date and no publication date may still fix the year: the only one it names
    years = {int(y) for y in re.findall(r"(?<![\d])((?:19[89]|20[0-3])\d)(?![\d])", ft.folded)}
    only_year = years.pop() if len(years) == 1 else None
    for fs, fe, m, name in found:
        g = m.groupdict()
        try:
            if name in ("iso", "num"):
                y = int(g["y1"])
                if y < 100:
                    y += 2000
                mo = int(g["mn"])
                if not 1 <= mo <= 12:
                    continue
                begin = _mk(y, mo, _day(g["d1"]))
                finish = None
            elif name == "mrel":
                if pub is None:
                    continue
                mo = _month(g["m1"] or g["m2"])
                if mo is None:
                    continue
                marker = " ".join((g["pre"] or g["post"] or "").split())
                if marker in _future_words():
                    y = pub.year if mo > pub.month else pub.year + 1
                else:
                    y = pub.year if mo < pub.month else pub.year - 1
                begin, finish = _mk(y, mo, None), None
            elif name == "my":
                mo = _month(g["m1"])
                if mo is None:
                    continue
                begin, finish = _mk(int(g["y1"]), mo, None), None
            else:
                m1 = _month(g["m1"])
                if m1 is None:
                    continue
                m2 = _month(g["m2"]) if g.get("m2") else m1
                if m2 is None:
                    continue
                y2 = int(g["y2"]) if g.get("y2") else (int(g["y1"]) if g.get("y1") else None)
                y1 = int(g["y1"]) if g.get("y1") and name != "dmdmy" else (int(g["y1"]) if g.get("y1") else y2)
                d1 = _day(g["d1"])
                d2 = _day(g["d2"]) if g.get("d2") else None
                if y1 is None and last_full is None and pub is None and only_year is not None:
                    y1 = only_year  # "on July 5th" in a report whose only year is 2022
                    y2 = y2 or only_year
                if y1 is None:
                    anchor = last_full or pub
                    y1 = _year_for(m1, d1, anchor)
                    if y1 is not None and pub is not None and anchor is pub:
                        tail = Folded.of(ft.text[ft.span(fs, fe)[1]:ft.span(fs, fe)[1] + 20])
                        cand = _mk(y1, m1, d1)
                        if matcher("future_markers").search(tail) and cand and cand < pub.isoformat():
                            y1 += 1
                        elif matcher("past_markers").search(tail) and cand and cand > pub.isoformat():
                            y1 -= 1
                    y2 = _year_for(m2, d2 or d1, anchor) if y1 is not None else None
                if y2 is None:
                    y2 = y1
                if name == "mddy" and y1 is None:
                    continue
                begin = _mk(y1, m1, d1)
                finish = _mk(y2, m2, d2) if d2 is not None else None
                if finish is not None and begin is not None and finish < begin:
                    finish = None
        except (TypeError, ValueError):
            continue
        if begin is None:
            continue
        if len(begin) == 10:
            last_full = dt.date.fromisoformat(begin)
        a, b = ft.span(fs, fe)
        out.append(DateMention(a, b, begin, finish))
    return out


def find_relative(ft: Folded, published: str | None, start: int, end: int, future: bool) -> list[DateMention]:
    """Relative days ("أمس", "hier", "lundi dernier", "the day before") in [start, end), resolved against the
    publication date; nothing when the publication date is unknown."""
    if not published or len(published) != 10:
        return []
    pub = dt.date.fromisoformat(published)
    out: list[DateMention] = []
    for m in keyed_matcher("relative_days").finditer(ft, start, end):
        day = pub + dt.timedelta(days=int(m.value))
        out.append(DateMention(m.start, m.end, day.isoformat(), relative=True))
    past = matcher("past_markers")
    fut = matcher("future_markers")
    for m in keyed_matcher("weekdays").finditer(ft, start, end):
        after = ft.text[m.end:m.end + 20]
        fa = Folded.of(after)
        is_past = past.search(fa) is not None
        is_future = fut.search(fa) is not None or (future and not is_past)
        wd = int(m.value)
        if is_future:
            delta = (wd - pub.weekday()) % 7 or 7
            day = pub + dt.timedelta(days=delta)
        else:
            delta = (pub.weekday() - wd) % 7
            if is_past and delta == 0:
                delta = 7
            day = pub - dt.timedelta(days=delta)
        out.append(DateMention(m.start, m.end, day.isoformat(), relative=True))
    return sorted(out, key=lambda d: d.start)
