"""/api/claims/: list with filters, create from a highlight, edit by version, moderate."""

import re

from django.db.models import QuerySet
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import selectors, services
from annotations.models import Claim, Verdict

from .base import DeskViewSet
from .errors import claim_etag, error_answers
from .serializers import (
    ClaimCreateInput,
    ClaimFilterInput,
    ClaimOutput,
    ClaimUpdateInput,
    ClaimVerifyInput,
    ReasonInput,
)


def _claim_response(claim: Claim, code: int = status.HTTP_200_OK, **headers: str) -> Response:
    return Response(
        selectors.claim_api_data(claim),
        status=code,
        headers={"ETag": claim_etag(claim.version), **headers},
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
        responses={200: ClaimOutput(many=True), **error_answers(400)},
    ),
    retrieve=extend_schema(
        summary="Read a claim",
        parameters=[ETAG],
        description="The ETag header carries the claim's version, for If-Match.",
        responses={200: _claim_answer("The claim; ETag is its version."), **error_answers(404)},
    ),
    create=extend_schema(
        summary="Create a claim from a highlight",
        parameters=[ETAG],
        description="`start` and `end` count Unicode code points (not UTF-16 units); the "
        "quote must be the exact text at those offsets.",
        request=ClaimCreateInput,
        responses={
            201: _claim_answer("The new claim, a draft or in review."),
            **error_answers(400),
        },
    ),
    partial_update=extend_schema(
        summary="Edit a claim",
        description="Send only the fields that change, with the `version` you edited or an "
        "If-Match header. A stale version changes nothing: 409 (body) or 412 (If-Match).",
        request=ClaimUpdateInput,
        parameters=[IF_MATCH, ETAG],
        responses={
            200: _claim_answer("The claim as edited."),
            **error_answers(400, 404, 409, 412),
        },
    ),
    destroy=extend_schema(
        summary="Delete your own draft",
        description="Not one that others added sources or verdicts to: a moderator can "
        "withdraw that one instead (403 says so).",
        responses={204: OpenApiResponse(description="Deleted."), **error_answers(404)},
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
        "withdraw": "annotations.moderate_claim",
    }
    input_serializers = {
        "create": ClaimCreateInput,
        "partial_update": ClaimUpdateInput,
        "verify": ClaimVerifyInput,
        "reject": ReasonInput,
        "reopen": ReasonInput,
        "withdraw": ReasonInput,
    }
    output_serializer = ClaimOutput

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.claims_filtered()

    def list(self, request: Request) -> Response:
        filters = self.valid_input(ClaimFilterInput, request.query_params)
        if filters.pop("needs_my_verdict"):
            filters["needs_verdict_of"] = request.user
        rows = self.paginate_queryset(selectors.claim_rows_filtered(**filters))
        return self.get_paginated_response(selectors.claim_dicts(rows))

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
        responses={200: _claim_answer("The claim, now in review."), **error_answers(400, 404)},
    )
    def submit(self, request: Request, pk: int) -> Response:
        return _claim_response(services.claim_submit(claim=self.get_object(), user=request.user))

    @extend_schema(
        operation_id="claims_verify",
        summary="Verify a claim, publishing one of its verdicts (moderators)",
        parameters=[ETAG],
        request=ClaimVerifyInput,
        responses={200: _claim_answer("The claim, now verified."), **error_answers(400, 404)},
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
        responses={200: _claim_answer("The claim, now rejected."), **error_answers(400, 404)},
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
        responses={200: _claim_answer("The claim, back in review."), **error_answers(400, 404)},
    )
    def reopen(self, request: Request, pk: int) -> Response:
        reason = self.valid_input(ReasonInput, request.data)["reason"]
        claim = services.claim_reopen(claim=self.get_object(), user=request.user, reason=reason)
        return _claim_response(claim)

    @extend_schema(
        operation_id="claims_withdraw",
        summary="Withdraw a draft: reject it with a reason (moderators)",
        description="For a draft its author may not delete because others added sources or "
        "verdicts to it: it is rejected, and its sources and verdicts stay.",
        parameters=[ETAG],
        request=ReasonInput,
        responses={200: _claim_answer("The claim, now rejected."), **error_answers(400, 404)},
    )
    def withdraw(self, request: Request, pk: int) -> Response:
        reason = self.valid_input(ReasonInput, request.data)["reason"]
        claim = services.claim_withdraw(claim=self.get_object(), user=request.user, reason=reason)
        return _claim_response(claim)
