"""Error reports hide every credential: in the settings, in the environment, inside addresses.

The debug page is read as a developer sees it (DEBUG on, a view that raises);
under runserver the request's META holds the whole environment, so a request
is also made the way runserver makes it, with os.environ in its WSGI environ.
"""

import os
from collections.abc import Iterator
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.views.debug import get_default_exception_reporter_filter

from factcheck.reporting import MASK, CredentialsFilter, mask_url_passwords

DB_PASSWORD = "db-pw-7f3a"  # made up: the page must not show it
REDIS_PASSWORD = "redis-pw-91c2"
OTHER_SECRETS = {
    "MAILER_API_TOKEN": "token-value-5e1d",
    "STORAGE_ACCESS_KEY": "access-key-0b77",
    "SMTP_PASSWORD": "smtp-pw-c4e8",
    "SENTRY_DSN": "https://dsn-key-3a9f@sentry.example.org/4",
    "PARTNER_CREDENTIALS": "partner-cred-2d6b",
    "WEBHOOK_SIGNATURE": "signature-8e0c",
    "UPSTREAM_AUTH": "auth-value-61fa",
}
ENVIRONMENT = {
    "DATABASE_URL": f"postgres://desk:{DB_PASSWORD}@db.example.org:5432/factcheck",
    "REDIS_URL": f"redis://:{REDIS_PASSWORD}@cache.example.org:6379/0",
    **OTHER_SECRETS,
    # Not named like a credential, but an address that carries a password.
    "MIRROR_LOCATION": "https://mirror:mirror-pw-44d0@mirror.example.org/feed",
}
SECRETS = [DB_PASSWORD, REDIS_PASSWORD, "mirror-pw-44d0", *OTHER_SECRETS.values()]


# The view that raises is at the end of this file: the debug page shows the source
# lines around each frame, and those must not hold the made-up secrets above.
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def debug_page(settings) -> Iterator[None]:
    settings.DEBUG = True
    settings.REDIS_URL = ENVIRONMENT["REDIS_URL"]
    settings.PARTNER_FEED = "https://partner:setting-pw-12ab@partner.example.org/feed"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"redis://:{REDIS_PASSWORD}@cache.example.org:6379/1",
        }
    }
    yield


def _get_boom(**headers: str) -> HttpResponse:
    client = Client(raise_request_exception=False)
    return client.get("/boom/", **ENVIRONMENT, **headers)


def test_the_settings_use_the_credentials_filter() -> None:
    assert isinstance(get_default_exception_reporter_filter(), CredentialsFilter)


def test_the_debug_page_masks_credentials_in_meta_and_settings(debug_page: None, db: None) -> None:
    response = _get_boom(HTTP_AUTHORIZATION="Token header-token-77e2")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something broke" in page  # it is the debug page
    assert "DATABASE_URL" in page
    assert "REDIS_URL" in page
    for secret in [*SECRETS, "setting-pw-12ab", "header-token-77e2"]:
        assert secret not in page, secret
    # The address stays readable, its password masked.
    assert f"https://mirror:{MASK}@mirror.example.org/feed" in page
    assert f"https://partner:{MASK}@partner.example.org/feed" in page
    assert f"redis://:{MASK}@cache.example.org:6379/1" in page
    assert "upstream" in page  # the view's local variable, its value masked as above


def test_the_plain_text_debug_page_masks_them_too(debug_page: None, db: None) -> None:
    response = _get_boom(HTTP_ACCEPT="text/plain")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    page = response.content.decode()
    assert "Something broke" in page
    for secret in [*SECRETS, "setting-pw-12ab"]:
        assert secret not in page, secret


def test_runserver_shows_the_environment_and_it_is_masked(
    debug_page: None, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    # As wsgiref (runserver) builds it: the process environment, then the request.
    environ = dict(os.environ)
    setup_testing_defaults(environ)
    environ.update(PATH_INFO="/boom/", HTTP_HOST="127.0.0.1")
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    body = b"".join(WSGIHandler()(environ, start_response)).decode()

    assert statuses == ["500 Internal Server Error"]
    assert "DATABASE_URL" in body
    for secret in SECRETS:
        assert secret not in body, secret


@pytest.mark.parametrize(
    "name",
    [
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "REDIS_URL",
        "CACHE_URL",
        "SECRET_KEY",
        "DB_PASSWORD",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SENTRY_DSN",
        "HTTP_AUTHORIZATION",
        "HTTP_COOKIE",
        "STRIPE_SIGNATURE",
        "api_key",
    ],
)
def test_credential_names_are_masked_whole(name: str) -> None:
    assert CredentialsFilter().cleanse_setting(name, "anything") == MASK


@pytest.mark.parametrize(
    "name", ["DEBUG", "ALLOWED_HOSTS", "STATIC_URL", "FACTCHECK_SITE_URL", "TIME_ZONE", "PATH"]
)
def test_other_names_are_shown(name: str) -> None:
    assert CredentialsFilter().cleanse_setting(name, "shown") == "shown"


def test_nested_values_and_addresses_inside_them_are_cleansed() -> None:
    databases = {
        "default": {
            "NAME": "factcheck",
            "PASSWORD": "pw",
            "OPTIONS": {"service": "postgres://u:inner-pw@h/db"},
        },
        "replicas": ["postgres://u:list-pw@replica/db", ("redis://:tuple-pw@r:6379/0",)],
    }

    cleansed = CredentialsFilter().cleanse_setting("DATABASES", databases)

    assert cleansed == {
        "default": {
            "NAME": "factcheck",
            "PASSWORD": MASK,
            "OPTIONS": {"service": f"postgres://u:{MASK}@h/db"},
        },
        "replicas": [f"postgres://u:{MASK}@replica/db", (f"redis://:{MASK}@r:6379/0",)],
    }


def test_the_filters_settings_and_meta_hide_the_same_names(settings, rf) -> None:
    settings.DATABASE_URL = ENVIRONMENT["DATABASE_URL"]
    request = rf.get("/", **ENVIRONMENT)
    reporter_filter = CredentialsFilter()

    safe_settings = reporter_filter.get_safe_settings()
    safe_meta = reporter_filter.get_safe_request_meta(request)

    assert safe_settings["DATABASE_URL"] == MASK
    assert safe_settings["SECRET_KEY"] == MASK
    assert {name: safe_meta[name] for name in ENVIRONMENT} == {
        **dict.fromkeys(["DATABASE_URL", "REDIS_URL", *OTHER_SECRETS], MASK),
        "MIRROR_LOCATION": f"https://mirror:{MASK}@mirror.example.org/feed",
    }


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgres://desk:pw@db:5432/x", f"postgres://desk:{MASK}@db:5432/x"),
        ("redis://:pw@127.0.0.1:6379/3", f"redis://:{MASK}@127.0.0.1:6379/3"),
        ("see amqp://a:b@c and smtp://d:e@f", f"see amqp://a:{MASK}@c and smtp://d:{MASK}@f"),
        ("https://example.org/a:b@c", "https://example.org/a:b@c"),  # a path, no password
        ("https://user@example.org/", "https://user@example.org/"),  # no password
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
        ("plain text: with @ signs", "plain text: with @ signs"),
    ],
)
def test_mask_url_passwords(text: str, masked: str) -> None:
    assert mask_url_passwords(text) == masked


def boom(request: HttpRequest) -> HttpResponse:
    # A local variable holding an address with a password, shown among the frame's variables.
    upstream = request.META.get("MIRROR_LOCATION", "")  # noqa: F841
    raise RuntimeError("Something broke")


urlpatterns = [path("boom/", boom)]
