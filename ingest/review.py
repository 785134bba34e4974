"""A curator's revisions of extracted cards (issue 16): kept beside the store, each saved as one report write.

The extractor's card of a report, with the report's text its spans point into, is kept as revision 0 in the
review folder (``review_dir``: ``{store}/review`` for the embedded store). A curator's save makes revision
n + 1 of the revision n they opened: the report block (text, address, extractor) is the archived one — a page
cannot change what the spans point into — the events are the curator's, facts they accepted, corrected or added
carry ``curated: true`` and lose their confidence, and ``report.revisions`` gains ``{curator, at}``. The new card
is validated by the same schema and shapes as any card, then written over the report's graphs in one update.

Which revision is current is what the store says (``sse:revisionNumber`` of the report, absent for 0): the
revision file is written before the store and removed again when the store refuses the write, so a crash in
between leaves a file the store does not name, which the next save overwrites. Nothing else decides it, so a
save that started from an older revision than the store's is refused (:class:`Conflict`): two curators never
overwrite each other silently.

Layout: ``{review_dir}/{key[:2]}/{key}/{n}.json``, one card per revision (JSON, the report's text included).
The folder holds the reports' texts: it is the operator's, never published (the graph keeps only each fact's
sentence unless the licence allows more).
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ssekg.errors import InputError

from .cards import CardError, parse_card
from .keys import stable_key
from .mapping import card_key
from .pipeline import Prepared, ShapeError, prepare
from .reference import Reference

#: What a curator's edit may hold: the revision it was made on, the events, and whether the report has none.
EDIT_KEYS = {"revision", "events", "no_event"}
#: The kinds of facts that carry a confidence and can be marked curated.
STATEMENT_KINDS = ("challenges", "proposals")
_KEY = re.compile(r"^[0-9a-f]{16}$")


class Conflict(Exception):
    """The report changed since the curator opened it: another revision was saved in between."""

    def __init__(self, current: int, opened: int):
        super().__init__(f"the report changed since you opened it: you opened revision {opened}, the store holds "
                         f"revision {current}; reload it and make your changes again")
        self.current, self.opened = current, opened


@dataclass
class Rejected(Exception):
    """A revision the schema or the shapes refuse; ``problems`` are ``{path, message}`` with card paths
    (``events[0].challenges[2].category``, or ``""`` for the card as a whole), so a page can show each one
    next to its field. Nothing was stored."""

    problems: list[dict[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{p['path'] or 'card'}: {p['message']}" for p in self.problems)


@dataclass
class Saved:
    revision: int
    card: dict[str, Any]
    prepared: Prepared


# --------------------------------------------------------------------------------------------- the folder


def valid_key(key: str) -> bool:
    """A report key as the mapping makes them (16 lowercase hex digits): nothing else names a path here."""
    return bool(_KEY.match(key))


def revision_path(review_dir: Path, key: str, revision: int) -> Path:
    if not valid_key(key) or revision < 0:
        raise ValueError(f"not a report key: {key!r}")
    return Path(review_dir) / key[:2] / key / f"{int(revision)}.json"


def reviewable(card: dict[str, Any]) -> bool:
    """Only an extracted card with its text can be reviewed: the page shows where each fact was read."""
    report = card.get("report") or {}
    return bool(report.get("text")) and bool(report.get("extractor"))


def archive_card(review_dir: Path | None, card: dict[str, Any], replace_curated: bool = False) -> bool:
    """Keep an extracted card as revision 0 of its report (what ``ssekg ingest`` and ``POST /ingest`` call for
    each report read from a text). A report curators corrected keeps the extraction their revisions were made
    from (the ingest refuses to replace them too), unless ``replace_curated``."""
    if review_dir is None or not reviewable(card):
        return False
    key = card_key(card)
    if not replace_curated and revision_path(review_dir, key, 1).exists():
        return False
    _write_atomically(revision_path(review_dir, key, 0), card)
    return True


def load_revision(review_dir: Path, key: str, revision: int) -> dict[str, Any] | None:
    path = revision_path(review_dir, key, revision)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def archived_keys(review_dir: Path) -> set[str]:
    """The reports that have an archived extraction (revision 0), by key."""
    root = Path(review_dir)
    if not root.is_dir():
        return set()
    return {p.parent.name for p in root.glob("??/*/0.json") if valid_key(p.parent.name)}


def _write_atomically(path: Path, card: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(card, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------- curated work kept


def stored_revisions(store: Any, keys: list[str] | None = None) -> dict[str, int]:
    """The revision the store holds of each report of ``keys`` (every report when None), for those curators saved
    (revision 0, as extracted, is left out): one query a 500 keys, whatever the back end (embedded or remote);
    keys that are not report keys are skipped. What the review page, the ingest's guard and the gold export read."""
    import pyoxigraph as ox

    from ssekg.namespaces import SSE, report_iri

    pattern = f"GRAPH ?r {{ ?r <{SSE.revisionNumber}> ?n }}"
    if keys is None:
        queries = [f"SELECT ?r ?n WHERE {{ {pattern} }}"]
    else:
        nodes = [str(ox.NamedNode(report_iri(store.base, k))) for k in dict.fromkeys(keys) if valid_key(k)]
        # terms written by Oxigraph, of checked keys
        queries = [f"SELECT ?r ?n WHERE {{ VALUES ?r {{ {' '.join(nodes[i:i + 500])} }} {pattern} }}"
                   for i in range(0, len(nodes), 500)]
    prefix = report_iri(store.base, "")
    out: dict[str, int] = {}
    for query in queries:
        for row in store.query(query):
            iri, n = row["r"].value, row["n"].value
            if iri.startswith(prefix) and valid_key(iri[len(prefix):]) and n.isdigit() and int(n) > 0:
                out[iri[len(prefix):]] = int(n)
    return out


