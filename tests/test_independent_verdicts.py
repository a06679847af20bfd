"""The whole story, through the API and the desk: blind verdicts, the quorum, agreement, dispute.

alice highlights a claim; bob and dana rate it without seeing each other's
verdicts; morgan cannot verify it before the second verdict, then can.
"""

from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Article
from tests.factories import make_claim_in_review


def _api(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_two_blind_verdicts_then_verification_agreement_and_dispute(
    client: Client, alice: User, bob: User, dana: User, morgan: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase="some 2250 people")
    other = make_claim_in_review(user=alice, article=article, phrase="total blockade")
    verdicts = f"/api/claims/{claim.pk}/verdicts/"

    # bob rates first; dana cannot read his verdict, only that there is one.
    given = _api(bob).post(verdicts, {"rating": "true", "rationale": "Bob: UN count."})
    assert given.status_code == 201
    assert _api(dana).get(verdicts).status_code == 403
    assert _api(dana).get(f"/api/claims/{claim.pk}/").json()["verdict_count"] == 1
    queue = _api(dana).get("/api/claims/", {"needs_my_verdict": "true"}).json()["results"]
    assert [row["id"] for row in queue] == [claim.pk, other.pk]

    # One verdict is not enough to verify.
    verify = f"/api/claims/{claim.pk}/verify/"
    refused = _api(morgan).post(verify, {"verdict": given.json()["id"]}, format="json")
    assert refused.status_code == 400
    assert "1 more is needed" in refused.json()["quorum"][0]

    # dana rates, two points away from bob: now she sees both, and the claim is disputed.
    assert _api(dana).post(verdicts, {"rating": "mixed", "rationale": "Dana."}).status_code == 201
    assert {row["reviewer"] for row in _api(dana).get(verdicts).json()["results"]} == {
        "bob",
        "dana",
    }
    client.force_login(morgan)
    queue = client.get("/admin/annotations/claim/")
    assert queue.context["cl"].result_list[0] == claim
    assert "2 points · disputed" in queue.content.decode()

    # The agreement is measured, for the desk and for the pair.
    agreement = _api(morgan).get("/api/agreement/").json()
    assert (agreement["claims"], agreement["verdicts"]) == (1, 2)
    assert agreement["pairs"][0]["reviewers"] == ["bob", "dana"]
    page = client.get("/agreement/").content.decode()
    assert "bob and dana" in page

    # With the quorum met, morgan publishes bob's verdict.
    verified = _api(morgan).post(verify, {"verdict": given.json()["id"]}, format="json")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
