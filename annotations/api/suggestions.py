"""/api/articles/{id}/suggestions/: the claims the desk suggests, and dismissing one."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import selectors, services
from annotations.models import Article

from .base import DeskViewSet
from .errors import error_answers
from .serializers import SuggestionDismissalOutput, SuggestionDismissInput, SuggestionOutput


@extend_schema_view(
    list=extend_schema(
        summary="Suggested claims of an article",
        description="Statements worth checking, found by rules in the text itself: each with "
        "its span (code points), kind, score, the reasons in words, and its attribution "
        "(direct, reported or the article's own voice; the cue; the speaker matched to the "
        "register, or a new speaker to create). Suggestions you dismissed, and those with the "
        "span of a claim already made, are left out. In text order.",
        responses={200: SuggestionOutput(many=True), **error_answers(404)},
    ),
)
class SuggestionViewSet(DeskViewSet):
    read_permission = "annotations.view_article"
    action_permissions = {"dismiss": "annotations.add_suggestiondismissal"}
    input_serializers = {"dismiss": SuggestionDismissInput}
    output_serializer = SuggestionOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.all()

    def article(self) -> Article:
        return self.get_object()

    def list(self, request: Request, pk: int) -> Response:
        suggestions = selectors.suggestions_for_reviewer(self.article(), request.user)
        return Response(SuggestionOutput(suggestions, many=True).data)

    @extend_schema(
        summary="Dismiss a suggested claim",
        description="It is no longer suggested to you. Send the suggestion's start and end; "
        "201 when dismissed now, 200 when it already was.",
        request=SuggestionDismissInput,
        responses={
            201: SuggestionDismissalOutput,
            200: SuggestionDismissalOutput,
            **error_answers(400, 404),
        },
    )
    def dismiss(self, request: Request, pk: int) -> Response:
        data = self.valid_input(SuggestionDismissInput, request.data)
        article = self.article()
        dismissal, created = services.suggestion_dismiss(
            user=request.user, article=article, start=data["start"], end=data["end"]
        )
        body = {
            "start": dismissal.start,
            "end": dismissal.end,
            "quote": article.text[dismissal.start : dismissal.end],
        }
        return Response(
            SuggestionDismissalOutput(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
