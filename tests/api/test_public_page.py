"""The public fact-check page of a verified claim, with its ClaimReview."""

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict

from ..factories import ArticleFactory, SpeakerFactory, make_claim, make_claim_in_review, verify
from .export_helpers import export_bytes, make_verified, parse

TEXT = (
    "Rebels have struck a deal to withdraw from the heart of Homs.\n"
    "The deal over the Old City 🇸🇾, under blockade since June 2012, will see some 2250 "
    "people, mostly fighters, evacuate the city.\n"
    "Rebels will head to opposition-held areas in the north."
)


def _page_url(claim: Claim) -> str:
    return f"/checks/{claim.pk}/"


def _json_ld(html: str) -> dict[str, Any]:
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script)


@pytest.fixture
def article(db) -> Article:
    return ArticleFactory(
        title="Rebels to leave Homs", outlet="Wire", url="https://news.example/homs", text=TEXT
    )


@pytest.fixture
def claim(alice: User, morgan: User, article: Article) -> Claim:
    speaker = SpeakerFactory(
        name="Abul Hareth al-Khalidi",
        kind=Speaker.Kind.PERSON,
        role="rebel negotiator",
        reference_url="https://www.wikidata.org/wiki/Q1",
    )
    return make_verified(
        article=article,
        phrase="some 2250 people",
        reviewer=alice,
        moderator=morgan,
        speaker=speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        cue="said",
        rating=Verdict.Rating.MOSTLY_FALSE,
        rationale="UN figures show 1,900 left.\n\nThe 2250 counted fighters twice.",
        sources=(("https://un.example/ocha", Source.Stance.REFUTES),),
    )


