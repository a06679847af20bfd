"""Reads of the published fact-checks from a replica, when DATABASE_REPLICA_URL names one.

The public side (the fact-check pages, the sitemap, the feed and the export)
is read far more than it is written, and a little behind is fine for it: a
streaming replica of the primary can take those reads. Everything else (the
desk's pages, the API, the admin, logins and sessions) reads and writes the
primary, so that a reviewer always sees their own writes.

The views that may read from the replica are wrapped in ``reads_from_replica``
(factcheck/urls.py), which sets a context variable for the length of the view
and of a streamed body; ``ReplicaRouter`` reads it. Without a 'replica'
database, or without the variable, the router has no opinion and Django uses
'default'.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
# The apps whose rows the public side shows: the desk's own models (claims, articles,
# speakers, sources, verdicts and their history) and the reviewers' names (the user model).
PUBLISHED_APPS = frozenset({"annotations"})

_public_reads: ContextVar[bool] = ContextVar("public_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads of published rows made inside the block to the replica, if there is one."""
    token = _public_reads.set(True)
    try:
        yield
    finally:
        _public_reads.reset(token)


def _each_from_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    """Yield the chunks of a streamed body, each made inside ``replica_reads``.

    A streamed export reads most of its rows after the view has returned, while
    the server sends the body: the variable must hold for each chunk's making.
    """
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def reads_from_replica(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a view of the public side: its reads of published rows go to the replica."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with replica_reads():
            response = view(request, *args, **kwargs)
        if response.streaming:
            response.streaming_content = _each_from_replica(response.streaming_content)  # type: ignore[attr-defined]
        return response

    return wrapper


class ReplicaRouter:
    """Route the public side's reads to 'replica'; leave everything else to 'default'.

    A read stays on the primary inside a transaction there: it must see that
    transaction's own writes, which the replica has not got yet.
    """

    def __init__(self, databases: Mapping[str, Any] | None = None) -> None:
        self.has_replica = REPLICA in (settings.DATABASES if databases is None else databases)

    def _published(self, model: type[Model]) -> bool:
        return model._meta.app_label in PUBLISHED_APPS or model is get_user_model()

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if (
            self.has_replica
            and _public_reads.get()
            and self._published(model)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: a row read from either may point to the other.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica copies the primary's schema; nothing is migrated on it directly.
        return False if db == REPLICA else None
