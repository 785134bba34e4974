"""The normalised text of a report: what offsets point into and what a report's key is computed from."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def normalise(text: str) -> str:
    """NFC, no byte-order mark, LF line ends, no white space at line ends, no blank lines at either end.

    Offsets (``sse:charStart``/``sse:charEnd``) are Unicode code points into this string and a report's key is
    the hash of it, so it is computed here and nowhere else. It only drops white space that no reader of the
    report would notice, so the same article saved by two tools gets the same key.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def report_key(normalised_text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the normalised text (data-model.md)."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()[:16]


#: The longest source sentence kept with a fact (a quotation, not a copy of the article).
MAX_SENTENCE = 400
SENTENCE_END = re.compile(r"[.!?؟۔\n]")


def source_sentence(text: str, start: int, end: int) -> tuple[int, str]:
    """(offset, text) of the sentence holding ``text[start:end]``, cut around the span to ``MAX_SENTENCE``.

    One definition for what ingest stores (``sse:sourceSentence``) and what a page marks the fact in."""
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = SENTENCE_END.search(text, end)
    right = right_match.end() if right_match else len(text)
    while left < start and text[left].isspace():
        left += 1
    if right - left > MAX_SENTENCE:
        room = max(0, MAX_SENTENCE - (end - start))
        left = max(left, start - room // 2)
        right = min(right, max(end, left + MAX_SENTENCE))
    return left, text[left:right].rstrip()
