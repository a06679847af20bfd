"""manage.py suggest_claims ARTICLE_ID."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article, Speaker


def run(*args: str) -> str:
    out = StringIO()
    call_command("suggest_claims", *args, stdout=out)
    return out.getvalue()


def test_it_prints_each_suggestion_with_its_speaker_and_reasons(
    article: Article, regime: Speaker
) -> None:
    printed = run(str(article.pk))
    assert printed.startswith("2 suggested claims in “Article")
    assert '“it was an "arrangement" rather than a deal”' in printed
    assert (
        f"reported, cue “said”: Regime representatives [speaker {regime.pk}] "
        "(“regime representatives”)" in printed
    )
    assert "in the article's own voice" in printed
    assert "because: the article's own voice; a number: 2250; a date: June 2012" in printed


def test_it_offers_a_new_speaker_when_the_register_has_none(article: Article) -> None:
    assert "new speaker Regime representatives (unnamed)" in run(str(article.pk))


def test_json_gives_what_the_api_gives(article: Article) -> None:
    suggestions = json.loads(run(str(article.pk), "--json"))
    assert [s["quote"][:8] for s in suggestions] == ["The deal", "it was a"]
    assert suggestions[1]["attribution"]["cue"] == "said"


@pytest.mark.django_db
def test_an_unknown_article_is_refused() -> None:
    with pytest.raises(CommandError, match="no article 999"):
        run("999")
