"""The w3c export against the W3C Web Annotation test suite's schemas.

Every annotation must validate against each of the suite's 54 "must"
schemas (README of the schema folder); the collection and its page against
the suite's "must" schemas for collections and pages.
"""

import json
import os
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from annotations.models import Article, Claim, Source, Speaker, Verdict

from ..factories import ArticleFactory, SpeakerFactory
from .export_helpers import export_bytes, make_verified

SUITE = Path(__file__).resolve().parents[3] / "shared" / "w3c-web-annotation-schemas"
MUST_SCHEMAS = 54


def _suite() -> Path:
    """Return the suite's folder; skip without it, except in CI, where it must be there."""
    if not (SUITE / "definitions").is_dir():
        message = f"The W3C Web Annotation schemas are not at {SUITE}."
        if os.environ.get("CI") == "true":
            pytest.fail(message + " CI must have them.")
        pytest.skip(message)
    return SUITE


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry(suite: Path) -> Registry:
    resources = []
    for path in sorted((suite / "definitions").glob("*.json")):
        schema = _load(path)
        resources.append(
            (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        )
    return Registry().with_resources(resources)


def _musts(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    schemas = [(str(p.relative_to(folder)), _load(p)) for p in sorted(folder.rglob("*.json"))]
    return [(name, schema) for name, schema in schemas if schema.get("assertionType") == "must"]


def _format_checker() -> FormatChecker:
    """Check the formats the schemas name, which jsonschema leaves unchecked without extras."""
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return "T" in value and datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme) and not any(c.isspace() for c in value)

    return checker


def _errors(document: dict[str, Any], schemas: list[tuple[str, dict[str, Any]]]) -> list[str]:
    registry, checker = _registry(_suite()), _format_checker()
    failures = []
    for name, schema in schemas:
        validator = Draft4Validator(schema, registry=registry, format_checker=checker)
        failures += [f"{name}: {error.message}" for error in validator.iter_errors(document)]
    return failures


@pytest.fixture
def collection(client: Client, alice: User, morgan: User) -> dict[str, Any]:
    """A w3c export of claims of every shape: speaker or none, each rating, URL or none."""
    with_url = ArticleFactory(
        url="https://news.example/homs",
        text="Homs 🇸🇾 café 😀: rebels said some 2250 people will leave the Old City.",
    )
    without_url = ArticleFactory(text="Some 2250 people will leave, the ministry said.")
    person = SpeakerFactory(
        kind=Speaker.Kind.PERSON, reference_url="https://www.wikidata.org/wiki/Q1"
    )
    make_verified(
        article=with_url,
        phrase="some 2250 people",
        reviewer=alice,
        moderator=morgan,
        speaker=person,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        sources=(("https://un.example/a", Source.Stance.REFUTES),),
    )
    make_verified(
        article=with_url,
        phrase="will leave the Old City.",  # the quote runs to the end: no suffix
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.UNVERIFIABLE,
    )
    make_verified(
        article=without_url,
        phrase="Some 2250",  # the quote starts the text: no prefix
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.FALSE,
    )
    client.force_login(alice)
    return json.loads(export_bytes(client, "w3c"))


def test_the_suite_has_the_54_must_schemas_for_annotations() -> None:
    assert len(_musts(_suite() / "annotations")) == MUST_SCHEMAS


def test_every_annotation_passes_every_must_schema(collection: dict[str, Any]) -> None:
    musts = _musts(_suite() / "annotations")
    assert len(musts) == MUST_SCHEMAS
    annotations = collection["first"]["items"]
    assert len(annotations) == 3
    for annotation in annotations:
        assert _errors(annotation, musts) == [], annotation["id"]


def test_the_collection_and_its_page_pass_the_collection_must_schemas(
    collection: dict[str, Any],
) -> None:
    folder = _suite() / "collections"
    page_musts = [(n, s) for n, s in _musts(folder) if n.startswith("pages")]
    collection_musts = [(n, s) for n, s in _musts(folder) if not n.startswith("pages")]
    assert collection_musts and page_musts
    assert _errors(collection, collection_musts) == []
    page = {"@context": collection["@context"], **collection["first"]}
    assert _errors(page, page_musts) == []


def test_an_empty_collection_passes_too(client: Client, alice: User) -> None:
    client.force_login(alice)
    collection = json.loads(export_bytes(client, "w3c"))
    assert collection["total"] == 0
    musts = [(n, s) for n, s in _musts(_suite() / "collections") if not n.startswith("pages")]
    assert _errors(collection, musts) == []


def test_a_schema_failure_is_reported(collection: dict[str, Any]) -> None:
    # The check itself can fail: an https @context and a bad date do.
    annotation = dict(collection["first"]["items"][0])
    annotation["@context"] = "https://www.w3.org/ns/anno.jsonld"
    annotation["created"] = "yesterday"
    failures = _errors(annotation, _musts(_suite() / "annotations"))
    assert any("Context" in f for f in failures)
    assert any("Created" in f for f in failures)


def test_the_annotation_says_what_the_schemas_cannot_check(
    collection: dict[str, Any], alice: User
) -> None:
    first, unverifiable, no_url = collection["first"]["items"]
    for annotation in (first, unverifiable, no_url):
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation"
        assert annotation["motivation"] == "assessing"
        assert annotation["id"].startswith("http://testserver/checks/")
        quote, position = annotation["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        assert 0 <= position["start"] < position["end"]
        assert annotation["creator"] == {"type": "Person", "name": "alice"}
    # Positions in code points: the flag and the emoji count one each per code point.
    text = Article.objects.get(url="https://news.example/homs").text
    quote, position = first["target"]["selector"]
    assert text[position["start"] : position["end"]] == quote["exact"] == "some 2250 people"
    assert quote["prefix"] == text[: position["start"]][-32:]
    assert first["target"]["source"] == "https://news.example/homs"
    assert first["body"] == [
        {
            "type": "TextualBody",
            "purpose": "assessing",
            "value": "Mostly true. The ministry's own figures say so.",
            "format": "text/plain",
        },
        {"type": "TextualBody", "purpose": "tagging", "value": "Mostly true"},
    ]
    assert "suffix" not in unverifiable["target"]["selector"][0]
    assert unverifiable["body"][1]["value"] == "Unverifiable"
    assert "prefix" not in no_url["target"]["selector"][0]
    # Without the article's URL, the target is the article in the API.
    article = Article.objects.exclude(url="https://news.example/homs").get()
    assert no_url["target"]["source"] == f"http://testserver/api/articles/{article.pk}/"


def test_the_collection_counts_its_annotations(collection: dict[str, Any]) -> None:
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"] == "http://testserver/api/export/?format=w3c"
    assert collection["total"] == 3
    page = collection["first"]
    assert page["type"] == "AnnotationPage"
    assert page["startIndex"] == 0
    assert collection["last"] == page["id"]


def test_without_the_suite_the_tests_skip_but_ci_fails(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SUITE", tmp_path / "absent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not at"):
        _suite()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have them"):
        _suite()
