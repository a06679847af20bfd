"""Verdicts and sources on the desk: reviewers write them on their own pages; the desk looks."""

from django.contrib import admin

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
