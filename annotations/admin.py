"""The moderators' desk: Django's admin over the annotations.

Only staff reach it. Every write goes through ``annotations.services``: the
model forms hand their changes to a service (see ``forms_admin``), the bulk
actions call the services in one transaction, and the admin's own ways
around them (adding claims, deleting anything, reverting history) are off.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.filters import FieldListFilter
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from simple_history.admin import SimpleHistoryAdmin

from . import permissions, selectors, services
from .forms_admin import (
    TEXT_LOCKED_HELP,
    ArticleAdminForm,
    ClaimActionForm,
    ClaimAdminForm,
    ReasonForm,
    ServiceModelForm,
    SpeakerAdminForm,
    VerifyClaimForm,
    add_refusal,
)
from .models import CONTEXT_CHARS, Article, Claim, Source, Speaker, Verdict


class WriteRefused(Exception):
    """A service refused a save that the form had found valid: someone changed it meanwhile."""


class DeskAdmin(SimpleHistoryAdmin):
    """What every model on the desk shares: writes through services, history read, no deletes."""

    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is deleted from the desk; drafts are deleted by their authors

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[BaseForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, ServiceModelForm):
            form = type(form.__name__, (form,), {"user": request.user})
        return form

    def save_model(
        self, request: HttpRequest, obj: Any, form: ServiceModelForm, change: bool
    ) -> None:
        # Not super(): the admin would save the instance itself, around the service.
        try:
            saved = form.write()
        except (ValidationError, PermissionDenied, services.StaleVersion) as exc:
            raise WriteRefused(" ".join(_messages(exc))) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The form validates with the service's rules, so a refusal in save_model
        # means a race with another user; the admin's transaction has rolled back
        # by the time it reaches here. Say so rather than fail with a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WriteRefused as exc:
            self.message_user(request, f"Nothing was saved: {exc}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # reverting saves an old version around the write path

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # simple_history saves a POST to this page even with reverting disabled.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyDeskAdmin(DeskAdmin):
    """For what reviewers write on their own pages: the desk only looks."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


def titled(filter_class: type[FieldListFilter], title: str) -> type[FieldListFilter]:
    """Return the list filter under another title, for a field reached through a relation."""

    class Titled(filter_class):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_in_context(claim: Claim) -> SafeString:
    """Return the quote marked in the words around it, escaped."""
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if claim.start > len(claim.prefix) else "",
        claim.prefix,
        clip(claim.quote, 300),
        claim.suffix,
        "…" if len(claim.suffix) == CONTEXT_CHARS else "",
    )


# Claims: bulk actions with an intermediate page ----------------------------


class _RollBack(Exception):
    """Undoes a bulk action's transaction when the service refused any claim."""


@dataclass
class BulkRow:
    claim: Claim
    form: ClaimActionForm
    context: SafeString


