"""Lexical normalisation shared by the country resolver, the taxonomy matcher and the mapping's stable keys.

``fold`` makes two spellings of the same name compare equal: it is case-insensitive, accent-insensitive
(Latin diacritics), Arabic-letter-form-insensitive (alef forms, alef maqsura, ta marbuta, hamza carriers,
Persian/Urdu letter variants), drops Arabic tashkeel and tatweel, maps Arabic-Indic digits to ASCII
digits, and reduces punctuation and whitespace to single spaces.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "fold_arabic", "strip_marks"]

# Letter forms folded before decomposition (explicit, so the rule does not depend on NFKD details).
_ARABIC_MAP = str.maketrans(
    {
        "أ": "ا",  # alef with hamza above
        "إ": "ا",  # alef with hamza below
        "آ": "ا",  # alef with madda
        "ٱ": "ا",  # alef wasla
        "ى": "ي",  # alef maqsura -> ya
        "ی": "ي",  # Farsi yeh
        "ے": "ي",  # Urdu yeh barree
        "ة": "ه",  # ta marbuta -> ha
        "ۀ": "ه",
        "ک": "ك",  # Persian keheh -> kaf
        "ؤ": "و",  # hamza on waw
        "ئ": "ي",  # hamza on ya
        "ـ": "",  # tatweel
        "،": ",",  # Arabic comma
        "؛": ";",
        "؟": "?",
        "٪": "%",
        # Latin ligatures and letters NFKD leaves alone
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
    }
)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def strip_marks(text: str) -> str:
    """Remove combining marks (Latin accents, Arabic tashkeel, shadda, sukun, superscript alef…)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Mn")


def fold_arabic(text: str) -> str:
    """Fold Arabic letter forms (alef forms → ا, ى → ي, ة → ه, hamza carriers) and drop tatweel."""
    return text.translate(_ARABIC_MAP)


def _ascii_digits(text: str) -> str:
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            try:
                out.append(str(unicodedata.digit(ch)))
                continue
            except (TypeError, ValueError):
                pass
        out.append(ch)
    return "".join(out)


def fold(text: str | None) -> str:
    """Normalise ``text`` for comparison: the same name written differently folds to the same string.

    >>> fold("Côte d’Ivoire") == fold("COTE D'IVOIRE")
    True
    >>> fold("الأردنّ") == fold("الاردن")
    True
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = fold_arabic(text)
    text = strip_marks(text)
    text = fold_arabic(text)  # NFKD may have produced presentation-form replacements
    text = _ascii_digits(text)
    text = text.casefold()
    text = text.replace("'", " ")
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())
