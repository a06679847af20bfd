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


class ArticleImportInput(serializers.Serializer):
    """One source: a web address, a page's HTML (with its address, if known) or the text."""

    url = _text(
        2000,
        help_text="The page to fetch; with html, where the page came from; with text, "
        "the original's address.",
    )
    html = StringField(
        required=False,
        trim_whitespace=False,
        max_length=ARTICLE_TEXT_MAX * 2,
        help_text="A saved web page's HTML, to extract the article from.",
    )
    text = StringField(
        required=False,
        trim_whitespace=False,
        max_length=ARTICLE_TEXT_MAX,
        help_text="The article's text, stored as given (line endings made \\n).",
    )
    title = _text(500, help_text="Instead of the title the page gives.")
    byline = _text(300, help_text="Instead of the byline the page gives.")
    outlet = _text(200, help_text="Instead of the outlet the page names.")
    published_on = serializers.DateField(
        required=False, allow_null=True, help_text="Instead of the date the page gives."
    )
    language = _text(35, help_text="Instead of the language the page states (BCP 47 tag).")
    dry_run = TrueFalseField(
        required=False, default=False, help_text="true: return the extraction, store nothing."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("html", "text") if name in data]
        if len(given) > 1:
            raise serializers.ValidationError(
                {"html": ["Send one source: the page's HTML or the text, not both."]}
            )
        if not given and not data.get("url"):
            raise serializers.ValidationError({"url": ["Send one source: url, html or text."]})
        return data


class ExtractionOutput(serializers.Serializer):
    """What the import found in the page, as it would be (or was) stored."""

    title = serializers.CharField()
    byline = serializers.CharField()
    outlet = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    language = serializers.CharField(help_text="As the page states it; empty if it does not.")
    url = serializers.CharField(help_text="The canonical address, or the one fetched; or empty.")
    text = serializers.CharField(help_text="The body text: paragraphs separated by a blank line.")
    paragraphs = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Text the page showed that the extraction left out (menus, banners, links).",
    )


class ArticleImportOutput(serializers.Serializer):
    dry_run = serializers.BooleanField()
    extraction = ExtractionOutput()
    article = ArticleDetailOutput(
        allow_null=True, help_text="The stored article; null on a dry run."
    )


class ExistingArticleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_title = serializers.CharField()
    api_url = serializers.CharField()
    page_url = serializers.CharField()


# Speakers ------------------------------------------------------------------


class SpeakerOutput(serializers.ModelSerializer):
    side = serializers.CharField(
        source="side_id", read_only=True, help_text="The side's slug, its stable machine value."
    )
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    reference_url = serializers.CharField(
        read_only=True, help_text="A page that identifies the speaker, or empty."
    )
    wikidata_id = serializers.CharField(
        read_only=True, help_text="The speaker's Wikidata item (Q42), or empty."
    )
    wikidata_url = serializers.CharField(
        read_only=True, help_text="The speaker's Wikidata page, or empty."
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
            "wikidata_id",
            "wikidata_url",
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
    side = StringField(
        max_length=40,
        required=False,
        help_text="The slug of one of the desk's sides (default unknown).",
    )
    role = _text(200)
    reference_url = _text(2000, help_text="A page that identifies the speaker.")
    wikidata_id = _text(20, help_text="The speaker's Wikidata item: Q and a number, such as Q42.")
    aliases = serializers.ListField(
        child=StringField(max_length=200), required=False, max_length=50
    )
    confirm_new = TrueFalseField(
        required=False,
        default=False,
        help_text="Add the speaker even though its name is close to one in the register "
        "(the 400 answer's possible_duplicates).",
    )


class PossibleDuplicateOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The speaker's id.")
    name = serializers.CharField(help_text="The speaker's name.")
    matched_name = serializers.CharField(help_text="Its name or alias that is close.")
    score = serializers.FloatField(help_text="How close, from 0 to 100 (100: the same letters).")


class PossibleDuplicatesOutput(serializers.Serializer):
    """A refused speaker: each key names a field; possible duplicates come with the name's."""

    name = serializers.ListField(child=serializers.CharField(), required=False)
    possible_duplicates = PossibleDuplicateOutput(
        many=True,
        required=False,
        help_text="Speakers whose name or alias is close to the new one; send confirm_new to "
        "add it anyway.",
    )


class SpeakerMergeInput(serializers.Serializer):
    into = _id(help_text="The speaker that takes this one's claims and names.")


class MergedSpeakerOutput(serializers.Serializer):
    detail = serializers.CharField()
    merged_into = serializers.IntegerField(help_text="The id of the speaker it was merged into.")


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
    side = serializers.SlugField(
        required=False, max_length=40, help_text="The slug of the speaker's side."
    )

    def validate_side(self, value: str) -> str:
        if not Side.objects.filter(slug=value).exists():
            known = ", ".join(Side.objects.values_list("slug", flat=True))
            raise serializers.ValidationError(f"“{value}” is not a side; choose one of: {known}.")
        return value

    kind = serializers.ChoiceField(choices=ClaimKind.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only claims changed at or after this time (ISO 8601), their sources and "
        "verdicts included.",
    )
    needs_my_verdict = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only the claims waiting for your verdict (in review, not yours, not "
        "rated by you yet), oldest first.",
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
