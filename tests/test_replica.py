"""Reads from a replica: the public side reads from it when DATABASE_REPLICA_URL names one.

The router's rules are tested on their own, with and without a replica. The
requests below need the 'replica' database, configured as a test mirror of the
default one (set DATABASE_REPLICA_URL, for example to DATABASE_URL, as CI does
for its PostgreSQL run); without it they skip.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.models import Article, Claim, Speaker
from factcheck.routers import REPLICA, ReplicaRouter, reads_from_replica, replica_reads

from .api.export_helpers import make_verified
from .factories import ArticleFactory

WITH_REPLICA = {"default": {}, REPLICA: {}}
WITHOUT_REPLICA = {"default": {}}


# The router's rules ------------------------------------------------------------------


def test_without_the_public_side_every_read_goes_to_the_primary() -> None:
    router = ReplicaRouter(WITH_REPLICA)
    assert router.db_for_read(Claim) is None  # None: Django's default database


def test_the_public_side_reads_published_rows_from_the_replica() -> None:
    router = ReplicaRouter(WITH_REPLICA)
    with replica_reads():
        assert router.db_for_read(Claim) == REPLICA
        assert router.db_for_read(Speaker) == REPLICA
        assert router.db_for_read(Article.history.model) == REPLICA
        assert router.db_for_read(User) == REPLICA  # the reviewers' names
        assert router.db_for_read(Session) is None  # logins and sessions: the primary
    assert router.db_for_read(Claim) is None


def test_without_a_replica_the_public_side_reads_the_one_database() -> None:
    router = ReplicaRouter(WITHOUT_REPLICA)
    with replica_reads():
        assert router.db_for_read(Claim) is None


def test_writes_always_go_to_the_primary() -> None:
    router = ReplicaRouter(WITH_REPLICA)
    with replica_reads():
        assert router.db_for_write(Claim) == "default"


def test_nothing_is_migrated_on_the_replica() -> None:
    router = ReplicaRouter(WITH_REPLICA)
    assert router.allow_migrate(REPLICA, "annotations") is False
    assert router.allow_migrate("default", "annotations") is None


@pytest.mark.django_db
def test_a_read_inside_a_transaction_on_the_primary_stays_there() -> None:
    # Each test runs in a transaction on the primary: its reads must see its own writes.
    router = ReplicaRouter(WITH_REPLICA)
    with replica_reads():
        assert router.db_for_read(Claim) is None


def test_a_streamed_body_is_made_with_the_replica_chosen() -> None:
    router = ReplicaRouter(WITH_REPLICA)
    seen = []

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            seen.append(router.db_for_read(Claim))
            yield b"x"

    def view(request: HttpRequest) -> StreamingHttpResponse:
        return StreamingHttpResponse(chunks())

    response = reads_from_replica(view)(HttpRequest())
    assert router.db_for_read(Claim) is None  # the view has returned
    assert b"".join(response.streaming_content) == b"xxx"  # as the server sends it
    assert seen == [REPLICA] * 3
    assert router.db_for_read(Claim) is None


def test_the_wrapper_keeps_a_plain_answer_as_it_is() -> None:
    answer = HttpResponse(b"page")
    assert reads_from_replica(lambda request: answer)(HttpRequest()) is answer


# Through the site, with the replica as a test mirror of the default database ------------

needs_replica = pytest.mark.skipif(
    REPLICA not in settings.DATABASES,
    reason="No replica configured: set DATABASE_REPLICA_URL (to DATABASE_URL, say) to run these.",
)


@pytest.fixture
def published(alice: User, morgan: User) -> Claim:
    article = ArticleFactory()
    return make_verified(
        article=article, phrase="some 2250 people", reviewer=alice, moderator=morgan
    )


def _claim_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if "annotations_" in q["sql"]]


@needs_replica
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")
@pytest.mark.parametrize(
    "path",
    ["/checks/{pk}/", "/sitemap.xml", "/checks/feed/", "/api/export/?format=jsonl"],
)
def test_the_public_side_reads_from_the_replica(
    client: Client, published: Claim, alice: User, path: str, settings
) -> None:
    settings.FACTCHECK_PUBLIC_EXPORT = True
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(path.format(pk=published.pk))
        assert response.status_code == 200
        if response.streaming:
            assert str(published.pk).encode() in b"".join(response.streaming_content)
    assert _claim_reads(replica)
    assert not _claim_reads(primary)


@needs_replica
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")
def test_the_desk_reads_from_the_primary(client: Client, published: Claim, alice: User) -> None:
    client.force_login(alice)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        assert client.get(f"/api/claims/{published.pk}/").status_code == 200
        assert client.get(f"/articles/{published.article_id}/").status_code == 200
    assert _claim_reads(primary)
    assert not replica.captured_queries
