"""API clients for the tests under tests/api/.

``api_client`` is anonymous; ``token_for(user)`` returns the user's token key
(creating it), and ``client_for(user)`` an APIClient sending that token.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict
from tests.factories import ArticleFactory, give_verdict, make_claim, make_claim_in_review


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def token_for(db) -> Callable[[User], str]:
    def make(user: User) -> str:
        token, _ = Token.objects.get_or_create(user=user)
        return token.key

    return make


@pytest.fixture
def client_for(token_for: Callable[[User], str]) -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return make


# Emoji and accented letters before the claims: each flag is two code points
# (four UTF-16 units), so offsets counted in UTF-16 would land elsewhere.
EMOJI_TEXT = (
    "🇸🇾 Ḥimṣ — Syrian state media 📺 said on Friday that 1,200 people had left the Old City. "
    "Monitors said the figure was closer to 980, citing café owners in al-Waer."
)


@dataclass
class Desk:
    """A desk with something in every state, written by alice and bob, moderated by morgan."""

    article: Article
    speaker: Speaker
    draft: Claim
    in_review: Claim
    verified: Claim
    rejected: Claim
    source: Source
    verdict: Verdict


@pytest.fixture
def emoji_article(db) -> Article:
    return ArticleFactory(title="Homs evacuation 🇸🇾", text=EMOJI_TEXT)


@pytest.fixture
def desk(alice: User, bob: User, morgan: User, emoji_article: Article) -> Desk:
    speaker = services.speaker_create(
        user=alice,
        name="Syrian state media",
        kind="organisation",
        side="government",
        aliases=["SANA"],
    )
    draft = make_claim(user=alice, article=emoji_article, phrase="on Friday")
    in_review = make_claim_in_review(
        user=alice,
        article=emoji_article,
        phrase="1,200 people had left the Old City",
        speaker=speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        kind=Claim.Kind.QUANTITY,
    )
    verified = make_claim_in_review(user=bob, article=emoji_article, phrase="closer to 980")
    rejected = make_claim_in_review(user=bob, article=emoji_article, phrase="café owners")
    source = services.source_add(
        claim=in_review, user=bob, url="https://example.org/report", stance="refutes"
    )
    verdict = give_verdict(in_review, bob, Verdict.Rating.MOSTLY_FALSE)
    published = give_verdict(verified, alice)
    give_verdict(verified, morgan)  # the quorum: two reviewers' verdicts
    services.claim_verify(claim=verified, user=morgan, verdict=published)
    services.claim_reject(claim=rejected, user=morgan, reason="Not a checkable claim.")
    for claim in (verified, rejected):
        claim.refresh_from_db()
    return Desk(emoji_article, speaker, draft, in_review, verified, rejected, source, verdict)
