"""A real Chromium, driven through playwright, against Django's live server.

The tests use Debian's Chromium at /usr/bin/chromium; playwright never downloads
a browser. Without it they skip, saying how to get it, except under CI
(CI=true), where a missing browser fails the run.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, Page, Request, sync_playwright
from pytest_django.live_server_helper import LiveServer

from perfkit.chromium import CHROMIUM, CHROMIUM_ARGS

from .helpers import Audit, LogIn, Screenshot

VIEWPORT = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests, and run them after every other test.

    They run on a transactional database that is emptied after each of them,
    groups and all; every other test finds the database as the migrations left it.
    (pytest-django already puts transactional tests after the others, but not
    after tests that reach the database only through request.getfixturevalue.)
    """
    ours = [item for item in items if HERE in Path(item.path).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in ours] + ours


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing, so the browser tests cannot run. "
            "Install Debian's Chromium to run them: apt-get install chromium"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # What the test database held after its migrations (the groups), which
    # serialized_rollback puts back before each of these tests.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    # Playwright's sync API keeps an asyncio event loop running in this thread for
    # as long as it is started. Django then takes every ORM call made here (the
    # tests' own setup and checks) for a call from async code and refuses it with
    # SynchronousOnlyOperation. Nothing here is async: the loop only talks to the
    # browser, and the server runs in its own thread. So allow it, while the
    # browser is up: these tests run last (see above), so no other test runs with it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # With a loop running, Django keeps this thread's connections apart from
            # the ones it had before (asgiref's Local acts as a context variable),
            # so the connections the tests now get need the serialized contents too.
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size, on the live server.

    A JavaScript error on the page, or anything its Content-Security-Policy
    refused, fails the test. The page is closed before the
    database is emptied (hence transactional_db), once its last request is
    answered and the server's threads are done with it: the server must not be
    reading a table while the test empties it, nor closing a connection after
    the live server has stopped sharing it.
    """
    yield from _tab(browser, live_server, viewport=VIEWPORT)


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[Page]:
    """Like ``page``, on a phone: 390 × 844, a touch screen and no mouse."""
    yield from _tab(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


def _tab(browser: Browser, live_server: LiveServer, **options: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    in_flight: set[Request] = set()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # Anything the Content-Security-Policy refused counts as an error too.
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    tab.on("request", lambda request: in_flight.add(request))
    tab.on("requestfinished", lambda request: in_flight.discard(request))
    tab.on("requestfailed", lambda request: in_flight.discard(request))
    yield tab
    for _ in range(100):
        if not in_flight:
            break
        tab.wait_for_timeout(50)
    context.close()  # closes its connections to the server, so the threads serving them end
    for thread in threading.enumerate():
        # The live server's request threads, named after their target (Python 3.10+).
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def log_in(page: Page, live_server: LiveServer) -> LogIn:
    """Return a function that logs the page's browser (or another tab's) in as a user, by cookie."""

    def log_in_as(user: User, tab: Page = page) -> None:
        client = Client()
        client.force_login(user)
        tab.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return log_in_as


@pytest.fixture
def screenshot(page: Page) -> Screenshot:
    """Return a function that saves the page, or one element of it, under test-artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(name: str, selector: str | None = None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if selector:
            page.locator(selector).screenshot(path=path)
        else:
            page.screenshot(path=path)
        return path

    return save


@pytest.fixture
def accessibility_problems() -> Audit:
    """Return a function that runs axe-core on a page and returns its serious and critical findings.

    axe-core comes from npm (`npm ci`, which `make test` runs); without it the test
    skips, except under CI.
    """
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does) to check accessibility."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    def audit(tab: Page) -> list[str]:
        # Evaluated through the browser's DevTools connection: a <script> element of
        # inline code (add_script_tag) is refused by the site's Content-Security-Policy.
        tab.evaluate(AXE.read_text(encoding="utf-8"))
        return tab.evaluate(
            """async () => {
              const { violations } = await axe.run(document, { resultTypes: ["violations"] });
              const where = (v) => v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary}`);
              return violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${where(v).join("; ")}`);
            }"""
        )

    return audit
