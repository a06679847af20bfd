"""A reviewer sees the suggested claims, accepts three and dismisses one."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from annotations.models import Article, Claim, Speaker, SuggestionDismissal
from annotations.suggestions.store import article_suggestions

from .helpers import LogIn, Screenshot, highlighted_text, open_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HEAD = "Rebels will head to opposition-held areas"
TALK = "the talk had now moved onto the implementation phase"
ESCORTED = "the evacuees will be escorted by UN"
HEAVIEST = "it has seen some of the heaviest violence"


@pytest.fixture
def demo(settings: Settings) -> tuple[Article, User]:
    settings.DEBUG = True  # setup_demo refuses to give known passwords otherwise
    call_command("setup_demo", stdout=io.StringIO())
    return Article.objects.get(), User.objects.get(username="demo-reviewer")


def item(page: Page, words: str):
    return page.locator(".suggestion-item", has_text=words)


def accept(page: Page, words: str, restatement: str) -> None:
    item(page, words).get_by_role("button", name="Accept").click()
    form = page.locator("#claim-form")
    form.wait_for(state="visible")
    # The form is filled in (the speaker last) when the focus reaches the restatement.
    expect(form.locator("[name=restatement]")).to_be_focused()
    page.keyboard.type(restatement)
    form.get_by_role("button", name="Save draft").click()
    item(page, words).wait_for(state="detached")
    form.wait_for(state="hidden")


def test_accept_three_and_dismiss_one(
    page: Page, demo: tuple[Article, User], log_in: LogIn, screenshot: Screenshot
) -> None:
    article, reviewer = demo
    suggested = {s["quote"][:20]: s for s in article_suggestions(article)}
    before = set(Claim.objects.values_list("pk", flat=True))
    log_in(reviewer)
    open_article(page, article.pk)
    item(page, HEAD).wait_for()
    assert page.locator(".suggestion-item").count() >= 10
    head = item(page, HEAD)
    assert "Opposition sources" in head.inner_text()
    assert "reported speech: 'say'" in head.inner_text()
    screenshot("suggestions")

    # One with the register's speaker, one whose "He" is al-Khalidi, one with a new speaker.
    accept(page, HEAD, "Rebels are to leave for the north of Homs province.")
    accept(page, TALK, "The talks had reached the implementation phase.")
    accept(page, ESCORTED, "UN and Iranian envoys are to escort the evacuees.")

    text = article.text
    made = {c.quote[:20]: c for c in Claim.objects.exclude(pk__in=before)}
    assert len(made) == 3
    head_claim = next(c for c in made.values() if c.quote.startswith(HEAD))
    assert head_claim.quote == text[head_claim.start : head_claim.end]
    assert head_claim.quote.endswith("handing over control to the army")
    assert head_claim.speaker.name == "Opposition sources"
    assert (head_claim.attribution, head_claim.cue) == ("reported", "say")
    assert text[head_claim.cue_start : head_claim.cue_end] == "say"
    talk = next(c for c in made.values() if c.quote == TALK)
    assert talk.speaker.name == "Abul Hareth al-Khalidi"
    assert (talk.attribution, talk.cue, talk.kind) == ("reported", "said", "event")
    escorted = next(c for c in made.values() if c.quote.startswith(ESCORTED))
    assert (escorted.speaker.name, escorted.speaker.kind) == ("Text", Speaker.Kind.DOCUMENT)
    assert escorted.cue == "specifies"
    # Stored as a selection by hand is: the suggestion's span in code points, the quote,
    # its context as the page computes it for any selection, and what the form held.
    for key, claim in made.items():
        suggestion = suggested[key]
        assert (claim.start, claim.end, claim.quote) == (
            suggestion["start"],
            suggestion["end"],
            suggestion["quote"],
        )
        assert claim.prefix == text[max(0, claim.start - 32) : claim.start]
        assert claim.suffix == text[claim.end : claim.end + 32]
        assert (claim.kind, claim.attribution) == (
            suggestion["kind"],
            suggestion["attribution"]["kind"],
        )
        assert (claim.cue_start, claim.cue_end) == (
            suggestion["attribution"]["cue_start"],
            suggestion["attribution"]["cue_end"],
        )
        assert claim.status == Claim.Status.DRAFT
        assert highlighted_text(page, claim.pk) == claim.quote

    # Dismiss one from the keyboard: Shift J until it is the current one, then x.
    page.locator("#article-text").focus()
    for _ in range(page.locator(".suggestion-item").count()):
        page.keyboard.press("Shift+J")
        if "heaviest violence" in page.locator(".suggestion-item.is-current").inner_text():
            break
    page.keyboard.press("x")
    item(page, HEAVIEST).wait_for(state="detached")
    assert SuggestionDismissal.objects.filter(user=reviewer).count() == 1

    page.reload()
    page.wait_for_selector("#desk[data-ready=true]")
    page.locator(".suggestion-item").first.wait_for()
    listed = page.locator(".suggestion-item").all_inner_texts()
    assert not any(HEAVIEST in t or HEAD in t or TALK in t or ESCORTED in t for t in listed)
    screenshot("suggestions-after")
