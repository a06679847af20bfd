"""Articles on the desk: their metadata, and their text while no claim stands on it."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest

from .. import services
from ..models import Article
from ..text import clip
from .base import DeskAdmin
from .forms import TEXT_LOCKED_HELP, ArticleAdminForm


@admin.register(Article)
class ArticleAdmin(DeskAdmin):
    form = ArticleAdminForm
    list_display = ("display_title", "outlet", "published_on", "language", "claim_count")
    list_filter = ("language",)
    search_fields = ("title", "outlet")
    date_hierarchy = "published_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    def get_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        fields = [*services.ARTICLE_FIELDS, "text_sha256"]
        return fields if obj is None else [*fields, "created_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        readonly = ["text_sha256", "created_by", "created_at", "updated_at"]
        return [*readonly, "text"] if _text_locked(obj) else readonly

    def get_form(
        self, request: HttpRequest, obj: Article | None = None, change: bool = False, **kwargs: Any
    ) -> type[BaseForm]:
        if _text_locked(obj):
            kwargs["help_texts"] = {"text": TEXT_LOCKED_HELP}
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="title", ordering="title")
    def display_title(self, article: Article) -> str:
        return clip(article.display_title, 80)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, article: Article) -> int:
        return article.claim_count


def _text_locked(article: Article | None) -> bool:
    """Return whether claims stand on the article, so its text may no longer change."""
    if article is None or article.pk is None:
        return False
    count = getattr(article, "claim_count", None)
    return bool(count) if count is not None else article.claims.exists()
