"""The learned models run on one report: the entity tagger, the statement classifier and the calibration.

The rules run first (``_Extractor.analyse``); what they found is a feature of the learned models
(``rule_marks``). The token tagger (``sequence.py``, ``models/entities.crfsuite``) reads organisations,
programmes and people; the statement classifier (``statements.py``, ``models/statements.json``) reads the
challenges and proposals: it keeps the rules' statements it agrees with and adds its own. A confidence is the
model's probability, calibrated per kind of fact (``confidence.py``). Without a model file the rules' answers
stand and the confidence is 0.5 before calibration. The models are trained by ``make train`` (``ingest/train.py``).
"""

from __future__ import annotations

import re
from typing import Any

from .lexicon import fold_text
from .text import _is_arabic, _strip_span


#: The least ORG probability that keeps a rule's organisation phrase the tagger did not tag (chosen on the dev
#: fold: organisations F1 0.64 without them, 0.68 at 0.3, 0.69 at 0.15, 0.67 at 0.05).
ORG_CANDIDATE_MIN = 0.2


class LearnedMixin:
    """What the learned models read in a report."""

    def _learned(self) -> dict[str, Any]:
        """Statements, organisations and programmes read by the learned taggers (None: no model shipped)."""
        from . import linear
        from .sequence import models_dir, tag, token_features, tokenize
        from .statements import classify as classify_statements

        tokens = tokenize(self.text)
        hits = self.hits
        marks = self.rule_marks()
        feats = token_features(self.text, tokens, self.r.language, marks, hits)
        out: dict[str, Any] = {"statements": None, "organisations": [], "programmes": [], "people": []}
        model = linear.load(str(models_dir() / "statements.json"))
        if model is not None:
            found = classify_statements(self.text, self.r.language, self.items, marks, model,
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
                out["organisations"] += [(self.text[x:y], x) for x, y in _coordinated_parts(self.text, a, b)]
            elif t.label == "PROG":
                out["programmes"].append((self.text[a:b], a))
            elif t.label == "PER":
                out["people"].append((a, b, t.confidence))
        out["organisations"] += self._more_organisations(out["organisations"], marks.get("organisation", []))
        out["organisations"] += self._known_organisations(out["organisations"])
        out["organisations"] += self._acronym_organisations(out["organisations"])
        return out

    def _more_organisations(self, found: list[tuple[str, int]], candidates: list[tuple[int, int]]) -> list[tuple[str, int]]:
        """The rules' organisation phrases of two words or more that the tagger did not tag but does not rule out
        (their tokens' ORG probability at least ``ORG_CANDIDATE_MIN``): long names the tagger cut or missed."""
        from .sequence import span_probability

        probs = self.entity_probs.get("ORG")
        if not probs:
            return []
        taken = [(pos, pos + len(name)) for name, pos in found]
        out = []
        for a, b in candidates:
            if any(x < b and a < y for x, y in taken) or len(self.text[a:b].split()) < 2:
                continue
            if span_probability(self.tokens, probs, a, b) >= ORG_CANDIDATE_MIN:
                out.append((self.text[a:b], a))
                taken.append((a, b))
        return out

    def _confidence(self, kind: str, label: str, a: int, b: int) -> float:
        """The calibrated confidence of a name found at [a, b): the tagger's probability of its tokens."""
        from .sequence import span_probability

        probs = getattr(self, "entity_probs", {}).get(label)
        raw = span_probability(self.tokens, probs, a, b) if probs else 0.5
        return _calibrate(kind, raw)


def _coordinated_parts(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """An Arabic name the tagger read as one, cut where و opens another organisation's head word ("الاتحاد العام …
    والاتحاد التونسي … والنقابة …": the tagger joins a list of organisations into one name)."""
    from .organisations import _coordinated_name

    if not _is_arabic(text[a:b]):
        return [(a, b)]
    parts, start = [], a
    for m in re.finditer(r"(?<=\s)و([\u0621-\u064A]{3,})", text[a:b]):
        if _coordinated_name(fold_text(m.group(1))) and text[start:a + m.start()].strip():
            parts.append(_strip_span(text, start, a + m.start()))
            start = a + m.start() + 1
    parts.append(_strip_span(text, start, b))
    return [(x, y) for x, y in parts if y - x >= 2]


def _calibrate(kind: str, raw: float) -> float:
    from .confidence import calibrate

    return calibrate(kind, raw)
