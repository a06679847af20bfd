"""Suggested claims: a reviewer dismisses one, and it is no longer shown to them."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import Article, SuggestionDismissal
from ..suggestions.store import quote_sha256
from .common import raise_errors, require


@transaction.atomic
def suggestion_dismiss(
    *, user: AbstractBaseUser, article: Article, start: int, end: int
) -> tuple[SuggestionDismissal, bool]:
    """Remember that ``user`` dismissed the suggestion at ``start``–``end`` of ``article``.

    Return the dismissal and whether it is new (dismissing twice changes nothing).
    The quote is the text at those offsets now, kept as its SHA-256.
    """
    require(
        user.has_perm("annotations.add_suggestiondismissal"), "You may not dismiss suggestions."
    )
    length = len(article.text)
    errors = {}
    if start < 0 or start >= length:
        errors["start"] = f"The start must be from 0 to {length - 1}, inside the article's text."
    if end > length:
        errors["end"] = f"The end must be at most {length}, the length of the article's text."
    elif end <= start:
        errors["end"] = "The end must come after the start."
    raise_errors(errors)
    return SuggestionDismissal.objects.get_or_create(
        user=user,
        article=article,
        start=start,
        end=end,
        quote_sha256=quote_sha256(article.text[start:end]),
    )
