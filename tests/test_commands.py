"""The management commands: setup_demo and load_article."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from annotations import selectors
from annotations.models import Article, Claim


def _run(*args: str, **options: object) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def debug(settings) -> None:
    settings.DEBUG = True  # as in development, where the demo belongs


def test_setup_demo_loads_the_article_and_prints_working_logins(db, debug) -> None:
    output = _run("setup_demo", password="s3cret-demo")
    assert "demo-reviewer / s3cret-demo" in output
    assert "demo-moderator / s3cret-demo" in output
    # The login lockout (django-axes) needs the request that logs in.
    reviewer = authenticate(HttpRequest(), username="demo-reviewer", password="s3cret-demo")
    moderator = authenticate(HttpRequest(), username="demo-moderator", password="s3cret-demo")
    assert reviewer is not None and moderator is not None
    assert reviewer.groups.filter(name="Reviewers").exists() and not reviewer.is_staff
    assert moderator.is_staff and moderator.has_perm("annotations.moderate_claim")
    assert Claim.objects.count() == 3


def test_setup_demo_prints_the_address_it_is_given(db, debug) -> None:
    output = _run("setup_demo", site_url="http://0.0.0.0:8123/")
    assert "Log in at http://0.0.0.0:8123/ with:" in output
    assert "The moderator's desk is at http://0.0.0.0:8123/admin/" in output
    assert "8000" not in output


def test_setup_demo_can_run_again_without_duplicating(db, debug) -> None:
    _run("setup_demo")
    output = _run("setup_demo")
    assert "already loaded" in output
    assert Article.objects.count() == 1
    assert Claim.objects.count() == 3


def test_the_second_demo_reviewer_can_rate_the_demo_claims(db, debug) -> None:
    output = _run("setup_demo", password="s3cret-demo")
    assert "demo-reviewer-2 / s3cret-demo" in output
    second = authenticate(HttpRequest(), username="demo-reviewer-2", password="s3cret-demo")
    assert second is not None and not second.is_staff
    # The demo reviewer wrote the three claims, so may not rate them: the second one may.
    assert [c.pk for c in selectors.claims_waiting_for(second)] == sorted(
        Claim.objects.values_list("pk", flat=True)
    )
    first = User.objects.get(username="demo-reviewer")
    assert not selectors.claims_waiting_for(first).exists()


def test_setup_demo_adds_the_second_reviewer_to_an_older_demo(db, debug) -> None:
    _run("setup_demo")
    User.objects.filter(username="demo-reviewer-2").delete()
    _run("setup_demo", password="again")
    second = authenticate(HttpRequest(), username="demo-reviewer-2", password="again")
    assert second is not None
    assert second.groups.filter(name="Reviewers").exists()
    assert Claim.objects.count() == 3


def test_setup_demo_refuses_without_debug(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        _run("setup_demo")
    assert not Article.objects.exists()


def test_load_article_stores_the_text_exactly(db, tmp_path: Path) -> None:
    text = "  Héllo 🇸🇾 wörld.\r\n\nSecond paragraph, e\u0301.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    output = _run("load_article", str(path), outlet="Wire", published_on="2014-05-04")
    article = Article.objects.get()
    assert article.text == text
    assert article.outlet == "Wire"
    assert str(article.published_on) == "2014-05-04"
    assert f"Loaded article {article.pk}" in output


def test_load_article_loads_all_files_or_none(db, tmp_path: Path) -> None:
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("One article.", encoding="utf-8")
    second.write_text("One article.", encoding="utf-8")  # the same text again
    with pytest.raises(CommandError, match="already loaded"):
        _run("load_article", str(first), str(second))
    assert not Article.objects.exists()


def test_load_article_names_a_file_that_is_not_utf8(db, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        _run("load_article", str(path))


def test_load_article_refuses_an_empty_file(db, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CommandError, match="text: The article has no text"):
        _run("load_article", str(path))
