"""Named actors shared by every test.

alice and bob are reviewers, and dana a third one where a claim needs two reviewers
besides its author; morgan is a moderator (staff, in the admin), charlie is an
outsider: logged in, but in no group.
"""

import os
from collections.abc import Generator, Iterator

import pytest
import redis
from django.contrib.auth.models import User
from django.core.cache import cache

from annotations.models import Article, Speaker

from .factories import ArticleFactory, SpeakerFactory, UserFactory


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Generator[None, None, None]:
    """Run the tests on a transactional database after every other test but the browser's.

    Such a test empties the database when it ends, the groups the migrations made too.
    pytest-django puts them after the tests marked for the database, but not after
    those that reach it only through request.getfixturevalue; the browser tests, which
    are transactional too, go last (tests/browser/conftest.py).
    """
    result = yield

    def order(item: pytest.Item) -> int:
        if item.get_closest_marker("browser"):
            return 2
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and (
            marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
        )
        names = getattr(item, "fixturenames", ())
        return int(bool(transactional or "transactional_db" in names or "live_server" in names))

    items.sort(key=order)
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing costs a tenth of a second per user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(settings) -> None:
    # The API's throttles and the login lockout count in the cache, which outlives a
    # test's database transaction: each test starts with an empty local-memory cache,
    # whatever REDIS_URL says (tests that want Redis ask for it).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    cache.clear()


# Tests that run Django's cache in Redis, as REDIS_URL does, use this database, each
# module under its own key prefix (REDIS_PREFIX in the module), and remove their keys.
REDIS_TEST_URL = "redis://127.0.0.1:6379/1"


@pytest.fixture
def redis_cache(settings, request: pytest.FixtureRequest) -> Iterator[redis.Redis]:
    """Put Django's cache in Redis for the test, as with REDIS_URL; yield the connection."""
    prefix = request.module.REDIS_PREFIX
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.getenv("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_TEST_URL}; CI must run it.")
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: start it to run these tests.")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield connection
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def alice(db) -> User:
    return UserFactory(username="alice", groups=["Reviewers"])


@pytest.fixture
def bob(db) -> User:
    return UserFactory(username="bob", groups=["Reviewers"])


@pytest.fixture
def dana(db) -> User:
    return UserFactory(username="dana", groups=["Reviewers"])


@pytest.fixture
def morgan(db) -> User:
    return UserFactory(username="morgan", is_staff=True, groups=["Moderators"])


@pytest.fixture
def charlie(db) -> User:
    return UserFactory(username="charlie")


@pytest.fixture
def article(db) -> Article:
    return ArticleFactory()


@pytest.fixture
def opposition(db) -> Speaker:
    return SpeakerFactory(name="Opposition sources", side_id=Speaker.Side.OPPOSITION)


@pytest.fixture
def regime(db) -> Speaker:
    return SpeakerFactory(name="Regime representatives", side_id=Speaker.Side.GOVERNMENT)
