"""Challenges and proposals as the rules find them: lists under a lead-in, colon lists, claims and enumerations.

These are the rule-based statements; ``statements.py`` holds the learned statement classifier, which reads them
as features and replaces them when its model is shipped. The rules:

- bulleted or numbered lists whose lead-in (the line or two before) holds a ``proposal_leadins`` word (then
  proposals) or a ``challenge_leadins`` word;
- lists after a colon in running prose ("Les défis : le manque de financement, la faible formation…");
- enumerations after a lead-in noun without a colon ("أهم المشكلات تتمثل في X، وY", "the biggest headaches are X,
  Y and Z") or before one ("He identified X and Y as the key bottlenecks", "X reste le principal écueil");
- claims introduced by ``proposal_verbs`` / ``challenge_verbs`` (finite verbs: ``دعا إلى``, ``appelle à``,
  ``called for``…) up to the end of the clause, past their subject.

An enumeration ("X, Y et Z", "X، وY، وZ") is split into its items. See ``docs/extraction.md``.
"""

from __future__ import annotations

import re
from typing import Any

from .lexicon import Folded, fold_text, keyed_matcher, matcher
from .text import _is_arabic, _sentence_at, _strip_span


class ClaimsMixin:
    """The rule-based statements (challenges and proposals) of a report."""

    def _statements(self, blocks: list[list[tuple[int, int]]]) -> list[dict[str, Any]]:
        ch_lead = matcher("challenge_leadins")
        pr_lead = matcher("proposal_leadins")
        out: list[dict[str, Any]] = []
        for block in blocks:
            item_line = self.text.rfind("\n", 0, block[0][0]) + 1
            # the lead-in: the last line before the list (and the one before it when that line is short)
            lead_end = max(0, item_line - 1)
            while lead_end > 0 and self.text[lead_end - 1] == "\n":
                lead_end -= 1
            lead_start = self.text.rfind("\n", 0, lead_end) + 1
            if lead_end - lead_start < 60 and lead_start > 0:
                lead_start = self.text.rfind("\n", 0, lead_start - 1) + 1
            lead = (lead_start, lead_end)
            kind = None
            if pr_lead.search(self.ft, *lead):
                kind = "proposal"
            elif ch_lead.search(self.ft, *lead):
                kind = "challenge"
            if kind is None:
                continue
            for s, e in block:
                out.append({"kind": kind, "span": (s, e), "lead": lead, "origin": "list"})
        # lists in running prose, after a colon: "Les défis : le manque de financement, la faible formation…"
        for s in self.sents:
            colon = self.text.find(":", s.start, s.end)
            if colon < 0 or colon >= s.end - 5 or self._in_item(s.start):
                continue
            lead = (s.start, colon)
            kind = "proposal" if pr_lead.search(self.ft, *lead) else (
                "challenge" if ch_lead.search(self.ft, *lead) else None)
            if kind is None:
                continue
            body = self.text[colon + 1:s.end]
            seps = r"[;؛]" if re.search(r"[;؛]", body) else r"[,،]\s*(?:(?:et|and|و)\s+)?|\s(?:et|and)\s|\sو(?=\S)"
            pieces = []
            pos = colon + 1
            for m in re.finditer(seps, body):
                pieces.append((pos, colon + 1 + m.start()))
                pos = colon + 1 + m.end()
            pieces.append((pos, s.end))
            pieces = [_strip_span(self.text, a, b) for a, b in pieces]
            pieces = [p for p in pieces if p[1] - p[0] >= 8]
            if len(pieces) < 2:
                continue
            for a, b in pieces:
                a2 = a
                m = re.match(r"(?:و|et\s|and\s|ainsi que\s)", self.text[a:b])
                if m:
                    a2 = a + m.end()
                out.append({"kind": kind, "span": _strip_span(self.text, a2, b), "lead": lead, "prose": True,
                            "origin": "colon"})
        # claims in running prose: "دعا إلى …", "appelle à …", "called for …"
        # enumerations after a lead-in noun without a colon: "أهم المشكلات تتمثل في X، وY", "the biggest headaches
        # are X, Y and Z", "Parmi les avenues proposées, retenons X et Y"; and before one: "He identified X and Y as the
        # key bottlenecks", "X reste le principal écueil"
        for st in self._enumerations():
            if not any(st["span"][0] < b and a < st["span"][1] for a, b in [x["span"] for x in out]):
                out.append(dict(st, origin="enumeration"))
        taken = [st["span"] for st in out] + [st["lead"] for st in out if st.get("prose")]
        claim_verbs = {"proposal": matcher("proposal_verbs"), "challenge": matcher("challenge_verbs")}
        all_verbs = sorted([v for k in claim_verbs.values() for v in k.finditer(self.ft)], key=lambda v: v.start)
        leadins = [matcher("challenge_leadins"), matcher("proposal_leadins")]
        for name, kind in (("proposal_verbs", "proposal"), ("challenge_verbs", "challenge")):
            for v in claim_verbs[kind].finditer(self.ft):
                if self._in_item(v.start) or self._in_excluded(v.start):
                    continue
                if any(a <= v.start < b for a, b in taken) or v.start < self.title_end:
                    continue
                s = _sentence_at(self.sents, v.start)
                # a verb in a relative clause of a lead-in ("التحديات التي تواجه", "les défis auxquels font face")
                # opens no claim
                before = fold_text(self.text[max(s.start, v.start - 12):v.start])
                if re.search(r"(?:^|\s)(?:التي|الذي|اللتين|الذين|qui|que|auxquels|auxquelles|that|which)\s*$", before):
                    continue
                rest_end = s.end
                m = re.search(r"[;؛]|[،,]\s*(?:مضيفا|مضيفة|وأكد|وأكدت|et a|and said|ajoutant|adding)",
                              self.text[v.end:s.end])
                if m:
                    rest_end = v.end + m.start()
                # the claim ends where the next claim verb of the sentence starts ("urged X and called for Y")
                nxt = [w for w in all_verbs if v.end < w.start < rest_end]
                if nxt:
                    rest_end = nxt[0].start
                if self.text[v.end:s.end].rstrip().endswith((":", "：")):
                    continue  # a lead-in: its list was read above
                a = self._claim_start(v.end, rest_end)
                a, b = _strip_span(self.text, a, rest_end)
                b = self._strip_tail_conj(a, b)
                if b - a < 12 or self.text[b - 1:b] == ":" or self.text.find(":", a, b) >= 0:
                    continue
                # "تعاني من صعوبات كبيرة", "face many challenges": a lead-in word, not a statement
                if any((lm := li.search(self.ft, a, min(b, a + 30))) is not None and lm.start - a <= 2
                       for li in leadins):
                    continue
                for pa, pb in self._split_enum(a, b):
                    k = kind
                    head = Folded.of(self.text[pa:pa + 25])
                    ch = matcher("challenge_heads").search(head)
                    if ch is not None and ch.start <= 2:
                        k = "challenge"
                    out.append({"kind": k, "span": (pa, pb), "lead": (s.start, v.start), "origin": "claim",
                                "verb": v.term})
        return out

    def _enumerations(self) -> list[dict[str, Any]]:
        ch_lead, pr_lead = matcher("challenge_leadins"), matcher("proposal_leadins")
        cues, everbs = matcher("enumeration_cues"), matcher("enumeration_verbs")
        skip = [matcher("proposal_verbs"), matcher("challenge_verbs")]
        out: list[dict[str, Any]] = []
        for s in self.sents:
            if self._in_item(s.start) or self._in_excluded(s.start) or s.start < self.title_end:
                continue
            found = None
            for kind, lm in (("challenge", ch_lead), ("proposal", pr_lead)):
                for L in lm.finditer(self.ft, s.start, s.end):
                    if any((v := sk.search(self.ft, L.start, L.end + 1)) is not None and v.start == L.start
                           for sk in skip):
                        continue  # a claim verb: read as a claim
                    if self.text.find(":", L.end, s.end) >= 0:
                        continue  # a colon list: read above
                    end = s.end
                    semi = re.search(r"[;؛]", self.text[L.end:s.end])
                    if semi:
                        end = L.end + semi.start()
                    c = next((c for c in cues.finditer(self.ft, L.end, min(end, L.end + 90))), None)
                    start = None
                    if c is not None:
                        start = c.end
                    elif kind == "challenge" and _is_arabic(self.text[L.start:L.end]):
                        h = matcher("challenge_heads").search(self.ft, L.end, min(end, L.end + 80))
                        if h is not None and not re.search(r"[.،,]", self.text[L.end:h.start]):
                            start = h.start
                    if start is None:
                        continue
                    found = (kind, start, end, L.start)
                    break
                if found:
                    break
            if found is None:
                # the lead-in after the enumeration: "identified X, Y and Z as the key bottlenecks",
                # "X reste le principal écueil"
                for kind, lm in (("challenge", ch_lead), ("proposal", pr_lead)):
                    for L in lm.finditer(self.ft, s.start, s.end):
                        pre = self.text[s.start:L.start]
                        m = re.search(r"\s(?:as|comme)\s+(?:(?:the|les|des|de|la|le|a|an|its|their|ses|leurs)\s+)?"
                                      r"(?:[\w'’-]+\s+){0,2}$", pre)
                        if m:
                            v = None
                            for v in everbs.finditer(self.ft, s.start, s.start + m.start()):
                                pass
                            if v is not None:
                                found = (kind, v.end, s.start + m.start(), L.start)
                                break
                        m = re.search(r"\s(?:reste|restent|est|sont|demeure|demeurent|remains|remain|is|are|constitue"
                                      r"|constituent)\s+(?:(?:le|la|les|l'|the|un|une|a|an|our|notre|nos)\s*)?"
                                      r"(?:[\w'’-]+\s+){0,2}$", pre)
                        if m and not self._in_item(L.start):
                            q = s.start + max(pre.rfind(ch, 0, m.start()) for ch in "«“\":") + 1
                            for sv in matcher("speech_verbs").finditer(self.ft, s.start, s.start + m.start()):
                                tail = re.match(r"\s*(?:que|qu'|qu’|that|أن|ان|إن)?\s*",
                                                self.text[sv.end:s.start + m.start()])
                                q = max(q, sv.end + (tail.end() if tail else 0))
                            found = (kind, q, s.start + m.start(), L.start)
                            break
                    if found:
                        break
            if found is None:
                continue
            kind, a, b, lead_at = found
            a = self._claim_start(a, b)
            a, b = _strip_span(self.text, a, b)
            b = self._strip_tail_conj(a, b)
            if b - a < 10:
                continue
            for pa, pb in self._split_enum(a, b):
                out.append({"kind": kind, "span": (pa, pb), "lead": (s.start, lead_at), "prose": True})
        return out

    _LEAD_PREP = re.compile(
        r"\s*(?:(?:(?:إلى|الى|على|عن|من)\s+)|[بل](?=[\u0621-\u064A]{3})"
        r"|(?:(?:à|a|pour|de|for|to|that|que|the|on|upon)\s+)|(?:d'|qu'|d’|qu’))*")

    def _claim_start(self, a: int, b: int) -> int:
        """Where a claim starts after its verb: past the subject (a speaker and their apposition, a surname, a
        collective subject) and a leading preposition."""
        collective = matcher("collective_subjects")
        hon = matcher("honorifics")
        for _ in range(3):
            lm = self._LEAD_PREP.match(self.text, a, b)
            if lm:
                a = lm.end()
            while a < b and self.text[a] in " \t":
                a += 1
            moved = False
            h = hon.search(self.ft, a, min(b, a + 20))
            if h is not None and h.start == a:
                a, moved = h.end, True
            for sp in getattr(self, "speakers_found", []):
                if a <= sp.start <= a + 2:
                    a, moved = max(sp.end, sp.desc_end), True
                    # the rest of an apposition: "خالد المصري، مدير الاتحاد، إلى …", "Jane Doe, head of X, for …"
                    ap = re.match(r"[^،,.]{0,30}[،,]([^،,.]{2,120})[،,]\s*", self.text[a:b])
                    if ap and (matcher("roles").search(Folded.of(ap.group(1)))
                               or matcher("organisations").search(Folded.of(ap.group(1)))):
                        a += ap.end()
                    break
                last = sp.name.split()[-1] if sp.name.split() else ""
                if last and len(last) > 2 and self.text.startswith(last, a) \
                        and not self.text[a + len(last):a + len(last) + 1].isalpha():
                    a, moved = a + len(last), True
                    break
            c = collective.search(self.ft, a, min(b, a + 30))
            if c is not None and c.start <= a + 1:
                a, moved = c.end, True
            if moved:
                # "اقترح المشاركون في ختام الجلسة الأولى إحداث …": jump to the statement's head word
                hm = matcher("proposal_heads").search(self.ft, a, min(b, a + 60)) \
                    or matcher("challenge_heads").search(self.ft, a, min(b, a + 60))
                seg = self.text[a:hm.start] if hm else ""
                if hm and _is_arabic(seg + "ا") and not re.search(r"[،,.]", seg[:-1] if seg else ""):
                    a = hm.start
                while a < b and self.text[a] in " \t،,":
                    a += 1
            else:
                break
        return a

    def _strip_tail_conj(self, a: int, b: int) -> int:
        m = re.search(r"[\s,،]+(?:and|et|و|ainsi que|as well as)$", self.text[a:b])
        return a + m.start() if m else b

    def _split_enum(self, a: int, b: int) -> list[tuple[int, int]]:
        """An enumeration "X, Y et Z" / "X، وY، وZ" as its items; one item when it is not one."""
        text = self.text
        arabic = _is_arabic(text[a:b])
        pieces: list[tuple[int, int]] = []
        pos = a
        for m in re.finditer(r"\s*[;؛]\s*|\s*[،,]\s*", text[a:b]):
            pieces.append((pos, a + m.start()))
            pos = a + m.end()
        pieces.append((pos, b))
        heads = [matcher("challenge_heads"), matcher("proposal_heads")]
        out: list[tuple[int, int]] = []
        for i, (pa, pb) in enumerate(pieces):
            seg = text[pa:pb]
            cut = None
            if arabic:
                # " وقلة …", " وتشتت …": a new item when و prefixes a head word
                for m in re.finditer(r"\sو(?=[\u0621-\u064A])", seg):
                    f = Folded.of(seg[m.end():m.end() + 20])
                    if any((h := hd.search(f)) is not None and h.start == 0 for hd in heads):
                        cut = (m.start(), m.end())
                        break
            else:
                det = r"(?:le|la|les|l'|l’|un|une|des|du|pour|the|a|an|to|for|by)\b"
                pat = rf"\s(?:et|and|ainsi que|as well as)\s+(?={det})" if len(pieces) == 1 \
                    else r"\s(?:et|and|ainsi que|as well as)\s+"
                m = re.search(pat, seg)
                if m and (len(pieces) == 1 or i == len(pieces) - 1):
                    cut = (m.start(), m.end())
            if cut:
                out.append((pa, pa + cut[0]))
                out.append((pa + cut[1], pb))
            else:
                out.append((pa, pb))
        cleaned = []
        for pa, pb in out:
            m = re.match(r"(?:و|ف|مع\s|فضلا عن\s|فضلًا عن\s|إضافة إلى\s|بالإضافة إلى\s|et\s|and\s|ainsi que\s"
                         r"|as well as\s|pour\s|for\s|to\s)\s*", text[pa:pb])
            if m and not (arabic and m.group(0) in ("و", "ف")
                          and not re.match(r"[وف](?=[\u0621-\u064A]{3})", text[pa:pb])):
                pa += m.end()
            pa, pb = _strip_span(text, pa, pb)
            if pb - pa >= 8 and len(text[pa:pb].split()) >= 2:
                cleaned.append((pa, pb))
        if len(cleaned) < 2:
            return [(a, b)]
        return cleaned

    def _substantive(self, a: int, b: int) -> bool:
        """Whether a statement says something: a content word besides dates, days, places and function words.

        Enumerations split by the rules left pieces such as a date adverb or a place phrase ("yesterday
        Monday", "in the capital") as statements; real reports' statements always name a thing or an act.
        """
        masked = list(self.text[a:b])
        spans = [(d.start, d.end) for d in self.dates if a <= d.start < b]
        spans += [(m.start, m.end) for m, _c in self._city_mentions(a, b)]
        spans += [(m.start, m.end) for m in self._country_mentions(a, b)]
        spans += [(m.start, m.end) for name in ("weekdays", "relative_days")
                  for m in keyed_matcher(name).finditer(self.ft, a, b)]
        for s, e in spans:
            for k in range(max(s, a), min(e, b)):
                masked[k - a] = " "
        words = [w for w in re.findall(r"\w+", fold_text("".join(masked))) if len(w) > 2
                 and w not in _FUNCTION_WORDS and not w.isdigit()]
        return len(words) >= 1 and not self._fragment(a, b)

    def _fragment(self, a: int, b: int) -> bool:
        """Whether a short statement is the piece of a sentence a cut at commas left, not a claim.

        Read in the cross-validated misses: a phrase of place, manner or source ("en milieu rural", "selon lui",
        "particulièrement chez les jeunes", "with greater unity", "في هذا السياق"), a bare noun phrase ("les
        femmes", "the government", "notre société"), the sector's own name. The gold's short statements are acts
        and problems ("enhancing infrastructure", "حشد التمويل الخارجي", "dishonest leaders", "en renforçant …").
        """
        words = re.findall(r"\w+", fold_text(self.text[a:b]).lower())
        if not words:
            return True
        first = words[0]
        if len(words) <= 6 and first in _FRAGMENT_OPENERS and not (first == "en" and words[1:2]
                                                                   and words[1].endswith("ant")):
            return True
        if len(words) <= 3 and first in _DETERMINERS and not any(
                a <= s < b for name in ("challenge_heads", "proposal_heads") for s, _ in self.hits[name]):
            return True
        return all(w in _SECTOR_WORDS for w in words)


