"""axe-core finds no serious or critical problem on any page a reviewer or a reader sees."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from annotations import services
from annotations.models import Claim

from ..factories import ArticleFactory, give_verdict, make_claim, make_claim_in_review, verify
from .helpers import Audit, LogIn, drag_select, open_article

# "__all__": the public page reads from the replica when one is configured.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")


def test_the_login_page(page: Page, accessibility_problems: Audit) -> None:
    page.goto("/login/")

    assert accessibility_problems(page) == []


def test_the_article_list(
    page: Page, log_in: LogIn, alice: User, accessibility_problems: Audit
) -> None:
    make_claim(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    log_in(alice)
    page.goto("/")

    assert accessibility_problems(page) == []


def test_the_article_page_with_a_claim_open_and_the_claim_form(
    page: Page, log_in: LogIn, alice: User, bob: User, accessibility_problems: Audit
) -> None:
    claim = make_claim_in_review(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    services.source_add(claim=claim, user=bob, url="https://example.org", stance="supports")
    give_verdict(claim, bob)
    log_in(alice)
    open_article(page, claim.article_id)
    page.locator(f"#claim-{claim.pk} .claim-head").click()
    page.locator(".claim-item.is-selected .claim-panel .facts").wait_for()
    drag_select(page, "mostly fighters")
    page.locator("#claim-form").wait_for(state="visible")

    assert accessibility_problems(page) == []


def test_the_public_page_of_a_verified_claim(
    page: Page, alice: User, bob: User, morgan: User, accessibility_problems: Audit
) -> None:
    claim = make_claim_in_review(
        user=alice, article=ArticleFactory(), phrase="some 2250 people", restatement="2250 left."
    )
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob))
    assert Claim.objects.get().status == Claim.Status.VERIFIED
    page.goto(f"/checks/{claim.pk}/")

    assert accessibility_problems(page) == []


def test_the_import_page_and_its_preview(
    page: Page, log_in: LogIn, alice: User, accessibility_problems: Audit
) -> None:
    log_in(alice)
    page.goto("/articles/import/")
    assert accessibility_problems(page) == []

    page.get_by_role("radio", name="Text").check()
    page.get_by_label("The article's text").fill("First paragraph.\n\nمرحبا بالعالم 👍🏽")
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-preview").wait_for()

    assert accessibility_problems(page) == []


def test_the_article_list_with_the_reviewers_queue(
    page: Page, log_in: LogIn, alice: User, bob: User, accessibility_problems: Audit
) -> None:
    make_claim_in_review(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    log_in(bob)
    page.goto("/")
    page.locator("[data-queue=needs-my-verdict] tbody tr").first.wait_for()

    assert accessibility_problems(page) == []


def test_the_agreement_page_with_its_plot(
    page: Page,
    log_in: LogIn,
    alice: User,
    bob: User,
    dana: User,
    morgan: User,
    accessibility_problems: Audit,
) -> None:
    article = ArticleFactory()
    for phrase, ratings in (
        ("some 2250 people", ("true", "mixed")),
        ("total blockade", ("false", "false")),
    ):
        claim = make_claim_in_review(user=alice, article=article, phrase=phrase)
        for user, rating in zip((bob, dana), ratings, strict=True):
            services.verdict_give(claim=claim, user=user, rating=rating, rationale="Checked.")
    log_in(morgan)
    page.goto("/agreement/")
    page.locator(".agreement-plot svg, .agreement-months").first.wait_for()

    assert accessibility_problems(page) == []
