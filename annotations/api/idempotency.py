"""Idempotency-Key: a POST repeated with the same key gets the first answer and writes nothing.

A client that sends a POST again (a double click, a retry after a dropped
connection) with the key it sent the first time gets the first answer back:
its status, its body and its ETag, Location and Content-Type headers. The key
is kept per user for 24 hours (``IdempotencyKey.KEEP``); the same key with
another path or body is refused with 422.

The key's row is the lock. It is inserted before the request runs, in the
transaction that then holds everything the request writes, and completed with
the answer before that transaction commits. A second request with the same key
waits on the row's unique index until the first commits, then replays its
answer; if the first is refused or fails, its row goes with its writes and the
second runs as if it were first. Only successful answers (2xx) are kept: a
refusal wrote nothing, so running it again is as safe as replaying it.
"""

import hashlib
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, RawPostDataException
from django.http.response import HttpResponseBase
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.models import IdempotencyKey

HEADER = "Idempotency-Key"
# The answer's headers a replay repeats.
KEPT_HEADERS = ("Content-Type", "ETag", "Location")
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
HEADER_DESCRIPTION = (
    "Any 1–255 printable ASCII characters, new for each operation (a UUID, say). The same "
    "key sent again by the same user within 24 hours gets the first answer back (its status, "
    "body, ETag and Location, with `Idempotent-Replayed: true`) and writes nothing; sent with "
    "another path or body it gets 422. Only successful answers are kept: a refused request "
    "can be sent again with its key."
)


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class _Replay(Exception):  # not an error: the way out of ``initial`` with an answer
    """The request repeats one already answered: answer with ``response``."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _key_of(request: HttpRequest) -> str | None:
    """Return the request's key, None without one; refuse one that is not 1–255 printable ASCII."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: [f"The {HEADER} header must be 1 to 255 printable ASCII characters."]}
        )
    return key


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status)
    for name, value in row.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def claim_key(request: HttpRequest, user: Any, key: str) -> IdempotencyKey:
    """Insert the key's row, or raise _Replay with the answer already given for it.

    Must run inside the transaction that holds the request's writes. Waits, on
    PostgreSQL, for a request with the same key that is still running.
    """
    fingerprint = f"{request.method} {request.get_full_path()}"
    try:
        body_sha256 = hashlib.sha256(request.body).hexdigest()
    except RawPostDataException:
        # Read as a form already (the CSRF check reads a form's fields): not JSON.
        raise exceptions.UnsupportedMediaType(request.content_type) from None
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    request=fingerprint,
                    body_sha256=body_sha256,
                    created_at=now,
                )
        except IntegrityError:
            row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # deleted meanwhile (cleared, or rolled back): try again
        if row.created_at < now - IdempotencyKey.KEEP:
            row.delete()  # expired, not yet cleared: the key is free again
            continue
        if (row.request, row.body_sha256) != (fingerprint, body_sha256):
            raise KeyReused(
                {
                    HEADER: [
                        f"This {HEADER} was used for another request ({row.request}, or "
                        "another body) in the last 24 hours: send a new key for a new request."
                    ]
                }
            )
        raise _Replay(_replay(row))
    raise exceptions.APIException(f"The {HEADER} could not be recorded; send the request again.")


def record_answer(row: IdempotencyKey, response: HttpResponseBase) -> None:
    """Keep a successful answer with its key; for any other, roll the transaction back."""
    if not 200 <= response.status_code < 300:
        # The row must not outlive a refusal; the services rolled back their own writes.
        transaction.set_rollback(True)
        return
    if isinstance(response, Response):
        response.render()
    row.status = response.status_code
    row.body = response.content
    row.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    row.save(update_fields=["status", "body", "headers"])


class IdempotentPostMixin:
    """Honour Idempotency-Key on every POST of a DRF view (put it before the view's base)."""

    idempotency_key: IdempotencyKey | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST" or HEADER not in request.headers:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        # One transaction for the key's row and everything the request writes.
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # After authentication, permissions and throttling: the key is the user's.
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method != "POST":
            return
        key = _key_of(request)
        if key is not None:
            self.idempotency_key = claim_key(request, request.user, key)

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if self.idempotency_key is not None:
            record_answer(self.idempotency_key, response)
        return response


def document_idempotency_keys(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add the Idempotency-Key header and its 422 to every POST of the API's schema.

    A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS), so that every
    POST says so however its view describes itself.
    """
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "description": HEADER_DESCRIPTION,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    }
    reused = {
        "description": f"The {HEADER} was used in the last 24 hours for another request.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {HEADER: {"type": "array", "items": {"type": "string"}}},
                    "required": [HEADER],
                }
            }
        },
    }
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not path.startswith("/api/"):
            continue
        operation.setdefault("parameters", []).append(parameter)
        operation.setdefault("responses", {}).setdefault("422", reused)
    return result