#: the words a fragment of a sentence starts with (prepositions and adverbs; "en" before a gerund opens a claim)
_FRAGMENT_OPENERS = {fold_text(w).lower() for w in (
    "selon", "chez", "particulièrement", "notamment", "dans", "en", "with", "among", "in", "at",
    "on", "في", "وفي", "منها", "من", "عن", "على")}
_DETERMINERS = {fold_text(w).lower() for w in (
    "the", "our", "their", "its", "les", "la", "le", "l", "notre", "nos", "leur", "leurs", "ce", "cette")}
#: the sector's name in the three languages: a statement of these words alone names the theme, it claims nothing
_SECTOR_WORDS = {fold_text(w).lower() for w in (
    "social", "solidarity", "economy", "and", "the", "économie", "sociale", "et", "solidaire", "l", "ess", "sse",
    "الاقتصاد", "الاجتماعي", "والتضامني", "التضامني", "و")}


_FUNCTION_WORDS = {fold_text(w) for w in (
    "the", "and", "for", "with", "from", "this", "that", "which", "who", "its", "their", "was", "were", "has", "have",
    "les", "des", "une", "pour", "par", "avec", "dans", "sur", "qui", "que", "est", "sont", "aux", "cette", "ces",
    "في", "من", "على", "إلى", "عن", "أن", "التي", "الذي", "مع", "هذا", "هذه", "ذلك", "يوم", "العاصمة", "بالعاصمة",
    "capital", "capitale")}
