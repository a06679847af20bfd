"""A claim's life after the highlight: submit, delete, verify, reject, reopen, in bulk too."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from annotations import services
from annotations.models import Claim, Source, Verdict

from .factories import give_verdict, make_claim, make_claim_in_review, verify

PHRASE = "some 2250 people"


@pytest.fixture
def in_review(alice, article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase=PHRASE)


@pytest.fixture
def verified(in_review, bob, morgan) -> Claim:
    verdict = give_verdict(in_review, bob)
    return verify(in_review, moderator=morgan, verdict=verdict)


@pytest.fixture
def rejected(in_review, morgan) -> Claim:
    return services.claim_reject(claim=in_review, user=morgan, reason="Not checkable.")


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# Submit --------------------------------------------------------------------


def test_submit_sends_a_draft_to_review(alice, article):
    claim = make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 left.")

    services.claim_submit(claim=claim, user=alice)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    assert claim.version == 2
    latest = claim.history.first()
    assert latest.history_user == alice
    assert latest.history_change_reason == "Submitted for review"


def test_submit_requires_a_restatement(alice, article):
    claim = make_claim(user=alice, article=article, phrase=PHRASE)

    with pytest.raises(ValidationError) as exc:
        services.claim_submit(claim=claim, user=alice)

    assert "own words" in messages(exc, "restatement")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_submit_refuses_a_claim_already_in_review(alice, in_review):
    with pytest.raises(ValidationError) as exc:
        services.claim_submit(claim=in_review, user=alice)

    assert "Only drafts" in messages(exc, "status")
    in_review.refresh_from_db()
    assert in_review.version == 1


def test_submit_refuses_a_verified_claim(alice, verified):
    with pytest.raises(ValidationError) as exc:
        services.claim_submit(claim=verified, user=alice)

    assert "verified" in messages(exc, "status")


# Delete --------------------------------------------------------------------


def test_delete_removes_a_draft(alice, article):
    claim = make_claim(user=alice, article=article, phrase=PHRASE)

    services.claim_delete(claim=claim, user=alice)

    assert not Claim.objects.filter(pk=claim.pk).exists()


@override_settings(FACTCHECK_AUTHOR_MAY_RATE=True)  # the author's own verdict
def test_delete_removes_the_drafts_sources_and_verdicts(alice, article):
    # Only the author's own: others' work keeps a draft from deletion (test_claim_delete_others).
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    services.source_add(claim=claim, user=alice, url="https://www.un.org/", stance="supports")
    give_verdict(claim, alice)

    services.claim_delete(claim=claim, user=alice)

    assert not Source.objects.exists()
    assert not Verdict.objects.exists()


def test_delete_records_who_deleted_in_the_history(alice, article):
    claim = make_claim(user=alice, article=article, phrase=PHRASE)

    services.claim_delete(claim=claim, user=alice)

    deletion = Claim.history.get(id=claim.pk, history_type="-")
    assert deletion.history_user == alice
    assert deletion.history_change_reason is None


@override_settings(FACTCHECK_AUTHOR_MAY_RATE=True)  # the author's own verdict
def test_delete_records_its_sources_and_verdicts_as_deleted_with_the_claim(alice, article):
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    source = services.source_add(
        claim=claim, user=alice, url="https://www.un.org/", stance="supports"
    )
    verdict = give_verdict(claim, alice)

    services.claim_delete(claim=claim, user=alice)

    for row in (
        Source.history.get(id=source.pk, history_type="-"),
        Verdict.history.get(id=verdict.pk, history_type="-"),
    ):
        assert row.history_user == alice
        assert row.history_change_reason == "Claim deleted"


def test_delete_refuses_a_claim_in_review(alice, in_review):
    with pytest.raises(PermissionDenied, match="stays on the record"):
        services.claim_delete(claim=in_review, user=alice)

    assert Claim.objects.filter(pk=in_review.pk).exists()


# Verify --------------------------------------------------------------------


def test_verify_publishes_the_verdict_and_records_the_moderator(bob, morgan, in_review):
    verdict = give_verdict(in_review, bob, rating=Verdict.Rating.MOSTLY_FALSE)
    before = timezone.now()

    verify(in_review, moderator=morgan, verdict=verdict)

    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.VERIFIED
    assert in_review.published_verdict == verdict
    assert in_review.moderated_by == morgan
    assert before <= in_review.moderated_at <= timezone.now()
    assert in_review.version == 2


def test_verify_publishes_the_chosen_one_of_several_verdicts(dana, bob, morgan, in_review):
    give_verdict(in_review, dana, rating=Verdict.Rating.TRUE)
    chosen = give_verdict(in_review, bob, rating=Verdict.Rating.MIXED)

    verify(in_review, moderator=morgan, verdict=chosen)

    in_review.refresh_from_db()
    assert in_review.published_verdict == chosen


def test_verify_records_the_moderator_and_reason_in_the_history(bob, morgan, in_review):
    verdict = give_verdict(in_review, bob, rating=Verdict.Rating.MOSTLY_FALSE)

    verify(in_review, moderator=morgan, verdict=verdict)

    latest = in_review.history.first()
    assert latest.history_user == morgan
    assert latest.status == Claim.Status.VERIFIED
    assert "Verified" in latest.history_change_reason
    assert "bob" in latest.history_change_reason
    assert "Mostly false" in latest.history_change_reason


def test_verify_refuses_a_draft(alice, bob, morgan, article):
    draft = make_claim(user=alice, article=article, phrase=PHRASE)
    verdict = give_verdict(draft, bob)

    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=draft, user=morgan, verdict=verdict)

    assert "Only claims in review" in messages(exc, "status")
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT
    assert draft.published_verdict is None


def test_verify_refuses_a_verdict_given_on_another_claim(alice, bob, morgan, article, in_review):
    other = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    foreign = give_verdict(other, bob)

    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=in_review, user=morgan, verdict=foreign)

    assert "given on this claim" in messages(exc, "verdict")
    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.IN_REVIEW
    assert in_review.published_verdict is None


def test_verify_refuses_a_claim_already_verified(bob, morgan, verified):
    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=verified, user=morgan, verdict=verified.published_verdict)

    assert "this claim is verified" in messages(exc, "status")


def test_verify_refuses_a_rejected_claim(alice, morgan, rejected):
    verdict = Verdict.objects.create(claim=rejected, reviewer=alice, rating="true", rationale="r")

    with pytest.raises(ValidationError) as exc:
        services.claim_verify(claim=rejected, user=morgan, verdict=verdict)

    assert "this claim is rejected" in messages(exc, "status")


# Reject --------------------------------------------------------------------


def test_reject_records_the_reason_and_the_moderator(morgan, in_review):
    services.claim_reject(claim=in_review, user=morgan, reason="  An opinion, not a fact. ")

    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.REJECTED
    assert in_review.rejection_reason == "An opinion, not a fact."
    assert in_review.moderated_by == morgan
    assert in_review.moderated_at is not None
    assert in_review.published_verdict is None


def test_reject_records_the_moderator_and_reason_in_the_history(morgan, in_review):
    services.claim_reject(claim=in_review, user=morgan, reason="An opinion, not a fact.")

    latest = in_review.history.first()
    assert latest.history_user == morgan
    assert latest.history_change_reason == "Rejected: An opinion, not a fact."


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reject_requires_a_reason(morgan, in_review, reason):
    with pytest.raises(ValidationError) as exc:
        services.claim_reject(claim=in_review, user=morgan, reason=reason)

    assert "Say why" in messages(exc, "reason")
    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.IN_REVIEW


def test_reject_refuses_a_draft(alice, morgan, article):
    draft = make_claim(user=alice, article=article, phrase=PHRASE)

    with pytest.raises(ValidationError) as exc:
        services.claim_reject(claim=draft, user=morgan, reason="No.")

    assert "this claim is a draft" in messages(exc, "status")


# Reopen --------------------------------------------------------------------


def test_reopen_withdraws_the_published_verdict(morgan, verified):
    verdict = verified.published_verdict

    services.claim_reopen(claim=verified, user=morgan, reason="New figures from the UN.")

    verified.refresh_from_db()
    assert verified.status == Claim.Status.IN_REVIEW
    assert verified.published_verdict is None
    assert verified.moderated_by is None
    assert verified.moderated_at is None
    assert Verdict.objects.filter(pk=verdict.pk).exists()  # withdrawn, not deleted


def test_reopen_clears_the_rejection_reason(morgan, rejected):
    services.claim_reopen(claim=rejected, user=morgan, reason="It is checkable after all.")

    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.IN_REVIEW
    assert rejected.rejection_reason == ""


def test_reopen_records_the_reason_in_the_history(morgan, verified):
    services.claim_reopen(claim=verified, user=morgan, reason="New figures from the UN.")

    latest = verified.history.first()
    assert latest.history_user == morgan
    assert latest.history_change_reason == "Reopened: New figures from the UN."


def test_reopen_lets_reviewers_work_on_the_claim_again(alice, bob, morgan, verified):
    services.claim_reopen(claim=verified, user=morgan, reason="New figures.")

    services.claim_update(claim=verified, user=alice, note="Updated with the new figures.")
    give_verdict(verified, bob, rating=Verdict.Rating.FALSE)

    verified.refresh_from_db()
    assert verified.note == "Updated with the new figures."
    assert verified.verdicts.get(reviewer=bob).rating == Verdict.Rating.FALSE


def test_reopen_requires_a_reason(morgan, verified):
    with pytest.raises(ValidationError) as exc:
        services.claim_reopen(claim=verified, user=morgan, reason=" ")

    assert "reason" in exc.value.message_dict
    verified.refresh_from_db()
    assert verified.status == Claim.Status.VERIFIED


def test_reopen_refuses_an_open_claim(morgan, in_review):
    with pytest.raises(ValidationError) as exc:
        services.claim_reopen(claim=in_review, user=morgan, reason="Why not.")

    assert "still open" in messages(exc, "status")


# In bulk -------------------------------------------------------------------


def test_claims_verify_verifies_every_claim(alice, bob, dana, morgan, article, in_review):
    other = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    decisions = [(in_review, give_verdict(in_review, bob)), (other, give_verdict(other, bob))]
    for claim, _ in decisions:
        give_verdict(claim, dana)  # the quorum of two

    result = services.claims_verify(user=morgan, decisions=decisions)

    assert [c.pk for c in result] == [in_review.pk, other.pk]
    for claim, verdict in decisions:
        claim.refresh_from_db()
        assert claim.status == Claim.Status.VERIFIED
        assert claim.published_verdict == verdict
        latest = claim.history.first()
        assert latest.history_user == morgan
        assert latest.history_change_reason == "Verified; published bob's verdict: Mostly true"


def test_claims_verify_verifies_none_when_one_is_refused(alice, bob, morgan, article, in_review):
    draft = make_claim(user=alice, article=article, phrase="mostly fighters")
    decisions = [(in_review, give_verdict(in_review, bob)), (draft, give_verdict(draft, bob))]
    give_verdict(in_review, morgan)  # the quorum of two: only the draft is refused

    with pytest.raises(ValidationError) as exc:
        services.claims_verify(user=morgan, decisions=decisions)

    assert "status" in exc.value.message_dict
    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.IN_REVIEW
    assert in_review.published_verdict is None
    assert in_review.version == 1


def test_claims_reject_rejects_every_claim_with_the_reason(alice, morgan, article, in_review):
    other = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")

    services.claims_reject(user=morgan, claims=[in_review, other], reason="Duplicates.")

    for claim in (in_review, other):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.REJECTED
        assert claim.rejection_reason == "Duplicates."
        latest = claim.history.first()
        assert latest.history_user == morgan
        assert latest.history_change_reason == "Rejected: Duplicates."


def test_claims_reject_rejects_none_when_one_is_refused(alice, morgan, article, in_review):
    rejected_before = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    services.claim_reject(claim=rejected_before, user=morgan, reason="Earlier.")

    with pytest.raises(ValidationError):
        services.claims_reject(user=morgan, claims=[in_review, rejected_before], reason="Later.")

    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.IN_REVIEW
    assert in_review.rejection_reason == ""
    rejected_before.refresh_from_db()
    assert rejected_before.rejection_reason == "Earlier."


def test_claims_reopen_sends_every_claim_back_or_none(alice, morgan, article, verified):
    still_open = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")

    with pytest.raises(ValidationError):
        services.claims_reopen(user=morgan, claims=[verified, still_open], reason="Recount.")
    verified.refresh_from_db()
    assert verified.status == Claim.Status.VERIFIED

    services.claims_reopen(user=morgan, claims=[verified], reason="Recount.")
    verified.refresh_from_db()
    assert verified.status == Claim.Status.IN_REVIEW


# Checking without writing ------------------------------------------------------


def test_check_verify_refuses_what_claim_verify_refuses(
    alice, bob, dana, morgan, article, in_review
):
    verdict = give_verdict(in_review, bob)
    give_verdict(in_review, dana)
    draft = make_claim(user=alice, article=article, phrase="mostly fighters")

    services.check_verify(claim=in_review, user=morgan, verdict=verdict)
    with override_settings(FACTCHECK_MODERATOR_MAY_PUBLISH_OWN=True):
        services.check_verify(claim=in_review, user=morgan, verdict=None)
    with pytest.raises(PermissionDenied):
        services.check_verify(claim=in_review, user=bob, verdict=verdict)
    with pytest.raises(ValidationError) as exc:
        services.check_verify(claim=draft, user=morgan, verdict=None)
    assert "Only claims in review can be verified" in messages(exc, "status")
    in_review.refresh_from_db()
    assert in_review.status == Claim.Status.IN_REVIEW


@pytest.mark.parametrize("check", [services.check_reject, services.check_reopen])
def test_the_reason_checks_require_a_reason_and_write_nothing(morgan, verified, check):
    with pytest.raises(ValidationError) as exc:
        check(claim=verified, user=morgan, reason="  ")

    assert "Say why" in messages(exc, "reason")
    verified.refresh_from_db()
    assert verified.status == Claim.Status.VERIFIED


def test_check_reject_and_check_reopen_follow_the_status(morgan, in_review, verified):
    services.check_reopen(claim=verified, user=morgan, reason="Recount.")
    with pytest.raises(ValidationError) as exc:
        services.check_reject(claim=verified, user=morgan, reason="Duplicate.")
    assert "this claim is verified" in messages(exc, "status")
