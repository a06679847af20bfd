"""The database refuses what the write paths refuse, even from code that goes around them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations import names
from annotations.models import Claim, Source, Speaker, SpeakerAlias, Verdict

from .factories import give_verdict, make_claim, make_claim_in_review, verify


@pytest.fixture
def claim(alice, article) -> Claim:
    return make_claim(user=alice, article=article, phrase="some 2250 people")


def refused(model, pk: int, **values) -> None:
    """Assert the database refuses to set these values on the row, and leaves it unchanged."""
    before = model.objects.values().get(pk=pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)
    assert model.objects.values().get(pk=pk) == before


def test_a_negative_start_is_refused(claim):
    refused(Claim, claim.pk, start=-1)


@pytest.mark.parametrize("delta", [0, -1], ids=["empty", "reversed"])
def test_a_start_not_before_the_end_is_refused(claim, delta):
    refused(Claim, claim.pk, end=claim.start + delta)


def test_a_verified_claim_without_a_published_verdict_is_refused(claim):
    refused(Claim, claim.pk, status=Claim.Status.VERIFIED)


def test_a_published_verdict_on_an_unverified_claim_is_refused(alice, bob, article):
    claim = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    verdict = give_verdict(claim, bob)

    refused(Claim, claim.pk, published_verdict=verdict)


def test_a_rejected_claim_without_a_reason_is_refused(claim):
    refused(Claim, claim.pk, status=Claim.Status.REJECTED, rejection_reason="")


def test_a_rejected_claim_with_a_reason_is_accepted(claim, morgan):
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.REJECTED,
        rejection_reason="No.",
        moderated_by=morgan,
        moderated_at=timezone.now(),
    )

    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.REJECTED


def test_a_rejected_claim_without_who_or_when_is_refused(claim, morgan):
    refused(Claim, claim.pk, status=Claim.Status.REJECTED, rejection_reason="No.")
    refused(
        Claim, claim.pk, status=Claim.Status.REJECTED, rejection_reason="No.", moderated_by=morgan
    )
    refused(
        Claim,
        claim.pk,
        status=Claim.Status.REJECTED,
        rejection_reason="No.",
        moderated_at=timezone.now(),
    )


@pytest.mark.parametrize("missing", ["moderated_at", "moderated_by"])
def test_a_verified_claim_without_who_or_when_is_refused(alice, bob, morgan, article, missing):
    claim = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob))

    refused(Claim, claim.pk, **{missing: None})


def test_a_claim_without_a_speaker_is_refused_unless_the_article_speaks(alice, article, opposition):
    claim = make_claim(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )

    refused(Claim, claim.pk, speaker=None)
    Claim.objects.filter(pk=claim.pk).update(speaker=None, attribution=Claim.Attribution.AUTHOR)
    assert Claim.objects.get(pk=claim.pk).speaker is None


@pytest.mark.parametrize(("cue_start", "cue_end"), [(3, None), (None, 7)], ids=["start", "end"])
def test_a_cue_span_with_only_one_end_is_refused(claim, cue_start, cue_end):
    refused(Claim, claim.pk, cue_start=cue_start, cue_end=cue_end)


@pytest.mark.parametrize(("cue_start", "cue_end"), [(5, 5), (7, 5)], ids=["empty", "reversed"])
def test_an_empty_or_reversed_cue_span_is_refused(claim, cue_start, cue_end):
    refused(Claim, claim.pk, cue_start=cue_start, cue_end=cue_end)


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "rumour"), ("attribution", "hearsay"), ("status", "pending")],
)
def test_a_claim_value_outside_its_choices_is_refused(claim, field, value):
    refused(Claim, claim.pk, **{field: value})


def test_a_speaker_name_differing_only_in_case_is_refused(opposition):
    with pytest.raises(IntegrityError), transaction.atomic():
        Speaker.objects.create(
            name="OPPOSITION SOURCES",
            name_key=names.name_key("OPPOSITION SOURCES"),
            bare_key=names.bare_key("OPPOSITION SOURCES"),
            kind=Speaker.Kind.UNNAMED,
        )

    assert Speaker.objects.count() == 1


def test_a_speaker_kind_outside_its_choices_is_refused(opposition):
    refused(Speaker, opposition.pk, kind="army")


def test_a_speaker_side_that_is_not_a_row_of_the_sides_is_refused(opposition):
    # Foreign keys are checked at the commit; check_constraints checks them now.
    with pytest.raises(IntegrityError), transaction.atomic():
        Speaker.objects.filter(pk=opposition.pk).update(side_id="rebels")
        connection.check_constraints(table_names=[Speaker._meta.db_table])

    assert Speaker.objects.get(pk=opposition.pk).side_id == "opposition"


def test_a_speaker_without_its_name_key_is_refused(opposition):
    refused(Speaker, opposition.pk, name_key="")


def test_a_speaker_merged_into_itself_is_refused(opposition):
    refused(Speaker, opposition.pk, merged_into=opposition.pk)


def test_a_duplicate_alias_is_refused_across_speakers(opposition, regime):
    SpeakerAlias.objects.create(speaker=opposition, name="SOHR", name_key="sohr", bare_key="sohr")

    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerAlias.objects.create(speaker=regime, name="sohr", name_key="sohr", bare_key="sohr")

    assert list(SpeakerAlias.objects.values_list("name", flat=True)) == ["SOHR"]


def test_two_verdicts_by_one_reviewer_are_refused(claim, bob):
    give_verdict(claim, bob)

    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.create(claim=claim, reviewer=bob, rating="false", rationale="Again.")

    assert claim.verdicts.count() == 1


def test_a_verdict_without_a_rationale_is_refused(claim, bob):
    verdict = give_verdict(claim, bob)

    refused(Verdict, verdict.pk, rationale="")


def test_a_verdict_rating_outside_the_scale_is_refused(claim, bob):
    verdict = give_verdict(claim, bob)

    refused(Verdict, verdict.pk, rating="pants_on_fire")


def test_a_source_stance_outside_its_choices_is_refused(claim, bob):
    source = Source.objects.create(
        claim=claim,
        url="https://example.org/",
        stance=Source.Stance.SUPPORTS,
        added_by=bob,
    )

    refused(Source, source.pk, stance="agrees")
