"""Stable keys: the same real thing, written the same way, gets the same IRI from any report.

A key is an ASCII slug when the folded name is Latin script (``pgm-dgd-2022-2026``, ``casablanca``), and a
short hash of the folded name otherwise (``ar-5c1f0e9b2a7d``): readable where it can be, always a safe IRI
segment, and independent of the report it was read from.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None})
_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def fold(text: str) -> str:
    """Case, accent and Arabic letter-form insensitive form of ``text``, for matching and keys only."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _MARKS.sub("", text).translate(_ARABIC_FOLD)
    return " ".join(text.split())


def stable_key(name: str) -> str:
    folded = fold(name)
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if slug and folded.isascii():
        return slug[:80]
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:12]
    script = "ar" if re.search(r"[\u0600-\u06ff]", folded) else "u"
    return f"{script}-{digest}"
