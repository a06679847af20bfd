"""The API's errors: one JSON shape for every refusal, and what the schema says of them."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from annotations import services

from .serializers import ErrorOutput, StaleVersionOutput

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every refusal with JSON that names the field and the problem; never a 500 page.

    Django's ValidationError (from the services) → 400 with its fields;
    PermissionDenied → 403; StaleVersion → 409, or 412 when the client sent
    If-Match; a unique constraint that two writes at once can race on → 409 that
    says which. Anything else, any other IntegrityError included, is logged and
    answered with a JSON 500 (unless DEBUG, which shows the traceback).
    """
    if isinstance(exc, services.StaleVersion):
        return _stale_version_response(exc, context.get("request"))
    if isinstance(exc, services.PossibleDuplicates):
        return _possible_duplicates_response(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_message_dict(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, IntegrityError) and (conflict := expected_conflict(exc)):
        # The services check these rules first; only two writes at once get here.
        logger.warning("Integrity error on %s answered with 409", conflict.constraint)
        exc = Conflict(conflict.detail)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        # DRF sends Retry-After; the body names the wait too, as the login lockout's does.
        response.data["retry_after"] = exc.wait
    if response is None and not settings.DEBUG:
        logger.exception("Unexpected error in the API", exc_info=exc)
        set_rollback()
        response = Response(
            {"detail": "Something went wrong on the server; the error has been logged."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return response


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            f"The request body is larger than the {limit:,} bytes the API reads; nothing was "
            "changed.",
            "too_large",
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another change was made at the same time; reload and try again."


@dataclass(frozen=True)
class ExpectedConflict:
    """A unique constraint two writes at once can both pass the services' checks for."""

    constraint: str  # its name, as PostgreSQL reports it
    sqlite: str  # what SQLite names instead, after "UNIQUE constraint failed: "
    detail: str  # what the client hears


EXPECTED_CONFLICTS = (
    ExpectedConflict(
        "speaker_name_key_unique",
        "annotations_speaker.name_key",
        "A speaker with this name was added at the same time: search for it and use it.",
    ),
    ExpectedConflict(
        "speaker_alias_name_key_unique",
        "annotations_speakeralias.name_key",
        "One of these aliases was given to a speaker at the same time: search for it.",
    ),
    # verdict_give locks the claim first, which orders two of one reviewer's verdicts;
    # a write path that did not would meet this one.
    ExpectedConflict(
        "verdict_one_per_reviewer",
        "annotations_verdict.claim_id, annotations_verdict.reviewer_id",
        "Your verdict on this claim was given at the same time elsewhere: reload it and "
        "change that one.",
    ),
    ExpectedConflict(
        # PostgreSQL's name for the UNIQUE of the column (Django names it no other way).
        "annotations_article_text_sha256_key",
        "annotations_article.text_sha256",
        "The same text was added at the same time: find that article instead.",
    ),
    ExpectedConflict(
        "article_url_unique",
        "annotations_article.url",  # SQLite names a partial index's column, not the index
        "An article with this address was added at the same time: find that article instead.",
    ),
)


def expected_conflict(exc: IntegrityError) -> ExpectedConflict | None:
    """Return the expected conflict ``exc`` reports, or None for any other integrity error."""
    # Django keeps the driver's error as the cause; psycopg names the constraint in its diag.
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for conflict in EXPECTED_CONFLICTS:
        if constraint == conflict.constraint or (
            constraint is None and str(exc) == f"UNIQUE constraint failed: {conflict.sqlite}"
        ):
            return conflict
    return None


def _message_dict(exc: DjangoValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": exc.messages}
    return {
        "non_field_errors" if field == "__all__" else field: messages
        for field, messages in exc.message_dict.items()
    }


def _possible_duplicates_response(exc: services.PossibleDuplicates) -> Response:
    """Return the 400 of a new speaker close to the register: the message and the candidates."""
    set_rollback()
    candidates = [
        {"id": c.speaker_id, "name": c.name, "matched_name": c.matched_name, "score": c.score}
        for c in exc.candidates
    ]
    return Response(
        {**_message_dict(exc), "possible_duplicates": candidates},
        status=status.HTTP_400_BAD_REQUEST,
    )


def claim_etag(version: int) -> str:
    """Return the claim's ETag: its version, quoted (a strong entity tag)."""
    return f'"{version}"'


def _stale_version_response(exc: services.StaleVersion, request: Request | None) -> Response:
    """Return 412 if the client asked with If-Match, 409 otherwise; ETag is the current version."""
    if_match = request is not None and "If-Match" in request.headers
    set_rollback()
    return Response(
        {"version": [str(exc)], "current_version": exc.current_version},
        status=status.HTTP_412_PRECONDITION_FAILED if if_match else status.HTTP_409_CONFLICT,
        headers={"ETag": claim_etag(exc.current_version)},
    )


@csrf_exempt  # it changes nothing; a POST to a wrong path should learn so, not about CSRF
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Answer a path under /api/ that names no endpoint with JSON, not the site's HTML page."""
    detail = f"There is no API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            detail += f" Did you mean {request.path}/ ? Every endpoint ends with a slash."
    return JsonResponse({"detail": detail + " See /api/docs/."}, status=404)


def error_answers(*codes: int) -> dict[int, OpenApiResponse]:
    """Return the error answers an operation can give, for the schema (401 and 403 always)."""
    described = {
        400: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="Invalid input: each key names a field (or non_field_errors), "
            "each value lists its problems.",
        ),
        401: OpenApiResponse(ErrorOutput, description="No credentials, or invalid ones."),
        403: OpenApiResponse(ErrorOutput, description="Your role does not allow this."),
        404: OpenApiResponse(ErrorOutput, description="No such object."),
        409: OpenApiResponse(
            StaleVersionOutput,
            description="The claim changed since the version you edited; nothing was changed.",
        ),
        412: OpenApiResponse(
            StaleVersionOutput,
            description="The If-Match header names an old version; nothing was changed.",
        ),
    }
    return {code: described[code] for code in (401, 403, *codes)}


# For a write that two clients at once can race on (EXPECTED_CONFLICTS).
RACED = {
    409: OpenApiResponse(
        ErrorOutput, description="The same was written at the same time; nothing was changed."
    )
}


def _detail_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": {"type": "string"}},
                    "required": ["detail"],
                }
            }
        },
    }


def document_refusals(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add the refusals any operation of the API can meet to the schema, whatever its view says.

    A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): 429 when a rate
    is exceeded; for an operation with a body, 413 (too large) and 415 (not JSON);
    for one with query parameters, 400 (a NUL character in one is refused before
    any view reads it). An optional filter sent empty counts as not sent (DRF
    reads a query string as an HTML form does), which ``allowEmptyValue`` says; a
    page size must be a number, and the exports read their own parameters.
    """
    too_many = _detail_answer("Too many requests: wait the seconds Retry-After names.")
    too_many["headers"] = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
    }
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("429", too_many)
            if "requestBody" in operation:
                responses.setdefault(
                    "413",
                    _detail_answer(
                        f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."
                    ),
                )
                responses.setdefault("415", _detail_answer("The body is not JSON."))
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            if query:
                responses.setdefault(
                    "400", _detail_answer("A query parameter holds a null character.")
                )
            if not path.startswith("/api/export/"):
                for parameter in query:
                    if not parameter.get("required") and parameter["name"] != "page_size":
                        parameter["allowEmptyValue"] = True
    return result
