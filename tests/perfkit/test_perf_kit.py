"""The measuring kit under manage.py bench and loadtest: timing header, statistics, scratch
database, server and client."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core import checks
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from perfkit.server import gunicorn_config, server_timing
from perfkit.stats import latency_ms, percentile


def test_no_timing_header_unless_asked(client: Client, alice) -> None:
    client.force_login(alice)
    assert "Server-Timing" not in client.get("/").headers


def test_timing_header_counts_the_requests_queries(settings, alice) -> None:
    settings.FACTCHECK_SERVER_TIMING = True
    client = Client()  # a new client loads the middleware with the setting on
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    figures = server_timing(response.headers)
    assert figures is not None
    assert figures["queries"] == len(queries) > 0
    assert figures["app_ms"] >= figures["db_ms"] > 0


@pytest.mark.parametrize(
    "header",
    [None, "", "app;dur=1.5", 'app;dur=x, db;dur=1;desc="2 queries"', "cache;dur=1"],
)
def test_server_timing_reads_nothing_from_a_header_without_every_figure(header) -> None:
    assert server_timing({} if header is None else {"Server-Timing": header}) is None


def test_server_timing_reads_the_figures() -> None:
    header = 'app;dur=12.5, db;dur=3.25;desc="6 queries"'
    assert server_timing({"Server-Timing": header}) == {
        "app_ms": 12.5,
        "db_ms": 3.25,
        "queries": 6,
    }


def test_percentile_is_the_nearest_rank() -> None:
    values = [0.005, 0.001, 0.003, 0.002, 0.004]
    assert percentile(values, 0.5) == 0.003
    assert percentile(values, 0.95) == 0.005
    assert percentile(values, 0.0) == 0.001
    figures = latency_ms(values)
    assert figures["count"] == 5
    assert figures["median_ms"] == 3.0
    assert figures["max_ms"] == 5.0


def test_the_deployment_checks_warn_that_the_tools_are_installed() -> None:
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "perfkit.W001" in [message.id for message in found]


def _without_gunicorn_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}


def test_gunicorn_conf_defaults_to_sync_workers_on_the_loopback() -> None:
    config = gunicorn_config({**_without_gunicorn_settings(), "HOST": "", "PORT": ""})
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["worker_class"] == "sync"
    assert (config["workers"], config["threads"]) == ("2", "1")
    assert (config["timeout"], config["graceful_timeout"], config["keepalive"]) == (
        "120",
        "30",
        "5",
    )
    assert config["accesslog"] == "None"  # the site logs each request itself
    assert "%(r)s" in config["access_log_format"] and "%(M)s" in config["access_log_format"]


def test_gunicorn_conf_reads_the_environment() -> None:
    config = gunicorn_config(
        {
            **_without_gunicorn_settings(),
            "HOST": "0.0.0.0",  # noqa: S104 (only read, nothing listens)
            "PORT": "9123",
            "GUNICORN_WORKERS": "3",
            "GUNICORN_THREADS": "8",
            "GUNICORN_TIMEOUT": "90",
            "GUNICORN_GRACEFUL_TIMEOUT": "10",
            "GUNICORN_KEEPALIVE": "2",
            "GUNICORN_ACCESSLOG": "-",
        }
    )
    assert config["bind"] == "['0.0.0.0:9123']"
    assert (config["workers"], config["threads"], config["timeout"]) == ("3", "8", "90")
    assert config["worker_class"] == "gthread"  # gunicorn's choice for more than one thread
    assert (config["graceful_timeout"], config["keepalive"], config["accesslog"]) == (
        "10",
        "2",
        "-",
    )


def test_gunicorn_conf_names_a_bad_number() -> None:
    with pytest.raises(subprocess.CalledProcessError) as refused:
        gunicorn_config({**os.environ, "GUNICORN_WORKERS": "two"})
    assert "GUNICORN_WORKERS must be a whole number, not 'two'" in refused.value.stderr


def _run(script: str) -> dict:
    """Run ``script`` in a fresh process on the database the tests were pointed at.

    A scratch database is made outside the test database (and an in-memory SQLite
    test database cannot be switched away from), so the kit runs in its own process,
    as the commands do.
    """
    prelude = """
        import json, os, sys
        import django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
        django.setup()
    """
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", textwrap.dedent(prelude) + textwrap.dedent(script)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_scratch_database_is_migrated_apart_and_dropped() -> None:
    found = _run(
        """
        from django.contrib.auth.models import Group, User
        from django.db import connection
        from perfkit.scratch import maintenance_cursor, scratch_database

        before = connection.settings_dict["NAME"]
        with scratch_database(label="kit") as url:
            inside = connection.settings_dict["NAME"]
            groups = sorted(Group.objects.values_list("name", flat=True))
            User.objects.create_user("scratch-only")
        after = connection.settings_dict["NAME"]
        if connection.vendor == "postgresql":
            with maintenance_cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [inside])
                left = cursor.fetchone() is not None
        else:
            left = os.path.exists(inside)
        print(json.dumps({"url": url, "before": str(before), "inside": str(inside),
                          "after": str(after), "groups": groups, "left": left}))
        """
    )
    assert found["inside"] != found["before"] == found["after"]
    assert "factcheck_kit_" in found["url"]
    assert found["groups"] == ["Moderators", "Reviewers"]  # the migrations ran there
    assert found["left"] is False


def test_server_and_client_log_in_time_and_measure() -> None:
    found = _run(
        """
        from django.contrib.auth.models import Group
        from perfkit.http import Client, LoginRefused
        from perfkit.scratch import scratch_database
        from perfkit.server import Gunicorn, PeakMemory, server_timing
        from annotations.services import speaker_create
        from tests.factories import UserFactory

        with scratch_database(label="kit") as url:
            UserFactory(username="rita", password="a long kit password", groups=["Reviewers"])
            with Gunicorn(url) as server:
                workers = len(server.worker_pids())
                described = server.description
                stranger = Client(server.base_url)
                anonymous = stranger.request("GET", "/api/claims/").status
                try:
                    stranger.login("rita", "not her password")
                    refused = False
                except LoginRefused:
                    refused = True
                rita = Client(server.base_url)
                rita.login("rita", "a long kit password")
                page = rita.request("GET", "/")
                created = rita.request(
                    "POST", "/api/speakers/",
                    json={"name": "Syrian Observatory for Human Rights", "kind": "organisation"},
                )
                with PeakMemory(server) as memory:
                    export = rita.stream("GET", "/api/export/?format=json")
        print(json.dumps({
            "workers": workers, "described": described, "anonymous": anonymous, "refused": refused,
            "page": page.status, "timing": server_timing(page.headers),
            "request_id": page.headers["X-Request-ID"],
            "created": created.status, "export": export.status,
            "export_head": export.head.decode(), "export_size": export.size,
            "baseline": memory.baseline, "peak": memory.peak,
        }))
        """
    )
    assert found["workers"] == 2
    assert found["described"] == {"workers": 2, "threads": 1, "worker_class": "sync"}
    assert found["anonymous"] in (401, 403)
    assert found["refused"] is True
    assert found["page"] == 200
    assert found["timing"]["queries"] > 0
    assert len(found["request_id"]) == 32
    assert found["created"] == 201  # a session's POST carries its CSRF token
    assert found["export"] == 200
    assert found["export_size"] == len(found["export_head"].encode())
    assert json.loads(found["export_head"])["count"] == 0
    assert found["peak"] >= found["baseline"] > 0
