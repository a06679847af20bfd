"""Speakers and their aliases: one speaker per name or alias, by the rule of ``annotations.names``.

A name and every alias is stored clean (NFC, single spaces) with its
``name_key`` and ``bare_key``, computed here and nowhere else. No two names or
aliases, across both tables, share a ``name_key``: the database holds that
within each table, these functions across the two (inside their transaction).
A new speaker whose name is close to one in the register (the same bare key,
or a near match) is refused with ``PossibleDuplicates`` unless ``confirm_new``.
"""

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import names, selectors
from ..models import UNKNOWN_SIDE, Claim, Side, Speaker, SpeakerAlias
from .common import history_context, raise_errors, reject_unknown, require

SPEAKER_FIELDS = ("name", "kind", "side", "role", "reference_url", "wikidata_id", "aliases")


class PossibleDuplicates(ValidationError):
    """A new speaker's name is close to names in the register; ``confirm_new`` adds it anyway.

    ``candidates`` are ``selectors.NearSpeaker``s, closest first. As a
    ValidationError it names the field ``name``, so a form shows it there.
    """

    def __init__(self, name: str, candidates: Sequence["selectors.NearSpeaker"]) -> None:
        self.candidates = list(candidates)
        listed = "; ".join(
            f"{c.name} (id {c.speaker_id})"
            + ("" if c.matched_name == c.name else f", also “{c.matched_name}”")
            for c in self.candidates
        )
        super().__init__(
            {
                "name": f"“{name}” may be a speaker already in the register: {listed}. "
                "Pick one of them, or confirm that this is a new speaker."
            }
        )


def _described(speaker: Speaker) -> str:
    """Return how a refusal names an existing speaker: its name and id, and where it went."""
    if speaker.merged_into is not None:
        into = speaker.merged_into
        return f"{into.name} (id {into.pk}), into which {speaker.name} (id {speaker.pk}) was merged"
    return f"{speaker.name} (id {speaker.pk})"


def _side(errors: dict[str, Any], value: Side | str) -> Side | None:
    if isinstance(value, Side):
        return value
    side = Side.objects.filter(slug=value).first()
    if side is None:
        known = ", ".join(Side.objects.values_list("slug", flat=True))
        errors["side"] = f"“{value}” is not one of the desk's sides; choose one of: {known}."
    return side


def check_speaker(
    *,
    user: AbstractBaseUser | None,
    speaker: Speaker | None = None,
    confirm_new: bool = True,
    **fields: Any,
) -> tuple[Speaker, list[str] | None]:
    """Check a new speaker (no ``speaker``) or changes to one, without writing anything.

    Return the speaker as speaker_create or speaker_update would save it (a
    new instance, or a copy of ``speaker`` with the changes) and its aliases
    cleaned, None when they do not change. ``side`` may be a Side or its slug.
    A new speaker close to one in the register raises PossibleDuplicates unless
    ``confirm_new``. ``user=None`` is the server's operator.
    """
    reject_unknown("check_speaker", fields, SPEAKER_FIELDS)
    if user is not None:
        if speaker is None:
            require(user.has_perm("annotations.add_speaker"), "You may not add speakers.")
        else:
            require(user.has_perm("annotations.change_speaker"), "You may not change speakers.")
    is_new = speaker is None
    if speaker is None:
        speaker = Speaker(created_by=user)
        fields.setdefault("aliases", ())
        fields.setdefault("side", UNKNOWN_SIDE)
    else:
        speaker = copy.copy(speaker)
    errors: dict[str, Any] = {}
    aliases = _clean_names(fields.pop("aliases")) if "aliases" in fields else None
    if "side" in fields:
        side = _side(errors, fields.pop("side"))
        if side is not None:
            speaker.side = side
    for field, value in fields.items():
        if isinstance(value, str):
            value = names.clean_name(value) if field == "name" else value.strip()
        setattr(speaker, field, value)
    speaker.name_key = names.name_key(speaker.name)
    speaker.bare_key = names.bare_key(speaker.name)
    _validate_speaker(speaker, aliases, errors)
    if is_new and not confirm_new:
        candidates = selectors.speakers_near(speaker.name, min_score=names.NEAR_MATCH)
        if candidates:
            raise PossibleDuplicates(speaker.name, candidates)
    return speaker, aliases


def _clean_names(values: Iterable[str]) -> list[str]:
    """Return the names clean, without blanks and without repeats (by their key)."""
    found, seen = [], set()
    for value in values:
        name = names.clean_name(value)
        key = names.name_key(name)
        if key and key not in seen:
            seen.add(key)
            found.append(name)
    return found


