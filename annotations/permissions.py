"""Who may do what, asked in one place by the write paths and the pages.

Model permissions come from the groups the first migration creates
(Reviewers, Moderators); the rules here add what depends on the object:
whose claim it is and whether it is still open.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Model

from .models import Claim, Source, Verdict

User = AbstractBaseUser | AnonymousUser


class PermissionBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions, own and groups', in one query.

    ModelBackend reads them with two ORM queries the first time a request asks;
    building them took longer than the database took to answer, on every API
    request. This reads the same set with one plain query (the tables are
    django.contrib.auth's, for its User model; another user model gets
    ModelBackend's reading) and keeps it on the user object (``desk_permissions``)
    for the rest of the request, as ModelBackend keeps its own: every request sees
    the database's current permissions. Logging in, inactive users and superusers
    are ModelBackend's.
    """

    def get_all_permissions(self, user_obj: User, obj: Model | None = None) -> set[str]:
        if (
            obj is not None
            or user_obj.is_anonymous
            or user_obj.is_superuser
            or settings.AUTH_USER_MODEL != "auth.User"
        ):
            return super().get_all_permissions(user_obj, obj)
        if not user_obj.is_active:
            return set()
        cached: set[str] | None = getattr(user_obj, "desk_permissions", None)
        if cached is None:
            with connection.cursor() as cursor:
                cursor.execute(PERMISSIONS_SQL, [user_obj.pk, user_obj.pk])
                cached = {f"{app_label}.{codename}" for app_label, codename in cursor}
            user_obj.desk_permissions = cached
        return cached


# The user's own permissions and their groups', as "app_label", "codename".
PERMISSIONS_SQL = """
    SELECT ct.app_label, p.codename
    FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE p.id IN (SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %s)
    OR p.id IN (
        SELECT g.permission_id FROM auth_group_permissions g
        JOIN auth_user_groups m ON m.group_id = g.group_id
        WHERE m.user_id = %s
    )
"""


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


def others_worked_on(user: User, contributors: Iterable[int | None]) -> bool:
    """Return whether anyone but the user added a claim's sources or gave its verdicts.

    ``contributors``: the ids of who added each source and gave each verdict.
    Deleting a draft would delete their work with it, so its author may not.
    """
    return any(pk != user.pk for pk in contributors)


def can_add_source(user: User, claim: Claim) -> bool:
    return claim.is_open and user.has_perm("annotations.add_source")


def can_change_source(user: User, source: Source, *, perm: str = "change_source") -> bool:
    if not source.claim.is_open or not user.has_perm(f"annotations.{perm}"):
        return False
    return source.added_by_id == user.pk or is_moderator(user)


def can_give_verdict(user: User, claim: Claim, existing: Verdict | None = None) -> bool:
    perm = "annotations.change_verdict" if existing else "annotations.add_verdict"
    return claim.is_open and user.has_perm(perm)


# Blind review -------------------------------------------------------------------

# A claim whose verdicts everyone on the desk may read: it has been decided.
DECIDED = (Claim.Status.VERIFIED, Claim.Status.REJECTED)


def verdicts_visible_to(user: User, claim: Claim, *, rated: bool | None = None) -> bool:
    """Return whether the user may read the claim's verdicts: ratings, rationales, reviewers.

    Reviews are blind: until a reviewer has given their own verdict on a claim,
    or the claim is verified or rejected, they see only how many it has.
    Moderators see everything. ``rated`` says whether the user has a verdict on
    the claim, when the caller knows; otherwise it is read.
    (``selectors.visible_verdicts`` is the same rule as a query, for lists.)
    """
    if claim.status in DECIDED or is_moderator(user):
        return True
    if not user.is_authenticated:
        return False
    if rated is None:
        rated = Verdict.objects.filter(claim_id=claim.pk, reviewer_id=user.pk).exists()
    return rated
