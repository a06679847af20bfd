"""Idempotency-Key on every POST: a repeat gets the first answer and writes nothing."""

import threading
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, IdempotencyKey, Source, Speaker, Verdict
from tests.factories import give_verdict, make_claim, make_claim_in_review

Clients = Callable[[User], APIClient]
PHRASE = "some 2250 people"
KEY = "4f0b7c1e-2d4a-4b8e-9a51-0c7d5e3f9a10"
ON_POSTGRES = connection.vendor == "postgresql"


def _highlight(article: Article, phrase: str = PHRASE) -> dict[str, Any]:
    start = article.text.index(phrase)
    return {
        "article": article.pk,
        "start": start,
        "end": start + len(phrase),
        "quote": phrase,
        "attribution": "author",
    }


def _post(client: APIClient, path: str, body: dict[str, Any], key: str | None = KEY) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, body, format="json", **headers)


def test_a_repeated_create_gets_the_first_answer_and_makes_one_claim(
    client_for: Clients, alice: User, article: Article
) -> None:
    client = client_for(alice)
    first = _post(client, "/api/claims/", _highlight(article))
    again = _post(client, "/api/claims/", _highlight(article))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    for header in ("ETag", "Location", "Content-Type"):
        assert again[header] == first[header]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Claim.objects.count() == 1
    assert Claim.history.count() == 1


def test_without_a_key_each_post_writes(client_for: Clients, alice: User, article: Article) -> None:
    client = client_for(alice)
    for _ in range(2):
        assert _post(client, "/api/claims/", _highlight(article), key=None).status_code == 201
    assert Claim.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_a_422_naming_the_header(
    client_for: Clients, alice: User, article: Article
) -> None:
    client = client_for(alice)
    assert _post(client, "/api/claims/", _highlight(article)).status_code == 201

    response = _post(client, "/api/claims/", _highlight(article, "mostly fighters"))

    assert response.status_code == 422
    assert "another request" in response.json()["Idempotency-Key"][0]
    assert Claim.objects.count() == 1


