"""The exported claim is declared once: the records, the CSV and the schema agree with it.

Its own fields are those annotations.shapes declares exported, described as the API
describes them; declaring one more exported is the whole job of exporting it.
"""

import dataclasses
import importlib
import json
import types
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator

from annotations.models import Claim, Source, Speaker, Verdict
from annotations.publishing.context import ExportContext
from annotations.publishing.csv import FORMULA_TRIGGERS
from annotations.publishing.public import claims_for_pages
from annotations.publishing.records import EXPORT_CLAIM_FIELDS
from annotations.publishing.shape import (
    CLAIM,
    CLAIM_OWN,
    CSV_COLUMNS,
    CSV_PATHS,
    JSON_SCHEMA,
    RECORD_SCHEMA,
    Field,
)
from annotations.shapes import CLAIM_FIELDS

from ..factories import ArticleFactory, SpeakerFactory
from .export_helpers import export_bytes, make_verified, parse

TEXT = (
    "Homs 🇸🇾, café 😀: rebels said that some 2250 people will leave.\n"
    "=SUM(A1) was written on a wall, and +44 callers rang."
)


@pytest.fixture
def reviewer_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def claims(alice: User, morgan: User) -> list[Claim]:
    """A claim by a named person with sources, one in the article's own voice, one untitled."""
    article = ArticleFactory(
        title="Rebels to leave Homs",
        outlet="Wire",
        url="https://news.example/homs",
        published_on=date(2014, 5, 4),
        text=TEXT,
    )
    untitled = ArticleFactory(title="", text="Short text with -3 degrees in it.")
    person = SpeakerFactory(
        name="Abul Hareth al-Khalidi",
        kind=Speaker.Kind.PERSON,
        role="rebel negotiator",
        reference_url="https://www.wikidata.org/wiki/Q4115189",
    )
    said = TEXT.index("said")
    return [
        make_verified(
            article=article,
            phrase="some 2250 people will leave",
            reviewer=alice,
            moderator=morgan,
            speaker=person,
            attribution=Claim.Attribution.REPORTED_SPEECH,
            cue="said",
            cue_start=said,
            cue_end=said + 4,
            rationale="-3 is wrong.\nSee the report.",
            sources=(
                ("https://un.example/ocha", Source.Stance.REFUTES),
                ("https://sohr.example/homs", Source.Stance.SUPPORTS),
            ),
        ),
        make_verified(
            article=article,
            phrase="=SUM(A1) was written",
            reviewer=alice,
            moderator=morgan,
            rating=Verdict.Rating.UNVERIFIABLE,
        ),
        make_verified(
            article=untitled,
            phrase="-3 degrees",
            reviewer=alice,
            moderator=morgan,
            speaker=SpeakerFactory(name="@weather", kind=Speaker.Kind.ORGANISATION),
            attribution=Claim.Attribution.DIRECT_QUOTE,
            rating=Verdict.Rating.FALSE,
        ),
    ]


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the OpenAPI schema as JSON Schema that also refuses missing and unknown keys."""
    strict = {key: value for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        strict["type"] = [schema["type"], "null"]
    if "properties" in schema:
        strict["properties"] = {k: _strict(v) for k, v in schema["properties"].items()}
        strict["required"] = list(schema["properties"])
        strict["additionalProperties"] = False
    if "items" in schema:
        strict["items"] = _strict(schema["items"])
    return strict


def _keys_agree(value: Any, field: Field) -> None:
    """Assert that the value has exactly the declared keys, in order, all the way down."""
    if value is None:
        assert field.nullable, field.name
    elif field.type == "object":
        assert list(value) == list(field.keys), field.name
        for child in field.fields:
            _keys_agree(value[child.name], child)
    elif field.type == "array":
        assert field.items is not None
        for item in value:
            _keys_agree(item, field.items)


def test_the_csv_header_is_the_declared_columns(
    reviewer_client: Client, claims: list[Claim]
) -> None:
    data = export_bytes(reviewer_client, "csv")
    header = data.decode("utf-8-sig").split("\r\n", 1)[0]
    assert tuple(header.split(",")) == CSV_COLUMNS
    # The columns are the declared fields a CSV shows, an object's flattened.
    assert CSV_COLUMNS[:7] == (
        "id",
        "url",
        "article_id",
        "article_title",
        "article_url",
        "article_outlet",
        "article_published_on",
    )
    assert "cue_start" not in CSV_COLUMNS and "speaker_id" not in CSV_COLUMNS


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_every_record_has_the_declared_keys(
    reviewer_client: Client, claims: list[Claim], fmt: str
) -> None:
    records = parse(fmt, export_bytes(reviewer_client, fmt))
    assert len(records) == 3
    assert list(JSON_SCHEMA["properties"]["items"]["items"]["properties"]) == list(CLAIM.keys)
    for record in records:
        _keys_agree(record, CLAIM)


def test_the_schema_validates_a_real_export(reviewer_client: Client, claims: list[Claim]) -> None:
    document = parse("json", export_bytes(reviewer_client, "json"))
    whole = {"updated_since": None, "items": document, "count": len(document)}
    validator = Draft202012Validator(_strict(JSON_SCHEMA))
    assert list(validator.iter_errors(whole)) == []
    # A record that lost a field, or gained one, does not pass.
    broken = dict(document[0])
    del broken["cue"]
    assert not validator.is_valid({**whole, "items": [broken]})
    assert not validator.is_valid({**whole, "items": [{**document[0], "extra": 1}]})


def test_the_endpoints_schema_is_the_declared_one(db) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    content = schema["paths"]["/api/export/"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == JSON_SCHEMA


def _at(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = None if value is None else value[key]
    return value


def test_each_csv_cell_is_the_records_value(reviewer_client: Client, claims: list[Claim]) -> None:
    records = parse("json", export_bytes(reviewer_client, "json"))
    rows = parse("csv", export_bytes(reviewer_client, "csv"))
    for record, row in zip(records, rows, strict=True):
        for column, path in CSV_PATHS:
            if column == "sources":  # one line a source, checked in test_export_formats
                continue
            value = _at(record, path)
            cell = "" if value is None else str(value)
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                cell = "'" + cell
            assert row[column] == cell, column


def _leaves(field: Field, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Field]]:
    children = field.items.fields if field.items is not None else field.fields
    if not children:
        return [(path, field)]
    return [leaf for child in children for leaf in _leaves(child, (*path, child.name))]


def _from_model(obj: Any, source: str) -> Any:
    for name in source.split("."):
        obj = None if obj is None else getattr(obj, name)
    if isinstance(obj, datetime):
        return obj
    return obj.isoformat() if isinstance(obj, date) else obj


def test_each_value_comes_from_where_the_declaration_says(
    reviewer_client: Client, claims: list[Claim]
) -> None:
    records = parse("json", export_bytes(reviewer_client, "json"))
    read = {claim.pk: claim for claim in claims_for_pages()}
    checked = set()
    for record in records:
        claim = read[record["id"]]
        for path, field in _leaves(CLAIM):
            if field.computed:
                continue
            if field.source.startswith("sources."):
                name = field.source.split(".", 1)[1]
                expected = [_from_model(source, name) for source in claim.sources.all()]
                assert [source[path[-1]] for source in record["sources"]] == expected
            elif isinstance(expected := _from_model(claim, field.source), datetime):
                assert datetime.fromisoformat(_at(record, path)) == expected, path
            else:
                assert _at(record, path) == expected, path
            checked.add(path)
    assert ("article", "title") in checked and ("verified_at",) in checked


# The claim's own fields are annotations.shapes' -------------------------------------


def test_the_claims_own_fields_are_those_the_declaration_exports() -> None:
    exported = [field.name for field in CLAIM_FIELDS if field.exported]
    assert sorted(field.claim_field for field in CLAIM_OWN) == sorted(exported)
    assert [field.name for field in CLAIM_OWN] == [
        name for name in EXPORT_CLAIM_FIELDS if name in {field.name for field in CLAIM_OWN}
    ]
    assert len(set(CLAIM.keys)) == len(CLAIM.keys)
    # What a verified claim keeps private, or the export gives as an object, stays out.
    assert not {"note", "created_by", "moderated_by", "speaker_name"} & set(exported)


def test_each_own_field_is_described_as_the_api_describes_it(db: None) -> None:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = json.loads(OpenApiJsonRenderer().render(generated))
    api = schema["components"]["schemas"]["ClaimOutput"]["properties"]
    narrowed = set()
    for field in CLAIM_OWN:
        described = api[field.claim_field]
        exported = RECORD_SCHEMA["properties"][field.name]
        # drf-spectacular goes on to list a choice field's choices after its description.
        assert described["description"].startswith(exported["description"]), field.name
        assert exported["description"], field.name
        if "allOf" in described:
            (ref,) = described["allOf"]
            enum = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]["enum"]
            assert (exported["type"], exported["enum"]) == ("string", enum), field.name
        else:
            assert exported["type"] == described["type"], field.name
            assert exported.get("format") == described.get("format"), field.name
            assert "enum" not in exported, field.name
        if exported.get("nullable", False) != described.get("nullable", False):
            narrowed.add(field.name)
    # Every exported claim is verified: it has the moment it was.
    assert narrowed == {"verified_at"}
    assert not RECORD_SCHEMA["properties"]["verified_at"].get("nullable")


def test_no_choice_written_as_it_is_starts_a_formula() -> None:
    for field in CLAIM_OWN:
        for value in field.enum:
            assert not value.startswith(FORMULA_TRIGGERS), (field.name, value)


MORE = ("note", "version")


@pytest.fixture
def exporting_more() -> Iterator[types.ModuleType]:
    """The export's modules as if the declaration exported a claim's note and version too.

    The modules that derive from the declaration are loaded again after the change, and
    once more after it is undone.
    """
    from annotations import shapes
    from annotations.publishing import csv, json_record, reader, records, shape, writers

    derived = (shape, records, json_record, csv, reader, writers)
    declared = shapes.CLAIM_FIELDS
    shapes.CLAIM_FIELDS = tuple(
        dataclasses.replace(field, exported=True) if field.name in MORE else field
        for field in declared
    )
    try:
        for module in derived:
            importlib.reload(module)
        yield writers
    finally:
        shapes.CLAIM_FIELDS = declared
        for module in derived:
            importlib.reload(module)


def test_exporting_one_more_declared_field_needs_no_other_edit(
    claims: list[Claim], exporting_more: types.ModuleType
) -> None:
    from annotations.publishing import reader, shape

    Claim.objects.filter(pk=claims[0].pk).update(note="=1+1 is the editor's note")
    writers = exporting_more
    context = ExportContext(base_url="http://testserver")

    def export(fmt: str) -> list[dict[str, Any]]:
        claims = reader.verified_claims()
        return parse(fmt, b"".join(writers.stream_bytes(writers.FORMATS[fmt], claims, context)))

    # After the fields placed, in the order declared; the CSV's columns too.
    assert shape.RECORD_KEYS[-2:] == MORE == shape.CSV_COLUMNS[-2:]
    note = dict(shape.RECORD_SCHEMA["properties"]["note"])
    assert note == {"type": "string", "description": "The reviewer's note."}
    assert shape.JSON_SCHEMA["properties"]["items"]["items"] == shape.RECORD_SCHEMA
    records = export("jsonl")
    assert [list(record)[-2:] for record in records] == [list(MORE)] * len(claims)
    read = {claim.pk: claim for claim in Claim.objects.all()}
    for record in records:
        assert record["note"] == read[record["id"]].note
        assert record["version"] == read[record["id"]].version
    rows = export("csv")
    assert rows[0]["note"] == "'=1+1 is the editor's note"  # no formula
    assert [int(row["version"]) for row in rows] == [r["version"] for r in records]
    assert [list(row)[:-2] for row in rows] == [list(CSV_COLUMNS)] * len(claims)
    # The record's schema validates the records with the new fields.
    validator = Draft202012Validator(_strict(shape.JSON_SCHEMA))
    assert validator.is_valid({"updated_since": None, "items": records, "count": len(records)})
