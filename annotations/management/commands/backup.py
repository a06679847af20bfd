"""Write every table of the desk to one gzipped file: manage.py backup PATH."""

import gzip
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from tqdm import tqdm

from annotations.backups import (
    FORMAT,
    ExactJSONEncoder,
    backed_up_models,
    rows_of,
    stored_fields,
)
from annotations.management.files import replaced_when_complete

BATCH = 2000


def _ticking(rows: Iterable[Model], bar: tqdm) -> Iterator[Model]:
    for row in rows:
        yield row
        bar.update()


class Command(BaseCommand):
    help = (
        "Back up the whole desk (users, tokens, articles, speakers, claims, sources, verdicts, "
        "their history, the admin's log) into one gzipped JSON Lines file, from one consistent "
        "snapshot of the database. manage.py restore PATH puts it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The file to write, for example desk-2026-05-01.jsonl.gz.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to back up (default: %(default)s).",
        )

    def handle(self, *args: Any, path: str, database: str, **options: Any) -> None:
        target = Path(path)
        if not target.name.endswith(".gz"):
            raise CommandError(f"{path}: the backup is gzipped; name it …jsonl.gz.")
        with replaced_when_complete(target) as partial, transaction.atomic(using=database):
            self._snapshot(database)
            models = backed_up_models(database)
            counts = {model: rows_of(model, database).count() for model in models}
            with gzip.open(partial, "wt", encoding="utf-8") as file:
                self._write(file, counts, database)
        tables = sum(1 for count in counts.values() if count)
        self.stdout.write(
            f"Backed up {sum(counts.values()):,} rows of {tables} tables "
            f"({target.stat().st_size:,} bytes) to {path}."
        )

    def _snapshot(self, database: str) -> None:
        """Read every table as of one instant, while the site goes on writing."""
        connection = connections[database]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # SQLite: a read transaction sees one snapshot by itself.

    def _write(self, file: Any, counts: dict[type[Model], int], database: str) -> None:
        # Progress on standard error, and only where someone watches (a terminal).
        with tqdm(
            total=sum(counts.values()),
            unit="row",
            desc="Backing up",
            file=sys.stderr,
            disable=None,
        ) as bar:
            for model, count in counts.items():
                if not count:
                    continue
                rows = rows_of(model, database).iterator(chunk_size=BATCH)
                serializers.serialize(
                    FORMAT,
                    _ticking(rows, bar),
                    stream=file,
                    fields=stored_fields(model),
                    cls=ExactJSONEncoder,
                )
