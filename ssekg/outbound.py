"""What may leave the machine: one check for every SPARQL text the server or the CLI runs (issue 13).

A SPARQL text reaches the network through ``SERVICE`` (a federated call) and ``LOAD`` (a fetch); a remote store
adds its own ways (Virtuoso's ``DEFINE get:soft`` pragmas and ``bif:``/``sql:`` functions such as ``http_get``).
All of them are off unless the ``outbound_allow`` setting names the host. The check fails closed:

1. A text with no trace of any of them ("service", "load", "define", "bif:", "sql:" nowhere, in any case) cannot
   reach the network and runs: most queries stop here, unparsed.
2. Otherwise the text is split into SPARQL terminals by ``ssekg.sparqllex``, which reads them as the engine does and
   refuses what it cannot classify. ``DEFINE`` pragmas and ``bif:``/``sql:`` names are refused; a ``SERVICE`` or
   ``LOAD`` keyword is refused while nothing is allowed.
3. With hosts allowed, rdflib's SPARQL 1.1 parser must read the text (else it is refused: what cannot be checked
   does not run) and must find as many SERVICE and LOAD clauses as the lexer: a text the two read differently is
   refused. Each target must be an ``http``/``https`` IRI of an allowed host; a variable target is refused.

The depth of ``{ ( [`` is bounded too (``MAX_NESTING``): the engine's parser is recursive, and a few thousand
nested groups crash it. Outbound calls of the embedded store are also blocked below this check, by the operating
system, where it allows (``ssekg.sandbox``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import InputError
from .sparqllex import LexError, Token, nesting, tokens

#: The deepest nesting of groups, brackets and parentheses a text may have (hand-written queries stay below 20).
MAX_NESTING = 64
_WORDS = ("service", "load", "define", "bif:", "sql:")
_TRACE = re.compile("|".join(_WORDS), re.IGNORECASE)
_VENDOR = ("bif:", "sql:")


class Refused(InputError):
    """A SPARQL text that is not run: it would leave the machine, or it cannot be checked (HTTP 400, CLI exit 2)."""

    def __init__(self, reason: str, hint: str = ""):
        super().__init__("query", reason, hint)


def check_text(text: str, update: bool = False, allow: list[str] | tuple[str, ...] = ()) -> None:
    """Raise :class:`Refused` unless ``text`` is safe to hand to the engine: see the module's docstring."""
    _check_nesting(text)
    if not _traces(text):
        return
    try:
        toks = list(tokens(text))
    except LexError as exc:
        raise Refused(f"the text cannot be checked for outbound calls: {exc}",
                      "write it in SPARQL 1.1 syntax") from None
    prefixes = _prefixes(toks)
    for t in toks:
        if t.kind == "word" and t.value == "DEFINE":
            raise Refused("DEFINE pragmas are refused (a store's pragmas can fetch documents)")
        if _vendor(t, prefixes):
            raise Refused(f"{t.value} is refused: a store's built-in functions can reach the network")
    # Oxigraph's grammar matches keywords without word boundaries: ``LOADex:q`` is ``LOAD ex:q`` to it and
    # ``?s ?p trueSERVICE <x> {}`` is ``true SERVICE <x>`` (the fuzzer found the first), while a lexer reads one
    # prefixed name or one word. So a keyword counts wherever it stands inside a word or a prefix name; only what
    # no grammar splits (variables, strings, IRIs, the local part of a prefixed name) is exempt.
    services = [t for t in toks if "SERVICE" in _splittable(t)]
    loads = [t for t in toks if "LOAD" in _splittable(t)]
    if not services and not loads:
        return
    allowed = {h.lower() for h in allow}
    what = "SERVICE" if services else "LOAD"
    if not allowed:
        raise Refused(f"{what} is refused: this server makes no outbound request",
                      "an operator can allow hosts with the setting outbound_allow")
    found_services, found_loads = _parsed_targets(text, update)
    if len(found_services) != len(services) or len(found_loads) != len(loads):
        raise Refused(f"{what} is refused: the check reads this text differently from the engine")
    for target in found_services + found_loads:
        if target.startswith("?"):
            raise Refused(f"{what} {target} is refused: a variable target cannot be checked")
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in allowed:
            raise Refused(f"<{target}> is refused: {host or parts.scheme + ':'} is not an allowed host",
                          f"allowed: {', '.join(sorted(allowed))} (setting outbound_allow)")


