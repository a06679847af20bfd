"""/api/claims/: list with filters, create, read, edit and delete one's own drafts."""

import base64
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, Speaker
from tests.factories import make_claim, make_claim_in_review

from .conftest import EMOJI_TEXT, Desk

Clients = Callable[[User], APIClient]

PHRASE = "1,200 people had left the Old City"


def _highlight(article: Article, phrase: str, **fields: object) -> dict[str, object]:
    """Return the body a client sends for a highlight of ``phrase``, offsets in code points."""
    start = article.text.index(phrase)
    return {
        "article": article.pk,
        "start": start,
        "end": start + len(phrase),
        "quote": phrase,
        "attribution": "author",
        **fields,
    }


# Who may do what ---------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/claims/"),
    ("post", "/api/claims/"),
    ("get", "/api/claims/{pk}/"),
    ("patch", "/api/claims/{pk}/"),
    ("delete", "/api/claims/{pk}/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_answers_anonymous_clients_with_401(
    api_client: APIClient, desk: Desk, method: str, path: str
) -> None:
    response = getattr(api_client, method)(
        path.format(pk=desk.draft.pk), {"restatement": "x", "version": 1}, format="json"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    desk.draft.refresh_from_db()
    assert desk.draft.version == 1


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, desk: Desk, method: str, path: str
) -> None:
    response = getattr(client_for(charlie), method)(
        path.format(pk=desk.draft.pk),
        _highlight(desk.article, "on Friday", restatement="x", version=1),
        format="json",
    )
    assert response.status_code == 403
    assert Claim.objects.count() == 4
    desk.draft.refresh_from_db()
    assert desk.draft.version == 1


def test_it_refuses_a_session_write_without_the_csrf_token(alice: User, desk: Desk) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/claims/").status_code == 200  # a session is enough to read
    response = client.post("/api/claims/", _highlight(desk.article, PHRASE), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Claim.objects.count() == 4


# Listing -------------------------------------------------------------------------


def _ids(response: Response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_it_lists_every_claim_in_id_order(client_for: Clients, bob: User, desk: Desk) -> None:
    response = client_for(bob).get("/api/claims/")
    assert response.status_code == 200
    assert _ids(response) == sorted(
        [desk.draft.pk, desk.in_review.pk, desk.verified.pk, desk.rejected.pk]
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, ["draft"]),
        ({"status": "verified"}, ["verified"]),
        ({"kind": "quantity"}, ["in_review"]),
        ({"side": "government"}, ["in_review"]),
        ({"side": "opposition"}, []),
        ({"status": "in_review", "kind": "other"}, []),
    ],
)
def test_it_filters_claims(
    client_for: Clients,
    alice: User,
    desk: Desk,
    params: dict[str, str],
    expected: list[str],
) -> None:
    response = client_for(alice).get("/api/claims/", params)
    assert response.status_code == 200
    assert _ids(response) == sorted(getattr(desk, name).pk for name in expected)


