"""The review loop below the browser (issue 16): revisions kept beside the store, a save validated by the card's
schema and the shapes and written in one update, conflicts, the curators' credentials, the queue's order, the
curated-only queries, and the round trip extract → curate → ``ssekg gold export`` → the extraction benchmark
(the exported gold scores 1.0 against the curated cards) → the trainer's reading of it.

Our own reports (tests/corpus) are the texts; nothing here reads the shared corpus.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ssekg.ingest.review import (
    Conflict,
    Rejected,
    apply_edit,
    archived_keys,
    load_revision,
    node_paths,
    revision_path,
    save_revision,
    split_problem,
)

from ssekg.cli import main

ROOT = Path(__file__).resolve().parent.parent
FR, AR = ROOT / "tests" / "corpus" / "fr" / "fr01.txt", ROOT / "tests" / "corpus" / "ar" / "ar01.txt"
ALICE, BOB = "alice-token-0123456789", "bob-token-0123456789abcd"
BASE = "https://w3id.org/ssekg/id/"


@pytest.fixture
def ingested(tmp_path):
    """Two of our reports ingested from their texts by `ssekg ingest` (the review folder is the store's)."""
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["ingest", "-q", "--store", str(store), str(FR), str(AR)], env={"SSEKG_REVIEW_DIR": ""})
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def app(ingested, tmp_path):
    from ssekg.server import create_app

    from ssekg.settings import load_settings
    from ssekg.store import Store

    store = Store.open(ingested)
    settings = load_settings({"store": str(ingested), "curators": f"alice={ALICE},bob={BOB}"}, environ={})
    application = create_app(settings, store)
    application.store = store
    yield application
    if store.ox is not None:  # the round trip closes it to let `ssekg gold export` open the store
        store.close()


def auth(token: str, basic: bool = False) -> dict[str, str]:
    if basic:
        return {"Authorization": "Basic " + base64.b64encode(f"anyone:{token}".encode()).decode()}
    return {"Authorization": f"Bearer {token}"}


def keys_of(app) -> dict[str, str]:
    from ssekg.ingest.mapping import card_key

    cards = {k: load_revision(app.extensions["ssekg"].settings.review_path, k, 0) for k in
             archived_keys(app.extensions["ssekg"].settings.review_path)}
    return {c["report"]["language"]: card_key(c) for c in cards.values()}


def test_ingest_from_texts_keeps_each_extraction_as_revision_0(ingested):
    review = ingested / "review"
    kept = archived_keys(review)
    assert len(kept) == 2
    for key in kept:
        card = load_revision(review, key, 0)
        assert card["report"]["text"] and card["report"]["extractor"]["name"] == "ssekg-extract"
        assert revision_path(review, key, 0).exists()


def test_a_hand_written_card_is_not_kept_for_review(tmp_path):
    store = tmp_path / "store"
    card = ROOT / "examples" / "cards" / "tunis-forum-fr.yaml"
    result = CliRunner().invoke(main, ["ingest", "-q", "--store", str(store), str(card)], env={"SSEKG_REVIEW_DIR": ""})
    assert result.exit_code == 0, result.output
    assert archived_keys(store / "review") == set()


def test_the_review_pages_need_a_curator(app):
    client = app.test_client()
    key = keys_of(app)["fr"]
    for path in ("/review", f"/review/{key}"):
        r = client.get(path)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic ")
        assert client.get(path, headers=auth("wrong-token-000000000")).status_code == 401
        ok = client.get(path, headers=auth(ALICE, basic=True))
        assert ok.status_code == 200
        assert ok.headers["Cache-Control"] == "no-store" and "Access-Control-Allow-Origin" not in ok.headers
        assert "script-src 'self'" in ok.headers["Content-Security-Policy"]
    # a save's 401 does not ask the browser for a login box
    r = client.put(f"/review/{key}", json={"revision": 0, "events": []})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer ")


def test_no_curators_no_review_pages(ingested):
    from ssekg.server import create_app

    from ssekg.settings import load_settings
    from ssekg.store import Store

    store = Store.open(ingested)
    try:
        client = create_app(load_settings({"store": str(ingested)}, environ={}), store).test_client()
        r = client.get("/review", headers=auth(ALICE))
        assert r.status_code == 403 and "no curators" in r.get_json()["error"]
    finally:
        store.close()


