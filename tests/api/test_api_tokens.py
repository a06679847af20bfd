"""Token authentication, the issue_token command, and sessions as the other way in."""

from collections.abc import Callable
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from tests.factories import UserFactory

Clients = Callable[[User], APIClient]


def _issue(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_issue_token_prints_a_token_that_lets_the_user_in(alice: User) -> None:
    key = _issue("alice")
    assert Token.objects.get(user=alice).key == key
    response = _client(key).get("/api/claims/")
    assert response.status_code == 200


def test_issue_token_prints_the_same_token_when_run_again(alice: User) -> None:
    assert _issue("alice") == _issue("alice")
    assert Token.objects.filter(user=alice).count() == 1


def test_issue_token_rotate_replaces_the_token_and_the_old_one_stops_working(
    alice: User,
) -> None:
    old = _issue("alice")
    new = _issue("alice", "--rotate")
    assert new != old
    assert Token.objects.get(user=alice).key == new
    assert _client(old).get("/api/claims/").status_code == 401
    assert _client(new).get("/api/claims/").status_code == 200


def test_issue_token_rotate_creates_a_token_for_a_user_without_one(bob: User) -> None:
    key = _issue("bob", "--rotate")
    assert Token.objects.get(user=bob).key == key


def test_issue_token_names_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="There is no user named 'nobody'"):
        _issue("nobody")
    assert not Token.objects.exists()


def test_issue_token_refuses_an_inactive_user(db: None) -> None:
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="gone is inactive"):
        _issue("gone")
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Token 0000000000000000000000000000000000000000",
        "Token ",
        "Token two words",
        "Token " + "f" * 41,
        # Not "Token \x00": that would reach the database, where PostgreSQL refuses NUL as
        # a server error; gunicorn refuses such headers itself (400, RFC 9110 § 5.5).
    ],
)
def test_a_bad_token_gets_401(db: None, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/claims/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_a_token_of_a_user_made_inactive_gets_401(
    alice: User, token_for: Callable[[User], str]
) -> None:
    key = token_for(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert _client(key).get("/api/claims/").status_code == 401


def test_no_credentials_get_401_not_403(db: None) -> None:
    response = APIClient().get("/api/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_session_from_the_sites_login_works_too(alice: User) -> None:
    client = APIClient()
    # The login lockout (django-axes) needs the request that logs in.
    assert client.login(
        request=HttpRequest(), username="alice", password="correct horse battery staple"
    )
    response = client.get("/api/claims/")
    assert response.status_code == 200


def test_the_admin_lists_tokens(db: None) -> None:
    # Moderators issue tokens in the admin as well as with the command.
    assert isinstance(admin.site.get_model_admin(TokenProxy), TokenAdmin)


def test_the_token_admin_page_opens_for_a_superuser(
    client: Client, admin_user: User, alice: User, token_for: Callable[[User], str]
) -> None:
    token_for(alice)
    client.force_login(admin_user)
    response = client.get("/admin/authtoken/tokenproxy/")
    assert response.status_code == 200
    assert "alice" in response.content.decode()
