"""Every write the desk makes, one function an operation.

Each function takes keyword arguments, checks the rules and the acting
user's permissions, runs in one transaction and records the user in the
history. The admin, the web pages, the API and the management commands all
call these; nothing writes around them.

Errors: ``django.core.exceptions.ValidationError`` with a dict naming each
bad field, ``PermissionDenied`` for what the user may not do, and
``StaleVersion`` when an edit was based on an old version of a claim.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from . import permissions
from .models import CONTEXT_CHARS, Article, Claim, Source, Speaker, SpeakerAlias, Verdict


class StaleVersion(Exception):
    """An edit was based on a version of the claim that has since changed."""

    def __init__(self, claim: Claim) -> None:
        self.current_version = claim.version
        super().__init__(
            f"The claim has changed since you loaded it (it is now at version {claim.version}); "
            "reload it and apply your edit again."
        )


def _record(instance: Model, user: AbstractBaseUser | None, reason: str = "") -> None:
    """Tell the history who made the next save, and why when there is a reason."""
    instance._history_user = user  # read by simple_history when it saves the record
    if reason:
        instance._change_reason = reason


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _choice(errors: dict[str, str], field: str, value: str, choices: Any, what: str) -> None:
    if value not in choices.values:
        labels = ", ".join(f"{v} ({label})" for v, label in choices.choices)
        errors[field] = f"“{value}” is not a {what}; choose one of: {labels}."


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Articles ------------------------------------------------------------------

ARTICLE_FIELDS = ("title", "outlet", "byline", "url", "published_on", "language", "text")


def _validate_article(article: Article) -> None:
    errors: dict[str, Any] = {}
    if not article.text.strip():
        errors["text"] = "The article has no text: paste its body text."
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
    _raise(errors)


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
    if user is not None:
        _require(user.has_perm("annotations.add_article"), "You may not add articles.")
    article = Article(
        text=text,
        title=title.strip(),
        outlet=outlet.strip(),
        byline=byline.strip(),
        url=url.strip(),
        published_on=published_on,
        language=language.strip(),
        text_sha256=text_sha256(text),
        created_by=user,
    )
    _validate_article(article)
    _record(article, user)
    article.save()
    return article


@transaction.atomic
def article_update(*, article: Article, user: AbstractBaseUser | None, **changes: Any) -> Article:
    """Change an article's metadata, or its text while no claim stands on it."""
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"article_update() got unknown fields: {sorted(unknown)}")
    if user is not None:
        _require(user.has_perm("annotations.change_article"), "You may not change articles.")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if "text" in changes and changes["text"] != article.text:
        claim_count = article.claims.count()
        if claim_count:
            raise ValidationError(
                {
                    "text": (
                        f"This article has {claim_count} claim(s) whose offsets point into its "
                        "text, so the text cannot change under them. Load the new text as a "
                        "new article instead."
                    )
                }
            )
        article.text_sha256 = text_sha256(changes["text"])
    for field, value in changes.items():
        setattr(
            article, field, value.strip() if isinstance(value, str) and field != "text" else value
        )
    _validate_article(article)
    _record(article, user)
    article.save()
    return article


# Speakers ------------------------------------------------------------------


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
    _raise(errors)


def _save_aliases(speaker: Speaker, aliases: Sequence[str], user: AbstractBaseUser | None) -> None:
    wanted = {a.casefold(): a for a in aliases}
    existing: set[str] = set()
    for alias in speaker.aliases.all():
        name = wanted.get(alias.name.casefold())
        _record(alias, user)
        if name is None:
            alias.delete()
            continue
        existing.add(alias.name.casefold())
        if alias.name != name:  # the same alias in a new case, such as “Sohr” for “SOHR”
            alias.name = name
            alias.save(update_fields=["name"])
    for name in aliases:
        if name.casefold() not in existing:
            alias = SpeakerAlias(speaker=speaker, name=name)
            _record(alias, user)
            alias.save()


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
    if user is not None:
        _require(user.has_perm("annotations.add_speaker"), "You may not add speakers.")
    speaker = Speaker(
        name=" ".join(name.split()),
        kind=kind,
        side=side,
        role=role.strip(),
        reference_url=reference_url.strip(),
        created_by=user,
    )
    alias_names = _clean_names(aliases)
    _validate_speaker(speaker, alias_names)
    _record(speaker, user)
    speaker.save()
    _save_aliases(speaker, alias_names, user)
    return speaker


