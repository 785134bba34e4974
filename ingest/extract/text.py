"""The text of a report as the rules read it: sentences, spans, by-lines and list blocks.

Every fact of a card carries the ``span`` it was read from, as code-point offsets into the report's normalised
text, so the rules work on offsets into ``self.text`` and never on copies of it. A sentence ends at ``.!?؟``
followed by space or a quote, or at a line break, but not after an honorific (``Mme.``, ``Dr.``) or an initial.
By-lines and photo credits (a line that starts with a ``bylines`` word, or ``©``) are excluded regions: no name,
place or claim is read there. Bulleted or numbered lines form list blocks: their items are the challenges and
proposals under a lead-in (``claims.py``), and an event word inside an item starts no event. See
``docs/extraction.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import ARABIC_RE, fold_text, lexicon, matcher

#: A list bullet or number at the start of a line: • - – 1. 1) (1) ١. a) (iv) iv) أ.
_BULLET = re.compile(r"^[ \t]*(?:[*•·▪►●◦‣■□✓✔➢➤→-]|[–—]|\(?\d{1,2}[.)\-–:]|\(?[٠-٩]{1,2}[.)\-–:]|[a-zA-Z][.)]"
                     r"|\((?:[ivx]{1,4}|[IVX]{1,4}|[a-h])\)|(?:[ivx]{1,4})\)|[أبجده][.)-])[ \t]+")
#: A list item longer than this with two sentence ends or more is a paragraph after a dash, not a list line.
_PARAGRAPH = 200
_SENT_END = re.compile(r"(?<=[.!?؟])[\s\"»”']+|\n+")
_ITEM_TRIM = " \t\"'«»“”.,;:،؛-–—*"


@dataclass
class Sentence:
    start: int
    end: int


def _sentences(text: str) -> list[Sentence]:
    out = []
    pos = 0
    honor = {fold_text(h).rstrip(".") for h in lexicon()["honorifics"]}
    for m in _SENT_END.finditer(text):
        if "\n" not in m.group(0):
            prev = re.search(r"(\S+)\.$", text[pos:m.start()])
            if prev and (fold_text(prev.group(1)) in honor or len(prev.group(1)) == 1):
                continue
        if m.start() > pos:
            out.append(Sentence(pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append(Sentence(pos, len(text)))
    return out


def _sentence_at(sents: list[Sentence], pos: int) -> Sentence:
    for s in sents:
        if s.start <= pos < s.end or (pos == s.end):
            return s
    return Sentence(pos, pos)


def _strip_span(text: str, a: int, b: int, chars: str = _ITEM_TRIM) -> tuple[int, int]:
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def _is_arabic(text: str) -> bool:
    return bool(ARABIC_RE.search(text))


class TextMixin:
    """The regions of the text: by-lines and credits (excluded) and list items."""

    def _bylines(self) -> None:
        by = matcher("bylines")
        pos = 0
        for line in self.text.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            stripped = line.strip()
            if not stripped or len(stripped) > 90:
                continue
            m = by.search(self.ft, a, b)
            if m and self.text[a:m.start].strip() in ("", "-", "—", "|", "(", "["):
                self.excluded.append((a, b))
            elif stripped.startswith("©"):
                self.excluded.append((a, b))

    def _in_excluded(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.excluded)

    def _list_blocks(self) -> list[list[tuple[int, int]]]:
        """Runs of bulleted or numbered lines: [(content start, content end)…]."""
        blocks: list[list[tuple[int, int]]] = []
        cur: list[tuple[int, int]] = []
        pos = 0
        gap = 0
        for line in self.text.split("\n"):
            a, b = pos, pos + len(line)
            pos = b + 1
            m = _BULLET.match(line)
            if m and len(line.strip()) > 3:
                s, e = _strip_span(self.text, a + m.end(), b)
                if e > s:
                    cur.append((s, e))
                gap = 0
            elif not line.strip() and cur and gap == 0:
                gap = 1
            else:
                if cur:
                    blocks.append(cur)
                cur = []
                gap = 0
        if cur:
            blocks.append(cur)
        for block in blocks:
            self.items.extend(block)
        # a list item of several sentences over _PARAGRAPH characters is a paragraph after a dash, not a list line
        self.list_lines = [(a, b) for a, b in self.items
                           if not (b - a > _PARAGRAPH and len(_SENT_END.findall(self.text, a, b)) >= 2)]
        return blocks

    def _in_item(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.items)

    def _in_list_line(self, pos: int) -> bool:
        """Whether ``pos`` is in a list item that is a line of a list (a theme, a session, a grantee), not a
        paragraph written after a dash: an item of several sentences tells what happened or will ("– la création
        d’un réseau … Il a été convenu de … La prochaine rencontre aura lieu à Sfax le 15 avril."): its events and
        dates count."""
        return any(a <= pos < b for a, b in self.list_lines)
