"""Event cards: the schema, the safe loader, the bundled cards (ingest/cards.py, docs/cards.md)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssekg.errors import InputError
from ssekg.ingest.cards import (
    CARD_SUFFIXES,
    MAX_CARD_BYTES,
    SCHEMA_PATH,
    CardError,
    card_schema,
    card_to_text,
    load_card,
    parse_card,
)
from ssekg.text import normalise, report_key

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "examples" / "cards"
BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
REPORTS = Path(__file__).resolve().parents[2] / "shared" / "reports"
EXAMPLE_CARD = CARDS / "casablanca-regional-workshop.yaml"
EXAMPLE_REPORT = REPORTS / "000_4ec3997d5f5824c4.txt"
ALL_CARDS = sorted(p for p in CARDS.iterdir() if p.suffix in CARD_SUFFIXES)

MINIMAL = {"card": 1, "report": {"language": "en"}, "events": [{"title": "Forum"}]}


def rejected(path: Path | str) -> CardError:
    with pytest.raises(InputError) as info:
        load_card(path)
    err = info.value
    assert isinstance(err, CardError)
    assert err.source == str(path)
    assert err.reason and err.hint
    return err


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- schema


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert card_schema() == schema


def test_every_object_in_the_schema_rejects_unknown_keys():
    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    found = list(objects(card_schema()))
    assert len(found) >= 9
    for node in found:
        assert node["additionalProperties"] is False, node.get("title")


# ---------------------------------------------------------------------------------------- bundled cards


@pytest.mark.parametrize("path", ALL_CARDS, ids=lambda p: p.name)
def test_bundled_card_loads_and_validates(path):
    card = load_card(path)
    jsonschema.Draft202012Validator(card_schema()).validate(card)
    for event in card["events"]:
        for statement in event.get("challenges", []) + event.get("proposals", []):
            assert statement.get("category"), f"{path.name}: every statement has a category"


@pytest.mark.parametrize("path", ALL_CARDS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_card_to_text_round_trips(path, fmt, tmp_path):
    card = load_card(path)
    text = card_to_text(card, fmt)
    again = load_card(write(tmp_path, f"card.{fmt}", text))
    assert again == card
    assert list(again) == list(card)  # key order kept
    if fmt == "yaml":
        assert "\\u" not in text  # Unicode written as is


def test_bundled_corpus_has_arabic_french_and_english():
    languages = {load_card(p)["report"]["language"] for p in ALL_CARDS}
    assert {"ar", "fr", "en"} <= languages


def test_same_speaker_appears_in_two_reports():
    names: dict[str, set[str]] = {}
    for path in ALL_CARDS:
        for event in load_card(path)["events"]:
            for speaker in event.get("speakers", []):
                names.setdefault(speaker["name"], set()).add(path.name)
    shared = {name: files for name, files in names.items() if len(files) > 1}
    assert any("dakar-conference-en.yaml" in files for files in shared.values()), names


def test_demo_cards_have_the_events_described():
    tunis = load_card(CARDS / "tunis-forum-fr.yaml")
    assert tunis["report"]["language"] == "fr"
    assert len(tunis["events"]) == 2
    assert tunis["events"][1]["type"] == "webinar" and tunis["events"][1]["online"] is True
    dakar = load_card(CARDS / "dakar-conference-en.yaml")
    assert dakar["report"]["language"] == "en"
    assert len(dakar["events"][0]["participating_countries"]) == 5


# ----------------------------------------------------------------------------------------- the example


def test_example_card_facts():
    card = load_card(EXAMPLE_CARD)
    assert card["report"]["language"] == "ar"
    assert card["report"]["text_sha256"].startswith("b58c0e223362c3bb")
    (event,) = card["events"]
    assert event["type"] == "workshop"
    assert event["title"]["ar"] == "الورشة الإقليمية للشركاء"
    assert event["theme"] == "الاقتصاد الاجتماعي والتضامني كرافعة للانتقال العادل والعمل اللائق"
    assert event["host_country"] == "MA"
    assert event["city"]["name"]["en"] == "Casablanca" and event["city"]["country"] == "MA"
    assert len(event["participating_countries"]) == 4
    assert "start" not in event and "end" not in event
    (speaker,) = event["speakers"]
    assert speaker["name"] == "حكيمة خالص"
    assert len(event["challenges"]) == 6
    assert len(event["proposals"]) == 6
    assert [c["category"] for c in event["challenges"]] == [
        "access-to-finance", "training-and-capacity", "financial-sustainability",
        "coordination-and-networking", "professionalisation", "innovation",
    ]
    assert [p["category"] for p in event["proposals"]] == [
        "training-programmes", "innovative-finance", "exchange-and-study-visits",
        "participation-in-policy-making", "coordination-platform", "advocacy-and-capacity-building",
    ]
    for statement in event["challenges"] + event["proposals"]:
        assert statement["speaker"] == "حكيمة خالص"
        assert set(statement["text"]) >= {"en"}
    (programme,) = event["programmes"]
    assert programme == {**programme, "name": "PGM DGD 2022-2026", "start": "2022", "end": "2026"}
    assert "funder" not in programme  # the report does not name it


@pytest.fixture(scope="module")
def report_text() -> str:
    if not EXAMPLE_REPORT.is_file():
        pytest.skip(f"the example report is not at {EXAMPLE_REPORT} (shared/reports/ next to the checkout)")
    return normalise(EXAMPLE_REPORT.read_bytes().decode("utf-8"))


def test_example_card_hash_is_the_reports(report_text):
    card = load_card(EXAMPLE_CARD)
    assert card["report"]["text_sha256"] == hashlib.sha256(report_text.encode("utf-8")).hexdigest()
    assert report_key(report_text) == card["report"]["text_sha256"][:16]


def test_example_card_spans_slice_the_report(report_text):
    event = load_card(EXAMPLE_CARD)["events"][0]
    statements = event["challenges"] + event["proposals"]
    spans = [s["span"] for s in statements]
    assert spans == sorted(spans)  # in the report's order
    for (start, end), previous in zip(spans, [(0, 0)] + spans):
        assert previous[1] <= start < end <= len(report_text)
        piece = report_text[start:end]
        assert piece.strip() == piece and piece, (start, end)
        line_start = report_text.rfind("\n", 0, start) + 1
        assert report_text[line_start:start] == "* ", "each span is one bullet item, without its marker"
        assert "\n" not in piece
        assert piece not in {s["text"].get("ar") for s in statements}  # our words, not the report's
    start, end = event["span"]
    assert report_text[start:end] == event["title"]["ar"]
    start, end = event["speakers"][0]["span"]
    assert report_text[start:end] == event["speakers"][0]["name"]
    assert event["theme"] in report_text


# ------------------------------------------------------------------------------------------ bad inputs


def test_not_utf8(tmp_path):
    err = rejected(BAD / "not-utf8-cp1256.yaml")
    assert "UTF-8" in err.reason and "offset 50" in err.reason and "line 5" in err.reason
    assert "Windows-1256" in err.hint


def test_latin1_json_is_not_utf8(tmp_path):
    err = rejected(write(tmp_path, "c.json", '{"report": {"language": "fr", "title": "Événement"}}'.encode("latin-1")))
    assert "not UTF-8" in err.reason


@pytest.mark.parametrize(
    "name, words",
    [
        ("empty.yaml", "empty"),
        ("whitespace-only.yaml", "only whitespace"),
        ("comments-only.yaml", "no card"),
        ("top-level-list.yaml", "mapping"),
        ("wrong-version.yaml", "card: must be 1"),
        ("syntax-error.yaml", "line 7"),
        ("bad-indentation.yaml", "line 4, column 2"),
        ("syntax-error.json", "line 1, column 68"),
        ("duplicate-key.yaml", "duplicate key 'title'"),
        ("python-tag.yaml", "tag !!python/object/apply:os.system is not allowed"),
        ("span-reversed.yaml", "events[0].challenges[0].span"),
        ("unknown-speaker.yaml", "no speaker of this event is named 'Awa Sow'"),
        ("wrong-suffix.txt", ".yaml"),
    ],
)
def test_bad_fixture_is_rejected_with_a_reason(name, words):
    assert words in rejected(BAD / name).reason


def test_yaml_bomb_is_refused():
    err = rejected(BAD / "billion-laughs.yaml")
    assert "anchors and aliases" in err.reason
    assert "line 2" in err.reason


def test_a_single_anchor_or_alias_is_refused(tmp_path):
    rejected(write(tmp_path, "a.yaml", "report: &r {language: en}\nevents: [{title: x}]\n"))
    rejected(write(tmp_path, "b.yaml", "report: {language: en}\nevents: [{title: x}]\nx-copy: *r\n"))


def test_missing_required_fields_are_all_named():
    err = rejected(BAD / "missing-required.yaml")
    for path in (
        "report.language: required",
        "events[0].title: required",
        "events[0].speakers[0].name: required",
        "events[0].challenges[0].text: required",
        "events[0].challenges[2].text: required",
    ):
        assert path in err.reason
        assert path in err.problems
    assert "events[0].challenges[1]" not in err.reason
    assert len(err.problems) == 5


def test_unknown_field_suggests_the_known_one():
    err = rejected(BAD / "unknown-field.yaml")
    assert err.problems == ["events[0].participating_contries: unknown field (did you mean 'participating_countries'?)"]


def test_curator_notes_are_allowed_anywhere():
    card = copy.deepcopy(MINIMAL)
    card["x-note"] = "checked by hand"
    card["report"]["x-source"] = "printed copy"
    card["events"][0]["x-todo"] = "find the date"
    assert parse_card(card, "t")["events"][0]["x-todo"] == "find the date"


def test_invalid_calendar_date():
    err = rejected(BAD / "invalid-date.yaml")
    assert err.problems == ["report.published: 2025-02-30 is not a date in the calendar"]


@pytest.mark.parametrize("value", ["2025-13", "2025-6-1", "25", "2025/06/14", "2025-06-14T10:00", "2025\n", "٢٠٢٥"])
def test_malformed_dates(value):
    card = copy.deepcopy(MINIMAL)
    card["events"][0]["start"] = value
    with pytest.raises(CardError) as info:
        parse_card(card, "t")
    assert info.value.problems[0].startswith("events[0].start:")


@pytest.mark.parametrize("start, end", [("2025-06-14", "2025-06-13"), ("2025-06", "2024"), ("2026", "2025-12-31")])
def test_event_ending_before_it_starts(start, end):
    card = copy.deepcopy(MINIMAL)
    card["events"][0].update(start=start, end=end)
    with pytest.raises(CardError, match=r"events\[0\]\.end: .* before the start"):
        parse_card(card, "t")


@pytest.mark.parametrize("span", [[5, 3], [4, 4], [1], [1, 2, 3], [-1, 4], ["1", "2"], [True, 3], [0.5, 2]])
def test_bad_spans(span):
    card = copy.deepcopy(MINIMAL)
    card["events"][0]["span"] = span
    with pytest.raises(CardError, match=r"events\[0\]\.span"):
        parse_card(card, "t")


def test_missing_file_and_directory(tmp_path):
    assert "no such file" in rejected(tmp_path / "absent.yaml").reason
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert "directory" in rejected(folder).reason


def test_huge_file(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w") as fh:
        fh.write("report: {language: en}\nevents: [{title: x}]\n")
        fh.write("# padding\n" * (MAX_CARD_BYTES // 10 + 1))
    assert "larger than" in rejected(path).reason


def test_many_values_and_deep_nesting(tmp_path):
    assert "more than" in rejected(write(tmp_path, "many.yaml", "x-list:\n" + "- a\n" * 30_000)).reason
    assert "nested" in rejected(write(tmp_path, "deep.yaml", "x: " + "[" * 10_000)).reason
    assert "nested" in rejected(write(tmp_path, "deep.json", "[" * 100_000)).reason


def test_huge_numbers_are_refused(tmp_path):
    rejected(write(tmp_path, "n.json", '{"card": ' + "9" * 10_000 + "}"))
    rejected(write(tmp_path, "n.yaml", "card: " + "9" * 10_000 + "\n"))
    rejected(write(tmp_path, "nan.json", '{"card": NaN}'))


def test_unpaired_surrogate_in_json(tmp_path):
    err = rejected(write(tmp_path, "s.json", '{"report": {"language": "en", "title": "\\ud800"}, "events": [{"title": "x"}]}'))
    assert "report.title" in err.reason and "surrogate" in err.reason


def test_nul_in_path():
    assert "path" in rejected("bad\0name.yaml").reason


def test_duplicate_json_keys(tmp_path):
    err = rejected(write(tmp_path, "d.json", '{"report": {"language": "en"}, "report": {"language": "fr"}}'))
    assert "duplicate key 'report'" in err.reason


# ------------------------------------------------------------------------------------------ YAML quirks


def test_yaml_quirks_norway_dates_and_friends(tmp_path):
    path = write(
        tmp_path,
        "quirks.yaml",
        """card: 1
