"""Speakers on the desk, with their aliases."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ..models import Speaker
from .base import DeskAdmin
from .forms import SpeakerAdminForm


@admin.register(Speaker)
class SpeakerAdmin(DeskAdmin):
    form = SpeakerAdminForm
    list_display = ("name", "kind", "side", "role", "alias_list")
    list_filter = ("kind", "side")
    search_fields = ("name", "aliases__name")
    search_help_text = "Search the names and aliases."
    readonly_fields = ("created_by", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Speaker]:
        return super().get_queryset(request).prefetch_related("aliases")

    def get_fields(self, request: HttpRequest, obj: Speaker | None = None) -> list[str]:
        fields = ["name", "aliases", "kind", "side", "role", "reference_url"]
        return fields if obj is None else [*fields, "created_by", "created_at"]

    @admin.display(description="aliases")
    def alias_list(self, speaker: Speaker) -> str:
        return ", ".join(alias.name for alias in speaker.aliases.all())