SPEAKER_FIELDS = ("name", "kind", "side", "role", "reference_url", "aliases")


@transaction.atomic
def speaker_update(*, speaker: Speaker, user: AbstractBaseUser | None, **changes: Any) -> Speaker:
    unknown = set(changes) - set(SPEAKER_FIELDS)
    if unknown:
        raise TypeError(f"speaker_update() got unknown fields: {sorted(unknown)}")
    if user is not None:
        _require(user.has_perm("annotations.change_speaker"), "You may not change speakers.")
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    aliases = _clean_names(changes.pop("aliases")) if "aliases" in changes else None
    for field, value in changes.items():
        setattr(speaker, field, " ".join(value.split()) if field == "name" else value.strip())
    _validate_speaker(speaker, aliases)
    _record(speaker, user)
    speaker.save()
    if aliases is not None:
        _save_aliases(speaker, aliases, user)
    return speaker


# Claims --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedSpan:
    """What the article's text says around a claim, read from the database.

    ``speaker`` is the speaker read with it when check_claim was given an id.
    """

    prefix: str
    suffix: str
    cue: str
    speaker: Speaker | None = None


def check_claim(
    *,
    article_id: int,
    start: int,
    end: int,
    quote: str,
    prefix: str | None = None,
    suffix: str | None = None,
    kind: str = Claim.Kind.OTHER,
    speaker: Speaker | int | None = None,
    attribution: str,
    cue: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
    lock: bool = False,
) -> CheckedSpan:
    """Check a claim's span, quote, cue and attribution against its article's text.

    Reads only the slices of the text it needs (offsets are code points, and
    both SQLite and PostgreSQL count characters in code points). With
    ``lock`` the article row stays locked until the transaction ends, so its
    text cannot change between the check and the write. ``speaker`` may be an
    id: the same query then reads the speaker, returned in CheckedSpan.speaker.
    """
    errors: dict[str, Any] = {}
    _choice(errors, "kind", kind, Claim.Kind, "kind of claim")
    _choice(errors, "attribution", attribution, Claim.Attribution, "kind of attribution")
    if speaker is None and attribution != Claim.Attribution.AUTHOR:
        errors["speaker"] = (
            "Say who makes the claim, or mark the attribution as the article's own voice."
        )
    if start < 0:
        errors["start"] = f"The start offset must be 0 or more, not {start}."
    if end <= start:
        errors["end"] = f"The end offset ({end}) must be greater than the start offset ({start})."
    if not quote.strip():
        errors["quote"] = "The quote is empty: highlight the words of the claim."
    has_cue_span = cue_start is not None or cue_end is not None
    if has_cue_span:
        if cue_start is None or cue_end is None:
            errors["cue_start" if cue_start is None else "cue_end"] = (
                "Give both ends of the cue's span, or neither."
            )
        elif cue_start < 0 or cue_end <= cue_start:
            errors["cue_end"] = (
                f"The cue's span {cue_start}–{cue_end} is empty or negative: "
                "its end must be greater than its start, and its start 0 or more."
            )
    if len(cue) > 200:
        errors["cue"] = "The cue is longer than 200 characters: it should be a word or a few."
    _raise(errors)

    lo = max(0, start - CONTEXT_CHARS)
    spans = [(lo, end + CONTEXT_CHARS - lo)]
    if has_cue_span:
        spans.append((cue_start, cue_end - cue_start))
    speaker_id = speaker if isinstance(speaker, int) else None
    read = _read_article(article_id, spans, speaker_id=speaker_id, lock=lock)
    if read is None:
        raise ValidationError({"article": f"There is no article {article_id}."})
    length, (window, *cue_slice), found_speaker = read
    if speaker_id is not None and found_speaker is None:
        errors["speaker"] = f"There is no speaker {speaker_id}."
    if end > length:
        errors["end"] = (
            f"The end offset ({end}) lies beyond the article's text, which has {length} characters."
        )
    if has_cue_span and cue_end > length:
        errors["cue_end"] = (
            f"The cue's end offset ({cue_end}) lies beyond the article's text, "
            f"which has {length} characters."
        )
    _raise(errors)

    found = window[start - lo : end - lo]
    actual_prefix = window[: start - lo]
    actual_suffix = window[end - lo :]
    if found != quote:
        errors["quote"] = (
            f"The text at offsets {start}–{end} is “{_clip(found)}”, not “{_clip(quote)}”: "
            "the quote must be the exact text at its offsets (counted in Unicode code points)."
        )
    elif not found.strip():
        errors["quote"] = "The highlighted text is only white space."
    # A client may send less context than we keep, but what it sends must match.
    # Only the CONTEXT_CHARS nearest the quote are compared and kept.
    if prefix and not actual_prefix.endswith(prefix[-CONTEXT_CHARS:]):
        errors["prefix"] = f"The text before the quote is “{actual_prefix}”, not “{prefix}”."
    if suffix and not actual_suffix.startswith(suffix[:CONTEXT_CHARS]):
        errors["suffix"] = f"The text after the quote is “{actual_suffix}”, not “{suffix}”."
    cue_text = cue
    if has_cue_span:
        if cue and cue != cue_slice[0]:
            errors["cue"] = (
                f"The text at the cue's offsets {cue_start}–{cue_end} is "
                f"“{_clip(cue_slice[0])}”, not “{_clip(cue)}”."
            )
        cue_text = cue_slice[0]
        if len(cue_text) > 200:
            errors["cue_end"] = "The cue's span is longer than 200 characters."
    _raise(errors)
    return CheckedSpan(
        prefix=actual_prefix, suffix=actual_suffix, cue=cue_text, speaker=found_speaker
    )


