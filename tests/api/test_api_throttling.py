"""The API's throttles: anonymous clients, users, failed tokens and the export.

Over its rate a client gets 429 with Retry-After and JSON that names the wait.
The rates here are made small; the settings' defaults are tested at the end.
"""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

ROOT = Path(__file__).resolve().parents[2]
RATES = {"anon": "3/min", "user": "3/min", "failed_token": "3/min", "export": "2/min"}


@pytest.fixture
def rates(settings) -> Callable[..., None]:
    """Set the throttle rates: RATES, with any scope given as a keyword."""

    def set_rates(**changed: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**RATES, **changed},
        }

    set_rates()
    return set_rates


def _assert_throttled(response: Response, window: int = 60) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    wait = int(response["Retry-After"])
    assert 0 < wait <= window
    body = response.json()
    assert body["retry_after"] == wait
    assert f"{wait} second" in body["detail"]


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the throttles' clock on by ``seconds``."""
    now = SimpleRateThrottle.timer()
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda _self: now + seconds)


def _bad_token_client(address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    return client


def test_a_user_over_the_rate_gets_429(rates, client_for, alice: User, bob: User) -> None:
    client = client_for(alice)
    assert [client.get("/api/claims/").status_code for _ in range(3)] == [200] * 3
    _assert_throttled(client.get("/api/claims/"))
    _assert_throttled(client.post("/api/speakers/", {"name": "X", "kind": "person"}))
    assert client_for(bob).get("/api/claims/").status_code == 200  # per user


def test_the_user_rate_counts_session_requests_too(rates, alice: User) -> None:
    client = APIClient()
    client.force_login(alice)
    for _ in range(3):
        client.get("/api/claims/")
    _assert_throttled(client.get("/api/articles/"))


def test_a_user_may_go_on_once_the_window_has_passed(
    rates, client_for, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(alice)
    for _ in range(3):
        client.get("/api/claims/")
    assert client.get("/api/claims/").status_code == 429
    _later(monkeypatch, 61)
    assert client.get("/api/claims/").status_code == 200


def test_an_anonymous_client_over_the_rate_gets_429(rates, settings, db) -> None:
    # Only the public export answers anonymous clients; they are counted per address.
    settings.FACTCHECK_PUBLIC_EXPORT = True
    rates(export="100/min")
    client = APIClient(REMOTE_ADDR="192.0.2.1")
    assert [client.get("/api/export/").status_code for _ in range(3)] == [200] * 3
    _assert_throttled(client.get("/api/export/"))
    assert APIClient(REMOTE_ADDR="192.0.2.2").get("/api/export/").status_code == 200


def test_clients_without_credentials_get_401_however_often(rates, db) -> None:
    client = APIClient()
    assert {client.get("/api/claims/").status_code for _ in range(10)} == {401}


def test_failed_tokens_are_limited_per_address(rates, client_for, alice: User) -> None:
    attacker = _bad_token_client()
    assert [attacker.get("/api/claims/").status_code for _ in range(3)] == [401] * 3
    _assert_throttled(attacker.get("/api/claims/"))
    # Every token from that address is refused now, a valid one too...
    alice_here = client_for(alice)
    _assert_throttled(alice_here.get("/api/claims/"))
    # ...but not from another address, nor the session from the same one.
    assert _bad_token_client("192.0.2.7").get("/api/claims/").status_code == 401
    alice_elsewhere = client_for(alice)
    alice_elsewhere.defaults["REMOTE_ADDR"] = "192.0.2.8"
    assert alice_elsewhere.get("/api/claims/").status_code == 200
    session = APIClient()
    session.force_login(alice)
    assert session.get("/api/claims/").status_code == 200


def test_every_malformed_token_header_counts_as_a_failure(rates, db) -> None:
    client = APIClient()
    for header in ("Token", "Token a b", "token nope"):
        assert client.get("/api/claims/", HTTP_AUTHORIZATION=header).status_code == 401
    _assert_throttled(client.get("/api/claims/", HTTP_AUTHORIZATION="Token again"))


def test_valid_tokens_do_not_count_as_failures(rates, client_for, alice: User) -> None:
    rates(user="100/min")
    client = client_for(alice)
    assert {client.get("/api/claims/").status_code for _ in range(10)} == {200}
    assert _bad_token_client().get("/api/claims/").status_code == 401


def test_failed_tokens_are_forgotten_once_the_window_has_passed(
    rates, client_for, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    attacker = _bad_token_client()
    for _ in range(3):
        attacker.get("/api/claims/")
    _later(monkeypatch, 61)
    assert client_for(alice).get("/api/claims/").status_code == 200


def test_behind_a_proxy_failed_tokens_count_by_the_address_it_saw(
    rates, settings, client_for, alice: User
) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    through_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = _bad_token_client()
    for n in range(3):
        attacker.get(
            "/api/claims/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7", **through_proxy
        )
    assert (
        attacker.get("/api/claims/", HTTP_X_FORWARDED_FOR="203.0.113.7", **through_proxy)
    ).status_code == 429
    response = client_for(alice).get(
        "/api/claims/", HTTP_X_FORWARDED_FOR="198.51.100.50", **through_proxy
    )
    assert response.status_code == 200


def test_the_export_has_its_own_tighter_rate(rates, client_for, alice: User, bob: User) -> None:
    rates(user="100/min")
    client = client_for(alice)
    assert [client.get("/api/export/").status_code for _ in range(2)] == [200] * 2
    _assert_throttled(client.get("/api/export/?format=csv"))
    assert client.get("/api/claims/").status_code == 200  # other endpoints go on
    assert client_for(bob).get("/api/export/").status_code == 200  # per user


# With REDIS_URL every worker and server counts in Redis (the redis_cache fixture).
REDIS_PREFIX = "test-throttling"


def test_with_redis_users_are_counted_there(
    redis_cache: redis.Redis, rates, client_for, alice: User
) -> None:
    client = client_for(alice)
    for _ in range(3):
        assert client.get("/api/claims/").status_code == 200
    assert redis_cache.exists(f"{REDIS_PREFIX}:1:throttle_user_{alice.pk}")
    _assert_throttled(client.get("/api/claims/"))


def test_with_redis_failed_tokens_are_counted_there(redis_cache: redis.Redis, rates, db) -> None:
    attacker = _bad_token_client("192.0.2.44")
    for _ in range(3):
        assert attacker.get("/api/claims/").status_code == 401
    assert redis_cache.exists(f"{REDIS_PREFIX}:1:throttle_failed_token_192.0.2.44")
    _assert_throttled(attacker.get("/api/claims/"))


# The settings' rates, read from the environment in a fresh interpreter.


def _settings_in(env: dict[str, str], *expressions: str) -> list:
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PROXY_COUNT")}
    environ.update({"DEBUG": "true", **env})
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps([{', '.join(expressions)}]))"
    )
    result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        return [result.stderr]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_default_rates_allow_one_busy_editor() -> None:
    rates, proxies = _settings_in(
        {}, "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']", "s.REST_FRAMEWORK['NUM_PROXIES']"
    )
    assert rates == {
        "anon": "60/min",
        "user": "1200/min",
        "failed_token": "20/min",
        "export": "30/min",
    }
    assert proxies == 0


def test_rates_and_the_proxy_count_come_from_the_environment() -> None:
    env = {
        "THROTTLE_ANON": "10/hour",
        "THROTTLE_USER": "5000/min",
        "THROTTLE_FAILED_TOKEN": "5/min",
        "THROTTLE_EXPORT": "100/day",
        "BEHIND_TLS_PROXY": "true",
    }
    rates, proxies = _settings_in(
        env, "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']", "s.REST_FRAMEWORK['NUM_PROXIES']"
    )
    assert rates == {
        "anon": "10/hour",
        "user": "5000/min",
        "failed_token": "5/min",
        "export": "100/day",
    }
    assert proxies == 1
    assert _settings_in(
        {"BEHIND_TLS_PROXY": "true", "PROXY_COUNT": "2"}, "s.REST_FRAMEWORK['NUM_PROXIES']"
    ) == [2]


def test_a_rate_that_is_not_one_is_named() -> None:
    (error,) = _settings_in({"THROTTLE_USER": "fast"}, "s.DEBUG")
    assert "THROTTLE_USER must be a rate such as 60/min" in error


def test_redis_url_selects_redis_for_the_cache_and_the_lockout() -> None:
    with_redis = _settings_in(
        {"REDIS_URL": "redis://cache.internal:6379/0"}, "s.CACHES['default']", "s.AXES_HANDLER"
    )
    assert with_redis == [
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/0",
        },
        "axes.handlers.cache.AxesCacheHandler",
    ]
    without = _settings_in({}, "s.CACHES['default']['BACKEND']", "s.AXES_HANDLER")
    assert without == [
        "django.core.cache.backends.locmem.LocMemCache",
        "axes.handlers.database.AxesDatabaseHandler",
    ]
