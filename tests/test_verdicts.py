"""verdict_give: one current verdict per reviewer per claim, on the documented scale."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from annotations import services
from annotations.models import Claim, Verdict

from .factories import UserFactory, give_verdict, make_claim_in_review, verify

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def claim(alice, article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase="some 2250 people")


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def test_it_gives_a_verdict(claim, bob):
    verdict = services.verdict_give(
        claim=claim,
        user=bob,
        rating=Verdict.Rating.MOSTLY_TRUE,
        rationale="  UN says 1,400. ",
    )

    verdict.refresh_from_db()
    assert verdict.claim == claim
    assert verdict.reviewer == bob
    assert verdict.rating == Verdict.Rating.MOSTLY_TRUE
    assert verdict.rationale == "UN says 1,400."
    assert verdict.history.get().history_user == bob


def test_it_replaces_the_reviewers_earlier_verdict(claim, bob):
    first = give_verdict(claim, bob, rating=Verdict.Rating.TRUE)

    second = services.verdict_give(
        claim=claim,
        user=bob,
        rating=Verdict.Rating.MIXED,
        rationale="New figures.",
    )

    assert second.pk == first.pk
    current = Verdict.objects.get(claim=claim, reviewer=bob)
    assert current.rating == Verdict.Rating.MIXED
    assert current.rationale == "New figures."
    assert Verdict.objects.filter(claim=claim).count() == 1


def test_it_keeps_one_verdict_for_each_reviewer(claim, dana, bob):
    give_verdict(claim, dana, rating=Verdict.Rating.TRUE)
    give_verdict(claim, bob, rating=Verdict.Rating.FALSE)

    ratings = dict(claim.verdicts.values_list("reviewer__username", "rating"))
    assert ratings == {"dana": Verdict.Rating.TRUE, "bob": Verdict.Rating.FALSE}


def test_it_does_not_record_a_verdict_given_again_unchanged(claim, bob):
    verdict = give_verdict(claim, bob)

    give_verdict(claim, bob)

    assert verdict.history.count() == 1


@pytest.mark.parametrize("rationale", ["", "  \n "])
def test_it_requires_a_rationale(claim, bob, rationale):
    with pytest.raises(ValidationError) as exc:
        services.verdict_give(
            claim=claim, user=bob, rating=Verdict.Rating.TRUE, rationale=rationale
        )

    assert "needs a rationale" in messages(exc, "rationale")
    assert not Verdict.objects.exists()


def test_it_refuses_a_rating_not_on_the_scale(claim, bob):
    with pytest.raises(ValidationError) as exc:
        services.verdict_give(claim=claim, user=bob, rating="pants_on_fire", rationale="Checked.")

    message = messages(exc, "rating")
    assert "“pants_on_fire”" in message
    assert "mostly_true (Mostly true)" in message
    assert not Verdict.objects.exists()


def test_it_refuses_to_replace_a_verdict_with_an_invalid_one(claim, bob):
    give_verdict(claim, bob, rating=Verdict.Rating.TRUE)

    with pytest.raises(ValidationError):
        services.verdict_give(claim=claim, user=bob, rating="nope", rationale="")

    assert Verdict.objects.get(claim=claim, reviewer=bob).rating == Verdict.Rating.TRUE


def test_it_refuses_verdicts_on_a_verified_claim(claim, alice, bob, morgan):
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob))

    with pytest.raises(PermissionDenied, match="verified: its verdicts are closed"):
        give_verdict(claim, alice)

    assert not Verdict.objects.filter(reviewer=alice).exists()


def test_it_refuses_to_change_the_published_verdict(claim, bob, morgan):
    published = give_verdict(claim, bob, rating=Verdict.Rating.TRUE)
    verify(claim, moderator=morgan, verdict=published)

    with pytest.raises(PermissionDenied):
        give_verdict(claim, bob, rating=Verdict.Rating.FALSE)

    published.refresh_from_db()
    assert published.rating == Verdict.Rating.TRUE


def test_giving_a_verdict_bumps_the_claims_updated_at(claim, bob):
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    claim.refresh_from_db()
    before = claim.updated_at

    give_verdict(claim, bob)

    claim.refresh_from_db()
    assert claim.updated_at > before
    assert claim.version == 1


# The claim's stored count of its verdicts -----------------------------------------


def stored_count(claim: Claim) -> int:
    return Claim.objects.values_list("verdict_count", flat=True).get(pk=claim.pk)


def test_a_new_claim_counts_no_verdicts(claim):
    assert stored_count(claim) == 0


def test_each_new_verdict_adds_one_to_the_claims_count(claim, dana, bob):
    give_verdict(claim, bob)
    assert stored_count(claim) == 1

    give_verdict(claim, dana)
    assert stored_count(claim) == 2 == claim.verdicts.count()


def test_a_replaced_verdict_leaves_the_claims_count(claim, bob):
    give_verdict(claim, bob, rating=Verdict.Rating.TRUE)

    give_verdict(claim, bob, rating=Verdict.Rating.FALSE)  # replaced
    give_verdict(claim, bob, rating=Verdict.Rating.FALSE)  # given again unchanged

    assert stored_count(claim) == 1 == claim.verdicts.count()


def test_a_refused_verdict_leaves_the_claims_count(claim, bob):
    with pytest.raises(ValidationError):
        services.verdict_give(claim=claim, user=bob, rating="nope", rationale="Checked.")

    assert stored_count(claim) == 0


def test_counting_writes_no_history_of_the_claim(claim, bob):
    records = claim.history.count()

    give_verdict(claim, bob)

    assert claim.history.count() == records
    assert "verdict_count" not in {f.name for f in Claim.history.model._meta.get_fields()}


def test_an_edit_of_a_claim_read_before_a_verdict_keeps_the_count(claim, alice, bob):
    read_before = Claim.objects.get(pk=claim.pk)
    give_verdict(claim, bob)

    services.claim_update(
        claim=read_before, user=alice, expected_version=read_before.version, note="Edited."
    )

    assert stored_count(claim) == 1


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL: SQLite locks the whole database, so its writers never overlap "
    "(set DATABASE_URL=postgres://... to run it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reviewers_giving_verdicts_at_once_leave_the_right_count(claim, bob):
    # Not alice: she wrote the claim, and the desk does not let an author rate it.
    reviewers = [bob, *(UserFactory(groups=["Reviewers"]) for _ in range(5))]
    start = threading.Barrier(len(reviewers))
    errors: list[BaseException] = []

    def give(reviewer: User) -> None:
        try:
            start.wait(timeout=10)
            give_verdict(claim, reviewer)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # each thread has a connection of its own

    threads = [threading.Thread(target=give, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert stored_count(claim) == len(reviewers) == claim.verdicts.count()


@pytest.mark.parametrize(
    ("rating", "value"),
    [
        (Verdict.Rating.FALSE, 1),
        (Verdict.Rating.MOSTLY_FALSE, 2),
        (Verdict.Rating.MIXED, 3),
        (Verdict.Rating.MOSTLY_TRUE, 4),
        (Verdict.Rating.TRUE, 5),
        (Verdict.Rating.UNVERIFIABLE, None),
    ],
)
def test_rating_value_maps_the_scale(claim, bob, rating, value):
    give_verdict(claim, bob, rating=rating)

    # Read back from the database, where the rating is a plain string.
    verdict = Verdict.objects.get(claim=claim, reviewer=bob)
    assert verdict.rating_value == value


def test_the_scale_runs_from_worst_to_best():
    assert min(Verdict.SCALE.values()) == Verdict.WORST == 1
    assert max(Verdict.SCALE.values()) == Verdict.BEST == 5
    assert set(Verdict.SCALE) == set(Verdict.Rating.values) - {Verdict.Rating.UNVERIFIABLE}
