"""What the services share: the stale-version error, the history and permission helpers."""

import hashlib
from collections.abc import Iterable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from ..models import Claim, Verdict


class StaleVersion(Exception):
    """An edit was based on a version of the claim that has since changed."""

    def __init__(self, claim: Claim) -> None:
        self.current_version = claim.version
        super().__init__(
            f"The claim has changed since you loaded it (it is now at version {claim.version}); "
            "reload it and apply your edit again."
        )


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class HistoryNote(NamedTuple):
    user: AbstractBaseUser | None
    reason: str | None


# Who writes, and why, while a service's history_context is open; None outside any.
_history_note: ContextVar[HistoryNote | None] = ContextVar("history_note", default=None)


class history_context:  # lower case: used in a with statement, as contextlib's helpers are
    """Record ``user`` (and ``reason``, if any) in every history row written inside the block.

    On leaving the block, even by an exception, the history goes back to what
    the enclosing block said, or to saying nothing outside any block.
    """

    __slots__ = ("note", "token")

    def __init__(self, user: AbstractBaseUser | None, reason: str = "") -> None:
        self.note = HistoryNote(user, reason or None)

    def __enter__(self) -> None:
        self.token: Token[HistoryNote | None] = _history_note.set(self.note)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _history_note.reset(self.token)


@receiver(pre_create_historical_record, dispatch_uid="annotations.history_note")
def note_history(sender: type[Model], history_instance: Model, **kwargs: Any) -> None:
    """Write the open history_context's user and reason on a history row about to be saved.

    simple_history's public hook for this (its signals module); outside any
    history_context the row keeps what simple_history found, which is no user.
    """
    note = _history_note.get()
    if note is not None:
        history_instance.history_user = note.user
        history_instance.history_change_reason = note.reason


def reject_unknown(function: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Refuse, as Python refuses an unknown keyword, fields that ``function`` does not take."""
    unknown = set(given) - set(known)
    if unknown:
        raise TypeError(f"{function}() got unknown fields: {sorted(unknown)}")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def check_choice(errors: dict[str, Any], field: str, value: str, choices: Any, what: str) -> None:
    """Add an error for ``field`` unless ``value`` is one of the ``choices``."""
    if value not in choices.values:
        labels = ", ".join(f"{v} ({label})" for v, label in choices.choices)
        errors[field] = f"“{value}” is not a {what}; choose one of: {labels}."


def check_length(errors: dict[str, Any], field: str, value: str, limit: int, what: str) -> None:
    """Add an error for ``field`` if ``value`` is longer than ``limit`` characters."""
    if len(value) > limit:
        errors[field] = (
            f"The {what} is {len(value):,} characters long; it may have at most {limit:,}."
        )


def raise_errors(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def lock_claim(claim: Claim) -> Claim:
    """Return the claim read again, its row locked until the transaction ends."""
    return Claim.objects.select_for_update().get(pk=claim.pk)


def wrong_status(claim: Claim, rule: str) -> ValidationError:
    status = "a draft" if claim.status == Claim.Status.DRAFT else claim.get_status_display().lower()
    return ValidationError({"status": f"{rule}; this claim is {status}."})


def set_status(
    claim: Claim,
    user: AbstractBaseUser,
    status: str,
    reason: str,
    *,
    verdict: Verdict | None = None,
    rejection_reason: str = "",
) -> Claim:
    """Move a locked claim to ``status``, recording who did it and why."""
    claim.status = status
    claim.published_verdict = verdict
    claim.rejection_reason = rejection_reason
    moderated = status in (Claim.Status.VERIFIED, Claim.Status.REJECTED)
    claim.moderated_by = user if moderated else None
    claim.moderated_at = timezone.now() if moderated else None
    claim.version += 1
    with history_context(user, reason):
        claim.save(
            update_fields=[
                "status",
                "published_verdict",
                "rejection_reason",
                "moderated_by",
                "moderated_at",
                "version",
                "updated_at",
            ]
        )
    return claim
