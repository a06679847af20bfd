"""What each API operation takes and gives: one input and one output serializer per operation.

Input serializers check types and shapes only (a number is a number, a choice
is one of the choices); the rules of the desk (offsets inside the text, the
quote matches, who may edit what) live in ``annotations.services``. Output
serializers name people by username only: reviewers' e-mail addresses never
leave the server.
"""

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from .models import (
    CONTEXT_CHARS,
    Article,
    Attribution,
    Claim,
    ClaimKind,
    Rating,
    Side,
    Source,
    Speaker,
    SpeakerKind,
    Stance,
    Status,
    Verdict,
)
from .selectors import CLAIM_API_DATETIMES, CLAIM_API_FIELDS
from .services import MAX_OFFSET

# The largest id a row can have (a 64-bit primary key); anything larger is no row's.
MAX_ID = 2**63 - 1


def _text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    """Return a text field kept exactly as sent: no trimming, blanks allowed."""
    kwargs.setdefault("required", False)
    return serializers.CharField(
        max_length=max_length, allow_blank=True, trim_whitespace=False, **kwargs
    )


def _offset(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, **kwargs)


def _username(source: str) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, allow_null=True)


# Articles ------------------------------------------------------------------


class ArticleOutput(serializers.ModelSerializer):
    """An article in a list: its metadata and number of claims, without the text."""

    display_title = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="The original's address, or empty.")
    claim_count = serializers.IntegerField(read_only=True)
    created_by = _username("created_by.username")

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "display_title",
            "outlet",
            "byline",
            "url",
            "published_on",
            "language",
            "text_sha256",
            "claim_count",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleDetailOutput(ArticleOutput):
    """An article with its text; claims' offsets count the text's Unicode code points."""

    text_length = serializers.SerializerMethodField()

    class Meta(ArticleOutput.Meta):
        fields = [*ArticleOutput.Meta.fields, "text", "text_length"]
        read_only_fields = fields

    def get_text_length(self, article: Article) -> int:
        """Return the text's length in code points (JavaScript's .length counts UTF-16 units)."""
        return len(article.text)


class ArticleCreateInput(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, help_text="The body text exactly as given.")
    title = _text(500)
    outlet = _text(200)
    byline = _text(300)
    url = _text(2000, help_text="http:// or https:// address of the original.")
    published_on = serializers.DateField(required=False, allow_null=True)
    language = _text(35, help_text="BCP 47 tag such as en, ar or fr-CA (default en).")

    def validate_language(self, value: str) -> str:
        return value or "en"


# Speakers ------------------------------------------------------------------


class SpeakerOutput(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    reference_url = serializers.CharField(
        read_only=True, help_text="A page that identifies the speaker, or empty."
    )
    created_by = _username("created_by.username")

    class Meta:
        model = Speaker
        fields = [
            "id",
            "name",
            "kind",
            "side",
            "role",
            "reference_url",
            "aliases",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class SpeakerCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=SpeakerKind.choices)
    side = serializers.ChoiceField(choices=Side.choices, required=False, default=Side.UNKNOWN)
    role = _text(200)
    reference_url = _text(2000, help_text="A page that identifies the speaker, such as Wikidata.")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )


class SpeakerSearchInput(serializers.Serializer):
    search = serializers.CharField(
        required=False, max_length=200, help_text="Part of the speaker's name or of an alias."
    )


# Claims --------------------------------------------------------------------


class ClaimOutput(serializers.ModelSerializer):
    """A claim; `start` and `end` count Unicode code points of the article's text."""

    speaker_name = serializers.CharField(source="speaker.name", read_only=True, allow_null=True)
    created_by = _username("created_by.username")
    moderated_by = _username("moderated_by.username")

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "restatement",
            "kind",
            "speaker",
            "speaker_name",
            "attribution",
            "cue",
            "cue_start",
            "cue_end",
            "note",
            "status",
            "published_verdict",
            "moderated_by",
            "moderated_at",
            "rejection_reason",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# ClaimOutput's answer, built without DRF's field machinery -----------------------
#
# A page of claims is up to a thousand rows, and every write answers with its claim:
# instantiating ClaimOutput's fields and running them costs more than the queries.
# These build the same dictionaries from plain values (tests compare the two).
# Datetimes are written as DRF writes them with its default DATETIME_FORMAT
# (ISO 8601 in the current time zone, UTC as "Z").

_CLAIM_KEYS = tuple(CLAIM_API_FIELDS)
_CLAIM_PATHS = tuple(lookup.split("__") for lookup in CLAIM_API_FIELDS.values())


