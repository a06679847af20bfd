"""Claims on the desk: the list, the change form, the bulk actions."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .. import permissions, selectors, services
from ..models import Claim, Source, Verdict
from ..shapes import CLAIM_MODEL_FIELDS
from ..text import clip
from .actions import REJECT, REOPEN, VERIFY
from .base import DeskAdmin, ReadOnlyInline, quote_in_context, titled
from .forms import CLAIM_EDITABLE, ClaimAdminForm

# The claim's fields the desk shows are those the declaration lists (shapes.CLAIM_MODEL_FIELDS):
# the form edits those a moderator may change, and shows the others read-only.
CLAIM_READONLY = tuple(name for name in CLAIM_MODEL_FIELDS if name not in CLAIM_EDITABLE)

# How the change form lays them out, a tuple being one line.
CLAIM_LAYOUT: dict[str, list[Any]] = {
    "Highlight": ["context", "article", ("start", "end"), "quote"],
    "Claim": [
        "restatement",
        "kind",
        "speaker",
        "attribution",
        "cue",
        ("cue_start", "cue_end"),
        "note",
    ],
    "Moderation": [
        "status",
        "published_verdict",
        ("moderated_by", "moderated_at"),
        "rejection_reason",
    ],
    "Record": [("created_by", "created_at"), ("version", "updated_at"), ("prefix", "suffix")],
}
_laid_out = {
    name
    for lines in CLAIM_LAYOUT.values()
    for line in lines
    for name in ((line,) if isinstance(line, str) else line)
}
# A field the declaration adds goes at the end of "Record" until it is laid out above.
CLAIM_LAYOUT["Record"] += [name for name in CLAIM_MODEL_FIELDS if name not in _laid_out]


class VerdictInline(ReadOnlyInline):
    model = Verdict
    fields = ("reviewer", "rating", "rationale", "updated_at")
    verbose_name_plural = "verdicts (reviewers give them on the claim's page)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        # Blind review: a reviewer on the desk sees the verdicts of claims they rated.
        return selectors.visible_verdicts(request.user).select_related("reviewer")


class DisputedFilter(admin.SimpleListFilter):
    title = "dispute"
    parameter_name = "disputed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("yes", f"Disputed: ratings {selectors.DISPUTED_SPREAD}+ points apart"),
            ("no", "Not disputed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        if self.value() == "yes":
            return queryset.filter(disputed=1)
        if self.value() == "no":
            return queryset.filter(disputed=0)
        return queryset


class QueueChangeList(ChangeList):
    """The moderators' queue: disputed claims first, unless a column's order was chosen."""

    def get_ordering(self, request: HttpRequest, queryset: QuerySet[Claim]) -> list[Any]:
        ordering = super().get_ordering(request, queryset)
        if ORDER_VAR in self.params:
            return ordering
        return ["-disputed", *ordering]


class SourceInline(ReadOnlyInline):
    model = Source
    fields = ("stance", "link", "publisher", "published_on", "excerpt", "added_by")
    verbose_name_plural = "sources (reviewers add them on the claim's page)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).select_related("added_by")

    @admin.display(description="source")
    def link(self, source: Source) -> SafeString:
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
            source.url,
            source.title or source.url,
        )


@admin.register(Claim)
class ClaimAdmin(DeskAdmin):
    form = ClaimAdminForm
    list_display = (
        "in_context",
        "article_title",
        "speaker_name",
        "speaker_side",
        "kind",
        "status",
        "verdict_list",
        "quorum",
        "spread_shown",
    )
    list_display_links = ("in_context",)
    list_filter = (
        "status",
        DisputedFilter,
        "kind",
        "attribution",
        ("verdicts__rating", titled(admin.ChoicesFieldListFilter, "verdict rating")),
        ("speaker__side", titled(admin.RelatedFieldListFilter, "speaker's side")),
        ("speaker", admin.RelatedOnlyFieldListFilter),
        ("article", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("quote", "restatement", "speaker__name", "speaker__aliases__name")
    search_help_text = "Search the quotes, restatements, and speakers' names and aliases."
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    autocomplete_fields = ("speaker",)
    inlines = (VerdictInline, SourceInline)
    actions = ("verify", "reject", "reopen")
    readonly_fields = ("context", *CLAIM_READONLY)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        # The selector's joins and prefetches; the changelist keeps them as they are.
        return selectors.claims_with_spread(selectors.claims_with_context())

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        if permissions.is_moderator(request.user):
            return self.list_display
        # Blind review: a reviewer on the desk sees how many verdicts, not what they say.
        return tuple(
            "verdict_count" if name == "verdict_list" else name
            for name in self.list_display
            if name != "spread_shown"
        )

    def get_list_filter(self, request: HttpRequest) -> tuple[Any, ...]:
        if permissions.is_moderator(request.user):
            return self.list_filter
        hidden = ("verdicts__rating",)
        return tuple(
            f
            for f in self.list_filter
            if f is not DisputedFilter and not (isinstance(f, tuple) and f[0] in hidden)
        )

    def get_fieldsets(self, request: HttpRequest, obj: Claim | None = None) -> list[Any]:
        claim_fields: list[Any] = list(CLAIM_LAYOUT["Claim"])
        if obj is not None and self.has_change_permission(request, obj):
            claim_fields.append("expected_version")
        return [
            ("Highlight", {"fields": list(CLAIM_LAYOUT["Highlight"])}),
            ("Claim", {"fields": claim_fields}),
            ("Moderation", {"fields": list(CLAIM_LAYOUT["Moderation"])}),
            ("Record", {"fields": list(CLAIM_LAYOUT["Record"]), "classes": ["collapse"]}),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # claims are made by highlighting text, in the reviewers' pages and the API

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit_claim(request.user, obj)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return permissions.is_moderator(request.user)

    @admin.display(description="quote")
    def in_context(self, claim: Claim) -> SafeString:
        return quote_in_context(claim)

    @admin.display(description="in context")
    def context(self, claim: Claim) -> SafeString:
        return quote_in_context(claim)

    @admin.display(description="article", ordering="article__title")
    def article_title(self, claim: Claim) -> str:
        return clip(claim.article.display_title, 60)

    @admin.display(description="speaker", ordering="speaker__name")
    def speaker_name(self, claim: Claim) -> str:
        return claim.speaker.name if claim.speaker else "The article's own voice"

    @admin.display(description="side", ordering="speaker__side__name")
    def speaker_side(self, claim: Claim) -> str | None:
        return claim.speaker.side.name if claim.speaker else None

    @admin.display(description="verdicts")
    def verdict_list(self, claim: Claim) -> SafeString | str:
        # claim.verdicts is prefetched, with the reviewers, by the selector.
        parts = [
            format_html(
                "<strong>{}: {}</strong>" if verdict.pk == claim.published_verdict_id else "{}: {}",
                verdict.reviewer,
                verdict.get_rating_display(),
            )
            for verdict in claim.verdicts.all()
        ]
        return (
            format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts))
            if parts
            else "none yet"
        )

    @admin.display(description="quorum", boolean=True)
    def quorum(self, claim: Claim) -> bool | None:
        """Whether a claim in review has the verdicts it needs to be verified."""
        if claim.status != Claim.Status.IN_REVIEW:
            return None
        return not services.quorum_shortfall(claim.verdict_count)

    @admin.display(description="spread", ordering=F("spread").desc(nulls_last=True))
    def spread_shown(self, claim: Claim) -> SafeString | str:
        """How many points apart the ratings are; “disputed” when far enough apart."""
        if claim.spread is None:
            return "—"
        if claim.disputed:
            return format_html(
                '<strong class="disputed">{} · disputed</strong>', _points(claim.spread)
            )
        return _points(claim.spread)

    @admin.action(description="Verify, publishing a verdict…", permissions=["moderate"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return VERIFY.run(self, request, queryset)

    @admin.action(description="Reject, with a reason…", permissions=["moderate"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return REJECT.run(self, request, queryset)

    @admin.action(description="Send back to review, with a reason…", permissions=["moderate"])
    def reopen(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return REOPEN.run(self, request, queryset)


def _points(spread: int) -> str:
    return f"{spread} point{pluralize(spread)}"
