"""Speakers and their aliases: one speaker per name or alias, whatever its case."""

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ..models import Speaker, SpeakerAlias
from .common import history_context, raise_errors, reject_unknown, require

SPEAKER_FIELDS = ("name", "kind", "side", "role", "reference_url", "aliases")


def check_speaker(
    *, user: AbstractBaseUser | None, speaker: Speaker | None = None, **fields: Any
) -> tuple[Speaker, list[str] | None]:
    """Check a new speaker (no ``speaker``) or changes to one, without writing anything.

    Return the speaker as speaker_create or speaker_update would save it (a
    new instance, or a copy of ``speaker`` with the changes) and its aliases
    cleaned, None when they do not change. ``user=None`` is the server's operator.
    """
    reject_unknown("check_speaker", fields, SPEAKER_FIELDS)
    if user is not None:
        if speaker is None:
            require(user.has_perm("annotations.add_speaker"), "You may not add speakers.")
        else:
            require(user.has_perm("annotations.change_speaker"), "You may not change speakers.")
    if speaker is None:
        speaker = Speaker(created_by=user)
        fields.setdefault("aliases", ())
    else:
        speaker = copy.copy(speaker)
    aliases = _clean_names(fields.pop("aliases")) if "aliases" in fields else None
    for field, value in fields.items():
        if isinstance(value, str):
            value = " ".join(value.split()) if field == "name" else value.strip()
        setattr(speaker, field, value)
    _validate_speaker(speaker, aliases)
    return speaker, aliases


def _clean_names(values: Iterable[str]) -> list[str]:
    names, seen = [], set()
    for value in values:
        name = " ".join(value.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def _validate_speaker(speaker: Speaker, aliases: Sequence[str] | None) -> None:
    errors: dict[str, Any] = {}
    try:
        speaker.clean_fields(exclude=["created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    others = Speaker.objects.exclude(pk=speaker.pk)
    other_aliases = SpeakerAlias.objects.exclude(speaker_id=speaker.pk).select_related("speaker")
    if "name" not in errors:
        if others.filter(name__iexact=speaker.name).exists():
            errors["name"] = f"A speaker named “{speaker.name}” already exists."
        elif taken := other_aliases.filter(name__iexact=speaker.name).first():
            errors["name"] = f"“{speaker.name}” is already an alias of {taken.speaker.name}."
    if aliases is None and "name" not in errors:
        own = speaker.aliases.filter(name__iexact=speaker.name).first() if speaker.pk else None
        if own:
            errors["name"] = (
                f"“{own.name}” is one of this speaker's aliases: remove it from the aliases "
                "to make it the name."
            )
    if aliases:
        problems = []
        lowered = [a.casefold() for a in aliases]
        if speaker.name.casefold() in lowered:
            problems.append(f"“{speaker.name}” is the speaker's name, not an alias.")
        for alias in aliases:
            if len(alias) > 200:
                problems.append(f"“{alias[:40]}…” is longer than 200 characters.")
        clash = Q()
        for alias in lowered:
            clash |= Q(name__iexact=alias)
        for other in others.filter(clash):
            problems.append(f"“{other.name}” is another speaker's name.")
        for other in other_aliases.filter(clash):
            problems.append(f"“{other.name}” is already an alias of {other.speaker.name}.")
        if problems:
            errors["aliases"] = problems
    raise_errors(errors)


def _save_aliases(speaker: Speaker, aliases: Sequence[str]) -> None:
    """Make the speaker's aliases ``aliases``, inside the caller's history_context."""
    wanted = {a.casefold(): a for a in aliases}
    existing: set[str] = set()
    for alias in speaker.aliases.all():
        name = wanted.get(alias.name.casefold())
        if name is None:
            alias.delete()
            continue
        existing.add(alias.name.casefold())
        if alias.name != name:  # the same alias in a new case, such as “Sohr” for “SOHR”
            alias.name = name
            alias.save(update_fields=["name"])
    for name in aliases:
        if name.casefold() not in existing:
            SpeakerAlias(speaker=speaker, name=name).save()


@transaction.atomic
def speaker_create(
    *,
    user: AbstractBaseUser | None,
    name: str,
    kind: str,
    side: str = Speaker.Side.UNKNOWN,
    role: str = "",
    aliases: Iterable[str] = (),
    reference_url: str = "",
) -> Speaker:
    speaker, alias_names = check_speaker(
        user=user,
        name=name,
        kind=kind,
        side=side,
        role=role,
        aliases=aliases,
        reference_url=reference_url,
    )
    with history_context(user):
        speaker.save()
        _save_aliases(speaker, alias_names or [])
    return speaker


@transaction.atomic
def speaker_update(*, speaker: Speaker, user: AbstractBaseUser | None, **changes: Any) -> Speaker:
    reject_unknown("speaker_update", changes, SPEAKER_FIELDS)
    locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
    speaker, aliases = check_speaker(user=user, speaker=locked, **changes)
    with history_context(user):
        speaker.save()
        if aliases is not None:
            _save_aliases(speaker, aliases)
    return speaker
