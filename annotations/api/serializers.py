"""What each API operation takes and gives: one input and one output serializer per operation.

Input serializers check types and shapes only (a number is a number, a choice
is one of the choices); the rules of the desk (offsets inside the text, the
quote matches, who may edit what) live in ``annotations.services``. Output
serializers name people by username only: reviewers' e-mail addresses never
leave the server. A claim's output is derived from its shape (``annotations.shapes``).
"""

import copy
from typing import Any, ClassVar

from rest_framework import serializers

from annotations.models import (
    ARTICLE_TEXT_MAX,
    CONTEXT_CHARS,
    EXCERPT_MAX,
    NOTE_MAX,
    QUOTE_MAX,
    RATIONALE_MAX,
    REASON_MAX,
    RESTATEMENT_MAX,
    Article,
    Attribution,
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
from annotations.services import MAX_OFFSET
from annotations.shapes import CLAIM_FIELDS, ClaimField

# The largest id a row can have (a 64-bit primary key); anything larger is no row's.
MAX_ID = 2**63 - 1


# Strict types --------------------------------------------------------------
# DRF turns 0 into "0", "12" into 12 and "yes" into True. In a JSON body each value
# has a type of its own, so the API takes strings, whole numbers and booleans only as
# themselves and refuses the rest, naming the field. Query parameters, which are all
# strings, keep DRF's fields.


class StringField(serializers.CharField):
    """A string, and nothing that would become one; one that may not be blank has minLength 1."""

    default_error_messages = {"not_a_string": "Not a valid string: send text in double quotes."}

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("allow_blank") and not kwargs.get("read_only"):
            kwargs.setdefault("min_length", 1)  # what "may not be blank" means, in the schema
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON whole number: not a string of digits, a fraction or a boolean."""

    default_error_messages = {
        "not_a_number": "A valid integer is required: send digits without quotes."
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_a_number")
        return super().to_internal_value(data)


class TrueFalseField(serializers.BooleanField):
    """A JSON true or false: not "yes", 1 or "on"."""

    default_error_messages = {
        "not_a_boolean": "Must be a valid boolean: send true or false, without quotes."
    }

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("not_a_boolean")
        return data


class RowField(serializers.PrimaryKeyRelatedField):
    """A row named by its id, a JSON whole number."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def _text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    """Return a text field kept exactly as sent: no trimming, blanks allowed."""
    kwargs.setdefault("required", False)
    return StringField(max_length=max_length, allow_blank=True, trim_whitespace=False, **kwargs)


def _offset(**kwargs: Any) -> serializers.IntegerField:
    return WholeNumberField(min_value=0, max_value=MAX_OFFSET, **kwargs)


def _id(**kwargs: Any) -> serializers.IntegerField:
    """Return a field for a row's id in a body."""
    return WholeNumberField(min_value=1, max_value=MAX_ID, **kwargs)


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
    text = StringField(
        trim_whitespace=False,
        max_length=ARTICLE_TEXT_MAX,
        help_text=f"The body text exactly as given (at most {ARTICLE_TEXT_MAX:,} characters).",
    )
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


class SpeakerSearchOutput(SpeakerOutput):
    """A speaker in a list or a search, with the alias the search found it by."""

    matched_alias = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The alias that matched the search when the name did not; else null.",
    )

    class Meta(SpeakerOutput.Meta):
        fields = [*SpeakerOutput.Meta.fields, "matched_alias"]
        read_only_fields = fields


class SpeakerCreateInput(serializers.Serializer):
    name = StringField(max_length=200)
    kind = serializers.ChoiceField(choices=SpeakerKind.choices)
    side = serializers.ChoiceField(choices=Side.choices, required=False, default=Side.UNKNOWN)
    role = _text(200)
    reference_url = _text(2000, help_text="A page that identifies the speaker, such as Wikidata.")
    aliases = serializers.ListField(
        child=StringField(max_length=200), required=False, max_length=50
    )


class SpeakerSearchInput(serializers.Serializer):
    search = StringField(
        required=False,
        max_length=200,
        help_text="Part of the speaker's name or of an alias (at most 200 characters). "
        "Results then come with names that start with it first, then by name.",
    )


# Claims --------------------------------------------------------------------


def _claim_field(field: ClaimField) -> serializers.Field:
    """Return the read-only serializer field for one field of the claim's shape."""
    options: dict[str, Any] = {"read_only": True, "allow_null": field.nullable}
    if field.description:
        options["help_text"] = field.description
    if field.lookup != field.name:
        options["source"] = ".".join(field.path)
    if field.choices is not None:
        return serializers.ChoiceField(choices=field.choices, **options)
    if field.is_datetime:
        return serializers.DateTimeField(**options)
    if field.type == "integer":
        return serializers.IntegerField(**options)
    return serializers.CharField(**options)


# A claim, field for field its shape. Built from a claim annotated as
# selectors.claims_filtered annotates it; the API itself answers with the same
# dictionaries built faster by selectors.claim_api_data and claims_api_data.
ClaimOutput = type(
    "ClaimOutput",
    (serializers.Serializer,),
    {
        "__doc__": "A claim; `start` and `end` count Unicode code points of the article's text.",
        "__module__": __name__,
        **{field.name: _claim_field(field) for field in CLAIM_FIELDS},
    },
)


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


class FieldsDeclaredOnce(serializers.Serializer):
    """A serializer whose fields are the unbound ones in ``declared``, copied shallowly.

    DRF deep-copies a serializer's declared fields for every instance, running each
    field's ``__init__`` again: for the claim inputs, about half of the time spent
    validating a claim. A field holds nothing of a request until it is bound to its
    serializer, which happens to the copy, so a shallow copy of an unbound field is
    a fresh field. Only ``get_fields``, DRF's public hook for a serializer's fields,
    is overridden; the schema and validation read the fields through it.
    """

    declared: ClassVar[dict[str, serializers.Field]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: copy.copy(field) for name, field in self.declared.items()}


