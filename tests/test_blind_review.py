"""Blind review: until a reviewer has rated a claim, or it is decided, they see only the count.

alice highlights the claim; bob rates it first ("BOB-RATIONALE"); dana has not
rated it yet; morgan moderates. Every path that gives verdicts is tried.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import permissions, selectors, services
from annotations.models import Article, Claim, Verdict
from tests.factories import UserFactory, make_claim_in_review

SECRET = "BOB-RATIONALE: the UN counted 1,150."


@pytest.fixture
def claim(alice: User, article: Article) -> Claim:
    return make_claim_in_review(user=alice, article=article, phrase="some 2250 people")


@pytest.fixture
def bobs(claim: Claim, bob: User) -> Verdict:
    return services.verdict_give(
        claim=claim, user=bob, rating=Verdict.Rating.MOSTLY_FALSE, rationale=SECRET
    )


def _rate(claim: Claim, user: User) -> Verdict:
    return services.verdict_give(
        claim=claim, user=user, rating=Verdict.Rating.MIXED, rationale="Mine, given blind."
    )


def _api(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _panel(user: User, claim: Claim) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/claims/{claim.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# The rule, once as a function and once as a query -------------------------------------


def test_the_function_and_the_query_agree(
    alice: User, bob: User, dana: User, morgan: User, charlie: User, article: Article
) -> None:
    open_claim = make_claim_in_review(user=alice, article=article, phrase="some 2250 people")
    decided = make_claim_in_review(user=alice, article=article, phrase="total blockade")
    for claim in (open_claim, decided):
        _rate(claim, bob)
        _rate(claim, morgan)
    services.claim_reject(claim=decided, user=morgan, reason="Not checkable.")
    decided.refresh_from_db()
    for user in (alice, bob, dana, morgan, charlie):
        visible = set(selectors.visible_verdicts(user).values_list("claim_id", flat=True))
        for claim in (open_claim, decided):
            assert (claim.pk in visible) == permissions.verdicts_visible_to(user, claim), (
                user.username,
                claim.status,
            )
    assert permissions.verdicts_visible_to(bob, open_claim)
    assert not permissions.verdicts_visible_to(dana, open_claim)
    assert not permissions.verdicts_visible_to(alice, open_claim)
    assert permissions.verdicts_visible_to(morgan, open_claim)
    assert permissions.verdicts_visible_to(dana, decided)


# The claim's panel ------------------------------------------------------------------


def test_the_panel_shows_a_reviewer_who_has_not_rated_only_the_count(
    dana: User, claim: Claim, bobs: Verdict
) -> None:
    html = _panel(dana, claim)
    assert SECRET not in html
    assert "Mostly false" not in html.split('class="verdict-form"')[0]
    assert "1 verdict so far" in html
    assert "data-verdicts-hidden" in html
    assert 'data-ajax="verdict"' in html  # dana may still give hers


def test_the_panel_shows_every_verdict_once_the_reviewer_has_rated(
    dana: User, claim: Claim, bobs: Verdict
) -> None:
    _rate(claim, dana)
    html = _panel(dana, claim)
    assert SECRET in html
    assert "data-verdicts-hidden" not in html


def test_the_panel_hides_verdicts_from_the_author_who_may_not_rate(
    alice: User, claim: Claim, bobs: Verdict
) -> None:
    html = _panel(alice, claim)
    assert SECRET not in html
    assert "You highlighted this claim" in html
    assert 'data-ajax="verdict"' not in html


def test_the_panel_shows_a_moderator_everything(morgan: User, claim: Claim, bobs: Verdict) -> None:
    assert SECRET in _panel(morgan, claim)


def test_the_panel_shows_everyone_the_verdicts_of_a_decided_claim(
    dana: User, morgan: User, claim: Claim, bobs: Verdict
) -> None:
    _rate(claim, morgan)
    services.claim_verify(claim=claim, user=morgan, verdict=bobs)
    assert SECRET in _panel(dana, claim)


# The API ------------------------------------------------------------------------------


def test_the_verdict_list_refuses_a_reviewer_who_has_not_rated_saying_how_many(
    dana: User, claim: Claim, bobs: Verdict
) -> None:
    response = _api(dana).get(f"/api/claims/{claim.pk}/verdicts/")
    assert response.status_code == 403
    assert "Reviews are blind" in response.json()["detail"]
    assert "(1 so far)" in response.json()["detail"]
    assert SECRET not in response.content.decode()


def test_a_verdict_read_alone_is_refused_too(dana: User, claim: Claim, bobs: Verdict) -> None:
    response = _api(dana).get(f"/api/claims/{claim.pk}/verdicts/{bobs.pk}/")
    assert response.status_code == 403
    assert SECRET not in response.content.decode()


def test_the_api_lists_the_verdicts_once_the_reviewer_has_rated(
    dana: User, claim: Claim, bobs: Verdict
) -> None:
    _rate(claim, dana)
    response = _api(dana).get(f"/api/claims/{claim.pk}/verdicts/")
    assert response.status_code == 200
    assert {row["reviewer"] for row in response.json()["results"]} == {"bob", "dana"}
    detail = _api(dana).get(f"/api/claims/{claim.pk}/verdicts/{bobs.pk}/")
    assert detail.json()["rationale"] == SECRET


def test_the_api_shows_a_moderator_every_verdict(morgan: User, claim: Claim, bobs: Verdict) -> None:
    response = _api(morgan).get(f"/api/claims/{claim.pk}/verdicts/")
    assert [row["rationale"] for row in response.json()["results"]] == [SECRET]


def test_the_api_shows_the_author_nothing_while_in_review(
    alice: User, claim: Claim, bobs: Verdict
) -> None:
    assert _api(alice).get(f"/api/claims/{claim.pk}/verdicts/").status_code == 403


def test_the_api_shows_everyone_the_verdicts_of_a_rejected_claim(
    dana: User, morgan: User, claim: Claim, bobs: Verdict
) -> None:
    services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    response = _api(dana).get(f"/api/claims/{claim.pk}/verdicts/")
    assert response.status_code == 200
    assert [row["rationale"] for row in response.json()["results"]] == [SECRET]


def test_claims_in_the_api_carry_the_count_and_never_a_rating(
    dana: User, claim: Claim, bobs: Verdict
) -> None:
    client = _api(dana)
    listed = client.get("/api/claims/")
    detail = client.get(f"/api/claims/{claim.pk}/")
    [row] = listed.json()["results"]
    assert row["verdict_count"] == detail.json()["verdict_count"] == 1
    for response in (listed, detail):
        body = response.content.decode()
        assert SECRET not in body
        assert "mostly_false" not in body


def test_the_article_page_embeds_no_rating(dana: User, claim: Claim, bobs: Verdict) -> None:
    client = Client()
    client.force_login(dana)
    html = client.get(f"/articles/{claim.article_id}/").content.decode()
    assert SECRET not in html
    assert "mostly_false" not in html.split("<footer")[0].replace('value="mostly_false"', "")


def test_the_schema_says_verdicts_are_blind(morgan: User) -> None:
    schema = _api(morgan).get("/api/schema/", {"format": "json"})
    operation = schema.json()["paths"]["/api/claims/{claim_id}/verdicts/"]["get"]
    assert "Reviews are blind" in operation["description"]
    assert "403" in operation["responses"]


# The admin, for a reviewer on the staff --------------------------------------------------


@pytest.fixture
def rita(db) -> User:
    """A reviewer who may open the admin (staff), without the moderators' rights."""
    return UserFactory(username="rita", is_staff=True, groups=["Reviewers"])


