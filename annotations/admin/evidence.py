"""Verdicts and sources on the desk: reviewers write them on their own pages; the desk looks."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import selectors
from ..models import Source, Verdict
from .base import ReadOnlyDeskAdmin


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyDeskAdmin):
    list_display = ("claim", "reviewer", "rating", "is_published", "updated_at")
    list_filter = ("rating", "claim__status", ("reviewer", admin.RelatedOnlyFieldListFilter))
    search_fields = ("claim__quote", "rationale", "reviewer__username")
    list_select_related = ("claim", "reviewer")
    date_hierarchy = "updated_at"
    ordering = ("-updated_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        # Blind review: a reviewer on the desk sees the verdicts of the claims they rated,
        # and of those verified or rejected; moderators see all.
        return selectors.visible_verdicts(request.user)

    @admin.display(description="published", boolean=True)
    def is_published(self, verdict: Verdict) -> bool:
        return verdict.claim.published_verdict_id == verdict.pk


@admin.register(Source)
class SourceAdmin(ReadOnlyDeskAdmin):
    list_display = ("__str__", "claim", "stance", "publisher", "published_on", "added_by")
    list_filter = ("stance", ("added_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("url", "title", "publisher", "excerpt", "claim__quote")
    list_select_related = ("claim", "added_by")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
