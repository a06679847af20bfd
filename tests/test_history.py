"""Who wrote each history record, and why: set by the services, never left behind."""

import pytest
from django.contrib.auth.models import User

from annotations import services
from annotations.models import Article, Claim, Source
from annotations.services.common import history_context

from .factories import make_claim

PHRASE = "some 2250 people"


@pytest.fixture
def claim(alice: User, article: Article) -> Claim:
    return make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 left.")


def latest(claim: Claim) -> tuple[User | None, str | None]:
    record = claim.history.first()
    return record.history_user, record.history_change_reason


def test_a_service_records_its_user_in_one_history_record(alice: User, claim: Claim) -> None:
    (record,) = claim.history.all()
    assert (record.history_user, record.history_change_reason) == (alice, None)


def test_a_save_outside_any_service_records_no_user(claim: Claim) -> None:
    claim.note = "Saved around the services."
    claim.save()

    assert latest(claim) == (None, None)


def test_a_service_leaves_no_user_or_reason_behind(alice: User, morgan: User, claim: Claim) -> None:
    services.claim_submit(claim=claim, user=alice)
    services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    assert latest(claim) == (morgan, "Rejected: Not checkable.")

    claim.save()

    assert latest(claim) == (None, None)


def test_a_service_that_fails_leaves_no_user_behind(
    bob: User, claim: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(source: Source, *args: object, **kwargs: object) -> None:
        raise RuntimeError("The disk is full.")

    monkeypatch.setattr(Source, "save", fail)
    with pytest.raises(RuntimeError):
        services.source_add(claim=claim, user=bob, url="https://www.un.org/", stance="supports")

    claim.save()

    assert latest(claim) == (None, None)


def test_an_inner_context_gives_way_to_the_outer_one(
    alice: User, morgan: User, claim: Claim
) -> None:
    with history_context(morgan, "Outer"):
        with history_context(alice, "Inner"):
            claim.save()
            assert latest(claim) == (alice, "Inner")
        claim.save()
        assert latest(claim) == (morgan, "Outer")
    claim.save()

    assert latest(claim) == (None, None)


def test_an_exception_inside_a_context_leaves_nothing_behind(morgan: User, claim: Claim) -> None:
    with pytest.raises(ValueError), history_context(morgan, "Interrupted"):
        claim.save()
        raise ValueError

    claim.save()

    assert latest(claim) == (None, None)
