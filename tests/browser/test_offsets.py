"""Offsets made in the browser are the server's: code points, whatever the text holds."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from annotations.models import Claim

from ..factories import ARTICLE_TEXT, ArticleFactory
from .helpers import LogIn, drag, drag_select, highlighted_text, open_article, select_units, utf16

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHRASE = "some 2250 people"
# Before the phrase: a flag (2 code points, 4 UTF-16 units), a thumbs-up with a
# skin tone (2, 4), a family joined by zero-width joiners (5, 8), a precomposed é
# and a decomposed e + ◌́ (2 code points, one character on screen).
EMOJI_TEXT = (
    "Protesters waved the 🇸🇾 flag, 👍🏽 said the crowd, and the 👨‍👩‍👧 family at the "
    "caf\u00e9 in Montre\u0301al agreed: some 2250 people left the city, the monitor said, "
    "and more would follow before the winter."
)


def save_in_the_articles_own_voice(page: Page) -> None:
    page.select_option("#new-attribution", "author")
    page.locator("#claim-form").get_by_role("button", name="Save draft").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()


def test_a_mouse_selection_after_emoji_and_accents_stores_code_point_offsets(
    page: Page, log_in: LogIn, alice: User
) -> None:
    article = ArticleFactory(text=EMOJI_TEXT)
    log_in(alice)
    open_article(page, article.pk)

    drag_select(page, PHRASE)
    save_in_the_articles_own_voice(page)

    claim = Claim.objects.get()
    start = EMOJI_TEXT.index(PHRASE)
    assert (claim.start, claim.end, claim.quote) == (start, start + len(PHRASE), PHRASE)
    assert claim.prefix == EMOJI_TEXT[start - 32 : start]
    assert claim.suffix == EMOJI_TEXT[start + len(PHRASE) : start + len(PHRASE) + 32]
    assert highlighted_text(page, claim.pk) == PHRASE


def test_a_selection_cutting_an_emoji_or_an_accent_snaps_to_whole_characters(
    page: Page, log_in: LogIn, alice: User
) -> None:
    article = ArticleFactory(text=EMOJI_TEXT)
    family = EMOJI_TEXT.index("👨‍👩‍👧")
    accent = EMOJI_TEXT.index("e\u0301al")
    log_in(alice)
    open_article(page, article.pk)

    page.focus("#article-text")
    # From inside the man's surrogate pair to between the e and its accent.
    select_units(page, utf16(EMOJI_TEXT, family) + 1, utf16(EMOJI_TEXT, accent) + 1)
    page.keyboard.press("Enter")
    save_in_the_articles_own_voice(page)

    claim = Claim.objects.get()
    assert claim.start == family
    assert claim.end == accent + 2
    assert claim.quote == "👨‍👩‍👧 family at the caf\u00e9 in Montre\u0301"
    assert highlighted_text(page, claim.pk) == claim.quote


def test_a_keyboard_selection_makes_a_claim(page: Page, log_in: LogIn, alice: User) -> None:
    article = ArticleFactory(text=EMOJI_TEXT)
    start = EMOJI_TEXT.index(PHRASE)
    log_in(alice)
    open_article(page, article.pk)

    page.focus("#article-text")
    select_units(page, utf16(EMOJI_TEXT, start), utf16(EMOJI_TEXT, start))
    page.keyboard.down("Shift")
    for _ in PHRASE:
        page.keyboard.press("ArrowRight")
    page.keyboard.up("Shift")
    page.locator("#claim-form").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "article-text"  # still selecting
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.name") == "restatement"
    page.keyboard.type("About 2,250 people left.")
    page.select_option("#new-attribution", "author")
    page.focus("#new-restatement")
    page.keyboard.press("Control+Enter")
    page.locator(".claim-item.is-selected .claim-panel").wait_for()

    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.quote) == (start, start + len(PHRASE), PHRASE)
    assert claim.restatement == "About 2,250 people left."


def test_a_selection_across_paragraphs_keeps_the_line_break_in_the_quote(
    page: Page, log_in: LogIn, alice: User
) -> None:
    article = ArticleFactory()
    log_in(alice)
    open_article(page, article.pk)

    drag(page, "central Syria.", "But regime")
    page.locator("#claim-form").wait_for(state="visible")
    assert page.locator("#claim-form-quote").inner_text() == "central Syria.\nBut regime"
    save_in_the_articles_own_voice(page)

    claim = Claim.objects.get()
    start = ARTICLE_TEXT.index("central Syria.")
    assert claim.quote == "central Syria.\nBut regime"
    assert (claim.start, claim.end) == (start, start + len(claim.quote))
    assert page.locator(f'mark.hl[data-claim="{claim.pk}"]').count() == 2  # one per paragraph


def test_the_page_converts_offsets_as_python_counts_them(
    page: Page, log_in: LogIn, alice: User
) -> None:
    article = ArticleFactory(text=EMOJI_TEXT)
    log_in(alice)
    open_article(page, article.pk)

    converted = page.evaluate(
        """async (text) => {
          const { offsetConverter } = await import("/static/js/offsets.js");
          const conv = offsetConverter(text);
          const units = [];
          for (let cp = 0; cp <= conv.length; cp++) units.push(conv.toUnits(cp));
          return { length: conv.length, units, back: units.map(conv.toCodePoints) };
        }""",
        EMOJI_TEXT,
    )

    assert converted["length"] == len(EMOJI_TEXT)
    assert converted["units"] == [utf16(EMOJI_TEXT, i) for i in range(len(EMOJI_TEXT) + 1)]
    assert converted["back"] == list(range(len(EMOJI_TEXT) + 1))
