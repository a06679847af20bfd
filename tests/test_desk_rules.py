"""The rules of the desk, each with its setting on and off: the services enforce them.

alice highlights the claims; bob and dana rate them; morgan moderates.
"""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import override_settings

from annotations import services
from annotations.models import Article, Claim, Verdict
from tests.factories import give_verdict, make_claim_in_review


@pytest.fixture
def claim(alice: User, article: Article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase="some 2250 people")


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# The author may not rate their own claim (FACTCHECK_AUTHOR_MAY_RATE) --------------------


def test_by_default_the_author_may_not_rate_their_claim(alice: User, claim: Claim) -> None:
    with pytest.raises(ValidationError) as exc:
        give_verdict(claim, alice)
    assert _refusal(exc)["reviewer"] == [services.AUTHOR_MAY_NOT_RATE]
    assert "author may not rate" in services.AUTHOR_MAY_NOT_RATE
    assert not Verdict.objects.exists()
    claim.refresh_from_db()
    assert claim.verdict_count == 0


@override_settings(FACTCHECK_AUTHOR_MAY_RATE=True)
def test_a_desk_can_let_authors_rate_their_claims(alice: User, claim: Claim) -> None:
    verdict = give_verdict(claim, alice)
    assert verdict.reviewer == alice


def test_the_rule_holds_for_a_moderator_who_wrote_the_claim(morgan: User, article: Article) -> None:
    claim = make_claim_in_review(user=morgan, article=article, phrase="some 2250 people")
    with pytest.raises(ValidationError) as exc:
        give_verdict(claim, morgan)
    assert "reviewer" in _refusal(exc)


def test_others_may_rate_the_claim(bob: User, claim: Claim) -> None:
    assert give_verdict(claim, bob).reviewer == bob


# The quorum (FACTCHECK_VERDICT_QUORUM) --------------------------------------------------


def test_by_default_one_verdict_is_not_enough_to_verify(
    bob: User, morgan: User, claim: Claim
) -> None:
    verdict = give_verdict(claim, bob)
    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    [message] = _refusal(exc)["quorum"]
    assert "needs 2 independent verdicts" in message
    assert "it has 1, so 1 more is needed" in message
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_with_no_verdict_yet_it_counts_the_moderators_about_to_be_given(
    morgan: User, claim: Claim
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.check_verify(claim=claim, user=morgan, verdict=None)
    assert "it has 0 (1 with yours), so 1 more is needed" in _refusal(exc)["quorum"][0]


def test_two_reviewers_verdicts_meet_the_quorum(
    bob: User, dana: User, morgan: User, claim: Claim
) -> None:
    verdict = give_verdict(claim, bob)
    give_verdict(claim, dana, Verdict.Rating.TRUE)
    services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    claim.refresh_from_db()
    assert (claim.status, claim.published_verdict) == (Claim.Status.VERIFIED, verdict)


def test_a_reviewer_who_changes_their_verdict_still_counts_once(
    bob: User, morgan: User, claim: Claim
) -> None:
    verdict = give_verdict(claim, bob)
    give_verdict(claim, bob, Verdict.Rating.FALSE)
    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    assert "it has 1" in _refusal(exc)["quorum"][0]


@override_settings(FACTCHECK_VERDICT_QUORUM=1)
def test_a_desk_can_verify_on_one_verdict(bob: User, morgan: User, claim: Claim) -> None:
    verdict = give_verdict(claim, bob)
    services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED


@override_settings(FACTCHECK_VERDICT_QUORUM=3)
def test_a_desk_can_ask_for_three(bob: User, dana: User, morgan: User, claim: Claim) -> None:
    verdict = give_verdict(claim, bob)
    give_verdict(claim, dana)
    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    assert "needs 3 independent verdicts" in _refusal(exc)["quorum"][0]
    give_verdict(claim, morgan)
    services.claim_verify(claim=claim, user=morgan, verdict=verdict)


# A moderator may not publish their own verdict (FACTCHECK_MODERATOR_MAY_PUBLISH_OWN) ------


def test_by_default_a_moderator_may_not_publish_their_own_verdict(
    bob: User, morgan: User, claim: Claim
) -> None:
    give_verdict(claim, bob)
    own = give_verdict(claim, morgan)
    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=claim, user=morgan, verdict=own)
    assert _refusal(exc)["verdict"] == [services.MODERATOR_MAY_NOT_PUBLISH_OWN]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_a_moderator_may_publish_another_reviewers_verdict_beside_their_own(
    bob: User, morgan: User, claim: Claim
) -> None:
    verdict = give_verdict(claim, bob)
    give_verdict(claim, morgan)  # counts towards the quorum
    services.claim_verify(claim=claim, user=morgan, verdict=verdict)
    claim.refresh_from_db()
    assert claim.published_verdict == verdict


@override_settings(FACTCHECK_MODERATOR_MAY_PUBLISH_OWN=True)
def test_a_desk_can_let_moderators_publish_their_own(bob: User, morgan: User, claim: Claim) -> None:
    give_verdict(claim, bob)
    own = give_verdict(claim, morgan)
    services.claim_verify(claim=claim, user=morgan, verdict=own)
    claim.refresh_from_db()
    assert claim.published_verdict == own


def test_a_verdict_about_to_be_given_counts_as_the_moderators_own(
    bob: User, morgan: User, claim: Claim
) -> None:
    give_verdict(claim, bob)
    with pytest.raises(ValidationError) as exc:
        services.check_verify(claim=claim, user=morgan, verdict=None)
    assert "verdict" in _refusal(exc)
    # The verdict about to be given would meet the quorum: only the own-verdict rule refuses.
    assert "quorum" not in _refusal(exc)


@override_settings(FACTCHECK_MODERATOR_MAY_PUBLISH_OWN=True)
def test_a_verdict_about_to_be_given_counts_towards_the_quorum(
    bob: User, morgan: User, claim: Claim
) -> None:
    give_verdict(claim, bob)
    services.check_verify(claim=claim, user=morgan, verdict=None)


def test_both_rules_are_named_at_once(morgan: User, claim: Claim) -> None:
    with pytest.raises(ValidationError) as exc:
        services.check_verify(claim=claim, user=morgan, verdict=None)
    assert set(_refusal(exc)) == {"verdict", "quorum"}


# History ----------------------------------------------------------------------------------


def test_the_history_keeps_every_change_of_a_verdict(bob: User, claim: Claim) -> None:
    give_verdict(claim, bob, Verdict.Rating.TRUE)
    give_verdict(claim, bob, Verdict.Rating.MIXED)
    give_verdict(claim, bob, Verdict.Rating.FALSE)
    verdict = Verdict.objects.get(claim=claim, reviewer=bob)
    records = list(verdict.history.order_by("history_date", "history_id"))
    assert [r.rating for r in records] == ["true", "mixed", "false"]
    assert {r.history_user for r in records} == {bob}
    assert [r.history_type for r in records] == ["+", "~", "~"]
