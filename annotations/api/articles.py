"""/api/articles/: the articles, read by reviewers, added by moderators."""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import selectors, services
from annotations.models import Article

from .base import DeskViewSet
from .errors import RACED, error_answers
from .serializers import ArticleCreateInput, ArticleDetailOutput, ArticleOutput


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Articles in the order they were added (by id), without their text.",
        responses={200: ArticleOutput(many=True), **error_answers(400)},
    ),
    retrieve=extend_schema(
        summary="Read an article with its text",
        responses={200: ArticleDetailOutput, **error_answers(404)},
    ),
    create=extend_schema(
        summary="Add an article (moderators)",
        description="The text is stored exactly as sent; the same text cannot be added twice.",
        request=ArticleCreateInput,
        responses={201: ArticleDetailOutput, **error_answers(400), **RACED},
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
