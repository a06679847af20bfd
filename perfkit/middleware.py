"""Server-Timing: what one request cost the server, for measuring it from outside."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponseBase


class _QueryTimer:
    """A database execute wrapper that counts the queries and adds up their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    """Add ``Server-Timing: app;dur=…, db;dur=…;desc="N queries"`` to every response.

    ``app`` is the time from this middleware to the response object (for a
    streamed response, not the time spent streaming its body); ``db`` is the
    time spent in SQL, and its description the number of queries. Off unless
    settings.FACTCHECK_SERVER_TIMING: a public site should not tell every
    client how much work its requests cause.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not settings.FACTCHECK_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        timer = _QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        app_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = (
            f'app;dur={app_ms:.3f}, db;dur={timer.seconds * 1000:.3f};desc="{timer.count} queries"'
        )
        return response
