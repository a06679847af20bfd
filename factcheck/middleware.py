"""One log line per request, with a request id that the response carries back; no NUL in queries."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.utils.html import format_html

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


NUL_REFUSED = "Null characters are not allowed."


class NulQueryStringMiddleware:
    """Answer 400 to a query string that holds a NUL character (``%00``), on every page.

    PostgreSQL refuses NUL in any text it is given, so a search or a list filter
    holding one would fail in the database, as a 500. Nothing the site offers
    needs one. Under /api/ the answer is the API's JSON error, naming the parameter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return self.refuse(request, key.replace("\x00", ""))
        return self.get_response(request)

    def refuse(self, request: HttpRequest, name: str) -> HttpResponseBase:
        if request.path.startswith("/api/"):
            return JsonResponse({name or "non_field_errors": [NUL_REFUSED]}, status=400)
        return HttpResponseBadRequest(
            format_html(
                '<!doctype html><html lang="en"><title>Bad request</title>'
                "<h1>Bad request (400)</h1><p>The address holds a null character (%00) in "
                "“{}”, which nothing on this site can search for. Remove it and try again.</p>"
                "</html>",
                name,
            )
        )
