"""What the server must know about a query or update text before running it.

- the hosts its SERVICE clauses call (rdflib's parser finds ServiceGraphPattern nodes; Oxigraph has no algebra
  API), so federated calls go only to allow-listed hosts;
- where to put the USING clauses that the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` ask for
  (pyoxigraph's ``Store.update`` takes no dataset), found by a small tokenizer that skips strings, IRIs and
  comments and tracks brace depth: a top-level ``WHERE`` that follows a DELETE/INSERT template.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class TextError(ValueError):
    """A request the server refuses because of what its text says (400)."""


def tokens(text: str):
    """(kind, value, position, depth) for the tokens that matter: words, IRIs, braces, ';' — skipping the rest."""
    i, depth, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "'\"":
            long = text.startswith(c * 3, i)
            quote = c * 3 if long else c
            j = i + len(quote)
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                j += 1
            i = j + len(quote)
            continue
        if c == "<":
            m = IRIREF.match(text, i)
            if m:
                yield "iri", m.group(0)[1:-1], i, depth
                i = m.end()
                continue
            i += 1
            continue
        if c == "{":
            yield "brace", c, i, depth
            depth += 1
            i += 1
            continue
        if c == "}":
            depth -= 1
            yield "brace", c, i, depth
            i += 1
            continue
        if c == ";" and depth == 0:
            yield "semi", c, i, depth
            i += 1
            continue
        if c in "?$":  # variables: skip the name so it is not taken for a keyword
            m = WORD.match(text, i + 1)
            i = m.end() if m else i + 1
            continue
        m = WORD.match(text, i)
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in ":_")):
            end = m.end()
            if end < n and text[end] == ":":  # a prefixed name, not a keyword
                j = end + 1
                while j < n and (text[j].isalnum() or text[j] in "_-.%\\"):
                    j += 1
                i = j
                continue
            yield "word", m.group(0).upper(), i, depth
            i = end
            continue
        i += 1


def inject_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Add USING / USING NAMED clauses to every DELETE/INSERT … WHERE operation of ``update``.

    Raises TextError if the update names its own dataset (USING or WITH) — the protocol forbids both at once.
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    insert_at: list[int] = []
    modify = False
    previous = None
    for kind, value, pos, depth in tokens(update):
        if depth == 0 and kind == "word":
            if value in {"USING", "WITH"}:
                raise TextError(
                    "the update names its dataset (USING or WITH) and the request gives "
                    "using-graph-uri/using-named-graph-uri: use one or the other"
                )
            if value in {"DELETE", "INSERT"}:
                modify = True
            elif value == "WHERE" and modify:
                if previous != "DELETE":  # DELETE WHERE takes no USING
                    insert_at.append(pos)
                modify = False
            elif value == "DATA":
                modify = False
            previous = value
        elif kind == "semi":
            modify = False
            previous = None
    for pos in reversed(insert_at):
        update = update[:pos] + clause + update[pos:]
    return update


def _walk(node: Any, found: list[Any]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found.append(node.get("term"))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, found)
    elif hasattr(node, "asList") and not isinstance(node, str):
        for value in node.asList():
            _walk(value, found)


def service_targets(text: str, update: bool = False) -> list[str] | None:
    """The IRIs of the SERVICE clauses of a query (or update); None when there is no SERVICE keyword at all.

    A variable SERVICE target is returned as ``?var``. Raises TextError when the text mentions SERVICE but
    rdflib cannot parse it (then the server cannot check where it would call, and refuses).
    """
    if not re.search(r"service", text, re.IGNORECASE):
        return None
    from rdflib.plugins.sparql import parser
    from rdflib.term import URIRef, Variable

    try:
        tree = parser.parseUpdate(text) if update else parser.parseQuery(text)
    except Exception as exc:  # pyparsing errors
        if not any(kind == "word" and value == "SERVICE" for kind, value, _, _ in tokens(text)):
            return None
        raise TextError(f"cannot check the SERVICE clauses of this request: {exc}") from exc
    prologue_prefixes: dict[str, str] = {}
    prologue = tree[0] if not update else tree.get("prologue")
    for item in (prologue or []):
        if getattr(item, "name", None) == "PrefixDecl":
            prologue_prefixes[str(item.prefix or "")] = str(item.iri)
    found: list[Any] = []
    _walk(tree, found)
    targets = []
    for term in found:
        if isinstance(term, Variable):
            targets.append(f"?{term}")
        elif isinstance(term, URIRef):
            targets.append(str(term))
        elif getattr(term, "name", None) == "pname":
            prefix = str(term.get("prefix") or "")
            targets.append(prologue_prefixes.get(prefix, prefix + ":") + str(term.get("localname") or ""))
        else:
            targets.append(str(term))
    return targets


def check_service(text: str, allow: list[str], update: bool = False) -> None:
    """Raise TextError if a SERVICE clause calls a host that is not on the allow-list."""
    targets = service_targets(text, update)
    if not targets:
        return
    allowed = {h.lower() for h in allow}
    for target in targets:
        if target.startswith("?"):
            raise TextError(f"SERVICE {target}: a variable service endpoint cannot be checked against the allow-list")
        host = (urlsplit(target).hostname or "").lower()
        if host not in allowed:
            hint = f"allowed hosts: {', '.join(sorted(allowed))}" if allowed else "no host is allowed (setting service_allow)"
            raise TextError(f"SERVICE <{target}> is refused: {host or target} is not on the allow-list; {hint}")
