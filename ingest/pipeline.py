"""The ingest pipeline: file -> card -> RDF -> SHACL -> OWL RL -> store, one report at a time.

A report that cannot be read, mapped or validated is rejected with its file and reason; it never touches the
store, and the other reports of the run still go in. Each accepted report is written with one all-or-nothing
update (ssekg.store), so stopping a run at any moment leaves only whole reports behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from ssekg.errors import InputError
from ssekg.namespaces import DEFAULT_BASE
from ssekg.store import Store, plain_graph

from .cards import CARD_SUFFIXES, load_card
from .infer import infer
from .mapping import card_key, card_to_triples
from .reference import Reference, ensure_reference, load_reference
from .validate import Problem, validate

#: Suffixes of reports the extractor reads (issue 3); cards are CARD_SUFFIXES.
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


@dataclass
class ShapeError(InputError):
    """A card the shapes reject; ``violations`` keeps each result, so a page can show it next to its field."""

    violations: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:  # the dataclass would otherwise replace InputError.__str__
        return InputError.__str__(self)


@dataclass
class Prepared:
    """One report, mapped, validated and inferred, ready to be written."""

    source: str
    key: str
    asserted: Graph
    inferred: Graph
    problems: list[Problem]


@dataclass
class Outcome:
    """What happened to one input file."""

    source: str
    accepted: bool
    key: str | None = None
    asserted: int = 0
    inferred: int = 0
    problems: list[Problem] = field(default_factory=list)
    reason: str | None = None  # why it was rejected (file, rule, what to do)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "Violation"]


#: Files inside a folder that are not reports: sidecar metadata (report.meta.yaml) and answer cards of the
#: extraction corpus (report.gold.yaml). Named on the command line, they are read like any card.
SKIPPED_IN_FOLDERS = (".meta.", ".gold.")


def expand_paths(paths: Iterable[str | os.PathLike[str]], skipped: list[Path] | None = None) -> Iterator[Path]:
    """Files as given, and the cards and reports inside folders (recursively, in a stable order).

    Files of a folder that are neither (another suffix) are left out and, when ``skipped`` is given, listed
    there, so that the CLI can say so: a folder of .docx files must not look like an empty success.
    """
    suffixes = CARD_SUFFIXES + TEXT_SUFFIXES
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(m in p.name for m in SKIPPED_IN_FOLDERS) or p.name.startswith("."):
                    continue
                if p.suffix.lower() in suffixes:
                    yield p
                elif skipped is not None:
                    skipped.append(p)
        else:
            yield path


#: Where extracted cards are kept for the review page (``review_dir``): set by :func:`keep_extractions`.
_REVIEW_DIR: Path | None = None
_REPLACE_CURATED = False


def keep_extractions(review_dir: str | os.PathLike[str] | None, replace_curated: bool = False) -> None:
    """Keep every card extracted from now on (with its text) as revision 0 of its report in ``review_dir``, for
    curators to review (``ingest/review.py``); None stops. The ingest workers get the parent's folder."""
    global _REVIEW_DIR, _REPLACE_CURATED
    _REVIEW_DIR = Path(review_dir) if review_dir else None
    _REPLACE_CURATED = replace_curated


def read_card(path: Path, review_dir: Path | None = None) -> dict[str, Any]:
    """A card from a card file, or from a report's text by extraction (kept for review, see keep_extractions)."""
    if path.suffix.lower() in CARD_SUFFIXES:
        return load_card(path)
    try:
        from .extract import extract
        from .readers import read_report
    except ImportError:
        raise InputError(
            str(path), "reading report texts needs the extractor, which is not installed", "write an event card"
        ) from None
    card = extract(read_report(path))
    if (review_dir or _REVIEW_DIR) is not None:
        from .review import archive_card

        archive_card(review_dir or _REVIEW_DIR, card, _REPLACE_CURATED)
    return card


def prepare(card: dict[str, Any], source: str, reference: Reference, *, infer_with: Callable | None = None) -> Prepared:
    """Map, validate and infer one card; raises InputError when it must be rejected.

    ``infer_with`` replaces :func:`ingest.infer.infer` (same signature and result), e.g. ingest/fastinfer.py's.
    """
    run = infer_with or infer
    built: list[Graph] = []  # the asserted Graph, built once for the inference and the result

    def infer_graph(asserted: list, *args: Any) -> Graph:
        built.append(_graph(asserted))
        return run(built[0], *args)

    key, asserted, inferred, problems = prepare_triples(card, source, reference, infer_graph)
    return Prepared(source, key, built[0] if built else _graph(asserted), _graph(inferred), problems)


