"""What the claim panel posts about evidence and judgement: sources and verdicts."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim, Source, Verdict

from .factories import give_verdict, make_claim_in_review

UN_URL = "https://news.un.org/en/story/2014/02/homs"


@pytest.fixture
def claim(alice: User, article: Article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase="some 2250 people")


@pytest.fixture
def bobs_source(claim: Claim, bob: User) -> Source:
    return services.source_add(claim=claim, user=bob, url=UN_URL, stance="supports")


def add_source(client: Client, claim: Claim, **fields: Any) -> HttpResponse:
    data = {"url": UN_URL, "stance": "refutes", "title": "", "publisher": "", "excerpt": ""}
    return client.post(reverse("source_add", args=[claim.pk]), {**data, **fields})


def give(client: Client, claim: Claim, **fields: Any) -> HttpResponse:
    data = {"rating": "mostly_true", "rationale": "The UN counted 2,200."}
    return client.post(reverse("verdict_give", args=[claim.pk]), {**data, **fields})


def close(claim: Claim, moderator: User) -> None:
    services.claim_reject(claim=claim, user=moderator, reason="Not checkable.")


# Sources ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["alice", "bob", "morgan"])
def test_the_desk_adds_sources_to_an_open_claim(
    client: Client, request: pytest.FixtureRequest, claim: Claim, actor: str
) -> None:
    user = request.getfixturevalue(actor)
    client.force_login(user)

    response = add_source(
        client,
        claim,
        title=" UN News ",
        publisher="UN",
        published_on="2014-02-09",
        excerpt="About 1,400 people left.",
    )

    assert response.status_code == 201
    source = Source.objects.get()
    assert response.json()["source"] == {
        "id": source.pk,
        "claim": claim.pk,
        "url": UN_URL,
        "title": "UN News",
        "publisher": "UN",
        "published_on": "2014-02-09",
        "excerpt": "About 1,400 people left.",
        "stance": "refutes",
        "added_by": user.pk,
    }
    assert response.json()["claim"]["id"] == claim.pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": "www.example.org/report"}, "url", "http:// or https://"),
        ({"url": "javascript:alert(1)"}, "url", "http:// or https://"),
        ({"url": ""}, "url", "Give the source's web address"),
        ({"stance": ""}, "stance", "Choose a stance"),
        ({"stance": "likes"}, "stance", "“likes” is not a stance"),
        ({"published_on": "9 Feb"}, "published_on", "YYYY-MM-DD"),
    ],
    ids=["no-scheme", "javascript", "url-missing", "stance-missing", "stance-unknown", "date"],
)
def test_a_bad_source_gets_400_with_its_fields_message_and_writes_nothing(
    client: Client, bob: User, claim: Claim, fields: dict[str, Any], field: str, message: str
) -> None:
    client.force_login(bob)

    response = add_source(client, claim, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Source.objects.exists()


def test_sources_of_a_closed_claim_are_closed(
    client: Client, bob: User, morgan: User, claim: Claim
) -> None:
    close(claim, morgan)
    client.force_login(bob)

    response = add_source(client, claim, url="not even a url")

    assert response.status_code == 403
    assert not Source.objects.exists()


def test_anonymous_and_outsiders_add_no_sources(
    client: Client, charlie: User, claim: Claim
) -> None:
    assert add_source(client, claim).status_code == 401
    client.force_login(charlie)
    assert add_source(client, claim).status_code == 403
    assert not Source.objects.exists()


def test_a_source_for_a_missing_claim_is_not_found(client: Client, bob: User) -> None:
    client.force_login(bob)

    assert client.post(reverse("source_add", args=[999]), {"url": UN_URL}).status_code == 404


@pytest.mark.parametrize("actor", ["bob", "morgan"])
def test_its_author_or_a_moderator_removes_a_source(
    client: Client, request: pytest.FixtureRequest, bobs_source: Source, actor: str
) -> None:
    client.force_login(request.getfixturevalue(actor))

    response = client.post(reverse("source_remove", args=[bobs_source.pk]))

    assert response.status_code == 200
    assert response.json()["removed_source"] == bobs_source.pk
    assert not Source.objects.exists()


def test_it_refuses_to_remove_another_reviewers_source(
    client: Client, alice: User, bobs_source: Source
) -> None:
    client.force_login(alice)  # the claim's author, but not the source's

    response = client.post(reverse("source_remove", args=[bobs_source.pk]))

    assert response.status_code == 403
    assert Source.objects.filter(pk=bobs_source.pk).exists()


def test_removing_a_missing_source_is_not_found(client: Client, bob: User) -> None:
    client.force_login(bob)

    assert client.post(reverse("source_remove", args=[999])).status_code == 404


# Verdicts ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["alice", "bob", "morgan"])
def test_the_desk_gives_verdicts_on_open_claims(
    client: Client, request: pytest.FixtureRequest, claim: Claim, actor: str
) -> None:
    user = request.getfixturevalue(actor)
    client.force_login(user)

    response = give(client, claim)

    assert response.status_code == 200
    verdict = Verdict.objects.get()
    assert (verdict.reviewer, verdict.rating) == (user, "mostly_true")
    assert response.json()["verdict"]["id"] == verdict.pk
    assert response.json()["claim"]["verdicts"] == 1


def test_a_reviewer_changes_her_own_verdict(client: Client, bob: User, claim: Claim) -> None:
    give_verdict(claim, bob, rating="true")
    client.force_login(bob)

    response = give(client, claim, rating="false", rationale="The UN says 1,400.")

    assert response.status_code == 200
    verdict = Verdict.objects.get()
    assert (verdict.rating, verdict.rationale) == ("false", "The UN says 1,400.")


def test_a_verdict_never_replaces_another_reviewers(
    client: Client, alice: User, bob: User, claim: Claim
) -> None:
    give_verdict(claim, bob, rating="true")
    client.force_login(alice)

    give(client, claim, rating="false")

    assert sorted(Verdict.objects.values_list("reviewer__username", "rating")) == [
        ("alice", "false"),
        ("bob", "true"),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rationale": "  "}, "rationale", "a verdict needs a rationale"),
        ({"rating": ""}, "rating", "Choose a rating"),
        ({"rating": "pants_on_fire"}, "rating", "is not a rating"),
    ],
    ids=["rationale-blank", "rating-missing", "rating-unknown"],
)
def test_a_bad_verdict_gets_400_with_its_fields_message_and_writes_nothing(
    client: Client, bob: User, claim: Claim, fields: dict[str, Any], field: str, message: str
) -> None:
    client.force_login(bob)

    response = give(client, claim, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Verdict.objects.exists()


def test_verdicts_on_a_closed_claim_are_refused_even_when_malformed(
    client: Client, bob: User, morgan: User, claim: Claim
) -> None:
    close(claim, morgan)
    client.force_login(bob)

    assert give(client, claim).status_code == 403
    assert give(client, claim, rating="").status_code == 403
    assert not Verdict.objects.exists()


def test_anonymous_and_outsiders_give_no_verdicts(
    client: Client, charlie: User, claim: Claim
) -> None:
    assert give(client, claim).status_code == 401
    client.force_login(charlie)
    assert give(client, claim).status_code == 403
    assert not Verdict.objects.exists()


def test_a_verdict_on_a_missing_claim_is_not_found(client: Client, bob: User) -> None:
    client.force_login(bob)

    assert client.post(reverse("verdict_give", args=[999]), {}).status_code == 404
