"""Every page works under the Content-Security-Policy: the browser refuses nothing on them.

Chromium reports each refusal twice: a `securitypolicyviolation` event on the
document (recorded by a script the browser runs before the page's own) and a
"Refused to …" line on the console. Either fails the test (and the console line
fails any browser test: see the page fixture).
"""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, ConsoleMessage, Page
from pytest_django.live_server_helper import LiveServer

from annotations.models import Claim

from ..factories import ArticleFactory, give_verdict, make_claim, make_claim_in_review, verify
from .helpers import LogIn, open_article

# "__all__": the public page reads from the replica when one is configured.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`);
});
"""


class Refusals:
    """What the browser refused on the page under its Content-Security-Policy."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def __call__(self) -> list[str]:
        self.page.wait_for_load_state("networkidle")
        events = self.page.evaluate("window.cspViolations || []")
        return [*events, *self.console]


@pytest.fixture
def refusals(page: Page) -> Iterator[Refusals]:
    yield Refusals(page)


@pytest.fixture
def claim_in_review(alice: User, bob: User) -> Claim:
    claim = make_claim_in_review(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    give_verdict(claim, bob)
    return claim


def _policy_of(page: Page, path: str) -> str:
    response = page.goto(path)
    assert response is not None
    assert response.ok, f"{path}: {response.status}"
    return response.headers.get("content-security-policy", "")


def test_the_pages_send_the_policy_and_the_browser_enforces_it(
    page: Page, refusals: Refusals
) -> None:
    policy = _policy_of(page, "/login/")

    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert refusals() == []


def test_an_inline_script_slipped_into_a_page_does_not_run(
    browser: Browser, live_server: LiveServer, transactional_db: None
) -> None:
    # A tab of its own: the page fixture fails any test whose page the policy refused.
    context = browser.new_context(base_url=live_server.url)
    try:
        tab = context.new_page()
        refusals = Refusals(tab)
        tab.goto("/login/")
        ran = tab.evaluate(
            """() => new Promise((done) => {
              window.inlineRan = false;
              const script = document.createElement("script");
              script.textContent = "window.inlineRan = true";
              document.body.append(script);
              setTimeout(() => done(window.inlineRan), 100);
            })"""
        )
        found = refusals()
    finally:
        context.close()

    assert ran is False
    assert any("script-src" in refused for refused in found)


def test_the_article_page_with_a_claim_open(
    page: Page, log_in: LogIn, alice: User, refusals: Refusals
) -> None:
    claim = make_claim(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    log_in(alice)
    open_article(page, claim.article_id)
    page.locator(f"#claim-{claim.pk} .claim-head").click()
    page.locator(".claim-item.is-selected .claim-panel .facts").wait_for()

    assert page.locator("mark.hl").count() >= 1  # the page's script ran
    assert refusals() == []


def test_the_public_page_of_a_verified_claim(
    page: Page, alice: User, bob: User, morgan: User, refusals: Refusals
) -> None:
    claim = make_claim_in_review(user=alice, article=ArticleFactory(), phrase="some 2250 people")
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob))

    assert _policy_of(page, f"/checks/{claim.pk}/")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert refusals() == []


def test_the_api_docs(page: Page, log_in: LogIn, alice: User, refusals: Refusals) -> None:
    log_in(alice)

    assert _policy_of(page, "/api/docs/")
    # Swagger UI has drawn the operations from the schema: its scripts ran.
    page.locator(".opblock").first.wait_for()
    page.locator(".opblock-summary").first.click()
    assert refusals() == []


def test_the_admin_list_change_form_history_and_bulk_action(
    page: Page, log_in: LogIn, morgan: User, claim_in_review: Claim, refusals: Refusals
) -> None:
    log_in(morgan)

    assert _policy_of(page, "/admin/annotations/claim/")
    page.locator(f'input[name="_selected_action"][value="{claim_in_review.pk}"]').check()
    assert page.locator(".action-counter").inner_text().startswith("1 of")  # actions.js ran
    page.locator('select[name="action"]').select_option("verify")
    page.locator('button[name="index"]').click()
    page.wait_for_load_state()
    assert page.locator('input[name="apply"]').count() == 1  # the action's own page
    page.get_by_role("link", name="No, take me back").click()
    page.wait_for_url("**/admin/annotations/claim/")
    assert refusals() == []

    assert _policy_of(page, f"/admin/annotations/claim/{claim_in_review.pk}/change/")
    page.locator("#claim_form").wait_for()
    assert refusals() == []

    assert _policy_of(page, f"/admin/annotations/claim/{claim_in_review.pk}/history/")
    assert refusals() == []


def test_the_home_page_and_the_admin_index(
    page: Page, log_in: LogIn, morgan: User, refusals: Refusals
) -> None:
    log_in(morgan)

    assert _policy_of(page, "/")
    assert _policy_of(page, "/admin/")
    assert refusals() == []
