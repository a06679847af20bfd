"""The claim panel in the browser: edit, a new speaker, a cue picked in the text, submit, delete."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.models import Claim, Speaker

from ..factories import ARTICLE_TEXT, ArticleFactory, make_claim
from .helpers import LogIn, Screenshot, drag_select, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_reviewer_edits_her_draft_with_a_new_speaker_and_a_cue_picked_in_the_text(
    page: Page, log_in: LogIn, alice: User, screenshot: Screenshot
) -> None:
    claim = make_claim(
        user=alice, article=ArticleFactory(), phrase='an "arrangement" rather than a deal'
    )
    log_in(alice)
    open_article(page, claim.article_id)
    page.locator(f"#claim-{claim.pk} .claim-head").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()

    page.keyboard.press("e")
    form = page.locator(".claim-item.is-selected form[data-ajax=edit]")
    assert form.is_visible()
    assert page.evaluate("document.activeElement.name") == "restatement"
    page.keyboard.type("The regime calls the deal an arrangement.")
    form.locator(".typeahead-input").fill("Talal Barazi")
    form.locator(".typeahead-option.create").click()
    form.locator("[name=speaker-kind]").select_option("person")
    form.locator("[name=speaker-side]").select_option("government")
    form.locator("[name=attribution]").select_option("reported")
    form.get_by_role("button", name="Pick in text").click()
    drag_select(page, "said")
    expect(form.locator("[name=cue]")).to_have_value("said")
    screenshot("claim-edit")
    form.get_by_role("button", name="Save changes").click()
    page.locator(".claim-item.is-selected .facts", has_text="Talal Barazi").wait_for()

    claim.refresh_from_db()
    assert claim.restatement == "The regime calls the deal an arrangement."
    assert claim.speaker == Speaker.objects.get(
        name="Talal Barazi", kind="person", side="government"
    )
    assert (claim.cue, claim.cue_start) == ("said", ARTICLE_TEXT.index("said"))
    assert claim.version == 2
    side = page.locator(f'mark.hl[data-claim="{claim.pk}"]').first.get_attribute("data-side")
    assert side == "government"

    page.keyboard.press("s")
    page.locator(f"#claim-{claim.pk} .claim-head .badge", has_text="In review").wait_for()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_a_reviewer_deletes_her_draft_after_confirming(
    page: Page, log_in: LogIn, alice: User
) -> None:
    claim = make_claim(user=alice, article=ArticleFactory(), phrase="mostly fighters")
    log_in(alice)
    open_article(page, claim.article_id)
    page.locator(f"#claim-{claim.pk} .claim-head").click()
    delete = page.locator(".claim-item.is-selected").get_by_role("button", name="Delete draft")

    delete.click()
    confirm = page.locator(".claim-item.is-selected").get_by_role(
        "button", name="Click again to delete"
    )
    assert Claim.objects.filter(pk=claim.pk).exists()
    confirm.click()
    page.locator(f"#claim-{claim.pk}").wait_for(state="detached")

    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert page.locator("mark.hl").count() == 0
    assert page.locator("#claim-count").inner_text() == "0"
    assert page.locator("#claims-empty").is_visible()
