"""Binding a query's parameters by writing each value, as one RDF term, where its variable stands.

Both back ends bind this way. A remote store has no pre-binding at all; the embedded one has Oxigraph's
``substitutions`` (SEP-0007), but its planner cannot use a pre-bound value: ``FILTER (?dimension = "speaker")`` in
a UNION branch is evaluated row by row instead of emptying the branch, and an index lookup on a bound country
becomes a scan. Measured on 1,000 reports (bench/README.md): country-profile 3.1 s with substitutions, 1.1 s with
the value written in; events-by-country-year 0.87 → 0.17 s; statements-in-cell 0.35 → 0.10 s.

A value is written by pyoxigraph's N-Triples serialiser (``str(term)``), so it is one IRI or one literal whatever
it holds: it cannot close a string or add syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

SPARQL_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n\r]*"
    r"|\{",
    re.S,
)


_LEX = re.compile(
    r"(?P<skip>" + SPARQL_TOKEN.pattern.replace(r"|\{", "") + r")"
    r"|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<kw>\b(?:SELECT|WHERE|GROUP\s+BY|ORDER\s+BY|HAVING|LIMIT|OFFSET|VALUES|AS)\b)"
    r"|(?P<punct>[(){}])",
    re.S | re.I,
)


def bind_values(query: str, substitutions: Mapping[Any, Any]) -> str:
    """``query`` with each bound variable replaced by its value, as Oxigraph's ``substitutions`` do.

    Oxigraph pre-binds a variable everywhere, subqueries and UNION branches included, so a portable equivalent is to
    write the value where the variable stands: ``term`` in patterns and expressions, ``(term AS ?v)`` in the outer
    SELECT's projection (the variable stays in the results; a subquery's projection drops it); in GROUP BY and ORDER
    BY a constant key is left out when the clause has another key, else written once as ``(term)`` (``(STR(term))``
    for a number, which Virtuoso would read as a column position); a bound column of a ``VALUES`` block is renamed
    and its rows filtered to the value (``FILTER (sameTerm(?col, term))`` after the block). ``AS ?v`` targets are
    left alone. Strings, IRIs and comments are skipped. Each value is an RDF term written by pyoxigraph (``str(term)`` is
    its N-Triples form), so it can only ever be one term: it cannot close a string or add syntax.

    An optional parameter the query declares (``# param: name (…): optional: …``) and that is not given is unbound
    everywhere: it is left out of a subquery's projection and out of that subquery's GROUP BY when it has another
    key. That changes no answer (it is the same unbound key on every row) and spares Virtuoso 7.2, which answered
    some IRIs of a subquery grouped by unbound parameters as internal ids (``iri_id_…_with_no_name_entry``;
    statements-in-cell on 10,000 reports).
    """
    unbound = optional_parameters(query) - {
        (var.value if isinstance(var, ox.Variable) else str(var).lstrip("?$")) for var in (substitutions or {})}
    if not substitutions and not unbound:
        return query
    terms: dict[str, str] = {}
    for var, term in substitutions.items():
        name = var.value if isinstance(var, ox.Variable) else str(var).lstrip("?$")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a variable name: {name!r}")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"a parameter binds to an IRI or a literal, not {term!r}")
        terms[name] = str(term)
    out: list[str] = []
    last = 0
    mode, depth, after_as, selects = "pattern", 0, False, 0
    pending: list[tuple[str, str]] = []
    # GROUP BY / ORDER BY keys that are bound parameters (constants): positions in ``out``, and whether the clause
    # has another key. Virtuoso fails on two constant keys in one clause (SR477, or the server crashes) and reads a
    # number as a column position (SQ200), so constants are dropped when the clause has another key (grouping or
    # ordering by a constant changes nothing), and only the first is kept, as a string, when it has none.
    constants: list[int] = []
    other_key = False
    # GROUP BY keys that are parameters not given (unbound): positions in ``out``; left out when the clause has
    # another key (with none, grouping by them keeps "no rows, no group", so they stay)
    unbound_keys: list[int] = []
    grouping = False
    braces = 0  # { } depth: a GROUP BY at depth 0 is the outer query's, whose projection keeps the parameter

    def end_clause() -> None:
        nonlocal constants, other_key, unbound_keys
        for number, index in enumerate(constants):
            if other_key or number > 0:
                out[index] = ""
            else:
                term = out[index]
                out[index] = f"(STR({term}))" if _NUMERIC_TERM.fullmatch(term) else f"({term})"
        if other_key or constants:
            for index in unbound_keys:
                out[index] = ""
        constants, other_key, unbound_keys = [], False, []

    for match in _LEX.finditer(query):
        out.append(query[last : match.start()])
        last = match.end()
        text = match.group()
        kind = match.lastgroup
        if kind == "kw":
            word = re.sub(r"\s+", " ", text.upper())
            after_as = word == "AS"
            if mode == "modifier" and word != "AS":
                end_clause()
            if word == "SELECT":
                mode, depth, selects = "projection", 0, selects + 1
            elif word in ("GROUP BY", "ORDER BY"):
                mode, depth, grouping = "modifier", 0, word == "GROUP BY"
            elif word == "VALUES":
                mode, pending = "values-head", []
            elif word != "AS":
                mode = "pattern"
            out.append(text)
            continue
        if kind == "punct":
            if mode == "modifier" and text in "{}":
                end_clause()
            braces += {"{": 1, "}": -1}.get(text, 0)
            if mode == "modifier" and text == "(" and depth == 0:
                other_key = True
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
            elif text == "{" and mode == "values-head":
                mode = "values-data"
                out.append(text)
                continue
            elif text == "}" and mode == "values-data":
                # VALUES (?kind ?x) { … } with ?kind bound: the column is renamed and its rows filtered to the value
                out.append(text + "".join(f" FILTER (sameTerm({v}, {t}))" for v, t in pending))
                mode = "pattern"
                continue
            elif text in "{}":
                mode = "pattern"
            out.append(text)
            continue
        if kind == "var" and not after_as and text[1:] in terms:
            term = terms[text[1:]]
            if mode == "values-head":
                fresh = f"?ssekg_bound_{text[1:]}"
                pending.append((fresh, term))
                text = fresh
            elif mode == "projection" and depth == 0:
                # the outer SELECT keeps the variable in its results; a subquery's projection drops it (every use
                # inside is replaced, and projecting it there too would bind it twice in the outer query)
                text = f"({term} AS ?{text[1:]})" if selects == 1 else ""
            elif mode == "modifier" and depth == 0:
                constants.append(len(out))  # written (or dropped) by end_clause
                text = term
            else:
                text = term
        elif kind == "var" and not after_as and text[1:] in unbound and mode == "projection" and depth == 0 \
                and selects > 1:
            text = ""  # a subquery's projection of a parameter not given: unbound whether projected or not
        elif kind == "var" and text[1:] in unbound and mode == "modifier" and depth == 0 and grouping and braces > 0:
            unbound_keys.append(len(out))  # left out (or kept) by end_clause
        elif kind == "var" and mode == "modifier" and depth == 0:
            other_key = True
        after_as = False if kind != "skip" else after_as
        out.append(text)
    if mode == "modifier":
        end_clause()
    out.append(query[last:])
    return "".join(out)


def optional_parameters(query: str) -> set[str]:
    """The optional parameters a named query declares in its header (``# param: name (type…): optional: …``; see
    ``ssekg.query.Param.optional``); none for a text without a readable header. A required parameter not given can be
    a pattern's variable (statements-in-cell without a country lists every country's), so only these are dropped."""
    if not query.lstrip().startswith("#"):
        return set()
    from .query import QueryError, parse_named_query  # here: ssekg.query binds with this module

    try:
        return {param.name for param in parse_named_query("query", query).params if param.optional}
    except QueryError:
        return set()


_NUMERIC_TERM = re.compile(
    r'"[^"\\]*"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:integer|decimal|double|float|long|int|short|byte|'
    r'(?:nonN|n)egativeInteger|(?:nonP|p)ositiveInteger|unsigned(?:Long|Int|Short|Byte))>'
)
