"""Loading articles and changing their metadata."""

import copy
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from ..importing.extract import Extraction, extract
from ..importing.fetch import FetchError, fetch
from ..models import ARTICLE_TEXT_MAX, Article, http_url_validator
from .common import (
    check_length,
    history_context,
    raise_errors,
    reject_unknown,
    require,
    text_sha256,
)

ARTICLE_FIELDS = ("title", "outlet", "byline", "url", "published_on", "language", "text")


def check_article(
    *, user: AbstractBaseUser | None, article: Article | None = None, **fields: Any
) -> Article:
    """Check a new article (no ``article``) or changes to one, without writing anything.

    Return the article as article_create or article_update would save it:
    a new instance, or a copy of ``article`` with the changes; ``article``
    itself is left as it is. ``user=None`` is the server's operator.
    """
    reject_unknown("check_article", fields, ARTICLE_FIELDS)
    if user is not None:
        if article is None:
            require(user.has_perm("annotations.add_article"), "You may not add articles.")
        else:
            require(user.has_perm("annotations.change_article"), "You may not change articles.")
    if article is None:
        article = Article(created_by=user)
    else:
        if "text" in fields and fields["text"] != article.text:
            claim_count = article.claims.count()
            if claim_count:
                raise ValidationError(
                    {
                        "text": (
                            f"This article has {claim_count} claim(s) whose offsets point into "
                            "its text, so the text cannot change under them. Load the new text "
                            "as a new article instead."
                        )
                    }
                )
        article = copy.copy(article)
    for field, value in fields.items():
        # The text is stored exactly as loaded; the metadata without stray spaces.
        setattr(
            article, field, value.strip() if isinstance(value, str) and field != "text" else value
        )
    article.text_sha256 = text_sha256(article.text)

    errors: dict[str, Any] = {}
    if not article.text.strip():
        errors["text"] = "The article has no text: paste its body text."
    elif len(article.text) > ARTICLE_TEXT_MAX:
        check_length(errors, "text", article.text, ARTICLE_TEXT_MAX, "text")
    elif (
        twin := Article.objects.exclude(pk=article.pk)
        .filter(text_sha256=article.text_sha256)
        .first()
    ):
        errors["text"] = f"This text is already loaded as “{twin}” (article {twin.pk})."
    if article.url and (
        twin := Article.objects.exclude(pk=article.pk).filter(url=article.url.strip()).first()
    ):
        errors["url"] = f"This address is already the article “{twin}” (article {twin.pk})."
    try:
        article.clean_fields(exclude=["text", "text_sha256", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_errors(errors)
    return article


@transaction.atomic
def article_create(
    *,
    user: AbstractBaseUser | None,
    text: str,
    title: str = "",
    outlet: str = "",
    byline: str = "",
    url: str = "",
    published_on: date | None = None,
    language: str = "en",
) -> Article:
    """Create an article; ``user=None`` is the server's operator (a management command)."""
    article = check_article(
        user=user,
        text=text,
        title=title,
        outlet=outlet,
        byline=byline,
        url=url,
        published_on=published_on,
        language=language,
    )
    with history_context(user):
        article.save()
    return article


@transaction.atomic
def article_update(*, article: Article, user: AbstractBaseUser | None, **changes: Any) -> Article:
    """Change an article's metadata, or its text while no claim stands on it."""
    reject_unknown("article_update", changes, ARTICLE_FIELDS)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    article = check_article(user=user, article=locked, **changes)
    with history_context(user):
        article.save()
    return article


# Importing -------------------------------------------------------------------

IMPORT_SOURCES = ("url", "html", "text")
IMPORT_OVERRIDES = ("title", "byline", "outlet", "published_on", "language")


class DuplicateArticle(ValidationError):
    """The article is already on the desk: ``article`` is the one there."""

    def __init__(self, field: str, message: str, article: Article) -> None:
        super().__init__({field: message})
        self.article = article


@dataclass
class ArticleImport:
    """What an import found, and the article it stored (None on a dry run)."""

    extraction: Extraction
    article: Article | None = None


def pasted_text(text: str) -> Extraction:
    """Return pasted text as an extraction: line endings made \\n, the outer blank lines gone.

    Nothing else changes: no characters are replaced or normalised.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        text = ""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Extraction(text=text, paragraphs=paragraphs)


def article_import(
    *,
    user: AbstractBaseUser | None,
    url: str = "",
    html: str | None = None,
    text: str | None = None,
    dry_run: bool = False,
    **overrides: Any,
) -> ArticleImport:
    """Import an article from a web address, a page's HTML or pasted text.

    Exactly one of ``url`` (fetched), ``html`` (``url`` then says where it came
    from) and ``text`` (``url`` then is the original's address) is the source.
    ``overrides`` (title, byline, outlet, published_on, language) replace what
    the page says, for the person who checked the preview. The same canonical
    address or the same text is refused with DuplicateArticle. A dry run checks
    everything and stores nothing. ``user=None`` is the server's operator.
    """
    reject_unknown("article_import", overrides, IMPORT_OVERRIDES)
    if user is not None:
        require(user.has_perm("annotations.import_article"), "You may not import articles.")
    given = [name for name, value in (("html", html), ("text", text)) if value is not None]
    if len(given) > 1:
        raise ValidationError({"html": "Send the page's HTML or the text, not both."})
    source = given[0] if given else "url"
    if source == "url" and not url:
        raise ValidationError({"url": "Give a web address, the page's HTML or the text."})
    if url:
        try:
            http_url_validator(url)
        except ValidationError as exc:
            raise ValidationError({"url": exc.messages}) from None

    if source == "text":
        extraction = pasted_text(text or "")
        extraction.url = url
    else:
        if source == "url":
            try:
                page = fetch(url)
            except FetchError as exc:
                raise ValidationError({"url": str(exc)}) from None
            html, url = page.html, page.url
        extraction = extract(html or "", url)
        if not extraction.text:
            raise ValidationError(
                {source: "No article text was found in the page; paste the text instead."}
            )
    for name, value in overrides.items():
        if value is not None:
            setattr(extraction, name, value.strip() if isinstance(value, str) else value)

    check_duplicate(extraction, field=source)
    article = check_article(
        user=None,
        text=extraction.text,
        title=extraction.title,
        outlet=extraction.outlet,
        byline=extraction.byline,
        url=extraction.url,
        published_on=extraction.published_on,
        language=extraction.language or Article._meta.get_field("language").default,
    )
    if dry_run:
        return ArticleImport(extraction=extraction)
    article.created_by = user
    with transaction.atomic(), history_context(user):
        article.save()
    return ArticleImport(extraction=extraction, article=article)


def check_duplicate(extraction: Extraction, *, field: str) -> None:
    """Refuse an article already on the desk, by its canonical address or its text."""
    if extraction.url and (twin := Article.objects.filter(url=extraction.url).first()):
        raise DuplicateArticle(
            "url" if field == "url" else field,
            f"The article at this address is already on the desk as “{twin}” (article {twin.pk}).",
            twin,
        )
    if twin := Article.objects.filter(text_sha256=text_sha256(extraction.text)).first():
        raise DuplicateArticle(
            field,
            f"This text is already on the desk as “{twin}” (article {twin.pk}).",
            twin,
        )
