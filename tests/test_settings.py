"""Settings read from the environment, checked in a fresh interpreter each time."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "factcheck.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # As a production server: no development tools (make test turns them on).
    unset = ("DEBUG", "SECRET_KEY", "FACTCHECK_DEV_TOOLS")
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ.update(env)
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_a_secret_key_refuses_to_start() -> None:
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_debug_value_that_is_not_a_boolean_is_named() -> None:
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_database_url_selects_postgresql_through_psycopg() -> None:
    code = (
        "from django.conf import settings; from django.db import connection; "
        "import psycopg; db = settings.DATABASES['default']; "
        "print(db['ENGINE'], db['NAME'], db['HOST'], db['PORT'])"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://desk:pw@db.example.org:5433/factcheck",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "factcheck",
        "db.example.org",
        "5433",
    ]


def test_without_database_url_the_site_uses_sqlite_in_the_project_folder() -> None:
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    environ_without_url = {"DATABASE_URL": ""}
    result = _manage("shell", "--no-imports", "-c", code, **environ_without_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / "db.sqlite3")
