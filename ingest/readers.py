"""Read a news report (plain text, Markdown or HTML) into its normalised text and metadata (issue 3).

``read_report(path)`` and ``read_report_bytes(data, filename)`` return a :class:`Report`. Its ``text`` is the
normalised text (:func:`ssekg.text.normalise`) that every extracted ``span`` points into.

- Encodings: UTF-8 with or without BOM, UTF-16 with BOM, Windows-1256 (Arabic) and Windows-1252/Latin-1
  (French) are detected; anything else, binary data, an empty file or an over-large file is an InputError.
- HTML: the main content only (trafilatura), without menus, share buttons, comments and related-article lists.
- Markdown: light markup (headings, emphasis, links, images, code fences) is removed; list bullets are kept.
- Metadata: YAML front matter (``---`` … ``---``) at the top of a .txt/.md file, or a sidecar file beside the
  report (``article.txt.meta.yaml``, ``article.meta.yaml`` or ``.json``), or a line of a sources list
  (``ssekg ingest --sources``, ``ingest/sources.py``), with keys ``url``, ``published``, ``publisher``,
  ``language``, ``title``, ``license`` and ``publish_text``. HTML pages also give their own (``<html lang>``, ``<title>``,
  canonical link, publication date).
- The language is detected from the text when no metadata gives it.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ssekg.errors import InputError
from ssekg.text import normalise

__all__ = [
    "MAX_BYTES",
    "MAX_HTML_BYTES",
    "max_bytes",
    "REPORT_SUFFIXES",
    "Report",
    "detect_language",
    "read_report",
    "read_report_bytes",
]

#: File name suffixes read as reports (the rest are cards or unknown).
REPORT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: A report's text is well under this; larger input is rejected rather than parsed.
MAX_BYTES = 4 * 1024 * 1024
#: Web pages carry scripts, styles and inline images around the article: a saved news page of several MB is
#: ordinary, so HTML may be larger (trafilatura keeps only the main content).
MAX_HTML_BYTES = 24 * 1024 * 1024
#: The longest extracted text accepted (code points).
MAX_TEXT = 400_000
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")


@dataclass
class Report:
    """A report's normalised text and what is known about it."""

    text: str
    language: str
    url: str | None = None
    published: str | None = None  # YYYY-MM-DD
    publisher: str | None = None
    title: str | None = None
    source: str = ""
    format: str = "text"  # text | markdown | html
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------- decoding

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with BOM
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(2, len(head) // 200)


def _mixed_words(text: str) -> float:
    """Share of words mixing Arabic and Latin letters, or holding characters typical of a wrong code page."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    bad = 0
    for w in words:
        if _ARABIC_LETTER.search(w) and _LATIN_LETTER.search(w):
            bad += 1
    return bad / len(words)


def _score_single_byte(text: str, codec: str) -> float:
    """Lower is more plausible."""
    score = _mixed_words(text) * 10
    if codec == "cp1252":
        # Arabic read as cp1252 gives runs of Ã…ÿ letters; French gives isolated accented letters.
        runs = re.findall(r"[À-ÿ]{3,}", text)
        score += len(runs) / max(1, len(_WORD.findall(text))) * 10
    letters = max(1, sum(1 for ch in text if ch.isalpha()))
    arabic = len(_ARABIC_LETTER.findall(text)) / letters
    accented = len(re.findall(r"[À-ÿ]", text)) / letters
    if min(arabic, accented) > 0.02:  # Arabic text has next to no accented Latin letters, French none of Arabic
        score += 10
    bad = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t\f")
    return score + bad / max(1, len(text)) * 100


def decode(data: bytes, source: str) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in; InputError when it is not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(source, f"starts as UTF-8 but is not valid UTF-8 (byte {exc.start})",
                             "save the file as UTF-8") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(source, "starts as UTF-16 but cannot be decoded", "save the file as UTF-8") from None
    if _looks_binary(data):
        raise InputError(source, "is not a text file (binary data)",
                         "give a plain text, Markdown or HTML report (UTF-8, Windows-1256 or Windows-1252)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for codec in ("cp1256", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _score_single_byte(text, codec)
        if codec == "cp1256" and len(_ARABIC_LETTER.findall(text)) < len(_LATIN_LETTER.findall(text)):
            score += 0.5  # cp1256 shares cp1252's French letters: without Arabic, cp1252 is meant
        candidates.append((score, codec, text))
    if not candidates:
        raise InputError(source, "cannot be decoded as UTF-8, Windows-1256 or Windows-1252",
                         "save the file as UTF-8")
    candidates.sort(key=lambda c: c[0])
    score, codec, text = candidates[0]
    if score > 3:
        raise InputError(source, "cannot be decoded: its encoding is none of UTF-8, Windows-1256, Windows-1252",
                         "save the file as UTF-8")
    return text, codec


# --------------------------------------------------------------------------------------------- language

_FR_WORDS = set("le la les des du de et est une un pour dans sur par avec au aux ont été qui que ce cette ses "
                "leur leurs sont il elle ils nous vous lors atelier économie sociale solidaire".split())
_EN_WORDS = set("the and of to in is was were for on with by at from that this which have has been "
                "their its are an as will workshop economy social solidarity".split())


def detect_language(text: str) -> str:
    """``ar``, ``fr`` or ``en`` from the letters and the commonest words of ``text``."""
    sample = text[:20000]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(re.findall(r"[A-Za-zÀ-ÿ]", sample))
    if arabic and arabic >= latin * 0.5:
        return "ar"
    words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ']+", sample)]
    fr = sum(1 for w in words if w in _FR_WORDS or w.startswith(("l'", "d'", "qu'")))
    en = sum(1 for w in words if w in _EN_WORDS)
    if fr == en == 0:
        return "ar" if arabic else "en"
    return "fr" if fr > en else "en"


# --------------------------------------------------------------------------------------------- metadata

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KEYS = {
    "url": "url", "source_url": "url", "source": "url", "link": "url", "canonical": "url",
    "published": "published", "date": "published", "publication_date": "published", "datepublished": "published",
    "publisher": "publisher", "site": "publisher", "sitename": "publisher", "source_name": "publisher",
    "language": "language", "lang": "language",
    "title": "title", "headline": "title",
    "license": "license", "licence": "license", "publish_text": "publish_text",
}


def _clean_date(value: Any, source: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return _dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    m = re.match(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", text)
    if m:
        try:
            return _dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            pass
    raise InputError(source, f"the publication date {text!r} is not a date", "write it as YYYY-MM-DD")


def _metadata(raw: Any, source: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(source, "its metadata (front matter or sidecar file) is not a mapping",
                         "write key: value lines (url, published, publisher, language, title)")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = _KEYS.get(str(key).strip().lower().replace("-", "_"))
        if name is None or value in (None, ""):
            continue
        if name == "publish_text":
            out[name] = _flag(value, source)
        else:
            out[name] = _clean_date(value, source) if name == "published" else str(value).strip()
    if "language" in out:
        lang = out["language"].lower().split("-")[0].split("_")[0]
        if not re.fullmatch(r"[a-z]{2,3}", lang):
            raise InputError(source, f"the language {out['language']!r} is not a language code", "write ar, fr or en")
        out["language"] = lang
    return out


def _flag(value: Any, source: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise InputError(source, f"publish_text must be true or false, not {value!r}",
                     "write true only where the report's licence allows republishing its text")


#: Metadata of report files given by a sources list (``ssekg ingest --sources``), by resolved path: read like a
#: sidecar file, and it wins over one (it is what the user named for this run). Set with :func:`use_sources`.
_LISTED: dict[str, dict[str, Any]] = {}


def use_sources(listed: dict[str, dict[str, Any]]) -> None:
    """Read these metadata for these files from now on (an ingest run sets it, in every worker too)."""
    _LISTED.clear()
    _LISTED.update(listed)


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        raw = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        raise InputError(source, f"its front matter is not valid YAML ({exc})", "fix or remove the --- block") from None
    return _metadata(raw, source), text[m.end():]


def sidecar_paths(path: Path) -> list[Path]:
    """Where the metadata of ``path`` may be kept beside it."""
    out = [path.with_name(path.name + s) for s in SIDECAR_SUFFIXES]
    out += [path.with_name(path.stem + s) for s in SIDECAR_SUFFIXES]
    return out


def _read_sidecar(path: Path) -> dict[str, Any]:
    for side in sidecar_paths(path):
        if side.is_file():
            try:
                raw = side.read_text(encoding="utf-8-sig")
                data = json.loads(raw) if side.suffix == ".json" else yaml.safe_load(raw)
            except (OSError, ValueError, yaml.YAMLError) as exc:
                raise InputError(str(side), f"the metadata file cannot be read ({exc})", "fix or remove it") from None
            return _metadata(data, str(side))
    return {}


# --------------------------------------------------------------------------------------------- formats

_MD_RULES = [
    (re.compile(r"^```.*?$", re.M), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.M), ""),
]


def markdown_to_text(text: str) -> str:
    """Plain text of a Markdown report; list bullets and line structure are kept."""
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\n{3,}", "\n\n", text)


def _html_meta(html: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", html, re.I)
    if m:
        out["language"] = m.group(1).lower()
    return out


def html_to_text(html: str, source: str) -> tuple[str, dict[str, Any]]:
    """The main content of an HTML page (trafilatura) and the metadata the page states."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - declared dependency
        raise InputError(source, "reading HTML needs trafilatura", "pip install trafilatura") from None
    meta = _html_meta(html)
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True,
                               include_formatting=False, deduplicate=False, with_metadata=False)
    if not text:
        text = trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
    try:
        doc = trafilatura.extract_metadata(html)
    except Exception:  # noqa: BLE001 - metadata is optional
        doc = None
    if doc is not None:
        for key, attr in (("title", "title"), ("url", "url"), ("publisher", "sitename")):
            value = getattr(doc, attr, None)
            if value:
                out_value: Any = value
                if key == "published":
                    try:
                        out_value = _clean_date(value, source)
                    except InputError:
                        continue
                meta[key] = out_value
    # The publication date only when the page states it in its markup (no guessing from copyright lines).
    try:
        from htmldate import find_date

        date = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - metadata is optional
        date = None
    if date:
        meta["published"] = date
    # list items come out as "- item": keep them as bullets the extractor reads.
    return text, meta


