"""Event cards: the curated input format (docs/cards.md, ``ingest/card.schema.json``).

``load_card(path)`` reads a YAML or JSON file and returns a card dict that is valid against the schema and
passes the semantic checks (real calendar dates, spans that end after they start, statements attributed to
one of the event's speakers). Anything else raises :class:`CardError`, an :class:`ssekg.errors.InputError`
that says what is wrong and where, never a traceback.

The YAML accepted is a safe, small subset:

- YAML 1.2 core scalars: only ``true``/``false`` are booleans, so the country code ``NO`` stays ``"NO"``;
  dates such as ``2025-06-14`` stay strings; ``012`` is the integer 12; ``10:30`` is a string.
- no anchors or aliases (``&a``/``*a``: the billion-laughs bomb is refused at its first anchor), no tags
  other than the core ones (``!!str``, ``!!int`` ...), no duplicate keys.
- bounded: the file size, the nesting depth and the number of nodes are limited.
"""

from __future__ import annotations

from copy import deepcopy as _deepcopy
import datetime as _dt
import difflib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import fastjsonschema
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ssekg.errors import InputError

__all__ = [
    "CARD_SUFFIXES",
    "MAX_CARD_BYTES",
    "CardError",
    "card_schema",
    "card_to_text",
    "load_card",
    "parse_card",
]

#: File suffixes read as cards (case-insensitive).
CARD_SUFFIXES = (".yaml", ".yml", ".json")
#: Largest card file read, in bytes.
MAX_CARD_BYTES = 2 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (a valid card needs 6).
MAX_DEPTH = 32
#: Most YAML nodes / JSON values accepted in one card.
MAX_NODES = 20_000
#: Most problems listed in one error message (all are in ``CardError.problems``).
MAX_LISTED = 30

SCHEMA_PATH = Path(__file__).with_name("card.schema.json")

_HINT_FORMAT = "see docs/cards.md for the card format"


@dataclass
class CardError(InputError):
    """A card that cannot be read or is not valid; ``problems`` lists each problem, one line each."""

    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:  # the dataclass would otherwise replace InputError.__str__
        return InputError.__str__(self)


# --------------------------------------------------------------------------------------------- schema


