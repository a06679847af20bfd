"""The evidence on a claim: its sources, and its reviewers' verdicts."""

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import permissions
from ..models import EXCERPT_MAX, RATIONALE_MAX, Claim, Source, Verdict
from .common import (
    check_choice,
    check_length,
    history_context,
    lock_claim,
    raise_errors,
    reject_unknown,
    require,
)


def _touch(claim: Claim, **changes: Any) -> None:
    """Mark the claim as changed, for incremental pulls, when its sources or verdicts change.

    ``changes`` are further columns of the claim to set in the same UPDATE.
    """
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now(), **changes)


# Sources -------------------------------------------------------------------

SOURCE_FIELDS = ("url", "title", "publisher", "published_on", "excerpt", "stance")


def _validate_source(source: Source) -> None:
    errors: dict[str, Any] = {}
    try:
        source.full_clean(exclude=["claim", "added_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    check_length(errors, "excerpt", source.excerpt, EXCERPT_MAX, "excerpt")
    raise_errors(errors)


@transaction.atomic
def source_add(
    *,
    claim: Claim,
    user: AbstractBaseUser,
    url: str,
    stance: str,
    title: str = "",
    publisher: str = "",
    published_on: date | None = None,
    excerpt: str = "",
) -> Source:
    claim = lock_claim(claim)
    require(
        permissions.can_add_source(user, claim),
        "You may not add sources to this claim."
        if claim.is_open
        else f"This claim is {claim.get_status_display().lower()}: its sources are closed.",
    )
    source = Source(
        claim=claim,
        url=url.strip(),
        stance=stance,
        title=title.strip(),
        publisher=publisher.strip(),
        published_on=published_on,
        excerpt=excerpt.strip(),
        added_by=user,
    )
    _validate_source(source)
    with history_context(user):
        source.save()
    _touch(claim)
    return source


@transaction.atomic
def source_update(*, source: Source, user: AbstractBaseUser, **changes: Any) -> Source:
    reject_unknown("source_update", changes, SOURCE_FIELDS)
    source = Source.objects.select_for_update().select_related("claim").get(pk=source.pk)
    require(
        permissions.can_change_source(user, source),
        "You may only change your own sources, and only while the claim is open.",
    )
    for field, value in changes.items():
        setattr(source, field, value.strip() if isinstance(value, str) else value)
    _validate_source(source)
    with history_context(user):
        source.save()
    _touch(source.claim)
    return source


@transaction.atomic
def source_remove(*, source: Source, user: AbstractBaseUser) -> None:
    source = Source.objects.select_for_update().select_related("claim").get(pk=source.pk)
    require(
        permissions.can_change_source(user, source, perm="delete_source"),
        "You may only remove your own sources, and only while the claim is open.",
    )
    with history_context(user):
        source.delete()
    _touch(source.claim)


# Verdicts ------------------------------------------------------------------

# The rule FACTCHECK_AUTHOR_MAY_RATE sets (off by default).
AUTHOR_MAY_NOT_RATE = (
    "Rule of the desk: a claim's author may not rate it. Another reviewer gives the verdicts "
    "on the claims you highlighted."
)


def check_verdict(
    *, claim: Claim, user: AbstractBaseUser, rating: str, rationale: str
) -> Verdict | None:
    """Check the verdict the user would give on the claim, without writing anything.

    Return the user's verdict on the claim that it would replace, if any.
    """
    verdict = Verdict.objects.filter(claim=claim, reviewer=user).first()
    require(
        permissions.can_give_verdict(user, claim, verdict),
        "You may not give verdicts on this claim."
        if claim.is_open
        else f"This claim is {claim.get_status_display().lower()}: its verdicts are closed.",
    )
    if claim.created_by_id == user.pk and not settings.FACTCHECK_AUTHOR_MAY_RATE:
        raise ValidationError({"reviewer": AUTHOR_MAY_NOT_RATE})
    errors: dict[str, Any] = {}
    check_choice(errors, "rating", rating, Verdict.Rating, "rating")
    if not rationale.strip():
        errors["rationale"] = "Explain the rating: a verdict needs a rationale."
    check_length(errors, "rationale", rationale.strip(), RATIONALE_MAX, "rationale")
    raise_errors(errors)
    return verdict


@transaction.atomic
def verdict_give(*, claim: Claim, user: AbstractBaseUser, rating: str, rationale: str) -> Verdict:
    """Give the user's verdict on a claim, replacing the one they gave before."""
    claim = lock_claim(claim)
    verdict = check_verdict(claim=claim, user=user, rating=rating, rationale=rationale)
    rationale = rationale.strip()
    added = verdict is None
    if verdict is None:
        verdict = Verdict(claim=claim, reviewer=user)
    elif verdict.rating == rating and verdict.rationale == rationale:
        return verdict
    verdict.rating = rating
    verdict.rationale = rationale
    with history_context(user):
        verdict.save()
    if added:  # the claim's stored count of its verdicts; a replaced verdict leaves it
        _touch(claim, verdict_count=F("verdict_count") + 1)
    else:
        _touch(claim)
    return verdict
