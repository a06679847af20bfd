"""The page on a phone, and the address's #claim-N part."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from annotations.models import Claim

from ..factories import ArticleFactory, make_claim
from .helpers import LogIn, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

IN_VIEW = """(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
}"""


@pytest.fixture
def claims(alice: User) -> list[Claim]:
    article = ArticleFactory()
    return [
        make_claim(user=alice, article=article, phrase="some 2250 people"),
        make_claim(user=alice, article=article, phrase="mostly fighters"),
    ]


def test_on_a_phone_tapping_a_highlight_brings_its_claim_into_view(
    phone: Page, log_in: LogIn, alice: User, claims: list[Claim]
) -> None:
    claim = claims[0]
    log_in(alice, phone)
    open_article(phone, claim.article_id)
    head = f"#claim-{claim.pk} .claim-head"
    assert not phone.evaluate(IN_VIEW, head)  # the list is below the text

    phone.locator(f'mark.hl[data-claim="{claim.pk}"]').first.tap()

    phone.locator(f"#claim-{claim.pk}.is-selected .claim-panel").wait_for()
    phone.wait_for_function(IN_VIEW, arg=head)


def test_a_touch_screen_is_not_offered_ctrl_enter(
    phone: Page, page: Page, log_in: LogIn, alice: User, claims: list[Claim]
) -> None:
    display = "getComputedStyle(document.querySelector('#claim-form .kbd-hint')).display"
    log_in(alice)
    log_in(alice, phone)
    open_article(page, claims[0].article_id)
    open_article(phone, claims[0].article_id)

    assert page.evaluate(display) != "none"
    assert phone.evaluate(display) == "none"


def test_changing_the_address_to_another_claim_opens_it(
    page: Page, log_in: LogIn, alice: User, claims: list[Claim]
) -> None:
    first, second = claims
    log_in(alice)
    page.goto(f"/articles/{first.article_id}/#claim-{first.pk}")
    page.wait_for_selector("#desk[data-ready=true]")
    page.locator(f"#claim-{first.pk}.is-selected .claim-panel").wait_for()

    page.evaluate(f"location.hash = '#claim-{second.pk}'")

    page.locator(f"#claim-{second.pk}.is-selected .claim-panel").wait_for()
    assert page.locator(".claim-item.is-selected").count() == 1
    assert page.url.endswith(f"#claim-{second.pk}")
