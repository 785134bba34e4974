"""Gold annotations of real reports, kept as offsets: import, load, split and render (issue 12).

The real reports belong to their publishers and stay outside the repository (``../shared/corpus/``); what the
repository keeps of each is our annotation (``corpus/gold/ID.yaml``): every title, name, organisation,
statement and programme as a ``[start, end]`` pair of code-point offsets into the text, plus the text's
SHA-256. :func:`load_gold` turns the offsets back into spans from the text and fails loudly when a text
changed. :func:`import_cards` converts cards written with spans as text (the corpus's first pass, or a card
a curator edited after :func:`render_card`) into that form. ``docs/gold.md`` gives the conventions.

The split is fixed by a hash of the report id, per language: :func:`fold_of`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _in_checkout(*parts: str) -> Path:
    """A path of the checkout: beside this module in an editable install, else under the working directory
    (an installed package has no corpus; ``make train`` and ``make bench-extract`` run from the checkout)."""
    here = ROOT.joinpath(*parts)
    return here if here.exists() else Path.cwd().joinpath(*parts)


#: Where the repository keeps its gold (offsets only).
GOLD_DIR = _in_checkout("corpus", "gold")
#: The salt of the split's hash: changing it would reshuffle the folds, so it never changes.
SPLIT_SALT = "ssekg-split:"
FOLDS = ("train", "dev", "test")
SPAN_LISTS = ("organisations", "organisers", "programmes", "funders")
STATEMENT_KINDS = ("challenges", "proposals")
OPTIONAL_FIELDS = ("title", "speakers", "organisations", "organisers", "challenges", "proposals", "programmes", "funders")


class GoldError(Exception):
    """A gold file that does not fit its text (changed text, span out of range) or cannot be read."""


def corpus_dir() -> Path:
    """The shared corpus of real reports: ``$SSEKG_CORPUS`` or ``../shared/corpus`` beside the repository."""
    env = os.environ.get("SSEKG_CORPUS")
    if env:
        return Path(env)
    beside = ROOT.parent / "shared" / "corpus"
    return beside if beside.exists() else Path.cwd().parent / "shared" / "corpus"


# --------------------------------------------------------------------------------------------- the split


def split_ids(ids_by_language: dict[str, list[str]]) -> dict[str, str]:
    """id → fold: per language, ids ordered by SHA-256 of salt+id; the first 70 % train, the next 15 % dev.

    Cutting by rank rather than by hash value gives each language the same proportions however few reports
    it has; adding reports can move a report across folds, so the folds are frozen in ``corpus/split.tsv``.
    """
    out: dict[str, str] = {}
    for _, ids in sorted(ids_by_language.items()):
        ranked = sorted(ids, key=lambda i: hashlib.sha256((SPLIT_SALT + i).encode()).hexdigest())
        n_train, n_dev = round(len(ranked) * 0.70), round(len(ranked) * 0.15)
        for rank, rid in enumerate(ranked):
            out[rid] = "train" if rank < n_train else "dev" if rank < n_train + n_dev else "test"
    return out


def read_split(gold_dir: Path = GOLD_DIR) -> dict[str, str]:
    """The frozen split (``corpus/split.tsv`` beside the gold folder): id → fold."""
    path = gold_dir.parent / "split.tsv"
    with open(path, encoding="utf-8") as f:
        return {row["id"]: row["fold"] for row in csv.DictReader(f, delimiter="\t")}


def sources(corpus: Path | None = None) -> dict[str, dict[str, str]]:
    """The rows of ``sources-*.tsv`` (id, lang, url, sha256, chars, kind, country, note) by id."""
    corpus = corpus or corpus_dir()
    out: dict[str, dict[str, str]] = {}
    for path in sorted(corpus.glob("sources-*.tsv")):
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                out[row["id"]] = row
    return out


# --------------------------------------------------------------------------------------------- loading


@dataclass
class GoldReport:
    """One report's gold with its text: spans resolved, ``optional`` items kept apart (they are neutral)."""

    id: str
    language: str
    kind: str
    fold: str
    text: str
    path: Path
    published: str | None
    card: dict[str, Any] = field(default_factory=dict)
    #: the file the text was read from (the shared corpus's, or an export's: ``ssekg gold export``)
    text_file: Path | None = None

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.card.get("events") or []

    def span_text(self, span: list[int] | None) -> str | None:
        return None if span is None else self.text[span[0]:span[1]]


