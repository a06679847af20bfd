"""HTTP caching of the public fact-check page: public when anonymous, private with a session."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date, parse_http_date

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict
from annotations.publishing.caching import PAGE_COLUMNS, check_versions

from ..factories import ArticleFactory, SpeakerFactory
from .export_helpers import make_verified, verify


@pytest.fixture
def article(db) -> Article:
    return ArticleFactory(title="Rebels to leave Homs", outlet="Wire")


@pytest.fixture
def speaker(db) -> Speaker:
    return SpeakerFactory(name="Abul Hareth al-Khalidi", kind=Speaker.Kind.PERSON)


@pytest.fixture
def claim(alice: User, morgan: User, article: Article, speaker: Speaker) -> Claim:
    return make_verified(
        article=article,
        phrase="some 2250 people",
        reviewer=alice,
        moderator=morgan,
        speaker=speaker,
        attribution=Claim.Attribution.REPORTED_SPEECH,
        sources=(("https://un.example/ocha", Source.Stance.REFUTES),),
    )


def _url(claim: Claim) -> str:
    return f"/checks/{claim.pk}/"


def _etag(client: Client, claim: Claim) -> str:
    response = client.get(_url(claim))
    assert response.status_code == 200
    return response["ETag"]


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_an_anonymous_reader_gets_a_page_any_cache_may_keep(
    client: Client, claim: Claim, settings
) -> None:
    settings.FACTCHECK_PUBLIC_MAX_AGE = 120
    settings.FACTCHECK_PUBLIC_S_MAXAGE = 3600
    response = client.get(_url(claim))
    assert response.status_code == 200
    assert _cache_control(response) == {"public", "max-age=120", "s-maxage=3600"}
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong: no W/
    assert parse_http_date(response["Last-Modified"]) == int(claim.updated_at.timestamp())


def test_the_anonymous_page_sets_no_cookie_and_does_not_vary_on_one(
    client: Client, claim: Claim
) -> None:
    client.get("/login/")  # a reader who once saw the login form holds a CSRF cookie
    assert "csrftoken" in client.cookies
    response = client.get(_url(claim))
    assert response.status_code == 200
    assert not response.cookies  # no Set-Cookie at all
    assert "Cookie" not in response.get("Vary", "")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "public" in _cache_control(response)


def test_the_default_ages_are_five_minutes_and_ten_for_shared_caches(
    client: Client, claim: Claim
) -> None:
    assert _cache_control(client.get(_url(claim))) == {"public", "max-age=300", "s-maxage=600"}


def test_a_matching_if_none_match_gets_304_without_rendering(client: Client, claim: Claim) -> None:
    etag = _etag(client, claim)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(claim), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "public" in _cache_control(response)
    assert len(queries) == 1  # the validators' query only: the page is not read
    assert "SUBSTR" not in queries[0]["sql"].upper()


def test_another_etag_gets_the_whole_page(client: Client, claim: Claim) -> None:
    response = client.get(_url(claim), headers={"if-none-match": '"something-else"'})
    assert response.status_code == 200
    assert b"some 2250 people" in response.content


def test_if_modified_since_gets_304_from_the_last_modification_on(
    client: Client, claim: Claim
) -> None:
    last_modified = client.get(_url(claim))["Last-Modified"]
    assert client.get(_url(claim), headers={"if-modified-since": last_modified}).status_code == 304
    earlier = http_date((claim.updated_at - timedelta(minutes=5)).timestamp())
    assert client.get(_url(claim), headers={"if-modified-since": earlier}).status_code == 200


def test_a_logged_in_reviewer_gets_the_page_private_with_their_controls(
    client: Client, claim: Claim, alice: User
) -> None:
    etag = _etag(client, claim)
    client.force_login(alice)
    response = client.get(_url(claim), headers={"if-none-match": etag})
    assert response.status_code == 200  # not served from a validator: the page differs
    assert "private" in _cache_control(response) and "public" not in _cache_control(response)
    assert "Cookie" in response["Vary"]
    assert "Log out" in response.content.decode()


def test_a_reopened_check_is_gone_and_no_cache_may_keep_that(
    client: Client, claim: Claim, morgan: User
) -> None:
    etag = _etag(client, claim)
    services.claim_reopen(claim=claim, user=morgan, reason="New figures.")
    response = client.get(_url(claim), headers={"if-none-match": etag})
    assert response.status_code == 404
    assert "no-store" in _cache_control(response)
    assert "public" not in _cache_control(response)


def test_the_etag_changes_when_the_check_is_reopened_and_verified_again(
    client: Client, claim: Claim, alice: User, morgan: User
) -> None:
    before = _etag(client, claim)
    services.claim_reopen(claim=claim, user=morgan, reason="New figures.")
    verify(claim, reviewer=alice, moderator=morgan, rating=Verdict.Rating.FALSE)
    after = _etag(client, claim)
    assert after != before
    assert client.get(_url(claim), headers={"if-none-match": before}).status_code == 200


def test_the_etag_changes_when_a_source_is_edited(
    client: Client, claim: Claim, alice: User, morgan: User
) -> None:
    before = _etag(client, claim)
    services.claim_reopen(claim=claim, user=morgan, reason="A better source.")
    [source] = claim.sources.all()
    services.source_update(source=source, user=alice, title="OCHA's own count")
    claim.refresh_from_db()
    services.claim_verify(claim=claim, user=morgan, verdict=claim.verdicts.get(reviewer=alice))
    after = _etag(client, claim)
    assert after != before
    assert "OCHA&#x27;s own count" in client.get(_url(claim)).content.decode()


def test_the_etag_changes_when_a_source_row_changes_by_any_path(
    client: Client, claim: Claim
) -> None:
    before = _etag(client, claim)
    source = claim.sources.get()
    source.excerpt = "1,900 people left."
    source.save()  # not through the services: the claim's moment stays, its history moves
    assert _etag(client, claim) != before


def test_the_etag_changes_when_the_speaker_is_edited(
    client: Client, claim: Claim, speaker: Speaker, morgan: User
) -> None:
    before = _etag(client, claim)
    services.speaker_update(speaker=speaker, user=morgan, role="rebel negotiator")
    response = client.get(_url(claim))
    assert "rebel negotiator" in response.content.decode()
    assert response["ETag"] != before


def test_the_etag_changes_when_the_speakers_side_is_renamed(
    client: Client, claim: Claim, speaker: Speaker, morgan: User
) -> None:
    services.speaker_update(speaker=speaker, user=morgan, side="opposition")
    before = _etag(client, claim)
    side = speaker.side
    side.name = "Armed opposition"
    side.save()  # the admin saves sides directly
    response = client.get(_url(claim))
    assert "Armed opposition" in response.content.decode()
    assert response["ETag"] != before


def test_the_etag_changes_when_the_article_is_edited(
    client: Client, claim: Claim, article: Article, morgan: User
) -> None:
    before = _etag(client, claim)
    services.article_update(article=article, user=morgan, outlet="Agence")
    response = client.get(_url(claim))
    assert "Agence" in response.content.decode()
    assert response["ETag"] != before


def test_the_etag_changes_when_the_reviewer_is_renamed(
    client: Client, claim: Claim, alice: User
) -> None:
    before = _etag(client, claim)
    alice.first_name, alice.last_name = "Alice", "Aubert"
    alice.save()
    response = client.get(_url(claim))
    assert "Checked by Alice Aubert" in response.content.decode()
    assert response["ETag"] != before


def test_the_etag_changes_with_the_publisher(client: Client, claim: Claim, settings) -> None:
    before = _etag(client, claim)
    settings.FACTCHECK_PUBLISHER_NAME = "The Other Desk"
    assert _etag(client, claim) != before


def test_the_etag_stays_while_nothing_shown_changes(
    client: Client, claim: Claim, alice: User, article: Article
) -> None:
    before = _etag(client, claim)
    # Another claim on the same article, still in review: not on this page.
    services.claim_create(
        user=alice,
        article=article,
        start=article.text.index("mostly fighters"),
        end=article.text.index("mostly fighters") + len("mostly fighters"),
        quote="mostly fighters",
        attribution=Claim.Attribution.AUTHOR,
    )
    assert _etag(client, claim) == before
    assert check_versions(claim.pk) is not None


def test_the_validators_of_an_unpublished_claim_are_none(
    alice: User, morgan: User, article: Article
) -> None:
    claim = make_verified(
        article=article, phrase="mostly fighters", reviewer=alice, moderator=morgan
    )
    assert check_versions(claim.pk) is not None
    services.claim_reopen(claim=claim, user=morgan, reason="Again.")
    assert check_versions(claim.pk) is None


def test_every_speaker_field_the_page_shows_is_in_the_validators() -> None:
    # The speaker has no moment of its own that every edit moves, so the validators read
    # the fields the page shows: a field added to the page must be added there too.
    root = Path(__file__).resolve().parents[2]
    template = (root / "templates/annotations/public_claim.html").read_text(encoding="utf-8")
    shown = {
        re.sub(r"^get_(\w+)_display$", r"\1", name)
        for name in re.findall(r"\bspeaker\.(\w+)", template)
    }
    assert shown, "the page names no speaker field: has the template moved?"
    assert {f"speaker__{name}" for name in shown} <= set(PAGE_COLUMNS)
