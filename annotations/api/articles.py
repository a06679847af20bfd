"""/api/articles/: the articles, read by reviewers, added by moderators, imported by both."""

from typing import Any

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
from .serializers import (
    ArticleCreateInput,
    ArticleDetailOutput,
    ArticleImportInput,
    ArticleImportOutput,
    ArticleOutput,
    ExtractionOutput,
)


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


def existing_article(article: Article) -> dict[str, Any]:
    """Return where to find an article already on the desk."""
    return {
        "id": article.pk,
        "display_title": article.display_title,
        "api_url": reverse("api-article-detail", args=[article.pk]),
        "page_url": reverse("article_detail", args=[article.pk]),
    }


@extend_schema_view(
    create=extend_schema(
        summary="Import an article from a web address, a page's HTML or text",
        description=(
            "Send exactly one source: `url` alone (the page is fetched: HTML only, a size "
            "and time limit, a few redirects, no internal addresses), `html` (with `url` "
            "saying where it came from, if known) or `text`. The page's chrome (menus, "
            "share buttons, banners, related links) is left out; the title, byline, outlet, "
            "date, language and canonical address are kept where the page gives them, and "
            "the other fields replace them. `dry_run: true` answers 200 with what would be "
            "stored and stores nothing. An article with the same canonical address or the "
            "same text is refused (400) and `existing_article` says where it is."
        ),
        request=ArticleImportInput,
        responses={
            200: ArticleImportOutput,
            201: ArticleImportOutput,
            **error_answers(400),
            **RACED,
        },
    ),
)
class ArticleImportViewSet(DeskViewSet):
    read_permission = "annotations.view_article"
    action_permissions = {"create": "annotations.import_article"}
    input_serializers = {"create": ArticleImportInput}
    output_serializer = ArticleImportOutput

    def create(self, request: Request) -> Response:
        data = self.valid_input(ArticleImportInput, request.data)
        dry_run = data.pop("dry_run")
        try:
            result = services.article_import(user=request.user, dry_run=dry_run, **data)
        except services.DuplicateArticle as exc:
            return Response(
                {**exc.message_dict, "existing_article": existing_article(exc.article)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        article = None
        headers = {}
        if result.article is not None:
            article = selectors.articles_with_claim_counts().get(pk=result.article.pk)
            headers["Location"] = reverse("api-article-detail", args=[article.pk])
        body = {
            "dry_run": dry_run,
            "extraction": ExtractionOutput(result.extraction).data,
            "article": ArticleDetailOutput(article).data if article else None,
        }
        return Response(
            body, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED, headers=headers
        )