def test_anyone_can_read_a_verified_claims_page(client: Client, claim: Claim) -> None:
    response = client.get(_page_url(claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The article says: some 2250 people" in html  # the claim as checked
    assert "Mostly false" in html
    assert "<p>UN figures show 1,900 left.</p>" in html  # the rationale, in paragraphs
    assert "Abul Hareth al-Khalidi</strong>, rebel negotiator" in html
    assert 'href="https://www.wikidata.org/wiki/Q1"' in html
    assert 'href="https://un.example/ocha"' in html and "Refutes" in html
    assert 'href="https://news.example/homs"' in html
    assert "Checked by alice" in html
    assert 'class="current" aria-current="true"><span class="check-scale-number">2</span>' in html
    assert "css/public.css" in html
    assert "Log out" not in html  # no navigation for visitors


def test_the_page_shows_the_quote_marked_in_its_paragraph_only(
    client: Client, claim: Claim
) -> None:
    html = client.get(_page_url(claim)).content.decode()
    [passage] = re.findall(r'<blockquote class="check-in-context">(.*?)</blockquote>', html, re.S)
    assert passage == (
        "The deal over the Old City 🇸🇾, under blockade since June 2012, will see "
        "<mark>some 2250 people</mark>, mostly fighters, evacuate the city."
    )


def test_a_long_paragraph_is_cut_at_a_word_with_an_ellipsis(
    client: Client, alice: User, morgan: User
) -> None:
    words = " ".join(f"word{n}" for n in range(400))
    article = ArticleFactory(text=f"{words} the claim itself {words}")
    claim = make_verified(
        article=article, phrase="the claim itself", reviewer=alice, moderator=morgan
    )
    html = client.get(_page_url(claim)).content.decode()
    [passage] = re.findall(r'<blockquote class="check-in-context">(.*?)</blockquote>', html, re.S)
    before, after = passage.split("<mark>the claim itself</mark>")
    assert before.startswith("…word") and after.endswith("…")
    assert 550 < len(before) < 605 and 550 < len(after) < 605
    assert re.fullmatch(r"…(word\d+ )+", before)
    assert re.fullmatch(r"( word\d+)+…", after)


def test_the_page_embeds_its_claimreview_with_its_own_address(
    client: Client, alice: User, claim: Claim
) -> None:
    response = client.get(_page_url(claim))
    review = _json_ld(response.content.decode())
    assert review["@type"] == "ClaimReview"
    assert review["url"] == response.wsgi_request.build_absolute_uri(_page_url(claim))
    assert review["url"] == f"http://testserver/checks/{claim.pk}/"
    assert review["reviewRating"]["alternateName"] == "Mostly false"
    assert review["reviewRating"]["ratingValue"] == 2
    assert f'<link rel="canonical" href="http://testserver/checks/{claim.pk}/">' in (
        response.content.decode()
    )
    # The page and the export publish the same ClaimReview.
    client.force_login(alice)
    assert parse("claimreview", export_bytes(client, "claimreview")) == [review]


def test_the_claimreview_url_ignores_the_query_string(client: Client, claim: Claim) -> None:
    html = client.get(_page_url(claim), {"utm_source": "feed"}).content.decode()
    assert _json_ld(html)["url"] == f"http://testserver/checks/{claim.pk}/"


def test_hostile_text_is_escaped_in_the_html_and_in_the_json_ld(
    client: Client, alice: User, morgan: User
) -> None:
    hostile = "<script>alert('quote')</script>"
    article = ArticleFactory(
        title="</script><script>alert('title')</script>",
        outlet="<b>Wire</b>",
        text=f"An official said {hostile} & more.",
    )
    speaker = SpeakerFactory(name="<img src=x onerror=alert('speaker')>")
    claim = make_verified(
        article=article,
        phrase=hostile,
        reviewer=alice,
        moderator=morgan,
        speaker=speaker,
        attribution=Claim.Attribution.DIRECT_QUOTE,
        restatement="</script><!-- & -->",
        rationale="</script><script>alert('rationale')</script>",
    )
    html = client.get(_page_url(claim)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#x27;speaker&#x27;)&gt;" in html
    assert html.count("</script>") == 1  # only the JSON-LD element's own end
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003C/script\\u003E" in raw
    review = json.loads(raw)  # and it still says exactly what was written
    assert review["claimReviewed"] == "</script><!-- & -->"
    assert review["reviewBody"] == "</script><script>alert('rationale')</script>"
    assert review["itemReviewed"]["author"]["name"] == "<img src=x onerror=alert('speaker')>"
    assert review["itemReviewed"]["appearance"]["headline"] == article.title


@pytest.mark.parametrize("status", ["draft", "in_review", "rejected", "reopened"])
def test_a_claim_that_is_not_verified_has_no_page(
    client: Client, alice: User, bob: User, morgan: User, article: Article, status: str
) -> None:
    if status == "draft":
        claim = make_claim(user=alice, article=article, phrase="some 2250 people")
    else:
        claim = make_claim_in_review(user=alice, article=article, phrase="some 2250 people")
    if status == "rejected":
        services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    if status == "reopened":
        verdict = services.verdict_give(claim=claim, user=bob, rating="true", rationale="Checked.")
        verify(claim, moderator=morgan, verdict=verdict)
        services.claim_reopen(claim=claim, user=morgan, reason="New figures.")
    client.force_login(morgan)  # not even a moderator sees an unpublished claim here
    assert client.get(_page_url(claim)).status_code == 404


def test_a_missing_claim_has_no_page(client: Client, db) -> None:
    assert client.get("/checks/999999/").status_code == 404


def test_no_page_when_public_pages_are_off(client: Client, claim: Claim, settings) -> None:
    settings.FACTCHECK_PUBLIC_PAGES = False
    assert client.get(_page_url(claim)).status_code == 404


def test_an_unverifiable_verdict_is_shown_outside_the_scale(
    client: Client, alice: User, morgan: User, article: Article
) -> None:
    claim = make_verified(
        article=article,
        phrase="mostly fighters",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.UNVERIFIABLE,
    )
    html = client.get(_page_url(claim)).content.decode()
    assert "Outside the scale" in html
    assert 'class="check-scale"' not in html
    assert "The article itself (Wire)" in html  # the article's own voice
    assert "No sources were recorded" in html
    assert "ratingValue" not in json.dumps(_json_ld(html))


def test_the_page_reads_a_window_of_the_text_in_few_queries(client: Client, claim: Claim) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_page_url(claim)).status_code == 200
    # The validators (ETag, Last-Modified), the claim with its joins and window, its sources.
    assert len(queries) <= 3
    [validators, page] = [q["sql"] for q in queries if "annotations_claim" in q["sql"]][:2]
    assert "SUBSTR" not in validators.upper() and "SUBSTR" in page.upper()
