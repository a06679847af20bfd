"""One log line per request, with the request id the response carries back."""

import logging
import re

import pytest
from django.test import Client

LOGGER = "factcheck.request"


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


def test_it_logs_method_path_status_time_and_a_new_id(
    db, client: Client, request_log: pytest.LogCaptureFixture
) -> None:
    response = client.get("/healthz", {"probe": "1"})

    [line] = _lines(request_log)
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert re.fullmatch(rf"GET /healthz 200 \d+\.\dms id={request_id}", line.getMessage())
    assert (line.method, line.path, line.status, line.request_id) == (
        "GET",
        "/healthz",
        200,
        request_id,
    )
    assert line.duration_ms >= 0


def test_each_request_gets_its_own_id(db, client: Client) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second


def test_it_keeps_the_id_a_proxy_sent(
    db, client: Client, request_log: pytest.LogCaptureFixture
) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2:9"})

    assert response.headers["X-Request-ID"] == "lb-7f3a.2:9"
    assert _lines(request_log)[0].getMessage().endswith("id=lb-7f3a.2:9")


@pytest.mark.parametrize("sent", ["", "x" * 129, "two words", "evil\nGET / 200", "ünïcode"])
def test_it_replaces_an_id_that_is_not_short_and_plain(
    db, client: Client, request_log: pytest.LogCaptureFixture, sent: str
) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert "\n" not in _lines(request_log)[0].getMessage()


def test_it_logs_refusals_and_errors_too(
    db, client: Client, request_log: pytest.LogCaptureFixture
) -> None:
    client.get("/no/such/page/")
    client.post("/healthz")
    client.get("/api/claims/")

    assert [(r.method, r.path, r.status) for r in _lines(request_log)] == [
        ("GET", "/no/such/page/", 404),
        ("POST", "/healthz", 405),
        ("GET", "/api/claims/", 401),
    ]
