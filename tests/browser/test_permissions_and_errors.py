"""What the page refuses, and how it says so without losing what was typed."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from annotations import services
from annotations.models import Claim

from ..factories import ArticleFactory, make_claim
from .helpers import LogIn, Screenshot, drag_select, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def alices_claim(alice: User) -> Claim:
    return make_claim(
        user=alice, article=ArticleFactory(), phrase="some 2250 people", restatement="Alice's"
    )


def test_a_reviewer_is_offered_no_edit_of_another_reviewers_claim_and_a_forged_one_fails(
    page: Page, log_in: LogIn, bob: User, alices_claim: Claim
) -> None:
    log_in(bob)
    open_article(page, alices_claim.article_id)
    page.locator(f"#claim-{alices_claim.pk} .claim-head").click()
    panel = page.locator(".claim-item.is-selected .claim-panel")
    panel.wait_for()

    assert panel.get_by_text("Only its author or a moderator can edit this claim.").is_visible()
    assert panel.locator("[data-edit], form[data-ajax=edit], form[data-ajax=delete]").count() == 0
    assert panel.locator("form[data-ajax=submit]").count() == 0
    # bob may still add sources and give his verdict.
    assert panel.locator("form[data-ajax=source]").count() == 1
    assert panel.locator("form[data-ajax=verdict]").count() == 1

    token = page.evaluate("JSON.parse(document.getElementById('desk-data').textContent).csrfToken")
    response = page.request.patch(
        f"/api/claims/{alices_claim.pk}/",
        data={"version": 1, "restatement": "Bob's now"},
        headers={"X-CSRFToken": token},
    )
    assert response.status == 403
    assert "your own claims" in response.json()["detail"]
    alices_claim.refresh_from_db()
    assert (alices_claim.restatement, alices_claim.version) == ("Alice's", 1)


def test_an_anonymous_visitor_reaches_no_page_but_the_login(
    page: Page, alices_claim: Claim
) -> None:
    for path in ("/", f"/articles/{alices_claim.article_id}/"):
        page.goto(path)
        assert page.url.endswith(f"/login/?next={path}")
        assert page.locator("h1").inner_text() == "Log in"
    response = page.request.get(f"/claims/{alices_claim.pk}/")
    assert response.status == 401
    assert "session has ended" in response.text()
    response = page.request.get("/api/speakers/?search=op")
    assert response.status == 401
    assert "Opposition" not in response.text()


def test_a_bad_source_address_is_shown_beside_its_field_and_the_input_kept(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim, screenshot: Screenshot
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)
    page.locator(f"#claim-{alices_claim.pk} .claim-head").click()
    form = page.locator(".claim-item.is-selected form[data-ajax=source]")
    form.locator("[name=url]").fill("www.example.org/report")
    form.locator("[name=stance]").select_option("refutes")
    form.get_by_role("button", name="Add source").click()

    error = form.locator('[data-error-for="url"]')
    error.wait_for()
    assert "http:// or https://" in error.inner_text()
    assert form.locator("[name=url]").get_attribute("aria-invalid") == "true"
    assert form.locator("[name=url]").input_value() == "www.example.org/report"
    assert form.locator("[name=stance]").input_value() == "refutes"
    assert not alices_claim.sources.exists()
    screenshot("source-error")


def test_a_claim_that_cannot_reach_the_server_says_so_and_keeps_the_form_filled(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)
    page.route("**/api/claims/", lambda route: route.abort())

    drag_select(page, "mostly fighters")
    page.locator("#new-restatement").fill("Most of them were fighters.")
    page.select_option("#new-attribution", "author")
    page.locator("#claim-form").get_by_role("button", name="Save draft").click()

    message = page.locator("#claim-form .form-errors")
    message.wait_for()
    assert "Could not reach the server" in message.inner_text()
    assert page.locator("#new-restatement").input_value() == "Most of them were fighters."
    assert page.locator("#claim-form").is_visible()
    assert Claim.objects.count() == 1

    page.unroute("**/api/claims/")
    page.locator("#claim-form").get_by_role("button", name="Save draft").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()
    assert Claim.objects.filter(restatement="Most of them were fighters.").exists()


def test_a_refused_claim_shows_the_servers_message_by_the_quote(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim, screenshot: Screenshot
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)

    drag_select(page, "mostly fighters")
    page.locator("#claim-form").wait_for(state="visible")
    page.fill("#new-speaker", "Nobody we know")
    page.locator("#claim-form").get_by_role("button", name="Save and submit").click()

    speaker_error = page.locator('#claim-form [data-error-for="speaker"]')
    speaker_error.wait_for()
    assert "Pick “Nobody we know” from the list" in speaker_error.inner_text()

    page.fill("#new-speaker", "")
    page.select_option("#new-attribution", "author")
    page.locator("#claim-form").get_by_role("button", name="Save and submit").click()
    restatement_error = page.locator('#claim-form [data-error-for="restatement"]')
    restatement_error.wait_for()
    assert "in your own words before submitting" in restatement_error.inner_text()
    assert Claim.objects.count() == 1
    screenshot("claim-form-errors", "#claim-form")


def test_the_shortcuts_overlay_opens_on_a_question_mark(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    assert dialog.is_visible()
    assert "New claim from the selection" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert dialog.is_hidden()


def test_a_claim_without_its_speaker_says_so_and_the_speaker_list_stays_closed(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)

    drag_select(page, "mostly fighters")
    page.wait_for_function("() => document.activeElement.id === 'new-restatement'")
    page.keyboard.type("Most of them were fighters.")
    page.locator("#claim-form").get_by_role("button", name="Save draft").click()

    error = page.locator('#claim-form [data-error-for="speaker"]')
    error.wait_for()
    assert "Say who makes the claim" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "new-speaker"
    assert page.locator("#new-speaker").get_attribute("aria-invalid") == "true"
    page.wait_for_timeout(400)  # longer than a search takes to open the list
    assert page.locator("#new-speaker-list").is_hidden()
    assert page.locator("#new-speaker").get_attribute("aria-expanded") == "false"
    assert Claim.objects.count() == 1


def test_the_speaker_box_takes_at_most_200_characters(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)
    drag_select(page, "mostly fighters")
    page.wait_for_function("() => document.activeElement.id === 'new-restatement'")

    page.locator("#new-speaker").press_sequentially("x" * 210)

    assert page.locator("#new-speaker").get_attribute("maxlength") == "200"
    assert len(page.locator("#new-speaker").input_value()) == 200


def test_an_edit_of_a_claim_changed_meanwhile_asks_to_check_and_save_again(
    page: Page, log_in: LogIn, alice: User, alices_claim: Claim
) -> None:
    log_in(alice)
    open_article(page, alices_claim.article_id)
    page.locator(f"#claim-{alices_claim.pk} .claim-head").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()
    page.keyboard.press("e")
    form = page.locator(".claim-item.is-selected form[data-ajax=edit]")
    form.locator("[name=note]").fill("Mine.")
    # Meanwhile, in another tab, the claim is changed.
    services.claim_update(claim=alices_claim, user=alice, restatement="Changed elsewhere.")

    form.get_by_role("button", name="Save changes").click()

    message = form.locator(".form-errors")
    message.wait_for()
    assert "changed since you loaded it" in message.inner_text()
    assert "save again" in message.inner_text()
    assert form.locator("[name=note]").input_value() == "Mine."
    alices_claim.refresh_from_db()
    assert (alices_claim.note, alices_claim.version) == ("", 2)

    form.get_by_role("button", name="Save changes").click()
    page.locator(".claim-item.is-selected .facts", has_text="Mine.").wait_for()
    alices_claim.refresh_from_db()
    assert (alices_claim.note, alices_claim.version) == ("Mine.", 3)
