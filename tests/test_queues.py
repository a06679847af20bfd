"""The queues: "Waiting for your verdict" for each reviewer, disputed claims first for moderators.

alice and bob highlight claims; bob, dana and morgan rate them.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import selectors, services
from annotations.models import Article, Claim, Verdict
from tests.factories import (
    ARTICLE_TEXT,
    ArticleFactory,
    give_verdict,
    make_claim,
    make_claim_in_review,
    verify,
)

R = Verdict.Rating


@pytest.fixture
def claims(alice: User, bob: User, article: Article) -> dict[str, Claim]:
    """Claims in every state, made in this order (oldest first)."""
    made = {
        "alices": make_claim_in_review(user=alice, article=article, phrase="total blockade"),
        "bobs": make_claim_in_review(user=bob, article=article, phrase="June 2012"),
        "alices_later": make_claim_in_review(user=alice, article=article, phrase="mostly fighters"),
        "draft": make_claim(user=alice, article=article, phrase="central Syria"),
        "rejected": make_claim_in_review(user=alice, article=article, phrase="some 2250 people"),
    }
    for i, claim in enumerate(made.values()):
        Claim.objects.filter(pk=claim.pk).update(created_at=datetime(2026, 9, 1 + i, tzinfo=UTC))
    return made


def _waiting(user: User) -> list[str]:
    return [c.quote for c in selectors.claims_waiting_for(user)]


# The reviewer's queue --------------------------------------------------------------------


def test_each_reviewer_waits_for_the_claims_in_review_they_neither_wrote_nor_rated(
    alice: User, bob: User, dana: User, morgan: User, claims: dict[str, Claim]
) -> None:
    services.claim_reject(claim=claims["rejected"], user=morgan, reason="Not checkable.")
    give_verdict(claims["alices"], bob)
    assert _waiting(alice) == ["June 2012"]
    assert _waiting(bob) == ["mostly fighters"]
    assert _waiting(dana) == ["total blockade", "June 2012", "mostly fighters"]
    give_verdict(claims["bobs"], dana)
    assert _waiting(dana) == ["total blockade", "mostly fighters"]


def test_a_verified_claim_leaves_every_queue(
    bob: User, dana: User, morgan: User, claims: dict[str, Claim]
) -> None:
    verdict = give_verdict(claims["alices"], bob)
    verify(claims["alices"], moderator=morgan, verdict=verdict)
    assert "total blockade" not in _waiting(dana)


@override_settings(FACTCHECK_AUTHOR_MAY_RATE=True)
def test_authors_wait_for_their_own_claims_when_the_desk_lets_them_rate(
    alice: User, claims: dict[str, Claim]
) -> None:
    assert _waiting(alice) == ["total blockade", "June 2012", "mostly fighters", "some 2250 people"]


def _api(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_api_gives_the_queue_with_needs_my_verdict(
    bob: User, dana: User, claims: dict[str, Claim]
) -> None:
    give_verdict(claims["alices"], dana)
    response = _api(dana).get("/api/claims/", {"needs_my_verdict": "true"})
    assert response.status_code == 200
    quotes = [row["quote"] for row in response.json()["results"]]
    assert quotes == ["June 2012", "mostly fighters", "some 2250 people"]
    bobs = _api(bob).get("/api/claims/", {"needs_my_verdict": "true"}).json()["results"]
    assert [row["quote"] for row in bobs] == [
        "total blockade",
        "mostly fighters",
        "some 2250 people",
    ]


def test_needs_my_verdict_false_or_empty_lists_every_claim(
    dana: User, claims: dict[str, Claim]
) -> None:
    for value in ("false", ""):
        response = _api(dana).get("/api/claims/", {"needs_my_verdict": value})
        assert len(response.json()["results"]) == 5, value


def test_needs_my_verdict_takes_only_true_or_false(dana: User, claims: dict[str, Claim]) -> None:
    response = _api(dana).get("/api/claims/", {"needs_my_verdict": "maybe"})
    assert response.status_code == 400
    assert "needs_my_verdict" in response.json()


def test_needs_my_verdict_combines_with_the_other_filters(
    dana: User, claims: dict[str, Claim]
) -> None:
    article = claims["alices"].article_id
    for status, count in (("in_review", 4), ("draft", 0)):
        response = _api(dana).get(
            "/api/claims/", {"needs_my_verdict": "true", "article": article, "status": status}
        )
        assert len(response.json()["results"]) == count, status


def test_the_article_list_shows_the_queue_oldest_first(
    client: Client, dana: User, claims: dict[str, Claim]
) -> None:
    client.force_login(dana)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert "Waiting for your verdict" in page
    assert [claim for claim, _ in response.context["waiting"]] == [
        claims["alices"],
        claims["bobs"],
        claims["alices_later"],
        claims["rejected"],
    ]
    assert response.context["waiting_count"] == 4
    assert f'href="/articles/{claims["bobs"].article_id}/#claim-{claims["bobs"].pk}"' in page


def test_the_article_list_says_when_nothing_is_waiting(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you" in page


# The moderators' queue ---------------------------------------------------------------------


@pytest.fixture
def rated(bob: User, dana: User, morgan: User, claims: dict[str, Claim]) -> dict[str, Claim]:
    """alices: 5 and 2 (disputed); bobs: 4 and 3; alices_later: one verdict; rejected: 1 and 5."""
    give_verdict(claims["alices"], bob, R.TRUE)
    give_verdict(claims["alices"], dana, R.MOSTLY_FALSE)
    give_verdict(claims["bobs"], dana, R.MOSTLY_TRUE)
    give_verdict(claims["bobs"], morgan, R.MIXED)
    give_verdict(claims["alices_later"], bob, R.UNVERIFIABLE)
    give_verdict(claims["rejected"], bob, R.FALSE)
    give_verdict(claims["rejected"], dana, R.TRUE)
    services.claim_reject(claim=claims["rejected"], user=morgan, reason="Not checkable.")
    return claims


def _changelist(client: Client, user: User, **params: str):
    client.force_login(user)
    response = client.get(reverse("admin:annotations_claim_changelist"), params)
    assert response.status_code == 200
    return response


def test_disputed_claims_come_first_in_the_moderators_queue(
    client: Client, morgan: User, rated: dict[str, Claim]
) -> None:
    response = _changelist(client, morgan)
    listed = list(response.context["cl"].result_list)
    assert listed[0] == rated["alices"]
    # The rest newest first, as before; a rejected claim is never disputed.
    assert listed[1:] == [rated["rejected"], rated["draft"], rated["alices_later"], rated["bobs"]]
    page = response.content.decode()
    assert "3 points · disputed" in page
    assert page.count("disputed</strong>") == 1


def test_the_queue_shows_the_spread_and_whether_the_quorum_is_met(
    client: Client, morgan: User, rated: dict[str, Claim]
) -> None:
    response = _changelist(client, morgan)
    by_pk = {c.pk: c for c in response.context["cl"].result_list}
    assert by_pk[rated["bobs"].pk].spread == 1
    assert by_pk[rated["alices_later"].pk].spread is None  # Unverifiable has no number
    admin = response.context["cl"].model_admin
    assert admin.quorum(by_pk[rated["bobs"].pk]) is True
    assert admin.quorum(by_pk[rated["alices_later"].pk]) is False
    assert admin.quorum(by_pk[rated["rejected"].pk]) is None  # not in review
    assert "1 point" in response.content.decode()


@override_settings(FACTCHECK_VERDICT_QUORUM=3)
def test_the_quorum_column_follows_the_setting(
    client: Client, morgan: User, rated: dict[str, Claim]
) -> None:
    response = _changelist(client, morgan)
    by_pk = {c.pk: c for c in response.context["cl"].result_list}
    assert response.context["cl"].model_admin.quorum(by_pk[rated["bobs"].pk]) is False


def test_the_disputed_filter(client: Client, morgan: User, rated: dict[str, Claim]) -> None:
    response = _changelist(client, morgan, disputed="yes")
    assert list(response.context["cl"].result_list) == [rated["alices"]]
    response = _changelist(client, morgan, disputed="no")
    assert rated["alices"] not in list(response.context["cl"].result_list)
    assert len(response.context["cl"].result_list) == 4


def test_a_chosen_column_order_comes_before_disputes(
    client: Client, morgan: User, rated: dict[str, Claim]
) -> None:
    response = _changelist(client, morgan, o="9")  # the spread column, widest first
    listed = list(response.context["cl"].result_list)
    assert listed[:2] == [rated["rejected"], rated["alices"]]  # 4 and 3 points apart


def test_the_queue_costs_as_many_queries_however_long_it_is(
    client: Client, alice: User, dana: User
) -> None:
    client.force_login(dana)
    counts = []
    for n, phrases in enumerate((["total blockade"], ["June 2012", "mostly fighters", "Syria"])):
        untitled = ArticleFactory(title="", text=f"{ARTICLE_TEXT}\nEdition {n}.")
        for phrase in phrases:
            make_claim_in_review(user=alice, article=untitled, phrase=phrase)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("home")).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "The deal over the Old City of Homs" in page  # the untitled named by their text