def test_the_page_carries_the_card_and_the_text_as_data_not_markup(app):
    client = app.test_client()
    key = keys_of(app)["ar"]
    r = client.get(f"/review/{key}?format=json", headers=auth(ALICE))
    data = r.get_json()
    assert data["revision"] == 0 and data["report"]["language"] == "ar" and data["events"]
    assert [n for n, _ in data["schemes"]["challenge"]][-1] == "other"
    html = client.get(f"/review/{key}", headers=auth(ALICE)).get_data(as_text=True)
    assert '<script type="application/json" id="review-data">' in html and 'dir="rtl"' in html
    assert "<script>" not in html  # no inline script (the CSP would block it)
    assert client.get("/review/not-a-key", headers=auth(ALICE)).status_code == 404
    assert client.get("/review/" + "0" * 16, headers=auth(ALICE)).status_code == 404


def test_a_save_makes_a_revision_with_its_curator_and_provenance(app):
    client = app.test_client()
    key = keys_of(app)["fr"]
    data = client.get(f"/review/{key}?format=json", headers=auth(ALICE)).get_json()
    events = data["events"]
    events[0]["challenges"][0]["curated"] = True
    r = client.put(f"/review/{key}", json={"revision": 0, "events": events}, headers=auth(ALICE))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["revision"] == 1 and r.get_json()["curator"] == "alice"
    store = app.store
    report = f"<{BASE}report/{key}>"
    ask = lambda q: bool(store.query(q))
    assert ask(f"ASK {{ GRAPH {report} {{ {report} <https://w3id.org/ssekg/ontology#revisionNumber> 1 ; "
               f"<http://www.w3.org/ns/prov#wasAttributedTo> <{BASE}curator/alice> }} }}")
    assert ask(f"ASK {{ GRAPH {report} {{ <{BASE}report/{key}/revision/1> <http://www.w3.org/ns/prov#wasRevisionOf> "
               f"<{BASE}report/{key}/revision/0> }} }}")
    statement = f"<{BASE}challenge/{key}-1-1>"
    assert ask(f"ASK {{ {statement} <https://w3id.org/ssekg/ontology#curated> true }}")
    assert not ask(f"ASK {{ {statement} <https://w3id.org/ssekg/ontology#confidence> ?c }}")  # a person vouches now
    # the second statement was left alone: still extracted, with its confidence
    assert ask(f"ASK {{ <{BASE}challenge/{key}-1-2> <https://w3id.org/ssekg/ontology#confidence> ?c }}")
    # the page opens the new revision
    assert client.get(f"/review/{key}?format=json", headers=auth(BOB)).get_json()["revision"] == 1


def test_two_curators_on_one_report_the_second_is_refused(app):
    client = app.test_client()
    key = keys_of(app)["fr"]
    events = client.get(f"/review/{key}?format=json", headers=auth(ALICE)).get_json()["events"]
    assert client.put(f"/review/{key}", json={"revision": 0, "events": events}, headers=auth(ALICE)).status_code == 200
    r = client.put(f"/review/{key}", json={"revision": 0, "events": events}, headers=auth(BOB))
    assert r.status_code == 409 and r.get_json()["current"] == 1 and "changed since you opened it" in r.get_json()["error"]
    assert not revision_path(app.extensions["ssekg"].settings.review_path, key, 2).exists()


def test_an_invalid_revision_names_the_field_and_stores_nothing(app):
    client = app.test_client()
    key = keys_of(app)["fr"]
    before = set(app.store.ox.quads_for_pattern(None, None, None, None))
    events = client.get(f"/review/{key}?format=json", headers=auth(ALICE)).get_json()["events"]
    bad = json.loads(json.dumps(events))
    bad[0]["challenges"][0]["category"] = "no-such-category"
    r = client.put(f"/review/{key}", json={"revision": 0, "events": bad}, headers=auth(ALICE))
    assert r.status_code == 422
    assert r.get_json()["problems"][0]["path"] == "events[0].challenges[0].category"
    bad = json.loads(json.dumps(events))
    bad[0]["challenges"][0]["span"] = [10, 10_000_000]
    r = client.put(f"/review/{key}", json={"revision": 0, "events": bad}, headers=auth(ALICE))
    assert r.status_code == 422 and r.get_json()["problems"][0]["path"] == "events[0].challenges[0].span"
    bad = json.loads(json.dumps(events))
    bad[0]["challenges"][0]["speaker"] = "Nobody Here"
    r = client.put(f"/review/{key}", json={"revision": 0, "events": bad}, headers=auth(ALICE))
    assert r.status_code == 422 and r.get_json()["problems"][0]["path"] == "events[0].challenges[0].speaker"
    # an edit cannot carry another text (the spans would point into it) or any other key
    r = client.put(f"/review/{key}", json={"revision": 0, "events": events, "report": {"text": "x"}}, headers=auth(ALICE))
    assert r.status_code == 422
    assert client.put(f"/review/{key}", data="revision=0", headers={**auth(ALICE), "Content-Type":
                                                                     "application/x-www-form-urlencoded"}).status_code == 415
    r = client.put(f"/review/{key}", json={"revision": 0, "events": events},
                   headers={**auth(ALICE), "Origin": "https://elsewhere.example"})
    assert r.status_code == 403
    assert set(app.store.ox.quads_for_pattern(None, None, None, None)) == before
    assert not revision_path(app.extensions["ssekg"].settings.review_path, key, 1).exists()


