"""A backup of the whole desk in one file, and its restore (manage.py backup / restore).

The file is gzipped JSON Lines in Django's fixture format, one row a line, table
after table: users, groups and permissions, tokens, articles, speakers and
aliases, claims, sources, verdicts, every history table, the admin's log, the
content types and the join tables, each row with its own id. A restore empties
the database and writes them back as they were, so ids, links and history all
survive; it is also a plain fixture for ``manage.py loaddata``.

Sessions are left out: after a restore everyone logs in again.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import Model, QuerySet

FORMAT = "jsonl"
LEFT_OUT = {"sessions.session"}
# What `migrate` makes by itself: a database holding only these rows counts as empty.
MADE_BY_MIGRATE = {
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "auth.group_permissions",
}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's fixture encoder, keeping times to the microsecond (it cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[Model]]:
    """Return every model whose table the backup holds, join tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in LEFT_OUT
        and model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]


def stored_fields(model: type[Model]) -> list[str]:
    """Return the names of the model's own columns (many-to-many rows go with their table)."""
    return [field.name for field in model._meta.local_fields]


def holding_data(using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """Yield the name of every table that holds rows beyond what ``migrate`` makes."""
    for model in backed_up_models(using):
        if model._meta.label_lower in MADE_BY_MIGRATE:
            continue
        if rows_of(model, using).exists():
            yield model._meta.db_table


def rows_of(model: type[Model], using: str = DEFAULT_DB_ALIAS) -> QuerySet:
    """Return every row of the model's table, in id order, whatever its managers filter."""
    return QuerySet(model=model, using=using).order_by("pk")
