"""Loading articles and changing their metadata."""

import copy
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import ARTICLE_TEXT_MAX, Article
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
