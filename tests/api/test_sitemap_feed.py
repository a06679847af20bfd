"""/sitemap.xml and the Atom feed /checks/feed/: exactly the published checks, cacheable."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.http import parse_http_date

from annotations import services
from annotations.models import Article, Claim, Verdict

from ..factories import ArticleFactory, make_claim, make_claim_in_review
from .export_helpers import make_verified, verify

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = (
    "The deal will see some 2250 people, mostly fighters, evacuate the city. "
    "Rebels will head north. The ceasefire held for a week. Aid reached 300 families."
)


@pytest.fixture
def article(db) -> Article:
    return ArticleFactory(text=TEXT)


@pytest.fixture
def checks(alice: User, morgan: User, article: Article) -> dict[str, Claim]:
    """Two published checks, a draft, one in review, one rejected and one reopened."""
    published = make_verified(
        article=article,
        phrase="some 2250 people",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.MOSTLY_FALSE,
        restatement="Some 2,250 people were evacuated.",
    )
    also = make_verified(
        article=article,
        phrase="Rebels will head north",
        reviewer=alice,
        moderator=morgan,
        rating=Verdict.Rating.TRUE,
    )
    make_claim(user=alice, article=article, phrase="mostly fighters")
    make_claim_in_review(user=alice, article=article, phrase="evacuate the city")
    rejected = make_claim_in_review(user=alice, article=article, phrase="held for a week")
    services.claim_reject(claim=rejected, user=morgan, reason="Not checkable.")
    reopened = make_verified(
        article=article, phrase="300 families", reviewer=alice, moderator=morgan
    )
    services.claim_reopen(claim=reopened, user=morgan, reason="New figures.")
    return {"published": published, "also": also, "reopened": reopened}


def _sitemap(client: Client) -> dict[str, str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own answer, in a test)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


def _feed(client: Client) -> ET.Element:
    response = client.get("/checks/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own answer, in a test)


def _page(claim: Claim) -> str:
    return f"http://testserver/checks/{claim.pk}/"


def test_the_sitemap_lists_exactly_the_published_checks(
    client: Client, checks: dict[str, Claim]
) -> None:
    listed = _sitemap(client)
    assert set(listed) == {_page(checks["published"]), _page(checks["also"])}


def test_each_check_in_the_sitemap_has_its_pages_last_modification(
    client: Client, checks: dict[str, Claim]
) -> None:
    claim = checks["published"]
    lastmod = datetime.fromisoformat(_sitemap(client)[_page(claim)])
    page = client.get(f"/checks/{claim.pk}/")
    assert lastmod == claim.updated_at  # W3C date-time, with its offset
    assert parse_http_date(page["Last-Modified"]) == int(lastmod.timestamp())


def test_the_feed_lists_exactly_the_published_checks_with_claim_rating_and_link(
    client: Client, checks: dict[str, Claim]
) -> None:
    feed = _feed(client)
    entries = {entry.find(f"{ATOM}link").get("href"): entry for entry in feed.iter(f"{ATOM}entry")}
    assert set(entries) == {_page(checks["published"]), _page(checks["also"])}
    entry = entries[_page(checks["published"])]
    assert entry.findtext(f"{ATOM}title") == "Some 2,250 people were evacuated."
    assert "Mostly false" in entry.findtext(f"{ATOM}summary")
    assert entry.find(f"{ATOM}category").get("term") == "Mostly false"
    assert entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}published")
    titles = {entry.findtext(f"{ATOM}title") for entry in entries.values()}
    assert titles == {"Some 2,250 people were evacuated.", checks["also"].restatement}


def test_the_feed_puts_the_latest_published_first(
    client: Client, checks: dict[str, Claim], alice: User, morgan: User
) -> None:
    reopened = checks["reopened"]
    verify(reopened, reviewer=alice, moderator=morgan)
    links = [e.find(f"{ATOM}link").get("href") for e in _feed(client).iter(f"{ATOM}entry")]
    assert links[0] == _page(reopened)
    assert len(links) == 3


@pytest.mark.parametrize("path", ["/sitemap.xml", "/checks/feed/"])
def test_the_lists_are_cacheable_and_revalidate_with_304(
    client: Client, checks: dict[str, Claim], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert {p.strip() for p in response["Cache-Control"].split(",")} == {
        "public",
        "max-age=300",
        "s-maxage=600",
    }
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    etag = response["ETag"]
    assert etag.startswith('"')
    again = client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/sitemap.xml", "/checks/feed/"])
def test_the_lists_etag_changes_when_a_check_is_published_or_reopened(
    client: Client, checks: dict[str, Claim], alice: User, morgan: User, path: str
) -> None:
    first = client.get(path)["ETag"]
    services.claim_reopen(claim=checks["also"], user=morgan, reason="Again.")
    second = client.get(path)["ETag"]
    assert second != first
    verify(checks["reopened"], reviewer=alice, moderator=morgan)
    assert client.get(path)["ETag"] not in (first, second)
    assert client.get(path, headers={"if-none-match": first}).status_code == 200


@pytest.mark.parametrize("path", ["/sitemap.xml", "/checks/feed/"])
def test_no_lists_when_public_pages_are_off(
    client: Client, checks: dict[str, Claim], settings, path: str
) -> None:
    settings.FACTCHECK_PUBLIC_PAGES = False
    assert client.get(path).status_code == 404


def test_the_lists_are_empty_without_published_checks(client: Client, db) -> None:
    assert _sitemap(client) == {}
    assert list(_feed(client).iter(f"{ATOM}entry")) == []
