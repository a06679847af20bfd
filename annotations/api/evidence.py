"""Sources and verdicts, under their claim: /api/claims/{id}/sources/ and …/verdicts/."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import permissions, selectors, services
from annotations.models import Claim, Source, Verdict

from .base import DeskViewSet
from .errors import RACED, error_answers
from .serializers import (
    SourceInput,
    SourceOutput,
    SourceUpdateInput,
    VerdictInput,
    VerdictOutput,
    VerdictUpdateInput,
)


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
        responses={200: SourceOutput(many=True), **error_answers(400, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a source", responses={200: SourceOutput, **error_answers(404)}
    ),
    create=extend_schema(
        summary="Add a source to an open claim",
        request=SourceInput,
        responses={201: SourceOutput, **error_answers(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change your own source (moderators: any)",
        request=SourceUpdateInput,
        responses={200: SourceOutput, **error_answers(400, 404)},
    ),
    destroy=extend_schema(
        summary="Remove your own source (moderators: any)",
        responses={204: OpenApiResponse(description="Removed."), **error_answers(404)},
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


BLIND = (
    "Reviews are blind: a claim in review shows its verdicts only to moderators and to "
    "reviewers who gave their own. Until then a reviewer gets 403 here and sees the "
    "number of verdicts in the claim's `verdict_count`."
)


@extend_schema_view(
    list=extend_schema(
        summary="List a claim's verdicts",
        description=BLIND,
        responses={200: VerdictOutput(many=True), **error_answers(400, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a verdict",
        description=BLIND,
        responses={200: VerdictOutput, **error_answers(404)},
    ),
    create=extend_schema(
        summary="Give your verdict on an open claim, or replace the one you gave",
        request=VerdictInput,
        responses={
            200: OpenApiResponse(VerdictOutput, description="Your earlier verdict, replaced."),
            201: OpenApiResponse(VerdictOutput, description="Your new verdict."),
            **error_answers(400, 404),
            **RACED,
        },
    ),
    partial_update=extend_schema(
        summary="Change your own verdict",
        request=VerdictUpdateInput,
        responses={200: VerdictOutput, **error_answers(400, 404)},
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

    def require_sight(self, claim: Claim) -> None:
        """Refuse a reviewer who may not read the claim's verdicts yet, saying how many it has."""
        if not permissions.verdicts_visible_to(self.request.user, claim):
            count = claim.verdict_count
            raise PermissionDenied(
                f"Reviews are blind: give your own verdict on this claim to see the others' "
                f"({count} so far). Moderators, and everyone once the claim is verified or "
                "rejected, see them all."
            )

    def list(self, request: Request, claim_id: int) -> Response:
        self.require_sight(self.get_claim())
        return self.page(self.get_queryset(), self.output_serializer)

    def retrieve(self, request: Request, claim_id: int, pk: int) -> Response:
        verdict: Verdict = self.get_object()
        if verdict.reviewer_id != request.user.pk:
            self.require_sight(verdict.claim)
        return Response(self.output_serializer(verdict).data)

    def create(self, request: Request, claim_id: int) -> Response:
        claim = self.get_claim()
        data = self.valid_input(VerdictInput, request.data)
        # Under the claim's lock, which verdict_give takes too: of one reviewer's POSTs
        # at once, the first makes the verdict (201) and the others replace it (200).
        with transaction.atomic():
            claim = services.lock_claim(claim)
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
