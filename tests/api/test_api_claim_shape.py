"""A claim's shape, declared once in annotations.shapes: every copy of it agrees.

The serializer (and so the schema), the listing's rows, the dictionaries built from
rows or from one claim, and the page's data. The tests iterate over the shape, so a
field added to it is checked everywhere without a change here.
"""

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from annotations import selectors
from annotations.api.serializers import ClaimOutput
from annotations.models import Claim
from annotations.shapes import CLAIM_FIELD_NAMES, CLAIM_FIELDS
from tests.factories import give_verdict, make_claim

from .conftest import EMOJI_TEXT, Desk

Clients = Callable[[User], APIClient]


def _as_claim_output(claims: list[Claim]) -> list[dict[str, object]]:
    """Return what ClaimOutput gives for the claims, as a client reads it (JSON)."""
    return json.loads(JSONRenderer().render(ClaimOutput(claims, many=True).data))


def _read(*claims: Claim) -> list[Claim]:
    """Return the claims as the API reads them (with their joins), in id order."""
    pks = [claim.pk for claim in claims]
    return list(selectors.claims_filtered().filter(pk__in=pks).order_by("id"))


@pytest.fixture
def every_kind_of_claim(desk: Desk, morgan: User, bob: User) -> list[Claim]:
    """The desk's claims (no speaker, moderated, rejected, with no, one and two verdicts...),
    one with a cue, one made on a whole second (a datetime without microseconds is written
    without a fraction)."""
    make_claim(
        user=bob,
        article=desk.article,
        phrase="figure was closer",
        speaker=desk.speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue="said",
        cue_start=EMOJI_TEXT.index("said the figure"),
        cue_end=EMOJI_TEXT.index("said the figure") + 4,
        note="Check the café.\u2028Then the monitors.",
    )
    give_verdict(desk.in_review, morgan)  # bob gave one already: two
    on_the_second = timezone.now().replace(microsecond=0)
    Claim.objects.filter(pk=desk.draft.pk).update(created_at=on_the_second)
    return list(selectors.claims_filtered().select_related("published_verdict").order_by("id"))


# The declaration and its copies ----------------------------------------------------


def test_the_shape_names_each_field_once() -> None:
    assert len(set(CLAIM_FIELD_NAMES)) == len(CLAIM_FIELDS)


def test_the_serializer_gives_the_shapes_fields_in_its_order() -> None:
    assert list(ClaimOutput().fields) == list(CLAIM_FIELD_NAMES)
    for field in CLAIM_FIELDS:
        serializer_field = ClaimOutput().fields[field.name]
        assert serializer_field.read_only
        assert serializer_field.allow_null == field.nullable, field.name


def test_the_schema_describes_the_shapes_fields() -> None:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = json.loads(OpenApiJsonRenderer().render(generated))
    component = schema["components"]["schemas"]["ClaimOutput"]
    assert list(component["properties"]) == list(CLAIM_FIELD_NAMES)
    assert set(component["required"]) == set(CLAIM_FIELD_NAMES)
    for field in CLAIM_FIELDS:
        described = component["properties"][field.name]
        assert described["readOnly"], field.name
        assert described.get("nullable", False) == field.nullable, field.name
        # Choices' descriptions go on to list the choices.
        assert described.get("description", "").startswith(field.description), field.name
        if field.choices is not None:
            (enum,) = described["allOf"]
            values = schema["components"]["schemas"][enum["$ref"].rsplit("/", 1)[1]]["enum"]
            assert values == [value for value, _ in field.choices], field.name
        elif field.is_datetime:
            assert (described["type"], described["format"]) == ("string", "date-time")
        else:
            assert described["type"] == field.type, field.name


def test_the_rows_read_the_shapes_fields(every_kind_of_claim: list[Claim]) -> None:
    for data in selectors.claim_dicts(selectors.claim_rows_filtered()):
        assert list(data) == list(CLAIM_FIELD_NAMES)


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo"])
def test_the_rows_make_the_same_dicts_as_claim_output(
    every_kind_of_claim: list[Claim], zone: str
) -> None:
    with timezone.override(zone):
        rows = selectors.claim_rows_filtered().order_by("id")
        assert selectors.claim_dicts(rows) == ClaimOutput(every_kind_of_claim, many=True).data


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo"])
def test_one_claim_makes_the_same_dict_as_claim_output(
    every_kind_of_claim: list[Claim], zone: str
) -> None:
    with timezone.override(zone):
        for claim in every_kind_of_claim:
            expected = ClaimOutput(claim).data
            assert selectors.claim_api_data(claim) == expected
            # A claim as a write returns it, without the listing's annotations: read apart.
            assert selectors.claim_api_data(Claim.objects.get(pk=claim.pk)) == expected