# No article's text is this long (PostgreSQL keeps at most 1 GB in a text), and
# PostgreSQL's substring() takes nothing larger, so offsets are clamped to it.
MAX_OFFSET = 2**31 - 1


def _read_article(
    article_id: int,
    spans: Sequence[tuple[int, int]],
    *,
    speaker_id: int | None,
    lock: bool,
) -> tuple[int, list[str], Speaker | None] | None:
    """Return the length of the article's text, its slices and the speaker; None if no article.

    Slices are (start, length) in 0-based code points: SQLite and PostgreSQL both
    count characters in LENGTH and SUBSTR. Clamping changes no slice of a real
    text, and keeps an absurd offset from a client a ValidationError ("beyond the
    text") rather than a database error. The speaker, when an id is given, comes
    from the same query (None if there is no such speaker). With ``lock`` the
    article's row stays locked until the transaction ends (SQLite, which has no
    FOR UPDATE, locks the whole database for a write).

    Plain SQL: every claim written runs this, and building it with the ORM took
    longer than the database took to answer it.
    """
    q = connection.ops.quote_name
    article, speaker_meta = Article._meta, Speaker._meta
    text = f"a.{q(article.get_field('text').column)}"
    columns = [f"LENGTH({text})", *[f"SUBSTR({text}, %s, %s)"] * len(spans)]
    tables = f"{q(article.db_table)} a"
    params: list[int] = []
    for start, length in spans:
        params += [min(start, MAX_OFFSET - 1) + 1, min(length, MAX_OFFSET)]
    if speaker_id is not None:
        columns += [f"s.{q(field.column)}" for field in speaker_meta.concrete_fields]
        tables += f" LEFT JOIN {q(speaker_meta.db_table)} s ON s.{q(speaker_meta.pk.column)} = %s"
        params.append(speaker_id)
    # Quoted names from the models' metadata; offsets and ids go in as parameters.
    sql = "SELECT {} FROM {} WHERE a.{} = %s".format(  # noqa: S608
        ", ".join(columns), tables, q(article.pk.column)
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF a" if connection.features.has_select_for_update_of else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, article_id])
        row = cursor.fetchone()
    if row is None:
        return None
    length, slices, values = row[0], list(row[1 : 1 + len(spans)]), row[1 + len(spans) :]
    speaker = None
    if values and values[0] is not None:
        names = [field.attname for field in speaker_meta.concrete_fields]
        speaker = Speaker.from_db(connection.alias, names, values)
    return length, slices, speaker


def _wrong_status(claim: Claim, rule: str) -> ValidationError:
    status = "a draft" if claim.status == Claim.Status.DRAFT else claim.get_status_display().lower()
    return ValidationError({"status": f"{rule}; this claim is {status}."})


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def claim_create(
    *,
    user: AbstractBaseUser,
    article: Article | int,
    start: int,
    end: int,
    quote: str,
    attribution: str,
    speaker: Speaker | int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    restatement: str = "",
    kind: str = Claim.Kind.OTHER,
    cue: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
    note: str = "",
    submit: bool = False,
) -> Claim:
    """Create a claim from a highlight; with ``submit`` it goes straight to review.

    ``article`` and ``speaker`` may be ids: the check reads only the slices of
    the text it needs, and the speaker, in one query (and says so when either is
    missing), so a client's request need not load them first.
    """
    _require(permissions.can_create_claim(user), "You may not create claims.")
    article_id = article if isinstance(article, int) else article.pk
    restatement = restatement.strip()
    checked = check_claim(
        article_id=article_id,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        kind=kind,
        speaker=speaker,
        attribution=attribution,
        cue=cue.strip(),
        cue_start=cue_start,
        cue_end=cue_end,
        lock=True,
    )
    if submit and not restatement:
        raise ValidationError({"restatement": RESTATEMENT_NEEDED})
    claim = Claim(
        start=start,
        end=end,
        quote=quote,
        prefix=checked.prefix,
        suffix=checked.suffix,
        restatement=restatement,
        kind=kind,
        speaker=checked.speaker if isinstance(speaker, int) else speaker,
        attribution=attribution,
        cue=checked.cue,
        cue_start=cue_start,
        cue_end=cue_end,
        note=note.strip(),
        created_by=user,
        status=Claim.Status.IN_REVIEW if submit else Claim.Status.DRAFT,
    )
    if isinstance(article, Article):
        claim.article = article  # a caller holding the article finds it on the claim
    else:
        claim.article_id = article_id
    _record(claim, user)
    claim.save()
    return claim


RESTATEMENT_NEEDED = "Write the checkable claim in your own words before submitting it for review."
# The highlight itself; the rest of CLAIM_FIELDS is what the reviewer says about it.
CLAIM_SPAN_FIELDS = ("start", "end", "quote", "prefix", "suffix")
CLAIM_FIELDS = (
    *CLAIM_SPAN_FIELDS,
    "restatement",
    "kind",
    "speaker",
    "attribution",
    "cue",
    "cue_start",
    "cue_end",
    "note",
)


def _lock_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


@transaction.atomic
def claim_update(
    *, claim: Claim, user: AbstractBaseUser, expected_version: int | None = None, **changes: Any
) -> Claim:
    """Edit an open claim; with ``expected_version``, refuse if it has changed since."""
    unknown = set(changes) - set(CLAIM_FIELDS)
    if unknown:
        raise TypeError(f"claim_update() got unknown fields: {sorted(unknown)}")
    claim = _lock_claim(claim)
    _require(
        permissions.can_edit_claim(user, claim),
        "You may only edit your own claims, and only while they are drafts or in review."
        if claim.is_open
        else f"This claim is {claim.get_status_display().lower()}: it can no longer be edited.",
    )
    if expected_version is not None and expected_version != claim.version:
        raise StaleVersion(claim)
    values = {field: getattr(claim, field) for field in CLAIM_FIELDS}
    values.update(changes)
    for field in ("restatement", "note", "cue"):
        values[field] = values[field].strip()
    span_moved = any(f in changes for f in ("start", "end", "quote"))
    checked = check_claim(
        article_id=claim.article_id,
        start=values["start"],
        end=values["end"],
        quote=values["quote"],
        prefix=changes.get("prefix") if span_moved else None,
        suffix=changes.get("suffix") if span_moved else None,
        kind=values["kind"],
        speaker=values["speaker"],
        attribution=values["attribution"],
        cue=values["cue"] if "cue" in changes or values["cue_start"] is None else "",
        cue_start=values["cue_start"],
        cue_end=values["cue_end"],
        lock=True,
    )
    if claim.status != Claim.Status.DRAFT and not values["restatement"]:
        raise ValidationError({"restatement": RESTATEMENT_NEEDED})
    values.update(prefix=checked.prefix, suffix=checked.suffix, cue=checked.cue)
    changed = [f for f in CLAIM_FIELDS if getattr(claim, f) != values[f]]
    if not changed:
        return claim
    for field in changed:
        setattr(claim, field, values[field])
    claim.version += 1
    _record(claim, user)
    claim.save(update_fields=[*changed, "version", "updated_at"])
    return claim


@transaction.atomic
def claim_submit(*, claim: Claim, user: AbstractBaseUser) -> Claim:
    """Send a draft to the moderators."""
    claim = _lock_claim(claim)
    if claim.status != Claim.Status.DRAFT:
        raise _wrong_status(claim, "Only drafts can be submitted")
    _require(
        permissions.can_submit_claim(user, claim),
        "Only the claim's author or a moderator may submit it for review.",
    )
    if not claim.restatement.strip():
        raise ValidationError({"restatement": RESTATEMENT_NEEDED})
    return _set_status(claim, user, Claim.Status.IN_REVIEW, "Submitted for review")


@transaction.atomic
def claim_delete(*, claim: Claim, user: AbstractBaseUser) -> None:
    """Delete one's own draft; anything submitted stays on the record."""
    claim = _lock_claim(claim)
    _require(
        permissions.can_delete_claim(user, claim),
        "You may only delete your own drafts; a submitted claim stays on the record.",
    )
    _record(claim, user)
    for row in [*claim.sources.all(), *claim.verdicts.all()]:
        _record(row, user, "Claim deleted")
        row.delete()
    claim.delete()


def _set_status(
    claim: Claim,
    user: AbstractBaseUser,
    status: str,
    reason: str,
    *,
    verdict: Verdict | None = None,
    rejection_reason: str = "",
) -> Claim:
    claim.status = status
    claim.published_verdict = verdict
    claim.rejection_reason = rejection_reason
    moderated = status in (Claim.Status.VERIFIED, Claim.Status.REJECTED)
    claim.moderated_by = user if moderated else None
    claim.moderated_at = timezone.now() if moderated else None
    claim.version += 1
    _record(claim, user, reason)
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


def _require_moderator(user: AbstractBaseUser) -> None:
    _require(permissions.is_moderator(user), "Only moderators may verify or reject claims.")


@transaction.atomic
def claim_verify(*, claim: Claim, user: AbstractBaseUser, verdict: Verdict) -> Claim:
    """Verify a claim in review, publishing one of its reviewers' verdicts."""
    _require_moderator(user)
    claim = _lock_claim(claim)
    if claim.status != Claim.Status.IN_REVIEW:
        raise _wrong_status(claim, "Only claims in review can be verified")
    if verdict.claim_id != claim.pk:
        raise ValidationError(
            {"verdict": "The verdict to publish must be one given on this claim."}
        )
    return _set_status(
        claim,
        user,
        Claim.Status.VERIFIED,
        f"Verified; published {verdict.reviewer}'s verdict: {verdict.get_rating_display()}",
        verdict=verdict,
    )


@transaction.atomic
def claim_reject(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    """Reject a claim in review, recording why."""
    _require_moderator(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the claim is rejected: the reason is recorded."})
    claim = _lock_claim(claim)
    if claim.status != Claim.Status.IN_REVIEW:
        raise _wrong_status(claim, "Only claims in review can be rejected")
    return _set_status(
        claim, user, Claim.Status.REJECTED, f"Rejected: {reason}", rejection_reason=reason
    )


@transaction.atomic
def claim_reopen(*, claim: Claim, user: AbstractBaseUser, reason: str) -> Claim:
    """Send a verified or rejected claim back to review, withdrawing its published verdict."""
    _require_moderator(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the claim goes back to review."})
    claim = _lock_claim(claim)
    if claim.is_open:
        raise ValidationError({"status": "The claim is still open: there is nothing to reopen."})
    return _set_status(claim, user, Claim.Status.IN_REVIEW, f"Reopened: {reason}")


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


def _touch(claim: Claim) -> None:
    """Mark the claim as changed, for incremental pulls, when its sources or verdicts change."""
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())


# Sources -------------------------------------------------------------------

SOURCE_FIELDS = ("url", "title", "publisher", "published_on", "excerpt", "stance")


def _validate_source(source: Source) -> None:
    try:
        source.full_clean(exclude=["claim", "added_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


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
    claim = _lock_claim(claim)
    _require(
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
    _record(source, user)
    source.save()
    _touch(claim)
    return source


@transaction.atomic
def source_update(*, source: Source, user: AbstractBaseUser, **changes: Any) -> Source:
    unknown = set(changes) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"source_update() got unknown fields: {sorted(unknown)}")
    source = Source.objects.select_for_update().select_related("claim").get(pk=source.pk)
    _require(
        permissions.can_change_source(user, source),
        "You may only change your own sources, and only while the claim is open.",
    )
    for field, value in changes.items():
        setattr(source, field, value.strip() if isinstance(value, str) else value)
    _validate_source(source)
    _record(source, user)
    source.save()
    _touch(source.claim)
    return source


@transaction.atomic
def source_remove(*, source: Source, user: AbstractBaseUser) -> None:
    source = Source.objects.select_for_update().select_related("claim").get(pk=source.pk)
    _require(
        permissions.can_change_source(user, source, perm="delete_source"),
        "You may only remove your own sources, and only while the claim is open.",
    )
    _record(source, user)
    source.delete()
    _touch(source.claim)


# Verdicts ------------------------------------------------------------------


@transaction.atomic
def verdict_give(*, claim: Claim, user: AbstractBaseUser, rating: str, rationale: str) -> Verdict:
    """Give the user's verdict on a claim, replacing the one they gave before."""
    claim = _lock_claim(claim)
    verdict = Verdict.objects.filter(claim=claim, reviewer=user).first()
    _require(
        permissions.can_give_verdict(user, claim, verdict),
        "You may not give verdicts on this claim."
        if claim.is_open
        else f"This claim is {claim.get_status_display().lower()}: its verdicts are closed.",
    )
    errors: dict[str, Any] = {}
    _choice(errors, "rating", rating, Verdict.Rating, "rating")
    rationale = rationale.strip()
    if not rationale:
        errors["rationale"] = "Explain the rating: a verdict needs a rationale."
    _raise(errors)
    if verdict is None:
        verdict = Verdict(claim=claim, reviewer=user)
    elif verdict.rating == rating and verdict.rationale == rationale:
        return verdict
    verdict.rating = rating
    verdict.rationale = rationale
    _record(verdict, user)
    verdict.save()
    _touch(claim)
    return verdict
