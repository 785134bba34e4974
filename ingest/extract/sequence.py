"""The learned entity tagger: tokens, their features and a linear-chain CRF (issue 12).

Rules were exact where reports are regular (dates, programme codes, gazetteer names) and failed where they are
not: which capitalised (or, in Arabic, uncapitalised) words are a person or an organisation. A CRF (CRFsuite
through python-crfsuite) tags tokens with BIO labels instead: ``PER`` (a speaker's name), ``ORG`` (an
organisation), ``PROG`` (a programme). A token tagger was tried for statements too and did not generalise from a
hundred reports: statements are classified as clause segments (``statements.py``).

The features are the token's folded form, stem and shape, its neighbours, the lexicons' cue words (claim verbs,
lead-ins, honorifics, organisation words …), the gazetteers, the list structure and what the rules found there
(their statements, speakers, programmes and organisation phrases), so the model learns when a rule is right. The
model is trained from the gold of ``corpus/gold/`` by ``make train`` (``ssekg.ingest.train``) and shipped in
``ingest/extract/models/``; tagging is deterministic, needs no network and no GPU. A span's confidence is the
mean marginal probability of its tokens' labels.
"""

from __future__ import annotations

import hashlib
import os
import threading
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from .lexicon import ARABIC_RE, Folded, cities, countries, fold_char, given_name_spans, matcher, strip_arabic_clitics

#: The files of the shipped models (``models_version`` hashes them).
MODEL_FILES = ("entities.crfsuite", "statements.json", "categories.json", "events.json", "calibration.json")
_TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")
_BULLET_CHARS = set("*•·▪►●◦‣■□✓✔➢➤→-–—")
#: The lexicon lists whose matches are token features.
LEXICON_FEATURES = ("proposal_verbs", "challenge_verbs", "proposal_leadins", "challenge_leadins", "proposal_heads",
                    "challenge_heads", "honorifics", "roles", "organisations", "speech_verbs", "collective_subjects",
                    "organiser_cues", "participation_cues", "funder_cues", "bylines", "programme_words",
                    "enumeration_cues", "enumeration_verbs", "delegation_nouns", "event_verbs", "future_event",
                    "aim_cues")
#: Claim cues: a token after one of these (in the same sentence) is likelier inside a statement.
_CUES = {"proposal_verbs": "cp", "proposal_leadins": "lp", "challenge_verbs": "cc", "challenge_leadins": "lc"}


@dataclass
class Token:
    start: int
    end: int
    text: str
    folded: str


def tokenize(text: str) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text):
        t = m.group(0)
        out.append(Token(m.start(), m.end(), t, "".join(fold_char(c) for c in t)))
    return out


def _shape(t: str) -> str:
    if ARABIC_RE.search(t):
        return "A"
    if t.isdigit():
        return "d"
    if not t[0].isalnum():
        return "p"
    if t.isupper() and len(t) > 1:
        return "XX"
    if t[0].isupper():
        return "Xx"
    return "x"


def _token_index(text: str, tokens: list[Token]) -> list[int]:
    """For each character, the index of the token that holds it (-1 between tokens)."""
    index = [-1] * (len(text) + 1)
    for i, tok in enumerate(tokens):
        for k in range(tok.start, tok.end):
            index[k] = i
    return index


def _covered(index: list[int], n: int, spans: Iterable[tuple[int, int]]) -> list[bool]:
    """Which of ``n`` tokens a span touches."""
    marks = [False] * n
    for a, b in spans:
        for k in range(a, min(b, len(index))):
            if index[k] >= 0:
                marks[index[k]] = True
    return marks


def lexicon_hits(ft: Folded) -> dict[str, list[tuple[int, int]]]:
    """Where each lexicon list (and the gazetteers) matches in a text: computed once, read by every model."""
    hits = {name: [(m.start, m.end) for m in matcher(name).finditer(ft)] for name in LEXICON_FEATURES}
    hits["country"] = [(m.start, m.end) for m in countries().finditer(ft)]
    hits["city"] = [(m.start, m.end) for m in cities()[0].finditer(ft)]
    hits["given_name"] = given_name_spans(ft.text)
    hits["given_name_latin"] = given_name_spans(ft.text, "latin")
    return hits


