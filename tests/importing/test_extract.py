"""What the extraction keeps and drops on news pages written like real ones."""

import unicodedata

import pytest

from annotations.importing.extract import extract

from .conftest import page

SOURCE = "https://source.example.net/story"


def test_the_wire_story_loses_its_chrome_and_keeps_its_metadata() -> None:
    found = extract(page("wire-video.html"), SOURCE)

    assert found.title == "Rebels begin leaving Old City of Homs under truce (VIDEO)"
    assert found.byline == "Dana Haddad"
    assert found.outlet == "Levant Wire"
    assert str(found.published_on) == "2014-05-07"
    assert found.language == "en"
    assert found.url == "https://news.example.org/2014/05/07/homs-rebels-leave-old-city"
    assert found.paragraphs[0].startswith("HOMS, Syria — The first buses")
    assert found.paragraphs[-1].startswith("The Syrian Observatory")
    assert len(found.paragraphs) == 5
    assert found.text == "\n\n".join(found.paragraphs)
    for chrome in (
        "(VIDEO)",  # the headline is the title, not the body's first line
        "cookies",
        "Share on",
        "Subscribe",
        "Army forces executing civilians",  # a related story inside the body
        "READ MORE",
        "Ceasefire talks stall",
        "Advertisement",
        "Most read",
        "Tags:",
        "All rights reserved",
        "Video player",
    ):
        assert chrome not in found.text, chrome
    for shown in (
        "Accept all cookies",
        "Share on Twitter",
        "READ MORE: Ceasefire talks stall in Geneva",
    ):
        assert shown in found.removed


def test_arabic_comes_through_right_to_left_untouched() -> None:
    html = page("arabic-rtl.html")
    found = extract(html, SOURCE)

    assert found.language == "ar"
    assert found.title == "بدء خروج المسلحين من أحياء حمص القديمة"
    assert found.byline == "سارة الخطيب"
    assert found.outlet == "صحيفة الشام"
    assert found.url == "https://ar.example.org/news/homs-old-city"
    assert len(found.paragraphs) == 4
    for paragraph in found.paragraphs:
        assert paragraph in html  # code point for code point
    assert "اقرأ أيضاً" not in found.text
    assert "شارك" not in found.text


def test_emoji_curly_quotes_and_joiners_come_through_untouched() -> None:
    html = page("emoji-quotes.html")
    found = extract(html, SOURCE)

    assert found.title == "“We’re not leaving,” say café owners as rents soar 🏠📈"
    assert found.byline == "Zoë Ångström"
    assert found.outlet == "The Daily Lantern"
    assert str(found.published_on) == "2024-03-18"
    assert found.language == "en-GB"
    assert found.url == "https://lantern.example.com/city/cafe-owners-rents"
    for paragraph in found.paragraphs:
        assert paragraph in html
    assert "🤷\u200d♀️" in found.text  # the zero-width joiner stays
    assert "👍🏽" in found.text and "🇵🇹" in found.text and "hand\u2011written" in found.text
    assert "Related:" not in found.text
    assert "cookies" not in found.text


def test_a_page_that_names_nothing_gets_nothing_made_up() -> None:
    found = extract(page("bare-minimum.html"), "http://127.0.0.1:8111/pages/bare-minimum.html")

    assert found.title == "Water prices to rise"
    assert (found.byline, found.outlet, found.published_on, found.language) == ("", "", None, "")
    assert found.url == "http://127.0.0.1:8111/pages/bare-minimum.html"  # where it was fetched
    assert not found.text.startswith("Water prices")
    assert "Log in" not in found.text and "Advertise" not in found.text
    assert len(found.paragraphs) == 3


@pytest.mark.parametrize(
    "word",
    [
        "Cafe\u0301",  # a combining accent that NFC would fold into é
        "\u212b",  # the Ångström sign, which NFC turns into Å
        "soft\u00adhyphen",
        "\u200fمرحبا\u200e",  # right-to-left and left-to-right marks
        "\u2e28kept\u2e29",  # the extraction's own placeholder brackets
        "a\u00a0b",  # a no-break space
    ],
)
def test_characters_the_library_would_change_are_kept(word: str) -> None:
    sentence = (
        f"The minister said {word} several times during a long press conference "
        "held on Tuesday in the capital, according to reporters present in the room."
    )
    html = f"<html><body><article><p>{sentence}</p><p>{sentence} Again.</p></article></body></html>"

    found = extract(html)

    assert found.paragraphs[0] == sentence
    assert unicodedata.is_normalized("NFC", word) or not unicodedata.is_normalized(
        "NFC", found.text
    )


def test_the_quick_check_never_passes_a_character_at_risk() -> None:
    # _plainly_safe is the fast path of _protect: it may send a safe text the slow way,
    # never let one at risk through. Every character of the first two planes, one by one.
    from annotations.importing.extract import _at_risk, _plainly_safe

    passed_at_risk = [
        hex(code)
        for code in range(0x20000)
        if not 0xD800 <= code <= 0xDFFF and _plainly_safe(chr(code)) and _at_risk(chr(code))
    ]
    assert passed_at_risk == []


def test_an_emoji_newer_than_the_interpreters_unicode_is_kept() -> None:
    # U+1FAE8 (shaking face, Unicode 15): Python 3.11 takes it for unassigned, which
    # the library drops as unprintable.
    sentence = (
        "The crowd reacted 🫨 when the results came in late on Sunday evening, "
        "according to several witnesses who spoke to the paper afterwards."
    )
    found = extract(f"<html><body><article><p>{sentence}</p></article></body></html>")

    assert found.paragraphs == [sentence]