def _admin(user: User, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_admin_shows_a_reviewer_who_has_not_rated_only_counts(
    rita: User, claim: Claim, bobs: Verdict
) -> None:
    changelist = _admin(rita, "/admin/annotations/claim/")
    assert "Mostly false" not in changelist
    assert "verdict rating" not in changelist  # the filter by rating would tell
    change = _admin(rita, f"/admin/annotations/claim/{claim.pk}/change/")
    assert SECRET not in change
    verdicts = _admin(rita, "/admin/annotations/verdict/")
    assert "0 verdicts" in verdicts


def test_the_admin_shows_a_reviewer_the_verdicts_of_a_claim_they_rated(
    rita: User, claim: Claim, bobs: Verdict
) -> None:
    _rate(claim, rita)
    change = _admin(rita, f"/admin/annotations/claim/{claim.pk}/change/")
    assert SECRET in change
    assert "2 verdicts" in _admin(rita, "/admin/annotations/verdict/")


def test_the_admin_shows_a_moderator_everything(morgan: User, claim: Claim, bobs: Verdict) -> None:
    changelist = _admin(morgan, "/admin/annotations/claim/")
    assert "Mostly false" in changelist
    assert SECRET in _admin(morgan, f"/admin/annotations/claim/{claim.pk}/change/")
