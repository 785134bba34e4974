"""The normalised text of a report: what offsets point into and what a report's key is computed from."""

from __future__ import annotations

import hashlib
import unicodedata


def normalise(text: str) -> str:
    """NFC, no byte-order mark, LF line ends.

    Offsets (``sse:charStart``/``sse:charEnd``) are Unicode code points into this string, so it must be
    computed the same way everywhere; it changes no other character so offsets still slice the text as written.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def report_key(normalised_text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the normalised text (data-model.md)."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()[:16]
