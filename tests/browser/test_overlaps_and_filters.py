"""Overlapping claims are both drawn and both reachable; filters hide highlights too."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from annotations.models import Claim, Speaker

from ..factories import ArticleFactory, make_claim
from .helpers import LogIn, Screenshot, click_on, highlighted_text, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BLOCKADE = "total blockade since June 2012, will see some 2250 people"
FIGHTERS = "some 2250 people, mostly fighters"
NUMBER = "2250"


@pytest.fixture
def overlapping(alice: User, opposition: Speaker) -> dict[str, Claim]:
    article = ArticleFactory()
    return {
        "blockade": make_claim(user=alice, article=article, phrase=BLOCKADE, kind=Claim.Kind.DATE),
        "fighters": make_claim(
            user=alice,
            article=article,
            phrase=FIGHTERS,
            kind=Claim.Kind.QUANTITY,
            speaker=opposition,
            attribution=Claim.Attribution.REPORTED_SPEECH,
        ),
        "number": make_claim(user=alice, article=article, phrase=NUMBER, kind=Claim.Kind.QUANTITY),
    }


def selected_claim(page: Page) -> int | None:
    return page.evaluate(
        "Number(document.querySelector('.claim-item.is-selected')?.dataset.claim) || null"
    )


def test_overlapping_claims_are_all_drawn_in_full(
    page: Page, log_in: LogIn, alice: User, overlapping: dict[str, Claim], screenshot: Screenshot
) -> None:
    log_in(alice)
    open_article(page, overlapping["blockade"].article_id)

    assert highlighted_text(page, overlapping["blockade"].pk) == BLOCKADE
    assert highlighted_text(page, overlapping["fighters"].pk) == FIGHTERS
    assert highlighted_text(page, overlapping["number"].pk) == NUMBER
    # The number sits inside both others: its mark is nested in theirs.
    nesting = page.evaluate(
        f"""(() => {{
          const mark = document.querySelector('mark.hl[data-claim="{overlapping["number"].pk}"]');
          const outer = [];
          let el = mark;
          while ((el = el.parentElement.closest("mark.hl"))) outer.push(Number(el.dataset.claim));
          return outer;
        }})()"""
    )
    assert sorted(nesting) == sorted([overlapping["blockade"].pk, overlapping["fighters"].pk])
    screenshot("overlapping-claims", ".reader")


def test_each_of_overlapping_claims_can_be_selected_in_the_text_and_the_list(
    page: Page, log_in: LogIn, alice: User, overlapping: dict[str, Claim]
) -> None:
    log_in(alice)
    open_article(page, overlapping["blockade"].article_id)

    click_on(page, "total blockade")
    assert selected_claim(page) == overlapping["blockade"].pk
    click_on(page, "mostly fighters")
    assert selected_claim(page) == overlapping["fighters"].pk
    click_on(page, NUMBER)
    assert selected_claim(page) == overlapping["number"].pk
    click_on(page, NUMBER)  # again: the claim around it
    assert selected_claim(page) in (overlapping["blockade"].pk, overlapping["fighters"].pk)

    page.keyboard.press("Escape")
    assert selected_claim(page) is None
    page.locator(f"#claim-{overlapping['fighters'].pk} .claim-head").click()
    assert selected_claim(page) == overlapping["fighters"].pk
    selected_marks = page.locator("mark.hl.is-selected")
    assert {m.get_attribute("data-claim") for m in selected_marks.all()} == {
        str(overlapping["fighters"].pk)
    }
    page.locator(".claim-item.is-selected .claim-panel").wait_for()

    page.keyboard.press("j")
    assert selected_claim(page) == overlapping["number"].pk  # text order: start, then longest
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert selected_claim(page) == overlapping["blockade"].pk


def test_filters_hide_the_other_claims_highlights_and_list_items(
    page: Page, log_in: LogIn, alice: User, overlapping: dict[str, Claim], screenshot: Screenshot
) -> None:
    log_in(alice)
    open_article(page, overlapping["blockade"].article_id)

    page.select_option("#filter-kind", "quantity")
    hidden = {m.get_attribute("data-claim") for m in page.locator("mark.hl.is-filtered").all()}
    assert hidden == {str(overlapping["blockade"].pk)}
    assert page.locator(f"#claim-{overlapping['blockade'].pk}").is_hidden()
    assert page.locator(f"#claim-{overlapping['number'].pk}").is_visible()
    assert page.locator("#filter-summary").inner_text().startswith("Showing 2 of 3 claims.")

    page.select_option("#filter-side", "opposition")
    hidden = {m.get_attribute("data-claim") for m in page.locator("mark.hl.is-filtered").all()}
    assert hidden == {str(overlapping["blockade"].pk), str(overlapping["number"].pk)}
    page.select_option("#filter-speaker", label="Opposition sources")
    assert page.locator(".claim-item:visible").count() == 1

    page.get_by_role("button", name="Show all").click()
    assert page.locator("mark.hl.is-filtered").count() == 0
    assert page.locator(".claim-item:visible").count() == 3

    page.get_by_label("Speaker's side").check()
    assert page.get_attribute("#desk", "data-colour") == "side"
    assert page.locator(".legend-side").is_visible()
    assert page.locator(".legend-status").is_hidden()
    side_colour = page.eval_on_selector(
        f'mark.hl[data-claim="{overlapping["fighters"].pk}"]',
        "m => getComputedStyle(m).backgroundColor",
    )
    page.keyboard.press("c")
    status_colour = page.eval_on_selector(
        f'mark.hl[data-claim="{overlapping["fighters"].pk}"]',
        "m => getComputedStyle(m).backgroundColor",
    )
    assert side_colour != status_colour
