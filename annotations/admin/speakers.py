"""Speakers on the desk, with their aliases; merging; the likely duplicates; the sides."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from .. import selectors, services
from ..models import Side, Speaker
from .base import DeskAdmin
from .forms import SpeakerAdminForm, SpeakerMergeForm, add_refusal, refusal_messages


class RegisterFilter(admin.SimpleListFilter):
    """Active speakers by default; merged ones on request (their addresses still work)."""

    title = "register"
    parameter_name = "register"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("merged", "Merged into another"), ("all", "All")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> QuerySet[Speaker]:
        if self.value() == "merged":
            return queryset.filter(merged_into__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(merged_into__isnull=True)

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Active",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(Speaker)
class SpeakerAdmin(DeskAdmin):
    form = SpeakerAdminForm
    list_display = ("name", "kind", "side", "role", "alias_list", "wikidata_link")
    list_filter = (RegisterFilter, "kind", "side")
    search_fields = ("name", "aliases__name", "bare_key", "aliases__bare_key", "wikidata_id")
    search_help_text = "Search the names and aliases, with or without accents."
    readonly_fields = ("created_by", "created_at", "merged_into", "wikidata_link", "alias_list")
    actions = ["merge_selected"]
    change_list_template = "admin/annotations/speaker/change_list.html"
    change_form_template = "admin/annotations/speaker/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Speaker]:
        return super().get_queryset(request).select_related("side").prefetch_related("aliases")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Speaker], search_term: str
    ) -> tuple[QuerySet[Speaker], bool]:
        # The bare keys hold no accents: "muftuoglu" finds "Müftüoğlu".
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            matching = selectors.speakers_matching(search_term, include_merged=True)
            found = found | queryset.filter(pk__in=matching.values("pk"))
        return found, duplicates

    def get_fields(self, request: HttpRequest, obj: Speaker | None = None) -> list[str]:
        fields = ["name", "aliases", "kind", "side", "role", "reference_url", "wikidata_id"]
        if obj is None:
            return [*fields, "confirm_new"]
        if obj.merged_into_id is not None:  # shown read-only: the aliases as a list
            fields[1] = "alias_list"
        return [*fields, "wikidata_link", "merged_into", "created_by", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Speaker | None = None) -> bool:
        if obj is not None and obj.merged_into_id is not None:
            return False  # a merged speaker is kept as it was; its survivor is edited
        return super().has_change_permission(request, obj)

    @admin.display(description="aliases")
    def alias_list(self, speaker: Speaker) -> str:
        return ", ".join(alias.name for alias in speaker.aliases.all())

    @admin.display(description="Wikidata", ordering="wikidata_id")
    def wikidata_link(self, speaker: Speaker) -> SafeString | str:
        if not speaker.wikidata_id:
            return ""
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            speaker.wikidata_url,
            speaker.wikidata_id,
        )

    # Merging ------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="annotations_speaker_duplicates",
            ),
            path(
                "<int:pk>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="annotations_speaker_merge",
            ),
            path(
                "<int:pk>/unmerge/",
                self.admin_site.admin_view(self.unmerge_view),
                name="annotations_speaker_unmerge",
            ),
        ]
        return own + super().get_urls()

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotations.merge_speaker")

    @admin.action(description="Merge the two selected speakers", permissions=["merge"])
    def merge_selected(
        self, request: HttpRequest, queryset: QuerySet[Speaker]
    ) -> HttpResponse | None:
        chosen = sorted(queryset.values_list("pk", flat=True))
        if len(chosen) != 2:
            self.message_user(
                request, "Select exactly two speakers to merge one into the other.", messages.ERROR
            )
            return None
        url = reverse("admin:annotations_speaker_merge", args=[chosen[1]])
        return HttpResponseRedirect(f"{url}?into={chosen[0]}")

    def merge_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Merge the speaker into the one chosen: the service moves its claims and names."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        speaker = get_object_or_404(Speaker, pk=pk)
        if request.method == "POST":
            form = SpeakerMergeForm(request.POST, speaker=speaker)
            if form.is_valid():
                into = form.cleaned_data["into"]
                try:
                    services.speaker_merge(user=request.user, speaker=speaker, into=into)
                except (ValidationError, PermissionDenied) as exc:
                    add_refusal(form, exc)
                else:
                    self.message_user(
                        request,
                        f"Merged {speaker.name} into {into.name}: its claims and names are "
                        f"now {into.name}'s.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:annotations_speaker_change", args=[into.pk])
                    )
        else:
            form = SpeakerMergeForm(initial={"into": request.GET.get("into")}, speaker=speaker)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge {speaker.name} into another speaker",
            "speaker": speaker,
            "aliases": [a.name for a in speaker.aliases.all()],
            "claim_count": speaker.claims.count(),
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotations/speaker/merge.html", context)

    def unmerge_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Undo a merged speaker's merge, from the history the merge wrote."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        speaker = get_object_or_404(Speaker.objects.select_related("merged_into"), pk=pk)
        error = None
        if request.method == "POST":
            try:
                services.speaker_unmerge(user=request.user, speaker=speaker)
            except (ValidationError, PermissionDenied) as exc:
                error = " ".join(m for ms in refusal_messages(exc).values() for m in ms)
            else:
                self.message_user(
                    request, f"Undid the merge: {speaker.name} is back.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:annotations_speaker_change", args=[speaker.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Undo the merge of {speaker.name}",
            "speaker": speaker,
            "error": error,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotations/speaker/unmerge.html", context)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["can_merge"] = self.has_merge_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """List the pairs of active speakers whose names or aliases are close."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Likely duplicate speakers",
            "pairs": selectors.likely_duplicate_pairs(),
            "can_merge": self.has_merge_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotations/speaker/duplicates.html", context)


@admin.register(Side)
class SideAdmin(SimpleHistoryAdmin):
    """The desk's sides: moderators add and rename them; a slug stays as first saved."""

    list_display = ("name", "slug", "description", "colour", "position", "speaker_count")
    list_editable = ("position",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Side]:
        return super().get_queryset(request).annotate(speaker_total=Count("speakers"))

    def get_readonly_fields(self, request: HttpRequest, obj: Side | None = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Side | None = None
    ) -> dict[str, tuple[str, ...]]:
        return {} if obj is not None else dict(self.prepopulated_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Side | None = None) -> bool:
        return False  # speakers and exports name sides by slug; rename one instead

    @admin.display(description="speakers", ordering="speaker_total")
    def speaker_count(self, side: Side) -> int:
        return side.speaker_total
