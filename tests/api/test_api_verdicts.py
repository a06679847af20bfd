"""/api/claims/{id}/verdicts/: each reviewer gives, and replaces, their own verdict."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Verdict

from .conftest import Desk

Clients = Callable[[User], APIClient]

VERDICT = {"rating": "mostly_true", "rationale": "The UN counted 1,150."}


def _list(desk: Desk) -> str:
    return f"/api/claims/{desk.in_review.pk}/verdicts/"


def _detail(desk: Desk) -> str:
    return f"/api/claims/{desk.in_review.pk}/verdicts/{desk.verdict.pk}/"


ENDPOINTS = [("get", _list), ("post", _list), ("get", _detail), ("patch", _detail)]


@pytest.mark.parametrize(("method", "where"), ENDPOINTS)
def test_it_answers_anonymous_clients_with_401(
    api_client: APIClient, desk: Desk, method: str, where: Callable[[Desk], str]
) -> None:
    response = getattr(api_client, method)(where(desk), VERDICT, format="json")
    assert response.status_code == 401
    assert Verdict.objects.count() == 3


@pytest.mark.parametrize(("method", "where"), ENDPOINTS)
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, desk: Desk, method: str, where: Callable[[Desk], str]
) -> None:
    response = getattr(client_for(charlie), method)(where(desk), VERDICT, format="json")
    assert response.status_code == 403
    assert Verdict.objects.count() == 3
    desk.verdict.refresh_from_db()
    assert desk.verdict.rating == "mostly_false"


def test_it_lists_verdicts_with_the_reviewer_and_the_number_on_the_scale(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).get(_list(desk))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["reviewer"], row["rating"], row["rating_value"]) == ("bob", "mostly_false", 2)


def test_it_gives_a_reviewers_first_verdict_with_201(
    client_for: Clients, dana: User, desk: Desk
) -> None:
    response = client_for(dana).post(_list(desk), VERDICT, format="json")
    assert response.status_code == 201, response.json()
    verdict = Verdict.objects.get(claim=desk.in_review, reviewer=dana)
    assert (verdict.rating, verdict.rationale) == ("mostly_true", VERDICT["rationale"])
    assert response.json()["reviewer"] == "dana"


def test_it_replaces_a_reviewers_verdict_on_a_second_post_with_200(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).post(_list(desk), VERDICT, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == desk.verdict.pk
    assert Verdict.objects.filter(claim=desk.in_review, reviewer=bob).count() == 1
    desk.verdict.refresh_from_db()
    assert desk.verdict.rating == "mostly_true"


def test_it_rates_unverifiable_outside_the_scale(
    client_for: Clients, dana: User, desk: Desk
) -> None:
    response = client_for(dana).post(
        _list(desk), {"rating": "unverifiable", "rationale": "No record exists."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["rating_value"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "pants_on_fire", "rationale": "x"}, "rating"),
        ({"rating": "true", "rationale": "   "}, "rationale"),
        ({"rating": "true"}, "rationale"),
        ({"rating": None, "rationale": "x"}, "rating"),
    ],
)
def test_it_names_the_field_that_is_wrong(
    client_for: Clients, dana: User, desk: Desk, body: dict[str, object], field: str
) -> None:
    response = client_for(dana).post(_list(desk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Verdict.objects.filter(reviewer=dana, claim=desk.in_review).exists()


@pytest.mark.parametrize("state", ["verified", "rejected"])
def test_it_refuses_verdicts_on_a_closed_claim(
    client_for: Clients, bob: User, desk: Desk, state: str
) -> None:
    claim = getattr(desk, state)
    response = client_for(bob).post(f"/api/claims/{claim.pk}/verdicts/", VERDICT, format="json")
    assert response.status_code == 403
    assert "verdicts are closed" in response.json()["detail"]
    assert not claim.verdicts.filter(reviewer=bob).exists()


def test_it_lets_a_reviewer_change_their_own_verdict(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).patch(_detail(desk), {"rating": "false"}, format="json")
    assert response.status_code == 200
    desk.verdict.refresh_from_db()
    assert desk.verdict.rating == "false"
    assert desk.verdict.rationale == "bob checked the record."


@pytest.mark.parametrize("who", ["alice", "morgan"])
def test_it_refuses_to_change_someone_elses_verdict(
    client_for: Clients, desk: Desk, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    response = client_for(user).patch(_detail(desk), {"rating": "true"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may only change your own verdict."
    desk.verdict.refresh_from_db()
    assert desk.verdict.rating == "mostly_false"
    assert not Verdict.objects.filter(claim=desk.in_review, reviewer=user).exists()


def test_it_answers_404_for_a_verdict_under_another_claim(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).patch(
        f"/api/claims/{desk.draft.pk}/verdicts/{desk.verdict.pk}/",
        {"rating": "true"},
        format="json",
    )
    assert response.status_code == 404
    desk.verdict.refresh_from_db()
    assert desk.verdict.rating == "mostly_false"


def test_it_has_no_way_to_delete_a_verdict(client_for: Clients, bob: User, desk: Desk) -> None:
    response = client_for(bob).delete(_detail(desk))
    assert response.status_code == 405
    assert Verdict.objects.filter(pk=desk.verdict.pk).exists()
