"""Running SPARQL against the store: query files, named queries from queries/, parameters, output formats.

Parameters are bound as RDF terms: ``Store.query`` writes each where its variable stands, serialised by
pyoxigraph (``ssekg.binding``), so a value carrying SPARQL syntax is only ever a value. A named query projects
its parameters (and a sub-select that uses one projects it too), as Oxigraph's ``substitutions`` (SEP-0007)
require; ``run_query`` leaves those constant columns out of the answer. See docs/queries.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pyoxigraph as ox

from .binding import bind_values

#: The types a ``# param:`` line may declare.
PARAM_TYPES = ("string", "integer", "decimal", "date", "iri", "country", "concept")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_FORMS = {4: "gYear", 7: "gYearMonth", 10: "date"}


class QueryError(Exception):
    """A query that cannot be found, parsed or bound; the message says which and why."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"  # string | integer | decimal | date | iri | country | concept
    default: str | None = None
    description: str = ""
    #: for ``concept``: the scheme of a bare notation (challenge, proposal, event-type), or the name of
    #: another parameter whose value names the scheme (``scheme=kind``)
    scheme: str | None = None
    #: for ``string``: the values it may take (``values=any|only``); any other value is refused, not read as "no"
    values: tuple[str, ...] | None = None

    @property
    def optional(self) -> bool:
        """An optional parameter (its description starts with ``optional:``): by the named queries' convention
        (docs/queries.md) only compared, never matched by a pattern, so it is unbound everywhere when not given."""
        return self.description.startswith("optional:")


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
            ptype, default, scheme, values = "string", None, None, None
            for part in (spec or "").split(","):
                part = part.strip()
                if part.startswith("default="):
                    default = part[len("default=") :]
                elif part.startswith("scheme="):
                    scheme = part[len("scheme=") :]
                elif part.startswith("values="):
                    values = tuple(part[len("values=") :].split("|"))
                elif part:
                    ptype = part
            if ptype not in PARAM_TYPES:
                raise QueryError(f"queries/{name}.rq: parameter {pname} has the unknown type {ptype!r} ({', '.join(PARAM_TYPES)})")
            params.append(Param(pname, ptype, default, pdesc.strip(), scheme, values))
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


def bind_param(param: Param, value: str, base: str | None = None, scheme: str | None = None) -> Any:
    """A parameter's value as an RDF term; a value that names nothing binds to a term that matches nothing.

    ``string`` gives a plain literal; ``integer`` an ``xsd:integer``, ``decimal`` an ``xsd:decimal`` (anything
    else is refused); ``date`` an
    ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` by its form (YYYY-MM-DD, YYYY-MM, YYYY; anything else is
    refused); ``iri`` a named node; ``country`` the country's IRI from an ISO code or a name in ar, fr or en;
    ``concept`` a concept's IRI from a full IRI, ``scheme/notation`` or a bare notation of ``scheme``.
    """
    from .namespaces import DEFAULT_BASE

    base = base or DEFAULT_BASE
    value = str(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise QueryError(f"parameter {param.name} must be an integer, not {value!r}")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(_XSD + "integer"))
    if param.type == "decimal":
        text = value.strip()
        if not re.fullmatch(r"[+-]?(?:\d{1,18}(?:\.\d{0,18})?|\.\d{1,18})", text):
            raise QueryError(f"parameter {param.name} must be a decimal number (0.8), not {value!r}")
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "decimal"))
    if param.type == "date":
        text = value.strip()
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) or not _valid_date(text):
            raise QueryError(f"parameter {param.name} must be a date (YYYY-MM-DD, YYYY-MM or YYYY), not {value!r}")
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + _DATE_FORMS[len(text)]))
    if param.type == "country":
        from ssekg.ontology.countries import resolve_country

        code = resolve_country(value)
        if code is None:
            raise QueryError(f"parameter {param.name}: {value!r} is not a country we know"
                             + _did_you_mean(value, _country_names()) + "; give an ISO code (MA) or a name in ar, fr or en")
        return ox.NamedNode(f"{base}country/{code}")
    if param.type == "concept":
        iri = concept_iri(value, scheme or param.scheme, base)
        known = _concepts(base)
        if known and iri not in known:
            scheme_name = scheme or param.scheme
            notations = sorted(k.rsplit("/", 1)[1] for k in known if scheme_name is None
                               or k.startswith(f"{base}concept/{scheme_name}/"))
            raise QueryError(f"parameter {param.name}: {value!r} is not a category of ours"
                             + _did_you_mean(value.rsplit("/", 1)[-1], notations)
                             + (f"; the categories are: {', '.join(notations)}" if notations else ""))
        return ox.NamedNode(iri)
    if param.type == "iri":
        try:
            return ox.NamedNode(value)
        except ValueError:
            raise QueryError(f"parameter {param.name} must be an IRI, not {value!r}") from None
    if param.values is not None and value not in param.values:
        raise QueryError(f"parameter {param.name} must be one of {', '.join(param.values)}, not {value!r}"
                         + _did_you_mean(value, list(param.values)))
    return ox.Literal(value)


