"""An export that cannot be made fails before its first byte: a JSON 500, not a cut file."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from annotations.models import Article, Claim
from annotations.publishing import views

from .export_helpers import EXPORT_URL, FORMATS, make_verified


@pytest.fixture
def reviewer_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def verified(alice: User, morgan: User, article: Article) -> Claim:
    return make_verified(
        article=article, phrase="some 2250 people", reviewer=alice, moderator=morgan
    )


def _without_moderated_at(claim: Claim) -> None:
    """Put the claim in the state the database now refuses: verified, with no moderated_at."""
    table = Claim._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:  # dropped inside the test's transaction, which rolls it back
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block it
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT claim_moderated_has_who_and_when")
        cursor.execute(f"UPDATE {table} SET moderated_at = NULL WHERE id = %s", [claim.pk])  # noqa: S608
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_verified_claim_without_moderated_at_is_a_json_500_before_any_byte(
    reviewer_client: Client, verified: Claim, fmt: str
) -> None:
    _without_moderated_at(verified)

    response = reviewer_client.get(EXPORT_URL, {"format": fmt})

    assert response.status_code == 500
    assert not response.streaming
    assert response["Content-Type"] == "application/json"
    assert "error has been logged" in response.json()["detail"]


def test_a_reader_that_fails_on_its_first_row_is_a_json_500(
    reviewer_client: Client, verified: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(**kwargs: object) -> Iterator[object]:
        raise RuntimeError("the first row cannot be read")
        yield  # a generator, as the reader is

    monkeypatch.setattr(views, "verified_claims", failing)

    response = reviewer_client.get(EXPORT_URL, {"format": "jsonl"})

    assert response.status_code == 500
    assert not response.streaming
    assert "detail" in response.json()


def test_a_good_export_still_streams(reviewer_client: Client, verified: Claim) -> None:
    response = reviewer_client.get(EXPORT_URL, {"format": "json"})

    assert response.status_code == 200
    assert response.streaming
    assert b'"count":1' in b"".join(response.streaming_content)
