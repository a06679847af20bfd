"""POST /api/articles/import/: from a web address, a page's HTML or text; dry runs; duplicates."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article

from .conftest import page

URL = "/api/articles/import/"
WIRE_CANONICAL = "https://news.example.org/2014/05/07/homs-rebels-leave-old-city"


@pytest.fixture
def alice_api(alice: User, client_for) -> APIClient:
    return client_for(alice)


def test_a_reviewer_imports_a_page_by_its_address(
    alice_api: APIClient, alice: User, page_server: str, local_fetches: None
) -> None:
    response = alice_api.post(URL, {"url": f"{page_server}/pages/wire-video.html"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    article = Article.objects.get()
    assert response["Location"] == f"/api/articles/{article.pk}/"
    assert body["dry_run"] is False
    assert body["article"]["id"] == article.pk
    assert article.title == "Rebels begin leaving Old City of Homs under truce (VIDEO)"
    assert (article.outlet, article.byline, str(article.published_on), article.language) == (
        "Levant Wire",
        "Dana Haddad",
        "2014-05-07",
        "en",
    )
    assert article.url == WIRE_CANONICAL
    assert article.created_by == alice
    assert article.text.startswith("HOMS, Syria")
    assert "\n\nSome 2,250 people" in article.text
    assert "READ MORE" not in article.text and "(VIDEO)" not in article.text
    assert article.history.get().history_user == alice


def test_a_dry_run_returns_the_extraction_and_stores_nothing(
    alice_api: APIClient, page_server: str, local_fetches: None
) -> None:
    response = alice_api.post(
        URL, {"url": f"{page_server}/pages/arabic-rtl.html", "dry_run": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True and body["article"] is None
    found = body["extraction"]
    assert found["language"] == "ar" and found["outlet"] == "صحيفة الشام"
    assert len(found["paragraphs"]) == 4
    assert found["text"] == "\n\n".join(found["paragraphs"])
    assert "اقرأ أيضاً: قافلة مساعدات تصل إلى حلب" in found["removed"]
    assert not Article.objects.exists()


def test_html_with_its_address_and_overrides(alice_api: APIClient) -> None:
    response = alice_api.post(
        URL,
        {
            "html": page("emoji-quotes.html"),
            "url": "https://lantern.example.com/city/cafe-owners-rents?utm=x",
            "title": "Café owners refuse to leave",
            "published_on": "2024-03-19",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    article = Article.objects.get()
    assert article.title == "Café owners refuse to leave"
    assert str(article.published_on) == "2024-03-19"
    assert article.url == "https://lantern.example.com/city/cafe-owners-rents"  # canonical
    assert article.byline == "Zoë Ångström"
    assert "🤷\u200d♀️" in article.text


def test_pasted_text_is_stored_as_given(alice_api: APIClient) -> None:
    text = "“Quoted,” she said. 👍🏽\r\n\r\nمرحبا بالعالم\r\nSecond line.\r\n"
    response = alice_api.post(URL, {"text": text, "language": "ar"}, format="json")

    assert response.status_code == 201, response.json()
    article = Article.objects.get()
    assert article.text == "“Quoted,” she said. 👍🏽\n\nمرحبا بالعالم\nSecond line."
    assert (article.title, article.url, article.language) == ("", "", "ar")


def test_the_same_address_or_text_is_refused_with_the_existing_article(
    alice_api: APIClient, page_server: str, local_fetches: None
) -> None:
    first = alice_api.post(URL, {"url": f"{page_server}/pages/wire-video.html"}, format="json")
    existing = first.json()["article"]["id"]

    again = alice_api.post(URL, {"url": f"{page_server}/gzip"}, format="json")
    assert again.status_code == 400
    assert "already on the desk" in again.json()["url"][0]
    assert again.json()["existing_article"] == {
        "id": existing,
        "display_title": "Rebels begin leaving Old City of Homs under truce (VIDEO)",
        "api_url": f"/api/articles/{existing}/",
        "page_url": f"/articles/{existing}/",
    }

    same_text = alice_api.post(URL, {"text": first.json()["article"]["text"]}, format="json")
    assert same_text.status_code == 400
    assert "This text is already on the desk" in same_text.json()["text"][0]
    assert same_text.json()["existing_article"]["id"] == existing

    dry = alice_api.post(URL, {"html": page("wire-video.html"), "dry_run": True}, format="json")
    assert dry.status_code == 400 and dry.json()["existing_article"]["id"] == existing
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "url", "Send one source"),
        ({"html": "<p>x</p>", "text": "x"}, "html", "not both"),
        ({"url": "ftp://example.org/"}, "url", "http:// or https://"),
        ({"text": "   \n "}, "text", "no text"),
        (
            {"html": "<html><body><img src=a.png><script>1</script></body></html>"},
            "html",
            "No article text",
        ),
        ({"text": "Fine text.", "language": "not a tag!"}, "language", "language tag"),
        ({"text": "Fine text.", "dry_run": "yes"}, "dry_run", "true or false"),
        ({"url": 7}, "url", "Not a valid string"),
    ],
)
def test_bad_input_names_the_field(
    alice_api: APIClient, body: dict, field: str, message: str
) -> None:
    response = alice_api.post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert message.lower() in " ".join(response.json()[field]).lower()
    assert not Article.objects.exists()


def test_an_internal_address_is_refused_and_nothing_stored(
    alice_api: APIClient, page_server: str
) -> None:
    response = alice_api.post(URL, {"url": f"{page_server}/pages/wire-video.html"}, format="json")

    assert response.status_code == 400
    assert "127.0.0.1, an internal address" in response.json()["url"][0]
    assert not Article.objects.exists()


def test_a_failed_fetch_says_what_went_wrong(
    alice_api: APIClient, page_server: str, local_fetches: None
) -> None:
    response = alice_api.post(URL, {"url": f"{page_server}/json"}, format="json")

    assert response.status_code == 400
    assert response.json()["url"] == ["The address gives application/json, not an HTML page."]


@pytest.mark.parametrize(("who", "status"), [("morgan", 201), ("bob", 201), ("charlie", 403)])
def test_who_may_import(request, client_for, who: str, status: int) -> None:
    user = request.getfixturevalue(who)

    response = client_for(user).post(URL, {"text": f"Text imported by {who}."}, format="json")

    assert response.status_code == status
    assert Article.objects.filter(created_by=user).exists() is (status == 201)


def test_anonymous_clients_get_nothing(db) -> None:
    response = APIClient().post(URL, {"text": "Anonymous text."}, format="json")

    assert response.status_code == 401
    assert not Article.objects.exists()


def test_the_session_needs_the_csrf_token(alice: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(URL, {"text": "Text from a form elsewhere."}, format="json")

    assert response.status_code == 403
    assert not Article.objects.exists()


def test_sent_again_with_its_idempotency_key_it_imports_once(alice_api: APIClient) -> None:
    body = {"text": "A story sent twice over a bad connection."}
    first = alice_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    again = alice_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Article.objects.count() == 1
