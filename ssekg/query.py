"""Running SPARQL against the store: query files, named queries from queries/, parameters, output formats.

Parameters are bound as RDF terms through Oxigraph's ``substitutions`` (SEP-0007), never pasted into the
query text, so a value carrying SPARQL syntax is only ever a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox




class QueryError(Exception):
    """A query that cannot be found, parsed or bound; the message says which and why."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"  # string | integer | date | iri | country | concept
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)


_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*(?:\(([^)]*)\))?\s*:?\s*(.*)$")


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the ``# title:``, ``# description:`` and ``# param: name (type, default=X): text`` header lines."""
    title, description, params = "", [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        kind, value = match.groups()
        if kind == "title":
            title = value.strip()
        elif kind == "description":
            description.append(value.strip())
        else:
            pm = _PARAM.match(value.strip())
            if not pm:
                raise QueryError(f"queries/{name}.rq: cannot read the param line {line!r}")
            pname, spec, pdesc = pm.groups()
            ptype, default = "string", None
            for part in (spec or "").split(","):
                part = part.strip()
                if part.startswith("default="):
                    default = part[len("default=") :]
                elif part:
                    ptype = part
            params.append(Param(pname, ptype, default, pdesc.strip()))
    return NamedQuery(name, text, title, " ".join(description), tuple(params))


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """Every ``queries/*.rq`` shipped with the package, by name."""
    folder = resources.files("ssekg.queries")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            found[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return found


def bind_param(param: Param, value: str, base: str | None = None) -> Any:
    """A parameter's value as an RDF term; a value that names nothing binds to a term that matches nothing."""
    from .namespaces import DEFAULT_BASE

    base = base or DEFAULT_BASE
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise QueryError(f"parameter {param.name} must be an integer, not {value!r}")
        return ox.Literal(value.strip(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if param.type == "country":
        from ssekg.ontology.countries import resolve_country

        code = resolve_country(value) or "unknown"
        return ox.NamedNode(f"{base}country/{code}")
    if param.type == "iri":
        try:
            return ox.NamedNode(value)
        except ValueError:
            raise QueryError(f"parameter {param.name} must be an IRI, not {value!r}") from None
    return ox.Literal(value)


def resolve_query(source: str | None, expr: str | None, params: tuple[str, ...] | list[str]) -> tuple[str, dict]:
    """The query text and its bindings from the CLI's arguments."""
    pairs = {}
    for item in params:
        if "=" not in item:
            raise QueryError(f"--param takes NAME=VALUE, not {item!r}")
        key, value = item.split("=", 1)
        pairs[key.strip()] = value
    if expr:
        return expr, {ox.Variable(k): ox.Literal(v) for k, v in pairs.items()}
    if not source:
        raise QueryError("give a query file, a named query (see `ssekg queries`) or -e TEXT")
    path = Path(source)
    if path.suffix == ".rq" and path.is_file():
        named = parse_named_query(path.stem, path.read_text(encoding="utf-8"))
    elif source in named_queries():
        named = named_queries()[source]
    else:
        known = ", ".join(named_queries()) or "none"
        raise QueryError(f"no query file or named query {source!r} (named queries: {known})")
    return named.text, bind_params(named, pairs)


def bind_params(named: NamedQuery, pairs: dict[str, str], base: str | None = None) -> dict:
    declared = {p.name: p for p in named.params}
    unknown = set(pairs) - set(declared)
    if unknown:
        raise QueryError(f"{named.name} has no parameter {', '.join(sorted(unknown))}; it takes: {', '.join(declared) or 'none'}")
    bindings = {}
    for param in named.params:
        value = pairs.get(param.name, param.default)
        if value is not None and value != "":
            bindings[ox.Variable(param.name)] = bind_param(param, value, base)
    return bindings


def run_query(store, text: str, bindings: dict | None = None) -> Any:
    """Run ``text`` on the store with our prefixes predeclared; a syntax error becomes a QueryError."""
    try:
        return store.query(text, prefixes=_prefixes(store.base), substitutions=bindings or None)
    except SyntaxError as exc:
        raise QueryError(f"the query does not parse: {exc}") from exc


def _prefixes(base: str) -> dict[str, str]:
    from .namespaces import prefixes_for

    return prefixes_for(base)


_RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


def term_text(term: Any) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)


def write_result(result: Any, fmt: str, out: IO[str]) -> None:
    """Print a query result in one of the CLI's formats."""
    if isinstance(result, ox.QueryTriples):
        out.write(ox.serialize(result, format=ox.RdfFormat.TURTLE).decode("utf-8"))
        return
    if fmt in _RESULT_FORMATS:
        out.write(result.serialize(format=_RESULT_FORMATS[fmt]).decode("utf-8"))
        return
    if isinstance(result, ox.QueryBoolean):
        out.write(("true" if bool(result) else "false") + "\n")
        return
    names = [v.value for v in result.variables]
    rows = [[term_text(row[name]) for name in names] for row in result]
    if fmt == "markdown":
        out.write("| " + " | ".join(names) + " |\n|" + "---|" * len(names) + "\n")
        for row in rows:
            out.write("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |\n")
        return
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    out.write("  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(c.replace("\n", " ").ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
    out.write(f"({len(rows)} rows)\n")



