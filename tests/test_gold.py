"""Our gold of the real corpus (corpus/gold): offsets that fit their texts, a frozen split, no copied text.

The texts are third-party and live in ../shared/corpus beside the checkout; these tests skip where it is absent.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from ssekg.ingest.gold import (FOLDS, GoldError, import_card, iter_gold, load_gold, read_split, render_card, sources,
                               split_ids)
from support import ROOT

GOLD = ROOT / "corpus" / "gold"
#: The only keys whose values may be strings in a gold file: facts and identifiers, never a span's text.
STRING_KEYS = {"id", "language", "kind", "fold", "source_url", "text_sha256", "published", "type", "status", "city",
               "country", "start_date", "end_date", "category", "participating_countries"}


@pytest.fixture(scope="module")
def corpus(real_corpus: Path) -> Path:
    return real_corpus


@pytest.fixture(scope="module")
def golds(corpus):
    return list(iter_gold(GOLD, corpus))


def test_every_report_of_the_corpus_has_gold_that_fits_its_text(golds, corpus):
    assert {g.id for g in golds} == set(sources(corpus))
    assert len(golds) == 178
    for g in golds:
        assert g.language == g.id[:2]
        for ev in g.events:
            for sp in ev["speakers"]:
                name = g.span_text(sp["name"])
                assert name == name.strip() and name, (g.id, sp)


def test_a_changed_text_is_refused_with_what_to_do(tmp_path, corpus):
    shutil.copytree(corpus / "reports" / "fr", tmp_path / "reports" / "fr")
    path = tmp_path / "reports" / "fr" / "fr-003.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("e", "é", 1), encoding="utf-8")
    with pytest.raises(GoldError, match=r"fr-003.yaml: the text .* changed .* re-import"):
        load_gold(GOLD / "fr-003.yaml", tmp_path)
    path.unlink()
    with pytest.raises(GoldError, match="is missing"):
        load_gold(GOLD / "fr-003.yaml", tmp_path)


def test_rendering_a_card_for_a_curator_and_importing_it_back_gives_the_same_gold(golds, corpus):
    rows = sources(corpus)
    for g in golds:
        problems: list[str] = []
        assert import_card(render_card(g), g.id, rows[g.id], g.text, g.fold, problems) == g.card, g.id
        assert problems == []


def test_an_edited_span_that_is_not_in_the_text_is_reported_and_left_out(golds, corpus):
    g = next(g for g in golds if any(ev["proposals"] for ev in g.events))
    card = render_card(g)
    first = g.span_text(next(ev for ev in g.events if ev["proposals"])["proposals"][0]["span"])
    problems: list[str] = []
    edited = card.replace(first, "a proposal the report never made", 1)
    back = import_card(edited, g.id, sources(corpus)[g.id], g.text, g.fold, problems)
    assert any("not found in the text" in p for p in problems)
    assert sum(len(ev["proposals"]) for ev in back["events"]) == sum(len(ev["proposals"]) for ev in g.events) - 1


def test_the_split_is_frozen_and_is_the_hash_split_per_language(golds, corpus):
    frozen = read_split(GOLD)
    by_language: dict[str, list[str]] = {}
    for rid, row in sources(corpus).items():
        by_language.setdefault(row["lang"], []).append(rid)
    assert split_ids(by_language) == frozen
    assert {g.id: g.fold for g in golds} == frozen
    for lang, ids in by_language.items():
        counts = Counter(frozen[i] for i in ids)
        assert set(counts) == set(FOLDS)
        assert abs(counts["train"] / len(ids) - 0.70) < 0.03, lang
        assert abs(counts["test"] / len(ids) - 0.15) < 0.03, lang


def test_gold_files_hold_offsets_and_facts_never_text():
    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)
        elif isinstance(value, str):
            yield key, value

    for path in sorted(GOLD.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, value in walk(data):
            assert key in STRING_KEYS, (path.name, key)
            assert key == "source_url" or len(value) < 80, (path.name, key)


def test_the_gold_command_renders_checks_and_imports_with_documented_exit_codes(tmp_path, corpus, capsys,
                                                                                  monkeypatch):
    from ssekg.ingest import gold

    monkeypatch.setenv("SSEKG_CORPUS", str(corpus))
    assert gold.main(["render", "fr-003", "--gold", str(GOLD)]) == 0
    card = capsys.readouterr().out
    assert card.startswith("source_url:") and "challenge_categories:" in card
    out = tmp_path / "gold"
    out.mkdir()
    (tmp_path / "split.tsv").write_text((GOLD.parent / "split.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    edited = tmp_path / "cards"
    edited.mkdir()
    (edited / "fr-003.yaml").write_text(card, encoding="utf-8")
    assert gold.main(["import", str(edited), "--gold", str(out)]) == 0
    assert (out / "fr-003.yaml").read_text(encoding="utf-8") == (GOLD / "fr-003.yaml").read_text(encoding="utf-8")
    g = load_gold(GOLD / "fr-003.yaml", corpus)
    title = g.span_text(g.events[0]["title"])
    (edited / "fr-003.yaml").write_text(card.replace(title, "a title the report does not have"), encoding="utf-8")
    assert gold.main(["import", str(edited), "--gold", str(out)]) == 1
    assert "fr-003 events[0].title: not found in the text" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        gold.main(["rendre"])
    assert usage.value.code == 2
