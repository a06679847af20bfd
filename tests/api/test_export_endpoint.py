"""GET /api/export/: who may pull it, how the format is chosen, incremental pulls, streaming."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from annotations import services
from annotations.models import Article, Claim
from perfkit.corpus.build import Corpus

from .export_helpers import EXPORT_URL, FORMATS, export_bytes, item_ids, make_verified, verify


@pytest.fixture
def verified(alice: User, morgan: User, article: Article) -> Claim:
    return make_verified(
        article=article, phrase="some 2250 people", reviewer=alice, moderator=morgan
    )


@pytest.fixture
def reviewer_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


# Who may pull it ------------------------------------------------------------------


def test_an_anonymous_client_gets_401_and_is_told_how_to_authenticate(
    client: Client, verified: Claim
) -> None:
    response = client.get(EXPORT_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "some 2250 people" not in response.content.decode()


def test_an_anonymous_client_gets_the_export_when_it_is_public(
    client: Client, verified: Claim, settings
) -> None:
    settings.FACTCHECK_PUBLIC_EXPORT = True
    assert item_ids("jsonl", export_bytes(client, "jsonl")) == [str(verified.pk)]


def test_an_outsider_without_the_view_permission_gets_403(
    client: Client, charlie: User, verified: Claim
) -> None:
    client.force_login(charlie)
    response = client.get(EXPORT_URL)
    assert response.status_code == 403
    assert "permission to view claims" in response.json()["detail"]


def test_an_inactive_reviewer_gets_403(client: Client, alice: User, verified: Claim) -> None:
    client.force_login(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get(EXPORT_URL).status_code in (401, 403)


def test_a_reviewer_gets_a_streamed_export(reviewer_client: Client, verified: Claim) -> None:
    response = reviewer_client.get(EXPORT_URL)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    document = json.loads(b"".join(response.streaming_content))
    assert [item["id"] for item in document["items"]] == [verified.pk]


def test_a_moderator_gets_it_too(client: Client, morgan: User, verified: Claim) -> None:
    client.force_login(morgan)
    assert item_ids("json", export_bytes(client, "json")) == [str(verified.pk)]


def test_a_token_authenticates_without_a_session(alice: User, verified: Claim) -> None:
    token = Token.objects.create(user=alice)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert item_ids("csv", export_bytes(client, "csv")) == [str(verified.pk)]


def test_a_wrong_token_gets_401(client: Client, verified: Claim) -> None:
    response = client.get(EXPORT_URL, HTTP_AUTHORIZATION="Token not-a-real-key")
    assert response.status_code == 401


def test_an_outsiders_token_gets_403(charlie: User, verified: Claim) -> None:
    token = Token.objects.create(user=charlie)
    response = Client().get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403


# Choosing the format --------------------------------------------------------------

CONTENT_TYPES = {
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8; header=present",
    "claimreview": "application/ld+json",
    "w3c": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_format_parameter_chooses_the_format(
    reviewer_client: Client, verified: Claim, fmt: str
) -> None:
    response = reviewer_client.get(EXPORT_URL, {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert item_ids(fmt, b"".join(response.streaming_content)) == [str(verified.pk)]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("", "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("application/x-ndjson", "jsonl"),
        ("application/jsonl", "jsonl"),
        ("text/csv", "csv"),
        ("text/*", "csv"),
        ("application/ld+json", "claimreview"),
        ('application/ld+json; profile="https://schema.org/ClaimReview"', "claimreview"),
        ('application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"', "w3c"),
        ("application/ld+json;profile=http://www.w3.org/ns/anno.jsonld", "w3c"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "json"),  # a browser
        ("text/csv;q=0.5, application/x-ndjson", "jsonl"),
        ("application/json;q=0, text/csv", "csv"),
        ("image/png, text/csv;q=0.1", "csv"),
    ],
)
def test_the_accept_header_chooses_the_format(
    reviewer_client: Client, verified: Claim, accept: str, fmt: str
) -> None:
    response = reviewer_client.get(EXPORT_URL, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert "Accept" in response["Vary"]


def test_the_format_parameter_wins_over_the_accept_header(
    reviewer_client: Client, verified: Claim
) -> None:
    response = reviewer_client.get(EXPORT_URL, {"format": "csv"}, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="verified-claims.csv"'


def test_an_unknown_format_is_400_listing_the_formats(reviewer_client: Client) -> None:
    response = reviewer_client.get(EXPORT_URL, {"format": "xml"})
    assert response.status_code == 400
    body = response.json()
    assert "“xml” is not an export format" in body["format"][0]
    assert list(body["formats"]) == list(FORMATS)


def test_an_accept_header_no_format_meets_is_406_listing_the_formats(
    reviewer_client: Client,
) -> None:
    response = reviewer_client.get(EXPORT_URL, HTTP_ACCEPT="application/xml, image/*")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "?format=" in body["detail"]
    assert body["formats"]["csv"].startswith("text/csv")


W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def test_the_export_is_in_the_openapi_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/export/"]["get"]
    assert operation["operationId"] == "export_claims"
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters["format"]["schema"]["enum"]) == set(FORMATS)
    assert parameters["updated_since"]["schema"]["format"] == "date-time"
    content = operation["responses"]["200"]["content"]
    assert set(content) == {
        "application/json",
        "application/x-ndjson",
        "text/csv",
        "application/ld+json",
        W3C_MEDIA_TYPE,
    }
    # ClaimReview is a list; the W3C export one AnnotationCollection.
    assert content["application/ld+json"]["schema"]["type"] == "array"
    w3c = content[W3C_MEDIA_TYPE]["schema"]
    assert w3c["type"] == "object"
    assert w3c["properties"]["type"]["enum"] == ["AnnotationCollection"]
    assert {"401", "403", "406"} <= set(operation["responses"])


# Incremental pulls ----------------------------------------------------------------


@pytest.fixture
def old_and_new(alice: User, morgan: User, article: Article) -> tuple[Claim, Claim]:
    old = make_verified(
        article=article, phrase="some 2250 people", reviewer=alice, moderator=morgan
    )
    new = make_verified(article=article, phrase="mostly fighters", reviewer=alice, moderator=morgan)
    last_month = timezone.now() - timedelta(days=30)
    Claim.objects.filter(pk=old.pk).update(updated_at=last_month)
    return old, new


@pytest.mark.parametrize("fmt", FORMATS)
def test_updated_since_gives_only_the_claims_changed_since(
    reviewer_client: Client, old_and_new: tuple[Claim, Claim], fmt: str
) -> None:
    old, new = old_and_new
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert item_ids(fmt, export_bytes(reviewer_client, fmt, updated_since=since)) == [str(new.pk)]
    everything = item_ids(fmt, export_bytes(reviewer_client, fmt))
    assert everything == [str(old.pk), str(new.pk)]  # in id order


@pytest.mark.parametrize(
    "since",
    [
        "2000-01-01",
        "2000-01-01T00:00:00Z",
        "2000-01-01T02:00:00+02:00",
        "2000-01-01T02:00:00 02:00",  # the "+" of an unencoded query string, read as a space
        "2000-01-01T00:00:00.000001",
    ],
)
def test_updated_since_takes_iso_8601_dates_and_date_times(
    reviewer_client: Client, old_and_new: tuple[Claim, Claim], since: str
) -> None:
    assert len(item_ids("jsonl", export_bytes(reviewer_client, "jsonl", updated_since=since))) == 2


def test_updated_since_is_echoed_in_the_json_document(
    reviewer_client: Client, old_and_new: tuple[Claim, Claim]
) -> None:
    data = export_bytes(reviewer_client, "json", updated_since="2030-01-01T12:00:00+02:00")
    assert json.loads(data) == {"updated_since": "2030-01-01T10:00:00Z", "items": [], "count": 0}


@pytest.mark.parametrize(
    "since", ["yesterday", "2024-13-01", "", "2024-05-01T25:00", "0001-01-01T00:00:00+05:00"]
)
def test_a_bad_updated_since_is_400_naming_the_parameter(
    reviewer_client: Client, since: str
) -> None:
    response = reviewer_client.get(EXPORT_URL, {"updated_since": since})
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["updated_since"][0]


def test_a_claim_verified_again_comes_back_in_the_next_pull(
    reviewer_client: Client, alice: User, morgan: User, old_and_new: tuple[Claim, Claim]
) -> None:
    old, _ = old_and_new
    since = (timezone.now() - timedelta(days=1)).isoformat()
    services.claim_reopen(claim=old, user=morgan, reason="New figures from the UN.")
    verify(old, reviewer=alice, moderator=morgan, rating="false", rationale="UN figures differ.")
    ids = item_ids("json", export_bytes(reviewer_client, "json", updated_since=since))
    assert str(old.pk) in ids


# Streaming and queries ------------------------------------------------------------


def _queries_for_export(client: Client, fmt: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_bytes(client, fmt)
    return len(queries)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_number_of_queries_does_not_grow_with_the_claims(
    reviewer_client: Client, fmt: str
) -> None:
    corpus = Corpus(seed=1, articles=4, words=300, claims=100, verified=1.0)
    corpus.setup()
    corpus.build(until_verified=10)
    few = _queries_for_export(reviewer_client, fmt)
    corpus.build()  # 90 more, on more articles, by more speakers and reviewers
    assert _queries_for_export(reviewer_client, fmt) == few
