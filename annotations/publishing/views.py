"""GET /api/export/: every verified claim, streamed in id order, in the format asked for."""

from itertools import chain

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from .context import ExportContext
from .negotiation import ErrorsAsJSON, format_for_request
from .reader import parse_updated_since, verified_claims
from .shape import JSON_SCHEMA
from .writers import FORMATS, LD_JSON, stream_bytes


def can_export(user: AbstractBaseUser) -> bool:
    """Return whether the user may pull the export (anyone, when it is public)."""
    return settings.FACTCHECK_PUBLIC_EXPORT or user.has_perm("annotations.view_claim")


class CanExport(BasePermission):
    message = "Exporting claims needs the permission to view claims (Reviewers and Moderators)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_export(request.user)


_EXPORT_PARAMETERS = [
    OpenApiParameter(
        "format",
        str,
        enum=list(FORMATS),
        description="The export format; overrides the Accept header. Without either: json.\n\n"
        + "\n".join(f"- **{fmt.name}**: {fmt.description}" for fmt in FORMATS.values()),
    ),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only claims changed at or after this moment (ISO 8601; without an "
        "offset, the site's time zone). A change to a claim's sources or verdicts counts.",
    ),
]

W3C_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["@context", "id", "type", "first", "total"],
    "properties": {
        "@context": {"type": "string"},
        "id": {"type": "string"},
        "type": {"type": "string", "enum": ["AnnotationCollection"]},
        "label": {"type": "string"},
        "last": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "first": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "type": {"type": "string", "enum": ["AnnotationPage"]},
                "startIndex": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}

_EXPORT_RESPONSES = {
    (200, "application/json"): OpenApiResponse(JSON_SCHEMA, description="json"),
    (200, "application/x-ndjson"): OpenApiResponse(
        OpenApiTypes.STR, description="jsonl: one record of the json format a line."
    ),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="csv"),
    (200, LD_JSON): OpenApiResponse(
        {"type": "array", "items": {"type": "object"}},
        description="claimreview: a JSON-LD list of ClaimReview objects.",
    ),
    (200, FORMATS["w3c"].content_type): OpenApiResponse(
        W3C_COLLECTION_SCHEMA,
        description="w3c: one AnnotationCollection whose first AnnotationPage holds every "
        "annotation.",
    ),
    (400, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="A bad format or updated_since: the key names the parameter; "
        "formats lists the formats.",
    ),
    (401, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT, description="No credentials, or invalid ones."
    ),
    (403, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT, description="No permission to view claims."
    ),
    (406, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT, description="The Accept header allows no export format."
    ),
}


class ExportView(APIView):
    """Every verified claim, streamed in id order, in the format asked for."""

    # The API's own (settings: token first, so that a client without credentials gets 401
    # with WWW-Authenticate, then the session).
    permission_classes = [CanExport]
    renderer_classes = [JSONRenderer]  # for errors only: the export is streamed as is
    content_negotiation_class = ErrorsAsJSON
    # A tighter rate than other requests' (THROTTLE_EXPORT): each pull reads every claim.
    throttle_scope = "export"

    @extend_schema(
        operation_id="export_claims",
        summary="Export the verified claims",
        description=(
            "Streams every verified claim with its article, quote and offsets (Unicode code "
            "points), speaker, attribution, published verdict and sources, in ascending id "
            "order. Choose the format with ?format= or the Accept header: application/json, "
            "application/x-ndjson (or application/jsonl), text/csv, application/ld+json "
            '(ClaimReview) or application/ld+json; profile="http://www.w3.org/ns/anno.jsonld" '
            "(W3C Web Annotations). Needs the permission to view claims, unless the export is "
            "public (FACTCHECK_PUBLIC_EXPORT)."
        ),
        parameters=_EXPORT_PARAMETERS,
        responses=_EXPORT_RESPONSES,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        fmt = format_for_request(request)
        updated_since = None
        if "updated_since" in request.query_params:
            try:
                updated_since = parse_updated_since(request.query_params["updated_since"])
            except ValueError as exc:
                raise exceptions.ValidationError({"updated_since": [str(exc)]}) from None
        context = ExportContext.for_request(request, updated_since=updated_since)
        claims = verified_claims(updated_since=updated_since)
        # The first chunk is made before the answer starts, which reads and builds the
        # first page of claims: an error there is a JSON 500, not a file cut short.
        chunks = stream_bytes(fmt, claims, context)
        first = next(chunks, b"")
        response = StreamingHttpResponse(chain([first], chunks), content_type=fmt.content_type)
        response["Content-Disposition"] = (
            f"{'attachment' if fmt.name == 'csv' else 'inline'}; "
            f'filename="verified-claims.{fmt.extension}"'
        )
        patch_vary_headers(response, ("Accept",))
        return response