def prepare_triples(
    card: dict[str, Any], source: str, reference: Reference, infer_triples: Callable[..., Iterable]
) -> tuple[str, list, Iterable, list[Problem]]:
    """:func:`prepare` on plain triples: (key, asserted, inferred, problems), no rdflib Graph unless asked.

    ``infer_triples(asserted, tbox, known, base)`` gives the inferred triples (the ingest workers pass
    ``fastinfer.infer_triples``). Raises InputError when the card must be rejected.
    """
    base = reference.base
    asserted = card_to_triples(card, base=base, source=source)
    validation = validate(asserted, reference.for_shapes)
    if not validation.conforms:
        rules = "\n".join(f"  - {p}" for p in validation.violations)
        raise ShapeError(
            source,
            f"rejected by the shapes ({len(validation.violations)} violation(s)):\n{rules}",
            "correct the card (or the extraction) and ingest it again; nothing of it was stored",
            list(validation.violations),
        )
    inferred = infer_triples(asserted, reference.tbox, reference.known, base)
    return card_key(card), asserted, inferred, validation.problems


def _graph(triples: Iterable) -> Graph:
    return triples if isinstance(triples, Graph) else plain_graph(triples)


def write(store: Store, prepared: Prepared) -> Outcome:
    store.replace_report(prepared.key, prepared.asserted, prepared.inferred)
    return Outcome(
        prepared.source,
        True,
        prepared.key,
        len(prepared.asserted),
        len(prepared.inferred),
        prepared.problems,
    )


def ingest_file(store: Store, path: Path, reference: Reference, review_dir: Path | None = None,
                replace_curated: bool = False) -> Outcome:
    source = str(path)
    try:
        card = read_card(path, review_dir)
        prepared = prepare(card, source, reference)
    except InputError as exc:
        return Outcome(source, False, reason=str(exc))
    if not replace_curated:
        from .review import card_revision, curated_refusal, stored_revisions

        stored = stored_revisions(store, [prepared.key]).get(prepared.key, 0)
        if stored > card_revision(card):
            return Outcome(source, False, prepared.key, reason=curated_refusal(source, prepared.key, stored,
                                                                               card_revision(card)))
    return write(store, prepared)


def ingest_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
    replace_curated: bool = False,
) -> list[Outcome]:
    """Ingest every card and report under ``paths`` into ``store``; one Outcome per file, in order. A report
    curators corrected is not replaced by an older revision of it unless ``replace_curated``."""
    reference = load_reference(store.base, store)
    ensure_reference(store, reference)
    outcomes = []
    for path in expand_paths(paths):
        outcome = ingest_file(store, path, reference, replace_curated=replace_curated)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes


def ingest_bytes(store: Store, data: bytes, filename: str, review_dir: Path | None = None) -> Outcome:
    """Ingest one uploaded card or report (the server's POST /ingest); the name's suffix says its kind; a report's
    extracted card is kept in ``review_dir`` for curators (``ingest/review.py``)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in CARD_SUFFIXES + TEXT_SUFFIXES:
        return Outcome(filename, False, reason=f"{filename}: unknown kind of file {suffix or '(no suffix)'!r}")
    reference = load_reference(store.base, store)
    ensure_reference(store, reference)
    with tempfile.TemporaryDirectory(prefix="ssekg-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        outcome = ingest_file(store, path, reference, review_dir)
    outcome.source = filename
    if outcome.reason:
        outcome.reason = outcome.reason.replace(str(path), filename)
    return outcome


def validate_paths(paths: Iterable[str | os.PathLike[str]], base: str = DEFAULT_BASE) -> list[Outcome]:
    """Read, map and validate without a store: what `ssekg validate` reports."""
    reference = load_reference(base)
    outcomes = []
    for path in expand_paths(paths):
        source = str(path)
        try:
            prepared = prepare(read_card(path), source, reference)
        except InputError as exc:
            outcomes.append(Outcome(source, False, reason=str(exc)))
            continue
        outcomes.append(
            Outcome(source, True, prepared.key, len(prepared.asserted), len(prepared.inferred), prepared.problems)
        )
    return outcomes
