"""Who may do what, asked in one place by the write paths and the pages.

Model permissions come from the groups the first migration creates
(Reviewers, Moderators); the rules here add what depends on the object:
whose claim it is and whether it is still open.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Claim, Source, Verdict

User = AbstractBaseUser | AnonymousUser


def is_moderator(user: User) -> bool:
    return user.is_active and user.has_perm("annotations.moderate_claim")


def can_create_claim(user: User) -> bool:
    return user.is_active and user.has_perm("annotations.add_claim")


def can_edit_claim(user: User, claim: Claim) -> bool:
    """Return whether the user may change the claim's span, wording or attribution."""
    if not claim.is_open or not user.has_perm("annotations.change_claim"):
        return False
    return claim.created_by_id == user.pk or is_moderator(user)


def can_submit_claim(user: User, claim: Claim) -> bool:
    return claim.status == Claim.Status.DRAFT and can_edit_claim(user, claim)


def can_delete_claim(user: User, claim: Claim) -> bool:
    return (
        claim.status == Claim.Status.DRAFT
        and claim.created_by_id == user.pk
        and user.has_perm("annotations.delete_claim")
    )


def can_add_source(user: User, claim: Claim) -> bool:
    return claim.is_open and user.has_perm("annotations.add_source")


def can_change_source(user: User, source: Source, *, perm: str = "change_source") -> bool:
    if not source.claim.is_open or not user.has_perm(f"annotations.{perm}"):
        return False
    return source.added_by_id == user.pk or is_moderator(user)


def can_give_verdict(user: User, claim: Claim, existing: Verdict | None = None) -> bool:
    perm = "annotations.change_verdict" if existing else "annotations.add_verdict"
    return claim.is_open and user.has_perm(perm)
