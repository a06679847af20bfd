"""The desk's model forms: each checks with its service's rules, then the service writes.

Nothing here writes around ``annotations.services``: a model form records in
``clean()`` the values that differ from its instance, checks them with the
service's ``check_*`` function (which writes nothing), and ``write()`` hands
them to the service. The admin calls ``write()`` from ``save_model()``;
``form.save(commit=True)`` is refused.
"""

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models

from .. import services
from ..models import Article, Claim, Speaker

Refusal = ValidationError | PermissionDenied | services.StaleVersion


def refusal_messages(exc: Refusal) -> dict[str | None, list[str]]:
    """Return a service's refusal as messages by the field they name (None: no field)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {
                field: ValidationError(errors).messages for field, errors in exc.error_dict.items()
            }
        return {None: exc.messages}
    return {None: [str(exc) or "You may not do this."]}


def add_refusal(
    form: forms.BaseForm, exc: Refusal, *, shared: forms.BaseForm | None = None
) -> None:
    """Show a service's refusal on a validated form, each message beside the field it names.

    A field the form lacks but ``shared`` has goes to ``shared`` (once, however
    many claims repeat it); any other message goes to the top of ``form``.
    """
    for field, messages in refusal_messages(exc).items():
        target, name = form, None
        if field in form.fields:
            name = field
        elif shared is not None and field in shared.fields:
            target, name = shared, field
        shown = target.errors.get(name or NON_FIELD_ERRORS, [])
        for message in messages:
            if message not in shown:
                target.add_error(name, message)


def formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Return the form field for a model field; a web address typed without a scheme gets https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ServiceModelForm(forms.ModelForm):
    """A model form whose instance is written by a service, never by ``form.save()``."""

    # The acting user, bound by the admin's get_form() for each request.
    user: AbstractBaseUser | None = None
    # The fields the form hands to its service.
    service_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:  # the service's check needs every value
            self.record_changes()
            try:
                self.check_changes()
            except (ValidationError, PermissionDenied, services.StaleVersion) as exc:
                add_refusal(self, exc)
        return cleaned

    def record_changes(self) -> None:
        """Keep the cleaned values that differ from the instance as it was loaded.

        Called from clean(): after it, the model form copies the values onto
        the instance, so the difference cannot be told any more.
        """
        adding = self.instance.pk is None
        cleaned = self.cleaned_data
        self.changes = {
            field: cleaned[field]
            for field in self.service_fields
            if field in cleaned and (adding or cleaned[field] != getattr(self.instance, field))
        }

    def check_changes(self) -> None:
        """Check ``changes`` with the service's rules, raising what it would refuse."""
        raise NotImplementedError

    def write(self) -> models.Model:
        raise NotImplementedError

    def save(self, commit: bool = True) -> models.Model:
        if commit:
            raise TypeError(f"{type(self).__name__} is written by a service: call write().")
        return super().save(commit=False)


# Claims --------------------------------------------------------------------

# A moderator edits what was said about a highlight, never the highlight itself.
CLAIM_EDITABLE = tuple(f for f in services.CLAIM_FIELDS if f not in services.CLAIM_SPAN_FIELDS)


class ClaimAdminForm(ServiceModelForm):
    """A moderator's edit of a claim's wording and attribution; the highlight itself stays."""

    service_fields = CLAIM_EDITABLE
    # The version the moderator loaded, so an edit made meanwhile is not overwritten.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = CLAIM_EDITABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version

    def check_changes(self) -> None:
        services.check_claim_update(
            claim=self.instance,
            user=self.user,
            expected_version=self.cleaned_data["expected_version"],
            **self.changes,
        )

    def write(self) -> Claim:
        return services.claim_update(
            claim=self.instance,
            user=self.user,
            expected_version=self.cleaned_data["expected_version"],
            **self.changes,
        )


# Speakers ------------------------------------------------------------------


SPEAKER_EDITABLE = ("name", "kind", "side", "role", "reference_url", "wikidata_id")


class SpeakerAdminForm(ServiceModelForm):
    service_fields = SPEAKER_EDITABLE
    aliases = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Other names the speaker goes by, one a line, such as “SOHR”.",
    )
    confirm_new = forms.BooleanField(
        required=False,
        label="This is a new speaker",
        help_text="Tick to add it although its name is close to a speaker already in the "
        "register (the form lists them).",
    )

    class Meta:
        model = Speaker
        fields = SPEAKER_EDITABLE
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["aliases"].initial = "\n".join(a.name for a in self.instance.aliases.all())
            del self.fields["confirm_new"]

    def record_changes(self) -> None:
        super().record_changes()
        if self.instance.pk is None or "aliases" in self.changed_data:
            self.changes["aliases"] = self.cleaned_data["aliases"].splitlines()

    def check_changes(self) -> None:
        if self.instance.pk is None:
            services.check_speaker(
                user=self.user, confirm_new=self.cleaned_data["confirm_new"], **self.changes
            )
        else:
            services.check_speaker(user=self.user, speaker=self.instance, **self.changes)

    def write(self) -> Speaker:
        if self.instance.pk is None:
            return services.speaker_create(
                user=self.user, confirm_new=self.cleaned_data["confirm_new"], **self.changes
            )
        return services.speaker_update(speaker=self.instance, user=self.user, **self.changes)


class SpeakerMergeForm(forms.Form):
    """The speaker that takes the merged one's claims and names."""

    into = forms.ModelChoiceField(
        queryset=Speaker.objects.filter(merged_into__isnull=True),
        label="Merge into",
        help_text="This speaker keeps its name; the merged one's name and aliases become its "
        "aliases, and its claims move to it.",
    )

    def __init__(self, *args: Any, speaker: Speaker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        field.queryset = field.queryset.exclude(pk=speaker.pk)


# Articles ------------------------------------------------------------------

TEXT_LOCKED_HELP = (
    "Read-only: claims point into this text by their offsets, so changing it would move "
    "them. Load a corrected text as a new article."
)


class ArticleAdminForm(ServiceModelForm):
    service_fields = services.ARTICLE_FIELDS

    class Meta:
        model = Article
        fields = services.ARTICLE_FIELDS
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "text" in self.fields:
            self.fields["text"].strip = False  # the text is stored exactly as loaded

    def clean_text(self) -> str:
        # Browsers submit a textarea's line breaks as CRLF; the text keeps LF.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def check_changes(self) -> None:
        article = None if self.instance.pk is None else self.instance
        services.check_article(user=self.user, article=article, **self.changes)

    def write(self) -> Article:
        if self.instance.pk is None:
            return services.article_create(user=self.user, **self.changes)
        return services.article_update(article=self.instance, user=self.user, **self.changes)
