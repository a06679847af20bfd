"""Login lockout (django-axes) on every login form: the site's, the admin's and the API's.

Five failures lock out the username, and apart from that the client address,
until fifteen minutes pass without another attempt. The web and the admin get
a page saying when to try again, the API JSON; both answer 429 with Retry-After.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
import redis
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpResponse
from django.test import Client

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
COOL_OFF = 15 * 60


@dataclass(frozen=True)
class LoginForm:
    path: str
    staff_only: bool  # the admin logs in staff only
    api: bool  # under /api/: JSON answers

    def post(
        self, client: Client, username: str, password: str, address: str = "127.0.0.1"
    ) -> HttpResponse:
        return client.post(
            self.path, {"username": username, "password": password}, REMOTE_ADDR=address
        )


SITE = LoginForm("/login/", staff_only=False, api=False)
ADMIN = LoginForm("/admin/login/", staff_only=True, api=False)
API = LoginForm("/api/auth/login/", staff_only=False, api=True)


@pytest.fixture(params=[SITE, ADMIN, API], ids=["site", "admin", "api"])
def form(request: pytest.FixtureRequest) -> LoginForm:
    return request.param


@pytest.fixture
def person(form: LoginForm, alice: User, morgan: User) -> User:
    """Someone this form logs in: a moderator for the admin, a reviewer elsewhere."""
    return morgan if form.staff_only else alice


def _fail(form: LoginForm, client: Client, username: str, times: int, **kwargs: str) -> list[int]:
    return [
        form.post(client, username, "not the password", **kwargs).status_code for _ in range(times)
    ]


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _assert_locked_out(form: LoginForm, response: HttpResponse) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(COOL_OFF)
    if form.api:
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["retry_after"] == COOL_OFF
        assert "Try again in 15 minutes" in body["detail"]
    else:
        page = response.content.decode()
        assert "Too many failed logins" in page
        assert "Try again in 15 minutes" in page
        assert "registration/locked_out.html" in [t.name for t in response.templates]


def _let_time_pass(delta: timedelta) -> None:
    # The database handler locks out until the last attempt plus the cool-off.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_four_failures_only_say_the_password_is_wrong(form: LoginForm, person: User) -> None:
    client = Client()
    assert _fail(form, client, person.username, 4) == [200] * 4
    assert form.post(client, person.username, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_the_fifth_failure_locks_the_username_out(form: LoginForm, person: User) -> None:
    client = Client()
    assert _fail(form, client, person.username, 4) == [200] * 4
    _assert_locked_out(form, form.post(client, person.username, "not the password"))
    _assert_locked_out(form, form.post(client, person.username, "still not it"))


def test_the_right_password_is_refused_while_locked_out(form: LoginForm, person: User) -> None:
    client = Client()
    _fail(form, client, person.username, 5)
    _assert_locked_out(form, form.post(client, person.username, PASSWORD))
    assert not _logged_in(client)


def test_the_right_password_logs_in_once_the_cool_off_has_passed(
    form: LoginForm, person: User
) -> None:
    client = Client()
    _fail(form, client, person.username, 5)
    _let_time_pass(timedelta(minutes=14))
    _assert_locked_out(form, form.post(client, person.username, PASSWORD))  # starts it again
    _let_time_pass(timedelta(minutes=15, seconds=1))
    assert form.post(client, person.username, PASSWORD).status_code == 302
    assert _logged_in(client)


def test_an_address_is_locked_out_whatever_usernames_it_tries(
    form: LoginForm, person: User
) -> None:
    client = Client()
    for name in ("ann", "ben", "cat", "dan"):
        assert _fail(form, client, name, 1) == [200]
    _assert_locked_out(form, _fail_once(form, client, "eve"))
    _assert_locked_out(form, form.post(client, person.username, PASSWORD))
    elsewhere = Client()
    assert form.post(elsewhere, person.username, PASSWORD, address="192.0.2.9").status_code == 302


def _fail_once(form: LoginForm, client: Client, username: str) -> HttpResponse:
    return form.post(client, username, "not the password")


def test_a_username_is_locked_out_from_every_address(form: LoginForm, person: User) -> None:
    client = Client()
    for n in range(5):
        form.post(client, person.username, "not the password", address=f"192.0.2.{n + 1}")
    _assert_locked_out(form, form.post(client, person.username, PASSWORD, address="192.0.2.50"))


def test_others_still_log_in_from_an_address_that_failed_on_one_username(
    alice: User, bob: User
) -> None:
    # bob's failures from 192.0.2.1 lock bob out everywhere, and 192.0.2.1 for everyone;
    # alice at another address is not affected.
    client = Client()
    _fail(SITE, client, "bob", 5, address="192.0.2.1")
    assert SITE.post(Client(), "alice", PASSWORD, address="192.0.2.2").status_code == 302


def test_a_success_forgets_the_users_own_failures(alice: User) -> None:
    client = Client()
    assert _fail(SITE, client, "alice", 4) == [200] * 4
    assert SITE.post(client, "alice", PASSWORD).status_code == 302
    client.post("/logout/")
    assert _fail(SITE, client, "alice", 4) == [200] * 4


def test_a_success_keeps_the_addresss_failures_on_other_usernames(alice: User, bob: User) -> None:
    # Otherwise anyone with an account could guess bob's password four tries at a time,
    # logging in as themselves in between.
    client = Client()
    assert _fail(SITE, client, "bob", 4) == [200] * 4
    assert SITE.post(client, "alice", PASSWORD).status_code == 302
    client.post("/logout/")
    _assert_locked_out(SITE, _fail_once(SITE, client, "bob"))


def test_a_forged_forwarded_for_header_does_not_change_the_address(alice: User) -> None:
    # Without a proxy in front (PROXY_COUNT 0) the header is the client's own word.
    client = Client()
    for n in range(4):
        response = client.post(
            "/login/",
            {"username": f"user{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert response.status_code == 200
    response = client.post(
        "/login/", {"username": "user9", "password": "x"}, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    _assert_locked_out(SITE, response)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_proxy_the_address_it_saw_is_the_clients(settings, alice: User) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client()
    for n in range(5):
        attacker.post(
            "/login/",
            {"username": f"user{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7",
            **proxy,
        )
    assert (
        attacker.post(
            "/login/",
            {"username": "alice", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        ).status_code
        == 429
    )
    response = Client().post(
        "/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.2",
        **proxy,
    )
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_the_lockout_page_looks_like_the_login_page_and_links_back(alice: User) -> None:
    client = Client()
    _fail(SITE, client, "alice", 4)
    page = _fail_once(SITE, client, "alice").content.decode()
    assert 'class="card login"' in page
    assert 'href="/login/"' in page
    admin_page = _fail_once(ADMIN, Client(), "alice").content.decode()
    assert 'href="/admin/login/"' in admin_page


def test_settings_change_the_limit_and_the_cool_off(settings, alice: User) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    client = Client()
    assert _fail(SITE, client, "alice", 1) == [200]
    response = _fail_once(SITE, client, "alice")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Try again in 1 minute," in response.content.decode()


# With REDIS_URL the failures are counted in Redis (django-axes' cache handler), shared by
# every worker and server.
REDIS_PREFIX = "test-lockout"


@pytest.fixture
def redis_cache(redis_cache: redis.Redis, settings) -> redis.Redis:
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"  # as with REDIS_URL
    return redis_cache


def test_with_redis_the_failures_are_counted_there(
    redis_cache: redis.Redis, form: LoginForm, person: User
) -> None:
    client = Client()
    assert _fail(form, client, person.username, 4) == [200] * 4
    assert len(list(redis_cache.scan_iter(f"{REDIS_PREFIX}:*axes-*"))) == 2  # user, address
    assert not AccessAttempt.objects.exists()
    _assert_locked_out(form, _fail_once(form, client, person.username))
    _assert_locked_out(form, form.post(client, person.username, PASSWORD))
    assert not _logged_in(client)


def test_with_redis_the_right_password_logs_in_after_the_cool_off(
    redis_cache: redis.Redis, settings, alice: User
) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    client = Client()
    _fail(SITE, client, "alice", 5)
    assert SITE.post(client, "alice", PASSWORD).status_code == 429
    time.sleep(1.1)  # Redis expires the counters
    assert SITE.post(client, "alice", PASSWORD).status_code == 302


def test_with_redis_an_address_is_locked_out_whatever_usernames_it_tries(
    redis_cache: redis.Redis, alice: User
) -> None:
    client = Client()
    for name in ("ann", "ben", "cat", "dan", "eve"):
        SITE.post(client, name, "x")
    assert SITE.post(client, "alice", PASSWORD).status_code == 429
    assert SITE.post(Client(), "alice", PASSWORD, address="192.0.2.9").status_code == 302