def token_features(text: str, tokens: list[Token], language: str, rule_marks: dict[str, list[tuple[int, int]]],
                   hits: dict[str, list[tuple[int, int]]] | None = None) -> list[list[str]]:
    """The feature strings of every token (CRFsuite attributes). ``rule_marks``: what the rules found, by kind;
    ``hits``: :func:`lexicon_hits` of the text."""
    hits = hits if hits is not None else lexicon_hits(Folded.of(text))
    index = _token_index(text, tokens)
    n = len(tokens)
    lex = {name: _covered(index, n, spans) for name, spans in hits.items()}
    rules = {k: _covered(index, n, v) for k, v in rule_marks.items()}
    # line and sentence structure
    line_start = [False] * len(tokens)
    sent_start = [False] * len(tokens)
    bullet = [False] * len(tokens)
    in_quote = [False] * len(tokens)
    quote = False
    prev_end = 0
    for i, tok in enumerate(tokens):
        gap = text[prev_end:tok.start]
        if i == 0 or "\n" in gap:
            line_start[i] = True
            sent_start[i] = True
            bullet[i] = tok.text in _BULLET_CHARS or (tok.text.isdigit() and len(tok.text) <= 2
                                                      and i + 1 < len(tokens) and tokens[i + 1].text in ".)-–")
        elif tokens[i - 1].text in ".!?؟;؛:":
            sent_start[i] = True
        if tok.text in "«“\"”»":
            quote = not quote if tok.text == '"' else tok.text in "«“"
        in_quote[i] = quote
        prev_end = tok.end
    # cue seen earlier in the sentence (distance in tokens, bucketed), and bullet item
    last_cue: dict[str, int] = {}
    item = False
    feats: list[list[str]] = []
    for i, tok in enumerate(tokens):
        if sent_start[i]:
            last_cue = {k: v for k, v in last_cue.items() if k.startswith("l") and line_start[i] and bullet[i]}
            item = bullet[i] or (item and not line_start[i])
        f = tok.folded.lower()
        stem = strip_arabic_clitics(f) if language == "ar" else f
        fs = [f"w={f}", f"s={stem}", f"p3={stem[:3]}", f"x3={stem[-3:]}", f"sh={_shape(tok.text)}", f"lang={language}",
              f"len={min(len(f), 8)}"]
        if len(stem) > 5:
            fs.append(f"x5={stem[-5:]}")
            fs.append(f"p5={stem[:5]}")
        if line_start[i]:
            fs.append("line0")
        if sent_start[i]:
            fs.append("sent0")
        if bullet[i]:
            fs.append("bullet")
        if item:
            fs.append("item")
        if in_quote[i]:
            fs.append("quote")
        for name, marks in lex.items():
            if marks[i]:
                fs.append(f"lex={name}")
        for name, marks in rules.items():
            if marks[i]:
                fs.append(f"rule={name}")
                if i == 0 or not marks[i - 1]:
                    fs.append(f"rule0={name}")
        for name, short in _CUES.items():
            if name in last_cue:
                d = i - last_cue[name]
                fs.append(f"after={short}:{'1' if d <= 1 else '3' if d <= 3 else '8' if d <= 8 else 'far'}")
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < len(tokens):
                fj = tokens[j].folded.lower()
                fs.append(f"w{off}={strip_arabic_clitics(fj) if language == 'ar' else fj}")
                if off in (-1, 1):
                    fs.append(f"sh{off}={_shape(tokens[j].text)}")
                    for name in ("honorifics", "roles", "organisations", "proposal_verbs", "challenge_verbs",
                                 "speech_verbs", "given_name", "given_name_latin"):
                        if lex[name][j]:
                            fs.append(f"lex{off}={name}")
                    for name, marks in rules.items():
                        if marks[j] != marks[i]:
                            fs.append(f"ruleedge{off}={name}")
            else:
                fs.append(f"w{off}=<pad>")
        feats.append(fs)
        for name in _CUES:
            if lex[name][i]:
                last_cue[name] = i
    return feats


