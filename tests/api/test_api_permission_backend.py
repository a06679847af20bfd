"""The site's auth backend: ModelBackend's answers, with a user's permissions read in one query.

The API asks for permissions on every request (the role check, then the services'
checks), so reading them costs every request.
"""

import pytest
from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_backends
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.permissions import PermissionBackend
from tests.factories import UserFactory


def _fresh(user: User) -> User:
    """Return the user as a new request sees it: nothing read yet."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def editor(db: None) -> User:
    """A reviewer also given a right of their own, not their group's."""
    user = UserFactory(username="erin", groups=["Reviewers"])
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


@pytest.fixture
def root(db: None) -> User:
    return UserFactory(username="root", is_superuser=True)


def test_it_is_the_sites_backend() -> None:
    # After the login lockout's, which checks no password and grants no permission.
    assert [type(backend) for backend in get_backends()] == [
        AxesStandaloneBackend,
        PermissionBackend,
    ]


@pytest.mark.parametrize("name", ["alice", "morgan", "charlie", "editor", "root"])
def test_it_gives_what_model_backend_gives(name: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(name)
    every = [
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    ]
    assert PermissionBackend().get_all_permissions(_fresh(user)) == (
        ModelBackend().get_all_permissions(_fresh(user))
    )
    expected = {perm: ModelBackend().has_perm(_fresh(user), perm) for perm in every}
    asked = _fresh(user)
    assert {perm: asked.has_perm(perm) for perm in every} == expected


def test_it_reads_them_in_one_query_and_keeps_them_for_the_request(alice: User) -> None:
    user = _fresh(alice)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("annotations.add_claim")
        assert not user.has_perm("annotations.moderate_claim")
        assert user.has_perm("annotations.view_article")
    assert len(queries) == 1


def test_it_counts_the_users_own_rights(editor: User) -> None:
    user = _fresh(editor)
    assert user.has_perm("annotations.change_article")
    assert not user.has_perm("annotations.moderate_claim")


def test_the_next_request_sees_a_right_withdrawn_a_moment_before(alice: User) -> None:
    assert _fresh(alice).has_perm("annotations.add_claim")
    Group.objects.get(name="Reviewers").permissions.remove(
        Permission.objects.get(codename="add_claim")
    )
    assert not _fresh(alice).has_perm("annotations.add_claim")


def test_it_leaves_an_inactive_user_without_rights(morgan: User) -> None:
    morgan.is_active = False
    with CaptureQueriesContext(connection) as queries:
        assert not morgan.has_perm("annotations.moderate_claim")
        assert morgan.get_all_permissions() == set()
    assert not queries


def test_it_still_logs_people_in(alice: User) -> None:
    assert (
        PermissionBackend().authenticate(
            None, username="alice", password="correct horse battery staple"
        )
        == alice
    )
