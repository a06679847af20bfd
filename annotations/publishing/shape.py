"""The exported claim's shape, declared once.

``CLAIM`` lists every field of a claim as the json and jsonl formats give it,
in their order: its name, JSON type, whether it may be null, what it means,
where its value comes from, and whether the CSV export has a column for it.
The claim's own fields (its offsets, quote, restatement, moments...) are those
``annotations.shapes`` marks ``exported``, with the type, nullability,
description and choices declared there (``from_claim``); this module places
them among the export's own objects, and one exported there but not placed
here comes after the others. From ``CLAIM`` come the keys of the JSON records
(``RECORD_KEYS`` and the keys of the nested objects), the CSV header
(``CSV_COLUMNS``), what the reader reads of a claim (``CLAIM_OWN``, the fields
of ``records.ExportClaim``) and of articles, speakers and sources, and the
JSON Schema of the endpoint (``RECORD_SCHEMA``, ``JSON_SCHEMA``). Marking a
claim's field ``exported`` is the whole job of exporting it; a field of the
export's own objects needs its value in the presenters (json_record and csv).
"""

from dataclasses import dataclass
from typing import Any

from .. import shapes
from ..models import Source


@dataclass(frozen=True)
class Field:
    """One field of the exported claim, or of an object inside it."""

    name: str
    # The JSON Schema type: string, integer, object or array.
    type: str
    # Where the value comes from: a path from the claim through the models
    # ("article.title"), or, for a value the export computes, how it is made.
    source: str
    description: str = ""
    nullable: bool = False
    # The JSON Schema format: date, date-time, uri.
    format: str = ""
    enum: tuple[str, ...] = ()
    # An object's fields, in the order the records give them.
    fields: tuple["Field", ...] = ()
    # An array's items.
    items: "Field | None" = None
    # Whether the CSV export has a column for it; an object's fields become
    # columns of their own, named "<object>_<field>", an array one cell.
    csv: bool = True
    # Computed by the export rather than read from a column.
    computed: bool = False
    # For one of the claim's own fields: its name in annotations.shapes.
    claim_field: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the names of an object's fields, in order."""
        return tuple(child.name for child in self.fields)

    def schema(self) -> dict[str, Any]:
        """Return the field's JSON Schema (in the OpenAPI dialect, which marks null as nullable)."""
        schema: dict[str, Any] = {"type": self.type}
        if self.format:
            schema["format"] = self.format
        if self.description:
            schema["description"] = self.description
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.fields:
            schema["properties"] = {child.name: child.schema() for child in self.fields}
        if self.items is not None:
            schema["items"] = self.items.schema()
        if self.nullable:
            schema["nullable"] = True
        return schema


def _text(name: str, source: str, **options: Any) -> Field:
    return Field(name, "string", source, **options)


def _number(name: str, source: str, **options: Any) -> Field:
    return Field(name, "integer", source, **options)


def _day(name: str, source: str, **options: Any) -> Field:
    return Field(name, "string", source, format="date", nullable=True, **options)


def _moment(name: str, source: str, **options: Any) -> Field:
    return Field(name, "string", source, format="date-time", **options)


ARTICLE = Field(
    "article",
    "object",
    "article",
    fields=(
        _number("id", "article.id"),
        _text("title", "article.title"),
        _text("url", "article.url"),
        _text("outlet", "article.outlet"),
        _text("byline", "article.byline", csv=False),
        _day("published_on", "article.published_on"),
        _text("language", "article.language", csv=False),
        _text("text_sha256", "article.text_sha256", csv=False),
    ),
)

SPEAKER = Field(
    "speaker",
    "object",
    "speaker",
    description="Null for a claim in the article's own voice.",
    nullable=True,
    fields=(
        _number("id", "speaker.id", csv=False),
        _text("name", "speaker.name"),
        _text("kind", "speaker.kind"),
        _text(
            "side",
            "speaker.side.slug",
            description="The side's slug: its stable machine value (the desk names its sides).",
        ),
        _text("role", "speaker.role"),
        _text("reference_url", "speaker.reference_url"),
        _text(
            "wikidata_id",
            "speaker.wikidata_id",
            description="The speaker's Wikidata item (Q42), or empty.",
        ),
    ),
)

VERDICT = Field(
    "verdict",
    "object",
    "published_verdict",
    description="The published verdict.",
    fields=(
        _text("rating", "published_verdict.rating"),
        _text("label", "the rating's label", computed=True),
        _number(
            "rating_value",
            "the rating's number on the scale (Verdict.SCALE)",
            description="1 (False) to 5 (True); null for Unverifiable.",
            nullable=True,
            computed=True,
        ),
        _text("rationale", "published_verdict.rationale"),
        _text(
            "reviewer",
            "the public name of published_verdict.reviewer",
            description="Full name, else username.",
            computed=True,
        ),
    ),
)

