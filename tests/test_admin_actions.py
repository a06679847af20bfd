"""The desk's bulk actions on claims: verify, reject, send back to review.

Each asks for more on an intermediate page, then writes all the selected
claims in one transaction, or none of them.
"""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from annotations import services
from annotations.admin.actions import OWN_VERDICT, verdict_choice
from annotations.models import Article, Claim, Speaker, Verdict

from .factories import UserFactory, give_verdict, make_claim, make_claim_in_review


def changelist_url() -> str:
    return reverse("admin:annotations_claim_changelist")


def choose_action(client: Client, action: str, claims: list[Claim]) -> HttpResponse:
    """Pick the action for the claims on the changelist, as its “Go” button does."""
    return client.post(
        changelist_url(),
        {"action": action, "_selected_action": [c.pk for c in claims], "index": 0},
    )


def submit_action(client: Client, action: str, claims: list[Claim], **data: Any) -> HttpResponse:
    """Submit the action's intermediate page."""
    return client.post(
        changelist_url(),
        {"action": action, "_selected_action": [c.pk for c in claims], "apply": "yes", **data},
    )


def row_errors(response: HttpResponse, claim: Claim) -> dict[str, list[str]]:
    """Return the errors the intermediate page shows beside one claim."""
    (row,) = [row for row in response.context["rows"] if row.claim.pk == claim.pk]
    return {field: list(errors) for field, errors in row.form.errors.items()}


def snapshot() -> list[tuple[Any, ...]]:
    """Return everything a bulk action could write, to show that it wrote nothing."""
    claims = Claim.objects.order_by("pk").values_list(
        "pk", "status", "published_verdict", "moderated_by", "rejection_reason", "version"
    )
    verdicts = Verdict.objects.order_by("pk").values_list("pk", "reviewer", "rating", "rationale")
    history = Claim.history.count() + Verdict.history.count()
    return [*claims, *verdicts, history]


@pytest.fixture
def claims(
    alice: User, bob: User, dana: User, article: Article, opposition: Speaker
) -> list[Claim]:
    """Two of alice's claims in review, each with bob's and dana's verdicts: the quorum."""
    first = make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    second = make_claim_in_review(user=alice, article=article, phrase="since June 2012")
    give_verdict(first, bob)
    give_verdict(first, dana, Verdict.Rating.TRUE)
    give_verdict(second, bob, Verdict.Rating.FALSE)
    give_verdict(second, dana, Verdict.Rating.MIXED)
    return [first, second]


def verdict(claim: Claim, user: User) -> Verdict:
    return Verdict.objects.get(claim=claim, reviewer=user)


# Verify --------------------------------------------------------------------


