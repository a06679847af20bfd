"""source_add, source_update, source_remove: evidence for or against an open claim."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from annotations import services
from annotations.models import Claim, Source

from .factories import make_claim_in_review

UN_URL = "https://news.un.org/en/story/2014/02/homs"


@pytest.fixture
def claim(alice, article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase="some 2250 people")


@pytest.fixture
def source(claim, bob) -> Source:
    return services.source_add(claim=claim, user=bob, url=UN_URL, stance=Source.Stance.SUPPORTS)


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def age(claim: Claim) -> None:
    """Set the claim's updated_at an hour back, so a bump is visible whatever the clock."""
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    claim.refresh_from_db()


def test_it_adds_a_source_with_its_fields(claim, bob):
    source = services.source_add(
        claim=claim,
        user=bob,
        url=f"  {UN_URL} ",
        stance=Source.Stance.REFUTES,
        title=" UN: 1,400 evacuated ",
        publisher="UN News",
        published_on=date(2014, 2, 9),
        excerpt=" About 1,400 people left. ",
    )

    source.refresh_from_db()
    assert source.claim == claim
    assert source.added_by == bob
    assert source.url == UN_URL
    assert source.stance == Source.Stance.REFUTES
    assert source.title == "UN: 1,400 evacuated"
    assert source.excerpt == "About 1,400 people left."
    assert source.published_on == date(2014, 2, 9)


def test_it_records_who_added_the_source(source, bob):
    assert source.history.get().history_user == bob


@pytest.mark.parametrize("url", ["http://example.org/report", "https://example.org/report?id=1"])
def test_it_accepts_web_addresses(claim, bob, url):
    source = services.source_add(claim=claim, user=bob, url=url, stance=Source.Stance.CONTEXT)

    assert source.url == url


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/report.pdf", "javascript:alert(1)", "file:///etc/passwd"],
    ids=["ftp", "javascript", "file"],
)
def test_it_refuses_addresses_that_are_not_web_addresses(claim, bob, url):
    with pytest.raises(ValidationError) as exc:
        services.source_add(claim=claim, user=bob, url=url, stance=Source.Stance.SUPPORTS)

    assert exc.value.message_dict["url"] == [
        "Enter a web address that starts with http:// or https://."
    ]  # one message, not Django's generic one beside ours
    assert not Source.objects.exists()


def test_it_refuses_a_missing_address(claim, bob):
    with pytest.raises(ValidationError) as exc:
        services.source_add(claim=claim, user=bob, url="  ", stance=Source.Stance.SUPPORTS)

    assert "url" in exc.value.message_dict


def test_it_refuses_a_stance_not_in_the_choices(claim, bob):
    with pytest.raises(ValidationError) as exc:
        services.source_add(claim=claim, user=bob, url=UN_URL, stance="agrees")

    assert "agrees" in messages(exc, "stance")
    assert not Source.objects.exists()


def test_adding_a_source_bumps_the_claims_updated_at(claim, bob):
    age(claim)
    before = claim.updated_at

    services.source_add(claim=claim, user=bob, url=UN_URL, stance=Source.Stance.SUPPORTS)

    claim.refresh_from_db()
    assert claim.updated_at > before
    assert claim.version == 1  # sources do not change the claim's own wording


def test_it_updates_a_source(source, bob):
    services.source_update(source=source, user=bob, title=" Updated ", stance=Source.Stance.CONTEXT)

    source.refresh_from_db()
    assert source.title == "Updated"
    assert source.stance == Source.Stance.CONTEXT


def test_updating_a_source_bumps_the_claims_updated_at(claim, source, bob):
    age(claim)
    before = claim.updated_at

    services.source_update(source=source, user=bob, title="Updated")

    claim.refresh_from_db()
    assert claim.updated_at > before


def test_it_refuses_an_update_to_a_non_web_address(source, bob):
    with pytest.raises(ValidationError) as exc:
        services.source_update(source=source, user=bob, url="ftp://example.org/x")

    assert "http:// or https://" in messages(exc, "url")
    source.refresh_from_db()
    assert source.url == UN_URL


def test_it_refuses_an_update_to_an_invalid_stance(source, bob):
    with pytest.raises(ValidationError) as exc:
        services.source_update(source=source, user=bob, stance="agrees")

    assert "stance" in exc.value.message_dict


@pytest.mark.parametrize("field", ["claim", "added_by"])
def test_it_refuses_to_move_a_source_or_change_who_added_it(source, bob, alice, field):
    with pytest.raises(TypeError, match=field):
        services.source_update(source=source, user=bob, **{field: alice})


def test_it_removes_a_source(source, bob):
    services.source_remove(source=source, user=bob)

    assert not Source.objects.filter(pk=source.pk).exists()
    deletion = Source.history.get(id=source.pk, history_type="-")
    assert deletion.history_user == bob


def test_removing_a_source_bumps_the_claims_updated_at(claim, source, bob):
    age(claim)
    before = claim.updated_at

    services.source_remove(source=source, user=bob)

    claim.refresh_from_db()
    assert claim.updated_at > before


def test_it_refuses_sources_on_a_rejected_claim(claim, bob, morgan):
    services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")

    with pytest.raises(PermissionDenied, match="rejected: its sources are closed"):
        services.source_add(claim=claim, user=bob, url=UN_URL, stance=Source.Stance.SUPPORTS)

    assert not Source.objects.exists()
