"""The speaker register in the browser: a new speaker close to one already there."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations import services
from annotations.models import Side, Speaker

from ..factories import ArticleFactory, make_claim
from .helpers import LogIn, Screenshot, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _edit_with_new_speaker(page: Page, log_in: LogIn, alice: User, name: str):
    claim = make_claim(
        user=alice, article=ArticleFactory(), phrase='an "arrangement" rather than a deal'
    )
    log_in(alice)
    open_article(page, claim.article_id)
    page.locator(f"#claim-{claim.pk} .claim-head").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()
    page.keyboard.press("e")
    form = page.locator(".claim-item.is-selected form[data-ajax=edit]")
    form.locator(".typeahead-input").fill(name)
    form.locator(".typeahead-option.create").click()
    form.locator("[name=speaker-kind]").select_option("person")
    form.locator("[name=attribution]").select_option("reported")
    form.get_by_role("button", name="Save changes").click()
    return claim, form


def test_a_reviewer_is_offered_the_speaker_already_there_and_uses_it(
    page: Page, log_in: LogIn, alice: User, screenshot: Screenshot
) -> None:
    inci = services.speaker_create(user=alice, name="İnci Sample", kind="person")
    claim, form = _edit_with_new_speaker(page, log_in, alice, "inci sample")

    offered = form.locator("[data-possible-duplicates]")
    expect(offered).to_be_visible()
    expect(offered).to_contain_text("Use İnci Sample (100% alike)")
    expect(form.locator("[data-error-for~='speaker-name']")).to_contain_text(
        "may be a speaker already in the register"
    )
    screenshot("speaker-possible-duplicates")
    offered.get_by_role("button", name="Use İnci Sample").click()
    expect(form.locator(".typeahead-input")).to_have_value("İnci Sample")
    form.get_by_role("button", name="Save changes").click()
    page.locator(".claim-item.is-selected .facts", has_text="İnci Sample").wait_for()

    claim.refresh_from_db()
    assert claim.speaker == inci
    assert Speaker.objects.count() == 1


def test_a_reviewer_confirms_a_new_speaker_on_a_new_side(
    page: Page, log_in: LogIn, alice: User
) -> None:
    Side.objects.create(
        slug="turkey_backed_opposition", name="Turkey-backed opposition", colour="#a0522d"
    )
    services.speaker_create(user=alice, name="Vitaly Churkin", kind="person")
    claim, form = _edit_with_new_speaker(page, log_in, alice, "Vitály Churkin")
    expect(form.locator("[data-possible-duplicates]")).to_be_visible()
    form.locator("[name=speaker-side]").select_option("turkey_backed_opposition")
    form.get_by_label("It is a new speaker: add it anyway").check()
    form.get_by_role("button", name="Save changes").click()
    page.locator(".claim-item.is-selected .facts", has_text="Vitály Churkin").wait_for()

    claim.refresh_from_db()
    assert (claim.speaker.name, claim.speaker.side_id) == (
        "Vitály Churkin",
        "turkey_backed_opposition",
    )
    mark = page.locator(f'mark.hl[data-claim="{claim.pk}"]').first
    assert mark.get_attribute("data-side") == "turkey_backed_opposition"
    page.get_by_label("Speaker's side").check()
    colour = mark.evaluate("m => getComputedStyle(m).getPropertyValue('--side-line').trim()")
    assert colour == "#a0522d"
