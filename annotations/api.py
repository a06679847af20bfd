"""The REST API under /api/: thin views over the services (writes) and selectors (reads).

Each operation validates its input with an input serializer, calls one
service or selector, and answers with an output serializer (claims, which
come by the thousand and with every write, with ClaimOutput's dictionaries
built from plain values). The services check the rules and who may do what;
``exception_handler`` turns their refusals into JSON answers (400, 403, 409, 412).
"""

import logging
import re
from functools import cache
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import authentication, exceptions, renderers, status
from rest_framework.authtoken.models import Token
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse
from rest_framework.serializers import BaseSerializer, Serializer
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.viewsets import GenericViewSet

from . import permissions, selectors, services
from .models import Article, Claim, Source, Speaker, Verdict
from .serializers import (
    MAX_ID,
    ArticleCreateInput,
    ArticleDetailOutput,
    ArticleOutput,
    ClaimCreateInput,
    ClaimFilterInput,
    ClaimOutput,
    ClaimUpdateInput,
    ClaimVerifyInput,
    ErrorOutput,
    ReasonInput,
    SourceInput,
    SourceOutput,
    SourceUpdateInput,
    SpeakerCreateInput,
    SpeakerOutput,
    SpeakerSearchInput,
    StaleVersionOutput,
    VerdictInput,
    VerdictOutput,
    VerdictUpdateInput,
    claim_output,
    claim_output_rows,
)

logger = logging.getLogger(__name__)


# Errors ----------------------------------------------------------------------


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every refusal with JSON that names the field and the problem; never a 500 page.

    Django's ValidationError (from the services) → 400 with its fields;
    PermissionDenied → 403; StaleVersion → 409, or 412 when the client sent
    If-Match; a constraint hit by two writes at once → 409; anything else is
    logged and answered with a JSON 500 (unless DEBUG, which shows the traceback).
    """
    if isinstance(exc, services.StaleVersion):
        return _stale_version_response(exc, context.get("request"))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_message_dict(exc))
    elif isinstance(exc, IntegrityError):
        # The services check the rules first; only a race between two writes gets here.
        logger.warning("Integrity error answered with 409: %s", exc)
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is None and not settings.DEBUG:
        logger.error("Unexpected error in the API", exc_info=exc)
        set_rollback()
        response = Response(
            {"detail": "Something went wrong on the server; the error has been logged."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another change was made at the same time; reload and try again."


def _message_dict(exc: DjangoValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": exc.messages}
    return {
        "non_field_errors" if field == "__all__" else field: messages
        for field, messages in exc.message_dict.items()
    }


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


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Return the error answers an operation can give, for the schema."""
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


# Pagination ------------------------------------------------------------------


