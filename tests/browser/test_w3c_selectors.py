"""The article page as a target for W3C selectors: every exported TextPositionSelector and
TextQuoteSelector resolves against the element that carries data-article-text, as Apache
Annotator's matchers (a devDependency, bundled here by esbuild) resolve them."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Page, Route
from pytest_django.live_server_helper import LiveServer

from annotations.models import Article

from ..api.export_helpers import make_verified
from ..factories import ArticleFactory
from .helpers import LogIn, open_article

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
MATCHER_URL = "/__tests__/apache-annotator.js"

# "__all__": the export reads from the replica when one is configured.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")

# Paragraphs of English with curly quotes and emoji (a joiner sequence, a skin tone, flags),
# one in Arabic, separated by blank lines, a CRLF and a lone line feed.
TEXT = (
    "“We’ve been here since 1987,” said Ana Muñoz 🤷\u200d♀️ of Café Olé.\n\n"
    "غادرت الحافلات الأولى أحياء حمص القديمة صباح الأربعاء، بحسب ما أفاد ناشطون.\n\n"
    "The council said rents rose by “no more than 12 per cent” 👍🏽 across the district.\r\n"
    "Owners from the 🇵🇹 and 🇪🇸 communities plan a protest on Saturday.\n"
)
PHRASES = [
    "since 1987",
    "Ana Muñoz 🤷\u200d♀️",
    "Café Olé.\n\nغادرت الحافلات",  # into the right-to-left paragraph
    "أحياء حمص القديمة",
    "ناشطون.\n\nThe council",  # out of it
    "👍🏽 across the district.\r\nOwners from the 🇵🇹",  # over a CRLF
    "🇪🇸 communities",
]

RESOLVE = """
async ([url, annotations]) => {
  const { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher } = await import(url);
  const container = document.querySelector("[data-article-text]");
  const scope = document.createRange();
  scope.selectNodeContents(container);
  // A match's start, in code points from the start of the container.
  const startOf = (range) => {
    const before = document.createRange();
    before.setStart(container, 0);
    before.setEnd(range.startContainer, range.startOffset);
    return [...before.toString()].length;
  };
  const results = [];
  for (const annotation of annotations) {
    const selectors = annotation.target.selector;
    const quote = selectors.find((s) => s.type === "TextQuoteSelector");
    const position = selectors.find((s) => s.type === "TextPositionSelector");
    const quoteMatches = [];
    for await (const match of createTextQuoteSelectorMatcher(quote)(scope)) {
      quoteMatches.push({ text: match.toString(), start: startOf(match) });
    }
    const positionMatches = [];
    for await (const match of createTextPositionSelectorMatcher(position)(scope)) {
      positionMatches.push({ text: match.toString(), start: startOf(match) });
    }
    results.push({ id: annotation.id, quote, position, quoteMatches, positionMatches });
  }
  return { text: container.textContent, results };
}
"""


@pytest.fixture(scope="session")
def matcher_bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Bundle @apache-annotator/dom's matchers into one ES module the page can import."""
    if not ESBUILD.exists() or shutil.which("node") is None:
        message = "node_modules is missing (run npm ci), so the W3C matcher cannot be loaded."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("annotator")
    entry = folder / "entry.mjs"
    entry.write_text(
        "export { createTextQuoteSelectorMatcher, createTextPositionSelectorMatcher } "
        'from "@apache-annotator/dom";\n',
        encoding="utf-8",
    )
    bundle = folder / "bundle.js"
    subprocess.run(  # noqa: S603 (the project's own esbuild, fixed arguments)
        [str(ESBUILD), str(entry), "--bundle", "--format=esm", f"--outfile={bundle}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
    )
    return bundle.read_bytes()


def serve_matcher(page: Page, live_server: LiveServer, bundle: bytes) -> str:
    """Serve the bundle from the site's own origin, which the page's CSP allows scripts from."""

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, body=bundle, content_type="text/javascript")

    page.route(f"{live_server.url}{MATCHER_URL}", fulfil)
    return f"{live_server.url}{MATCHER_URL}"


def test_every_exported_selector_resolves_on_the_article_page(
    page: Page,
    live_server: LiveServer,
    log_in: LogIn,
    matcher_bundle: bytes,
    alice: User,
    bob: User,
    morgan: User,
) -> None:
    article: Article = ArticleFactory(text=TEXT, language="en")
    for phrase in PHRASES:
        make_verified(article=article, phrase=phrase, reviewer=bob, moderator=morgan)
    client = Client()
    client.force_login(alice)
    export = client.get("/api/export/", {"format": "w3c"})
    assert export.status_code == 200
    annotations = json.loads(b"".join(export.streaming_content))["first"]["items"]
    assert len(annotations) == len(PHRASES)

    log_in(alice)
    open_article(page, article.pk)
    url = serve_matcher(page, live_server, matcher_bundle)
    resolved = page.evaluate(RESOLVE, [url, annotations])

    assert resolved["text"] == TEXT  # highlights drawn, the text unchanged
    for result in resolved["results"]:
        position, quote = result["position"], result["quote"]
        expected = TEXT[position["start"] : position["end"]]
        assert expected == quote["exact"], result["id"]
        assert result["positionMatches"] == [{"text": expected, "start": position["start"]}]
        # The quote with its prefix and suffix is found, at the stored offsets.
        assert {"text": expected, "start": position["start"]} in result["quoteMatches"]
    # The highlights are drawn inside the container, one claim's pieces per paragraph.
    assert page.locator("[data-article-text] mark.hl").count() >= len(PHRASES)


def test_right_to_left_paragraphs_run_right_to_left_and_select_the_right_way(
    page: Page, log_in: LogIn, alice: User
) -> None:
    article: Article = ArticleFactory(text=TEXT)
    arabic = TEXT.index("غادرت")
    log_in(alice)
    open_article(page, article.pk)

    paragraphs = page.locator("[data-article-text] .para")
    assert paragraphs.nth(1).evaluate("(p) => getComputedStyle(p).direction") == "rtl"
    assert paragraphs.nth(0).evaluate("(p) => getComputedStyle(p).direction") == "ltr"

    page.focus("#article-text")
    paragraphs.nth(1).evaluate(
        "(p) => document.getSelection().collapse(p.firstChild, 0)"
    )  # before its first letter, at its right edge
    page.keyboard.down("Shift")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # leftwards: onwards in Arabic
    page.keyboard.up("Shift")

    assert page.evaluate("document.getSelection().toString()") == TEXT[arabic : arabic + 5]
