"""Challenges and proposals: clause segments classified by a learned linear model (issue 12).

Real reports state a claim in a clause: after a cue (``called on X to``, ``ضرورة``, ``il faut``), as a list
item under a lead-in, or as a sentence of reported speech. The rules found the cues they knew and cut the
claim at the next comma; a token tagger trained on a hundred reports did not generalise. Here the text is cut
into segments (sentences, cut again at colons, semicolons and list items), and each segment is classified as a
challenge, a proposal or neither from its words, the words just before it, the lexicons' cue words and what
the rules found there (``models/statements.json``, trained by ``make train``). A kept segment is trimmed of
its lead-in: what stands before the last claim cue of its first half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import linear
from .lexicon import Folded, fold_text, word_stem
from .sequence import lexicon_hits

LABELS = {"challenge": "CH", "proposal": "PR"}
_SEG_END = re.compile(r"(?<=[.!?؟;؛:])\s+|\n+|(?<=[»”\"])\s*(?=[A-ZÀ-Ý])")
_WORD = re.compile(r"\w+")
_CUE_LISTS = ("proposal_verbs", "challenge_verbs", "proposal_leadins", "challenge_leadins", "proposal_heads",
              "challenge_heads", "speech_verbs", "collective_subjects", "enumeration_cues", "enumeration_verbs",
              "event_verbs", "honorifics", "roles", "organisations", "organiser_cues", "funder_cues", "bylines",
              "aim_cues")
_TRIM = " \t\"'«»“”.,;:،؛-–—*•·"
#: A segment this long is cut again at commas (a run of clauses).
_LONG = 260


@dataclass
class Segment:
    start: int
    end: int
    item: bool  # a list item (a bulleted or numbered line)


def segments(text: str, items: list[tuple[int, int]]) -> list[Segment]:
    """The text cut at sentence ends, colons, semicolons, line breaks; long pieces cut again at commas."""
    out: list[Segment] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _SEG_END.finditer(text)] + [(len(text), len(text))]
    item_starts = {a for a, _ in items}
    for a_end, b_next in bounds:
        a, b = pos, a_end
        pos = b_next
        while a < b and text[a] in _TRIM:
            a += 1
        while b > a and text[b - 1] in _TRIM:
            b -= 1
        if b - a < 3:
            continue
        is_item = any(s <= a < e or a <= s < b for s, e in items if s in item_starts and s < b and a < e)
        if b - a > _LONG and not is_item:
            cut = a
            for m in re.finditer(r"[,،]\s+", text[a:b]):
                if a + m.start() - cut >= 60 and b - (a + m.end()) >= 40:
                    out.append(Segment(cut, a + m.start(), False))
                    cut = a + m.end()
            out.append(Segment(cut, b, False))
        else:
            out.append(Segment(a, b, is_item))
    return out


def features(text: str, segs: list[Segment], k: int, hits: dict[str, list[tuple[int, int]]], language: str,
             rule_marks: dict[str, list[tuple[int, int]]]) -> list[str]:
    s = segs[k]
    body = fold_text(text[s.start:s.end]).lower()
    words = _WORD.findall(body)
    prev = segs[k - 1] if k > 0 else None
    left = fold_text(text[max(0, s.start - 80):s.start]).lower()
    left_words = _WORD.findall(left)[-6:]
    f = [f"lang={language}", f"len={min(len(words) // 4, 10)}"]
    f += [f"w={word_stem(w)}" for w in words if len(w) > 2]
    f += [f"f={word_stem(w)}" for w in words[:4]]
    f += [f"L={word_stem(w)}" for w in left_words]
    if left_words:
        f.append(f"L1={word_stem(left_words[-1])}")
    if s.item:
        f.append("item")
        if prev is not None and prev.item:
            f.append("item-prev")
    if text[max(0, s.start - 2):s.start].strip().endswith(":"):
        f.append("after-colon")
    if '"' in text[s.start:s.end] or "«" in text[s.start:s.end] or "“" in text[s.start:s.end]:
        f.append("quote")
    span_lo, span_hi = s.start, s.end
    head_hi = s.start + max(12, (s.end - s.start) // 2)
    for name in _CUE_LISTS:
        spans = hits[name]
        if any(span_lo <= a < span_hi for a, _ in spans):
            f.append(f"lex={name}")
        if any(span_lo <= a < head_hi for a, _ in spans):
            f.append(f"head={name}")
        if any(max(0, span_lo - 100) <= a < span_lo for a, _ in spans):
            f.append(f"left={name}")
    for name, spans in rule_marks.items():
        if name == "item":
            continue
        for a, b in spans:
            inter = min(b, s.end) - max(a, s.start)
            if inter > 0 and inter >= 0.5 * min(b - a, s.end - s.start):
                f.append(f"rule={name}")
                break
    return f


def gold_label(s: Segment, gold: list[tuple[int, int, str]]) -> str:
    """CH, PR or O: the kind of a gold statement the segment matches (containment or half overlap)."""
    for a, b, lab in gold:
        inter = min(b, s.end) - max(a, s.start)
        if inter > 0 and (inter >= 0.5 * min(b - a, s.end - s.start) or (s.start <= a and b <= s.end)):
            return lab
    return "O"


def trim_lead(text: str, s: Segment, hits: dict[str, list[tuple[int, int]]]) -> int:
    """Where the claim starts: after the last claim cue (verb or lead-in) in the first half of the segment."""
    half = s.start + (s.end - s.start) // 2
    start = s.start
    for name in ("proposal_verbs", "challenge_verbs", "proposal_leadins", "challenge_leadins", "enumeration_cues"):
        for a, b in hits[name]:
            if s.start <= a < half and b > start:
                start = b
    while start < s.end and (text[start] in _TRIM or text[start].isspace()):
        start += 1
    m = re.match(r"(?:that|to|de|d’|d'|que|qu’|à|أن|إلى|ب)\s+", text[start:s.end], re.I)
    if m and s.end - start - m.end() > 15:
        start += m.end()
    return start if s.end - start >= 15 else s.start


def classify(text: str, language: str, items: list[tuple[int, int]], rule_marks: dict[str, list[tuple[int, int]]],
             model: dict[str, Any], rule_statements: list[dict[str, Any]],
             hits: dict[str, list[tuple[int, int]]] | None = None) -> list[dict[str, Any]]:
    """The statements of a text: kind, span, lead-in span and confidence (the model's probability).

    The rules' statements are kept where the model gives their segment at least ``keep`` (they cut lists and
    enumerations into items, which the model does not); a segment the model holds a statement that no kept
    rule statement overlaps is added, trimmed of its lead-in; a segment with no claim cue in it or in the 150
    characters before it needs ``uncued`` (reported speech and narration were most of the false alarms).
    """
    segs = segments(text, items)
    hits = hits if hits is not None else lexicon_hits(Folded.of(text))
    threshold = model.get("threshold", 0.5)
    keep = model.get("keep", 0.2)
    uncued = model.get("uncued", threshold)
    probs = segment_probabilities(text, language, segs, hits, rule_marks, model)
    out: list[dict[str, Any]] = []
    for st in rule_statements:
        a, b = st["span"]
        over = [k for k, s in enumerate(segs) if min(b, s.end) - max(a, s.start) > 0]
        p = max((probs[k].get(LABELS[st["kind"]], 0.0) + 0.5 * probs[k].get(_OTHER[st["kind"]], 0.0)
                 for k in over), default=0.0)
        if p >= keep:
            out.append(dict(st, confidence=round(min(p, 1.0), 3)))
    for k, s in enumerate(segs):
        label = max(("CH", "PR"), key=lambda c: probs[k].get(c, 0.0))
        p = probs[k].get(label, 0.0)
        if p < threshold or any(min(st["span"][1], s.end) - max(st["span"][0], s.start) > 0 for st in out):
            continue
        if any(min(st["lead"][1], s.end) - max(st["lead"][0], s.start) > 0 for st in rule_statements):
            continue  # the lead-in of a list the rules read ("the challenges, among them:")
        if any(s.start <= a < s.start + (s.end - s.start) // 2 for a, _ in hits["aim_cues"]):
            continue  # an event's or project's aim is not a proposal of it (the gold's conventions)
        if s.item and _lead_has(text, s.start, items, hits["aim_cues"]):
            continue  # an item of "The objectives of the workshop were:"
        if p < uncued and not any(max(0, s.start - 150) <= a < s.end for name in _CLAIM_CUES for a, _ in hits[name]):
            continue  # no claim cue in it or just before it: the model must be surer ("She noted that …")
        a = trim_lead(text, s, hits)
        out.append({"kind": "challenge" if label == "CH" else "proposal", "span": [a, s.end],
                    "lead": (s.start, a), "confidence": round(p, 3)})
    out.sort(key=lambda st: st["span"][0])
    return out


def _lead_has(text: str, pos: int, items: list[tuple[int, int]], spans: list[tuple[int, int]]) -> bool:
    """Whether the lead-in of the list holding the item at ``pos`` (the first line above it that is neither an
    item nor blank) holds one of ``spans``."""
    line = text.rfind("\n", 0, pos) + 1
    while line > 0:
        start = text.rfind("\n", 0, line - 1) + 1
        body = text[start:line - 1]
        if body.strip() and not any(a < line - 1 and start < b for a, b in items):
            return any(start <= a < line for a, _ in spans)
        line = start
    return False


_OTHER = {"challenge": "PR", "proposal": "CH"}
_CLAIM_CUES = ("proposal_verbs", "proposal_leadins", "proposal_heads", "challenge_verbs", "challenge_leadins",
               "challenge_heads")


def segment_probabilities(text: str, language: str, segs: list[Segment], hits: dict[str, list[tuple[int, int]]],
                          rule_marks: dict[str, list[tuple[int, int]]], model: dict[str, Any]) -> list[dict[str, float]]:
    return [linear.probabilities(model, features(text, segs, k, hits, language, rule_marks)) for k in range(len(segs))]
