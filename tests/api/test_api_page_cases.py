"""What the article page asks of /api/, in the cases the other API tests leave out.

The page calls the API with its login session and the CSRF token; these tests do
the same (``page_client``), on the article that ships with the tests.
"""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, Source, Speaker, Verdict
from tests.factories import SpeakerFactory, give_verdict, make_claim, make_claim_in_review

PHRASE = "some 2250 people"
PageClient = Callable[[User], APIClient]


@pytest.fixture
def page_client() -> PageClient:
    """Return an API client logged in as the user, as the page's script is (by session)."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


def highlight(article: Article, phrase: str = PHRASE, **fields: Any) -> dict[str, Any]:
    """Return what the page sends for a highlight of the phrase."""
    start = article.text.index(phrase)
    end = start + len(phrase)
    return {
        "article": article.pk,
        "start": start,
        "end": end,
        "quote": phrase,
        "prefix": article.text[max(0, start - 32) : start],
        "suffix": article.text[end : end + 32],
        "restatement": "",
        "kind": "quantity",
        "speaker": None,
        "attribution": "author",
        "cue": "",
        "cue_start": None,
        "cue_end": None,
        "note": "",
        "submit": False,
        **fields,
    }


# The session and its CSRF token ---------------------------------------------------


def test_the_page_writes_with_its_session_and_the_csrf_token_it_was_given(
    alice: User, article: Article
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    page = browser.get(reverse("article_detail", args=[article.pk])).content.decode()
    data = json.loads(re.search(r'id="desk-data" type="application/json">(.*?)</script>', page)[1])

    refused = browser.post(
        data["urls"]["claims"], highlight(article), content_type="application/json"
    )
    response = browser.post(
        data["urls"]["claims"],
        highlight(article),
        content_type="application/json",
        headers={"X-CSRFToken": data["csrfToken"]},
    )

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    assert response.status_code == 201, response.json()
    assert response.json()["created_by"] == "alice"


# Creating -------------------------------------------------------------------------


def test_a_quote_across_paragraphs_keeps_its_line_break(
    page_client: PageClient, alice: User, article: Article
) -> None:
    body = highlight(article, "central Syria.\nBut regime")

    response = page_client(alice).post("/api/claims/", body, format="json")

    assert response.status_code == 201
    assert Claim.objects.get().quote == "central Syria.\nBut regime"


def test_a_moderator_creates_claims_too(
    page_client: PageClient, morgan: User, article: Article
) -> None:
    response = page_client(morgan).post("/api/claims/", highlight(article), format="json")

    assert response.status_code == 201


def test_the_fields_are_stored_trimmed(
    page_client: PageClient, alice: User, article: Article, opposition: Speaker
) -> None:
    body = highlight(
        article,
        speaker=opposition.pk,
        attribution="reported",
        restatement=" About 2,250 people leave. ",
        cue=" say ",
        note=" Check the UN count. ",
    )

    response = page_client(alice).post("/api/claims/", body, format="json")

    assert response.status_code == 201
    claim = Claim.objects.get()
    assert (claim.restatement, claim.cue, claim.note) == (
        "About 2,250 people leave.",
        "say",
        "Check the UN count.",
    )
    assert response.json()["speaker_name"] == "Opposition sources"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quote": ""}, "quote", ""),
        ({"start": 20, "end": 10}, "end", "must be greater than the start"),
        ({"kind": "rumour"}, "kind", "not a valid choice"),
        ({"cue_start": 5}, "cue_end", "Give both ends of the cue's span"),
        ({"cue_start": 5, "cue_end": 9, "cue": "nope"}, "cue", "The text at the cue's offsets"),
        ({"submit": True}, "restatement", "in your own words before submitting"),
    ],
    ids=[
        "quote-empty",
        "end-before-start",
        "kind-unknown",
        "cue-half-span",
        "cue-mismatch",
        "submit-without-restatement",
    ],
)
def test_a_refused_claim_names_its_field_and_writes_nothing(
    page_client: PageClient,
    alice: User,
    article: Article,
    fields: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = page_client(alice).post("/api/claims/", highlight(article, **fields), format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Claim.objects.exists()


# Editing --------------------------------------------------------------------------


def test_the_author_edits_her_claim_in_review(
    page_client: PageClient, alice: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)

    response = page_client(alice).patch(
        f"/api/claims/{claim.pk}/",
        {"note": "Asked the UN.", "version": claim.version},
        format="json",
    )

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.note == "Asked the UN."


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"attribution": "reported", "speaker": None}, "speaker", "Say who makes the claim"),
        ({"cue_start": 0, "cue_end": 4, "cue": "said"}, "cue", "The text at the cue's offsets"),
    ],
    ids=["speaker-missing", "cue-mismatch"],
)
def test_a_refused_edit_names_its_field_and_changes_nothing(
    page_client: PageClient,
    alice: User,
    article: Article,
    fields: dict[str, Any],
    field: str,
    message: str,
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)

    response = page_client(alice).patch(
        f"/api/claims/{claim.pk}/", {**fields, "version": claim.version}, format="json"
    )

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    claim.refresh_from_db()
    assert claim.version == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_editing_or_deleting_a_missing_claim_is_not_found(
    page_client: PageClient, alice: User, method: str
) -> None:
    response = getattr(page_client(alice), method)(
        "/api/claims/999/", {"version": 1}, format="json"
    )

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_moderator_submits_anyones_draft(
    page_client: PageClient, bob: User, morgan: User, article: Article
) -> None:
    draft = make_claim(user=bob, article=article, phrase=PHRASE, restatement="2250 leave.")

    response = page_client(morgan).post(f"/api/claims/{draft.pk}/submit/")

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"


# Sources and verdicts -----------------------------------------------------------------


def test_a_moderator_removes_anyones_source(
    page_client: PageClient, alice: User, bob: User, morgan: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    source = services.source_add(claim=claim, user=bob, url="https://example.org", stance="context")

    response = page_client(morgan).delete(f"/api/claims/{claim.pk}/sources/{source.pk}/")

    assert response.status_code == 204
    assert not Source.objects.exists()


def test_a_verdict_and_a_source_show_in_the_claim_the_page_reads_again(
    page_client: PageClient, alice: User, bob: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client = page_client(bob)
    client.post(
        f"/api/claims/{claim.pk}/verdicts/",
        {"rating": "mostly_true", "rationale": "The UN counted 2,200."},
        format="json",
    )
    client.post(
        f"/api/claims/{claim.pk}/sources/",
        {"url": "https://example.org", "stance": "supports", "published_on": None},
        format="json",
    )

    response = client.get(f"/api/claims/{claim.pk}/")

    assert response.json()["verdict_count"] == 1
    assert response.json()["version"] == claim.version  # evidence leaves the claim's version


def test_a_verdict_never_replaces_another_reviewers(
    page_client: PageClient, alice: User, bob: User, dana: User, article: Article
) -> None:
    claim = make_claim_in_review(user=dana, article=article, phrase=PHRASE)
    give_verdict(claim, bob, rating="true")

    response = page_client(alice).post(
        f"/api/claims/{claim.pk}/verdicts/",
        {"rating": "false", "rationale": "The UN says 1,400."},
        format="json",
    )

    assert response.status_code == 201
    assert sorted(Verdict.objects.values_list("reviewer__username", "rating")) == [
        ("alice", "false"),
        ("bob", "true"),
    ]


# The speaker type-ahead -----------------------------------------------------------------


def test_the_type_ahead_finds_a_speaker_by_alias_and_says_which(
    page_client: PageClient, alice: User, morgan: User
) -> None:
    services.speaker_create(
        user=morgan,
        name="Syrian Observatory for Human Rights",
        kind=Speaker.Kind.ORGANISATION,
        aliases=["SOHR"],
    )
    SpeakerFactory(name="Opposition sources")

    found = page_client(alice).get("/api/speakers/", {"search": "sohr"}).json()["results"]
    named = page_client(alice).get("/api/speakers/", {"search": "OPPOSITION sou"}).json()

    assert [(s["name"], s["matched_alias"]) for s in found] == [
        ("Syrian Observatory for Human Rights", "SOHR")
    ]
    assert [(s["name"], s["matched_alias"]) for s in named["results"]] == [
        ("Opposition sources", None)
    ]


def test_the_type_ahead_lists_names_that_start_with_the_words_first_eight_at_a_time(
    page_client: PageClient, alice: User
) -> None:
    SpeakerFactory(name="Syrian army")
    SpeakerFactory(name="Army of Islam")
    SpeakerFactory(name="Free Syrian Army")
    for n in range(12):
        SpeakerFactory(name=f"Rebel commander {n:02}")
    client = page_client(alice)

    army = client.get("/api/speakers/", {"search": "army", "page_size": 8}).json()["results"]
    rebels = client.get("/api/speakers/", {"search": "rebel", "page_size": 8}).json()

    assert [s["name"] for s in army] == ["Army of Islam", "Free Syrian Army", "Syrian army"]
    assert len(rebels["results"]) == 8
    assert rebels["next"]


def test_a_new_speakers_name_is_stored_with_single_spaces(
    page_client: PageClient, alice: User
) -> None:
    response = page_client(alice).post(
        "/api/speakers/",
        {"name": "  Abul Hareth  al-Khalidi ", "kind": "person", "side": "opposition"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["name"] == "Abul Hareth al-Khalidi"
    assert Speaker.objects.get().created_by == alice


def test_a_new_speaker_needs_a_name_and_a_kind(page_client: PageClient, alice: User) -> None:
    response = page_client(alice).post("/api/speakers/", {"side": "unknown"}, format="json")

    assert response.status_code == 400
    assert {"name", "kind"} <= set(response.json())
    assert not Speaker.objects.exists()
