"""A lexer of SPARQL text: the terminals of the SPARQL 1.1 grammar (§19.8), read the way Oxigraph reads them.

Deciding what a query may do (call a SERVICE, LOAD a document) starts with knowing which of its characters are
code and which sit inside an IRI, a string or a comment. A scanner that guesses is a way around the check: the
prefixed name ``ex:a\\#b`` is one token to the engine (``\\#`` is a local-name escape) but a comment to a scanner
that does not know the escape, and whatever follows it on the line was then run unchecked. This lexer follows the
grammar's terminals exactly and **refuses** what it cannot classify (a backslash outside a string, an IRI or a
local name; an unterminated string; a character no terminal starts with), so a text it accepts is split the way
the engine splits it. It does not parse: that is rdflib's job where a parse is needed (``ssekg.outbound``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple, NoReturn


class LexError(ValueError):
    """Text that is not a sequence of SPARQL terminals."""


class Token(NamedTuple):
    kind: str  # word, iri, pname, var, bnode, string, number, langtag, punct, brace, semi
    value: str  # words upper-cased; IRIs without <>; strings with their quotes; pnames as written
    pos: int
    depth: int  # braces open before the token (``{``/``}`` carry the depth outside them)


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|' + _UCHAR + r")*>")
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PN_PREFIX = re.compile(f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
PN_LOCAL = re.compile(
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
VARNAME = re.compile(f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
BNODE = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)")
#: Keywords and built-in function names: letters only (``a`` included); a following ``:`` makes a prefixed name.
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ECHAR = set("tbnrf\"'\\")
_UCHAR_RE = re.compile(_UCHAR)
#: Operators and delimiters, longest first (``<<``/``>>``/``{|``/``|}``/``~`` are SPARQL 1.2's).
_PUNCT = ("^^", "&&", "||", "!=", "<=", ">=", "<<", ">>", "{|", "|}", "(", ")", "[", "]", ",", ".", "*", "+",
          "-", "/", "!", "=", "<", ">", "^", "|", "?", "~")
_OPEN, _CLOSE = "{([", "})]"


def tokens(text: str) -> Iterator[Token]:
    """The terminals of ``text``, comments and white space left out; LexError where no terminal fits."""
    i, depth, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#":
            j = min([k for k in (text.find("\n", i), text.find("\r", i)) if k >= 0], default=n)
            i = j
            continue
        if c in "'\"":
            j = _string_end(text, i)
            yield Token("string", text[i:j], i, depth)
            i = j
            continue
        if c == "<":
            m = IRIREF.match(text, i)
            if m:
                yield Token("iri", m.group(0)[1:-1], i, depth)
                i = m.end()
                continue
        if c in "?$":
            m = VARNAME.match(text, i + 1)
            if m:
                yield Token("var", m.group(0), i, depth)
                i = m.end()
                continue
            if c == "$":
                _fail(text, i, "a `$` without a variable name")
            yield Token("punct", "?", i, depth)  # a path's "zero or one"
            i += 1
            continue
        if c == "@":
            m = LANGTAG.match(text, i)
            if not m:
                _fail(text, i, "an `@` without a language tag")
            yield Token("langtag", m.group(0), i, depth)
            i = m.end()
            continue
        if text.startswith("_:", i):
            m = BNODE.match(text, i)
            if not m:
                _fail(text, i, "a blank node label without a name")
            yield Token("bnode", m.group(0), i, depth)
            i = m.end()
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            m = NUMBER.match(text, i)
            if m and m.end() > i:
                yield Token("number", m.group(0), i, depth)
                i = m.end()
                continue
        if c == ":" or PN_PREFIX.match(text, i):
            m = PN_PREFIX.match(text, i) if c != ":" else None
            end = m.end() if m else i
            if end < n and text[end] == ":":
                local = PN_LOCAL.match(text, end + 1)
                stop = local.end() if local else end + 1
                yield Token("pname", text[i:stop], i, depth)
                i = stop
                continue
            w = WORD.match(text, i)
            if w and w.end() == end:
                yield Token("word", w.group(0).upper(), i, depth)
                i = end
                continue
            _fail(text, i, "a name that is neither a keyword nor a prefixed name")
        if c in _OPEN or c in _CLOSE:
            if c == "{":
                yield Token("brace", c, i, depth)
                depth += 1
            elif c == "}":
                depth -= 1
                yield Token("brace", c, i, depth)
            else:
                yield Token("punct", c, i, depth)
            i += 1
            continue
        if c == ";":
            yield Token("semi", c, i, depth)
            i += 1
            continue
        for p in _PUNCT:
            if text.startswith(p, i):
                yield Token("punct", p, i, depth)
                i += len(p)
                break
        else:
            _fail(text, i, f"the character {c!r} starts no SPARQL token")


def _string_end(text: str, i: int) -> int:
    """The end of the string literal starting at ``i`` (ECHAR and UCHAR escapes; short strings on one line)."""
    q = text[i]
    long = text.startswith(q * 3, i)
    quote = q * 3 if long else q
    j, n = i + len(quote), len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            if j + 1 < n and text[j + 1] in _ECHAR:
                j += 2
                continue
            m = _UCHAR_RE.match(text, j)
            if m:
                j = m.end()
                continue
            _fail(text, j, "a backslash that starts no escape in a string")
        if text.startswith(quote, j):
            return j + len(quote)
        if not long and c in "\r\n":
            _fail(text, i, "a string that does not end on its line")
        j += 1
    _fail(text, i, "a string that does not end")


def _fail(text: str, i: int, what: str) -> NoReturn:
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    raise LexError(f"line {line}, column {col}: {what}")


def nesting(text: str) -> int:
    """The deepest nesting of ``{ ( [`` outside strings, IRIs and comments (LexError where the text is not SPARQL)."""
    deepest = level = 0
    for t in tokens(text):
        if t.value in ("{", "(", "["):
            level += 1
            deepest = max(deepest, level)
        elif t.value in ("}", ")", "]"):
            level -= 1
    return deepest