SOURCE = Field(
    "source",
    "object",
    "sources",
    fields=(
        _text("url", "sources.url"),
        _text("title", "sources.title"),
        _text("publisher", "sources.publisher"),
        _day("published_on", "sources.published_on"),
        _text("excerpt", "sources.excerpt"),
        _text("stance", "sources.stance", enum=tuple(Source.Stance.values)),
    ),
)


def from_claim(
    name: str, *, export_name: str = "", csv: bool = True, never_null: bool = False
) -> Field:
    """Return the export's field for the claim's field ``name`` as annotations.shapes declares it.

    Its type, nullability, description and choices are the declaration's. The
    export may give it under ``export_name``, and say it is ``never_null`` where
    every verified claim has a value.
    """
    declared = next((f for f in shapes.CLAIM_FIELDS if f.name == name), None)
    if declared is None or not declared.exported:
        raise ValueError(f"The claim's field {name!r} is not declared exported in shapes.py.")
    if len(declared.path) > 1:
        # The reader reads the claim's columns, not its joins.
        raise ValueError(f"The claim's field {name!r} is not a column of the claim's own.")
    return Field(
        export_name or name,
        "string" if declared.is_datetime else declared.type,
        declared.lookup,
        description=declared.description,
        nullable=declared.nullable and not never_null,
        format="date-time" if declared.is_datetime else "",
        enum=tuple(str(value) for value, _ in declared.choices or ()),
        csv=csv,
        claim_field=name,
    )


def _claim_fields(*placed: Field) -> tuple[Field, ...]:
    """Return the fields placed, then the claim's exported fields not placed, as declared."""
    names = {field.claim_field for field in placed}
    rest = (f.name for f in shapes.CLAIM_FIELDS if f.exported and f.name not in names)
    return (*placed, *map(from_claim, rest))


CLAIM = Field(
    "claim",
    "object",
    "claim",
    description="A verified claim. Offsets count Unicode code points.",
    fields=_claim_fields(
        from_claim("id"),
        _text(
            "url",
            "the claim's public page, /checks/<id>/",
            format="uri",
            description="The claim's public fact-check page.",
            computed=True,
        ),
        ARTICLE,
        from_claim("quote"),
        from_claim("start"),
        from_claim("end"),
        from_claim("prefix"),
        from_claim("suffix"),
        from_claim("restatement"),
        from_claim("kind"),
        from_claim("attribution"),
        from_claim("cue"),
        from_claim("cue_start", csv=False),
        from_claim("cue_end", csv=False),
        SPEAKER,
        VERDICT,
        # One cell in the CSV export, a line a source.
        Field("sources", "array", "sources", items=SOURCE),
        from_claim("created_at"),
        from_claim("updated_at"),
        # Every exported claim is verified, so it has this moment.
        from_claim("moderated_at", export_name="verified_at", never_null=True),
    ),
)

# The claim's own fields, in the records' order: the reader reads them from its row.
CLAIM_OWN = tuple(field for field in CLAIM.fields if field.claim_field)

# The json format's one object; its items are the claims.
DOCUMENT = Field(
    "document",
    "object",
    "the json format",
    fields=(
        _moment("updated_since", "the updated_since asked for", nullable=True),
        Field("items", "array", "the verified claims", items=CLAIM),
        _number("count", "how many items there are"),
    ),
)


def _csv_columns(parent: Field) -> tuple[tuple[str, tuple[str, ...]], ...]:
    columns: list[tuple[str, tuple[str, ...]]] = []
    for child in parent.fields:
        if not child.csv:
            continue
        if child.type == "object":
            columns.extend(
                (f"{child.name}_{grandchild.name}", (child.name, grandchild.name))
                for grandchild in child.fields
                if grandchild.csv
            )
        else:
            columns.append((child.name, (child.name,)))
    return tuple(columns)


# Each CSV column with the path of its value in the JSON record.
CSV_PATHS = _csv_columns(CLAIM)
CSV_COLUMNS = tuple(name for name, _ in CSV_PATHS)

RECORD_KEYS = CLAIM.keys
ARTICLE_KEYS = ARTICLE.keys
SPEAKER_KEYS = SPEAKER.keys
VERDICT_KEYS = VERDICT.keys
SOURCE_KEYS = SOURCE.keys

RECORD_SCHEMA = CLAIM.schema()
JSON_SCHEMA = DOCUMENT.schema()