def _did_you_mean(value: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value.strip(), choices, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _country_names() -> list[str]:
    import pycountry

    return sorted({c.name for c in pycountry.countries} | {c.alpha_2 for c in pycountry.countries})


@lru_cache(maxsize=8)
def _concepts(base: str) -> frozenset[str]:
    """Every concept IRI of our schemes under ``base`` (an unknown category is a 400, not an empty table)."""
    from rdflib.namespace import RDF, SKOS

    from ssekg.namespaces import DEFAULT_BASE
    from ssekg.ontology import schemes_graph

    found = {str(c) for c in schemes_graph().subjects(RDF.type, SKOS.Concept)}
    return frozenset(base + c[len(DEFAULT_BASE):] if c.startswith(DEFAULT_BASE) else c for c in found)


def concept_iri(value: str, scheme: str | None, base: str) -> str:
    """The IRI of a concept written as a full IRI, ``scheme/notation`` or a notation of ``scheme``.

    Whatever the text, the result is a valid IRI under ``{base}concept/``: the parts are percent-encoded, so a
    value that is no concept (or carries SPARQL syntax) names a concept that does not exist and matches nothing.
    """
    text = value.strip()
    if text.startswith(("http://", "https://")):
        try:
            return ox.NamedNode(text).value
        except ValueError:
            pass
    elif "/" in text:
        scheme, text = text.split("/", 1)
    return f"{base}concept/{quote(scheme or 'unknown', safe='')}/{quote(text, safe='')}"


def _valid_date(text: str) -> bool:
    import datetime

    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


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


def bind_params(named: NamedQuery, pairs: dict[str, Any], base: str | None = None) -> dict:
    """The substitutions of a named query: each given value, or the parameter's default, as an RDF term.

    A parameter left without a value stays unbound (the query then ignores it, see docs/queries.md).
    """
    declared = {p.name: p for p in named.params}
    unknown = set(pairs) - set(declared)
    if unknown:
        raise QueryError(f"{named.name} has no parameter {', '.join(sorted(unknown))}; it takes: {', '.join(declared) or 'none'}")
    values = {}
    for param in named.params:
        value = pairs.get(param.name, param.default)
        if value is not None and str(value) != "":
            values[param.name] = str(value)
    bindings = {}
    for param in named.params:
        if param.name in values:
            scheme = param.scheme
            if scheme in declared:  # scheme=kind: the scheme is another parameter's value
                scheme = values.get(scheme)
            bindings[ox.Variable(param.name)] = bind_param(param, values[param.name], base, scheme)
    return bindings


def run_named(store, name: str, params: dict[str, Any] | None = None) -> Any:
    """Run the named query ``name`` (queries/NAME.rq) with ``params`` (name -> text) bound as values.

    Where the store's comparison cube answers it (:func:`text_for`), the cube is read instead of the statements.
    """
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r} (named queries: {', '.join(queries) or 'none'})")
    named = queries[name]
    bindings = bind_params(named, dict(params or {}), store.base)
    return run_query(store, text_for(store, named, bindings)[0], bindings)


@lru_cache(maxsize=None)
def _cube_body(name: str) -> str | None:
    entry = resources.files("ssekg.queries").joinpath("cube").joinpath(name + ".rq")
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