def test_a_report_marked_as_telling_of_no_event(app):
    client = app.test_client()
    key = keys_of(app)["ar"]
    r = client.put(f"/review/{key}", json={"revision": 0, "events": [], "no_event": True}, headers=auth(BOB))
    assert r.status_code == 200
    assert not app.store.query(f"ASK {{ ?e <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}report/{key}> }}")
    card = load_revision(app.extensions["ssekg"].settings.review_path, key, 1)
    assert card["events"] == [] and card["report"]["no_event"] is True
    # events without the mark, or the mark with events, are refused
    r = client.put(f"/review/{key}", json={"revision": 1, "events": []}, headers=auth(BOB))
    assert r.status_code == 422 and r.get_json()["problems"][0]["path"] == "events"


def test_a_store_that_refuses_the_write_leaves_no_revision(tmp_path, ingested):
    from ssekg.ingest.reference import load_reference

    from ssekg.store import Store

    review = ingested / "review"
    key = next(iter(archived_keys(review)))
    opened = load_revision(review, key, 0)
    store = Store.open(ingested)
    try:
        reference = load_reference(store.base, store)

        def failing(prepared):
            raise OSError("disk full")

        with pytest.raises(OSError):
            save_revision(review, key, {"revision": 0, "events": opened["events"]}, curator="alice", current=0,
                          reference=reference, write=failing)
        assert not revision_path(review, key, 1).exists()
        with pytest.raises(Conflict):
            save_revision(review, key, {"revision": 1, "events": opened["events"]}, curator="alice", current=0,
                          reference=reference, write=failing)
    finally:
        store.close()


def test_apply_edit_keeps_the_opened_report_and_statement_texts_follow_their_spans():
    text = "Les participants demandent un fonds de garantie et une loi."
    opened = {"card": 1, "language": "fr", "report": {"language": "fr", "text": text, "extractor": {"name": "x", "version": "1"}},
              "events": []}
    edit = {"revision": 0, "events": [{"title": "t", "proposals": [
        {"text": "anything", "span": [30, 47], "curated": True, "confidence": 0.4}]}]}
    card = apply_edit(opened, edit, "alice", "2026-01-01T00:00:00Z")
    assert card["report"]["text"] == text and card["report"]["revisions"] == [{"curator": "alice", "at": "2026-01-01T00:00:00Z"}]
    proposal = card["events"][0]["proposals"][0]
    assert proposal["text"] == "fonds de garantie" and "confidence" not in proposal
    assert opened["report"].get("revisions") is None  # the opened revision is not changed
    with pytest.raises(Rejected):
        apply_edit(opened, {"revision": 0, "events": [], "extra": 1}, "alice", "x")


def test_problem_paths():
    assert split_problem("events[0].challenges[2].category: 'x' is not a concept") == {
        "path": "events[0].challenges[2].category", "message": "'x' is not a concept"}
    assert split_problem("a card needs something") == {"path": "", "message": "a card needs something"}
    card = {"report": {"language": "fr", "text_sha256": "ab" * 32},
            "events": [{"title": "t", "speakers": [{"name": "Awa Ndiaye"}], "challenges": [{"text": "a"}, {"text": "b"}]}]}
    paths = node_paths(card, BASE)
    key = "ab" * 8
    assert paths[f"{BASE}challenge/{key}-1-2"] == "events[0].challenges[1]"
    assert paths[f"{BASE}event/{key}-1"] == "events[0]"
    assert paths[f"{BASE}person/awa-ndiaye"] == "events[0].speakers[0]"


