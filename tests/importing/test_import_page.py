"""The import page: who sees it, and what it hands its script."""

import json
import re

from django.contrib.auth.models import Permission, User
from django.test import Client

from tests.factories import UserFactory


def test_a_reviewer_gets_the_page_and_a_link_from_the_list(client: Client, alice: User) -> None:
    client.force_login(alice)

    listing = client.get("/").content.decode()
    response = client.get("/articles/import/")

    assert 'href="/articles/import/">Import an article</a>' in listing
    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(
        re.search(r'id="import-data" type="application/json">(.*?)</script>', page)[1]
    )
    assert data["urls"] == {"import": "/api/articles/import/", "article": "/articles/0/"}
    assert '<script type="module" src="/static/js/import.js">' in page


def test_anonymous_visitors_log_in_first(client: Client, db) -> None:
    response = client.get("/articles/import/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_outsiders_and_reviewers_without_the_permission_are_refused(
    client: Client, charlie: User
) -> None:
    client.force_login(charlie)
    assert client.get("/articles/import/").status_code == 403

    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(reader)
    assert client.get("/articles/import/").status_code == 403
    assert "Import an article" not in client.get("/").content.decode()


def test_the_page_takes_no_writes(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert client.post("/articles/import/", {"url": "https://example.org/"}).status_code == 405
