"""Submitting, verifying, rejecting and reopening claims through the API."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from rest_framework.test import APIClient

from annotations.models import Claim, Verdict
from tests.factories import give_verdict

from .conftest import Desk

Clients = Callable[[User], APIClient]


def _status(claim: Claim) -> str:
    claim.refresh_from_db()
    return claim.status


@pytest.mark.parametrize("action", ["submit", "verify", "reject", "reopen"])
def test_it_answers_anonymous_clients_with_401(
    api_client: APIClient, desk: Desk, action: str
) -> None:
    response = api_client.post(
        f"/api/claims/{desk.in_review.pk}/{action}/",
        {"verdict": desk.verdict.pk, "reason": "r"},
        format="json",
    )
    assert response.status_code == 401
    assert _status(desk.in_review) == "in_review"


@pytest.mark.parametrize("action", ["submit", "verify", "reject", "reopen"])
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, desk: Desk, action: str
) -> None:
    response = client_for(charlie).post(
        f"/api/claims/{desk.in_review.pk}/{action}/",
        {"verdict": desk.verdict.pk, "reason": "r"},
        format="json",
    )
    assert response.status_code == 403
    assert _status(desk.in_review) == "in_review"


# Submitting ----------------------------------------------------------------------


def _with_restatement(claim: Claim) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(restatement="It happened on a Friday.")
    return claim


def test_it_lets_the_author_submit_a_draft(client_for: Clients, alice: User, desk: Desk) -> None:
    claim = _with_restatement(desk.draft)
    response = client_for(alice).post(f"/api/claims/{claim.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response["ETag"] == '"2"'
    assert _status(claim) == "in_review"


def test_it_refuses_to_submit_someone_elses_draft(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    claim = _with_restatement(desk.draft)
    response = client_for(bob).post(f"/api/claims/{claim.pk}/submit/")
    assert response.status_code == 403
    assert _status(claim) == "draft"


def test_it_asks_for_a_restatement_before_submitting(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).post(f"/api/claims/{desk.draft.pk}/submit/")
    assert response.status_code == 400
    assert "in your own words" in response.json()["restatement"][0]
    assert _status(desk.draft) == "draft"


def test_it_refuses_to_submit_a_claim_already_in_review(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).post(f"/api/claims/{desk.in_review.pk}/submit/")
    assert response.status_code == 400
    assert "Only drafts can be submitted" in response.json()["status"][0]


# Verifying -----------------------------------------------------------------------


def test_it_lets_a_moderator_verify_publishing_a_verdict(
    client_for: Clients, morgan: User, dana: User, desk: Desk
) -> None:
    give_verdict(desk.in_review, dana)  # with bob's, the quorum of two
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": desk.verdict.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["published_verdict"], body["moderated_by"]) == (
        "verified",
        desk.verdict.pk,
        "morgan",
    )
    desk.in_review.refresh_from_db()
    assert desk.in_review.published_verdict == desk.verdict


def test_it_refuses_to_verify_before_the_quorum_naming_the_rule(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": desk.verdict.pk}, format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["quorum"]
    assert message == (
        "Rule of the desk: a claim needs 2 independent verdicts from different reviewers "
        "before it is verified; it has 1, so 1 more is needed."
    )
    assert _status(desk.in_review) == "in_review"


@override_settings(FACTCHECK_VERDICT_QUORUM=1)
def test_a_desk_with_a_quorum_of_one_verifies_on_one_verdict(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": desk.verdict.pk}, format="json"
    )
    assert response.status_code == 200
    assert _status(desk.in_review) == "verified"


def test_it_refuses_to_publish_the_moderators_own_verdict(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    own = give_verdict(desk.in_review, morgan)
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": own.pk}, format="json"
    )
    assert response.status_code == 400
    assert "may not publish their own verdict" in response.json()["verdict"][0]
    assert "quorum" not in response.json()  # bob's and morgan's: two
    with override_settings(FACTCHECK_MODERATOR_MAY_PUBLISH_OWN=True):
        response = client_for(morgan).post(
            f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": own.pk}, format="json"
        )
    assert response.status_code == 200
    assert _status(desk.in_review) == "verified"


def test_a_reviewer_who_wrote_the_claim_gets_400_naming_the_rule(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).post(
        f"/api/claims/{desk.in_review.pk}/verdicts/",
        {"rating": "true", "rationale": "Mine."},
        format="json",
    )
    assert response.status_code == 400
    assert "author may not rate" in response.json()["reviewer"][0]
    with override_settings(FACTCHECK_AUTHOR_MAY_RATE=True):
        response = client_for(alice).post(
            f"/api/claims/{desk.in_review.pk}/verdicts/",
            {"rating": "true", "rationale": "Mine."},
            format="json",
        )
    assert response.status_code == 201


def test_it_refuses_a_reviewer_verifying(client_for: Clients, bob: User, desk: Desk) -> None:
    response = client_for(bob).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": desk.verdict.pk}, format="json"
    )
    assert response.status_code == 403
    assert _status(desk.in_review) == "in_review"


def test_it_refuses_to_publish_a_verdict_given_on_another_claim(
    client_for: Clients, morgan: User, bob: User, desk: Desk
) -> None:
    elsewhere = give_verdict(desk.draft, bob, Verdict.Rating.TRUE)
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", {"verdict": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert "given on this claim" in response.json()["verdict"][0]
    assert _status(desk.in_review) == "in_review"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"verdict": 999999}, "There is no verdict 999999."),
        ({"verdict": 2**64}, "less than or equal to"),
        ({"verdict": "bob's"}, "valid integer"),
        ({}, "required"),
    ],
)
def test_it_names_the_verdict_when_it_is_missing_or_wrong(
    client_for: Clients, morgan: User, desk: Desk, body: dict[str, object], problem: str
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/verify/", body, format="json"
    )
    assert response.status_code == 400
    assert problem in response.json()["verdict"][0]


def test_it_refuses_to_verify_a_draft(
    client_for: Clients, morgan: User, bob: User, desk: Desk
) -> None:
    verdict = give_verdict(desk.draft, bob)
    response = client_for(morgan).post(
        f"/api/claims/{desk.draft.pk}/verify/", {"verdict": verdict.pk}, format="json"
    )
    assert response.status_code == 400
    assert "this claim is a draft" in response.json()["status"][0]


# Rejecting and reopening ---------------------------------------------------------


def test_it_lets_a_moderator_reject_with_a_reason(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/reject/",
        {"reason": "  An opinion, not a fact.  "},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "An opinion, not a fact."
    assert _status(desk.in_review) == "rejected"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_asks_for_the_reason_of_a_rejection(
    client_for: Clients, morgan: User, desk: Desk, reason: str | None
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/reject/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert _status(desk.in_review) == "in_review"


def test_it_refuses_a_reviewer_rejecting(client_for: Clients, alice: User, desk: Desk) -> None:
    response = client_for(alice).post(
        f"/api/claims/{desk.in_review.pk}/reject/", {"reason": "Mine to judge"}, format="json"
    )
    assert response.status_code == 403
    assert _status(desk.in_review) == "in_review"


def test_it_lets_a_moderator_reopen_a_verified_claim(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.verified.pk}/reopen/", {"reason": "New evidence."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["published_verdict"] is None
    assert _status(desk.verified) == "in_review"


def test_it_refuses_to_reopen_an_open_claim(client_for: Clients, morgan: User, desk: Desk) -> None:
    response = client_for(morgan).post(
        f"/api/claims/{desk.in_review.pk}/reopen/", {"reason": "Why not"}, format="json"
    )
    assert response.status_code == 400
    assert "nothing to reopen" in response.json()["status"][0]


def test_it_refuses_a_reviewer_reopening(client_for: Clients, bob: User, desk: Desk) -> None:
    response = client_for(bob).post(
        f"/api/claims/{desk.rejected.pk}/reopen/", {"reason": "I disagree"}, format="json"
    )
    assert response.status_code == 403
    assert _status(desk.rejected) == "rejected"


def test_it_answers_404_for_moderating_a_missing_claim(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    response = client_for(morgan).post("/api/claims/999999/reject/", {"reason": "x"})
    assert response.status_code == 404