def test_it_shows_the_verify_page_with_each_claims_verdicts(
    client: Client, morgan: User, alice: User, bob: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    before = snapshot()
    response = choose_action(client, "verify", claims)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/annotations/claim/bulk_action.html"
    page = response.content.decode()
    assert "csrfmiddlewaretoken" in page
    assert '<input type="hidden" name="action" value="verify">' in page
    for claim in claims:
        assert f'<input type="hidden" name="_selected_action" value="{claim.pk}">' in page
    assert "will see <mark>some 2250 people</mark>" in page
    assert "bob: Mostly true — bob checked the record." in page
    assert "dana: Mixed — dana checked the record." in page
    assert f'value="{verdict_choice(verdict(claims[1], bob))}"' in page
    assert page.count(f'value="{OWN_VERDICT}"') == 2
    assert snapshot() == before


def test_it_verifies_with_an_existing_verdict(
    client: Client, morgan: User, dana: User, bob: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    first, second = claims
    response = submit_action(
        client,
        "verify",
        claims,
        **{
            f"claim-{first.pk}-publish": verdict_choice(verdict(first, bob)),
            f"claim-{second.pk}-publish": verdict_choice(verdict(second, dana)),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == changelist_url()
    for claim, reviewer in ((first, bob), (second, dana)):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.VERIFIED
        assert claim.published_verdict == verdict(claim, reviewer)
        assert claim.moderated_by == morgan
        latest = claim.history.first()
        assert latest.history_user == morgan
        assert latest.history_change_reason.startswith(f"Verified; published {reviewer}'s verdict")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Verified 2 claim(s)."]


def test_by_default_it_refuses_to_publish_the_moderators_own_verdict(
    client: Client, morgan: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    first = claims[0]
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        [first],
        **{
            f"claim-{first.pk}-publish": OWN_VERDICT,
            f"claim-{first.pk}-rating": Verdict.Rating.MOSTLY_FALSE,
            f"claim-{first.pk}-rationale": "The UN counted 1,400 people.",
        },
    )
    assert response.status_code == 200  # the page again, with the rule beside the claim
    assert row_errors(response, first)["__all__"] == [services.MODERATOR_MAY_NOT_PUBLISH_OWN]
    assert snapshot() == before


def test_it_refuses_a_claim_short_of_the_quorum_saying_how_many_more(
    client: Client, morgan: User, bob: User, article: Article, claims: list[Claim]
) -> None:
    lone = make_claim_in_review(user=morgan, article=article, phrase="flashpoint city")
    give_verdict(lone, bob)
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        [claims[0], lone],
        **{
            f"claim-{claims[0].pk}-publish": verdict_choice(verdict(claims[0], bob)),
            f"claim-{lone.pk}-publish": verdict_choice(verdict(lone, bob)),
        },
    )
    assert response.status_code == 200
    [message] = row_errors(response, lone)["__all__"]
    assert "needs 2 independent verdicts" in message and "1 more is needed" in message
    assert "__all__" not in row_errors(response, claims[0])
    assert snapshot() == before  # all or nothing


@override_settings(FACTCHECK_MODERATOR_MAY_PUBLISH_OWN=True)
def test_it_verifies_with_its_own_verdict(
    client: Client, morgan: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    first = claims[0]
    response = submit_action(
        client,
        "verify",
        [first],
        **{
            f"claim-{first.pk}-publish": OWN_VERDICT,
            f"claim-{first.pk}-rating": Verdict.Rating.MOSTLY_FALSE,
            f"claim-{first.pk}-rationale": "  The UN counted 1,400 people.  ",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    own = verdict(first, morgan)
    assert own.rating == Verdict.Rating.MOSTLY_FALSE
    assert own.rationale == "The UN counted 1,400 people."
    assert first.status == Claim.Status.VERIFIED
    assert first.published_verdict == own
    assert first.history.first().history_change_reason == (
        "Verified; published morgan's verdict: Mostly false"
    )


def test_it_writes_nothing_when_one_claim_is_not_in_review(
    client: Client, morgan: User, alice: User, bob: User, article: Article, claims: list[Claim]
) -> None:
    draft = make_claim(user=alice, article=article, phrase="flashpoint city")
    selected = [*claims, draft]
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        selected,
        **{
            f"claim-{claims[0].pk}-publish": verdict_choice(verdict(claims[0], bob)),
            f"claim-{claims[1].pk}-publish": verdict_choice(verdict(claims[1], bob)),
            # A draft is open, so morgan's verdict on it passes its check; nothing is written.
            f"claim-{draft.pk}-publish": OWN_VERDICT,
            f"claim-{draft.pk}-rating": Verdict.Rating.TRUE,
            f"claim-{draft.pk}-rationale": "Seen on the ground.",
        },
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert not Verdict.objects.filter(reviewer=morgan).exists()
    assert row_errors(response, draft)["__all__"][0] == (
        "Only claims in review can be verified; this claim is a draft."
    )
    assert row_errors(response, claims[0]) == {}
    assert row_errors(response, claims[1]) == {}
    page = response.content.decode()
    assert "Nothing was changed." in page
    assert "Only claims in review can be verified; this claim is a draft." in page


def test_it_shows_every_problem_at_once(
    client: Client, morgan: User, alice: User, article: Article, claims: list[Claim]
) -> None:
    draft = make_claim(user=alice, article=article, phrase="flashpoint city")
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        [claims[0], draft],
        **{
            f"claim-{draft.pk}-publish": OWN_VERDICT,
            f"claim-{draft.pk}-rating": Verdict.Rating.TRUE,
            f"claim-{draft.pk}-rationale": "Seen on the ground.",
        },
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert list(row_errors(response, claims[0])) == ["publish"]
    assert list(row_errors(response, draft)) == ["__all__"]


def test_it_writes_nothing_when_an_own_verdict_has_no_rationale(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first, second = claims
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        claims,
        **{
            f"claim-{first.pk}-publish": verdict_choice(verdict(first, bob)),
            f"claim-{second.pk}-publish": OWN_VERDICT,
            f"claim-{second.pk}-rating": Verdict.Rating.FALSE,
            f"claim-{second.pk}-rationale": "   ",
        },
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert row_errors(response, second) == {
        "rationale": ["Explain the rating: a verdict needs a rationale."]
    }
    assert row_errors(response, first) == {}


def test_it_asks_for_a_verdict_for_every_claim(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first, second = claims
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(
        client,
        "verify",
        claims,
        **{
            f"claim-{first.pk}-publish": OWN_VERDICT,
            f"claim-{first.pk}-rationale": "No rating given.",
        },
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert row_errors(response, first) == {"rating": ["Choose the rating of your verdict."]}
    assert row_errors(response, second) == {
        "publish": ["Choose a reviewer's verdict to publish, or give your own."]
    }


def test_it_refuses_a_verdict_changed_since_the_page_was_loaded(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first = claims[0]
    seen = verdict_choice(verdict(first, bob))
    services.verdict_give(
        claim=first, user=bob, rating=Verdict.Rating.FALSE, rationale="Recounted."
    )
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(client, "verify", [first], **{f"claim-{first.pk}-publish": seen})
    assert response.status_code == 200
    assert snapshot() == before
    assert "has changed or been withdrawn" in row_errors(response, first)["publish"][0]


def test_it_refuses_a_verdict_given_on_another_claim(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first, second = claims
    client.force_login(morgan)
    before = snapshot()
    elsewhere = verdict_choice(verdict(second, bob))
    response = submit_action(client, "verify", [first], **{f"claim-{first.pk}-publish": elsewhere})
    assert response.status_code == 200
    assert snapshot() == before
    assert "publish" in row_errors(response, first)


def test_it_writes_nothing_when_a_claim_has_left_the_filtered_list(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first, second = claims
    client.force_login(morgan)
    in_review = changelist_url() + "?status__exact=in_review"
    response = client.post(
        in_review, {"action": "reject", "_selected_action": [first.pk, second.pk], "index": 0}
    )
    assert len(response.context["rows"]) == 2
    services.claim_verify(claim=second, user=morgan, verdict=verdict(second, bob))
    before = snapshot()
    response = client.post(
        in_review,
        {
            "action": "reject",
            "_selected_action": [first.pk, second.pk],
            "apply": "yes",
            "reason": "Duplicate.",
        },
    )
    assert response.status_code == 200
    assert snapshot() == before
    assert "1 of the selected claims are no longer in the list" in response.content.decode()


# Reject and send back ------------------------------------------------------


def test_it_rejects_with_a_reason(client: Client, morgan: User, claims: list[Claim]) -> None:
    client.force_login(morgan)
    response = choose_action(client, "reject", claims)
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()

    response = submit_action(client, "reject", claims, reason="  Not a checkable claim.  ")
    assert response.status_code == 302
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == Claim.Status.REJECTED
        assert claim.rejection_reason == "Not a checkable claim."
        assert claim.moderated_by == morgan
        assert claim.history.first().history_user == morgan
        assert claim.history.first().history_change_reason == "Rejected: Not a checkable claim."


def test_it_refuses_a_rejection_without_a_reason(
    client: Client, morgan: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(client, "reject", claims, reason="   ")
    assert response.status_code == 200
    assert snapshot() == before
    message = "Say why the claim is rejected: the reason is recorded."
    assert response.context["shared_form"].errors == {"reason": [message]}
    assert response.content.decode().count(message) == 1
    assert all(row_errors(response, claim) == {} for claim in claims)


def test_it_rejects_none_when_one_is_already_verified(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first, second = claims
    services.claim_verify(claim=second, user=morgan, verdict=verdict(second, bob))
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(client, "reject", claims, reason="Duplicate.")
    assert response.status_code == 200
    assert snapshot() == before
    assert row_errors(response, second) == {
        "__all__": ["Only claims in review can be rejected; this claim is verified."]
    }
    assert row_errors(response, first) == {}


def test_it_sends_a_verified_claim_back_to_review(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first = claims[0]
    services.claim_verify(claim=first, user=morgan, verdict=verdict(first, bob))
    client.force_login(morgan)
    response = submit_action(client, "reopen", [first], reason="The UN revised its count.")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Claim.Status.IN_REVIEW
    assert first.published_verdict is None
    assert first.history.first().history_change_reason == "Reopened: The UN revised its count."


def test_it_does_not_send_back_an_open_claim(
    client: Client, morgan: User, claims: list[Claim]
) -> None:
    client.force_login(morgan)
    before = snapshot()
    response = submit_action(client, "reopen", claims[:1], reason="Why not.")
    assert response.status_code == 200
    assert snapshot() == before
    assert row_errors(response, claims[0]) == {
        "__all__": ["The claim is still open: there is nothing to reopen."]
    }


# Who may ---------------------------------------------------------------------


@pytest.fixture
def sam(db: None) -> User:
    """A reviewer who is staff, so reaches the admin, but may not moderate."""
    return UserFactory(username="sam", is_staff=True, groups=["Reviewers"])


def test_a_staff_reviewer_cannot_verify_or_reject(
    client: Client, sam: User, bob: User, claims: list[Claim]
) -> None:
    first = claims[0]
    client.force_login(sam)
    response = client.get(changelist_url())
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no action is offered
    before = snapshot()
    for action, data in (
        ("verify", {f"claim-{first.pk}-publish": verdict_choice(verdict(first, bob))}),
        ("reject", {"reason": "sam says no."}),
        ("reopen", {"reason": "sam says again."}),
    ):
        for response in (
            choose_action(client, action, [first]),
            submit_action(client, action, [first], **data),
        ):
            # The changelist again, not the action's page.
            assert response.status_code == 200
            assert "rows" not in response.context
    assert snapshot() == before


@pytest.mark.parametrize("username", ["charlie", "bob"])
def test_who_is_not_staff_cannot_run_an_action(
    client: Client, claims: list[Claim], charlie: User, username: str
) -> None:
    client.force_login(User.objects.get(username=username))
    before = snapshot()
    response = submit_action(client, "reject", claims, reason="Outsider.")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert snapshot() == before


def test_anonymous_cannot_run_an_action(client: Client, claims: list[Claim]) -> None:
    before = snapshot()
    response = submit_action(client, "reject", claims, reason="Anonymous.")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert snapshot() == before


# History ---------------------------------------------------------------------


def test_the_history_page_shows_who_verified_and_why(
    client: Client, morgan: User, bob: User, claims: list[Claim]
) -> None:
    first = claims[0]
    client.force_login(morgan)
    chosen = verdict_choice(verdict(first, bob))
    response = submit_action(client, "verify", [first], **{f"claim-{first.pk}-publish": chosen})
    assert response.status_code == 302
    response = client.get(reverse("admin:annotations_claim_history", args=[first.pk]))
    assert response.status_code == 200
    records = list(response.context["page_obj"])
    assert records[0].history_user == morgan
    assert records[0].history_change_reason == "Verified; published bob's verdict: Mostly true"
    page = response.content.decode()
    assert "Verified; published bob&#x27;s verdict: Mostly true" in page
    assert ">morgan</a>" in page
    assert "Revert" not in page