def test_the_values_are_what_the_claims_hold(every_kind_of_claim: list[Claim]) -> None:
    for claim, data in zip(every_kind_of_claim, selectors.claims_api_data(), strict=True):
        for field in CLAIM_FIELDS:
            value = claim
            for attr in field.path:
                value = getattr(value, attr) if value is not None else None
            if field.is_datetime and value is not None:
                value = value.isoformat().replace("+00:00", "Z")
            assert data[field.name] == value, field.name


def test_the_page_gets_what_the_api_lists(
    client_for: Clients, alice: User, every_kind_of_claim: list[Claim], desk: Desk
) -> None:
    response = client_for(alice).get("/api/claims/", {"article": desk.article.pk})
    assert selectors.claims_api_data(article_id=desk.article.pk) == response.json()["results"]
    assert len(response.json()["results"]) == len(every_kind_of_claim)


# The API answers with it -------------------------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo"])
def test_a_listed_claim_is_what_claim_output_gives(
    client_for: Clients, alice: User, every_kind_of_claim: list[Claim], zone: str
) -> None:
    # Datetimes are written in the current time zone, as DRF writes them.
    with timezone.override(zone):
        response = client_for(alice).get("/api/claims/", {"page_size": 1000})
        assert response.json()["results"] == _as_claim_output(every_kind_of_claim)
    assert {row["speaker"] is None for row in response.json()["results"]} == {True, False}


@pytest.mark.parametrize("name", ["draft", "in_review", "verified", "rejected"])
def test_a_claim_read_alone_is_what_claim_output_gives(
    client_for: Clients, bob: User, desk: Desk, name: str
) -> None:
    claim = getattr(desk, name)
    response = client_for(bob).get(f"/api/claims/{claim.pk}/")
    assert response.json() == _as_claim_output(_read(claim))[0]


def test_a_created_claim_is_what_claim_output_gives(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    body = {
        "article": desk.article.pk,
        "start": EMOJI_TEXT.index("café owners"),
        "end": EMOJI_TEXT.index("café owners") + len("café owners"),
        "quote": "café owners",
        "speaker": desk.speaker.pk,
        "attribution": "direct",
    }
    response = client_for(bob).post("/api/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    (claim,) = _read(Claim(pk=response.json()["id"]))
    assert response.json() == _as_claim_output([claim])[0]
    assert response.json()["speaker_name"] == "Syrian state media"


def test_an_edited_claim_is_what_claim_output_gives(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{desk.in_review.pk}/",
        {"restatement": "Some 1,200 people left.", "version": desk.in_review.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == _as_claim_output(_read(desk.in_review))[0]
    assert response.json()["verdict_count"] == 1


# The number of verdicts --------------------------------------------------------------


def test_it_counts_the_verdicts_given_on_each_claim(
    client_for: Clients, alice: User, every_kind_of_claim: list[Claim], desk: Desk
) -> None:
    counts = {
        row["id"]: row["verdict_count"]
        for row in client_for(alice).get("/api/claims/").json()["results"]
    }
    assert counts[desk.in_review.pk] == 2
    assert counts[desk.verified.pk] == 2  # the quorum
    assert counts[desk.draft.pk] == 0
    assert counts == {claim.pk: claim.verdicts.count() for claim in every_kind_of_claim}


def test_a_new_verdict_counts_at_once(client_for: Clients, morgan: User, desk: Desk) -> None:
    client = client_for(morgan)
    url = f"/api/claims/{desk.in_review.pk}/"
    before = client.get(url).json()["verdict_count"]
    verdict = {"rating": "false", "rationale": "The monitors' count."}
    assert client.post(f"{url}verdicts/", verdict, format="json").status_code == 201
    assert client.get(url).json()["verdict_count"] == before + 1
    listed = client.get("/api/claims/", {"article": desk.article.pk}).json()["results"]
    assert {row["id"]: row["verdict_count"] for row in listed}[desk.in_review.pk] == before + 1


def test_a_replaced_verdict_does_not_count_again(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    client = client_for(morgan)
    url = f"/api/claims/{desk.in_review.pk}/"
    first = {"rating": "false", "rationale": "The monitors' count."}
    assert client.post(f"{url}verdicts/", first, format="json").status_code == 201
    after_first = client.get(url).json()["verdict_count"]
    again = {"rating": "mixed", "rationale": "The monitors revised it."}
    assert client.post(f"{url}verdicts/", again, format="json").status_code == 200
    assert client.get(url).json()["verdict_count"] == after_first
    assert after_first == desk.in_review.verdicts.count()


def test_the_listing_reads_the_stored_count_without_counting_verdicts(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    client = client_for(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/claims/")
    # The token with its user, the user's permissions, one page of rows.
    assert len(queries) == 3
    (listing,) = [q["sql"] for q in queries if "annotations_claim" in q["sql"]]
    assert "GROUP BY" not in listing
    assert "annotations_verdict" not in listing
    assert '"annotations_claim"."verdict_count"' in listing
