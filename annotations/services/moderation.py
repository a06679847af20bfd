"""The moderators' decisions: verify, reject, send back to review; one claim or many."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize

from .. import permissions
from ..models import REASON_MAX, Claim, Verdict
from .common import check_length, lock_claim, raise_errors, require, set_status, wrong_status


def _require_moderator(user: AbstractBaseUser) -> None:
    require(permissions.is_moderator(user), "Only moderators may verify or reject claims.")


def check_verify(*, claim: Claim, user: AbstractBaseUser, verdict: Verdict | None) -> None:
    """Check that the user may verify the claim, publishing ``verdict``, without writing.

    With ``verdict=None`` everything but the verdict is checked: for a verdict
    the moderator is about to give.
    """
    _require_moderator(user)
    if claim.status != Claim.Status.IN_REVIEW:
        raise wrong_status(claim, "Only claims in review can be verified")
    if verdict is not None and verdict.claim_id != claim.pk:
        raise ValidationError(
            {"verdict": "The verdict to publish must be one given on this claim."}
        )
    own = verdict is None or verdict.reviewer_id == user.pk
    errors: dict[str, str] = {}
    if own and not settings.FACTCHECK_MODERATOR_MAY_PUBLISH_OWN:
        errors["verdict"] = MODERATOR_MAY_NOT_PUBLISH_OWN
    # One verdict per reviewer per claim (a database constraint): these are distinct
    # reviewers. A verdict about to be given adds one, unless it replaces the moderator's.
    reviewers = set(Verdict.objects.filter(claim=claim).values_list("reviewer_id", flat=True))
    adding = verdict is None and user.pk not in reviewers
    if message := quorum_shortfall(len(reviewers), adding=adding):
        errors["quorum"] = message
    raise_errors(errors)


# The rule FACTCHECK_MODERATOR_MAY_PUBLISH_OWN sets (off by default).
MODERATOR_MAY_NOT_PUBLISH_OWN = (
    "Rule of the desk: a moderator may not publish their own verdict. Publish another "
    "reviewer's verdict, or leave the claim to another moderator."
)


def quorum_shortfall(verdicts: int, *, adding: bool = False) -> str:
    """Return why a claim with this many verdicts may not be verified yet; "" if it may.

    The rule FACTCHECK_VERDICT_QUORUM sets: independent verdicts, from distinct
    reviewers. ``adding``: the moderator's own verdict is about to be given too.
    """
    quorum = settings.FACTCHECK_VERDICT_QUORUM
    total = verdicts + adding
    if total >= quorum:
        return ""
    missing = quorum - total
    has = f"{verdicts} ({total} with yours)" if adding else str(verdicts)
    return (
        f"Rule of the desk: a claim needs {quorum} independent verdict{pluralize(quorum)} "
        f"from different reviewers before it is verified; it has {has}, so "
        f"{missing} more {'is' if missing == 1 else 'are'} needed."
    )


def _require_reason(reason: str, message: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": message})
    errors: dict[str, str] = {}
    check_length(errors, "reason", reason.strip(), REASON_MAX, "reason")
    raise_errors(errors)


REJECT_REASON_NEEDED = "Say why the claim is rejected: the reason is recorded."
REOPEN_REASON_NEEDED = "Say why the claim goes back to review."


def check_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> None:
    """Check that the user may reject the claim for ``reason``, without writing."""
    _require_moderator(user)
    _require_reason(reason, REJECT_REASON_NEEDED)
    if claim.status != Claim.Status.IN_REVIEW:
        raise wrong_status(claim, "Only claims in review can be rejected")


def check_reopen(*, claim: Claim, user: AbstractBaseUser, reason: str) -> None:
    """Check that the user may send the claim back to review for ``reason``, without writing."""
    _require_moderator(user)
    _require_reason(reason, REOPEN_REASON_NEEDED)
    if claim.is_open:
        raise ValidationError({"status": "The claim is still open: there is nothing to reopen."})


@transaction.atomic
def claim_verify(*, claim: Claim, user: AbstractBaseUser, verdict: Verdict) -> Claim:
    """Verify a claim in review, publishing one of its reviewers' verdicts."""
    claim = lock_claim(claim)
    check_verify(claim=claim, user=user, verdict=verdict)
    return set_status(
        claim,
        user,
        Claim.Status.VERIFIED,
        f"Verified; published {verdict.reviewer}'s verdict: {verdict.get_rating_display()}",
        verdict=verdict,
    )


@transaction.atomic
def claim_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    """Reject a claim in review, recording why."""
    claim = lock_claim(claim)
    check_reject(claim=claim, user=user, reason=reason)
    reason = reason.strip()
    return set_status(
        claim, user, Claim.Status.REJECTED, f"Rejected: {reason}", rejection_reason=reason
    )


WITHDRAW_REASON_NEEDED = "Say why the draft is withdrawn: the reason is recorded."


def check_withdraw(*, claim: Claim, user: AbstractBaseUser, reason: str) -> None:
    """Check that the user may withdraw the draft for ``reason``, without writing."""
    _require_moderator(user)
    _require_reason(reason, WITHDRAW_REASON_NEEDED)
    if claim.status != Claim.Status.DRAFT:
        raise wrong_status(claim, "Only drafts can be withdrawn (reject a claim in review)")


@transaction.atomic
def claim_withdraw(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    """Reject a draft, recording why: for one its author may not delete, as others worked on it.

    Its sources and verdicts stay, as on any rejected claim; reopening sends it to review.
    """
    claim = lock_claim(claim)
    check_withdraw(claim=claim, user=user, reason=reason)
    reason = reason.strip()
    return set_status(
        claim, user, Claim.Status.REJECTED, f"Withdrawn: {reason}", rejection_reason=reason
    )


@transaction.atomic
def claim_reopen(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    """Send a verified or rejected claim back to review, withdrawing its published verdict."""
    claim = lock_claim(claim)
    check_reopen(claim=claim, user=user, reason=reason)
    reason = reason.strip()
    return set_status(claim, user, Claim.Status.IN_REVIEW, f"Reopened: {reason}")


@transaction.atomic
def claims_verify(
    *, user: AbstractBaseUser, decisions: Sequence[tuple[Claim, Verdict]]
) -> list[Claim]:
    """Verify several claims at once: all of them, or none if any is refused."""
    return [claim_verify(claim=claim, user=user, verdict=verdict) for claim, verdict in decisions]


@transaction.atomic
def claims_reject(*, user: AbstractBaseUser, claims: Sequence[Claim], reason: str) -> list[Claim]:
    """Reject several claims with one reason: all of them, or none if any is refused."""
    return [claim_reject(claim=claim, user=user, reason=reason) for claim in claims]


@transaction.atomic
def claims_reopen(*, user: AbstractBaseUser, claims: Sequence[Claim], reason: str) -> list[Claim]:
    """Send several claims back to review with one reason: all, or none if any is refused."""
    return [claim_reopen(claim=claim, user=user, reason=reason) for claim in claims]
