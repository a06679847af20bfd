"""Optimistic concurrency on claims: an edit based on a stale version changes nothing."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Claim

from .conftest import Desk

Clients = Callable[[User], APIClient]


@pytest.fixture
def edited_by_someone_else(desk: Desk, morgan: User) -> Claim:
    """Alice's draft, which a moderator has edited since alice loaded version 1."""
    services.claim_update(
        claim=desk.draft, user=morgan, expected_version=1, note="Morgan got there first."
    )
    desk.draft.refresh_from_db()
    assert desk.draft.version == 2
    return desk.draft


def _unchanged(claim: Claim) -> None:
    before = (claim.restatement, claim.note, claim.version, claim.updated_at)
    claim.refresh_from_db()
    assert (claim.restatement, claim.note, claim.version, claim.updated_at) == before


def test_it_refuses_a_stale_update_with_409_and_changes_nothing(
    client_for: Clients, alice: User, edited_by_someone_else: Claim
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Based on version 1", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "version 2" in body["version"][0]
    assert response["ETag"] == '"2"'
    _unchanged(edited_by_someone_else)


def test_it_refuses_a_stale_if_match_with_412_and_changes_nothing(
    client_for: Clients, alice: User, edited_by_someone_else: Claim
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Based on version 1"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == 2
    assert response["ETag"] == '"2"'
    _unchanged(edited_by_someone_else)


def test_it_accepts_the_etag_it_gave_and_returns_the_next_one(
    client_for: Clients, alice: User, edited_by_someone_else: Claim
) -> None:
    client = client_for(alice)
    etag = client.get(f"/api/claims/{edited_by_someone_else.pk}/")["ETag"]
    response = client.patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Based on the latest"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response["ETag"] == '"3"'
    assert response.json()["version"] == 3
    # The same ETag again is now stale.
    again = client.patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Second try"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert again.status_code == 412
    edited_by_someone_else.refresh_from_db()
    assert edited_by_someone_else.restatement == "Based on the latest"


@pytest.mark.parametrize("header", ['"2", "7"', 'W/"2"'])
def test_it_accepts_a_list_or_a_weak_form_of_the_current_etag(
    client_for: Clients, alice: User, edited_by_someone_else: Claim, header: str
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Current"},
        format="json",
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3


@pytest.mark.parametrize("header", ["2", '"two"', '"99999999999999999999"', ""])
def test_it_takes_an_if_match_naming_no_version_as_stale(
    client_for: Clients, alice: User, edited_by_someone_else: Claim, header: str
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Garbled precondition"},
        format="json",
        HTTP_IF_MATCH=header,
    )
    assert response.status_code == 412
    _unchanged(edited_by_someone_else)


def test_it_lets_if_match_star_edit_whatever_the_version(
    client_for: Clients, alice: User, edited_by_someone_else: Claim
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Any version will do"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3


def test_it_refuses_a_body_version_that_contradicts_if_match(
    client_for: Clients, alice: User, edited_by_someone_else: Claim
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{edited_by_someone_else.pk}/",
        {"restatement": "Which one?", "version": 1},
        format="json",
        HTTP_IF_MATCH='"2"',
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["version"][0]
    _unchanged(edited_by_someone_else)


def test_a_submitted_claim_makes_an_edit_of_the_draft_stale(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    client = client_for(alice)
    etag = client.get(f"/api/claims/{desk.draft.pk}/")["ETag"]
    assert (
        client.patch(
            f"/api/claims/{desk.draft.pk}/",
            {"restatement": "It happened on Friday.", "version": 1},
            format="json",
        ).status_code
        == 200
    )
    submitted = client.post(f"/api/claims/{desk.draft.pk}/submit/")
    assert submitted.status_code == 200
    assert submitted["ETag"] == '"3"'
    response = client.patch(
        f"/api/claims/{desk.draft.pk}/", {"note": "Old tab"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    desk.draft.refresh_from_db()
    assert desk.draft.note == ""


def test_permission_is_checked_before_the_version(
    client_for: Clients, bob: User, edited_by_someone_else: Claim
) -> None:
    # Bob may not edit alice's draft at all: he learns that, not which version it is at.
    response = client_for(bob).patch(
        f"/api/claims/{edited_by_someone_else.pk}/", {"note": "Bob", "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert "current_version" not in response.json()
    _unchanged(edited_by_someone_else)