def text_path(rid: str, corpus: Path | None = None) -> Path:
    corpus = corpus or corpus_dir()
    return corpus / "reports" / rid[:2] / f"{rid}.txt"


def read_text(path: Path) -> str:
    """The report's text as the extractor sees it (``ssekg.text.normalise``; offsets point into it)."""
    from ssekg.text import normalise

    return normalise(path.read_text(encoding="utf-8"))


def load_gold(path: Path, corpus: Path | None = None) -> GoldReport:
    """One gold file with its text; :class:`GoldError` when the text is missing, changed, or a span is off."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rid = data["id"]
    tpath = text_path(rid, corpus)
    if not tpath.exists():
        raise GoldError(f"{path}: the text {tpath} is missing (set SSEKG_CORPUS to the shared corpus)")
    raw = tpath.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != data["text_sha256"]:
        raise GoldError(f"{path}: the text {tpath} changed (SHA-256 {digest[:12]}…, the gold was made on "
                        f"{data['text_sha256'][:12]}…): check the spans against the new text, then re-import")
    text = read_text(tpath)
    for where, span in _spans_of(data):
        if not (isinstance(span, list) and len(span) == 2 and 0 <= span[0] < span[1] <= len(text)):
            raise GoldError(f"{path}: {where}: span {span!r} is not inside the text ({len(text)} characters)")
    return GoldReport(rid, data["language"], data.get("kind", "event"), data.get("fold", ""), text, path,
                      data.get("published"), data, tpath)


def iter_gold(gold_dir: Path = GOLD_DIR, corpus: Path | None = None, folds: Iterable[str] | None = None,
              languages: Iterable[str] | None = None) -> Iterator[GoldReport]:
    """Every gold report of the given folds and languages, in id order."""
    folds = set(folds) if folds else None
    languages = set(languages) if languages else None
    for path in sorted(gold_dir.glob("*.yaml")):
        g = load_gold(path, corpus)
        if (folds is None or g.fold in folds) and (languages is None or g.language in languages):
            yield g


def _spans_of(card: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for i, ev in enumerate(card.get("events") or []):
        if ev.get("title") is not None:
            yield f"events[{i}].title", ev["title"]
        for j, sp in enumerate(ev.get("speakers") or []):
            for k in ("name", "role", "affiliation"):
                if sp.get(k) is not None:
                    yield f"events[{i}].speakers[{j}].{k}", sp[k]
        for key in SPAN_LISTS:
            for j, s in enumerate(ev.get(key) or []):
                yield f"events[{i}].{key}[{j}]", s
        for key in STATEMENT_KINDS:
            for j, st in enumerate(ev.get(key) or []):
                yield f"events[{i}].{key}[{j}]", st["span"]
        for key, spans in (ev.get("optional") or {}).items():
            for j, s in enumerate(spans):
                yield f"events[{i}].optional.{key}[{j}]", s


# --------------------------------------------------------------------------------------------- importing


_QUOTE = re.compile(r"\"([^\"]{2,})\"|“([^”]{2,})”|«\s*([^»]{2,}?)\s*»")
_KEY = re.compile(r"^(\s*)(?:-\s+)?([a-z_]+):")


def _comment_notes(raw: str) -> list[tuple[str | None, int, str]]:
    """(field the comment block stands above, event index, joined comment text) for every comment block."""
    out: list[tuple[str | None, int, str]] = []
    block: list[str] = []
    event = -1
    current_key: str | None = None
    for line in raw.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            block.append(stripped.lstrip("#").strip())
            continue
        m = _KEY.match(line)
        if m and m.group(2) == "title" and line.lstrip().startswith("-"):
            event += 1
        key = m.group(2) if m else current_key
        if m:
            current_key = m.group(2)
        inline = line.split(" # ", 1)[1] if " # " in line else ""
        if block or inline:
            out.append((key, event, " ".join(block + [inline])))
        block = []
    return out


def _optional_quotes(note: str) -> list[str]:
    """The quoted texts of a comment that marks items optional or neutral (not of a sentence saying 'not')."""
    if not re.search(r"optional|neutral", note, re.I):
        return []
    return [next(g for g in m.groups() if g) for m in _QUOTE.finditer(note)]


def _locate(text: str, value: str, after: int = 0) -> list[int] | None:
    """Offsets of ``value`` in ``text`` (the first occurrence from ``after``, else from the start)."""
    for start in (after, 0):
        i = text.find(value, start)
        if i >= 0:
            return [i, i + len(value)]
    # an Arabic organisation in its base form written with the proclitic لـ: ال… appears as لل…
    if value.startswith("ال"):
        i = text.find("لل" + value[2:])
        if i >= 0:
            return [i, i + len(value)]
    flat = re.sub(r"\s+", " ", value.replace("’", "'")).strip()
    m = re.search(re.escape(flat).replace("'", "['’]").replace(r"\ ", r"\s+"), text)
    return [m.start(), m.end()] if m else None


def import_card(card_text: str, rid: str, row: dict[str, str], text: str, fold: str,
                problems: list[str]) -> dict[str, Any]:
    """A card with spans as text (the corpus's format) → our gold with offsets; what cannot be located is
    reported in ``problems`` and left out."""
    card = yaml.safe_load(card_text)
    notes = _comment_notes(card_text)

    def loc(value: Any, where: str, after: int = 0) -> list[int] | None:
        if value is None:
            return None
        span = _locate(text, str(value), after)
        if span is None:
            problems.append(f"{rid} {where}: not found in the text")
        return span

    events = []
    for i, ev in enumerate(card.get("events") or []):
        out: dict[str, Any] = {}
        out["title"] = loc(ev.get("title"), f"events[{i}].title")
        anchor = out["title"][0] if out["title"] else 0
        for key in ("type", "status", "city", "country", "online", "start_date", "end_date"):
            out[key] = ev.get(key)
        out["participating_countries"] = list(ev.get("participating_countries") or [])
        speakers = []
        for j, sp in enumerate(ev.get("speakers") or []):
            name = loc(sp.get("name"), f"events[{i}].speakers[{j}].name", anchor)
            if name is None:
                continue
            speakers.append({"name": name,
                             "role": loc(sp.get("role"), f"events[{i}].speakers[{j}].role", name[0]),
                             "affiliation": loc(sp.get("affiliation"), f"events[{i}].speakers[{j}].affiliation",
                                                name[0]),
                             "country": sp.get("country")})
        out["speakers"] = speakers
        for key in SPAN_LISTS:
            spans = [loc(v, f"events[{i}].{key}[{j}]", anchor) for j, v in enumerate(ev.get(key) or [])]
            out[key] = [s for s in spans if s]
        for key, cats_key in (("challenges", "challenge_categories"), ("proposals", "proposal_categories")):
            items = []
            cats = ev.get(cats_key) or []
            for j, v in enumerate(ev.get(key) or []):
                span = loc(v, f"events[{i}].{key}[{j}]", anchor)
                if span:
                    items.append({"span": span, "category": cats[j] if j < len(cats) else "other"})
            out[key] = items
        optional: dict[str, list[list[int]]] = {}
        for key, event, note in notes:
            if event != i:
                continue
            target = {"challenge_categories": "challenges", "proposal_categories": "proposals",
                      "name": "speakers", "role": "speakers", "affiliation": "speakers"}.get(key or "", key)
            if target not in OPTIONAL_FIELDS:
                continue
            for quoted in _optional_quotes(note):
                span = _locate(text, quoted.strip())
                if span and span not in optional.setdefault(target, []):
                    optional[target].append(span)
        out["optional"] = {k: v for k, v in optional.items() if v}
        events.append(out)
    return {"id": rid, "language": row["lang"], "kind": row["kind"], "fold": fold, "source_url": row["url"],
            "text_sha256": row["sha256"], "chars": len(text), "published": card.get("published"),
            "events": events}


def import_cards(card_dir: Path, out_dir: Path = GOLD_DIR, corpus: Path | None = None,
                 ids: Iterable[str] | None = None) -> list[str]:
    """Import cards with text spans from ``card_dir`` (ID.yaml) into offset gold under ``out_dir``.

    Returns the problems (spans not found); the file's hash must be the one ``sources-*.tsv`` lists.
    """
    corpus = corpus or corpus_dir()
    rows = sources(corpus)
    split_path = out_dir.parent / "split.tsv"
    split = read_split(out_dir) if split_path.exists() else split_ids(_by_language(rows))
    problems: list[str] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(ids) if ids else None
    for path in sorted(card_dir.glob("*.yaml")):
        rid = path.stem
        if wanted is not None and rid not in wanted:
            continue
        if rid not in rows:
            problems.append(f"{rid}: not in the corpus's sources")
            continue
        tpath = text_path(rid, corpus)
        digest = hashlib.sha256(tpath.read_bytes()).hexdigest()
        if digest != rows[rid]["sha256"]:
            problems.append(f"{rid}: the text's SHA-256 differs from the one sources-{rid[:2]}.tsv lists")
            continue
        gold = import_card(path.read_text(encoding="utf-8"), rid, rows[rid], read_text(tpath), split[rid], problems)
        (out_dir / f"{rid}.yaml").write_text(dump_gold(gold), encoding="utf-8")
    if not split_path.exists():
        write_split(split, split_path)
    return problems


def _by_language(rows: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rid, row in rows.items():
        out.setdefault(row["lang"], []).append(rid)
    return out


def write_split(split: dict[str, str], path: Path) -> None:
    lines = ["id\tfold"] + [f"{rid}\t{fold}" for rid, fold in sorted(split.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class _FlowLists(yaml.SafeDumper):
    """Spans as ``[start, end]`` on one line, everything else in block style."""


def _repr_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = len(data) == 2 and all(isinstance(x, int) for x in data) or not data
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_FlowLists.add_representer(list, _repr_list)


def dump_gold(gold: dict[str, Any]) -> str:
    return yaml.dump(gold, Dumper=_FlowLists, allow_unicode=True, sort_keys=False, width=120)


# --------------------------------------------------------------------------------------------- rendering


def render_card(g: GoldReport) -> str:
    """The gold as a card with spans written as text (the corpus's format), for a curator to read and edit
    outside the repository; :func:`import_cards` reads it back. Optional items become ``# Optional:`` comments."""
    lines = [f"source_url: {g.card.get('source_url')}", f"language: {g.language}",
             f"published: {_scalar(g.published)}", "events:" if g.events else "events: []"]
    t = g.span_text
    for ev in g.events:
        opt = ev.get("optional") or {}

        def comment(key: str) -> None:
            if opt.get(key):
                quoted = ", ".join(_quoted(t(s) or "") for s in opt[key])
                lines.append(f"  # Optional: {quoted}")

        comment("title")
        lines.append(f"- title: {_scalar(t(ev.get('title')))}")
        for key in ("type", "status", "city", "country", "online", "start_date", "end_date"):
            value = ev.get(key)
            lines.append(f"  {key}: {_scalar(value)}")
        lines.append(f"  participating_countries: [{', '.join(ev.get('participating_countries') or [])}]")
        comment("speakers")
        if ev.get("speakers"):
            lines.append("  speakers:")
            for sp in ev["speakers"]:
                lines.append(f"  - name: {_scalar(t(sp['name']))}")
                for k in ("role", "affiliation"):
                    lines.append(f"    {k}: {_scalar(t(sp.get(k)))}")
                lines.append(f"    country: {_scalar(sp.get('country'))}")
        else:
            lines.append("  speakers: []")
        for key in ("organisations", "organisers", "challenges", "proposals", "programmes", "funders"):
            comment(key)
            items = ev.get(key) or []
            spans = [it["span"] if isinstance(it, dict) else it for it in items]
            lines.append(f"  {key}:" if spans else f"  {key}: []")
            lines.extend(f"  - {_scalar(t(s))}" for s in spans)
            if key in STATEMENT_KINDS:
                cats = [it["category"] for it in items]
                lines.append(f"  {key[:-1]}_categories:" if cats else f"  {key[:-1]}_categories: []")
                lines.extend(f"  - {c}" for c in cats)
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A text in the quotes a comment uses ("…", or “…” when it holds a straight quote)."""
    text = " ".join(text.split())  # one comment line; the import finds it again across line breaks
    return f'"{text}"' if '"' not in text else f"“{text}”"


def _scalar(value: Any) -> str:
    """A value as a YAML scalar: text always double-quoted (a JSON string is one), so no text reads as another type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)

# --------------------------------------------------------------------------------------------- curated cards


def card_to_gold(card: dict[str, Any], rid: str, problems: list[str], fold: str = "train") -> dict[str, Any]:
    """A curated card (with its text) as gold in our format: every name and statement as offsets into the text.

    Statements and speakers keep the spans the curator gave them; a name without one (organisation, programme,
    role, affiliation, title) is found in the text, near its speaker where it has one; what cannot be found is
    said in ``problems`` and left out. Countries are ISO codes. Each organisation is listed once, by its first place
    in the text, as the gold of the shared corpus does (affiliations and funders among them).
    """
    from ssekg.ontology.countries import resolve_country

    from .extract.lexicon import fold_text
    from .scoring import _name

    text = card["report"]["text"]

    def loc(value: Any, where: str, after: int = 0) -> list[int] | None:
        name = _name(value)
        if not name:
            return None
        span = _locate(text, name, after)
        if span is None:
            problems.append(f"{rid} {where}: {name!r} is not in the text")
        return span

    def code(value: Any) -> str | None:
        return None if value is None else resolve_country(str(value)) or str(value)

    def own_span(item: dict[str, Any], value: str, where: str) -> list[int] | None:
        span = item.get("span")
        if span and fold_text(text[span[0]:span[1]]) == fold_text(value):
            return list(span)
        return loc(value, where, span[0] if span else 0)

    events = []
    for i, ev in enumerate(card.get("events") or []):
        w = f"events[{i}]"
        out: dict[str, Any] = {"title": _locate(text, _name(ev.get("title")) or "") if ev.get("title") else None}
        out.update({"type": ev.get("type"), "status": ev.get("status") or "held", "city": _name(ev.get("city")),
                    "country": code(ev.get("host_country")), "online": bool(ev.get("online", False)),
                    "start_date": ev.get("start"), "end_date": ev.get("end"),
                    "participating_countries": [code(c) for c in ev.get("participating_countries") or []]})
        organisations: dict[str, list[int]] = {}

        def organisation(value: Any, where: str) -> list[int] | None:
            name = _name(value) or ""
            key = " ".join(name.split()).casefold()
            if key not in organisations:
                given = value.get("span") if isinstance(value, dict) else None
                span = list(given) if given and fold_text(text[given[0]:given[1]]) == fold_text(name) else loc(name, where)
                if span is None:
                    return None
                organisations[key] = span
            return organisations[key]

        speakers = []
        for j, sp in enumerate(ev.get("speakers") or []):
            name = own_span(sp, _name(sp["name"]) or "", f"{w}.speakers[{j}].name")
            if name is None:
                continue
            affiliation = organisation(sp["affiliation"], f"{w}.speakers[{j}].affiliation") if sp.get("affiliation") else None
            speakers.append({"name": name, "role": loc(sp.get("role"), f"{w}.speakers[{j}].role", name[0]),
                             "affiliation": affiliation, "country": code(sp.get("country"))})
        out["speakers"] = speakers
        organisers = [organisation(o, f"{w}.organisers[{j}]") for j, o in enumerate(ev.get("organisers") or [])]
        for j, o in enumerate(ev.get("participants") or []):
            organisation(o, f"{w}.participants[{j}]")
        programmes, funders = [], []
        for j, prog in enumerate(ev.get("programmes") or []):
            programmes.append(own_span(prog, _name(prog["name"]) or "", f"{w}.programmes[{j}]"))
            if prog.get("funder"):
                funders.append(organisation(prog["funder"], f"{w}.programmes[{j}].funder"))
        out["organisations"] = list(organisations.values())
        out["organisers"] = [s for s in organisers if s]
        out["programmes"] = [s for s in programmes if s]
        out["funders"] = [s for s in funders if s]
        for key in STATEMENT_KINDS:
            items = []
            for j, st in enumerate(ev.get(key) or []):
                span = own_span(st, st["text"], f"{w}.{key}[{j}]")
                if span:
                    items.append({"span": span, "category": st.get("category") or "other"})
            out[key] = items
        out["optional"] = {}
        events.append(out)
    kind = ("no-event" if not events else "several-events" if len(events) > 1
            else "announcement" if events[0]["status"] == "announced" else "event")
    body = text.encode("utf-8")
    return {"id": rid, "language": card["report"]["language"], "kind": kind, "fold": fold,
            "source_url": card["report"].get("url"), "text_sha256": hashlib.sha256(body).hexdigest(),
            "chars": len(text), "published": card["report"].get("published"), "events": events}


def export_curated(cards: dict[str, dict[str, Any]], out_dir: Path) -> list[str]:
    """Write curated cards (key → card) as a gold corpus under ``out_dir``: ``gold/KEY.yaml`` (offsets),
    ``reports/KE/KEY.txt`` (the text the offsets point into: the operator's, never the repository's),
    ``split.tsv`` (every report in the train fold: corrections teach, they are not a measure) and ``cards.json``
    (the curated cards, for ``bench/extract.py --cards``). Returns the problems (names not found in a text)."""
    problems: list[str] = []
    (out_dir / "gold").mkdir(parents=True, exist_ok=True)
    split = {}
    for key, card in sorted(cards.items()):
        gold = card_to_gold(card, key, problems)
        (out_dir / "gold" / f"{key}.yaml").write_text(dump_gold(gold), encoding="utf-8")
        tpath = text_path(key, out_dir)
        tpath.parent.mkdir(parents=True, exist_ok=True)
        tpath.write_bytes(card["report"]["text"].encode("utf-8"))
        if card["report"].get("published"):
            meta = {"published": card["report"]["published"], "language": card["report"]["language"]}
            tpath.with_name(tpath.name + ".meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
        split[key] = "train"
    write_split(split, out_dir / "split.tsv")
    (out_dir / "cards.json").write_text(json.dumps({"version": "curated", "cards": cards}, ensure_ascii=False),
                                        encoding="utf-8")
    return problems


# --------------------------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m ssekg.ingest.gold render ID`` prints a report's gold as a card with text spans (to correct it
    outside the repository); ``… import DIR [ID…]`` reads such cards back as offsets into corpus/gold;
    ``… check`` loads every gold file against its text. Exit codes: 0 done, 1 problems found, 2 usage."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m ssekg.ingest.gold", description=main.__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="print a report's gold with its spans as text")
    r.add_argument("id")
    i = sub.add_parser("import", help="read cards with text spans (ID.yaml) back into corpus/gold")
    i.add_argument("folder", type=Path)
    i.add_argument("ids", nargs="*")
    sub.add_parser("check", help="load every gold file against its text")
    for p in (r, i):
        p.add_argument("--gold", type=Path, default=GOLD_DIR)
    args = ap.parse_args(argv)
    try:
        if args.command == "render":
            sys.stdout.write(render_card(load_gold(args.gold / f"{args.id}.yaml")))
            return 0
        if args.command == "import":
            problems = import_cards(args.folder, args.gold, ids=args.ids or None)
            for p in problems:
                print(p, file=sys.stderr)
            return 1 if problems else 0
        n = sum(1 for _ in iter_gold(GOLD_DIR))
        print(f"{n} gold reports fit their texts")
        return 0
    except (GoldError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