def test_every_node_of_a_card_has_its_path(ingested):
    """A shape's result about any node the mapping makes is shown next to the field it came from: the paths follow
    the mapping's IRIs (this fails if the two drift apart)."""
    from rdflib import RDF

    from ssekg.ingest.mapping import card_to_graph
    from ssekg.namespaces import SSE

    review = ingested / "review"
    for key in archived_keys(review):
        card = load_revision(review, key, 0)
        card["events"][0]["organisers"] = [{"name": "Réseau des coopératives"}]
        card["events"][0]["programmes"] = [{"name": "Programme Test 2024-2026", "funder": "Fonds Test"}]
        paths = node_paths(card, BASE)
        graph = card_to_graph(card, BASE)
        kinds = (SSE.Event, SSE.Challenge, SSE.Proposal, SSE.Speaker, SSE.Organisation, SSE.Programme, SSE.Report)
        nodes = {str(s) for kind in kinds for s in graph.subjects(RDF.type, kind)}
        nodes -= {str(o) for o in graph.objects(None, SSE.affiliation)}  # an affiliation is its speaker's field
        assert len(nodes) >= 6 and nodes <= set(paths), nodes - set(paths)


def test_curators_setting():
    from ssekg.errors import SettingsError
    from ssekg.settings import load_settings

    s = load_settings({"curators": f"alice={ALICE}, bob={BOB}"}, environ={})
    assert s.curators == {"alice": ALICE, "bob": BOB}
    for bad, why in ((f"alice={ALICE},bob={ALICE}", "share a token"), ("alice=short", "shorter than 16"),
                     (f"al ice={ALICE}", "letters, digits"), ("alice", "name=token")):
        with pytest.raises(SettingsError, match=why):
            load_settings({"curators": bad}, environ={})


def test_the_queue_puts_the_most_doubtful_first(app):
    from ssekg.server.review import doubt_order

    rows = [
        {"key": "a", "revision": 0, "lowest": 0.8, "facts": 3, "start": "2025-01-01", "published": None},
        {"key": "b", "revision": 0, "lowest": 0.3, "facts": 3, "start": "2025-01-01", "published": None},
        {"key": "c", "revision": 0, "lowest": 0.3, "facts": 9, "start": "2026-01-01", "published": None},
        {"key": "d", "revision": 2, "lowest": 0.1, "facts": 9, "start": None, "published": None},
        {"key": "e", "revision": 0, "lowest": 0.3, "facts": 9, "start": None, "published": "2024-05-01"},
    ]
    assert [r["key"] for r in sorted(rows, key=doubt_order)] == ["e", "c", "b", "a", "d"]
    client = app.test_client()
    html = client.get("/review?status=all", headers=auth(ALICE)).get_data(as_text=True)
    assert html.count("<tr data-key=") == 2
    keys = keys_of(app)
    assert client.get("/review?language=ar", headers=auth(ALICE)).get_data(as_text=True).count(keys["ar"]) >= 1
    assert keys["fr"] not in client.get("/review?language=ar", headers=auth(ALICE)).get_data(as_text=True)
    assert keys["ar"] not in client.get("/review?country=PT", headers=auth(ALICE)).get_data(as_text=True)
    assert keys["fr"] in client.get("/review?country=PT", headers=auth(ALICE)).get_data(as_text=True)
    assert keys["fr"] not in client.get("/review?from=2025-07-01", headers=auth(ALICE)).get_data(as_text=True)
    # once saved, a report leaves the default queue (not reviewed) for the reviewed one
    events = client.get(f"/review/{keys['fr']}?format=json", headers=auth(ALICE)).get_json()["events"]
    client.put(f"/review/{keys['fr']}", json={"revision": 0, "events": events}, headers=auth(ALICE))
    assert keys["fr"] not in client.get("/review", headers=auth(ALICE)).get_data(as_text=True)
    assert keys["fr"] in client.get("/review?status=curated", headers=auth(ALICE)).get_data(as_text=True)


def test_curated_only_counts_what_curators_checked(app):
    from ssekg.query import run_named

    client = app.test_client()
    key = keys_of(app)["fr"]

    def count(**params):
        result = run_named(app.store, "challenges-by-country", params)
        return sum(int(r["statements"].value) for r in result)

    every, checked = count(), count(curated="only")
    assert every >= 3 and checked == 0
    events = client.get(f"/review/{key}?format=json", headers=auth(ALICE)).get_json()["events"]
    events[0]["challenges"][0]["curated"] = True
    events[0]["challenges"][1]["curated"] = True
    assert client.put(f"/review/{key}", json={"revision": 0, "events": events}, headers=auth(ALICE)).status_code == 200
    assert count(curated="only") == 2 and count() == every
    r = client.get("/queries/challenges-by-country.csv", query_string={"curated": "only"})
    assert r.status_code == 200 and len(r.get_data(as_text=True).splitlines()) >= 2


