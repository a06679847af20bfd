"""What every model on the desk shares: writes through services, history read, no deletes."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.filters import FieldListFilter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, HistoricalChanges, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import services
from ..models import CONTEXT_CHARS, TEXT_LIMITS, Claim
from ..text import clip
from .forms import ServiceModelForm, refusal_messages

# What a history shows for a field that held nothing, such as no published verdict yet.
NOTHING = "—"


class WriteRefused(Exception):
    """A service refused a save that the form had found valid: someone changed it meanwhile."""


class DeskHistory(HistoricalRecordContextHelper):
    """A history's changes as the desk names things: choice labels, local times, “—” for nothing."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        # A foreign key that was empty comes as a “deleted” object without a key.
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return NOTHING
        if isinstance(value, datetime):
            return formats.localize(timezone.localtime(value))
        field = self.model._meta.get_field(change.field)
        if field.choices and isinstance(value, str | int):
            return dict(field.flatchoices).get(value, value)
        return value


class DeskAdmin(SimpleHistoryAdmin):
    """What every model on the desk shares: writes through services, history read, no deletes."""

    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    object_history_list_template = "admin/annotations/object_history_list.html"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is deleted from the desk; drafts are deleted by their authors

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> Any:
        # A text column the database leaves unbounded gets the services' limit.
        if limit := TEXT_LIMITS.get((db_field.model._meta.model_name, db_field.name)):
            kwargs.setdefault("max_length", limit)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
            said = [message for field in refusal_messages(exc).values() for message in field]
            raise WriteRefused(" ".join(said)) from exc
        # The admin goes on with ``obj`` (its log entry, its redirect): give it what was saved.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The form checks with the service's rules, so a refusal in save_model
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

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: HistoricalChanges
    ) -> HistoricalRecordContextHelper:
        return DeskHistory(self.model, historical_record)


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


def titled(filter_class: type[FieldListFilter], title: str) -> type[FieldListFilter]:
    """Return the list filter under another title, for a field reached through a relation."""

    class Titled(filter_class):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


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
