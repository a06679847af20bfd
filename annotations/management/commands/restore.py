"""Put a backup back: manage.py restore PATH (from manage.py backup)."""

import gzip
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Model
from tqdm import tqdm

from annotations.backups import FORMAT, holding_data


def _lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        yield from file


class Command(BaseCommand):
    help = (
        "Restore a backup made by manage.py backup: empty the database and write back every "
        "row as it was, in one transaction (a failure changes nothing). Refuses a database "
        "that holds data unless --force; one that holds only what migrate makes counts as "
        "empty. Run migrate first: the tables must be those of the code that made the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup file (…jsonl.gz).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database holds data: all of it is replaced.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to restore into (default: %(default)s).",
        )

    def handle(self, *args: Any, path: str, force: bool, database: str, **options: Any) -> None:
        source = Path(path)
        try:
            total = sum(1 for _ in _lines(source))
        except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
            raise CommandError(f"{path} is not a readable backup: {exc}.") from None
        try:
            with transaction.atomic(using=database):
                occupied = list(holding_data(database))
                if occupied and not force:
                    raise CommandError(
                        f"The database holds data ({', '.join(occupied[:5])}"
                        f"{', …' if len(occupied) > 5 else ''}): restoring would replace all "
                        "of it. Pass --force if you mean that; nothing was changed."
                    )
                restored = self._restore(source, total, database)
        except (DeserializationError, DatabaseError) as exc:
            raise CommandError(
                f"{path} could not be restored, and nothing was changed: {exc}"
            ) from None
        self.stdout.write(f"Restored {total:,} rows of {len(restored)} tables from {path}.")

    def _restore(self, source: Path, total: int, database: str) -> set[type[Model]]:
        connection = connections[database]
        # Every table emptied, the content types and permissions too: the backup brings
        # its own, with the ids its other rows name.
        call_command(
            "flush", database=database, interactive=False, inhibit_post_migrate=True, verbosity=0
        )
        restored: set[type[Model]] = set()
        objects = serializers.deserialize(FORMAT, _lines(source), using=database)
        with (
            connection.constraint_checks_disabled(),
            tqdm(
                objects,
                total=total,
                unit="row",
                desc="Restoring",
                file=sys.stderr,
                disable=None,
            ) as rows,
        ):
            for row in rows:
                row.save(using=database)
                restored.add(type(row.object))
        # Rows refer to one another in any order; check every link once all are in.
        connection.check_constraints(table_names=[model._meta.db_table for model in restored])
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(restored)):
                cursor.execute(statement)
        # Content types and permissions of any model newer than the backup.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=database)
        return restored
