"""/api/claims/{id}/sources/: add to open claims, change and remove one's own."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Source

from .conftest import Desk

Clients = Callable[[User], APIClient]

EVIDENCE = {
    "url": "https://un.example/homs-evacuation",
    "stance": "supports",
    "title": "UN statement on Homs",
    "publisher": "United Nations",
    "published_on": "2014-05-08",
    "excerpt": "Some 1,200 people left the Old City.",
}


def _list(desk: Desk) -> str:
    return f"/api/claims/{desk.in_review.pk}/sources/"


def _detail(desk: Desk) -> str:
    return f"/api/claims/{desk.in_review.pk}/sources/{desk.source.pk}/"


@pytest.mark.parametrize(
    ("method", "where"),
    [("get", _list), ("post", _list), ("get", _detail), ("patch", _detail), ("delete", _detail)],
)
def test_it_answers_anonymous_clients_with_401(
    api_client: APIClient, desk: Desk, method: str, where: Callable[[Desk], str]
) -> None:
    response = getattr(api_client, method)(where(desk), EVIDENCE, format="json")
    assert response.status_code == 401
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "where"),
    [("get", _list), ("post", _list), ("get", _detail), ("patch", _detail), ("delete", _detail)],
)
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, desk: Desk, method: str, where: Callable[[Desk], str]
) -> None:
    response = getattr(client_for(charlie), method)(where(desk), EVIDENCE, format="json")
    assert response.status_code == 403
    desk.source.refresh_from_db()
    assert desk.source.stance == "refutes"
    assert Source.objects.count() == 1


def test_it_lists_a_claims_sources_with_who_added_them(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).get(_list(desk))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == desk.source.pk
    assert row["added_by"] == "bob"
    assert row["url"] == "https://example.org/report"


def test_it_lets_a_reviewer_add_a_source_to_someone_elses_open_claim(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).post(
        f"/api/claims/{desk.draft.pk}/sources/", EVIDENCE, format="json"
    )
    assert response.status_code == 201, response.json()
    source = Source.objects.get(claim=desk.draft)
    assert source.added_by == bob
    assert source.title == EVIDENCE["title"]
    assert response.json()["claim"] == desk.draft.pk


@pytest.mark.parametrize("state", ["verified", "rejected"])
def test_it_refuses_sources_on_a_closed_claim(
    client_for: Clients, alice: User, desk: Desk, state: str
) -> None:
    claim = getattr(desk, state)
    response = client_for(alice).post(f"/api/claims/{claim.pk}/sources/", EVIDENCE, format="json")
    assert response.status_code == 403
    assert "sources are closed" in response.json()["detail"]
    assert not claim.sources.exists()


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("url", "javascript:alert(1)", "http://"),
        ("url", "", "may not be blank"),
        ("stance", "neutral", "not a valid choice"),
        ("published_on", "2014-02-30", "wrong format"),
        ("title", "t" * 501, "no more than 500"),
    ],
)
def test_it_names_the_field_that_is_wrong(
    client_for: Clients, alice: User, desk: Desk, field: str, value: str, problem: str
) -> None:
    response = client_for(alice).post(_list(desk), {**EVIDENCE, field: value}, format="json")
    assert response.status_code == 400
    assert problem in " ".join(response.json()[field])
    assert Source.objects.count() == 1


def test_it_answers_404_for_a_missing_claim(client_for: Clients, alice: User, desk: Desk) -> None:
    response = client_for(alice).post("/api/claims/999999/sources/", EVIDENCE, format="json")
    assert response.status_code == 404
    assert client_for(alice).get("/api/claims/999999/sources/").status_code == 404


def test_it_answers_404_for_a_source_under_another_claim(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).get(f"/api/claims/{desk.draft.pk}/sources/{desk.source.pk}/")
    assert response.status_code == 404


def test_it_lets_the_one_who_added_a_source_change_it(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).patch(
        _detail(desk), {"stance": "context", "excerpt": "  Trimmed.  "}, format="json"
    )
    assert response.status_code == 200, response.json()
    desk.source.refresh_from_db()
    assert (desk.source.stance, desk.source.excerpt) == ("context", "Trimmed.")
    assert desk.source.url == "https://example.org/report"


def test_it_refuses_to_change_someone_elses_source(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).patch(_detail(desk), {"stance": "supports"}, format="json")
    assert response.status_code == 403
    desk.source.refresh_from_db()
    assert desk.source.stance == "refutes"


def test_it_lets_a_moderator_change_any_source(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).patch(_detail(desk), {"title": "Report"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Report"
    assert response.json()["added_by"] == "bob"


def test_it_lets_the_one_who_added_a_source_remove_it(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).delete(_detail(desk))
    assert response.status_code == 204
    assert not Source.objects.exists()


def test_it_refuses_to_remove_someone_elses_source(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).delete(_detail(desk))
    assert response.status_code == 403
    assert Source.objects.filter(pk=desk.source.pk).exists()


def test_it_refuses_to_remove_a_source_once_the_claim_is_closed(
    client_for: Clients, bob: User, morgan: User, desk: Desk
) -> None:
    reject = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/reject/", {"reason": "Duplicate"}, format="json"
    )
    assert reject.status_code == 200
    response = client_for(bob).delete(_detail(desk))
    assert response.status_code == 403
    assert Source.objects.filter(pk=desk.source.pk).exists()


def test_adding_a_source_marks_the_claim_as_updated(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    before = desk.draft.updated_at
    client_for(alice).post(f"/api/claims/{desk.draft.pk}/sources/", EVIDENCE, format="json")
    desk.draft.refresh_from_db()
    assert desk.draft.updated_at > before
    assert desk.draft.version == 1  # sources are not edits of the claim itself
