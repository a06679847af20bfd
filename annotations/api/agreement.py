"""/api/agreement/: how often the reviewers agree, for moderators."""

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.agreement import UNVERIFIABLE_NOTE, Agreement, desk_agreement
from annotations.models import Article

from .base import DeskViewSet
from .errors import error_answers
from .serializers import MAX_ID


class AgreementFilterInput(serializers.Serializer):
    article = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this article's claims."
    )
    since = serializers.DateField(
        required=False, help_text="Only claims created on or after this day (YYYY-MM-DD)."
    )
    until = serializers.DateField(
        required=False, help_text="Only claims created on or before this day (YYYY-MM-DD)."
    )

    def validate_article(self, value: int) -> int:
        if not Article.objects.filter(pk=value).exists():
            raise serializers.ValidationError(f"There is no article {value}.")
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": ["until is before since."]})
        return data


ALPHA_HELP = "Krippendorff's alpha, ordinal; null when undefined (nothing to compare)."


class AlphaOutput(serializers.Serializer):
    alpha = serializers.FloatField(allow_null=True, help_text=ALPHA_HELP)
    claims = serializers.IntegerField(
        help_text="Claims with two or more ratings on the scale: the units compared."
    )
    verdicts = serializers.IntegerField(help_text="Ratings on the scale on those claims.")
    unverifiable = serializers.IntegerField(
        help_text="Unverifiable verdicts on the claims read: left out of alpha."
    )


class PairOutput(serializers.Serializer):
    reviewers = serializers.ListField(
        child=serializers.CharField(), min_length=2, max_length=2, help_text="Two usernames."
    )
    alpha = serializers.FloatField(allow_null=True, help_text=ALPHA_HELP)
    claims = serializers.IntegerField(help_text="Claims both rated on the scale.")


class MonthOutput(AlphaOutput):
    month = serializers.CharField(help_text="YYYY-MM: the month the claims were created in.")


class AgreementOutput(AlphaOutput):
    note = serializers.CharField(help_text="How alpha treats Unverifiable.")
    pairs = PairOutput(many=True, help_text="Each pair of reviewers who rated a claim in common.")
    months = MonthOutput(many=True, help_text="Month by month, oldest first.")


def agreement_data(agreement: Agreement) -> dict[str, Any]:
    """Return the API's dictionary of the agreement."""
    return {
        **asdict(agreement.overall),
        "note": UNVERIFIABLE_NOTE,
        "pairs": [
            {"reviewers": list(p.reviewers), "alpha": p.alpha, "claims": p.claims}
            for p in agreement.pairs
        ],
        "months": [{"month": m.month, **asdict(m.agreement)} for m in agreement.months],
    }


class AgreementView(APIView):
    # A moderator's figures: who agrees with whom is not for the reviewers themselves.
    permission_classes = DeskViewSet.permission_classes
    renderer_classes = DeskViewSet.renderer_classes
    read_permission = "annotations.moderate_claim"

    def operation(self, method: str) -> str | None:
        return "list" if method in ("GET", "HEAD", "OPTIONS") else None

    @extend_schema(
        operation_id="agreement",
        summary="How often reviewers agree (moderators)",
        description="Krippendorff's alpha over the ordinal verdict scale (False < Mostly false "
        "< Mixed < Mostly true < True) for the whole desk or one article, between two days: "
        "overall, for each pair of reviewers and month by month. " + UNVERIFIABLE_NOTE,
        parameters=[AgreementFilterInput],
        responses={200: AgreementOutput, **error_answers(400)},
    )
    def get(self, request: Request) -> Response:
        filters = AgreementFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        agreement = desk_agreement(
            article_id=data.get("article"), since=data.get("since"), until=data.get("until")
        )
        return Response(agreement_data(agreement))
