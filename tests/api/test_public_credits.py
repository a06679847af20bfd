"""FACTCHECK_CREDIT_ALL_REVIEWERS: the public page credits every reviewer who rated the claim."""

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from annotations.models import Article, Claim

from ..factories import ArticleFactory, UserFactory
from .export_helpers import export_bytes, make_verified, parse


@pytest.fixture
def claim(alice: User, morgan: User, db) -> Claim:
    """Verified on alice's verdict, which morgan's verdict brought to the quorum."""
    morgan.first_name, morgan.last_name = "Morgan", "Lee"
    morgan.save()
    article: Article = ArticleFactory()
    return make_verified(
        article=article, phrase="some 2250 people", reviewer=alice, moderator=morgan
    )


def _page(claim: Claim) -> tuple[str, dict[str, Any]]:
    html = Client().get(f"/checks/{claim.pk}/").content.decode()
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return html, json.loads(script)


def test_by_default_only_the_published_verdicts_reviewer_is_credited(claim: Claim) -> None:
    html, review = _page(claim)
    assert "Checked by alice" in html
    assert "Morgan Lee" not in html
    assert "contributor" not in review


@override_settings(FACTCHECK_CREDIT_ALL_REVIEWERS=True)
def test_a_desk_can_credit_every_reviewer(claim: Claim) -> None:
    html, review = _page(claim)
    assert "Checked by alice" in html
    assert "with Morgan Lee, who rated it too" in html
    assert review["contributor"] == [{"@type": "Person", "name": "Morgan Lee"}]


@override_settings(FACTCHECK_CREDIT_ALL_REVIEWERS=True)
def test_credits_never_show_an_email_address(claim: Claim) -> None:
    other = UserFactory(username="rae@newsroom.example", groups=["Reviewers"])
    claim.verdicts.filter(reviewer__username="morgan").update(reviewer=other)
    html, review = _page(claim)
    assert "@newsroom.example" not in html
    assert "@newsroom.example" not in json.dumps(review)


@override_settings(FACTCHECK_CREDIT_ALL_REVIEWERS=True)
def test_the_export_keeps_crediting_the_published_reviewer_only(
    client: Client, alice: User, claim: Claim
) -> None:
    client.force_login(alice)
    [item] = parse("claimreview", export_bytes(client, "claimreview"))
    assert "contributor" not in item
