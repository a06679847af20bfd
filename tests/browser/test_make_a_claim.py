"""A reviewer makes a claim in the browser, from the first click; another gives the verdict."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page
from pytest_django.fixtures import Settings

from annotations.models import Article, Claim

from .helpers import Screenshot, drag_select, highlighted_text, pick_speaker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHRASE = "some 2250 people"


def test_the_demo_reviewer_highlights_attributes_sources_and_judges_a_claim(
    page: Page, settings: Settings, screenshot: Screenshot
) -> None:
    settings.DEBUG = True  # setup_demo refuses to give known passwords otherwise
    call_command("setup_demo", stdout=io.StringIO())
    article = Article.objects.get()

    page.goto(f"/articles/{article.pk}/")
    assert page.url.endswith(f"/login/?next=/articles/{article.pk}/")
    page.fill("#id_username", "demo-reviewer")
    page.fill("#id_password", "factcheck-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#desk[data-ready=true]")
    screenshot("article-page")

    drag_select(page, PHRASE)
    form = page.locator("#claim-form")
    form.wait_for(state="visible")
    assert page.locator("#claim-form-quote").inner_text() == PHRASE
    assert page.evaluate("document.activeElement.name") == "restatement"
    page.keyboard.type("About 2,250 people are to leave the Old City of Homs.")
    pick_speaker(page, "#claim-form", "opposition sources", "Opposition sources")
    page.select_option("#new-kind", "quantity")
    page.fill("#new-cue", "say")
    screenshot("claim-form")
    form.get_by_role("button", name="Save draft").click()

    selected = page.locator(".claim-item.is-selected .claim-panel")
    selected.wait_for()
    assert form.is_hidden()
    claim = Claim.objects.get(quote=PHRASE)
    assert highlighted_text(page, claim.pk) == PHRASE

    sources = page.locator(".claim-item.is-selected form[data-ajax=source]")
    sources.locator("[name=url]").fill("https://www.example.org/homs-evacuation")
    sources.locator("[name=stance]").select_option("supports")
    sources.locator("[name=title]").fill("UN statement on the Homs evacuation")
    sources.get_by_role("button", name="Add source").click()
    page.locator(".claim-item.is-selected .source", has_text="UN statement").wait_for()
    # A source added by mistake, and removed.
    page.locator(".claim-item.is-selected details.add-source summary").click()
    sources.locator("[name=url]").fill("https://www.example.org/wrong-page")
    sources.get_by_role("button", name="Add source").click()
    wrong = page.locator(".claim-item.is-selected .source", has_text="wrong-page")
    wrong.get_by_role("button", name="Remove").click()
    wrong.wait_for(state="detached")

    # Its author may not rate it: another reviewer gives the verdicts.
    assert page.locator(".claim-item.is-selected .verdict-form").count() == 0
    page.locator(".claim-item.is-selected", has_text="You highlighted this claim").wait_for()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"/articles/{article.pk}/#claim-{claim.pk}")
    page.fill("#id_username", "demo-reviewer-2")
    page.fill("#id_password", "factcheck-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#desk[data-ready=true]")
    if not page.locator(".claim-item.is-selected .claim-panel").count():
        page.goto(f"/articles/{article.pk}/#claim-{claim.pk}")
        page.wait_for_selector("#desk[data-ready=true]")
    page.locator(".claim-item.is-selected .claim-panel").wait_for()

    verdict = page.locator(".claim-item.is-selected .verdict-form")
    verdict.locator(".rating-choice", has_text="Mostly true").click()
    verdict.locator("[name=rationale]").fill("The UN counted 1,900; the deal's text says 2,250.")
    verdict.get_by_role("button", name="Give verdict").click()
    page.locator(".claim-item.is-selected .verdict", has_text="The UN counted").wait_for()
    page.locator(".claim-item.is-selected .claim-verdicts", has_text="1 verdict").wait_for()
    page.locator(".claim-item.is-selected .claim-head").scroll_into_view_if_needed()
    screenshot("claim-panel")

    page.reload()
    page.wait_for_selector("#desk[data-ready=true]")
    assert highlighted_text(page, claim.pk) == PHRASE
    claim.refresh_from_db()
    assert claim.start == article.text.index(PHRASE)
    assert claim.end == claim.start + len(PHRASE)
    assert claim.speaker.name == "Opposition sources"
    assert claim.attribution == Claim.Attribution.REPORTED_SPEECH
    assert claim.kind == Claim.Kind.QUANTITY
    assert claim.cue == "say"
    assert claim.created_by.username == "demo-reviewer"
    assert claim.status == Claim.Status.DRAFT
    assert [s.url for s in claim.sources.all()] == ["https://www.example.org/homs-evacuation"]
    assert [(v.rating, v.reviewer.username) for v in claim.verdicts.all()] == [
        ("mostly_true", "demo-reviewer-2")
    ]
