"""The learned models run on one report: the entity tagger, the statement classifier and the calibration.

The rules run first (``_Extractor.analyse``); what they found is a feature of the learned models
(``rule_marks``). The token tagger (``sequence.py``, ``models/entities.crfsuite``) reads organisations,
programmes and people; the statement classifier (``statements.py``, ``models/statements.json``) reads the
challenges and proposals, and its statements replace the rules' when the model is shipped. A confidence is the
model's probability, calibrated per kind of fact (``confidence.py``). Without a model file the rules' answers
stand and the confidence is 0.5 before calibration. The models are trained by ``make train`` (``ingest/train.py``).
"""

from __future__ import annotations

from typing import Any

from .text import _strip_span


class LearnedMixin:
    """What the learned models read in a report."""

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


def _calibrate(kind: str, raw: float) -> float:
    from .confidence import calibrate

    return calibrate(kind, raw)
