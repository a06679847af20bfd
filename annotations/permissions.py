"""Who may do what, asked in one place by the write paths and the pages.

Model permissions come from the groups the first migration creates
(Reviewers, Moderators); the rules here add what depends on the object:
whose claim it is and whether it is still open.
"""

from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from .models import Claim, Source, Verdict

User = AbstractBaseUser | AnonymousUser

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def read_permissions(user: User) -> None:
    """Read the user's model permissions, their own and their groups', in one query.

    The first ``has_perm`` of a request makes ModelBackend read them with two ORM
    queries, which cost more than the rest of an API request's reads together;
    it keeps the set on the user (``_perm_cache``) for the request's later
    checks. This fills that cache with the same set from one plain query, so every
    check still asks the database's current permissions. It leaves alone the
    users has_perm answers without reading (inactive ones, superusers), a user
    whose permissions are read already, and sites with other auth backends.
    """
    if (
        settings.AUTHENTICATION_BACKENDS != [MODEL_BACKEND]
        or not user.is_authenticated
        or not user.is_active
        or user.is_superuser
        or hasattr(user, "_perm_cache")
    ):
        return
    with connection.cursor() as cursor:
        cursor.execute(_permissions_sql(), [user.pk, user.pk])
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor}


@cache
def _permissions_sql() -> str:
    """Return the query for read_permissions, with the tables and columns the models name."""
    q = connection.ops.quote_name
    own = get_user_model()._meta.get_field("user_permissions")
    groups = get_user_model()._meta.get_field("groups")
    of_group = Group._meta.get_field("permissions")
    permission = Permission._meta
    content_type = ContentType._meta
    names = {
        "permission": q(permission.db_table),
        "permission_id": q(permission.pk.column),
        "permission_type": q(permission.get_field("content_type").column),
        "codename": q(permission.get_field("codename").column),
        "content_type": q(content_type.db_table),
        "content_type_id": q(content_type.pk.column),
        "app_label": q(content_type.get_field("app_label").column),
        "own": q(own.m2m_db_table()),
        "own_user": q(own.m2m_column_name()),
        "own_permission": q(own.m2m_reverse_name()),
        "member": q(groups.m2m_db_table()),
        "member_user": q(groups.m2m_column_name()),
        "member_group": q(groups.m2m_reverse_name()),
        "granted": q(of_group.m2m_db_table()),
        "granted_group": q(of_group.m2m_column_name()),
        "granted_permission": q(of_group.m2m_reverse_name()),
    }
    # Quoted names from the models' metadata; the user's id goes in as a parameter.
    return """
        SELECT ct.{app_label}, p.{codename}
        FROM {permission} p JOIN {content_type} ct ON ct.{content_type_id} = p.{permission_type}
        WHERE p.{permission_id} IN (SELECT {own_permission} FROM {own} WHERE {own_user} = %s)
        OR p.{permission_id} IN (
            SELECT g.{granted_permission} FROM {granted} g
            JOIN {member} m ON m.{member_group} = g.{granted_group}
            WHERE m.{member_user} = %s
        )
    """.format(**names)  # noqa: S608


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