def _splittable(t: Token) -> str:
    """The part of a token in which the engine may find a keyword glued to others, upper-cased."""
    if t.kind == "word":
        return t.value
    if t.kind == "pname":
        return t.value.split(":", 1)[0].upper()
    return ""


def _traces(text: str) -> bool:
    """Whether any of the words of step 1 occurs. An ASCII text is lowered and searched (15x faster than the
    regular expression, which dominated a lookup's check); any other goes to the regular expression, whose
    Unicode case-insensitivity also folds letters such as U+017F into ASCII."""
    if text.isascii():
        low = text.lower()
        return any(word in low for word in _WORDS)
    return _TRACE.search(text) is not None


def _check_nesting(text: str) -> None:
    # a cheap upper bound first: brackets inside strings and comments count, so most texts need no lexing
    if sum(text.count(c) for c in "{([") <= MAX_NESTING:
        return
    try:
        deepest = nesting(text)
    except LexError as exc:
        raise Refused(f"the text cannot be checked for its nesting: {exc}", "write it in SPARQL 1.1 syntax") from None
    if deepest > MAX_NESTING:
        raise Refused(f"groups are nested {deepest} deep, more than {MAX_NESTING}",
                      "flatten the query (deep nesting exhausts the parser)")


def _prefixes(toks: list[Token]) -> dict[str, str]:
    out: dict[str, str] = {}
    for a, b, c in zip(toks, toks[1:], toks[2:]):
        if a.kind == "word" and a.value == "PREFIX" and b.kind == "pname" and c.kind == "iri":
            out[b.value.split(":", 1)[0].lower()] = c.value
    return out


def _vendor(t: Token, prefixes: dict[str, str]) -> bool:
    """A name in a store's built-in namespaces (``bif:``, ``sql:``), written out or through a prefix."""
    if t.kind == "iri":
        return t.value.lower().startswith(_VENDOR)
    if t.kind == "pname":
        prefix = t.value.split(":", 1)[0].lower()
        return prefix in ("bif", "sql") or prefixes.get(prefix, "").lower().startswith(_VENDOR)
    return False


def _parsed_targets(text: str, update: bool) -> tuple[list[str], list[str]]:
    """The SERVICE targets and LOAD sources rdflib's parser finds; Refused when it cannot parse the text."""
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseUpdate(text) if update else parser.parseQuery(text)
    except Exception as exc:  # noqa: BLE001 - fail closed: whatever stops the parser stops the text
        # where, not what: the parser's message quotes the text, and an answer never echoes the request
        where = f" at line {exc.lineno}, column {exc.col}" if hasattr(exc, "lineno") and hasattr(exc, "col") else ""
        raise Refused(f"the text cannot be checked for outbound calls: rdflib's SPARQL 1.1 parser cannot read it{where}",
                      "write it in SPARQL 1.1 syntax") from None
    prefixes: dict[str, str] = {}
    services: list[Any] = []
    loads: list[Any] = []
    _walk(tree, services, loads, prefixes)
    return [_iri(t, prefixes) for t in services], [_iri(t, prefixes) for t in loads]


def _walk(node: Any, services: list[Any], loads: list[Any], prefixes: dict[str, str]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "PrefixDecl":
            prefixes[str(node.get("prefix") or "")] = str(node.get("iri"))
        elif node.name == "ServiceGraphPattern":
            services.append(node.get("term"))
        elif node.name == "Load":
            loads.append(node.get("iri"))
        for value in node.values():
            _walk(value, services, loads, prefixes)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, services, loads, prefixes)
    elif hasattr(node, "asList") and not isinstance(node, str):
        for value in node.asList():
            _walk(value, services, loads, prefixes)


def _iri(term: Any, prefixes: dict[str, str]) -> str:
    from rdflib.term import URIRef, Variable

    if isinstance(term, Variable):
        return f"?{term}"
    if isinstance(term, URIRef):
        return str(term)
    if getattr(term, "name", None) == "pname":
        prefix = str(term.get("prefix") or "")
        return prefixes.get(prefix, prefix + ":") + str(term.get("localname") or "")
    return str(term)