# --------------------------------------------------------------------------------------------- entry points


def _format_of(filename: str, text: str) -> str:
    lower = filename.lower()
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if re.match(r"\s*(<!doctype html|<html)", text[:1000], re.I):
        return "html"
    return "text"


def _first_line_title(text: str) -> str | None:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            if len(line) <= 200 and not line.endswith((".", ":", "،")):
                return line
            return None
    return None


def max_bytes(filename: str) -> int:
    """The largest file read as a report of this kind."""
    return MAX_HTML_BYTES if filename.lower().endswith(HTML_SUFFIXES) else MAX_BYTES


def read_report_bytes(data: bytes, filename: str, meta: dict[str, Any] | None = None) -> Report:
    """A report from its bytes; ``filename`` tells the format and names it in errors."""
    source = filename
    if not data or not data.strip():
        raise InputError(source, "is empty", "give a report with some text in it")
    limit = max_bytes(filename)
    if len(data) > limit:
        raise InputError(source, f"is too large for a report ({len(data) / 1_048_576:.1f} MiB; the limit is "
                                 f"{limit // 1_048_576} MiB)",
                         "save the article's text alone (or its page without embedded media) and ingest that")
    raw_text, encoding = decode(data, source)
    fmt = _format_of(filename, raw_text)
    info: dict[str, Any] = {}
    if fmt == "html":
        body, info = html_to_text(raw_text, source)
    else:
        info, body = _split_front_matter(raw_text.lstrip("\ufeff"), source)
        if fmt == "markdown":
            body = markdown_to_text(body)
    if meta:
        info.update({k: v for k, v in meta.items() if v})
    text = normalise(body)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    if not text.strip():
        what = "has no main text (only menus, scripts or markup)" if fmt == "html" else "has no text"
        raise InputError(source, what, "give the article's text")
    if len(text) > MAX_TEXT:
        raise InputError(source, f"its text is too long for one report ({len(text)} characters)",
                         "split it into one file per article")
    letters = sum(1 for ch in text[:20000] if ch.isalpha())
    if letters < 20:
        raise InputError(source, "has too little text to be a report", "give the article's text")
    language = info.get("language") or detect_language(text)
    title = info.get("title") or (_first_line_title(text) if fmt != "html" else None)
    return Report(
        text=text,
        language=language,
        url=info.get("url"),
        published=info.get("published"),
        publisher=info.get("publisher"),
        title=title,
        source=source,
        format=fmt,
        encoding=encoding,
        meta=info,
    )


def read_report(path: str | Path) -> Report:
    """A report from a file; metadata from its front matter and a sidecar file (the sidecar wins)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        limit = max_bytes(path.name)
        if size > limit:
            raise InputError(str(path), f"is too large for a report ({size / 1_048_576:.1f} MiB; the limit is "
                                        f"{limit // 1_048_576} MiB)",
                             "save the article's text alone and ingest that")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})", "check the path") from None
    listed = _LISTED.get(str(path.resolve())) if _LISTED else None
    return read_report_bytes(data, str(path), meta={**_read_sidecar(path), **(listed or {})})
