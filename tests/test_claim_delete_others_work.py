"""A draft others worked on: its author may not delete it; a moderator may withdraw it."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, Source, Verdict

from .factories import give_verdict, make_claim, make_claim_in_review

PHRASE = "some 2250 people"

Work = Callable[[Claim, User], object]


def _source(claim: Claim, user: User) -> Source:
    return services.source_add(
        claim=claim, user=user, url="https://www.un.org/homs", stance="supports"
    )


@pytest.fixture
def draft(alice: User, article: Article) -> Claim:
    return make_claim(user=alice, article=article, phrase=PHRASE)


def _api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("work", [_source, give_verdict], ids=["source", "verdict"])
def test_the_author_may_not_delete_a_draft_others_worked_on(
    alice: User, bob: User, draft: Claim, work: Work
) -> None:
    work(draft, bob)

    with pytest.raises(PermissionDenied, match="A moderator can withdraw it"):
        services.claim_delete(claim=draft, user=alice)

    assert Claim.objects.filter(pk=draft.pk).exists()
    assert Source.objects.count() + Verdict.objects.count() == 1


def test_the_api_refuses_it_with_403_saying_a_moderator_can_withdraw_it(
    alice: User, bob: User, draft: Claim
) -> None:
    _source(draft, bob)
    give_verdict(draft, bob)

    response = _api(alice).delete(f"/api/claims/{draft.pk}/")

    assert response.status_code == 403
    assert "A moderator can withdraw it" in response.json()["detail"]
    assert draft.sources.get().added_by == bob
    assert draft.verdicts.get().reviewer == bob


@override_settings(FACTCHECK_AUTHOR_MAY_RATE=True)  # so that the author has a verdict of their own
def test_the_author_may_still_delete_a_draft_with_only_their_own_work(
    alice: User, draft: Claim
) -> None:
    _source(draft, alice)
    give_verdict(draft, alice)

    services.claim_delete(claim=draft, user=alice)

    assert not Claim.objects.exists()
    assert not Source.objects.exists()
    assert not Verdict.objects.exists()


def test_a_moderator_withdraws_it_and_nothing_of_theirs_is_lost(
    alice: User, bob: User, morgan: User, draft: Claim
) -> None:
    source = _source(draft, bob)
    verdict = give_verdict(draft, bob)

    response = _api(morgan).post(
        f"/api/claims/{draft.pk}/withdraw/", {"reason": "Alice asked; Bob's work stays."}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == (
        "rejected",
        "Alice asked; Bob's work stays.",
    )
    draft.refresh_from_db()
    assert (draft.status, draft.moderated_by) == (Claim.Status.REJECTED, morgan)
    assert draft.moderated_at is not None
    assert list(draft.sources.all()) == [source]
    assert list(draft.verdicts.all()) == [verdict]
    record = draft.history.latest("history_date")
    assert record.history_change_reason == "Withdrawn: Alice asked; Bob's work stays."


def test_a_withdrawn_draft_can_be_reopened_into_review(
    bob: User, morgan: User, draft: Claim
) -> None:
    give_verdict(draft, bob)
    services.claim_withdraw(claim=draft, user=morgan, reason="Stuck.")

    services.claim_reopen(claim=draft, user=morgan, reason="Worth a look after all.")

    draft.refresh_from_db()
    assert draft.status == Claim.Status.IN_REVIEW
    assert draft.verdicts.count() == 1


def test_withdrawing_needs_a_reason(morgan: User, draft: Claim) -> None:
    response = _api(morgan).post(f"/api/claims/{draft.pk}/withdraw/", {"reason": " "})

    assert response.status_code == 400
    assert "reason" in response.json()
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT


def test_only_moderators_may_withdraw(alice: User, bob: User, draft: Claim) -> None:
    for user in (alice, bob):
        response = _api(user).post(f"/api/claims/{draft.pk}/withdraw/", {"reason": "Mine."})
        assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT


def test_only_drafts_are_withdrawn(alice: User, morgan: User, article: Article) -> None:
    in_review = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")

    with pytest.raises(ValidationError, match="Only drafts can be withdrawn"):
        services.claim_withdraw(claim=in_review, user=morgan, reason="No.")


def test_the_panel_offers_no_delete_button_on_a_draft_others_worked_on(
    client: Client, alice: User, bob: User, draft: Claim
) -> None:
    client.force_login(alice)
    url = reverse("claim_panel", args=[draft.pk])
    assert "Delete draft" in client.get(url).content.decode()

    give_verdict(draft, bob)

    assert "Delete draft" not in client.get(url).content.decode()
