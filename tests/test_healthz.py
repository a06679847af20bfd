"""/healthz: 200 while the database answers, 503 when it does not; anyone may ask."""

import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def test_it_answers_ok_to_anyone_with_one_query(db, client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert [query["sql"] for query in queries] == ["SELECT 1"]  # no session, no user
    assert "no-cache" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers


def test_it_answers_head(db, client: Client) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_other_methods(db, client: Client, method: str) -> None:
    assert getattr(client, method)("/healthz").status_code == 405


def test_it_answers_over_plain_http_where_the_site_redirects_to_https(db, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # loads the middleware with the setting on

    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200  # a load balancer's probe


def _refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def test_it_answers_503_and_logs_when_the_database_fails(
    db, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with connection.execute_wrapper(_refuse), caplog.at_level(logging.ERROR, "factcheck.health"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    [record] = [r for r in caplog.records if r.name == "factcheck.health"]
    assert record.levelno == logging.ERROR
    assert "the database did not answer" in record.getMessage()
    assert "port 5432 failed" in str(record.exc_info[1])


def test_it_answers_503_when_the_database_server_is_down() -> None:
    """A real refused connection, in a fresh process: nothing listens on port 1."""
    script = """
        import json, os
        import django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        response = Client().get("/healthz")
        print(json.dumps({"status": response.status_code, "body": response.json()}))
    """
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"status": 503, "body": {"status": "unavailable", "database": "unreachable"}}
    assert "Health check: the database did not answer." in done.stderr
