"""article_create and article_update: the text kept exactly, frozen once claims stand on it."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations import services
from annotations.models import Article, title_from_opening

from .factories import ArticleFactory, make_claim

# Leading and trailing space, doubled spaces, a tab, Windows and Unix line ends, a blank line.
RAW_TEXT = "  Homs,  Feb. 7\t(AFP) —\r\nSome 2250 people left.\n\n  The truce held.  \n"


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_it_stores_the_text_exactly_as_given(morgan):
    article = services.article_create(user=morgan, text=RAW_TEXT)

    article.refresh_from_db()
    assert article.text == RAW_TEXT
    assert article.text_sha256 == sha256(RAW_TEXT)


def test_it_stores_emoji_and_decomposed_accents_unchanged(morgan):
    text = "Montre\u0301al, caf\u00e9, 🇸🇾 👨‍👩‍👧"

    article = services.article_create(user=morgan, text=text)

    article.refresh_from_db()
    assert article.text == text
    assert len(article.text) == len(text)
    assert article.text_sha256 == sha256(text)


def test_it_tidies_the_metadata(morgan):
    article = services.article_create(
        user=morgan,
        text=RAW_TEXT,
        title="  Homs truce  ",
        outlet=" AFP ",
        byline=" Staff ",
        url=" https://www.afp.com/homs ",
        published_on=date(2014, 2, 7),
        language=" ar ",
    )

    article.refresh_from_db()
    assert (article.title, article.outlet, article.byline) == ("Homs truce", "AFP", "Staff")
    assert article.url == "https://www.afp.com/homs"
    assert article.language == "ar"
    assert article.created_by == morgan
    assert article.history.get().history_user == morgan


def test_it_lets_the_operator_create_articles_without_a_user(db):
    article = services.article_create(user=None, text="Some text.")

    assert article.created_by is None
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_it_refuses_an_article_without_text(morgan, text):
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=morgan, text=text)

    assert "no text" in messages(exc, "text")
    assert not Article.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.org/a", "javascript:alert(1)"])
def test_it_refuses_an_address_that_is_not_a_web_address(morgan, url):
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=morgan, text="Text.", url=url)

    assert "http:// or https://" in messages(exc, "url")


def test_it_refuses_a_language_that_is_not_a_language_tag(morgan):
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=morgan, text="Text.", language="English")

    assert "language tag" in messages(exc, "language")


def test_update_changes_the_text_and_its_hash_while_no_claim_stands_on_it(morgan):
    article = ArticleFactory(text="First draft.")

    services.article_update(article=article, user=morgan, text="  Second draft,\nfixed.  ")

    article.refresh_from_db()
    assert article.text == "  Second draft,\nfixed.  "
    assert article.text_sha256 == sha256("  Second draft,\nfixed.  ")


def test_update_refuses_a_new_text_once_claims_stand_on_it(alice, morgan, article):
    make_claim(user=alice, article=article, phrase="some 2250 people")
    make_claim(user=alice, article=article, phrase="mostly fighters")
    old_text, old_hash = article.text, article.text_sha256

    with pytest.raises(ValidationError) as exc:
        services.article_update(article=article, user=morgan, text=old_text + " Updated.")

    assert "2 claim(s)" in messages(exc, "text")
    article.refresh_from_db()
    assert (article.text, article.text_sha256) == (old_text, old_hash)


def test_update_changes_the_metadata_of_an_article_with_claims(alice, morgan, article):
    make_claim(user=alice, article=article, phrase="some 2250 people")

    services.article_update(article=article, user=morgan, title=" Homs ", text=article.text)

    article.refresh_from_db()
    assert article.title == "Homs"


def test_update_refuses_an_empty_text(morgan):
    article = ArticleFactory(text="First draft.")

    with pytest.raises(ValidationError) as exc:
        services.article_update(article=article, user=morgan, text="   ")

    assert "text" in exc.value.message_dict
    article.refresh_from_db()
    assert article.text == "First draft."


def test_update_refuses_to_set_the_hash_directly(morgan, article):
    with pytest.raises(TypeError, match="text_sha256"):
        services.article_update(article=article, user=morgan, text_sha256="0" * 64)


def test_update_records_the_editor_in_the_history(morgan, article):
    services.article_update(article=article, user=morgan, outlet="AFP")

    assert article.history.first().history_user == morgan


def test_display_title_falls_back_to_the_opening_words():
    untitled = Article(title="", text="one two three four five six seven eight nine ten eleven")
    short = Article(title="", text="  one\ntwo  ")

    assert untitled.display_title == "one two three four five six seven eight nine ten…"
    assert short.display_title == "one two"
    assert Article(title="Homs", text="x").display_title == "Homs"


def test_the_title_from_the_opening_of_a_text_is_the_display_title():
    text = "one two three four five six seven eight nine ten eleven " + "word " * 200
    untitled = Article(title="", text=text)

    assert title_from_opening(text[:60]) == untitled.display_title
    assert title_from_opening(" one\ttwo ") == "one two"


# Checking without writing ------------------------------------------------------


def test_check_article_returns_the_article_it_would_create_and_writes_nothing(morgan):
    article = services.check_article(user=morgan, text=RAW_TEXT, title="  Homs  ")

    assert article.pk is None
    assert (article.title, article.text_sha256) == ("Homs", sha256(RAW_TEXT))
    assert not Article.objects.exists()


def test_check_article_refuses_what_article_create_refuses(morgan, article):
    with pytest.raises(ValidationError) as exc:
        services.check_article(user=morgan, text=article.text)

    assert "already loaded" in messages(exc, "text")


def test_check_article_leaves_the_article_it_checks_unchanged(morgan, article):
    checked = services.check_article(user=morgan, article=article, outlet=" AFP ")

    assert checked.outlet == "AFP"
    assert article.outlet == ""
    article.refresh_from_db()
    assert article.outlet == ""


def test_check_article_refuses_a_new_text_under_claims(morgan, alice, article):
    make_claim(user=alice, article=article, phrase="some 2250 people")

    with pytest.raises(ValidationError) as exc:
        services.check_article(user=morgan, article=article, text="Another text.")

    assert "1 claim(s)" in messages(exc, "text")


def test_two_articles_cannot_name_the_same_address(morgan):
    url = "https://news.example.org/2014/05/07/homs"
    first = services.article_create(user=morgan, text="First text.", url=url)

    with pytest.raises(ValidationError) as refused:
        services.article_create(user=morgan, text="Second text.", url=f" {url} ")
    assert f"(article {first.pk})" in refused.value.message_dict["url"][0]

    other = services.article_create(user=morgan, text="Third text.")
    with pytest.raises(ValidationError):
        services.article_update(article=other, user=morgan, url=url)
    assert services.article_update(article=first, user=morgan, url=url).url == url  # itself
    services.article_create(user=morgan, text="Fourth text.")  # no address: no clash


def test_the_database_keeps_one_article_per_address(db):
    ArticleFactory(text="One.", url="https://news.example.org/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(text="Two.", url="https://news.example.org/a")
    ArticleFactory(text="Three.", url="")
    ArticleFactory(text="Four.", url="")
