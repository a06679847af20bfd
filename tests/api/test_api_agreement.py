"""/api/agreement/: alpha for the desk, per pair and per month; moderators only."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations import agreement, services
from annotations.models import Article, Claim, Verdict
from tests.factories import ARTICLE_TEXT, ArticleFactory, make_claim_in_review

Clients = Callable[[User], APIClient]
URL = "/api/agreement/"
R = Verdict.Rating


def _rate(claim: Claim, user: User, rating: str) -> None:
    services.verdict_give(claim=claim, user=user, rating=rating, rationale="Checked.")


@pytest.fixture
def rated(alice: User, bob: User, dana: User, article: Article) -> list[Claim]:
    claims = [
        make_claim_in_review(user=alice, article=article, phrase=phrase)
        for phrase in ("total blockade", "June 2012", "some 2250 people")
    ]
    for claim, (first, second) in zip(
        claims,
        [(R.TRUE, R.MOSTLY_TRUE), (R.FALSE, R.FALSE), (R.MIXED, R.UNVERIFIABLE)],
        strict=True,
    ):
        _rate(claim, bob, first)
        _rate(claim, dana, second)
    Claim.objects.filter(pk=claims[0].pk).update(created_at=datetime(2026, 8, 3, tzinfo=UTC))
    return claims


def test_anonymous_clients_get_401(api_client: APIClient) -> None:
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("username", ["alice", "charlie"])
def test_reviewers_and_outsiders_get_403(
    client_for: Clients, alice: User, charlie: User, username: str
) -> None:
    user = {"alice": alice, "charlie": charlie}[username]
    assert client_for(user).get(URL).status_code == 403


def test_it_gives_a_moderator_alpha_with_what_it_rests_on(
    client_for: Clients, morgan: User, rated: list[Claim]
) -> None:
    response = client_for(morgan).get(URL)
    assert response.status_code == 200
    body = response.json()
    expected = agreement.desk_agreement()
    assert body["alpha"] == pytest.approx(expected.overall.alpha)
    assert (body["claims"], body["verdicts"], body["unverifiable"]) == (2, 4, 1)
    assert body["pairs"] == [
        {"reviewers": ["bob", "dana"], "alpha": pytest.approx(expected.pairs[0].alpha), "claims": 2}
    ]
    assert [m["month"] for m in body["months"]] == sorted(m["month"] for m in body["months"])
    assert "Unverifiable" in body["note"]


def test_alpha_is_null_when_there_is_nothing_to_compare(
    client_for: Clients, morgan: User, article: Article
) -> None:
    body = client_for(morgan).get(URL).json()
    assert body["alpha"] is None
    assert (body["claims"], body["verdicts"], body["pairs"], body["months"]) == (0, 0, [], [])


def test_it_filters_by_article_and_dates(
    client_for: Clients, morgan: User, alice: User, bob: User, dana: User, rated: list[Claim]
) -> None:
    other = ArticleFactory(text=ARTICLE_TEXT + "\nAnother edition.")
    claim = make_claim_in_review(user=alice, article=other, phrase="total blockade")
    _rate(claim, bob, R.TRUE)
    _rate(claim, dana, R.FALSE)
    client = client_for(morgan)
    assert client.get(URL).json()["claims"] == 3
    assert client.get(URL, {"article": other.pk}).json()["claims"] == 1
    assert client.get(URL, {"until": "2026-08-31"}).json()["claims"] == 1
    after = client.get(URL, {"since": "2026-09-01", "article": rated[0].article_id}).json()
    assert after["claims"] == 1  # the August claim left out, the Unverifiable one compares nothing


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"article": "x"}, "article"),
        ({"article": "0"}, "article"),
        ({"article": "999999"}, "article"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": "2026-10-02", "until": "2026-10-01"}, "until"),
    ],
)
def test_bad_parameters_get_400_naming_them(
    client_for: Clients, morgan: User, article: Article, params: dict[str, str], field: str
) -> None:
    response = client_for(morgan).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_empty_parameters_count_as_not_sent(
    client_for: Clients, morgan: User, rated: list[Claim]
) -> None:
    response = client_for(morgan).get(URL, {"article": "", "since": "", "until": ""})
    assert response.status_code == 200
    assert response.json()["claims"] == 2


def test_it_takes_only_get(client_for: Clients, morgan: User) -> None:
    assert client_for(morgan).post(URL, {}, format="json").status_code == 405


def test_the_schema_describes_it(client_for: Clients, morgan: User) -> None:
    schema = client_for(morgan).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"article", "since", "until"}
    component = schema["components"]["schemas"]["AgreementOutput"]
    assert {"alpha", "claims", "verdicts", "pairs", "months"} <= set(component["properties"])
    assert component["properties"]["alpha"]["nullable"] is True