def cube_text(named: NamedQuery, bindings: Mapping[Any, Any] | None = None) -> str | None:
    """The named query over the comparison cube (``queries/cube/NAME.rq`` under the named query's own header, so
    its parameters and columns are the same), or None: no such file, or a binding the cube does not count (a
    minimum confidence outside 0–1: the cube's levels are clamped to that range; a year and an event type together:
    the cube counts by one or the other)."""
    body = _cube_body(named.name)
    if body is None:
        return None
    bound = _by_name(bindings)
    given = set(bound)
    if "minConfidence" in bound:
        try:
            value = Decimal(bound["minConfidence"].value)
        except (InvalidOperation, AttributeError):
            return None
        if not (0 <= value <= 1):
            return None
    if given & {"from", "to"} and "eventType" in given:  # the cube has no grain by year and type (ssekg.cube.GRAINS)
        return None
    header = []
    for line in named.text.splitlines(keepends=True):
        if not line.startswith("#") and line.strip():
            break
        header.append(line)
    from . import cube

    by_year, by_type = bool(given & {"from", "to"}), "eventType" in given
    lines = []
    for line in body.splitlines(keepends=True):
        text = line.rstrip("\n")
        if text.endswith(("#~by-year", "#~by-type", "#~sliced")):
            if ((by_year and text.endswith("#~by-year")) or (by_type and text.endswith("#~by-type"))
                    or ((by_year or by_type) and text.endswith("#~sliced"))):
                lines.append(text.rsplit("#~", 1)[0].rstrip() + "\n")
        else:
            lines.append(line)
    # the dataset, a constant (the store then reads that dataset only; chosen in the query, it read them all)
    structure = cube.structure_for(named.name, by_year=by_year, by_type=by_type)
    return bind_values("".join(header) + "".join(lines), {ox.Variable("structure"): structure})


def _by_name(bindings: Mapping[Any, Any] | None) -> dict[str, Any]:
    """Bindings by variable name (keys may be ``ox.Variable`` or ``?name`` text)."""
    return {(var.value if isinstance(var, ox.Variable) else str(var).lstrip("?$")): term
            for var, term in (bindings or {}).items()}


def text_for(store: Any, named: NamedQuery, bindings: Mapping[Any, Any] | None = None) -> tuple[str, str]:
    """The text to run for ``named`` on ``store`` and what it reads: ``("…", "cube")`` when the store's comparison
    cube is usable and answers this query with these bindings (ssekg.cube), else the named query's own text over
    the statements (``"statements"``)."""
    text = cube_text(named, bindings)
    if text is not None:
        from . import cube

        if cube.usable(store):
            return text, "cube"
    return named.text, "statements"


def run_query(store, text: str, bindings: dict | None = None) -> Any:
    """Run ``text`` on the store with our prefixes predeclared; a syntax error becomes a QueryError.

    A named query projects its parameters; their columns (constant: the values given) are left out of the
    answer, which keeps the columns the query's header documents. Parameters are the ``# param:`` lines of
    ``text``.
    """
    try:
        result = store.query(text, prefixes=_prefixes(store.base), substitutions=bindings or None)
    except SyntaxError as exc:
        raise QueryError(f"the query does not parse: {exc}") from exc
    hidden = {p.name for p in parse_named_query("query", text).params} if "# param" in text else set()
    if hidden and isinstance(result, ox.QuerySolutions) and hidden & {v.value for v in result.variables}:
        return _without_columns(result, hidden)
    return result


def _without_columns(result: Any, names: set[str]) -> Any:
    """The same solutions without the columns ``names``, as a pyoxigraph QuerySolutions again."""
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    data["head"]["vars"] = [v for v in data["head"]["vars"] if v not in names]
    data["results"]["bindings"] = [
        {k: v for k, v in row.items() if k not in names} for row in data["results"]["bindings"]
    ]
    return ox.parse_query_results(json.dumps(data).encode("utf-8"), format=ox.QueryResultsFormat.JSON)


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


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """A cell for the terminal: control characters (ESC, NUL, CR…) written as ``\\xNN``, never sent raw. Data is
    hostile: an ESC sequence in a label could rewrite the user's screen. Line breaks become spaces."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("\n", " ")


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
    rows = [[_printable(term_text(row[name])) for name in names] for row in result]
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