@lru_cache(maxsize=1)
def card_schema() -> dict:
    """The card schema (``ingest/card.schema.json``), parsed once."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    """The schema's validator, built once, over the schema with its ``$ref``s to ``$defs`` inlined.

    Following a ``$ref`` costs jsonschema a lookup in its registry on every use (a third of the time spent
    validating a card); the inlined schema is the same set of dicts without the lookups. The errors are the
    same: an error inside a referenced schema carries that schema (``error.schema``), its keyword and the
    instance path either way, which is all :func:`_describe` reads (the ``$ref`` beside a ``description``
    asserts nothing of its own). ``tests/test_fastshacl.py`` checks the problems are the same as with the
    schema as written.
    """
    schema = card_schema()
    Draft202012Validator.check_schema(schema)
    try:
        inlined = _inlined(schema, schema.get("$defs", {}), ())
    except _Recursive:
        return Draft202012Validator(schema)
    if '"$ref"' in json.dumps(inlined):  # a reference it could not inline: keep the schema as written
        return Draft202012Validator(schema)
    return Draft202012Validator(inlined)


@lru_cache(maxsize=1)
def _reference_validator() -> Draft202012Validator:
    """The validator over the schema as written (for tests: the inlined one must give the same problems)."""
    return Draft202012Validator(card_schema())


@lru_cache(maxsize=1)
def _fast_check() -> Any:
    """The schema compiled to Python by fastjsonschema: a yes/no check, 3× faster than jsonschema's.

    Why two validators: nearly every card is valid, and for those jsonschema's error machinery is pure cost
    (measured on 300 generated cards: reading one took 6.0 ms with jsonschema alone, 3.4 ms with this check
    first). A card the compiled check accepts is taken as valid; any other goes to jsonschema, which decides and
    words the problems. So jsonschema stays the reference; ``tests/test_fastshacl.py`` checks on valid cards,
    edge cases and 3,000 mutated cards that both say the same. fastjsonschema knows
    drafts 4 to 7; the keywords our schema uses mean the same there as in 2020-12 (the test is the proof).
    """
    schema = _as_draft7(dict(_validator().schema))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    # without detailed exceptions (a locals() call per check, a third of the time); fastjsonschema 2.22 cannot
    # compile "const" then (KeyError), hence the one-value "enum" in _as_draft7
    code = fastjsonschema.compile_to_code(schema, use_default=False, use_formats=False, detailed_exceptions=False)
    # The messages still fill in the failing path with ``"...".format(**locals())``, and an anyOf branch that does
    # not match (a name written as a mapping of languages, tried as a string first) fails by raising one: a
    # locals() call for every such value, a fifth of a card's reading. Only yes/no is used here, so the messages
    # keep their placeholders unfilled; the generated checks are unchanged.
    code = code.replace(".format(**locals())", "")
    namespace: dict[str, Any] = {}
    exec(compile(code, "<card schema, compiled by fastjsonschema>", "exec"), namespace)  # noqa: S102 - our code
    return namespace[_FUNCTION.search(code).group(1)]


_FUNCTION = re.compile(r"^def (\w+)\(", re.M)


def _as_draft7(schema: Any) -> Any:
    """The 2020-12 keywords our schema uses, in draft 7's words.

    ``prefixItems: [a, b]`` + ``items: x`` is draft 7's ``items: [a, b]`` + ``additionalItems: x``; ``const: v``
    becomes ``enum: [v]``.
    """
    if isinstance(schema, dict):
        out = {k: _as_draft7(v) for k, v in schema.items() if k not in ("const", "prefixItems")}
        if "prefixItems" in schema:
            out.pop("items", None)
            out["items"] = _as_draft7(schema["prefixItems"])
            if "items" in schema:
                out["additionalItems"] = _as_draft7(schema["items"])
        if "const" in schema:  # fastjsonschema's enum tells true from 1, as JSON Schema does (the test checks)
            out["enum"] = [schema["const"]]
        return out
    if isinstance(schema, list):
        return [_as_draft7(v) for v in schema]
    return schema


def schema_accepts(data: Any) -> bool:
    """True if the compiled check finds ``data`` valid against the card schema."""
    try:
        _fast_check()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


class _Recursive(Exception):
    pass


def _inlined(node: Any, defs: dict, stack: tuple) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and set(node) <= {"$ref", "description"}:
            name = ref[len("#/$defs/"):]
            if name in stack:
                raise _Recursive(name)
            if name in defs and "/" not in name and "~" not in name:
                return _inlined(defs[name], defs, stack + (name,))
        return {k: (v if k in ("const", "enum", "default", "examples") else _inlined(v, defs, stack))
                for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inlined(x, defs, stack) for x in node]
    return node


# ------------------------------------------------------------------------------------------- YAML


class _Refused(yaml.MarkedYAMLError):
    """Something our YAML subset does not accept (an anchor, too deep, too many nodes)."""


_CORE_RESOLVERS = [
    # YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema), in resolution order.
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]


class _CardLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars, no anchors/aliases, no exotic tags, no duplicate keys, bounds."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's signature)
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                None, None,
                "anchors and aliases (&name, *name) are not allowed in a card; write each value out",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(None, None, f"the card has more than {MAX_NODES} values", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(None, None, f"the card is nested more than {MAX_DEPTH} levels deep", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        first = seen[key_node.value].start_mark.line + 1
                        raise yaml.constructor.ConstructorError(
                            None, None,
                            f"duplicate key {key_node.value!r} (first on line {first})",
                            key_node.start_mark,
                        )
                    seen[key_node.value] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_core_int(self, node):  # noqa: ANN001, ANN201
        value = text = str(self.construct_scalar(node))
        try:
            if text.startswith("0o"):
                return int(text[2:], 8)
            if text.startswith("0x"):
                return int(text[2:], 16)
            return int(text, 10)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{value[:40]!r} is not an integer this card format accepts", node.start_mark
            ) from None


for _tag, _regexp, _first in _CORE_RESOLVERS:
    _CardLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)
_CardLoader.add_constructor("tag:yaml.org,2002:int", _CardLoader.construct_core_int)
for _tag in ("timestamp", "binary", "set", "omap", "pairs", "merge", "value"):
    _CardLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _CardLoader.construct_undefined)


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_error(exc: yaml.MarkedYAMLError, source: str) -> CardError:
    mark = exc.problem_mark or exc.context_mark
    where = f"{_at(mark)}: " if mark is not None else ""
    problem = str(exc.problem or exc.context or "not valid YAML")
    if isinstance(exc, _Refused):
        hint = ("a card is a few KiB of plain YAML: one report, its events and their statements"
                if "anchors" not in problem else "a card is plain YAML: mappings, lists and scalars")
        return CardError(source, f"{where}{problem}", hint)
    if isinstance(exc, yaml.constructor.ConstructorError):
        m = re.match(r"could not determine a constructor for the tag '?([^']*)'?", problem)
        if m:
            tag = m.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {tag} is not allowed in a card"
        hint = "keep one of them" if problem.startswith("duplicate key") else "a card is plain YAML: mappings, lists and scalars"
        return CardError(source, f"{where}{problem}", hint)
    context = ""
    if exc.context and exc.problem:
        context = f" ({exc.context}"
        if exc.context_mark is not None and exc.problem_mark is not None and (
            exc.context_mark.line, exc.context_mark.column) != (exc.problem_mark.line, exc.problem_mark.column):
            context += f" that starts at {_at(exc.context_mark)}"
        context += ")"
    return CardError(source, f"YAML syntax error at {where}{problem}{context}",
                     "check the indentation and the quotes there")


if getattr(yaml, "__with_libyaml__", False):

    from yaml.cyaml import CParser as _CParser

    class _CCardLoader(_CParser, _CardLoader):  # type: ignore[misc]
        """libyaml's scanner and parser (C) under our composer and constructor (Python).

        Only the events come from C: composing (with the anchor refusal and the bounds), resolving (YAML 1.2
        core scalars) and constructing are :class:`_CardLoader`'s own code. The C parser's ``get_single_node``
        and friends are bypassed for :class:`yaml.composer.Composer`'s.
        """

        get_single_node = yaml.composer.Composer.get_single_node
        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._depth = 0
            self._nodes = 0

        def dispose(self) -> None:
            _CParser.dispose(self)

    class _CComposedCardLoader(_CParser, _CardLoader):  # type: ignore[misc]
        """libyaml's parser and libyaml's composer (C), under our resolver and constructor (Python).

        Twice as fast as :class:`_CCardLoader` on a card (0.74 against 1.2-1.7 ms), but the C composer neither
        refuses anchors nor counts nodes, and recurses in C. So :func:`_yaml_load` gives it only texts without
        ``&`` and ``*`` (no anchor or alias can be written without them) whose nesting is bounded well below
        what the C stack takes (:func:`_nesting_bound`), and checks the bounds on the result.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def dispose(self) -> None:
            _CParser.dispose(self)
