"""One log line per request, with a request id that the response carries back."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("factcheck.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An id sent by a proxy is kept only if it is short and plain: it goes into the logs.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(request: HttpRequest) -> str:
    """Return the id the proxy gave the request in X-Request-ID, else a new random one."""
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if _ACCEPTED_ID.fullmatch(sent) else uuid.uuid4().hex


class RequestLogMiddleware:
    """Log ``GET /path 200 12.3ms id=…`` for every request, and answer with X-Request-ID.

    The duration runs from here to the response object: for a streamed response
    (the exports), not the time spent streaming its body. The logger is
    ``factcheck.request``, at INFO; settings turn it on unless DEBUG, where
    runserver logs each request itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        request.request_id = request_id  # for views that log, or show it on an error page
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        response.headers[REQUEST_ID_HEADER] = request_id
        logger.info(
            "%s %s %s %.1fms id=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            request_id,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration_ms, 1),
                "request_id": request_id,
            },
        )
        return response
