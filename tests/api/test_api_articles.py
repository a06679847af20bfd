"""/api/articles/: everyone on the desk reads them; moderators add them."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article
from tests.factories import ArticleFactory

from .conftest import EMOJI_TEXT

Clients = Callable[[User], APIClient]

NEW_ARTICLE = {
    "title": "Homs evacuation ends",
    "outlet": "Wire",
    "url": "https://wire.example/homs",
    "published_on": "2014-05-09",
    "language": "en",
    # Kept exactly: leading spaces, a CRLF and the trailing newline are part of the text.
    "text": "  The last buses left Homs 🚌 on Friday.\r\nMonitors counted 1,900 people.\n",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/articles/"), ("get", "/api/articles/1/"), ("post", "/api/articles/")],
)
def test_it_answers_anonymous_clients_with_401(
    api_client: APIClient, article: Article, method: str, path: str
) -> None:
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "title" not in response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/articles/"), ("get", "/api/articles/{pk}/"), ("post", "/api/articles/")],
)
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, article: Article, method: str, path: str
) -> None:
    response = getattr(client_for(charlie), method)(
        path.format(pk=article.pk), NEW_ARTICLE, format="json"
    )
    assert response.status_code == 403
    assert Article.objects.count() == 1


def test_it_lists_articles_for_reviewers_without_their_text(
    client_for: Clients, alice: User, article: Article
) -> None:
    response = client_for(alice).get("/api/articles/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == article.pk
    assert row["title"] == article.title
    assert row["claim_count"] == 0
    assert "text" not in row


def test_it_shows_an_article_with_its_text_and_length_in_code_points(
    client_for: Clients, bob: User
) -> None:
    article = ArticleFactory(text=EMOJI_TEXT)
    response = client_for(bob).get(f"/api/articles/{article.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == EMOJI_TEXT
    # Python's len: code points. JavaScript's .length would count more (UTF-16 units).
    assert body["text_length"] == len(EMOJI_TEXT)
    assert body["text_length"] < len(EMOJI_TEXT.encode("utf-16-le")) // 2


def test_it_answers_404_in_json_for_a_missing_article(client_for: Clients, alice: User) -> None:
    response = client_for(alice).get("/api/articles/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No Article matches the given query."}


def test_it_lets_a_moderator_add_an_article_with_its_text_kept_exactly(
    client_for: Clients, morgan: User
) -> None:
    response = client_for(morgan).post("/api/articles/", NEW_ARTICLE, format="json")
    assert response.status_code == 201, response.json()
    article = Article.objects.get()
    assert article.text == NEW_ARTICLE["text"]
    assert article.created_by == morgan
    assert response["Location"] == f"/api/articles/{article.pk}/"
    body = response.json()
    assert body["text"] == NEW_ARTICLE["text"]
    assert body["created_by"] == "morgan"
    assert body["published_on"] == "2014-05-09"


def test_it_refuses_a_reviewer_adding_an_article(client_for: Clients, alice: User) -> None:
    response = client_for(alice).post("/api/articles/", NEW_ARTICLE, format="json")
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_it_names_the_text_when_the_same_text_is_added_twice(
    client_for: Clients, morgan: User
) -> None:
    client = client_for(morgan)
    assert client.post("/api/articles/", NEW_ARTICLE, format="json").status_code == 201
    response = client.post("/api/articles/", NEW_ARTICLE, format="json")
    assert response.status_code == 400
    assert "already loaded" in response.json()["text"][0]
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("url", "ftp://wire.example/homs", "http://"),
        ("language", "not a language", "language tag"),
        ("published_on", "9 May 2014", "Date has wrong format"),
        ("text", "   \n ", "no text"),
        ("text", None, "may not be null"),
        ("title", "t" * 501, "no more than 500"),
    ],
)
def test_it_names_the_field_that_is_wrong(
    client_for: Clients, morgan: User, field: str, value: object, problem: str
) -> None:
    response = client_for(morgan).post(
        "/api/articles/", {**NEW_ARTICLE, field: value}, format="json"
    )
    assert response.status_code == 400
    assert problem in " ".join(response.json()[field])
    assert not Article.objects.exists()


def test_it_answers_malformed_json_with_400(client_for: Clients, morgan: User) -> None:
    response = client_for(morgan).post(
        "/api/articles/", '{"text": "unfinished', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_it_pages_articles_in_id_order_with_a_cursor(client_for: Clients, alice: User) -> None:
    made = [ArticleFactory(text=f"Article number {n}.").pk for n in range(5)]
    client = client_for(alice)
    seen: list[int] = []
    url: str | None = "/api/articles/?page_size=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(made)