else:  # pragma: no cover - PyYAML without libyaml
    _CCardLoader = _CComposedCardLoader = None  # type: ignore[assignment,misc]

#: deepest nesting the C composer is given (it recurses in C: two frames a level)
_C_NESTING = 1000


def _nesting_bound(text: str) -> int:
    """An upper bound of how deep ``text`` can nest: block nodes nest by indentation or by indicators on one
    line ("- - x", "- key: x"), both bounded by the longest line; flow nodes by their brackets."""
    longest = max(map(len, text.splitlines()), default=0)
    return longest + text.count("[") + text.count("{") + 1


def _within_bounds(data: Any) -> bool:
    """The composer's node count and depth (keys count, as in :meth:`_CardLoader.compose_node`) are in bounds."""
    nodes = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            nodes += len(value)  # the keys, one level down
            if value and depth + 1 > MAX_DEPTH:
                return False
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return nodes <= MAX_NODES

#: texts the C path leaves to the pure-Python one: characters PyYAML's reader refuses, tabs, directives, tags and
#: a block scalar's header run into a comment ("|#", which libyaml reads and PyYAML refuses), where libyaml and
#: PyYAML are known to differ in what they accept
_PYTHON_ONLY = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern + r"|\t|^%|!|[|>][-+0-9]*#", re.M)


def _python_only(text: str) -> bool:
    """True for texts libyaml and PyYAML may read differently (see :data:`_PYTHON_ONLY`); also a '?' where a
    flow collection may be: PyYAML ends a plain scalar at '?' inside [...] or {...} ("[EG, E?]" is refused)
    and libyaml does not (found by tests/test_fastshacl.py's edited cards)."""
    return bool(_PYTHON_ONLY.search(text)) or ("?" in text and ("[" in text or "{" in text))


