"""A database of its own for a measurement: made empty, migrated, dropped afterwards.

The benchmark and the load test write hundreds of thousands of rows and let
strangers log in; they must never touch the data DATABASE_URL holds. So they
make a new database beside it (on the same PostgreSQL server, or a temporary
SQLite file), point Django's connection at it for the run, and drop it at the
end, whatever happened in between.
"""

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections


def _point_at(name: str) -> None:
    """Point the default connection (and any later one) at the database ``name``."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = name
    # Content types and permissions have other ids in another database.
    ContentType.objects.clear_cache()


def _postgres_url(name: str) -> str:
    """Return DATABASE_URL with its database name replaced by ``name``."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@contextmanager
def maintenance_cursor() -> Iterator[psycopg.Cursor]:
    """Yield a cursor on the server's "postgres" database, outside any transaction.

    Databases are made and dropped from there: not from the one DATABASE_URL
    names, which may be the one being dropped, nor inside a transaction.
    """
    with (
        psycopg.connect(_postgres_url("postgres"), autocommit=True) as maintenance,
        maintenance.cursor() as cursor,
    ):
        yield cursor


@contextmanager
def scratch_database(
    *, label: str, keep: bool = False, stdout: TextIO | None = None
) -> Iterator[str]:
    """Make an empty, migrated database, point Django at it, yield its URL; drop it afterwards.

    ``label`` goes into its name (factcheck_<label>_<random>) so that a left-over
    one says what made it. With ``keep`` the database stays, and its URL is
    printed to ``stdout`` for a look after the run.
    """
    stdout = stdout or sys.stdout
    connection = connections[DEFAULT_DB_ALIAS]
    original = connection.settings_dict["NAME"]
    vendor = connection.vendor
    name = f"factcheck_{label}_{secrets.token_hex(4)}"
    directory: Path | None = None
    if vendor == "postgresql":
        with maintenance_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = _postgres_url(name)
        target = name
    elif vendor == "sqlite":
        if connection.is_in_memory_db():
            # Django keeps an in-memory database open for good: it cannot be switched away from.
            raise RuntimeError("No scratch database beside an in-memory SQLite database.")
        directory = Path(tempfile.mkdtemp(prefix=f"factcheck_{label}_"))
        target = str(directory / "db.sqlite3")
        url = f"sqlite:///{target}"
    else:
        raise RuntimeError(f"No scratch database for {vendor}: use PostgreSQL or SQLite.")
    try:
        _point_at(target)
        call_command("migrate", interactive=False, verbosity=0)
        yield url
    finally:
        _point_at(original)
        if keep:
            stdout.write(f"The scratch database was kept: DATABASE_URL={url}\n")
        elif vendor == "postgresql":
            with maintenance_cursor() as cursor:
                # FORCE: a server still shutting down may hold a connection to it.
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