def test_the_same_key_on_another_path_is_a_422(
    client_for: Clients, alice: User, article: Article, opposition: Speaker
) -> None:
    client = client_for(alice)
    assert _post(client, "/api/claims/", _highlight(article)).status_code == 201

    response = _post(client, "/api/speakers/", {"name": "New", "kind": "person"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()
    assert Speaker.objects.count() == 1


def test_keys_are_per_user(client_for: Clients, alice: User, bob: User, article: Article) -> None:
    for user in (alice, bob):
        assert _post(client_for(user), "/api/claims/", _highlight(article)).status_code == 201
    assert sorted(Claim.objects.values_list("created_by__username", flat=True)) == ["alice", "bob"]


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "clé", "tab\there"],
    ids=["empty", "too-long", "not-ascii", "control-character"],
)
def test_a_malformed_key_is_a_400_naming_the_header(
    client_for: Clients, alice: User, article: Article, key: str
) -> None:
    response = _post(client_for(alice), "/api/claims/", _highlight(article), key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Claim.objects.exists()


def test_a_key_of_255_printable_characters_is_taken(
    client_for: Clients, alice: User, article: Article
) -> None:
    key = ("a b~" * 64)[:255]
    response = _post(client_for(alice), "/api/claims/", _highlight(article), key=key)
    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == key


def test_a_refusal_is_not_kept_so_the_key_can_be_used_again(
    client_for: Clients, alice: User, article: Article
) -> None:
    client = client_for(alice)
    wrong = {**_highlight(article), "quote": "not the text"}
    assert _post(client, "/api/claims/", wrong).status_code == 400
    assert not IdempotencyKey.objects.exists()

    assert _post(client, "/api/claims/", _highlight(article)).status_code == 201
    assert Claim.objects.count() == 1


def test_a_key_older_than_a_day_is_free_again(
    client_for: Clients, alice: User, article: Article
) -> None:
    client = client_for(alice)
    assert _post(client, "/api/claims/", _highlight(article)).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = _post(client, "/api/claims/", _highlight(article, "mostly fighters"))

    assert response.status_code == 201
    assert Claim.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_clear_idempotency_keys_deletes_those_older_than_a_day(alice: User, bob: User) -> None:
    now = timezone.now()
    for user, age in ((alice, timedelta(hours=25)), (bob, timedelta(hours=23))):
        IdempotencyKey.objects.create(
            user=user, key=KEY, request="POST /api/claims/", body_sha256="0", created_at=now - age
        )
    out = StringIO()

    call_command("clear_idempotency_keys", stdout=out)

    assert list(IdempotencyKey.objects.values_list("user__username", flat=True)) == ["bob"]
    assert "Deleted 1 " in out.getvalue()


# Every POST of the API ------------------------------------------------------------


def test_a_repeated_submit_replays_its_200(
    client_for: Clients, alice: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE, restatement="About 2,250.")
    client = client_for(alice)
    first = _post(client, f"/api/claims/{claim.pk}/submit/", {})
    # Without the key, a second submit is refused: the claim is no longer a draft.
    assert _post(client, f"/api/claims/{claim.pk}/submit/", {}, key=None).status_code == 400

    again = _post(client, f"/api/claims/{claim.pk}/submit/", {})

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    claim.refresh_from_db()
    assert claim.version == 2


@pytest.mark.parametrize("action", ["reject", "reopen", "verify", "withdraw"])
def test_repeated_moderation_replays_its_answer(
    client_for: Clients,
    alice: User,
    bob: User,
    morgan: User,
    article: Article,
    action: str,
) -> None:
    if action == "withdraw":
        claim = make_claim(user=alice, article=article, phrase=PHRASE)
    else:
        claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    verdict = give_verdict(claim, bob)
    give_verdict(claim, morgan)  # the quorum of two
    if action == "reopen":
        services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    body = {"verdict": verdict.pk} if action == "verify" else {"reason": "Decided."}
    client = client_for(morgan)
    version = Claim.objects.get(pk=claim.pk).version

    answers = [_post(client, f"/api/claims/{claim.pk}/{action}/", body) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert Claim.objects.get(pk=claim.pk).version == version + 1


def test_a_repeated_source_makes_one_source(
    client_for: Clients, alice: User, bob: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    body = {"url": "https://www.un.org/homs", "stance": "supports"}
    answers = [_post(client_for(bob), f"/api/claims/{claim.pk}/sources/", body) for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.content for a in answers}) == 1
    assert Source.objects.count() == 1


def test_a_repeated_verdict_replays_its_201(
    client_for: Clients, alice: User, bob: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    body = {"rating": "true", "rationale": "Checked."}
    answers = [_post(client_for(bob), f"/api/claims/{claim.pk}/verdicts/", body) for _ in range(2)]

    assert [a.status_code for a in answers] == [201, 201]
    assert Verdict.objects.count() == 1
    assert Verdict.history.count() == 1


def test_a_repeated_speaker_and_article_write_once(client_for: Clients, morgan: User) -> None:
    client = client_for(morgan)
    speakers = [
        _post(client, "/api/speakers/", {"name": "SOHR", "kind": "organisation"}, key="s")
        for _ in range(2)
    ]
    articles = [
        _post(client, "/api/articles/", {"text": "A short text to check."}, key="a")
        for _ in range(2)
    ]

    assert [a.status_code for a in speakers + articles] == [201, 201, 201, 201]
    assert speakers[0]["Location"] == speakers[1]["Location"]
    assert articles[0]["Location"] == articles[1]["Location"]
    assert Speaker.objects.count() == Article.objects.count() == 1


def test_every_post_in_the_schema_takes_the_header(client_for: Clients, alice: User) -> None:
    schema = client_for(alice).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    posts = {
        path: operations["post"]
        for path, operations in schema.json()["paths"].items()
        if "post" in operations
    }

    assert len(posts) == 13
    for path, operation in posts.items():
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        header = parameters["Idempotency-Key"]
        assert header["schema"]["maxLength"] == 255, path
        assert "422" in operation["responses"], path


# At the same instant (PostgreSQL: SQLite takes one writer at a time) -------------------


def _at_once(count: int, send: Callable[[], Any]) -> list[Any]:
    """Run ``send`` in ``count`` threads released together; return the answers."""
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            answers[index] = send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


on_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite lets one writer in at a time, so it cannot show requests at the same "
    "instant: run with DATABASE_URL naming a PostgreSQL database",
)


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_posts_at_the_same_instant_make_one_claim(
    token_for: Callable[[User], str], alice: User, article: Article
) -> None:
    token = token_for(alice)

    def send() -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return _post(client, "/api/claims/", _highlight(article))

    answers = _at_once(2, send)

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert Claim.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_verdicts_at_once_by_one_reviewer_are_one_201_and_four_200s(
    token_for: Callable[[User], str], alice: User, bob: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    token = token_for(bob)

    def send() -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        body = {"rating": "true", "rationale": "Checked."}
        return _post(client, f"/api/claims/{claim.pk}/verdicts/", body, key=None)

    answers = _at_once(5, send)

    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201]
    assert Verdict.objects.filter(claim=claim).count() == 1