def _yaml_load(text: str, source: str) -> Any:
    """Parse a card's YAML: with libyaml when it can, and with the pure-Python parser, the reference, otherwise.

    The C path gives the data only when it succeeds; anything it refuses (a syntax error, an anchor, a bound)
    is parsed again by the pure-Python loader, whose error messages and positions are the ones a curator sees.
    """
    if _CCardLoader is not None and not _python_only(text):
        composed_in_c = "&" not in text and "*" not in text and _nesting_bound(text) <= _C_NESTING
        loader = (_CComposedCardLoader if composed_in_c else _CCardLoader)(text)
        try:
            data = loader.get_single_data()
            if not composed_in_c or _within_bounds(data):
                return data
        except Exception:  # noqa: BLE001 - the pure-Python loader below says what is wrong
            pass
        finally:
            loader.dispose()
    return _yaml_load_python(text, source)


def _yaml_load_python(text: str, source: str) -> Any:
    loader = _CardLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError (a control character)
        raise CardError(source, f"not readable as YAML: {exc}", "save the card as plain UTF-8 text") from None
    except RecursionError:
        raise CardError(source, "the card is nested too deeply", _HINT_FORMAT) from None
    finally:
        loader.dispose()


# ------------------------------------------------------------------------------------------- JSON


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_load(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CardError(
            source, f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            "check the commas, quotes and brackets there",
        ) from None
    except _DuplicateKey as exc:
        raise CardError(source, f"duplicate key {exc.args[0]!r} in a JSON object", "keep one of them") from None
    except RecursionError:
        raise CardError(source, "the card is nested too deeply", _HINT_FORMAT) from None
    except ValueError as exc:  # NaN/Infinity, an integer of thousands of digits
        why = "a number has thousands of digits" if "integer string conversion" in str(exc) else str(exc)
        raise CardError(source, f"not valid JSON: {why}", _HINT_FORMAT) from None


# ------------------------------------------------------------------------------------------ loading


def load_card(path: str | Path) -> dict:
    """Read, parse and validate one card file (.yaml, .yml or .json); raise :class:`CardError` if it is not valid."""
    source = str(path)
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in CARD_SUFFIXES:
        raise CardError(source, f"not a card file: the name must end in {', '.join(CARD_SUFFIXES)}",
                        "rename the file, or pass a report to `ssekg extract` instead")
    try:
        if p.is_dir():
            raise CardError(source, "is a directory, not a card file", "pass the card files inside it")
        with p.open("rb") as fh:
            raw = fh.read(MAX_CARD_BYTES + 1)
    except CardError:
        raise
    except FileNotFoundError:
        raise CardError(source, "no such file", "check the path") from None
    except PermissionError:
        raise CardError(source, "cannot be read: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise CardError(source, f"cannot be read: {exc.strerror or exc}", "check the path") from None
    except ValueError:  # e.g. a NUL character in the path
        raise CardError(source, "not a usable file path", "check the path") from None
    if len(raw) > MAX_CARD_BYTES:
        raise CardError(source, f"the file is larger than {MAX_CARD_BYTES // (1024 * 1024)} MiB; a card is a few KiB",
                        "split it into one card per report")
    if not raw:
        raise CardError(source, "the file is empty", _HINT_FORMAT)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4].hex(" ")
        raise CardError(
            source,
            f"not UTF-8: the byte at offset {exc.start} (line {line}) cannot be decoded (bytes {bad} …)",
            "save the card as UTF-8 (it may be in Windows-1256, Latin-1 or another legacy encoding)",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise CardError(source, "the file holds only whitespace", _HINT_FORMAT)
    data = _json_load(text, source) if suffix == ".json" else _yaml_load(text, source)
    if data is None:
        raise CardError(source, "the file holds no card (only comments or an empty document)", _HINT_FORMAT)
    return parse_card(data, source, copy=False)


# ---------------------------------------------------------------------------------------- validating


def parse_card(data: Any, source: str, *, copy: bool = True) -> dict:
    """Validate an already-parsed card; return a normalised deep copy or raise :class:`CardError`.

    Normalisation: a year written as a number (``start: 2022``) becomes the string ``"2022"``; a span's
    offsets become ``int``. Nothing else changes. ``copy=False`` normalises ``data`` in place (for
    :func:`load_card`, whose freshly parsed data nobody else holds: the copy was a tenth of reading a card).
    """
    if not isinstance(data, dict):
        raise CardError(source, f"a card is a mapping (key: value …) at the top level, but this is {_kind(data)}",
                        _HINT_FORMAT, [f"(top level): must be a mapping, not {_kind(data)}"])
    shape = _check_shape(data)
    if shape:
        raise CardError(source, shape, _HINT_FORMAT, [shape])
    problems = list(dict.fromkeys(_schema_problems(data)))
    problems += [p for p in _semantic_problems(data) if p not in problems]
    if problems:
        n = len(problems)
        listed = "\n  - ".join(problems[:MAX_LISTED])
        more = f"\n  - … and {n - MAX_LISTED} more" if n > MAX_LISTED else ""
        head = "1 problem" if n == 1 else f"{n} problems"
        raise CardError(source, f"not a valid card ({head}):\n  - {listed}{more}", _HINT_FORMAT, problems)
    return _normalised(data, copy)


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _check_shape(data: dict) -> str | None:
    """JSON-like values only, string keys, bounded depth and size (iterative: no recursion on hostile input)."""
    # where a value sits is kept as a chain (parent's chain, key) and written out only for the message
    stack: list[tuple[Any, Any, int]] = [(data, None, 1)]
    nodes = 0
    while stack:
        value, where, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"the card has more than {MAX_NODES} values"
        if depth > MAX_DEPTH:
            return f"{_where(where)}: nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            if not _encodable(value):
                return f"{_where(where)}: the text holds an unpaired surrogate (a broken \\u escape)"
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"{_where(where)}: keys must be text, not {_kind(key)} ({str(key)[:40]})"
                if not _encodable(key):
                    return f"{_where(where)}: a key holds an unpaired surrogate (a broken \\u escape)"
                stack.append((item, (where, key), depth + 1))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                stack.append((item, (where, i), depth + 1))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
            return f"{_where(where)}: a number too large for a card (more than 18 digits)"
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            return f"{_where(where)}: {_kind(value)} is not a value a card can hold"
    return None


def _where(chain: Any) -> str:
    parts = []
    while chain is not None:
        chain, key = chain
        parts.append(key)
    return _path(reversed(parts)) or "(top level)"


_MAX_INT = 10**18 - 1


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = str(key)
    name = key if _IDENT.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{name}" if path else name


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out = _join(out, part)
    return out


def _schema_problems(data: dict) -> Iterator[str]:
    if schema_accepts(data):
        return
    for error in _validator().iter_errors(data):
        yield from _describe(error)


def _type_of(instance: Any) -> str:
    if isinstance(instance, bool):
        return "boolean"
    if isinstance(instance, int):
        return "integer"
    if isinstance(instance, float):
        return "integer" if instance.is_integer() else "number"
    return {str: "string", dict: "object", list: "array"}.get(type(instance), "null")


def _resolve(schema: Any) -> Any:
    while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/$defs/"):
        schema = card_schema()["$defs"].get(schema["$ref"][len("#/$defs/") :])
    return schema


def _branch_types(schema: Any) -> set[str]:
    schema = _resolve(schema)
    if not isinstance(schema, dict):
        return set()
    if "anyOf" in schema:
        return set().union(*(_branch_types(s) for s in schema["anyOf"]))
    t = schema.get("type")
    return {t} if isinstance(t, str) else set(t or ())


def _pick_branch(branches: list[int], options: list[Any], instance: Any) -> int | None:
    """Which of several allowed shapes the author most likely meant, or None."""
    if len(branches) == 1:
        return branches[0]
    if isinstance(instance, dict):
        # {name: …, country: …} means the structured form; other keys mean a language → text mapping.
        structured = [i for i in branches if set(_resolve(options[i]).get("properties", {})) & set(instance)]
        plain = [i for i in branches if "properties" not in _resolve(options[i])]
        chosen = structured or plain
        if len(chosen) == 1:
            return chosen[0]
    return None


def _describe(error: ValidationError, title: str | None = None) -> Iterator[str]:
    """Plain words for one schema error, with the JSON path of the value at fault."""
    where = _path(error.absolute_path)
    at = where or "(top level)"
    kw, inst, sch = error.validator, error.instance, error.schema
    title = sch.get("title") or title
    if kw == "anyOf":
        # Several shapes are allowed; if one of them is clearly meant, explain what is wrong inside it.
        options = list(error.validator_value)
        t = _type_of(inst)
        chosen = _pick_branch([i for i, s in enumerate(options) if t in _branch_types(s)], options, inst)
        if chosen is not None:
            inner = [e for e in (error.context or []) if e.schema_path and e.schema_path[0] == chosen]
            if inner:
                for e in inner:
                    yield from _describe(e, title if len(error.absolute_path) == len(e.absolute_path) else None)
                return
        yield f"{at}: must be {title or 'one of the allowed forms'}, not {_kind(inst)}"
    elif kw == "required":
        # jsonschema reports each missing name separately; the caller drops the repeats.
        for name in error.validator_value:
            if isinstance(inst, dict) and name not in inst:
                yield f"{_join(where, name)}: required"
    elif kw == "additionalProperties":
        known = list(sch.get("properties", {}))
        pattern = re.compile(next(iter(sch.get("patternProperties", {})), r"(?!)"))
        for key in inst:
            if key not in known and not pattern.search(key):
                near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(known)})"
                yield f"{_join(where, key)}: unknown field{hint}"
    elif kw == "type":
        expected = {"string": "a string", "object": "a mapping", "array": "a list", "integer": "an integer",
                    "boolean": "true or false", "number": "a number"}.get(str(error.validator_value), "")
        what = expected if error.validator_value == "object" else (title or expected)
        yield f"{at}: must be {what}, not {_kind(inst)}"
    elif kw == "const":
        yield f"{at}: must be {error.validator_value!r}, not {_short(inst)}"
    elif kw == "pattern":
        yield f"{at}: {_short(inst)} is not {title or 'in the expected form'}"
    elif kw == "propertyNames":
        yield f"{at}: {_short(inst)} is not {_resolve(sch.get('propertyNames', {})).get('title', 'an allowed key')}"
    elif kw in ("minItems", "maxItems", "items", "prefixItems") and (title or "").startswith("a span"):
        yield f"{at}: a span has exactly two offsets [start, end]"
    elif kw == "minLength":
        yield f"{at}: must not be empty" if error.validator_value == 1 else f"{at}: too short"
    elif kw == "maxLength":
        yield f"{at}: too long (at most {error.validator_value} characters)"
    elif kw == "minItems":
        n = error.validator_value
        yield f"{at}: must have at least {n} item{'s' if n != 1 else ''}"
    elif kw == "maxItems":
        yield f"{at}: too many items (at most {error.validator_value})"
    elif kw == "minProperties":
        yield f"{at}: must not be empty"
    elif kw == "maxProperties":
        yield f"{at}: too many entries (at most {error.validator_value})"
    elif kw == "minimum":
        yield f"{at}: must be at least {error.validator_value}"
    elif kw == "maximum":
        yield f"{at}: must be at most {error.validator_value}"
    else:  # pragma: no cover - a keyword the schema does not use yet
        yield f"{at}: {error.message}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (str, int, float, bool)) else _kind(value)
    return text if len(text) <= 60 else text[:57] + "…\""