def _iso_datetime(value: datetime, tz: tzinfo) -> str:
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def claim_output_rows(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Return what ClaimOutput gives for each row of ``selectors.claim_rows_filtered``."""
    output = [dict(zip(_CLAIM_KEYS, row, strict=True)) for row in rows]
    tz = timezone.get_current_timezone()
    if getattr(tz, "key", None) != "UTC":  # the rows' datetimes are written in UTC
        for data in output:
            for key in CLAIM_API_DATETIMES:
                if data[key] is not None:
                    data[key] = _iso_datetime(datetime.fromisoformat(data[key]), tz)
    return output


def claim_output(claim: Claim) -> dict[str, Any]:
    """Return ClaimOutput(claim).data; related rows not already loaded are read as it would."""
    tz = timezone.get_current_timezone()
    data = {}
    for key, path in zip(_CLAIM_KEYS, _CLAIM_PATHS, strict=True):
        value: Any = claim
        for attr in path:
            value = getattr(value, attr)
            if value is None:
                break
        data[key] = value
    for key in CLAIM_API_DATETIMES:
        if data[key] is not None:
            data[key] = _iso_datetime(data[key], tz)
    return data


class ClaimFilterInput(serializers.Serializer):
    article = serializers.IntegerField(
        source="article_id", required=False, min_value=1, max_value=MAX_ID
    )
    speaker = serializers.IntegerField(
        source="speaker_id", required=False, min_value=1, max_value=MAX_ID
    )
    side = serializers.ChoiceField(
        choices=Side.choices, required=False, help_text="The speaker's side."
    )
    kind = serializers.ChoiceField(choices=ClaimKind.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only claims changed at or after this time (ISO 8601), their sources and "
        "verdicts included.",
    )


class _ClaimFields(serializers.Serializer):
    """The fields a reviewer writes, shared by creating and updating a claim."""

    start = _offset(help_text="Offset of the first character, in Unicode code points.")
    end = _offset(help_text="Offset just past the last character, in Unicode code points.")
    quote = serializers.CharField(
        trim_whitespace=False, help_text="The exact text between start and end."
    )
    prefix = _text(help_text=f"Text just before the quote (the last {CONTEXT_CHARS} are checked).")
    suffix = _text(help_text=f"Text just after the quote (the first {CONTEXT_CHARS} are checked).")
    restatement = _text(help_text="The checkable claim in your own words.")
    kind = serializers.ChoiceField(choices=ClaimKind.choices, required=False)
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Speaker.objects.all(),
        allow_null=True,
        required=False,
        help_text="Who makes the claim; null only when the attribution is “author”.",
    )
    attribution = serializers.ChoiceField(choices=Attribution.choices)
    cue = _text(200, help_text="The words that attribute, such as “said”.")
    cue_start = _offset(required=False, allow_null=True)
    cue_end = _offset(required=False, allow_null=True)
    note = _text()


class ClaimCreateInput(_ClaimFields):
    # Ids, not PrimaryKeyRelatedFields, which would each cost a query (the article's
    # with its whole text): the service reads the slices of the text it checks and
    # the speaker in one query, and names either when it does not exist.
    article = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The article's id.")
    speaker = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        required=False,
        help_text="The speaker's id: who makes the claim; null only when the attribution is "
        "“author”.",
    )
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Send it straight to review."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF deep-copies every declared field (re-running its __init__) for each
        # serializer, most of the time creating a claim spends validating its input.
        # Nothing changes these fields per request, so shallow copies do: bind()
        # then sets each copy's name and parent, leaving the declared fields as they are.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class ClaimUpdateInput(_ClaimFields):
    """A partial update; `version` (or an If-Match header) says which version it edits."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_OFFSET,
        help_text="The version you edited, from the claim you read. Required unless the "
        "request has an If-Match header.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ClaimVerifyInput(serializers.Serializer):
    verdict = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of the verdict on this claim to publish."
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Recorded in the claim's history.")


# Sources -------------------------------------------------------------------


class SourceOutput(serializers.ModelSerializer):
    added_by = _username("added_by.username")

    class Meta:
        model = Source
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "published_on",
            "excerpt",
            "stance",
            "added_by",
            "created_at",
        ]
        read_only_fields = fields


class SourceInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="http:// or https:// address.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    title = _text(500)
    publisher = _text(200)
    published_on = serializers.DateField(required=False, allow_null=True)
    excerpt = _text(help_text="The passage that matters.")


class SourceUpdateInput(SourceInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


# Verdicts ------------------------------------------------------------------


class VerdictOutput(serializers.ModelSerializer):
    reviewer = _username("reviewer.username")
    rating_value = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="1 (false) to 5 (true); null for unverifiable.",
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "reviewer",
            "rating",
            "rating_value",
            "rationale",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VerdictInput(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    rationale = serializers.CharField(max_length=20000, help_text="Why this rating.")


class VerdictUpdateInput(VerdictInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


# Errors, for the schema ------------------------------------------------------


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()


class StaleVersionOutput(serializers.Serializer):
    version = serializers.ListField(child=serializers.CharField())
    current_version = serializers.IntegerField()