class IdCursorPagination(CursorPagination):
    """Pages in the order rows were made (by id): stable while rows are added or changed."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    # An article's claims in one page: a client that reads them all wants one request.
    max_page_size = 1000
    invalid_cursor_message = "This cursor is not one the API gave; start again from the first page."

    def get_page_size(self, request: Request) -> int:
        # DRF quietly shrinks a page_size above the maximum and ignores one that is no
        # number; a client would then page through less than it asked for without knowing.
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (re.fullmatch(r"[0-9]{1,7}", value) and 1 <= int(value) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"A page holds 1 to {self.max_page_size} items: give a whole number "
                        f"in that range, not “{value[:20]}”."
                    ]
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page: 1 to {self.max_page_size} "
                    f"(default {self.page_size})."
                )
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def decode_cursor(self, request: Request) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]}) from None
        # DRF trusts the position in a cursor; an id that is no number would reach the database.
        position = cursor.position if cursor is not None else None
        if position is not None and not (
            re.fullmatch(r"[0-9]{1,19}", position) and int(position) <= MAX_ID
        ):
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]})
        return cursor


# Rendering -------------------------------------------------------------------


class OrjsonRenderer(renderers.JSONRenderer):
    """DRF's JSON, byte for byte, encoded by orjson: a page of a thousand claims in a millisecond.

    DRF's renderer writes compact UTF-8 with U+2028 and U+2029 escaped (JSON that
    is also valid JavaScript); orjson writes the same for the dicts, lists,
    strings, integers and nulls the API answers with (it has no floating-point
    fields, where the two would differ on NaN). Anything else (indented output, a
    type only DRF's encoder knows, such as a lazy translation) goes to DRF's renderer.
    """

    # Types orjson would write otherwise than DRF (datetimes: "+00:00", not "Z") go to DRF.
    orjson_options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, option=self.orjson_options)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        return content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


# Authentication --------------------------------------------------------------


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the token's user read by one plain query.

    Every API request from another system pays for it, and building DRF's ORM
    query took longer than the database took to answer it. The answers are DRF's:
    401 for a token that is unknown or whose user is inactive.
    """

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        token_model = self.get_model()
        user = next(iter(get_user_model().objects.raw(_token_user_sql(token_model), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # The token as DRF gives it in request.auth; its creation time is read if asked.
        token = token_model.from_db(user._state.db, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token


# The schema's "tokenAuth" is the same header for this class as for DRF's, which other
# views (the exports) still name in the settings: one scheme, not a collision.
set_override(TokenAuthentication, "suppress_collision_warning", True)


@cache
def _token_user_sql(token_model: type[Token]) -> str:
    q = connection.ops.quote_name
    token, user = token_model._meta, get_user_model()._meta
    # Quoted names from the models' metadata; the key goes in as a parameter.
    return (
        f"SELECT u.* FROM {q(token.db_table)} t JOIN {q(user.db_table)} u "  # noqa: S608
        f"ON u.{q(user.pk.column)} = t.{q(token.get_field('user').column)} "
        f"WHERE t.{q(token.pk.column)} = %s"
    )


# Permissions -----------------------------------------------------------------


class RolePermission(BasePermission):
    """Let a user read with the model's view permission and act with the one each action names.

    These are the groups' coarse rights, checked before the input is read; the
    services then decide per object (own drafts, open claims).
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = view.operation(request.method)
        if action is None:
            return True  # no operation answers this method here: let the view say 405
        if request.method in SAFE_METHODS:
            perm = view.read_permission
        else:
            perm = view.action_permissions.get(action)
        if perm is None:
            return False
        permissions.read_permissions(request.user)  # one query for this and the services' checks
        return request.user.has_perm(perm)


# What every resource shares: role checks, id-ordered cursor pages. (Comments, not
# docstrings, on these base classes: the schema would show a docstring on every operation.)
class DeskViewSet(GenericViewSet):
    authentication_classes = [
        TokenAuthentication if cls is authentication.TokenAuthentication else cls
        for cls in GenericViewSet.authentication_classes
    ]
    permission_classes = [*GenericViewSet.permission_classes, RolePermission]
    renderer_classes = [
        OrjsonRenderer,
        *(r for r in GenericViewSet.renderer_classes if r is not renderers.JSONRenderer),
    ]
    pagination_class = IdCursorPagination
    read_permission: str
    action_permissions: dict[str, str] = {}
    input_serializers: dict[str, type[BaseSerializer]] = {}
    output_serializer: type[BaseSerializer]

    def operation(self, method: str) -> str | None:
        """Return the action that answers ``method``, also while OPTIONS describes the others."""
        if self.action == "metadata":
            return self.action_map.get(method.lower(), "metadata")
        return self.action

    def get_serializer_class(self) -> type[BaseSerializer]:
        # The browsable API and OPTIONS build forms from this; the schema uses extend_schema.
        action = self.operation(self.request.method) if self.request else self.action
        return self.input_serializers.get(action, self.output_serializer)

    def valid_input(self, serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def page(self, queryset: QuerySet[Any], serializer_class: type[BaseSerializer]) -> Response:
        rows = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(rows, many=True).data)


# Articles --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Articles in the order they were added (by id), without their text.",
        responses={200: ArticleOutput(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Read an article with its text",
        responses={200: ArticleDetailOutput, **_errors(404)},
    ),
    create=extend_schema(
        summary="Add an article (moderators)",
        description="The text is stored exactly as sent; the same text cannot be added twice.",
        request=ArticleCreateInput,
        responses={201: ArticleDetailOutput, **_errors(400)},
    ),
)
class ArticleViewSet(DeskViewSet):
    read_permission = "annotations.view_article"
    action_permissions = {"create": "annotations.add_article"}
    input_serializers = {"create": ArticleCreateInput}
    output_serializer = ArticleDetailOutput

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.articles_with_claim_counts()

    def list(self, request: Request) -> Response:
        return self.page(self.get_queryset(), ArticleOutput)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ArticleDetailOutput(self.get_object()).data)

    def create(self, request: Request) -> Response:
        data = self.valid_input(ArticleCreateInput, request.data)
        article = services.article_create(user=request.user, **data)
        article = self.get_queryset().get(pk=article.pk)
        return Response(
            ArticleDetailOutput(article).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-article-detail", args=[article.pk])},
        )


# Speakers --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List or search speakers",
        parameters=[SpeakerSearchInput],
        responses={200: SpeakerOutput(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Read a speaker", responses={200: SpeakerOutput, **_errors(404)}
    ),
    create=extend_schema(
        summary="Add a speaker",
        request=SpeakerCreateInput,
        responses={201: SpeakerOutput, **_errors(400)},
    ),
)
class SpeakerViewSet(DeskViewSet):
    read_permission = "annotations.view_speaker"
    action_permissions = {"create": "annotations.add_speaker"}
    input_serializers = {"create": SpeakerCreateInput}
    output_serializer = SpeakerOutput

    def get_queryset(self) -> QuerySet[Speaker]:
        return selectors.speakers_matching()

    def list(self, request: Request) -> Response:
        query = self.valid_input(SpeakerSearchInput, request.query_params)
        return self.page(selectors.speakers_matching(query.get("search", "")), SpeakerOutput)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(SpeakerOutput(self.get_object()).data)

    def create(self, request: Request) -> Response:
        data = self.valid_input(SpeakerCreateInput, request.data)
        speaker = services.speaker_create(user=request.user, **data)
        speaker = self.get_queryset().get(pk=speaker.pk)
        return Response(
            SpeakerOutput(speaker).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-speaker-detail", args=[speaker.pk])},
        )


# Claims ----------------------------------------------------------------------


def claim_etag(version: int) -> str:
    """Return the claim's ETag: its version, quoted (a strong entity tag)."""
    return f'"{version}"'


def _claim_response(claim: Claim, code: int = status.HTTP_200_OK, **headers: str) -> Response:
    return Response(
        claim_output(claim), status=code, headers={"ETag": claim_etag(claim.version), **headers}
    )


def _expected_version(request: Request, claim: Claim, body_version: int | None) -> int | None:
    """Return the version an update is based on, from If-Match or the body's ``version``.

    If-Match takes entity tags as the API gives them ("3"); ``*`` matches any
    version. A tag that names no version matches none, so the service refuses
    the write as stale (412).
    """
    header = request.headers.get("If-Match")
    if header is None:
        if body_version is None:
            raise exceptions.ValidationError(
                {
                    "version": [
                        "Say which version you edited: send the claim's version in the body, "
                        "or its ETag in an If-Match header."
                    ]
                }
            )
        return body_version
    tags = parse_etags(header)
    if tags == ["*"]:
        return body_version
    versions = {
        int(match[1]) for tag in tags if (match := re.fullmatch(r'(?:W/)?"([0-9]{1,10})"', tag))
    }
    if body_version is not None and body_version not in versions:
        raise exceptions.ValidationError(
            {"version": [f"The body's version ({body_version}) is not the one in If-Match."]}
        )
    # The lock taken by the service decides; this read only picks which listed tag to expect.
    return claim.version if claim.version in versions else 0


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The claim\'s ETag as read (such as "3"): a stale one gets 412 and changes '
    "nothing. Without it, send `version` in the body (a stale one gets 409).",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The claim\'s version, quoted (such as "3"): send it back in If-Match.',
)


def _claim_answer(description: str) -> OpenApiResponse:
    return OpenApiResponse(ClaimOutput, description=description)


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Claims in the order they were made (by id), filtered by every "
        "parameter given. Offsets count Unicode code points.",
        parameters=[ClaimFilterInput],
        responses={200: ClaimOutput(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Read a claim",
        parameters=[ETAG],
        description="The ETag header carries the claim's version, for If-Match.",
        responses={200: _claim_answer("The claim; ETag is its version."), **_errors(404)},
    ),
    create=extend_schema(
        summary="Create a claim from a highlight",
        parameters=[ETAG],
        description="`start` and `end` count Unicode code points (not UTF-16 units); the "
        "quote must be the exact text at those offsets.",
        request=ClaimCreateInput,
        responses={201: _claim_answer("The new claim, a draft or in review."), **_errors(400)},
    ),
    partial_update=extend_schema(
        summary="Edit a claim",
        description="Send only the fields that change, with the `version` you edited or an "
        "If-Match header. A stale version changes nothing: 409 (body) or 412 (If-Match).",
        request=ClaimUpdateInput,
        parameters=[IF_MATCH, ETAG],
        responses={200: _claim_answer("The claim as edited."), **_errors(400, 404, 409, 412)},
    ),
    destroy=extend_schema(
        summary="Delete your own draft",
        responses={204: OpenApiResponse(description="Deleted."), **_errors(404)},
    ),
)
class ClaimViewSet(DeskViewSet):
    read_permission = "annotations.view_claim"
    action_permissions = {
        "create": "annotations.add_claim",
        "partial_update": "annotations.change_claim",
        "destroy": "annotations.delete_claim",
        "submit": "annotations.change_claim",
        "verify": "annotations.moderate_claim",
        "reject": "annotations.moderate_claim",
        "reopen": "annotations.moderate_claim",
    }
    input_serializers = {
        "create": ClaimCreateInput,
        "partial_update": ClaimUpdateInput,
        "verify": ClaimVerifyInput,
        "reject": ReasonInput,
        "reopen": ReasonInput,
    }
    output_serializer = ClaimOutput

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claims_filtered()

    def list(self, request: Request) -> Response:
        filters = self.valid_input(ClaimFilterInput, request.query_params)
        rows = self.paginate_queryset(selectors.claim_rows_filtered(**filters))
        return self.get_paginated_response(claim_output_rows(rows))

    def retrieve(self, request: Request, pk: int) -> Response:
        return _claim_response(self.get_object())

    def create(self, request: Request) -> Response:
        data = self.valid_input(ClaimCreateInput, request.data)
        claim = services.claim_create(user=request.user, **data)
        # The list's path and the id: what reverse("api-claim-detail") gives, without its cost.
        location = f"{request.path}{claim.pk}/"
        return _claim_response(claim, status.HTTP_201_CREATED, Location=location)

    def partial_update(self, request: Request, pk: int) -> Response:
        claim = self.get_object()
        changes = self.valid_input(ClaimUpdateInput, request.data)
        expected = _expected_version(request, claim, changes.pop("version", None))
        claim = services.claim_update(
            claim=claim, user=request.user, expected_version=expected, **changes
        )
        return _claim_response(claim)

    def destroy(self, request: Request, pk: int) -> Response:
        services.claim_delete(claim=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="claims_submit",
        summary="Submit a draft for review",
        parameters=[ETAG],
        request=None,
        responses={200: _claim_answer("The claim, now in review."), **_errors(400, 404)},
    )
    def submit(self, request: Request, pk: int) -> Response:
        return _claim_response(services.claim_submit(claim=self.get_object(), user=request.user))

    @extend_schema(
        operation_id="claims_verify",
        summary="Verify a claim, publishing one of its verdicts (moderators)",
        parameters=[ETAG],
        request=ClaimVerifyInput,
        responses={200: _claim_answer("The claim, now verified."), **_errors(400, 404)},
    )
    def verify(self, request: Request, pk: int) -> Response:
        claim = self.get_object()
        data = self.valid_input(ClaimVerifyInput, request.data)
        verdict = Verdict.objects.filter(pk=data["verdict"]).first()
        if verdict is None:
            message = f"There is no verdict {data['verdict']}."
            raise exceptions.ValidationError({"verdict": [message]})
        claim = services.claim_verify(claim=claim, user=request.user, verdict=verdict)
        return _claim_response(claim)

    @extend_schema(
        operation_id="claims_reject",
        summary="Reject a claim with a reason (moderators)",
        parameters=[ETAG],
        request=ReasonInput,
        responses={200: _claim_answer("The claim, now rejected."), **_errors(400, 404)},
    )
    def reject(self, request: Request, pk: int) -> Response:
        reason = self.valid_input(ReasonInput, request.data)["reason"]
        claim = services.claim_reject(claim=self.get_object(), user=request.user, reason=reason)
        return _claim_response(claim)

    @extend_schema(
        operation_id="claims_reopen",
        summary="Send a verified or rejected claim back to review (moderators)",
        parameters=[ETAG],
        request=ReasonInput,
        responses={200: _claim_answer("The claim, back in review."), **_errors(400, 404)},
    )
    def reopen(self, request: Request, pk: int) -> Response:
        reason = self.valid_input(ReasonInput, request.data)["reason"]
        claim = services.claim_reopen(claim=self.get_object(), user=request.user, reason=reason)
        return _claim_response(claim)


# Sources and verdicts, under their claim ------------------------------------


# A resource that lives under /api/claims/{claim_id}/.
class ClaimChildViewSet(DeskViewSet):
    """Sources and verdicts: rows of one claim, listed and read the same way."""

    def get_claim(self) -> Claim:
        return get_object_or_404(Claim, pk=self.kwargs["claim_id"])

    def list(self, request: Request, claim_id: int) -> Response:
        self.get_claim()  # 404 for a claim that does not exist, not an empty list
        return self.page(self.get_queryset(), self.output_serializer)

    def retrieve(self, request: Request, claim_id: int, pk: int) -> Response:
        return Response(self.output_serializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(
        summary="List a claim's sources",
        responses={200: SourceOutput(many=True), **_errors(400, 404)},
    ),
    retrieve=extend_schema(summary="Read a source", responses={200: SourceOutput, **_errors(404)}),
    create=extend_schema(
        summary="Add a source to an open claim",
        request=SourceInput,
        responses={201: SourceOutput, **_errors(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change your own source (moderators: any)",
        request=SourceUpdateInput,
        responses={200: SourceOutput, **_errors(400, 404)},
    ),
    destroy=extend_schema(
        summary="Remove your own source (moderators: any)",
        responses={204: OpenApiResponse(description="Removed."), **_errors(404)},
    ),
)
class SourceViewSet(ClaimChildViewSet):
    read_permission = "annotations.view_source"
    action_permissions = {
        "create": "annotations.add_source",
        "partial_update": "annotations.change_source",
        "destroy": "annotations.delete_source",
    }
    input_serializers = {"create": SourceInput, "partial_update": SourceUpdateInput}
    output_serializer = SourceOutput

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.sources_of_claim(self.kwargs["claim_id"])

    def create(self, request: Request, claim_id: int) -> Response:
        claim = self.get_claim()
        data = self.valid_input(SourceInput, request.data)
        source = services.source_add(claim=claim, user=request.user, **data)
        return Response(SourceOutput(source).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, claim_id: int, pk: int) -> Response:
        source: Source = self.get_object()
        changes = self.valid_input(SourceUpdateInput, request.data)
        source = services.source_update(source=source, user=request.user, **changes)
        return Response(SourceOutput(source).data)

    def destroy(self, request: Request, claim_id: int, pk: int) -> Response:
        services.source_remove(source=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List a claim's verdicts",
        responses={200: VerdictOutput(many=True), **_errors(400, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a verdict", responses={200: VerdictOutput, **_errors(404)}
    ),
    create=extend_schema(
        summary="Give your verdict on an open claim, or replace the one you gave",
        request=VerdictInput,
        responses={
            200: OpenApiResponse(VerdictOutput, description="Your earlier verdict, replaced."),
            201: OpenApiResponse(VerdictOutput, description="Your new verdict."),
            **_errors(400, 404),
        },
    ),
    partial_update=extend_schema(
        summary="Change your own verdict",
        request=VerdictUpdateInput,
        responses={200: VerdictOutput, **_errors(400, 404)},
    ),
)
class VerdictViewSet(ClaimChildViewSet):
    read_permission = "annotations.view_verdict"
    action_permissions = {
        "create": "annotations.add_verdict",
        "partial_update": "annotations.change_verdict",
    }
    input_serializers = {"create": VerdictInput, "partial_update": VerdictUpdateInput}
    output_serializer = VerdictOutput

    def get_queryset(self) -> QuerySet[Verdict]:
        return selectors.verdicts_of_claim(self.kwargs["claim_id"])

    def create(self, request: Request, claim_id: int) -> Response:
        claim = self.get_claim()
        data = self.valid_input(VerdictInput, request.data)
        had_one = Verdict.objects.filter(claim=claim, reviewer=request.user).exists()
        verdict = services.verdict_give(claim=claim, user=request.user, **data)
        code = status.HTTP_200_OK if had_one else status.HTTP_201_CREATED
        return Response(VerdictOutput(verdict).data, status=code)

    def partial_update(self, request: Request, claim_id: int, pk: int) -> Response:
        verdict: Verdict = self.get_object()
        if verdict.reviewer_id != request.user.pk:
            raise PermissionDenied("You may only change your own verdict.")
        changes = self.valid_input(VerdictUpdateInput, request.data)
        verdict = services.verdict_give(
            claim=verdict.claim,
            user=request.user,
            rating=changes.get("rating", verdict.rating),
            rationale=changes.get("rationale", verdict.rationale),
        )
        return Response(VerdictOutput(verdict).data)


# The root and the docs -------------------------------------------------------


class ApiRoot(APIView):
    """The fact-check desk's API. Every list is paged by a cursor, in id order."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        names = {
            "articles": "api-article-list",
            "speakers": "api-speaker-list",
            "claims": "api-claim-list",
            "schema": "api-schema",
            "docs": "api-docs",
        }
        return Response({key: api_reverse(name, request=request) for key, name in names.items()})


class DocsView(SpectacularSwaggerView):
    """Swagger UI; someone not logged in is sent to the login page first."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