def curated_refusal(source: str, key: str, stored: int, incoming: int) -> str:
    """Why a report curators corrected is not replaced by an older revision (its text ingested again, say)."""
    return (f"{source}: report {key} holds revision {stored}, corrected by curators; this is revision {incoming} of it, "
            f"so ingesting it would discard their work: drop the report first (ssekg drop {key}), or ingest with "
            "--replace-curated; nothing was stored")


def card_revision(card: dict[str, Any]) -> int:
    return len((card.get("report") or {}).get("revisions") or [])


# --------------------------------------------------------------------------------------------- an edit


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def apply_edit(opened: dict[str, Any], edit: Any, curator: str, at: str) -> dict[str, Any]:
    """The card a curator's edit makes of the revision they opened (not yet validated).

    The report block is the opened revision's, with the revision appended: an edit cannot change the text, its
    hash or the extractor. A statement's text is the text of its span (the page moves spans, not words). A fact
    marked ``curated`` loses its confidence: a person vouches for it now.
    """
    if not isinstance(edit, dict) or set(edit) - EDIT_KEYS or not isinstance(edit.get("events"), list):
        raise Rejected([{"path": "", "message": "an edit is {revision, events, no_event}: "
                                                "the revision opened, the card's events, and true for no event"}])
    report = copy.deepcopy(opened["report"])
    report["revisions"] = [*report.get("revisions", []), {"curator": curator, "at": at}]
    if edit.get("no_event") is True:
        report["no_event"] = True
    else:
        report.pop("no_event", None)
    events = copy.deepcopy(edit["events"])
    text = report.get("text") or ""
    for event in events:
        if not isinstance(event, dict):
            continue
        for item in _facts(event):
            if item.get("curated") is True:
                item.pop("confidence", None)
        for kind in STATEMENT_KINDS:
            for st in event.get(kind) or []:
                span = st.get("span") if isinstance(st, dict) else None
                if _span_in(span, len(text)):
                    st["text"] = text[span[0]:span[1]]
    card = {"card": 1, "language": opened.get("language") or report["language"], "report": report, "events": events}
    return card