# The fields a reviewer writes, shared by creating and updating a claim (unbound).
CLAIM_WRITE_FIELDS: dict[str, serializers.Field] = {
    "start": _offset(help_text="Offset of the first character, in Unicode code points."),
    "end": _offset(help_text="Offset just past the last character, in Unicode code points."),
    "quote": StringField(
        trim_whitespace=False,
        max_length=QUOTE_MAX,
        help_text="The exact text between start and end, which begin and end on whole "
        "characters (a letter with its accents, an emoji with its modifiers, a flag).",
    ),
    "prefix": _text(
        help_text=f"Text just before the quote (the last {CONTEXT_CHARS} are checked)."
    ),
    "suffix": _text(
        help_text=f"Text just after the quote (the first {CONTEXT_CHARS} are checked)."
    ),
    "restatement": _text(RESTATEMENT_MAX, help_text="The checkable claim in your own words."),
    "kind": serializers.ChoiceField(choices=ClaimKind.choices, required=False),
    "speaker": RowField(
        queryset=Speaker.objects.all(),
        allow_null=True,
        required=False,
        help_text="Who makes the claim; null only when the attribution is “author”.",
    ),
    "attribution": serializers.ChoiceField(choices=Attribution.choices),
    "cue": _text(200, help_text="The words that attribute, such as “said”."),
    "cue_start": _offset(required=False, allow_null=True),
    "cue_end": _offset(required=False, allow_null=True),
    "note": _text(NOTE_MAX),
}


class ClaimCreateInput(FieldsDeclaredOnce):
    declared = {
        **CLAIM_WRITE_FIELDS,
        # Ids, not PrimaryKeyRelatedFields, which would each cost a query (the article's
        # with its whole text): the service reads the slices of the text it checks and
        # the speaker in one query, and names either when it does not exist.
        "speaker": _id(
            allow_null=True,
            required=False,
            help_text="The speaker's id: who makes the claim; null only when the attribution "
            "is “author”.",
        ),
        "article": _id(help_text="The article's id."),
        "submit": TrueFalseField(
            required=False, default=False, help_text="Send it straight to review."
        ),
    }


class ClaimUpdateInput(FieldsDeclaredOnce):
    """A partial update; `version` (or an If-Match header) says which version it edits."""

    declared = {
        **CLAIM_WRITE_FIELDS,
        "version": WholeNumberField(
            required=False,
            min_value=1,
            max_value=MAX_OFFSET,
            help_text="The version you edited, from the claim you read. Required unless the "
            "request has an If-Match header.",
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ClaimVerifyInput(serializers.Serializer):
    verdict = _id(help_text="The id of the verdict on this claim to publish.")


class ReasonInput(serializers.Serializer):
    reason = StringField(max_length=REASON_MAX, help_text="Recorded in the claim's history.")


# Sources -------------------------------------------------------------------


class SourceOutput(serializers.ModelSerializer):
    # Not the model's URLField ("format: uri"): Django takes addresses such as
    # internationalised domain names that are no URIs as JSON Schema reads them.
    url = serializers.CharField(
        read_only=True, help_text="The source's http:// or https:// address."
    )
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
    url = StringField(max_length=2000, help_text="http:// or https:// address.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    title = _text(500)
    publisher = _text(200)
    published_on = serializers.DateField(required=False, allow_null=True)
    excerpt = _text(EXCERPT_MAX, help_text="The passage that matters.")


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
    rationale = StringField(max_length=RATIONALE_MAX, help_text="Why this rating.")


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


# Suggested claims ------------------------------------------------------------


class SuggestedSpeakerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProposedSpeakerOutput(serializers.Serializer):
    name = serializers.CharField(help_text="The name the text gives, without a role or title.")
    kind = serializers.ChoiceField(choices=SpeakerKind.choices)
    role = serializers.CharField(required=False, help_text="The words before the name, if any.")


class SuggestedAttributionOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Attribution.choices)
    cue = serializers.CharField(
        allow_blank=True, help_text="The words that attribute; blank if none."
    )
    cue_start = serializers.IntegerField(allow_null=True)
    cue_end = serializers.IntegerField(allow_null=True)
    speaker = SuggestedSpeakerOutput(
        allow_null=True, help_text="The register's speaker, or null when none matched."
    )
    speaker_text = serializers.CharField(
        allow_null=True, help_text="The speaker as the article names them (a pronoun too)."
    )
    speaker_start = serializers.IntegerField(allow_null=True)
    speaker_end = serializers.IntegerField(allow_null=True)
    new_speaker = ProposedSpeakerOutput(
        allow_null=True,
        help_text="When the register has no match: the speaker to create, with a proposed kind.",
    )


class SuggestionOutput(serializers.Serializer):
    start = serializers.IntegerField(help_text="In Unicode code points, as for claims.")
    end = serializers.IntegerField()
    quote = serializers.CharField(help_text="The text from start to end.")
    kind = serializers.ChoiceField(choices=ClaimKind.choices)
    score = serializers.FloatField(help_text="From 0 to 1: how checkable it looks.")
    reasons = serializers.ListField(child=serializers.CharField())
    attribution = SuggestedAttributionOutput()


class SuggestionDismissInput(serializers.Serializer):
    start = _offset(help_text="The suggestion's start, in code points.")
    end = _offset(help_text="The suggestion's end, in code points.")


class SuggestionDismissalOutput(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
