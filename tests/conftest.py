"""Named actors shared by every test.

alice and bob are reviewers, morgan is a moderator (staff, in the admin),
charlie is an outsider: logged in, but in no group.
"""

import pytest
from django.contrib.auth.models import User

from annotations.models import Article, Speaker

from .factories import ArticleFactory, SpeakerFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing costs a tenth of a second per user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db) -> User:
    return UserFactory(username="alice", groups=["Reviewers"])


@pytest.fixture
def bob(db) -> User:
    return UserFactory(username="bob", groups=["Reviewers"])


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
    return SpeakerFactory(name="Opposition sources", side=Speaker.Side.OPPOSITION)


@pytest.fixture
def regime(db) -> Speaker:
    return SpeakerFactory(name="Regime representatives", side=Speaker.Side.GOVERNMENT)