def test_round_trip_curate_export_score_and_train(app, ingested, tmp_path):
    """extract → curate (two reports, through the server) → `ssekg gold export` → the benchmark scores the exported
    gold 1.0 against the curated cards → the trainer reads the exported reports."""
    client = app.test_client()
    keys = keys_of(app)
    for lang, token in (("fr", ALICE), ("ar", BOB)):
        data = client.get(f"/review/{keys[lang]}?format=json", headers=auth(token)).get_json()
        ev = data["events"][0]
        text = data["report"]["text"]
        ev["challenges"].pop()  # reject one
        last = text.rstrip().rsplit("\n", 1)[-1]  # add the last line as a proposal (any words of the text do)
        at = text.index(last)
        ev["proposals"].append({"text": last, "span": [at, at + len(last)], "category": "other", "curated": True})
        r = client.put(f"/review/{keys[lang]}", json={"revision": 0, "events": data["events"]}, headers=auth(token))
        assert r.status_code == 200, r.get_json()
    app.store.close()  # `ssekg gold export` opens the store itself

    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["gold", "export", "--store", str(ingested), str(out)], env={"SSEKG_REVIEW_DIR": ""})
    assert result.exit_code == 0, result.output
    assert "2 curated reports" in result.output
    from ssekg.ingest.gold import iter_gold

    golds = list(iter_gold(out / "gold", corpus=out))
    assert sorted(g.id for g in golds) == sorted(keys.values())
    assert all(g.fold == "train" for g in golds)

    report = tmp_path / "bench.json"
    bench = subprocess.run([sys.executable, str(ROOT / "bench" / "extract.py"), "--gold", str(out), "--cards",
                            str(out / "cards.json"), "--folds", "train", "--json", str(report)],
                           capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert bench.returncode == 0, bench.stderr
    totals = json.loads(report.read_text())["train"]["all"]
    assert totals["macro_f1"] == 1.0, totals
    fields = ("countries", "cities", "speakers", "organisations", "challenges", "proposals", "programmes", "dates")
    assert all(totals[f]["f1"] == 1.0 for f in fields + ("events",)), totals
    assert totals["category_accuracy"] == 1.0 and totals["status_accuracy"] == 1.0
    assert totals["challenges"]["gold"] >= 2 and totals["proposals"]["gold"] >= 4  # not 1.0 of nothing

    from ssekg.ingest.train import sequences, training_reports

    learned = [g.id for g in training_reports(tmp_path / "no-gold-of-ours", ["train"], [out])]
    assert sorted(learned) == sorted(keys.values())  # what `make train TRAIN_ARGS="--extra-gold DIR"` adds
    for g in golds:
        _, segments = sequences(g)
        assert segments and any(label != "O" for _, label in segments)


def test_ingesting_a_curated_report_again_keeps_the_curators_work(app, ingested):
    """The text of a report curators corrected, ingested again, does not replace their revision (it would come back
    as the extraction), unless asked to; the extraction their revision was made from is kept too."""
    client = app.test_client()
    key = keys_of(app)["fr"]
    review = app.extensions["ssekg"].settings.review_path
    events = client.get(f"/review/{key}?format=json", headers=auth(ALICE)).get_json()["events"]
    assert client.put(f"/review/{key}", json={"revision": 0, "events": events}, headers=auth(ALICE)).status_code == 200
    app.store.close()
    extraction = revision_path(review, key, 0).read_bytes()

    again = CliRunner().invoke(main, ["ingest", "-q", "-j", "2", "--store", str(ingested), str(FR), str(AR)],
                               env={"SSEKG_REVIEW_DIR": ""})
    assert again.exit_code == 1
    assert f"report {key} holds revision 1, corrected by curators" in again.output and "ssekg drop" in again.output
    assert "2 read, 1 accepted, 1 rejected" in again.output  # the Arabic one, never curated, is replaced as usual
    alone = CliRunner().invoke(main, ["ingest", "-q", "--store", str(ingested), str(FR)], env={"SSEKG_REVIEW_DIR": ""})
    assert alone.exit_code == 1 and "corrected by curators" in alone.output  # the one-file path too
    from ssekg.ingest.review import stored_revisions

    from ssekg.store import Store

    store = Store.open(ingested)
    try:
        assert stored_revisions(store, [key]) == {key: 1}
    finally:
        store.close()
    assert revision_path(review, key, 0).read_bytes() == extraction

    forced = CliRunner().invoke(main, ["ingest", "-q", "--replace-curated", "--store", str(ingested), str(FR)],
                                env={"SSEKG_REVIEW_DIR": ""})
    assert forced.exit_code == 0, forced.output
    store = Store.open(ingested)
    try:
        assert stored_revisions(store, [key]) == {}  # as extracted again
    finally:
        store.close()