report:
  language: en
  published: 2025-06-14
events:
  - title: 10:30
    start: 2025-06
    end: 2025-06-15
    online: false
    host_country: NO
    participating_countries: [NO, no, ON, Y, yes, off, FR]
    speakers:
      - name: 012
        country: Off
    programmes:
      - name: PGM
        start: 2022
        end: 2026
""",
    )
    with pytest.raises(CardError) as info:  # 012 is an integer in YAML 1.2, not a name
        load_card(path)
    assert info.value.problems == ["events[0].speakers[0].name: must be a person's name (a string), not a number"]
    card = load_card(write(tmp_path, "quirks2.yaml", path.read_text().replace("name: 012", "name: '012'")))
    event = card["events"][0]
    assert card["report"]["published"] == "2025-06-14"
    assert event["title"] == "10:30"
    assert (event["start"], event["end"]) == ("2025-06", "2025-06-15")
    assert event["online"] is False
    assert event["host_country"] == "NO"
    assert event["participating_countries"] == ["NO", "no", "ON", "Y", "yes", "off", "FR"]
    assert event["speakers"][0] == {"name": "012", "country": "Off"}
    assert (event["programmes"][0]["start"], event["programmes"][0]["end"]) == ("2022", "2026")


def test_norway_survives_a_dump_and_reload(tmp_path):
    card = copy.deepcopy(MINIMAL)
    card["events"][0].update(host_country="NO", start="2025-06-14", participating_countries=["NO", "yes", "0o17", "1e5"])
    text = card_to_text(card)
    assert load_card(write(tmp_path, "c.yml", text)) == card


def test_json_card(tmp_path):
    path = write(
        tmp_path,
        "card.json",
        json.dumps({
            "card": 1,
            "report": {"language": "ar", "published": "2025-06-14"},
            "events": [{"title": {"ar": "ورشة", "en": "Workshop"}, "host_country": "NO",
                        "programmes": [{"name": "PGM", "start": 2022}],
                        "challenges": [{"text": "x", "span": [1, 5], "category": "innovation"}]}],
        }, ensure_ascii=False),
    )
    card = load_card(path)
    assert card["events"][0]["host_country"] == "NO"
    assert card["events"][0]["programmes"][0]["start"] == "2022"
    assert card["events"][0]["title"]["ar"] == "ورشة"


def test_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, "bom.yaml", "\ufeff" + card_to_text(MINIMAL))
    assert load_card(path) == MINIMAL


def test_card_to_text_rejects_unknown_format():
    with pytest.raises(ValueError):
        card_to_text(MINIMAL, "toml")


# ---------------------------------------------------------------------------------------- parse_card


def test_parse_card_does_not_change_its_input():
    card = copy.deepcopy(MINIMAL)
    card["events"][0]["programmes"] = [{"name": "P", "start": 2022}]
    before = copy.deepcopy(card)
    out = parse_card(card, "t")
    assert card == before
    assert out["events"][0]["programmes"][0]["start"] == "2022"


@pytest.mark.parametrize(
    "value",
    [None, [], "card", 1, 2.5, True, {1: "x"}, {"report": {("a",): 1}}, {"x": object()}, {"card": 10**5000},
     {"report": {"language": "en"}, "events": [{"title": "x", "span": [10**400, 5]}]}, {"x": float("nan")}],
)
def test_parse_card_rejects_non_cards(value):
    with pytest.raises(CardError):
        parse_card(value, "t")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**17) | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=40,
)

card_keys = st.sampled_from([
    "card", "language", "report", "events", "title", "theme", "type", "start", "end", "online", "city",
    "host_country", "participating_countries", "speakers", "organisers", "participants", "challenges",
    "proposals", "programmes", "span", "name", "role", "affiliation", "country", "text", "category",
    "speaker", "funder", "published", "publisher", "text_sha256", "url", "ar", "en", "x-note",
])
card_like = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.floats() | st.sampled_from(
        ["", "ar", "2025-02-30", "2025-06-14", "2022", "MA", "NO", "workshop", "a" * 1001, "x\n"]
    ) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(card_keys, children, max_size=6),
    max_leaves=60,
)


def _parse_or_input_error(value):
    try:
        out = parse_card(value, "fuzz")
    except InputError as err:
        assert isinstance(err, CardError) and err.reason
        return None
    assert isinstance(out, dict)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_parse_card_with_any_json_value(value):
    _parse_or_input_error(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(card_keys, card_like, max_size=6))
def test_fuzz_parse_card_with_card_like_mappings(value):
    _parse_or_input_error(value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_example_card(data):
    card = load_card(EXAMPLE_CARD)
    # Replace one value somewhere in a valid card with anything.
    node, keys = card, []
    while isinstance(node, (dict, list)) and node:
        key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node)))))
        keys.append(key)
        if data.draw(st.booleans()):
            break
        node = node[key]
    parent = card
    for key in keys[:-1]:
        parent = parent[key]
    if keys:
        parent[keys[-1]] = data.draw(card_like)
    out = _parse_or_input_error(card)
    if out is not None:
        assert parse_card(out, "again") == out


def test_cards_composed_by_libyaml_read_as_the_pure_python_loader_reads_them(tmp_path):
    """Most cards are composed by libyaml's C composer (no '&' or '*', shallow); the data must be the reference
    loader's, and what the C composer does not bound (depth, node count) is refused with the reference message."""
    from support import EXAMPLES, generated_cards

    from ssekg.ingest.cards import _yaml_load, _yaml_load_python

    paths = sorted(EXAMPLES.glob("*.yaml")) + sorted(generated_cards(tmp_path / "gen", 30, 5).rglob("*.yaml"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _yaml_load(text, str(path)) == _yaml_load_python(text, str(path))
    deep = "x: " + "[" * 40 + "]" * 40 + "\n"  # well inside what the C composer is given, deeper than a card may be
    with pytest.raises(CardError) as fast:
        _yaml_load(deep, "d.yaml")
    with pytest.raises(CardError) as reference:
        _yaml_load_python(deep, "d.yaml")
    assert "nested" in str(fast.value) and str(fast.value) == str(reference.value)
    ampersand = "report: {language: fr, title: 'Recherche & Développement'}\nevents: [{title: x}]\n"
    assert _yaml_load(ampersand, "a.yaml")["report"]["title"] == "Recherche & Développement"
