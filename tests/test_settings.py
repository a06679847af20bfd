"""Settings read from the environment, checked in a fresh interpreter each time."""

import json
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


def _read_settings(*names: str, **env: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    result = _manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_when_the_variable_is_unset() -> None:
    found = _read_settings("DEBUG", "SECURE_SSL_REDIRECT", SECRET_KEY=PRODUCTION["SECRET_KEY"])

    assert found == {"DEBUG": False, "SECURE_SSL_REDIRECT": True}


def test_with_nothing_set_the_site_refuses_to_start_and_says_how_to_develop() -> None:
    result = _manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "DEBUG=true uses a development key (make run sets it)" in result.stderr


def test_debug_true_gives_a_developers_conveniences() -> None:
    found = _read_settings(
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", DEBUG="true"
    )

    assert found["DEBUG"] is True
    assert found["SECRET_KEY"].startswith("development-only")
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert found["SECURE_SSL_REDIRECT"] is False


def test_the_tests_read_the_development_settings_and_run_with_debug_off(settings) -> None:
    # pyproject.toml sets DEBUG=true for the settings module; pytest-django turns DEBUG off.
    assert os.environ["DEBUG"] == "true"
    assert settings.DEBUG is False
    assert settings.SECRET_KEY.startswith("development-only")
    assert settings.SECURE_SSL_REDIRECT is False


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
        DEBUG="true",
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
    environ_without_url = {"DATABASE_URL": "", "DEBUG": "true"}
    result = _manage("shell", "--no-imports", "-c", code, **environ_without_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ROOT / "db.sqlite3")


def test_database_replica_url_adds_a_replica_that_tests_mirror_from_the_default() -> None:
    code = (
        "import json; from django.conf import settings; db = settings.DATABASES; "
        "print(json.dumps([sorted(db), db['replica']['HOST'], db['replica']['NAME'], "
        "db['replica']['TEST']['MIRROR'], settings.DATABASE_ROUTERS]))"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://desk:pw@primary.example.org:5432/factcheck",
        DATABASE_REPLICA_URL="postgres://reader:pw@replica.example.org:5432/factcheck",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        ["default", "replica"],
        "replica.example.org",
        "factcheck",
        "default",
        ["factcheck.routers.ReplicaRouter"],
    ]


def test_without_database_replica_url_there_is_one_database() -> None:
    code = "from django.conf import settings; print(sorted(settings.DATABASES))"
    result = _manage("shell", "--no-imports", "-c", code, DATABASE_REPLICA_URL="", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default']"


def test_the_public_cache_ages_come_from_the_environment() -> None:
    code = (
        "from django.conf import settings; "
        "print(settings.FACTCHECK_PUBLIC_MAX_AGE, settings.FACTCHECK_PUBLIC_S_MAXAGE)"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        FACTCHECK_PUBLIC_MAX_AGE="60",
        FACTCHECK_PUBLIC_S_MAXAGE="86400",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "86400"]


def test_a_negative_cache_age_refuses_to_start() -> None:
    result = _manage("check", FACTCHECK_PUBLIC_S_MAXAGE="-1", DEBUG="true")
    assert result.returncode != 0
    assert "FACTCHECK_PUBLIC_MAX_AGE and FACTCHECK_PUBLIC_S_MAXAGE must be 0 or more" in (
        result.stderr
    )


def test_the_verdict_quorum_must_be_one_or_more() -> None:
    result = _manage("check", DEBUG="true", FACTCHECK_VERDICT_QUORUM="0")
    assert result.returncode != 0
    assert "FACTCHECK_VERDICT_QUORUM must be 1 or more" in result.stderr


def test_the_rules_of_the_desk_read_their_settings() -> None:
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.FACTCHECK_VERDICT_QUORUM, "
        "s.FACTCHECK_AUTHOR_MAY_RATE, s.FACTCHECK_MODERATOR_MAY_PUBLISH_OWN, "
        "s.FACTCHECK_CREDIT_ALL_REVIEWERS)",
        DEBUG="true",
        FACTCHECK_VERDICT_QUORUM="3",
        FACTCHECK_AUTHOR_MAY_RATE="true",
        FACTCHECK_MODERATOR_MAY_PUBLISH_OWN="yes",
        FACTCHECK_CREDIT_ALL_REVIEWERS="on",
    )
    assert shown.stdout.split()[-4:] == ["3", "True", "True", "True"], shown.stderr