def _validate_speaker(
    speaker: Speaker, aliases: Sequence[str] | None, errors: dict[str, Any]
) -> None:
    try:
        speaker.clean_fields(exclude=["created_by", "side", "name_key", "bare_key", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # Merged speakers count: their names live on as their survivors' aliases.
    others = Speaker.objects.exclude(pk=speaker.pk).select_related("merged_into")
    other_aliases = SpeakerAlias.objects.exclude(speaker_id=speaker.pk).select_related(
        "speaker__merged_into"
    )
    key = speaker.name_key
    if "name" not in errors:
        if taken := others.filter(name_key=key).first():
            errors["name"] = (
                f"A speaker named “{speaker.name}” already exists: {_described(taken)}."
            )
        elif alias := other_aliases.filter(name_key=key).first():
            errors["name"] = f"“{speaker.name}” is already an alias of {_described(alias.speaker)}."
    if aliases is None and "name" not in errors and speaker.pk:
        own = speaker.aliases.filter(name_key=key).first()
        if own:
            errors["name"] = (
                f"“{own.name}” is one of this speaker's aliases: remove it from the aliases "
                "to make it the name."
            )
    if aliases:
        problems = []
        keys = {names.name_key(a): a for a in aliases}
        if key in keys:
            problems.append(f"“{keys[key]}” is the speaker's name, not an alias.")
        for alias in aliases:
            if len(alias) > 200:
                problems.append(f"“{alias[:40]}…” is longer than 200 characters.")
        for other in others.filter(name_key__in=keys):
            problems.append(f"“{other.name}” is another speaker's name: {_described(other)}.")
        for other in other_aliases.filter(name_key__in=keys):
            problems.append(f"“{other.name}” is already an alias of {_described(other.speaker)}.")
        if problems:
            errors["aliases"] = problems
    raise_errors(errors)


def _new_alias(speaker: Speaker, name: str) -> SpeakerAlias:
    return SpeakerAlias(
        speaker=speaker, name=name, name_key=names.name_key(name), bare_key=names.bare_key(name)
    )


def _save_aliases(speaker: Speaker, aliases: Sequence[str]) -> None:
    """Make the speaker's aliases ``aliases``, inside the caller's history_context."""
    wanted = {names.name_key(a): a for a in aliases}
    existing: set[str] = set()
    for alias in speaker.aliases.all():
        name = wanted.get(alias.name_key)
        if name is None:
            alias.delete()
            continue
        existing.add(alias.name_key)
        if alias.name != name:  # the same alias written otherwise, such as “Sohr” for “SOHR”
            alias.name = name
            alias.bare_key = names.bare_key(name)
            alias.save(update_fields=["name", "bare_key"])
    for key, name in wanted.items():
        if key not in existing:
            _new_alias(speaker, name).save()


@transaction.atomic
def speaker_create(
    *,
    user: AbstractBaseUser | None,
    name: str,
    kind: str,
    side: Side | str = UNKNOWN_SIDE,
    role: str = "",
    aliases: Iterable[str] = (),
    reference_url: str = "",
    wikidata_id: str = "",
    confirm_new: bool = False,
) -> Speaker:
    """Add a speaker; one whose name is close to the register's needs ``confirm_new``."""
    speaker, alias_names = check_speaker(
        user=user,
        confirm_new=confirm_new,
        name=name,
        kind=kind,
        side=side,
        role=role,
        aliases=aliases,
        reference_url=reference_url,
        wikidata_id=wikidata_id,
    )
    with history_context(user):
        speaker.save()
        _save_aliases(speaker, alias_names or [])
    return speaker


@transaction.atomic
def speaker_update(*, speaker: Speaker, user: AbstractBaseUser | None, **changes: Any) -> Speaker:
    """Change a speaker's fields, its side and aliases included; its history records who."""
    reject_unknown("speaker_update", changes, SPEAKER_FIELDS)
    locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if locked.merged_into_id is not None:
        into = locked.merged_into_id
        raise ValidationError({"name": f"{locked.name} was merged into speaker {into}: edit that."})
    speaker, aliases = check_speaker(user=user, speaker=locked, **changes)
    with history_context(user):
        speaker.save()
        if aliases is not None:
            _save_aliases(speaker, aliases)
    return speaker


def check_merge(*, user: AbstractBaseUser | None, speaker: Speaker, into: Speaker) -> None:
    """Check that ``user`` may merge ``speaker`` into ``into`` and that both can be."""
    if user is not None:
        require(user.has_perm("annotations.merge_speaker"), "Only moderators may merge speakers.")
    if speaker.pk == into.pk:
        raise ValidationError({"into": "A speaker cannot be merged into itself."})
    if speaker.merged_into_id is not None:
        raise ValidationError(
            {
                "non_field_errors": f"{speaker.name} was already merged into speaker "
                f"{speaker.merged_into_id}."
            }
        )
    if into.merged_into_id is not None:
        raise ValidationError(
            {
                "into": f"{into.name} was itself merged into speaker {into.merged_into_id}: "
                "merge into that one."
            }
        )


def _attribute_claims(
    claims: QuerySet[Claim], speaker: Speaker, user: AbstractBaseUser | None, reason: str
) -> None:
    """Attribute ``claims`` to ``speaker``: a new version of each, one history row each."""
    now = timezone.now()
    rows = list(claims.select_for_update().order_by("pk"))
    for claim in rows:
        claim.speaker = speaker
        claim.version += 1
        claim.updated_at = now
    if rows:
        bulk_update_with_history(
            rows,
            Claim,
            ["speaker", "version", "updated_at"],
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )


@transaction.atomic
def speaker_merge(*, user: AbstractBaseUser | None, speaker: Speaker, into: Speaker) -> Speaker:
    """Merge ``speaker`` into ``into`` (moderators only) and return ``into``.

    In one transaction: every claim of ``speaker`` moves to ``into`` (a new
    version of each, with its history); ``speaker``'s name and aliases become
    aliases of ``into``; speakers merged earlier into ``speaker`` now point to
    ``into``; ``speaker`` stays, with ``merged_into`` set, hidden from searches
    and lists. Every history row written names the user and the merge.
    """
    locked = {
        s.pk: s for s in Speaker.objects.select_for_update().filter(pk__in=[speaker.pk, into.pk])
    }
    speaker, into = locked[speaker.pk], locked[into.pk]
    check_merge(user=user, speaker=speaker, into=into)
    reason = f"Merged {speaker.name} (id {speaker.pk}) into {into.name} (id {into.pk})"
    with history_context(user, reason):
        _attribute_claims(Claim.objects.filter(speaker=speaker), into, user, reason)
        for alias in SpeakerAlias.objects.filter(speaker=speaker).order_by("pk"):
            alias.speaker = into
            alias.save(update_fields=["speaker"])
        SpeakerAlias(
            speaker=into, name=speaker.name, name_key=speaker.name_key, bare_key=speaker.bare_key
        ).save()
        for earlier in Speaker.objects.filter(merged_into=speaker).order_by("pk"):
            earlier.merged_into = into
            earlier.save(update_fields=["merged_into"])
        speaker.merged_into = into
        speaker.save(update_fields=["merged_into"])
        into.save(update_fields=["name"])  # a history row on the survivor, saying what it took
    return into


@transaction.atomic
def speaker_unmerge(*, user: AbstractBaseUser | None, speaker: Speaker) -> Speaker:
    """Undo the merge of ``speaker`` (moderators only) from the history it wrote; return it.

    The claims the merge moved and that its survivor still has come back (a new
    version of each); the aliases it moved come back and the alias it made of
    the merged name goes; speakers it re-pointed point to ``speaker`` again;
    ``speaker`` is active again. What changed since the merge stays as it is.
    """
    if user is not None:
        require(user.has_perm("annotations.merge_speaker"), "Only moderators may undo merges.")
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if speaker.merged_into_id is None:
        raise ValidationError({"non_field_errors": f"{speaker.name} is not merged."})
    into = Speaker.objects.select_for_update().get(pk=speaker.merged_into_id)
    merge = (
        speaker.history.filter(merged_into_id=into.pk, history_change_reason__startswith="Merged ")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if merge is None:
        raise ValidationError(
            {"non_field_errors": f"The history holds no merge of {speaker.name} to undo."}
        )
    # The rows the merge wrote carry its reason, which names both ids. Only what still
    # stands as the merge left it is put back (a claim the survivor still has, an alias
    # it still holds), so an earlier merge and undo of the same pair changes nothing here.
    reason = merge.history_change_reason
    written = {"history_change_reason": reason}
    with history_context(user, f"Undid: {reason}"):
        moved = Claim.history.filter(**written).values("id")
        claims = Claim.objects.filter(pk__in=moved, speaker=into)
        _attribute_claims(claims, speaker, user, f"Undid: {reason}")
        for record in SpeakerAlias.history.filter(**written).order_by("history_id"):
            alias = SpeakerAlias.objects.filter(pk=record.id, speaker=into).first()
            if alias is None:
                continue
            if record.history_type == "+":
                alias.delete()
            else:
                alias.speaker = speaker
                alias.save(update_fields=["speaker"])
        repointed = Speaker.history.filter(**written).exclude(id__in=[speaker.pk, into.pk])
        for earlier in Speaker.objects.filter(pk__in=repointed.values("id"), merged_into=into):
            earlier.merged_into = speaker
            earlier.save(update_fields=["merged_into"])
        speaker.merged_into = None
        speaker.save(update_fields=["merged_into"])
        into.save(update_fields=["name"])
    return speaker