_DATE = re.compile(r"([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?")


def _date_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else None


def _check_date(value: Any, where: str) -> Iterator[str]:
    text = _date_text(value)
    if text is None:
        return
    m = _DATE.fullmatch(text)
    if not m:
        return  # the schema reports it, except for a trailing newline which its pattern also refuses
    if int(m.group(1)) < 1000 and not isinstance(value, int):  # an int year gets the schema's own "at least 1000"
        yield f"{where}: {text} is not a year we can record (years start at 1000)"
        return
    if m.group(3):
        try:
            _dt.date.fromisoformat(text)
        except ValueError:
            yield f"{where}: {text} is not a date in the calendar"


def _check_range(obj: dict, where: str) -> Iterator[str]:
    start, end = _date_text(obj.get("start")), _date_text(obj.get("end"))
    if start and end and _DATE.fullmatch(start) and _DATE.fullmatch(end):
        n = min(len(start), len(end))
        if end[:n] < start[:n]:
            yield f"{_join(where, 'end')}: {end} is before the start, {start}"


def _check_span(span: Any, where: str) -> Iterator[str]:
    if (
        isinstance(span, list) and len(span) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in span)
        and span[1] <= span[0]
    ):
        yield f"{where}: the span ends ({span[1]}) before or where it starts ({span[0]})"


