"""Stable keys: the same real thing, written the same way, gets the same IRI from any report.

A key is an ASCII slug when the folded name is Latin script (``pgm-dgd-2022-2026``, ``casablanca``), and a
short hash of the folded name otherwise (``ar-5c1f0e9b2a7d``): readable where it can be, always a safe IRI
segment, and independent of the report it was read from. Folding is the one the country names and the
extractor match with (ssekg.ontology.lexical.fold), so "Côte d’Ivoire" and "COTE D'IVOIRE" share a key.
"""

from __future__ import annotations

import hashlib
import re

from ssekg.ontology.lexical import fold


def stable_key(name: str) -> str:
    folded = fold(name)
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if slug and folded.isascii():
        return slug[:80]
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:12]
    script = "ar" if re.search(r"[\u0600-\u06ff]", folded) else "u"
    return f"{script}-{digest}"
