"""A claim's shape, declared once: the fields the API gives of a claim, and how each is read.

``CLAIM_FIELDS`` is the one list. The API's ``ClaimOutput`` serializer (and so the
OpenAPI schema), the rows the claim listing reads (``selectors.claim_rows_filtered``)
and the dictionaries built from them or from a claim (``selectors.claims_api_data``,
``selectors.claim_api_data``), which the article page embeds too, all derive from it.
So do the claim's own fields in the export of verified claims (``exported``: their
records, CSV columns and JSON Schema, in ``publishing.shape``) and the fields the admin
shows read-only (``CLAIM_MODEL_FIELDS`` less those its form edits). Adding a field here is
the whole job of exposing it; ``tests/api/test_api_claim_shape.py``,
``tests/api/test_export_shape.py`` and ``tests/test_admin_claim_shape.py`` prove the
copies agree.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from .models import Attribution, Claim, ClaimKind, Status

FieldType = Literal["integer", "string", "datetime"]


@dataclass(frozen=True)
class ClaimField:
    """One field of a claim as the API gives it."""

    name: str
    # What reads it from a claim, as ``values()`` takes it ("speaker__name"): a column of the
    # claim's own or one reached through a join, never a per-row subquery or a count.
    lookup: str
    type: FieldType
    nullable: bool = False
    description: str = ""
    choices: Sequence[tuple[str, str]] | None = None
    # Whether the export of verified claims gives it too: in the json and jsonl records, the
    # CSV columns and the export's JSON Schema (publishing.shape places it).
    exported: bool = False

    @property
    def is_datetime(self) -> bool:
        return self.type == "datetime"

    @property
    def path(self) -> tuple[str, ...]:
        """Return the attributes to follow from a claim instance to the value."""
        return tuple(self.lookup.split("__"))


OFFSET_NOTE = "in Unicode code points of the article's text (not UTF-16 units)"

CLAIM_FIELDS: tuple[ClaimField, ...] = (
    ClaimField("id", "id", "integer", description="The claim's id.", exported=True),
    ClaimField("article", "article_id", "integer", description="The article's id."),
    ClaimField(
        "start",
        "start",
        "integer",
        description=f"Offset of the first character, {OFFSET_NOTE}.",
        exported=True,
    ),
    ClaimField(
        "end",
        "end",
        "integer",
        description=f"Offset just past the last character, {OFFSET_NOTE}.",
        exported=True,
    ),
    ClaimField(
        "quote",
        "quote",
        "string",
        description="The exact text between start and end.",
        exported=True,
    ),
    ClaimField(
        "prefix", "prefix", "string", description="Text just before the quote.", exported=True
    ),
    ClaimField(
        "suffix", "suffix", "string", description="Text just after the quote.", exported=True
    ),
    ClaimField(
        "restatement",
        "restatement",
        "string",
        description="The checkable claim in the reviewer's own words.",
        exported=True,
    ),
    ClaimField(
        "kind",
        "kind",
        "string",
        choices=ClaimKind.choices,
        description="What kind of statement it is.",
        exported=True,
    ),
    ClaimField(
        "speaker",
        "speaker_id",
        "integer",
        nullable=True,
        description="The speaker's id; null when the article itself makes the claim.",
    ),
    ClaimField(
        "speaker_name", "speaker__name", "string", nullable=True, description="The speaker's name."
    ),
    ClaimField(
        "attribution",
        "attribution",
        "string",
        choices=Attribution.choices,
        description="How the article attributes the claim to its speaker.",
        exported=True,
    ),
    ClaimField(
        "cue",
        "cue",
        "string",
        description="The words that attribute, such as “said”.",
        exported=True,
    ),
    ClaimField(
        "cue_start",
        "cue_start",
        "integer",
        nullable=True,
        description=f"Where the cue starts, {OFFSET_NOTE}.",
        exported=True,
    ),
    ClaimField(
        "cue_end",
        "cue_end",
        "integer",
        nullable=True,
        description=f"Just past the cue's end, {OFFSET_NOTE}.",
        exported=True,
    ),
    ClaimField("note", "note", "string", description="The reviewer's note."),
    ClaimField(
        "status",
        "status",
        "string",
        choices=Status.choices,
        description="Where the claim is in review.",
    ),
    ClaimField(
        "published_verdict",
        "published_verdict_id",
        "integer",
        nullable=True,
        description="The id of the verdict a moderator published; null unless verified.",
    ),
    ClaimField(
        "verdict_count",
        "verdict_count",
        "integer",
        description="The number of verdicts reviewers have given on the claim.",
    ),
    ClaimField(
        "moderated_by",
        "moderated_by__username",
        "string",
        nullable=True,
        description="The username of the moderator who verified or rejected it.",
    ),
    ClaimField(
        "moderated_at",
        "moderated_at",
        "datetime",
        nullable=True,
        description="When it was verified or rejected.",
        exported=True,
    ),
    ClaimField(
        "rejection_reason", "rejection_reason", "string", description="Why it was rejected."
    ),
    ClaimField(
        "version",
        "version",
        "integer",
        description="Goes up with every change; send it back with an edit (or as If-Match).",
    ),
    ClaimField(
        "created_by",
        "created_by__username",
        "string",
        nullable=True,
        description="The author's username.",
    ),
    ClaimField(
        "created_at", "created_at", "datetime", description="When it was made.", exported=True
    ),
    ClaimField(
        "updated_at",
        "updated_at",
        "datetime",
        description="When it, its sources or its verdicts last changed.",
        exported=True,
    ),
)

CLAIM_FIELD_NAMES = tuple(field.name for field in CLAIM_FIELDS)

# The declared fields that are the claim model's own, in order: not its id (its key), nor
# what is read through it (the speaker's name).
_COLUMNS = {f.name for f in Claim._meta.get_fields() if f.concrete and not f.primary_key}
CLAIM_MODEL_FIELDS = tuple(field.name for field in CLAIM_FIELDS if field.name in _COLUMNS)


def iso_datetime(value: datetime, tz: tzinfo) -> str:
    """Return the datetime in ``tz`` as DRF writes it by default: ISO 8601, UTC as "Z"."""
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
