"""Claims: a highlight in an article's text and what a reviewer says of it.

``check_claim`` checks a span against the text, reading only the slices it
needs; creating, editing, submitting and deleting claims go through it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from .. import permissions
from ..models import CONTEXT_CHARS, NOTE_MAX, QUOTE_MAX, RESTATEMENT_MAX, Article, Claim, Speaker
from ..text import clip
from .common import (
    StaleVersion,
    check_choice,
    check_length,
    history_context,
    lock_claim,
    raise_errors,
    reject_unknown,
    require,
    set_status,
    wrong_status,
)

DRAFT_WORKED_ON = (
    "Others have added sources or verdicts to this draft, and deleting it would delete "
    "their work. A moderator can withdraw it instead: it is rejected with a reason, and "
    "everything on it stays on the record."
)
RESTATEMENT_NEEDED = "Write the checkable claim in your own words before submitting it for review."
# What a reviewer may write of a claim: on purpose fewer than shapes.CLAIM_FIELDS gives.
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
    check_choice(errors, "kind", kind, Claim.Kind, "kind of claim")
    check_choice(errors, "attribution", attribution, Claim.Attribution, "kind of attribution")
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
    check_length(errors, "quote", quote, QUOTE_MAX, "quote")
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
    raise_errors(errors)

    lo = max(0, start - CONTEXT_CHARS)
    spans = [(lo, end + CONTEXT_CHARS - lo)]
    if has_cue_span:
        # The cue with a little text either side, to tell where its characters begin and end.
        cue_lo = max(0, cue_start - CONTEXT_CHARS)
        spans.append((cue_lo, cue_end + CONTEXT_CHARS - cue_lo))
    speaker_id = speaker if isinstance(speaker, int) else None
    read = _read_article(article_id, spans, speaker_id=speaker_id, lock=lock)
    if read is None:
        raise ValidationError({"article": f"There is no article {article_id}."})
    length, (window, *cue_window), found_speaker = read
    if speaker_id is not None and found_speaker is None:
        errors["speaker"] = f"There is no speaker {speaker_id}."
    named = found_speaker if speaker_id is not None else speaker
    if isinstance(named, Speaker) and named.merged_into_id is not None:
        errors["speaker"] = (
            f"{named.name} was merged into speaker {named.merged_into_id}: attribute the claim "
            "to that one."
        )
    if end > length:
        errors["end"] = (
            f"The end offset ({end}) lies beyond the article's text, which has {length} characters."
        )
    if has_cue_span and cue_end > length:
        errors["cue_end"] = (
            f"The cue's end offset ({cue_end}) lies beyond the article's text, "
            f"which has {length} characters."
        )
    raise_errors(errors)

    found = window[start - lo : end - lo]
    actual_prefix = window[: start - lo]
    actual_suffix = window[end - lo :]
    if found != quote:
        errors["quote"] = (
            f"The text at offsets {start}–{end} is “{clip(found)}”, not “{clip(quote)}”: "
            "the quote must be the exact text at its offsets (counted in Unicode code points)."
        )
    elif not found.strip():
        errors["quote"] = "The highlighted text is only white space."
    else:
        errors.update(_whole_characters(window, lo, start, end, ("start", "end"), "highlight"))
    # A client may send less context than we keep, but what it sends must match.
    # Only the CONTEXT_CHARS nearest the quote are compared and kept.
    if prefix and not actual_prefix.endswith(prefix[-CONTEXT_CHARS:]):
        errors["prefix"] = f"The text before the quote is “{actual_prefix}”, not “{prefix}”."
    if suffix and not actual_suffix.startswith(suffix[:CONTEXT_CHARS]):
        errors["suffix"] = f"The text after the quote is “{actual_suffix}”, not “{suffix}”."
    cue_text = cue
    if has_cue_span:
        cue_text = cue_window[0][cue_start - cue_lo : cue_end - cue_lo]
        if cue and cue != cue_text:
            errors["cue"] = (
                f"The text at the cue's offsets {cue_start}–{cue_end} is "
                f"“{clip(cue_text)}”, not “{clip(cue)}”."
            )
        if len(cue_text) > 200:
            errors["cue_end"] = "The cue's span is longer than 200 characters."
        else:
            errors.update(
                _whole_characters(
                    cue_window[0], cue_lo, cue_start, cue_end, ("cue_start", "cue_end"), "cue"
                )
            )
    raise_errors(errors)
    return CheckedSpan(
        prefix=actual_prefix, suffix=actual_suffix, cue=cue_text, speaker=found_speaker
    )


# One user-perceived character: a letter with its accents, an emoji with its modifiers, a flag.
GRAPHEME = regex.compile(r"\X")


def _whole_characters(
    window: str, lo: int, start: int, end: int, fields: tuple[str, str], what: str
) -> dict[str, str]:
    """Return errors for the ends of the span ``start``–``end`` that cut a character in two.

    Characters are Unicode extended grapheme clusters, as the page's selections
    count them (Intl.Segmenter). ``window`` is the text from offset ``lo``, with
    CONTEXT_CHARS either side of the span: enough to find the clusters at its ends.
    """
    cut_start = _cluster_cut(window, start - lo, whole_text=lo == 0)
    cut_end = _cluster_cut(window, end - lo, whole_text=lo == 0)
    if cut_start is None and cut_end is None:
        return {}
    wide_start = lo + cut_start[0] if cut_start else start
    wide_end = lo + cut_end[1] if cut_end else end
    message = (
        f"The {what} {start}–{end} cuts a character in two; the nearest whole characters "
        f"are {wide_start}–{wide_end}."
    )
    return {field: message for field, cut in zip(fields, (cut_start, cut_end), strict=True) if cut}


def _cluster_cut(window: str, at: int, *, whole_text: bool) -> tuple[int, int] | None:
    """Return the bounds of the character that offset ``at`` of ``window`` falls inside, if any.

    The window may begin inside a character (``whole_text`` false): clusters are
    then counted from its first white space before ``at``, where one always begins
    (and a run of flags is paired correctly).
    """
    if at <= 0 or at >= len(window):
        return None  # the window's ends are the text's, or CONTEXT_CHARS away from the span
    begin = 0
    if not whole_text and (space := regex.search(r"\s", window[:at])):
        begin = space.start()
    for match in GRAPHEME.finditer(window, begin):
        if match.end() > at:
            return None if match.start() == at else match.span()
    return None


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
    require(permissions.can_create_claim(user), "You may not create claims.")
    article_id = article if isinstance(article, int) else article.pk
    restatement = restatement.strip()
    note = note.strip()
    _check_wording(restatement=restatement, note=note)
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
        note=note,
        created_by=user,
        status=Claim.Status.IN_REVIEW if submit else Claim.Status.DRAFT,
    )
    if isinstance(article, Article):
        claim.article = article  # a caller holding the article finds it on the claim
    else:
        claim.article_id = article_id
    with history_context(user):
        claim.save()
    return claim


def _check_wording(*, restatement: str, note: str) -> None:
    """Refuse a restatement or a note longer than the desk keeps."""
    errors: dict[str, Any] = {}
    check_length(errors, "restatement", restatement, RESTATEMENT_MAX, "restatement")
    check_length(errors, "note", note, NOTE_MAX, "note")
    raise_errors(errors)


def check_claim_update(
    *,
    claim: Claim,
    user: AbstractBaseUser,
    expected_version: int | None = None,
    lock: bool = False,
    **changes: Any,
) -> dict[str, Any]:
    """Check an edit of a claim without writing anything; return the fields it changes.

    The result maps each field whose value changes to its new value (empty when
    nothing changes). Refuses with PermissionDenied, with StaleVersion when
    ``expected_version`` is not the claim's, or with ValidationError naming the
    fields. A cue span names its own words, unless the cue itself is edited:
    then the two must agree. ``lock`` is check_claim's.
    """
    reject_unknown("check_claim_update", changes, CLAIM_FIELDS)
    require(
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
    _check_wording(restatement=values["restatement"], note=values["note"])
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
        lock=lock,
    )
    if claim.status != Claim.Status.DRAFT and not values["restatement"]:
        raise ValidationError({"restatement": RESTATEMENT_NEEDED})
    values.update(prefix=checked.prefix, suffix=checked.suffix, cue=checked.cue)
    return {f: values[f] for f in CLAIM_FIELDS if getattr(claim, f) != values[f]}


@transaction.atomic
def claim_update(
    *, claim: Claim, user: AbstractBaseUser, expected_version: int | None = None, **changes: Any
) -> Claim:
    """Edit an open claim; with ``expected_version``, refuse if it has changed since."""
    reject_unknown("claim_update", changes, CLAIM_FIELDS)
    claim = lock_claim(claim)
    changed = check_claim_update(
        claim=claim, user=user, expected_version=expected_version, lock=True, **changes
    )
    if not changed:
        return claim
    for field, value in changed.items():
        setattr(claim, field, value)
    claim.version += 1
    with history_context(user):
        claim.save(update_fields=[*changed, "version", "updated_at"])
    return claim


@transaction.atomic
def claim_submit(*, claim: Claim, user: AbstractBaseUser) -> Claim:
    """Send a draft to the moderators."""
    claim = lock_claim(claim)
    if claim.status != Claim.Status.DRAFT:
        raise wrong_status(claim, "Only drafts can be submitted")
    require(
        permissions.can_submit_claim(user, claim),
        "Only the claim's author or a moderator may submit it for review.",
    )
    if not claim.restatement.strip():
        raise ValidationError({"restatement": RESTATEMENT_NEEDED})
    return set_status(claim, user, Claim.Status.IN_REVIEW, "Submitted for review")


@transaction.atomic
def claim_delete(*, claim: Claim, user: AbstractBaseUser) -> None:
    """Delete one's own draft; anything submitted stays on the record."""
    claim = lock_claim(claim)
    require(
        permissions.can_delete_claim(user, claim),
        "You may only delete your own drafts; a submitted claim stays on the record.",
    )
    sources, verdicts = list(claim.sources.all()), list(claim.verdicts.all())
    contributors = [s.added_by_id for s in sources] + [v.reviewer_id for v in verdicts]
    require(not permissions.others_worked_on(user, contributors), DRAFT_WORKED_ON)
    with history_context(user, "Claim deleted"):
        for row in [*sources, *verdicts]:
            row.delete()
    with history_context(user):
        claim.delete()
