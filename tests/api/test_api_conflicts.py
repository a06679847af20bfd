"""Integrity errors: the unique constraints two writes at once can race on are a 409 that
says which; any other is a server error, logged, answered with JSON."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import names, services
from annotations.api.errors import EXPECTED_CONFLICTS, expected_conflict
from annotations.models import Article, Claim, Speaker, SpeakerAlias, Verdict
from tests.factories import ARTICLE_TEXT

from .conftest import Desk

Clients = Callable[[User], APIClient]


def _conflict(name: str) -> str:
    (conflict,) = [c for c in EXPECTED_CONFLICTS if c.constraint == name]
    return conflict.detail


# Each expected constraint, broken by a second row that the services would have refused.
def _keyed(name: str) -> dict[str, str]:
    return {"name": name, "name_key": names.name_key(name), "bare_key": names.bare_key(name)}


def _speaker_name(desk: Desk, user: User) -> None:
    Speaker.objects.create(**_keyed(desk.speaker.name.upper()), kind="organisation")


def _speaker_alias(desk: Desk, user: User) -> None:
    other = Speaker.objects.create(**_keyed("Another"), kind="organisation")
    SpeakerAlias.objects.create(speaker=other, **_keyed("sana"))


def _verdict(desk: Desk, user: User) -> None:
    Verdict.objects.create(claim=desk.in_review, reviewer=user, rating="true", rationale="Again.")


def _article(desk: Desk, user: User) -> None:
    Article.objects.create(text=desk.article.text, text_sha256=desk.article.text_sha256)


def _article_url(desk: Desk, user: User) -> None:
    Article.objects.filter(pk=desk.article.pk).update(url="https://news.example.org/homs")
    Article.objects.create(
        text="Another text.", text_sha256="0" * 64, url="https://news.example.org/homs"
    )


BREAKERS = {
    "speaker_name_key_unique": _speaker_name,
    "speaker_alias_name_key_unique": _speaker_alias,
    "verdict_one_per_reviewer": _verdict,
    "annotations_article_text_sha256_key": _article,
    "article_url_unique": _article_url,
}


def test_every_expected_conflict_has_a_test() -> None:
    assert set(BREAKERS) == {conflict.constraint for conflict in EXPECTED_CONFLICTS}


@pytest.mark.parametrize("constraint", BREAKERS)
def test_it_knows_each_expected_constraint_by_its_name(
    desk: Desk, bob: User, constraint: str
) -> None:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        BREAKERS[constraint](desk, bob)
    conflict = expected_conflict(raised.value)
    assert conflict is not None
    assert conflict.constraint == constraint


def test_it_knows_no_other_constraint(desk: Desk) -> None:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        Claim.objects.filter(pk=desk.draft.pk).update(start=50, end=10)
    assert expected_conflict(raised.value) is None


# Through the API ----------------------------------------------------------------------


def _racing(write: Callable[[], Any]) -> Callable[..., Any]:
    """Return a service that writes as a second client did at the same moment."""

    @transaction.atomic
    def service(**kwargs: Any) -> Any:
        return write()

    return service


def test_a_speaker_added_twice_at_once_is_a_409_naming_the_race(
    client_for: Clients, alice: User, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "speaker_create", _racing(lambda: _speaker_name(desk, alice)))
    response = client_for(alice).post(
        "/api/speakers/", {"name": "SYRIAN STATE MEDIA", "kind": "organisation"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": _conflict("speaker_name_key_unique")}
    assert Speaker.objects.count() == 1


def test_a_verdict_given_twice_at_once_is_a_409_naming_the_race(
    client_for: Clients, bob: User, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "verdict_give", _racing(lambda: _verdict(desk, bob)))
    response = client_for(bob).post(
        f"/api/claims/{desk.in_review.pk}/verdicts/",
        {"rating": "true", "rationale": "Checked."},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": _conflict("verdict_one_per_reviewer")}
    assert desk.in_review.verdicts.get().rating == desk.verdict.rating


def test_an_article_added_twice_at_once_is_a_409_naming_the_race(
    client_for: Clients, morgan: User, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "article_create", _racing(lambda: _article(desk, morgan)))
    response = client_for(morgan).post("/api/articles/", {"text": ARTICLE_TEXT}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": _conflict("annotations_article_text_sha256_key")}


def test_an_article_imported_twice_at_once_is_a_409_naming_the_race(
    client_for: Clients, alice: User, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "article_import", _racing(lambda: _article_url(desk, alice)))
    response = client_for(alice).post(
        "/api/articles/import/",
        {"text": "A text.", "url": "https://news.example.org/homs"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": _conflict("article_url_unique")}


@pytest.mark.parametrize(
    "write",
    [
        # A check constraint: the services should have refused it; a bug, not a race.
        lambda desk, user: Claim.objects.filter(pk=desk.draft.pk).update(start=50, end=10),
        # A unique constraint no API write races on.
        lambda desk, user: Token.objects.bulk_create([Token(user=user), Token(user=user)]),
    ],
    ids=["check", "unique"],
)
def test_any_other_integrity_error_is_a_logged_500(
    client_for: Clients,
    alice: User,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    write: Callable[[Desk, User], Any],
) -> None:
    monkeypatch.setattr(services, "speaker_create", _racing(lambda: write(desk, alice)))
    with caplog.at_level(logging.ERROR, logger="annotations.api.errors"):
        response = client_for(alice).post(
            "/api/speakers/", {"name": "Someone new", "kind": "person"}, format="json"
        )
    assert response.status_code == 500
    assert "has been logged" in response.json()["detail"]
    (record,) = [r for r in caplog.records if r.name == "annotations.api.errors"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], IntegrityError)
    assert Claim.objects.get(pk=desk.draft.pk).start != 50


def test_a_write_answered_with_409_leaves_nothing_of_itself(
    client_for: Clients, alice: User, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def speaker_then_a_raced_alias() -> None:
        Speaker.objects.create(**_keyed("Written first"), kind="person")
        _speaker_alias(desk, alice)

    monkeypatch.setattr(services, "speaker_create", _racing(speaker_then_a_raced_alias))
    response = client_for(alice).post(
        "/api/speakers/", {"name": "Written first", "kind": "person"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": _conflict("speaker_alias_name_key_unique")}
    assert not Speaker.objects.filter(name="Written first").exists()
