"""What never leaves the desk, in any format: unpublished work and reviewers' e-mail addresses."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations import services
from annotations.models import Article, Claim
from annotations.publishing.records import public_name

from ..factories import ArticleFactory, UserFactory, make_claim, make_claim_in_review
from .export_helpers import FORMATS, export_bytes, item_ids, make_verified

# Each phrase is far (more than 32 characters) from the others, so that no
# claim's prefix or suffix carries a neighbour's words.
TEXT = (
    "Alpha: the published claim says 2250 people left the city. "
    "Filler words keep the claims apart from one another here. "
    "Bravo: a draft claim about the convoy nobody submitted yet. "
    "Filler words keep the claims apart from one another here. "
    "Charlie: a rejected claim about the prisoner exchange deal. "
    "Filler words keep the claims apart from one another here. "
    "Delta: a claim still in review about the Iranian envoy role. "
    "Filler words keep the claims apart from one another here. "
    "Echo: a reopened claim about the relief for Nubul and Zahra."
)
SECRETS = [
    b"Bravo",
    b"Charlie",
    b"Delta",
    b"Echo",
    b"DRAFT-RESTATEMENT",
    b"REJECTION-REASON",
    b"UNPUBLISHED-RATIONALE",
    b"WITHDRAWN-RATIONALE",
    b"@newsroom.example",
    b"newsroom.example",
]


@pytest.fixture
def desk(alice: User, bob: User, morgan: User) -> dict[str, Claim]:
    article: Article = ArticleFactory(text=TEXT, title="The deal")
    published = make_verified(
        article=article,
        phrase="the published claim says 2250 people left the city",
        reviewer=alice,
        moderator=morgan,
        rationale="Alice's published rationale.",
    )
    # Bob's verdict on the same claim was not the one published.
    draft = make_claim(
        user=alice,
        article=article,
        phrase="a draft claim about the convoy",
        restatement="DRAFT-RESTATEMENT",
    )
    rejected = make_claim_in_review(
        user=alice, article=article, phrase="a rejected claim about the prisoner exchange"
    )
    services.claim_reject(claim=rejected, user=morgan, reason="REJECTION-REASON")
    in_review = make_claim_in_review(
        user=alice, article=article, phrase="a claim still in review about the Iranian envoy"
    )
    services.verdict_give(
        claim=in_review, user=bob, rating="false", rationale="UNPUBLISHED-RATIONALE"
    )
    reopened = make_verified(
        article=article,
        phrase="a reopened claim about the relief",
        reviewer=bob,
        moderator=morgan,
        rationale="WITHDRAWN-RATIONALE",
    )
    services.claim_reopen(claim=reopened, user=morgan, reason="New figures came in.")
    return {"published": published, "draft": draft, "rejected": rejected, "reopened": reopened}


@pytest.fixture
def unpublished_second_verdict(desk: dict[str, Claim], bob: User, morgan: User) -> None:
    # A second reviewer's verdict on the published claim, given before it was verified.
    claim = desk["published"]
    services.claim_reopen(claim=claim, user=morgan, reason="A second opinion.")
    services.verdict_give(claim=claim, user=bob, rating="false", rationale="UNPUBLISHED-RATIONALE")
    services.claim_verify(
        claim=claim, user=morgan, verdict=claim.verdicts.get(reviewer__username="alice")
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_the_published_claim_and_verdict_leave_the_desk(
    client: Client, alice: User, desk: dict[str, Claim], unpublished_second_verdict: None, fmt: str
) -> None:
    client.force_login(alice)
    data = export_bytes(client, fmt)
    assert item_ids(fmt, data) == [str(desk["published"].pk)]
    assert b"2250 people left the city" in data
    assert b"Alice's published rationale" in data
    for secret in SECRETS:
        assert secret not in data, (fmt, secret)


def test_a_reviewer_is_named_by_full_name_else_username_never_by_e_mail(db) -> None:
    assert public_name(UserFactory(username="kim", first_name="Kim", last_name="Lee")) == (
        "Kim Lee"
    )
    assert public_name(UserFactory(username="kim2")) == "kim2"
    mailbox = UserFactory(username="sam@newsroom.example")
    assert public_name(mailbox) == f"Reviewer #{mailbox.pk}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reviewer_whose_username_is_an_e_mail_address_is_not_exposed(
    client: Client, alice: User, morgan: User, fmt: str
) -> None:
    sam = UserFactory(username="sam@newsroom.example", groups=["Reviewers"])
    article = ArticleFactory()
    make_verified(article=article, phrase="some 2250 people", reviewer=sam, moderator=morgan)
    client.force_login(alice)
    data = export_bytes(client, fmt)
    assert b"newsroom.example" not in data
    if fmt != "claimreview":  # a ClaimReview's author is the publisher, not the reviewer
        assert f"Reviewer #{sam.pk}".encode() in data