def _spans_outside(events: list, length: int) -> Iterator[str]:
    """Spans past the end of the report's text (when the card carries it): they would mark nothing."""
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        objs = [(f"events[{i}]", event)]
        for kind in ("speakers", "challenges", "proposals", "organisers", "participants", "programmes"):
            items = event.get(kind)
            objs += [(f"events[{i}].{kind}[{j}]", it) for j, it in enumerate(items if isinstance(items, list) else [])]
        for where, obj in objs:
            span = obj.get("span") if isinstance(obj, dict) else None
            if (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                   for x in span) and span[1] > length):
                yield f"{where}.span: the span ends ({span[1]}) after the report's text ({length} characters)"


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _semantic_problems(card: dict) -> Iterator[str]:
    report = card.get("report")
    if isinstance(report, dict):
        yield from _check_date(report.get("published"), "report.published")
    events = card.get("events")
    if not isinstance(events, list):
        return
    no_event = isinstance(report, dict) and report.get("no_event") is True
    if not events and not no_event:
        yield "events: a card needs at least one event (or report.no_event: true, for a report that tells of none)"
    if events and no_event:
        yield "report.no_event: the report is marked as telling of no event, but the card has events"
    text = report.get("text") if isinstance(report, dict) else None
    if isinstance(text, str):
        yield from _spans_outside(events, len(text))
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        ew = f"events[{i}]"
        for key in ("start", "end"):
            yield from _check_date(event.get(key), f"{ew}.{key}")
        yield from _check_range(event, ew)
        yield from _check_span(event.get("span"), f"{ew}.span")
        names: set[str] = set()
        speakers = event.get("speakers")
        for j, speaker in enumerate(speakers if isinstance(speakers, list) else []):
            if isinstance(speaker, dict):
                if isinstance(speaker.get("name"), str):
                    names.add(_fold(speaker["name"]))
                yield from _check_span(speaker.get("span"), f"{ew}.speakers[{j}].span")
        for kind in ("challenges", "proposals"):
            items = event.get(kind)
            for j, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, dict):
                    continue
                sw = f"{ew}.{kind}[{j}]"
                yield from _check_span(item.get("span"), f"{sw}.span")
                who = item.get("speaker")
                if isinstance(who, str) and who.strip() and _fold(who) not in names:
                    yield (f"{sw}.speaker: no speaker of this event is named {who!r}; "
                           f"add them to {ew}.speakers or fix the name")
        programmes = event.get("programmes")
        for j, programme in enumerate(programmes if isinstance(programmes, list) else []):
            if isinstance(programme, dict):
                pw = f"{ew}.programmes[{j}]"
                for key in ("start", "end"):
                    yield from _check_date(programme.get(key), f"{pw}.{key}")
                yield from _check_range(programme, pw)