def bio(tokens: list[Token], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO labels of tokens from labelled character spans (a token belongs to a span it lies inside)."""
    labels = ["O"] * len(tokens)
    for a, b, lab in sorted(spans, key=lambda s: (s[1] - s[0])):
        first = True
        for i, tok in enumerate(tokens):
            if tok.start >= a and tok.end <= b and labels[i] == "O":
                labels[i] = ("B-" if first else "I-") + lab
                first = False
    return labels


@dataclass
class Tagged:
    start: int
    end: int
    label: str
    confidence: float


def spans_of(tokens: list[Token], labels: list[str], marginals: list[float]) -> list[Tagged]:
    out: list[Tagged] = []
    cur: list[int] = []
    lab = ""

    def close() -> None:
        if cur:
            conf = sum(marginals[k] for k in cur) / len(cur)
            out.append(Tagged(tokens[cur[0]].start, tokens[cur[-1]].end, lab, conf))

    for i, l in enumerate(labels):
        if l == "O":
            close()
            cur, lab = [], ""
        elif l.startswith("B-") or l[2:] != lab:
            close()
            cur, lab = [i], l[2:]
        else:
            cur.append(i)
    close()
    return out


# --------------------------------------------------------------------------------------------- the models


def models_dir() -> Path:
    """The shipped models, or ``$SSEKG_EXTRACT_MODELS`` (for comparing models trained with other settings)."""
    env = os.environ.get("SSEKG_EXTRACT_MODELS")
    return Path(env) if env else Path(str(resources.files("ssekg.ingest.extract").joinpath("models")))


def model_path(name: str) -> Path:
    return models_dir() / f"{name}.crfsuite"


#: The entity types whose token probabilities give a fact's confidence (speakers, organisations).
CONFIDENCE_LABELS = ("PER", "ORG")
_local = threading.local()


def tagger(name: str):
    """The CRF tagger of a model, opened once per thread; None when the model was not built.

    A CRFsuite tagger holds the sequence it last tagged (its marginals are read from it), so threads that
    extract at once (the server's uploads) must not share one: each thread opens its own (a memory map).
    """
    cache = _local.__dict__.setdefault("taggers", {})
    path = model_path(name)
    key = (name, str(path))
    if key not in cache:
        if not path.exists():
            cache[key] = None
        else:
            import pycrfsuite

            t = pycrfsuite.Tagger()
            t.open(str(path))
            cache[key] = t
    return cache[key]


def forget_taggers() -> None:
    """Drop this thread's taggers (after ``make train`` wrote new models)."""
    _local.__dict__.pop("taggers", None)



@lru_cache(maxsize=1)
def models_version() -> str:
    """The first 12 hex digits of the SHA-256 of the shipped models (part of the extractor's version)."""
    h = hashlib.sha256()
    for name in MODEL_FILES:
        path = models_dir() / name
        h.update(path.read_bytes() if path.exists() else b"absent")
    return h.hexdigest()[:12]


def tag(name: str, tokens: list[Token], feats: list[list[str]]) -> tuple[list[Tagged], dict[str, list[float]]]:
    """The spans a model tags with their confidence, and for the entity types of ``CONFIDENCE_LABELS`` the
    probability that each token is part of one (the marginals of its B- and I- labels); ([], {}) without a model."""
    t = tagger(name)
    if t is None or not tokens:
        return [], {}
    labels = t.tag(feats)
    marginals = [t.marginal(lab, i) for i, lab in enumerate(labels)]
    known = set(t.labels())
    probs = {}
    for k in CONFIDENCE_LABELS:
        b, i_ = f"B-{k}", f"I-{k}"
        if b in known and i_ in known:
            probs[k] = [t.marginal(b, i) + t.marginal(i_, i) for i in range(len(tokens))]
    return spans_of(tokens, labels, marginals), probs


def span_probability(tokens: list[Token], probs: list[float], a: int, b: int) -> float:
    """The mean probability of the tokens inside [a, b) (0 when none is)."""
    inside = [probs[i] for i, tok in enumerate(tokens) if tok.start >= a and tok.end <= b]
    return sum(inside) / len(inside) if inside else 0.0