def test_it_filters_claims_by_article_and_speaker(
    client_for: Clients, alice: User, desk: Desk, article: Article, opposition: Speaker
) -> None:
    other = make_claim(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    client = client_for(alice)
    assert _ids(client.get("/api/claims/", {"article": article.pk})) == [other.pk]
    assert _ids(client.get("/api/claims/", {"speaker": desk.speaker.pk})) == [desk.in_review.pk]
    assert _ids(client.get("/api/claims/", {"article": 999999})) == []


def test_it_finds_claims_whose_sources_changed_since_a_time(
    client_for: Clients, alice: User, bob: User, desk: Desk
) -> None:
    since = timezone.now() + timedelta(seconds=1)
    Claim.objects.update(updated_at=since - timedelta(minutes=5))
    client = client_for(alice)
    assert _ids(client.get("/api/claims/", {"updated_since": since.isoformat()})) == []
    services.source_add(claim=desk.draft, user=bob, url="https://example.org/a", stance="context")
    Claim.objects.filter(pk=desk.draft.pk).update(updated_at=since + timedelta(seconds=1))
    response = client.get("/api/claims/", {"updated_since": since.isoformat()})
    assert _ids(response) == [desk.draft.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "published"}, "status"),
        ({"kind": "opinion"}, "kind"),
        ({"side": "left"}, "side"),
        ({"article": "one"}, "article"),
        ({"speaker": "99999999999999999999999"}, "speaker"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "9999-12-31T23:59:59-23:59"}, "updated_since"),
        ({"cursor": "not base64!"}, "cursor"),
    ],
)
def test_it_names_the_filter_that_is_wrong(
    client_for: Clients, alice: User, desk: Desk, params: dict[str, str], field: str
) -> None:
    response = client_for(alice).get("/api/claims/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_it_refuses_a_forged_cursor_whose_position_is_no_id(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    # A real cursor's format (base64 of a query string) with a position that is not a number.
    forged = base64.b64encode(b"p=abc").decode()
    response = client_for(alice).get("/api/claims/", {"cursor": forged})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_it_pages_with_a_cursor_that_survives_new_claims(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    client = client_for(alice)
    first = client.get("/api/claims/", {"page_size": 2}).json()
    # A claim made between two pages lands at the end (a new id), not in the middle.
    late = make_claim(user=alice, article=desk.article, phrase="Syrian state media")
    second = client.get(first["next"]).json()
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert seen == sorted([desk.draft.pk, desk.in_review.pk, desk.verified.pk, desk.rejected.pk])
    third = client.get(second["next"]).json()
    assert [row["id"] for row in third["results"]] == [late.pk]
    assert third["next"] is None


def _add_claims(article: Article, user: User, count: int) -> None:
    """Add ``count`` one-character claims at once: rows to fill pages, not a write to test."""
    Claim.objects.bulk_create(
        Claim(
            article=article,
            start=i % 40,
            end=i % 40 + 1,
            quote=article.text[i % 40],
            attribution=Claim.Attribution.AUTHOR,
            created_by=user,
        )
        for i in range(count)
    )


def test_it_gives_a_thousand_claims_in_one_page(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    _add_claims(desk.article, alice, 1000)
    client = client_for(alice)
    first = client.get("/api/claims/", {"article": desk.article.pk, "page_size": 1000}).json()
    assert len(first["results"]) == 1000
    second = client.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(Claim.objects.values_list("id", flat=True))
    assert second["next"] is None


@pytest.mark.parametrize("path", ["/api/claims/", "/api/articles/", "/api/speakers/"])
@pytest.mark.parametrize("size", ["1001", "0", "-5", "ten", "1e3", ""])
def test_it_refuses_a_page_size_it_cannot_give_with_400(
    client_for: Clients, alice: User, desk: Desk, path: str, size: str
) -> None:
    response = client_for(alice).get(path, {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]
    assert "1 to 1000" in response.json()["page_size"][0]


def test_it_lists_with_the_same_queries_for_any_number_of_claims_and_page_size(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    client = client_for(alice)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/claims/", {"page_size": 2}).json()["results"]) == 2
    _add_claims(desk.article, alice, 300)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/claims/", {"page_size": 1000}).json()["results"]) == 304
    # The token with its user, the user's permissions, one page of rows.
    assert len(few) == len(many) == 3


# Creating ------------------------------------------------------------------------


def test_it_creates_a_claim_with_five_queries(client_for: Clients, bob: User, desk: Desk) -> None:
    client = client_for(bob)
    body = _highlight(desk.article, PHRASE, speaker=desk.speaker.pk, attribution="reported")
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/api/claims/", body, format="json").status_code == 201
    statements = [
        q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]
    # The token with its user; the user's permissions; the quote's slice of the text with
    # the speaker, locking the article; the claim; its history.
    assert len(statements) == 5, statements
    assert "FOR UPDATE" in statements[2] or not connection.features.has_select_for_update


def test_it_creates_a_draft_for_a_reviewer(
    client_for: Clients, bob: User, emoji_article: Article
) -> None:
    response = client_for(bob).post(
        "/api/claims/", _highlight(emoji_article, PHRASE, kind="quantity"), format="json"
    )
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get()
    assert claim.created_by == bob
    assert claim.status == Claim.Status.DRAFT
    assert response["Location"] == f"/api/claims/{claim.pk}/"
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["created_by"] == "bob"
    assert body["version"] == 1
    assert body["prefix"] == emoji_article.text[claim.start - 32 : claim.start]


def test_it_counts_offsets_in_code_points_after_emoji(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    start = EMOJI_TEXT.index(PHRASE)
    # Two flags' worth of regional indicators and a television: more UTF-16 units than code points.
    assert len(EMOJI_TEXT[:start].encode("utf-16-le")) // 2 == start + 3
    response = client_for(alice).post(
        "/api/claims/", _highlight(emoji_article, PHRASE), format="json"
    )
    assert response.status_code == 201
    assert (response.json()["start"], response.json()["end"]) == (start, start + len(PHRASE))
    assert response.json()["quote"] == PHRASE


def test_it_refuses_offsets_counted_in_utf16_units(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    start = EMOJI_TEXT.index(PHRASE) + 3  # what JavaScript's indexOf would say
    body = {**_highlight(emoji_article, PHRASE), "start": start, "end": start + len(PHRASE)}
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert "Unicode code points" in response.json()["quote"][0]
    assert not Claim.objects.exists()


def test_it_refuses_offsets_beyond_the_text(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    length = len(EMOJI_TEXT)
    body = {**_highlight(emoji_article, PHRASE), "start": length - 2, "end": length + 5}
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert f"which has {length} characters" in response.json()["end"][0]


def test_it_refuses_a_prefix_that_is_not_the_text_before_the_quote(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    body = _highlight(emoji_article, PHRASE, prefix="Reuters said that ")
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["prefix"]


def test_it_requires_a_speaker_unless_the_article_speaks(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    body = _highlight(emoji_article, PHRASE, attribution="reported")
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert "Say who makes the claim" in response.json()["speaker"][0]


def test_it_creates_a_claim_in_review_with_submit(
    client_for: Clients, alice: User, emoji_article: Article
) -> None:
    body = _highlight(emoji_article, PHRASE, submit=True, restatement="1,200 people left.")
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "in_review"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": 2**80}, "start"),
        ({"start": -1}, "start"),
        ({"end": "twelve"}, "end"),
        ({"end": None}, "end"),
        ({"quote": None}, "quote"),
        ({"quote": ["1,200"]}, "quote"),
        ({"quote": "1,200\x00"}, "quote"),
        ({"article": 2**70}, "article"),
        ({"article": 999999}, "article"),
        ({"article": "first"}, "article"),
        ({"speaker": 999999}, "speaker"),
        ({"attribution": "rumour"}, "attribution"),
        ({"cue_start": 1.5}, "cue_start"),
        ({"submit": "perhaps"}, "submit"),
    ],
)
def test_it_answers_bad_input_with_400_naming_the_field(
    client_for: Clients,
    alice: User,
    emoji_article: Article,
    changes: dict[str, object],
    field: str,
) -> None:
    body = {**_highlight(emoji_article, PHRASE), **changes}
    response = client_for(alice).post("/api/claims/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("body", ["[]", "null", '"claim"', "42", "{"])
def test_it_answers_a_body_that_is_no_object_with_400(
    client_for: Clients, alice: User, body: str
) -> None:
    response = client_for(alice).post("/api/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()


# Reading -------------------------------------------------------------------------


def test_it_shows_a_claim_with_its_version_as_etag(
    client_for: Clients, bob: User, desk: Desk
) -> None:
    response = client_for(bob).get(f"/api/claims/{desk.verified.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    assert body["status"] == "verified"
    assert body["moderated_by"] == "morgan"
    assert body["published_verdict"] == desk.verified.published_verdict_id


def test_it_answers_404_for_a_missing_claim(client_for: Clients, alice: User, db: None) -> None:
    for path in ("/api/claims/424242/", f"/api/claims/{2**64}/"):
        response = client_for(alice).get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


# Editing -------------------------------------------------------------------------


def test_it_lets_the_author_edit_a_draft(client_for: Clients, alice: User, desk: Desk) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{desk.draft.pk}/",
        {"restatement": "It happened on a Friday.", "kind": "date", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    desk.draft.refresh_from_db()
    assert (desk.draft.restatement, desk.draft.kind, desk.draft.version) == (
        "It happened on a Friday.",
        "date",
        2,
    )


def test_it_moves_a_span_with_new_offsets_and_quote(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    body = _highlight(desk.article, "said on Friday")
    del body["article"], body["attribution"]
    response = client_for(alice).patch(
        f"/api/claims/{desk.draft.pk}/", {**body, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["quote"] == "said on Friday"
    assert response.json()["start"] == EMOJI_TEXT.index("said on Friday")


def test_it_refuses_to_edit_someone_elses_claim(client_for: Clients, bob: User, desk: Desk) -> None:
    response = client_for(bob).patch(
        f"/api/claims/{desk.draft.pk}/", {"restatement": "Bob's words", "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert "your own claims" in response.json()["detail"]
    desk.draft.refresh_from_db()
    assert (desk.draft.restatement, desk.draft.version) == ("", 1)


def test_it_lets_a_moderator_edit_any_open_claim(
    client_for: Clients, morgan: User, desk: Desk
) -> None:
    version = desk.in_review.version
    response = client_for(morgan).patch(
        f"/api/claims/{desk.in_review.pk}/",
        {"note": "Checked the wording.", "version": version},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["note"] == "Checked the wording."


@pytest.mark.parametrize("state", ["verified", "rejected"])
def test_it_refuses_to_edit_a_closed_claim(
    client_for: Clients, morgan: User, desk: Desk, state: str
) -> None:
    claim = getattr(desk, state)
    response = client_for(morgan).patch(
        f"/api/claims/{claim.pk}/", {"note": "Late note", "version": claim.version}, format="json"
    )
    assert response.status_code == 403
    assert "can no longer be edited" in response.json()["detail"]


def test_it_asks_for_the_version_an_edit_is_based_on(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{desk.draft.pk}/", {"restatement": "No version"}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()
    desk.draft.refresh_from_db()
    assert desk.draft.restatement == ""


def test_it_refuses_an_edit_whose_quote_does_not_match(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{desk.draft.pk}/", {"quote": "on Saturday", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "not “on Saturday”" in response.json()["quote"][0]
    desk.draft.refresh_from_db()
    assert (desk.draft.quote, desk.draft.version) == ("on Friday", 1)


def test_it_keeps_the_restatement_of_a_claim_in_review(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).patch(
        f"/api/claims/{desk.in_review.pk}/",
        {"restatement": "  ", "version": desk.in_review.version},
        format="json",
    )
    assert response.status_code == 400
    assert "restatement" in response.json()


# Deleting ------------------------------------------------------------------------


def test_it_lets_the_author_delete_a_draft(client_for: Clients, alice: User, desk: Desk) -> None:
    response = client_for(alice).delete(f"/api/claims/{desk.draft.pk}/")
    assert response.status_code == 204
    assert not Claim.objects.filter(pk=desk.draft.pk).exists()


@pytest.mark.parametrize("who", ["bob", "morgan"])
def test_it_refuses_to_delete_someone_elses_draft(
    client_for: Clients, desk: Desk, who: str, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(who)).delete(f"/api/claims/{desk.draft.pk}/")
    assert response.status_code == 403
    assert Claim.objects.filter(pk=desk.draft.pk).exists()


def test_it_refuses_to_delete_a_submitted_claim(
    client_for: Clients, alice: User, desk: Desk
) -> None:
    response = client_for(alice).delete(f"/api/claims/{desk.in_review.pk}/")
    assert response.status_code == 403
    assert "stays on the record" in response.json()["detail"]
    assert Claim.objects.filter(pk=desk.in_review.pk).exists()


# Privacy -------------------------------------------------------------------------


def test_no_answer_reveals_an_email_address(
    client_for: Clients, alice: User, bob: User, morgan: User, desk: Desk
) -> None:
    assert alice.email.endswith("@newsroom.example")
    claim = make_claim_in_review(user=bob, article=desk.article, phrase="Syrian state media")
    reads = [
        "/api/articles/",
        f"/api/articles/{desk.article.pk}/",
        "/api/speakers/",
        f"/api/speakers/{desk.speaker.pk}/",
        "/api/claims/",
        *(f"/api/claims/{c.pk}/" for c in (desk.draft, desk.in_review, desk.verified, claim)),
        f"/api/claims/{desk.in_review.pk}/sources/",
        f"/api/claims/{desk.in_review.pk}/sources/{desk.source.pk}/",
        f"/api/claims/{desk.in_review.pk}/verdicts/",
        f"/api/claims/{desk.in_review.pk}/verdicts/{desk.verdict.pk}/",
    ]
    client = client_for(morgan)
    answers = [client.get(path) for path in reads]
    verdict = client_for(alice).post(
        f"/api/claims/{claim.pk}/verdicts/",
        {"rating": "true", "rationale": "Seen on the record."},
        format="json",
    )
    client_for(morgan).post(  # the quorum: two reviewers' verdicts
        f"/api/claims/{claim.pk}/verdicts/",
        {"rating": "true", "rationale": "Agreed."},
        format="json",
    )
    answers += [
        verdict,
        client.post(
            f"/api/claims/{claim.pk}/verify/", {"verdict": verdict.json()["id"]}, format="json"
        ),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
        assert "@newsroom.example" not in answer.content.decode()