class ClaimBulkAction:
    """A bulk action that asks for more on an intermediate page, then writes all or nothing.

    The page asks ``shared_form`` once and ``claim_form`` for each selected
    claim. On submit every claim goes through ``apply()`` in one transaction;
    if a service refuses any of them, the transaction is rolled back and the
    page comes again with each refusal beside its claim or field. A subclass
    says what to ask and what to write; this class does the rest.
    """

    name = ""  # the ClaimAdmin method that runs it, posted back by the page
    title = ""
    intro = ""
    button = ""
    done = ""  # with the number of claims
    shared_form: type[forms.Form] = forms.Form
    claim_form: type[ClaimActionForm] = ClaimActionForm

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    def run(
        self, modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponse | None:
        # One lock order for every desk, so two moderators' batches cannot deadlock.
        claims = list(queryset.order_by("pk"))
        data = request.POST if "apply" in request.POST else None
        shared = self.shared_form(data)
        rows = [
            BulkRow(
                claim=claim,
                form=self.claim_form(data, claim=claim, prefix=f"claim-{claim.pk}"),
                context=quote_in_context(claim),
            )
            for claim in claims
        ]
        if (
            data is not None
            and _all_there(data, claims, shared)
            and self._write(request.user, shared, rows)
        ):
            modeladmin.message_user(request, self.done.format(count=len(rows)), messages.SUCCESS)
            return None  # the admin redirects to the changelist
        opts = modeladmin.model._meta
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": self.title,
            "intro": self.intro,
            "button": self.button,
            "action": self.name,
            "opts": opts,
            "rows": rows,
            "shared_form": shared,
            "has_errors": data is not None,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": modeladmin.media + sum((row.form.media for row in rows), shared.media),
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, "admin/annotations/claim/bulk_action.html", context)

    def _write(self, user: AbstractBaseUser, shared: forms.Form, rows: Sequence[BulkRow]) -> bool:
        """Apply the action to every claim in one transaction; on any refusal, write nothing.

        Claims whose own form is valid are tried even when another's is not, so
        the page shows every problem at once; the transaction is then undone.
        """
        if not shared.is_valid():
            return False  # every claim needs what it asks
        # Copied: showing a refusal on a field takes it out of the form's cleaned_data.
        shared_data = dict(shared.cleaned_data)
        try:
            with transaction.atomic():
                for row in rows:
                    if not row.form.is_valid():
                        continue
                    try:
                        self.apply(
                            claim=row.claim,
                            user=user,
                            shared=shared_data,
                            own=dict(row.form.cleaned_data),
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        # Each service runs in its own savepoint, so the refused one
                        # has undone itself and the rest can still be tried: the page
                        # then shows every refusal, not only the first.
                        add_refusal(row.form, exc, shared=shared)
                if not shared.is_valid() or not all(row.form.is_valid() for row in rows):
                    raise _RollBack
        except _RollBack:
            return False
        return True


def _all_there(data: Any, claims: Sequence[Claim], shared: forms.Form) -> bool:
    """Return whether every claim the page was about is still selected, or say which are not.

    The admin selects them again from the changelist's filtered list: one that
    has left it meanwhile (say, verified by someone else under “In review”)
    would be dropped silently, and the batch would no longer be all or nothing.
    """
    missing = set(data.getlist(helpers.ACTION_CHECKBOX_NAME)) - {str(c.pk) for c in claims}
    if missing:
        shared.is_valid()  # add_error() needs a validated form
        shared.add_error(
            None,
            f"{len(missing)} of the selected claims are no longer in the list: they have "
            "changed since this page was loaded. Go back to the list and select again.",
        )
    return not missing


class VerifyClaims(ClaimBulkAction):
    name = "verify"
    title = "Verify claims"
    intro = (
        "For each claim, publish one of its reviewers' verdicts, or give your own. "
        "All the claims are verified together, or none is."
    )
    button = "Verify and publish"
    done = "Verified {count} claim(s)."
    claim_form = VerifyClaimForm

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        verdict = own.get("verdict")
        if verdict is None:
            verdict = services.verdict_give(
                claim=claim, user=user, rating=own["rating"], rationale=own["rationale"]
            )
        services.claim_verify(claim=claim, user=user, verdict=verdict)


class RejectClaims(ClaimBulkAction):
    name = "reject"
    title = "Reject claims"
    intro = "The reason is recorded on each claim and shown to its reviewers."
    button = "Reject"
    done = "Rejected {count} claim(s)."
    shared_form = ReasonForm

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        services.claim_reject(claim=claim, user=user, reason=shared["reason"])


class ReopenClaims(ClaimBulkAction):
    name = "reopen"
    title = "Send claims back to review"
    intro = (
        "Each claim returns to review and its published verdict is withdrawn. "
        "The reason is recorded in its history."
    )
    button = "Send back to review"
    done = "Sent {count} claim(s) back to review."
    shared_form = ReasonForm

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        services.claim_reopen(claim=claim, user=user, reason=shared["reason"])


VERIFY, REJECT, REOPEN = VerifyClaims(), RejectClaims(), ReopenClaims()


# Claims --------------------------------------------------------------------


class VerdictInline(ReadOnlyInline):
    model = Verdict
    fields = ("reviewer", "rating", "rationale", "updated_at")
    verbose_name_plural = "verdicts (reviewers give them on the claim's page)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        return super().get_queryset(request).select_related("reviewer")


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
    )
    list_display_links = ("in_context",)
    list_filter = (
        "status",
        "kind",
        "attribution",
        ("verdicts__rating", titled(admin.ChoicesFieldListFilter, "verdict rating")),
        ("speaker__side", titled(admin.ChoicesFieldListFilter, "speaker's side")),
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
    readonly_fields = (
        "context",
        "article",
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "status",
        "published_verdict",
        "moderated_by",
        "moderated_at",
        "rejection_reason",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        # The selector's joins and prefetches; the changelist keeps them as they are.
        return selectors.claims_with_context()

    def get_fieldsets(self, request: HttpRequest, obj: Claim | None = None) -> list[Any]:
        claim_fields: list[Any] = [
            "restatement",
            "kind",
            "speaker",
            "attribution",
            "cue",
            ("cue_start", "cue_end"),
            "note",
        ]
        if obj is not None and self.has_change_permission(request, obj):
            claim_fields.append("expected_version")
        return [
            ("Highlight", {"fields": ["context", "article", ("start", "end"), "quote"]}),
            ("Claim", {"fields": claim_fields}),
            (
                "Moderation",
                {
                    "fields": [
                        "status",
                        "published_verdict",
                        ("moderated_by", "moderated_at"),
                        "rejection_reason",
                    ]
                },
            ),
            (
                "Record",
                {
                    "fields": [
                        ("created_by", "created_at"),
                        ("version", "updated_at"),
                        ("prefix", "suffix"),
                    ],
                    "classes": ["collapse"],
                },
            ),
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

    @admin.display(description="side", ordering="speaker__side")
    def speaker_side(self, claim: Claim) -> str | None:
        return claim.speaker.get_side_display() if claim.speaker else None

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

    @admin.action(description="Verify, publishing a verdict…", permissions=["moderate"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return VERIFY.run(self, request, queryset)

    @admin.action(description="Reject, with a reason…", permissions=["moderate"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return REJECT.run(self, request, queryset)

    @admin.action(description="Send back to review, with a reason…", permissions=["moderate"])
    def reopen(self, request: HttpRequest, queryset: QuerySet[Claim]) -> HttpResponse | None:
        return REOPEN.run(self, request, queryset)


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


# Speakers and articles -----------------------------------------------------


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
