"""manage.py import_article SOURCE... [--dry-run]."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article

from .conftest import PAGES


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_article", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_addresses_and_files(db, page_server: str, local_fetches: None) -> None:
    out, _ = run(f"{page_server}/pages/wire-video.html", str(PAGES / "emoji-quotes.html"))

    assert Article.objects.count() == 2
    wire = Article.objects.get(outlet="Levant Wire")
    lantern = Article.objects.get(outlet="The Daily Lantern")
    assert f"imported as article {wire.pk}" in out and f"imported as article {lantern.pk}" in out
    assert wire.created_by is None and wire.history.get().history_user is None
    assert "🤷\u200d♀️" in lantern.text


def test_a_dry_run_shows_the_extraction_and_stores_nothing(db) -> None:
    out, _ = run("--dry-run", str(PAGES / "arabic-rtl.html"))

    assert "would import" in out
    assert "outlet: صحيفة الشام" in out and "language: ar" in out
    assert "published_on: 2014-05-07" in out
    assert "- اقرأ أيضاً: قافلة مساعدات تصل إلى حلب" in out
    assert not Article.objects.exists()


def test_one_bad_source_is_reported_and_the_others_imported(db, tmp_path: Path) -> None:
    text = tmp_path / "story.txt"
    text.write_text("A pasted story — with “quotes”.\n\nSecond paragraph.", encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe not utf-8")

    with pytest.raises(CommandError, match="2 of 4 source"):
        call_command(
            "import_article",
            str(broken),
            str(text),
            "http://127.0.0.1/",  # internal: refused
            str(PAGES / "bare-minimum.html"),
            stdout=StringIO(),
            stderr=(err := StringIO()),
        )

    assert "broken.txt: not UTF-8 text" in err.getvalue()
    assert "http://127.0.0.1/: url: 127.0.0.1 resolves to 127.0.0.1, an internal address" in (
        err.getvalue()
    )
    assert Article.objects.count() == 2
    assert Article.objects.filter(text__startswith="A pasted story — with “quotes”.").exists()


def test_a_duplicate_is_reported_with_the_article_there(db) -> None:
    run(str(PAGES / "wire-video.html"))
    existing = Article.objects.get()

    with pytest.raises(CommandError):
        call_command(
            "import_article",
            str(PAGES / "wire-video.html"),
            stdout=StringIO(),
            stderr=(err := StringIO()),
        )

    assert f"already on the desk as “{existing}” (article {existing.pk})" in err.getvalue()
