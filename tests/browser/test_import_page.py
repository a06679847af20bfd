"""A reviewer imports a news page from its address: previews it, trims it, confirms, annotates."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.models import Article, Claim
from tests.importing.conftest import page_server  # noqa: F401 (a fixture, used by name)

from .helpers import LogIn, Screenshot, drag

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def internal_allowed(settings) -> None:
    settings.ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES = True  # the test pages' server is local


def test_a_reviewer_imports_a_page_from_its_address(
    page: Page,
    log_in: LogIn,
    screenshot: Screenshot,
    alice: User,
    page_server: str,  # noqa: F811 (the fixture imported above)
    internal_allowed: None,
) -> None:
    log_in(alice)
    page.goto("/")
    page.get_by_role("link", name="Import an article").click()
    page.get_by_role("textbox", name="Web address").fill(f"{page_server}/pages/wire-video.html")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("#import-preview")
    expect(preview).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(
        "Rebels begin leaving Old City of Homs under truce (VIDEO)"
    )
    expect(page.get_by_label("Publication date")).to_have_value("2014-05-07")
    expect(page.get_by_label("Outlet")).to_have_value("Levant Wire")
    expect(page.get_by_label("Canonical address")).to_have_value(
        "https://news.example.org/2014/05/07/homs-rebels-leave-old-city"
    )
    expect(page.locator(".import-para")).to_have_count(5)
    expect(page.locator("#import-removed li", has_text="Share on Twitter")).to_have_count(1)
    assert not Article.objects.exists()  # a preview stores nothing

    page.get_by_label("Keep paragraph 5").uncheck()
    page.get_by_label("Paragraph 4", exact=True).fill(
        "The deal marks the end of nearly two years of siege."
    )
    expect(page.locator("#import-summary")).to_contain_text("4 of 5 paragraphs kept")
    page.locator("#import-preview details").click()
    screenshot("import-preview")
    page.get_by_role("button", name="Import").click()

    page.wait_for_selector("#desk[data-ready=true]")
    article = Article.objects.get()
    assert page.url.endswith(f"/articles/{article.pk}/")
    assert article.created_by == alice
    assert article.title == "Rebels begin leaving Old City of Homs under truce (VIDEO)"
    assert article.text.endswith("\n\nThe deal marks the end of nearly two years of siege.")
    assert "Syrian Observatory" not in article.text
    assert page.locator("[data-article-text]").evaluate("(el) => el.textContent") == article.text
    screenshot("imported-article")

    # And annotates it, across a paragraph break.
    drag(page, "Talal Barazi.", "In exchange")
    page.locator("#claim-form").wait_for(state="visible")
    page.select_option("#new-attribution", "author")
    page.locator("#claim-form").get_by_role("button", name="Save draft").click()
    page.locator(".claim-item.is-selected .claim-panel").wait_for()
    claim = Claim.objects.get()
    assert claim.article == article
    assert claim.quote == "Talal Barazi.\n\nIn exchange"
    assert article.text[claim.start : claim.end] == claim.quote


def test_importing_a_page_already_there_links_to_it(
    page: Page,
    log_in: LogIn,
    alice: User,
    page_server: str,  # noqa: F811
    internal_allowed: None,
) -> None:
    from annotations import services
    from tests.importing.conftest import page as page_html

    existing = services.article_import(user=alice, html=page_html("emoji-quotes.html")).article
    log_in(alice)
    page.goto("/articles/import/")
    page.get_by_role("textbox", name="Web address").fill(f"{page_server}/pages/emoji-quotes.html")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("already on the desk")).to_have_count(2)
    page.get_by_role("link", name="Open “").click()
    page.wait_for_selector("#desk[data-ready=true]")
    assert page.url.endswith(f"/articles/{existing.pk}/")


def test_a_refused_address_says_why_on_the_form(page: Page, log_in: LogIn, alice: User) -> None:
    log_in(alice)
    page.goto("/articles/import/")
    page.get_by_role("textbox", name="Web address").fill("http://127.0.0.1:1/")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator('#import-source [data-error-for="url"]')).to_contain_text(
        "an internal address"
    )
    assert not Article.objects.exists()
