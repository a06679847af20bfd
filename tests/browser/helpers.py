"""What the browser tests do with the article page, in the reviewer's own gestures."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

# What the log_in and screenshot fixtures give.
LogIn = Callable[..., None]
Screenshot = Callable[..., Path]
# What the accessibility_problems fixture gives: axe-core's serious and critical findings.
Audit = Callable[[Page], list[str]]

# Find the phrase in the drawn text and return the boxes of its first and last
# characters, in the viewport's coordinates.
_PHRASE_BOXES = """
([phrase, occurrence]) => {
  let seen = 0;
  for (const para of document.querySelectorAll("#article-text .para")) {
    let at = -1;
    while ((at = para.textContent.indexOf(phrase, at + 1)) >= 0) {
      if (seen++ < occurrence) continue;
      const point = (offset) => {
        const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          if (offset < node.length) return [node, offset];
          offset -= node.length;
        }
      };
      const box = (offset) => {
        const range = document.createRange();
        range.setStart(...point(offset));
        range.setEnd(range.startContainer, range.startOffset + 1);
        const r = range.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      return { first: box(at), last: box(at + phrase.length - 1) };
    }
  }
  return null;
}
"""


def _boxes(page: Page, phrase: str, occurrence: int = 0) -> dict[str, dict[str, float]]:
    boxes = page.evaluate(_PHRASE_BOXES, [phrase, occurrence])
    assert boxes, f"“{phrase}” is not in the article's text"
    return boxes


def drag(page: Page, start_phrase: str, end_phrase: str) -> None:
    """Press on the first letter of one phrase, drag to the last letter of another, let go."""
    page.locator("#article-text").scroll_into_view_if_needed()
    first = _boxes(page, start_phrase)["first"]
    last = _boxes(page, end_phrase)["last"]
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=12)
    page.mouse.up()


def drag_select(page: Page, phrase: str) -> None:
    """Select the phrase in the article with the mouse."""
    drag(page, phrase, phrase)


def click_on(page: Page, phrase: str) -> None:
    """Click in the middle of the phrase's first letter."""
    box = _boxes(page, phrase)["first"]
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)


def select_units(page: Page, start: int, end: int) -> None:
    """Select the text between two UTF-16 offsets of the whole text, as a script might."""
    page.evaluate(
        """([start, end]) => {
          const text = JSON.parse(document.getElementById("desk-data").textContent).text;
          const point = (units) => {
            for (const para of document.querySelectorAll("#article-text .para")) {
              const from = text.indexOf(para.textContent);
              if (units > from + para.textContent.length) continue;
              const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
              let node, left = units - from;
              while ((node = walker.nextNode())) {
                if (left <= node.length) return [node, left];
                left -= node.length;
              }
            }
          };
          const range = document.createRange();
          range.setStart(...point(start));
          range.setEnd(...point(end));
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }""",
        [start, end],
    )


def utf16(text: str, index: int) -> int:
    """Return the UTF-16 offset a browser counts for a Python index into the text."""
    return len(text[:index].encode("utf-16-le")) // 2


def open_article(page: Page, article_id: int) -> None:
    page.goto(f"/articles/{article_id}/")
    page.wait_for_selector("#desk[data-ready=true]")


def highlighted_text(page: Page, claim_id: int) -> str:
    """Return the text the claim's highlight covers, its pieces joined."""
    return page.evaluate(
        """(id) => [...document.querySelectorAll(`mark.hl[data-claim="${id}"]`)]
            .map((mark) => mark.textContent).join("")""",
        claim_id,
    )


def pick_speaker(page: Page, form: str, typed: str, name: str) -> None:
    """Type in the form's speaker type-ahead and click the speaker offered."""
    page.fill(f"{form} .typeahead-input", typed)
    page.locator(f"{form} .typeahead-option", has_text=name).first.click()
