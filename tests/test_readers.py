"""Reading reports: encodings, formats, metadata and the inputs that are rejected."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ssekg.errors import InputError
from ssekg.ingest.extract import extract
from ssekg.ingest.readers import MAX_HTML_BYTES, REPORT_SUFFIXES, detect_language, read_report, read_report_bytes

AR = "انعقدت بمدينة الرباط ورشة حول الاقتصاد الاجتماعي والتضامني بمشاركة ممثلين من السنغال وتونس."
FR = "L'atelier régional sur l'économie sociale et solidaire s'est tenu à Dakar, où les délégués ont évoqué les défis."
EN = "The regional workshop on the social and solidarity economy was held in Accra with delegates from Ghana."


@pytest.mark.parametrize("text,encoding", [(AR, "utf-8"), (AR, "utf-8-sig"), (AR, "cp1256"), (FR, "cp1252"),
                                           (FR, "latin-1"), (FR, "utf-8-sig"), (EN, "utf-8")])
def test_encodings_are_detected(text, encoding):
    r = read_report_bytes(text.encode(encoding), "r.txt")
    assert r.text == text


@pytest.mark.parametrize("text,lang", [(AR, "ar"), (FR, "fr"), (EN, "en")])
def test_language_is_detected(text, lang):
    assert detect_language(text) == lang
    assert read_report_bytes(text.encode(), "r.txt").language == lang


def test_crlf_and_bom_are_normalised():
    r = read_report_bytes(("\ufeff" + FR + "\r\n" + EN + "\r\n").encode("utf-8"), "r.txt")
    assert r.text == FR + "\n" + EN


def test_front_matter(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("---\nurl: https://example.org/a\npublished: 2025-03-14\npublisher: Le Journal\nlanguage: fr\n---\n# Titre\n\n" + FR, encoding="utf-8")
    r = read_report(p)
    assert (r.url, r.published, r.publisher, r.language, r.format) == ("https://example.org/a", "2025-03-14", "Le Journal", "fr", "markdown")
    assert r.text.startswith("Titre\n")
    assert "---" not in r.text


def test_sidecar_metadata(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text(EN, encoding="utf-8")
    (tmp_path / "b.txt.meta.yaml").write_text("published: 2025-05-16\nsource_url: https://example.org/b\n", encoding="utf-8")
    r = read_report(p)
    assert r.published == "2025-05-16" and r.url == "https://example.org/b"


def test_bad_date_in_metadata_is_rejected():
    with pytest.raises(InputError):
        read_report_bytes(("---\npublished: yesterday\n---\n" + EN).encode(), "c.txt")


def test_html_main_content_only():
    html = f"""<html lang="fr"><head><title>Atelier</title></head><body>
    <nav><ul><li>Accueil</li><li>Maroc</li><li>Sport</li></ul></nav>
    <article><h1>Atelier à Dakar</h1><p>{FR}</p><p>{FR.replace('Dakar', 'Thiès')}</p></article>
    <div class="share">Partager sur Facebook</div>
    <aside><h3>Articles liés</h3><ul><li><a href="/x">Forum au Portugal</a></li></ul></aside>
    <section class="comments"><p>Bravo la Tunisie</p></section><footer>© 2025</footer></body></html>"""
    r = read_report_bytes(html.encode(), "p.html")
    assert "Dakar" in r.text
    for noise in ("Accueil", "Partager", "Portugal", "Tunisie", "©"):
        assert noise not in r.text
    assert r.language == "fr" and r.format == "html"
    assert r.published is None  # never guessed from a copyright line


def test_suffixes():
    assert {".txt", ".md", ".html", ".htm"} <= set(REPORT_SUFFIXES)


def test_empty_file_is_rejected(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_report(p)


def test_binary_file_renamed_txt_is_rejected(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    with pytest.raises(InputError, match="binary"):
        read_report(p)


def test_a_five_megabyte_page_yields_its_article(tmp_path):
    """Saved news pages are large (scripts, inline data, menus); the article inside is what counts."""
    article = (Path(__file__).parent / "corpus" / "fr" / "fr03.html").read_text(encoding="utf-8")
    head, body = article.split("<body>", 1)
    bloat_script = "<script>window.__STATE__ = " + json.dumps({"items": ["x" * 200] * 24_000}) + ";</script>"
    menu = "<nav><ul>" + "".join(f'<li><a href="/r/{i}">Rubrique {i}</a></li>' for i in range(3_000)) + "</ul></nav>"
    page = head + "<body>" + bloat_script + menu + body
    p = tmp_path / "big.html"
    p.write_bytes(page.encode("utf-8"))
    assert p.stat().st_size > 5_000_000
    report = read_report(p)
    assert "webinaire" in report.text and "Rubrique 17" not in report.text and "__STATE__" not in report.text
    card = extract(report)
    assert set(card["events"][0]["participating_countries"]) >= {"CM", "BJ", "TG"}


def test_a_page_past_the_size_limit_and_a_wall_of_nothing_are_rejected_clearly(tmp_path):
    huge = tmp_path / "huge.html"
    huge.write_bytes(b"<html><body><p>" + b"x" * (MAX_HTML_BYTES + 10) + b"</p></body></html>")
    with pytest.raises(InputError, match="too large"):
        read_report(huge)
    wall = tmp_path / "wall.html"
    wall.write_bytes(b"<html><body>" + b"<p>" + b"x" * 5_000_000 + b"</p></body></html>")
    with pytest.raises(InputError):
        read_report(wall)


def test_html_without_text_is_rejected():
    with pytest.raises(InputError):
        read_report_bytes(b"<html><body><nav>menu</nav><script>var a=1;</script></body></html>", "n.html")


def test_undecodable_is_rejected():
    # bytes that are no UTF-8, and read as a single-byte code page give gibberish mixing scripts
    data = bytes(range(0x80, 0x100)) * 20
    with pytest.raises(InputError):
        read_report_bytes(data, "g.txt")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        read_report(tmp_path / "nope.txt")


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    from ssekg.ingest.extract import extract

    files = {"empty.txt": b"", "bin.txt": b"\x00\x01" * 100, "ok.txt": AR.encode(), "noevent.txt": "Le prix du blé a augmenté de 3 % cette semaine.".encode()}
    results = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        try:
            results[name] = extract(read_report(tmp_path / name))
        except InputError as exc:
            results[name] = exc
    assert isinstance(results["empty.txt"], InputError)
    assert isinstance(results["bin.txt"], InputError)
    assert isinstance(results["noevent.txt"], InputError)
    assert results["ok.txt"]["events"][0]["city"]["country"] == "MA"
