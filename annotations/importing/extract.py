"""The article in a web page: its body text without the page's chrome, and what the page says of it.

trafilatura finds the body and the metadata. Around it, three things it does
not do for us:

- It drops characters it takes for invisible (the zero-width joiner inside 👩‍⚕️
  and 🤷‍♀️, the right-to-left mark, the soft hyphen) and rewrites the text in
  Unicode NFC. The desk stores what the page says, code point for code point,
  so such characters are wrapped in placeholders before extraction and put
  back after it.
- The headline comes first in its body and "READ MORE: <link>" lines stay:
  a leading paragraph equal to the title goes, and so does any paragraph that
  is only a link (with at most a short label before it).
- Where the page names no outlet it makes one from the host name, and it does
  not read the page's language: only what the page says is recorded here.

What the page showed and the extraction left out is listed in ``removed``,
for the person importing to review.

lxml and trafilatura are imported on first use: together they take some 30 MB
that an app server which never imports an article need not hold.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import regex
from django.core.exceptions import ValidationError

from ..models import http_url_validator, language_validator

if TYPE_CHECKING:
    from lxml import etree

PARAGRAPH_BREAK = "\n\n"
# Blocks whose text the reader sees, to list what the extraction left out.
BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "figcaption", "blockquote",
    "td", "th", "caption", "button", "label", "summary", "pre", "address", "div", "section",
    "article", "aside", "header", "footer", "nav", "main", "figure", "ul", "ol",
}  # fmt: skip
UNSEEN = ("script", "style", "noscript", "template", "head", "svg", "iframe")
# "READ MORE:", "Related:", "Watch:", "اقرأ أيضاً:": a short label before a link.
LABEL_WORDS = 3
OPEN, CLOSE = "\u2e28", "\u2e29"  # ⸨ ⸩, printable and unchanged by NFC
PLACEHOLDER = re.compile(f"{OPEN}([0-9A-F]{{1,6}}){CLOSE}")
LINE_SPACE = str.maketrans("\t\n\r", "   ")
# Every combining mark (and then some): a text without any needs no look at each character.
MARK = regex.compile(r"\p{M}")


@dataclass
class Extraction:
    """What an import would store: the text and the metadata the page gives (blank if none)."""

    text: str
    paragraphs: list[str]
    removed: list[str] = field(default_factory=list)
    title: str = ""
    byline: str = ""
    outlet: str = ""
    published_on: date | None = None
    language: str = ""
    url: str = ""


@functools.cache
def _at_risk(char: str) -> bool:
    """Return whether trafilatura would drop or change ``char``."""
    if char == OPEN:
        return True
    if char.isspace():
        return char not in " \t\n\r"  # no-break and other special spaces are kept as they are
    return (
        not char.isprintable()
        or unicodedata.combining(char) != 0
        or unicodedata.normalize("NFC", char) != char
    )


def _plainly_safe(value: str) -> bool:
    """Return whether no character of ``value`` can be at risk, by checks made in C."""
    return (
        value.translate(LINE_SPACE).isprintable()
        and OPEN not in value
        and unicodedata.is_normalized("NFC", value)
        and not MARK.search(value)
    )


def _protect(value: str | None) -> str | None:
    if not value or _plainly_safe(value):
        return value
    return "".join(f"{OPEN}{ord(c):X}{CLOSE}" if _at_risk(c) else c for c in value)


def _restore(value: str | None) -> str:
    return PLACEHOLDER.sub(lambda m: chr(int(m.group(1), 16)), value or "")


def _parse(html: str) -> etree._Element:
    # lxml takes a str holding an encoding declaration only as bytes; a lone surrogate
    # (which JSON can carry) is no character and becomes U+FFFD.
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    return lxml.html.fromstring(
        html.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8"),
        parser=parser,
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


def _visible_blocks(tree: etree._Element) -> list[tuple[str, bool]]:
    """Return the text of each innermost block the page shows, and whether it is only a link."""
    for element in tree.xpath("|".join(f"//{tag}" for tag in UNSEEN)):
        element.drop_tree()
    blocks = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag not in BLOCKS:
            continue
        if any(isinstance(d.tag, str) and d.tag in BLOCKS for d in element.iterdescendants()):
            # Only the text directly in it, around its inner blocks, counts as its own.
            own = [element.text or ""] + [child.tail or "" for child in element]
            text = _squash(" ".join(own))
        else:
            text = _squash(element.text_content())
        if not text:
            continue
        linked = _squash(" ".join(a.text_content() for a in element.iter("a")))
        label = text.replace(linked, "", 1) if linked else text
        only_a_link = bool(linked) and len(label.split()) <= LABEL_WORDS and linked in text
        blocks.append((text, only_a_link))
    return blocks


def _language(tree: etree._Element) -> str:
    candidates = tree.xpath("/html/@lang | /html/@xml:lang") + tree.xpath(
        "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')"
        "='content-language']/@content | //meta[@property='og:locale']/@content"
    )
    for candidate in candidates:
        tag = candidate.strip().replace("_", "-").split(",")[0]
        try:
            language_validator(tag)
        except ValidationError:
            continue
        return tag[:35]
    return ""


def _web_address(value: str | None, base: str) -> str:
    if not value:
        return ""
    address = urljoin(base, value.strip()) if base else value.strip()
    try:
        http_url_validator(address)
    except ValidationError:
        return ""
    return address[:2000]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract(html: str, url: str = "") -> Extraction:
    """Return the article in ``html``; ``url`` is where it came from, if known.

    A page with no article (or no page at all) gives an extraction without text.
    """
    from lxml import etree

    try:
        return _extract(html, url)
    except (ValueError, etree.LxmlError):  # an empty document, characters XML cannot hold
        return Extraction(text="", paragraphs=[])


def _extract(html: str, url: str) -> Extraction:
    tree = _parse(html)
    for element in tree.iter():
        if isinstance(element.tag, str):
            element.text = _protect(element.text)
            for name, value in element.attrib.items():
                element.set(name, _protect(value) or "")
        element.tail = _protect(element.tail)
    import trafilatura

    found = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        # Dates the page states (its metadata, its markup), not guesses from the address or text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    page = _parse(html)
    language = _language(page)
    blocks = _visible_blocks(page)
    if found is None:
        return Extraction(text="", paragraphs=[], removed=[text for text, _ in blocks])

    title = _squash(_restore(found.title))
    links_only = {text for text, only_a_link in blocks if only_a_link}
    paragraphs = [_restore(line).strip() for line in (found.text or "").split("\n")]
    paragraphs = [p for p in paragraphs if p]
    while paragraphs and title and _squash(paragraphs[0]) == title:
        paragraphs.pop(0)  # the headline, already the title
    paragraphs = [p for p in paragraphs if _squash(p) not in links_only]

    whole = {_squash(p) for p in paragraphs}
    kept = _squash(" ".join(paragraphs))
    removed = list(
        dict.fromkeys(text for text, _ in blocks if text not in whole and text not in kept)
    )

    outlet = _squash(_restore(found.sitename))
    parts = urlsplit(url)
    hosts = {parts.netloc.lower(), (parts.hostname or "").removeprefix("www.")} - {""}
    if outlet.lower() in hosts:
        outlet = ""  # made from the host name, not said by the page
    return Extraction(
        text=PARAGRAPH_BREAK.join(paragraphs),
        paragraphs=paragraphs,
        removed=removed,
        title=title[:500],
        byline=_squash(_restore(found.author))[:300],
        outlet=outlet[:200],
        published_on=_date(found.date),
        language=language,
        url=_web_address(_restore(found.url), url) or _web_address(url, ""),
    )