def _facts(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield event
    for key in ("speakers", "challenges", "proposals", "programmes", "organisers", "participants"):
        for item in event.get(key) or []:
            if isinstance(item, dict):
                yield item


def _span_in(span: Any, length: int) -> bool:
    return (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            and 0 <= span[0] < span[1] <= length)


# --------------------------------------------------------------------------------------------- saving


def save_revision(review_dir: Path, key: str, edit: Any, *, curator: str, current: int, reference: Reference,
                  write: Callable[[Prepared], None], at: str | None = None) -> Saved:
    """Validate a curator's edit of revision ``current`` and write it as revision ``current + 1``.

    ``current`` is the revision the store holds now (read by the caller under its write lock); ``write`` puts
    the prepared report into the store in one update. Raises :class:`Conflict` when the edit was made on
    another revision, :class:`Rejected` when the schema or the shapes refuse it (nothing stored), and
    FileNotFoundError when the report has no archived card.
    """
    opened = edit.get("revision") if isinstance(edit, dict) else None
    if not isinstance(opened, int) or isinstance(opened, bool):
        raise Rejected([{"path": "revision", "message": "say which revision you opened (an integer)"}])
    if opened != current:
        raise Conflict(current, opened)
    base = load_revision(review_dir, key, current)
    if base is None:
        raise FileNotFoundError(f"no archived card of report {key} at revision {current}")
    card = apply_edit(base, edit, curator, at or now_utc())
    source = f"report {key}, revision {current + 1}"
    try:
        card = parse_card(card, source)
        prepared = prepare(card, source, reference)
    except ShapeError as exc:
        raise Rejected(shape_problems(card, reference.base, exc.violations)) from None
    except CardError as exc:
        raise Rejected([split_problem(p) for p in exc.problems]) from None
    except InputError as exc:
        raise Rejected([{"path": _path_in(exc.reason), "message": exc.reason}]) from None
    if prepared.key != key:  # the report block is the archived one; this cannot differ unless the file was edited
        raise Rejected([{"path": "", "message": f"the archived card of {key} names report {prepared.key}"}])
    path = revision_path(review_dir, key, current + 1)
    _write_atomically(path, card)
    try:
        write(prepared)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Saved(current + 1, card, prepared)


# --------------------------------------------------------------------------------------------- problems


_CARD_PATH = re.compile(r"^((?:report|events)(?:\[\d+\]|\.[A-Za-z_]+)*)\s*:\s*(.*)$", re.DOTALL)


def split_problem(problem: str) -> dict[str, str]:
    """``events[0].challenges[1].category: … message`` → ``{path, message}``."""
    m = _CARD_PATH.match(problem)
    return {"path": m.group(1), "message": m.group(2)} if m else {"path": "", "message": problem}


def _path_in(reason: str) -> str:
    m = re.search(r"((?:report|events)(?:\[\d+\]|\.[A-Za-z_]+)+)", reason)
    return m.group(1) if m else ""


def node_paths(card: dict[str, Any], base: str) -> dict[str, str]:
    """The card path of each node the mapping makes of a card (events, statements, speakers, organisations,
    programmes, cities), so a shape's result about a node can be shown next to the field it came from."""
    key = card_key(card)
    paths: dict[str, str] = {f"{base}report/{key}": "report"}

    def name_of(value: Any) -> str:
        value = value.get("name") if isinstance(value, dict) and "name" in value else value
        if isinstance(value, dict):
            value = value.get("en") or value.get("fr") or next(iter(value.values()), "")
        return str(value or "")

    for n, event in enumerate(card.get("events") or [], start=1):
        ew = f"events[{n - 1}]"
        paths[f"{base}event/{key}-{n}"] = ew
        for kind, scheme in (("challenges", "challenge"), ("proposals", "proposal")):
            for i, _ in enumerate(event.get(kind) or [], start=1):
                paths[f"{base}{scheme}/{key}-{n}-{i}"] = f"{ew}.{kind}[{i - 1}]"
        for j, sp in enumerate(event.get("speakers") or []):
            paths.setdefault(f"{base}person/{stable_key(name_of(sp.get('name')))}", f"{ew}.speakers[{j}]")
        for field_ in ("organisers", "participants"):
            for j, org in enumerate(event.get(field_) or []):
                paths.setdefault(f"{base}org/{stable_key(name_of(org))}", f"{ew}.{field_}[{j}]")
        for j, prog in enumerate(event.get("programmes") or []):
            paths.setdefault(f"{base}programme/{stable_key(name_of(prog.get('name')))}", f"{ew}.programmes[{j}]")
            if prog.get("funder"):
                paths.setdefault(f"{base}org/{stable_key(name_of(prog['funder']))}", f"{ew}.programmes[{j}].funder")
    publisher = (card.get("report") or {}).get("publisher")
    if publisher:  # the report block is the archived one: a problem there is the report's
        paths.setdefault(f"{base}org/{stable_key(name_of(publisher))}", "report")
    return paths


def shape_problems(card: dict[str, Any], base: str, violations: list[Any]) -> list[dict[str, str]]:
    paths = node_paths(card, base)
    out = []
    for v in violations:
        where = paths.get(v.focus, "")
        if not where and v.focus.startswith(f"{base}city/"):
            where = next((f"events[{i}].city" for i, e in enumerate(card.get("events") or []) if e.get("city")), "")
        detail = f" ({v.path})" if v.path else ""
        out.append({"path": where, "message": f"{v.message}{detail} [{v.shape}]"})
    return out
