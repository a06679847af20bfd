"""The measuring kit under manage.py bench and loadtest: timing header, statistics, scratch
database, server and client."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.perf.server import server_timing
from annotations.perf.stats import latency_ms, percentile


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
        from annotations.perf.scratch import scratch_database

        before = connection.settings_dict["NAME"]
        with scratch_database(label="kit") as url:
            inside = connection.settings_dict["NAME"]
            groups = sorted(Group.objects.values_list("name", flat=True))
            User.objects.create_user("scratch-only")
        after = connection.settings_dict["NAME"]
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
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
        from annotations.perf.http import Client, LoginRefused
        from annotations.perf.scratch import scratch_database
        from annotations.perf.server import Gunicorn, PeakMemory, server_timing
        from annotations.services import speaker_create
        from tests.factories import UserFactory

        with scratch_database(label="kit") as url:
            UserFactory(username="rita", password="a long kit password", groups=["Reviewers"])
            with Gunicorn(url) as server:
                workers = len(server.worker_pids())
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
            "workers": workers, "anonymous": anonymous, "refused": refused,
            "page": page.status, "timing": server_timing(page.headers),
            "created": created.status, "export": export.status,
            "export_head": export.head.decode(), "export_size": export.size,
            "baseline": memory.baseline, "peak": memory.peak,
        }))
        """
    )
    assert found["workers"] == 2
    assert found["anonymous"] in (401, 403)
    assert found["refused"] is True
    assert found["page"] == 200
    assert found["timing"]["queries"] > 0
    assert found["created"] == 201  # a session's POST carries its CSRF token
    assert found["export"] == 200
    assert found["export_size"] == len(found["export_head"].encode())
    assert json.loads(found["export_head"])["count"] == 0
    assert found["peak"] >= found["baseline"] > 0