def _normalised(card: dict, copy: bool = True) -> dict:
    out = _deepcopy(card) if copy else card
    report = out["report"]
    if "published" in report:
        report["published"] = _date_text(report["published"])
    for event in out["events"]:
        for obj in [event, *event.get("programmes", [])]:
            for key in ("start", "end"):
                if key in obj:
                    obj[key] = _date_text(obj[key])
        orgs = [o for key in ("organisers", "participants") for o in event.get(key, []) if isinstance(o, dict)]
        for obj in [event, *event.get("speakers", []), *event.get("challenges", []), *event.get("proposals", []),
                    *event.get("programmes", []), *orgs]:
            if "span" in obj:
                obj["span"] = [int(x) for x in obj["span"]]
    return out


# ------------------------------------------------------------------------------------------- dumping


class _CardDumper(yaml.SafeDumper):
    """Block style, except short lists of scalars (spans, country lists), which read better inline."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = (
        0 < len(data) <= 12
        and all(isinstance(x, (int, float, str)) and not isinstance(x, bool) for x in data)
        and sum(len(str(x)) for x in data) <= 80
        and not any(isinstance(x, str) and ("\n" in x or len(x) > 40) for x in data)
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_CardDumper.add_representer(list, _represent_list)
# Quote any string that either YAML 1.1 (PyYAML's default) or our YAML 1.2 core subset would read as non-text.
for _tag, _regexp, _first in _CORE_RESOLVERS:
    _CardDumper.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def card_to_text(card: dict, fmt: str = "yaml") -> str:
    """Serialise a card as YAML (readable, Unicode kept, key order kept) or JSON; ``load_card`` reads both back."""
    if fmt == "json":
        return json.dumps(card, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(card, Dumper=_CardDumper, allow_unicode=True, sort_keys=False,
                         default_flow_style=False, width=100)
    raise ValueError(f"unknown card format {fmt!r}: use 'yaml' or 'json'")
